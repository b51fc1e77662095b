/*
 * sensor_internal.h - the driver function table every backend fills, and
 * the helpers the core gives the backends.
 */
#ifndef FP_SENSOR_INTERNAL_H
#define FP_SENSOR_INTERNAL_H

#include <pthread.h>

#include "fp/sensor.h"

/* Flags of a frame read by a driver. */
#define FPI_FRAME_NATIVE_PRESENCE 1u /* the device itself waited for the finger (libfprint) */

typedef struct fpi_sensor_driver {
    const char *name;
    /* Opens the device described by cfg; fills info (size, dpi, names) and
     * *state. s is passed so the driver can use fpi_sensor_sleep. */
    fp_status (*open)(fp_sensor *s, const fp_sensor_config *cfg, fp_sensor_info *info, void **state);
    void (*close)(void *state);
    /*
     * Reads the next frame, waiting at most until deadline_ms
     * (fpi_sensor_now_ms clock; 0 = forever). On FP_OK *pixels points to
     * the driver's own buffer (stride == *width), valid until the next call.
     * Returns FP_OK, FP_SENSOR_ERR_TIMEOUT, FP_SENSOR_ERR_CANCELLED or a
     * device error. *flags receives FPI_FRAME_* bits.
     */
    fp_status (*read_frame)(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                            uint64_t deadline_ms, uint32_t *flags);
    /* Optional: wakes a read blocked inside a foreign library (libfprint).
     * Called from any thread; must be async-safe with read_frame. */
    void (*cancel)(void *state);
    /* Optional: brings a device back after an error (re-probe, resync). */
    fp_status (*recover)(void *state);
} fpi_sensor_driver;

struct fp_sensor {
    const fpi_sensor_driver *drv;
    void *state;
    fp_sensor_info info;
    fp_sensor_sensitivity sensitivity;
    fp_context *ctx;          /* for the gate's fp_extract */
    uint8_t *cur, *prev;      /* two frame buffers of cap bytes */
    size_t cap;
    uint32_t fw, fh;          /* size of the frames in cur / prev */
    int have_prev;
    int finger_down;          /* last capture ended with the finger on the sensor */
    int need_recover;         /* the last read failed with a device error */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int cancel_requested;
};

extern const fpi_sensor_driver fpi_sensor_driver_replay;
extern const fpi_sensor_driver fpi_sensor_driver_synthetic;
extern const fpi_sensor_driver fpi_sensor_driver_hal;
#ifdef FP_SENSOR_HAVE_LIBFPRINT
extern const fpi_sensor_driver fpi_sensor_driver_libfprint;
#endif

/* Monotonic milliseconds. */
uint64_t fpi_sensor_now_ms(void);
/*
 * Sleeps ms milliseconds, but not past deadline_ms (0 = none), waking early
 * on a cancel. Returns FP_OK, FP_SENSOR_ERR_CANCELLED, or
 * FP_SENSOR_ERR_TIMEOUT when the deadline cut the sleep short.
 */
fp_status fpi_sensor_sleep(fp_sensor *s, uint32_t ms, uint64_t deadline_ms);
/* Non-zero when a cancel is pending. */
int fpi_sensor_cancelled(fp_sensor *s);

void fpi_sensor_measure(const fp_image *image, const fp_image *previous, fp_sensor_stats *st);
/* extracted = 0: decide on the image figures only (quality not known yet). */
fp_sensor_verdict fpi_sensor_decide(const fp_sensor_thresholds *t, const fp_sensor_stats *st, int extracted);

/* Copies src (sw x sh) centred into dst (dw x dh), white where src does not reach. */
void fpi_sensor_fit(const uint8_t *src, uint32_t sw, uint32_t sh, uint8_t *dst, uint32_t dw, uint32_t dh);
/* Copies the string into a fixed field, always terminated. */
void fpi_sensor_strlcpy(char *dst, const char *src, size_t cap);

#endif
