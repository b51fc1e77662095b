/*
 * app_kit.c - the scene kit: the helpers the scenes, the application loop
 * and the sync glue share (the scene stack, the generic scenes' builders,
 * voice, operation log, settings, calendar). It calls no scene and no
 * part of the loop by name: a scene's handlers, a purpose's owner and an
 * action's owner are reached through the registry in app->scenes
 * (scene_config.h, scene_table.c).
 */
#include <stdlib.h>

#include "term_app_internal.h"
#include "term_calendar.h"

/* ------------------------------------------------------------------------ */
/* Calendar                                                                 */
/* ------------------------------------------------------------------------ */

void app_civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t secs, yy, mm, dd;
    term_civil_from_days(term_days_of(t, &secs), &yy, &mm, &dd);
    *y = (int)yy;
    *mo = (int)mm;
    *d = (int)dd;
    *h = (int)(secs / 3600);
    *mi = (int)(secs / 60 % 60);
    *s = (int)(secs % 60);
}

int64_t app_epoch(int y, int mo, int d, int h, int mi, int s)
{
    return term_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
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
    const scene_ops *ops = app->scenes->ops[s->kind];
    if (ops->exit) ops->exit(app, s);
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

void app_list_move(uint32_t *sel, uint32_t *first, uint32_t total, term_key key, uint32_t rows)
{
    if (total == 0) return;
    if (key == TERM_KEY_UP) *sel = *sel == 0 ? total - 1 : *sel - 1;
    if (key == TERM_KEY_DOWN) *sel = *sel + 1 >= total ? 0 : *sel + 1;
    if (*sel < *first) *first = *sel;
    if (*sel >= *first + rows) *first = *sel - rows + 1;
}

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

/* The words of the menus (manual 5 and 6). */
void setting_label(term_setting_id id, char *buf, size_t cap)
{
    static const struct {
        term_setting_id id;
        const char *label;
    } labels[] = {
        {TERM_SETTING_TIME_24H, "24-Hour Time"},
        {TERM_SETTING_DATE_FORMAT, "Date Format"},
        {TERM_SETTING_DST_ENABLE, "DST"},
        {TERM_SETTING_DST_START_DATE, "Start Date"},
        {TERM_SETTING_DST_START_TIME, "Start Time"},
        {TERM_SETTING_DST_END_DATE, "End Date"},
        {TERM_SETTING_DST_END_TIME, "End Time"},
        {TERM_SETTING_DUP_PUNCH_PERIOD, "Duplicate Punch Period(m)"},
        {TERM_SETTING_ALNUM_USER_ID, "Alphanumeric User ID"},
        {TERM_SETTING_LOG_ALERT, "Log Alert"},
        {TERM_SETTING_AUTH_TIMEOUT, "Authentication Timeout(s)"},
        {TERM_SETTING_MENU_TIMEOUT, "Menu Screen Timeout(s)"},
        {TERM_SETTING_THRESHOLD_1_1, "1:1 Threshold Value"},
        {TERM_SETTING_THRESHOLD_1_N, "1:N Threshold Value"},
        {TERM_SETTING_SENSITIVITY, "Sensitivity"},
        {TERM_SETTING_RETRY_1_1, "1:1 Retry Attempts"},
        {TERM_SETTING_FP_IMAGE, "Fingerprint Image"},
        {TERM_SETTING_VOICE_PROMPT, "Voice Prompt"},
        {TERM_SETTING_KEY_VOICE, "Key Voice"},
        {TERM_SETTING_VOLUME, "Volume"},
        {TERM_SETTING_DEVELOPER_MODE, "Developer Mode"},
        {TERM_SETTING_ONLINE_UPDATE, "Enable Firmware Update Online"},
        {TERM_SETTING_SECURITY_PROMPTS, "Security Setting"},
        {TERM_SETTING_WIFI_ENABLE, "Wi-Fi"},
        {TERM_SETTING_WIFI_SSID, "Wi-Fi Name"},
        {TERM_SETTING_WIFI_PASSWORD, "Wi-Fi Password"},
        {TERM_SETTING_DHCP, "DHCP"},
        {TERM_SETTING_IP_ADDRESS, "IP Address"},
        {TERM_SETTING_SUBNET_MASK, "Subnet Mask"},
        {TERM_SETTING_GATEWAY, "Gateway"},
        {TERM_SETTING_DNS, "DNS"},
        {TERM_SETTING_SERVER_ADDRESS, "Server Address"},
        {TERM_SETTING_UPLOAD_ATT_ALWAYS, "Upload Attendance Always"},
        {TERM_SETTING_SERVER_PIN_REMOVAL, "Server May Remove PINs"},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        if (labels[i].id == id) {
            snprintf(buf, cap, "%s", labels[i].label);
            return;
        }
    }
    const term_setting_info *info = term_setting_info_of(id);
    if (!info) {
        snprintf(buf, cap, "?");
        return;
    }
    /* auto-switch slots: "auto_switch_N_time" */
    const char *p = strstr(info->name, "_time");
    if (strncmp(info->name, "auto_switch_", 12) == 0)
        snprintf(buf, cap, "%s", p ? "Time" : strstr(info->name, "_state") ? "Name" : "State");
    else
        snprintf(buf, cap, "%s", info->name);
}

/* ------------------------------------------------------------------------ */
/* The registry                                                             */
/* ------------------------------------------------------------------------ */

int app_scene_open(term_app *app, scene_kind kind, int arg, int arg2)
{
    if ((unsigned)kind >= SC_COUNT) return -1;
    scene *s = app_push(app, kind, TERM_SCR_MESSAGE, NULL);
    s->arg = arg;
    s->arg2 = arg2;
    const scene_ops *ops = app->scenes->ops[kind];
    if (ops->enter && ops->enter(app, s) != 0) {
        app_pop(app);
        return -1;
    }
    return 0;
}

void app_complete(term_app *app, const scene *done, const scene_result *r)
{
    scene copy = *done; /* the scene's slot is reused by whatever the owner opens next */
    app_pop(app);
    if ((unsigned)copy.purpose < P_COUNT) app->scenes->done[copy.purpose](app, &copy, r);
}

void app_action(term_app *app, int action)
{
    if (action > A_NONE && action < A_COUNT) app->scenes->action[action](app, action);
}

void app_users_changed(term_app *app)
{
    app->users_version++;
}
