/*
 * sensor_vimage.h - a client of libfprint's virtual image reader, to put
 * stored images on a "USB reader" without hardware.
 *
 * libfprint (Debian's libfprint-2-2 included) carries a test driver,
 * virtual_image, enabled by the environment variable
 * FP_VIRTUAL_IMAGE=<unix socket path>: when libfprint enumerates its
 * readers it adds one that listens on that socket, and every image a client
 * writes there comes out of the reader as a capture, through the same API
 * and the same image pipeline as a USB reader. The libfprint backend of
 * fp_sensor (FP_SENSOR_BACKEND_LIBFPRINT) reads it like any other reader, so
 * tests, demos and the latency benchmark drive the real backend with known
 * images. FP_DRIVERS_WHITELIST=virtual_image (FP_DRIVERS_ALLOWLIST in
 * releases after 1.94.5) keeps a real reader out of the way.
 *
 * The wire format: each message starts with two native-endian 32-bit
 * integers. Two non-negative ones are an image's width and height, followed
 * by width * height 8-bit gray pixels (no resolution travels: libfprint
 * states none for these images). A negative first integer is a command
 * with the second as argument: -1 retry (an FpDeviceRetry code), -2 error
 * (an FpDeviceError code), -3 automatic finger on/off around each image
 * (on by default), -4 finger on (1) / off (0), -5 the reader disappears
 * (as a USB reader pulled out).
 *
 * libfprint reads the socket only while its main loop runs, that is during
 * a capture (and the end of the one before), and drops an image or command
 * it reads while no capture is waiting for one (with a warning on stderr).
 * So send the messages of one press, then capture; send the next press
 * only after that capture returned. Sending
 * never blocks the caller: messages are copied and written by the client's
 * own thread while the capture that reads them runs.
 *
 * Thread safety: one client is used by one thread. The library never prints.
 */
#ifndef FP_SENSOR_VIMAGE_H
#define FP_SENSOR_VIMAGE_H

#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest width and height libfprint's virtual reader accepts. */
#define FP_SENSOR_VIMAGE_MAX_DIM 5000u

typedef struct fp_sensor_vimage fp_sensor_vimage;

/*
 * Connects to the virtual reader listening at socket_path (the value of
 * FP_VIRTUAL_IMAGE in the process that opened it), retrying for up to
 * timeout_ms while the socket does not exist yet or refuses (the reader is
 * still being opened). Caller frees with fp_sensor_vimage_close.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL, or a path longer than a unix socket
 * address holds), FP_ERR_NO_MEMORY, FP_ERR_NO_DEVICE (nobody listens
 * there within the timeout).
 */
fp_status fp_sensor_vimage_connect(const char *socket_path, uint32_t timeout_ms, fp_sensor_vimage **out);

/* Waits until every message sent so far was written to the socket (or
 * writing failed), then disconnects and frees. Accepts NULL. */
void fp_sensor_vimage_close(fp_sensor_vimage *client);

/*
 * Disconnects at once, dropping what was not written yet: the reader sees
 * its client go away (libfprint takes that as no more input, not as an
 * unplugged reader). Frees the client. Accepts NULL.
 */
void fp_sensor_vimage_drop(fp_sensor_vimage *client);

/*
 * Sends an image: width * height pixels, rows stride bytes apart (copied;
 * borrowed for the call). With automatic finger detection (the default) the
 * reader reports the finger on, the image, and the finger off: one press.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL pixels, stride < width, a side 0
 * or above FP_SENSOR_VIMAGE_MAX_DIM), FP_ERR_NO_MEMORY,
 * FP_ERR_DISCONNECTED (an earlier write failed: the reader went away).
 */
fp_status fp_sensor_vimage_image(fp_sensor_vimage *client, const uint8_t *pixels, uint32_t width,
                                 uint32_t height, uint32_t stride);

/*
 * Sends the image in the file at path (any format fp_io_load reads), or,
 * when path is a folder, its first image file in name order.
 * Errors: those of fp_sensor_vimage_image and fp_io_load; FP_ERR_NOT_FOUND
 * for a folder without a readable image.
 */
fp_status fp_sensor_vimage_image_file(fp_sensor_vimage *client, const char *path);

/* Turns the automatic finger report around each image on (non-zero) or off.
 * Off, the press is what fp_sensor_vimage_finger says: finger on, image,
 * finger off. Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY, FP_ERR_DISCONNECTED. */
fp_status fp_sensor_vimage_auto_finger(fp_sensor_vimage *client, int on);
/* Reports the finger on (non-zero) or off the reader. Errors: as above. */
fp_status fp_sensor_vimage_finger(fp_sensor_vimage *client, int on);
/* Makes the running capture fail with libfprint's retry code (FpDeviceRetry:
 * 0 general, 1 too short, 2 centre the finger, 3 remove the finger). Errors: as above. */
fp_status fp_sensor_vimage_retry(fp_sensor_vimage *client, int code);
/* Makes the running capture fail with libfprint's error code (FpDeviceError).
 * Errors: as above. */
fp_status fp_sensor_vimage_error(fp_sensor_vimage *client, int code);
/* Makes the reader disappear, as a USB reader pulled out. Errors: as above. */
fp_status fp_sensor_vimage_unplug(fp_sensor_vimage *client);

#ifdef __cplusplus
}
#endif

#endif /* FP_SENSOR_VIMAGE_H */
