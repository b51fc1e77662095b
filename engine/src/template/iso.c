/*
 * ISO/IEC 19794-2:2005 and ANSI/INCITS 378-2004 finger minutiae records.
 *
 * Both are big-endian and share everything after their headers:
 *
 *   ISO 19794-2:2005 header, 24 bytes        ANSI 378-2004 header, 26 bytes
 *    0  "FMR\0"                                0  "FMR\0"
 *    4  " 20\0"                                4  " 20\0"
 *    8  u32 record length                      8  u16 record length, or 0 followed
 *   12  u16 capture equipment                       by a u32 (header then 30 bytes)
 *       (4 bits compliance, 12 bits id)       10  u16 CBEFF product owner
 *   14  u16 image width                       12  u16 CBEFF product type
 *   16  u16 image height                      14  u16 capture equipment
 *   18  u16 x resolution, pixels per cm       16  u16 width, u16 height,
 *   20  u16 y resolution, pixels per cm           u16 x and y resolution (px/cm)
 *   22  u8 number of finger views             24  u8 number of finger views
 *   23  u8 reserved                           25  u8 reserved
 *
 *   finger view: u8 finger position, u8 view number << 4 | impression type,
 *   u8 finger quality (0..100), u8 minutia count, count x 6-byte minutiae,
 *   u16 extended data length, that many bytes of extended data.
 *
 *   minutia: u16 type << 14 | x, u16 y (top 2 bits reserved), u8 angle,
 *   u8 quality (0..100, 0 = not reported). Types: 0 other, 1 ridge ending,
 *   2 bifurcation - the same codes as fp_minutia_type.
 *
 * Angles. Both standards measure counter-clockwise from the horizontal axis
 * pointing right, with the image's y axis drawn upwards, which is exactly
 * the engine's convention: ISO stores 1/256 turns (1.40625 degrees), the
 * engine's own unit, so ISO angles are copied unchanged; ANSI stores 2-degree
 * units (0..179), converted by rounding to the nearest 1/256 turn. The
 * ANSI-to-engine-to-ANSI trip is lossless because the engine's unit is the
 * finer one. Which way a minutia points (into the ridge for an ending,
 * into the valley between the branches for a bifurcation) was checked
 * against third-party templates drawn over their source images; the
 * standards and the engine agree, so no half-turn is added either.
 *
 * What the engine keeps: the first finger view only (later views are not
 * examined), no extended data (its total length is checked, its blocks are
 * skipped), and a single dpi. Records with non-square pixels have their y
 * axis (coordinates, height and angles) rescaled to the x resolution.
 *
 * Leniency, each one for data seen in the wild:
 *  - a minutia quality of 0 means "not reported" in both standards; it is
 *    imported as FPI_QUALITY_UNREPORTED (50, neutral) rather than as the
 *    engine's worst quality, and the writers never emit 0 (the engine's 0
 *    is written as 1) so a record read back is byte-identical;
 *  - the ANSI record length may be smaller than the data that follows it
 *    (the sample record printed in the 2004 standard gets it wrong): only
 *    the first view has to fit inside the stated length;
 *  - ANSI version "020\0" (the same sample's typo) is accepted as " 20\0";
 *  - ANSI angles 180..255 (the same sample uses 0..255) wrap around a turn.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../core/internal.h"

#define ISO_HEADER 24u
#define ANSI_HEADER 26u
#define ANSI_HEADER_LONG 30u
#define VIEW_HEADER 4u
#define MINUTIA_SIZE 6u
#define EXT_LENGTH_SIZE 2u

/* CBEFF product owner 0x0103 is the IBIA registration for "vendor unknown". */
#define ANSI_OWNER_UNKNOWN 0x0103u
#define FPI_QUALITY_UNREPORTED 50u
/* Live-scan plain impression, finger position 0 = unknown finger. */
#define VIEW_IMPRESSION_LIVE_PLAIN 0u
#define FINGER_UNKNOWN 0u

typedef enum record_kind { RECORD_ISO, RECORD_ANSI } record_kind;

static const uint8_t magic[4] = {'F', 'M', 'R', 0};
static const uint8_t version_2005[4] = {' ', '2', '0', 0};

static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFFu);
}

/* ANSI 2-degree units -> 1/256 turn, nearest; 180.. wrap (see leniency). */
static uint8_t ansi_to_angle(uint32_t units)
{
    return (uint8_t)(((units % 180u) * 512u + 180u) / 360u);
}

/* 1/256 turn -> ANSI 2-degree units, nearest, 0..179. */
static uint32_t angle_to_ansi(uint8_t angle) { return (((uint32_t)angle * 360u + 256u) / 512u) % 180u; }

/*
 * Rescales an angle for a y axis stretched by `stretch`: the direction
 * (cos a, sin a) becomes (cos a, stretch * sin a).
 */
static uint8_t stretch_angle(uint8_t angle, double stretch)
{
    const double turn = 6.283185307179586;
    double a = angle * turn / 256.0;
    double b = atan2(stretch * sin(a), cos(a));
    if (b < 0) b += turn;
    long v = lround(b * 256.0 / turn);
    return (uint8_t)(v & 0xFF);
}

/*
 * Checks magic and version and finds the header size and the record length.
 * ISO and ANSI 2004 share magic and version, so each parser also rejects
 * the other's records by their length field, as the two can only be told
 * apart there: an ISO u32 length starts with a u16 below 26 unless the
 * record is over 1.7 MB, and an ANSI record starts with a u16 length of at
 * least 26, or with 0 and a u32 whose top half is small.
 */
static fp_status parse_header(record_kind kind, const uint8_t *buf, size_t len, size_t *header, size_t *rec_len)
{
    /* An empty or short buffer that agrees so far is truncated, not foreign. */
    size_t n = FPI_MIN(len, sizeof(magic));
    if (n && memcmp(buf, magic, n) != 0) return FP_ERR_TEMPLATE_FORMAT;
    if (len < 8) return FP_ERR_TEMPLATE_TRUNCATED;
    int v2005 = memcmp(buf + 4, version_2005, 4) == 0;
    if (kind == RECORD_ANSI && buf[4] == '0' && buf[5] == '2' && buf[6] == '0' && buf[7] == 0) v2005 = 1;
    /* 2009/2011 records (" 030", "035") and anything else are another layout. */
    if (!v2005) return FP_ERR_TEMPLATE_VERSION;
    if (len < 12) return FP_ERR_TEMPLATE_TRUNCATED;
    uint32_t first = get16(buf + 8);
    uint32_t total;
    if (kind == RECORD_ISO) {
        if (first >= ANSI_HEADER) return FP_ERR_TEMPLATE_FORMAT;
        total = get32(buf + 8);
        *header = ISO_HEADER;
    } else if (first != 0) {
        if (first < ANSI_HEADER) return FP_ERR_TEMPLATE_FORMAT;
        total = first;
        *header = ANSI_HEADER;
    } else {
        if (get16(buf + 10) >= ISO_HEADER) return FP_ERR_TEMPLATE_FORMAT;
        if (len < 14) return FP_ERR_TEMPLATE_TRUNCATED;
        total = get32(buf + 10);
        *header = ANSI_HEADER_LONG;
    }
    if (total < *header + VIEW_HEADER + EXT_LENGTH_SIZE) return FP_ERR_TEMPLATE_CORRUPT;
    if (total > len) return FP_ERR_TEMPLATE_TRUNCATED;
    *rec_len = total;
    return FP_OK;
}

static fp_status record_deserialize(record_kind kind, const uint8_t *buf, size_t len, fp_template **out)
{
    if (!out || (!buf && len)) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    size_t header, rec_len;
    FPI_CHECK(parse_header(kind, buf, len, &header, &rec_len));

    /* The header tail is the same in both layouts once counted from its end. */
    const uint8_t *h = buf + header - 10;
    uint32_t width = get16(h);
    uint32_t height = get16(h + 2);
    uint32_t xres = get16(h + 4);
    uint32_t yres = get16(h + 6);
    uint32_t views = h[8];
    if (width == 0 || height == 0 || xres == 0 || yres == 0 || views == 0) return FP_ERR_TEMPLATE_CORRUPT;

    const uint8_t *v = buf + header;
    uint32_t finger_quality = v[2];
    size_t count = v[3];
    if (count > FP_MAX_MINUTIAE || finger_quality > 100) return FP_ERR_TEMPLATE_CORRUPT;
    size_t ext_at = header + VIEW_HEADER + count * MINUTIA_SIZE;
    if (ext_at + EXT_LENGTH_SIZE > rec_len) return FP_ERR_TEMPLATE_CORRUPT;
    if (ext_at + EXT_LENGTH_SIZE + get16(buf + ext_at) > rec_len) return FP_ERR_TEMPLATE_CORRUPT;

    /* Non-square pixels: bring y to the x resolution. The stretched y must
     * still fit the 14 bits the writers have for it. */
    double stretch = (double)xres / (double)yres;
    if (xres != yres) {
        long scaled = lround(height * stretch);
        if (scaled < 1 || scaled > 0x4000) return FP_ERR_TEMPLATE_CORRUPT;
    }

    fp_minutia m[FP_MAX_MINUTIAE];
    const uint8_t *p = v + VIEW_HEADER;
    for (size_t i = 0; i < count; i++, p += MINUTIA_SIZE) {
        uint32_t xt = get16(p);
        uint32_t type = xt >> 14;
        uint32_t x = xt & 0x3FFFu;
        uint32_t y = get16(p + 2) & 0x3FFFu;
        uint32_t q = p[5];
        if (type > FP_MINUTIA_BIFURCATION || x >= width || y >= height || q > 100) return FP_ERR_TEMPLATE_CORRUPT;
        m[i].x = (uint16_t)x;
        m[i].y = (uint16_t)y;
        m[i].type = (uint8_t)type;
        m[i].angle = kind == RECORD_ISO ? p[4] : ansi_to_angle(p[4]);
        m[i].quality = (uint8_t)(q == 0 ? FPI_QUALITY_UNREPORTED : q);
        m[i].reserved = 0;
    }
    if (xres != yres) {
        uint32_t new_height = (uint32_t)lround(height * stretch);
        for (size_t i = 0; i < count; i++) {
            long y = lround(m[i].y * stretch);
            m[i].y = (uint16_t)FPI_MIN((unsigned long)y, new_height - 1u);
            m[i].angle = stretch_angle(m[i].angle, stretch);
        }
        height = new_height;
    }

    /* The template keeps one dpi: px/cm * 2.54, rounded (197 -> 500). */
    uint32_t dpi = (xres * 254u + 50u) / 100u; /* the writer's read-back check uses the same rounding */
    fp_status st = fp_template_create(width, height, dpi, m, count, (uint8_t)finger_quality, out);
    return st == FP_ERR_INVALID_ARGUMENT ? FP_ERR_TEMPLATE_CORRUPT : st;
}

static fp_status record_serialize(record_kind kind, const fp_template *t, uint8_t *buf, size_t cap, size_t *written)
{
    if (!t || !written) return FP_ERR_INVALID_ARGUMENT;
    *written = 0;
    /* A template never holds more than FP_MAX_MINUTIAE, so the ANSI u16 length always suffices. */
    size_t header = kind == RECORD_ISO ? ISO_HEADER : ANSI_HEADER;
    size_t need = header + VIEW_HEADER + (size_t)t->count * MINUTIA_SIZE + EXT_LENGTH_SIZE;
    /* px/cm = dpi / 2.54, rounded (500 -> 197); a u16 on the wire. */
    uint32_t ppcm = (t->dpi * 100u + 127u) / 254u;
    if (t->count > FP_MAX_MINUTIAE || t->width == 0 || t->width > 0x3FFFu || t->height == 0 ||
        t->height > 0xFFFFu || ppcm == 0 || ppcm > 0xFFFFu || t->quality > 100)
        return FP_ERR_INVALID_ARGUMENT;
    /* What the reader will take the resolution for (100 dpi is 39 px/cm,
     * read back as 99 dpi). */
    const uint32_t read_dpi = (ppcm * 254u + 50u) / 100u;
    if (read_dpi < 100 || read_dpi > 2000) return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < t->count; i++) {
        const fp_minutia *m = &t->minutiae[i];
        /* y has 14 bits even though the height field has 16. The record
         * must read back: at the resolution it states (rounded to px/cm),
         * every minutia must still lie inside the matcher's frame. */
        if (m->x >= t->width || m->y >= t->height || m->y > 0x3FFFu || m->type > FP_MINUTIA_BIFURCATION ||
            m->quality > 100 || !fpi_in_frame(m->x, m->y, read_dpi))
            return FP_ERR_INVALID_ARGUMENT;
    }
    *written = need;
    if (!buf) return FP_OK;
    if (cap < need) return FP_ERR_BUFFER_TOO_SMALL;

    memcpy(buf, magic, 4);
    memcpy(buf + 4, version_2005, 4);
    uint8_t *h;
    if (kind == RECORD_ISO) {
        put32(buf + 8, (uint32_t)need);
        put16(buf + 12, 0); /* capture equipment: not certified, unknown */
        h = buf + 14;
    } else {
        put16(buf + 8, (uint32_t)need);
        put16(buf + 10, ANSI_OWNER_UNKNOWN);
        put16(buf + 12, 0); /* CBEFF product type */
        put16(buf + 14, 0); /* capture equipment */
        h = buf + 16;
    }
    put16(h, t->width);
    put16(h + 2, t->height);
    put16(h + 4, ppcm);
    put16(h + 6, ppcm);
    h[8] = 1; /* one finger view */
    h[9] = 0;

    uint8_t *v = buf + header;
    v[0] = FINGER_UNKNOWN;
    v[1] = VIEW_IMPRESSION_LIVE_PLAIN; /* view number 0 in the high nibble */
    v[2] = t->quality;
    v[3] = (uint8_t)t->count;
    uint8_t *p = v + VIEW_HEADER;
    for (size_t i = 0; i < t->count; i++, p += MINUTIA_SIZE) {
        const fp_minutia *m = &t->minutiae[i];
        put16(p, (uint32_t)m->type << 14 | m->x);
        put16(p + 2, m->y);
        p[4] = kind == RECORD_ISO ? m->angle : (uint8_t)angle_to_ansi(m->angle);
        /* 0 would read back as "not reported"; 1 is the nearest real quality. */
        p[5] = m->quality == 0 ? 1 : m->quality;
    }
    put16(p, 0); /* no extended data */
    return FP_OK;
}

fp_status fpi_iso_serialize(const fp_template *t, uint8_t *buf, size_t cap, size_t *written)
{
    return record_serialize(RECORD_ISO, t, buf, cap, written);
}

fp_status fpi_iso_deserialize(const uint8_t *buf, size_t len, fp_template **out)
{
    return record_deserialize(RECORD_ISO, buf, len, out);
}

fp_status fpi_ansi_serialize(const fp_template *t, uint8_t *buf, size_t cap, size_t *written)
{
    return record_serialize(RECORD_ANSI, t, buf, cap, written);
}

fp_status fpi_ansi_deserialize(const uint8_t *buf, size_t len, fp_template **out)
{
    return record_deserialize(RECORD_ANSI, buf, len, out);
}
