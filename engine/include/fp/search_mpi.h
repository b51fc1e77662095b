/*
 * search_mpi.h - 1:N identification over a gallery split between MPI ranks
 * (library fpsearch_mpi, built when Open MPI is found; docs/search.md,
 * "Sharded search on MPI").
 *
 * Every rank holds one shard: the fingers whose fp_gallery_shard_of(id,
 * ranks) is its rank (loaded from its own gallery file, or built in
 * memory), and its own thread pool. One rank, the root, takes the
 * requests: an identification broadcasts the probe, every rank runs stage
 * 1 on its shard, the ranks agree on the global shortlist (the same
 * fingers a single process would keep over the whole gallery), every rank
 * runs stage 2 on its part of it, and the root merges the ranks' k best
 * and decides with N = the whole gallery's size. The result is identical
 * to fp_identify_parallel_two_stage (or fp_identify_parallel for the
 * exhaustive scan) over one gallery holding every shard's fingers. A put
 * or remove goes to the rank that owns the id.
 *
 * The other ranks run fp_mpi_serve, which carries out the root's requests
 * until the root calls fp_mpi_stop. Every call here is collective over the
 * communicator given at creation except fp_mpi_count and
 * fp_mpi_search_destroy. All ranks must have the same byte order (the
 * messages are raw structs). Communication failures are FP_ERR_IO. Nothing
 * prints.
 */
#ifndef FP_SEARCH_MPI_H
#define FP_SEARCH_MPI_H

#include <mpi.h>

#include "fp/search.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_mpi_search fp_mpi_search;

/*
 * Collective over comm (duplicated: the caller's communicator is not used
 * for the search's messages). shard is this rank's gallery, borrowed for
 * the search's lifetime: puts and removes change it. file (may be NULL) is
 * the gallery file shard was loaded from: puts and removes then go through
 * it (durable). root is the rank that will call fp_mpi_identify and the
 * others. pool_config (may be NULL) configures this rank's thread pool;
 * with several ranks on one machine, give each fewer threads (and its
 * workers are not pinned: pinning is kept only for a rank alone on its
 * machine).
 * Fails on every rank when any rank fails: FP_ERR_INVALID_ARGUMENT (a
 * NULL shard, a bad root, or a shard holding an id another rank owns),
 * FP_ERR_NO_MEMORY, FP_ERR_UNSUPPORTED (the pool), FP_ERR_IO.
 */
fp_status fp_mpi_search_create(MPI_Comm comm, int root, fp_gallery *shard, fp_gallery_file *file,
                               const fp_identify_pool_config *pool_config, fp_mpi_search **out);
/* Frees this rank's state (not the shard or its file). Local; accepts NULL. */
void fp_mpi_search_destroy(fp_mpi_search *search);

/* Fingers in all shards together (the N of the decision rule). Local. */
size_t fp_mpi_count(const fp_mpi_search *search);

/* What one identification cost, as the root saw it. */
typedef struct fp_mpi_query_stats {
    double seconds;         /* the whole call at the root */
    double stage1_seconds;  /* the slowest rank's stage 1 (codes and local selection) */
    double stage2_seconds;  /* the slowest rank's stage 2 (or full scan) */
    double compute_seconds; /* the slowest rank's stage 1 + stage 2 */
    double comm_seconds;    /* seconds - compute_seconds: messages and waiting */
    uint64_t bytes;         /* payload of the messages, summed over ranks */
    uint32_t rounds;        /* rounds of the shortlist selection (0: exhaustive) */
    uint64_t shortlist;     /* global shortlist (N for the exhaustive scan) */
} fp_mpi_query_stats;

/*
 * Root only (the others are in fp_mpi_serve): identifies probe over all
 * shards. shortlist as fp_identify_parallel_two_stage, of the whole
 * gallery (0: fp_identify_shortlist_default(N); >= N: exhaustive scan).
 * candidates (k entries), *n and decision as fp_identify; stats optional.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL, k == 0 or above the pools'
 * max_k, not the root), FP_ERR_NO_MEMORY, FP_ERR_IO, a rank's matcher error.
 */
fp_status fp_mpi_identify(fp_mpi_search *search, const fp_template *probe, float threshold, size_t shortlist,
                          size_t k, fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision,
                          fp_mpi_query_stats *stats);

/*
 * Root only: adds or replaces id on the rank that owns it (through its
 * gallery file when it has one). Returns the owner's status: as
 * fp_gallery_add / fp_gallery_replace / fp_gallery_file_put, FP_ERR_IO.
 */
fp_status fp_mpi_put(fp_mpi_search *search, fp_gallery_id id, const fp_template *tmpl);
/* Root only: removes id from the rank that owns it. Errors: as put, FP_ERR_NOT_FOUND. */
fp_status fp_mpi_remove(fp_mpi_search *search, fp_gallery_id id);
/* Root only: ends fp_mpi_serve on the other ranks. */
fp_status fp_mpi_stop(fp_mpi_search *search);

/*
 * Every rank but the root: carries out the root's requests until it calls
 * fp_mpi_stop, then returns FP_OK. A failed request is reported to the
 * root and serving goes on; FP_ERR_IO (communication) ends it.
 */
fp_status fp_mpi_serve(fp_mpi_search *search);

#ifdef __cplusplus
}
#endif

#endif /* FP_SEARCH_MPI_H */
