/*
 * app_storage.c - the database at boot and when it fails (docs/terminal.md,
 * "Boot checks" and "Recovery"): opening and checking the store, the
 * storage-error screen that replaces standby while the database cannot be
 * used, the recovery menu (export to USB, restore from the server) behind
 * the administrator gate, and the menu lock of a rebuilt database.
 *
 * While a fault is set nothing is written to the database: no punch, no
 * operation log entry, no sync engine.
 */
#include <stdlib.h>

#include "term_app_internal.h"

/* Faults the terminal can recover from by rebuilding: the database is unreadable or damaged, the key is fine. */
static int restorable(term_status why)
{
    switch (why) {
    case TERM_ERR_CORRUPT:
    case TERM_ERR_WRONG_KEY:
    case TERM_ERR_DB_EMPTY:
    case TERM_ERR_DB_ORPHAN_WAL:
        return 1;
    default:
        /* a missing or unsafe key, a newer schema, an I/O error: rebuilding would hide a problem a technician
         * can fix without losing anything */
        return 0;
    }
}

void storage_fault(term_app *app, term_status why)
{
    if (app->fault != TERM_OK || why == TERM_OK) return;
    app->fault = why;
    app->recovery_auth = 0;
    app->gate_broken = 0;
    app->vscreen_valid = 0;
    app->vtext_open = 0;
    /* a sync worker started before a page went bad is asked to stop (it ends after the exchange under way;
     * its host starts a new one after a rebuild, at the store_rebuilt hook); an open server enrolment is
     * left to time out on the server */
    if (app->sync_release) app->sync_release(app, 0);
    app->sync_cmd[0] = '\0';
    app_pop_all(app);
}

term_status storage_open(term_app *app)
{
    term_status st = term_store_open(&app->cfg.store, &app->store);
    if (st == TERM_ERR_INVALID_ARGUMENT || st == TERM_ERR_NO_MEMORY) return st;
    /* The boot check: quick_check reads every page of every table and index (each page's HMAC is verified as
     * it is decrypted), so a damaged page is found here and not by the first punch. */
    if (st == TERM_OK) st = term_store_check(app->store, TERM_STORE_CHECK_QUICK);
    if (st == TERM_ERR_NO_MEMORY) return st;
    storage_fault(app, st);
    return TERM_OK;
}

/* The menu lock of a rebuilt database: while the server has not restored an administrator, nobody opens the menu. */
static term_status locked_admin_count(void *ctx, uint32_t *count)
{
    term_services *svc = ctx;
    uint32_t admins = 0;
    term_status st = term_store_admin_count(svc->store, &admins);
    if (st != TERM_OK) return st;
    int pending = 0;
    st = term_store_restore_pending(svc->store, &pending);
    *count = admins == 0 && pending ? 1 : admins; /* "someone" to verify, whom nobody can be */
    return st;
}

term_status storage_load(term_app *app)
{
    term_settings_defaults(&app->settings);
    if (app->store) {
        term_status st = term_store_settings_load(app->store, &app->settings);
        if (st == TERM_ERR_NO_MEMORY) return st;
        storage_fault(app, st);
        st = term_gallery_load(app->gallery, app->store);
        if (st == TERM_ERR_NO_MEMORY) return st;
        storage_fault(app, st);
    }
    app->svc.store = app->store;
    app->svc.gallery = app->gallery;
    term_verify_ops ops;
    term_services_ops(&app->svc, &ops);
    ops.admin_count = locked_admin_count;
    return term_verify_init(&app->verify, &app->settings, &ops);
}

/* ------------------------------------------------------------------------ */
/* The storage-error screen                                                 */
/* ------------------------------------------------------------------------ */

int storage_render(term_app *app, term_screen_model *m)
{
    if (app->fault == TERM_OK) return 0;
    if (app->vscreen_valid || app->vtext_open) return 0; /* an administrator is verifying for the recovery menu */
    m->id = TERM_SCR_STORAGE_ERROR;
    APP_COPY(m->title, "Storage Error");
    m->kind = TERM_BODY_MESSAGE;
    term_scr_message *msg = &m->body.message;
    msg->icon = TERM_ICON_FAIL;
    APP_COPY(msg->lines[msg->line_count++], term_status_message(app->fault));
    APP_COPY(msg->lines[msg->line_count++], "Punches are not recorded");
    APP_COPY(msg->lines[msg->line_count++],
             restorable(app->fault) ? "M/OK: recovery (administrator)" : "Service required: see the manual");
    if (restorable(app->fault)) {
        msg->button_count = 1;
        APP_COPY(msg->buttons[0], "M/OK");
    }
    snprintf(m->hint, sizeof(m->hint), "Code %d", (int)app->fault);
    return 1;
}

int storage_locked(term_app *app)
{
    int pending = 0;
    uint32_t admins = 0;
    return app->fault == TERM_OK && term_store_restore_pending(app->store, &pending) == TERM_OK && pending &&
           term_store_admin_count(app->store, &admins) == TERM_OK && admins == 0;
}

/*
 * Whether an administrator can be verified against the damaged database:
 * its administrators can be counted, and no verification has yet failed on
 * a storage error (a damaged page under the users or their credentials).
 */
static int admins_verifiable(term_app *app)
{
    uint32_t n = 0;
    return app->store && !app->gate_broken && app->verify.ops.admin_count(app->verify.ops.ctx, &n) == TERM_OK;
}

int storage_standby_input(term_app *app, const term_app_input *in)
{
    if (app->fault == TERM_OK) return 0;
    if (term_verify_current(&app->verify) != TERM_VS_STANDBY || app->vtext_open || in->type == TERM_IN_TICK)
        return 0; /* the administrator gate, already started, or time passing */
    if (in->type != TERM_IN_KEY || in->key != TERM_KEY_OK || !restorable(app->fault)) return 1; /* no punches */
    if (admins_verifiable(app)) return 0; /* M/OK goes to the gate, as for the main menu */
    /* Nobody can be verified: only the restore is offered, and the new database stays locked until the
     * server restores an administrator, so this opens nothing to whoever pressed the key. */
    app_voice(app, TERM_VOICE_KEY_BEEP);
    app->recovery_auth = 0;
    app_scene_open(app, SC_MENU, M_RECOVERY, 0);
    return 1;
}

int storage_menu_opened(term_app *app)
{
    if (app->fault == TERM_OK) {
        /* an administrator opened the menu: a rebuilt database is past its lock */
        int pending = 0;
        if (app->admin[0] && term_store_restore_pending(app->store, &pending) == TERM_OK && pending)
            term_store_set_restore_pending(app->store, 0);
        return 0;
    }
    app->recovery_auth = 1; /* the gate passed: an administrator verified, or none was ever set */
    app_scene_open(app, SC_MENU, M_RECOVERY, 0);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Recovery actions                                                         */
/* ------------------------------------------------------------------------ */

static void export_usb(term_app *app)
{
    term_hal_link link;
    memset(&link, 0, sizeof(link));
    if (app->cfg.hal.network.link) app->cfg.hal.network.link(app->cfg.hal.network.ctx, &link);
    if (!link.usb_present || !link.usb_path[0]) {
        app_message(app, TERM_ICON_FAIL, "Export to USB", "PenDrive not found", NULL);
        return;
    }
    int y, mo, d, h, mi, s;
    app_civil(app->now_wall, &y, &mo, &d, &h, &mi, &s);
    char dir[sizeof(link.usb_path) + 96];
    snprintf(dir, sizeof(dir), "%s/%s-%.32s-%04d%02d%02d-%02d%02d%02d", link.usb_path, app->cfg.info.device_name,
             app->cfg.info.serial_number ? app->cfg.info.serial_number : "unknown", y, mo, d, h, mi, s);
    term_store_export_report rep;
    term_status st = term_store_export_csv(app->store, dir, &rep);
    app->last_status = st;
    if (st != TERM_OK) {
        app_message(app, TERM_ICON_FAIL, "Export to USB", term_status_message(st), NULL);
        return;
    }
    char l1[TERM_SCR_TEXT];
    snprintf(l1, sizeof(l1), "%u users, %u records exported", rep.users, rep.records);
    app_message(app, rep.damaged_tables ? TERM_ICON_WARN : TERM_ICON_OK, "Export to USB", l1,
                rep.damaged_tables ? "Damaged pages skipped: some rows missing" : "Everything was readable");
}

static void restore(term_app *app)
{
    term_store_config cfg = app->cfg.store;
    char aside[4200] = "";
    if (app->sync_release) app->sync_release(app, 1); /* its connection to the damaged file closes first */
    term_store_close(app->store);
    app->store = NULL;
    app->svc.store = NULL;
    term_status st = term_store_set_aside(cfg.db_path, app->now_wall, aside, sizeof(aside));
    if (st == TERM_OK) st = term_store_open(&cfg, &app->store); /* a first boot: a new database */
    app->last_status = st;
    if (st != TERM_OK) {
        /* Nothing was deleted and the fault screen stays. When the damaged file is still in place it is
         * opened again (for an export); a new database that could not be made is left to the next try. */
        term_store_close(app->store);
        app->store = NULL;
        if (aside[0] == '\0' && term_store_open(&app->cfg.store, &app->store) != TERM_OK) app->store = NULL;
        if (storage_load(app) != TERM_OK) app->last_status = TERM_ERR_NO_MEMORY;
        app_message(app, TERM_ICON_FAIL, "Restore", "The restore failed", term_status_message(st));
        return;
    }
    /* every row that can still be read comes along; the server sends the rest */
    term_store_salvage_report rep;
    memset(&rep, 0, sizeof(rep));
    term_store *old = NULL;
    cfg.db_path = aside;
    cfg.read_only = 1;
    if (term_store_open(&cfg, &old) == TERM_OK) st = term_store_salvage(app->store, old, &rep);
    term_store_close(old);
    term_store_counts c;
    if (term_store_counts_get(app->store, &c) != TERM_OK || c.admins == 0)
        term_store_set_restore_pending(app->store, 1);
    app->fault = TERM_OK;
    app->recovery_auth = 0;
    app->gate_broken = 0;
    if (storage_load(app) != TERM_OK) storage_fault(app, TERM_ERR_NO_MEMORY);
    app_pop_all(app);
    const char *name = strrchr(aside, '/');
    char l1[TERM_SCR_TEXT], l2[TERM_SCR_TEXT];
    snprintf(l1, sizeof(l1), "Kept as %.48s", name ? name + 1 : aside);
    snprintf(l2, sizeof(l2), "%u users, %u records copied%s", rep.users, rep.records,
             st != TERM_OK ? " (storage error)" : "");
    app_oplog(app, TERM_OP_DB_REBUILD, l1);
    app_message(app, TERM_ICON_OK, "Database rebuilt", l1, l2);
    if (app->cfg.hooks.store_rebuilt) app->cfg.hooks.store_rebuilt(app->cfg.hooks.ctx);
}

/* The recovery menu's actions (scene_config.h). */
void storage_action(term_app *app, int action)
{
    switch (action) {
    case A_EXPORT_USB:
        if (app->recovery_auth) export_usb(app);
        return;
    case A_RESTORE:
        app_confirm(app, P_RESTORE, 0, "Restore from Server", "Keep the damaged database aside",
                    "and start a new one for the server to fill?");
        return;
    default:
        return;
    }
}

/* P_RESTORE confirmed. */
void storage_done(term_app *app, const scene *s, const scene_result *r)
{
    (void)s;
    (void)r;
    if (app->fault != TERM_OK && restorable(app->fault)) restore(app);
}
