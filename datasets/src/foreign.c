/*
 * Templates made by other extractors for a data set's images, mapped into
 * the images' frame (see fp_dataset_load_template in fp/dataset.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/dataset.h"

#define TEMPLATE_MAX (64 * 1024)

static const struct {
    const char *ext;
    fp_template_format format;
} kinds[] = {
    {"iso", FP_FORMAT_ISO19794_2},
    {"ist", FP_FORMAT_ISO19794_2},
    {"ansi", FP_FORMAT_ANSI378},
    {"fpt", FP_FORMAT_NATIVE},
};

/* Reads the first template file found for the stem; *len = 0 when none. */
static fp_status read_template_file(const char *tdir, const char *stem, int stem_len, uint8_t *buf, size_t *len,
                                    fp_template_format *format)
{
    *len = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%.*s.%s", tdir, stem_len, stem, kinds[k].ext);
        if (n < 0 || (size_t)n >= sizeof path) return FP_ERR_INVALID_ARGUMENT;
        FILE *f = fopen(path, "rb");
        if (!f) {
            if (errno == ENOENT) continue;
            return FP_ERR_IO;
        }
        size_t got = fread(buf, 1, TEMPLATE_MAX, f);
        int more = fgetc(f) != EOF, bad = ferror(f);
        fclose(f);
        if (bad) return FP_ERR_IO;
        if (more) return FP_ERR_FILE_CORRUPT;
        *len = got;
        *format = kinds[k].format;
        return FP_OK;
    }
    return FP_ERR_NOT_FOUND;
}

fp_status fp_dataset_load_template(const char *tdir, const char *image_path, uint32_t width, uint32_t height,
                                   uint32_t dpi, fp_template **out)
{
    if (out) *out = NULL;
    if (!tdir || !image_path || !out || !width || !height) return FP_ERR_INVALID_ARGUMENT;
    const char *base = strrchr(image_path, '/');
    base = base ? base + 1 : image_path;
    const char *dot = strrchr(base, '.');
    const int stem_len = dot ? (int)(dot - base) : (int)strlen(base);
    uint8_t *buf = malloc(TEMPLATE_MAX);
    if (!buf) return FP_ERR_NO_MEMORY;
    size_t len = 0;
    fp_template_format format = FP_FORMAT_NATIVE;
    fp_status st = read_template_file(tdir, base, stem_len, buf, &len, &format);
    fp_template *src = NULL;
    if (st == FP_OK) st = fp_template_deserialize(format, buf, len, &src);
    free(buf);
    if (st != FP_OK) return st;
    const size_t n = fp_template_minutiae_count(src);
    fp_minutia *m = malloc((n ? n : 1) * sizeof(*m));
    if (!m) {
        fp_template_destroy(src);
        return FP_ERR_NO_MEMORY;
    }
    const uint32_t tw = fp_template_width(src), th = fp_template_height(src);
    const double sx = tw ? (double)width / tw : 1.0, sy = th ? (double)height / th : 1.0;
    const fp_minutia *sm = fp_template_minutiae(src);
    for (size_t k = 0; k < n; k++) {
        /* The source frame holds every minutia, so only rounding can step past the edge. */
        long x = lrint(sm[k].x * sx), y = lrint(sm[k].y * sy);
        x = x < (long)width ? x : (long)width - 1;
        y = y < (long)height ? y : (long)height - 1;
        /* A direction (cos a, sin a) stretched like the positions. */
        const double a = sm[k].angle * M_PI / 128.0;
        const double b = atan2(sin(a) * sy, cos(a) * sx);
        m[k] = sm[k];
        m[k].x = (uint16_t)x;
        m[k].y = (uint16_t)y;
        m[k].angle = (uint8_t)(lrint(b * 128.0 / M_PI) & 255);
    }
    st = fp_template_create(width, height, dpi, m, n, fp_template_quality(src), out);
    free(m);
    fp_template_destroy(src);
    return st;
}
