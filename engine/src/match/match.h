/* Matcher internals: the per-context buffers that keep comparison allocation-free. */
#ifndef FP_MATCH_H
#define FP_MATCH_H

#include <stdint.h>

#include "core/internal.h"
#include "kernels/kernels.h"

#define FPI_MAX_EDGES (FP_MAX_MINUTIAE * FPI_NEIGHBOURS)
#define FPI_MAX_HITS 16384 /* edge agreements kept per comparison */
#define FPI_SEEDS 10 /* alignments tried per comparison (docs/matcher.md) */
#define FPI_BANDS 128 /* bands of the second template's minutiae along y, at most */
#define FPI_COST_MAX 256

typedef struct fpi_pair {
    uint16_t a, b;
    uint16_t cost;
} fpi_pair;

typedef struct fpi_match_ws fpi_match_ws;
typedef struct fpi_alignment fpi_alignment;
typedef uint32_t (*fpi_align_fn)(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al);

struct fpi_match_ws {
    const fpi_kernels *k; /* the scan kernels of the context's SIMD level */
    fpi_align_fn align;   /* the build of the comparison for that level (compare.c) */
    float cos_t[256], sin_t[256];
    /* For an edge of the first template of length L, the lengths d of the
     * second's that agree with it, |L - d| <= 4 + d / 16: len_lo[L] to len_hi[L]. */
    uint8_t len_lo[256], len_hi[256];
    /* The second template's edges sorted by length (see sort_edges), padded for the scan kernel. */
    uint16_t edge_start[257]; /* first edge of each length 0..255, and the end */
    uint8_t edge_r[FPI_MAX_EDGES + FPI_SCAN_PAD], edge_o[FPI_MAX_EDGES + FPI_SCAN_PAD];
    uint8_t edge_from[FPI_MAX_EDGES], edge_to[FPI_MAX_EDGES];
    /* Edge scan queries (one per edge of the first template) and hits. */
    uint16_t q_lo[FPI_MAX_EDGES], q_hi[FPI_MAX_EDGES];
    uint8_t q_dr[FPI_MAX_EDGES], q_do[FPI_MAX_EDGES];
    uint8_t q_from[FPI_MAX_EDGES], q_to[FPI_MAX_EDGES];
    uint32_t hits[FPI_MAX_HITS];
    uint16_t votes[FP_MAX_MINUTIAE * FP_MAX_MINUTIAE];
    fpi_pair pairs[FP_MAX_MINUTIAE * 16];
    fpi_pair best[FP_MAX_MINUTIAE];
    fpi_pair sorted[FP_MAX_MINUTIAE * 16];
    uint16_t cost_count[FPI_COST_MAX + 1];
    /* The second template's positions, padded for the box scan kernel. */
    int16_t bx[FP_MAX_MINUTIAE + FPI_SCAN_PAD], by[FP_MAX_MINUTIAE + FPI_SCAN_PAD];
    /* The second template's minutiae in order of y (order[] maps back), in
     * bands of 1 << band_shift pixels from band_y0: band_start[i] is the
     * first minutia of band i and band_start[n_bands] the count. */
    uint8_t order[FP_MAX_MINUTIAE];
    uint8_t band_start[FPI_BANDS + 1];
    int band_y0, band_shift, n_bands;
    /* The pair scan's queries: open boxes and the bands they reach. */
    int16_t xlo[FP_MAX_MINUTIAE], xhi[FP_MAX_MINUTIAE], ylo[FP_MAX_MINUTIAE], yhi[FP_MAX_MINUTIAE];
    uint8_t blo[FP_MAX_MINUTIAE], bhi[FP_MAX_MINUTIAE];
    int32_t outside[FP_MAX_MINUTIAE]; /* as wide as a float, so the hull loop's vector stores and loads match */
    float mx[FP_MAX_MINUTIAE], my[FP_MAX_MINUTIAE], tol2[FP_MAX_MINUTIAE];
    uint16_t cand[FP_MAX_MINUTIAE * FP_MAX_MINUTIAE];
    uint8_t used_a[FP_MAX_MINUTIAE], used_b[FP_MAX_MINUTIAE];
    uint8_t mrot[FP_MAX_MINUTIAE]; /* per mapped minutia: the rotation its direction takes */
    fpi_pair loose[FPI_SEEDS][FP_MATCH_MINUTIAE_MAX]; /* each seed's first-pass pairs */
};

/* Prepares the workspace; kernels NULL means the scalar reference. */
fp_status fpi_match_ws_init(fpi_match_ws *ws, const fpi_kernels *kernels);
void fpi_match_ws_free(fpi_match_ws *ws);

/* The alignment found by a comparison: a's 500 dpi y-up coordinates map to
 * b's as x' = c x - s y + tx, y' = s x + c y + ty; directions turn by rot.
 * The paired minutiae are ws->best[0 .. pairs). */
struct fpi_alignment {
    float c, s, tx, ty;
    int rot;
    uint32_t pairs;
};

/* Raw similarity of a against b, not symmetrised; fills *al when non-NULL.
 * Calls the context's build: fpi_match_align_base, or _avx2 on x86 at
 * the AVX2 and AVX-512 levels (compare_body.h). */
uint32_t fpi_match_align(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al);
uint32_t fpi_match_align_base(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al);
#if defined(FP_HAVE_X86)
uint32_t fpi_match_align_avx2(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al);
#endif

/* Whether the point (500 dpi, y up) lies inside t's minutiae hull grown by margin pixels. */
int fpi_inside_hull(const fp_template *t, float x, float y, float margin);

/* Raw similarity (integer, larger is more similar) and its calibration. */
uint32_t fpi_match_raw(fpi_match_ws *ws, const fp_template *a, const fp_template *b);
float fpi_calibrate(uint32_t raw);

#endif
