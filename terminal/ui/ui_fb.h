/*
 * ui_fb.h - the terminal's framebuffer and drawing primitives.
 *
 * The M1's display is modelled as a 320 x 240 panel (landscape, QVGA) with
 * 16-bit RGB565 pixels, the usual format of the small SPI TFT controllers
 * such devices use. The manual gives no resolution; 320 x 240 fits its
 * screens (five or six list rows, a title, a status bar) and is documented
 * in docs/ui.md. Every function takes the size from the framebuffer, so a
 * different panel only changes UI_FB_WIDTH / UI_FB_HEIGHT at creation.
 *
 * Drawing clips to the framebuffer: coordinates outside it are legal and
 * simply draw nothing. Drawing never allocates (ui_fb_create and the PNG
 * functions do); nothing prints, and there is no global state. One ui_fb is
 * used by one thread.
 */
#ifndef UI_FB_H
#define UI_FB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, number, message). Numbers never change once released. */
#define UI_STATUS_MAP(X)                                                                                               \
    X(OK, 0, "success")                                                                                                \
    X(ERR_INVALID_ARGUMENT, 1, "invalid argument")                                                                     \
    X(ERR_NO_MEMORY, 2, "out of memory")                                                                               \
    X(ERR_IO, 3, "file cannot be read or written")                                                                     \
    X(ERR_PNG, 4, "PNG encoder or decoder failure, or not a PNG file")                                                 \
    X(ERR_QR_TOO_LONG, 5, "QR payload too long for the code or the screen")                                            \
    X(ERR_UNSUPPORTED, 6, "feature not available in this build")                                                       \
    X(ERR_SCRIPT, 7, "bad line in the event script")

typedef enum ui_status {
#define UI_STATUS_ENUM_(name, num, msg) UI_##name = num,
    UI_STATUS_MAP(UI_STATUS_ENUM_)
#undef UI_STATUS_ENUM_
} ui_status;

/* Static English message; never NULL. */
const char *ui_status_message(ui_status status);
/* Symbolic name, e.g. "UI_ERR_IO"; never NULL. */
const char *ui_status_name(ui_status status);

#define UI_FB_WIDTH 320
#define UI_FB_HEIGHT 240

/* An RGB565 colour. */
typedef uint16_t ui_color;
#define UI_RGB(r, g, b) ((ui_color)((((unsigned)(r)&0xF8u) << 8) | (((unsigned)(g)&0xFCu) << 3) | ((unsigned)(b) >> 3)))

/* Expands an RGB565 colour to 8-bit channels (bit replication). */
void ui_color_rgb888(ui_color c, uint8_t rgb[3]);

typedef struct ui_fb ui_fb;

/* A rectangle; w or h <= 0 is empty. */
typedef struct ui_rect {
    int x, y, w, h;
} ui_rect;

/*
 * Creates a width x height framebuffer cleared to black. Caller frees with
 * ui_fb_destroy. Errors: UI_ERR_INVALID_ARGUMENT (size 0 or above 4096),
 * UI_ERR_NO_MEMORY.
 */
ui_status ui_fb_create(int width, int height, ui_fb **out);
/* Accepts NULL. */
void ui_fb_destroy(ui_fb *fb);

int ui_fb_width(const ui_fb *fb);
int ui_fb_height(const ui_fb *fb);
/* Row-major pixels, stride == width. Borrowed; valid until destroy. */
const ui_color *ui_fb_pixels(const ui_fb *fb);
/* The colour at (x, y); 0 outside. */
ui_color ui_fb_get(const ui_fb *fb, int x, int y);

/* Copies the frame as 8-bit RGB (width * height * 3 bytes) into rgb. */
void ui_fb_to_rgb888(const ui_fb *fb, uint8_t *rgb);

void ui_fb_clear(ui_fb *fb, ui_color c);
void ui_fb_pixel(ui_fb *fb, int x, int y, ui_color c);
void ui_fb_fill(ui_fb *fb, ui_rect r, ui_color c);
/* 1-pixel outline. */
void ui_fb_frame(ui_fb *fb, ui_rect r, ui_color c);
void ui_fb_hline(ui_fb *fb, int x, int y, int w, ui_color c);
void ui_fb_vline(ui_fb *fb, int x, int y, int h, ui_color c);
/* Bresenham line, thickness 1; both ends included. */
void ui_fb_line(ui_fb *fb, int x0, int y0, int x1, int y1, ui_color c);
/* Filled rectangle with corners rounded by radius. */
void ui_fb_round_fill(ui_fb *fb, ui_rect r, int radius, ui_color c);
/* Filled circle / 1-pixel circle. */
void ui_fb_disc(ui_fb *fb, int cx, int cy, int radius, ui_color c);
void ui_fb_circle(ui_fb *fb, int cx, int cy, int radius, ui_color c);
/* Filled triangle pointing up (dir 0), down (1), left (2) or right (3), inside r. */
void ui_fb_triangle(ui_fb *fb, ui_rect r, int dir, ui_color c);

/*
 * Draws an 8-bit gray image (w x h, given stride) scaled with nearest
 * neighbour to fit inside dst keeping its aspect ratio, centred. Returns the
 * rectangle actually covered.
 */
ui_rect ui_fb_gray_image(ui_fb *fb, ui_rect dst, const uint8_t *gray, int w, int h, int stride);

/*
 * Writes the framebuffer as an 8-bit RGB PNG, every pixel repeated scale x
 * scale times (1..8). Errors: UI_ERR_INVALID_ARGUMENT, UI_ERR_IO,
 * UI_ERR_PNG, UI_ERR_NO_MEMORY.
 */
ui_status ui_fb_write_png(const ui_fb *fb, const char *path, int scale);

/*
 * Reads an 8-bit RGB or RGBA PNG (alpha dropped) for the screenshot tests.
 * *rgb is malloc'ed (w*h*3); caller frees with free(). Errors:
 * UI_ERR_INVALID_ARGUMENT, UI_ERR_IO, UI_ERR_PNG, UI_ERR_NO_MEMORY.
 */
ui_status ui_png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h);

/* Writes w x h RGB888 pixels as a PNG. Same errors as ui_fb_write_png. */
ui_status ui_png_write_rgb(const char *path, const uint8_t *rgb, int w, int h);

#ifdef __cplusplus
}
#endif

#endif /* UI_FB_H */
