/*
 * tiff.c - TIFF decoding from memory through libtiff.
 *
 * libtiff >= 4.5 takes per-handle error and warning handlers through
 * TIFFOpenOptions, which keeps this decoder silent without touching the
 * process-wide handlers. With an older libtiff the only way to silence it is
 * to replace the global handlers: that is done once (pthread_once) and is
 * documented in fpio.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "io_internal.h"

#if defined(TIFFLIB_VERSION) && TIFFLIB_VERSION >= 20221213
#define FPI_TIFF_OPEN_OPTIONS 1
#else
#define FPI_TIFF_OPEN_OPTIONS 0
#include <pthread.h>
#endif

/* Cap on any single allocation libtiff makes for one file (strip buffers,
 * tag arrays): a 8192 x 8192 RGBA strip is 256 MiB. */
#define FPI_TIFF_MAX_ALLOC ((tmsize_t)256 << 20)

typedef struct mem_source {
    const uint8_t *data;
    uint64_t len;
    uint64_t pos;
} mem_source;

static tmsize_t mem_read(thandle_t handle, void *buf, tmsize_t size)
{
    mem_source *src = handle;
    if (size <= 0) return 0;
    uint64_t avail = src->pos < src->len ? src->len - src->pos : 0;
    uint64_t n = (uint64_t)size < avail ? (uint64_t)size : avail;
    if (n > 0) memcpy(buf, src->data + src->pos, (size_t)n);
    src->pos += n;
    return (tmsize_t)n;
}

static tmsize_t mem_write(thandle_t handle, void *buf, tmsize_t size)
{
    (void)handle;
    (void)buf;
    (void)size;
    return -1;
}

static toff_t mem_seek(thandle_t handle, toff_t off, int whence)
{
    mem_source *src = handle;
    uint64_t base;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = src->pos;
        break;
    case SEEK_END:
        base = src->len;
        break;
    default:
        return (toff_t)-1;
    }
    /* Like lseek, positions past the end are allowed (reads there return
     * nothing); wrapping around is not. */
    if (off > UINT64_MAX - base) return (toff_t)-1;
    src->pos = base + off;
    return src->pos;
}

static int mem_close(thandle_t handle)
{
    (void)handle;
    return 0;
}

static toff_t mem_size(thandle_t handle)
{
    return ((mem_source *)handle)->len;
}

/*
 * The data is handed to libtiff as a memory-mapped file. libtiff never
 * writes through a mapping (it maps real files PROT_READ), so giving it the
 * caller's const buffer is safe. Mapping is also what keeps small
 * uncompressed tiles working: libtiff 4.5.0 rejects them when they are read
 * through the read procedure into its rounded-up buffer.
 */
static int mem_map(thandle_t handle, void **base, toff_t *size)
{
    mem_source *src = handle;
    *base = (void *)(uintptr_t)src->data;
    *size = src->len;
    return 1;
}

static void mem_unmap(thandle_t handle, void *base, toff_t size)
{
    (void)handle;
    (void)base;
    (void)size;
}

#if FPI_TIFF_OPEN_OPTIONS
/* Returning 1 tells libtiff the message is handled, so the process-wide
 * handler (which prints to stderr by default) is not called. */
static int quiet_handler(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1;
}

static fp_status open_tiff(mem_source *src, TIFF **out)
{
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) return FP_ERR_NO_MEMORY;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, quiet_handler, NULL);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, quiet_handler, NULL);
    TIFFOpenOptionsSetMaxSingleMemAlloc(opts, FPI_TIFF_MAX_ALLOC);
    *out = TIFFClientOpenExt("fpio", "r", src, mem_read, mem_write, mem_seek, mem_close, mem_size, mem_map,
                             mem_unmap, opts);
    TIFFOpenOptionsFree(opts);
    return *out ? FP_OK : FP_ERR_FILE_CORRUPT;
}
#else
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void install_quiet_handlers(void)
{
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

static fp_status open_tiff(mem_source *src, TIFF **out)
{
    pthread_once(&quiet_once, install_quiet_handlers);
    *out = TIFFClientOpen("fpio", "r", src, mem_read, mem_write, mem_seek, mem_close, mem_size, mem_map,
                          mem_unmap);
    return *out ? FP_OK : FP_ERR_FILE_CORRUPT;
}
#endif

static uint64_t rd(const uint8_t *p, unsigned n, int big_endian)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[big_endian ? n - 1u - i : i] << (8u * i);
    return v;
}

/*
 * Checks that the first directory and every value it points to lie inside
 * the data. libtiff drops a tag whose value cannot be read with only a
 * warning, so a file cut inside its resolution values would otherwise load
 * with the resolution silently missing.
 */
static fp_status check_first_ifd(const uint8_t *data, size_t len)
{
    if (len < 8) return FP_ERR_FILE_CORRUPT;
    int be = data[0] == 'M';
    int big = rd(data + 2, 2, be) == 43;
    unsigned off_size = big ? 8u : 4u, count_size = big ? 8u : 2u, entry_size = big ? 20u : 12u;
    if (big && len < 16) return FP_ERR_FILE_CORRUPT;
    uint64_t ifd = rd(data + (big ? 8 : 4), off_size, be);
    if (ifd > len || len - ifd < count_size) return FP_ERR_FILE_CORRUPT;
    uint64_t entries = rd(data + ifd, count_size, be);
    if (entries > (len - ifd - count_size) / entry_size) return FP_ERR_FILE_CORRUPT;
    /* Byte size of each field type (TIFF 6.0 and BigTIFF); 0 = unknown
     * type, which libtiff skips. */
    static const uint8_t type_size[19] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8};
    for (uint64_t i = 0; i < entries; i++) {
        const uint8_t *e = data + ifd + count_size + i * entry_size;
        uint64_t type = rd(e + 2, 2, be), count = rd(e + 4, off_size, be);
        unsigned size = type < sizeof type_size ? type_size[type] : 0u;
        if (size == 0 || count <= off_size / size) continue; /* value stored inline */
        uint64_t at = rd(e + 4 + off_size, off_size, be);
        if (count > len / size || at > len - count * size) return FP_ERR_FILE_CORRUPT;
    }
    return FP_OK;
}

/* Resolution in dots per inch from the resolution tags, 0 when absent or
 * meaningless. */
static uint32_t tiff_dpi(TIFF *tif)
{
    float xres = 0.0f;
    uint16_t unit = RESUNIT_INCH;
    if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) != 1) return 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    double dpi;
    if (unit == RESUNIT_INCH)
        dpi = xres;
    else if (unit == RESUNIT_CENTIMETER)
        dpi = xres * 2.54;
    else
        return 0;
    if (!isfinite(dpi) || dpi < 0.5 || dpi > 1e6) return 0;
    return (uint32_t)lround(dpi);
}

/* The common case, and the layout of the FVC sets: one 8-bit gray sample
 * per pixel in strips, read straight into the output rows. */
static fp_status read_gray8(TIFF *tif, uint16_t photometric, fp_io_image *img)
{
    for (uint32_t y = 0; y < img->height; y++) {
        uint8_t *row = img->pixels + (size_t)y * img->width;
        if (TIFFReadScanline(tif, row, y, 0) < 0) return FP_ERR_FILE_CORRUPT;
        if (photometric == PHOTOMETRIC_MINISWHITE) {
            for (uint32_t x = 0; x < img->width; x++) row[x] = (uint8_t)(255u - row[x]);
        }
    }
    return FP_OK;
}

/* Every other layout libtiff understands, through its RGBA converter. */
static fp_status read_rgba(TIFF *tif, fp_io_image *img)
{
    char emsg[1024];
    if (!TIFFRGBAImageOK(tif, emsg)) return FP_ERR_FILE_FORMAT;
    size_t count = (size_t)img->width * img->height;
    uint32_t *raster = malloc(count * sizeof *raster);
    if (!raster) return FP_ERR_NO_MEMORY;
    fp_status st = FP_OK;
    if (!TIFFReadRGBAImageOriented(tif, img->width, img->height, raster, ORIENTATION_TOPLEFT, 1)) {
        st = FP_ERR_FILE_CORRUPT;
    } else {
        for (size_t i = 0; i < count; i++) {
            uint32_t p = raster[i];
            /* libtiff returns premultiplied colour, so compositing on white
             * is adding the uncovered part. */
            unsigned v = fpi_io_luma(TIFFGetR(p), TIFFGetG(p), TIFFGetB(p)) + (255u - TIFFGetA(p));
            img->pixels[i] = (uint8_t)(v > 255u ? 255u : v);
        }
    }
    free(raster);
    return st;
}

static fp_status decode_open(TIFF *tif, fp_io_image *img)
{
    uint32_t width = 0, height = 0;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) != 1 || TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height) != 1)
        return FP_ERR_FILE_CORRUPT;
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;

    uint16_t compression = COMPRESSION_NONE, bits = 1, samples = 1, format = SAMPLEFORMAT_UINT, photometric = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    int has_photometric = TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric) == 1;
    if (!TIFFIsCODECConfigured(compression)) return FP_ERR_FILE_FORMAT;

    st = fpi_io_alloc_pixels(img, width, height);
    if (st != FP_OK) return st;
    img->dpi = tiff_dpi(tif);

    if (!TIFFIsTiled(tif) && samples == 1 && bits == 8 && format == SAMPLEFORMAT_UINT && has_photometric &&
        (photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE) &&
        TIFFScanlineSize64(tif) == width)
        return read_gray8(tif, photometric, img);
    return read_rgba(tif, img);
}

fp_status fpi_io_tiff_decode(const uint8_t *data, size_t len, fp_io_image *img)
{
    fp_status st = check_first_ifd(data, len);
    if (st != FP_OK) return st;
    mem_source src = {data, len, 0};
    TIFF *tif = NULL;
    st = open_tiff(&src, &tif);
    if (st != FP_OK) return st;
    st = decode_open(tif, img);
    TIFFClose(tif);
    return st;
}
