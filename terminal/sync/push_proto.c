/*
 * push_proto.c - parsers and formatters of the PUSH protocol. See
 * push_proto.h. Every parser works on (pointer, length) spans and checks
 * every bound itself: server data is never trusted.
 */
#include "push_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
/* Spans                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct span {
    const char *p;
    size_t n;
} span;

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_alnum(char c)
{
    return is_digit(c) || is_alpha(c);
}
static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static span trim(span s)
{
    while (s.n > 0 && is_space(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_space(s.p[s.n - 1])) s.n--;
    return s;
}

static int span_eq(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static int span_ieq(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i])) return 0;
    return 1;
}

static int span_istarts(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i])) return 0;
    return 1;
}

/* Next piece of *rest up to sep (sep consumed). Returns 0 when *rest is exhausted. */
static int next_piece(span *rest, char sep, span *piece)
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

/* Decimal with optional sign; the whole span must be the number. */
static int parse_i64(span s, int64_t *out)
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

static int parse_u64(span s, uint64_t *out)
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

/* Copies s into dst (cap bytes incl. NUL). 0 when it does not fit. */
static int copy_span(char *dst, size_t cap, span s)
{
    if (s.n + 1 > cap) return 0;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 1;
}

static void say(char *why, size_t cap, const char *fmt, ...)
{
    if (why == NULL || cap == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

/* Appends a remark to why ("; " separated), used when several options are adjusted. */
static void say_more(char *why, size_t cap, const char *fmt, ...)
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
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

void push_options_defaults(push_options *o)
{
    memset(o, 0, sizeof(*o));
    strcpy(o->att_stamp, "0");
    strcpy(o->op_stamp, "0");
    o->error_delay_s = 30;
    o->delay_s = 10;
    o->trans_interval_min = 1;
    o->trans_flags = PUSH_TRANS_DEFAULT;
    o->timezone_min = 0;
    o->realtime = 1;
}

static void clamp_u32(uint32_t *field, span v, uint32_t lo, uint32_t hi, unsigned bit, const char *name,
                      push_options *o, char *why, size_t cap)
{
    int64_t x;
    if (!parse_i64(v, &x)) {
        o->adjusted |= bit;
        say_more(why, cap, "%s is not a number, default %u kept", name, (unsigned)*field);
        return;
    }
    if (x < (int64_t)lo || x > (int64_t)hi) {
        uint32_t c = x < (int64_t)lo ? lo : hi;
        o->adjusted |= bit;
        say_more(why, cap, "%s=%lld outside %u..%u, clamped to %u", name, (long long)x, (unsigned)lo, (unsigned)hi,
                 (unsigned)c);
        *field = c;
        return;
    }
    *field = (uint32_t)x;
}

static void parse_stamp(char *dst, span v, unsigned bit, const char *name, push_options *o, char *why, size_t cap)
{
    v = trim(v);
    if (v.n == 0 || span_ieq(v, "None")) {
        strcpy(dst, "0");
        return;
    }
    int ok = 1;
    for (size_t i = 0; i < v.n; i++)
        if (!is_alnum(v.p[i])) ok = 0;
    if (!ok || !copy_span(dst, PUSH_STAMP_MAX + 1, v)) {
        strcpy(dst, "0");
        o->adjusted |= bit;
        say_more(why, cap, "%s is not a valid stamp, 0 used", name);
    }
}

/* "hh:mm;hh:mm..." with optional spaces. */
static void parse_trans_times(span v, push_options *o, char *why, size_t cap)
{
    span rest = trim(v), piece;
    o->n_trans_times = 0;
    if (rest.n == 0) return;
    while (next_piece(&rest, ';', &piece)) {
        piece = trim(piece);
        if (piece.n == 0) continue;
        span hh, mm, r2 = piece;
        int64_t h, m;
        if (!next_piece(&r2, ':', &hh) || r2.p == NULL || !next_piece(&r2, ':', &mm) || !parse_i64(hh, &h) ||
            !parse_i64(mm, &m) || h < 0 || h > 23 || m < 0 || m > 59) {
            o->adjusted |= PUSH_OPT_TRANS_TIMES;
            say_more(why, cap, "TransTimes entry '%.*s' ignored", (int)(piece.n > 16 ? 16 : piece.n), piece.p);
            continue;
        }
        if (o->n_trans_times == PUSH_TRANS_TIMES_MAX) {
            o->adjusted |= PUSH_OPT_TRANS_TIMES;
            say_more(why, cap, "TransTimes has more than %d entries, the rest ignored", PUSH_TRANS_TIMES_MAX);
            return;
        }
        o->trans_times[o->n_trans_times++] = (uint16_t)(h * 60 + m);
    }
}

static const struct {
    const char *name;
    uint32_t bit;
} trans_names[] = {
    {"AttLog", PUSH_TRANS_ATTLOG},
    {"OpLog", PUSH_TRANS_OPLOG},
    {"AttPhoto", PUSH_TRANS_ATTPHOTO},
    {"EnrollFP", PUSH_TRANS_ENROLL_FP},
    {"EnrollUser", PUSH_TRANS_ENROLL_USER},
    {"FPImag", PUSH_TRANS_FP_IMAGE},
    {"ChgUser", PUSH_TRANS_CHG_USER},
    {"ChgFP", PUSH_TRANS_CHG_FP},
    {"FACE", PUSH_TRANS_FACE},
    {"UserPic", PUSH_TRANS_USER_PIC},
    {"WORKCODE", PUSH_TRANS_WORKCODE},
    {"BioPhoto", PUSH_TRANS_BIOPHOTO},
};

static void parse_trans_flag(span v, push_options *o, char *why, size_t cap)
{
    v = trim(v);
    if (span_istarts(v, "TransData")) {
        /* Format II: "TransData AttLog<HT>OpLog..." (names separated by tabs or spaces). */
        uint32_t flags = 0;
        size_t i = strlen("TransData");
        while (i < v.n) {
            while (i < v.n && is_space(v.p[i])) i++;
            size_t start = i;
            while (i < v.n && !is_space(v.p[i])) i++;
            span word = {v.p + start, i - start};
            if (word.n == 0) break;
            for (size_t k = 0; k < sizeof(trans_names) / sizeof(trans_names[0]); k++)
                if (span_ieq(word, trans_names[k].name)) flags |= trans_names[k].bit;
        }
        o->trans_flags = flags;
        return;
    }
    /* Format I: one digit per data type, "1" allows it. */
    if (v.n == 0 || v.n > 32) goto bad;
    uint32_t flags = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] != '0' && v.p[i] != '1') goto bad;
        if (v.p[i] == '1' && i < 12) flags |= 1u << i;
    }
    /* The protocol: all zeros in format I means only attendance photos. */
    o->trans_flags = flags == 0 ? PUSH_TRANS_ATTPHOTO : flags;
    return;
bad:
    o->adjusted |= PUSH_OPT_TRANS_FLAG;
    say_more(why, cap, "TransFlag is in neither format, default kept");
}

static void parse_timezone(span v, push_options *o, char *why, size_t cap)
{
    int64_t x;
    if (!parse_i64(v, &x)) {
        o->adjusted |= PUSH_OPT_TIMEZONE;
        say_more(why, cap, "TimeZone is not a number, UTC kept");
        return;
    }
    /* Hours for small values; beyond +-60 the value is in minutes (half and quarter zones). */
    int64_t minutes = (x >= -60 && x <= 60) ? x * 60 : x;
    if (minutes < -720 || minutes > 840) {
        int64_t c = minutes < -720 ? -720 : 840;
        o->adjusted |= PUSH_OPT_TIMEZONE;
        say_more(why, cap, "TimeZone=%lld outside -12..+14 hours, clamped to %lld minutes", (long long)x, (long long)c);
        minutes = c;
    }
    o->timezone_min = (int32_t)minutes;
}

push_status push_options_parse(const char *body, size_t len, const char *sn, push_options *out, char *why,
                               size_t why_cap)
{
    if (out == NULL || (body == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    push_options_defaults(out);
    if (why != NULL && why_cap > 0) why[0] = '\0';
    span all = trim((span){body, len});
    if (span_ieq(all, "OK")) {
        out->bare_ok = 1;
        return PUSH_OK;
    }
    span rest = all, line;
    if (all.n == 0 || !next_piece(&rest, '\n', &line)) {
        say(why, why_cap, "empty options response");
        return PUSH_ERR_BAD_OPTIONS;
    }
    line = trim(line);
    if (!span_istarts(line, "GET OPTION FROM:")) {
        say(why, why_cap, "first line is not 'GET OPTION FROM: <SN>'");
        return PUSH_ERR_BAD_OPTIONS;
    }
    span got = trim((span){line.p + 16, line.n - 16});
    if (sn != NULL && !span_eq(got, sn)) {
        say(why, why_cap, "options are for serial '%.*s'", (int)(got.n > 32 ? 32 : got.n), got.p);
        return PUSH_ERR_SN_MISMATCH;
    }
    push_options o;
    push_options_defaults(&o);
    while (next_piece(&rest, '\n', &line)) {
        line = trim(line);
        if (line.n == 0) continue;
        const char *eq = memchr(line.p, '=', line.n);
        if (eq == NULL) continue; /* not key=value: ignored like an unknown key */
        span key = trim((span){line.p, (size_t)(eq - line.p)});
        span val = trim((span){eq + 1, line.n - (size_t)(eq - line.p) - 1});
        if (span_ieq(key, "ATTLOGStamp") || span_ieq(key, "Stamp"))
            parse_stamp(o.att_stamp, val, PUSH_OPT_STAMP, "ATTLOGStamp", &o, why, why_cap);
        else if (span_ieq(key, "OPERLOGStamp"))
            parse_stamp(o.op_stamp, val, PUSH_OPT_STAMP, "OPERLOGStamp", &o, why, why_cap);
        else if (span_ieq(key, "ErrorDelay"))
            clamp_u32(&o.error_delay_s, val, PUSH_ERROR_DELAY_MIN, PUSH_ERROR_DELAY_MAX, PUSH_OPT_ERROR_DELAY,
                      "ErrorDelay", &o, why, why_cap);
        else if (span_ieq(key, "Delay"))
            clamp_u32(&o.delay_s, val, PUSH_DELAY_MIN, PUSH_DELAY_MAX, PUSH_OPT_DELAY, "Delay", &o, why, why_cap);
        else if (span_ieq(key, "TransInterval"))
            clamp_u32(&o.trans_interval_min, val, 0, PUSH_TRANS_INTERVAL_MAX, PUSH_OPT_TRANS_INTERVAL, "TransInterval",
                      &o, why, why_cap);
        else if (span_ieq(key, "TransTimes"))
            parse_trans_times(val, &o, why, why_cap);
        else if (span_ieq(key, "TransFlag"))
            parse_trans_flag(val, &o, why, why_cap);
        else if (span_ieq(key, "TimeZone"))
            parse_timezone(val, &o, why, why_cap);
        else if (span_ieq(key, "Realtime")) {
            if (span_eq(val, "0") || span_eq(val, "1"))
                o.realtime = val.p[0] == '1';
            else {
                o.adjusted |= PUSH_OPT_REALTIME;
                say_more(why, why_cap, "Realtime is not 0 or 1, default 1 kept");
            }
        } else if (span_ieq(key, "Encrypt")) {
            if (val.n == 0 || span_ieq(val, "None") || span_eq(val, "0"))
                o.encrypt = 0;
            else {
                o.encrypt = 1;
                o.adjusted |= PUSH_OPT_ENCRYPT;
                say_more(why, why_cap, "Encrypt requested; this device sends in clear over HTTPS instead");
            }
        } else if (span_ieq(key, "ServerVer")) {
            if (!copy_span(o.server_ver, sizeof(o.server_ver), val)) o.server_ver[0] = '\0';
        } else if (span_ieq(key, "PushProtVer")) {
            if (!copy_span(o.push_prot_ver, sizeof(o.push_prot_ver), val)) o.push_prot_ver[0] = '\0';
        }
    }
    *out = o;
    return o.adjusted ? PUSH_ADJUSTED : PUSH_OK;
}

/* ------------------------------------------------------------------------ */
/* Command lines                                                            */
/* ------------------------------------------------------------------------ */

push_status push_cmd_line_parse(const char *line, size_t len, push_cmd_line *out)
{
    if (out == NULL || (line == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    span s = {line, len};
    while (s.n > 0 && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n')) s.n--;
    while (s.n > 0 && s.p[0] == ' ') {
        s.p++;
        s.n--;
    }
    if (s.n < 2 || s.p[0] != 'C' || s.p[1] != ':') return PUSH_ERR_BAD_COMMAND;
    span rest = {s.p + 2, s.n - 2};
    const char *colon = memchr(rest.p, ':', rest.n);
    if (colon == NULL) return PUSH_ERR_BAD_COMMAND;
    span id = trim((span){rest.p, (size_t)(colon - rest.p)});
    if (id.n == 0 || id.n > PUSH_CMD_ID_MAX) return PUSH_ERR_BAD_COMMAND_ID;
    for (size_t i = 0; i < id.n; i++)
        if (!is_alnum(id.p[i])) return PUSH_ERR_BAD_COMMAND_ID;
    memcpy(out->id, id.p, id.n);
    out->id[id.n] = '\0';
    span text = {colon + 1, rest.n - (size_t)(colon - rest.p) - 1};
    while (text.n > 0 && text.p[0] == ' ') {
        text.p++;
        text.n--;
    }
    if (text.n == 0) return PUSH_ERR_BAD_COMMAND;
    out->text = text.p;
    out->text_len = text.n;
    return PUSH_OK;
}

/* ------------------------------------------------------------------------ */
/* Command arguments                                                        */
/* ------------------------------------------------------------------------ */

/* Looks key up in a TAB separated "k=v" record (case-insensitive key). */
static int kv_get(span rec, const char *key, span *val)
{
    span rest = rec, piece;
    int found = 0;
    while (next_piece(&rest, '\t', &piece)) {
        span p = piece;
        while (p.n > 0 && p.p[0] == ' ') {
            p.p++;
            p.n--;
        }
        const char *eq = memchr(p.p, '=', p.n);
        if (eq == NULL) continue;
        span k = trim((span){p.p, (size_t)(eq - p.p)});
        if (span_ieq(k, key)) {
            span v = {eq + 1, p.n - (size_t)(eq - p.p) - 1};
            while (v.n > 0 && (v.p[v.n - 1] == '\r' || v.p[v.n - 1] == ' ')) v.n--;
            *val = v;
            found = 1; /* the last occurrence wins */
        }
    }
    return found;
}

static int check_pin(span v, char out[PUSH_PIN_MAX + 1])
{
    v = trim(v);
    if (v.n == 0 || v.n > PUSH_PIN_MAX) return 0;
    for (size_t i = 0; i < v.n; i++)
        if (!is_alnum(v.p[i])) return 0;
    return copy_span(out, PUSH_PIN_MAX + 1, v);
}

static int check_printable(span v)
{
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c < 0x20 || c == 0x7f) return 0;
    }
    return 1;
}

/* Card: "" or "0" removes; "[15CD5B07]" is four bytes, lowest first; otherwise decimal. */
static int parse_card(span v, uint64_t *card)
{
    v = trim(v);
    if (v.n == 0) {
        *card = 0;
        return 1;
    }
    if (v.p[0] == '[') {
        if (v.n != 10 || v.p[9] != ']') return 0;
        uint64_t c = 0;
        for (int b = 3; b >= 0; b--) {
            unsigned byte = 0;
            for (int k = 0; k < 2; k++) {
                char ch = lower(v.p[1 + b * 2 + k]);
                unsigned d;
                if (is_digit(ch))
                    d = (unsigned)(ch - '0');
                else if (ch >= 'a' && ch <= 'f')
                    d = (unsigned)(ch - 'a' + 10);
                else
                    return 0;
                byte = byte * 16 + d;
            }
            c = c * 256 + byte;
        }
        *card = c;
        return 1;
    }
    return parse_u64(v, card);
}

static push_status bad_param(push_cmd *c, char *why, size_t cap, int ret, const char *fmt, const char *detail)
{
    c->error_ret = ret;
    say(why, cap, fmt, detail);
    return ret == PUSH_RET_TOO_LONG ? PUSH_ERR_TOO_LONG : PUSH_ERR_BAD_PARAMETER;
}

static push_status parse_update_user(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin)) return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
    if (kv_get(rec, "Name", &v)) {
        if (!check_printable(v) || !copy_span(c->name, sizeof(c->name), v))
            return bad_param(c, why, cap, -1, "%s", "Name too long or has control characters");
        c->has |= PUSH_HAS_NAME;
    }
    if (kv_get(rec, "Pri", &v)) {
        int64_t pri;
        if (!parse_i64(v, &pri)) return bad_param(c, why, cap, -1, "%s", "Pri is not a number");
        /* The M1 knows users and administrators; registrar (2) and user-defined (10) get the least privilege. */
        if (pri == 0 || pri == 2 || pri == 10)
            c->privilege = 0;
        else if (pri == 6 || pri == 14)
            c->privilege = 1;
        else
            return bad_param(c, why, cap, -1, "%s", "Pri is not 0, 2, 6, 10 or 14");
        c->has |= PUSH_HAS_PRI;
    }
    if (kv_get(rec, "Passwd", &v)) {
        if (!check_printable(v) || !copy_span(c->passwd, sizeof(c->passwd), v))
            return bad_param(c, why, cap, -1, "%s", "Passwd longer than 16 characters or not printable");
        c->has |= PUSH_HAS_PASSWD;
    }
    if (kv_get(rec, "Card", &v)) {
        if (!parse_card(v, &c->card)) return bad_param(c, why, cap, -1, "%s", "Card is not a number");
        c->has |= PUSH_HAS_CARD;
    }
    return PUSH_OK;
}

static int parse_fid(span rec, const char *key, uint32_t *fid)
{
    span v;
    int64_t x;
    if (!kv_get(rec, key, &v) || !parse_i64(v, &x) || x < 0 || x > 9) return 0;
    *fid = (uint32_t)x;
    return 1;
}

static push_status parse_update_fp(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    int64_t x;
    if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin)) return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
    if (!parse_fid(rec, "FID", &c->fid)) return bad_param(c, why, cap, -1, "%s", "FID must be 0-9");
    c->has |= PUSH_HAS_FID;
    c->valid = 1;
    if (kv_get(rec, "Valid", &v)) {
        if (!parse_i64(v, &x) || (x != 0 && x != 1 && x != 3))
            return bad_param(c, why, cap, -1, "%s", "Valid must be 0, 1 or 3");
        c->valid = (int)x;
    }
    if (!kv_get(rec, "TMP", &v) || v.n == 0) return bad_param(c, why, cap, -1, "%s", "no TMP");
    if (v.n > PUSH_TMP_B64_MAX) return bad_param(c, why, cap, PUSH_RET_TOO_LONG, "%s", "TMP too long");
    c->tmp = v.p;
    c->tmp_len = v.n;
    if (kv_get(rec, "Size", &v)) {
        if (!parse_i64(v, &x) || x < 0 || (uint64_t)x != c->tmp_len)
            return bad_param(c, why, cap, PUSH_RET_TEMPLATE_SIZE, "%s", "Size does not match the TMP length");
        c->size = (uint32_t)x;
    }
    return PUSH_OK;
}

static push_status parse_query_attlog(span rec, push_cmd *c, char *why, size_t cap)
{
    span a, b;
    if (!kv_get(rec, "StartTime", &a) || !kv_get(rec, "EndTime", &b) || push_time_parse(a.p, a.n, &c->start) ||
        push_time_parse(b.p, b.n, &c->end) || c->start > c->end)
        return bad_param(c, why, cap, -1, "%s", "StartTime/EndTime missing, malformed or reversed");
    return PUSH_OK;
}

static push_status parse_upgrade(span args, push_cmd *c, char *why, size_t cap)
{
    /* "checksum=..,url=..,size=..[,type=1]"; a comma inside the url belongs to it. */
    span rest = trim(args), piece, *cur = NULL;
    span checksum = {0}, url = {0}, size = {0}, type = {0};
    int have_c = 0, have_u = 0, have_s = 0, have_t = 0;
    while (next_piece(&rest, ',', &piece)) {
        span p = trim(piece);
        if (span_istarts(p, "checksum=")) {
            checksum = (span){p.p + 9, p.n - 9};
            cur = &checksum;
            have_c = 1;
        } else if (span_istarts(p, "url=")) {
            url = (span){p.p + 4, p.n - 4};
            cur = &url;
            have_u = 1;
        } else if (span_istarts(p, "size=")) {
            size = (span){p.p + 5, p.n - 5};
            cur = &size;
            have_s = 1;
        } else if (span_istarts(p, "type=")) {
            type = (span){p.p + 5, p.n - 5};
            cur = &type;
            have_t = 1;
        } else if (cur == &url) {
            url.n = (size_t)(piece.p + piece.n - url.p); /* the comma was part of the url */
        } else {
            return bad_param(c, why, cap, -1, "%s", "unknown UPGRADE field");
        }
    }
    if (!have_c || !have_u || !have_s) return bad_param(c, why, cap, -1, "%s", "UPGRADE needs checksum, url and size");
    if (have_t && !span_eq(trim(type), "1")) return bad_param(c, why, cap, -1, "%s", "UPGRADE type must be 1");
    checksum = trim(checksum);
    if (checksum.n != 32) return bad_param(c, why, cap, -1, "%s", "checksum is not an MD5 in hex");
    for (size_t i = 0; i < 32; i++) {
        char ch = lower(checksum.p[i]);
        if (!is_digit(ch) && !(ch >= 'a' && ch <= 'f'))
            return bad_param(c, why, cap, -1, "%s", "checksum is not an MD5 in hex");
        c->checksum[i] = ch;
    }
    c->checksum[32] = '\0';
    url = trim(url);
    if (url.n == 0) return bad_param(c, why, cap, -1, "%s", "empty url");
    for (size_t i = 0; i < url.n; i++)
        if ((unsigned char)url.p[i] <= 0x20 || url.p[i] == 0x7f)
            return bad_param(c, why, cap, -1, "%s", "url has spaces or control characters");
    if (!copy_span(c->url, sizeof(c->url), url)) return bad_param(c, why, cap, PUSH_RET_TOO_LONG, "%s", "url too long");
    uint64_t sz;
    if (!parse_u64(size, &sz) || sz == 0 || sz > PUSH_FW_SIZE_MAX)
        return bad_param(c, why, cap, -1, "%s", "size is not a number in 1..256 MiB");
    c->size = (uint32_t)sz;
    return PUSH_OK;
}

/* Reads the first word of *rest (space separated) and advances past it. */
static span word(span *rest)
{
    span r = *rest;
    while (r.n > 0 && r.p[0] == ' ') {
        r.p++;
        r.n--;
    }
    size_t i = 0;
    while (i < r.n && r.p[i] != ' ' && r.p[i] != '\t') i++;
    span w = {r.p, i};
    rest->p = r.p + i;
    rest->n = r.n - i;
    if (rest->n > 0 && rest->p[0] == ' ') {
        rest->p++;
        rest->n--;
    }
    return w;
}

static void set_kind(push_cmd *c, push_cmd_kind kind, const char *reply)
{
    c->kind = kind;
    snprintf(c->reply_cmd, sizeof(c->reply_cmd), "%s", reply);
}

push_status push_cmd_parse(const char *text, size_t len, push_cmd *c, char *why, size_t cap)
{
    if (c == NULL || (text == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    memset(c, 0, sizeof(*c));
    if (why != NULL && cap > 0) why[0] = '\0';
    span s = {text, len};
    while (s.n > 0 && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n')) s.n--;
    span rest = s;
    span w1 = word(&rest);
    set_kind(c, PUSH_CMD_UNKNOWN, "");
    int plain = 1; /* echoed in CMD= of the answer only when it cannot break the answer's syntax */
    for (size_t i = 0; i < w1.n; i++)
        if (!is_alnum(w1.p[i]) && w1.p[i] != '_') plain = 0;
    if (plain && w1.n < sizeof(c->reply_cmd)) copy_span(c->reply_cmd, sizeof(c->reply_cmd), w1);
    c->error_ret = PUSH_RET_NOT_SUPPORTED;

    if (span_eq(w1, "DATA")) {
        span op = word(&rest), table = word(&rest);
        span rec = rest;
        set_kind(c, PUSH_CMD_UNKNOWN, "DATA");
        if (span_eq(op, "UPDATE") && span_eq(table, "USERINFO")) {
            set_kind(c, PUSH_CMD_UPDATE_USER, "DATA");
            return parse_update_user(rec, c, why, cap);
        }
        if (span_eq(op, "UPDATE") && span_eq(table, "FINGERTMP")) {
            set_kind(c, PUSH_CMD_UPDATE_FP, "DATA");
            return parse_update_fp(rec, c, why, cap);
        }
        if (span_eq(op, "DELETE") && span_eq(table, "USERINFO")) {
            span v;
            set_kind(c, PUSH_CMD_DELETE_USER, "DATA");
            if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin))
                return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
            return PUSH_OK;
        }
        if (span_eq(op, "DELETE") && span_eq(table, "FINGERTMP")) {
            span v;
            set_kind(c, PUSH_CMD_DELETE_FP, "DATA");
            if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin))
                return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
            if (kv_get(rec, "FID", &v)) {
                if (!parse_fid(rec, "FID", &c->fid)) return bad_param(c, why, cap, -1, "%s", "FID must be 0-9");
                c->has |= PUSH_HAS_FID;
            }
            return PUSH_OK;
        }
        if (span_eq(op, "QUERY") && span_eq(table, "ATTLOG")) {
            set_kind(c, PUSH_CMD_QUERY_ATTLOG, "DATA");
            return parse_query_attlog(rec, c, why, cap);
        }
        if (span_eq(op, "QUERY") && span_eq(table, "USERINFO")) {
            span v;
            set_kind(c, PUSH_CMD_QUERY_USER, "DATA");
            if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin))
                return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
            return PUSH_OK;
        }
        say(why, cap, "DATA %.*s %.*s is not supported", (int)(op.n > 16 ? 16 : op.n), op.p,
            (int)(table.n > 16 ? 16 : table.n), table.p);
        return PUSH_ERR_UNSUPPORTED;
    }
    if (span_eq(w1, "CLEAR")) {
        span what = word(&rest);
        if (span_eq(what, "LOG") && trim(rest).n == 0) {
            set_kind(c, PUSH_CMD_CLEAR_LOG, "CLEAR_LOG");
            return PUSH_OK;
        }
        if (span_eq(what, "DATA") && trim(rest).n == 0) {
            set_kind(c, PUSH_CMD_CLEAR_DATA, "CLEAR_DATA");
            return PUSH_OK;
        }
        int plain_what = what.n <= 12;
        for (size_t i = 0; i < what.n; i++)
            if (!is_alnum(what.p[i])) plain_what = 0;
        if (plain_what) snprintf(c->reply_cmd, sizeof(c->reply_cmd), "CLEAR_%.*s", (int)what.n, what.p);
        say(why, cap, "%s", "CLEAR of this data is not supported");
        return PUSH_ERR_UNSUPPORTED;
    }
    if (span_eq(w1, "CHECK") || span_eq(w1, "LOG") || span_eq(w1, "INFO") || span_eq(w1, "REBOOT")) {
        if (trim(rest).n != 0) return bad_param(c, why, cap, -1, "%s", "unexpected arguments");
        if (span_eq(w1, "CHECK")) set_kind(c, PUSH_CMD_CHECK, "CHECK");
        if (span_eq(w1, "LOG")) set_kind(c, PUSH_CMD_LOG, "LOG");
        if (span_eq(w1, "INFO")) set_kind(c, PUSH_CMD_INFO, "INFO");
        if (span_eq(w1, "REBOOT")) set_kind(c, PUSH_CMD_REBOOT, "REBOOT");
        return PUSH_OK;
    }
    if (span_eq(w1, "SET")) {
        span what = word(&rest);
        if (!span_eq(what, "OPTION")) {
            say(why, cap, "%s", "SET of this kind is not supported");
            return PUSH_ERR_UNSUPPORTED;
        }
        set_kind(c, PUSH_CMD_SET_OPTION, "SET OPTION");
        span kv = trim(rest);
        const char *eq = memchr(kv.p, '=', kv.n);
        if (kv.n == 0 || eq == NULL) return bad_param(c, why, cap, -1, "%s", "SET OPTION needs key=value");
        span k = trim((span){kv.p, (size_t)(eq - kv.p)}), v = trim((span){eq + 1, kv.n - (size_t)(eq - kv.p) - 1});
        if (k.n == 0) return bad_param(c, why, cap, -1, "%s", "empty option key");
        for (size_t i = 0; i < k.n; i++)
            if (!is_alnum(k.p[i]) && k.p[i] != '_') return bad_param(c, why, cap, -1, "%s", "bad option key");
        if (!copy_span(c->key, sizeof(c->key), k) || !check_printable(v) || !copy_span(c->value, sizeof(c->value), v))
            return bad_param(c, why, cap, -1, "%s", "option key or value too long");
        return PUSH_OK;
    }
    if (span_eq(w1, "RELOAD")) {
        span what = word(&rest);
        if (!span_eq(what, "OPTIONS")) return PUSH_ERR_UNSUPPORTED;
        set_kind(c, PUSH_CMD_RELOAD_OPTIONS, "RELOAD OPTIONS");
        return PUSH_OK;
    }
    if (span_eq(w1, "ENROLL_FP") || span_eq(w1, "ENROLL_MF")) {
        int fp = span_eq(w1, "ENROLL_FP");
        span rec = rest, v;
        int64_t x;
        set_kind(c, fp ? PUSH_CMD_ENROLL_FP : PUSH_CMD_ENROLL_CARD, fp ? "ENROLL_FP" : "ENROLL_MF");
        if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin)) return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
        if (fp) {
            if (!parse_fid(rec, "FID", &c->fid)) return bad_param(c, why, cap, -1, "%s", "FID must be 0-9");
            c->has |= PUSH_HAS_FID;
        }
        c->retry = 3;
        if (kv_get(rec, "RETRY", &v)) {
            if (!parse_i64(v, &x) || x < 0 || x > 10) return bad_param(c, why, cap, -1, "%s", "RETRY must be 0-10");
            c->retry = (uint32_t)x;
        }
        if (kv_get(rec, "OVERWRITE", &v)) {
            if (!parse_i64(v, &x) || (x != 0 && x != 1))
                return bad_param(c, why, cap, -1, "%s", "OVERWRITE must be 0 or 1");
            c->overwrite = (int)x;
        }
        return PUSH_OK;
    }
    if (span_eq(w1, "UPGRADE")) {
        set_kind(c, PUSH_CMD_UPGRADE, "UPGRADE");
        return parse_upgrade(rest, c, why, cap);
    }
    if (span_ieq(w1, "SHELL") || span_ieq(w1, "GetFile") || span_ieq(w1, "PutFile")) {
        c->kind = PUSH_CMD_REFUSED;
        say(why, cap, "%s", "shell and file commands are refused by design");
        return PUSH_ERR_UNSUPPORTED;
    }
    say(why, cap, "unknown command '%.*s'", (int)(w1.n > 24 ? 24 : w1.n), w1.p);
    return PUSH_ERR_UNSUPPORTED;
}

/* ------------------------------------------------------------------------ */
/* Acknowledgements and dates                                               */
/* ------------------------------------------------------------------------ */

push_status push_ack_parse(const char *body, size_t len, int64_t *count)
{
    if (count == NULL || (body == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    span s = trim((span){body, len});
    if (s.n < 2 || s.p[0] != 'O' || s.p[1] != 'K') return PUSH_ERR_NOT_ACKNOWLEDGED;
    if (s.n == 2) {
        *count = -1;
        return PUSH_OK;
    }
    if (s.p[2] != ':') return PUSH_ERR_NOT_ACKNOWLEDGED;
    int64_t n;
    if (!parse_i64((span){s.p + 3, s.n - 3}, &n) || n < 0) return PUSH_ERR_NOT_ACKNOWLEDGED;
    *count = n;
    return PUSH_OK;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int64_t m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

/* Reads digits at s[*i] (at most maxd), skipping spaces first. */
static int read_num(span s, size_t *i, int maxd, int64_t *v)
{
    while (*i < s.n && s.p[*i] == ' ') (*i)++;
    int n = 0;
    int64_t x = 0;
    while (*i < s.n && is_digit(s.p[*i]) && n < maxd) {
        x = x * 10 + (s.p[*i] - '0');
        (*i)++;
        n++;
    }
    *v = x;
    return n > 0;
}

static int read_char(span s, size_t *i, char c)
{
    while (*i < s.n && s.p[*i] == ' ') (*i)++;
    if (*i < s.n && s.p[*i] == c) {
        (*i)++;
        return 1;
    }
    return 0;
}

static int read_hms(span s, size_t *i, int64_t *secs)
{
    int64_t h, m, sec;
    if (!read_num(s, i, 2, &h) || !read_char(s, i, ':') || !read_num(s, i, 2, &m) || !read_char(s, i, ':') ||
        !read_num(s, i, 2, &sec))
        return 0;
    if (h > 23 || m > 59 || sec > 60) return 0;
    *secs = h * 3600 + m * 60 + (sec == 60 ? 59 : sec);
    return 1;
}

push_status push_http_date_parse(const char *text, size_t len, int64_t *utc)
{
    static const char *months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (utc == NULL || (text == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    span s = trim((span){text, len});
    const char *comma = s.n ? memchr(s.p, ',', s.n) : NULL;
    if (comma == NULL || comma - s.p > 9) return PUSH_ERR_BAD_DATE;
    size_t i = (size_t)(comma - s.p) + 1;
    int64_t day, year, secs, month = -1;
    if (!read_num(s, &i, 2, &day)) return PUSH_ERR_BAD_DATE;
    while (i < s.n && s.p[i] == ' ') i++;
    if (i + 3 > s.n) return PUSH_ERR_BAD_DATE;
    for (int m = 0; m < 12; m++)
        if (span_ieq((span){s.p + i, 3}, months[m])) month = m + 1;
    if (month < 0) return PUSH_ERR_BAD_DATE;
    i += 3;
    if (!read_num(s, &i, 4, &year) || year < 1970 || year > 9999) return PUSH_ERR_BAD_DATE;
    if (day < 1 || day > days_in_month(year, month)) return PUSH_ERR_BAD_DATE;
    if (!read_hms(s, &i, &secs)) return PUSH_ERR_BAD_DATE;
    span zone = trim((span){s.p + i, s.n - i});
    if (!span_eq(zone, "GMT") && !span_eq(zone, "UTC")) return PUSH_ERR_BAD_DATE;
    *utc = days_from_civil(year, month, day) * 86400 + secs;
    return PUSH_OK;
}

void push_time_format(int64_t t, char out[20])
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400, y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) y = 0;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d", (int)y, (int)m, (int)d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
    memcpy(out, tmp, 19);
    out[19] = '\0';
}

push_status push_time_parse(const char *text, size_t len, int64_t *t)
{
    if (t == NULL || (text == NULL && len > 0)) return PUSH_ERR_INVALID_ARGUMENT;
    span s = trim((span){text, len});
    size_t i = 0;
    int64_t y, m, d, secs;
    if (!read_num(s, &i, 4, &y) || !read_char(s, &i, '-') || !read_num(s, &i, 2, &m) || !read_char(s, &i, '-') ||
        !read_num(s, &i, 2, &d))
        return PUSH_ERR_BAD_PARAMETER;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return PUSH_ERR_BAD_PARAMETER;
    if (!read_hms(s, &i, &secs)) return PUSH_ERR_BAD_PARAMETER;
    if (trim((span){s.p + i, s.n - i}).n != 0) return PUSH_ERR_BAD_PARAMETER;
    *t = days_from_civil(y, m, d) * 86400 + secs;
    return PUSH_OK;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

typedef struct out_buf {
    char *buf;
    size_t cap, pos;
    int overflow;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    if (o->overflow || n > o->cap - o->pos) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->pos, s, n);
    o->pos += n;
}

static void puts_(out_buf *o, const char *s)
{
    put(o, s, strlen(s));
}

/* A text field: TAB, CR and LF become spaces so it can never split a field or a line. */
static void put_field(out_buf *o, const char *s)
{
    for (; s != NULL && *s; s++) {
        char c = (*s == '\t' || *s == '\r' || *s == '\n') ? ' ' : *s;
        put(o, &c, 1);
    }
}

static void putf(out_buf *o, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        o->overflow = 1;
        return;
    }
    put(o, tmp, (size_t)n);
}

static push_status finish(out_buf *o, size_t *pos)
{
    if (o->overflow) return PUSH_ERR_TOO_LONG;
    *pos = o->pos;
    return PUSH_OK;
}

#define OUT_INIT(buf, cap, pos)                                                                                        \
    if ((buf) == NULL || (pos) == NULL || *(pos) > (cap)) return PUSH_ERR_INVALID_ARGUMENT;                            \
    out_buf o = {(buf), (cap), *(pos), 0}

push_status push_format_attlog(char *buf, size_t cap, size_t *pos, const push_attlog *rec)
{
    OUT_INIT(buf, cap, pos);
    if (rec == NULL || rec->pin == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    char when[20];
    push_time_format(rec->time, when);
    put_field(&o, rec->pin);
    putf(&o, "\t%s\t%d\t%d\t0\t%lld\t0\n", when, rec->status, rec->verify, (long long)rec->record_id);
    return finish(&o, pos);
}

push_status push_format_oplog(char *buf, size_t cap, size_t *pos, int op_type, const char *who, int64_t time,
                              const char *value1, int64_t oplog_id)
{
    OUT_INIT(buf, cap, pos);
    char when[20];
    push_time_format(time, when);
    putf(&o, "OPLOG %d\t", op_type);
    put_field(&o, who && *who ? who : "0");
    putf(&o, "\t%s\t", when);
    put_field(&o, value1 && *value1 ? value1 : "0");
    putf(&o, "\t0\t0\t%lld\n", (long long)oplog_id);
    return finish(&o, pos);
}

push_status push_format_user(char *buf, size_t cap, size_t *pos, const char *pin, const char *name, int privilege,
                             uint64_t card)
{
    OUT_INIT(buf, cap, pos);
    if (pin == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    puts_(&o, "USER PIN=");
    put_field(&o, pin);
    puts_(&o, "\tName=");
    put_field(&o, name);
    putf(&o, "\tPri=%d\tCard=", privilege ? 14 : 0);
    if (card) putf(&o, "%llu", (unsigned long long)card);
    puts_(&o, "\tGrp=1\tTZ=0000000000000000\tVerify=0\n");
    return finish(&o, pos);
}

push_status push_format_fp(char *buf, size_t cap, size_t *pos, const char *pin, uint32_t fid, const uint8_t *tmpl,
                           size_t tmpl_len)
{
    OUT_INIT(buf, cap, pos);
    if (pin == NULL || tmpl == NULL || fid > 9) return PUSH_ERR_INVALID_ARGUMENT;
    size_t b64 = push_base64_encoded_len(tmpl_len);
    puts_(&o, "FP PIN=");
    put_field(&o, pin);
    putf(&o, "\tFID=%u\tSize=%zu\tValid=1\tTMP=", (unsigned)fid, b64);
    if (!o.overflow && b64 + 1 <= o.cap - o.pos) {
        size_t w = 0;
        push_base64_encode(tmpl, tmpl_len, o.buf + o.pos, o.cap - o.pos, &w);
        o.pos += w;
    } else {
        o.overflow = 1;
    }
    put(&o, "\n", 1);
    return finish(&o, pos);
}

push_status push_format_result(char *buf, size_t cap, size_t *pos, const char *id, int ret, const char *cmd)
{
    OUT_INIT(buf, cap, pos);
    if (id == NULL || cmd == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    puts_(&o, "ID=");
    put_field(&o, id);
    putf(&o, "&Return=%d&CMD=", ret);
    put_field(&o, cmd);
    put(&o, "\n", 1);
    return finish(&o, pos);
}

/* ------------------------------------------------------------------------ */
/* Base64                                                                   */
/* ------------------------------------------------------------------------ */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t push_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

push_status push_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *written)
{
    if ((in == NULL && n > 0) || out == NULL || written == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    size_t need = push_base64_encoded_len(n);
    if (need + 1 > cap) return PUSH_ERR_TOO_LONG;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    *written = o;
    return PUSH_OK;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

push_status push_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *written)
{
    if ((in == NULL && n > 0) || written == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    if (n % 4 != 0) return PUSH_ERR_BAD_BASE64;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else {
                if (pad) return PUSH_ERR_BAD_BASE64; /* data after padding */
                v[k] = b64_value(c);
                if (v[k] < 0) return PUSH_ERR_BAD_BASE64;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t bytes = 3 - (size_t)pad;
        if (out != NULL && o + bytes > cap) return PUSH_ERR_TOO_LONG;
        if (out != NULL) {
            out[o] = (uint8_t)(x >> 16);
            if (bytes > 1) out[o + 1] = (uint8_t)(x >> 8);
            if (bytes > 2) out[o + 2] = (uint8_t)x;
        }
        o += bytes;
    }
    *written = o;
    return PUSH_OK;
}

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
