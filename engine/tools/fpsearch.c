/*
 * fpsearch - 1:N identification over a gallery split between MPI ranks
 * (fp/search_mpi.h, docs/search.md "Sharded search on MPI").
 *
 *   fpsearch shard GALLERY.fpg... --ranks K --out PREFIX
 *       splits gallery files (one, or the shards of an earlier split, to
 *       change the number of ranks) into PREFIX.0.fpg .. PREFIX.<K-1>.fpg,
 *       one per rank (fp_gallery_shard_of).
 *   fpsearch export GALLERY.fpg USER FINGER OUT
 *       writes the template enrolled under (USER, FINGER) in the native format.
 *   mpirun -np K fpsearch serve PREFIX [--threads T] [--threshold T] [--shortlist N]
 *       every rank loads its shard PREFIX.<rank>.fpg (created empty when
 *       missing) with a pool of T threads; rank 0 reads requests from
 *       standard input, one per line, and answers on standard output:
 *         identify TEMPLATE [K]     the K best (default 5) and the decision
 *         put USER FINGER TEMPLATE  enrol or replace, on the owning rank's file
 *         remove USER FINGER
 *         count
 *         quit                      (or end of input)
 *       TEMPLATE is a template file: native, ISO 19794-2 or ANSI 378.
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fp/search_mpi.h"

#define LINE_MAX_LEN 4096
#define TEMPLATE_FILE_MAX ((size_t)1 << 20)

static int usage(void)
{
    fprintf(stderr, "usage:\n"
                    "  fpsearch shard GALLERY.fpg... --ranks K --out PREFIX\n"
                    "  fpsearch export GALLERY.fpg USER FINGER OUT\n"
                    "  mpirun -np K fpsearch serve PREFIX [--threads T] [--threshold T] [--shortlist N]\n");
    return 2;
}

static int fail(const char *what, fp_status st)
{
    fprintf(stderr, "fpsearch: %s: %s (%s)\n", what, fp_status_message(st), fp_status_name(st));
    return 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || v > UINT32_MAX) return 0;
    *out = (uint32_t)v;
    return 1;
}

/* A template file in any format the engine reads. */
static fp_status load_template(const char *path, fp_template **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return FP_ERR_IO;
    uint8_t *data = malloc(TEMPLATE_FILE_MAX);
    size_t len = data ? fread(data, 1, TEMPLATE_FILE_MAX, f) : 0;
    fp_status st = !data ? FP_ERR_NO_MEMORY : ferror(f) ? FP_ERR_IO : FP_ERR_TEMPLATE_FORMAT;
    fclose(f);
    const fp_template_format formats[] = {FP_FORMAT_NATIVE, FP_FORMAT_ISO19794_2, FP_FORMAT_ANSI378};
    for (size_t i = 0; st == FP_ERR_TEMPLATE_FORMAT && i < 3; i++) {
        fp_status r = fp_template_deserialize(formats[i], data, len, out);
        /* The first reader that recognises the record says best what is wrong. */
        if (r != FP_ERR_TEMPLATE_FORMAT) st = r;
    }
    free(data);
    return st;
}

static void shard_path(char *buf, size_t cap, const char *prefix, int rank)
{
    snprintf(buf, cap, "%s.%d.fpg", prefix, rank);
}

/* Adds every finger of the gallery file path to all (a finger already there is an error). */
static int add_file(const char *path, fp_gallery *all)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "fpsearch: %s: no such gallery file\n", path);
        return 0;
    }
    fp_gallery_file *file = NULL;
    fp_gallery *g = NULL;
    fp_status st = fp_gallery_file_open(path, &file, &g, NULL);
    fp_gallery_file_close(file);
    for (size_t i = 0; st == FP_OK && i < fp_gallery_count(g); i++) {
        fp_gallery_id id;
        const fp_template *t;
        st = fp_gallery_entry(g, i, &id, &t);
        if (st == FP_OK && fp_gallery_find(all, id)) {
            fprintf(stderr, "fpsearch: %s: user %u finger %u is also in an earlier file\n", path, id.user, id.finger);
            fp_gallery_destroy(g);
            return 0;
        }
        if (st == FP_OK) st = fp_gallery_add(all, id, t);
    }
    fp_gallery_destroy(g);
    if (st != FP_OK) fail(path, st);
    return st == FP_OK;
}

static int cmd_shard(int argc, char **argv)
{
    const char *prefix = NULL;
    uint32_t ranks = 0;
    int inputs = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--ranks") && i + 1 < argc) {
            if (!parse_u32(argv[++i], &ranks) || ranks == 0 || ranks > 4096) return usage();
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            prefix = argv[++i];
        } else {
            argv[inputs++] = argv[i];
        }
    }
    if (!inputs || !prefix || !ranks) return usage();
    fp_gallery_file *file = NULL;
    fp_gallery *all = NULL;
    fp_status st = fp_gallery_create(0, &all);
    if (st != FP_OK) return fail("shard", st);
    for (int i = 0; i < inputs; i++)
        if (!add_file(argv[i], all)) {
            fp_gallery_destroy(all);
            return 1;
        }
    int rc = 0;
    for (uint32_t r = 0; r < ranks && !rc; r++) {
        fp_gallery *part = NULL;
        st = fp_gallery_create(0, &part);
        for (size_t i = 0; st == FP_OK && i < fp_gallery_count(all); i++) {
            fp_gallery_id id;
            const fp_template *t;
            st = fp_gallery_entry(all, i, &id, &t);
            if (st == FP_OK && fp_gallery_shard_of(id, ranks) == r) st = fp_gallery_add(part, id, t);
        }
        char path[PATH_MAX], fresh[PATH_MAX + 8];
        shard_path(path, sizeof path, prefix, (int)r);
        snprintf(fresh, sizeof fresh, "%s.new", path);
        fp_gallery *empty = NULL;
        /* A new file holds exactly the shard (one put per finger, written
         * whole), and replaces an older one at path only once complete. */
        unlink(fresh);
        if (st == FP_OK) st = fp_gallery_file_open(fresh, &file, &empty, NULL);
        if (st == FP_OK) st = fp_gallery_file_compact(file, part);
        fp_gallery_file_close(file);
        file = NULL;
        if (st == FP_OK && rename(fresh, path) != 0) st = FP_ERR_IO;
        if (st != FP_OK) unlink(fresh);
        if (st == FP_OK)
            printf("%s: %zu fingers\n", path, fp_gallery_count(part));
        else
            rc = fail(path, st);
        fp_gallery_destroy(empty);
        fp_gallery_destroy(part);
    }
    fp_gallery_destroy(all);
    return rc;
}

static int cmd_export(int argc, char **argv)
{
    uint32_t user, finger;
    if (argc != 4 || !parse_u32(argv[1], &user) || !parse_u32(argv[2], &finger) || finger > FP_GALLERY_MAX_FINGER)
        return usage();
    fp_gallery_file *file = NULL;
    fp_gallery *g = NULL;
    if (access(argv[0], F_OK) != 0) {
        fprintf(stderr, "fpsearch: %s: no such gallery file\n", argv[0]);
        return 1;
    }
    fp_status st = fp_gallery_file_open(argv[0], &file, &g, NULL);
    if (st != FP_OK) return fail(argv[0], st);
    fp_gallery_file_close(file);
    const fp_template *t = fp_gallery_find(g, (fp_gallery_id){user, (uint8_t)finger});
    uint8_t buf[4096];
    size_t len = 0;
    st = t ? fp_template_serialize(t, FP_FORMAT_NATIVE, buf, sizeof buf, &len) : FP_ERR_NOT_FOUND;
    fp_gallery_destroy(g);
    if (st != FP_OK) return fail("export", st);
    FILE *f = fopen(argv[3], "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) {
        fprintf(stderr, "fpsearch: %s: cannot write\n", argv[3]);
        unlink(argv[3]);
        return 1;
    }
    return 0;
}

typedef struct serve_opts {
    uint32_t threads;
    float threshold;
    size_t shortlist;
} serve_opts;

static void answer_identify(fp_mpi_search *s, const serve_opts *o, const char *path, uint32_t k)
{
    fp_template *probe = NULL;
    fp_status st = load_template(path, &probe);
    if (st != FP_OK) {
        printf("error: %s: %s\n", path, fp_status_message(st));
        return;
    }
    fp_identify_candidate c[100];
    size_t n = 0;
    fp_identify_decision d;
    fp_mpi_query_stats qs;
    st = fp_mpi_identify(s, probe, o->threshold, o->shortlist, k, c, &n, &d, &qs);
    fp_template_destroy(probe);
    if (st != FP_OK) {
        printf("error: identify: %s\n", fp_status_message(st));
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("%zu. user %u finger %u score %.1f\n", i + 1, c[i].id.user, c[i].id.finger, c[i].score);
    printf("decision: %s (score needed %.1f over %zu fingers); %.1f ms, communication %.0f %%\n",
           d.accepted ? "accepted" : "rejected", d.applied_threshold, d.compared, qs.seconds * 1e3,
           qs.seconds > 0 ? 100.0 * qs.comm_seconds / qs.seconds : 0.0);
}

static void report(const char *what, fp_status st)
{
    if (st == FP_OK)
        printf("ok\n");
    else
        printf("error: %s: %s\n", what, fp_status_message(st));
}

/* One request line at the root; returns 0 at quit. */
static int answer(fp_mpi_search *s, const serve_opts *o, char *line)
{
    char *argv[5];
    int argc = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && argc < 5; tok = strtok(NULL, " \t\r\n")) argv[argc++] = tok;
    if (argc == 0) return 1;
    uint32_t user, finger, k = 5;
    if (!strcmp(argv[0], "quit")) return 0;
    if (!strcmp(argv[0], "count") && argc == 1) {
        printf("count %zu\n", fp_mpi_count(s));
    } else if (!strcmp(argv[0], "identify") && (argc == 2 || (argc == 3 && parse_u32(argv[2], &k))) && k >= 1 &&
               k <= 100) {
        answer_identify(s, o, argv[1], k);
    } else if (!strcmp(argv[0], "put") && argc == 4 && parse_u32(argv[1], &user) && parse_u32(argv[2], &finger) &&
               finger <= FP_GALLERY_MAX_FINGER) {
        fp_template *t = NULL;
        fp_status st = load_template(argv[3], &t);
        if (st == FP_OK) st = fp_mpi_put(s, (fp_gallery_id){user, (uint8_t)finger}, t);
        fp_template_destroy(t);
        report("put", st);
    } else if (!strcmp(argv[0], "remove") && argc == 3 && parse_u32(argv[1], &user) && parse_u32(argv[2], &finger) &&
               finger <= FP_GALLERY_MAX_FINGER) {
        fp_status st = fp_mpi_remove(s, (fp_gallery_id){user, (uint8_t)finger});
        report("remove", st);
    } else {
        printf("error: unknown request (identify TEMPLATE [K], put USER FINGER TEMPLATE, remove USER FINGER, "
               "count, quit)\n");
    }
    return 1;
}

static int cmd_serve(int argc, char **argv)
{
    serve_opts o = {1, 35.0f, 0};
    const char *prefix = NULL;
    for (int i = 0; i < argc; i++) {
        uint32_t v;
        if (!strcmp(argv[i], "--threads") && i + 1 < argc && parse_u32(argv[i + 1], &v) && v >= 1 && v <= 1024) {
            o.threads = v;
            i++;
        } else if (!strcmp(argv[i], "--shortlist") && i + 1 < argc && parse_u32(argv[i + 1], &v)) {
            o.shortlist = v;
            i++;
        } else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
            o.threshold = strtof(argv[++i], NULL);
        } else if (!prefix) {
            prefix = argv[i];
        } else {
            return usage();
        }
    }
    if (!prefix) return usage();
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char path[PATH_MAX];
    shard_path(path, sizeof path, prefix, rank);
    fp_gallery_file *file = NULL;
    fp_gallery *shard = NULL;
    fp_status st = fp_gallery_file_open(path, &file, &shard, NULL);
    /* Every rank must reach the collective create, even with no shard. */
    if (st != FP_OK) fail(path, st);
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = o.threads;
    fp_mpi_search *s = NULL;
    fp_status cst = fp_mpi_search_create(MPI_COMM_WORLD, 0, shard, file, &cfg, &s);
    int rc = 0;
    if (cst != FP_OK) {
        if (rank == 0 && st == FP_OK)
            fprintf(stderr, "fpsearch: starting: %s (%s)%s\n", fp_status_message(cst), fp_status_name(cst),
                    cst == FP_ERR_INVALID_ARGUMENT
                        ? ": a shard holds fingers of another rank (split for another number of ranks?) or "
                          "could not be loaded"
                        : "");
        rc = 1;
    } else if (rank == 0) {
        fprintf(stderr, "fpsearch: %d rank%s, %zu fingers; requests on standard input\n", size, size > 1 ? "s" : "",
                fp_mpi_count(s));
        char line[LINE_MAX_LEN];
        while (fgets(line, sizeof line, stdin) && answer(s, &o, line)) fflush(stdout);
        if ((cst = fp_mpi_stop(s)) != FP_OK) rc = fail("stop", cst);
    } else if ((cst = fp_mpi_serve(s)) != FP_OK) {
        rc = fail("serve", cst);
    }
    fp_mpi_search_destroy(s);
    fp_gallery_file_close(file);
    fp_gallery_destroy(shard);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "shard")) return cmd_shard(argc - 2, argv + 2);
    if (!strcmp(argv[1], "export")) return cmd_export(argc - 2, argv + 2);
    if (strcmp(argv[1], "serve") != 0) return usage();
    MPI_Init(&argc, &argv);
    int rc = cmd_serve(argc - 2, argv + 2);
    MPI_Finalize();
    return rc;
}
