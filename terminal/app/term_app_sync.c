/*
 * term_app_sync.c - the application's side of the cloud sync engine: the
 * device callbacks the engine calls (server enrolment, reboot, clock, data
 * changed, firmware staged) and the port the core calls (step on ticks,
 * kicks, link icon, binding, Check for Updates, enrolment answers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "term_app_internal.h"
#include "term_app_sync.h"

/* ------------------------------------------------------------------------ */
/* Device callbacks (called by the engine inside term_sync_step)            */
/* ------------------------------------------------------------------------ */

/* A server enrolment needs the terminal to itself: standby, no flow, no menu, no other enrolment. */
static int busy(term_app *app)
{
    return app->depth > 0 || app->vtext_open || app->sync_cmd[0] ||
           term_verify_current(&app->verify) != TERM_VS_STANDBY;
}

static int open_server_enroll(term_app *app, const char *cmd_id, const char *uid, int index, uint32_t retry)
{
    if (strlen(cmd_id) >= sizeof(app->sync_cmd) || strlen(uid) > TERM_USER_ID_MAX) return PUSH_RET_BAD_PARAMETER;
    APP_COPY(app->uid, uid);
    app->admin[0] = '\0';
    app->admin_reminder = 0;
    app->vscreen_valid = 0;
    if (enroll_open(app, index, 1) != 0) return PUSH_RET_READ_WRITE;
    APP_COPY(app->sync_cmd, cmd_id);
    app->sync_retry = retry;
    app->sync_refused = 0;
    app->last_input_ms = app->now_ms; /* the menu timeout counts from now */
    return PUSH_RET_OK;
}

static int dev_enroll_finger(void *ctx, const char *cmd_id, const char *uid, uint32_t index, uint32_t retry,
                             int overwrite)
{
    term_app *app = ctx;
    if (index >= TERM_FINGERS_PER_USER) return PUSH_RET_BAD_PARAMETER;
    if (busy(app)) return PUSH_RET_BUSY;
    size_t len = 0;
    if (!overwrite && term_store_finger_get(app->store, uid, index, NULL, 0, &len) == TERM_OK) return APP_ENROLL_EXISTS;
    return open_server_enroll(app, cmd_id, uid, (int)index, retry);
}

static int dev_enroll_card(void *ctx, const char *cmd_id, const char *uid, uint32_t retry)
{
    term_app *app = ctx;
    if (busy(app)) return PUSH_RET_BUSY;
    return open_server_enroll(app, cmd_id, uid, -1, retry);
}

static void dev_reboot(void *ctx)
{
    term_app *app = ctx;
    if (app->sys_reboot) app->sys_reboot(app->sys_ctx);
}

static void dev_set_clock(void *ctx, int64_t local_time)
{
    term_app *app = ctx;
    const term_hal_clock *c = &app->cfg.hal.clock;
    /* The server's local time is standard time, what the RTC keeps (DST is added on display). */
    if (c->set_wall && c->set_wall(c->ctx, local_time) == TERM_OK) app->now_wall = app_local_now(app);
}

static void dev_data_changed(void *ctx, unsigned what)
{
    term_app *app = ctx;
    if (what & (TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS)) {
        term_status st = term_gallery_load(app->gallery, app->store);
        if (st != TERM_OK) app->last_status = st;
        user_list_refresh(app);
    }
    if (what & TERM_SYNC_CHANGED_SETTINGS) {
        term_settings next;
        if (term_store_settings_load(app->store, &next) == TERM_OK) {
            int volume_changed =
                term_settings_get(&next, TERM_SETTING_VOLUME) != term_settings_get(&app->settings, TERM_SETTING_VOLUME);
            app->settings = next; /* in place: the verification machine reads it through a pointer */
            if (volume_changed && app->cfg.hal.audio.set_volume)
                app->cfg.hal.audio.set_volume(app->cfg.hal.audio.ctx,
                                              (uint32_t)term_settings_get(&next, TERM_SETTING_VOLUME));
        }
    }
}

static void dev_firmware_ready(void *ctx, const char *path)
{
    term_app *app = ctx;
    app->fw_staged = 1;
    if (app->sys_firmware_ready) app->sys_firmware_ready(app->sys_ctx, path);
}

void term_app_sync_device_ops(term_app *app, const term_app_sync_system *sys, term_sync_device_ops *ops)
{
    if (!ops) return;
    memset(ops, 0, sizeof(*ops));
    if (!app) return;
    app->sys_ctx = sys ? sys->ctx : NULL;
    app->sys_reboot = sys ? sys->reboot : NULL;
    app->sys_firmware_ready = sys ? sys->firmware_ready : NULL;
    app->sys_server_changed = sys ? sys->server_changed : NULL;
    ops->ctx = app;
    ops->enroll_finger = dev_enroll_finger;
    ops->enroll_card = dev_enroll_card;
    ops->reboot = app->sys_reboot ? dev_reboot : NULL; /* none: REBOOT is answered "not supported" */
    ops->set_clock = dev_set_clock;
    ops->data_changed = dev_data_changed;
    ops->firmware_ready = dev_firmware_ready;
}

/* ------------------------------------------------------------------------ */
/* The port the core calls                                                  */
/* ------------------------------------------------------------------------ */

static void port_tick(term_app *app)
{
    term_sync *s = app->sync;
    int64_t now = (int64_t)app->now_ms;
    if (now >= term_sync_next_wake(s)) term_sync_step(s, now); /* a failure is retried by the engine */
}

static void port_changed(term_app *app, int punch)
{
    /* without Realtime the server asked for timed uploads (TransInterval / TransTimes): punches wait */
    if (!punch || term_sync_realtime(app->sync)) term_sync_kick(app->sync);
}

static uint8_t port_link_icon(term_app *app)
{
    if (!term_sync_is_online(app->sync)) return TERM_LINK_DOWN;
    return term_sync_upload_hold(app->sync) != TERM_SYNC_HOLD_NONE ? TERM_LINK_HELD : TERM_LINK_UP;
}

static int port_is_bound(term_app *app)
{
    return term_sync_is_bound(app->sync);
}

static void port_bind_code(term_app *app, char *buf, size_t cap)
{
    term_sync_bind_code(app->sync, buf, cap);
}

static int port_check_update(term_app *app)
{
    app->fw_staged = 0;
    term_sync_check_now(app->sync);
    term_sync_step(app->sync, (int64_t)app->now_ms);
    if (app->fw_staged) return 1;
    return term_sync_is_online(app->sync) ? 0 : -1;
}

static void port_enroll_done(term_app *app, const char *cmd_id, int ret)
{
    /* PUSH_ERR_INVALID_ARGUMENT: already answered (a restart answered it -1003); nothing to do */
    (void)term_sync_enroll_done(app->sync, cmd_id, ret);
}

static size_t port_status(term_app *app, char lines[APP_STATUS_LINES][TERM_SCR_TEXT])
{
    term_sync_stats st;
    if (term_sync_stats_get(app->sync, &st) != PUSH_OK) {
        snprintf(lines[0], TERM_SCR_TEXT, "Sync engine unavailable");
        return 1;
    }
    uint64_t pending = st.att_pending + st.op_pending + st.queue_pending;
    if (!st.registered) {
        snprintf(lines[0], TERM_SCR_TEXT, st.handshakes || st.failures ? "Server not reachable" : "Not connected yet");
        /* the reason is the engine's text ("registration failed: ..."), cut to the line */
        if (st.last_error == PUSH_OK) return 1;
        snprintf(lines[1], TERM_SCR_TEXT, "%s", push_status_message(st.last_error));
        return 2;
    }
    snprintf(lines[0], TERM_SCR_TEXT, "Connected to the server");
    snprintf(lines[1], TERM_SCR_TEXT, "Waiting to upload: %llu", (unsigned long long)pending);
    if (st.hold == TERM_SYNC_HOLD_NONE) return 2;
    /* why they wait, and what the installer can do about it */
    snprintf(lines[2], TERM_SCR_TEXT, "%s", term_sync_hold_message(st.hold));
    snprintf(lines[3], TERM_SCR_TEXT, "Setting: Upload Attendance Always");
    return 4;
}

static void port_server_changed(term_app *app, const char *url)
{
    if (app->sys_server_changed) app->sys_server_changed(app->sys_ctx, url);
}

/* The upgrade file on a drive: "firmware.img" with its signature "firmware.img.sig". */
static int port_usb_upgrade(term_app *app, const char *mount, char *why, size_t cap)
{
    char img[300], sig[310];
    if (snprintf(img, sizeof img, "%s/firmware.img", mount) >= (int)sizeof img) return 0;
    snprintf(sig, sizeof sig, "%s.sig", img);
    if (access(img, R_OK) != 0) return 0;
    if (access(sig, R_OK) != 0) {
        snprintf(why, cap, "Signature file missing");
        return -1;
    }
    push_status st = term_sync_stage_file(app->sync, img, sig, why, cap);
    if (st == PUSH_OK) return 1;
    if (!why[0]) snprintf(why, cap, "%s", push_status_message(st));
    return -1;
}

static const app_sync_port sync_port = {port_tick,           port_changed,      port_link_icon,   port_is_bound,
                                        port_bind_code,      port_check_update, port_enroll_done, port_status,
                                        port_server_changed, port_usb_upgrade};

term_status term_app_attach_sync(term_app *app, term_sync *sync)
{
    if (!app) return TERM_ERR_INVALID_ARGUMENT;
    if (sync && app->fault != TERM_OK) return app->fault; /* nothing may write into a damaged database */
    if (app->sync_port && app->sync != sync) app_sync_enroll_answer(app, APP_ENROLL_TIMEOUT);
    app->sync = sync;
    app->sync_port = sync ? &sync_port : NULL;
    app_refresh(app); /* the binding screens and the server icon now come from the engine */
    return TERM_OK;
}

term_sync *term_app_sync(term_app *app)
{
    return app ? app->sync : NULL;
}
