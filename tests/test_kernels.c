/*
 * SIMD equivalence: every kernel level this build and CPU provide must give
 * bit-identical output to the scalar reference, over random and extreme
 * inputs, odd strides and pointers one element off alignment; and whole
 * extractions must give byte-identical templates at every level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core_engine_util.h"
#include "extract/extract.h"
#include "kernels/kernels.h"

#define BANK_TAPS ((size_t)FPI_ORI_BINS * FPI_PERIOD_BINS * FPI_FILTER_TAPS)

typedef struct level_entry {
    fp_simd_level level;
    const fpi_kernels *k;
} level_entry;

static int available_levels(level_entry *out)
{
    static const fp_simd_level all[] = {FP_SIMD_REF, FP_SIMD_SSE41, FP_SIMD_AVX2, FP_SIMD_AVX512, FP_SIMD_NEON};
    int n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        fp_simd_level got = FP_SIMD_AUTO;
        const fpi_kernels *k = NULL;
        fp_status st = fpi_kernels_select(all[i], &got, &k);
        if (st == FP_ERR_UNSUPPORTED) {
            print_message("level %s: not available here, skipped\n", fp_simd_level_name(all[i]));
            continue;
        }
        assert_int_equal(st, FP_OK);
        assert_int_equal(got, all[i]);
        assert_non_null(k);
        out[n].level = all[i];
        out[n].k = k;
        n++;
    }
    assert_true(n >= 1);
    assert_int_equal(out[0].level, FP_SIMD_REF);
    return n;
}

/* ---- filter_block8 ------------------------------------------------------ */

/* Input rows -R..7+R and columns -R..8+R around the block. */
#define F_ROWS (8 + 2 * FPI_FILTER_R)
#define F_COLS (9 + 2 * FPI_FILTER_R)
#define DST_GUARD 3
#define SENTINEL ((int16_t)0x5A5A)

typedef enum fill_kind { FILL_RANDOM, FILL_SIGN_MAX, FILL_SIGN_MIN, FILL_PLUS, FILL_MINUS, FILL_ALTERNATE } fill_kind;

/*
 * Runs one filter at every level on the same input and compares. The
 * buffers are exactly as large as the contract says may be read or written
 * (plus a sentinel frame around dst), so ASan sees any over-read.
 */
static int filter_case(const level_entry *lv, int nlv, const int16_t *kernel, fill_kind fill, ptrdiff_t sstride,
                       int soff, ptrdiff_t dstride, int doff, int shift, fpt_rng *rng)
{
    size_t src_n = (size_t)soff + (size_t)(F_ROWS - 1) * (size_t)sstride + F_COLS;
    int16_t *sbuf = malloc(src_n * sizeof(int16_t));
    assert_non_null(sbuf);
    const int16_t *src = sbuf + soff + FPI_FILTER_R * sstride + FPI_FILTER_R;
    for (int r = 0; r < F_ROWS; r++)
        for (int c = 0; c < F_COLS; c++) {
            int16_t v = 0;
            /* Tap (tr, tc) of output (y, x) reads input (y + tr - R, x + tc - R). */
            int tr = r, tc = c; /* relative to output (0,0); used for the sign fills */
            int16_t tap = (tr < FPI_FILTER_ROWS && tc < FPI_FILTER_COLS) ? kernel[tr * FPI_FILTER_COLS + tc] : 0;
            switch (fill) {
            case FILL_RANDOM: v = (int16_t)fpt_range(rng, -255, 255); break;
            case FILL_SIGN_MAX: v = tap >= 0 ? 255 : -255; break;
            case FILL_SIGN_MIN: v = tap >= 0 ? -255 : 255; break;
            case FILL_PLUS: v = 255; break;
            case FILL_MINUS: v = -255; break;
            case FILL_ALTERNATE: v = ((r + c) & 1) ? 255 : -255; break;
            }
            sbuf[soff + r * sstride + c] = v;
        }
    size_t dst_rows = 8 + 2 * DST_GUARD;
    size_t dst_n = (size_t)doff + (dst_rows - 1) * (size_t)dstride + 8 + 2 * DST_GUARD;
    int16_t *ref = NULL;
    int mismatches = 0;
    for (int li = 0; li < nlv; li++) {
        int16_t *dbuf = malloc(dst_n * sizeof(int16_t));
        assert_non_null(dbuf);
        for (size_t i = 0; i < dst_n; i++) dbuf[i] = SENTINEL;
        int16_t *dst = dbuf + doff + DST_GUARD * dstride + DST_GUARD;
        lv[li].k->filter_block8(src, sstride, kernel, dst, dstride, shift);
        /* Nothing outside the 8x8 block is written. */
        for (size_t i = 0; i < dst_n; i++) {
            ptrdiff_t rel = (ptrdiff_t)i - (ptrdiff_t)(doff + DST_GUARD * dstride + DST_GUARD);
            ptrdiff_t y = rel >= 0 ? rel / dstride : -1, x = rel >= 0 ? rel % dstride : -1;
            int inside = rel >= 0 && y < 8 && x < 8;
            if (!inside && dbuf[i] != SENTINEL) {
                print_error("level %s wrote outside the block at offset %td\n", fp_simd_level_name(lv[li].level),
                            rel);
                mismatches++;
            }
        }
        if (li == 0) {
            ref = dbuf;
            continue;
        }
        int16_t *ref_dst = ref + doff + DST_GUARD * dstride + DST_GUARD;
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                if (dst[y * dstride + x] != ref_dst[y * dstride + x]) {
                    if (mismatches < 5)
                        print_error("level %s: filter (%d,%d) = %d, ref %d (fill %d, shift %d, strides %td/%td)\n",
                                    fp_simd_level_name(lv[li].level), x, y, dst[y * dstride + x],
                                    ref_dst[y * dstride + x], (int)fill, shift, sstride, dstride);
                    mismatches++;
                }
        free(dbuf);
    }
    free(ref);
    free(sbuf);
    return mismatches;
}

static void test_filter_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    int16_t *bank = malloc(BANK_TAPS * sizeof(int16_t));
    assert_non_null(bank);
    fpi_filter_bank_build(bank);
    int16_t kmin = 0, kmax = 0;
    for (size_t i = 0; i < BANK_TAPS; i++) {
        if (bank[i] < kmin) kmin = bank[i];
        if (bank[i] > kmax) kmax = bank[i];
    }
    /* The padding column of every kernel is zero (the SIMD bodies read it). */
    for (size_t f = 0; f < BANK_TAPS / FPI_FILTER_TAPS; f++)
        for (int r = 0; r < FPI_FILTER_ROWS; r++)
            assert_int_equal(bank[f * FPI_FILTER_TAPS + (size_t)r * FPI_FILTER_COLS + FPI_FILTER_COLS - 1], 0);
    /* Every kernel is point-symmetric (the SIMD bodies pair the taps). */
    for (size_t f = 0; f < BANK_TAPS / FPI_FILTER_TAPS; f++)
        for (int r = 0; r < FPI_FILTER_ROWS; r++)
            for (int c = 0; c < FPI_FILTER_ROWS; c++)
                assert_int_equal(bank[f * FPI_FILTER_TAPS + (size_t)r * FPI_FILTER_COLS + c],
                                 bank[f * FPI_FILTER_TAPS + (size_t)(2 * FPI_FILTER_R - r) * FPI_FILTER_COLS +
                                      (2 * FPI_FILTER_R - c)]);
    print_message("filter bank taps in [%d, %d]; levels compared: %d\n", kmin, kmax, nlv);
    assert_true(kmax > 0 && kmin < 0);

    fpt_rng rng = {12345};
    static const ptrdiff_t sstrides[] = {F_COLS, F_COLS + 1, F_COLS + 2, 33, 61, 200};
    static const ptrdiff_t dstrides[] = {8, 9, 11, 17, 64};
    int bad = 0, cases = 0;
    int16_t kernel[FPI_FILTER_TAPS];
    /* Every real kernel, extreme fills, odd strides and both alignments. */
    for (size_t f = 0; f < BANK_TAPS / FPI_FILTER_TAPS; f++) {
        const int16_t *kern = bank + f * FPI_FILTER_TAPS;
        for (int fill = FILL_RANDOM; fill <= FILL_ALTERNATE; fill++) {
            ptrdiff_t ss = sstrides[(f + (size_t)fill) % 6], ds = dstrides[(f + (size_t)fill) % 5];
            int so = (int)((f + (size_t)fill) & 1), dof = (int)((f / 2 + (size_t)fill) & 1);
            bad += filter_case(lv, nlv, kern, (fill_kind)fill, ss, so, ds, dof, FPI_FILTER_SHIFT, &rng);
            cases++;
        }
    }
    /* Random kernels within the bank's range; every shift 1..15 (the
     * extractor uses FPI_FILTER_SHIFT; small shifts drive saturation). */
    for (int it = 0; it < 600; it++) {
        for (int t = 0; t < FPI_FILTER_TAPS; t++) kernel[t] = (int16_t)fpt_range(&rng, kmin, kmax);
        if (it % 50 == 0) /* all taps at the extremes */
            for (int t = 0; t < FPI_FILTER_TAPS; t++) kernel[t] = (t + it / 50) % 2 ? kmax : kmin;
        /* The contract: point-symmetric, the last column padding and zero. */
        for (int r = 0; r < FPI_FILTER_ROWS; r++) {
            for (int c = 0; c < FPI_FILTER_ROWS; c++)
                if (r * FPI_FILTER_ROWS + c > (2 * FPI_FILTER_R - r) * FPI_FILTER_ROWS + (2 * FPI_FILTER_R - c))
                    kernel[r * FPI_FILTER_COLS + c] =
                        kernel[(2 * FPI_FILTER_R - r) * FPI_FILTER_COLS + (2 * FPI_FILTER_R - c)];
            kernel[r * FPI_FILTER_COLS + FPI_FILTER_COLS - 1] = 0;
        }
        int shift = it % 3 == 0 ? FPI_FILTER_SHIFT : 1 + it % 15;
        fill_kind fill = (fill_kind)(it % 6);
        bad += filter_case(lv, nlv, kernel, fill, sstrides[it % 6], it & 1, dstrides[it % 5], (it >> 1) & 1, shift,
                           &rng);
        cases++;
    }
    print_message("filter_block8: %d cases x %d levels, %d mismatches\n", cases, nlv, bad);
    assert_int_equal(bad, 0);
    free(bank);
}

/* ---- scode_best ----------------------------------------------------------- */

static void random_code(uint64_t *lo, uint64_t *hi, int density, fpt_rng *rng)
{
    *lo = *hi = 0;
    for (int b = 0; b < 128; b++) {
        if (fpt_range(rng, 0, 99) >= density) continue;
        if (b < 64)
            *lo |= (uint64_t)1 << b;
        else
            *hi |= (uint64_t)1 << (b - 64);
    }
}

static void random_pcode(fpi_pcode *c, int n, int density, fpt_rng *rng)
{
    memset(c, 0, sizeof(*c));
    c->n = (uint8_t)n;
    for (int i = 0; i < n; i++) {
        random_code(&c->lo[i], &c->hi[i], density, rng);
        c->pop[i] = (uint8_t)(__builtin_popcountll(c->lo[i]) + __builtin_popcountll(c->hi[i]));
    }
}

/* n random codes, the rest empty (as a gallery finger with fewer minutiae). */
static void random_scode(fpi_scode *c, int n, int density, fpt_rng *rng)
{
    memset(c, 0, sizeof(*c));
    for (int j = 0; j < n; j++) random_code(&c->lo[j], &c->hi[j], density, rng);
}

/* Every level gives the reference's values, for empty, sparse, dense and
 * full codes (the full code hits the largest reciprocal products, codes of
 * 64 bits or more the kernels' direct table lookup). */
static void test_scode_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    fpt_rng rng = {4242};
    static fpi_pcode a;
    static fpi_scode b;
    int bad = 0;
    for (int it = 0; it < 600; it++) {
        int density = it % 5 == 0 ? 100 : it % 5 == 1 ? 2 : (int)fpt_range(&rng, 5, 70);
        random_pcode(&a, (int)fpt_range(&rng, 0, FPI_PCODE_MAX), density, &rng);
        random_scode(&b, (int)fpt_range(&rng, 0, FPI_SCODE_CODES), it % 7 == 0 ? 100 : density, &rng);
        uint16_t ref[FPI_PCODE_MAX], got[FPI_PCODE_MAX];
        lv[0].k->scode_best(&a, &b, ref, 1);
        for (int li = 1; li < nlv; li++) {
            memset(got, 0xAB, sizeof got);
            lv[li].k->scode_best(&a, &b, got, 1);
            if (memcmp(ref, got, a.n * sizeof(*ref)) != 0) {
                print_error("level %s: scode_best differs (case %d)\n", fp_simd_level_name(lv[li].level), it);
                bad++;
            }
        }
    }
    /* Identical codes score 65535 (Dice 1): b holds a's first codes. */
    random_pcode(&a, 20, 30, &rng);
    memset(&b, 0, sizeof b);
    for (int j = 0; j < FPI_SCODE_CODES; j++) {
        b.lo[j] = a.lo[j];
        b.hi[j] = a.hi[j];
    }
    uint16_t best[FPI_PCODE_MAX];
    for (int li = 0; li < nlv; li++) {
        lv[li].k->scode_best(&a, &b, best, 1);
        for (int i = 0; i < FPI_SCODE_CODES; i++)
            assert_int_equal(best[i], a.pop[i] >= FPI_PCODE_MIN_BITS ? 65535 : 0);
    }
    /* Codes sharing no bit score 0: every code of b is the complement of
     * the union of a's codes. */
    uint64_t ulo = 0, uhi = 0;
    for (int i = 0; i < a.n; i++) {
        ulo |= a.lo[i];
        uhi |= a.hi[i];
    }
    for (int j = 0; j < FPI_SCODE_CODES; j++) {
        b.lo[j] = ~ulo;
        b.hi[j] = ~uhi;
    }
    for (int li = 0; li < nlv; li++) {
        lv[li].k->scode_best(&a, &b, best, 1);
        for (int i = 0; i < a.n; i++) assert_int_equal(best[i], 0);
    }
    assert_int_equal(bad, 0);
}

static int u16_desc(const void *x, const void *y)
{
    return (int)*(const uint16_t *)y - (int)*(const uint16_t *)x;
}

/* stage1_block: every level gives, for every finger of a block, the mean of
 * the 8 largest reference scode_best values (sorted here), for blocks of
 * every size, probes of 0..64 codes and sparse codes whose many equal
 * values put ties at the 8th place; and writes nothing past count. */
static void test_stage1_block_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    fpt_rng rng = {977};
    static fpi_pcode a;
    static fpi_scode b[FPI_STAGE1_BLOCK];
    int bad = 0, ties = 0;
    for (int it = 0; it < 300; it++) {
        int density = it % 3 == 0 ? 3 : (int)fpt_range(&rng, 5, 50);
        random_pcode(&a, it % 9 == 0 ? (int)fpt_range(&rng, 0, 8) : (int)fpt_range(&rng, 9, FPI_PCODE_MAX), density,
                     &rng);
        int count = (int)fpt_range(&rng, 1, FPI_STAGE1_BLOCK);
        for (int f = 0; f < count; f++) random_scode(&b[f], (int)fpt_range(&rng, 0, FPI_SCODE_CODES), density, &rng);
        uint32_t want[FPI_STAGE1_BLOCK];
        for (int f = 0; f < count; f++) {
            uint16_t v[FPI_PCODE_MAX];
            lv[0].k->scode_best(&a, &b[f], v, 1);
            qsort(v, a.n, sizeof(*v), u16_desc);
            uint32_t sum = 0;
            for (int i = 0; i < FPI_STAGE1_TOP && i < a.n; i++) sum += v[i];
            want[f] = sum / FPI_STAGE1_TOP;
            ties += a.n > FPI_STAGE1_TOP && v[FPI_STAGE1_TOP - 1] == v[FPI_STAGE1_TOP];
        }
        for (int li = 0; li < nlv; li++) {
            uint32_t got[FPI_STAGE1_BLOCK + 1];
            for (int f = 0; f <= FPI_STAGE1_BLOCK; f++) got[f] = 0xDEADBEEF;
            lv[li].k->stage1_block(&a, b, count, got);
            if (memcmp(want, got, (size_t)count * sizeof(*got)) != 0 || got[count] != 0xDEADBEEF) {
                print_error("level %s: stage1_block differs (case %d)\n", fp_simd_level_name(lv[li].level), it);
                bad++;
            }
        }
    }
    print_message("stage1_block: 300 blocks x %d levels, %d with a tie at the 8th place, %d mismatches\n", nlv, ties,
                  bad);
    assert_true(ties > 20);
    assert_int_equal(bad, 0);
}

/* ---- matcher scans -------------------------------------------------------- */

/* Every level writes the reference's hits for random runs, angle offsets,
 * limits and caps (small caps cut the output mid-run). */
static void test_edge_scan_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    fpt_rng rng = {5150};
    enum { NE = 1152, NQ = 300 };
    static uint8_t r[NE + FPI_SCAN_PAD], o[NE + FPI_SCAN_PAD];
    static uint16_t lo[NQ], hi[NQ];
    static uint8_t dr[NQ], dor[NQ];
    static uint32_t ref[1 << 16], got[1 << 16];
    int bad = 0;
    for (int it = 0; it < 300; it++) {
        /* Clustered angles on some rounds, so hits are frequent. */
        int spread = it % 3 == 0 ? 40 : 255;
        for (int q = 0; q < NE + FPI_SCAN_PAD; q++) {
            r[q] = (uint8_t)fpt_range(&rng, 0, spread);
            o[q] = (uint8_t)fpt_range(&rng, 0, spread);
        }
        int nq = fpt_range(&rng, 0, NQ);
        for (int i = 0; i < nq; i++) {
            int a = fpt_range(&rng, 0, NE), len = fpt_range(&rng, 0, it % 4 == 0 ? 300 : 40);
            lo[i] = (uint16_t)a;
            hi[i] = (uint16_t)(a + len > NE ? NE : a + len);
            dr[i] = (uint8_t)fpt_range(&rng, 0, 255);
            dor[i] = (uint8_t)fpt_range(&rng, 0, 255);
        }
        uint8_t lim = it % 5 == 0 ? 255 : it % 5 == 1 ? 0 : (uint8_t)fpt_range(&rng, 1, 80);
        int cap = it % 6 == 0 ? fpt_range(&rng, 0, 50) : 1 << 16;
        int nref = lv[0].k->edge_scan(r, o, lo, hi, dr, dor, nq, lim, ref, cap);
        assert_true(nref <= cap);
        if (lim == 255) {
            /* Every edge of every run passes. */
            long total = 0;
            for (int i = 0; i < nq; i++) total += hi[i] - lo[i];
            assert_int_equal(nref, total < cap ? total : cap);
        }
        for (int li = 1; li < nlv; li++) {
            int n = lv[li].k->edge_scan(r, o, lo, hi, dr, dor, nq, lim, got, cap);
            if (n != nref || memcmp(ref, got, (size_t)n * sizeof(*ref)) != 0) {
                print_error("level %s: edge_scan differs (case %d: %d vs %d hits)\n", fp_simd_level_name(lv[li].level),
                            it, n, nref);
                bad++;
            }
        }
    }
    assert_int_equal(bad, 0);
}

/* Every level finds the reference's candidate pairs, for coordinates at the
 * int16 limits, boxes from empty to 512 px wide and band tables with empty,
 * reversed and single-minutia runs. */
static void test_pair_scan_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    fpt_rng rng = {6160};
    enum { N = 192 };
    static int16_t xlo[N], xhi[N], ylo[N], yhi[N], bx[N + FPI_SCAN_PAD], by[N + FPI_SCAN_PAD];
    static uint8_t blo[N], bhi[N], band[N + 1];
    static uint16_t ref[N * N], got[N * N];
    int bad = 0;
    for (int it = 0; it < 300; it++) {
        int span = it % 4 == 0 ? 32767 : 300;
        int na = fpt_range(&rng, 0, N), nb = fpt_range(&rng, 0, N);
        /* Bands: nbands + 1 non-decreasing starts from 0 to nb. */
        int nbands = fpt_range(&rng, 1, N);
        band[0] = 0;
        for (int i = 1; i < nbands; i++) band[i] = (uint8_t)FPI_MIN(nb, band[i - 1] + fpt_range(&rng, 0, 3));
        band[nbands] = (uint8_t)nb;
        for (int j = 0; j < N; j++) {
            int cx = fpt_range(&rng, -span, span), cy = fpt_range(&rng, -span, span);
            int r = it % 7 == 0 ? 256 : fpt_range(&rng, 0, 41);
            xlo[j] = (int16_t)FPI_MAX(cx - r, -32768);
            xhi[j] = (int16_t)FPI_MIN(cx + r, 32767);
            ylo[j] = (int16_t)FPI_MAX(cy - r, -32768);
            yhi[j] = (int16_t)FPI_MIN(cy + r, 32767);
            /* All bands, or a run of them (empty and reversed runs included). */
            blo[j] = (uint8_t)(it % 3 == 0 ? 0 : fpt_range(&rng, 0, nbands));
            bhi[j] = (uint8_t)(it % 3 == 0 ? nbands : fpt_range(&rng, 0, nbands));
        }
        for (int k = 0; k < N + FPI_SCAN_PAD; k++) {
            bx[k] = (int16_t)fpt_range(&rng, -span, span);
            by[k] = (int16_t)fpt_range(&rng, -span, span);
        }
        if (it % 5 == 0 && nb > 0 && na > 0) {
            blo[0] = 0;
            bhi[0] = (uint8_t)nbands;
            /* Corners of an open box: one inside is in, the edge itself out. */
            xlo[0] = -20;
            xhi[0] = 20;
            ylo[0] = -20;
            yhi[0] = 20;
            bx[0] = 19;
            by[0] = -19;
            if (nb > 1) {
                bx[1] = 20;
                by[1] = 0;
            }
        }
        fpi_pair_query q = {xlo, xhi, ylo, yhi, blo, bhi, band, na, bx, by};
        int nref = lv[0].k->pair_scan(&q, ref);
        if (it % 5 == 0 && na > 0 && nb > 0) {
            assert_true(nref > 0 && ref[0] == 0);
            assert_true(nref == 1 || ref[1] != 1);
        }
        for (int li = 1; li < nlv; li++) {
            memset(got, 0, sizeof got);
            int n = lv[li].k->pair_scan(&q, got);
            if (n != nref || memcmp(ref, got, (size_t)n * sizeof(*ref)) != 0) {
                print_error("level %s: pair_scan differs (case %d: %d vs %d pairs)\n", fp_simd_level_name(lv[li].level),
                            it, n, nref);
                bad++;
            }
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- tensor_block8 ------------------------------------------------------ */

typedef enum tfill { T_RANDOM, T_CHECKER, T_CHECKER_INV, T_STRIPES_X, T_STRIPES_Y, T_FLAT, T_BINARY } tfill;

static int tensor_case(const level_entry *lv, int nlv, tfill fill, ptrdiff_t stride, int off, fpt_rng *rng)
{
    /* Rows -1..8, columns -1..8: a 10 x 10 window, nothing more allocated. */
    size_t n = (size_t)off + 9 * (size_t)stride + 10;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    memset(buf, 0, n);
    for (int r = 0; r < 10; r++)
        for (int c = 0; c < 10; c++) {
            uint8_t v = 0;
            switch (fill) {
            case T_RANDOM: v = (uint8_t)fpt_range(rng, 0, 255); break;
            case T_CHECKER: v = ((r + c) & 1) ? 255 : 0; break;
            case T_CHECKER_INV: v = ((r + c) & 1) ? 0 : 255; break;
            case T_STRIPES_X: v = (c & 1) ? 255 : 0; break;
            case T_STRIPES_Y: v = (r & 1) ? 255 : 0; break;
            case T_FLAT: v = 255; break;
            case T_BINARY: v = fpt_range(rng, 0, 1) ? 255 : 0; break;
            }
            buf[(size_t)off + (size_t)r * (size_t)stride + (size_t)c] = v;
        }
    const uint8_t *src = buf + off + stride + 1;
    int32_t ref[3], got[3];
    lv[0].k->tensor_block8(src, stride, ref);
    int bad = 0;
    for (int li = 1; li < nlv; li++) {
        lv[li].k->tensor_block8(src, stride, got);
        if (memcmp(ref, got, sizeof ref) != 0) {
            print_error("level %s: tensor (%d %d %d), ref (%d %d %d), fill %d stride %td off %d\n",
                        fp_simd_level_name(lv[li].level), got[0], got[1], got[2], ref[0], ref[1], ref[2], (int)fill,
                        stride, off);
            bad++;
        }
    }
    free(buf);
    return bad;
}

static void test_tensor_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    fpt_rng rng = {777};
    static const ptrdiff_t strides[] = {10, 11, 13, 17, 31, 64, 333};
    int bad = 0, cases = 0;
    for (int it = 0; it < 2000; it++) {
        tfill fill = it < 7 * 14 ? (tfill)(it % 7) : (it % 4 ? T_RANDOM : T_BINARY);
        bad += tensor_case(lv, nlv, fill, strides[it % 7], (it / 7) & 1, &rng);
        cases++;
    }
    /* Anchor the reference itself with hand-computed values: on a 0/255
     * checkerboard x-1 and x+1 have the same colour, so Sobel gives 0. */
    uint8_t chk[10 * 10];
    for (int i = 0; i < 100; i++) chk[i] = ((i / 10 + i % 10) & 1) ? 255 : 0;
    int32_t t[3];
    fpi_kernels_ref.tensor_block8(chk + 11, 10, t);
    assert_int_equal(t[0], 0);
    assert_int_equal(t[1], 0);
    /* Vertical stripes of width 1 also cancel; a step edge does not. */
    uint8_t step[10 * 10];
    for (int i = 0; i < 100; i++) step[i] = (i % 10) >= 5 ? 255 : 0;
    fpi_kernels_ref.tensor_block8(step + 11, 10, t);
    /* Columns 3 and 4 (x = 4, 5 in the window) see gx = 4 * 255 on 8 rows. */
    assert_int_equal(t[0], 2 * 8 * (4 * 255) * (4 * 255));
    assert_int_equal(t[1], 0);
    assert_int_equal(t[2], 0);
    print_message("tensor_block8: %d cases x %d levels, %d mismatches\n", cases, nlv, bad);
    assert_int_equal(bad, 0);
}

/* ---- whole extraction at every level ------------------------------------ */

/* A ridge pattern with a few forks (phase dislocations), so there are minutiae. */
static void make_pattern(uint8_t *img, int w, int h, uint64_t seed)
{
    fpt_rng rng = {seed};
    const double cx[5] = {80, 200, 150, 90, 220}, cy[5] = {90, 110, 190, 240, 250};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double ph = 2 * M_PI * (x * 0.8 + y * 0.6) / 9.0;
            for (int k = 0; k < 5; k++) ph += (k & 1 ? -1 : 1) * atan2(y - cy[k], x - cx[k]);
            double v = 128 + 100 * cos(ph) + (fpt_unit(&rng) - 0.5) * 30;
            img[y * w + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

/* Extracts at every level; returns the number of levels that differ from ref. */
static int extract_all_levels(const level_entry *lv, int nlv, const fp_image *im, const char *what)
{
    uint8_t *ref_bytes = NULL, *ref_enh = NULL;
    size_t ref_len = 0, plane = 0;
    fp_status ref_st = FP_OK;
    int bad = 0;
    for (int li = 0; li < nlv; li++) {
        fp_config cfg;
        fp_config_init(&cfg);
        cfg.simd = lv[li].level;
        fp_context *ctx = NULL;
        assert_int_equal(fp_context_create(&cfg, &ctx), FP_OK);
        assert_int_equal(fp_context_simd_level(ctx), lv[li].level);
        fp_template *t = NULL;
        fp_status st = fp_extract(ctx, im, &t, NULL);
        uint8_t *bytes = NULL;
        size_t len = 0;
        if (st == FP_OK) {
            assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &len), FP_OK);
            bytes = malloc(len);
            assert_non_null(bytes);
            assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, bytes, len, &len), FP_OK);
        }
        uint32_t pw = 0, ph = 0;
        const uint8_t *enh = fp_debug_plane_get(ctx, FP_DEBUG_ENHANCED, &pw, &ph);
        uint8_t *enh_copy = NULL;
        if (enh) {
            enh_copy = malloc((size_t)pw * ph);
            assert_non_null(enh_copy);
            memcpy(enh_copy, enh, (size_t)pw * ph);
        }
        if (li == 0) {
            ref_st = st;
            ref_bytes = bytes;
            ref_len = len;
            ref_enh = enh_copy;
            plane = (size_t)pw * ph;
            print_message("%s: ref %s, %zu minutiae\n", what, fp_status_name(st), t ? fp_template_minutiae_count(t) : 0);
        } else {
            int same = st == ref_st && len == ref_len && (!len || memcmp(bytes, ref_bytes, len) == 0) &&
                       (size_t)pw * ph == plane && (!plane || (enh_copy && ref_enh && !memcmp(enh_copy, ref_enh, plane)));
            if (!same) {
                print_error("%s: level %s differs from ref (status %s vs %s, %zu vs %zu bytes)\n", what,
                            fp_simd_level_name(lv[li].level), fp_status_name(st), fp_status_name(ref_st), len, ref_len);
                bad++;
            }
            free(bytes);
            free(enh_copy);
        }
        fp_template_destroy(t);
        fp_context_destroy(ctx);
    }
    free(ref_bytes);
    free(ref_enh);
    return bad;
}

static void test_extract_levels_synthetic(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    const int w = 301, h = 333; /* odd sizes: partial blocks at the edges */
    uint8_t *img = malloc((size_t)w * h);
    assert_non_null(img);
    make_pattern(img, w, h, 99);
    fp_image im = {img, (uint32_t)w, (uint32_t)h, (uint32_t)w, 500};
    int bad = extract_all_levels(lv, nlv, &im, "synthetic 301x333");
    /* And resampled (non-500 dpi path). */
    im.dpi = 569;
    bad += extract_all_levels(lv, nlv, &im, "synthetic at 569 dpi");
    free(img);
    assert_int_equal(bad, 0);
}

static void test_extract_levels_real(void **state)
{
    (void)state;
    static const struct {
        const char *set;
        uint32_t dpi;
        int finger, imp;
    } files[] = {
        {"FVC2002/DB1_B", 500, 101, 1}, {"FVC2002/DB2_B", 569, 103, 2}, {"FVC2002/DB3_B", 500, 105, 3},
        {"FVC2002/DB4_B", 500, 107, 4}, {"FVC2000/DB1_B", 500, 102, 5}, {"FVC2000/DB2_B", 500, 110, 8},
    };
    if (!fpt_is_dir(FPT_DATASETS "/FVC2002/DB1_B")) {
        print_message("skipped: %s not found (the dataset folder is optional)\n", FPT_DATASETS "/FVC2002/DB1_B");
        skip();
    }
    level_entry lv[5];
    int nlv = available_levels(lv);
    int bad = 0, done = 0;
    size_t nfiles = fpt_quick() ? 2 : sizeof files / sizeof files[0];
    for (size_t i = 0; i < nfiles; i++) {
        char dir[512], what[128];
        snprintf(dir, sizeof dir, "%s/%s", FPT_DATASETS, files[i].set);
        fpt_image img;
        if (!fpt_load_fvc(dir, files[i].finger, files[i].imp, &img)) {
            print_message("%s/%d_%d.tif not readable, skipped\n", dir, files[i].finger, files[i].imp);
            continue;
        }
        fp_image im = {img.pixels, img.width, img.height, img.width, files[i].dpi};
        snprintf(what, sizeof what, "%s/%d_%d", files[i].set, files[i].finger, files[i].imp);
        bad += extract_all_levels(lv, nlv, &im, what);
        done++;
        fpt_image_free(&img);
    }
    assert_true(done > 0);
    assert_int_equal(bad, 0);
}

/* Whole comparisons give the same score at every level (the matcher's scan
 * kernels feed its pairing and voting, and the AVX2 and AVX-512 levels run
 * the comparison's AVX2 build, compare_avx2.c). */
static void test_compare_levels(void **state)
{
    (void)state;
    level_entry lv[5];
    int nlv = available_levels(lv);
    enum { NS = 6, NT = 14 };
    const int w = 301, h = 333;
    uint8_t *img = malloc((size_t)w * h);
    assert_non_null(img);
    fp_context *ctx = NULL;
    fp_config cfg;
    fp_config_init(&cfg);
    cfg.simd = FP_SIMD_REF;
    assert_int_equal(fp_context_create(&cfg, &ctx), FP_OK);
    fp_template *t[NT] = {0};
    int nt = 0;
    for (int i = 0; i < NS; i++) {
        make_pattern(img, w, h, 1000 + (uint64_t)i);
        fp_image im = {img, (uint32_t)w, (uint32_t)h, (uint32_t)w, 500};
        assert_int_equal(fp_extract(ctx, &im, &t[nt++], NULL), FP_OK);
    }
    /* Real fingers too when the data sets are here: two impressions of four fingers. */
    static const int real[8][2] = {{101, 1}, {101, 2}, {102, 1}, {102, 2}, {103, 3}, {103, 4}, {104, 5}, {104, 6}};
    for (int i = 0; i < 8; i++) {
        fpt_image fi;
        if (!fpt_load_fvc(FPT_DATASETS "/FVC2002/DB1_B", real[i][0], real[i][1], &fi)) continue;
        fp_image im = {fi.pixels, fi.width, fi.height, fi.width, 500};
        if (fp_extract(ctx, &im, &t[nt], NULL) == FP_OK) nt++;
        fpt_image_free(&fi);
    }
    print_message("%d templates compared at every level\n", nt);
    fp_context_destroy(ctx);
    free(img);
    float ref[NT][NT];
    int bad = 0, positive = 0;
    for (int li = 0; li < nlv; li++) {
        cfg.simd = lv[li].level;
        assert_int_equal(fp_context_create(&cfg, &ctx), FP_OK);
        for (int i = 0; i < nt; i++)
            for (int j = 0; j < nt; j++) {
                float sc = -1;
                assert_int_equal(fp_compare(ctx, t[i], t[j], &sc), FP_OK);
                if (li == 0) {
                    ref[i][j] = sc;
                    positive += sc > 0;
                } else if (sc != ref[i][j]) {
                    print_error("level %s: compare(%d, %d) = %g, ref %g\n", fp_simd_level_name(lv[li].level), i, j,
                                (double)sc, (double)ref[i][j]);
                    bad++;
                }
            }
        fp_context_destroy(ctx);
    }
    for (int i = 0; i < nt; i++) fp_template_destroy(t[i]);
    /* Beyond the self-comparisons, copies and impressions do match: the check compares real work. */
    assert_true(positive > nt);
    assert_int_equal(bad, 0);
}

static void test_select_errors(void **state)
{
    (void)state;
    fp_simd_level got = FP_SIMD_AUTO;
    const fpi_kernels *k = NULL;
    /* AUTO always resolves to something concrete. */
    assert_int_equal(fpi_kernels_select(FP_SIMD_AUTO, &got, &k), FP_OK);
    assert_true(got != FP_SIMD_AUTO);
    assert_non_null(k);
    /* A level the context cannot run is refused at creation. */
    fp_config cfg;
    fp_config_init(&cfg);
    cfg.simd = (fp_simd_level)99;
    fp_context *ctx = (fp_context *)&cfg;
    assert_int_equal(fp_context_create(&cfg, &ctx), FP_ERR_INVALID_ARGUMENT);
    assert_null(ctx);
    static const fp_simd_level all[] = {FP_SIMD_SSE41, FP_SIMD_AVX2, FP_SIMD_AVX512, FP_SIMD_NEON};
    for (size_t i = 0; i < 4; i++) {
        cfg.simd = all[i];
        fp_status st = fp_context_create(&cfg, &ctx);
        fp_status sel = fpi_kernels_select(all[i], &got, &k);
        assert_int_equal(st, sel);
        if (st == FP_OK) {
            assert_int_equal(fp_context_simd_level(ctx), all[i]);
        } else {
            assert_int_equal(st, FP_ERR_UNSUPPORTED);
            assert_null(ctx);
        }
        fp_context_destroy(ctx);
        ctx = NULL;
    }
    assert_string_equal(fp_simd_level_name(FP_SIMD_REF), "ref");
    assert_string_equal(fp_simd_level_name(FP_SIMD_SSE41), "sse41");
    assert_string_equal(fp_simd_level_name(FP_SIMD_AVX2), "avx2");
    assert_string_equal(fp_simd_level_name(FP_SIMD_NEON), "neon");
    assert_string_equal(fp_simd_level_name(FP_SIMD_AVX512), "avx512");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_errors),
        cmocka_unit_test(test_filter_levels),
        cmocka_unit_test(test_tensor_levels),
        cmocka_unit_test(test_scode_levels),
        cmocka_unit_test(test_stage1_block_levels),
        cmocka_unit_test(test_edge_scan_levels),
        cmocka_unit_test(test_pair_scan_levels),
        cmocka_unit_test(test_compare_levels),
        cmocka_unit_test(test_extract_levels_synthetic),
        cmocka_unit_test(test_extract_levels_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
