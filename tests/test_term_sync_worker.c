/*
 * test_term_sync_worker.c - the sync engine on its own thread
 * (term_sync_worker.h) against the loopback PUSH server, with this thread
 * playing the application:
 *
 *   - requests: ENROLL_FP, ENROLL_MF and SET OPTION of a terminal setting
 *     come over as requests and are answered on the server only with the
 *     application's code; an answer is taken once (a second one, or one for
 *     an unknown id, is refused); more than TERM_SYNC_WORKER_REQUESTS
 *     unanswered requests make the next one -1005 (busy); without
 *     TERM_SYNC_WORKER_SETTINGS the engine saves the setting itself;
 *   - notices: users changed by the server, the server's clock, REBOOT after
 *     its answer went out;
 *   - a server that stalls every request past the transport timeout: the
 *     status, a kick and the queues answer in well under a millisecond
 *     while the worker waits, and a stop returns after the exchange under
 *     way at most;
 *   - start errors: no database, a bad serial.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "term_sync_worker.h"
#include "term_test_sync.h"
#include "test_term_sync_server.h"

#define SN "WORKER01"

typedef struct fixture {
    char dir[64], db[128], key[128];
    term_store_config cfg;
    term_store *st; /* the application's connection */
    mock_push *srv;
    term_sync_worker *w;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx) return -1;
    if (TERMT_TEMP_DB(fx, "test_term_worker") != 0) return -1;
    fx->srv = mock_push_start();
    if (!fx->srv) return -1;
    mock_push_set_options(fx->srv,
                          "ATTLOGStamp=None\nOPERLOGStamp=None\nErrorDelay=30\nDelay=2\nTransInterval=1\n"
                          "TransFlag=TransData AttLog\tOpLog\nTimeZone=2\nRealtime=1\n",
                          0);
    mock_push_set_date(fx->srv, 1729874580);
    termt_store_config(&fx->cfg, fx->db, fx->key);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    termt_store_server(fx->st, mock_push_url(fx->srv));
    term_user u = {.id = "7", .name = "Seven", .privilege = TERM_PRIV_USER};
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_sync_worker_stop(fx->w);
    term_store_close(fx->st);
    mock_push_stop(fx->srv);
    termt_remove_dir(fx->dir);
    free(fx);
    return 0;
}

static void start(fixture *fx, unsigned handled, uint32_t timeout_ms)
{
    term_sync_worker_config wc;
    memset(&wc, 0, sizeof(wc));
    wc.store = fx->cfg;
    wc.sync.serial = SN;
    wc.sync.backoff_min_ms = 100;
    wc.sync.error_delay_ms = 400;
    wc.sync.poll_ms = 100;
    wc.curl.timeout_ms = timeout_ms;
    wc.curl.connect_timeout_ms = timeout_ms;
    wc.handled = handled;
    assert_int_equal(term_sync_worker_start(&wc, &fx->w), PUSH_OK);
}

/* Waits (at most 10 s) until the worker passed a barrier: idle, everything given before taken. */
static void settle(fixture *fx)
{
    uint64_t ticket = term_sync_worker_barrier(fx->w);
    for (int64_t end = termt_now_ms() + 10000; termt_now_ms() < end;)
        if (term_sync_worker_wait(fx->w, ticket, 200)) return;
    fail_msg("the worker did not become idle");
}

/* Waits (at most 10 s) until the worker hands over a request. */
static int next_request(fixture *fx, term_sync_request *r)
{
    for (int64_t end = termt_now_ms() + 10000; termt_now_ms() < end;) {
        if (term_sync_worker_next_request(fx->w, r)) return 1;
        term_sync_worker_wait(fx->w, term_sync_worker_barrier(fx->w), 200);
    }
    return 0;
}

/* Waits (at most 10 s) until the server has a result for id; its Return, or 12345. */
static int result_of(fixture *fx, const char *id)
{
    for (int64_t end = termt_now_ms() + 10000; termt_now_ms() < end && !mock_push_result_count(fx->srv, id);)
        term_sync_worker_wait(fx->w, term_sync_worker_barrier(fx->w), 200);
    int ret = 12345;
    mock_push_result(fx->srv, id, &ret, NULL, 0);
    return ret;
}

/* Takes notices (at most 10 s) until one with `what` set arrives; the notices merged. */
static term_sync_notice notices_until(fixture *fx, int (*what)(const term_sync_notice *n))
{
    term_sync_notice all, n;
    memset(&all, 0, sizeof(all));
    for (int64_t end = termt_now_ms() + 10000; termt_now_ms() < end && !what(&all);) {
        if (term_sync_worker_notices(fx->w, &n)) {
            all.changed |= n.changed;
            if (n.set_clock) all.set_clock = 1, all.clock = n.clock;
            all.reboot |= n.reboot;
            continue;
        }
        term_sync_worker_wait(fx->w, term_sync_worker_barrier(fx->w), 200);
    }
    return all;
}

static int has_clock(const term_sync_notice *n)
{
    return n->set_clock;
}
static int has_users(const term_sync_notice *n)
{
    return (n->changed & TERM_SYNC_CHANGED_USERS) != 0;
}
static int has_reboot(const term_sync_notice *n)
{
    return n->reboot;
}

static void test_requests_answers_notices(void **state)
{
    fixture *fx = *state;
    start(fx, TERM_SYNC_WORKER_ENROLL | TERM_SYNC_WORKER_SETTINGS | TERM_SYNC_WORKER_REBOOT, 2000);
    char bind[200];
    term_sync_worker_bind_code(fx->w, bind, sizeof(bind));
    assert_string_equal(bind, "SN=" SN "&DeviceName=M1&PushVersion=2.4.1");

    /* registration: the server's Date + TimeZone (2: +2 h) for the RTC */
    term_sync_notice n = notices_until(fx, has_clock);
    assert_true(n.set_clock);
    assert_int_equal(n.clock, 1729874580 + 2 * 3600);
    settle(fx);
    term_sync_worker_status ws;
    term_sync_worker_status_get(fx->w, &ws);
    assert_true(ws.online);
    assert_true(ws.bound);
    assert_true(ws.realtime);

    /* ENROLL_FP: a request; the server hears only the application's answer, once */
    mock_push_queue(fx->srv, "C:e1:ENROLL_FP PIN=7\tFID=3\tRETRY=2\tOVERWRITE=1");
    term_sync_request r;
    assert_true(next_request(fx, &r));
    assert_int_equal(r.kind, TERM_SYNC_REQ_ENROLL_FINGER);
    assert_string_equal(r.cmd_id, "e1");
    assert_string_equal(r.uid, "7");
    assert_int_equal(r.index, 3);
    assert_int_equal(r.retry, 2);
    assert_int_equal(r.overwrite, 1);
    settle(fx);
    assert_int_equal(mock_push_result_count(fx->srv, "e1"), 0);
    assert_int_equal(term_sync_worker_answer(fx->w, "e1", 6), PUSH_OK);
    assert_int_equal(term_sync_worker_answer(fx->w, "e1", 0), PUSH_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_sync_worker_answer(fx->w, "nope", 0), PUSH_ERR_INVALID_ARGUMENT);
    assert_int_equal(result_of(fx, "e1"), 6);

    /* an unknown user never reaches the application */
    mock_push_queue(fx->srv, "C:e2:ENROLL_MF PIN=404\tRETRY=1");
    assert_int_equal(result_of(fx, "e2"), -10);
    mock_push_queue(fx->srv, "C:m1:ENROLL_MF PIN=7\tRETRY=1");
    assert_true(next_request(fx, &r));
    assert_int_equal(r.kind, TERM_SYNC_REQ_ENROLL_CARD);
    assert_int_equal(term_sync_worker_answer(fx->w, "m1", 0), PUSH_OK);
    assert_int_equal(result_of(fx, "m1"), 0);

    /* SET OPTION of a terminal setting: the application's answer, nothing saved by the engine */
    mock_push_queue(fx->srv, "C:s1:SET OPTION volume=55");
    assert_true(next_request(fx, &r));
    assert_int_equal(r.kind, TERM_SYNC_REQ_SET_SETTING);
    assert_string_equal(r.name, "volume");
    assert_string_equal(r.value, "55");
    assert_int_equal(term_sync_worker_answer(fx->w, "s1", -1), PUSH_OK);
    assert_int_equal(result_of(fx, "s1"), -1);
    term_settings set;
    assert_int_equal(term_store_settings_load(fx->st, &set), TERM_OK);
    assert_int_not_equal(term_settings_get(&set, TERM_SETTING_VOLUME), 55);
    /* the protocol's own options and the refused settings stay the engine's */
    mock_push_queue(fx->srv, "C:s2:SET OPTION Delay=5");
    assert_int_equal(result_of(fx, "s2"), 0);
    mock_push_queue(fx->srv, "C:s3:SET OPTION online_update=1");
    assert_int_equal(result_of(fx, "s3"), -1002);

    /* a user from the server: stored by the engine, the application told */
    mock_push_queue(fx->srv, "C:u1:DATA UPDATE USERINFO PIN=8\tName=Eight\tPri=0");
    assert_int_equal(result_of(fx, "u1"), 0);
    n = notices_until(fx, has_users);
    assert_true(n.changed & TERM_SYNC_CHANGED_USERS);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "8", &info), TERM_OK);

    /* too many unanswered requests: the next is busy */
    char line[64], id[8];
    for (int i = 0; i <= TERM_SYNC_WORKER_REQUESTS; i++) {
        snprintf(line, sizeof(line), "C:b%d:ENROLL_MF PIN=7\tRETRY=1", i);
        mock_push_queue(fx->srv, line);
    }
    snprintf(id, sizeof(id), "b%d", TERM_SYNC_WORKER_REQUESTS);
    assert_int_equal(result_of(fx, id), -1005);
    for (int i = 0; i < TERM_SYNC_WORKER_REQUESTS; i++) {
        assert_true(next_request(fx, &r));
        assert_int_equal(term_sync_worker_answer(fx->w, r.cmd_id, -1005), PUSH_OK);
    }
    assert_int_equal(result_of(fx, "b0"), -1005);

    /* REBOOT: the notice comes once its answer went out */
    mock_push_queue(fx->srv, "C:r1:REBOOT");
    n = notices_until(fx, has_reboot);
    assert_true(n.reboot);
    assert_int_equal(mock_push_result_count(fx->srv, "r1"), 1);
}

static void test_without_the_application(void **state)
{
    fixture *fx = *state;
    start(fx, 0, 2000);
    /* nothing handed over: enrolment and REBOOT are not supported, a setting is saved by the engine */
    mock_push_queue(fx->srv, "C:e1:ENROLL_FP PIN=7\tFID=3\tRETRY=2\tOVERWRITE=1");
    mock_push_queue(fx->srv, "C:r1:REBOOT");
    mock_push_queue(fx->srv, "C:s1:SET OPTION volume=55");
    assert_int_equal(result_of(fx, "e1"), -1002);
    assert_int_equal(result_of(fx, "r1"), -1002);
    assert_int_equal(result_of(fx, "s1"), 0);
    term_settings set;
    assert_int_equal(term_store_settings_load(fx->st, &set), TERM_OK);
    assert_int_equal(term_settings_get(&set, TERM_SETTING_VOLUME), 55);
    term_sync_request r;
    assert_false(term_sync_worker_next_request(fx->w, &r));
}

/* The application's calls while the worker waits for a server that stalls past the timeout. */
static void test_stalled_server_never_blocks_the_caller(void **state)
{
    fixture *fx = *state;
    mock_push_set_faults(fx->srv, 100, MOCK_FAULT_STALL, 3, 1500);
    start(fx, TERM_SYNC_WORKER_ENROLL, 1000);
    int64_t worst_us = 0, calls = 0, busy_seen = 0;
    struct timespec a, b;
    for (int64_t end = termt_now_ms() + 2500; termt_now_ms() < end;) {
        term_sync_worker_status ws;
        term_sync_request r;
        term_sync_notice n;
        clock_gettime(CLOCK_MONOTONIC, &a);
        term_sync_worker_status_get(fx->w, &ws);
        term_sync_worker_kick(fx->w, 1);
        term_sync_worker_next_request(fx->w, &r);
        term_sync_worker_notices(fx->w, &n);
        clock_gettime(CLOCK_MONOTONIC, &b);
        int64_t us = (int64_t)(b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
        if (us > worst_us) worst_us = us;
        calls++;
        busy_seen += ws.busy;
        struct timespec pause = {0, 200000};
        nanosleep(&pause, NULL);
    }
    term_sync_worker_status ws;
    term_sync_worker_status_get(fx->w, &ws);
    print_message("%lld rounds of status + kick + queues while the server stalls: worst %lld us; worker busy in "
                  "%lld of them; %llu requests failed\n",
                  (long long)calls, (long long)worst_us, (long long)busy_seen, (unsigned long long)ws.stats.failures);
    assert_true(busy_seen > 0);
    assert_true(ws.stats.failures >= 1);
    assert_false(ws.online);
    assert_in_range(worst_us, 0, 50000); /* a lock held for a copy, never for an exchange */
    /* a stop waits for the exchange under way at most (1 s timeout) */
    int64_t t0 = termt_now_ms();
    term_sync_worker_stop(fx->w);
    fx->w = NULL;
    int64_t stop_ms = termt_now_ms() - t0;
    print_message("stop during a stalled exchange: %lld ms\n", (long long)stop_ms);
    assert_in_range(stop_ms, 0, 2500);
}

static void test_start_errors(void **state)
{
    fixture *fx = *state;
    term_sync_worker_config wc;
    memset(&wc, 0, sizeof(wc));
    wc.store = fx->cfg;
    wc.sync.serial = "bad serial!";
    term_sync_worker *w = NULL;
    assert_int_equal(term_sync_worker_start(&wc, &w), PUSH_ERR_INVALID_ARGUMENT);
    assert_null(w);
    char missing[200];
    snprintf(missing, sizeof(missing), "%s/none/t.db", fx->dir);
    wc.sync.serial = SN;
    wc.store.db_path = missing;
    assert_int_equal(term_sync_worker_start(&wc, &w), PUSH_ERR_STORE);
    assert_null(w);
    assert_int_equal(term_sync_worker_start(NULL, &w), PUSH_ERR_INVALID_ARGUMENT);
    term_sync_worker_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_requests_answers_notices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_the_application, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stalled_server_never_blocks_the_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
