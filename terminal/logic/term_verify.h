/*
 * term_verify.h - the verification flows of the user manual, section 1.2,
 * as a pure state machine.
 *
 *   standby --finger--> 1:N fingerprint
 *   standby --card----> 1:N card
 *   standby --digit---> enter user id --OK--> the user's methods
 *             (one method: straight to it; several: the user picks)
 *             --> 1:1 fingerprint | 1:1 card | password
 *   standby --M/OK----> main menu: opens at once while no administrator
 *             exists (with the reminder to set one); otherwise an
 *             administrator must verify by any of the flows above first
 *
 * The machine is fed events (a finger template was captured, a card was
 * read, a key was pressed, text was entered, the clock ticked) and answers
 * with actions (show a screen, play a voice prompt, write an attendance
 * record, go back to standby). It reads no clock (every event carries the
 * time), does no I/O and allocates nothing; everything it must look up
 * (matching, users, cards, PINs, the last punch, the record space) goes
 * through the term_verify_ops table the caller supplies, so tests drive it
 * with fakes and the terminal with the store and the engine.
 *
 * Rules taken from the manual and the settings (term_settings.h):
 *  - a finger is accepted when its calibrated score is greater than the
 *    1:N threshold (1:N) or the 1:1 threshold (1:1);
 *  - 1:N fingerprint: after a failure the user may try again, 3 attempts in
 *    all ("You can attempt verification 2 more times"), then standby;
 *  - 1:1 (finger, card or password): up to "1:1 Retry Attempts" attempts;
 *  - a result screen stays for "Authentication Timeout" seconds; a screen
 *    waiting for input gives up after TERM_VERIFY_INPUT_TIMEOUT_MS;
 *  - a success writes a record with the auto-switch punch state in force,
 *    unless the user punched less than "Duplicate Punch Period" minutes ago;
 *    when the record store is full nothing is written and the user is told
 *    (never silent loss); when "Log Alert" is set and at most that many
 *    records are free, a warning is shown;
 *  - a capture the sensor asked to retry (wet, moved, low quality) shows
 *    the reason and does not count as an attempt;
 *  - a verification for the menu writes no record; a user who is not an
 *    administrator is refused.
 *
 * Thread safety: a term_verify is used by one thread.
 */
#ifndef TERM_VERIFY_H
#define TERM_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "term_settings.h"
#include "term_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERM_USER_ID_MAX 24 /* bytes, without the NUL */
#define TERM_NAME_MAX 48    /* bytes of UTF-8, without the NUL */
#define TERM_PIN_MAX 16
#define TERM_VERIFY_1N_ATTEMPTS 3
#define TERM_VERIFY_INPUT_TIMEOUT_MS 10000u
#define TERM_VERIFY_MAX_ACTIONS 8

/*
 * User ids (docs/terminal.md, "User ids"). An id of digits only is a
 * number, whatever the Alphanumeric User ID setting: "1", "01" and "001"
 * are the same user, and its canonical form has no leading zero. A new
 * numeric id must be 1..TERM_USER_ID_NUM_MAX. An id with a letter (only
 * with Alphanumeric User ID) is kept as typed, up to TERM_USER_ID_MAX
 * characters.
 */
#define TERM_USER_ID_NUM_MAX 999999999u /* the highest numeric user id */
#define TERM_USER_ID_NUM_DIGITS 9       /* its digits: the New User field's width */

/*
 * The canonical form of a typed or received id, for looking a user up:
 * id must be 1..TERM_USER_ID_MAX digits (letters too when alphanumeric is
 * non-zero); an all-digit id loses its leading zeros ("000" becomes "0").
 * No range check, so ids stored by earlier firmware stay reachable.
 * out may be id. Errors: TERM_ERR_BAD_USER_ID (out is then "").
 */
term_status term_user_id_normalize(const char *id, int alphanumeric, char out[TERM_USER_ID_MAX + 1]);
/*
 * Checks an id for a new user: as term_user_id_normalize accepts it,
 * already canonical (no leading zero), and 1..TERM_USER_ID_NUM_MAX when
 * it is all digits. Errors: TERM_ERR_BAD_USER_ID, TERM_ERR_USER_ID_RANGE.
 */
term_status term_user_id_check(const char *id, int alphanumeric);
/* Checks a password: 1..TERM_PIN_MAX printable ASCII characters. Errors: TERM_ERR_BAD_PIN. */
term_status term_pin_check(const char *pin);

/* How a punch was verified; stored in records, numbers never change. */
typedef enum term_verify_type { TERM_VERIFY_FINGER = 1, TERM_VERIFY_CARD = 2, TERM_VERIFY_PIN = 3 } term_verify_type;
/* "FP", "Card", "PIN" (the record view's words); "?" otherwise. */
const char *term_verify_type_name(term_verify_type type);

/* Methods a user has, as a bit set. */
enum { TERM_METHOD_FINGER = 1u << 0, TERM_METHOD_CARD = 1u << 1, TERM_METHOD_PIN = 1u << 2 };

typedef enum term_privilege { TERM_PRIV_USER = 0, TERM_PRIV_ADMIN = 1 } term_privilege;

typedef struct term_user_info {
    char id[TERM_USER_ID_MAX + 1];
    char name[TERM_NAME_MAX + 1];
    term_privilege privilege;
    unsigned methods; /* TERM_METHOD_* */
} term_user_info;

/*
 * The ports of the machine. Every function gets ctx. A function returns
 * TERM_OK, TERM_NO_MATCH or TERM_ERR_NOT_FOUND where documented; any other
 * status is a fault, shown to the user as a failure and not counted as an
 * attempt (the machine returns to standby).
 */
typedef struct term_verify_ops {
    void *ctx;
    /* 1:N: the best enrolled finger for probe (the FINGER event's opaque
     * pointer). Sets *uid and *score, or returns TERM_ERR_NOT_FOUND when
     * nothing is enrolled. The machine applies the threshold itself. */
    term_status (*identify_finger)(void *ctx, const void *probe, char uid[TERM_USER_ID_MAX + 1], float *score);
    /* 1:1: the best score of probe against uid's fingers. */
    term_status (*verify_finger)(void *ctx, const char *uid, const void *probe, float *score);
    /* The owner of a card; TERM_ERR_NOT_FOUND when unregistered. */
    term_status (*find_card)(void *ctx, uint64_t card, char uid[TERM_USER_ID_MAX + 1]);
    /* TERM_ERR_NOT_FOUND when there is no such user. */
    term_status (*lookup_user)(void *ctx, const char *uid, term_user_info *out);
    /* TERM_OK when pin is uid's password, TERM_NO_MATCH otherwise. */
    term_status (*check_pin)(void *ctx, const char *uid, const char *pin);
    /* Time of uid's latest record; TERM_ERR_NOT_FOUND when none. */
    term_status (*last_punch)(void *ctx, const char *uid, int64_t *time);
    /* Records stored and the capacity of the record store. */
    term_status (*record_space)(void *ctx, uint32_t *used, uint32_t *capacity);
    /* How many users have the administrator privilege. */
    term_status (*admin_count)(void *ctx, uint32_t *count);
} term_verify_ops;

typedef enum term_key {
    TERM_KEY_0 = 0, /* TERM_KEY_0 + d is digit d */
    TERM_KEY_9 = 9,
    TERM_KEY_OK = 10, /* M/OK */
    TERM_KEY_ESC = 11,
    TERM_KEY_UP = 12,
    TERM_KEY_DOWN = 13,
    TERM_KEY_LEFT = 14, /* "<": delete */
    TERM_KEY_RIGHT = 15
} term_key;

typedef enum term_event_type {
    TERM_EV_TICK = 0,
    TERM_EV_KEY = 1,
    TERM_EV_FINGER = 2,       /* u.finger: an opaque template, passed to the ops */
    TERM_EV_FINGER_RETRY = 3, /* u.retry: the sensor's retry status (fp_status number) */
    TERM_EV_CARD = 4,         /* u.card */
    TERM_EV_USER_ID = 5,      /* u.text: a whole id from the text input (alphanumeric ids) */
    TERM_EV_PIN = 6           /* u.text: a whole password from the text input */
} term_event_type;

typedef struct term_event {
    term_event_type type;
    uint64_t mono_ms;   /* monotonic milliseconds, for timeouts */
    int64_t local_time; /* local wall-clock seconds since 1970 (as if UTC), for records */
    union {
        term_key key;
        const void *finger;
        int retry;
        uint64_t card;
        const char *text; /* borrowed for the call */
    } u;
} term_event;

#define TERM_SCREEN_MAP(X)                                                                                             \
    X(STANDBY, "standby")                                                                                              \
    X(ENTER_USER_ID, "enter user id")                                                                                  \
    X(CHOOSE_METHOD, "choose verification method")                                                                     \
    X(PLACE_FINGER, "place finger")                                                                                    \
    X(PRESENT_CARD, "present card")                                                                                    \
    X(ENTER_PIN, "enter password")                                                                                     \
    X(FINGER_RETRY, "capture again")                                                                                   \
    X(ADMIN_VERIFY, "administrator verification")                                                                      \
    X(VERIFIED, "verified")                                                                                            \
    X(FAILED, "failed to verify")                                                                                      \
    X(LOG_ALERT, "record space low")

typedef enum term_screen {
#define TERM_SCREEN_ENUM_(name, text) TERM_SCREEN_##name,
    TERM_SCREEN_MAP(TERM_SCREEN_ENUM_)
#undef TERM_SCREEN_ENUM_
} term_screen;
const char *term_screen_name(term_screen screen);

#define TERM_VOICE_MAP(X)                                                                                              \
    X(KEY_BEEP, "beep")                                                                                                \
    X(THANK_YOU, "thank you")                                                                                          \
    X(DUPLICATE, "already punched")                                                                                    \
    X(TRY_AGAIN, "please try again")                                                                                   \
    X(FAILED, "verification failed")                                                                                   \
    X(INVALID_ID, "invalid user id")                                                                                   \
    X(UNREGISTERED_CARD, "card not registered")                                                                        \
    X(RECORD_FULL, "record storage full")

typedef enum term_voice {
#define TERM_VOICE_ENUM_(name, text) TERM_VOICE_##name,
    TERM_VOICE_MAP(TERM_VOICE_ENUM_)
#undef TERM_VOICE_ENUM_
} term_voice;
const char *term_voice_name(term_voice voice);

/* Why a FAILED screen is shown. */
#define TERM_FAIL_MAP(X)                                                                                               \
    X(NONE, "")                                                                                                        \
    X(NO_MATCH, "failed to verify")                                                                                    \
    X(INVALID_USER_ID, "invalid user id")                                                                              \
    X(UNREGISTERED_CARD, "card not registered")                                                                        \
    X(NO_CREDENTIAL, "user has no credential")                                                                         \
    X(RECORD_FULL, "record storage full")                                                                              \
    X(TIMEOUT, "timed out")                                                                                            \
    X(NOT_ADMIN, "administrator privilege required")                                                                   \
    X(FAULT, "device error")                                                                                           \
    X(STORAGE_FULL, "storage full")

typedef enum term_fail {
#define TERM_FAIL_ENUM_(name, text) TERM_FAIL_##name,
    TERM_FAIL_MAP(TERM_FAIL_ENUM_)
#undef TERM_FAIL_ENUM_
} term_fail;
const char *term_fail_text(term_fail fail);

typedef enum term_action_type {
    TERM_ACT_SCREEN = 0,   /* show screen (with the fields below) */
    TERM_ACT_VOICE = 1,    /* play voice */
    TERM_ACT_RECORD = 2,   /* append record to the attendance log */
    TERM_ACT_STANDBY = 3,  /* back to the standby screen */
    TERM_ACT_FP_IMAGE = 4, /* show the captured fingerprint image ("Fingerprint Image" setting) */
    TERM_ACT_OPEN_MENU = 5 /* open the main menu (user: the administrator; or admin_reminder) */
} term_action_type;

typedef struct term_record {
    int64_t time; /* local seconds since 1970 */
    char uid[TERM_USER_ID_MAX + 1];
    term_verify_type verify;
    term_punch_state state;
} term_record;

typedef struct term_action {
    term_action_type type;
    term_screen screen;
    term_voice voice;
    term_fail fail;
    uint32_t attempts_left;           /* FAILED: tries the user still has (0: back to standby) */
    uint32_t duration_s;              /* VERIFIED/FAILED: how long the screen stays */
    unsigned methods;                 /* CHOOSE_METHOD: the user's methods; */
    unsigned highlight;               /* CHOOSE_METHOD: highlighted method (a TERM_METHOD_ bit) */
    int retry;                        /* FINGER_RETRY: the sensor's status number */
    int duplicate;                    /* VERIFIED: inside the duplicate punch period, no record */
    uint32_t records_free;            /* LOG_ALERT */
    int admin_reminder;               /* OPEN_MENU: no administrator is set yet, remind the operator */
    char input[TERM_USER_ID_MAX + 1]; /* ENTER_USER_ID: typed text; ENTER_PIN: one '*' per character */
    term_user_info user;              /* VERIFIED, CHOOSE_METHOD and 1:1 screens */
    term_record record;               /* RECORD, VERIFIED */
} term_action;

typedef struct term_action_list {
    size_t count;
    term_action items[TERM_VERIFY_MAX_ACTIONS];
} term_action_list;

typedef enum term_verify_state {
    TERM_VS_STANDBY = 0,
    TERM_VS_ENTER_ID,
    TERM_VS_CHOOSE,
    TERM_VS_WAIT_FINGER, /* 1:1 */
    TERM_VS_WAIT_CARD,   /* 1:1 */
    TERM_VS_WAIT_PIN,
    TERM_VS_RETRY_1N, /* after a failed 1:N finger, waiting for the next */
    TERM_VS_RESULT,   /* a result screen, then standby */
    TERM_VS_MENU_AUTH /* waiting for an administrator to verify for the menu */
} term_verify_state;

/*
 * The machine. Public so it can be placed without allocation; its fields
 * are private to term_verify.c.
 */
typedef struct term_verify {
    const term_settings *settings;
    term_verify_ops ops;
    term_verify_state state;
    uint64_t deadline_ms;
    uint32_t attempts; /* failures in this flow */
    int for_menu;      /* the flow verifies an administrator for the menu */
    unsigned highlight;
    char input[TERM_PIN_MAX > TERM_USER_ID_MAX ? TERM_PIN_MAX + 1 : TERM_USER_ID_MAX + 1];
    term_user_info user;
} term_verify;

/*
 * Starts the machine at standby. settings and ops->ctx are borrowed and
 * must outlive v; settings are read at each event, so a change takes
 * effect at once. Errors: TERM_ERR_INVALID_ARGUMENT (NULL or a missing op).
 */
term_status term_verify_init(term_verify *v, const term_settings *settings, const term_verify_ops *ops);

/*
 * Feeds one event; out receives the actions in order (out->count may be 0).
 * Errors: TERM_ERR_INVALID_ARGUMENT (NULL, unknown event type). Failures of
 * the ops do not fail the call: they become a FAILED screen.
 */
term_status term_verify_step(term_verify *v, const term_event *ev, term_action_list *out);

term_verify_state term_verify_current(const term_verify *v);

#ifdef __cplusplus
}
#endif

#endif /* TERM_VERIFY_H */
