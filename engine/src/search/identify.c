/* The single-threaded 1:N scan and the decision rule. */
#include <math.h>
#include <string.h>

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
    for (size_t i = begin; i < end; i++) {
        fp_identify_candidate c;
        fp_status st = fp_compare(ctx, probe, g->tmpl[i], &c.score);
        if (st != FP_OK) return st;
        c.id.user = g->user[i];
        c.id.finger = g->finger[i];
        fpi_topk_insert(top, k, n, &c);
    }
    return FP_OK;
}

float fp_identify_threshold(float threshold, size_t n)
{
    if (n <= 1) return threshold;
    return threshold + (float)(10.0 * log10((double)n));
}

void fpi_search_decide(const fp_gallery *g, float threshold, const fp_identify_candidate *top, size_t n,
                       fp_identify_decision *decision)
{
    decision->compared = g->count;
    decision->applied_threshold = g->count ? fp_identify_threshold(threshold, g->count) : 0.0f;
    decision->accepted = n > 0 && top[0].score >= decision->applied_threshold;
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
