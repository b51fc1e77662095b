/*
 * Pre-screening codes: a cheap, fixed-size description of a template that
 * ranks a gallery before the full matcher sees it (docs/search.md).
 *
 * Each minutia gets a 128-bit binary local code in its own frame (so the
 * code does not depend on where the finger lies or how it is turned): the
 * disc of radius PCODE_RADIUS around it is cut into PCODE_RINGS rings x
 * PCODE_SECTORS sectors, and each cell into PCODE_DIRS bins of the
 * neighbour's direction relative to the minutia's. A bit is set when some
 * other minutia falls in that cell and direction bin, or within
 * PCODE_SOFT of a bin in each of the three coordinates, which absorbs
 * small distortions and extraction jitter. This is the idea of the
 * binary Minutia Cylinder-Code (Cappelli, Ferrara, Maltoni, 2010) reduced
 * to a coarse grid of neighbour positions.
 *
 * Two templates are compared by the local similarity sort: every code of
 * the probe takes its best Dice similarity with any code of the gallery
 * template (the kernel pcode_best), and the score is the mean of the
 * PCODE_TOP best of those. Integer arithmetic only after encoding.
 */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "search/search.h"

#define PCODE_RADIUS 80.0f /* pixels at 500 dpi */
#define PCODE_RINGS 4
#define PCODE_SECTORS 8
#define PCODE_DIRS 4
#define PCODE_SOFT 0.1f
#define PCODE_TOP 8

static void set_bit(fpi_pcode *c, int i, int ring, int sector, int dir)
{
    int b = (ring * PCODE_SECTORS + sector) * PCODE_DIRS + dir;
    if (b < 64)
        c->lo[i] |= (uint64_t)1 << b;
    else
        c->hi[i] |= (uint64_t)1 << (b - 64);
}

static int wrap(int v, int n)
{
    return ((v % n) + n) % n;
}

void fpi_pcode_encode(const fp_template *t, fpi_pcode *out)
{
    memset(out, 0, sizeof(*out));
    const int n = t->count < FPI_PCODE_MAX ? t->count : FPI_PCODE_MAX;
    out->n = (uint8_t)n;
    const float turn = (float)(2.0 * M_PI);
    for (int i = 0; i < n; i++) {
        const float ai = (float)t->minutiae[i].angle / 256.0f;
        for (int j = 0; j < t->count; j++) {
            if (j == i) continue;
            float dx = (float)(t->px[j] - t->px[i]), dy = (float)(t->py[j] - t->py[i]);
            float d = sqrtf(dx * dx + dy * dy);
            float fr = d / PCODE_RADIUS * PCODE_RINGS;
            if (d < 3.0f || fr >= PCODE_RINGS + PCODE_SOFT) continue;
            float th = atan2f(dy, dx) / turn - ai;
            th -= floorf(th);
            float a = (float)t->minutiae[j].angle / 256.0f - ai;
            a -= floorf(a);
            float fs = th * PCODE_SECTORS, fa = a * PCODE_DIRS;
            for (int r = (int)floorf(fr - PCODE_SOFT); r <= (int)floorf(fr + PCODE_SOFT); r++) {
                if (r < 0 || r >= PCODE_RINGS) continue;
                for (int s = (int)floorf(fs - PCODE_SOFT); s <= (int)floorf(fs + PCODE_SOFT); s++)
                    for (int q = (int)floorf(fa - PCODE_SOFT); q <= (int)floorf(fa + PCODE_SOFT); q++)
                        set_bit(out, i, r, wrap(s, PCODE_SECTORS), wrap(q, PCODE_DIRS));
            }
        }
        out->pop[i] = (uint8_t)(__builtin_popcountll(out->lo[i]) + __builtin_popcountll(out->hi[i]));
    }
}

uint32_t fpi_pcode_score(const fpi_kernels *k, const fpi_pcode *probe, const fpi_pcode *cand)
{
    uint16_t best[FPI_PCODE_MAX];
    k->pcode_best(probe, cand, best);
    const int n = probe->n;
    /* Mean of the PCODE_TOP largest entries (missing entries count as 0). */
    uint32_t sum = 0;
    if (n <= PCODE_TOP) {
        for (int i = 0; i < n; i++) sum += best[i];
        return sum / PCODE_TOP;
    }
    /* The PCODE_TOP-th largest value t, bit by bit from the top: the largest
     * t with at least PCODE_TOP entries >= t. Branch-free counting loops,
     * which the compiler vectorises. */
    uint32_t t = 0;
    for (int bit = 15; bit >= 0; bit--) {
        const uint32_t try = t | 1u << bit;
        int c = 0;
        for (int i = 0; i < n; i++) c += best[i] >= try;
        if (c >= PCODE_TOP) t = try;
    }
    /* The entries above t, and t for the rest of the PCODE_TOP. */
    int above = 0;
    for (int i = 0; i < n; i++) {
        const int gt = best[i] > t;
        above += gt;
        sum += gt ? best[i] : 0;
    }
    sum += (uint32_t)(PCODE_TOP - above) * t;
    return sum / PCODE_TOP;
}
