/* The extraction pipeline and the debug planes. */
#include <math.h>
#include <string.h>

#include "core/context.h"

#define MIN_AREA 9000 /* pixels at 500 dpi: about 4.8 x 4.8 mm */
#define MIN_MINUTIAE 5
#define MIN_QUALITY 15

fp_status fp_extract(fp_context *ctx, const fp_image *image, fp_template **out, fp_extract_info *info)
{
    if (out) *out = NULL;
    if (info) memset(info, 0, sizeof(*info));
    if (!ctx || !image || !out || !image->pixels) return FP_ERR_INVALID_ARGUMENT;
    if (image->dpi < 250 || image->dpi > 1000) return FP_ERR_RESOLUTION;
    if (image->width < 32 || image->height < 32 || image->width > 2048 || image->height > 2048 ||
        image->stride < image->width)
        return FP_ERR_IMAGE_SIZE;
    fpi_workspace *ws = &ctx->ws;
    FPI_CHECK(fpi_load_image(ws, image));
    fpi_block_stats(ws, ctx->kernels);
    fpi_segment(ws);
    ws->valid = 1;
    ws->ncand = 0;
    if (info) info->foreground_area = ws->area;
    if (ws->area == 0) return FP_RETRY_NO_FINGER;
    fpi_orientation(ws);
    fpi_frequency(ws, ws->img);
    fpi_normalize(ws);
    fpi_enhance(ws, ctx->kernels, 0);
    fpi_refine(ws, ctx->kernels);
    fpi_binarize(ws);
    fpi_thin(ws);
    fpi_detect_minutiae(ws);
    fpi_filter_minutiae(ws);
    ws->quality = fpi_image_quality(ws);
    if (info) {
        info->quality = ws->quality;
        info->minutiae_raw = ws->ncand;
    }
    if (ws->area < MIN_AREA) return FP_RETRY_TOO_SMALL;
    /* Noise can leave a few spurious minutiae; real prints score 23 and up. */
    if (ws->quality < MIN_QUALITY) return FP_RETRY_LOW_QUALITY;

    fp_minutia m[FPI_MAX_CANDIDATES];
    size_t count = 0;
    const float inv = 1.0f / ws->scale;
    for (uint32_t i = 0; i < ws->ncand; i++) {
        const fpi_candidate *c = &ws->cand[i];
        if (c->removed) continue;
        long x = lrintf(c->x * inv), y = lrintf(c->y * inv);
        x = FPI_CLAMP(x, 0, (long)image->width - 1);
        y = FPI_CLAMP(y, 0, (long)image->height - 1);
        long a = lrintf(c->angle * (float)(128.0 / M_PI));
        m[count].x = (uint16_t)x;
        m[count].y = (uint16_t)y;
        m[count].angle = (uint8_t)(a & 255);
        m[count].type = c->type;
        m[count].quality = c->quality;
        m[count].reserved = 0;
        count++;
    }
    if (count < MIN_MINUTIAE) return ws->quality < 20 ? FP_RETRY_LOW_QUALITY : FP_RETRY_FEW_MINUTIAE;
    return fp_template_create(image->width, image->height, image->dpi, m, count, ws->quality, out);
}

const uint8_t *fp_debug_plane_get(const fp_context *ctx, fp_debug_plane plane, uint32_t *width, uint32_t *height)
{
    if (!ctx || !ctx->ws.valid) return NULL;
    const fpi_workspace *ws = &ctx->ws;
    const int w = (int)ws->w, h = (int)ws->h, s = (int)ws->stride, bw = (int)ws->bw;
    uint8_t *d = ws->debug;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int bi = (y / FPI_BLOCK) * bw + x / FPI_BLOCK;
            int v = 0;
            switch (plane) {
            case FP_DEBUG_NORMALIZED:
                v = 128 + ws->norm[y * s + x] / 2;
                break;
            case FP_DEBUG_MASK:
                v = ws->mask[bi] ? 255 : 0;
                break;
            case FP_DEBUG_ORIENTATION:
                v = ws->mask[bi] ? (int)(ws->ori[bi] * 255.0f / (float)M_PI) : 0;
                break;
            case FP_DEBUG_ENHANCED:
                v = 128 + ws->enh[y * s + x] / 2;
                break;
            case FP_DEBUG_BINARY:
            case FP_DEBUG_SKELETON:
                v = ws->skel[y * s + x] ? 0 : 255;
                break;
            case FP_DEBUG_FREQUENCY:
                v = ws->mask[bi] ? (int)(ws->period[bi] * 10.0f) : 0;
                break;
            default:
                return NULL;
            }
            d[y * w + x] = (uint8_t)FPI_CLAMP(v, 0, 255);
        }
    if (plane == FP_DEBUG_BINARY) {
        /* The binary map is thinned in place; rebuild it from the filter output. */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                d[y * w + x] = ws->mask[(y / FPI_BLOCK) * bw + x / FPI_BLOCK] && ws->enh[y * s + x] < 0 ? 0 : 255;
    }
    if (width) *width = (uint32_t)w;
    if (height) *height = (uint32_t)h;
    return d;
}
