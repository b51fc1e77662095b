/*
 * The finger model: pattern class, finger shape, singular points, the
 * orientation field and the ridge-period map. Shared by the image path and
 * the fast path so both describe the same finger.
 */
#include <math.h>
#include <string.h>

#include "synth_internal.h"

/* Stream tags: each purpose draws from its own stream so adding a draw to one
 * never changes the others. */
enum { TAG_CLASS = 1, TAG_MODEL = 2, TAG_BUMPS = 3 };

/*
 * Natural class frequencies from the NIST study of Wilson, Candela and
 * Watson (1994), as quoted in Maltoni et al., Handbook of Fingerprint
 * Recognition (ch. 5): arch 3.7 %, tented arch 2.9 %, left loop 33.8 %,
 * right loop 31.7 %, whorl 27.9 %. Cumulative, in 1/1000.
 */
static const uint32_t class_cum_permille[FP_SYNTH_CLASS_COUNT] = {37, 66, 404, 721, 1000};

const char *fp_synth_class_name(fp_synth_class cls)
{
    switch (cls) {
    case FP_SYNTH_ARCH: return "arch";
    case FP_SYNTH_TENTED_ARCH: return "tented-arch";
    case FP_SYNTH_LEFT_LOOP: return "left-loop";
    case FP_SYNTH_RIGHT_LOOP: return "right-loop";
    case FP_SYNTH_WHORL: return "whorl";
    }
    return "unknown";
}

fp_synth_class fp_synth_class_of(uint64_t seed, uint32_t finger)
{
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_CLASS);
    uint32_t v = (uint32_t)(fpi_rng_next(&r) % 1000u);
    for (int c = 0; c < FP_SYNTH_CLASS_COUNT; c++)
        if (v < class_cum_permille[c]) return (fp_synth_class)c;
    return FP_SYNTH_WHORL;
}

/* Per-finger irregularities (see fpi_synth_model). */
#define BUMPS_MIN 14
#define BUMPS_SPREAD 8
#define BUMP_R_MIN 30.0
#define BUMP_R_MAX 80.0
#define BUMP_PER_MIN 0.18 /* relative change of the period at the centre */
#define BUMP_PER_MAX 0.32
#define BUMP_ROT 0.80     /* radians at the centre (bumps overlap and add) */

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static void add_sp(fpi_synth_model *m, double x, double y, uint8_t type)
{
    if (m->nsp >= FPI_SYNTH_MAX_SP) return;
    m->sp[m->nsp].x = (float)x;
    m->sp[m->nsp].y = (float)y;
    m->sp[m->nsp].type = type;
    m->nsp++;
}

void fpi_synth_model_init(fpi_synth_model *m, uint64_t seed, uint32_t finger)
{
    memset(m, 0, sizeof(*m));
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_MODEL);
    m->cls = fp_synth_class_of(seed, finger);
    m->ax = fpi_rng_range(&r, 150, 182);
    m->at = fpi_rng_range(&r, 168, 205);
    m->ab = fpi_rng_range(&r, 215, 250);
    m->cx = FPI_SYNTH_MASTER_W / 2.0;
    m->cy = 22 + m->at;

    double cx = m->cx, cy = m->cy;
    switch (m->cls) {
    case FP_SYNTH_ARCH:
        break;
    case FP_SYNTH_TENTED_ARCH: {
        double x = cx + 10 * fpi_rng_normal(&r), y = cy - 10 + 15 * fpi_rng_normal(&r);
        add_sp(m, x, y, FP_SYNTH_CORE);
        add_sp(m, x + 8 * fpi_rng_normal(&r), y + fpi_rng_range(&r, 55, 95), FP_SYNTH_DELTA);
        break;
    }
    case FP_SYNTH_LEFT_LOOP:
    case FP_SYNTH_RIGHT_LOOP: {
        /* The delta sits on the side the loop does not open to. */
        double side = m->cls == FP_SYNTH_LEFT_LOOP ? 1.0 : -1.0;
        double x = cx - side * 12 + 15 * fpi_rng_normal(&r), y = cy - 30 + 20 * fpi_rng_normal(&r);
        add_sp(m, x, y, FP_SYNTH_CORE);
        add_sp(m, x + side * fpi_rng_range(&r, 65, 120), y + fpi_rng_range(&r, 95, 160), FP_SYNTH_DELTA);
        break;
    }
    case FP_SYNTH_WHORL: {
        double x = cx + 12 * fpi_rng_normal(&r), y = cy - 25 + 15 * fpi_rng_normal(&r);
        double sep = fpi_rng_range(&r, 0, 40), h = 8 * fpi_rng_normal(&r);
        add_sp(m, x + h, y - sep / 2, FP_SYNTH_CORE);
        add_sp(m, x - h, y + sep / 2, FP_SYNTH_CORE);
        add_sp(m, x - fpi_rng_range(&r, 95, 135), y + fpi_rng_range(&r, 90, 145), FP_SYNTH_DELTA);
        add_sp(m, x + fpi_rng_range(&r, 95, 135), y + fpi_rng_range(&r, 90, 145), FP_SYNTH_DELTA);
        break;
    }
    }
    /* Vizcaya-Gerhardt-like correction: each singularity's angle is warped
     * by a smooth monotone 2-pi-periodic map, which bends the flow around it
     * without changing its Poincare index. */
    for (int i = 0; i < FPI_SYNTH_MAX_SP; i++) {
        m->warp_a1[i] = fpi_rng_range(&r, -0.25, 0.25);
        m->warp_p1[i] = fpi_rng_range(&r, 0, 2 * FPI_PI);
        m->warp_a2[i] = fpi_rng_range(&r, -0.12, 0.12);
        m->warp_p2[i] = fpi_rng_range(&r, 0, 2 * FPI_PI);
    }
    double ytop = cy - 40;
    for (int i = 0; i < m->nsp; i++)
        if (m->sp[i].type == FP_SYNTH_CORE && m->sp[i].y - 25 < ytop) ytop = m->sp[i].y - 25;
    m->top_y = ytop;
    m->top_gain = fpi_rng_range(&r, 0.7, 1.4) * (m->cls == FP_SYNTH_WHORL ? 0.6 : 1.0);
    m->arch_amp = fpi_rng_range(&r, 30, 70);
    m->arch_w = fpi_rng_range(&r, 80, 125);
    m->arch_y = cy + 10 * fpi_rng_normal(&r);
    m->arch_h = fpi_rng_range(&r, 110, 180);
    /* Growth draws ridges a little closer than the nominal period; 9.9 px
     * gives about 8 px in the images, the low end of the real sets, and so
     * a real-like minutia count. */
    m->period0 = clampd(9.9 + 0.5 * fpi_rng_normal(&r), 9.0, 11.5);
    for (int i = 0; i < 2; i++) {
        double a = fpi_rng_range(&r, 0, 2 * FPI_PI), wl = fpi_rng_range(&r, 150, 400);
        m->pw_kx[i] = 2 * FPI_PI / wl * fpi_cos(a);
        m->pw_ky[i] = 2 * FPI_PI / wl * fpi_sin(a);
        m->pw_ph[i] = fpi_rng_range(&r, 0, 2 * FPI_PI);
        m->pw_amp[i] = fpi_rng_range(&r, 0.15, 0.45);
    }
    /* Bumps come from their own stream so the draws above stay as they were. */
    fpi_rng rb;
    fpi_rng_init(&rb, seed, finger, TAG_BUMPS);
    m->nbump = BUMPS_MIN + (int)(fpi_rng_next(&rb) % (BUMPS_SPREAD + 1u));
    for (int i = 0; i < m->nbump; i++) {
        double x, y;
        int tries = 0;
        do {
            x = fpi_rng_range(&rb, 0, FPI_SYNTH_MASTER_W);
            y = fpi_rng_range(&rb, 0, FPI_SYNTH_MASTER_H);
        } while (fpi_synth_model_shape(m, x, y) > 1.0 && ++tries < 50);
        double rad = fpi_rng_range(&rb, BUMP_R_MIN, BUMP_R_MAX);
        m->bump_x[i] = x;
        m->bump_y[i] = y;
        m->bump_r2[i] = rad * rad;
        /* Both signs equally likely: a narrower patch gains a ridge, a wider
         * one loses one, and the pair's senses follow. */
        double a = fpi_rng_range(&rb, BUMP_PER_MIN, BUMP_PER_MAX);
        m->bump_per[i] = (fpi_rng_next(&rb) & 1) ? a : -a;
        m->bump_rot[i] = fpi_rng_range(&rb, -BUMP_ROT, BUMP_ROT);
    }
}

/* Sum of the compact bumps at (x, y), period part and rotation part. */
static void bumps_at(const fpi_synth_model *m, double x, double y, double *per, double *rot)
{
    double p = 0, t = 0;
    for (int i = 0; i < m->nbump; i++) {
        double dx = x - m->bump_x[i], dy = y - m->bump_y[i], d2 = dx * dx + dy * dy;
        if (d2 >= m->bump_r2[i]) continue;
        double q = 1.0 - d2 / m->bump_r2[i];
        q *= q; /* (1 - r^2)^2: smooth, zero slope at the rim */
        p += m->bump_per[i] * q;
        t += m->bump_rot[i] * q;
    }
    *per = p;
    *rot = t;
}

static double smoothstep(double e0, double e1, double x)
{
    double t = clampd((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

double fpi_synth_model_orientation(const fpi_synth_model *m, double x, double y)
{
    double th = 0.0;
    if (m->nsp == 0) {
        /* Plain arch: ridges y = t - A(y) exp(-(x/w)^2) bow towards the tip. */
        double u = (x - m->cx) / m->arch_w, v = (y - m->arch_y) / m->arch_h;
        double amp = m->arch_amp * fpi_exp(-v * v);
        double slope = amp * 2 * u / m->arch_w * fpi_exp(-u * u);
        th = fpi_atan2(slope, 1.0);
    } else {
        /* Sherlock-Monro zero-pole model: +1/2 turn per core, -1/2 per delta. */
        for (int i = 0; i < m->nsp; i++) {
            double a = fpi_atan2(y - m->sp[i].y, x - m->sp[i].x);
            a += m->warp_a1[i] * fpi_sin(a + m->warp_p1[i]) + m->warp_a2[i] * fpi_sin(2 * a + m->warp_p2[i]);
            th += m->sp[i].type == FP_SYNTH_CORE ? 0.5 * a : -0.5 * a;
        }
    }
    /* Above the cores the ridges follow the rounded fingertip. */
    double w = smoothstep(m->top_y, m->top_y - 130, y);
    if (w > 0) th += w * fpi_atan2(m->top_gain * (x - m->cx), m->ax);
    double bp, br;
    bumps_at(m, x, y, &bp, &br);
    th += br;
    th = fmod(th, FPI_PI);
    if (th < 0) th += FPI_PI;
    return th;
}

double fpi_synth_model_period(const fpi_synth_model *m, double x, double y)
{
    /* Ridges are wider apart towards the tip and the crease. */
    double p = m->period0 + 1.0 * smoothstep(m->top_y, m->top_y - 140, y) +
               0.6 * smoothstep(m->cy + 120, m->cy + 230, y);
    for (int i = 0; i < 2; i++) p += m->pw_amp[i] * fpi_sin(m->pw_kx[i] * x + m->pw_ky[i] * y + m->pw_ph[i]);
    double bp, br;
    bumps_at(m, x, y, &bp, &br);
    p *= 1.0 + bp;
    return clampd(p, 6.5, 12.5);
}

double fpi_synth_model_shape(const fpi_synth_model *m, double x, double y)
{
    double u = (x - m->cx) / m->ax;
    if (y < m->cy) {
        double v = (y - m->cy) / m->at;
        return u * u + v * v;
    }
    double v = (y - m->cy) / m->ab;
    return u * u + v * v * v * v; /* flatter towards the first crease */
}
