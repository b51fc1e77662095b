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
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/synth.h"
#include "fp/dataset.h"
#include "fp/fpio.h"
#include "plot.h"
#include <cjson/cJSON.h>
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
            "                      [--threshold T] [--seed S] [--shortlist auto|exhaustive|N]\n"
            "                      [--exhaustive-max N] [--real DIR,...] [--json FILE] [--plot FILE]\n"
            "                      [--gallery-file PATH [--gallery-file-replace] [--gallery-load copy|map]\n"
            "                       [--query-gallery heap|file]] [--real-max N]\n"
            "                      [--real-exhaustive-max N] [--shortlist-compare N] [--real-losses on|off]\n"
            "                      [--real-holdout K]\n"
            "       mpirun -np K fpbench search --mpi ...   (the sharded search: docs/search.md)\n");
}

typedef struct opts {
    unsigned long sizes[MAX_LIST], threads[MAX_LIST], fpir_sizes[MAX_LIST];
    int n_sizes, n_threads, n_fpir;
    unsigned long queries, fpir_probes, mated_probes;
    float threshold;
    uint64_t seed;
    size_t shortlist;         /* 0 = auto (fp_identify_shortlist_default) */
    int exhaustive_only;      /* --shortlist exhaustive */
    unsigned long exhaustive_max; /* also time the exhaustive scan up to this N */
    const char *real;         /* comma-separated FVC-layout folders mixed into the gallery */
    const char *json, *plot;
    const char *gallery_file; /* write each gallery to this file and time loading it */
    int gallery_replace;      /* the file may exist already (a gallery file: its content is replaced) */
    uint32_t gallery_load;    /* 0 (copy) or FP_GALLERY_FILE_MAP */
    int query_file;           /* time the queries on the gallery loaded from that file */
    unsigned long real_max;   /* evaluate the real probes up to this N */
    unsigned long real_exhaustive_max; /* and compare them with the exhaustive scan up to this N */
    size_t shortlist_cmp;     /* a second shortlist evaluated on the real probes (0 = none) */
    int real_losses;          /* above real_exhaustive_max: scan exhaustively the probes two-stage misses */
    unsigned long real_holdout; /* every K-th real subject is left out: its impressions are non-mated probes */
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
    o->exhaustive_max = 100000;
    o->real_max = 100000;
    o->real_exhaustive_max = 10000;
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
        else if (!strcmp(a, "--shortlist") && v) {
            if (!strcmp(v, "exhaustive"))
                o->exhaustive_only = 1;
            else if (strcmp(v, "auto") != 0)
                ok = (o->shortlist = strtoul(v, NULL, 10)) > 0;
        } else if (!strcmp(a, "--exhaustive-max") && v)
            o->exhaustive_max = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--real") && v)
            o->real = v;
        else if (!strcmp(a, "--json") && v)
            o->json = v;
        else if (!strcmp(a, "--plot") && v)
            o->plot = v;
        else if (!strcmp(a, "--shortlist-compare") && v)
            ok = (o->shortlist_cmp = strtoul(v, NULL, 10)) > 0;
        else if (!strcmp(a, "--real-exhaustive-max") && v)
            o->real_exhaustive_max = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--real-losses") && v)
            ok = !strcmp(v, "on") ? (o->real_losses = 1, 1) : !strcmp(v, "off") ? (o->real_losses = 0, 1) : 0;
        else if (!strcmp(a, "--real-max") && v)
            o->real_max = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--real-holdout") && v)
            ok = (o->real_holdout = strtoul(v, NULL, 10)) >= 2;
        else if (!strcmp(a, "--gallery-file") && v)
            o->gallery_file = v;
        else if (!strcmp(a, "--gallery-file-replace")) {
            o->gallery_replace = 1;
            i--; /* a flag without a value */
            ok = 1;
        } else if (!strcmp(a, "--gallery-load") && v)
            ok = !strcmp(v, "map") ? (o->gallery_load = FP_GALLERY_FILE_MAP, 1) : !strcmp(v, "copy");
        else if (!strcmp(a, "--query-gallery") && v)
            ok = !strcmp(v, "file") ? (o->query_file = 1, 1) : !strcmp(v, "heap") ? (o->query_file = 0, 1) : 0;
        else
            ok = 0;
        if (!ok) return 0;
    }
    if (o->query_file && !o->gallery_file) return 0;
    qsort(o->sizes, (size_t)o->n_sizes, sizeof(o->sizes[0]), cmp_ul);
    qsort(o->fpir_sizes, (size_t)o->n_fpir, sizeof(o->fpir_sizes[0]), cmp_ul);
    return 1;
}

/* Median and mean latency of `queries` mated queries with a pool of t threads,
 * and the mean CPU time per query (all threads). */
static int latency(const opts *o, const fp_gallery *g, fp_template **mated, size_t n_mated, unsigned long t,
                   int two_stage, double *median, double *mean, double *cpu)
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
    printf("  pool of %lu: %u pinned to a physical core, %u with memory bound to its NUMA node (%u node%s)\n", t,
           fp_identify_pool_pinned(pool), fp_identify_pool_membound(pool), fp_identify_pool_nodes(pool),
           fp_identify_pool_nodes(pool) == 1 ? "" : "s");
    double *ms = calloc(o->queries, sizeof(double));
    if (!ms) {
        fp_identify_pool_destroy(pool);
        return 0;
    }
    double sum = 0, cpu0 = fpb_cpu_ms();
    for (unsigned long q = 0; q < o->queries && st == FP_OK; q++) {
        fp_identify_candidate c[10];
        size_t n;
        fp_identify_decision d;
        double t0 = fpb_now_ms();
        if (two_stage)
            st = fp_identify_parallel_two_stage(pool, g, mated[q % n_mated], o->threshold, o->shortlist, 10, c, &n,
                                                &d);
        else
            st = fp_identify_parallel(pool, g, mated[q % n_mated], o->threshold, 10, c, &n, &d);
        ms[q] = fpb_now_ms() - t0;
        sum += ms[q];
    }
    *cpu = (fpb_cpu_ms() - cpu0) / (double)o->queries;
    if (two_stage && st == FP_OK) {
        /* Stage 1 alone: the same queries with a shortlist of one finger. */
        double s1 = 0, c1 = fpb_cpu_ms();
        for (unsigned long q = 0; q < o->queries && st == FP_OK; q++) {
            fp_identify_candidate c[1];
            size_t n;
            fp_identify_decision d;
            double t0 = fpb_now_ms();
            st = fp_identify_parallel_two_stage(pool, g, mated[q % n_mated], o->threshold, 1, 1, c, &n, &d);
            s1 += fpb_now_ms() - t0;
        }
        printf("    stage 1 alone (a shortlist of one): mean %.2f ms, CPU %.2f ms per query\n",
               s1 / (double)o->queries, (fpb_cpu_ms() - c1) / (double)o->queries);
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
        st = o->exhaustive_only ? fp_identify_parallel(pool, g, nonmated[p], o->threshold, 1, c, &n, &d)
                                : fp_identify_parallel_two_stage(pool, g, nonmated[p], o->threshold, o->shortlist, 1,
                                                                 c, &n, &d);
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
        st = o->exhaustive_only ? fp_identify_parallel(pool, g, probe, o->threshold, 1, c, &n, &d)
                                : fp_identify_parallel_two_stage(pool, g, probe, o->threshold, o->shortlist, 1, c, &n,
                                                                 &d);
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

/* Real fingers mixed into the gallery: impression 1 of every finger of each
 * set is enrolled (user REAL_BASE + finger number), the other impressions
 * are mated probes. With a holdout K, the fingers of every K-th subject
 * (subject number mod K == K - 1) are not enrolled and all their
 * impressions are real non-mated probes. */
#define REAL_BASE 60000000u
#define MAX_REAL 4096

typedef struct real_set {
    fp_template *enrol[MAX_REAL / 4];
    uint32_t enrol_user[MAX_REAL / 4];
    size_t n_enrol;
    fp_template *probe[MAX_REAL];
    uint32_t probe_user[MAX_REAL];
    size_t n_probe;
    fp_template *nonmated[MAX_REAL];
    size_t n_nonmated;
} real_set;

static int load_real(const char *list, unsigned long holdout, real_set *r)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    fp_context *ctx = NULL;
    if (fp_context_create(NULL, &ctx) != FP_OK) return 0;
    uint32_t finger_no = 0;
    for (char *dir = strtok(buf, ","); dir; dir = strtok(NULL, ",")) {
        fp_dataset *ds = NULL;
        fp_status st = fp_dataset_open(dir, FP_LAYOUT_AUTO, &ds);
        if (st != FP_OK) {
            fprintf(stderr, "fpbench search: %s: %s (skipped)\n", dir, fp_status_message(st));
            fp_dataset_destroy(ds);
            continue;
        }
        uint32_t base = finger_no, max_f = 0;
        for (size_t i = 0; i < fp_dataset_count(ds); i++) {
            const fp_sample *smp = fp_dataset_sample(ds, i);
            uint32_t f = base + smp->subject * 16u + smp->finger;
            if (f - base + 1 > max_f) max_f = f - base + 1;
            fp_io_image io;
            if (fp_io_load(smp->path, &io) != FP_OK) continue;
            uint32_t dpi = smp->dpi ? smp->dpi : fp_dataset_default_dpi(ds);
            fp_image im = {io.pixels, io.width, io.height, io.width, dpi ? dpi : 500};
            fp_template *t = NULL;
            st = fp_extract(ctx, &im, &t, NULL);
            fp_io_image_free(&io);
            if (st != FP_OK) continue; /* failure to extract: the probe counts as missed below only if enrolled */
            if (holdout && smp->subject % holdout == holdout - 1) {
                if (r->n_nonmated < MAX_REAL)
                    r->nonmated[r->n_nonmated++] = t;
                else
                    fp_template_destroy(t);
            } else if (smp->impression == 1 && r->n_enrol < MAX_REAL / 4) {
                r->enrol[r->n_enrol] = t;
                r->enrol_user[r->n_enrol++] = REAL_BASE + f;
            } else if (smp->impression != 1 && r->n_probe < MAX_REAL) {
                r->probe[r->n_probe] = t;
                r->probe_user[r->n_probe++] = REAL_BASE + f;
            } else {
                fp_template_destroy(t);
            }
        }
        finger_no += max_f;
        fp_dataset_destroy(ds);
    }
    fp_context_destroy(ctx);
    printf("real fingers: %zu enrolled, %zu mated probes, %zu non-mated probes (fingers not enrolled)\n", r->n_enrol,
           r->n_probe, r->n_nonmated);
    return r->n_enrol > 0;
}

static void free_real(real_set *r)
{
    for (size_t i = 0; i < r->n_enrol; i++) fp_template_destroy(r->enrol[i]);
    for (size_t i = 0; i < r->n_probe; i++) fp_template_destroy(r->probe[i]);
    for (size_t i = 0; i < r->n_nonmated; i++) fp_template_destroy(r->nonmated[i]);
}

typedef struct real_result {
    size_t rank1_ex, acc_ex, rank1_two, acc_two, agree, probes;
    size_t rank1_cmp, acc_cmp; /* the second shortlist (--shortlist-compare) */
    /* --real-losses: probes each shortlist misses, and of those the ones the exhaustive scan ranks first */
    size_t missed, losses, missed_cmp, losses_cmp;
    double ms_ex, ms_two;
    int have_ex;
    /* The top candidate's score of every probe (mated: negated when it is
     * not the mate), for FNIR at FPIR = 1 % against the real non-mated
     * probes; [0] two-stage, [1] exhaustive. */
    float mated_top[2][MAX_REAL], nonmated_top[2][MAX_REAL];
    double fnir_at_fpir[2], fpir_reached[2];
    size_t fpir_allowed;
} real_result;

static int cmp_float_desc(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/*
 * FNIR at FPIR = 1 % with candidate lists of one: the threshold lets at
 * most 1 % of the non-mated probes' top scores through (those strictly
 * above the next one down), and a mated probe is missed unless its top
 * candidate is the mate and scores above that threshold too.
 */
static void fnir_at_fpir(real_result *rr, int mode, size_t n_mated, size_t n_nonmated)
{
    static float sorted[MAX_REAL];
    memcpy(sorted, rr->nonmated_top[mode], n_nonmated * sizeof(float));
    qsort(sorted, n_nonmated, sizeof(float), cmp_float_desc);
    const size_t allowed = n_nonmated / 100;
    const float bar = sorted[allowed]; /* accepted when strictly above */
    size_t through = 0, found = 0;
    for (size_t i = 0; i < n_nonmated; i++) through += rr->nonmated_top[mode][i] > bar;
    for (size_t i = 0; i < n_mated; i++) found += rr->mated_top[mode][i] > bar && rr->mated_top[mode][i] > 0;
    rr->fpir_allowed = allowed;
    rr->fpir_reached[mode] = (double)through / (double)n_nonmated;
    rr->fnir_at_fpir[mode] = 1.0 - (double)found / (double)n_mated;
}

/* Rank-1 and FNIR at T of the real probes, exhaustive and two-stage. */
static int real_rank1(const opts *o, const fp_gallery *g, const real_set *r, unsigned long threads, int exhaustive,
                      real_result *out)
{
    memset(out, 0, sizeof(*out));
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = (uint32_t)threads;
    fp_identify_pool *pool = NULL;
    if (fp_identify_pool_create(&cfg, &pool) != FP_OK) return 0;
    out->have_ex = exhaustive;
    fp_status st = FP_OK;
    for (size_t p = 0; p < r->n_probe && st == FP_OK; p++) {
        fp_identify_candidate a[1], b[1];
        size_t na = 0, nb = 0;
        fp_identify_decision da, db;
        double t0 = fpb_now_ms();
        st = fp_identify_parallel_two_stage(pool, g, r->probe[p], o->threshold, o->shortlist, 1, b, &nb, &db);
        out->ms_two += fpb_now_ms() - t0;
        if (st != FP_OK) break;
        const int hit_b = nb && b[0].id.user == r->probe_user[p];
        out->mated_top[0][p] = hit_b ? b[0].score : -1.0f;
        out->rank1_two += hit_b;
        out->acc_two += hit_b && db.accepted;
        int hit_c = 1;
        if (o->shortlist_cmp) {
            fp_identify_candidate c[1];
            size_t nc = 0;
            fp_identify_decision dc;
            st = fp_identify_parallel_two_stage(pool, g, r->probe[p], o->threshold, o->shortlist_cmp, 1, c, &nc, &dc);
            if (st != FP_OK) break;
            hit_c = nc && c[0].id.user == r->probe_user[p];
            out->rank1_cmp += hit_c;
            out->acc_cmp += hit_c && dc.accepted;
        }
        if (!exhaustive && o->real_losses && (!hit_b || !hit_c)) {
            /* A shortlist missed: a loss against the exhaustive scan only if
             * that ranks the mate first (a probe a shortlist ranks first can
             * only gain: any finger outscoring its mate elsewhere is in the
             * gallery for the exhaustive scan too). */
            st = fp_identify_parallel(pool, g, r->probe[p], o->threshold, 1, a, &na, &da);
            const int hit_a = st == FP_OK && na && a[0].id.user == r->probe_user[p];
            out->missed += !hit_b;
            out->losses += !hit_b && hit_a;
            out->missed_cmp += !hit_c;
            out->losses_cmp += !hit_c && hit_a;
        }
        if (exhaustive) {
            t0 = fpb_now_ms();
            st = fp_identify_parallel(pool, g, r->probe[p], o->threshold, 1, a, &na, &da);
            out->ms_ex += fpb_now_ms() - t0;
            int hit_a = na && a[0].id.user == r->probe_user[p];
            out->mated_top[1][p] = hit_a ? a[0].score : -1.0f;
            out->rank1_ex += hit_a;
            out->acc_ex += hit_a && da.accepted;
            out->agree += na && nb && a[0].id.user == b[0].id.user && a[0].id.finger == b[0].id.finger;
        }
        out->probes++;
    }
    for (size_t p = 0; p < r->n_nonmated && st == FP_OK; p++) {
        fp_identify_candidate c[1];
        size_t n = 0;
        fp_identify_decision d;
        st = fp_identify_parallel_two_stage(pool, g, r->nonmated[p], o->threshold, o->shortlist, 1, c, &n, &d);
        out->nonmated_top[0][p] = st == FP_OK && n ? c[0].score : 0.0f;
        if (st == FP_OK && exhaustive) {
            st = fp_identify_parallel(pool, g, r->nonmated[p], o->threshold, 1, c, &n, &d);
            out->nonmated_top[1][p] = st == FP_OK && n ? c[0].score : 0.0f;
        }
    }
    if (st == FP_OK && r->n_nonmated >= 100) {
        fnir_at_fpir(out, 0, out->probes, r->n_nonmated);
        if (exhaustive) fnir_at_fpir(out, 1, out->probes, r->n_nonmated);
    }
    fp_identify_pool_destroy(pool);
    return st == FP_OK;
}

#define MAX_POINTS (MAX_LIST * MAX_LIST * 2)
typedef struct point {
    unsigned long n, threads;
    int two_stage;
    double median, mean;
} point;

static void write_outputs(const opts *o, const point *pts, int n_pts, cJSON *real_json)
{
    if (o->json) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddStringToObject(root, "benchmark", "fpbench search");
        cJSON_AddNumberToObject(root, "seed", (double)o->seed);
        cJSON_AddNumberToObject(root, "threshold", o->threshold);
        cJSON *arr = cJSON_AddArrayToObject(root, "latency");
        for (int i = 0; i < n_pts; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "gallery", (double)pts[i].n);
            cJSON_AddNumberToObject(e, "threads", (double)pts[i].threads);
            cJSON_AddStringToObject(e, "mode", pts[i].two_stage ? "two-stage" : "exhaustive");
            cJSON_AddNumberToObject(e, "median_ms", pts[i].median);
            cJSON_AddNumberToObject(e, "mean_ms", pts[i].mean);
            cJSON_AddItemToArray(arr, e);
        }
        if (real_json) cJSON_AddItemToObject(root, "real_mixed", real_json);
        real_json = NULL;
        char *text = cJSON_Print(root);
        FILE *f = text ? fopen(o->json, "w") : NULL;
        if (f) {
            fputs(text, f);
            fputc('\n', f);
            fclose(f);
            printf("wrote %s\n", o->json);
        } else {
            fprintf(stderr, "fpbench search: cannot write %s\n", o->json);
        }
        free(text);
        cJSON_Delete(root);
    }
    cJSON_Delete(real_json);
    if (o->plot) {
        fp_plot_series series[2 * MAX_LIST];
        double xs[2 * MAX_LIST][MAX_LIST], ys[2 * MAX_LIST][MAX_LIST];
        char labels[2 * MAX_LIST][48];
        int ns = 0;
        for (int mode = 1; mode >= 0; mode--)
            for (int ti = 0; ti < o->n_threads; ti++) {
                size_t c = 0;
                for (int i = 0; i < n_pts; i++)
                    if (pts[i].two_stage == mode && pts[i].threads == o->threads[ti]) {
                        xs[ns][c] = (double)pts[i].n;
                        ys[ns][c++] = pts[i].median;
                    }
                if (!c) continue;
                snprintf(labels[ns], sizeof labels[ns], "%s, %lu thread%s", mode ? "two-stage" : "exhaustive",
                         o->threads[ti], o->threads[ti] > 1 ? "s" : "");
                series[ns].label = labels[ns];
                series[ns].x = xs[ns];
                series[ns].y = ys[ns];
                series[ns].count = c;
                series[ns].color = FP_PLOT_AUTO;
                ns++;
            }
        fp_plot_options po;
        fp_plot_options_init(&po);
        po.title = "1:N query latency (median)";
        po.x_label = "enrolled fingers";
        po.y_label = "ms per query";
        po.log_x = po.log_y = 1;
        po.markers = 1;
        fp_status st = fp_plot_lines(o->plot, &po, series, (size_t)ns);
        if (st == FP_OK)
            printf("wrote %s\n", o->plot);
        else
            fprintf(stderr, "fpbench search: plot: %s\n", fp_status_message(st));
    }
}

/* Resident memory of this process (kB): anonymous pages and pages of mapped files. */
static void resident_kb(long *anon, long *file)
{
    *anon = *file = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "RssAnon: %ld", anon) == 1) continue;
        (void)sscanf(line, "RssFile: %ld", file);
    }
    fclose(f);
}

/*
 * Writes g to the gallery file (a compaction: the file, new or a gallery
 * file --gallery-file-replace allows, gets exactly g's fingers), then
 * times loading it read-only (copied, or mapped with --gallery-load map)
 * and the memory a loaded gallery holds. With --query-gallery file the
 * loaded gallery is left in *qf / *qg for the timed queries.
 */
static int gallery_file_round(const opts *o, const fp_gallery *g, fp_gallery_file **qf, fp_gallery **qg)
{
    fp_gallery_file *gf = NULL;
    fp_gallery *loaded = NULL;
    fp_gallery_file_options lo;
    fp_gallery_file_options_init(&lo);
    lo.flags = FP_GALLERY_FILE_READ_ONLY | o->gallery_load;
    double w0 = fpb_now_ms();
    fp_status st = fp_gallery_file_open(o->gallery_file, &gf, &loaded, NULL);
    if (st == FP_OK) st = fp_gallery_file_compact(gf, g);
    fp_gallery_file_close(gf);
    double w1 = fpb_now_ms();
    fp_gallery_destroy(loaded);
    loaded = NULL;
    fp_gallery_file_info gi;
    long anon0, file0, anon1, file1;
    resident_kb(&anon0, &file0);
    double l0 = fpb_now_ms();
    if (st == FP_OK) st = fp_gallery_file_open_with(o->gallery_file, &lo, &gf, &loaded, &gi);
    double l1 = fpb_now_ms();
    resident_kb(&anon1, &file1);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench search: gallery file %s: %s\n", o->gallery_file, fp_status_message(st));
        return 0;
    }
    fp_gallery_file_close(gf);
    fp_gallery_destroy(loaded);
    /* Two more loads: the first one after writing competes with the page cache's write-back. */
    double again = 0;
    for (int r = 0; r < 2 && st == FP_OK; r++) {
        double a0 = fpb_now_ms();
        st = fp_gallery_file_open_with(o->gallery_file, &lo, &gf, &loaded, NULL);
        double t = fpb_now_ms() - a0;
        if (r == 0 || t < again) again = t;
        fp_gallery_file_close(gf);
        fp_gallery_destroy(loaded);
    }
    printf("  gallery file: %.0f MB written in %.0f ms; loaded (%s, %zu records checked) in %.0f ms, "
           "best of two more loads %.0f ms; resident after loading +%.0f MB private, +%.0f MB of file pages\n",
           (double)gi.file_bytes / 1e6, w1 - w0, o->gallery_load ? "mapped" : "copied", gi.records, l1 - l0, again,
           (double)(anon1 - anon0) / 1024.0, (double)(file1 - file0) / 1024.0);
    if (o->query_file) {
        if (fp_gallery_file_open_with(o->gallery_file, &lo, qf, qg, NULL) != FP_OK) return 0;
        printf("  queries below run on the gallery loaded from the file\n");
    }
    return 1;
}

int fpbench_search(int argc, char **argv)
{
    if (argc > 0 && !strcmp(argv[0], "--mpi")) {
#ifdef FP_HAVE_MPI
        return fpbench_search_mpi(argc - 1, argv + 1);
#else
        fprintf(stderr, "fpbench search --mpi: this fpbench was built without Open MPI (libopenmpi-dev)\n");
        return 1;
#endif
    }
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

    struct stat sb;
    if (o.gallery_file && !o.gallery_replace && lstat(o.gallery_file, &sb) == 0) {
        fprintf(stderr,
                "fpbench search: %s exists; --gallery-file-replace overwrites it (only a gallery file is "
                "overwritten)\n",
                o.gallery_file);
        return 2;
    }

    int rc = 1;
    fp_gallery *g = NULL;
    static real_set real;
    static point pts[MAX_POINTS];
    int n_pts = 0;
    cJSON *real_json = NULL;
    fp_template **nonmated = calloc(o.fpir_probes, sizeof(*nonmated));
    size_t n_mated = o.queries < 16 ? 16 : o.queries;
    fp_template **mated = calloc(n_mated, sizeof(*mated));
    if (!nonmated || !mated) goto done;
    for (unsigned long p = 0; o.n_fpir && p < o.fpir_probes; p++)
        if (fp_synth_fast_template(o.seed, NONMATED_BASE + (uint32_t)p, 1, &nonmated[p]) != FP_OK) goto done;

    size_t heap0 = heap_bytes();
    if (fp_gallery_create(1024, &g) != FP_OK) goto done;
    if (o.real) {
        if (!load_real(o.real, o.real_holdout, &real)) goto done;
        for (size_t i = 0; i < real.n_enrol; i++) {
            fp_gallery_id id = {real.enrol_user[i], 0};
            if (fp_gallery_add(g, id, real.enrol[i]) != FP_OK) goto done;
        }
        heap0 = heap_bytes();
    }
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
        /* The gallery the timed queries run on: the one built in memory, or
         * (--query-gallery file) the one mapped from the file just written. */
        const fp_gallery *qg = g;
        fp_gallery_file *qgf = NULL;
        fp_gallery *qloaded = NULL;
        if (o.gallery_file && in_list(o.sizes, o.n_sizes, next)) {
            if (!gallery_file_round(&o, g, &qgf, &qloaded)) goto done;
            if (qloaded) qg = qloaded;
        }
        if (in_list(o.sizes, o.n_sizes, next)) {
            int timed = 1;
            for (int ti = 0; ti < o.n_threads && timed; ti++) {
                for (int mode = 1; mode >= 0 && timed; mode--) {
                    if (mode == 1 && o.exhaustive_only) continue;
                    if (mode == 0 && !o.exhaustive_only && next > o.exhaustive_max) continue;
                    double median, mean, cpu;
                    timed = latency(&o, qg, mated, n_mated, o.threads[ti], mode, &median, &mean, &cpu);
                    if (!timed) break;
                    printf("  %-10s %lu thread%s: median %.2f ms per query, mean %.2f ms (%lu queries), "
                           "%.0f fingers/s; CPU %.2f ms per query\n",
                           mode ? "two-stage" : "exhaustive", o.threads[ti], o.threads[ti] > 1 ? "s" : " ", median,
                           mean, o.queries, (double)next / (mean / 1e3), cpu);
                    if (n_pts < MAX_POINTS) pts[n_pts++] = (point){next, o.threads[ti], mode, median, mean};
                }
            }
            fp_gallery_file_close(qgf);
            fp_gallery_destroy(qloaded);
            if (!timed) goto done;
            if (real.n_enrol && next <= o.real_max) {
                static real_result rr; /* large: the probes' top scores */
                unsigned long tmax = o.threads[o.n_threads - 1];
                int ex = next <= o.real_exhaustive_max;
                if (!real_rank1(&o, g, &real, tmax, ex, &rr)) goto done;
                double pn = (double)rr.probes;
                printf("  real probes (%zu) in N = %lu + %zu real: two-stage rank-1 %.2f %%, FNIR at T %.2f %% "
                       "(%.1f ms/query)",
                       rr.probes, next, real.n_enrol, 100.0 * (double)rr.rank1_two / pn,
                       100.0 - 100.0 * (double)rr.acc_two / pn, rr.ms_two / pn);
                if (o.shortlist_cmp)
                    printf("; shortlist %zu: rank-1 %.2f %%, FNIR at T %.2f %%", o.shortlist_cmp,
                           100.0 * (double)rr.rank1_cmp / pn, 100.0 - 100.0 * (double)rr.acc_cmp / pn);
                if (ex)
                    printf("; exhaustive rank-1 %.2f %%, FNIR at T %.2f %% (%.1f ms/query); same top candidate "
                           "%.2f %%",
                           100.0 * (double)rr.rank1_ex / pn, 100.0 - 100.0 * (double)rr.acc_ex / pn, rr.ms_ex / pn,
                           100.0 * (double)rr.agree / pn);
                if (!ex && o.real_losses) {
                    /* Exhaustive rank-1 <= a shortlist's rank-1 + its losses, for each shortlist. */
                    double bound = 100.0 * (double)(rr.rank1_two + rr.losses) / pn;
                    printf("; two-stage misses %zu probes, the exhaustive scan ranks %zu of them first", rr.missed,
                           rr.losses);
                    if (o.shortlist_cmp) {
                        double b2 = 100.0 * (double)(rr.rank1_cmp + rr.losses_cmp) / pn;
                        printf("; shortlist %zu misses %zu, the exhaustive scan ranks %zu of them first", o.shortlist_cmp,
                               rr.missed_cmp, rr.losses_cmp);
                        bound = b2 < bound ? b2 : bound;
                    }
                    printf(": exhaustive rank-1 at most %.2f %%, two-stage at most %.2f points below it", bound,
                           bound - 100.0 * (double)rr.rank1_two / pn);
                }
                printf("\n");
                if (real.n_nonmated >= 100) {
                    printf("  FNIR at FPIR = 1 %% (real non-mated probes: %zu, at most %zu above the bar): two-stage "
                           "%.2f %% (FPIR %.2f %%)",
                           real.n_nonmated, rr.fpir_allowed, 100.0 * rr.fnir_at_fpir[0], 100.0 * rr.fpir_reached[0]);
                    if (ex)
                        printf(", exhaustive %.2f %% (FPIR %.2f %%)", 100.0 * rr.fnir_at_fpir[1],
                               100.0 * rr.fpir_reached[1]);
                    printf("\n");
                } else if (real.n_nonmated) {
                    printf("  FNIR at FPIR = 1 %%: %zu real non-mated probes are too few (100 at least)\n",
                           real.n_nonmated);
                }
                if (!real_json) real_json = cJSON_CreateArray();
                cJSON *e = cJSON_CreateObject();
                cJSON_AddNumberToObject(e, "synthetic", (double)next);
                cJSON_AddNumberToObject(e, "real_enrolled", (double)real.n_enrol);
                cJSON_AddNumberToObject(e, "probes", pn);
                cJSON_AddNumberToObject(e, "two_stage_rank1", (double)rr.rank1_two / pn);
                cJSON_AddNumberToObject(e, "two_stage_fnir", 1.0 - (double)rr.acc_two / pn);
                if (real.n_nonmated >= 100) {
                    cJSON_AddNumberToObject(e, "real_nonmated", (double)real.n_nonmated);
                    cJSON_AddNumberToObject(e, "two_stage_fnir_at_fpir_1", rr.fnir_at_fpir[0]);
                    if (ex) cJSON_AddNumberToObject(e, "exhaustive_fnir_at_fpir_1", rr.fnir_at_fpir[1]);
                }
                if (ex) {
                    cJSON_AddNumberToObject(e, "exhaustive_rank1", (double)rr.rank1_ex / pn);
                    cJSON_AddNumberToObject(e, "exhaustive_fnir", 1.0 - (double)rr.acc_ex / pn);
                }
                cJSON_AddItemToArray(real_json, e);
            }
        }
        if (in_list(o.fpir_sizes, o.n_fpir, next) && !fpir(&o, g, nonmated, o.mated_probes, next)) goto done;
        fflush(stdout);
    }
    write_outputs(&o, pts, n_pts, real_json);
    real_json = NULL;
    rc = 0;
done:
    if (rc) fprintf(stderr, "fpbench search: failed\n");
    cJSON_Delete(real_json);
    free_real(&real);
    for (unsigned long p = 0; nonmated && p < o.fpir_probes; p++) fp_template_destroy(nonmated[p]);
    free(nonmated);
    for (size_t q = 0; mated && q < n_mated; q++) fp_template_destroy(mated[q]);
    free(mated);
    fp_gallery_destroy(g);
    return rc;
}
