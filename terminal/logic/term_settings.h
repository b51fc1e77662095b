/*
 * term_settings.h - every setting of the terminal (user manual sections 5
 * and 6), with its default and its valid range, in one table.
 *
 * Pure logic: no I/O, no clock, no allocation. A term_settings value is a
 * plain struct the caller owns (about 8 KB); the functions here validate and
 * convert it. Storage lives in services/term_store.h, which saves settings
 * by name in their text form, so the table's names are a stable format.
 *
 * The date and time of the clock are not settings: the manual keeps them
 * across a factory reset, so they belong to the RTC (hal), not here.
 *
 * Thread safety: the table is read only; a term_settings value needs the
 * caller's own locking if shared.
 */
#ifndef TERM_SETTINGS_H
#define TERM_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "term_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum term_setting_type {
    TERM_SET_BOOL = 0,     /* 0 or 1; text "on"/"off" */
    TERM_SET_INT = 1,      /* min..max, or 0 when zero_off ("none"/"disable") */
    TERM_SET_CHOICE = 2,   /* index into choices; text is the choice's name */
    TERM_SET_TIME = 3,     /* minute of the day 0..1439; text "HH:MM" */
    TERM_SET_MONTHDAY = 4, /* month * 100 + day; text "MM-DD"; day 0 = not set */
    TERM_SET_IPV4 = 5,     /* host-order address; text dotted quad */
    TERM_SET_NETMASK = 6,  /* as IPV4, and the ones must be contiguous */
    TERM_SET_TEXT = 7,     /* printable UTF-8; length 0, or min..max bytes when zero_off */
    TERM_SET_URL = 8       /* "http://host..." or "https://host...", up to max bytes */
} term_setting_type;

/*
 * The punch states of the attendance record and of the auto-switch table
 * (manual 6.5). Numbers are stored in records and never change.
 */
#define TERM_PUNCH_STATE_MAP(X)                                                                                        \
    X(NONE, 0, "None")                                                                                                 \
    X(CHECK_IN, 1, "Check-In")                                                                                         \
    X(CHECK_OUT, 2, "Check-Out")                                                                                       \
    X(BREAK_OUT, 3, "Break-Out")                                                                                       \
    X(BREAK_IN, 4, "Break-In")                                                                                         \
    X(OT_IN, 5, "OT-In")                                                                                               \
    X(OT_OUT, 6, "OT-Out")

typedef enum term_punch_state {
#define TERM_PUNCH_ENUM_(name, num, text) TERM_PUNCH_##name = num,
    TERM_PUNCH_STATE_MAP(TERM_PUNCH_ENUM_)
#undef TERM_PUNCH_ENUM_
        TERM_PUNCH_STATE_COUNT
} term_punch_state;

/* "Check-In" etc.; "?" for a value outside the list. */
const char *term_punch_state_name(term_punch_state state);

/* Choices of TERM_SETTING_FP_IMAGE (manual 6.3). */
typedef enum term_fp_image {
    TERM_FP_IMAGE_NONE = 0,
    TERM_FP_IMAGE_ENROLL = 1,
    TERM_FP_IMAGE_MATCH = 2,
    TERM_FP_IMAGE_ALWAYS = 3
} term_fp_image;

/* Choices of TERM_SETTING_SENSITIVITY; same order as fp_sensor_sensitivity. */
typedef enum term_sensitivity { TERM_SENS_LOW = 0, TERM_SENS_MID = 1, TERM_SENS_HIGH = 2 } term_sensitivity;

/* Choices of TERM_SETTING_DATE_FORMAT, in table order. */
typedef enum term_date_format {
    TERM_DATE_YYYY_MM_DD = 0, /* 2024-10-25, the default */
    TERM_DATE_YY_MM_DD,
    TERM_DATE_YY_MM_DD_SLASH,
    TERM_DATE_YYYY_MM_DD_SLASH,
    TERM_DATE_MM_DD_YY,
    TERM_DATE_MM_DD_YY_SLASH,
    TERM_DATE_MM_DD_YYYY,
    TERM_DATE_MM_DD_YYYY_SLASH,
    TERM_DATE_DD_MM_YY,
    TERM_DATE_DD_MM_YY_SLASH,
    TERM_DATE_DD_MM_YYYY,
    TERM_DATE_DD_MM_YYYY_SLASH,
    TERM_DATE_YYYYMMDD,
    TERM_DATE_YYMMDD,
    TERM_DATE_FORMAT_COUNT
} term_date_format;

#define TERM_AUTO_SWITCH_SLOTS 10

/*
 * One auto-switch slot (manual 6.5): time, the punch state it switches to,
 * and whether it is on. The manual's defaults: slot n at 0n:00 with the six
 * named states for slots 1-6, 00:00 and no state for 7-10, all off.
 */
#define TERM_AUTO_SWITCH_ROWS(X, n, minute, state)                                                                     \
    X(AS##n##_TIME, "auto_switch_" #n "_time", "auto_switch", TERM_SET_TIME, 0, 0, 1439, minute, NULL, NOCH)           \
    X(AS##n##_STATE, "auto_switch_" #n "_state", "auto_switch", TERM_SET_CHOICE, 0, 0, 0, state, NULL,                 \
      CH(term_punch_choices_))                                                                                         \
    X(AS##n##_ENABLE, "auto_switch_" #n "_enable", "auto_switch", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)

/*
 * The table. X(ID, name, group, type, zero_off, min, max, default number,
 * default text, choices). For TEXT and URL min/max are byte lengths. Ranges
 * the manual states are used as stated; where it states none the choice is
 * explained in docs/terminal.md.
 */
#define TERM_SETTINGS_MAP(X)                                                                                           \
    /* 6.1 Date and time */                                                                                            \
    X(TIME_24H, "time_24h", "date_time", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                                        \
    X(DATE_FORMAT, "date_format", "date_time", TERM_SET_CHOICE, 0, 0, 0, TERM_DATE_YYYY_MM_DD, NULL,                   \
      CH(term_date_choices_))                                                                                          \
    X(DST_ENABLE, "dst_enable", "date_time", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)                                    \
    X(DST_START_DATE, "dst_start_date", "date_time", TERM_SET_MONTHDAY, 0, 100, 1231, 100, NULL, NOCH)                 \
    X(DST_START_TIME, "dst_start_time", "date_time", TERM_SET_TIME, 0, 0, 1439, 0, NULL, NOCH)                         \
    X(DST_END_DATE, "dst_end_date", "date_time", TERM_SET_MONTHDAY, 0, 100, 1231, 100, NULL, NOCH)                     \
    X(DST_END_TIME, "dst_end_time", "date_time", TERM_SET_TIME, 0, 0, 1439, 0, NULL, NOCH)                             \
    /* 6.2 Attendance */                                                                                               \
    X(DUP_PUNCH_PERIOD, "duplicate_punch_period", "attendance", TERM_SET_INT, 1, 1, 999999, 0, NULL, NOCH)             \
    X(ALNUM_USER_ID, "alphanumeric_user_id", "attendance", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)                      \
    X(LOG_ALERT, "log_alert", "attendance", TERM_SET_INT, 1, 1, 9999, 0, NULL, NOCH)                                   \
    X(AUTH_TIMEOUT, "authentication_timeout", "attendance", TERM_SET_INT, 0, 1, 9, 3, NULL, NOCH)                      \
    X(MENU_TIMEOUT, "menu_screen_timeout", "attendance", TERM_SET_INT, 1, 60, 99999, 60, NULL, NOCH)                   \
    /* 6.3 Fingerprint */                                                                                              \
    X(THRESHOLD_1_1, "threshold_1_1", "fingerprint", TERM_SET_INT, 0, 10, 99, 30, NULL, NOCH)                          \
    X(THRESHOLD_1_N, "threshold_1_n", "fingerprint", TERM_SET_INT, 0, 10, 99, 35, NULL, NOCH)                          \
    X(SENSITIVITY, "sensitivity", "fingerprint", TERM_SET_CHOICE, 0, 0, 0, TERM_SENS_MID, NULL,                        \
      CH(term_sensitivity_choices_))                                                                                   \
    X(RETRY_1_1, "retry_attempts_1_1", "fingerprint", TERM_SET_INT, 0, 1, 9, 3, NULL, NOCH)                            \
    X(FP_IMAGE, "fingerprint_image", "fingerprint", TERM_SET_CHOICE, 0, 0, 0, TERM_FP_IMAGE_NONE, NULL,                \
      CH(term_fp_image_choices_))                                                                                      \
    /* 6.4 Voice */                                                                                                    \
    X(VOICE_PROMPT, "voice_prompt", "voice", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                                    \
    X(KEY_VOICE, "key_voice", "voice", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                                          \
    X(VOLUME, "volume", "voice", TERM_SET_INT, 0, 0, 100, 70, NULL, NOCH)                                              \
    /* 6.5 Auto switch */                                                                                              \
    TERM_AUTO_SWITCH_ROWS(X, 1, 60, TERM_PUNCH_CHECK_IN)                                                               \
    TERM_AUTO_SWITCH_ROWS(X, 2, 120, TERM_PUNCH_CHECK_OUT)                                                             \
    TERM_AUTO_SWITCH_ROWS(X, 3, 180, TERM_PUNCH_BREAK_OUT)                                                             \
    TERM_AUTO_SWITCH_ROWS(X, 4, 240, TERM_PUNCH_BREAK_IN)                                                              \
    TERM_AUTO_SWITCH_ROWS(X, 5, 300, TERM_PUNCH_OT_IN)                                                                 \
    TERM_AUTO_SWITCH_ROWS(X, 6, 360, TERM_PUNCH_OT_OUT)                                                                \
    TERM_AUTO_SWITCH_ROWS(X, 7, 0, TERM_PUNCH_NONE)                                                                    \
    TERM_AUTO_SWITCH_ROWS(X, 8, 0, TERM_PUNCH_NONE)                                                                    \
    TERM_AUTO_SWITCH_ROWS(X, 9, 0, TERM_PUNCH_NONE)                                                                    \
    TERM_AUTO_SWITCH_ROWS(X, 10, 0, TERM_PUNCH_NONE)                                                                   \
    /* 6.6 USB, 6.7 online update, security setting (main menu 3) */                                                   \
    X(DEVELOPER_MODE, "developer_mode", "usb", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)                                  \
    X(ONLINE_UPDATE, "online_update", "update", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)                                 \
    X(SECURITY_PROMPTS, "security_setting", "security", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                         \
    /* 5.1 Wireless network */                                                                                         \
    X(WIFI_ENABLE, "wifi_enable", "comm", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                                       \
    X(WIFI_SSID, "wifi_ssid", "comm", TERM_SET_TEXT, 0, 0, 32, 0, "", NOCH)                                            \
    X(WIFI_PASSWORD, "wifi_password", "comm", TERM_SET_TEXT, 1, 8, 63, 0, "", NOCH)                                    \
    X(DHCP, "dhcp", "comm", TERM_SET_BOOL, 0, 0, 1, 1, NULL, NOCH)                                                     \
    X(IP_ADDRESS, "ip_address", "comm", TERM_SET_IPV4, 0, 0, 0xFFFFFFFF, 0, NULL, NOCH)                                \
    X(SUBNET_MASK, "subnet_mask", "comm", TERM_SET_NETMASK, 0, 0, 0xFFFFFFFF, 0xFFFFFF00, NULL, NOCH)                  \
    X(GATEWAY, "gateway", "comm", TERM_SET_IPV4, 0, 0, 0xFFFFFFFF, 0, NULL, NOCH)                                      \
    X(DNS, "dns", "comm", TERM_SET_IPV4, 0, 0, 0xFFFFFFFF, 0, NULL, NOCH)                                              \
    /* 5.2 Cloud server */                                                                                             \
    X(SERVER_ADDRESS, "server_address", "comm", TERM_SET_URL, 0, 8, 127, 0, "https://dc.minervalot.com", NOCH)         \
    /* Cloud server, the installer's choices for servers that read the protocol loosely (docs/sync.md) */              \
    X(UPLOAD_ATT_ALWAYS, "upload_attendance_always", "comm", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)                    \
    X(SERVER_PIN_REMOVAL, "server_may_remove_pins", "comm", TERM_SET_BOOL, 0, 0, 1, 0, NULL, NOCH)

typedef enum term_setting_id {
#define TERM_SETTING_ENUM_(id, ...) TERM_SETTING_##id,
    TERM_SETTINGS_MAP(TERM_SETTING_ENUM_)
#undef TERM_SETTING_ENUM_
        TERM_SETTING_COUNT
} term_setting_id;

/* Largest text setting, in bytes, without the terminating NUL. */
#define TERM_SETTING_TEXT_MAX 127

/* A setting's row of the table. */
typedef struct term_setting_info {
    const char *name;  /* stable key, e.g. "authentication_timeout" */
    const char *group; /* menu it belongs to, e.g. "attendance" */
    term_setting_type type;
    int zero_off;     /* INT: 0 also valid (means off); TEXT: empty also valid */
    int64_t min, max; /* INT range; TEXT/URL length range */
    int64_t def_num;
    const char *def_text;       /* TEXT/URL default, otherwise NULL */
    const char *const *choices; /* CHOICE names, otherwise NULL */
    uint32_t nchoices;
} term_setting_info;

/* The row of id, or NULL when id is out of range. Static storage. */
const term_setting_info *term_setting_info_of(term_setting_id id);
/* Looks a setting up by name. Errors: TERM_ERR_INVALID_ARGUMENT, TERM_ERR_UNKNOWN_SETTING. */
term_status term_setting_find(const char *name, term_setting_id *out);

/*
 * The values. Numbers live in num[id]; TEXT and URL settings in text[id].
 * Fields are public so that the struct can live on the stack or in static
 * firmware memory; change them only through the setters, which validate.
 */
typedef struct term_settings {
    int64_t num[TERM_SETTING_COUNT];
    char text[TERM_SETTING_COUNT][TERM_SETTING_TEXT_MAX + 1];
} term_settings;

/*
 * Fills *s with the factory defaults. This is also the whole of factory
 * reset for settings (manual 6.8): users, credentials, records and the clock
 * are not settings and are left alone by design.
 */
void term_settings_defaults(term_settings *s);
void term_settings_factory_reset(term_settings *s);

/*
 * Checks one value against its row without changing anything.
 * Errors: TERM_ERR_INVALID_ARGUMENT (bad id, or a text setting given a
 * number), TERM_ERR_OUT_OF_RANGE, TERM_ERR_NOT_IN_CHOICES, TERM_ERR_BAD_FORMAT
 * (a time, date or netmask that is not one), TERM_ERR_TOO_LONG.
 */
term_status term_setting_validate_num(term_setting_id id, int64_t value);
term_status term_setting_validate_text(term_setting_id id, const char *value);

/* Validate and store. On error *s is unchanged. Errors as the validators. */
term_status term_settings_set_num(term_settings *s, term_setting_id id, int64_t value);
term_status term_settings_set_text(term_settings *s, term_setting_id id, const char *value);

/* The number of a non-text setting (0 for a bad id or a text setting). */
int64_t term_settings_get(const term_settings *s, term_setting_id id);
/* The text of a TEXT or URL setting (borrowed from *s; "" otherwise). */
const char *term_settings_get_text(const term_settings *s, term_setting_id id);

/*
 * Parses the text form of any setting ("on", "3", "Mid", "08:30", "03-29",
 * "192.168.1.10", "none" for a zero_off number) and stores it.
 * Errors: TERM_ERR_UNKNOWN_SETTING, TERM_ERR_BAD_FORMAT, and the validators'.
 */
term_status term_settings_parse(term_settings *s, const char *name, const char *text);
/*
 * Writes the text form of a setting into buf (cap bytes, NUL terminated),
 * the inverse of term_settings_parse. Errors: TERM_ERR_INVALID_ARGUMENT,
 * TERM_ERR_TOO_LONG (buf too small; 160 bytes always suffice).
 */
term_status term_settings_format(const term_settings *s, term_setting_id id, char *buf, size_t cap);

/*
 * Rules across settings, checked before a changed set is saved:
 *  - an enabled auto-switch slot needs a punch state, and two enabled slots
 *    may not share a time;
 *  - DST on needs both dates set (day != 0) and a start differing from the end;
 *  - DHCP off needs a non-zero IP address.
 * Returns TERM_OK or TERM_ERR_INCONSISTENT, and *bad (optional) the first
 * setting at fault.
 */
term_status term_settings_check(const term_settings *s, term_setting_id *bad);

/*
 * The punch state in force at minute_of_day (0..1439) of the local day:
 * the enabled slot with the latest time not after it, or, before the
 * first slot of the day, the last slot of the previous day. NONE when no
 * slot is enabled.
 */
term_punch_state term_settings_punch_state_at(const term_settings *s, uint32_t minute_of_day);

/*
 * Whether DST is in force at a local standard date and time (month 1..12,
 * day 1..31, minute 0..1439). Periods crossing the new year (southern
 * hemisphere) are handled. 0 when DST is off or its dates are unset.
 */
int term_settings_dst_active(const term_settings *s, uint32_t month, uint32_t day, uint32_t minute);

/*
 * Formats a date with TERM_SETTING_DATE_FORMAT and a time with
 * TERM_SETTING_TIME_24H ("16:43" or "04:43 PM"). Errors:
 * TERM_ERR_INVALID_ARGUMENT, TERM_ERR_TOO_LONG (cap too small; 16 suffices).
 */
term_status term_settings_format_date(const term_settings *s, int year, int month, int day, char *buf, size_t cap);
term_status term_settings_format_time(const term_settings *s, int hour, int minute, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* TERM_SETTINGS_H */
