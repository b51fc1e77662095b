/*
 * backend_hal.c - the firmware module (hal_module.c) behind the common
 * driver table: start a frame, poll until it is ready, read and check it.
 * After a bus failure or garbage the core calls recover, which resets and
 * re-probes the module, so a glitch costs one capture, not the device.
 */
#include <stdlib.h>
#include <string.h>

#include "fp/sensor_hal.h"
#include "sensor_internal.h"

/* Poll period while a frame is being acquired; the module needs a few ms. */
#define HAL_POLL_MS 1
/* A module that never reports a frame is stuck: give up after this many polls. */
#define HAL_MAX_POLLS 200

typedef struct hal_state {
    fp_sensor *s;
    const fp_sensor_hal *hal;
    fp_hal_geometry geo;
    uint8_t *packet;
    size_t cap;
    uint32_t interval_ms;
} hal_state;

static void hal_close(void *state)
{
    hal_state *st = state;
    if (!st)
        return;
    free(st->packet);
    free(st);
}

static fp_status hal_open(fp_sensor *s, const fp_sensor_config *cfg, fp_sensor_info *info, void **state)
{
    if (!cfg->hal)
        return FP_ERR_INVALID_ARGUMENT;
    hal_state *st = calloc(1, sizeof(*st));
    if (!st)
        return FP_ERR_NO_MEMORY;
    st->s = s;
    st->hal = cfg->hal;
    st->interval_ms = cfg->frame_interval_ms;
    fp_status rc = fp_hal_probe(st->hal, 1, &st->geo);
    if (rc == FP_OK) {
        st->cap = (size_t)st->geo.width * st->geo.height + FP_HAL_PACKET_OVERHEAD;
        if (!(st->packet = malloc(st->cap)))
            rc = FP_ERR_NO_MEMORY;
    }
    if (rc != FP_OK) {
        hal_close(st);
        return rc;
    }
    fpi_sensor_strlcpy(info->name, "SPI/UART fingerprint module", sizeof(info->name));
    fpi_sensor_strlcpy(info->vendor, "fp module (register map v1)", sizeof(info->vendor));
    fpi_sensor_strlcpy(info->driver, "hal", sizeof(info->driver));
    info->width = st->geo.width;
    info->height = st->geo.height;
    info->dpi = st->geo.dpi;
    *state = st;
    return FP_OK;
}

static fp_status hal_read(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                          uint64_t deadline_ms, uint32_t *flags)
{
    hal_state *st = state;
    *flags = 0;
    fp_status rc = fpi_sensor_sleep(st->s, st->interval_ms, deadline_ms);
    if (rc == FP_OK)
        rc = fp_hal_start_frame(st->hal);
    int ready = 0;
    for (uint32_t i = 0; rc == FP_OK && !ready; i++) {
        rc = fp_hal_poll(st->hal, &ready);
        if (rc == FP_OK && !ready) {
            if (i >= HAL_MAX_POLLS)
                rc = FP_SENSOR_ERR_DISCONNECTED; /* stuck: treat as gone, recover resets it */
            else
                rc = fpi_sensor_sleep(st->s, HAL_POLL_MS, deadline_ms);
        }
    }
    if (rc == FP_OK)
        rc = fp_hal_read_frame(st->hal, &st->geo, st->packet, st->cap);
    if (rc != FP_OK)
        return rc;
    *pixels = st->packet + 6;
    *width = st->geo.width;
    *height = st->geo.height;
    return FP_OK;
}

static fp_status hal_recover(void *state)
{
    hal_state *st = state;
    fp_hal_geometry geo;
    fp_status rc = fp_hal_probe(st->hal, 1, &geo);
    if (rc != FP_OK)
        return rc;
    /* A module that came back with another geometry is not the one we opened. */
    if (geo.width != st->geo.width || geo.height != st->geo.height)
        return FP_SENSOR_ERR_PROTOCOL;
    st->geo.dpi = geo.dpi;
    return FP_OK;
}

const fpi_sensor_driver fpi_sensor_driver_hal = {
    .name = "hal",
    .open = hal_open,
    .close = hal_close,
    .read_frame = hal_read,
    .cancel = NULL,
    .recover = hal_recover,
};
