/*
 * skin.c - dry and wet skin on real fingerprint images (skin.h).
 */
#include "skin.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/* splitmix64 finaliser. */
static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unit64(uint64_t z)
{
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

const char *fp_eval_skin_kind_name(fp_eval_skin_kind kind)
{
    switch (kind) {
    case FP_EVAL_SKIN_DRY: return "dry";
    case FP_EVAL_SKIN_WET: return "wet";
    default: return "normal";
    }
}

fp_status fp_eval_skin_draw(double strength, uint64_t seed, uint64_t index, fp_eval_skin *out)
{
    if (!out || !(strength >= 0) || strength > 1) return FP_ERR_INVALID_ARGUMENT;
    const uint64_t base = mix(mix(seed) ^ index);
    const double u = unit64(mix(base ^ 1));
    out->kind = strength == 0 ? FP_EVAL_SKIN_NORMAL : (fp_eval_skin_kind)(u < 1.0 / 3 ? 0 : u < 2.0 / 3 ? 1 : 2);
    out->severity = out->kind == FP_EVAL_SKIN_NORMAL ? 0 : strength * (0.5 + 0.5 * unit64(mix(base ^ 2)));
    out->noise_seed = mix(base ^ 3);
    return FP_OK;
}

/* Value noise in 0..1: uniform values on a lattice of `scale` pixels,
 * interpolated with a smoothstep. */
static double vnoise(uint64_t seed, double x, double y, double scale)
{
    x /= scale;
    y /= scale;
    const double fx0 = floor(x), fy0 = floor(y);
    double fx = x - fx0, fy = y - fy0;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const uint64_t ix = (uint64_t)(int64_t)fx0, iy = (uint64_t)(int64_t)fy0;
    double c[4];
    for (int k = 0; k < 4; k++)
        c[k] = unit64(mix(seed ^ mix((ix + (uint64_t)(k & 1)) * 0x9E3779B97F4A7C15ull ^ (iy + (uint64_t)(k >> 1)))));
    return (c[0] * (1 - fx) + c[1] * fx) * (1 - fy) + (c[2] * (1 - fx) + c[3] * fx) * fy;
}

/* Grey minimum (dark = 1) or maximum (dark = 0) over a disc of radius r
 * (the square without the corners beyond r^2 + r), edges clamped. */
static void morph(const uint8_t *in, uint32_t w, uint32_t h, int r, int dark, uint8_t *out)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            int v = dark ? 255 : 0;
            for (int dy = -r; dy <= r; dy++) {
                long yy = (long)y + dy;
                if (yy < 0) yy = 0;
                if (yy >= (long)h) yy = (long)h - 1;
                for (int dx = -r; dx <= r; dx++) {
                    if (dx * dx + dy * dy > r * r + r) continue;
                    long xx = (long)x + dx;
                    if (xx < 0) xx = 0;
                    if (xx >= (long)w) xx = (long)w - 1;
                    const int p = in[(size_t)yy * w + (size_t)xx];
                    v = dark ? (p < v ? p : v) : (p > v ? p : v);
                }
            }
            out[(size_t)y * w + x] = (uint8_t)v;
        }
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

fp_status fp_eval_skin_apply(const fp_eval_skin *s, const uint8_t *in, uint32_t width, uint32_t height, uint8_t *out)
{
    if (!s || !in || !out || width == 0 || height == 0 || !(s->severity >= 0) || s->severity > 1)
        return FP_ERR_INVALID_ARGUMENT;
    const size_t n = (size_t)width * height;
    if (s->kind == FP_EVAL_SKIN_NORMAL || s->severity == 0) {
        for (size_t i = 0; i < n; i++) out[i] = in[i];
        return FP_OK;
    }
    uint8_t *m1 = malloc(n), *m2 = malloc(n), *hi = malloc(n);
    if (!m1 || !m2 || !hi) {
        free(m1);
        free(m2);
        free(hi);
        return FP_ERR_NO_MEMORY;
    }
    const int dry = s->kind == FP_EVAL_SKIN_DRY;
    /* Dry: valleys grown by one pixel (ridges thinner). Wet: ridges grown
     * by one and by two pixels. hi: the local valley (paper) level, which
     * is not white on every sensor. */
    morph(in, width, height, 1, !dry, m1);
    if (!dry) morph(in, width, height, 2, 1, m2);
    morph(in, width, height, 2, 0, hi);
    const uint64_t ps = mix(s->noise_seed ^ 11), fs = mix(s->noise_seed ^ 12);
    for (uint32_t y = 0; y < height; y++)
        for (uint32_t x = 0; x < width; x++) {
            const size_t i = (size_t)y * width + x;
            const double patch = clamp01((vnoise(ps, x, y, 48) - 0.35) * 3.3);
            const double a = s->severity * (0.35 + 0.65 * patch);
            double v = in[i] + (m1[i] - in[i]) * a;
            if (dry) {
                /* Breaks: where the fine field is high, the ridge does not print. */
                const double t = 1 - 0.45 * a, f = vnoise(fs, x, y, 4);
                const double paper = hi[i] > v ? hi[i] : v;
                v += (paper - v) * clamp01((f - t) / 0.08);
                v = paper - (paper - v) * (1 - 0.45 * a);
            } else {
                if (a > 0.5) v += (m2[i] - v) * (a - 0.5) * 1.4;
                /* Blots: valleys filled with ink where the field is high. */
                const double t = 1 - 0.35 * a, f = vnoise(fs, x, y, 6);
                v += (m2[i] - v) * clamp01((f - t) / 0.1);
                v -= 0.25 * a * (hi[i] - m2[i]) * v / 255; /* darker ink, flat background untouched */
            }
            out[i] = (uint8_t)lrint(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    if (!dry) {
        /* Smudge: a 3x3 box blur blended in by the local severity. */
        for (size_t i = 0; i < n; i++) m1[i] = out[i];
        for (uint32_t y = 1; y + 1 < height; y++)
            for (uint32_t x = 1; x + 1 < width; x++) {
                const size_t i = (size_t)y * width + x;
                int sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) sum += m1[(size_t)((long)i + dy * (long)width + dx)];
                const double patch = clamp01((vnoise(ps, x, y, 48) - 0.35) * 3.3);
                const double a = s->severity * (0.35 + 0.65 * patch);
                const double v = m1[i] + (sum / 9.0 - m1[i]) * 0.6 * a;
                out[i] = (uint8_t)lrint(v);
            }
    }
    free(m1);
    free(m2);
    free(hi);
    return FP_OK;
}
