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
 * A gallery finger keeps only FPI_SCODE_CODES of its codes for stage 1
 * (fpi_scode_make): those of the minutiae nearest the centroid of its coded
 * minutiae, the part of a finger most impressions share. A probe is
 * compared by the local similarity sort: every code of the probe takes its
 * best Dice similarity with any of the finger's kept codes (the kernel
 * scode_best), and the score is the mean of the FPI_STAGE1_TOP best of
 * those (kernel stage1_block, a block of fingers at a time).
 * Integer arithmetic only after encoding.
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

void fpi_scode_make(const fp_template *t, const fpi_pcode *pc, fpi_scode *out)
{
    memset(out, 0, sizeof(*out));
    const int n = pc->n <= t->count ? pc->n : t->count;
    /* Distances to the centroid of the coded minutiae, times n, exactly:
     * (n x - sum x)^2 + (n y - sum y)^2 fits 64 bits (n <= 64, |x| < 2^15). */
    int64_t sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        sx += t->px[i];
        sy += t->py[i];
    }
    int64_t d2[FPI_PCODE_MAX];
    for (int i = 0; i < n; i++) {
        const int64_t dx = (int64_t)n * t->px[i] - sx, dy = (int64_t)n * t->py[i] - sy;
        d2[i] = dx * dx + dy * dy;
    }
    /* The FPI_SCODE_CODES nearest (ties: the earlier minutia, the better
     * one), kept in template order. */
    uint8_t chosen[FPI_PCODE_MAX] = {0};
    const int keep = n < FPI_SCODE_CODES ? n : FPI_SCODE_CODES;
    for (int c = 0; c < keep; c++) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (!chosen[i] && (best < 0 || d2[i] < d2[best])) best = i;
        chosen[best] = 1;
    }
    for (int i = 0, c = 0; i < n; i++)
        if (chosen[i]) {
            out->lo[c] = pc->lo[i];
            out->hi[c] = pc->hi[i];
            c++;
        }
}

uint32_t fpi_stage1_score(const fpi_kernels *k, const fpi_pcode *probe, const fpi_scode *cand)
{
    uint32_t score;
    k->stage1_block(probe, cand, 1, &score);
    return score;
}
