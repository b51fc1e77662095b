/*
 * test_term_verify.c - the verification flows of manual 1.2 driven through
 * the pure state machine with fake ports: 1:N finger, 1:N card, 1:1 by user
 * id (finger, card, password, method choice), thresholds, retries, timeouts,
 * duplicate punch period, punch state, record space and log alert, voice
 * settings, faults.
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

#include "term_verify.h"

/* A probe stands for a captured template: whose finger it is and how well
 * it matches that person's enrolled fingers. */
typedef struct probe {
    const char *owner;
    float score;
} probe;

typedef struct fake_user {
    const char *id, *name;
    unsigned methods;
    uint64_t card;
    const char *pin;
    term_privilege priv;
} fake_user;

typedef struct fake {
    const fake_user *users;
    size_t nusers;
    term_record log[64];
    uint32_t nlog;
    uint32_t capacity;
    uint32_t preused; /* records counted as used besides log */
    int fault;        /* every port fails with TERM_ERR_DATABASE */
    int no_admin;     /* nobody has the administrator privilege */
    int pin_checks;
} fake;

static const fake_user *fake_find(const fake *f, const char *uid)
{
    for (size_t i = 0; i < f->nusers; i++)
        if (strcmp(f->users[i].id, uid) == 0) return &f->users[i];
    return NULL;
}

static term_status op_identify(void *ctx, const void *probe_v, char uid[TERM_USER_ID_MAX + 1], float *score)
{
    fake *f = ctx;
    const probe *p = probe_v;
    if (f->fault) return TERM_ERR_DATABASE;
    if (p->owner == NULL || fake_find(f, p->owner) == NULL) return TERM_ERR_NOT_FOUND;
    snprintf(uid, TERM_USER_ID_MAX + 1, "%s", p->owner);
    *score = p->score;
    return TERM_OK;
}

static term_status op_verify(void *ctx, const char *uid, const void *probe_v, float *score)
{
    fake *f = ctx;
    const probe *p = probe_v;
    if (f->fault) return TERM_ERR_DATABASE;
    *score = (p->owner && strcmp(p->owner, uid) == 0) ? p->score : 2.0f;
    return TERM_OK;
}

static term_status op_find_card(void *ctx, uint64_t card, char uid[TERM_USER_ID_MAX + 1])
{
    fake *f = ctx;
    if (f->fault) return TERM_ERR_DATABASE;
    for (size_t i = 0; i < f->nusers; i++) {
        if (f->users[i].card == card && card != 0) {
            snprintf(uid, TERM_USER_ID_MAX + 1, "%s", f->users[i].id);
            return TERM_OK;
        }
    }
    return TERM_ERR_NOT_FOUND;
}

static term_status op_lookup(void *ctx, const char *uid, term_user_info *out)
{
    fake *f = ctx;
    if (f->fault) return TERM_ERR_DATABASE;
    const fake_user *u = fake_find(f, uid);
    if (!u) return TERM_ERR_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", u->id);
    snprintf(out->name, sizeof(out->name), "%s", u->name);
    out->methods = u->methods;
    out->privilege = u->priv;
    return TERM_OK;
}

static term_status op_check_pin(void *ctx, const char *uid, const char *pin)
{
    fake *f = ctx;
    f->pin_checks++;
    const fake_user *u = fake_find(f, uid);
    if (!u || !u->pin) return TERM_ERR_NOT_FOUND;
    return strcmp(u->pin, pin) == 0 ? TERM_OK : TERM_NO_MATCH;
}

static term_status op_last_punch(void *ctx, const char *uid, int64_t *t)
{
    fake *f = ctx;
    for (uint32_t i = f->nlog; i-- > 0;) {
        if (strcmp(f->log[i].uid, uid) == 0) {
            *t = f->log[i].time;
            return TERM_OK;
        }
    }
    return TERM_ERR_NOT_FOUND;
}

static term_status op_space(void *ctx, uint32_t *used, uint32_t *cap)
{
    fake *f = ctx;
    *used = f->preused + f->nlog;
    *cap = f->capacity;
    return TERM_OK;
}

static term_status op_admin_count(void *ctx, uint32_t *count)
{
    fake *f = ctx;
    if (f->fault) return TERM_ERR_DATABASE;
    *count = 0;
    for (size_t i = 0; i < f->nusers && !f->no_admin; i++) *count += f->users[i].priv == TERM_PRIV_ADMIN;
    return TERM_OK;
}

static const fake_user users[] = {
    {"1", "Ann", TERM_METHOD_FINGER, 0, NULL, TERM_PRIV_USER},
    {"12", "Bob", TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN, 5555, "1234", TERM_PRIV_ADMIN},
    {"7", "Cy", TERM_METHOD_CARD | TERM_METHOD_PIN, 777, "key@M1", TERM_PRIV_USER},
    {"8", "Dee", 0, 0, NULL, TERM_PRIV_USER},
    {"AB12", "Eve", TERM_METHOD_PIN, 0, "4321", TERM_PRIV_USER},
};

typedef struct rig {
    fake f;
    term_settings s;
    term_verify v;
    term_action_list out;
    uint64_t now_ms;
    int64_t local; /* 2024-10-25 09:00:00 */
} rig;

static int setup(void **state)
{
    static rig r;
    memset(&r, 0, sizeof(r));
    r.f.users = users;
    r.f.nusers = sizeof(users) / sizeof(users[0]);
    r.f.capacity = 1000;
    term_settings_defaults(&r.s);
    r.now_ms = 1000;
    r.local = 1729846800; /* 2024-10-25 09:00:00 */
    term_verify_ops ops = {.ctx = &r.f,
                           .identify_finger = op_identify,
                           .verify_finger = op_verify,
                           .find_card = op_find_card,
                           .lookup_user = op_lookup,
                           .check_pin = op_check_pin,
                           .last_punch = op_last_punch,
                           .record_space = op_space,
                           .admin_count = op_admin_count};
    assert_int_equal(term_verify_init(&r.v, &r.s, &ops), TERM_OK);
    *state = &r;
    return 0;
}

/* Feeds one event; RECORD actions are appended to the fake log as a store would. */
static const term_action_list *feed(rig *r, term_event ev)
{
    ev.mono_ms = r->now_ms;
    ev.local_time = r->local;
    assert_int_equal(term_verify_step(&r->v, &ev, &r->out), TERM_OK);
    for (size_t i = 0; i < r->out.count; i++)
        if (r->out.items[i].type == TERM_ACT_RECORD && r->f.nlog < 64) r->f.log[r->f.nlog++] = r->out.items[i].record;
    return &r->out;
}

static const term_action_list *finger(rig *r, const char *owner, float score)
{
    static probe p;
    p.owner = owner;
    p.score = score;
    term_event ev = {.type = TERM_EV_FINGER};
    ev.u.finger = &p;
    return feed(r, ev);
}

static const term_action_list *card(rig *r, uint64_t number)
{
    term_event ev = {.type = TERM_EV_CARD};
    ev.u.card = number;
    return feed(r, ev);
}

static const term_action_list *key(rig *r, term_key k)
{
    term_event ev = {.type = TERM_EV_KEY};
    ev.u.key = k;
    return feed(r, ev);
}

static const term_action_list *text(rig *r, term_event_type type, const char *t)
{
    term_event ev = {.type = type};
    ev.u.text = t;
    return feed(r, ev);
}

static const term_action_list *tick(rig *r, uint64_t advance_ms)
{
    r->now_ms += advance_ms;
    term_event ev = {.type = TERM_EV_TICK};
    return feed(r, ev);
}

static const term_action_list *type_id(rig *r, const char *digits)
{
    for (const char *p = digits; *p; p++) key(r, (term_key)(TERM_KEY_0 + (*p - '0')));
    return key(r, TERM_KEY_OK);
}

static const term_action *find(const term_action_list *l, term_action_type type)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].type == type) return &l->items[i];
    return NULL;
}

static const term_action *find_screen(const term_action_list *l, term_screen screen)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].type == TERM_ACT_SCREEN && l->items[i].screen == screen) return &l->items[i];
    return NULL;
}

static int has_voice(const term_action_list *l, term_voice v)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].type == TERM_ACT_VOICE && l->items[i].voice == v) return 1;
    return 0;
}

static void test_inputs(void **state)
{
    (void)state;
    assert_int_equal(term_user_id_check("123", 0), TERM_OK);
    assert_int_equal(term_user_id_check("AB12", 0), TERM_ERR_BAD_USER_ID);
    assert_int_equal(term_user_id_check("AB12", 1), TERM_OK);
    assert_int_equal(term_user_id_check("0AB", 1), TERM_OK); /* letters: kept as typed */
    assert_int_equal(term_user_id_check("", 1), TERM_ERR_BAD_USER_ID);
    assert_int_equal(term_user_id_check("a b", 1), TERM_ERR_BAD_USER_ID);
    assert_int_equal(term_user_id_check("1234567890123456789012345", 0), TERM_ERR_BAD_USER_ID);
    /* numeric ids: one canonical form ("011" is user 11) and the range 1..999999999, whatever the setting */
    assert_int_equal(term_user_id_check("011", 0), TERM_ERR_BAD_USER_ID);
    assert_int_equal(term_user_id_check("011", 1), TERM_ERR_BAD_USER_ID);
    assert_int_equal(term_user_id_check("1", 0), TERM_OK);
    assert_int_equal(term_user_id_check("999999999", 0), TERM_OK);
    assert_int_equal(term_user_id_check("1000000000", 0), TERM_ERR_USER_ID_RANGE);
    assert_int_equal(term_user_id_check("0", 0), TERM_ERR_USER_ID_RANGE);
    assert_int_equal(term_user_id_check("123456789012345678901234", 0), TERM_ERR_USER_ID_RANGE);
    assert_int_equal(term_user_id_check("18446744073709551616", 1), TERM_ERR_USER_ID_RANGE);
    char canon[TERM_USER_ID_MAX + 1];
    static const char *const same[] = {"1", "01", "001", "000000000000000000000001"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        assert_int_equal(term_user_id_normalize(same[i], 0, canon), TERM_OK);
        assert_string_equal(canon, "1");
    }
    assert_int_equal(term_user_id_normalize("000", 0, canon), TERM_OK);
    assert_string_equal(canon, "0");
    assert_int_equal(term_user_id_normalize("0Ab", 1, canon), TERM_OK);
    assert_string_equal(canon, "0Ab");
    assert_int_equal(term_user_id_normalize("0Ab", 0, canon), TERM_ERR_BAD_USER_ID);
    assert_string_equal(canon, "");
    snprintf(canon, sizeof(canon), "0042");
    assert_int_equal(term_user_id_normalize(canon, 0, canon), TERM_OK); /* in place */
    assert_string_equal(canon, "42");
    assert_int_equal(term_pin_check("key@M1"), TERM_OK);
    assert_int_equal(term_pin_check(""), TERM_ERR_BAD_PIN);
    assert_int_equal(term_pin_check("12345678901234567"), TERM_ERR_BAD_PIN);
    assert_int_equal(term_pin_check("12\n4"), TERM_ERR_BAD_PIN);

    term_verify v;
    term_settings s;
    term_verify_ops ops = {0};
    term_settings_defaults(&s);
    assert_int_equal(term_verify_init(&v, &s, &ops), TERM_ERR_INVALID_ARGUMENT);
    assert_int_equal(term_verify_init(NULL, &s, &ops), TERM_ERR_INVALID_ARGUMENT);
}

/* 1:N fingerprint: success writes a record; the screen holds for the authentication timeout. */
static void test_1n_finger_success(void **state)
{
    rig *r = *state;
    const term_action_list *l = finger(r, "1", 50.0f);
    const term_action *rec = find(l, TERM_ACT_RECORD);
    assert_non_null(rec);
    assert_string_equal(rec->record.uid, "1");
    assert_int_equal(rec->record.verify, TERM_VERIFY_FINGER);
    assert_int_equal(rec->record.time, r->local);
    assert_int_equal(rec->record.state, TERM_PUNCH_NONE);
    const term_action *ok = find_screen(l, TERM_SCREEN_VERIFIED);
    assert_non_null(ok);
    assert_string_equal(ok->user.name, "Ann");
    assert_int_equal(ok->duration_s, 3);
    assert_true(has_voice(l, TERM_VOICE_THANK_YOU));
    assert_null(find(l, TERM_ACT_FP_IMAGE)); /* "Fingerprint Image" is None by default */
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RESULT);
    assert_int_equal(tick(r, 2999)->count, 0);
    assert_non_null(find(tick(r, 1), TERM_ACT_STANDBY));
    assert_int_equal(term_verify_current(&r->v), TERM_VS_STANDBY);
    assert_int_equal(r->f.nlog, 1);
}

/* "greater than the set value": a score equal to the threshold fails. */
static void test_thresholds(void **state)
{
    rig *r = *state;
    assert_null(find(finger(r, "1", 35.0f), TERM_ACT_RECORD));
    assert_non_null(find(finger(r, "1", 35.5f), TERM_ACT_RECORD));
    assert_int_equal(term_settings_parse(&r->s, "threshold_1_n", "60"), TERM_OK);
    tick(r, 5000);
    assert_null(find(finger(r, "1", 50.0f), TERM_ACT_RECORD));
    /* 1:1 has its own, lower threshold (30): 31 passes there. */
    tick(r, 20000);
    type_id(r, "1");
    assert_int_equal(term_verify_current(&r->v), TERM_VS_WAIT_FINGER);
    assert_null(find(finger(r, "1", 30.0f), TERM_ACT_RECORD));
    assert_non_null(find(finger(r, "1", 31.0f), TERM_ACT_RECORD));
}

/* Manual 1.2.1: "You can attempt verification 2 more times", then standby. */
static void test_1n_retries(void **state)
{
    rig *r = *state;
    const term_action_list *l = finger(r, NULL, 0.0f);
    const term_action *f = find_screen(l, TERM_SCREEN_FAILED);
    assert_non_null(f);
    assert_int_equal(f->fail, TERM_FAIL_NO_MATCH);
    assert_int_equal(f->attempts_left, 2);
    assert_true(has_voice(l, TERM_VOICE_TRY_AGAIN));
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RETRY_1N);
    f = find_screen(finger(r, "1", 10.0f), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 1);
    l = finger(r, NULL, 0.0f);
    f = find_screen(l, TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 0);
    assert_true(has_voice(l, TERM_VOICE_FAILED));
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RESULT);
    assert_non_null(find(tick(r, 3000), TERM_ACT_STANDBY));
    /* A fresh press starts a fresh count. */
    f = find_screen(finger(r, NULL, 0.0f), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 2);
    /* The retry screen gives up after the input timeout, and the count with it. */
    assert_non_null(find(tick(r, TERM_VERIFY_INPUT_TIMEOUT_MS), TERM_ACT_STANDBY));
    f = find_screen(finger(r, NULL, 0.0f), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 2);
    /* A success inside the retries punches normally. */
    assert_non_null(find(finger(r, "1", 40.0f), TERM_ACT_RECORD));
    assert_int_equal(r->f.nlog, 1);
}

/* A press the sensor wants again (wet, moved) is not an attempt. */
static void test_sensor_retry_is_not_an_attempt(void **state)
{
    rig *r = *state;
    assert_int_equal(term_settings_parse(&r->s, "retry_attempts_1_1", "2"), TERM_OK);
    type_id(r, "1");
    const term_action *f = find_screen(finger(r, "1", 5.0f), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 1);
    term_event ev = {.type = TERM_EV_FINGER_RETRY};
    ev.u.retry = 106;
    const term_action *a = find_screen(feed(r, ev), TERM_SCREEN_FINGER_RETRY);
    assert_non_null(a);
    assert_int_equal(a->retry, 106);
    assert_int_equal(term_verify_current(&r->v), TERM_VS_WAIT_FINGER);
    f = find_screen(finger(r, "1", 5.0f), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 0);
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RESULT);
    assert_int_equal(r->f.nlog, 0);
}

static void test_1n_card(void **state)
{
    rig *r = *state;
    const term_action_list *l = card(r, 777);
    const term_action *rec = find(l, TERM_ACT_RECORD);
    assert_non_null(rec);
    assert_string_equal(rec->record.uid, "7");
    assert_int_equal(rec->record.verify, TERM_VERIFY_CARD);
    assert_string_equal(find_screen(l, TERM_SCREEN_VERIFIED)->user.name, "Cy");
    l = card(r, 999);
    const term_action *f = find_screen(l, TERM_SCREEN_FAILED);
    assert_int_equal(f->fail, TERM_FAIL_UNREGISTERED_CARD);
    assert_true(has_voice(l, TERM_VOICE_UNREGISTERED_CARD));
    assert_int_equal(r->f.nlog, 1);
}

/* 1:1: a user with one method goes straight to it. */
static void test_1_1_single_method(void **state)
{
    rig *r = *state;
    const term_action_list *l = key(r, TERM_KEY_0 + 1);
    const term_action *a = find_screen(l, TERM_SCREEN_ENTER_USER_ID);
    assert_string_equal(a->input, "1");
    assert_true(has_voice(l, TERM_VOICE_KEY_BEEP));
    a = find_screen(key(r, TERM_KEY_OK), TERM_SCREEN_PLACE_FINGER);
    assert_non_null(a);
    assert_string_equal(a->user.name, "Ann");
    /* Somebody else's finger fails 1:1 even with a high score. */
    assert_null(find(finger(r, "12", 90.0f), TERM_ACT_RECORD));
    const term_action *rec = find(finger(r, "1", 45.0f), TERM_ACT_RECORD);
    assert_non_null(rec);
    assert_string_equal(rec->record.uid, "1");
}

/* 1:1 with several methods: the user picks (manual 1.2.1-1.2.3). */
static void test_1_1_choose_methods(void **state)
{
    rig *r = *state;
    const term_action *a = find_screen(type_id(r, "12"), TERM_SCREEN_CHOOSE_METHOD);
    assert_non_null(a);
    assert_int_equal(a->methods, TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN);
    assert_int_equal(a->highlight, TERM_METHOD_FINGER);
    assert_int_equal(find_screen(key(r, TERM_KEY_DOWN), TERM_SCREEN_CHOOSE_METHOD)->highlight, TERM_METHOD_CARD);
    assert_int_equal(find_screen(key(r, TERM_KEY_DOWN), TERM_SCREEN_CHOOSE_METHOD)->highlight, TERM_METHOD_PIN);
    assert_int_equal(find_screen(key(r, TERM_KEY_DOWN), TERM_SCREEN_CHOOSE_METHOD)->highlight, TERM_METHOD_FINGER);
    assert_int_equal(find_screen(key(r, TERM_KEY_UP), TERM_SCREEN_CHOOSE_METHOD)->highlight, TERM_METHOD_PIN);
    assert_non_null(find_screen(key(r, TERM_KEY_OK), TERM_SCREEN_ENTER_PIN));
    key(r, TERM_KEY_0 + 1);
    key(r, TERM_KEY_0 + 2);
    key(r, TERM_KEY_0 + 9);
    a = find_screen(key(r, TERM_KEY_LEFT), TERM_SCREEN_ENTER_PIN);
    assert_string_equal(a->input, "**"); /* never the digits */
    key(r, TERM_KEY_0 + 3);
    key(r, TERM_KEY_0 + 4);
    const term_action_list *l = key(r, TERM_KEY_OK);
    const term_action *rec = find(l, TERM_ACT_RECORD);
    assert_non_null(rec);
    assert_int_equal(rec->record.verify, TERM_VERIFY_PIN);
    assert_string_equal(rec->record.uid, "12");

    /* Digit 2 picks the second method the user has: card. Another user's card fails. */
    tick(r, 5000);
    type_id(r, "12");
    assert_non_null(find_screen(key(r, TERM_KEY_0 + 2), TERM_SCREEN_PRESENT_CARD));
    const term_action *f = find_screen(card(r, 777), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 2);
    assert_non_null(find(card(r, 5555), TERM_ACT_RECORD));

    /* Presenting the finger on the choice screen is itself the choice. */
    tick(r, 5000);
    type_id(r, "12");
    rec = find(finger(r, "12", 40.0f), TERM_ACT_RECORD);
    assert_non_null(rec);
    assert_int_equal(rec->record.verify, TERM_VERIFY_FINGER);
    assert_int_equal(r->f.nlog, 3);
}

/* Password through the text input (letters and symbols, manual 1.3), and the retry limit. */
static void test_1_1_password_retries(void **state)
{
    rig *r = *state;
    type_id(r, "7");
    key(r, TERM_KEY_0 + 2); /* card + PIN: the second is the password */
    assert_int_equal(term_verify_current(&r->v), TERM_VS_WAIT_PIN);
    const term_action *f = find_screen(text(r, TERM_EV_PIN, "key@m1"), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 2);
    f = find_screen(text(r, TERM_EV_PIN, "nope"), TERM_SCREEN_FAILED);
    assert_int_equal(f->attempts_left, 1);
    assert_non_null(find(text(r, TERM_EV_PIN, "key@M1"), TERM_ACT_RECORD));
    assert_int_equal(r->f.pin_checks, 3);

    tick(r, 5000);
    type_id(r, "7");
    key(r, TERM_KEY_0 + 2);
    text(r, TERM_EV_PIN, "a");
    text(r, TERM_EV_PIN, "b");
    const term_action_list *l = text(r, TERM_EV_PIN, "c");
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->attempts_left, 0);
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RESULT);
    /* After the limit, more input does nothing until a new flow starts. */
    assert_null(find(text(r, TERM_EV_PIN, "key@M1"), TERM_ACT_RECORD));
    assert_int_equal(r->f.nlog, 1);
}

static void test_user_id_errors(void **state)
{
    rig *r = *state;
    const term_action_list *l = type_id(r, "99");
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_INVALID_USER_ID);
    assert_true(has_voice(l, TERM_VOICE_INVALID_ID));
    tick(r, 3000);
    assert_int_equal(find_screen(type_id(r, "8"), TERM_SCREEN_FAILED)->fail, TERM_FAIL_NO_CREDENTIAL);
    /* "008" is user 8, not an unknown id */
    tick(r, 3000);
    assert_int_equal(find_screen(type_id(r, "008"), TERM_SCREEN_FAILED)->fail, TERM_FAIL_NO_CREDENTIAL);
    /* Letters are refused unless Alphanumeric User ID is on. */
    tick(r, 3000);
    assert_int_equal(find_screen(text(r, TERM_EV_USER_ID, "AB12"), TERM_SCREEN_FAILED)->fail,
                     TERM_FAIL_INVALID_USER_ID);
    assert_int_equal(term_settings_parse(&r->s, "alphanumeric_user_id", "on"), TERM_OK);
    tick(r, 3000);
    assert_non_null(find_screen(text(r, TERM_EV_USER_ID, "AB12"), TERM_SCREEN_ENTER_PIN));
    assert_non_null(find(text(r, TERM_EV_PIN, "4321"), TERM_ACT_RECORD));
}

static void test_timeouts_and_escape(void **state)
{
    rig *r = *state;
    key(r, TERM_KEY_0 + 1);
    assert_int_equal(tick(r, TERM_VERIFY_INPUT_TIMEOUT_MS - 1)->count, 0);
    assert_non_null(find(tick(r, 1), TERM_ACT_STANDBY));
    /* Every key restarts the input timer. */
    key(r, TERM_KEY_0 + 1);
    tick(r, 9000);
    key(r, TERM_KEY_0 + 2);
    assert_int_equal(tick(r, 9000)->count, 0);
    assert_non_null(find_screen(key(r, TERM_KEY_OK), TERM_SCREEN_CHOOSE_METHOD));
    assert_non_null(find(key(r, TERM_KEY_ESC), TERM_ACT_STANDBY));
    type_id(r, "1");
    assert_non_null(find(key(r, TERM_KEY_ESC), TERM_ACT_STANDBY));
    /* The authentication timeout setting sets how long the result stays. */
    assert_int_equal(term_settings_parse(&r->s, "authentication_timeout", "9"), TERM_OK);
    assert_int_equal(find_screen(card(r, 777), TERM_SCREEN_VERIFIED)->duration_s, 9);
    assert_int_equal(tick(r, 8999)->count, 0);
    assert_non_null(find(tick(r, 1), TERM_ACT_STANDBY));
}

/* Manual 6.2: no second record inside the duplicate punch period. */
static void test_duplicate_punch_period(void **state)
{
    rig *r = *state;
    assert_int_equal(term_settings_parse(&r->s, "duplicate_punch_period", "5"), TERM_OK);
    assert_non_null(find(card(r, 777), TERM_ACT_RECORD));
    r->local += 299;
    const term_action_list *l = card(r, 777);
    assert_null(find(l, TERM_ACT_RECORD));
    assert_int_equal(find_screen(l, TERM_SCREEN_VERIFIED)->duplicate, 1);
    assert_true(has_voice(l, TERM_VOICE_DUPLICATE));
    /* Another user is not affected. */
    assert_non_null(find(finger(r, "1", 50.0f), TERM_ACT_RECORD));
    r->local += 1; /* 300 s after the first punch */
    assert_non_null(find(card(r, 777), TERM_ACT_RECORD));
    /* A clock set back does not block punching. */
    r->local -= 3600;
    assert_non_null(find(card(r, 777), TERM_ACT_RECORD));
    assert_int_equal(r->f.nlog, 4);
}

/* The record carries the auto-switch state in force (manual 6.5). */
static void test_punch_state_in_record(void **state)
{
    rig *r = *state;
    assert_int_equal(term_settings_parse(&r->s, "auto_switch_1_time", "08:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&r->s, "auto_switch_1_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&r->s, "auto_switch_2_time", "17:00"), TERM_OK);
    assert_int_equal(term_settings_parse(&r->s, "auto_switch_2_enable", "on"), TERM_OK);
    assert_int_equal(find(card(r, 777), TERM_ACT_RECORD)->record.state, TERM_PUNCH_CHECK_IN);
    r->local += 8 * 3600 + 30 * 60; /* 17:30 */
    assert_int_equal(find(card(r, 777), TERM_ACT_RECORD)->record.state, TERM_PUNCH_CHECK_OUT);
}

/* Full store: told, nothing written. Log alert as the store fills. */
static void test_record_space(void **state)
{
    rig *r = *state;
    r->f.capacity = 10;
    r->f.preused = 6;
    assert_int_equal(term_settings_parse(&r->s, "log_alert", "2"), TERM_OK);
    const term_action_list *l = card(r, 777); /* 7 used, 3 free: no alert */
    assert_non_null(find(l, TERM_ACT_RECORD));
    assert_null(find_screen(l, TERM_SCREEN_LOG_ALERT));
    l = card(r, 777); /* 8 used, 2 free */
    assert_int_equal(find_screen(l, TERM_SCREEN_LOG_ALERT)->records_free, 2);
    card(r, 777);
    l = card(r, 777); /* 10 used */
    assert_int_equal(find_screen(l, TERM_SCREEN_LOG_ALERT)->records_free, 0);
    l = card(r, 777);
    assert_null(find(l, TERM_ACT_RECORD));
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_RECORD_FULL);
    assert_true(has_voice(l, TERM_VOICE_RECORD_FULL));
    assert_int_equal(r->f.nlog, 4);
}

static void test_voice_settings_and_image(void **state)
{
    rig *r = *state;
    assert_int_equal(term_settings_parse(&r->s, "voice_prompt", "off"), TERM_OK);
    const term_action_list *l = card(r, 777);
    assert_null(find(l, TERM_ACT_VOICE));
    assert_true(has_voice(key(r, TERM_KEY_0 + 1), TERM_VOICE_KEY_BEEP));
    assert_int_equal(term_settings_parse(&r->s, "key_voice", "off"), TERM_OK);
    assert_null(find(key(r, TERM_KEY_0 + 2), TERM_ACT_VOICE));
    key(r, TERM_KEY_ESC);
    assert_int_equal(term_settings_parse(&r->s, "fingerprint_image", "Show for match"), TERM_OK);
    assert_non_null(find(finger(r, "1", 50.0f), TERM_ACT_FP_IMAGE));
    assert_int_equal(term_settings_parse(&r->s, "fingerprint_image", "Show for enroll"), TERM_OK);
    assert_null(find(finger(r, "1", 50.0f), TERM_ACT_FP_IMAGE));
}

/* A port failing is shown as a device error and never counted as a match. */
static void test_faults(void **state)
{
    rig *r = *state;
    r->f.fault = 1;
    const term_action_list *l = finger(r, "1", 90.0f);
    assert_null(find(l, TERM_ACT_RECORD));
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_FAULT);
    assert_int_equal(term_verify_current(&r->v), TERM_VS_RESULT);
    l = card(r, 777);
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_FAULT);
    l = type_id(r, "1");
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_FAULT);
    assert_int_equal(r->f.nlog, 0);
    term_event bad = {.type = (term_event_type)42};
    assert_int_equal(term_verify_step(&r->v, &bad, &r->out), TERM_ERR_INVALID_ARGUMENT);
}

/* The main menu: open with a reminder while no administrator exists, otherwise only for an administrator. */
static void test_menu_needs_administrator(void **state)
{
    rig *r = *state;
    r->f.no_admin = 1;
    const term_action_list *l = key(r, TERM_KEY_OK);
    const term_action *m = find(l, TERM_ACT_OPEN_MENU);
    assert_non_null(m);
    assert_int_equal(m->admin_reminder, 1);
    assert_int_equal(term_verify_current(&r->v), TERM_VS_STANDBY);
    r->f.no_admin = 0;

    /* A user who is not an administrator is refused, and no record is written. */
    assert_non_null(find_screen(key(r, TERM_KEY_OK), TERM_SCREEN_ADMIN_VERIFY));
    assert_int_equal(term_verify_current(&r->v), TERM_VS_MENU_AUTH);
    l = finger(r, "1", 50.0f);
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_NOT_ADMIN);
    assert_null(find(l, TERM_ACT_OPEN_MENU));
    assert_null(find(l, TERM_ACT_RECORD));
    tick(r, 3000);

    /* The administrator's card opens it; still no record. */
    key(r, TERM_KEY_OK);
    l = card(r, 5555);
    m = find(l, TERM_ACT_OPEN_MENU);
    assert_non_null(m);
    assert_int_equal(m->admin_reminder, 0);
    assert_string_equal(m->user.id, "12");
    assert_null(find(l, TERM_ACT_RECORD));
    assert_int_equal(term_verify_current(&r->v), TERM_VS_STANDBY);

    /* 1:1 by id and password works for the menu too. */
    key(r, TERM_KEY_OK);
    type_id(r, "12");
    key(r, TERM_KEY_0 + 3);
    assert_non_null(find(text(r, TERM_EV_PIN, "1234"), TERM_ACT_OPEN_MENU));

    /* ESC and the input timeout give up. */
    key(r, TERM_KEY_OK);
    assert_non_null(find(key(r, TERM_KEY_ESC), TERM_ACT_STANDBY));
    key(r, TERM_KEY_OK);
    assert_non_null(find(tick(r, TERM_VERIFY_INPUT_TIMEOUT_MS), TERM_ACT_STANDBY));

    /* Three failed fingers end the menu attempt; the next punch is a normal punch. */
    key(r, TERM_KEY_OK);
    finger(r, NULL, 0.0f);
    finger(r, NULL, 0.0f);
    assert_int_equal(find_screen(finger(r, NULL, 0.0f), TERM_SCREEN_FAILED)->attempts_left, 0);
    l = card(r, 5555);
    assert_non_null(find(l, TERM_ACT_RECORD));
    assert_null(find(l, TERM_ACT_OPEN_MENU));
    assert_int_equal(r->f.nlog, 1);

    /* A store failure while counting administrators is a device error, not an open menu. */
    tick(r, 5000);
    r->f.fault = 1;
    l = key(r, TERM_KEY_OK);
    assert_null(find(l, TERM_ACT_OPEN_MENU));
    assert_int_equal(find_screen(l, TERM_SCREEN_FAILED)->fail, TERM_FAIL_FAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inputs),
        cmocka_unit_test_setup(test_1n_finger_success, setup),
        cmocka_unit_test_setup(test_thresholds, setup),
        cmocka_unit_test_setup(test_1n_retries, setup),
        cmocka_unit_test_setup(test_sensor_retry_is_not_an_attempt, setup),
        cmocka_unit_test_setup(test_1n_card, setup),
        cmocka_unit_test_setup(test_1_1_single_method, setup),
        cmocka_unit_test_setup(test_1_1_choose_methods, setup),
        cmocka_unit_test_setup(test_1_1_password_retries, setup),
        cmocka_unit_test_setup(test_user_id_errors, setup),
        cmocka_unit_test_setup(test_timeouts_and_escape, setup),
        cmocka_unit_test_setup(test_duplicate_punch_period, setup),
        cmocka_unit_test_setup(test_punch_state_in_record, setup),
        cmocka_unit_test_setup(test_record_space, setup),
        cmocka_unit_test_setup(test_voice_settings_and_image, setup),
        cmocka_unit_test_setup(test_faults, setup),
        cmocka_unit_test_setup(test_menu_needs_administrator, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
