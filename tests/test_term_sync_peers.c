/*
 * test_term_sync_peers.c - the sync engine against the habits of PUSH
 * servers met in the field, which read the protocol loosely: the test
 * server's modes (test_term_sync_server.h), one test each, over libcurl on
 * the fake clock of the sync fixture.
 *
 *   - TransFlag without AttLog at every registration and a restart that
 *     forces re-registration: records wait, visibly, until the installer's
 *     "Upload Attendance Always"; then every record arrives exactly once;
 *   - one command per poll and one result read per POST: every command
 *     answered exactly once with its code, without a Delay between them;
 *   - unified templates (BIODATA) both ways, the device configuration pushed
 *     to table=options; a FINGERTMP-only server keeps getting FP lines;
 *   - stamps taken from the uploads, set back, and CHECK;
 *   - poll answers lost on the way;
 *   - users echoed back with an empty password: no PIN lost;
 *   - VERIFY SUM.
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

#include "term_gallery.h"
#include "test_term_sync_fixture.h"

#define T0 1436450000 /* 2015-07-09 13:53:20 */

/* Options without AttLog in TransFlag, as the server of issue 18 sends them at every registration. */
static const char no_attlog_options[] = "ATTLOGStamp=None\nOPERLOGStamp=None\nErrorDelay=30\nDelay=10\n"
                                        "TransInterval=1\nTransFlag=TransData OpLog\tEnrollUser\tChgUser\tEnrollFP\t"
                                        "ChgFP\nTimeZone=0\nRealtime=1\n";

static void set_setting(fixture *fx, term_setting_id id, int64_t v)
{
    term_settings *set = malloc(sizeof(*set));
    assert_non_null(set);
    assert_int_equal(term_store_settings_load(fx->st, set), TERM_OK);
    assert_int_equal(term_settings_set_num(set, id, v), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, set), TERM_OK);
    free(set);
}

/* n punches of user uid from time t; the id of the first. */
static int64_t punch(fixture *fx, const char *uid, int n, int64_t t)
{
    int64_t first = 0;
    for (int i = 0; i < n; i++) {
        term_record rec = {.time = t + i, .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_CHECK_IN};
        snprintf(rec.uid, sizeof(rec.uid), "%s", uid);
        int64_t id = 0;
        assert_int_equal(term_store_record_add(fx->st, &rec, &id), TERM_OK);
        if (i == 0) first = id;
    }
    return first;
}

/* Every record from first to last arrived exactly `copies` times. */
static void assert_seen(fixture *fx, int64_t first, int64_t last, unsigned copies)
{
    for (int64_t id = first; id <= last; id++)
        if (mock_push_att_seen(fx->srv, id) != copies)
            fail_msg("record %lld arrived %u times, %u expected", (long long)id, mock_push_att_seen(fx->srv, id),
                     copies);
}

typedef struct cmd_case {
    const char *id, *text;
    int ret; /* the Return expected */
} cmd_case;

/* Queues the commands, runs `steps` steps, and checks each was answered once with its code. */
static void run_cases(fixture *fx, const cmd_case *cases, size_t n, int steps)
{
    char line[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "C:%s:%s", cases[i].id, cases[i].text);
        mock_push_queue(fx->srv, line);
    }
    fx_run(fx, steps);
    for (size_t i = 0; i < n; i++) {
        if (mock_push_result_count(fx->srv, cases[i].id) != 1 || fx_result_of(fx, cases[i].id) != cases[i].ret)
            fail_msg("%s: %u answers, Return=%d, %d expected", cases[i].id,
                     mock_push_result_count(fx->srv, cases[i].id), fx_result_of(fx, cases[i].id), cases[i].ret);
    }
}

static int logged(fixture *fx, const char *text)
{
    return strstr(fx->dev.log, text) != NULL;
}

static int has_finger(fixture *fx, const char *uid, uint32_t index)
{
    size_t len = 0;
    return term_store_finger_get(fx->st, uid, index, NULL, 0, &len) == TERM_OK;
}

/* ---------------------------------------------------------------------- */

static void transflag_without_attlog_and_restart(void **state)
{
    fixture *fx = *state;
    mock_push_set_options(fx->srv, no_attlog_options, 0);
    int64_t first = punch(fx, "11", 20, T0);
    fx_run(fx, 6);
    /* Strict by default, and visible: nothing went up, the engine says why. */
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_lines, 0);
    assert_int_equal(term_sync_upload_hold(fx->sync), TERM_SYNC_HOLD_NOT_REQUESTED);
    term_sync_stats s;
    assert_int_equal(term_sync_stats_get(fx->sync, &s), PUSH_OK);
    assert_int_equal(s.hold, TERM_SYNC_HOLD_NOT_REQUESTED);
    assert_int_equal(s.att_pending, 20);
    assert_string_equal(term_sync_hold_message(s.hold), "Server did not request attendance upload");
    assert_true(logged(fx, "TransFlag has no AttLog"));

    /* The installer's setting: the same server now gets every record, once. */
    set_setting(fx, TERM_SETTING_UPLOAD_ATT_ALWAYS, 1);
    fx_run(fx, 4);
    assert_seen(fx, first, first + 19, 1);
    assert_int_equal(term_sync_upload_hold(fx->sync), TERM_SYNC_HOLD_NONE);

    /* The server restarts and refuses the device until it registers again; the options still lack AttLog. */
    mock_push_restart(fx->srv);
    int64_t more = punch(fx, "12", 5, T0 + 100);
    term_sync_kick(fx->sync);
    fx_run(fx, 10);
    mock_push_counts_get(fx->srv, &c);
    assert_true(c.refused_401 >= 1);
    assert_true(c.handshakes >= 2);
    assert_seen(fx, first, more + 4, 1);
    assert_int_equal(c.att_lines, 25);

    /* And the terminal restarts: nothing goes twice. */
    term_sync_destroy(fx->sync);
    push_transport_destroy(fx->tp);
    fx_make_engine(fx);
    fx_run(fx, 6);
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_lines, 25);
    assert_int_equal(term_sync_upload_hold(fx->sync), TERM_SYNC_HOLD_NONE);

    /* Switched off again, new records wait again (and say so). */
    set_setting(fx, TERM_SETTING_UPLOAD_ATT_ALWAYS, 0);
    punch(fx, "13", 1, T0 + 200);
    term_sync_kick(fx->sync);
    fx_run(fx, 3);
    assert_int_equal(term_sync_upload_hold(fx->sync), TERM_SYNC_HOLD_NOT_REQUESTED);
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_lines, 25);
}

static void one_command_per_poll_one_result_per_post(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_ONE_CMD_PER_POLL | MOCK_MODE_ONE_RESULT_PER_POST);
    fx_run(fx, 2);
    static const struct {
        const char *line;
        int ret;
    } cmds[] = {
        {"C:p1:DATA UPDATE USERINFO PIN=1\tName=One", 0},
        {"C:p2:DATA UPDATE USERINFO PIN=2\tName=Two\tCard=22", 0},
        {"C:p3:DATA UPDATE USERINFO PIN=abc\tName=x", -1},
        {"C:p4:DATA DELETE USERINFO PIN=999", -10},
        {"C:p5:AC_UNLOCK", -1002},
        {"C:p6:INFO", 0},
        {"C:p7:DATA UPDATE FINGERTMP PIN=1\tFID=1\tTMP=QUJDREVGR0g=", -12},
        {"C:p8:SET OPTION volume=40", 0},
        {"C:p9:DATA DELETE USERINFO PIN=2", 0},
        {"C:p10:VERIFY SUM ATTLOG StartTime=2015-07-09 00:00:00\tEndTime=2015-07-09 23:59:59", 0},
        {"C:p11:DATA QUERY USERINFO PIN=1", 0},
        {"C:p12:LOG", 0},
    };
    const size_t n = sizeof(cmds) / sizeof(cmds[0]);
    for (size_t i = 0; i < n; i++) mock_push_queue(fx->srv, cmds[i].line);
    int64_t t0 = fx->now;
    for (int step = 0; step < 60 && fx_result_of(fx, "p12") == 12345; step++) fx_run(fx, 1);
    /* Each new command is followed by another poll at once: no Delay between a server's single commands. */
    assert_true(fx->now - t0 < 2 * (int64_t)fx->scfg.poll_ms);
    for (size_t i = 0; i < n; i++) {
        char id[8];
        snprintf(id, sizeof(id), "p%zu", i + 1);
        assert_int_equal(mock_push_result_count(fx->srv, id), 1);
        if (fx_result_of(fx, id) != cmds[i].ret)
            fail_msg("%s: Return=%d, %d expected", id, fx_result_of(fx, id), cmds[i].ret);
    }
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.results_dropped, 0); /* one result per POST: none read past */
    assert_int_equal(c.results, n);
    char text[1024];
    assert_true(mock_push_result(fx->srv, "p6", NULL, text, sizeof(text)));
    assert_non_null(strstr(text, "UserCount=2\n"));

    /* Many commands in one poll, one result read per POST: still every result arrives. */
    mock_push_set_modes(fx->srv, MOCK_MODE_ONE_RESULT_PER_POST);
    for (int i = 0; i < 6; i++) {
        char line[96];
        snprintf(line, sizeof(line), "C:m%d:DATA UPDATE USERINFO PIN=%d\tName=Many", i, 100 + i);
        mock_push_queue(fx->srv, line);
    }
    fx_run(fx, 3);
    for (int i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof(id), "m%d", i);
        assert_int_equal(mock_push_result_count(fx->srv, id), 1);
        assert_int_equal(fx_result_of(fx, id), 0);
    }
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.results_dropped, 0);
}

/* base64 of a template of finger seed in format fmt (or raw bytes when fmt < 0: a vendor template). */
static void tmp_b64(uint32_t seed, int fmt, char *out, size_t cap)
{
    uint8_t raw[4096];
    size_t len, w = 0;
    if (fmt >= 0) {
        len = fx_make_finger(seed, 0, (fp_template_format)fmt, raw, sizeof(raw));
    } else {
        /* what a ZK template looks like to an outsider: its own magic, then opaque bytes */
        len = 600;
        memcpy(raw, "SS21", 4);
        for (size_t i = 4; i < len; i++) raw[i] = (uint8_t)(i * 37 + seed);
    }
    assert_int_equal(push_base64_encode(raw, len, out, cap, &w), PUSH_OK);
}

static void queue_bio(fixture *fx, const char *id, const char *pin, const char *fields, const char *tmp)
{
    char line[9000];
    snprintf(line, sizeof(line), "C:%s:DATA UPDATE BIODATA Pin=%s\t%s\tTmp=%s", id, pin, fields, tmp);
    mock_push_queue(fx->srv, line);
}

/* Another impression of finger seed identifies user uid through the 1:N gallery. */
static void assert_identifies(fixture *fx, uint32_t seed, const char *uid)
{
    fp_context *ctx = NULL;
    term_gallery *g = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    assert_int_equal(term_gallery_create(ctx, &g), TERM_OK);
    assert_int_equal(term_gallery_load(g, fx->st), TERM_OK);
    uint8_t bytes[4096];
    size_t len = fx_make_finger(seed, 1, FP_FORMAT_NATIVE, bytes, sizeof(bytes));
    fp_template *probe = NULL;
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, bytes, len, &probe), FP_OK);
    char got[TERM_USER_ID_MAX + 1] = "";
    float score = 0;
    assert_int_equal(term_gallery_identify(g, probe, got, &score), TERM_OK);
    assert_string_equal(got, uid);
    fp_template_destroy(probe);
    term_gallery_destroy(g);
    fp_context_destroy(ctx);
}

static void biodata_both_ways(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_BIODATA | MOCK_MODE_PUSH_OPTIONS);
    fx_run(fx, 3);
    term_sync_stats s;
    term_sync_stats_get(fx->sync, &s);
    assert_int_equal(s.bio_upload, 1);
    /* The configuration the server asked for (PushOptionsFlag=1), with the hybrid-identification keys. */
    char opts[2048];
    assert_true(mock_push_device_options(fx->srv, opts, sizeof(opts)));
    assert_non_null(strstr(opts, "FingerFunOn=1"));
    assert_non_null(strstr(opts, "MultiBioDataSupport=0:1:0:0:0:0:0:0:0:0"));
    assert_non_null(strstr(opts, "MultiBioVersion=0:10:0:0:0:0:0:0:0:0"));
    assert_non_null(strstr(opts, "FPCount=0"));
    assert_non_null(strstr(opts, "~DeviceName="));
    assert_null(strstr(opts, "IPAddress"));
    assert_true(logged(fx, "does not have: IPAddress"));

    mock_push_queue(fx->srv, "C:u1:DATA UPDATE USERINFO PIN=501\tName=Bio\tPri=0");
    char iso[8192], ansi[8192], zk[8192];
    tmp_b64(31, FP_FORMAT_ISO19794_2, iso, sizeof(iso));
    tmp_b64(32, FP_FORMAT_ANSI378, ansi, sizeof(ansi));
    tmp_b64(33, -1, zk, sizeof(zk));
    char iso33[8192];
    tmp_b64(34, FP_FORMAT_ISO19794_2, iso33, sizeof(iso33));
    const char *v = "Index=0\tValid=1\tDuress=0\tType=1\tMajorVer=12\tMinorVer=0";
    char f[160];
    snprintf(f, sizeof(f), "No=6\t%s\tFormat=1", v);
    queue_bio(fx, "b1", "501", f, iso);
    snprintf(f, sizeof(f), "No=7\t%s\tFormat=2", v);
    queue_bio(fx, "b2", "501", f, ansi);
    snprintf(f, sizeof(f), "No=8\t%s\tFormat=0", v);
    queue_bio(fx, "b3", "501", f, zk); /* the vendor's own format: refused, not stored */
    snprintf(f, sizeof(f), "No=5\t%s\tFormat=0", v);
    queue_bio(fx, "b4", "501", f, iso33); /* labelled ZK, in fact ISO: stored, the mislabel logged */
    queue_bio(fx, "b5", "501", "No=0\tType=2\tFormat=0", iso);          /* a face */
    queue_bio(fx, "b6", "501", "No=1\tIndex=1\tType=1\tFormat=1", iso); /* a second template of a finger */
    queue_bio(fx, "b7", "501", "No=2\tValid=0\tType=1\tFormat=1", iso);
    queue_bio(fx, "b8", "501", "No=3\tType=1\tFormat=1", "QUJDREVGR0g=");
    queue_bio(fx, "b9", "501", "No=4\tType=1\tFormat=1", "!!!!");
    queue_bio(fx, "b10", "999", "No=4\tType=1\tFormat=1", iso);
    fx_run(fx, 6);
    assert_int_equal(fx_result_of(fx, "u1"), 0);
    assert_int_equal(fx_result_of(fx, "b1"), 0);
    assert_int_equal(fx_result_of(fx, "b2"), 0);
    assert_int_equal(fx_result_of(fx, "b3"), PUSH_RET_TEMPLATE_FORMAT);
    assert_int_equal(fx_result_of(fx, "b4"), 0);
    assert_int_equal(fx_result_of(fx, "b5"), PUSH_RET_NOT_SUPPORTED);
    assert_int_equal(fx_result_of(fx, "b6"), PUSH_RET_NOT_SUPPORTED);
    assert_int_equal(fx_result_of(fx, "b7"), PUSH_RET_TEMPLATE_ILLEGAL);
    assert_int_equal(fx_result_of(fx, "b8"), PUSH_RET_TEMPLATE_ILLEGAL);
    assert_int_equal(fx_result_of(fx, "b9"), PUSH_RET_TEMPLATE_FORMAT);
    assert_int_equal(fx_result_of(fx, "b10"), PUSH_RET_NO_SUCH_USER);
    assert_true(has_finger(fx, "501", 6));
    assert_true(has_finger(fx, "501", 7));
    assert_true(has_finger(fx, "501", 5));
    for (uint32_t i = 0; i < 5; i++) assert_false(has_finger(fx, "501", i));
    assert_false(has_finger(fx, "501", 8));
    assert_true(logged(fx, "Format=0 (ZK) (version 12.0) is a vendor template this engine cannot read"));
    assert_true(logged(fx, "Format=0, but the record is ISO 19794-2"));
    assert_true(logged(fx, "Type=2 refused"));
    /* The server's fingers verify at the terminal, ISO and ANSI alike. */
    assert_identifies(fx, 31, "501");
    assert_identifies(fx, 32, "501");

    /* Up: BIODATA lines (Type=1, ISO), no FP lines; the configuration pushed again with the new counts. */
    fx_run(fx, 4);
    char line[16384];
    assert_true(mock_push_bio_line(fx->srv, "501", 6, line, sizeof(line)));
    assert_non_null(strstr(line, "\tType=1\t"));
    assert_non_null(strstr(line, "\tFormat=1\t"));
    assert_non_null(strstr(line, "\tMajorVer=10\tMinorVer=0\t"));
    const char *tmp = strstr(line, "Tmp=");
    assert_non_null(tmp);
    uint8_t raw[4096];
    size_t rl = 0;
    assert_int_equal(push_base64_decode(tmp + 4, strlen(tmp + 4), raw, sizeof(raw), &rl), PUSH_OK);
    assert_memory_equal(raw, "FMR\0", 4);
    assert_true(mock_push_bio_line(fx->srv, "501", 7, line, sizeof(line)));
    assert_true(mock_push_bio_line(fx->srv, "501", 5, line, sizeof(line)));
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.fp_dropped, 0);
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++)
        assert_false(strncmp(line, "FP ", 3) == 0);
    assert_true(mock_push_device_options(fx->srv, opts, sizeof(opts)));
    assert_non_null(strstr(opts, "MultiBioDataCount=0:3:0:0:0:0:0:0:0:0"));
    assert_non_null(strstr(opts, "FPCount=3"));

    /* QUERY: the finger asked for goes up again; other types have nothing to send. */
    uint64_t bio_before = c.bio_lines;
    static const cmd_case queries[] = {
        {"q1", "DATA QUERY BIODATA Type=1\tPIN=501\tNo=7", 0},
        {"q2", "DATA QUERY BIODATA Type=2", 0},
        {"q3", "DATA QUERY BIODATA Type=1\tPIN=999", PUSH_RET_NO_SUCH_USER},
    };
    run_cases(fx, queries, 3, 4);
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.bio_lines, bio_before + 1);

    /* DELETE by type and finger; another type deletes nothing; CLEAR BIODATA removes every finger. */
    static const cmd_case deletes[] = {
        {"d1", "DATA DELETE BIODATA Pin=501\tType=1\tNo=7", 0},
        {"d2", "DATA DELETE BIODATA Pin=501\tType=2", 0},
        {"d3", "DATA DELETE BIODATA Pin=999", PUSH_RET_NO_SUCH_USER},
    };
    run_cases(fx, deletes, 3, 4);
    assert_false(has_finger(fx, "501", 7));
    assert_true(has_finger(fx, "501", 6));
    mock_push_queue(fx->srv, "C:k1:CLEAR BIODATA");
    fx_run(fx, 3);
    assert_int_equal(fx_result_of(fx, "k1"), 0);
    char text[256];
    assert_true(mock_push_result(fx->srv, "k1", NULL, text, sizeof(text)));
    assert_string_equal(text, "ID=k1&Return=0&CMD=CLEAR_BIODATA\n");
    term_store_counts n;
    assert_int_equal(term_store_counts_get(fx->st, &n), TERM_OK);
    assert_int_equal(n.fingers, 0);
    assert_int_equal(n.users, 1);
}

/* A server that never announced unified templates keeps getting FP lines; BIODATA from it is still read. */
static void fingertmp_server(void **state)
{
    fixture *fx = *state;
    fx_run(fx, 2);
    mock_push_queue(fx->srv, "C:u1:DATA UPDATE USERINFO PIN=502\tName=Old School");
    char iso[8192], line[9000];
    tmp_b64(41, FP_FORMAT_ISO19794_2, iso, sizeof(iso));
    snprintf(line, sizeof(line), "C:f1:DATA UPDATE FINGERTMP PIN=502\tFID=2\tSize=%zu\tValid=1\tTMP=%s", strlen(iso),
             iso);
    mock_push_queue(fx->srv, line);
    queue_bio(fx, "b1", "502", "No=3\tType=1\tFormat=1", iso);
    fx_run(fx, 6);
    assert_int_equal(fx_result_of(fx, "f1"), 0);
    assert_int_equal(fx_result_of(fx, "b1"), 0);
    assert_identifies(fx, 41, "502");
    int fp2 = 0, fp3 = 0;
    char op[16384];
    for (size_t i = 0; mock_push_op_line(fx->srv, i, op, sizeof(op)); i++) {
        fp2 += strncmp(op, "FP PIN=502\tFID=2\t", 17) == 0;
        fp3 += strncmp(op, "FP PIN=502\tFID=3\t", 17) == 0;
    }
    assert_int_equal(fp2, 1);
    assert_int_equal(fp3, 1);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.bio_lines, 0);
    assert_int_equal(c.options_posts, 0); /* PushOptionsFlag absent: nothing pushed */
    /* DATA QUERY FINGERTMP sends the finger again, as an FP line */
    static const cmd_case queries[] = {
        {"q1", "DATA QUERY FINGERTMP PIN=502\tFingerID=2", 0},
        {"q2", "DATA QUERY FINGERTMP PIN=503", PUSH_RET_NO_SUCH_USER},
    };
    run_cases(fx, queries, 2, 4);
    fp2 = 0;
    for (size_t i = 0; mock_push_op_line(fx->srv, i, op, sizeof(op)); i++)
        fp2 += strncmp(op, "FP PIN=502\tFID=2\t", 17) == 0;
    assert_int_equal(fp2, 2);
}

static void stamps_tracked_then_check(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_TRACK_STAMPS);
    int64_t first = punch(fx, "21", 10, T0);
    fx_run(fx, 4);
    assert_seen(fx, first, first + 9, 1);
    char stamp[32];
    mock_push_last_stamp(fx->srv, "ATTLOG", stamp, sizeof(stamp));
    assert_int_equal(atoll(stamp), first + 9);

    /* DATA QUERY's answer carries the newest record the server holds, not 0. */
    mock_push_queue(fx->srv, "C:q1:DATA QUERY ATTLOG StartTime=2015-07-09 13:53:20\tEndTime=2015-07-09 13:53:23");
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "q1"), 0);
    mock_push_last_stamp(fx->srv, "ATTLOG", stamp, sizeof(stamp));
    assert_int_equal(atoll(stamp), first + 9);
    assert_seen(fx, first, first + 3, 2); /* the four asked for */
    assert_seen(fx, first + 4, first + 9, 1);

    /* CHECK: the server's stamp is where the terminal is; nothing goes again. */
    mock_push_queue(fx->srv, "C:k1:CHECK");
    fx_run(fx, 8);
    assert_int_equal(fx_result_of(fx, "k1"), 0);
    assert_seen(fx, first + 4, first + 9, 1);

    /* The server sets its stamp back to record 6 and sends CHECK: what follows 6 goes again, not everything. */
    char back[24];
    snprintf(back, sizeof(back), "%lld", (long long)(first + 5));
    mock_push_set_stamps(fx->srv, back, NULL);
    mock_push_queue(fx->srv, "C:k2:CHECK");
    fx_run(fx, 8);
    assert_seen(fx, first + 4, first + 5, 1);
    assert_seen(fx, first + 6, first + 9, 2);
    assert_true(logged(fx, "CHECK with ATTLOGStamp="));

    /* A plain re-registration with a stamp behind: nothing goes again (only CHECK rewinds). */
    mock_push_set_stamps(fx->srv, "3", NULL);
    mock_push_queue(fx->srv, "C:r1:RELOAD OPTIONS");
    fx_run(fx, 8);
    assert_int_equal(fx_result_of(fx, "r1"), 0);
    assert_seen(fx, first + 4, first + 5, 1);
    assert_true(logged(fx, "is behind the"));

    /* CHECK with the stamp at 0: the protocol's "send everything again". */
    mock_push_set_stamps(fx->srv, "0", NULL);
    mock_push_queue(fx->srv, "C:k3:CHECK");
    fx_run(fx, 8);
    assert_seen(fx, first + 4, first + 5, 2);
    assert_seen(fx, first + 6, first + 9, 3);
}

static void lost_poll_answers(void **state)
{
    fixture *fx = *state;
    fx_run(fx, 2);
    int64_t first = punch(fx, "31", 3, T0);
    mock_push_queue(fx->srv, "C:l1:DATA UPDATE USERINFO PIN=601\tName=Lost");
    mock_push_queue(fx->srv, "C:l2:DATA UPDATE USERINFO PIN=602\tName=Lost too");
    mock_push_lose_polls(fx->srv, 1);
    term_sync_kick(fx->sync);
    fx_run(fx, 8);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.lost_commands, 2);
    /* Never received, so never applied nor answered: the server will not send them again either. */
    assert_int_equal(mock_push_result_count(fx->srv, "l1"), 0);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "601", &info), TERM_ERR_NOT_FOUND);
    /* The terminal goes on (libcurl asks again on a fresh connection, or the engine registers again): later
     * commands and every record go through, once. */
    mock_push_queue(fx->srv, "C:l3:DATA UPDATE USERINFO PIN=603\tName=Found");
    int64_t more = punch(fx, "31", 2, T0 + 10);
    term_sync_kick(fx->sync);
    fx_run(fx, 6);
    assert_int_equal(mock_push_result_count(fx->srv, "l3"), 1);
    assert_int_equal(fx_result_of(fx, "l3"), 0);
    assert_seen(fx, first, more + 1, 1);
}

static void users_echoed_without_password(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_ECHO_USERS);
    fx_run(fx, 2);
    /* A PIN from the server and one set at the terminal. */
    mock_push_queue(fx->srv, "C:u1:DATA UPDATE USERINFO PIN=701\tName=Ann\tPri=0\tPasswd=4321\tCard=7010");
    term_user u = {.privilege = TERM_PRIV_USER};
    snprintf(u.id, sizeof(u.id), "702");
    snprintf(u.name, sizeof(u.name), "Bo");
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_pin_set(fx->st, "702", "5555"), TERM_OK);
    term_sync_kick(fx->sync);
    fx_run(fx, 12);
    /* The server stored both users without a password and sent them back with Passwd= empty. */
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_true(c.echoed_users >= 2);
    for (unsigned i = 1; i <= c.echoed_users; i++) {
        char id[16];
        snprintf(id, sizeof(id), "echo%u", i);
        assert_int_equal(fx_result_of(fx, id), 0);
    }
    /* No PIN lost, the reason logged; the USER lines never carried one, and the log says so. */
    assert_int_equal(term_store_pin_check(fx->st, "701", "4321"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "702", "5555"), TERM_OK);
    assert_true(logged(fx, "empty Passwd ignored, the user's PIN is kept"));
    assert_true(logged(fx, "queued without Passwd"));
    char line[512];
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++) assert_null(strstr(line, "Passwd"));
    /* Absent keeps, a value replaces. */
    mock_push_set_modes(fx->srv, 0);
    mock_push_queue(fx->srv, "C:r1:DATA UPDATE USERINFO PIN=701\tName=Ann Lee");
    mock_push_queue(fx->srv, "C:r2:DATA UPDATE USERINFO PIN=702\tPasswd=6666");
    fx_run(fx, 4);
    assert_int_equal(term_store_pin_check(fx->st, "701", "4321"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "702", "6666"), TERM_OK);
    /* The installer lets the server remove PINs: then an empty Passwd does. */
    set_setting(fx, TERM_SETTING_SERVER_PIN_REMOVAL, 1);
    mock_push_queue(fx->srv, "C:r3:DATA UPDATE USERINFO PIN=702\tPasswd=");
    fx_run(fx, 4);
    assert_int_equal(fx_result_of(fx, "r3"), 0);
    assert_int_equal(term_store_pin_check(fx->st, "702", "6666"), TERM_ERR_NOT_FOUND);
    assert_true(logged(fx, "empty Passwd removed the user's PIN"));
    /* A server cannot give itself that permission. */
    static const cmd_case refused[] = {
        {"r4", "SET OPTION server_may_remove_pins=off", PUSH_RET_NOT_SUPPORTED},
        {"r5", "SET OPTION upload_attendance_always=on", PUSH_RET_NOT_SUPPORTED},
    };
    run_cases(fx, refused, 2, 4);
}

static void verify_sum(void **state)
{
    fixture *fx = *state;
    punch(fx, "41", 3, T0);
    punch(fx, "41", 1, T0 + 86400);
    fx_run(fx, 2);
    mock_push_queue(fx->srv, "C:v1:VERIFY SUM ATTLOG StartTime=2015-07-09 00:00:00\tEndTime=2015-07-09 23:59:59");
    mock_push_queue(fx->srv, "C:v2:VERIFY SUM ATTLOG StartTime=2015-07-09 00:00:00");
    mock_push_queue(fx->srv, "C:v3:VERIFY SUM OPLOG StartTime=2015-07-09 00:00:00\tEndTime=2015-07-09 23:59:59");
    fx_run(fx, 4);
    char text[256];
    assert_true(mock_push_result(fx->srv, "v1", NULL, text, sizeof(text)));
    assert_string_equal(text, "ID=v1&Return=0&CMD=VERIFY SUM&StartTime=2015-07-09 00:00:00&EndTime=2015-07-09 "
                              "23:59:59&AttlogSum=3\n");
    assert_true(mock_push_result(fx->srv, "v2", NULL, text, sizeof(text)));
    assert_string_equal(text, "ID=v2&Return=-1&CMD=VERIFY SUM\n");
    assert_true(mock_push_result(fx->srv, "v3", NULL, text, sizeof(text)));
    assert_string_equal(text, "ID=v3&Return=-1002&CMD=VERIFY SUM\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(transflag_without_attlog_and_restart, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(one_command_per_poll_one_result_per_post, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(biodata_both_ways, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(fingertmp_server, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stamps_tracked_then_check, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(lost_poll_answers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(users_echoed_without_password, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(verify_sum, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
