/*
 * sync_data.c - DATA commands on users, fingers and records, and CLEAR.
 * See term_sync_internal.h and docs/sync.md.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"
#include "term_sync_internal.h"

/* A transaction of the engine's own SQL failed: its answer (-1001 when the storage is full, else -3), rolled back. */
static int rollback(term_sync *s, const char *what)
{
    int ret = sync_sql_ret(s, what);
    sync_db_exec(s, "ROLLBACK");
    return ret;
}

/* As rollback, for a failure a store call reported. */
static int rollback_status(term_sync *s, term_status ts, const char *what)
{
    int ret = sync_store_ret(s, ts, what);
    sync_db_exec(s, "ROLLBACK");
    return ret;
}

/* Whether the EXISTS query sql finds a row for uid. */
static int has_row(term_sync *s, const char *sql, const char *uid)
{
    sqlite3_stmt *q = NULL;
    int yes = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, uid, -1, SQLITE_STATIC);
        yes = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    }
    sqlite3_finalize(q);
    return yes;
}

/* Whether the user has a PIN. */
static int has_pin(term_sync *s, const char *uid)
{
    return has_row(s, "SELECT EXISTS (SELECT 1 FROM pins WHERE uid = ?1)", uid);
}

/* Whether a user is stored under exactly this id. */
static int user_exists(term_sync *s, const char *uid)
{
    return has_row(s, "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)", uid);
}

/*
 * DATA UPDATE USERINFO: every field in one transaction, recorded as executed in it too.
 *
 * Passwd: absent keeps the PIN; a value sets it (hashed, the clear text wiped). Empty is where servers differ:
 * the terminal never exports a PIN (it keeps a salted hash), so a server that stores what it was sent holds an
 * empty password and sends "Passwd=" back when it syncs users. Unless the installer allowed it
 * (server_may_remove_pins), an empty Passwd therefore leaves an existing PIN in place; the rest of the update
 * applies and the kept PIN is logged. Returns 0 in both cases: the command did what this terminal does with it.
 */
int sync_exec_update_user(term_sync *s, const push_cmd *c, const char *reply_ok, const char *id)
{
    /* a new user's id must be valid here; an existing one is named by its stored id (sync_normalise_pin), which
     * earlier firmware may have stored in a form no longer given to new users ("007") */
    if (term_user_id_check(c->pin, s->alnum_ids) != TERM_OK && !user_exists(s, c->pin)) {
        sync_log(s, TERM_SYNC_LOG_WARN, "USERINFO refused: '%s' is not a valid user id here", c->pin);
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
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
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
    if (ret == 0 && !exists && sync_query_int(s, "SELECT COUNT(*) FROM users", 0) >= (int64_t)prof->max_users)
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
    int empty_passwd = (c->has & PUSH_HAS_PASSWD) && c->passwd[0] == '\0';
    int pin_there = ret == 0 && exists && empty_passwd && has_pin(s, c->pin);
    if (ret == 0 && (set_pin || (pin_there && s->pin_removal))) {
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
                sync_log(s, TERM_SYNC_LOG_WARN, "USERINFO %s refused: card %llu belongs to another user", c->pin,
                         (unsigned long long)c->card);
                ret = PUSH_RET_BAD_PARAMETER;
            }
            if (ret == 0 && !has_card && sync_query_int(s, "SELECT COUNT(*) FROM cards", 0) >= (int64_t)prof->max_cards)
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
    if (ret == 0 && sync_cmd_record(s, id, reply_ok, 1) != 0) ret = PUSH_RET_READ_WRITE;
    if (ret == 0 && sync_db_exec(s, "COMMIT") != 0) ret = PUSH_RET_READ_WRITE;
    if (ret == PUSH_RET_READ_WRITE) ret = sync_sql_ret(s, "UPDATE USERINFO");
    if (ret != 0) sync_db_exec(s, "ROLLBACK");
    OPENSSL_cleanse(hash, sizeof(hash));
    if (ret == 0 && pin_there)
        sync_log(s, s->pin_removal ? TERM_SYNC_LOG_INFO : TERM_SYNC_LOG_WARN,
                 s->pin_removal ? "USERINFO %s: empty Passwd removed the user's PIN (Server May Remove PINs is on)"
                                : "USERINFO %s: empty Passwd ignored, the user's PIN is kept (this terminal never "
                                  "exports PINs; Server May Remove PINs is off)",
                 c->pin);
    if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_USERS);
    return ret;
}

/* ------------------------------------------------------------------------ */
/* Fingerprint templates (FINGERTMP and BIODATA Type=1)                     */
/* ------------------------------------------------------------------------ */

static const char *format_name(fp_template_format f)
{
    return f == FP_FORMAT_ISO19794_2 ? "ISO 19794-2" : f == FP_FORMAT_ANSI378 ? "ANSI 378" : "native";
}

/*
 * Reads a template the engine knows: ISO/IEC 19794-2:2005, ANSI/INCITS
 * 378-2004 or the engine's own format, `first` tried first (the format
 * the sender declared), then the others. The readers check every field, so
 * a record of one is never taken for another. NULL when none reads it.
 */
static fp_template *read_template(const uint8_t *raw, size_t len, fp_template_format first, fp_template_format *got)
{
    static const fp_template_format all[3] = {FP_FORMAT_ISO19794_2, FP_FORMAT_ANSI378, FP_FORMAT_NATIVE};
    fp_template_format order[3] = {first, first, first};
    size_t n = 1;
    for (size_t i = 0; i < 3; i++)
        if (all[i] != first) order[n++] = all[i];
    for (size_t i = 0; i < n; i++) {
        fp_template *t = NULL;
        if (fp_template_deserialize(order[i], raw, len, &t) == FP_OK) {
            *got = order[i];
            return t;
        }
    }
    return NULL;
}

/* TMP / Tmp decoded; NULL with *ret set (-11 not base64, -1007 memory) and the reason logged. */
static uint8_t *decode_tmp(term_sync *s, const push_cmd *c, const char *what, size_t *len, int *ret)
{
    size_t cap = c->tmp_len / 4 * 3 + 3;
    uint8_t *raw = malloc(cap);
    if (raw == NULL) {
        *ret = -1007;
        return NULL;
    }
    if (push_base64_decode(c->tmp, c->tmp_len, raw, cap, len) != PUSH_OK || *len == 0) {
        free(raw);
        sync_log(s, TERM_SYNC_LOG_WARN, "%s %s/%u refused: the template is not base64", what, c->pin, c->fid);
        *ret = PUSH_RET_TEMPLATE_FORMAT;
        return NULL;
    }
    return raw;
}

/* Stores t as finger c->fid of c->pin, in the engine's native format (what the gallery loads). */
static int store_finger(term_sync *s, const push_cmd *c, const char *what, fp_template *t)
{
    size_t need = 0, written = 0;
    uint8_t *native = NULL;
    int ret = -1007;
    if (fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need) == FP_OK && (native = malloc(need)) != NULL &&
        fp_template_serialize(t, FP_FORMAT_NATIVE, native, need, &written) == FP_OK) {
        term_status ts = term_store_finger_set(s->st, c->pin, c->fid, native, written);
        ret = sync_store_ret(s, ts, what);
        if (ts != TERM_OK)
            sync_log(s, TERM_SYNC_LOG_WARN, "%s %s/%u: %s", what, c->pin, c->fid, term_status_message(ts));
    }
    free(native);
    if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_FINGERS);
    return ret;
}

int sync_exec_update_fp(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status us = term_store_user_get(s->st, c->pin, &info);
    if (us != TERM_OK) return term_sync_return_of(us);
    size_t len = 0;
    int ret = 0;
    uint8_t *raw = decode_tmp(s, c, "FINGERTMP", &len, &ret);
    if (raw == NULL) return ret;
    if (c->valid == 0) {
        free(raw);
        sync_log(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: marked invalid", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    /* FINGERTMP declares no format: the record says what it is. */
    fp_template_format got;
    fp_template *t = read_template(raw, len, FP_FORMAT_ISO19794_2, &got);
    free(raw);
    if (t == NULL) {
        sync_log(s, TERM_SYNC_LOG_WARN,
                 "FINGERTMP %s/%u refused: not an ISO 19794-2, ANSI 378 or native template (a vendor format this "
                 "engine cannot read)",
                 c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    ret = store_finger(s, c, "FINGERTMP", t);
    fp_template_destroy(t);
    return ret;
}

/*
 * DATA UPDATE BIODATA. Type=1 only (the M1 has fingerprints); one template
 * per finger (Index=0). Format=1 (ISO) and 2 (ANSI) are read as declared;
 * Format=0 is the vendor's own ZK template, whose layout is not public: it
 * is refused with -11 and never stored, unless the bytes are in fact one of
 * the formats above (then stored, and the mislabel logged).
 */
int sync_exec_update_bio(term_sync *s, const push_cmd *c)
{
    if (c->bio_type != PUSH_BIO_FINGER) {
        sync_log(s, TERM_SYNC_LOG_WARN, "BIODATA %s Type=%d refused: this terminal keeps fingerprints (Type=1) only",
                 c->pin, c->bio_type);
        return PUSH_RET_NOT_SUPPORTED;
    }
    term_user_info info;
    term_status us = term_store_user_get(s->st, c->pin, &info);
    if (us != TERM_OK) return term_sync_return_of(us);
    if (c->bio_index != 0) {
        sync_log(s, TERM_SYNC_LOG_WARN, "BIODATA %s/%u Index=%u refused: one template per finger (Index=0)", c->pin,
                 c->fid, c->bio_index);
        return PUSH_RET_NOT_SUPPORTED;
    }
    if (c->valid == 0) {
        sync_log(s, TERM_SYNC_LOG_WARN, "BIODATA %s/%u refused: marked invalid (Valid=0)", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    size_t len = 0;
    int ret = 0;
    uint8_t *raw = decode_tmp(s, c, "BIODATA", &len, &ret);
    if (raw == NULL) return ret;
    int declared = c->bio_format == PUSH_BIO_FORMAT_ISO || c->bio_format == PUSH_BIO_FORMAT_ANSI;
    fp_template_format want = c->bio_format == PUSH_BIO_FORMAT_ANSI ? FP_FORMAT_ANSI378 : FP_FORMAT_ISO19794_2;
    fp_template_format got;
    fp_template *t = read_template(raw, len, want, &got);
    free(raw);
    if (t == NULL && !declared) {
        sync_log(s, TERM_SYNC_LOG_WARN,
                 "BIODATA %s/%u refused: Format=%d%s (version %d.%d) is a vendor template this engine cannot read; "
                 "not stored (Format=1 ISO 19794-2 and Format=2 ANSI 378 are read)",
                 c->pin, c->fid, c->bio_format, c->bio_format == PUSH_BIO_FORMAT_ZK ? " (ZK)" : "", c->major_ver,
                 c->minor_ver);
        return PUSH_RET_TEMPLATE_FORMAT;
    }
    if (t == NULL) {
        sync_log(s, TERM_SYNC_LOG_WARN, "BIODATA %s/%u refused: not a valid %s record", c->pin, c->fid,
                 format_name(want));
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    if (!declared || got != want)
        sync_log(s, TERM_SYNC_LOG_WARN, "BIODATA %s/%u: Format=%d, but the record is %s: stored as what it is", c->pin,
                 c->fid, c->bio_format, format_name(got));
    if (c->duress)
        sync_log(s, TERM_SYNC_LOG_INFO,
                 "BIODATA %s/%u: Duress=1 stored as a normal finger (the M1 has no duress alarm)", c->pin, c->fid);
    ret = store_finger(s, c, "BIODATA", t);
    fp_template_destroy(t);
    return ret;
}

/* Fingers c->fid (PUSH_HAS_FID) or all of an existing user. */
static int delete_fingers(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status ts = term_store_user_get(s->st, c->pin, &info);
    if (ts != TERM_OK) return term_sync_return_of(ts);
    for (uint32_t i = 0; i < TERM_FINGERS_PER_USER; i++) {
        if ((c->has & PUSH_HAS_FID) && i != c->fid) continue;
        ts = term_store_finger_delete(s->st, c->pin, i);
        if (ts != TERM_OK && ts != TERM_ERR_NOT_FOUND) return sync_store_ret(s, ts, "DELETE fingers");
    }
    sync_changed(s, TERM_SYNC_CHANGED_FINGERS);
    return 0;
}

/* Whether a BIODATA Type (or its absence) covers fingerprints: Type=1, or 0 ("common": every type). */
static int covers_fingers(const push_cmd *c)
{
    return !(c->has & PUSH_HAS_TYPE) || c->bio_type == PUSH_BIO_FINGER || c->bio_type == PUSH_BIO_COMMON;
}

int sync_exec_delete_fp(term_sync *s, const push_cmd *c)
{
    return delete_fingers(s, c);
}

int sync_exec_delete_bio(term_sync *s, const push_cmd *c)
{
    if (!covers_fingers(c)) {
        term_user_info info;
        term_status ts = term_store_user_get(s->st, c->pin, &info);
        if (ts != TERM_OK) return term_sync_return_of(ts);
        sync_log(s, TERM_SYNC_LOG_INFO, "DELETE BIODATA %s Type=%d: no templates of that type here, nothing deleted",
                 c->pin, c->bio_type);
        return 0;
    }
    return delete_fingers(s, c);
}

/* Queues the fingers of c->pin (or everybody's) in form what (SYNC_Q_FP / SYNC_Q_BIO) and uploads soon. */
static int query_fingers(term_sync *s, const push_cmd *c, int by_pin, unsigned what)
{
    if (by_pin) {
        term_user_info info;
        term_status ts = term_store_user_get(s->st, c->pin, &info);
        if (ts != TERM_OK) return term_sync_return_of(ts);
    }
    if (sync_queue_users(s, by_pin ? c->pin : NULL, (c->has & PUSH_HAS_FID) ? (int)c->fid : -1, what, 0) != 0)
        return sync_sql_ret(s, "QUERY fingers");
    s->upload_now = 1;
    return 0;
}

int sync_exec_query_fp(term_sync *s, const push_cmd *c)
{
    return query_fingers(s, c, 1, SYNC_Q_FP);
}

int sync_exec_query_bio(term_sync *s, const push_cmd *c)
{
    if (!covers_fingers(c)) {
        sync_log(s, TERM_SYNC_LOG_INFO, "QUERY BIODATA Type=%d: no templates of that type here, nothing to send",
                 c->bio_type);
        return 0;
    }
    /* the server asked in BIODATA: it gets BIODATA, whatever its MultiBioDataSupport said */
    return query_fingers(s, c, (c->has & PUSH_HAS_PIN) != 0, SYNC_Q_BIO);
}

int sync_exec_clear_bio(term_sync *s)
{
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    if (sync_db_exec(s, "DELETE FROM fingers; DELETE FROM sync_digest WHERE key LIKE 'F:%';") != 0 ||
        sync_db_exec(s, "COMMIT") != 0)
        return rollback(s, "CLEAR BIODATA");
    sync_changed(s, TERM_SYNC_CHANGED_FINGERS);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct query_ctx {
    term_sync *s;
    int fail;
    term_status why; /* of the failed enqueue */
} query_ctx;

static int query_record(void *ctx, int64_t id, const term_record *rec)
{
    query_ctx *qc = ctx;
    char line[128];
    size_t pos = 0;
    push_attlog a = {rec->uid, rec->time, push_status_code((int)rec->state), push_verify_code((int)rec->verify), id};
    /* the record id is the line's stamp: the batch's Stamp is then the newest record the server holds */
    if (push_format_attlog(line, sizeof(line), &pos, &a) != PUSH_OK ||
        sync_enqueue(qc->s, "ATTLOG", line, pos, id) != 0) {
        qc->fail = 1;
        qc->why = sqlite3_errcode(qc->s->db) == SQLITE_FULL ? TERM_ERR_STORAGE_FULL : TERM_ERR_IO;
        return 1;
    }
    return 0;
}

int sync_exec_query_attlog(term_sync *s, const push_cmd *c)
{
    query_ctx qc = {s, 0, TERM_OK};
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    term_status ts = term_store_record_query(s->st, NULL, c->start, c->end, query_record, &qc);
    if (qc.fail) return rollback_status(s, qc.why, "QUERY ATTLOG");
    if (ts != TERM_OK) return rollback_status(s, ts, "QUERY ATTLOG");
    if (sync_db_exec(s, "COMMIT") != 0) return rollback(s, "QUERY ATTLOG");
    s->upload_now = 1;
    return 0;
}

int sync_exec_clear_data(term_sync *s)
{
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    if (sync_db_exec(s, "DELETE FROM fingers; DELETE FROM cards; DELETE FROM pins; DELETE FROM users;"
                        "DELETE FROM records; DELETE FROM sync_digest;") != 0 ||
        sync_db_exec(s, "COMMIT") != 0)
        return rollback(s, "CLEAR DATA");
    sync_changed(s, TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS | TERM_SYNC_CHANGED_RECORDS);
    return 0;
}

int sync_exec_verify_sum(term_sync *s, const push_cmd *c, uint64_t *sum)
{
    sqlite3_stmt *q = NULL;
    int ret = PUSH_RET_READ_WRITE;
    *sum = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM records WHERE time >= ?1 AND time <= ?2", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(q, 1, c->start);
        sqlite3_bind_int64(q, 2, c->end);
        if (sqlite3_step(q) == SQLITE_ROW) {
            *sum = (uint64_t)sqlite3_column_int64(q, 0);
            ret = 0;
        }
    }
    sqlite3_finalize(q);
    return ret;
}
