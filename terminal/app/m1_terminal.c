/*
 * m1_terminal.c - the scriptable terminal: runs the application on the
 * simulator HAL and a script of events, printing each screen as text and
 * what the store holds, and checking `expect` lines.
 *
 *   m1-terminal --script events.txt [--db DIR] [--fingers DIR|synthetic] [--seed N] [--quiet]
 *               [--server URL [--serial SN] [--fw-key FILE]] [--sensor libfprint]
 *
 * With --sensor libfprint every `finger` line is a press on the first reader
 * libfprint finds: the user's finger on a real reader, or, on libfprint's
 * virtual image reader (FP_VIRTUAL_IMAGE set), the recorded press of
 * --fingers DIR put on it by this program.
 * With --server the terminal runs with the cloud sync worker attached
 * (term_app_sync.h) against that PUSH server: the URL is stored as the
 * server_address setting and the transport made from it; the engine's
 * clock is the simulated one, and after each tick of a `wait`/`tick` line
 * the driver lets the worker finish what is due (term_app_sync_settle).
 *
 * Script lines (one per line, '#' starts a comment; see docs/terminal.md):
 *   key NAME...            OK (or M), ESC, UP, DOWN, LEFT, RIGHT, 0-9
 *   type DIGITS            one key per digit
 *   finger F[/I]           synthetic finger F, impression I (default 0), through the sensor driver;
 *                          with --fingers DIR the recorded press DIR/F_I (see --make-fingers)
 *   finger-retry REASON    wet, dry, moving, small, quality
 *   card N                 a card is read
 *   wait SECONDS | tick MS time passes (then a tick event)
 *   clock YYYY-MM-DD HH:MM:SS   set the simulated RTC
 *   network wifi NAME PASSWORD | network server up|down | network usb on [DIR]|off
 *   bound yes|no           the cloud binding (no: standby shows the Wi-Fi shortcut / QR code)
 *   profile max_records|max_users|max_fingers|max_cards N   (only at the top) the store's limits
 *   print                  print the current screen
 *   expect screen NAME | expect text "T" | expect no-text "T" | expect title "T"
 *   expect users|admins|fingers|cards|pins|records|oplog N
 *   expect setting NAME VALUE | expect voice NAME | expect clock "YYYY-MM-DD HH:MM"
 *   expect status NAME     the status of the last store operation (TERM_OK, TERM_ERR_...)
 * Exit status: 0 all expectations held, 1 an expectation failed, 2 bad
 * arguments or script line, 3 the terminal could not start, 4 --sensor
 * libfprint found no reader (or the backend was not built).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp/fpio.h"
#include "fp/sensor.h"
#include "fp/synth.h"
#include "term_app.h"
#include "term_calendar.h"
#include "term_hal_sim.h"
#include "term_press.h"
#include "term_script.h"
#ifdef M1_WITH_SYNC
#include "term_app_sync.h"
#include "term_fw_ab.h"
#endif

#define MAX_FINGERS 64
#define DUMP_MAX 8192

typedef struct driver {
    term_hal_sim sim;
    term_app *app;
    const char *fingers; /* NULL: synthetic */
    term_press_reader *reader; /* --sensor libfprint */
    uint64_t seed;
    fp_synth_master *masters[MAX_FINGERS];
    int quiet;
    char last_dump[DUMP_MAX];
    char last_counts[256];
    const char *script;
    int line;
    int bound;      /* the simulated cloud binding (script: bound yes|no) */
    int profile_ok; /* still at the top of the script, where profile lines are read */
    int synced;     /* --server: the sync engine is attached (binding and server icon come from it) */
    int rebuilt;    /* the damaged database was replaced (recovery): the sync engine may start now */
    unsigned reboots;
#ifdef M1_WITH_SYNC
    push_curl_config curl;
    char fw_dir[PATH_MAX]; /* A/B firmware slots */
    const char *server, *serial, *fw_key, *firmware;
    char staging[4200];
#endif
} driver;

#ifdef M1_WITH_SYNC
static void driver_reboot(void *ctx)
{
    driver *d = ctx;
    d->reboots++;
    if (!d->quiet) printf("(the server asked for a reboot)\n");
}

/* A verified image was staged: install it into the inactive A/B slot of
 * "<db>/firmware" (term_fw_ab.h), as the device's updater would before its
 * reboot; the boot loader then tries it and falls back if it never confirms. */
static void driver_firmware(void *ctx, const char *path)
{
    driver *d = ctx;
    push_status ps = d->fw_dir[0] ? term_fw_ab_install(d->fw_dir, path) : PUSH_ERR_IO;
    term_fw_ab_state s;
    term_fw_ab_state_read(d->fw_dir, &s, NULL);
    if (ps != PUSH_OK)
        fprintf(stderr, "m1-terminal: firmware %s: not installed: %s\n", path, push_status_message(ps));
    else if (!d->quiet)
        printf("(firmware staged: %s; installed in slot %c, pending its first start)\n", path, s.pending);
}

#endif

static int driver_bound(void *ctx)
{
    return ((driver *)ctx)->bound;
}

static void driver_rebuilt(void *ctx)
{
    ((driver *)ctx)->rebuilt = 1;
}

#ifdef M1_WITH_SYNC
/* The sync worker over the app's database; only while it is in use (never into a damaged one). */
static term_status start_sync(driver *d)
{
    d->synced = 0;
    uint8_t fwkey[TERM_FW_PUBKEY_BYTES];
    term_app_sync_config cfg;
    term_app_sync_config_init(&cfg);
    cfg.curl.connect_timeout_ms = 2000;
    cfg.curl.timeout_ms = 5000;
    cfg.sync.serial = d->serial;
    cfg.sync.fw_version = d->firmware;
    if (d->staging[0] && (mkdir(d->staging, 0700) == 0 || errno == EEXIST)) cfg.sync.staging_dir = d->staging;
    push_status ps = PUSH_OK;
    if (d->fw_key) {
        ps = term_fw_pubkey_load(d->fw_key, fwkey);
        if (ps == PUSH_OK) cfg.sync.fw_pubkey = fwkey;
    }
    cfg.sys = (term_app_sync_system){d, driver_reboot, driver_firmware};
    if (ps == PUSH_OK) ps = term_app_sync_start(d->app, &cfg);
    if (ps == PUSH_OK) {
        d->synced = 1;
        return TERM_OK;
    }
    fprintf(stderr, "m1-terminal: sync: %s\n", push_status_message(ps));
    return TERM_ERR_INVALID_ARGUMENT;
}
#endif

/* ------------------------------------------------------------------------ */
/* Screen as text                                                           */
/* ------------------------------------------------------------------------ */

static void dump(const term_screen_model *m, char *out, size_t cap)
{
    size_t pos = 0;
#define P(...)                                                                                                         \
    do {                                                                                                               \
        int n_ = snprintf(out + pos, cap - pos, __VA_ARGS__);                                                          \
        if (n_ > 0) pos += (size_t)n_;                                                                                 \
        if (pos >= cap) pos = cap - 1;                                                                                 \
    } while (0)
    static const char *const links[4] = {"-", "up", "down", "held"};
    static const char *const icons[8] = {"",        "[ok] ",     "[fail] ", "[warn] ",
                                         "[info] ", "[finger] ", "[card] ", "[key] "};
    P("+-- %s | %s %s | %s | wifi:%s server:%s%s\n", term_scr_id_name(m->id), m->status.date, m->status.time,
      m->status.punch_state[0] ? m->status.punch_state : "-", links[m->status.wifi % 4], links[m->status.server % 4],
      m->status.usb ? " usb" : "");
    if (m->title[0]) P("| %s\n", m->title);
    switch (m->kind) {
    case TERM_BODY_NONE:
        break;
    case TERM_BODY_STANDBY:
        P("|   %s\n|   %s\n", m->body.standby.time, m->body.standby.date);
        if (m->body.standby.punch_state[0]) P("|   %s\n", m->body.standby.punch_state);
        break;
    case TERM_BODY_LIST: {
        const term_scr_list *l = &m->body.list;
        for (uint32_t i = 0; i < l->count; i++) {
            const term_scr_list_item *it = &l->items[i];
            const char *tog = it->toggle == 2 ? "[x] " : it->toggle == 1 ? "[ ] " : "";
            P("| %s %s%s%s%s%s\n", l->first + i == l->selected ? ">" : " ", tog, it->text, it->value[0] ? ": " : "",
              it->value, it->disabled ? " (disabled)" : "");
        }
        if (l->total > l->count) P("| (%u items)\n", l->total);
        break;
    }
    case TERM_BODY_FIELD: {
        const term_scr_field *f = &m->body.field;
        P("| %s: [%s]%s%s%s\n", f->label, f->value, f->mode[0] ? " mode:" : "", f->mode,
          f->candidates[0] ? " keys:" : "");
        if (f->candidates[0]) P("|   %s (%d)\n", f->candidates, f->candidate);
        if (f->hint[0]) P("|   %s\n", f->hint);
        break;
    }
    case TERM_BODY_MESSAGE:
    case TERM_BODY_CONFIRM: {
        const term_scr_message *msg = &m->body.message;
        for (uint32_t i = 0; i < msg->line_count; i++) P("| %s%s\n", i == 0 ? icons[msg->icon % 8] : "", msg->lines[i]);
        if (msg->line_count == 0 && msg->icon) P("| %s\n", icons[msg->icon % 8]);
        if (m->kind == TERM_BODY_CONFIRM) P("| [M/OK] yes  [ESC] no\n");
        break;
    }
    case TERM_BODY_TABLE: {
        const term_scr_table *t = &m->body.table;
        P("|  ");
        for (uint32_t c = 0; c < t->col_count; c++) P(" %-14s", t->header[c]);
        P("\n");
        for (uint32_t r = 0; r < t->row_count; r++) {
            P("| %s", t->first + r == t->selected ? ">" : " ");
            for (uint32_t c = 0; c < t->col_count; c++) P(" %-14s", t->rows[r][c]);
            P("\n");
        }
        for (int i = 0; i < 2; i++)
            if (t->footer[i][0]) P("| %s\n", t->footer[i]);
        break;
    }
    case TERM_BODY_SPINNER: {
        const term_scr_spinner *s = &m->body.spinner;
        P("| %s\n|", s->value);
        for (uint32_t i = 0; i < s->field_count; i++)
            P(" %s%s=%s%s", i == s->selected ? "^" : "", s->labels[i], s->fields[i], i == s->selected ? "v" : "");
        P("\n");
        break;
    }
    case TERM_BODY_PROGRESS:
        P("| %s%s (%u/%u)\n", icons[m->body.progress.icon % 8], m->body.progress.text, m->body.progress.done,
          m->body.progress.total);
        break;
    case TERM_BODY_QR:
        P("| QR: %s\n", m->body.qr.payload);
        break;
    case TERM_BODY_KEYTEST: {
        const term_scr_keytest *k = &m->body.keytest;
        P("|");
        for (uint32_t i = 0; i < k->key_count; i++) P(" %s%s", k->labels[i], (k->pressed >> i) & 1 ? "*" : "");
        P("\n");
        break;
    }
    case TERM_BODY_PATTERN: {
        static const char *const pat[3] = {"colour bars", "white", "black"};
        P("| pattern: %s\n", pat[m->body.pattern % 3]);
        break;
    }
    }
    if (m->fp_image_valid) P("| (fingerprint image)\n");
    if (m->hint[0]) P("| %s\n", m->hint);
    P("+--\n");
#undef P
}

/* ------------------------------------------------------------------------ */
/* Store view                                                               */
/* ------------------------------------------------------------------------ */

static void counts_text(driver *d, char *buf, size_t cap)
{
    term_store_counts c;
    if (term_store_counts_get(term_app_store(d->app), &c) != TERM_OK) {
        snprintf(buf, cap, "store: unreadable");
        return;
    }
    snprintf(buf, cap, "store: users=%u admins=%u fingers=%u cards=%u pins=%u records=%u oplog=%u", c.users, c.admins,
             c.fingers, c.cards, c.pins, c.records, c.oplog);
}

static void show(driver *d)
{
    term_screen_model m;
    term_app_screen(d->app, &m);
    char text[DUMP_MAX];
    dump(&m, text, sizeof(text));
    if (!d->quiet && strcmp(text, d->last_dump) != 0) fputs(text, stdout);
    memcpy(d->last_dump, text, sizeof(text));
    char counts[256];
    counts_text(d, counts, sizeof(counts));
    if (!d->quiet && strcmp(counts, d->last_counts) != 0) printf("%s\n", counts);
    snprintf(d->last_counts, sizeof(d->last_counts), "%s", counts);
}

/* ------------------------------------------------------------------------ */
/* Script                                                                   */
/* ------------------------------------------------------------------------ */

static int bad_line(driver *d, const char *what, const char *arg)
{
    fprintf(stderr, "%s:%d: %s%s%s\n", d->script, d->line, what, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static int failed(driver *d, const char *what, const char *want, const char *got)
{
    fprintf(stderr, "%s:%d: expectation failed: %s\n  expected: %s\n  actual:   %s\n", d->script, d->line, what, want,
            got);
    if (d->quiet) fputs(d->last_dump, stderr);
    return 1;
}

static void step(driver *d, uint64_t ms)
{
    term_hal_sim_advance(&d->sim, ms);
}

static void feed(driver *d, const term_app_input *in)
{
    term_app_event(d->app, in);
#ifdef M1_WITH_SYNC
    /* time passed: the sync worker does what is due at the new time before the script goes on, so scripts
     * see the same screens whatever the machine's speed (a request can wait for a slow server: 30 s at most) */
    if (in->type == TERM_IN_TICK && d->synced && term_app_sync_settle(d->app, 30000) != TERM_OK)
        fprintf(stderr, "m1-terminal: the sync worker is still busy after 30 s\n");
#endif
}

static int do_finger(driver *d, const char *arg)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    fp_sensor *sensor = NULL;
    fp_status st;
    const term_settings *s = term_app_settings(d->app);
    fp_sensor_sensitivity sens = (fp_sensor_sensitivity)term_settings_get(s, TERM_SETTING_SENSITIVITY);
    unsigned f = 0, imp = 0;
    char extra;
    int n = sscanf(arg, "%u/%u%c", &f, &imp, &extra);
    if (n < 1 || n > 2 || f >= MAX_FINGERS) return bad_line(d, "finger wants F or F/I with F < 64", arg);
    if (d->reader) {
        char src[4096];
        if (d->fingers) snprintf(src, sizeof(src), "%s/%u_%u", d->fingers, f, imp);
        if (!term_press_reader_is_virtual(d->reader) && !d->quiet) printf("(present finger %u on the reader)\n", f);
        st = term_press_reader_present(d->reader, d->app, sens, d->fingers ? src : NULL, 10000);
        if (st != FP_OK && !fp_status_is_retry(st))
            fprintf(stderr, "%s:%d: reader: %s\n", d->script, d->line, fp_status_message(st));
        return 0;
    }
    if (d->fingers) {
        /* a recorded press: the folder DIR/F_I holds its image (see --make-fingers) */
        char src[4096];
        snprintf(src, sizeof(src), "%s/%u_%u", d->fingers, f, imp);
        cfg.backend = FP_SENSOR_BACKEND_REPLAY;
        cfg.source = src;
        cfg.sensitivity = sens;
        st = fp_sensor_open(&cfg, &sensor);
        if (st != FP_OK) return bad_line(d, "cannot replay the recorded press", src);
    } else {
        if (!d->masters[f] && fp_synth_master_create(d->seed, f, &d->masters[f]) != FP_OK)
            return bad_line(d, "cannot build the synthetic finger", arg);
        st = term_press_synthetic_open(d->masters[f], d->seed, f, imp, sens, &sensor);
        if (st != FP_OK) return bad_line(d, "cannot open the synthetic sensor", fp_status_message(st));
    }
    st = term_press_present(d->app, sensor, 10000);
    if (st != FP_OK && !fp_status_is_retry(st))
        fprintf(stderr, "%s:%d: sensor: %s\n", d->script, d->line, fp_status_message(st));
    fp_sensor_close(sensor);
    return 0;
}

static int expect(driver *d, int argc, char **argv)
{
    term_screen_model m;
    term_app_screen(d->app, &m);
    if (argc < 2) return bad_line(d, "expect what?", NULL);
    const char *what = argv[1];
    char got[256];
    if (strcmp(what, "screen") == 0 && argc == 3) {
        if (term_scr_id_from_name(argv[2]) < 0) return bad_line(d, "unknown screen name", argv[2]);
        return strcmp(term_scr_id_name(m.id), argv[2]) == 0 ? 0 : failed(d, "screen", argv[2], term_scr_id_name(m.id));
    }
    if ((strcmp(what, "text") == 0 || strcmp(what, "no-text") == 0) && argc == 3) {
        int found = strstr(d->last_dump, argv[2]) != NULL;
        if (found == (what[0] == 't')) return 0;
        return failed(d, what, argv[2], found ? "present on the screen" : "not on the screen");
    }
    if (strcmp(what, "title") == 0 && argc == 3)
        return strcmp(m.title, argv[2]) == 0 ? 0 : failed(d, "title", argv[2], m.title);
    if (strcmp(what, "setting") == 0 && argc == 4) {
        term_setting_id id;
        if (term_setting_find(argv[2], &id) != TERM_OK) return bad_line(d, "unknown setting", argv[2]);
        if (term_settings_format(term_app_settings(d->app), id, got, sizeof(got)) != TERM_OK) got[0] = '\0';
        /* the setting must also be what the store holds */
        term_settings stored;
        char sgot[256] = "";
        if (term_store_settings_load(term_app_store(d->app), &stored) == TERM_OK)
            term_settings_format(&stored, id, sgot, sizeof(sgot));
        if (strcmp(got, sgot) != 0) return failed(d, "setting in memory equals the stored one", got, sgot);
        return strcmp(got, argv[3]) == 0 ? 0 : failed(d, argv[2], argv[3], got);
    }
    if (strcmp(what, "voice") == 0 && argc == 3) {
        int v = term_hal_sim_last_voice(&d->sim);
        snprintf(got, sizeof(got), "%s", v < 0 ? "(none)" : term_voice_name((term_voice)v));
        return strcmp(got, argv[2]) == 0 ? 0 : failed(d, "last voice prompt", argv[2], got);
    }
    if (strcmp(what, "status") == 0 && argc == 3) {
        snprintf(got, sizeof(got), "%s", term_status_name(term_app_last_status(d->app)));
        return strcmp(got, argv[2]) == 0 ? 0 : failed(d, "last store status", argv[2], got);
    }
    if (strcmp(what, "clock") == 0 && argc == 3) {
        int64_t t = d->sim.wall + (int64_t)(d->sim.mono_ms / 1000u);
        int64_t secs, yy, mm, dd;
        term_civil_from_days(term_days_of(t, &secs), &yy, &mm, &dd);
        snprintf(got, sizeof(got), "%04lld-%02lld-%02lld %02lld:%02lld", (long long)yy, (long long)mm, (long long)dd,
                 (long long)(secs / 3600), (long long)(secs / 60 % 60));
        return strcmp(got, argv[2]) == 0 ? 0 : failed(d, "clock", argv[2], got);
    }
    if (argc == 3) {
        uint64_t want;
        if (term_script_u64(argv[2], &want) != 0) return bad_line(d, "expected a count", argv[2]);
        term_store_counts c;
        if (term_store_counts_get(term_app_store(d->app), &c) != TERM_OK)
            return failed(d, what, argv[2], "store error");
        uint64_t v;
        if (strcmp(what, "users") == 0)
            v = c.users;
        else if (strcmp(what, "admins") == 0)
            v = c.admins;
        else if (strcmp(what, "fingers") == 0)
            v = c.fingers;
        else if (strcmp(what, "cards") == 0)
            v = c.cards;
        else if (strcmp(what, "pins") == 0)
            v = c.pins;
        else if (strcmp(what, "records") == 0)
            v = c.records;
        else if (strcmp(what, "oplog") == 0)
            v = c.oplog;
        else
            return bad_line(d, "unknown expectation", what);
        snprintf(got, sizeof(got), "%llu", (unsigned long long)v);
        return v == want ? 0 : failed(d, what, argv[2], got);
    }
    return bad_line(d, "unknown expectation", what);
}

static int run_line(driver *d, char *line)
{
    char *argv[65];
    int argc = term_script_split(line, argv, 65);
    if (argc == 0) return 0;
    if (strcmp(argv[0], "profile") != 0) d->profile_ok = 0;
    if (argc == 65) return bad_line(d, "more than 64 words on a line", NULL);
    const char *cmd = argv[0];
    term_app_input in;
    memset(&in, 0, sizeof(in));
    if (strcmp(cmd, "key") == 0 || strcmp(cmd, "type") == 0) {
        if (argc < 2) return bad_line(d, "key needs at least one key name", NULL);
        term_key keys[64];
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
            if (cmd[0] == 't') {
                for (const char *c = argv[i]; *c; c++) {
                    if (!isdigit((unsigned char)*c) || n == 64) return bad_line(d, "type takes digits only", argv[i]);
                    keys[n++] = (term_key)(TERM_KEY_0 + (*c - '0'));
                }
            } else {
                if (n == 64 || term_script_key(argv[i], &keys[n]) != 0) return bad_line(d, "unknown key", argv[i]);
                n++;
            }
        }
        for (size_t i = 0; i < n; i++) {
            step(d, 100);
            if (term_hal_sim_push_key(&d->sim, keys[i]) != TERM_OK) return bad_line(d, "key queue full", NULL);
            term_app_poll(d->app);
        }
    } else if (strcmp(cmd, "finger") == 0) {
        if (argc != 2) return bad_line(d, "finger wants one argument F or F/I", NULL);
        step(d, 100);
        int r = do_finger(d, argv[1]);
        if (r) return r;
    } else if (strcmp(cmd, "finger-retry") == 0) {
        static const struct {
            const char *name;
            fp_status st;
        } reasons[] = {{"wet", FP_RETRY_TOO_WET},
                       {"dry", FP_RETRY_TOO_DRY},
                       {"moving", FP_RETRY_MOVING},
                       {"small", FP_RETRY_TOO_SMALL},
                       {"quality", FP_RETRY_LOW_QUALITY}};
        if (argc != 2) return bad_line(d, "finger-retry wants a reason", NULL);
        size_t i = 0;
        for (; i < sizeof(reasons) / sizeof(reasons[0]); i++)
            if (strcmp(argv[1], reasons[i].name) == 0) break;
        if (i == sizeof(reasons) / sizeof(reasons[0])) return bad_line(d, "unknown retry reason", argv[1]);
        step(d, 100);
        in.type = TERM_IN_FINGER_RETRY;
        in.retry = (int)reasons[i].st;
        feed(d, &in);
    } else if (strcmp(cmd, "card") == 0) {
        uint64_t card;
        if (argc != 2 || term_script_u64(argv[1], &card) != 0)
            return bad_line(d, "card wants a number", argc > 1 ? argv[1] : NULL);
        step(d, 100);
        if (term_hal_sim_push_card(&d->sim, card) != TERM_OK) return bad_line(d, "card queue full", NULL);
        term_app_poll(d->app);
    } else if (strcmp(cmd, "wait") == 0 || strcmp(cmd, "tick") == 0) {
        uint64_t v;
        if (argc != 2 || term_script_u64(argv[1], &v) != 0 || v > 100000000u)
            return bad_line(d, "wants a number", argc > 1 ? argv[1] : NULL);
        uint64_t ms = cmd[0] == 'w' ? v * 1000u : v;
        /* tick every second so timeouts fire at their time, like the device's main loop */
        while (ms > 0) {
            uint64_t s = ms > 1000 ? 1000 : ms;
            step(d, s);
            ms -= s;
            in.type = TERM_IN_TICK;
            feed(d, &in);
        }
    } else if (strcmp(cmd, "clock") == 0) {
        int y, mo, da, h, mi, s;
        if (argc != 3 || sscanf(argv[1], "%d-%d-%d", &y, &mo, &da) != 3 ||
            sscanf(argv[2], "%d:%d:%d", &h, &mi, &s) != 3 || y < 1970 || mo < 1 || mo > 12 || da < 1 || da > 31 ||
            h > 23 || mi > 59 || s > 59)
            return bad_line(d, "clock wants YYYY-MM-DD HH:MM:SS", NULL);
        const int64_t days = term_days_from_civil(y, mo, da);
        d->sim.wall = days * 86400 + h * 3600 + mi * 60 + s - (int64_t)(d->sim.mono_ms / 1000u);
        in.type = TERM_IN_TICK;
        feed(d, &in);
    } else if (strcmp(cmd, "network") == 0) {
        if (argc == 4 && strcmp(argv[1], "wifi") == 0) {
            if (term_hal_sim_add_network(&d->sim, argv[2], argv[3]) != TERM_OK)
                return bad_line(d, "cannot add network", argv[2]);
        } else if (argc == 3 && strcmp(argv[1], "server") == 0 &&
                   (!strcmp(argv[2], "up") || !strcmp(argv[2], "down"))) {
            d->sim.link.server_connected = strcmp(argv[2], "up") == 0;
        } else if ((argc == 3 || argc == 4) && strcmp(argv[1], "usb") == 0 &&
                   (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
            d->sim.link.usb_present = strcmp(argv[2], "on") == 0;
            /* "network usb on DIR": the drive's files are those of DIR */
            snprintf(d->sim.link.usb_path, sizeof d->sim.link.usb_path, "%s",
                     argc == 4 && d->sim.link.usb_present ? argv[3] : "");
        } else {
            return bad_line(d, "network wifi NAME PASSWORD | server up|down | usb on [DIR]|off", NULL);
        }
        in.type = TERM_IN_TICK;
        feed(d, &in);
    } else if (strcmp(cmd, "profile") == 0) {
        if (!d->profile_ok) return bad_line(d, "profile lines must come before every other command", NULL);
        return 0;
    } else if (strcmp(cmd, "bound") == 0) {
        if (argc != 2 || (strcmp(argv[1], "yes") != 0 && strcmp(argv[1], "no") != 0))
            return bad_line(d, "bound yes|no", NULL);
        if (d->synced) return bad_line(d, "with --server the binding comes from the server", NULL);
        d->bound = strcmp(argv[1], "yes") == 0;
        in.type = TERM_IN_TICK;
        feed(d, &in);
    } else if (strcmp(cmd, "print") == 0) {
        fputs(d->last_dump, stdout);
        return 0;
    } else if (strcmp(cmd, "expect") == 0) {
        show(d);
        return expect(d, argc, argv);
    } else {
        return bad_line(d, "unknown command", cmd);
    }
    show(d);
    return 0;
}

/*
 * Records presses of synthetic finger `finger` through the synthetic sensor
 * backend: DIR/F_I/1_1.pgm for impressions 0..n-1, for --fingers DIR.
 * Building a synthetic finger is the slow part (seconds under the
 * sanitizers), so test suites record once and replay.
 */
static int make_fingers(const char *dir, uint64_t seed, unsigned finger, unsigned n)
{
    fp_synth_master *master = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "m1-terminal: cannot create %s: %s\n", dir, strerror(errno));
        return 3;
    }
    if (fp_synth_master_create(seed, finger, &master) != FP_OK) {
        fprintf(stderr, "m1-terminal: cannot build synthetic finger %u\n", finger);
        return 3;
    }
    int rc = 0;
    for (unsigned i = 0; i < n && rc == 0; i++) {
        fp_sensor_frame frame;
        memset(&frame, 0, sizeof(frame));
        fp_status st = term_press_synthetic_frame(master, seed, finger, i, &frame);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%u_%u", dir, finger, i);
        if (st == FP_OK && mkdir(path, 0755) != 0 && errno != EEXIST) st = FP_ERR_IO;
        snprintf(path, sizeof(path), "%s/%u_%u/1_1.pgm", dir, finger, i);
        if (st == FP_OK) st = fp_io_write_pgm(path, frame.pixels, frame.width, frame.height, frame.width);
        if (st != FP_OK) {
            fprintf(stderr, "m1-terminal: finger %u press %u: %s\n", finger, i, fp_status_message(st));
            rc = 3;
        }
        fp_sensor_frame_free(&frame);
    }
    fp_synth_master_destroy(master);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: m1-terminal --script FILE [--db DIR] [--fingers DIR|synthetic] [--seed N] [--quiet]\n"
                    "                   [--server URL [--serial SN] [--fw-key FILE]] [--sensor libfprint]\n"
                    "       m1-terminal --make-fingers DIR --finger F --impressions N [--seed N]\n");
}

int main(int argc, char **argv)
{
    const char *script = NULL, *dbdir = NULL, *fingers = NULL;
    uint64_t seed = 7;
    int quiet = 0;
    const char *make = NULL;
    const char *server = NULL, *serial = "SIM0000001", *fw_key = NULL, *sensor = NULL;
    unsigned make_finger = 0, impressions = 6;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
            script = argv[++i];
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            dbdir = argv[++i];
        else if (strcmp(argv[i], "--fingers") == 0 && i + 1 < argc)
            fingers = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--make-fingers") == 0 && i + 1 < argc)
            make = argv[++i];
        else if (strcmp(argv[i], "--finger") == 0 && i + 1 < argc)
            make_finger = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--impressions") == 0 && i + 1 < argc)
            impressions = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--server") == 0 && i + 1 < argc)
            server = argv[++i];
        else if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc)
            serial = argv[++i];
        else if (strcmp(argv[i], "--fw-key") == 0 && i + 1 < argc)
            fw_key = argv[++i];
        else if (strcmp(argv[i], "--sensor") == 0 && i + 1 < argc && strcmp(argv[i + 1], "libfprint") == 0)
            sensor = argv[++i];
        else {
            usage();
            return 2;
        }
    }
    if (make) return make_fingers(make, seed, make_finger, impressions);
    if (!script) {
        usage();
        return 2;
    }
#ifndef M1_WITH_SYNC
    if (server || fw_key) {
        fprintf(stderr, "m1-terminal: --server needs the sync layer, which this build leaves out\n");
        return 2;
    }
#endif
    (void)fw_key;
    FILE *f = fopen(script, "r");
    if (!f) {
        fprintf(stderr, "m1-terminal: cannot open %s: %s\n", script, strerror(errno));
        return 2;
    }
    char tmpdir[] = "/tmp/m1-terminal-XXXXXX";
    int own_dir = 0;
    if (!dbdir) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "m1-terminal: cannot create a temporary directory\n");
            fclose(f);
            return 3;
        }
        dbdir = tmpdir;
        own_dir = 1;
    } else if (mkdir(dbdir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "m1-terminal: cannot create %s: %s\n", dbdir, strerror(errno));
        fclose(f);
        return 3;
    }
    static driver d; /* large (screen dumps); one per process */
    memset(&d, 0, sizeof(d));
    d.fingers = fingers && strcmp(fingers, "synthetic") != 0 ? fingers : NULL;
    d.seed = seed;
    d.quiet = quiet;
    d.script = script;
    /* 2024-10-25 16:43:00, the manual's example date */
    term_hal_sim_init(&d.sim, 1729874580);
    char db[4096], key[4096];
    snprintf(db, sizeof(db), "%s/terminal.db", dbdir);
    snprintf(key, sizeof(key), "%s/device.key", dbdir);
    term_app_config cfg;
    term_app_config_init(&cfg);
    cfg.store.db_path = db;
    cfg.store.key_path = key;
    cfg.store.create_key = 1;
    term_hal_sim_bind(&d.sim, &cfg.hal);
    cfg.info.serial_number = serial;
    d.bound = 1;
    d.profile_ok = 1;
    cfg.hooks.ctx = &d;
    cfg.hooks.is_bound = server ? NULL : driver_bound; /* with a server the engine knows the binding */
    cfg.hooks.store_rebuilt = driver_rebuilt;
    cfg.info.mac_address = "00:17:61:00:00:01";
    /* `profile` lines at the top of the script size the store before the terminal starts */
    char pline[1024];
    int pno = 0;
    while (fgets(pline, sizeof(pline), f)) {
        pno++;
        char *words[8];
        int n = term_script_split(pline, words, 8);
        if (n == 0) continue;
        if (strcmp(words[0], "profile") != 0) break;
        uint64_t v;
        if (n != 3 || term_script_u64(words[2], &v) != 0 || v == 0 || v > 1000000) {
            fprintf(stderr, "%s:%d: profile NAME N (N 1..1000000)\n", script, pno);
            fclose(f);
            return 2;
        }
        if (strcmp(words[1], "max_records") == 0)
            cfg.store.profile.max_records = (uint32_t)v;
        else if (strcmp(words[1], "max_users") == 0)
            cfg.store.profile.max_users = (uint32_t)v;
        else if (strcmp(words[1], "max_fingers") == 0)
            cfg.store.profile.max_fingers = (uint32_t)v;
        else if (strcmp(words[1], "max_cards") == 0)
            cfg.store.profile.max_cards = (uint32_t)v;
        else {
            fprintf(stderr, "%s:%d: unknown profile limit %s\n", script, pno, words[1]);
            fclose(f);
            return 2;
        }
    }
    rewind(f);
    term_status st = TERM_OK;
#ifdef M1_WITH_SYNC
    char staging[4200];
    snprintf(staging, sizeof(staging), "%s/firmware", dbdir);
    if (server) {
        /* the address is the Cloud Server Setting (manual 5.2): checked, then stored before the terminal
         * starts, but never into a database that cannot be opened or fails its check (the terminal shows why) */
        term_settings set;
        term_settings_defaults(&set);
        st = term_settings_set_text(&set, TERM_SETTING_SERVER_ADDRESS, server);
        term_store *pre = NULL;
        if (st == TERM_OK && term_store_open(&cfg.store, &pre) == TERM_OK &&
            term_store_check(pre, TERM_STORE_CHECK_QUICK) == TERM_OK) {
            st = term_store_settings_load(pre, &set);
            if (st == TERM_OK) st = term_settings_set_text(&set, TERM_SETTING_SERVER_ADDRESS, server);
            if (st == TERM_OK) st = term_store_settings_save(pre, &set);
        }
        term_store_close(pre);
        if (st != TERM_OK) fprintf(stderr, "m1-terminal: --server %s: %s\n", server, term_status_message(st));
    }
#endif
    int rc = 0;
    if (st == TERM_OK) st = term_app_create(&cfg, &d.app);
    if (st == TERM_OK && term_app_fault(d.app) != TERM_OK && !quiet)
        printf("(storage fault: %s; the terminal shows the storage-error screen)\n",
               term_status_message(term_app_fault(d.app)));
#ifdef M1_WITH_SYNC
    d.server = server;
    d.serial = serial;
    d.fw_key = fw_key;
    d.firmware = cfg.info.firmware;
    snprintf(d.staging, sizeof d.staging, "%s", staging);
    if (snprintf(d.fw_dir, sizeof d.fw_dir, "%s/firmware", dbdir) >= (int)sizeof d.fw_dir ||
        (mkdir(d.fw_dir, 0700) != 0 && errno != EEXIST))
        d.fw_dir[0] = '\0';
    /* never over a damaged database: after a recovery the store_rebuilt hook starts it */
    if (st == TERM_OK && server && term_app_fault(d.app) == TERM_OK) st = start_sync(&d);
#endif
    if (st == TERM_OK && sensor) {
        fp_sensor_sensitivity sens =
            (fp_sensor_sensitivity)term_settings_get(term_app_settings(d.app), TERM_SETTING_SENSITIVITY);
        fp_status fs = term_press_reader_open(NULL, sens, &d.reader);
        if (fs != FP_OK) {
            fprintf(stderr, "m1-terminal: --sensor libfprint: %s (%s)\n", fp_status_message(fs), fp_status_name(fs));
            rc = 4;
        } else if (term_press_reader_is_virtual(d.reader) && !d.fingers) {
            fprintf(stderr, "m1-terminal: libfprint's virtual reader needs --fingers DIR: the presses to put on it\n");
            rc = 2;
        }
    }
    if (st != TERM_OK) {
        fprintf(stderr, "m1-terminal: cannot start: %s\n", term_status_message(st));
        rc = 3;
    } else if (rc == 0) {
        show(&d);
        char line[1024];
        while (rc == 0 && fgets(line, sizeof(line), f)) {
            d.line++;
            if (!strchr(line, '\n') && !feof(f)) {
                rc = bad_line(&d, "line too long", NULL);
                break;
            }
            rc = run_line(&d, line);
#ifdef M1_WITH_SYNC
            if (rc == 0 && d.rebuilt && server && start_sync(&d) != TERM_OK) rc = 3;
#endif
            d.rebuilt = 0;
        }
        if (rc == 0 && !quiet) printf("script %s: all %d lines ran, every expectation held\n", script, d.line);
    }
    term_press_reader_close(d.reader);
    term_app_destroy(d.app);
#ifdef M1_WITH_SYNC
    if (own_dir) {
        static const char *const staged[] = {"/firmware.img", "/firmware.img.sig", "/firmware.part",
                                             "/firmware.part.sig"};
        for (size_t i = 0; i < sizeof(staged) / sizeof(staged[0]); i++) {
            char path[sizeof(staging) + 32];
            snprintf(path, sizeof(path), "%s%s", staging, staged[i]);
            remove(path);
        }
        rmdir(staging);
    }
#endif
    for (int i = 0; i < MAX_FINGERS; i++) fp_synth_master_destroy(d.masters[i]);
    fclose(f);
    if (own_dir) {
        /* the files the store makes: the database, its WAL and shared memory, the key */
        static const char *const suffix[] = {"/terminal.db", "/terminal.db-wal", "/terminal.db-shm", "/device.key"};
        for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
            char path[sizeof(tmpdir) + 32];
            snprintf(path, sizeof(path), "%s%s", tmpdir, suffix[i]);
            remove(path);
        }
        rmdir(tmpdir);
    }
    return rc;
}
