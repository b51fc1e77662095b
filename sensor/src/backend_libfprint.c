/*
 * backend_libfprint.c - USB readers through libfprint 2 (built only when
 * pkg-config finds libfprint-2).
 *
 * libfprint detects the finger itself (capture with wait_for_finger), so
 * each frame it delivers is a press that already settled: the frame is
 * flagged FPI_FRAME_NATIVE_PRESENCE and the core goes straight to the gate.
 * The capture runs asynchronously on the default GLib main context, which
 * this thread iterates until the capture ends; the timeout and
 * fp_sensor_cancel both cancel the same GCancellable, which is thread safe.
 */
#include <fprint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor_internal.h"

typedef struct lfp_state {
    FpContext *ctx;
    FpDevice *dev;
    GCancellable *cancellable;
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

static void lfp_close(void *state)
{
    lfp_state *st = state;
    if (!st)
        return;
    if (st->dev) {
        if (fp_device_is_open(st->dev))
            fp_device_close_sync(st->dev, NULL, NULL);
        g_object_unref(st->dev);
    }
    if (st->ctx)
        g_object_unref(st->ctx);
    if (st->cancellable)
        g_object_unref(st->cancellable);
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
    (void)s;
    unsigned long index = 0;
    if (cfg->source && *cfg->source) {
        char *end = NULL;
        index = strtoul(cfg->source, &end, 10);
        if (!end || *end)
            return FP_ERR_INVALID_ARGUMENT;
    }
    lfp_state *st = calloc(1, sizeof(*st));
    if (!st)
        return FP_ERR_NO_MEMORY;
    st->ctx = fp_context_new();
    st->cancellable = g_cancellable_new();
    GPtrArray *devs = fp_context_get_devices(st->ctx);
    if (!devs || index >= devs->len) {
        lfp_close(st);
        return FP_SENSOR_ERR_NO_DEVICE;
    }
    st->dev = g_object_ref(g_ptr_array_index(devs, index));
    GError *err = NULL;
    if (!fp_device_open_sync(st->dev, NULL, &err)) {
        g_clear_error(&err);
        lfp_close(st);
        return FP_SENSOR_ERR_NO_DEVICE;
    }
    if (!(fp_device_get_features(st->dev) & FP_DEVICE_FEATURE_CAPTURE)) {
        lfp_close(st);
        return FP_ERR_UNSUPPORTED; /* a match-on-chip reader gives no images */
    }
    fpi_sensor_strlcpy(info->name, fp_device_get_name(st->dev), sizeof(info->name));
    fpi_sensor_strlcpy(info->vendor, "libfprint", sizeof(info->vendor));
    fpi_sensor_strlcpy(info->driver, fp_device_get_driver(st->dev), sizeof(info->driver));
    /* libfprint tells the image size only with the first image. */
    info->width = 0;
    info->height = 0;
    info->dpi = 500;
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

static fp_status lfp_read(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                          uint64_t deadline_ms, uint32_t *flags)
{
    lfp_state *st = state;
    *flags = FPI_FRAME_NATIVE_PRESENCE;
    lfp_op op = {.cancellable = st->cancellable};
    guint timer = 0;
    if (deadline_ms) {
        uint64_t now = fpi_sensor_now_ms();
        timer = g_timeout_add((guint)(deadline_ms > now ? deadline_ms - now : 0), on_timeout, &op);
    }
    fp_device_capture(st->dev, TRUE, st->cancellable, capture_done, &op);
    while (!op.done)
        g_main_context_iteration(NULL, TRUE);
    if (timer && !op.timed_out)
        g_source_remove(timer);
    /* Ready for the next capture; a cancel that lands after this is still
     * held by the core's flag. */
    g_cancellable_reset(st->cancellable);
    fp_status rc = FP_OK;
    if (op.error) {
        rc = op.timed_out ? FP_SENSOR_ERR_TIMEOUT : map_error(op.error);
        g_clear_error(&op.error);
    } else if (!op.image) {
        rc = FP_SENSOR_ERR_PROTOCOL;
    }
    if (rc == FP_OK) {
        gsize len = 0;
        const guchar *data = fp_image_get_data(op.image, &len);
        guint w = fp_image_get_width(op.image), h = fp_image_get_height(op.image);
        double ppmm = fp_image_get_ppmm(op.image);
        if (!data || w < 32 || h < 32 || w > 2048 || h > 2048 || len < (gsize)w * h) {
            rc = FP_SENSOR_ERR_PROTOCOL;
        } else {
            if ((size_t)w * h > st->cap) {
                uint8_t *f = realloc(st->frame, (size_t)w * h);
                if (!f)
                    rc = FP_ERR_NO_MEMORY;
                else {
                    st->frame = f;
                    st->cap = (size_t)w * h;
                }
            }
            if (rc == FP_OK) {
                memcpy(st->frame, data, (size_t)w * h);
                *pixels = st->frame;
                *width = w;
                *height = h;
                (void)ppmm; /* libfprint's ppmm is often a placeholder; the core assumes 500 dpi */
            }
        }
    }
    if (op.image)
        g_object_unref(op.image);
    return rc;
}

static void lfp_cancel(void *state)
{
    lfp_state *st = state;
    g_cancellable_cancel(st->cancellable);
}

static fp_status lfp_recover(void *state)
{
    lfp_state *st = state;
    if (fp_device_is_open(st->dev))
        return FP_OK;
    GError *err = NULL;
    if (!fp_device_open_sync(st->dev, NULL, &err)) {
        g_clear_error(&err);
        return FP_SENSOR_ERR_DISCONNECTED;
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
