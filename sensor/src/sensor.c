/*
 * sensor.c - the device object, the capture state machine, cancel and the
 * self-test. Backends only deliver frames (sensor_internal.h); everything
 * that decides about fingers lives here so every backend behaves alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor_internal.h"

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

static const char *const backend_names[] = {"replay", "synthetic", "libfprint", "hal"};

const char *fp_sensor_backend_name(fp_sensor_backend backend)
{
    return (unsigned)backend < 4 ? backend_names[backend] : "?";
}

fp_status fp_sensor_backend_parse(const char *name, fp_sensor_backend *out)
{
    if (!name || !out)
        return FP_ERR_INVALID_ARGUMENT;
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(name, backend_names[i]) == 0) {
            *out = (fp_sensor_backend)i;
            return FP_OK;
        }
    }
    return FP_ERR_INVALID_ARGUMENT;
}

int fp_sensor_backend_available(fp_sensor_backend backend)
{
    switch (backend) {
    case FP_SENSOR_BACKEND_REPLAY:
    case FP_SENSOR_BACKEND_SYNTHETIC:
    case FP_SENSOR_BACKEND_HAL:
        return 1;
    case FP_SENSOR_BACKEND_LIBFPRINT:
#ifdef FP_SENSOR_HAVE_LIBFPRINT
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

const char *fp_sensor_sensitivity_name(fp_sensor_sensitivity s)
{
    switch (s) {
    case FP_SENSOR_LOW:
        return "low";
    case FP_SENSOR_MID:
        return "mid";
    case FP_SENSOR_HIGH:
        return "high";
    }
    return "?";
}

fp_status fp_sensor_sensitivity_parse(const char *name, fp_sensor_sensitivity *out)
{
    if (!name || !out)
        return FP_ERR_INVALID_ARGUMENT;
    if (strcmp(name, "low") == 0)
        *out = FP_SENSOR_LOW;
    else if (strcmp(name, "mid") == 0 || strcmp(name, "medium") == 0)
        *out = FP_SENSOR_MID;
    else if (strcmp(name, "high") == 0)
        *out = FP_SENSOR_HIGH;
    else
        return FP_ERR_INVALID_ARGUMENT;
    return FP_OK;
}

const char *fp_sensor_verdict_name(fp_sensor_verdict v)
{
    static const char *const names[] = {"accept", "no-finger", "too-small", "too-wet",
                                        "too-dry", "moving",    "low-quality"};
    return (unsigned)v < 7 ? names[v] : "?";
}

fp_status fp_sensor_verdict_status(fp_sensor_verdict v)
{
    switch (v) {
    case FP_SENSOR_ACCEPT:
        return FP_OK;
    case FP_SENSOR_NO_FINGER:
        return FP_RETRY_NO_FINGER;
    case FP_SENSOR_TOO_SMALL:
        return FP_RETRY_TOO_SMALL;
    case FP_SENSOR_TOO_WET:
        return FP_SENSOR_RETRY_TOO_WET;
    case FP_SENSOR_TOO_DRY:
        return FP_SENSOR_RETRY_TOO_DRY;
    case FP_SENSOR_MOVING:
        return FP_SENSOR_RETRY_MOVING;
    case FP_SENSOR_LOW_QUALITY:
        return FP_RETRY_LOW_QUALITY;
    }
    return FP_RETRY_LOW_QUALITY;
}

/* The verdict a retry status stands for (the inverse of fp_sensor_verdict_status). */
static fp_sensor_verdict verdict_of_status(fp_status st)
{
    for (int v = FP_SENSOR_NO_FINGER; v <= FP_SENSOR_LOW_QUALITY; v++)
        if (fp_sensor_verdict_status((fp_sensor_verdict)v) == st)
            return (fp_sensor_verdict)v;
    return FP_SENSOR_LOW_QUALITY;
}

/* ------------------------------------------------------------------------ */
/* Helpers for the drivers                                                  */
/* ------------------------------------------------------------------------ */

uint64_t fpi_sensor_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

fp_status fpi_sensor_sleep(fp_sensor *s, uint32_t ms, uint64_t deadline_ms)
{
    uint64_t until = fpi_sensor_now_ms() + ms;
    fp_status st = FP_OK;
    if (deadline_ms && until > deadline_ms) {
        until = deadline_ms;
        st = FP_SENSOR_ERR_TIMEOUT;
    }
    struct timespec ts = {.tv_sec = (time_t)(until / 1000u), .tv_nsec = (long)(until % 1000u) * 1000000L};
    pthread_mutex_lock(&s->lock);
    while (!s->cancel_requested) {
        int rc = pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        if (rc == ETIMEDOUT)
            break;
    }
    if (s->cancel_requested)
        st = FP_SENSOR_ERR_CANCELLED;
    pthread_mutex_unlock(&s->lock);
    return st;
}

int fpi_sensor_cancelled(fp_sensor *s)
{
    pthread_mutex_lock(&s->lock);
    int c = s->cancel_requested;
    pthread_mutex_unlock(&s->lock);
    return c;
}

void fpi_sensor_fit(const uint8_t *src, uint32_t sw, uint32_t sh, uint8_t *dst, uint32_t dw, uint32_t dh)
{
    memset(dst, 255, (size_t)dw * dh);
    /* Centre both ways: crop what is larger, pad what is smaller. */
    uint32_t sx0 = sw > dw ? (sw - dw) / 2 : 0, dx0 = dw > sw ? (dw - sw) / 2 : 0;
    uint32_t sy0 = sh > dh ? (sh - dh) / 2 : 0, dy0 = dh > sh ? (dh - sh) / 2 : 0;
    uint32_t cw = sw < dw ? sw : dw, ch = sh < dh ? sh : dh;
    for (uint32_t y = 0; y < ch; y++)
        memcpy(dst + (size_t)(dy0 + y) * dw + dx0, src + (size_t)(sy0 + y) * sw + sx0, cw);
}

void fpi_sensor_strlcpy(char *dst, const char *src, size_t cap)
{
    if (!cap)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Open / close                                                             */
/* ------------------------------------------------------------------------ */

void fp_sensor_synth_script_init(fp_sensor_synth_script *script)
{
    if (!script)
        return;
    memset(script, 0, sizeof(*script));
    script->seed = 1;
    script->first_impression = 1;
    script->blank_frames = 2;
    script->landing_frames = 2;
    script->hold_frames = 6;
    script->contact = 1.0;
    script->noise = 2.0;
}

void fp_sensor_config_init(fp_sensor_config *config)
{
    if (!config)
        return;
    memset(config, 0, sizeof(*config));
    config->backend = FP_SENSOR_BACKEND_SYNTHETIC;
    config->sensitivity = FP_SENSOR_MID;
    fp_sensor_synth_script_init(&config->synth);
}

static const fpi_sensor_driver *driver_of(fp_sensor_backend b)
{
    switch (b) {
    case FP_SENSOR_BACKEND_REPLAY:
        return &fpi_sensor_driver_replay;
    case FP_SENSOR_BACKEND_SYNTHETIC:
        return &fpi_sensor_driver_synthetic;
    case FP_SENSOR_BACKEND_HAL:
        return &fpi_sensor_driver_hal;
    case FP_SENSOR_BACKEND_LIBFPRINT:
#ifdef FP_SENSOR_HAVE_LIBFPRINT
        return &fpi_sensor_driver_libfprint;
#else
        return NULL;
#endif
    }
    return NULL;
}

fp_status fp_sensor_open(const fp_sensor_config *config, fp_sensor **out)
{
    if (out)
        *out = NULL;
    if (!config || !out || (unsigned)config->sensitivity > FP_SENSOR_HIGH ||
        (unsigned)config->backend > FP_SENSOR_BACKEND_HAL)
        return FP_ERR_INVALID_ARGUMENT;
    const fpi_sensor_driver *drv = driver_of(config->backend);
    if (!drv)
        return FP_ERR_UNSUPPORTED;
    fp_sensor *s = calloc(1, sizeof(*s));
    if (!s)
        return FP_ERR_NO_MEMORY;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int cond_ok = pthread_cond_init(&s->wake, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!cond_ok || pthread_mutex_init(&s->lock, NULL) != 0) {
        if (cond_ok)
            pthread_cond_destroy(&s->wake);
        free(s);
        return FP_ERR_NO_MEMORY;
    }
    s->drv = drv;
    s->sensitivity = config->sensitivity;
    fp_status st = fp_context_create(NULL, &s->ctx);
    s->info.dpi_stated = 1; /* drivers that fall back to a default say so */
    if (st == FP_OK)
        st = drv->open(s, config, &s->info, &s->state);
    if (st != FP_OK) {
        s->state = NULL; /* a failed open leaves nothing to close */
        fp_sensor_close(s);
        return st;
    }
    *out = s;
    return FP_OK;
}

void fp_sensor_close(fp_sensor *sensor)
{
    if (!sensor)
        return;
    if (sensor->state)
        sensor->drv->close(sensor->state);
    fp_context_destroy(sensor->ctx);
    free(sensor->cur);
    free(sensor->prev);
    pthread_cond_destroy(&sensor->wake);
    pthread_mutex_destroy(&sensor->lock);
    free(sensor);
}

fp_status fp_sensor_get_info(const fp_sensor *sensor, fp_sensor_info *info)
{
    if (!sensor || !info)
        return FP_ERR_INVALID_ARGUMENT;
    *info = sensor->info;
    return FP_OK;
}

fp_status fp_sensor_set_sensitivity(fp_sensor *sensor, fp_sensor_sensitivity s)
{
    if (!sensor || (unsigned)s > FP_SENSOR_HIGH)
        return FP_ERR_INVALID_ARGUMENT;
    sensor->sensitivity = s;
    return FP_OK;
}

fp_sensor_sensitivity fp_sensor_get_sensitivity(const fp_sensor *sensor)
{
    return sensor ? sensor->sensitivity : FP_SENSOR_MID;
}

void fp_sensor_cancel(fp_sensor *sensor)
{
    if (!sensor)
        return;
    pthread_mutex_lock(&sensor->lock);
    sensor->cancel_requested = 1;
    pthread_cond_broadcast(&sensor->wake);
    pthread_mutex_unlock(&sensor->lock);
    if (sensor->drv->cancel && sensor->state)
        sensor->drv->cancel(sensor->state);
}

void fp_sensor_frame_free(fp_sensor_frame *frame)
{
    if (!frame)
        return;
    free(frame->pixels);
    memset(frame, 0, sizeof(*frame));
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                   */
/* ------------------------------------------------------------------------ */

static int is_device_error(fp_status st)
{
    return st != FP_OK && st != FP_SENSOR_ERR_TIMEOUT && st != FP_SENSOR_ERR_CANCELLED &&
           st != FP_ERR_NO_MEMORY && !fp_status_is_retry(st);
}

/*
 * Reads one frame into s->cur (the previous one moves to s->prev). A device
 * error marks the driver for recovery, which the next read tries first.
 */
static fp_status next_frame(fp_sensor *s, uint64_t deadline, uint32_t *flags)
{
    if (fpi_sensor_cancelled(s))
        return FP_SENSOR_ERR_CANCELLED;
    if (deadline && fpi_sensor_now_ms() >= deadline)
        return FP_SENSOR_ERR_TIMEOUT;
    if (s->need_recover) {
        fp_status rs = s->drv->recover ? s->drv->recover(s->state) : FP_OK;
        if (rs != FP_OK)
            return rs;
        s->need_recover = 0;
        s->have_prev = 0;
    }
    const uint8_t *px = NULL;
    uint32_t w = 0, h = 0;
    *flags = 0;
    fp_status st = s->drv->read_frame(s->state, &px, &w, &h, deadline, flags);
    if (st != FP_OK) {
        if (is_device_error(st))
            s->need_recover = 1;
        return st;
    }
    if (!px || w < 32 || h < 32 || w > 2048 || h > 2048) {
        s->need_recover = 1;
        return FP_SENSOR_ERR_PROTOCOL;
    }
    size_t need = (size_t)w * h;
    if (need > s->cap) {
        uint8_t *a = realloc(s->cur, need), *b;
        if (!a)
            return FP_ERR_NO_MEMORY;
        s->cur = a;
        b = realloc(s->prev, need);
        if (!b)
            return FP_ERR_NO_MEMORY;
        s->prev = b;
        s->cap = need;
    }
    uint8_t *t = s->prev;
    s->prev = s->cur;
    s->cur = t;
    s->have_prev = s->have_prev && s->fw == w && s->fh == h;
    memcpy(s->cur, px, need);
    s->fw = w;
    s->fh = h;
    s->info.width = w;
    s->info.height = h;
    return FP_OK;
}

static fp_image image_of(const fp_sensor *s, const uint8_t *px)
{
    fp_image im = {px, s->fw, s->fh, s->fw, s->info.dpi ? s->info.dpi : 500};
    return im;
}

/* ------------------------------------------------------------------------ */
/* Capture: the state machine                                               */
/* ------------------------------------------------------------------------ */

typedef enum capture_state {
    WAIT_LIFT,
    WAIT_FINGER,
    SETTLING
} capture_state;

/* Gate refusals of one press before the user is told to lift and retry. */
#define MAX_REFUSALS_PER_PRESS 2

fp_status fp_sensor_capture(fp_sensor *sensor, uint32_t timeout_ms, fp_sensor_frame *frame,
                            fp_sensor_capture_info *info)
{
    fp_sensor_capture_info local;
    fp_sensor_capture_info *ci = info ? info : &local;
    memset(ci, 0, sizeof(*ci));
    if (frame)
        memset(frame, 0, sizeof(*frame));
    if (!sensor || !frame)
        return FP_ERR_INVALID_ARGUMENT;

    fp_sensor_thresholds t;
    fp_sensor_thresholds_of(sensor->sensitivity, &t);
    const uint64_t start = fpi_sensor_now_ms();
    const uint64_t deadline = timeout_ms ? start + timeout_ms : 0;
    capture_state state = sensor->finger_down ? WAIT_LIFT : WAIT_FINGER;
    uint32_t still = 0, refusals = 0;
    fp_sensor_verdict last = FP_SENSOR_NO_FINGER;
    fp_sensor_stats last_stats;
    memset(&last_stats, 0, sizeof(last_stats));
    int gated = 0;
    fp_status result;
    sensor->have_prev = 0;

    for (;;) {
        uint32_t flags = 0;
        fp_status st = next_frame(sensor, deadline, &flags);
        if (st != FP_OK) {
            /* A press that was refused and then timed out says why; a
             * timeout with nothing on the sensor is just a timeout. */
            if (st == FP_SENSOR_ERR_TIMEOUT && state == SETTLING && gated) {
                sensor->finger_down = 1;
                result = fp_sensor_verdict_status(last);
            } else {
                result = st;
                /* A device that refuses a press itself (libfprint) says why
                 * with a retry status; no frame of ours was judged. */
                if (fp_status_is_retry(st)) {
                    last = verdict_of_status(st);
                    memset(&last_stats, 0, sizeof(last_stats));
                }
            }
            break;
        }
        ci->frames++;
        fp_image cur = image_of(sensor, sensor->cur);
        fp_image prev = image_of(sensor, sensor->prev);
        fp_sensor_stats stats;
        fpi_sensor_measure(&cur, sensor->have_prev ? &prev : NULL, &stats);
        sensor->have_prev = 1;
        const int native = (flags & FPI_FRAME_NATIVE_PRESENCE) != 0;
        const int present = native || stats.area >= t.presence_min;

        /* A device that reports whole presses waited for the last finger to
         * lift before it delivered this one: there is no lift to see. */
        if (state == WAIT_LIFT && native)
            state = WAIT_FINGER;
        if (state == WAIT_LIFT) {
            if (!present) {
                sensor->finger_down = 0;
                state = WAIT_FINGER;
            }
            continue;
        }
        if (state == WAIT_FINGER) {
            if (!present)
                continue;
            state = SETTLING;
            still = 0;
            /* The first frame of a press has nothing to be compared with. */
            if (!native)
                continue;
            stats.motion = 0;
        }
        /* SETTLING */
        if (!present) {
            /* Lifted before any frame passed. */
            sensor->finger_down = 0;
            if (gated || last == FP_SENSOR_MOVING) {
                result = fp_sensor_verdict_status(last);
                break;
            }
            state = WAIT_FINGER;
            continue;
        }
        if (native)
            stats.motion = 0; /* libfprint frames are separate presses */
        if (stats.motion > t.move_max) {
            still = 0;
            last = FP_SENSOR_MOVING;
            last_stats = stats;
            continue;
        }
        if (!native && ++still < t.settle_frames)
            continue;
        still = 0;
        fp_sensor_verdict v = fp_sensor_gate(sensor->ctx, &t, &cur, NULL, &stats);
        /* fp_sensor_gate measured without the previous frame; keep motion. */
        gated = 1;
        last = v;
        last_stats = stats;
        if (v == FP_SENSOR_ACCEPT) {
            size_t n = (size_t)sensor->fw * sensor->fh;
            frame->pixels = malloc(n);
            if (!frame->pixels) {
                result = FP_ERR_NO_MEMORY;
                break;
            }
            memcpy(frame->pixels, sensor->cur, n);
            frame->width = sensor->fw;
            frame->height = sensor->fh;
            frame->dpi = cur.dpi;
            sensor->finger_down = !native;
            result = FP_OK;
            break;
        }
        ci->refused++;
        if (native || ++refusals >= MAX_REFUSALS_PER_PRESS) {
            sensor->finger_down = !native;
            result = fp_sensor_verdict_status(v);
            break;
        }
    }
    ci->verdict = result == FP_OK ? FP_SENSOR_ACCEPT : last;
    ci->stats = last_stats;
    ci->elapsed_ms = (uint32_t)(fpi_sensor_now_ms() - start);
    /* A capture consumes the cancel request, whatever ended it. */
    pthread_mutex_lock(&sensor->lock);
    sensor->cancel_requested = 0;
    pthread_mutex_unlock(&sensor->lock);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Self-test                                                                */
/* ------------------------------------------------------------------------ */

/* A blank frame may show a speck of dirt but no print. */
#define SELFTEST_BLANK_AREA 0.03
#define SELFTEST_FINGER_AREA 0.15
#define SELFTEST_FINGER_CONTRAST 30.0
#define SELFTEST_MAX_FRAMES 400

fp_status fp_sensor_self_test(fp_sensor *sensor, uint32_t timeout_ms, fp_sensor_selftest *result)
{
    if (!sensor || !result)
        return FP_ERR_INVALID_ARGUMENT;
    memset(result, 0, sizeof(*result));
    result->blank_area = 1.0;
    const uint64_t deadline = fpi_sensor_now_ms() + (timeout_ms ? timeout_ms : 5000);
    fp_status st = FP_OK;
    for (uint32_t i = 0; i < SELFTEST_MAX_FRAMES; i++) {
        uint32_t flags;
        st = next_frame(sensor, deadline, &flags);
        if (st != FP_OK)
            break;
        const fp_sensor_info *in = &sensor->info;
        result->answers = sensor->fw == in->width && sensor->fh == in->height;
        fp_image im = image_of(sensor, sensor->cur);
        fp_sensor_stats stats;
        fpi_sensor_measure(&im, NULL, &stats);
        if (flags & FPI_FRAME_NATIVE_PRESENCE)
            result->blank_area = 0; /* the device's own finger detection keeps blank frames away */
        else if (stats.area < result->blank_area)
            result->blank_area = stats.area;
        if (stats.area > result->finger_area) {
            result->finger_area = stats.area;
            result->finger_contrast = stats.contrast;
        }
        result->blank_is_blank = result->blank_area <= SELFTEST_BLANK_AREA;
        result->finger_ridges =
            result->finger_area >= SELFTEST_FINGER_AREA && result->finger_contrast >= SELFTEST_FINGER_CONTRAST;
        if (result->blank_is_blank && result->finger_ridges)
            break;
    }
    pthread_mutex_lock(&sensor->lock);
    sensor->cancel_requested = 0;
    pthread_mutex_unlock(&sensor->lock);
    /* The test leaves the finger state unknown: make the next capture wait
     * for an empty sensor first. */
    sensor->finger_down = 1;
    if (st == FP_SENSOR_ERR_CANCELLED || (st != FP_OK && st != FP_SENSOR_ERR_TIMEOUT))
        return st;
    if (!result->answers)
        return st == FP_SENSOR_ERR_TIMEOUT ? FP_SENSOR_ERR_TIMEOUT : FP_ERR_IO;
    return result->blank_is_blank && result->finger_ridges ? FP_OK : FP_ERR_IO;
}
