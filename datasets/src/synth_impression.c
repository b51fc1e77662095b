/*
 * Impressions: one capture of a master on a simulated sensor.
 *
 * The renderer works backwards: for every sensor pixel it finds the master
 * point that lands there (undo the plastic distortion, then the rigid
 * placement) and draws the skin found at that point. Ground-truth minutiae
 * go forwards through the same map, solved numerically, so image and ground
 * truth cannot disagree.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"

enum { TAG_IMPRESSION = 20, TAG_CREASES = 21, TAG_HARD = 22 };

#define ONE 4096.0

struct fp_synth_impression {
    fp_synth_impression_params params;
    uint8_t *pixels;
    fp_minutia *minutiae;
    size_t count;
};

const char *fp_synth_profile_name(fp_synth_profile profile)
{
    switch (profile) {
    case FP_SYNTH_OPTICAL: return "optical";
    case FP_SYNTH_OPTICAL_LARGE: return "optical-large";
    case FP_SYNTH_CAPACITIVE: return "capacitive";
    case FP_SYNTH_OPTICAL_SMALL: return "optical-small";
    }
    return "unknown";
}

fp_status fp_synth_profile_parse(const char *name, fp_synth_profile *out)
{
    if (!name || !out) return FP_ERR_INVALID_ARGUMENT;
    for (int p = 0; p < FP_SYNTH_PROFILE_COUNT; p++)
        if (strcmp(name, fp_synth_profile_name((fp_synth_profile)p)) == 0) {
            *out = (fp_synth_profile)p;
            return FP_OK;
        }
    return FP_ERR_INVALID_ARGUMENT;
}

void fp_synth_profile_size(fp_synth_profile profile, uint32_t *width, uint32_t *height)
{
    uint32_t w = 388, h = 374;
    if (profile == FP_SYNTH_OPTICAL_LARGE) {
        w = 640;
        h = 480;
    } else if (profile == FP_SYNTH_CAPACITIVE) {
        w = 256;
        h = 364;
    } else if (profile == FP_SYNTH_OPTICAL_SMALL) {
        w = 328;
        h = 364;
    }
    if (width) *width = w;
    if (height) *height = h;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

fp_status fp_synth_impression_params_draw(uint64_t seed, uint32_t finger, uint32_t impression,
                                          fp_synth_profile profile, int pressure_mix,
                                          fp_synth_impression_params *out)
{
    if (!out || (unsigned)profile >= FP_SYNTH_PROFILE_COUNT) return FP_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    fpi_synth_model m;
    fpi_synth_model_init(&m, seed, finger);
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_IMPRESSION + ((uint64_t)impression << 8));
    out->profile = profile;
    fp_synth_profile_size(profile, &out->width, &out->height);
    out->dpi = 500;
    out->noise_seed = fpi_rng_next(&r);
    out->rotation_deg = (fpi_rng_uniform(&r) + fpi_rng_uniform(&r) - 1.0) * 20.0;
    double small = profile == FP_SYNTH_CAPACITIVE ? 0.5 : 1.0;
    out->dx = clampd(fpi_rng_normal(&r) * 0.07 * out->width * small, -60, 60);
    out->dy = clampd(fpi_rng_normal(&r) * 0.07 * out->height * small, -60, 60);
    out->distortion_dx = clampd(4.0 * fpi_rng_normal(&r), -9, 9);
    out->distortion_dy = clampd(4.0 * fpi_rng_normal(&r), -9, 9);
    out->distortion_rot_deg = clampd(2.5 * fpi_rng_normal(&r), -6, 6);
    out->distortion_r0 = fpi_rng_range(&r, 0.3, 0.55);
    out->pressure = pressure_mix ? fpi_rng_range(&r, -1.0, 1.0) : clampd(0.15 * fpi_rng_normal(&r), -0.4, 0.4);
    double grow = 1.0 + 0.12 * out->pressure;
    out->contact_dx = 14 * fpi_rng_normal(&r);
    out->contact_dy = 12 + 18 * fpi_rng_normal(&r);
    out->contact_ax = m.ax * fpi_rng_range(&r, 0.75, 0.95) * grow;
    out->contact_ay = 0.5 * (m.at + m.ab) * fpi_rng_range(&r, 0.72, 0.92) * grow;
    out->contrast = fpi_rng_range(&r, 0.8, 1.0);
    out->noise = profile == FP_SYNTH_CAPACITIVE ? fpi_rng_range(&r, 3.0, 7.0) : fpi_rng_range(&r, 1.0, 4.0);
    out->blur = fpi_rng_range(&r, 0.2, 0.7);
    return FP_OK;
}

const char *fp_synth_difficulty_name(fp_synth_difficulty difficulty)
{
    switch (difficulty) {
    case FP_SYNTH_STANDARD: return "standard";
    case FP_SYNTH_HARD_DISTORTION: return "hard-distortion";
    case FP_SYNTH_HARD_DRYWET: return "hard-drywet";
    }
    return "unknown";
}

fp_status fp_synth_difficulty_parse(const char *name, fp_synth_difficulty *out)
{
    if (!name || !out) return FP_ERR_INVALID_ARGUMENT;
    for (int d = 0; d < FP_SYNTH_DIFFICULTY_COUNT; d++)
        if (strcmp(name, fp_synth_difficulty_name((fp_synth_difficulty)d)) == 0) {
            *out = (fp_synth_difficulty)d;
            return FP_OK;
        }
    return FP_ERR_INVALID_ARGUMENT;
}

/* Ranges of a hard preset (docs/synthetic.md, "Hard presets"). */
typedef struct hard_ranges {
    double rot_deg;                /* triangular, +- */
    double place_sd, place_max;    /* contact centre placement: sd as a share of the image size, px bound */
    double dist_sd, dist_max;      /* plastic shift, px */
    double drot_sd, drot_max;      /* plastic rotation, degrees */
    double r0_lo, r0_hi;           /* rigid inner region */
    double warp_lo, warp_hi, cell_lo, cell_hi;
    double ax_lo, ax_hi, ay_lo, ay_hi, off_sd; /* contact ellipse: share of the finger, offset sd px */
    double pr_lo, pr_hi, pr_normal; /* |pressure| range, share of normal (|p| < 0.3) skin */
    double patch_lo, patch_hi, smudge_lo, smudge_hi, crease_lo, crease_hi;
    double contrast_lo, noise_lo, noise_hi, blur_lo, blur_hi;
    double rough_lo;               /* roughness lo .. 1 */
} hard_ranges;

static const hard_ranges k_hard_distortion = {
    .rot_deg = 30.0, .place_sd = 0.07, .place_max = 80.0,
    .dist_sd = 9.0, .dist_max = 24.0, .drot_sd = 5.0, .drot_max = 14.0, .r0_lo = 0.05, .r0_hi = 0.30,
    .warp_lo = 2.0, .warp_hi = 7.0, .cell_lo = 80.0, .cell_hi = 160.0,
    .ax_lo = 0.65, .ax_hi = 0.95, .ay_lo = 0.62, .ay_hi = 0.92, .off_sd = 20.0,
    .pr_lo = 0.3, .pr_hi = 0.8, .pr_normal = 0.6,
    .patch_lo = 0.2, .patch_hi = 0.6, .smudge_lo = 0.1, .smudge_hi = 0.5, .crease_lo = 0.3, .crease_hi = 0.9,
    .contrast_lo = 0.6, .noise_lo = 3.0, .noise_hi = 10.0, .blur_lo = 0.2, .blur_hi = 1.2, .rough_lo = 0.2};

static const hard_ranges k_hard_drywet = {
    .rot_deg = 20.0, .place_sd = 0.10, .place_max = 70.0,
    .dist_sd = 5.0, .dist_max = 12.0, .drot_sd = 3.0, .drot_max = 8.0, .r0_lo = 0.20, .r0_hi = 0.50,
    .warp_lo = 1.0, .warp_hi = 4.0, .cell_lo = 80.0, .cell_hi = 160.0,
    .ax_lo = 0.68, .ax_hi = 0.92, .ay_lo = 0.66, .ay_hi = 0.90, .off_sd = 22.0,
    .pr_lo = 0.35, .pr_hi = 1.0, .pr_normal = 0.15,
    .patch_lo = 0.4, .patch_hi = 1.0, .smudge_lo = 0.2, .smudge_hi = 0.8, .crease_lo = 0.3, .crease_hi = 1.0,
    .contrast_lo = 0.5, .noise_lo = 4.0, .noise_hi = 14.0, .blur_lo = 0.2, .blur_hi = 1.2, .rough_lo = 0.3};

fp_status fp_synth_impression_params_draw_difficulty(uint64_t seed, uint32_t finger, uint32_t impression,
                                                     fp_synth_profile profile, int pressure_mix,
                                                     fp_synth_difficulty difficulty,
                                                     fp_synth_impression_params *out)
{
    if (!out || (unsigned)profile >= FP_SYNTH_PROFILE_COUNT || (unsigned)difficulty >= FP_SYNTH_DIFFICULTY_COUNT)
        return FP_ERR_INVALID_ARGUMENT;
    if (difficulty == FP_SYNTH_STANDARD)
        return fp_synth_impression_params_draw(seed, finger, impression, profile, pressure_mix, out);
    const hard_ranges *h = difficulty == FP_SYNTH_HARD_DISTORTION ? &k_hard_distortion : &k_hard_drywet;
    memset(out, 0, sizeof(*out));
    fpi_synth_model m;
    fpi_synth_model_init(&m, seed, finger);
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_HARD + ((uint64_t)difficulty << 4) + ((uint64_t)impression << 8));
    out->profile = profile;
    fp_synth_profile_size(profile, &out->width, &out->height);
    out->dpi = 500;
    out->noise_seed = fpi_rng_next(&r);
    out->rotation_deg = (fpi_rng_uniform(&r) + fpi_rng_uniform(&r) - 1.0) * h->rot_deg;
    out->dx = clampd(fpi_rng_normal(&r) * h->place_sd * out->width, -h->place_max, h->place_max);
    out->dy = clampd(fpi_rng_normal(&r) * h->place_sd * out->height, -h->place_max, h->place_max);
    out->distortion_dx = clampd(h->dist_sd * fpi_rng_normal(&r), -h->dist_max, h->dist_max);
    out->distortion_dy = clampd(h->dist_sd * fpi_rng_normal(&r), -h->dist_max, h->dist_max);
    out->distortion_rot_deg = clampd(h->drot_sd * fpi_rng_normal(&r), -h->drot_max, h->drot_max);
    out->distortion_r0 = fpi_rng_range(&r, h->r0_lo, h->r0_hi);
    out->warp_amp = fpi_rng_range(&r, h->warp_lo, h->warp_hi);
    out->warp_cell = fpi_rng_range(&r, h->cell_lo, h->cell_hi);
    /* Pressure: some normal skin, the rest dry or wet with equal odds. */
    double mag = fpi_rng_uniform(&r) < h->pr_normal ? fpi_rng_range(&r, 0.0, 0.3) : fpi_rng_range(&r, h->pr_lo, h->pr_hi);
    out->pressure = (fpi_rng_next(&r) & 1) ? mag : -mag;
    double grow = 1.0 + 0.12 * out->pressure;
    out->contact_dx = h->off_sd * fpi_rng_normal(&r);
    out->contact_dy = 12 + 1.25 * h->off_sd * fpi_rng_normal(&r);
    out->contact_ax = m.ax * fpi_rng_range(&r, h->ax_lo, h->ax_hi) * grow;
    out->contact_ay = 0.5 * (m.at + m.ab) * fpi_rng_range(&r, h->ay_lo, h->ay_hi) * grow;
    out->contrast = fpi_rng_range(&r, h->contrast_lo, 1.0);
    out->noise = fpi_rng_range(&r, h->noise_lo, h->noise_hi) + (profile == FP_SYNTH_CAPACITIVE ? 2.0 : 0.0);
    out->blur = fpi_rng_range(&r, h->blur_lo, h->blur_hi);
    out->patchiness = fpi_rng_range(&r, h->patch_lo, h->patch_hi);
    out->smudge = fpi_rng_range(&r, h->smudge_lo, h->smudge_hi);
    out->creases = fpi_rng_range(&r, h->crease_lo, h->crease_hi);
    out->roughness = fpi_rng_range(&r, h->rough_lo, 1.0);
    return FP_OK;
}

/* ---- noise ---- */

uint64_t fpi_synth_hash3(uint64_t seed, int64_t x, int64_t y)
{
    return fpi_synth_mix64(seed ^ fpi_synth_mix64((uint64_t)x * 0x9E3779B97F4A7C15ull ^ (uint64_t)y * 0xC2B2AE3D27D4EB4Full));
}

static double hash01(uint64_t seed, int64_t x, int64_t y)
{
    return (double)(fpi_synth_hash3(seed, x, y) >> 11) * (1.0 / 9007199254740992.0);
}

double fpi_synth_vnoise(uint64_t seed, double x, double y, double cell)
{
    double fx = x / cell, fy = y / cell;
    double x0 = floor(fx), y0 = floor(fy);
    double tx = fx - x0, ty = fy - y0;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    int64_t ix = (int64_t)x0, iy = (int64_t)y0;
    double a = hash01(seed, ix, iy), b = hash01(seed, ix + 1, iy);
    double c = hash01(seed, ix, iy + 1), d = hash01(seed, ix + 1, iy + 1);
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

/* ---- geometry ---- */


void fpi_synth_geom_init(fpi_synth_geom *g, const fpi_synth_model *m, const fp_synth_impression_params *p)
{
    double a = p->rotation_deg * (FPI_PI / 180.0);
    g->cx = m->cx;
    g->cy = m->cy;
    g->c = fpi_cos(a);
    g->s = fpi_sin(a);
    /* The contact centre lands at the image centre plus (dx, dy); the
     * rotation is counter-clockwise as seen on the image (y down). */
    double mx = p->contact_dx, my = p->contact_dy;
    g->pcx = p->width / 2.0 + p->dx;
    g->pcy = p->height / 2.0 + p->dy;
    g->ix = g->pcx - (g->c * mx + g->s * my);
    g->iy = g->pcy - (-g->s * mx + g->c * my);
    g->rc = sqrt(p->contact_ax * p->contact_ay);
    g->r0 = p->distortion_r0;
    double b = p->distortion_rot_deg * (FPI_PI / 180.0);
    g->dc = fpi_cos(b);
    g->ds = fpi_sin(b);
    g->tx = p->distortion_dx;
    g->ty = p->distortion_dy;
    g->warp_amp = p->warp_amp;
    g->warp_cell = p->warp_cell;
    g->warp_seed = p->noise_seed ^ 0x5A17C0DEull;
}

/*
 * Image point -> master point. The plastic distortion model: skin inside the
 * inner region (relative radius r0 around the contact centre) sticks to the
 * sensor; further out it is progressively displaced by a small rotation and
 * shift; the transition is a smooth polynomial ramp.
 */
void fpi_synth_image_to_master(const fpi_synth_geom *g, double px, double py, double *mx, double *my)
{
    if (g->warp_amp > 0) {
        /* Local distortion: a smooth random displacement on top of the
         * plastic model, so the skin does not move as one piece around a
         * single centre. Its slope stays below about 3 amp / cell. */
        double wx = 2.0 * fpi_synth_vnoise(g->warp_seed, px, py, g->warp_cell) - 1.0;
        double wy = 2.0 * fpi_synth_vnoise(g->warp_seed ^ 1, px, py, g->warp_cell) - 1.0;
        px -= g->warp_amp * wx;
        py -= g->warp_amp * wy;
    }
    double ux = px - g->pcx, uy = py - g->pcy;
    double rr = sqrt(ux * ux + uy * uy) / g->rc;
    double t = clampd((rr - g->r0) / 0.6, 0.0, 1.0);
    double k = t * t * (3 - 2 * t);
    double rx = g->dc * ux + g->ds * uy + g->tx - ux;
    double ry = -g->ds * ux + g->dc * uy + g->ty - uy;
    double qx = px - k * rx, qy = py - k * ry;
    double dx = qx - g->ix, dy = qy - g->iy;
    *mx = g->cx + g->c * dx - g->s * dy;
    *my = g->cy + g->s * dx + g->c * dy;
}

void fpi_synth_master_to_image(const fpi_synth_geom *g, double mx, double my, double *px, double *py)
{
    double dx = mx - g->cx, dy = my - g->cy;
    double x = g->ix + g->c * dx + g->s * dy, y = g->iy - g->s * dx + g->c * dy;
    /* Fixed-point refinement: the distortion is a small perturbation of the
     * rigid map, so correcting by the rigid image of the residual converges. */
    for (int i = 0; i < 100; i++) {
        double ex, ey;
        fpi_synth_image_to_master(g, x, y, &ex, &ey);
        double rx = mx - ex, ry = my - ey;
        x += g->c * rx + g->s * ry;
        y += -g->s * rx + g->c * ry;
        if (rx * rx + ry * ry < 1e-8) break;
    }
    *px = x;
    *py = y;
}

static fp_status check_params(const fp_synth_impression_params *p)
{
    if (!p || p->width < 32 || p->height < 32 || p->width > 2048 || p->height > 2048 || p->dpi != 500)
        return FP_ERR_INVALID_ARGUMENT;
    if (!(p->contact_ax > 1.0) || !(p->contact_ay > 1.0) || !(p->distortion_r0 >= 0.0)) return FP_ERR_INVALID_ARGUMENT;
    if (!(p->blur >= 0.0 && p->blur <= 4.0) || !(p->warp_amp >= 0.0 && p->warp_amp <= 16.0) ||
        (p->warp_amp > 0 && !(p->warp_cell >= 8.0)) || !(p->patchiness >= 0.0 && p->patchiness <= 1.0) ||
        !(p->smudge >= 0.0 && p->smudge <= 1.0) || !(p->creases >= 0.0 && p->creases <= 1.0) ||
        !(p->roughness >= 0.0 && p->roughness <= 1.0))
        return FP_ERR_INVALID_ARGUMENT;
    return FP_OK;
}

fp_status fp_synth_map_point(const fp_synth_master *master, const fp_synth_impression_params *params, double mx,
                             double my, double *ix, double *iy)
{
    if (!master || !ix || !iy) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = check_params(params);
    if (st != FP_OK) return st;
    fpi_synth_geom g;
    fpi_synth_geom_init(&g, fpi_synth_master_model(master), params);
    fpi_synth_master_to_image(&g, mx, my, ix, iy);
    return FP_OK;
}

static double sample_field(const int16_t *f, uint32_t w, uint32_t h, double x, double y)
{
    if (x < 0 || y < 0 || x >= w - 1 || y >= h - 1) return -ONE;
    int ix = (int)x, iy = (int)y;
    double tx = x - ix, ty = y - iy;
    const int16_t *p = f + (size_t)iy * w + ix;
    double a = p[0], b = p[1], c = p[w], d = p[w + 1];
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

/* ---- rendering ---- */

/* 3x3 binomial smoothing of a plane, edges clamped; src and dst differ. */
static void smooth3(const double *src, double *dst, uint32_t W, uint32_t H)
{
    static const double wk[3] = {1, 2, 1};
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            double acc = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = (int)y + dy, xx = (int)x + dx;
                    yy = yy < 0 ? 0 : yy >= (int)H ? (int)H - 1 : yy;
                    xx = xx < 0 ? 0 : xx >= (int)W ? (int)W - 1 : xx;
                    acc += wk[dy + 1] * wk[dx + 1] * src[(size_t)yy * W + xx];
                }
            dst[(size_t)y * W + x] = acc / 16.0;
        }
}

/*
 * Creases and scars belong to the finger, so every impression shows the same
 * ones (in master coordinates): thin white lines crossing the ridges in any
 * direction, often a flexion crease low on the finger, sometimes a wider
 * scar. Each is a gently bent polyline of CREASE_STEPS segments.
 */
#define CREASE_STEPS 4
#define MAX_CREASE_LINES 10
#define MAX_CREASE_SEGS (MAX_CREASE_LINES * CREASE_STEPS)

typedef struct crease_seg {
    double x0, y0, x1, y1;
    double w, depth;              /* half width px, 0..1 */
    double lx, ly, hx, hy;        /* bounding box grown by w */
} crease_seg;

static int add_crease(crease_seg *out, int n, double cx, double cy, double ang, double len, double bend, double w,
                      double depth)
{
    double ux = fpi_cos(ang), uy = fpi_sin(ang), nx = -uy, ny = ux;
    double px = 0, py = 0;
    for (int i = 0; i <= CREASE_STEPS; i++) {
        double t = (double)i / CREASE_STEPS, s = (t - 0.5) * len, b = bend * len * (1.0 - (2 * t - 1) * (2 * t - 1));
        double qx = cx + s * ux + b * nx, qy = cy + s * uy + b * ny;
        if (i > 0) {
            crease_seg *c = &out[n++];
            c->x0 = px;
            c->y0 = py;
            c->x1 = qx;
            c->y1 = qy;
            c->w = w;
            c->depth = depth;
            c->lx = (px < qx ? px : qx) - w;
            c->hx = (px > qx ? px : qx) + w;
            c->ly = (py < qy ? py : qy) - w;
            c->hy = (py > qy ? py : qy) + w;
        }
        px = qx;
        py = qy;
    }
    return n;
}

static int draw_creases(uint64_t seed, uint32_t finger, const fpi_synth_model *m, crease_seg *out)
{
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_CREASES);
    int n = 0, lines = 2 + (int)(fpi_rng_next(&r) % 6u);
    for (int i = 0; i < lines; i++) {
        double x, y;
        int tries = 0;
        do {
            x = fpi_rng_range(&r, m->cx - m->ax, m->cx + m->ax);
            y = fpi_rng_range(&r, m->cy - m->at, m->cy + m->ab);
        } while (fpi_synth_model_shape(m, x, y) > 0.8 && ++tries < 50);
        double ang = fpi_rng_range(&r, 0, FPI_PI), len = fpi_rng_range(&r, 25, 110);
        double bend = 0.15 * fpi_rng_normal(&r), w = fpi_rng_range(&r, 1.2, 2.6), depth = fpi_rng_range(&r, 0.7, 1.0);
        n = add_crease(out, n, x, y, ang, len, bend, w, depth);
    }
    /* The first flexion crease runs across the bottom of the fingertip. */
    double ang = 0.15 * fpi_rng_normal(&r), y = m->cy + m->ab * fpi_rng_range(&r, 0.72, 0.92);
    double w = fpi_rng_range(&r, 2.5, 5.0);
    if (fpi_rng_uniform(&r) < 0.6) n = add_crease(out, n, m->cx, y, ang, 2.2 * m->ax, 0.03 * fpi_rng_normal(&r), w, 1.0);
    /* Now and then a scar: wider, longer, more bent. */
    double sx = fpi_rng_range(&r, m->cx - 0.6 * m->ax, m->cx + 0.6 * m->ax);
    double sy = fpi_rng_range(&r, m->cy - 0.6 * m->at, m->cy + 0.6 * m->ab);
    double sa = fpi_rng_range(&r, 0, FPI_PI), sl = fpi_rng_range(&r, 60, 180), sb = 0.3 * fpi_rng_normal(&r);
    double sw = fpi_rng_range(&r, 3.0, 7.0);
    if (fpi_rng_uniform(&r) < 0.25) n = add_crease(out, n, sx, sy, sa, sl, sb, sw, 1.0);
    return n;
}

/* How much the creases lighten the skin at (x, y): 0 none .. 1 white. */
static double crease_depth(const crease_seg *c, int n, double x, double y)
{
    double keep = 1.0;
    for (int i = 0; i < n; i++) {
        if (x < c[i].lx || x > c[i].hx || y < c[i].ly || y > c[i].hy) continue;
        double vx = c[i].x1 - c[i].x0, vy = c[i].y1 - c[i].y0, wx = x - c[i].x0, wy = y - c[i].y0;
        double t = clampd((vx * wx + vy * wy) / (vx * vx + vy * vy + 1e-12), 0.0, 1.0);
        double dx = wx - t * vx, dy = wy - t * vy, d2 = (dx * dx + dy * dy) / (c[i].w * c[i].w);
        if (d2 >= 1.0) continue;
        double f = 1.0 - d2;
        keep *= 1.0 - c[i].depth * f * f;
    }
    return 1.0 - keep;
}

fp_status fp_synth_impression_render(const fp_synth_master *master, const fp_synth_impression_params *params,
                                     fp_synth_impression **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!master) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = check_params(params);
    if (st != FP_OK) return st;
    const fp_synth_impression_params *p = params;
    fp_synth_impression *imp = calloc(1, sizeof(*imp));
    double *plane = NULL, *tmp = NULL;
    if (!imp) return FP_ERR_NO_MEMORY;
    imp->params = *p;
    uint32_t W = p->width, H = p->height;
    imp->pixels = malloc((size_t)W * H);
    plane = malloc(sizeof(double) * W * H);
    tmp = malloc(sizeof(double) * W * H);
    if (!imp->pixels || !plane || !tmp) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    const fpi_synth_model *m = fpi_synth_master_model(master);
    const int16_t *field = fpi_synth_master_field(master);
    uint32_t mw = fp_synth_master_width(master), mh = fp_synth_master_height(master);
    fpi_synth_geom g;
    fpi_synth_geom_init(&g, m, p);
    uint64_t ns = p->noise_seed;
    int capacitive = p->profile == FP_SYNTH_CAPACITIVE;
    double bg0 = capacitive ? 236 : 252, ink0 = capacitive ? 100 : 12;
    double dry = p->pressure < 0 ? -p->pressure : 0, wet = p->pressure > 0 ? p->pressure : 0;
    double ccx = m->cx + p->contact_dx, ccy = m->cy + p->contact_dy;

    crease_seg creases[MAX_CREASE_SEGS];
    int ncrease = p->creases > 0 ? draw_creases(fpi_synth_master_seed(master), fpi_synth_master_finger(master), m,
                                                creases)
                                 : 0;

    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            double mx, my;
            fpi_synth_image_to_master(&g, x + 0.5, y + 0.5, &mx, &my);
            /* Background: sensor glass / plate with a slow gradient. */
            double bg = bg0 - 8 * fpi_synth_vnoise(ns ^ 1, x, y, 150) - (capacitive ? 6 * fpi_synth_vnoise(ns ^ 2, x, y, 12) : 0);
            if (p->smudge > 0) {
                /* Latent residue and dirt on the platen: mottled dark smears. */
                double blob = p->smudge * fpi_smooth01((fpi_synth_vnoise(ns ^ 13, x, y, 40) - 0.6) / 0.25);
                if (blob > 0) bg -= blob * (15.0 + 30.0 * fpi_synth_vnoise(ns ^ 14, x, y, 5));
            }
            double ink = 0;
            double ex = (mx - ccx) / p->contact_ax, ey = (my - ccy) / p->contact_ay;
            /* A ragged contact border: the ellipse is perturbed by noise. */
            double e = ex * ex + ey * ey + 0.25 * (fpi_synth_vnoise(ns ^ 3, mx, my, 28) - 0.5);
            double shape = fpi_synth_model_shape(m, mx, my);
            if (e < 1.0 && shape < 1.0) {
                double v = sample_field(field, mw, mh, mx, my) / ONE;
                double lo = fpi_synth_vnoise(ns ^ 4, mx, my, 18), hi = fpi_synth_vnoise(ns ^ 5, mx, my, 3.2);
                /* Skin touches the sensor less towards the contact border. */
                double rim = 1.0 - clampd((1.0 - e) / 0.35, 0.0, 1.0);
                /* Dry skin: raised threshold (thin ridges) that noise pushes
                 * above the ridge crests in places (breaks); wet skin: lowered
                 * threshold, valleys fill up. */
                double tau = 0.55 * dry - 0.75 * wet + 0.9 * rim * rim + (0.3 + 0.5 * dry) * (lo - 0.5) +
                             (0.45 + 0.3 * dry) * (hi - 0.5);
                double patch = 0;
                if (p->patchiness > 0) {
                    /* In patches the skin condition shows fully: dry ridges
                     * break into segments and dots a few pixels long, wet
                     * valleys fill into blots. */
                    patch = p->patchiness * fpi_smooth01((fpi_synth_vnoise(ns ^ 9, mx, my, 45) - 0.3) / 0.4);
                    if (dry > 0) tau += patch * dry * (1.8 + 3.0 * (fpi_synth_vnoise(ns ^ 10, mx, my, 4.5) - 0.5));
                    if (wet > 0) tau -= patch * wet * (1.2 + 2.0 * (fpi_synth_vnoise(ns ^ 11, mx, my, 9) - 0.5));
                }
                /* Rough skin: ragged ridge edges at the scale of a pixel or two. */
                if (p->roughness > 0) tau += p->roughness * 0.9 * (fpi_synth_vnoise(ns ^ 16, mx, my, 1.6) - 0.5);
                double t = clampd((v - tau) / 0.3 + 0.5, 0.0, 1.0);
                ink = t * t * (3 - 2 * t);
                /* Pores and skin texture: small light spots on the ridges
                 * (more and more open ones on rough skin). */
                double pore = fpi_synth_vnoise(ns ^ 6, mx, my, 2.2);
                double pore_at = 0.8 - 0.12 * p->roughness;
                if (pore > pore_at) ink *= clampd(1.0 - (2.5 + 2.0 * p->roughness) * (pore - pore_at), 0.0, 1.0);
                double edge = clampd((1.0 - e) / 0.08, 0.0, 1.0) * clampd((1.0 - shape) / 0.05, 0.0, 1.0);
                double press = 0.8 + 0.2 * fpi_synth_vnoise(ns ^ 7, mx, my, 60);
                ink *= p->contrast * edge * press;
                if (patch > 0 && dry > 0) ink *= 1.0 - 0.45 * patch * dry; /* dry skin prints gray */
                if (p->smudge > 0) /* faint areas: less pressure, residue, uneven lighting */
                    ink *= 1.0 - 0.85 * p->smudge * fpi_smooth01((fpi_synth_vnoise(ns ^ 12, mx, my, 70) - 0.45) / 0.3);
                if (ncrease) ink *= 1.0 - p->creases * crease_depth(creases, ncrease, mx, my);
            }
            double val = bg - ink * (bg - ink0);
            uint64_t hbits = fpi_synth_hash3(ns ^ 8, x, y);
            double u = ((double)(hbits & 0xFFFF) + (double)((hbits >> 16) & 0xFFFF) + (double)((hbits >> 32) & 0xFFFF) +
                        (double)((hbits >> 48) & 0xFFFF)) / 65536.0;
            val += (u - 2.0) * 1.7320508075688772 * p->noise;
            plane[(size_t)y * W + x] = val;
        }
    /* Optics / sensor blur: whole 3x3 binomial passes, then a blend with
     * one more (the standard draw only blends). */
    double b = clampd(p->blur, 0.0, 4.0);
    int passes = (int)floor(b);
    b -= passes;
    for (int k = 0; k < passes; k++) {
        smooth3(plane, tmp, W, H);
        memcpy(plane, tmp, sizeof(double) * W * H);
    }
    smooth3(plane, tmp, W, H);
    for (size_t i = 0; i < (size_t)W * H; i++) {
        double v = (1 - b) * plane[i] + b * tmp[i];
        v = floor(v + 0.5);
        imp->pixels[i] = (uint8_t)clampd(v, 0, 255);
    }

    /* Ground truth through the same geometry. */
    size_t mc;
    const fp_minutia *mm = fp_synth_master_minutiae(master, &mc);
    imp->minutiae = calloc(mc ? mc : 1, sizeof(fp_minutia));
    if (!imp->minutiae) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < mc; i++) {
        double a = mm[i].angle * (2 * FPI_PI / 256.0);
        double ux = fpi_cos(a), uy = -fpi_sin(a); /* image axes */
        double ex = (mm[i].x - ccx) / p->contact_ax, ey = (mm[i].y - ccy) / p->contact_ay;
        if (ex * ex + ey * ey > 0.85) continue; /* outside the reliable contact */
        double px, py, qx, qy;
        fpi_synth_master_to_image(&g, mm[i].x, mm[i].y, &px, &py);
        fpi_synth_master_to_image(&g, mm[i].x + 4 * ux, mm[i].y + 4 * uy, &qx, &qy);
        if (px < 8 || py < 8 || px >= W - 8 || py >= H - 8) continue;
        fp_minutia *o = &imp->minutiae[imp->count++];
        o->x = (uint16_t)floor(px + 0.5);
        o->y = (uint16_t)floor(py + 0.5);
        o->angle = fpi_synth_angle_byte(qx - px, qy - py);
        o->type = mm[i].type;
        o->quality = 100;
    }
done:
    free(plane);
    free(tmp);
    if (st != FP_OK) {
        fp_synth_impression_destroy(imp);
        imp = NULL;
    }
    *out = imp;
    return st;
}

void fp_synth_impression_destroy(fp_synth_impression *imp)
{
    if (!imp) return;
    free(imp->pixels);
    free(imp->minutiae);
    free(imp);
}

const uint8_t *fp_synth_impression_pixels(const fp_synth_impression *imp, uint32_t *width, uint32_t *height)
{
    if (width) *width = imp ? imp->params.width : 0;
    if (height) *height = imp ? imp->params.height : 0;
    return imp ? imp->pixels : NULL;
}

const fp_minutia *fp_synth_impression_minutiae(const fp_synth_impression *imp, size_t *count)
{
    if (count) *count = imp ? imp->count : 0;
    return imp ? imp->minutiae : NULL;
}

const fp_synth_impression_params *fp_synth_impression_get_params(const fp_synth_impression *imp)
{
    return imp ? &imp->params : NULL;
}

fp_status fp_synth_impression_template(const fp_synth_impression *imp, fp_template **out)
{
    if (!imp || !out) return FP_ERR_INVALID_ARGUMENT;
    return fp_template_create(imp->params.width, imp->params.height, imp->params.dpi, imp->minutiae, imp->count, 100,
                              out);
}

