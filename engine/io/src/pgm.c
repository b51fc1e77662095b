/*
 * pgm.c - PGM (Netpbm graymap) reading, P5 binary and P2 ASCII, and P5
 * writing. Only the first image of a multi-image file is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

typedef struct pgm_cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
} pgm_cursor;

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips white space and '#' comments (which run to the end of the line). */
static void skip_space(pgm_cursor *c)
{
    while (c->pos < c->len) {
        uint8_t ch = c->data[c->pos];
        if (ch == '#') {
            while (c->pos < c->len && c->data[c->pos] != '\n' && c->data[c->pos] != '\r') c->pos++;
        } else if (is_space(ch)) {
            c->pos++;
        } else {
            break;
        }
    }
}

/*
 * Reads one unsigned decimal number after optional space and comments.
 * Values above 2^32 - 1 saturate (they are rejected by the callers' range
 * checks anyway). The number must end at white space, a comment or, when
 * end_ok, at the end of the data.
 */
static fp_status read_uint(pgm_cursor *c, int end_ok, uint32_t *out)
{
    skip_space(c);
    if (c->pos >= c->len) return FP_ERR_FILE_CORRUPT;
    uint64_t v = 0;
    size_t start = c->pos;
    while (c->pos < c->len && c->data[c->pos] >= '0' && c->data[c->pos] <= '9') {
        v = v * 10u + (uint64_t)(c->data[c->pos] - '0');
        if (v > UINT32_MAX) v = UINT32_MAX;
        c->pos++;
    }
    if (c->pos == start) return FP_ERR_FILE_CORRUPT;
    if (c->pos == c->len) {
        if (!end_ok) return FP_ERR_FILE_CORRUPT;
    } else if (!is_space(c->data[c->pos]) && c->data[c->pos] != '#') {
        return FP_ERR_FILE_CORRUPT;
    }
    *out = (uint32_t)v;
    return FP_OK;
}

static fp_status decode_raw(pgm_cursor *c, uint32_t maxval, fp_io_image *img)
{
    size_t count = (size_t)img->width * img->height;
    const uint8_t *src = c->data + c->pos;
    if (maxval < 256) {
        for (size_t i = 0; i < count; i++) {
            if (src[i] > maxval) return FP_ERR_FILE_CORRUPT;
            img->pixels[i] = maxval == 255 ? src[i] : fpi_io_scale(src[i], maxval);
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            uint32_t v = (uint32_t)src[2 * i] << 8 | src[2 * i + 1];
            if (v > maxval) return FP_ERR_FILE_CORRUPT;
            img->pixels[i] = fpi_io_scale(v, maxval);
        }
    }
    return FP_OK;
}

static fp_status decode_plain(pgm_cursor *c, uint32_t maxval, fp_io_image *img)
{
    size_t count = (size_t)img->width * img->height;
    for (size_t i = 0; i < count; i++) {
        uint32_t v;
        fp_status st = read_uint(c, 1, &v);
        if (st != FP_OK) return st;
        if (v > maxval) return FP_ERR_FILE_CORRUPT;
        img->pixels[i] = fpi_io_scale(v, maxval);
    }
    return FP_OK;
}

/* Reads the header's three numbers and checks the dimensions; leaves the
 * cursor just after maxval. */
static fp_status read_header(pgm_cursor *c, uint32_t *width, uint32_t *height, uint32_t *maxval)
{
    fp_status st = read_uint(c, 0, width);
    if (st == FP_OK) st = read_uint(c, 0, height);
    if (st == FP_OK) st = read_uint(c, 0, maxval);
    if (st != FP_OK) return st;
    return fpi_io_check_dims(*width, *height);
}

fp_status fpi_io_pgm_decode(const uint8_t *data, size_t len, fp_io_image *img)
{
    pgm_cursor c = {data, len, 2};
    int plain = data[1] == '2';
    uint32_t width, height, maxval;
    fp_status st = read_header(&c, &width, &height, &maxval);
    if (st != FP_OK) return st;
    if (maxval < 1 || maxval > 65535) return FP_ERR_FILE_CORRUPT;

    uint64_t count = (uint64_t)width * height;
    if (plain) {
        /* Each sample takes at least one digit, and all but the last one a
         * separator: reject short files before allocating. */
        if (2 * count - 1 > len - c.pos) return FP_ERR_FILE_CORRUPT;
    } else {
        /* Exactly one white space character separates maxval from the
         * raster (read_uint left the cursor on it). */
        if (c.pos >= len || !is_space(data[c.pos])) return FP_ERR_FILE_CORRUPT;
        c.pos++;
        uint64_t need = count * (maxval < 256 ? 1u : 2u);
        if (need > len - c.pos) return FP_ERR_FILE_CORRUPT;
    }
    st = fpi_io_alloc_pixels(img, width, height);
    if (st != FP_OK) return st;
    return plain ? decode_plain(&c, maxval, img) : decode_raw(&c, maxval, img);
}

fp_status fpi_io_pgm_need(const uint8_t *data, size_t len, uint64_t *need)
{
    pgm_cursor c = {data, len, 2};
    uint32_t width, height, maxval;
    fp_status st = read_header(&c, &width, &height, &maxval);
    if (st != FP_OK) return st;
    const uint64_t count = (uint64_t)width * height;
    /* An ASCII sample takes up to five digits and a separator (padding and
     * comments aside); a binary one one or two bytes. */
    *need = c.pos + 1u + count * (data[1] == '2' ? 6u : maxval < 256 ? 1u : 2u);
    return FP_OK;
}

fp_status fp_io_write_pgm(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint32_t stride)
{
    if (!path || !pixels) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;
    if (stride < width) return FP_ERR_INVALID_ARGUMENT;

    FILE *f = fopen(path, "wb");
    if (!f) return FP_ERR_IO;
    if (fprintf(f, "P5\n%u %u\n255\n", (unsigned)width, (unsigned)height) < 0) st = FP_ERR_IO;
    for (uint32_t y = 0; st == FP_OK && y < height; y++) {
        if (fwrite(pixels + (size_t)y * stride, 1, width, f) != width) st = FP_ERR_IO;
    }
    return fpi_io_close_output(f, path, st);
}
