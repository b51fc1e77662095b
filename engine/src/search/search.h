/* Search internals shared by the single-threaded scan and the thread pool. */
#ifndef FP_SEARCH_INTERNAL_H
#define FP_SEARCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/search.h"
#include "kernels/kernels.h"

/*
 * Templates and their ids live in parallel arrays indexed by slot, so the
 * scan streams through them in order. Removal moves the last slot into the
 * hole, keeping the arrays dense. The id index maps an id to its slot by
 * open addressing (linear probing, backward-shift deletion so no
 * tombstones accumulate).
 */
struct fp_gallery {
    size_t count, cap;
    fp_template **tmpl;  /* cap entries, count used */
    /* cap: pre-screening code of each slot, a fixed-size record. Owned
     * (heap) for heap templates; for view templates it points into the
     * same mapping as the template, read in place. */
    const fpi_pcode **pcode;
    /* cap: each slot's stage-1 codes (fpi_scode_make of its template and
     * pcode), one flat 64-byte aligned array that stage 1 streams through. */
    fpi_scode *scode;
    uint32_t *user;      /* cap */
    uint8_t *finger;     /* cap */
    uint32_t *index;     /* index_cap entries: slot + 1, 0 = empty */
    size_t index_cap;    /* power of two, at least twice cap */
    /* Memory the gallery's view templates point into (a mapped file), freed
     * by release(release_ctx) when the gallery is destroyed. */
    void (*release)(void *release_ctx);
    void *release_ctx;
};

/* Enrols or replaces id with t, taking ownership of t. A heap template
 * gets a heap copy of pc (or of its computed code when pc is NULL); a view
 * template must come with pc, which then must live as long as the view.
 * On error t is destroyed and the gallery is unchanged. */
fp_status fpi_gallery_put_owned(fp_gallery *g, fp_gallery_id id, fp_template *t, const fpi_pcode *pc);
/* Sets the release hook (see struct fp_gallery). */
void fpi_gallery_set_release(fp_gallery *g, void (*release)(void *), void *ctx);

/* Total order of candidates: score descending, then user, then finger. */
static inline int fpi_candidate_before(const fp_identify_candidate *a, const fp_identify_candidate *b)
{
    if (a->score != b->score) return a->score > b->score;
    if (a->id.user != b->id.user) return a->id.user < b->id.user;
    return a->id.finger < b->id.finger;
}

/* Inserts c into the sorted list top (*n entries, room for k) if it ranks
 * among the k best. */
void fpi_topk_insert(fp_identify_candidate *top, size_t k, size_t *n, const fp_identify_candidate *c);

/* Scans slots [begin, end) of g into top (room for k, *n entries already
 * ranked; set *n = 0 to start empty). */
fp_status fpi_search_scan(fp_context *ctx, const fp_gallery *g, size_t begin, size_t end, const fp_template *probe,
                          size_t k, fp_identify_candidate *top, size_t *n);

/* Pre-screening codes (pcode.c): a template's codes, the few a gallery
 * finger keeps for stage 1, and the stage-1 score of a probe's codes
 * against those. */
void fpi_pcode_encode(const fp_template *t, fpi_pcode *out);
void fpi_scode_make(const fp_template *t, const fpi_pcode *pc, fpi_scode *out);
uint32_t fpi_stage1_score(const fpi_kernels *k, const fpi_pcode *probe, const fpi_scode *cand);

/* Stage-1 key of a slot: pre-screening score above, then the id inverted so
 * that among equal scores the smaller (user, finger) ranks first. */
static inline uint64_t fpi_stage1_key(uint32_t score, uint32_t user, uint8_t finger)
{
    uint64_t id = ((uint64_t)user << 4) | finger; /* 36 bits */
    return ((uint64_t)score << 36) | (((uint64_t)1 << 36) - 1 - id);
}

/* Scores slots [begin, end) of g against the probe's codes into keys[begin..end). */
void fpi_stage1_scan(const fpi_kernels *k, const fp_gallery *g, const fpi_pcode *probe, size_t begin, size_t end,
                     uint64_t *keys);
/* Keys use their low FPI_STAGE1_KEY_BITS bits (16-bit score, 36-bit id). */
#define FPI_STAGE1_KEY_BITS 52
/* Reorders keys[0..n) so that its first m entries are the m largest, in
 * descending order. */
void fpi_stage1_top(uint64_t *keys, size_t n, size_t m);
/* The slots of the fingers named by keys[0..m) into slots[0..m). */
void fpi_stage1_slots(const fp_gallery *g, const uint64_t *keys, size_t m, uint32_t *slots);
/* As fpi_search_scan over the listed slots list[begin..end); list NULL: slots begin..end. */
fp_status fpi_search_scan_list(fp_context *ctx, const fp_gallery *g, const uint32_t *list, size_t begin, size_t end,
                               const fp_template *probe, size_t k, fp_identify_candidate *top, size_t *n);
/* The slot of id, or SIZE_MAX. */
size_t fpi_gallery_slot(const fp_gallery *g, uint32_t user, uint8_t finger);

/* Scratch of a two-stage query (identify.c). */
fp_status fpi_scratch_reserve(fp_identify_scratch *s, size_t n);
uint64_t *fpi_scratch_keys(fp_identify_scratch *s);
uint32_t *fpi_scratch_slots(fp_identify_scratch *s);

/* Fills the decision from the ranked list, for a gallery of total fingers
 * (fpi_search_decide: g's count). */
void fpi_decide(size_t total, float threshold, const fp_identify_candidate *top, size_t n,
                fp_identify_decision *decision);
void fpi_search_decide(const fp_gallery *g, float threshold, const fp_identify_candidate *top, size_t n,
                       fp_identify_decision *decision);

/*
 * The pool's query in steps, for a search split over several galleries
 * (the MPI shards, mpi.c); fp_identify_parallel(_two_stage) are these steps
 * on one gallery. One query at a time per pool.
 *  - fpi_pool_stage1: stage 1 over g; *keys gets the pool's scratch with
 *    the min(m, count) best stage-1 keys first, in descending order.
 *  - fpi_pool_stage2: stage 2 over the fingers of the first m of those keys
 *    (m <= what stage 1 returned), ranking the k best into top (*n).
 *  - fpi_pool_scan: the full scan into top (*n).
 * Errors: FP_ERR_INVALID_ARGUMENT (k > max_k), FP_ERR_NO_MEMORY, the matcher's.
 */
fp_status fpi_pool_stage1(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t m,
                          const uint64_t **keys);
fp_status fpi_pool_stage2(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t m, size_t k,
                          fp_identify_candidate *top, size_t *n);
fp_status fpi_pool_scan(fp_identify_pool *pool, const fp_gallery *g, const fp_template *probe, size_t k,
                        fp_identify_candidate *top, size_t *n);

#endif
