/*
 * term_gallery.h - the enrolled fingerprints in memory, for 1:N and 1:1
 * matching with the engine, and the adapter that gives the verification
 * state machine (term_verify.h) its ports over the store and the gallery.
 *
 * Memory: templates are parsed once at load or enrolment (allocation
 * happens there); verify allocates nothing, identify only when the gallery
 * has grown since the last identification (the search's scratch, 12 bytes
 * per finger); both use the borrowed fp_context's buffers.
 *
 * Thread safety: one thread per gallery (the fp_context is not shareable).
 */
#ifndef TERM_GALLERY_H
#define TERM_GALLERY_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"
#include "term_status.h"
#include "term_store.h"
#include "term_verify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct term_gallery term_gallery;

/* ctx is borrowed and must outlive the gallery. Caller frees with term_gallery_destroy. */
term_status term_gallery_create(fp_context *ctx, term_gallery **out);
void term_gallery_destroy(term_gallery *g);

/* Replaces the contents with every template in the store. On error the gallery is empty. */
term_status term_gallery_load(term_gallery *g, term_store *st);
/* Adds or replaces (uid, index) from native template bytes; index 0..9.
 * Errors: TERM_ERR_INVALID_ARGUMENT, TERM_ERR_BAD_TEMPLATE, TERM_ERR_NO_MEMORY. */
term_status term_gallery_put(term_gallery *g, const char *uid, uint32_t index, const uint8_t *data, size_t len);
/* Drops every template of uid (after the user was deleted). */
void term_gallery_remove_user(term_gallery *g, const char *uid);
size_t term_gallery_count(const term_gallery *g);

/*
 * 1:N through the engine's two-stage search (fp_identify_two_stage with
 * the default shortlist: pre-screening codes pick 2 % of the gallery, at
 * least 500, and the matcher ranks those): the best candidate and its
 * calibrated score. Errors: TERM_ERR_NOT_FOUND (empty gallery).
 */
term_status term_gallery_identify(term_gallery *g, const fp_template *probe, char uid[TERM_USER_ID_MAX + 1],
                                  float *score);
/* 1:1: the best score over uid's fingers. Errors: TERM_ERR_NOT_FOUND (uid has none). */
term_status term_gallery_verify(term_gallery *g, const char *uid, const fp_template *probe, float *score);

/*
 * The verification ports over a store and a gallery: FINGER events must
 * carry a const fp_template *. Both objects are borrowed by *ops.
 * identify_finger reports the best score minus 10 log10(N) for a gallery of
 * N templates, so the 1:N threshold bounds the chance that a stranger is
 * accepted by anybody in the gallery, whatever its size.
 */
typedef struct term_services {
    term_store *store;
    term_gallery *gallery;
} term_services;
void term_services_ops(term_services *svc, term_verify_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* TERM_GALLERY_H */
