/*
 * Block statistics and segmentation. A block is foreground when its
 * gradient energy stands out both absolutely (a blank sensor has only
 * noise) and relative to the strongest blocks of the image (so faint,
 * low-contrast sensors still segment); the mask is then cleaned with
 * morphology, holes filled and only the largest region kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

void fpi_block_stats(fpi_workspace *ws, const fpi_kernels *k)
{
    const uint32_t s = ws->stride;
    for (uint32_t by = 0; by < ws->bh; by++) {
        for (uint32_t bx = 0; bx < ws->bw; bx++) {
            const uint8_t *p = ws->img + (size_t)by * FPI_BLOCK * s + bx * FPI_BLOCK;
            uint32_t sum = 0, sq = 0;
            for (int y = 0; y < FPI_BLOCK; y++)
                for (int x = 0; x < FPI_BLOCK; x++) {
                    uint32_t v = p[(size_t)y * s + x];
                    sum += v;
                    sq += v * v;
                }
            size_t i = (size_t)by * ws->bw + bx;
            float mean = (float)sum / 64.0f;
            float var = (float)sq / 64.0f - mean * mean;
            ws->bmean[i] = mean;
            ws->bstd[i] = sqrtf(var > 0 ? var : 0);
            k->tensor_block8(p, (ptrdiff_t)s, ws->tensor + 3 * i);
        }
    }
}

static int cmp_float(const void *a, const void *b)
{
    float fa = *(const float *)a, fb = *(const float *)b;
    return (fa > fb) - (fa < fb);
}

/* 3x3 majority filter of a block mask into dst. */
static void majority(const uint8_t *src, uint8_t *dst, int bw, int bh)
{
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            int n = 0, c = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || xx < 0 || yy >= bh || xx >= bw) continue;
                    c++;
                    n += src[yy * bw + xx];
                }
            dst[y * bw + x] = (uint8_t)(2 * n > c);
        }
}

/* Labels 4-connected regions of value `val`; returns the size of the region at seed. */
static int flood(uint8_t *m, int bw, int bh, int seed, uint8_t val, uint8_t mark, int32_t *stack)
{
    int top = 0, size = 0;
    if (m[seed] != val) return 0;
    m[seed] = mark;
    stack[top++] = seed;
    while (top) {
        int i = stack[--top];
        size++;
        int x = i % bw, y = i / bw;
        const int nb[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int k = 0; k < 4; k++) {
            int xx = x + nb[k][0], yy = y + nb[k][1];
            if (xx < 0 || yy < 0 || xx >= bw || yy >= bh) continue;
            int j = yy * bw + xx;
            if (m[j] == val) {
                m[j] = mark;
                stack[top++] = j;
            }
        }
    }
    return size;
}

void fpi_segment(fpi_workspace *ws)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh, n = bw * bh;
    float *energy = ws->tmp_a, *sorted = ws->tmp_b;
    /* Energy over a 3x3 block window: RMS gradient magnitude. */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            double e = 0;
            int c = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || xx < 0 || yy >= bh || xx >= bw) continue;
                    const int32_t *t = ws->tensor + 3 * (yy * bw + xx);
                    e += (double)t[0] + t[1];
                    c++;
                }
            energy[y * bw + x] = (float)sqrt(e / (64.0 * c));
        }
    memcpy(sorted, energy, (size_t)n * sizeof(float));
    qsort(sorted, (size_t)n, sizeof(float), cmp_float);
    float p95 = sorted[(n * 95) / 100];
    float thr = 0.28f * p95;
    if (thr < 24.0f) thr = 24.0f;
    uint8_t *raw = ws->scratch, *m = ws->mask;
    for (int i = 0; i < n; i++) raw[i] = energy[i] > thr && ws->bstd[i] > 4.0f;
    majority(raw, m, bw, bh);
    majority(m, raw, bw, bh);
    memcpy(m, raw, (size_t)n);
    /* Keep the largest foreground region (marks: 2 = visited, 3 = kept). */
    int best = -1, best_size = 0;
    for (int i = 0; i < n; i++) {
        if (m[i] != 1) continue;
        int size = flood(m, bw, bh, i, 1, 2, ws->stack);
        if (size > best_size) {
            best_size = size;
            best = i;
        }
    }
    if (best >= 0) flood(m, bw, bh, best, 2, 3, ws->stack);
    for (int i = 0; i < n; i++) m[i] = m[i] == 3;
    /* Fill holes: background not reachable from the border becomes foreground. */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++)
            if (y == 0 || x == 0 || y == bh - 1 || x == bw - 1) flood(m, bw, bh, y * bw + x, 0, 4, ws->stack);
    for (int i = 0; i < n; i++) m[i] = m[i] != 4;
    /* Distance of each block to the background (chessboard, saturating),
     * with the image edge counting as background. */
    uint8_t *d = ws->bdist;
    for (int i = 0; i < n; i++) d[i] = m[i] ? 255 : 0;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            int i = y * bw + x;
            if (!d[i]) continue;
            int v = (y == 0 || x == 0) ? 1 : 255;
            if (y > 0) {
                v = FPI_MIN(v, d[i - bw] + 1);
                if (x > 0) v = FPI_MIN(v, d[i - bw - 1] + 1);
                if (x < bw - 1) v = FPI_MIN(v, d[i - bw + 1] + 1);
            }
            if (x > 0) v = FPI_MIN(v, d[i - 1] + 1);
            d[i] = (uint8_t)v;
        }
    for (int y = bh - 1; y >= 0; y--)
        for (int x = bw - 1; x >= 0; x--) {
            int i = y * bw + x;
            if (!d[i]) continue;
            int v = d[i];
            if (y == bh - 1 || x == bw - 1) v = 1;
            if (y < bh - 1) {
                v = FPI_MIN(v, d[i + bw] + 1);
                if (x > 0) v = FPI_MIN(v, d[i + bw - 1] + 1);
                if (x < bw - 1) v = FPI_MIN(v, d[i + bw + 1] + 1);
            }
            if (x < bw - 1) v = FPI_MIN(v, d[i + 1] + 1);
            d[i] = (uint8_t)v;
        }
    /* Blocks to filter: the mask grown by one block. */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            uint8_t f = 0;
            for (int dy = -1; dy <= 1 && !f; dy++)
                for (int dx = -1; dx <= 1 && !f; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy >= 0 && xx >= 0 && yy < bh && xx < bw && m[yy * bw + xx]) f = 1;
                }
            ws->fmask[y * bw + x] = f;
        }
    /* In pixels at 500 dpi whatever the working resolution. */
    uint32_t blocks = 0;
    for (int i = 0; i < n; i++) blocks += m[i];
    const double px500 = 500.0 / ws->work_dpi;
    ws->area = (uint32_t)lrint((double)blocks * FPI_BLOCK * FPI_BLOCK * px500 * px500);
}
