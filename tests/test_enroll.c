/*
 * Enrolment from several presses (fp_enroll_*): argument and state errors,
 * the refusals the terminal shows (low quality, few minutiae, a press of
 * another finger), the merge rules on constructed presses (minutiae all
 * presses share survive, averaged; a minutia only one press has does not),
 * and on real presses of FVC2002 DB1_B when present: the merged template
 * scores higher against later impressions than the first press alone.
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

#include "core_engine_util.h"
#include "fp/fp.h"

#define W 400
#define H 450

/* A finger: n minutiae at least 20 px apart, away from the border. */
static void make_finger(fpt_rng *rng, fp_minutia *m, size_t n)
{
    for (size_t i = 0; i < n;) {
        m[i].x = (uint16_t)fpt_range(rng, 60, W - 61);
        m[i].y = (uint16_t)fpt_range(rng, 60, H - 61);
        int ok = 1;
        for (size_t j = 0; j < i && ok; j++) ok = abs(m[i].x - m[j].x) + abs(m[i].y - m[j].y) >= 20;
        if (!ok) continue;
        m[i].angle = (uint8_t)fpt_range(rng, 0, 255);
        m[i].type = (uint8_t)fpt_range(rng, 1, 2);
        m[i].quality = 60;
        m[i].reserved = 0;
        i++;
    }
}

/*
 * One press: the finger rotated by deg about the image centre and shifted
 * by (tx, ty), each minutia moved by up to a pixel, minutia `skip` left out
 * (none when skip < 0), plus `extra` minutiae (press coordinates).
 */
static fp_template *press(fpt_rng *rng, const fp_minutia *m, size_t n, double deg, double tx, double ty, int skip,
                          const fp_minutia *extra, size_t n_extra, uint8_t quality)
{
    fp_minutia out[FP_MAX_MINUTIAE];
    size_t k = 0;
    const double a = deg * M_PI / 180.0, c = cos(a), s = sin(a), cx = W / 2.0, cy = H / 2.0;
    for (size_t i = 0; i < n; i++) {
        if ((int)i == skip) continue;
        const double x = m[i].x - cx, y = m[i].y - cy;
        out[k] = m[i];
        out[k].x = (uint16_t)lround(cx + x * c + y * s + tx + fpt_range(rng, -1, 1));
        out[k].y = (uint16_t)lround(cy - x * s + y * c + ty + fpt_range(rng, -1, 1));
        out[k].angle = (uint8_t)((long)m[i].angle + lround(deg * 256.0 / 360.0));
        k++;
    }
    for (size_t i = 0; i < n_extra; i++) out[k++] = extra[i];
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(W, H, 500, out, k, quality, &t), FP_OK);
    return t;
}

/* Whether the template has a minutia within 4 px of (x, y). */
static int has_minutia_near(const fp_template *t, int x, int y)
{
    const fp_minutia *m = fp_template_minutiae(t);
    for (size_t i = 0; i < fp_template_minutiae_count(t); i++)
        if (abs(m[i].x - x) <= 4 && abs(m[i].y - y) <= 4) return 1;
    return 0;
}

static void test_arguments_and_state(void **state)
{
    (void)state;
    fp_enroll *e = (fp_enroll *)&e;
    assert_int_equal(fp_enroll_create(0, &e), FP_ERR_INVALID_ARGUMENT);
    assert_null(e);
    assert_int_equal(fp_enroll_create(FP_ENROLL_MAX_PRESSES + 1, &e), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_enroll_create(3, NULL), FP_ERR_INVALID_ARGUMENT);
    fp_enroll_destroy(NULL);

    fp_context *ctx;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fpt_rng rng = {41};
    fp_minutia m[30];
    make_finger(&rng, m, 30);
    fp_template *p1 = press(&rng, m, 30, 0, 0, 0, -1, NULL, 0, 60);
    fp_template *p2 = press(&rng, m, 30, 8, 10, -6, 3, NULL, 0, 60);
    assert_int_equal(fp_enroll_create(2, &e), FP_OK);
    fp_template *out = (fp_template *)&out;
    assert_int_equal(fp_enroll_finish(e, ctx, &out), FP_ERR_ENROLL_STATE);
    assert_null(out);
    assert_int_equal(fp_enroll_add(NULL, ctx, p1, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_enroll_add(e, NULL, p1, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_enroll_add(e, ctx, NULL, NULL), FP_ERR_INVALID_ARGUMENT);
    uint32_t remaining = 99;
    assert_int_equal(fp_enroll_add(e, ctx, p1, &remaining), FP_OK);
    assert_int_equal(remaining, 1);
    assert_int_equal(fp_enroll_add(e, ctx, p2, &remaining), FP_OK);
    assert_int_equal(remaining, 0);
    assert_int_equal(fp_enroll_add(e, ctx, p2, &remaining), FP_ERR_ENROLL_STATE);
    assert_int_equal(fp_enroll_finish(e, ctx, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_enroll_finish(e, ctx, &out), FP_OK);
    assert_non_null(out);
    fp_template_destroy(out);
    fp_enroll_destroy(e);
    fp_template_destroy(p1);
    fp_template_destroy(p2);
    fp_context_destroy(ctx);
}

/* The refusals carry the reason the terminal shows; a refused press changes nothing. */
static void test_refusals(void **state)
{
    (void)state;
    fp_context *ctx;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fpt_rng rng = {42};
    fp_minutia m[30], other[30];
    make_finger(&rng, m, 30);
    make_finger(&rng, other, 30);
    fp_template *good = press(&rng, m, 30, 0, 0, 0, -1, NULL, 0, 60);
    fp_template *faint = press(&rng, m, 30, 5, 4, 4, -1, NULL, 0, 10);
    fp_template *few = press(&rng, m, 8, 5, 4, 4, -1, NULL, 0, 60);
    fp_template *stranger = press(&rng, other, 30, 0, 0, 0, -1, NULL, 0, 60);
    fp_template *again = press(&rng, m, 30, -6, -8, 5, 7, NULL, 0, 60);
    fp_enroll *e;
    assert_int_equal(fp_enroll_create(2, &e), FP_OK);
    uint32_t remaining = 0;
    assert_int_equal(fp_enroll_add(e, ctx, faint, &remaining), FP_RETRY_LOW_QUALITY);
    assert_int_equal(remaining, 2);
    assert_int_equal(fp_enroll_add(e, ctx, few, &remaining), FP_RETRY_FEW_MINUTIAE);
    assert_int_equal(fp_enroll_add(e, ctx, good, &remaining), FP_OK);
    assert_int_equal(remaining, 1);
    /* Another finger does not match the first press. */
    assert_int_equal(fp_enroll_add(e, ctx, stranger, &remaining), FP_RETRY_ENROLL_MISMATCH);
    assert_int_equal(remaining, 1);
    assert_true(fp_status_is_retry(FP_RETRY_ENROLL_MISMATCH));
    assert_int_equal(fp_enroll_add(e, ctx, again, &remaining), FP_OK);
    assert_int_equal(remaining, 0);
    fp_enroll_destroy(e);
    fp_template *list[] = {good, faint, few, stranger, again};
    for (size_t i = 0; i < 5; i++) fp_template_destroy(list[i]);
    fp_context_destroy(ctx);
}

/*
 * Three presses of one finger, each missing a different true minutia and
 * carrying one spurious minutia of its own in the middle of the print:
 * the merged template keeps every true minutia (averaged, in the base's
 * frame) and none of the spurious ones. A spurious minutia of the base is
 * covered by both other presses and confirmed by neither, so it goes; one
 * of another press falls inside the base's area and is not added.
 */
static void test_merge_rules(void **state)
{
    (void)state;
    fp_context *ctx;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        fpt_rng rng = {seed};
        fp_minutia m[35];
        make_finger(&rng, m, 35);
        const fp_minutia spurious[3] = {
            {195, 210, 10, FP_MINUTIA_ENDING, 60, 0},
            {215, 245, 90, FP_MINUTIA_BIFURCATION, 60, 0},
            {180, 235, 170, FP_MINUTIA_ENDING, 60, 0},
        };
        fp_template *p[3] = {
            press(&rng, m, 35, 0, 0, 0, 0, &spurious[0], 1, 60),
            press(&rng, m, 35, 0, 0, 0, 1, &spurious[1], 1, 60),
            press(&rng, m, 35, 0, 0, 0, 2, &spurious[2], 1, 60),
        };
        fp_enroll *e;
        assert_int_equal(fp_enroll_create(3, &e), FP_OK);
        for (int i = 0; i < 3; i++) assert_int_equal(fp_enroll_add(e, ctx, p[i], NULL), FP_OK);
        fp_template *merged = NULL;
        assert_int_equal(fp_enroll_finish(e, ctx, &merged), FP_OK);
        size_t kept = 0;
        for (size_t i = 0; i < 35; i++) kept += (size_t)has_minutia_near(merged, m[i].x, m[i].y);
        int spur = 0;
        for (int i = 0; i < 3; i++) spur += has_minutia_near(merged, spurious[i].x, spurious[i].y);
        print_message("seed %u: merged %zu minutiae, %zu of 35 true ones kept, %d of 3 spurious\n", (unsigned)seed,
                      fp_template_minutiae_count(merged), kept, spur);
        /* Each true minutia is in at least two presses; the base misses at most one of them. */
        assert_true(kept >= 34);
        assert_int_equal(spur, 0);
        fp_template_destroy(merged);
        fp_enroll_destroy(e);
        for (int i = 0; i < 3; i++) fp_template_destroy(p[i]);
    }
    fp_context_destroy(ctx);
}

/* FVC2002 DB1_B: presses 1-3 of each finger merged against impressions 4-8. */
static void test_real_presses(void **state)
{
    (void)state;
    const char *dir = FPT_DATASETS "/FVC2002/DB1_B";
    if (!fpt_is_dir(dir)) {
        print_message("skipped: %s not found\n", dir);
        skip();
    }
    fp_context *ctx;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fp_template *t[10][8] = {{0}};
    for (int f = 0; f < 10; f++)
        for (int i = 0; i < 8; i++) {
            fpt_image img;
            if (!fpt_load_fvc(dir, 101 + f, i + 1, &img)) continue;
            fp_image im = {img.pixels, img.width, img.height, img.width, 500};
            if (fp_extract(ctx, &im, &t[f][i], NULL) != FP_OK) t[f][i] = NULL;
            fpt_image_free(&img);
        }
    double single = 0, merged_sum = 0;
    int probes = 0, merged_fingers = 0;
    for (int f = 0; f < 10; f++) {
        if (!t[f][0]) continue;
        fp_enroll *e;
        assert_int_equal(fp_enroll_create(3, &e), FP_OK);
        uint32_t remaining = 3;
        /* Offer presses in order until three are in, as the terminal would. */
        for (int i = 0; i < 3 && remaining; i++)
            if (t[f][i]) fp_enroll_add(e, ctx, t[f][i], &remaining);
        fp_template *merged = NULL;
        if (remaining == 0) assert_int_equal(fp_enroll_finish(e, ctx, &merged), FP_OK);
        fp_enroll_destroy(e);
        if (!merged) continue;
        merged_fingers++;
        for (int i = 3; i < 8; i++) {
            if (!t[f][i]) continue;
            float a = 0, b = 0;
            assert_int_equal(fp_compare(ctx, t[f][0], t[f][i], &a), FP_OK);
            assert_int_equal(fp_compare(ctx, merged, t[f][i], &b), FP_OK);
            single += a;
            merged_sum += b;
            probes++;
        }
        fp_template_destroy(merged);
    }
    print_message("FVC2002 DB1_B: %d fingers enrolled, %d probes: mean score %.1f with press 1 alone, %.1f merged\n",
                  merged_fingers, probes, probes ? single / probes : 0, probes ? merged_sum / probes : 0);
    assert_true(merged_fingers >= 8);
    assert_true(merged_sum > single);
    for (int f = 0; f < 10; f++)
        for (int i = 0; i < 8; i++) fp_template_destroy(t[f][i]);
    fp_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arguments_and_state),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_merge_rules),
        cmocka_unit_test(test_real_presses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
