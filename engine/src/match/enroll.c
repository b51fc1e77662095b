/*
 * Enrolment from several presses. The press that agrees best with the
 * others is the base; every other press is aligned onto it with the
 * matcher's own alignment. Base minutiae confirmed by other presses are
 * averaged (position and direction) and gain quality; base minutiae that
 * at least two overlapping presses all miss are dropped as likely
 * artefacts (one press missing a minutia is weak evidence: extractors miss
 * true minutiae near a print's border and in poor areas); and
 * minutiae outside the base's area that at least two presses agree on are
 * added, extending the area the template covers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"

#define ENROLL_MIN_QUALITY 25
#define ENROLL_MIN_MINUTIAE 12
#define ENROLL_MATCH_SCORE 20.0f
#define MERGE_DIST 9.0f  /* pixels at 500 dpi */
#define MERGE_ANGLE 20   /* 1/256 turns */
/* Other presses that must cover an unconfirmed base minutia to drop it.
 * `fpbench enroll` on the six FVC B sets, 1 -> 2: mean genuine score up on
 * all six, EER 6.3 -> 1.1 points summed over the sets (docs/matcher.md). */
#define ENROLL_DROP_MISSES 2

struct fp_enroll {
    uint32_t needed;
    uint32_t count;
    fp_template *press[FP_ENROLL_MAX_PRESSES];
};

typedef struct acc {
    float x, y;      /* sums, base 500 dpi y-up coordinates */
    float vx, vy;    /* direction vector sums */
    uint32_t n;      /* observations */
    uint32_t seen;   /* presses overlapping this minutia */
    uint8_t type;
    uint32_t quality;
    int base;        /* index in the base, or -1 for an added minutia */
} acc;

fp_status fp_enroll_create(uint32_t presses, fp_enroll **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (presses < 1 || presses > FP_ENROLL_MAX_PRESSES) return FP_ERR_INVALID_ARGUMENT;
    fp_enroll *e = calloc(1, sizeof(*e));
    if (!e) return FP_ERR_NO_MEMORY;
    e->needed = presses;
    *out = e;
    return FP_OK;
}

void fp_enroll_destroy(fp_enroll *e)
{
    if (!e) return;
    for (uint32_t i = 0; i < e->count; i++) fp_template_destroy(e->press[i]);
    free(e);
}

fp_status fp_enroll_add(fp_enroll *e, fp_context *ctx, const fp_template *press, uint32_t *remaining)
{
    if (!e || !ctx || !press) return FP_ERR_INVALID_ARGUMENT;
    if (remaining) *remaining = e->needed - e->count;
    if (e->count >= e->needed) return FP_ERR_ENROLL_STATE;
    if (press->quality < ENROLL_MIN_QUALITY) return FP_RETRY_LOW_QUALITY;
    if (press->count < ENROLL_MIN_MINUTIAE) return FP_RETRY_FEW_MINUTIAE;
    if (e->count) {
        float best = 0;
        for (uint32_t i = 0; i < e->count; i++) {
            float s;
            FPI_CHECK(fp_compare(ctx, press, e->press[i], &s));
            if (s > best) best = s;
        }
        if (best < ENROLL_MATCH_SCORE) return FP_RETRY_ENROLL_MISMATCH;
    }
    FPI_CHECK(fp_template_clone(press, &e->press[e->count]));
    e->count++;
    if (remaining) *remaining = e->needed - e->count;
    return FP_OK;
}

fp_status fp_enroll_finish(fp_enroll *e, fp_context *ctx, fp_template **out)
{
    if (out) *out = NULL;
    if (!e || !ctx || !out) return FP_ERR_INVALID_ARGUMENT;
    if (e->count < e->needed) return FP_ERR_ENROLL_STATE;
    if (e->count == 1) return fp_template_clone(e->press[0], out);
    fpi_match_ws *mws = &ctx->match;
    /* Base: the press with the highest total agreement. */
    uint32_t base = 0;
    float best_total = -1;
    for (uint32_t i = 0; i < e->count; i++) {
        float total = 0;
        for (uint32_t j = 0; j < e->count; j++) {
            if (i == j) continue;
            float s;
            FPI_CHECK(fp_compare(ctx, e->press[i], e->press[j], &s));
            total += s;
        }
        if (total > best_total) {
            best_total = total;
            base = i;
        }
    }
    const fp_template *b = e->press[base];
    acc list[2 * FP_MAX_MINUTIAE];
    uint32_t n = 0;
    for (uint32_t k = 0; k < b->count; k++) {
        acc *a = &list[n++];
        a->x = b->px[k];
        a->y = b->py[k];
        float th = (float)b->minutiae[k].angle * (float)(M_PI / 128.0);
        a->vx = cosf(th);
        a->vy = sinf(th);
        a->n = 1;
        a->seen = 1;
        a->type = b->minutiae[k].type;
        a->quality = b->minutiae[k].quality;
        a->base = (int)k;
    }
    for (uint32_t p = 0; p < e->count; p++) {
        if (p == base) continue;
        const fp_template *o = e->press[p];
        fpi_alignment al;
        fpi_match_align(mws, o, b, &al);
        if (al.pairs < 3) continue;
        uint8_t paired[FP_MAX_MINUTIAE] = {0};
        for (uint32_t q = 0; q < al.pairs; q++) {
            const fpi_pair pr = mws->best[q];
            acc *a = &list[pr.b];
            float x = o->px[pr.a], y = o->py[pr.a];
            a->x += al.c * x - al.s * y + al.tx;
            a->y += al.s * x + al.c * y + al.ty;
            float th = (float)((o->minutiae[pr.a].angle + al.rot) & 255) * (float)(M_PI / 128.0);
            a->vx += cosf(th);
            a->vy += sinf(th);
            a->n++;
            a->quality += o->minutiae[pr.a].quality;
            paired[pr.a] = 1;
        }
        /* Base minutiae inside this press's area were seen by it. The test
         * maps base points into the press with the inverse alignment. */
        for (uint32_t k = 0; k < b->count; k++) {
            float x = b->px[k] - al.tx, y = b->py[k] - al.ty;
            if (fpi_inside_hull(o, al.c * x + al.s * y, -al.s * x + al.c * y, 0.0f)) list[k].seen++;
        }
        /* Minutiae outside the base's area: candidates for extending it. */
        for (uint32_t j = 0; j < o->count; j++) {
            if (paired[j]) continue;
            float x = o->px[j], y = o->py[j];
            float tx = al.c * x - al.s * y + al.tx, ty = al.s * x + al.c * y + al.ty;
            if (fpi_inside_hull(b, tx, ty, 0.0f)) continue;
            int ta = (o->minutiae[j].angle + al.rot) & 255;
            float th = (float)ta * (float)(M_PI / 128.0);
            int merged = 0;
            for (uint32_t k = b->count; k < n && !merged; k++) {
                acc *a = &list[k];
                float dx = a->x / (float)a->n - tx, dy = a->y / (float)a->n - ty;
                int aa = (int)lrintf(atan2f(a->vy, a->vx) * (float)(128.0 / M_PI)) & 255;
                int da = (aa - ta) & 255;
                if (da > 128) da = 256 - da;
                if (dx * dx + dy * dy <= MERGE_DIST * MERGE_DIST && da <= MERGE_ANGLE) {
                    a->x += tx;
                    a->y += ty;
                    a->vx += cosf(th);
                    a->vy += sinf(th);
                    a->n++;
                    a->quality += o->minutiae[j].quality;
                    merged = 1;
                }
            }
            if (!merged && n < sizeof(list) / sizeof(list[0])) {
                acc *a = &list[n++];
                a->x = tx;
                a->y = ty;
                a->vx = cosf(th);
                a->vy = sinf(th);
                a->n = 1;
                a->seen = 1;
                a->type = o->minutiae[j].type;
                a->quality = o->minutiae[j].quality;
                a->base = -1;
            }
        }
    }
    /* Keep: base minutiae unless two or more other presses cover them and
     * none confirmed them; added minutiae seen by at least two presses. */
    fp_minutia m[2 * FP_MAX_MINUTIAE];
    size_t count = 0;
    const float inv = (float)b->dpi / 500.0f;
    for (uint32_t k = 0; k < n; k++) {
        const acc *a = &list[k];
        if (a->base >= 0 && a->seen >= 1 + ENROLL_DROP_MISSES && a->n == 1) continue;
        if (a->base < 0 && a->n < 2) continue;
        float x = a->x / (float)a->n * inv, y = -a->y / (float)a->n * inv;
        long xi = lrintf(x), yi = lrintf(y);
        if (xi < 0 || yi < 0 || xi >= (long)b->width || yi >= (long)b->height) continue;
        m[count].x = (uint16_t)xi;
        m[count].y = (uint16_t)yi;
        m[count].angle = (uint8_t)(lrintf(atan2f(a->vy, a->vx) * (float)(128.0 / M_PI)) & 255);
        m[count].type = a->type;
        /* Confirmation raises quality: each extra observation counts. */
        uint32_t q = a->quality / a->n + 10 * (a->n - 1);
        m[count].quality = (uint8_t)(q > 100 ? 100 : q);
        m[count].reserved = 0;
        count++;
    }
    return fp_template_create(b->width, b->height, b->dpi, m, count, b->quality, out);
}
