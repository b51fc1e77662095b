/* Scalar reference kernels: the definition every SIMD level must match. */
#include "kernels.h"

static int16_t sat16(int32_t v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static void filter_block8_ref(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                              ptrdiff_t dst_stride, int shift)
{
    const int32_t round = 1 << (shift - 1);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            int32_t acc = 0;
            for (int r = 0; r < FPI_FILTER_ROWS; r++) {
                const int16_t *row = src + (y + r - FPI_FILTER_R) * src_stride + x - FPI_FILTER_R;
                const int16_t *k = kernel + r * FPI_FILTER_COLS;
                for (int c = 0; c < FPI_FILTER_COLS; c++) acc += (int32_t)row[c] * k[c];
            }
            dst[y * dst_stride + x] = sat16((acc + round) >> shift);
        }
    }
}

static void tensor_block8_ref(const uint8_t *src, ptrdiff_t stride, int32_t out[3])
{
    int32_t sxx = 0, syy = 0, sxy = 0;
    for (int y = 0; y < 8; y++) {
        const uint8_t *u = src + (y - 1) * stride;
        const uint8_t *m = src + y * stride;
        const uint8_t *d = src + (y + 1) * stride;
        for (int x = 0; x < 8; x++) {
            int32_t gx = (u[x + 1] - u[x - 1]) + 2 * (m[x + 1] - m[x - 1]) + (d[x + 1] - d[x - 1]);
            int32_t gy = (d[x - 1] - u[x - 1]) + 2 * (d[x] - u[x]) + (d[x + 1] - u[x + 1]);
            sxx += gx * gx;
            syy += gy * gy;
            sxy += gx * gy;
        }
    }
    out[0] = sxx;
    out[1] = syy;
    out[2] = sxy;
}

const fpi_kernels fpi_kernels_ref = {filter_block8_ref, tensor_block8_ref};
