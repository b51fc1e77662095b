/*
 * The 256-bit steps shared by the AVX2 and AVX-512 stage-1 kernels: the
 * Dice products of eight code pairs from their AND bit counts (a gathered
 * reciprocal), and the final maximum. Included by kernels_avx2.c and
 * kernels_avx512.c, each compiled with its own flags.
 */
#ifndef FP_KERNELS_PCODE256_H
#define FP_KERNELS_PCODE256_H

#include <simde/x86/avx2.h>

#include "kernels_pcode.h"

/* both * recip[|a| + |b|] for eight pairs: both = |a&b|, vpa = |a|
 * broadcast, pb = |b| (lanes matching both). */
static inline simde__m256i scode_prod8(simde__m256i both, simde__m256i vpa, simde__m256i pb)
{
    simde__m256i r = simde_mm256_i32gather_epi32((const int32_t *)(const void *)fpi_pcode_recip,
                                                 simde_mm256_add_epi32(vpa, pb), 4);
    return simde_mm256_mullo_epi32(both, r);
}

/* The largest of the eight unsigned lanes. */
static inline uint32_t scode_hmax8(simde__m256i top)
{
    simde__m128i m = simde_mm_max_epu32(simde_mm256_castsi256_si128(top), simde_mm256_extracti128_si256(top, 1));
    m = simde_mm_max_epu32(m, simde_mm_shuffle_epi32(m, 0x4E));
    m = simde_mm_max_epu32(m, simde_mm_shuffle_epi32(m, 0xB1));
    return (uint32_t)simde_mm_cvtsi128_si32(m);
}

#endif
