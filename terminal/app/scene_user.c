/*
 * scene_user.c - User Mgt. (manual 4): new user, all users with search, the
 * user form (name, role, fingerprint, card, password, delete) and
 * enrolment of a fingerprint with three presses through fp_enroll_*.
 */
#include <stdlib.h>

#include "term_app_internal.h"

static void user_changed(term_app *app, const char *uid)
{
    if (app->cfg.hooks.user_changed) app->cfg.hooks.user_changed(app->cfg.hooks.ctx, uid);
    app_sync_changed(app, 0);
}

static void fail_message(term_app *app, const char *title, term_status st)
{
    app->last_status = st;
    app_message(app, TERM_ICON_FAIL, title, term_status_message(st), NULL);
}

typedef struct used_ids {
    uint32_t *ids; /* the numeric ids in range, as numbers */
    size_t n, cap;
} used_ids;

static int collect_numeric(void *ctx, const term_user_info *u)
{
    used_ids *used = ctx;
    char canon[TERM_USER_ID_MAX + 1];
    /* ids kept from earlier firmware may have leading zeros or more digits than the range allows */
    if (term_user_id_normalize(u->id, 0, canon) != TERM_OK || strlen(canon) > TERM_USER_ID_NUM_DIGITS) return 0;
    uint32_t v = (uint32_t)strtoul(canon, NULL, 10);
    if (v >= 1 && v <= TERM_USER_ID_NUM_MAX && used->n < used->cap) used->ids[used->n++] = v;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * The id New User suggests: one more than the highest numeric id, and when
 * that would pass TERM_USER_ID_NUM_MAX the lowest free one, never wrapping.
 * 0 when no numeric id is free.
 */
static uint32_t next_free_id(term_app *app, term_status *st)
{
    used_ids used = {NULL, 0, app->user_cap};
    used.ids = calloc(app->user_cap ? app->user_cap : 1, sizeof(*used.ids));
    if (!used.ids) {
        *st = TERM_ERR_NO_MEMORY;
        return 0;
    }
    *st = term_store_user_each(app->store, collect_numeric, &used);
    uint32_t next = 0;
    if (*st == TERM_OK) {
        qsort(used.ids, used.n, sizeof(*used.ids), cmp_u32);
        uint32_t max = used.n ? used.ids[used.n - 1] : 0;
        if (max < TERM_USER_ID_NUM_MAX) {
            next = max + 1;
        } else {
            next = 1;
            for (size_t i = 0; i < used.n && used.ids[i] <= next; i++)
                if (used.ids[i] == next) next++;
            if (next > TERM_USER_ID_NUM_MAX) next = 0;
        }
    }
    free(used.ids);
    return next;
}

/* New User: the id field starts at the next free number, which the first digit typed replaces. */
static void user_new(term_app *app)
{
    term_status st = TERM_OK;
    uint32_t next = next_free_id(app, &st);
    if (st != TERM_OK || next == 0) {
        st = st != TERM_OK ? st : TERM_ERR_NO_FREE_USER_ID;
        app->last_status = st;
        app_message(app, TERM_ICON_FAIL, "New User", term_status_message(st), NULL);
        return;
    }
    char text[16];
    snprintf(text, sizeof(text), "%u", next);
    int alnum = (int)term_settings_get(&app->settings, TERM_SETTING_ALNUM_USER_ID);
    scene *s = app_field(app, P_NEW_USER_ID, 0, TERM_SCR_USER_NEW, "New User", "User ID",
                         alnum ? TERM_USER_ID_MAX : TERM_USER_ID_NUM_DIGITS, alnum, text);
    s->fresh = 1;
    if (alnum)
        APP_COPY(s->hint, "M/OK to create");
    else
        snprintf(s->hint, sizeof(s->hint), "1-%u, M/OK to create", TERM_USER_ID_NUM_MAX);
}

static void open_edit(term_app *app, const char *uid)
{
    APP_COPY(app->uid, uid);
    app_scene_open(app, SC_USER_EDIT, 0, 0);
}

static int user_edit_enter(term_app *app, scene *s)
{
    (void)app;
    s->id = TERM_SCR_USER_EDIT;
    APP_COPY(s->title, "Edit User");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* All users                                                                */
/* ------------------------------------------------------------------------ */

static int collect(void *ctx, const term_user_info *u)
{
    term_app *app = ctx;
    if (app->search[0] && strstr(u->id, app->search) != u->id) return 0; /* search by id prefix */
    if (app->user_count < app->user_cap) app->users[app->user_count++] = *u;
    return 0;
}

static void reload_users(term_app *app)
{
    app->user_count = 0;
    term_status st = term_store_user_each(app->store, collect, app);
    if (st != TERM_OK) app->last_status = st;
}

/* The list s shows is reloaded when the server changed users since it was loaded (app_users_changed). */
static void user_list_fresh(term_app *app, scene *s)
{
    if ((unsigned)s->arg2 == app->users_version) return;
    s->arg2 = (int)app->users_version;
    reload_users(app);
    if (s->sel >= app->user_count) s->sel = s->first = 0;
}

static int user_list_enter(term_app *app, scene *s)
{
    s->id = TERM_SCR_USER_LIST;
    APP_COPY(s->title, "All Users");
    app->search[0] = '\0';
    s->arg2 = (int)app->users_version;
    reload_users(app);
    return 0;
}

static void user_list_tick(term_app *app, scene *s)
{
    user_list_fresh(app, s);
}

static void user_list_render(term_app *app, const scene *s, term_screen_model *m)
{
    snprintf(m->hint, sizeof(m->hint), "Search User ID: %s", app->search);
    if (app->user_count == 0) {
        term_scr_message *msg = &m->body.message;
        m->kind = TERM_BODY_MESSAGE;
        msg->icon = TERM_ICON_INFO;
        msg->line_count = 1;
        snprintf(msg->lines[0], sizeof(msg->lines[0]), "%s", app->search[0] ? "No matching user" : "No users");
        return;
    }
    m->kind = TERM_BODY_LIST;
    term_scr_list *l = &m->body.list;
    l->total = (uint32_t)app->user_count;
    l->selected = s->sel;
    l->first = s->first;
    for (size_t i = s->first; i < app->user_count && l->count < TERM_SCR_LIST_ROWS; i++) {
        term_scr_list_item *it = &l->items[l->count++];
        char text[TERM_USER_ID_MAX + TERM_NAME_MAX + 2];
        snprintf(text, sizeof(text), "%s %s", app->users[i].id, app->users[i].name);
        APP_COPY(it->text, text);
        APP_COPY(it->value, app->users[i].privilege == TERM_PRIV_ADMIN ? "Admin" : "");
    }
}

static void user_list_key(term_app *app, scene *s, term_key key)
{
    user_list_fresh(app, s); /* the row a key picks is one that exists */
    if (key == TERM_KEY_ESC) {
        app_pop(app);
    } else if (key <= TERM_KEY_9) {
        size_t n = strlen(app->search);
        if (n < TERM_USER_ID_MAX) {
            app->search[n] = (char)('0' + (key - TERM_KEY_0));
            app->search[n + 1] = '\0';
        }
        s->sel = s->first = 0;
        reload_users(app);
    } else if (key == TERM_KEY_LEFT) {
        size_t n = strlen(app->search);
        if (n) app->search[n - 1] = '\0';
        s->sel = s->first = 0;
        reload_users(app);
    } else if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, (uint32_t)app->user_count, key, 7);
    } else if (key == TERM_KEY_OK && s->sel < app->user_count) {
        open_edit(app, app->users[s->sel].id);
    }
}

/* ------------------------------------------------------------------------ */
/* The user form                                                            */
/* ------------------------------------------------------------------------ */

enum { F_ID = 0, F_NAME, F_ROLE, F_FINGER, F_CARD, F_PIN, F_DELETE, F_COUNT };

static uint32_t finger_count(term_app *app, const char *uid, uint32_t *first_free)
{
    uint32_t n = 0;
    *first_free = TERM_FINGERS_PER_USER;
    for (uint32_t i = 0; i < TERM_FINGERS_PER_USER; i++) {
        size_t len = 0;
        if (term_store_finger_get(app->store, uid, i, NULL, 0, &len) == TERM_OK)
            n++;
        else if (*first_free == TERM_FINGERS_PER_USER)
            *first_free = i;
    }
    return n;
}

static void user_edit_render(term_app *app, const scene *s, term_screen_model *m)
{
    term_user_info u;
    m->kind = TERM_BODY_LIST;
    term_scr_list *l = &m->body.list;
    if (term_store_user_get(app->store, app->uid, &u) != TERM_OK) {
        m->kind = TERM_BODY_MESSAGE;
        m->body.message.icon = TERM_ICON_FAIL;
        m->body.message.line_count = 1;
        APP_COPY(m->body.message.lines[0], "User not found");
        return;
    }
    uint32_t free_index;
    static const char *const labels[F_COUNT] = {"User ID", "Name",     "User Role", "Fingerprint",
                                                "Card",    "Password", "Delete"};
    l->total = F_COUNT;
    l->selected = s->sel;
    l->first = s->first;
    for (uint32_t i = s->first; i < F_COUNT && l->count < TERM_SCR_LIST_ROWS; i++) {
        term_scr_list_item *it = &l->items[l->count++];
        APP_COPY(it->text, labels[i]);
        switch (i) {
        case F_ID:
            APP_COPY(it->value, u.id);
            it->disabled = 1;
            break;
        case F_NAME:
            APP_COPY(it->value, u.name);
            break;
        case F_ROLE:
            APP_COPY(it->value, u.privilege == TERM_PRIV_ADMIN ? "Admin" : "Normal User");
            break;
        case F_FINGER:
            snprintf(it->value, sizeof(it->value), "%u", finger_count(app, u.id, &free_index));
            break;
        case F_CARD: {
            uint64_t card = 0;
            if ((u.methods & TERM_METHOD_CARD) && term_store_card_get(app->store, u.id, &card) == TERM_OK)
                snprintf(it->value, sizeof(it->value), "%llu", (unsigned long long)card);
            break;
        }
        case F_PIN:
            APP_COPY(it->value, (u.methods & TERM_METHOD_PIN) ? "******" : "");
            break;
        default:
            break;
        }
    }
}

/* Enrolment of a card (SC_ENROLL_CARD) or of finger arg2 (SC_ENROLL_FINGER) of app->uid; arg 1: the server asked
 * for it (app->sync_cmd answers it). */
static int enroll_enter(term_app *app, scene *s)
{
    if (s->kind == SC_ENROLL_CARD) {
        s->id = TERM_SCR_ENROLL_CARD;
        APP_COPY(s->title, "Enroll Card");
        return 0;
    }
    s->id = TERM_SCR_ENROLL_FINGER;
    APP_COPY(s->title, "Enroll Fingerprint");
    fp_enroll_destroy(app->enroll);
    app->enroll = NULL;
    if (fp_enroll_create(app->cfg.enroll_presses, &app->enroll) != FP_OK) return -1;
    app->enroll_index = (uint32_t)s->arg2;
    s->arg2 = 0; /* presses taken */
    /* the counter beside the text says how many presses were taken (0/3): the text only says what to do */
    snprintf(app->enroll_text, sizeof(app->enroll_text), "Press the finger");
    app->enroll_icon = TERM_ICON_FINGER;
    app->fp_image_valid = 0;
    return 0;
}

static void enroll_exit(term_app *app, scene *s)
{
    if (s->kind == SC_ENROLL_FINGER) {
        fp_enroll_destroy(app->enroll);
        app->enroll = NULL;
    }
    /* a server-requested enrolment closed without its result (ESC, menu timeout): the server is told */
    if (s->arg == 1) app_sync_enroll_answer(app, app->sync_abort_ret ? app->sync_abort_ret : APP_ENROLL_CANCELLED);
}

static void enroll_key(term_app *app, scene *s, term_key key)
{
    (void)s;
    if (key == TERM_KEY_ESC) app_pop(app);
}

static void enroll_start(term_app *app)
{
    uint32_t free_index;
    finger_count(app, app->uid, &free_index);
    if (free_index >= TERM_FINGERS_PER_USER) {
        app_message(app, TERM_ICON_WARN, "Enroll Fingerprint", "This user already has 10 fingerprints", NULL);
        return;
    }
    if (app_scene_open(app, SC_ENROLL_FINGER, 0, (int)free_index) != 0)
        fail_message(app, "Enroll Fingerprint", TERM_ERR_NO_MEMORY);
}

/* The result screen of a server-requested enrolment closes by itself: nobody opened a menu. */
static void server_result(term_app *app, term_icon icon, const char *title, const char *l1, const char *l2)
{
    app_message(app, icon, title, l1, l2);
    app_top(app)->deadline_ms = app->now_ms + 3000u;
}

static void user_edit_key(term_app *app, scene *s, term_key key)
{
    if (key == TERM_KEY_ESC) {
        app_pop(app);
        return;
    }
    if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, F_COUNT, key, 7);
        return;
    }
    if (key != TERM_KEY_OK) return;
    term_user_info u;
    if (term_store_user_get(app->store, app->uid, &u) != TERM_OK) {
        app_pop(app);
        return;
    }
    switch (s->sel) {
    case F_NAME:
        app_field(app, P_USER_NAME, 0, TERM_SCR_TEXT_INPUT, "Name", "Name", TERM_NAME_MAX, 1, u.name);
        break;
    case F_ROLE: {
        scene *c = app_push(app, SC_CHOICE, TERM_SCR_CHOICE, "User Role");
        c->purpose = P_USER_ROLE;
        APP_COPY(c->choices[0], "Normal User");
        APP_COPY(c->choices[1], "Admin");
        c->choice_count = 2;
        c->sel = u.privilege == TERM_PRIV_ADMIN ? 1 : 0;
        break;
    }
    case F_FINGER:
        enroll_start(app);
        break;
    case F_CARD:
        app_scene_open(app, SC_ENROLL_CARD, 0, 0);
        break;
    case F_PIN: {
        scene *f = app_field(app, P_USER_PIN, 0, TERM_SCR_TEXT_INPUT, "Password", "Password", TERM_PIN_MAX, 1, "");
        f->masked = 1;
        break;
    }
    case F_DELETE: {
        scene *ms = app_push(app, SC_MENU, TERM_SCR_USER_EDIT, "Delete");
        static const struct {
            int action;
            const char *label;
        } rows[] = {{A_DEL_USER, "Delete User"},
                    {A_DEL_FINGERS, "Delete Fingerprints"},
                    {A_DEL_CARD, "Delete Card"},
                    {A_DEL_PIN, "Delete Password"}};
        for (size_t i = 0; i < 4; i++) {
            ms->items[i].kind = IT_ACTION;
            ms->items[i].arg = rows[i].action;
            APP_COPY(ms->items[i].label, rows[i].label);
        }
        ms->item_count = 4;
        break;
    }
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Enrolment                                                                */
/* ------------------------------------------------------------------------ */

static void enroll_render(term_app *app, const scene *s, term_screen_model *m)
{
    snprintf(m->hint, sizeof(m->hint), "User ID: %s", app->uid);
    if (s->kind == SC_ENROLL_CARD) {
        m->kind = TERM_BODY_MESSAGE;
        m->body.message.icon = TERM_ICON_CARD;
        m->body.message.line_count = 1;
        APP_COPY(m->body.message.lines[0], "Please swipe your card");
        return;
    }
    m->kind = TERM_BODY_PROGRESS;
    term_scr_progress *p = &m->body.progress;
    p->total = app->cfg.enroll_presses;
    p->done = (uint32_t)s->arg2;
    APP_COPY(p->text, app->enroll_text);
    p->icon = app->enroll_icon;
    int64_t mode = term_settings_get(&app->settings, TERM_SETTING_FP_IMAGE);
    if ((mode == TERM_FP_IMAGE_ENROLL || mode == TERM_FP_IMAGE_ALWAYS) && app->fp_image_valid) {
        m->fp_image_valid = 1;
        memcpy(m->fp_image, app->fp_image, sizeof(m->fp_image));
    }
}

/* A refused press of a server-requested enrolment counts against its RETRY; past it the enrolment fails. */
static int server_refused(term_app *app, scene *s)
{
    if (s->arg != 1 || app->sync_retry == 0 || ++app->sync_refused <= app->sync_retry) return 0;
    app_pop(app); /* answered by the pop with sync_abort_ret */
    server_result(app, TERM_ICON_FAIL, "Enroll Fingerprint", "Enrolment failed", "Too many refused presses");
    return 1;
}

static void enroll_finger(term_app *app, scene *s, const fp_template *t, fp_status retry, const fp_extract_info *info)
{
    (void)info;
    if (s->kind != SC_ENROLL_FINGER || !app->enroll) return;
    int server = s->arg == 1;
    if (!t) {
        snprintf(app->enroll_text, sizeof(app->enroll_text), "%s", fp_status_message(retry));
        app->enroll_icon = TERM_ICON_WARN;
        app_voice(app, TERM_VOICE_TRY_AGAIN);
        app->sync_abort_ret = APP_ENROLL_FAILED;
        server_refused(app, s);
        app->sync_abort_ret = 0;
        return;
    }
    uint32_t remaining = 0;
    fp_status st = fp_enroll_add(app->enroll, app->fp, t, &remaining);
    if (st != FP_OK) {
        /* a refused press: say why; the enrolment goes on */
        snprintf(app->enroll_text, sizeof(app->enroll_text), "%s", fp_status_message(st));
        app->enroll_icon = TERM_ICON_WARN;
        app_voice(app, TERM_VOICE_TRY_AGAIN);
        app->sync_abort_ret = APP_ENROLL_FAILED;
        server_refused(app, s);
        app->sync_abort_ret = 0;
        return;
    }
    s->arg2 = (int)(app->cfg.enroll_presses - remaining);
    if (remaining > 0) {
        snprintf(app->enroll_text, sizeof(app->enroll_text), "Press the same finger again");
        app->enroll_icon = TERM_ICON_FINGER;
        return;
    }
    fp_template *merged = NULL;
    st = fp_enroll_finish(app->enroll, app->fp, &merged);
    fp_enroll_destroy(app->enroll);
    app->enroll = NULL;
    char uid[TERM_USER_ID_MAX + 1];
    APP_COPY(uid, app->uid);
    /* the answer to a server request is given below with the real outcome, not by the pop */
    char cmd[sizeof(app->sync_cmd)] = "";
    if (server) {
        APP_COPY(cmd, app->sync_cmd);
        app->sync_cmd[0] = '\0';
    }
    app_pop(app); /* the progress scene */
    if (server) APP_COPY(app->sync_cmd, cmd);
    void (*result)(term_app *, term_icon, const char *, const char *, const char *) =
        server ? server_result : app_message;
    if (st != FP_OK) {
        if (server) app_sync_enroll_answer(app, APP_ENROLL_FAILED);
        result(app, TERM_ICON_FAIL, "Enroll Fingerprint", fp_status_message(st), NULL);
        return;
    }
    /* A finger already enrolled (for anybody) is refused: 1:N would be ambiguous. A server-requested
     * re-enrolment of the user's own finger (OVERWRITE=1) is not a duplicate. */
    char owner[TERM_USER_ID_MAX + 1];
    float score = 0;
    if (term_gallery_identify(app->gallery, merged, owner, &score) == TERM_OK &&
        score > (float)term_settings_get(&app->settings, TERM_SETTING_THRESHOLD_1_N) &&
        !(server && strcmp(owner, uid) == 0)) {
        char line[TERM_SCR_TEXT];
        snprintf(line, sizeof(line), "Already enrolled for user %s", owner);
        fp_template_destroy(merged);
        app->last_status = TERM_ERR_DUPLICATE_USER;
        if (server) app_sync_enroll_answer(app, APP_ENROLL_DUPLICATE);
        result(app, TERM_ICON_FAIL, "Enroll Fingerprint", "Duplicate fingerprint", line);
        return;
    }
    uint8_t buf[8192];
    size_t len = 0;
    term_status tst = TERM_ERR_BAD_TEMPLATE;
    if (fp_template_serialize(merged, FP_FORMAT_NATIVE, buf, sizeof(buf), &len) == FP_OK)
        tst = term_store_finger_set(app->store, uid, app->enroll_index, buf, len);
    if (tst == TERM_OK) tst = term_gallery_put(app->gallery, uid, app->enroll_index, buf, len);
    fp_template_destroy(merged);
    app->last_status = tst;
    if (tst != TERM_OK) {
        if (server) app_sync_enroll_answer(app, tst == TERM_ERR_CAPACITY_FINGERS ? APP_ENROLL_FULL : APP_ENROLL_FAILED);
        result(app, TERM_ICON_FAIL, "Enroll Fingerprint", term_status_message(tst), NULL);
        return;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "%s finger %u", uid, app->enroll_index);
    app_oplog(app, TERM_OP_FINGER_SET, detail);
    if (server) app_sync_enroll_answer(app, APP_ENROLL_OK);
    user_changed(app, uid);
    app_voice(app, TERM_VOICE_THANK_YOU);
    result(app, TERM_ICON_OK, "Enroll Fingerprint", "Enrolled successfully", detail);
}

static void enroll_card(term_app *app, scene *s, uint64_t card)
{
    if (s->kind != SC_ENROLL_CARD) return;
    int server = s->arg == 1;
    term_status st = term_store_card_set(app->store, app->uid, card);
    app->last_status = st;
    char uid[TERM_USER_ID_MAX + 1];
    APP_COPY(uid, app->uid);
    char cmd[sizeof(app->sync_cmd)] = "";
    if (server) {
        APP_COPY(cmd, app->sync_cmd);
        app->sync_cmd[0] = '\0';
    }
    app_pop(app);
    if (server) APP_COPY(app->sync_cmd, cmd);
    void (*result)(term_app *, term_icon, const char *, const char *, const char *) =
        server ? server_result : app_message;
    if (st != TERM_OK) {
        if (server)
            app_sync_enroll_answer(app, st == TERM_ERR_DUPLICATE_CARD   ? APP_ENROLL_DUPLICATE
                                        : st == TERM_ERR_CAPACITY_CARDS ? APP_ENROLL_FULL
                                                                        : APP_ENROLL_FAILED);
        result(app, TERM_ICON_FAIL, "Enroll Card", term_status_message(st), NULL);
        return;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "%s card %llu", uid, (unsigned long long)card);
    app_oplog(app, TERM_OP_CARD_SET, detail);
    if (server) app_sync_enroll_answer(app, APP_ENROLL_OK);
    user_changed(app, uid);
    result(app, TERM_ICON_OK, "Enroll Card", "Card registered", detail);
}

/* ------------------------------------------------------------------------ */
/* Completion                                                               */
/* ------------------------------------------------------------------------ */

void user_done(term_app *app, const scene *s, const scene_result *r)
{
    const char *text = r ? r->text : NULL;
    int choice = r ? r->choice : -1;
    term_user_info u;
    term_status st;
    switch (s->purpose) {
    case P_NEW_USER_ID: {
        term_user nu;
        memset(&nu, 0, sizeof(nu));
        /* "007" is user 7: the store keeps the canonical form, and so do the log, the hooks and the form */
        st = term_user_id_normalize(text ? text : "",
                                    (int)term_settings_get(&app->settings, TERM_SETTING_ALNUM_USER_ID), nu.id);
        if (st != TERM_OK) APP_COPY(nu.id, text ? text : "");
        nu.privilege = TERM_PRIV_USER;
        if (st == TERM_OK) st = term_store_user_add(app->store, &nu);
        app->last_status = st;
        if (st != TERM_OK) {
            app_message(app, TERM_ICON_FAIL, "New User", term_status_message(st), nu.id);
            return;
        }
        app_oplog(app, TERM_OP_USER_ADD, nu.id);
        user_changed(app, nu.id);
        open_edit(app, nu.id);
        return;
    }
    case P_USER_NAME:
    case P_USER_ROLE: {
        st = term_store_user_get(app->store, app->uid, &u);
        if (st != TERM_OK) {
            fail_message(app, "Edit User", st);
            return;
        }
        term_user up;
        memset(&up, 0, sizeof(up));
        APP_COPY(up.id, u.id);
        APP_COPY(up.name, s->purpose == P_USER_NAME ? (text ? text : "") : u.name);
        up.privilege = s->purpose == P_USER_ROLE ? (choice == 1 ? TERM_PRIV_ADMIN : TERM_PRIV_USER) : u.privilege;
        st = term_store_user_update(app->store, &up);
        app->last_status = st;
        if (st != TERM_OK) {
            fail_message(app, "Edit User", st);
            return;
        }
        char detail[96];
        snprintf(detail, sizeof(detail), "%s %s", up.id,
                 s->purpose == P_USER_NAME ? "name" : (up.privilege ? "admin" : "user"));
        app_oplog(app, TERM_OP_USER_UPDATE, detail);
        user_changed(app, up.id);
        return;
    }
    case P_USER_PIN:
        st = term_store_pin_set(app->store, app->uid, text ? text : "");
        app->last_status = st;
        if (st != TERM_OK) {
            fail_message(app, "Password", st);
            return;
        }
        app_oplog(app, TERM_OP_PIN_SET, app->uid);
        user_changed(app, app->uid);
        app_message(app, TERM_ICON_OK, "Password", "Password saved", NULL);
        return;
    case P_DELETE_USER:
        st = term_store_user_delete(app->store, app->uid);
        app->last_status = st;
        if (st != TERM_OK) {
            fail_message(app, "Delete", st);
            return;
        }
        term_gallery_remove_user(app->gallery, app->uid);
        app_oplog(app, TERM_OP_USER_DELETE, app->uid);
        user_changed(app, app->uid);
        /* leave the delete menu and the form of a user that no longer exists */
        while (app_top(app) && (app_top(app)->kind == SC_USER_EDIT || app_top(app)->id == TERM_SCR_USER_EDIT))
            app_pop(app);
        if (app_top(app) && app_top(app)->kind == SC_USER_LIST) {
            reload_users(app);
            app_top(app)->sel = app_top(app)->first = 0;
        }
        app_message(app, TERM_ICON_OK, "Delete", "User deleted", app->uid);
        return;
    case P_DELETE_FINGERS: {
        st = TERM_OK;
        for (uint32_t i = 0; i < TERM_FINGERS_PER_USER && st == TERM_OK; i++) {
            st = term_store_finger_delete(app->store, app->uid, i);
            if (st == TERM_ERR_NOT_FOUND) st = TERM_OK;
        }
        app->last_status = st;
        if (st == TERM_OK) {
            /* rebuild the user's part of the gallery from the store (now empty) */
            term_gallery_remove_user(app->gallery, app->uid);
            app_oplog(app, TERM_OP_FINGER_DELETE, app->uid);
            user_changed(app, app->uid);
            app_pop(app); /* the delete menu */
            app_message(app, TERM_ICON_OK, "Delete", "Fingerprints deleted", NULL);
        } else {
            fail_message(app, "Delete", st);
        }
        return;
    }
    case P_DELETE_CARD:
    case P_DELETE_PIN:
        st = s->purpose == P_DELETE_CARD ? term_store_card_clear(app->store, app->uid)
                                         : term_store_pin_clear(app->store, app->uid);
        app->last_status = st;
        if (st != TERM_OK) {
            fail_message(app, "Delete", st);
            return;
        }
        {
            char detail[64];
            snprintf(detail, sizeof(detail), "%s cleared", app->uid);
            app_oplog(app, s->purpose == P_DELETE_CARD ? TERM_OP_CARD_SET : TERM_OP_PIN_SET, detail);
        }
        user_changed(app, app->uid);
        app_pop(app);
        app_message(app, TERM_ICON_OK, "Delete", s->purpose == P_DELETE_CARD ? "Card deleted" : "Password deleted",
                    NULL);
        return;
    default:
        return;
    }
}

/* User Mgt.'s actions (scene_config.h). */
void user_action(term_app *app, int action)
{
    switch (action) {
    case A_NEW_USER:
        user_new(app);
        return;
    case A_ALL_USERS:
        app_scene_open(app, SC_USER_LIST, 0, 0);
        return;
    case A_DEL_USER:
        app_confirm(app, P_DELETE_USER, 0, "Delete", "Delete this user and all credentials?", app->uid);
        return;
    case A_DEL_FINGERS:
        app_confirm(app, P_DELETE_FINGERS, 0, "Delete", "Delete all fingerprints?", app->uid);
        return;
    case A_DEL_CARD:
        app_confirm(app, P_DELETE_CARD, 0, "Delete", "Delete the card?", app->uid);
        return;
    case A_DEL_PIN:
        app_confirm(app, P_DELETE_PIN, 0, "Delete", "Delete the password?", app->uid);
        return;
    default:
        return;
    }
}

const scene_ops scene_user_list_ops = {
    .enter = user_list_enter, .key = user_list_key, .tick = user_list_tick, .render = user_list_render};
const scene_ops scene_user_edit_ops = {.enter = user_edit_enter, .key = user_edit_key, .render = user_edit_render};
const scene_ops scene_enroll_ops = {.enter = enroll_enter,
                                    .key = enroll_key,
                                    .finger = enroll_finger,
                                    .card = enroll_card,
                                    .render = enroll_render,
                                    .exit = enroll_exit};
