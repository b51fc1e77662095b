/*
 * sync_handshake.c - registration (GET /iclock/cdata?options=all): the
 * server's options, its clock, the upload schedule. See term_sync_internal.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "term_sync_internal.h"

static void set_clock_from(term_sync *s, const push_response *r)
{
    int64_t utc;
    if (r->date[0] == '\0') return;
    if (push_http_date_parse(r->date, strlen(r->date), &utc) != PUSH_OK) {
        sync_log(s, TERM_SYNC_LOG_WARN, "server Date header '%.40s' ignored: malformed", r->date);
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
void sync_schedule_upload(term_sync *s)
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

/* A stamp as this terminal sends them: decimal digits (a record id or a queue position). */
static int stamp_value(const char *stamp, int64_t *out)
{
    size_t n = strlen(stamp);
    if (n == 0 || n > 18) return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (stamp[i] < '0' || stamp[i] > '9') return 0;
        v = v * 10 + (stamp[i] - '0');
    }
    *out = v;
    return 1;
}

/*
 * The server's stamp for one table against the terminal's watermark (the
 * last id the server acknowledged). The protocol gives stamps one use: at
 * CHECK, a stamp set back makes the device send again what follows it (0:
 * everything). A plain registration never rewinds: the terminal knows from
 * the OK answers what the server took, and a server that lost or never
 * kept its stamps would otherwise get every record again at each restart.
 * Returns 1 when the watermark was set back to 0.
 */
static int apply_stamp(term_sync *s, const char *key, const char *stamp, const char *name, int check)
{
    int64_t wm = sync_state_get(s, key, 0), n = 0;
    if (!stamp_value(stamp, &n)) {
        if (check)
            sync_log(s, TERM_SYNC_LOG_INFO, "CHECK: %s=%s is not one of this terminal's stamps: nothing sent again",
                     name, stamp);
        return 0;
    }
    if (n >= wm) return 0;
    if (!check) {
        sync_log(s, TERM_SYNC_LOG_INFO,
                 "%s=%lld is behind the %lld the server acknowledged: nothing sent again (a CHECK with the stamp "
                 "set back asks for it)",
                 name, (long long)n, (long long)wm);
        return 0;
    }
    sync_state_set(s, key, n);
    sync_log(s, TERM_SYNC_LOG_INFO,
             "CHECK with %s=%lld: what follows it is sent again (%lld lines acknowledged before)", name, (long long)n,
             (long long)wm);
    return n == 0;
}

/* The user and finger backup lines are sent again at the next scan (a CHECK asked for all of them). */
static void forget_digests(term_sync *s, const char *like)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM sync_digest WHERE key LIKE ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, like, -1, SQLITE_STATIC);
        sqlite3_step(q);
    }
    sqlite3_finalize(q);
    s->scan_needed = 1;
}

/* CHECK: each table's stamp against its watermark; at 0 the backup lines of that table go again too. */
static void apply_check(term_sync *s, const push_options *o)
{
    if (o->bare_ok) {
        sync_log(s, TERM_SYNC_LOG_INFO, "CHECK answered with a bare OK: no stamps, nothing sent again");
        return;
    }
    apply_stamp(s, "att_acked", o->att_stamp, "ATTLOGStamp", 1);
    if (apply_stamp(s, "op_acked", o->op_stamp, "OPERLOGStamp", 1)) forget_digests(s, s->bio_upload ? "U:%" : "%");
    int64_t bio = 0;
    if (s->bio_upload && stamp_value(o->bio_stamp, &bio) && bio == 0) {
        sync_log(s, TERM_SYNC_LOG_INFO, "CHECK with BIODATAStamp=0: every finger is sent again");
        forget_digests(s, "F:%");
    }
}

/* What the server's options mean for uploads, said once per registration. */
static void explain_options(term_sync *s, const push_options *o)
{
    if (!(o->trans_flags & PUSH_TRANS_ATTLOG)) {
        if (s->att_always)
            sync_log(s, TERM_SYNC_LOG_INFO,
                     "the server's TransFlag has no AttLog; Upload Attendance Always is on: records are sent anyway");
        else
            sync_log(s, TERM_SYNC_LOG_WARN,
                     "the server's TransFlag has no AttLog: attendance records wait (the protocol's reading); "
                     "Comm. > Cloud Server Setting > Upload Attendance Always sends them");
    }
    int bio = !o->bare_ok && (o->bio_data_support & (1u << PUSH_BIO_FINGER)) != 0;
    if (bio != s->bio_upload || s->stats.handshakes == 0)
        sync_log(s, TERM_SYNC_LOG_INFO, "fingers go up as %s",
                 bio ? "BIODATA Type=1 Format=1 (ISO 19794-2): the server's MultiBioDataSupport has fingerprints"
                     : "FP lines (FINGERTMP, ISO 19794-2)");
    s->bio_upload = bio;
}

push_status sync_handshake(term_sync *s)
{
    char path[256];
    snprintf(path, sizeof(path), "/iclock/cdata?SN=%s&options=all&pushver=%s&language=69", s->sn, s->pushver);
    push_response r;
    push_status st = sync_call(s, "GET", path, NULL, 0, &r);
    if (st != PUSH_OK) return sync_link_failed(s, st, "registration");
    push_options o;
    char why[200] = "";
    st = push_options_parse(r.body, r.body_len, s->sn, &o, why, sizeof(why));
    if (st != PUSH_OK && st != PUSH_ADJUSTED) {
        push_response_clear(&r);
        sync_log(s, TERM_SYNC_LOG_ERROR, "options rejected: %s", why);
        return sync_link_failed(s, st, "registration");
    }
    if (st == PUSH_ADJUSTED) sync_log(s, TERM_SYNC_LOG_WARN, "server options adjusted: %s", why);
    if (o.bare_ok) sync_log(s, TERM_SYNC_LOG_INFO, "server answered a bare OK: default options in force");
    s->opt = o;
    sync_state_set_text(s, "server_att_stamp", o.att_stamp);
    sync_state_set_text(s, "server_op_stamp", o.op_stamp);
    explain_options(s, &o);
    if (s->check_pending) {
        apply_check(s, &o);
        s->check_pending = 0;
    } else if (!o.bare_ok) {
        apply_stamp(s, "att_acked", o.att_stamp, "ATTLOGStamp", 0);
        apply_stamp(s, "op_acked", o.op_stamp, "OPERLOGStamp", 0);
    }
    s->reload_pending = 0;
    set_clock_from(s, &r);
    push_response_clear(&r);
    s->registered = 1;
    if (!s->bound && sync_state_set(s, "bound", 1) == 0) s->bound = 1;
    s->failures = 0;
    s->info_sent = 0;
    s->stats.handshakes++;
    s->next_poll = s->now;
    s->last_poll = s->now;
    s->upload_now = o.realtime; /* otherwise the backlog waits for TransInterval / TransTimes */
    s->scan_needed = 1;
    s->options_push_due = 1; /* the server may have restarted: its copy of our configuration is pushed again */
    s->options_digest = 0;
    sync_schedule_upload(s);
    sync_log(s, TERM_SYNC_LOG_INFO, "registered: Delay=%u ErrorDelay=%u Realtime=%d TimeZone=%d min", o.delay_s,
             o.error_delay_s, o.realtime, o.timezone_min);
    return PUSH_OK;
}

/* ------------------------------------------------------------------------ */
/* Device information (INFO, table=options)                                 */
/* ------------------------------------------------------------------------ */

static int value_of(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int value_of(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return 1;
}

/* One value per biometric type (the protocol's appendix 10), the fingerprint's second: "0:v:0:0:0:0:0:0:0:0". */
#define PER_TYPE(v) "0:" v ":0:0:0:0:0:0:0:0"

int sync_device_value(term_sync *s, const term_store_counts *n, const char *key, char *out, size_t cap)
{
    const term_device_profile *p = term_store_profile(s->st);
    if (strcmp(key, "~DeviceName") == 0) return value_of(out, cap, "%s", s->devname);
    if (strcmp(key, "~SerialNumber") == 0) return value_of(out, cap, "%s", s->sn);
    if (strcmp(key, "FWVersion") == 0) return value_of(out, cap, "%s", s->fwver);
    if (strcmp(key, "PushVersion") == 0) return value_of(out, cap, "%s", s->pushver);
    if (strcmp(key, "UserCount") == 0) return value_of(out, cap, "%u", n->users);
    if (strcmp(key, "FPCount") == 0) return value_of(out, cap, "%u", n->fingers);
    if (strcmp(key, "TransactionCount") == 0) return value_of(out, cap, "%u", n->records);
    if (strcmp(key, "OpLogCount") == 0) return value_of(out, cap, "%u", n->oplog);
    if (strcmp(key, "CardCount") == 0) return value_of(out, cap, "%u", n->cards);
    if (strcmp(key, "PwdCount") == 0) return value_of(out, cap, "%u", n->pins);
    if (strcmp(key, "MaxUserCount") == 0) return value_of(out, cap, "%u", p->max_users);
    if (strcmp(key, "MaxFingerCount") == 0) return value_of(out, cap, "%u", p->max_fingers);
    if (strcmp(key, "MaxAttLogCount") == 0) return value_of(out, cap, "%u", p->max_records);
    if (strcmp(key, "FingerFunOn") == 0) return value_of(out, cap, "1");
    if (strcmp(key, "FaceFunOn") == 0) return value_of(out, cap, "0");
    if (strcmp(key, "FPVersion") == 0) return value_of(out, cap, "%d", SYNC_FP_MAJOR_VER);
    /* The hybrid-identification keys (the protocol's 3.1 and appendix 10): fingerprints only. */
    if (strcmp(key, "MultiBioDataSupport") == 0) return value_of(out, cap, PER_TYPE("1"));
    if (strcmp(key, "MultiBioVersion") == 0) return value_of(out, cap, PER_TYPE("%d"), SYNC_FP_MAJOR_VER);
    if (strcmp(key, "MaxMultiBioDataCount") == 0) return value_of(out, cap, PER_TYPE("%u"), p->max_fingers);
    if (strcmp(key, "MultiBioDataCount") == 0) return value_of(out, cap, PER_TYPE("%u"), n->fingers);
    if (strcmp(key, "MultiBioPhotoSupport") == 0 || strcmp(key, "MaxMultiBioPhotoCount") == 0 ||
        strcmp(key, "MultiBioPhotoCount") == 0)
        return value_of(out, cap, PER_TYPE("0"));
    return 0;
}

/* Whether key is in the comma-separated list. */
static int listed(const char *list, const char *key)
{
    size_t kn = strlen(key);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == kn && strncmp(p, key, n) == 0) return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

/* The keys pushed whatever the server names: what the hybrid-identification exchange needs (protocol 3.1). */
static const char base_options[] = "FingerFunOn,FaceFunOn,MultiBioDataSupport,MultiBioPhotoSupport,MultiBioVersion,"
                                   "MaxMultiBioDataCount,MaxMultiBioPhotoCount,MultiBioDataCount";

push_status sync_push_options(term_sync *s)
{
    if (!s->opt.push_options_flag || !s->options_push_due) return PUSH_OK;
    term_store_counts n;
    memset(&n, 0, sizeof(n));
    if (term_store_counts_get(s->st, &n) != TERM_OK) return PUSH_ERR_STORE;
    char body[1536], value[128], unknown[160] = "";
    size_t pos = 0;
    const char *lists[2] = {base_options, s->opt.push_options};
    for (int l = 0; l < 2; l++) {
        for (const char *p = lists[l]; *p;) {
            char key[PUSH_OPTION_KEY_MAX + 1];
            size_t kn = strcspn(p, ",");
            snprintf(key, sizeof(key), "%.*s", (int)(kn < sizeof(key) ? kn : sizeof(key) - 1), p);
            p += kn + (p[kn] == ',');
            if (l == 1 && listed(base_options, key)) continue;
            if (!sync_device_value(s, &n, key, value, sizeof(value))) {
                size_t u = strlen(unknown);
                snprintf(unknown + u, sizeof(unknown) - u, "%s%s", u ? ", " : "", key);
                continue;
            }
            if (push_format_option_item(body, sizeof(body), &pos, key, value) != PUSH_OK) {
                sync_log(s, TERM_SYNC_LOG_WARN, "table=options: %s does not fit, left out", key);
            }
        }
    }
    uint64_t d = sync_fnv64(body, pos);
    if (d == s->options_digest) {
        s->options_push_due = 0;
        return PUSH_OK;
    }
    if (unknown[0])
        sync_log(s, TERM_SYNC_LOG_INFO, "PushOptions asks for keys this terminal does not have: %s", unknown);
    char path[96];
    snprintf(path, sizeof(path), "/iclock/cdata?SN=%s&table=options", s->sn);
    push_response r;
    push_status st = sync_call(s, "POST", path, body, pos, &r);
    if (st != PUSH_OK) return st;
    int64_t cnt;
    st = push_ack_parse(r.body, r.body_len, &cnt);
    if (st != PUSH_OK)
        sync_log(s, TERM_SYNC_LOG_WARN,
                 "table=options push not acknowledged ('%.40s'): not sent again until the "
                 "configuration changes",
                 r.body ? r.body : "");
    else
        s->stats.options_pushed++;
    push_response_clear(&r);
    s->options_digest = d; /* a server that refuses the push is not asked again for the same body */
    s->options_push_due = 0;
    return PUSH_OK;
}
