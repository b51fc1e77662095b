/*
 * push_proto_internal.h - text helpers shared by the PUSH protocol's files
 * (push_proto.c, push_options.c, push_cmd.c, push_format.c). Not
 * installed. Spans are (pointer, length) views of server text; nothing here
 * reads past a span or needs a NUL.
 */
#ifndef PUSH_PROTO_INTERNAL_H
#define PUSH_PROTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "push_proto.h"

typedef struct span {
    const char *p;
    size_t n;
} span;

static inline int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static inline int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int is_alnum(char c)
{
    return is_digit(c) || is_alpha(c);
}
static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline span trim(span s)
{
    while (s.n > 0 && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_space(s.p[s.n - 1])) s.n--;
    return s;
}

static inline int span_eq(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline int span_ieq(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i])) return 0;
    return 1;
}

static inline int span_istarts(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i])) return 0;
    return 1;
}

/* Next piece of *rest up to sep (sep consumed). Returns 0 when *rest is exhausted. */
int pushi_next_piece(span *rest, char sep, span *piece);
/* Decimal with optional sign; the whole span (trimmed) must be the number, at most 18 digits. */
int pushi_parse_i64(span s, int64_t *out);
/* Unsigned decimal, no overflow. */
int pushi_parse_u64(span s, uint64_t *out);
/* Copies s into dst (cap bytes incl. NUL). 0 when it does not fit. */
int pushi_copy_span(char *dst, size_t cap, span s);
/* Writes a reason into why (may be NULL). */
void pushi_say(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends a remark to why ("; " separated), used when several values are adjusted. */
void pushi_say_more(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* PUSH_PROTO_INTERNAL_H */
