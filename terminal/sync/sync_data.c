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

int sync_exec_update_user(term_sync *s, const push_cmd *c, const char *reply_ok, const char *id)
{
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return -1007;
    int alnum = 0;
    if (term_store_settings_load(s->st, set) == TERM_OK)
        alnum = (int)term_settings_get(set, TERM_SETTING_ALNUM_USER_ID);
    free(set);
    if (term_user_id_check(c->pin, alnum) != TERM_OK) {
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
    if (ret != 0) sync_db_exec(s, "ROLLBACK");
    OPENSSL_cleanse(hash, sizeof(hash));
    if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_USERS);
    return ret;
}

int sync_exec_update_fp(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status us = term_store_user_get(s->st, c->pin, &info);
    if (us != TERM_OK) return sync_ret_of(us);
    size_t cap = c->tmp_len / 4 * 3 + 3, len = 0;
    uint8_t *raw = malloc(cap);
    if (raw == NULL) return -1007;
    if (push_base64_decode(c->tmp, c->tmp_len, raw, cap, &len) != PUSH_OK || len == 0) {
        free(raw);
        sync_log(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: TMP is not base64", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_FORMAT;
    }
    if (c->valid == 0) {
        free(raw);
        sync_log(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: marked invalid", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    /* Accepted: ISO 19794-2, ANSI 378 or the engine's native format; stored native. */
    static const fp_template_format formats[] = {FP_FORMAT_ISO19794_2, FP_FORMAT_ANSI378, FP_FORMAT_NATIVE};
    fp_template *t = NULL;
    for (size_t i = 0; i < 3 && t == NULL; i++)
        if (fp_template_deserialize(formats[i], raw, len, &t) != FP_OK) t = NULL;
    free(raw);
    if (t == NULL) {
        sync_log(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u refused: not an ISO, ANSI or native template", c->pin, c->fid);
        return PUSH_RET_TEMPLATE_ILLEGAL;
    }
    size_t need = 0, written = 0;
    uint8_t *native = NULL;
    int ret = -1007;
    if (fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need) == FP_OK && (native = malloc(need)) != NULL &&
        fp_template_serialize(t, FP_FORMAT_NATIVE, native, need, &written) == FP_OK) {
        term_status ts = term_store_finger_set(s->st, c->pin, c->fid, native, written);
        ret = sync_ret_of(ts);
        if (ts != TERM_OK) sync_log(s, TERM_SYNC_LOG_WARN, "FINGERTMP %s/%u: %s", c->pin, c->fid, term_status_message(ts));
    }
    free(native);
    fp_template_destroy(t);
    if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_FINGERS);
    return ret;
}

int sync_exec_delete_fp(term_sync *s, const push_cmd *c)
{
    term_user_info info;
    term_status ts = term_store_user_get(s->st, c->pin, &info);
    if (ts != TERM_OK) return sync_ret_of(ts);
    for (uint32_t i = 0; i < TERM_FINGERS_PER_USER; i++) {
        if ((c->has & PUSH_HAS_FID) && i != c->fid) continue;
        ts = term_store_finger_delete(s->st, c->pin, i);
        if (ts != TERM_OK && ts != TERM_ERR_NOT_FOUND) return sync_ret_of(ts);
    }
    sync_changed(s, TERM_SYNC_CHANGED_FINGERS);
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
    if (push_format_attlog(line, sizeof(line), &pos, &a) != PUSH_OK || sync_enqueue(qc->s, "ATTLOG", line, pos) != 0) {
        qc->fail = 1;
        return 1;
    }
    return 0;
}

int sync_exec_query_attlog(term_sync *s, const push_cmd *c)
{
    query_ctx qc = {s, 0};
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    term_status ts = term_store_record_query(s->st, NULL, c->start, c->end, query_record, &qc);
    if (ts != TERM_OK || qc.fail || sync_db_exec(s, "COMMIT") != 0) {
        sync_db_exec(s, "ROLLBACK");
        return PUSH_RET_READ_WRITE;
    }
    s->upload_now = 1;
    return 0;
}

int sync_exec_clear_data(term_sync *s)
{
    if (sync_db_exec(s, "BEGIN IMMEDIATE") != 0) return PUSH_RET_BUSY;
    if (sync_db_exec(s, "DELETE FROM fingers; DELETE FROM cards; DELETE FROM pins; DELETE FROM users;"
                   "DELETE FROM records; DELETE FROM sync_digest;") != 0 ||
        sync_db_exec(s, "COMMIT") != 0) {
        sync_db_exec(s, "ROLLBACK");
        return PUSH_RET_READ_WRITE;
    }
    sync_changed(s, TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS | TERM_SYNC_CHANGED_RECORDS);
    return 0;
}
