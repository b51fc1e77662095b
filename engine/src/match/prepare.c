/*
 * Derived matching data of a template, computed once at creation:
 * positions at 500 dpi with y up, each compared minutia's nearest
 * compared neighbours as rotation- and translation-invariant edges (the
 * first fpi_match_count minutiae, the best by quality; the other
 * minutiae's edge slots are empty), and the convex hull of all the
 * minutiae (the print's area, used to count only minutiae inside the
 * common area).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

static int64_t cross(int ox, int oy, int ax, int ay, int bx, int by)
{
    return (int64_t)(ax - ox) * (by - oy) - (int64_t)(ay - oy) * (bx - ox);
}

typedef struct pt {
    int16_t x, y;
} pt;

static int pt_cmp(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->x != q->x) return p->x - q->x;
    return p->y - q->y;
}

static void build_hull(fp_template *t)
{
    pt p[FP_MAX_MINUTIAE], h[2 * FP_MAX_MINUTIAE + 2];
    int n = t->count, k = 0;
    for (int i = 0; i < n; i++) {
        p[i].x = t->px[i];
        p[i].y = t->py[i];
    }
    qsort(p, (size_t)n, sizeof(pt), pt_cmp);
    /* Andrew's monotone chain. */
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross(h[k - 2].x, h[k - 2].y, h[k - 1].x, h[k - 1].y, p[i].x, p[i].y) <= 0) k--;
        h[k++] = p[i];
    }
    for (int i = n - 2, lo = k + 1; i >= 0; i--) {
        while (k >= lo && cross(h[k - 2].x, h[k - 2].y, h[k - 1].x, h[k - 1].y, p[i].x, p[i].y) <= 0) k--;
        h[k++] = p[i];
    }
    if (k > 1) k--; /* last point repeats the first */
    if (k > n) k = n;
    for (int i = 0; i < k; i++) {
        t->hull_x[i] = h[i].x;
        t->hull_y[i] = h[i].y;
    }
    t->hull_n = (uint16_t)k;
}

int fpi_match_limit_at(const fp_minutia *minutiae, int count, int quality)
{
    /* The minutiae are in order of quality: the clear ones come first. */
    int clear = 0;
    while (clear < count && clear < FP_MATCH_MINUTIAE_MAX && minutiae[clear].quality >= quality) clear++;
    const int limit = clear >= FP_MATCH_WIDE_MIN ? clear : FP_MATCH_MINUTIAE;
    return count < limit ? count : limit;
}

/* fp_template_create admits only minutiae inside the frame (FPI_FRAME_MAX),
 * so the scaled positions fit int16_t and their squared distances int32_t. */
void fpi_template_prepare(fp_template *t)
{
    const int n = t->count;
    const float s = 500.0f / (float)t->dpi;
    for (int i = 0; i < n; i++) {
        t->px[i] = (int16_t)lrintf((float)t->minutiae[i].x * s);
        t->py[i] = (int16_t)-lrintf((float)t->minutiae[i].y * s);
    }
    t->match_count = (uint8_t)fpi_match_limit(t->minutiae, n);
    const int nm = fpi_match_count(t);
    for (int i = 0; i < n; i++) {
        /* K nearest among the compared minutiae by insertion into a sorted
         * list; the others get no edges. */
        int idx[FPI_NEIGHBOURS];
        int32_t d2[FPI_NEIGHBOURS];
        int m = 0;
        const int candidates = i < nm ? nm : 0;
        for (int j = 0; j < candidates; j++) {
            if (j == i) continue;
            int32_t dx = t->px[j] - t->px[i], dy = t->py[j] - t->py[i];
            int32_t dd = dx * dx + dy * dy;
            if (dd > 255 * 255) continue;
            if (m == FPI_NEIGHBOURS && dd >= d2[m - 1]) continue;
            int pos = m < FPI_NEIGHBOURS ? m++ : FPI_NEIGHBOURS - 1;
            while (pos > 0 && d2[pos - 1] > dd) {
                d2[pos] = d2[pos - 1];
                idx[pos] = idx[pos - 1];
                pos--;
            }
            d2[pos] = dd;
            idx[pos] = j;
        }
        fpi_neighbour *nb = t->nb + (size_t)i * FPI_NEIGHBOURS;
        for (int q = 0; q < FPI_NEIGHBOURS; q++) {
            if (q >= m) {
                nb[q].index = 0xFF;
                nb[q].dist = 0;
                nb[q].radial = nb[q].dir = 0;
                continue;
            }
            int j = idx[q];
            float dx = (float)(t->px[j] - t->px[i]), dy = (float)(t->py[j] - t->py[i]);
            long ang = lrintf(atan2f(dy, dx) * (float)(128.0 / M_PI));
            nb[q].index = (uint8_t)j;
            nb[q].dist = (uint8_t)FPI_MIN(lrintf(sqrtf((float)d2[q])), 255);
            nb[q].radial = (uint8_t)((ang - t->minutiae[i].angle) & 255);
            nb[q].dir = (uint8_t)((t->minutiae[j].angle - t->minutiae[i].angle) & 255);
        }
    }
    build_hull(t);
}
