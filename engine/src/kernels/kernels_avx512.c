/*
 * AVX-512 level (this file alone is compiled with AVX-512 F, VL, BW and
 * VPOPCNTDQ): the extraction kernels are the AVX2 ones; pcode_best counts
 * the bits of sixteen candidate codes per step with VPOPCNTQ, which
 * replaces the AVX2 version's nibble-table counting, and looks the
 * reciprocals up in registers instead of gathering them. Bit-identical to the reference
 * (tests/test_kernels.c).
 */
#include <simde/x86/avx512.h>

#include "kernels_pcode256.h"

/*
 * Sixteen candidate codes per step. The reciprocal of |a|+|b| comes from
 * registers instead of a gather: for probe code i, the 64 table entries
 * recip[|a| + 0 .. |a| + 63] are loaded once into four registers, and
 * each lane picks its entry by |b| with two two-register permutes and a
 * blend. Codes of 64 bits or more (rare: a code has 128 bits) are looked
 * up in the table directly.
 */
static void pcode_best_avx512(const fpi_pcode *a, const fpi_pcode *b, uint16_t *best)
{
    const int na = a->n, nb16 = (b->n + 15) & ~15;
    /* b's bit counts, 16 lanes per step (codes past b->n are zero and count 0). */
    simde__m512i pb[FPI_PCODE_MAX / 16];
    uint32_t big = 0; /* steps with a count of 64 or more */
    for (int j = 0; j < nb16; j += 16) {
        uint32_t c[16];
        for (int k = 0; k < 16; k++) c[k] = b->pop[j + k];
        pb[j / 16] = simde_mm512_loadu_si512((const void *)c);
        if (simde_mm512_cmpge_epu32_mask(pb[j / 16], simde_mm512_set1_epi32(64))) big |= 1u << (j / 16);
    }
    const simde__m512i half = simde_mm512_set1_epi32(32), round = simde_mm512_set1_epi32(128);
    for (int i = 0; i < na; i++) {
        const uint32_t pa = a->pop[i];
        if (pa < FPI_PCODE_MIN_BITS) {
            best[i] = 0;
            continue;
        }
        const simde__m512i alo = simde_mm512_set1_epi64((int64_t)a->lo[i]);
        const simde__m512i ahi = simde_mm512_set1_epi64((int64_t)a->hi[i]);
        /* pa <= 128, so recip[pa + 63] is inside the 257-entry table. */
        const uint32_t *r = fpi_pcode_recip + pa;
        const simde__m512i r0 = simde_mm512_loadu_si512((const void *)r);
        const simde__m512i r1 = simde_mm512_loadu_si512((const void *)(r + 16));
        const simde__m512i r2 = simde_mm512_loadu_si512((const void *)(r + 32));
        const simde__m512i r3 = simde_mm512_loadu_si512((const void *)(r + 48));
        simde__m512i top = simde_mm512_setzero_si512();
        for (int j = 0; j < nb16; j += 16) {
            simde__m512i c0 = simde_mm512_add_epi64(
                simde_mm512_popcnt_epi64(simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->lo + j)), alo)),
                simde_mm512_popcnt_epi64(simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->hi + j)), ahi)));
            simde__m512i c1 = simde_mm512_add_epi64(
                simde_mm512_popcnt_epi64(
                    simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->lo + j + 8)), alo)),
                simde_mm512_popcnt_epi64(
                    simde_mm512_and_si512(simde_mm512_loadu_si512((const void *)(b->hi + j + 8)), ahi)));
            simde__m512i both = simde_mm512_inserti64x4(simde_mm512_castsi256_si512(simde_mm512_cvtepi64_epi32(c0)),
                                                        simde_mm512_cvtepi64_epi32(c1), 1);
            const simde__m512i idx = pb[j / 16];
            simde__m512i rec = simde_mm512_mask_mov_epi32(simde_mm512_permutex2var_epi32(r0, idx, r1),
                                                          simde_mm512_cmpge_epu32_mask(idx, half),
                                                          simde_mm512_permutex2var_epi32(r2, idx, r3));
            if (big >> (j / 16) & 1) {
                uint32_t pp[16], rr[16];
                simde_mm512_storeu_si512((void *)pp, idx);
                simde_mm512_storeu_si512((void *)rr, rec);
                for (int k = 0; k < 16; k++)
                    if (pp[k] >= 64) rr[k] = fpi_pcode_recip[pa + pp[k]];
                rec = simde_mm512_loadu_si512((const void *)rr);
            }
            simde__m512i q = simde_mm512_srli_epi32(simde_mm512_add_epi32(simde_mm512_mullo_epi32(both, rec), round), 8);
            top = simde_mm512_max_epu32(top, q);
        }
        best[i] = pcode_hmax(simde_mm256_max_epu32(simde_mm512_castsi512_si256(top), simde_mm512_extracti64x4_epi64(top, 1)));
    }
}

const fpi_kernels fpi_kernels_avx512 = {fpi_filter_block8_avx2, fpi_tensor_block8_avx2, pcode_best_avx512,
                                        fpi_edge_scan_avx2, fpi_pair_scan_avx2};
