/*
 * m1-ui-shots - renders every sample screen (ui_samples.h) to DIR/<name>.png.
 * Used by scripts/ui-review.sh to regenerate tests/ui_ref/ and docs/img/.
 *
 *   m1-ui-shots DIR [--scale N] [--only NAME] [--models] [--time N]
 *
 * --time N renders each sample N more times and prints the mean and the
 * largest time per render (the figure in docs/ui.md).
 *
 * --models also writes each sample's raw model bytes as DIR/<name>.model
 * (the seeds of the fuzz_ui_render corpus).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui_fb.h"
#include "ui_render.h"
#include "ui_samples.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL;
    int scale = 1, models = 0, reps = 0;
    double total_ms = 0, worst_ms = 0;
    const char *worst = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--models"))
            models = 1;
        else if (!strcmp(argv[i], "--time") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: m1-ui-shots DIR [--scale N] [--only NAME]\n");
            return 2;
        }
    }
    if (!dir || scale < 1 || scale > 8) {
        fprintf(stderr, "usage: m1-ui-shots DIR [--scale 1..8] [--only NAME]\n");
        return 2;
    }
    ui_fb *fb = NULL;
    ui_status st = ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &fb);
    if (st != UI_OK) {
        fprintf(stderr, "m1-ui-shots: %s\n", ui_status_message(st));
        return 1;
    }
    static term_screen_model m;
    int rc = 0, written = 0;
    for (size_t i = 0; i < ui_sample_count(); i++) {
        const char *name = ui_sample_name(i);
        if (only && strcmp(only, name) != 0) continue;
        ui_sample_model(i, &m);
        st = ui_render(&m, fb);
        if (st != UI_OK) fprintf(stderr, "m1-ui-shots: %s: %s\n", name, ui_status_message(st));
        if (reps > 0) {
            double t0 = now_ms();
            for (int r = 0; r < reps; r++) ui_render(&m, fb);
            double per = (now_ms() - t0) / reps;
            total_ms += per;
            if (per > worst_ms) worst_ms = per, worst = name;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.png", dir, name);
        st = ui_fb_write_png(fb, path, scale);
        if (st != UI_OK) {
            fprintf(stderr, "m1-ui-shots: %s: %s\n", path, ui_status_message(st));
            rc = 1;
            continue;
        }
        written++;
        if (models) {
            snprintf(path, sizeof path, "%s/%s.model", dir, name);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(&m, sizeof m, 1, f) != 1) {
                fprintf(stderr, "m1-ui-shots: cannot write %s\n", path);
                rc = 1;
            }
            if (f) fclose(f);
        }
    }
    ui_fb_destroy(fb);
    printf("%d screenshots written to %s\n", written, dir);
    if (reps > 0 && written > 0)
        printf("render: mean %.3f ms per screen over %d screens, largest %.3f ms (%s), %d renders each\n",
               total_ms / written, written, worst_ms, worst, reps);
    return rc;
}
