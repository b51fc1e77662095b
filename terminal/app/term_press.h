/*
 * term_press.h - finger presses for the programs that drive the terminal on
 * a host (m1-terminal, m1-sim, term-bench): a press of a synthetic finger
 * through the sensor's synthetic backend, a press on a reader through
 * libfprint, and a captured frame handed to the application as the input it
 * stands for.
 */
#ifndef TERM_PRESS_H
#define TERM_PRESS_H

#include <stdint.h>

#include "fp/sensor.h"
#include "fp/synth.h"
#include "term_app.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens the synthetic sensor on press imp of finger (seed, finger), whose
 * master m the caller built with fp_synth_master_create. Errors: those of
 * fp_sensor_open. */
fp_status term_press_synthetic_open(const fp_synth_master *m, uint64_t seed, uint32_t finger, uint32_t imp,
                                    fp_sensor_sensitivity sens, fp_sensor **out);

/* One frame of that press at the default sensitivity (open, capture, close).
 * Free it with fp_sensor_frame_free. Errors: those of open and capture. */
fp_status term_press_synthetic_frame(const fp_synth_master *m, uint64_t seed, uint32_t finger, uint32_t imp,
                                     fp_sensor_frame *frame);

/*
 * Captures one frame from sensor (timeout_ms) and gives app what it means:
 * the finger image, or the sensor's retry status (wet, moving, ...).
 * Returns the capture status; on an error that is not a retry the app is
 * given nothing.
 */
fp_status term_press_present(term_app *app, fp_sensor *sensor, uint32_t timeout_ms);

/*
 * A fingerprint reader through libfprint (the sensor's libfprint backend)
 * in place of synthetic or replayed fingers. When the reader is libfprint's
 * virtual image reader (FP_VIRTUAL_IMAGE set, fp/sensor_vimage.h) there is
 * no finger to wait for, and the program may play it: each press puts a
 * stored image on the reader before the capture.
 */
typedef struct term_press_reader term_press_reader;

/* Opens reader `source` (libfprint's index, NULL for the first) and, for the
 * virtual reader, connects to it. Caller frees with term_press_reader_close.
 * Errors: those of fp_sensor_open and fp_sensor_vimage_connect. */
fp_status term_press_reader_open(const char *source, fp_sensor_sensitivity sens, term_press_reader **out);
/* Accepts NULL. */
void term_press_reader_close(term_press_reader *reader);
/* Non-zero for libfprint's virtual image reader. */
int term_press_reader_is_virtual(const term_press_reader *reader);

/*
 * One press for app at sensitivity sens: on the virtual reader the image
 * file or folder `press` is put on it first (NULL: someone else plays the
 * finger, e.g. fp-vimage); a real reader waits for the user's finger. Then
 * as term_press_present. Errors: those of term_press_present and of
 * fp_sensor_vimage_image_file.
 */
fp_status term_press_reader_present(term_press_reader *reader, term_app *app, fp_sensor_sensitivity sens,
                                    const char *press, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* TERM_PRESS_H */
