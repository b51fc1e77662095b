/*
 * test_term_settings.c - the settings table against the user manual
 * (sections 5 and 6): defaults, ranges, text forms, cross-setting rules,
 * auto-switch punch states, DST, factory reset.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <string.h>

#include "term_settings.h"

static term_status set_text_form(term_settings *s, const char *name, const char *text)
{
    return term_settings_parse(s, name, text);
}

static int64_t num_of(const term_settings *s, const char *name)
{
    term_setting_id id;
    assert_int_equal(term_setting_find(name, &id), TERM_OK);
    return term_settings_get(s, id);
}

static void test_status_map(void **state)
{
    (void)state;
    const term_status codes[] = {
#define CODE_(name, num, msg) TERM_##name,
        TERM_STATUS_MAP(CODE_)
#undef CODE_
    };
    size_t n = sizeof(codes) / sizeof(codes[0]);
    for (size_t i = 0; i < n; i++) {
        assert_true(strncmp(term_status_name(codes[i]), "TERM_", 5) == 0);
        assert_true(strlen(term_status_message(codes[i])) > 0);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(term_status_name(codes[i]), term_status_name(codes[j]));
        }
    }
    assert_string_equal(term_status_name(TERM_ERR_OUT_OF_RANGE), "TERM_ERR_OUT_OF_RANGE");
    assert_string_equal(term_status_name((term_status)999), "TERM_UNKNOWN");
}

/* Every row: a valid default, a unique name, and text forms that round-trip. */
static void test_table_rows(void **state)
{
    (void)state;
    term_settings s;
    term_settings_defaults(&s);
    for (int i = 0; i < TERM_SETTING_COUNT; i++) {
        const term_setting_info *row = term_setting_info_of((term_setting_id)i);
        assert_non_null(row);
        term_setting_id found;
        assert_int_equal(term_setting_find(row->name, &found), TERM_OK);
        assert_int_equal(found, i);
        if (row->type == TERM_SET_TEXT || row->type == TERM_SET_URL)
            assert_int_equal(term_setting_validate_text((term_setting_id)i, s.text[i]), TERM_OK);
        else
            assert_int_equal(term_setting_validate_num((term_setting_id)i, s.num[i]), TERM_OK);

        char buf[160];
        assert_int_equal(term_settings_format(&s, (term_setting_id)i, buf, sizeof(buf)), TERM_OK);
        term_settings copy;
        term_settings_defaults(&copy);
        assert_int_equal(term_settings_parse(&copy, row->name, buf), TERM_OK);
        assert_memory_equal(&copy, &s, sizeof(s));
    }
    assert_null(term_setting_info_of(TERM_SETTING_COUNT));
    term_setting_id id;
    assert_int_equal(term_setting_find("no_such_setting", &id), TERM_ERR_UNKNOWN_SETTING);
    assert_int_equal(term_settings_parse(&s, "no_such_setting", "1"), TERM_ERR_UNKNOWN_SETTING);
}

/* The defaults the manual shows or states. */
static void test_manual_defaults(void **state)
{
    (void)state;
    term_settings s;
    term_settings_defaults(&s);
    assert_int_equal(num_of(&s, "time_24h"), 1);
    assert_int_equal(num_of(&s, "date_format"), TERM_DATE_YYYY_MM_DD);
    assert_int_equal(num_of(&s, "duplicate_punch_period"), 0); /* "None" */
    assert_int_equal(num_of(&s, "log_alert"), 0);              /* "Disable" */
    assert_int_equal(num_of(&s, "authentication_timeout"), 3);
    assert_int_equal(num_of(&s, "menu_screen_timeout"), 60);
    assert_int_equal(num_of(&s, "threshold_1_1"), 30);
    assert_int_equal(num_of(&s, "threshold_1_n"), 35);
    assert_int_equal(num_of(&s, "sensitivity"), TERM_SENS_MID);
    assert_int_equal(num_of(&s, "retry_attempts_1_1"), 3);
    assert_int_equal(num_of(&s, "fingerprint_image"), TERM_FP_IMAGE_NONE);
    assert_int_equal(num_of(&s, "wifi_enable"), 1);
    assert_int_equal(num_of(&s, "dhcp"), 1);
    assert_int_equal(num_of(&s, "subnet_mask"), 0xFFFFFF00);
    assert_int_equal(num_of(&s, "ip_address"), 0);
    assert_int_equal(num_of(&s, "developer_mode"), 0);
    assert_int_equal(num_of(&s, "online_update"), 0);
    assert_string_equal(term_settings_get_text(&s, TERM_SETTING_SERVER_ADDRESS), "https://dc.minervalot.com");
    /* Auto switch: slots 1-6 at 01:00..06:00 with the six states, all off. */
    char buf[32];
    for (int n = 1; n <= 10; n++) {
        char name[40];
        snprintf(name, sizeof(name), "auto_switch_%d_time", n);
        assert_int_equal(num_of(&s, name), n <= 6 ? n * 60 : 0);
        snprintf(name, sizeof(name), "auto_switch_%d_enable", n);
        assert_int_equal(num_of(&s, name), 0);
    }
    assert_int_equal(term_settings_format(&s, TERM_SETTING_AS3_STATE, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "Break-Out");
    assert_int_equal(term_settings_format(&s, TERM_SETTING_AS7_STATE, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "None");
    assert_int_equal(term_settings_check(&s, NULL), TERM_OK);
}

struct range_case {
    const char *name;
    const char *text;
    term_status expect;
};

/* The manual's ranges, at and across each edge. */
static void test_ranges(void **state)
{
    (void)state;
    static const struct range_case cases[] = {
        {"authentication_timeout", "0", TERM_ERR_OUT_OF_RANGE},
        {"authentication_timeout", "1", TERM_OK},
        {"authentication_timeout", "9", TERM_OK},
        {"authentication_timeout", "10", TERM_ERR_OUT_OF_RANGE},
        {"menu_screen_timeout", "0", TERM_OK},
        {"menu_screen_timeout", "59", TERM_ERR_OUT_OF_RANGE},
        {"menu_screen_timeout", "60", TERM_OK},
        {"menu_screen_timeout", "99999", TERM_OK},
        {"menu_screen_timeout", "100000", TERM_ERR_OUT_OF_RANGE},
        {"duplicate_punch_period", "none", TERM_OK},
        {"duplicate_punch_period", "1", TERM_OK},
        {"duplicate_punch_period", "999999", TERM_OK},
        {"duplicate_punch_period", "1000000", TERM_ERR_OUT_OF_RANGE},
        {"duplicate_punch_period", "-1", TERM_ERR_BAD_FORMAT},
        {"log_alert", "disable", TERM_OK},
        {"log_alert", "9999", TERM_OK},
        {"log_alert", "10000", TERM_ERR_OUT_OF_RANGE},
        {"volume", "0", TERM_OK},
        {"volume", "100", TERM_OK},
        {"volume", "101", TERM_ERR_OUT_OF_RANGE},
        {"volume", "none", TERM_ERR_BAD_FORMAT}, /* volume has no "off" value */
        {"volume", "5x", TERM_ERR_BAD_FORMAT},
        {"volume", "", TERM_ERR_BAD_FORMAT},
        {"retry_attempts_1_1", "0", TERM_ERR_OUT_OF_RANGE},
        {"retry_attempts_1_1", "9", TERM_OK},
        {"threshold_1_n", "9", TERM_ERR_OUT_OF_RANGE},
        {"threshold_1_n", "99", TERM_OK},
        {"sensitivity", "High", TERM_OK},
        {"sensitivity", "medium", TERM_OK},
        {"sensitivity", "extreme", TERM_ERR_NOT_IN_CHOICES},
        {"fingerprint_image", "Always show", TERM_OK},
        {"date_format", "DD/MM/YYYY", TERM_OK},
        {"date_format", "YYYY.MM.DD", TERM_ERR_NOT_IN_CHOICES},
        {"time_24h", "maybe", TERM_ERR_BAD_FORMAT},
        {"auto_switch_1_time", "08:30", TERM_OK},
        {"auto_switch_1_time", "24:00", TERM_ERR_BAD_FORMAT},
        {"auto_switch_1_time", "8:30", TERM_ERR_BAD_FORMAT},
        {"auto_switch_1_state", "OT-Out", TERM_OK},
        {"dst_start_date", "02-29", TERM_OK},
        {"dst_start_date", "02-30", TERM_ERR_BAD_FORMAT},
        {"dst_start_date", "13-01", TERM_ERR_BAD_FORMAT},
        {"dst_start_date", "00-10", TERM_ERR_BAD_FORMAT},
        {"ip_address", "192.168.138.88", TERM_OK},
        {"ip_address", "192.168.1.300", TERM_ERR_BAD_FORMAT},
        {"ip_address", "1.2.3", TERM_ERR_BAD_FORMAT},
        {"ip_address", "1.2.3.4.5", TERM_ERR_BAD_FORMAT},
        {"subnet_mask", "255.255.0.0", TERM_OK},
        {"subnet_mask", "255.0.255.0", TERM_ERR_BAD_FORMAT},
        {"wifi_password", "", TERM_OK},
        {"wifi_password", "short", TERM_ERR_OUT_OF_RANGE},
        {"wifi_password", "8charsok", TERM_OK},
        {"wifi_password", "0123456789012345678901234567890123456789012345678901234567890123", TERM_ERR_TOO_LONG},
        {"wifi_ssid", "IoT-Connect", TERM_OK},
        {"wifi_ssid", "tab\there", TERM_ERR_BAD_FORMAT},
        {"server_address", "https://example.org/adms", TERM_OK},
        {"server_address", "ftp://example.org", TERM_ERR_BAD_FORMAT},
        {"server_address", "https://", TERM_ERR_BAD_FORMAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        term_settings s, before;
        term_settings_defaults(&s);
        before = s;
        term_status st = set_text_form(&s, cases[i].name, cases[i].text);
        if (st != cases[i].expect)
            fail_msg("%s = \"%s\": got %s, want %s", cases[i].name, cases[i].text, term_status_name(st),
                     term_status_name(cases[i].expect));
        if (st != TERM_OK) /* a refused value changes nothing */
            assert_memory_equal(&s, &before, sizeof(s));
    }
    term_settings s;
    term_settings_defaults(&s);
    assert_int_equal(term_settings_set_num(&s, TERM_SETTING_WIFI_SSID, 1), TERM_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_settings_set_text(&s, TERM_SETTING_VOLUME, "1"), TERM_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_settings_set_num(&s, TERM_SETTING_COUNT, 1), TERM_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_settings_parse(&s, "auto_switch_1_time", "08:30"), TERM_OK);
    assert_int_equal(s.num[TERM_SETTING_AS1_TIME], 8 * 60 + 30);
}

static void test_cross_rules(void **state)
{
    (void)state;
    term_settings s;
    term_setting_id bad;
    term_settings_defaults(&s);
    /* An enabled slot without a state. */
    assert_int_equal(term_settings_parse(&s, "auto_switch_7_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_check(&s, &bad), TERM_ERR_INCONSISTENT);
    assert_int_equal(bad, TERM_SETTING_AS7_STATE);
    assert_int_equal(term_settings_parse(&s, "auto_switch_7_state", "Check-In"), TERM_OK);
    assert_int_equal(term_settings_check(&s, NULL), TERM_OK);
    /* Two enabled slots at one time. */
    assert_int_equal(term_settings_parse(&s, "auto_switch_1_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_7_time", "01:00"), TERM_OK);
    assert_int_equal(term_settings_check(&s, &bad), TERM_ERR_INCONSISTENT);
    assert_int_equal(bad, TERM_SETTING_AS7_TIME);

    /* DST on with the manual's unset default dates "01-00". */
    term_settings_defaults(&s);
    assert_int_equal(term_settings_parse(&s, "dst_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_check(&s, &bad), TERM_ERR_INCONSISTENT);
    assert_int_equal(bad, TERM_SETTING_DST_START_DATE);
    assert_int_equal(term_settings_parse(&s, "dst_start_date", "03-29"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_end_date", "03-29"), TERM_OK);
    assert_int_equal(term_settings_check(&s, &bad), TERM_ERR_INCONSISTENT);
    assert_int_equal(bad, TERM_SETTING_DST_END_TIME);
    assert_int_equal(term_settings_parse(&s, "dst_end_date", "10-25"), TERM_OK);
    assert_int_equal(term_settings_check(&s, NULL), TERM_OK);

    /* Static addressing needs an address. */
    term_settings_defaults(&s);
    assert_int_equal(term_settings_parse(&s, "dhcp", "off"), TERM_OK);
    assert_int_equal(term_settings_check(&s, &bad), TERM_ERR_INCONSISTENT);
    assert_int_equal(bad, TERM_SETTING_IP_ADDRESS);
    assert_int_equal(term_settings_parse(&s, "ip_address", "192.168.138.88"), TERM_OK);
    assert_int_equal(term_settings_check(&s, NULL), TERM_OK);
}

static void test_punch_state_auto_switch(void **state)
{
    (void)state;
    term_settings s;
    term_settings_defaults(&s);
    assert_int_equal(term_settings_punch_state_at(&s, 600), TERM_PUNCH_NONE);
    assert_int_equal(term_settings_parse(&s, "auto_switch_1_time", "08:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_1_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_2_time", "17:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_2_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_3_time", "12:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_3_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_punch_state_at(&s, 7 * 60 + 59), TERM_PUNCH_CHECK_OUT); /* yesterday's last */
    assert_int_equal(term_settings_punch_state_at(&s, 8 * 60), TERM_PUNCH_CHECK_IN);
    assert_int_equal(term_settings_punch_state_at(&s, 11 * 60 + 59), TERM_PUNCH_CHECK_IN);
    assert_int_equal(term_settings_punch_state_at(&s, 12 * 60), TERM_PUNCH_BREAK_OUT);
    assert_int_equal(term_settings_punch_state_at(&s, 17 * 60), TERM_PUNCH_CHECK_OUT);
    assert_int_equal(term_settings_punch_state_at(&s, 1439), TERM_PUNCH_CHECK_OUT);
    /* A disabled slot has no effect. */
    assert_int_equal(term_settings_parse(&s, "auto_switch_3_enable", "off"), TERM_OK);
    assert_int_equal(term_settings_punch_state_at(&s, 12 * 60), TERM_PUNCH_CHECK_IN);
    assert_string_equal(term_punch_state_name(TERM_PUNCH_OT_IN), "OT-In");
    assert_string_equal(term_punch_state_name((term_punch_state)42), "?");
}

static void test_dst(void **state)
{
    (void)state;
    term_settings s;
    term_settings_defaults(&s);
    assert_int_equal(term_settings_dst_active(&s, 7, 1, 0), 0); /* off by default */
    assert_int_equal(term_settings_parse(&s, "dst_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_dst_active(&s, 7, 1, 0), 0); /* dates unset */
    assert_int_equal(term_settings_parse(&s, "dst_start_date", "03-29"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_start_time", "02:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_end_date", "10-25"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_end_time", "03:00"), TERM_OK);
    assert_int_equal(term_settings_dst_active(&s, 3, 29, 119), 0);
    assert_int_equal(term_settings_dst_active(&s, 3, 29, 120), 1);
    assert_int_equal(term_settings_dst_active(&s, 7, 1, 0), 1);
    assert_int_equal(term_settings_dst_active(&s, 10, 25, 179), 1);
    assert_int_equal(term_settings_dst_active(&s, 10, 25, 180), 0);
    assert_int_equal(term_settings_dst_active(&s, 12, 25, 600), 0);
    /* Southern hemisphere: October to April. */
    assert_int_equal(term_settings_parse(&s, "dst_start_date", "10-04"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_end_date", "04-05"), TERM_OK);
    assert_int_equal(term_settings_dst_active(&s, 12, 25, 600), 1);
    assert_int_equal(term_settings_dst_active(&s, 2, 1, 600), 1);
    assert_int_equal(term_settings_dst_active(&s, 6, 1, 600), 0);
}

static void test_date_time_format(void **state)
{
    (void)state;
    term_settings s;
    char buf[32];
    term_settings_defaults(&s);
    assert_int_equal(term_settings_format_date(&s, 2024, 10, 25, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "2024-10-25");
    const char *want[TERM_DATE_FORMAT_COUNT] = {"2024-10-25", "24-10-25",   "24/10/25",   "2024/10/25", "10-25-24",
                                                "10/25/24",   "10-25-2024", "10/25/2024", "25-10-24",   "25/10/24",
                                                "25-10-2024", "25/10/2024", "20241025",   "241025"};
    for (int f = 0; f < TERM_DATE_FORMAT_COUNT; f++) {
        assert_int_equal(term_settings_set_num(&s, TERM_SETTING_DATE_FORMAT, f), TERM_OK);
        assert_int_equal(term_settings_format_date(&s, 2024, 10, 25, buf, sizeof(buf)), TERM_OK);
        assert_string_equal(buf, want[f]);
    }
    assert_int_equal(term_settings_format_date(&s, 2024, 2, 30, buf, sizeof(buf)), TERM_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_settings_format_date(&s, 2024, 10, 25, buf, 4), TERM_ERR_TOO_LONG);

    assert_int_equal(term_settings_format_time(&s, 16, 43, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "16:43");
    assert_int_equal(term_settings_parse(&s, "time_24h", "off"), TERM_OK);
    assert_int_equal(term_settings_format_time(&s, 16, 43, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "04:43 PM");
    assert_int_equal(term_settings_format_time(&s, 0, 5, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "12:05 AM");
    assert_int_equal(term_settings_format_time(&s, 12, 0, buf, sizeof(buf)), TERM_OK);
    assert_string_equal(buf, "12:00 PM");
}

/* Manual 6.8: factory reset restores every setting (the clock is not one). */
static void test_factory_reset(void **state)
{
    (void)state;
    term_settings s, fresh;
    term_settings_defaults(&fresh);
    term_settings_defaults(&s);
    assert_int_equal(term_settings_parse(&s, "authentication_timeout", "7"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "time_24h", "off"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "date_format", "DD/MM/YYYY"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "wifi_ssid", "Connect3"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dhcp", "off"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "ip_address", "10.0.0.9"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "server_address", "https://example.org"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_4_enable", "on"), TERM_OK);
    assert_memory_not_equal(&s, &fresh, sizeof(s));
    term_settings_factory_reset(&s);
    assert_memory_equal(&s, &fresh, sizeof(s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_map),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_manual_defaults),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_cross_rules),
        cmocka_unit_test(test_punch_state_auto_switch),
        cmocka_unit_test(test_dst),
        cmocka_unit_test(test_date_time_format),
        cmocka_unit_test(test_factory_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
