/*
 * The thread pool of the server scan. Workers are started once, each with
 * its own fp_context and top-k buffer, and wait for a query. Workers take
 * contiguous chunks of the gallery from a shared atomic cursor (so a worker
 * slowed by another process on its core does not hold the query back) and
 * rank them into their own list; the caller merges the lists with the same
 * total order fp_identify uses. The k best of a set under a total order do
 * not depend on how the set was split, so both give identical results.
 *
 * Memory placement (hwloc builds): each worker is bound to its core and its
 * memory policy to that core's NUMA node, and allocates its own context
 * and top-k after that, so they are local. The workers are grouped by
 * node; every scan is cut into one contiguous part per group, in
 * proportion to its workers, and a worker takes chunks of its own group's
 * part first and then helps the other groups. On a one-node machine there
 * is one group and one cursor.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef FP_HAVE_HWLOC
#include <hwloc.h>
#endif

#include "core/context.h"
#include "core/internal.h"
#include "search/search.h"

#define POOL_DEFAULT_MAX_K 100
#define POOL_MAX_THREADS 1024
/* At most 256 slots per chunk (about 25 ms of comparisons, so the cursor is
 * touched rarely), and at least 8 chunks per worker so the slices balance
 * on small galleries. */
#define POOL_CHUNK_MAX 256
#define POOL_CHUNKS_PER_WORKER 8

typedef struct worker {
    fp_identify_pool *pool;
    uint32_t index;
    uint32_t group; /* NUMA group (index into the pool's groups) */
    pthread_t thread;
    fp_context *ctx;
    fp_identify_candidate *top; /* max_k entries */
    size_t n;
    fp_status status;
} worker;

/* The part of the current scan that one NUMA group's workers take first. */
typedef struct group {
    atomic_size_t cursor; /* next unscanned position of the part */
    size_t end;
    uint32_t workers;
    int node; /* OS index of the NUMA node, -1 when unknown */
} group;

struct fp_identify_pool {
    uint32_t threads, started, pinned, membound, ready;
    int pin;
    group *groups;
    uint32_t n_groups;
    fp_status start_status; /* the first worker set-up failure */
    fp_config context;
    uint32_t max_k;
    worker *workers;
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    /* The current query, written under lock before generation is bumped. */
    uint64_t generation;
    uint32_t pending;
    int quit;
    const fp_gallery *gallery;
    const fp_template *probe;
    size_t k;
    /* Phase of the current query: full scan, stage 1 (codes into keys) or
     * stage 2 (full matcher over the listed slots). */
    enum { PHASE_SCAN, PHASE_STAGE1, PHASE_STAGE2 } phase;
    const fpi_pcode *probe_code;
    size_t list_len;
    fp_identify_scratch *scratch;
#ifdef FP_HAVE_HWLOC
    hwloc_topology_t topo;
    int have_topo;
#endif
};

void fp_identify_pool_config_init(fp_identify_pool_config *config)
{
    if (!config) return;
    memset(config, 0, sizeof(*config));
    config->threads = 0;
    config->max_k = POOL_DEFAULT_MAX_K;
    config->pin = 1;
    config->topology = NULL;
    fp_config_init(&config->context);
}

static void pin_self(fp_identify_pool *pool, uint32_t index)
{
#ifdef FP_HAVE_HWLOC
    if (!pool->have_topo) return;
    int cores = hwloc_get_nbobjs_by_type(pool->topo, HWLOC_OBJ_CORE);
    if (cores <= 0 || index >= (uint32_t)cores) return;
    hwloc_obj_t core = hwloc_get_obj_by_type(pool->topo, HWLOC_OBJ_CORE, index);
    if (!core || !core->cpuset) return;
    hwloc_bitmap_t set = hwloc_bitmap_dup(core->cpuset);
    if (!set) return;
    /* One hardware thread of the core, so the OS does not move the worker between SMT siblings. */
    hwloc_bitmap_singlify(set);
    if (hwloc_set_cpubind(pool->topo, set, HWLOC_CPUBIND_THREAD) == 0) {
        /* Memory from the core's node from now on (this worker's context,
         * its top-k and whatever it first touches). */
        int bound = core->nodeset && hwloc_set_membind(pool->topo, core->nodeset, HWLOC_MEMBIND_BIND,
                                                       HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET) == 0;
        pthread_mutex_lock(&pool->lock);
        pool->pinned++;
        pool->membound += (uint32_t)bound;
        pthread_mutex_unlock(&pool->lock);
    }
    hwloc_bitmap_free(set);
#else
    (void)pool;
    (void)index;
#endif
}

/* Takes chunks of one group's part of the current phase until it is done. */
static fp_status scan_part(worker *w, group *gr, int phase, size_t chunk, const fp_gallery *g,
                           const fp_template *probe, size_t k)
{
    fp_identify_pool *pool = w->pool;
    for (;;) {
        size_t begin = atomic_fetch_add(&gr->cursor, chunk);
        if (begin >= gr->end) return FP_OK;
        size_t end = gr->end - begin < chunk ? gr->end : begin + chunk;
        fp_status st = FP_OK;
        if (phase == PHASE_SCAN)
            st = fpi_search_scan(w->ctx, g, begin, end, probe, k, w->top, &w->n);
        else if (phase == PHASE_STAGE1)
            fpi_stage1_scan(w->ctx->kernels, g, pool->probe_code, begin, end, fpi_scratch_keys(pool->scratch));
        else
            st = fpi_search_scan_list(w->ctx, g, fpi_scratch_slots(pool->scratch), begin, end, probe, k, w->top,
                                      &w->n);
        if (st != FP_OK) return st;
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    fp_identify_pool *pool = w->pool;
    uint64_t seen = 0;
    if (pool->pin) pin_self(pool, w->index);
    /* Allocated here, after the binding, so they live on the worker's node. */
    fp_status st = FP_OK;
    w->top = calloc(pool->max_k, sizeof(*w->top));
    if (!w->top) st = FP_ERR_NO_MEMORY;
    if (st == FP_OK) st = fp_context_create(&pool->context, &w->ctx);
    pthread_mutex_lock(&pool->lock);
    if (st != FP_OK && pool->start_status == FP_OK) pool->start_status = st;
    if (++pool->ready == pool->threads) pthread_cond_signal(&pool->done);
    for (;;) {
        while (!pool->quit && pool->generation == seen) pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->quit) break;
        seen = pool->generation;
        const fp_gallery *g = pool->gallery;
        const fp_template *probe = pool->probe;
        size_t k = pool->k;
        int phase = pool->phase;
        size_t total = phase == PHASE_STAGE2 ? pool->list_len : g->count;
        pthread_mutex_unlock(&pool->lock);

        if (phase != PHASE_STAGE1) w->n = 0;
        w->status = FP_OK;
        /* Stage 1 is about 100 times cheaper per slot than a comparison: larger chunks. */
        size_t chunk_max = phase == PHASE_STAGE1 ? 64 * POOL_CHUNK_MAX : POOL_CHUNK_MAX;
        size_t chunk = total / ((size_t)pool->threads * POOL_CHUNKS_PER_WORKER);
        chunk = chunk < 1 ? 1 : chunk > chunk_max ? chunk_max : chunk;
        /* Own group's part first, then the others' in turn. */
        for (uint32_t gi = 0; gi < pool->n_groups && w->status == FP_OK; gi++)
            w->status = scan_part(w, &pool->groups[(w->group + gi) % pool->n_groups], phase, chunk, g, probe, k);

        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0) pthread_cond_signal(&pool->done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* Groups the workers by the NUMA node of the core each is (or would be) placed on. */
static void assign_groups(fp_identify_pool *pool)
{
    pool->n_groups = 0;
    for (uint32_t i = 0; i < pool->threads; i++) {
        int node = -1;
#ifdef FP_HAVE_HWLOC
        int cores = pool->have_topo ? hwloc_get_nbobjs_by_type(pool->topo, HWLOC_OBJ_CORE) : 0;
        if (cores > 0) {
            hwloc_obj_t core = hwloc_get_obj_by_type(pool->topo, HWLOC_OBJ_CORE, i % (uint32_t)cores);
            if (core && core->nodeset && !hwloc_bitmap_iszero(core->nodeset)) node = hwloc_bitmap_first(core->nodeset);
        }
#endif
        uint32_t g = 0;
        while (g < pool->n_groups && pool->groups[g].node != node) g++;
        if (g == pool->n_groups) {
            pool->groups[g].node = node;
            pool->groups[g].workers = 0;
            atomic_init(&pool->groups[g].cursor, 0);
            pool->n_groups++;
        }
        pool->groups[g].workers++;
        pool->workers[i].group = g;
    }
}

static uint32_t default_threads(fp_identify_pool *pool)
{
#ifdef FP_HAVE_HWLOC
    if (pool->have_topo) {
        int cores = hwloc_get_nbobjs_by_type(pool->topo, HWLOC_OBJ_CORE);
        if (cores > 0) return (uint32_t)cores;
    }
#else
    (void)pool;
#endif
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (uint32_t)cpus : 1;
}

fp_status fp_identify_pool_create(const fp_identify_pool_config *config, fp_identify_pool **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    fp_identify_pool_config def;
    if (!config) {
        fp_identify_pool_config_init(&def);
        config = &def;
    }
    if (config->threads > POOL_MAX_THREADS) return FP_ERR_INVALID_ARGUMENT;
    fp_identify_pool *pool = calloc(1, sizeof(*pool));
    if (!pool) return FP_ERR_NO_MEMORY;
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool);
        return FP_ERR_NO_MEMORY;
    }
    pool->context = config->context;
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->done, NULL);
    fp_status st = FP_OK;
#ifdef FP_HAVE_HWLOC
    if (hwloc_topology_init(&pool->topo) == 0) {
        int ok = !config->topology || hwloc_topology_set_synthetic(pool->topo, config->topology) == 0;
        if (ok && hwloc_topology_load(pool->topo) == 0)
            pool->have_topo = 1;
        else
            hwloc_topology_destroy(pool->topo);
    }
    if (config->topology && !pool->have_topo) FPI_FAIL(FP_ERR_INVALID_ARGUMENT);
#else
    if (config->topology) FPI_FAIL(FP_ERR_UNSUPPORTED);
#endif
    pool->threads = config->threads ? config->threads : default_threads(pool);
    pool->max_k = config->max_k ? config->max_k : POOL_DEFAULT_MAX_K;
    /* A described (synthetic) topology has no processors to bind to. */
    pool->pin = config->pin != 0 && !config->topology;
    pool->workers = calloc(pool->threads, sizeof(*pool->workers));
    pool->groups = calloc(pool->threads, sizeof(*pool->groups));
    if (!pool->workers || !pool->groups) FPI_FAIL(FP_ERR_NO_MEMORY);
    FPI_TRY(fp_identify_scratch_create(&pool->scratch));
    assign_groups(pool);
    for (uint32_t i = 0; i < pool->threads; i++) {
        pool->workers[i].pool = pool;
        pool->workers[i].index = i;
    }
    for (uint32_t i = 0; i < pool->threads; i++) {
        if (pthread_create(&pool->workers[i].thread, NULL, worker_main, &pool->workers[i]) != 0)
            FPI_FAIL(FP_ERR_UNSUPPORTED);
        pool->started++;
    }
    /* Return only once every worker has placed itself, so the pinned count is final. */
    pthread_mutex_lock(&pool->lock);
    while (pool->ready < pool->threads) pthread_cond_wait(&pool->done, &pool->lock);
    st = pool->start_status;
    pthread_mutex_unlock(&pool->lock);
done:
    if (st != FP_OK) {
        fp_identify_pool_destroy(pool);
        return st;
    }
    *out = pool;
    return FP_OK;
}

void fp_identify_pool_destroy(fp_identify_pool *pool)
{
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (uint32_t i = 0; i < pool->started; i++) pthread_join(pool->workers[i].thread, NULL);
    if (pool->workers) {
        for (uint32_t i = 0; i < pool->threads; i++) {
            fp_context_destroy(pool->workers[i].ctx);
            free(pool->workers[i].top);
        }
    }
    free(pool->workers);
    free(pool->groups);
    fp_identify_scratch_destroy(pool->scratch);
#ifdef FP_HAVE_HWLOC
    if (pool->have_topo) hwloc_topology_destroy(pool->topo);
#endif
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->done);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

uint32_t fp_identify_pool_threads(const fp_identify_pool *pool)
{
    return pool ? pool->threads : 0;
}

uint32_t fp_identify_pool_nodes(const fp_identify_pool *pool)
{
    return pool ? pool->n_groups : 0;
}

uint32_t fp_identify_pool_membound(const fp_identify_pool *pool)
{
    return pool ? pool->membound : 0;
}

uint32_t fp_identify_pool_pinned(const fp_identify_pool *pool)
{
    /* Final once fp_identify_pool_create returned: it waits for every worker to place itself. */
    return pool ? pool->pinned : 0;
}

/* Runs one phase of a query on every worker and waits for all of them. */
static void run_phase(fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe, size_t k, int phase)
{
    pthread_mutex_lock(&pool->lock);
    pool->gallery = gallery;
    pool->probe = probe;
    pool->k = k;
    pool->phase = phase;
    /* One contiguous part per group, in proportion to its workers. */
    const uint64_t total = phase == PHASE_STAGE2 ? pool->list_len : gallery->count;
    uint64_t before = 0;
    for (uint32_t g = 0; g < pool->n_groups; g++) {
        size_t begin = (size_t)(total * before / pool->threads);
        before += pool->groups[g].workers;
        atomic_store(&pool->groups[g].cursor, begin);
        pool->groups[g].end = (size_t)(total * before / pool->threads);
    }
    pool->pending = pool->threads;
    pool->generation++;
    pthread_cond_broadcast(&pool->wake);
    while (pool->pending > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

/* Merges the workers' lists into top (*n): in worker order; the total order
 * makes the result independent of it. */
static fp_status merge(fp_identify_pool *pool, size_t k, fp_identify_candidate *top, size_t *n)
{
    size_t m = 0;
    for (uint32_t i = 0; i < pool->threads; i++) {
        const worker *w = &pool->workers[i];
        if (w->status != FP_OK) return w->status;
        for (size_t j = 0; j < w->n; j++) fpi_topk_insert(top, k, &m, &w->top[j]);
    }
    *n = m;
    return FP_OK;
}

fp_status fpi_pool_scan(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t k,
                        fp_identify_candidate *top, size_t *n)
{
    *n = 0;
    if (k == 0 || k > pool->max_k) return FP_ERR_INVALID_ARGUMENT;
    run_phase(pool, g, probe, k, PHASE_SCAN);
    return merge(pool, k, top, n);
}

fp_status fpi_pool_stage1(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t m,
                          const uint64_t **keys)
{
    size_t count = g->count;
    FPI_CHECK(fpi_scratch_reserve(pool->scratch, count ? count : 1));
    fpi_pcode pc;
    fpi_pcode_encode(probe, &pc);
    pool->probe_code = &pc;
    run_phase(pool, g, probe, 0, PHASE_STAGE1);
    pool->probe_code = NULL;
    fpi_stage1_top(fpi_scratch_keys(pool->scratch), count, m < count ? m : count);
    *keys = fpi_scratch_keys(pool->scratch);
    return FP_OK;
}

fp_status fpi_pool_stage2(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t m, size_t k,
                          fp_identify_candidate *top, size_t *n)
{
    *n = 0;
    if (k == 0 || k > pool->max_k) return FP_ERR_INVALID_ARGUMENT;
    fpi_stage1_slots(g, fpi_scratch_keys(pool->scratch), m, fpi_scratch_slots(pool->scratch));
    pool->list_len = m;
    run_phase(pool, g, probe, k, PHASE_STAGE2);
    return merge(pool, k, top, n);
}

/* The common checks and clearing of the public calls. */
static fp_status query_start(const fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe,
                             size_t k, const fp_identify_candidate *candidates, size_t *n,
                             fp_identify_decision *decision)
{
    if (n) *n = 0;
    if (decision) memset(decision, 0, sizeof(*decision));
    if (!pool || !gallery || !probe || !candidates || !n || !decision || k == 0 || k > pool->max_k)
        return FP_ERR_INVALID_ARGUMENT;
    return FP_OK;
}

fp_status fp_identify_parallel(fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe,
                               float threshold, size_t k, fp_identify_candidate *candidates, size_t *n,
                               fp_identify_decision *decision)
{
    FPI_CHECK(query_start(pool, gallery, probe, k, candidates, n, decision));
    FPI_CHECK(fpi_pool_scan(pool, gallery, probe, k, candidates, n));
    fpi_search_decide(gallery, threshold, candidates, *n, decision);
    return FP_OK;
}

fp_status fp_identify_parallel_two_stage(fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe,
                                         float threshold, size_t shortlist, size_t k,
                                         fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision)
{
    FPI_CHECK(query_start(pool, gallery, probe, k, candidates, n, decision));
    size_t count = gallery->count;
    if (shortlist == 0) shortlist = fp_identify_shortlist_default(count);
    if (shortlist > count) shortlist = count;
    const uint64_t *keys;
    FPI_CHECK(fpi_pool_stage1(pool, gallery, probe, shortlist, &keys));
    FPI_CHECK(fpi_pool_stage2(pool, gallery, probe, shortlist, k, candidates, n));
    fpi_search_decide(gallery, threshold, candidates, *n, decision);
    return FP_OK;
}
