/*
 * term_app.h - the attendance terminal application: standby, the
 * verification flows (term_verify.h), and the menu tree of the user manual
 * (User Mgt., Comm., System, Data Mgt., Record, Autotest, Sys. Info.),
 * over the encrypted store (term_store.h) and the engine.
 *
 * The application is an event-driven machine. The host's main loop (the
 * m1-terminal script driver, the SDL simulator, the device firmware) feeds
 * it inputs with term_app_event: keys, fingerprint captures, cards and
 * clock ticks. The application answers through the HAL (term_hal.h): it
 * shows a term_screen_model on the display after every event that changed
 * it, plays voice prompts and key beeps, and sets the RTC. The current
 * screen can also be read at any time with term_app_screen.
 *
 * Time: the application reads the clock HAL at each event (wall time for
 * records and the status bar, monotonic ms for timeouts); a TICK input only
 * lets timeouts fire. The host should tick a few times a second.
 *
 * Fingerprints: the host owns the sensor (fp/sensor.h) and feeds accepted
 * frames as TERM_IN_FINGER_IMAGE (refused presses as TERM_IN_FINGER_RETRY);
 * it applies the Sensitivity setting (term_app_settings(app)) to the sensor
 * before each capture, as m1-terminal does.
 *
 * Ownership: the config's strings and HAL contexts are borrowed and must
 * outlive the app. Thread safety: one thread per app.
 */
#ifndef TERM_APP_H
#define TERM_APP_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"
#include "term_hal.h"
#include "term_screen.h"
#include "term_status.h"
#include "term_store.h"
#include "term_verify.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct term_app term_app;

/*
 * Hooks for other layers (the sync layer): called after the change is
 * committed to the store. Every pointer may be NULL.
 */
typedef struct term_app_hooks {
    void *ctx;
    /* A user, or one of their credentials, was added, changed or deleted (deleted: no longer in the store). */
    void (*user_changed)(void *ctx, const char *uid);
    /* An attendance record was stored with this id. */
    void (*record_added)(void *ctx, int64_t id, const term_record *rec);
    /* Settings were saved (menu change or factory reset). */
    void (*settings_changed)(void *ctx);
    /* Every attendance record was deleted (Data Mgt.). */
    void (*records_cleared)(void *ctx);
    /*
     * Binding (manual 1.1, 2): non-zero when the device is bound to the
     * cloud. While it is not, standby shows the Wi-Fi shortcut (no Wi-Fi
     * link) or the QR code to scan (linked), as on first power-up; ESC
     * skips them until the next start. NULL: the device counts as bound.
     */
    int (*is_bound)(void *ctx);
    /* The text of the binding QR code, into buf (cap bytes). NULL: the serial number. */
    void (*bind_code)(void *ctx, char *buf, size_t cap);
    /* With a sync engine attached (term_app_sync.h), is_bound and bind_code left NULL are answered by it. */
    /*
     * Recovery: the damaged database was moved aside and a new one is in
     * use (term_app_store(app) changed, term_app_fault(app) is TERM_OK): a
     * host that kept the sync engine out while the fault was set starts it
     * now (one attached before a page went bad at run time was detached
     * then, and is replaced by a new one over the new store).
     */
    void (*store_rebuilt)(void *ctx);
} term_app_hooks;

/* Device and firmware information for Sys. Info. (manual 10). */
typedef struct term_app_info {
    const char *device_name;   /* "M1" */
    const char *serial_number; /* NULL: "unknown" */
    const char *mac_address;   /* NULL: "unknown" */
    const char *firmware;      /* firmware version text */
} term_app_info;

typedef struct term_app_config {
    term_store_config store; /* database, key file, device profile */
    term_hal hal;            /* devices; display/audio/network members may have NULL functions */
    term_app_hooks hooks;
    term_app_info info;
    uint32_t enroll_presses; /* presses per enrolment; 0 = 3 (the M1) */
} term_app_config;

/* Fills *cfg with defaults: M1 profile, 3 presses, no HAL (the caller must set at least the clock). */
void term_app_config_init(term_app_config *cfg);

/*
 * Opens the store, checks it (PRAGMA quick_check), loads the settings and
 * the gallery and shows standby. When the database cannot be used (it
 * fails to open or its check, the key file is missing or unsafe, the file
 * is empty...) the app is still created: it shows the storage-error screen
 * instead of standby, writes nothing, and term_app_fault() says why
 * (docs/terminal.md, "Boot checks"). Caller frees with term_app_destroy.
 * Errors: TERM_ERR_INVALID_ARGUMENT (no clock, no paths), TERM_ERR_NO_MEMORY.
 */
term_status term_app_create(const term_app_config *cfg, term_app **out);
/*
 * TERM_OK while the database is in use; otherwise the storage fault shown
 * on the screen. A host must not attach the sync engine while it is set
 * (term_app_attach_sync refuses).
 */
term_status term_app_fault(const term_app *app);
void term_app_destroy(term_app *app);

typedef enum term_app_input_type {
    TERM_IN_TICK = 0,            /* time passed (timeouts) */
    TERM_IN_KEY = 1,             /* key */
    TERM_IN_FINGER_IMAGE = 2,    /* image: an accepted sensor frame; the app extracts it */
    TERM_IN_FINGER_TEMPLATE = 3, /* tmpl: an already extracted template */
    TERM_IN_FINGER_RETRY = 4,    /* retry: the sensor's retry status (fp_status: wet, dry, moving, ...) */
    TERM_IN_CARD = 5             /* card */
} term_app_input_type;

typedef struct term_app_input {
    term_app_input_type type;
    term_key key;
    const fp_image *image;   /* borrowed for the call */
    const fp_template *tmpl; /* borrowed for the call */
    int retry;
    uint64_t card;
} term_app_input;

/*
 * Feeds one input. Errors: TERM_ERR_INVALID_ARGUMENT (NULL, unknown type).
 * Everything else (a refused value, a full store, a database error) is
 * shown on the screen and does not fail the call.
 */
term_status term_app_event(term_app *app, const term_app_input *in);

/* Polls the keypad and card reader HALs and feeds what they report; returns how many inputs were fed. */
size_t term_app_poll(term_app *app);

/* Copies the current screen into *out. */
void term_app_screen(term_app *app, term_screen_model *out);

/* Read-only views for tests and the driver. The store is NULL while a storage fault kept it from opening. */
term_store *term_app_store(term_app *app);
const term_settings *term_app_settings(const term_app *app);
/* The status of the last store operation a menu action attempted (TERM_OK after a success). */
term_status term_app_last_status(const term_app *app);

#ifdef __cplusplus
}
#endif

#endif /* TERM_APP_H */
