/*
 * Extraction pipeline internals. All planes live in one workspace
 * allocated when the context is created; every pixel plane shares one
 * padded geometry so kernels can read around a block without bounds checks.
 */
#ifndef FP_EXTRACT_H
#define FP_EXTRACT_H

#include <stdint.h>

#include "core/internal.h"
#include "kernels/kernels.h"

#define FPI_BLOCK 8
#define FPI_PAD 16 /* >= FPI_FILTER_R + 1 and >= one block */

/* Filter bank: orientation bins over 180 degrees x ridge period bins. */
#define FPI_ORI_BINS 16
#define FPI_PERIOD_MIN 5
#define FPI_PERIOD_MAX 15
#define FPI_PERIOD_BINS (FPI_PERIOD_MAX - FPI_PERIOD_MIN + 1)
#define FPI_FILTER_SHIFT 12

#define FPI_MAX_CANDIDATES 1024
#define FPI_NATIVE_DPI_MAX 600 /* images up to this resolution are not reduced to 500 dpi */

typedef struct fpi_candidate {
    float x, y;      /* pixels at the working resolution (ws->work_dpi) */
    float angle;     /* radians, counter-clockwise, y up */
    uint8_t type;    /* fp_minutia_type */
    uint8_t removed;
    uint8_t quality;
} fpi_candidate;

typedef struct fpi_workspace {
    uint32_t cap_w, cap_h; /* capacity at 500 dpi, multiples of FPI_BLOCK */
    /* Current image at 500 dpi. */
    uint32_t w, h;
    uint32_t bw, bh;       /* blocks covering w x h */
    uint32_t stride;       /* of every pixel plane: cap_w + 2 * FPI_PAD */
    float scale;           /* working resolution / input resolution (1 from 495 to FPI_NATIVE_DPI_MAX dpi) */
    float work_dpi;        /* the working resolution: 500, or the input's up to FPI_NATIVE_DPI_MAX */
    /* Pixel planes; the *_at pointers address pixel (0,0) inside the padding. */
    uint8_t *img_buf, *img;
    int16_t *norm_buf, *norm;
    int16_t *enh_buf, *enh;
    uint8_t *skel_buf, *skel; /* binary ridge map, thinned in place */
    /* Block planes (bw x bh, row stride bw). */
    float *bmean, *bstd;
    int32_t *tensor; /* 3 per block */
    float *ori;      /* ridge direction, radians in [0, pi), image axes (y down) */
    float *coh;      /* coherence 0..1 (of the enhanced image once refined) */
    float *coh_raw;  /* coherence of the image itself, for its quality */
    float *period;   /* ridge period in pixels */
    float *tmp_a, *tmp_b, *tmp_c;
    double *vmag;    /* per block: length of the doubled-angle vector (orientation) */
    uint8_t *mask;   /* foreground */
    uint8_t *fmask;  /* blocks filtered (mask dilated) */
    uint8_t *bdist;  /* block distance to background */
    uint8_t *filter_id; /* filter bank index each block was last filtered with (below 256) */
    uint8_t *scratch;
    int32_t *stack;
    /* Filter bank and thinning tables. */
    int16_t *bank; /* FPI_ORI_BINS * FPI_PERIOD_BINS * FPI_FILTER_TAPS */
    uint8_t simple[256];
    uint8_t zs_del[2][256];
    /* Candidates. */
    fpi_candidate cand[FPI_MAX_CANDIDATES];
    uint32_t ncand;
    uint32_t area;
    uint8_t quality;
    int valid; /* an extraction ran, planes are meaningful */
    uint8_t *debug; /* one plane for fp_debug_plane_get */
} fpi_workspace;

fp_status fpi_workspace_init(fpi_workspace *ws, uint32_t max_w, uint32_t max_h);
void fpi_workspace_free(fpi_workspace *ws);

/* Stages, in pipeline order. */
fp_status fpi_load_image(fpi_workspace *ws, const fp_image *image);
void fpi_block_stats(fpi_workspace *ws, const fpi_kernels *k);
void fpi_segment(fpi_workspace *ws);
void fpi_orientation(fpi_workspace *ws);
/* Ridge period per block from a plane laid out like ws->img (stride, padding). */
void fpi_frequency(fpi_workspace *ws, const uint8_t *plane);
/*
 * Re-estimates the orientation field (and, on the first of the passes, the
 * ridge period) from the enhanced image and filters again: see enhance.c.
 */
void fpi_refine(fpi_workspace *ws, const fpi_kernels *k);
void fpi_normalize(fpi_workspace *ws);
void fpi_filter_bank_build(int16_t *bank);
/* Contextual filtering of ws->norm into ws->enh. again: after a first call
 * on the same image, only the blocks whose filter changed are filtered. */
void fpi_enhance(fpi_workspace *ws, const fpi_kernels *k, int again);
void fpi_binarize(fpi_workspace *ws);
void fpi_thin_tables(fpi_workspace *ws);
void fpi_thin(fpi_workspace *ws);
void fpi_detect_minutiae(fpi_workspace *ws);
void fpi_filter_minutiae(fpi_workspace *ws);
uint8_t fpi_image_quality(const fpi_workspace *ws);
int fpi_crossing(const uint8_t *p, int stride);

static inline int fpi_block_index(const fpi_workspace *ws, int x, int y)
{
    int bx = x / FPI_BLOCK, by = y / FPI_BLOCK;
    if (bx < 0) bx = 0;
    if (by < 0) by = 0;
    if (bx >= (int)ws->bw) bx = (int)ws->bw - 1;
    if (by >= (int)ws->bh) by = (int)ws->bh - 1;
    return by * (int)ws->bw + bx;
}

#endif
