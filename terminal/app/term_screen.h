/*
 * term_screen.h - the screen model: what the terminal shows, as one plain
 * declarative struct.
 *
 * The application (term_app.h) fills a term_screen_model for its current
 * scene; a renderer (the framebuffer UI, the SDL simulator, the text dump of
 * the m1-terminal driver, the tests) draws it. The struct holds no pointers:
 * every string is a bounded, NUL-terminated UTF-8 array and every list is a
 * fixed-size array with a count, so a model can be copied, compared with
 * memcmp-free field checks, sent across threads or written to a file.
 *
 * Layout of a screen (the M1's 2.8" landscape LCD):
 *
 *   +------------------------------------------------+
 *   | status bar: time text, punch state, icons      |
 *   | title                                          |
 *   | body: one of the kinds below                   |
 *   | (optional) hint line                           |
 *   +------------------------------------------------+
 *
 * The renderer chooses how to draw by body kind; the screen id says which
 * scene is showing (for tests, logs and special artwork). Ids are appended,
 * never renumbered. Every text field may be empty ("").
 *
 * Note on names: term_verify.h already has an enum called term_screen (the
 * screens of the verification state machine), so the model is called
 * term_screen_model and its id enum term_scr_id.
 */
#ifndef TERM_SCREEN_H
#define TERM_SCREEN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds, in bytes including the NUL. */
#define TERM_SCR_TEXT 64      /* one line of text */
#define TERM_SCR_SHORT 24     /* a short label or value */
#define TERM_SCR_LIST_ROWS 12 /* list rows carried (the visible window) */
#define TERM_SCR_LINES 6      /* message lines */
#define TERM_SCR_BUTTONS 2
#define TERM_SCR_TABLE_COLS 4
#define TERM_SCR_TABLE_ROWS 8
#define TERM_SCR_SPIN_FIELDS 6 /* YYYY MM DD HH MM SS */
#define TERM_SCR_KEYS 16       /* keys of the keyboard test */
#define TERM_SCR_QR 256        /* QR payload text */
#define TERM_SCR_FP_W 64       /* downscaled fingerprint image, 8-bit grey, row-major */
#define TERM_SCR_FP_H 80

/*
 * X(NAME, number, "name"). The name is what the driver prints and what a
 * script's `expect screen NAME` compares with (lower case, no spaces).
 */
#define TERM_SCR_MAP(X)                                                                                                \
    X(STANDBY, 0, "standby")                                                                                           \
    X(WIFI_SHORTCUT, 1, "wifi_shortcut")                                                                               \
    X(QR_BIND, 2, "qr_bind")                                                                                           \
    X(ENTER_USER_ID, 3, "enter_user_id")                                                                               \
    X(CHOOSE_METHOD, 4, "choose_method")                                                                               \
    X(PLACE_FINGER, 5, "place_finger")                                                                                 \
    X(PRESENT_CARD, 6, "present_card")                                                                                 \
    X(ENTER_PIN, 7, "enter_pin")                                                                                       \
    X(FINGER_RETRY, 8, "finger_retry")                                                                                 \
    X(ADMIN_VERIFY, 9, "admin_verify")                                                                                 \
    X(VERIFIED, 10, "verified")                                                                                        \
    X(FAILED, 11, "failed")                                                                                            \
    X(LOG_ALERT, 12, "log_alert")                                                                                      \
    X(MAIN_MENU, 13, "main_menu")                                                                                      \
    X(USER_MENU, 14, "user_menu")                                                                                      \
    X(USER_NEW, 15, "user_new")                                                                                        \
    X(USER_LIST, 16, "user_list")                                                                                      \
    X(USER_EDIT, 17, "user_edit")                                                                                      \
    X(ENROLL_FINGER, 18, "enroll_finger")                                                                              \
    X(ENROLL_CARD, 19, "enroll_card")                                                                                  \
    X(TEXT_INPUT, 20, "text_input")                                                                                    \
    X(CHOICE, 21, "choice")                                                                                            \
    X(COMM_MENU, 22, "comm_menu")                                                                                      \
    X(WIFI, 23, "wifi")                                                                                                \
    X(IP_SETTINGS, 24, "ip_settings")                                                                                  \
    X(SERVER, 25, "server")                                                                                            \
    X(SYSTEM_MENU, 26, "system_menu")                                                                                  \
    X(DATE_TIME, 27, "date_time")                                                                                      \
    X(SPINNER, 28, "spinner")                                                                                          \
    X(ATTENDANCE, 29, "attendance")                                                                                    \
    X(FP_SETTINGS, 30, "fingerprint_settings")                                                                         \
    X(VOICE, 31, "voice")                                                                                              \
    X(AUTO_SWITCH, 32, "auto_switch")                                                                                  \
    X(AUTO_SWITCH_SLOT, 33, "auto_switch_slot")                                                                        \
    X(USB, 34, "usb")                                                                                                  \
    X(UPDATE, 35, "update")                                                                                            \
    X(SECURITY, 36, "security")                                                                                        \
    X(CONFIRM, 37, "confirm")                                                                                          \
    X(MESSAGE, 38, "message")                                                                                          \
    X(DATA_MENU, 39, "data_menu")                                                                                      \
    X(RECORD_USER, 40, "record_user")                                                                                  \
    X(RECORD_SUMMARY, 41, "record_summary")                                                                            \
    X(RECORD_DETAIL, 42, "record_detail")                                                                              \
    X(AUTOTEST_MENU, 43, "autotest_menu")                                                                              \
    X(TEST_LCD, 44, "test_lcd")                                                                                        \
    X(TEST_VOICE, 45, "test_voice")                                                                                    \
    X(TEST_KEYBOARD, 46, "test_keyboard")                                                                              \
    X(TEST_SENSOR, 47, "test_sensor")                                                                                  \
    X(TEST_RTC, 48, "test_rtc")                                                                                        \
    X(SYSINFO_MENU, 49, "sysinfo_menu")                                                                                \
    X(SYSINFO_CAPACITY, 50, "sysinfo_capacity")                                                                        \
    X(SYSINFO_DEVICE, 51, "sysinfo_device")                                                                            \
    X(SYSINFO_FIRMWARE, 52, "sysinfo_firmware")                                                                        \
    X(PRIVACY, 53, "privacy")                                                                                          \
    X(DST, 54, "dst")                                                                                                  \
    X(STORAGE_ERROR, 55, "storage_error")                                                                              \
    X(RECOVERY, 56, "recovery")

typedef enum term_scr_id {
#define TERM_SCR_ENUM_(name, num, text) TERM_SCR_##name = num,
    TERM_SCR_MAP(TERM_SCR_ENUM_)
#undef TERM_SCR_ENUM_
} term_scr_id;

/* The name of an id ("standby"); "?" for an unknown number. Never NULL. */
const char *term_scr_id_name(term_scr_id id);
/* The id with this name; -1 when none. */
int term_scr_id_from_name(const char *name);

/* What the body of the screen holds. */
typedef enum term_body_kind {
    TERM_BODY_NONE = 0,
    TERM_BODY_STANDBY = 1,  /* body.standby: big clock, date, punch state, input line */
    TERM_BODY_LIST = 2,     /* body.list: a menu or list of settings */
    TERM_BODY_FIELD = 3,    /* body.field: one text/number field being edited */
    TERM_BODY_MESSAGE = 4,  /* body.message: lines, icon, buttons (results, errors, info) */
    TERM_BODY_CONFIRM = 5,  /* body.message with buttons "M/OK" (yes) and "ESC" (no) */
    TERM_BODY_TABLE = 6,    /* body.table: rows of columns (records, auto-switch slots) */
    TERM_BODY_SPINNER = 7,  /* body.spinner: date/time editor, one column per field */
    TERM_BODY_PROGRESS = 8, /* body.progress: enrolment press n of N */
    TERM_BODY_QR = 9,       /* body.qr: QR code of the payload text plus caption lines */
    TERM_BODY_KEYTEST = 10, /* body.keytest: the keyboard test */
    TERM_BODY_PATTERN = 11  /* body.pattern: a full-screen LCD test pattern */
} term_body_kind;

typedef enum term_icon {
    TERM_ICON_NONE = 0,
    TERM_ICON_OK = 1,     /* green tick */
    TERM_ICON_FAIL = 2,   /* red cross */
    TERM_ICON_WARN = 3,   /* yellow triangle */
    TERM_ICON_INFO = 4,   /* blue "i" */
    TERM_ICON_FINGER = 5, /* "place your finger" artwork */
    TERM_ICON_CARD = 6,   /* "present your card" artwork */
    TERM_ICON_KEY = 7     /* "enter password" artwork */
} term_icon;

/* Connection icons of the status bar (manual 1.1, "Status Icons"). */
typedef enum term_link_icon {
    TERM_LINK_HIDDEN = 0, /* not shown (function off) */
    TERM_LINK_UP = 1,     /* connected */
    TERM_LINK_DOWN = 2,   /* connection failed */
    TERM_LINK_HELD = 3 /* connected, but records wait (the server did not ask for them): Connection Status says why */
} term_link_icon;

typedef struct term_scr_status {
    char time[TERM_SCR_SHORT];        /* "16:43" or "4:43 PM" (the 24-hour setting) */
    char date[TERM_SCR_SHORT];        /* in the Date Format setting */
    char punch_state[TERM_SCR_SHORT]; /* "Check-In", ... or "" for None */
    uint8_t usb;                      /* non-zero: a USB drive is plugged in */
    uint8_t server;                   /* term_link_icon: ADMS/cloud server */
    uint8_t wifi;                     /* term_link_icon */
} term_scr_status;

typedef struct term_scr_list_item {
    char text[TERM_SCR_TEXT];  /* left: the item's label */
    char value[TERM_SCR_TEXT]; /* right: its current value ("30", "Mid", a URL), or "" */
    uint8_t toggle;            /* 0: no toggle; 1: off; 2: on (drawn as a checkbox) */
    uint8_t disabled;          /* greyed out (e.g. IP fields while DHCP is on) */
} term_scr_list_item;

typedef struct term_scr_list {
    uint32_t total;    /* items in the whole list */
    uint32_t first;    /* index (in the whole list) of items[0]: the scroll offset */
    uint32_t selected; /* index (in the whole list) of the highlighted item */
    uint32_t count;    /* items carried, <= TERM_SCR_LIST_ROWS */
    term_scr_list_item items[TERM_SCR_LIST_ROWS];
} term_scr_list;

typedef struct term_scr_field {
    char label[TERM_SCR_TEXT];       /* "User ID", "Name", "Password", "Server Address" */
    char value[TERM_SCR_TEXT];       /* the text so far ('*' per character for passwords) */
    uint32_t cursor;                 /* byte offset of the cursor in value */
    char mode[8];                    /* input method shown: "123", "abc", "ABC", "sym"; "" when the
                                        input method is closed (digits only) */
    char candidates[TERM_SCR_SHORT]; /* multi-tap letters of the pending key, e.g. "jkl5", or "" */
    int32_t candidate;               /* index of the pending letter in candidates, -1 when none */
    char hint[TERM_SCR_TEXT];        /* e.g. "1-9", "M/OK to save" or an error such as "out of range" */
} term_scr_field;

typedef struct term_scr_message {
    term_icon icon;
    uint32_t line_count;
    char lines[TERM_SCR_LINES][TERM_SCR_TEXT];
    uint32_t button_count;                          /* 0..2 */
    char buttons[TERM_SCR_BUTTONS][TERM_SCR_SHORT]; /* e.g. "M/OK", "ESC" */
} term_scr_message;

typedef struct term_scr_table {
    uint32_t col_count;
    char header[TERM_SCR_TABLE_COLS][TERM_SCR_SHORT];
    uint32_t total;    /* rows in the whole table */
    uint32_t first;    /* index of rows[0] in the whole table */
    uint32_t selected; /* highlighted row (whole-table index); UINT32_MAX when none */
    uint32_t row_count;
    char rows[TERM_SCR_TABLE_ROWS][TERM_SCR_TABLE_COLS][TERM_SCR_SHORT];
    char footer[2][TERM_SCR_TEXT]; /* "ID: 5555 (1/1)", "Name: 66 66" */
} term_scr_table;

typedef struct term_scr_spinner {
    char value[TERM_SCR_TEXT]; /* the whole value as it reads, "2024-10-25" */
    uint32_t field_count;
    uint32_t selected;                    /* field with the up/down arrows */
    char fields[TERM_SCR_SPIN_FIELDS][8]; /* "2024", "10", "25" */
    char labels[TERM_SCR_SPIN_FIELDS][8]; /* "YYYY", "MM", "DD" */
} term_scr_spinner;

typedef struct term_scr_progress {
    uint32_t done;            /* presses accepted so far */
    uint32_t total;           /* presses needed (3 on the M1) */
    char text[TERM_SCR_TEXT]; /* "Press the same finger again" or the rejection reason; the count is done/total */
    term_icon icon;           /* FINGER while waiting, WARN after a rejected press, OK at the end */
} term_scr_progress;

typedef struct term_scr_standby {
    char time[TERM_SCR_SHORT]; /* big clock "16:43" */
    char date[TERM_SCR_TEXT];  /* "2024-10-25 Friday" */
    char punch_state[TERM_SCR_SHORT];
    char input[TERM_SCR_SHORT]; /* digits typed so far (the user id), "" when none */
} term_scr_standby;

typedef struct term_scr_qr {
    char payload[TERM_SCR_QR]; /* text to encode */
    uint32_t line_count;
    char lines[2][TERM_SCR_TEXT];
} term_scr_qr;

typedef struct term_scr_keytest {
    uint32_t key_count;
    char labels[TERM_SCR_KEYS][8]; /* "1".."9", "0", "M/OK", "ESC", "^", "v", "<", ">" */
    uint16_t pressed;              /* bit i: key i was pressed (drawn blue, else dark grey) */
    int32_t last;                  /* index of the last key pressed, -1 when none */
} term_scr_keytest;

typedef enum term_pattern { TERM_PATTERN_COLOUR_BARS = 0, TERM_PATTERN_WHITE = 1, TERM_PATTERN_BLACK = 2 } term_pattern;

/* The whole screen. */
typedef struct term_screen_model {
    term_scr_id id;
    char title[TERM_SCR_TEXT]; /* "Main Menu", "User Mgt.", ... ("" on standby) */
    term_scr_status status;
    term_body_kind kind;
    union {
        term_scr_standby standby;   /* TERM_BODY_STANDBY */
        term_scr_list list;         /* TERM_BODY_LIST */
        term_scr_field field;       /* TERM_BODY_FIELD */
        term_scr_message message;   /* TERM_BODY_MESSAGE, TERM_BODY_CONFIRM */
        term_scr_table table;       /* TERM_BODY_TABLE */
        term_scr_spinner spinner;   /* TERM_BODY_SPINNER */
        term_scr_progress progress; /* TERM_BODY_PROGRESS */
        term_scr_qr qr;             /* TERM_BODY_QR */
        term_scr_keytest keytest;   /* TERM_BODY_KEYTEST */
        term_pattern pattern;       /* TERM_BODY_PATTERN */
    } body;
    char hint[TERM_SCR_TEXT]; /* bottom line, e.g. "Admin not set" reminder, or "" */
    /* Fingerprint image (manual 6.3 "Fingerprint Image"): drawn over the
     * body when fp_image_valid is non-zero; fp_image is the last capture
     * downscaled to TERM_SCR_FP_W x TERM_SCR_FP_H, 8-bit grey, 0 = black. */
    uint8_t fp_image_valid;
    uint8_t fp_image[TERM_SCR_FP_H][TERM_SCR_FP_W];
} term_screen_model;

/* Sets *m to an empty screen (all zero: standby id, no body). */
void term_screen_clear(term_screen_model *m);

#ifdef __cplusplus
}
#endif

#endif /* TERM_SCREEN_H */
