/*
 * The 256-bit steps shared by the AVX2 and AVX-512 pre-screening kernels:
 * the Dice values of eight code pairs from their AND bit counts, and the
 * final maximum. Only the bit counting differs between the two levels.
 * Included by kernels_avx2.c and kernels_avx512.c, each compiled with its
 * own flags.
 */
#ifndef FP_KERNELS_PCODE256_H
#define FP_KERNELS_PCODE256_H

#include <string.h>

#include <simde/x86/avx2.h>

#include "kernels.h"

/* The bit counts of codes j..j+7 of b, one per 32-bit lane, in order. */
static inline simde__m256i pcode_pop8(const fpi_pcode *b, int j)
{
    uint64_t p8;
    memcpy(&p8, b->pop + j, 8);
    return simde_mm256_cvtepu8_epi32(simde_mm_cvtsi64_si128((int64_t)p8));
}

/* Dice in 1/65535 for eight pairs: both = |a&b|, vpa = |a| broadcast, pb = |b|
 * (lanes matching both); the same rounding as the scalar body. */
static inline simde__m256i pcode_dice8(simde__m256i both, simde__m256i vpa, simde__m256i pb)
{
    simde__m256i r = simde_mm256_i32gather_epi32((const int32_t *)(const void *)fpi_pcode_recip,
                                                 simde_mm256_add_epi32(vpa, pb), 4);
    return simde_mm256_srli_epi32(simde_mm256_add_epi32(simde_mm256_mullo_epi32(both, r), simde_mm256_set1_epi32(128)),
                                  8);
}

/* The largest of the eight lanes, saturated to 16 bits. */
static inline uint16_t pcode_hmax(simde__m256i top)
{
    simde__m128i m = simde_mm_max_epu32(simde_mm256_castsi256_si128(top), simde_mm256_extracti128_si256(top, 1));
    m = simde_mm_max_epu32(m, simde_mm_shuffle_epi32(m, 0x4E));
    m = simde_mm_max_epu32(m, simde_mm_shuffle_epi32(m, 0xB1));
    uint32_t v = (uint32_t)simde_mm_cvtsi128_si32(m);
    return (uint16_t)(v > 65535 ? 65535 : v);
}

#endif
