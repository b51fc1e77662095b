/*
 * test_term_sync_store.c - the sync engine where it meets the store, over
 * an in-memory transport that plays the server (no sockets):
 *
 *   - user ids from the server in the store's terms: PIN=01 is user 1 (a
 *     new user is stored as "1", "001" updates it, "0001" names it for a
 *     finger, a query and a delete), PIN=7 finds a user "007" kept from
 *     earlier firmware, PIN=0 is refused;
 *   - storage full (the database may not grow: SQLite's max_page_count)
 *     answers -1001 with a log line saying so, and nothing is half stored;
 *     the store's TERM_ERR_STORAGE_FULL maps to -1001;
 *   - a database rebuilt by the recovery (term_store_salvage) keeps the
 *     upload watermarks: records the server acknowledged are not sent
 *     again, the others are; without readable watermarks every copied
 *     record goes up again.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"
#include "term_sync.h"
#include "term_test_sync.h"

#define SN "STORE001"
#define MAX_IDS 4096

/* ---- the server, in memory ---- */

typedef struct script_server {
    char queue[8][9000]; /* command lines for the next getrequest */
    size_t nqueue;
    char results[64][160]; /* result lines received */
    size_t nresults;
    unsigned att_seen[MAX_IDS]; /* ATTLOG lines received per record id */
    char oplines[64][256];      /* OPERLOG lines received */
    size_t noplines;
    int down; /* every request fails (the network is gone) */
} script_server;

static push_status answer(push_response *resp, const char *text)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
    resp->body_len = strlen(text);
    resp->body = malloc(resp->body_len + 1);
    if (resp->body == NULL) return PUSH_ERR_NO_MEMORY;
    memcpy(resp->body, text, resp->body_len + 1);
    return PUSH_OK;
}

/* Calls fn for each line of body[0..len). */
static void each_line(script_server *sv, const char *body, size_t len, void (*fn)(script_server *sv, const char *line))
{
    char line[16384];
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        while (i + n < len && body[i + n] != '\n') n++;
        if (n > 0 && n < sizeof(line)) {
            memcpy(line, body + i, n);
            line[n] = '\0';
            fn(sv, line);
        }
        i += n + 1;
    }
}

/* Copies a line, cut to cap. */
static void keep(char *dst, size_t cap, const char *line)
{
    size_t n = strnlen(line, cap - 1);
    memcpy(dst, line, n);
    dst[n] = '\0';
}

static void take_result(script_server *sv, const char *line)
{
    if (strncmp(line, "ID=", 3) == 0 && sv->nresults < 64)
        keep(sv->results[sv->nresults++], sizeof(sv->results[0]), line);
}

static void take_att(script_server *sv, const char *line)
{
    /* PIN, time, status, verify, workcode, reserved1 = the terminal's record id */
    const char *p = line;
    for (int f = 0; f < 5 && p; f++) {
        p = strchr(p, '\t');
        if (p) p++;
    }
    long id = p ? strtol(p, NULL, 10) : 0;
    if (id > 0 && id < MAX_IDS) sv->att_seen[id]++;
}

static void take_op(script_server *sv, const char *line)
{
    if (sv->noplines < 64) keep(sv->oplines[sv->noplines++], sizeof(sv->oplines[0]), line);
}

static push_status sv_request(void *ctx, const char *method, const char *path, const char *body, size_t len,
                              push_response *resp)
{
    script_server *sv = ctx;
    (void)method;
    memset(resp, 0, sizeof(*resp));
    if (sv->down) return PUSH_ERR_NETWORK;
    if (strstr(path, "options=all"))
        return answer(resp, "GET OPTION FROM: " SN "\nATTLOGStamp=None\nOPERLOGStamp=None\nDelay=10\nErrorDelay=30\n"
                            "TransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\tEnrollFP\tChgFP\nRealtime=1\n");
    if (strncmp(path, "/iclock/getrequest", 18) == 0) {
        char all[sizeof(sv->queue)] = "";
        for (size_t i = 0; i < sv->nqueue; i++) {
            strcat(all, sv->queue[i]);
            strcat(all, "\n");
        }
        sv->nqueue = 0;
        return answer(resp, all[0] ? all : "OK");
    }
    if (strncmp(path, "/iclock/devicecmd", 17) == 0) each_line(sv, body, len, take_result);
    if (strstr(path, "table=ATTLOG")) each_line(sv, body, len, take_att);
    if (strstr(path, "table=OPERLOG")) each_line(sv, body, len, take_op);
    return answer(resp, "OK");
}

static push_status sv_download(void *ctx, const char *url, int fd, uint64_t max_bytes, uint64_t *written)
{
    (void)ctx, (void)url, (void)fd, (void)max_bytes;
    *written = 0;
    return PUSH_ERR_NETWORK;
}

static void sv_destroy(void *ctx)
{
    (void)ctx;
}

static const push_transport_ops sv_ops = {PUSH_TRANSPORT_VERSION, sv_request, sv_download, sv_destroy};

/* ---- fixture ---- */

typedef struct fixture {
    char dir[64], db[128], key[128];
    term_store_config cfg;
    term_store *st;
    script_server sv;
    push_transport tp;
    term_sync *sync;
    int64_t now;
    char log[16384];
} fixture;

static void on_log(void *ctx, term_sync_log_level level, const char *msg)
{
    fixture *fx = ctx;
    (void)level;
    size_t n = strlen(fx->log);
    snprintf(fx->log + n, sizeof(fx->log) - n, "%s\n", msg);
}

static void make_engine(fixture *fx)
{
    fx->tp = (push_transport){&sv_ops, &fx->sv};
    term_sync_config c;
    memset(&c, 0, sizeof(c));
    c.serial = SN;
    c.poll_ms = 1000;
    c.device.ctx = fx;
    c.device.log = on_log;
    assert_int_equal(term_sync_create(&c, fx->st, &fx->tp, &fx->sync), PUSH_OK);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx) return -1;
    if (TERMT_TEMP_DB(fx, "test_term_sync_store") != 0) return -1;
    termt_store_config(&fx->cfg, fx->db, fx->key);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    make_engine(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_sync_destroy(fx->sync);
    term_store_close(fx->st);
    termt_remove_dir(fx->dir);
    free(fx);
    return 0;
}

/* n steps, each at the engine's next wake-up (never backwards). */
static void run(fixture *fx, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t wake = term_sync_next_wake(fx->sync);
        if (wake > fx->now) fx->now = wake;
        term_sync_step(fx->sync, fx->now);
    }
}

/* The server queues one command; a few steps later, its Return (12345: no result). */
static int command(fixture *fx, const char *line)
{
    const char *id = line + 2;
    size_t idn = strcspn(id, ":");
    assert_true(fx->sv.nqueue < 8);
    snprintf(fx->sv.queue[fx->sv.nqueue++], sizeof(fx->sv.queue[0]), "%s", line);
    run(fx, 4);
    for (size_t i = fx->sv.nresults; i-- > 0;)
        if (strncmp(fx->sv.results[i] + 3, id, idn) == 0 && fx->sv.results[i][3 + idn] == '&') {
            const char *r = strstr(fx->sv.results[i], "Return=");
            return r ? atoi(r + 7) : 12345;
        }
    return 12345;
}

static int64_t query_int(fixture *fx, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(term_store_db(fx->st), sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void add_records(fixture *fx, int n)
{
    for (int i = 0; i < n; i++) {
        term_record rec = {.time = 1436424000 + i, .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_NONE};
        snprintf(rec.uid, sizeof(rec.uid), "5");
        assert_int_equal(term_store_record_add(fx->st, &rec, NULL), TERM_OK);
    }
}

/* A finger as the server sends it: ISO 19794-2 in base64. */
static size_t iso_b64(char *out, size_t cap)
{
    fp_minutia m[30];
    for (int i = 0; i < 30; i++)
        m[i] = (fp_minutia){.x = (uint16_t)(40 + i * 7),
                            .y = (uint16_t)(50 + (i * 37) % 280),
                            .angle = (uint8_t)(i * 23),
                            .type = (uint8_t)(1 + i % 2),
                            .quality = 80};
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(320, 400, 500, m, 30, 70, &t), FP_OK);
    uint8_t iso[4096];
    size_t iso_len = 0, b64_len = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_ISO19794_2, iso, sizeof(iso), &iso_len), FP_OK);
    fp_template_destroy(t);
    assert_int_equal(push_base64_encode(iso, iso_len, out, cap, &b64_len), PUSH_OK);
    return b64_len;
}

/* ---- tests ---- */

static void test_server_user_ids_normalised(void **state)
{
    fixture *fx = *state;
    run(fx, 1);
    assert_true(term_sync_is_online(fx->sync));
    /* a user "007" stored by earlier firmware, before ids were canonical */
    assert_int_equal(sqlite3_exec(term_store_db(fx->st),
                                  "INSERT INTO users (id, name, privilege) VALUES ('007', 'Old', 0)", NULL, NULL, NULL),
                     SQLITE_OK);

    assert_int_equal(command(fx, "C:u1:DATA UPDATE USERINFO PIN=01\tName=One\tPri=0"), 0);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "1", &info), TERM_OK);
    assert_string_equal(info.id, "1"); /* stored canonical */
    assert_string_equal(info.name, "One");
    assert_int_equal(command(fx, "C:u2:DATA UPDATE USERINFO PIN=001\tName=Uno"), 0);
    assert_int_equal(term_store_user_get(fx->st, "1", &info), TERM_OK);
    assert_string_equal(info.name, "Uno");
    assert_int_equal(command(fx, "C:u3:DATA UPDATE USERINFO PIN=7\tName=Seven"), 0);
    assert_int_equal(query_int(fx, "SELECT COUNT(*) FROM users"), 2); /* "1" and "007": nobody doubled */
    assert_int_equal(term_store_user_get(fx->st, "007", &info), TERM_OK);
    assert_string_equal(info.name, "Seven");
    assert_true(strstr(fx->log, "user id '01' from the server is user 1 here") != NULL);

    /* a finger, a query, a delete, each naming the user another way */
    char b64[4096], line[4300];
    size_t n = iso_b64(b64, sizeof(b64));
    snprintf(line, sizeof(line), "C:f1:DATA UPDATE FINGERTMP PIN=0001\tFID=2\tSize=%zu\tValid=1\tTMP=%s", n, b64);
    assert_int_equal(command(fx, line), 0);
    size_t len = 0;
    assert_int_equal(term_store_finger_get(fx->st, "1", 2, NULL, 0, &len), TERM_OK);
    size_t ops = fx->sv.noplines;
    assert_int_equal(command(fx, "C:q1:DATA QUERY USERINFO PIN=00001"), 0);
    run(fx, 2);
    int found = 0;
    for (size_t i = ops; i < fx->sv.noplines; i++) found |= strncmp(fx->sv.oplines[i], "USER PIN=1\t", 11) == 0;
    assert_true(found);
    assert_int_equal(command(fx, "C:d1:DATA DELETE USERINFO PIN=01"), 0);
    assert_int_equal(term_store_user_get(fx->st, "1", &info), TERM_ERR_NOT_FOUND);

    /* 0 is no user id, in any spelling */
    assert_int_equal(command(fx, "C:z1:DATA UPDATE USERINFO PIN=0\tName=Zero"), -1);
    assert_int_equal(command(fx, "C:z2:DATA UPDATE USERINFO PIN=000\tName=Zero"), -1);
    assert_int_equal(query_int(fx, "SELECT COUNT(*) FROM users"), 1);
}

static void test_storage_full(void **state)
{
    fixture *fx = *state;
    assert_int_equal(term_sync_return_of(TERM_ERR_STORAGE_FULL), PUSH_RET_CAPACITY);
    run(fx, 1);
    add_records(fx, 300);
    run(fx, 3);
    assert_int_equal(fx->sv.att_seen[300], 1);

    /* the database may not grow any more (as on a full file system: SQLite answers SQLITE_FULL) */
    char sql[80];
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)query_int(fx, "PRAGMA page_count"));
    assert_int_equal(sqlite3_exec(term_store_db(fx->st), sql, NULL, NULL, NULL), SQLITE_OK);
    /* 300 queued lines need new pages: refused as a whole, answered "no room", said in the log */
    assert_int_equal(command(fx, "C:q1:DATA QUERY ATTLOG StartTime=2015-01-01 00:00:00\tEndTime=2016-01-01 00:00:00"),
                     -1001);
    assert_true(strstr(fx->log, "QUERY ATTLOG: storage full (the file system has no room)") != NULL);
    assert_int_equal(query_int(fx, "SELECT COUNT(*) FROM sync_outbox"), 0);
    assert_int_equal(query_int(fx, "SELECT COUNT(*) FROM records"), 300); /* nothing lost */

    /* room again: the server asks again and gets them */
    assert_int_equal(sqlite3_exec(term_store_db(fx->st), "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(command(fx, "C:q2:DATA QUERY ATTLOG StartTime=2015-01-01 00:00:00\tEndTime=2016-01-01 00:00:00"),
                     0);
    run(fx, 3);
    assert_int_equal(fx->sv.att_seen[150], 2); /* the upload, then the answer to the query */
}

/* OPLOG lines the server received. */
static int oplog_lines(fixture *fx)
{
    int n = 0;
    for (size_t i = 0; i < fx->sv.noplines; i++) n += strncmp(fx->sv.oplines[i], "OPLOG ", 6) == 0;
    return n;
}

/*
 * Records 1..10 (and an operation-log entry) acknowledged, 11..13 not (the network went away); then the
 * recovery's rebuild: the file moved aside, a new database, every readable
 * row copied (term_store_salvage), a new engine, the network back.
 */
static void rebuild(fixture *fx, int drop_marks, term_store_salvage_report *rep)
{
    run(fx, 1);
    add_records(fx, 10);
    assert_int_equal(term_store_oplog_add(fx->st, 1436424000, TERM_OP_SETTINGS_CHANGE, "", "before"), TERM_OK);
    run(fx, 2);
    for (int id = 1; id <= 10; id++) assert_int_equal(fx->sv.att_seen[id], 1);
    assert_int_equal(oplog_lines(fx), 1);
    fx->sv.down = 1;
    add_records(fx, 3);
    run(fx, 2);
    assert_int_equal(fx->sv.att_seen[11], 0);
    if (drop_marks) /* as if the page holding them could not be read */
        assert_int_equal(sqlite3_exec(term_store_db(fx->st), "DROP TABLE sync_state", NULL, NULL, NULL), SQLITE_OK);
    term_sync_destroy(fx->sync);
    term_store_close(fx->st);

    char aside[300];
    assert_int_equal(term_store_set_aside(fx->db, 1436424000, aside, sizeof(aside)), TERM_OK);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK); /* a first boot: the new database */
    term_store_config old = fx->cfg;
    old.db_path = aside;
    old.read_only = 1;
    term_store *src = NULL;
    assert_int_equal(term_store_open(&old, &src), TERM_OK);
    assert_int_equal(term_store_salvage(fx->st, src, rep), TERM_OK);
    term_store_close(src);
    assert_int_equal(rep->records, 13);

    memset(fx->sv.att_seen, 0, sizeof(fx->sv.att_seen));
    fx->sv.noplines = 0;
    fx->sv.down = 0;
    make_engine(fx);
    run(fx, 3);
}

static void test_restored_records_not_sent_again(void **state)
{
    fixture *fx = *state;
    term_store_salvage_report rep;
    rebuild(fx, 0, &rep);
    assert_int_equal(rep.upload_marks, 2);
    for (int id = 1; id <= 10; id++) assert_int_equal(fx->sv.att_seen[id], 0); /* the server has them */
    for (int id = 11; id <= 13; id++) assert_int_equal(fx->sv.att_seen[id], 1);
    assert_int_equal(oplog_lines(fx), 0);
    term_sync_stats st;
    assert_int_equal(term_sync_stats_get(fx->sync, &st), PUSH_OK);
    assert_int_equal(st.att_acked_id, 13);
}

static void test_restored_records_without_marks_go_again(void **state)
{
    fixture *fx = *state;
    term_store_salvage_report rep;
    rebuild(fx, 1, &rep);
    assert_int_equal(rep.upload_marks, 0);
    /* at least once: every copied record goes up again, each carrying its record id */
    for (int id = 1; id <= 13; id++) assert_int_equal(fx->sv.att_seen[id], 1);
    assert_int_equal(oplog_lines(fx), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_server_user_ids_normalised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restored_records_not_sent_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restored_records_without_marks_go_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
