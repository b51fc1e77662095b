/*
 * term_app_sync.c - the application's side of the cloud sync worker: what
 * the worker hands over (server enrolment, SET OPTION, data changed, clock,
 * firmware staged, reboot, the outcomes of Check for Updates and USB
 * Upgrade), applied on the application's thread, and the port the core
 * calls (TICK, kicks, link icon, binding, Connection Status, enrolment
 * answers, a new server address).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "term_app_internal.h"
#include "term_app_sync.h"

/* The glue's state (app->sync). */
typedef struct app_sync {
    term_sync_worker *worker;
    term_app_sync_system sys;
    unsigned traffic;       /* requests and notices taken, inputs given (term_app_sync_settle) */
    _Atomic int64_t now_ms; /* the app's clock as of its last TICK or kick: the engine's (INT64_MIN: none yet) */
} app_sync;

static app_sync *glue(term_app *app)
{
    return app->sync;
}

static int64_t app_clock(void *ctx)
{
    return atomic_load(&((app_sync *)ctx)->now_ms);
}

static void publish_time(term_app *app)
{
    atomic_store(&glue(app)->now_ms, (int64_t)app->now_ms);
}

/* ------------------------------------------------------------------------ */
/* What the worker hands over                                               */
/* ------------------------------------------------------------------------ */

/* A server enrolment needs the terminal to itself: standby, no flow, no menu, no other enrolment. */
static int busy(term_app *app)
{
    return app->depth > 0 || app->vtext_open || app->sync_cmd[0] ||
           term_verify_current(&app->verify) != TERM_VS_STANDBY;
}

/* Opens the enrolment screen; 0 when it waits for the person (answered later), else the answer now. */
static int open_server_enroll(term_app *app, const term_sync_request *r)
{
    int finger = r->kind == TERM_SYNC_REQ_ENROLL_FINGER;
    if (finger && r->index >= TERM_FINGERS_PER_USER) return PUSH_RET_BAD_PARAMETER;
    if (busy(app)) return PUSH_RET_BUSY;
    size_t len = 0;
    if (finger && !r->overwrite && term_store_finger_get(app->store, r->uid, r->index, NULL, 0, &len) == TERM_OK)
        return APP_ENROLL_EXISTS;
    if (strlen(r->cmd_id) >= sizeof(app->sync_cmd) || strlen(r->uid) > TERM_USER_ID_MAX) return PUSH_RET_BAD_PARAMETER;
    APP_COPY(app->uid, r->uid);
    app->admin[0] = '\0';
    app->admin_reminder = 0;
    app->vscreen_valid = 0;
    if (app_scene_open(app, finger ? SC_ENROLL_FINGER : SC_ENROLL_CARD, 1, finger ? (int)r->index : 0) != 0)
        return PUSH_RET_READ_WRITE;
    APP_COPY(app->sync_cmd, r->cmd_id);
    app->sync_retry = r->retry;
    app->sync_refused = 0;
    app->last_input_ms = app->now_ms; /* the menu timeout counts from now */
    return PUSH_RET_OK;
}

/* Puts settings the store now holds in force: the copy the verification machine reads, the volume. */
static void settings_in_force(term_app *app, const term_settings *next)
{
    int volume_changed =
        term_settings_get(next, TERM_SETTING_VOLUME) != term_settings_get(&app->settings, TERM_SETTING_VOLUME);
    app->settings = *next; /* in place: the verification machine reads it through a pointer */
    if (volume_changed && app->cfg.hal.audio.set_volume)
        app->cfg.hal.audio.set_volume(app->cfg.hal.audio.ctx, (uint32_t)term_settings_get(next, TERM_SETTING_VOLUME));
}

/* SET OPTION of a terminal setting: checked against the settings in force, saved, applied; the answer. */
static int apply_setting(term_app *app, const char *name, const char *value)
{
    term_settings *next = malloc(sizeof(*next));
    if (next == NULL) return PUSH_RET_READ_WRITE;
    *next = app->settings;
    term_status st = term_settings_parse(next, name, value);
    if (st == TERM_OK) st = term_store_settings_save(app->store, next);
    int ret = term_sync_return_of(st);
    if (st == TERM_OK)
        settings_in_force(app, next);
    else if (ret != PUSH_RET_READ_WRITE && ret != PUSH_RET_CAPACITY)
        ret = PUSH_RET_BAD_PARAMETER; /* a value the setting does not take */
    free(next);
    return ret;
}

static void answer(term_app *app, const char *cmd_id, int ret)
{
    glue(app)->traffic++;
    /* PUSH_ERR_INVALID_ARGUMENT: nothing waits for it any more (a restart answered it -1003) */
    (void)term_sync_worker_answer(glue(app)->worker, cmd_id, ret);
}

static void take_request(term_app *app, const term_sync_request *r)
{
    int ret = r->kind == TERM_SYNC_REQ_SET_SETTING ? apply_setting(app, r->name, r->value) : open_server_enroll(app, r);
    /* an enrolment that opened is answered with its outcome (app_sync_enroll_answer) */
    if (r->kind == TERM_SYNC_REQ_SET_SETTING || ret != PUSH_RET_OK) answer(app, r->cmd_id, ret);
}

static void data_changed(term_app *app, unsigned what)
{
    if (what & (TERM_SYNC_CHANGED_USERS | TERM_SYNC_CHANGED_FINGERS)) {
        term_status st = term_gallery_load(app->gallery, app->store);
        if (st != TERM_OK) app->last_status = st;
        app_users_changed(app); /* an open All Users list reloads */
    }
    if (what & TERM_SYNC_CHANGED_SETTINGS) {
        term_settings *next = malloc(sizeof(*next));
        if (next != NULL && term_store_settings_load(app->store, next) == TERM_OK) settings_in_force(app, next);
        free(next);
    }
}

static void take_notices(term_app *app, const term_sync_notice *n)
{
    app_sync *g = glue(app);
    if (n->changed) data_changed(app, n->changed);
    if (n->set_clock) {
        const term_hal_clock *c = &app->cfg.hal.clock;
        /* The server's local time is standard time, what the RTC keeps (DST is added on display). */
        if (c->set_wall && c->set_wall(c->ctx, n->clock) == TERM_OK) app->now_wall = app_local_now(app);
    }
    if (n->firmware_ready && g->sys.firmware_ready) g->sys.firmware_ready(g->sys.ctx, n->firmware_path);
    if (n->check_done) {
        app->sync_outcome = APP_OUTCOME_CHECK;
        app->sync_outcome_ret = n->check_result;
        app->sync_outcome_why[0] = '\0';
    }
    if (n->stage_done) {
        app->sync_outcome = APP_OUTCOME_USB;
        app->sync_outcome_ret = n->stage_status == PUSH_OK ? 1 : -1;
        APP_COPY(app->sync_outcome_why, n->stage_why[0] ? n->stage_why : push_status_message(n->stage_status));
    }
    if (n->reboot && g->sys.reboot) g->sys.reboot(g->sys.ctx);
}

/* ------------------------------------------------------------------------ */
/* The port the core calls                                                  */
/* ------------------------------------------------------------------------ */

static void port_tick(term_app *app)
{
    app_sync *g = glue(app);
    publish_time(app);
    term_sync_request r;
    while (app->sync_port && term_sync_worker_next_request(g->worker, &r)) {
        g->traffic++;
        take_request(app, &r);
    }
    term_sync_notice n;
    if (app->sync_port && term_sync_worker_notices(g->worker, &n)) {
        g->traffic++;
        take_notices(app, &n);
    }
}

static void port_changed(term_app *app, int punch)
{
    publish_time(app);
    glue(app)->traffic++;
    term_sync_worker_kick(glue(app)->worker, punch);
}

static uint8_t port_link_icon(term_app *app)
{
    term_sync_worker_status st;
    term_sync_worker_status_get(glue(app)->worker, &st);
    if (!st.online) return TERM_LINK_DOWN;
    return st.hold != TERM_SYNC_HOLD_NONE ? TERM_LINK_HELD : TERM_LINK_UP;
}

static int port_is_bound(term_app *app)
{
    term_sync_worker_status st;
    term_sync_worker_status_get(glue(app)->worker, &st);
    return st.bound;
}

static void port_bind_code(term_app *app, char *buf, size_t cap)
{
    term_sync_worker_bind_code(glue(app)->worker, buf, cap);
}

static void port_check_update(term_app *app)
{
    publish_time(app);
    glue(app)->traffic++;
    term_sync_worker_check_now(glue(app)->worker);
}

static void port_enroll_done(term_app *app, const char *cmd_id, int ret)
{
    answer(app, cmd_id, ret);
}

static size_t port_status(term_app *app, char lines[APP_STATUS_LINES][TERM_SCR_TEXT])
{
    term_sync_worker_status st;
    term_sync_worker_status_get(glue(app)->worker, &st);
    if (!st.online) {
        snprintf(lines[0], TERM_SCR_TEXT, "%s",
                 st.stats.handshakes || st.stats.failures ? "Server not reachable" : "Not connected yet");
        /* the reason is the engine's text ("registration failed: ..."), cut to the line */
        if (st.stats.last_error == PUSH_OK) return 1;
        snprintf(lines[1], TERM_SCR_TEXT, "%s", push_status_message(st.stats.last_error));
        return 2;
    }
    /* what waits, counted now on the application's own connection (the worker may be busy with the server) */
    uint64_t att = 0, op = 0, queued = 0;
    if (term_sync_pending_get(app->store, &att, &op, &queued) != PUSH_OK) {
        att = st.stats.att_pending;
        op = st.stats.op_pending;
        queued = st.stats.queue_pending;
    }
    snprintf(lines[0], TERM_SCR_TEXT, "Connected to the server");
    snprintf(lines[1], TERM_SCR_TEXT, "Waiting to upload: %llu", (unsigned long long)(att + op + queued));
    if (st.hold == TERM_SYNC_HOLD_NONE) return 2;
    /* why they wait, and what the installer can do about it */
    snprintf(lines[2], TERM_SCR_TEXT, "%s", term_sync_hold_message(st.hold));
    snprintf(lines[3], TERM_SCR_TEXT, "Setting: Upload Attendance Always");
    return 4;
}

static void port_server_changed(term_app *app)
{
    glue(app)->traffic++;
    term_sync_worker_reconnect(glue(app)->worker);
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
    /* verified on the worker's thread, the one writer of the staging directory; the outcome comes as a notice */
    glue(app)->traffic++;
    push_status st = term_sync_worker_stage_file(glue(app)->worker, img, sig);
    if (st == PUSH_OK) return 1;
    snprintf(why, cap, "%s", push_status_message(st));
    return -1;
}

static const app_sync_port sync_port = {port_tick,           port_changed,      port_link_icon,   port_is_bound,
                                        port_bind_code,      port_check_update, port_enroll_done, port_status,
                                        port_server_changed, port_usb_upgrade};

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

/* The core's release hook: wait 0 asks the worker to stop (a storage fault), 1 also waits for it and frees. */
static void release(term_app *app, int wait)
{
    app_sync *g = glue(app);
    if (g == NULL) return;
    app->sync_port = NULL;
    if (!wait) {
        term_sync_worker_request_stop(g->worker);
        return;
    }
    term_sync_worker_stop(g->worker);
    free(g);
    app->sync = NULL;
    app->sync_release = NULL;
}

void term_app_sync_config_init(term_app_sync_config *cfg)
{
    if (cfg != NULL) memset(cfg, 0, sizeof(*cfg));
}

push_status term_app_sync_start(term_app *app, const term_app_sync_config *cfg)
{
    if (app == NULL || cfg == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    if (app->fault != TERM_OK) return PUSH_ERR_STORE; /* nothing may write into a damaged database */
    term_app_sync_stop(app);
    app_sync *g = calloc(1, sizeof(*g));
    if (g == NULL) return PUSH_ERR_NO_MEMORY;
    g->sys = cfg->sys;
    atomic_store(&g->now_ms, INT64_MIN); /* the engine's time starts with the app's next input */
    term_sync_worker_config wc;
    memset(&wc, 0, sizeof(wc));
    wc.store = app->cfg.store;
    wc.sync = cfg->sync;
    memset(&wc.sync.device, 0, sizeof(wc.sync.device));
    wc.sync.device.ctx = cfg->sync.device.ctx;
    wc.sync.device.log = cfg->sync.device.log;
    wc.handled = TERM_SYNC_WORKER_ENROLL | TERM_SYNC_WORKER_SETTINGS | (cfg->sys.reboot ? TERM_SYNC_WORKER_REBOOT : 0);
    wc.curl = cfg->curl;
    wc.clock_ms = app_clock;
    wc.clock_ctx = g;
    push_status st = term_sync_worker_start(&wc, &g->worker);
    if (st != PUSH_OK) {
        free(g);
        return st;
    }
    app->sync = g;
    app->sync_release = release;
    app->sync_port = &sync_port;
    app_refresh(app); /* the binding screens and the server icon now come from the worker */
    return PUSH_OK;
}

void term_app_sync_stop(term_app *app)
{
    if (app == NULL || app->sync == NULL) return;
    if (app->sync_port) app_sync_enroll_answer(app, APP_ENROLL_TIMEOUT);
    release(app, 1);
    app_refresh(app);
}

int term_app_sync_running(const term_app *app)
{
    return app != NULL && app->sync_port != NULL;
}

void term_app_sync_status(term_app *app, term_sync_worker_status *out)
{
    if (out == NULL) return;
    term_sync_worker_status_get(app && app->sync_port ? glue(app)->worker : NULL, out);
}

term_status term_app_sync_settle(term_app *app, uint32_t timeout_ms)
{
    if (app == NULL) return TERM_ERR_INVALID_ARGUMENT;
    const term_app_input tick = {.type = TERM_IN_TICK};
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (!app->sync_port) return TERM_OK;
        app_sync *g = glue(app);
        uint64_t ticket = term_sync_worker_barrier(g->worker);
        g->traffic = 0;
        for (;;) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            int64_t spent = (int64_t)(t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
            if (spent >= (int64_t)timeout_ms) return TERM_ERR_IO;
            int passed = term_sync_worker_wait(g->worker, ticket, (uint32_t)((int64_t)timeout_ms - spent));
            /* what waits for the application is taken by a TICK (no time passes: only timeouts may fire) */
            term_app_event(app, &tick);
            if (!app->sync_port) return TERM_OK;
            if (passed) break;
        }
        /* idle: the worker passed the barrier and nothing went either way after it was set */
        if (g->traffic == 0) return TERM_OK;
    }
}
