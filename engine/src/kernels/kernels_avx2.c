/*
 * AVX2 kernels (this file alone is compiled with -mavx2 -mfma). The filter
 * runs two output rows per 256-bit register, one per 128-bit lane, so the
 * in-lane unpack/madd pairing of the 128-bit body carries over unchanged.
 */
#include <simde/x86/avx2.h>

#include "kernels_simd128.h"
#include "kernels_pcode.h"

static inline simde__m256i load2x128(const int16_t *a, const int16_t *b)
{
    simde__m128i lo = simde_mm_loadu_si128((const simde__m128i *)(const void *)a);
    simde__m128i hi = simde_mm_loadu_si128((const simde__m128i *)(const void *)b);
    return simde_mm256_inserti128_si256(simde_mm256_castsi128_si256(lo), hi, 1);
}

static void filter_block8_avx2(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                               ptrdiff_t dst_stride, int shift)
{
    const simde__m256i round = simde_mm256_set1_epi32(1 << (shift - 1));
    for (int y = 0; y < 8; y += 2) {
        simde__m256i lo = simde_mm256_setzero_si256(), hi = simde_mm256_setzero_si256();
        for (int r = 0; r < FPI_FILTER_ROWS; r++) {
            const int16_t *row = src + (y + r - FPI_FILTER_R) * src_stride - FPI_FILTER_R;
            const int16_t *k = kernel + r * FPI_FILTER_COLS;
            for (int c = 0; c < FPI_FILTER_COLS; c += 2) {
                simde__m256i v0 = load2x128(row + c, row + src_stride + c);
                simde__m256i v1 = load2x128(row + c + 1, row + src_stride + c + 1);
                simde__m256i w = simde_mm256_set1_epi32(
                    (int32_t)((uint32_t)(uint16_t)k[c] | (uint32_t)(uint16_t)k[c + 1] << 16));
                lo = simde_mm256_add_epi32(lo, simde_mm256_madd_epi16(simde_mm256_unpacklo_epi16(v0, v1), w));
                hi = simde_mm256_add_epi32(hi, simde_mm256_madd_epi16(simde_mm256_unpackhi_epi16(v0, v1), w));
            }
        }
        lo = simde_mm256_srai_epi32(simde_mm256_add_epi32(lo, round), shift);
        hi = simde_mm256_srai_epi32(simde_mm256_add_epi32(hi, round), shift);
        simde__m256i packed = simde_mm256_packs_epi32(lo, hi);
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + y * dst_stride), simde_mm256_castsi256_si128(packed));
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + (y + 1) * dst_stride),
                              simde_mm256_extracti128_si256(packed, 1));
    }
}

const fpi_kernels fpi_kernels_avx2 = {filter_block8_avx2, tensor_block8_128, pcode_best_body};
