/*
 * test_term_sync_e2e.c - the sync engine over the real libcurl transport
 * against the loopback PUSH server (test_term_sync_server.c): handshake and
 * options, a person created on the server reaching the terminal and being
 * verified there, records going up, every command and its return code,
 * resent commands, the device-UI callbacks (through a recording test
 * double), bad server input, and signed firmware update.
 *
 * The engine runs on a fake clock: each step jumps to term_sync_next_wake(),
 * so the protocol's delays cost no real time.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <openssl/evp.h>
#include <openssl/md5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp/fp.h"
#include "term_gallery.h"
#include "term_sync.h"
#include "test_term_sync_fixture.h"

static void handshake_sets_options_and_clock(void **state)
{
    fixture *fx = *state;
    fx_run(fx, 3);
    term_sync_stats s;
    assert_int_equal(term_sync_stats_get(fx->sync, &s), PUSH_OK);
    assert_int_equal(s.registered, 1);
    assert_int_equal(s.handshakes, 1);
    assert_int_equal(s.options.delay_s, 10);
    assert_int_equal(s.options.timezone_min, 480);
    assert_string_equal(s.options.op_stamp, "9999");
    /* The clock: the server's Date (09 Jul 2015 06:53:01 GMT) plus TimeZone=8. */
    assert_int_equal(fx->dev.clock_calls, 1);
    assert_int_equal(fx->dev.clock, 1436424781 + 8 * 3600);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_true(c.polls >= 1);
}

static void bare_ok_and_adjusted_options(void **state)
{
    fixture *fx = *state;
    mock_push_set_options(fx->srv, NULL, 1);
    fx_run(fx, 2);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.registered, 1);
    assert_int_equal(s.options.bare_ok, 1);
    assert_int_equal(s.options.delay_s, 10);
    assert_non_null(strstr(fx->dev.log, "bare OK"));

    /* RELOAD OPTIONS picks up new, out-of-range options: clamped and logged. */
    mock_push_set_options(fx->srv, "Delay=0\nErrorDelay=99999\nTimeZone=-330\nRealtime=1\n", 0);
    mock_push_queue(fx->srv, "C:r1:RELOAD OPTIONS");
    fx_run(fx, 6);
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(fx_result_of(fx, "r1"), 0);
    assert_int_equal(s.options.bare_ok, 0);
    assert_int_equal(s.options.delay_s, PUSH_DELAY_MIN);
    assert_int_equal(s.options.error_delay_s, PUSH_ERROR_DELAY_MAX);
    assert_int_equal(s.options.timezone_min, -330);
    assert_non_null(strstr(fx->dev.log, "clamped"));
}

static void registration_backoff(void **state)
{
    fixture *fx = *state;
    /* Options for another serial: refused, retried with exponential backoff capped at ErrorDelay. */
    mock_push_set_options(fx->srv, NULL, 0);
    mock_push_fail_next(fx->srv, MOCK_FAULT_500, 6, 0);
    int64_t waits[6];
    for (int i = 0; i < 6; i++) {
        int64_t w = term_sync_next_wake(fx->sync);
        if (w < fx->now) w = fx->now;
        fx->now = w;
        assert_int_equal(term_sync_step(fx->sync, fx->now), PUSH_ERR_HTTP_STATUS);
        waits[i] = term_sync_next_wake(fx->sync) - fx->now;
    }
    assert_int_equal(waits[0], 100);
    assert_int_equal(waits[1], 200);
    assert_int_equal(waits[2], 400);
    assert_int_equal(waits[3], 800);
    assert_int_equal(waits[4], 1600);
    assert_int_equal(waits[5], 1600); /* capped */
    fx_run(fx, 3);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.registered, 1);
    assert_int_equal(s.failures, 6);
}

/* The end-to-end case: a person with PIN, card and finger created on the server, synced,
 * verified on the terminal, a record uploaded and seen by the server. */
static void person_from_server_to_record(void **state)
{
    fixture *fx = *state;
    uint8_t iso[4096];
    char b64[8192], line[9000];
    size_t iso_len = fx_make_finger(77, 0, FP_FORMAT_ISO19794_2, iso, sizeof(iso)), b64_len = 0;
    assert_int_equal(push_base64_encode(iso, iso_len, b64, sizeof(b64), &b64_len), PUSH_OK);
    mock_push_queue(fx->srv, "C:u1:DATA UPDATE USERINFO PIN=1001\tName=Ann Lee\tPri=0\tPasswd=4321\tCard=[15CD5B07]"
                             "\tGrp=1\tTZ=0000000000000000\tVerify=0");
    snprintf(line, sizeof(line), "C:f1:DATA UPDATE FINGERTMP PIN=1001\tFID=6\tSize=%zu\tValid=1\tTMP=%s", b64_len, b64);
    mock_push_queue(fx->srv, line);
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "u1"), 0);
    assert_int_equal(fx_result_of(fx, "f1"), 0);
    assert_true(fx->dev.changed & TERM_SYNC_CHANGED_USERS);
    assert_true(fx->dev.changed & TERM_SYNC_CHANGED_FINGERS);

    /* Verified on the terminal: PIN (hashed on store), card, and the finger through the 1:N gallery. */
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "1001", &info), TERM_OK);
    assert_string_equal(info.name, "Ann Lee");
    assert_int_equal(info.methods, TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN);
    assert_int_equal(term_store_pin_check(fx->st, "1001", "4321"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "1001", "4322"), TERM_NO_MATCH);
    char uid[TERM_USER_ID_MAX + 1];
    assert_int_equal(term_store_card_find(fx->st, 123456789, uid), TERM_OK);
    assert_string_equal(uid, "1001");
    fp_context *ctx = NULL;
    term_gallery *g = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    assert_int_equal(term_gallery_create(ctx, &g), TERM_OK);
    assert_int_equal(term_gallery_load(g, fx->st), TERM_OK);
    uint8_t probe_bytes[4096];
    size_t plen = fx_make_finger(77, 1, FP_FORMAT_NATIVE, probe_bytes, sizeof(probe_bytes));
    fp_template *probe = NULL;
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, probe_bytes, plen, &probe), FP_OK);
    float score = 0;
    assert_int_equal(term_gallery_identify(g, probe, uid, &score), TERM_OK);
    assert_string_equal(uid, "1001");
    assert_true(score > 35.0f);
    fp_template_destroy(probe);
    term_gallery_destroy(g);
    fp_context_destroy(ctx);

    /* The punch goes up as an ATTLOG line carrying the record id. */
    term_record rec = {.time = 1436450000, .verify = TERM_VERIFY_FINGER, .state = TERM_PUNCH_CHECK_IN};
    snprintf(rec.uid, sizeof(rec.uid), "1001");
    int64_t id = 0;
    assert_int_equal(term_store_record_add(fx->st, &rec, &id), TERM_OK);
    term_sync_kick(fx->sync);
    fx_run(fx, 3);
    assert_int_equal(mock_push_att_seen(fx->srv, id), 1);
    char att[256];
    assert_true(mock_push_att_line(fx->srv, id, att, sizeof(att)));
    char want[128];
    snprintf(want, sizeof(want), "1001\t2015-07-09 13:53:20\t0\t1\t0\t%lld\t0", (long long)id);
    assert_string_equal(att, want);

    /* Backup of the person: a USER line without the password and an FP line in ISO 19794-2. */
    int user_seen = 0, fp_seen = 0;
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++) {
        if (strncmp(line, "USER PIN=1001\t", 14) == 0) {
            user_seen++;
            assert_non_null(strstr(line, "Name=Ann Lee"));
            assert_non_null(strstr(line, "Card=123456789"));
            assert_null(strstr(line, "Passwd"));
            assert_null(strstr(line, "4321"));
        }
        if (strncmp(line, "FP PIN=1001\tFID=6\t", 18) == 0) {
            fp_seen++;
            const char *tmp = strstr(line, "TMP=");
            assert_non_null(tmp);
            uint8_t raw[4096];
            size_t rl = 0;
            assert_int_equal(push_base64_decode(tmp + 4, strlen(tmp + 4), raw, sizeof(raw), &rl), PUSH_OK);
            assert_memory_equal(raw, "FMR\0", 4);
        }
    }
    assert_int_equal(user_seen, 1);
    assert_int_equal(fp_seen, 1);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.att_pending, 0);
    assert_int_equal(s.queue_pending, 0);
}

static void resent_command_applied_once(void **state)
{
    fixture *fx = *state;
    mock_push_queue(fx->srv, "C:77:DATA UPDATE USERINFO PIN=5\tName=From Server\tPri=0");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "77"), 0);
    term_user u = {.privilege = TERM_PRIV_USER};
    snprintf(u.id, sizeof(u.id), "5");
    snprintf(u.name, sizeof(u.name), "Changed Locally");
    assert_int_equal(term_store_user_update(fx->st, &u), TERM_OK);
    /* The server sends the same command again (it missed the answer, say). */
    mock_push_queue(fx->srv, "C:77:DATA UPDATE USERINFO PIN=5\tName=From Server\tPri=0");
    fx_run(fx, 3);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "5", &info), TERM_OK);
    assert_string_equal(info.name, "Changed Locally");
    assert_int_equal(mock_push_result_count(fx->srv, "77"), 2);
    /* Across a restart too: the executed ids are in the database. */
    term_sync_destroy(fx->sync);
    push_transport_destroy(fx->tp);
    fx_make_engine(fx);
    mock_push_queue(fx->srv, "C:77:DATA UPDATE USERINFO PIN=5\tName=From Server\tPri=0");
    fx_run(fx, 4);
    assert_int_equal(term_store_user_get(fx->st, "5", &info), TERM_OK);
    assert_string_equal(info.name, "Changed Locally");
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.commands_repeated, 1);
}

static void commands_and_return_codes(void **state)
{
    fixture *fx = *state;
    term_user u = {.privilege = TERM_PRIV_USER};
    snprintf(u.id, sizeof(u.id), "7");
    snprintf(u.name, sizeof(u.name), "Old Name");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_card_set(fx->st, "7", 777), TERM_OK);
    snprintf(u.id, sizeof(u.id), "8");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_card_set(fx->st, "8", 888), TERM_OK);
    term_record rec = {.time = 1436450000, .verify = TERM_VERIFY_PIN, .state = TERM_PUNCH_CHECK_OUT};
    snprintf(rec.uid, sizeof(rec.uid), "7");
    assert_int_equal(term_store_record_add(fx->st, &rec, NULL), TERM_OK);
    rec.time += 86400 * 3;
    assert_int_equal(term_store_record_add(fx->st, &rec, NULL), TERM_OK);

    const char *cmds[] = {
        "C:a1:DATA UPDATE USERINFO PIN=7\tName=New Name\tCard=888",  /* card of user 8: refused, user 7 intact */
        "C:a2:DATA UPDATE USERINFO PIN=abc\tName=x",                 /* numeric ids only */
        "C:a3:DATA UPDATE FINGERTMP PIN=7\tFID=1\tTMP=!!!!",         /* not base64 */
        "C:a4:DATA UPDATE FINGERTMP PIN=7\tFID=1\tTMP=QUJDREVGR0g=", /* base64, not a template */
        "C:a5:DATA UPDATE FINGERTMP PIN=999\tFID=1\tSize=4\tTMP=QUJD",
        "C:a6:DATA DELETE USERINFO PIN=999",
        "C:a7:AC_UNLOCK",
        "C:a8:SHELL cat /etc/passwd",
        "C:a9:GetFile /etc/shadow",
        "C:b1:INFO",
        "C:b2:SET OPTION Delay=20",
        "C:b3:SET OPTION server_address=https://evil.example",
        "C:b4:SET OPTION volume=55",
        "C:b5:SET OPTION volume=555",
        "C:b6:DATA QUERY ATTLOG StartTime=2015-07-09 00:00:00\tEndTime=2015-07-09 23:59:59",
        "this line is not a command",
        "C:b7:DATA DELETE USERINFO PIN=8",
        "C:b8:DATA UPDATE FINGERTMP PIN=7\tFID=1\tSize=9\tTMP=QUJD",
        "C:b9:ENROLL_MF PIN=999\tRETRY=3",
        "C:d1:SET OPTION online_update=on",
        "C:d2:SET OPTION Nonexistent=1",
    };
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) mock_push_queue(fx->srv, cmds[i]);
    fx_run(fx, 6);
    assert_int_equal(fx_result_of(fx, "a1"), -1);
    term_user_info info;
    char uid[TERM_USER_ID_MAX + 1];
    assert_int_equal(term_store_user_get(fx->st, "7", &info), TERM_OK);
    assert_string_equal(info.name, "Old Name");
    assert_int_equal(term_store_card_find(fx->st, 777, uid), TERM_OK);
    assert_string_equal(uid, "7");
    assert_int_equal(fx_result_of(fx, "a2"), -1);
    assert_int_equal(term_store_user_get(fx->st, "abc", &info), TERM_ERR_NOT_FOUND);
    assert_int_equal(fx_result_of(fx, "a3"), -11);
    assert_int_equal(fx_result_of(fx, "a4"), -12);
    assert_int_equal(fx_result_of(fx, "a5"), -10);
    assert_int_equal(fx_result_of(fx, "a6"), -10);
    assert_int_equal(fx_result_of(fx, "a7"), -1002);
    assert_int_equal(fx_result_of(fx, "a8"), -1002);
    assert_int_equal(fx_result_of(fx, "a9"), -1002);
    char text[2048];
    assert_true(mock_push_result(fx->srv, "b1", NULL, text, sizeof(text)));
    assert_non_null(strstr(text, "ID=b1&Return=0&CMD=INFO\n"));
    assert_non_null(strstr(text, "UserCount=2\n"));
    assert_non_null(strstr(text, "FWVersion=1.0.3\n"));
    assert_non_null(strstr(text, "~SerialNumber=" SN "\n"));
    assert_int_equal(fx_result_of(fx, "b2"), 0);
    assert_int_equal(fx_result_of(fx, "b3"), -1002);
    assert_int_equal(fx_result_of(fx, "b4"), 0);
    assert_int_equal(fx_result_of(fx, "b5"), -1);
    term_settings *set = malloc(sizeof(*set));
    assert_int_equal(term_store_settings_load(fx->st, set), TERM_OK);
    assert_int_equal(term_settings_get(set, TERM_SETTING_VOLUME), 55);
    assert_string_equal(term_settings_get_text(set, TERM_SETTING_SERVER_ADDRESS), mock_push_url(fx->srv));
    free(set);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.options.delay_s, 20);
    assert_int_equal(fx_result_of(fx, "b6"), 0);
    assert_int_equal(fx_result_of(fx, "b7"), 0);
    assert_int_equal(term_store_user_get(fx->st, "8", &info), TERM_ERR_NOT_FOUND);
    assert_int_equal(fx_result_of(fx, "b8"), -9);
    assert_int_equal(fx_result_of(fx, "b9"), -10);
    assert_int_equal(fx_result_of(fx, "d1"), -1002);
    assert_int_equal(fx_result_of(fx, "d2"), -1002);
    assert_non_null(strstr(fx->dev.log, "command line ignored"));
    assert_non_null(strstr(fx->dev.log, "shell and file commands are refused"));

    /* CLEAR LOG removes the records (they were uploaded before: nothing is pending). */
    mock_push_queue(fx->srv, "C:c1:CLEAR LOG");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "c1"), 0);
    term_store_counts n;
    assert_int_equal(term_store_counts_get(fx->st, &n), TERM_OK);
    assert_int_equal(n.records, 0);
    assert_int_equal(n.users, 1);
    /* CLEAR DATA removes people as well. */
    mock_push_queue(fx->srv, "C:c2:CLEAR DATA");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "c2"), 0);
    assert_int_equal(term_store_counts_get(fx->st, &n), TERM_OK);
    assert_int_equal(n.users, 0);
    assert_int_equal(n.cards, 0);
}

static void capacity_limits(void **state)
{
    fixture *fx = *state;
    /* A smaller device: two users, one card. */
    term_sync_destroy(fx->sync);
    push_transport_destroy(fx->tp);
    term_store_close(fx->st);
    fx->cfg.profile.max_users = 2;
    fx->cfg.profile.max_cards = 1;
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    fx_make_engine(fx);
    mock_push_queue(fx->srv, "C:m1:DATA UPDATE USERINFO PIN=1\tName=One\tCard=11");
    mock_push_queue(fx->srv, "C:m2:DATA UPDATE USERINFO PIN=2\tName=Two\tCard=22");
    mock_push_queue(fx->srv, "C:m3:DATA UPDATE USERINFO PIN=3\tName=Three");
    mock_push_queue(fx->srv, "C:m4:DATA UPDATE USERINFO PIN=1\tName=One again\tCard=33"); /* replaces its own card */
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "m1"), 0);
    assert_int_equal(fx_result_of(fx, "m2"), PUSH_RET_CAPACITY); /* user 2 fits, its card does not: nothing stored */
    assert_int_equal(fx_result_of(fx, "m3"), 0);
    assert_int_equal(fx_result_of(fx, "m4"), 0);
    term_store_counts n;
    assert_int_equal(term_store_counts_get(fx->st, &n), TERM_OK);
    assert_int_equal(n.users, 2);
    assert_int_equal(n.cards, 1);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "2", &info), TERM_ERR_NOT_FOUND);
    char uid[TERM_USER_ID_MAX + 1];
    assert_int_equal(term_store_card_find(fx->st, 33, uid), TERM_OK);
    assert_string_equal(uid, "1");
    mock_push_queue(fx->srv, "C:m5:DATA UPDATE USERINFO PIN=4\tName=Four");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "m5"), PUSH_RET_CAPACITY);
}

static void device_callbacks(void **state)
{
    fixture *fx = *state;
    term_user u = {.privilege = TERM_PRIV_USER};
    snprintf(u.id, sizeof(u.id), "408");
    snprintf(u.name, sizeof(u.name), "Enrollee");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    mock_push_queue(fx->srv, "C:e1:ENROLL_FP PIN=408\tFID=6\tRETRY=3\tOVERWRITE=1");
    fx_run(fx, 3);
    assert_int_equal(fx->dev.enroll_fp_calls, 1);
    assert_string_equal(fx->dev.enroll_id, "e1");
    assert_string_equal(fx->dev.enroll_uid, "408");
    assert_int_equal(fx->dev.enroll_index, 6);
    assert_int_equal(fx->dev.enroll_retry, 3);
    assert_int_equal(fx->dev.enroll_overwrite, 1);
    assert_int_equal(fx_result_of(fx, "e1"), 12345);                     /* still at the terminal: no answer yet */
    assert_int_equal(term_sync_enroll_done(fx->sync, "e1", 4), PUSH_OK); /* "registration fails" */
    fx_run(fx, 2);
    assert_int_equal(fx_result_of(fx, "e1"), 4);
    assert_int_equal(term_sync_enroll_done(fx->sync, "e1", 0), PUSH_ERR_INVALID_ARGUMENT); /* already answered */

    /* The app says it is busy: answered at once. */
    fx->dev.next_enroll_ret = PUSH_RET_BUSY;
    mock_push_queue(fx->srv, "C:e2:ENROLL_MF PIN=408\tRETRY=2");
    fx_run(fx, 3);
    assert_int_equal(fx->dev.enroll_card_calls, 1);
    assert_int_equal(fx->dev.enroll_retry, 2);
    assert_int_equal(fx_result_of(fx, "e2"), -1005);

    /* An enrolment cut short by a restart is answered as timed out. */
    fx->dev.next_enroll_ret = 0;
    mock_push_queue(fx->srv, "C:e3:ENROLL_FP PIN=408\tFID=2");
    fx_run(fx, 3);
    assert_int_equal(fx->dev.enroll_fp_calls, 2);
    term_sync_destroy(fx->sync);
    push_transport_destroy(fx->tp);
    fx_make_engine(fx);
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "e3"), PUSH_RET_TIMEOUT);

    /* REBOOT: answered first, then the callback. */
    mock_push_queue(fx->srv, "C:r9:REBOOT");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "r9"), 0);
    assert_int_equal(fx->dev.reboots, 1);
    assert_true(fx->dev.reboot_results_before >= 1);
    int ret;
    char text[256];
    assert_true(mock_push_result(fx->srv, "r9", &ret, text, sizeof(text)));
    assert_string_equal(text, "ID=r9&Return=0&CMD=REBOOT\n");
}

static void bad_server_input_changes_nothing(void **state)
{
    fixture *fx = *state;
    fx_run(fx, 2);
    term_user u = {.privilege = TERM_PRIV_USER};
    snprintf(u.id, sizeof(u.id), "1");
    snprintf(u.name, sizeof(u.name), "Keep");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    /* A 3 MiB answer to the poll: refused by the transport's limit, nothing executed. */
    mock_push_queue(fx->srv, "C:h1:DATA DELETE USERINFO PIN=1");
    mock_push_fail_next(fx->srv, MOCK_FAULT_HUGE, 1, 0);
    int64_t w = term_sync_next_wake(fx->sync);
    fx->now = w > fx->now ? w : fx->now;
    assert_int_equal(term_sync_step(fx->sync, fx->now), PUSH_ERR_RESPONSE_TOO_LARGE);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "1", &info), TERM_OK);
    assert_non_null(strstr(fx->dev.log, "PUSH_ERR_RESPONSE_TOO_LARGE"));
    /* The server dropped nothing either: the command is still queued there and runs on the next poll. */
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "h1"), 0);
    /* A response cut in the middle, and a dropped connection: retried, registered again. */
    mock_push_fail_next(fx->srv, MOCK_FAULT_MID_RESPONSE, 1, 0);
    fx_run(fx, 2);
    mock_push_fail_next(fx->srv, MOCK_FAULT_CLOSE, 1, 0);
    fx_run(fx, 4);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.registered, 1);
    assert_true(s.failures >= 2);
}

/* ---- firmware ---- */

static void sign_image(fixture *fx, const uint8_t *img, size_t len, uint8_t sig[64])
{
    uint8_t sha[32], msg[TERM_FW_MESSAGE_BYTES];
    unsigned int sl = 0;
    assert_int_equal(EVP_Digest(img, len, sha, &sl, EVP_sha256(), NULL), 1);
    term_fw_message(sha, len, msg);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = 64;
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, fx->fw_key), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, msg, sizeof(msg)), 1);
    assert_int_equal(siglen, 64);
    EVP_MD_CTX_free(ctx);
}

static void md5_hex(const uint8_t *data, size_t len, char out[33])
{
    uint8_t d[16];
    unsigned int l = 0;
    assert_int_equal(EVP_Digest(data, len, d, &l, EVP_md5(), NULL), 1);
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int exists(const fixture *fx, const char *name)
{
    char p[400];
    snprintf(p, sizeof(p), "%s/%s", fx->staging, name);
    struct stat st;
    return stat(p, &st) == 0;
}

static void firmware_update(void **state)
{
    fixture *fx = *state;
    size_t len = 300000;
    uint8_t *img = malloc(len), *other = malloc(len);
    for (size_t i = 0; i < len; i++) {
        img[i] = (uint8_t)(i * 7 + (i >> 9));
        other[i] = (uint8_t)(i * 13);
    }
    uint8_t sig[64], bad_sig[64];
    sign_image(fx, img, len, sig);
    sign_image(fx, other, len, bad_sig);
    char md5[33], cmd[300];
    md5_hex(img, len, md5);
    mock_push_add_file(fx->srv, "/fw/good.bin", img, len);
    mock_push_add_file(fx->srv, "/fw/good.bin.sig", sig, 64);
    mock_push_add_file(fx->srv, "/fw/badsig.bin", img, len);
    mock_push_add_file(fx->srv, "/fw/badsig.bin.sig", bad_sig, 64);
    mock_push_add_file(fx->srv, "/fw/nosig.bin", img, len);
    mock_push_add_file(fx->srv, "fw/relative.bin", img, len);
    mock_push_add_file(fx->srv, "fw/relative.bin.sig", sig, 64);

    /* Online update is off by default (manual 6.7): refused before anything is fetched. */
    snprintf(cmd, sizeof(cmd), "C:g0:UPGRADE checksum=%s,url=%s/fw/good.bin,size=%zu", md5, mock_push_url(fx->srv),
             len);
    mock_push_queue(fx->srv, cmd);
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "g0"), PUSH_RET_CONFIG);
    assert_int_equal(fx->dev.fw_ready, 0);
    term_settings *set = malloc(sizeof(*set));
    assert_int_equal(term_store_settings_load(fx->st, set), TERM_OK);
    assert_int_equal(term_settings_set_num(set, TERM_SETTING_ONLINE_UPDATE, 1), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, set), TERM_OK);
    free(set);

    /* Wrong signature, wrong MD5, wrong size, missing signature: all refused, nothing staged. */
    snprintf(cmd, sizeof(cmd), "C:g1:UPGRADE checksum=%s,url=%s/fw/badsig.bin,size=%zu", md5, mock_push_url(fx->srv),
             len);
    mock_push_queue(fx->srv, cmd);
    snprintf(cmd, sizeof(cmd), "C:g2:UPGRADE checksum=0123456789abcdef0123456789abcdef,url=%s/fw/good.bin,size=%zu",
             mock_push_url(fx->srv), len);
    mock_push_queue(fx->srv, cmd);
    snprintf(cmd, sizeof(cmd), "C:g3:UPGRADE checksum=%s,url=%s/fw/good.bin,size=%zu", md5, mock_push_url(fx->srv),
             len - 1);
    mock_push_queue(fx->srv, cmd);
    snprintf(cmd, sizeof(cmd), "C:g4:UPGRADE checksum=%s,url=%s/fw/good.bin,size=%zu", md5, mock_push_url(fx->srv),
             len + 1);
    mock_push_queue(fx->srv, cmd);
    snprintf(cmd, sizeof(cmd), "C:g5:UPGRADE checksum=%s,url=%s/fw/nosig.bin,size=%zu", md5, mock_push_url(fx->srv),
             len);
    mock_push_queue(fx->srv, cmd);
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "g1"), -1);
    assert_int_equal(fx_result_of(fx, "g2"), -1);
    assert_int_equal(fx_result_of(fx, "g3"), -1008); /* more bytes than announced: download stopped */
    assert_int_equal(fx_result_of(fx, "g4"), -1);
    assert_int_equal(fx_result_of(fx, "g5"), -1008);
    assert_int_equal(fx->dev.fw_ready, 0);
    assert_false(exists(fx, "firmware.img"));
    assert_false(exists(fx, "firmware.part"));
    assert_false(exists(fx, "firmware.part.sig"));
    assert_non_null(strstr(fx->dev.log, "Ed25519 signature does not verify"));
    assert_non_null(strstr(fx->dev.log, "MD5 differs"));

    /* The good image, by absolute URL and by the protocol's /iclock/file relative form. */
    snprintf(cmd, sizeof(cmd), "C:g6:UPGRADE checksum=%s,url=%s/fw/good.bin,size=%zu", md5, mock_push_url(fx->srv),
             len);
    mock_push_queue(fx->srv, cmd);
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "g6"), 0);
    assert_int_equal(fx->dev.fw_ready, 1);
    assert_true(exists(fx, "firmware.img"));
    assert_true(exists(fx, "firmware.img.sig"));
    char why[128];
    assert_int_equal(term_fw_verify(fx->dev.fw_path, "/nonexistent.sig", 0, NULL, fx->pub, why, sizeof(why)),
                     PUSH_ERR_SIGNATURE);
    char sigpath[600];
    snprintf(sigpath, sizeof(sigpath), "%s.sig", fx->dev.fw_path);
    assert_int_equal(term_fw_verify(fx->dev.fw_path, sigpath, len, md5, fx->pub, why, sizeof(why)), PUSH_OK);
    snprintf(cmd, sizeof(cmd), "C:g7:UPGRADE type=1,checksum=%s,size=%zu,url=fw/relative.bin", md5, len);
    mock_push_queue(fx->srv, cmd);
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "g7"), 0);
    assert_int_equal(fx->dev.fw_ready, 2);
    free(img);
    free(other);
}

static void oplog_partial_acks_and_check(void **state)
{
    fixture *fx = *state;
    /* Operation-log entries go up as OPLOG lines with their id. */
    int64_t t0 = 1436450000;
    assert_int_equal(term_store_oplog_add(fx->st, t0, TERM_OP_USER_ADD, "admin1", "user 5"), TERM_OK);
    assert_int_equal(term_store_oplog_add(fx->st, t0 + 60, TERM_OP_ATTLOG_DELETE, "", "all"), TERM_OK);
    /* The server takes at most 3 lines per request ("OK: 3"): the rest goes again until all are in. */
    mock_push_set_ack_limit(fx->srv, 3);
    term_record rec = {.time = t0, .verify = TERM_VERIFY_FINGER, .state = TERM_PUNCH_CHECK_IN};
    snprintf(rec.uid, sizeof(rec.uid), "31");
    for (int i = 0; i < 10; i++) {
        rec.time = t0 + i;
        assert_int_equal(term_store_record_add(fx->st, &rec, NULL), TERM_OK);
    }
    fx_run(fx, 12);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.att_pending, 0);
    assert_int_equal(s.att_acked_id, 10);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_unique, 10);
    assert_int_equal(c.att_lines, 10); /* nothing taken twice: only the unacknowledged rest was resent */
    char line[256];
    int found = 0;
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++) {
        if (strcmp(line, "OPLOG 30\tadmin1\t2015-07-09 13:53:20\tuser 5\t0\t0\t1") == 0) found |= 1;
        if (strcmp(line, "OPLOG 23\t0\t2015-07-09 13:54:20\tall\t0\t0\t2") == 0) found |= 2;
    }
    assert_int_equal(found, 3);
    mock_push_set_ack_limit(fx->srv, 0);

    /* CHECK with the server's stamp back at 0: the attendance log goes up again from the start. */
    mock_push_set_options(fx->srv, "ATTLOGStamp=0\nOPERLOGStamp=9999\nDelay=10\nRealtime=1\n", 0);
    mock_push_queue(fx->srv, "C:k1:CHECK");
    fx_run(fx, 8);
    assert_int_equal(fx_result_of(fx, "k1"), 0);
    for (int64_t id = 1; id <= 10; id++) assert_int_equal(mock_push_att_seen(fx->srv, id), 2);
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.handshakes, 2);
    /* A plain re-registration with stamp 0 does not re-upload (servers that never store stamps). */
    mock_push_queue(fx->srv, "C:k2:RELOAD OPTIONS");
    fx_run(fx, 8);
    assert_int_equal(fx_result_of(fx, "k2"), 0);
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 2);

    /* DATA QUERY USERINFO sends the person's lines again. */
    term_user u = {.privilege = TERM_PRIV_ADMIN};
    snprintf(u.id, sizeof(u.id), "31");
    snprintf(u.name, sizeof(u.name), "Boss");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    mock_push_queue(fx->srv, "C:q1:DATA QUERY USERINFO PIN=31");
    mock_push_queue(fx->srv, "C:q2:DATA QUERY USERINFO PIN=32");
    fx_run(fx, 6);
    assert_int_equal(fx_result_of(fx, "q1"), 0);
    assert_int_equal(fx_result_of(fx, "q2"), -10);
    int users = 0;
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++)
        if (strncmp(line, "USER PIN=31\tName=Boss\tPri=14\t", strlen("USER PIN=31\tName=Boss\tPri=14\t")) == 0) users++;
    assert_true(users >= 1);
}

static void timed_upload_at_trans_times(void **state)
{
    fixture *fx = *state;
    /* Realtime off, no interval, one upload time: 07:00 local. The server's clock says 06:53:01 UTC, TimeZone 0. */
    mock_push_set_options(fx->srv, "Realtime=0\nTransInterval=0\nTransTimes=07:00\nTimeZone=0\nDelay=60\n", 0);
    term_record rec = {.time = 1436424000, .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_BREAK_OUT};
    snprintf(rec.uid, sizeof(rec.uid), "42");
    int64_t id = 0;
    assert_int_equal(term_store_record_add(fx->st, &rec, &id), TERM_OK);
    fx->now = 0;
    assert_int_equal(term_sync_step(fx->sync, fx->now), PUSH_OK); /* registers, polls */
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.registered, 1);
    assert_int_equal(s.options.realtime, 0);
    /* 06:53:01 -> 07:00:00 is 419 s. */
    int64_t due = 419 * 1000;
    while (term_sync_next_wake(fx->sync) < due) {
        fx->now = term_sync_next_wake(fx->sync);
        term_sync_step(fx->sync, fx->now);
        assert_int_equal(mock_push_att_seen(fx->srv, id), 0);
    }
    assert_int_equal(term_sync_next_wake(fx->sync), due);
    term_sync_step(fx->sync, due);
    assert_int_equal(mock_push_att_seen(fx->srv, id), 1);
    char line[128];
    assert_true(mock_push_att_line(fx->srv, id, line, sizeof(line)));
    assert_non_null(strstr(line, "\t2\t2\t0\t")); /* Break-Out is status 2, card is verify 2 */
    /* A later punch waits for the next 07:00, polls meanwhile carry no upload. */
    int64_t id2 = 0;
    assert_int_equal(term_store_record_add(fx->st, &rec, &id2), TERM_OK);
    for (int i = 0; i < 5; i++) {
        fx->now = term_sync_next_wake(fx->sync);
        assert_true(fx->now < due + 86400 * 1000);
        term_sync_step(fx->sync, fx->now);
    }
    assert_int_equal(mock_push_att_seen(fx->srv, id2), 0);
    term_sync_kick(fx->sync); /* the app (or a LOG command) can still push it now */
    term_sync_step(fx->sync, fx->now + 1);
    assert_int_equal(mock_push_att_seen(fx->srv, id2), 1);
}

typedef struct run_arg {
    term_sync *sync;
    atomic_int stop;
} run_arg;

static void *run_thread(void *p)
{
    run_arg *a = p;
    term_sync_run(a->sync, &a->stop);
    return NULL;
}

static void blocking_run_in_a_thread(void **state)
{
    fixture *fx = *state;
    term_record rec = {.time = 1436424000, .verify = TERM_VERIFY_PIN, .state = TERM_PUNCH_NONE};
    snprintf(rec.uid, sizeof(rec.uid), "9");
    int64_t id = 0;
    assert_int_equal(term_store_record_add(fx->st, &rec, &id), TERM_OK);
    run_arg a = {fx->sync, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_thread, &a), 0);
    for (int i = 0; i < 300 && mock_push_att_seen(fx->srv, id) == 0; i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    a.stop = 1;
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(mock_push_att_seen(fx->srv, id), 1);
    char line[128];
    assert_true(mock_push_att_line(fx->srv, id, line, sizeof(line)));
    assert_non_null(strstr(line, "\t255\t0\t0\t")); /* no punch state: 255; password: verify 0 */
}

static void curl_transport_arguments(void **state)
{
    (void)state;
    push_transport *t = NULL;
    push_curl_config cc = {0};
    cc.server = "ftp://example.org";
    assert_int_equal(push_curl_create(&cc, &t), PUSH_ERR_INVALID_ARGUMENT);
    cc.server = NULL;
    assert_int_equal(push_curl_create(&cc, &t), PUSH_ERR_INVALID_ARGUMENT);
    /* Nothing listens on port 1: a network error, not a crash. */
    cc.server = "http://127.0.0.1:1";
    cc.connect_timeout_ms = 500;
    assert_int_equal(push_curl_create(&cc, &t), PUSH_OK);
    push_response r;
    assert_int_equal(t->ops->request(t->ctx, "GET", "/iclock/ping?SN=x", NULL, 0, &r), PUSH_ERR_NETWORK);
    assert_null(r.body);
    push_transport_destroy(t);
    push_transport_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(handshake_sets_options_and_clock, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bare_ok_and_adjusted_options, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(registration_backoff, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(person_from_server_to_record, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(resent_command_applied_once, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(commands_and_return_codes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(capacity_limits, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(device_callbacks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bad_server_input_changes_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(firmware_update, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(oplog_partial_acks_and_check, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(timed_upload_at_trans_times, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(blocking_run_in_a_thread, fx_setup, fx_teardown),
        cmocka_unit_test(curl_transport_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
