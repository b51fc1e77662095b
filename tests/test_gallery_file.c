/*
 * The gallery file: round trip through the mapping, torn tails cut at
 * every offset, damage detected, compaction, and a writer killed with
 * SIGKILL at random points that never loses an acknowledged finger.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/synth.h"

#define SEED 77u

static char dir[256];

static fp_template *fast(uint32_t finger, uint32_t impression)
{
    fp_template *t = NULL;
    assert_int_equal(fp_synth_fast_template(SEED, finger, impression, &t), FP_OK);
    return t;
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* Two galleries hold the same ids with templates that identify alike. */
static void assert_same_gallery(const fp_gallery *a, const fp_gallery *b, fp_template *probe)
{
    assert_int_equal(fp_gallery_count(a), fp_gallery_count(b));
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    fp_identify_candidate ca[64], cb[64];
    size_t na, nb;
    fp_identify_decision da, db;
    assert_int_equal(fp_identify(ctx, a, probe, 30.0f, 64, ca, &na, &da), FP_OK);
    assert_int_equal(fp_identify(ctx, b, probe, 30.0f, 64, cb, &nb, &db), FP_OK);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(ca[i].id.user, cb[i].id.user);
        assert_int_equal(ca[i].id.finger, cb[i].id.finger);
        assert_true(ca[i].score == cb[i].score);
    }
    fp_context_destroy(ctx);
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "rt.fpg");
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL, *mem = NULL;
    fp_gallery_file_info info;
    assert_int_equal(fp_gallery_file_open(path, &f, &g, &info), FP_OK);
    assert_int_equal(info.records, 0);
    assert_int_equal(fp_gallery_count(g), 0);
    assert_int_equal(fp_gallery_create(0, &mem), FP_OK);
    for (uint32_t i = 0; i < 30; i++) {
        fp_template *t = fast(i, 0);
        fp_gallery_id id = {1000 + i / 2, (uint8_t)(i % 2)};
        assert_int_equal(fp_gallery_file_put(f, g, id, t), FP_OK);
        assert_int_equal(fp_gallery_add(mem, id, t), FP_OK);
        fp_template_destroy(t);
    }
    /* Replace one, remove two. */
    fp_template *r = fast(99, 0);
    fp_gallery_id rid = {1003, 1};
    assert_int_equal(fp_gallery_file_put(f, g, rid, r), FP_OK);
    assert_int_equal(fp_gallery_replace(mem, rid, r), FP_OK);
    fp_template_destroy(r);
    fp_gallery_id gone[2] = {{1000, 0}, {1014, 1}};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fp_gallery_file_remove(f, g, gone[i]), FP_OK);
        assert_int_equal(fp_gallery_remove(mem, gone[i]), FP_OK);
    }
    fp_gallery_id absent = {5, 0};
    assert_int_equal(fp_gallery_file_remove(f, g, absent), FP_ERR_NOT_FOUND);
    fp_gallery_id bad = {5, 10};
    assert_int_equal(fp_gallery_file_put(f, g, bad, fp_gallery_find(mem, rid)), FP_ERR_INVALID_ARGUMENT);
    fp_template *probe = fast(7, 1);
    assert_same_gallery(g, mem, probe);
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);

    /* Reopen: the mapping gives back exactly what was acknowledged. */
    assert_int_equal(fp_gallery_file_open(path, &f, &g, &info), FP_OK);
    assert_int_equal(info.records, 33);
    assert_int_equal(info.torn_bytes, 0);
    assert_same_gallery(g, mem, probe);
    assert_null(fp_gallery_find(g, gone[0]));

    /* Compaction drops the replaced and removed records and keeps the rest. */
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(fp_gallery_file_compact(f, g), FP_OK);
    assert_int_equal(stat(path, &after), 0);
    assert_true(after.st_size < before.st_size);
    /* Appends after compaction land in the new file. */
    fp_template *t = fast(200, 0);
    fp_gallery_id nid = {2000, 0};
    assert_int_equal(fp_gallery_file_put(f, g, nid, t), FP_OK);
    assert_int_equal(fp_gallery_add(mem, nid, t), FP_OK);
    fp_template_destroy(t);
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);
    assert_int_equal(fp_gallery_file_open(path, &f, &g, &info), FP_OK);
    assert_int_equal(info.records, 29);
    assert_same_gallery(g, mem, probe);
    /* The gallery outlives the file handle (the mapping belongs to the gallery). */
    fp_gallery_file_close(f);
    assert_same_gallery(g, mem, probe);
    fp_gallery_destroy(g);
    fp_gallery_destroy(mem);
    fp_template_destroy(probe);
}

/* A last record cut at any length is dropped; everything before it stays. */
static void test_torn_tail(void **state)
{
    (void)state;
    char path[300], cut[300];
    path_of(path, sizeof path, "torn.fpg");
    path_of(cut, sizeof cut, "torn-cut.fpg");
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    assert_int_equal(fp_gallery_file_open(path, &f, &g, NULL), FP_OK);
    for (uint32_t i = 0; i < 5; i++) {
        fp_template *t = fast(i, 0);
        fp_gallery_id id = {i, 0};
        assert_int_equal(fp_gallery_file_put(f, g, id, t), FP_OK);
        fp_template_destroy(t);
    }
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    size_t before = (size_t)sb.st_size;
    fp_template *t = fast(50, 0);
    fp_gallery_id id = {50, 3};
    assert_int_equal(fp_gallery_file_put(f, g, id, t), FP_OK);
    fp_template_destroy(t);
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);
    size_t len;
    unsigned char *full = slurp(path, &len);
    assert_true(len > before);
    for (size_t keep = before + 1; keep < len; keep += 13) {
        spit(cut, full, keep);
        fp_gallery_file_info info;
        assert_int_equal(fp_gallery_file_open(cut, &f, &g, &info), FP_OK);
        assert_int_equal(info.records, 5);
        assert_int_equal(info.torn_bytes, keep - before);
        assert_int_equal(fp_gallery_count(g), 5);
        assert_null(fp_gallery_find(g, id));
        /* The torn bytes were cut off: a new append makes a valid file again. */
        fp_template *u = fast(60, 0);
        fp_gallery_id uid = {60, 0};
        assert_int_equal(fp_gallery_file_put(f, g, uid, u), FP_OK);
        fp_template_destroy(u);
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
        assert_int_equal(fp_gallery_file_open(cut, &f, &g, &info), FP_OK);
        assert_int_equal(info.records, 6);
        assert_int_equal(info.torn_bytes, 0);
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
    }
    /* Zeros where the last record should be (size extended, data never written). */
    memset(full + before, 0, len - before);
    spit(cut, full, len);
    fp_gallery_file_info info;
    assert_int_equal(fp_gallery_file_open(cut, &f, &g, &info), FP_OK);
    assert_int_equal(info.records, 5);
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);
    free(full);
}

static void expect_open_fails(const char *path, fp_status want)
{
    size_t len0;
    unsigned char *b0 = slurp(path, &len0);
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    assert_int_equal(fp_gallery_file_open(path, &f, &g, NULL), want);
    assert_null(f);
    assert_null(g);
    /* The damaged file is left exactly as it was, for inspection or repair. */
    size_t len1;
    unsigned char *b1 = slurp(path, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(b0, b1, len0);
    free(b0);
    free(b1);
}

static void test_damage(void **state)
{
    (void)state;
    char path[300], bad[300];
    path_of(path, sizeof path, "dmg.fpg");
    path_of(bad, sizeof bad, "dmg-bad.fpg");
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    assert_int_equal(fp_gallery_file_open(path, &f, &g, NULL), FP_OK);
    for (uint32_t i = 0; i < 4; i++) {
        fp_template *t = fast(i, 0);
        fp_gallery_id id = {i, 0};
        assert_int_equal(fp_gallery_file_put(f, g, id, t), FP_OK);
        fp_template_destroy(t);
    }
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);
    size_t len;
    unsigned char *b = slurp(path, &len);

    /* A flipped bit in the first record, with valid records after it. */
    for (size_t at = 64; at < 64 + 600; at += 37) {
        b[at] ^= 0x10;
        spit(bad, b, len);
        expect_open_fails(bad, FP_ERR_FILE_CORRUPT);
        b[at] ^= 0x10;
    }
    /* Header: wrong magic, damaged fields, too short. */
    b[0] = 'X';
    spit(bad, b, len);
    expect_open_fails(bad, FP_ERR_FILE_FORMAT);
    b[0] = 'F';
    b[9] ^= 1;
    spit(bad, b, len);
    expect_open_fails(bad, FP_ERR_FILE_CORRUPT);
    b[9] ^= 1;
    spit(bad, b, 40);
    expect_open_fails(bad, FP_ERR_FILE_CORRUPT);
    /* A file of the earlier format (version 1, written by that version of
     * the code, checksum valid): refused as a format error, left as it is. */
    size_t v1_len;
    unsigned char *v1 = slurp(FP_SOURCE_DIR "/tests/data/gallery-v1-empty.fpg", &v1_len);
    assert_int_equal(v1_len, 64);
    spit(bad, v1, v1_len);
    expect_open_fails(bad, FP_ERR_FILE_FORMAT);
    free(v1);
    /* Not a gallery file at all. */
    assert_int_equal(fp_gallery_file_open(dir, &f, &g, NULL), FP_ERR_IO);
    assert_int_equal(fp_gallery_file_open(NULL, &f, &g, NULL), FP_ERR_INVALID_ARGUMENT);
    free(b);
}

/* The writer: puts fingers forever, reporting each acknowledged id on fd. */
static void writer(const char *path, uint32_t first, int fd)
{
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    if (fp_gallery_file_open(path, &f, &g, NULL) != FP_OK) _exit(3);
    for (uint32_t i = first;; i++) {
        fp_template *t = NULL;
        if (fp_synth_fast_template(SEED, i % 500, 0, &t) != FP_OK) _exit(4);
        fp_gallery_id id = {i, 0};
        if (fp_gallery_file_put(f, g, id, t) != FP_OK) _exit(5);
        fp_template_destroy(t);
        if (write(fd, &i, sizeof i) != sizeof i) _exit(6);
    }
}

static void test_kill_writer(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "kill.fpg");
    unlink(path);
    const int rounds = getenv("FP_TEST_QUICK") ? 8 : 30;
    uint32_t next = 0;
    size_t acked_total = 0;
    uint32_t *acked = calloc(100000, sizeof(*acked));
    assert_non_null(acked);
    srand(12345);
    for (int r = 0; r < rounds; r++) {
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(pfd[0]);
            writer(path, next, pfd[1]);
        }
        close(pfd[1]);
        /* Kill after a random number of acknowledgements plus a random delay, so
         * the signal lands at any point of a put (encode, write, flush, apply). */
        int want = 1 + rand() % 12;
        for (int k = 0; k < want; k++) {
            uint32_t id;
            if (read(pfd[0], &id, sizeof id) != sizeof id) break;
            acked[acked_total++] = id;
            next = id + 1;
        }
        usleep((useconds_t)(rand() % 3000));
        kill(pid, SIGKILL);
        uint32_t id;
        while (read(pfd[0], &id, sizeof id) == sizeof id) {
            acked[acked_total++] = id;
            next = id + 1;
        }
        close(pfd[0]);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        next += 1; /* a put in flight when killed may or may not have landed; never reuse its id */

        fp_gallery_file *f = NULL;
        fp_gallery *g = NULL;
        fp_gallery_file_info info;
        assert_int_equal(fp_gallery_file_open(path, &f, &g, &info), FP_OK);
        for (size_t a = 0; a < acked_total; a++) {
            fp_gallery_id gid = {acked[a], 0};
            if (!fp_gallery_find(g, gid)) fail_msg("round %d: acknowledged finger %u lost", r, acked[a]);
        }
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
    }
    print_message("kill test: %d kills, %zu acknowledged puts, all found after reopening\n", rounds, acked_total);
    free(acked);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/fp-gallery-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_kill_writer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
