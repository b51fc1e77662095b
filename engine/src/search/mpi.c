/*
 * The sharded search over MPI (fp/search_mpi.h, docs/search.md).
 *
 * An identification is: the request and the probe broadcast from the root;
 * stage 1 on every shard with the rank's pool, each rank keeping its
 * min(S, count) best stage-1 keys (S = the global shortlist: no rank can
 * hold more of the global top S than that); the global top S found by a
 * radix selection over the keys, one 256-bin histogram summed over the
 * ranks (MPI_Allreduce) per 8 bits of key, from the top, until the bin the
 * S-th key falls in is taken whole; stage 2 on every rank over its keys in
 * the global top S; the ranks' k best gathered on the root and merged.
 * Stage-1 keys hold the score and the id and are distinct, and stage 2's
 * ranking is a total order, so the result is the single-gallery result.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fp/search_mpi.h"
#include "search/search.h"

enum { OP_STOP = 0, OP_IDENTIFY = 1, OP_PUT = 2, OP_REMOVE = 3 };

/* A request of the root, broadcast to every rank. */
typedef struct request {
    uint32_t op;
    uint32_t len;       /* template bytes that follow (identify, put) */
    uint64_t shortlist; /* identify: global shortlist, N for the exhaustive scan */
    uint32_t k;
    float threshold;
    uint32_t user;
    uint32_t finger;
} request;

/* A rank's answer to an identification (followed by k candidates). */
typedef struct reply {
    int32_t status;
    uint32_t n;
    double stage1, stage2;
} reply;

/* The owner's answer to a put or remove. */
typedef struct change {
    int32_t status;
    int32_t delta; /* change of the rank's finger count */
} change;

struct fp_mpi_search {
    MPI_Comm comm;
    int rank, size, root;
    fp_gallery *shard;
    fp_gallery_file *file;
    fp_identify_pool *pool;
    uint32_t max_k;
    uint64_t total;
    uint8_t *buf; /* a serialised template, TEMPLATE_BYTES bytes */
    uint8_t *replies; /* size replies at the root, one elsewhere */
    fp_identify_candidate *top; /* max_k */
    /* The current request's message payload and selection rounds. */
    uint64_t bytes;
    uint32_t rounds;
};

/* Room for a template in the native format: FP_MAX_MINUTIAE minutiae take
 * 1,172 bytes. Fixed, so a rank never lacks memory to receive one and the
 * ranks stay in step. */
#define TEMPLATE_BYTES 4096

#define MPI_CHECK(call)                                  \
    do {                                                 \
        if ((call) != MPI_SUCCESS) return FP_ERR_IO;     \
    } while (0)

static size_t reply_size(uint32_t k)
{
    return sizeof(reply) + (size_t)k * sizeof(fp_identify_candidate);
}

static fp_status bcast(fp_mpi_search *s, void *data, size_t len, int from)
{
    if (len > (size_t)INT32_MAX) return FP_ERR_INVALID_ARGUMENT;
    MPI_CHECK(MPI_Bcast(data, (int)len, MPI_BYTE, from, s->comm));
    s->bytes += (uint64_t)(s->size - 1) * len;
    return FP_OK;
}

/* Agrees on a status: the largest code any rank has (FP_OK only when all are). */
static fp_status agree(MPI_Comm comm, fp_status st)
{
    int mine = (int)st, all;
    if (MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return FP_ERR_IO;
    return (fp_status)all;
}

/* The ids of shard must all belong to rank. */
static fp_status check_shard(const fp_gallery *shard, int rank, int size)
{
    for (size_t i = 0; i < fp_gallery_count(shard); i++) {
        fp_gallery_id id;
        FPI_CHECK(fp_gallery_entry(shard, i, &id, NULL));
        if (fp_gallery_shard_of(id, (uint32_t)size) != (uint32_t)rank) return FP_ERR_INVALID_ARGUMENT;
    }
    return FP_OK;
}

/* How many ranks of comm run on this machine (its shared-memory group); 0 if unknown. */
static int ranks_on_this_node(MPI_Comm comm)
{
    MPI_Comm node;
    int n = 0;
    if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS) return 0;
    MPI_Comm_size(node, &n);
    MPI_Comm_free(&node);
    return n;
}

fp_status fp_mpi_search_create(MPI_Comm comm, int root, fp_gallery *shard, fp_gallery_file *file,
                               const fp_identify_pool_config *pool_config, fp_mpi_search **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    int size, rank;
    if (MPI_Comm_size(comm, &size) != MPI_SUCCESS || MPI_Comm_rank(comm, &rank) != MPI_SUCCESS) return FP_ERR_IO;
    fp_mpi_search *s = calloc(1, sizeof(*s));
    fp_status st = s ? FP_OK : FP_ERR_NO_MEMORY;
    MPI_Comm dup;
    if (MPI_Comm_dup(comm, &dup) != MPI_SUCCESS) {
        free(s);
        return FP_ERR_IO;
    }
    MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
    if (st == FP_OK) {
        s->comm = dup;
        s->rank = rank;
        s->size = size;
        s->root = root;
        s->shard = shard;
        s->file = file;
        if (!shard || root < 0 || root >= size) st = FP_ERR_INVALID_ARGUMENT;
    }
    if (st == FP_OK) st = check_shard(shard, rank, size);
    fp_identify_pool_config cfg;
    if (pool_config)
        cfg = *pool_config;
    else
        fp_identify_pool_config_init(&cfg);
    /* Ranks sharing a machine would pin their workers to the same cores.
     * (Collective: every rank asks, whatever its status.) */
    if (ranks_on_this_node(dup) != 1) cfg.pin = 0;
    if (st == FP_OK) st = fp_identify_pool_create(&cfg, &s->pool);
    if (st == FP_OK) {
        s->max_k = pool_config && pool_config->max_k ? pool_config->max_k : 100;
        s->top = calloc(s->max_k, sizeof(*s->top));
        size_t n_replies = rank == root ? (size_t)size : 1;
        s->replies = malloc(n_replies * reply_size(s->max_k));
        s->buf = malloc(TEMPLATE_BYTES);
        if (!s->top || !s->replies || !s->buf) st = FP_ERR_NO_MEMORY;
    }
    st = agree(dup, st);
    uint64_t mine = st == FP_OK ? fp_gallery_count(shard) : 0;
    if (st == FP_OK && MPI_Allreduce(&mine, &s->total, 1, MPI_UINT64_T, MPI_SUM, dup) != MPI_SUCCESS) st = FP_ERR_IO;
    if (st != FP_OK) {
        if (s) {
            s->comm = MPI_COMM_NULL;
            fp_mpi_search_destroy(s);
        }
        MPI_Comm_free(&dup);
        return st;
    }
    *out = s;
    return FP_OK;
}

void fp_mpi_search_destroy(fp_mpi_search *search)
{
    if (!search) return;
    fp_identify_pool_destroy(search->pool);
    free(search->buf);
    free(search->replies);
    free(search->top);
    if (search->comm != MPI_COMM_NULL) MPI_Comm_free(&search->comm);
    free(search);
}

size_t fp_mpi_count(const fp_mpi_search *search)
{
    return search ? (size_t)search->total : 0;
}

/*
 * How many of keys[0..m) (this rank's best stage-1 keys, descending) lie in
 * the global top S: a radix selection, digits from the top of the key.
 * Keys of all ranks are distinct and together hold at least S keys.
 */
static fp_status global_cut(fp_mpi_search *s, const uint64_t *keys, size_t m, uint64_t S, size_t *take)
{
    uint64_t need = S;    /* keys still to take inside the current range */
    size_t lo = 0, hi = m; /* this rank's keys in the current range (a run, keys are sorted) */
    int shift = FPI_STAGE1_KEY_BITS;
    while (shift > 0) {
        int width = shift < 8 ? shift : 8;
        shift -= width;
        uint64_t mine[256] = {0}, all[256];
        const uint64_t mask = ((uint64_t)1 << width) - 1;
        for (size_t i = lo; i < hi; i++) mine[(keys[i] >> shift) & mask]++;
        MPI_CHECK(MPI_Allreduce(mine, all, 1 << width, MPI_UINT64_T, MPI_SUM, s->comm));
        s->bytes += (uint64_t)s->size * ((uint64_t)8 << width);
        s->rounds++;
        /* Digits from the largest: whole bins are taken until the S-th key's bin. */
        size_t pos = lo;
        int d = (int)mask;
        while (d >= 0 && all[d] < need) {
            need -= all[d];
            pos += mine[d];
            d--;
        }
        if (d < 0) return FP_ERR_INVALID_ARGUMENT; /* fewer than S keys: shards out of step */
        if (all[d] == need) {
            *take = pos + mine[d];
            return FP_OK;
        }
        lo = pos;
        hi = pos + mine[d];
    }
    return FP_ERR_INVALID_ARGUMENT; /* equal keys on two ranks: an id held twice */
}

/* This rank's part of an identification, into its reply buffer. probe is
 * NULL when it could not be read here (st says why): the rank still takes
 * part in the collective steps. */
static fp_status identify_local(fp_mpi_search *s, const request *rq, const fp_template *probe, fp_status st,
                                uint8_t *out)
{
    reply r = {0, 0, 0, 0};
    fp_identify_candidate *top = (fp_identify_candidate *)(void *)(out + sizeof(reply));
    size_t n = 0;
    double t0 = MPI_Wtime();
    if (rq->shortlist >= s->total) {
        if (st == FP_OK) st = fpi_pool_scan(s->pool, s->shard, probe, rq->k, top, &n);
        r.stage2 = MPI_Wtime() - t0;
    } else {
        const uint64_t *keys = NULL;
        size_t count = fp_gallery_count(s->shard), m = 0, take = 0;
        if (st == FP_OK) st = fpi_pool_stage1(s->pool, s->shard, probe, (size_t)rq->shortlist, &keys);
        if (st == FP_OK) m = rq->shortlist < count ? (size_t)rq->shortlist : count;
        r.stage1 = MPI_Wtime() - t0;
        fp_status cut = global_cut(s, keys, m, rq->shortlist, &take);
        if (cut == FP_ERR_IO) return cut;
        if (st == FP_OK) st = cut;
        double t1 = MPI_Wtime();
        if (st == FP_OK && take) st = fpi_pool_stage2(s->pool, s->shard, probe, take, rq->k, top, &n);
        r.stage2 = MPI_Wtime() - t1;
    }
    r.status = (int32_t)st;
    r.n = st == FP_OK ? (uint32_t)n : 0;
    memcpy(out, &r, sizeof(r));
    return FP_OK;
}

/* The ranks' replies gathered at the root (whose own reply is already in
 * its place in the buffer). */
static fp_status gather(fp_mpi_search *s, const request *rq, uint8_t *mine)
{
    size_t len = reply_size(rq->k);
    uint8_t *recv = s->rank == s->root ? s->replies : NULL;
    MPI_CHECK(MPI_Gather(s->rank == s->root ? MPI_IN_PLACE : mine, (int)len, MPI_BYTE, recv, (int)len, MPI_BYTE,
                         s->root, s->comm));
    s->bytes += (uint64_t)(s->size - 1) * len;
    return FP_OK;
}

/* Reads the template the root broadcast after rq (every rank). */
static fp_status receive_template(fp_mpi_search *s, const request *rq, fp_template **out)
{
    *out = NULL;
    if (rq->len > TEMPLATE_BYTES) return FP_ERR_IO;
    FPI_CHECK(bcast(s, s->buf, rq->len, s->root));
    return fp_template_deserialize(FP_FORMAT_NATIVE, s->buf, rq->len, out);
}

static fp_status serialise(fp_mpi_search *s, const fp_template *t, uint32_t *len)
{
    size_t need;
    FPI_CHECK(fp_template_serialize(t, FP_FORMAT_NATIVE, s->buf, TEMPLATE_BYTES, &need));
    *len = (uint32_t)need;
    return FP_OK;
}

/* A put or remove on the owner; every rank learns its status and the new total. */
static fp_status apply_change(fp_mpi_search *s, const request *rq, const fp_template *tmpl)
{
    fp_gallery_id id = {rq->user, (uint8_t)rq->finger};
    int owner = (int)fp_gallery_shard_of(id, (uint32_t)s->size);
    change c = {0, 0};
    if (s->rank == owner) {
        fp_status st;
        if (rq->op == OP_PUT) {
            int had = fp_gallery_find(s->shard, id) != NULL;
            if (s->file)
                st = fp_gallery_file_put(s->file, s->shard, id, tmpl);
            else
                st = had ? fp_gallery_replace(s->shard, id, tmpl) : fp_gallery_add(s->shard, id, tmpl);
            c.delta = st == FP_OK && !had;
        } else {
            st = s->file ? fp_gallery_file_remove(s->file, s->shard, id) : fp_gallery_remove(s->shard, id);
            c.delta = st == FP_OK ? -1 : 0;
        }
        c.status = (int32_t)st;
    }
    FPI_CHECK(bcast(s, &c, sizeof(c), owner));
    s->total = (uint64_t)((int64_t)s->total + c.delta);
    return (fp_status)c.status;
}

/* Carries out one request on a rank that is not the root; *stop set on OP_STOP. */
static fp_status serve_one(fp_mpi_search *s, int *stop)
{
    request rq;
    FPI_CHECK(bcast(s, &rq, sizeof(rq), s->root));
    *stop = rq.op == OP_STOP;
    if (rq.op == OP_IDENTIFY) {
        fp_template *probe = NULL;
        fp_status st = receive_template(s, &rq, &probe);
        if (st == FP_ERR_IO) return st;
        fp_status rc = identify_local(s, &rq, probe, st, s->replies);
        fp_template_destroy(probe);
        if (rc == FP_OK) rc = gather(s, &rq, s->replies);
        return rc;
    }
    if (rq.op == OP_PUT || rq.op == OP_REMOVE) {
        fp_template *t = NULL;
        fp_gallery_id id = {rq.user, (uint8_t)rq.finger};
        int owner = (int)fp_gallery_shard_of(id, (uint32_t)s->size);
        if (rq.op == OP_PUT && s->rank == owner) {
            if (rq.len > TEMPLATE_BYTES) return FP_ERR_IO;
            MPI_CHECK(MPI_Recv(s->buf, (int)rq.len, MPI_BYTE, s->root, OP_PUT, s->comm, MPI_STATUS_IGNORE));
            fp_status st = fp_template_deserialize(FP_FORMAT_NATIVE, s->buf, rq.len, &t);
            if (st != FP_OK) {
                /* Reported through the change, like any failed put. */
                change c = {(int32_t)st, 0};
                return bcast(s, &c, sizeof(c), owner);
            }
        }
        fp_status st = apply_change(s, &rq, t);
        fp_template_destroy(t);
        return st == FP_ERR_IO ? st : FP_OK;
    }
    return FP_OK;
}

fp_status fp_mpi_serve(fp_mpi_search *search)
{
    if (!search || search->rank == search->root) return FP_ERR_INVALID_ARGUMENT;
    int stop = 0;
    while (!stop) FPI_CHECK(serve_one(search, &stop));
    return FP_OK;
}

static int is_root(const fp_mpi_search *s)
{
    return s && s->rank == s->root;
}

fp_status fp_mpi_identify(fp_mpi_search *search, const fp_template *probe, float threshold, size_t shortlist,
                          size_t k, fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision,
                          fp_mpi_query_stats *stats)
{
    if (n) *n = 0;
    if (decision) memset(decision, 0, sizeof(*decision));
    if (stats) memset(stats, 0, sizeof(*stats));
    fp_mpi_search *s = search;
    if (!is_root(s) || !probe || !candidates || !n || !decision || k == 0 || k > s->max_k)
        return FP_ERR_INVALID_ARGUMENT;
    double t0 = MPI_Wtime();
    s->bytes = 0;
    s->rounds = 0;
    request rq = {OP_IDENTIFY, 0, 0, (uint32_t)k, threshold, 0, 0};
    FPI_CHECK(serialise(s, probe, &rq.len));
    uint64_t sl = shortlist ? shortlist : fp_identify_shortlist_default((size_t)s->total);
    rq.shortlist = sl < s->total ? sl : s->total;
    FPI_CHECK(bcast(s, &rq, sizeof(rq), s->root));
    FPI_CHECK(bcast(s, s->buf, rq.len, s->root));
    uint8_t *mine = s->replies + (size_t)s->root * reply_size(rq.k);
    FPI_CHECK(identify_local(s, &rq, probe, FP_OK, mine));
    FPI_CHECK(gather(s, &rq, mine));
    /* Merge the ranks' lists; any rank's failure fails the query. */
    size_t m = 0;
    double stage1 = 0, stage2 = 0, compute = 0;
    fp_status st = FP_OK;
    for (int r = 0; r < s->size; r++) {
        const uint8_t *p = s->replies + (size_t)r * reply_size(rq.k);
        reply h;
        memcpy(&h, p, sizeof(h));
        if (h.status != FP_OK && st == FP_OK) st = (fp_status)h.status;
        const fp_identify_candidate *c = (const fp_identify_candidate *)(const void *)(p + sizeof(reply));
        for (uint32_t j = 0; j < h.n && j < rq.k; j++) fpi_topk_insert(candidates, k, &m, &c[j]);
        stage1 = FPI_MAX(stage1, h.stage1);
        stage2 = FPI_MAX(stage2, h.stage2);
        compute = FPI_MAX(compute, h.stage1 + h.stage2);
    }
    if (st != FP_OK) return st;
    *n = m;
    fpi_decide((size_t)s->total, threshold, candidates, m, decision);
    if (stats) {
        stats->seconds = MPI_Wtime() - t0;
        stats->stage1_seconds = stage1;
        stats->stage2_seconds = stage2;
        stats->compute_seconds = compute;
        stats->comm_seconds = stats->seconds > compute ? stats->seconds - compute : 0;
        stats->bytes = s->bytes;
        stats->rounds = s->rounds;
        stats->shortlist = rq.shortlist;
    }
    return FP_OK;
}

fp_status fp_mpi_put(fp_mpi_search *search, fp_gallery_id id, const fp_template *tmpl)
{
    fp_mpi_search *s = search;
    if (!is_root(s) || !tmpl || id.finger > FP_GALLERY_MAX_FINGER) return FP_ERR_INVALID_ARGUMENT;
    request rq = {OP_PUT, 0, 0, 0, 0, id.user, id.finger};
    FPI_CHECK(serialise(s, tmpl, &rq.len));
    FPI_CHECK(bcast(s, &rq, sizeof(rq), s->root));
    int owner = (int)fp_gallery_shard_of(id, (uint32_t)s->size);
    if (owner != s->root) {
        MPI_CHECK(MPI_Send(s->buf, (int)rq.len, MPI_BYTE, owner, OP_PUT, s->comm));
        s->bytes += rq.len;
    }
    return apply_change(s, &rq, tmpl);
}

fp_status fp_mpi_remove(fp_mpi_search *search, fp_gallery_id id)
{
    fp_mpi_search *s = search;
    if (!is_root(s) || id.finger > FP_GALLERY_MAX_FINGER) return FP_ERR_INVALID_ARGUMENT;
    request rq = {OP_REMOVE, 0, 0, 0, 0, id.user, id.finger};
    FPI_CHECK(bcast(s, &rq, sizeof(rq), s->root));
    return apply_change(s, &rq, NULL);
}

fp_status fp_mpi_stop(fp_mpi_search *search)
{
    if (!is_root(search)) return FP_ERR_INVALID_ARGUMENT;
    request rq = {OP_STOP, 0, 0, 0, 0, 0, 0};
    return bcast(search, &rq, sizeof(rq), search->root);
}
