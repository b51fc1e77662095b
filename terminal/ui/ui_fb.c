/* ui_fb.c - framebuffer and primitives (see ui_fb.h). */
#include "ui_fb.h"

#include <stdlib.h>

struct ui_fb {
    int w, h;
    ui_color *px;
};

#define UI_STATUS_MSG_(name, num, msg)                                                                                 \
    case UI_##name:                                                                                                    \
        return msg;
const char *ui_status_message(ui_status status)
{
    switch (status) {
        UI_STATUS_MAP(UI_STATUS_MSG_)
    }
    return "unknown status";
}
#undef UI_STATUS_MSG_

#define UI_STATUS_NAME_(name, num, msg)                                                                                \
    case UI_##name:                                                                                                    \
        return "UI_" #name;
const char *ui_status_name(ui_status status)
{
    switch (status) {
        UI_STATUS_MAP(UI_STATUS_NAME_)
    }
    return "UI_UNKNOWN";
}
#undef UI_STATUS_NAME_

void ui_color_rgb888(ui_color c, uint8_t rgb[3])
{
    unsigned r = (c >> 11) & 0x1F, g = (c >> 5) & 0x3F, b = c & 0x1F;
    rgb[0] = (uint8_t)((r << 3) | (r >> 2));
    rgb[1] = (uint8_t)((g << 2) | (g >> 4));
    rgb[2] = (uint8_t)((b << 3) | (b >> 2));
}

ui_status ui_fb_create(int width, int height, ui_fb **out)
{
    if (!out) return UI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (width <= 0 || height <= 0 || width > 4096 || height > 4096) return UI_ERR_INVALID_ARGUMENT;
    ui_fb *fb = calloc(1, sizeof *fb);
    if (!fb) return UI_ERR_NO_MEMORY;
    fb->px = calloc((size_t)width * (size_t)height, sizeof *fb->px);
    if (!fb->px) {
        free(fb);
        return UI_ERR_NO_MEMORY;
    }
    fb->w = width;
    fb->h = height;
    *out = fb;
    return UI_OK;
}

void ui_fb_destroy(ui_fb *fb)
{
    if (!fb) return;
    free(fb->px);
    free(fb);
}

int ui_fb_width(const ui_fb *fb)
{
    return fb->w;
}
int ui_fb_height(const ui_fb *fb)
{
    return fb->h;
}
const ui_color *ui_fb_pixels(const ui_fb *fb)
{
    return fb->px;
}

ui_color ui_fb_get(const ui_fb *fb, int x, int y)
{
    if (x < 0 || y < 0 || x >= fb->w || y >= fb->h) return 0;
    return fb->px[(size_t)y * (size_t)fb->w + (size_t)x];
}

void ui_fb_to_rgb888(const ui_fb *fb, uint8_t *rgb)
{
    size_t n = (size_t)fb->w * (size_t)fb->h;
    for (size_t i = 0; i < n; i++) ui_color_rgb888(fb->px[i], rgb + 3 * i);
}

void ui_fb_clear(ui_fb *fb, ui_color c)
{
    size_t n = (size_t)fb->w * (size_t)fb->h;
    for (size_t i = 0; i < n; i++) fb->px[i] = c;
}

void ui_fb_pixel(ui_fb *fb, int x, int y, ui_color c)
{
    if (x < 0 || y < 0 || x >= fb->w || y >= fb->h) return;
    fb->px[(size_t)y * (size_t)fb->w + (size_t)x] = c;
}

/* Clips r to the framebuffer; returns 0 when nothing is left. */
static int clip(const ui_fb *fb, ui_rect *r)
{
    int x0 = r->x < 0 ? 0 : r->x;
    int y0 = r->y < 0 ? 0 : r->y;
    long x1 = (long)r->x + r->w, y1 = (long)r->y + r->h;
    if (x1 > fb->w) x1 = fb->w;
    if (y1 > fb->h) y1 = fb->h;
    if (r->w <= 0 || r->h <= 0 || x1 <= x0 || y1 <= y0) return 0;
    r->x = x0;
    r->y = y0;
    r->w = (int)(x1 - x0);
    r->h = (int)(y1 - y0);
    return 1;
}

void ui_fb_fill(ui_fb *fb, ui_rect r, ui_color c)
{
    if (!clip(fb, &r)) return;
    for (int y = r.y; y < r.y + r.h; y++) {
        ui_color *row = fb->px + (size_t)y * (size_t)fb->w;
        for (int x = r.x; x < r.x + r.w; x++) row[x] = c;
    }
}

void ui_fb_hline(ui_fb *fb, int x, int y, int w, ui_color c)
{
    ui_fb_fill(fb, (ui_rect){x, y, w, 1}, c);
}
void ui_fb_vline(ui_fb *fb, int x, int y, int h, ui_color c)
{
    ui_fb_fill(fb, (ui_rect){x, y, 1, h}, c);
}

void ui_fb_frame(ui_fb *fb, ui_rect r, ui_color c)
{
    if (r.w <= 0 || r.h <= 0) return;
    ui_fb_hline(fb, r.x, r.y, r.w, c);
    ui_fb_hline(fb, r.x, r.y + r.h - 1, r.w, c);
    ui_fb_vline(fb, r.x, r.y, r.h, c);
    ui_fb_vline(fb, r.x + r.w - 1, r.y, r.h, c);
}

void ui_fb_line(ui_fb *fb, int x0, int y0, int x1, int y1, ui_color c)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        ui_fb_pixel(fb, x0, y0, c);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

void ui_fb_round_fill(ui_fb *fb, ui_rect r, int radius, ui_color c)
{
    if (r.w <= 0 || r.h <= 0) return;
    if (radius * 2 > r.w) radius = r.w / 2;
    if (radius * 2 > r.h) radius = r.h / 2;
    for (int y = 0; y < r.h; y++) {
        int inset = 0;
        int dy = -1;
        if (y < radius)
            dy = radius - y;
        else if (y >= r.h - radius)
            dy = y - (r.h - radius - 1);
        if (dy > 0) {
            /* inset so that (radius - inset)^2 + dy^2 <= radius^2, measured from pixel centres */
            inset = radius;
            while (inset > 0) {
                int ox = radius - inset + 1;
                if (ox * ox + dy * dy > radius * radius + radius) break;
                inset--;
            }
        }
        ui_fb_hline(fb, r.x + inset, r.y + y, r.w - 2 * inset, c);
    }
}

void ui_fb_disc(ui_fb *fb, int cx, int cy, int radius, ui_color c)
{
    for (int dy = -radius; dy <= radius; dy++) {
        int dx = 0;
        while ((dx + 1) * (dx + 1) + dy * dy <= radius * radius + radius) dx++;
        ui_fb_hline(fb, cx - dx, cy + dy, 2 * dx + 1, c);
    }
}

void ui_fb_circle(ui_fb *fb, int cx, int cy, int radius, ui_color c)
{
    int x = radius, y = 0, err = 1 - radius;
    while (x >= y) {
        ui_fb_pixel(fb, cx + x, cy + y, c);
        ui_fb_pixel(fb, cx + y, cy + x, c);
        ui_fb_pixel(fb, cx - y, cy + x, c);
        ui_fb_pixel(fb, cx - x, cy + y, c);
        ui_fb_pixel(fb, cx - x, cy - y, c);
        ui_fb_pixel(fb, cx - y, cy - x, c);
        ui_fb_pixel(fb, cx + y, cy - x, c);
        ui_fb_pixel(fb, cx + x, cy - y, c);
        y++;
        if (err < 0) {
            err += 2 * y + 1;
        } else {
            x--;
            err += 2 * (y - x) + 1;
        }
    }
}

void ui_fb_triangle(ui_fb *fb, ui_rect r, int dir, ui_color c)
{
    if (r.w <= 0 || r.h <= 0) return;
    if (dir <= 1) {
        /* rows: apex row is 1 pixel (or 2), base row is full width */
        int half = r.w / 2;
        int rows = r.h < half + 1 ? r.h : half + 1;
        int top = r.y + (r.h - rows) / 2;
        for (int i = 0; i < rows; i++) {
            int span = rows > 1 ? (i * half) / (rows - 1) : half;
            int y = dir == 0 ? top + i : top + rows - 1 - i;
            ui_fb_hline(fb, r.x + half - span, y, 2 * span + (r.w & 1), c);
        }
    } else {
        int half = r.h / 2;
        int cols = r.w < half + 1 ? r.w : half + 1;
        int left = r.x + (r.w - cols) / 2;
        for (int i = 0; i < cols; i++) {
            int span = cols > 1 ? (i * half) / (cols - 1) : half;
            int x = dir == 2 ? left + i : left + cols - 1 - i;
            ui_fb_vline(fb, x, r.y + half - span, 2 * span + (r.h & 1), c);
        }
    }
}

ui_rect ui_fb_gray_image(ui_fb *fb, ui_rect dst, const uint8_t *gray, int w, int h, int stride)
{
    ui_rect none = {dst.x, dst.y, 0, 0};
    if (!gray || w <= 0 || h <= 0 || stride < w || dst.w <= 0 || dst.h <= 0) return none;
    /* fit: scale = min(dst.w / w, dst.h / h) as a rational */
    int ow, oh;
    if ((long)dst.w * h <= (long)dst.h * w) {
        ow = dst.w;
        oh = (int)((long)h * dst.w / w);
    } else {
        oh = dst.h;
        ow = (int)((long)w * dst.h / h);
    }
    if (ow < 1) ow = 1;
    if (oh < 1) oh = 1;
    ui_rect out = {dst.x + (dst.w - ow) / 2, dst.y + (dst.h - oh) / 2, ow, oh};
    for (int y = 0; y < oh; y++) {
        int sy = (int)((long)y * h / oh);
        for (int x = 0; x < ow; x++) {
            int sx = (int)((long)x * w / ow);
            uint8_t v = gray[(size_t)sy * (size_t)stride + (size_t)sx];
            ui_fb_pixel(fb, out.x + x, out.y + y, UI_RGB(v, v, v));
        }
    }
    return out;
}
