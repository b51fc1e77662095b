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

enum { TAG_IMPRESSION = 20 };

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
    }
    return "unknown";
}

fp_status fp_synth_profile_parse(const char *name, fp_synth_profile *out)
{
    if (!name || !out) return FP_ERR_INVALID_ARGUMENT;
    for (int p = 0; p <= FP_SYNTH_CAPACITIVE; p++)
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
    }
    if (width) *width = w;
    if (height) *height = h;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

fp_status fp_synth_impression_params_draw(uint64_t seed, uint32_t finger, uint32_t impression,
                                          fp_synth_profile profile, int pressure_mix,
                                          fp_synth_impression_params *out)
{
    if (!out || profile > FP_SYNTH_CAPACITIVE) return FP_ERR_INVALID_ARGUMENT;
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
}

/*
 * Image point -> master point. The plastic distortion model: skin inside the
 * inner region (relative radius r0 around the contact centre) sticks to the
 * sensor; further out it is progressively displaced by a small rotation and
 * shift; the transition is a smooth polynomial ramp.
 */
void fpi_synth_image_to_master(const fpi_synth_geom *g, double px, double py, double *mx, double *my)
{
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
    for (int i = 0; i < 30; i++) {
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

/* ---- noise ---- */

static uint64_t hash3(uint64_t seed, int64_t x, int64_t y)
{
    return fpi_synth_mix64(seed ^ fpi_synth_mix64((uint64_t)x * 0x9E3779B97F4A7C15ull ^ (uint64_t)y * 0xC2B2AE3D27D4EB4Full));
}

static double hash01(uint64_t seed, int64_t x, int64_t y)
{
    return (double)(hash3(seed, x, y) >> 11) * (1.0 / 9007199254740992.0);
}

/* Value noise in [0, 1) on a lattice of `cell` pixels, smoothly interpolated. */
static double vnoise(uint64_t seed, double x, double y, double cell)
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
    double *plane = NULL;
    if (!imp) return FP_ERR_NO_MEMORY;
    imp->params = *p;
    uint32_t W = p->width, H = p->height;
    imp->pixels = malloc((size_t)W * H);
    plane = malloc(sizeof(double) * W * H);
    if (!imp->pixels || !plane) {
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

    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            double mx, my;
            fpi_synth_image_to_master(&g, x + 0.5, y + 0.5, &mx, &my);
            /* Background: sensor glass / plate with a slow gradient. */
            double bg = bg0 - 8 * vnoise(ns ^ 1, x, y, 150) - (capacitive ? 6 * vnoise(ns ^ 2, x, y, 12) : 0);
            double ink = 0;
            double ex = (mx - ccx) / p->contact_ax, ey = (my - ccy) / p->contact_ay;
            /* A ragged contact border: the ellipse is perturbed by noise. */
            double e = ex * ex + ey * ey + 0.25 * (vnoise(ns ^ 3, mx, my, 28) - 0.5);
            double shape = fpi_synth_model_shape(m, mx, my);
            if (e < 1.0 && shape < 1.0) {
                double v = sample_field(field, mw, mh, mx, my) / ONE;
                double lo = vnoise(ns ^ 4, mx, my, 18), hi = vnoise(ns ^ 5, mx, my, 3.2);
                /* Skin touches the sensor less towards the contact border. */
                double rim = 1.0 - clampd((1.0 - e) / 0.35, 0.0, 1.0);
                /* Dry skin: raised threshold (thin ridges) that noise pushes
                 * above the ridge crests in places (breaks); wet skin: lowered
                 * threshold, valleys fill up. */
                double tau = 0.55 * dry - 0.75 * wet + 0.9 * rim * rim + (0.3 + 0.5 * dry) * (lo - 0.5) +
                             (0.45 + 0.3 * dry) * (hi - 0.5);
                double t = clampd((v - tau) / 0.3 + 0.5, 0.0, 1.0);
                ink = t * t * (3 - 2 * t);
                /* Pores and skin texture: small light spots on the ridges. */
                double pore = vnoise(ns ^ 6, mx, my, 2.2);
                if (pore > 0.8) ink *= 1.0 - 2.5 * (pore - 0.8);
                double edge = clampd((1.0 - e) / 0.08, 0.0, 1.0) * clampd((1.0 - shape) / 0.05, 0.0, 1.0);
                double press = 0.8 + 0.2 * vnoise(ns ^ 7, mx, my, 60);
                ink *= p->contrast * edge * press;
            }
            double val = bg - ink * (bg - ink0);
            uint64_t hbits = hash3(ns ^ 8, x, y);
            double u = ((double)(hbits & 0xFFFF) + (double)((hbits >> 16) & 0xFFFF) + (double)((hbits >> 32) & 0xFFFF) +
                        (double)((hbits >> 48) & 0xFFFF)) / 65536.0;
            val += (u - 2.0) * 1.7320508075688772 * p->noise;
            plane[(size_t)y * W + x] = val;
        }
    /* Optics / sensor blur: blend with a 3x3 binomial smoothing. */
    double b = clampd(p->blur, 0.0, 1.0);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            double acc = 0;
            static const double wk[3] = {1, 2, 1};
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = (int)y + dy, xx = (int)x + dx;
                    yy = yy < 0 ? 0 : yy >= (int)H ? (int)H - 1 : yy;
                    xx = xx < 0 ? 0 : xx >= (int)W ? (int)W - 1 : xx;
                    acc += wk[dy + 1] * wk[dx + 1] * plane[(size_t)yy * W + xx];
                }
            double v = (1 - b) * plane[(size_t)y * W + x] + b * acc / 16.0;
            v = floor(v + 0.5);
            imp->pixels[(size_t)y * W + x] = (uint8_t)clampd(v, 0, 255);
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

