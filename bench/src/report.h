/*
 * report.h - the benchmark's accuracy results as JSON (cJSON) and as a
 * Markdown table.
 *
 * JSON object of one result (rates are fractions 0..1, never percent; a
 * figure that cannot be computed, e.g. the EER with no impostor scores, is
 * null):
 *   { "dataset": "FVC2002/DB1_B", "protocol": "fvc" | "all-pairs",
 *     "genuine_count": n, "impostor_count": n,
 *     "eer": x, "eer_low": x, "eer_high": x,
 *     "fmr100": x, "fmr1000": x, "zerofmr": x, "zerofnmr": x,
 *     "fmr_at": {"20": x, ...}, "fnmr_at": {"20": x, ...},
 *     "fte_count": n, "mean_extract_ms": x, "mean_compare_us": x,
 *     "thresholds": {"eer": t, "fmr100": t, "fmr1000": t, "zerofmr": t},
 *     "det": [[fmr, fnmr], ...] }
 * Threshold keys are printed with "%g". "det" holds at most
 * FP_EVAL_REPORT_DET_MAX points (thinned with fp_eval_det_thin). The
 * "thresholds" member (score thresholds realising each figure; +infinity
 * prints as null) is an addition for choosing operating points.
 *
 * No global state; nothing is printed except by fp_eval_report_markdown to
 * the stream it is given.
 */
#ifndef FP_BENCH_REPORT_H
#define FP_BENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "fp/fp.h"
#include "metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FP_EVAL_MAX_THRESHOLDS 8
#define FP_EVAL_REPORT_DET_MAX 200

typedef struct fp_eval_result {
    const char *dataset;  /* borrowed; NULL prints as null */
    const char *protocol; /* borrowed; "fvc" or "all-pairs" */
    fp_eval_summary summary;
    size_t threshold_count; /* <= FP_EVAL_MAX_THRESHOLDS */
    double thresholds[FP_EVAL_MAX_THRESHOLDS];
    double fmr_at[FP_EVAL_MAX_THRESHOLDS];
    double fnmr_at[FP_EVAL_MAX_THRESHOLDS];
    size_t fte_count;       /* failures to enrol / extract */
    double mean_extract_ms; /* NaN when not measured */
    double mean_compare_us;
    /* DET curve; borrowed when set by the caller, owned (see owned) when
     * filled by fp_eval_result_compute. */
    const fp_eval_point *det;
    size_t det_count;
    void *owned; /* memory released by fp_eval_result_clear */
} fp_eval_result;

/*
 * Fill *out from scores: summary, FMR/FNMR at the threshold_count given
 * thresholds, and a DET curve thinned to at most FP_EVAL_REPORT_DET_MAX
 * points that *out owns. dataset, protocol, fte_count and the timings are
 * set to NULL / 0 / NaN for the caller to fill. Release with
 * fp_eval_result_clear.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL pointers, threshold_count above
 * FP_EVAL_MAX_THRESHOLDS), FP_ERR_NO_MEMORY.
 */
fp_status fp_eval_result_compute(const fp_eval_scores *scores,
                                 const double *thresholds,
                                 size_t threshold_count, fp_eval_result *out);

/* Free what fp_eval_result_compute allocated and zero the struct. NULL and
 * caller-filled results (owned == NULL) are accepted. */
void fp_eval_result_clear(fp_eval_result *result);

/* The JSON object above; the caller frees it with cJSON_Delete. NULL when
 * result is NULL or memory runs out. */
cJSON *fp_eval_result_to_json(const fp_eval_result *result);

/* Write a JSON array of count results to path (replacing the file).
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY, FP_ERR_IO. */
fp_status fp_eval_report_write(const char *path,
                               const fp_eval_result *results, size_t count);

/*
 * Print a GitHub Markdown table, one row per result: set, protocol,
 * genuine, impostor, EER %, FMR100 %, FMR1000 %, ZeroFMR %, FTE,
 * extract ms, compare us. Rates are printed as percent with 2 decimals;
 * unknown values as "n/a".
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL out, NULL results with count > 0),
 * FP_ERR_IO (the stream reported an error).
 */
fp_status fp_eval_report_markdown(FILE *out, const fp_eval_result *results,
                                  size_t count);

#ifdef __cplusplus
}
#endif

#endif /* FP_BENCH_REPORT_H */
