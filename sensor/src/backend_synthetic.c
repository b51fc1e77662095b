/*
 * backend_synthetic.c - a live finger from the synthetic generator.
 *
 * Each press renders one impression (the expensive part, once per press)
 * and then plays a script over it: empty frames, the finger sliding into
 * place, held (optionally drifting), lifted. Only cheap shifts and noise
 * happen per frame, so the conditions the gate sees are known exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fp/synth.h"
#include "sensor_internal.h"

/* Landing: the finger slides this many pixels per remaining landing frame. */
#define LANDING_STEP_PX 8

typedef struct synth_state {
    fp_sensor *s;
    fp_sensor_synth_script sc;
    uint32_t interval_ms;
    fp_synth_master *own_master; /* NULL when borrowed */
    const fp_synth_master *master;
    fp_synth_impression *imp;
    uint32_t w, h;
    uint8_t *frame;
    uint32_t press;      /* presses done */
    uint32_t step;       /* frame index within the current press cycle */
    uint64_t rng;
} synth_state;

static uint32_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (uint32_t)(*x >> 32);
}

/* Roughly Gaussian noise of standard deviation sd (sum of 4 uniforms). */
static int noise_px(uint64_t *rng, double sd)
{
    if (sd <= 0)
        return 0;
    uint32_t r = rng_next(rng);
    int sum = (int)(r & 0xFF) + (int)((r >> 8) & 0xFF) + (int)((r >> 16) & 0xFF) + (int)(r >> 24) - 510;
    /* 4 uniforms on 0..255 have standard deviation about 147.8. */
    return (int)lrint(sum * sd / 147.8);
}

static uint8_t clamp8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static fp_status render_press(synth_state *st)
{
    fp_synth_impression_destroy(st->imp);
    st->imp = NULL;
    fp_synth_impression_params p;
    fp_status rc = fp_synth_impression_params_draw(st->sc.seed, st->sc.finger, st->sc.first_impression + st->press,
                                                   FP_SYNTH_OPTICAL, 0, &p);
    if (rc != FP_OK)
        return rc;
    p.pressure = st->sc.pressure < -1 ? -1 : st->sc.pressure > 1 ? 1 : st->sc.pressure;
    if (st->sc.contrast > 0)
        p.contrast = st->sc.contrast;
    double c = st->sc.contact > 0 ? st->sc.contact : 1.0;
    p.contact_ax *= c;
    p.contact_ay *= c;
    p.dx += st->sc.offset_x;
    if (!st->sc.keep_distortion)
        p.distortion_dx = p.distortion_dy = p.distortion_rot_deg = 0;
    return fp_synth_impression_render(st->master, &p, &st->imp);
}

static void fill_blank(synth_state *st)
{
    for (size_t i = 0; i < (size_t)st->w * st->h; i++)
        st->frame[i] = clamp8(255 - abs(noise_px(&st->rng, st->sc.noise)));
}

/* The rendered impression shifted by (sx, sy), white where it slid off. */
static void fill_shifted(synth_state *st, int sx, int sy)
{
    uint32_t iw, ih;
    const uint8_t *src = fp_synth_impression_pixels(st->imp, &iw, &ih);
    for (uint32_t y = 0; y < st->h; y++) {
        for (uint32_t x = 0; x < st->w; x++) {
            int xs = (int)x - sx, ys = (int)y - sy;
            int v = 255;
            if (xs >= 0 && ys >= 0 && (uint32_t)xs < iw && (uint32_t)ys < ih)
                v = src[(size_t)ys * iw + (size_t)xs];
            st->frame[(size_t)y * st->w + x] = clamp8(v + noise_px(&st->rng, st->sc.noise));
        }
    }
}

static void synth_close(void *state)
{
    synth_state *st = state;
    if (!st)
        return;
    fp_synth_impression_destroy(st->imp);
    fp_synth_master_destroy(st->own_master);
    free(st->frame);
    free(st);
}

static fp_status synth_open(fp_sensor *s, const fp_sensor_config *cfg, fp_sensor_info *info, void **state)
{
    synth_state *st = calloc(1, sizeof(*st));
    if (!st)
        return FP_ERR_NO_MEMORY;
    st->s = s;
    st->sc = cfg->synth;
    st->interval_ms = cfg->frame_interval_ms;
    st->rng = (cfg->synth.seed * 0x9E3779B97F4A7C15ull) ^ 0x5EEDu ^ ((uint64_t)cfg->synth.finger << 32);
    if (!st->rng)
        st->rng = 1;
    fp_synth_profile_size(FP_SYNTH_OPTICAL, &st->w, &st->h);
    fp_status rc = FP_ERR_NO_MEMORY;
    st->frame = malloc((size_t)st->w * st->h);
    if (st->frame && cfg->synth_master) {
        st->master = cfg->synth_master;
        rc = FP_OK;
    } else if (st->frame) {
        rc = fp_synth_master_create(st->sc.seed, st->sc.finger, &st->own_master);
        st->master = st->own_master;
    }
    if (rc != FP_OK) {
        synth_close(st);
        return rc;
    }
    fpi_sensor_strlcpy(info->name, "Simulated optical finger", sizeof(info->name));
    fpi_sensor_strlcpy(info->vendor, "fp synthetic generator", sizeof(info->vendor));
    fpi_sensor_strlcpy(info->driver, "synthetic", sizeof(info->driver));
    info->width = st->w;
    info->height = st->h;
    info->dpi = 500;
    *state = st;
    return FP_OK;
}

static fp_status synth_read(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                            uint64_t deadline_ms, uint32_t *flags)
{
    synth_state *st = state;
    *flags = 0;
    fp_status rc = fpi_sensor_sleep(st->s, st->interval_ms, deadline_ms);
    if (rc != FP_OK)
        return rc;
    const fp_sensor_synth_script *sc = &st->sc;
    const uint32_t cycle = sc->blank_frames + sc->landing_frames + sc->hold_frames;
    int done = sc->presses && st->press >= sc->presses;
    if (done || sc->landing_frames + sc->hold_frames == 0) {
        fill_blank(st);
    } else {
        uint32_t k = st->step;
        if (k < sc->blank_frames) {
            fill_blank(st);
        } else {
            if (k == sc->blank_frames) {
                rc = render_press(st);
                if (rc != FP_OK)
                    return rc;
            }
            uint32_t j = k - sc->blank_frames;
            if (j < sc->landing_frames) {
                fill_shifted(st, (int)((sc->landing_frames - j) * LANDING_STEP_PX), 0);
            } else {
                double drift = sc->move_px * (double)(j - sc->landing_frames);
                fill_shifted(st, (int)lrint(drift), (int)lrint(drift * 0.5));
            }
        }
        if (++st->step >= cycle) {
            st->step = 0;
            st->press++;
        }
    }
    *pixels = st->frame;
    *width = st->w;
    *height = st->h;
    return FP_OK;
}

const fpi_sensor_driver fpi_sensor_driver_synthetic = {
    .name = "synthetic",
    .open = synth_open,
    .close = synth_close,
    .read_frame = synth_read,
    .cancel = NULL,
    .recover = NULL,
};
