/*
 * fpio.h - image file input/output for the engine's tools (not part of the
 * firmware core: links libpng and libtiff).
 *
 * Supported for reading: PNG (8/16-bit gray, gray+alpha, RGB, RGBA, palette),
 * PGM (P5 binary and P2 ASCII, maxval up to 65535), TIFF (through libtiff;
 * 8-bit grayscale, also palette/RGB converted to gray) and BMP (1/4/8-bit
 * palette, 24/32-bit, bottom-up and top-down, uncompressed). Everything is
 * converted to 8-bit grayscale. The format is detected from the content,
 * never from the file name.
 *
 * Errors use the engine's fp_status codes: FP_ERR_IO (cannot open/read),
 * FP_ERR_FILE_FORMAT (not a supported format), FP_ERR_FILE_CORRUPT
 * (truncated or inconsistent data), FP_ERR_IMAGE_SIZE (larger than
 * FP_IO_MAX_DIM in either dimension or zero), FP_ERR_NO_MEMORY.
 * The functions never print and are thread safe.
 *
 * How errors are classified: FP_ERR_FILE_FORMAT is for data that is valid
 * in its format but not supported here (an unknown signature, BMP RLE / JPEG
 * / PNG compression, an unknown BMP header size, a TIFF codec libtiff was
 * built without, a TIFF layout libtiff cannot convert such as 7-bit
 * samples). FP_ERR_FILE_CORRUPT is for values the format forbids (PNG bit
 * depth 3, BMP bit count 7, PGM maxval 0 or a sample above maxval) and for
 * data that ends early, including a PNG cut after its last row but before
 * IEND and a TIFF whose first directory points past the end. Every size
 * field is checked against the bytes present before anything is allocated.
 *
 * Conversion to gray: colour uses the BT.601 weights (0.299 R + 0.587 G +
 * 0.114 B, in 8.8 fixed point: equal R, G, B give that value back); PNG and
 * TIFF alpha is composited on a white background; samples wider than 8 bits
 * are scaled with rounding (v * 255 / maxval). BMP alpha is ignored (many
 * writers leave it zero in opaque images) and BMP palette indices beyond
 * the stored palette read as black.
 *
 * Resolution: img->dpi is what the file says, rounded to whole dpi, or 0.
 * Many files carry a placeholder (the FVC TIFFs all say 72 dpi): callers
 * that know the sensor should use its resolution instead.
 *
 * TIFF and libtiff's global state: with libtiff >= 4.5 the decoder installs
 * silent error and warning handlers on its own handle (TIFFOpenOptions), so
 * the process-wide handlers are never touched. With an older libtiff the
 * only way to keep it from printing is to set the process-wide handlers to
 * NULL; fpio does that once (pthread_once) on the first TIFF decode, which
 * also silences libtiff for the rest of the program.
 */
#ifndef FP_FPIO_H
#define FP_FPIO_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FP_IO_MAX_DIM 8192

typedef enum fp_io_format {
    FP_IO_UNKNOWN = 0,
    FP_IO_PNG,
    FP_IO_PGM,
    FP_IO_TIFF,
    FP_IO_BMP
} fp_io_format;

/* An owned 8-bit grayscale image; free pixels with fp_io_image_free. */
typedef struct fp_io_image {
    uint8_t *pixels;  /* width * height bytes, stride == width */
    uint32_t width;
    uint32_t height;
    uint32_t dpi;     /* from the file when it says so (PNG pHYs, BMP, TIFF), else 0 */
    fp_io_format format;
} fp_io_image;

/* Detects the format from the first bytes (at least 8 are looked at).
 * Looks at no more than len bytes; a signature cut short (for example the
 * first 7 bytes of a PNG) is FP_IO_UNKNOWN. data may be NULL. */
fp_io_format fp_io_detect(const uint8_t *data, size_t len);

/* Decodes an image held in memory. data (borrowed) is only read, never past
 * len. On success the caller owns img->pixels and frees them with
 * fp_io_image_free; on error *img is zeroed.
 * Errors: FP_ERR_INVALID_ARGUMENT (img NULL, or data NULL with len > 0),
 * FP_ERR_FILE_FORMAT (also for len 0), FP_ERR_FILE_CORRUPT,
 * FP_ERR_IMAGE_SIZE, FP_ERR_NO_MEMORY. */
fp_status fp_io_decode(const uint8_t *data, size_t len, fp_io_image *img);

/* Reads and decodes a file, as fp_io_decode. The format is detected from
 * the first 4 KiB before the rest is read, so a file or stream that is no
 * supported image fails at once (FP_ERR_FILE_FORMAT); the rest is read up
 * to what the format's header says the image can need (PNG, BMP and PGM:
 * the declared raster in its most verbose encoding plus 16 MiB; TIFF and
 * anything else: 1 GiB), and a longer file is FP_ERR_IMAGE_SIZE.
 * Errors as fp_io_decode, plus FP_ERR_IO when the file cannot be opened or
 * read (errno then tells why: ENOENT, EACCES, EISDIR for a directory...)
 * and FP_ERR_IMAGE_SIZE as above. */
fp_status fp_io_load(const char *path, fp_io_image *img);

/* Frees the pixels of img (accepts NULL and zeroed images) and zeroes it. */
void fp_io_image_free(fp_io_image *img);

/*
 * Writers. Each creates or truncates path and writes rows of width pixels
 * starting stride bytes apart (the buffer is borrowed, only read).
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL pointer, stride too small, dpi too
 * large for PNG's pixels-per-metre field), FP_ERR_IMAGE_SIZE (width or
 * height 0 or above FP_IO_MAX_DIM), FP_ERR_IO (cannot create or write),
 * FP_ERR_NO_MEMORY. When writing fails after the file was created, a
 * regular file is removed again; anything else (a device) is left alone.
 */

/* Writes an 8-bit grayscale PNG; stride >= width. dpi 0 writes no pHYs;
 * otherwise pHYs holds dpi converted to pixels per metre, which
 * fp_io_decode turns back into the same dpi. */
fp_status fp_io_write_png_gray(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                               uint32_t stride, uint32_t dpi);
/* Writes an 8-bit RGB PNG, 3 bytes per pixel; stride >= 3 * width. */
fp_status fp_io_write_png_rgb(const char *path, const uint8_t *rgb, uint32_t width, uint32_t height,
                              uint32_t stride);
/* Writes a binary PGM (P5). */
fp_status fp_io_write_pgm(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height,
                          uint32_t stride);

#ifdef __cplusplus
}
#endif

#endif
