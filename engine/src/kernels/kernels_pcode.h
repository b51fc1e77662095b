/*
 * The stage-1 kernel bodies (see scode_best and stage1_block in kernels.h),
 * written once in portable C and compiled per level: the reference build
 * turns __builtin_popcountll into the generic bit-twiddling routine, the
 * x86 level files are compiled with -mpopcnt (one POPCNT instruction per
 * word) and their vector width, and ARM compiles it to NEON. The arithmetic
 * is integer, so every level returns identical values
 * (tests/test_kernels.c).
 */
#ifndef FP_KERNELS_PCODE_H
#define FP_KERNELS_PCODE_H

#include "kernels.h"

/* A similarity from the largest product both * recip (see scode_best). */
static inline uint16_t scode_dice(uint32_t top)
{
    top = (top + 128) >> 8;
    return (uint16_t)(top > 65535 ? 65535 : top);
}

static void scode_best_body(const fpi_pcode *a, const fpi_scode *b, uint16_t *best, ptrdiff_t stride)
{
    uint32_t pb[FPI_SCODE_CODES];
    for (int j = 0; j < FPI_SCODE_CODES; j++)
        pb[j] = (uint32_t)(__builtin_popcountll(b->lo[j]) + __builtin_popcountll(b->hi[j]));
    const int na = a->n;
    for (int i = 0; i < na; i++) {
        const uint64_t alo = a->lo[i], ahi = a->hi[i];
        const uint32_t pa = a->pop[i];
        uint32_t top = 0;
        if (pa >= FPI_PCODE_MIN_BITS) {
            /* The largest product first: (x + 128) >> 8 keeps the order. */
            for (int j = 0; j < FPI_SCODE_CODES; j++) {
                uint32_t both = (uint32_t)(__builtin_popcountll(alo & b->lo[j]) + __builtin_popcountll(ahi & b->hi[j]));
                uint32_t q = both * fpi_pcode_recip[pa + pb[j]];
                top = q > top ? q : top;
            }
        }
        best[i * stride] = pa >= FPI_PCODE_MIN_BITS ? scode_dice(top) : 0;
    }
}

/*
 * The mean of the FPI_STAGE1_TOP largest values of each column of best
 * (n rows of FPI_STAGE1_BLOCK fingers), for every column at once: the
 * FPI_STAGE1_TOP-th largest value t found bit by bit from the top (the
 * largest t with at least FPI_STAGE1_TOP values >= t), then the values
 * above t and t for the rest. Loops run across the columns, which the
 * compiler turns into vector code at each level's width.
 */
static inline void stage1_top_mean(const uint16_t *best, int n, uint32_t *score)
{
    enum { B = FPI_STAGE1_BLOCK };
    uint16_t t[B], c[B], above[B];
    uint32_t sum[B];
    for (int f = 0; f < B; f++) t[f] = 0, above[f] = 0, sum[f] = 0;
    if (n > FPI_STAGE1_TOP) {
        for (int bit = 15; bit >= 0; bit--) {
            uint16_t try[B];
            for (int f = 0; f < B; f++) try[f] = (uint16_t)(t[f] | 1u << bit), c[f] = 0;
            for (int i = 0; i < n; i++)
                for (int f = 0; f < B; f++) c[f] = (uint16_t)(c[f] + (best[i * B + f] >= try[f]));
            for (int f = 0; f < B; f++) t[f] = c[f] >= FPI_STAGE1_TOP ? try[f] : t[f];
        }
    }
    /* With n <= FPI_STAGE1_TOP, t = 0: every value counts, the rest are 0. */
    for (int i = 0; i < n; i++)
        for (int f = 0; f < B; f++) {
            const uint16_t v = best[i * B + f];
            const int gt = v > t[f];
            above[f] = (uint16_t)(above[f] + gt);
            sum[f] += gt ? v : 0;
        }
    for (int f = 0; f < B; f++)
        score[f] = (sum[f] + (uint32_t)(FPI_STAGE1_TOP - above[f]) * t[f]) / FPI_STAGE1_TOP;
}

/* stage1_block of a level from its scode_best. */
#define FPI_STAGE1_BLOCK_FN(name, best_fn)                                                        \
    static void name(const fpi_pcode *a, const fpi_scode *b, int count, uint32_t *score)         \
    {                                                                                             \
        uint16_t best[FPI_PCODE_MAX * FPI_STAGE1_BLOCK];                                         \
        uint32_t all[FPI_STAGE1_BLOCK];                                                           \
        for (int f = 0; f < count; f++) best_fn(a, &b[f], best + f, FPI_STAGE1_BLOCK);            \
        for (int i = 0; i < a->n; i++)                                                            \
            for (int f = count; f < FPI_STAGE1_BLOCK; f++) best[i * FPI_STAGE1_BLOCK + f] = 0;    \
        stage1_top_mean(best, a->n, all);                                                         \
        for (int f = 0; f < count; f++) score[f] = all[f];                                        \
    }

#endif
