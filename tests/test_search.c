/* Tests of the 1:N gallery, the single-threaded scan and the thread pool. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/synth.h"
#include "kernels/kernels.h"
#include "search/search.h"

#define SEED 20261124u

static fp_template *fast(uint32_t finger, uint32_t impression)
{
    fp_template *t = NULL;
    assert_int_equal(fp_synth_fast_template(SEED, finger, impression, &t), FP_OK);
    return t;
}

static fp_gallery_id gid(uint32_t user, uint8_t finger)
{
    fp_gallery_id id = {user, finger};
    return id;
}

static void test_gallery_basic(void **state)
{
    (void)state;
    fp_gallery *g = NULL;
    assert_int_equal(fp_gallery_create(0, &g), FP_OK);
    fp_template *a = fast(1, 0), *b = fast(2, 0);

    assert_int_equal(fp_gallery_add(g, gid(7, 0), a), FP_OK);
    assert_int_equal(fp_gallery_add(g, gid(7, 1), b), FP_OK);
    assert_int_equal(fp_gallery_add(g, gid(8, 0), b), FP_OK);
    assert_int_equal(fp_gallery_count(g), 3);
    /* Duplicate ids and bad fingers are refused and leave the gallery unchanged. */
    assert_int_equal(fp_gallery_add(g, gid(7, 0), b), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_gallery_add(g, gid(9, 10), b), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_gallery_add(NULL, gid(9, 0), b), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_gallery_add(g, gid(9, 0), NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_gallery_count(g), 3);

    /* The gallery holds a copy: its template outlives the caller's. */
    const fp_template *stored = fp_gallery_find(g, gid(7, 0));
    assert_non_null(stored);
    assert_ptr_not_equal(stored, a);
    assert_int_equal(fp_template_minutiae_count(stored), fp_template_minutiae_count(a));
    assert_memory_equal(fp_template_minutiae(stored), fp_template_minutiae(a),
                        fp_template_minutiae_count(a) * sizeof(fp_minutia));

    assert_int_equal(fp_gallery_replace(g, gid(7, 0), b), FP_OK);
    stored = fp_gallery_find(g, gid(7, 0));
    assert_int_equal(fp_template_minutiae_count(stored), fp_template_minutiae_count(b));
    assert_int_equal(fp_gallery_replace(g, gid(7, 2), b), FP_ERR_NOT_FOUND);

    assert_int_equal(fp_gallery_remove(g, gid(7, 1)), FP_OK);
    assert_int_equal(fp_gallery_remove(g, gid(7, 1)), FP_ERR_NOT_FOUND);
    assert_null(fp_gallery_find(g, gid(7, 1)));
    assert_non_null(fp_gallery_find(g, gid(8, 0)));
    assert_int_equal(fp_gallery_count(g), 2);

    size_t removed = 99;
    assert_int_equal(fp_gallery_remove_user(g, 7, &removed), FP_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(fp_gallery_remove_user(g, 12345, &removed), FP_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(fp_gallery_count(g), 1);
    assert_true(fp_gallery_bytes(g) > fp_template_minutiae_count(b) * sizeof(fp_minutia));

    fp_template_destroy(a);
    fp_template_destroy(b);
    fp_gallery_destroy(g);
    fp_gallery_destroy(NULL);
    assert_int_equal(fp_gallery_count(NULL), 0);
}

/* Random adds and removes against a plain presence table: exercises growth,
 * probe runs and backward-shift deletion of the id index. */
static void test_gallery_index_stress(void **state)
{
    (void)state;
    enum { USERS = 600, OPS = 20000 };
    static unsigned char present[USERS][10];
    memset(present, 0, sizeof present);
    fp_gallery *g = NULL;
    assert_int_equal(fp_gallery_create(1, &g), FP_OK);
    fp_template *t = fast(3, 0);
    uint64_t r = 88172645463325252ULL;
    size_t count = 0;
    for (int op = 0; op < OPS; op++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        uint32_t user = (uint32_t)(r % USERS) * 2654435761u; /* spread ids, keep them reproducible */
        size_t u = r % USERS;
        uint8_t f = (uint8_t)((r >> 20) % 10);
        if ((r >> 40) % 3 != 0) {
            fp_status st = fp_gallery_add(g, gid(user, f), t);
            assert_int_equal(st, present[u][f] ? FP_ERR_INVALID_ARGUMENT : FP_OK);
            if (!present[u][f]) count++;
            present[u][f] = 1;
        } else {
            fp_status st = fp_gallery_remove(g, gid(user, f));
            assert_int_equal(st, present[u][f] ? FP_OK : FP_ERR_NOT_FOUND);
            if (present[u][f]) count--;
            present[u][f] = 0;
        }
        if (op % 1000 == 999) {
            for (size_t uu = 0; uu < USERS; uu++)
                for (uint8_t ff = 0; ff < 10; ff++)
                    assert_int_equal(fp_gallery_find(g, gid((uint32_t)uu * 2654435761u, ff)) != NULL,
                                     present[uu][ff]);
        }
        assert_int_equal(fp_gallery_count(g), count);
    }
    fp_template_destroy(t);
    fp_gallery_destroy(g);
}

typedef struct fixture {
    fp_context *ctx;
    fp_gallery *g;
    fp_template **probes;
    size_t n_probes;
} fixture;

enum { FINGERS = 40 };

/* Users 100..119 enrol fingers 0 and 1: finger f of user u is synthetic
 * finger 2 (u - 100) + f, impression 0. Probes are impression 1 of each. */
static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx) return -1;
    if (fp_context_create(NULL, &fx->ctx) != FP_OK) return -1;
    if (fp_gallery_create(8, &fx->g) != FP_OK) return -1;
    fx->probes = calloc(FINGERS, sizeof(*fx->probes));
    for (uint32_t i = 0; i < FINGERS; i++) {
        fp_template *t = NULL;
        if (fp_synth_fast_template(SEED, i, 0, &t) != FP_OK) return -1;
        if (fp_gallery_add(fx->g, gid(100 + i / 2, (uint8_t)(i % 2)), t) != FP_OK) return -1;
        fp_template_destroy(t);
        if (fp_synth_fast_template(SEED, i, 1, &fx->probes[i]) != FP_OK) return -1;
    }
    fx->n_probes = FINGERS;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < fx->n_probes; i++) fp_template_destroy(fx->probes[i]);
    free(fx->probes);
    fp_gallery_destroy(fx->g);
    fp_context_destroy(fx->ctx);
    free(fx);
    return 0;
}

/* Field by field: the structs have padding bytes the scan need not clear. */
static void assert_same(const fp_identify_candidate *a, const fp_identify_candidate *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].id.user, b[i].id.user);
        assert_int_equal(a[i].id.finger, b[i].id.finger);
        assert_true(a[i].score == b[i].score);
    }
}

static int cmp_expected(const void *pa, const void *pb)
{
    const fp_identify_candidate *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->id.user != b->id.user) return a->id.user < b->id.user ? -1 : 1;
    return (a->id.finger > b->id.finger) - (a->id.finger < b->id.finger);
}

/* The scan against an independent exhaustive ranking with qsort. */
static void test_identify_matches_exhaustive(void **state)
{
    fixture *fx = *state;
    fp_identify_candidate all[FINGERS], got[FINGERS + 5];
    size_t rank1 = 0;
    for (size_t p = 0; p < fx->n_probes; p++) {
        for (uint32_t i = 0; i < FINGERS; i++) {
            all[i].id = gid(100 + i / 2, (uint8_t)(i % 2));
            assert_int_equal(fp_compare(fx->ctx, fx->probes[p], fp_gallery_find(fx->g, all[i].id), &all[i].score),
                             FP_OK);
        }
        qsort(all, FINGERS, sizeof(all[0]), cmp_expected);
        static const size_t ks[] = {1, 3, FINGERS, FINGERS + 5};
        for (size_t ki = 0; ki < 4; ki++) {
            size_t k = ks[ki], n = 0;
            fp_identify_decision d;
            assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[p], 35.0f, k, got, &n, &d), FP_OK);
            assert_int_equal(n, k < FINGERS ? k : FINGERS);
            for (size_t j = 0; j < n; j++) {
                assert_int_equal(got[j].id.user, all[j].id.user);
                assert_int_equal(got[j].id.finger, all[j].id.finger);
                assert_true(got[j].score == all[j].score);
            }
            assert_int_equal(d.compared, FINGERS);
            assert_true(d.applied_threshold == fp_identify_threshold(35.0f, FINGERS));
            assert_int_equal(d.accepted, got[0].score >= d.applied_threshold);
        }
        if (all[0].id.user == 100 + p / 2 && all[0].id.finger == p % 2) rank1++;
    }
    /* Another impression of an enrolled synthetic finger should rank first
     * almost always; this catches a scan that mixes up ids and templates. */
    assert_true(rank1 >= FINGERS * 9 / 10);
}

static void test_identify_order_independent(void **state)
{
    fixture *fx = *state;
    /* Same contents enrolled in reverse order, with an extra finger added then removed. */
    fp_gallery *g2 = NULL;
    assert_int_equal(fp_gallery_create(0, &g2), FP_OK);
    fp_template *extra = fast(999, 0);
    assert_int_equal(fp_gallery_add(g2, gid(1, 0), extra), FP_OK);
    for (uint32_t i = FINGERS; i-- > 0;) {
        fp_gallery_id id = gid(100 + i / 2, (uint8_t)(i % 2));
        assert_int_equal(fp_gallery_add(g2, id, fp_gallery_find(fx->g, id)), FP_OK);
    }
    assert_int_equal(fp_gallery_remove(g2, gid(1, 0)), FP_OK);
    for (size_t p = 0; p < fx->n_probes; p += 7) {
        fp_identify_candidate a[10], b[10];
        size_t na, nb;
        fp_identify_decision da, db;
        assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[p], 20.0f, 10, a, &na, &da), FP_OK);
        assert_int_equal(fp_identify(fx->ctx, g2, fx->probes[p], 20.0f, 10, b, &nb, &db), FP_OK);
        assert_int_equal(na, nb);
        assert_same(a, b, na);
        assert_memory_equal(&da, &db, sizeof(da));
    }
    fp_template_destroy(extra);
    fp_gallery_destroy(g2);
}

static void test_decision_rule(void **state)
{
    fixture *fx = *state;
    assert_true(fp_identify_threshold(35.0f, 1000) > 64.999f && fp_identify_threshold(35.0f, 1000) < 65.001f);
    assert_true(fp_identify_threshold(35.0f, 100000) > 84.999f && fp_identify_threshold(35.0f, 100000) < 85.001f);
    assert_true(fp_identify_threshold(35.0f, 1) == 35.0f);
    /* A threshold just under and just over the best score flips the decision. */
    fp_identify_candidate c[1];
    size_t n;
    fp_identify_decision d;
    assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[4], 0.0f, 1, c, &n, &d), FP_OK);
    float margin = fp_identify_threshold(0.0f, FINGERS);
    float t_accept = c[0].score - margin - 0.01f, t_reject = c[0].score - margin + 0.01f;
    assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[4], t_accept, 1, c, &n, &d), FP_OK);
    assert_true(d.accepted);
    assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[4], t_reject, 1, c, &n, &d), FP_OK);
    assert_false(d.accepted);

    /* Empty gallery: nothing ranked, nothing accepted. */
    fp_gallery *empty = NULL;
    assert_int_equal(fp_gallery_create(0, &empty), FP_OK);
    assert_int_equal(fp_identify(fx->ctx, empty, fx->probes[0], -100.0f, 1, c, &n, &d), FP_OK);
    assert_int_equal(n, 0);
    assert_false(d.accepted);
    /* Bad arguments. */
    assert_int_equal(fp_identify(fx->ctx, empty, fx->probes[0], 35.0f, 0, c, &n, &d), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_identify(NULL, empty, fx->probes[0], 35.0f, 1, c, &n, &d), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_identify(fx->ctx, empty, NULL, 35.0f, 1, c, &n, &d), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_identify(fx->ctx, empty, fx->probes[0], 35.0f, 1, NULL, &n, &d), FP_ERR_INVALID_ARGUMENT);
    fp_gallery_destroy(empty);
}

/* The pool with 1..3 threads gives byte-identical results to the
 * single-threaded scan, including galleries smaller than the thread count. */
static void test_parallel_identical(void **state)
{
    fixture *fx = *state;
    for (uint32_t threads = 1; threads <= 3; threads++) {
        fp_identify_pool_config cfg;
        fp_identify_pool_config_init(&cfg);
        cfg.threads = threads;
        cfg.max_k = 50;
        fp_identify_pool *pool = NULL;
        assert_int_equal(fp_identify_pool_create(&cfg, &pool), FP_OK);
        assert_int_equal(fp_identify_pool_threads(pool), threads);
        assert_true(fp_identify_pool_pinned(pool) <= threads);
        static const size_t ks[] = {1, 4, 50};
        for (size_t ki = 0; ki < 3; ki++) {
            for (size_t p = 0; p < fx->n_probes; p += 3) {
                fp_identify_candidate a[50], b[50];
                size_t na, nb;
                fp_identify_decision da, db;
                assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[p], 30.0f, ks[ki], a, &na, &da), FP_OK);
                assert_int_equal(fp_identify_parallel(pool, fx->g, fx->probes[p], 30.0f, ks[ki], b, &nb, &db), FP_OK);
                assert_int_equal(na, nb);
                assert_same(a, b, na);
                assert_memory_equal(&da, &db, sizeof(da));
            }
        }
        /* A gallery of 1 and 2 templates: some workers get empty slices. */
        fp_gallery *small = NULL;
        assert_int_equal(fp_gallery_create(0, &small), FP_OK);
        for (uint32_t i = 0; i < 2; i++) {
            fp_gallery_id id = gid(100 + i / 2, (uint8_t)(i % 2));
            assert_int_equal(fp_gallery_add(small, id, fp_gallery_find(fx->g, id)), FP_OK);
            fp_identify_candidate a[5], b[5];
            size_t na, nb;
            fp_identify_decision da, db;
            assert_int_equal(fp_identify(fx->ctx, small, fx->probes[1], 30.0f, 5, a, &na, &da), FP_OK);
            assert_int_equal(fp_identify_parallel(pool, small, fx->probes[1], 30.0f, 5, b, &nb, &db), FP_OK);
            assert_int_equal(na, i + 1);
            assert_int_equal(na, nb);
            assert_same(a, b, na);
            assert_memory_equal(&da, &db, sizeof(da));
        }
        fp_identify_candidate c[51];
        size_t n;
        fp_identify_decision d;
        assert_int_equal(fp_identify_parallel(pool, small, fx->probes[1], 30.0f, 51, c, &n, &d),
                         FP_ERR_INVALID_ARGUMENT);
        assert_int_equal(fp_identify_parallel(pool, small, fx->probes[1], 30.0f, 0, c, &n, &d),
                         FP_ERR_INVALID_ARGUMENT);
        fp_gallery_destroy(small);
        fp_identify_pool_destroy(pool);
    }
    fp_identify_pool_destroy(NULL);
}

/* A shortlist as long as the gallery is the exhaustive scan; a short one
 * still finds the mates of these clean synthetic probes; the pool gives
 * the same answer as one thread for every shortlist. */
static void test_two_stage(void **state)
{
    fixture *fx = *state;
    fp_identify_scratch *scratch = NULL;
    assert_int_equal(fp_identify_scratch_create(&scratch), FP_OK);
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = 2;
    fp_identify_pool *pool = NULL;
    assert_int_equal(fp_identify_pool_create(&cfg, &pool), FP_OK);
    size_t n_gallery = fp_gallery_count(fx->g);
    size_t found = 0;
    for (size_t p = 0; p < fx->n_probes; p++) {
        fp_identify_candidate a[10], b[10], c[10];
        size_t na, nb, nc;
        fp_identify_decision da, db, dc;
        assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[p], 30.0f, 10, a, &na, &da), FP_OK);
        assert_int_equal(fp_identify_two_stage(fx->ctx, fx->g, fx->probes[p], 30.0f, n_gallery + 5, scratch, 10, b,
                                               &nb, &db),
                         FP_OK);
        assert_int_equal(na, nb);
        assert_same(a, b, na);
        assert_memory_equal(&da, &db, sizeof(da));
        /* A shortlist of 5: the decision still uses the whole gallery's N. */
        assert_int_equal(fp_identify_two_stage(fx->ctx, fx->g, fx->probes[p], 30.0f, 5, scratch, 10, b, &nb, &db),
                         FP_OK);
        assert_int_equal(nb, 5);
        assert_int_equal(db.compared, n_gallery);
        if (b[0].id.user == 100 + p / 2 && b[0].id.finger == p % 2) found++;
        assert_int_equal(fp_identify_parallel_two_stage(pool, fx->g, fx->probes[p], 30.0f, 5, 10, c, &nc, &dc), FP_OK);
        assert_int_equal(nb, nc);
        assert_same(b, c, nb);
        assert_memory_equal(&db, &dc, sizeof(db));
    }
    /* Stage 1 must keep the mate in a shortlist of 5 for nearly every clean probe. */
    assert_true(found * 10 >= fx->n_probes * 9);
    fp_identify_candidate c[4];
    size_t n;
    fp_identify_decision d;
    assert_int_equal(fp_identify_two_stage(fx->ctx, fx->g, fx->probes[0], 30.0f, 0, NULL, 4, c, &n, &d),
                     FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_identify_shortlist_default(50), 50);
    assert_int_equal(fp_identify_shortlist_default(1000), 500);
    assert_int_equal(fp_identify_shortlist_default(100000), 500);
    assert_int_equal(fp_identify_shortlist_default(120000), 600);
    assert_int_equal(fp_identify_shortlist_default(1000000), 5000);
    fp_identify_pool_destroy(pool);
    fp_identify_scratch_destroy(scratch);
}

/* Workers grouped by NUMA node (a described two-node machine): every
 * group scans its own part first and helps the others, and the answers
 * stay those of the single-threaded calls. */
static void test_pool_numa_groups(void **state)
{
    fixture *fx = *state;
    fp_identify_scratch *scratch = NULL;
    assert_int_equal(fp_identify_scratch_create(&scratch), FP_OK);
    static const struct {
        const char *topo;
        uint32_t threads, nodes;
    } cases[] = {{"pack:2 numa:1 core:2 pu:1", 3, 2}, {"pack:2 numa:1 core:2 pu:1", 4, 2},
                 {"pack:2 numa:1 core:2 pu:1", 2, 1}, {"numa:3 core:1 pu:2", 5, 3}};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        fp_identify_pool_config cfg;
        fp_identify_pool_config_init(&cfg);
        cfg.threads = cases[ci].threads;
        cfg.topology = cases[ci].topo;
        fp_identify_pool *pool = NULL;
        fp_status st = fp_identify_pool_create(&cfg, &pool);
        if (st == FP_ERR_UNSUPPORTED) {
            print_message("skipped: this build has no hwloc\n");
            fp_identify_scratch_destroy(scratch);
            skip();
        }
        assert_int_equal(st, FP_OK);
        assert_int_equal(fp_identify_pool_nodes(pool), cases[ci].nodes);
        /* Nothing is bound on a described machine. */
        assert_int_equal(fp_identify_pool_pinned(pool), 0);
        assert_int_equal(fp_identify_pool_membound(pool), 0);
        for (size_t p = 0; p < fx->n_probes; p += 2) {
            fp_identify_candidate a[10], b[10];
            size_t na, nb;
            fp_identify_decision da, db;
            assert_int_equal(fp_identify(fx->ctx, fx->g, fx->probes[p], 30.0f, 10, a, &na, &da), FP_OK);
            assert_int_equal(fp_identify_parallel(pool, fx->g, fx->probes[p], 30.0f, 10, b, &nb, &db), FP_OK);
            assert_int_equal(na, nb);
            assert_same(a, b, na);
            assert_memory_equal(&da, &db, sizeof(da));
            assert_int_equal(fp_identify_two_stage(fx->ctx, fx->g, fx->probes[p], 30.0f, 7, scratch, 10, a, &na, &da),
                             FP_OK);
            assert_int_equal(fp_identify_parallel_two_stage(pool, fx->g, fx->probes[p], 30.0f, 7, 10, b, &nb, &db),
                             FP_OK);
            assert_int_equal(na, nb);
            assert_same(a, b, na);
            assert_memory_equal(&da, &db, sizeof(da));
        }
        fp_identify_pool_destroy(pool);
    }
    /* A description hwloc cannot read. */
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.topology = "no such machine";
    fp_identify_pool *pool = NULL;
    assert_int_equal(fp_identify_pool_create(&cfg, &pool), FP_ERR_INVALID_ARGUMENT);
    assert_null(pool);
    fp_identify_scratch_destroy(scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gallery_basic),
        cmocka_unit_test(test_gallery_index_stress),
        cmocka_unit_test_setup_teardown(test_identify_matches_exhaustive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify_order_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parallel_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_stage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_numa_groups, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
