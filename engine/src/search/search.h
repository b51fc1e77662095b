/* Search internals shared by the single-threaded scan and the thread pool. */
#ifndef FP_SEARCH_INTERNAL_H
#define FP_SEARCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/search.h"

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
    uint32_t *user;      /* cap */
    uint8_t *finger;     /* cap */
    uint32_t *index;     /* index_cap entries: slot + 1, 0 = empty */
    size_t index_cap;    /* power of two, at least twice cap */
};

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

/* Fills the decision from the ranked list. */
void fpi_search_decide(const fp_gallery *g, float threshold, const fp_identify_candidate *top, size_t n,
                       fp_identify_decision *decision);

#endif
