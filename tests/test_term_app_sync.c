/*
 * test_term_app_sync.c - the application with the cloud sync engine
 * attached (term_app_sync.h), end to end over the real libcurl transport
 * against the loopback PUSH server of the sync tests
 * (test_term_sync_server.c). Everything runs in this process and on the
 * simulator HAL; the engine runs on the sync worker's thread with the app's
 * clock: each tick moves the simulated clock one second and then waits
 * until the worker did what is due at the new time and the app took what
 * it handed over (term_app_sync_settle).
 *
 *   - binding: the QR screen until the first registration, then standby;
 *     the server's clock reaches the RTC; a punch reaches the server's ATTLOG;
 *   - a user with PIN and card sent by the server verifies at the terminal by
 *     PIN and by card, and both punches go up; a template it sends then
 *     verifies 1:N (the gallery reloads); deleting the user on the server
 *     stops finger and card;
 *   - ENROLL_FP opens enrolment at the terminal; three presses finish it; the
 *     server gets Return=0 and the FP backup line, and the new finger
 *     identifies 1:N; busy (a menu open), ESC (6), OVERWRITE=0 on a taken
 *     index (2); ENROLL_MF with a card;
 *   - a failing server turns the status bar's server icon down and back up;
 *     Check for Updates polls the server (latest / Query failed); Connection
 *     Status (Comm. > Cloud Server Setting) says connected or not; REBOOT
 *     reaches the system hook after its answer; Check for Updates with a
 *     signed UPGRADE waiting stages the image and says so;
 *   - the server address changed in the menu: the next tick registers with
 *     the new server, and a punch goes there;
 *   - SET OPTION of a terminal setting is applied by the app (in force at
 *     once, saved, answered), and a menu save right after keeps it;
 *   - the driver: m1-terminal --server URL --serial SN runs a script against
 *     the same server (a server-sent user punches by card; the punch goes up);
 *   - a server whose TransFlag has no AttLog: the server icon shows records
 *     held, Connection Status says why (a screenshot test against
 *     tests/ui_ref/comm_upload_held.png), and the Comm. menu's "Upload
 *     Attendance Always" sends them, once;
 *   - a server that echoes users back with an empty password: the PIN still
 *     verifies at the terminal; a server sending BIODATA fingers: they
 *     verify 1:N.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "term_app.h"
#include "term_app_sync.h"
#include "term_fw_ab.h"
#include "term_hal_sim.h"
#include "term_test_sync.h"
#include "test_term_sync_server.h"
#ifdef APP_SCREENSHOTS
#include "ui_ref_check.h"
#include "ui_render.h"
#endif

#define SN "APPSYNC01"
#define T0 1729874580 /* 2024-10-25 16:43:00 */

typedef struct fixture {
    char dir[64], db[128], key[128], staging[128];
    term_hal_sim sim;
    term_app_config cfg;
    term_app *app;
    mock_push *srv;
    EVP_PKEY *fw_key; /* signs test firmware; its public half is the device's key */
    uint8_t fw_pub[32];
    int reboots, fw_ready;
    char fw_path[256];
} fixture;

static void on_reboot(void *ctx)
{
    ((fixture *)ctx)->reboots++;
}

static void on_firmware(void *ctx, const char *path)
{
    fixture *fx = ctx;
    fx->fw_ready++;
    snprintf(fx->fw_path, sizeof(fx->fw_path), "%s", path);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    if (!fx) return -1;
    if (TERMT_TEMP_DB(fx, "test_term_app_sync") != 0) return -1;
    snprintf(fx->staging, sizeof(fx->staging), "%s/fw", fx->dir);
    if (mkdir(fx->staging, 0700) != 0) return -1;
    fx->srv = mock_push_start();
    if (!fx->srv) return -1;
    /* Delay and the clock: the server's local time is one hour after the terminal's RTC */
    mock_push_set_options(fx->srv,
                          "ATTLOGStamp=None\nOPERLOGStamp=None\nErrorDelay=30\nDelay=2\nTransInterval=1\n"
                          "TransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\tEnrollFP\tChgFP\n"
                          "TimeZone=0\nRealtime=1\n",
                          0);
    mock_push_set_date(fx->srv, T0 + 3600);
    termt_app_config(&fx->cfg, &fx->sim, T0, fx->db, fx->key);
    fx->cfg.store.profile.pin_iterations = 1000; /* keep the test fast */
    fx->cfg.info.serial_number = SN;

    /* The server address is the Cloud Server Setting (manual 5.2), stored before the terminal starts. */
    term_store *pre = NULL;
    term_settings set;
    assert_int_equal(term_store_open(&fx->cfg.store, &pre), TERM_OK);
    assert_int_equal(term_store_settings_load(pre, &set), TERM_OK);
    assert_int_equal(term_settings_set_text(&set, TERM_SETTING_SERVER_ADDRESS, mock_push_url(fx->srv)), TERM_OK);
    assert_int_equal(term_settings_set_num(&set, TERM_SETTING_ONLINE_UPDATE, 1), TERM_OK);
    assert_int_equal(term_store_settings_save(pre, &set), TERM_OK);
    term_store_close(pre);

    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    assert_non_null(kc);
    assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
    assert_int_equal(EVP_PKEY_keygen(kc, &fx->fw_key), 1);
    EVP_PKEY_CTX_free(kc);
    size_t publen = sizeof(fx->fw_pub);
    assert_int_equal(EVP_PKEY_get_raw_public_key(fx->fw_key, fx->fw_pub, &publen), 1);

    assert_int_equal(term_app_create(&fx->cfg, &fx->app), TERM_OK);
    term_app_sync_config scfg;
    term_app_sync_config_init(&scfg);
    scfg.curl.timeout_ms = 2000;
    scfg.curl.connect_timeout_ms = 1000;
    scfg.sync.serial = SN;
    scfg.sync.fw_version = "0.1.0";
    scfg.sync.staging_dir = fx->staging;
    scfg.sync.fw_pubkey = fx->fw_pub;
    scfg.sync.backoff_min_ms = 1000;
    scfg.sync.error_delay_ms = 2000;
    scfg.sync.poll_ms = 1000;
    scfg.sys = (term_app_sync_system){fx, on_reboot, on_firmware};
    assert_int_equal(term_app_sync_start(fx->app, &scfg), PUSH_OK);
    assert_true(term_app_sync_running(fx->app));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_app_destroy(fx->app); /* stops the worker */
    mock_push_stop(fx->srv);
    EVP_PKEY_free(fx->fw_key);
    termt_remove_dir(fx->dir);
    free(fx);
    return 0;
}

/* ---- inputs ---- */

/* The worker did what is due at the app's clock, and the app took what it handed over. */
static void settle(fixture *fx)
{
    assert_int_equal(term_app_sync_settle(fx->app, 20000), TERM_OK);
}

static void tick(fixture *fx, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        term_hal_sim_advance(&fx->sim, 1000);
        term_app_input in = {.type = TERM_IN_TICK};
        assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
        settle(fx);
    }
}

static void key(fixture *fx, term_key k)
{
    term_hal_sim_advance(&fx->sim, 100);
    term_app_input in = {.type = TERM_IN_KEY, .key = k};
    assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
}

static void type(fixture *fx, const char *digits)
{
    for (; *digits; digits++) key(fx, (term_key)(TERM_KEY_0 + (*digits - '0')));
}

static void card(fixture *fx, uint64_t c)
{
    term_hal_sim_advance(&fx->sim, 100);
    term_app_input in = {.type = TERM_IN_CARD, .card = c};
    assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Finger `seed`, press `press` (the same synthetic minutiae generator as test_term_app). */
static fp_template *finger(uint32_t seed, uint32_t press)
{
    fp_minutia m[40];
    uint32_t x = seed * 2654435761u + 7, p = press * 40503u + 11;
    int dx = press ? (int)(lcg(&p) % 9) - 4 : 0, dy = press ? (int)(lcg(&p) % 9) - 4 : 0;
    for (int i = 0; i < 40; i++) {
        int mx = 40 + (int)(lcg(&x) % 220), my = 40 + (int)(lcg(&x) % 300);
        m[i].angle = (uint8_t)lcg(&x);
        m[i].type = (uint8_t)(1 + lcg(&x) % 2);
        m[i].x = (uint16_t)(mx + dx + (press ? (int)(lcg(&p) % 3) - 1 : 0));
        m[i].y = (uint16_t)(my + dy + (press ? (int)(lcg(&p) % 3) - 1 : 0));
        m[i].quality = 80;
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(320, 400, 500, m, 40, 70, &t), FP_OK);
    return t;
}

/* Finger `seed` as the server sends it: ISO 19794-2 in base64; the length. */
static size_t iso_b64(uint32_t seed, char *out, size_t cap)
{
    fp_template *t = finger(seed, 0);
    uint8_t iso[4096];
    size_t iso_len = 0, b64_len = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_ISO19794_2, iso, sizeof(iso), &iso_len), FP_OK);
    fp_template_destroy(t);
    assert_int_equal(push_base64_encode(iso, iso_len, out, cap, &b64_len), PUSH_OK);
    return b64_len;
}

static void press(fixture *fx, uint32_t seed, uint32_t n)
{
    fp_template *t = finger(seed, n);
    term_hal_sim_advance(&fx->sim, 100);
    term_app_input in = {.type = TERM_IN_FINGER_TEMPLATE, .tmpl = t};
    assert_int_equal(term_app_event(fx->app, &in), TERM_OK);
    fp_template_destroy(t);
}

/* ---- views ---- */

static term_screen_model *screen(fixture *fx)
{
    static term_screen_model m; /* large; one test at a time */
    term_app_screen(fx->app, &m);
    return &m;
}

static int screen_has(fixture *fx, const char *text)
{
    const term_screen_model *m = screen(fx);
    if (strstr(m->title, text) || strstr(m->hint, text)) return 1;
    if (m->kind == TERM_BODY_MESSAGE || m->kind == TERM_BODY_CONFIRM)
        for (uint32_t i = 0; i < m->body.message.line_count; i++)
            if (strstr(m->body.message.lines[i], text)) return 1;
    if (m->kind == TERM_BODY_PROGRESS && strstr(m->body.progress.text, text)) return 1;
    return 0;
}

static int result_of(fixture *fx, const char *id)
{
    int ret = 12345;
    if (!mock_push_result(fx->srv, id, &ret, NULL, 0)) return 12345;
    return ret;
}

/* Ticks until the command's result arrived (at most n ticks). */
static int wait_result(fixture *fx, const char *id, unsigned n)
{
    for (unsigned i = 0; i < n && !mock_push_result_count(fx->srv, id); i++) tick(fx, 1);
    return result_of(fx, id);
}

static int has_op_line(fixture *fx, const char *prefix)
{
    char line[16384];
    for (size_t i = 0; mock_push_op_line(fx->srv, i, line, sizeof(line)); i++)
        if (strncmp(line, prefix, strlen(prefix)) == 0) return 1;
    return 0;
}

/* Field i (tab-separated) of the ATTLOG line the server holds for record id; "" when absent. */
static const char *att_field(fixture *fx, int64_t id, int i)
{
    static char line[256], field[64];
    field[0] = '\0';
    if (!mock_push_att_line(fx->srv, id, line, sizeof(line))) return field;
    const char *p = line;
    for (; i > 0 && p; i--) {
        p = strchr(p, '\t');
        if (p) p++;
    }
    if (!p) return field;
    size_t n = strcspn(p, "\t\r\n");
    if (n >= sizeof(field)) n = sizeof(field) - 1;
    memcpy(field, p, n);
    field[n] = '\0';
    return field;
}

static term_store_counts counts(fixture *fx)
{
    term_store_counts c;
    assert_int_equal(term_store_counts_get(term_app_store(fx->app), &c), TERM_OK);
    return c;
}

static void add_server_user(fixture *fx, const char *cmd_id, const char *line)
{
    mock_push_queue(fx->srv, line);
    assert_int_equal(wait_result(fx, cmd_id, 5), 0);
}

/* ---- tests ---- */

static void test_bind_clock_punch(void **state)
{
    fixture *fx = *state;
    /* not bound yet, Wi-Fi up: the binding QR code carries the serial number; the server icon is down */
    term_screen_model *m = screen(fx);
    assert_int_equal(m->id, TERM_SCR_QR_BIND);
    assert_non_null(strstr(m->body.qr.payload, "SN=" SN));
    assert_int_equal(m->status.server, TERM_LINK_DOWN);

    tick(fx, 1); /* the first step registers */
    m = screen(fx);
    assert_int_equal(m->id, TERM_SCR_STANDBY);
    assert_int_equal(m->status.server, TERM_LINK_UP);
    assert_string_equal(m->status.time, "17:43"); /* the server's Date + TimeZone set the RTC */
    mock_push_counts c0;
    mock_push_counts_get(fx->srv, &c0);
    assert_int_equal(c0.handshakes, 1);

    /* a user with a card, stored locally (no menu needed), punches */
    term_user u = {.id = "7", .name = "Local", .privilege = TERM_PRIV_USER};
    assert_int_equal(term_store_user_add(term_app_store(fx->app), &u), TERM_OK);
    assert_int_equal(term_store_card_set(term_app_store(fx->app), "7", 777001), TERM_OK);
    card(fx, 777001);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_int_equal(counts(fx).records, 1);
    tick(fx, 1); /* the punch kicked the worker: with Realtime=1 it is up by now */
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 1);
    char line[256];
    assert_true(mock_push_att_line(fx->srv, 1, line, sizeof(line)));
    assert_non_null(strstr(line, "7\t2024-10-25 17:43:"));

    /* the binding is kept across a restart of the engine */
    term_sync_worker_status ws;
    term_app_sync_status(fx->app, &ws);
    assert_true(ws.bound);
}

static void test_server_user_pin_and_card(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    add_server_user(fx, "u1", "C:u1:DATA UPDATE USERINFO PIN=1001\tName=Ann Lee\tPri=0\tPasswd=4321\tCard=[15CD5B07]");
    term_user_info info;
    assert_int_equal(term_store_user_get(term_app_store(fx->app), "1001", &info), TERM_OK);
    assert_string_equal(info.name, "Ann Lee");

    /* by PIN: the id, the method chooser (card, password), the password */
    type(fx, "1001");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_CHOOSE_METHOD);
    key(fx, (term_key)(TERM_KEY_0 + 2)); /* the user's second method: password */
    assert_int_equal(screen(fx)->id, TERM_SCR_ENTER_PIN);
    type(fx, "4321");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "Ann Lee"));
    tick(fx, 4); /* the result goes; the punch goes up */
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* a wrong PIN does not verify */
    type(fx, "1001");
    key(fx, TERM_KEY_OK);
    key(fx, (term_key)(TERM_KEY_0 + 2));
    type(fx, "1234");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_FAILED);
    key(fx, TERM_KEY_ESC);
    tick(fx, 4);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* by card: [15CD5B07] is 0x075BCD15, lowest byte first */
    card(fx, 0x075BCD15u);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "Ann Lee"));
    tick(fx, 4);
    card(fx, 0x15CD5B07u); /* the bytes the other way round are another card */
    assert_int_equal(screen(fx)->id, TERM_SCR_FAILED);
    tick(fx, 4);
    assert_int_equal(counts(fx).records, 2);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_unique, 2);
    /* PIN, time, status, verify mode (0 password, 2 card), ... */
    assert_string_equal(att_field(fx, 1, 0), "1001");
    assert_string_equal(att_field(fx, 1, 3), "0");
    assert_string_equal(att_field(fx, 2, 0), "1001");
    assert_string_equal(att_field(fx, 2, 3), "2");

    /* a template from the server (ISO 19794-2) reaches the gallery: another press of that finger verifies 1:N */
    char b64[8192], line[9000];
    size_t b64_len = iso_b64(21, b64, sizeof(b64));
    snprintf(line, sizeof(line), "C:f1:DATA UPDATE FINGERTMP PIN=1001\tFID=6\tSize=%zu\tValid=1\tTMP=%s", b64_len, b64);
    press(fx, 21, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_FAILED); /* not enrolled yet */
    tick(fx, 4);
    mock_push_queue(fx->srv, line);
    assert_int_equal(wait_result(fx, "f1", 5), 0);
    press(fx, 21, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "Ann Lee"));
    tick(fx, 4);
    assert_string_equal(att_field(fx, 3, 3), "1"); /* verify mode 1: fingerprint */

    /* the server deletes the user: the finger and the card no longer verify */
    mock_push_queue(fx->srv, "C:x1:DATA DELETE USERINFO PIN=1001");
    assert_int_equal(wait_result(fx, "x1", 5), 0);
    press(fx, 21, 2);
    assert_int_not_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    tick(fx, 4);
    card(fx, 0x075BCD15u);
    assert_int_equal(screen(fx)->id, TERM_SCR_FAILED);
    assert_int_equal(counts(fx).records, 3);
}

static void test_server_enroll_fp(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    add_server_user(fx, "u2", "C:u2:DATA UPDATE USERINFO PIN=2002\tName=Bo\tPri=0");

    mock_push_queue(fx->srv, "C:e1:ENROLL_FP PIN=2002\tFID=3\tRETRY=3\tOVERWRITE=0");
    for (int i = 0; i < 5 && screen(fx)->id != TERM_SCR_ENROLL_FINGER; i++) tick(fx, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_ENROLL_FINGER);
    assert_true(screen_has(fx, "2002"));
    assert_int_equal(mock_push_result_count(fx->srv, "e1"), 0); /* answered only with the outcome */
    tick(fx, 3);                                                /* nobody yet: the scene stays */
    assert_int_equal(screen(fx)->id, TERM_SCR_ENROLL_FINGER);

    press(fx, 11, 0);
    assert_int_equal(screen(fx)->body.progress.done, 1);
    press(fx, 11, 1);
    press(fx, 11, 2);
    assert_true(screen_has(fx, "Enrolled successfully"));
    size_t len = 0;
    assert_int_equal(term_store_finger_get(term_app_store(fx->app), "2002", 3, NULL, 0, &len), TERM_OK);
    assert_int_equal(wait_result(fx, "e1", 5), 0);
    for (int i = 0; i < 5 && !has_op_line(fx, "FP PIN=2002\tFID=3\t"); i++) tick(fx, 1);
    assert_true(has_op_line(fx, "FP PIN=2002\tFID=3\t"));
    tick(fx, 4); /* the result message closes by itself */
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* the new finger identifies 1:N at standby */
    press(fx, 11, 3);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "2002"));
    tick(fx, 4);

    /* the index is taken and OVERWRITE=0: 2, no scene */
    mock_push_queue(fx->srv, "C:e2:ENROLL_FP PIN=2002\tFID=3\tRETRY=3\tOVERWRITE=0");
    assert_int_equal(wait_result(fx, "e2", 5), 2);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* ESC at the terminal cancels: 6 */
    mock_push_queue(fx->srv, "C:e3:ENROLL_FP PIN=2002\tFID=4\tRETRY=3\tOVERWRITE=0");
    for (int i = 0; i < 5 && screen(fx)->id != TERM_SCR_ENROLL_FINGER; i++) tick(fx, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_ENROLL_FINGER);
    key(fx, TERM_KEY_ESC);
    assert_int_equal(wait_result(fx, "e3", 5), 6);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* another person's finger is a duplicate: 5, nothing stored */
    add_server_user(fx, "u3", "C:u3:DATA UPDATE USERINFO PIN=3003\tName=Cy\tPri=0");
    mock_push_queue(fx->srv, "C:e4:ENROLL_FP PIN=3003\tFID=0\tRETRY=3\tOVERWRITE=0");
    for (int i = 0; i < 5 && screen(fx)->id != TERM_SCR_ENROLL_FINGER; i++) tick(fx, 1);
    press(fx, 11, 4);
    press(fx, 11, 5);
    press(fx, 11, 6);
    assert_true(screen_has(fx, "Duplicate fingerprint"));
    assert_int_equal(wait_result(fx, "e4", 5), 5);
    assert_int_not_equal(term_store_finger_get(term_app_store(fx->app), "3003", 0, NULL, 0, &len), TERM_OK);
    tick(fx, 4);

    /* a menu is open: busy (-1005) */
    key(fx, TERM_KEY_OK); /* no administrator: the menu opens at once */
    assert_int_equal(screen(fx)->id, TERM_SCR_MAIN_MENU);
    mock_push_queue(fx->srv, "C:e5:ENROLL_FP PIN=2002\tFID=5\tRETRY=3\tOVERWRITE=0");
    assert_int_equal(wait_result(fx, "e5", 5), -1005);
    assert_int_equal(screen(fx)->id, TERM_SCR_MAIN_MENU);
    key(fx, TERM_KEY_ESC);

    /* a card on the server's request */
    mock_push_queue(fx->srv, "C:m1:ENROLL_MF PIN=3003\tRETRY=1");
    for (int i = 0; i < 5 && screen(fx)->id != TERM_SCR_ENROLL_CARD; i++) tick(fx, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_ENROLL_CARD);
    card(fx, 4242);
    assert_int_equal(wait_result(fx, "m1", 5), 0);
    uint64_t got = 0;
    assert_int_equal(term_store_card_get(term_app_store(fx->app), "3003", &got), TERM_OK);
    assert_int_equal(got, 4242);
}

/* Standby -> main menu (no administrator yet) -> System -> Update, with "Check for Updates" selected. */
/* Main menu > System > the row-th submenu (expected screen id), cursor on its second item. */
static void open_system_submenu(fixture *fx, int row, term_scr_id id)
{
    key(fx, TERM_KEY_OK);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_SYSTEM_MENU);
    for (int i = 0; i < row; i++) key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, id);
    key(fx, TERM_KEY_DOWN);
}

static void open_update_menu(fixture *fx)
{
    open_system_submenu(fx, 7, TERM_SCR_UPDATE);
}

/* Comm. > Cloud Server Setting, from standby (no administrator: the menu opens at once). */
static void open_server_menu(fixture *fx)
{
    key(fx, TERM_KEY_OK);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK); /* Comm. */
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK); /* Cloud Server Setting */
    assert_int_equal(screen(fx)->id, TERM_SCR_SERVER);
}

static void test_link_state_update_reboot(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_UP);

    /* System > Update > Check for Updates polls the server at once */
    open_update_menu(fx);
    mock_push_counts c0, c1;
    mock_push_counts_get(fx->srv, &c0);
    key(fx, TERM_KEY_OK); /* Check for Updates: the screen says so at once, the worker asks the server */
    assert_true(screen_has(fx, "Checking for updates"));
    settle(fx); /* no time passes */
    mock_push_counts_get(fx->srv, &c1);
    assert_int_equal(c1.polls, c0.polls + 1);
    assert_true(screen_has(fx, "already the latest version"));
    key(fx, TERM_KEY_OK);

    /* the server fails: the icon goes down, and the check says so */
    mock_push_fail_next(fx->srv, MOCK_FAULT_500, 1000, 0);
    tick(fx, 2);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_DOWN);
    key(fx, TERM_KEY_OK);
    settle(fx);
    assert_true(screen_has(fx, "Query failed"));
    key(fx, TERM_KEY_OK);
    key(fx, TERM_KEY_ESC);
    key(fx, TERM_KEY_ESC);
    key(fx, TERM_KEY_ESC);
    tick(fx, 3);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_DOWN);

    /* Comm. > Cloud Server Setting > Connection Status says why */
    open_server_menu(fx);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK);
    assert_true(screen_has(fx, "Server not reachable"));
    key(fx, TERM_KEY_OK);

    /* it comes back: registration again after the backoff, icon up */
    mock_push_fail_next(fx->srv, 0, 0, 0);
    for (int i = 0; i < 4 && screen(fx)->status.server != TERM_LINK_UP; i++) tick(fx, 1);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_UP);
    key(fx, TERM_KEY_OK);
    assert_true(screen_has(fx, "Connected to the server"));
    key(fx, TERM_KEY_OK);
    key(fx, TERM_KEY_ESC);
    key(fx, TERM_KEY_ESC);
    key(fx, TERM_KEY_ESC);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    /* REBOOT: answered 0 first, then the system hook */
    mock_push_queue(fx->srv, "C:r1:REBOOT");
    assert_int_equal(wait_result(fx, "r1", 5), 0);
    tick(fx, 1);
    assert_int_equal(fx->reboots, 1);
}

/* Check for Updates with an UPGRADE waiting on the server: fetched, verified and staged in that poll. */
/* Signs an image as fw-sign does: Ed25519 over term_fw_message(SHA-256, size). */
static void sign_image(fixture *fx, const uint8_t *img, size_t len, uint8_t sig[64], size_t *siglen, char md5hex[33])
{
    uint8_t sha[32], msg[TERM_FW_MESSAGE_BYTES], md5[16];
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(img, len, sha, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(EVP_Digest(img, len, md5, &dl, EVP_md5(), NULL), 1);
    term_fw_message(sha, len, msg);
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    *siglen = 64;
    assert_int_equal(EVP_DigestSignInit(mc, NULL, NULL, NULL, fx->fw_key), 1);
    assert_int_equal(EVP_DigestSign(mc, sig, siglen, msg, TERM_FW_MESSAGE_BYTES), 1);
    EVP_MD_CTX_free(mc);
    for (int i = 0; i < 16; i++) snprintf(md5hex + 2 * i, 3, "%02x", md5[i]);
}

static uint8_t *test_image(size_t len)
{
    uint8_t *img = malloc(len);
    assert_non_null(img);
    for (size_t i = 0; i < len; i++) img[i] = (uint8_t)(i * 7 + (i >> 9));
    return img;
}

static void test_check_for_updates_stages_firmware(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    size_t len = 200000, siglen;
    uint8_t *img = test_image(len), sig[64];
    char md5hex[33], cmd[300];
    sign_image(fx, img, len, sig, &siglen, md5hex);
    mock_push_add_file(fx->srv, "/fw/m1-0.2.0.bin", img, len);
    mock_push_add_file(fx->srv, "/fw/m1-0.2.0.bin.sig", sig, siglen);
    free(img);
    snprintf(cmd, sizeof(cmd), "C:g1:UPGRADE checksum=%s,url=%s/fw/m1-0.2.0.bin,size=%zu", md5hex,
             mock_push_url(fx->srv), len);
    mock_push_queue(fx->srv, cmd);

    open_update_menu(fx);
    assert_int_equal(fx->fw_ready, 0);
    key(fx, TERM_KEY_OK);
    settle(fx);
    assert_true(screen_has(fx, "New firmware verified and staged"));
    assert_int_equal(fx->fw_ready, 1);
    assert_non_null(strstr(fx->fw_path, "/firmware.img"));
    struct stat st;
    assert_int_equal(stat(fx->fw_path, &st), 0);
    assert_int_equal((size_t)st.st_size, len);
    assert_int_equal(wait_result(fx, "g1", 3), 0);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* System > USB > USB Upgrade: the file on the drive passes the same signature
 * check as an online update; a wrong signature is refused and stages nothing;
 * the staged image then goes into the inactive A/B slot. */
static void test_usb_upgrade(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    char usb[200], path[260], slots[200];
    snprintf(usb, sizeof usb, "%s/usb", fx->dir);
    assert_int_equal(mkdir(usb, 0700), 0);
    fx->sim.link.usb_present = 1;
    snprintf(fx->sim.link.usb_path, sizeof fx->sim.link.usb_path, "%s", usb);
    const int rounds = 3;
    for (int round = 0; round < rounds; round++) {
        open_system_submenu(fx, 6, TERM_SCR_USB);
        size_t len = 50000, siglen;
        uint8_t *img = test_image(len), sig[64];
        char md5hex[33];
        sign_image(fx, img, len, sig, &siglen, md5hex);
        if (round == 1) sig[5] ^= 1; /* a damaged signature */
        if (round >= 1) {
            snprintf(path, sizeof path, "%s/firmware.img", usb);
            write_file(path, img, len);
            snprintf(path, sizeof path, "%s/firmware.img.sig", usb);
            write_file(path, sig, siglen);
        }
        free(img);
        key(fx, TERM_KEY_OK);
        settle(fx);
        if (round == 0) {
            assert_true(screen_has(fx, "No upgrade file found on the drive"));
        } else if (round == 1) {
            assert_true(screen_has(fx, "Upgrade file refused"));
            assert_int_equal(fx->fw_ready, 0);
            snprintf(path, sizeof path, "%s/firmware.img", fx->staging);
            assert_int_not_equal(access(path, F_OK), 0);
        } else {
            assert_true(screen_has(fx, "New firmware verified and staged"));
            assert_int_equal(fx->fw_ready, 1);
        }
        key(fx, TERM_KEY_ESC);
        key(fx, TERM_KEY_ESC);
        key(fx, TERM_KEY_ESC);
        key(fx, TERM_KEY_ESC);
    }
    /* The updater installs the staged image into the inactive slot; the boot loader tries it. */
    snprintf(slots, sizeof slots, "%s/slots", fx->dir);
    assert_int_equal(mkdir(slots, 0700), 0);
    assert_int_equal(term_fw_ab_install(slots, fx->fw_path), PUSH_OK);
    char slot = 0;
    assert_int_equal(term_fw_ab_boot(slots, 3, &slot), PUSH_OK);
    assert_int_equal(slot, 'B');
    assert_int_equal(term_fw_ab_confirm(slots, 'B'), PUSH_OK);
}

/* The server address changed in Comm. > Cloud Server Setting: the next step registers with the new server. */
static void test_server_address_change(void **state)
{
    fixture *fx = *state;
    mock_push *srv2 = mock_push_start();
    assert_non_null(srv2);
    tick(fx, 1);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.handshakes, 1);

    open_server_menu(fx);
    key(fx, TERM_KEY_OK); /* Server Address */
    assert_int_equal(screen(fx)->id, TERM_SCR_TEXT_INPUT);
    assert_string_equal(screen(fx)->body.field.value, mock_push_url(fx->srv));
    char port1[16], port2[16];
    snprintf(port1, sizeof(port1), "%d", mock_push_port(fx->srv));
    snprintf(port2, sizeof(port2), "%d", mock_push_port(srv2));
    for (size_t i = 0; i < strlen(port1); i++) key(fx, TERM_KEY_LEFT); /* delete the port */
    type(fx, port2);
    assert_string_equal(screen(fx)->body.field.value, mock_push_url(srv2));
    key(fx, TERM_KEY_OK);
    assert_string_equal(term_settings_get_text(term_app_settings(fx->app), TERM_SETTING_SERVER_ADDRESS),
                        mock_push_url(srv2));
    for (int i = 0; i < 3; i++) key(fx, TERM_KEY_ESC);
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);

    tick(fx, 1);
    mock_push_counts_get(srv2, &c);
    assert_int_equal(c.handshakes, 1);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_UP);
    term_user u = {.id = "8", .name = "Moved", .privilege = TERM_PRIV_USER};
    assert_int_equal(term_store_user_add(term_app_store(fx->app), &u), TERM_OK);
    assert_int_equal(term_store_card_set(term_app_store(fx->app), "8", 808), TERM_OK);
    card(fx, 808);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    tick(fx, 1);
    assert_int_equal(mock_push_att_seen(srv2, 1), 1);
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 0); /* the old server sees nothing more */
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.handshakes, 1);
    mock_push_stop(srv2);
}

/*
 * The driver: m1-terminal --server URL --serial SN runs a script against the
 * same server; its `wait` lines step the engine. The server sends a user
 * with a card before the script starts; the script's punch reaches ATTLOG.
 */
static void test_driver_server_option(void **state)
{
    fixture *fx = *state;
    /* the fixture's own worker goes first: it would take the command, and hold the server's one connection */
    term_app_sync_stop(fx->app);
    assert_false(term_app_sync_running(fx->app));
    mock_push_queue(fx->srv, "C:d1:DATA UPDATE USERINFO PIN=55\tName=Dee\tPri=0\tCard=9001");
    char script[160], db[160];
    snprintf(script, sizeof(script), "%s/driver.txt", fx->dir);
    snprintf(db, sizeof(db), "%s/driver-db", fx->dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("# not bound, no Wi-Fi: the first-boot shortcut; the server icon down\n"
          "expect screen wifi_shortcut\n"
          "expect text \"server:down\"\n"
          "wait 1\n"
          "expect screen standby\n"
          "expect text \"server:up\"\n"
          "wait 2\n"
          "expect users 1\n"
          "expect cards 1\n"
          "card 9001\n"
          "expect screen verified\n"
          "expect text \"Dee\"\n"
          "wait 2\n"
          "expect records 1\n",
          f);
    fclose(f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(M1_TERMINAL_PATH, M1_TERMINAL_PATH, "--script", script, "--db", db, "--server", mock_push_url(fx->srv),
              "--serial", "DRIVER01", "--quiet", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(result_of(fx, "d1"), 0);
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 1);
    assert_string_equal(att_field(fx, 1, 0), "55");
    assert_string_equal(att_field(fx, 1, 3), "2"); /* by card */

    /* a server address the setting refuses stops the driver before it starts (exit 3) */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(M1_TERMINAL_PATH, M1_TERMINAL_PATH, "--script", script, "--db", db, "--server", "ftp://x", "--quiet",
              (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
}

/* The screen as the panel shows it, against tests/ui_ref/<name>.png (built with the renderer). */
static void assert_screenshot(fixture *fx, const char *name)
{
#ifdef APP_SCREENSHOTS
    ui_fb *fb = NULL;
    assert_int_equal(ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &fb), UI_OK);
    assert_int_equal(ui_render(screen(fx), fb), UI_OK);
    char why[1200];
    int ok = ui_ref_check(fb, name, UI_TEST_OUT_DIR, why, sizeof why);
    ui_fb_destroy(fb);
    if (!ok) fail_msg("%s", why);
#else
    (void)fx;
    print_message("screenshot %s skipped: built without the ui layer\n", name);
#endif
}

static void test_upload_held_and_setting(void **state)
{
    fixture *fx = *state;
    /* the server of issue 18: no AttLog in TransFlag, at every registration */
    mock_push_set_options(fx->srv,
                          "ATTLOGStamp=None\nOPERLOGStamp=None\nErrorDelay=30\nDelay=2\nTransInterval=1\n"
                          "TransFlag=TransData OpLog\tEnrollUser\tChgUser\tEnrollFP\tChgFP\nTimeZone=0\nRealtime=1\n",
                          0);
    tick(fx, 1);
    term_user u = {.id = "7", .name = "Held", .privilege = TERM_PRIV_USER};
    assert_int_equal(term_store_user_add(term_app_store(fx->app), &u), TERM_OK);
    assert_int_equal(term_store_card_set(term_app_store(fx->app), "7", 777001), TERM_OK);
    card(fx, 777001);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    tick(fx, 4);
    card(fx, 777001);
    tick(fx, 4);
    assert_int_equal(counts(fx).records, 2);
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 0);
    /* the server icon: up, with records held */
    assert_int_equal(screen(fx)->id, TERM_SCR_STANDBY);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_HELD);

    /* Connection Status says why, and what to do */
    open_server_menu(fx);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK);
    assert_true(screen_has(fx, "Connected to the server"));
    assert_true(screen_has(fx, "Waiting to upload: 3")); /* the two records and the menu's operation-log entry */
    assert_true(screen_has(fx, "Server did not request attendance upload"));
    assert_true(screen_has(fx, "Upload Attendance Always"));
    assert_screenshot(fx, "comm_upload_held");
    key(fx, TERM_KEY_OK);

    /* the installer's answer: Upload Attendance Always (in the same menu) */
    assert_int_equal(screen(fx)->id, TERM_SCR_SERVER);
    key(fx, TERM_KEY_DOWN);
    term_screen_model *m = screen(fx);
    assert_string_equal(m->body.list.items[m->body.list.selected - m->body.list.first].text,
                        "Upload Attendance Always");
    key(fx, TERM_KEY_OK);
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_UPLOAD_ATT_ALWAYS), 1);
    tick(fx, 2);
    assert_int_equal(mock_push_att_seen(fx->srv, 1), 1);
    assert_int_equal(mock_push_att_seen(fx->srv, 2), 1);
    assert_int_equal(screen(fx)->status.server, TERM_LINK_UP);
    key(fx, TERM_KEY_UP);
    key(fx, TERM_KEY_OK); /* Connection Status again: nothing waits */
    assert_true(screen_has(fx, "Waiting to upload: 0"));
    assert_false(screen_has(fx, "did not request"));
    key(fx, TERM_KEY_OK);
    for (int i = 0; i < 3; i++) key(fx, TERM_KEY_ESC);
    /* a later punch goes up at once, exactly once */
    card(fx, 777001);
    tick(fx, 2);
    assert_int_equal(mock_push_att_seen(fx->srv, 3), 1);
    mock_push_counts c;
    mock_push_counts_get(fx->srv, &c);
    assert_int_equal(c.att_lines, 3);
}

/* Users come back from the server with Passwd= empty: the PIN still verifies at the terminal. */
static void test_echoed_users_keep_pins(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_ECHO_USERS);
    tick(fx, 1);
    add_server_user(fx, "u1", "C:u1:DATA UPDATE USERINFO PIN=1001\tName=Ann Lee\tPri=0\tPasswd=4321");
    for (int i = 0; i < 6 && !mock_push_result_count(fx->srv, "echo1"); i++) tick(fx, 1);
    assert_int_equal(result_of(fx, "echo1"), 0);
    type(fx, "1001");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_ENTER_PIN);
    type(fx, "4321");
    key(fx, TERM_KEY_OK);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "Ann Lee"));
}

/* A server that sends fingers as BIODATA (Type=1, ISO): the finger verifies 1:N at the terminal. */
static void test_biodata_finger_verifies(void **state)
{
    fixture *fx = *state;
    mock_push_set_modes(fx->srv, MOCK_MODE_BIODATA);
    tick(fx, 1);
    add_server_user(fx, "u1", "C:u1:DATA UPDATE USERINFO PIN=1002\tName=Bea\tPri=0");
    char b64[8192], line[9000];
    iso_b64(23, b64, sizeof(b64));
    snprintf(line, sizeof(line),
             "C:b1:DATA UPDATE BIODATA Pin=1002\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\t"
             "MinorVer=0\tFormat=1\tTmp=%s",
             b64);
    mock_push_queue(fx->srv, line);
    assert_int_equal(wait_result(fx, "b1", 5), 0);
    press(fx, 23, 1);
    assert_int_equal(screen(fx)->id, TERM_SCR_VERIFIED);
    assert_true(screen_has(fx, "Bea"));
    /* and it goes back up as BIODATA, the way this server reads fingers */
    char bio[16384];
    for (int i = 0; i < 5 && !mock_push_bio_line(fx->srv, "1002", 1, bio, sizeof(bio)); i++) tick(fx, 1);
    assert_true(mock_push_bio_line(fx->srv, "1002", 1, bio, sizeof(bio)));
    assert_non_null(strstr(bio, "\tType=1\t"));
}

/* SET OPTION of a terminal setting: applied by the app (in force, saved, answered); a menu save keeps it. */
static void test_server_sets_a_setting(void **state)
{
    fixture *fx = *state;
    tick(fx, 1);
    mock_push_queue(fx->srv, "C:s1:SET OPTION volume=55");
    assert_int_equal(wait_result(fx, "s1", 5), 0);
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_VOLUME), 55);
    assert_int_equal(fx->sim.volume, 55); /* in force at once */
    term_settings set;
    assert_int_equal(term_store_settings_load(term_app_store(fx->app), &set), TERM_OK);
    assert_int_equal(term_settings_get(&set, TERM_SETTING_VOLUME), 55);
    /* a value the setting does not take: -1, nothing changed */
    mock_push_queue(fx->srv, "C:s2:SET OPTION volume=loud");
    assert_int_equal(wait_result(fx, "s2", 5), -1);
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_VOLUME), 55);
    /* the installer then saves another setting in the menu: the server's value stays (one copy, the app's) */
    open_server_menu(fx);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_DOWN);
    key(fx, TERM_KEY_OK); /* Upload Attendance Always */
    assert_int_equal(term_settings_get(term_app_settings(fx->app), TERM_SETTING_UPLOAD_ATT_ALWAYS), 1);
    assert_int_equal(term_store_settings_load(term_app_store(fx->app), &set), TERM_OK);
    assert_int_equal(term_settings_get(&set, TERM_SETTING_VOLUME), 55);
    assert_int_equal(term_settings_get(&set, TERM_SETTING_UPLOAD_ATT_ALWAYS), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bind_clock_punch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_user_pin_and_card, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_enroll_fp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_state_update_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_for_updates_stages_firmware, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usb_upgrade, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_address_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_driver_server_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_held_and_setting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_echoed_users_keep_pins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_biodata_finger_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_sets_a_setting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
