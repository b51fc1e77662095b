/*
 * sync_handshake.c - registration (GET /iclock/cdata?options=all): the
 * server's options, its clock, the upload schedule. See term_sync_internal.h.
 */
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
    if (s->check_pending) {
        /* CHECK: the server asks for everything after its stamp again; 0 means from the start. */
        if (!o.bare_ok && strcmp(o.att_stamp, "0") == 0) sync_state_set(s, "att_acked", 0);
        if (!o.bare_ok && strcmp(o.op_stamp, "0") == 0) sync_state_set(s, "op_acked", 0);
        s->check_pending = 0;
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
    sync_schedule_upload(s);
    sync_log(s, TERM_SYNC_LOG_INFO, "registered: Delay=%u ErrorDelay=%u Realtime=%d TimeZone=%d min", o.delay_s,
          o.error_delay_s, o.realtime, o.timezone_min);
    return PUSH_OK;
}
