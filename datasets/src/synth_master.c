/*
 * Master fingerprints: ridges grown by iterative oriented filtering, then
 * thinned to find the ground-truth minutiae.
 *
 * Growth (after Cappelli-Maio-Maltoni's SFinGe): a blank image with a few
 * random seeds is filtered again and again with a Gabor-like filter tuned
 * to the local orientation and period, and the result is amplified and
 * saturated. Each pass extends the pattern by about a ridge around what
 * already exists; where fronts from different seeds meet out of phase the
 * filter resolves the mismatch with endings and bifurcations, which is how
 * minutiae arise. Everything is integer arithmetic, so the pattern is the
 * same on every machine and the inner product vectorises freely.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_internal.h"

enum { TAG_SEEDS = 10, TAG_DIPOLES = 11 };

#define KR 5               /* kernel radius */
#define KW 16              /* kernel row width in memory (11 used, zero padded) */
#define KH (2 * KR + 1)
#define N_ORI 48
#define N_PER 13           /* periods 6.5 .. 12.5 in steps of 0.5 */
#define PAD_L 8
#define PAD_R 24
#define PAD_T 8
#define PAD_B 8
#define ONE 4096           /* Q12 unit of the ridge field */
#define BLK 16
#define MAX_ITER 160
#define DIPOLES_MIN 8      /* unforced minutia pairs per master */
#define DIPOLES_SPREAD 14
/* Masters of the hard presets: about three times as many unforced pairs.
 * Their two minutiae face each other, so they pull the share of nearby
 * parallel minutiae pointing the same way towards the real 0.5-0.65, which
 * lowers chance matches between different fingers even though the count
 * rises (docs/realism.md, section 4). */
#define DIPOLES_MIN_HARD 45
#define DIPOLES_SPREAD_HARD 30

struct fp_synth_master {
    fpi_synth_model model;
    uint64_t seed;
    uint32_t finger;
    uint32_t w, h;
    int16_t *field;    /* w * h, Q12 smooth ridge signal, > 0 on ridges */
    uint8_t *ridges;   /* w * h display image */
    fp_minutia *minutiae;
    size_t count;
};

typedef struct grow_ctx {
    uint32_t w, h, stride;
    int16_t *bank;     /* N_ORI * N_PER kernels of KH x KW, Q14 */
    uint16_t *kidx;    /* w * h, kernel index or 0xFFFF outside the working area */
    int16_t *a, *b;    /* padded buffers */
} grow_ctx;

static void build_bank(int16_t *bank)
{
    for (int o = 0; o < N_ORI; o++) {
        double th = FPI_PI * o / N_ORI, c = fpi_cos(th), s = fpi_sin(th);
        for (int pi = 0; pi < N_PER; pi++) {
            double per = 6.5 + 0.5 * pi;
            double su = 0.38 * per, sv = 0.50 * per;
            if (su > 3.6) su = 3.6;
            if (sv > 4.6) sv = 4.6;
            double env[KH][KH], cs[KH][KH], se = 0, sec = 0;
            for (int y = -KR; y <= KR; y++)
                for (int x = -KR; x <= KR; x++) {
                    double u = -x * s + y * c; /* across the ridges */
                    double v = x * c + y * s;  /* along the ridges */
                    double e = (x * x + y * y > KR * KR + 2) ? 0.0
                                                             : fpi_exp(-0.5 * (u * u / (su * su) + v * v / (sv * sv)));
                    env[y + KR][x + KR] = e;
                    cs[y + KR][x + KR] = fpi_cos(2 * FPI_PI * u / per);
                    se += e;
                    sec += e * cs[y + KR][x + KR];
                }
            /* Zero mean, so flat areas stay flat and only ridges grow. */
            double dc = sec / se, gain = 0;
            double k[KH][KH];
            for (int y = 0; y < KH; y++)
                for (int x = 0; x < KH; x++) {
                    k[y][x] = env[y][x] * (cs[y][x] - dc);
                    gain += k[y][x] * cs[y][x];
                }
            int16_t *dst = bank + (size_t)(o * N_PER + pi) * KH * KW;
            for (int y = 0; y < KH; y++)
                for (int x = 0; x < KW; x++)
                    dst[y * KW + x] = x < KH ? (int16_t)floor(k[y][x] / gain * 16384.0 + 0.5) : 0;
        }
    }
}

static int16_t sat(int32_t v)
{
    return (int16_t)(v > ONE ? ONE : v < -ONE ? -ONE : v);
}

/* One filtering pass over the rows/blocks marked active; shift 13 doubles
 * the response (growth), shift 14 leaves it linear (final smoothing). */
static void filter_pass(const grow_ctx *g, const int16_t *src, int16_t *dst, const uint8_t *active, uint32_t bw,
                        int shift, int clamp)
{
    for (uint32_t y = 0; y < g->h; y++) {
        int16_t *drow = dst + (size_t)(y + PAD_T) * g->stride + PAD_L;
        for (uint32_t x = 0; x < g->w; x++) {
            uint16_t ki = g->kidx[(size_t)y * g->w + x];
            if (ki == 0xFFFF || (active && !active[(y / BLK) * bw + x / BLK])) {
                drow[x] = ki == 0xFFFF ? 0 : src[(size_t)(y + PAD_T) * g->stride + PAD_L + x];
                continue;
            }
            const int16_t *k = g->bank + (size_t)ki * KH * KW;
            const int16_t *p = src + (size_t)(y + PAD_T - KR) * g->stride + PAD_L + x - KR;
            int32_t acc = 0;
            for (int r = 0; r < KH; r++) {
                const int16_t *kr = k + r * KW, *pr = p + (size_t)r * g->stride;
                for (int c = 0; c < KW; c++) acc += (int32_t)kr[c] * pr[c];
            }
            int32_t v = acc >> shift;
            drow[x] = clamp ? sat(v) : (int16_t)(v > 32767 ? 32767 : v < -32767 ? -32767 : v);
        }
    }
}

static fp_status grow(const fpi_synth_model *m, uint64_t seed, uint32_t finger, int16_t *field)
{
    fp_status st = FP_OK;
    grow_ctx g = {0};
    uint8_t *active = NULL, *nonzero = NULL;
    g.w = FPI_SYNTH_MASTER_W;
    g.h = FPI_SYNTH_MASTER_H;
    g.stride = g.w + PAD_L + PAD_R;
    size_t padded = (size_t)g.stride * (g.h + PAD_T + PAD_B);
    uint32_t bw = (g.w + BLK - 1) / BLK, bh = (g.h + BLK - 1) / BLK;
    g.bank = malloc(sizeof(int16_t) * N_ORI * N_PER * KH * KW);
    g.kidx = malloc(sizeof(uint16_t) * g.w * g.h);
    g.a = calloc(padded, sizeof(int16_t));
    g.b = calloc(padded, sizeof(int16_t));
    active = calloc((size_t)bw * bh, 1);
    nonzero = calloc((size_t)bw * bh, 1);
    if (!g.bank || !g.kidx || !g.a || !g.b || !active || !nonzero) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    build_bank(g.bank);

    /* Orientation and period change slowly: evaluate the model every 2 px. */
    size_t area = 0;
    for (uint32_t y = 0; y < g.h; y += 2)
        for (uint32_t x = 0; x < g.w; x += 2) {
            double fx = x + 0.5, fy = y + 0.5;
            uint16_t ki = 0xFFFF;
            if (fpi_synth_model_shape(m, fx, fy) < 1.25) {
                double th = fpi_synth_model_orientation(m, fx, fy);
                double per = fpi_synth_model_period(m, fx, fy);
                int o = (int)floor(th / FPI_PI * N_ORI + 0.5) % N_ORI;
                int pi = (int)floor((per - 6.5) / 0.5 + 0.5);
                pi = pi < 0 ? 0 : pi >= N_PER ? N_PER - 1 : pi;
                ki = (uint16_t)(o * N_PER + pi);
            }
            for (uint32_t yy = y; yy < y + 2 && yy < g.h; yy++)
                for (uint32_t xx = x; xx < x + 2 && xx < g.w; xx++) {
                    g.kidx[(size_t)yy * g.w + xx] = ki;
                    area += ki != 0xFFFF;
                }
        }

    /* A few seeds: short ridge fragments (a bright dot) at random places. */
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_SEEDS);
    int nseeds = 3 + (int)(fpi_rng_next(&r) % 6u);
    for (int i = 0; i < nseeds; i++) {
        double sx, sy;
        int tries = 0;
        do {
            sx = fpi_rng_range(&r, 20, g.w - 20);
            sy = fpi_rng_range(&r, 20, g.h - 20);
        } while (fpi_synth_model_shape(m, sx, sy) > 0.8 && ++tries < 100);
        int ix = (int)sx, iy = (int)sy;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
                g.a[(size_t)(iy + dy + PAD_T) * g.stride + PAD_L + ix + dx] = (int16_t)((fpi_rng_next(&r) & 1) ? ONE : -ONE);
    }

    int extra = -1;
    for (int it = 0; it < MAX_ITER && extra != 0; it++) {
        /* Active blocks: those with signal, and their neighbours. */
        memset(nonzero, 0, (size_t)bw * bh);
        for (uint32_t y = 0; y < g.h; y++) {
            const int16_t *row = g.a + (size_t)(y + PAD_T) * g.stride + PAD_L;
            for (uint32_t x = 0; x < g.w; x++)
                if (row[x]) nonzero[(y / BLK) * bw + x / BLK] = 1;
        }
        for (uint32_t by = 0; by < bh; by++)
            for (uint32_t bx = 0; bx < bw; bx++) {
                uint8_t on = 0;
                for (int dy = -1; dy <= 1 && !on; dy++)
                    for (int dx = -1; dx <= 1 && !on; dx++) {
                        int yy = (int)by + dy, xx = (int)bx + dx;
                        if (yy >= 0 && xx >= 0 && yy < (int)bh && xx < (int)bw) on = nonzero[yy * bw + xx];
                    }
                active[by * bw + bx] = on;
            }
        filter_pass(&g, g.a, g.b, active, bw, 13, 1);
        int16_t *t = g.a;
        g.a = g.b;
        g.b = t;
        if (extra > 0) {
            extra--;
            continue;
        }
        size_t done_px = 0;
        for (uint32_t y = 0; y < g.h; y++) {
            const int16_t *row = g.a + (size_t)(y + PAD_T) * g.stride + PAD_L;
            for (uint32_t x = 0; x < g.w; x++)
                if (g.kidx[(size_t)y * g.w + x] != 0xFFFF && (row[x] > ONE / 2 || row[x] < -ONE / 2)) done_px++;
        }
        if (done_px * 1000 >= area * 997) extra = 6; /* filled: settle the pattern */
    }
    /* A last linear pass turns the saturated square wave into a smooth,
     * nearly sinusoidal ridge signal that impressions threshold. */
    filter_pass(&g, g.a, g.b, NULL, bw, 14, 0);
    for (uint32_t y = 0; y < g.h; y++)
        memcpy(field + (size_t)y * g.w, g.b + (size_t)(y + PAD_T) * g.stride + PAD_L, sizeof(int16_t) * g.w);
done:
    free(g.bank);
    free(g.kidx);
    free(g.a);
    free(g.b);
    free(active);
    free(nonzero);
    return st;
}

/* ---- minutiae the flow does not force ---- */

/*
 * Growth only starts or ends a ridge where the flow spreads, and all such
 * minutiae point the way it spreads, so fingers of one class share their
 * minutia geometry. Real skin also has short ridges and breaks anywhere,
 * whose two minutiae face each other. Each is added here as a dipole of
 * spiral phase: the field, read as A cos(psi) across the local flow, gets
 * psi + atan2 around one point - atan2 around the other. A ridge is thereby
 * inserted (or removed) between the two points while the ridges around bend
 * smoothly, so the pair looks like skin and survives extraction; the far
 * field only shifts a little and a soft window brings it back to zero.
 */
static double sample_bilinear(const int16_t *f, uint32_t w, uint32_t h, double x, double y)
{
    if (x < 0 || y < 0 || x >= w - 1 || y >= h - 1) return 0;
    int ix = (int)x, iy = (int)y;
    double tx = x - ix, ty = y - iy;
    const int16_t *p = f + (size_t)iy * w + ix;
    double a = p[0], b = p[1], c = p[w], d = p[w + 1];
    return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

/* Ridge direction of the grown field around (x0, y0), from the gradient
 * structure tensor. */
static double field_direction(const int16_t *f, uint32_t w, uint32_t h, int x0, int y0)
{
    double gxx = 0, gyy = 0, gxy = 0;
    for (int y = y0 - 7; y <= y0 + 7; y++)
        for (int x = x0 - 7; x <= x0 + 7; x++) {
            if (x < 1 || y < 1 || x + 1 >= (int)w || y + 1 >= (int)h) continue;
            double gx = f[(size_t)y * w + x + 1] - f[(size_t)y * w + x - 1];
            double gy = f[(size_t)(y + 1) * w + x] - f[(size_t)(y - 1) * w + x];
            gxx += gx * gx;
            gyy += gy * gy;
            gxy += gx * gy;
        }
    /* The gradient runs across the ridges; they lie a quarter turn off. */
    return 0.5 * fpi_atan2(2 * gxy, gxx - gyy) + FPI_PI / 2;
}

static fp_status add_dipoles(const fpi_synth_model *m, uint64_t seed, uint32_t finger, fp_synth_difficulty difficulty,
                             int16_t *field)
{
    const uint32_t w = FPI_SYNTH_MASTER_W, h = FPI_SYNTH_MASTER_H;
    int16_t *src = malloc(sizeof(int16_t) * w * h);
    if (!src) return FP_ERR_NO_MEMORY;
    fpi_rng r;
    fpi_rng_init(&r, seed, finger, TAG_DIPOLES);
    int hard = difficulty != FP_SYNTH_STANDARD;
    int dmin = hard ? DIPOLES_MIN_HARD : DIPOLES_MIN, dspread = hard ? DIPOLES_SPREAD_HARD : DIPOLES_SPREAD;
    int n = dmin + (int)(fpi_rng_next(&r) % (dspread + 1u));
    for (int e = 0; e < n; e++) {
        double x, y;
        int tries = 0, bad;
        do {
            x = fpi_rng_range(&r, 0, w);
            y = fpi_rng_range(&r, 0, h);
            bad = fpi_synth_model_shape(m, x, y) > 0.9;
            /* Near a core or delta the flow turns too fast for one direction. */
            for (int i = 0; i < m->nsp; i++) {
                double dx = x - m->sp[i].x, dy = y - m->sp[i].y;
                bad |= dx * dx + dy * dy < 35.0 * 35.0;
            }
        } while (bad && ++tries < 50);
        double sep = fpi_rng_range(&r, 2.2, 4.5), tilt = fpi_rng_range(&r, -0.35, 0.35);
        double sign = (fpi_rng_next(&r) & 1) ? 1.0 : -1.0;
        if (bad) continue;
        double per = fpi_synth_model_period(m, x, y), k = 2 * FPI_PI / per;
        /* The two poles lie roughly along the ridges, so the inserted or
         * removed ridge piece runs with the flow. */
        double th = field_direction(field, w, h, (int)x, (int)y);
        double nx = -fpi_sin(th), ny = fpi_cos(th);
        double ex = fpi_cos(th + tilt), ey = fpi_sin(th + tilt);
        double half = sep * per / 2;
        double x1 = x - half * ex, y1 = y - half * ey, x2 = x + half * ex, y2 = y + half * ey;
        double r0 = half + per, r1 = r0 + 2.5 * per;
        int x_lo = (int)(x - r1) - 1, x_hi = (int)(x + r1) + 1, y_lo = (int)(y - r1) - 1, y_hi = (int)(y + r1) + 1;
        x_lo = x_lo < 1 ? 1 : x_lo;
        y_lo = y_lo < 1 ? 1 : y_lo;
        x_hi = x_hi > (int)w - 2 ? (int)w - 2 : x_hi;
        y_hi = y_hi > (int)h - 2 ? (int)h - 2 : y_hi;
        /* Work on a copy of the window so the quadrature reads unedited values. */
        for (int yy = y_lo - 1; yy <= y_hi + 1; yy++)
            memcpy(src + (size_t)yy * w + x_lo - 1, field + (size_t)yy * w + x_lo - 1,
                   sizeof(int16_t) * (size_t)(x_hi - x_lo + 3));
        for (int yy = y_lo; yy <= y_hi; yy++)
            for (int xx = x_lo; xx <= x_hi; xx++) {
                double dx = xx - x, dy = yy - y, rr = sqrt(dx * dx + dy * dy);
                if (rr >= r1) continue;
                double wt = 1.0 - fpi_smooth01((rr - r0) / (r1 - r0));
                double f = src[(size_t)yy * w + xx];
                double fn = 0.5 * (sample_bilinear(src, w, h, xx + nx, yy + ny) - sample_bilinear(src, w, h, xx - nx, yy - ny));
                double q = -fn / k;
                double amp = sqrt(f * f + q * q);
                double psi = fpi_atan2(q, f);
                double d = fpi_atan2(yy - y1, xx - x1) - fpi_atan2(yy - y2, xx - x2);
                /* Wrap into (-pi, pi] so the taper acts on the short way round. */
                while (d > FPI_PI) d -= 2 * FPI_PI;
                while (d <= -FPI_PI) d += 2 * FPI_PI;
                double v = amp * fpi_cos(psi + sign * wt * d);
                field[(size_t)yy * w + xx] = (int16_t)(v > 32767 ? 32767 : v < -32767 ? -32767 : floor(v + 0.5));
            }
    }
    free(src);
    return FP_OK;
}

/* ---- thinning and minutiae ---- */

static const int nbx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int nby[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

/* Zhang-Suen thinning of a 0/1 image with a zero border. */
static void thin(uint8_t *img, uint32_t w, uint32_t h, uint8_t *mark)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int pass = 0; pass < 2; pass++) {
            memset(mark, 0, (size_t)w * h);
            for (uint32_t y = 1; y + 1 < h; y++)
                for (uint32_t x = 1; x + 1 < w; x++) {
                    if (!img[(size_t)y * w + x]) continue;
                    int p[8], b = 0, a = 0;
                    for (int i = 0; i < 8; i++) {
                        p[i] = img[(size_t)(y + nby[i]) * w + x + nbx[i]];
                        b += p[i];
                    }
                    if (b < 2 || b > 6) continue;
                    for (int i = 0; i < 8; i++) a += !p[i] && p[(i + 1) & 7];
                    if (a != 1) continue;
                    /* p[0]=N p[2]=E p[4]=S p[6]=W */
                    if (pass == 0 && ((p[0] && p[2] && p[4]) || (p[2] && p[4] && p[6]))) continue;
                    if (pass == 1 && ((p[0] && p[2] && p[6]) || (p[0] && p[4] && p[6]))) continue;
                    mark[(size_t)y * w + x] = 1;
                }
            for (size_t i = 0; i < (size_t)w * h; i++)
                if (mark[i]) {
                    img[i] = 0;
                    changed = 1;
                }
        }
    }
}

static int crossing(const uint8_t *sk, uint32_t w, uint32_t x, uint32_t y)
{
    int cn = 0;
    for (int i = 0; i < 8; i++) {
        int a = sk[(size_t)(y + nby[i]) * w + x + nbx[i]] != 0;
        int b = sk[(size_t)(y + nby[(i + 1) & 7]) * w + x + nbx[(i + 1) & 7]] != 0;
        cn += a != b;
    }
    return cn / 2;
}

/* Follows the skeleton from (x, y) for up to len steps, marking pixels in
 * seen (value tag); returns the steps taken and the end point. */
static int trace(const uint8_t *sk, uint8_t *seen, uint32_t w, uint32_t h, int x, int y, int len, int *ex, int *ey)
{
    int n = 0;
    seen[(size_t)y * w + x] = 1;
    while (n < len) {
        int found = 0;
        for (int i = 0; i < 8 && !found; i++) {
            int xx = x + nbx[i], yy = y + nby[i];
            if (xx < 1 || yy < 1 || xx >= (int)w - 1 || yy >= (int)h - 1) continue;
            size_t k = (size_t)yy * w + xx;
            if (sk[k] && !seen[k]) {
                seen[k] = 1;
                x = xx;
                y = yy;
                found = 1;
            }
        }
        if (!found) break;
        n++;
    }
    *ex = x;
    *ey = y;
    return n;
}

typedef struct cand {
    double x, y, dx, dy;
    int type, len;
    int dead;
} cand;

static void clear_seen(uint8_t *seen, uint32_t w, int x, int y, int rad)
{
    for (int yy = y - rad; yy <= y + rad; yy++)
        for (int xx = x - rad; xx <= x + rad; xx++)
            if (yy >= 0 && xx >= 0 && xx < (int)w) seen[(size_t)yy * w + xx] = 0;
}

static fp_status extract_minutiae(fp_synth_master *ms)
{
    fp_status st = FP_OK;
    uint32_t w = ms->w, h = ms->h;
    uint8_t *sk = calloc((size_t)w * h, 1), *tmp = calloc((size_t)w * h, 1);
    cand *cands = NULL;
    size_t nc = 0, capc = 256;
    cands = malloc(capc * sizeof(*cands));
    if (!sk || !tmp || !cands) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    for (uint32_t y = 1; y + 1 < h; y++)
        for (uint32_t x = 1; x + 1 < w; x++)
            sk[(size_t)y * w + x] = ms->field[(size_t)y * w + x] > 0 &&
                                    fpi_synth_model_shape(&ms->model, x, y) < 1.12;
    thin(sk, w, h, tmp);
    memset(tmp, 0, (size_t)w * h);
    const int tl = 12;
    for (uint32_t y = 2; y + 2 < h; y++)
        for (uint32_t x = 2; x + 2 < w; x++) {
            if (!sk[(size_t)y * w + x]) continue;
            int cn = crossing(sk, w, x, y);
            if (cn != 1 && cn != 3) continue;
            if (fpi_synth_model_shape(&ms->model, x, y) > 0.93) continue;
            cand c = {(double)x, (double)y, 0, 0, cn == 1 ? FP_MINUTIA_ENDING : FP_MINUTIA_BIFURCATION, 0, 0};
            if (cn == 1) {
                int ex, ey;
                c.len = trace(sk, tmp, w, h, (int)x, (int)y, tl, &ex, &ey);
                c.dx = ex - (int)x;
                c.dy = ey - (int)y;
                clear_seen(tmp, w, (int)x, (int)y, tl + 1);
            } else {
                double bx[8], by[8];
                int nb = 0, minlen = tl;
                tmp[(size_t)y * w + x] = 1;
                for (int i = 0; i < 8; i++) {
                    int xx = (int)x + nbx[i], yy = (int)y + nby[i];
                    size_t k = (size_t)yy * w + xx;
                    if (!sk[k] || tmp[k]) continue;
                    int ex, ey, n = 1 + trace(sk, tmp, w, h, xx, yy, tl - 1, &ex, &ey);
                    if (n < minlen) minlen = n;
                    bx[nb] = ex - (int)x;
                    by[nb] = ey - (int)y;
                    nb++;
                }
                clear_seen(tmp, w, (int)x, (int)y, tl + 1);
                if (nb != 3) continue;
                /* The two branches closest in angle are the fork's legs; the
                 * direction runs between them, into the splitting valley. */
                int bi = 0, bj = 1;
                double best = -2;
                for (int i = 0; i < 3; i++)
                    for (int j = i + 1; j < 3; j++) {
                        double ni = sqrt(bx[i] * bx[i] + by[i] * by[i]), nj = sqrt(bx[j] * bx[j] + by[j] * by[j]);
                        double cosang = (bx[i] * bx[j] + by[i] * by[j]) / (ni * nj + 1e-9);
                        if (cosang > best) {
                            best = cosang;
                            bi = i;
                            bj = j;
                        }
                    }
                double ni = sqrt(bx[bi] * bx[bi] + by[bi] * by[bi]) + 1e-9;
                double nj = sqrt(bx[bj] * bx[bj] + by[bj] * by[bj]) + 1e-9;
                c.dx = bx[bi] / ni + bx[bj] / nj;
                c.dy = by[bi] / ni + by[bj] / nj;
                c.len = minlen;
            }
            if (nc == capc) {
                cand *n2 = realloc(cands, 2 * capc * sizeof(*cands));
                if (!n2) {
                    st = FP_ERR_NO_MEMORY;
                    goto done;
                }
                cands = n2;
                capc *= 2;
            }
            cands[nc++] = c;
        }
    /* Thinning artefacts and features smaller than half a ridge period will
     * not survive rendering: drop short spurs and pairs that are too close. */
    for (size_t i = 0; i < nc; i++)
        if (cands[i].len < 5) cands[i].dead = 1;
    for (size_t i = 0; i < nc; i++)
        for (size_t j = i + 1; j < nc; j++) {
            double dx = cands[i].x - cands[j].x, dy = cands[i].y - cands[j].y;
            if (dx * dx + dy * dy < 7.0 * 7.0) cands[i].dead = cands[j].dead = 1;
        }
    size_t n = 0;
    for (size_t i = 0; i < nc; i++) n += !cands[i].dead;
    ms->minutiae = calloc(n ? n : 1, sizeof(fp_minutia));
    if (!ms->minutiae) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    for (size_t i = 0; i < nc; i++) {
        const cand *c = &cands[i];
        if (c->dead) continue;
        /* Use the model orientation for the precise angle, the traced
         * direction only to choose between its two senses. */
        double th = fpi_synth_model_orientation(&ms->model, c->x, c->y);
        double ux = fpi_cos(th), uy = fpi_sin(th);
        if (ux * c->dx + uy * c->dy < 0) {
            ux = -ux;
            uy = -uy;
        }
        fp_minutia *mm = &ms->minutiae[ms->count++];
        mm->x = (uint16_t)c->x;
        mm->y = (uint16_t)c->y;
        mm->angle = fpi_synth_angle_byte(ux, uy);
        mm->type = (uint8_t)c->type;
        mm->quality = 100;
    }
done:
    free(sk);
    free(tmp);
    free(cands);
    return st;
}

fp_status fp_synth_master_create(uint64_t seed, uint32_t finger, fp_synth_master **out)
{
    return fp_synth_master_create_difficulty(seed, finger, FP_SYNTH_STANDARD, out);
}

fp_status fp_synth_master_create_difficulty(uint64_t seed, uint32_t finger, fp_synth_difficulty difficulty,
                                            fp_synth_master **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if ((unsigned)difficulty >= FP_SYNTH_DIFFICULTY_COUNT) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = FP_OK;
    fp_synth_master *ms = calloc(1, sizeof(*ms));
    if (!ms) return FP_ERR_NO_MEMORY;
    fpi_synth_model_init(&ms->model, seed, finger);
    ms->seed = seed;
    ms->finger = finger;
    ms->w = FPI_SYNTH_MASTER_W;
    ms->h = FPI_SYNTH_MASTER_H;
    ms->field = calloc((size_t)ms->w * ms->h, sizeof(int16_t));
    ms->ridges = malloc((size_t)ms->w * ms->h);
    if (!ms->field || !ms->ridges) {
        st = FP_ERR_NO_MEMORY;
        goto done;
    }
    st = grow(&ms->model, seed, finger, ms->field);
    if (st != FP_OK) goto done;
    st = add_dipoles(&ms->model, seed, finger, difficulty, ms->field);
    if (st != FP_OK) goto done;
    for (uint32_t y = 0; y < ms->h; y++)
        for (uint32_t x = 0; x < ms->w; x++) {
            size_t i = (size_t)y * ms->w + x;
            int v = 128 - ms->field[i] * 127 / (ONE + ONE / 4);
            if (fpi_synth_model_shape(&ms->model, x, y) > 1.0) v = 255;
            ms->ridges[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    st = extract_minutiae(ms);
done:
    if (st != FP_OK) {
        fp_synth_master_destroy(ms);
        ms = NULL;
    }
    *out = ms;
    return st;
}

void fp_synth_master_destroy(fp_synth_master *master)
{
    if (!master) return;
    free(master->field);
    free(master->ridges);
    free(master->minutiae);
    free(master);
}

fp_synth_class fp_synth_master_class(const fp_synth_master *master) { return master ? master->model.cls : FP_SYNTH_ARCH; }
uint32_t fp_synth_master_width(const fp_synth_master *master) { return master ? master->w : 0; }
uint32_t fp_synth_master_height(const fp_synth_master *master) { return master ? master->h : 0; }
const uint8_t *fp_synth_master_ridges(const fp_synth_master *master) { return master ? master->ridges : NULL; }

const fp_minutia *fp_synth_master_minutiae(const fp_synth_master *master, size_t *count)
{
    if (count) *count = master ? master->count : 0;
    return master ? master->minutiae : NULL;
}

size_t fp_synth_master_singular(const fp_synth_master *master, fp_synth_singular *out, size_t cap)
{
    if (!master) return 0;
    size_t n = (size_t)master->model.nsp;
    for (size_t i = 0; i < n && i < cap && out; i++) out[i] = master->model.sp[i];
    return n;
}

double fp_synth_master_orientation(const fp_synth_master *master, double x, double y)
{
    return master ? fpi_synth_model_orientation(&master->model, x, y) : 0.0;
}

double fp_synth_master_period(const fp_synth_master *master, double x, double y)
{
    return master ? fpi_synth_model_period(&master->model, x, y) : 0.0;
}

int fp_synth_master_inside(const fp_synth_master *master, double x, double y)
{
    return master && fpi_synth_model_shape(&master->model, x, y) < 1.0;
}

const int16_t *fpi_synth_master_field(const fp_synth_master *master) { return master->field; }
const fpi_synth_model *fpi_synth_master_model(const fp_synth_master *master) { return &master->model; }
uint64_t fpi_synth_master_seed(const fp_synth_master *master) { return master->seed; }
uint32_t fpi_synth_master_finger(const fp_synth_master *master) { return master->finger; }
