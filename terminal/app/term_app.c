/*
 * term_app.c - the application loop: creation, the input dispatch to the
 * top scene through the registry (term_app_internal.h, scene_config.h),
 * standby and the verification view, and the screen model. It names no
 * scene function: scenes are reached through app->scenes only.
 */
#include <stdlib.h>

#include "term_app_internal.h"

/* ------------------------------------------------------------------------ */
/* Screen ids                                                               */
/* ------------------------------------------------------------------------ */

const char *term_scr_id_name(term_scr_id id)
{
    switch (id) {
#define TERM_SCR_NAME_(name, num, text)                                                                                \
    case TERM_SCR_##name:                                                                                              \
        return text;
        TERM_SCR_MAP(TERM_SCR_NAME_)
#undef TERM_SCR_NAME_
    }
    return "?";
}

int term_scr_id_from_name(const char *name)
{
    if (!name) return -1;
#define TERM_SCR_FIND_(nm, num, text)                                                                                  \
    if (strcmp(name, text) == 0) return num;
    TERM_SCR_MAP(TERM_SCR_FIND_)
#undef TERM_SCR_FIND_
    return -1;
}

void term_screen_clear(term_screen_model *m)
{
    memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                 */
/* ------------------------------------------------------------------------ */

void term_app_config_init(term_app_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    term_device_profile_m1(&cfg->store.profile);
    cfg->enroll_presses = 3;
    cfg->info.device_name = "M1";
    cfg->info.firmware = "0.1.0";
}

void term_app_destroy(term_app *app)
{
    if (!app) return;
    /* the worker stops first; an open server enrolment is answered -1003 by the engine at its next start */
    if (app->sync_release) app->sync_release(app, 1);
    app_pop_all(app);
    fp_enroll_destroy(app->enroll);
    term_gallery_destroy(app->gallery);
    fp_context_destroy(app->fp);
    term_store_close(app->store);
    free(app->users);
    free(app->summary);
    free(app->detail);
    free(app);
}

static void refresh(term_app *app);

term_status term_app_create(const term_app_config *cfg, term_app **out)
{
    if (!cfg || !out || !cfg->hal.clock.wall || !cfg->hal.clock.mono_ms) return TERM_ERR_INVALID_ARGUMENT;
    *out = NULL;
    term_app *app = calloc(1, sizeof(*app));
    if (!app) return TERM_ERR_NO_MEMORY;
    app->cfg = *cfg;
    app->scenes = &app_scene_table;
    if (app->cfg.enroll_presses == 0 || app->cfg.enroll_presses > FP_ENROLL_MAX_PRESSES) app->cfg.enroll_presses = 3;
    if (!app->cfg.info.device_name) app->cfg.info.device_name = "M1";
    if (!app->cfg.info.firmware) app->cfg.info.firmware = "0.1.0";

    /* a database that cannot be used is a fault shown on the screen, not a failure to start (app_storage.c) */
    term_status st = storage_open(app);
    if (st != TERM_OK) goto fail;
    if (fp_context_create(NULL, &app->fp) != FP_OK) {
        st = TERM_ERR_NO_MEMORY;
        goto fail;
    }
    st = term_gallery_create(app->fp, &app->gallery);
    if (st != TERM_OK) goto fail;
    st = storage_load(app);
    if (st != TERM_OK) goto fail;
    app->user_cap = app->cfg.store.profile.max_users;
    app->users = calloc(app->user_cap ? app->user_cap : 1, sizeof(*app->users));
    app->summary = calloc(APP_SUMMARY_MAX, sizeof(*app->summary));
    app->detail = calloc(APP_DETAIL_MAX, sizeof(*app->detail));
    if (!app->users || !app->summary || !app->detail) {
        st = TERM_ERR_NO_MEMORY;
        goto fail;
    }
    if (app->cfg.hal.audio.set_volume)
        app->cfg.hal.audio.set_volume(app->cfg.hal.audio.ctx,
                                      (uint32_t)term_settings_get(&app->settings, TERM_SETTING_VOLUME));
    app->now_ms = app->cfg.hal.clock.mono_ms(app->cfg.hal.clock.ctx);
    app->now_wall = app_local_now(app);
    refresh(app);
    *out = app;
    return TERM_OK;
fail:
    term_app_destroy(app);
    return st;
}

term_store *term_app_store(term_app *app)
{
    return app ? app->store : NULL;
}
const term_settings *term_app_settings(const term_app *app)
{
    return app ? &app->settings : NULL;
}
term_status term_app_last_status(const term_app *app)
{
    return app ? app->last_status : TERM_ERR_INVALID_ARGUMENT;
}
term_status term_app_fault(const term_app *app)
{
    return app ? app->fault : TERM_ERR_INVALID_ARGUMENT;
}

/* ------------------------------------------------------------------------ */
/* Standby and verification                                                 */
/* ------------------------------------------------------------------------ */

static void verify_actions(term_app *app, const term_action_list *acts)
{
    for (size_t i = 0; i < acts->count; i++) {
        const term_action *a = &acts->items[i];
        switch (a->type) {
        case TERM_ACT_SCREEN:
            app->vscreen = *a;
            app->vscreen_valid = 1;
            app->vscreen_ms = app->now_ms;
            if (a->screen != TERM_SCREEN_VERIFIED && a->screen != TERM_SCREEN_FAILED &&
                a->screen != TERM_SCREEN_FINGER_RETRY)
                app->vimage = 0;
            if (app->fault != TERM_OK && a->screen == TERM_SCREEN_FAILED && a->fail == TERM_FAIL_FAULT)
                app->gate_broken = 1; /* the damage is under the administrators' credentials (app_storage.c) */
            break;
        case TERM_ACT_VOICE:
            app_voice(app, a->voice);
            break;
        case TERM_ACT_RECORD: {
            int64_t id = 0;
            term_status st = app->fault == TERM_OK ? term_store_record_add(app->store, &a->record, &id) : app->fault;
            app->last_status = st;
            if (st == TERM_OK) {
                if (app->cfg.hooks.record_added) app->cfg.hooks.record_added(app->cfg.hooks.ctx, id, &a->record);
                app_sync_changed(app, 1);
            } else {
                /* The machine checked the space; a failure here is a device fault: say so, never pretend. */
                memset(&app->vscreen, 0, sizeof(app->vscreen));
                app->vscreen.type = TERM_ACT_SCREEN;
                app->vscreen.screen = TERM_SCREEN_FAILED;
                app->vscreen.fail = st == TERM_ERR_CAPACITY_RECORDS ? TERM_FAIL_RECORD_FULL
                                    : st == TERM_ERR_STORAGE_FULL   ? TERM_FAIL_STORAGE_FULL
                                                                    : TERM_FAIL_FAULT;
                app->vscreen_valid = 1;
                i = acts->count; /* the VERIFIED screen that may follow must not be shown */
                if (st == TERM_ERR_CORRUPT) storage_fault(app, st); /* a page went bad since the boot check */
            }
            break;
        }
        case TERM_ACT_STANDBY:
            app->vscreen_valid = 0;
            app->vimage = 0;
            break;
        case TERM_ACT_FP_IMAGE:
            app->vimage = 1;
            break;
        case TERM_ACT_OPEN_MENU:
            app->vscreen_valid = 0;
            app->vimage = 0;
            app_pop_all(app);
            APP_COPY(app->admin, a->admin_reminder ? "" : a->user.id);
            app->admin_reminder = a->admin_reminder;
            app_oplog(app, TERM_OP_MENU_ENTER, a->admin_reminder ? "no administrator set" : "");
            if (!storage_menu_opened(app)) app_scene_open(app, SC_MENU, M_MAIN, 0);
            app->admin_reminder = a->admin_reminder;
            break;
        }
    }
}

static void verify_feed(term_app *app, term_event *ev)
{
    term_action_list acts;
    ev->mono_ms = app->now_ms;
    ev->local_time = app->now_wall;
    if (term_verify_step(&app->verify, ev, &acts) == TERM_OK) verify_actions(app, &acts);
}

static int first_boot_key(term_app *app, term_key key);

static void standby_input(term_app *app, const term_app_input *in, const fp_template *tmpl, fp_status retry)
{
    term_event ev;
    memset(&ev, 0, sizeof(ev));
    switch (in->type) {
    case TERM_IN_TICK:
        if (app->vtext_open) {
            /* While the operator types with the input method the machine's input timeout waits; the
             * input method has its own, counted from the last key. */
            term_t9_tick(&app->vtext, app->now_ms);
            if (app->now_ms - app->last_input_ms < TERM_VERIFY_INPUT_TIMEOUT_MS) return;
            app->vtext_open = 0;
            if (term_verify_current(&app->verify) != TERM_VS_STANDBY) {
                term_action_list acts;
                ev.type = TERM_EV_KEY; /* as ESC, without its key beep */
                ev.u.key = TERM_KEY_ESC;
                ev.mono_ms = app->now_ms;
                ev.local_time = app->now_wall;
                if (term_verify_step(&app->verify, &ev, &acts) == TERM_OK) {
                    size_t kept = 0;
                    for (size_t i = 0; i < acts.count; i++)
                        if (acts.items[i].type != TERM_ACT_VOICE) acts.items[kept++] = acts.items[i];
                    acts.count = kept;
                    verify_actions(app, &acts);
                }
            }
            return;
        }
        ev.type = TERM_EV_TICK;
        verify_feed(app, &ev);
        if (term_verify_current(&app->verify) == TERM_VS_STANDBY) {
            /* a refused press at standby leaves no flow to time out: its notice goes like a result */
            uint64_t shown = (uint64_t)term_settings_get(&app->settings, TERM_SETTING_AUTH_TIMEOUT) * 1000u;
            if (app->vscreen_valid && app->vscreen.screen == TERM_SCREEN_FINGER_RETRY &&
                app->now_ms - app->vscreen_ms >= shown)
                app->vscreen_valid = 0;
        }
        return;
    case TERM_IN_KEY: {
        if (first_boot_key(app, in->key)) return;
        term_verify_state vs = term_verify_current(&app->verify);
        int alnum = (int)term_settings_get(&app->settings, TERM_SETTING_ALNUM_USER_ID);
        if (app->vtext_open) {
            app_voice(app, TERM_VOICE_KEY_BEEP);
            term_t9_result r = term_t9_key(&app->vtext, in->key, app->now_ms);
            if (r == TERM_T9_DONE) {
                app->vtext_open = 0;
                ev.type = vs == TERM_VS_WAIT_PIN ? TERM_EV_PIN : TERM_EV_USER_ID;
                ev.u.text = app->vtext.text;
                verify_feed(app, &ev);
            } else if (r == TERM_T9_CANCEL) {
                app->vtext_open = 0;
            }
            return;
        }
        if (in->key == TERM_KEY_RIGHT &&
            (vs == TERM_VS_WAIT_PIN || (alnum && (vs == TERM_VS_STANDBY || vs == TERM_VS_ENTER_ID)))) {
            app_voice(app, TERM_VOICE_KEY_BEEP);
            term_t9_init(&app->vtext, vs == TERM_VS_WAIT_PIN ? TERM_PIN_MAX : TERM_USER_ID_MAX, 1,
                         vs == TERM_VS_ENTER_ID && app->vscreen_valid ? app->vscreen.input : NULL);
            term_t9_key(&app->vtext, TERM_KEY_RIGHT, app->now_ms);
            app->vtext_open = 1;
            return;
        }
        ev.type = TERM_EV_KEY;
        ev.u.key = in->key;
        verify_feed(app, &ev);
        return;
    }
    case TERM_IN_FINGER_IMAGE:
    case TERM_IN_FINGER_TEMPLATE:
    case TERM_IN_FINGER_RETRY:
        app->vtext_open = 0;
        if (tmpl) {
            ev.type = TERM_EV_FINGER;
            ev.u.finger = tmpl;
        } else {
            ev.type = TERM_EV_FINGER_RETRY;
            ev.u.retry = (int)retry;
        }
        verify_feed(app, &ev);
        return;
    case TERM_IN_CARD:
        app->vtext_open = 0;
        ev.type = TERM_EV_CARD;
        ev.u.card = in->card;
        verify_feed(app, &ev);
        return;
    }
}

static const char *method_name(unsigned m)
{
    return m == TERM_METHOD_FINGER ? "Fingerprint" : m == TERM_METHOD_CARD ? "Card" : "Password";
}

static void add_line(term_scr_message *msg, const char *fmt, const char *a, const char *b)
{
    if (msg->line_count >= TERM_SCR_LINES) return;
    snprintf(msg->lines[msg->line_count++], TERM_SCR_TEXT, fmt, a ? a : "", b ? b : "");
}

static void verify_render(term_app *app, term_screen_model *m)
{
    const term_action *a = &app->vscreen;
    term_scr_message *msg = &m->body.message;
    if (app->vtext_open) {
        int pin = term_verify_current(&app->verify) == TERM_VS_WAIT_PIN;
        m->id = pin ? TERM_SCR_ENTER_PIN : TERM_SCR_ENTER_USER_ID;
        APP_COPY(m->title, pin ? "Verify" : "User ID");
        m->kind = TERM_BODY_FIELD;
        term_scr_field *f = &m->body.field;
        APP_COPY(f->label, pin ? "Password" : "User ID");
        if (pin) {
            size_t n = app->vtext.len;
            memset(f->value, '*', n);
            f->value[n] = '\0';
        } else {
            APP_COPY(f->value, app->vtext.text);
        }
        f->cursor = (uint32_t)app->vtext.len;
        APP_COPY(f->mode, app->vtext.open ? term_t9_mode_name(app->vtext.mode) : "");
        APP_COPY(f->candidates, term_t9_candidates(&app->vtext, &f->candidate));
        return;
    }
    m->kind = TERM_BODY_MESSAGE;
    switch (a->screen) {
    case TERM_SCREEN_STANDBY:
        break;
    case TERM_SCREEN_ENTER_USER_ID:
        m->id = TERM_SCR_ENTER_USER_ID;
        APP_COPY(m->title, "User ID");
        m->kind = TERM_BODY_FIELD;
        APP_COPY(m->body.field.label, "User ID");
        APP_COPY(m->body.field.value, a->input);
        m->body.field.cursor = (uint32_t)strlen(a->input);
        m->body.field.candidate = -1;
        APP_COPY(m->body.field.hint, "M/OK to verify");
        return;
    case TERM_SCREEN_ENTER_PIN:
        m->id = TERM_SCR_ENTER_PIN;
        APP_COPY(m->title, "Verify");
        m->kind = TERM_BODY_FIELD;
        APP_COPY(m->body.field.label, "Password");
        APP_COPY(m->body.field.value, a->input);
        m->body.field.cursor = (uint32_t)strlen(a->input);
        m->body.field.candidate = -1;
        snprintf(m->body.field.hint, sizeof(m->body.field.hint), "User ID: %s", a->user.id);
        return;
    case TERM_SCREEN_CHOOSE_METHOD: {
        m->id = TERM_SCR_CHOOSE_METHOD;
        APP_COPY(m->title, "Verification Mode");
        m->kind = TERM_BODY_LIST;
        term_scr_list *l = &m->body.list;
        static const unsigned order[3] = {TERM_METHOD_FINGER, TERM_METHOD_CARD, TERM_METHOD_PIN};
        for (int i = 0; i < 3; i++) {
            if (!(a->user.methods & order[i])) continue;
            if (a->highlight == order[i]) l->selected = l->count;
            snprintf(l->items[l->count].text, TERM_SCR_TEXT, "%u %s", l->count + 1, method_name(order[i]));
            l->count++;
        }
        l->total = l->count;
        snprintf(m->hint, sizeof(m->hint), "User ID: %s", a->user.id);
        return;
    }
    case TERM_SCREEN_PLACE_FINGER:
        m->id = TERM_SCR_PLACE_FINGER;
        APP_COPY(m->title, "Verify");
        msg->icon = TERM_ICON_FINGER;
        add_line(msg, "Please press your finger", NULL, NULL);
        add_line(msg, "User ID: %s", a->user.id, NULL);
        return;
    case TERM_SCREEN_PRESENT_CARD:
        m->id = TERM_SCR_PRESENT_CARD;
        APP_COPY(m->title, "Verify");
        msg->icon = TERM_ICON_CARD;
        add_line(msg, "Please swipe your card", NULL, NULL);
        add_line(msg, "User ID: %s", a->user.id, NULL);
        return;
    case TERM_SCREEN_FINGER_RETRY:
        m->id = TERM_SCR_FINGER_RETRY;
        APP_COPY(m->title, "Verify");
        msg->icon = TERM_ICON_WARN;
        add_line(msg, "%s", fp_status_message((fp_status)a->retry), NULL);
        return;
    case TERM_SCREEN_ADMIN_VERIFY:
        m->id = TERM_SCR_ADMIN_VERIFY;
        APP_COPY(m->title, "Administrator");
        msg->icon = TERM_ICON_INFO;
        add_line(msg, "Administrator verification", NULL, NULL);
        add_line(msg, "Press finger, swipe card or enter ID", NULL, NULL);
        return;
    case TERM_SCREEN_VERIFIED: {
        m->id = TERM_SCR_VERIFIED;
        APP_COPY(m->title, "Verified");
        msg->icon = TERM_ICON_OK;
        add_line(msg, a->duplicate ? "Already punched" : "Verified", NULL, NULL);
        add_line(msg, "ID: %s", a->user.id, NULL);
        add_line(msg, "Name: %s", a->user.name, NULL);
        add_line(msg, "Verify: %s", term_verify_type_name(a->record.verify), NULL);
        add_line(msg, "State: %s", a->record.state == TERM_PUNCH_NONE ? "None" : term_punch_state_name(a->record.state),
                 NULL);
        char d[TERM_SCR_SHORT], t[TERM_SCR_SHORT];
        app_format_datetime(app, a->record.time, d, sizeof(d), t, sizeof(t));
        add_line(msg, "%s %s", d, t);
        return;
    }
    case TERM_SCREEN_FAILED:
        m->id = TERM_SCR_FAILED;
        APP_COPY(m->title, "Verify");
        msg->icon = TERM_ICON_FAIL;
        add_line(msg, "%s", term_fail_text(a->fail), NULL);
        if (a->attempts_left) {
            char n[16];
            snprintf(n, sizeof(n), "%u", a->attempts_left);
            add_line(msg, "You can attempt verification %s more times", n, NULL);
        }
        return;
    case TERM_SCREEN_LOG_ALERT: {
        m->id = TERM_SCR_LOG_ALERT;
        APP_COPY(m->title, "Warning");
        msg->icon = TERM_ICON_WARN;
        char n[16];
        snprintf(n, sizeof(n), "%u", a->records_free);
        add_line(msg, "Record space low: %s records left", n, NULL);
        return;
    }
    }
}

/* Manual 1.1: until the device is bound, standby is the Wi-Fi shortcut or the binding QR code. */
typedef enum first_boot { FB_NONE = 0, FB_WIFI, FB_QR } first_boot;

/* The binding: the hook when the host gives one, else the attached sync engine, else bound. */
static int app_is_bound(term_app *app)
{
    const term_app_hooks *h = &app->cfg.hooks;
    if (h->is_bound) return h->is_bound(h->ctx);
    if (app->sync_port) return app->sync_port->is_bound(app);
    return 1;
}

static first_boot first_boot_state(term_app *app)
{
    if (app->fault != TERM_OK || app->first_boot_skipped || app->vscreen_valid || app->vtext_open || app_is_bound(app))
        return FB_NONE;
    term_hal_link link;
    memset(&link, 0, sizeof(link));
    if (app->cfg.hal.network.link) app->cfg.hal.network.link(app->cfg.hal.network.ctx, &link);
    return link.wifi_connected ? FB_QR : FB_WIFI;
}

static int first_boot_key(term_app *app, term_key key)
{
    first_boot fb = first_boot_state(app);
    if (fb == FB_NONE || (key != TERM_KEY_OK && key != TERM_KEY_ESC)) return 0;
    if (key == TERM_KEY_OK && fb == FB_WIFI) {
        /* manual 1.4, situation 1: M/OK goes straight to the Wi-Fi setting, but only while no
         * administrator protects the menu; otherwise the usual gate applies */
        uint32_t admins = 1;
        if (app->verify.ops.admin_count(app->verify.ops.ctx, &admins) != TERM_OK || admins > 0) return 0;
        app_voice(app, TERM_VOICE_KEY_BEEP);
        app_scene_open(app, SC_WIFI, 0, 0);
        return 1;
    }
    if (key != TERM_KEY_ESC) return 0;
    app_voice(app, TERM_VOICE_KEY_BEEP);
    app->first_boot_skipped = 1;
    return 1;
}

static void first_boot_render(term_app *app, first_boot fb, term_screen_model *m)
{
    if (fb == FB_WIFI) {
        m->id = TERM_SCR_WIFI_SHORTCUT;
        APP_COPY(m->title, "Wi-Fi");
        m->kind = TERM_BODY_MESSAGE;
        term_scr_message *msg = &m->body.message;
        msg->icon = TERM_ICON_INFO;
        msg->line_count = 2;
        APP_COPY(msg->lines[0], "Wi-Fi is not connected");
        APP_COPY(msg->lines[1], "Press M/OK to set up Wi-Fi");
        msg->button_count = 2;
        APP_COPY(msg->buttons[0], "M/OK");
        APP_COPY(msg->buttons[1], "ESC");
        return;
    }
    m->id = TERM_SCR_QR_BIND;
    APP_COPY(m->title, "Bind Device");
    m->kind = TERM_BODY_QR;
    term_scr_qr *qr = &m->body.qr;
    const term_app_hooks *h = &app->cfg.hooks;
    if (h->bind_code)
        h->bind_code(h->ctx, qr->payload, sizeof(qr->payload));
    else if (app->sync_port)
        app->sync_port->bind_code(app, qr->payload, sizeof(qr->payload));
    else
        APP_COPY(qr->payload, app->cfg.info.serial_number ? app->cfg.info.serial_number : "unknown");
    qr->payload[sizeof(qr->payload) - 1] = '\0';
    qr->line_count = 2;
    APP_COPY(qr->lines[0], "Scan the QR code with the app");
    APP_COPY(qr->lines[1], "to bind this device");
}

static void standby_render(term_app *app, term_screen_model *m)
{
    if (storage_render(app, m)) return;
    first_boot fb = first_boot_state(app);
    if (fb != FB_NONE) {
        first_boot_render(app, fb, m);
        return;
    }
    if (app->vscreen_valid || app->vtext_open) {
        verify_render(app, m);
        if (app->vimage && app->fp_image_valid) {
            m->fp_image_valid = 1;
            memcpy(m->fp_image, app->fp_image, sizeof(m->fp_image));
        }
        if (m->kind != TERM_BODY_MESSAGE || m->id != 0) return;
    }
    m->id = TERM_SCR_STANDBY;
    m->kind = TERM_BODY_STANDBY;
    term_scr_standby *s = &m->body.standby;
    APP_COPY(s->time, m->status.time);
    char date[TERM_SCR_SHORT];
    app_format_datetime(app, app->now_wall, date, sizeof(date), NULL, 0);
    static const char *const wd[7] = {"Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"};
    int64_t day = app->now_wall >= 0 ? app->now_wall / 86400 : (app->now_wall - 86399) / 86400;
    snprintf(s->date, sizeof(s->date), "%s %s", date, wd[((day % 7) + 7) % 7]);
    APP_COPY(s->punch_state, m->status.punch_state);
    uint32_t admins = 0;
    if (app->verify.ops.admin_count(app->verify.ops.ctx, &admins) == TERM_OK && admins == 0)
        APP_COPY(m->hint, "Administrator not set");
    else if (storage_locked(app))
        APP_COPY(m->hint, "Restore from server pending: menu locked");
}

/* ------------------------------------------------------------------------ */
/* Dispatch: every input goes to the top scene through the registry        */
/* ------------------------------------------------------------------------ */

static const scene_ops *ops_of(const term_app *app, const scene *s)
{
    return app->scenes->ops[s->kind];
}

static void scene_tick(term_app *app)
{
    scene *s = app_top(app);
    if (!s) return;
    const scene_ops *ops = ops_of(app, s);
    if (ops->tick) ops->tick(app, s);
    int64_t timeout = term_settings_get(&app->settings, TERM_SETTING_MENU_TIMEOUT);
    if (app->depth && timeout > 0 && app->now_ms - app->last_input_ms >= (uint64_t)timeout * 1000u) {
        app->sync_abort_ret = APP_ENROLL_TIMEOUT;
        app_pop_all(app);
        app->sync_abort_ret = 0;
    }
}

static void scene_input(term_app *app, scene *s, const term_app_input *in, const fp_template *tmpl, fp_status fst,
                        const fp_extract_info *info)
{
    const scene_ops *ops = ops_of(app, s);
    switch (in->type) {
    case TERM_IN_TICK:
        scene_tick(app);
        break;
    case TERM_IN_KEY:
        if (!(ops->flags & SCENE_OWN_KEY_BEEP)) app_voice(app, TERM_VOICE_KEY_BEEP);
        if (ops->key) ops->key(app, s, in->key);
        break;
    case TERM_IN_FINGER_IMAGE:
    case TERM_IN_FINGER_TEMPLATE:
    case TERM_IN_FINGER_RETRY:
        if (ops->finger) ops->finger(app, s, tmpl, fst, info);
        break;
    case TERM_IN_CARD:
        if (ops->card) ops->card(app, s, in->card);
        break;
    }
}

static fp_status extract(term_app *app, const term_app_input *in, fp_template **owned, const fp_template **tmpl,
                         fp_extract_info *info)
{
    *owned = NULL;
    *tmpl = NULL;
    memset(info, 0, sizeof(*info));
    if (in->type == TERM_IN_FINGER_TEMPLATE) {
        if (!in->tmpl) return FP_ERR_INVALID_ARGUMENT;
        *tmpl = in->tmpl;
        info->quality = fp_template_quality(in->tmpl);
        return FP_OK;
    }
    if (in->type == TERM_IN_FINGER_RETRY)
        return fp_status_is_retry((fp_status)in->retry) ? (fp_status)in->retry : FP_RETRY_LOW_QUALITY;
    if (!in->image) return FP_ERR_INVALID_ARGUMENT;
    app_set_fp_image(app, in->image);
    fp_status st = fp_extract(app->fp, in->image, owned, info);
    if (st == FP_OK) *tmpl = *owned;
    return st;
}

term_status term_app_event(term_app *app, const term_app_input *in)
{
    if (!app || !in || (unsigned)in->type > TERM_IN_CARD) return TERM_ERR_INVALID_ARGUMENT;
    if (in->type == TERM_IN_KEY && (unsigned)in->key > TERM_KEY_RIGHT) return TERM_ERR_INVALID_ARGUMENT;
    app->now_ms = app->cfg.hal.clock.mono_ms(app->cfg.hal.clock.ctx);
    app->now_wall = app_local_now(app);
    if (in->type != TERM_IN_TICK) app->last_input_ms = app->now_ms;

    fp_template *owned = NULL;
    const fp_template *tmpl = NULL;
    fp_extract_info info;
    fp_status fst = FP_OK;
    int finger =
        in->type == TERM_IN_FINGER_IMAGE || in->type == TERM_IN_FINGER_TEMPLATE || in->type == TERM_IN_FINGER_RETRY;
    if (finger) {
        fst = extract(app, in, &owned, &tmpl, &info);
        if (fst != FP_OK && !fp_status_is_retry(fst)) fst = FP_RETRY_LOW_QUALITY; /* unusable frame: ask again */
    }

    /* what the sync worker handed over is taken first, so that a scene waiting for it sees it at this TICK */
    if (in->type == TERM_IN_TICK && app->sync_port) app->sync_port->tick(app);
    scene *s = app_top(app);
    if (!s) {
        if (!storage_standby_input(app, in)) standby_input(app, in, tmpl, fst);
    } else {
        scene_input(app, s, in, tmpl, fst, &info);
    }
    fp_template_destroy(owned);
    refresh(app);
    return TERM_OK;
}

size_t term_app_poll(term_app *app)
{
    if (!app) return 0;
    size_t n = 0;
    term_key key;
    uint64_t card;
    const term_hal *h = &app->cfg.hal;
    while (h->keypad.poll && h->keypad.poll(h->keypad.ctx, &key)) {
        term_app_input in = {.type = TERM_IN_KEY, .key = key};
        term_app_event(app, &in);
        n++;
    }
    while (h->card.poll && h->card.poll(h->card.ctx, &card)) {
        term_app_input in = {.type = TERM_IN_CARD, .card = card};
        term_app_event(app, &in);
        n++;
    }
    return n;
}

/* ------------------------------------------------------------------------ */
/* The screen model                                                         */
/* ------------------------------------------------------------------------ */

static void status_render(term_app *app, term_screen_model *m)
{
    char date[TERM_SCR_SHORT], time[TERM_SCR_SHORT];
    app_format_datetime(app, app->now_wall, date, sizeof(date), time, sizeof(time));
    APP_COPY(m->status.time, time);
    APP_COPY(m->status.date, date);
    int64_t secs = app->now_wall % 86400;
    if (secs < 0) secs += 86400;
    term_punch_state ps = term_settings_punch_state_at(&app->settings, (uint32_t)(secs / 60));
    APP_COPY(m->status.punch_state, ps == TERM_PUNCH_NONE ? "" : term_punch_state_name(ps));
    const term_hal_network *net = &app->cfg.hal.network;
    if (net->link) {
        term_hal_link link;
        memset(&link, 0, sizeof(link));
        net->link(net->ctx, &link);
        m->status.usb = link.usb_present ? 1 : 0;
        m->status.wifi = !link.wifi_enabled ? TERM_LINK_HIDDEN : link.wifi_connected ? TERM_LINK_UP : TERM_LINK_DOWN;
        m->status.server = link.server_connected ? TERM_LINK_UP : TERM_LINK_DOWN;
    }
    if (app->sync_port) m->status.server = app->sync_port->link_icon(app); /* the engine knows the link */
}

static void scene_render(term_app *app, const scene *s, term_screen_model *m)
{
    m->id = s->id;
    APP_COPY(m->title, s->title);
    const scene_ops *ops = ops_of(app, s);
    if (ops->render) ops->render(app, s, m);
}

static void refresh(term_app *app)
{
    term_screen_model *m = &app->model;
    term_screen_clear(m);
    status_render(app, m);
    scene *s = app_top(app);
    if (s) {
        scene_render(app, s, m);
    } else {
        standby_render(app, m);
    }
    if (app->cfg.hal.display.show) app->cfg.hal.display.show(app->cfg.hal.display.ctx, m);
}

void app_refresh(term_app *app)
{
    refresh(app);
}

void term_app_screen(term_app *app, term_screen_model *out)
{
    if (!app || !out) return;
    *out = app->model;
}
