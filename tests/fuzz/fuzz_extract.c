/*
 * libFuzzer target for extraction: arbitrary image sizes and resolutions
 * (resampled, processed as they are from 495 to 600 dpi, or refused), with
 * pixels that are either the input itself or a ridge pattern the input
 * parameterises and disturbs, so the refinement passes, the thinning and
 * the minutia filters all see work. Checked on every input: the status is
 * a success, a retry or a size/resolution refusal; a template's minutiae
 * lie inside the image; and a fresh context at the scalar reference level
 * produces byte for byte the same template as the long-lived context at the
 * best SIMD level (no state leaks from one image to the next, SIMD and
 * scalar agree).
 *
 * Layout: bytes 0-1 and 2-3 width and height (32..415), byte 4 the
 * resolution (250 + 3 x value, at most 1000 dpi), byte 5 the mode (bit 0:
 * ridge pattern), bytes 6-7 the pattern's period and direction, then the
 * pixels (raw mode) or, in pattern mode, the number and places of the
 * dislocations followed by the disturbance, read cyclically.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The contexts accept up to 320 x 320 at the working resolution, so large
 * inputs take the resampling path or are refused. */
#define CAP 320

static fp_context *ctx_best;
static uint8_t *bytes_a, *bytes_b;

static fp_context *context(fp_simd_level level)
{
    fp_config cfg;
    fp_config_init(&cfg);
    cfg.max_width = CAP;
    cfg.max_height = CAP;
    cfg.simd = level;
    fp_context *c = NULL;
    if (fp_context_create(&cfg, &c) != FP_OK) __builtin_trap();
    return c;
}

static fp_status extract(fp_context *c, const fp_image *im, uint8_t *out, size_t *len)
{
    fp_template *t = NULL;
    fp_extract_info info;
    fp_status st = fp_extract(c, im, &t, &info);
    *len = 0;
    if (st == FP_OK) {
        if (!t) __builtin_trap();
        const fp_minutia *m = fp_template_minutiae(t);
        for (size_t i = 0; i < fp_template_minutiae_count(t); i++)
            if (m[i].x >= im->width || m[i].y >= im->height) __builtin_trap();
        if (fp_template_serialize(t, FP_FORMAT_NATIVE, out, 65536, len) != FP_OK) __builtin_trap();
    } else {
        if (t) __builtin_trap();
        if (!fp_status_is_retry(st) && st != FP_ERR_IMAGE_SIZE && st != FP_ERR_RESOLUTION) __builtin_trap();
    }
    fp_template_destroy(t);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) return 0;
    if (!ctx_best) {
        ctx_best = context(FP_SIMD_AUTO);
        bytes_a = malloc(65536);
        bytes_b = malloc(65536);
        if (!bytes_a || !bytes_b) __builtin_trap();
    }
    const uint32_t w = 32 + (uint32_t)(data[0] | data[1] << 8) % 384;
    const uint32_t h = 32 + (uint32_t)(data[2] | data[3] << 8) % 384;
    const uint32_t dpi = 250 + 3u * data[4] > 1000 ? 1000 : 250 + 3u * data[4];
    const int pattern = data[5] & 1;
    const double period = 5.0 + data[6] % 12, theta = data[7] * M_PI / 128.0;
    const uint8_t *body = size > 8 ? data + 8 : data;
    const size_t body_size = size > 8 ? size - 8 : size;
    uint8_t *px = malloc((size_t)w * h);
    if (!px) __builtin_trap();
    const double c = cos(theta), s = sin(theta);
    /* Up to 12 phase dislocations (a fork or an ending each) placed by the input. */
    double fx[12], fy[12];
    const int nf = 4 + body[0] % 9;
    for (int k = 0; k < nf; k++) {
        fx[k] = (double)body[(1 + 2 * k) % body_size] * w / 256.0;
        fy[k] = (double)body[(2 + 2 * k) % body_size] * h / 256.0;
    }
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t b = body[((size_t)y * w + x) % body_size];
            if (!pattern) {
                px[(size_t)y * w + x] = b;
                continue;
            }
            /* Ridges with a slow bend and the dislocations, blanked in the
             * 14 x 14 cells whose input byte is low (the filters should
             * bridge those), with the pixel's byte as noise. */
            const double u = x * c + y * s + 0.002 * (x - w / 2.0) * (y - h / 2.0);
            double ph = 2 * M_PI * u / period;
            for (int k = 0; k < nf; k++) ph += (k % 2 ? 1 : -1) * atan2(y - fy[k], x - fx[k]);
            double v = 128 + 90 * cos(ph);
            if (body[((size_t)(y / 14) * 31 + x / 14) % body_size] < 40) v = 200;
            v += (int)(b % 31) - 15;
            px[(size_t)y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    const fp_image im = {px, w, h, w, dpi};
    size_t la = 0, lb = 0;
    const fp_status sa = extract(ctx_best, &im, bytes_a, &la);
    fp_context *fresh = context(FP_SIMD_REF);
    const fp_status sb = extract(fresh, &im, bytes_b, &lb);
    fp_context_destroy(fresh);
    if (sa != sb || la != lb || memcmp(bytes_a, bytes_b, la) != 0) __builtin_trap();
    free(px);
    return 0;
}
