/*
 * Minutiae comparison, the body compiled once per instruction set
 * (compare.c for the baseline, compare_avx2.c with AVX2 enabled; the same
 * C code, so the same results). Defines FPI_MATCH_VARIANT(fpi_match_align)
 * and the static helpers it uses; the includer defines FPI_MATCH_VARIANT.
 *
 * See docs/matcher.md for the design; in short:
 *  1. Local evidence: every minutia's edges to its nearest neighbours are
 *     invariant to translation and rotation (length, direction of the edge
 *     relative to the minutia, relative minutia direction). Edges of one
 *     template are sorted by length; each edge of the other template scans
 *     the run within its length tolerance and votes for the two minutia
 *     pairs of every edge that agrees.
 *  2. Consolidation: the most voted pairs seed alignments. For each seed the
 *     rotation and translation it implies map one template onto the other
 *     and minutiae are paired greedily, closest first, with a tolerance that
 *     grows with the distance from the seed to absorb skin distortion. The
 *     seed pairing the most minutiae wins.
 *  3. Score: paired minutiae that also had local support, their count
 *     shifted by how many edge votes they had on average and by the near
 *     misses of the loose first pass, weighed by the fraction of the
 *     minutiae inside the common area that they explain.
 * Only each template's first fpi_match_count minutiae (the best by
 * quality; templates keep them in that order; FP_MATCH_MINUTIAE, more on
 * large clear prints) take part, and scores of comparisons with more than
 * FP_MATCH_MINUTIAE on average are scaled back to that many. The two
 * templates are put in a canonical order first, so the result is exactly
 * symmetric. Nothing here allocates.
 */
#ifndef FP_MATCH_COMPARE_BODY_H
#define FP_MATCH_COMPARE_BODY_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"

static inline int ang_diff(int a, int b)
{
    int d = (a - b) & 255;
    return d > 128 ? 256 - d : d;
}

/*
 * Lays b's edges out sorted by length (counting sort), as parallel byte
 * arrays, with the index of the first edge of each length, so the edges
 * within a length tolerance are one contiguous run.
 */
static void sort_edges(fpi_match_ws *ws, const fp_template *t)
{
    uint16_t *start = ws->edge_start;
    memset(start, 0, sizeof(ws->edge_start));
    const int ne = fpi_match_count(t) * FPI_NEIGHBOURS;
    for (int e = 0; e < ne; e++)
        if (t->nb[e].index != 0xFF) start[t->nb[e].dist + 1]++;
    for (int d = 1; d <= 256; d++) start[d] = (uint16_t)(start[d] + start[d - 1]);
    uint16_t pos[257];
    memcpy(pos, start, sizeof(pos));
    for (int e = 0; e < ne; e++) {
        const fpi_neighbour *nb = &t->nb[e];
        if (nb->index == 0xFF) continue;
        int q = pos[nb->dist]++;
        ws->edge_r[q] = nb->radial;
        ws->edge_o[q] = nb->dir;
        ws->edge_from[q] = (uint8_t)(e / FPI_NEIGHBOURS);
        ws->edge_to[q] = nb->index;
    }
}

/* In 1/256 turns (17 degrees). 14 suited the minutiae before the extractor's
 * refinement passes; with their steadier directions 10-13 all do better
 * (docs/matcher.md). */
#define EDGE_ANGLE_TOL 12

/*
 * Every edge of b votes for the minutia pairs of each edge of a that agrees
 * with it: length within 4 + d/16 px of b's length d, both angles within
 * EDGE_ANGLE_TOL. The scan runs the other way round: b's edges are sorted
 * (b, the wider template in canonical order, gives the longer runs) and
 * each edge of a queries the run of b's lengths that agree with its own
 * (ws->len_lo, len_hi), so a comparison of a narrow and a wide template
 * makes the narrow one's number of queries. The angle tests are symmetric
 * and the counts do not depend on the order of the hits (only a
 * comparison with more than FPI_MAX_HITS agreements, which keeps the
 * first ones, would count differently from the scan the other way). Angle
 * differences wrap in 8-bit arithmetic: |x - y| <= T (mod 256) exactly
 * when (uint8)(x - y + T) <= 2T.
 */
static void vote(fpi_match_ws *ws, const fp_template *a, const fp_template *b)
{
    const int na = fpi_match_count(a), nb_count = fpi_match_count(b);
    sort_edges(ws, b);
    memset(ws->votes, 0, (size_t)na * nb_count * sizeof(uint16_t));
    const int ne = na * FPI_NEIGHBOURS;
    int nq = 0;
    for (int e = 0; e < ne; e++) {
        const fpi_neighbour *ea = &a->nb[e];
        if (ea->index == 0xFF) continue;
        ws->q_lo[nq] = ws->edge_start[ws->len_lo[ea->dist]];
        ws->q_hi[nq] = ws->edge_start[ws->len_hi[ea->dist] + 1];
        ws->q_dr[nq] = (uint8_t)(EDGE_ANGLE_TOL - ea->radial);
        ws->q_do[nq] = (uint8_t)(EDGE_ANGLE_TOL - ea->dir);
        ws->q_from[nq] = (uint8_t)(e / FPI_NEIGHBOURS);
        ws->q_to[nq] = ea->index;
        nq++;
    }
    const int nh = ws->k->edge_scan(ws->edge_r, ws->edge_o, ws->q_lo, ws->q_hi, ws->q_dr, ws->q_do, nq,
                                    2 * EDGE_ANGLE_TOL, ws->hits, FPI_MAX_HITS);
    for (int h = 0; h < nh; h++) {
        const int q = (int)(ws->hits[h] >> 16), i = (int)(ws->hits[h] & 0xFFFF);
        ws->votes[ws->q_from[i] * nb_count + ws->edge_from[q]]++;
        ws->votes[ws->q_to[i] * nb_count + ws->edge_to[q]]++;
    }
}

/*
 * Picks up to FPI_SEEDS most voted pairs among those with at least two
 * votes, highest first; ties go to the lowest index a * nb + b. Only
 * pairs of the first FP_MATCH_MINUTIAE minutiae of each template seed:
 * two wide templates (up to FP_MATCH_MINUTIAE_MAX compared minutiae) have
 * so many chance pairs with a few votes that the true one can miss the
 * ten, and the first pass pairs only those minutiae anyway; the wider
 * ones still vote, and pair from the second pass on (docs/matcher.md,
 * "Wider on clear prints").
 */
static int pick_seeds(const fpi_match_ws *ws, int na, int nb, fpi_pair *seeds)
{
    int n = 0;
    /* In index order, so a tie never displaces an earlier pair: a pair
     * goes in after those with as many votes, and once there are
     * FPI_SEEDS only counts above the weakest seed get in. */
    unsigned floor = 2;
    const int sa = FPI_MIN(na, FP_MATCH_MINUTIAE), sb = FPI_MIN(nb, FP_MATCH_MINUTIAE);
    for (int ia = 0; ia < sa; ia++) {
        /* Most rows hold no count at the bar: their maximum (a loop the
         * compiler vectorises) skips them. */
        const uint16_t *restrict row = ws->votes + ia * nb;
        uint16_t top = 0;
        for (int ib = 0; ib < sb; ib++) top = row[ib] > top ? row[ib] : top;
        if (top < floor) continue;
        for (int ib = 0; ib < sb; ib++) {
            const uint16_t v = row[ib];
            if (v < floor) continue;
            int pos = n < FPI_SEEDS ? n++ : FPI_SEEDS - 1;
            while (pos > 0 && seeds[pos - 1].cost < v) {
                seeds[pos] = seeds[pos - 1];
                pos--;
            }
            seeds[pos].a = (uint16_t)ia;
            seeds[pos].b = (uint16_t)ib;
            seeds[pos].cost = v;
            if (n == FPI_SEEDS) floor = seeds[n - 1].cost + 1u;
        }
    }
    return n;
}

/*
 * Stable counting sort by cost (costs are below 256: 128 for position,
 * 127 for direction). Equal costs keep their order of creation, which is
 * deterministic, so no further tie-break is needed.
 */
static void sort_pairs(fpi_match_ws *ws, fpi_pair *p, int n)
{
    if (n <= 32) {
        /* Few candidates (the usual case): a stable insertion sort is cheaper
         * than clearing and summing the 257 counters. */
        for (int i = 1; i < n; i++) {
            fpi_pair v = p[i];
            int j = i;
            while (j > 0 && p[j - 1].cost > v.cost) {
                p[j] = p[j - 1];
                j--;
            }
            p[j] = v;
        }
        return;
    }
    uint16_t *count = ws->cost_count;
    memset(count, 0, sizeof(ws->cost_count));
    for (int i = 0; i < n; i++) count[p[i].cost + 1]++;
    for (int c = 1; c <= FPI_COST_MAX; c++) count[c] = (uint16_t)(count[c] + count[c - 1]);
    for (int i = 0; i < n; i++) ws->sorted[count[p[i].cost]++] = p[i];
    memcpy(p, ws->sorted, (size_t)n * sizeof(*p));
}

/* Two refined alignments this close (same rotation unit, translation
 * within SAME_SHIFT px, pairs' centroid within SAME_CENTRE px) pair the same
 * minutiae in the second pass: only the first is tried. */
#define SAME_SHIFT 1.0f
#define SAME_CENTRE 4.0f
#define PAIR_ANGLE_TOL 22
#define ANG2 9
#define TOL0 7.0f
#define TOLS 0.02f
#define TOLM 14.0f

/* A rigid transform of template a's coordinates into b's. */
typedef struct xform {
    float c, s, tx, ty; /* x' = c x - s y + tx, y' = s x + c y + ty */
    int rot;            /* rotation in 1/256 turns, for directions */
    float ox, oy;       /* centre for the distance-dependent tolerance (in a) */
} xform;

static xform seed_xform(const fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_pair seed)
{
    xform t;
    t.rot = (b->minutiae[seed.b].angle - a->minutiae[seed.a].angle) & 255;
    t.c = ws->cos_t[t.rot];
    t.s = ws->sin_t[t.rot];
    t.ox = a->px[seed.a];
    t.oy = a->py[seed.a];
    t.tx = b->px[seed.b] - (t.c * t.ox - t.s * t.oy);
    t.ty = b->py[seed.b] - (t.s * t.ox + t.c * t.oy);
    return t;
}

/* Least-squares rotation and translation over the pairs (2D Procrustes). */
static void refine_xform(const fp_template *a, const fp_template *b, const fpi_pair *p, int n, xform *t)
{
    float cax = 0, cay = 0, cbx = 0, cby = 0;
    for (int i = 0; i < n; i++) {
        cax += a->px[p[i].a];
        cay += a->py[p[i].a];
        cbx += b->px[p[i].b];
        cby += b->py[p[i].b];
    }
    cax /= (float)n;
    cay /= (float)n;
    cbx /= (float)n;
    cby /= (float)n;
    float sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        float ax = a->px[p[i].a] - cax, ay = a->py[p[i].a] - cay;
        float bx = b->px[p[i].b] - cbx, by = b->py[p[i].b] - cby;
        sxx += ax * bx + ay * by;
        sxy += ax * by - ay * bx;
    }
    /* The rotation's cosine and sine straight from the sums; the angle
     * itself only for the direction tests, in 1/256 turns. */
    const float r = sqrtf(sxx * sxx + sxy * sxy);
    t->c = r > 0 ? sxx / r : 1.0f;
    t->s = r > 0 ? sxy / r : 0.0f;
    t->rot = (int)lrintf(atan2f(sxy, sxx) * (float)(128.0 / M_PI)) & 255;
    t->tx = cbx - (t->c * cax - t->s * cay);
    t->ty = cby - (t->s * cax + t->c * cay);
    t->ox = cax;
    t->oy = cay;
}

/*
 * Lays b's positions out for the pair scan kernel: sorted by y (counting
 * sort into bands of 8 pixels, wider for unusually tall templates), so
 * the minutiae a query square can reach are one short run.
 */
static void load_positions(fpi_match_ws *ws, const fp_template *b, int n)
{
    int y0 = b->py[0], y1 = y0;
    for (int k = 1; k < n; k++) {
        y0 = FPI_MIN(y0, b->py[k]);
        y1 = FPI_MAX(y1, b->py[k]);
    }
    int shift = 3;
    while (((y1 - y0) >> shift) >= FPI_BANDS) shift++;
    const int nbands = ((y1 - y0) >> shift) + 1;
    uint8_t count[FPI_BANDS + 1] = {0};
    for (int k = 0; k < n; k++) count[((b->py[k] - y0) >> shift) + 1]++;
    ws->band_start[0] = 0;
    for (int i = 1; i <= nbands; i++) ws->band_start[i] = (uint8_t)(ws->band_start[i - 1] + count[i]);
    uint8_t fill[FPI_BANDS];
    memcpy(fill, ws->band_start, (size_t)nbands);
    for (int k = 0; k < n; k++) {
        const int pos = fill[(b->py[k] - y0) >> shift]++;
        ws->order[pos] = (uint8_t)k;
        ws->bx[pos] = b->px[k];
        ws->by[pos] = b->py[k];
    }
    ws->band_y0 = y0;
    ws->band_shift = shift;
    ws->n_bands = nbands;
}

static int pair_queries(fpi_match_ws *ws, const fp_template *a, int na, const fp_template *b, int angle_tol,
                        fpi_pair *out, int *cost_sum);

/* Pairs a's first na minutiae mapped by t with b's, closest first; returns the pair count. */
static int pair_minutiae(fpi_match_ws *ws, const fp_template *a, int na, const fp_template *b, const xform *t,
                         float tol0, float tol_slope, float tol_max, int angle_tol, fpi_pair *out, int *cost_sum)
{
    /* Map a's minutiae and set up their queries: one branch-free loop over
     * restrict arrays, which the compiler vectorises. */
    const float c = t->c, sn = t->s, ttx = t->tx, tty = t->ty, ox = t->ox, oy = t->oy;
    const int16_t *restrict apx = a->px, *restrict apy = a->py;
    float *restrict mx = ws->mx, *restrict my = ws->my, *restrict mtol2 = ws->tol2;
    int16_t *restrict qxlo = ws->xlo, *restrict qxhi = ws->xhi, *restrict qylo = ws->ylo, *restrict qyhi = ws->yhi;
    for (int j = 0; j < na; j++) {
        const float x = apx[j], y = apy[j];
        const float tx = c * x - sn * y + ttx, ty = sn * x + c * y + tty;
        const float rx = x - ox, ry = y - oy;
        float tol = tol0 + tol_slope * sqrtf(rx * rx + ry * ry);
        tol = tol < tol_max ? tol : tol_max;
        mx[j] = tx;
        my[j] = ty;
        mtol2[j] = tol * tol;
        /* The candidates' box: around the mapped point rounded, grown by a
         * pixel for the rounding (the exact test follows). Points far
         * outside any template get an empty box. */
        const float reach = (float)FPI_FRAME_REACH;
        const int in = (fabsf(tx) <= reach) & (fabsf(ty) <= reach);
        const float kx = tx > reach ? reach : tx < -reach ? -reach : tx;
        const float ky = ty > reach ? reach : ty < -reach ? -reach : ty;
        const int qx = (int)(kx + 16384.5f) - 16384, qy = (int)(ky + 16384.5f) - 16384;
        const int r = in * ((int)tol + 2); /* half-width of the open box, 0 (empty) when out */
        qxlo[j] = (int16_t)(qx - r);
        qxhi[j] = (int16_t)(qx + r);
        qylo[j] = (int16_t)(qy - r);
        qyhi[j] = (int16_t)(qy + r);
    }
    memset(ws->mrot, t->rot & 255, (size_t)na);
    return pair_queries(ws, a, na, b, angle_tol, out, cost_sum);
}

/* Sets the pair scan's query boxes for a's na minutiae mapped to
 * (ws->mx, ws->my) with squared tolerances ws->tol2. */
static void set_boxes(fpi_match_ws *ws, int na)
{
    const float reach = (float)FPI_FRAME_REACH;
    for (int j = 0; j < na; j++) {
        const float tx = ws->mx[j], ty = ws->my[j];
        const int in = (fabsf(tx) <= reach) & (fabsf(ty) <= reach);
        const float kx = tx > reach ? reach : tx < -reach ? -reach : tx;
        const float ky = ty > reach ? reach : ty < -reach ? -reach : ty;
        const int qx = (int)(kx + 16384.5f) - 16384, qy = (int)(ky + 16384.5f) - 16384;
        const int r = in * ((int)sqrtf(ws->tol2[j]) + 2);
        ws->xlo[j] = (int16_t)(qx - r);
        ws->xhi[j] = (int16_t)(qx + r);
        ws->ylo[j] = (int16_t)(qy - r);
        ws->yhi[j] = (int16_t)(qy + r);
    }
}

/* Pairs a's minutiae, mapped to (ws->mx, ws->my) with squared tolerances
 * ws->tol2, query boxes set and directions turned by ws->mrot, with b's:
 * closest first, one-to-one; returns the pair count. */
static int pair_queries(fpi_match_ws *ws, const fp_template *a, int na, const fp_template *b, int angle_tol,
                        fpi_pair *out, int *cost_sum)
{
    const int nb = fpi_match_count(b);
    int np = 0;
    const int cap = (int)(sizeof(ws->pairs) / sizeof(ws->pairs[0]));
    /* The bands each box reaches (none for an empty box). */
    const int16_t *restrict qylo = ws->ylo, *restrict qyhi = ws->yhi;
    const int y0 = ws->band_y0, sh = ws->band_shift, nbd = ws->n_bands;
    uint8_t *restrict qblo = ws->blo, *restrict qbhi = ws->bhi;
    for (int j = 0; j < na; j++) {
        const int lo = qylo[j] + 1 - y0, hi = qyhi[j] - 1 - y0;
        const int blo = lo < 0 ? 0 : FPI_MIN(lo >> sh, nbd);
        const int bhi = hi < lo ? blo : hi < 0 ? 0 : FPI_MIN((hi >> sh) + 1, nbd);
        qblo[j] = (uint8_t)blo;
        qbhi[j] = (uint8_t)bhi;
    }
    const fpi_pair_query q = {ws->xlo, ws->xhi, ws->ylo, ws->yhi, ws->blo, ws->bhi, ws->band_start, na, ws->bx, ws->by};
    const int nc = ws->k->pair_scan(&q, ws->cand);
    for (int h = 0; h < nc; h++) {
        const int j = ws->cand[h] >> 8, k = ws->order[ws->cand[h] & 255];
        /* The direction first: an integer test that rejects about half. */
        const int da = ang_diff((a->minutiae[j].angle + ws->mrot[j]) & 255, b->minutiae[k].angle);
        if (da > angle_tol) continue;
        const float dx = b->px[k] - ws->mx[j], dy = b->py[k] - ws->my[j];
        const float d2 = dx * dx + dy * dy;
        if (d2 > ws->tol2[j]) continue;
        if (np == cap) continue;
        out[np].a = (uint16_t)j;
        out[np].b = (uint16_t)k;
        out[np].cost = (uint16_t)(sqrtf(d2 / ws->tol2[j]) * 128.0f + (float)(da * 127 / angle_tol));
        np++;
    }
    sort_pairs(ws, out, np);
    memset(ws->used_a, 0, (size_t)na);
    memset(ws->used_b, 0, (size_t)nb);
    int m = 0, sum = 0;
    for (int p = 0; p < np; p++) {
        if (ws->used_a[out[p].a] || ws->used_b[out[p].b]) continue;
        ws->used_a[out[p].a] = ws->used_b[out[p].b] = 1;
        out[m++] = out[p];
        sum += out[p].cost;
    }
    *cost_sum = sum;
    return m;
}

/* Edge i of t's hull (to vertex i + 1), for the outside test at a margin. */
typedef struct hull_edge {
    float ex, ey, hx, hy, lim;
} hull_edge;

static inline hull_edge hull_edge_of(const fp_template *t, int i, float margin)
{
    const int k = i + 1 == t->hull_n ? 0 : i + 1;
    hull_edge e;
    e.ex = (float)(t->hull_x[k] - t->hull_x[i]);
    e.ey = (float)(t->hull_y[k] - t->hull_y[i]);
    e.hx = (float)t->hull_x[i];
    e.hy = (float)t->hull_y[i];
    e.lim = margin * margin * (e.ex * e.ex + e.ey * e.ey);
    return e;
}

/* Whether (x, y) lies beyond the edge by more than the margin (the hull turns counter-clockwise). */
static inline int beyond_edge(const hull_edge *e, float x, float y)
{
    const float cr = e->ex * (y - e->hy) - e->ey * (x - e->hx);
    return (cr < 0) & (cr * cr > e->lim);
}

/*
 * What a minutia weighs in the count of minutiae inside the common area, in
 * 64ths: 64 at quality FPI_WEIGHT_Q1 and above, falling linearly to
 * FPI_WEIGHT_MIN at FPI_WEIGHT_Q0 and below (docs/matcher.md, "Quality in
 * the score"). Unclear minutiae are often invented by the enhancement
 * (smudged, wet or dry skin), so a genuine comparison that cannot pair
 * them loses less.
 */
#define FPI_WEIGHT_Q0 50
#define FPI_WEIGHT_Q1 95
#define FPI_WEIGHT_MIN 6
static inline int quality_weight(int q)
{
    if (q >= FPI_WEIGHT_Q1) return 64;
    const int w = (q - FPI_WEIGHT_Q0) * 64 / (FPI_WEIGHT_Q1 - FPI_WEIGHT_Q0);
    return w < FPI_WEIGHT_MIN ? FPI_WEIGHT_MIN : w;
}

/*
 * Fills w[0..n) with the weights of t's first n minutiae, relative to its
 * best one (the first: templates are in quality order): a template whose
 * qualities do not spread (another extractor's, or none reported) weighs
 * every minutia fully, as before the weighting.
 */
static void load_weights(const fp_template *t, int n, int32_t *w)
{
    const int top = n ? quality_weight(t->minutiae[0].quality) : 64;
    for (int p = 0; p < n; p++) w[p] = quality_weight(t->minutiae[p].quality) * 64 / top;
}

/*
 * The weight (in 64ths) of the n points (ws->mx, ws->my), weighing w[p],
 * that lie inside t's hull grown by margin pixels: fpi_inside_hull for all
 * of them at once, edge by edge, in a loop over the points that the
 * compiler vectorises.
 */
static int32_t weight_inside(fpi_match_ws *ws, const fp_template *t, int n, float margin, const int32_t *w)
{
    int32_t all = 0;
    for (int p = 0; p < n; p++) all += w[p];
    if (t->hull_n < 3) return all;
    const float *restrict px = ws->mx, *restrict py = ws->my;
    int32_t *restrict out = ws->outside;
    memset(out, 0, (size_t)n * sizeof(*out));
    for (int i = 0; i < t->hull_n; i++) {
        const hull_edge e = hull_edge_of(t, i, margin);
        for (int p = 0; p < n; p++) out[p] |= beyond_edge(&e, px[p], py[p]);
    }
    for (int p = 0; p < n; p++) all -= out[p] * w[p];
    return all;
}

/* The elastic pass (docs/matcher.md, "Distortion"). */
#define ELASTIC_SIGMA2 (60.0f * 60.0f) /* reach of a control pair's influence, px^2 */
#define ELASTIC_PRIOR 0.1f             /* weight of "no displacement" in the residual field */
#define ELASTIC_REG 0.05f              /* pull of each local affine map towards the rotation */
#define ELASTIC_OUTLIER 15.0f          /* a control's residual against its neighbours', px */
#define ELASTIC_VOTES 3                /* votes a pair the rigid alignment lacked needs to count */
#define ELASTIC_MAX_RAW 500            /* rigid scores above this are left as they are */
#define ELASTIC_WEIGHT 0.625          /* what a pair only the deformation explains counts */
#define VOTE_GAIN 0.1  /* pairs added per edge vote of the paired minutiae above VOTE_MID, on average */
#define VOTE_MID 3.0   /* the mean votes that leave the pair count as it is */
#define NEAR_GAIN 0.1  /* what a loose pair the tight pass did not keep adds to the pair count */

/* The raw score of pairs m (possibly fractional) among common weighed
 * minutiae (nA + nB + 6): m times the fraction of the common minutiae they
 * explain, at the comparison's rate, in hundredths. */
static inline uint32_t pair_score(double m, double common, double rate)
{
    return (uint32_t)lrint(100.0 * rate * m * (2.0 * m / common));
}

/* The kernel that weighs a control pair at squared distance d2. */
static inline float elastic_weight(float d2)
{
    const float q = 1.0f / (1.0f + d2 / ELASTIC_SIGMA2);
    return q * q;
}

/*
 * Drops the control pairs whose residual (rx, ry) disagrees with the
 * kernel-weighted mean of the others' by more than ELASTIC_OUTLIER px;
 * returns how many are left (compacted in place).
 */
/* Controls are pairs of compared minutiae and the map moves compared
 * minutiae: both at most FP_MATCH_MINUTIAE_MAX, which sizes the stack
 * arrays below (the comparison's stack on ARM: docs/embedded.md). */
static int drop_outliers(int n, int16_t *cx, int16_t *cy, float *rx, float *ry, float *ra)
{
    uint8_t ok[FP_MATCH_MINUTIAE_MAX];
    for (int p = 0; p < n; p++) {
        float sw = ELASTIC_PRIOR, sx = 0, sy = 0;
        for (int q = 0; q < n; q++) {
            if (q == p) continue;
            const float dx = (float)(cx[q] - cx[p]), dy = (float)(cy[q] - cy[p]);
            const float w = elastic_weight(dx * dx + dy * dy);
            sw += w;
            sx += w * rx[q];
            sy += w * ry[q];
        }
        const float ex = rx[p] - sx / sw, ey = ry[p] - sy / sw;
        ok[p] = ex * ex + ey * ey <= ELASTIC_OUTLIER * ELASTIC_OUTLIER;
    }
    int keep = 0;
    for (int p = 0; p < n; p++)
        if (ok[p]) {
            cx[keep] = cx[p];
            cy[keep] = cy[p];
            rx[keep] = rx[p];
            ry[keep] = ry[p];
            ra[keep] = ra[p];
            keep++;
        }
    return keep;
}

/*
 * Maps a's n minutiae (ax, ay) through the moving-least-squares affine map
 * of the k control pairs (a's positions cx, cy; b's qx, qy; direction
 * residuals ra): for each minutia, an affine map fitted to the controls
 * weighted by their nearness, pulled towards the rotation (c, s) so that
 * a few controls in a line cannot fold it. Writes the images to (ws->mx,
 * ws->my), the squared pairing tolerances to ws->tol2 and the directions'
 * turns (rot plus the weighted direction residual) to ws->mrot. The loops
 * run over the minutiae with a control fixed, so the compiler vectorises
 * them.
 */
static void mls_map(fpi_match_ws *ws, int n, const float *restrict ax, const float *restrict ay, int k,
                    const float *cx, const float *cy, const float *qx, const float *qy, const float *ra, float c,
                    float s, int rot)
{
    float sw[FP_MATCH_MINUTIAE_MAX], spx[FP_MATCH_MINUTIAE_MAX], spy[FP_MATCH_MINUTIAE_MAX], sqx[FP_MATCH_MINUTIAE_MAX],
        sqy[FP_MATCH_MINUTIAE_MAX], sa[FP_MATCH_MINUTIAE_MAX], d2m[FP_MATCH_MINUTIAE_MAX];
    float m11[FP_MATCH_MINUTIAE_MAX], m12[FP_MATCH_MINUTIAE_MAX], m22[FP_MATCH_MINUTIAE_MAX];
    float b11[FP_MATCH_MINUTIAE_MAX], b12[FP_MATCH_MINUTIAE_MAX], b21[FP_MATCH_MINUTIAE_MAX], b22[FP_MATCH_MINUTIAE_MAX];
    for (int j = 0; j < n; j++) sw[j] = spx[j] = spy[j] = sqx[j] = sqy[j] = sa[j] = 0, d2m[j] = 1e30f;
    for (int p = 0; p < k; p++) {
        const float px = cx[p], py = cy[p], pqx = qx[p], pqy = qy[p], pa = ra[p];
        for (int j = 0; j < n; j++) {
            const float dx = px - ax[j], dy = py - ay[j], d2 = dx * dx + dy * dy;
            const float w = elastic_weight(d2);
            sw[j] += w;
            spx[j] += w * px;
            spy[j] += w * py;
            sqx[j] += w * pqx;
            sqy[j] += w * pqy;
            sa[j] += w * pa;
            d2m[j] = d2 < d2m[j] ? d2 : d2m[j];
        }
    }
    /* Centroids, then the moments about them: A = M^-1 B with
     * M = sum w p p^T + r I and B = sum w p q^T + r R (p, q centred, row
     * vectors: q = p A, R the rotation); r is ELASTIC_REG of the weight
     * spread over a 20 px radius. */
    for (int j = 0; j < n; j++) {
        const float inv = 1.0f / sw[j], r = ELASTIC_REG * sw[j] * 400.0f;
        spx[j] *= inv;
        spy[j] *= inv;
        sqx[j] *= inv;
        sqy[j] *= inv;
        m11[j] = r;
        m12[j] = 0;
        m22[j] = r;
        b11[j] = r * c;
        b12[j] = r * s;
        b21[j] = -r * s;
        b22[j] = r * c;
    }
    for (int p = 0; p < k; p++) {
        const float px0 = cx[p], py0 = cy[p], qx0 = qx[p], qy0 = qy[p];
        for (int j = 0; j < n; j++) {
            const float dx = px0 - ax[j], dy = py0 - ay[j];
            const float w = elastic_weight(dx * dx + dy * dy);
            const float px = px0 - spx[j], py = py0 - spy[j], qx_ = qx0 - sqx[j], qy_ = qy0 - sqy[j];
            m11[j] += w * px * px;
            m12[j] += w * px * py;
            m22[j] += w * py * py;
            b11[j] += w * px * qx_;
            b12[j] += w * px * qy_;
            b21[j] += w * py * qx_;
            b22[j] += w * py * qy_;
        }
    }
    for (int j = 0; j < n; j++) {
        const float det = m11[j] * m22[j] - m12[j] * m12[j];
        const float i11 = m22[j] / det, i12 = -m12[j] / det, i22 = m11[j] / det;
        const float a11 = i11 * b11[j] + i12 * b21[j], a12 = i11 * b12[j] + i12 * b22[j];
        const float a21 = i12 * b11[j] + i22 * b21[j], a22 = i12 * b12[j] + i22 * b22[j];
        const float vx = ax[j] - spx[j], vy = ay[j] - spy[j];
        ws->mx[j] = vx * a11 + vy * a21 + sqx[j];
        ws->my[j] = vx * a12 + vy * a22 + sqy[j];
        const float tol = FPI_MIN(TOL0 + TOLS * sqrtf(d2m[j]), TOLM);
        ws->tol2[j] = tol * tol;
    }
    for (int j = 0; j < n; j++) ws->mrot[j] = (uint8_t)((rot + (int)lrintf(sa[j] / (sw[j] + ELASTIC_PRIOR))) & 255);
}

/* How far b's minutia ib turns beyond a's ia under rotation rot, in
 * 256ths of a turn, -128..127. */
static inline float dir_residual(const fp_template *a, const fp_template *b, int ia, int ib, int rot)
{
    const int d = (b->minutiae[ib].angle - a->minutiae[ia].angle - rot) & 255;
    return (float)(d >= 128 ? d - 256 : d);
}

/* Whether an elastic pair counts: the rigid alignment has it too, or the
 * two neighbourhoods agreed (ELASTIC_VOTES). rigid_of: a's minutia -> its
 * rigid partner in b, + 1. */
static inline int kept_pair(const fpi_match_ws *ws, fpi_pair q, const uint8_t *rigid_of, int nb)
{
    return rigid_of[q.a] == q.b + 1 || ws->votes[q.a * nb + q.b] >= ELASTIC_VOTES;
}

/* How many of ws->pairs[0 .. n) count (kept_pair). */
static int count_kept(const fpi_match_ws *ws, int n, const uint8_t *rigid_of, int nb)
{
    int kept = 0;
    for (int p = 0; p < n; p++) kept += kept_pair(ws, ws->pairs[p], rigid_of, nb);
    return kept;
}

/*
 * The elastic pass: how many pairs a smooth deformation around the rigid
 * alignment t finds, counting only pairs the rigid alignment also has
 * (ws->best[0 .. m)) or whose neighbourhoods agreed (ELASTIC_VOTES).
 * Controls are the first pass's pairs of the winning seed (loose
 * tolerances, loose[0 .. n)), less those that disagree with their
 * neighbours; a's minutiae are mapped
 * through the moving-least-squares map of the controls and paired with
 * the tight tolerances; when that pairs more than the rigid alignment,
 * once more with those pairs as the controls. ws->best is left as it is.
 */
static int elastic_pairs(fpi_match_ws *ws, const fp_template *a, const fp_template *b, const xform *t, int m,
                         const fpi_pair *loose, int n)
{
    const int na = fpi_match_count(a), nb = fpi_match_count(b);
    int16_t cx[FP_MATCH_MINUTIAE_MAX], cy[FP_MATCH_MINUTIAE_MAX];
    float rx[FP_MATCH_MINUTIAE_MAX], ry[FP_MATCH_MINUTIAE_MAX], ra[FP_MATCH_MINUTIAE_MAX];
    int cost;
    const float c = t->c, s = t->s;
    for (int p = 0; p < n; p++) {
        const int ia = loose[p].a, ib = loose[p].b;
        cx[p] = a->px[ia];
        cy[p] = a->py[ia];
        rx[p] = b->px[ib] - (c * cx[p] - s * cy[p] + t->tx);
        ry[p] = b->py[ib] - (s * cx[p] + c * cy[p] + t->ty);
        ra[p] = dir_residual(a, b, ia, ib, t->rot);
    }
    n = drop_outliers(n, cx, cy, rx, ry, ra);
    /* A deformation needs more consistent controls than the rigid
     * alignment's pairs to explain more than they do. */
    if (n <= m) return m;
    float fcx[FP_MATCH_MINUTIAE_MAX], fcy[FP_MATCH_MINUTIAE_MAX], qx[FP_MATCH_MINUTIAE_MAX], qy[FP_MATCH_MINUTIAE_MAX];
    float ax[FP_MATCH_MINUTIAE_MAX], ay[FP_MATCH_MINUTIAE_MAX];
    for (int p = 0; p < n; p++) {
        fcx[p] = cx[p];
        fcy[p] = cy[p];
        qx[p] = c * fcx[p] - s * fcy[p] + t->tx + rx[p];
        qy[p] = s * fcx[p] + c * fcy[p] + t->ty + ry[p];
    }
    for (int j = 0; j < na; j++) {
        ax[j] = a->px[j];
        ay[j] = a->py[j];
    }
    mls_map(ws, na, ax, ay, n, fcx, fcy, qx, qy, ra, c, s, t->rot);
    set_boxes(ws, na);
    n = pair_queries(ws, a, na, b, ANG2, ws->pairs, &cost);
    uint8_t rigid_of[FP_MATCH_MINUTIAE_MAX]; /* a's minutia -> its rigid partner in b, + 1 */
    memset(rigid_of, 0, (size_t)na);
    for (int p = 0; p < m; p++) rigid_of[ws->best[p].a] = (uint8_t)(ws->best[p].b + 1);
    int kept = count_kept(ws, n, rigid_of, nb);
    if (kept > m) {
        /* Once more, with the pairs just kept as the controls: they reach
         * further out than the first pass's pairs did, where the skin
         * moved most (docs/matcher.md, "Distortion"). */
        int k = 0;
        for (int p = 0; p < n; p++) {
            const fpi_pair q = ws->pairs[p];
            if (!kept_pair(ws, q, rigid_of, nb)) continue;
            fcx[k] = a->px[q.a];
            fcy[k] = a->py[q.a];
            qx[k] = b->px[q.b];
            qy[k] = b->py[q.b];
            ra[k] = dir_residual(a, b, q.a, q.b, t->rot);
            k++;
        }
        mls_map(ws, na, ax, ay, k, fcx, fcy, qx, qy, ra, c, s, t->rot);
        set_boxes(ws, na);
        n = pair_queries(ws, a, na, b, ANG2, ws->pairs, &cost);
        const int again = count_kept(ws, n, rigid_of, nb);
        if (again > kept) kept = again;
    }
    return kept;
}

uint32_t FPI_MATCH_VARIANT(fpi_match_align)(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al)
{
    const int na = fpi_match_count(a), nb = fpi_match_count(b);
    if (al) al->pairs = 0;
    if (na < 3 || nb < 3) return 0;
    vote(ws, a, b);
    fpi_pair seeds[FPI_SEEDS];
    int ns = pick_seeds(ws, na, nb, seeds);
    if (!ns) return 0;
    /* Pass 1: every seed's alignment, loose tolerances, refined by least
     * squares; among the first FP_MATCH_MINUTIAE minutiae of each template
     * only (the rest, on large clear prints, from pass 2 on). */
    const int na1 = FPI_MIN(na, FP_MATCH_MINUTIAE), nb1 = FPI_MIN(nb, FP_MATCH_MINUTIAE);
    load_positions(ws, b, nb1);
    xform cand_t[FPI_SEEDS];
    int cand_m[FPI_SEEDS], top1 = 0;
    for (int si = 0; si < ns; si++) {
        int cost;
        cand_t[si] = seed_xform(ws, a, b, seeds[si]);
        cand_m[si] = pair_minutiae(ws, a, na1, b, &cand_t[si], 12.0f, 0.07f, 30.0f, PAIR_ANGLE_TOL, ws->pairs, &cost);
        memcpy(ws->loose[si], ws->pairs, (size_t)cand_m[si] * sizeof(fpi_pair));
        if (cand_m[si] >= 3) refine_xform(a, b, ws->pairs, cand_m[si], &cand_t[si]);
        if (cand_m[si] > top1) top1 = cand_m[si];
    }
    if (nb1 < nb) load_positions(ws, b, nb);
    /* Pass 2, tight tolerances, for the alignments that can still win. */
    int best_m = -1, best_cost = 0, best_si = 0;
    xform best_t = {1, 0, 0, 0, 0, 0, 0};
    for (int si = 0; si < ns; si++) {
        if (cand_m[si] < 3 || 4 * cand_m[si] < 3 * top1) continue;
        /* Fewer first-pass pairs than the best tight count so far: such an
         * alignment rarely pairs more under the tight tolerances (6 of
         * 18,960 scores on the six sets moved when this came in). */
        if (cand_m[si] < best_m) continue;
        int dup = 0;
        for (int sj = 0; sj < si && !dup; sj++) {
            if (cand_m[sj] < 3 || 4 * cand_m[sj] < 3 * top1) continue;
            const xform *u = &cand_t[si], *v = &cand_t[sj];
            dup = u->rot == v->rot && fabsf(u->tx - v->tx) < SAME_SHIFT && fabsf(u->ty - v->ty) < SAME_SHIFT &&
                  fabsf(u->ox - v->ox) < SAME_CENTRE && fabsf(u->oy - v->oy) < SAME_CENTRE;
        }
        if (dup) continue;
        int cost;
        int m = pair_minutiae(ws, a, na, b, &cand_t[si], TOL0, TOLS, TOLM, ANG2, ws->pairs, &cost);
        if (m > best_m || (m == best_m && cost < best_cost)) {
            best_m = m;
            best_cost = cost;
            best_t = cand_t[si];
            best_si = si;
            memcpy(ws->best, ws->pairs, (size_t)m * sizeof(fpi_pair));
        }
    }
    if (best_m < 0) best_m = 0;
    /* Local support: paired minutiae whose neighbourhoods also agreed. */
    int supported = 0, vote_sum = 0;
    for (int p = 0; p < best_m; p++) {
        const int v = ws->votes[ws->best[p].a * nb + ws->best[p].b];
        supported += v > 0;
        vote_sum += v;
    }
    /* Minutiae of each template inside the other's area, under the alignment. */
    const float c = best_t.c, s = best_t.s;
    for (int j = 0; j < na; j++) {
        float x = a->px[j], y = a->py[j];
        ws->mx[j] = c * x - s * y + best_t.tx;
        ws->my[j] = s * x + c * y + best_t.ty;
    }
    int32_t weights[FP_MATCH_MINUTIAE_MAX];
    load_weights(a, na, weights);
    const int32_t in_a64 = weight_inside(ws, b, na, 10.0f, weights);
    for (int k = 0; k < nb; k++) {
        /* Inverse transform: rotate back by -theta after removing the translation. */
        float x = b->px[k] - best_t.tx, y = b->py[k] - best_t.ty;
        ws->mx[k] = c * x + s * y;
        ws->my[k] = -s * x + c * y;
    }
    load_weights(b, nb, weights);
    const int32_t in_b64 = weight_inside(ws, a, nb, 10.0f, weights);
    int m = best_m;
    if (al) {
        al->c = best_t.c;
        al->s = best_t.s;
        al->tx = best_t.tx;
        al->ty = best_t.ty;
        al->rot = best_t.rot;
        al->pairs = best_m > 0 ? (uint32_t)best_m : 0;
    }
    if (m < 3 || supported < 2) return 0;
    /* Paired minutiae count fully whatever their weight. */
    const double in_a = FPI_MAX(in_a64 / 64.0, (double)best_m), in_b = FPI_MAX(in_b64 / 64.0, (double)best_m);
    /* Chance pairs grow with the number of compared minutiae: a comparison
     * of wider templates (fpi_match_limit) counts its pairs at the rate of
     * FP_MATCH_MINUTIAE, so its impostor scores stay on the calibration
     * (docs/matcher.md, "Wider on clear prints"). */
    const double span = sqrt((double)na * (double)nb);
    const double rate = span > FP_MATCH_MINUTIAE ? FP_MATCH_MINUTIAE / span : 1.0;
    /* Local support: the pairs count VOTE_GAIN of a pair more (less) for
     * each edge vote their minutiae collected above (below) VOTE_MID on
     * average: neighbourhoods that agree are evidence the geometry alone
     * does not weigh (docs/matcher.md, "Local support and near misses in
     * the score"). */
    double shift = VOTE_GAIN * ((double)vote_sum / best_m - VOTE_MID);
    /* Near misses: first-pass pairs of the winning alignment (loose
     * tolerances) that the tight pass did not keep count NEAR_GAIN of a
     * pair each: skin that moved between the impressions leaves pairs
     * just beyond the tight tolerance (the same section). */
    if (cand_m[best_si] > best_m) shift += NEAR_GAIN * (cand_m[best_si] - best_m);
    /* The elastic pass's gate: the score of the rigid pairs alone. */
    const double common = (double)(in_a + in_b + 6);
    double me = m + shift;
    if (pair_score(m, common, rate) < ELASTIC_MAX_RAW) {
        /* Pairs that only a smooth deformation explains count five eighths
         * (ELASTIC_WEIGHT): they are weaker evidence than pairs under one
         * rigid motion. */
        const int e = elastic_pairs(ws, a, b, &best_t, best_m, ws->loose[best_si], cand_m[best_si]);
        if (e > m) me += ELASTIC_WEIGHT * (e - m);
    }
    return pair_score(me, common, rate);
}

#endif
