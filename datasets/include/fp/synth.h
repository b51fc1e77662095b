/*
 * synth.h - synthetic fingerprints with ground truth (datasets library).
 *
 * A synthetic finger is identified by (seed, finger). Its "master" is the
 * whole ridge pattern of the fingertip: pattern class, singular points, an
 * orientation field (Sherlock-Monro zero-pole model with per-singularity
 * corrections), a ridge-period map, and ridges grown by iterative oriented
 * filtering from a few seeds. The master's minutiae, found on its thinned
 * ridges, are the ground truth. An "impression" is one capture of a master
 * on a simulated sensor: rigid placement, plastic skin distortion, partial
 * contact, dry/wet pressure, noise and blur; the ground truth goes through
 * the same geometry. See docs/synthetic.md for the model.
 *
 * A fast mode makes templates (minutiae only, no image) for very large
 * galleries.
 *
 * Conventions
 *  - Everything is a pure function of (seed, finger, impression): the same
 *    arguments give byte-identical images and templates on every machine
 *    (integer random numbers, no libm in the generated values, fixed
 *    evaluation order).
 *  - Minutiae follow fp.h: x, y pixels with origin top left, angle in 1/256
 *    turns counter-clockwise from the x axis with y up, pointing into the
 *    ridge for endings and into the valley between the branches for
 *    bifurcations; type FP_MINUTIA_ENDING or FP_MINUTIA_BIFURCATION.
 *  - Objects are immutable after creation and may be read from several
 *    threads; functions hold no global state and are thread safe.
 *  - Every destroy function accepts NULL. Nothing prints or aborts.
 */
#ifndef FP_SYNTH_H
#define FP_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Henry pattern classes. */
typedef enum fp_synth_class {
    FP_SYNTH_ARCH = 0,
    FP_SYNTH_TENTED_ARCH = 1,
    FP_SYNTH_LEFT_LOOP = 2,
    FP_SYNTH_RIGHT_LOOP = 3,
    FP_SYNTH_WHORL = 4
} fp_synth_class;
#define FP_SYNTH_CLASS_COUNT 5

/* "arch", "tented-arch", "left-loop", "right-loop", "whorl"; never NULL. */
const char *fp_synth_class_name(fp_synth_class cls);

/*
 * The class finger number `finger` of `seed` gets, drawn with the natural
 * frequencies 3.7 / 2.9 / 33.8 / 31.7 / 27.9 % (arch, tented arch, left
 * loop, right loop, whorl). Cheap: does not build the master.
 */
fp_synth_class fp_synth_class_of(uint64_t seed, uint32_t finger);

/* Sensor profiles, all 500 dpi. */
typedef enum fp_synth_profile {
    FP_SYNTH_OPTICAL = 0,       /* 388 x 374, like FVC2002 DB1 */
    FP_SYNTH_OPTICAL_LARGE = 1, /* 640 x 480 */
    FP_SYNTH_CAPACITIVE = 2,    /* 256 x 364, like FVC2000 DB2 */
    FP_SYNTH_OPTICAL_SMALL = 3  /* 328 x 364, a small optical sensor */
} fp_synth_profile;
#define FP_SYNTH_PROFILE_COUNT 4

/* "optical", "optical-large", "capacitive", "optical-small"; never NULL. */
const char *fp_synth_profile_name(fp_synth_profile profile);
/* Parses a profile name. Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_synth_profile_parse(const char *name, fp_synth_profile *out);
/* Image size of a profile (dpi is always 500). */
void fp_synth_profile_size(fp_synth_profile profile, uint32_t *width, uint32_t *height);

/*
 * Capture difficulty. Standard is the draw of fp_synth_impression_params_draw.
 * The hard presets make sets whose matcher scores are meant to be comparable
 * with real sensors (docs/realism.md):
 *  - hard-distortion: strong plastic distortion (large shift and rotation,
 *    small rigid inner region), a smooth random local warp, larger
 *    rotation and placement, partial contact, moderate dry/wet and image
 *    degradation; meant for the optical-large profile.
 *  - hard-drywet: most impressions dry or wet (ridges broken into segments
 *    and dots, or merged with blotted valleys, in patches), partial and
 *    off-centre contact, strong image degradation, moderate distortion;
 *    meant for a small sensor (optical-small).
 */
typedef enum fp_synth_difficulty {
    FP_SYNTH_STANDARD = 0,
    FP_SYNTH_HARD_DISTORTION = 1,
    FP_SYNTH_HARD_DRYWET = 2
} fp_synth_difficulty;
#define FP_SYNTH_DIFFICULTY_COUNT 3

/* "standard", "hard-distortion", "hard-drywet"; never NULL. */
const char *fp_synth_difficulty_name(fp_synth_difficulty difficulty);
/* Parses a difficulty name. Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_synth_difficulty_parse(const char *name, fp_synth_difficulty *out);

/* ------------------------------------------------------------------------ */
/* Masters                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct fp_synth_master fp_synth_master;

typedef enum fp_synth_singular_type {
    FP_SYNTH_CORE = 1,
    FP_SYNTH_DELTA = 2
} fp_synth_singular_type;

/* A singular point in master coordinates (pixels, origin top left). */
typedef struct fp_synth_singular {
    float x;
    float y;
    uint8_t type; /* fp_synth_singular_type */
} fp_synth_singular;

/*
 * Builds the master of finger `finger` of `seed` (about 0.1 to 0.3 s: the
 * ridge growth dominates). Caller frees with fp_synth_master_destroy.
 * Errors: FP_ERR_INVALID_ARGUMENT (out NULL), FP_ERR_NO_MEMORY.
 */
fp_status fp_synth_master_create(uint64_t seed, uint32_t finger, fp_synth_master **out);
/*
 * The master for a difficulty preset.
 * FP_SYNTH_STANDARD is fp_synth_master_create; the hard presets add about
 * three times as many unforced minutia pairs (short ridges and breaks whose
 * two minutiae face each other), so the class, shape, flow and grown ridges
 * are those of the standard master but the minutiae are not.
 * Errors: FP_ERR_INVALID_ARGUMENT (out NULL, unknown difficulty), FP_ERR_NO_MEMORY.
 */
fp_status fp_synth_master_create_difficulty(uint64_t seed, uint32_t finger, fp_synth_difficulty difficulty,
                                            fp_synth_master **out);
void fp_synth_master_destroy(fp_synth_master *master);

fp_synth_class fp_synth_master_class(const fp_synth_master *master);
/* Size of the master canvas in pixels (500 dpi). */
uint32_t fp_synth_master_width(const fp_synth_master *master);
uint32_t fp_synth_master_height(const fp_synth_master *master);
/*
 * The ridge pattern as an 8-bit image of the master canvas (width * height
 * bytes, borrowed, valid while master lives): 0 = ridge centre, 255 =
 * valley centre, 255 outside the finger.
 */
const uint8_t *fp_synth_master_ridges(const fp_synth_master *master);
/* Ground-truth minutiae in master coordinates (borrowed), *count set. */
const fp_minutia *fp_synth_master_minutiae(const fp_synth_master *master, size_t *count);
/* Copies up to cap singular points into out; returns how many exist. */
size_t fp_synth_master_singular(const fp_synth_master *master, fp_synth_singular *out, size_t cap);
/*
 * Model ridge orientation at (x, y) of the master, radians in [0, pi),
 * measured in image axes (x right, y down; so pi/4 runs down-right).
 */
double fp_synth_master_orientation(const fp_synth_master *master, double x, double y);
/* Model ridge period at (x, y), pixels. */
double fp_synth_master_period(const fp_synth_master *master, double x, double y);
/* Non-zero when (x, y) lies on the finger (inside its shape). */
int fp_synth_master_inside(const fp_synth_master *master, double x, double y);

/* ------------------------------------------------------------------------ */
/* Impressions                                                              */
/* ------------------------------------------------------------------------ */

/*
 * How one impression is taken. fp_synth_impression_params_draw fills it
 * from (seed, finger, impression); callers may then change any field (for
 * example set distortion to 0 in a test) before rendering.
 */
typedef struct fp_synth_impression_params {
    fp_synth_profile profile;
    uint32_t width, height, dpi;
    uint64_t noise_seed;      /* seeds the pixel noise of this impression */
    /* Rigid placement: the centre of the contact ellipse lands at the image
     * centre plus (dx, dy), after a rotation of rotation_deg about it
     * (counter-clockwise as seen on the image). */
    double dx, dy, rotation_deg;
    /* Plastic distortion (Cappelli-Maio-Maltoni): outside an inner region
     * of relative radius distortion_r0 the skin is displaced by up to
     * (distortion_dx, distortion_dy) pixels and distortion_rot_deg degrees
     * around the contact centre. 0 disables it. */
    double distortion_dx, distortion_dy, distortion_rot_deg, distortion_r0;
    /* Contact ellipse in master coordinates relative to the finger centre:
     * centre offset and semi-axes in pixels. */
    double contact_dx, contact_dy, contact_ax, contact_ay;
    /* -1 very dry (thin, broken ridges) .. 0 normal .. +1 very wet (thick,
     * merged ridges). */
    double pressure;
    double contrast;          /* 0.3 .. 1, ridge darkness */
    double noise;             /* sensor noise standard deviation, gray levels */
    /* Optics: the integer part is a number of full 3x3 binomial smoothing
     * passes, the fraction the weight of one more (0 .. 4; the standard
     * draw stays below 1). */
    double blur;
    /* Harder captures (fp_synth_difficulty). The standard draw leaves all
     * of these at 0, which renders exactly as before they existed. */
    double warp_amp;          /* px: smooth random skin displacement (local distortion) */
    double warp_cell;         /* px: its spatial scale (> 8 when warp_amp > 0) */
    double patchiness;        /* 0 .. 1: dry skin breaks ridges into segments and dots,
                                 wet skin blots valleys, in patches; scales with |pressure| */
    double smudge;            /* 0 .. 1: latent residue, smears, faint low-contrast patches */
    double creases;           /* 0 .. 1: how strongly the finger's creases and scars print */
    double roughness;         /* 0 .. 1: ragged ridge edges and open pores (skin texture) */
} fp_synth_impression_params;


/*
 * Draws the parameters of impression `impression` of finger `finger`.
 * pressure_mix non-zero spreads pressure over the whole dry..wet range
 * (otherwise mostly normal skin). Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_synth_impression_params_draw(uint64_t seed, uint32_t finger, uint32_t impression,
                                          fp_synth_profile profile, int pressure_mix,
                                          fp_synth_impression_params *out);

/*
 * The same for a difficulty preset. FP_SYNTH_STANDARD gives exactly what
 * fp_synth_impression_params_draw gives; the hard presets draw every field
 * from their own ranges (docs/synthetic.md) and ignore pressure_mix (their
 * pressure is always spread). Errors: FP_ERR_INVALID_ARGUMENT (out NULL,
 * unknown profile or difficulty).
 */
fp_status fp_synth_impression_params_draw_difficulty(uint64_t seed, uint32_t finger, uint32_t impression,
                                                     fp_synth_profile profile, int pressure_mix,
                                                     fp_synth_difficulty difficulty,
                                                     fp_synth_impression_params *out);

typedef struct fp_synth_impression fp_synth_impression;

/*
 * Renders an impression of master with params (copied). Caller frees with
 * fp_synth_impression_destroy. Errors: FP_ERR_INVALID_ARGUMENT (NULL
 * arguments, size outside 32..2048, dpi not 500, blur outside 0..4,
 * warp_amp outside 0..16 or warp_cell below 8 with a warp, patchiness,
 * smudge, creases or roughness outside 0..1), FP_ERR_NO_MEMORY.
 */
fp_status fp_synth_impression_render(const fp_synth_master *master, const fp_synth_impression_params *params,
                                     fp_synth_impression **out);
void fp_synth_impression_destroy(fp_synth_impression *imp);

/* The 8-bit image (stride == width), borrowed; width/height may be NULL. */
const uint8_t *fp_synth_impression_pixels(const fp_synth_impression *imp, uint32_t *width, uint32_t *height);
/* Ground-truth minutiae in image coordinates (borrowed), *count set. Only
 * minutiae inside the contact area and at least 8 px from the border. */
const fp_minutia *fp_synth_impression_minutiae(const fp_synth_impression *imp, size_t *count);
/* The parameters the impression was rendered with (borrowed). */
const fp_synth_impression_params *fp_synth_impression_get_params(const fp_synth_impression *imp);
/* A template of the ground truth (quality 100). Caller frees it. */
fp_status fp_synth_impression_template(const fp_synth_impression *imp, fp_template **out);

/*
 * Maps a master point into image coordinates of an impression with params
 * (the same transform the renderer inverts per pixel, distortion included).
 * Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_synth_map_point(const fp_synth_master *master, const fp_synth_impression_params *params, double mx,
                             double my, double *ix, double *iy);

/* ------------------------------------------------------------------------ */
/* Fast mode: templates without images                                      */
/* ------------------------------------------------------------------------ */

/*
 * Minutiae of impression `impression` of finger `finger` for a 388 x 374
 * optical capture, without rendering: the finger's master minutiae are
 * sampled from the class's orientation model (minimum spacing of about a
 * ridge period, denser near singular points), then moved by a random rigid
 * transform and mild distortion, cropped to the contact area, 10-20 %
 * dropped, 5-15 % spurious ones added, positions and angles jittered.
 * Writes at most cap minutiae into out and sets *count. No allocation.
 * Errors: FP_ERR_INVALID_ARGUMENT.
 */
fp_status fp_synth_fast_minutiae(uint64_t seed, uint32_t finger, uint32_t impression, fp_minutia *out, size_t cap,
                                 size_t *count);

/* The same as a template (388 x 374, 500 dpi). Caller frees it. */
fp_status fp_synth_fast_template(uint64_t seed, uint32_t finger, uint32_t impression, fp_template **out);

/*
 * Batch: templates for fingers first_finger .. first_finger + fingers - 1,
 * impressions 0 .. impressions - 1, written finger-major into out (fingers
 * * impressions entries; the master of each finger is sampled once). On
 * error every template made so far is destroyed and out is zeroed.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY.
 */
fp_status fp_synth_fast_batch(uint64_t seed, uint32_t first_finger, uint32_t fingers, uint32_t impressions,
                              fp_template **out);

#ifdef __cplusplus
}
#endif

#endif
