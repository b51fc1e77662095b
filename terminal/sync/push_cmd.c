/*
 * push_cmd.c - getrequest lines ("C:<id>:<command>") and every command's
 * arguments. See push_proto.h.
 */
#include <stdio.h>

#include "push_proto_internal.h"

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
    while (pushi_next_piece(&rest, '\t', &piece)) {
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
    return pushi_copy_span(out, PUSH_PIN_MAX + 1, v);
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
    return pushi_parse_u64(v, card);
}

static push_status bad_param(push_cmd *c, char *why, size_t cap, int ret, const char *fmt, const char *detail)
{
    c->error_ret = ret;
    pushi_say(why, cap, fmt, detail);
    return ret == PUSH_RET_TOO_LONG ? PUSH_ERR_TOO_LONG : PUSH_ERR_BAD_PARAMETER;
}

/* A number under key: absent gives def (0 when required says it must be there), present must be lo..hi. */
static int parse_num(span rec, const char *key, int required, int64_t lo, int64_t hi, int64_t def, int64_t *out)
{
    span v;
    if (!kv_get(rec, key, &v)) {
        *out = def;
        return !required;
    }
    return pushi_parse_i64(v, out) && *out >= lo && *out <= hi;
}

/* PIN (or Pin: keys are matched without case), required. */
static push_status need_pin(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    if (!kv_get(rec, "PIN", &v) || !check_pin(v, c->pin)) return bad_param(c, why, cap, -1, "%s", "bad or no PIN");
    return PUSH_OK;
}

/* Tmp / TMP: base64 text, at most PUSH_TMP_B64_MAX (-1006 beyond). */
static push_status need_tmp(span rec, const char *key, push_cmd *c, char *why, size_t cap)
{
    span v;
    if (!kv_get(rec, key, &v) || v.n == 0) return bad_param(c, why, cap, -1, "no %s", key);
    if (v.n > PUSH_TMP_B64_MAX) return bad_param(c, why, cap, PUSH_RET_TOO_LONG, "%s too long", key);
    c->tmp = v.p;
    c->tmp_len = v.n;
    return PUSH_OK;
}

static push_status parse_update_user(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    push_status st = need_pin(rec, c, why, cap);
    if (st != PUSH_OK) return st;
    if (kv_get(rec, "Name", &v)) {
        if (!check_printable(v) || !pushi_copy_span(c->name, sizeof(c->name), v))
            return bad_param(c, why, cap, -1, "%s", "Name too long or has control characters");
        c->has |= PUSH_HAS_NAME;
    }
    if (kv_get(rec, "Pri", &v)) {
        int64_t pri;
        if (!pushi_parse_i64(v, &pri)) return bad_param(c, why, cap, -1, "%s", "Pri is not a number");
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
        if (!check_printable(v) || !pushi_copy_span(c->passwd, sizeof(c->passwd), v))
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
    if (!kv_get(rec, key, &v) || !pushi_parse_i64(v, &x) || x < 0 || x > 9) return 0;
    *fid = (uint32_t)x;
    return 1;
}

static push_status parse_update_fp(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    int64_t x;
    push_status st = need_pin(rec, c, why, cap);
    if (st != PUSH_OK) return st;
    if (!parse_fid(rec, "FID", &c->fid)) return bad_param(c, why, cap, -1, "%s", "FID must be 0-9");
    c->has |= PUSH_HAS_FID;
    c->valid = 1;
    if (kv_get(rec, "Valid", &v)) {
        if (!pushi_parse_i64(v, &x) || (x != 0 && x != 1 && x != 3))
            return bad_param(c, why, cap, -1, "%s", "Valid must be 0, 1 or 3");
        c->valid = (int)x;
    }
    st = need_tmp(rec, "TMP", c, why, cap);
    if (st != PUSH_OK) return st;
    if (kv_get(rec, "Size", &v)) {
        if (!pushi_parse_i64(v, &x) || x < 0 || (uint64_t)x != c->tmp_len)
            return bad_param(c, why, cap, PUSH_RET_TEMPLATE_SIZE, "%s", "Size does not match the TMP length");
        c->size = (uint32_t)x;
    }
    return PUSH_OK;
}

/* DATA UPDATE BIODATA Pin No Index Valid Duress Type MajorVer MinorVer Format Tmp (the protocol's 11.12). */
static push_status parse_update_bio(span rec, push_cmd *c, char *why, size_t cap)
{
    int64_t type, no, index, valid, duress, major, minor, format;
    push_status st = need_pin(rec, c, why, cap);
    if (st != PUSH_OK) return st;
    if (!parse_num(rec, "Type", 1, 0, PUSH_BIO_TYPES - 1, 0, &type))
        return bad_param(c, why, cap, -1, "%s", "Type must be 0-9");
    if (!parse_num(rec, "No", 0, 0, 9, 0, &no)) return bad_param(c, why, cap, -1, "%s", "No must be 0-9");
    if (!parse_num(rec, "Index", 0, 0, 9, 0, &index)) return bad_param(c, why, cap, -1, "%s", "Index must be 0-9");
    if (!parse_num(rec, "Valid", 0, 0, 1, 1, &valid)) return bad_param(c, why, cap, -1, "%s", "Valid must be 0 or 1");
    if (!parse_num(rec, "Duress", 0, 0, 1, 0, &duress))
        return bad_param(c, why, cap, -1, "%s", "Duress must be 0 or 1");
    if (!parse_num(rec, "MajorVer", 0, 0, 99, 0, &major) || !parse_num(rec, "MinorVer", 0, 0, 99, 0, &minor))
        return bad_param(c, why, cap, -1, "%s", "MajorVer/MinorVer must be 0-99");
    if (!parse_num(rec, "Format", 0, 0, 9, PUSH_BIO_FORMAT_ZK, &format))
        return bad_param(c, why, cap, -1, "%s", "Format must be 0-9");
    c->bio_type = (int)type;
    c->fid = (uint32_t)no;
    c->bio_index = (uint32_t)index;
    c->valid = (int)valid;
    c->duress = (int)duress;
    c->major_ver = (int)major;
    c->minor_ver = (int)minor;
    c->bio_format = (int)format;
    c->has |= PUSH_HAS_FID | PUSH_HAS_TYPE;
    return need_tmp(rec, "Tmp", c, why, cap);
}

/* Optional Type= and No= (or another finger key) of DELETE / QUERY BIODATA and QUERY FINGERTMP. */
static push_status optional_type_no(span rec, const char *no_key, push_cmd *c, char *why, size_t cap)
{
    span v;
    int64_t x;
    if (kv_get(rec, "Type", &v)) {
        if (!parse_num(rec, "Type", 1, 0, PUSH_BIO_TYPES - 1, 0, &x))
            return bad_param(c, why, cap, -1, "%s", "Type must be 0-9");
        c->bio_type = (int)x;
        c->has |= PUSH_HAS_TYPE;
    }
    if (kv_get(rec, no_key, &v)) {
        if (!parse_fid(rec, no_key, &c->fid)) return bad_param(c, why, cap, -1, "%s must be 0-9", no_key);
        c->has |= PUSH_HAS_FID;
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
    while (pushi_next_piece(&rest, ',', &piece)) {
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
    if (!pushi_copy_span(c->url, sizeof(c->url), url))
        return bad_param(c, why, cap, PUSH_RET_TOO_LONG, "%s", "url too long");
    uint64_t sz;
    if (!pushi_parse_u64(size, &sz) || sz == 0 || sz > PUSH_FW_SIZE_MAX)
        return bad_param(c, why, cap, -1, "%s", "size is not a number in 1..256 MiB");
    c->size = (uint32_t)sz;
    return PUSH_OK;
}

static push_status parse_pin_only(span rec, push_cmd *c, char *why, size_t cap)
{
    return need_pin(rec, c, why, cap);
}

static push_status parse_delete_fp(span rec, push_cmd *c, char *why, size_t cap)
{
    push_status st = need_pin(rec, c, why, cap);
    return st != PUSH_OK ? st : optional_type_no(rec, "FID", c, why, cap);
}

static push_status parse_delete_bio(span rec, push_cmd *c, char *why, size_t cap)
{
    push_status st = need_pin(rec, c, why, cap);
    return st != PUSH_OK ? st : optional_type_no(rec, "No", c, why, cap);
}

static push_status parse_query_bio(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    if (!kv_get(rec, "Type", &v)) return bad_param(c, why, cap, -1, "%s", "no Type");
    if (kv_get(rec, "PIN", &v)) {
        if (!check_pin(v, c->pin)) return bad_param(c, why, cap, -1, "%s", "bad PIN");
        c->has |= PUSH_HAS_PIN;
    }
    return optional_type_no(rec, "No", c, why, cap);
}

static push_status parse_query_fp(span rec, push_cmd *c, char *why, size_t cap)
{
    span v;
    push_status st = need_pin(rec, c, why, cap);
    /* the protocol names the finger FingerID here; FID as elsewhere is taken too */
    return st != PUSH_OK ? st : optional_type_no(rec, kv_get(rec, "FID", &v) ? "FID" : "FingerID", c, why, cap);
}

/* DATA <op> <table> <record>: the parser of each supported pair. */
static const struct {
    const char *op, *table;
    push_cmd_kind kind;
    push_status (*parse)(span rec, push_cmd *c, char *why, size_t cap);
} data_cmds[] = {
    {"UPDATE", "USERINFO", PUSH_CMD_UPDATE_USER, parse_update_user},
    {"UPDATE", "FINGERTMP", PUSH_CMD_UPDATE_FP, parse_update_fp},
    {"UPDATE", "BIODATA", PUSH_CMD_UPDATE_BIO, parse_update_bio},
    {"DELETE", "USERINFO", PUSH_CMD_DELETE_USER, parse_pin_only},
    {"DELETE", "FINGERTMP", PUSH_CMD_DELETE_FP, parse_delete_fp},
    {"DELETE", "BIODATA", PUSH_CMD_DELETE_BIO, parse_delete_bio},
    {"QUERY", "ATTLOG", PUSH_CMD_QUERY_ATTLOG, parse_query_attlog},
    {"QUERY", "USERINFO", PUSH_CMD_QUERY_USER, parse_pin_only},
    {"QUERY", "FINGERTMP", PUSH_CMD_QUERY_FP, parse_query_fp},
    {"QUERY", "BIODATA", PUSH_CMD_QUERY_BIO, parse_query_bio},
};

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
    if (plain && w1.n < sizeof(c->reply_cmd)) pushi_copy_span(c->reply_cmd, sizeof(c->reply_cmd), w1);
    c->error_ret = PUSH_RET_NOT_SUPPORTED;

    if (span_eq(w1, "DATA")) {
        span op = word(&rest), table = word(&rest);
        span rec = rest;
        set_kind(c, PUSH_CMD_UNKNOWN, "DATA");
        for (size_t i = 0; i < sizeof(data_cmds) / sizeof(data_cmds[0]); i++) {
            if (span_eq(op, data_cmds[i].op) && span_eq(table, data_cmds[i].table)) {
                set_kind(c, data_cmds[i].kind, "DATA");
                return data_cmds[i].parse(rec, c, why, cap);
            }
        }
        pushi_say(why, cap, "DATA %.*s %.*s is not supported", (int)(op.n > 16 ? 16 : op.n), op.p,
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
        if (span_eq(what, "BIODATA") && trim(rest).n == 0) {
            set_kind(c, PUSH_CMD_CLEAR_BIO, "CLEAR_BIODATA");
            return PUSH_OK;
        }
        int plain_what = what.n <= 12;
        for (size_t i = 0; i < what.n; i++)
            if (!is_alnum(what.p[i])) plain_what = 0;
        if (plain_what) snprintf(c->reply_cmd, sizeof(c->reply_cmd), "CLEAR_%.*s", (int)what.n, what.p);
        pushi_say(why, cap, "%s", "CLEAR of this data is not supported");
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
    if (span_eq(w1, "VERIFY")) {
        span sum = word(&rest), table = word(&rest);
        if (!span_eq(sum, "SUM")) {
            pushi_say(why, cap, "%s", "VERIFY of this kind is not supported");
            return PUSH_ERR_UNSUPPORTED;
        }
        set_kind(c, PUSH_CMD_VERIFY_SUM, "VERIFY SUM"); /* the protocol's CMD=VERIFY SUM, with its space */
        if (!span_eq(table, "ATTLOG")) {
            c->kind = PUSH_CMD_UNKNOWN;
            pushi_say(why, cap, "%s", "VERIFY SUM of this table is not supported");
            return PUSH_ERR_UNSUPPORTED;
        }
        return parse_query_attlog(rest, c, why, cap);
    }
    if (span_eq(w1, "SET")) {
        span what = word(&rest);
        if (!span_eq(what, "OPTION")) {
            pushi_say(why, cap, "%s", "SET of this kind is not supported");
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
        if (!pushi_copy_span(c->key, sizeof(c->key), k) || !check_printable(v) ||
            !pushi_copy_span(c->value, sizeof(c->value), v))
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
        push_status st = need_pin(rec, c, why, cap);
        if (st != PUSH_OK) return st;
        if (fp) {
            if (!parse_fid(rec, "FID", &c->fid)) return bad_param(c, why, cap, -1, "%s", "FID must be 0-9");
            c->has |= PUSH_HAS_FID;
        }
        c->retry = 3;
        if (kv_get(rec, "RETRY", &v)) {
            if (!pushi_parse_i64(v, &x) || x < 0 || x > 10)
                return bad_param(c, why, cap, -1, "%s", "RETRY must be 0-10");
            c->retry = (uint32_t)x;
        }
        if (kv_get(rec, "OVERWRITE", &v)) {
            if (!pushi_parse_i64(v, &x) || (x != 0 && x != 1))
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
        pushi_say(why, cap, "%s", "shell and file commands are refused by design");
        return PUSH_ERR_UNSUPPORTED;
    }
    pushi_say(why, cap, "unknown command '%.*s'", (int)(w1.n > 24 ? 24 : w1.n), w1.p);
    return PUSH_ERR_UNSUPPORTED;
}
