/*
 * test_term_sync_fault.c - the outbox under faults.
 *
 *  1. 1,000 punches while the server fails at random (HTTP 500, connection
 *     closed before or after the request was processed, response cut in
 *     half, stalls past the client's timeout): afterwards every record is
 *     on the server exactly once by id (copies counted), and the terminal
 *     still holds all of them.
 *  2. Power cuts: a writer process punching and a sync process uploading are
 *     both killed with SIGKILL at random moments, round after round, with
 *     network faults on; afterwards every record the store holds reaches
 *     the server, and the database passes its integrity check.
 *
 * Figures are printed (requests, faults, copies resent) so a run can be
 * compared with another.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "term_sync.h"
#include "test_term_sync_server.h"

#define SN "M1FAULT1"

typedef struct fixture {
    char dir[256], db[300], key[300];
    term_store_config cfg;
    mock_push *srv;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof(fx->dir), "%s/term_sync_fault_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof(fx->db), "%s/m1.db", fx->dir);
    snprintf(fx->key, sizeof(fx->key), "%s/device.key", fx->dir);
    fx->cfg.db_path = fx->db;
    fx->cfg.key_path = fx->key;
    fx->cfg.create_key = 1;
    term_device_profile_m1(&fx->cfg.profile);
    fx->cfg.profile.pin_iterations = 2000;
    term_store *st = NULL;
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_OK); /* creates key and schema */
    term_store_close(st);
    fx->cfg.create_key = 0;
    fx->srv = mock_push_start();
    assert_non_null(fx->srv);
    /* Small batches so there are many exchanges to break. */
    mock_push_set_options(fx->srv, "ErrorDelay=30\nDelay=2\nTransInterval=1\nRealtime=1\nTimeZone=0\n", 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    mock_push_stop(fx->srv);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static push_transport *transport(fixture *fx, uint32_t timeout_ms)
{
    push_curl_config cc = {0};
    cc.server = mock_push_url(fx->srv);
    cc.timeout_ms = timeout_ms;
    cc.connect_timeout_ms = timeout_ms;
    push_transport *t = NULL;
    if (push_curl_create(&cc, &t) != PUSH_OK) return NULL;
    return t;
}

static term_sync *engine(term_store *st, push_transport *t)
{
    term_sync_config c = {0};
    c.serial = SN;
    c.batch_lines = 37;
    c.backoff_min_ms = 50;
    c.error_delay_ms = 400;
    c.poll_ms = 500;
    term_sync *s = NULL;
    if (term_sync_create(&c, st, t, &s) != PUSH_OK) return NULL;
    return s;
}

static term_record punch(int i)
{
    term_record r = {
        .time = 1436400000 + i * 7, .verify = (term_verify_type)(1 + i % 3), .state = (term_punch_state)(1 + i % 6)};
    snprintf(r.uid, sizeof(r.uid), "%d", 1 + i % 50);
    return r;
}

/* Steps on a fake clock until the outbox is empty (or max steps). Returns the steps used. */
static int drain(term_sync *s, int64_t *now, int max)
{
    term_sync_stats st;
    for (int i = 0; i < max; i++) {
        int64_t w = term_sync_next_wake(s);
        if (w != INT64_MAX && w > *now) *now = w;
        term_sync_step(s, *now);
        *now += 1;
        term_sync_stats_get(s, &st);
        if (st.registered && st.att_pending == 0 && st.op_pending == 0 && st.queue_pending == 0) return i + 1;
    }
    return max;
}

static void random_faults_during_1000_punches(void **state)
{
    fixture *fx = *state;
    term_store *st = NULL;
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_OK);
    push_transport *t = transport(fx, 500);
    assert_non_null(t);
    term_sync *s = engine(st, t);
    assert_non_null(s);
    mock_push_set_faults(fx->srv, 20,
                         MOCK_FAULT_500 | MOCK_FAULT_CLOSE | MOCK_FAULT_CLOSE_AFTER | MOCK_FAULT_MID_RESPONSE, 1234, 0);
    const int n = 1000;
    int64_t now = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        term_record r = punch(i);
        assert_int_equal(term_store_record_add(st, &r, NULL), TERM_OK);
        now += 400;
        if (i % 5 == 0) {
            term_sync_kick(s);
            int64_t w = term_sync_next_wake(s);
            if (w != INT64_MAX && w > now) now = w;
            term_sync_step(s, now);
        }
        if (i == 500) mock_push_fail_next(fx->srv, MOCK_FAULT_STALL, 3, 650); /* past the 500 ms timeout */
    }
    /* The network comes back. */
    mock_push_set_faults(fx->srv, 0, 0, 1, 0);
    int steps = drain(s, &now, 400);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    term_sync_stats ss;
    term_sync_stats_get(s, &ss);
    mock_push_counts mc;
    mock_push_counts_get(fx->srv, &mc);
    assert_int_equal(ss.att_pending, 0);
    int missing = 0;
    uint64_t copies = 0;
    for (int64_t id = 1; id <= n; id++) {
        unsigned seen = mock_push_att_seen(fx->srv, id);
        if (seen == 0) missing++;
        copies += seen;
    }
    assert_int_equal(missing, 0);
    assert_int_equal(mc.att_unique, n);
    term_store_counts cnt;
    assert_int_equal(term_store_counts_get(st, &cnt), TERM_OK);
    assert_int_equal(cnt.records, n);
    assert_true(mc.faults > 50); /* the faults really happened */
    printf("fault test: %d punches, %llu requests, %llu faults injected, %llu engine-side failures, "
           "%llu ATTLOG lines received for %llu unique records (%llu resent copies, de-duplicated by id), "
           "%d drain steps, %.2f s\n",
           n, (unsigned long long)mc.requests, (unsigned long long)mc.faults, (unsigned long long)ss.failures,
           (unsigned long long)mc.att_lines, (unsigned long long)mc.att_unique,
           (unsigned long long)(copies - (uint64_t)n), steps,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    term_sync_destroy(s);
    push_transport_destroy(t);
    term_store_close(st);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Punches forever, writing a byte to progress after each stored record. */
static void writer_child(fixture *fx, int round, int progress)
{
    term_store *st = NULL;
    const term_status os = term_store_open(&fx->cfg, &st);
    if (os != TERM_OK) {
        fprintf(stderr, "writer: open: %s\n", term_status_name(os));
        _exit(3);
    }
    for (int i = 0;; i++) {
        term_record r = punch(round * 100000 + i);
        const term_status ts = term_store_record_add(st, &r, NULL);
        if (ts != TERM_OK) {
            fprintf(stderr, "writer: record_add: %s\n", term_status_name(ts));
            _exit(4);
        }
        if (write(progress, "r", 1) != 1) _exit(5);
        sleep_ms(1);
    }
}

/* Waits until the writer has stored at least n records (or 10 s pass), so
 * that every round has records to lose however loaded the machine is. */
static void wait_records(int progress, int n)
{
    const int64_t end = mono_ms() + 10000;
    char buf[64];
    int got = 0;
    while (got < n && mono_ms() < end) {
        struct pollfd p = {progress, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const ssize_t k = read(progress, buf, sizeof buf);
        if (k <= 0) break;
        got += (int)k;
    }
}

static void sync_child(fixture *fx)
{
    term_store *st = NULL;
    if (term_store_open(&fx->cfg, &st) != TERM_OK) _exit(3);
    push_transport *t = transport(fx, 500);
    term_sync *s = t ? engine(st, t) : NULL;
    if (s == NULL) _exit(4);
    for (;;) {
        term_sync_kick(s);
        term_sync_step(s, mono_ms());
        sleep_ms(2);
    }
}

typedef struct check_ctx {
    mock_push *srv;
    int64_t stored, missing, max_id;
    uint64_t copies;
} check_ctx;

static int check_record(void *ctx, int64_t id, const term_record *rec)
{
    (void)rec;
    check_ctx *c = ctx;
    unsigned seen = mock_push_att_seen(c->srv, id);
    c->stored++;
    c->copies += seen;
    if (seen == 0) c->missing++;
    if (id > c->max_id) c->max_id = id;
    return 0;
}

static void sigkill_writer_and_sync(void **state)
{
    fixture *fx = *state;
    mock_push_set_faults(fx->srv, 10, MOCK_FAULT_500 | MOCK_FAULT_CLOSE | MOCK_FAULT_CLOSE_AFTER, 99, 0);
    unsigned seed = 7;
    int rounds = 8, writer_kills = 0, sync_kills = 0;
    /* First boot, as the terminal does it in one process before anything else runs: the store and the sync
     * engine's tables made once. The rounds then kill processes during operation. (Two processes racing that
     * first schema creation while one commits every millisecond stalled one of them for the whole busy
     * timeout on Debian 12's SQLCipher 3.4.1 / SQLite 3.15.2; the sync engine now makes its tables once, in
     * one transaction, and only reads the schema on later starts.) */
    {
        term_store *st0 = NULL;
        assert_int_equal(term_store_open(&fx->cfg, &st0), TERM_OK);
        push_transport *t0 = transport(fx, 500);
        term_sync *s0 = engine(st0, t0);
        assert_non_null(s0);
        term_sync_destroy(s0);
        push_transport_destroy(t0);
        term_store_close(st0);
    }
    for (int r = 0; r < rounds; r++) {
        int progress[2];
        assert_int_equal(pipe(progress), 0);
        pid_t w = fork();
        assert_true(w >= 0);
        if (w == 0) {
            close(progress[0]);
            writer_child(fx, r, progress[1]);
        }
        close(progress[1]);
        pid_t y = fork();
        assert_true(y >= 0);
        if (y == 0) sync_child(fx);
        seed = seed * 1103515245u + 12345u;
        wait_records(progress[0], 20);
        sleep_ms(20 + (long)(seed >> 16) % 200);
        /* Kill in a random order, at a random moment: mid-transaction, mid-upload, between send and ack. */
        if (seed & 0x100) {
            kill(w, SIGKILL);
            sleep_ms((long)(seed >> 20) % 30);
            kill(y, SIGKILL);
        } else {
            kill(y, SIGKILL);
            sleep_ms((long)(seed >> 20) % 30);
            kill(w, SIGKILL);
        }
        close(progress[0]);
        int status;
        assert_int_equal(waitpid(w, &status, 0), w);
        if (!WIFSIGNALED(status))
            printf("round %d: writer exited by itself with %d (3 open, 4 add, 5 progress pipe)\n", r,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        writer_kills++;
        assert_int_equal(waitpid(y, &status, 0), y);
        if (!WIFSIGNALED(status))
            printf("round %d: sync exited by itself with %d (3 open, 4 engine)\n", r,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        sync_kills++;
    }
    /* Power back, network healthy: everything the store holds must reach the server. */
    mock_push_set_faults(fx->srv, 0, 0, 1, 0);
    term_store *st = NULL;
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_OK);
    assert_int_equal(term_store_integrity_check(st), TERM_OK);
    push_transport *t = transport(fx, 2000);
    term_sync *s = engine(st, t);
    assert_non_null(s);
    term_sync_stats before;
    term_sync_stats_get(s, &before);
    int64_t now = 0;
    drain(s, &now, 2000);
    term_sync_stats ss;
    term_sync_stats_get(s, &ss);
    assert_int_equal(ss.att_pending, 0);

    check_ctx cc = {fx->srv, 0, 0, 0, 0};
    assert_int_equal(term_store_record_query(st, NULL, INT64_MIN, INT64_MAX, check_record, &cc), TERM_OK);
    int64_t stored = cc.stored, missing = cc.missing, max_id = cc.max_id;
    uint64_t copies = cc.copies;
    mock_push_counts mc;
    mock_push_counts_get(fx->srv, &mc);
    printf("power-cut test: %d rounds, %d writer and %d sync processes SIGKILLed; %lld records stored, "
           "%lld missing on the server, %llu unique records on the server, %llu copies received "
           "(%llu resent), %llu faults injected, %lld left for the final drain\n",
           rounds, writer_kills, sync_kills, (long long)stored, (long long)missing, (unsigned long long)mc.att_unique,
           (unsigned long long)copies, (unsigned long long)(copies - (uint64_t)stored), (unsigned long long)mc.faults,
           (long long)before.att_pending);
    assert_true(stored > 100);
    assert_int_equal(missing, 0);
    assert_int_equal((int64_t)mc.att_unique, stored);
    assert_true(max_id >= stored);
    term_sync_destroy(s);
    push_transport_destroy(t);
    term_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(random_faults_during_1000_punches, setup, teardown),
        cmocka_unit_test_setup_teardown(sigkill_writer_and_sync, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
