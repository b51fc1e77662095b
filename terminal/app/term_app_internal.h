/*
 * term_app_internal.h - the application's private state, shared by the
 * scene files (scene_*.c). Not part of the API.
 *
 * The menus are a stack of scenes. Each scene is one of a few generic
 * kinds (a menu, a text field, a choice list, a message, a confirmation, a
 * date/time spinner, a table) or a special screen (user form, enrolment,
 * autotests). What a generic scene does when it completes is given by its
 * purpose; scene_done() in each file handles the purposes it owns.
 * When the stack is empty the terminal is at standby and inputs go to the
 * verification machine (term_verify).
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

typedef enum scene_kind {
    SC_MENU = 0,
    SC_FIELD,
    SC_CHOICE,
    SC_MESSAGE,
    SC_CONFIRM,
    SC_SPINNER,
    SC_USER_LIST,
    SC_USER_EDIT,
    SC_ENROLL_FINGER,
    SC_ENROLL_CARD,
    SC_WIFI,
    SC_AUTO_SWITCH,
    SC_REC_SUMMARY,
    SC_REC_DETAIL,
    SC_TABLE, /* a read-only table (device capacity) */
    SC_KEYTEST,
    SC_LCD,
    SC_RTC,
    SC_SENSOR
} scene_kind;

/* What a generic scene does when it completes. */
typedef enum purpose {
    P_NONE = 0,
    P_SETTING,          /* field/choice: store setting `arg` */
    P_NEW_USER_ID,      /* field: create the user */
    P_USER_NAME,        /* field */
    P_USER_PIN,         /* field */
    P_USER_ROLE,        /* choice */
    P_DELETE_USER,      /* confirm */
    P_DELETE_FINGERS,   /* confirm */
    P_DELETE_CARD,      /* confirm */
    P_DELETE_PIN,       /* confirm */
    P_FACTORY_RESET,    /* confirm */
    P_DELETE_ATTLOG,    /* confirm */
    P_SET_DATE,         /* spinner */
    P_SET_TIME,         /* spinner */
    P_REC_UID,          /* field */
    P_REC_FROM,         /* spinner */
    P_REC_TO,           /* spinner */
    P_WIFI_SSID,        /* field: add a network by name */
    P_WIFI_PASSWORD,    /* field */
    P_ONLINE_UPDATE_ON, /* confirm the security warning, then enable */
    P_FP_IMAGE_CHOICE,  /* confirm the security warning, then set fingerprint_image to arg2 */
    P_RESTORE,          /* confirm: move the damaged database aside and start a new one */
    P_SYNC_WAIT         /* message: Check for Updates / USB Upgrade waits for the sync worker's outcome */
} purpose;

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

    /* storage (scene_storage.c): TERM_OK while the database is in use; otherwise why the storage-error screen
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

/* core (term_app.c) */
scene *app_top(term_app *app);
scene *app_push(term_app *app, scene_kind kind, term_scr_id id, const char *title);
void app_pop(term_app *app);
void app_pop_all(term_app *app);
void app_message(term_app *app, term_icon icon, const char *title, const char *l1, const char *l2);
void app_confirm(term_app *app, purpose p, int arg, const char *title, const char *l1, const char *l2);
scene *app_field(term_app *app, purpose p, int arg, term_scr_id id, const char *title, const char *label, size_t max,
                 int letters, const char *initial);
/* A spinner over t; fields: "date" (YYYY MM DD), "time" (HH MM SS), "datetime" (YYYY MM DD HH MM). */
scene *app_spinner(term_app *app, purpose p, term_scr_id id, const char *title, const char *fields, int64_t t);
/* Moves a list selection for UP/DOWN (wrapping) and keeps it inside a window of rows. */
void app_list_move(uint32_t *sel, uint32_t *first, uint32_t total, term_key key, uint32_t rows);
void app_oplog(term_app *app, term_op op, const char *detail);
/* Rebuilds the screen model and shows it (after a change that came from outside an event). */
void app_refresh(term_app *app);
/* Answers the pending server enrolment (if any) with ret and forgets it. */
void app_sync_enroll_answer(term_app *app, int ret);
/* After a local change the server should learn about: punch 1 for a punch, 0 for users/credentials. */
void app_sync_changed(term_app *app, int punch);
/* Opens the enrolment of finger `index` (a card when index < 0) of app->uid; 0 when opened. */
int enroll_open(term_app *app, int index, int server);
void app_voice(term_app *app, term_voice v);
void app_set_fp_image(term_app *app, const fp_image *img);
/* Converts local seconds to calendar fields and back. */
void app_civil(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s);
int64_t app_epoch(int y, int mo, int d, int h, int mi, int s);
int app_days_in_month(int y, int mo);
/* The local time shown and recorded: the RTC, one hour ahead while DST is in force. */
int64_t app_local_now(term_app *app);
/* The RTC value for a local time the operator set. */
int64_t app_rtc_from_local(term_app *app, int64_t local);
void app_format_datetime(const term_app *app, int64_t t, char *date, size_t dcap, char *time, size_t tcap);
/* Saves a changed copy of the settings; shows the refusal and returns its status on failure. */
term_status app_save_settings(term_app *app, const term_settings *next, const char *what);

/* scene_menu.c: menus, Comm., System */
void menu_open(term_app *app, int menu);
void menu_render(term_app *app, const scene *s, term_screen_model *m);
void menu_key(term_app *app, scene *s, term_key key);
int menu_done(term_app *app, scene *s, const char *text, int choice); /* non-zero when handled */
void setting_label(term_setting_id id, char *buf, size_t cap);
void wifi_open(term_app *app);
void wifi_render(term_app *app, const scene *s, term_screen_model *m);
void wifi_key(term_app *app, scene *s, term_key key);
void autoswitch_render(term_app *app, const scene *s, term_screen_model *m);
void autoswitch_key(term_app *app, scene *s, term_key key);

/* scene_user.c: User Mgt. and enrolment */
void user_new(term_app *app);
void user_list_open(term_app *app);
/* Reloads the All Users list if it is on the stack (the server changed users). */
void user_list_refresh(term_app *app);
void user_list_render(term_app *app, const scene *s, term_screen_model *m);
void user_list_key(term_app *app, scene *s, term_key key);
void user_edit_render(term_app *app, const scene *s, term_screen_model *m);
void user_edit_key(term_app *app, scene *s, term_key key);
void enroll_render(term_app *app, const scene *s, term_screen_model *m);
void enroll_finger(term_app *app, scene *s, const fp_template *t, fp_status retry);
void enroll_card(term_app *app, scene *s, uint64_t card);
int user_done(term_app *app, scene *s, const char *text, int choice);

/* scene_menu.c: the outcome of Check for Updates / USB Upgrade for their waiting message s (the top scene) */
void menu_sync_outcome(term_app *app, const scene *s);

/* scene_menu.c: the recovery menu of the storage-error screen */
void recovery_menu_open(term_app *app);

/* scene_storage.c: boot checks, the storage-error screen, recovery */
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
int storage_action(term_app *app, int action);
int storage_done(term_app *app, const scene *s);

/* scene_data.c: Data Mgt., Record, Autotest, Sys. Info. */
void record_open(term_app *app);
void record_render(term_app *app, const scene *s, term_screen_model *m);
void record_key(term_app *app, scene *s, term_key key);
int data_done(term_app *app, scene *s, const char *text, int choice, const int *spin);
void data_action(term_app *app, int action);
void autotest_render(term_app *app, const scene *s, term_screen_model *m);
void autotest_key(term_app *app, scene *s, term_key key);
void autotest_finger(term_app *app, scene *s, const fp_template *t, fp_status retry, const fp_extract_info *info);
void table_render(term_app *app, const scene *s, term_screen_model *m);

/* Action ids of IT_ACTION menu items. */
enum {
    A_NEW_USER = 1,
    A_ALL_USERS,
    A_WIFI,
    A_SET_DATE,
    A_SET_TIME,
    A_AUTO_SWITCH,
    A_USB_UPGRADE,
    A_CHECK_UPDATE,
    A_RESET,
    A_DEL_ATTLOG,
    A_RECORD,
    A_TEST_ALL,
    A_TEST_LCD,
    A_TEST_VOICE,
    A_TEST_KEYBOARD,
    A_TEST_SENSOR,
    A_TEST_RTC,
    A_CAPACITY,
    A_DEVINFO,
    A_FWINFO,
    A_PRIVACY,
    A_WIFI_ADD,
    A_DEL_USER,
    A_DEL_FINGERS,
    A_DEL_CARD,
    A_DEL_PIN,
    A_SERVER_STATUS, /* Cloud Server Setting > Connection Status (only with a sync engine attached) */
    A_EXPORT_USB,    /* recovery: the readable users and records to the USB drive */
    A_RESTORE        /* recovery: keep the damaged database aside, start a new one for the server to fill */
};

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
