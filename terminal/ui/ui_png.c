/* ui_png.c - PNG output of the framebuffer and input for the screenshot tests (libpng). */
#include "ui_fb.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpng reports errors by longjmp; the handlers below keep it from printing. */
static void png_quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}
static void png_quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

ui_status ui_png_write_rgb(const char *path, const uint8_t *rgb, int w, int h)
{
    if (!path || !rgb || w <= 0 || h <= 0) return UI_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "wb");
    if (!f) return UI_ERR_IO;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        return UI_ERR_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return UI_ERR_PNG;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * (size_t)w * 3));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fclose(f) != 0) return UI_ERR_IO;
    return UI_OK;
}

ui_status ui_fb_write_png(const ui_fb *fb, const char *path, int scale)
{
    if (!fb || !path || scale < 1 || scale > 8) return UI_ERR_INVALID_ARGUMENT;
    int w = ui_fb_width(fb), h = ui_fb_height(fb);
    int ow = w * scale, oh = h * scale;
    uint8_t *rgb = malloc((size_t)ow * (size_t)oh * 3);
    if (!rgb) return UI_ERR_NO_MEMORY;
    const ui_color *px = ui_fb_pixels(fb);
    for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++)
            ui_color_rgb888(px[(size_t)(y / scale) * (size_t)w + (size_t)(x / scale)],
                            rgb + ((size_t)y * (size_t)ow + (size_t)x) * 3);
    }
    ui_status st = ui_png_write_rgb(path, rgb, ow, oh);
    free(rgb);
    return st;
}

ui_status ui_png_read_rgb(const char *path, uint8_t **rgb, int *w, int *h)
{
    if (!path || !rgb || !w || !h) return UI_ERR_INVALID_ARGUMENT;
    *rgb = NULL;
    *w = *h = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return UI_ERR_IO;
    uint8_t sig[8];
    if (fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        fclose(f);
        return UI_ERR_PNG;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(f);
        return UI_ERR_NO_MEMORY;
    }
    uint8_t *volatile out = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(out);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        return UI_ERR_PNG;
    }
    png_init_io(png, f);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    png_uint_32 pw = png_get_image_width(png, info), ph = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if (pw == 0 || ph == 0 || pw > 8192 || ph > 8192) png_error(png, "size");
    if (depth == 16) png_set_strip_16(png);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)pw * 3) png_error(png, "layout");
    out = malloc((size_t)pw * ph * 3);
    rows = malloc(sizeof(png_bytep) * ph);
    if (!out || !rows) png_error(png, "memory");
    for (png_uint_32 y = 0; y < ph; y++) rows[y] = out + (size_t)y * pw * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    *rgb = out;
    *w = (int)pw;
    *h = (int)ph;
    return UI_OK;
}
