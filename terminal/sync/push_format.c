/*
 * push_format.c - acknowledgements, HTTP and protocol dates, the upload
 * line formatters and base64. See push_proto.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "push_proto_internal.h"
#include "term_calendar.h"

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
    if (!pushi_parse_i64((span){s.p + 3, s.n - 3}, &n) || n < 0) return PUSH_ERR_NOT_ACKNOWLEDGED;
    *count = n;
    return PUSH_OK;
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
    *utc = term_days_from_civil(year, month, day) * 86400 + secs;
    return PUSH_OK;
}

void push_time_format(int64_t t, char out[20])
{
    int64_t rem, y, m, d;
    term_civil_from_days(term_days_of(t, &rem), &y, &m, &d);
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
    *t = term_days_from_civil(y, m, d) * 86400 + secs;
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

/* The template as base64, in place. */
static void put_base64(out_buf *o, const uint8_t *data, size_t len)
{
    size_t b64 = push_base64_encoded_len(len);
    if (!o->overflow && b64 + 1 <= o->cap - o->pos) {
        size_t w = 0;
        push_base64_encode(data, len, o->buf + o->pos, o->cap - o->pos, &w);
        o->pos += w;
    } else {
        o->overflow = 1;
    }
}

push_status push_format_fp(char *buf, size_t cap, size_t *pos, const char *pin, uint32_t fid, const uint8_t *tmpl,
                           size_t tmpl_len)
{
    OUT_INIT(buf, cap, pos);
    if (pin == NULL || tmpl == NULL || fid > 9) return PUSH_ERR_INVALID_ARGUMENT;
    puts_(&o, "FP PIN=");
    put_field(&o, pin);
    putf(&o, "\tFID=%u\tSize=%zu\tValid=1\tTMP=", (unsigned)fid, push_base64_encoded_len(tmpl_len));
    put_base64(&o, tmpl, tmpl_len);
    put(&o, "\n", 1);
    return finish(&o, pos);
}

push_status push_format_biodata(char *buf, size_t cap, size_t *pos, const char *pin, uint32_t fid, int major_ver,
                                int minor_ver, int format, const uint8_t *tmpl, size_t tmpl_len)
{
    OUT_INIT(buf, cap, pos);
    if (pin == NULL || tmpl == NULL || fid > 9 || major_ver < 0 || major_ver > 99 || minor_ver < 0 || minor_ver > 99 ||
        format < 0 || format > 9)
        return PUSH_ERR_INVALID_ARGUMENT;
    puts_(&o, "BIODATA Pin=");
    put_field(&o, pin);
    putf(&o, "\tNo=%u\tIndex=0\tValid=1\tDuress=0\tType=%d", (unsigned)fid, PUSH_BIO_FINGER);
    putf(&o, "\tMajorVer=%d\tMinorVer=%d\tFormat=%d\tTmp=", major_ver, minor_ver, format);
    put_base64(&o, tmpl, tmpl_len);
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

push_status push_format_verify_sum(char *buf, size_t cap, size_t *pos, const char *id, int ret, int64_t start,
                                   int64_t end, uint64_t sum)
{
    OUT_INIT(buf, cap, pos);
    if (id == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    char from[20], to[20];
    push_time_format(start, from);
    push_time_format(end, to);
    puts_(&o, "ID=");
    put_field(&o, id);
    putf(&o, "&Return=%d&CMD=VERIFY SUM&StartTime=%s", ret, from);
    putf(&o, "&EndTime=%s&AttlogSum=%llu\n", to, (unsigned long long)sum);
    return finish(&o, pos);
}

push_status push_format_option_item(char *buf, size_t cap, size_t *pos, const char *key, const char *value)
{
    OUT_INIT(buf, cap, pos);
    size_t kn = key ? strlen(key) : 0;
    if (kn == 0 || kn > PUSH_OPTION_KEY_MAX || value == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < kn; i++)
        if (!is_alnum(key[i]) && key[i] != '_' && key[i] != '~') return PUSH_ERR_INVALID_ARGUMENT;
    if (o.pos > 0) put(&o, ",", 1);
    put(&o, key, kn);
    put(&o, "=", 1);
    for (const char *v = value; *v; v++) {
        char c = (*v == ',' || *v == '=' || *v == '\t' || *v == '\r' || *v == '\n') ? ' ' : *v;
        put(&o, &c, 1);
    }
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
