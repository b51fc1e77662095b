/* Internal declarations shared by the engine's modules (fpi_ prefix). */
#ifndef FP_INTERNAL_H
#define FP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

/* Early-return helpers: one exit path per function, errors as values. */
#define FPI_CHECK(expr)                     \
    do {                                    \
        fp_status fpi_st_ = (expr);         \
        if (fpi_st_ != FP_OK) return fpi_st_; \
    } while (0)
#define FPI_TRY(expr)                       \
    do {                                    \
        st = (expr);                        \
        if (st != FP_OK) goto done;         \
    } while (0)
#define FPI_FAIL(code)                      \
    do {                                    \
        st = (code);                        \
        goto done;                          \
    } while (0)

#define FPI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FPI_MAX(a, b) ((a) > (b) ? (a) : (b))
#define FPI_CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))

/*
 * Per-minutia local structure, computed once when a template is created so
 * comparisons only read it. See docs/matcher.md.
 */
#define FPI_NEIGHBOURS 6
/* Largest coordinate of a minutia in the matcher's frame (500 dpi, 16-bit):
 * 15000 px is 76 cm. Positions then differ by less than 2^15 and squared
 * distances stay below 2^29. The pair scan gives candidates only to
 * mapped points within FPI_FRAME_REACH of the origin, which leaves room
 * for its widest tolerance (30 px) around any minutia of the frame. */
#define FPI_FRAME_MAX 15000
#define FPI_FRAME_REACH 16000

/* Whether a position of an image at dpi lies inside the matcher's frame. */
static inline int fpi_in_frame(uint32_t x, uint32_t y, uint32_t dpi)
{
    return (uint64_t)(x > y ? x : y) * 500u <= (uint64_t)FPI_FRAME_MAX * dpi;
}
typedef struct fpi_neighbour {
    uint8_t index;  /* neighbour minutia, 0xFF = none */
    uint8_t radial; /* angle of the vector to the neighbour relative to the minutia direction, 1/256 turns */
    uint8_t dir;    /* neighbour direction relative to the minutia direction */
    uint8_t dist;   /* distance in pixels at 500 dpi / 2, saturated at 255 */
} fpi_neighbour;

struct fp_template {
    uint32_t width;
    uint32_t height;
    uint32_t dpi;
    uint8_t quality;
    uint16_t count;
    fp_minutia *minutiae; /* count entries, in image coordinates */
    /* Derived data at 500 dpi, rebuilt by fpi_template_prepare. */
    int16_t *px;          /* positions at 500 dpi, x right */
    int16_t *py;          /* y up (negated image rows), so angles are counter-clockwise */
    fpi_neighbour *nb;    /* count * FPI_NEIGHBOURS, nearest first */
    int16_t *hull_x;      /* convex hull of the minutiae, counter-clockwise */
    int16_t *hull_y;
    uint16_t hull_n;
    /* Non-zero: the arrays point into memory owned by someone else (a
     * memory-mapped gallery file) and fp_template_destroy leaves them and
     * the struct alone; the owner frees both. */
    uint8_t view;
    uint8_t match_count; /* how many of the first minutiae comparisons use (fpi_match_limit) */
};

/* How many of t's minutiae comparisons use: the first (best) ones. */
static inline int fpi_match_count(const fp_template *t) { return t->match_count; }

/*
 * The number of compared minutiae for count minutiae in template order
 * (best quality first): FP_MATCH_MINUTIAE, or all those with quality >=
 * FP_MATCH_WIDE_QUALITY when there are at least FP_MATCH_WIDE_MIN, at most
 * FP_MATCH_MINUTIAE_MAX; never more than count. fpi_match_limit_at takes
 * the quality bar as an argument: gallery records written while it was
 * FPI_MATCH_WIDE_QUALITY_V1 store the count that bar gave. The legacy
 * limit is the one before the widening (gallery records written then
 * store none).
 */
#define FPI_MATCH_WIDE_QUALITY_V1 80
int fpi_match_limit_at(const fp_minutia *minutiae, int count, int quality);
static inline int fpi_match_limit(const fp_minutia *minutiae, int count)
{
    return fpi_match_limit_at(minutiae, count, FP_MATCH_WIDE_QUALITY);
}
static inline int fpi_match_limit_legacy(int count) { return count < FP_MATCH_MINUTIAE ? count : FP_MATCH_MINUTIAE; }

/* Allocates a template with room for count minutiae (fields zeroed). */
fp_status fpi_template_alloc(size_t count, fp_template **out);
/* Rebuilds the derived matching data after the minutiae changed. */
void fpi_template_prepare(fp_template *t);

/* Interchange formats (template/iso.c). Serialisers with buf == NULL report the size only. */
fp_status fpi_iso_serialize(const fp_template *t, uint8_t *buf, size_t cap, size_t *written);
fp_status fpi_iso_deserialize(const uint8_t *buf, size_t len, fp_template **out);
fp_status fpi_ansi_serialize(const fp_template *t, uint8_t *buf, size_t cap, size_t *written);
fp_status fpi_ansi_deserialize(const uint8_t *buf, size_t len, fp_template **out);

/* CRC-32 (IEEE 802.3 polynomial), used by the native template format. */
uint32_t fpi_crc32(uint32_t crc, const uint8_t *data, size_t len);

#endif
