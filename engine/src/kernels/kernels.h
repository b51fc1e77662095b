/*
 * Hot kernels of the extractor, one table per SIMD level. The scalar
 * reference (kernels_ref.c) defines the results; every other level must
 * produce bit-identical output (integer arithmetic throughout), which
 * tests/test_kernels.c checks over odd sizes, unaligned pointers and
 * extreme values.
 */
#ifndef FP_KERNELS_H
#define FP_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

/* Oriented filter: radius and padded kernel width (even, last tap zero). */
#define FPI_FILTER_R 8
#define FPI_FILTER_ROWS (2 * FPI_FILTER_R + 1)
#define FPI_FILTER_COLS (2 * FPI_FILTER_R + 2)
#define FPI_FILTER_TAPS (FPI_FILTER_ROWS * FPI_FILTER_COLS)

/*
 * Pre-screening codes of a template (engine/src/search/pcode.c): one
 * 128-bit binary local code per minutia (lo, hi) and its bit count, for at
 * most FPI_PCODE_MAX minutiae, in a fixed-size, 64-byte aligned record so a
 * gallery stores them as one flat array.
 */
#define FPI_PCODE_MAX 64
#define FPI_PCODE_MIN_BITS 4
typedef struct fpi_pcode {
    uint64_t lo[FPI_PCODE_MAX];
    uint64_t hi[FPI_PCODE_MAX];
    uint8_t pop[FPI_PCODE_MAX];
    uint8_t n;
    uint8_t pad[63];
} fpi_pcode;

/*
 * The gallery side of stage 1 (engine/src/search/pcode.c): FPI_SCODE_CODES
 * of a finger's codes (those of its minutiae nearest their centroid), 256
 * bytes, so a gallery keeps them as one flat, 64-byte aligned array and
 * stage 1 reads four cache lines per finger. Unused codes are zero (they
 * score 0). The bit counts are not stored: the kernels count them.
 */
#define FPI_SCODE_CODES 16
typedef struct fpi_scode {
    uint64_t lo[FPI_SCODE_CODES];
    uint64_t hi[FPI_SCODE_CODES];
} fpi_scode;

/* round(2 * 65535 * 256 / s) for s = 1..256 (entry 0 is 0). */
extern const uint32_t fpi_pcode_recip[257];

/* One alignment's pairing queries for the pair_scan kernel. */
typedef struct fpi_pair_query {
    const int16_t *xlo, *xhi, *ylo, *yhi; /* query j's open box */
    const uint8_t *blo, *bhi;             /* and the bands [blo[j], bhi[j]) it reaches */
    const uint8_t *band_start;            /* first minutia of each band */
    int n;                                /* queries */
    const int16_t *bx, *by;               /* the other template's minutiae, in band order */
} fpi_pair_query;

typedef struct fpi_kernels {
    /*
     * Filters one 8x8 output block. src points at the input pixel under
     * output (0,0) in a padded int16 image: rows -R..7+R and columns
     * -R..8+R around the block must be readable. kernel holds
     * FPI_FILTER_ROWS x FPI_FILTER_COLS taps, row-major; tap (r, c) weighs
     * src[(r - R) * stride + (c - R)]. Each output is
     * saturate16((sum + (1 << (shift - 1))) >> shift), shift >= 1.
     * The kernel is point-symmetric, tap (r, c) == tap (2R - r, 2R - c) for
     * c <= 2R (the last column is zero padding), and |src| < 2^14: the SIMD
     * bodies add the two pixels of a tap pair before multiplying.
     */
    void (*filter_block8)(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                          ptrdiff_t dst_stride, int shift);
    /*
     * Sobel gradient structure tensor of one 8x8 block of an 8-bit image:
     * src points at pixel (0,0); rows -1..8 and columns -1..8 are readable.
     * out[0] = sum gx*gx, out[1] = sum gy*gy, out[2] = sum gx*gy, with
     * gx, gy the 3x3 Sobel responses (x to the right, y down).
     */
    void (*tensor_block8)(const uint8_t *src, ptrdiff_t stride, int32_t out[3]);
    /*
     * For each code i of the probe a (i < a->n): the best Dice similarity,
     * in 1/65535, of a's code i with any of the FPI_SCODE_CODES codes of
     * b, or 0 when code i has fewer than FPI_PCODE_MIN_BITS bits set.
     * Dice is (2 |a & b| * recip[|a| + |b|] + 128) >> 8 with
     * fpi_pcode_recip, saturated to 65535. Writes a->n entries,
     * best[i * stride].
     */
    void (*scode_best)(const fpi_pcode *a, const fpi_scode *b, uint16_t *best, ptrdiff_t stride);
    /*
     * The matcher's edge agreement scan. Query i < nq tests the run
     * [lo[i], hi[i]) of the first template's sorted edges: every q in it
     * with (uint8)(r[q] + dr[i]) <= lim and (uint8)(o[q] + dor[i]) <= lim
     * (two wrapping angle tests) is a hit, written as q << 16 | i, queries
     * in order and q ascending within one. Writes the first cap hits and
     * returns how many it wrote. r and o must be readable up to
     * FPI_SCAN_PAD bytes past every hi[i].
     */
    int (*edge_scan)(const uint8_t *r, const uint8_t *o, const uint16_t *lo, const uint16_t *hi, const uint8_t *dr,
                     const uint8_t *dor, int nq, uint8_t lim, uint32_t *out, int cap);
    /*
     * The matcher's candidate pairs under one alignment: every j < q->n
     * and q->band_start[q->blo[j]] <= k < q->band_start[q->bhi[j]] with
     * xlo[j] < bx[k] < xhi[j] and ylo[j] < by[k] < yhi[j] (an open box),
     * written as j << 8 | k, by j then k ascending; returns their count.
     * bx and by must be readable up to FPI_SCAN_PAD entries past every
     * range's end; k < 256.
     */
    int (*pair_scan)(const fpi_pair_query *q, uint16_t *out);
    /*
     * Stage-1 scores of count (1..FPI_STAGE1_BLOCK) gallery fingers b[0..
     * count) against the probe a: for each, the mean (rounded down) of the
     * FPI_STAGE1_TOP largest of its scode_best values, missing values (a->n
     * below FPI_STAGE1_TOP) counting 0. The selection runs across the
     * block's fingers at once, so it vectorises without branches.
     */
    void (*stage1_block)(const fpi_pcode *a, const fpi_scode *b, int count, uint32_t *score);
} fpi_kernels;

/* Fingers per stage1_block call, and how many per-code values a score averages. */
#define FPI_STAGE1_BLOCK 32
#define FPI_STAGE1_TOP 8

/* Readable slack the scan kernels need past the end of their inputs. */
#define FPI_SCAN_PAD 32

/* The tables; NULL-free. Only those built for the target exist. */
extern const fpi_kernels fpi_kernels_ref;
#if defined(FP_HAVE_X86)
extern const fpi_kernels fpi_kernels_sse41;
extern const fpi_kernels fpi_kernels_avx2;
extern const fpi_kernels fpi_kernels_avx512;
/* The AVX2 extraction kernels, shared by the AVX-512 table. */
void fpi_filter_block8_avx2(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                            ptrdiff_t dst_stride, int shift);
void fpi_tensor_block8_avx2(const uint8_t *src, ptrdiff_t stride, int32_t out[3]);
int fpi_edge_scan_avx2(const uint8_t *r, const uint8_t *o, const uint16_t *lo, const uint16_t *hi, const uint8_t *dr,
                       const uint8_t *dor, int nq, uint8_t lim, uint32_t *out, int cap);
int fpi_pair_scan_avx2(const fpi_pair_query *q, uint16_t *out);
#endif
#if defined(FP_HAVE_NEON)
extern const fpi_kernels fpi_kernels_neon;
#endif

/*
 * Resolves a requested level (FP_SIMD_AUTO reads FP_SIMD from the
 * environment, then picks the best the CPU runs). Returns FP_OK and the
 * table, or FP_ERR_UNSUPPORTED when the level is not available here.
 */
fp_status fpi_kernels_select(fp_simd_level want, fp_simd_level *got, const fpi_kernels **table);

#endif
