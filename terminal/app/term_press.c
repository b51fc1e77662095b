/*
 * term_press.c - synthetic presses and frames handed to the application.
 */
#include "term_press.h"

#include <string.h>

fp_status term_press_synthetic_open(const fp_synth_master *m, uint64_t seed, uint32_t finger, uint32_t imp,
                                    fp_sensor_sensitivity sens, fp_sensor **out)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_SYNTHETIC;
    cfg.sensitivity = sens;
    cfg.synth.seed = seed;
    cfg.synth.finger = finger;
    cfg.synth.first_impression = imp;
    cfg.synth.presses = 1;
    cfg.synth_master = m;
    return fp_sensor_open(&cfg, out);
}

fp_status term_press_synthetic_frame(const fp_synth_master *m, uint64_t seed, uint32_t finger, uint32_t imp,
                                     fp_sensor_frame *frame)
{
    fp_sensor_config def;
    fp_sensor_config_init(&def);
    fp_sensor *s = NULL;
    fp_status st = term_press_synthetic_open(m, seed, finger, imp, def.sensitivity, &s);
    if (st == FP_OK) st = fp_sensor_capture(s, 10000, frame, NULL);
    fp_sensor_close(s);
    return st;
}

fp_status term_press_present(term_app *app, fp_sensor *sensor, uint32_t timeout_ms)
{
    fp_sensor_frame frame;
    memset(&frame, 0, sizeof(frame));
    fp_status st = fp_sensor_capture(sensor, timeout_ms, &frame, NULL);
    term_app_input in;
    memset(&in, 0, sizeof(in));
    if (st == FP_OK) {
        fp_image img = {frame.pixels, frame.width, frame.height, frame.width, frame.dpi};
        in.type = TERM_IN_FINGER_IMAGE;
        in.image = &img;
        term_app_event(app, &in);
    } else if (fp_status_is_retry(st)) {
        in.type = TERM_IN_FINGER_RETRY;
        in.retry = (int)st;
        term_app_event(app, &in);
    }
    fp_sensor_frame_free(&frame);
    return st;
}
