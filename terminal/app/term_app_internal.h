/*
 * term_app_internal.h - the application's private state and the scene
 * interface, shared by the application loop (term_app.c), the scene kit
 * (app_kit.c), the scenes (scene_*.c), the storage service (app_storage.c)
 * and the sync glue. Not part of the API.
 *
 * The menus are a stack of scenes. Every scene kind has one interface,
 * scene_ops (enter / key / finger / card / tick / render / exit), and the
 * kinds are listed once in scene_config.h; scene_table.c builds the
 * registry from that list. The loop dispatches every input to the top
 * scene through the registry and names no scene function; the scenes
 * use the helpers of the scene kit, which reaches other scenes only
 * through the registry too (app->scenes). So the static calls go one way:
 *
 *   term_app.c (loop) -> scene_table.c (registry) -> scene_*.c -> app_kit.c
 *   term_app.c -> app_kit.c, app_storage.c;  app_storage.c -> app_kit.c
 *
 * (docs/terminal.md "Scenes" has the graph and how it is checked.)
 * A generic scene (field, choice, message, confirmation, spinner) does not
 * know what it was opened for: its purpose names the module that finishes
 * it (APP_PURPOSES); menu actions are run by the module that owns them
 * (APP_ACTIONS). When the stack is empty the terminal is at standby and
 * inputs go to the verification machine (term_verify).
 */
#ifndef TERM_APP_INTERNAL_H
#define TERM_APP_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "fp/fp.h"
#include "term_app.h"
#include "term_gallery.h"
#include "term_t9.h"

#define APP_STACK 12
#define APP_MENU_ITEMS 16
#define APP_STATUS_LINES 4 /* lines of Connection Status */
#define APP_CHOICES 16
#define APP_SSIDS 8
#define APP_SUMMARY_MAX 1024
#define APP_DETAIL_MAX 512

#include "scene_config.h"

typedef enum scene_kind {
#define SCENE_KIND_(kind, ops) kind,
    APP_SCENES(SCENE_KIND_)
#undef SCENE_KIND_
        SC_COUNT
} scene_kind;

/* What a generic scene was opened for (scene_config.h names the module that finishes it). */
typedef enum purpose {
#define PURPOSE_(p, done) p,
    APP_PURPOSES(PURPOSE_)
#undef PURPOSE_
        P_COUNT
} purpose;

/* Action ids of IT_ACTION menu items (scene_config.h names the module that runs each). */
enum {
    A_NONE = 0,
#define ACTION_(a, run) a,
    APP_ACTIONS(ACTION_)
#undef ACTION_
        A_COUNT
};

/* The menus of scene_menu.c's table, by id (an SC_MENU scene's arg). */
enum {
    M_MAIN = 0,
    M_USER,
    M_COMM,
    M_IP,
    M_SERVER,
    M_SYSTEM,
    M_DATETIME,
    M_DST,
    M_ATT,
    M_FP,
    M_VOICE,
    M_SECURITY,
    M_USB,
    M_UPDATE,
    M_DATA,
    M_AUTOTEST,
    M_SYSINFO,
    M_SLOT, /* one auto-switch slot; arg2 = slot 1..10 */
    M_USER_DELETE,
    M_RECOVERY, /* the storage-error screen's menu (app_storage.c) */
    M_COUNT
};

/* Menu item kinds. */
typedef enum item_kind { IT_MENU = 0, IT_SETTING, IT_ACTION } item_kind;

typedef struct menu_item {
    item_kind kind;
    int arg; /* menu id, setting id or action id */
    char label[TERM_SCR_TEXT];
} menu_item;

typedef struct scene {
    scene_kind kind;
    purpose purpose;
    int arg, arg2;
    term_scr_id id;
    char title[TERM_SCR_TEXT];
    uint32_t sel, first;
    /* SC_MENU */
    size_t item_count;
    menu_item items[APP_MENU_ITEMS];
    /* SC_FIELD */
    term_t9 t9;
    int masked;
    int fresh; /* the text is the current value: the first digit typed replaces it */
    char label[TERM_SCR_TEXT];
    char hint[TERM_SCR_TEXT];
    /* SC_CHOICE */
    size_t choice_count;
    char choices[APP_CHOICES][TERM_SCR_SHORT];
    /* SC_MESSAGE / SC_CONFIRM */
    term_icon icon;
    uint32_t line_count;
    char lines[TERM_SCR_LINES][TERM_SCR_TEXT];
    uint64_t deadline_ms; /* message: closes by itself at this time (0: waits for a key) */
    /* SC_SPINNER */
    uint32_t spin_count;
    int spin_val[TERM_SCR_SPIN_FIELDS], spin_min[TERM_SCR_SPIN_FIELDS], spin_max[TERM_SCR_SPIN_FIELDS];
    char spin_label[TERM_SCR_SPIN_FIELDS][8];
    uint32_t spin_typed;     /* digits typed into the selected field so far */
    uint32_t spin_time_from; /* index of the first time field (fields before it are a date) */
    /* autotests */
    uint16_t keys_pressed;
    int last_key;
    int esc_count;
    int running;
    uint64_t t0_ms, elapsed_ms;
} scene;

/* What a generic scene completed with (text of a field, index of a choice, values of a spinner). */
typedef struct scene_result {
    const char *text; /* NULL when none */
    int choice;       /* -1 when none; 1 for a confirmation */
    const int *spin;  /* NULL when none */
} scene_result;

/* Scene flags (scene_ops.flags). */
enum {
    SCENE_OWN_KEY_BEEP = 1u << 0 /* the scene plays its own key beeps (the keyboard test) */
};

/*
 * The interface of a scene kind. Every handler may be NULL (nothing to do).
 * enter: the scene was just pushed (its kind, arg and arg2 set; id and
 * title are enter's to set); non-zero refuses it (the kit pops it again).
 * key, finger, card, tick: inputs while it is on top (finger: an accepted
 * template, or NULL and the retry status). render: draw the body into m
 * (id and title are set from the scene before). exit: it is being popped.
 */
typedef struct scene_ops {
    unsigned flags; /* SCENE_* */
    int (*enter)(term_app *app, scene *s);
    void (*key)(term_app *app, scene *s, term_key key);
    void (*finger)(term_app *app, scene *s, const fp_template *t, fp_status retry, const fp_extract_info *info);
    void (*card)(term_app *app, scene *s, uint64_t card);
    void (*tick)(term_app *app, scene *s);
    void (*render)(term_app *app, const scene *s, term_screen_model *m);
    void (*exit)(term_app *app, scene *s);
} scene_ops;

/* Finishes what a completed generic scene (a copy, already popped) was opened for. */
typedef void (*scene_done_fn)(term_app *app, const scene *done, const scene_result *r);
/* Runs a menu action. */
typedef void (*scene_action_fn)(term_app *app, int action);

/* The registry (scene_table.c, from scene_config.h); reached through app->scenes. */
typedef struct app_scene_registry {
    const scene_ops *ops[SC_COUNT];
    scene_done_fn done[P_COUNT];
    scene_action_fn action[A_COUNT];
} app_scene_registry;

extern const app_scene_registry app_scene_table;

/* The owners named in scene_config.h, for scene_table.c (everybody else goes through app_complete / app_action). */
void menu_done(term_app *app, const scene *done, const scene_result *r);
void user_done(term_app *app, const scene *done, const scene_result *r);
void data_done(term_app *app, const scene *done, const scene_result *r);
void storage_done(term_app *app, const scene *done, const scene_result *r);
void menu_action(term_app *app, int action);
void user_action(term_app *app, int action);
void data_action(term_app *app, int action);
void storage_action(term_app *app, int action);

/*
 * The sync attachment as seen by the core (term_app_sync.c implements it),
 * so that term_app itself does not link the sync layer. The return codes
 * of a server-requested enrolment are the PUSH protocol's.
 */
enum {
    APP_ENROLL_OK = 0,
    APP_ENROLL_EXISTS = 2,     /* the finger index is taken and OVERWRITE=0 */
    APP_ENROLL_FAILED = 4,     /* presses refused past RETRY, no merged template, storage error */
    APP_ENROLL_DUPLICATE = 5,  /* the finger or card already belongs to somebody */
    APP_ENROLL_CANCELLED = 6,  /* ESC at the terminal */
    APP_ENROLL_FULL = -1001,   /* capacity */
    APP_ENROLL_TIMEOUT = -1003 /* nobody came: the menu timeout closed it */
};

/* What the sync worker reported for a request of the menu (app->sync_outcome). */
enum { APP_OUTCOME_NONE = 0, APP_OUTCOME_CHECK, APP_OUTCOME_USB };

typedef struct app_sync_port {
    void (*tick)(term_app *app);               /* a TICK: take what the worker handed over */
    void (*changed)(term_app *app, int punch); /* after a punch (1) or a local user/credential change (0) */
    uint8_t (*link_icon)(term_app *app);       /* term_link_icon of the server */
    int (*is_bound)(term_app *app);
    void (*bind_code)(term_app *app, char *buf, size_t cap);
    /* Check for Updates: the worker polls now; the outcome (APP_OUTCOME_CHECK) comes at a later TICK:
     * 1 an image was staged, 0 nothing new, -1 the server could not be reached. */
    void (*check_update)(term_app *app);
    void (*enroll_done)(term_app *app, const char *cmd_id, int ret);
    /* Connection Status: the link, the backlog or the last failure, and why records wait; the line count. */
    size_t (*status)(term_app *app, char lines[APP_STATUS_LINES][TERM_SCR_TEXT]);
    /* The server_address setting changed (menu or factory reset). */
    void (*server_changed)(term_app *app);
    /* USB Upgrade from the drive mounted at mount: 0 no upgrade file, -1 refused at once (why says why), 1
     * handed to the worker (the outcome, APP_OUTCOME_USB, comes at a later TICK: 1 staged, -1 refused). */
    int (*usb_upgrade)(term_app *app, const char *mount, char *why, size_t cap);
} app_sync_port;

typedef struct summary_row {
    char uid[TERM_USER_ID_MAX + 1];
    int64_t day;
    uint32_t count;
} summary_row;

struct term_app {
    term_app_config cfg;
    const app_scene_registry *scenes; /* what every scene kind, purpose and action dispatches to */
    term_store *store;
    fp_context *fp;
    term_gallery *gallery;
    term_services svc;
    term_verify verify;
    term_settings settings;
    term_status last_status;

    /* standby / verification view */
    term_action vscreen; /* the last screen the verification machine asked for */
    int vscreen_valid;
    uint64_t vscreen_ms; /* when it was shown */
    int vimage;          /* show the fingerprint image with the verification screen */
    uint8_t fp_image[TERM_SCR_FP_H][TERM_SCR_FP_W];
    int fp_image_valid;
    term_t9 vtext; /* text input over the verification machine (alphanumeric id, password) */
    int vtext_open;
    int first_boot_skipped; /* ESC on the Wi-Fi shortcut or QR screen */

    /* menus */
    scene stack[APP_STACK];
    size_t depth;
    char admin[TERM_USER_ID_MAX + 1]; /* the administrator who opened the menu ("" when none) */
    int admin_reminder;
    uint64_t last_input_ms;
    uint64_t now_ms;
    int64_t now_wall;

    /* user management */
    char uid[TERM_USER_ID_MAX + 1]; /* user being edited */
    term_user_info *users;          /* All Users list */
    size_t user_count, user_cap;
    unsigned users_version; /* moves when the server changed users (an open list reloads) */
    char search[TERM_USER_ID_MAX + 1];
    fp_enroll *enroll;
    uint32_t enroll_index;
    char enroll_text[TERM_SCR_TEXT];
    term_icon enroll_icon;

    /* Wi-Fi */
    char ssids[APP_SSIDS][TERM_HAL_SSID_MAX];
    size_t ssid_count;
    char join_ssid[TERM_HAL_SSID_MAX];

    /* record query */
    char rq_uid[TERM_USER_ID_MAX + 1];
    int64_t rq_from, rq_to;
    summary_row *summary;
    size_t summary_count;
    size_t rq_user_first, rq_user_end; /* rows of the user shown */
    term_record *detail;
    size_t detail_count;

    term_screen_model model; /* last model built */

    /* storage (app_storage.c): TERM_OK while the database is in use; otherwise why the storage-error screen
     * replaces standby. store is NULL when the database could not be opened at all. */
    term_status fault;
    int recovery_auth; /* the recovery menu was opened through the administrator gate (export allowed) */
    int gate_broken;   /* a verification for that gate failed on a storage error: nobody can be verified */

    /* cloud sync (term_app_sync.c); sync_port NULL: none attached (or stopping after a storage fault) */
    const app_sync_port *sync_port;
    void *sync;                                    /* the glue's state */
    void (*sync_release)(term_app *app, int wait); /* 0: ask the worker to stop; 1: also wait for it, free */
    char sync_cmd[24];                             /* the server command a pending enrolment answers ("" when none) */
    uint32_t sync_retry;                           /* RETRY of that command: refused presses allowed (0: no limit) */
    uint32_t sync_refused;
    int sync_abort_ret; /* the answer when the enrolment scene is closed without a result */
    int sync_outcome;   /* APP_OUTCOME_*: a result for a waiting menu request, taken by its P_SYNC_WAIT scene */
    int sync_outcome_ret;
    char sync_outcome_why[96];
};

/* ------------------------------------------------------------------------ */
/* The scene kit (app_kit.c): what scenes, the loop and the glue share      */
/* ------------------------------------------------------------------------ */

/* The stack. app_pop calls the scene's exit handler. */
scene *app_top(term_app *app);
scene *app_push(term_app *app, scene_kind kind, term_scr_id id, const char *title);
void app_pop(term_app *app);
void app_pop_all(term_app *app);
/* Pushes a scene of kind with arg, arg2 and calls its enter handler; 0, or -1 when enter refused it. */
int app_scene_open(term_app *app, scene_kind kind, int arg, int arg2);
/* A generic scene completed: pops it, then the module owning its purpose finishes. */
void app_complete(term_app *app, const scene *done, const scene_result *r);
/* Runs a menu action through the module that owns it. */
void app_action(term_app *app, int action);
/* The server changed users: an open All Users list reloads. */
void app_users_changed(term_app *app);

/* Generic scenes (their handlers are in scene_generic.c). */
void app_message(term_app *app, term_icon icon, const char *title, const char *l1, const char *l2);
void app_confirm(term_app *app, purpose p, int arg, const char *title, const char *l1, const char *l2);
scene *app_field(term_app *app, purpose p, int arg, term_scr_id id, const char *title, const char *label, size_t max,
                 int letters, const char *initial);
/* A spinner over t; fields: "date" (YYYY MM DD), "time" (HH MM SS), "datetime" (YYYY MM DD HH MM). */
scene *app_spinner(term_app *app, purpose p, term_scr_id id, const char *title, const char *fields, int64_t t);
/* Moves a list selection for UP/DOWN (wrapping) and keeps it inside a window of rows. */
void app_list_move(uint32_t *sel, uint32_t *first, uint32_t total, term_key key, uint32_t rows);

void app_oplog(term_app *app, term_op op, const char *detail);
void app_voice(term_app *app, term_voice v);
void app_set_fp_image(term_app *app, const fp_image *img);
/* Answers the pending server enrolment (if any) with ret and forgets it. */
void app_sync_enroll_answer(term_app *app, int ret);
/* After a local change the server should learn about: punch 1 for a punch, 0 for users/credentials. */
void app_sync_changed(term_app *app, int punch);
/* Saves a changed copy of the settings; shows the refusal and returns its status on failure. */
term_status app_save_settings(term_app *app, const term_settings *next, const char *what);
/* The words of the menus for a setting (manual 5 and 6). */
void setting_label(term_setting_id id, char *buf, size_t cap);

/* Converts local seconds to calendar fields and back. */
void app_civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s);
int64_t app_epoch(int y, int mo, int d, int h, int mi, int s);
int app_days_in_month(int y, int mo);
/* The local time shown and recorded: the RTC, one hour ahead while DST is in force. */
int64_t app_local_now(term_app *app);
/* The RTC value for a local time the operator set. */
int64_t app_rtc_from_local(term_app *app, int64_t local);
void app_format_datetime(const term_app *app, int64_t t, char *date, size_t dcap, char *time, size_t tcap);

/* term_app.c: rebuilds the screen model and shows it (after a change that came from outside an event). */
void app_refresh(term_app *app);

/* ------------------------------------------------------------------------ */
/* The storage service (app_storage.c): boot checks, the fault screen      */
/* ------------------------------------------------------------------------ */

/* Opens and checks the store; a storage fault sets app->fault. Returns only TERM_ERR_NO_MEMORY / INVALID_ARGUMENT. */
term_status storage_open(term_app *app);
/* Settings, gallery and the verification machine over app->store (defaults without one). */
term_status storage_load(term_app *app);
/* Enters the storage-error mode (a damaged page met at run time); nothing is written from then on. */
void storage_fault(term_app *app, term_status why);
/* Non-zero when the storage-error screen was drawn into m. */
int storage_render(term_app *app, term_screen_model *m);
/* Non-zero while a rebuilt database waits for the server to restore an administrator. */
int storage_locked(term_app *app);
/* At standby in the storage-error mode: non-zero when the input was taken (it must not reach a punch). */
int storage_standby_input(term_app *app, const term_app_input *in);
/* The administrator gate passed: non-zero when the recovery menu opened instead of the main menu. */
int storage_menu_opened(term_app *app);

/* Copies src into a fixed array of cap bytes, always terminated, cut at a UTF-8 character boundary. */
static inline void app_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0u) == 0x80u) n--;
    }
    memmove(dst, src, n);
    dst[n] = '\0';
}
#define APP_COPY(dst, src) app_copy((dst), sizeof(dst), (src))

#endif /* TERM_APP_INTERNAL_H */
