/* Internal declarations of the synthetic fingerprint generator (fpi_synth_). */
#ifndef FP_SYNTH_INTERNAL_H
#define FP_SYNTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/synth.h"

#define FPI_PI 3.14159265358979323846

/* ---- random numbers: splitmix64, one small state per stream ---- */
typedef struct fpi_rng {
    uint64_t s;
} fpi_rng;

uint64_t fpi_synth_mix64(uint64_t x);
/* A stream for (seed, finger, tag); different tags give independent streams. */
void fpi_rng_init(fpi_rng *r, uint64_t seed, uint64_t finger, uint64_t tag);
uint64_t fpi_rng_next(fpi_rng *r);
double fpi_rng_uniform(fpi_rng *r);                      /* [0, 1) */
double fpi_rng_range(fpi_rng *r, double lo, double hi); /* [lo, hi) */
double fpi_rng_normal(fpi_rng *r);                       /* approx. N(0, 1), bounded by +-3.46 */

/* ---- deterministic elementary functions (only + - * / and sqrt inside) ---- */
double fpi_sin(double x);
double fpi_cos(double x);
double fpi_atan2(double y, double x);
double fpi_exp(double x);

/* ---- finger model: class, singular points, orientation, period, shape ---- */
#define FPI_SYNTH_MAX_SP 4
#define FPI_SYNTH_MASTER_W 416
#define FPI_SYNTH_MASTER_H 512
#define FPI_SYNTH_MAX_BUMPS 64

typedef struct fpi_synth_model {
    fp_synth_class cls;
    double cx, cy;          /* finger centre */
    double ax, at, ab;      /* half width, top and bottom semi-axes */
    int nsp;
    fp_synth_singular sp[FPI_SYNTH_MAX_SP];
    double warp_a1[FPI_SYNTH_MAX_SP], warp_p1[FPI_SYNTH_MAX_SP];
    double warp_a2[FPI_SYNTH_MAX_SP], warp_p2[FPI_SYNTH_MAX_SP];
    double top_y, top_gain; /* fingertip arc correction above the cores */
    double arch_amp, arch_w, arch_y, arch_h; /* plain-arch model */
    double period0;
    double pw_kx[2], pw_ky[2], pw_ph[2], pw_amp[2]; /* smooth period variation */
    /* Local, per-finger irregularities: compact bumps that narrow or widen
     * the ridges (so growth must insert or drop a ridge there, a facing pair
     * of minutiae) and that turn the flow a little. */
    int nbump;
    double bump_x[FPI_SYNTH_MAX_BUMPS], bump_y[FPI_SYNTH_MAX_BUMPS], bump_r2[FPI_SYNTH_MAX_BUMPS];
    double bump_per[FPI_SYNTH_MAX_BUMPS], bump_rot[FPI_SYNTH_MAX_BUMPS];
} fpi_synth_model;

/* Fills the model of (seed, finger). */
void fpi_synth_model_init(fpi_synth_model *m, uint64_t seed, uint32_t finger);
double fpi_synth_model_orientation(const fpi_synth_model *m, double x, double y);
double fpi_synth_model_period(const fpi_synth_model *m, double x, double y);
/* < 1 inside the finger shape, 1 on its border, > 1 outside. */
double fpi_synth_model_shape(const fpi_synth_model *m, double x, double y);

/* Smooth step of t clamped to 0..1: 3t^2 - 2t^3. */
static inline double fpi_smooth01(double t)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

/* 8-bit angle of a direction (dx, dy) given in image axes (y down). */
uint8_t fpi_synth_angle_byte(double dx, double dy);

/* Internal accessors of a master for the impression renderer. */
const int16_t *fpi_synth_master_field(const fp_synth_master *master);
const fpi_synth_model *fpi_synth_master_model(const fp_synth_master *master);
/* The (seed, finger) a master was built from: finger-level features drawn
 * at render time (creases, scars) use their own streams of it. */
uint64_t fpi_synth_master_seed(const fp_synth_master *master);
uint32_t fpi_synth_master_finger(const fp_synth_master *master);

/* ---- noise shared by the renderer (synth_impression.c) ---- */
uint64_t fpi_synth_hash3(uint64_t seed, int64_t x, int64_t y);
/* Value noise in [0, 1) on a lattice of `cell` pixels, smoothly interpolated. */
double fpi_synth_vnoise(uint64_t seed, double x, double y, double cell);

/* ---- impression geometry (synth_impression.c), shared with the fast path ---- */
typedef struct fpi_synth_geom {
    double cx, cy;       /* finger centre (master) */
    double ix, iy;       /* where it lands (image) */
    double c, s;         /* rigid rotation */
    double pcx, pcy;     /* contact centre in the image */
    double rc;           /* contact radius for the distortion profile */
    double r0;
    double dc, ds, tx, ty; /* distortion rotation and shift */
    double warp_amp, warp_cell; /* smooth random local displacement, 0: none */
    uint64_t warp_seed;
} fpi_synth_geom;
void fpi_synth_geom_init(fpi_synth_geom *g, const fpi_synth_model *m, const fp_synth_impression_params *p);
/* Image point -> master point: what the renderer evaluates per pixel. */
void fpi_synth_image_to_master(const fpi_synth_geom *g, double px, double py, double *mx, double *my);
/* Master point -> image point, the numerical inverse of the above. */
void fpi_synth_master_to_image(const fpi_synth_geom *g, double mx, double my, double *px, double *py);

#endif
