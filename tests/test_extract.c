/*
 * Extraction: orientation and ridge-period estimates against patterns
 * whose answer is known analytically, argument and image validation,
 * retry statuses on blank and noise images, resolution independence of
 * the minutiae, and (label "slow") every image of the FVC set B folders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "core_engine_util.h"

static fp_context *new_ctx(void)
{
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    assert_non_null(ctx);
    return ctx;
}

static uint8_t clamp8(double v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrint(v));
}

/* Runs the pipeline up to the period map on ctx's workspace. */
static void run_fields(fp_context *ctx, const fp_image *im)
{
    fpi_workspace *ws = &ctx->ws;
    assert_int_equal(fpi_load_image(ws, im), FP_OK);
    fpi_block_stats(ws, ctx->kernels);
    fpi_segment(ws);
    fpi_orientation(ws);
    fpi_frequency(ws, ws->img);
}

/* Difference of two axial angles (period pi), in degrees, 0..90. */
static double axial_diff_deg(double a, double b)
{
    double d = fmod(fabs(a - b), M_PI);
    if (d > M_PI / 2) d = M_PI - d;
    return d * 180.0 / M_PI;
}

typedef struct field_err {
    double ang_sum, ang_max, per_sum;
    long n;
} field_err;

/* ---- plane waves ------------------------------------------------------ */

static void test_orientation_frequency_waves(void **state)
{
    (void)state;
    const int W = 256, H = 256;
    uint8_t *img = malloc((size_t)W * H);
    assert_non_null(img);
    fp_context *ctx = new_ctx();
    fpi_workspace *ws = &ctx->ws;
    fpt_rng rng = {2024};
    field_err all = {0, 0, 0, 0};
    double worst_mean_ang = 0, worst_mean_per = 0;
    int worst_deg = 0, worst_p = 0, worst_pdeg = 0, worst_pp = 0, images = 0;
    for (int p = 6; p <= 14; p++) {
        for (int a = 0; a < 24; a++) {
            double t = a * 7.5 * M_PI / 180.0;
            double ct = cos(t), st = sin(t);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    double noise = (fpt_unit(&rng) + fpt_unit(&rng) + fpt_unit(&rng) - 1.5) * 16.0;
                    img[y * W + x] = clamp8(128 + 100 * cos(2 * M_PI * (x * ct + y * st) / p) + noise);
                }
            fp_image im = {img, (uint32_t)W, (uint32_t)H, (uint32_t)W, 500};
            run_fields(ctx, &im);
            /* The grey level varies along (cos t, sin t) in image axes, so
             * the ridges run perpendicular to it. */
            double want = fmod(t + M_PI / 2, M_PI);
            field_err e = {0, 0, 0, 0};
            for (uint32_t i = 0; i < ws->bw * ws->bh; i++) {
                if (!ws->mask[i]) continue;
                double d = axial_diff_deg(ws->ori[i], want);
                e.ang_sum += d;
                if (d > e.ang_max) e.ang_max = d;
                e.per_sum += fabs(ws->period[i] - p);
                e.n++;
            }
            /* A clean, full-frame pattern must be foreground nearly everywhere. */
            assert_true(e.n >= (long)(ws->bw * ws->bh) * 3 / 4);
            double ma = e.ang_sum / (double)e.n, mp = e.per_sum / (double)e.n;
            if (ma > worst_mean_ang) {
                worst_mean_ang = ma;
                worst_deg = a;
                worst_p = p;
            }
            if (mp > worst_mean_per) {
                worst_mean_per = mp;
                worst_pdeg = a;
                worst_pp = p;
            }
            all.ang_sum += e.ang_sum;
            all.per_sum += e.per_sum;
            all.n += e.n;
            if (e.ang_max > all.ang_max) all.ang_max = e.ang_max;
            images++;
        }
    }
    double mean_ang = all.ang_sum / (double)all.n, mean_per = all.per_sum / (double)all.n;
    print_message("plane waves: %d images (24 angles x periods 6..14), %ld foreground blocks\n", images, all.n);
    print_message("  angular error: mean %.2f deg, max %.2f deg; worst image mean %.2f deg (%.1f deg, P=%d)\n",
                  mean_ang, all.ang_max, worst_mean_ang, worst_deg * 7.5, worst_p);
    print_message("  period error: mean %.3f px; worst image mean %.3f px (%.1f deg, P=%d)\n", mean_per,
                  worst_mean_per, worst_pdeg * 7.5, worst_pp);
    assert_true(mean_ang < 3.0);
    assert_true(mean_per < 0.7);
    /* No single image may be far off either. */
    assert_true(worst_mean_ang < 6.0);
    assert_true(worst_mean_per < 1.5);
    fp_context_destroy(ctx);
    free(img);
}

/* ---- concentric circles ----------------------------------------------- */

static void test_orientation_circles(void **state)
{
    (void)state;
    const int W = 320, H = 320;
    uint8_t *img = malloc((size_t)W * H);
    assert_non_null(img);
    fp_context *ctx = new_ctx();
    fpi_workspace *ws = &ctx->ws;
    fpt_rng rng = {7};
    field_err all = {0, 0, 0, 0};
    static const double centres[3][2] = {{160, 160}, {120, 190}, {200, 140}};
    for (int p = 7; p <= 12; p += 5) {
        for (int c = 0; c < 3; c++) {
            double cx = centres[c][0], cy = centres[c][1];
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    double r = hypot(x - cx, y - cy);
                    double noise = (fpt_unit(&rng) - 0.5) * 24.0;
                    img[y * W + x] = clamp8(128 + 100 * cos(2 * M_PI * r / p) + noise);
                }
            fp_image im = {img, (uint32_t)W, (uint32_t)H, (uint32_t)W, 500};
            run_fields(ctx, &im);
            for (uint32_t by = 0; by < ws->bh; by++)
                for (uint32_t bx = 0; bx < ws->bw; bx++) {
                    uint32_t i = by * ws->bw + bx;
                    if (!ws->mask[i]) continue;
                    double x = bx * 8.0 + 3.5, y = by * 8.0 + 3.5;
                    /* Near the centre the direction changes within a block:
                     * undefined there, so those blocks are left out. */
                    if (hypot(x - cx, y - cy) < 40) continue;
                    /* Ridges are tangent: perpendicular to the radius. */
                    double want = fmod(atan2(y - cy, x - cx) + M_PI / 2 + 2 * M_PI, M_PI);
                    double d = axial_diff_deg(ws->ori[i], want);
                    all.ang_sum += d;
                    if (d > all.ang_max) all.ang_max = d;
                    all.per_sum += fabs(ws->period[i] - p);
                    all.n++;
                }
        }
    }
    double mean_ang = all.ang_sum / (double)all.n, mean_per = all.per_sum / (double)all.n;
    print_message("concentric circles (P = 7, 12; 3 centres): %ld blocks, angular error mean %.2f max %.2f deg, "
                  "period error mean %.3f px\n",
                  all.n, mean_ang, all.ang_max, mean_per);
    assert_true(all.n > 1000);
    assert_true(mean_ang < 3.0);
    assert_true(mean_per < 0.7);
    fp_context_destroy(ctx);
    free(img);
}

/* ---- refinement on the enhanced image ----------------------------------- */

/* Mean angular error (degrees) of the foreground blocks further than 40 px from (cx, cy). */
static double circle_error(const fpi_workspace *ws, double cx, double cy, long *n)
{
    double sum = 0;
    *n = 0;
    for (uint32_t by = 0; by < ws->bh; by++)
        for (uint32_t bx = 0; bx < ws->bw; bx++) {
            uint32_t i = by * ws->bw + bx;
            double x = bx * 8.0 + 3.5, y = by * 8.0 + 3.5;
            if (!ws->mask[i] || hypot(x - cx, y - cy) < 40) continue;
            sum += axial_diff_deg(ws->ori[i], fmod(atan2(y - cy, x - cx) + M_PI / 2 + 2 * M_PI, M_PI));
            (*n)++;
        }
    return *n ? sum / (double)*n : 0;
}

/*
 * Ridges broken into dots, as dry skin prints them, under strong noise:
 * the orientation measured again on the enhanced image (fpi_refine) must
 * be closer to the truth than the one measured on the image itself.
 */
static void test_refine_dotted_ridges(void **state)
{
    (void)state;
    const int W = 320, H = 320;
    uint8_t *img = malloc((size_t)W * H);
    assert_non_null(img);
    fp_context *ctx = new_ctx();
    fpi_workspace *ws = &ctx->ws;
    fpt_rng rng = {99};
    double before = 0, after = 0;
    for (int p = 8; p <= 11; p += 3) {
        const double cx = 150, cy = 170;
        /* Dots: a ridge pixel keeps its darkness only in the cells (4 x 4
         * pixels) drawn as present, half of them. */
        uint8_t cells[80][80];
        for (int j = 0; j < 80; j++)
            for (int i = 0; i < 80; i++) cells[j][i] = fpt_unit(&rng) < 0.5;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double r = hypot(x - cx, y - cy);
                double c = cos(2 * M_PI * r / p);
                if (c < 0 && !cells[y / 4][x / 4]) c = 0.3;
                double noise = (fpt_unit(&rng) + fpt_unit(&rng) - 1.0) * 90.0;
                img[y * W + x] = clamp8(140 + 70 * c + noise);
            }
        fp_image im = {img, (uint32_t)W, (uint32_t)H, (uint32_t)W, 500};
        run_fields(ctx, &im);
        long n0, n1;
        const double e0 = circle_error(ws, cx, cy, &n0);
        fpi_normalize(ws);
        fpi_enhance(ws, ctx->kernels, 0);
        fpi_refine(ws, ctx->kernels);
        const double e1 = circle_error(ws, cx, cy, &n1);
        print_message("dotted circles P=%d: %ld blocks, mean angular error %.2f deg measured on the image, "
                      "%.2f deg after refinement\n", p, n0, e0, e1);
        assert_int_equal(n0, n1);
        assert_true(n0 > 600);
        before += e0;
        after += e1;
    }
    assert_true(after < 0.8 * before);
    fp_context_destroy(ctx);
    free(img);
}

/* ---- argument and image validation ------------------------------------ */

static void test_errors(void **state)
{
    (void)state;
    fp_context *ctx = new_ctx();
    uint8_t *px = calloc(4096, 4096);
    assert_non_null(px);
    memset(px, 200, 4096);
    fp_template *t = (fp_template *)px; /* must be reset to NULL */
    fp_extract_info info;
    fp_image im = {px, 300, 300, 300, 500};
    assert_int_equal(fp_extract(NULL, &im, &t, &info), FP_ERR_INVALID_ARGUMENT);
    assert_null(t);
    assert_int_equal(fp_extract(ctx, NULL, &t, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_extract(ctx, &im, NULL, NULL), FP_ERR_INVALID_ARGUMENT);
    im.pixels = NULL;
    assert_int_equal(fp_extract(ctx, &im, &t, NULL), FP_ERR_INVALID_ARGUMENT);
    im.pixels = px;
    static const uint32_t bad_dpi[] = {0, 1, 249, 1001, 5000, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad_dpi / sizeof bad_dpi[0]; i++) {
        im.dpi = bad_dpi[i];
        t = (fp_template *)px;
        assert_int_equal(fp_extract(ctx, &im, &t, NULL), FP_ERR_RESOLUTION);
        assert_null(t);
    }
    im.dpi = 500;
    static const uint32_t bad_size[][3] = {{31, 300, 31},    {300, 31, 300},   {0, 300, 0},      {2049, 300, 2049},
                                           {300, 2049, 300}, {300, 300, 299},  {100, 100, 0},    {UINT32_MAX, 40, UINT32_MAX}};
    for (size_t i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
        im.width = bad_size[i][0];
        im.height = bad_size[i][1];
        im.stride = bad_size[i][2];
        assert_int_equal(fp_extract(ctx, &im, &t, NULL), FP_ERR_IMAGE_SIZE);
        assert_null(t);
    }
    /* Valid to the API but larger than the context was created for. */
    im.width = 2048;
    im.height = 2048;
    im.stride = 2048;
    assert_int_equal(fp_extract(ctx, &im, &t, NULL), FP_ERR_IMAGE_SIZE);
    /* At 250 dpi a 1000 x 1000 image is 2000 x 2000 after resampling. */
    im.width = im.height = im.stride = 1000;
    im.dpi = 250;
    assert_int_equal(fp_extract(ctx, &im, &t, NULL), FP_ERR_IMAGE_SIZE);
    /* Boundary sizes are accepted (and blank: no finger). */
    im.dpi = 500;
    im.width = im.height = 32;
    im.stride = 33;
    assert_int_equal(fp_extract(ctx, &im, &t, &info), FP_RETRY_NO_FINGER);
    assert_null(t);
    assert_int_equal(info.foreground_area, 0);
    /* Context creation. */
    fp_context *c2 = (fp_context *)px;
    fp_config cfg;
    fp_config_init(&cfg);
    cfg.max_width = 16;
    assert_int_equal(fp_context_create(&cfg, &c2), FP_ERR_INVALID_ARGUMENT);
    assert_null(c2);
    assert_int_equal(fp_context_create(NULL, NULL), FP_ERR_INVALID_ARGUMENT);
    fp_context_destroy(NULL);
    fp_config_init(NULL);
    assert_null(fp_debug_plane_get(NULL, FP_DEBUG_MASK, NULL, NULL));
    free(px);
    fp_context_destroy(ctx);
}

static void test_debug_planes_before_extract(void **state)
{
    (void)state;
    fp_context *ctx = new_ctx();
    assert_null(fp_debug_plane_get(ctx, FP_DEBUG_NORMALIZED, NULL, NULL));
    fp_context_destroy(ctx);
}

static void test_blank_and_noise(void **state)
{
    (void)state;
    fp_context *ctx = new_ctx();
    const int W = 300, H = 400;
    uint8_t *img = malloc((size_t)W * H);
    assert_non_null(img);
    fp_template *t = NULL;
    fp_extract_info info;
    fp_image im = {img, (uint32_t)W, (uint32_t)H, (uint32_t)W, 500};
    static const uint8_t levels[] = {0, 128, 255};
    for (size_t i = 0; i < 3; i++) {
        memset(img, levels[i], (size_t)W * H);
        assert_int_equal(fp_extract(ctx, &im, &t, &info), FP_RETRY_NO_FINGER);
        assert_null(t);
    }
    /* Faint sensor noise on a blank background: still no finger. */
    fpt_rng rng = {5};
    for (int i = 0; i < W * H; i++) img[i] = (uint8_t)(200 + fpt_range(&rng, -3, 3));
    assert_int_equal(fp_extract(ctx, &im, &t, &info), FP_RETRY_NO_FINGER);
    /* Strong white noise: anything but a crash or a template is wrong. */
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < W * H; i++) img[i] = (uint8_t)fpt_range(&rng, k * 20, 255 - k * 20);
        for (uint32_t dpi = 300; dpi <= 900; dpi += 300) {
            im.dpi = dpi;
            fp_status st = fp_extract(ctx, &im, &t, &info);
            if (k == 0 && dpi == 300) print_message("uniform noise: %s\n", fp_status_name(st));
            assert_true(fp_status_is_retry(st));
            assert_null(t);
        }
    }
    free(img);
    fp_context_destroy(ctx);
}

static void test_real_blank_pgm(void **state)
{
    (void)state;
    const char *path = FPT_DATASETS "/template-test-vectors/fingerjetfxose/images-pgm/a999_01p.pgm";
    fpt_image img;
    if (!fpt_load_pgm(path, &img)) {
        print_message("skipped: %s not found or unreadable\n", path);
        skip();
    }
    fp_context *ctx = new_ctx();
    fp_image im = {img.pixels, img.width, img.height, img.width, 500};
    fp_template *t = NULL;
    fp_status st = fp_extract(ctx, &im, &t, NULL);
    print_message("a999_01p.pgm (%ux%u): %s\n", img.width, img.height, fp_status_name(st));
    assert_true(fp_status_is_retry(st));
    assert_null(t);
    fp_context_destroy(ctx);
    fpt_image_free(&img);
}

/* ---- resolution independence ----------------------------------------- */

#define NFORK 9
static const double fork_x[NFORK] = {80, 160, 240, 110, 200, 75, 165, 245, 130};
static const double fork_y[NFORK] = {75, 90, 80, 155, 165, 235, 245, 230, 300};

/*
 * A print-like pattern in 500 dpi coordinates (u, v): ridges of period 9
 * whose direction turns slowly, with phase dislocations (one fork or ending
 * pair each). Evaluated analytically at any resolution.
 */
static double pattern_at(double u, double v)
{
    double ph = 2 * M_PI * (u * 0.85 + v * 0.5 + 0.0006 * (u - 160) * (v - 180)) / 9.0;
    for (int k = 0; k < NFORK; k++) ph += (k % 2 ? 1 : -1) * atan2(v - fork_y[k], u - fork_x[k]);
    return 128 + 100 * cos(ph);
}

static fp_template *extract_at(fp_context *ctx, uint32_t dpi, uint32_t *w_out, uint32_t *h_out)
{
    const double base_w = 320, base_h = 360;
    double s = (double)dpi / 500.0; /* pixels of this image per 500 dpi pixel */
    uint32_t w = (uint32_t)lround(base_w * s), h = (uint32_t)lround(base_h * s);
    uint8_t *img = malloc((size_t)w * h);
    assert_non_null(img);
    fpt_rng rng = {dpi};
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            /* Box-average 3x3 sub-samples so the low-resolution image is not aliased. */
            double acc = 0;
            for (int sy = -1; sy <= 1; sy++)
                for (int sx = -1; sx <= 1; sx++)
                    acc += pattern_at((x + 0.5 + sx / 3.0) / s - 0.5, (y + 0.5 + sy / 3.0) / s - 0.5);
            img[(size_t)y * w + x] = clamp8(acc / 9.0 + (fpt_unit(&rng) - 0.5) * 10);
        }
    fp_image im = {img, w, h, w, dpi};
    fp_template *t = NULL;
    fp_status st = fp_extract(ctx, &im, &t, NULL);
    free(img);
    print_message("%u dpi (%ux%u): %s, %zu minutiae\n", dpi, w, h, fp_status_name(st),
                  t ? fp_template_minutiae_count(t) : 0);
    assert_int_equal(st, FP_OK);
    assert_int_equal(fp_template_width(t), w);
    assert_int_equal(fp_template_height(t), h);
    assert_int_equal(fp_template_dpi(t), dpi);
    *w_out = w;
    *h_out = h;
    return t;
}

static void test_resolution(void **state)
{
    (void)state;
    fp_context *ctx = new_ctx();
    uint32_t w0, h0;
    fp_template *base = extract_at(ctx, 500, &w0, &h0);
    const fp_minutia *bm = fp_template_minutiae(base);
    size_t bn = fp_template_minutiae_count(base);
    assert_true(bn >= 5);
    /* 1000 and 333 dpi are resampled to 500; 569 dpi is processed as it is. */
    static const uint32_t dpis[] = {1000, 333, 569};
    for (size_t d = 0; d < sizeof dpis / sizeof dpis[0]; d++) {
        uint32_t w, h;
        fp_template *t = extract_at(ctx, dpis[d], &w, &h);
        const fp_minutia *m = fp_template_minutiae(t);
        size_t n = fp_template_minutiae_count(t);
        double s = 500.0 / dpis[d];
        /* For each 500 dpi minutia, the nearest one of the other
         * resolution mapped back to 500 dpi pixels. */
        size_t found = 0;
        double dsum = 0;
        for (size_t i = 0; i < bn; i++) {
            double best = 1e9;
            for (size_t j = 0; j < n; j++) {
                double dx = m[j].x * s - bm[i].x, dy = m[j].y * s - bm[i].y;
                best = fmin(best, hypot(dx, dy));
            }
            if (best <= 6.0) {
                found++;
                dsum += best;
            }
        }
        print_message("  %u dpi vs 500 dpi: %zu of %zu minutiae within 6 px (500 dpi pixels), mean distance %.2f px\n",
                      dpis[d], found, bn, found ? dsum / (double)found : 0.0);
        assert_true(found * 10 >= bn * 7);
        assert_true(n * 10 >= bn * 6 && n * 10 <= bn * 15);
        fp_template_destroy(t);
    }
    fp_template_destroy(base);
    fp_context_destroy(ctx);
}

/* ---- every image of the FVC set B folders (label slow) ---------------- */

static void test_datasets(void **state)
{
    (void)state;
    static const struct {
        const char *dir;
        uint32_t dpi;
    } sets[] = {
        {"FVC2002/DB1_B", 500}, {"FVC2002/DB2_B", 569}, {"FVC2002/DB3_B", 500},
        {"FVC2002/DB4_B", 500}, {"FVC2000/DB1_B", 500}, {"FVC2000/DB2_B", 500},
    };
    if (!fpt_is_dir(FPT_DATASETS "/FVC2002") && !fpt_is_dir(FPT_DATASETS "/FVC2000")) {
        print_message("skipped: no FVC folders under %s\n", FPT_DATASETS);
        skip();
    }
    const int quick = fpt_quick();
    fp_context *ctx = new_ctx();
    int total = 0, total_ok = 0;
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", FPT_DATASETS, sets[s].dir);
        if (!fpt_is_dir(dir)) {
            print_message("%s: absent, skipped\n", sets[s].dir);
            continue;
        }
        int ok = 0, retry = 0, n = 0, minutiae = 0;
        int by_status[200] = {0};
        for (int finger = 101; finger <= 110; finger++)
            for (int imp = 1; imp <= 8; imp++) {
                if (quick && !(imp == 1 && finger % 5 == 1)) continue;
                fpt_image img;
                if (!fpt_load_fvc(dir, finger, imp, &img)) continue;
                fp_image im = {img.pixels, img.width, img.height, img.width, sets[s].dpi};
                fp_template *t = NULL;
                fp_status st = fp_extract(ctx, &im, &t, NULL);
                n++;
                if (st == FP_OK) {
                    ok++;
                    minutiae += (int)fp_template_minutiae_count(t);
                } else {
                    if (!fp_status_is_retry(st))
                        print_error("%s/%d_%d: %s\n", sets[s].dir, finger, imp, fp_status_name(st));
                    assert_true(fp_status_is_retry(st));
                    assert_null(t);
                    retry++;
                    by_status[st]++;
                }
                fp_template_destroy(t);
                fpt_image_free(&img);
            }
        print_message("%s (%u dpi): %d images, %d ok (%.1f %%), %d retry (no finger %d, too small %d, low quality "
                      "%d, few minutiae %d), mean %.1f minutiae\n",
                      sets[s].dir, sets[s].dpi, n, ok, n ? 100.0 * ok / n : 0.0, retry, by_status[FP_RETRY_NO_FINGER],
                      by_status[FP_RETRY_TOO_SMALL], by_status[FP_RETRY_LOW_QUALITY],
                      by_status[FP_RETRY_FEW_MINUTIAE], ok ? (double)minutiae / ok : 0.0);
        total += n;
        total_ok += ok;
    }
    print_message("all sets: %d of %d images extracted (%.1f %%)\n", total_ok, total,
                  total ? 100.0 * total_ok / total : 0.0);
    assert_true(total > 0);
    assert_true(total_ok * 100 >= total * 95);
    fp_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_debug_planes_before_extract),
        cmocka_unit_test(test_blank_and_noise),
        cmocka_unit_test(test_real_blank_pgm),
        cmocka_unit_test(test_orientation_frequency_waves),
        cmocka_unit_test(test_orientation_circles),
        cmocka_unit_test(test_refine_dotted_ridges),
        cmocka_unit_test(test_resolution),
    };
    const struct CMUnitTest slow[] = {
        cmocka_unit_test(test_datasets),
    };
    /* "--slow" runs the dataset-wide case (registered as its own ctest). */
    if (argc > 1 && !strcmp(argv[1], "--slow")) return cmocka_run_group_tests_name("extract_datasets", slow, NULL, NULL);
    return cmocka_run_group_tests_name("extract", unit, NULL, NULL);
}
