/*
 * term_app.c - the application core: creation, the input dispatch, the
 * scene stack, the generic scenes (field, choice, message, confirmation,
 * spinner), standby and the verification view, and the screen model.
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
/* Calendar                                                                 */
/* ------------------------------------------------------------------------ */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void app_civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *mo = mm;
    *d = dd;
    *h = (int)(secs / 3600);
    *mi = (int)(secs / 60 % 60);
    *s = (int)(secs % 60);
}

int64_t app_epoch(int y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

int app_days_in_month(int y, int mo)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12) return 31;
    if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return days[mo - 1];
}

int64_t app_local_now(term_app *app)
{
    int64_t t = app->cfg.hal.clock.wall(app->cfg.hal.clock.ctx);
    int y, mo, d, h, mi, sec;
    app_civil(t, &y, &mo, &d, &h, &mi, &sec);
    /* manual 6.1: during daylight saving time the terminal shows and records the clock one hour ahead */
    if (term_settings_dst_active(&app->settings, (uint32_t)mo, (uint32_t)d, (uint32_t)(h * 60 + mi))) t += 3600;
    return t;
}

int64_t app_rtc_from_local(term_app *app, int64_t local)
{
    int y, mo, d, h, mi, sec;
    app_civil(local - 3600, &y, &mo, &d, &h, &mi, &sec);
    if (term_settings_dst_active(&app->settings, (uint32_t)mo, (uint32_t)d, (uint32_t)(h * 60 + mi)))
        return local - 3600;
    return local;
}

void app_format_datetime(const term_app *app, int64_t t, char *date, size_t dcap, char *time, size_t tcap)
{
    int y, mo, d, h, mi, s;
    app_civil(t, &y, &mo, &d, &h, &mi, &s);
    if (date && term_settings_format_date(&app->settings, y, mo, d, date, dcap) != TERM_OK) snprintf(date, dcap, "?");
    if (time && term_settings_format_time(&app->settings, h, mi, time, tcap) != TERM_OK) snprintf(time, tcap, "?");
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

void app_voice(term_app *app, term_voice v)
{
    const term_hal_audio *a = &app->cfg.hal.audio;
    if (v == TERM_VOICE_KEY_BEEP) {
        if (a->beep && term_settings_get(&app->settings, TERM_SETTING_KEY_VOICE)) a->beep(a->ctx);
        return;
    }
    if (a->play && term_settings_get(&app->settings, TERM_SETTING_VOICE_PROMPT)) a->play(a->ctx, v);
}

void app_sync_enroll_answer(term_app *app, int ret)
{
    if (!app->sync_cmd[0]) return;
    char cmd[sizeof(app->sync_cmd)];
    APP_COPY(cmd, app->sync_cmd);
    app->sync_cmd[0] = '\0';
    if (app->sync_port) app->sync_port->enroll_done(app, cmd, ret);
}

void app_sync_changed(term_app *app, int punch)
{
    if (app->sync_port) app->sync_port->changed(app, punch);
}

void app_oplog(term_app *app, term_op op, const char *detail)
{
    if (app->fault != TERM_OK) return; /* nothing is written into a damaged database */
    term_status st = term_store_oplog_add(app->store, app->now_wall, op, app->admin, detail ? detail : "");
    /* A full operation log must not block the administrator's action, which is already stored. */
    (void)st;
}

void app_set_fp_image(term_app *app, const fp_image *img)
{
    if (!img || !img->pixels || img->width == 0 || img->height == 0) {
        app->fp_image_valid = 0;
        return;
    }
    for (uint32_t y = 0; y < TERM_SCR_FP_H; y++) {
        uint32_t sy = (uint32_t)((uint64_t)y * img->height / TERM_SCR_FP_H);
        for (uint32_t x = 0; x < TERM_SCR_FP_W; x++) {
            uint32_t sx = (uint32_t)((uint64_t)x * img->width / TERM_SCR_FP_W);
            app->fp_image[y][x] = img->pixels[(size_t)sy * img->stride + sx];
        }
    }
    app->fp_image_valid = 1;
}

scene *app_top(term_app *app)
{
    return app->depth ? &app->stack[app->depth - 1] : NULL;
}

scene *app_push(term_app *app, scene_kind kind, term_scr_id id, const char *title)
{
    if (app->depth == APP_STACK) app_pop(app); /* never happens with the menu tree's depth; stays safe */
    scene *s = &app->stack[app->depth++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->id = id;
    s->last_key = -1;
    APP_COPY(s->title, title ? title : "");
    return s;
}

void app_pop(term_app *app)
{
    if (app->depth == 0) return;
    scene *s = &app->stack[app->depth - 1];
    if (s->kind == SC_ENROLL_FINGER) {
        fp_enroll_destroy(app->enroll);
        app->enroll = NULL;
    }
    /* a server-requested enrolment closed without its result (ESC, menu timeout): the server is told */
    if ((s->kind == SC_ENROLL_FINGER || s->kind == SC_ENROLL_CARD) && s->arg == 1)
        app_sync_enroll_answer(app, app->sync_abort_ret ? app->sync_abort_ret : APP_ENROLL_CANCELLED);
    app->depth--;
    if (app->depth == 0) {
        app->admin[0] = '\0';
        app->admin_reminder = 0;
        app->vscreen_valid = 0;
        app->fp_image_valid = 0;
    }
}

void app_pop_all(term_app *app)
{
    while (app->depth) app_pop(app);
}

void app_message(term_app *app, term_icon icon, const char *title, const char *l1, const char *l2)
{
    scene *s = app_push(app, SC_MESSAGE, TERM_SCR_MESSAGE, title);
    s->icon = icon;
    if (l1) APP_COPY(s->lines[s->line_count++], l1);
    if (l2) APP_COPY(s->lines[s->line_count++], l2);
}

void app_confirm(term_app *app, purpose p, int arg, const char *title, const char *l1, const char *l2)
{
    scene *s = app_push(app, SC_CONFIRM, TERM_SCR_CONFIRM, title);
    s->purpose = p;
    s->arg = arg;
    s->icon = TERM_ICON_WARN;
    if (l1) APP_COPY(s->lines[s->line_count++], l1);
    if (l2) APP_COPY(s->lines[s->line_count++], l2);
}

scene *app_field(term_app *app, purpose p, int arg, term_scr_id id, const char *title, const char *label, size_t max,
                 int letters, const char *initial)
{
    scene *s = app_push(app, SC_FIELD, id, title);
    s->purpose = p;
    s->arg = arg;
    APP_COPY(s->label, label);
    term_t9_init(&s->t9, max, letters, initial);
    return s;
}

term_status app_save_settings(term_app *app, const term_settings *next, const char *what)
{
    term_setting_id bad = TERM_SETTING_COUNT;
    term_status st = term_settings_check(next, &bad);
    if (st == TERM_OK) st = term_store_settings_save(app->store, next);
    app->last_status = st;
    if (st != TERM_OK) {
        char l2[TERM_SCR_TEXT + 16] = "";
        if (bad != TERM_SETTING_COUNT) {
            char label[TERM_SCR_TEXT];
            setting_label(bad, label, sizeof(label));
            snprintf(l2, sizeof(l2), "Check: %s", label);
        }
        app_message(app, TERM_ICON_FAIL, "Not saved", term_status_message(st), l2[0] ? l2 : NULL);
        return st;
    }
    int volume_changed =
        term_settings_get(next, TERM_SETTING_VOLUME) != term_settings_get(&app->settings, TERM_SETTING_VOLUME);
    int server_changed = strcmp(term_settings_get_text(next, TERM_SETTING_SERVER_ADDRESS),
                                term_settings_get_text(&app->settings, TERM_SETTING_SERVER_ADDRESS)) != 0;
    app->settings = *next;
    if (volume_changed && app->cfg.hal.audio.set_volume)
        app->cfg.hal.audio.set_volume(app->cfg.hal.audio.ctx, (uint32_t)term_settings_get(next, TERM_SETTING_VOLUME));
    app_oplog(app, TERM_OP_SETTINGS_CHANGE, what);
    if (app->cfg.hooks.settings_changed) app->cfg.hooks.settings_changed(app->cfg.hooks.ctx);
    if (server_changed && app->sync_port) app->sync_port->server_changed(app);
    return TERM_OK;
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
    if (app->cfg.enroll_presses == 0 || app->cfg.enroll_presses > FP_ENROLL_MAX_PRESSES) app->cfg.enroll_presses = 3;
    if (!app->cfg.info.device_name) app->cfg.info.device_name = "M1";
    if (!app->cfg.info.firmware) app->cfg.info.firmware = "0.1.0";

    /* a database that cannot be used is a fault shown on the screen, not a failure to start (scene_storage.c) */
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
                app->gate_broken = 1; /* the damage is under the administrators' credentials (scene_storage.c) */
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
            if (!storage_menu_opened(app)) menu_open(app, 0);
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
        wifi_open(app);
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
/* Generic scenes                                                           */
/* ------------------------------------------------------------------------ */

static void scene_completed(term_app *app, const scene *done, const char *text, int choice, const int *spin)
{
    scene copy = *done;
    app_pop(app);
    if (menu_done(app, &copy, text, choice)) return;
    if (user_done(app, &copy, text, choice)) return;
    if (storage_done(app, &copy)) return;
    data_done(app, &copy, text, choice, spin);
}

static void field_key(term_app *app, scene *s, term_key key)
{
    /* A field that starts with a value (the current setting, the suggested user id) behaves as an edit field
     * with that value selected: the first character typed replaces it; `>` only opens the input method. */
    if (s->fresh && key <= TERM_KEY_9) {
        s->t9.text[0] = '\0';
        s->t9.len = 0;
        s->t9.pending_key = -1;
    }
    if (key != TERM_KEY_RIGHT) s->fresh = 0;
    term_t9_result r = term_t9_key(&s->t9, key, app->now_ms);
    if (r == TERM_T9_DONE) {
        char text[TERM_T9_MAX + 1];
        APP_COPY(text, s->t9.text);
        scene_completed(app, s, text, -1, NULL);
    } else if (r == TERM_T9_CANCEL) {
        app_pop(app);
    } else if (r == TERM_T9_FULL) {
        APP_COPY(s->hint, "field is full");
    } else if (r == TERM_T9_CHANGED) {
        s->hint[0] = '\0';
    }
}

static void list_move(uint32_t *sel, uint32_t *first, uint32_t total, term_key key, uint32_t rows)
{
    if (total == 0) return;
    if (key == TERM_KEY_UP) *sel = *sel == 0 ? total - 1 : *sel - 1;
    if (key == TERM_KEY_DOWN) *sel = *sel + 1 >= total ? 0 : *sel + 1;
    if (*sel < *first) *first = *sel;
    if (*sel >= *first + rows) *first = *sel - rows + 1;
}

void app_list_move(uint32_t *sel, uint32_t *first, uint32_t total, term_key key, uint32_t rows)
{
    list_move(sel, first, total, key, rows);
}

static void choice_key(term_app *app, scene *s, term_key key)
{
    if (key == TERM_KEY_ESC) {
        app_pop(app);
    } else if (key == TERM_KEY_OK) {
        scene_completed(app, s, s->choices[s->sel], (int)s->sel, NULL);
    } else if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        list_move(&s->sel, &s->first, (uint32_t)s->choice_count, key, 6);
    } else if (key >= TERM_KEY_0 + 1 && key <= TERM_KEY_9 && (size_t)(key - TERM_KEY_0) <= s->choice_count) {
        s->sel = (uint32_t)(key - TERM_KEY_0 - 1);
        scene_completed(app, s, s->choices[s->sel], (int)s->sel, NULL);
    }
}

static void spinner_key(term_app *app, scene *s, term_key key)
{
    uint32_t f = s->sel;
    switch (key) {
    case TERM_KEY_ESC:
        app_pop(app);
        return;
    case TERM_KEY_LEFT:
        s->sel = f == 0 ? s->spin_count - 1 : f - 1;
        s->spin_typed = 0;
        return;
    case TERM_KEY_RIGHT:
        s->sel = f + 1 >= s->spin_count ? 0 : f + 1;
        s->spin_typed = 0;
        return;
    case TERM_KEY_UP:
    case TERM_KEY_DOWN: {
        int v = s->spin_val[f] + (key == TERM_KEY_UP ? 1 : -1);
        if (v > s->spin_max[f]) v = s->spin_min[f];
        if (v < s->spin_min[f]) v = s->spin_max[f];
        s->spin_val[f] = v;
        s->spin_typed = 0;
        break;
    }
    case TERM_KEY_OK: {
        int vals[TERM_SCR_SPIN_FIELDS];
        for (uint32_t i = 0; i < s->spin_count; i++) {
            if (s->spin_val[i] < s->spin_min[i]) s->spin_val[i] = s->spin_min[i];
            if (s->spin_val[i] > s->spin_max[i]) s->spin_val[i] = s->spin_max[i];
        }
        memcpy(vals, s->spin_val, sizeof(vals));
        scene_completed(app, s, NULL, -1, vals);
        return;
    }
    default:
        if (key <= TERM_KEY_9) {
            /* digits type the field: the first replaces it, the next ones shift in, up to its width */
            uint32_t width = s->spin_max[f] >= 1000 ? 4 : 2;
            int d = (int)(key - TERM_KEY_0);
            s->spin_val[f] = s->spin_typed == 0 ? d : s->spin_val[f] * 10 + d;
            if (++s->spin_typed >= width) s->spin_typed = 0;
            if (s->spin_typed != 0) return; /* incomplete: range checks wait for the last digit */
            if (s->spin_val[f] > s->spin_max[f]) s->spin_val[f] = s->spin_max[f];
            if (s->spin_val[f] < s->spin_min[f]) s->spin_val[f] = s->spin_min[f];
        }
        break;
    }
    /* keep the day valid for the month: a date spinner is YYYY MM DD first */
    if (s->spin_time_from >= 3 && strcmp(s->spin_label[0], "YYYY") == 0) {
        s->spin_max[2] = app_days_in_month(s->spin_val[0], s->spin_val[1]);
        if (s->spin_val[2] > s->spin_max[2]) s->spin_val[2] = s->spin_max[2];
        if (s->spin_val[2] < 1) s->spin_val[2] = 1;
    }
}

/* A spinner for a date (and optionally a time) of t. fields: "date", "time", "datetime" (no seconds), "monthday". */
scene *app_spinner(term_app *app, purpose p, term_scr_id id, const char *title, const char *fields, int64_t t)
{
    scene *s = app_push(app, SC_SPINNER, id, title);
    s->purpose = p;
    int y, mo, d, h, mi, sec;
    app_civil(t, &y, &mo, &d, &h, &mi, &sec);
    struct {
        const char *label;
        int val, min, max;
    } all[6] = {{"YYYY", y, 2000, 2099}, {"MM", mo, 1, 12}, {"DD", d, 1, app_days_in_month(y, mo)},
                {"HH", h, 0, 23},        {"MM", mi, 0, 59}, {"SS", sec, 0, 59}};
    int from = 0, to = 6;
    if (strcmp(fields, "date") == 0) to = 3;
    if (strcmp(fields, "time") == 0) from = 3;
    if (strcmp(fields, "datetime") == 0) to = 5;
    s->spin_time_from = from == 3 ? 0 : 3;
    if (to <= 3) s->spin_time_from = 3;
    for (int i = from; i < to; i++) {
        uint32_t k = s->spin_count++;
        APP_COPY(s->spin_label[k], all[i].label);
        s->spin_val[k] = all[i].val;
        s->spin_min[k] = all[i].min;
        s->spin_max[k] = all[i].max;
    }
    return s;
}

static void message_key(term_app *app, scene *s, term_key key)
{
    if (s->kind == SC_CONFIRM) {
        if (key == TERM_KEY_OK)
            scene_completed(app, s, NULL, 1, NULL);
        else if (key == TERM_KEY_ESC)
            app_pop(app);
        return;
    }
    if (key == TERM_KEY_OK || key == TERM_KEY_ESC) app_pop(app);
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */
/* ------------------------------------------------------------------------ */

static void scene_key(term_app *app, scene *s, term_key key)
{
    switch (s->kind) {
    case SC_MENU:
        menu_key(app, s, key);
        break;
    case SC_FIELD:
        field_key(app, s, key);
        break;
    case SC_CHOICE:
        choice_key(app, s, key);
        break;
    case SC_MESSAGE:
    case SC_CONFIRM:
        message_key(app, s, key);
        break;
    case SC_SPINNER:
        spinner_key(app, s, key);
        break;
    case SC_USER_LIST:
        user_list_key(app, s, key);
        break;
    case SC_USER_EDIT:
        user_edit_key(app, s, key);
        break;
    case SC_ENROLL_FINGER:
    case SC_ENROLL_CARD:
    case SC_TABLE:
        if (key == TERM_KEY_ESC || (s->kind == SC_TABLE && key == TERM_KEY_OK)) app_pop(app);
        break;
    case SC_WIFI:
        wifi_key(app, s, key);
        break;
    case SC_AUTO_SWITCH:
        autoswitch_key(app, s, key);
        break;
    case SC_REC_SUMMARY:
    case SC_REC_DETAIL:
        record_key(app, s, key);
        break;
    case SC_KEYTEST:
    case SC_LCD:
    case SC_RTC:
    case SC_SENSOR:
        autotest_key(app, s, key);
        break;
    }
}

static void scene_tick(term_app *app)
{
    scene *s = app_top(app);
    if (!s) return;
    if (s->kind == SC_FIELD) term_t9_tick(&s->t9, app->now_ms);
    if (s->kind == SC_MESSAGE && s->deadline_ms && app->now_ms >= s->deadline_ms) app_pop(app);
    if (s->kind == SC_MESSAGE && s->purpose == P_SYNC_WAIT) menu_sync_outcome(app, s);
    int64_t timeout = term_settings_get(&app->settings, TERM_SETTING_MENU_TIMEOUT);
    if (app->depth && timeout > 0 && app->now_ms - app->last_input_ms >= (uint64_t)timeout * 1000u) {
        app->sync_abort_ret = APP_ENROLL_TIMEOUT;
        app_pop_all(app);
        app->sync_abort_ret = 0;
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
        switch (in->type) {
        case TERM_IN_TICK:
            scene_tick(app);
            break;
        case TERM_IN_KEY:
            if (s->kind != SC_KEYTEST) app_voice(app, TERM_VOICE_KEY_BEEP);
            scene_key(app, s, in->key);
            break;
        case TERM_IN_FINGER_IMAGE:
        case TERM_IN_FINGER_TEMPLATE:
        case TERM_IN_FINGER_RETRY:
            if (s->kind == SC_ENROLL_FINGER)
                enroll_finger(app, s, tmpl, fst);
            else if (s->kind == SC_SENSOR)
                autotest_finger(app, s, tmpl, fst, &info);
            break;
        case TERM_IN_CARD:
            if (s->kind == SC_ENROLL_CARD) enroll_card(app, s, in->card);
            break;
        }
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

static void field_render(const scene *s, term_screen_model *m)
{
    m->kind = TERM_BODY_FIELD;
    term_scr_field *f = &m->body.field;
    APP_COPY(f->label, s->label);
    if (s->masked) {
        size_t n = s->t9.len;
        if (n >= sizeof(f->value)) n = sizeof(f->value) - 1;
        memset(f->value, '*', n);
        f->value[n] = '\0';
        /* the letter being chosen stays visible until it is kept */
        if (s->t9.pending_key >= 0 && n > 0) f->value[n - 1] = s->t9.text[n - 1];
    } else {
        APP_COPY(f->value, s->t9.text);
    }
    f->cursor = (uint32_t)s->t9.len;
    APP_COPY(f->mode, s->t9.open ? term_t9_mode_name(s->t9.mode) : "");
    APP_COPY(f->candidates, term_t9_candidates(&s->t9, &f->candidate));
    APP_COPY(f->hint, s->hint);
}

static void scene_render(term_app *app, const scene *s, term_screen_model *m)
{
    m->id = s->id;
    APP_COPY(m->title, s->title);
    switch (s->kind) {
    case SC_MENU:
        menu_render(app, s, m);
        break;
    case SC_FIELD:
        field_render(s, m);
        break;
    case SC_CHOICE: {
        m->kind = TERM_BODY_LIST;
        term_scr_list *l = &m->body.list;
        l->total = (uint32_t)s->choice_count;
        l->selected = s->sel;
        l->first = s->first;
        for (uint32_t i = s->first; i < s->choice_count && l->count < TERM_SCR_LIST_ROWS; i++)
            APP_COPY(l->items[l->count++].text, s->choices[i]);
        break;
    }
    case SC_MESSAGE:
    case SC_CONFIRM: {
        m->kind = s->kind == SC_CONFIRM ? TERM_BODY_CONFIRM : TERM_BODY_MESSAGE;
        term_scr_message *msg = &m->body.message;
        msg->icon = s->icon;
        msg->line_count = s->line_count;
        memcpy(msg->lines, s->lines, sizeof(msg->lines));
        if (s->kind == SC_CONFIRM) {
            msg->button_count = 2;
            APP_COPY(msg->buttons[0], "M/OK");
            APP_COPY(msg->buttons[1], "ESC");
        } else {
            msg->button_count = 1;
            APP_COPY(msg->buttons[0], "M/OK");
        }
        break;
    }
    case SC_SPINNER: {
        m->kind = TERM_BODY_SPINNER;
        term_scr_spinner *sp = &m->body.spinner;
        sp->field_count = s->spin_count;
        sp->selected = s->sel;
        size_t pos = 0;
        for (uint32_t i = 0; i < s->spin_count; i++) {
            snprintf(sp->fields[i], sizeof(sp->fields[i]), s->spin_max[i] >= 1000 ? "%04d" : "%02d", s->spin_val[i]);
            APP_COPY(sp->labels[i], s->spin_label[i]);
            const char *sep = i == 0 ? "" : i == s->spin_time_from ? " " : i > s->spin_time_from ? ":" : "-";
            int n = snprintf(sp->value + pos, sizeof(sp->value) - pos, "%s%s", sep, sp->fields[i]);
            if (n > 0) pos += (size_t)n;
            if (pos >= sizeof(sp->value)) pos = sizeof(sp->value) - 1;
        }
        break;
    }
    case SC_USER_LIST:
        user_list_render(app, s, m);
        break;
    case SC_USER_EDIT:
        user_edit_render(app, s, m);
        break;
    case SC_ENROLL_FINGER:
    case SC_ENROLL_CARD:
        enroll_render(app, s, m);
        break;
    case SC_WIFI:
        wifi_render(app, s, m);
        break;
    case SC_AUTO_SWITCH:
        autoswitch_render(app, s, m);
        break;
    case SC_REC_SUMMARY:
    case SC_REC_DETAIL:
        record_render(app, s, m);
        break;
    case SC_TABLE:
        table_render(app, s, m);
        break;
    case SC_KEYTEST:
    case SC_LCD:
    case SC_RTC:
    case SC_SENSOR:
        autotest_render(app, s, m);
        break;
    }
}

static void refresh(term_app *app)
{
    term_screen_model *m = &app->model;
    term_screen_clear(m);
    status_render(app, m);
    scene *s = app_top(app);
    if (s) {
        scene_render(app, s, m);
        if (app->admin_reminder && s->kind == SC_MENU && app->depth == 1)
            APP_COPY(m->hint, "Please set an administrator");
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
