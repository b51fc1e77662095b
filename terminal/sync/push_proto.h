/*
 * push_proto.h - the device side of the attendance "PUSH" protocol
 * (iclock/ADMS, version 2.4.x) as pure functions: parsing what a server
 * sends (options, command lines, command arguments, acknowledgements, the
 * HTTP Date header) and formatting what the device uploads (ATTLOG, OPLOG,
 * USER and FP lines, command results).
 *
 * Pure: libc only, no I/O, no clock, no allocation. Every parser takes a
 * pointer and a length, never reads past it, never needs a NUL terminator
 * and never trusts the server: bad input returns an error status and, when
 * the caller passes one, a short reason in `why`.
 *
 * Thread safety: every function is reentrant.
 */
#ifndef PUSH_PROTO_H
#define PUSH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Status codes of the whole sync layer (protocol, transport, engine,
 * firmware). X(name, number, message). Numbers never change.
 *   0        success
 *   1..9     success with a remark (values adjusted)
 *   10..49   bad data from the server
 *   50..69   network and transport
 *   70..89   local faults (storage, crypto, files)
 */
#define PUSH_STATUS_MAP(X)                                                                                             \
    X(OK, 0, "success")                                                                                                \
    X(ADJUSTED, 1, "server options had values outside their range; they were clamped or defaulted")                    \
    X(ERR_INVALID_ARGUMENT, 10, "invalid argument")                                                                    \
    X(ERR_BAD_OPTIONS, 11, "server options response is malformed")                                                     \
    X(ERR_SN_MISMATCH, 12, "server options are for another serial number")                                             \
    X(ERR_BAD_COMMAND, 13, "command line is malformed")                                                                \
    X(ERR_BAD_COMMAND_ID, 14, "command id must be 1-16 letters or digits")                                             \
    X(ERR_BAD_PARAMETER, 15, "command parameter is missing or invalid")                                                \
    X(ERR_UNSUPPORTED, 16, "command is not supported by this device")                                                  \
    X(ERR_NOT_ACKNOWLEDGED, 17, "server did not acknowledge the upload")                                               \
    X(ERR_BAD_DATE, 18, "HTTP date is malformed")                                                                      \
    X(ERR_BAD_BASE64, 19, "base64 data is malformed")                                                                  \
    X(ERR_TOO_LONG, 20, "data is longer than allowed")                                                                 \
    X(ERR_BAD_TEMPLATE, 21, "fingerprint template is not valid")                                                       \
    X(ERR_CHECKSUM, 22, "firmware checksum does not match")                                                            \
    X(ERR_SIGNATURE, 23, "firmware signature is missing or invalid")                                                   \
    X(ERR_SIZE, 24, "firmware size does not match")                                                                    \
    X(ERR_HTTP_STATUS, 50, "server answered with an HTTP error status")                                                \
    X(ERR_NETWORK, 51, "network error: connection failed, was reset or timed out")                                     \
    X(ERR_TLS, 52, "TLS error: certificate or pinned key not accepted")                                                \
    X(ERR_RESPONSE_TOO_LARGE, 53, "server response exceeds the size limit")                                            \
    X(ERR_NOT_REGISTERED, 54, "device has not completed the handshake")                                                \
    X(ERR_STORE, 70, "terminal storage error")                                                                         \
    X(ERR_NO_MEMORY, 71, "out of memory")                                                                              \
    X(ERR_IO, 72, "file read or write failure")                                                                        \
    X(ERR_CRYPTO, 73, "cryptographic library failure")                                                                 \
    X(ERR_BUSY, 74, "device is busy")

typedef enum push_status {
#define PUSH_STATUS_ENUM_(name, num, msg) PUSH_##name = num,
    PUSH_STATUS_MAP(PUSH_STATUS_ENUM_)
#undef PUSH_STATUS_ENUM_
} push_status;

/* Static English message / symbolic name ("PUSH_ERR_BAD_OPTIONS"); never NULL. */
const char *push_status_message(push_status status);
const char *push_status_name(push_status status);

/* The protocol's command return codes (its appendix 1). */
enum {
    PUSH_RET_OK = 0,
    PUSH_RET_BAD_PARAMETER = -1,
    PUSH_RET_READ_WRITE = -3,
    PUSH_RET_TEMPLATE_SIZE = -9,
    PUSH_RET_NO_SUCH_USER = -10,
    PUSH_RET_TEMPLATE_FORMAT = -11,
    PUSH_RET_TEMPLATE_ILLEGAL = -12,
    PUSH_RET_CAPACITY = -1001,
    PUSH_RET_NOT_SUPPORTED = -1002,
    PUSH_RET_TIMEOUT = -1003,
    PUSH_RET_CONFIG = -1004, /* refused by the device's configuration (online update off) */
    PUSH_RET_BUSY = -1005,
    PUSH_RET_TOO_LONG = -1006,
    PUSH_RET_FETCH_FAILED = -1008
};

/* ------------------------------------------------------------------------ */
/* Options (registration / handshake response)                              */
/* ------------------------------------------------------------------------ */

#define PUSH_STAMP_MAX 31
#define PUSH_TRANS_TIMES_MAX 10

/* TransFlag bits, in the order of the protocol's digit-string form. */
enum {
    PUSH_TRANS_ATTLOG = 1u << 0,
    PUSH_TRANS_OPLOG = 1u << 1,
    PUSH_TRANS_ATTPHOTO = 1u << 2,
    PUSH_TRANS_ENROLL_FP = 1u << 3,
    PUSH_TRANS_ENROLL_USER = 1u << 4,
    PUSH_TRANS_FP_IMAGE = 1u << 5,
    PUSH_TRANS_CHG_USER = 1u << 6,
    PUSH_TRANS_CHG_FP = 1u << 7,
    PUSH_TRANS_FACE = 1u << 8,
    PUSH_TRANS_USER_PIC = 1u << 9,
    PUSH_TRANS_WORKCODE = 1u << 10,
    PUSH_TRANS_BIOPHOTO = 1u << 11
};
#define PUSH_TRANS_DEFAULT                                                                                             \
    (PUSH_TRANS_ATTLOG | PUSH_TRANS_OPLOG | PUSH_TRANS_ENROLL_FP | PUSH_TRANS_ENROLL_USER | PUSH_TRANS_CHG_USER |      \
     PUSH_TRANS_CHG_FP)

/* Which options were clamped or replaced by their default (push_options.adjusted). */
enum {
    PUSH_OPT_ERROR_DELAY = 1u << 0,
    PUSH_OPT_DELAY = 1u << 1,
    PUSH_OPT_TRANS_TIMES = 1u << 2,
    PUSH_OPT_TRANS_INTERVAL = 1u << 3,
    PUSH_OPT_TRANS_FLAG = 1u << 4,
    PUSH_OPT_TIMEZONE = 1u << 5,
    PUSH_OPT_REALTIME = 1u << 6,
    PUSH_OPT_STAMP = 1u << 7,
    PUSH_OPT_ENCRYPT = 1u << 8,
    PUSH_OPT_MULTI_BIO = 1u << 9,    /* MultiBioDataSupport malformed: no unified templates */
    PUSH_OPT_PUSH_OPTIONS = 1u << 10 /* PushOptionsFlag / PushOptions malformed: defaults kept */
};

/*
 * Biometric types of the unified templates (BIODATA Type=, the positions
 * of MultiBioDataSupport; the protocol's appendix 10). This terminal has
 * fingerprints only.
 */
enum { PUSH_BIO_COMMON = 0, PUSH_BIO_FINGER = 1, PUSH_BIO_FACE = 2, PUSH_BIO_TYPES = 10 };

/* BIODATA Format= for fingerprints. */
enum { PUSH_BIO_FORMAT_ZK = 0, PUSH_BIO_FORMAT_ISO = 1, PUSH_BIO_FORMAT_ANSI = 2 };

/* Largest PushOptions key list kept (the keys the server wants pushed, comma separated). */
#define PUSH_OPTIONS_KEYS_MAX 255

/* Ranges the device accepts (the protocol recommends 30-300 s and 2-60 s). */
#define PUSH_ERROR_DELAY_MIN 30
#define PUSH_ERROR_DELAY_MAX 300
#define PUSH_DELAY_MIN 2
#define PUSH_DELAY_MAX 60
#define PUSH_TRANS_INTERVAL_MAX 1440

typedef struct push_options {
    int bare_ok;                                /* the server answered a bare "OK": everything below is default */
    char att_stamp[PUSH_STAMP_MAX + 1];         /* ATTLOGStamp ("0" when absent or "None") */
    char op_stamp[PUSH_STAMP_MAX + 1];          /* OPERLOGStamp */
    uint32_t error_delay_s;                     /* ErrorDelay, 30..300, default 30 */
    uint32_t delay_s;                           /* Delay, 2..60, default 10 */
    uint32_t trans_interval_min;                /* TransInterval, 0 (off)..1440, default 1 */
    uint16_t trans_times[PUSH_TRANS_TIMES_MAX]; /* minutes of the day */
    uint32_t n_trans_times;
    uint32_t trans_flags; /* PUSH_TRANS_* */
    int32_t timezone_min; /* TimeZone in minutes east of UTC, -720..840 */
    int realtime;         /* Realtime 0/1, default 1 */
    int encrypt;          /* Encrypt requested (not supported: reported, never used) */
    char server_ver[32];
    char push_prot_ver[16];
    char bio_stamp[PUSH_STAMP_MAX + 1]; /* BIODATAStamp ("0" when absent) */
    /* MultiBioDataSupport: bit t set when the server takes unified templates of type t (PUSH_BIO_*); 0 when absent */
    unsigned bio_data_support;
    int push_options_flag;                        /* PushOptionsFlag=1: the server takes table=options pushes */
    char push_options[PUSH_OPTIONS_KEYS_MAX + 1]; /* PushOptions: "key1,key2" the server wants ("" none named) */
    unsigned adjusted;                            /* PUSH_OPT_* fields that were clamped or defaulted */
} push_options;

void push_options_defaults(push_options *out);

/*
 * Parses the options response body. The first line must be
 * "GET OPTION FROM: <sn>" (sn compared with `sn`; NULL skips the check),
 * or the whole body a bare "OK" (defaults, bare_ok = 1). Unknown keys are
 * ignored. TimeZone is hours for -12..12 (well, |v| <= 60 is read as hours)
 * and minutes beyond +-60. MultiBioDataSupport ("0:1:0:0:0:0:0:0:0:0",
 * spaces tolerated) gives bio_data_support; PushOptionsFlag and PushOptions
 * (letters, digits, '_' and '~' keys separated by commas) say whether and
 * what the device should push to table=options. Returns PUSH_OK, PUSH_ADJUSTED (values were
 * clamped: see out->adjusted and why), PUSH_ERR_BAD_OPTIONS,
 * PUSH_ERR_SN_MISMATCH. On error *out holds the defaults.
 */
push_status push_options_parse(const char *body, size_t len, const char *sn, push_options *out, char *why,
                               size_t why_cap);

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */
/* ------------------------------------------------------------------------ */

#define PUSH_CMD_ID_MAX 16
#define PUSH_PIN_MAX 24
#define PUSH_NAME_MAX 48
#define PUSH_PASSWD_MAX 16
#define PUSH_URL_MAX 512
#define PUSH_OPTION_KEY_MAX 63
#define PUSH_OPTION_VALUE_MAX 127
/* Largest fingerprint template accepted, as base64 text. */
#define PUSH_TMP_B64_MAX 8192
/* Largest firmware image accepted by UPGRADE. */
#define PUSH_FW_SIZE_MAX (256u * 1024u * 1024u)

/* One line of a getrequest answer: "C:<id>:<command text>". */
typedef struct push_cmd_line {
    char id[PUSH_CMD_ID_MAX + 1];
    const char *text; /* borrowed from the body */
    size_t text_len;
} push_cmd_line;

/*
 * Splits one line (without its LF; a trailing CR is dropped). Spaces after
 * "C:" and after the second colon are tolerated. Errors:
 * PUSH_ERR_BAD_COMMAND (no "C:" prefix or no second colon),
 * PUSH_ERR_BAD_COMMAND_ID (empty, longer than 16, not alphanumeric).
 */
push_status push_cmd_line_parse(const char *line, size_t len, push_cmd_line *out);

typedef enum push_cmd_kind {
    PUSH_CMD_UNKNOWN = 0,
    PUSH_CMD_UPDATE_USER,    /* DATA UPDATE USERINFO */
    PUSH_CMD_UPDATE_FP,      /* DATA UPDATE FINGERTMP */
    PUSH_CMD_DELETE_USER,    /* DATA DELETE USERINFO */
    PUSH_CMD_DELETE_FP,      /* DATA DELETE FINGERTMP */
    PUSH_CMD_QUERY_ATTLOG,   /* DATA QUERY ATTLOG */
    PUSH_CMD_QUERY_USER,     /* DATA QUERY USERINFO */
    PUSH_CMD_CLEAR_LOG,      /* CLEAR LOG */
    PUSH_CMD_CLEAR_DATA,     /* CLEAR DATA */
    PUSH_CMD_CHECK,          /* CHECK */
    PUSH_CMD_LOG,            /* LOG (upload new data now) */
    PUSH_CMD_INFO,           /* INFO */
    PUSH_CMD_SET_OPTION,     /* SET OPTION k=v */
    PUSH_CMD_RELOAD_OPTIONS, /* RELOAD OPTIONS */
    PUSH_CMD_ENROLL_FP,      /* ENROLL_FP */
    PUSH_CMD_ENROLL_CARD,    /* ENROLL_MF */
    PUSH_CMD_REBOOT,         /* REBOOT */
    PUSH_CMD_UPGRADE,        /* UPGRADE checksum=..,url=..,size=.. */
    PUSH_CMD_UPDATE_BIO,     /* DATA UPDATE BIODATA (unified template) */
    PUSH_CMD_DELETE_BIO,     /* DATA DELETE BIODATA Pin= [Type= [No=]] */
    PUSH_CMD_QUERY_BIO,      /* DATA QUERY BIODATA Type= [PIN= [No=]] */
    PUSH_CMD_QUERY_FP,       /* DATA QUERY FINGERTMP PIN= [FingerID=] */
    PUSH_CMD_CLEAR_BIO,      /* CLEAR BIODATA */
    PUSH_CMD_VERIFY_SUM,     /* VERIFY SUM ATTLOG StartTime= EndTime= */
    PUSH_CMD_REFUSED         /* SHELL, GetFile, PutFile: never executed, by design */
} push_cmd_kind;

/* Field presence bits of push_cmd.has. */
enum {
    PUSH_HAS_NAME = 1u << 0,
    PUSH_HAS_PRI = 1u << 1,
    PUSH_HAS_PASSWD = 1u << 2,
    PUSH_HAS_CARD = 1u << 3,
    PUSH_HAS_FID = 1u << 4,  /* FID, BIODATA No, FingerID */
    PUSH_HAS_TYPE = 1u << 5, /* BIODATA Type */
    PUSH_HAS_PIN = 1u << 6   /* PIN, where it is optional (QUERY BIODATA) */
};

typedef struct push_cmd {
    push_cmd_kind kind;
    int error_ret;              /* on a parse error: the return code to answer (-1, -9, -1002, -1006) */
    char reply_cmd[24];         /* what goes after CMD= in the result ("DATA", "CLEAR_LOG", ...) */
    unsigned has;               /* PUSH_HAS_* */
    char pin[PUSH_PIN_MAX + 1]; /* user commands, ENROLL_* */
    char name[PUSH_NAME_MAX + 1];
    int privilege;                    /* 0 user, 1 administrator (from Pri) */
    char passwd[PUSH_PASSWD_MAX + 1]; /* clear text from the server; "" = remove the password */
    uint64_t card;                    /* 0 = remove the card */
    uint32_t fid;                     /* finger index 0..9 (FINGERTMP FID, BIODATA No) */
    int valid;                        /* FINGERTMP Valid (0 invalid, 1 normal, 3 duress); BIODATA Valid 0/1 */
    uint32_t size;                    /* FINGERTMP Size (length of TMP's base64), UPGRADE size */
    const char *tmp;                  /* FINGERTMP TMP, BIODATA Tmp: base64 (borrowed from the command text) */
    size_t tmp_len;
    int bio_type;                      /* BIODATA Type 0..9 (PUSH_BIO_*) */
    uint32_t bio_index;                /* BIODATA Index: template number of that finger, 0..9 */
    int duress;                        /* BIODATA Duress 0/1 */
    int bio_format;                    /* BIODATA Format 0..9 (PUSH_BIO_FORMAT_*), 0 when absent */
    int major_ver, minor_ver;          /* BIODATA MajorVer, MinorVer 0..99 */
    int64_t start, end;                /* QUERY ATTLOG, VERIFY SUM: local seconds since 1970 */
    char key[PUSH_OPTION_KEY_MAX + 1]; /* SET OPTION */
    char value[PUSH_OPTION_VALUE_MAX + 1];
    uint32_t retry;             /* ENROLL_*: RETRY */
    int overwrite;              /* ENROLL_FP: OVERWRITE */
    char checksum[33];          /* UPGRADE: lower-case hex MD5 */
    char url[PUSH_URL_MAX + 1]; /* UPGRADE */
} push_cmd;

/*
 * Parses a command text (what follows "C:<id>:"). Keys of the key=value
 * records are matched without regard to case (the protocol writes PIN and
 * Pin). Unknown commands give
 * PUSH_ERR_UNSUPPORTED with kind PUSH_CMD_UNKNOWN (reply -1002); SHELL,
 * GetFile and PutFile give PUSH_ERR_UNSUPPORTED with PUSH_CMD_REFUSED.
 * Known commands with bad arguments give PUSH_ERR_BAD_PARAMETER (reply -1)
 * and still set kind and reply_cmd. The TMP pointer borrows from text.
 */
push_status push_cmd_parse(const char *text, size_t len, push_cmd *out, char *why, size_t why_cap);

/* ------------------------------------------------------------------------ */
/* Replies from the server                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Parses an upload acknowledgement: "OK" (*count = -1: all), "OK:n" or
 * "OK: n" (*count = n). Surrounding white space is ignored. Anything else:
 * PUSH_ERR_NOT_ACKNOWLEDGED.
 */
push_status push_ack_parse(const char *body, size_t len, int64_t *count);

/*
 * Parses an HTTP date (RFC 7231 IMF-fixdate, "Fri, 03 Jul 2015 06:53:01
 * GMT"; spaces around the colons tolerated) into seconds since 1970 UTC.
 * Errors: PUSH_ERR_BAD_DATE.
 */
push_status push_http_date_parse(const char *text, size_t len, int64_t *utc);

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

/* Calendar helpers on seconds since 1970 (no time zone applied). */
void push_time_format(int64_t t, char out[20]); /* "YYYY-MM-DD hh:mm:ss" */
/* Parses "YYYY-MM-DD hh:mm:ss" (spaces around colons tolerated). Errors: PUSH_ERR_BAD_PARAMETER. */
push_status push_time_parse(const char *text, size_t len, int64_t *t);

/* The record of an attendance line: the protocol's fields. */
typedef struct push_attlog {
    const char *pin;
    int64_t time;      /* local seconds */
    int status;        /* protocol status: 0 check-in .. 5 OT-out, 255 none */
    int verify;        /* protocol verify: 0 password, 1 fingerprint, 2 card */
    int64_t record_id; /* the terminal's stable record id, sent in the first reserved field */
} push_attlog;

/*
 * Each formatter appends one line (with its LF) at buf + *pos, advancing
 * *pos; on PUSH_ERR_TOO_LONG nothing is written and *pos is unchanged.
 * Text fields have TAB, CR and LF replaced by spaces so a field can never
 * forge another field or line.
 */
push_status push_format_attlog(char *buf, size_t cap, size_t *pos, const push_attlog *rec);
push_status push_format_oplog(char *buf, size_t cap, size_t *pos, int op_type, const char *who, int64_t time,
                              const char *value1, int64_t oplog_id);
/* USER line. The password is never sent (the device keeps only a hash): the Passwd field is left out. */
push_status push_format_user(char *buf, size_t cap, size_t *pos, const char *pin, const char *name, int privilege,
                             uint64_t card);
/* FP line; tmpl is encoded in base64 here. */
push_status push_format_fp(char *buf, size_t cap, size_t *pos, const char *pin, uint32_t fid, const uint8_t *tmpl,
                           size_t tmpl_len);
/*
 * BIODATA line of a fingerprint (Type=1): "BIODATA Pin=..<HT>No=<fid><HT>Index=0<HT>Valid=1<HT>Duress=0
 * <HT>Type=1<HT>MajorVer=..<HT>MinorVer=..<HT>Format=..<HT>Tmp=<base64>"; tmpl is encoded here.
 */
push_status push_format_biodata(char *buf, size_t cap, size_t *pos, const char *pin, uint32_t fid, int major_ver,
                                int minor_ver, int format, const uint8_t *tmpl, size_t tmpl_len);
/* "ID=<id>&Return=<ret>&CMD=<cmd>" plus LF. */
push_status push_format_result(char *buf, size_t cap, size_t *pos, const char *id, int ret, const char *cmd);
/* VERIFY SUM's result: "ID=<id>&Return=<ret>&CMD=VERIFY SUM&StartTime=..&EndTime=..&AttlogSum=<n>" plus LF. */
push_status push_format_verify_sum(char *buf, size_t cap, size_t *pos, const char *id, int ret, int64_t start,
                                   int64_t end, uint64_t sum);
/*
 * One "key=value" item of a table=options push, with a ',' before it when
 * *pos is past the start. A key must be 1-63 letters, digits, '_' or '~';
 * in the value ',', '=', CR, LF and TAB become spaces. No LF is added.
 */
push_status push_format_option_item(char *buf, size_t cap, size_t *pos, const char *key, const char *value);

/* Base64 (RFC 4648, with padding). Decoding skips no characters: any
 * non-alphabet byte is an error. */
size_t push_base64_encoded_len(size_t n);
push_status push_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *written);
push_status push_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *written);

/* The protocol's verify code / status code for the terminal's values. */
int push_verify_code(int term_verify_type);
int push_status_code(int term_punch_state);

#ifdef __cplusplus
}
#endif

#endif /* PUSH_PROTO_H */
