/*
 * test_skin.c - the dry and wet skin rendering of the benchmark
 * (bench/src/skin.h) on a drawn ridge pattern: what each condition does to
 * ridges, valleys and the blank background, determinism, bad arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "skin.h"

#define W 160
#define H 120

/* Vertical ridges of period 9 px (4 px dark at 40, 5 px light at 220) in
 * the left 120 columns, blank 220 paper to the right. */
static void pattern(uint8_t *p)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) p[y * W + x] = (uint8_t)(x < 120 && x % 9 < 4 ? 40 : 220);
}

/* Mean over the ridge pixels (ridge = 1), the valley pixels (0) or the blank area (2), away from the edges. */
static double mean_of(const uint8_t *p, int what)
{
    double s = 0;
    int n = 0;
    for (int y = 4; y < H - 4; y++)
        for (int x = 4; x < W - 4; x++) {
            const int kind = x >= 124 ? 2 : x < 116 ? (x % 9 < 4) : -1;
            if (kind != what) continue;
            s += p[y * W + x];
            n++;
        }
    return s / n;
}

static void test_normal_is_identity(void **state)
{
    (void)state;
    uint8_t in[W * H], out[W * H];
    pattern(in);
    fp_eval_skin s = {FP_EVAL_SKIN_NORMAL, 0.8, 5};
    assert_int_equal(fp_eval_skin_apply(&s, in, W, H, out), FP_OK);
    assert_memory_equal(in, out, sizeof in);
    /* Strength 0 draws only normal impressions. */
    for (uint64_t i = 0; i < 20; i++) {
        assert_int_equal(fp_eval_skin_draw(0, 3, i, &s), FP_OK);
        assert_int_equal(s.kind, FP_EVAL_SKIN_NORMAL);
        assert_true(s.severity == 0);
    }
}

static void test_dry_thins_and_breaks(void **state)
{
    (void)state;
    uint8_t in[W * H], out[W * H];
    pattern(in);
    fp_eval_skin s = {FP_EVAL_SKIN_DRY, 1.0, 7};
    assert_int_equal(fp_eval_skin_apply(&s, in, W, H, out), FP_OK);
    /* Ridges print lighter (thinner, broken, grey); valleys and the blank
     * paper stay as they were. */
    assert_true(mean_of(out, 1) > mean_of(in, 1) + 40);
    assert_true(fabs(mean_of(out, 0) - 220) < 1);
    assert_true(fabs(mean_of(out, 2) - 220) < 1);
    /* Breaks: some ridge pixels reach the paper level. */
    int lifted = 0;
    for (int y = 4; y < H - 4; y++)
        for (int x = 4; x < 116; x++)
            if (x % 9 == 1 || x % 9 == 2) lifted += out[y * W + x] >= 200;
    assert_true(lifted > 20);
}

static void test_wet_fills_valleys(void **state)
{
    (void)state;
    uint8_t in[W * H], out[W * H];
    pattern(in);
    fp_eval_skin s = {FP_EVAL_SKIN_WET, 1.0, 7};
    assert_int_equal(fp_eval_skin_apply(&s, in, W, H, out), FP_OK);
    /* Valleys fill with ink; ridges stay dark; the blank paper stays. */
    assert_true(mean_of(out, 0) < mean_of(in, 0) - 60);
    assert_true(mean_of(out, 1) <= mean_of(in, 1) + 5);
    assert_true(fabs(mean_of(out, 2) - 220) < 1);
}

static void test_deterministic_and_mixed(void **state)
{
    (void)state;
    uint8_t in[W * H], a[W * H], b[W * H];
    pattern(in);
    int kinds[3] = {0, 0, 0};
    for (uint64_t i = 0; i < 300; i++) {
        fp_eval_skin s, t;
        assert_int_equal(fp_eval_skin_draw(0.8, 11, i, &s), FP_OK);
        assert_int_equal(fp_eval_skin_draw(0.8, 11, i, &t), FP_OK);
        assert_memory_equal(&s, &t, sizeof s);
        kinds[s.kind]++;
        if (s.kind != FP_EVAL_SKIN_NORMAL) assert_true(s.severity >= 0.4 && s.severity <= 0.8);
        if (i < 4) {
            assert_int_equal(fp_eval_skin_apply(&s, in, W, H, a), FP_OK);
            assert_int_equal(fp_eval_skin_apply(&t, in, W, H, b), FP_OK);
            assert_memory_equal(a, b, sizeof a);
        }
    }
    /* Equal odds: each condition 100 +- 40 of 300. */
    for (int k = 0; k < 3; k++) assert_true(kinds[k] > 60 && kinds[k] < 140);
    /* Another seed, another draw. */
    fp_eval_skin s, t;
    int differ = 0;
    for (uint64_t i = 0; i < 10; i++) {
        fp_eval_skin_draw(0.8, 11, i, &s);
        fp_eval_skin_draw(0.8, 12, i, &t);
        differ += s.noise_seed != t.noise_seed;
    }
    assert_int_equal(differ, 10);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t in[W * H], out[W * H];
    pattern(in);
    fp_eval_skin s;
    assert_int_equal(fp_eval_skin_draw(-0.1, 1, 0, &s), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_skin_draw(1.5, 1, 0, &s), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_skin_draw(NAN, 1, 0, &s), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_skin_draw(0.5, 1, 0, NULL), FP_ERR_INVALID_ARGUMENT);
    s = (fp_eval_skin){FP_EVAL_SKIN_DRY, 2.0, 1};
    assert_int_equal(fp_eval_skin_apply(&s, in, W, H, out), FP_ERR_INVALID_ARGUMENT);
    s.severity = 0.5;
    assert_int_equal(fp_eval_skin_apply(&s, NULL, W, H, out), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_skin_apply(&s, in, 0, H, out), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_eval_skin_apply(NULL, in, W, H, out), FP_ERR_INVALID_ARGUMENT);
    assert_string_equal(fp_eval_skin_kind_name(FP_EVAL_SKIN_WET), "wet");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_is_identity),     cmocka_unit_test(test_dry_thins_and_breaks),
        cmocka_unit_test(test_wet_fills_valleys),      cmocka_unit_test(test_deterministic_and_mixed),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
