/*
 * test_metrics.c - accuracy figures on small hand-computed score lists.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "report.h"

#define EPS 1e-12
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static fp_eval_scores *make(const float *g, size_t ng, const float *i, size_t ni)
{
    fp_eval_scores *s = NULL;
    assert_int_equal(fp_eval_scores_create(g, ng, i, ni, &s), FP_OK);
    assert_non_null(s);
    return s;
}

static void summarize(const fp_eval_scores *s, fp_eval_summary *r)
{
    assert_int_equal(fp_eval_summarize(s, r), FP_OK);
}

/* Curves cross exactly at t = 0.6 where FMR = FNMR = 1/3. */
static void test_eer_exact_crossing(void **state)
{
    (void)state;
    const float g[] = {0.8f, 0.3f, 0.6f};
    const float i[] = {0.7f, 0.1f, 0.4f};
    fp_eval_scores *s = make(g, 3, i, 3);
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer, 1.0 / 3, EPS);
    assert_float_equal(r.eer_low, 1.0 / 3, EPS);
    assert_float_equal(r.eer_high, 1.0 / 3, EPS);
    assert_float_equal(r.eer_threshold, 0.6f, EPS);
    assert_int_equal(r.genuine_count, 3);
    assert_int_equal(r.impostor_count, 3);
    fp_eval_scores_destroy(s);
}

/*
 * gen {0.5, 0.9}, imp {0.2, 0.6, 0.7}:
 *   t    .2   .5   .6   .7   .9   inf
 *  FNMR  0    0    1/2  1/2  1/2  1
 *  FMR   1    2/3  2/3  1/3  0    0
 * t1 = .6 (sum 7/6), t2 = .7 (sum 5/6) -> [FMR(t2), FNMR(t2)] = [1/3, 1/2].
 */
static void test_eer_interval(void **state)
{
    (void)state;
    const float g[] = {0.9f, 0.5f};
    const float i[] = {0.6f, 0.2f, 0.7f};
    fp_eval_scores *s = make(g, 2, i, 3);
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer_low, 1.0 / 3, EPS);
    assert_float_equal(r.eer_high, 0.5, EPS);
    assert_float_equal(r.eer, 5.0 / 12, EPS);
    assert_float_equal(r.eer_threshold, 0.7f, EPS);
    /* ZeroFMR: first t with FMR 0 is 0.9 -> FNMR 1/2. */
    assert_float_equal(r.zero_fmr, 0.5, EPS);
    assert_float_equal(r.zero_fmr_threshold, 0.9f, EPS);
    /* ZeroFNMR: last t with FNMR 0 is 0.5 -> FMR 2/3. */
    assert_float_equal(r.zero_fnmr, 2.0 / 3, EPS);
    assert_float_equal(r.zero_fnmr_threshold, 0.5f, EPS);
    fp_eval_scores_destroy(s);
}

/* The other branch of the FVC rule, where t1's pair has the smaller sum.
 * gen {0.5, 0.6, 0.6, 0.9}, imp {0.3, 0.55, 0.7}:
 *   t    .3   .5   .55  .6   .7   .9   inf
 *  FNMR  0    0    1/4  1/4  3/4  3/4  1
 *  FMR   1    2/3  2/3  1/3  1/3  0    0
 * t1 = .6 (1/4 <= 1/3, sum 7/12); t2 = .7 (3/4 >= 1/3, sum 13/12)
 * -> [FNMR(t1), FMR(t1)] = [1/4, 1/3].
 */
static void test_eer_t1_branch(void **state)
{
    (void)state;
    const float g[] = {0.6f, 0.5f, 0.9f, 0.6f};
    const float i[] = {0.55f, 0.7f, 0.3f};
    fp_eval_scores *s = make(g, 4, i, 3);
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer_low, 0.25, EPS);
    assert_float_equal(r.eer_high, 1.0 / 3, EPS);
    assert_float_equal(r.eer, (0.25 + 1.0 / 3) / 2, EPS);
    assert_float_equal(r.eer_threshold, 0.6f, EPS);
    fp_eval_scores_destroy(s);
}

/* A threshold equal to a score accepts it, in both sets. */
static void test_ties_accept(void **state)
{
    (void)state;
    const float g[] = {0.5f, 0.5f, 0.7f};
    const float i[] = {0.5f, 0.3f};
    fp_eval_scores *s = make(g, 3, i, 2);
    assert_float_equal(fp_eval_fmr(s, 0.5), 0.5, EPS);
    assert_float_equal(fp_eval_fnmr(s, 0.5), 0.0, EPS);
    assert_float_equal(fp_eval_fmr(s, 0.50001), 0.0, EPS);
    assert_float_equal(fp_eval_fnmr(s, 0.50001), 2.0 / 3, EPS);
    assert_float_equal(fp_eval_fmr(s, -INFINITY), 1.0, EPS);
    assert_float_equal(fp_eval_fnmr(s, INFINITY), 1.0, EPS);
    assert_true(isnan(fp_eval_fmr(s, NAN)));

    /* Distinct values .3 .5 .7 plus +inf. */
    assert_int_equal(fp_eval_det_count(s), 4);
    fp_eval_point det[4];
    size_t n = 0;
    assert_int_equal(fp_eval_det(s, det, 4, &n), FP_OK);
    assert_int_equal(n, 4);
    const double want_fmr[] = {1.0, 0.5, 0.0, 0.0};
    const double want_fnmr[] = {0.0, 0.0, 2.0 / 3, 1.0};
    for (size_t k = 0; k < 4; k++) {
        assert_float_equal(det[k].fmr, want_fmr[k], EPS);
        assert_float_equal(det[k].fnmr, want_fnmr[k], EPS);
    }
    assert_true(isinf(det[3].threshold) && det[3].threshold > 0);

    /* EER: t1 = .5 (0 <= 1/2, sum 1/2), t2 = .7 (2/3 >= 0, sum 2/3). */
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer_low, 0.0, EPS);
    assert_float_equal(r.eer_high, 0.5, EPS);
    assert_float_equal(r.eer, 0.25, EPS);
    fp_eval_scores_destroy(s);
}

static void test_perfect_separation(void **state)
{
    (void)state;
    const float g[] = {0.9f, 0.8f};
    const float i[] = {0.2f, 0.1f};
    fp_eval_scores *s = make(g, 2, i, 2);
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer, 0.0, EPS);
    assert_float_equal(r.eer_low, 0.0, EPS);
    assert_float_equal(r.eer_high, 0.0, EPS);
    assert_float_equal(r.fmr100, 0.0, EPS);
    assert_float_equal(r.fmr1000, 0.0, EPS);
    assert_float_equal(r.zero_fmr, 0.0, EPS);
    assert_float_equal(r.zero_fnmr, 0.0, EPS);
    assert_float_equal(r.zero_fmr_threshold, 0.8f, EPS);
    fp_eval_scores_destroy(s);
}

/* Identical distributions: no threshold separates anything. */
static void test_total_overlap(void **state)
{
    (void)state;
    const float g[] = {0.5f, 0.5f};
    const float i[] = {0.5f, 0.5f, 0.5f};
    fp_eval_scores *s = make(g, 2, i, 3);
    fp_eval_summary r;
    summarize(s, &r);
    /* T = {.5, inf}: (FNMR, FMR) = (0, 1) and (1, 0); sums tie -> t1. */
    assert_float_equal(r.eer_low, 0.0, EPS);
    assert_float_equal(r.eer_high, 1.0, EPS);
    assert_float_equal(r.eer, 0.5, EPS);
    assert_float_equal(r.fmr100, 1.0, EPS);
    assert_float_equal(r.zero_fmr, 1.0, EPS);
    assert_float_equal(r.zero_fnmr, 1.0, EPS);
    assert_true(isinf(r.zero_fmr_threshold));
    fp_eval_scores_destroy(s);
}

/* Genuine scores entirely below impostors: everything is wrong. */
static void test_inverted(void **state)
{
    (void)state;
    const float g[] = {1.0f, 2.0f};
    const float i[] = {3.0f, 4.0f};
    fp_eval_scores *s = make(g, 2, i, 2);
    fp_eval_summary r;
    summarize(s, &r);
    /* t 1: (0, 1); 2: (1/2, 1); 3: (1, 1); 4: (1, 1/2); inf (1, 0).
     * t1 = 3 (1 <= 1) and equality -> EER 1. */
    assert_float_equal(r.eer, 1.0, EPS);
    assert_float_equal(r.eer_low, 1.0, EPS);
    assert_float_equal(r.eer_high, 1.0, EPS);
    assert_float_equal(r.zero_fnmr, 1.0, EPS);
    fp_eval_scores_destroy(s);
}

/*
 * 1000 impostors with scores 0..999; genuine {985, 990.5, 995, 998.5, 1001}.
 *  FMR(t) = (1000 - ceil(t)) / 1000 for t in 0..1000.
 *  FMR100: FMR <= 1% first at t = 990 -> FNMR = 1/5.
 *  FMR1000: FMR <= 0.1% first at t = 998.5 (only 999 accepted) -> 3/5.
 *  ZeroFMR: first t > 999 in T is 1001 -> 4/5.
 *  ZeroFNMR: last t with FNMR 0 is 985 -> FMR 15/1000.
 */
static void test_fvc_figures(void **state)
{
    (void)state;
    float imp[1000];
    for (int k = 0; k < 1000; k++)
        imp[k] = (float)((k * 7919) % 1000); /* shuffled 0..999 */
    const float g[] = {998.5f, 985.0f, 1001.0f, 990.5f, 995.0f};
    fp_eval_scores *s = make(g, 5, imp, 1000);
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.fmr100, 0.2, EPS);
    assert_float_equal(r.fmr100_threshold, 990.0, EPS);
    assert_float_equal(r.fmr1000, 0.6, EPS);
    assert_float_equal(r.fmr1000_threshold, 998.5, EPS);
    assert_float_equal(r.zero_fmr, 0.8, EPS);
    assert_float_equal(r.zero_fmr_threshold, 1001.0, EPS);
    assert_float_equal(r.zero_fnmr, 0.015, EPS);
    assert_float_equal(r.zero_fnmr_threshold, 985.0, EPS);
    /* The FMR bound is inclusive: exactly 1% (t = 990) qualifies. */
    assert_float_equal(fp_eval_fmr(s, 990.0), 0.01, EPS);

    const double thr[] = {20, 30, 40, 990, 1000.5};
    double fmr[5], fnmr[5];
    assert_int_equal(fp_eval_rates_at(s, thr, 5, fmr, fnmr), FP_OK);
    const double want_fmr[] = {0.98, 0.97, 0.96, 0.01, 0.0};
    const double want_fnmr[] = {0.0, 0.0, 0.0, 0.2, 0.8};
    for (size_t k = 0; k < 5; k++) {
        assert_float_equal(fmr[k], want_fmr[k], EPS);
        assert_float_equal(fnmr[k], want_fnmr[k], EPS);
    }
    /* Either output may be omitted. */
    assert_int_equal(fp_eval_rates_at(s, thr, 5, NULL, fnmr), FP_OK);
    assert_int_equal(fp_eval_rates_at(s, thr, 5, fmr, NULL), FP_OK);
    fp_eval_scores_destroy(s);
}

static void test_empty_sets(void **state)
{
    (void)state;
    const float i[] = {0.1f, 0.4f};
    fp_eval_scores *s = make(NULL, 0, i, 2);
    fp_eval_summary r;
    summarize(s, &r);
    assert_true(isnan(r.eer) && isnan(r.eer_low) && isnan(r.eer_high));
    assert_true(isnan(r.fmr100) && isnan(r.zero_fmr) && isnan(r.zero_fnmr));
    assert_true(isnan(fp_eval_fnmr(s, 0.2)));
    assert_float_equal(fp_eval_fmr(s, 0.2), 0.5, EPS);
    assert_int_equal(r.genuine_count, 0);
    assert_int_equal(r.impostor_count, 2);
    size_t n = 0;
    fp_eval_point det[3];
    assert_int_equal(fp_eval_det(s, det, 3, &n), FP_OK);
    assert_int_equal(n, 3);
    assert_true(isnan(det[0].fnmr));
    assert_float_equal(det[0].fmr, 1.0, EPS);
    fp_eval_scores_destroy(s);

    s = make(NULL, 0, NULL, 0);
    summarize(s, &r);
    assert_true(isnan(r.eer));
    assert_true(isnan(fp_eval_fmr(s, 0.0)));
    assert_int_equal(fp_eval_det_count(s), 1);
    fp_eval_scores_destroy(s);

    const float g[] = {0.3f};
    s = make(g, 1, NULL, 0);
    summarize(s, &r);
    assert_true(isnan(r.eer) && isnan(r.zero_fnmr));
    assert_float_equal(fp_eval_fnmr(s, 0.31), 1.0, EPS);
    fp_eval_scores_destroy(s);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    fp_eval_scores *s = (fp_eval_scores *)&s;
    const float ok[] = {0.1f};
    const float bad[] = {0.1f, NAN};
    const float inf[] = {INFINITY};
    assert_int_equal(fp_eval_scores_create(ok, 1, ok, 1, NULL),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_scores_create(NULL, 1, ok, 1, &s),
                     FP_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(fp_eval_scores_create(bad, 2, ok, 1, &s),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_scores_create(ok, 1, inf, 1, &s),
                     FP_ERR_INVALID_ARGUMENT);
    assert_null(s);
    fp_eval_summary r;
    assert_int_equal(fp_eval_summarize(NULL, &r), FP_ERR_INVALID_ARGUMENT);
    assert_true(isnan(fp_eval_fmr(NULL, 0.0)));
    assert_int_equal(fp_eval_det_count(NULL), 0);
    fp_eval_scores_destroy(NULL);

    s = make(ok, 1, ok, 1);
    fp_eval_point p[1];
    size_t n = 0;
    assert_int_equal(fp_eval_det(s, p, 1, &n), FP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
    assert_int_equal(fp_eval_rates_at(s, NULL, 2, NULL, NULL),
                     FP_ERR_INVALID_ARGUMENT);
    fp_eval_scores_destroy(s);
}

/* Input order must not matter, and the FNMR/FMR curves from the DET must
 * agree with direct counting at every threshold. */
static void test_det_matches_brute_force(void **state)
{
    (void)state;
    enum { NG = 300, NI = 2000 };
    float *g = malloc(NG * sizeof *g);
    float *i = malloc(NI * sizeof *i);
    assert_non_null(g);
    assert_non_null(i);
    uint32_t x = 12345;
    for (int k = 0; k < NG; k++) {
        x = x * 1103515245u + 12345u;
        g[k] = (float)((x >> 16) % 60 + 30); /* integer scores: many ties */
    }
    for (int k = 0; k < NI; k++) {
        x = x * 1103515245u + 12345u;
        i[k] = (float)((x >> 16) % 50);
    }
    fp_eval_scores *s = make(g, NG, i, NI);
    size_t n = fp_eval_det_count(s);
    fp_eval_point *det = malloc(n * sizeof *det);
    assert_non_null(det);
    size_t got = 0;
    assert_int_equal(fp_eval_det(s, det, n, &got), FP_OK);
    for (size_t k = 0; k < n; k++) {
        double t = det[k].threshold;
        size_t fa = 0, fr = 0;
        for (int j = 0; j < NI; j++)
            fa += i[j] >= t;
        for (int j = 0; j < NG; j++)
            fr += g[j] < t;
        assert_float_equal(det[k].fmr, (double)fa / NI, EPS);
        assert_float_equal(det[k].fnmr, (double)fr / NG, EPS);
        if (k > 0) {
            assert_true(det[k].threshold > det[k - 1].threshold);
            assert_true(det[k].fmr <= det[k - 1].fmr);
            assert_true(det[k].fnmr >= det[k - 1].fnmr);
        }
    }
    /* Brute-force FVC EER over the same T, on exact integer counts. */
    size_t t1 = 0, t2 = n - 1;
    for (size_t k = 0; k < n; k++) {
        long fr = lround(det[k].fnmr * NG), fa = lround(det[k].fmr * NI);
        if (fr * NI <= fa * NG)
            t1 = k;
    }
    for (size_t k = n; k-- > 0;) {
        long fr = lround(det[k].fnmr * NG), fa = lround(det[k].fmr * NI);
        if (fr * NI >= fa * NG)
            t2 = k;
    }
    double lo, hi;
    if (det[t1].fnmr + det[t1].fmr <= det[t2].fmr + det[t2].fnmr) {
        lo = det[t1].fnmr;
        hi = det[t1].fmr;
    } else {
        lo = det[t2].fmr;
        hi = det[t2].fnmr;
    }
    fp_eval_summary r;
    summarize(s, &r);
    assert_float_equal(r.eer_low, lo, EPS);
    assert_float_equal(r.eer_high, hi, EPS);
    assert_true(r.eer_low <= r.eer_high);

    /* Thinning keeps the ends, order, and the size bound. */
    fp_eval_point thin[20];
    size_t tn = 0;
    assert_int_equal(fp_eval_det_thin(det, n, 20, thin, &tn), FP_OK);
    assert_true(tn >= 2 && tn <= 20);
    assert_float_equal(thin[0].threshold, det[0].threshold, 0);
    assert_true(isinf(thin[tn - 1].threshold));
    for (size_t k = 1; k < tn; k++)
        assert_true(thin[k].threshold > thin[k - 1].threshold);

    fp_eval_point few[200];
    assert_int_equal(fp_eval_det_thin(det, 5, 200, few, &tn), FP_OK);
    assert_int_equal(tn, 5);
    assert_int_equal(fp_eval_det_thin(det, n, 1, thin, &tn),
                     FP_ERR_INVALID_ARGUMENT);

    free(det);
    fp_eval_scores_destroy(s);
    free(g);
    free(i);
}

static void test_histogram(void **state)
{
    (void)state;
    double edges[5];
    assert_int_equal(fp_eval_uniform_edges(0.0, 40.0, 4, edges), FP_OK);
    assert_float_equal(edges[0], 0.0, 0);
    assert_float_equal(edges[2], 20.0, EPS);
    assert_float_equal(edges[4], 40.0, 0);
    const float v[] = {-1.0f, 0.0f, 9.99f, 10.0f, 25.0f, 39.9f, 40.0f, 40.5f,
                       10.0f};
    uint64_t c[4], below = 99, above = 99;
    assert_int_equal(fp_eval_histogram(v, N_OF(v), edges, 4, c, &below, &above),
                     FP_OK);
    assert_int_equal(c[0], 2); /* 0, 9.99 */
    assert_int_equal(c[1], 2); /* 10, 10 */
    assert_int_equal(c[2], 1); /* 25 */
    assert_int_equal(c[3], 2); /* 39.9 and the top edge 40 */
    assert_int_equal(below, 1);
    assert_int_equal(above, 1);
    assert_int_equal(fp_eval_histogram(NULL, 0, edges, 4, c, NULL, NULL),
                     FP_OK);
    assert_int_equal(c[0] + c[1] + c[2] + c[3], 0);

    const double bad_edges[] = {0.0, 1.0, 1.0};
    assert_int_equal(fp_eval_histogram(v, 1, bad_edges, 2, c, NULL, NULL),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_histogram(v, 1, edges, 0, c, NULL, NULL),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_uniform_edges(1.0, 1.0, 4, edges),
                     FP_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* report.c                                                                 */
/* ------------------------------------------------------------------------ */

static double num(const cJSON *o, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    assert_non_null(it);
    assert_true(cJSON_IsNumber(it));
    return it->valuedouble;
}

/* The same data as test_fvc_figures, through the JSON round trip. */
static void make_result(fp_eval_scores **s, fp_eval_result *r)
{
    static float imp[1000];
    for (int k = 0; k < 1000; k++)
        imp[k] = (float)k;
    const float g[] = {998.5f, 985.0f, 1001.0f, 990.5f, 995.0f};
    *s = make(g, 5, imp, 1000);
    const double thr[] = {20, 30, 40, 990};
    assert_int_equal(fp_eval_result_compute(*s, thr, 4, r), FP_OK);
    r->dataset = "FVC2002/DB1_B";
    r->protocol = "fvc";
    r->fte_count = 2;
    r->mean_extract_ms = 12.5;
    r->mean_compare_us = 40.25;
}

static void test_report_json(void **state)
{
    (void)state;
    fp_eval_scores *s;
    fp_eval_result r;
    make_result(&s, &r);
    /* 1000 distinct impostor values + 5 genuine + inf: thinned, yet the
     * point budget is mostly used. */
    assert_true(r.det_count <= FP_EVAL_REPORT_DET_MAX);
    assert_true(r.det_count > FP_EVAL_REPORT_DET_MAX / 2);

    cJSON *o = fp_eval_result_to_json(&r);
    assert_non_null(o);
    char *text = cJSON_PrintUnformatted(o);
    assert_non_null(text);
    cJSON_Delete(o);
    cJSON *p = cJSON_Parse(text);
    cJSON_free(text);
    assert_non_null(p);

    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(p, "dataset");
    assert_true(cJSON_IsString(ds));
    assert_string_equal(ds->valuestring, "FVC2002/DB1_B");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(p, "protocol")->valuestring, "fvc");
    assert_float_equal(num(p, "genuine_count"), 5, 0);
    assert_float_equal(num(p, "impostor_count"), 1000, 0);
    assert_float_equal(num(p, "fmr100"), 0.2, EPS);
    assert_float_equal(num(p, "fmr1000"), 0.6, EPS);
    assert_float_equal(num(p, "zerofmr"), 0.8, EPS);
    assert_float_equal(num(p, "zerofnmr"), 0.015, EPS);
    assert_float_equal(num(p, "eer"), r.summary.eer, EPS);
    assert_float_equal(num(p, "eer_low"), r.summary.eer_low, EPS);
    assert_float_equal(num(p, "eer_high"), r.summary.eer_high, EPS);
    assert_true(num(p, "eer_low") <= num(p, "eer_high"));
    assert_float_equal(num(p, "fte_count"), 2, 0);
    assert_float_equal(num(p, "mean_extract_ms"), 12.5, EPS);
    assert_float_equal(num(p, "mean_compare_us"), 40.25, EPS);

    const cJSON *fa = cJSON_GetObjectItemCaseSensitive(p, "fmr_at");
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(p, "fnmr_at");
    assert_true(cJSON_IsObject(fa) && cJSON_IsObject(fr));
    assert_int_equal(cJSON_GetArraySize(fa), 4);
    assert_float_equal(num(fa, "20"), 0.98, EPS);
    assert_float_equal(num(fa, "30"), 0.97, EPS);
    assert_float_equal(num(fa, "40"), 0.96, EPS);
    assert_float_equal(num(fa, "990"), 0.01, EPS);
    assert_float_equal(num(fr, "990"), 0.2, EPS);
    assert_float_equal(num(fr, "20"), 0.0, EPS);

    const cJSON *thr = cJSON_GetObjectItemCaseSensitive(p, "thresholds");
    assert_float_equal(num(thr, "fmr100"), 990, EPS);

    const cJSON *det = cJSON_GetObjectItemCaseSensitive(p, "det");
    assert_true(cJSON_IsArray(det));
    int n = cJSON_GetArraySize(det);
    assert_true(n >= 2 && n <= FP_EVAL_REPORT_DET_MAX);
    const cJSON *first = cJSON_GetArrayItem(det, 0);
    const cJSON *last = cJSON_GetArrayItem(det, n - 1);
    assert_int_equal(cJSON_GetArraySize(first), 2);
    /* Ends of the curve: accept all (1, 0) and reject all (0, 1). */
    assert_float_equal(cJSON_GetArrayItem(first, 0)->valuedouble, 1.0, EPS);
    assert_float_equal(cJSON_GetArrayItem(first, 1)->valuedouble, 0.0, EPS);
    assert_float_equal(cJSON_GetArrayItem(last, 0)->valuedouble, 0.0, EPS);
    assert_float_equal(cJSON_GetArrayItem(last, 1)->valuedouble, 1.0, EPS);
    cJSON_Delete(p);
    fp_eval_result_clear(&r);
    assert_null(r.det);
    fp_eval_result_clear(NULL);
    fp_eval_scores_destroy(s);
}

/* Unknown figures are null, and a caller-made result with a long DET is
 * still thinned in the JSON. */
static void test_report_nulls_and_file(void **state)
{
    (void)state;
    const float i[] = {0.1f, 0.2f};
    fp_eval_scores *s = make(NULL, 0, i, 2);
    fp_eval_result r;
    const double thr[] = {0.15};
    assert_int_equal(fp_eval_result_compute(s, thr, 1, &r), FP_OK);
    r.protocol = "all-pairs";

    fp_eval_point many[500];
    for (int k = 0; k < 500; k++) {
        many[k].fmr = 1.0 - k / 499.0;
        many[k].fnmr = k / 499.0;
        many[k].threshold = k;
    }
    fp_eval_result caller = r;
    caller.det = many;
    caller.det_count = 500;
    caller.owned = NULL;
    caller.dataset = "synthetic | pipe";

    char dir[] = "/tmp/fp_report_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/report.json", dir);
    fp_eval_result both[2] = {r, caller};
    assert_int_equal(fp_eval_report_write(path, both, 2), FP_OK);

    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = 0;
    unlink(path);
    rmdir(dir);
    cJSON *p = cJSON_Parse(buf);
    assert_non_null(p);
    assert_true(cJSON_IsArray(p));
    assert_int_equal(cJSON_GetArraySize(p), 2);
    const cJSON *a = cJSON_GetArrayItem(p, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a, "eer")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a, "dataset")));
    assert_true(
        cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a, "mean_extract_ms")));
    const cJSON *fa = cJSON_GetObjectItemCaseSensitive(a, "fmr_at");
    assert_float_equal(num(fa, "0.15"), 0.5, EPS);
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(a, "fnmr_at");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(fr, "0.15")));
    const cJSON *b = cJSON_GetArrayItem(p, 1);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "det"));
    assert_true(n > FP_EVAL_REPORT_DET_MAX / 2 && n <= FP_EVAL_REPORT_DET_MAX);
    cJSON_Delete(p);

    assert_int_equal(fp_eval_report_write("/nonexistent-dir/r.json", &r, 1),
                     FP_ERR_IO);
    assert_int_equal(fp_eval_report_write(NULL, &r, 1),
                     FP_ERR_INVALID_ARGUMENT);

    /* Markdown: header, separator, one row per result. */
    char *md = NULL;
    size_t mdlen = 0;
    FILE *mf = open_memstream(&md, &mdlen);
    assert_non_null(mf);
    assert_int_equal(fp_eval_report_markdown(mf, both, 2), FP_OK);
    fclose(mf);
    assert_non_null(strstr(md, "| set | protocol | genuine | impostor | EER %"));
    assert_non_null(strstr(md, "| n/a | all-pairs | 0 | 2 | n/a |"));
    assert_non_null(strstr(md, "synthetic \\| pipe"));
    int lines = 0;
    for (char *c = md; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 4);
    free(md);

    fp_eval_result_clear(&r);
    fp_eval_scores_destroy(s);
}

static void test_report_markdown_values(void **state)
{
    (void)state;
    fp_eval_scores *s;
    fp_eval_result r;
    make_result(&s, &r);
    char *md = NULL;
    size_t mdlen = 0;
    FILE *mf = open_memstream(&md, &mdlen);
    assert_non_null(mf);
    assert_int_equal(fp_eval_report_markdown(mf, &r, 1), FP_OK);
    fclose(mf);
    char eer[32], row[256];
    snprintf(eer, sizeof eer, "%.2f", r.summary.eer * 100);
    snprintf(row, sizeof row,
             "| FVC2002/DB1_B | fvc | 5 | 1000 | %s | 20.00 | 60.00 | 80.00 "
             "| 2 | 12.5 | 40.2 |",
             eer);
    assert_non_null(strstr(md, row));
    free(md);
    fp_eval_result_clear(&r);
    fp_eval_scores_destroy(s);
    assert_int_equal(fp_eval_report_markdown(NULL, NULL, 0),
                     FP_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eer_exact_crossing),
        cmocka_unit_test(test_eer_interval),
        cmocka_unit_test(test_eer_t1_branch),
        cmocka_unit_test(test_ties_accept),
        cmocka_unit_test(test_perfect_separation),
        cmocka_unit_test(test_total_overlap),
        cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_fvc_figures),
        cmocka_unit_test(test_empty_sets),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_det_matches_brute_force),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_report_json),
        cmocka_unit_test(test_report_nulls_and_file),
        cmocka_unit_test(test_report_markdown_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
