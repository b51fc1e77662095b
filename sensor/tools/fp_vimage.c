/*
 * fp-vimage - plays the finger on libfprint's virtual image reader
 * (sensor_vimage.h), to try fp-capture, the terminal or the simulator on
 * the libfprint backend without a reader.
 *
 *   fp-vimage --socket PATH [--timeout MS] ACTION...
 *
 * ACTION, sent in order: an image file (or a folder: its first image),
 * --retry N, --error N, --unplug, --finger on|off, --auto-finger on|off.
 * The reader takes one press per capture, so give one image per run; the
 * program returns once everything was handed to the reader's socket.
 *
 * Exit status: 0 sent, 1 usage, 2 no reader at PATH or an image unreadable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/sensor_vimage.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: fp-vimage --socket PATH [--timeout MS] ACTION...\n"
               "  ACTION: IMAGE|FOLDER, --retry N, --error N, --unplug, --finger on|off, --auto-finger on|off\n");
}

static int on_off(const char *v, int *out)
{
    if (strcmp(v, "on") == 0)
        *out = 1;
    else if (strcmp(v, "off") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

static int code_of(const char *v, int *out)
{
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (!end || *end || n < 0 || n > 1000)
        return -1;
    *out = (int)n;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    uint32_t timeout = 5000;
    int first = 1;
    while (first + 1 < argc && argv[first][0] == '-' && argv[first][1] == '-') {
        if (strcmp(argv[first], "--socket") == 0)
            path = argv[first + 1];
        else if (strcmp(argv[first], "--timeout") == 0)
            timeout = (uint32_t)strtoul(argv[first + 1], NULL, 10);
        else
            break;
        first += 2;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (!path || first >= argc) {
        usage(stderr);
        return 1;
    }
    fp_sensor_vimage *c = NULL;
    fp_status st = fp_sensor_vimage_connect(path, timeout, &c);
    if (st != FP_OK) {
        fprintf(stderr, "fp-vimage: no virtual reader at %s: %s (start the program that opens it with "
                        "FP_VIRTUAL_IMAGE=%s)\n", path, fp_status_message(st), path);
        return 2;
    }
    int rc = 0;
    for (int i = first; i < argc && rc == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int n = 0;
        if (a[0] != '-') {
            st = fp_sensor_vimage_image_file(c, a);
            if (st != FP_OK) {
                fprintf(stderr, "fp-vimage: %s: %s\n", a, fp_status_message(st));
                rc = 2;
            }
            continue;
        }
        if (strcmp(a, "--unplug") == 0) {
            st = fp_sensor_vimage_unplug(c);
        } else if (!v) {
            rc = 1;
            break;
        } else if (strcmp(a, "--retry") == 0 && code_of(v, &n) == 0) {
            st = fp_sensor_vimage_retry(c, n);
            i++;
        } else if (strcmp(a, "--error") == 0 && code_of(v, &n) == 0) {
            st = fp_sensor_vimage_error(c, n);
            i++;
        } else if (strcmp(a, "--finger") == 0 && on_off(v, &n) == 0) {
            st = fp_sensor_vimage_finger(c, n);
            i++;
        } else if (strcmp(a, "--auto-finger") == 0 && on_off(v, &n) == 0) {
            st = fp_sensor_vimage_auto_finger(c, n);
            i++;
        } else {
            rc = 1;
            break;
        }
        if (st != FP_OK) {
            fprintf(stderr, "fp-vimage: %s: %s\n", a, fp_status_message(st));
            rc = 2;
        }
    }
    if (rc == 1)
        usage(stderr);
    fp_sensor_vimage_close(c);
    return rc;
}
