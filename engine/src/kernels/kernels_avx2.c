/*
 * AVX2 kernels (this file alone is compiled with -mavx2 -mfma). The filter
 * runs two output rows per 256-bit register, one per 128-bit lane, so the
 * in-lane unpack/madd pairing of the 128-bit body carries over unchanged.
 */
#include <string.h>

#include <simde/x86/avx2.h>

#include "kernels_pcode256.h"

_Static_assert(FPI_SCODE_CODES == 16, "scode_best_avx2 takes two steps of eight codes");
#include "kernels_simd128.h"

static inline simde__m256i load2x128(const int16_t *a, const int16_t *b)
{
    simde__m128i lo = simde_mm_loadu_si128((const simde__m128i *)(const void *)a);
    simde__m128i hi = simde_mm_loadu_si128((const simde__m128i *)(const void *)b);
    return simde_mm256_inserti128_si256(simde_mm256_castsi128_si256(lo), hi, 1);
}

/* load2x128 of the pixels at a + c and their mirrors at b - c, each in its row and the next. */
static inline simde__m256i sym_pair2(const int16_t *a, const int16_t *b, ptrdiff_t stride, int c)
{
    return simde_mm256_add_epi16(load2x128(a + c, a + stride + c), load2x128(b - c, b + stride - c));
}

/* The paired sum of filter_block8_128 (kernels_simd128.h), two output rows at a time. */
void fpi_filter_block8_avx2(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                               ptrdiff_t dst_stride, int shift)
{
    const simde__m256i round = simde_mm256_set1_epi32(1 << (shift - 1));
    const simde__m256i zero = simde_mm256_setzero_si256();
    const int R = FPI_FILTER_R;
    for (int y = 0; y < 8; y += 2) {
        simde__m256i lo = zero, hi = zero;
        for (int r = 0; r <= R; r++) {
            const int16_t *ra = src + (y + r - R) * src_stride - R;
            const int16_t *rb = src + (y + R - r) * src_stride + R;
            const int16_t *k = kernel + r * FPI_FILTER_COLS;
            const int cend = r < R ? 2 * R : R;
            for (int c = 0; c < cend; c += 2) {
                simde__m256i v0 = sym_pair2(ra, rb, src_stride, c), v1 = sym_pair2(ra, rb, src_stride, c + 1);
                simde__m256i w = simde_mm256_set1_epi32(
                    (int32_t)((uint32_t)(uint16_t)k[c] | (uint32_t)(uint16_t)k[c + 1] << 16));
                lo = simde_mm256_add_epi32(lo, simde_mm256_madd_epi16(simde_mm256_unpacklo_epi16(v0, v1), w));
                hi = simde_mm256_add_epi32(hi, simde_mm256_madd_epi16(simde_mm256_unpackhi_epi16(v0, v1), w));
            }
            simde__m256i v = r < R ? sym_pair2(ra, rb, src_stride, 2 * R) : load2x128(ra + R, ra + src_stride + R);
            simde__m256i w = simde_mm256_set1_epi32((int32_t)(uint32_t)(uint16_t)k[cend]);
            lo = simde_mm256_add_epi32(lo, simde_mm256_madd_epi16(simde_mm256_unpacklo_epi16(v, zero), w));
            hi = simde_mm256_add_epi32(hi, simde_mm256_madd_epi16(simde_mm256_unpackhi_epi16(v, zero), w));
        }
        lo = simde_mm256_srai_epi32(simde_mm256_add_epi32(lo, round), shift);
        hi = simde_mm256_srai_epi32(simde_mm256_add_epi32(hi, round), shift);
        simde__m256i packed = simde_mm256_packs_epi32(lo, hi);
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + y * dst_stride), simde_mm256_castsi256_si128(packed));
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + (y + 1) * dst_stride),
                              simde_mm256_extracti128_si256(packed, 1));
    }
}

/*
 * scode_best, eight codes of b per step: AND with the probe's code, count
 * bits with the nibble table (VPSHUFB) and VPSADBW, which leaves the count
 * of each 128-bit code pair in a 64-bit lane; two such vectors are merged
 * into eight 32-bit lanes, the reciprocal of |a|+|b| is gathered from the
 * same table as the scalar body, and the running maximum of the products
 * kept per lane.
 */
static inline simde__m256i popcnt_bytes(simde__m256i v)
{
    const simde__m256i lut = simde_mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2,
                                                   2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const simde__m256i low = simde_mm256_set1_epi8(0x0F);
    simde__m256i lo = simde_mm256_and_si256(v, low);
    simde__m256i hi = simde_mm256_and_si256(simde_mm256_srli_epi16(v, 4), low);
    return simde_mm256_add_epi8(simde_mm256_shuffle_epi8(lut, lo), simde_mm256_shuffle_epi8(lut, hi));
}

/* Bit counts of (a_lo & b_lo[j]) + (a_hi & b_hi[j]) for j = 0..3, one per 64-bit lane. */
static inline simde__m256i count4(const uint64_t *lo, const uint64_t *hi, simde__m256i alo, simde__m256i ahi)
{
    simde__m256i x = simde_mm256_and_si256(simde_mm256_loadu_si256((const simde__m256i *)(const void *)lo), alo);
    simde__m256i y = simde_mm256_and_si256(simde_mm256_loadu_si256((const simde__m256i *)(const void *)hi), ahi);
    simde__m256i bytes = simde_mm256_add_epi8(popcnt_bytes(x), popcnt_bytes(y)); /* at most 16 per byte */
    return simde_mm256_sad_epu8(bytes, simde_mm256_setzero_si256());
}

/* Counts of codes j..j+7 against (alo, ahi) in eight 32-bit lanes, in the
 * order j + 0, 4, 1, 5, 2, 6, 3, 7 (how two count4 results merge). */
static inline simde__m256i count8(const fpi_scode *b, int j, simde__m256i alo, simde__m256i ahi)
{
    simde__m256i c0 = count4(b->lo + j, b->hi + j, alo, ahi);
    simde__m256i c1 = count4(b->lo + j + 4, b->hi + j + 4, alo, ahi);
    return simde_mm256_or_si256(c0, simde_mm256_slli_epi64(c1, 32));
}

static void scode_best_avx2(const fpi_pcode *a, const fpi_scode *b, uint16_t *best, ptrdiff_t stride)
{
    /* b's own bit counts, in the lane order count8 gives. */
    const simde__m256i ones = simde_mm256_set1_epi64x(-1);
    const simde__m256i pb0 = count8(b, 0, ones, ones), pb1 = count8(b, 8, ones, ones);
    for (int i = 0; i < a->n; i++) {
        const uint32_t pa = a->pop[i];
        if (pa < FPI_PCODE_MIN_BITS) {
            best[i * stride] = 0;
            continue;
        }
        const simde__m256i alo = simde_mm256_set1_epi64x((int64_t)a->lo[i]);
        const simde__m256i ahi = simde_mm256_set1_epi64x((int64_t)a->hi[i]);
        const simde__m256i vpa = simde_mm256_set1_epi32((int32_t)pa);
        simde__m256i top = simde_mm256_max_epu32(scode_prod8(count8(b, 0, alo, ahi), vpa, pb0),
                                                 scode_prod8(count8(b, 8, alo, ahi), vpa, pb1));
        best[i * stride] = scode_dice(scode_hmax8(top));
    }
}

FPI_STAGE1_BLOCK_FN(stage1_block_avx2, scode_best_avx2)

/* Shared with the AVX-512 table (the tensor kernel has no wider version). */
void fpi_tensor_block8_avx2(const uint8_t *src, ptrdiff_t stride, int32_t out[3])
{
    tensor_block8_128(src, stride, out);
}

/* The scan kernels, 32 edges or 16 minutiae per step; shared with the AVX-512 table. */
int fpi_edge_scan_avx2(const uint8_t *r, const uint8_t *o, const uint16_t *lo, const uint16_t *hi, const uint8_t *dr,
                       const uint8_t *dor, int nq, uint8_t lim, uint32_t *out, int cap)
{
    const simde__m256i vlim = simde_mm256_set1_epi8((char)lim);
    int c = 0;
    for (int i = 0; i < nq && c < cap; i++) {
        const simde__m256i vdr = simde_mm256_set1_epi8((char)dr[i]), vdo = simde_mm256_set1_epi8((char)dor[i]);
        const int n = hi[i];
        for (int q = lo[i]; q < n; q += 32) {
            simde__m256i vr = simde_mm256_add_epi8(simde_mm256_loadu_si256((const void *)(r + q)), vdr);
            simde__m256i vo = simde_mm256_add_epi8(simde_mm256_loadu_si256((const void *)(o + q)), vdo);
            simde__m256i okr = simde_mm256_cmpeq_epi8(simde_mm256_min_epu8(vr, vlim), vr);
            simde__m256i oko = simde_mm256_cmpeq_epi8(simde_mm256_min_epu8(vo, vlim), vo);
            uint32_t m = (uint32_t)simde_mm256_movemask_epi8(simde_mm256_and_si256(okr, oko));
            if (n - q < 32) m &= (1u << (n - q)) - 1;
            c = fpi_emit_hits(m, q, i, out, c, cap);
        }
    }
    return c;
}

int fpi_pair_scan_avx2(const fpi_pair_query *q, uint16_t *out)
{
    const int16_t *restrict qxlo = q->xlo, *restrict qxhi = q->xhi, *restrict qylo = q->ylo, *restrict qyhi = q->yhi;
    const uint8_t *restrict blo = q->blo, *restrict bhi = q->bhi, *restrict band = q->band_start;
    const int16_t *restrict bx = q->bx, *restrict by = q->by;
    const int n = q->n;
    int c = 0;
    for (int j = 0; j < n; j++) {
        const int end = band[bhi[j]];
        int k = band[blo[j]];
        if (k >= end) continue;
        const simde__m256i xlo = simde_mm256_set1_epi16(qxlo[j]), xhi = simde_mm256_set1_epi16(qxhi[j]);
        const simde__m256i ylo = simde_mm256_set1_epi16(qylo[j]), yhi = simde_mm256_set1_epi16(qyhi[j]);
        const int base = j << 8;
        do {
            simde__m256i vx = simde_mm256_loadu_si256((const void *)(bx + k));
            simde__m256i vy = simde_mm256_loadu_si256((const void *)(by + k));
            simde__m256i in = simde_mm256_and_si256(
                simde_mm256_and_si256(simde_mm256_cmpgt_epi16(vx, xlo), simde_mm256_cmpgt_epi16(xhi, vx)),
                simde_mm256_and_si256(simde_mm256_cmpgt_epi16(vy, ylo), simde_mm256_cmpgt_epi16(yhi, vy)));
            /* Two mask bits per int16 lane; keep the even ones. */
            uint32_t m = (uint32_t)simde_mm256_movemask_epi8(in) & 0x55555555u;
            if (end - k < 16) m &= (1u << (2 * (end - k))) - 1;
            while (m) {
                out[c++] = (uint16_t)(base | (k + (__builtin_ctz(m) >> 1)));
                m &= m - 1;
            }
            k += 16;
        } while (k < end);
    }
    return c;
}

const fpi_kernels fpi_kernels_avx2 = {fpi_filter_block8_avx2, tensor_block8_128, scode_best_avx2, fpi_edge_scan_avx2,
                                      fpi_pair_scan_avx2, stage1_block_avx2};
