/*
 * push_proto.c - the PUSH protocol's status names, the text helpers its
 * parsers share (push_proto_internal.h) and the code tables. The parsers
 * and formatters live in push_options.c, push_cmd.c and push_format.c.
 * Every parser works on (pointer, length) spans and checks every bound
 * itself: server data is never trusted.
 */
#include <stdarg.h>
#include <stdio.h>

#include "push_proto_internal.h"

const char *push_status_message(push_status status)
{
    switch (status) {
#define PUSH_STATUS_MSG_(name, num, msg)                                                                               \
    case PUSH_##name:                                                                                                  \
        return msg;
        PUSH_STATUS_MAP(PUSH_STATUS_MSG_)
#undef PUSH_STATUS_MSG_
    }
    return "unknown status";
}

const char *push_status_name(push_status status)
{
    switch (status) {
#define PUSH_STATUS_NAME_(name, num, msg)                                                                              \
    case PUSH_##name:                                                                                                  \
        return "PUSH_" #name;
        PUSH_STATUS_MAP(PUSH_STATUS_NAME_)
#undef PUSH_STATUS_NAME_
    }
    return "PUSH_UNKNOWN";
}

/* ------------------------------------------------------------------------ */
/* Text helpers                                                             */
/* ------------------------------------------------------------------------ */

int pushi_next_piece(span *rest, char sep, span *piece)
{
    if (rest->p == NULL) return 0;
    const char *end = memchr(rest->p, sep, rest->n);
    if (end == NULL) {
        *piece = *rest;
        rest->p = NULL;
        rest->n = 0;
        return 1;
    }
    piece->p = rest->p;
    piece->n = (size_t)(end - rest->p);
    rest->n -= piece->n + 1;
    rest->p = end + 1;
    return 1;
}

int pushi_parse_i64(span s, int64_t *out)
{
    s = trim(s);
    int neg = 0;
    size_t i = 0;
    if (s.n > 0 && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        i = 1;
    }
    if (i >= s.n || s.n - i > 18) return 0;
    int64_t v = 0;
    for (; i < s.n; i++) {
        if (!is_digit(s.p[i])) return 0;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = neg ? -v : v;
    return 1;
}

int pushi_parse_u64(span s, uint64_t *out)
{
    s = trim(s);
    if (s.n == 0 || s.n > 20) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (!is_digit(s.p[i])) return 0;
        uint64_t d = (uint64_t)(s.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int pushi_copy_span(char *dst, size_t cap, span s)
{
    if (s.n + 1 > cap) return 0;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 1;
}

void pushi_say(char *why, size_t cap, const char *fmt, ...)
{
    if (why == NULL || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

void pushi_say_more(char *why, size_t cap, const char *fmt, ...)
{
    if (why == NULL || cap == 0) return;
    size_t used = strnlen(why, cap);
    if (used + 3 >= cap) return;
    if (used > 0) {
        memcpy(why + used, "; ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + used, cap - used, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Code tables                                                              */
/* ------------------------------------------------------------------------ */

int push_verify_code(int term_verify_type)
{
    switch (term_verify_type) {
    case 1:
        return 1; /* finger */
    case 2:
        return 2; /* card */
    case 3:
        return 0; /* password */
    default:
        return 200; /* the protocol's "other" */
    }
}

int push_status_code(int term_punch_state)
{
    /* Terminal states 1..6 (Check-In..OT-Out) are the protocol's 0..5; no state is 255. */
    if (term_punch_state >= 1 && term_punch_state <= 6) return term_punch_state - 1;
    return 255;
}
