/*
 * distort.h - plastic skin distortion applied to real fingerprint images,
 * for measuring a matcher's tolerance to distortion on prints whose
 * impostor statistics stay those of real fingers (`fpbench accuracy
 * --distort PX`, docs/matcher.md).
 *
 * Model (after Cappelli, Maio and Maltoni, "Modelling plastic distortion in
 * fingerprint images", ICAPR 2001): around the print's centre (the centroid
 * of its darkness) a disc of radius r0 stays put; beyond r0 + ramp the skin
 * moves rigidly by a translation and a rotation about the centre; in
 * between, the motion fades in along a raised cosine. Each impression draws
 * its own motion: translation of strength/2 .. strength pixels in a random
 * direction, rotation within +-0.4 x strength degrees, r0 40..80 px, ramp
 * 120 px. Everything is a pure function of (seed, index).
 *
 * Pure computation: no I/O, no global state, reentrant.
 */
#ifndef FP_EVAL_DISTORT_H
#define FP_EVAL_DISTORT_H

#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The motion one impression gets. */
typedef struct fp_eval_distortion {
    double cx, cy;       /* centre, pixels */
    double tx, ty;       /* translation of the outer skin, pixels */
    double rot_rad;      /* rotation of the outer skin about the centre */
    double r0, ramp;     /* rigid inner radius and the width of the fade */
} fp_eval_distortion;

/*
 * Draws the motion of impression `index` for an image (8-bit, stride ==
 * width, dark ridges on a light background) with the given strength in
 * pixels (0 means none: a zero motion). Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_eval_distortion_draw(const uint8_t *pixels, uint32_t width, uint32_t height, double strength,
                                  uint64_t seed, uint64_t index, fp_eval_distortion *out);

/* Where the skin at (x, y) of the undistorted print lands. */
void fp_eval_distortion_map(const fp_eval_distortion *d, double x, double y, double *ox, double *oy);

/*
 * Renders the distorted image into out (width * height bytes, stride ==
 * width): each output pixel is the input sampled bilinearly where the
 * inverse motion takes it (solved by fixed-point iteration); skin moved in
 * from outside the image is background (255). in and out must not overlap.
 * Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_eval_distortion_apply(const fp_eval_distortion *d, const uint8_t *in, uint32_t width, uint32_t height,
                                   uint8_t *out);

#ifdef __cplusplus
}
#endif

#endif
