/*
 * test_ui_sim.c - the user interface end to end: the terminal application
 * driven through the simulator core (sim_core.h) and rendered by the
 * framebuffer renderer.
 *
 *  - key@M1 typed with multi-tap exactly as manual 1.3 describes, checked
 *    step by step on the screen model and on the pixels, and then in the
 *    store (the saved password is key@M1);
 *  - a walk over every item of every menu and setting list, entering each
 *    and coming back with ESC, failing on any screen that cannot be left
 *    (a dead end) or that does not render.
 * Screens are written to ui_actual/ in the build directory for review.
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

#include "sim_core.h"
#include "term_store.h"
#include "ui_render.h"

#ifndef UI_TEST_OUT_DIR
#define UI_TEST_OUT_DIR "ui_actual"
#endif

static m1_sim *open_sim(const char *shots)
{
    m1_sim_config cfg;
    m1_sim_config_init(&cfg);
    cfg.shots_dir = shots;
    m1_sim *sim = NULL;
    char err[256] = "";
    if (m1_sim_open(&cfg, &sim, err, sizeof err) != 0) fail_msg("m1_sim_open: %s", err);
    return sim;
}

static void line(m1_sim *sim, const char *text)
{
    char err[512] = "";
    int rc = m1_sim_line(sim, text, err, sizeof err);
    if (rc != 0) fail_msg("`%s`: %s", text, err);
}

/* ------------------------------------------------------------------------ */
/* key@M1                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct t9_step {
    const char *keys;
    const char *value;      /* shown value ('*' per committed character of a password) */
    const char *mode;       /* input method shown, "" when closed */
    const char *candidates; /* letters of the pending key, "" when none */
    int candidate;          /* the pending one */
} t9_step;

static void test_key_at_m1(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/key_at_m1", UI_TEST_OUT_DIR);
    mkdir(UI_TEST_OUT_DIR, 0755);
    mkdir(dir, 0755);
    m1_sim *sim = open_sim(dir);
    static term_screen_model m;
    /* Main menu > User Mgt. > New User (id 1) > Password */
    line(sim, "key OK OK OK");
    line(sim, "expect screen user_new");
    line(sim, "key OK");
    line(sim, "expect screen user_edit");
    line(sim, "key DOWN DOWN DOWN DOWN DOWN OK");
    line(sim, "expect screen text_input");
    static const t9_step steps[] = {
        {"RIGHT", "", "123", "", -1},                 /* > shows the input method */
        {"RIGHT", "", "abc", "", -1},                 /* > again switches it */
        {"5 5", "k", "abc", "jkl5", 1},               /* 5JKL twice: k */
        {"3 3", "*e", "abc", "def3", 1},              /* 3DEF twice: e (k is kept, and masked) */
        {"9 9 9", "**y", "abc", "wxyz9", 2},          /* 9WXYZ three times: y */
        {"RIGHT RIGHT", "***", "sym", "", -1},        /* abc -> ABC -> sym */
        {"2", "***@", "sym", "@#$%&", 0},             /* 2: @ */
        {"RIGHT RIGHT RIGHT", "****", "ABC", "", -1}, /* sym -> 123 -> abc -> ABC */
        {"6", "****M", "ABC", "MNO6", 0},             /* 6MNO once: M */
        {"RIGHT RIGHT", "*****", "123", "", -1},      /* ABC -> sym -> 123 */
        {"1", "******", "123", "", -1},               /* 1 */
        {"ESC", "******", "", "", -1},                /* ESC leaves the input method */
    };
    ui_fb *prev = NULL, *cur = NULL;
    assert_int_equal(ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &prev), UI_OK);
    assert_int_equal(ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &cur), UI_OK);
    m1_sim_screen(sim, &m);
    assert_int_equal(ui_render(&m, prev), UI_OK);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "key %s", steps[i].keys);
        line(sim, cmd);
        snprintf(cmd, sizeof cmd, "shot step%02zu", i + 1);
        line(sim, cmd);
        m1_sim_screen(sim, &m);
        assert_int_equal(m.kind, TERM_BODY_FIELD);
        const term_scr_field *f = &m.body.field;
        if (strcmp(f->value, steps[i].value) != 0 || strcmp(f->mode, steps[i].mode) != 0)
            fail_msg("after `%s`: value [%s] mode [%s], expected [%s] [%s]", steps[i].keys, f->value, f->mode,
                     steps[i].value, steps[i].mode);
        if (steps[i].candidates[0]) {
            assert_string_equal(f->candidates, steps[i].candidates);
            assert_int_equal(f->candidate, steps[i].candidate);
        }
        /* every step is visible on the LCD */
        assert_int_equal(ui_render(&m, cur), UI_OK);
        assert_memory_not_equal(ui_fb_pixels(prev), ui_fb_pixels(cur), sizeof(ui_color) * UI_FB_WIDTH * UI_FB_HEIGHT);
        ui_fb *t = prev;
        prev = cur;
        cur = t;
    }
    ui_fb_destroy(prev);
    ui_fb_destroy(cur);
    line(sim, "key OK");
    line(sim, "shot saved");
    line(sim, "expect pins 1");
    /* the store holds exactly key@M1 */
    term_store *st = term_app_store(m1_sim_app(sim));
    assert_int_equal(term_store_pin_check(st, "1", "key@M1"), TERM_OK);
    assert_int_equal(term_store_pin_check(st, "1", "key@m1"), TERM_NO_MATCH);
    m1_sim_close(sim);
}

/* The same scenario as a script file (the one docs/ui.md shows) runs clean. */
static void test_key_at_m1_script(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/key_at_m1_script", UI_TEST_OUT_DIR);
    mkdir(UI_TEST_OUT_DIR, 0755);
    mkdir(dir, 0755);
    m1_sim *sim = open_sim(dir);
    char err[512] = "";
    int rc = m1_sim_script(sim, FP_SOURCE_DIR "/tests/ui_ref/scenarios/key_at_m1.txt", err, sizeof err);
    if (rc != 0) fail_msg("%s", err);
    assert_int_equal(term_store_pin_check(term_app_store(m1_sim_app(sim)), "1", "key@M1"), TERM_OK);
    m1_sim_close(sim);
}

/* Script lines: bad ones are refused with a reason (2), failed expectations reported (1). */
static void test_script_lines(void **state)
{
    (void)state;
    m1_sim *sim = open_sim(UI_TEST_OUT_DIR);
    static const char *const bad[] = {"bogus",
                                      "key",
                                      "key FOO",
                                      "type 12a",
                                      "finger x",
                                      "finger 1/",
                                      "finger 99",
                                      "card",
                                      "card -5",
                                      "wait x",
                                      "clock 2024-13-01 10:00:00",
                                      "clock 2024-10-01 10:00",
                                      "shot ../evil",
                                      "shot",
                                      "expect",
                                      "expect screen nowhere",
                                      "network wifi"};
    char err[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (m1_sim_line(sim, bad[i], err, sizeof err) != 2) fail_msg("`%s` was accepted", bad[i]);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(m1_sim_line(sim, "# a comment", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect screen standby", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect screen main_menu", err, sizeof err), 1);
    assert_int_equal(m1_sim_line(sim, "clock 2025-01-02 03:04:05", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect text \"03:04\"", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect no-text \"03:04\"", err, sizeof err), 1);
    assert_int_equal(m1_sim_line(sim, "expect users 0", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect users 3", err, sizeof err), 1);
    /* an unknown card: the failure screen and its voice prompt through the audio backend */
    assert_int_equal(m1_sim_line(sim, "card 4242", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect screen failed", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect voice \"card not registered\"", err, sizeof err), 0);
    assert_int_equal(m1_sim_line(sim, "expect voice \"thank you\"", err, sizeof err), 1);
    m1_sim_close(sim);
}

/* ------------------------------------------------------------------------ */
/* Menu walk                                                                */
/* ------------------------------------------------------------------------ */

typedef struct walker {
    m1_sim *sim;
    term_screen_model m;
    int visited;
    int shots;
    FILE *log;
    char dir[1024];
} walker;

/* Lists whose items are all visited: the menus and the setting screens. */
static int walkable(term_scr_id id)
{
    switch (id) {
    case TERM_SCR_MAIN_MENU:
    case TERM_SCR_USER_MENU:
    case TERM_SCR_COMM_MENU:
    case TERM_SCR_SYSTEM_MENU:
    case TERM_SCR_DATA_MENU:
    case TERM_SCR_AUTOTEST_MENU:
    case TERM_SCR_SYSINFO_MENU:
    case TERM_SCR_WIFI:
    case TERM_SCR_IP_SETTINGS:
    case TERM_SCR_DATE_TIME:
    case TERM_SCR_ATTENDANCE:
    case TERM_SCR_FP_SETTINGS:
    case TERM_SCR_VOICE:
    case TERM_SCR_USB:
    case TERM_SCR_UPDATE:
    case TERM_SCR_SECURITY:
    case TERM_SCR_DST:
    case TERM_SCR_SERVER:
        return 1;
    default:
        return 0;
    }
}

static void current(walker *w)
{
    m1_sim_screen(w->sim, &w->m);
}

static int same_place(const term_screen_model *m, term_scr_id id, const char *title)
{
    return m->id == id && strncmp(m->title, title, sizeof m->title) == 0;
}

static void snap(walker *w, const char *path)
{
    char file[1400], name[200];
    snprintf(name, sizeof name, "%.150s", path);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) *p = '_';
    snprintf(file, sizeof file, "%s/%03d-%s.png", w->dir, ++w->shots, name);
    assert_int_equal(m1_sim_shot(w->sim, file, 1), UI_OK);
}

static void walk(walker *w, const char *path, int depth)
{
    current(w);
    term_scr_id id = w->m.id;
    char title[TERM_SCR_TEXT];
    snprintf(title, sizeof title, "%s", w->m.title);
    uint32_t total = w->m.body.list.total;
    assert_int_equal(w->m.kind, TERM_BODY_LIST);
    assert_true(total > 0);
    for (uint32_t i = 0; i < total; i++) {
        current(w);
        total = w->m.body.list.total; /* a list may change while it is walked */
        if (i >= total) break;
        if (!same_place(&w->m, id, title))
            fail_msg("%s: lost the list before item %u (on %s)", path, i, term_scr_id_name(w->m.id));
        /* move the highlight to item i */
        for (uint32_t guard = 0; w->m.body.list.selected != i; guard++) {
            if (guard > 2 * total + 2) fail_msg("%s: item %u cannot be highlighted", path, i);
            m1_sim_key(w->sim, w->m.body.list.selected < i ? TERM_KEY_DOWN : TERM_KEY_UP);
            current(w);
        }
        char label[TERM_SCR_TEXT] = "?";
        if (i >= w->m.body.list.first && i - w->m.body.list.first < w->m.body.list.count)
            snprintf(label, sizeof label, "%s", w->m.body.list.items[i - w->m.body.list.first].text);
        char sub[512];
        snprintf(sub, sizeof sub, "%s > %s", path, label);
        m1_sim_key(w->sim, TERM_KEY_OK);
        current(w);
        w->visited++;
        if (w->log) fprintf(w->log, "%s -> %s \"%s\"\n", sub, term_scr_id_name(w->m.id), w->m.title);
        snap(w, sub);
        if (same_place(&w->m, id, title)) {
            /* a toggle flipped in place: flip it back, so that the rest of the list stays as it was
             * (Developer Mode, for one, hides USB Upgrade) */
            m1_sim_key(w->sim, TERM_KEY_OK);
            current(w);
            if (!same_place(&w->m, id, title))
                fail_msg("%s: a second M/OK on a toggle left the list (%s)", sub, term_scr_id_name(w->m.id));
            continue;
        }
        if (w->m.kind == TERM_BODY_LIST && walkable(w->m.id) && depth < 4) walk(w, sub, depth + 1);
        /* back with ESC (a second one where the first closes an input method or a dialog) */
        int back = 0;
        for (int k = 0; k < 6 && !back; k++) {
            m1_sim_key(w->sim, TERM_KEY_ESC);
            current(w);
            back = same_place(&w->m, id, title);
            if (!back && k >= 2) {
                m1_sim_wait(w->sim, 1000); /* timed screens (tests, results) */
                current(w);
                back = same_place(&w->m, id, title);
            }
        }
        if (!back)
            fail_msg("dead end: %s leaves the terminal on %s \"%s\" after ESC", sub, term_scr_id_name(w->m.id),
                     w->m.title);
    }
}

static void test_menu_walk(void **state)
{
    (void)state;
    static walker w;
    memset(&w, 0, sizeof w);
    snprintf(w.dir, sizeof w.dir, "%s/menu_walk", UI_TEST_OUT_DIR);
    mkdir(UI_TEST_OUT_DIR, 0755);
    mkdir(w.dir, 0755);
    char logpath[1200];
    snprintf(logpath, sizeof logpath, "%s/walk.txt", w.dir);
    w.log = fopen(logpath, "w");
    w.sim = open_sim(w.dir);
    /* a user, so that the user screens have something to show */
    line(w.sim, "key OK OK OK OK");
    line(w.sim, "key ESC ESC ESC ESC");
    line(w.sim, "wait 2");
    line(w.sim, "expect screen standby");
    m1_sim_key(w.sim, TERM_KEY_OK);
    current(&w);
    assert_int_equal(w.m.id, TERM_SCR_MAIN_MENU);
    walk(&w, "Main Menu", 0);
    /* and out of the menu to standby */
    m1_sim_key(w.sim, TERM_KEY_ESC);
    current(&w);
    assert_int_equal(w.m.id, TERM_SCR_STANDBY);
    if (w.log) {
        fprintf(w.log, "%d items entered\n", w.visited);
        fclose(w.log);
    }
    print_message("menu walk: %d items entered and left (see %s)\n", w.visited, logpath);
    /* the main menu's seven entries and their settings: far more than a token few */
    assert_true(w.visited >= 60);
    m1_sim_close(w.sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_at_m1),
        cmocka_unit_test(test_key_at_m1_script),
        cmocka_unit_test(test_script_lines),
        cmocka_unit_test(test_menu_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
