/*
 * Minutiae comparison: the entry points. The algorithm is in
 * compare_body.h (docs/matcher.md), built here for the baseline
 * instruction set and in compare_avx2.c for AVX2; fpi_match_ws_init picks
 * the build that goes with the context's SIMD level.
 */
#define FPI_MATCH_VARIANT(name) name##_base
#include "compare_body.h"

/* Whether an edge of length len agrees with one of length d of the second
 * template, whose length sets the tolerance (compare_body.h, vote). */
static int lengths_agree(int len, int d) { return abs(len - d) <= 4 + d / 16; }

fp_status fpi_match_ws_init(fpi_match_ws *ws, const fpi_kernels *kernels)
{
    memset(ws, 0, sizeof(*ws));
    ws->k = kernels ? kernels : &fpi_kernels_ref;
    ws->align = fpi_match_align_base;
#if defined(FP_HAVE_X86)
    if (ws->k == &fpi_kernels_avx2 || ws->k == &fpi_kernels_avx512) ws->align = fpi_match_align_avx2;
#endif
    for (int i = 0; i < 256; i++) {
        ws->cos_t[i] = (float)cos(i * M_PI / 128.0);
        ws->sin_t[i] = (float)sin(i * M_PI / 128.0);
    }
    /* An interval: d + d / 16 and d - d / 16 never decrease with d, and d = L agrees. */
    for (int len = 0; len < 256; len++) {
        int lo = len, hi = len;
        while (lo > 0 && lengths_agree(len, lo - 1)) lo--;
        while (hi < 255 && lengths_agree(len, hi + 1)) hi++;
        ws->len_lo[len] = (uint8_t)lo;
        ws->len_hi[len] = (uint8_t)hi;
    }
    return FP_OK;
}

void fpi_match_ws_free(fpi_match_ws *ws)
{
    (void)ws;
}

/* Canonical order: a total order on template contents, deciding first on
 * the compared minutiae, so minutiae past the limit do not change which
 * template plays which part. */
static int template_order(const fp_template *a, const fp_template *b)
{
    const int na = fpi_match_count(a), nb = fpi_match_count(b);
    if (na != nb) return na < nb ? -1 : 1;
    int c = memcmp(a->minutiae, b->minutiae, (size_t)na * sizeof(fp_minutia));
    if (c) return c;
    if (a->dpi != b->dpi) return a->dpi < b->dpi ? -1 : 1;
    if (a->count != b->count) return a->count < b->count ? -1 : 1;
    return memcmp(a->minutiae, b->minutiae, a->count * sizeof(fp_minutia));
}

/* Whether (x, y) lies inside t's hull grown by margin pixels. */
int fpi_inside_hull(const fp_template *t, float x, float y, float margin)
{
    if (t->hull_n < 3) return 1;
    for (int i = 0; i < t->hull_n; i++) {
        const hull_edge e = hull_edge_of(t, i, margin);
        if (beyond_edge(&e, x, y)) return 0;
    }
    return 1;
}

uint32_t fpi_match_align(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al)
{
    return ws->align(ws, a, b, al);
}

uint32_t fpi_match_raw(fpi_match_ws *ws, const fp_template *a, const fp_template *b)
{
    /* Canonical order makes the comparison exactly symmetric. */
    if (template_order(a, b) > 0) return fpi_match_align(ws, b, a, NULL);
    return fpi_match_align(ws, a, b, NULL);
}

fp_status fp_compare(fp_context *ctx, const fp_template *a, const fp_template *b, float *score)
{
    if (score) *score = 0;
    if (!ctx || !a || !b || !score) return FP_ERR_INVALID_ARGUMENT;
    *score = fpi_calibrate(fpi_match_raw(&ctx->match, a, b));
    return FP_OK;
}
