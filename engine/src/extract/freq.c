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

static float block_period(const fpi_workspace *ws, int cx, int cy, float ori)
{
    float rx = cosf(ori), ry = sinf(ori); /* along the ridge */
    float nx = -ry, ny = rx;             /* across */
    float sig[SIG_LEN];
    const int s = (int)ws->stride;
    for (int k = 0; k < SIG_LEN; k++) {
        float off = (float)(k - SIG_LEN / 2);
        int sum = 0;
        for (int t = -SIG_ALONG; t <= SIG_ALONG; t++) {
            int x = (int)lrintf((float)cx + off * nx + (float)t * rx);
            int y = (int)lrintf((float)cy + off * ny + (float)t * ry);
            x = FPI_CLAMP(x, -FPI_PAD, (int)ws->w + FPI_PAD - 1);
            y = FPI_CLAMP(y, -FPI_PAD, (int)ws->h + FPI_PAD - 1);
            sum += ws->img[y * s + x];
        }
        sig[k] = (float)sum;
    }
    /* Light smoothing then peak picking with a minimum prominence. */
    float sm[SIG_LEN];
    float lo = 1e30f, hi = -1e30f;
    for (int k = 0; k < SIG_LEN; k++) {
        int a = k > 0 ? k - 1 : k, b = k < SIG_LEN - 1 ? k + 1 : k;
        sm[k] = (sig[a] + 2 * sig[k] + sig[b]) * 0.25f;
        lo = fminf(lo, sm[k]);
        hi = fmaxf(hi, sm[k]);
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

void fpi_frequency(fpi_workspace *ws)
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
            float p = block_period(ws, x * FPI_BLOCK + FPI_BLOCK / 2, y * FPI_BLOCK + FPI_BLOCK / 2, ws->ori[i]);
            raw[i] = p;
            if (p > 0) {
                sum += p;
                cnt++;
            }
        }
    float fallback = cnt ? sum / (float)cnt : 9.0f;
    /* Each block: mean of the valid estimates within two blocks. */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float s = 0;
            int c = 0;
            for (int r = 2; r <= 6 && c < 3; r += 2) {
                s = 0;
                c = 0;
                for (int dy = -r; dy <= r; dy++)
                    for (int dx = -r; dx <= r; dx++) {
                        int yy = y + dy, xx = x + dx;
                        if (yy < 0 || xx < 0 || yy >= bh || xx >= bw) continue;
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
