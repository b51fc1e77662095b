/* ui_ref_check.c - see ui_ref_check.h. */
#include "ui_ref_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ui_ref_check(const ui_fb *fb, const char *name, const char *outdir, char *why, size_t cap)
{
    char ref[1024], out[1024];
    snprintf(ref, sizeof ref, "%s/tests/ui_ref/%s.png", FP_SOURCE_DIR, name);
    snprintf(out, sizeof out, "%s/%s.png", outdir, name);
    const char *write = getenv("UI_REF_WRITE");
    if (write && strcmp(write, "1") == 0) {
        ui_status st = ui_fb_write_png(fb, ref, 1);
        snprintf(why, cap, "%s written (%s)", ref, ui_status_message(st));
        return st == UI_OK;
    }
    int w = ui_fb_width(fb), h = ui_fb_height(fb);
    uint8_t *mine = malloc((size_t)w * (size_t)h * 3), *want = NULL;
    int rw = 0, rh = 0, ok = 0;
    ui_status st = ui_png_read_rgb(ref, &want, &rw, &rh);
    if (mine == NULL) {
        snprintf(why, cap, "out of memory");
    } else if (st != UI_OK || rw != w || rh != h) {
        snprintf(why, cap, "%s: reference missing or of another size (%s); run scripts/ui-review.sh", name,
                 ui_status_message(st));
    } else {
        ui_fb_to_rgb888(fb, mine);
        size_t n = (size_t)w * (size_t)h, off = 0;
        for (size_t k = 0; k < n; k++) {
            int d = 0;
            for (int c = 0; c < 3; c++) {
                int diff = abs((int)mine[3 * k + c] - (int)want[3 * k + c]);
                if (diff > d) d = diff;
            }
            if (d > 1) {
                off = n; /* a real difference */
                break;
            }
            off += d > 0;
        }
        ok = off <= n / 1000;
        if (!ok) snprintf(why, cap, "%s: differs from %s; actual written to %s", name, ref, out);
    }
    if (!ok) {
        mkdir(outdir, 0755);
        ui_fb_write_png(fb, out, 1);
    }
    free(mine);
    free(want);
    return ok;
}
