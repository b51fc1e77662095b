/*
 * test_search_mpi - the search sharded over MPI ranks gives what one
 * process gives over the whole gallery (same candidates, scores, order and
 * decision) for the two-stage search with several shortlists, including
 * tiny ones where the global selection decides, and the exhaustive scan;
 * puts and removes reach the owning shard; a shard holding another rank's
 * finger is refused; shards kept in gallery files take durable changes.
 * Run by ctest as one process and with `mpirun --oversubscribe -np 4`.
 * Every rank runs the same test list: the root asks, the others serve.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fp/search_mpi.h"
#include "fp/synth.h"

#define ROOT 0
#define FINGERS 600
#define SEED 7
#define NONMATED 90000000u

static int rank, size;
/* The search the root has not stopped yet: a failed check on the root ends
 * its test early, and the teardown then releases the serving ranks, so the
 * next test starts in step instead of every rank waiting for ever. */
static fp_mpi_search *serving;

static int release_servers(void **state)
{
    (void)state;
    if (rank == ROOT && serving) fp_mpi_stop(serving);
    serving = NULL;
    return 0;
}

/* Root: ends the search on the other ranks. */
static void stop(fp_mpi_search *s)
{
    assert_int_equal(fp_mpi_stop(s), FP_OK);
    serving = NULL;
}

/* This rank's shard of fingers [from, to) and, on the root, the whole gallery. */
static void build(fp_gallery *shard, fp_gallery *whole, uint32_t from, uint32_t to)
{
    for (uint32_t f = from; f < to; f++) {
        fp_template *t = NULL;
        assert_int_equal(fp_synth_fast_template(SEED, f, 0, &t), FP_OK);
        fp_gallery_id id = {f / 2, (uint8_t)(f % 2)};
        if (fp_gallery_shard_of(id, (uint32_t)size) == (uint32_t)rank) assert_int_equal(fp_gallery_add(shard, id, t), FP_OK);
        if (whole) assert_int_equal(fp_gallery_add(whole, id, t), FP_OK);
        fp_template_destroy(t);
    }
}

static fp_mpi_search *start(fp_gallery *shard, fp_gallery_file *file)
{
    fp_identify_pool_config cfg;
    fp_identify_pool_config_init(&cfg);
    cfg.threads = 1; /* several ranks share this machine's cores */
    cfg.pin = 0;
    fp_mpi_search *s = NULL;
    assert_int_equal(fp_mpi_search_create(MPI_COMM_WORLD, ROOT, shard, file, &cfg, &s), FP_OK);
    serving = s;
    return s;
}

static void same_result(const fp_identify_candidate *a, size_t na, const fp_identify_decision *da,
                        const fp_identify_candidate *b, size_t nb, const fp_identify_decision *db)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].id.user, b[i].id.user);
        assert_int_equal(a[i].id.finger, b[i].id.finger);
        assert_true(a[i].score == b[i].score);
    }
    assert_int_equal(da->accepted, db->accepted);
    assert_int_equal(da->compared, db->compared);
    assert_true(da->applied_threshold == db->applied_threshold);
}

/* Root: every probe and shortlist against the single-process search on whole
 * (mated: whether the first candidate is the probe's finger, when unchanged). */
static void compare_all(fp_mpi_search *s, const fp_gallery *whole, uint32_t fingers, int mated)
{
    fp_context *ctx = NULL;
    fp_identify_scratch *scratch = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    assert_int_equal(fp_identify_scratch_create(&scratch), FP_OK);
    const size_t shortlists[] = {0, 1, 2, 37, 150, FINGERS * 4};
    const size_t ks[] = {1, 10};
    size_t rounds = 0;
    for (uint32_t q = 0; q < 8; q++) {
        /* Mated probes spread over the gallery, then never-enrolled fingers. */
        uint32_t f = q < 6 ? q * fingers / 6 + 3 : NONMATED + q;
        fp_template *probe = NULL;
        assert_int_equal(fp_synth_fast_template(SEED, f, 1, &probe), FP_OK);
        for (size_t si = 0; si < sizeof shortlists / sizeof shortlists[0]; si++)
            for (size_t ki = 0; ki < 2; ki++) {
                fp_identify_candidate a[10], b[10];
                size_t na, nb;
                fp_identify_decision da, db;
                fp_mpi_query_stats st;
                size_t sl = shortlists[si], k = ks[ki];
                assert_int_equal(fp_mpi_identify(s, probe, 35.0f, sl, k, a, &na, &da, &st), FP_OK);
                if (sl >= fp_gallery_count(whole))
                    assert_int_equal(fp_identify(ctx, whole, probe, 35.0f, k, b, &nb, &db), FP_OK);
                else
                    assert_int_equal(fp_identify_two_stage(ctx, whole, probe, 35.0f, sl, scratch, k, b, &nb, &db),
                                     FP_OK);
                same_result(a, na, &da, b, nb, &db);
                if (mated && q < 6 && k == 10 && sl != 1 && sl != 2) assert_int_equal(a[0].id.user, f / 2);
                assert_true(st.seconds >= st.compute_seconds);
                rounds += st.rounds;
            }
        fp_template_destroy(probe);
    }
    /* The selection did run in rounds (exhaustive queries have none). */
    assert_true(rounds > 0);
    fp_identify_scratch_destroy(scratch);
    fp_context_destroy(ctx);
}

static void test_identify_like_one_process(void **state)
{
    (void)state;
    fp_gallery *shard = NULL, *whole = NULL;
    assert_int_equal(fp_gallery_create(0, &shard), FP_OK);
    if (rank == ROOT) assert_int_equal(fp_gallery_create(0, &whole), FP_OK);
    build(shard, whole, 0, FINGERS);
    fp_mpi_search *s = start(shard, NULL);
    assert_int_equal(fp_mpi_count(s), FINGERS);
    if (rank == ROOT) {
        compare_all(s, whole, FINGERS, 1);
        /* Argument errors are the root's alone: nothing is sent. */
        fp_identify_candidate c[1];
        size_t n;
        fp_identify_decision d;
        assert_int_equal(fp_mpi_identify(s, NULL, 35.0f, 0, 1, c, &n, &d, NULL), FP_ERR_INVALID_ARGUMENT);
        assert_int_equal(fp_mpi_identify(s, fp_gallery_find(whole, (fp_gallery_id){1, 0}), 35.0f, 0, 1000, c, &n, &d,
                                         NULL),
                         FP_ERR_INVALID_ARGUMENT);
        stop(s);
    } else {
        assert_int_equal(fp_mpi_serve(s), FP_OK);
    }
    fp_mpi_search_destroy(s);
    fp_gallery_destroy(shard);
    fp_gallery_destroy(whole);
}

/* Root: the same puts and removes through the ranks and on whole. */
static void change_both(fp_mpi_search *s, fp_gallery *whole)
{
    for (uint32_t f = FINGERS; f < FINGERS + 40; f++) {
        fp_template *t = NULL;
        assert_int_equal(fp_synth_fast_template(SEED, f, 0, &t), FP_OK);
        fp_gallery_id id = {f / 2, (uint8_t)(f % 2)};
        assert_int_equal(fp_mpi_put(s, id, t), FP_OK);
        assert_int_equal(fp_gallery_add(whole, id, t), FP_OK);
        fp_template_destroy(t);
    }
    /* Replacements: finger f gets the template of finger f + 7. */
    for (uint32_t f = 100; f < 110; f++) {
        fp_template *t = NULL;
        assert_int_equal(fp_synth_fast_template(SEED, f + 7, 2, &t), FP_OK);
        fp_gallery_id id = {f / 2, (uint8_t)(f % 2)};
        assert_int_equal(fp_mpi_put(s, id, t), FP_OK);
        assert_int_equal(fp_gallery_replace(whole, id, t), FP_OK);
        fp_template_destroy(t);
    }
    for (uint32_t f = 200; f < 260; f += 3) {
        fp_gallery_id id = {f / 2, (uint8_t)(f % 2)};
        assert_int_equal(fp_mpi_remove(s, id), FP_OK);
        assert_int_equal(fp_gallery_remove(whole, id), FP_OK);
    }
    assert_int_equal(fp_mpi_remove(s, (fp_gallery_id){100, 0}), FP_ERR_NOT_FOUND);
    assert_int_equal(fp_mpi_remove(s, (fp_gallery_id){5, 10}), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_mpi_put(s, (fp_gallery_id){5, 0}, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_mpi_count(s), fp_gallery_count(whole));
}

/* Every rank: the shard holds only its own fingers, and the counts add up. */
static void check_shards(const fp_gallery *shard, size_t total)
{
    for (size_t i = 0; i < fp_gallery_count(shard); i++) {
        fp_gallery_id id;
        assert_int_equal(fp_gallery_entry(shard, i, &id, NULL), FP_OK);
        assert_int_equal(fp_gallery_shard_of(id, (uint32_t)size), rank);
    }
    unsigned long mine = fp_gallery_count(shard), sum = 0;
    assert_int_equal(MPI_Allreduce(&mine, &sum, 1, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
    assert_int_equal(sum, total);
}

static void test_changes_reach_the_owner(void **state)
{
    (void)state;
    fp_gallery *shard = NULL, *whole = NULL;
    assert_int_equal(fp_gallery_create(0, &shard), FP_OK);
    if (rank == ROOT) assert_int_equal(fp_gallery_create(0, &whole), FP_OK);
    build(shard, whole, 0, 400);
    fp_mpi_search *s = start(shard, NULL);
    if (rank == ROOT) {
        change_both(s, whole);
        compare_all(s, whole, 400, 0);
        stop(s);
    } else {
        assert_int_equal(fp_mpi_serve(s), FP_OK);
    }
    check_shards(shard, fp_mpi_count(s));
    fp_mpi_search_destroy(s);
    fp_gallery_destroy(shard);
    fp_gallery_destroy(whole);
}

static void test_foreign_finger_refused(void **state)
{
    (void)state;
    if (size == 1) {
        print_message("one rank owns every finger: nothing to refuse\n");
        return;
    }
    fp_gallery *shard = NULL;
    assert_int_equal(fp_gallery_create(0, &shard), FP_OK);
    build(shard, NULL, 0, 50);
    /* Only the last rank takes a finger it does not own; every rank must fail. */
    if (rank == size - 1) {
        uint32_t f = 0;
        while (fp_gallery_shard_of((fp_gallery_id){f / 2, (uint8_t)(f % 2)}, (uint32_t)size) == (uint32_t)rank) f++;
        fp_template *t = NULL;
        assert_int_equal(fp_synth_fast_template(SEED, f, 0, &t), FP_OK);
        assert_int_equal(fp_gallery_add(shard, (fp_gallery_id){f / 2, (uint8_t)(f % 2)}, t), FP_OK);
        fp_template_destroy(t);
    }
    fp_mpi_search *s = NULL;
    assert_int_equal(fp_mpi_search_create(MPI_COMM_WORLD, ROOT, shard, NULL, NULL, &s), FP_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(fp_mpi_search_create(MPI_COMM_WORLD, size, shard, NULL, NULL, &s), FP_ERR_INVALID_ARGUMENT);
    fp_gallery_destroy(shard);
}

static void test_file_shards_durable(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/fp-test-mpi-%d-%d.fpg", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getppid(), rank);
    unlink(path);
    fp_gallery_file *file = NULL;
    fp_gallery *shard = NULL, *mem = NULL;
    assert_int_equal(fp_gallery_file_open(path, &file, &shard, NULL), FP_OK);
    assert_int_equal(fp_gallery_create(0, &mem), FP_OK);
    build(mem, NULL, 0, 120);
    assert_int_equal(fp_gallery_file_compact(file, mem), FP_OK);
    fp_gallery_file_close(file);
    fp_gallery_destroy(shard);
    fp_gallery_destroy(mem);
    assert_int_equal(fp_gallery_file_open(path, &file, &shard, NULL), FP_OK);
    fp_mpi_search *s = start(shard, file);
    assert_int_equal(fp_mpi_count(s), 120);
    if (rank == ROOT) {
        for (uint32_t f = 120; f < 130; f++) {
            fp_template *t = NULL;
            assert_int_equal(fp_synth_fast_template(SEED, f, 0, &t), FP_OK);
            assert_int_equal(fp_mpi_put(s, (fp_gallery_id){f / 2, (uint8_t)(f % 2)}, t), FP_OK);
            fp_template_destroy(t);
        }
        assert_int_equal(fp_mpi_remove(s, (fp_gallery_id){3, 1}), FP_OK);
        assert_int_equal(fp_mpi_count(s), 129);
        stop(s);
    } else {
        assert_int_equal(fp_mpi_serve(s), FP_OK);
    }
    size_t held = fp_gallery_count(shard);
    fp_mpi_search_destroy(s);
    fp_gallery_file_close(file);
    fp_gallery_destroy(shard);
    /* Reopened, each shard file holds what its rank acknowledged. */
    assert_int_equal(fp_gallery_file_open(path, &file, &shard, NULL), FP_OK);
    assert_int_equal(fp_gallery_count(shard), held);
    check_shards(shard, 129);
    fp_gallery_file_close(file);
    fp_gallery_destroy(shard);
    unlink(path);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_identify_like_one_process, release_servers),
        cmocka_unit_test_teardown(test_changes_reach_the_owner, release_servers),
        cmocka_unit_test_teardown(test_foreign_finger_refused, release_servers),
        cmocka_unit_test_teardown(test_file_shards_durable, release_servers),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* A rank that failed must not leave the others waiting in a collective. */
    int worst = 0;
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return worst ? 1 : 0;
}
