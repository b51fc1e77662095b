/*
 * push_options.c - the registration answer: "GET OPTION FROM: <SN>" and
 * its Key=Value lines, or a bare OK. See push_proto.h.
 */
#include <stdio.h>

#include "push_proto_internal.h"

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

void push_options_defaults(push_options *o)
{
    memset(o, 0, sizeof(*o));
    strcpy(o->att_stamp, "0");
    strcpy(o->op_stamp, "0");
    strcpy(o->bio_stamp, "0");
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
    if (!pushi_parse_i64(v, &x)) {
        o->adjusted |= bit;
        pushi_say_more(why, cap, "%s is not a number, default %u kept", name, (unsigned)*field);
        return;
    }
    if (x < (int64_t)lo || x > (int64_t)hi) {
        uint32_t c = x < (int64_t)lo ? lo : hi;
        o->adjusted |= bit;
        pushi_say_more(why, cap, "%s=%lld outside %u..%u, clamped to %u", name, (long long)x, (unsigned)lo,
                       (unsigned)hi, (unsigned)c);
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
    if (!ok || !pushi_copy_span(dst, PUSH_STAMP_MAX + 1, v)) {
        strcpy(dst, "0");
        o->adjusted |= bit;
        pushi_say_more(why, cap, "%s is not a valid stamp, 0 used", name);
    }
}

/* "hh:mm;hh:mm..." with optional spaces. */
static void parse_trans_times(span v, push_options *o, char *why, size_t cap)
{
    span rest = trim(v), piece;
    o->n_trans_times = 0;
    if (rest.n == 0) return;
    while (pushi_next_piece(&rest, ';', &piece)) {
        piece = trim(piece);
        if (piece.n == 0) continue;
        span hh, mm, r2 = piece;
        int64_t h, m;
        if (!pushi_next_piece(&r2, ':', &hh) || r2.p == NULL || !pushi_next_piece(&r2, ':', &mm) ||
            !pushi_parse_i64(hh, &h) || !pushi_parse_i64(mm, &m) || h < 0 || h > 23 || m < 0 || m > 59) {
            o->adjusted |= PUSH_OPT_TRANS_TIMES;
            pushi_say_more(why, cap, "TransTimes entry '%.*s' ignored", (int)(piece.n > 16 ? 16 : piece.n), piece.p);
            continue;
        }
        if (o->n_trans_times == PUSH_TRANS_TIMES_MAX) {
            o->adjusted |= PUSH_OPT_TRANS_TIMES;
            pushi_say_more(why, cap, "TransTimes has more than %d entries, the rest ignored", PUSH_TRANS_TIMES_MAX);
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
    pushi_say_more(why, cap, "TransFlag is in neither format, default kept");
}

static void parse_timezone(span v, push_options *o, char *why, size_t cap)
{
    int64_t x;
    if (!pushi_parse_i64(v, &x)) {
        o->adjusted |= PUSH_OPT_TIMEZONE;
        pushi_say_more(why, cap, "TimeZone is not a number, UTC kept");
        return;
    }
    /* Hours for small values; beyond +-60 the value is in minutes (half and quarter zones). */
    int64_t minutes = (x >= -60 && x <= 60) ? x * 60 : x;
    if (minutes < -720 || minutes > 840) {
        int64_t c = minutes < -720 ? -720 : 840;
        o->adjusted |= PUSH_OPT_TIMEZONE;
        pushi_say_more(why, cap, "TimeZone=%lld outside -12..+14 hours, clamped to %lld minutes", (long long)x,
                       (long long)c);
        minutes = c;
    }
    o->timezone_min = (int32_t)minutes;
}

/* MultiBioDataSupport: one 0/1 per biometric type, colon separated ("0:1:0:0:0:0:0:0:0:0"), spaces tolerated. */
static void parse_multi_bio(span v, push_options *o, char *why, size_t cap)
{
    span rest = trim(v), piece;
    unsigned bits = 0, type = 0;
    while (pushi_next_piece(&rest, ':', &piece)) {
        piece = trim(piece);
        if (type >= PUSH_BIO_TYPES || !(span_eq(piece, "0") || span_eq(piece, "1"))) {
            o->adjusted |= PUSH_OPT_MULTI_BIO;
            pushi_say_more(why, cap, "MultiBioDataSupport is not %d colon-separated 0/1 digits, ignored",
                           PUSH_BIO_TYPES);
            o->bio_data_support = 0;
            return;
        }
        if (piece.p[0] == '1') bits |= 1u << type;
        type++;
    }
    o->bio_data_support = bits;
}

/* PushOptions: "key1,key2,..." with keys of letters, digits, '_' and '~' (spaces around commas tolerated). */
static void parse_push_options(span v, push_options *o, char *why, size_t cap)
{
    span rest = trim(v), piece;
    size_t n = 0;
    o->push_options[0] = '\0';
    while (rest.n > 0 && pushi_next_piece(&rest, ',', &piece)) {
        piece = trim(piece);
        int ok = piece.n > 0 && piece.n <= PUSH_OPTION_KEY_MAX;
        for (size_t i = 0; ok && i < piece.n; i++) ok = is_alnum(piece.p[i]) || piece.p[i] == '_' || piece.p[i] == '~';
        if (!ok || n + piece.n + 2 > sizeof(o->push_options)) {
            o->adjusted |= PUSH_OPT_PUSH_OPTIONS;
            pushi_say_more(why, cap, "PushOptions has a bad or too long key list, no key kept");
            o->push_options[0] = '\0';
            return;
        }
        if (n > 0) o->push_options[n++] = ',';
        memcpy(o->push_options + n, piece.p, piece.n);
        n += piece.n;
        o->push_options[n] = '\0';
    }
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
    if (all.n == 0 || !pushi_next_piece(&rest, '\n', &line)) {
        pushi_say(why, why_cap, "empty options response");
        return PUSH_ERR_BAD_OPTIONS;
    }
    line = trim(line);
    if (!span_istarts(line, "GET OPTION FROM:")) {
        pushi_say(why, why_cap, "first line is not 'GET OPTION FROM: <SN>'");
        return PUSH_ERR_BAD_OPTIONS;
    }
    span got = trim((span){line.p + 16, line.n - 16});
    if (sn != NULL && !span_eq(got, sn)) {
        pushi_say(why, why_cap, "options are for serial '%.*s'", (int)(got.n > 32 ? 32 : got.n), got.p);
        return PUSH_ERR_SN_MISMATCH;
    }
    push_options o;
    push_options_defaults(&o);
    while (pushi_next_piece(&rest, '\n', &line)) {
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
                pushi_say_more(why, why_cap, "Realtime is not 0 or 1, default 1 kept");
            }
        } else if (span_ieq(key, "Encrypt")) {
            if (val.n == 0 || span_ieq(val, "None") || span_eq(val, "0"))
                o.encrypt = 0;
            else {
                o.encrypt = 1;
                o.adjusted |= PUSH_OPT_ENCRYPT;
                pushi_say_more(why, why_cap, "Encrypt requested; this device sends in clear over HTTPS instead");
            }
        } else if (span_ieq(key, "ServerVer")) {
            if (!pushi_copy_span(o.server_ver, sizeof(o.server_ver), val)) o.server_ver[0] = '\0';
        } else if (span_ieq(key, "PushProtVer")) {
            if (!pushi_copy_span(o.push_prot_ver, sizeof(o.push_prot_ver), val)) o.push_prot_ver[0] = '\0';
        } else if (span_ieq(key, "BIODATAStamp")) {
            parse_stamp(o.bio_stamp, val, PUSH_OPT_STAMP, "BIODATAStamp", &o, why, why_cap);
        } else if (span_ieq(key, "MultiBioDataSupport")) {
            parse_multi_bio(val, &o, why, why_cap);
        } else if (span_ieq(key, "PushOptionsFlag")) {
            if (span_eq(val, "0") || span_eq(val, "1"))
                o.push_options_flag = val.p[0] == '1';
            else {
                o.adjusted |= PUSH_OPT_PUSH_OPTIONS;
                pushi_say_more(why, why_cap, "PushOptionsFlag is not 0 or 1, 0 kept");
            }
        } else if (span_ieq(key, "PushOptions")) {
            parse_push_options(val, &o, why, why_cap);
        }
    }
    *out = o;
    return o.adjusted ? PUSH_ADJUSTED : PUSH_OK;
}
