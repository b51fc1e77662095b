/*
 * term_sync.c - the sync engine: life cycle, the link (requests, backoff),
 * the step and the statistics. See term_sync.h, term_sync_internal.h for
 * the other parts, and docs/sync.md.
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "term_sync_internal.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

void sync_log(term_sync *s, term_sync_log_level level, const char *fmt, ...)
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

int sync_db_exec(term_sync *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int64_t sync_state_get(term_sync *s, const char *key, int64_t def)
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

int sync_state_set_text(term_sync *s, const char *key, const char *value)
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

int sync_state_set(term_sync *s, const char *key, int64_t v)
{
    char text[32];
    snprintf(text, sizeof(text), "%lld", (long long)v);
    return sync_state_set_text(s, key, text);
}

int64_t sync_query_int(term_sync *s, const char *sql, int64_t def)
{
    sqlite3_stmt *q = NULL;
    int64_t v = def;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

int term_sync_return_of(term_status t)
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
    case TERM_ERR_STORAGE_FULL: /* the file system, not the profile: the protocol has one code for "no room" */
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

int sync_store_ret(term_sync *s, term_status t, const char *what)
{
    if (t == TERM_ERR_STORAGE_FULL)
        sync_log(s, TERM_SYNC_LOG_ERROR, "%s: storage full (the file system has no room): nothing stored, answered %d",
                 what, PUSH_RET_CAPACITY);
    return term_sync_return_of(t);
}

int sync_sql_ret(term_sync *s, const char *what)
{
    return sync_store_ret(s, sqlite3_errcode(s->db) == SQLITE_FULL ? TERM_ERR_STORAGE_FULL : TERM_ERR_IO, what);
}

void sync_normalise_pin(term_sync *s, push_cmd *c)
{
    char stored[TERM_USER_ID_MAX + 1];
    term_status ts = term_store_user_resolve(s->st, c->pin, stored);
    if ((ts != TERM_OK && ts != TERM_ERR_NOT_FOUND) || strcmp(stored, c->pin) == 0) return;
    sync_log(s, TERM_SYNC_LOG_INFO, "user id '%s' from the server is user %s here", c->pin, stored);
    snprintf(c->pin, sizeof(c->pin), "%s", stored);
}

/* Percent-encodes s for a query string. */
void sync_pct(const char *s, char *out, size_t cap)
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

uint64_t sync_fnv64(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

void sync_read_settings(term_sync *s)
{
    term_settings *set = malloc(sizeof(*set));
    if (set != NULL && term_store_settings_load(s->st, set) == TERM_OK) {
        s->att_always = term_settings_get(set, TERM_SETTING_UPLOAD_ATT_ALWAYS) != 0;
        s->pin_removal = term_settings_get(set, TERM_SETTING_SERVER_PIN_REMOVAL) != 0;
        s->alnum_ids = term_settings_get(set, TERM_SETTING_ALNUM_USER_ID) != 0;
        s->online_update = term_settings_get(set, TERM_SETTING_ONLINE_UPDATE) != 0;
    } else {
        /* unreadable settings: the strict, safe choices (records wait, PINs kept, no online update) */
        s->att_always = s->pin_removal = s->online_update = 0;
        sync_log(s, TERM_SYNC_LOG_ERROR, "settings could not be read: strict defaults in force");
    }
    free(set);
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sync_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  tbl TEXT NOT NULL, line TEXT NOT NULL, stamp INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS sync_cmds (id TEXT PRIMARY KEY NOT NULL, reply TEXT NOT NULL,"
    "  state INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sync_digest (key TEXT PRIMARY KEY NOT NULL, digest INTEGER NOT NULL);";

/*
 * The sync tables are made (or given the stamp column of later versions)
 * once, in one write transaction. An existing database is only read here:
 * DDL run on every start while the app's or another process's connection
 * writes records raced its write lock on the store's SQLite (a start that
 * waited out the whole busy budget), and it changes the schema under every
 * other connection's prepared statements for nothing.
 */
static int ensure_schema(term_sync *s)
{
    const int64_t have = sync_query_int(s,
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                                        " ('sync_state', 'sync_outbox', 'sync_cmds', 'sync_digest')",
                                        -1);
    sqlite3_stmt *probe = NULL;
    const int has_stamp =
        have == 4 && sqlite3_prepare_v2(s->db, "SELECT stamp FROM sync_outbox LIMIT 0", -1, &probe, NULL) == SQLITE_OK;
    sqlite3_finalize(probe);
    if (have == 4 && has_stamp) return 0;
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return -1;
    int rc = sync_db_exec(s, schema_sql);
    /* A database from before queued lines had their stamp: the column is added (lines queued then carry 0). */
    if (rc == 0) {
        probe = NULL;
        const int stamp_now =
            sqlite3_prepare_v2(s->db, "SELECT stamp FROM sync_outbox LIMIT 0", -1, &probe, NULL) == SQLITE_OK;
        sqlite3_finalize(probe);
        if (!stamp_now) rc = sync_db_exec(s, "ALTER TABLE sync_outbox ADD COLUMN stamp INTEGER NOT NULL DEFAULT 0");
    }
    if (rc == 0 && sync_db_exec(s, "COMMIT") == 0) return 0;
    sync_db_exec(s, "ROLLBACK");
    return -1;
}

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
    if (ensure_schema(s) != 0) {
        sync_log(s, TERM_SYNC_LOG_ERROR, "sync tables could not be made: %s", sqlite3_errmsg(s->db));
        term_sync_destroy(s);
        return PUSH_ERR_STORE;
    }
    sync_read_settings(s);
    /* Enrolments interrupted by a restart can no longer finish: answer them as timed out. */
    char sql[160];
    snprintf(sql, sizeof(sql),
             "UPDATE sync_cmds SET state = 1, reply = replace(reply, '&Return=0&', '&Return=%d&')"
             " WHERE state = 0",
             PUSH_RET_TIMEOUT);
    sync_db_exec(s, sql);
    s->bound = sync_state_get(s, "bound", 0) != 0;
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

const char *term_sync_hold_message(term_sync_hold hold)
{
    switch (hold) {
    case TERM_SYNC_HOLD_NOT_REQUESTED:
        return "Server did not request attendance upload";
    case TERM_SYNC_HOLD_NONE:
        break;
    }
    return "";
}

term_sync_hold term_sync_upload_hold(const term_sync *s)
{
    return s != NULL && s->registered ? s->hold : TERM_SYNC_HOLD_NONE;
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

int64_t sync_poll_interval_ms(const term_sync *s)
{
    return s->poll_ms ? (int64_t)s->poll_ms : (int64_t)s->opt.delay_s * 1000;
}

push_status sync_link_failed(term_sync *s, push_status st, const char *what)
{
    s->registered = 0;
    s->failures++;
    s->stats.failures++;
    s->stats.last_error = st;
    int64_t delay = (int64_t)s->backoff_min_ms << (s->failures > 16 ? 16 : s->failures - 1);
    if (delay > error_delay_ms(s)) delay = error_delay_ms(s);
    s->next_handshake = s->now + delay;
    sync_log(s, TERM_SYNC_LOG_WARN, "%s failed: %s (%s); retry in %lld ms", what, push_status_name(st),
             push_status_message(st), (long long)delay);
    return st;
}

push_status sync_call(term_sync *s, const char *method, const char *path, const char *body, size_t len,
                      push_response *resp)
{
    s->stats.requests++;
    push_status st = s->tp->ops->request(s->tp->ctx, method, path, body, len, resp);
    if (st == PUSH_OK && resp->status != 200) {
        sync_log(s, TERM_SYNC_LOG_WARN, "%s %s: HTTP %ld", method, path, resp->status);
        push_response_clear(resp);
        st = PUSH_ERR_HTTP_STATUS;
    }
    return st;
}
/* ------------------------------------------------------------------------ */
/* Step                                                                     */
/* ------------------------------------------------------------------------ */

push_status term_sync_step(term_sync *s, int64_t now_ms)
{
    if (s == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    s->now = now_ms;
    if (!s->registered && now_ms < s->next_handshake) return PUSH_OK;
    sync_read_settings(s); /* the installer may have changed them at the terminal since the last step */
    if (!s->registered) {
        push_status st = sync_handshake(s);
        if (st != PUSH_OK) return st;
    }
    push_status st = sync_send_results(s);
    if (st != PUSH_OK) return sync_link_failed(s, st, "command results");
    sync_scan_users(s);
    st = sync_push_options(s);
    if (st != PUSH_OK) return sync_link_failed(s, st, "options push");
    int due = s->upload_now || s->backlog || s->opt.realtime || now_ms >= s->next_upload;
    if (due) {
        int was_kicked = s->upload_now;
        s->upload_now = 0;
        st = sync_upload_all(s);
        if (st == PUSH_ERR_STORE) {
            /* Backed off like a network fault so a persistent storage error cannot spin the loop. */
            sync_log(s, TERM_SYNC_LOG_ERROR, "outbox read failed: %s", sqlite3_errmsg(s->db));
            s->upload_now = was_kicked;
            return sync_link_failed(s, st, "outbox");
        }
        if (st != PUSH_OK) {
            s->upload_now = was_kicked;
            return sync_link_failed(s, st, "upload");
        }
        if (!s->opt.realtime && !s->backlog && now_ms >= s->next_upload) sync_schedule_upload(s);
    }
    sync_update_hold(s); /* each step, also when no upload was due: the screen says why records wait */
    if (now_ms >= s->next_poll) {
        /* While a backlog goes up the heartbeat is a ping (the protocol's advice); commands wait for the
         * poll, but never longer than ten poll intervals. */
        int use_ping = s->backlog && now_ms - s->last_poll < 10 * sync_poll_interval_ms(s);
        st = use_ping ? sync_ping(s) : sync_poll(s);
        if (st != PUSH_OK) return sync_link_failed(s, st, use_ping ? "heartbeat" : "command poll");
        if (!use_ping) s->last_poll = now_ms;
        /* A poll that brought new commands is followed by another at once: servers that hand out one command
         * per poll are drained without a Delay between their commands. */
        s->next_poll = !use_ping && s->repoll ? now_ms : now_ms + sync_poll_interval_ms(s);
        st = sync_send_results(s);
        if (st != PUSH_OK) return sync_link_failed(s, st, "command results");
    }
    if (s->reboot_pending && sync_query_int(s, "SELECT COUNT(*) FROM sync_cmds WHERE state = 1", 1) == 0) {
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

void term_sync_run(term_sync *s, atomic_int *stop)
{
    if (s == NULL || stop == NULL) return;
    while (!atomic_load(stop)) {
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

/* The watermarks and what waits past them, in one read transaction of db (any connection to the database). */
static push_status read_pending(sqlite3 *db, int64_t wm[2], uint64_t n[3])
{
    static const char sql[] =
        "WITH w AS (SELECT IFNULL((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'att_acked'), 0) AS att,"
        "                  IFNULL((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'op_acked'), 0) AS op)"
        " SELECT w.att, w.op, (SELECT COUNT(*) FROM records WHERE id > w.att),"
        "        (SELECT COUNT(*) FROM oplog WHERE id > w.op), (SELECT COUNT(*) FROM sync_outbox) FROM w";
    sqlite3_stmt *q = NULL;
    push_status st = PUSH_ERR_STORE;
    if (db != NULL && sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
        for (int i = 0; i < 2; i++) wm[i] = sqlite3_column_int64(q, i);
        for (int i = 0; i < 3; i++) n[i] = (uint64_t)sqlite3_column_int64(q, 2 + i);
        st = PUSH_OK;
    }
    sqlite3_finalize(q);
    return st;
}

push_status term_sync_pending_get(term_store *store, uint64_t *records, uint64_t *oplog, uint64_t *queued)
{
    if (store == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    int64_t wm[2];
    uint64_t n[3];
    push_status st = read_pending(term_store_db(store), wm, n);
    if (st != PUSH_OK) return st;
    if (records) *records = n[0];
    if (oplog) *oplog = n[1];
    if (queued) *queued = n[2];
    return PUSH_OK;
}

push_status term_sync_stats_get(term_sync *s, term_sync_stats *out)
{
    if (s == NULL || out == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    s->stats.registered = s->registered;
    s->stats.options = s->opt;
    s->stats.hold = s->registered ? s->hold : TERM_SYNC_HOLD_NONE;
    s->stats.bio_upload = s->bio_upload;
    int64_t wm[2];
    uint64_t n[3];
    if (read_pending(s->db, wm, n) == PUSH_OK) {
        s->stats.att_acked_id = wm[0];
        s->stats.op_acked_id = wm[1];
        s->stats.att_pending = n[0];
        s->stats.op_pending = n[1];
        s->stats.queue_pending = n[2];
    }
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
