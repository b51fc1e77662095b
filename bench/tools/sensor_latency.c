/*
 * fpsensorbench - capture-to-template latency of the sensor driver: the
 * same images pressed on libfprint's virtual image reader (through libfprint
 * and the libfprint backend) and replayed by the replay backend, each
 * capture followed by the engine's extraction.
 *
 *   fpsensorbench [--set DIR] [--count N] [--rounds R] [--sensitivity low|mid|high]
 *
 * DIR: a data set or folder of images (default ../shared/datasets/FVC2002/DB1_B
 * from the project root); N: its first N images (default all); R: passes
 * over them. The resolution is the set's (fp_dataset_default_dpi), told to
 * both backends.
 *
 * A latency runs from the moment the image is handed over to the end of
 * fp_sensor_capture ("capture"), and to the end of fp_extract on the frame
 * ("template"). libfprint: from giving the image to the virtual reader's
 * client (socket transfer, libfprint's own image processing, the gate);
 * replay: from calling the capture on a replay of that one file, opened
 * beforehand (the backend reads and decodes the file, plays one blank
 * frame and the frames the image needs to settle, then the gate). Only
 * presses both backends accepted are counted, so both lists hold the same
 * images. Prints the median and the 95th percentile in milliseconds.
 *
 * Exit status: 0 measured, 1 usage, 2 a failure (a capture error, an
 * unreadable image, nothing accepted), 3 nothing to measure here: the set
 * is missing or libfprint gives no virtual reader (not built, or no
 * virtual_image driver).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "fp/dataset.h"
#include "fp/fpio.h"
#include "fp/sensor.h"
#include "fp/sensor_vimage.h"

#define CAPTURE_MS 10000u

typedef struct lat {
    double *capture, *tmpl;
    size_t n;
} lat;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, double *v, size_t n)
{
    if (!n) {
        printf("  %-34s no accepted press\n", what);
        return;
    }
    qsort(v, n, sizeof(*v), cmp_double);
    size_t p95 = (size_t)((double)(n - 1) * 0.95 + 0.5);
    printf("  %-34s median %8.2f ms   p95 %8.2f ms   (n=%zu)\n", what, v[n / 2], v[p95], n);
}

/* Times one capture and the extraction of its frame; returns the capture status. */
static fp_status timed_press(fp_context *ctx, fp_sensor *s, double t0, double *capture_ms, double *tmpl_ms)
{
    fp_sensor_frame fr;
    fp_status rc = fp_sensor_capture(s, CAPTURE_MS, &fr, NULL);
    *capture_ms = fpb_now_ms() - t0;
    if (rc == FP_OK) {
        fp_image im = {fr.pixels, fr.width, fr.height, fr.width, fr.dpi};
        fp_template *t = NULL;
        rc = fp_extract(ctx, &im, &t, NULL);
        *tmpl_ms = fpb_now_ms() - t0;
        fp_template_destroy(t);
    }
    fp_sensor_frame_free(&fr);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: fpsensorbench [--set DIR] [--count N] [--rounds R] [--sensitivity low|mid|high]\n");
}

int main(int argc, char **argv)
{
    const char *set = "../shared/datasets/FVC2002/DB1_B";
    size_t count = 0, rounds = 1;
    fp_sensor_sensitivity sens = FP_SENSOR_MID;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 1;
        }
        if (strcmp(argv[i], "--set") == 0)
            set = v;
        else if (strcmp(argv[i], "--count") == 0)
            count = strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = strtoul(v, NULL, 10);
        else if (strcmp(argv[i], "--sensitivity") == 0 && fp_sensor_sensitivity_parse(v, &sens) == FP_OK)
            ;
        else {
            usage();
            return 1;
        }
        i++;
    }
    if (!rounds) {
        usage();
        return 1;
    }
    fp_dataset *ds = NULL;
    fp_status rc = fp_dataset_open(set, FP_LAYOUT_AUTO, &ds);
    if (rc != FP_OK || fp_dataset_count(ds) == 0) {
        fprintf(stderr, "fpsensorbench: %s: %s %s\n", set, fp_status_message(rc), fp_dataset_error_detail(ds));
        fp_dataset_destroy(ds);
        return 3;
    }
    if (!count || count > fp_dataset_count(ds))
        count = fp_dataset_count(ds);
    uint32_t dpi = fp_dataset_default_dpi(ds);
    fp_io_image *imgs = calloc(count, sizeof(*imgs));
    lat lf = {calloc(count * rounds, sizeof(double)), calloc(count * rounds, sizeof(double)), 0};
    lat rp = {calloc(count * rounds, sizeof(double)), calloc(count * rounds, sizeof(double)), 0};
    fp_context *ctx = NULL;
    if (!imgs || !lf.capture || !lf.tmpl || !rp.capture || !rp.tmpl || fp_context_create(NULL, &ctx) != FP_OK) {
        fprintf(stderr, "fpsensorbench: out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < count && rc == FP_OK; i++)
        if ((rc = fp_io_load(fp_dataset_sample(ds, i)->path, &imgs[i])) != FP_OK)
            fprintf(stderr, "fpsensorbench: %s: %s\n", fp_dataset_sample(ds, i)->path, fp_status_message(rc));

    /* The virtual reader, alone, on a socket of our own. */
    char dir[] = "/tmp/fpsensorbench.XXXXXX", sock[64];
    if (rc == FP_OK && !mkdtemp(dir))
        rc = FP_ERR_IO;
    snprintf(sock, sizeof(sock), "%s/reader", dir);
    setenv("FP_VIRTUAL_IMAGE", sock, 1);
    setenv("FP_DRIVERS_WHITELIST", "virtual_image", 1); /* libfprint up to 1.94.5 */
    setenv("FP_DRIVERS_ALLOWLIST", "virtual_image", 1); /* later releases */
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_LIBFPRINT;
    cfg.sensitivity = sens;
    cfg.dpi = dpi;
    fp_sensor *reader = NULL, *replay = NULL;
    fp_sensor_vimage *finger = NULL;
    int no_reader = 0;
    if (rc == FP_OK && (rc = fp_sensor_open(&cfg, &reader)) != FP_OK) {
        fprintf(stderr, "fpsensorbench: no libfprint virtual reader: %s\n", fp_status_message(rc));
        no_reader = rc == FP_ERR_NO_DEVICE || rc == FP_ERR_UNSUPPORTED;
    }
    if (rc == FP_OK)
        rc = fp_sensor_vimage_connect(sock, 2000, &finger);
    cfg.backend = FP_SENSOR_BACKEND_REPLAY;
    cfg.replay_blank_frames = 1;
    cfg.replay_hold_frames = 8; /* enough to settle at any sensitivity */
    size_t pressed = 0, both = 0;
    for (size_t r = 0; rc == FP_OK && r < rounds; r++) {
        for (size_t i = 0; rc == FP_OK && i < count; i++) {
            double lc = 0, lt = 0, rc_ms = 0, rt = 0;
            double t0 = fpb_now_ms();
            rc = fp_sensor_vimage_image(finger, imgs[i].pixels, imgs[i].width, imgs[i].height, imgs[i].width);
            if (rc != FP_OK)
                break;
            fp_status a = timed_press(ctx, reader, t0, &lc, &lt);
            cfg.source = fp_dataset_sample(ds, i)->path;
            fp_status b = fp_sensor_open(&cfg, &replay);
            if (b == FP_OK)
                b = timed_press(ctx, replay, fpb_now_ms(), &rc_ms, &rt);
            fp_sensor_close(replay);
            replay = NULL;
            pressed++;
            if (!fp_status_is_retry(a) && a != FP_OK)
                rc = a;
            else if (!fp_status_is_retry(b) && b != FP_OK)
                rc = b;
            else if (a == FP_OK && b == FP_OK) {
                lf.capture[lf.n] = lc;
                lf.tmpl[lf.n++] = lt;
                rp.capture[rp.n] = rc_ms;
                rp.tmpl[rp.n++] = rt;
                both++;
            }
        }
    }
    if (rc != FP_OK) {
        fprintf(stderr, "fpsensorbench: %s (%s)\n", fp_status_message(rc), fp_status_name(rc));
    } else {
        char name[128];
        fpb_set_display_name(set, name, sizeof(name));
        printf("capture-to-template latency: %s, %zu images x %zu rounds at %u dpi, sensitivity %s; "
               "%zu presses, %zu accepted by both backends\n",
               name, count, rounds, dpi, fp_sensor_sensitivity_name(sens), pressed, both);
        report("libfprint (virtual reader) capture", lf.capture, lf.n);
        report("libfprint (virtual reader) template", lf.tmpl, lf.n);
        report("replay capture", rp.capture, rp.n);
        report("replay template", rp.tmpl, rp.n);
    }
    fp_sensor_vimage_close(finger);
    fp_sensor_close(reader);
    unlink(sock);
    rmdir(dir);
    fp_context_destroy(ctx);
    for (size_t i = 0; i < count; i++)
        fp_io_image_free(&imgs[i]);
    free(imgs);
    free(lf.capture);
    free(lf.tmpl);
    free(rp.capture);
    free(rp.tmpl);
    fp_dataset_destroy(ds);
    return no_reader ? 3 : rc == FP_OK && both ? 0 : 2;
}
