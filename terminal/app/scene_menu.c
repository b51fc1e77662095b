/*
 * scene_menu.c - the menu tree (manual 3), settings editors, Comm. (manual
 * 5) and System (manual 6).
 */
#include <stdlib.h>

#include "term_app_internal.h"

#define MENU(id_, title_, ...)                                                                                         \
    {                                                                                                                  \
        id_, title_,                                                                                                   \
        {                                                                                                              \
            __VA_ARGS__                                                                                                \
        }                                                                                                              \
    }
#define SUB(m, l)                                                                                                      \
    {                                                                                                                  \
        IT_MENU, m, l                                                                                                  \
    }
#define SET(s)                                                                                                         \
    {                                                                                                                  \
        IT_SETTING, TERM_SETTING_##s, ""                                                                               \
    }
#define ACT(a, l)                                                                                                      \
    {                                                                                                                  \
        IT_ACTION, a, l                                                                                                \
    }

typedef struct menu_def {
    term_scr_id id;
    const char *title;
    menu_item items[APP_MENU_ITEMS];
} menu_def;

static const menu_def menus[M_COUNT] = {
    [M_MAIN] = MENU(TERM_SCR_MAIN_MENU, "Main Menu", SUB(M_USER, "User Mgt."), SUB(M_COMM, "Comm."),
                    SUB(M_SYSTEM, "System"), SUB(M_DATA, "Data Mgt."), ACT(A_RECORD, "Record"),
                    SUB(M_AUTOTEST, "Autotest"), SUB(M_SYSINFO, "Sys. Info.")),
    [M_USER] = MENU(TERM_SCR_USER_MENU, "User Mgt.", ACT(A_NEW_USER, "New User"), ACT(A_ALL_USERS, "All Users")),
    [M_COMM] = MENU(TERM_SCR_COMM_MENU, "Comm.", ACT(A_WIFI, "Wi-Fi Setting"), SUB(M_SERVER, "Cloud Server Setting")),
    [M_IP] =
        MENU(TERM_SCR_IP_SETTINGS, "Advanced", SET(DHCP), SET(IP_ADDRESS), SET(SUBNET_MASK), SET(GATEWAY), SET(DNS)),
    [M_SERVER] = MENU(TERM_SCR_SERVER, "Cloud Server Setting", SET(SERVER_ADDRESS),
                      ACT(A_SERVER_STATUS, "Connection Status"), SET(UPLOAD_ATT_ALWAYS), SET(SERVER_PIN_REMOVAL)),
    [M_SYSTEM] = MENU(TERM_SCR_SYSTEM_MENU, "System", SUB(M_DATETIME, "Date/Time"), SUB(M_ATT, "Attendance"),
                      SUB(M_FP, "Fingerprint"), SUB(M_VOICE, "Voice"), ACT(A_AUTO_SWITCH, "Auto Switch"),
                      SUB(M_SECURITY, "Security Setting"), SUB(M_USB, "USB"), SUB(M_UPDATE, "Update"),
                      ACT(A_RESET, "Reset Opts.")),
    [M_DATETIME] = MENU(TERM_SCR_DATE_TIME, "Date/Time", ACT(A_SET_DATE, "Set Date"), ACT(A_SET_TIME, "Set Time"),
                        SET(TIME_24H), SET(DATE_FORMAT), SET(DST_ENABLE), SUB(M_DST, "Daylight Saving Setup")),
    [M_DST] = MENU(TERM_SCR_DST, "DST", SET(DST_START_DATE), SET(DST_START_TIME), SET(DST_END_DATE), SET(DST_END_TIME)),
    [M_ATT] = MENU(TERM_SCR_ATTENDANCE, "Attendance", SET(DUP_PUNCH_PERIOD), SET(ALNUM_USER_ID), SET(LOG_ALERT),
                   SET(AUTH_TIMEOUT), SET(MENU_TIMEOUT)),
    [M_FP] = MENU(TERM_SCR_FP_SETTINGS, "Fingerprint", SET(THRESHOLD_1_1), SET(THRESHOLD_1_N), SET(SENSITIVITY),
                  SET(RETRY_1_1), SET(FP_IMAGE)),
    [M_VOICE] = MENU(TERM_SCR_VOICE, "Voice", SET(VOICE_PROMPT), SET(KEY_VOICE), SET(VOLUME)),
    [M_SECURITY] = MENU(TERM_SCR_SECURITY, "Security Setting", SET(SECURITY_PROMPTS)),
    [M_USB] = MENU(TERM_SCR_USB, "USB", SET(DEVELOPER_MODE), ACT(A_USB_UPGRADE, "USB Upgrade")),
    [M_UPDATE] = MENU(TERM_SCR_UPDATE, "Update", SET(ONLINE_UPDATE), ACT(A_CHECK_UPDATE, "Check for Updates")),
    [M_DATA] = MENU(TERM_SCR_DATA_MENU, "Data Mgt.", ACT(A_DEL_ATTLOG, "Delete Attlog")),
    [M_AUTOTEST] = MENU(TERM_SCR_AUTOTEST_MENU, "Autotest", ACT(A_TEST_ALL, "Test All"), ACT(A_TEST_LCD, "Test LCD"),
                        ACT(A_TEST_VOICE, "Test Voice"), ACT(A_TEST_KEYBOARD, "Test Keyboard"),
                        ACT(A_TEST_SENSOR, "Test Fingerprint Sensor"), ACT(A_TEST_RTC, "Test Clock RTC")),
    [M_SYSINFO] = MENU(TERM_SCR_SYSINFO_MENU, "Sys. Info.", ACT(A_CAPACITY, "Device Capacity"),
                       ACT(A_DEVINFO, "Device Info"), ACT(A_FWINFO, "Firmware Info"), ACT(A_PRIVACY, "Privacy Policy")),
    [M_SLOT] = MENU(TERM_SCR_AUTO_SWITCH_SLOT, "Auto Switch"),
    [M_USER_DELETE] =
        MENU(TERM_SCR_USER_EDIT, "Delete", ACT(A_DEL_USER, "Delete User"), ACT(A_DEL_FINGERS, "Delete Fingerprints"),
             ACT(A_DEL_CARD, "Delete Card"), ACT(A_DEL_PIN, "Delete Password")),
    [M_RECOVERY] =
        MENU(TERM_SCR_RECOVERY, "Recovery", ACT(A_EXPORT_USB, "Export to USB"), ACT(A_RESTORE, "Restore from Server")),
};

/* The value column of a setting row. */
static void setting_value(const term_app *app, term_setting_id id, char *buf, size_t cap, uint8_t *toggle)
{
    const term_setting_info *info = term_setting_info_of(id);
    *toggle = 0;
    if (!info) {
        snprintf(buf, cap, "?");
        return;
    }
    int64_t v = term_settings_get(&app->settings, id);
    if (info->type == TERM_SET_BOOL) {
        *toggle = v ? 2 : 1;
        snprintf(buf, cap, "%s", v ? "on" : "off");
        return;
    }
    if (info->type == TERM_SET_INT && info->zero_off && v == 0) {
        snprintf(buf, cap, "%s", id == TERM_SETTING_DUP_PUNCH_PERIOD ? "None" : "Disable");
        return;
    }
    if (id == TERM_SETTING_WIFI_PASSWORD) {
        size_t n = strlen(term_settings_get_text(&app->settings, id));
        snprintf(buf, cap, "%s", n ? "********" : "");
        return;
    }
    char text[160];
    if (term_settings_format(&app->settings, id, text, sizeof(text)) != TERM_OK) text[0] = '\0';
    snprintf(buf, cap, "%s", text);
}

static void menu_fill(scene *s, int menu)
{
    const menu_def *d = &menus[menu];
    s->arg = menu;
    s->item_count = 0;
    /* the table's unused rows are zero: an IT_MENU row without a label ends the list */
    for (size_t i = 0; i < APP_MENU_ITEMS; i++) {
        if (d->items[i].kind == IT_MENU && d->items[i].label[0] == '\0') break;
        menu_item *it = &s->items[s->item_count++];
        *it = d->items[i];
        if (it->kind == IT_SETTING) setting_label((term_setting_id)it->arg, it->label, sizeof(it->label));
    }
}

/* A menu of the table: arg is its id. */
static int menu_enter(term_app *app, scene *s)
{
    (void)app;
    if (s->arg < 0 || s->arg >= M_COUNT) return -1;
    s->id = menus[s->arg].id;
    APP_COPY(s->title, menus[s->arg].title);
    menu_fill(s, s->arg);
    return 0;
}

static void menu_open(term_app *app, int menu)
{
    app_scene_open(app, SC_MENU, menu, 0);
}

/* Items hidden by the state of another setting (manual 6.6: USB Upgrade is hidden in developer mode). */
static int item_hidden(const term_app *app, const scene *s, const menu_item *it)
{
    (void)s;
    if (it->kind == IT_ACTION && it->arg == A_SERVER_STATUS) return app->sync_port == NULL; /* no engine */
    /* personal data leaves the device only for an administrator who verified (docs/terminal.md, "Recovery") */
    if (it->kind == IT_ACTION && it->arg == A_EXPORT_USB) return !app->recovery_auth || app->store == NULL;
    return it->kind == IT_ACTION && it->arg == A_USB_UPGRADE &&
           term_settings_get(&app->settings, TERM_SETTING_DEVELOPER_MODE);
}

static int item_disabled(const term_app *app, const menu_item *it)
{
    if (it->kind != IT_SETTING) return 0;
    switch (it->arg) {
    case TERM_SETTING_IP_ADDRESS:
    case TERM_SETTING_SUBNET_MASK:
    case TERM_SETTING_GATEWAY:
    case TERM_SETTING_DNS:
        return term_settings_get(&app->settings, TERM_SETTING_DHCP) != 0; /* manual 5.1 */
    default:
        return 0;
    }
}

/* Visible items in order, as indices into s->items. */
static size_t visible(const term_app *app, const scene *s, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < s->item_count; i++)
        if (!item_hidden(app, s, &s->items[i])) idx[n++] = i;
    return n;
}

static void menu_render(term_app *app, const scene *s, term_screen_model *m)
{
    if (app->admin_reminder && app->depth == 1) APP_COPY(m->hint, "Please set an administrator");
    size_t idx[APP_MENU_ITEMS];
    size_t n = visible(app, s, idx);
    m->kind = TERM_BODY_LIST;
    term_scr_list *l = &m->body.list;
    l->total = (uint32_t)n;
    l->selected = s->sel < n ? s->sel : 0;
    l->first = s->first;
    for (size_t k = s->first; k < n && l->count < TERM_SCR_LIST_ROWS; k++) {
        const menu_item *it = &s->items[idx[k]];
        term_scr_list_item *li = &l->items[l->count++];
        APP_COPY(li->text, it->label);
        if (it->kind == IT_SETTING)
            setting_value(app, (term_setting_id)it->arg, li->value, sizeof(li->value), &li->toggle);
        li->disabled = (uint8_t)item_disabled(app, it);
    }
}

static void edit_setting(term_app *app, term_setting_id id);

static void menu_key(term_app *app, scene *s, term_key key)
{
    size_t idx[APP_MENU_ITEMS];
    size_t n = visible(app, s, idx);
    if (key == TERM_KEY_ESC) {
        app_pop(app);
        return;
    }
    if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, (uint32_t)n, key, 7);
        return;
    }
    uint32_t pick = s->sel;
    if (key >= TERM_KEY_0 + 1 && key <= TERM_KEY_9) {
        /* digit n opens the n-th item, as on the device's numbered menus */
        pick = (uint32_t)(key - TERM_KEY_0 - 1);
        if (pick >= n) return;
        s->sel = pick;
    } else if (key != TERM_KEY_OK) {
        return;
    }
    if (pick >= n) return;
    menu_item it = s->items[idx[pick]];
    if (item_disabled(app, &it)) return;
    switch (it.kind) {
    case IT_MENU:
        menu_open(app, it.arg);
        break;
    case IT_SETTING:
        edit_setting(app, (term_setting_id)it.arg);
        break;
    case IT_ACTION:
        app_action(app, it.arg); /* run by the module that owns it (scene_config.h) */
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */
/* ------------------------------------------------------------------------ */

static term_status store_setting_text(term_app *app, term_setting_id id, const char *text, int dhcp_off)
{
    const term_setting_info *info = term_setting_info_of(id);
    term_settings next = app->settings;
    term_status st = term_settings_parse(&next, info->name, text);
    if (st == TERM_OK && dhcp_off) st = term_settings_set_num(&next, TERM_SETTING_DHCP, 0);
    if (st != TERM_OK) {
        app->last_status = st;
        char range[TERM_SCR_TEXT] = "";
        if (info->type == TERM_SET_INT)
            snprintf(range, sizeof(range), info->zero_off ? "Valid: 0 or %lld-%lld" : "Valid: %lld-%lld",
                     (long long)info->min, (long long)info->max);
        app_message(app, TERM_ICON_FAIL, "Not saved", term_status_message(st), range[0] ? range : NULL);
        return st;
    }
    char what[TERM_SCR_TEXT * 2];
    snprintf(what, sizeof(what), "%s=%s", info->name, id == TERM_SETTING_WIFI_PASSWORD ? "***" : text);
    return app_save_settings(app, &next, what);
}

static term_status store_setting_num(term_app *app, term_setting_id id, int64_t v)
{
    const term_setting_info *info = term_setting_info_of(id);
    term_settings next = app->settings;
    term_status st = term_settings_set_num(&next, id, v);
    if (st != TERM_OK) {
        app->last_status = st;
        app_message(app, TERM_ICON_FAIL, "Not saved", term_status_message(st), NULL);
        return st;
    }
    char what[TERM_SCR_TEXT * 2], text[160];
    if (term_settings_format(&next, id, text, sizeof(text)) != TERM_OK) text[0] = '\0';
    snprintf(what, sizeof(what), "%s=%s", info->name, text);
    return app_save_settings(app, &next, what);
}

static void edit_setting(term_app *app, term_setting_id id)
{
    const term_setting_info *info = term_setting_info_of(id);
    if (!info) return;
    char label[TERM_SCR_TEXT];
    setting_label(id, label, sizeof(label));
    int64_t v = term_settings_get(&app->settings, id);
    switch (info->type) {
    case TERM_SET_BOOL:
        if (id == TERM_SETTING_DHCP && v && term_settings_get(&app->settings, TERM_SETTING_IP_ADDRESS) == 0) {
            /* manual 5.1: without DHCP the address is set by hand, so ask for it now and save both together */
            scene *f = app_field(app, P_SETTING, TERM_SETTING_IP_ADDRESS, TERM_SCR_TEXT_INPUT, "IP Address",
                                 "IP Address", 24, 1, "");
            f->arg2 = 1;
            APP_COPY(f->hint, "12 digits, e.g. 192168001010");
            return;
        }
        if (id == TERM_SETTING_ONLINE_UPDATE && !v &&
            term_settings_get(&app->settings, TERM_SETTING_SECURITY_PROMPTS)) {
            /* manual 6.7: turning it on warns of the risk and asks to confirm */
            app_confirm(app, P_ONLINE_UPDATE_ON, id, "Update", "Online update may bring data security risks.",
                        "Enable anyway?");
            return;
        }
        if (store_setting_num(app, id, !v) == TERM_OK) {
            if (id == TERM_SETTING_WIFI_ENABLE && app->cfg.hal.network.enable)
                app->cfg.hal.network.enable(app->cfg.hal.network.ctx, !v);
            if (id == TERM_SETTING_UPLOAD_ATT_ALWAYS) app_sync_changed(app, 0); /* held records go at the next tick */
        }
        return;
    case TERM_SET_CHOICE: {
        scene *s = app_push(app, SC_CHOICE, TERM_SCR_CHOICE, label);
        s->purpose = P_SETTING;
        s->arg = id;
        for (uint32_t i = 0; i < info->nchoices && i < APP_CHOICES; i++)
            APP_COPY(s->choices[s->choice_count++], info->choices[i]);
        s->sel = (uint32_t)v;
        if (s->sel >= 6) s->first = s->sel - 5;
        return;
    }
    default: {
        char text[160] = "";
        if (!(info->type == TERM_SET_INT && info->zero_off && v == 0) && id != TERM_SETTING_WIFI_PASSWORD)
            if (term_settings_format(&app->settings, id, text, sizeof(text)) != TERM_OK) text[0] = '\0';
        int letters = info->type == TERM_SET_TEXT || info->type == TERM_SET_URL || info->type == TERM_SET_IPV4 ||
                      info->type == TERM_SET_NETMASK;
        size_t max = (info->type == TERM_SET_TEXT || info->type == TERM_SET_URL) ? (size_t)info->max : 24;
        if (max > TERM_T9_MAX) max = TERM_T9_MAX;
        scene *s = app_field(app, P_SETTING, id, TERM_SCR_TEXT_INPUT, label, label, max, letters, text);
        s->masked = id == TERM_SETTING_WIFI_PASSWORD;
        s->fresh = !letters || info->type == TERM_SET_IPV4 || info->type == TERM_SET_NETMASK;
        if (info->type == TERM_SET_INT)
            snprintf(s->hint, sizeof(s->hint), info->zero_off ? "0 or %lld-%lld" : "%lld-%lld", (long long)info->min,
                     (long long)info->max);
        else if (info->type == TERM_SET_TIME)
            APP_COPY(s->hint, "HH:MM (4 digits)");
        else if (info->type == TERM_SET_MONTHDAY)
            APP_COPY(s->hint, "MM-DD (4 digits)");
        else if (info->type == TERM_SET_IPV4 || info->type == TERM_SET_NETMASK)
            APP_COPY(s->hint, "12 digits, e.g. 192168001010");
        return;
    }
    }
}

/*
 * Values typed on the keypad: four digits "0830" mean 08:30 (a time) or
 * 08-30 (a month-day), and twelve digits "192168001010" mean 192.168.1.10,
 * so these can be entered without the symbol page. Text that already has
 * its separators is taken as typed.
 */
static void normalise(term_setting_type type, const char *in, char *out, size_t cap)
{
    size_t n = strlen(in);
    int digits = 1;
    for (size_t i = 0; i < n; i++)
        if (in[i] < '0' || in[i] > '9') digits = 0;
    if (digits && n == 4 && type == TERM_SET_TIME) {
        snprintf(out, cap, "%.2s:%.2s", in, in + 2);
        return;
    }
    if (digits && n == 4 && type == TERM_SET_MONTHDAY) {
        snprintf(out, cap, "%.2s-%.2s", in, in + 2);
        return;
    }
    if (digits && n == 12 && (type == TERM_SET_IPV4 || type == TERM_SET_NETMASK)) {
        /* twelve digits: four groups of three, "192168001010" */
        int a = (in[0] - '0') * 100 + (in[1] - '0') * 10 + (in[2] - '0');
        int b = (in[3] - '0') * 100 + (in[4] - '0') * 10 + (in[5] - '0');
        int c = (in[6] - '0') * 100 + (in[7] - '0') * 10 + (in[8] - '0');
        int d = (in[9] - '0') * 100 + (in[10] - '0') * 10 + (in[11] - '0');
        snprintf(out, cap, "%d.%d.%d.%d", a, b, c, d);
        return;
    }
    snprintf(out, cap, "%s", in);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */
/* ------------------------------------------------------------------------ */

/* A request handed to the sync worker: this screen stays until its outcome comes (menu_sync_outcome). */
static void sync_wait(term_app *app, int outcome, const char *title, const char *text)
{
    app_message(app, TERM_ICON_INFO, title, text, NULL);
    scene *s = app_top(app);
    s->purpose = P_SYNC_WAIT;
    s->arg = outcome;
}

/* The worker's outcome for the waiting message s (already popped). */
static void sync_outcome(term_app *app, const scene *s)
{
    int r = app->sync_outcome_ret, usb = s->arg == APP_OUTCOME_USB;
    app->sync_outcome = APP_OUTCOME_NONE;
    if (r > 0) {
        app_message(app, TERM_ICON_OK, usb ? "USB Upgrade" : "Update", "New firmware verified and staged",
                    "Restart the device to install it");
    } else if (usb) {
        app_message(app, TERM_ICON_FAIL, "USB Upgrade", "Upgrade file refused", app->sync_outcome_why);
    } else if (r < 0) {
        app_message(app, TERM_ICON_FAIL, "Update", "Query failed", NULL);
    } else {
        app_message(app, TERM_ICON_OK, "Update", "The firmware is already the latest version", app->cfg.info.firmware);
    }
}

/* The menu's own actions (scene_config.h); the others go to their owners through app_action. */
void menu_action(term_app *app, int action)
{
    switch (action) {
    case A_WIFI:
        app_scene_open(app, SC_WIFI, 0, 0);
        return;
    case A_SET_DATE:
        app_spinner(app, P_SET_DATE, TERM_SCR_SPINNER, "Set Date", "date", app->now_wall);
        return;
    case A_SET_TIME:
        app_spinner(app, P_SET_TIME, TERM_SCR_SPINNER, "Set Time", "time", app->now_wall);
        return;
    case A_AUTO_SWITCH:
        app_push(app, SC_AUTO_SWITCH, TERM_SCR_AUTO_SWITCH, "Auto Switch");
        return;
    case A_USB_UPGRADE: {
        term_hal_link link;
        memset(&link, 0, sizeof(link));
        if (app->cfg.hal.network.link) app->cfg.hal.network.link(app->cfg.hal.network.ctx, &link);
        char why[96] = "";
        int r = 0;
        app->sync_outcome = APP_OUTCOME_NONE;
        if (link.usb_present && link.usb_path[0] && app->sync_port)
            r = app->sync_port->usb_upgrade(app, link.usb_path, why, sizeof why);
        if (!link.usb_present)
            app_message(app, TERM_ICON_FAIL, "USB Upgrade", "PenDrive not found", NULL);
        else if (r > 0)
            sync_wait(app, APP_OUTCOME_USB, "USB Upgrade", "Verifying the upgrade file...");
        else if (r < 0)
            app_message(app, TERM_ICON_FAIL, "USB Upgrade", "Upgrade file refused", why);
        else
            app_message(app, TERM_ICON_FAIL, "USB Upgrade", "No upgrade file found on the drive", NULL);
        return;
    }
    case A_CHECK_UPDATE: {
        term_hal_link link;
        memset(&link, 0, sizeof(link));
        if (app->cfg.hal.network.link) app->cfg.hal.network.link(app->cfg.hal.network.ctx, &link);
        if (!term_settings_get(&app->settings, TERM_SETTING_ONLINE_UPDATE)) {
            app_message(app, TERM_ICON_INFO, "Update", "Enable Firmware Update Online first", NULL);
        } else if (app->sync_port) {
            /* the sync worker polls the server now; an UPGRADE waiting there is fetched, verified, staged */
            app->sync_outcome = APP_OUTCOME_NONE;
            app->sync_port->check_update(app);
            sync_wait(app, APP_OUTCOME_CHECK, "Update", "Checking for updates...");
        } else if (!link.server_connected)
            app_message(app, TERM_ICON_FAIL, "Update", "Query failed", NULL);
        else
            app_message(app, TERM_ICON_OK, "Update", "The firmware is already the latest version",
                        app->cfg.info.firmware);
        return;
    }
    case A_RESET:
        app_confirm(app, P_FACTORY_RESET, 0, "Reset Opts.", "Restore the factory settings?",
                    "Users, records and the clock are kept.");
        return;
    case A_WIFI_ADD:
        app_field(app, P_WIFI_SSID, 0, TERM_SCR_TEXT_INPUT, "Add Wi-Fi Network", "SSID", 32, 1, "");
        return;
    case A_SERVER_STATUS: {
        char lines[APP_STATUS_LINES][TERM_SCR_TEXT];
        size_t n = app->sync_port ? app->sync_port->status(app, lines) : 0;
        app_message(app, TERM_ICON_INFO, "Connection Status", n > 0 ? lines[0] : "", n > 1 ? lines[1] : NULL);
        scene *s = app_top(app);
        for (size_t i = 2; i < n && s->line_count < TERM_SCR_LINES; i++) APP_COPY(s->lines[s->line_count++], lines[i]);
        return;
    }
    default:
        return;
    }
}

/* Completion of the fields, choices, confirmations and waiting messages opened here. */
void menu_done(term_app *app, const scene *s, const scene_result *r)
{
    const char *text = r ? r->text : NULL;
    int choice = r ? r->choice : -1;
    switch (s->purpose) {
    case P_SYNC_WAIT:
        sync_outcome(app, s);
        return;
    case P_SETTING: {
        const term_setting_info *info = term_setting_info_of((term_setting_id)s->arg);
        if (s->kind == SC_CHOICE) {
            if (s->arg == TERM_SETTING_FP_IMAGE && choice != TERM_FP_IMAGE_NONE &&
                term_settings_get(&app->settings, TERM_SETTING_SECURITY_PROMPTS)) {
                /* manual 6.3: "there are security prompts when switching" */
                app_confirm(app, P_FP_IMAGE_CHOICE, choice, "Fingerprint Image",
                            "Showing fingerprint images may expose biometric data.", "Continue?");
                return;
            }
            store_setting_num(app, (term_setting_id)s->arg, choice);
            return;
        }
        char norm[TERM_T9_MAX + 8];
        normalise(info->type, text ? text : "", norm, sizeof(norm));
        if (info->type == TERM_SET_INT && norm[0] == '\0') snprintf(norm, sizeof(norm), "0");
        store_setting_text(app, (term_setting_id)s->arg, norm, s->arg2 == 1);
        return;
    }
    case P_FP_IMAGE_CHOICE:
        store_setting_num(app, TERM_SETTING_FP_IMAGE, s->arg);
        return;
    case P_ONLINE_UPDATE_ON:
        store_setting_num(app, TERM_SETTING_ONLINE_UPDATE, 1);
        return;
    case P_FACTORY_RESET: {
        char old_server[TERM_SETTING_TEXT_MAX + 1];
        APP_COPY(old_server, term_settings_get_text(&app->settings, TERM_SETTING_SERVER_ADDRESS));
        term_status st = term_store_factory_reset(app->store);
        if (st == TERM_OK) st = term_store_settings_load(app->store, &app->settings);
        app->last_status = st;
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "Reset Opts.", term_status_message(st), NULL);
            return;
        }
        app_oplog(app, TERM_OP_FACTORY_RESET, "");
        if (app->cfg.hal.network.enable) /* the radio follows the restored Wi-Fi setting */
            app->cfg.hal.network.enable(app->cfg.hal.network.ctx,
                                        (int)term_settings_get(&app->settings, TERM_SETTING_WIFI_ENABLE));
        if (app->cfg.hal.audio.set_volume)
            app->cfg.hal.audio.set_volume(app->cfg.hal.audio.ctx,
                                          (uint32_t)term_settings_get(&app->settings, TERM_SETTING_VOLUME));
        if (app->cfg.hooks.settings_changed) app->cfg.hooks.settings_changed(app->cfg.hooks.ctx);
        const char *server = term_settings_get_text(&app->settings, TERM_SETTING_SERVER_ADDRESS);
        if (app->sync_port && strcmp(server, old_server) != 0) app->sync_port->server_changed(app);
        app_message(app, TERM_ICON_OK, "Reset Opts.", "Factory settings restored", NULL);
        return;
    }
    case P_WIFI_SSID:
        if (!text || !text[0]) return;
        APP_COPY(app->join_ssid, text);
        {
            scene *f = app_field(app, P_WIFI_PASSWORD, 0, TERM_SCR_TEXT_INPUT, app->join_ssid, "Password", 63, 1, "");
            f->masked = 1;
        }
        return;
    case P_WIFI_PASSWORD: {
        const term_hal_network *net = &app->cfg.hal.network;
        term_status st = net->join ? net->join(net->ctx, app->join_ssid, text ? text : "") : TERM_ERR_NOT_FOUND;
        app->last_status = st;
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "Wi-Fi", st == TERM_NO_MATCH ? "Wrong password" : "Network not found",
                        app->join_ssid);
            return;
        }
        term_settings next = app->settings;
        st = term_settings_set_text(&next, TERM_SETTING_WIFI_SSID, app->join_ssid);
        if (st == TERM_OK) st = term_settings_set_text(&next, TERM_SETTING_WIFI_PASSWORD, text ? text : "");
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "Wi-Fi", term_status_message(st), NULL);
            return;
        }
        char what[80];
        snprintf(what, sizeof(what), "wifi_ssid=%s", app->join_ssid);
        if (app_save_settings(app, &next, what) == TERM_OK)
            app_message(app, TERM_ICON_OK, "Wi-Fi", "Connected", app->join_ssid);
        return;
    }
    default:
        return;
    }
}

/* ------------------------------------------------------------------------ */
/* Wi-Fi (manual 1.4, 5.1)                                                  */
/* ------------------------------------------------------------------------ */

static int wifi_enter(term_app *app, scene *s)
{
    s->id = TERM_SCR_WIFI;
    APP_COPY(s->title, "Wi-Fi Setting");
    const term_hal_network *net = &app->cfg.hal.network;
    app->ssid_count = net->scan ? net->scan(net->ctx, app->ssids, APP_SSIDS) : 0;
    return 0;
}

/* Rows: Wi-Fi toggle, the networks found, Add Wi-Fi Network, Advanced. */
static void wifi_render(term_app *app, const scene *s, term_screen_model *m)
{
    m->kind = TERM_BODY_LIST;
    term_scr_list *l = &m->body.list;
    int on = (int)term_settings_get(&app->settings, TERM_SETTING_WIFI_ENABLE);
    size_t nets = on ? app->ssid_count : 0;
    l->total = (uint32_t)(nets + 3);
    l->selected = s->sel;
    l->first = s->first;
    term_hal_link link;
    memset(&link, 0, sizeof(link));
    if (app->cfg.hal.network.link) app->cfg.hal.network.link(app->cfg.hal.network.ctx, &link);
    for (uint32_t i = s->first; i < l->total && l->count < TERM_SCR_LIST_ROWS; i++) {
        term_scr_list_item *it = &l->items[l->count++];
        if (i == 0) {
            APP_COPY(it->text, "Wi-Fi");
            it->toggle = on ? 2 : 1;
        } else if (i <= nets) {
            APP_COPY(it->text, app->ssids[i - 1]);
            if (link.wifi_connected && strcmp(link.ssid, app->ssids[i - 1]) == 0) APP_COPY(it->value, "Connected");
        } else if (i == nets + 1) {
            APP_COPY(it->text, "Add Wi-Fi Network");
        } else {
            APP_COPY(it->text, "Advanced");
        }
    }
}

static void wifi_key(term_app *app, scene *s, term_key key)
{
    int on = (int)term_settings_get(&app->settings, TERM_SETTING_WIFI_ENABLE);
    size_t nets = on ? app->ssid_count : 0;
    uint32_t total = (uint32_t)(nets + 3);
    if (key == TERM_KEY_ESC) {
        app_pop(app);
        return;
    }
    if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, total, key, 7);
        return;
    }
    if (key != TERM_KEY_OK) return;
    if (s->sel == 0) {
        if (store_setting_num(app, TERM_SETTING_WIFI_ENABLE, !on) == TERM_OK) {
            const term_hal_network *net = &app->cfg.hal.network;
            if (net->enable) net->enable(net->ctx, !on);
            app->ssid_count = net->scan ? net->scan(net->ctx, app->ssids, APP_SSIDS) : 0;
            s->sel = 0;
            s->first = 0;
        }
    } else if (s->sel <= nets) {
        APP_COPY(app->join_ssid, app->ssids[s->sel - 1]);
        scene *f = app_field(app, P_WIFI_PASSWORD, 0, TERM_SCR_TEXT_INPUT, app->join_ssid, "Password", 63, 1, "");
        f->masked = 1;
    } else if (s->sel == nets + 1) {
        menu_action(app, A_WIFI_ADD);
    } else {
        menu_open(app, M_IP);
    }
}

/* ------------------------------------------------------------------------ */
/* Auto switch (manual 6.5)                                                 */
/* ------------------------------------------------------------------------ */

static term_setting_id slot_setting(int slot, const char *what)
{
    char name[48];
    term_setting_id id = TERM_SETTING_COUNT;
    snprintf(name, sizeof(name), "auto_switch_%d_%s", slot, what);
    if (term_setting_find(name, &id) != TERM_OK) return TERM_SETTING_COUNT;
    return id;
}

static void autoswitch_render(term_app *app, const scene *s, term_screen_model *m)
{
    m->kind = TERM_BODY_TABLE;
    term_scr_table *t = &m->body.table;
    t->col_count = 4;
    APP_COPY(t->header[0], "ID");
    APP_COPY(t->header[1], "Time");
    APP_COPY(t->header[2], "Name");
    APP_COPY(t->header[3], "State");
    t->total = TERM_AUTO_SWITCH_SLOTS;
    t->first = s->first;
    t->selected = s->sel;
    for (uint32_t i = s->first; i < TERM_AUTO_SWITCH_SLOTS && t->row_count < 5; i++) {
        int slot = (int)i + 1;
        snprintf(t->rows[t->row_count][0], TERM_SCR_SHORT, "%d", slot);
        if (term_settings_format(&app->settings, slot_setting(slot, "time"), t->rows[t->row_count][1],
                                 TERM_SCR_SHORT) != TERM_OK)
            t->rows[t->row_count][1][0] = '\0';
        term_punch_state ps = (term_punch_state)term_settings_get(&app->settings, slot_setting(slot, "state"));
        APP_COPY(t->rows[t->row_count][2], ps == TERM_PUNCH_NONE ? "" : term_punch_state_name(ps));
        APP_COPY(t->rows[t->row_count][3],
                 term_settings_get(&app->settings, slot_setting(slot, "enable")) ? "on" : "off");
        t->row_count++;
    }
    snprintf(t->footer[0], sizeof(t->footer[0]), "(%u/%u)", s->sel + 1, TERM_AUTO_SWITCH_SLOTS);
}

static void autoswitch_key(term_app *app, scene *s, term_key key)
{
    if (key == TERM_KEY_ESC) {
        app_pop(app);
    } else if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, TERM_AUTO_SWITCH_SLOTS, key, 5);
    } else if (key == TERM_KEY_OK) {
        int slot = (int)s->sel + 1;
        char title[32];
        snprintf(title, sizeof(title), "Auto Switch %d", slot);
        scene *ms = app_push(app, SC_MENU, TERM_SCR_AUTO_SWITCH_SLOT, title);
        ms->arg = M_SLOT;
        ms->arg2 = slot;
        static const char *const what[3] = {"time", "state", "enable"};
        for (int i = 0; i < 3; i++) {
            menu_item *it = &ms->items[ms->item_count++];
            it->kind = IT_SETTING;
            it->arg = slot_setting(slot, what[i]);
            setting_label((term_setting_id)it->arg, it->label, sizeof(it->label));
        }
    }
}

const scene_ops scene_menu_ops = {.enter = menu_enter, .key = menu_key, .render = menu_render};
const scene_ops scene_wifi_ops = {.enter = wifi_enter, .key = wifi_key, .render = wifi_render};
const scene_ops scene_autoswitch_ops = {.key = autoswitch_key, .render = autoswitch_render};
