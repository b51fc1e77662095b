/*
 * term_verify.c - the verification state machine (manual 1.2).
 */
#include "term_verify.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Names and input checks                                                   */
/* ------------------------------------------------------------------------ */

const char *term_screen_name(term_screen screen)
{
    switch (screen) {
#define TERM_SCREEN_NAME_(name, text)                                                                                  \
    case TERM_SCREEN_##name:                                                                                           \
        return text;
        TERM_SCREEN_MAP(TERM_SCREEN_NAME_)
#undef TERM_SCREEN_NAME_
    }
    return "?";
}

const char *term_voice_name(term_voice voice)
{
    switch (voice) {
#define TERM_VOICE_NAME_(name, text)                                                                                   \
    case TERM_VOICE_##name:                                                                                            \
        return text;
        TERM_VOICE_MAP(TERM_VOICE_NAME_)
#undef TERM_VOICE_NAME_
    }
    return "?";
}

const char *term_fail_text(term_fail fail)
{
    switch (fail) {
#define TERM_FAIL_TEXT_(name, text)                                                                                    \
    case TERM_FAIL_##name:                                                                                             \
        return text;
        TERM_FAIL_MAP(TERM_FAIL_TEXT_)
#undef TERM_FAIL_TEXT_
    }
    return "?";
}

const char *term_verify_type_name(term_verify_type type)
{
    switch (type) {
    case TERM_VERIFY_FINGER:
        return "FP";
    case TERM_VERIFY_CARD:
        return "Card";
    case TERM_VERIFY_PIN:
        return "PIN";
    }
    return "?";
}

/* 1..TERM_USER_ID_MAX digits (or letters); *all_digits says which. */
static term_status user_id_chars(const char *id, int alphanumeric, size_t *len, int *all_digits)
{
    if (id == NULL) return TERM_ERR_BAD_USER_ID;
    size_t n = 0;
    int digits = 1;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        int digit = c >= '0' && c <= '9';
        int letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!digit && !(alphanumeric && letter)) return TERM_ERR_BAD_USER_ID;
        if (n >= TERM_USER_ID_MAX) return TERM_ERR_BAD_USER_ID;
        digits &= digit;
    }
    *len = n;
    *all_digits = digits;
    return n > 0 ? TERM_OK : TERM_ERR_BAD_USER_ID;
}

term_status term_user_id_normalize(const char *id, int alphanumeric, char out[TERM_USER_ID_MAX + 1])
{
    size_t n = 0;
    int digits = 0;
    term_status st = user_id_chars(id, alphanumeric, &n, &digits);
    if (st != TERM_OK) {
        if (out) out[0] = '\0';
        return st;
    }
    if (out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    size_t skip = 0;
    while (digits && skip + 1 < n && id[skip] == '0') skip++;
    memmove(out, id + skip, n - skip); /* out may be id */
    out[n - skip] = '\0';
    return TERM_OK;
}

term_status term_user_id_check(const char *id, int alphanumeric)
{
    size_t n = 0;
    int digits = 0;
    term_status st = user_id_chars(id, alphanumeric, &n, &digits);
    if (st != TERM_OK || !digits) return st;
    if (n > 1 && id[0] == '0') return TERM_ERR_BAD_USER_ID; /* not canonical: "01" is user 1 */
    if (n > TERM_USER_ID_NUM_DIGITS || id[0] == '0') return TERM_ERR_USER_ID_RANGE;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10u + (uint32_t)(id[i] - '0');
    return v <= TERM_USER_ID_NUM_MAX ? TERM_OK : TERM_ERR_USER_ID_RANGE;
}

term_status term_pin_check(const char *pin)
{
    if (pin == NULL) return TERM_ERR_BAD_PIN;
    size_t n = 0;
    for (const char *p = pin; *p; p++, n++) {
        if (*p < 0x20 || *p > 0x7E || n >= TERM_PIN_MAX) return TERM_ERR_BAD_PIN;
    }
    return n > 0 ? TERM_OK : TERM_ERR_BAD_PIN;
}

/* ------------------------------------------------------------------------ */
/* Action helpers                                                           */
/* ------------------------------------------------------------------------ */

static term_action *emit(term_action_list *out, term_action_type type)
{
    /* No step emits more than TERM_VERIFY_MAX_ACTIONS; the guard keeps a
     * future mistake from writing past the array. */
    if (out->count >= TERM_VERIFY_MAX_ACTIONS) return NULL;
    term_action *a = &out->items[out->count++];
    memset(a, 0, sizeof(*a));
    a->type = type;
    return a;
}

static int64_t setting(const term_verify *v, term_setting_id id)
{
    return term_settings_get(v->settings, id);
}

static void voice(const term_verify *v, term_action_list *out, term_voice which)
{
    term_setting_id gate = which == TERM_VOICE_KEY_BEEP ? TERM_SETTING_KEY_VOICE : TERM_SETTING_VOICE_PROMPT;
    if (!setting(v, gate)) return;
    term_action *a = emit(out, TERM_ACT_VOICE);
    if (a) a->voice = which;
}

static term_action *screen(term_verify *v, term_action_list *out, term_screen which)
{
    term_action *a = emit(out, TERM_ACT_SCREEN);
    if (a) {
        a->screen = which;
        a->user = v->user;
    }
    return a;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void reset_flow(term_verify *v)
{
    v->attempts = 0;
    v->highlight = 0;
    memset(v->input, 0, sizeof(v->input));
    memset(&v->user, 0, sizeof(v->user));
}

static void go_standby(term_verify *v, term_action_list *out)
{
    reset_flow(v);
    v->for_menu = 0;
    v->state = TERM_VS_STANDBY;
    v->deadline_ms = 0;
    emit(out, TERM_ACT_STANDBY);
}

static uint32_t auth_seconds(const term_verify *v)
{
    return (uint32_t)setting(v, TERM_SETTING_AUTH_TIMEOUT);
}

static void wait_input(term_verify *v, const term_event *ev, term_verify_state state)
{
    v->state = state;
    v->deadline_ms = ev->mono_ms + TERM_VERIFY_INPUT_TIMEOUT_MS;
}

static void show_result(term_verify *v, const term_event *ev)
{
    v->for_menu = 0; /* a final outcome ends a menu verification too */
    v->state = TERM_VS_RESULT;
    v->deadline_ms = ev->mono_ms + (uint64_t)auth_seconds(v) * 1000u;
}

/* A final failure: the screen stays for the authentication timeout, then standby. */
static void fail_final(term_verify *v, term_action_list *out, const term_event *ev, term_fail why, term_voice said)
{
    term_action *a = screen(v, out, TERM_SCREEN_FAILED);
    if (a) {
        a->fail = why;
        a->duration_s = auth_seconds(v);
    }
    voice(v, out, said);
    show_result(v, ev);
}

static void fault(term_verify *v, term_action_list *out, const term_event *ev)
{
    fail_final(v, out, ev, TERM_FAIL_FAULT, TERM_VOICE_FAILED);
}

/*
 * A failed attempt in a flow allowing `limit` attempts. With attempts left
 * the machine stays where it is, waiting for the next try.
 */
static void fail_attempt(term_verify *v, term_action_list *out, const term_event *ev, uint32_t limit,
                         term_verify_state stay)
{
    v->attempts++;
    uint32_t left = v->attempts < limit ? limit - v->attempts : 0;
    if (left == 0) {
        term_action *a = screen(v, out, TERM_SCREEN_FAILED);
        if (a) a->fail = TERM_FAIL_NO_MATCH, a->duration_s = auth_seconds(v);
        voice(v, out, TERM_VOICE_FAILED);
        show_result(v, ev);
        return;
    }
    term_action *a = screen(v, out, TERM_SCREEN_FAILED);
    if (a) a->fail = TERM_FAIL_NO_MATCH, a->attempts_left = left, a->duration_s = auth_seconds(v);
    voice(v, out, TERM_VOICE_TRY_AGAIN);
    memset(v->input, 0, sizeof(v->input));
    wait_input(v, ev, stay);
}

static uint32_t minute_of_day(int64_t local_time)
{
    int64_t s = local_time % 86400;
    if (s < 0) s += 86400;
    return (uint32_t)(s / 60);
}

/* The user is verified: punch (or not), show the result. v->user is set. */
static void succeed(term_verify *v, term_action_list *out, const term_event *ev, term_verify_type how)
{
    if (v->for_menu) {
        if (v->user.privilege != TERM_PRIV_ADMIN) {
            fail_final(v, out, ev, TERM_FAIL_NOT_ADMIN, TERM_VOICE_FAILED);
            return;
        }
        term_action *m = emit(out, TERM_ACT_OPEN_MENU);
        if (m) m->user = v->user;
        /* The menu scene takes over; the machine idles until it returns. */
        reset_flow(v);
        v->for_menu = 0;
        v->state = TERM_VS_STANDBY;
        v->deadline_ms = 0;
        return;
    }
    uint32_t used = 0, capacity = 0;
    if (v->ops.record_space(v->ops.ctx, &used, &capacity) != TERM_OK) {
        fault(v, out, ev);
        return;
    }

    int duplicate = 0;
    int64_t period_min = setting(v, TERM_SETTING_DUP_PUNCH_PERIOD);
    if (period_min > 0) {
        int64_t last = 0;
        term_status st = v->ops.last_punch(v->ops.ctx, v->user.id, &last);
        if (st == TERM_OK) {
            int64_t since = ev->local_time - last;
            /* A clock set back (since < 0) must not block punches for hours. */
            duplicate = since >= 0 && since < period_min * 60;
        } else if (st != TERM_ERR_NOT_FOUND) {
            fault(v, out, ev);
            return;
        }
    }

    if (!duplicate && used >= capacity) {
        fail_final(v, out, ev, TERM_FAIL_RECORD_FULL, TERM_VOICE_RECORD_FULL);
        return;
    }

    term_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.time = ev->local_time;
    copy_text(rec.uid, sizeof(rec.uid), v->user.id);
    rec.verify = how;
    rec.state = term_settings_punch_state_at(v->settings, minute_of_day(ev->local_time));

    if (!duplicate) {
        term_action *r = emit(out, TERM_ACT_RECORD);
        if (r) r->record = rec;
    }
    term_action *a = screen(v, out, TERM_SCREEN_VERIFIED);
    if (a) {
        a->record = rec;
        a->duplicate = duplicate;
        a->duration_s = auth_seconds(v);
    }
    voice(v, out, duplicate ? TERM_VOICE_DUPLICATE : TERM_VOICE_THANK_YOU);

    int64_t alert = setting(v, TERM_SETTING_LOG_ALERT);
    if (!duplicate && alert > 0) {
        uint32_t free_after = capacity - used - 1;
        if ((int64_t)free_after <= alert) {
            term_action *w = screen(v, out, TERM_SCREEN_LOG_ALERT);
            if (w) w->records_free = free_after;
        }
    }
    show_result(v, ev);
}

static term_status load_user(term_verify *v, const char *uid)
{
    term_user_info info;
    memset(&info, 0, sizeof(info));
    term_status st = v->ops.lookup_user(v->ops.ctx, uid, &info);
    if (st == TERM_OK) {
        info.id[TERM_USER_ID_MAX] = '\0';
        info.name[TERM_NAME_MAX] = '\0';
        v->user = info;
    }
    return st;
}

static void maybe_show_image(const term_verify *v, term_action_list *out)
{
    int64_t mode = setting(v, TERM_SETTING_FP_IMAGE);
    if (mode == TERM_FP_IMAGE_MATCH || mode == TERM_FP_IMAGE_ALWAYS) emit(out, TERM_ACT_FP_IMAGE);
}

/* ------------------------------------------------------------------------ */
/* Flows                                                                    */
/* ------------------------------------------------------------------------ */

static void finger_1n(term_verify *v, term_action_list *out, const term_event *ev)
{
    /* Consecutive failures count only while the retry screen is up. */
    uint32_t attempts = v->state == TERM_VS_RETRY_1N ? v->attempts : 0;
    reset_flow(v);
    v->attempts = attempts;
    maybe_show_image(v, out);

    char uid[TERM_USER_ID_MAX + 1] = {0};
    float score = 0.0f;
    term_status st = v->ops.identify_finger(v->ops.ctx, ev->u.finger, uid, &score);
    if (st != TERM_OK && st != TERM_ERR_NOT_FOUND) {
        fault(v, out, ev);
        return;
    }
    if (st == TERM_OK && score > (float)setting(v, TERM_SETTING_THRESHOLD_1_N)) {
        uid[TERM_USER_ID_MAX] = '\0';
        if (load_user(v, uid) != TERM_OK) {
            fault(v, out, ev); /* a template without its user: the store is inconsistent */
            return;
        }
        succeed(v, out, ev, TERM_VERIFY_FINGER);
        return;
    }
    fail_attempt(v, out, ev, TERM_VERIFY_1N_ATTEMPTS, TERM_VS_RETRY_1N);
}

static void card_1n(term_verify *v, term_action_list *out, const term_event *ev)
{
    reset_flow(v);
    char uid[TERM_USER_ID_MAX + 1] = {0};
    term_status st = v->ops.find_card(v->ops.ctx, ev->u.card, uid);
    if (st == TERM_ERR_NOT_FOUND) {
        fail_final(v, out, ev, TERM_FAIL_UNREGISTERED_CARD, TERM_VOICE_UNREGISTERED_CARD);
        return;
    }
    uid[TERM_USER_ID_MAX] = '\0';
    if (st != TERM_OK || load_user(v, uid) != TERM_OK) {
        fault(v, out, ev);
        return;
    }
    succeed(v, out, ev, TERM_VERIFY_CARD);
}

static const unsigned method_order[3] = {TERM_METHOD_FINGER, TERM_METHOD_CARD, TERM_METHOD_PIN};

static void enter_method(term_verify *v, term_action_list *out, const term_event *ev, unsigned method)
{
    memset(v->input, 0, sizeof(v->input));
    switch (method) {
    case TERM_METHOD_FINGER:
        screen(v, out, TERM_SCREEN_PLACE_FINGER);
        wait_input(v, ev, TERM_VS_WAIT_FINGER);
        break;
    case TERM_METHOD_CARD:
        screen(v, out, TERM_SCREEN_PRESENT_CARD);
        wait_input(v, ev, TERM_VS_WAIT_CARD);
        break;
    default:
        screen(v, out, TERM_SCREEN_ENTER_PIN);
        wait_input(v, ev, TERM_VS_WAIT_PIN);
        break;
    }
}

static void show_choice(term_verify *v, term_action_list *out)
{
    term_action *a = screen(v, out, TERM_SCREEN_CHOOSE_METHOD);
    if (a) {
        a->methods = v->user.methods;
        a->highlight = v->highlight;
    }
}

static void submit_user_id(term_verify *v, term_action_list *out, const term_event *ev, const char *id)
{
    char typed[TERM_USER_ID_MAX + 1];
    reset_flow(v);
    /* "007" is user 7; ids stored by earlier firmware (no range then) are still looked up */
    if (term_user_id_normalize(id, (int)setting(v, TERM_SETTING_ALNUM_USER_ID), typed) != TERM_OK) {
        fail_final(v, out, ev, TERM_FAIL_INVALID_USER_ID, TERM_VOICE_INVALID_ID);
        return;
    }
    term_status st = load_user(v, typed);
    if (st == TERM_ERR_NOT_FOUND) {
        fail_final(v, out, ev, TERM_FAIL_INVALID_USER_ID, TERM_VOICE_INVALID_ID);
        return;
    }
    if (st != TERM_OK) {
        fault(v, out, ev);
        return;
    }
    unsigned methods = v->user.methods & (TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN);
    v->user.methods = methods;
    if (methods == 0) {
        fail_final(v, out, ev, TERM_FAIL_NO_CREDENTIAL, TERM_VOICE_FAILED);
        return;
    }
    if ((methods & (methods - 1)) == 0) {
        enter_method(v, out, ev, methods);
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (methods & method_order[i]) {
            v->highlight = method_order[i];
            break;
        }
    }
    show_choice(v, out);
    wait_input(v, ev, TERM_VS_CHOOSE);
}

static void move_highlight(term_verify *v, int dir)
{
    int cur = 0;
    for (int i = 0; i < 3; i++) {
        if (method_order[i] == v->highlight) cur = i;
    }
    for (int step = 1; step <= 3; step++) {
        int i = ((cur + dir * step) % 3 + 3) % 3;
        if (v->user.methods & method_order[i]) {
            v->highlight = method_order[i];
            return;
        }
    }
}

static void finger_1_1(term_verify *v, term_action_list *out, const term_event *ev)
{
    maybe_show_image(v, out);
    float score = 0.0f;
    term_status st = v->ops.verify_finger(v->ops.ctx, v->user.id, ev->u.finger, &score);
    if (st != TERM_OK && st != TERM_ERR_NOT_FOUND && st != TERM_NO_MATCH) {
        fault(v, out, ev);
        return;
    }
    if (st == TERM_OK && score > (float)setting(v, TERM_SETTING_THRESHOLD_1_1)) {
        succeed(v, out, ev, TERM_VERIFY_FINGER);
        return;
    }
    fail_attempt(v, out, ev, (uint32_t)setting(v, TERM_SETTING_RETRY_1_1), TERM_VS_WAIT_FINGER);
}

static void card_1_1(term_verify *v, term_action_list *out, const term_event *ev)
{
    char uid[TERM_USER_ID_MAX + 1] = {0};
    term_status st = v->ops.find_card(v->ops.ctx, ev->u.card, uid);
    if (st != TERM_OK && st != TERM_ERR_NOT_FOUND) {
        fault(v, out, ev);
        return;
    }
    uid[TERM_USER_ID_MAX] = '\0';
    if (st == TERM_OK && strcmp(uid, v->user.id) == 0) {
        succeed(v, out, ev, TERM_VERIFY_CARD);
        return;
    }
    fail_attempt(v, out, ev, (uint32_t)setting(v, TERM_SETTING_RETRY_1_1), TERM_VS_WAIT_CARD);
}

static void pin_1_1(term_verify *v, term_action_list *out, const term_event *ev, const char *pin)
{
    term_status st = term_pin_check(pin) == TERM_OK ? v->ops.check_pin(v->ops.ctx, v->user.id, pin) : TERM_NO_MATCH;
    if (st == TERM_OK) {
        succeed(v, out, ev, TERM_VERIFY_PIN);
        return;
    }
    if (st != TERM_NO_MATCH && st != TERM_ERR_NOT_FOUND) {
        fault(v, out, ev);
        return;
    }
    fail_attempt(v, out, ev, (uint32_t)setting(v, TERM_SETTING_RETRY_1_1), TERM_VS_WAIT_PIN);
}

static int is_digit_key(const term_event *ev)
{
    return ev->type == TERM_EV_KEY && ev->u.key >= TERM_KEY_0 && ev->u.key <= TERM_KEY_9;
}

/* Appends a typed digit; the buffer holds at most max characters. */
static void append_digit(term_verify *v, size_t max, term_key key)
{
    size_t n = strlen(v->input);
    if (n < max && n + 1 < sizeof(v->input)) {
        v->input[n] = (char)('0' + (key - TERM_KEY_0));
        v->input[n + 1] = '\0';
    }
}

static void delete_char(term_verify *v)
{
    size_t n = strlen(v->input);
    if (n > 0) v->input[n - 1] = '\0';
}

static void show_id_entry(term_verify *v, term_action_list *out)
{
    term_action *a = screen(v, out, TERM_SCREEN_ENTER_USER_ID);
    if (a) copy_text(a->input, sizeof(a->input), v->input);
}

static void show_pin_entry(term_verify *v, term_action_list *out)
{
    term_action *a = screen(v, out, TERM_SCREEN_ENTER_PIN);
    if (a) {
        size_t n = strlen(v->input);
        memset(a->input, '*', n);
        a->input[n] = '\0';
    }
}

/*
 * M/OK at standby. Until an administrator exists anybody may enter, and the
 * menu reminds them to set one (manual, privacy policy II.1).
 */
static void menu_request(term_verify *v, term_action_list *out, const term_event *ev)
{
    uint32_t admins = 0;
    if (v->ops.admin_count(v->ops.ctx, &admins) != TERM_OK) {
        fault(v, out, ev);
        return;
    }
    reset_flow(v);
    if (admins == 0) {
        term_action *m = emit(out, TERM_ACT_OPEN_MENU);
        if (m) m->admin_reminder = 1;
        v->state = TERM_VS_STANDBY;
        v->deadline_ms = 0;
        return;
    }
    v->for_menu = 1;
    screen(v, out, TERM_SCREEN_ADMIN_VERIFY);
    wait_input(v, ev, TERM_VS_MENU_AUTH);
}

/* Standby, a result screen and the 1:N retry screen all accept a new punch. */
static void idle_event(term_verify *v, term_action_list *out, const term_event *ev)
{
    switch (ev->type) {
    case TERM_EV_FINGER:
        finger_1n(v, out, ev);
        break;
    case TERM_EV_CARD:
        card_1n(v, out, ev);
        break;
    case TERM_EV_USER_ID:
        submit_user_id(v, out, ev, ev->u.text ? ev->u.text : "");
        break;
    case TERM_EV_KEY:
        if (is_digit_key(ev)) {
            reset_flow(v);
            append_digit(v, TERM_USER_ID_MAX, ev->u.key);
            show_id_entry(v, out);
            wait_input(v, ev, TERM_VS_ENTER_ID);
        } else if (ev->u.key == TERM_KEY_ESC && v->state != TERM_VS_STANDBY) {
            go_standby(v, out);
        } else if (ev->u.key == TERM_KEY_OK && !v->for_menu) {
            menu_request(v, out, ev);
        }
        break;
    default:
        break;
    }
}

term_status term_verify_init(term_verify *v, const term_settings *settings, const term_verify_ops *ops)
{
    if (v == NULL || settings == NULL || ops == NULL || !ops->identify_finger || !ops->verify_finger ||
        !ops->find_card || !ops->lookup_user || !ops->check_pin || !ops->last_punch || !ops->record_space ||
        !ops->admin_count)
        return TERM_ERR_INVALID_ARGUMENT;
    memset(v, 0, sizeof(*v));
    v->settings = settings;
    v->ops = *ops;
    v->state = TERM_VS_STANDBY;
    return TERM_OK;
}

term_verify_state term_verify_current(const term_verify *v)
{
    return v ? v->state : TERM_VS_STANDBY;
}

term_status term_verify_step(term_verify *v, const term_event *ev, term_action_list *out)
{
    if (v == NULL || ev == NULL || out == NULL || (unsigned)ev->type > TERM_EV_PIN) return TERM_ERR_INVALID_ARGUMENT;
    out->count = 0;

    if (ev->type == TERM_EV_TICK) {
        if (v->state != TERM_VS_STANDBY && ev->mono_ms >= v->deadline_ms) go_standby(v, out);
        return TERM_OK;
    }
    if (ev->type == TERM_EV_KEY) voice(v, out, TERM_VOICE_KEY_BEEP);
    if (ev->type == TERM_EV_FINGER_RETRY) {
        /* The sensor refused the press; the flow and its count stay as they are. */
        term_action *a = screen(v, out, TERM_SCREEN_FINGER_RETRY);
        if (a) a->retry = ev->u.retry;
        if (v->state != TERM_VS_STANDBY && v->state != TERM_VS_RESULT)
            v->deadline_ms = ev->mono_ms + TERM_VERIFY_INPUT_TIMEOUT_MS;
        return TERM_OK;
    }
    int esc = ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_ESC;

    switch (v->state) {
    case TERM_VS_STANDBY:
    case TERM_VS_RESULT:
    case TERM_VS_RETRY_1N:
    case TERM_VS_MENU_AUTH:
        idle_event(v, out, ev);
        break;

    case TERM_VS_ENTER_ID:
        if (esc) {
            go_standby(v, out);
        } else if (is_digit_key(ev)) {
            append_digit(v, TERM_USER_ID_MAX, ev->u.key);
            show_id_entry(v, out);
            wait_input(v, ev, TERM_VS_ENTER_ID);
        } else if (ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_LEFT) {
            delete_char(v);
            show_id_entry(v, out);
            wait_input(v, ev, TERM_VS_ENTER_ID);
        } else if (ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_OK) {
            char typed[sizeof(v->input)];
            memcpy(typed, v->input, sizeof(typed));
            submit_user_id(v, out, ev, typed);
        } else if (ev->type != TERM_EV_KEY && ev->type != TERM_EV_PIN) {
            idle_event(v, out, ev); /* a finger, card or whole id abandons the typing */
        }
        break;

    case TERM_VS_CHOOSE:
        if (esc) {
            go_standby(v, out);
        } else if (ev->type == TERM_EV_KEY && (ev->u.key == TERM_KEY_UP || ev->u.key == TERM_KEY_DOWN)) {
            move_highlight(v, ev->u.key == TERM_KEY_DOWN ? 1 : -1);
            show_choice(v, out);
            wait_input(v, ev, TERM_VS_CHOOSE);
        } else if (ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_OK) {
            enter_method(v, out, ev, v->highlight);
        } else if (ev->type == TERM_EV_KEY && ev->u.key >= TERM_KEY_0 + 1 && ev->u.key <= TERM_KEY_0 + 3) {
            /* Digit n picks the n-th method the user has, in screen order. */
            unsigned n = (unsigned)(ev->u.key - TERM_KEY_0), seen = 0;
            for (int i = 0; i < 3; i++) {
                if ((v->user.methods & method_order[i]) && ++seen == n) {
                    enter_method(v, out, ev, method_order[i]);
                    break;
                }
            }
        } else if (ev->type == TERM_EV_FINGER && (v->user.methods & TERM_METHOD_FINGER)) {
            v->state = TERM_VS_WAIT_FINGER; /* the finger itself is the choice */
            finger_1_1(v, out, ev);
        } else if (ev->type == TERM_EV_CARD && (v->user.methods & TERM_METHOD_CARD)) {
            v->state = TERM_VS_WAIT_CARD;
            card_1_1(v, out, ev);
        }
        break;

    case TERM_VS_WAIT_FINGER:
        if (esc)
            go_standby(v, out);
        else if (ev->type == TERM_EV_FINGER)
            finger_1_1(v, out, ev);
        break;

    case TERM_VS_WAIT_CARD:
        if (esc)
            go_standby(v, out);
        else if (ev->type == TERM_EV_CARD)
            card_1_1(v, out, ev);
        break;

    case TERM_VS_WAIT_PIN:
        if (esc) {
            go_standby(v, out);
        } else if (is_digit_key(ev)) {
            append_digit(v, TERM_PIN_MAX, ev->u.key);
            show_pin_entry(v, out);
            wait_input(v, ev, TERM_VS_WAIT_PIN);
        } else if (ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_LEFT) {
            delete_char(v);
            show_pin_entry(v, out);
            wait_input(v, ev, TERM_VS_WAIT_PIN);
        } else if (ev->type == TERM_EV_KEY && ev->u.key == TERM_KEY_OK && v->input[0] != '\0') {
            char typed[sizeof(v->input)];
            memcpy(typed, v->input, sizeof(typed));
            pin_1_1(v, out, ev, typed);
        } else if (ev->type == TERM_EV_PIN) {
            pin_1_1(v, out, ev, ev->u.text ? ev->u.text : "");
        }
        break;
    }
    return TERM_OK;
}
