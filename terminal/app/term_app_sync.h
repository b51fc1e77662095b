/*
 * term_app_sync.h - connects the application (term_app.h) to the cloud
 * sync engine (term_sync.h, docs/sync.md). Library term_app_sync; the
 * application itself does not link the sync layer.
 *
 * Wiring, in this order:
 *
 *   term_app_create(&cfg, &app);
 *   push_transport *tp;  term_sync_transport_from_settings(term_app_store(app), NULL, &tp);
 *   term_sync_config scfg = {.serial = "...", ...};
 *   term_app_sync_device_ops(app, &sys, &scfg.device);
 *   term_sync_create(&scfg, term_app_store(app), tp, &sync);
 *   term_app_attach_sync(app, sync);
 *   ... main loop: term_app_event / term_app_poll, a TICK a few times a second ...
 *   term_app_destroy(app); term_sync_destroy(sync); tp->ops->destroy(tp);
 *
 * Once attached, the application:
 *   - steps the engine (term_sync_step with the clock HAL's monotonic ms)
 *     on each TICK input when term_sync_next_wake says something is due:
 *     no thread is started, so the engine shares the app's store handle
 *     (a store handle belongs to one thread). The engine's network calls
 *     then run on the app's thread, bounded by the transport's timeout;
 *   - kicks an upload after a punch (when the server's Realtime is on) and
 *     after every local user or credential change (the backup scan);
 *   - runs the server's ENROLL_FP / ENROLL_MF at the terminal: standby
 *     switches to the enrolment screen of that user and finger (or card);
 *     the outcome is answered with term_sync_enroll_done: 0 enrolled,
 *     2 the finger index is taken and OVERWRITE=0, 4 failed (presses
 *     refused past RETRY, no template), 5 the finger or card belongs to
 *     somebody already, 6 cancelled with ESC, -1001 storage full, -1003 the
 *     menu timeout closed it, -1005 busy (a menu, a verification or another
 *     enrolment is in progress);
 *   - REBOOT calls sys->reboot (none: the engine answers -1002); the
 *     server's clock goes to the clock HAL; users, fingers or settings
 *     changed by the server reload the gallery, the settings and an open
 *     user list; a staged firmware image calls sys->firmware_ready;
 *   - answers is_bound / bind_code when the hooks leave them NULL (bound
 *     once a registration succeeded: term_sync_is_bound);
 *   - shows the server icon of the status bar from the engine's link
 *     state (up while registered, down after a failed exchange, held while
 *     records wait because the server's TransFlag does not ask for them),
 *     and Comm. > Cloud Server Setting > Connection Status says why;
 *   - kicks the engine when the installer turns on "Upload Attendance
 *     Always" (the same menu), so held records go at the next tick;
 *   - makes System > Update > Check for Updates poll the server at once
 *     when "Enable Firmware Update Online" is on.
 *
 * Ownership: the engine is borrowed; destroy (or detach) the app before
 * the engine. An enrolment still open when the app goes away is answered
 * -1003 by the engine at its next start.
 */
#ifndef TERM_APP_SYNC_H
#define TERM_APP_SYNC_H

#include "term_app.h"
#include "term_sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The system's side of two server commands (kept out of term_app_hooks,
 * whose users initialise it by position). Each pointer may be NULL.
 */
typedef struct term_app_sync_system {
    void *ctx;
    /* Restart the device (REBOOT, after its answer went out). NULL: REBOOT is answered -1002. */
    void (*reboot)(void *ctx);
    /* A verified firmware image is staged at path (signature at path + ".sig") for the installer. */
    void (*firmware_ready)(void *ctx, const char *path);
    /*
     * The server_address setting changed (Cloud Server Setting, factory
     * reset): the host makes a transport for url (the store holds it too:
     * term_sync_transport_from_settings), hands it over with
     * term_sync_set_transport and destroys the old one. NULL: the change
     * takes effect at the next start.
     */
    void (*server_changed)(void *ctx, const char *url);
} term_app_sync_system;

/*
 * Fills *ops with the application's device callbacks (ctx = app) for
 * term_sync_config.device; *sys (copied, may be NULL) is what the app calls
 * for REBOOT and a staged firmware image.
 */
void term_app_sync_device_ops(term_app *app, const term_app_sync_system *sys, term_sync_device_ops *ops);

/*
 * Attaches the engine (created over term_app_store(app) with the ops
 * above), or detaches with NULL. A pending server enrolment is answered
 * -1003 on detach. Errors: TERM_ERR_INVALID_ARGUMENT (app NULL); the
 * storage fault while term_app_fault(app) is set (the engine must not
 * write into a damaged database: create it after the store_rebuilt hook).
 */
term_status term_app_attach_sync(term_app *app, term_sync *sync);

/* The attached engine, or NULL. */
term_sync *term_app_sync(term_app *app);

#ifdef __cplusplus
}
#endif

#endif /* TERM_APP_SYNC_H */
