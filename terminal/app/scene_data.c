/*
 * scene_data.c - Date/Time setting, Data Mgt. (manual 7), Record (manual
 * 8), Autotest (manual 9) and Sys. Info. (manual 10).
 */
#include <stdlib.h>

#include "term_app_internal.h"

/* ------------------------------------------------------------------------ */
/* Record query (manual 8)                                                  */
/* ------------------------------------------------------------------------ */

static void record_open(term_app *app)
{
    scene *s = app_field(app, P_REC_UID, 0, TERM_SCR_RECORD_USER, "Record", "User ID", TERM_USER_ID_MAX,
                         (int)term_settings_get(&app->settings, TERM_SETTING_ALNUM_USER_ID), "");
    APP_COPY(s->hint, "Empty: all users");
}

static int add_summary(void *ctx, const char *uid, int64_t day, uint32_t count)
{
    term_app *app = ctx;
    if (app->summary_count >= APP_SUMMARY_MAX) return 1; /* the view shows the first rows; the store keeps all */
    summary_row *r = &app->summary[app->summary_count++];
    APP_COPY(r->uid, uid);
    r->day = day;
    r->count = count;
    return 0;
}

/* Rows [first, end) of the user of row `at`. */
static void user_rows(term_app *app, size_t at)
{
    size_t a = at, b = at;
    while (a > 0 && strcmp(app->summary[a - 1].uid, app->summary[at].uid) == 0) a--;
    while (b < app->summary_count && strcmp(app->summary[b].uid, app->summary[at].uid) == 0) b++;
    app->rq_user_first = a;
    app->rq_user_end = b;
}

static size_t user_ordinal(const term_app *app, size_t *count)
{
    size_t users = 0, mine = 0;
    for (size_t i = 0; i < app->summary_count; i++) {
        if (i == 0 || strcmp(app->summary[i - 1].uid, app->summary[i].uid) != 0) {
            users++;
            if (i == app->rq_user_first) mine = users;
        }
    }
    *count = users;
    return mine;
}

static int add_detail(void *ctx, int64_t id, const term_record *rec)
{
    (void)id;
    term_app *app = ctx;
    if (app->detail_count >= APP_DETAIL_MAX) return 1;
    app->detail[app->detail_count++] = *rec;
    return 0;
}

static void footer(term_app *app, term_scr_table *t)
{
    size_t users = 0, mine = user_ordinal(app, &users);
    const char *uid = app->summary[app->rq_user_first].uid;
    snprintf(t->footer[0], sizeof(t->footer[0]), "ID: %s (%zu/%zu)", uid, mine, users);
    term_user_info u;
    if (term_store_user_get(app->store, uid, &u) == TERM_OK)
        snprintf(t->footer[1], sizeof(t->footer[1]), "Name: %s", u.name);
    else
        snprintf(t->footer[1], sizeof(t->footer[1]), "Name: (deleted user)");
}

static void record_render(term_app *app, const scene *s, term_screen_model *m)
{
    m->kind = TERM_BODY_TABLE;
    term_scr_table *t = &m->body.table;
    if (s->kind == SC_REC_SUMMARY) {
        t->col_count = 2;
        APP_COPY(t->header[0], "Date");
        APP_COPY(t->header[1], "Sum");
        size_t n = app->rq_user_end - app->rq_user_first;
        t->total = (uint32_t)n;
        t->first = s->first;
        t->selected = s->sel;
        for (size_t i = s->first; i < n && t->row_count < TERM_SCR_TABLE_ROWS; i++) {
            const summary_row *r = &app->summary[app->rq_user_first + i];
            app_format_datetime(app, r->day * 86400, t->rows[t->row_count][0], TERM_SCR_SHORT, NULL, 0);
            snprintf(t->rows[t->row_count][1], TERM_SCR_SHORT, "%u", r->count);
            t->row_count++;
        }
        footer(app, t);
        return;
    }
    t->col_count = 3;
    APP_COPY(t->header[0], "Time");
    APP_COPY(t->header[1], "VerType");
    APP_COPY(t->header[2], "State");
    t->total = (uint32_t)app->detail_count;
    t->first = s->first;
    t->selected = s->sel;
    for (size_t i = s->first; i < app->detail_count && t->row_count < TERM_SCR_TABLE_ROWS; i++) {
        const term_record *r = &app->detail[i];
        int y, mo, d, h, mi, sec;
        app_civil(r->time, &y, &mo, &d, &h, &mi, &sec);
        snprintf(t->rows[t->row_count][0], TERM_SCR_SHORT, "%02d-%02d %02d:%02d", mo, d, h, mi);
        APP_COPY(t->rows[t->row_count][1], term_verify_type_name(r->verify));
        APP_COPY(t->rows[t->row_count][2], r->state == TERM_PUNCH_NONE ? "None" : term_punch_state_name(r->state));
        t->row_count++;
    }
    footer(app, t);
}

static void record_key(term_app *app, scene *s, term_key key)
{
    if (key == TERM_KEY_ESC) {
        app_pop(app);
        return;
    }
    if (s->kind == SC_REC_SUMMARY) {
        size_t n = app->rq_user_end - app->rq_user_first;
        if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
            app_list_move(&s->sel, &s->first, (uint32_t)n, key, TERM_SCR_TABLE_ROWS);
        } else if (key == TERM_KEY_RIGHT && app->rq_user_end < app->summary_count) {
            user_rows(app, app->rq_user_end); /* next user */
            s->sel = s->first = 0;
        } else if (key == TERM_KEY_LEFT && app->rq_user_first > 0) {
            user_rows(app, app->rq_user_first - 1);
            s->sel = s->first = 0;
        } else if (key == TERM_KEY_OK && s->sel < n) {
            const summary_row *r = &app->summary[app->rq_user_first + s->sel];
            int64_t from = r->day * 86400, to = from + 86399;
            if (from < app->rq_from) from = app->rq_from;
            if (to > app->rq_to) to = app->rq_to;
            app->detail_count = 0;
            term_status st = term_store_record_query(app->store, r->uid, from, to, add_detail, app);
            app->last_status = st;
            if (st != TERM_OK) {
                app_message(app, TERM_ICON_FAIL, "Record", term_status_message(st), NULL);
                return;
            }
            app_push(app, SC_REC_DETAIL, TERM_SCR_RECORD_DETAIL, "Record");
        }
        return;
    }
    if (key == TERM_KEY_UP || key == TERM_KEY_DOWN)
        app_list_move(&s->sel, &s->first, (uint32_t)app->detail_count, key, TERM_SCR_TABLE_ROWS);
}

static void run_query(term_app *app)
{
    app->summary_count = 0;
    term_status st = term_store_record_days(app->store, app->rq_uid[0] ? app->rq_uid : NULL, app->rq_from, app->rq_to,
                                            add_summary, app);
    app->last_status = st;
    if (st != TERM_OK) {
        app_message(app, TERM_ICON_FAIL, "Record", term_status_message(st), NULL);
        return;
    }
    if (app->summary_count == 0) {
        app_message(app, TERM_ICON_INFO, "Record", "No records found", NULL);
        return;
    }
    user_rows(app, 0);
    app_push(app, SC_REC_SUMMARY, TERM_SCR_RECORD_SUMMARY, "Record");
}

/* ------------------------------------------------------------------------ */
/* Autotest (manual 9)                                                      */
/* ------------------------------------------------------------------------ */

static const char *const key_labels[16] = {"0", "1", "2",    "3",   "4", "5", "6", "7",
                                           "8", "9", "M/OK", "ESC", "^", "v", "<", ">"};

static void autotest_render(term_app *app, const scene *s, term_screen_model *m)
{
    switch (s->kind) {
    case SC_LCD:
        m->kind = TERM_BODY_PATTERN;
        m->body.pattern = (term_pattern)s->arg2;
        return;
    case SC_KEYTEST: {
        m->kind = TERM_BODY_KEYTEST;
        term_scr_keytest *k = &m->body.keytest;
        k->key_count = 16;
        for (int i = 0; i < 16; i++) APP_COPY(k->labels[i], key_labels[i]);
        k->pressed = s->keys_pressed;
        k->last = s->last_key;
        APP_COPY(m->hint, "ESC twice to leave");
        return;
    }
    case SC_RTC: {
        m->kind = TERM_BODY_MESSAGE;
        term_scr_message *msg = &m->body.message;
        char d[TERM_SCR_SHORT], t[TERM_SCR_SHORT];
        int y, mo, dd, h, mi, sec;
        app_civil(app->now_wall, &y, &mo, &dd, &h, &mi, &sec);
        app_format_datetime(app, app->now_wall, d, sizeof(d), t, sizeof(t));
        msg->icon = TERM_ICON_INFO;
        snprintf(msg->lines[0], TERM_SCR_TEXT, "%s %02d:%02d:%02d", d, h, mi, sec);
        uint64_t el = s->running ? app->now_ms - s->t0_ms : s->elapsed_ms;
        snprintf(msg->lines[1], TERM_SCR_TEXT, "Stopwatch %02llu:%02llu.%03llu", (unsigned long long)(el / 60000),
                 (unsigned long long)(el / 1000 % 60), (unsigned long long)(el % 1000));
        snprintf(msg->lines[2], TERM_SCR_TEXT, "%s", s->running ? "M/OK to stop" : "M/OK to start");
        msg->line_count = 3;
        return;
    }
    case SC_SENSOR: {
        m->kind = TERM_BODY_MESSAGE;
        term_scr_message *msg = &m->body.message;
        msg->icon = s->icon;
        msg->line_count = s->line_count;
        memcpy(msg->lines, s->lines, sizeof(msg->lines));
        if (app->fp_image_valid && s->arg2) {
            m->fp_image_valid = 1;
            memcpy(m->fp_image, app->fp_image, sizeof(m->fp_image));
        }
        return;
    }
    default:
        return;
    }
}

static void autotest_key(term_app *app, scene *s, term_key key)
{
    switch (s->kind) {
    case SC_LCD:
        if (key == TERM_KEY_ESC) {
            app_pop(app);
        } else if (++s->arg2 > TERM_PATTERN_BLACK) {
            int all = s->arg;
            app_pop(app);
            if (all)
                data_action(app, A_TEST_VOICE);
            else
                app_message(app, TERM_ICON_OK, "Test LCD", "LCD test finished", NULL);
        }
        return;
    case SC_KEYTEST:
        app_voice(app, TERM_VOICE_KEY_BEEP);
        s->keys_pressed |= (uint16_t)(1u << (unsigned)key);
        s->last_key = (int)key;
        if (key == TERM_KEY_ESC) {
            if (++s->esc_count >= 2) app_pop(app);
        } else {
            s->esc_count = 0;
        }
        return;
    case SC_RTC:
        if (key == TERM_KEY_ESC) {
            app_pop(app);
        } else if (key == TERM_KEY_OK) {
            if (s->running) {
                s->elapsed_ms = app->now_ms - s->t0_ms;
                s->running = 0;
            } else {
                s->t0_ms = app->now_ms;
                s->running = 1;
            }
        }
        return;
    case SC_SENSOR:
        if (key == TERM_KEY_ESC || key == TERM_KEY_OK) app_pop(app);
        return;
    default:
        return;
    }
}

static void autotest_finger(term_app *app, scene *s, const fp_template *t, fp_status retry, const fp_extract_info *info)
{
    if (s->kind != SC_SENSOR) return; /* only the sensor test reads the sensor */
    s->line_count = 0;
    if (!t) {
        s->icon = TERM_ICON_WARN;
        APP_COPY(s->lines[s->line_count++], fp_status_message(retry));
        s->arg2 = app->fp_image_valid;
        return;
    }
    s->icon = TERM_ICON_OK;
    s->arg2 = 1; /* the point of the test is to look at the image */
    APP_COPY(s->lines[s->line_count++], "Image captured");
    snprintf(s->lines[s->line_count++], TERM_SCR_TEXT, "Quality %u, %zu minutiae", info->quality,
             fp_template_minutiae_count(t));
}

/* ------------------------------------------------------------------------ */
/* Sys. Info. (manual 10)                                                   */
/* ------------------------------------------------------------------------ */

static void capacity_key(term_app *app, scene *s, term_key key)
{
    (void)s;
    if (key == TERM_KEY_ESC || key == TERM_KEY_OK) app_pop(app);
}

static void capacity_render(term_app *app, const scene *s, term_screen_model *m)
{
    (void)s;
    m->kind = TERM_BODY_TABLE;
    term_scr_table *t = &m->body.table;
    term_store_counts c;
    term_status st = term_store_counts_get(app->store, &c);
    if (st != TERM_OK) {
        m->kind = TERM_BODY_MESSAGE;
        m->body.message.icon = TERM_ICON_FAIL;
        m->body.message.line_count = 1;
        APP_COPY(m->body.message.lines[0], term_status_message(st));
        return;
    }
    const term_device_profile *p = term_store_profile(app->store);
    t->col_count = 3;
    APP_COPY(t->header[0], "Item");
    APP_COPY(t->header[1], "Used");
    APP_COPY(t->header[2], "Max");
    struct {
        const char *name;
        uint32_t used, max;
    } rows[7] = {{"Users", c.users, p->max_users},
                 {"Admins", c.admins, p->max_users},
                 {"Fingerprints", c.fingers, p->max_fingers},
                 {"Cards", c.cards, p->max_cards},
                 {"Passwords", c.pins, p->max_users},
                 {"Attendance", c.records, p->max_records},
                 {"Operation log", c.oplog, p->max_oplog}};
    t->total = 7;
    t->selected = UINT32_MAX;
    for (int i = 0; i < 7; i++) {
        APP_COPY(t->rows[i][0], rows[i].name);
        snprintf(t->rows[i][1], TERM_SCR_SHORT, "%u", rows[i].used);
        snprintf(t->rows[i][2], TERM_SCR_SHORT, "%u", rows[i].max);
    }
    t->row_count = 7;
}

static void info_message(term_app *app, const char *title, const char *const *lines, size_t n)
{
    scene *s = app_push(app, SC_MESSAGE, TERM_SCR_MESSAGE, title);
    s->icon = TERM_ICON_INFO;
    for (size_t i = 0; i < n && i < TERM_SCR_LINES; i++) APP_COPY(s->lines[s->line_count++], lines[i]);
}

/* Data Mgt.'s, Record's, Autotest's and Sys. Info.'s actions (scene_config.h). */
void data_action(term_app *app, int action)
{
    char l[TERM_SCR_LINES][TERM_SCR_TEXT];
    const char *lines[TERM_SCR_LINES];
    for (int i = 0; i < TERM_SCR_LINES; i++) lines[i] = l[i];
    switch (action) {
    case A_DEL_ATTLOG:
        app_confirm(app, P_DELETE_ATTLOG, 0, "Delete Attlog", "Delete all attendance records?", NULL);
        return;
    case A_RECORD:
        record_open(app);
        return;
    case A_TEST_ALL:
    case A_TEST_LCD: {
        scene *s = app_push(app, SC_LCD, TERM_SCR_TEST_LCD, "Test LCD");
        s->arg = action == A_TEST_ALL;
        return;
    }
    case A_TEST_VOICE: {
        /* plays every prompt through the speaker, whatever the Voice Prompt setting */
        const term_hal_audio *a = &app->cfg.hal.audio;
        uint32_t played = 0;
        if (a->play)
            for (int v = TERM_VOICE_THANK_YOU; v <= TERM_VOICE_RECORD_FULL; v++, played++)
                a->play(a->ctx, (term_voice)v);
        snprintf(l[0], TERM_SCR_TEXT, a->play ? "Played %u voice prompts" : "No speaker", played);
        scene *s = app_push(app, SC_MESSAGE, TERM_SCR_TEST_VOICE, "Test Voice");
        s->icon = a->play ? TERM_ICON_OK : TERM_ICON_FAIL;
        APP_COPY(s->lines[s->line_count++], l[0]);
        return;
    }
    case A_TEST_KEYBOARD:
        app_push(app, SC_KEYTEST, TERM_SCR_TEST_KEYBOARD, "Test Keyboard");
        return;
    case A_TEST_SENSOR: {
        scene *s = app_push(app, SC_SENSOR, TERM_SCR_TEST_SENSOR, "Test Fingerprint Sensor");
        s->icon = TERM_ICON_FINGER;
        APP_COPY(s->lines[s->line_count++], "Please press your finger");
        app->fp_image_valid = 0;
        return;
    }
    case A_TEST_RTC:
        app_push(app, SC_RTC, TERM_SCR_TEST_RTC, "Test Clock RTC");
        return;
    case A_CAPACITY:
        app_push(app, SC_TABLE, TERM_SCR_SYSINFO_CAPACITY, "Device Capacity");
        return;
    case A_DEVINFO: {
        const term_app_info *i = &app->cfg.info;
        snprintf(l[0], TERM_SCR_TEXT, "Device Name: %s", i->device_name);
        snprintf(l[1], TERM_SCR_TEXT, "Serial Number: %s", i->serial_number ? i->serial_number : "unknown");
        snprintf(l[2], TERM_SCR_TEXT, "MAC Address: %s", i->mac_address ? i->mac_address : "unknown");
        snprintf(l[3], TERM_SCR_TEXT, "Profile: %s", term_store_profile(app->store)->model);
        info_message(app, "Device Info", lines, 4);
        app_top(app)->id = TERM_SCR_SYSINFO_DEVICE;
        return;
    }
    case A_FWINFO:
        snprintf(l[0], TERM_SCR_TEXT, "Firmware Version: %s", app->cfg.info.firmware);
        snprintf(l[1], TERM_SCR_TEXT, "Fingerprint Engine: native minutiae");
        snprintf(l[2], TERM_SCR_TEXT, "Engine SIMD: %s", fp_simd_level_name(fp_context_simd_level(app->fp)));
        snprintf(l[3], TERM_SCR_TEXT, "Database: SQLCipher (AES-256)");
        info_message(app, "Firmware Info", lines, 4);
        app_top(app)->id = TERM_SCR_SYSINFO_FIRMWARE;
        return;
    case A_PRIVACY:
        snprintf(l[0], TERM_SCR_TEXT, "Biometric data is stored encrypted");
        snprintf(l[1], TERM_SCR_TEXT, "on this device only as templates,");
        snprintf(l[2], TERM_SCR_TEXT, "never as images. Set an administrator");
        snprintf(l[3], TERM_SCR_TEXT, "to protect the menu.");
        info_message(app, "Privacy Policy", lines, 4);
        app_top(app)->id = TERM_SCR_PRIVACY;
        return;
    default:
        return;
    }
}

/* ------------------------------------------------------------------------ */
/* Completion                                                               */
/* ------------------------------------------------------------------------ */

void data_done(term_app *app, const scene *s, const scene_result *r)
{
    const char *text = r ? r->text : NULL;
    const int *spin = r ? r->spin : NULL;
    switch (s->purpose) {
    case P_DELETE_ATTLOG: {
        term_status st = term_store_record_delete_all(app->store);
        app->last_status = st;
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "Delete Attlog", term_status_message(st), NULL);
            return;
        }
        app_oplog(app, TERM_OP_ATTLOG_DELETE, "");
        if (app->cfg.hooks.records_cleared) app->cfg.hooks.records_cleared(app->cfg.hooks.ctx);
        app_message(app, TERM_ICON_OK, "Delete Attlog", "All attendance records deleted", NULL);
        return;
    }
    case P_SET_DATE:
    case P_SET_TIME: {
        if (!spin) return;
        int y, mo, d, h, mi, sec;
        app_civil(app->now_wall, &y, &mo, &d, &h, &mi, &sec);
        if (s->purpose == P_SET_DATE) {
            y = spin[0];
            mo = spin[1];
            d = spin[2];
        } else {
            h = spin[0];
            mi = spin[1];
            sec = spin[2];
        }
        if (d > app_days_in_month(y, mo)) d = app_days_in_month(y, mo);
        const term_hal_clock *c = &app->cfg.hal.clock;
        term_status st =
            c->set_wall ? c->set_wall(c->ctx, app_rtc_from_local(app, app_epoch(y, mo, d, h, mi, sec))) : TERM_ERR_IO;
        app->last_status = st;
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "Date/Time", term_status_message(st), NULL);
            return;
        }
        app->now_wall = app_local_now(app);
        char detail[48];
        snprintf(detail, sizeof(detail), "clock=%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
        app_oplog(app, TERM_OP_SETTINGS_CHANGE, detail);
        return;
    }
    case P_REC_UID: {
        APP_COPY(app->rq_uid, text ? text : "");
        int64_t day0 = app->now_wall - ((app->now_wall % 86400) + 86400) % 86400;
        app_spinner(app, P_REC_FROM, TERM_SCR_SPINNER, "Start Time", "datetime", day0);
        return;
    }
    case P_REC_FROM: {
        if (!spin) return;
        app->rq_from = app_epoch(spin[0], spin[1], spin[2], spin[3], spin[4], 0);
        int64_t day0 = app->rq_from - ((app->rq_from % 86400) + 86400) % 86400;
        app_spinner(app, P_REC_TO, TERM_SCR_SPINNER, "End Time", "datetime", day0 + 86400 - 60);
        return;
    }
    case P_REC_TO:
        if (!spin) return;
        app->rq_to = app_epoch(spin[0], spin[1], spin[2], spin[3], spin[4], 59);
        if (app->rq_to < app->rq_from) {
            app_message(app, TERM_ICON_FAIL, "Record", "End time is before start time", NULL);
            return;
        }
        run_query(app);
        return;
    default:
        return;
    }
}

const scene_ops scene_record_ops = {.key = record_key, .render = record_render};
const scene_ops scene_autotest_ops = {.key = autotest_key, .finger = autotest_finger, .render = autotest_render};
/* the keyboard test beeps for every key itself, ESC included */
const scene_ops scene_keytest_ops = {
    .flags = SCENE_OWN_KEY_BEEP, .key = autotest_key, .finger = autotest_finger, .render = autotest_render};
const scene_ops scene_capacity_ops = {.key = capacity_key, .render = capacity_render};
