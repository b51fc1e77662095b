/*
 * fuzz_term_app.c - the whole application driven by arbitrary input
 * sequences: every byte is a key, a tick, a card or a finger. Whatever the
 * sequence (menus, deletions, factory reset, enrolment), the app must not
 * crash, leak or leave a screen model with unterminated strings or counts
 * beyond its arrays.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "term_app.h"
#include "term_hal_sim.h"

static void check_text(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL) abort();
}

static void check_model(const term_screen_model *m)
{
    check_text(m->title, sizeof(m->title));
    check_text(m->hint, sizeof(m->hint));
    check_text(m->status.time, sizeof(m->status.time));
    switch (m->kind) {
    case TERM_BODY_LIST:
        if (m->body.list.count > TERM_SCR_LIST_ROWS) abort();
        for (uint32_t i = 0; i < m->body.list.count; i++) {
            check_text(m->body.list.items[i].text, sizeof(m->body.list.items[i].text));
            check_text(m->body.list.items[i].value, sizeof(m->body.list.items[i].value));
        }
        break;
    case TERM_BODY_MESSAGE:
    case TERM_BODY_CONFIRM:
        if (m->body.message.line_count > TERM_SCR_LINES || m->body.message.button_count > TERM_SCR_BUTTONS) abort();
        for (uint32_t i = 0; i < m->body.message.line_count; i++)
            check_text(m->body.message.lines[i], sizeof(m->body.message.lines[i]));
        break;
    case TERM_BODY_TABLE:
        if (m->body.table.row_count > TERM_SCR_TABLE_ROWS || m->body.table.col_count > TERM_SCR_TABLE_COLS) abort();
        break;
    case TERM_BODY_SPINNER:
        if (m->body.spinner.field_count > TERM_SCR_SPIN_FIELDS) abort();
        check_text(m->body.spinner.value, sizeof(m->body.spinner.value));
        break;
    case TERM_BODY_FIELD:
        check_text(m->body.field.value, sizeof(m->body.field.value));
        if (m->body.field.cursor >= sizeof(m->body.field.value)) abort();
        break;
    default:
        break;
    }
}

static fp_template *finger(uint32_t seed, uint32_t press)
{
    fp_minutia m[30];
    uint32_t x = seed * 2654435761u + 7;
    for (int i = 0; i < 30; i++) {
        x = x * 1664525u + 1013904223u;
        m[i].x = (uint16_t)(30 + (x >> 8) % 250 + press % 3);
        x = x * 1664525u + 1013904223u;
        m[i].y = (uint16_t)(30 + (x >> 8) % 330);
        m[i].angle = (uint8_t)(x >> 3);
        m[i].type = (uint8_t)(1 + (x >> 20) % 2);
        m[i].quality = 80;
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    if (fp_template_create(320, 400, 500, m, 30, 70, &t) != FP_OK) return NULL;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[] = "/tmp/fuzz_term_app_XXXXXX", db[64], key[64];
    if (!mkdtemp(dir)) return 0;
    snprintf(db, sizeof(db), "%s/t.db", dir);
    snprintf(key, sizeof(key), "%s/t.key", dir);
    static term_hal_sim sim;
    term_hal_sim_init(&sim, 1729874580);
    term_hal_sim_add_network(&sim, "Office", "12345678");
    term_app_config cfg;
    term_app_config_init(&cfg);
    cfg.store.db_path = db;
    cfg.store.key_path = key;
    cfg.store.create_key = 1;
    cfg.store.profile.pin_iterations = 1000;
    term_hal_sim_bind(&sim, &cfg.hal);
    term_app *app = NULL;
    if (term_app_create(&cfg, &app) != TERM_OK) abort();
    if (size > 4096) size = 4096;
    for (size_t i = 0; i < size; i++) {
        term_app_input in;
        memset(&in, 0, sizeof(in));
        uint8_t b = data[i];
        term_hal_sim_advance(&sim, 100);
        if (b % 24 < 16) {
            in.type = TERM_IN_KEY;
            in.key = (term_key)(b % 24);
        } else if (b % 24 == 16) {
            in.type = TERM_IN_TICK;
            term_hal_sim_advance(&sim, 1000);
        } else if (b % 24 == 17) {
            in.type = TERM_IN_TICK;
            term_hal_sim_advance(&sim, 61000);
        } else if (b % 24 == 18) {
            in.type = TERM_IN_CARD;
            in.card = i + 1 < size ? data[++i] : 0; /* 0 is refused by the store: also exercised */
        } else if (b % 24 == 19) {
            in.type = TERM_IN_FINGER_RETRY;
            in.retry = (int)(100 + b % 10);
        } else {
            in.type = TERM_IN_FINGER_TEMPLATE;
            in.tmpl = finger(b % 3, b / 24);
        }
        if (term_app_event(app, &in) != TERM_OK) abort();
        fp_template_destroy((fp_template *)in.tmpl);
        term_screen_model m;
        term_app_screen(app, &m);
        check_model(&m);
    }
    if (term_store_integrity_check(term_app_store(app)) != TERM_OK) abort();
    term_app_destroy(app);
    const char *files[] = {"t.db", "t.db-wal", "t.db-shm", "t.key"};
    for (size_t i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}
