/*
 * Fast mode: minutiae sets without images, for galleries of millions.
 *
 * A finger's master minutiae are sampled directly from its model instead of
 * grown ridges: positions by dart throwing with a minimum spacing of about a
 * ridge period, accepted more often near the singular points (where real
 * fingers have more minutiae), directions along the model orientation with
 * a random sense. Impressions reuse the image path's placement, distortion
 * and contact model and then add the extractor-like errors: drop-outs,
 * spurious minutiae and jitter.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"

enum { TAG_FAST_MASTER = 40, TAG_FAST_IMPRESSION = 41 };

#define FAST_MAX_MASTER 96
#define FAST_MIN_DIST 9.0
#define FAST_W 388
#define FAST_H 374

typedef struct fast_master {
    fpi_synth_model model;
    size_t n;
    double x[FAST_MAX_MASTER], y[FAST_MAX_MASTER];
    double dx[FAST_MAX_MASTER], dy[FAST_MAX_MASTER]; /* unit direction, image axes */
    uint8_t type[FAST_MAX_MASTER];
} fast_master;

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static void fast_master_init(fast_master *fm, uint64_t seed, uint32_t finger)
{
    fpi_synth_model *m = &fm->model;
    fpi_synth_model_init(m, seed, finger);
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_FAST_MASTER);
    size_t target = (size_t)clampd(floor(68.0 + 11.0 * fpi_rng_normal(&r) + 0.5), 30, FAST_MAX_MASTER);
    fm->n = 0;
    for (int tries = 0; fm->n < target && tries < 4000; tries++) {
        double x = fpi_rng_range(&r, m->cx - m->ax, m->cx + m->ax);
        double y = fpi_rng_range(&r, m->cy - m->at, m->cy + m->ab);
        double accept = fpi_rng_uniform(&r);
        if (fpi_synth_model_shape(m, x, y) > 0.93) continue;
        double d2 = 1e18;
        for (int i = 0; i < m->nsp; i++) {
            double ex = x - m->sp[i].x, ey = y - m->sp[i].y;
            if (ex * ex + ey * ey < d2) d2 = ex * ex + ey * ey;
        }
        /* Roughly twice the density close to a core or delta. */
        double p = m->nsp ? 0.45 + 0.55 * fpi_exp(-d2 / (2 * 55.0 * 55.0)) : 0.6;
        if (accept > p) continue;
        int ok = 1;
        for (size_t i = 0; i < fm->n && ok; i++) {
            double ex = x - fm->x[i], ey = y - fm->y[i];
            ok = ex * ex + ey * ey >= FAST_MIN_DIST * FAST_MIN_DIST;
        }
        if (!ok) continue;
        double th = fpi_synth_model_orientation(m, x, y);
        double sense = (fpi_rng_next(&r) & 1) ? 1.0 : -1.0;
        fm->x[fm->n] = x;
        fm->y[fm->n] = y;
        fm->dx[fm->n] = sense * fpi_cos(th);
        fm->dy[fm->n] = sense * fpi_sin(th);
        /* Endings are slightly more common than bifurcations. */
        fm->type[fm->n] = fpi_rng_uniform(&r) < 0.55 ? FP_MINUTIA_ENDING : FP_MINUTIA_BIFURCATION;
        fm->n++;
    }
}

static size_t fast_impression(const fast_master *fm, uint64_t seed, uint32_t finger, uint32_t impression,
                              fp_minutia *out, size_t cap)
{
    const fpi_synth_model *m = &fm->model;
    fp_synth_impression_params p;
    fp_synth_impression_params_draw(seed, finger, impression, FP_SYNTH_OPTICAL, 0, &p);
    fpi_synth_geom g;
    fpi_synth_geom_init(&g, m, &p);
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_FAST_IMPRESSION + ((uint64_t)impression << 8));
    double drop = fpi_rng_range(&r, 0.10, 0.20), spur = fpi_rng_range(&r, 0.05, 0.15);
    double sigma = fpi_rng_range(&r, 1.2, 2.4); /* mean |jitter| of 2-4 px */
    double ccx = m->cx + p.contact_dx, ccy = m->cy + p.contact_dy;
    size_t n = 0;
    for (size_t i = 0; i < fm->n && n < cap; i++) {
        double ex = (fm->x[i] - ccx) / p.contact_ax, ey = (fm->y[i] - ccy) / p.contact_ay;
        if (ex * ex + ey * ey > 0.85) continue;
        double px, py, qx, qy;
        fpi_synth_master_to_image(&g, fm->x[i], fm->y[i], &px, &py);
        if (px < 8 || py < 8 || px >= FAST_W - 8 || py >= FAST_H - 8) continue;
        if (fpi_rng_uniform(&r) < drop) continue;
        fpi_synth_master_to_image(&g, fm->x[i] + 4 * fm->dx[i], fm->y[i] + 4 * fm->dy[i], &qx, &qy);
        uint8_t angle = fpi_synth_angle_byte(qx - px, qy - py);
        px = clampd(px + sigma * fpi_rng_normal(&r), 0, FAST_W - 1);
        py = clampd(py + sigma * fpi_rng_normal(&r), 0, FAST_H - 1);
        fp_minutia *o = &out[n++];
        o->x = (uint16_t)floor(px + 0.5);
        o->y = (uint16_t)floor(py + 0.5);
        o->angle = (uint8_t)(angle + (int)floor(3.5 * fpi_rng_normal(&r) + 0.5));
        o->type = fm->type[i];
        o->quality = (uint8_t)(60 + fpi_rng_next(&r) % 41u);
        o->reserved = 0;
    }
    /* Spurious minutiae: anywhere on the contact, along the local flow. */
    size_t genuine = n, want = (size_t)floor(genuine * spur + fpi_rng_uniform(&r));
    for (int tries = 0; n < cap && n - genuine < want && tries < 200; tries++) {
        double px = fpi_rng_range(&r, 8, FAST_W - 8), py = fpi_rng_range(&r, 8, FAST_H - 8);
        double mx, my;
        fpi_synth_image_to_master(&g, px, py, &mx, &my);
        double ex = (mx - ccx) / p.contact_ax, ey = (my - ccy) / p.contact_ay;
        if (ex * ex + ey * ey > 0.85 || fpi_synth_model_shape(m, mx, my) > 0.93) continue;
        double th = fpi_synth_model_orientation(m, mx, my) - p.rotation_deg * (FPI_PI / 180.0);
        double sense = (fpi_rng_next(&r) & 1) ? 1.0 : -1.0;
        fp_minutia *o = &out[n++];
        o->x = (uint16_t)px;
        o->y = (uint16_t)py;
        o->angle = fpi_synth_angle_byte(sense * fpi_cos(th), sense * fpi_sin(th));
        o->type = (fpi_rng_next(&r) & 1) ? FP_MINUTIA_ENDING : FP_MINUTIA_BIFURCATION;
        o->quality = (uint8_t)(20 + fpi_rng_next(&r) % 41u);
        o->reserved = 0;
    }
    return n;
}

fp_status fp_synth_fast_minutiae(uint64_t seed, uint32_t finger, uint32_t impression, fp_minutia *out, size_t cap,
                                 size_t *count)
{
    if (!out || !count) return FP_ERR_INVALID_ARGUMENT;
    fast_master fm;
    fast_master_init(&fm, seed, finger);
    *count = fast_impression(&fm, seed, finger, impression, out, cap);
    return FP_OK;
}

fp_status fp_synth_fast_template(uint64_t seed, uint32_t finger, uint32_t impression, fp_template **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    fp_minutia buf[FAST_MAX_MASTER * 2];
    size_t n;
    fp_status st = fp_synth_fast_minutiae(seed, finger, impression, buf, FAST_MAX_MASTER * 2, &n);
    if (st != FP_OK) return st;
    return fp_template_create(FAST_W, FAST_H, 500, buf, n, 100, out);
}

fp_status fp_synth_fast_batch(uint64_t seed, uint32_t first_finger, uint32_t fingers, uint32_t impressions,
                              fp_template **out)
{
    if (!out || (uint64_t)first_finger + fingers > 0x100000000ull) return FP_ERR_INVALID_ARGUMENT;
    size_t total = (size_t)fingers * impressions, made = 0;
    memset(out, 0, total * sizeof(*out));
    fp_status st = FP_OK;
    fast_master *fm = malloc(sizeof(*fm));
    if (!fm) return FP_ERR_NO_MEMORY;
    fp_minutia buf[FAST_MAX_MASTER * 2];
    for (uint32_t f = 0; f < fingers && st == FP_OK; f++) {
        fast_master_init(fm, seed, first_finger + f);
        for (uint32_t k = 0; k < impressions && st == FP_OK; k++) {
            size_t n = fast_impression(fm, seed, first_finger + f, k, buf, FAST_MAX_MASTER * 2);
            st = fp_template_create(FAST_W, FAST_H, 500, buf, n, 100, &out[made]);
            if (st == FP_OK) made++;
        }
    }
    free(fm);
    if (st != FP_OK) {
        for (size_t i = 0; i < made; i++) fp_template_destroy(out[i]);
        memset(out, 0, total * sizeof(*out));
    }
    return st;
}
