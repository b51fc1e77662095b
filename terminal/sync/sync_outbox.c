/*
 * sync_outbox.c - what goes up: ATTLOG and OPERLOG rows past their
 * watermarks, the sync_outbox queue (backup lines, DATA QUERY answers),
 * the backup scan. See term_sync_internal.h and docs/sync.md "Outbox".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"
#include "term_sync_internal.h"

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
    push_status st = sync_call(s, "POST", path, s->buf, len, &r);
    if (st != PUSH_OK) return st;
    int64_t n = 0;
    st = push_ack_parse(r.body, r.body_len, &n);
    if (st != PUSH_OK)
        sync_log(s, TERM_SYNC_LOG_WARN, "upload of %s not acknowledged: '%.60s'", table, r.body ? r.body : "");
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
    int64_t wm = sync_state_get(s, key, 0);
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
    if (sync_state_set(s, key, s->ids[acked - 1]) != 0) return PUSH_ERR_STORE;
    if (att)
        s->stats.att_uploaded += acked;
    else
        s->stats.op_uploaded += acked;
    *more = full || acked < lines || lines == s->batch_lines;
    return PUSH_OK;
}

/*
 * The Stamp of a queued batch, so that a server recording the last Stamp it
 * saw never goes backwards because of a DATA QUERY answer: ATTLOG sends the
 * highest record id the server holds after the batch (its watermark or a
 * record of the batch, whichever is higher); OPERLOG the operation-log
 * watermark (USER / FP lines are not rows of that log); BIODATA the queue
 * position of the batch's last line, kept as bio_acked.
 */
static int64_t queue_stamp(term_sync *s, const char *table, int64_t batch_max_stamp, int64_t last_seq)
{
    if (strcmp(table, "ATTLOG") == 0) {
        int64_t wm = sync_state_get(s, "att_acked", 0);
        return batch_max_stamp > wm ? batch_max_stamp : wm;
    }
    if (strcmp(table, "OPERLOG") == 0) return sync_state_get(s, "op_acked", 0);
    return last_seq;
}

/* Queued lines of one table (sync_outbox). */
static push_status upload_queue(term_sync *s, const char *table, int *more)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT seq, line, stamp FROM sync_outbox WHERE tbl = ?1 ORDER BY seq LIMIT ?2", -1,
                           &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PUSH_ERR_STORE;
    }
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, s->batch_lines);
    size_t pos = 0;
    uint32_t lines = 0;
    int full = 0, rc;
    int64_t max_stamp = 0;
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
        if (sqlite3_column_int64(q, 2) > max_stamp) max_stamp = sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return PUSH_ERR_STORE;
    if (lines == 0) {
        *more = 0;
        return PUSH_OK;
    }
    uint32_t acked = 0;
    push_status st = post_batch(s, table, queue_stamp(s, table, max_stamp, s->ids[lines - 1]), pos, lines, &acked);
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
    if (strcmp(table, "BIODATA") == 0 && sync_state_set(s, "bio_acked", s->ids[acked - 1]) != 0) return PUSH_ERR_STORE;
    s->stats.queue_uploaded += acked;
    *more = full || acked < lines || lines == s->batch_lines;
    return PUSH_OK;
}

int sync_enqueue(term_sync *s, const char *table, const char *line, size_t len, int64_t stamp)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO sync_outbox (tbl, line, stamp) VALUES (?1, ?2, ?3)", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, line, (int)len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 3, stamp);
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

/* Queues a USER, FP or BIODATA line for table when its content changed since it was last queued: 1 queued,
 * 0 unchanged, -1 error. */
static int queue_if_changed(term_sync *s, const char *key, const char *table, const char *line, size_t len)
{
    uint64_t d = sync_fnv64(line, len);
    sqlite3_stmt *q = NULL;
    int same = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT digest FROM sync_digest WHERE key = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) same = (uint64_t)sqlite3_column_int64(q, 0) == d;
    }
    sqlite3_finalize(q);
    if (same) return 0;
    if (sync_enqueue(s, table, line, len, 0) != 0) return -1;
    int rc = -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sync_digest (key, digest) VALUES (?1, ?2)", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, (int64_t)d);
        rc = sqlite3_step(q) == SQLITE_DONE ? 1 : -1;
    }
    sqlite3_finalize(q);
    return rc;
}

/* 1 queued, 0 unchanged (only_changed), -1 error. */
static int queue_line(term_sync *s, int only_changed, const char *key, const char *table, const char *line, size_t len)
{
    if (only_changed) return queue_if_changed(s, key, table, line, len);
    return sync_enqueue(s, table, line, len, 0) == 0 ? 1 : -1;
}

/* USER lines; the password is never among them (the terminal keeps a salted hash only). */
static int queue_user_lines(term_sync *s, const char *uid, int only_changed)
{
    char line[512], key[64];
    sqlite3_stmt *q = NULL;
    const char *sql = uid ? "SELECT u.id, u.name, u.privilege, c.card, EXISTS (SELECT 1 FROM pins p WHERE p.uid = u.id)"
                            " FROM users u LEFT JOIN cards c ON c.uid = u.id WHERE u.id = ?1"
                          : "SELECT u.id, u.name, u.privilege, c.card, EXISTS (SELECT 1 FROM pins p WHERE p.uid = u.id)"
                            " FROM users u LEFT JOIN cards c ON c.uid = u.id ORDER BY u.id";
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return -1;
    }
    if (uid) sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
    int rc = 0;
    unsigned with_pin = 0;
    while (rc >= 0 && sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        size_t pos = 0;
        if (push_format_user(line, sizeof(line), &pos, id ? id : "", name ? name : "", sqlite3_column_int(q, 2),
                             (uint64_t)sqlite3_column_int64(q, 3)) != PUSH_OK)
            continue;
        snprintf(key, sizeof(key), "U:%s", id ? id : "");
        rc = queue_line(s, only_changed, key, "OPERLOG", line, pos);
        if (rc > 0 && sqlite3_column_int(q, 4)) with_pin++;
    }
    sqlite3_finalize(q);
    if (rc < 0) return -1;
    if (with_pin > 0)
        sync_log(s, TERM_SYNC_LOG_INFO,
                 "%u USER line(s) of users with a PIN queued without Passwd: PINs stay on the terminal as salted "
                 "hashes and are never exported",
                 with_pin);
    return 0;
}

/* FP (FINGERTMP) or BIODATA lines of one user's fingers (fid < 0: all), or everybody's (uid NULL). */
static int queue_finger_lines(term_sync *s, const char *uid, int fid, int bio, int only_changed)
{
    char key[64];
    sqlite3_stmt *q = NULL;
    const char *sql =
        uid ? "SELECT uid, idx, template FROM fingers WHERE uid = ?1 AND (?2 < 0 OR idx = ?2) ORDER BY idx"
            : "SELECT uid, idx, template FROM fingers ORDER BY uid, idx";
    size_t cap = PUSH_TMP_B64_MAX + 256;
    char *line = malloc(cap);
    if (line == NULL || sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        free(line);
        sqlite3_finalize(q);
        return -1;
    }
    if (uid) {
        sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 2, fid);
    }
    int rc = 0;
    while (rc >= 0 && sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        int idx = sqlite3_column_int(q, 1);
        uint8_t *iso = NULL;
        size_t iso_len = 0, pos = 0;
        if (native_to_iso(sqlite3_column_blob(q, 2), (size_t)sqlite3_column_bytes(q, 2), &iso, &iso_len) != 0) {
            sync_log(s, TERM_SYNC_LOG_WARN, "template %s/%d cannot be converted for upload", id ? id : "?", idx);
            continue;
        }
        push_status f = bio ? push_format_biodata(line, cap, &pos, id ? id : "", (uint32_t)idx, SYNC_FP_MAJOR_VER,
                                                  SYNC_FP_MINOR_VER, PUSH_BIO_FORMAT_ISO, iso, iso_len)
                            : push_format_fp(line, cap, &pos, id ? id : "", (uint32_t)idx, iso, iso_len);
        free(iso);
        if (f != PUSH_OK) continue;
        snprintf(key, sizeof(key), "F:%s:%d", id ? id : "", idx);
        rc = queue_line(s, only_changed, key, bio ? "BIODATA" : "OPERLOG", line, pos);
    }
    free(line);
    sqlite3_finalize(q);
    return rc < 0 ? -1 : 0;
}

int sync_queue_users(term_sync *s, const char *uid, int fid, unsigned what, int only_changed)
{
    int rc = 0;
    if (what & SYNC_Q_USER) rc = queue_user_lines(s, uid, only_changed);
    if (rc == 0 && (what & SYNC_Q_FP)) rc = queue_finger_lines(s, uid, fid, 0, only_changed);
    if (rc == 0 && (what & SYNC_Q_BIO)) rc = queue_finger_lines(s, uid, fid, 1, only_changed);
    return rc;
}

unsigned sync_finger_form(const term_sync *s)
{
    return s->bio_upload ? SYNC_Q_BIO : SYNC_Q_FP;
}

/* Backup of users and templates: queues what changed since the last scan. */
void sync_scan_users(term_sync *s)
{
    uint32_t f = s->opt.trans_flags;
    unsigned what = 0;
    if (f & (PUSH_TRANS_ENROLL_USER | PUSH_TRANS_CHG_USER)) what |= SYNC_Q_USER;
    if (f & (PUSH_TRANS_ENROLL_FP | PUSH_TRANS_CHG_FP)) what |= sync_finger_form(s);
    if (what == 0) return;
    int64_t top = sync_query_int(s, "SELECT IFNULL(MAX(id), 0) FROM oplog", 0);
    if (!s->scan_needed && top == s->last_scanned_oplog) return;
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return;
    if (sync_queue_users(s, NULL, -1, what, 1) == 0 && sync_db_exec(s, "COMMIT") == 0) {
        s->scan_needed = 0;
        s->last_scanned_oplog = top;
        s->options_push_due = 1; /* the counts in a table=options push may have changed */
    } else {
        sync_db_exec(s, "ROLLBACK");
        sync_log(s, TERM_SYNC_LOG_ERROR, "user backup scan failed: %s", sqlite3_errmsg(s->db));
    }
}

/* The protocol's reading: TransFlag lists what the device sends on its own. Servers that omit AttLog but want
 * attendance exist; the installer's setting sends it anyway (docs/sync.md "Upload policy"). */
static int att_allowed(const term_sync *s)
{
    return (s->opt.trans_flags & PUSH_TRANS_ATTLOG) || s->att_always;
}

void sync_update_hold(term_sync *s)
{
    term_sync_hold hold = TERM_SYNC_HOLD_NONE;
    if (!att_allowed(s)) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT EXISTS (SELECT 1 FROM records WHERE id > %lld)",
                 (long long)sync_state_get(s, "att_acked", 0));
        if (sync_query_int(s, sql, 0)) hold = TERM_SYNC_HOLD_NOT_REQUESTED;
    }
    if (hold != s->hold && hold != TERM_SYNC_HOLD_NONE)
        sync_log(s, TERM_SYNC_LOG_WARN,
                 "attendance records wait: %s (TransFlag without AttLog; the installer's "
                 "Upload Attendance Always sends them anyway)",
                 term_sync_hold_message(hold));
    s->hold = hold;
}

push_status sync_upload_all(term_sync *s)
{
    int more = 0, any = 0;
    push_status st = PUSH_OK;
    if (att_allowed(s)) {
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
    if (st == PUSH_OK) { /* after OPERLOG: a server learns the user before the user's templates */
        st = upload_queue(s, "BIODATA", &more);
        any |= more;
    }
    s->backlog = st == PUSH_OK && any;
    return st;
}
