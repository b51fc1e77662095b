/*
 * test_term_app.c - the application through its API on the simulator HAL:
 * argument checks, the screen model and display calls, hooks for other
 * layers, enrolment and 1:N with engine templates (no images), settings and
 * users surviving a restart, the menu timeout, alphanumeric ids typed with
 * the input method over the verification screens.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, mount namespaces (term_test_fs.h) */
#endif
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "term_app.h"
#include "term_hal_sim.h"
#include "term_test_fs.h"

typedef struct hooks_seen {
    int users, records, settings, cleared;
    char last_uid[TERM_USER_ID_MAX + 1];
    int64_t last_record_id;
} hooks_seen;

typedef struct fixture {
    char dir[64], db[128], key[128];
    term_hal_sim sim;
    term_app_config cfg;
    term_app *app;
    hooks_seen seen;
} fixture;

static void on_user(void *ctx, const char *uid)
{
    hooks_seen *h = ctx;
    h->users++;
    snprintf(h->last_uid, sizeof(h->last_uid), "%s", uid);
}
static void on_record(void *ctx, int64_t id, const term_record *rec)
{
    hooks_seen *h = ctx;
    (void)rec;
    h->records++;
    h->last_record_id = id;
}
static void on_settings(void *ctx)
{
    ((hooks_seen *)ctx)->settings++;
}
static void on_cleared(void *ctx)
{
    ((hooks_seen *)ctx)->cleared++;
}

static void start(fixture *fx)
{
    term_app_config_init(&fx->cfg);
    fx->cfg.store.db_path = fx->db;
    fx->cfg.store.key_path = fx->key;
    fx->cfg.store.create_key = 1;
    fx->cfg.store.profile.pin_iterations = 1000; /* keep the test fast */
    term_hal_sim_bind(&fx->sim, &fx->cfg.hal);
    fx->cfg.hooks = (term_app_hooks){&fx->seen, on_user, on_record, on_settings, on_cleared, NULL, NULL, NULL};
    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_term_app_XXXXXX");
    if (!fx || !mkdtemp(fx->dir)) return -1;
    snprintf(fx->db, sizeof(fx->db), "%s/t.db", fx->dir);
    snprintf(fx->key, sizeof(fx->key), "%s/t.key", fx->dir);
    term_hal_sim_init(&fx->sim, 1729874580); /* 2024-10-25 16:43:00 */
    start(fx);
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_app_destroy(fx->app);
    /* the database, its key, and what the recovery tests leave: damaged copies set aside, USB exports */
    nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

static void key(fixture *fx, term_key k)
{
    term_hal_sim_advance(&fx->sim, 100);
    term_app_input in = {.type = TERM_IN_KEY, .key = k};
    assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
}

static void keys(fixture *fx, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case 'O':
            key(fx, TERM_KEY_OK);
            break;
        case 'E':
            key(fx, TERM_KEY_ESC);
            break;
        case 'U':
            key(fx, TERM_KEY_UP);
            break;
        case 'D':
            key(fx, TERM_KEY_DOWN);
            break;
        case '<':
            key(fx, TERM_KEY_LEFT);
            break;
        case '>':
            key(fx, TERM_KEY_RIGHT);
            break;
        case ' ':
            term_hal_sim_advance(&fx->sim, 1500);
            break;
        default:
            key(fx, (term_key)(TERM_KEY_0 + (*s - '0')));
            break;
        }
    }
}

static void wait_s(fixture *fx, unsigned s)
{
    for (unsigned i = 0; i < s; i++) {
        term_hal_sim_advance(&fx->sim, 1000);
        term_app_input in = {.type = TERM_IN_TICK};
        assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
    }
}

static term_scr_id screen(fixture *fx)
{
    term_screen_model m;
    term_app_screen(fx->app, &m);
    return m.id;
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Finger `seed`, press `press`: 40 minutiae, later presses shifted and jittered. */
static fp_template *finger(uint32_t seed, uint32_t press)
{
    fp_minutia m[40];
    uint32_t x = seed * 2654435761u + 7, p = press * 40503u + 11;
    int dx = press ? (int)(lcg(&p) % 9) - 4 : 0, dy = press ? (int)(lcg(&p) % 9) - 4 : 0;
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        int mx = 40 + (int)(lcg(&x) % 220), my = 40 + (int)(lcg(&x) % 300);
        uint8_t angle = (uint8_t)lcg(&x);
        uint8_t type = (uint8_t)(1 + lcg(&x) % 2);
        m[n].x = (uint16_t)(mx + dx + (press ? (int)(lcg(&p) % 3) - 1 : 0));
        m[n].y = (uint16_t)(my + dy + (press ? (int)(lcg(&p) % 3) - 1 : 0));
        m[n].angle = angle;
        m[n].type = type;
        m[n].quality = 80;
        m[n].reserved = 0;
        n++;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(320, 400, 500, m, n, 70, &t), FP_OK);
    return t;
}

static void present(fixture *fx, uint32_t seed, uint32_t press)
{
    fp_template *t = finger(seed, press);
    term_hal_sim_advance(&fx->sim, 100);
    term_app_input in = {.type = TERM_IN_FINGER_TEMPLATE, .tmpl = t};
    assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
    fp_template_destroy(t);
}

static void test_arguments(void **state)
{
    fixture *fx = *state;
    term_app *app = NULL;
    term_app_config cfg;
    term_app_config_init(&cfg);
    assert_int_equal(term_app_create(&cfg, &app), TERM_ERR_INVALID_ARGUMENT); /* no clock */
    assert_null(app);
    assert_int_equal(term_app_create(NULL, &app), TERM_ERR_INVALID_ARGUMENT);
    term_app_destroy(NULL);
    assert_int_equal(term_app_event(fx->app, NULL), TERM_ERR_INVALID_ARGUMENT);
    term_app_input bad = {.type = (term_app_input_type)99};
    assert_int_equal(term_app_event(fx->app, &bad), TERM_ERR_INVALID_ARGUMENT);
    term_app_input badkey = {.type = TERM_IN_KEY, .key = (term_key)77};
    assert_int_equal(term_app_event(fx->app, &badkey), TERM_ERR_INVALID_ARGUMENT);
    /* a finger input without a template is a retry, not a crash */
    term_app_input nofinger = {.type = TERM_IN_FINGER_TEMPLATE};
    assert_int_equal(term_app_event(fx->app, &nofinger), TERM_OK);
    /* a store that cannot be opened: the terminal starts on the storage-error screen and writes nothing */
    term_app_config_init(&cfg);
    term_hal_sim_bind(&fx->sim, &cfg.hal);
    cfg.store.db_path = "/nonexistent-dir/x.db";
    cfg.store.key_path = "/nonexistent-dir/x.key";
    cfg.store.create_key = 1;
    assert_int_equal(term_app_create(&cfg, &app), TERM_OK);
    assert_int_equal(term_app_fault(app), TERM_ERR_IO);
    assert_null(term_app_store(app));
    term_screen_model m;
    term_app_screen(app, &m);
    assert_int_equal(m.id, TERM_SCR_STORAGE_ERROR);
    term_app_input swipe = {.type = TERM_IN_CARD, .card = 5};
    assert_int_equal(term_app_event(app, &swipe), TERM_OK);
    term_app_screen(app, &m);
    assert_int_equal(m.id, TERM_SCR_STORAGE_ERROR);
    term_app_destroy(app);
    app = NULL;
    cfg.store.db_path = NULL;
    assert_int_equal(term_app_create(&cfg, &app), TERM_ERR_INVALID_ARGUMENT);
    assert_null(app);
    assert_string_equal(term_scr_id_name(TERM_SCR_MAIN_MENU), "main_menu");
    assert_int_equal(term_scr_id_from_name("record_detail"), TERM_SCR_RECORD_DETAIL);
    assert_int_equal(term_scr_id_from_name("nope"), -1);
    assert_string_equal(term_scr_id_name((term_scr_id)999), "?");
}

static void test_standby_model_and_display(void **state)
{
    fixture *fx = *state;
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_STANDBY);
    assert_int_equal(m.kind, TERM_BODY_STANDBY);
    assert_string_equal(m.body.standby.time, "16:43");
    assert_string_equal(m.status.date, "2024-10-25");
    assert_string_equal(m.body.standby.date, "2024-10-25 Friday");
    assert_string_equal(m.hint, "Administrator not set");
    assert_int_equal(m.status.wifi, TERM_LINK_DOWN);
    uint32_t frames = fx->sim.frames;
    assert_true(frames >= 1);
    assert_int_equal(fx->sim.shown.id, TERM_SCR_STANDBY);
    key(fx, TERM_KEY_OK);
    assert_int_equal(fx->sim.frames, frames + 1);
    assert_int_equal(fx->sim.shown.id, TERM_SCR_MAIN_MENU);
    assert_int_equal(fx->sim.shown.kind, TERM_BODY_LIST);
    assert_int_equal(fx->sim.shown.body.list.total, 7);
    assert_string_equal(fx->sim.shown.body.list.items[6].text, "Sys. Info.");
    assert_true(fx->sim.beeps >= 1);
    /* the keypad HAL feeds the app through term_app_poll */
    term_hal_sim_push_key(&fx->sim, TERM_KEY_ESC);
    assert_int_equal(term_app_poll(fx->app), 1);
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
}

static void test_enrol_identify_and_hooks(void **state)
{
    fixture *fx = *state;
    keys(fx, "OOOO"); /* menu, User Mgt., New User, create user 1 */
    assert_int_equal(screen(fx), TERM_SCR_USER_EDIT);
    assert_int_equal(fx->seen.users, 1);
    assert_string_equal(fx->seen.last_uid, "1");
    keys(fx, "DDDO"); /* Fingerprint */
    assert_int_equal(screen(fx), TERM_SCR_ENROLL_FINGER);
    /* the counter says how many presses were taken; the text says only what to do, so they never disagree
     * (the screen once said "Press the same finger 2/3" beside a 1/3 counter) */
    term_screen_model m;
    static const char *const ask[2] = {"Press the finger", "Press the same finger again"};
    for (uint32_t i = 0; i < 2; i++) {
        term_app_screen(fx->app, &m);
        assert_int_equal(m.kind, TERM_BODY_PROGRESS);
        assert_int_equal(m.body.progress.done, i);
        assert_int_equal(m.body.progress.total, 3);
        assert_string_equal(m.body.progress.text, ask[i]);
        present(fx, 5, i);
    }
    present(fx, 5, 2);
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_MESSAGE);
    assert_string_equal(m.body.message.lines[0], "Enrolled successfully");
    assert_int_equal(fx->seen.users, 2);
    keys(fx, "OEEE");
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
    /* 1:N: the same finger verifies, another does not */
    present(fx, 5, 3);
    assert_int_equal(screen(fx), TERM_SCR_VERIFIED);
    assert_int_equal(fx->seen.records, 1);
    assert_true(fx->seen.last_record_id > 0);
    wait_s(fx, 4);
    present(fx, 77, 0);
    assert_int_equal(screen(fx), TERM_SCR_FAILED);
    assert_int_equal(fx->seen.records, 1);
    wait_s(fx, 11);
    /* Data Mgt.: delete the records, the hook says so */
    keys(fx, "ODDDOO");
    assert_int_equal(screen(fx), TERM_SCR_CONFIRM);
    assert_int_equal(fx->seen.cleared, 0);
    keys(fx, "O");
    assert_int_equal(fx->seen.cleared, 1);
    term_store_counts c;
    assert_int_equal(term_store_counts_get(term_app_store(fx->app), &c), TERM_OK);
    assert_int_equal(c.records, 0);
    assert_int_equal(c.fingers, 1);
    /* the card lookup the user form shows */
    term_store *st = term_app_store(fx->app);
    uint64_t card = 0;
    assert_int_equal(term_store_card_get(st, "1", &card), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_card_set(st, "1", 0x1234567890ull), TERM_OK);
    assert_int_equal(term_store_card_get(st, "1", &card), TERM_OK);
    assert_int_equal(card, 0x1234567890ull);
    assert_int_equal(term_store_card_get(st, "nobody", &card), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_card_get(st, NULL, &card), TERM_ERR_INVALID_ARGUMENT);
}

static void test_settings_survive_restart(void **state)
{
    fixture *fx = *state;
    keys(fx, "ODDO");   /* System */
    keys(fx, "DO");     /* Attendance */
    keys(fx, "DDDO7O"); /* Authentication Timeout 7 */
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_AUTH_TIMEOUT), 7);
    assert_int_equal(fx->seen.settings, 1);
    keys(fx, "DO0O"); /* Menu Screen Timeout 0: never */
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_MENU_TIMEOUT), 0);
    wait_s(fx, 120);
    assert_int_equal(screen(fx), TERM_SCR_ATTENDANCE);
    keys(fx, "EEUUOOO"); /* back to the main menu, User Mgt., New User, create */
    assert_int_equal(screen(fx), TERM_SCR_USER_EDIT);
    term_app_destroy(fx->app);
    fx->app = NULL;
    start(fx);
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_AUTH_TIMEOUT), 7);
    term_store_counts c;
    assert_int_equal(term_store_counts_get(term_app_store(fx->app), &c), TERM_OK);
    assert_int_equal(c.users, 1);
    assert_true(c.oplog >= 4);
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
}

static void test_alphanumeric_id_typed_over_verification(void **state)
{
    fixture *fx = *state;
    keys(fx, "ODDODO"); /* System, Attendance */
    keys(fx, "DO");     /* Alphanumeric User ID on */
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_ALNUM_USER_ID), 1);
    keys(fx, "EEUUO"); /* back to Main Menu, User Mgt. */
    assert_int_equal(screen(fx), TERM_SCR_USER_MENU);
    keys(fx, "O<>>2 22"); /* New User: clear the id, abc, "ab" */
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_string_equal(m.body.field.value, "ab");
    assert_string_equal(m.body.field.mode, "abc");
    keys(fx, " EO"); /* create user "ab" */
    assert_int_equal(screen(fx), TERM_SCR_USER_EDIT);
    keys(fx, "DDDDDO1234OOEEE"); /* password 1234 */
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
    /* at standby: > opens the input method for the id */
    keys(fx, ">>2 22 ");
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_ENTER_USER_ID);
    assert_string_equal(m.body.field.value, "ab");
    keys(fx, "EO"); /* close the method, submit */
    assert_int_equal(screen(fx), TERM_SCR_ENTER_PIN);
    keys(fx, "1234O");
    assert_int_equal(screen(fx), TERM_SCR_VERIFIED);
    wait_s(fx, 4);
    /* slow typing: 6 s between letters, over the machine's 10 s input timeout, still works */
    keys(fx, ">>2");
    wait_s(fx, 6);
    keys(fx, "22");
    wait_s(fx, 6);
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_ENTER_USER_ID);
    assert_string_equal(m.body.field.value, "ab");
    keys(fx, "EO");
    assert_int_equal(screen(fx), TERM_SCR_ENTER_PIN);
    /* an abandoned input method gives up 10 s after the last key, without a beep */
    keys(fx, ">>5");
    uint32_t beeps = fx->sim.beeps;
    wait_s(fx, 9);
    assert_int_equal(screen(fx), TERM_SCR_ENTER_PIN);
    wait_s(fx, 2);
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
    assert_int_equal(fx->sim.beeps, beeps);
}

static void test_daylight_saving_time(void **state)
{
    fixture *fx = *state;
    term_settings s;
    assert_int_equal(term_store_settings_load(term_app_store(fx->app), &s), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_start_date", "03-29"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "dst_end_date", "10-26"), TERM_OK);
    assert_int_equal(term_store_settings_save(term_app_store(fx->app), &s), TERM_OK);
    term_app_destroy(fx->app);
    fx->app = NULL;
    start(fx);
    /* 2024-10-25 16:43 standard time is inside the period: shown an hour ahead */
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_string_equal(m.status.time, "17:43");
    /* a punch is recorded in the time shown */
    keys(fx, "OOOODDDDO");
    term_app_input card = {.type = TERM_IN_CARD, .card = 42};
    assert_int_equal(term_app_event(fx->app, &card), TERM_OK);
    keys(fx, "OEEE");
    assert_int_equal(term_app_event(fx->app, &card), TERM_OK);
    assert_int_equal(screen(fx), TERM_SCR_VERIFIED);
    int64_t last = 0;
    assert_int_equal(term_store_record_last(term_app_store(fx->app), "1", &last), TERM_OK);
    assert_int_equal(last % 86400 / 60, 17 * 60 + 43);
    /* setting the time to 18:00 local keeps the RTC in standard time */
    wait_s(fx, 4);
    keys(fx, "ODDOOD"); /* System, Date/Time, Set Time */
    keys(fx, "O18>00>00O");
    assert_int_equal((fx->sim.wall + (int64_t)(fx->sim.mono_ms / 1000)) % 86400 / 60, 17 * 60);
    term_app_screen(fx->app, &m);
    assert_string_equal(m.status.time, "18:00");
}

static int never_bound(void *ctx)
{
    (void)ctx;
    return 0;
}

static void test_first_boot_respects_the_administrator(void **state)
{
    fixture *fx = *state;
    /* an administrator first */
    keys(fx, "OOOODDODOEEE");
    term_store_counts c;
    assert_int_equal(term_store_counts_get(term_app_store(fx->app), &c), TERM_OK);
    assert_int_equal(c.admins, 1);
    term_app_destroy(fx->app);
    fx->app = NULL;
    start(fx);
    /* restart unbound: the Wi-Fi shortcut, but M/OK asks for the administrator */
    term_app_destroy(fx->app);
    fx->app = NULL;
    term_app_config cfg = fx->cfg;
    cfg.hooks.is_bound = never_bound;
    assert_int_equal(term_app_create(&cfg, &fx->app), TERM_OK);
    assert_int_equal(screen(fx), TERM_SCR_WIFI_SHORTCUT);
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx), TERM_SCR_ADMIN_VERIFY);
    wait_s(fx, 11);
    assert_int_equal(screen(fx), TERM_SCR_WIFI_SHORTCUT);
    /* linked: the QR code carries the serial number when no bind_code hook is given */
    fx->sim.link.wifi_connected = 1;
    wait_s(fx, 1);
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_QR_BIND);
    assert_int_equal(m.kind, TERM_BODY_QR);
    assert_string_equal(m.body.qr.payload, "unknown");
    key(fx, TERM_KEY_ESC);
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
}

/* ------------------------------------------------------------------------ */
/* New User ids (issue 17)                                                  */
/* ------------------------------------------------------------------------ */

static void expect_field(fixture *fx, const char *want)
{
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_USER_NEW);
    assert_string_equal(m.body.field.value, want);
}

static void expect_line(fixture *fx, term_scr_id id, const char *line)
{
    term_screen_model m;
    term_app_screen(fx->app, &m);
    if (m.id != id) fail_msg("screen %s, want %s", term_scr_id_name(m.id), term_scr_id_name(id));
    for (uint32_t i = 0; i < m.body.message.line_count; i++)
        if (strcmp(m.body.message.lines[i], line) == 0) return;
    fail_msg("no line \"%s\" on %s (first: \"%s\")", line, term_scr_id_name(m.id), m.body.message.lines[0]);
}

static void raw_sql(fixture *fx, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(term_store_db(term_app_store(fx->app)), sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static void test_new_user_id(void **state)
{
    fixture *fx = *state;
    keys(fx, "OOO"); /* menu (no administrator yet), User Mgt., New User */
    expect_field(fx, "1");
    keys(fx, "42"); /* the first digit replaces the suggestion: 42, not 142 */
    expect_field(fx, "42");
    keys(fx, "O");
    assert_int_equal(screen(fx), TERM_SCR_USER_EDIT);
    assert_string_equal(fx->seen.last_uid, "42");
    keys(fx, "EO"); /* User Mgt., New User: one more than the highest */
    expect_field(fx, "43");
    keys(fx, "007O"); /* "007" is user 7 */
    assert_int_equal(screen(fx), TERM_SCR_USER_EDIT);
    assert_string_equal(fx->seen.last_uid, "7");
    keys(fx, "EO07O"); /* "07" is the same user */
    expect_line(fx, TERM_SCR_MESSAGE, "a user with this id already exists");
    keys(fx, "OO0O"); /* out of range */
    expect_line(fx, TERM_SCR_MESSAGE, "a numeric user id must be 1-999999999");
    keys(fx, "OO1234567890"); /* nine digits at most */
    expect_field(fx, "123456789");
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_string_equal(m.body.field.hint, "field is full");
    keys(fx, "E");
    assert_int_equal(screen(fx), TERM_SCR_USER_MENU);
    /* The highest id taken: the suggestion is the lowest free id, it never passes the range or wraps. */
    term_user top = {.id = "999999999", .name = "Top", .privilege = TERM_PRIV_USER};
    assert_int_equal(term_store_user_add(term_app_store(fx->app), &top), TERM_OK);
    keys(fx, "O");
    expect_field(fx, "1");
    keys(fx, "E");
    /* an id beyond the range kept from earlier firmware (2^64-1) does not make it wrap to 0 */
    raw_sql(fx, "INSERT INTO users (id, name, privilege) VALUES ('18446744073709551615', 'Old', 0)");
    raw_sql(fx, "DELETE FROM users WHERE id = '999999999'");
    keys(fx, "O");
    expect_field(fx, "43");
    keys(fx, ">"); /* opening the input method keeps the suggestion selected */
    keys(fx, "5O");
    assert_string_equal(fx->seen.last_uid, "5");
}

/* ------------------------------------------------------------------------ */
/* Storage full: punches say so, nothing stored is lost (issue 17)          */
/* ------------------------------------------------------------------------ */

static void tick_app(fixture *fx, term_app *app, uint64_t ms)
{
    term_hal_sim_advance(&fx->sim, ms);
    term_app_input in = {.type = TERM_IN_TICK};
    term_app_event(app, &in);
}

static term_scr_id swipe(term_app *app, uint64_t card, term_screen_model *m)
{
    term_app_input in = {.type = TERM_IN_CARD, .card = card};
    term_app_event(app, &in);
    term_app_screen(app, m);
    return m->id;
}

/* Runs in a child with the database on a small tmpfs: 0 when every check held, 77 when no tmpfs. */
static int storage_full_child(fixture *fx, int out)
{
    term_app_destroy(fx->app); /* this process's copy; the parent keeps its own */
    fx->app = NULL;
    if (termt_private_tmpfs(fx->dir, "512k") != 0) return 77;
    term_app *app = NULL;
    if (term_app_create(&fx->cfg, &app) != TERM_OK || term_app_fault(app) != TERM_OK) return 10;
    term_user u = {.id = "5", .name = "Eve", .privilege = TERM_PRIV_USER};
    if (term_store_user_add(term_app_store(app), &u) != TERM_OK) return 11;
    if (term_store_card_set(term_app_store(app), "5", 555) != TERM_OK) return 11;
    term_screen_model m;
    int stored = 0, refused = 0;
    for (int i = 0; i < 10; i++, stored++) { /* punches to keep */
        tick_app(fx, app, 5000);
        if (swipe(app, 555, &m) != TERM_SCR_VERIFIED) return 12;
    }
    long filled = termt_fill(fx->dir, "filler");
    for (int i = 0; i < 400 && !refused; i++) {
        tick_app(fx, app, 5000); /* the last result is gone */
        term_scr_id id = swipe(app, 555, &m);
        if (id == TERM_SCR_VERIFIED) {
            stored++;
        } else if (id == TERM_SCR_FAILED) {
            refused = 1;
            if (strcmp(m.body.message.lines[0], "storage full") != 0) return 12;
            if (term_app_last_status(app) != TERM_ERR_STORAGE_FULL) return 13;
        } else {
            return 14;
        }
    }
    if (!refused) return 15;
    term_store_counts c;
    if (term_store_counts_get(term_app_store(app), &c) != TERM_OK || c.records != (uint32_t)stored) return 16;
    /* space again: punching goes on, and everything acknowledged is still there after a restart */
    char filler[200];
    snprintf(filler, sizeof(filler), "%s/filler", fx->dir);
    unlink(filler);
    tick_app(fx, app, 5000);
    if (swipe(app, 555, &m) != TERM_SCR_VERIFIED) return 17;
    term_app_destroy(app);
    if (term_app_create(&fx->cfg, &app) != TERM_OK || term_app_fault(app) != TERM_OK) return 18;
    if (term_store_counts_get(term_app_store(app), &c) != TERM_OK || c.records != (uint32_t)stored + 1) return 19;
    if (term_store_integrity_check(term_app_store(app)) != TERM_OK) return 20;
    term_app_destroy(app);
    dprintf(out, "storage full: filler %ld bytes, %d punches stored, then \"storage full\"; %u records after restart\n",
            filled, stored, c.records);
    return 0;
}

static int storage_full_run(void *ctx, int out)
{
    return storage_full_child(ctx, out);
}

static void test_storage_full_punch(void **state)
{
    int rc = termt_run_on_tmpfs("storage full", storage_full_run, *state);
    if (rc != 0) fail_msg("storage full check %d failed", rc);
}

/* ------------------------------------------------------------------------ */
/* A damaged database at boot, and recovery (issue 17)                      */
/* ------------------------------------------------------------------------ */

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

static int digest_user(void *ctx, const term_user_info *u)
{
    uint32_t *h = ctx;
    *h = fnv(*h, u, sizeof(*u));
    return 0;
}

static int digest_finger(void *ctx, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    uint32_t *h = ctx;
    *h = fnv(fnv(fnv(*h, uid, strlen(uid)), &index, sizeof(index)), data, len);
    return 0;
}

static int digest_record(void *ctx, int64_t id, const term_record *rec)
{
    uint32_t *h = ctx;
    *h = fnv(fnv(*h, &id, sizeof(id)), rec, sizeof(*rec));
    return 0;
}

/* What the store reads back: users, templates, records (with ids), cards. 0 when something cannot be read. */
static uint32_t store_digest(term_store *st)
{
    uint32_t h = 2166136261u;
    if (term_store_user_each(st, digest_user, &h) != TERM_OK) return 0;
    if (term_store_finger_each(st, digest_finger, &h) != TERM_OK) return 0;
    if (term_store_record_query(st, NULL, INT64_MIN, INT64_MAX, digest_record, &h) != TERM_OK) return 0;
    for (int i = 1; i <= 40; i++) {
        char uid[8];
        uint64_t card = 0;
        snprintf(uid, sizeof(uid), "%d", i);
        if (term_store_card_get(st, uid, &card) != TERM_OK) return 0;
        h = fnv(h, &card, sizeof(card));
    }
    return h ? h : 1;
}

#define DAMAGE_RECORDS 400

/* 40 users with cards (1 the administrator, with password 1234), 12 with a finger, 400 punches. */
static void fill_store(fixture *fx)
{
    term_store *st = term_app_store(fx->app);
    for (int i = 1; i <= 40; i++) {
        term_user u = {.privilege = i == 1 ? TERM_PRIV_ADMIN : TERM_PRIV_USER};
        snprintf(u.id, sizeof(u.id), "%d", i);
        snprintf(u.name, sizeof(u.name), "Employee %d", i);
        assert_int_equal(term_store_user_add(st, &u), TERM_OK);
        assert_int_equal(term_store_card_set(st, u.id, 1000 + (uint64_t)i), TERM_OK);
        if (i <= 12) {
            uint8_t buf[8192];
            size_t len = 0;
            fp_template *t = finger((uint32_t)i + 100, 0);
            assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, sizeof(buf), &len), FP_OK);
            fp_template_destroy(t);
            assert_int_equal(term_store_finger_set(st, u.id, 0, buf, len), TERM_OK);
        }
    }
    assert_int_equal(term_store_pin_set(st, "1", "1234"), TERM_OK);
    for (int i = 0; i < DAMAGE_RECORDS; i++) {
        term_record r = {.time = 1729800000 + i * 60, .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_CHECK_IN};
        snprintf(r.uid, sizeof(r.uid), "%d", 1 + i % 40);
        assert_int_equal(term_store_record_add(st, &r, NULL), TERM_OK);
    }
}

/* Through the recovery menu: the administrator's card, else id 1 and password 1234. 1 when it opened. */
static int admin_into_recovery(fixture *fx)
{
    key(fx, TERM_KEY_OK);
    if (screen(fx) == TERM_SCR_RECOVERY) return 1; /* nobody could be verified: restore only */
    if (screen(fx) != TERM_SCR_ADMIN_VERIFY) return 0;
    /* a normal user's card is refused */
    term_screen_model m;
    swipe(fx->app, 1002, &m);
    if (screen(fx) == TERM_SCR_FAILED && strcmp(m.body.message.lines[0], "administrator privilege required") == 0) {
        wait_s(fx, 4);
        if (screen(fx) != TERM_SCR_STORAGE_ERROR) fail_msg("a refused user left %s", term_scr_id_name(screen(fx)));
        key(fx, TERM_KEY_OK);
    }
    if (screen(fx) == TERM_SCR_RECOVERY) return 1;
    swipe(fx->app, 1001, &m);
    if (screen(fx) == TERM_SCR_RECOVERY) return 1;
    wait_s(fx, 4);
    key(fx, TERM_KEY_OK);
    if (screen(fx) == TERM_SCR_RECOVERY) return 1;
    keys(fx, "1O1234O");
    if (screen(fx) == TERM_SCR_RECOVERY) return 1;
    /* the administrator's credentials are on the damaged page: the gate failed on it, restore is offered */
    wait_s(fx, 4);
    key(fx, TERM_KEY_OK);
    return screen(fx) == TERM_SCR_RECOVERY;
}

static int count_lines(const char *path)
{
    size_t len = 0;
    uint8_t *data = fpt_read_file(path, &len);
    if (!data) return -1;
    int n = 0;
    for (size_t i = 0; i < len; i++) n += data[i] == '\n';
    free(data);
    return n;
}

typedef struct damage_stats {
    int cases, error_screen, clean, exported, restored, restore_locked, best_partial;
} damage_stats;

/* One damaged page: the storage-error screen (then recovery) or a boot proven clean. */
static void damaged_case(fixture *fx, const unsigned char *bad, size_t len, const term_store_counts *want,
                         uint32_t want_digest, damage_stats *ds)
{
    assert_int_equal(termt_write_file(fx->db, bad, len), 0);
    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK);
    ds->cases++;
    if (term_app_fault(fx->app) == TERM_OK) {
        /* booted: then every row must read back as it was written */
        term_store *st = term_app_store(fx->app);
        term_store_counts c;
        assert_int_equal(term_store_integrity_check(st), TERM_OK);
        assert_int_equal(term_store_counts_get(st, &c), TERM_OK);
        assert_memory_equal(&c, want, sizeof(c));
        assert_int_equal(store_digest(st), want_digest);
        ds->clean++;
        term_app_destroy(fx->app);
        fx->app = NULL;
        return;
    }
    ds->error_screen++;
    assert_int_equal(screen(fx), TERM_SCR_STORAGE_ERROR);
    /* no punch, no menu, nothing written into the damaged file */
    term_screen_model m;
    swipe(fx->app, 1002, &m);
    present(fx, 103, 1);
    assert_int_equal(screen(fx), TERM_SCR_STORAGE_ERROR);
    term_app_destroy(fx->app);
    fx->app = NULL;
    size_t now_len = 0;
    uint8_t *now = fpt_read_file(fx->db, &now_len);
    assert_non_null(now);
    assert_int_equal(now_len, len);
    assert_memory_equal(now, bad, len);
    free(now);

    /* recovery */
    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK);
    if (!admin_into_recovery(fx)) fail_msg("case %d: the recovery menu cannot be reached", ds->cases);
    term_app_screen(fx->app, &m);
    if (m.body.list.total == 2) { /* an administrator verified: Export to USB, then Restore */
        char usb[200];
        snprintf(usb, sizeof(usb), "%s/usb%d", fx->dir, ds->cases);
        assert_int_equal(mkdir(usb, 0700), 0);
        fx->sim.link.usb_present = 1;
        snprintf(fx->sim.link.usb_path, sizeof(fx->sim.link.usb_path), "%s", usb);
        keys(fx, "O");
        assert_int_equal(screen(fx), TERM_SCR_MESSAGE);
        assert_int_equal(term_app_last_status(fx->app), TERM_OK);
        /* one folder M1-<serial>-<time> with the two files */
        char path[400];
        int y, mo, d, h, mi, sec;
        int64_t t = fx->sim.wall + (int64_t)(fx->sim.mono_ms / 1000);
        int64_t days = t / 86400, z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365,
                doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        d = (int)(doy - (153 * mp + 2) / 5 + 1);
        mo = (int)(mp < 10 ? mp + 3 : mp - 9);
        y = (int)(yoe + era * 400 + (mo <= 2));
        h = (int)(t % 86400 / 3600), mi = (int)(t % 3600 / 60), sec = (int)(t % 60);
        snprintf(path, sizeof(path), "%s/M1-unknown-%04d%02d%02d-%02d%02d%02d/users.csv", usb, y, mo, d, h, mi, sec);
        int users = count_lines(path) - 1;
        if (users < 0 || users > (int)want->users) fail_msg("%s: %d users", path, users);
        snprintf(path, sizeof(path), "%s/M1-unknown-%04d%02d%02d-%02d%02d%02d/records.csv", usb, y, mo, d, h, mi, sec);
        int records = count_lines(path) - 1;
        if (records < 0 || records > (int)want->records) fail_msg("%s: %d records", path, records);
        ds->exported++;
        keys(fx, "OD");
    } else {
        assert_int_equal(m.body.list.total, 1); /* nobody verified: no personal data leaves the device */
    }
    keys(fx, "O");
    assert_int_equal(screen(fx), TERM_SCR_CONFIRM);
    keys(fx, "O");
    term_app_screen(fx->app, &m);
    assert_int_equal(m.id, TERM_SCR_MESSAGE);
    assert_string_equal(m.title, "Database rebuilt");
    assert_true(strncmp(m.body.message.lines[0], "Kept as t.db.damaged-2024", 25) == 0);
    char aside[200];
    snprintf(aside, sizeof(aside), "%s/%.64s", fx->dir, m.body.message.lines[0] + 8);
    keys(fx, "O");
    assert_int_equal(term_app_fault(fx->app), TERM_OK);
    assert_int_equal(screen(fx), TERM_SCR_STANDBY);
    ds->restored++;
    /* the damaged file is kept, byte for byte */
    size_t kept_len = 0;
    uint8_t *kept = fpt_read_file(aside, &kept_len);
    assert_non_null(kept);
    assert_int_equal(kept_len, len);
    assert_memory_equal(kept, bad, len);
    free(kept);
    /* the new database: clean, what could be read, the administrator's gate or the lock */
    term_store *st = term_app_store(fx->app);
    term_store_counts c;
    assert_int_equal(term_store_integrity_check(st), TERM_OK);
    assert_int_equal(term_store_counts_get(st, &c), TERM_OK);
    assert_true(c.users <= want->users && c.records <= want->records && c.cards <= want->cards);
    if (c.records < want->records && (int)c.records > ds->best_partial) ds->best_partial = (int)c.records;
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx), TERM_SCR_ADMIN_VERIFY); /* never an open menu */
    wait_s(fx, 11);
    if (c.admins == 0) {
        ds->restore_locked++;
        term_app_screen(fx->app, &m);
        assert_string_equal(m.hint, "Restore from server pending: menu locked");
    } else if (c.users == want->users && c.cards == want->cards) {
        /* the users came through: punching goes on at once, into the new database */
        assert_int_equal(swipe(fx->app, 1002, &m), TERM_SCR_VERIFIED);
    }
    term_app_destroy(fx->app);
    fx->app = NULL;
    assert_int_equal(unlink(aside), 0);
    unlink(fx->db);
    char extra[240];
    static const char *const suffix[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        snprintf(extra, sizeof(extra), "%s%s", aside, suffix[i]);
        unlink(extra);
        snprintf(extra, sizeof(extra), "%s%s", fx->db, suffix[i]);
        unlink(extra);
    }
}

/*
 * Single damaged pages all over a real encrypted database. Before issue 17
 * most of them booted to a normal standby (then punches and the menu said
 * "device error", or punches went into the damaged file). Now each one
 * ends on the storage-error screen (and is then recovered), or boots and
 * reads back exactly what was written.
 */
static void test_damaged_pages(void **state)
{
    fixture *fx = *state;
    fill_store(fx);
    term_store_counts want;
    assert_int_equal(term_store_counts_get(term_app_store(fx->app), &want), TERM_OK);
    uint32_t want_digest = store_digest(term_app_store(fx->app));
    assert_true(want_digest != 0);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(term_store_db(term_app_store(fx->app)), "PRAGMA page_size", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    size_t page = (size_t)sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    term_app_destroy(fx->app); /* closing checkpoints the WAL into the file */
    fx->app = NULL;
    char wal[200];
    snprintf(wal, sizeof(wal), "%s-wal", fx->db);
    assert_int_equal(access(wal, F_OK), -1);
    size_t len = 0;
    uint8_t *pristine = fpt_read_file(fx->db, &len);
    assert_non_null(pristine);
    assert_true(page >= 512 && len % page == 0);
    size_t pages = len / page;
    unsigned char *bad = malloc(len);
    assert_non_null(bad);
    damage_stats ds = {0};
    /* about 40 pages spread over the file, the first and the last among them */
    size_t step = pages > 40 ? pages / 40 : 1;
    for (size_t p = 0; p < pages; p += (p + step < pages || p == pages - 1) ? step : pages - 1 - p) {
        memcpy(bad, pristine, len);
        for (size_t k = 0; k < 16; k++) bad[p * page + page / 3 + k] ^= 0xA5; /* inside the encrypted payload */
        damaged_case(fx, bad, len, &want, want_digest, &ds);
        if (p == pages - 1) break;
    }
    printf("damaged pages: %d cases over %zu pages of %zu bytes: %d storage-error screen (%d exported by an "
           "administrator, %d restored, %d of them locked until the server restores an administrator), %d booted "
           "and read back intact; best partial salvage %d of %u records\n",
           ds.cases, pages, page, ds.error_screen, ds.exported, ds.restored, ds.restore_locked, ds.clean,
           ds.best_partial, want.records);
    assert_true(ds.cases >= 19);
    assert_int_equal(ds.error_screen + ds.clean, ds.cases);
    assert_int_equal(ds.restored, ds.error_screen);
    assert_true(ds.error_screen > 0);
    /* a damaged leaf of the records loses that page's rows only: the salvage reads on past it */
    assert_true(ds.best_partial >= DAMAGE_RECORDS - 100);
    free(bad);
    free(pristine);
    /* the fixture's teardown expects a terminal */
    start(fx);
}

/* A database with no key file beside it: the error screen, no key made, no recovery by the keypad. */
static void test_missing_key_screen(void **state)
{
    fixture *fx = *state;
    term_app_destroy(fx->app);
    fx->app = NULL;
    char saved[200];
    snprintf(saved, sizeof(saved), "%s/saved.key", fx->dir);
    assert_int_equal(rename(fx->key, saved), 0);
    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK); /* cfg.store.create_key is set */
    assert_int_equal(term_app_fault(fx->app), TERM_ERR_KEY_MISSING);
    assert_int_equal(access(fx->key, F_OK), -1);
    expect_line(fx, TERM_SCR_STORAGE_ERROR, "device key file is missing beside an existing database");
    expect_line(fx, TERM_SCR_STORAGE_ERROR, "Service required: see the manual");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx), TERM_SCR_STORAGE_ERROR);
    term_app_destroy(fx->app);
    fx->app = NULL;
    assert_int_equal(rename(saved, fx->key), 0);
    /* an empty database file: refused, never set up as a new device with an open menu */
    assert_int_equal(truncate(fx->db, 0), 0);
    char extra[200];
    snprintf(extra, sizeof(extra), "%s-wal", fx->db);
    unlink(extra);
    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK);
    assert_int_equal(term_app_fault(fx->app), TERM_ERR_DB_EMPTY);
    key(fx, TERM_KEY_OK); /* nobody can be verified: restore only, and the new database will be locked */
    assert_int_equal(screen(fx), TERM_SCR_RECOVERY);
    term_screen_model m;
    term_app_screen(fx->app, &m);
    assert_int_equal(m.body.list.total, 1);
    keys(fx, "OOO");
    assert_int_equal(term_app_fault(fx->app), TERM_OK);
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx), TERM_SCR_ADMIN_VERIFY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_standby_model_and_display, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enrol_identify_and_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_survive_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alphanumeric_id_typed_over_verification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_boot_respects_the_administrator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_daylight_saving_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_user_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_full_punch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_key_screen, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
