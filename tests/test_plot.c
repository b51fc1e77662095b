/*
 * test_plot.c - render each plot kind to a temporary PNG, decode it again
 * with libpng and check the size and where the data colours landed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"

typedef struct image {
    unsigned w, h;
    uint8_t *rgb;
} image;

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/fp_plot_test_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/plot.png", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    /* FP_KEEP_PLOTS=1 leaves the last image behind for a human to look at. */
    if (!getenv("FP_KEEP_PLOTS")) {
        unlink(f->path);
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

/* Decode with libpng's simplified API into 8-bit RGB. */
static image load(const char *path)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&pi, path));
    pi.format = PNG_FORMAT_RGB;
    image im = {pi.width, pi.height, malloc(PNG_IMAGE_SIZE(pi))};
    assert_non_null(im.rgb);
    assert_true(png_image_finish_read(&pi, NULL, im.rgb, 0, NULL));
    return im;
}

static int is_color(const image *im, unsigned x, unsigned y, uint32_t col)
{
    const uint8_t *p = im->rgb + 3 * ((size_t)y * im->w + x);
    return p[0] == ((col >> 16) & 0xFF) && p[1] == ((col >> 8) & 0xFF) &&
           p[2] == (col & 0xFF);
}

typedef struct stats {
    size_t n;
    double mx, my;     /* centroid */
    double cov;        /* covariance of x and y */
    unsigned x0, x1;   /* extent */
} stats;

/* Pixels of exactly col inside rows [ry0, ry1). */
static stats color_stats(const image *im, uint32_t col, unsigned ry0,
                         unsigned ry1)
{
    stats s = {0, 0, 0, 0, im->w, 0};
    double sx = 0, sy = 0, sxy = 0;
    for (unsigned y = ry0; y < ry1 && y < im->h; y++)
        for (unsigned x = 0; x < im->w; x++)
            if (is_color(im, x, y, col)) {
                s.n++;
                sx += x;
                sy += y;
                sxy += (double)x * y;
                if (x < s.x0)
                    s.x0 = x;
                if (x > s.x1)
                    s.x1 = x;
            }
    if (s.n) {
        s.mx = sx / s.n;
        s.my = sy / s.n;
        s.cov = sxy / s.n - s.mx * s.my;
    }
    return s;
}

/* Dark pixels (text, frame) in rows [ry0, ry1). */
static size_t dark_pixels(const image *im, unsigned ry0, unsigned ry1)
{
    size_t n = 0;
    for (unsigned y = ry0; y < ry1 && y < im->h; y++)
        for (unsigned x = 0; x < im->w; x++) {
            const uint8_t *p = im->rgb + 3 * ((size_t)y * im->w + x);
            n += p[0] < 80 && p[1] < 80 && p[2] < 80;
        }
    return n;
}

static void test_det(void **state)
{
    fixture *f = *state;
    /* A falling DET curve and a second, flat one, in chosen colours. */
    fp_eval_point a[] = {
        {1e-4, 0.5, 0}, {1e-3, 0.2, 0}, {1e-2, 0.05, 0}, {1e-1, 0.005, 0}};
    fp_eval_point b[] = {{1e-5, 0.3, 0}, {1e-3, 0.3, 0}, {NAN, 0.3, 0},
                         {1e-1, 0.3, 0}, {1.0, 0.3, 0}};
    fp_plot_det_curve curves[] = {{"falling", a, 4, 0x00AA00},
                                  {"flat", b, 5, 0xAA00AA}};
    fp_plot_options o;
    fp_plot_options_init(&o);
    o.title = "DET test";
    assert_int_equal(fp_plot_det(f->path, &o, curves, 2), FP_OK);
    image im = load(f->path);
    assert_int_equal(im.w, 800);
    assert_int_equal(im.h, 600);

    stats s = color_stats(&im, 0x00AA00, 0, im.h);
    assert_true(s.n > 300);
    /* FNMR falls as FMR grows: image y grows with x. */
    assert_true(s.cov > 0);
    stats t = color_stats(&im, 0xAA00AA, 0, im.h);
    assert_true(t.n > 300);
    /* The flat curve is one horizontal band; the NaN point leaves a gap of
     * two decades (about 2/5 of the plot width) in it. */
    unsigned row = 0, row_best = 0;
    for (unsigned y = 0; y < im.h; y++) {
        unsigned n = 0;
        for (unsigned x = 0; x < im.w; x++)
            n += is_color(&im, x, y, 0xAA00AA);
        if (n > row_best) {
            row_best = n;
            row = y;
        }
    }
    unsigned run = 0, longest = 0, first = im.w, last = 0;
    for (unsigned x = 0; x < im.w; x++) {
        if (is_color(&im, x, row, 0xAA00AA)) {
            first = x < first ? x : first;
            last = x;
        }
    }
    assert_true(last > first + im.w / 2);
    for (unsigned x = first; x <= last; x++) {
        run = is_color(&im, x, row, 0xAA00AA) ? 0 : run + 1;
        longest = run > longest ? run : longest;
    }
    assert_true(longest > im.w / 5);
    assert_true(longest < im.w / 2);
    /* Title text is dark ink above the plot. */
    assert_true(dark_pixels(&im, 0, 30) > 50);
    free(im.rgb);

    /* Without a title the band stays empty; other sizes are honoured. */
    o.title = NULL;
    o.width = 400;
    o.height = 300;
    assert_int_equal(fp_plot_det(f->path, &o, curves, 1), FP_OK);
    im = load(f->path);
    assert_int_equal(im.w, 400);
    assert_int_equal(im.h, 300);
    assert_int_equal(dark_pixels(&im, 0, 6), 0);
    assert_true(color_stats(&im, 0x00AA00, 0, im.h).n > 100);
    free(im.rgb);

    /* No curves at all still gives a valid, empty chart. */
    assert_int_equal(fp_plot_det(f->path, NULL, NULL, 0), FP_OK);
    im = load(f->path);
    assert_int_equal(color_stats(&im, 0x00AA00, 0, im.h).n, 0);
    free(im.rgb);
}

static void test_det_from_metrics(void **state)
{
    fixture *f = *state;
    float g[200], i[2000];
    for (int k = 0; k < 200; k++)
        g[k] = (float)(40 + (k * 37) % 60);
    for (int k = 0; k < 2000; k++)
        i[k] = (float)((k * 13) % 50);
    fp_eval_scores *s = NULL;
    assert_int_equal(fp_eval_scores_create(g, 200, i, 2000, &s), FP_OK);
    size_t n = fp_eval_det_count(s), got = 0;
    fp_eval_point *det = malloc(n * sizeof *det);
    assert_non_null(det);
    assert_int_equal(fp_eval_det(s, det, n, &got), FP_OK);
    fp_plot_det_curve c = {"overlap 40..49", det, got, FP_PLOT_AUTO};
    assert_int_equal(fp_plot_det(f->path, NULL, &c, 1), FP_OK);
    image im = load(f->path);
    assert_true(color_stats(&im, FP_PLOT_GENUINE_COLOR, 0, im.h).n > 200);
    free(im.rgb);
    free(det);
    fp_eval_scores_destroy(s);
}

static void test_histogram(void **state)
{
    fixture *f = *state;
    double edges[21];
    assert_int_equal(fp_eval_uniform_edges(0, 100, 20, edges), FP_OK);
    uint64_t gen[20] = {0}, imp[20] = {0};
    for (int k = 0; k < 20; k++) {
        imp[k] = k < 8 ? (uint64_t)(1000 * (8 - abs(k - 3))) : 0;
        gen[k] = k >= 10 ? (uint64_t)(10 * (10 - abs(k - 15))) : 0;
    }
    fp_plot_options o;
    fp_plot_options_init(&o);
    o.title = "histogram";
    assert_int_equal(fp_plot_histogram(f->path, &o, edges, 20, gen, imp),
                     FP_OK);
    image im = load(f->path);
    assert_int_equal(im.w, 800);
    assert_int_equal(im.h, 600);
    /* Look below the legend: the outlines of each set. */
    stats sg = color_stats(&im, FP_PLOT_GENUINE_COLOR, im.h / 2, im.h);
    stats si = color_stats(&im, FP_PLOT_IMPOSTOR_COLOR, im.h / 2, im.h);
    assert_true(sg.n > 100);
    assert_true(si.n > 100);
    assert_true(si.mx < im.w / 2.0);
    assert_true(sg.mx > im.w / 2.0);
    assert_true(si.x1 < sg.x0 + 5); /* no overlap in this data */
    free(im.rgb);

    /* One set only. */
    assert_int_equal(fp_plot_histogram(f->path, NULL, edges, 20, gen, NULL),
                     FP_OK);
    im = load(f->path);
    assert_int_equal(color_stats(&im, FP_PLOT_IMPOSTOR_COLOR, 0, im.h).n, 0);
    assert_true(color_stats(&im, FP_PLOT_GENUINE_COLOR, 0, im.h).n > 100);
    free(im.rgb);

    const double bad[] = {0, 1, 1};
    assert_int_equal(fp_plot_histogram(f->path, NULL, bad, 2, gen, imp),
                     FP_ERR_INVALID_ARGUMENT);
}

static void test_lines(void **state)
{
    fixture *f = *state;
    double x[] = {100, 1000, 10000, 100000, 1000000};
    double up[] = {0.1, 1, 10, 100, 1000};
    double down[] = {50, 40, 30, 20, 10};
    fp_plot_series s[] = {{"up", x, up, 5, 0x00AA00},
                          {"down", x, down, 5, 0xAA00AA}};
    fp_plot_options o;
    fp_plot_options_init(&o);
    o.log_x = 1;
    o.log_y = 1;
    o.markers = 1;
    o.x_label = "gallery size";
    o.y_label = "ms";
    assert_int_equal(fp_plot_lines(f->path, &o, s, 2), FP_OK);
    image im = load(f->path);
    stats su = color_stats(&im, 0x00AA00, 0, im.h);
    stats sd = color_stats(&im, 0xAA00AA, 0, im.h);
    assert_true(su.n > 300 && sd.n > 300);
    assert_true(su.cov < 0); /* rising line: y pixel falls as x grows */
    assert_true(sd.cov > 0);
    /* Axis titles: dark ink near the bottom and the left edge. */
    assert_true(dark_pixels(&im, im.h - 25, im.h) > 30);
    free(im.rgb);

    /* Linear axes, a non-positive value and a NaN. */
    double y2[] = {-5, 0, NAN, 3, 4};
    fp_plot_series one = {NULL, x, y2, 5, FP_PLOT_AUTO};
    o.log_y = 0;
    assert_int_equal(fp_plot_lines(f->path, &o, &one, 1), FP_OK);
    o.log_y = 1;
    assert_int_equal(fp_plot_lines(f->path, &o, &one, 1), FP_OK);
    im = load(f->path);
    assert_int_equal(im.w, 800);
    free(im.rgb);
}

static void test_errors(void **state)
{
    fixture *f = *state;
    fp_eval_point p = {0.1, 0.1, 0};
    fp_plot_det_curve c = {NULL, &p, 1, FP_PLOT_AUTO};
    assert_int_equal(fp_plot_det(NULL, NULL, &c, 1), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_plot_det(f->path, NULL, NULL, 1),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_plot_det("/nonexistent-dir/x/plot.png", NULL, &c, 1),
                     FP_ERR_IO);
    fp_plot_options o;
    fp_plot_options_init(&o);
    o.width = 100;
    assert_int_equal(fp_plot_det(f->path, &o, &c, 1), FP_ERR_INVALID_ARGUMENT);
    fp_plot_options_init(&o);
    o.x_min = 0;
    o.x_max = 1; /* log axis cannot start at 0 */
    assert_int_equal(fp_plot_det(f->path, &o, &c, 1), FP_ERR_INVALID_ARGUMENT);
    fp_plot_series s = {NULL, NULL, NULL, 3, FP_PLOT_AUTO};
    assert_int_equal(fp_plot_lines(f->path, NULL, &s, 1),
                     FP_ERR_INVALID_ARGUMENT);
    fp_plot_options_init(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_det, setup, teardown),
        cmocka_unit_test_setup_teardown(test_det_from_metrics, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
