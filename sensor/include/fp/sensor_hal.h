/*
 * sensor_hal.h - the register-level interface of the SPI/UART fingerprint
 * module used by the terminal's firmware, and the module protocol on top of
 * it. Depends on libc and fp.h only, so it builds in the ARM core build.
 *
 * Board code provides the three bus functions; hal_module.c speaks the
 * module's protocol through them; the sensor library's "hal" backend wraps
 * that in the common capture state machine.
 *
 * Register map of the module (8-bit registers):
 *   0x00 CHIP_ID   reads FP_HAL_CHIP_ID
 *   0x01 STATUS    bit0 frame ready, bit1 finger detected, bit7 fault
 *   0x02/0x03      frame width, low / high byte
 *   0x04/0x05      frame height, low / high byte
 *   0x06/0x07      resolution in dpi, low / high byte
 *   0x10 CTRL      write bit0 to start a frame, bit7 to reset the module
 *   0x11 GAIN      analogue gain 0..255
 * Frame packet read after "frame ready": 'F' 'R', width (LE16), height
 * (LE16), width*height pixels, then the 16-bit sum of the pixels (LE16).
 */
#ifndef FP_SENSOR_HAL_H
#define FP_SENSOR_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FP_HAL_REG_CHIP_ID 0x00
#define FP_HAL_REG_STATUS 0x01
#define FP_HAL_REG_WIDTH_LO 0x02
#define FP_HAL_REG_WIDTH_HI 0x03
#define FP_HAL_REG_HEIGHT_LO 0x04
#define FP_HAL_REG_HEIGHT_HI 0x05
#define FP_HAL_REG_DPI_LO 0x06
#define FP_HAL_REG_DPI_HI 0x07
#define FP_HAL_REG_CTRL 0x10
#define FP_HAL_REG_GAIN 0x11

#define FP_HAL_CHIP_ID 0xF5
#define FP_HAL_STATUS_READY 0x01u
#define FP_HAL_STATUS_FINGER 0x02u
#define FP_HAL_STATUS_FAULT 0x80u
#define FP_HAL_CTRL_START 0x01u
#define FP_HAL_CTRL_RESET 0x80u
#define FP_HAL_PACKET_OVERHEAD 8u /* magic 2 + size 4 + checksum 2 */

/*
 * The bus, provided by board code (or a simulator in tests). Each function
 * returns 0 on success and a negative value when the bus transfer failed
 * (module unplugged, no answer). read_frame reads exactly len bytes.
 */
typedef struct fp_sensor_hal {
    void *user;
    int (*read_reg)(void *user, uint8_t reg, uint8_t *value);
    int (*write_reg)(void *user, uint8_t reg, uint8_t value);
    int (*read_frame)(void *user, uint8_t *buf, size_t len);
} fp_sensor_hal;

/* What fp_hal_probe found. */
typedef struct fp_hal_geometry {
    uint32_t width;
    uint32_t height;
    uint32_t dpi;
} fp_hal_geometry;

/*
 * Resets the module (when reset is non-zero), checks its chip id and reads
 * the frame geometry. Errors: FP_SENSOR_ERR_DISCONNECTED (bus failure),
 * FP_SENSOR_ERR_NO_DEVICE (wrong chip id), FP_SENSOR_ERR_PROTOCOL (a
 * geometry outside 32..2048 pixels or a resolution outside 250..1000 dpi).
 */
fp_status fp_hal_probe(const fp_sensor_hal *hal, int reset, fp_hal_geometry *geo);

/* Starts a frame. Errors: FP_SENSOR_ERR_DISCONNECTED. */
fp_status fp_hal_start_frame(const fp_sensor_hal *hal);

/*
 * Polls the status once: *ready set when a frame can be read.
 * Errors: FP_SENSOR_ERR_DISCONNECTED, FP_SENSOR_ERR_PROTOCOL (fault bit).
 */
fp_status fp_hal_poll(const fp_sensor_hal *hal, int *ready);

/*
 * Reads and checks one frame packet into packet (capacity cap, at least
 * geo->width * geo->height + FP_HAL_PACKET_OVERHEAD bytes); on FP_OK the
 * pixels start at packet + 6. Errors: FP_ERR_BUFFER_TOO_SMALL,
 * FP_SENSOR_ERR_DISCONNECTED, FP_SENSOR_ERR_PROTOCOL (bad magic, size or
 * checksum: garbage on the line).
 */
fp_status fp_hal_read_frame(const fp_sensor_hal *hal, const fp_hal_geometry *geo, uint8_t *packet, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
