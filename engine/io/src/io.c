/*
 * io.c - format detection, dispatch and file loading for fpio.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io_internal.h"

/* Largest file fp_io_load reads: above the largest supported image in its
 * most verbose encoding (8192 x 8192 16-bit RGBA, or ASCII PGM). */
#define FPI_IO_MAX_FILE ((size_t)1 << 30)

static int is_pnm_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

fp_io_format fp_io_detect(const uint8_t *data, size_t len)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!data) return FP_IO_UNKNOWN;
    if (len >= 8 && memcmp(data, png_sig, 8) == 0) return FP_IO_PNG;
    /* Classic TIFF (42) and BigTIFF (43), both byte orders. */
    if (len >= 4 && ((data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0) ||
                     (data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43))))
        return FP_IO_TIFF;
    if (len >= 3 && data[0] == 'P' && (data[1] == '5' || data[1] == '2') && is_pnm_space(data[2]))
        return FP_IO_PGM;
    if (len >= 2 && data[0] == 'B' && data[1] == 'M') return FP_IO_BMP;
    return FP_IO_UNKNOWN;
}

fp_status fpi_io_check_dims(uint64_t width, uint64_t height)
{
    if (width < 1 || height < 1 || width > FP_IO_MAX_DIM || height > FP_IO_MAX_DIM) return FP_ERR_IMAGE_SIZE;
    return FP_OK;
}

fp_status fpi_io_alloc_pixels(fp_io_image *img, uint64_t width, uint64_t height)
{
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;
    /* Both factors are at most 8192, so the product fits any size_t >= 32 bits. */
    img->pixels = malloc((size_t)width * (size_t)height);
    if (!img->pixels) return FP_ERR_NO_MEMORY;
    img->width = (uint32_t)width;
    img->height = (uint32_t)height;
    return FP_OK;
}

fp_status fpi_io_close_output(FILE *f, const char *path, fp_status st)
{
    struct stat sb;
    int regular = fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    if (fclose(f) != 0 && st == FP_OK) st = FP_ERR_IO;
    if (st != FP_OK && regular) remove(path);
    return st;
}

fp_status fp_io_decode(const uint8_t *data, size_t len, fp_io_image *img)
{
    if (!img) return FP_ERR_INVALID_ARGUMENT;
    memset(img, 0, sizeof *img);
    if (!data && len > 0) return FP_ERR_INVALID_ARGUMENT;

    fp_io_format format = fp_io_detect(data, len);
    fp_status st;
    switch (format) {
    case FP_IO_PNG:
        st = fpi_io_png_decode(data, len, img);
        break;
    case FP_IO_PGM:
        st = fpi_io_pgm_decode(data, len, img);
        break;
    case FP_IO_TIFF:
        st = fpi_io_tiff_decode(data, len, img);
        break;
    case FP_IO_BMP:
        st = fpi_io_bmp_decode(data, len, img);
        break;
    default:
        st = FP_ERR_FILE_FORMAT;
        break;
    }
    if (st != FP_OK) {
        free(img->pixels);
        memset(img, 0, sizeof *img);
        return st;
    }
    img->format = format;
    return FP_OK;
}

/* Reads a whole stream; does not trust a size from stat so pipes work too. */
static fp_status read_all(FILE *f, uint8_t **out, size_t *out_len)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    fp_status st = FP_OK;
    for (;;) {
        if (len == cap) {
            if (cap >= FPI_IO_MAX_FILE) {
                st = FP_ERR_IMAGE_SIZE;
                break;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                st = FP_ERR_NO_MEMORY;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) st = FP_ERR_IO;
            break;
        }
    }
    if (st != FP_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_len = len;
    return FP_OK;
}

fp_status fp_io_load(const char *path, fp_io_image *img)
{
    if (!img) return FP_ERR_INVALID_ARGUMENT;
    memset(img, 0, sizeof *img);
    if (!path) return FP_ERR_INVALID_ARGUMENT;

    FILE *f = fopen(path, "rb");
    if (!f) return FP_ERR_IO;
    uint8_t *data = NULL;
    size_t len = 0;
    fp_status st = read_all(f, &data, &len);
    fclose(f);
    if (st != FP_OK) return st;
    st = fp_io_decode(data, len, img);
    free(data);
    return st;
}

void fp_io_image_free(fp_io_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}
