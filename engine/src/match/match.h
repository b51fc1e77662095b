/* Matcher internals: the per-context buffers that keep comparison allocation-free. */
#ifndef FP_MATCH_H
#define FP_MATCH_H

#include <stdint.h>

#include "core/internal.h"

#define FPI_MAX_EDGES (FP_MAX_MINUTIAE * FPI_NEIGHBOURS)
#define FPI_SEEDS 12
#define FPI_COST_MAX 256
#define FPI_GRID_CELL 32 /* smallest cell, pixels; must exceed the largest pairing tolerance (30) */
#define FPI_GRID_MAX 64  /* cells per side at most */

typedef struct fpi_pair {
    uint16_t a, b;
    uint16_t cost;
} fpi_pair;

typedef struct fpi_match_ws {
    float cos_t[256], sin_t[256];
    /* The first template's edges sorted by length (see sort_edges). */
    uint16_t edge_start[257]; /* first edge of each length 0..255, and the end */
    uint8_t edge_r[FPI_MAX_EDGES], edge_o[FPI_MAX_EDGES];
    uint8_t edge_from[FPI_MAX_EDGES], edge_to[FPI_MAX_EDGES];
    uint16_t votes[FP_MAX_MINUTIAE * FP_MAX_MINUTIAE];
    fpi_pair pairs[FP_MAX_MINUTIAE * 16];
    fpi_pair best[FP_MAX_MINUTIAE];
    fpi_pair sorted[FP_MAX_MINUTIAE * 16];
    uint16_t cost_count[FPI_COST_MAX + 1];
    /* The second template's minutiae bucketed in a coarse grid (pairing lookups). */
    float grid_x0, grid_y0, grid_inv;
    int grid_w, grid_h, grid_cell;
    uint16_t grid_start[FPI_GRID_MAX * FPI_GRID_MAX + 1];
    uint8_t grid_items[FP_MAX_MINUTIAE];
    float tx[FP_MAX_MINUTIAE], ty[FP_MAX_MINUTIAE];
    uint8_t ta[FP_MAX_MINUTIAE];
    uint8_t used_a[FP_MAX_MINUTIAE], used_b[FP_MAX_MINUTIAE];
} fpi_match_ws;

fp_status fpi_match_ws_init(fpi_match_ws *ws);
void fpi_match_ws_free(fpi_match_ws *ws);

/* The alignment found by a comparison: a's 500 dpi y-up coordinates map to
 * b's as x' = c x - s y + tx, y' = s x + c y + ty; directions turn by rot.
 * The paired minutiae are ws->best[0 .. pairs). */
typedef struct fpi_alignment {
    float c, s, tx, ty;
    int rot;
    uint32_t pairs;
} fpi_alignment;

/* Raw similarity of a against b, not symmetrised; fills *al when non-NULL. */
uint32_t fpi_match_align(fpi_match_ws *ws, const fp_template *a, const fp_template *b, fpi_alignment *al);

/* Whether the point (500 dpi, y up) lies inside t's minutiae hull grown by margin pixels. */
int fpi_inside_hull(const fp_template *t, float x, float y, float margin);

/* Raw similarity (integer, larger is more similar) and its calibration. */
uint32_t fpi_match_raw(fpi_match_ws *ws, const fp_template *a, const fp_template *b);
float fpi_calibrate(uint32_t raw);

#endif
