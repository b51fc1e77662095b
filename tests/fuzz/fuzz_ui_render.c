/* Fuzz target: the renderer with any bytes as a screen model (unterminated
 * strings, counts and enums out of range). It must draw and never read or
 * write out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    term_screen_model *m = calloc(1, sizeof *m);
    ui_fb *fb = NULL;
    if (m && ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &fb) == UI_OK) {
        memcpy(m, data, size < sizeof *m ? size : sizeof *m);
        ui_render(m, fb);
    }
    ui_fb_destroy(fb);
    free(m);
    return 0;
}
