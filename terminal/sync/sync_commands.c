/*
 * sync_commands.c - getrequest, the command dispatcher, executed ids,
 * results (devicecmd), SET OPTION and INFO. See term_sync_internal.h and
 * docs/sync.md "Commands and return codes".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term_sync_internal.h"

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */
/* ------------------------------------------------------------------------ */

int sync_cmd_known(term_sync *s, const char *id, int *state)
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

int sync_cmd_record(term_sync *s, const char *id, const char *reply, int state)
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

int sync_reply_line(char *out, size_t cap, const char *id, int ret, const char *cmd)
{
    size_t pos = 0;
    if (cap == 0 || push_format_result(out, cap - 1, &pos, id, ret, cmd) != PUSH_OK) {
        if (cap > 0) out[0] = '\0';
        return -1;
    }
    out[pos] = '\0';
    return 0;
}

void sync_changed(term_sync *s, unsigned what)
{
    if (what & (TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS)) s->scan_needed = 1;
    if (s->dev.data_changed) s->dev.data_changed(s->dev.ctx, what);
}

/* SET OPTION; *handed_over set when the application took a terminal setting over (it answers later). */
static int exec_set_option(term_sync *s, const push_cmd *c, const char *id, int *handed_over)
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
        sync_schedule_upload(s);
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
        sync_log(s, TERM_SYNC_LOG_WARN, "SET OPTION %s refused: only set at the terminal", c->key);
        return PUSH_RET_NOT_SUPPORTED;
    }
    if (s->dev.set_setting != NULL) {
        /* The application keeps the settings in force and saves them whole: it applies the change itself, so
         * a menu save cannot overwrite it with an older copy. */
        int ret = s->dev.set_setting(s->dev.ctx, id, c->key, c->value);
        *handed_over = ret == 0;
        return ret;
    }
    term_settings *set = malloc(sizeof(*set));
    if (set == NULL) return -1007;
    int ret = 0;
    term_status ts = term_store_settings_load(s->st, set);
    if (ts == TERM_OK) ts = term_settings_parse(set, c->key, c->value);
    if (ts == TERM_OK) ts = term_store_settings_save(s->st, set);
    if (ts != TERM_OK) {
        sync_log(s, TERM_SYNC_LOG_WARN, "SET OPTION %s refused: %s", c->key, term_status_message(ts));
        ret = term_sync_return_of(ts) == PUSH_RET_READ_WRITE ? PUSH_RET_READ_WRITE : PUSH_RET_BAD_PARAMETER;
    }
    free(set);
    if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_SETTINGS);
    return ret;
}

/* INFO's reply: the result line, then key=value lines (the same values a table=options push carries). */
static int exec_info(term_sync *s, const char *id, char *reply, size_t cap)
{
    static const char *const keys[] = {"~DeviceName",    "~SerialNumber", "FWVersion",        "PushVersion",
                                       "UserCount",      "FPCount",       "TransactionCount", "OpLogCount",
                                       "CardCount",      "PwdCount",      "MaxUserCount",     "MaxFingerCount",
                                       "MaxAttLogCount", "FingerFunOn",   "FPVersion"};
    term_store_counts n;
    if (term_store_counts_get(s->st, &n) != TERM_OK) return PUSH_RET_READ_WRITE;
    int len = snprintf(reply, cap, "ID=%s&Return=0&CMD=INFO\n", id);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && len >= 0 && (size_t)len < cap; i++) {
        char value[128];
        sync_device_value(s, &n, keys[i], value, sizeof(value));
        len += snprintf(reply + len, cap - (size_t)len, "%s=%s\n", keys[i], value);
    }
    return (len < 0 || (size_t)len >= cap) ? PUSH_RET_TOO_LONG : 0;
}

/* VERIFY SUM's reply carries the range and the count (the protocol's 12.3.3). */
static int exec_verify_sum(term_sync *s, const push_cmd *c, const char *id, char *reply, size_t cap)
{
    uint64_t sum = 0;
    int ret = sync_exec_verify_sum(s, c, &sum);
    size_t pos = 0;
    if (cap == 0 || push_format_verify_sum(reply, cap - 1, &pos, id, ret, c->start, c->end, sum) != PUSH_OK)
        return PUSH_RET_TOO_LONG;
    reply[pos] = '\0';
    return ret;
}

int sync_run_command(term_sync *s, const push_cmd_line *cl)
{
    int state = 0;
    if (sync_cmd_known(s, cl->id, &state)) {
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
        sync_log(s, TERM_SYNC_LOG_INFO, "command %s already executed: not applied again", cl->id);
        return 0;
    }
    push_cmd *c = malloc(sizeof(*c));
    char *reply = malloc(2048);
    if (c == NULL || reply == NULL) {
        free(c);
        free(reply);
        return 0; /* not recorded: the server resends it */
    }
    char why[160] = "";
    push_status ps = push_cmd_parse(cl->text, cl->text_len, c, why, sizeof(why));
    int ret = 0, async = 0, recorded = 0, custom_reply = 0;
    const char *cmdname = c->reply_cmd[0] ? c->reply_cmd : "UNKNOWN";
    if (ps != PUSH_OK) {
        ret = c->error_ret ? c->error_ret : PUSH_RET_BAD_PARAMETER;
        sync_log(s, TERM_SYNC_LOG_WARN, "command %s rejected (%d): %s", cl->id, ret, why);
    } else {
        s->stats.commands_run++;
        if (c->pin[0] != '\0') sync_normalise_pin(s, c);
        char ok_reply[128];
        sync_reply_line(ok_reply, sizeof(ok_reply), cl->id, 0, cmdname);
        switch (c->kind) {
        case PUSH_CMD_UPDATE_USER:
            ret = sync_exec_update_user(s, c, ok_reply, cl->id);
            recorded = ret == 0;
            break;
        case PUSH_CMD_UPDATE_FP:
            ret = sync_exec_update_fp(s, c);
            break;
        case PUSH_CMD_DELETE_USER:
            ret = sync_store_ret(s, term_store_user_delete(s->st, c->pin), "DELETE USERINFO");
            if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS);
            break;
        case PUSH_CMD_DELETE_FP:
            ret = sync_exec_delete_fp(s, c);
            break;
        case PUSH_CMD_QUERY_ATTLOG:
            ret = sync_exec_query_attlog(s, c);
            break;
        case PUSH_CMD_QUERY_USER: {
            term_user_info info;
            term_status ts = term_store_user_get(s->st, c->pin, &info);
            unsigned what = SYNC_Q_USER | sync_finger_form(s);
            ret = ts != TERM_OK                                   ? term_sync_return_of(ts)
                  : sync_queue_users(s, c->pin, -1, what, 0) == 0 ? 0
                                                                  : sync_sql_ret(s, "QUERY USERINFO");
            s->upload_now = 1;
            break;
        }
        case PUSH_CMD_CLEAR_LOG:
            ret = sync_store_ret(s, term_store_record_delete_all(s->st), "CLEAR LOG");
            if (ret == 0) sync_changed(s, TERM_SYNC_CHANGED_RECORDS);
            break;
        case PUSH_CMD_CLEAR_DATA:
            ret = sync_exec_clear_data(s);
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
            custom_reply = ret == 0;
            break;
        case PUSH_CMD_SET_OPTION:
            ret = exec_set_option(s, c, cl->id, &async);
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
            ret = sync_exec_upgrade(s, c);
            break;
        case PUSH_CMD_UPDATE_BIO:
            ret = sync_exec_update_bio(s, c);
            break;
        case PUSH_CMD_DELETE_BIO:
            ret = sync_exec_delete_bio(s, c);
            break;
        case PUSH_CMD_QUERY_BIO:
            ret = sync_exec_query_bio(s, c);
            break;
        case PUSH_CMD_QUERY_FP:
            ret = sync_exec_query_fp(s, c);
            break;
        case PUSH_CMD_CLEAR_BIO:
            ret = sync_exec_clear_bio(s);
            break;
        case PUSH_CMD_VERIFY_SUM:
            ret = exec_verify_sum(s, c, cl->id, reply, 2048);
            custom_reply = ret != PUSH_RET_TOO_LONG;
            break;
        default:
            ret = PUSH_RET_NOT_SUPPORTED;
            break;
        }
    }
    if (!recorded) {
        if (!custom_reply) sync_reply_line(reply, 2048, cl->id, ret, cmdname);
        if (sync_cmd_record(s, cl->id, reply, async ? 0 : 1) != 0)
            sync_log(s, TERM_SYNC_LOG_ERROR, "command %s: result not stored: %s", cl->id, sqlite3_errmsg(s->db));
    }
    free(c);
    free(reply);
    return 1;
}

push_status term_sync_enroll_done(term_sync *s, const char *cmd_id, int ret)
{
    push_status st = term_sync_command_done(s, cmd_id, ret);
    if (st == PUSH_OK && ret == 0) sync_changed(s, TERM_SYNC_CHANGED_FINGERS | TERM_SYNC_CHANGED_USERS);
    return st;
}

push_status term_sync_command_done(term_sync *s, const char *cmd_id, int ret)
{
    if (s == NULL || cmd_id == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *q = NULL;
    char ret_text[16];
    snprintf(ret_text, sizeof(ret_text), "%d", ret);
    /* The stored answer was written with Return=0 when the command was handed over. */
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
    return PUSH_OK;
}

/*
 * Stored results go one per POST: the protocol lets a POST carry several
 * lines, but servers exist that read only the first and answer OK for all,
 * and a result lost that way is never sent again.
 */
push_status sync_send_results(term_sync *s)
{
    char path[96];
    snprintf(path, sizeof(path), "/iclock/devicecmd?SN=%s", s->sn);
    uint32_t sent = 0;
    for (; sent < RESULT_LINES_MAX; sent++) {
        sqlite3_stmt *q = NULL;
        int64_t rowid = 0;
        size_t len = 0;
        if (sqlite3_prepare_v2(s->db, "SELECT rowid, reply FROM sync_cmds WHERE state = 1 ORDER BY rowid LIMIT 1", -1,
                               &q, NULL) != SQLITE_OK) {
            sqlite3_finalize(q);
            return PUSH_ERR_STORE;
        }
        if (sqlite3_step(q) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(q, 1);
            len = r ? (size_t)sqlite3_column_bytes(q, 1) : 0;
            if (len > s->batch_bytes) len = s->batch_bytes;
            if (len > 0) memcpy(s->buf, r, len);
            rowid = sqlite3_column_int64(q, 0);
        }
        sqlite3_finalize(q);
        if (rowid == 0) break;
        push_response r;
        push_status st = sync_call(s, "POST", path, s->buf, len, &r);
        if (st != PUSH_OK) return st;
        int64_t cnt;
        st = push_ack_parse(r.body, r.body_len, &cnt);
        push_response_clear(&r);
        if (st != PUSH_OK) return st;
        char sql[96];
        snprintf(sql, sizeof(sql), "UPDATE sync_cmds SET state = 2 WHERE rowid = %lld", (long long)rowid);
        if (sync_db_exec(s, sql) != 0) return PUSH_ERR_STORE;
        s->stats.results_sent++;
    }
    if (sent > 0) {
        char prune[160];
        snprintf(prune, sizeof(prune),
                 "DELETE FROM sync_cmds WHERE state = 2 AND rowid <= (SELECT MAX(rowid) FROM sync_cmds) - %d",
                 CMD_HISTORY);
        sync_db_exec(s, prune);
    }
    return PUSH_OK;
}

push_status sync_poll(term_sync *s)
{
    char path[400];
    if (!s->info_sent) {
        term_store_counts n;
        char ver[128], enc[200];
        memset(&n, 0, sizeof(n));
        term_store_counts_get(s->st, &n);
        snprintf(ver, sizeof(ver), "Ver %s", s->fwver);
        sync_pct(ver, enc, sizeof(enc));
        /* firmware, users, fingers, records, IP, fingerprint algorithm, face algorithm, faces needed, faces,
         * functions (fingerprint yes, face no, user photo no) */
        snprintf(path, sizeof(path), "/iclock/getrequest?SN=%s&INFO=%s,%u,%u,%u,0.0.0.0,%d,0,0,0,100", s->sn, enc,
                 n.users, n.fingers, n.records, SYNC_FP_MAJOR_VER);
    } else {
        snprintf(path, sizeof(path), "/iclock/getrequest?SN=%s", s->sn);
    }
    push_response r;
    push_status st = sync_call(s, "GET", path, NULL, 0, &r);
    if (st != PUSH_OK) return st;
    s->info_sent = 1;
    s->repoll = 0;
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
                s->repoll |= sync_run_command(s, &cl);
            else
                sync_log(s, TERM_SYNC_LOG_WARN, "command line ignored (%s): '%.40s'", push_status_message(ls), p);
        }
        p += len + (nl ? 1 : 0);
    }
    push_response_clear(&r);
    return PUSH_OK;
}

push_status sync_ping(term_sync *s)
{
    char path[96];
    snprintf(path, sizeof(path), "/iclock/ping?SN=%s", s->sn);
    push_response r;
    push_status st = sync_call(s, "GET", path, NULL, 0, &r);
    push_response_clear(&r);
    return st;
}
