/*
 * term_app_sync.h - connects the application (term_app.h) to the cloud
 * sync engine (term_sync.h, docs/sync.md). Library term_app_sync; the
 * application itself does not link the sync layer.
 *
 * The engine runs on its own thread (term_sync_worker.h) with its own
 * connection to the terminal's database: the network never holds the
 * application's thread, so the screen, the keypad, the sensor and every
 * punch answer within the same time whether the server is up, slow or
 * gone. Wiring:
 *
 *   term_app_create(&cfg, &app);
 *   term_app_sync_config scfg;  term_app_sync_config_init(&scfg);
 *   scfg.sync.serial = "...";  scfg.curl.timeout_ms = ...;  scfg.sys = {...};
 *   term_app_sync_start(app, &scfg);
 *   ... main loop: term_app_event / term_app_poll, a TICK a few times a second ...
 *   term_app_destroy(app);        (stops the worker)
 *
 * Once started, the application, on its own thread:
 *   - at each TICK takes what the worker handed over: the server's
 *     ENROLL_FP / ENROLL_MF open the enrolment screens of that user and
 *     finger (or card) at standby, and the outcome goes back as the
 *     command's answer: 0 enrolled, 2 the finger index is taken and
 *     OVERWRITE=0, 4 failed (presses refused past RETRY, no template), 5 the
 *     finger or card belongs to somebody already, 6 cancelled with ESC,
 *     -1001 storage full, -1003 the menu timeout closed it, -1005 busy (a
 *     menu, a verification or another enrolment is in progress); SET OPTION
 *     of a terminal setting is checked, saved and put in force here (so a
 *     menu save never overwrites it with an older copy) and answered 0, -1
 *     (refused value) or -3 (storage); users, fingers or settings the
 *     server changed reload the gallery, the settings and an open user
 *     list; the server's clock goes to the clock HAL; REBOOT calls
 *     sys.reboot (none: the engine answers -1002); a staged firmware image
 *     calls sys.firmware_ready;
 *   - kicks the worker after a punch (uploaded at once when the server's
 *     Realtime is on) and after every local user or credential change (the
 *     backup scan), and when the installer turns on "Upload Attendance
 *     Always"; tells it when the server address setting changed;
 *   - shows the server icon of the status bar from the worker's status (up
 *     while registered, down after a failed exchange, held while records
 *     wait because the server's TransFlag does not ask for them), answers
 *     is_bound / bind_code when the hooks leave them NULL, and Comm. >
 *     Cloud Server Setting > Connection Status says connected or not, how
 *     many records wait (counted on the application's own connection) and
 *     why;
 *   - System > Update > Check for Updates and System > USB > USB Upgrade
 *     show "Checking..." at once and their outcome when the worker reports
 *     it (ESC leaves it behind).
 *
 * The engine's timers run on the application's clock as of its last TICK
 * (or punch), so a host that drives time itself (the simulator, the tests)
 * moves the engine's time too, and the engine's first step (the
 * registration) comes at the first TICK after the start;
 * term_app_sync_settle waits until the worker did everything due at that
 * time.
 *
 * Ownership: the config is copied; term_app_destroy stops the worker. A
 * server enrolment still open when the app goes away is answered -1003 by
 * the engine at its next start. Thread safety: the functions here are
 * called on the application's thread.
 */
#ifndef TERM_APP_SYNC_H
#define TERM_APP_SYNC_H

#include "term_app.h"
#include "term_sync.h"
#include "term_sync_worker.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The system's side of two server commands, called on the application's thread. Each pointer may be NULL. */
typedef struct term_app_sync_system {
    void *ctx;
    /* Restart the device (REBOOT, after its answer went out). NULL: REBOOT is answered -1002. */
    void (*reboot)(void *ctx);
    /* A verified firmware image is staged at path (signature at path + ".sig") for the installer. */
    void (*firmware_ready)(void *ctx, const char *path);
} term_app_sync_system;

typedef struct term_app_sync_config {
    /* serial, versions, staging directory, firmware key, batches, backoff, poll interval (tests); the device
     * ops are the application's, except device.log (optional), which is called on the worker's thread */
    term_sync_config sync;
    /* timeouts, CA file, pinned key; the address is the server_address setting (changed from the menu) */
    push_curl_config curl;
    term_app_sync_system sys;
} term_app_sync_config;

void term_app_sync_config_init(term_app_sync_config *cfg);

/*
 * Starts the worker over the app's database and attaches it (a worker
 * already attached is stopped first). Errors: PUSH_ERR_INVALID_ARGUMENT;
 * PUSH_ERR_STORE while term_app_fault(app) is set (nothing may write into
 * a damaged database: start it at the store_rebuilt hook); those of
 * term_sync_worker_start.
 */
push_status term_app_sync_start(term_app *app, const term_app_sync_config *cfg);
/* Detaches and stops the worker (waits for the exchange under way). A pending server enrolment is answered -1003. */
void term_app_sync_stop(term_app *app);
/* Whether a worker is attached and running. */
int term_app_sync_running(const term_app *app);
/* The worker's status (all zero when none is attached). */
void term_app_sync_status(term_app *app, term_sync_worker_status *out);

/*
 * For hosts that drive time themselves: feeds TICKs while the worker does
 * whatever is due at the app's clock and the app takes what it hands over,
 * until both are idle. Errors: TERM_ERR_INVALID_ARGUMENT (app NULL),
 * TERM_ERR_IO (still busy after timeout_ms, e.g. a request waiting for a
 * slow server). TERM_OK at once without a worker.
 */
term_status term_app_sync_settle(term_app *app, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* TERM_APP_SYNC_H */
