/*
 * fp - command-line front end of the engine.
 *   fp extract IMAGE [-o TEMPLATE] [--format native|iso|ansi] [--json FILE] [--dpi N] [--debug DIR]
 *   fp compare A B [--dpi N]        (images or templates)
 *   fp convert IN OUT --to native|iso|ansi
 *   fp capture ...                  (runs fp-capture from the sensor driver)
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp/fp.h"
#include "fp/fpio.h"

static int usage(void)
{
    fprintf(stderr,
            "usage:\n"
            "  fp extract IMAGE [-o TEMPLATE] [--format native|iso|ansi] [--json FILE] [--dpi N] [--debug DIR]\n"
            "  fp compare A B [--dpi N]     (each an image or a template file)\n"
            "  fp convert IN OUT --to native|iso|ansi\n"
            "  fp capture --backend replay|synthetic|libfprint [...] --out x.png   (see fp-capture)\n");
    return 2;
}

static int fail(const char *what, fp_status st)
{
    fprintf(stderr, "fp: %s: %s (%s)\n", what, fp_status_message(st), fp_status_name(st));
    return fp_status_is_retry(st) ? 3 : 1;
}

static int parse_format(const char *s, fp_template_format *f)
{
    if (!strcmp(s, "native")) *f = FP_FORMAT_NATIVE;
    else if (!strcmp(s, "iso")) *f = FP_FORMAT_ISO19794_2;
    else if (!strcmp(s, "ansi")) *f = FP_FORMAT_ANSI378;
    else return 0;
    return 1;
}

static fp_status read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return FP_ERR_IO;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > (64u << 20)) {
                free(buf);
                fclose(f);
                return FP_ERR_FILE_CORRUPT;
            }
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return FP_ERR_NO_MEMORY;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got) break;
        n += got;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return FP_ERR_IO;
    }
    *data = buf;
    *len = n;
    return FP_OK;
}

static fp_status write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return FP_ERR_IO;
    size_t w = fwrite(data, 1, len, f);
    int err = fclose(f);
    return (w == len && !err) ? FP_OK : FP_ERR_IO;
}

/* Loads a template file of any supported format, or extracts one from an image. */
static fp_status load_any(fp_context *ctx, const char *path, uint32_t dpi, fp_template **out)
{
    uint8_t *data;
    size_t len;
    fp_status st = read_file(path, &data, &len);
    if (st != FP_OK) return st;
    if (fp_io_detect(data, len) != FP_IO_UNKNOWN) {
        fp_io_image img;
        st = fp_io_decode(data, len, &img);
        free(data);
        if (st != FP_OK) return st;
        fp_image im = {img.pixels, img.width, img.height, img.width, dpi ? dpi : 500};
        st = fp_extract(ctx, &im, out, NULL);
        fp_io_image_free(&img);
        return st;
    }
    st = fp_template_deserialize(FP_FORMAT_NATIVE, data, len, out);
    if (st == FP_ERR_TEMPLATE_FORMAT) st = fp_template_deserialize(FP_FORMAT_ISO19794_2, data, len, out);
    if (st == FP_ERR_TEMPLATE_FORMAT) st = fp_template_deserialize(FP_FORMAT_ANSI378, data, len, out);
    free(data);
    return st;
}

static void put_rgb(uint8_t *rgb, uint32_t w, uint32_t h, int x, int y, uint8_t r, uint8_t g, uint8_t b)
{
    if (x < 0 || y < 0 || (uint32_t)x >= w || (uint32_t)y >= h) return;
    uint8_t *p = rgb + ((size_t)y * w + (size_t)x) * 3;
    p[0] = r;
    p[1] = g;
    p[2] = b;
}

static fp_status write_debug(fp_context *ctx, const char *dir, const fp_io_image *img, const fp_template *t)
{
    static const struct {
        fp_debug_plane plane;
        const char *name;
    } planes[] = {{FP_DEBUG_NORMALIZED, "normalized"}, {FP_DEBUG_MASK, "mask"},
                  {FP_DEBUG_ORIENTATION, "orientation"}, {FP_DEBUG_FREQUENCY, "frequency"},
                  {FP_DEBUG_ENHANCED, "enhanced"}, {FP_DEBUG_BINARY, "binary"},
                  {FP_DEBUG_SKELETON, "skeleton"}};
    char path[4096];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return FP_ERR_IO;
    for (size_t i = 0; i < sizeof planes / sizeof planes[0]; i++) {
        uint32_t w, h;
        const uint8_t *p = fp_debug_plane_get(ctx, planes[i].plane, &w, &h);
        if (!p) continue;
        snprintf(path, sizeof path, "%s/%s.png", dir, planes[i].name);
        fp_status st = fp_io_write_png_gray(path, p, w, h, w, 500);
        if (st != FP_OK) return st;
    }
    /* Minutiae on the original: red endings, blue bifurcations, a tick for the direction. */
    uint32_t w = img->width, h = img->height;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    if (!rgb) return FP_ERR_NO_MEMORY;
    for (size_t i = 0; i < (size_t)w * h; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = img->pixels[i];
    size_t n = t ? fp_template_minutiae_count(t) : 0;
    const fp_minutia *m = t ? fp_template_minutiae(t) : NULL;
    for (size_t i = 0; i < n; i++) {
        uint8_t r = m[i].type == FP_MINUTIA_ENDING ? 230 : 20, b = m[i].type == FP_MINUTIA_ENDING ? 20 : 230;
        for (int a = 0; a < 32; a++) {
            double ang = a * M_PI / 16;
            put_rgb(rgb, w, h, m[i].x + (int)lrint(4 * cos(ang)), m[i].y + (int)lrint(4 * sin(ang)), r, 40, b);
        }
        double th = m[i].angle * M_PI / 128;
        for (int k = 4; k < 14; k++)
            put_rgb(rgb, w, h, m[i].x + (int)lrint(k * cos(th)), m[i].y - (int)lrint(k * sin(th)), r, 40, b);
    }
    snprintf(path, sizeof path, "%s/minutiae.png", dir);
    fp_status st = fp_io_write_png_rgb(path, rgb, w, h, w * 3);
    free(rgb);
    return st;
}

static int cmd_extract(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *json = NULL, *debug = NULL;
    fp_template_format fmt = FP_FORMAT_NATIVE;
    uint32_t dpi = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--debug") && i + 1 < argc) debug = argv[++i];
        else if (!strcmp(argv[i], "--dpi") && i + 1 < argc) dpi = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            if (!parse_format(argv[++i], &fmt)) return usage();
        } else if (argv[i][0] != '-' && !in) in = argv[i];
        else return usage();
    }
    if (!in) return usage();
    fp_io_image img;
    fp_status st = fp_io_load(in, &img);
    if (st != FP_OK) return fail(in, st);
    if (!dpi) dpi = img.dpi >= 250 && img.dpi <= 1000 && img.format != FP_IO_TIFF ? img.dpi : 500;
    fp_context *ctx;
    st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) {
        fp_io_image_free(&img);
        return fail("context", st);
    }
    fp_image im = {img.pixels, img.width, img.height, img.width, dpi};
    fp_template *t = NULL;
    fp_extract_info info;
    st = fp_extract(ctx, &im, &t, &info);
    int rc = 0;
    if (debug && write_debug(ctx, debug, &img, t) != FP_OK) fprintf(stderr, "fp: could not write debug images to %s\n", debug);
    if (st != FP_OK) {
        rc = fail(in, st);
    } else {
        printf("%s: %zu minutiae, quality %u, foreground %u px\n", in, fp_template_minutiae_count(t), info.quality,
               info.foreground_area);
        if (out) {
            size_t len;
            fp_template_serialize(t, fmt, NULL, 0, &len);
            uint8_t *buf = malloc(len);
            st = buf ? fp_template_serialize(t, fmt, buf, len, &len) : FP_ERR_NO_MEMORY;
            if (st == FP_OK) st = write_file(out, buf, len);
            free(buf);
            if (st != FP_OK) rc = fail(out, st);
        }
        if (json) {
            cJSON *root = cJSON_CreateObject();
            cJSON_AddStringToObject(root, "image", in);
            cJSON_AddNumberToObject(root, "width", img.width);
            cJSON_AddNumberToObject(root, "height", img.height);
            cJSON_AddNumberToObject(root, "dpi", dpi);
            cJSON_AddNumberToObject(root, "quality", info.quality);
            cJSON *arr = cJSON_AddArrayToObject(root, "minutiae");
            const fp_minutia *m = fp_template_minutiae(t);
            for (size_t i = 0; i < fp_template_minutiae_count(t); i++) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "x", m[i].x);
                cJSON_AddNumberToObject(o, "y", m[i].y);
                cJSON_AddNumberToObject(o, "angle_deg", m[i].angle * 360.0 / 256.0);
                cJSON_AddStringToObject(o, "type", m[i].type == FP_MINUTIA_ENDING ? "ending" : m[i].type == FP_MINUTIA_BIFURCATION ? "bifurcation" : "other");
                cJSON_AddNumberToObject(o, "quality", m[i].quality);
                cJSON_AddItemToArray(arr, o);
            }
            char *text = cJSON_Print(root);
            st = text ? write_file(json, (const uint8_t *)text, strlen(text)) : FP_ERR_NO_MEMORY;
            free(text);
            cJSON_Delete(root);
            if (st != FP_OK) rc = fail(json, st);
        }
    }
    fp_template_destroy(t);
    fp_context_destroy(ctx);
    fp_io_image_free(&img);
    return rc;
}

static int cmd_compare(int argc, char **argv)
{
    const char *a = NULL, *b = NULL;
    uint32_t dpi = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--dpi") && i + 1 < argc) dpi = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!a) a = argv[i];
        else if (!b) b = argv[i];
        else return usage();
    }
    if (!a || !b) return usage();
    fp_context *ctx;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) return fail("context", st);
    fp_template *ta = NULL, *tb = NULL;
    int rc = 0;
    if ((st = load_any(ctx, a, dpi, &ta)) != FP_OK) rc = fail(a, st);
    else if ((st = load_any(ctx, b, dpi, &tb)) != FP_OK) rc = fail(b, st);
    else {
        float score;
        fp_compare(ctx, ta, tb, &score);
        printf("score %.2f (FMR %.3g)\n", score, fp_score_to_fmr(score));
    }
    fp_template_destroy(ta);
    fp_template_destroy(tb);
    fp_context_destroy(ctx);
    return rc;
}

static int cmd_convert(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[2], "--to")) return usage();
    fp_template_format fmt;
    if (!parse_format(argv[3], &fmt)) return usage();
    fp_context *ctx;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) return fail("context", st);
    fp_template *t = NULL;
    int rc = 0;
    st = load_any(ctx, argv[0], 0, &t);
    if (st != FP_OK) rc = fail(argv[0], st);
    else {
        size_t len;
        fp_template_serialize(t, fmt, NULL, 0, &len);
        uint8_t *buf = malloc(len);
        st = buf ? fp_template_serialize(t, fmt, buf, len, &len) : FP_ERR_NO_MEMORY;
        if (st == FP_OK) st = write_file(argv[1], buf, len);
        free(buf);
        if (st != FP_OK) rc = fail(argv[1], st);
    }
    fp_template_destroy(t);
    fp_context_destroy(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (!strcmp(argv[1], "extract")) return cmd_extract(argc - 2, argv + 2);
    if (!strcmp(argv[1], "compare")) return cmd_compare(argc - 2, argv + 2);
    if (!strcmp(argv[1], "convert")) return cmd_convert(argc - 2, argv + 2);
    if (!strcmp(argv[1], "capture")) {
        /* The capture tool lives with the sensor driver: run it with the
         * same arguments, from the build tree next to this one or from PATH. */
        char path[4096];
        const char *self = argv[0], *slash = strrchr(self, '/');
        argv[1] = (char *)"fp-capture";
        if (slash) {
            snprintf(path, sizeof path, "%.*s/../../sensor/fp-capture", (int)(slash - self), self);
            execv(path, argv + 1);
            snprintf(path, sizeof path, "%.*s/fp-capture", (int)(slash - self), self);
            execv(path, argv + 1);
        }
        execvp("fp-capture", argv + 1);
        fprintf(stderr, "fp: cannot run fp-capture (build the sensor/ tools)\n");
        return 1;
    }
    return usage();
}
