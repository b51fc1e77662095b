/*
 * backend_libfprint.c - USB readers through libfprint 2 (built only when
 * pkg-config finds libfprint-2).
 *
 * libfprint detects the finger itself (capture with wait_for_finger) and
 * completes a capture only once the finger has lifted, so each frame it
 * delivers is a whole press: the frame is flagged FPI_FRAME_NATIVE_PRESENCE
 * and the core goes straight to the gate. Before it hands the image over,
 * libfprint runs its own minutiae detection on it and turns an image where it
 * finds none into a retry (FP_DEVICE_RETRY_GENERAL), so such a press never
 * reaches our gate.
 *
 * The capture runs asynchronously on GLib's global default main context,
 * which this thread iterates until the capture ends; the timeout and
 * fp_sensor_cancel both cancel the capture's GCancellable (thread safe).
 * Each capture gets a new one: libfprint may still hold the last one while
 * it winds the finished capture down, so it is never reset and reused.
 *
 * Resolution: an FpImage carries pixels per millimetre, but most drivers
 * (and the virtual image reader) leave it at 0; libfprint's own
 * documentation says to take 500 ppi then. A plausible value (250..1000
 * dpi) is used as stated; otherwise the frame gets config->dpi, or 500, and
 * fp_sensor_info.dpi_stated says it was not stated.
 *
 * A reader that disappears (FP_DEVICE_ERROR_REMOVED, the "removed" signal)
 * is dropped with its context; recover enumerates again in a fresh context,
 * so a reader plugged back in is found on the next capture.
 */
#include <fprint.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_internal.h"

#define LFP_DEFAULT_DPI 500u

typedef struct lfp_state {
    fp_sensor *s;
    fp_sensor_info *info; /* the core's description, borrowed: dpi follows the images */
    unsigned long index;  /* which of libfprint's readers */
    uint32_t dpi_fallback;
    FpContext *ctx;
    FpDevice *dev;
    gulong removed_handler;
    int removed;
    pthread_mutex_t lock;       /* guards cancellable against fp_sensor_cancel's thread */
    GCancellable *cancellable;  /* of the current (or last) capture */
    uint8_t *frame;
    size_t cap;
} lfp_state;

typedef struct lfp_op {
    int done;
    int timed_out;
    FpImage *image;
    GError *error;
    GCancellable *cancellable;
} lfp_op;

static void on_removed(FpDevice *dev, gpointer data)
{
    (void)dev;
    ((lfp_state *)data)->removed = 1;
}

/* Closes and drops the reader and its context. */
static void detach(lfp_state *st)
{
    if (st->dev) {
        if (st->removed_handler)
            g_signal_handler_disconnect(st->dev, st->removed_handler);
        if (fp_device_is_open(st->dev))
            fp_device_close_sync(st->dev, NULL, NULL);
        g_object_unref(st->dev);
    }
    /* Closing a removed reader makes the context drop it from an idle
     * callback that holds no reference to the context: let it run first. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    if (st->ctx)
        g_object_unref(st->ctx);
    st->dev = NULL;
    st->ctx = NULL;
    st->removed_handler = 0;
    st->removed = 0;
}

/* Enumerates libfprint's readers and opens reader st->index. */
static fp_status attach(lfp_state *st)
{
    st->ctx = fp_context_new();
    GPtrArray *devs = fp_context_get_devices(st->ctx);
    if (!devs || st->index >= devs->len)
        return FP_SENSOR_ERR_NO_DEVICE;
    st->dev = g_object_ref(g_ptr_array_index(devs, st->index));
    st->removed_handler = g_signal_connect(st->dev, "removed", G_CALLBACK(on_removed), st);
    GError *err = NULL;
    if (!fp_device_open_sync(st->dev, NULL, &err)) {
        g_clear_error(&err);
        return FP_SENSOR_ERR_NO_DEVICE;
    }
    if (!(fp_device_get_features(st->dev) & FP_DEVICE_FEATURE_CAPTURE))
        return FP_ERR_UNSUPPORTED; /* a match-on-chip reader gives no images */
    return FP_OK;
}

static void lfp_close(void *state)
{
    lfp_state *st = state;
    if (!st)
        return;
    detach(st);
    if (st->cancellable)
        g_object_unref(st->cancellable);
    pthread_mutex_destroy(&st->lock);
    free(st->frame);
    free(st);
}

static fp_status map_error(const GError *e)
{
    if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return FP_SENSOR_ERR_CANCELLED;
    if (e->domain == FP_DEVICE_RETRY) {
        switch (e->code) {
        case FP_DEVICE_RETRY_TOO_SHORT:
        case FP_DEVICE_RETRY_CENTER_FINGER:
            return FP_RETRY_TOO_SMALL;
        case FP_DEVICE_RETRY_REMOVE_FINGER:
            return FP_SENSOR_RETRY_REMOVE_FINGER;
        default:
            return FP_RETRY_LOW_QUALITY;
        }
    }
    if (e->domain == FP_DEVICE_ERROR) {
        switch (e->code) {
        case FP_DEVICE_ERROR_REMOVED:
        case FP_DEVICE_ERROR_NOT_OPEN:
            return FP_SENSOR_ERR_DISCONNECTED;
        case FP_DEVICE_ERROR_NOT_SUPPORTED:
            return FP_ERR_UNSUPPORTED;
        case FP_DEVICE_ERROR_PROTO:
        case FP_DEVICE_ERROR_DATA_INVALID:
            return FP_SENSOR_ERR_PROTOCOL;
        default:
            return FP_ERR_IO;
        }
    }
    return FP_ERR_IO;
}

static fp_status lfp_open(fp_sensor *s, const fp_sensor_config *cfg, fp_sensor_info *info, void **state)
{
    unsigned long index = 0;
    if (cfg->source && *cfg->source) {
        char *end = NULL;
        index = strtoul(cfg->source, &end, 10);
        if (!end || *end)
            return FP_ERR_INVALID_ARGUMENT;
    }
    if (cfg->dpi && (cfg->dpi < 250 || cfg->dpi > 1000))
        return FP_ERR_INVALID_ARGUMENT;
    lfp_state *st = calloc(1, sizeof(*st));
    if (!st)
        return FP_ERR_NO_MEMORY;
    if (pthread_mutex_init(&st->lock, NULL) != 0) {
        free(st);
        return FP_ERR_NO_MEMORY;
    }
    st->s = s;
    st->info = info;
    st->index = index;
    st->dpi_fallback = cfg->dpi ? cfg->dpi : LFP_DEFAULT_DPI;
    fp_status rc = attach(st);
    if (rc != FP_OK) {
        lfp_close(st);
        return rc;
    }
    fpi_sensor_strlcpy(info->name, fp_device_get_name(st->dev), sizeof(info->name));
    fpi_sensor_strlcpy(info->vendor, "libfprint", sizeof(info->vendor));
    fpi_sensor_strlcpy(info->driver, fp_device_get_driver(st->dev), sizeof(info->driver));
    /* libfprint tells the image size and resolution only with an image. */
    info->width = 0;
    info->height = 0;
    info->dpi = st->dpi_fallback;
    info->dpi_stated = 0;
    *state = st;
    return FP_OK;
}

static void capture_done(GObject *source, GAsyncResult *res, gpointer data)
{
    lfp_op *op = data;
    op->image = fp_device_capture_finish(FP_DEVICE(source), res, &op->error);
    op->done = 1;
}

static gboolean on_timeout(gpointer data)
{
    lfp_op *op = data;
    op->timed_out = 1;
    g_cancellable_cancel(op->cancellable);
    return G_SOURCE_REMOVE;
}

/* Copies a delivered image into the driver's frame buffer and takes its
 * resolution. */
static fp_status take_image(lfp_state *st, FpImage *image, const uint8_t **pixels, uint32_t *width,
                            uint32_t *height)
{
    gsize len = 0;
    const guchar *data = fp_image_get_data(image, &len);
    guint w = fp_image_get_width(image), h = fp_image_get_height(image);
    if (!data || w < 32 || h < 32 || w > 2048 || h > 2048 || len < (gsize)w * h)
        return FP_SENSOR_ERR_PROTOCOL;
    if ((size_t)w * h > st->cap) {
        uint8_t *f = realloc(st->frame, (size_t)w * h);
        if (!f)
            return FP_ERR_NO_MEMORY;
        st->frame = f;
        st->cap = (size_t)w * h;
    }
    memcpy(st->frame, data, (size_t)w * h);
    const double dpi = fp_image_get_ppmm(image) * 25.4;
    const int stated = dpi >= 250.0 && dpi <= 1000.0;
    st->info->dpi = stated ? (uint32_t)lround(dpi) : st->dpi_fallback;
    st->info->dpi_stated = stated;
    *pixels = st->frame;
    *width = w;
    *height = h;
    return FP_OK;
}

static fp_status lfp_read(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                          uint64_t deadline_ms, uint32_t *flags)
{
    lfp_state *st = state;
    *flags = FPI_FRAME_NATIVE_PRESENCE;
    GCancellable *cancellable = g_cancellable_new();
    pthread_mutex_lock(&st->lock);
    GCancellable *last = st->cancellable;
    st->cancellable = cancellable;
    pthread_mutex_unlock(&st->lock);
    if (last)
        g_object_unref(last);
    /* fp_sensor_cancel raises the core's flag before it cancels: once the
     * new cancellable is in place, a cancel is either seen here or cancels
     * the capture. */
    if (fpi_sensor_cancelled(st->s))
        return FP_SENSOR_ERR_CANCELLED;
    if (st->removed)
        return FP_SENSOR_ERR_DISCONNECTED;
    lfp_op op = {.cancellable = cancellable};
    guint timer = 0;
    if (deadline_ms) {
        uint64_t now = fpi_sensor_now_ms();
        timer = g_timeout_add((guint)(deadline_ms > now ? deadline_ms - now : 0), on_timeout, &op);
    }
    fp_device_capture(st->dev, TRUE, cancellable, capture_done, &op);
    while (!op.done)
        g_main_context_iteration(NULL, TRUE);
    if (timer && !op.timed_out)
        g_source_remove(timer);
    fp_status rc = FP_OK;
    if (op.error) {
        rc = op.timed_out && g_error_matches(op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? FP_SENSOR_ERR_TIMEOUT
                                                                                        : map_error(op.error);
        g_clear_error(&op.error);
    } else if (!op.image) {
        rc = FP_SENSOR_ERR_PROTOCOL;
    } else {
        rc = take_image(st, op.image, pixels, width, height);
    }
    if (op.image)
        g_object_unref(op.image);
    return rc;
}

static void lfp_cancel(void *state)
{
    lfp_state *st = state;
    pthread_mutex_lock(&st->lock);
    GCancellable *c = st->cancellable ? g_object_ref(st->cancellable) : NULL;
    pthread_mutex_unlock(&st->lock);
    if (c) {
        g_cancellable_cancel(c);
        g_object_unref(c);
    }
}

static fp_status lfp_recover(void *state)
{
    lfp_state *st = state;
    if (st->dev && !st->removed && fp_device_is_open(st->dev))
        return FP_OK;
    detach(st);
    fp_status rc = attach(st);
    if (rc != FP_OK) {
        detach(st);
        return rc == FP_ERR_NO_MEMORY ? rc : FP_SENSOR_ERR_DISCONNECTED;
    }
    return FP_OK;
}

const fpi_sensor_driver fpi_sensor_driver_libfprint = {
    .name = "libfprint",
    .open = lfp_open,
    .close = lfp_close,
    .read_frame = lfp_read,
    .cancel = lfp_cancel,
    .recover = lfp_recover,
};
