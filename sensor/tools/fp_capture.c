/*
 * fp-capture - captures one finger from a sensor backend and writes it.
 *
 *   fp-capture --backend replay|synthetic|libfprint [--source DIR|FILE|INDEX]
 *              [--sensitivity low|mid|high] [--timeout MS] [--dpi N]
 *              [--selftest] --out x.png
 *
 * --dpi: the resolution of a replayed set that does not state it, or of a
 * libfprint reader (most do not state theirs; 500 is assumed otherwise).
 * The PNG written carries the frame's resolution.
 *
 * Exit status: 0 captured, 1 usage, 2 device error, 3 retry (the gate
 * refused the press; the reason is printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fpio.h"
#include "fp/sensor.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: fp-capture --backend replay|synthetic|libfprint [--source DIR|FILE|INDEX]\n"
               "                  [--sensitivity low|mid|high] [--timeout MS] [--dpi N] [--selftest] --out x.png\n");
}

int main(int argc, char **argv)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    const char *out = NULL;
    uint32_t timeout = 10000;
    int selftest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--selftest") == 0) {
            selftest = 1;
            continue;
        } else if (!v) {
            usage(stderr);
            return 1;
        }
        if (strcmp(a, "--backend") == 0) {
            if (fp_sensor_backend_parse(v, &cfg.backend) != FP_OK || cfg.backend == FP_SENSOR_BACKEND_HAL) {
                fprintf(stderr, "fp-capture: unknown backend '%s'\n", v);
                return 1;
            }
        } else if (strcmp(a, "--source") == 0) {
            cfg.source = v;
        } else if (strcmp(a, "--sensitivity") == 0) {
            if (fp_sensor_sensitivity_parse(v, &cfg.sensitivity) != FP_OK) {
                fprintf(stderr, "fp-capture: unknown sensitivity '%s'\n", v);
                return 1;
            }
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = (uint32_t)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--dpi") == 0) {
            char *end = NULL;
            unsigned long dpi = strtoul(v, &end, 10);
            if (!end || *end || dpi < 250 || dpi > 1000) {
                fprintf(stderr, "fp-capture: --dpi wants 250..1000, not '%s'\n", v);
                return 1;
            }
            cfg.dpi = (uint32_t)dpi;
        } else if (strcmp(a, "--out") == 0) {
            out = v;
        } else {
            usage(stderr);
            return 1;
        }
        i++;
    }
    if (!out && !selftest) {
        usage(stderr);
        return 1;
    }
    if (cfg.backend == FP_SENSOR_BACKEND_REPLAY && !cfg.source) {
        fprintf(stderr, "fp-capture: --backend replay needs --source\n");
        return 1;
    }
    if (!fp_sensor_backend_available(cfg.backend)) {
        fprintf(stderr, "fp-capture: backend %s was not built (libfprint-2 missing)\n",
                fp_sensor_backend_name(cfg.backend));
        return 2;
    }
    fp_sensor *s = NULL;
    fp_status st = fp_sensor_open(&cfg, &s);
    if (st != FP_OK) {
        fprintf(stderr, "fp-capture: cannot open %s sensor: %s (%s)\n", fp_sensor_backend_name(cfg.backend),
                fp_status_message(st), fp_status_name(st));
        return 2;
    }
    fp_sensor_info info;
    fp_sensor_get_info(s, &info);
    if (info.width)
        fprintf(stderr, "sensor: %s (%s, driver %s), %ux%u at %u dpi%s, sensitivity %s\n", info.name, info.vendor,
                info.driver, info.width, info.height, info.dpi, info.dpi_stated ? "" : " (not stated)",
                fp_sensor_sensitivity_name(cfg.sensitivity));
    else
        fprintf(stderr, "sensor: %s (%s, driver %s), size and resolution told with the first image, sensitivity %s\n",
                info.name, info.vendor, info.driver, fp_sensor_sensitivity_name(cfg.sensitivity));
    int rc = 0;
    if (selftest) {
        fp_sensor_selftest r;
        st = fp_sensor_self_test(s, timeout, &r);
        printf("selftest: answers=%d blank_is_blank=%d (area %.3f) finger_ridges=%d (area %.3f, contrast %.0f): "
               "%s\n",
               r.answers, r.blank_is_blank, r.blank_area, r.finger_ridges, r.finger_area, r.finger_contrast,
               st == FP_OK ? "PASS" : fp_status_message(st));
        rc = st == FP_OK ? 0 : 2;
    }
    if (out && rc == 0) {
        fp_sensor_frame frame;
        fp_sensor_capture_info ci;
        st = fp_sensor_capture(s, timeout, &frame, &ci);
        if (st == FP_OK) {
            st = fp_io_write_png_gray(out, frame.pixels, frame.width, frame.height, frame.width, frame.dpi);
            fp_sensor_get_info(s, &info);
            if (st == FP_OK)
                printf("captured %ux%u at %u dpi (%s) after %u frames (%u ms): area %.2f ridge share %.2f contrast "
                       "%.0f quality %u -> %s\n",
                       frame.width, frame.height, frame.dpi,
                       info.dpi_stated ? "stated by the device" : cfg.dpi ? "from --dpi" : "assumed, not stated",
                       ci.frames, ci.elapsed_ms, ci.stats.area, ci.stats.dark_share, ci.stats.contrast,
                       ci.stats.quality, out);
            else
                fprintf(stderr, "fp-capture: cannot write %s: %s\n", out, fp_status_message(st));
            rc = st == FP_OK ? 0 : 2;
            fp_sensor_frame_free(&frame);
        } else if (fp_status_is_retry(st)) {
            printf("refused: %s (%s) after %u frames: area %.2f ridge share %.2f contrast %.0f motion %.1f "
                   "quality %u (%s)\n",
                   fp_status_message(st), fp_sensor_verdict_name(ci.verdict), ci.frames, ci.stats.area,
                   ci.stats.dark_share, ci.stats.contrast, ci.stats.motion, ci.stats.quality,
                   fp_status_name(ci.stats.extract_status));
            rc = 3;
        } else {
            fprintf(stderr, "fp-capture: %s (%s)\n", fp_status_message(st), fp_status_name(st));
            rc = 2;
        }
    }
    fp_sensor_close(s);
    return rc;
}
