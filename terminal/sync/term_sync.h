/*
 * term_sync.h - the terminal's cloud sync engine: the device side of the
 * PUSH protocol over a push_transport, with the outbox kept in the
 * terminal's encrypted database.
 *
 * What it does (docs/sync.md has the whole picture):
 *   - handshake: GET /iclock/cdata?options=all; applies the options, stores
 *     the server's stamps, sets the clock from the Date header + TimeZone;
 *   - uploads every attendance record and operation-log entry at least once
 *     (ATTLOG / OPERLOG), and users and fingerprint templates for backup
 *     (USER / FP lines), each batch marked only after the server's OK;
 *   - polls GET /iclock/getrequest every Delay seconds, executes the
 *     commands against the store and answers through /iclock/devicecmd;
 *     executed command ids are persisted so a resent command is answered
 *     again but never applied twice;
 *   - fetches, verifies (size, MD5, Ed25519) and stages firmware (UPGRADE).
 *
 * Driving it: the app's main loop calls term_sync_step(sync, now_ms) and
 * sleeps until term_sync_next_wake(); or a thread calls term_sync_run().
 * No thread is started here. `now_ms` is a monotonic clock in
 * milliseconds chosen by the caller (tests drive a fake clock).
 *
 * Tables it keeps in the store's database (created with IF NOT EXISTS):
 * sync_state, sync_outbox, sync_cmds, sync_digest.
 *
 * Settings it reads from the store at each step (the installer's, Comm. >
 * Cloud Server Setting; a server cannot change them with SET OPTION):
 * upload_attendance_always (send attendance records even when the
 * server's TransFlag does not ask for them) and server_may_remove_pins (an
 * empty Passwd= in DATA UPDATE USERINFO removes the user's PIN; off: the
 * PIN is kept and the fact logged).
 *
 * Ownership: the store and transport are borrowed and must outlive the
 * engine. Thread safety: one thread at a time, and the store must not be
 * used by another thread during a step (term_store's own rule). To run the
 * engine on its own thread (term_sync_run), give it its own term_store
 * opened on the same database file: SQLite's locking then arbitrates
 * between the app's handle and the engine's, as between processes.
 */
#ifndef TERM_SYNC_H
#define TERM_SYNC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "push_proto.h"
#include "push_transport.h"
#include "term_fw.h"
#include "term_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bits of term_sync_device_ops.data_changed. */
enum {
    TERM_SYNC_CHANGED_USERS = 1u << 0,
    TERM_SYNC_CHANGED_FINGERS = 1u << 1,
    TERM_SYNC_CHANGED_RECORDS = 1u << 2,
    TERM_SYNC_CHANGED_SETTINGS = 1u << 3
};

typedef enum term_sync_log_level {
    TERM_SYNC_LOG_INFO = 0,
    TERM_SYNC_LOG_WARN = 1,
    TERM_SYNC_LOG_ERROR = 2
} term_sync_log_level;

/*
 * What the engine needs from the application: the device UI for commands
 * that need a person at the terminal, the clock, and notifications. Every
 * pointer may be NULL (the command is then answered -1002 "not supported",
 * or the notification is skipped).
 */
typedef struct term_sync_device_ops {
    void *ctx;
    /*
     * ENROLL_FP: start fingerprint enrolment of finger `index` for `uid` on
     * the device screen. Returns 0 when started (the app later calls
     * term_sync_enroll_done with the same cmd_id), or a protocol return
     * code to answer at once (-1005 busy, -10 no such user, 2 exists...).
     */
    int (*enroll_finger)(void *ctx, const char *cmd_id, const char *uid, uint32_t index, uint32_t retry, int overwrite);
    /* ENROLL_MF: as enroll_finger, for a card. */
    int (*enroll_card)(void *ctx, const char *cmd_id, const char *uid, uint32_t retry);
    /* REBOOT: called once the 0 answer has been delivered to the server. */
    void (*reboot)(void *ctx);
    /* Sets the RTC to this local time (seconds since 1970, the server's Date + TimeZone). */
    void (*set_clock)(void *ctx, int64_t local_time);
    /* Users, fingers, records or settings were changed by a server command (TERM_SYNC_CHANGED_*). */
    void (*data_changed)(void *ctx, unsigned what);
    /* A verified firmware image is staged at path (its signature at path + ".sig"). */
    void (*firmware_ready)(void *ctx, const char *path);
    /* One log line, no newline. */
    void (*log)(void *ctx, term_sync_log_level level, const char *msg);
    /*
     * SET OPTION of a terminal setting (its stable name and the server's
     * text; the settings a server may not change were refused before):
     * returns 0 when the application took it over (it validates, saves and
     * applies it, then answers with term_sync_command_done and the same
     * cmd_id), or a protocol return code to answer at once. NULL: the
     * engine saves the setting into the store itself and reports
     * TERM_SYNC_CHANGED_SETTINGS.
     */
    int (*set_setting)(void *ctx, const char *cmd_id, const char *name, const char *value);
} term_sync_device_ops;

typedef struct term_sync_config {
    const char *serial;       /* SN, 1-32 letters/digits */
    const char *push_version; /* pushver sent at registration; NULL: "2.4.1" */
    const char *fw_version;   /* firmware version for INFO; NULL: "unknown" */
    const char *device_name;  /* NULL: the profile's model */
    const char *staging_dir;  /* firmware staging directory; NULL: UPGRADE answered -1002 */
    const uint8_t *fw_pubkey; /* 32-byte Ed25519 key (compiled in or from term_fw_pubkey_load); NULL: no UPGRADE */
    uint32_t batch_lines;     /* lines per upload request; 0: 500 */
    size_t batch_bytes;       /* bytes per upload request; 0: 256 KiB */
    uint32_t backoff_min_ms;  /* first retry delay after a failure; 0: 1000 */
    uint32_t error_delay_ms;  /* overrides the server's ErrorDelay as the backoff cap (tests); 0: ErrorDelay */
    uint32_t poll_ms;         /* overrides Delay as the poll interval (tests); 0: Delay */
    term_sync_device_ops device;
} term_sync_config;

typedef struct term_sync term_sync;

/*
 * Creates the engine and its tables. Caller frees with term_sync_destroy.
 * Errors: PUSH_ERR_INVALID_ARGUMENT (no store/transport, bad serial),
 * PUSH_ERR_STORE, PUSH_ERR_NO_MEMORY.
 */
push_status term_sync_create(const term_sync_config *cfg, term_store *store, push_transport *transport,
                             term_sync **out);
void term_sync_destroy(term_sync *sync);

/*
 * Does whatever is due at now_ms: the handshake (and retries with
 * exponential backoff capped at ErrorDelay), one upload batch per table,
 * the command poll and its answers. Returns PUSH_OK or the error of the
 * failed exchange (the engine has already scheduled its retry).
 */
push_status term_sync_step(term_sync *sync, int64_t now_ms);
/* When the next step has something to do (monotonic ms). */
int64_t term_sync_next_wake(const term_sync *sync);

/*
 * Steps until *stop becomes non-zero, sleeping in between (at most 200 ms
 * at a time so a stop is seen quickly). For a dedicated thread; another
 * thread sets *stop (an atomic: a plain or volatile flag would be a data
 * race). The terminal uses the worker (term_sync_worker.h) instead.
 */
void term_sync_run(term_sync *sync, atomic_int *stop);

/* Uploads now instead of at the next TransInterval (the app calls it after a punch when Realtime is on). */
void term_sync_kick(term_sync *sync);

/*
 * Link state for the application's status bar and binding screens (no I/O):
 * online: registered and the last exchange succeeded; bound: a registration
 * has succeeded at least once on this database (kept in sync_state), which
 * is how the terminal learns that the cloud accepted it (manual 1.1).
 * realtime: the server's Realtime option in force.
 */
int term_sync_is_online(const term_sync *sync);
int term_sync_is_bound(const term_sync *sync);
int term_sync_realtime(const term_sync *sync);
/* The text of the binding QR code: "SN=<serial>&DeviceName=<name>&PushVersion=<ver>", cut to cap. */
void term_sync_bind_code(const term_sync *sync, char *buf, size_t cap);
/*
 * Makes the next step poll for commands (registering first when offline),
 * e.g. for the menu's "Check for Updates": an UPGRADE waiting on the server
 * is then fetched and staged in that step.
 */
void term_sync_check_now(term_sync *sync);

/*
 * USB upgrade (manual 6.6): verifies image_path with its signature sig_path
 * exactly as an online UPGRADE is verified (term_fw_stage: Ed25519 under
 * the device key; no size or MD5 announcement exists for a file on a
 * drive), stages it and calls the device's firmware_ready. why (optional)
 * says what was wrong. Errors: PUSH_ERR_UNSUPPORTED (no staging directory
 * or no key configured), those of term_fw_stage.
 */
push_status term_sync_stage_file(term_sync *sync, const char *image_path, const char *sig_path, char *why,
                                 size_t why_cap);
/*
 * Replaces the transport (borrowed; the caller destroys the old one after
 * this call) when the server address changed: the next step registers with
 * the new server. Outbox watermarks are kept, so what the old server
 * acknowledged is not sent again; the new server can ask for it with CHECK
 * (stamp 0) or DATA QUERY ATTLOG. Errors: PUSH_ERR_INVALID_ARGUMENT.
 */
push_status term_sync_set_transport(term_sync *sync, push_transport *transport);

/*
 * The result of an ENROLL_FP / ENROLL_MF started through the device ops (0
 * ok, or the protocol's code); on 0 the backup scan runs at the next step.
 * Errors: PUSH_ERR_INVALID_ARGUMENT (no such command waiting for its
 * result, e.g. already answered -1003 by a restart), PUSH_ERR_STORE.
 */
push_status term_sync_enroll_done(term_sync *sync, const char *cmd_id, int ret);
/* The result of any other command the application took over (set_setting); errors as term_sync_enroll_done. */
push_status term_sync_command_done(term_sync *sync, const char *cmd_id, int ret);

/* The protocol's return code (Return=) for a store status: 0, -10 no such user, -1001 capacity... */
int term_sync_return_of(term_status status);

/*
 * What waits to go up, read from the database through any handle on it
 * (the application's own, on its own thread: no engine needed, never waits
 * for the engine's network exchanges): attendance records and
 * operation-log entries past the acknowledged watermarks, and queued lines.
 * Any pointer may be NULL. Before the engine first ran on the database
 * everything counts as waiting. Errors: PUSH_ERR_INVALID_ARGUMENT,
 * PUSH_ERR_STORE.
 */
push_status term_sync_pending_get(term_store *store, uint64_t *records, uint64_t *oplog, uint64_t *queued);

/*
 * The libcurl transport for the server address stored in the terminal's
 * settings (server_address, manual 5.2); the other fields of *base
 * (optional) are used as given. Errors: PUSH_ERR_STORE, and those of
 * push_curl_create.
 */
push_status term_sync_transport_from_settings(term_store *store, const push_curl_config *base, push_transport **out);

/*
 * Why records wait although the link is up (term_sync_upload_hold,
 * stats.hold). The application shows it on the Connection Status screen
 * and in the status bar's server icon.
 */
typedef enum term_sync_hold {
    TERM_SYNC_HOLD_NONE = 0,
    /* attendance records wait: the server's TransFlag has no AttLog and the installer's
       "Upload Attendance Always" (setting upload_attendance_always) is off */
    TERM_SYNC_HOLD_NOT_REQUESTED = 1
} term_sync_hold;

/* Static English text of a hold ("" for none). */
const char *term_sync_hold_message(term_sync_hold hold);

/*
 * Whether uploads are held and why, as of the last step (no I/O): a hold is
 * reported only while records are actually waiting behind it.
 */
term_sync_hold term_sync_upload_hold(const term_sync *sync);

typedef struct term_sync_stats {
    int registered; /* handshake done and the link is up */
    uint64_t handshakes, requests, failures;
    uint64_t att_uploaded, op_uploaded, queue_uploaded; /* lines acknowledged */
    uint64_t commands_run, commands_repeated, results_sent;
    int64_t att_acked_id, op_acked_id; /* outbox watermarks */
    uint64_t att_pending, op_pending, queue_pending;
    push_options options;    /* in force */
    term_sync_hold hold;     /* why records wait (as of the last step) */
    int bio_upload;          /* fingers go up as BIODATA (the server announced them in MultiBioDataSupport) */
    uint64_t options_pushed; /* table=options pushes acknowledged */
    push_status last_error;
    char last_reason[160];
} term_sync_stats;

push_status term_sync_stats_get(term_sync *sync, term_sync_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* TERM_SYNC_H */
