/*
 * Thinning of the binary ridge map to one-pixel-wide, 8-connected ridge
 * lines. Two-subiteration parallel thinning (Zhang and Suen 1984) through
 * lookup tables, then one sequential pass that removes the remaining
 * "staircase" pixels: simple points (Yokoi connectivity number 1) that are
 * not line ends, so every ridge pixel has exactly two neighbours except at
 * endings and bifurcations, which the crossing number then finds reliably.
 */
#include <string.h>

#include "extract.h"

/* Neighbour bit k is ring position P(k+2): N, NE, E, SE, S, SW, W, NW. */
static const int ring_dx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int ring_dy[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

static int bit(unsigned cfg, int k)
{
    return (int)((cfg >> (k & 7)) & 1u);
}

void fpi_thin_tables(fpi_workspace *ws)
{
    for (unsigned cfg = 0; cfg < 256; cfg++) {
        int b = 0, a = 0;
        for (int k = 0; k < 8; k++) {
            b += bit(cfg, k);
            a += !bit(cfg, k) && bit(cfg, k + 1);
        }
        int p2 = bit(cfg, 0), p4 = bit(cfg, 2), p6 = bit(cfg, 4), p8 = bit(cfg, 6);
        int base = b >= 2 && b <= 6 && a == 1;
        ws->zs_del[0][cfg] = (uint8_t)(base && !(p2 && p4 && p6) && !(p4 && p6 && p8));
        ws->zs_del[1][cfg] = (uint8_t)(base && !(p2 && p4 && p8) && !(p2 && p6 && p8));
        /* Yokoi 8-connectivity number over x1..x8 = E, NE, N, NW, W, SW, S, SE. */
        int x[9];
        static const int order[8] = {2, 1, 0, 7, 6, 5, 4, 3};
        for (int k = 0; k < 8; k++) x[k] = !bit(cfg, order[k]);
        x[8] = x[0];
        int n8 = 0;
        for (int k = 0; k < 8; k += 2) n8 += x[k] - x[k] * x[k + 1] * x[(k + 2) & 7];
        ws->simple[cfg] = (uint8_t)(n8 == 1 && b >= 2);
    }
}

static unsigned neighbours(const uint8_t *p, int s)
{
    unsigned cfg = 0;
    for (int k = 0; k < 8; k++) cfg |= (unsigned)(p[ring_dy[k] * s + ring_dx[k]] != 0) << k;
    return cfg;
}

void fpi_thin(fpi_workspace *ws)
{
    const int s = (int)ws->stride, w = (int)ws->w, h = (int)ws->h;
    uint8_t *img = ws->skel;
    int32_t *list = ws->stack;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int pass = 0; pass < 2; pass++) {
            int n = 0;
            for (int y = 0; y < h; y++) {
                const uint8_t *row = img + y * s;
                for (int x = 0; x < w; x++)
                    if (row[x] && ws->zs_del[pass][neighbours(row + x, s)]) list[n++] = y * s + x;
            }
            for (int i = 0; i < n; i++) img[list[i]] = 0;
            changed |= n > 0;
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = img + y * s + x;
            if (*p && ws->simple[neighbours(p, s)]) *p = 0;
        }
}

/* Crossing number: number of 0 -> 1 transitions around the pixel. */
int fpi_crossing(const uint8_t *p, int s)
{
    unsigned cfg = neighbours(p, s);
    int a = 0;
    for (int k = 0; k < 8; k++) a += !bit(cfg, k) && bit(cfg, k + 1);
    return a;
}
