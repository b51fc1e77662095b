/*
 * term_press.c - synthetic presses, presses on a libfprint reader, and
 * frames handed to the application.
 */
#include "term_press.h"

#include <stdlib.h>
#include <string.h>

#include "fp/sensor_vimage.h"

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

struct term_press_reader {
    fp_sensor *sensor;
    fp_sensor_vimage *finger; /* the virtual reader's client, NULL for a real reader */
};

void term_press_reader_close(term_press_reader *reader)
{
    if (!reader) return;
    fp_sensor_vimage_close(reader->finger);
    fp_sensor_close(reader->sensor);
    free(reader);
}

fp_status term_press_reader_open(const char *source, fp_sensor_sensitivity sens, term_press_reader **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    term_press_reader *r = calloc(1, sizeof(*r));
    if (!r) return FP_ERR_NO_MEMORY;
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_LIBFPRINT;
    cfg.sensitivity = sens;
    cfg.source = source;
    fp_status st = fp_sensor_open(&cfg, &r->sensor);
    fp_sensor_info info;
    const char *socket_path = getenv("FP_VIRTUAL_IMAGE");
    if (st == FP_OK && fp_sensor_get_info(r->sensor, &info) == FP_OK && strcmp(info.driver, "virtual_image") == 0 &&
        socket_path)
        st = fp_sensor_vimage_connect(socket_path, 2000, &r->finger);
    if (st != FP_OK) {
        term_press_reader_close(r);
        return st;
    }
    *out = r;
    return FP_OK;
}

int term_press_reader_is_virtual(const term_press_reader *reader)
{
    return reader && reader->finger;
}

fp_status term_press_reader_present(term_press_reader *reader, term_app *app, fp_sensor_sensitivity sens,
                                    const char *press, uint32_t timeout_ms)
{
    if (!reader) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = fp_sensor_set_sensitivity(reader->sensor, sens);
    if (st == FP_OK && reader->finger && press) st = fp_sensor_vimage_image_file(reader->finger, press);
    return st == FP_OK ? term_press_present(app, reader->sensor, timeout_ms) : st;
}
