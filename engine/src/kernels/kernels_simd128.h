/*
 * 128-bit kernel bodies written once with SIMDe intrinsics and stamped out
 * per ISA: compiled with -msse4.1 they are native SSE4.1, on ARM SIMDe maps
 * them to NEON. Included only by the kernels_<isa>.c files.
 */
#ifndef FP_KERNELS_SIMD128_H
#define FP_KERNELS_SIMD128_H

#define SIMDE_ENABLE_NATIVE_ALIASES_NO
#include <simde/x86/sse4.1.h>

#include "kernels.h"

static inline simde__m128i fpi_pair_coeff(const int16_t *k)
{
    return simde_mm_set1_epi32((int32_t)((uint32_t)(uint16_t)k[0] | (uint32_t)(uint16_t)k[1] << 16));
}

/*
 * The filter is point-symmetric (tap (r, c) equals tap (2R - r, 2R - c)), so
 * the two pixels a pair of taps weighs are added first (exact: |src| stays
 * under 2^14) and multiplied once: rows r < R with their mirror rows, the
 * centre row with itself reversed, the centre tap alone. About half the
 * multiplies of the dense sum, with the same integer result.
 */
#if FPI_FILTER_R % 2
#error "the paired filter bodies assume an even FPI_FILTER_R"
#endif

/* One madd step of the pixels at a + c (.. + 1) and their mirrors at b - c (.. - 1). */
static inline simde__m128i fpi_sym_pair(const int16_t *a, const int16_t *b, int c)
{
    return simde_mm_add_epi16(simde_mm_loadu_si128((const simde__m128i *)(const void *)(a + c)),
                              simde_mm_loadu_si128((const simde__m128i *)(const void *)(b - c)));
}

static void filter_block8_128(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                              ptrdiff_t dst_stride, int shift)
{
    const simde__m128i round = simde_mm_set1_epi32(1 << (shift - 1));
    const simde__m128i zero = simde_mm_setzero_si128();
    const int R = FPI_FILTER_R;
    for (int y = 0; y < 8; y++) {
        simde__m128i lo = zero, hi = zero;
        for (int r = 0; r <= R; r++) {
            /* Row r from column -R, its mirror row 2R - r from column +R. */
            const int16_t *ra = src + (y + r - R) * src_stride - R;
            const int16_t *rb = src + (y + R - r) * src_stride + R;
            const int16_t *k = kernel + r * FPI_FILTER_COLS;
            const int cend = r < R ? 2 * R : R; /* the centre row pairs with itself up to the centre */
            for (int c = 0; c < cend; c += 2) {
                simde__m128i v0 = fpi_sym_pair(ra, rb, c), v1 = fpi_sym_pair(ra, rb, c + 1);
                simde__m128i w = fpi_pair_coeff(k + c);
                lo = simde_mm_add_epi32(lo, simde_mm_madd_epi16(simde_mm_unpacklo_epi16(v0, v1), w));
                hi = simde_mm_add_epi32(hi, simde_mm_madd_epi16(simde_mm_unpackhi_epi16(v0, v1), w));
            }
            /* Column 2R pairs with column 0 of the mirror row; the centre tap is alone. */
            simde__m128i v = r < R ? fpi_sym_pair(ra, rb, 2 * R)
                                   : simde_mm_loadu_si128((const simde__m128i *)(const void *)(ra + R));
            simde__m128i w = simde_mm_set1_epi32((int32_t)(uint32_t)(uint16_t)k[cend]);
            lo = simde_mm_add_epi32(lo, simde_mm_madd_epi16(simde_mm_unpacklo_epi16(v, zero), w));
            hi = simde_mm_add_epi32(hi, simde_mm_madd_epi16(simde_mm_unpackhi_epi16(v, zero), w));
        }
        lo = simde_mm_srai_epi32(simde_mm_add_epi32(lo, round), shift);
        hi = simde_mm_srai_epi32(simde_mm_add_epi32(hi, round), shift);
        simde_mm_storeu_si128((simde__m128i *)(void *)(dst + y * dst_stride), simde_mm_packs_epi32(lo, hi));
    }
}

static inline simde__m128i fpi_load8u(const uint8_t *p)
{
    return simde_mm_cvtepu8_epi16(simde_mm_loadl_epi64((const simde__m128i *)(const void *)p));
}

static void tensor_block8_128(const uint8_t *src, ptrdiff_t stride, int32_t out[3])
{
    simde__m128i sxx = simde_mm_setzero_si128(), syy = sxx, sxy = sxx;
    for (int y = 0; y < 8; y++) {
        const uint8_t *u = src + (y - 1) * stride;
        const uint8_t *m = src + y * stride;
        const uint8_t *d = src + (y + 1) * stride;
        simde__m128i ul = fpi_load8u(u - 1), uc = fpi_load8u(u), ur = fpi_load8u(u + 1);
        simde__m128i ml = fpi_load8u(m - 1), mr = fpi_load8u(m + 1);
        simde__m128i dl = fpi_load8u(d - 1), dc = fpi_load8u(d), dr = fpi_load8u(d + 1);
        simde__m128i gx = simde_mm_add_epi16(simde_mm_add_epi16(simde_mm_sub_epi16(ur, ul), simde_mm_sub_epi16(dr, dl)),
                                             simde_mm_slli_epi16(simde_mm_sub_epi16(mr, ml), 1));
        simde__m128i gy = simde_mm_add_epi16(simde_mm_add_epi16(simde_mm_sub_epi16(dl, ul), simde_mm_sub_epi16(dr, ur)),
                                             simde_mm_slli_epi16(simde_mm_sub_epi16(dc, uc), 1));
        sxx = simde_mm_add_epi32(sxx, simde_mm_madd_epi16(gx, gx));
        syy = simde_mm_add_epi32(syy, simde_mm_madd_epi16(gy, gy));
        sxy = simde_mm_add_epi32(sxy, simde_mm_madd_epi16(gx, gy));
    }
    int32_t t[4];
    simde_mm_storeu_si128((simde__m128i *)(void *)t, sxx);
    out[0] = t[0] + t[1] + t[2] + t[3];
    simde_mm_storeu_si128((simde__m128i *)(void *)t, syy);
    out[1] = t[0] + t[1] + t[2] + t[3];
    simde_mm_storeu_si128((simde__m128i *)(void *)t, sxy);
    out[2] = t[0] + t[1] + t[2] + t[3];
}

/* Appends base + the index of every set bit of mask to out, lowest first. */
static inline int fpi_emit_bits16(uint32_t mask, int base, uint16_t *out, int c)
{
    while (mask) {
        out[c++] = (uint16_t)(base + __builtin_ctz(mask));
        mask &= mask - 1;
    }
    return c;
}

/*
 * Appends (q0 + bit) << 16 | i for every set bit of mask, lowest first,
 * stopping at cap; returns the new count.
 */
static inline int fpi_emit_hits(uint32_t mask, int q0, int i, uint32_t *out, int c, int cap)
{
    while (mask) {
        if (c == cap) return c;
        out[c++] = (uint32_t)(q0 + __builtin_ctz(mask)) << 16 | (uint32_t)i;
        mask &= mask - 1;
    }
    return c;
}

/* Lanes where v <= lim, unsigned bytes. */
static inline simde__m128i fpi_le_epu8(simde__m128i v, simde__m128i lim)
{
    return simde_mm_cmpeq_epi8(simde_mm_min_epu8(v, lim), v);
}

static int edge_scan_128(const uint8_t *r, const uint8_t *o, const uint16_t *lo, const uint16_t *hi, const uint8_t *dr,
                         const uint8_t *dor, int nq, uint8_t lim, uint32_t *out, int cap)
{
    const simde__m128i vlim = simde_mm_set1_epi8((char)lim);
    int c = 0;
    for (int i = 0; i < nq && c < cap; i++) {
        const simde__m128i vdr = simde_mm_set1_epi8((char)dr[i]), vdo = simde_mm_set1_epi8((char)dor[i]);
        const int n = hi[i];
        for (int q = lo[i]; q < n; q += 16) {
            simde__m128i vr = simde_mm_add_epi8(simde_mm_loadu_si128((const simde__m128i *)(const void *)(r + q)), vdr);
            simde__m128i vo = simde_mm_add_epi8(simde_mm_loadu_si128((const simde__m128i *)(const void *)(o + q)), vdo);
            uint32_t m = (uint32_t)simde_mm_movemask_epi8(simde_mm_and_si128(fpi_le_epu8(vr, vlim), fpi_le_epu8(vo, vlim)));
            if (n - q < 16) m &= (1u << (n - q)) - 1;
            c = fpi_emit_hits(m, q, i, out, c, cap);
        }
    }
    return c;
}

/* The open box as four signed int16 lane compares, 8 of b's minutiae at a time. */
static int pair_scan_128(const fpi_pair_query *q, uint16_t *out)
{
    int c = 0;
    for (int j = 0; j < q->n; j++) {
        const int end = q->band_start[q->bhi[j]];
        int k = q->band_start[q->blo[j]];
        if (k >= end) continue;
        const simde__m128i xlo = simde_mm_set1_epi16(q->xlo[j]), xhi = simde_mm_set1_epi16(q->xhi[j]);
        const simde__m128i ylo = simde_mm_set1_epi16(q->ylo[j]), yhi = simde_mm_set1_epi16(q->yhi[j]);
        for (; k < end; k += 8) {
            simde__m128i vx = simde_mm_loadu_si128((const simde__m128i *)(const void *)(q->bx + k));
            simde__m128i vy = simde_mm_loadu_si128((const simde__m128i *)(const void *)(q->by + k));
            simde__m128i in = simde_mm_and_si128(
                simde_mm_and_si128(simde_mm_cmpgt_epi16(vx, xlo), simde_mm_cmpgt_epi16(xhi, vx)),
                simde_mm_and_si128(simde_mm_cmpgt_epi16(vy, ylo), simde_mm_cmpgt_epi16(yhi, vy)));
            /* One bit per int16 lane: pack the lanes' sign bytes. */
            uint32_t m = (uint32_t)simde_mm_movemask_epi8(simde_mm_packs_epi16(in, simde_mm_setzero_si128()));
            if (end - k < 8) m &= (1u << (end - k)) - 1;
            c = fpi_emit_bits16(m, j << 8 | k, out, c);
        }
    }
    return c;
}

#endif
