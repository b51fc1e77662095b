/* Template objects and the engine's native serialisation format. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Native format, little-endian:
 *   0  'F' 'P' 'T' 0     magic
 *   4  u16 version (1)
 *   6  u16 minutia count
 *   8  u16 width, u16 height, u16 dpi
 *  14  u8 image quality, u8 reserved (0)
 *  16  count x { u16 x | type << 14, u16 y, u8 angle, u8 quality }
 *  ..  u32 CRC-32 of every byte before it
 */
#define NATIVE_MAGIC0 'F'
#define NATIVE_MAGIC1 'P'
#define NATIVE_MAGIC2 'T'
#define NATIVE_VERSION 1u
#define NATIVE_HEADER 16u
#define NATIVE_RECORD 6u

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFFu);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | get16(p + 2) << 16;
}

uint32_t fpi_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

fp_status fpi_template_alloc(size_t count, fp_template **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (count > FP_MAX_MINUTIAE) return FP_ERR_INVALID_ARGUMENT;
    size_t n = count ? count : 1;
    fp_template *t = calloc(1, sizeof(*t));
    if (!t) return FP_ERR_NO_MEMORY;
    t->minutiae = calloc(n, sizeof(*t->minutiae));
    t->px = calloc(n, sizeof(*t->px));
    t->py = calloc(n, sizeof(*t->py));
    t->nb = calloc(n * FPI_NEIGHBOURS, sizeof(*t->nb));
    t->hull_x = calloc(n + 1, sizeof(*t->hull_x));
    t->hull_y = calloc(n + 1, sizeof(*t->hull_y));
    if (!t->minutiae || !t->px || !t->py || !t->nb || !t->hull_x || !t->hull_y) {
        fp_template_destroy(t);
        return FP_ERR_NO_MEMORY;
    }
    t->count = (uint16_t)count;
    *out = t;
    return FP_OK;
}

void fp_template_destroy(fp_template *tmpl)
{
    if (!tmpl || tmpl->view) return;
    free(tmpl->minutiae);
    free(tmpl->px);
    free(tmpl->py);
    free(tmpl->nb);
    free(tmpl->hull_x);
    free(tmpl->hull_y);
    free(tmpl);
}

/*
 * A template's order of minutiae: best quality first; among equal
 * qualities the ones nearer the minutiae's centroid first (comparisons use
 * a template's first FP_MATCH_MINUTIAE, and templates whose producer
 * reports no qualities should give up their outermost minutiae, not the
 * bottom rows); then by position, direction and type, a total order on
 * what a minutia holds.
 */
typedef struct ranked {
    int64_t d2; /* squared distance to the centroid (rounded down to a pixel) */
    fp_minutia m;
} ranked;

static int by_rank(const void *a, const void *b)
{
    const ranked *ra = a, *rb = b;
    const fp_minutia *ma = &ra->m, *mb = &rb->m;
    if (ma->quality != mb->quality) return (int)mb->quality - (int)ma->quality;
    if (ra->d2 != rb->d2) return ra->d2 < rb->d2 ? -1 : 1;
    if (ma->y != mb->y) return (int)ma->y - (int)mb->y;
    if (ma->x != mb->x) return (int)ma->x - (int)mb->x;
    if (ma->angle != mb->angle) return (int)ma->angle - (int)mb->angle;
    return (int)ma->type - (int)mb->type;
}

/* The whole-pixel centroid of the n (> 0) minutiae of m. */
static void centroid(const fp_minutia *m, size_t n, int64_t *cx, int64_t *cy)
{
    uint64_t sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += m[i].x;
        sy += m[i].y;
    }
    *cx = (int64_t)(sx / n);
    *cy = (int64_t)(sy / n);
}

/* Coordinates are 16-bit, so the squares stay far inside 64 bits whatever
 * the count. */
static ranked ranked_of(const fp_minutia *m, int64_t cx, int64_t cy)
{
    const int64_t dx = m->x - cx, dy = m->y - cy;
    ranked r = {dx * dx + dy * dy, *m};
    return r;
}

/* Moves r[i] down the heap r[0..n) whose top is its worst-ranked entry. */
static void sift_down(ranked *r, size_t n, size_t i)
{
    for (;;) {
        size_t w = i, a = 2 * i + 1, b = a + 1;
        if (a < n && by_rank(&r[a], &r[w]) > 0) w = a;
        if (b < n && by_rank(&r[b], &r[w]) > 0) w = b;
        if (w == i) return;
        ranked tmp = r[i];
        r[i] = r[w];
        r[w] = tmp;
        i = w;
    }
}

/* Writes into out the keep best of the n minutiae of m (keep < n) in the
 * order above, distances taken from the centroid of all n, in any order.
 * heap has room for keep: a heap with the worst kept one on top, so no
 * list of all n is needed. */
static void select_best(const fp_minutia *m, size_t n, size_t keep, ranked *heap, fp_minutia *out)
{
    int64_t cx, cy;
    centroid(m, n, &cx, &cy);
    for (size_t i = 0; i < n; i++) {
        const ranked c = ranked_of(&m[i], cx, cy);
        if (i < keep) {
            heap[i] = c;
            if (i + 1 == keep)
                for (size_t j = keep / 2; j-- > 0;) sift_down(heap, keep, j);
        } else if (by_rank(&c, &heap[0]) < 0) {
            heap[0] = c;
            sift_down(heap, keep, 0);
        }
    }
    for (size_t i = 0; i < keep; i++) out[i] = heap[i].m;
}

/* Puts the n minutiae of m in the template's order; r has room for n. */
static void rank_minutiae(fp_minutia *m, size_t n, ranked *r)
{
    int64_t cx, cy;
    centroid(m, n, &cx, &cy);
    for (size_t i = 0; i < n; i++) r[i] = ranked_of(&m[i], cx, cy);
    qsort(r, n, sizeof(*r), by_rank);
    for (size_t i = 0; i < n; i++) m[i] = r[i].m;
}

fp_status fp_template_create(uint32_t width, uint32_t height, uint32_t dpi, const fp_minutia *minutiae,
                             size_t count, uint8_t image_quality, fp_template **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if ((count && !minutiae) || width == 0 || height == 0 || width > 16383 || height > 65535) return FP_ERR_INVALID_ARGUMENT;
    if (dpi < 100 || dpi > 2000 || image_quality > 100) return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < count; i++) {
        const fp_minutia *m = &minutiae[i];
        if (m->x >= width || m->y >= height || m->type > FP_MINUTIA_BIFURCATION || m->quality > 100)
            return FP_ERR_INVALID_ARGUMENT;
        /* The matcher's frame is 16-bit at 500 dpi (prepare.c): a position
         * must scale to at most FPI_FRAME_MAX there, so that differences
         * and squared distances stay inside their types. */
        if (!fpi_in_frame(m->x, m->y, dpi)) return FP_ERR_INVALID_ARGUMENT;
    }
    size_t keep = count > FP_MAX_MINUTIAE ? FP_MAX_MINUTIAE : count;
    fp_template *t;
    FPI_CHECK(fpi_template_alloc(keep, &t));
    t->width = width;
    t->height = height;
    t->dpi = dpi;
    t->quality = image_quality;
    if (keep) {
        /* On the stack, so creating a template (and so an extraction)
         * allocates nothing but the template. With more than
         * FP_MAX_MINUTIAE, the best of all of them are kept; the kept ones
         * are then ordered among themselves, so reading the template back
         * gives the same order. */
        ranked r[FP_MAX_MINUTIAE];
        if (count > keep)
            select_best(minutiae, count, keep, r, t->minutiae);
        else
            memcpy(t->minutiae, minutiae, keep * sizeof(*t->minutiae));
        rank_minutiae(t->minutiae, keep, r);
    }
    for (size_t i = 0; i < keep; i++) t->minutiae[i].reserved = 0;
    fpi_template_prepare(t);
    *out = t;
    return FP_OK;
}

fp_status fp_template_clone(const fp_template *tmpl, fp_template **out)
{
    if (!tmpl || !out) return FP_ERR_INVALID_ARGUMENT;
    return fp_template_create(tmpl->width, tmpl->height, tmpl->dpi, tmpl->minutiae, tmpl->count, tmpl->quality, out);
}

size_t fp_template_minutiae_count(const fp_template *tmpl) { return tmpl ? tmpl->count : 0; }
const fp_minutia *fp_template_minutiae(const fp_template *tmpl) { return tmpl ? tmpl->minutiae : NULL; }
uint32_t fp_template_width(const fp_template *tmpl) { return tmpl ? tmpl->width : 0; }
uint32_t fp_template_height(const fp_template *tmpl) { return tmpl ? tmpl->height : 0; }
uint32_t fp_template_dpi(const fp_template *tmpl) { return tmpl ? tmpl->dpi : 0; }
uint8_t fp_template_quality(const fp_template *tmpl) { return tmpl ? tmpl->quality : 0; }

static fp_status native_serialize(const fp_template *t, uint8_t *buf, size_t cap, size_t *written)
{
    size_t need = NATIVE_HEADER + (size_t)t->count * NATIVE_RECORD + 4;
    *written = need;
    if (!buf) return FP_OK;
    if (cap < need) return FP_ERR_BUFFER_TOO_SMALL;
    buf[0] = NATIVE_MAGIC0;
    buf[1] = NATIVE_MAGIC1;
    buf[2] = NATIVE_MAGIC2;
    buf[3] = 0;
    put16(buf + 4, NATIVE_VERSION);
    put16(buf + 6, t->count);
    put16(buf + 8, t->width);
    put16(buf + 10, t->height);
    put16(buf + 12, t->dpi);
    buf[14] = t->quality;
    buf[15] = 0;
    uint8_t *p = buf + NATIVE_HEADER;
    for (size_t i = 0; i < t->count; i++, p += NATIVE_RECORD) {
        const fp_minutia *m = &t->minutiae[i];
        put16(p, (uint32_t)m->x | (uint32_t)m->type << 14);
        put16(p + 2, m->y);
        p[4] = m->angle;
        p[5] = m->quality;
    }
    put32(p, fpi_crc32(0, buf, (size_t)(p - buf)));
    return FP_OK;
}

static fp_status native_deserialize(const uint8_t *buf, size_t len, fp_template **out)
{
    if (len < 4) return FP_ERR_TEMPLATE_TRUNCATED;
    if (buf[0] != NATIVE_MAGIC0 || buf[1] != NATIVE_MAGIC1 || buf[2] != NATIVE_MAGIC2 || buf[3] != 0)
        return FP_ERR_TEMPLATE_FORMAT;
    if (len < NATIVE_HEADER + 4) return FP_ERR_TEMPLATE_TRUNCATED;
    if (get16(buf + 4) != NATIVE_VERSION) return FP_ERR_TEMPLATE_VERSION;
    size_t count = get16(buf + 6);
    size_t need = NATIVE_HEADER + count * NATIVE_RECORD + 4;
    if (len < need) return FP_ERR_TEMPLATE_TRUNCATED;
    if (get32(buf + need - 4) != fpi_crc32(0, buf, need - 4)) return FP_ERR_TEMPLATE_CHECKSUM;
    if (count > FP_MAX_MINUTIAE || buf[15] != 0) return FP_ERR_TEMPLATE_CORRUPT;
    fp_minutia m[FP_MAX_MINUTIAE];
    const uint8_t *p = buf + NATIVE_HEADER;
    for (size_t i = 0; i < count; i++, p += NATIVE_RECORD) {
        uint32_t xt = get16(p);
        m[i].x = (uint16_t)(xt & 0x3FFFu);
        m[i].type = (uint8_t)(xt >> 14);
        m[i].y = (uint16_t)get16(p + 2);
        m[i].angle = p[4];
        m[i].quality = p[5];
        m[i].reserved = 0;
    }
    fp_status st = fp_template_create(get16(buf + 8), get16(buf + 10), get16(buf + 12), m, count, buf[14], out);
    return st == FP_ERR_INVALID_ARGUMENT ? FP_ERR_TEMPLATE_CORRUPT : st;
}

fp_status fp_template_serialize(const fp_template *tmpl, fp_template_format format, uint8_t *buf, size_t cap,
                                size_t *written)
{
    if (!tmpl || !written) return FP_ERR_INVALID_ARGUMENT;
    *written = 0;
    switch (format) {
    case FP_FORMAT_NATIVE:
        return native_serialize(tmpl, buf, cap, written);
    case FP_FORMAT_ISO19794_2:
        return fpi_iso_serialize(tmpl, buf, cap, written);
    case FP_FORMAT_ANSI378:
        return fpi_ansi_serialize(tmpl, buf, cap, written);
    }
    return FP_ERR_INVALID_ARGUMENT;
}

fp_status fp_template_deserialize(fp_template_format format, const uint8_t *buf, size_t len, fp_template **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!buf && len) return FP_ERR_INVALID_ARGUMENT;
    switch (format) {
    case FP_FORMAT_NATIVE:
        return native_deserialize(buf, len, out);
    case FP_FORMAT_ISO19794_2:
        return fpi_iso_deserialize(buf, len, out);
    case FP_FORMAT_ANSI378:
        return fpi_ansi_deserialize(buf, len, out);
    }
    return FP_ERR_INVALID_ARGUMENT;
}
