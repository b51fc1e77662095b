/*
 * test_term_app.c - the application through its API on the simulator HAL:
 * argument checks, the screen model and display calls, hooks for other
 * layers, enrolment and 1:N with engine templates (no images), settings and
 * users surviving a restart, the menu timeout, alphanumeric ids typed with
 * the input method over the verification screens.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term_app.h"
#include "term_hal_sim.h"

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
    fx->cfg.hooks = (term_app_hooks){&fx->seen, on_user, on_record, on_settings, on_cleared, NULL, NULL};
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

static int teardown(void **state)
{
    fixture *fx = *state;
    term_app_destroy(fx->app);
    char path[200];
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.key"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", fx->dir, files[i]);
        unlink(path);
    }
    rmdir(fx->dir);
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
    /* a store that cannot be opened */
    term_app_config_init(&cfg);
    term_hal_sim_bind(&fx->sim, &cfg.hal);
    cfg.store.db_path = "/nonexistent-dir/x.db";
    cfg.store.key_path = "/nonexistent-dir/x.key";
    assert_int_not_equal(term_app_create(&cfg, &app), TERM_OK);
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
    present(fx, 5, 0);
    present(fx, 5, 1);
    present(fx, 5, 2);
    term_screen_model m;
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
