/*
 * scene_generic.c - the generic scenes: a text field (T9), a choice list, a
 * message, a confirmation and a date/time spinner. They do not know what
 * they were opened for: on completion the kit hands their result to the
 * module that owns their purpose (app_complete, scene_config.h). The kit's
 * app_field, app_message, app_confirm and app_spinner open them.
 */
#include "term_app_internal.h"

static void complete(term_app *app, scene *s, const char *text, int choice, const int *spin)
{
    scene_result r = {text, choice, spin};
    app_complete(app, s, &r);
}

/* ---- field ---- */

static void field_key(term_app *app, scene *s, term_key key)
{
    /* A field that starts with a value (the current setting, the suggested user id) behaves as an edit field
     * with that value selected: the first character typed replaces it; `>` only opens the input method. */
    if (s->fresh && key <= TERM_KEY_9) {
        s->t9.text[0] = '\0';
        s->t9.len = 0;
        s->t9.pending_key = -1;
    }
    if (key != TERM_KEY_RIGHT) s->fresh = 0;
    term_t9_result r = term_t9_key(&s->t9, key, app->now_ms);
    if (r == TERM_T9_DONE) {
        char text[TERM_T9_MAX + 1];
        APP_COPY(text, s->t9.text);
        complete(app, s, text, -1, NULL);
    } else if (r == TERM_T9_CANCEL) {
        app_pop(app);
    } else if (r == TERM_T9_FULL) {
        APP_COPY(s->hint, "field is full");
    } else if (r == TERM_T9_CHANGED) {
        s->hint[0] = '\0';
    }
}

static void field_tick(term_app *app, scene *s)
{
    term_t9_tick(&s->t9, app->now_ms);
}

static void field_render(term_app *app, const scene *s, term_screen_model *m)
{
    (void)app;
    m->kind = TERM_BODY_FIELD;
    term_scr_field *f = &m->body.field;
    APP_COPY(f->label, s->label);
    if (s->masked) {
        size_t n = s->t9.len;
        if (n >= sizeof(f->value)) n = sizeof(f->value) - 1;
        memset(f->value, '*', n);
        f->value[n] = '\0';
        /* the letter being chosen stays visible until it is kept */
        if (s->t9.pending_key >= 0 && n > 0) f->value[n - 1] = s->t9.text[n - 1];
    } else {
        APP_COPY(f->value, s->t9.text);
    }
    f->cursor = (uint32_t)s->t9.len;
    APP_COPY(f->mode, s->t9.open ? term_t9_mode_name(s->t9.mode) : "");
    APP_COPY(f->candidates, term_t9_candidates(&s->t9, &f->candidate));
    APP_COPY(f->hint, s->hint);
}

const scene_ops scene_field_ops = {.key = field_key, .tick = field_tick, .render = field_render};

/* ---- choice ---- */

static void choice_key(term_app *app, scene *s, term_key key)
{
    if (key == TERM_KEY_ESC) {
        app_pop(app);
    } else if (key == TERM_KEY_OK) {
        complete(app, s, s->choices[s->sel], (int)s->sel, NULL);
    } else if (key == TERM_KEY_UP || key == TERM_KEY_DOWN) {
        app_list_move(&s->sel, &s->first, (uint32_t)s->choice_count, key, 6);
    } else if (key >= TERM_KEY_0 + 1 && key <= TERM_KEY_9 && (size_t)(key - TERM_KEY_0) <= s->choice_count) {
        s->sel = (uint32_t)(key - TERM_KEY_0 - 1);
        complete(app, s, s->choices[s->sel], (int)s->sel, NULL);
    }
}

static void choice_render(term_app *app, const scene *s, term_screen_model *m)
{
    (void)app;
    m->kind = TERM_BODY_LIST;
    term_scr_list *l = &m->body.list;
    l->total = (uint32_t)s->choice_count;
    l->selected = s->sel;
    l->first = s->first;
    for (uint32_t i = s->first; i < s->choice_count && l->count < TERM_SCR_LIST_ROWS; i++)
        APP_COPY(l->items[l->count++].text, s->choices[i]);
}

const scene_ops scene_choice_ops = {.key = choice_key, .render = choice_render};

/* ---- message and confirmation ---- */

static void message_key(term_app *app, scene *s, term_key key)
{
    if (s->kind == SC_CONFIRM) {
        if (key == TERM_KEY_OK)
            complete(app, s, NULL, 1, NULL);
        else if (key == TERM_KEY_ESC)
            app_pop(app);
        return;
    }
    if (key == TERM_KEY_OK || key == TERM_KEY_ESC) app_pop(app);
}

/* A message closes by itself at its deadline; one waiting for the sync worker completes with its outcome. */
static void message_tick(term_app *app, scene *s)
{
    if (s->kind == SC_MESSAGE && s->deadline_ms && app->now_ms >= s->deadline_ms)
        app_pop(app);
    else if (s->purpose == P_SYNC_WAIT && app->sync_outcome == s->arg)
        complete(app, s, NULL, -1, NULL);
}

static void message_render(term_app *app, const scene *s, term_screen_model *m)
{
    (void)app;
    m->kind = s->kind == SC_CONFIRM ? TERM_BODY_CONFIRM : TERM_BODY_MESSAGE;
    term_scr_message *msg = &m->body.message;
    msg->icon = s->icon;
    msg->line_count = s->line_count;
    memcpy(msg->lines, s->lines, sizeof(msg->lines));
    if (s->kind == SC_CONFIRM) {
        msg->button_count = 2;
        APP_COPY(msg->buttons[0], "M/OK");
        APP_COPY(msg->buttons[1], "ESC");
    } else {
        msg->button_count = 1;
        APP_COPY(msg->buttons[0], "M/OK");
    }
}

const scene_ops scene_message_ops = {.key = message_key, .tick = message_tick, .render = message_render};

/* ---- spinner ---- */

static void spinner_key(term_app *app, scene *s, term_key key)
{
    uint32_t f = s->sel;
    switch (key) {
    case TERM_KEY_ESC:
        app_pop(app);
        return;
    case TERM_KEY_LEFT:
        s->sel = f == 0 ? s->spin_count - 1 : f - 1;
        s->spin_typed = 0;
        return;
    case TERM_KEY_RIGHT:
        s->sel = f + 1 >= s->spin_count ? 0 : f + 1;
        s->spin_typed = 0;
        return;
    case TERM_KEY_UP:
    case TERM_KEY_DOWN: {
        int v = s->spin_val[f] + (key == TERM_KEY_UP ? 1 : -1);
        if (v > s->spin_max[f]) v = s->spin_min[f];
        if (v < s->spin_min[f]) v = s->spin_max[f];
        s->spin_val[f] = v;
        s->spin_typed = 0;
        break;
    }
    case TERM_KEY_OK: {
        int vals[TERM_SCR_SPIN_FIELDS];
        for (uint32_t i = 0; i < s->spin_count; i++) {
            if (s->spin_val[i] < s->spin_min[i]) s->spin_val[i] = s->spin_min[i];
            if (s->spin_val[i] > s->spin_max[i]) s->spin_val[i] = s->spin_max[i];
        }
        memcpy(vals, s->spin_val, sizeof(vals));
        complete(app, s, NULL, -1, vals);
        return;
    }
    default:
        if (key <= TERM_KEY_9) {
            /* digits type the field: the first replaces it, the next ones shift in, up to its width */
            uint32_t width = s->spin_max[f] >= 1000 ? 4 : 2;
            int d = (int)(key - TERM_KEY_0);
            s->spin_val[f] = s->spin_typed == 0 ? d : s->spin_val[f] * 10 + d;
            if (++s->spin_typed >= width) s->spin_typed = 0;
            if (s->spin_typed != 0) return; /* incomplete: range checks wait for the last digit */
            if (s->spin_val[f] > s->spin_max[f]) s->spin_val[f] = s->spin_max[f];
            if (s->spin_val[f] < s->spin_min[f]) s->spin_val[f] = s->spin_min[f];
        }
        break;
    }
    /* keep the day valid for the month: a date spinner is YYYY MM DD first */
    if (s->spin_time_from >= 3 && strcmp(s->spin_label[0], "YYYY") == 0) {
        s->spin_max[2] = app_days_in_month(s->spin_val[0], s->spin_val[1]);
        if (s->spin_val[2] > s->spin_max[2]) s->spin_val[2] = s->spin_max[2];
        if (s->spin_val[2] < 1) s->spin_val[2] = 1;
    }
}

static void spinner_render(term_app *app, const scene *s, term_screen_model *m)
{
    (void)app;
    m->kind = TERM_BODY_SPINNER;
    term_scr_spinner *sp = &m->body.spinner;
    sp->field_count = s->spin_count;
    sp->selected = s->sel;
    size_t pos = 0;
    for (uint32_t i = 0; i < s->spin_count; i++) {
        snprintf(sp->fields[i], sizeof(sp->fields[i]), s->spin_max[i] >= 1000 ? "%04d" : "%02d", s->spin_val[i]);
        APP_COPY(sp->labels[i], s->spin_label[i]);
        const char *sep = i == 0 ? "" : i == s->spin_time_from ? " " : i > s->spin_time_from ? ":" : "-";
        int n = snprintf(sp->value + pos, sizeof(sp->value) - pos, "%s%s", sep, sp->fields[i]);
        if (n > 0) pos += (size_t)n;
        if (pos >= sizeof(sp->value)) pos = sizeof(sp->value) - 1;
    }
}

const scene_ops scene_spinner_ops = {.key = spinner_key, .render = spinner_render};
