/*
 * metrics.c - FMR / FNMR, EER and the FVC figures. Definitions: metrics.h.
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fp_eval_scores {
    float *genuine; /* ascending */
    float *impostor; /* ascending */
    size_t ng;
    size_t ni;
    /* Operating points for each t in T, ascending t. Counts rather than
     * rates so the EER and FMR-bound comparisons are exact. */
    size_t npoints;
    double *thr;
    uint64_t *false_rejects; /* #genuine < thr */
    uint64_t *false_accepts; /* #impostor >= thr */
};

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a;
    float y = *(const float *)b;
    return (x > y) - (x < y);
}

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return 0;
    }
    return 1;
}

/* Sorted copy; NULL result with n > 0 means no memory. */
static float *sorted_copy(const float *v, size_t n)
{
    if (n == 0)
        return NULL;
    float *c = malloc(n * sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_float);
    return c;
}

/* Number of elements of the ascending array v that are < t. */
static size_t count_below(const float *v, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)v[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void tabulate(fp_eval_scores *s)
{
    size_t ig = 0, ii = 0, k = 0;
    /* Merge the two sorted lists, visiting each distinct value once. */
    while (ig < s->ng || ii < s->ni) {
        float v;
        if (ig < s->ng && (ii >= s->ni || s->genuine[ig] <= s->impostor[ii]))
            v = s->genuine[ig];
        else
            v = s->impostor[ii];
        /* ig / ii are now the counts strictly below v. */
        s->thr[k] = v;
        s->false_rejects[k] = ig;
        s->false_accepts[k] = s->ni - ii;
        k++;
        while (ig < s->ng && s->genuine[ig] == v)
            ig++;
        while (ii < s->ni && s->impostor[ii] == v)
            ii++;
    }
    s->thr[k] = INFINITY;
    s->false_rejects[k] = s->ng;
    s->false_accepts[k] = 0;
    s->npoints = k + 1;
}

fp_status fp_eval_scores_create(const float *genuine, size_t genuine_count,
                                const float *impostor, size_t impostor_count,
                                fp_eval_scores **out)
{
    if (!out)
        return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if ((genuine_count && !genuine) || (impostor_count && !impostor))
        return FP_ERR_INVALID_ARGUMENT;
    if (genuine_count > UINT32_MAX || impostor_count > UINT32_MAX)
        return FP_ERR_INVALID_ARGUMENT;
    if (!all_finite(genuine, genuine_count) ||
        !all_finite(impostor, impostor_count))
        return FP_ERR_INVALID_ARGUMENT;

    fp_eval_scores *s = calloc(1, sizeof *s);
    if (!s)
        return FP_ERR_NO_MEMORY;
    s->ng = genuine_count;
    s->ni = impostor_count;
    s->genuine = sorted_copy(genuine, genuine_count);
    s->impostor = sorted_copy(impostor, impostor_count);
    size_t cap = genuine_count + impostor_count + 1;
    s->thr = malloc(cap * sizeof *s->thr);
    s->false_rejects = malloc(cap * sizeof *s->false_rejects);
    s->false_accepts = malloc(cap * sizeof *s->false_accepts);
    if ((genuine_count && !s->genuine) || (impostor_count && !s->impostor) ||
        !s->thr || !s->false_rejects || !s->false_accepts) {
        fp_eval_scores_destroy(s);
        return FP_ERR_NO_MEMORY;
    }
    tabulate(s);
    *out = s;
    return FP_OK;
}

void fp_eval_scores_destroy(fp_eval_scores *scores)
{
    if (!scores)
        return;
    free(scores->genuine);
    free(scores->impostor);
    free(scores->thr);
    free(scores->false_rejects);
    free(scores->false_accepts);
    free(scores);
}

size_t fp_eval_genuine_count(const fp_eval_scores *scores)
{
    return scores ? scores->ng : 0;
}

size_t fp_eval_impostor_count(const fp_eval_scores *scores)
{
    return scores ? scores->ni : 0;
}

static double ratio(uint64_t num, size_t den)
{
    return den ? (double)num / (double)den : NAN;
}

double fp_eval_fmr(const fp_eval_scores *scores, double threshold)
{
    if (!scores || isnan(threshold))
        return NAN;
    size_t below = count_below(scores->impostor, scores->ni, threshold);
    return ratio(scores->ni - below, scores->ni);
}

double fp_eval_fnmr(const fp_eval_scores *scores, double threshold)
{
    if (!scores || isnan(threshold))
        return NAN;
    return ratio(count_below(scores->genuine, scores->ng, threshold),
                 scores->ng);
}

fp_status fp_eval_rates_at(const fp_eval_scores *scores,
                           const double *thresholds, size_t count,
                           double *fmr_out, double *fnmr_out)
{
    if (!scores || (count && !thresholds))
        return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < count; i++) {
        if (fmr_out)
            fmr_out[i] = fp_eval_fmr(scores, thresholds[i]);
        if (fnmr_out)
            fnmr_out[i] = fp_eval_fnmr(scores, thresholds[i]);
    }
    return FP_OK;
}

/* Lowest FNMR over the points whose FMR <= num/den (FMR = fa / NI). Since
 * FNMR grows with t and FMR shrinks, that is the first qualifying point. */
static size_t first_with_fmr_at_most(const fp_eval_scores *s, uint64_t num,
                                     uint64_t den)
{
    size_t k = 0;
    while (k + 1 < s->npoints && s->false_accepts[k] * den > num * s->ni)
        k++;
    return k;
}

fp_status fp_eval_summarize(const fp_eval_scores *scores, fp_eval_summary *out)
{
    if (!scores || !out)
        return FP_ERR_INVALID_ARGUMENT;
    const fp_eval_scores *s = scores;
    fp_eval_summary r = {
        .genuine_count = s->ng,
        .impostor_count = s->ni,
        .eer = NAN, .eer_low = NAN, .eer_high = NAN, .eer_threshold = NAN,
        .fmr100 = NAN, .fmr100_threshold = NAN,
        .fmr1000 = NAN, .fmr1000_threshold = NAN,
        .zero_fmr = NAN, .zero_fmr_threshold = NAN,
        .zero_fnmr = NAN, .zero_fnmr_threshold = NAN,
    };
    if (s->ng == 0 || s->ni == 0) {
        *out = r;
        return FP_OK;
    }

    /* FNMR <= FMR  <=>  fr * NI <= fa * NG; the difference of the two sides
     * is non-decreasing in t, so t1 ends a prefix and t2 starts a suffix. */
    size_t t1 = 0, t2 = s->npoints - 1;
    for (size_t k = 0; k < s->npoints; k++) {
        uint64_t lhs = s->false_rejects[k] * s->ni;
        uint64_t rhs = s->false_accepts[k] * s->ng;
        if (lhs <= rhs)
            t1 = k;
    }
    for (size_t k = s->npoints; k-- > 0;) {
        uint64_t lhs = s->false_rejects[k] * s->ni;
        uint64_t rhs = s->false_accepts[k] * s->ng;
        if (lhs >= rhs)
            t2 = k;
    }
    double fnmr1 = ratio(s->false_rejects[t1], s->ng);
    double fmr1 = ratio(s->false_accepts[t1], s->ni);
    double fnmr2 = ratio(s->false_rejects[t2], s->ng);
    double fmr2 = ratio(s->false_accepts[t2], s->ni);
    if (fnmr1 + fmr1 <= fmr2 + fnmr2) {
        r.eer_low = fnmr1;
        r.eer_high = fmr1;
        r.eer_threshold = s->thr[t1];
    } else {
        r.eer_low = fmr2;
        r.eer_high = fnmr2;
        r.eer_threshold = s->thr[t2];
    }
    r.eer = (r.eer_low + r.eer_high) / 2.0;

    size_t k = first_with_fmr_at_most(s, 1, 100);
    r.fmr100 = ratio(s->false_rejects[k], s->ng);
    r.fmr100_threshold = s->thr[k];
    k = first_with_fmr_at_most(s, 1, 1000);
    r.fmr1000 = ratio(s->false_rejects[k], s->ng);
    r.fmr1000_threshold = s->thr[k];
    k = first_with_fmr_at_most(s, 0, 1);
    r.zero_fmr = ratio(s->false_rejects[k], s->ng);
    r.zero_fmr_threshold = s->thr[k];

    /* Lowest FMR with no false rejects: the last point with fr == 0 (the
     * first point, the smallest score, always has fr == 0). */
    k = 0;
    while (k + 1 < s->npoints && s->false_rejects[k + 1] == 0)
        k++;
    r.zero_fnmr = ratio(s->false_accepts[k], s->ni);
    r.zero_fnmr_threshold = s->thr[k];

    *out = r;
    return FP_OK;
}

size_t fp_eval_det_count(const fp_eval_scores *scores)
{
    return scores ? scores->npoints : 0;
}

fp_status fp_eval_det(const fp_eval_scores *scores, fp_eval_point *out,
                      size_t capacity, size_t *count)
{
    if (!scores || !count || (capacity && !out))
        return FP_ERR_INVALID_ARGUMENT;
    *count = scores->npoints;
    if (capacity < scores->npoints)
        return FP_ERR_BUFFER_TOO_SMALL;
    for (size_t k = 0; k < scores->npoints; k++) {
        out[k].fmr = ratio(scores->false_accepts[k], scores->ni);
        out[k].fnmr = ratio(scores->false_rejects[k], scores->ng);
        out[k].threshold = scores->thr[k];
    }
    return FP_OK;
}

static double log_clamped(double v)
{
    /* NaN rates (empty set) compare false and land on the floor too. */
    return log10(v > 1e-6 ? v : 1e-6);
}

static double step_length(const fp_eval_point *a, const fp_eval_point *b)
{
    double dx = log_clamped(b->fmr) - log_clamped(a->fmr);
    double dy = log_clamped(b->fnmr) - log_clamped(a->fnmr);
    return sqrt(dx * dx + dy * dy);
}

/* Greedy walk: keep a point once the path since the last kept point is at
 * least step long. Returns the number kept (ends included); out may be
 * NULL to count only. */
static size_t thin_walk(const fp_eval_point *points, size_t count, double step,
                        fp_eval_point *out)
{
    size_t n = 0;
    if (out)
        out[n] = points[0];
    n++;
    double acc = 0.0;
    for (size_t i = 1; i + 1 < count; i++) {
        acc += step_length(&points[i - 1], &points[i]);
        if (acc >= step) {
            if (out)
                out[n] = points[i];
            n++;
            acc = 0.0;
        }
    }
    if (out)
        out[n] = points[count - 1];
    return n + 1;
}

fp_status fp_eval_det_thin(const fp_eval_point *points, size_t count,
                           size_t max_points, fp_eval_point *out,
                           size_t *out_count)
{
    if (!out_count || !out || (count && !points) || max_points < 2)
        return FP_ERR_INVALID_ARGUMENT;
    if (count <= max_points) {
        if (count)
            memcpy(out, points, count * sizeof *out);
        *out_count = count;
        return FP_OK;
    }
    double total = 0.0;
    for (size_t i = 1; i < count; i++)
        total += step_length(&points[i - 1], &points[i]);

    /* Smallest step whose walk fits: fixed equal marks would waste the
     * budget on curves with a few long jumps (common on log axes), so the
     * step is searched instead. A step above the total keeps only the ends. */
    double lo = 0.0, hi = 2.0 * total + 1.0;
    for (int iter = 0; iter < 60; iter++) {
        double mid = 0.5 * (lo + hi);
        if (thin_walk(points, count, mid, NULL) <= max_points)
            hi = mid;
        else
            lo = mid;
    }
    *out_count = thin_walk(points, count, hi, out);
    return FP_OK;
}

fp_status fp_eval_histogram(const float *scores, size_t count,
                            const double *edges, size_t bins,
                            uint64_t *counts, uint64_t *below,
                            uint64_t *above)
{
    if ((count && !scores) || !edges || !counts || bins == 0)
        return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i <= bins; i++) {
        if (!isfinite(edges[i]) || (i > 0 && !(edges[i - 1] < edges[i])))
            return FP_ERR_INVALID_ARGUMENT;
    }
    if (!all_finite(scores, count))
        return FP_ERR_INVALID_ARGUMENT;
    uint64_t under = 0, over = 0;
    memset(counts, 0, bins * sizeof *counts);
    for (size_t i = 0; i < count; i++) {
        double v = scores[i];
        if (v < edges[0]) {
            under++;
        } else if (v > edges[bins]) {
            over++;
        } else if (v == edges[bins]) {
            counts[bins - 1]++;
        } else {
            /* Last edge <= v: bin index is that edge's index. */
            size_t lo = 0, hi = bins;
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (edges[mid] <= v)
                    lo = mid;
                else
                    hi = mid;
            }
            counts[lo]++;
        }
    }
    if (below)
        *below = under;
    if (above)
        *above = over;
    return FP_OK;
}

fp_status fp_eval_uniform_edges(double lo, double hi, size_t bins,
                                double *edges)
{
    if (!edges || bins == 0 || !isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return FP_ERR_INVALID_ARGUMENT;
    double w = (hi - lo) / (double)bins;
    for (size_t i = 0; i < bins; i++)
        edges[i] = lo + w * (double)i;
    /* Exact top edge, so hi itself falls in the last bin. */
    edges[bins] = hi;
    return FP_OK;
}
