/*
 * io.c - format detection, dispatch and file loading for fpio.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io_internal.h"

/* Largest file fp_io_load reads of any format: above the largest supported
 * image in its most verbose encoding (8192 x 8192 16-bit RGBA, or ASCII
 * PGM). Formats whose header declares the size get a tighter limit. */
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

/* How much of a file fp_io_load reads before it looks at the format. */
#define FPI_IO_PEEK 4096u
/* Room for chunks, palettes and gaps beside the pixel data. */
#define FPI_IO_SLACK ((uint64_t)16 << 20)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The most bytes a file of this format can usefully hold, judged from its
 * first bytes: the raster its header declares in its most verbose legal
 * encoding, plus slack. Where the header is not at a fixed place (TIFF) or
 * is not recognised, the limit for any supported image. A header that
 * already declares a size out of range gives FP_ERR_IMAGE_SIZE.
 */
static fp_status format_limit(fp_io_format format, const uint8_t *head, size_t n, uint64_t *limit)
{
    *limit = FPI_IO_MAX_FILE;
    if (format == FP_IO_PNG && n >= 26 && memcmp(head + 12, "IHDR", 4) == 0) {
        const uint64_t w = be32(head + 16), h = be32(head + 20);
        fp_status st = fpi_io_check_dims(w, h);
        if (st != FP_OK) return st;
        static const uint8_t channels[7] = {1, 0, 3, 1, 2, 0, 4};
        const unsigned depth = head[24], type = head[25];
        const uint64_t ch = type < 7 && channels[type] ? channels[type] : 4u;
        const uint64_t row = 1u + (w * ch * (depth ? depth : 16u) + 7u) / 8u;
        /* Stored (uncompressed) deflate blocks, Adam7's extra filter bytes
         * and a chunk frame every few kilobytes stay well inside 1/16. */
        const uint64_t raw = h * (row + 7u);
        *limit = raw + raw / 16u + FPI_IO_SLACK;
    } else if (format == FP_IO_BMP && n >= 30) {
        const uint32_t hsize = le32(head + 14);
        uint64_t w, h, bpp;
        if (hsize == 12) {
            w = (uint32_t)head[18] | (uint32_t)head[19] << 8;
            h = (uint32_t)head[20] | (uint32_t)head[21] << 8;
            bpp = (uint32_t)head[24] | (uint32_t)head[25] << 8;
        } else {
            const int32_t sh = (int32_t)le32(head + 22);
            w = le32(head + 18);
            h = sh < 0 ? (uint64_t)(-(int64_t)sh) : (uint64_t)sh;
            bpp = (uint32_t)head[28] | (uint32_t)head[29] << 8;
        }
        fp_status st = fpi_io_check_dims(w, h);
        if (st != FP_OK) return st;
        if (bpp == 0 || bpp > 32) bpp = 32;
        *limit = h * (((w * bpp + 31u) / 32u) * 4u) + FPI_IO_SLACK;
    } else if (format == FP_IO_PGM) {
        uint64_t need;
        fp_status st = fpi_io_pgm_need(head, n, &need);
        if (st == FP_ERR_IMAGE_SIZE) return st;
        if (st == FP_OK) *limit = need + FPI_IO_SLACK; /* padding, comments, further images */
    }
    if (*limit > FPI_IO_MAX_FILE) *limit = FPI_IO_MAX_FILE;
    return FP_OK;
}

/*
 * Reads a stream of at most limit bytes (more is FP_ERR_IMAGE_SIZE),
 * appending to the len bytes already in *buf. Does not trust a size from
 * stat, so pipes and devices work too.
 */
static fp_status read_capped(FILE *f, uint64_t limit, uint8_t **buf, size_t *len)
{
    size_t cap = *len;
    for (;;) {
        if (*len == cap) {
            if (cap > limit) return FP_ERR_IMAGE_SIZE;
            size_t ncap = cap < 65536 ? 65536 : cap * 2;
            if (ncap > limit + 1) ncap = (size_t)limit + 1; /* one byte over tells a file too long */
            uint8_t *nb = realloc(*buf, ncap);
            if (!nb) return FP_ERR_NO_MEMORY;
            *buf = nb;
            cap = ncap;
        }
        size_t got = fread(*buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) return ferror(f) ? FP_ERR_IO : *len > limit ? FP_ERR_IMAGE_SIZE : FP_OK;
    }
}

fp_status fp_io_load(const char *path, fp_io_image *img)
{
    if (!img) return FP_ERR_INVALID_ARGUMENT;
    memset(img, 0, sizeof *img);
    if (!path) return FP_ERR_INVALID_ARGUMENT;

    FILE *f = fopen(path, "rb");
    if (!f) return FP_ERR_IO;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return FP_ERR_IO;
    }
    /* The format first, from the first bytes: a stream that is no image
     * (a device of zeros, a text file) fails before it is read whole. */
    uint8_t *data = malloc(FPI_IO_PEEK);
    size_t len = data ? fread(data, 1, FPI_IO_PEEK, f) : 0;
    fp_status st = !data ? FP_ERR_NO_MEMORY : ferror(f) ? FP_ERR_IO : FP_OK;
    uint64_t limit = 0;
    if (st == FP_OK) {
        const fp_io_format format = fp_io_detect(data, len);
        st = format == FP_IO_UNKNOWN ? FP_ERR_FILE_FORMAT : format_limit(format, data, len, &limit);
    }
    if (st == FP_OK && len == FPI_IO_PEEK) st = read_capped(f, limit, &data, &len);
    const int saved = errno;
    fclose(f);
    errno = saved;
    if (st == FP_OK) st = fp_io_decode(data, len, img);
    free(data);
    return st;
}

void fp_io_image_free(fp_io_image *img)
{
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}
