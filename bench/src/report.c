/*
 * report.c - JSON and Markdown output of accuracy results. See report.h.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

fp_status fp_eval_result_compute(const fp_eval_scores *scores,
                                 const double *thresholds,
                                 size_t threshold_count, fp_eval_result *out)
{
    if (!out)
        return FP_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->mean_extract_ms = NAN;
    out->mean_compare_us = NAN;
    if (!scores || (threshold_count && !thresholds) ||
        threshold_count > FP_EVAL_MAX_THRESHOLDS)
        return FP_ERR_INVALID_ARGUMENT;

    fp_status st = fp_eval_summarize(scores, &out->summary);
    if (st != FP_OK)
        return st;
    out->threshold_count = threshold_count;
    for (size_t i = 0; i < threshold_count; i++)
        out->thresholds[i] = thresholds[i];
    st = fp_eval_rates_at(scores, thresholds, threshold_count, out->fmr_at,
                          out->fnmr_at);
    if (st != FP_OK)
        return st;

    size_t n = fp_eval_det_count(scores), got = 0;
    fp_eval_point *full = malloc(n * sizeof *full);
    fp_eval_point *thin = malloc(FP_EVAL_REPORT_DET_MAX * sizeof *thin);
    if (!full || !thin) {
        free(full);
        free(thin);
        return FP_ERR_NO_MEMORY;
    }
    st = fp_eval_det(scores, full, n, &got);
    if (st == FP_OK)
        st = fp_eval_det_thin(full, got, FP_EVAL_REPORT_DET_MAX, thin, &got);
    free(full);
    if (st != FP_OK) {
        free(thin);
        return st;
    }
    out->det = thin;
    out->det_count = got;
    out->owned = thin;
    return FP_OK;
}

void fp_eval_result_clear(fp_eval_result *result)
{
    if (!result)
        return;
    free(result->owned);
    memset(result, 0, sizeof *result);
}

/* cJSON leaves the item with the caller when adding fails; these helpers
 * free it so every failure path is a plain "return 0". */
static int add_item(cJSON *obj, const char *name, cJSON *item)
{
    if (!item)
        return 0;
    if (!cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return 0;
    }
    return 1;
}

static int push_item(cJSON *arr, cJSON *item)
{
    if (!item)
        return 0;
    if (!cJSON_AddItemToArray(arr, item)) {
        cJSON_Delete(item);
        return 0;
    }
    return 1;
}

/* JSON has no NaN or infinity: unknown or unbounded values become null. */
static cJSON *number_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static int add_number(cJSON *obj, const char *name, double v)
{
    return add_item(obj, name, number_or_null(v));
}

static int add_string(cJSON *obj, const char *name, const char *s)
{
    return add_item(obj, name, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

static int add_rates(cJSON *obj, const char *name, const fp_eval_result *r,
                     const double *rates)
{
    cJSON *m = cJSON_CreateObject();
    if (!add_item(obj, name, m))
        return 0;
    for (size_t i = 0; i < r->threshold_count; i++) {
        char key[40];
        snprintf(key, sizeof key, "%g", r->thresholds[i]);
        if (!add_number(m, key, rates[i]))
            return 0;
    }
    return 1;
}

static int add_det(cJSON *obj, const fp_eval_result *r)
{
    const fp_eval_point *pts = r->det;
    size_t n = r->det ? r->det_count : 0;
    fp_eval_point *thin = NULL;
    if (n > FP_EVAL_REPORT_DET_MAX) {
        thin = malloc(FP_EVAL_REPORT_DET_MAX * sizeof *thin);
        if (!thin ||
            fp_eval_det_thin(pts, n, FP_EVAL_REPORT_DET_MAX, thin, &n) != FP_OK) {
            free(thin);
            return 0;
        }
        pts = thin;
    }
    int ok = 0;
    cJSON *arr = cJSON_CreateArray();
    if (!add_item(obj, "det", arr))
        goto done;
    for (size_t i = 0; i < n; i++) {
        cJSON *pair = cJSON_CreateArray();
        if (!push_item(arr, pair) || !push_item(pair, number_or_null(pts[i].fmr)) ||
            !push_item(pair, number_or_null(pts[i].fnmr)))
            goto done;
    }
    ok = 1;
done:
    free(thin);
    return ok;
}

cJSON *fp_eval_result_to_json(const fp_eval_result *r)
{
    if (!r || r->threshold_count > FP_EVAL_MAX_THRESHOLDS)
        return NULL;
    const fp_eval_summary *s = &r->summary;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON *thr = NULL;
    int ok = add_string(o, "dataset", r->dataset) &&
             add_string(o, "protocol", r->protocol) &&
             add_number(o, "genuine_count", (double)s->genuine_count) &&
             add_number(o, "impostor_count", (double)s->impostor_count) &&
             add_number(o, "eer", s->eer) &&
             add_number(o, "eer_low", s->eer_low) &&
             add_number(o, "eer_high", s->eer_high) &&
             add_number(o, "fmr100", s->fmr100) &&
             add_number(o, "fmr1000", s->fmr1000) &&
             add_number(o, "zerofmr", s->zero_fmr) &&
             add_number(o, "zerofnmr", s->zero_fnmr) &&
             add_rates(o, "fmr_at", r, r->fmr_at) &&
             add_rates(o, "fnmr_at", r, r->fnmr_at) &&
             add_number(o, "fte_count", (double)r->fte_count) &&
             add_number(o, "mean_extract_ms", r->mean_extract_ms) &&
             add_number(o, "mean_compare_us", r->mean_compare_us) &&
             add_item(o, "thresholds", thr = cJSON_CreateObject()) &&
             add_number(thr, "eer", s->eer_threshold) &&
             add_number(thr, "fmr100", s->fmr100_threshold) &&
             add_number(thr, "fmr1000", s->fmr1000_threshold) &&
             add_number(thr, "zerofmr", s->zero_fmr_threshold) &&
             add_det(o, r);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

fp_status fp_eval_report_write(const char *path,
                               const fp_eval_result *results, size_t count)
{
    if (!path || (count && !results))
        return FP_ERR_INVALID_ARGUMENT;
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return FP_ERR_NO_MEMORY;
    for (size_t i = 0; i < count; i++) {
        if (!push_item(arr, fp_eval_result_to_json(&results[i]))) {
            cJSON_Delete(arr);
            return FP_ERR_NO_MEMORY;
        }
    }
    char *text = cJSON_Print(arr);
    cJSON_Delete(arr);
    if (!text)
        return FP_ERR_NO_MEMORY;
    fp_status st = FP_OK;
    FILE *fp = fopen(path, "w");
    if (!fp) {
        st = FP_ERR_IO;
    } else {
        size_t len = strlen(text);
        if (fwrite(text, 1, len, fp) != len || fputc('\n', fp) == EOF)
            st = FP_ERR_IO;
        if (fclose(fp) != 0)
            st = FP_ERR_IO;
    }
    cJSON_free(text);
    return st;
}

static void fmt_percent(char *buf, size_t n, double rate)
{
    if (isfinite(rate))
        snprintf(buf, n, "%.2f", rate * 100.0);
    else
        snprintf(buf, n, "n/a");
}

static void fmt_value(char *buf, size_t n, double v, int decimals)
{
    if (isfinite(v))
        snprintf(buf, n, "%.*f", decimals, v);
    else
        snprintf(buf, n, "n/a");
}

/* A '|' inside a cell would end it early. */
static void print_cell(FILE *out, const char *text)
{
    fputs(" ", out);
    for (const char *p = text ? text : "n/a"; *p; p++) {
        if (*p == '|')
            fputc('\\', out);
        fputc(*p, out);
    }
    fputs(" |", out);
}

fp_status fp_eval_report_markdown(FILE *out, const fp_eval_result *results,
                                  size_t count)
{
    if (!out || (count && !results))
        return FP_ERR_INVALID_ARGUMENT;
    fprintf(out, "| set | protocol | genuine | impostor | EER %% | FMR100 %% "
                 "| FMR1000 %% | ZeroFMR %% | FTE | extract ms | compare us |\n");
    fprintf(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < count; i++) {
        const fp_eval_result *r = &results[i];
        const fp_eval_summary *s = &r->summary;
        char eer[24], f100[24], f1000[24], zf[24], ext[24], cmp[24];
        fmt_percent(eer, sizeof eer, s->eer);
        fmt_percent(f100, sizeof f100, s->fmr100);
        fmt_percent(f1000, sizeof f1000, s->fmr1000);
        fmt_percent(zf, sizeof zf, s->zero_fmr);
        fmt_value(ext, sizeof ext, r->mean_extract_ms, 1);
        fmt_value(cmp, sizeof cmp, r->mean_compare_us, 1);
        fputs("|", out);
        print_cell(out, r->dataset);
        print_cell(out, r->protocol);
        fprintf(out, " %zu | %zu | %s | %s | %s | %s | %zu | %s | %s |\n",
                s->genuine_count, s->impostor_count, eer, f100, f1000, zf,
                r->fte_count, ext, cmp);
    }
    return ferror(out) ? FP_ERR_IO : FP_OK;
}
