/* The in-memory gallery: dense slot arrays plus an open-addressing id index. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "search/search.h"

#define GALLERY_DEFAULT_CAP 64
#define GALLERY_MAX_CAP ((size_t)1 << 31)

static uint64_t id_key(uint32_t user, uint8_t finger)
{
    return ((uint64_t)user << 4) | finger;
}

/* A 64-bit mix (the splitmix64 finaliser) so consecutive user ids spread
 * over the whole table instead of forming one long probe run. */
static uint64_t mix64(uint64_t key)
{
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return key;
}

static size_t id_hash(uint64_t key, size_t mask)
{
    return (size_t)mix64(key) & mask;
}

static int valid_id(fp_gallery_id id)
{
    return id.finger <= FP_GALLERY_MAX_FINGER;
}

/* The index position holding id, or the empty position where it would go. */
static size_t index_probe(const fp_gallery *g, uint32_t user, uint8_t finger, int *found)
{
    size_t mask = g->index_cap - 1;
    size_t pos = id_hash(id_key(user, finger), mask);
    for (;;) {
        uint32_t e = g->index[pos];
        if (e == 0) {
            *found = 0;
            return pos;
        }
        if (g->user[e - 1] == user && g->finger[e - 1] == finger) {
            *found = 1;
            return pos;
        }
        pos = (pos + 1) & mask;
    }
}

static void index_rebuild(fp_gallery *g)
{
    memset(g->index, 0, g->index_cap * sizeof(*g->index));
    for (size_t i = 0; i < g->count; i++) {
        int found;
        size_t pos = index_probe(g, g->user[i], g->finger[i], &found);
        g->index[pos] = (uint32_t)(i + 1);
    }
}

/* Removes the entry at pos, shifting later entries of its run back so
 * lookups never need tombstones. */
static void index_erase(fp_gallery *g, size_t pos)
{
    size_t mask = g->index_cap - 1;
    size_t hole = pos;
    size_t i = pos;
    for (;;) {
        i = (i + 1) & mask;
        uint32_t e = g->index[i];
        if (e == 0) break;
        size_t home = id_hash(id_key(g->user[e - 1], g->finger[e - 1]), mask);
        /* The entry may move into the hole unless its home lies cyclically in (hole, i]. */
        int stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            g->index[hole] = e;
            hole = i;
        }
    }
    g->index[hole] = 0;
}

/* Frees the code of a slot when the gallery owns it (heap template). */
static void release_code(fp_gallery *g, size_t slot)
{
    if (!g->tmpl[slot]->view) free((void *)(uintptr_t)g->pcode[slot]);
    g->pcode[slot] = NULL;
}

/* A heap copy of pc, or of t's computed code when pc is NULL. */
static fpi_pcode *owned_code(const fp_template *t, const fpi_pcode *pc)
{
    fpi_pcode *c = malloc(sizeof(*c));
    if (!c) return NULL;
    if (pc)
        *c = *pc;
    else
        fpi_pcode_encode(t, c);
    return c;
}

static fp_status grow(fp_gallery *g, size_t cap)
{
    if (cap > GALLERY_MAX_CAP) return FP_ERR_CAPACITY;
    size_t index_cap = 16;
    while (index_cap < 2 * cap) index_cap *= 2;
    fp_template **t = realloc(g->tmpl, cap * sizeof(*t));
    if (!t) return FP_ERR_NO_MEMORY;
    g->tmpl = t;
    uint32_t *u = realloc(g->user, cap * sizeof(*u));
    if (!u) return FP_ERR_NO_MEMORY;
    g->user = u;
    uint8_t *f = realloc(g->finger, cap * sizeof(*f));
    if (!f) return FP_ERR_NO_MEMORY;
    g->finger = f;
    const fpi_pcode **pc = realloc(g->pcode, cap * sizeof(*pc));
    if (!pc) return FP_ERR_NO_MEMORY;
    g->pcode = pc;
    /* Aligned, so realloc cannot keep it: a new array and a copy. */
    fpi_scode *sc = aligned_alloc(64, cap * sizeof(*sc));
    if (!sc) return FP_ERR_NO_MEMORY;
    if (g->count) memcpy(sc, g->scode, g->count * sizeof(*sc));
    free(g->scode);
    g->scode = sc;
    /* The arrays may now exceed cap; that is harmless, cap only rises once all three succeeded. */
    if (index_cap != g->index_cap) {
        uint32_t *idx = calloc(index_cap, sizeof(*idx));
        if (!idx) return FP_ERR_NO_MEMORY;
        free(g->index);
        g->index = idx;
        g->index_cap = index_cap;
        index_rebuild(g);
    }
    g->cap = cap;
    return FP_OK;
}

fp_status fp_gallery_create(size_t capacity, fp_gallery **out)
{
    if (!out) return FP_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (capacity > GALLERY_MAX_CAP) return FP_ERR_CAPACITY;
    fp_gallery *g = calloc(1, sizeof(*g));
    if (!g) return FP_ERR_NO_MEMORY;
    fp_status st = grow(g, capacity ? capacity : GALLERY_DEFAULT_CAP);
    if (st != FP_OK) {
        fp_gallery_destroy(g);
        return st;
    }
    *out = g;
    return FP_OK;
}

void fp_gallery_destroy(fp_gallery *gallery)
{
    if (!gallery) return;
    for (size_t i = 0; i < gallery->count; i++) {
        release_code(gallery, i);
        fp_template_destroy(gallery->tmpl[i]);
    }
    free(gallery->tmpl);
    free(gallery->user);
    free(gallery->finger);
    free(gallery->pcode);
    free(gallery->scode);
    free(gallery->index);
    if (gallery->release) gallery->release(gallery->release_ctx);
    free(gallery);
}

void fpi_gallery_set_release(fp_gallery *g, void (*release)(void *), void *ctx)
{
    g->release = release;
    g->release_ctx = ctx;
}

fp_status fpi_gallery_put_owned(fp_gallery *g, fp_gallery_id id, fp_template *t, const fpi_pcode *pc)
{
    if (!g || !t || !valid_id(id) || (t->view && !pc)) {
        fp_template_destroy(t);
        return FP_ERR_INVALID_ARGUMENT;
    }
    const fpi_pcode *code = pc;
    if (!t->view) {
        code = owned_code(t, pc);
        if (!code) {
            fp_template_destroy(t);
            return FP_ERR_NO_MEMORY;
        }
    }
    int found;
    size_t pos = index_probe(g, id.user, id.finger, &found);
    if (found) {
        size_t slot = g->index[pos] - 1;
        release_code(g, slot);
        fp_template_destroy(g->tmpl[slot]);
        g->tmpl[slot] = t;
        g->pcode[slot] = code;
        fpi_scode_make(t, code, &g->scode[slot]);
        return FP_OK;
    }
    if (g->count == g->cap) {
        fp_status st = g->cap >= GALLERY_MAX_CAP ? FP_ERR_CAPACITY : grow(g, FPI_MIN(g->cap * 2, GALLERY_MAX_CAP));
        if (st != FP_OK) {
            if (!t->view) free((void *)(uintptr_t)code);
            fp_template_destroy(t);
            return st;
        }
        pos = index_probe(g, id.user, id.finger, &found);
    }
    size_t slot = g->count++;
    g->tmpl[slot] = t;
    g->user[slot] = id.user;
    g->finger[slot] = id.finger;
    g->pcode[slot] = code;
    fpi_scode_make(t, code, &g->scode[slot]);
    g->index[pos] = (uint32_t)(slot + 1);
    return FP_OK;
}

/* A heap copy of tmpl, stored under id by fpi_gallery_put_owned. */
static fp_status put_copy(fp_gallery *g, fp_gallery_id id, const fp_template *tmpl)
{
    fp_template *copy;
    FPI_CHECK(fp_template_clone(tmpl, &copy));
    return fpi_gallery_put_owned(g, id, copy, NULL);
}

fp_status fp_gallery_add(fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl)
{
    if (!gallery || !tmpl || !valid_id(id)) return FP_ERR_INVALID_ARGUMENT;
    int found;
    index_probe(gallery, id.user, id.finger, &found);
    if (found) return FP_ERR_INVALID_ARGUMENT;
    return put_copy(gallery, id, tmpl);
}

fp_status fp_gallery_replace(fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl)
{
    if (!gallery || !tmpl || !valid_id(id)) return FP_ERR_INVALID_ARGUMENT;
    int found;
    index_probe(gallery, id.user, id.finger, &found);
    if (!found) return FP_ERR_NOT_FOUND;
    return put_copy(gallery, id, tmpl);
}

static void remove_at(fp_gallery *g, size_t pos)
{
    size_t slot = g->index[pos] - 1;
    size_t last = g->count - 1;
    release_code(g, slot);
    fp_template_destroy(g->tmpl[slot]);
    index_erase(g, pos);
    if (slot != last) {
        int found;
        size_t lpos = index_probe(g, g->user[last], g->finger[last], &found);
        g->tmpl[slot] = g->tmpl[last];
        g->user[slot] = g->user[last];
        g->finger[slot] = g->finger[last];
        g->pcode[slot] = g->pcode[last];
        g->scode[slot] = g->scode[last];
        g->index[lpos] = (uint32_t)(slot + 1);
    }
    g->count = last;
}

fp_status fp_gallery_remove(fp_gallery *gallery, fp_gallery_id id)
{
    if (!gallery || !valid_id(id)) return FP_ERR_INVALID_ARGUMENT;
    int found;
    size_t pos = index_probe(gallery, id.user, id.finger, &found);
    if (!found) return FP_ERR_NOT_FOUND;
    remove_at(gallery, pos);
    return FP_OK;
}

fp_status fp_gallery_remove_user(fp_gallery *gallery, uint32_t user, size_t *removed)
{
    if (removed) *removed = 0;
    if (!gallery) return FP_ERR_INVALID_ARGUMENT;
    size_t n = 0;
    for (uint8_t f = 0; f <= FP_GALLERY_MAX_FINGER; f++) {
        int found;
        size_t pos = index_probe(gallery, user, f, &found);
        if (found) {
            remove_at(gallery, pos);
            n++;
        }
    }
    if (removed) *removed = n;
    return FP_OK;
}

size_t fpi_gallery_slot(const fp_gallery *g, uint32_t user, uint8_t finger)
{
    int found;
    size_t pos = index_probe(g, user, finger, &found);
    return found ? g->index[pos] - 1 : SIZE_MAX;
}

fp_status fp_gallery_entry(const fp_gallery *gallery, size_t i, fp_gallery_id *id, const fp_template **tmpl)
{
    if (tmpl) *tmpl = NULL;
    if (!gallery || !id || i >= gallery->count) return FP_ERR_INVALID_ARGUMENT;
    id->user = gallery->user[i];
    id->finger = gallery->finger[i];
    if (tmpl) *tmpl = gallery->tmpl[i];
    return FP_OK;
}

uint32_t fp_gallery_shard_of(fp_gallery_id id, uint32_t shards)
{
    if (shards == 0) return 0;
    /* The index's mix, in 64 bits on every platform so all agree. */
    return (uint32_t)(mix64(id_key(id.user, id.finger)) % shards);
}

size_t fp_gallery_count(const fp_gallery *gallery)
{
    return gallery ? gallery->count : 0;
}

const fp_template *fp_gallery_find(const fp_gallery *gallery, fp_gallery_id id)
{
    if (!gallery || !valid_id(id)) return NULL;
    int found;
    size_t pos = index_probe(gallery, id.user, id.finger, &found);
    return found ? gallery->tmpl[gallery->index[pos] - 1] : NULL;
}

size_t fp_gallery_bytes(const fp_gallery *gallery)
{
    if (!gallery) return 0;
    size_t b = sizeof(*gallery);
    b += gallery->cap * (sizeof(*gallery->tmpl) + sizeof(*gallery->user) + sizeof(*gallery->finger) +
                         sizeof(*gallery->pcode) + sizeof(*gallery->scode));
    /* Pre-screening codes: on the heap or in the mapping, one record per finger either way. */
    b += gallery->count * sizeof(fpi_pcode);
    b += gallery->index_cap * sizeof(*gallery->index);
    for (size_t i = 0; i < gallery->count; i++) {
        const fp_template *t = gallery->tmpl[i];
        /* Mirrors fpi_template_alloc: every per-minutia array has at least one entry, the hull one more. */
        size_t n = t->count ? t->count : 1;
        b += sizeof(*t);
        b += n * (sizeof(*t->minutiae) + sizeof(*t->px) + sizeof(*t->py) + FPI_NEIGHBOURS * sizeof(*t->nb));
        b += (n + 1) * (sizeof(*t->hull_x) + sizeof(*t->hull_y));
    }
    return b;
}
