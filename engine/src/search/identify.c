/* The single-threaded 1:N scan and the decision rule. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core/internal.h"
#include "search/search.h"

void fpi_topk_insert(fp_identify_candidate *top, size_t k, size_t *n, const fp_identify_candidate *c)
{
    size_t m = *n;
    if (m == k && !fpi_candidate_before(c, &top[m - 1])) return;
    /* k is small (tens): an insertion into the sorted list beats a heap and keeps the output sorted. */
    size_t i = m < k ? m : k - 1;
    while (i > 0 && fpi_candidate_before(c, &top[i - 1])) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *c;
    if (m < k) *n = m + 1;
}

fp_status fpi_search_scan(fp_context *ctx, const fp_gallery *g, size_t begin, size_t end, const fp_template *probe,
                          size_t k, fp_identify_candidate *top, size_t *n)
{
    return fpi_search_scan_list(ctx, g, NULL, begin, end, probe, k, top, n);
}

float fp_identify_threshold(float threshold, size_t n)
{
    if (n <= 1) return threshold;
    return threshold + (float)(10.0 * log10((double)n));
}

void fpi_decide(size_t total, float threshold, const fp_identify_candidate *top, size_t n,
                fp_identify_decision *decision)
{
    decision->compared = total;
    decision->applied_threshold = total ? fp_identify_threshold(threshold, total) : 0.0f;
    decision->accepted = n > 0 && top[0].score >= decision->applied_threshold;
}

void fpi_search_decide(const fp_gallery *g, float threshold, const fp_identify_candidate *top, size_t n,
                       fp_identify_decision *decision)
{
    fpi_decide(g->count, threshold, top, n, decision);
}

fp_status fp_identify(fp_context *ctx, const fp_gallery *gallery, const fp_template *probe, float threshold,
                      size_t k, fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision)
{
    if (n) *n = 0;
    if (decision) memset(decision, 0, sizeof(*decision));
    if (!ctx || !gallery || !probe || !candidates || !n || !decision || k == 0) return FP_ERR_INVALID_ARGUMENT;
    *n = 0;
    fp_status st = fpi_search_scan(ctx, gallery, 0, gallery->count, probe, k, candidates, n);
    if (st != FP_OK) {
        *n = 0;
        return st;
    }
    fpi_search_decide(gallery, threshold, candidates, *n, decision);
    return FP_OK;
}

/* ------------------------------------------------------------------------ */
/* Two-stage search                                                         */
/* ------------------------------------------------------------------------ */

struct fp_identify_scratch {
    uint64_t *keys;
    uint32_t *slots;
    size_t cap;
};

fp_status fp_identify_scratch_create(fp_identify_scratch **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = calloc(1, sizeof(**out));
    return *out ? FP_OK : FP_ERR_NO_MEMORY;
}

void fp_identify_scratch_destroy(fp_identify_scratch *scratch)
{
    if (!scratch) return;
    free(scratch->keys);
    free(scratch->slots);
    free(scratch);
}

fp_status fpi_scratch_reserve(fp_identify_scratch *s, size_t n)
{
    if (n <= s->cap) return FP_OK;
    uint64_t *k = malloc(n * sizeof(*k));
    uint32_t *l = malloc(n * sizeof(*l));
    if (!k || !l) {
        free(k);
        free(l);
        return FP_ERR_NO_MEMORY;
    }
    free(s->keys);
    free(s->slots);
    s->keys = k;
    s->slots = l;
    s->cap = n;
    return FP_OK;
}

uint64_t *fpi_scratch_keys(fp_identify_scratch *s)
{
    return s->keys;
}

uint32_t *fpi_scratch_slots(fp_identify_scratch *s)
{
    return s->slots;
}

size_t fp_identify_shortlist_default(size_t n)
{
    size_t m = (n + 199) / 200;
    if (m < 500) m = 500;
    return m < n ? m : n;
}

void fpi_stage1_scan(const fpi_kernels *k, const fp_gallery *g, const fpi_pcode *probe, size_t begin, size_t end,
                     uint64_t *keys)
{
    /* A block of fingers per kernel call; the codes lie in one flat array,
     * which the hardware prefetcher streams. */
    for (size_t i = begin; i < end; i += FPI_STAGE1_BLOCK) {
        const int m = end - i < FPI_STAGE1_BLOCK ? (int)(end - i) : FPI_STAGE1_BLOCK;
        uint32_t score[FPI_STAGE1_BLOCK];
        k->stage1_block(probe, &g->scode[i], m, score);
        for (int j = 0; j < m; j++) keys[i + j] = fpi_stage1_key(score[j], g->user[i + j], g->finger[i + j]);
    }
}

static void swap64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* Moves the m largest of v[0..n) to the front (any order): quickselect with
 * a median-of-three pivot. Keys are distinct (they hold the id). */
static void select_top(uint64_t *v, size_t n, size_t m)
{
    size_t lo = 0, hi = n; /* the boundary m lies in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] > v[lo]) swap64(&v[mid], &v[lo]);
        if (v[hi - 1] > v[lo]) swap64(&v[hi - 1], &v[lo]);
        if (v[mid] > v[hi - 1]) swap64(&v[mid], &v[hi - 1]);
        /* v[lo] >= v[hi-1] >= v[mid]: pivot is the median, kept at hi-1. */
        uint64_t pivot = v[hi - 1];
        size_t store = lo;
        for (size_t i = lo; i < hi - 1; i++)
            if (v[i] > pivot) swap64(&v[i], &v[store++]);
        swap64(&v[store], &v[hi - 1]);
        /* v[lo..store) > pivot = v[store] > v[store+1..hi) */
        if (store == m || store + 1 == m) return;
        if (store > m)
            hi = store;
        else
            lo = store + 1;
    }
}

static int key_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

void fpi_stage1_top(uint64_t *keys, size_t n, size_t m)
{
    if (m < n) select_top(keys, n, m);
    qsort(keys, m, sizeof(*keys), key_desc);
}

void fpi_stage1_slots(const fp_gallery *g, const uint64_t *keys, size_t m, uint32_t *slots)
{
    for (size_t i = 0; i < m; i++) {
        uint64_t id = ((uint64_t)1 << 36) - 1 - (keys[i] & (((uint64_t)1 << 36) - 1));
        slots[i] = (uint32_t)fpi_gallery_slot(g, (uint32_t)(id >> 4), (uint8_t)(id & 15));
    }
}

fp_status fpi_search_scan_list(fp_context *ctx, const fp_gallery *g, const uint32_t *list, size_t begin, size_t end,
                               const fp_template *probe, size_t k, fp_identify_candidate *top, size_t *n)
{
    for (size_t i = begin; i < end; i++) {
        size_t s = list ? list[i] : i;
        fp_identify_candidate c;
        fp_status st = fp_compare(ctx, probe, g->tmpl[s], &c.score);
        if (st != FP_OK) return st;
        c.id.user = g->user[s];
        c.id.finger = g->finger[s];
        fpi_topk_insert(top, k, n, &c);
    }
    return FP_OK;
}

fp_status fp_identify_two_stage(fp_context *ctx, const fp_gallery *gallery, const fp_template *probe,
                                float threshold, size_t shortlist, fp_identify_scratch *scratch, size_t k,
                                fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision)
{
    if (n) *n = 0;
    if (decision) memset(decision, 0, sizeof(*decision));
    if (!ctx || !gallery || !probe || !scratch || !candidates || !n || !decision || k == 0)
        return FP_ERR_INVALID_ARGUMENT;
    size_t count = gallery->count;
    if (shortlist == 0) shortlist = fp_identify_shortlist_default(count);
    if (shortlist > count) shortlist = count;
    FPI_CHECK(fpi_scratch_reserve(scratch, count ? count : 1));
    fpi_pcode pc;
    fpi_pcode_encode(probe, &pc);
    fpi_stage1_scan(ctx->kernels, gallery, &pc, 0, count, scratch->keys);
    fpi_stage1_top(scratch->keys, count, shortlist);
    fpi_stage1_slots(gallery, scratch->keys, shortlist, scratch->slots);
    fp_status st = fpi_search_scan_list(ctx, gallery, scratch->slots, 0, shortlist, probe, k, candidates, n);
    if (st != FP_OK) {
        *n = 0;
        return st;
    }
    fpi_search_decide(gallery, threshold, candidates, *n, decision);
    return FP_OK;
}
