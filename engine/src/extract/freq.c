/*
 * Ridge period: for every other block the grey levels are averaged along
 * the ridge direction into a signature across the ridges (Hong, Wan and
 * Jain 1998); the mean distance between its peaks is the period. Blocks
 * without a reliable estimate take the average of their neighbours, and
 * the map is smoothed.
 */
#include <math.h>
#include <stdlib.h>

#include "extract.h"

#define SIG_LEN 40
#define SIG_ALONG 7

static float block_period(const fpi_workspace *ws, const uint8_t *plane, int cx, int cy, float ori)
{
    float rx = cosf(ori), ry = sinf(ori); /* along the ridge */
    float nx = -ry, ny = rx;             /* across */
    float sig[SIG_LEN];
    /*
     * Sample (k, t) sits at lrintf((float)cx + off * nx + (float)t * rx),
     * likewise for y; the same float operations run here in the same order,
     * one t for all k at a time so the loop vectorises. Rounding adds and
     * subtracts 1.5 * 2^23, which leaves no fraction bits, so the addition
     * itself rounds to nearest, ties to even, exactly as lrintf (coordinates
     * stay far below 2^22). Clamping and the pixel offset are computed on
     * the integral floats, exactly (offsets stay far below 2^24).
     */
    const float magic = 12582912.0f;
    const float xmin = (float)-FPI_PAD, xmax = (float)((int)ws->w + FPI_PAD - 1);
    const float ymin = (float)-FPI_PAD, ymax = (float)((int)ws->h + FPI_PAD - 1);
    const float fs = (float)ws->stride;
    float bx[SIG_LEN], by[SIG_LEN];
    int32_t sum[SIG_LEN], idx[SIG_LEN];
    for (int k = 0; k < SIG_LEN; k++) {
        float off = (float)(k - SIG_LEN / 2);
        bx[k] = (float)cx + off * nx;
        by[k] = (float)cy + off * ny;
        sum[k] = 0;
    }
    for (int t = -SIG_ALONG; t <= SIG_ALONG; t++) {
        const float tx = (float)t * rx, ty = (float)t * ry;
        for (int k = 0; k < SIG_LEN; k++) {
            float x = ((bx[k] + tx) + magic) - magic;
            float y = ((by[k] + ty) + magic) - magic;
            x = x < xmin ? xmin : x;
            x = x > xmax ? xmax : x;
            y = y < ymin ? ymin : y;
            y = y > ymax ? ymax : y;
            idx[k] = (int32_t)(y * fs + x);
        }
        for (int k = 0; k < SIG_LEN; k++) sum[k] += plane[idx[k]];
    }
    for (int k = 0; k < SIG_LEN; k++) sig[k] = (float)sum[k];
    /* Light smoothing then peak picking with a minimum prominence. */
    float sm[SIG_LEN];
    float lo = 1e30f, hi = -1e30f;
    for (int k = 0; k < SIG_LEN; k++) {
        int a = k > 0 ? k - 1 : k, b = k < SIG_LEN - 1 ? k + 1 : k;
        sm[k] = (sig[a] + 2 * sig[k] + sig[b]) * 0.25f;
        /* No NaN can occur, so plain comparisons give what fminf / fmaxf would. */
        lo = sm[k] < lo ? sm[k] : lo;
        hi = sm[k] > hi ? sm[k] : hi;
    }
    if (hi - lo < 2.0f * (2 * SIG_ALONG + 1)) return 0; /* flat: no ridges */
    float thr = lo + 0.5f * (hi - lo);
    int peaks[SIG_LEN], np = 0;
    for (int k = 1; k < SIG_LEN - 1; k++)
        if (sm[k] >= sm[k - 1] && sm[k] > sm[k + 1] && sm[k] > thr) peaks[np++] = k;
    if (np < 2) return 0;
    float period = (float)(peaks[np - 1] - peaks[0]) / (float)(np - 1);
    if (period < FPI_PERIOD_MIN - 1 || period > FPI_PERIOD_MAX + 3) return 0;
    return period;
}

void fpi_frequency(fpi_workspace *ws, const uint8_t *plane)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh, n = bw * bh;
    float *raw = ws->tmp_a, *acc = ws->tmp_b;
    float sum = 0;
    int cnt = 0;
    for (int i = 0; i < n; i++) raw[i] = 0;
    for (int y = 0; y < bh; y += 2)
        for (int x = 0; x < bw; x += 2) {
            int i = y * bw + x;
            if (!ws->mask[i]) continue;
            float p = block_period(ws, plane, x * FPI_BLOCK + FPI_BLOCK / 2, y * FPI_BLOCK + FPI_BLOCK / 2, ws->ori[i]);
            raw[i] = p;
            if (p > 0) {
                sum += p;
                cnt++;
            }
        }
    float fallback = cnt ? sum / (float)cnt : 9.0f;
    /*
     * Each block: mean of the valid estimates within two blocks (four, six
     * when fewer than three). Estimates only exist on even block rows and
     * columns, so only those are visited, in the same order as a full scan
     * of the window, which keeps the float sums identical.
     */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float s = 0;
            int c = 0;
            for (int r = 2; r <= 6 && c < 3; r += 2) {
                s = 0;
                c = 0;
                int y0 = y - r < 0 ? 0 : y - r, y1 = y + r >= bh ? bh - 1 : y + r;
                int x0 = x - r < 0 ? 0 : x - r, x1 = x + r >= bw ? bw - 1 : x + r;
                y0 += y0 & 1;
                x0 += x0 & 1;
                for (int yy = y0; yy <= y1; yy += 2)
                    for (int xx = x0; xx <= x1; xx += 2) {
                        float p = raw[yy * bw + xx];
                        if (p > 0) {
                            s += p;
                            c++;
                        }
                    }
            }
            acc[y * bw + x] = c ? s / (float)c : fallback;
        }
    for (int i = 0; i < n; i++)
        ws->period[i] = FPI_CLAMP(acc[i], (float)FPI_PERIOD_MIN, (float)FPI_PERIOD_MAX);
}
