/*
 * term_gallery.c - in-memory gallery and the verification ports.
 */
#include "term_gallery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct gallery_entry {
    char uid[TERM_USER_ID_MAX + 1];
    uint32_t index;
    fp_template *tmpl;
} gallery_entry;

struct term_gallery {
    fp_context *ctx;
    gallery_entry *entries;
    size_t count, cap;
};

term_status term_gallery_create(fp_context *ctx, term_gallery **out)
{
    if (out) *out = NULL;
    if (ctx == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_gallery *g = calloc(1, sizeof(*g));
    if (g == NULL) return TERM_ERR_NO_MEMORY;
    g->ctx = ctx;
    *out = g;
    return TERM_OK;
}

static void clear(term_gallery *g)
{
    for (size_t i = 0; i < g->count; i++) fp_template_destroy(g->entries[i].tmpl);
    g->count = 0;
}

void term_gallery_destroy(term_gallery *g)
{
    if (g == NULL) return;
    clear(g);
    free(g->entries);
    free(g);
}

size_t term_gallery_count(const term_gallery *g)
{
    return g ? g->count : 0;
}

term_status term_gallery_put(term_gallery *g, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    if (g == NULL || uid == NULL || data == NULL || strlen(uid) > TERM_USER_ID_MAX) return TERM_ERR_INVALID_ARGUMENT;
    fp_template *t = NULL;
    fp_status fs = fp_template_deserialize(FP_FORMAT_NATIVE, data, len, &t);
    if (fs == FP_ERR_NO_MEMORY) return TERM_ERR_NO_MEMORY;
    if (fs != FP_OK) return TERM_ERR_BAD_TEMPLATE;
    for (size_t i = 0; i < g->count; i++) {
        if (g->entries[i].index == index && strcmp(g->entries[i].uid, uid) == 0) {
            fp_template_destroy(g->entries[i].tmpl);
            g->entries[i].tmpl = t;
            return TERM_OK;
        }
    }
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        gallery_entry *grown = realloc(g->entries, cap * sizeof(*grown));
        if (grown == NULL) {
            fp_template_destroy(t);
            return TERM_ERR_NO_MEMORY;
        }
        g->entries = grown;
        g->cap = cap;
    }
    gallery_entry *e = &g->entries[g->count++];
    memset(e, 0, sizeof(*e));
    memcpy(e->uid, uid, strlen(uid) + 1);
    e->index = index;
    e->tmpl = t;
    return TERM_OK;
}

void term_gallery_remove_user(term_gallery *g, const char *uid)
{
    if (g == NULL || uid == NULL) return;
    size_t kept = 0;
    for (size_t i = 0; i < g->count; i++) {
        if (strcmp(g->entries[i].uid, uid) == 0)
            fp_template_destroy(g->entries[i].tmpl);
        else
            g->entries[kept++] = g->entries[i];
    }
    g->count = kept;
}

typedef struct load_ctx {
    term_gallery *g;
    term_status status;
} load_ctx;

static int load_one(void *ctx, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    load_ctx *l = ctx;
    l->status = term_gallery_put(l->g, uid, index, data, len);
    return l->status != TERM_OK;
}

term_status term_gallery_load(term_gallery *g, term_store *st)
{
    if (g == NULL || st == NULL) return TERM_ERR_INVALID_ARGUMENT;
    clear(g);
    load_ctx l = {g, TERM_OK};
    term_status status = term_store_finger_each(st, load_one, &l);
    if (status == TERM_OK) status = l.status;
    if (status != TERM_OK) clear(g);
    return status;
}

term_status term_gallery_identify(term_gallery *g, const fp_template *probe, char uid[TERM_USER_ID_MAX + 1],
                                  float *score)
{
    if (g == NULL || probe == NULL || uid == NULL || score == NULL) return TERM_ERR_INVALID_ARGUMENT;
    if (g->count == 0) return TERM_ERR_NOT_FOUND;
    size_t best = 0;
    float best_score = -1.0f;
    for (size_t i = 0; i < g->count; i++) {
        float s = 0.0f;
        if (fp_compare(g->ctx, probe, g->entries[i].tmpl, &s) != FP_OK) return TERM_ERR_INVALID_ARGUMENT;
        if (s > best_score) {
            best_score = s;
            best = i;
        }
    }
    memcpy(uid, g->entries[best].uid, TERM_USER_ID_MAX + 1);
    *score = best_score;
    return TERM_OK;
}

term_status term_gallery_verify(term_gallery *g, const char *uid, const fp_template *probe, float *score)
{
    if (g == NULL || uid == NULL || probe == NULL || score == NULL) return TERM_ERR_INVALID_ARGUMENT;
    int found = 0;
    float best_score = 0.0f;
    for (size_t i = 0; i < g->count; i++) {
        if (strcmp(g->entries[i].uid, uid) != 0) continue;
        float s = 0.0f;
        if (fp_compare(g->ctx, probe, g->entries[i].tmpl, &s) != FP_OK) return TERM_ERR_INVALID_ARGUMENT;
        if (!found || s > best_score) best_score = s;
        found = 1;
    }
    if (!found) return TERM_ERR_NOT_FOUND;
    *score = best_score;
    return TERM_OK;
}

/* ------------------------------------------------------------------------ */
/* Ports                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * The 1:N Threshold Value is read as a false positive identification rate
 * (35: about 3 in 10,000 strangers accepted), the engine's convention for
 * 1:N (fp_identify_threshold). The best of N comparisons is N times more
 * likely to pass a per-comparison threshold, so the port reports the best
 * score minus 10 log10 N. Without it a 3,000-finger gallery accepted about
 * half of the strangers at the default threshold (term-bench measured it).
 */
static term_status port_identify(void *ctx, const void *probe, char uid[TERM_USER_ID_MAX + 1], float *score)
{
    term_services *svc = ctx;
    term_status st = term_gallery_identify(svc->gallery, probe, uid, score);
    size_t n = term_gallery_count(svc->gallery);
    if (st == TERM_OK && n > 1) *score -= 10.0f * log10f((float)n);
    return st;
}

static term_status port_verify(void *ctx, const char *uid, const void *probe, float *score)
{
    term_services *svc = ctx;
    return term_gallery_verify(svc->gallery, uid, probe, score);
}

static term_status port_find_card(void *ctx, uint64_t card, char uid[TERM_USER_ID_MAX + 1])
{
    term_services *svc = ctx;
    return term_store_card_find(svc->store, card, uid);
}

static term_status port_lookup(void *ctx, const char *uid, term_user_info *out)
{
    term_services *svc = ctx;
    return term_store_user_get(svc->store, uid, out);
}

static term_status port_check_pin(void *ctx, const char *uid, const char *pin)
{
    term_services *svc = ctx;
    return term_store_pin_check(svc->store, uid, pin);
}

static term_status port_last_punch(void *ctx, const char *uid, int64_t *time)
{
    term_services *svc = ctx;
    return term_store_record_last(svc->store, uid, time);
}

static term_status port_record_space(void *ctx, uint32_t *used, uint32_t *capacity)
{
    term_services *svc = ctx;
    term_store_counts c;
    term_status status = term_store_counts_get(svc->store, &c);
    if (status == TERM_OK) {
        *used = c.records;
        *capacity = term_store_profile(svc->store)->max_records;
    }
    return status;
}

static term_status port_admin_count(void *ctx, uint32_t *count)
{
    term_services *svc = ctx;
    term_store_counts c;
    term_status status = term_store_counts_get(svc->store, &c);
    if (status == TERM_OK) *count = c.admins;
    return status;
}

void term_services_ops(term_services *svc, term_verify_ops *ops)
{
    if (ops == NULL) return;
    memset(ops, 0, sizeof(*ops));
    ops->ctx = svc;
    ops->identify_finger = port_identify;
    ops->verify_finger = port_verify;
    ops->find_card = port_find_card;
    ops->lookup_user = port_lookup;
    ops->check_pin = port_check_pin;
    ops->last_punch = port_last_punch;
    ops->record_space = port_record_space;
    ops->admin_count = port_admin_count;
}
