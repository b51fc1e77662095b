/*
 * Test-only helpers shared by the engine core tests (test_kernels,
 * test_extract, test_match): a fixed-seed PRNG, a minimal reader for the
 * uncompressed 8-bit TIFFs of ../shared/datasets and for binary PGM, so the
 * tests need nothing beyond libc, fpcore and cmocka (they also run in the
 * ARM cross build).
 */
#ifndef FP_TESTS_CORE_ENGINE_UTIL_H
#define FP_TESTS_CORE_ENGINE_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FPT_DATASETS FP_SOURCE_DIR "/../shared/datasets"

/* splitmix64: tiny, good enough, and identical on every platform. */
typedef struct fpt_rng {
    uint64_t s;
} fpt_rng;

static inline uint64_t fpt_next(fpt_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform integer in [lo, hi]. */
static inline int fpt_range(fpt_rng *r, int lo, int hi)
{
    return lo + (int)(fpt_next(r) % (uint64_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double fpt_unit(fpt_rng *r)
{
    return (double)(fpt_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline int fpt_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline uint8_t *fpt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* A decoded 8-bit image owned by the test (stride == width). */
typedef struct fpt_image {
    uint8_t *pixels;
    uint32_t width, height;
} fpt_image;

static inline uint32_t fpt_le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t fpt_le32(const uint8_t *p)
{
    return fpt_le16(p) | fpt_le16(p + 2) << 16;
}

/* Value i of a SHORT/LONG TIFF field (inline when it fits in 4 bytes). */
static inline int fpt_tiff_value(const uint8_t *b, size_t len, const uint8_t *entry, uint32_t i, uint32_t *out)
{
    uint32_t type = fpt_le16(entry + 2), count = fpt_le32(entry + 4);
    uint32_t size = type == 3 ? 2 : type == 4 ? 4 : 0;
    if (!size || i >= count) return 0;
    const uint8_t *p = entry + 8;
    if ((uint64_t)size * count > 4) {
        uint64_t off = fpt_le32(entry + 8) + (uint64_t)i * size;
        if (off + size > len) return 0;
        p = b + off;
    } else {
        p += i * size;
    }
    *out = size == 2 ? fpt_le16(p) : fpt_le32(p);
    return 1;
}

/* Uncompressed 8-bit single-channel little-endian strip TIFF. 0 on failure. */
static inline int fpt_load_tiff(const char *path, fpt_image *img)
{
    size_t len = 0;
    uint8_t *b = fpt_read_file(path, &len);
    int ok = 0;
    memset(img, 0, sizeof(*img));
    if (!b || len < 8 || b[0] != 'I' || b[1] != 'I' || fpt_le16(b + 2) != 42) goto done;
    uint32_t ifd = fpt_le32(b + 4);
    if ((uint64_t)ifd + 2 > len) goto done;
    uint32_t n = fpt_le16(b + ifd), w = 0, h = 0, bps = 8, rps = 0xFFFFFFFFu, comp = 1;
    const uint8_t *offs = NULL, *cnts = NULL;
    if ((uint64_t)ifd + 2 + 12ull * n > len) goto done;
    for (uint32_t k = 0; k < n; k++) {
        const uint8_t *e = b + ifd + 2 + 12 * k;
        uint32_t v = 0;
        switch (fpt_le16(e)) {
        case 256: if (fpt_tiff_value(b, len, e, 0, &v)) w = v; break;
        case 257: if (fpt_tiff_value(b, len, e, 0, &v)) h = v; break;
        case 258: if (fpt_tiff_value(b, len, e, 0, &v)) bps = v; break;
        case 259: if (fpt_tiff_value(b, len, e, 0, &v)) comp = v; break;
        case 273: offs = e; break;
        case 278: if (fpt_tiff_value(b, len, e, 0, &v)) rps = v; break;
        case 279: cnts = e; break;
        default: break;
        }
    }
    if (!w || !h || w > 4096 || h > 4096 || bps != 8 || comp != 1 || !offs) goto done;
    img->pixels = malloc((size_t)w * h);
    if (!img->pixels) goto done;
    if (rps > h) rps = h;
    size_t row = 0;
    for (uint32_t s = 0; row < h; s++) {
        uint32_t off = 0, cnt = rps * w;
        if (!fpt_tiff_value(b, len, offs, s, &off)) goto done;
        if (cnts) fpt_tiff_value(b, len, cnts, s, &cnt);
        size_t rows = rps;
        if (row + rows > h) rows = h - row;
        if ((uint64_t)rows * w > cnt || (uint64_t)off + rows * w > len) goto done;
        memcpy(img->pixels + row * w, b + off, rows * w);
        row += rows;
    }
    img->width = w;
    img->height = h;
    ok = 1;
done:
    if (!ok) {
        free(img->pixels);
        img->pixels = NULL;
    }
    free(b);
    return ok;
}

/* Binary PGM (P5, maxval <= 255). 0 on failure. */
static inline int fpt_load_pgm(const char *path, fpt_image *img)
{
    size_t len = 0;
    uint8_t *b = fpt_read_file(path, &len);
    memset(img, 0, sizeof(*img));
    if (!b) return 0;
    uint32_t v[3] = {0, 0, 0};
    size_t p = 2;
    int ok = len > 2 && b[0] == 'P' && b[1] == '5';
    for (int k = 0; ok && k < 3; k++) {
        while (p < len && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t' || b[p] == '#')) {
            if (b[p] == '#')
                while (p < len && b[p] != '\n') p++;
            else
                p++;
        }
        if (p >= len || b[p] < '0' || b[p] > '9') ok = 0;
        while (ok && p < len && b[p] >= '0' && b[p] <= '9' && v[k] < 100000) v[k] = v[k] * 10 + (uint32_t)(b[p++] - '0');
    }
    p++; /* the single whitespace after maxval */
    ok = ok && v[0] && v[1] && v[2] && v[2] <= 255 && (uint64_t)v[0] * v[1] <= len - (p < len ? p : len);
    if (ok) {
        img->pixels = malloc((size_t)v[0] * v[1]);
        ok = img->pixels != NULL;
    }
    if (ok) {
        memcpy(img->pixels, b + p, (size_t)v[0] * v[1]);
        img->width = v[0];
        img->height = v[1];
    }
    free(b);
    return ok;
}

static inline void fpt_image_free(fpt_image *img)
{
    free(img->pixels);
    img->pixels = NULL;
}

/* FVC file name "<finger>_<impression>.tif" of a set B folder. */
static inline int fpt_load_fvc(const char *set_dir, int finger, int impression, fpt_image *img)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%d_%d.tif", set_dir, finger, impression);
    return fpt_load_tiff(path, img);
}

/* Non-zero when FP_TEST_QUICK=1 asks for a reduced run (qemu). */
static inline int fpt_quick(void)
{
    const char *q = getenv("FP_TEST_QUICK");
    return q && q[0] == '1';
}

/* EER in percent by a threshold sweep over every observed score; *thr_out gets the threshold. */
static inline double fpt_eer_percent(const float *gen, int ng, const float *imp, int ni, double *thr_out)
{
    double best = 1e9, eer = 100;
    for (int k = 0; k < ng + ni + 1; k++) {
        double t = k < ng ? gen[k] : k < ng + ni ? imp[k - ng] : 1e9;
        int fr = 0, fa = 0;
        for (int i = 0; i < ng; i++) fr += gen[i] < t;
        for (int i = 0; i < ni; i++) fa += imp[i] >= t;
        double frr = 100.0 * fr / ng, far = 100.0 * fa / ni;
        if (fabs(frr - far) < best || (fabs(frr - far) == best && (frr + far) / 2 < eer)) {
            best = fabs(frr - far);
            eer = (frr + far) / 2;
            *thr_out = t;
        }
    }
    return eer;
}

#endif
