/*
 * bmp.c - Windows / OS/2 bitmap decoding (uncompressed only).
 *
 * Headers: BITMAPCOREHEADER (12 bytes), BITMAPINFOHEADER (40) and its
 * successors (52, 56, 108, 124) and the OS/2 2.x header (64).
 * Pixels: 1/2/4/8-bit palette, 16/32-bit with default or BI_BITFIELDS
 * masks, 24-bit. Alpha is ignored: many writers leave it zero in opaque
 * images. RLE, JPEG and PNG compression give FP_ERR_FILE_FORMAT.
 */
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

enum {
    BMP_FILE_HEADER = 14,
    BI_RGB = 0,
    BI_RLE8 = 1,
    BI_RLE4 = 2,
    BI_BITFIELDS = 3
};

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A colour channel described by a bit mask. */
typedef struct bmp_channel {
    uint32_t mask;
    unsigned shift;
    uint32_t maxval; /* mask >> shift; 0 for an absent channel */
} bmp_channel;

static bmp_channel make_channel(uint32_t mask)
{
    bmp_channel ch = {mask, 0, 0};
    if (mask) {
        while (!(mask & 1u)) {
            mask >>= 1;
            ch.shift++;
        }
        ch.maxval = mask;
    }
    return ch;
}

/* Non-contiguous masks are accepted: scaling by mask >> shift still keeps
 * every value in range. */
static unsigned channel_value(const bmp_channel *ch, uint32_t px)
{
    if (!ch->maxval) return 0;
    return fpi_io_scale((px & ch->mask) >> ch->shift, ch->maxval);
}

typedef struct bmp_info {
    uint32_t width;
    uint32_t height;
    int top_down;
    unsigned bits;
    uint32_t compression;
    uint32_t data_offset;
    uint32_t header_size;
    bmp_channel red, green, blue;
    uint8_t lut[256]; /* palette index -> gray; missing entries are black */
} bmp_info;

static void decode_row(const bmp_info *bi, const uint8_t *src, uint8_t *dst)
{
    uint32_t w = bi->width;
    switch (bi->bits) {
    case 1:
    case 2:
    case 4: {
        unsigned per_byte = 8u / bi->bits, mask = (1u << bi->bits) - 1u;
        for (uint32_t x = 0; x < w; x++) {
            unsigned shift = 8u - bi->bits * (x % per_byte + 1u);
            dst[x] = bi->lut[(src[x / per_byte] >> shift) & mask];
        }
        break;
    }
    case 8:
        for (uint32_t x = 0; x < w; x++) dst[x] = bi->lut[src[x]];
        break;
    case 16:
    case 32: {
        unsigned bytes = bi->bits / 8u;
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *p = src + (size_t)x * bytes;
            uint32_t px = bytes == 2 ? le16(p) : le32(p);
            dst[x] = fpi_io_luma(channel_value(&bi->red, px), channel_value(&bi->green, px),
                                 channel_value(&bi->blue, px));
        }
        break;
    }
    default: /* 24: B, G, R */
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *p = src + (size_t)x * 3u;
            dst[x] = fpi_io_luma(p[2], p[1], p[0]);
        }
        break;
    }
}

/* Reads and validates everything before the pixel array. */
static fp_status parse_headers(const uint8_t *data, size_t len, bmp_info *bi)
{
    if (len < BMP_FILE_HEADER + 4) return FP_ERR_FILE_CORRUPT;
    bi->data_offset = le32(data + 10);
    uint32_t hsize = le32(data + 14);
    bi->header_size = hsize;
    if (hsize != 12 && hsize != 40 && hsize != 52 && hsize != 56 && hsize != 64 && hsize != 108 && hsize != 124)
        return FP_ERR_FILE_FORMAT;
    if (len < (size_t)BMP_FILE_HEADER + hsize) return FP_ERR_FILE_CORRUPT;
    const uint8_t *h = data + BMP_FILE_HEADER;

    uint32_t planes, clr_used = 0;
    uint64_t width, height;
    if (hsize == 12) {
        width = le16(h + 4);
        height = le16(h + 6);
        planes = le16(h + 8);
        bi->bits = le16(h + 10);
        bi->compression = BI_RGB;
    } else {
        int32_t w = (int32_t)le32(h + 4), hh = (int32_t)le32(h + 8);
        if (w < 0) return FP_ERR_FILE_CORRUPT;
        width = (uint64_t)w;
        bi->top_down = hh < 0;
        height = hh < 0 ? (uint64_t)(-(int64_t)hh) : (uint64_t)hh;
        planes = le16(h + 12);
        bi->bits = le16(h + 14);
        bi->compression = le32(h + 16);
        clr_used = le32(h + 32);
    }
    fp_status st = fpi_io_check_dims(width, height);
    if (st != FP_OK) return st;
    bi->width = (uint32_t)width;
    bi->height = (uint32_t)height;
    unsigned bits = bi->bits;
    if (planes != 1) return FP_ERR_FILE_CORRUPT;
    if (bits != 1 && bits != 2 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32)
        return FP_ERR_FILE_CORRUPT;
    if (hsize == 12 && (bits == 2 || bits == 16 || bits == 32)) return FP_ERR_FILE_CORRUPT;

    /* Where the palette (or the masks after a 40-byte header) begin. */
    uint64_t table = (uint64_t)BMP_FILE_HEADER + hsize;
    if (bi->compression == BI_BITFIELDS && hsize != 64) {
        if (bits != 16 && bits != 32) return FP_ERR_FILE_CORRUPT;
        const uint8_t *m = h + 40;
        if (hsize == 40) {
            if (len < table + 12) return FP_ERR_FILE_CORRUPT;
            m = data + table;
            table += 12;
        }
        bi->red = make_channel(le32(m));
        bi->green = make_channel(le32(m + 4));
        bi->blue = make_channel(le32(m + 8));
    } else if (bi->compression == BI_RGB) {
        if (bits == 16) {
            bi->red = make_channel(0x7c00);
            bi->green = make_channel(0x03e0);
            bi->blue = make_channel(0x001f);
        } else {
            bi->red = make_channel(0xff0000);
            bi->green = make_channel(0x00ff00);
            bi->blue = make_channel(0x0000ff);
        }
    } else {
        /* RLE4/RLE8, JPEG, PNG, OS/2 Huffman and RLE24. */
        return FP_ERR_FILE_FORMAT;
    }

    if (bi->data_offset < table || bi->data_offset > len) return FP_ERR_FILE_CORRUPT;
    if (bits <= 8) {
        uint32_t max_entries = 1u << bits;
        uint32_t declared = clr_used == 0 || clr_used > max_entries ? max_entries : clr_used;
        unsigned entry = hsize == 12 ? 3u : 4u;
        /* Some writers store fewer entries than they declare; take what
         * fits before the pixels. */
        uint64_t room = (bi->data_offset - table) / entry;
        uint32_t entries = room < declared ? (uint32_t)room : declared;
        if (entries == 0) return FP_ERR_FILE_CORRUPT;
        memset(bi->lut, 0, sizeof bi->lut);
        for (uint32_t i = 0; i < entries; i++) {
            const uint8_t *e = data + table + (size_t)i * entry;
            bi->lut[i] = fpi_io_luma(e[2], e[1], e[0]);
        }
    }
    return FP_OK;
}

fp_status fpi_io_bmp_decode(const uint8_t *data, size_t len, fp_io_image *img)
{
    bmp_info bi;
    memset(&bi, 0, sizeof bi);
    fp_status st = parse_headers(data, len, &bi);
    if (st != FP_OK) return st;

    uint64_t row_bits = (uint64_t)bi.width * bi.bits;
    uint64_t stride = (row_bits + 31u) / 32u * 4u;
    uint64_t row_bytes = (row_bits + 7u) / 8u;
    /* The padding after the last row is not required: some writers omit it. */
    uint64_t need = stride * (bi.height - 1u) + row_bytes;
    if (need > len - bi.data_offset) return FP_ERR_FILE_CORRUPT;

    st = fpi_io_alloc_pixels(img, bi.width, bi.height);
    if (st != FP_OK) return st;
    if (bi.header_size > 12) {
        int32_t ppm = (int32_t)le32(data + BMP_FILE_HEADER + 24);
        if (ppm > 0) img->dpi = fpi_io_ppm_to_dpi((uint32_t)ppm);
    }
    const uint8_t *pixels = data + bi.data_offset;
    for (uint32_t r = 0; r < bi.height; r++) {
        uint32_t y = bi.top_down ? r : bi.height - 1u - r;
        decode_row(&bi, pixels + (size_t)r * (size_t)stride, img->pixels + (size_t)y * bi.width);
    }
    return FP_OK;
}
