/* Tests of the synthetic fingerprint generator (datasets/src/synth*.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fp/synth.h"
#include "synth_internal.h"

#define SEED 0x5EEDull

/* Hashes of standard impressions (test_standard_unchanged). */
#define GOLDEN_OPTICAL 0x7fca26c144b8275eull
#define GOLDEN_OPTICAL_LARGE 0x6cd813de100f18abull
#define GOLDEN_CAPACITIVE 0x5735abd6e6a8fe3eull

/* One master shared by the tests that only read it (masters cost ~0.3 s,
 * several under sanitizers). */
static fp_synth_master *shared_master;

static int setup_master(void **state)
{
    (void)state;
    return fp_synth_master_create(SEED, 3, &shared_master) == FP_OK ? 0 : -1;
}

static int teardown_master(void **state)
{
    (void)state;
    fp_synth_master_destroy(shared_master);
    shared_master = NULL;
    return 0;
}

static int angle_diff(int a, int b)
{
    int d = (a - b) & 255;
    return d > 128 ? 256 - d : d;
}

static void test_arguments(void **state)
{
    (void)state;
    fp_synth_master *m = (fp_synth_master *)1;
    assert_int_equal(fp_synth_master_create(1, 1, NULL), FP_ERR_INVALID_ARGUMENT);
    fp_synth_master_destroy(NULL);
    fp_synth_impression_destroy(NULL);
    fp_synth_impression_params p;
    assert_int_equal(fp_synth_impression_params_draw(1, 1, 1, (fp_synth_profile)7, 0, &p), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_synth_impression_params_draw(1, 1, 1, FP_SYNTH_OPTICAL, 0, NULL), FP_ERR_INVALID_ARGUMENT);
    fp_synth_impression *imp = (fp_synth_impression *)1;
    assert_int_equal(fp_synth_impression_render(NULL, &p, &imp), FP_ERR_INVALID_ARGUMENT);
    assert_null(imp);
    assert_int_equal(fp_synth_impression_params_draw(1, 1, 1, FP_SYNTH_OPTICAL, 0, &p), FP_OK);
    p.dpi = 300;
    assert_int_equal(fp_synth_impression_render(shared_master, &p, &imp), FP_ERR_INVALID_ARGUMENT);
    fp_synth_profile prof;
    assert_int_equal(fp_synth_profile_parse("capacitive", &prof), FP_OK);
    assert_int_equal(prof, FP_SYNTH_CAPACITIVE);
    assert_int_equal(fp_synth_profile_parse("ultrasonic", &prof), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_synth_fast_template(1, 1, 1, NULL), FP_ERR_INVALID_ARGUMENT);
    (void)m;
}

static void test_determinism(void **state)
{
    (void)state;
    fp_synth_master *a = NULL;
    assert_int_equal(fp_synth_master_create(SEED, 3, &a), FP_OK);
    uint32_t w = fp_synth_master_width(a), h = fp_synth_master_height(a);
    assert_int_equal(w, fp_synth_master_width(shared_master));
    assert_memory_equal(fp_synth_master_ridges(a), fp_synth_master_ridges(shared_master), (size_t)w * h);
    size_t na, nb;
    const fp_minutia *ma = fp_synth_master_minutiae(a, &na), *mb = fp_synth_master_minutiae(shared_master, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ma, mb, na * sizeof(*ma));

    fp_synth_impression_params p;
    fp_synth_impression *i1 = NULL, *i2 = NULL;
    assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 2, FP_SYNTH_CAPACITIVE, 1, &p), FP_OK);
    assert_int_equal(fp_synth_impression_render(a, &p, &i1), FP_OK);
    assert_int_equal(fp_synth_impression_render(shared_master, &p, &i2), FP_OK);
    uint32_t iw, ih;
    const uint8_t *px1 = fp_synth_impression_pixels(i1, &iw, &ih);
    assert_int_equal(iw, 256);
    assert_int_equal(ih, 364);
    assert_memory_equal(px1, fp_synth_impression_pixels(i2, NULL, NULL), (size_t)iw * ih);

    /* A different impression is a different image. */
    fp_synth_impression *i3 = NULL;
    assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 3, FP_SYNTH_CAPACITIVE, 1, &p), FP_OK);
    assert_int_equal(fp_synth_impression_render(a, &p, &i3), FP_OK);
    assert_true(memcmp(px1, fp_synth_impression_pixels(i3, NULL, NULL), (size_t)iw * ih) != 0);

    /* Fast mode too. */
    fp_minutia f1[256], f2[256];
    size_t n1, n2;
    assert_int_equal(fp_synth_fast_minutiae(SEED, 77, 4, f1, 256, &n1), FP_OK);
    assert_int_equal(fp_synth_fast_minutiae(SEED, 77, 4, f2, 256, &n2), FP_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(f1, f2, n1 * sizeof(f1[0]));
    fp_synth_impression_destroy(i1);
    fp_synth_impression_destroy(i2);
    fp_synth_impression_destroy(i3);
    fp_synth_master_destroy(a);
}

static void test_ground_truth_sane(void **state)
{
    (void)state;
    size_t n;
    const fp_minutia *m = fp_synth_master_minutiae(shared_master, &n);
    assert_in_range(n, 20, 120);
    uint32_t w = fp_synth_master_width(shared_master), h = fp_synth_master_height(shared_master);
    const uint8_t *ridges = fp_synth_master_ridges(shared_master);
    size_t on_ridge = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(m[i].x < w && m[i].y < h);
        assert_true(m[i].type == FP_MINUTIA_ENDING || m[i].type == FP_MINUTIA_BIFURCATION);
        assert_true(fp_synth_master_inside(shared_master, m[i].x, m[i].y));
        for (size_t j = i + 1; j < n; j++) {
            double dx = (double)m[i].x - m[j].x, dy = (double)m[i].y - m[j].y;
            assert_true(dx * dx + dy * dy >= 36.0);
        }
        /* A minutia lies on a ridge pixel (dark in the master image) or next to one. */
        int dark = 0;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) dark |= ridges[(size_t)(m[i].y + dy) * w + m[i].x + dx] < 128;
        on_ridge += (size_t)dark;
        /* The direction follows the model orientation (either sense). */
        double th = fp_synth_master_orientation(shared_master, m[i].x, m[i].y);
        int a = (int)lround(-th / (2 * FPI_PI) * 256.0) & 255;
        int d = angle_diff(m[i].angle, a);
        assert_true(d <= 3 || d >= 125);
    }
    assert_int_equal(on_ridge, n);

    fp_synth_impression_params p;
    fp_synth_impression *imp = NULL;
    assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 0, FP_SYNTH_OPTICAL, 0, &p), FP_OK);
    assert_int_equal(fp_synth_impression_render(shared_master, &p, &imp), FP_OK);
    size_t k;
    const fp_minutia *g = fp_synth_impression_minutiae(imp, &k);
    assert_in_range(k, 10, n);
    for (size_t i = 0; i < k; i++) {
        assert_in_range(g[i].x, 8, 388 - 8);
        assert_in_range(g[i].y, 8, 374 - 8);
    }
    /* Ridges are dark: the image has both dark and light pixels. */
    uint32_t iw, ih;
    const uint8_t *px = fp_synth_impression_pixels(imp, &iw, &ih);
    size_t dark = 0, light = 0;
    for (size_t i = 0; i < (size_t)iw * ih; i++) {
        dark += px[i] < 90;
        light += px[i] > 200;
    }
    assert_true(dark > (size_t)iw * ih / 20);
    assert_true(light > (size_t)iw * ih / 5);
    fp_template *t = NULL;
    fp_status st = fp_synth_impression_template(imp, &t);
    if (st == FP_OK) assert_int_equal(fp_template_minutiae_count(t), k);
    fp_template_destroy(t);
    fp_synth_impression_destroy(imp);
}

static void test_class_proportions(void **state)
{
    (void)state;
    const double expected[FP_SYNTH_CLASS_COUNT] = {0.037, 0.029, 0.338, 0.317, 0.279};
    size_t counts[FP_SYNTH_CLASS_COUNT] = {0};
    const size_t n = 40000;
    for (uint32_t f = 0; f < n; f++) counts[fp_synth_class_of(12345, f)]++;
    for (int c = 0; c < FP_SYNTH_CLASS_COUNT; c++) {
        double p = (double)counts[c] / n;
        /* More than 4 binomial standard deviations off fails. */
        double sd = sqrt(expected[c] * (1 - expected[c]) / n);
        assert_true(fabs(p - expected[c]) < 4 * sd + 1e-9);
    }
    /* The master model agrees with the cheap class draw and places the
     * right singular points. */
    for (uint32_t f = 0; f < 200; f++) {
        fpi_synth_model m;
        fpi_synth_model_init(&m, 99, f);
        assert_int_equal(m.cls, fp_synth_class_of(99, f));
        int cores = 0, deltas = 0;
        for (int i = 0; i < m.nsp; i++) {
            cores += m.sp[i].type == FP_SYNTH_CORE;
            deltas += m.sp[i].type == FP_SYNTH_DELTA;
        }
        int ec = m.cls == FP_SYNTH_ARCH ? 0 : m.cls == FP_SYNTH_WHORL ? 2 : 1;
        assert_int_equal(cores, ec);
        assert_int_equal(deltas, ec);
        if (m.cls == FP_SYNTH_LEFT_LOOP) assert_true(m.sp[1].x > m.sp[0].x);
        if (m.cls == FP_SYNTH_RIGHT_LOOP) assert_true(m.sp[1].x < m.sp[0].x);
    }
}

/* Poincare index of the orientation field along a circle: +1/2 for a core,
 * -1/2 for a delta, 0 where there is no singularity. */
static double poincare(const fpi_synth_model *m, double cx, double cy, double r)
{
    const int steps = 96;
    double sum = 0, prev = fpi_synth_model_orientation(m, cx + r, cy);
    for (int i = 1; i <= steps; i++) {
        double a = 2 * FPI_PI * i / steps;
        double th = fpi_synth_model_orientation(m, cx + r * cos(a), cy + r * sin(a));
        double d = th - prev;
        while (d > FPI_PI / 2) d -= FPI_PI;
        while (d <= -FPI_PI / 2) d += FPI_PI;
        sum += d;
        prev = th;
    }
    return sum / (2 * FPI_PI);
}

static void test_poincare(void **state)
{
    (void)state;
    int checked_core = 0, checked_delta = 0, checked_plain = 0;
    for (uint32_t f = 0; f < 60; f++) {
        fpi_synth_model m;
        fpi_synth_model_init(&m, 2024, f);
        for (int i = 0; i < m.nsp; i++) {
            double near = 1e9;
            for (int j = 0; j < m.nsp; j++)
                if (j != i) near = fmin(near, hypot(m.sp[i].x - m.sp[j].x, m.sp[i].y - m.sp[j].y));
            if (near < 6) continue; /* coincident whorl cores: index +1 together */
            double r = fmin(8.0, near / 2);
            double idx = poincare(&m, m.sp[i].x, m.sp[i].y, r);
            if (m.sp[i].type == FP_SYNTH_CORE) {
                assert_true(fabs(idx - 0.5) < 1e-6);
                checked_core++;
            } else {
                assert_true(fabs(idx + 0.5) < 1e-6);
                checked_delta++;
            }
        }
        /* Away from singular points the index is 0. */
        double idx = poincare(&m, m.cx - 120, m.cy - 150, 10);
        assert_true(fabs(idx) < 1e-6);
        checked_plain++;
    }
    assert_true(checked_core > 20 && checked_delta > 20 && checked_plain == 60);
}

static void test_fast_statistics(void **state)
{
    (void)state;
    const uint32_t fingers = 150, imps = 4;
    double sum = 0;
    size_t total = 0, close_pairs = 0, pairs = 0, lo = 0, hi = 0;
    fp_minutia buf[256];
    for (uint32_t f = 0; f < fingers; f++)
        for (uint32_t k = 0; k < imps; k++) {
            size_t n;
            assert_int_equal(fp_synth_fast_minutiae(SEED, f, k, buf, 256, &n), FP_OK);
            sum += (double)n;
            total++;
            lo += n < 20;
            hi += n > 75;
            for (size_t i = 0; i < n; i++) {
                assert_true(buf[i].x < 388 && buf[i].y < 374);
                assert_true(buf[i].type == FP_MINUTIA_ENDING || buf[i].type == FP_MINUTIA_BIFURCATION);
                for (size_t j = i + 1; j < n; j++) {
                    double dx = (double)buf[i].x - buf[j].x, dy = (double)buf[i].y - buf[j].y;
                    pairs++;
                    close_pairs += dx * dx + dy * dy < 16.0;
                }
            }
        }
    double mean = sum / (double)total;
    assert_true(mean > 32.0 && mean < 48.0);
    assert_true(lo * 20 < total && hi * 20 < total);
    /* Minimum spacing of about a ridge period, blurred only by jitter and
     * the few spurious minutiae. */
    assert_true(close_pairs * 500 < pairs);

    /* Two impressions of one finger share most minutiae (after alignment
     * they would match); impressions of different fingers are unrelated, so
     * counts alone must not be identical everywhere. */
    fp_template *tpl[6];
    fp_status st = fp_synth_fast_batch(SEED, 10, 2, 3, tpl);
    if (st == FP_OK) {
        for (int i = 0; i < 6; i++) {
            size_t n;
            fp_synth_fast_minutiae(SEED, 10 + (uint32_t)i / 3, (uint32_t)i % 3, buf, 256, &n);
            assert_int_equal(fp_template_minutiae_count(tpl[i]), n);
            fp_template_destroy(tpl[i]);
        }
    }
}

static void test_impression_transform(void **state)
{
    (void)state;
    fp_synth_impression_params p;
    assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 1, FP_SYNTH_OPTICAL_LARGE, 0, &p), FP_OK);
    p.distortion_dx = p.distortion_dy = p.distortion_rot_deg = 0;
    p.rotation_deg = 17.0;
    p.dx = 12.5;
    p.dy = -9.0;
    fp_synth_impression *imp = NULL;
    assert_int_equal(fp_synth_impression_render(shared_master, &p, &imp), FP_OK);
    size_t nm, ni;
    const fp_minutia *mm = fp_synth_master_minutiae(shared_master, &nm);
    const fp_minutia *mi = fp_synth_impression_minutiae(imp, &ni);
    assert_true(ni > 10);
    /* The rigid map written out independently: contact centre to image
     * centre + (dx, dy), rotation counter-clockwise on screen. */
    fpi_synth_model model;
    fpi_synth_model_init(&model, SEED, 3);
    double ccx = model.cx + p.contact_dx, ccy = model.cy + p.contact_dy;
    double a = p.rotation_deg * FPI_PI / 180.0, c = cos(a), s = sin(a);
    int rot_units = (int)lround(p.rotation_deg / 360.0 * 256.0);
    size_t matched = 0;
    for (size_t j = 0; j < ni; j++) {
        int found = 0;
        for (size_t i = 0; i < nm && !found; i++) {
            double ux = mm[i].x - ccx, uy = mm[i].y - ccy;
            double x = p.width / 2.0 + p.dx + c * ux + s * uy, y = p.height / 2.0 + p.dy - s * ux + c * uy;
            if (fabs(x - mi[j].x) <= 1.0 && fabs(y - mi[j].y) <= 1.0) {
                assert_int_equal(mi[j].type, mm[i].type);
                assert_true(angle_diff(mi[j].angle, (mm[i].angle + rot_units) & 255) <= 2);
                double ix, iy;
                assert_int_equal(fp_synth_map_point(shared_master, &p, mm[i].x, mm[i].y, &ix, &iy), FP_OK);
                assert_true(fabs(ix - x) < 1e-3 && fabs(iy - y) < 1e-3);
                found = 1;
            }
        }
        matched += (size_t)found;
    }
    assert_int_equal(matched, ni);

    /* With distortion the ground truth follows the renderer's own map. */
    assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 1, FP_SYNTH_OPTICAL, 0, &p), FP_OK);
    p.distortion_dx = 8;
    p.distortion_rot_deg = 5;
    fp_synth_impression *imp2 = NULL;
    assert_int_equal(fp_synth_impression_render(shared_master, &p, &imp2), FP_OK);
    mi = fp_synth_impression_minutiae(imp2, &ni);
    for (size_t j = 0; j < ni; j++) {
        int found = 0;
        for (size_t i = 0; i < nm && !found; i++) {
            double ix, iy;
            fp_synth_map_point(shared_master, &p, mm[i].x, mm[i].y, &ix, &iy);
            found = fabs(ix - mi[j].x) <= 0.5 + 1e-9 && fabs(iy - mi[j].y) <= 0.5 + 1e-9;
        }
        assert_true(found);
    }
    fp_synth_impression_destroy(imp);
    fp_synth_impression_destroy(imp2);
}

/*
 * Minutiae the flow does not force: nearby minutiae on parallel ridges must
 * not nearly all point the same way. Growth alone gives 93 % same sense on
 * these masters (it only ends ridges where the flow spreads, so different
 * fingers of one class matched each other); real prints are at 48-63 %
 * (docs/realism.md). Pairs within 40 px whose directions are parallel or
 * antiparallel within 20 degrees.
 */
static void test_unforced_senses(void **state)
{
    (void)state;
    long same = 0, total = 0;
    for (uint32_t f = 0; f < 3; f++) {
        fp_synth_master *m = NULL;
        assert_int_equal(fp_synth_master_create(2024, f, &m), FP_OK);
        size_t n;
        const fp_minutia *a = fp_synth_master_minutiae(m, &n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                double dx = (double)a[i].x - a[j].x, dy = (double)a[i].y - a[j].y;
                if (dx * dx + dy * dy > 40.0 * 40.0) continue;
                int d = angle_diff(a[i].angle, a[j].angle);
                if (d <= 14) same++;
                if (d <= 14 || d >= 114) total++;
            }
        fp_synth_master_destroy(m);
    }
    assert_true(total >= 150);
    double share = (double)same / (double)total;
    assert_true(share > 0.5 && share < 0.85);
}

/* FNV-1a over bytes: a golden fingerprint of an image. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/*
 * The standard preset is what the generator made before the hard presets
 * existed: the draw through fp_synth_impression_params_draw_difficulty is
 * the old draw, and a standard impression still has the pixels it had (the
 * hash was taken with the generator of commit e24e9e0; data sets generated
 * with the standard preset, such as scripts/bench.sh's, stay reproducible).
 */
static void test_standard_unchanged(void **state)
{
    (void)state;
    fp_synth_impression_params a, b;
    for (uint32_t k = 0; k < 6; k++)
        for (int prof = 0; prof < FP_SYNTH_PROFILE_COUNT; prof++) {
            assert_int_equal(fp_synth_impression_params_draw(SEED, 3, k, (fp_synth_profile)prof, (int)(k & 1), &a),
                             FP_OK);
            assert_int_equal(fp_synth_impression_params_draw_difficulty(SEED, 3, k, (fp_synth_profile)prof,
                                                                        (int)(k & 1), FP_SYNTH_STANDARD, &b),
                             FP_OK);
            assert_memory_equal(&a, &b, sizeof(a));
            assert_true(a.warp_amp == 0 && a.patchiness == 0 && a.smudge == 0 && a.creases == 0 &&
                        a.roughness == 0 && a.blur < 1.0);
        }
    static const uint64_t golden[3] = {GOLDEN_OPTICAL, GOLDEN_OPTICAL_LARGE, GOLDEN_CAPACITIVE};
    for (int prof = 0; prof < 3; prof++) {
        fp_synth_impression *imp = NULL;
        assert_int_equal(fp_synth_impression_params_draw(SEED, 3, 1, (fp_synth_profile)prof, 1, &a), FP_OK);
        assert_int_equal(fp_synth_impression_render(shared_master, &a, &imp), FP_OK);
        uint32_t w, h;
        const uint8_t *px = fp_synth_impression_pixels(imp, &w, &h);
        uint64_t got = fnv1a(px, (size_t)w * h);
        if (got != golden[prof]) print_message("profile %d: image hash 0x%016llxull\n", prof, (unsigned long long)got);
        assert_true(got == golden[prof]);
        fp_synth_impression_destroy(imp);
    }
}

static void test_hard_arguments(void **state)
{
    (void)state;
    fp_synth_difficulty d;
    assert_int_equal(fp_synth_difficulty_parse("hard-drywet", &d), FP_OK);
    assert_int_equal(d, FP_SYNTH_HARD_DRYWET);
    assert_int_equal(fp_synth_difficulty_parse("hard-distortion", &d), FP_OK);
    assert_int_equal(d, FP_SYNTH_HARD_DISTORTION);
    assert_int_equal(fp_synth_difficulty_parse("hard", &d), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_synth_difficulty_parse(NULL, &d), FP_ERR_INVALID_ARGUMENT);
    assert_string_equal(fp_synth_difficulty_name(FP_SYNTH_STANDARD), "standard");
    fp_synth_profile prof;
    assert_int_equal(fp_synth_profile_parse("optical-small", &prof), FP_OK);
    assert_int_equal(prof, FP_SYNTH_OPTICAL_SMALL);
    uint32_t w, h;
    fp_synth_profile_size(FP_SYNTH_OPTICAL_SMALL, &w, &h);
    assert_true(w == 328 && h == 364);

    fp_synth_impression_params p;
    assert_int_equal(fp_synth_impression_params_draw_difficulty(1, 1, 1, FP_SYNTH_OPTICAL, 0,
                                                                (fp_synth_difficulty)3, &p),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_synth_impression_params_draw_difficulty(1, 1, 1, (fp_synth_profile)4, 0,
                                                                FP_SYNTH_HARD_DRYWET, &p),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_synth_impression_params_draw_difficulty(1, 1, 1, FP_SYNTH_OPTICAL, 0, FP_SYNTH_HARD_DRYWET,
                                                                NULL),
                     FP_ERR_INVALID_ARGUMENT);
    fp_synth_master *m = (fp_synth_master *)1;
    assert_int_equal(fp_synth_master_create_difficulty(1, 1, (fp_synth_difficulty)9, &m), FP_ERR_INVALID_ARGUMENT);
    assert_null(m);

    /* Out-of-range hard fields are refused, not rendered. */
    fp_synth_impression *imp = (fp_synth_impression *)1;
    const fp_synth_impression_params *base = &p;
    assert_int_equal(fp_synth_impression_params_draw_difficulty(1, 1, 1, FP_SYNTH_OPTICAL_SMALL, 0,
                                                                FP_SYNTH_HARD_DRYWET, &p),
                     FP_OK);
    for (int bad = 0; bad < 7; bad++) {
        fp_synth_impression_params q = *base;
        switch (bad) {
        case 0: q.blur = 4.5; break;
        case 1: q.warp_amp = 20; break;
        case 2: q.warp_cell = 2; break;
        case 3: q.patchiness = 1.5; break;
        case 4: q.smudge = -0.1; break;
        case 5: q.creases = 2; break;
        default: q.roughness = NAN; break;
        }
        imp = (fp_synth_impression *)1;
        assert_int_equal(fp_synth_impression_render(shared_master, &q, &imp), FP_ERR_INVALID_ARGUMENT);
        assert_null(imp);
        double x, y;
        assert_int_equal(fp_synth_map_point(shared_master, &q, 100, 100, &x, &y), FP_ERR_INVALID_ARGUMENT);
    }
}

/*
 * The presets' parameters stay in their documented ranges (docs/synthetic.md,
 * "Hard presets") and are actually hard: much larger distortion than the
 * standard draw, most drywet impressions clearly dry or wet.
 */
static void test_hard_param_ranges(void **state)
{
    (void)state;
    double std_shift = 0, hd_shift = 0, hd_rot = 0;
    size_t n = 0, drywet = 0, dry = 0, wet = 0;
    for (uint32_t f = 0; f < 60; f++)
        for (uint32_t k = 0; k < 8; k++) {
            fp_synth_impression_params s, d, w;
            assert_int_equal(fp_synth_impression_params_draw(77, f, k, FP_SYNTH_OPTICAL_LARGE, 0, &s), FP_OK);
            assert_int_equal(fp_synth_impression_params_draw_difficulty(77, f, k, FP_SYNTH_OPTICAL_LARGE, 0,
                                                                        FP_SYNTH_HARD_DISTORTION, &d),
                             FP_OK);
            assert_int_equal(fp_synth_impression_params_draw_difficulty(77, f, k, FP_SYNTH_OPTICAL_SMALL, 0,
                                                                        FP_SYNTH_HARD_DRYWET, &w),
                             FP_OK);
            const fp_synth_impression_params *both[2] = {&d, &w};
            for (int i = 0; i < 2; i++) {
                const fp_synth_impression_params *p = both[i];
                assert_true(p->dpi == 500);
                assert_true(fabs(p->rotation_deg) <= 30.0);
                assert_true(fabs(p->dx) <= 80.0 && fabs(p->dy) <= 80.0);
                assert_true(fabs(p->distortion_dx) <= 24.0 && fabs(p->distortion_dy) <= 24.0);
                assert_true(fabs(p->distortion_rot_deg) <= 14.0);
                assert_true(p->distortion_r0 >= 0.05 && p->distortion_r0 <= 0.5);
                assert_true(p->warp_amp >= 1.0 && p->warp_amp <= 7.0 && p->warp_cell >= 80.0 && p->warp_cell <= 160.0);
                assert_true(p->contact_ax > 50.0 && p->contact_ay > 50.0);
                assert_true(fabs(p->pressure) <= 1.0);
                assert_true(p->patchiness >= 0.2 && p->patchiness <= 1.0);
                assert_true(p->smudge >= 0.1 && p->smudge <= 0.8);
                assert_true(p->creases >= 0.3 && p->creases <= 1.0);
                assert_true(p->roughness >= 0.2 && p->roughness <= 1.0);
                assert_true(p->contrast >= 0.5 && p->contrast <= 1.0);
                assert_true(p->noise >= 3.0 && p->noise <= 14.0);
                assert_true(p->blur >= 0.2 && p->blur <= 1.2);
            }
            assert_true(w.width == 328 && w.height == 364 && d.width == 640 && d.height == 480);
            assert_true(fabs(w.distortion_dx) <= 12.0 && fabs(w.distortion_rot_deg) <= 8.0);
            std_shift += hypot(s.distortion_dx, s.distortion_dy);
            hd_shift += hypot(d.distortion_dx, d.distortion_dy);
            hd_rot += fabs(d.distortion_rot_deg);
            drywet += fabs(w.pressure) >= 0.35;
            dry += w.pressure <= -0.35;
            wet += w.pressure >= 0.35;
            n++;
        }
    assert_true(hd_shift > 2.0 * std_shift);
    assert_true(hd_rot / (double)n > 3.0);
    assert_true(drywet * 100 >= n * 75);
    assert_true(dry * 100 >= n * 30 && wet * 100 >= n * 30);
}

/*
 * Hard impressions are deterministic too, and their ground truth is still
 * the image of the master's under the renderer's own map, now with the
 * strong plastic distortion and the local warp (the inverse must converge).
 */
static void test_hard_render(void **state)
{
    (void)state;
    const fp_synth_difficulty diffs[2] = {FP_SYNTH_HARD_DISTORTION, FP_SYNTH_HARD_DRYWET};
    const fp_synth_profile profs[2] = {FP_SYNTH_OPTICAL_LARGE, FP_SYNTH_OPTICAL_SMALL};
    size_t nm;
    const fp_minutia *mm = fp_synth_master_minutiae(shared_master, &nm);
    for (int i = 0; i < 2; i++) {
        fp_synth_impression_params p;
        fp_synth_impression *a = NULL, *b = NULL;
        assert_int_equal(fp_synth_impression_params_draw_difficulty(SEED, 3, 2, profs[i], 0, diffs[i], &p), FP_OK);
        assert_int_equal(fp_synth_impression_render(shared_master, &p, &a), FP_OK);
        assert_int_equal(fp_synth_impression_render(shared_master, &p, &b), FP_OK);
        uint32_t w, h;
        const uint8_t *pa = fp_synth_impression_pixels(a, &w, &h);
        assert_memory_equal(pa, fp_synth_impression_pixels(b, NULL, NULL), (size_t)w * h);
        size_t ni;
        const fp_minutia *mi = fp_synth_impression_minutiae(a, &ni);
        assert_true(ni > 5);
        for (size_t j = 0; j < ni; j++) {
            int found = 0;
            for (size_t k = 0; k < nm && !found; k++) {
                double ix, iy;
                assert_int_equal(fp_synth_map_point(shared_master, &p, mm[k].x, mm[k].y, &ix, &iy), FP_OK);
                found = fabs(ix - mi[j].x) <= 0.5 + 1e-9 && fabs(iy - mi[j].y) <= 0.5 + 1e-9;
            }
            assert_true(found);
        }
        /* The forward map inverts the per-pixel map to well below a pixel. */
        fpi_synth_geom g;
        fpi_synth_geom_init(&g, fpi_synth_master_model(shared_master), &p);
        for (size_t k = 0; k < nm; k += 5) {
            double ix, iy, bx, by;
            fpi_synth_master_to_image(&g, mm[k].x, mm[k].y, &ix, &iy);
            fpi_synth_image_to_master(&g, ix, iy, &bx, &by);
            assert_true(fabs(bx - mm[k].x) < 1e-3 && fabs(by - mm[k].y) < 1e-3);
        }
        /* Creases only lighten the skin: the same capture without them is
         * nowhere lighter (rounding aside). */
        fp_synth_impression_params q = p;
        q.creases = 0;
        fp_synth_impression *c = NULL;
        assert_int_equal(fp_synth_impression_render(shared_master, &q, &c), FP_OK);
        const uint8_t *pc = fp_synth_impression_pixels(c, NULL, NULL);
        size_t lighter = 0;
        for (size_t k = 0; k < (size_t)w * h; k++) {
            assert_true(pa[k] + 1 >= pc[k]);
            lighter += pa[k] > pc[k] + 20;
        }
        assert_true(lighter > 50); /* and they do show */
        fp_synth_impression_destroy(a);
        fp_synth_impression_destroy(b);
        fp_synth_impression_destroy(c);
    }
}

/* A hard master is the standard finger with more unforced minutia pairs. */
static void test_hard_master(void **state)
{
    (void)state;
    fp_synth_master *h = NULL;
    assert_int_equal(fp_synth_master_create_difficulty(SEED, 3, FP_SYNTH_HARD_DRYWET, &h), FP_OK);
    assert_int_equal(fp_synth_master_class(h), fp_synth_master_class(shared_master));
    size_t ns, nh;
    fp_synth_master_minutiae(shared_master, &ns);
    const fp_minutia *mh = fp_synth_master_minutiae(h, &nh);
    assert_true(nh > ns + 20);
    for (size_t i = 0; i < nh; i++) assert_true(fp_synth_master_inside(h, mh[i].x, mh[i].y));
    fp_synth_master *h2 = NULL;
    assert_int_equal(fp_synth_master_create_difficulty(SEED, 3, FP_SYNTH_HARD_DISTORTION, &h2), FP_OK);
    size_t n2;
    const fp_minutia *m2 = fp_synth_master_minutiae(h2, &n2);
    assert_int_equal(n2, nh); /* both hard presets share the master */
    assert_memory_equal(m2, mh, nh * sizeof(*mh));
    fp_synth_master_destroy(h);
    fp_synth_master_destroy(h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_ground_truth_sane),
        cmocka_unit_test(test_class_proportions),
        cmocka_unit_test(test_poincare),
        cmocka_unit_test(test_fast_statistics),
        cmocka_unit_test(test_impression_transform),
        cmocka_unit_test(test_unforced_senses),
        cmocka_unit_test(test_standard_unchanged),
        cmocka_unit_test(test_hard_arguments),
        cmocka_unit_test(test_hard_param_ranges),
        cmocka_unit_test(test_hard_render),
        cmocka_unit_test(test_hard_master),
    };
    return cmocka_run_group_tests(tests, setup_master, teardown_master);
}
