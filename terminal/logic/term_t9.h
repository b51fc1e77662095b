/*
 * term_t9.h - multi-tap text input on the terminal's keypad (manual 1.3).
 *
 * The keypad has digits, M/OK, ESC and four arrows. A field starts with the
 * input method closed: digit keys type digits, "<" deletes. ">" opens the
 * input method (the mode is shown), ">" again switches mode in the order
 *
 *     123 -> abc -> ABC -> sym -> 123 ...
 *
 * In a letter mode a digit key is pressed repeatedly to walk its letters
 * (5 = j k l 5, so "5 5" types k); in the symbol mode the same way over
 * the key's symbols (2 = @ # $ % &). The letter being chosen is pending:
 * it is shown, ^/v also walk it, and it is kept when another key is
 * pressed, when TERM_T9_COMMIT_MS pass without a key, or on any arrow,
 * M/OK or ESC. "<" drops the pending letter, or else deletes the last
 * character. ESC closes the input method (a second ESC leaves the field);
 * M/OK accepts the text.
 *
 * Pure: no I/O, no clock (the caller passes the time), no allocation.
 */
#ifndef TERM_T9_H
#define TERM_T9_H

#include <stddef.h>
#include <stdint.h>

#include "term_verify.h" /* term_key */

#ifdef __cplusplus
extern "C" {
#endif

#define TERM_T9_MAX 64          /* bytes of text, without the NUL */
#define TERM_T9_COMMIT_MS 1000u /* a pending letter is kept after this long */

typedef enum term_t9_mode { TERM_T9_DIGITS = 0, TERM_T9_LOWER = 1, TERM_T9_UPPER = 2, TERM_T9_SYMBOL = 3 } term_t9_mode;
/* "123", "abc", "ABC", "sym". */
const char *term_t9_mode_name(term_t9_mode mode);

typedef enum term_t9_result {
    TERM_T9_NONE = 0,    /* nothing changed (a key with no meaning here) */
    TERM_T9_CHANGED = 1, /* text, mode or pending letter changed */
    TERM_T9_DONE = 2,    /* M/OK: the text is accepted */
    TERM_T9_CANCEL = 3,  /* ESC with the input method closed: leave the field */
    TERM_T9_FULL = 4     /* refused: the field is full */
} term_t9_result;

typedef struct term_t9 {
    char text[TERM_T9_MAX + 1]; /* committed text plus the pending letter, if any */
    size_t len;                 /* bytes in text */
    size_t max;                 /* field limit, 1..TERM_T9_MAX */
    int letters;                /* non-zero: the input method may open (letters and symbols allowed) */
    int open;                   /* the input method is shown */
    term_t9_mode mode;
    int pending_key;    /* digit key whose letter is pending, -1 when none */
    uint32_t pending_i; /* index of the pending letter in that key's set */
    uint64_t pending_ms;
} term_t9;

/*
 * Starts a field holding initial (may be NULL; cut to max). max is clamped
 * to 1..TERM_T9_MAX. With letters == 0 the field takes digits only.
 */
void term_t9_init(term_t9 *t, size_t max, int letters, const char *initial);
/* One key at now_ms. */
term_t9_result term_t9_key(term_t9 *t, term_key key, uint64_t now_ms);
/* Keeps the pending letter once TERM_T9_COMMIT_MS have passed; returns CHANGED when it did. */
term_t9_result term_t9_tick(term_t9 *t, uint64_t now_ms);
/* Keeps the pending letter now. */
void term_t9_commit(term_t9 *t);
/* The letters of the pending key in the current mode ("jkl5"), "" when none; *index: the pending one. */
const char *term_t9_candidates(const term_t9 *t, int *index);

#ifdef __cplusplus
}
#endif

#endif /* TERM_T9_H */
