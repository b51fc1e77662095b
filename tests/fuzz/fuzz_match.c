/*
 * libFuzzer target for the matcher: the input describes two minutiae sets
 * directly (counts up to FP_MAX_MINUTIAE, coordinates anywhere in a large
 * image or crowded into a few pixels, any directions), so comparisons see
 * what no extractor produces: equal edges by the thousand, stacked
 * minutiae, templates far apart. Checked on every input: scores are finite
 * and not negative, symmetric, repeatable, and the same at the scalar
 * reference level as at the best SIMD level this machine runs.
 *
 * Layout: byte 0 and 1 the two counts (mod FP_MAX_MINUTIAE + 1), byte 2
 * the mode (bits 0-1: dpi 500/569/1000/250; bit 2: crowd the coordinates
 * into 32 x 32 pixels), then 6 bytes per minutia (x, y little-endian, angle,
 * type), read cyclically when the input is shorter.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SIDE 2000u

static fp_context *ctx_ref, *ctx_best;

static fp_template *make(const uint8_t *data, size_t size, size_t *pos, unsigned n, unsigned mode)
{
    static const uint32_t dpis[4] = {500, 569, 1000, 250};
    fp_minutia m[FP_MAX_MINUTIAE];
    for (unsigned i = 0; i < n; i++) {
        uint8_t b[6];
        for (int k = 0; k < 6; k++) b[k] = data[(*pos)++ % size];
        unsigned x = (unsigned)(b[0] | b[1] << 8), y = (unsigned)(b[2] | b[3] << 8);
        m[i].x = (uint16_t)(mode & 4 ? x % 32 : x % SIDE);
        m[i].y = (uint16_t)(mode & 4 ? y % 32 : y % SIDE);
        m[i].angle = b[4];
        m[i].type = (uint8_t)(b[5] & 1 ? FP_MINUTIA_BIFURCATION : FP_MINUTIA_ENDING);
        m[i].quality = (uint8_t)(b[5] % 101);
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    if (fp_template_create(SIDE, SIDE, dpis[mode & 3], m, n, 50, &t) != FP_OK) __builtin_trap();
    return t;
}

static float score(fp_context *ctx, const fp_template *a, const fp_template *b)
{
    float s = -1;
    if (fp_compare(ctx, a, b, &s) != FP_OK) __builtin_trap();
    if (!isfinite(s) || s < 0) __builtin_trap();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    if (!ctx_ref) {
        fp_config cfg;
        fp_config_init(&cfg);
        cfg.simd = FP_SIMD_REF;
        if (fp_context_create(&cfg, &ctx_ref) != FP_OK) __builtin_trap();
        if (fp_context_create(NULL, &ctx_best) != FP_OK) __builtin_trap();
    }
    const unsigned na = data[0] % (FP_MAX_MINUTIAE + 1), nb = data[1] % (FP_MAX_MINUTIAE + 1), mode = data[2];
    const uint8_t *body = size > 3 ? data + 3 : data;
    const size_t body_size = size > 3 ? size - 3 : size;
    size_t pos = 0;
    fp_template *a = make(body, body_size, &pos, na, mode);
    fp_template *b = make(body, body_size, &pos, nb, mode);
    float ab = score(ctx_best, a, b);
    if (score(ctx_best, b, a) != ab) __builtin_trap();
    if (score(ctx_best, a, b) != ab) __builtin_trap();
    if (score(ctx_ref, a, b) != ab) __builtin_trap();
    if (score(ctx_ref, a, a) != score(ctx_best, a, a)) __builtin_trap();
    fp_template_destroy(a);
    fp_template_destroy(b);
    return 0;
}
