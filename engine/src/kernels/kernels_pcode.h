/*
 * The pre-screening kernel body (see pcode_best in kernels.h), written once
 * in portable C and compiled per level: the reference build turns
 * __builtin_popcountll into the generic bit-twiddling routine, the x86
 * level files are compiled with -mpopcnt (one POPCNT instruction per word)
 * and ARM compiles it to NEON's VCNT. The arithmetic is integer, so every
 * level returns identical values (tests/test_kernels.c).
 */
#ifndef FP_KERNELS_PCODE_H
#define FP_KERNELS_PCODE_H

#include "kernels.h"

static void pcode_best_body(const fpi_pcode *a, const fpi_pcode *b, uint16_t *best)
{
    const int na = a->n, nb = b->n;
    for (int i = 0; i < na; i++) {
        const uint64_t alo = a->lo[i], ahi = a->hi[i];
        const uint32_t pa = a->pop[i];
        uint32_t top = 0;
        if (pa >= FPI_PCODE_MIN_BITS) {
            for (int j = 0; j < nb; j++) {
                uint32_t both = (uint32_t)(__builtin_popcountll(alo & b->lo[j]) + __builtin_popcountll(ahi & b->hi[j]));
                /* Dice coefficient 2|a&b| / (|a|+|b|) in 1/65535, through the reciprocal table. */
                uint32_t q = (both * fpi_pcode_recip[pa + b->pop[j]] + 128) >> 8;
                top = q > top ? q : top;
            }
        }
        best[i] = (uint16_t)(top > 65535 ? 65535 : top);
    }
}

#endif
