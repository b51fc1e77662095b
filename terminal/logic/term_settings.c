/*
 * term_settings.c - the settings table, validation and text forms.
 */
#include "term_settings.h"

#include <stdio.h>
#include <string.h>

static const char *const term_punch_choices_[] = {
#define TERM_PUNCH_NAME_(name, num, text) text,
    TERM_PUNCH_STATE_MAP(TERM_PUNCH_NAME_)
#undef TERM_PUNCH_NAME_
};

static const char *const term_date_choices_[] = {
    "YYYY-MM-DD", "YY-MM-DD", "YY/MM/DD", "YYYY/MM/DD", "MM-DD-YY",   "MM/DD/YY", "MM-DD-YYYY",
    "MM/DD/YYYY", "DD-MM-YY", "DD/MM/YY", "DD-MM-YYYY", "DD/MM/YYYY", "YYYYMMDD", "YYMMDD",
};
_Static_assert(sizeof(term_date_choices_) / sizeof(term_date_choices_[0]) == TERM_DATE_FORMAT_COUNT,
               "date format names and enum disagree");

static const char *const term_sensitivity_choices_[] = {"Low", "Mid", "High"};
static const char *const term_fp_image_choices_[] = {"None", "Show for enroll", "Show for match", "Always show"};

#define CH(arr) arr, (uint32_t)(sizeof(arr) / sizeof((arr)[0]))
#define NOCH NULL, 0

static const term_setting_info term_settings_table_[TERM_SETTING_COUNT] = {
#define TERM_SETTING_ROW_(id, name, group, type, zero_off, min, max, def_num, def_text, choices)                       \
    {name, group, type, zero_off, min, max, def_num, def_text, choices},
    TERM_SETTINGS_MAP(TERM_SETTING_ROW_)
#undef TERM_SETTING_ROW_
};

const char *term_punch_state_name(term_punch_state state)
{
    if ((unsigned)state >= TERM_PUNCH_STATE_COUNT) return "?";
    return term_punch_choices_[state];
}

const term_setting_info *term_setting_info_of(term_setting_id id)
{
    if ((unsigned)id >= TERM_SETTING_COUNT) return NULL;
    return &term_settings_table_[id];
}

term_status term_setting_find(const char *name, term_setting_id *out)
{
    if (name == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < TERM_SETTING_COUNT; i++) {
        if (strcmp(term_settings_table_[i].name, name) == 0) {
            *out = (term_setting_id)i;
            return TERM_OK;
        }
    }
    return TERM_ERR_UNKNOWN_SETTING;
}

static int is_text_type(term_setting_type t)
{
    return t == TERM_SET_TEXT || t == TERM_SET_URL;
}

void term_settings_defaults(term_settings *s)
{
    if (s == NULL) return;
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < TERM_SETTING_COUNT; i++) {
        const term_setting_info *row = &term_settings_table_[i];
        if (is_text_type(row->type)) {
            /* The table's defaults are literals shorter than the limit. */
            snprintf(s->text[i], sizeof(s->text[i]), "%s", row->def_text ? row->def_text : "");
        } else {
            s->num[i] = row->def_num;
        }
    }
}

void term_settings_factory_reset(term_settings *s)
{
    term_settings_defaults(s);
}

static int days_in_month(int64_t month)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /* February takes 29: a DST rule date is yearless, so 02-29 must be
     * expressible; the RTC layer decides what it means in other years. */
    return (month >= 1 && month <= 12) ? days[month - 1] : 0;
}

term_status term_setting_validate_num(term_setting_id id, int64_t value)
{
    const term_setting_info *row = term_setting_info_of(id);
    if (row == NULL || is_text_type(row->type)) return TERM_ERR_INVALID_ARGUMENT;
    switch (row->type) {
    case TERM_SET_BOOL:
        return (value == 0 || value == 1) ? TERM_OK : TERM_ERR_OUT_OF_RANGE;
    case TERM_SET_INT:
        if (row->zero_off && value == 0) return TERM_OK;
        return (value >= row->min && value <= row->max) ? TERM_OK : TERM_ERR_OUT_OF_RANGE;
    case TERM_SET_CHOICE:
        return (value >= 0 && value < (int64_t)row->nchoices) ? TERM_OK : TERM_ERR_NOT_IN_CHOICES;
    case TERM_SET_TIME:
        return (value >= 0 && value < 24 * 60) ? TERM_OK : TERM_ERR_BAD_FORMAT;
    case TERM_SET_MONTHDAY: {
        int64_t month = value / 100, day = value % 100;
        if (value < 0 || month < 1 || month > 12 || day > days_in_month(month)) return TERM_ERR_BAD_FORMAT;
        return TERM_OK;
    }
    case TERM_SET_IPV4:
        return (value >= 0 && value <= 0xFFFFFFFFLL) ? TERM_OK : TERM_ERR_OUT_OF_RANGE;
    case TERM_SET_NETMASK: {
        if (value < 0 || value > 0xFFFFFFFFLL) return TERM_ERR_OUT_OF_RANGE;
        /* A mask is ones then zeros: its complement plus one is a power of two. */
        uint32_t inv = ~(uint32_t)value;
        return ((inv & (inv + 1u)) == 0) ? TERM_OK : TERM_ERR_BAD_FORMAT;
    }
    case TERM_SET_TEXT:
    case TERM_SET_URL:
        break;
    }
    return TERM_ERR_INVALID_ARGUMENT;
}

static int printable_utf8(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) return 0;
    }
    return 1;
}

static int valid_url(const char *text)
{
    const char *host;
    if (strncmp(text, "https://", 8) == 0)
        host = text + 8;
    else if (strncmp(text, "http://", 7) == 0)
        host = text + 7;
    else
        return 0;
    if (*host == '\0' || *host == '/' || *host == ':') return 0;
    for (const char *p = host; *p; p++) {
        if (*p == ' ') return 0;
    }
    return 1;
}

term_status term_setting_validate_text(term_setting_id id, const char *value)
{
    const term_setting_info *row = term_setting_info_of(id);
    if (row == NULL || value == NULL || !is_text_type(row->type)) return TERM_ERR_INVALID_ARGUMENT;
    size_t len = strlen(value);
    if (len > (size_t)row->max) return TERM_ERR_TOO_LONG;
    if (!printable_utf8(value)) return TERM_ERR_BAD_FORMAT;
    if (row->type == TERM_SET_URL) return valid_url(value) ? TERM_OK : TERM_ERR_BAD_FORMAT;
    if (len == 0 && (row->zero_off || row->min == 0)) return TERM_OK;
    /* Too short is a range fault (a 5-character WPA2 passphrase). */
    return (len >= (size_t)row->min) ? TERM_OK : TERM_ERR_OUT_OF_RANGE;
}

term_status term_settings_set_num(term_settings *s, term_setting_id id, int64_t value)
{
    if (s == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_status st = term_setting_validate_num(id, value);
    if (st == TERM_OK) s->num[id] = value;
    return st;
}

term_status term_settings_set_text(term_settings *s, term_setting_id id, const char *value)
{
    if (s == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_status st = term_setting_validate_text(id, value);
    if (st == TERM_OK) snprintf(s->text[id], sizeof(s->text[id]), "%s", value);
    return st;
}

int64_t term_settings_get(const term_settings *s, term_setting_id id)
{
    const term_setting_info *row = term_setting_info_of(id);
    if (s == NULL || row == NULL || is_text_type(row->type)) return 0;
    return s->num[id];
}

const char *term_settings_get_text(const term_settings *s, term_setting_id id)
{
    const term_setting_info *row = term_setting_info_of(id);
    if (s == NULL || row == NULL || !is_text_type(row->type)) return "";
    return s->text[id];
}

/* ------------------------------------------------------------------------ */
/* Text forms                                                               */
/* ------------------------------------------------------------------------ */

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b)) return 0;
    }
    return *a == *b;
}

/* Parses exactly digits of [lo, hi] characters; no sign, no spaces. */
static int parse_digits(const char **p, int lo, int hi, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (**p >= '0' && **p <= '9' && n < hi) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < lo) return 0;
    *out = v;
    return 1;
}

static term_status parse_number(const term_setting_info *row, const char *text, int64_t *out)
{
    const char *p = text;
    switch (row->type) {
    case TERM_SET_BOOL:
        if (equal_nocase(text, "on") || equal_nocase(text, "1") || equal_nocase(text, "true") ||
            equal_nocase(text, "yes"))
            *out = 1;
        else if (equal_nocase(text, "off") || equal_nocase(text, "0") || equal_nocase(text, "false") ||
                 equal_nocase(text, "no"))
            *out = 0;
        else
            return TERM_ERR_BAD_FORMAT;
        return TERM_OK;
    case TERM_SET_INT:
        if (row->zero_off &&
            (equal_nocase(text, "none") || equal_nocase(text, "disable") || equal_nocase(text, "off"))) {
            *out = 0;
            return TERM_OK;
        }
        /* Eleven digits are enough for every range and cannot overflow. */
        if (!parse_digits(&p, 1, 11, out) || *p != '\0') return TERM_ERR_BAD_FORMAT;
        return TERM_OK;
    case TERM_SET_CHOICE:
        for (uint32_t i = 0; i < row->nchoices; i++) {
            if (equal_nocase(text, row->choices[i])) {
                *out = i;
                return TERM_OK;
            }
        }
        /* The manual's "Medium" for Mid. */
        if (row->choices == term_sensitivity_choices_ && equal_nocase(text, "Medium")) {
            *out = TERM_SENS_MID;
            return TERM_OK;
        }
        return TERM_ERR_NOT_IN_CHOICES;
    case TERM_SET_TIME: {
        int64_t h, m;
        if (!parse_digits(&p, 2, 2, &h) || *p++ != ':' || !parse_digits(&p, 2, 2, &m) || *p != '\0')
            return TERM_ERR_BAD_FORMAT;
        if (h > 23 || m > 59) return TERM_ERR_BAD_FORMAT;
        *out = h * 60 + m;
        return TERM_OK;
    }
    case TERM_SET_MONTHDAY: {
        int64_t mo, d;
        if (!parse_digits(&p, 2, 2, &mo) || *p++ != '-' || !parse_digits(&p, 2, 2, &d) || *p != '\0')
            return TERM_ERR_BAD_FORMAT;
        *out = mo * 100 + d;
        return TERM_OK;
    }
    case TERM_SET_IPV4:
    case TERM_SET_NETMASK: {
        int64_t v = 0;
        for (int i = 0; i < 4; i++) {
            int64_t octet;
            if (!parse_digits(&p, 1, 3, &octet) || octet > 255) return TERM_ERR_BAD_FORMAT;
            v = (v << 8) | octet;
            if (i < 3 && *p++ != '.') return TERM_ERR_BAD_FORMAT;
        }
        if (*p != '\0') return TERM_ERR_BAD_FORMAT;
        *out = v;
        return TERM_OK;
    }
    case TERM_SET_TEXT:
    case TERM_SET_URL:
        break;
    }
    return TERM_ERR_INVALID_ARGUMENT;
}

term_status term_settings_parse(term_settings *s, const char *name, const char *text)
{
    if (s == NULL || name == NULL || text == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_setting_id id;
    term_status st = term_setting_find(name, &id);
    if (st != TERM_OK) return st;
    const term_setting_info *row = &term_settings_table_[id];
    if (is_text_type(row->type)) return term_settings_set_text(s, id, text);
    int64_t value;
    st = parse_number(row, text, &value);
    if (st != TERM_OK) return st;
    return term_settings_set_num(s, id, value);
}

static term_status put(char *buf, size_t cap, int n)
{
    return (n >= 0 && (size_t)n < cap) ? TERM_OK : TERM_ERR_TOO_LONG;
}

term_status term_settings_format(const term_settings *s, term_setting_id id, char *buf, size_t cap)
{
    const term_setting_info *row = term_setting_info_of(id);
    if (s == NULL || row == NULL || buf == NULL || cap == 0) return TERM_ERR_INVALID_ARGUMENT;
    int64_t v = s->num[id];
    switch (row->type) {
    case TERM_SET_BOOL:
        return put(buf, cap, snprintf(buf, cap, "%s", v ? "on" : "off"));
    case TERM_SET_INT:
        if (row->zero_off && v == 0) return put(buf, cap, snprintf(buf, cap, "none"));
        return put(buf, cap, snprintf(buf, cap, "%lld", (long long)v));
    case TERM_SET_CHOICE:
        if (v < 0 || v >= (int64_t)row->nchoices) return TERM_ERR_INVALID_ARGUMENT;
        return put(buf, cap, snprintf(buf, cap, "%s", row->choices[v]));
    case TERM_SET_TIME:
        return put(buf, cap, snprintf(buf, cap, "%02d:%02d", (int)(v / 60), (int)(v % 60)));
    case TERM_SET_MONTHDAY:
        return put(buf, cap, snprintf(buf, cap, "%02d-%02d", (int)(v / 100), (int)(v % 100)));
    case TERM_SET_IPV4:
    case TERM_SET_NETMASK:
        return put(buf, cap,
                   snprintf(buf, cap, "%u.%u.%u.%u", (unsigned)(v >> 24) & 255u, (unsigned)(v >> 16) & 255u,
                            (unsigned)(v >> 8) & 255u, (unsigned)v & 255u));
    case TERM_SET_TEXT:
    case TERM_SET_URL:
        return put(buf, cap, snprintf(buf, cap, "%s", s->text[id]));
    }
    return TERM_ERR_INVALID_ARGUMENT;
}

/* ------------------------------------------------------------------------ */
/* Rules across settings                                                    */
/* ------------------------------------------------------------------------ */

static term_setting_id as_id(int slot, int field)
{
    /* Each slot is three consecutive rows: time, state, enable. */
    return (term_setting_id)(TERM_SETTING_AS1_TIME + 3 * slot + field);
}

_Static_assert(TERM_SETTING_AS2_TIME == TERM_SETTING_AS1_TIME + 3 &&
                   TERM_SETTING_AS10_ENABLE == TERM_SETTING_AS1_TIME + 29,
               "auto-switch rows must be consecutive triples");

term_status term_settings_check(const term_settings *s, term_setting_id *bad)
{
    term_setting_id dummy;
    if (bad == NULL) bad = &dummy;
    if (s == NULL) return TERM_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < TERM_AUTO_SWITCH_SLOTS; i++) {
        if (!s->num[as_id(i, 2)]) continue;
        if (s->num[as_id(i, 1)] == TERM_PUNCH_NONE) {
            *bad = as_id(i, 1);
            return TERM_ERR_INCONSISTENT;
        }
        for (int j = 0; j < i; j++) {
            if (s->num[as_id(j, 2)] && s->num[as_id(j, 0)] == s->num[as_id(i, 0)]) {
                *bad = as_id(i, 0);
                return TERM_ERR_INCONSISTENT;
            }
        }
    }
    if (s->num[TERM_SETTING_DST_ENABLE]) {
        int64_t start = s->num[TERM_SETTING_DST_START_DATE], end = s->num[TERM_SETTING_DST_END_DATE];
        if (start % 100 == 0) {
            *bad = TERM_SETTING_DST_START_DATE;
            return TERM_ERR_INCONSISTENT;
        }
        if (end % 100 == 0) {
            *bad = TERM_SETTING_DST_END_DATE;
            return TERM_ERR_INCONSISTENT;
        }
        if (start == end && s->num[TERM_SETTING_DST_START_TIME] == s->num[TERM_SETTING_DST_END_TIME]) {
            *bad = TERM_SETTING_DST_END_TIME;
            return TERM_ERR_INCONSISTENT;
        }
    }
    if (!s->num[TERM_SETTING_DHCP] && s->num[TERM_SETTING_IP_ADDRESS] == 0) {
        *bad = TERM_SETTING_IP_ADDRESS;
        return TERM_ERR_INCONSISTENT;
    }
    return TERM_OK;
}

term_punch_state term_settings_punch_state_at(const term_settings *s, uint32_t minute_of_day)
{
    if (s == NULL) return TERM_PUNCH_NONE;
    int best = -1, latest = -1;
    int64_t best_t = -1, latest_t = -1;
    for (int i = 0; i < TERM_AUTO_SWITCH_SLOTS; i++) {
        if (!s->num[as_id(i, 2)] || s->num[as_id(i, 1)] == TERM_PUNCH_NONE) continue;
        int64_t t = s->num[as_id(i, 0)];
        if (t <= (int64_t)minute_of_day && t > best_t) {
            best = i;
            best_t = t;
        }
        if (t > latest_t) {
            latest = i;
            latest_t = t;
        }
    }
    if (best < 0) best = latest; /* before today's first switch: yesterday's last one holds */
    if (best < 0) return TERM_PUNCH_NONE;
    return (term_punch_state)s->num[as_id(best, 1)];
}

int term_settings_dst_active(const term_settings *s, uint32_t month, uint32_t day, uint32_t minute)
{
    if (s == NULL || !s->num[TERM_SETTING_DST_ENABLE]) return 0;
    int64_t start_md = s->num[TERM_SETTING_DST_START_DATE], end_md = s->num[TERM_SETTING_DST_END_DATE];
    if (start_md % 100 == 0 || end_md % 100 == 0) return 0;
    /* Compare as one number: MMDD * 1440 + minute orders a yearless instant. */
    int64_t now = ((int64_t)month * 100 + day) * 1440 + minute;
    int64_t start = start_md * 1440 + s->num[TERM_SETTING_DST_START_TIME];
    int64_t end = end_md * 1440 + s->num[TERM_SETTING_DST_END_TIME];
    if (start < end) return now >= start && now < end;
    return now >= start || now < end; /* the period spans the new year */
}

term_status term_settings_format_date(const term_settings *s, int year, int month, int day, char *buf, size_t cap)
{
    if (s == NULL || buf == NULL || cap == 0 || year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(month))
        return TERM_ERR_INVALID_ARGUMENT;
    int yy = year % 100;
    int n;
    switch ((term_date_format)s->num[TERM_SETTING_DATE_FORMAT]) {
    case TERM_DATE_YYYY_MM_DD:
        n = snprintf(buf, cap, "%04d-%02d-%02d", year, month, day);
        break;
    case TERM_DATE_YY_MM_DD:
        n = snprintf(buf, cap, "%02d-%02d-%02d", yy, month, day);
        break;
    case TERM_DATE_YY_MM_DD_SLASH:
        n = snprintf(buf, cap, "%02d/%02d/%02d", yy, month, day);
        break;
    case TERM_DATE_YYYY_MM_DD_SLASH:
        n = snprintf(buf, cap, "%04d/%02d/%02d", year, month, day);
        break;
    case TERM_DATE_MM_DD_YY:
        n = snprintf(buf, cap, "%02d-%02d-%02d", month, day, yy);
        break;
    case TERM_DATE_MM_DD_YY_SLASH:
        n = snprintf(buf, cap, "%02d/%02d/%02d", month, day, yy);
        break;
    case TERM_DATE_MM_DD_YYYY:
        n = snprintf(buf, cap, "%02d-%02d-%04d", month, day, year);
        break;
    case TERM_DATE_MM_DD_YYYY_SLASH:
        n = snprintf(buf, cap, "%02d/%02d/%04d", month, day, year);
        break;
    case TERM_DATE_DD_MM_YY:
        n = snprintf(buf, cap, "%02d-%02d-%02d", day, month, yy);
        break;
    case TERM_DATE_DD_MM_YY_SLASH:
        n = snprintf(buf, cap, "%02d/%02d/%02d", day, month, yy);
        break;
    case TERM_DATE_DD_MM_YYYY:
        n = snprintf(buf, cap, "%02d-%02d-%04d", day, month, year);
        break;
    case TERM_DATE_DD_MM_YYYY_SLASH:
        n = snprintf(buf, cap, "%02d/%02d/%04d", day, month, year);
        break;
    case TERM_DATE_YYYYMMDD:
        n = snprintf(buf, cap, "%04d%02d%02d", year, month, day);
        break;
    case TERM_DATE_YYMMDD:
        n = snprintf(buf, cap, "%02d%02d%02d", yy, month, day);
        break;
    default:
        return TERM_ERR_INVALID_ARGUMENT;
    }
    return put(buf, cap, n);
}

term_status term_settings_format_time(const term_settings *s, int hour, int minute, char *buf, size_t cap)
{
    if (s == NULL || buf == NULL || cap == 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59)
        return TERM_ERR_INVALID_ARGUMENT;
    if (s->num[TERM_SETTING_TIME_24H]) return put(buf, cap, snprintf(buf, cap, "%02d:%02d", hour, minute));
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return put(buf, cap, snprintf(buf, cap, "%02d:%02d %s", h12, minute, hour < 12 ? "AM" : "PM"));
}
