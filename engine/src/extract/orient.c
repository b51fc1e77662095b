/*
 * Orientation field: the gradient structure tensor summed over 3x3 blocks
 * gives a doubled-angle vector per block (Kass and Witkin; Bazen and
 * Gerez); the vectors are then averaged with a Gaussian over neighbouring
 * blocks, weighted by their own strength, so noisy blocks take the
 * orientation of their clear neighbours.
 */
#include <math.h>

#include "extract.h"

void fpi_orientation(fpi_workspace *ws)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh;
    float *vx = ws->tmp_a, *vy = ws->tmp_b, *str = ws->tmp_c;
    /* Only the blocks filtered are smoothed over, below. */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            if (!ws->fmask[y * bw + x]) continue;
            double gxx = 0, gyy = 0, gxy = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = FPI_CLAMP(y + dy, 0, bh - 1), xx = FPI_CLAMP(x + dx, 0, bw - 1);
                    const int32_t *t = ws->tensor + 3 * (yy * bw + xx);
                    gxx += t[0];
                    gyy += t[1];
                    gxy += t[2];
                }
            double a = gxx - gyy, b = 2 * gxy, s = gxx + gyy;
            double mag = sqrt(a * a + b * b);
            int i = y * bw + x;
            vx[i] = (float)a;
            vy[i] = (float)b;
            str[i] = s > 0 ? (float)(mag / s) : 0.0f;
            ws->vmag[i] = sqrt((double)vx[i] * vx[i] + (double)vy[i] * vy[i]);
        }
    /* Gaussian smoothing (sigma 1 block) of the doubled-angle vectors. */
    static const float g[5] = {0.14f, 0.61f, 1.0f, 0.61f, 0.14f};
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            int i = y * bw + x;
            if (!ws->fmask[i]) {
                /* Never filtered nor searched for minutiae. */
                ws->ori[i] = 0;
                ws->coh[i] = 0;
                continue;
            }
            double sx = 0, sy = 0, sn = 0, wsum = 0;
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++) {
                    int yy = y + dy, xx = x + dx;
                    if (yy < 0 || xx < 0 || yy >= bh || xx >= bw) continue;
                    int j = yy * bw + xx;
                    if (!ws->fmask[j]) continue;
                    double wgt = g[dy + 2] * g[dx + 2];
                    double m = ws->vmag[j];
                    if (m <= 0) continue;
                    /* Unit vectors weighted by coherence: strong, consistent blocks dominate. */
                    sx += wgt * str[j] * vx[j] / m;
                    sy += wgt * str[j] * vy[j] / m;
                    sn += wgt * str[j];
                    wsum += wgt;
                }
            /* Ridge direction is perpendicular to the mean gradient. */
            double phi = 0.5 * atan2(sy, sx) + M_PI / 2;
            if (phi >= M_PI) phi -= M_PI;
            if (phi < 0) phi += M_PI;
            ws->ori[i] = (float)phi;
            ws->coh[i] = sn > 0 ? (float)(sqrt(sx * sx + sy * sy) / wsum) : 0.0f;
        }
}
