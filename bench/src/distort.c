/*
 * distort.c - plastic distortion of real fingerprint images (distort.h).
 */
#include "distort.h"

#include <math.h>
#include <stddef.h>

/* splitmix64 over (seed, index, draw): each draw its own stream position. */
static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unit(uint64_t seed, uint64_t index, uint64_t draw)
{
    return (double)(mix(mix(mix(seed) ^ index) ^ draw) >> 11) * (1.0 / 9007199254740992.0);
}

fp_status fp_eval_distortion_draw(const uint8_t *pixels, uint32_t width, uint32_t height, double strength,
                                  uint64_t seed, uint64_t index, fp_eval_distortion *out)
{
    if (!pixels || !out || width == 0 || height == 0 || !(strength >= 0) || strength > 1000)
        return FP_ERR_INVALID_ARGUMENT;
    double sx = 0, sy = 0, sw = 0;
    for (uint32_t y = 0; y < height; y++)
        for (uint32_t x = 0; x < width; x++) {
            const double w = 255 - pixels[(size_t)y * width + x];
            sx += w * x;
            sy += w * y;
            sw += w;
        }
    out->cx = sw > 0 ? sx / sw : width / 2.0;
    out->cy = sw > 0 ? sy / sw : height / 2.0;
    const double dir = unit(seed, index, 0) * 2 * M_PI;
    const double mag = strength * (0.5 + 0.5 * unit(seed, index, 1));
    out->tx = mag * cos(dir);
    out->ty = mag * sin(dir);
    out->rot_rad = (unit(seed, index, 2) * 2 - 1) * strength * 0.4 * M_PI / 180.0;
    out->r0 = 40 + 40 * unit(seed, index, 3);
    out->ramp = 120;
    return FP_OK;
}

/* How much of the outer motion the skin at squared distance r2 from the centre takes. */
static double brake(const fp_eval_distortion *d, double r2)
{
    if (r2 <= d->r0 * d->r0) return 0;
    const double r = sqrt(r2);
    if (r >= d->r0 + d->ramp) return 1;
    return 0.5 - 0.5 * cos(M_PI * (r - d->r0) / d->ramp);
}

void fp_eval_distortion_map(const fp_eval_distortion *d, double x, double y, double *ox, double *oy)
{
    const double rx = x - d->cx, ry = y - d->cy, c = cos(d->rot_rad), s = sin(d->rot_rad);
    const double b = brake(d, rx * rx + ry * ry);
    *ox = x + b * (d->tx + c * rx - s * ry - rx);
    *oy = y + b * (d->ty + s * rx + c * ry - ry);
}

fp_status fp_eval_distortion_apply(const fp_eval_distortion *d, const uint8_t *in, uint32_t width, uint32_t height,
                                   uint8_t *out)
{
    if (!d || !in || !out || width == 0 || height == 0) return FP_ERR_INVALID_ARGUMENT;
    const double c = cos(d->rot_rad), s = sin(d->rot_rad);
    for (uint32_t y = 0; y < height; y++)
        for (uint32_t x = 0; x < width; x++) {
            /* The source point p with map(p) = (x, y): p = q - motion(p),
             * iterated from p = q; the motion is smooth and small against
             * its own scale, so a few steps converge. */
            double px = x, py = y;
            for (int it = 0; it < 6; it++) {
                const double rx = px - d->cx, ry = py - d->cy, b = brake(d, rx * rx + ry * ry);
                px = x - b * (d->tx + c * rx - s * ry - rx);
                py = y - b * (d->ty + s * rx + c * ry - ry);
            }
            double v = 255;
            const double fx0 = floor(px), fy0 = floor(py);
            if (fx0 >= 0 && fy0 >= 0 && fx0 + 1 < width && fy0 + 1 < height) {
                const size_t ix = (size_t)fx0, iy = (size_t)fy0;
                const double fx = px - fx0, fy = py - fy0;
                const uint8_t *q = in + iy * width + ix;
                v = q[0] * (1 - fx) * (1 - fy) + q[1] * fx * (1 - fy) + q[width] * (1 - fx) * fy +
                    q[width + 1] * fx * fy;
            }
            out[(size_t)y * width + x] = (uint8_t)lrint(v);
        }
    return FP_OK;
}
