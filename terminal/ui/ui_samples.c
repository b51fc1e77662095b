/* ui_samples.c - hand-filled screen models of the manual's main screens (see ui_samples.h). */
#include "ui_samples.h"

#include <stdio.h>
#include <string.h>

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void base(term_screen_model *m, term_scr_id id, const char *title, term_body_kind kind)
{
    memset(m, 0, sizeof *m);
    m->id = id;
    COPY(m->title, title);
    m->kind = kind;
    COPY(m->status.time, "16:43");
    COPY(m->status.date, "2024-10-25");
    m->status.wifi = TERM_LINK_UP;
    m->status.server = TERM_LINK_UP;
}

static void item(term_scr_list *l, const char *text, const char *value, int toggle)
{
    if (l->count >= TERM_SCR_LIST_ROWS) return;
    term_scr_list_item *it = &l->items[l->count++];
    COPY(it->text, text);
    COPY(it->value, value);
    it->toggle = (uint8_t)toggle;
    l->total = l->count;
}

static void msg(term_scr_message *g, term_icon icon, const char *l0, const char *l1, const char *l2, const char *l3)
{
    const char *lines[4] = {l0, l1, l2, l3};
    g->icon = icon;
    for (int i = 0; i < 4; i++)
        if (lines[i]) COPY(g->lines[g->line_count++], lines[i]);
}

static void standby(term_screen_model *m)
{
    base(m, TERM_SCR_STANDBY, "", TERM_BODY_STANDBY);
    m->status.usb = 1;
    COPY(m->status.punch_state, "Check-In");
    COPY(m->body.standby.time, "16:43");
    COPY(m->body.standby.date, "2024-10-25 Friday");
    COPY(m->body.standby.punch_state, "Check-In");
}

static void standby_input(term_screen_model *m)
{
    standby(m);
    m->status.server = TERM_LINK_DOWN;
    m->status.wifi = TERM_LINK_DOWN;
    m->status.usb = 0;
    COPY(m->body.standby.input, "5555");
}

static void wifi_shortcut(term_screen_model *m)
{
    base(m, TERM_SCR_WIFI_SHORTCUT, "Wi-Fi Setting", TERM_BODY_MESSAGE);
    m->status.wifi = TERM_LINK_DOWN;
    m->status.server = TERM_LINK_HIDDEN;
    msg(&m->body.message, TERM_ICON_INFO, "Connect to Wi-Fi", "The device is not connected to a network.",
        "Press M/OK to choose a Wi-Fi network.", NULL);
    m->body.message.button_count = 2;
    COPY(m->body.message.buttons[0], "M/OK");
    COPY(m->body.message.buttons[1], "ESC");
}

static void qr_bind(term_screen_model *m)
{
    base(m, TERM_SCR_QR_BIND, "Bind Device", TERM_BODY_QR);
    m->status.server = TERM_LINK_DOWN;
    COPY(m->body.qr.payload, "CQZ7224560001");
    m->body.qr.line_count = 2;
    COPY(m->body.qr.lines[0], "Scan with the ZKBio Zlink App to bind this device.");
    COPY(m->body.qr.lines[1], "S/N: CQZ7224560001");
}

static void verified(term_screen_model *m, const char *how)
{
    base(m, TERM_SCR_VERIFIED, "Verified", TERM_BODY_MESSAGE);
    COPY(m->status.punch_state, "Check-In");
    char line[TERM_SCR_TEXT];
    snprintf(line, sizeof line, "Check-In 16:43  (%s)", how);
    msg(&m->body.message, TERM_ICON_OK, "Verified!", "ID: 5555", "Name: 66 66", line);
}

static void verified_finger(term_screen_model *m)
{
    verified(m, "FP");
}
static void verified_card(term_screen_model *m)
{
    verified(m, "Card");
}
static void verified_pin(term_screen_model *m)
{
    verified(m, "PW");
}

static void failed_finger(term_screen_model *m)
{
    base(m, TERM_SCR_FAILED, "Verify", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_FAIL, "Failed to verify", "Please press your finger again.",
        "You can attempt verification 2 more times.", NULL);
}

static void failed_card(term_screen_model *m)
{
    base(m, TERM_SCR_FAILED, "Verify", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_FAIL, "Card not registered", "Card: 0012345678", NULL, NULL);
}

static void failed_pin(term_screen_model *m)
{
    base(m, TERM_SCR_FAILED, "Verify", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_FAIL, "Incorrect password", "ID: 5555",
        "You can attempt verification 2 more times.", NULL);
}

static void choose_method(term_screen_model *m)
{
    base(m, TERM_SCR_CHOOSE_METHOD, "Verify: 5555", TERM_BODY_LIST);
    item(&m->body.list, "Fingerprint", "", 0);
    item(&m->body.list, "Card", "", 0);
    item(&m->body.list, "Password", "", 0);
    m->body.list.selected = 0;
}

static void place_finger(term_screen_model *m)
{
    base(m, TERM_SCR_PLACE_FINGER, "1:1 Verification", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_FINGER, "Press your finger", "ID: 5555", NULL, NULL);
}

static void present_card(term_screen_model *m)
{
    base(m, TERM_SCR_PRESENT_CARD, "1:1 Verification", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_CARD, "Present your card", "ID: 5555", NULL, NULL);
}

static void enter_pin(term_screen_model *m)
{
    base(m, TERM_SCR_ENTER_PIN, "1:1 Verification", TERM_BODY_FIELD);
    COPY(m->body.field.label, "Password (ID: 5555)");
    COPY(m->body.field.value, "****");
    m->body.field.cursor = 4;
    m->body.field.candidate = -1;
    COPY(m->body.field.hint, "M/OK to verify, ESC to cancel");
}

static void main_menu(term_screen_model *m)
{
    base(m, TERM_SCR_MAIN_MENU, "Main Menu", TERM_BODY_LIST);
    const char *items[] = {"User Mgt.", "Comm.", "System", "Data Mgt.", "Record", "Autotest", "Sys. Info."};
    for (size_t i = 0; i < 7; i++) item(&m->body.list, items[i], "", 0);
    m->body.list.selected = 2;
}

static void main_menu_admin(term_screen_model *m)
{
    main_menu(m);
    m->body.list.selected = 0;
    COPY(m->hint, "Administrator not set: please add one");
}

static void system_menu(term_screen_model *m)
{
    base(m, TERM_SCR_SYSTEM_MENU, "System", TERM_BODY_LIST);
    const char *items[] = {"Date/Time",        "Attendance", "Fingerprint", "Voice",      "Auto Switch",
                           "Security Setting", "USB",        "Update",      "Reset Opts."};
    for (size_t i = 0; i < 9; i++) item(&m->body.list, items[i], "", 0);
    m->body.list.selected = 6;
}

static void date_time(term_screen_model *m)
{
    base(m, TERM_SCR_DATE_TIME, "Date/Time", TERM_BODY_LIST);
    item(&m->body.list, "Set Date", "2024-10-25", 0);
    item(&m->body.list, "Set Time", "16:43:29", 0);
    item(&m->body.list, "24-Hour Time", "", 2);
    item(&m->body.list, "Date Format", "YYYY-MM-DD", 0);
    item(&m->body.list, "DST", "", 1);
    item(&m->body.list, "Daylight Saving Setup", "", 0);
    m->body.list.items[5].disabled = 1;
    m->body.list.selected = 0;
}

static void attendance(term_screen_model *m)
{
    base(m, TERM_SCR_ATTENDANCE, "Attendance", TERM_BODY_LIST);
    item(&m->body.list, "Duplicate Punch Period(m)", "None", 0);
    item(&m->body.list, "Alphanumeric User ID", "", 1);
    item(&m->body.list, "Log Alert", "Disable", 0);
    item(&m->body.list, "Authentication Timeout(s)", "3", 0);
    item(&m->body.list, "Menu Screen Timeout(s)", "60", 0);
    m->body.list.selected = 3;
}

static void fp_settings(term_screen_model *m)
{
    base(m, TERM_SCR_FP_SETTINGS, "Fingerprint", TERM_BODY_LIST);
    item(&m->body.list, "1:1 Threshold Value", "30", 0);
    item(&m->body.list, "1:N Threshold Value", "35", 0);
    item(&m->body.list, "Sensitivity", "Mid", 0);
    item(&m->body.list, "1:1 Retry Attempts", "3", 0);
    item(&m->body.list, "Fingerprint Image", "None", 0);
    m->body.list.selected = 4;
}

static void ip_settings(term_screen_model *m)
{
    base(m, TERM_SCR_IP_SETTINGS, "Advanced", TERM_BODY_LIST);
    item(&m->body.list, "DHCP", "", 2);
    item(&m->body.list, "IP Address", "192.168.138.88", 0);
    item(&m->body.list, "Subnetmask", "255.255.255.0", 0);
    item(&m->body.list, "GateWay", "192.168.138.22", 0);
    item(&m->body.list, "DNS", "192.168.138.22", 0);
    for (int i = 1; i < 5; i++) m->body.list.items[i].disabled = 1;
}

static void set_date(term_screen_model *m)
{
    base(m, TERM_SCR_SPINNER, "Set Date", TERM_BODY_SPINNER);
    term_scr_spinner *s = &m->body.spinner;
    COPY(s->value, "2024-10-25");
    s->field_count = 3;
    s->selected = 1;
    COPY(s->fields[0], "2024");
    COPY(s->fields[1], "10");
    COPY(s->fields[2], "25");
    COPY(s->labels[0], "YYYY");
    COPY(s->labels[1], "MM");
    COPY(s->labels[2], "DD");
}

static void record_range(term_screen_model *m)
{
    base(m, TERM_SCR_SPINNER, "Start Time", TERM_BODY_SPINNER);
    term_scr_spinner *s = &m->body.spinner;
    COPY(s->value, "2024-10-25 00:00");
    s->field_count = 5;
    s->selected = 3;
    const char *f[] = {"2024", "10", "25", "00", "00"}, *l[] = {"YYYY", "MM", "DD", "HH", "MM"};
    for (int i = 0; i < 5; i++) {
        COPY(s->fields[i], f[i]);
        COPY(s->labels[i], l[i]);
    }
}

static void text_input(term_screen_model *m)
{
    /* manual 1.3: "key@M1" half typed, 'e' pending on the 3DEF key */
    base(m, TERM_SCR_TEXT_INPUT, "Password", TERM_BODY_FIELD);
    COPY(m->body.field.label, "Password");
    COPY(m->body.field.value, "ke");
    m->body.field.cursor = 2;
    COPY(m->body.field.mode, "abc");
    COPY(m->body.field.candidates, "def3");
    m->body.field.candidate = 1;
    COPY(m->body.field.hint, "> input method, < delete, ESC close, M/OK save");
}

static void confirm_delete(term_screen_model *m)
{
    base(m, TERM_SCR_CONFIRM, "Data Mgt.", TERM_BODY_CONFIRM);
    msg(&m->body.message, TERM_ICON_WARN, "Delete Attlog?", "All attendance records will be deleted.", NULL, NULL);
    m->body.message.button_count = 2;
    COPY(m->body.message.buttons[0], "M/OK");
    COPY(m->body.message.buttons[1], "ESC");
}

static void record_summary(term_screen_model *m)
{
    base(m, TERM_SCR_RECORD_SUMMARY, "Record", TERM_BODY_TABLE);
    term_scr_table *t = &m->body.table;
    t->col_count = 2;
    COPY(t->header[0], "Date");
    COPY(t->header[1], "Sum");
    t->total = t->row_count = 1;
    t->selected = 0;
    COPY(t->rows[0][0], "2024-10-25");
    COPY(t->rows[0][1], "5");
    COPY(t->footer[0], "ID: 5555 (1/1)");
    COPY(t->footer[1], "Name: 66 66");
}

static void record_detail(term_screen_model *m)
{
    base(m, TERM_SCR_RECORD_DETAIL, "Record", TERM_BODY_TABLE);
    term_scr_table *t = &m->body.table;
    t->col_count = 3;
    COPY(t->header[0], "Time");
    COPY(t->header[1], "VerType");
    COPY(t->header[2], "State");
    const char *rows[5][3] = {{"10-25 16:56", "Card", "None"},
                              {"10-25 16:55", "Card", "None"},
                              {"10-25 16:33", "FP", "None"},
                              {"10-25 16:33", "Card", "None"},
                              {"10-25 16:32", "FP", "None"}};
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 3; c++) COPY(t->rows[r][c], rows[r][c]);
    t->total = t->row_count = 5;
    t->selected = UINT32_MAX;
    COPY(t->footer[0], "ID: 5555 (1/1)");
    COPY(t->footer[1], "Name: 66 66");
}

static void auto_switch(term_screen_model *m)
{
    base(m, TERM_SCR_AUTO_SWITCH, "Auto Switch", TERM_BODY_TABLE);
    term_scr_table *t = &m->body.table;
    t->col_count = 4;
    const char *h[4] = {"ID", "Time", "Name", "State"};
    for (int c = 0; c < 4; c++) COPY(t->header[c], h[c]);
    const char *names[5] = {"Check-In", "Check-Out", "Break-Out", "Break-In", "OT-In"};
    for (int r = 0; r < 5; r++) {
        snprintf(t->rows[r][0], sizeof t->rows[r][0], "%d", r + 1);
        snprintf(t->rows[r][1], sizeof t->rows[r][1], "%02d:00", r + 1);
        COPY(t->rows[r][2], names[r]);
        COPY(t->rows[r][3], r == 0 ? "On" : "Off");
    }
    t->row_count = 5;
    t->total = 10;
    t->first = 0;
    t->selected = 0;
}

static void enroll(term_screen_model *m)
{
    base(m, TERM_SCR_ENROLL_FINGER, "Enroll Fingerprint", TERM_BODY_PROGRESS);
    m->body.progress.done = 1;
    m->body.progress.total = 3;
    COPY(m->body.progress.text, "Press the same finger again");
    m->body.progress.icon = TERM_ICON_FINGER;
}

static void keytest(term_screen_model *m)
{
    base(m, TERM_SCR_TEST_KEYBOARD, "Test Keyboard", TERM_BODY_KEYTEST);
    const char *labels[16] = {"1", "2", "3", "ESC", "4", "5", "6", "M/OK", "7", "8", "9", "^", "<", "0", ">", "v"};
    term_scr_keytest *k = &m->body.keytest;
    k->key_count = 16;
    for (int i = 0; i < 16; i++) COPY(k->labels[i], labels[i]);
    k->pressed = (1u << 0) | (1u << 5) | (1u << 7) | (1u << 13);
    k->last = 13;
}

static void lcd_bars(term_screen_model *m)
{
    base(m, TERM_SCR_TEST_LCD, "Test LCD", TERM_BODY_PATTERN);
    m->body.pattern = TERM_PATTERN_COLOUR_BARS;
}

static void test_sensor(term_screen_model *m)
{
    base(m, TERM_SCR_TEST_SENSOR, "Test Fingerprint Sensor", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_NONE, "Press a finger", "Image quality: 81", NULL, NULL);
    m->fp_image_valid = 1;
    /* a synthetic print: rings around a core inside an ellipse, integers only */
    int a = TERM_SCR_FP_W / 2 - 3, b = TERM_SCR_FP_H / 2 - 3;
    for (int y = 0; y < TERM_SCR_FP_H; y++) {
        for (int x = 0; x < TERM_SCR_FP_W; x++) {
            int dx = x - TERM_SCR_FP_W / 2, dy = y - TERM_SCR_FP_H / 2;
            int inside = dx * dx * b * b + dy * dy * a * a <= a * a * b * b;
            int cy = y - TERM_SCR_FP_H * 2 / 5;
            int d2 = dx * dx + cy * cy * 2 / 3;
            int ring = 0;
            while ((ring + 1) * (ring + 1) * 9 <= d2) ring++;
            m->fp_image[y][x] = (uint8_t)(!inside ? 235 : (ring % 2 ? 60 : 215));
        }
    }
}

static void sysinfo_capacity(term_screen_model *m)
{
    base(m, TERM_SCR_SYSINFO_CAPACITY, "Device Capacity", TERM_BODY_LIST);
    item(&m->body.list, "Users", "12/3000", 0);
    item(&m->body.list, "Admin", "1", 0);
    item(&m->body.list, "Password", "4", 0);
    item(&m->body.list, "Fingerprint", "20/3000", 0);
    item(&m->body.list, "Card", "8/3000", 0);
    item(&m->body.list, "Attendance Record", "57/100000", 0);
    item(&m->body.list, "Operation Log", "31/10000", 0);
    m->body.list.selected = 5;
}

static void log_alert(term_screen_model *m)
{
    base(m, TERM_SCR_LOG_ALERT, "Attention", TERM_BODY_MESSAGE);
    msg(&m->body.message, TERM_ICON_WARN, "Record space low", "Only 99 attendance records can still be stored.", NULL,
        NULL);
}

typedef struct sample {
    const char *name;
    void (*fill)(term_screen_model *m);
} sample;

static const sample samples[] = {
    {"standby", standby},
    {"standby_input", standby_input},
    {"wifi_shortcut", wifi_shortcut},
    {"qr_bind", qr_bind},
    {"verified_finger", verified_finger},
    {"verified_card", verified_card},
    {"verified_password", verified_pin},
    {"failed_finger", failed_finger},
    {"failed_card", failed_card},
    {"failed_password", failed_pin},
    {"choose_method", choose_method},
    {"place_finger", place_finger},
    {"present_card", present_card},
    {"enter_password", enter_pin},
    {"main_menu", main_menu},
    {"main_menu_admin_reminder", main_menu_admin},
    {"system_menu", system_menu},
    {"date_time", date_time},
    {"attendance", attendance},
    {"fingerprint_settings", fp_settings},
    {"ip_settings", ip_settings},
    {"set_date", set_date},
    {"record_start_time", record_range},
    {"text_input", text_input},
    {"confirm_delete_attlog", confirm_delete},
    {"record_summary", record_summary},
    {"record_detail", record_detail},
    {"auto_switch", auto_switch},
    {"enroll_finger", enroll},
    {"test_keyboard", keytest},
    {"test_lcd", lcd_bars},
    {"test_sensor", test_sensor},
    {"sysinfo_capacity", sysinfo_capacity},
    {"log_alert", log_alert},
};

size_t ui_sample_count(void)
{
    return sizeof samples / sizeof samples[0];
}

const char *ui_sample_name(size_t i)
{
    return i < ui_sample_count() ? samples[i].name : NULL;
}

int ui_sample_model(size_t i, term_screen_model *m)
{
    if (!m) return -1;
    memset(m, 0, sizeof *m);
    if (i >= ui_sample_count()) return -1;
    samples[i].fill(m);
    return 0;
}
