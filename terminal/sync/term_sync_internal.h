/*
 * term_sync_internal.h - the sync engine's parts as its files share them
 * (not installed, not for the application). The engine is split along its
 * seams:
 *
 *   term_sync.c       life cycle, the link (requests, backoff), step, stats
 *   sync_handshake.c  registration: options, clock, upload schedule
 *   sync_outbox.c     uploads: record watermarks, the sync_outbox queue, backup scan
 *   sync_commands.c   getrequest, command dispatch, results (devicecmd), options and INFO
 *   sync_data.c       DATA commands on users, fingers and records; CLEAR
 *   sync_fw.c         UPGRADE and USB staging
 *
 * Internal functions are prefixed sync_. One thread at a time (term_sync.h).
 */
#ifndef TERM_SYNC_INTERNAL_H
#define TERM_SYNC_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "term_sync.h"

#define PIN_SALT_BYTES 16
#define PIN_HASH_BYTES 32
#define RESULT_LINES_MAX 64
#define CMD_HISTORY 2000

/*
 * The fingerprint "algorithm version" this terminal announces (INFO's
 * FPVersion, getrequest's INFO, MultiBioVersion, BIODATA MajorVer.MinorVer):
 * 10.0, the version the protocol ties to FINGERTMP. What the template bytes
 * are is said by BIODATA's Format (1, ISO 19794-2), never by this number.
 */
#define SYNC_FP_MAJOR_VER 10
#define SYNC_FP_MINOR_VER 0

/* What sync_queue_users queues. */
enum {
    SYNC_Q_USER = 1u << 0, /* USER lines (OPERLOG) */
    SYNC_Q_FP = 1u << 1,   /* FP lines (OPERLOG) */
    SYNC_Q_BIO = 1u << 2   /* BIODATA lines (table BIODATA) */
};

struct term_sync {
    term_store *st;
    sqlite3 *db;
    push_transport *tp;
    char sn[33];
    char pushver[16];
    char fwver[64];
    char devname[64];
    char staging[480];
    uint8_t pubkey[TERM_FW_PUBKEY_BYTES];
    int have_key;
    uint32_t batch_lines;
    size_t batch_bytes;
    uint32_t backoff_min_ms, error_delay_ms, poll_ms;
    term_sync_device_ops dev;

    push_options opt;
    int registered;
    int info_sent;
    int upload_now;
    int backlog;
    int scan_needed;
    int reboot_pending;
    int bound; /* a registration has succeeded once (persisted as sync_state.bound) */
    int check_pending;
    int reload_pending;
    unsigned failures;
    int64_t now;
    int64_t next_handshake, next_poll, next_upload;
    int64_t last_poll; /* when getrequest last succeeded */
    int64_t last_scanned_oplog;
    /* the installer's settings, read at each step (sync_read_settings) */
    int att_always;    /* upload_attendance_always */
    int pin_removal;   /* server_may_remove_pins */
    int alnum_ids;     /* alphanumeric_user_id */
    int online_update; /* online_update */
    int bio_upload;    /* fingers go up as BIODATA: the server's MultiBioDataSupport has fingerprints */
    term_sync_hold hold;
    int repoll;              /* the last poll brought new commands: poll again at once */
    int options_push_due;    /* a table=options push should be checked (registration, users or fingers changed) */
    uint64_t options_digest; /* of the last table=options body the server acknowledged */
    int have_local_time;     /* the server's Date gave us local time: */
    int64_t local_base_s;    /* local seconds at ... */
    int64_t local_base_ms;   /* ... this monotonic time */

    char *buf;
    int64_t *ids;
    term_sync_stats stats;
};

/* ---- helpers (term_sync.c) ---- */

/* One log line through the device op; WARN and ERROR also become stats.last_reason. */
void sync_log(term_sync *s, term_sync_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sync_db_exec(term_sync *s, const char *sql);
/* sync_state key/value rows. */
int64_t sync_state_get(term_sync *s, const char *key, int64_t def);
int sync_state_set_text(term_sync *s, const char *key, const char *value);
int sync_state_set(term_sync *s, const char *key, int64_t v);
/* The first column of the first row of sql, or def. */
int64_t sync_query_int(term_sync *s, const char *sql, int64_t def);
/* The protocol's answer for a store status; storage full (-1001) is logged as such. */
int sync_store_ret(term_sync *s, term_status t, const char *what);
/* The answer for a failed statement of the engine's own SQL, called before its ROLLBACK: -1001 full (logged), -3. */
int sync_sql_ret(term_sync *s, const char *what);
/*
 * A user id from the server in the store's terms (docs/terminal.md "User
 * ids"): the stored id of the user it names ("01" is user 1, "7" finds a
 * "007" kept from earlier firmware), else its canonical form (a new user
 * "01" is stored as "1"). Ids that are no ids are left for the command to
 * refuse.
 */
void sync_normalise_pin(term_sync *s, push_cmd *c);
/* Percent-encodes s for a query string (cut to cap). */
void sync_pct(const char *s, char *out, size_t cap);
/* Reads the installer's settings the engine follows (att_always, pin_removal, alnum_ids, online_update). */
void sync_read_settings(term_sync *s);
/* FNV-1a 64 of n bytes (change detection, not security). */
uint64_t sync_fnv64(const char *p, size_t n);

/* ---- the link (term_sync.c) ---- */

int64_t sync_poll_interval_ms(const term_sync *s);
/* Marks the link down, schedules the next registration with backoff, logs; returns st. */
push_status sync_link_failed(term_sync *s, push_status st, const char *what);
/* One request; an HTTP status other than 200 is PUSH_ERR_HTTP_STATUS (resp cleared). */
push_status sync_call(term_sync *s, const char *method, const char *path, const char *body, size_t len,
                      push_response *resp);

/* ---- registration (sync_handshake.c) ---- */

push_status sync_handshake(term_sync *s);
/* Next interval or timed upload (Realtime=0). */
void sync_schedule_upload(term_sync *s);
/* The device's configuration to table=options when the server asked for it (PushOptionsFlag) and it changed. */
push_status sync_push_options(term_sync *s);
/*
 * The value of one device-information key (INFO's and table=options'):
 * "~DeviceName", "FPCount", "MultiBioDataSupport"... into out; 0 when the
 * key is not known here. n holds the store's counts.
 */
int sync_device_value(term_sync *s, const term_store_counts *n, const char *key, char *out, size_t cap);

/* ---- outbox (sync_outbox.c) ---- */

/* One batch per table that is due; sets s->backlog when more is waiting. */
push_status sync_upload_all(term_sync *s);
/* Whether records wait behind the upload policy (s->hold), logged when that starts. */
void sync_update_hold(term_sync *s);
/* Backup scan: queues USER / FP lines whose content changed. */
void sync_scan_users(term_sync *s);
/*
 * Queues what (SYNC_Q_*) of one user (uid; fid: one finger, -1 all) or of
 * everybody (uid NULL); only_changed skips lines sent unchanged before. 0 or -1.
 */
int sync_queue_users(term_sync *s, const char *uid, int fid, unsigned what, int only_changed);
/* The form fingers go up in: SYNC_Q_BIO when the server announced BIODATA fingerprints, else SYNC_Q_FP. */
unsigned sync_finger_form(const term_sync *s);
/* Appends one line to sync_outbox for table; stamp: the record id of an ATTLOG line, else 0. 0 or -1. */
int sync_enqueue(term_sync *s, const char *table, const char *line, size_t len, int64_t stamp);

/* ---- commands (sync_commands.c) ---- */

push_status sync_poll(term_sync *s);
push_status sync_ping(term_sync *s);
push_status sync_send_results(term_sync *s);
/* Runs one command line, records its answer; 1 when it was new, 0 for a repeat (or not recorded). */
int sync_run_command(term_sync *s, const push_cmd_line *cl);
int sync_cmd_known(term_sync *s, const char *id, int *state);
int sync_cmd_record(term_sync *s, const char *id, const char *reply, int state);
/* "ID=..&Return=..&CMD=.." NUL-terminated in out. 0 or -1. */
int sync_reply_line(char *out, size_t cap, const char *id, int ret, const char *cmd);
/* The server changed users, fingers, records or settings (TERM_SYNC_CHANGED_*). */
void sync_changed(term_sync *s, unsigned what);

/* ---- DATA and CLEAR commands (sync_data.c); each returns the protocol's return code ---- */

int sync_exec_update_user(term_sync *s, const push_cmd *c, const char *reply_ok, const char *id);
int sync_exec_update_fp(term_sync *s, const push_cmd *c);
int sync_exec_delete_fp(term_sync *s, const push_cmd *c);
int sync_exec_query_attlog(term_sync *s, const push_cmd *c);
int sync_exec_clear_data(term_sync *s);
int sync_exec_update_bio(term_sync *s, const push_cmd *c);
int sync_exec_delete_bio(term_sync *s, const push_cmd *c);
int sync_exec_query_bio(term_sync *s, const push_cmd *c);
int sync_exec_query_fp(term_sync *s, const push_cmd *c);
int sync_exec_clear_bio(term_sync *s);
/* VERIFY SUM ATTLOG: the number of records from c->start to c->end into *sum. */
int sync_exec_verify_sum(term_sync *s, const push_cmd *c, uint64_t *sum);

/* ---- firmware (sync_fw.c) ---- */

int sync_exec_upgrade(term_sync *s, const push_cmd *c);

#endif /* TERM_SYNC_INTERNAL_H */
