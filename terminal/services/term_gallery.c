/*
 * term_gallery.c - in-memory gallery and the verification ports.
 */
#include "term_gallery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fp/search.h"

/*
 * The templates live in the engine's gallery (fp_gallery), which stores
 * them with their pre-screening codes and runs the two-stage search. The
 * engine names a finger by (user number, finger index); the terminal's
 * user ids are text, so each user id gets a number: its position in users[]
 * (a removed user's position is reused by the next new user).
 */
typedef struct user_slot {
    char uid[TERM_USER_ID_MAX + 1]; /* "" = free */
    uint16_t fingers;               /* bit i: finger index i is enrolled */
} user_slot;

struct term_gallery {
    fp_context *ctx;
    fp_gallery *fg;
    fp_identify_scratch *scratch;
    user_slot *users;
    size_t n_users, cap_users;
};

term_status term_gallery_create(fp_context *ctx, term_gallery **out)
{
    if (out) *out = NULL;
    if (ctx == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_gallery *g = calloc(1, sizeof(*g));
    if (g == NULL) return TERM_ERR_NO_MEMORY;
    g->ctx = ctx;
    if (fp_gallery_create(0, &g->fg) != FP_OK || fp_identify_scratch_create(&g->scratch) != FP_OK) {
        term_gallery_destroy(g);
        return TERM_ERR_NO_MEMORY;
    }
    *out = g;
    return TERM_OK;
}

static void clear(term_gallery *g)
{
    for (size_t i = 0; i < g->n_users; i++) {
        fp_gallery_remove_user(g->fg, (uint32_t)i, NULL);
        g->users[i].uid[0] = '\0';
        g->users[i].fingers = 0;
    }
    g->n_users = 0;
}

void term_gallery_destroy(term_gallery *g)
{
    if (g == NULL) return;
    fp_gallery_destroy(g->fg);
    fp_identify_scratch_destroy(g->scratch);
    free(g->users);
    free(g);
}

size_t term_gallery_count(const term_gallery *g)
{
    return g ? fp_gallery_count(g->fg) : 0;
}

/* The number of uid, or SIZE_MAX. */
static size_t user_find(const term_gallery *g, const char *uid)
{
    for (size_t i = 0; i < g->n_users; i++)
        if (strcmp(g->users[i].uid, uid) == 0) return i;
    return SIZE_MAX;
}

/* The number of uid, giving it one (a free slot, or a new one) if needed. */
static term_status user_number(term_gallery *g, const char *uid, size_t *out)
{
    size_t i = user_find(g, uid);
    if (i == SIZE_MAX) {
        for (i = 0; i < g->n_users && g->users[i].uid[0]; i++) {
        }
        if (i == g->n_users) {
            if (g->n_users == g->cap_users) {
                size_t cap = g->cap_users ? g->cap_users * 2 : 64;
                user_slot *grown = realloc(g->users, cap * sizeof(*grown));
                if (grown == NULL) return TERM_ERR_NO_MEMORY;
                g->users = grown;
                g->cap_users = cap;
            }
            g->n_users++;
        }
        memset(&g->users[i], 0, sizeof(g->users[i]));
        memcpy(g->users[i].uid, uid, strlen(uid) + 1);
    }
    *out = i;
    return TERM_OK;
}

term_status term_gallery_put(term_gallery *g, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    if (g == NULL || uid == NULL || data == NULL || uid[0] == '\0' || strlen(uid) > TERM_USER_ID_MAX ||
        index > FP_GALLERY_MAX_FINGER)
        return TERM_ERR_INVALID_ARGUMENT;
    fp_template *t = NULL;
    fp_status fs = fp_template_deserialize(FP_FORMAT_NATIVE, data, len, &t);
    if (fs == FP_ERR_NO_MEMORY) return TERM_ERR_NO_MEMORY;
    if (fs != FP_OK) return TERM_ERR_BAD_TEMPLATE;
    size_t u;
    term_status st = user_number(g, uid, &u);
    if (st == TERM_OK) {
        fp_gallery_id id = {(uint32_t)u, (uint8_t)index};
        int have = (g->users[u].fingers >> index) & 1;
        fs = have ? fp_gallery_replace(g->fg, id, t) : fp_gallery_add(g->fg, id, t);
        if (fs == FP_OK)
            g->users[u].fingers |= (uint16_t)(1u << index);
        else
            st = fs == FP_ERR_NO_MEMORY ? TERM_ERR_NO_MEMORY : TERM_ERR_INVALID_ARGUMENT;
        if (!g->users[u].fingers) g->users[u].uid[0] = '\0'; /* a new number that got no finger */
    }
    fp_template_destroy(t);
    return st;
}

void term_gallery_remove_user(term_gallery *g, const char *uid)
{
    if (g == NULL || uid == NULL) return;
    size_t u = user_find(g, uid);
    if (u == SIZE_MAX) return;
    fp_gallery_remove_user(g->fg, (uint32_t)u, NULL);
    g->users[u].uid[0] = '\0';
    g->users[u].fingers = 0;
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
    if (fp_gallery_count(g->fg) == 0) return TERM_ERR_NOT_FOUND;
    fp_identify_candidate best;
    size_t n = 0;
    fp_identify_decision d;
    /* The decision is taken by the caller (the port applies the size rule); any threshold will do here. */
    fp_status fs = fp_identify_two_stage(g->ctx, g->fg, probe, 0.0f, 0, g->scratch, 1, &best, &n, &d);
    if (fs == FP_ERR_NO_MEMORY) return TERM_ERR_NO_MEMORY;
    if (fs != FP_OK || n == 0) return TERM_ERR_INVALID_ARGUMENT;
    memcpy(uid, g->users[best.id.user].uid, TERM_USER_ID_MAX + 1);
    *score = best.score;
    return TERM_OK;
}

term_status term_gallery_verify(term_gallery *g, const char *uid, const fp_template *probe, float *score)
{
    if (g == NULL || uid == NULL || probe == NULL || score == NULL) return TERM_ERR_INVALID_ARGUMENT;
    size_t u = user_find(g, uid);
    if (u == SIZE_MAX || !g->users[u].fingers) return TERM_ERR_NOT_FOUND;
    float best_score = 0.0f;
    for (uint8_t f = 0; f <= FP_GALLERY_MAX_FINGER; f++) {
        if (!((g->users[u].fingers >> f) & 1)) continue;
        fp_gallery_id id = {(uint32_t)u, f};
        float s = 0.0f;
        if (fp_compare(g->ctx, probe, fp_gallery_find(g->fg, id), &s) != FP_OK) return TERM_ERR_INVALID_ARGUMENT;
        if (s > best_score) best_score = s;
    }
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
