/*
 * term_sync_worker.h - the sync engine (term_sync.h) on a thread of its
 * own, so that a slow, stalled or absent server never holds the
 * application's thread: the screen, the keypad, the sensor and every punch
 * go on while the engine waits for the network (docs/sync.md, "The
 * worker").
 *
 * The worker thread opens its own connection to the terminal's database
 * (the same file and key as the application's store; SQLite's locking, WAL
 * and the busy timeout arbitrate between the two connections as between
 * processes), makes the libcurl transport from the server_address setting,
 * creates the engine over them and steps it whenever it is due. Nothing
 * of that is ever touched by another thread. The store stays the single
 * source of truth: punches are rows the application commits; the engine
 * reads them past its watermarks and moves a watermark only on the
 * server's OK.
 *
 * The application talks to the worker only through the functions below,
 * which never wait for the network or the database: each takes the
 * worker's mutex, which is held only to copy a few hundred bytes, never
 * across a request, a statement or a callback.
 *
 *   application -> worker: kicks (a punch, a local change), answers of the
 *   commands the application took over, Check for Updates, a USB image to
 *   verify, a new server address;
 *   worker -> application: requests that need the application
 *   (ENROLL_FP / ENROLL_MF at the terminal, SET OPTION of a terminal
 *   setting), answered with term_sync_worker_answer; and notices, coalesced
 *   so that they never fill a queue: what the server changed (reload the
 *   gallery, the settings), the clock, a staged firmware image, REBOOT, the
 *   outcome of Check for Updates and of a USB image;
 *   status: link state, binding, the hold and the statistics as of the last
 *   step, for the screen.
 *
 * Thread safety: every function may be called from any thread, but the
 * requests and notices are meant for one consumer (the application's
 * thread). Ownership: the config is copied (strings too); destroy with
 * term_sync_worker_stop.
 */
#ifndef TERM_SYNC_WORKER_H
#define TERM_SYNC_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "term_sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Commands handed to the application and not yet answered, at most; a further one is answered -1005 (busy). */
#define TERM_SYNC_WORKER_REQUESTS 16

typedef struct term_sync_worker term_sync_worker;

/* What the application carries out (term_sync_worker_config.handled). */
enum {
    TERM_SYNC_WORKER_ENROLL = 1u << 0,   /* ENROLL_FP / ENROLL_MF become requests (else answered -1002) */
    TERM_SYNC_WORKER_SETTINGS = 1u << 1, /* SET OPTION of a terminal setting becomes a request (else the engine
                                            saves it and reports TERM_SYNC_CHANGED_SETTINGS) */
    TERM_SYNC_WORKER_REBOOT = 1u << 2    /* REBOOT becomes the reboot notice (else answered -1002) */
};

typedef struct term_sync_worker_config {
    /* The application's database (create_key is ignored: the worker never makes a key). */
    term_store_config store;
    /* The engine's settings. Its device ops are the worker's own, except log (optional; called on the
     * worker's thread, with device.ctx). */
    term_sync_config sync;
    /* The transport's settings; the address is always the stored server_address setting. */
    push_curl_config curl;
    /* The engine's monotonic clock in ms, called on the worker's thread; NULL: CLOCK_MONOTONIC. A clock that
     * reads INT64_MIN has not started: nothing is due until it does. */
    int64_t (*clock_ms)(void *ctx);
    void *clock_ctx;
    /* Called on the worker's thread when a request or a notice waits for the application (to wake its loop). */
    void (*notify)(void *ctx);
    void *notify_ctx;
    unsigned handled; /* TERM_SYNC_WORKER_* */
} term_sync_worker_config;

/*
 * Starts the thread and waits until it opened the database, made the
 * transport and created the engine (a few milliseconds: no network).
 * Errors: PUSH_ERR_INVALID_ARGUMENT, PUSH_ERR_NO_MEMORY, PUSH_ERR_STORE
 * (the database did not open), those of term_sync_transport_from_settings
 * and term_sync_create; nothing is left running then.
 */
push_status term_sync_worker_start(const term_sync_worker_config *cfg, term_sync_worker **out);
/*
 * Asks the thread to stop and returns at once; the thread applies the
 * answers already given, closes its database connection and ends after the
 * exchange under way (at most the transport's timeout).
 */
void term_sync_worker_request_stop(term_sync_worker *w);
/* Stops (as above), waits for the thread and frees the worker. Accepts NULL. */
void term_sync_worker_stop(term_sync_worker *w);

typedef enum term_sync_request_kind {
    TERM_SYNC_REQ_ENROLL_FINGER = 1, /* ENROLL_FP: uid, index, retry, overwrite */
    TERM_SYNC_REQ_ENROLL_CARD = 2,   /* ENROLL_MF: uid, retry */
    TERM_SYNC_REQ_SET_SETTING = 3    /* SET OPTION of a terminal setting: name (stable name), value (server text) */
} term_sync_request_kind;

/* A server command the application carries out; answer it with term_sync_worker_answer(cmd_id, return code). */
typedef struct term_sync_request {
    term_sync_request_kind kind;
    char cmd_id[PUSH_CMD_ID_MAX + 1];
    char uid[PUSH_PIN_MAX + 1];
    uint32_t index, retry;
    int overwrite;
    char name[PUSH_OPTION_KEY_MAX + 1];
    char value[PUSH_OPTION_VALUE_MAX + 1];
} term_sync_request;

/* What happened on the worker's side since the last term_sync_worker_notices (flags: 0 nothing). */
typedef struct term_sync_notice {
    unsigned changed; /* TERM_SYNC_CHANGED_* by server commands: reload the gallery, the settings... */
    int set_clock;    /* the server's local time (seconds since 1970) for the RTC: */
    int64_t clock;
    int firmware_ready; /* a verified image is staged at firmware_path (signature: + ".sig") */
    char firmware_path[520];
    int reboot;       /* REBOOT was answered to the server: restart */
    int check_done;   /* term_sync_worker_check_now finished: */
    int check_result; /* 1 an image was staged, 0 nothing new, -1 the server could not be reached */
    int stage_done;   /* term_sync_worker_stage_file finished: */
    push_status stage_status;
    char stage_why[160];
} term_sync_notice;

/* Takes the oldest request; 1 when one was taken. */
int term_sync_worker_next_request(term_sync_worker *w, term_sync_request *out);
/* Takes (and clears) the notices; 1 when any was set. */
int term_sync_worker_notices(term_sync_worker *w, term_sync_notice *out);
/*
 * The application's answer to a request (0, or the protocol's return
 * code). Errors: PUSH_ERR_INVALID_ARGUMENT (no request of that id waits:
 * unknown, or answered already).
 */
push_status term_sync_worker_answer(term_sync_worker *w, const char *cmd_id, int ret);

/* A punch was stored (punch 1: uploaded at once when the server's Realtime is on) or a user changed (0). */
void term_sync_worker_kick(term_sync_worker *w, int punch);
/* Check for Updates: poll the server now; the outcome comes as notice check_done. */
void term_sync_worker_check_now(term_sync_worker *w);
/* USB upgrade: verify and stage this image and signature (term_sync_stage_file); outcome as notice stage_done. */
push_status term_sync_worker_stage_file(term_sync_worker *w, const char *image_path, const char *sig_path);
/* The server_address setting changed: the worker makes a transport for the stored address and registers there. */
void term_sync_worker_reconnect(term_sync_worker *w);

typedef struct term_sync_worker_status {
    int online;   /* registered and the last exchange succeeded */
    int bound;    /* a registration succeeded once on this database */
    int realtime; /* the server's Realtime option */
    term_sync_hold hold;
    int busy;              /* a step is under way (the worker may be waiting for the server) */
    uint64_t steps;        /* steps done since the start */
    term_sync_stats stats; /* as of the end of the last step */
} term_sync_worker_status;

/* The status as of the last step (a copy; never waits for a step). */
void term_sync_worker_status_get(term_sync_worker *w, term_sync_worker_status *out);
/* The binding QR text (term_sync_bind_code), fixed at the start. */
void term_sync_worker_bind_code(term_sync_worker *w, char *buf, size_t cap);

/*
 * A barrier for hosts that drive time themselves (tests, the script
 * driver): term_sync_worker_barrier returns a ticket; the worker passes it
 * once it took every input given before, and stepped until nothing is due
 * at its clock. term_sync_worker_wait waits up to timeout_ms for that, but
 * returns early when a request or a notice waits for the application
 * (which may have to answer before the worker can go on): 1 passed, 0 not
 * yet.
 */
uint64_t term_sync_worker_barrier(term_sync_worker *w);
int term_sync_worker_wait(term_sync_worker *w, uint64_t ticket, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* TERM_SYNC_WORKER_H */
