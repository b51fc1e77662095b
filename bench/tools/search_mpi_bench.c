/*
 * fpbench search --mpi: the sharded search (fp/search_mpi.h) on a synthetic
 * gallery, started with `mpirun -np K fpbench search --mpi ...`.
 *
 * Every rank builds (or loads) its shard of N fast synthetic fingers
 * (finger f enrolled as user f / 2, finger f % 2, on the rank
 * fp_gallery_shard_of names), rank 0 sends Q mated queries (impression 1
 * of fingers spread over the gallery) and prints the time per query, the
 * slowest rank's stage 1 and stage 2, the communication share (the query's
 * time minus the slowest rank's computing, over the query's time), the
 * message payload and the selection rounds. --verify: rank 0 then builds
 * the whole gallery in one process and checks that every query gives the
 * same candidates, scores and decision, and times it with a pool of
 * --verify-threads threads. See docs/search.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "fp/search_mpi.h"
#include "fp/synth.h"
#include "search_bench.h"

#define MAX_QUERIES 1000
#define K_BEST 10

typedef struct mpi_opts {
    unsigned long n, threads, queries, verify_threads;
    uint64_t seed;
    size_t shortlist; /* 0 auto, SIZE_MAX exhaustive */
    int verify;
    const char *shards; /* PREFIX: shards kept in PREFIX.<rank>.fpg */
} mpi_opts;

static int parse_mpi(int argc, char **argv, mpi_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->n = 100000;
    o->threads = 1;
    o->queries = 9;
    o->seed = 1;
    o->verify_threads = 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--verify")) {
            o->verify = 1;
            continue;
        }
        if (!v) return 0;
        i++;
        if (!strcmp(a, "--sizes") || !strcmp(a, "--size"))
            o->n = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--threads"))
            o->threads = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--queries"))
            o->queries = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--verify-threads"))
            o->verify_threads = strtoul(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--shards"))
            o->shards = v;
        else if (!strcmp(a, "--shortlist")) {
            if (!strcmp(v, "exhaustive"))
                o->shortlist = SIZE_MAX;
            else if (strcmp(v, "auto") != 0 && (o->shortlist = strtoul(v, NULL, 10)) == 0)
                return 0;
        } else
            return 0;
    }
    return o->n > 0 && o->n < 50000000 && o->threads > 0 && o->threads <= 1024 && o->queries > 0 &&
           o->queries <= MAX_QUERIES && o->verify_threads > 0;
}

/* Enrols the fingers of [0, n) that shard `rank` of `ranks` owns (all of them with ranks 0). */
static fp_status build_part(const mpi_opts *o, fp_gallery *g, int rank, int ranks)
{
    for (uint32_t f = 0; f < o->n; f++) {
        fp_gallery_id id = {f / 2, (uint8_t)(f % 2)};
        if (ranks && fp_gallery_shard_of(id, (uint32_t)ranks) != (uint32_t)rank) continue;
        fp_template *t = NULL;
        fp_status st = fp_synth_fast_template(o->seed, f, 0, &t);
        if (st == FP_OK) st = fp_gallery_add(g, id, t);
        fp_template_destroy(t);
        if (st != FP_OK) return st;
    }
    return FP_OK;
}

/* This rank's shard: generated, or loaded from (after writing, the first
 * time) PREFIX.<rank>.fpg, so that later runs skip the generation. */
static fp_status open_shard(const mpi_opts *o, int rank, int ranks, fp_gallery **shard, fp_gallery_file **file)
{
    *shard = NULL;
    *file = NULL;
    if (!o->shards) {
        fp_status st = fp_gallery_create(0, shard);
        return st == FP_OK ? build_part(o, *shard, rank, ranks) : st;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s.%d.fpg", o->shards, rank);
    if (access(path, F_OK) != 0) {
        fp_gallery *mem = NULL, *empty = NULL;
        fp_status st = fp_gallery_create(0, &mem);
        if (st == FP_OK) st = build_part(o, mem, rank, ranks);
        if (st == FP_OK) st = fp_gallery_file_open(path, file, &empty, NULL);
        if (st == FP_OK) st = fp_gallery_file_compact(*file, mem);
        fp_gallery_file_close(*file);
        *file = NULL;
        fp_gallery_destroy(empty);
        fp_gallery_destroy(mem);
        if (st != FP_OK) return st;
    }
    return fp_gallery_file_open(path, file, shard, NULL);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_d);
    return v[n / 2];
}

typedef struct answer {
    fp_identify_candidate c[K_BEST];
    size_t n;
    fp_identify_decision d;
} answer;

static int same(const answer *a, const answer *b)
{
    if (a->n != b->n || a->d.accepted != b->d.accepted || a->d.compared != b->d.compared ||
        a->d.applied_threshold != b->d.applied_threshold)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->c[i].id.user != b->c[i].id.user || a->c[i].id.finger != b->c[i].id.finger ||
            a->c[i].score != b->c[i].score)
            return 0;
    return 1;
}

/* Rank 0 after the sharded queries: the same queries in one process. */
static int verify(const mpi_opts *o, fp_template **probes, const answer *got)
{
    fp_gallery *whole = NULL;
    fp_identify_pool *pool = NULL;
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = (uint32_t)o->verify_threads;
    double t0 = fpb_now_ms();
    fp_status st = fp_gallery_create(o->n, &whole);
    if (st == FP_OK) st = build_part(o, whole, 0, 0);
    if (st == FP_OK) st = fp_identify_pool_create(&cfg, &pool);
    double built = (fpb_now_ms() - t0) / 1e3;
    size_t identical = 0;
    double ms[MAX_QUERIES];
    for (unsigned long q = 0; q < o->queries && st == FP_OK; q++) {
        answer a;
        double q0 = fpb_now_ms();
        if (o->shortlist == SIZE_MAX)
            st = fp_identify_parallel(pool, whole, probes[q], 35.0f, K_BEST, a.c, &a.n, &a.d);
        else
            st = fp_identify_parallel_two_stage(pool, whole, probes[q], 35.0f, o->shortlist, K_BEST, a.c, &a.n, &a.d);
        ms[q] = fpb_now_ms() - q0;
        identical += st == FP_OK && same(&a, &got[q]);
    }
    fp_identify_pool_destroy(pool);
    fp_gallery_destroy(whole);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench search --mpi: one-process search: %s\n", fp_status_message(st));
        return 0;
    }
    printf("  one process, %lu threads, the whole gallery (built in %.1f s): median %.1f ms per query; "
           "results identical for %zu of %lu queries\n",
           o->verify_threads, built, median(ms, o->queries), identical, o->queries);
    return identical == o->queries;
}

/* Waits for every rank without spinning on a core (so that rank 0's
 * one-process timing is not slowed by the others polling). */
static void quiet_barrier(void)
{
    MPI_Request rq;
    int done = 0;
    MPI_Ibarrier(MPI_COMM_WORLD, &rq);
    while (!done) {
        MPI_Test(&rq, &done, MPI_STATUS_IGNORE);
        if (!done) usleep(2000);
    }
}

/* Rank 0: the timed queries. */
static int run_queries(const mpi_opts *o, fp_mpi_search *s, fp_template **probes, answer *got)
{
    double ms[MAX_QUERIES], s1[MAX_QUERIES], s2[MAX_QUERIES], comm[MAX_QUERIES], share[MAX_QUERIES];
    double kb[MAX_QUERIES], rounds[MAX_QUERIES];
    fp_mpi_query_stats qs;
    uint64_t shortlist = 0;
    size_t rank1 = 0;
    /* One untimed query first: pools and scratch grow to the shards. */
    fp_status st = fp_mpi_identify(s, probes[0], 35.0f, o->shortlist, K_BEST, got[0].c, &got[0].n, &got[0].d, &qs);
    for (unsigned long q = 0; q < o->queries && st == FP_OK; q++) {
        st = fp_mpi_identify(s, probes[q], 35.0f, o->shortlist, K_BEST, got[q].c, &got[q].n, &got[q].d, &qs);
        ms[q] = qs.seconds * 1e3;
        s1[q] = qs.stage1_seconds * 1e3;
        s2[q] = qs.stage2_seconds * 1e3;
        comm[q] = qs.comm_seconds * 1e3;
        share[q] = 100.0 * qs.comm_seconds / qs.seconds;
        kb[q] = (double)qs.bytes / 1024.0;
        rounds[q] = qs.rounds;
        shortlist = qs.shortlist;
        uint32_t f = (uint32_t)(q * o->n / o->queries);
        rank1 += got[q].n && got[q].c[0].id.user == f / 2 && got[q].c[0].id.finger == f % 2;
    }
    if (st != FP_OK) {
        fprintf(stderr, "fpbench search --mpi: identify: %s\n", fp_status_message(st));
        return 0;
    }
    double mean = 0;
    for (unsigned long q = 0; q < o->queries; q++) mean += ms[q] / (double)o->queries;
    printf("  shortlist %llu of %zu; %zu of %lu mated probes ranked first\n", (unsigned long long)shortlist,
           fp_mpi_count(s), rank1, o->queries);
    printf("  per query (median of %lu): %.1f ms (mean %.1f); slowest rank: stage 1 %.1f ms, stage 2 %.1f ms; "
           "communication %.1f ms = %.1f %% of the query; messages %.1f KB, %.0f selection rounds\n",
           o->queries, median(ms, o->queries), mean, median(s1, o->queries), median(s2, o->queries),
           median(comm, o->queries), median(share, o->queries), median(kb, o->queries), median(rounds, o->queries));
    return 1;
}

int fpbench_search_mpi(int argc, char **argv)
{
    mpi_opts o;
    if (!parse_mpi(argc, argv, &o)) {
        fprintf(stderr, "usage: mpirun -np K fpbench search --mpi [--sizes N] [--threads T] [--queries Q]\n"
                        "           [--shortlist auto|exhaustive|N] [--seed S] [--shards PREFIX]\n"
                        "           [--verify [--verify-threads T]]\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    fp_gallery *shard = NULL;
    fp_gallery_file *file = NULL;
    double t0 = fpb_now_ms();
    fp_status st = open_shard(&o, rank, size, &shard, &file);
    if (st != FP_OK) fprintf(stderr, "fpbench search --mpi: rank %d: shard: %s\n", rank, fp_status_message(st));
    double built = (fpb_now_ms() - t0) / 1e3, slowest;
    MPI_Reduce(&built, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    unsigned long mine = fp_gallery_count(shard), lo, hi;
    MPI_Reduce(&mine, &lo, 1, MPI_UNSIGNED_LONG, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mine, &hi, 1, MPI_UNSIGNED_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = (uint32_t)o.threads;
    fp_mpi_search *s = NULL;
    fp_status cst = fp_mpi_search_create(MPI_COMM_WORLD, 0, shard, file, &cfg, &s);
    int rc = cst == FP_OK ? 0 : 1;
    if (rank == 0 && cst == FP_OK) {
        printf("fpbench search --mpi: %d rank%s x %lu thread%s, N = %zu (shards of %lu to %lu fingers), seed %llu, "
               "top-%d, T = 35\n",
               size, size > 1 ? "s" : "", o.threads, o.threads > 1 ? "s" : "", fp_mpi_count(s), lo, hi,
               (unsigned long long)o.seed, K_BEST);
        printf("  shards %s in %.1f s (slowest rank)\n", o.shards ? "written and mapped, or mapped," : "generated",
               slowest);
        static fp_template *probes[MAX_QUERIES];
        static answer got[MAX_QUERIES];
        for (unsigned long q = 0; q < o.queries && rc == 0; q++)
            if (fp_synth_fast_template(o.seed, (uint32_t)(q * o.n / o.queries), 1, &probes[q]) != FP_OK) rc = 1;
        if (rc == 0 && !run_queries(&o, s, probes, got)) rc = 1;
        if (fp_mpi_stop(s) != FP_OK) rc = 1;
        if (rc == 0 && o.verify && !verify(&o, probes, got)) rc = 1;
        for (unsigned long q = 0; q < o.queries; q++) fp_template_destroy(probes[q]);
    } else if (cst == FP_OK) {
        if (fp_mpi_serve(s) != FP_OK) rc = 1;
    } else if (rank == 0) {
        fprintf(stderr, "fpbench search --mpi: %s\n", fp_status_message(cst));
    }
    quiet_barrier();
    int worst = 0;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    fp_mpi_search_destroy(s);
    fp_gallery_file_close(file);
    fp_gallery_destroy(shard);
    MPI_Finalize();
    return worst;
}
