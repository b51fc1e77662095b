/*
 * sensor_gate.c - image statistics and the capture quality gate.
 *
 * Everything is measured on 16 x 16 pixel blocks because a finger on a
 * sensor is a patch of strongly varying blocks (ridges against valleys) on
 * a flat background, whatever the sensor's gain. Within a ridge block the
 * pixels are split at the midpoint of the block's 10th and 90th percentiles;
 * that split keeps the duty cycle of the ridge pattern, so the share of dark
 * pixels is the ridge-to-valley width ratio: wet skin spreads ridges into
 * the valleys (share rises, contrast falls as they merge), dry skin leaves
 * thin broken ridges (share falls, the print gets faint).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_internal.h"

#define BLOCK 16
/* A block whose standard deviation is below this is flat: background or a
 * fully merged smear. Chosen well above sensor noise (a few gray levels). */
#define BLOCK_STD_MIN 9.0

static void block_percentiles(const uint32_t *hist, uint32_t n, uint32_t *p10, uint32_t *p90)
{
    uint32_t lo_rank = n / 10, hi_rank = n - n / 10, acc = 0;
    *p10 = 0;
    *p90 = 255;
    int have_lo = 0;
    for (uint32_t v = 0; v < 256; v++) {
        acc += hist[v];
        if (!have_lo && acc > lo_rank) {
            *p10 = v;
            have_lo = 1;
        }
        if (acc >= hi_rank) {
            *p90 = v;
            return;
        }
    }
}

void fpi_sensor_measure(const fp_image *image, const fp_image *previous, fp_sensor_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->extract_status = FP_OK;
    uint32_t bw = image->width / BLOCK, bh = image->height / BLOCK;
    if (bw == 0 || bh == 0)
        return;
    uint32_t ridge_blocks = 0;
    double dark_sum = 0, contrast_sum = 0, mean_sum = 0;
    uint32_t hist[256];
    for (uint32_t by = 0; by < bh; by++) {
        for (uint32_t bx = 0; bx < bw; bx++) {
            memset(hist, 0, sizeof(hist));
            uint64_t s = 0, s2 = 0;
            for (uint32_t y = 0; y < BLOCK; y++) {
                const uint8_t *row = image->pixels + (size_t)(by * BLOCK + y) * image->stride + bx * BLOCK;
                for (uint32_t x = 0; x < BLOCK; x++) {
                    hist[row[x]]++;
                    s += row[x];
                    s2 += (uint64_t)row[x] * row[x];
                }
            }
            const double n = BLOCK * BLOCK;
            double mean = (double)s / n;
            double var = (double)s2 / n - mean * mean;
            if (var < BLOCK_STD_MIN * BLOCK_STD_MIN)
                continue;
            uint32_t p10, p90;
            block_percentiles(hist, BLOCK * BLOCK, &p10, &p90);
            /* Pixels at or below the midpoint are ridge. */
            uint32_t mid = (p10 + p90) / 2, dark = 0;
            for (uint32_t v = 0; v <= mid; v++)
                dark += hist[v];
            ridge_blocks++;
            dark_sum += (double)dark / n;
            contrast_sum += (double)(p90 - p10);
            mean_sum += mean;
        }
    }
    st->area = (double)ridge_blocks / (double)(bw * bh);
    if (ridge_blocks) {
        st->dark_share = dark_sum / ridge_blocks;
        st->contrast = contrast_sum / ridge_blocks;
        st->mean = mean_sum / ridge_blocks;
    }
    if (previous && previous->width == image->width && previous->height == image->height) {
        uint64_t diff = 0;
        for (uint32_t y = 0; y < image->height; y++) {
            const uint8_t *a = image->pixels + (size_t)y * image->stride;
            const uint8_t *b = previous->pixels + (size_t)y * previous->stride;
            for (uint32_t x = 0; x < image->width; x++)
                diff += (uint32_t)abs((int)a[x] - (int)b[x]);
        }
        st->motion = (double)diff / ((double)image->width * image->height);
    }
}

fp_status fp_sensor_thresholds_of(fp_sensor_sensitivity s, fp_sensor_thresholds *out)
{
    if (!out)
        return FP_ERR_INVALID_ARGUMENT;
    /* Figures measured on synthetic presses (docs/sensor.md): a normal press
     * has a ridge share near 0.45 and a contrast above 100; wet presses
     * climb past 0.6, dry ones fall under 0.3 and fade. */
    switch (s) {
    case FP_SENSOR_LOW:
        *out = (fp_sensor_thresholds){.presence_min = 0.08, .area_min = 0.40, .wet_dark_max = 0.55, .dry_dark_min = 0.36,
                                      .dry_contrast_min = 90, .move_max = 6.0, .settle_frames = 3,
                                      .quality_min = 35};
        return FP_OK;
    case FP_SENSOR_MID:
        *out = (fp_sensor_thresholds){.presence_min = 0.08, .area_min = 0.30, .wet_dark_max = 0.60, .dry_dark_min = 0.31,
                                      .dry_contrast_min = 60, .move_max = 8.0, .settle_frames = 2,
                                      .quality_min = 25};
        return FP_OK;
    case FP_SENSOR_HIGH:
        *out = (fp_sensor_thresholds){.presence_min = 0.06, .area_min = 0.20, .wet_dark_max = 0.68, .dry_dark_min = 0.25,
                                      .dry_contrast_min = 35, .move_max = 10.0, .settle_frames = 1,
                                      .quality_min = 15};
        return FP_OK;
    }
    return FP_ERR_INVALID_ARGUMENT;
}

fp_sensor_verdict fpi_sensor_decide(const fp_sensor_thresholds *t, const fp_sensor_stats *st, int extracted)
{
    if (st->area < t->presence_min)
        return FP_SENSOR_NO_FINGER;
    if (st->motion > t->move_max)
        return FP_SENSOR_MOVING;
    /* Wet before area: a smear merges blocks into flat ones, so a wet press
     * also looks small, and "too wet" is the advice that helps. */
    if (st->dark_share > t->wet_dark_max)
        return FP_SENSOR_TOO_WET;
    if (st->dark_share < t->dry_dark_min || st->contrast < t->dry_contrast_min)
        return FP_SENSOR_TOO_DRY;
    if (st->area < t->area_min)
        return FP_SENSOR_TOO_SMALL;
    if (!extracted)
        return FP_SENSOR_ACCEPT;
    if (st->extract_status == FP_RETRY_TOO_SMALL)
        return FP_SENSOR_TOO_SMALL;
    if (st->extract_status == FP_RETRY_NO_FINGER)
        return FP_SENSOR_NO_FINGER;
    if (st->extract_status != FP_OK || st->quality < t->quality_min)
        return FP_SENSOR_LOW_QUALITY;
    return FP_SENSOR_ACCEPT;
}

fp_sensor_verdict fp_sensor_gate(fp_context *ctx, const fp_sensor_thresholds *t, const fp_image *image,
                                 const fp_image *previous, fp_sensor_stats *stats)
{
    fp_sensor_stats local;
    fp_sensor_stats *st = stats ? stats : &local;
    if (!t || !image || !image->pixels || image->stride < image->width) {
        memset(st, 0, sizeof(*st));
        st->extract_status = FP_ERR_INVALID_ARGUMENT;
        return FP_SENSOR_NO_FINGER;
    }
    fpi_sensor_measure(image, previous, st);
    /* The cheap image figures decide first; the extractor only runs on a
     * frame that could pass, which keeps a capture loop fast. */
    fp_sensor_verdict v = fpi_sensor_decide(t, st, 0);
    if (v != FP_SENSOR_ACCEPT || !ctx)
        return v; /* without a context the image figures alone decide */
    fp_extract_info xi;
    memset(&xi, 0, sizeof(xi));
    fp_template *tmpl = NULL;
    st->extract_status = fp_extract(ctx, image, &tmpl, &xi);
    st->quality = xi.quality;
    fp_template_destroy(tmpl);
    return fpi_sensor_decide(t, st, 1);
}
