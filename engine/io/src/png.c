/*
 * png.c - PNG decoding from memory and PNG writing through libpng.
 *
 * libpng reports errors by longjmp. Each setjmp lives in a function whose
 * own locals are never modified after the setjmp; everything that changes
 * is kept in a job structure owned by the caller, so nothing is lost or
 * leaked when libpng jumps back.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

/* Largest ancillary chunk libpng may buffer (iCCP, text...). None of them
 * matter to us; the cap stops a few bytes of input from asking for a huge
 * allocation. */
#define FPI_PNG_CHUNK_MAX ((png_alloc_size_t)8 << 20)

typedef struct png_job {
    const uint8_t *data;
    size_t len;
    size_t pos;
    int oom;             /* an allocation inside libpng failed */
    png_structp png;
    png_infop info;
    uint8_t *buf;        /* RGB(A) or GA rows before conversion to gray */
    png_bytep *rows;
    FILE *file;          /* writer only */
} png_job;

static void job_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void job_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Own allocator so that "out of memory" can be told apart from corruption:
 * libpng turns both into the same png_error. */
static png_voidp job_malloc(png_structp png, png_alloc_size_t size)
{
    void *p = malloc(size);
    if (!p) {
        png_job *job = png_get_mem_ptr(png);
        if (job) job->oom = 1;
    }
    return p;
}

static void job_free(png_structp png, png_voidp ptr)
{
    (void)png;
    free(ptr);
}

static void job_read(png_structp png, png_bytep out, png_size_t n)
{
    png_job *job = png_get_io_ptr(png);
    if (n > job->len - job->pos) png_error(png, "truncated");
    memcpy(out, job->data + job->pos, n);
    job->pos += n;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Checks the IHDR chunk before libpng sees it, so that oversized images get
 * FP_ERR_IMAGE_SIZE rather than a generic libpng failure, and impossible
 * depth / colour combinations FP_ERR_FILE_CORRUPT; then that the chunks
 * are all there and hold enough image data for the declared size.
 */
static fp_status pre_check(const uint8_t *data, size_t len)
{
    /* signature 8 + length 4 + "IHDR" 4 + 13 data bytes */
    if (len < 8 + 8 + 13) return FP_ERR_FILE_CORRUPT;
    const uint8_t *h = data + 8;
    if (be32(h) != 13 || memcmp(h + 4, "IHDR", 4) != 0) return FP_ERR_FILE_CORRUPT;
    uint32_t width = be32(h + 8), height = be32(h + 12);
    unsigned depth = h[16], color = h[17];
    if (fpi_io_check_dims(width, height) != FP_OK) return FP_ERR_IMAGE_SIZE;
    int ok;
    switch (color) {
    case 0:
        ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        break;
    case 3:
        ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
        break;
    case 2:
    case 4:
    case 6:
        ok = depth == 8 || depth == 16;
        break;
    default:
        ok = 0;
        break;
    }
    if (!ok || h[18] != 0 || h[19] != 0 || h[20] > 1) return FP_ERR_FILE_CORRUPT;

    /* Every chunk up to IEND must be complete: libpng allocates a chunk's
     * declared length before reading it, so a few bytes claiming a 2 GB
     * chunk would otherwise cost a 2 GB allocation. */
    uint64_t idat = 0;
    size_t pos = 8;
    for (;;) {
        if (len - pos < 12) return FP_ERR_FILE_CORRUPT;
        uint64_t chunk_len = be32(data + pos);
        if (chunk_len > 0x7fffffffu || chunk_len > len - pos - 12) return FP_ERR_FILE_CORRUPT;
        if (memcmp(data + pos + 4, "IDAT", 4) == 0) idat += chunk_len;
        if (memcmp(data + pos + 4, "IEND", 4) == 0) break;
        pos += (size_t)chunk_len + 12u;
    }
    /* Deflate expands at most 1032:1, so compressed data far too small for
     * the declared size means corruption; checking it here keeps a small
     * file from costing a full-size allocation. */
    static const unsigned channels[7] = {1, 0, 3, 1, 2, 0, 4};
    uint64_t pixel_bytes = (uint64_t)height * (((uint64_t)width * channels[color] * depth + 7u) / 8u);
    if (pixel_bytes > idat * 1100u + 65536u) return FP_ERR_FILE_CORRUPT;
    return FP_OK;
}

static void row_to_gray(const uint8_t *src, uint8_t *dst, uint32_t width, int channels)
{
    for (uint32_t x = 0; x < width; x++) {
        const uint8_t *p = src + (size_t)x * (size_t)channels;
        switch (channels) {
        case 2:
            dst[x] = fpi_io_on_white(p[0], p[1]);
            break;
        case 3:
            dst[x] = fpi_io_luma(p[0], p[1], p[2]);
            break;
        default:
            dst[x] = fpi_io_on_white(fpi_io_luma(p[0], p[1], p[2]), p[3]);
            break;
        }
    }
}

static fp_status decode_body(png_job *job, fp_io_image *img)
{
    if (setjmp(png_jmpbuf(job->png))) return job->oom ? FP_ERR_NO_MEMORY : FP_ERR_FILE_CORRUPT;

    png_structp png = job->png;
    png_infop info = job->info;
    png_set_read_fn(png, job, job_read);
    png_set_user_limits(png, FP_IO_MAX_DIM, FP_IO_MAX_DIM);
    png_set_chunk_malloc_max(png, FPI_PNG_CHUNK_MAX);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &color, &interlace, NULL, NULL);

    png_uint_32 res_x = 0, res_y = 0;
    int unit = 0;
    if (png_get_pHYs(png, info, &res_x, &res_y, &unit) && unit == PNG_RESOLUTION_METER)
        img->dpi = fpi_io_ppm_to_dpi(res_x);

    /* palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha channel;
     * 16 -> 8 bits with rounding. Gray conversion and compositing are done
     * below so the result does not depend on libpng's gamma handling. */
    png_set_expand(png);
    png_set_scale_16(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (channels < 1 || channels > 4 || rowbytes != (size_t)width * (size_t)channels) return FP_ERR_FILE_CORRUPT;

    fp_status st = fpi_io_alloc_pixels(img, width, height);
    if (st != FP_OK) return st;

    if (channels == 1 || passes > 1) {
        /* Whole-image read: interlaced passes fill the rows in place. */
        job->rows = malloc((size_t)height * sizeof *job->rows);
        if (!job->rows) return FP_ERR_NO_MEMORY;
        uint8_t *base = img->pixels;
        if (channels > 1) {
            job->buf = malloc(rowbytes * height);
            if (!job->buf) return FP_ERR_NO_MEMORY;
            base = job->buf;
        }
        for (png_uint_32 y = 0; y < height; y++) job->rows[y] = base + (size_t)y * rowbytes;
        png_read_image(png, job->rows);
        if (channels > 1) {
            for (png_uint_32 y = 0; y < height; y++)
                row_to_gray(job->rows[y], img->pixels + (size_t)y * width, width, channels);
        }
    } else {
        job->buf = malloc(rowbytes);
        if (!job->buf) return FP_ERR_NO_MEMORY;
        for (png_uint_32 y = 0; y < height; y++) {
            png_read_row(png, job->buf, NULL);
            row_to_gray(job->buf, img->pixels + (size_t)y * width, width, channels);
        }
    }
    /* Reads up to IEND so that a file cut after its last row still counts
     * as truncated. */
    png_read_end(png, NULL);
    return FP_OK;
}

fp_status fpi_io_png_decode(const uint8_t *data, size_t len, fp_io_image *img)
{
    fp_status st = pre_check(data, len);
    if (st != FP_OK) return st;

    png_job job;
    memset(&job, 0, sizeof job);
    job.data = data;
    job.len = len;
    job.png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &job, job_error, job_warning, &job, job_malloc,
                                       job_free);
    if (!job.png) return FP_ERR_NO_MEMORY;
    job.info = png_create_info_struct(job.png);
    if (!job.info) {
        png_destroy_read_struct(&job.png, NULL, NULL);
        return FP_ERR_NO_MEMORY;
    }
    st = decode_body(&job, img);
    png_destroy_read_struct(&job.png, &job.info, NULL);
    free(job.buf);
    free(job.rows);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

static fp_status encode_body(png_job *job, const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                             int color, uint32_t dpi)
{
    if (setjmp(png_jmpbuf(job->png))) return job->oom ? FP_ERR_NO_MEMORY : FP_ERR_IO;

    png_structp png = job->png;
    png_init_io(png, job->file);
    png_set_IHDR(png, job->info, width, height, 8, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (dpi > 0) {
        /* dots per inch -> pixels per metre, rounded (1 in = 0.0254 m). */
        png_uint_32 ppm = (png_uint_32)(((uint64_t)dpi * 10000u + 127u) / 254u);
        png_set_pHYs(png, job->info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, job->info);
    for (uint32_t y = 0; y < height; y++) png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, NULL);
    return FP_OK;
}

static fp_status write_png(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                           uint32_t stride, int color, uint32_t dpi)
{
    /* The PNG format stores at most 2^31 - 1 pixels per metre. */
    if ((uint64_t)dpi * 10000u / 254u > 0x7fffffffu) return FP_ERR_INVALID_ARGUMENT;

    png_job job;
    memset(&job, 0, sizeof job);
    job.file = fopen(path, "wb");
    if (!job.file) return FP_ERR_IO;
    job.png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, &job, job_error, job_warning, &job, job_malloc,
                                        job_free);
    fp_status st = FP_ERR_NO_MEMORY;
    if (job.png) job.info = png_create_info_struct(job.png);
    if (job.info) st = encode_body(&job, pixels, width, height, stride, color, dpi);
    png_destroy_write_struct(&job.png, &job.info);
    return fpi_io_close_output(job.file, path, st);
}

fp_status fp_io_write_png_gray(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                               uint32_t stride, uint32_t dpi)
{
    if (!path || !pixels) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;
    if (stride < width) return FP_ERR_INVALID_ARGUMENT;
    return write_png(path, pixels, width, height, stride, PNG_COLOR_TYPE_GRAY, dpi);
}

fp_status fp_io_write_png_rgb(const char *path, const uint8_t *rgb, uint32_t width, uint32_t height,
                              uint32_t stride)
{
    if (!path || !rgb) return FP_ERR_INVALID_ARGUMENT;
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;
    if (stride < 3u * (uint64_t)width) return FP_ERR_INVALID_ARGUMENT;
    return write_png(path, rgb, width, height, stride, PNG_COLOR_TYPE_RGB, 0);
}
