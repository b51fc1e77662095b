/*
 * metrics.h - verification accuracy figures from lists of comparison scores.
 *
 * Pure computation: no I/O, no global state. All functions are reentrant; an
 * fp_eval_scores object is immutable after creation and may be read from
 * several threads at once.
 *
 * Definitions (they follow the FVC protocol: Maio et al., "FVC2000:
 * Fingerprint Verification Competition", IEEE TPAMI 24(3), 2002, and the
 * FVC2002/2004 performance-evaluation pages):
 *
 *  - Scores are similarities: higher means "more likely the same finger".
 *    A threshold t ACCEPTS a comparison when score >= t (ties accept).
 *  - NG = number of genuine scores, NI = number of impostor scores.
 *      FMR(t)  = #{impostor score >= t} / NI   (false match rate)
 *      FNMR(t) = #{genuine score  <  t} / NG   (false non-match rate)
 *    FMR is non-increasing and FNMR non-decreasing in t. A rate whose
 *    denominator is 0 is NaN, and so is every figure that needs it.
 *  - T, the set of candidate thresholds, is every distinct score value (of
 *    either set) plus +infinity ("reject everything": FMR = 0, FNMR = 1).
 *    Both rates are step functions that only change at score values, so T
 *    reaches every operating point a threshold can produce. Figures defined
 *    as "lowest X such that ..." are minima over T.
 *  - EER (FVC2000):
 *      t1 = max { t in T : FNMR(t) <= FMR(t) }
 *      t2 = min { t in T : FNMR(t) >= FMR(t) }
 *      if FNMR(t1) + FMR(t1) <= FMR(t2) + FNMR(t2)
 *           [EER_low, EER_high] = [FNMR(t1), FMR(t1)]
 *      else [EER_low, EER_high] = [FMR(t2), FNMR(t2)]
 *      EER = (EER_low + EER_high) / 2
 *    When the curves meet exactly (some t has FNMR = FMR) the interval has
 *    zero width. The comparisons are made on integer counts, so they are
 *    exact (no rounding of the rates).
 *  - FMR100   = min FNMR(t) over t in T with FMR(t) <= 1/100
 *    FMR1000  = min FNMR(t) over t in T with FMR(t) <= 1/1000
 *    ZeroFMR  = min FNMR(t) over t in T with FMR(t)  = 0
 *    ZeroFNMR = min FMR(t)  over t in T with FNMR(t) = 0
 *    The +infinity threshold guarantees the first three exist (worst case 1)
 *    and the smallest score value guarantees the last one does.
 *  - DET curve: the points (FMR(t), FNMR(t)) for every t in T, in
 *    increasing t order (FMR going down, FNMR going up).
 *  - Histogram: bin i counts scores s with edges[i] <= s < edges[i+1]; the
 *    last bin also takes s == edges[bins]. Scores outside go to the
 *    optional below / above counters.
 *
 * Scores must be finite (NaN cannot be ordered, and an infinite score would
 * make the "reject everything" threshold unreachable). Each list may hold at
 * most UINT32_MAX scores so that count products fit in 64 bits.
 */
#ifndef FP_BENCH_METRICS_H
#define FP_BENCH_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sorted copies of one experiment's genuine and impostor scores. */
typedef struct fp_eval_scores fp_eval_scores;

/* One point of a DET curve, with the threshold that produces it. */
typedef struct fp_eval_point {
    double fmr;
    double fnmr;
    double threshold; /* +INFINITY for the "reject everything" point */
} fp_eval_point;

/*
 * The single-number figures of one experiment. Rates are fractions in 0..1
 * (not percent); NaN when the needed score set is empty. Each *_threshold is
 * a threshold in T realising the figure, useful to pick operating points.
 */
typedef struct fp_eval_summary {
    size_t genuine_count;
    size_t impostor_count;
    double eer;
    double eer_low;
    double eer_high;
    double eer_threshold; /* the t1 or t2 chosen by the FVC rule */
    double fmr100;
    double fmr100_threshold;
    double fmr1000;
    double fmr1000_threshold;
    double zero_fmr;
    double zero_fmr_threshold;
    double zero_fnmr;
    double zero_fnmr_threshold;
} fp_eval_summary;

/*
 * Copy and sort the scores (O(n log n)) and tabulate the operating points.
 * genuine / impostor may be NULL when their count is 0. The arrays are
 * copied; the caller keeps ownership. On success *out receives an object the
 * caller frees with fp_eval_scores_destroy.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL out, NULL array with a non-zero
 * count, a non-finite score, a count above UINT32_MAX), FP_ERR_NO_MEMORY.
 */
fp_status fp_eval_scores_create(const float *genuine, size_t genuine_count,
                                const float *impostor, size_t impostor_count,
                                fp_eval_scores **out);

/* Free the object; NULL is accepted. */
void fp_eval_scores_destroy(fp_eval_scores *scores);

size_t fp_eval_genuine_count(const fp_eval_scores *scores);
size_t fp_eval_impostor_count(const fp_eval_scores *scores);

/* FMR(threshold) / FNMR(threshold) as defined above, O(log n). NaN when the
 * set is empty or scores is NULL. threshold may be any double, including
 * +-INFINITY; a NaN threshold gives NaN. */
double fp_eval_fmr(const fp_eval_scores *scores, double threshold);
double fp_eval_fnmr(const fp_eval_scores *scores, double threshold);

/*
 * Both rates at count thresholds (an FMR(t) "survival" table when the
 * thresholds are a grid). fmr_out / fnmr_out have room for count values;
 * either may be NULL when not wanted.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL scores, NULL thresholds with a
 * non-zero count).
 */
fp_status fp_eval_rates_at(const fp_eval_scores *scores,
                           const double *thresholds, size_t count,
                           double *fmr_out, double *fnmr_out);

/* Fill *out with EER, FMR100, FMR1000, ZeroFMR and ZeroFNMR, O(n).
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL argument). */
fp_status fp_eval_summarize(const fp_eval_scores *scores,
                            fp_eval_summary *out);

/* Number of DET points, |T| (at least 1). 0 when scores is NULL. */
size_t fp_eval_det_count(const fp_eval_scores *scores);

/*
 * Copy the DET curve into out (room for capacity points) and store the
 * number of points in *count. When capacity is too small nothing is copied,
 * *count still receives the needed size and FP_ERR_BUFFER_TOO_SMALL is
 * returned. With empty sets the corresponding rate is NaN in every point.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_BUFFER_TOO_SMALL.
 */
fp_status fp_eval_det(const fp_eval_scores *scores, fp_eval_point *out,
                      size_t capacity, size_t *count);

/*
 * Choose at most max_points of the count DET points so that a log-log plot
 * of the kept points looks like the full curve. Distances are measured in
 * (log10 FMR, log10 FNMR) space with rates clamped to 1e-6 (NaN counts as
 * the clamp). Walking the curve, a point is kept once the path since the
 * last kept point reaches a step length; the smallest step that keeps at
 * most max_points is found by bisection, so the budget is used even when a
 * few long jumps (typical near FMR = 0) hold most of the path. The first
 * and last points are always kept; order is preserved. Writes the kept
 * points to out (room for max_points) and their number to *out_count.
 * When count <= max_points all points are copied. O(count * 60).
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL pointers, max_points < 2).
 */
fp_status fp_eval_det_thin(const fp_eval_point *points, size_t count,
                           size_t max_points, fp_eval_point *out,
                           size_t *out_count);

/*
 * Histogram of count scores over bins bins given by bins + 1 strictly
 * increasing finite edges. counts has room for bins values and is
 * overwritten. below / above (may be NULL) receive the number of scores
 * under edges[0] or over edges[bins]. O(count * log bins).
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL arrays, bins == 0, bad edges,
 * non-finite score).
 */
fp_status fp_eval_histogram(const float *scores, size_t count,
                            const double *edges, size_t bins,
                            uint64_t *counts, uint64_t *below,
                            uint64_t *above);

/* Fill edges (room for bins + 1) with an equal-width grid from lo to hi.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL, bins == 0, !(lo < hi), non-finite). */
fp_status fp_eval_uniform_edges(double lo, double hi, size_t bins,
                                double *edges);

#ifdef __cplusplus
}
#endif

#endif /* FP_BENCH_METRICS_H */
