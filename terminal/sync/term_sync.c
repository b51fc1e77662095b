/*
 * term_sync.c - the sync engine. See term_sync.h and docs/sync.md.
 *
 * The outbox: attendance records and operation-log entries are uploaded
 * straight from the store's own tables using their ids (AUTOINCREMENT,
 * never reused) as watermarks kept in sync_state; a watermark moves only
 * after the server acknowledged the batch, in the same statement for the
 * whole batch. Lines that are not rows of those tables (USER/FP backup
 * lines, DATA QUERY answers) go through an explicit queue, sync_outbox,
 * and leave it only when acknowledged.
 *
 * The engine reads the store's tables records, oplog, users, cards and
 * fingers with its own SQL (read only, except for the one transaction of
 * DATA UPDATE USERINFO and CLEAR DATA, which must be atomic and so cannot be
 * built from several term_store calls that each commit).
 */
#include "term_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fp/fp.h"

#define PIN_SALT_BYTES 16
#define PIN_HASH_BYTES 32
#define RESULT_LINES_MAX 64
#define CMD_HISTORY 2000

struct term_sync {
    term_store *st;
    sqlite3 *db;
    push_transport *tp;
    char sn[33];
    char pushver[16];
    char fwver[64];
    char devname[64];
    char staging[480];
    uint8_t pubkey[TERM_FW_PUBKEY_BYTES];
    int have_key;
    uint32_t batch_lines;
    size_t batch_bytes;
    uint32_t backoff_min_ms, error_delay_ms, poll_ms;
    term_sync_device_ops dev;

    push_options opt;
    int registered;
    int info_sent;
    int upload_now;
    int backlog;
    int scan_needed;
    int reboot_pending;
    int bound; /* a registration has succeeded once (persisted as sync_state.bound) */
    int check_pending;
    int reload_pending;
    unsigned failures;
    int64_t now;
    int64_t next_handshake, next_poll, next_upload;
    int64_t last_poll; /* when getrequest last succeeded */
    int64_t last_scanned_oplog;
    int have_local_time;   /* the server's Date gave us local time: */
    int64_t local_base_s;  /* local seconds at ... */
    int64_t local_base_ms; /* ... this monotonic time */

    char *buf;
    int64_t *ids;
    term_sync_stats stats;
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static void logf_(term_sync *s, term_sync_log_level level, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (level >= TERM_SYNC_LOG_WARN) {
        size_t n = strnlen(msg, sizeof(s->stats.last_reason) - 1);
        memcpy(s->stats.last_reason, msg, n);
        s->stats.last_reason[n] = '\0';
    }
    if (s->dev.log) s->dev.log(s->dev.ctx, level, msg);
}

static int db_exec(term_sync *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int64_t state_get(term_sync *s, const char *key, int64_t def)
{
    sqlite3_stmt *q = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM sync_state WHERE key = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

static int state_set_text(term_sync *s, const char *key, const char *value)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, value, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(q);
    return rc;
}

static int state_set(term_sync *s, const char *key, int64_t v)
{
    char text[32];
    snprintf(text, sizeof(text), "%lld", (long long)v);
    return state_set_text(s, key, text);
}

static int64_t query_int(term_sync *s, const char *sql, int64_t def)
{
    sqlite3_stmt *q = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static int ret_of(term_status t)
{
    switch (t) {
    case TERM_OK:
        return PUSH_RET_OK;
    case TERM_ERR_NOT_FOUND:
        return PUSH_RET_NO_SUCH_USER;
    case TERM_ERR_CAPACITY_USERS:
    case TERM_ERR_CAPACITY_FINGERS:
    case TERM_ERR_CAPACITY_CARDS:
    case TERM_ERR_CAPACITY_RECORDS:
    case TERM_ERR_CAPACITY_OPLOG:
        return PUSH_RET_CAPACITY;
    case TERM_ERR_BAD_TEMPLATE:
        return PUSH_RET_TEMPLATE_ILLEGAL;
    case TERM_ERR_NO_MEMORY:
        return -1007;
    case TERM_ERR_IO:
    case TERM_ERR_DATABASE:
    case TERM_ERR_CORRUPT:
    case TERM_ERR_CRYPTO:
        return PUSH_RET_READ_WRITE;
    default:
        return PUSH_RET_BAD_PARAMETER;
    }
}

/* Percent-encodes s for a query string. */
static void pct(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s && o + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static uint64_t fnv64(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sync_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  tbl TEXT NOT NULL, line TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sync_cmds (id TEXT PRIMARY KEY NOT NULL, reply TEXT NOT NULL,"
    "  state INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sync_digest (key TEXT PRIMARY KEY NOT NULL, digest INTEGER NOT NULL);";

push_status term_sync_create(const term_sync_config *cfg, term_store *store, push_transport *transport, term_sync **out)
{
    if (cfg == NULL || store == NULL || transport == NULL || transport->ops == NULL || out == NULL ||
        cfg->serial == NULL)
        return PUSH_ERR_INVALID_ARGUMENT;
    *out = NULL;
    size_t sn_len = strlen(cfg->serial);
    if (sn_len == 0 || sn_len > 32) return PUSH_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < sn_len; i++) {
        char c = cfg->serial[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return PUSH_ERR_INVALID_ARGUMENT;
    }
    if (cfg->staging_dir != NULL && strlen(cfg->staging_dir) >= 400) return PUSH_ERR_INVALID_ARGUMENT;
    term_sync *s = calloc(1, sizeof(*s));
    if (s == NULL) return PUSH_ERR_NO_MEMORY;
    s->st = store;
    s->db = term_store_db(store);
    s->tp = transport;
    memcpy(s->sn, cfg->serial, sn_len + 1);
    snprintf(s->pushver, sizeof(s->pushver), "%s", cfg->push_version ? cfg->push_version : "2.4.1");
    snprintf(s->fwver, sizeof(s->fwver), "%s", cfg->fw_version ? cfg->fw_version : "unknown");
    snprintf(s->devname, sizeof(s->devname), "%s",
             cfg->device_name                   ? cfg->device_name
             : term_store_profile(store)->model ? term_store_profile(store)->model
                                                : "M1");
    if (cfg->staging_dir) snprintf(s->staging, sizeof(s->staging), "%s", cfg->staging_dir);
    if (cfg->fw_pubkey) {
        memcpy(s->pubkey, cfg->fw_pubkey, TERM_FW_PUBKEY_BYTES);
        s->have_key = 1;
    }
    s->batch_lines = cfg->batch_lines ? cfg->batch_lines : 500;
    s->batch_bytes = cfg->batch_bytes ? cfg->batch_bytes : 256u * 1024u;
    if (s->batch_bytes < 16384) s->batch_bytes = 16384; /* room for the largest FP line */
    s->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : 1000;
    s->error_delay_ms = cfg->error_delay_ms;
    s->poll_ms = cfg->poll_ms;
    s->dev = cfg->device;
    push_options_defaults(&s->opt);
    s->scan_needed = 1;
    s->last_scanned_oplog = -1;
    s->buf = malloc(s->batch_bytes + 1);
    s->ids = malloc(sizeof(int64_t) * s->batch_lines);
    if (s->buf == NULL || s->ids == NULL || s->db == NULL) {
        push_status st = s->db == NULL ? PUSH_ERR_STORE : PUSH_ERR_NO_MEMORY;
        term_sync_destroy(s);
        return st;
    }
    if (db_exec(s, schema_sql) != 0) {
        term_sync_destroy(s);
        return PUSH_ERR_STORE;
    }
    /* Enrolments interrupted by a restart can no longer finish: answer them as timed out. */
    char sql[160];
    snprintf(sql, sizeof(sql),
             "UPDATE sync_cmds SET state = 1, reply = replace(reply, '&Return=0&', '&Return=%d&')"
             " WHERE state = 0",
             PUSH_RET_TIMEOUT);
    db_exec(s, sql);
    s->bound = state_get(s, "bound", 0) != 0;
    *out = s;
    return PUSH_OK;
}

void term_sync_destroy(term_sync *s)
{
    if (s == NULL) return;
    free(s->buf);
    free(s->ids);
    free(s);
}

void term_sync_kick(term_sync *s)
{
    if (s != NULL) {
        s->upload_now = 1;
        s->scan_needed = 1;
    }
}

int term_sync_is_online(const term_sync *s)
{
    return s != NULL && s->registered;
}

int term_sync_is_bound(const term_sync *s)
{
    return s != NULL && s->bound;
}

void term_sync_bind_code(const term_sync *s, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) return;
    if (s == NULL) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "SN=%s&DeviceName=%s&PushVersion=%s", s->sn, s->devname, s->pushver);
}

int term_sync_realtime(const term_sync *s)
{
    return s != NULL && s->opt.realtime;
}

push_status term_sync_set_transport(term_sync *s, push_transport *transport)
{
    if (s == NULL || transport == NULL || transport->ops == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    s->tp = transport;
    s->registered = 0;
    s->info_sent = 0;
    s->failures = 0;
    s->next_handshake = s->now;
    return PUSH_OK;
}

void term_sync_check_now(term_sync *s)
{
    if (s == NULL) return;
    if (s->registered)
        s->next_poll = s->now;
    else
        s->next_handshake = s->now; /* the poll follows the registration at once */
}

/* ------------------------------------------------------------------------ */
/* Requests and the link state                                              */
/* ------------------------------------------------------------------------ */

static int64_t error_delay_ms(const term_sync *s)
{
    return s->error_delay_ms ? (int64_t)s->error_delay_ms : (int64_t)s->opt.error_delay_s * 1000;
}

static int64_t poll_interval_ms(const term_sync *s)
{
    return s->poll_ms ? (int64_t)s->poll_ms : (int64_t)s->opt.delay_s * 1000;
}

static push_status link_failed(term_sync *s, push_status st, const char *what)
{
    s->registered = 0;
    s->failures++;
    s->stats.failures++;
    s->stats.last_error = st;
    int64_t delay = (int64_t)s->backoff_min_ms << (s->failures > 16 ? 16 : s->failures - 1);
    if (delay > error_delay_ms(s)) delay = error_delay_ms(s);
    s->next_handshake = s->now + delay;
    logf_(s, TERM_SYNC_LOG_WARN, "%s failed: %s (%s); retry in %lld ms", what, push_status_name(st),
          push_status_message(st), (long long)delay);
    return st;
}

static push_status call(term_sync *s, const char *method, const char *path, const char *body, size_t len,
                        push_response *resp)
{
    s->stats.requests++;
    push_status st = s->tp->ops->request(s->tp->ctx, method, path, body, len, resp);
    if (st == PUSH_OK && resp->status != 200) {
        logf_(s, TERM_SYNC_LOG_WARN, "%s %s: HTTP %ld", method, path, resp->status);
        push_response_clear(resp);
        st = PUSH_ERR_HTTP_STATUS;
    }
    return st;
}

static void set_clock_from(term_sync *s, const push_response *r)
{
    int64_t utc;
    if (r->date[0] == '\0') return;
    if (push_http_date_parse(r->date, strlen(r->date), &utc) != PUSH_OK) {
        logf_(s, TERM_SYNC_LOG_WARN, "server Date header '%.40s' ignored: malformed", r->date);
        return;
    }
    int64_t local = utc + (int64_t)s->opt.timezone_min * 60;
    s->have_local_time = 1;
    s->local_base_s = local;
    s->local_base_ms = s->now;
    if (s->dev.set_clock) s->dev.set_clock(s->dev.ctx, local);
}

/*
 * Next interval or timed upload (Realtime=0): TransInterval minutes from
 * now, or the next TransTimes minute of the local day (known from the
 * server's Date + TimeZone), whichever comes first.
 */
static void schedule_upload(term_sync *s)
{
    int64_t next = INT64_MAX; /* none: only on kick, LOG or Realtime */
    if (s->opt.trans_interval_min > 0) next = s->now + (int64_t)s->opt.trans_interval_min * 60000;
    if (s->opt.n_trans_times > 0 && s->have_local_time) {
        int64_t local = s->local_base_s + (s->now - s->local_base_ms) / 1000;
        int64_t sec_of_day = ((local % 86400) + 86400) % 86400;
        for (uint32_t i = 0; i < s->opt.n_trans_times; i++) {
            int64_t at = (int64_t)s->opt.trans_times[i] * 60 - sec_of_day;
            if (at <= 0) at += 86400;
            int64_t t = s->now + at * 1000;
            if (t < next) next = t;
        }
    }
    s->next_upload = next;
}

static push_status handshake(term_sync *s)
{
    char path[256];
    snprintf(path, sizeof(path), "/iclock/cdata?SN=%s&options=all&pushver=%s&language=69", s->sn, s->pushver);
    push_response r;
    push_status st = call(s, "GET", path, NULL, 0, &r);
    if (st != PUSH_OK) return link_failed(s, st, "registration");
    push_options o;
    char why[200] = "";
    st = push_options_parse(r.body, r.body_len, s->sn, &o, why, sizeof(why));
    if (st != PUSH_OK && st != PUSH_ADJUSTED) {
        push_response_clear(&r);
        logf_(s, TERM_SYNC_LOG_ERROR, "options rejected: %s", why);
        return link_failed(s, st, "registration");
    }
    if (st == PUSH_ADJUSTED) logf_(s, TERM_SYNC_LOG_WARN, "server options adjusted: %s", why);
    if (o.bare_ok) logf_(s, TERM_SYNC_LOG_INFO, "server answered a bare OK: default options in force");
    s->opt = o;
    state_set_text(s, "server_att_stamp", o.att_stamp);
    state_set_text(s, "server_op_stamp", o.op_stamp);
    if (s->check_pending) {
        /* CHECK: the server asks for everything after its stamp again; 0 means from the start. */
        if (!o.bare_ok && strcmp(o.att_stamp, "0") == 0) state_set(s, "att_acked", 0);
        if (!o.bare_ok && strcmp(o.op_stamp, "0") == 0) state_set(s, "op_acked", 0);
        s->check_pending = 0;
    }
    s->reload_pending = 0;
    set_clock_from(s, &r);
    push_response_clear(&r);
    s->registered = 1;
    if (!s->bound && state_set(s, "bound", 1) == 0) s->bound = 1;
    s->failures = 0;
    s->info_sent = 0;
    s->stats.handshakes++;
    s->next_poll = s->now;
    s->last_poll = s->now;
    s->upload_now = o.realtime; /* otherwise the backlog waits for TransInterval / TransTimes */
    s->scan_needed = 1;
    schedule_upload(s);
    logf_(s, TERM_SYNC_LOG_INFO, "registered: Delay=%u ErrorDelay=%u Realtime=%d TimeZone=%d min", o.delay_s,
          o.error_delay_s, o.realtime, o.timezone_min);
    return PUSH_OK;
}

/* ------------------------------------------------------------------------ */
/* Uploads                                                                  */
/* ------------------------------------------------------------------------ */

/* Posts buf[0..len) to table; *acked receives the number of lines the server took (1..lines). */
static push_status post_batch(term_sync *s, const char *table, int64_t stamp, size_t len, uint32_t lines,
                              uint32_t *acked)
{
    char path[160];
    snprintf(path, sizeof(path), "/iclock/cdata?SN=%s&table=%s&Stamp=%lld", s->sn, table, (long long)stamp);
    push_response r;
    push_status st = call(s, "POST", path, s->buf, len, &r);
    if (st != PUSH_OK) return st;
    int64_t n = 0;
    st = push_ack_parse(r.body, r.body_len, &n);
    if (st != PUSH_OK)
        logf_(s, TERM_SYNC_LOG_WARN, "upload of %s not acknowledged: '%.60s'", table, r.body ? r.body : "");
    push_response_clear(&r);
    if (st != PUSH_OK) return st;
    if (n == 0) return PUSH_ERR_NOT_ACKNOWLEDGED;
    /* "OK: n" with n < lines: the server took the first n (it processes in order); the rest go again. */
    *acked = (n < 0 || n >= (int64_t)lines) ? lines : (uint32_t)n;
    return PUSH_OK;
}

static int oplog_code(int op)
{
    switch (op) {
    case TERM_OP_USER_ADD:
        return 30;
    case TERM_OP_USER_UPDATE:
        return 30;
    case TERM_OP_USER_DELETE:
        return 9;
    case TERM_OP_PIN_SET:
        return 7;
    case TERM_OP_CARD_SET:
        return 8;
    case TERM_OP_FINGER_SET:
        return 6;
    case TERM_OP_FINGER_DELETE:
        return 10;
    case TERM_OP_ATTLOG_DELETE:
        return 23;
    case TERM_OP_SETTINGS_CHANGE:
        return 5;
    case TERM_OP_FACTORY_RESET:
        return 22;
    case TERM_OP_MENU_ENTER:
        return 4;
    default:
        return 5;
    }
}

/* ATTLOG (records) or OPERLOG (oplog) rows past the watermark. */
static push_status upload_table(term_sync *s, int att, int *more)
{
    const char *key = att ? "att_acked" : "op_acked";
    const char *sql = att ? "SELECT id, time, uid, verify, state FROM records WHERE id > ?1 ORDER BY id LIMIT ?2"
                          : "SELECT id, time, op, operator, detail FROM oplog WHERE id > ?1 ORDER BY id LIMIT ?2";
    int64_t wm = state_get(s, key, 0);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_int64(q, 1, wm);
    sqlite3_bind_int64(q, 2, s->batch_lines);
    size_t pos = 0;
    uint32_t lines = 0;
    int full = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t before = pos;
        int64_t id = sqlite3_column_int64(q, 0);
        push_status f;
        if (att) {
            const char *uid = (const char *)sqlite3_column_text(q, 2);
            push_attlog a = {uid ? uid : "", sqlite3_column_int64(q, 1), push_status_code(sqlite3_column_int(q, 4)),
                             push_verify_code(sqlite3_column_int(q, 3)), id};
            f = push_format_attlog(s->buf, s->batch_bytes, &pos, &a);
        } else {
            const char *who = (const char *)sqlite3_column_text(q, 3);
            const char *detail = (const char *)sqlite3_column_text(q, 4);
            f = push_format_oplog(s->buf, s->batch_bytes, &pos, oplog_code(sqlite3_column_int(q, 2)), who,
                                  sqlite3_column_int64(q, 1), detail, id);
        }
        if (f != PUSH_OK) {
            pos = before;
            full = 1;
            break;
        }
        s->ids[lines++] = id;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return PUSH_ERR_STORE;
    if (lines == 0) {
        *more = 0;
        return PUSH_OK;
    }
    uint32_t acked = 0;
    push_status st = post_batch(s, att ? "ATTLOG" : "OPERLOG", s->ids[lines - 1], pos, lines, &acked);
    if (st != PUSH_OK) return st;
    if (state_set(s, key, s->ids[acked - 1]) != 0) return PUSH_ERR_STORE;
    if (att)
        s->stats.att_uploaded += acked;
    else
        s->stats.op_uploaded += acked;
    *more = full || acked < lines || lines == s->batch_lines;
    return PUSH_OK;
}

/* Queued lines of one table (sync_outbox). */
static push_status upload_queue(term_sync *s, const char *table, int *more)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT seq, line FROM sync_outbox WHERE tbl = ?1 ORDER BY seq LIMIT ?2", -1, &q,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, s->batch_lines);
    size_t pos = 0;
    uint32_t lines = 0;
    int full = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(q, 1);
        size_t n = (size_t)sqlite3_column_bytes(q, 1);
        if (line == NULL) continue;
        if (pos + n > s->batch_bytes) {
            full = 1;
            break;
        }
        memcpy(s->buf + pos, line, n);
        pos += n;
        s->ids[lines++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return PUSH_ERR_STORE;
    if (lines == 0) {
        *more = 0;
        return PUSH_OK;
    }
    uint32_t acked = 0;
    push_status st = post_batch(s, table, 0, pos, lines, &acked);
    if (st != PUSH_OK) return st;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM sync_outbox WHERE tbl = ?1 AND seq <= ?2", -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, s->ids[acked - 1]);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return PUSH_ERR_STORE;
    s->stats.queue_uploaded += acked;
    *more = full || acked < lines || lines == s->batch_lines;
    return PUSH_OK;
}

static int enqueue(term_sync *s, const char *table, const char *line, size_t len)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO sync_outbox (tbl, line) VALUES (?1, ?2)", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, line, (int)len, SQLITE_TRANSIENT);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(q);
    return rc;
}

/* Native template -> ISO 19794-2, the format this device sends (docs/sync.md). */
static int native_to_iso(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    fp_template *t = NULL;
    if (fp_template_deserialize(FP_FORMAT_NATIVE, data, len, &t) != FP_OK) return -1;
    size_t need = 0;
    int rc = -1;
    if (fp_template_serialize(t, FP_FORMAT_ISO19794_2, NULL, 0, &need) == FP_OK && need > 0) {
        *out = malloc(need);
        if (*out != NULL && fp_template_serialize(t, FP_FORMAT_ISO19794_2, *out, need, out_len) == FP_OK)
            rc = 0;
        else {
            free(*out);
            *out = NULL;
        }
    }
    fp_template_destroy(t);
    return rc;
}

/* Queues a USER or FP line when its content changed since it was last queued. */
static int queue_if_changed(term_sync *s, const char *key, const char *line, size_t len)
{
    uint64_t d = fnv64(line, len);
    sqlite3_stmt *q = NULL;
    int same = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT digest FROM sync_digest WHERE key = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) same = (uint64_t)sqlite3_column_int64(q, 0) == d;
    }
    sqlite3_finalize(q);
    if (same) return 0;
    if (enqueue(s, "OPERLOG", line, len) != 0) return -1;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sync_digest (key, digest) VALUES (?1, ?2)", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, (int64_t)d);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(q);
    return rc;
}

/* USER and FP lines of one user (uid) or of everybody (NULL); only_changed skips unchanged ones. */
static int queue_users(term_sync *s, const char *uid, int users, int fingers, int only_changed)
{
    char line[512], key[64];
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (users) {
        const char *sql = uid ? "SELECT u.id, u.name, u.privilege, c.card FROM users u LEFT JOIN cards c "
                                "ON c.uid = u.id WHERE u.id = ?1"
                              : "SELECT u.id, u.name, u.privilege, c.card FROM users u LEFT JOIN cards c "
                                "ON c.uid = u.id ORDER BY u.id";
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) rc = -1;
        if (uid && rc == 0) sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
        while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(q, 0);
            const char *name = (const char *)sqlite3_column_text(q, 1);
            size_t pos = 0;
            if (push_format_user(line, sizeof(line), &pos, id ? id : "", name ? name : "", sqlite3_column_int(q, 2),
                                 (uint64_t)sqlite3_column_int64(q, 3)) != PUSH_OK)
                continue;
            snprintf(key, sizeof(key), "U:%s", id ? id : "");
            rc = only_changed ? queue_if_changed(s, key, line, pos) : enqueue(s, "OPERLOG", line, pos);
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (fingers && rc == 0) {
        const char *sql = uid ? "SELECT uid, idx, template FROM fingers WHERE uid = ?1 ORDER BY idx"
                              : "SELECT uid, idx, template FROM fingers ORDER BY uid, idx";
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) rc = -1;
        if (uid && rc == 0) sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
        size_t cap = PUSH_TMP_B64_MAX + 256;
        char *fp = malloc(cap);
        if (fp == NULL) rc = -1;
        while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(q, 0);
            uint8_t *iso = NULL;
            size_t iso_len = 0, pos = 0;
            if (native_to_iso(sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2), &iso, &iso_len) != 0) {
                logf_(s, TERM_SYNC_LOG_WARN, "template %s/%d cannot be converted for upload", id ? id : "?",
                      sqlite3_column_int(q, 1));
                continue;
            }
            push_status f =
                push_format_fp(fp, cap, &pos, id ? id : "", (uint32_t)sqlite3_column_int(q, 1), iso, iso_len);
            free(iso);
            if (f != PUSH_OK) continue;
            snprintf(key, sizeof(key), "F:%s:%d", id ? id : "", sqlite3_column_int(q, 1));
            rc = only_changed ? queue_if_changed(s, key, fp, pos) : enqueue(s, "OPERLOG", fp, pos);
        }
        free(fp);
        sqlite3_finalize(q);
    }
    return rc;
}

/* Backup of users and templates: queues what changed since the last scan. */
static void scan_users(term_sync *s)
{
    uint32_t f = s->opt.trans_flags;
    int users = (f & (PUSH_TRANS_ENROLL_USER | PUSH_TRANS_CHG_USER)) != 0;
    int fingers = (f & (PUSH_TRANS_ENROLL_FP | PUSH_TRANS_CHG_FP)) != 0;
    if (!users && !fingers) return;
    int64_t top = query_int(s, "SELECT IFNULL(MAX(id), 0) FROM oplog", 0);
    if (!s->scan_needed && top == s->last_scanned_oplog) return;
    if (db_exec(s, "BEGIN IMMEDIATE") != 0) return;
    if (queue_users(s, NULL, users, fingers, 1) == 0 && db_exec(s, "COMMIT") == 0) {
        s->scan_needed = 0;
        s->last_scanned_oplog = top;
    } else {
        db_exec(s, "ROLLBACK");
        logf_(s, TERM_SYNC_LOG_ERROR, "user backup scan failed: %s", sqlite3_errmsg(s->db));
    }
}

static push_status upload_all(term_sync *s)
{
    int more = 0, any = 0;
    push_status st = PUSH_OK;
    if (s->opt.trans_flags & PUSH_TRANS_ATTLOG) {
        st = upload_table(s, 1, &more);
        any |= more;
    }
    if (st == PUSH_OK && (s->opt.trans_flags & PUSH_TRANS_OPLOG)) {
        st = upload_table(s, 0, &more);
        any |= more;
    }
    if (st == PUSH_OK) {
        st = upload_queue(s, "ATTLOG", &more);
        any |= more;
    }
    if (st == PUSH_OK) {
        st = upload_queue(s, "OPERLOG", &more);
        any |= more;
    }
    s->backlog = st == PUSH_OK && any;
    return st;
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */
/* ------------------------------------------------------------------------ */

static int cmd_known(term_sync *s, const char *id, int *state)
{
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT state FROM sync_cmds WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) {
            found = 1;
            *state = sqlite3_column_int(q, 0);
        }
    }
    sqlite3_finalize(q);
    return found;
}

static int cmd_record(term_sync *s, const char *id, const char *reply, int state)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO sync_cmds (id, reply, state) VALUES (?1, ?2, ?3)", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, reply, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, state);
        rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(q);
    return rc;
}

static int reply_line(char *out, size_t cap, const char *id, int ret, const char *cmd)
{
    size_t pos = 0;
    if (cap == 0 || push_format_result(out, cap - 1, &pos, id, ret, cmd) != PUSH_OK) {
        if (cap > 0) out[0] = '\0';
        return -1;
    }
    out[pos] = '\0';
    return 0;
}

static void changed(term_sync *s, unsigned what)
{
    if (what & (TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS)) s->scan_needed = 1;
    if (s->dev.data_changed) s->dev.data_changed(s->dev.ctx, what);
}

/* DATA UPDATE USERINFO: every field in one transaction, recorded as executed in it too. */
static int exec_update_user(term_sync *s, const push_cmd *c, const char *reply_ok, const char *id)
{
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return -1007;
    int alnum = 0;
    if (term_store_settings_load(s->st, set) == TERM_OK)
        alnum = (int)term_settings_get(set, TERM_SETTING_ALNUM_USER_ID);
    free(set);
    if (term_user_id_check(c->pin, alnum) != TERM_OK) {
        logf_(s, TERM_SYNC_LOG_WARN, "USERINFO refused: '%s' is not a valid user id here", c->pin);
        return PUSH_RET_BAD_PARAMETER;
    }
    int set_pin = (c->has & PUSH_HAS_PASSWD) && c->passwd[0] != '\0';
    uint8_t salt[PIN_SALT_BYTES], hash[PIN_HASH_BYTES];
    const term_device_profile *prof = term_store_profile(s->st);
    if (set_pin) {
        if (term_pin_check(c->passwd) != TERM_OK) return PUSH_RET_BAD_PARAMETER;
        /* The same PBKDF2-HMAC-SHA256 record term_store_pin_set writes, so term_store_pin_check reads it. */
        if (RAND_bytes(salt, sizeof(salt)) != 1 ||
            PKCS5_PBKDF2_HMAC(c->passwd, (int)strlen(c->passwd), salt, sizeof(salt), (int)prof->pin_iterations,
                              EVP_sha256(), sizeof(hash), hash) != 1)
            return PUSH_RET_READ_WRITE;
    }
    if (db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    int ret = PUSH_RET_OK;
    sqlite3_stmt *q = NULL;
    int exists = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM users WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
        exists = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
    } else
        ret = PUSH_RET_READ_WRITE;
    sqlite3_finalize(q);
    q = NULL;
    if (ret == 0 && !exists && query_int(s, "SELECT COUNT(*) FROM users", 0) >= (int64_t)prof->max_users)
        ret = PUSH_RET_CAPACITY;
    if (ret == 0) {
        const char *sql = exists ? "UPDATE users SET name = CASE WHEN ?4 THEN ?2 ELSE name END,"
                                   " privilege = CASE WHEN ?5 THEN ?3 ELSE privilege END WHERE id = ?1"
                                 : "INSERT INTO users (id, name, privilege) VALUES (?1, ?2, ?3)";
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) ret = PUSH_RET_READ_WRITE;
        if (ret == 0) {
            sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, c->name, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 3, c->privilege);
            if (exists) {
                sqlite3_bind_int(q, 4, (c->has & PUSH_HAS_NAME) != 0);
                sqlite3_bind_int(q, 5, (c->has & PUSH_HAS_PRI) != 0);
            }
            if (sqlite3_step(q) != SQLITE_DONE) ret = PUSH_RET_READ_WRITE;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (ret == 0 && (c->has & PUSH_HAS_PASSWD)) {
        const char *sql = set_pin ? "INSERT OR REPLACE INTO pins (uid, salt, hash, iterations) VALUES (?1, ?2, ?3, ?4)"
                                  : "DELETE FROM pins WHERE uid = ?1";
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) ret = PUSH_RET_READ_WRITE;
        if (ret == 0) {
            sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
            if (set_pin) {
                sqlite3_bind_blob(q, 2, salt, sizeof(salt), SQLITE_STATIC);
                sqlite3_bind_blob(q, 3, hash, sizeof(hash), SQLITE_STATIC);
                sqlite3_bind_int64(q, 4, prof->pin_iterations);
            }
            if (sqlite3_step(q) != SQLITE_DONE) ret = PUSH_RET_READ_WRITE;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (ret == 0 && (c->has & PUSH_HAS_CARD)) {
        if (c->card == 0) {
            if (sqlite3_prepare_v2(s->db, "DELETE FROM cards WHERE uid = ?1", -1, &q, NULL) != SQLITE_OK)
                ret = PUSH_RET_READ_WRITE;
            else {
                sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
                if (sqlite3_step(q) != SQLITE_DONE) ret = PUSH_RET_READ_WRITE;
            }
            sqlite3_finalize(q);
            q = NULL;
        } else {
            int other = 0, has_card = 0;
            if (sqlite3_prepare_v2(s->db, "SELECT uid FROM cards WHERE card = ?1", -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(q, 1, (int64_t)c->card);
                if (sqlite3_step(q) == SQLITE_ROW) other = strcmp((const char *)sqlite3_column_text(q, 0), c->pin) != 0;
            } else
                ret = PUSH_RET_READ_WRITE;
            sqlite3_finalize(q);
            q = NULL;
            if (ret == 0 &&
                sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM cards WHERE uid = ?1", -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
                has_card = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0;
            }
            sqlite3_finalize(q);
            q = NULL;
            if (ret == 0 && other) {
                logf_(s, TERM_SYNC_LOG_WARN, "USERINFO %s refused: card %llu belongs to another user", c->pin,
                      (unsigned long long)c->card);
                ret = PUSH_RET_BAD_PARAMETER;
            }
            if (ret == 0 && !has_card && query_int(s, "SELECT COUNT(*) FROM cards", 0) >= (int64_t)prof->max_cards)
                ret = PUSH_RET_CAPACITY;
            if (ret == 0) {
                if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO cards (uid, card) VALUES (?1, ?2)", -1, &q,
                                       NULL) != SQLITE_OK)
                    ret = PUSH_RET_READ_WRITE;
                else {
                    sqlite3_bind_text(q, 1, c->pin, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(q, 2, (int64_t)c->card);
                    if (sqlite3_step(q) != SQLITE_DONE) ret = PUSH_RET_READ_WRITE;
                }
                sqlite3_finalize(q);
                q = NULL;
            }
        }
    }
    if (ret == 0 && cmd_record(s, id, reply_ok, 1) != 0) ret = PUSH_RET_READ_WRITE;
    if (ret == 0 && db_exec(s, "COMMIT") != 0) ret = PUSH_RET_READ_WRITE;
    if (ret != 0) db_exec(s, "ROLLBACK");
    OPENSSL_cleanse(hash, sizeof(hash));
    if (ret == 0) changed(s, TERM_SYNC_CHANGED_USERS);
    return ret;
}

static int exec_update_fp(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status us = term_store_user_get(s->st, c->pin, &info);
    if (us != TERM_OK) return ret_of(us);
    size_t cap = c->tmp_len / 4 * 3 + 3, len = 0;
    uint8_t *raw = malloc(cap);
    if (raw == NULL) return -1007;
    if (push_base64_decode(c->tmp, c->tmp_len, raw, cap, &len) != PUSH_OK || len == 0) {
        free(raw);
        logf_(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: TMP is not base64", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_FORMAT;
    }
    if (c->valid == 0) {
        free(raw);
        logf_(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: marked invalid", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    /* Accepted: ISO 19794-2, ANSI 378 or the engine's native format; stored native. */
    static const fp_template_format formats[] = {FP_FORMAT_ISO19794_2, FP_FORMAT_ANSI378, FP_FORMAT_NATIVE};
    fp_template *t = NULL;
    for (size_t i = 0; i < 3 && t == NULL; i++)
        if (fp_template_deserialize(formats[i], raw, len, &t) != FP_OK) t = NULL;
    free(raw);
    if (t == NULL) {
        logf_(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: not an ISO, ANSI or native template", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    size_t need = 0, written = 0;
    uint8_t *native = NULL;
    int ret = -1007;
    if (fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need) == FP_OK && (native = malloc(need)) != NULL &&
        fp_template_serialize(t, FP_FORMAT_NATIVE, native, need, &written) == FP_OK) {
        term_status ts = term_store_finger_set(s->st, c->pin, c->fid, native, written);
        ret = ret_of(ts);
        if (ts != TERM_OK) logf_(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u: %s", c->pin, c->fid, term_status_message(ts));
    }
    free(native);
    fp_template_destroy(t);
    if (ret == 0) changed(s, TERM_SYNC_CHANGED_FINGERS);
    return ret;
}

static int exec_delete_fp(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status ts = term_store_user_get(s->st, c->pin, &info);
    if (ts != TERM_OK) return ret_of(ts);
    for (uint32_t i = 0; i < TERM_FINGERS_PER_USER; i++) {
        if ((c->has & PUSH_HAS_FID) && i != c->fid) continue;
        ts = term_store_finger_delete(s->st, c->pin, i);
        if (ts != TERM_OK && ts != TERM_ERR_NOT_FOUND) return ret_of(ts);
    }
    changed(s, TERM_SYNC_CHANGED_FINGERS);
    return 0;
}

typedef struct query_ctx {
    term_sync *s;
    int fail;
} query_ctx;

static int query_record(void *ctx, int64_t id, const term_record *rec)
{
    query_ctx *qc = ctx;
    char line[128];
    size_t pos = 0;
    push_attlog a = {rec->uid, rec->time, push_status_code((int)rec->state), push_verify_code((int)rec->verify), id};
    if (push_format_attlog(line, sizeof(line), &pos, &a) != PUSH_OK || enqueue(qc->s, "ATTLOG", line, pos) != 0) {
        qc->fail = 1;
        return 1;
    }
    return 0;
}

static int exec_query_attlog(term_sync *s, const push_cmd *c)
{
    query_ctx qc = {s, 0};
    if (db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    term_status ts = term_store_record_query(s->st, NULL, c->start, c->end, query_record, &qc);
    if (ts != TERM_OK || qc.fail || db_exec(s, "COMMIT") != 0) {
        db_exec(s, "ROLLBACK");
        return PUSH_RET_READ_WRITE;
    }
    s->upload_now = 1;
    return 0;
}

static int exec_clear_data(term_sync *s)
{
    if (db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    if (db_exec(s, "DELETE FROM fingers; DELETE FROM cards; DELETE FROM pins; DELETE FROM users;"
                   "DELETE FROM records; DELETE FROM sync_digest;") != 0 ||
        db_exec(s, "COMMIT") != 0) {
        db_exec(s, "ROLLBACK");
        return PUSH_RET_READ_WRITE;
    }
    changed(s, TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS | TERM_SYNC_CHANGED_RECORDS);
    return 0;
}

static int exec_set_option(term_sync *s, const push_cmd *c)
{
    /* The protocol's own timing options. */
    push_options o = s->opt;
    char body[256];
    if (strcmp(c->key, "Delay") == 0 || strcmp(c->key, "ErrorDelay") == 0 || strcmp(c->key, "TransInterval") == 0 ||
        strcmp(c->key, "Realtime") == 0 || strcmp(c->key, "TimeZone") == 0 || strcmp(c->key, "TransTimes") == 0 ||
        strcmp(c->key, "TransFlag") == 0) {
        snprintf(body, sizeof(body), "GET OPTION FROM: %s\n%s=%s\n", s->sn, c->key, c->value);
        push_options parsed;
        push_status st = push_options_parse(body, strlen(body), s->sn, &parsed, NULL, 0);
        if (st != PUSH_OK) return PUSH_RET_BAD_PARAMETER;
        if (strcmp(c->key, "Delay") == 0) o.delay_s = parsed.delay_s;
        if (strcmp(c->key, "ErrorDelay") == 0) o.error_delay_s = parsed.error_delay_s;
        if (strcmp(c->key, "TransInterval") == 0) o.trans_interval_min = parsed.trans_interval_min;
        if (strcmp(c->key, "Realtime") == 0) o.realtime = parsed.realtime;
        if (strcmp(c->key, "TimeZone") == 0) o.timezone_min = parsed.timezone_min;
        if (strcmp(c->key, "TransFlag") == 0) o.trans_flags = parsed.trans_flags;
        if (strcmp(c->key, "TransTimes") == 0) {
            memcpy(o.trans_times, parsed.trans_times, sizeof(o.trans_times));
            o.n_trans_times = parsed.n_trans_times;
        }
        s->opt = o;
        schedule_upload(s);
        return 0;
    }
    /* A terminal setting by its stable name. The network settings stay local: a server must not move the device. */
    term_setting_id sid;
    if (term_setting_find(c->key, &sid) != TERM_OK) return PUSH_RET_NOT_SUPPORTED;
    const term_setting_info *info = term_setting_info_of(sid);
    /* Kept for the operator at the terminal: the network (a server must not move the device elsewhere),
     * online update (manual 6.7 wants the operator's confirmation), USB developer mode, security prompts. */
    if (info == NULL || strcmp(info->group, "comm") == 0 || sid == TERM_SETTING_DEVELOPER_MODE ||
        sid == TERM_SETTING_ONLINE_UPDATE || sid == TERM_SETTING_SECURITY_PROMPTS) {
        logf_(s, TERM_SYNC_LOG_WARN, "SET OPTION %s refused: only set at the terminal", c->key);
        return PUSH_RET_NOT_SUPPORTED;
    }
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return -1007;
    int ret = 0;
    term_status ts = term_store_settings_load(s->st, set);
    if (ts == TERM_OK) ts = term_settings_parse(set, c->key, c->value);
    if (ts == TERM_OK) ts = term_store_settings_save(s->st, set);
    if (ts != TERM_OK) {
        logf_(s, TERM_SYNC_LOG_WARN, "SET OPTION %s refused: %s", c->key, term_status_message(ts));
        ret = ret_of(ts) == PUSH_RET_READ_WRITE ? PUSH_RET_READ_WRITE : PUSH_RET_BAD_PARAMETER;
    }
    free(set);
    if (ret == 0) changed(s, TERM_SYNC_CHANGED_SETTINGS);
    return ret;
}

/* INFO's reply: the result line, then key=value lines. */
static int exec_info(term_sync *s, const char *id, char *reply, size_t cap)
{
    term_store_counts n;
    if (term_store_counts_get(s->st, &n) != TERM_OK) return PUSH_RET_READ_WRITE;
    const term_device_profile *p = term_store_profile(s->st);
    int len = snprintf(reply, cap,
                       "ID=%s&Return=0&CMD=INFO\n~DeviceName=%s\n~SerialNumber=%s\nFWVersion=%s\nPushVersion=%s\n"
                       "UserCount=%u\nFPCount=%u\nTransactionCount=%u\nOpLogCount=%u\nCardCount=%u\nPwdCount=%u\n"
                       "MaxUserCount=%u\nMaxFingerCount=%u\nMaxAttLogCount=%u\nFingerFunOn=1\nFPVersion=10\n",
                       id, s->devname, s->sn, s->fwver, s->pushver, n.users, n.fingers, n.records, n.oplog, n.cards,
                       n.pins, p->max_users, p->max_fingers, p->max_records);
    return (len < 0 || (size_t)len >= cap) ? PUSH_RET_TOO_LONG : 0;
}

static push_status fetch(term_sync *s, const char *url, const char *suffix, const char *path, uint64_t max,
                         uint64_t *got)
{
    char full[PUSH_URL_MAX + 8], enc[3 * (PUSH_URL_MAX + 8) + 1], target[3 * (PUSH_URL_MAX + 8) + 96];
    snprintf(full, sizeof(full), "%s%s", url, suffix);
    if (strncmp(full, "http://", 7) == 0 || strncmp(full, "https://", 8) == 0) {
        snprintf(target, sizeof(target), "%s", full);
    } else {
        /* The protocol's download request for a server-relative file. */
        pct(full, enc, sizeof(enc));
        snprintf(target, sizeof(target), "/iclock/file?SN=%s&url=%s", s->sn, enc);
    }
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return PUSH_ERR_IO;
    push_status st = s->tp->ops->download(s->tp->ctx, target, fd, max, got);
    if (st == PUSH_OK && fsync(fd) != 0) st = PUSH_ERR_IO;
    if (close(fd) != 0 && st == PUSH_OK) st = PUSH_ERR_IO;
    return st;
}

static int exec_upgrade(term_sync *s, const push_cmd *c)
{
    if (s->staging[0] == '\0' || !s->have_key || s->tp->ops->download == NULL) return PUSH_RET_NOT_SUPPORTED;
    /* Manual 6.7: online update happens only when the operator switched it on at the terminal. */
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return -1007;
    int enabled = term_store_settings_load(s->st, set) == TERM_OK && term_settings_get(set, TERM_SETTING_ONLINE_UPDATE);
    free(set);
    if (!enabled) {
        logf_(s, TERM_SYNC_LOG_WARN, "UPGRADE refused: online update is off on this terminal");
        return PUSH_RET_CONFIG;
    }
    char part[512], sig[520], img[512], why[160] = "";
    snprintf(part, sizeof(part), "%s/firmware.part", s->staging);
    snprintf(sig, sizeof(sig), "%s/firmware.part.sig", s->staging);
    snprintf(img, sizeof(img), "%s/firmware.img", s->staging);
    uint64_t got = 0, got_sig = 0;
    push_status st = fetch(s, c->url, "", part, c->size, &got);
    if (st == PUSH_OK) st = fetch(s, c->url, ".sig", sig, TERM_FW_SIG_BYTES, &got_sig);
    int ret = 0;
    if (st != PUSH_OK) {
        logf_(s, TERM_SYNC_LOG_ERROR, "UPGRADE download failed: %s", push_status_message(st));
        ret = st == PUSH_ERR_IO ? PUSH_RET_READ_WRITE : PUSH_RET_FETCH_FAILED;
        unlink(part);
        unlink(sig);
        return ret;
    }
    st = term_fw_stage(s->staging, part, sig, c->size, c->checksum, s->pubkey, why, sizeof(why));
    if (st != PUSH_OK) {
        logf_(s, TERM_SYNC_LOG_ERROR, "UPGRADE rejected: %s (%s)", why, push_status_name(st));
        return st == PUSH_ERR_IO ? PUSH_RET_READ_WRITE : PUSH_RET_BAD_PARAMETER;
    }
    logf_(s, TERM_SYNC_LOG_INFO, "firmware verified and staged: %s (%llu bytes)", img, (unsigned long long)got);
    if (s->dev.firmware_ready) s->dev.firmware_ready(s->dev.ctx, img);
    return 0;
}

push_status term_sync_stage_file(term_sync *s, const char *image_path, const char *sig_path, char *why,
                                 size_t why_cap)
{
    if (why && why_cap) why[0] = '\0';
    if (!s || !image_path || !sig_path) return PUSH_ERR_INVALID_ARGUMENT;
    if (s->staging[0] == '\0' || !s->have_key) return PUSH_ERR_UNSUPPORTED;
    char img[512];
    snprintf(img, sizeof(img), "%s/firmware.img", s->staging);
    push_status st = term_fw_stage(s->staging, image_path, sig_path, 0, NULL, s->pubkey, why, why_cap);
    if (st != PUSH_OK) {
        logf_(s, TERM_SYNC_LOG_ERROR, "USB upgrade rejected: %s (%s)", why ? why : "", push_status_name(st));
        return st;
    }
    logf_(s, TERM_SYNC_LOG_INFO, "firmware from USB verified and staged: %s", img);
    if (s->dev.firmware_ready) s->dev.firmware_ready(s->dev.ctx, img);
    return PUSH_OK;
}

/* Runs one command line; records its answer. */
static void run_command(term_sync *s, const push_cmd_line *cl)
{
    int state = 0;
    if (cmd_known(s, cl->id, &state)) {
        /* Resent: never applied twice; a delivered answer is sent again (the server may have missed it). */
        s->stats.commands_repeated++;
        if (state == 2) {
            sqlite3_stmt *q = NULL;
            if (sqlite3_prepare_v2(s->db, "UPDATE sync_cmds SET state = 1 WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, cl->id, -1, SQLITE_STATIC);
                sqlite3_step(q);
            }
            sqlite3_finalize(q);
        }
        logf_(s, TERM_SYNC_LOG_INFO, "command %s already executed: not applied again", cl->id);
        return;
    }
    push_cmd *c = malloc(sizeof(*c));
    char *reply = malloc(2048);
    if (c == NULL || reply == NULL) {
        free(c);
        free(reply);
        return; /* not recorded: the server resends it */
    }
    char why[160] = "";
    push_status ps = push_cmd_parse(cl->text, cl->text_len, c, why, sizeof(why));
    int ret = 0, async = 0, recorded = 0;
    const char *cmdname = c->reply_cmd[0] ? c->reply_cmd : "UNKNOWN";
    if (ps != PUSH_OK) {
        ret = c->error_ret ? c->error_ret : PUSH_RET_BAD_PARAMETER;
        logf_(s, TERM_SYNC_LOG_WARN, "command %s rejected (%d): %s", cl->id, ret, why);
    } else {
        s->stats.commands_run++;
        char ok_reply[128];
        reply_line(ok_reply, sizeof(ok_reply), cl->id, 0, cmdname);
        switch (c->kind) {
        case PUSH_CMD_UPDATE_USER:
            ret = exec_update_user(s, c, ok_reply, cl->id);
            recorded = ret == 0;
            break;
        case PUSH_CMD_UPDATE_FP:
            ret = exec_update_fp(s, c);
            break;
        case PUSH_CMD_DELETE_USER:
            ret = ret_of(term_store_user_delete(s->st, c->pin));
            if (ret == 0) changed(s, TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS);
            break;
        case PUSH_CMD_DELETE_FP:
            ret = exec_delete_fp(s, c);
            break;
        case PUSH_CMD_QUERY_ATTLOG:
            ret = exec_query_attlog(s, c);
            break;
        case PUSH_CMD_QUERY_USER: {
            term_user_info info;
            term_status ts = term_store_user_get(s->st, c->pin, &info);
            ret = ts != TERM_OK ? ret_of(ts) : queue_users(s, c->pin, 1, 1, 0) == 0 ? 0 : PUSH_RET_READ_WRITE;
            s->upload_now = 1;
            break;
        }
        case PUSH_CMD_CLEAR_LOG:
            ret = ret_of(term_store_record_delete_all(s->st));
            if (ret == 0) changed(s, TERM_SYNC_CHANGED_RECORDS);
            break;
        case PUSH_CMD_CLEAR_DATA:
            ret = exec_clear_data(s);
            break;
        case PUSH_CMD_CHECK:
            s->check_pending = 1;
            break;
        case PUSH_CMD_RELOAD_OPTIONS:
            s->reload_pending = 1;
            break;
        case PUSH_CMD_LOG:
            s->upload_now = 1;
            break;
        case PUSH_CMD_INFO:
            ret = exec_info(s, cl->id, reply, 2048);
            break;
        case PUSH_CMD_SET_OPTION:
            ret = exec_set_option(s, c);
            break;
        case PUSH_CMD_ENROLL_FP:
        case PUSH_CMD_ENROLL_CARD: {
            term_user_info info;
            int fp = c->kind == PUSH_CMD_ENROLL_FP;
            if ((fp && s->dev.enroll_finger == NULL) || (!fp && s->dev.enroll_card == NULL)) {
                ret = PUSH_RET_NOT_SUPPORTED;
                break;
            }
            if (term_store_user_get(s->st, c->pin, &info) != TERM_OK) {
                ret = PUSH_RET_NO_SUCH_USER;
                break;
            }
            ret = fp ? s->dev.enroll_finger(s->dev.ctx, cl->id, c->pin, c->fid, c->retry, c->overwrite)
                     : s->dev.enroll_card(s->dev.ctx, cl->id, c->pin, c->retry);
            async = ret == 0;
            break;
        }
        case PUSH_CMD_REBOOT:
            if (s->dev.reboot == NULL)
                ret = PUSH_RET_NOT_SUPPORTED;
            else
                s->reboot_pending = 1;
            break;
        case PUSH_CMD_UPGRADE:
            ret = exec_upgrade(s, c);
            break;
        default:
            ret = PUSH_RET_NOT_SUPPORTED;
            break;
        }
    }
    if (!recorded) {
        if (!(c->kind == PUSH_CMD_INFO && ret == 0)) reply_line(reply, 2048, cl->id, ret, cmdname);
        if (cmd_record(s, cl->id, reply, async ? 0 : 1) != 0)
            logf_(s, TERM_SYNC_LOG_ERROR, "command %s: result not stored: %s", cl->id, sqlite3_errmsg(s->db));
    }
    free(c);
    free(reply);
}

push_status term_sync_enroll_done(term_sync *s, const char *cmd_id, int ret)
{
    if (s == NULL || cmd_id == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *q = NULL;
    char ret_text[16];
    snprintf(ret_text, sizeof(ret_text), "%d", ret);
    /* The stored answer was written with Return=0 when the enrolment started. */
    if (sqlite3_prepare_v2(
            s->db,
            "UPDATE sync_cmds SET state = 1, reply = replace(reply, '&Return=0&', '&Return=' || ?2 || '&')"
            " WHERE id = ?1 AND state = 0",
            -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_text(q, 1, cmd_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, ret_text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return PUSH_ERR_STORE;
    if (sqlite3_changes(s->db) == 0) return PUSH_ERR_INVALID_ARGUMENT;
    if (ret == 0) changed(s, TERM_SYNC_CHANGED_FINGERS | TERM_SYNC_CHANGED_USERS);
    return PUSH_OK;
}

static push_status send_results(term_sync *s)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT rowid, reply FROM sync_cmds WHERE state = 1 ORDER BY rowid LIMIT ?1", -1, &q,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_int(q, 1, RESULT_LINES_MAX);
    size_t pos = 0;
    uint32_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1);
        if (r == NULL || pos + len > s->batch_bytes) break;
        memcpy(s->buf + pos, r, len);
        pos += len;
        s->ids[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (n == 0) return PUSH_OK;
    char path[96];
    snprintf(path, sizeof(path), "/iclock/devicecmd?SN=%s", s->sn);
    push_response r;
    push_status st = call(s, "POST", path, s->buf, pos, &r);
    if (st != PUSH_OK) return st;
    int64_t cnt;
    st = push_ack_parse(r.body, r.body_len, &cnt);
    push_response_clear(&r);
    if (st != PUSH_OK) return st;
    if (db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_ERR_STORE;
    for (uint32_t i = 0; i < n; i++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "UPDATE sync_cmds SET state = 2 WHERE rowid = %lld", (long long)s->ids[i]);
        db_exec(s, sql);
    }
    char prune[160];
    snprintf(prune, sizeof(prune),
             "DELETE FROM sync_cmds WHERE state = 2 AND rowid <= (SELECT MAX(rowid) FROM sync_cmds) - %d", CMD_HISTORY);
    db_exec(s, prune);
    if (db_exec(s, "COMMIT") != 0) {
        db_exec(s, "ROLLBACK");
        return PUSH_ERR_STORE;
    }
    s->stats.results_sent += n;
    return PUSH_OK;
}

static push_status poll(term_sync *s)
{
    char path[400];
    if (!s->info_sent) {
        term_store_counts n;
        char ver[128], enc[200];
        memset(&n, 0, sizeof(n));
        term_store_counts_get(s->st, &n);
        snprintf(ver, sizeof(ver), "Ver %s", s->fwver);
        pct(ver, enc, sizeof(enc));
        snprintf(path, sizeof(path), "/iclock/getrequest?SN=%s&INFO=%s,%u,%u,%u,0.0.0.0,10,0,0,0,100", s->sn, enc,
                 n.users, n.fingers, n.records);
    } else {
        snprintf(path, sizeof(path), "/iclock/getrequest?SN=%s", s->sn);
    }
    push_response r;
    push_status st = call(s, "GET", path, NULL, 0, &r);
    if (st != PUSH_OK) return st;
    s->info_sent = 1;
    const char *p = r.body, *end = r.body + r.body_len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        push_cmd_line cl;
        int blank = 1;
        for (size_t i = 0; i < len; i++)
            if (p[i] != ' ' && p[i] != '\r' && p[i] != '\t') blank = 0;
        if (!blank && !(len >= 2 && p[0] == 'O' && p[1] == 'K' && (len == 2 || p[2] == '\r'))) {
            push_status ls = push_cmd_line_parse(p, len, &cl);
            if (ls == PUSH_OK)
                run_command(s, &cl);
            else
                logf_(s, TERM_SYNC_LOG_WARN, "command line ignored (%s): '%.40s'", push_status_message(ls), p);
        }
        p += len + (nl ? 1 : 0);
    }
    push_response_clear(&r);
    return PUSH_OK;
}

static push_status ping(term_sync *s)
{
    char path[96];
    snprintf(path, sizeof(path), "/iclock/ping?SN=%s", s->sn);
    push_response r;
    push_status st = call(s, "GET", path, NULL, 0, &r);
    push_response_clear(&r);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Step                                                                     */
/* ------------------------------------------------------------------------ */

push_status term_sync_step(term_sync *s, int64_t now_ms)
{
    if (s == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    s->now = now_ms;
    if (!s->registered) {
        if (now_ms < s->next_handshake) return PUSH_OK;
        push_status st = handshake(s);
        if (st != PUSH_OK) return st;
    }
    push_status st = send_results(s);
    if (st != PUSH_OK) return link_failed(s, st, "command results");
    scan_users(s);
    int due = s->upload_now || s->backlog || s->opt.realtime || now_ms >= s->next_upload;
    if (due) {
        int was_kicked = s->upload_now;
        s->upload_now = 0;
        st = upload_all(s);
        if (st == PUSH_ERR_STORE) {
            /* Backed off like a network fault so a persistent storage error cannot spin the loop. */
            logf_(s, TERM_SYNC_LOG_ERROR, "outbox read failed: %s", sqlite3_errmsg(s->db));
            s->upload_now = was_kicked;
            return link_failed(s, st, "outbox");
        }
        if (st != PUSH_OK) {
            s->upload_now = was_kicked;
            return link_failed(s, st, "upload");
        }
        if (!s->opt.realtime && !s->backlog && now_ms >= s->next_upload) schedule_upload(s);
    }
    if (now_ms >= s->next_poll) {
        /* While a backlog goes up the heartbeat is a ping (the protocol's advice); commands wait for the
         * poll, but never longer than ten poll intervals. */
        int use_ping = s->backlog && now_ms - s->last_poll < 10 * poll_interval_ms(s);
        st = use_ping ? ping(s) : poll(s);
        if (st != PUSH_OK) return link_failed(s, st, use_ping ? "heartbeat" : "command poll");
        if (!use_ping) s->last_poll = now_ms;
        s->next_poll = now_ms + poll_interval_ms(s);
        st = send_results(s);
        if (st != PUSH_OK) return link_failed(s, st, "command results");
    }
    if (s->reboot_pending && query_int(s, "SELECT COUNT(*) FROM sync_cmds WHERE state = 1", 1) == 0) {
        s->reboot_pending = 0;
        if (s->dev.reboot) s->dev.reboot(s->dev.ctx);
    }
    if (s->check_pending || s->reload_pending) {
        s->registered = 0;
        s->next_handshake = now_ms;
    }
    if (s->upload_now) s->backlog = 1;
    return PUSH_OK;
}

int64_t term_sync_next_wake(const term_sync *s)
{
    if (s == NULL) return INT64_MAX;
    if (!s->registered) return s->next_handshake;
    if (s->backlog || s->upload_now) return s->now;
    int64_t t = s->next_poll;
    if (!s->opt.realtime && s->next_upload < t) t = s->next_upload;
    return t;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void term_sync_run(term_sync *s, volatile int *stop)
{
    if (s == NULL || stop == NULL) return;
    while (!*stop) {
        int64_t now = mono_ms();
        term_sync_step(s, now);
        int64_t wait = term_sync_next_wake(s) - mono_ms();
        if (wait > 200) wait = 200;
        if (wait > 0) {
            struct timespec ts = {0, (long)wait * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

push_status term_sync_stats_get(term_sync *s, term_sync_stats *out)
{
    if (s == NULL || out == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    s->stats.registered = s->registered;
    s->stats.options = s->opt;
    s->stats.att_acked_id = state_get(s, "att_acked", 0);
    s->stats.op_acked_id = state_get(s, "op_acked", 0);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM records WHERE id > %lld", (long long)s->stats.att_acked_id);
    s->stats.att_pending = (uint64_t)query_int(s, sql, 0);
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM oplog WHERE id > %lld", (long long)s->stats.op_acked_id);
    s->stats.op_pending = (uint64_t)query_int(s, sql, 0);
    s->stats.queue_pending = (uint64_t)query_int(s, "SELECT COUNT(*) FROM sync_outbox", 0);
    *out = s->stats;
    return PUSH_OK;
}

push_status term_sync_transport_from_settings(term_store *store, const push_curl_config *base, push_transport **out)
{
    if (store == NULL || out == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return PUSH_ERR_NO_MEMORY;
    push_status st = PUSH_ERR_STORE;
    if (term_store_settings_load(store, set) == TERM_OK) {
        push_curl_config cfg = {0};
        if (base != NULL) cfg = *base;
        cfg.server = term_settings_get_text(set, TERM_SETTING_SERVER_ADDRESS);
        st = push_curl_create(&cfg, out); /* copies the address */
    }
    free(set);
    return st;
}
