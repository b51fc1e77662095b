/*
 * fpbench search: gallery memory, 1:N latency and the decision rule's FPIR
 * on fast synthetic templates. See search_bench.h and docs/search.md.
 *
 * Labelling: synthetic finger i (impression 0) is enrolled as user i / 2,
 * finger i % 2, so users hold two fingers. Mated probes are impression 1 of
 * enrolled fingers; non-mated probes are impression 1 of synthetic fingers
 * numbered from NONMATED_BASE, never enrolled (think of them as the users'
 * other finger indices).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/synth.h"
#include "bench_util.h"
#include "search_bench.h"

#define MAX_LIST 16
#define NONMATED_BASE 50000000u
#define BATCH 1000u


static size_t heap_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

static int parse_list(const char *s, unsigned long *out, int *n)
{
    *n = 0;
    while (*s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || *n >= MAX_LIST || v == 0) return 0;
        out[(*n)++] = v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return 0;
    }
    return *n > 0;
}

static int cmp_ul(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int in_list(const unsigned long *l, int n, unsigned long v)
{
    for (int i = 0; i < n; i++)
        if (l[i] == v) return 1;
    return 0;
}

/* Enrols synthetic fingers [from, to) of seed. */
static int grow_gallery(fp_gallery *g, uint64_t seed, uint32_t from, uint32_t to)
{
    fp_template *batch[BATCH];
    for (uint32_t f = from; f < to; f += BATCH) {
        uint32_t m = to - f < BATCH ? to - f : BATCH;
        fp_status st = fp_synth_fast_batch(seed, f, m, 1, batch);
        if (st != FP_OK) {
            fprintf(stderr, "fpbench search: synthesis: %s\n", fp_status_message(st));
            return 0;
        }
        for (uint32_t i = 0; i < m && st == FP_OK; i++) {
            fp_gallery_id id = {(f + i) / 2, (uint8_t)((f + i) % 2)};
            st = fp_gallery_add(g, id, batch[i]);
        }
        for (uint32_t i = 0; i < m; i++) fp_template_destroy(batch[i]);
        if (st != FP_OK) {
            fprintf(stderr, "fpbench search: enrol: %s\n", fp_status_message(st));
            return 0;
        }
    }
    return 1;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: fpbench search [--sizes N,...] [--threads T,...] [--queries Q]\n"
            "                      [--fpir-sizes N,...|none] [--fpir-probes P] [--mated-probes M]\n"
            "                      [--threshold T] [--seed S]\n");
}

typedef struct opts {
    unsigned long sizes[MAX_LIST], threads[MAX_LIST], fpir_sizes[MAX_LIST];
    int n_sizes, n_threads, n_fpir;
    unsigned long queries, fpir_probes, mated_probes;
    float threshold;
    uint64_t seed;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof(*o));
    o->sizes[0] = 1000, o->sizes[1] = 10000, o->n_sizes = 2;
    o->threads[0] = 1, o->threads[1] = 2, o->n_threads = 2;
    o->fpir_sizes[0] = 1000, o->n_fpir = 1;
    o->queries = 5;
    o->fpir_probes = 1000;
    o->mated_probes = 200;
    o->threshold = 35.0f;
    o->seed = 1;
    for (int i = 0; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = v != NULL;
        if (!strcmp(a, "--sizes") && v)
            ok = parse_list(v, o->sizes, &o->n_sizes);
        else if (!strcmp(a, "--threads") && v)
            ok = parse_list(v, o->threads, &o->n_threads);
        else if (!strcmp(a, "--fpir-sizes") && v)
            ok = !strcmp(v, "none") ? (o->n_fpir = 0, 1) : parse_list(v, o->fpir_sizes, &o->n_fpir);
        else if (!strcmp(a, "--queries") && v)
            ok = (o->queries = strtoul(v, NULL, 10)) > 0;
        else if (!strcmp(a, "--fpir-probes") && v)
            ok = (o->fpir_probes = strtoul(v, NULL, 10)) > 0;
        else if (!strcmp(a, "--mated-probes") && v)
            ok = (o->mated_probes = strtoul(v, NULL, 10)) > 0;
        else if (!strcmp(a, "--threshold") && v)
            o->threshold = strtof(v, NULL);
        else if (!strcmp(a, "--seed") && v)
            o->seed = strtoull(v, NULL, 10);
        else
            ok = 0;
        if (!ok) return 0;
    }
    qsort(o->sizes, (size_t)o->n_sizes, sizeof(o->sizes[0]), cmp_ul);
    qsort(o->fpir_sizes, (size_t)o->n_fpir, sizeof(o->fpir_sizes[0]), cmp_ul);
    return 1;
}

/* Median and mean latency of `queries` mated queries with a pool of t threads. */
static int latency(const opts *o, const fp_gallery *g, fp_template **mated, size_t n_mated, unsigned long t,
                   double *median, double *mean)
{
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = (uint32_t)t;
    fp_identify_pool *pool = NULL;
    fp_status st = fp_identify_pool_create(&cfg, &pool);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench search: pool: %s\n", fp_status_message(st));
        return 0;
    }
    printf("  pool of %lu: %u pinned to a physical core\n", t, fp_identify_pool_pinned(pool));
    double *ms = calloc(o->queries, sizeof(double));
    if (!ms) {
        fp_identify_pool_destroy(pool);
        return 0;
    }
    double sum = 0;
    for (unsigned long q = 0; q < o->queries && st == FP_OK; q++) {
        fp_identify_candidate c[10];
        size_t n;
        fp_identify_decision d;
        double t0 = fpb_now_ms();
        st = fp_identify_parallel(pool, g, mated[q % n_mated], o->threshold, 10, c, &n, &d);
        ms[q] = fpb_now_ms() - t0;
        sum += ms[q];
    }
    qsort(ms, o->queries, sizeof(double), cmp_double);
    *median = ms[o->queries / 2];
    *mean = sum / (double)o->queries;
    free(ms);
    fp_identify_pool_destroy(pool);
    return st == FP_OK;
}

/* FPIR of non-mated probes and rank-1 / acceptance of mated probes, on the
 * largest thread count of the list (results do not depend on it). */
static int fpir(const opts *o, const fp_gallery *g, fp_template **nonmated, size_t n_mated, unsigned long n_gallery)
{
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    unsigned long tmax = 1;
    for (int i = 0; i < o->n_threads; i++) tmax = o->threads[i] > tmax ? o->threads[i] : tmax;
    cfg.threads = (uint32_t)tmax;
    fp_identify_pool *pool = NULL;
    fp_status st = fp_identify_pool_create(&cfg, &pool);
    if (st != FP_OK) return 0;
    size_t accepted = 0;
    float best_nonmated = 0;
    float *best = calloc(o->fpir_probes, sizeof(float));
    if (!best) {
        fp_identify_pool_destroy(pool);
        return 0;
    }
    double t0 = fpb_now_ms();
    for (unsigned long p = 0; p < o->fpir_probes && st == FP_OK; p++) {
        fp_identify_candidate c[1];
        size_t n;
        fp_identify_decision d;
        st = fp_identify_parallel(pool, g, nonmated[p], o->threshold, 1, c, &n, &d);
        if (st == FP_OK && d.accepted) accepted++;
        if (st == FP_OK && n && c[0].score > best_nonmated) best_nonmated = c[0].score;
        if (st == FP_OK && n) best[p] = c[0].score;
    }
    size_t rank1 = 0, mated_accepted = 0, evaluated = 0;
    for (size_t p = 0; p < n_mated && st == FP_OK; p++) {
        /* Mated probe p is synthetic finger p * n_gallery / n_mated. */
        uint32_t f = (uint32_t)((unsigned long)p * n_gallery / n_mated);
        fp_template *probe = NULL;
        st = fp_synth_fast_template(o->seed, f, 1, &probe);
        if (st != FP_OK) break;
        fp_identify_candidate c[1];
        size_t n;
        fp_identify_decision d;
        st = fp_identify_parallel(pool, g, probe, o->threshold, 1, c, &n, &d);
        fp_template_destroy(probe);
        if (st != FP_OK) break;
        evaluated++;
        int hit = n && c[0].id.user == f / 2 && c[0].id.finger == f % 2;
        rank1 += hit;
        mated_accepted += hit && d.accepted;
    }
    double secs = (fpb_now_ms() - t0) / 1e3;
    fp_identify_pool_destroy(pool);
    if (st != FP_OK) {
        free(best);
        return 0;
    }
    double expected = fp_score_to_fmr(o->threshold);
    printf("  FPIR at T=%.0f (per-comparison bar %.1f): %zu of %lu non-mated probes accepted = %.4f %% "
           "(rule aims at %.4f %%; best non-mated score %.1f)\n",
           o->threshold, fp_identify_threshold(o->threshold, n_gallery), accepted, o->fpir_probes,
           100.0 * (double)accepted / (double)o->fpir_probes, 100.0 * expected, best_nonmated);
    printf("  mated probes: rank-1 %zu of %zu = %.2f %%, rank-1 and accepted %zu = %.2f %% (FNIR at T %.2f %%)"
           "  [%.1f s, %lu threads]\n",
           rank1, evaluated, 100.0 * (double)rank1 / (double)evaluated, mated_accepted,
           100.0 * (double)mated_accepted / (double)evaluated,
           100.0 - 100.0 * (double)mated_accepted / (double)evaluated, secs, tmax);
    /* The same probes' best scores give the FPIR the rule yields at lower
     * thresholds too, where enough probes are accepted to compare with
     * the intended rate. */
    printf("  FPIR by 1:N threshold T (accepted when best >= T + 10 log10 N):\n");
    for (int t = 5; t <= 35; t += 5) {
        float bar = fp_identify_threshold((float)t, n_gallery);
        size_t above = 0;
        for (unsigned long p = 0; p < o->fpir_probes; p++) above += best[p] >= bar;
        printf("    T = %2d: bar %5.1f, FPIR %8.4f %% (%zu of %lu), intended %8.4f %%\n", t, bar,
               100.0 * (double)above / (double)o->fpir_probes, above, o->fpir_probes,
               100.0 * fp_score_to_fmr((float)t));
    }
    free(best);
    return 1;
}

int fpbench_search(int argc, char **argv)
{
    opts o;
    if (!parse(argc, argv, &o)) {
        usage();
        return 2;
    }
    unsigned long largest = o.sizes[o.n_sizes - 1];
    if (o.n_fpir && o.fpir_sizes[o.n_fpir - 1] > largest) largest = o.fpir_sizes[o.n_fpir - 1];
    if (largest >= NONMATED_BASE) {
        fprintf(stderr, "fpbench search: sizes must stay under %u\n", NONMATED_BASE);
        return 2;
    }

    int rc = 1;
    fp_gallery *g = NULL;
    fp_template **nonmated = calloc(o.fpir_probes, sizeof(*nonmated));
    size_t n_mated = o.queries < 16 ? 16 : o.queries;
    fp_template **mated = calloc(n_mated, sizeof(*mated));
    if (!nonmated || !mated) goto done;
    for (unsigned long p = 0; o.n_fpir && p < o.fpir_probes; p++)
        if (fp_synth_fast_template(o.seed, NONMATED_BASE + (uint32_t)p, 1, &nonmated[p]) != FP_OK) goto done;

    size_t heap0 = heap_bytes();
    if (fp_gallery_create(1024, &g) != FP_OK) goto done;
    printf("fpbench search: fast synthetic templates, seed %llu, top-10 queries, T = %.0f\n",
           (unsigned long long)o.seed, o.threshold);
    unsigned long have = 0;
    for (int si = 0, fi = 0; si < o.n_sizes || fi < o.n_fpir;) {
        unsigned long next;
        if (fi >= o.n_fpir || (si < o.n_sizes && o.sizes[si] <= o.fpir_sizes[fi]))
            next = o.sizes[si];
        else
            next = o.fpir_sizes[fi];
        while (si < o.n_sizes && o.sizes[si] == next) si++;
        while (fi < o.n_fpir && o.fpir_sizes[fi] == next) fi++;

        double t0 = fpb_now_ms();
        if (!grow_gallery(g, o.seed, (uint32_t)have, (uint32_t)next)) goto done;
        double gen_s = (fpb_now_ms() - t0) / 1e3;
        have = next;
        size_t heap = heap_bytes() - heap0;
        printf("N = %lu: %.0f bytes per finger (gallery's count), ", next, (double)fp_gallery_bytes(g) / (double)next);
        if (heap)
            printf("%.0f measured on the heap", (double)heap / (double)next);
        else
            printf("heap not measurable here");
        printf("; enrolled in %.1f s\n", gen_s);
        for (size_t q = 0; q < n_mated; q++) {
            fp_template_destroy(mated[q]);
            mated[q] = NULL;
            if (fp_synth_fast_template(o.seed, (uint32_t)(q * next / n_mated), 1, &mated[q]) != FP_OK) goto done;
        }
        if (in_list(o.sizes, o.n_sizes, next)) {
            for (int ti = 0; ti < o.n_threads; ti++) {
                double median, mean;
                if (!latency(&o, g, mated, n_mated, o.threads[ti], &median, &mean)) goto done;
                printf("  %lu thread%s: median %.1f ms per query, mean %.1f ms (%lu queries), %.0f comparisons/s\n",
                       o.threads[ti], o.threads[ti] > 1 ? "s" : "", median, mean, o.queries,
                       (double)next / (mean / 1e3));
            }
        }
        if (in_list(o.fpir_sizes, o.n_fpir, next) && !fpir(&o, g, nonmated, o.mated_probes, next)) goto done;
        fflush(stdout);
    }
    rc = 0;
done:
    if (rc) fprintf(stderr, "fpbench search: failed\n");
    for (unsigned long p = 0; nonmated && p < o.fpir_probes; p++) fp_template_destroy(nonmated[p]);
    free(nonmated);
    for (size_t q = 0; mated && q < n_mated; q++) fp_template_destroy(mated[q]);
    free(mated);
    fp_gallery_destroy(g);
    return rc;
}
