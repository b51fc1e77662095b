/*
 * term_press.h - finger presses for the programs that drive the terminal on
 * a host (m1-terminal, m1-sim, term-bench): a press of a synthetic finger
 * through the sensor's synthetic backend, and a captured frame handed to
 * the application as the input it stands for.
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

#ifdef __cplusplus
}
#endif

#endif /* TERM_PRESS_H */
