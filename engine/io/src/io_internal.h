/*
 * io_internal.h - shared helpers of the fpio decoders and writers.
 * Not installed; every symbol here is fpi_io_ prefixed.
 */
#ifndef FP_IO_INTERNAL_H
#define FP_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp/fpio.h"

/*
 * Each decoder fills pixels, width, height and dpi of *img on success. On
 * failure it leaves *img without an allocation (the dispatcher zeroes it).
 * data holds len bytes and the format signature has already been checked.
 */
fp_status fpi_io_png_decode(const uint8_t *data, size_t len, fp_io_image *img);
fp_status fpi_io_pgm_decode(const uint8_t *data, size_t len, fp_io_image *img);
fp_status fpi_io_tiff_decode(const uint8_t *data, size_t len, fp_io_image *img);
fp_status fpi_io_bmp_decode(const uint8_t *data, size_t len, fp_io_image *img);

/* The bytes a PGM image needs, from its header (data starts with P2 or
 * P5): the header and the raster its dimensions call for, ASCII samples
 * counted at their widest without padding. FP_ERR_FILE_CORRUPT when the
 * header is not complete within len, FP_ERR_IMAGE_SIZE for dimensions out
 * of range. */
fp_status fpi_io_pgm_need(const uint8_t *data, size_t len, uint64_t *need);

/* FP_ERR_IMAGE_SIZE unless 1 <= width, height <= FP_IO_MAX_DIM. */
fp_status fpi_io_check_dims(uint64_t width, uint64_t height);

/* Validates the size and allocates img->pixels (width * height bytes,
 * uninitialised); sets width and height. */
fp_status fpi_io_alloc_pixels(fp_io_image *img, uint64_t width, uint64_t height);

/*
 * Closes a file a writer opened with fopen(path, "wb") and returns the final
 * status: st, or FP_ERR_IO when closing fails. On failure a regular file is
 * removed so no half-written image is left behind; anything else (a device,
 * a FIFO) is left alone.
 */
fp_status fpi_io_close_output(FILE *f, const char *path, fp_status st);

/* Gray level of an 8-bit RGB colour (ITU-R BT.601 weights, 8.8 fixed point;
 * white stays 255, equal components stay themselves). */
static inline uint8_t fpi_io_luma(unsigned r, unsigned g, unsigned b)
{
    return (uint8_t)((r * 77u + g * 150u + b * 29u + 128u) >> 8);
}

/* Composites gray level v with coverage a (0 transparent, 255 opaque) on a
 * white background: scanners and most tools show transparency as paper. */
static inline uint8_t fpi_io_on_white(unsigned v, unsigned a)
{
    return (uint8_t)((v * a + 255u * (255u - a) + 127u) / 255u);
}

/* Rescales a sample in 0..maxval to 0..255 with rounding (maxval >= 1). */
static inline uint8_t fpi_io_scale(uint32_t v, uint32_t maxval)
{
    return (uint8_t)(((uint64_t)v * 255u + maxval / 2u) / maxval);
}

/* Pixels per metre to dots per inch, rounded; 0 stays 0 (unknown). */
static inline uint32_t fpi_io_ppm_to_dpi(uint32_t ppm)
{
    return (uint32_t)(((uint64_t)ppm * 254u + 5000u) / 10000u);
}

#endif
