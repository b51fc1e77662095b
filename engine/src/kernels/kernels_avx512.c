/*
 * AVX-512 level (this file alone is compiled with AVX-512 F, VL, BW and
 * VPOPCNTDQ): the extraction and matcher kernels are the AVX2 ones;
 * scode_best holds the candidate's sixteen codes in four registers, counts
 * bits with VPOPCNTQ and looks the reciprocals up in registers instead of
 * gathering them. Bit-identical to the reference (tests/test_kernels.c).
 */
#include <simde/x86/avx512.h>

#include "kernels_pcode256.h"

_Static_assert(FPI_SCODE_CODES == 16, "the kernel holds a finger's codes in four registers");

/* The sum of two 8 x 64-bit vectors of counts, narrowed to one 16 x 32-bit vector. */
static inline simde__m512i narrow16(simde__m512i c0, simde__m512i c1)
{
    return simde_mm512_inserti64x4(simde_mm512_castsi256_si512(simde_mm512_cvtepi64_epi32(c0)),
                                   simde_mm512_cvtepi64_epi32(c1), 1);
}

/* Bit counts of (lo & alo) + (hi & ahi), eight 64-bit lanes. */
static inline simde__m512i count_and(simde__m512i lo, simde__m512i hi, simde__m512i alo, simde__m512i ahi)
{
    return simde_mm512_add_epi64(simde_mm512_popcnt_epi64(simde_mm512_and_si512(lo, alo)),
                                 simde_mm512_popcnt_epi64(simde_mm512_and_si512(hi, ahi)));
}

/*
 * All sixteen candidate codes at once, lane j = code j. The reciprocal of
 * |a| + |b_j| comes from registers: for probe code i, the 64 table entries
 * recip[|a| + 0 .. |a| + 63] are loaded into four registers and each lane
 * picks its entry by |b_j| with two two-register permutes and a blend.
 * Codes of 64 bits or more (rare: a code has 128 bits) are looked up in the
 * table directly.
 */
static void scode_best_avx512(const fpi_pcode *a, const fpi_scode *b, uint16_t *best, ptrdiff_t stride)
{
    const simde__m512i lo0 = simde_mm512_loadu_si512((const void *)b->lo);
    const simde__m512i lo1 = simde_mm512_loadu_si512((const void *)(b->lo + 8));
    const simde__m512i hi0 = simde_mm512_loadu_si512((const void *)b->hi);
    const simde__m512i hi1 = simde_mm512_loadu_si512((const void *)(b->hi + 8));
    const simde__m512i ones = simde_mm512_set1_epi64(-1);
    const simde__m512i pb = narrow16(count_and(lo0, hi0, ones, ones), count_and(lo1, hi1, ones, ones));
    const simde__mmask16 upper = simde_mm512_cmpge_epu32_mask(pb, simde_mm512_set1_epi32(32));
    const simde__mmask16 big = simde_mm512_cmpge_epu32_mask(pb, simde_mm512_set1_epi32(64));
    for (int i = 0; i < a->n; i++) {
        const uint32_t pa = a->pop[i];
        if (pa < FPI_PCODE_MIN_BITS) {
            best[i * stride] = 0;
            continue;
        }
        const simde__m512i alo = simde_mm512_set1_epi64((int64_t)a->lo[i]);
        const simde__m512i ahi = simde_mm512_set1_epi64((int64_t)a->hi[i]);
        const simde__m512i both = narrow16(count_and(lo0, hi0, alo, ahi), count_and(lo1, hi1, alo, ahi));
        /* pa <= 128, so recip[pa + 63] is inside the 257-entry table. */
        const uint32_t *r = fpi_pcode_recip + pa;
        const simde__m512i r0 = simde_mm512_loadu_si512((const void *)r);
        const simde__m512i r1 = simde_mm512_loadu_si512((const void *)(r + 16));
        const simde__m512i r2 = simde_mm512_loadu_si512((const void *)(r + 32));
        const simde__m512i r3 = simde_mm512_loadu_si512((const void *)(r + 48));
        simde__m512i rec = simde_mm512_mask_mov_epi32(simde_mm512_permutex2var_epi32(r0, pb, r1), upper,
                                                      simde_mm512_permutex2var_epi32(r2, pb, r3));
        if (big) {
            uint32_t pp[16], rr[16];
            simde_mm512_storeu_si512((void *)pp, pb);
            simde_mm512_storeu_si512((void *)rr, rec);
            for (int k = 0; k < 16; k++)
                if (pp[k] >= 64) rr[k] = fpi_pcode_recip[pa + pp[k]];
            rec = simde_mm512_loadu_si512((const void *)rr);
        }
        const simde__m512i prod = simde_mm512_mullo_epi32(both, rec);
        best[i * stride] = scode_dice(scode_hmax8(simde_mm256_max_epu32(simde_mm512_castsi512_si256(prod),
                                                               simde_mm512_extracti64x4_epi64(prod, 1))));
    }
}

FPI_STAGE1_BLOCK_FN(stage1_block_avx512, scode_best_avx512)

const fpi_kernels fpi_kernels_avx512 = {fpi_filter_block8_avx2, fpi_tensor_block8_avx2, scode_best_avx512,
                                        fpi_edge_scan_avx2,     fpi_pair_scan_avx2,     stage1_block_avx512};
