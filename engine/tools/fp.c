/*
 * fp - command-line front end of the engine.
 *   fp extract IMAGE [-o TEMPLATE] [--format native|iso|ansi] [--json FILE] [--dpi N] [--debug DIR]
 *   fp compare A B [--dpi N]        (images or templates)
 *   fp convert IN OUT --to native|iso|ansi
 *   fp capture ...                  (runs fp-capture from the sensor driver)
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* The cause of the last FP_ERR_IO, captured where the call failed. */
static int io_errno;

static int fail(const char *what, fp_status st)
{
    if (st == FP_ERR_IO && io_errno)
        fprintf(stderr, "fp: %s: %s (%s)\n", what, strerror(io_errno), fp_status_name(st));
    else
        fprintf(stderr, "fp: %s: %s (%s)\n", what, fp_status_message(st), fp_status_name(st));
    return fp_status_is_retry(st) ? 3 : 1;
}

static fp_status io_error(void)
{
    io_errno = errno;
    return FP_ERR_IO;
}

static int parse_format(const char *s, fp_template_format *f)
{
    if (!strcmp(s, "native")) *f = FP_FORMAT_NATIVE;
    else if (!strcmp(s, "iso")) *f = FP_FORMAT_ISO19794_2;
    else if (!strcmp(s, "ansi")) *f = FP_FORMAT_ANSI378;
    else return 0;
    return 1;
}

/* The resolutions images are processed at (fp_extract: FP_ERR_RESOLUTION outside). */
#define DPI_MIN 250
#define DPI_MAX 1000

/* --dpi N: a whole number the engine takes, nothing else. */
static int parse_dpi(const char *s, uint32_t *dpi)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = s[0] >= '0' && s[0] <= '9' ? strtoul(s, &end, 10) : 0;
    if (!end || *end || errno || v < DPI_MIN || v > DPI_MAX) {
        fprintf(stderr, "fp: --dpi: expected a whole number of dots per inch from %d to %d, got '%s'\n", DPI_MIN,
                DPI_MAX, s);
        return 0;
    }
    *dpi = (uint32_t)v;
    return 1;
}

/*
 * The resolution to process an image at: --dpi when given; else the file's
 * own tag when the engine takes it; a missing tag or one of the values
 * image software writes when it knows nothing (72, 96) means the 500 dpi
 * of nearly every fingerprint sensor, said on stderr. Any other tag is
 * refused: the file states a resolution the engine does not process, and
 * guessing would compare at the wrong scale.
 */
static int image_dpi(const char *path, const fp_io_image *img, uint32_t forced, uint32_t *dpi)
{
    if (forced) {
        *dpi = forced;
    } else if (img->dpi >= DPI_MIN && img->dpi <= DPI_MAX) {
        *dpi = img->dpi;
        fprintf(stderr, "fp: %s: %u dpi, from the file's resolution tag\n", path, img->dpi);
    } else if (img->dpi == 0 || img->dpi == 72 || img->dpi == 96) {
        *dpi = 500;
        if (img->dpi) fprintf(stderr, "fp: %s: the file's %u dpi is a placeholder; taken as 500 dpi (--dpi N to set it)\n", path, img->dpi);
        else fprintf(stderr, "fp: %s: no resolution in the file; taken as 500 dpi (--dpi N to set it)\n", path);
    } else {
        fprintf(stderr,
                "fp: %s: the file states %u dpi, outside the %d-%d dpi the engine processes "
                "(--dpi N if the tag is wrong)\n",
                path, img->dpi, DPI_MIN, DPI_MAX);
        return 0;
    }
    return 1;
}

/* Templates are small: the largest record with extended data stays far below this. */
#define TEMPLATE_FILE_MAX ((size_t)1 << 20)

/* Reads a template file of at most TEMPLATE_FILE_MAX bytes. */
static fp_status read_template_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return io_error();
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return io_error();
    }
    uint8_t *buf = malloc(TEMPLATE_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return FP_ERR_NO_MEMORY;
    }
    size_t n = fread(buf, 1, TEMPLATE_FILE_MAX + 1, f);
    fp_status st = ferror(f) ? io_error() : FP_OK;
    fclose(f);
    if (st == FP_OK && n > TEMPLATE_FILE_MAX) {
        fprintf(stderr, "fp: %s: over %zu KiB: too large for a template, and not a supported image\n", path,
                TEMPLATE_FILE_MAX >> 10);
        st = FP_ERR_FILE_FORMAT;
    }
    if (st != FP_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *len = n;
    return FP_OK;
}

/*
 * Writes a whole file or nothing: into a new file beside path, renamed over
 * it once complete, so a failed write (disk full, a size limit) leaves
 * neither an empty nor a partial output, and an older file at path intact.
 */
static fp_status write_file(const char *path, const uint8_t *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return io_error();
    }
    int fd = mkstemp(tmp);
    if (fd < 0) return io_error();
    fp_status st = FP_OK;
    for (size_t done = 0; done < len && st == FP_OK;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) st = io_error();
        else done += (size_t)w;
    }
    if (st == FP_OK && fchmod(fd, 0644) != 0) st = io_error();
    if (close(fd) != 0 && st == FP_OK) st = io_error();
    if (st == FP_OK && rename(tmp, path) != 0) st = io_error();
    if (st != FP_OK) unlink(tmp);
    return st;
}

/* Reads a template in any supported format: native, ISO 19794-2 or ANSI 378.
 * Each reader is tried in turn; when none takes the data, each one's reason
 * is printed. */
static fp_status read_template(const char *path, const uint8_t *data, size_t len, fp_template **out)
{
    static const struct {
        fp_template_format format;
        const char *name;
    } readers[] = {{FP_FORMAT_NATIVE, "native"}, {FP_FORMAT_ISO19794_2, "ISO 19794-2"}, {FP_FORMAT_ANSI378, "ANSI 378"}};
    fp_status st[3];
    for (size_t i = 0; i < 3; i++) {
        st[i] = fp_template_deserialize(readers[i].format, data, len, out);
        if (st[i] == FP_OK) return FP_OK;
    }
    fprintf(stderr, "fp: %s: not an image, nor a template any reader takes:", path);
    for (size_t i = 0; i < 3; i++) fprintf(stderr, "%s %s: %s", i ? ";" : "", readers[i].name, fp_status_message(st[i]));
    fprintf(stderr, "\n");
    /* The first reader that recognised the record says best what is wrong. */
    for (size_t i = 0; i < 3; i++)
        if (st[i] != FP_ERR_TEMPLATE_FORMAT) return st[i];
    return FP_ERR_TEMPLATE_FORMAT;
}

/* Loads a template file of any supported format, or extracts one from an image. */
static fp_status load_any(fp_context *ctx, const char *path, uint32_t forced_dpi, fp_template **out)
{
    uint8_t head[16];
    FILE *f = fopen(path, "rb");
    if (!f) return io_error();
    size_t n = fread(head, 1, sizeof head, f);
    const int read_failed = ferror(f);
    const int saved = errno;
    fclose(f);
    if (read_failed) {
        errno = saved;
        return io_error();
    }
    if (fp_io_detect(head, n) != FP_IO_UNKNOWN) {
        fp_io_image img;
        fp_status st = fp_io_load(path, &img);
        if (st == FP_ERR_IO) io_errno = errno;
        if (st != FP_OK) return st;
        uint32_t dpi;
        if (!image_dpi(path, &img, forced_dpi, &dpi)) {
            fp_io_image_free(&img);
            return FP_ERR_RESOLUTION;
        }
        fp_image im = {img.pixels, img.width, img.height, img.width, dpi};
        st = fp_extract(ctx, &im, out, NULL);
        fp_io_image_free(&img);
        return st;
    }
    uint8_t *data;
    size_t len;
    fp_status st = read_template_file(path, &data, &len);
    if (st != FP_OK) return st;
    st = read_template(path, data, len, out);
    free(data);
    return st;
}

/* Serialises t in fmt and writes it to path, whole or not at all. */
static fp_status save_template(const fp_template *t, fp_template_format fmt, const char *path)
{
    size_t len = 0;
    fp_status st = fp_template_serialize(t, fmt, NULL, 0, &len);
    if (st != FP_OK) return st;
    uint8_t *buf = malloc(len);
    st = buf ? fp_template_serialize(t, fmt, buf, len, &len) : FP_ERR_NO_MEMORY;
    if (st == FP_OK) st = write_file(path, buf, len);
    free(buf);
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
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return io_error();
    for (size_t i = 0; i < sizeof planes / sizeof planes[0]; i++) {
        uint32_t w, h;
        const uint8_t *p = fp_debug_plane_get(ctx, planes[i].plane, &w, &h);
        if (!p) continue;
        snprintf(path, sizeof path, "%s/%s.png", dir, planes[i].name);
        fp_status st = fp_io_write_png_gray(path, p, w, h, w, 500);
        if (st == FP_ERR_IO) io_errno = errno;
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
    if (st == FP_ERR_IO) io_errno = errno;
    free(rgb);
    return st;
}

static int write_json(const char *in, const char *json, const fp_io_image *img, uint32_t dpi, const fp_template *t,
                      const fp_extract_info *info)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "image", in);
    cJSON_AddNumberToObject(root, "width", img->width);
    cJSON_AddNumberToObject(root, "height", img->height);
    cJSON_AddNumberToObject(root, "dpi", dpi);
    cJSON_AddNumberToObject(root, "quality", info->quality);
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
    fp_status st = text ? write_file(json, (const uint8_t *)text, strlen(text)) : FP_ERR_NO_MEMORY;
    free(text);
    cJSON_Delete(root);
    return st == FP_OK ? 0 : fail(json, st);
}

static int cmd_extract(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *json = NULL, *debug = NULL;
    fp_template_format fmt = FP_FORMAT_NATIVE;
    uint32_t forced_dpi = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--debug") && i + 1 < argc) debug = argv[++i];
        else if (!strcmp(argv[i], "--dpi") && i + 1 < argc) {
            if (!parse_dpi(argv[++i], &forced_dpi)) return 2;
        } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            if (!parse_format(argv[++i], &fmt)) return usage();
        } else if (argv[i][0] != '-' && !in) in = argv[i];
        else return usage();
    }
    if (!in) return usage();
    fp_io_image img;
    fp_status st = fp_io_load(in, &img);
    if (st == FP_ERR_IO) io_errno = errno;
    if (st != FP_OK) return fail(in, st);
    uint32_t dpi;
    if (!image_dpi(in, &img, forced_dpi, &dpi)) {
        fp_io_image_free(&img);
        return 1;
    }
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
    if (debug) {
        fp_status dst = write_debug(ctx, debug, &img, t);
        if (dst != FP_OK) {
            char what[4200];
            snprintf(what, sizeof what, "debug images in %s", debug);
            rc = fail(what, dst);
        }
    }
    if (st != FP_OK) {
        rc = fail(in, st);
    } else {
        printf("%s: %zu minutiae, quality %u, foreground %u px, %u dpi\n", in, fp_template_minutiae_count(t),
               info.quality, info.foreground_area, dpi);
        if (out && (st = save_template(t, fmt, out)) != FP_OK) rc = fail(out, st);
        if (json && write_json(in, json, &img, dpi, t, &info) != 0) rc = 1;
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
        if (!strcmp(argv[i], "--dpi") && i + 1 < argc) {
            if (!parse_dpi(argv[++i], &dpi)) return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) return usage();
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
        st = fp_compare(ctx, ta, tb, &score);
        if (st != FP_OK) rc = fail("compare", st);
        else printf("score %.2f (FMR %.3g)\n", score, fp_score_to_fmr(score));
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
    else if ((st = save_template(t, fmt, argv[1])) != FP_OK) rc = fail(argv[1], st);
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
