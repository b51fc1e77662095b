/*
 * test_term_gallery.c - the verification machine on its real ports: the
 * SQLCipher store and the in-memory gallery matched by the engine. Fingers
 * are engine templates built from seeded minutiae; a probe is the same
 * finger's minutiae moved, turned slightly and thinned, as a second press
 * would give.
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
#include <time.h>
#include <unistd.h>

#include "fp/fp.h"
#include "term_gallery.h"
#include "term_store.h"
#include "term_verify.h"

typedef struct fixture {
    char dir[256], db[300], key[300];
    term_store_config cfg;
    term_store *st;
    fp_context *ctx;
    term_gallery *g;
} fixture;

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/*
 * Finger `seed`: 40 minutiae. press > 0 gives another impression: shifted
 * by up to 6 px, jittered by 2 px, a few minutiae missing.
 */
static fp_template *finger(uint32_t seed, uint32_t press)
{
    fp_minutia m[40];
    uint32_t x = seed * 2654435761u + 7, p = press * 40503u + 11;
    int dx = press ? (int)(lcg(&p) % 13) - 6 : 0, dy = press ? (int)(lcg(&p) % 13) - 6 : 0;
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        int mx = 40 + (int)(lcg(&x) % 220), my = 40 + (int)(lcg(&x) % 320);
        uint8_t angle = (uint8_t)lcg(&x);
        uint8_t type = (uint8_t)(1 + lcg(&x) % 2);
        if (press && lcg(&p) % 10 == 0) continue; /* not seen in this press */
        m[n].x = (uint16_t)(mx + dx + (press ? (int)(lcg(&p) % 5) - 2 : 0));
        m[n].y = (uint16_t)(my + dy + (press ? (int)(lcg(&p) % 5) - 2 : 0));
        m[n].angle = (uint8_t)(angle + (press ? (int)(lcg(&p) % 5) - 2 : 0));
        m[n].type = type;
        m[n].quality = 80;
        m[n].reserved = 0;
        n++;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(300, 400, 500, m, n, 70, &t), FP_OK);
    return t;
}

static size_t finger_bytes(uint32_t seed, uint8_t *buf, size_t cap)
{
    fp_template *t = finger(seed, 0);
    size_t written = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, cap, &written), FP_OK);
    fp_template_destroy(t);
    return written;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof(fx->dir), "%s/term_gallery_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof(fx->db), "%s/m1.db", fx->dir);
    snprintf(fx->key, sizeof(fx->key), "%s/device.key", fx->dir);
    fx->cfg.db_path = fx->db;
    fx->cfg.key_path = fx->key;
    fx->cfg.create_key = 1;
    term_device_profile_m1(&fx->cfg.profile);
    fx->cfg.profile.pin_iterations = 2000;
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    assert_int_equal(fp_context_create(NULL, &fx->ctx), FP_OK);
    assert_int_equal(term_gallery_create(fx->ctx, &fx->g), TERM_OK);

    /* Users 1..3 with fingers 0 and 1: finger seed = 10 * user + index. */
    uint8_t buf[4096];
    for (int u = 1; u <= 3; u++) {
        term_user user = {.privilege = TERM_PRIV_USER};
        snprintf(user.id, sizeof(user.id), "%d", u);
        snprintf(user.name, sizeof(user.name), "User %d", u);
        assert_int_equal(term_store_user_add(fx->st, &user), TERM_OK);
        for (uint32_t i = 0; i < 2; i++) {
            size_t len = finger_bytes((uint32_t)(10 * u) + i, buf, sizeof(buf));
            assert_int_equal(term_store_finger_set(fx->st, user.id, i, buf, len), TERM_OK);
        }
    }
    assert_int_equal(term_store_card_set(fx->st, "3", 777), TERM_OK);
    assert_int_equal(term_store_pin_set(fx->st, "3", "2468"), TERM_OK);
    assert_int_equal(term_gallery_load(fx->g, fx->st), TERM_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_gallery_destroy(fx->g);
    fp_context_destroy(fx->ctx);
    term_store_close(fx->st);
    const char *suffix[] = {"", "-wal", "-shm"};
    char path[320];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", fx->db, suffix[i]);
        unlink(path);
    }
    unlink(fx->key);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void test_gallery(void **state)
{
    fixture *fx = *state;
    assert_int_equal(term_gallery_count(fx->g), 6);
    char uid[TERM_USER_ID_MAX + 1];
    float score = 0, impostor = 0;

    fp_template *probe = finger(21, 1); /* user 2, finger 1, another press */
    assert_int_equal(term_gallery_identify(fx->g, probe, uid, &score), TERM_OK);
    assert_string_equal(uid, "2");
    printf("genuine 1:N score %.1f\n", score);
    assert_true(score > 35.0f);
    assert_int_equal(term_gallery_verify(fx->g, "2", probe, &score), TERM_OK);
    assert_true(score > 30.0f);
    assert_int_equal(term_gallery_verify(fx->g, "1", probe, &impostor), TERM_OK);
    assert_true(impostor < 30.0f);
    assert_int_equal(term_gallery_verify(fx->g, "9", probe, &score), TERM_ERR_NOT_FOUND);
    fp_template_destroy(probe);

    fp_template *stranger = finger(999, 1);
    assert_int_equal(term_gallery_identify(fx->g, stranger, uid, &impostor), TERM_OK);
    printf("best impostor 1:N score %.1f\n", impostor);
    assert_true(impostor < 35.0f);
    fp_template_destroy(stranger);

    uint8_t buf[4096];
    size_t len = finger_bytes(55, buf, sizeof(buf));
    assert_int_equal(term_gallery_put(fx->g, "1", 0, buf, len), TERM_OK); /* replaces */
    assert_int_equal(term_gallery_count(fx->g), 6);
    assert_int_equal(term_gallery_put(fx->g, "1", 0, buf, len / 2), TERM_ERR_BAD_TEMPLATE);
    term_gallery_remove_user(fx->g, "2");
    assert_int_equal(term_gallery_count(fx->g), 4);
    probe = finger(21, 1);
    assert_int_equal(term_gallery_identify(fx->g, probe, uid, &score), TERM_OK);
    assert_true(score < 35.0f); /* user 2 is gone */
    fp_template_destroy(probe);
}

/* Runs one event and does what the terminal's main loop does with RECORD actions. */
static const term_action *run(fixture *fx, term_verify *v, term_event ev, term_action_list *out, int64_t *rec_id)
{
    assert_int_equal(term_verify_step(v, &ev, out), TERM_OK);
    const term_action *verified = NULL;
    for (size_t i = 0; i < out->count; i++) {
        if (out->items[i].type == TERM_ACT_RECORD)
            assert_int_equal(term_store_record_add(fx->st, &out->items[i].record, rec_id), TERM_OK);
        if (out->items[i].type == TERM_ACT_SCREEN &&
            (out->items[i].screen == TERM_SCREEN_VERIFIED || out->items[i].screen == TERM_SCREEN_FAILED))
            verified = &out->items[i];
    }
    return verified;
}

/* The manual's flows end to end: 1:N finger, duplicate period, 1:N card, 1:1 password. */
static void test_flows_on_real_ports(void **state)
{
    fixture *fx = *state;
    term_settings s;
    assert_int_equal(term_store_settings_load(fx->st, &s), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "duplicate_punch_period", "1"), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, &s), TERM_OK);
    term_services svc = {fx->st, fx->g};
    term_verify_ops ops;
    term_services_ops(&svc, &ops);
    term_verify v;
    assert_int_equal(term_verify_init(&v, &s, &ops), TERM_OK);
    term_action_list out;
    int64_t id = 0;
    const int64_t t0 = 1729846800;

    fp_template *probe = finger(30, 2);
    term_event ev = {.type = TERM_EV_FINGER, .mono_ms = 1000, .local_time = t0};
    ev.u.finger = probe;
    const term_action *a = run(fx, &v, ev, &out, &id);
    assert_int_equal(a->screen, TERM_SCREEN_VERIFIED);
    assert_string_equal(a->user.id, "3");
    assert_string_equal(a->user.name, "User 3");
    assert_int_equal(a->user.methods, TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN);
    assert_true(id > 0);

    /* 30 s later, the same person: inside the 1-minute period, no record. */
    ev.mono_ms += 30000;
    ev.local_time += 30;
    a = run(fx, &v, ev, &out, &id);
    assert_int_equal(a->duplicate, 1);
    fp_template_destroy(probe);

    term_event card = {.type = TERM_EV_CARD, .mono_ms = 100000, .local_time = t0 + 61};
    card.u.card = 777;
    a = run(fx, &v, card, &out, &id);
    assert_int_equal(a->screen, TERM_SCREEN_VERIFIED);
    assert_int_equal(a->duplicate, 0);
    card.u.card = 778;
    card.mono_ms += 10000;
    a = run(fx, &v, card, &out, &id);
    assert_int_equal(a->fail, TERM_FAIL_UNREGISTERED_CARD);

    /* 1:1: user 3 keys in the id, picks the password (third method), types it. */
    term_event k = {.type = TERM_EV_KEY, .mono_ms = 200000, .local_time = t0 + 200};
    term_key keys[] = {TERM_KEY_0 + 3, TERM_KEY_OK,    TERM_KEY_0 + 3, TERM_KEY_0 + 2,
                       TERM_KEY_0 + 4, TERM_KEY_0 + 6, TERM_KEY_0 + 8, TERM_KEY_OK};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        k.u.key = keys[i];
        a = run(fx, &v, k, &out, &id);
    }
    assert_non_null(a);
    assert_int_equal(a->screen, TERM_SCREEN_VERIFIED);
    assert_int_equal(a->record.verify, TERM_VERIFY_PIN);

    term_store_counts c;
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.records, 3);
    int64_t last = 0;
    assert_int_equal(term_store_record_last(fx->st, "3", &last), TERM_OK);
    assert_int_equal(last, t0 + 200);

    /* The menu: open with the reminder while the store has no administrator... */
    k.mono_ms += 60000;
    k.u.key = TERM_KEY_OK;
    assert_int_equal(term_verify_step(&v, &k, &out), TERM_OK);
    assert_int_equal(out.items[out.count - 1].type, TERM_ACT_OPEN_MENU);
    assert_int_equal(out.items[out.count - 1].admin_reminder, 1);
    /* ...then only for one. */
    term_user admin = {.id = "3", .name = "User 3", .privilege = TERM_PRIV_ADMIN};
    assert_int_equal(term_store_user_update(fx->st, &admin), TERM_OK);
    assert_int_equal(term_verify_step(&v, &k, &out), TERM_OK);
    assert_int_equal(term_verify_current(&v), TERM_VS_MENU_AUTH);
    card.u.card = 777;
    card.mono_ms = k.mono_ms + 1000;
    assert_int_equal(term_verify_step(&v, &card, &out), TERM_OK);
    assert_int_equal(out.items[out.count - 1].type, TERM_ACT_OPEN_MENU);
    assert_string_equal(out.items[out.count - 1].user.id, "3");
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.records, 3);
}

/* 1:N time over a larger gallery, printed for docs/terminal.md (not a benchmark of record). */
static void test_identify_time(void **state)
{
    fixture *fx = *state;
    uint8_t buf[4096];
    term_gallery_destroy(fx->g);
    assert_int_equal(term_gallery_create(fx->ctx, &fx->g), TERM_OK);
    const int n = 1000;
    for (int i = 0; i < n; i++) {
        char uid[16];
        snprintf(uid, sizeof(uid), "%d", 100 + i);
        size_t len = finger_bytes((uint32_t)(1000 + i), buf, sizeof(buf));
        assert_int_equal(term_gallery_put(fx->g, uid, 0, buf, len), TERM_OK);
    }
    fp_template *probe = finger(1000 + 777, 3);
    char uid[TERM_USER_ID_MAX + 1];
    float score = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(term_gallery_identify(fx->g, probe, uid, &score), TERM_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_string_equal(uid, "877");
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("1:N identify over %d templates (one thread, synthetic minutiae): %.1f ms, score %.1f\n", n, ms, score);
    fp_template_destroy(probe);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gallery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows_on_real_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
