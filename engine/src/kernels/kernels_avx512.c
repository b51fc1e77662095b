/*
 * AVX-512 level (this file alone is compiled with AVX-512 F, VL, BW and
 * VPOPCNTDQ): the extraction kernels are the AVX2 ones; pcode_best counts
 * the bits of eight candidate codes per step with VPOPCNTQ, which replaces
 * the AVX2 version's nibble-table counting. Bit-identical to the reference
 * (tests/test_kernels.c).
 */
#include <simde/x86/avx512.h>

#include "kernels_pcode256.h"

static void pcode_best_avx512(const fpi_pcode *a, const fpi_pcode *b, uint16_t *best)
{
    const int na = a->n, nb8 = (b->n + 7) & ~7;
    for (int i = 0; i < na; i++) {
        const uint32_t pa = a->pop[i];
        if (pa < FPI_PCODE_MIN_BITS) {
            best[i] = 0;
            continue;
        }
        const simde__m512i alo = simde_mm512_set1_epi64((int64_t)a->lo[i]);
        const simde__m512i ahi = simde_mm512_set1_epi64((int64_t)a->hi[i]);
        const simde__m256i vpa = simde_mm256_set1_epi32((int32_t)pa);
        simde__m256i top = simde_mm256_setzero_si256();
        /* Codes past b->n are zero (fpi_pcode_encode clears the record): they score 0. */
        for (int j = 0; j < nb8; j += 8) {
            simde__m512i lo = simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->lo + j)), alo);
            simde__m512i hi = simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->hi + j)), ahi);
            simde__m512i cnt = simde_mm512_add_epi64(simde_mm512_popcnt_epi64(lo), simde_mm512_popcnt_epi64(hi));
            top = simde_mm256_max_epu32(top, pcode_dice8(simde_mm512_cvtepi64_epi32(cnt), vpa, pcode_pop8(b, j)));
        }
        best[i] = pcode_hmax(top);
    }
}

const fpi_kernels fpi_kernels_avx512 = {fpi_filter_block8_avx2, fpi_tensor_block8_avx2, pcode_best_avx512,
                                        fpi_edge_scan_avx2, fpi_pair_scan_avx2};
