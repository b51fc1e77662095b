/*
 * test_imageio.c - fpio decoders and writers.
 *
 * Small images of every supported layout are built here (PNG and TIFF with
 * libpng / libtiff, BMP and a minimal TIFF by hand) so that the expected
 * gray levels are known exactly; the real data sets check that actual files
 * load with their documented sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

#include "fp/fpio.h"

#define DATASETS FP_SOURCE_DIR "/../shared/datasets"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} buf;

static void buf_put(buf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->data = realloc(b->data, cap);
        assert_non_null(b->data);
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void buf_le16(buf *b, uint32_t v)
{
    uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    buf_put(b, p, 2);
}

static void buf_le32(buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_put(b, p, 4);
}

static void buf_fill(buf *b, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) buf_put(b, &v, 1);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Decodes from an exact-size heap copy so ASan sees any over-read. */
static fp_status decode_exact(const uint8_t *data, size_t len, fp_io_image *img)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len) memcpy(copy, data, len);
    fp_status st = fp_io_decode(len ? copy : NULL, len, img);
    free(copy);
    return st;
}

static char *temp_path(const char *suffix)
{
    char tmpl[] = "/tmp/fpio_test_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    close(fd);
    unlink(tmpl);
    size_t n = strlen(tmpl) + strlen(suffix) + 1;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s%s", tmpl, suffix);
    return path;
}

static buf read_file(const char *path)
{
    buf b = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
    fclose(f);
    return b;
}

/* A gray test pattern that uses the whole 0..255 range. */
static uint8_t pattern(uint32_t x, uint32_t y)
{
    return (uint8_t)(x * 37u + y * 11u + (x * y) % 7u);
}

static void assert_pattern(const fp_io_image *img, uint32_t w, uint32_t h)
{
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) assert_int_equal(img->pixels[y * w + x], pattern(x, y));
}

static uint8_t ref_scale(uint32_t v, uint32_t maxval)
{
    return (uint8_t)(((uint64_t)v * 255u + maxval / 2u) / maxval);
}

static int near(int a, int b, int tol)
{
    return a - b <= tol && b - a <= tol;
}

/* ------------------------------------------------------------------------ */
/* PNG encoding in memory with libpng                                       */
/* ------------------------------------------------------------------------ */

static void png_mem_write(png_structp png, png_bytep data, png_size_t n)
{
    buf_put(png_get_io_ptr(png), data, n);
}

static void png_mem_flush(png_structp png)
{
    (void)png;
}

typedef struct png_spec {
    uint32_t width, height;
    int depth, color, interlace;
    const uint8_t *rows; /* packed rows as libpng wants them, big-endian 16-bit */
    size_t rowbytes;
    const png_color *palette;
    int palette_len;
    const uint8_t *trans; /* palette alpha */
    int trans_len;
    int trans_gray; /* -1 for none */
    uint32_t ppm;
} png_spec;

static buf encode_png(const png_spec *s)
{
    buf out = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    assert_non_null(png);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png))) fail_msg("libpng failed to encode the test image");
    png_set_write_fn(png, &out, png_mem_write, png_mem_flush);
    png_set_IHDR(png, info, s->width, s->height, s->depth, s->color, s->interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (s->palette) png_set_PLTE(png, info, s->palette, s->palette_len);
    if (s->trans) png_set_tRNS(png, info, s->trans, s->trans_len, NULL);
    if (s->trans_gray >= 0) {
        png_color_16 tc = {0};
        tc.gray = (png_uint_16)s->trans_gray;
        png_set_tRNS(png, info, NULL, 0, &tc);
    }
    if (s->ppm) png_set_pHYs(png, info, s->ppm, s->ppm, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (uint32_t y = 0; y < s->height; y++) png_write_row(png, s->rows + y * s->rowbytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return out;
}

static png_spec spec_defaults(uint32_t w, uint32_t h, int depth, int color, const uint8_t *rows, size_t rowbytes)
{
    png_spec s;
    memset(&s, 0, sizeof s);
    s.width = w;
    s.height = h;
    s.depth = depth;
    s.color = color;
    s.interlace = PNG_INTERLACE_NONE;
    s.rows = rows;
    s.rowbytes = rowbytes;
    s.trans_gray = -1;
    return s;
}

/* ------------------------------------------------------------------------ */
/* BMP encoding by hand                                                     */
/* ------------------------------------------------------------------------ */

typedef struct bmp_spec {
    uint32_t header_size; /* 12, 40, 108, 124 */
    uint32_t width, height;
    int top_down;
    unsigned bits;
    uint32_t compression;
    const uint32_t *masks; /* BI_BITFIELDS: r, g, b */
    int ppm;
    uint32_t palette_len; /* entries written; 0 = 2^bits for <= 8 bits */
    uint32_t clr_used;    /* value of the header field */
    int drop_last_pad;
} bmp_spec;

/* Gray level of palette entry i, deliberately not the identity. */
static uint8_t bmp_palette_gray(unsigned bits, uint32_t i)
{
    uint32_t n = 1u << bits;
    return (uint8_t)(255u - i * 255u / (n - 1u));
}

/* The palette index / sample value written at (x, y). */
static uint32_t bmp_value(const bmp_spec *s, uint32_t x, uint32_t y)
{
    if (s->bits <= 8) return (x + 3u * y) % (1u << s->bits);
    return pattern(x, y);
}

static uint8_t bmp_expected(const bmp_spec *s, uint32_t x, uint32_t y)
{
    uint32_t v = bmp_value(s, x, y);
    if (s->bits <= 8) return bmp_palette_gray(s->bits, v);
    if (s->bits == 16) return ref_scale(v >> 3, 31); /* 5 bits per channel */
    return (uint8_t)v;
}

static buf encode_bmp(const bmp_spec *s)
{
    buf b = {0};
    unsigned bits = s->bits;
    uint32_t palette_len = 0;
    if (bits <= 8) palette_len = s->palette_len ? s->palette_len : 1u << bits;
    uint32_t entry = s->header_size == 12 ? 3u : 4u;
    uint32_t masks_len = s->compression == 3 && s->header_size == 40 ? 12u : 0u;
    uint32_t offset = 14u + s->header_size + masks_len + palette_len * entry;
    uint32_t stride = (s->width * bits + 31u) / 32u * 4u;

    buf_put(&b, "BM", 2);
    buf_le32(&b, 0); /* file size, patched below */
    buf_le32(&b, 0);
    buf_le32(&b, offset);
    buf_le32(&b, s->header_size);
    if (s->header_size == 12) {
        buf_le16(&b, s->width);
        buf_le16(&b, s->height);
        buf_le16(&b, 1);
        buf_le16(&b, bits);
    } else {
        buf_le32(&b, s->width);
        buf_le32(&b, s->top_down ? (uint32_t)(-(int32_t)s->height) : s->height);
        buf_le16(&b, 1);
        buf_le16(&b, bits);
        buf_le32(&b, s->compression);
        buf_le32(&b, stride * s->height);
        buf_le32(&b, (uint32_t)s->ppm);
        buf_le32(&b, (uint32_t)s->ppm);
        buf_le32(&b, s->clr_used);
        buf_le32(&b, 0);
        size_t written = 40;
        if (s->header_size > 40 && s->masks) {
            for (int i = 0; i < 3; i++) buf_le32(&b, s->masks[i]);
            written += 12;
        }
        buf_fill(&b, 0, s->header_size - written);
        if (masks_len)
            for (int i = 0; i < 3; i++) buf_le32(&b, s->masks[i]);
    }
    for (uint32_t i = 0; i < palette_len; i++) {
        uint8_t g = bmp_palette_gray(bits, i);
        uint8_t e[4] = {g, g, g, 0};
        buf_put(&b, e, entry);
    }
    assert_int_equal(b.len, offset);
    uint8_t *row = calloc(stride, 1);
    assert_non_null(row);
    for (uint32_t r = 0; r < s->height; r++) {
        uint32_t y = s->top_down ? r : s->height - 1u - r;
        memset(row, 0, stride);
        for (uint32_t x = 0; x < s->width; x++) {
            uint32_t v = bmp_value(s, x, y);
            if (bits < 8) {
                unsigned per = 8u / bits;
                row[x / per] |= (uint8_t)(v << (8u - bits * (x % per + 1u)));
            } else if (bits == 8) {
                row[x] = (uint8_t)v;
            } else if (bits == 16) {
                uint32_t c = v >> 3;
                uint32_t px = c << 10 | c << 5 | c;
                row[2 * x] = (uint8_t)px;
                row[2 * x + 1] = (uint8_t)(px >> 8);
            } else {
                unsigned n = bits / 8u;
                for (unsigned k = 0; k < 3; k++) row[n * x + k] = (uint8_t)v;
            }
        }
        size_t n = stride;
        if (s->drop_last_pad && r == s->height - 1u) n = (s->width * bits + 7u) / 8u;
        buf_put(&b, row, n);
    }
    free(row);
    put_le32(b.data + 2, (uint32_t)b.len);
    return b;
}

static bmp_spec bmp_defaults(unsigned bits, uint32_t w, uint32_t h)
{
    bmp_spec s;
    memset(&s, 0, sizeof s);
    s.header_size = 40;
    s.bits = bits;
    s.width = w;
    s.height = h;
    return s;
}

static void check_bmp(const bmp_spec *s)
{
    buf b = encode_bmp(s);
    fp_io_image img;
    fp_status st = decode_exact(b.data, b.len, &img);
    if (st != FP_OK)
        fail_msg("bmp bits %u header %u: %s", s->bits, s->header_size, fp_status_name(st));
    assert_int_equal(img.format, FP_IO_BMP);
    assert_int_equal(img.width, s->width);
    assert_int_equal(img.height, s->height);
    for (uint32_t y = 0; y < s->height; y++)
        for (uint32_t x = 0; x < s->width; x++)
            if (img.pixels[y * s->width + x] != bmp_expected(s, x, y))
                fail_msg("bmp bits %u header %u top_down %d: pixel (%u,%u) = %u, want %u", s->bits, s->header_size,
                         s->top_down, x, y, img.pixels[y * s->width + x], bmp_expected(s, x, y));
    fp_io_image_free(&img);
    free(b.data);
}

/* ------------------------------------------------------------------------ */
/* Minimal TIFF encoding by hand (IFD before the pixels)                    */
/* ------------------------------------------------------------------------ */

typedef struct tiff_spec {
    uint32_t width, height;
    int big_endian;
    uint32_t bits;
    uint32_t photometric;
    uint32_t xres; /* pixels per unit, 0 = no tag */
    uint32_t unit;
} tiff_spec;

typedef struct tiff_writer {
    buf b;
    int be;
} tiff_writer;

static void tw16(tiff_writer *t, uint32_t v)
{
    uint8_t p[2];
    if (t->be) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
    buf_put(&t->b, p, 2);
}

static void tw32(tiff_writer *t, uint32_t v)
{
    uint8_t p[4];
    if (t->be)
        put_be32(p, v);
    else
        put_le32(p, v);
    buf_put(&t->b, p, 4);
}

static void tw_entry(tiff_writer *t, uint32_t tag, uint32_t type, uint32_t value)
{
    tw16(t, tag);
    tw16(t, type);
    tw32(t, 1);
    if (type == 3) { /* SHORT: left-justified in the value field */
        tw16(t, value);
        tw16(t, 0);
    } else {
        tw32(t, value);
    }
}

/* Offsets of the ImageWidth value and BitsPerSample value in encode_tiff's
 * output, for the corruption tests. */
enum { TIFF_WIDTH_VALUE = 8 + 2 + 8, TIFF_BITS_VALUE = 8 + 2 + 2 * 12 + 8 };

static buf encode_tiff(const tiff_spec *s)
{
    tiff_writer t = {{0}, s->big_endian};
    const uint32_t entries = 12;
    uint32_t ifd_end = 8 + 2 + entries * 12 + 4;
    uint32_t rational = ifd_end;
    uint32_t data = rational + 8;
    buf_put(&t.b, s->big_endian ? "MM" : "II", 2);
    tw16(&t, 42);
    tw32(&t, 8);
    tw16(&t, entries);
    tw_entry(&t, 256, 4, s->width);
    tw_entry(&t, 257, 4, s->height);
    tw_entry(&t, 258, 3, s->bits);
    tw_entry(&t, 259, 3, 1);
    tw_entry(&t, 262, 3, s->photometric);
    tw_entry(&t, 273, 4, data);
    tw_entry(&t, 277, 3, 1);
    tw_entry(&t, 278, 4, s->height);
    tw_entry(&t, 279, 4, s->width * s->height);
    /* XResolution points at the rational; with xres 0 it says 72/1 but the
     * unit says "none", so no dpi is reported. */
    tw_entry(&t, 282, 5, rational);
    tw_entry(&t, 283, 5, rational);
    tw_entry(&t, 296, 3, s->xres ? s->unit : 1);
    tw32(&t, 0);
    tw32(&t, s->xres ? s->xres : 72);
    tw32(&t, 1);
    assert_int_equal(t.b.len, data);
    for (uint32_t y = 0; y < s->height; y++)
        for (uint32_t x = 0; x < s->width; x++) {
            uint8_t v = pattern(x, y);
            buf_put(&t.b, &v, 1);
        }
    return t.b;
}

/* ------------------------------------------------------------------------ */
/* TIFF encoding with libtiff (many layouts)                                */
/* ------------------------------------------------------------------------ */

typedef enum tiff_layout {
    TL_GRAY8,
    TL_GRAY8_MINISWHITE,
    TL_GRAY8_LZW,
    TL_GRAY8_DEFLATE,
    TL_GRAY8_PACKBITS,
    TL_GRAY8_TILED,
    TL_GRAY16,
    TL_GRAY1,
    TL_RGB8,
    TL_RGB8_SEPARATE,
    TL_RGBA8_UNASSOC,
    TL_PALETTE8,
    TL_COUNT
} tiff_layout;

static const char *const tiff_layout_names[TL_COUNT] = {
    "gray8", "gray8 min-is-white", "gray8 LZW", "gray8 deflate", "gray8 packbits", "gray8 tiled",
    "gray16", "gray1", "rgb8", "rgb8 separate planes", "rgba8 unassociated", "palette8"};

/* Expected gray value of the libtiff-written images at (x, y). */
static uint8_t tl_expected(tiff_layout l, uint32_t x, uint32_t y)
{
    uint8_t g = pattern(x, y);
    switch (l) {
    case TL_GRAY1:
        return (x + y) % 3u == 0 ? 255 : 0;
    case TL_RGBA8_UNASSOC:
        /* alpha 0 on even columns -> white paper; opaque elsewhere. */
        return x % 2u == 0 ? 255 : g;
    default:
        return g;
    }
}

static buf encode_tiff_lib(tiff_layout l, uint32_t w, uint32_t h)
{
    char *path = temp_path(".tif");
    TIFF *tif = TIFFOpen(path, "w");
    assert_non_null(tif);
    uint16_t spp = 1, bps = 8, photo = PHOTOMETRIC_MINISBLACK, comp = COMPRESSION_NONE;
    uint16_t planar = PLANARCONFIG_CONTIG;
    switch (l) {
    case TL_GRAY8_MINISWHITE:
        photo = PHOTOMETRIC_MINISWHITE;
        break;
    case TL_GRAY8_LZW:
        comp = COMPRESSION_LZW;
        break;
    case TL_GRAY8_DEFLATE:
        comp = COMPRESSION_ADOBE_DEFLATE;
        break;
    case TL_GRAY8_PACKBITS:
        comp = COMPRESSION_PACKBITS;
        break;
    case TL_GRAY16:
        bps = 16;
        break;
    case TL_GRAY1:
        bps = 1;
        break;
    case TL_RGB8:
        spp = 3;
        photo = PHOTOMETRIC_RGB;
        break;
    case TL_RGB8_SEPARATE:
        spp = 3;
        photo = PHOTOMETRIC_RGB;
        planar = PLANARCONFIG_SEPARATE;
        break;
    case TL_RGBA8_UNASSOC:
        spp = 4;
        photo = PHOTOMETRIC_RGB;
        break;
    case TL_PALETTE8:
        photo = PHOTOMETRIC_PALETTE;
        break;
    default:
        break;
    }
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photo);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, comp);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, planar);
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 200.0f);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 200.0f);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_CENTIMETER);
    if (l == TL_RGBA8_UNASSOC) {
        uint16_t extra = EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    uint16_t cmap[3][256];
    if (l == TL_PALETTE8) {
        /* entry i is gray 255 - i; the image stores 255 - g. */
        for (int i = 0; i < 256; i++) cmap[0][i] = cmap[1][i] = cmap[2][i] = (uint16_t)((255 - i) * 257);
        TIFFSetField(tif, TIFFTAG_COLORMAP, cmap[0], cmap[1], cmap[2]);
    }

    if (l == TL_GRAY8_TILED) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16u);
        TIFFSetField(tif, TIFFTAG_TILELENGTH, 16u);
        uint8_t tile[16 * 16];
        for (uint32_t ty = 0; ty < h; ty += 16)
            for (uint32_t tx = 0; tx < w; tx += 16) {
                for (uint32_t y = 0; y < 16; y++)
                    for (uint32_t x = 0; x < 16; x++) tile[y * 16 + x] = pattern(tx + x, ty + y);
                assert_true(TIFFWriteTile(tif, tile, tx, ty, 0, 0) > 0);
            }
    } else {
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 3u);
        uint8_t row[4 * 64 * 2];
        assert_true(w <= 64);
        uint16_t planes = planar == PLANARCONFIG_SEPARATE ? spp : 1;
        for (uint16_t plane = 0; plane < planes; plane++)
            for (uint32_t y = 0; y < h; y++) {
                memset(row, 0, sizeof row);
                for (uint32_t x = 0; x < w; x++) {
                    uint8_t g = pattern(x, y);
                    switch (l) {
                    case TL_GRAY8_MINISWHITE:
                        row[x] = (uint8_t)(255 - g);
                        break;
                    case TL_GRAY16:
                        /* big sample g * 257 + noise below the rounding step */
                        row[2 * x] = g;
                        row[2 * x + 1] = g;
                        break;
                    case TL_GRAY1:
                        if ((x + y) % 3u == 0) row[x / 8] |= (uint8_t)(0x80u >> (x % 8));
                        break;
                    case TL_RGB8:
                        row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = g;
                        break;
                    case TL_RGBA8_UNASSOC:
                        row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = g;
                        row[4 * x + 3] = x % 2u == 0 ? 0 : 255;
                        break;
                    case TL_PALETTE8:
                        row[x] = (uint8_t)(255 - g);
                        break;
                    default:
                        row[x] = g;
                        break;
                    }
                }
                if (l == TL_GRAY16) {
                    /* native byte order for libtiff */
                    for (uint32_t x = 0; x < w; x++) {
                        uint16_t v = (uint16_t)(pattern(x, y) * 257u);
                        memcpy(row + 2 * x, &v, 2);
                    }
                }
                assert_true(TIFFWriteScanline(tif, row, y, plane) == 1);
            }
    }
    TIFFClose(tif);
    buf b = read_file(path);
    unlink(path);
    free(path);
    return b;
}

/* ------------------------------------------------------------------------ */
/* Detection and argument checks                                            */
/* ------------------------------------------------------------------------ */

static void test_detect(void **state)
{
    (void)state;
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_int_equal(fp_io_detect(png_sig, 8), FP_IO_PNG);
    assert_int_equal(fp_io_detect(png_sig, 7), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect((const uint8_t *)"II*\0", 4), FP_IO_TIFF);
    assert_int_equal(fp_io_detect((const uint8_t *)"MM\0*", 4), FP_IO_TIFF);
    assert_int_equal(fp_io_detect((const uint8_t *)"II+\0", 4), FP_IO_TIFF);
    assert_int_equal(fp_io_detect((const uint8_t *)"MM\0*", 3), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect((const uint8_t *)"P5\n", 3), FP_IO_PGM);
    assert_int_equal(fp_io_detect((const uint8_t *)"P2 ", 3), FP_IO_PGM);
    assert_int_equal(fp_io_detect((const uint8_t *)"P6\n", 3), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect((const uint8_t *)"P55", 3), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect((const uint8_t *)"BM", 2), FP_IO_BMP);
    assert_int_equal(fp_io_detect((const uint8_t *)"BA", 2), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect(NULL, 10), FP_IO_UNKNOWN);
    assert_int_equal(fp_io_detect((const uint8_t *)"GIF89a\0\0", 8), FP_IO_UNKNOWN);
}

static void test_decode_arguments(void **state)
{
    (void)state;
    fp_io_image img;
    assert_int_equal(fp_io_decode((const uint8_t *)"x", 1, NULL), FP_ERR_INVALID_ARGUMENT);
    memset(&img, 0x55, sizeof img);
    assert_int_equal(fp_io_decode(NULL, 5, &img), FP_ERR_INVALID_ARGUMENT);
    assert_null(img.pixels);
    assert_int_equal(fp_io_decode(NULL, 0, &img), FP_ERR_FILE_FORMAT);
    memset(&img, 0x55, sizeof img);
    assert_int_equal(decode_exact((const uint8_t *)"GIF89a\1\0\1\0", 10, &img), FP_ERR_FILE_FORMAT);
    assert_null(img.pixels);
    assert_int_equal(img.width, 0);
    assert_int_equal(img.format, FP_IO_UNKNOWN);

    fp_io_image_free(NULL);
    fp_io_image_free(&img); /* zeroed image */

    assert_int_equal(fp_io_load(NULL, &img), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_load("/tmp", NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_load("/nonexistent/dir/none.png", &img), FP_ERR_IO);
    assert_null(img.pixels);
    assert_int_equal(fp_io_load("/tmp", &img), FP_ERR_IO); /* a directory */
    assert_int_equal(errno, EISDIR);
    assert_int_equal(fp_io_load("/nonexistent/dir/none.png", &img), FP_ERR_IO);
    assert_int_equal(errno, ENOENT);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/*
 * fp_io_load reads only what a file's format can need: a device of zeros
 * is no image and fails on its first bytes; a file whose header declares
 * a small image but which goes on for 2 GiB (sparse here) fails without
 * being read whole; a file with a modest tail still loads.
 */
static void test_load_limits(void **state)
{
    (void)state;
    fp_io_image img;
    const long before = peak_rss_kib();
    assert_int_equal(fp_io_load("/dev/zero", &img), FP_ERR_FILE_FORMAT);
    assert_null(img.pixels);

    char *path = temp_path(".png");
    uint8_t px[16 * 16];
    for (int i = 0; i < 16 * 16; i++) px[i] = pattern((uint32_t)(i % 16), (uint32_t)(i / 16));
    assert_int_equal(fp_io_write_png_gray(path, px, 16, 16, 16, 500), FP_OK);
    assert_int_equal(truncate(path, (off_t)2 << 30), 0);
    assert_int_equal(fp_io_load(path, &img), FP_ERR_IMAGE_SIZE);
    assert_null(img.pixels);
    /* Neither was read into memory (the old loader took 1 GiB for each). */
    assert_true(peak_rss_kib() - before < 64 * 1024);

    /* A PGM followed by a second image, and a PNG with a 1 MiB tail, load. */
    assert_int_equal(fp_io_write_png_gray(path, px, 16, 16, 16, 500), FP_OK);
    assert_int_equal(truncate(path, (off_t)1 << 20), 0);
    assert_int_equal(fp_io_load(path, &img), FP_OK);
    assert_pattern(&img, 16, 16);
    fp_io_image_free(&img);
    assert_int_equal(fp_io_write_pgm(path, px, 16, 16, 16), FP_OK);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_true(fprintf(f, "P5\n16 16\n255\n") > 0);
    assert_int_equal(fwrite(px, 1, sizeof px, f), sizeof px);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(fp_io_load(path, &img), FP_OK);
    assert_pattern(&img, 16, 16);
    fp_io_image_free(&img);
    unlink(path);
    free(path);
}

/* ------------------------------------------------------------------------ */
/* Writers and round trips                                                  */
/* ------------------------------------------------------------------------ */

static void test_png_gray_round_trip(void **state)
{
    (void)state;
    const uint32_t w = 37, h = 23, stride = 40;
    uint8_t *px = malloc(stride * h);
    assert_non_null(px);
    memset(px, 0xee, stride * h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) px[y * stride + x] = pattern(x, y);
    char *path = temp_path(".png");
    static const uint32_t dpis[] = {0, 1, 72, 250, 500, 569, 1000, 1200, 999999};
    for (size_t i = 0; i < sizeof dpis / sizeof dpis[0]; i++) {
        assert_int_equal(fp_io_write_png_gray(path, px, w, h, stride, dpis[i]), FP_OK);
        fp_io_image img;
        assert_int_equal(fp_io_load(path, &img), FP_OK);
        assert_int_equal(img.format, FP_IO_PNG);
        assert_int_equal(img.dpi, dpis[i]);
        assert_pattern(&img, w, h);
        fp_io_image_free(&img);
        assert_null(img.pixels);
    }
    unlink(path);
    free(path);
    free(px);
}

static void test_png_rgb_round_trip(void **state)
{
    (void)state;
    const uint32_t w = 19, h = 11, stride = 3 * 19 + 5;
    uint8_t *px = calloc(stride * h, 1);
    assert_non_null(px);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + y * stride + 3 * x;
            p[0] = p[1] = p[2] = pattern(x, y);
        }
    /* Three saturated colours in the first row: luminance weights. */
    static const uint8_t colours[3][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    static const int luma[3] = {76, 150, 29}; /* 0.299, 0.587, 0.114 of 255 */
    for (int c = 0; c < 3; c++) memcpy(px + 3 * c, colours[c], 3);

    char *path = temp_path(".png");
    assert_int_equal(fp_io_write_png_rgb(path, px, w, h, stride), FP_OK);
    fp_io_image img;
    assert_int_equal(fp_io_load(path, &img), FP_OK);
    assert_int_equal(img.width, w);
    assert_int_equal(img.height, h);
    assert_int_equal(img.dpi, 0);
    for (int c = 0; c < 3; c++) assert_true(near(img.pixels[c], luma[c], 1));
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = y == 0 ? 3 : 0; x < w; x++) assert_int_equal(img.pixels[y * w + x], pattern(x, y));
    fp_io_image_free(&img);
    unlink(path);
    free(path);
    free(px);
}

static void test_pgm_round_trip(void **state)
{
    (void)state;
    const uint32_t w = 33, h = 17, stride = 35;
    uint8_t *px = malloc(stride * h);
    assert_non_null(px);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < stride; x++) px[y * stride + x] = x < w ? pattern(x, y) : 0xab;
    char *path = temp_path(".pgm");
    assert_int_equal(fp_io_write_pgm(path, px, w, h, stride), FP_OK);
    fp_io_image img;
    assert_int_equal(fp_io_load(path, &img), FP_OK);
    assert_int_equal(img.format, FP_IO_PGM);
    assert_int_equal(img.dpi, 0);
    assert_pattern(&img, w, h);
    fp_io_image_free(&img);
    buf b = read_file(path);
    assert_int_equal(b.len, strlen("P5\n33 17\n255\n") + w * h);
    free(b.data);
    unlink(path);
    free(path);
    free(px);
}

static void test_writer_errors(void **state)
{
    (void)state;
    uint8_t px[64] = {0};
    char *path = temp_path(".png");
    assert_int_equal(fp_io_write_png_gray(NULL, px, 4, 4, 4, 0), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_png_gray(path, NULL, 4, 4, 4, 0), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_png_gray(path, px, 4, 4, 3, 0), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_png_gray(path, px, 0, 4, 4, 0), FP_ERR_IMAGE_SIZE);
    assert_int_equal(fp_io_write_png_gray(path, px, 4, FP_IO_MAX_DIM + 1, 4, 0), FP_ERR_IMAGE_SIZE);
    assert_int_equal(fp_io_write_png_gray(path, px, 4, 4, 4, UINT32_MAX), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_png_rgb(path, px, 4, 4, 11), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_png_rgb(path, px, 4, 0, 12), FP_ERR_IMAGE_SIZE);
    assert_int_equal(fp_io_write_png_rgb(path, NULL, 4, 4, 12), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_pgm(path, px, 4, 4, 2), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_io_write_pgm(path, px, 0, 0, 0), FP_ERR_IMAGE_SIZE);
    assert_int_equal(fp_io_write_pgm(NULL, px, 4, 4, 4), FP_ERR_INVALID_ARGUMENT);
    /* Nothing was created by the failed calls. */
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(fp_io_write_png_gray("/nonexistent/dir/x.png", px, 4, 4, 4, 0), FP_ERR_IO);
    assert_int_equal(fp_io_write_png_rgb("/nonexistent/dir/x.png", px, 4, 4, 12), FP_ERR_IO);
    assert_int_equal(fp_io_write_pgm("/nonexistent/dir/x.pgm", px, 4, 4, 4), FP_ERR_IO);
    /* /dev/full accepts the open and fails the writes; a failed write must
     * not remove what is not a regular file. */
    struct stat sb;
    if (stat("/dev/full", &sb) == 0 && S_ISCHR(sb.st_mode) && access("/dev/full", W_OK) == 0) {
        static uint8_t big[256 * 256];
        for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 2654435761u >> 13);
        assert_int_equal(fp_io_write_pgm("/dev/full", big, 256, 256, 256), FP_ERR_IO);
        assert_int_equal(fp_io_write_png_gray("/dev/full", big, 256, 256, 256, 0), FP_ERR_IO);
        assert_int_equal(fp_io_write_png_rgb("/dev/full", big, 64, 64, 192), FP_ERR_IO);
        assert_int_equal(stat("/dev/full", &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
    }
    /* The successful write after all those failures creates the file. */
    assert_int_equal(fp_io_write_pgm(path, px, 4, 4, 4), FP_OK);
    assert_int_equal(access(path, F_OK), 0);
    unlink(path);
    free(path);
}

/* ------------------------------------------------------------------------ */
/* PNG decoder                                                              */
/* ------------------------------------------------------------------------ */

static void expect_png(const png_spec *s, const uint8_t *expected, int tol, const char *what)
{
    buf b = encode_png(s);
    fp_io_image img;
    fp_status st = decode_exact(b.data, b.len, &img);
    if (st != FP_OK) fail_msg("%s: %s", what, fp_status_name(st));
    assert_int_equal(img.format, FP_IO_PNG);
    assert_int_equal(img.width, s->width);
    assert_int_equal(img.height, s->height);
    for (uint32_t i = 0; i < s->width * s->height; i++)
        if (!near(img.pixels[i], expected[i], tol))
            fail_msg("%s: pixel %u = %u, want %u", what, i, img.pixels[i], expected[i]);
    fp_io_image_free(&img);
    free(b.data);
}

static void test_png_layouts(void **state)
{
    (void)state;
    enum { W = 13, H = 9, N = W * H };
    uint8_t expected[N], rows[N * 8];
    png_spec s;

    for (int interlace = 0; interlace <= 1; interlace++) {
        /* 8-bit gray */
        for (uint32_t y = 0; y < H; y++)
            for (uint32_t x = 0; x < W; x++) expected[y * W + x] = rows[y * W + x] = pattern(x, y);
        s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY, rows, W);
        s.interlace = interlace;
        expect_png(&s, expected, 0, "gray8");

        /* 16-bit gray: v * 257 + 100 rounds back to v */
        for (uint32_t i = 0; i < N; i++) {
            uint32_t v = pattern(i % W, i / W) * 257u + (pattern(i % W, i / W) < 255 ? 100u : 0u);
            rows[2 * i] = (uint8_t)(v >> 8);
            rows[2 * i + 1] = (uint8_t)v;
            expected[i] = pattern(i % W, i / W);
        }
        s = spec_defaults(W, H, 16, PNG_COLOR_TYPE_GRAY, rows, 2 * W);
        s.interlace = interlace;
        expect_png(&s, expected, 0, "gray16");

        /* 1, 2, 4-bit gray: levels scaled to 0..255 */
        for (int depth = 1; depth <= 4; depth *= 2) {
            size_t rb = (W * (size_t)depth + 7) / 8;
            memset(rows, 0, sizeof rows);
            uint32_t maxv = (1u << depth) - 1u;
            for (uint32_t y = 0; y < H; y++)
                for (uint32_t x = 0; x < W; x++) {
                    uint32_t v = (x * 5u + y) % (maxv + 1u);
                    rows[y * rb + x * depth / 8] |= (uint8_t)(v << (8 - depth - (x * depth) % 8));
                    expected[y * W + x] = (uint8_t)(v * 255u / maxv);
                }
            s = spec_defaults(W, H, depth, PNG_COLOR_TYPE_GRAY, rows, rb);
            s.interlace = interlace;
            expect_png(&s, expected, 0, "gray low depth");
        }

        /* gray + alpha: transparent -> white, half -> halfway to white */
        for (uint32_t i = 0; i < N; i++) {
            uint8_t g = pattern(i % W, i / W);
            uint8_t a = (uint8_t)(i % 3 == 0 ? 255 : i % 3 == 1 ? 0 : 128);
            rows[2 * i] = g;
            rows[2 * i + 1] = a;
            expected[i] = a == 255 ? g : a == 0 ? 255 : (uint8_t)((g * 128 + 255 * 127 + 127) / 255);
        }
        s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY_ALPHA, rows, 2 * W);
        s.interlace = interlace;
        expect_png(&s, expected, 1, "gray+alpha");

        /* RGB 16-bit with equal channels */
        for (uint32_t i = 0; i < N; i++) {
            uint16_t v = (uint16_t)(pattern(i % W, i / W) * 257u);
            for (int c = 0; c < 3; c++) {
                rows[6 * i + 2 * c] = (uint8_t)(v >> 8);
                rows[6 * i + 2 * c + 1] = (uint8_t)v;
            }
            expected[i] = pattern(i % W, i / W);
        }
        s = spec_defaults(W, H, 16, PNG_COLOR_TYPE_RGB, rows, 6 * W);
        s.interlace = interlace;
        expect_png(&s, expected, 0, "rgb16");

        /* RGBA 8-bit: gray colours, alpha 0 or 255, one pure green pixel */
        for (uint32_t i = 0; i < N; i++) {
            uint8_t g = pattern(i % W, i / W);
            rows[4 * i] = rows[4 * i + 1] = rows[4 * i + 2] = g;
            rows[4 * i + 3] = i % 2 ? 255 : 0;
            expected[i] = i % 2 ? g : 255;
        }
        rows[4 * 1] = 0;
        rows[4 * 1 + 1] = 255;
        rows[4 * 1 + 2] = 0;
        expected[1] = 150;
        s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_RGBA, rows, 4 * W);
        s.interlace = interlace;
        expect_png(&s, expected, 1, "rgba8");

        /* palette 4-bit with tRNS: entry i is gray 17 * i, entry 3 transparent */
        png_color pal[16];
        uint8_t trans[4] = {255, 255, 255, 0};
        for (int i = 0; i < 16; i++) pal[i].red = pal[i].green = pal[i].blue = (uint8_t)(17 * i);
        memset(rows, 0, sizeof rows);
        size_t rb = (W * 4 + 7) / 8;
        for (uint32_t y = 0; y < H; y++)
            for (uint32_t x = 0; x < W; x++) {
                uint32_t v = (x + 2u * y) % 16u;
                rows[y * rb + x / 2] |= (uint8_t)(x % 2 ? v : v << 4);
                expected[y * W + x] = v == 3 ? 255 : (uint8_t)(17 * v);
            }
        s = spec_defaults(W, H, 4, PNG_COLOR_TYPE_PALETTE, rows, rb);
        s.interlace = interlace;
        s.palette = pal;
        s.palette_len = 16;
        s.trans = trans;
        s.trans_len = 4;
        expect_png(&s, expected, 0, "palette4+tRNS");

        /* 8-bit gray with a tRNS colour key */
        for (uint32_t i = 0; i < N; i++) {
            rows[i] = pattern(i % W, i / W);
            expected[i] = rows[i] == 37 ? 255 : rows[i];
        }
        s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY, rows, W);
        s.interlace = interlace;
        s.trans_gray = 37;
        expect_png(&s, expected, 0, "gray8 colour key");
    }

    /* pHYs in pixels per metre; other units give no dpi */
    for (uint32_t i = 0; i < N; i++) rows[i] = 0;
    s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY, rows, W);
    s.ppm = 19685;
    buf b = encode_png(&s);
    fp_io_image img;
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    assert_int_equal(img.dpi, 500);
    fp_io_image_free(&img);
    free(b.data);
}

static void test_png_corrupt(void **state)
{
    (void)state;
    enum { W = 8, H = 8 };
    uint8_t rows[W * H];
    for (int i = 0; i < W * H; i++) rows[i] = (uint8_t)(i * 3);
    png_spec s = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY, rows, W);
    buf b = encode_png(&s);
    fp_io_image img;
    uint8_t *d = malloc(b.len);
    assert_non_null(d);

    /* IHDR fields: width at 16, height at 20, depth 24, colour type 25. */
    static const struct {
        size_t off;
        uint32_t value;
        int be32;
        fp_status want;
    } cases[] = {
        {16, 0, 1, FP_ERR_IMAGE_SIZE},
        {20, 0, 1, FP_ERR_IMAGE_SIZE},
        {16, FP_IO_MAX_DIM + 1, 1, FP_ERR_IMAGE_SIZE},
        {20, 0x7fffffff, 1, FP_ERR_IMAGE_SIZE},
        {16, 0xffffffff, 1, FP_ERR_IMAGE_SIZE},
        {24, 3, 0, FP_ERR_FILE_CORRUPT},
        {24, 0, 0, FP_ERR_FILE_CORRUPT},
        {24, 32, 0, FP_ERR_FILE_CORRUPT},
        {25, 5, 0, FP_ERR_FILE_CORRUPT},
        {25, 7, 0, FP_ERR_FILE_CORRUPT},
        {26, 1, 0, FP_ERR_FILE_CORRUPT}, /* compression method */
        {28, 2, 0, FP_ERR_FILE_CORRUPT}, /* interlace method */
        {29, 0, 0, FP_ERR_FILE_CORRUPT}, /* IHDR CRC */
        {12, 'X', 0, FP_ERR_FILE_CORRUPT}, /* chunk type not IHDR */
        {16, 16, 1, FP_ERR_FILE_CORRUPT},  /* valid width, but CRC no longer matches */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(d, b.data, b.len);
        if (cases[i].be32)
            put_be32(d + cases[i].off, cases[i].value);
        else
            d[cases[i].off] = (uint8_t)cases[i].value;
        fp_status st = decode_exact(d, b.len, &img);
        if (st != cases[i].want)
            fail_msg("case %zu: got %s want %s", i, fp_status_name(st), fp_status_name(cases[i].want));
        assert_null(img.pixels);
    }
    /* A valid header declaring 8192 x 8192 with 8x8 worth of data: far less
     * than deflate could expand to the declared size. */
    memcpy(d, b.data, b.len);
    put_be32(d + 16, FP_IO_MAX_DIM);
    put_be32(d + 20, FP_IO_MAX_DIM);
    put_be32(d + 29, (uint32_t)crc32(0, d + 12, 17));
    assert_int_equal(decode_exact(d, b.len, &img), FP_ERR_FILE_CORRUPT);
    /* The same with a correct CRC but a size the data can fill: libpng
     * then finds the rows missing. */
    memcpy(d, b.data, b.len);
    put_be32(d + 16, 64);
    put_be32(d + 29, (uint32_t)crc32(0, d + 12, 17));
    assert_int_equal(decode_exact(d, b.len, &img), FP_ERR_FILE_CORRUPT);
    /* And the untouched file still decodes (the patches above were the
     * cause). */
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    fp_io_image_free(&img);

    /* A flipped bit in the compressed data (IDAT CRC mismatch). */
    memcpy(d, b.data, b.len);
    d[b.len - 12 - 6] ^= 0x10;
    assert_int_equal(decode_exact(d, b.len, &img), FP_ERR_FILE_CORRUPT);
    free(d);
    free(b.data);
}

/* ------------------------------------------------------------------------ */
/* PGM decoder                                                              */
/* ------------------------------------------------------------------------ */

static fp_status decode_str(const char *s, size_t len, fp_io_image *img)
{
    return decode_exact((const uint8_t *)s, len, img);
}

static void test_pgm_layouts(void **state)
{
    (void)state;
    fp_io_image img;
    /* P2 with comments everywhere the header allows them, maxval 15 */
    const char *p2 = "P2\n# made by hand\n4 # width\n2\n# maxval next\n15\n0 1 2 3\n  15 14 #c\n 7 8\n";
    assert_int_equal(decode_str(p2, strlen(p2), &img), FP_OK);
    assert_int_equal(img.format, FP_IO_PGM);
    assert_int_equal(img.width, 4);
    assert_int_equal(img.height, 2);
    static const uint32_t p2v[8] = {0, 1, 2, 3, 15, 14, 7, 8};
    for (int i = 0; i < 8; i++) assert_int_equal(img.pixels[i], ref_scale(p2v[i], 15));
    fp_io_image_free(&img);

    /* P2 with maxval 1000, no final newline */
    const char *p2b = "P2 3 1 1000 0 500 1000";
    assert_int_equal(decode_str(p2b, strlen(p2b), &img), FP_OK);
    assert_int_equal(img.pixels[0], 0);
    assert_int_equal(img.pixels[1], 128);
    assert_int_equal(img.pixels[2], 255);
    fp_io_image_free(&img);

    /* P5 16-bit, big-endian samples */
    static const uint8_t p5_16[] = {'P', '5', ' ', '2', ' ', '2', ' ', '6', '5', '5', '3', '5', '\n',
                                    0x00, 0x00, 0xff, 0xff, 0x80, 0x00, 0x01, 0x01};
    assert_int_equal(decode_exact(p5_16, sizeof p5_16, &img), FP_OK);
    assert_int_equal(img.pixels[0], 0);
    assert_int_equal(img.pixels[1], 255);
    assert_int_equal(img.pixels[2], ref_scale(0x8000, 65535));
    assert_int_equal(img.pixels[3], 1);
    fp_io_image_free(&img);

    /* P5 maxval 1: bilevel */
    static const uint8_t p5_1[] = {'P', '5', '\n', '2', ' ', '1', '\n', '1', '\n', 1, 0};
    assert_int_equal(decode_exact(p5_1, sizeof p5_1, &img), FP_OK);
    assert_int_equal(img.pixels[0], 255);
    assert_int_equal(img.pixels[1], 0);
    fp_io_image_free(&img);

    /* A data byte that happens to be white space right after the header. */
    static const uint8_t p5_ws[] = {'P', '5', '\n', '2', ' ', '1', '\n', '2', '5', '5', '\n', ' ', '\n'};
    assert_int_equal(decode_exact(p5_ws, sizeof p5_ws, &img), FP_OK);
    assert_int_equal(img.pixels[0], ' ');
    assert_int_equal(img.pixels[1], '\n');
    fp_io_image_free(&img);

    static const struct {
        const char *text;
        fp_status want;
    } bad[] = {
        {"P5\n0 4\n255\n", FP_ERR_IMAGE_SIZE},
        {"P5\n4 0\n255\n", FP_ERR_IMAGE_SIZE},
        {"P5\n8193 1\n255\n", FP_ERR_IMAGE_SIZE},
        {"P5\n1 99999999999999999999\n255\n", FP_ERR_IMAGE_SIZE},
        {"P5\n2 2\n0\n\1\1\1\1", FP_ERR_FILE_CORRUPT},
        {"P5\n2 2\n65536\n", FP_ERR_FILE_CORRUPT},
        {"P5\n2 2\n255", FP_ERR_FILE_CORRUPT},
        {"P5\n2 2\n255#x\n\1\1\1\1", FP_ERR_FILE_CORRUPT},
        {"P5\n2 2\n255\n\1\1\1", FP_ERR_FILE_CORRUPT},
        {"P5\n2 2\n15\n\1\1\1\20", FP_ERR_FILE_CORRUPT}, /* sample above maxval */
        {"P5\n-2 2\n255\n\1\1\1\1", FP_ERR_FILE_CORRUPT},
        {"P5\n2x 2\n255\n\1\1\1\1", FP_ERR_FILE_CORRUPT},
        {"P5\n", FP_ERR_FILE_CORRUPT},
        {"P2\n2 2\n15\n1 2 3", FP_ERR_FILE_CORRUPT},
        {"P2\n2 2\n15\n1 2 3 16", FP_ERR_FILE_CORRUPT},
        {"P2\n2 2\n15\n1 2 3 x", FP_ERR_FILE_CORRUPT},
        {"P2\n2 2\n15\n1 2 3 4x", FP_ERR_FILE_CORRUPT},
        {"P2\n8192 8192\n255\n0 1\n", FP_ERR_FILE_CORRUPT}, /* far too short for its size */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fp_status st = decode_str(bad[i].text, strlen(bad[i].text), &img);
        if (st != bad[i].want) fail_msg("case %zu: got %s want %s", i, fp_status_name(st), fp_status_name(bad[i].want));
        assert_null(img.pixels);
    }
}

/* ------------------------------------------------------------------------ */
/* BMP decoder                                                              */
/* ------------------------------------------------------------------------ */

static void test_bmp_layouts(void **state)
{
    (void)state;
    static const unsigned bit_counts[] = {1, 2, 4, 8, 16, 24, 32};
    static const uint32_t header_sizes[] = {40, 52, 56, 108, 124};
    /* widths chosen so rows need 0..3 bytes of padding */
    static const uint32_t widths[] = {1, 5, 13, 16, 31};
    for (size_t b = 0; b < sizeof bit_counts / sizeof bit_counts[0]; b++)
        for (size_t hs = 0; hs < sizeof header_sizes / sizeof header_sizes[0]; hs++)
            for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++)
                for (int td = 0; td <= 1; td++) {
                    bmp_spec s = bmp_defaults(bit_counts[b], widths[wi], 7);
                    s.header_size = header_sizes[hs];
                    s.top_down = td;
                    check_bmp(&s);
                }
    /* OS/2 core header: 1, 4, 8, 24 bits, 3-byte palette entries */
    static const unsigned core_bits[] = {1, 4, 8, 24};
    for (size_t b = 0; b < 4; b++) {
        bmp_spec s = bmp_defaults(core_bits[b], 11, 5);
        s.header_size = 12;
        check_bmp(&s);
    }
    /* BI_BITFIELDS, masks after a 40-byte header and inside a V4 header */
    static const uint32_t m32[3] = {0x00ff0000, 0x0000ff00, 0x000000ff};
    static const uint32_t m16[3] = {0x7c00, 0x03e0, 0x001f};
    for (int v4 = 0; v4 <= 1; v4++) {
        bmp_spec s = bmp_defaults(32, 9, 4);
        s.compression = 3;
        s.masks = m32;
        s.header_size = v4 ? 108 : 40;
        check_bmp(&s);
        s = bmp_defaults(16, 9, 4);
        s.compression = 3;
        s.masks = m16;
        s.header_size = v4 ? 108 : 40;
        check_bmp(&s);
    }
    /* A short palette (clrUsed 16 on an 8-bit image) and no padding on the last row */
    bmp_spec s = bmp_defaults(8, 13, 6);
    s.palette_len = 256;
    s.drop_last_pad = 1;
    check_bmp(&s);

    /* Colour and resolution: a 24-bit image with one red and one blue pixel */
    s = bmp_defaults(24, 4, 2);
    s.ppm = 19685;
    buf b = encode_bmp(&s);
    uint8_t *first = b.data + 54; /* bottom-up: file row 0 is image row 1 */
    first[0] = 0, first[1] = 0, first[2] = 255;
    first[3] = 255, first[4] = 0, first[5] = 0;
    fp_io_image img;
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    assert_int_equal(img.dpi, 500);
    assert_true(near(img.pixels[4], 76, 1));
    assert_true(near(img.pixels[5], 29, 1));
    assert_int_equal(img.pixels[0], pattern(0, 0));
    fp_io_image_free(&img);
    /* Resolution 0 or negative means unknown. */
    put_le32(b.data + 38, 0x80000000u);
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    assert_int_equal(img.dpi, 0);
    fp_io_image_free(&img);
    free(b.data);
}

static void test_bmp_corrupt(void **state)
{
    (void)state;
    bmp_spec s = bmp_defaults(8, 6, 5);
    buf b = encode_bmp(&s);
    uint8_t *d = malloc(b.len);
    assert_non_null(d);
    fp_io_image img;
    /* 40-byte header: offset 10 data offset, 14 header size, 18 width,
     * 22 height, 26 planes, 28 bit count, 30 compression. */
    static const struct {
        size_t off;
        uint32_t value;
        int size;
        fp_status want;
    } cases[] = {
        {30, 1, 4, FP_ERR_FILE_FORMAT}, /* RLE8 */
        {30, 2, 4, FP_ERR_FILE_FORMAT}, /* RLE4 */
        {30, 4, 4, FP_ERR_FILE_FORMAT}, /* JPEG */
        {30, 5, 4, FP_ERR_FILE_FORMAT}, /* PNG */
        {30, 3, 4, FP_ERR_FILE_CORRUPT}, /* bit fields on an 8-bit image */
        {28, 7, 2, FP_ERR_FILE_CORRUPT},
        {28, 0, 2, FP_ERR_FILE_CORRUPT},
        {28, 64, 2, FP_ERR_FILE_CORRUPT},
        {26, 0, 2, FP_ERR_FILE_CORRUPT},
        {18, 0, 4, FP_ERR_IMAGE_SIZE},
        {22, 0, 4, FP_ERR_IMAGE_SIZE},
        {18, FP_IO_MAX_DIM + 1, 4, FP_ERR_IMAGE_SIZE},
        {22, (uint32_t)-(FP_IO_MAX_DIM + 1), 4, FP_ERR_IMAGE_SIZE},
        {22, 0x80000000u, 4, FP_ERR_IMAGE_SIZE}, /* INT32_MIN */
        {22, 0x7fffffffu, 4, FP_ERR_IMAGE_SIZE},
        {18, 0xfffffffau, 4, FP_ERR_FILE_CORRUPT}, /* negative width */
        {18, FP_IO_MAX_DIM, 4, FP_ERR_FILE_CORRUPT}, /* valid size, data missing */
        {22, (uint32_t)-FP_IO_MAX_DIM, 4, FP_ERR_FILE_CORRUPT},
        {14, 20, 4, FP_ERR_FILE_FORMAT},
        {14, 0xffffffffu, 4, FP_ERR_FILE_FORMAT},
        {14, 0, 4, FP_ERR_FILE_FORMAT},
        {10, 0xffffffffu, 4, FP_ERR_FILE_CORRUPT}, /* pixels past the end */
        {10, 20, 4, FP_ERR_FILE_CORRUPT},          /* pixels inside the header */
        {10, 54, 4, FP_ERR_FILE_CORRUPT},          /* no room left for a palette */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(d, b.data, b.len);
        if (cases[i].size == 4)
            put_le32(d + cases[i].off, cases[i].value);
        else
            d[cases[i].off] = (uint8_t)cases[i].value, d[cases[i].off + 1] = (uint8_t)(cases[i].value >> 8);
        fp_status st = decode_exact(d, b.len, &img);
        if (st != cases[i].want)
            fail_msg("case %zu: got %s want %s", i, fp_status_name(st), fp_status_name(cases[i].want));
        assert_null(img.pixels);
    }
    /* Bit fields on a 24-bit image are invalid too. */
    free(b.data);
    s = bmp_defaults(24, 3, 3);
    b = encode_bmp(&s);
    put_le32(b.data + 30, 3);
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_ERR_FILE_CORRUPT);
    free(b.data);
    free(d);
}

/* ------------------------------------------------------------------------ */
/* TIFF decoder                                                             */
/* ------------------------------------------------------------------------ */

static void test_tiff_layouts(void **state)
{
    (void)state;
    fp_io_image img;
    for (int be = 0; be <= 1; be++)
        for (int white = 0; white <= 1; white++) {
            tiff_spec ts = {21, 10, be, 8, white ? 0u : 1u, 500, 2};
            buf b = encode_tiff(&ts);
            assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
            assert_int_equal(img.format, FP_IO_TIFF);
            assert_int_equal(img.dpi, 500);
            assert_int_equal(img.width, 21);
            assert_int_equal(img.height, 10);
            for (uint32_t y = 0; y < 10; y++)
                for (uint32_t x = 0; x < 21; x++) {
                    uint8_t v = pattern(x, y);
                    assert_int_equal(img.pixels[y * 21 + x], white ? 255 - v : v);
                }
            fp_io_image_free(&img);
            free(b.data);
        }
    /* Resolution units: 197 px/cm is 500 dpi; "no unit" is no dpi. */
    tiff_spec ts = {4, 4, 0, 8, 1, 197, 3};
    buf b = encode_tiff(&ts);
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    assert_int_equal(img.dpi, 500);
    fp_io_image_free(&img);
    free(b.data);
    ts.xres = 0;
    b = encode_tiff(&ts);
    assert_int_equal(decode_exact(b.data, b.len, &img), FP_OK);
    assert_int_equal(img.dpi, 0);
    fp_io_image_free(&img);
    free(b.data);

    const uint32_t w = 37, h = 20;
    for (int l = 0; l < TL_COUNT; l++) {
        if (l == TL_GRAY8_DEFLATE && !TIFFIsCODECConfigured(COMPRESSION_ADOBE_DEFLATE)) continue;
        if (l == TL_GRAY8_LZW && !TIFFIsCODECConfigured(COMPRESSION_LZW)) continue;
        uint32_t tw = l == TL_GRAY8_TILED ? 40 : w, th = l == TL_GRAY8_TILED ? 33 : h;
        b = encode_tiff_lib((tiff_layout)l, tw, th);
        fp_status st = decode_exact(b.data, b.len, &img);
        if (st != FP_OK) fail_msg("%s: %s", tiff_layout_names[l], fp_status_name(st));
        assert_int_equal(img.width, tw);
        assert_int_equal(img.height, th);
        assert_int_equal(img.dpi, 508); /* 200 px/cm */
        for (uint32_t y = 0; y < th; y++)
            for (uint32_t x = 0; x < tw; x++)
                if (img.pixels[y * tw + x] != tl_expected((tiff_layout)l, x, y))
                    fail_msg("%s: pixel (%u,%u) = %u, want %u", tiff_layout_names[l], x, y, img.pixels[y * tw + x],
                             tl_expected((tiff_layout)l, x, y));
        fp_io_image_free(&img);
        free(b.data);
    }
}

static void patch_tiff_short(uint8_t *d, size_t off, uint32_t v)
{
    d[off] = (uint8_t)v;
    d[off + 1] = (uint8_t)(v >> 8);
}

static void test_tiff_corrupt(void **state)
{
    (void)state;
    tiff_spec ts = {16, 8, 0, 8, 1, 500, 2};
    buf b = encode_tiff(&ts);
    uint8_t *d = malloc(b.len);
    assert_non_null(d);
    fp_io_image img;
    const size_t height_value = TIFF_WIDTH_VALUE + 12, compression_value = TIFF_BITS_VALUE + 12,
                 photometric_value = TIFF_BITS_VALUE + 24;
    static const char *const names[] = {"width 8193", "height 100000", "width 0", "height 0", "bits 7",
                                        "bits 0",     "compression 12345", "photometric 99", "compression LZW",
                                        "IFD offset past the end", "not a TIFF after all"};
    for (int i = 0; i < 11; i++) {
        memcpy(d, b.data, b.len);
        fp_status want;
        switch (i) {
        case 0:
            put_le32(d + TIFF_WIDTH_VALUE, FP_IO_MAX_DIM + 1);
            want = FP_ERR_IMAGE_SIZE;
            break;
        case 1:
            put_le32(d + height_value, 100000);
            want = FP_ERR_IMAGE_SIZE;
            break;
        case 2:
            /* libtiff itself refuses a zero-sized directory */
            put_le32(d + TIFF_WIDTH_VALUE, 0);
            want = FP_ERR_FILE_CORRUPT;
            break;
        case 3:
            put_le32(d + height_value, 0);
            want = FP_ERR_FILE_CORRUPT;
            break;
        case 4:
            patch_tiff_short(d, TIFF_BITS_VALUE, 7);
            want = FP_ERR_FILE_FORMAT;
            break;
        case 5:
            patch_tiff_short(d, TIFF_BITS_VALUE, 0); /* libtiff refuses it outright */
            want = FP_ERR_FILE_CORRUPT;
            break;
        case 6:
            patch_tiff_short(d, compression_value, 12345);
            want = FP_ERR_FILE_FORMAT;
            break;
        case 7:
            patch_tiff_short(d, photometric_value, 99);
            want = FP_ERR_FILE_FORMAT;
            break;
        case 8:
            patch_tiff_short(d, compression_value, COMPRESSION_LZW); /* raw bytes are not LZW */
            want = FP_ERR_FILE_CORRUPT;
            break;
        case 9:
            put_le32(d + 4, 0x7fffffff);
            want = FP_ERR_FILE_CORRUPT;
            break;
        default:
            put_le32(d + 4, 0); /* no first directory */
            want = FP_ERR_FILE_CORRUPT;
            break;
        }
        fp_status st = decode_exact(d, b.len, &img);
        if (st != want) fail_msg("%s: got %s want %s", names[i], fp_status_name(st), fp_status_name(want));
        assert_null(img.pixels);
    }
    free(d);
    free(b.data);
}

/* ------------------------------------------------------------------------ */
/* Truncation at every length                                               */
/* ------------------------------------------------------------------------ */

/* Every prefix of a valid file must fail (FP_ERR_FILE_CORRUPT once the
 * signature is complete) unless it still holds the whole image. */
static void check_truncations(const buf *b, size_t sig_len, const char *what)
{
    fp_io_image full, img;
    fp_status st = decode_exact(b->data, b->len, &full);
    if (st != FP_OK) fail_msg("%s: full file fails: %s", what, fp_status_name(st));
    size_t ok_prefixes = 0;
    for (size_t len = 0; len < b->len; len++) {
        st = decode_exact(b->data, len, &img);
        if (st == FP_OK) {
            if (img.width != full.width || img.height != full.height ||
                memcmp(img.pixels, full.pixels, (size_t)full.width * full.height) != 0)
                fail_msg("%s: prefix of %zu bytes decodes to a different image", what, len);
            if (img.dpi != full.dpi) fail_msg("%s: prefix of %zu bytes loses the resolution", what, len);
            ok_prefixes++;
        } else {
            fp_status want = len < sig_len ? FP_ERR_FILE_FORMAT : FP_ERR_FILE_CORRUPT;
            if (st != want)
                fail_msg("%s: prefix of %zu/%zu bytes: %s, want %s", what, len, b->len, fp_status_name(st),
                         fp_status_name(want));
            assert_null(img.pixels);
        }
        fp_io_image_free(&img);
    }
    /* Only tolerated tails (trailing padding) may be missing. */
    if (ok_prefixes > 4) fail_msg("%s: %zu truncated prefixes decode", what, ok_prefixes);
    fp_io_image_free(&full);
}

static void test_truncation(void **state)
{
    (void)state;
    enum { W = 10, H = 7 };
    uint8_t rows[W * H * 4];
    for (int i = 0; i < W * H * 4; i++) rows[i] = (uint8_t)(i * 7);
    png_spec ps = spec_defaults(W, H, 8, PNG_COLOR_TYPE_GRAY, rows, W);
    buf b = encode_png(&ps);
    check_truncations(&b, 8, "png gray");
    free(b.data);
    ps = spec_defaults(W, H, 8, PNG_COLOR_TYPE_RGBA, rows, 4 * W);
    ps.interlace = PNG_INTERLACE_ADAM7;
    b = encode_png(&ps);
    check_truncations(&b, 8, "png rgba interlaced");
    free(b.data);

    /* PGM P5 and P2 (ending in a one-digit sample, so that no shorter
     * prefix is a valid file with another last value). */
    buf p = {0};
    const char *hdr = "P5\n# c\n10 7\n255\n";
    buf_put(&p, hdr, strlen(hdr));
    buf_put(&p, rows, W * H);
    check_truncations(&p, 3, "pgm p5");
    free(p.data);
    p = (buf){0};
    const char *p2 = "P2\n3 2\n# c\n300\n0 299 300\n17 42 5\n";
    buf_put(&p, p2, strlen(p2));
    check_truncations(&p, 3, "pgm p2");
    free(p.data);

    static const unsigned bmp_bits[] = {1, 4, 8, 24, 32};
    for (size_t i = 0; i < sizeof bmp_bits / sizeof bmp_bits[0]; i++) {
        bmp_spec s = bmp_defaults(bmp_bits[i], 7, 5);
        b = encode_bmp(&s);
        check_truncations(&b, 2, "bmp");
        free(b.data);
    }
    bmp_spec cs = bmp_defaults(8, 7, 5);
    cs.header_size = 12;
    b = encode_bmp(&cs);
    check_truncations(&b, 2, "bmp core");
    free(b.data);

    for (int be = 0; be <= 1; be++) {
        tiff_spec ts = {9, 6, be, 8, 1, 500, 2};
        b = encode_tiff(&ts);
        check_truncations(&b, 4, "tiff by hand");
        free(b.data);
    }
    static const tiff_layout layouts[] = {TL_GRAY8, TL_GRAY8_LZW, TL_GRAY8_TILED, TL_RGB8, TL_PALETTE8,
                                          TL_GRAY16};
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        b = encode_tiff_lib(layouts[i], 16, 16);
        check_truncations(&b, 4, tiff_layout_names[layouts[i]]);
        free(b.data);
    }
}

/* ------------------------------------------------------------------------ */
/* Real files                                                               */
/* ------------------------------------------------------------------------ */

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* Loads every file with the suffix in dir; returns how many, -1 if the
 * folder is missing. */
static int load_folder(const char *dir, const char *suffix, uint32_t w, uint32_t h, fp_io_format format)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, suffix)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fp_io_image img;
        fp_status st = fp_io_load(path, &img);
        if (st != FP_OK) fail_msg("%s: %s", path, fp_status_name(st));
        assert_int_equal(img.format, format);
        if (img.width != w || img.height != h)
            fail_msg("%s: %ux%u, README says %ux%u", path, img.width, img.height, w, h);
        /* A real fingerprint is not a flat image. */
        uint8_t lo = 255, hi = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) {
            if (img.pixels[i] < lo) lo = img.pixels[i];
            if (img.pixels[i] > hi) hi = img.pixels[i];
        }
        assert_true(hi - lo > 64);
        fp_io_image_free(&img);
        count++;
    }
    closedir(d);
    return count;
}

static void test_fvc_datasets(void **state)
{
    (void)state;
    static const struct {
        const char *dir;
        uint32_t w, h;
    } sets[] = {
        {DATASETS "/FVC2002/DB1_B", 388, 374},
        {DATASETS "/FVC2000/DB1_B", 300, 300},
    };
    int found = 0;
    for (size_t i = 0; i < 2; i++) {
        int n = load_folder(sets[i].dir, ".tif", sets[i].w, sets[i].h, FP_IO_TIFF);
        if (n < 0) {
            print_message("%s is absent\n", sets[i].dir);
            continue;
        }
        assert_int_equal(n, 80);
        found++;
    }
    if (!found) {
        print_message("no FVC data set found under %s, skipping\n", DATASETS);
        skip();
    }
}

static void test_pgm_vectors(void **state)
{
    (void)state;
    const char *dir = DATASETS "/template-test-vectors/fingerjetfxose/images-pgm";
    DIR *d = opendir(dir);
    if (!d) {
        print_message("%s is absent, skipping\n", dir);
        skip();
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!has_suffix(e->d_name, ".pgm")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        /* Independent reading of these simple files: "P5 w h 255\n" + raster. */
        buf raw = read_file(path);
        unsigned w = 0, h = 0, maxval = 0;
        int hdr = 0;
        assert_int_equal(sscanf((const char *)raw.data, "P5 %u %u %u%n", &w, &h, &maxval, &hdr), 3);
        assert_int_equal(maxval, 255);
        fp_io_image img;
        assert_int_equal(fp_io_load(path, &img), FP_OK);
        assert_int_equal(img.format, FP_IO_PGM);
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        assert_true(raw.len >= (size_t)hdr + 1 + (size_t)w * h);
        assert_memory_equal(img.pixels, raw.data + hdr + 1, (size_t)w * h);
        fp_io_image_free(&img);
        free(raw.data);
        count++;
    }
    closedir(d);
    assert_int_equal(count, 10);
}

static void test_libfprint_captures(void **state)
{
    (void)state;
    const char *dir = DATASETS "/libfprint-test-captures";
    DIR *d = opendir(dir);
    if (!d) {
        print_message("%s is absent, skipping\n", dir);
        skip();
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/capture.png", dir, e->d_name);
        if (access(path, R_OK) != 0) continue;
        /* libpng's simplified API gives the reference size. */
        png_image ref;
        memset(&ref, 0, sizeof ref);
        ref.version = PNG_IMAGE_VERSION;
        assert_true(png_image_begin_read_from_file(&ref, path));
        fp_io_image img;
        fp_status st = fp_io_load(path, &img);
        if (st != FP_OK) fail_msg("%s: %s", path, fp_status_name(st));
        assert_int_equal(img.width, ref.width);
        assert_int_equal(img.height, ref.height);
        png_image_free(&ref);
        fp_io_image_free(&img);
        count++;
    }
    closedir(d);
    assert_true(count > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_decode_arguments),
        cmocka_unit_test(test_load_limits),
        cmocka_unit_test(test_png_gray_round_trip),
        cmocka_unit_test(test_png_rgb_round_trip),
        cmocka_unit_test(test_pgm_round_trip),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_png_layouts),
        cmocka_unit_test(test_png_corrupt),
        cmocka_unit_test(test_pgm_layouts),
        cmocka_unit_test(test_bmp_layouts),
        cmocka_unit_test(test_bmp_corrupt),
        cmocka_unit_test(test_tiff_layouts),
        cmocka_unit_test(test_tiff_corrupt),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_fvc_datasets),
        cmocka_unit_test(test_pgm_vectors),
        cmocka_unit_test(test_libfprint_captures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
