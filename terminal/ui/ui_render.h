/*
 * ui_render.h - draws a term_screen_model (terminal/app/term_screen.h) into
 * a framebuffer: the renderer of the device's LCD, of the SDL simulator and
 * of the screenshot tests.
 *
 * Layout on the 320 x 240 panel (ui_fb.h):
 *
 *   y   0..19   status bar: time, punch state, USB / server / Wi-Fi icons
 *   y  20..45   title bar (not on standby, LCD patterns)
 *   y  46..239  body, by body kind; the last 18 rows hold the model's
 *               hint line when it has one
 *
 * Rendering is a pure function of the model: the same model gives the same
 * pixels, which the screenshot tests rely on. No allocation except the QR
 * matrix on the stack, no I/O, no global state.
 */
#ifndef UI_RENDER_H
#define UI_RENDER_H

#include "term_screen.h"
#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Geometry of the regions above, for tests and the simulator. */
#define UI_STATUS_H 20
#define UI_TITLE_H 26
#define UI_HINT_H 18
#define UI_LIST_ROW_H 29

/*
 * Draws m over the whole framebuffer. Returns UI_OK, or
 * UI_ERR_INVALID_ARGUMENT (NULL), or UI_ERR_QR_TOO_LONG when a QR body's
 * payload could not be encoded (the screen is still drawn, with a notice
 * in place of the code).
 */
ui_status ui_render(const term_screen_model *m, ui_fb *fb);

/* Pieces, also used by the simulator and the tests. */
void ui_draw_status_bar(ui_fb *fb, const term_scr_status *st);
void ui_draw_title_bar(ui_fb *fb, const char *title, const char *right);
/* Large artwork centred on (cx, cy) with the given radius: marks and method pictures. */
void ui_draw_artwork(ui_fb *fb, term_icon icon, int cx, int cy, int radius);
/* The fingerprint picture (concentric ridges of a whorl), inside r. */
void ui_draw_fingerprint_art(ui_fb *fb, ui_rect r, ui_color ink);

#ifdef __cplusplus
}
#endif

#endif /* UI_RENDER_H */
