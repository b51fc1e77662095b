/*
 * term_script.h - the pieces of the event-script format shared by the
 * drivers that run the terminal from a script (m1-terminal, m1-sim):
 * splitting a line into words, numbers and key names. The format itself is
 * described in docs/terminal.md ("Script driver").
 */
#ifndef TERM_SCRIPT_H
#define TERM_SCRIPT_H

#include <stdint.h>

#include "term_verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Splits line in place into at most max words: blanks separate words,
 * double quotes group ("a b" is one word), '#' outside a word starts a
 * comment. Returns the number of words; argv[i] point into line.
 */
int term_script_split(char *line, char **argv, int max);

/* A whole unsigned decimal number (no sign, no trailing text). 0 or -1. */
int term_script_u64(const char *text, uint64_t *out);

/* A key name: a digit, OK or M, ESC, UP, DOWN, LEFT, RIGHT (any case). 0 or -1. */
int term_script_key(const char *name, term_key *out);

#ifdef __cplusplus
}
#endif

#endif /* TERM_SCRIPT_H */
