/*
 * test_alloc - what the engine allocates, counted by the counting allocator
 * (bench/embedded/alloc_count.h, linked with ld --wrap): comparison and
 * identification allocate nothing, extraction allocates only the template it
 * returns, and the counter does see the engine's allocations (so a zero
 * means something). Core only, so it also runs in the ARM cross build.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <math.h>
#include <stdlib.h>

#include "alloc_count.h"
#include "core/internal.h"
#include "core_engine_util.h"
#include "fp/fp.h"
#include "fp/search.h"

#define NRANDOM 24

/* A random minutiae set in a 400 x 400 image. */
static fp_template *random_template(fpt_rng *rng, int n)
{
    fp_minutia m[FP_MAX_MINUTIAE];
    for (int i = 0; i < n; i++) {
        m[i].x = (uint16_t)fpt_range(rng, 20, 379);
        m[i].y = (uint16_t)fpt_range(rng, 20, 379);
        m[i].angle = (uint8_t)fpt_range(rng, 0, 255);
        m[i].type = (uint8_t)fpt_range(rng, 1, 2);
        m[i].quality = (uint8_t)fpt_range(rng, 20, 100);
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(400, 400, 500, m, (size_t)n, 60, &t), FP_OK);
    return t;
}

/* A copy of t with each minutia moved by up to 3 px and 4/256 turn and some dropped, so
 * that comparisons with t go through the matcher's mated paths (alignment, second pass). */
static fp_template *jittered(fpt_rng *rng, const fp_template *t)
{
    const fp_minutia *src = fp_template_minutiae(t);
    size_t n = fp_template_minutiae_count(t), k = 0;
    fp_minutia m[FP_MAX_MINUTIAE];
    for (size_t i = 0; i < n; i++) {
        if (fpt_range(rng, 0, 9) == 0) continue;
        m[k] = src[i];
        m[k].x = (uint16_t)(src[i].x + fpt_range(rng, -3, 3));
        m[k].y = (uint16_t)(src[i].y + fpt_range(rng, -3, 3));
        m[k].angle = (uint8_t)(src[i].angle + fpt_range(rng, -4, 4));
        k++;
    }
    fp_template *r = NULL;
    assert_int_equal(fp_template_create(400, 400, 500, m, k, 60, &r), FP_OK);
    return r;
}

/* A ridge pattern with dislocations (endings and forks), w x h at 500 dpi. */
static uint8_t *ridge_image(uint32_t w, uint32_t h)
{
    uint8_t *img = malloc((size_t)w * h);
    assert_non_null(img);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double dx = x - 0.4 * w, dy = y + 0.8 * h;
            double ph = 2 * M_PI * sqrt(dx * dx + dy * dy) / 9.0;
            ph += atan2(y - 0.3 * h, x - 0.5 * w) - atan2(y - 0.6 * h, x - 0.35 * w) + atan2(y - 0.7 * h, x - 0.7 * w);
            img[(size_t)y * w + x] = (uint8_t)(128 + 100 * cos(ph));
        }
    return img;
}

static void test_counter_sees_engine(void **state)
{
    (void)state;
    fp_alloc_stats a = fp_alloc_get();
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fp_alloc_stats b = fp_alloc_get();
    assert_true(fp_alloc_active());
    assert_true(b.allocations > a.allocations);
    assert_true(b.live > a.live);
    fp_context_destroy(ctx);
    fp_alloc_stats c = fp_alloc_get();
    assert_int_equal(c.live, a.live);
    assert_int_equal(c.frees - a.frees, b.allocations - a.allocations);
}

static void test_compare_allocates_nothing(void **state)
{
    (void)state;
    fpt_rng rng = {19};
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fp_template *t[2 * NRANDOM];
    for (int i = 0; i < NRANDOM; i++) {
        t[2 * i] = random_template(&rng, fpt_range(&rng, 1, 80));
        t[2 * i + 1] = jittered(&rng, t[2 * i]);
    }
    fp_alloc_reset_peak();
    fp_alloc_stats a = fp_alloc_get();
    float mated_best = 0;
    for (int i = 0; i < 2 * NRANDOM; i++)
        for (int j = 0; j < 2 * NRANDOM; j++) {
            float s;
            assert_int_equal(fp_compare(ctx, t[i], t[j], &s), FP_OK);
            if (i / 2 == j / 2 && i != j && s > mated_best) mated_best = s;
        }
    fp_alloc_stats b = fp_alloc_get();
    assert_int_equal(b.allocations, a.allocations);
    assert_int_equal(b.frees, a.frees);
    assert_int_equal(b.peak, a.live);
    /* The mated pairs did reach the matcher's full path. */
    assert_true(mated_best > 40.0f);
    for (int i = 0; i < 2 * NRANDOM; i++) fp_template_destroy(t[i]);
    fp_context_destroy(ctx);
}

/* Extraction allocates exactly the blocks of the returned template and no
 * temporary memory. */
static void check_extract(fp_context *ctx, const fp_image *im)
{
    fp_alloc_reset_peak();
    fp_alloc_stats a = fp_alloc_get();
    fp_template *t = NULL;
    fp_status st = fp_extract(ctx, im, &t, NULL);
    fp_alloc_stats b = fp_alloc_get();
    if (st != FP_OK) {
        assert_true(fp_status_is_retry(st));
        assert_int_equal(b.allocations, a.allocations);
        assert_int_equal(b.peak, a.live);
        return;
    }
    assert_int_equal(b.frees, a.frees);
    assert_int_equal(b.peak, b.live);
    /* The blocks of the template and nothing else. */
    const void *blocks[] = {t, t->minutiae, t->px, t->py, t->nb, t->hull_x, t->hull_y};
    size_t bytes = 0;
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) bytes += malloc_usable_size((void *)blocks[i]);
    assert_int_equal(b.allocations - a.allocations, sizeof blocks / sizeof blocks[0]);
    assert_int_equal(b.live - a.live, bytes);
    fp_template_destroy(t);
    assert_int_equal(fp_alloc_get().live, a.live);
}

static void test_extract_allocates_only_the_template(void **state)
{
    (void)state;
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    uint8_t *img = ridge_image(320, 360);
    fp_image im = {img, 320, 360, 320, 500};
    check_extract(ctx, &im);
    free(img);
    int real = 0;
    for (int imp = 1; imp <= (fpt_quick() ? 2 : 8); imp++) {
        fpt_image fi;
        if (!fpt_load_fvc(FPT_DATASETS "/FVC2002/DB1_B", 101, imp, &fi)) continue;
        fp_image r = {fi.pixels, fi.width, fi.height, fi.width, 500};
        check_extract(ctx, &r);
        fpt_image_free(&fi);
        real++;
    }
    if (!real) print_message("FVC2002/DB1_B not found: only the generated image checked\n");
    fp_context_destroy(ctx);
}

static void test_identify_allocates_nothing(void **state)
{
    (void)state;
    fpt_rng rng = {23};
    fp_context *ctx = NULL;
    fp_gallery *g = NULL;
    fp_identify_scratch *scratch = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    assert_int_equal(fp_gallery_create(0, &g), FP_OK);
    assert_int_equal(fp_identify_scratch_create(&scratch), FP_OK);
    fp_template *probe = NULL;
    for (uint32_t i = 0; i < 600; i++) {
        fp_template *t = random_template(&rng, fpt_range(&rng, 10, 60));
        fp_gallery_id id = {i, 0};
        assert_int_equal(fp_gallery_add(g, id, t), FP_OK);
        if (i == 300) probe = jittered(&rng, t);
        fp_template_destroy(t);
    }
    fp_identify_candidate c[5];
    size_t n;
    fp_identify_decision d;
    /* The first two-stage query grows the scratch; later ones reuse it. */
    assert_int_equal(fp_identify_two_stage(ctx, g, probe, 35.0f, 50, scratch, 5, c, &n, &d), FP_OK);
    fp_alloc_reset_peak();
    fp_alloc_stats a = fp_alloc_get();
    assert_int_equal(fp_identify_two_stage(ctx, g, probe, 35.0f, 50, scratch, 5, c, &n, &d), FP_OK);
    assert_int_equal(c[0].id.user, 300);
    assert_int_equal(fp_identify(ctx, g, probe, 35.0f, 5, c, &n, &d), FP_OK);
    assert_int_equal(c[0].id.user, 300);
    fp_alloc_stats b = fp_alloc_get();
    assert_int_equal(b.allocations, a.allocations);
    assert_int_equal(b.peak, a.live);
    fp_template_destroy(probe);
    fp_identify_scratch_destroy(scratch);
    fp_gallery_destroy(g);
    fp_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_sees_engine),
        cmocka_unit_test(test_compare_allocates_nothing),
        cmocka_unit_test(test_extract_allocates_only_the_template),
        cmocka_unit_test(test_identify_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
