/*
 * Minutia detection on the skeleton (crossing number 1: ending, 3:
 * bifurcation) and false-minutia removal by following ridges from each
 * candidate: short isolated ridges, spurs, bridges and holes, broken ridges
 * (two endings facing each other across a small gap), clusters, and
 * candidates near the border of the print or in incoherent areas. Lengths
 * scale with the local ridge period.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

static const int ring_dx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int ring_dy[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

enum { END_NONE = 0, END_RIDGE_END = 1, END_JUNCTION = 3, END_LOST = 4 };

typedef struct trace_result {
    int x, y;  /* where the walk stopped */
    int len;   /* steps walked */
    int kind;  /* END_* */
    int dx, dy; /* offset from the start after dir_len steps */
} trace_result;

/*
 * Follows the ridge line from pixel (x, y), a neighbour of (ox, oy), for at
 * most maxlen steps; stops at a ridge end or a junction.
 */
static trace_result trace(const fpi_workspace *ws, int ox, int oy, int x, int y, int maxlen, int dir_len)
{
    const int s = (int)ws->stride;
    trace_result r = {x, y, 1, END_NONE, x - ox, y - oy};
    int px = ox, py = oy;
    for (;;) {
        const uint8_t *p = ws->skel + y * s + x;
        int cn = fpi_crossing(p, s);
        if (r.len <= dir_len) {
            r.dx = x - ox;
            r.dy = y - oy;
        }
        if (cn == 1) {
            r.kind = END_RIDGE_END;
            break;
        }
        if (cn >= 3) {
            r.kind = END_JUNCTION;
            break;
        }
        if (r.len >= maxlen) break;
        int best = -1;
        for (int pass = 0; pass < 2 && best < 0; pass++)
            for (int k = 0; k < 8; k++) {
                int nx = x + ring_dx[k], ny = y + ring_dy[k];
                if (!ws->skel[ny * s + nx] || (nx == px && ny == py)) continue;
                if (pass == 0 && abs(nx - px) <= 1 && abs(ny - py) <= 1) continue;
                if (best < 0 || (k % 2 == 0 && best % 2 == 1)) best = k;
            }
        if (best < 0) {
            r.kind = END_LOST;
            break;
        }
        px = x;
        py = y;
        x += ring_dx[best];
        y += ring_dy[best];
        r.len++;
    }
    r.x = x;
    r.y = y;
    return r;
}

/* Branch starts around a pixel: one neighbour per run of set ring pixels,
 * the edge neighbour of a run when it has one. */
static int branch_starts(const fpi_workspace *ws, int x, int y, int sx[4], int sy[4])
{
    const int s = (int)ws->stride;
    int set[8], n = 0;
    for (int k = 0; k < 8; k++) set[k] = ws->skel[(y + ring_dy[k]) * s + x + ring_dx[k]] != 0;
    int start = 0;
    while (start < 8 && set[start]) start++;
    if (start == 8) return 0;
    for (int i = 1; i <= 8 && n < 4; i++) {
        int k = (start + i) & 7;
        if (!set[k]) continue;
        int prev = (k + 7) & 7;
        if (set[prev]) continue; /* not the first pixel of its run */
        int pick = k, j = k;
        while (set[j]) {
            if (j % 2 == 0) {
                pick = j;
                break;
            }
            j = (j + 1) & 7;
            if (j == k) break;
        }
        sx[n] = x + ring_dx[pick];
        sy[n] = y + ring_dy[pick];
        n++;
    }
    return n;
}

static float wrap_pi(float a)
{
    while (a > (float)M_PI) a -= 2 * (float)M_PI;
    while (a <= -(float)M_PI) a += 2 * (float)M_PI;
    return a;
}

void fpi_detect_minutiae(fpi_workspace *ws)
{
    const int s = (int)ws->stride, w = (int)ws->w, h = (int)ws->h;
    ws->ncand = 0;
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            const uint8_t *p = ws->skel + y * s + x;
            if (!*p) continue;
            int bi = fpi_block_index(ws, x, y);
            if (!ws->mask[bi]) continue;
            int cn = fpi_crossing(p, s);
            if (cn != 1 && cn != 3) continue;
            if (ws->ncand >= FPI_MAX_CANDIDATES) return;
            fpi_candidate *c = &ws->cand[ws->ncand++];
            c->x = (float)x;
            c->y = (float)y;
            c->type = cn == 1 ? FP_MINUTIA_ENDING : FP_MINUTIA_BIFURCATION;
            c->removed = 0;
            c->angle = 0;
            c->quality = 0;
        }
}

static int find_candidate(const fpi_workspace *ws, int x, int y)
{
    for (uint32_t i = 0; i < ws->ncand; i++)
        if ((int)ws->cand[i].x == x && (int)ws->cand[i].y == y) return (int)i;
    return -1;
}

void fpi_filter_minutiae(fpi_workspace *ws)
{
    const uint32_t n = ws->ncand;
    for (uint32_t i = 0; i < n; i++) {
        fpi_candidate *c = &ws->cand[i];
        int x = (int)c->x, y = (int)c->y;
        int bi = fpi_block_index(ws, x, y);
        float period = ws->period[bi];
        int dir_len = (int)lrintf(1.2f * period);
        int sx[4], sy[4];
        int nb = branch_starts(ws, x, y, sx, sy);
        if (c->type == FP_MINUTIA_ENDING) {
            if (nb < 1) {
                c->removed = 1;
                continue;
            }
            trace_result t = trace(ws, x, y, sx[0], sy[0], (int)(2.0f * period), dir_len);
            if (t.kind == END_RIDGE_END && t.len < 1.8f * period) {
                /* A short isolated ridge fragment. */
                c->removed = 1;
                int j = find_candidate(ws, t.x, t.y);
                if (j >= 0) ws->cand[j].removed = 1;
            } else if (t.kind == END_JUNCTION && t.len < 1.1f * period) {
                /* A spur on a ridge. */
                c->removed = 1;
                int j = find_candidate(ws, t.x, t.y);
                if (j >= 0) ws->cand[j].removed = 1;
            }
            c->angle = atan2f(-(float)t.dy, (float)t.dx);
        } else {
            if (nb != 3) {
                c->removed = 1;
                continue;
            }
            float ux[3], uy[3];
            for (int b = 0; b < 3; b++) {
                trace_result t = trace(ws, x, y, sx[b], sy[b], (int)(1.6f * period), dir_len);
                if (t.kind == END_JUNCTION && t.len < 1.2f * period) {
                    /* Bridge between ridges, or a small hole. */
                    c->removed = 1;
                    int j = find_candidate(ws, t.x, t.y);
                    if (j >= 0) ws->cand[j].removed = 1;
                }
                float len = sqrtf((float)(t.dx * t.dx + t.dy * t.dy));
                ux[b] = len > 0 ? (float)t.dx / len : 0;
                uy[b] = len > 0 ? (float)t.dy / len : 0;
            }
            /* The stem is the branch most opposed to the other two; the
             * direction points away from it, between the branches. */
            int stem = 0;
            float worst = 1e9f;
            for (int b = 0; b < 3; b++) {
                int o1 = (b + 1) % 3, o2 = (b + 2) % 3;
                float d = ux[b] * ux[o1] + uy[b] * uy[o1] + ux[b] * ux[o2] + uy[b] * uy[o2];
                if (d < worst) {
                    worst = d;
                    stem = b;
                }
            }
            c->angle = atan2f(uy[stem], -ux[stem]);
        }
    }
    /* Snap the traced direction to the smoothed ridge orientation. */
    for (uint32_t i = 0; i < n; i++) {
        fpi_candidate *c = &ws->cand[i];
        int bi = fpi_block_index(ws, (int)c->x, (int)c->y);
        float th = -ws->ori[bi]; /* image axes (y down) to y up */
        float d0 = fabsf(wrap_pi(c->angle - th)), d1 = fabsf(wrap_pi(c->angle - th - (float)M_PI));
        float best = d0 < d1 ? th : th + (float)M_PI;
        if (fminf(d0, d1) < (float)M_PI / 4 && ws->coh[bi] > 0.5f) c->angle = wrap_pi(best);
    }
    /* Broken ridges: two endings facing each other across a small gap. */
    for (uint32_t i = 0; i < n; i++) {
        fpi_candidate *a = &ws->cand[i];
        if (a->type != FP_MINUTIA_ENDING) continue;
        float period = ws->period[fpi_block_index(ws, (int)a->x, (int)a->y)];
        for (uint32_t j = i + 1; j < n; j++) {
            fpi_candidate *b = &ws->cand[j];
            if (b->type != FP_MINUTIA_ENDING) continue;
            float dx = b->x - a->x, dy = -(b->y - a->y);
            float d = sqrtf(dx * dx + dy * dy);
            if (d > 1.6f * period || d < 1) continue;
            float facing = fabsf(wrap_pi(a->angle - b->angle - (float)M_PI));
            float gap = atan2f(dy, dx);
            /* a's ridge lies along a->angle, so the gap to b is opposite to it. */
            float along = fabsf(wrap_pi(gap - a->angle - (float)M_PI));
            if (facing < (float)M_PI / 4 && along < (float)M_PI / 3) {
                a->removed = 1;
                b->removed = 1;
            }
        }
    }
    /* Clusters, border and incoherent areas; quality of what remains. */
    for (uint32_t i = 0; i < n; i++) {
        fpi_candidate *a = &ws->cand[i];
        int bi = fpi_block_index(ws, (int)a->x, (int)a->y);
        float period = ws->period[bi];
        int close = 0;
        for (uint32_t j = 0; j < n; j++) {
            if (j == i || ws->cand[j].removed) continue;
            float dx = ws->cand[j].x - a->x, dy = ws->cand[j].y - a->y;
            if (dx * dx + dy * dy < period * period) close++;
        }
        if (close >= 2) a->removed = 2; /* counted as removed after the loop */
        if (ws->bdist[bi] < 2 || ws->coh[bi] < 0.2f) a->removed = 1;
        /* Ridges cut by the image edge end there: a block's width from the
         * edge, also where the last block row or column is only partly
         * inside the image (its distance to the edge says 1 only for
         * minutiae inside that partial block). */
        if (a->x < FPI_BLOCK || a->y < FPI_BLOCK || a->x >= (float)ws->w - FPI_BLOCK ||
            a->y >= (float)ws->h - FPI_BLOCK)
            a->removed = 1;
        float q = ws->coh[bi] * 100.0f;
        if (ws->bdist[bi] < 4) q *= 0.6f + 0.1f * (float)ws->bdist[bi];
        a->quality = (uint8_t)FPI_CLAMP(lrintf(q), 1, 100);
    }
}

uint8_t fpi_image_quality(const fpi_workspace *ws)
{
    const int n = (int)(ws->bw * ws->bh);
    double coh = 0;
    int fg = 0;
    for (int i = 0; i < n; i++)
        if (ws->mask[i]) {
            coh += ws->coh_raw[i];
            fg++;
        }
    if (!fg) return 0;
    double q = coh / fg;
    double area = (double)ws->area / (160.0 * 160.0);
    if (area < 1) q *= area;
    return (uint8_t)FPI_CLAMP(lrint(q * 100.0), 0, 100);
}
