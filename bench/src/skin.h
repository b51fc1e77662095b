/*
 * skin.h - dry and wet skin simulated on real fingerprint images, for
 * measuring extraction on such prints while the impostor statistics stay
 * those of real fingers (`fpbench accuracy --skin S`, docs/extraction.md).
 *
 * Model: each impression draws a condition (normal, dry or wet with equal
 * odds) and a severity from S/2 to S (S from 0 to 1). The condition shows
 * everywhere at 35 % of the severity and fully in patches (a value-noise
 * field of about 50 px). Dry skin: dark ridges thinned (grey dilation of
 * the light valleys), broken into segments and dots where a fine noise
 * field lifts them to the background, and printed grey. Wet skin: ridges
 * thickened (grey erosion, a 5x5 one where the condition is strong),
 * valleys filled and smudged, blots of ink. Everything is a pure function
 * of (seed, index); the same seed and index on the same image give the
 * same pixels.
 *
 * Pure computation: no I/O, no global state, reentrant.
 */
#ifndef FP_EVAL_SKIN_H
#define FP_EVAL_SKIN_H

#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fp_eval_skin_kind {
    FP_EVAL_SKIN_NORMAL = 0,
    FP_EVAL_SKIN_DRY = 1,
    FP_EVAL_SKIN_WET = 2
} fp_eval_skin_kind;

/* The condition one impression gets. */
typedef struct fp_eval_skin {
    fp_eval_skin_kind kind;
    double severity;     /* 0..1; 0 leaves the image unchanged */
    uint64_t noise_seed; /* the noise fields of this impression */
} fp_eval_skin;

/*
 * Draws the condition of impression `index` for strength 0..1 (0: every
 * impression normal). Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_eval_skin_draw(double strength, uint64_t seed, uint64_t index, fp_eval_skin *out);

/*
 * Renders the condition into out (width * height bytes, stride == width,
 * dark ridges on a light background). in and out must not overlap.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY.
 */
fp_status fp_eval_skin_apply(const fp_eval_skin *s, const uint8_t *in, uint32_t width, uint32_t height, uint8_t *out);

/* "normal", "dry" or "wet". */
const char *fp_eval_skin_kind_name(fp_eval_skin_kind kind);

#ifdef __cplusplus
}
#endif

#endif
