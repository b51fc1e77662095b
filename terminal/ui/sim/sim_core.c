/* sim_core.c - the simulator engine (see sim_core.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sim_core.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp/sensor.h"
#include "fp/synth.h"
#include "term_calendar.h"
#include "term_hal_sim.h"
#include "term_press.h"
#include "term_script.h"
#include "ui_render.h"

#define MAX_FINGERS 64

struct m1_sim {
    m1_sim_config cfg;
    term_hal_sim hal_sim;
    term_hal_sysclock sysclock;
    term_app *app;
    ui_fb *fb;
    ui_audio *audio;
    fp_synth_master *masters[MAX_FINGERS];
    unsigned next_imp[MAX_FINGERS];
    fp_sensor *replay;
    term_press_reader *reader; /* cfg.libfprint */
    char dir[512];
    int own_dir;
    char shots[1024];
    unsigned shot_no;
    ui_color *last;            /* shot_every: the pixels last written, NULL before the first */
    term_screen_model scratch; /* work space of expect, print and shot_every */
    char text[8192];
};

#define ERR(...)                                                                                                       \
    do {                                                                                                               \
        if (err && errcap) snprintf(err, errcap, __VA_ARGS__);                                                         \
    } while (0)

void m1_sim_config_init(m1_sim_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 7;
    cfg->shot_scale = 1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int m1_sim_open(const m1_sim_config *cfg, m1_sim **out, char *err, size_t errcap)
{
    if (!cfg || !out) {
        ERR("invalid argument");
        return -1;
    }
    *out = NULL;
    m1_sim *s = calloc(1, sizeof *s);
    if (!s) {
        ERR("out of memory");
        return -1;
    }
    s->cfg = *cfg;
    if (!s->cfg.seed) s->cfg.seed = 7;
    if (s->cfg.shot_scale < 1 || s->cfg.shot_scale > 8) s->cfg.shot_scale = 1;
    snprintf(s->shots, sizeof s->shots, "%s", cfg->shots_dir ? cfg->shots_dir : ".");
    if (cfg->db_dir) {
        snprintf(s->dir, sizeof s->dir, "%s", cfg->db_dir);
        if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
            ERR("cannot create %s: %s", s->dir, strerror(errno));
            free(s);
            return -1;
        }
    } else {
        snprintf(s->dir, sizeof s->dir, "/tmp/m1-sim-XXXXXX");
        if (!mkdtemp(s->dir)) {
            ERR("cannot create a temporary directory: %s", strerror(errno));
            free(s);
            return -1;
        }
        s->own_dir = 1;
    }
    if (ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &s->fb) != UI_OK) {
        ERR("out of memory");
        m1_sim_close(s);
        return -1;
    }
    ui_audio_config ac = {cfg->prompts_dir, cfg->audio_out, cfg->sdl_audio};
    if (ui_audio_create(&ac, &s->audio) != UI_OK) {
        ERR("out of memory");
        m1_sim_close(s);
        return -1;
    }
    /* 2024-10-25 16:43:00, the manual's example date */
    term_hal_sim_init(&s->hal_sim, 1729874580);
    char db[700], key[700];
    snprintf(db, sizeof db, "%s/terminal.db", s->dir);
    snprintf(key, sizeof key, "%s/device.key", s->dir);
    term_app_config ac2;
    term_app_config_init(&ac2);
    ac2.store.db_path = db;
    ac2.store.key_path = key;
    ac2.store.create_key = 1;
    term_hal_sim_bind(&s->hal_sim, &ac2.hal);
    ui_audio_bind(s->audio, &ac2.hal.audio);
    if (cfg->system_clock) term_hal_sysclock_bind(&s->sysclock, &ac2.hal.clock);
    ac2.info.device_name = "M1";
    ac2.info.serial_number = cfg->serial ? cfg->serial : "M1SIM0000001";
    ac2.info.mac_address = "00:17:61:00:00:01";
    ac2.info.firmware = "m1-sim";
    term_status st = term_app_create(&ac2, &s->app);
    if (st != TERM_OK) {
        ERR("the terminal cannot start: %s", term_status_message(st));
        m1_sim_close(s);
        return -1;
    }
    if (cfg->libfprint) {
        fp_sensor_sensitivity sens =
            (fp_sensor_sensitivity)term_settings_get(term_app_settings(s->app), TERM_SETTING_SENSITIVITY);
        fp_status fs = term_press_reader_open(NULL, sens, &s->reader);
        if (fs != FP_OK) {
            ERR("libfprint reader: %s (%s)", fp_status_message(fs), fp_status_name(fs));
            m1_sim_close(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

void m1_sim_close(m1_sim *s)
{
    if (!s) return;
    term_app_destroy(s->app);
    term_press_reader_close(s->reader);
    fp_sensor_close(s->replay);
    for (int i = 0; i < MAX_FINGERS; i++) fp_synth_master_destroy(s->masters[i]);
    ui_audio_destroy(s->audio);
    ui_fb_destroy(s->fb);
    free(s->last);
    if (s->own_dir) nftw(s->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(s);
}

term_app *m1_sim_app(m1_sim *s)
{
    return s->app;
}
ui_audio *m1_sim_audio(m1_sim *s)
{
    return s->audio;
}

static void advance(m1_sim *s, uint64_t ms)
{
    if (!s->cfg.system_clock) term_hal_sim_advance(&s->hal_sim, ms);
}

static void feed(m1_sim *s, const term_app_input *in)
{
    term_app_event(s->app, in);
}

void m1_sim_tick(m1_sim *s)
{
    term_app_input in;
    memset(&in, 0, sizeof in);
    in.type = TERM_IN_TICK;
    feed(s, &in);
}

void m1_sim_key(m1_sim *s, term_key key)
{
    advance(s, 100);
    term_hal_sim_push_key(&s->hal_sim, key);
    term_app_poll(s->app);
}

void m1_sim_card(m1_sim *s, uint64_t card)
{
    advance(s, 100);
    term_hal_sim_push_card(&s->hal_sim, card);
    term_app_poll(s->app);
}

void m1_sim_wait(m1_sim *s, uint64_t ms)
{
    while (ms > 0) {
        uint64_t step = ms > 1000 ? 1000 : ms;
        advance(s, step);
        ms -= step;
        m1_sim_tick(s);
    }
}

int m1_sim_finger(m1_sim *s, unsigned finger, int imp, char *err, size_t errcap)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    fp_sensor *sensor = NULL;
    fp_status st;
    fp_sensor_sensitivity sens =
        (fp_sensor_sensitivity)term_settings_get(term_app_settings(s->app), TERM_SETTING_SENSITIVITY);
    advance(s, 100);
    if (s->reader) {
        /* the user's finger on the reader (or fp-vimage on the virtual one) */
        st = term_press_reader_present(s->reader, s->app, sens, NULL, 10000);
        if (st != FP_OK && !fp_status_is_retry(st)) {
            ERR("reader: %s", fp_status_message(st));
            return -1;
        }
        return 0;
    }
    if (s->cfg.fingers) {
        if (!s->replay) {
            cfg.backend = FP_SENSOR_BACKEND_REPLAY;
            cfg.source = s->cfg.fingers;
            cfg.sensitivity = sens;
            st = fp_sensor_open(&cfg, &s->replay);
            if (st != FP_OK) {
                ERR("cannot open the finger folder %s: %s", s->cfg.fingers, fp_status_message(st));
                return -1;
            }
        }
        fp_sensor_set_sensitivity(s->replay, sens);
        sensor = s->replay;
    } else {
        if (finger >= MAX_FINGERS) {
            ERR("finger %u: the synthetic backend has fingers 0..%d", finger, MAX_FINGERS - 1);
            return -1;
        }
        if (!s->masters[finger] && fp_synth_master_create(s->cfg.seed, finger, &s->masters[finger]) != FP_OK) {
            ERR("cannot build synthetic finger %u", finger);
            return -1;
        }
        if (imp < 0) imp = (int)s->next_imp[finger]++;
        st = term_press_synthetic_open(s->masters[finger], s->cfg.seed, finger, (uint32_t)imp, sens, &sensor);
        if (st != FP_OK) {
            ERR("cannot open the synthetic sensor: %s", fp_status_message(st));
            return -1;
        }
    }
    int rc = 0;
    st = term_press_present(s->app, sensor, 10000);
    if (st != FP_OK && !fp_status_is_retry(st)) {
        ERR("sensor: %s", fp_status_message(st));
        rc = -1;
    }
    if (sensor != s->replay) fp_sensor_close(sensor);
    return rc;
}

void m1_sim_screen(m1_sim *s, term_screen_model *out)
{
    term_app_screen(s->app, out);
}

const ui_fb *m1_sim_render(m1_sim *s)
{
    term_app_screen(s->app, &s->scratch);
    ui_render(&s->scratch, s->fb);
    return s->fb;
}

ui_status m1_sim_shot(m1_sim *s, const char *path, int scale)
{
    m1_sim_render(s);
    return ui_fb_write_png(s->fb, path, scale);
}

/* ------------------------------------------------------------------------ */
/* Script                                                                   */
/* ------------------------------------------------------------------------ */

#define APPEND(...)                                                                                                    \
    do {                                                                                                               \
        int n_ = snprintf(out + pos, cap - pos, __VA_ARGS__);                                                          \
        if (n_ > 0) pos += (size_t)n_;                                                                                 \
        if (pos >= cap) pos = cap - 1;                                                                                 \
    } while (0)

void m1_sim_model_text(const term_screen_model *m, char *out, size_t cap)
{
    if (!out || cap == 0) return;
    size_t pos = 0;
    out[0] = '\0';
    APPEND("%.*s\n%.*s\n%.*s\n", (int)sizeof m->title, m->title, (int)sizeof m->status.time, m->status.time,
           (int)sizeof m->status.punch_state, m->status.punch_state);
    switch (m->kind) {
    case TERM_BODY_STANDBY:
        APPEND("%.*s\n%.*s\n%.*s\n%.*s\n", (int)sizeof m->body.standby.time, m->body.standby.time,
               (int)sizeof m->body.standby.date, m->body.standby.date, (int)sizeof m->body.standby.punch_state,
               m->body.standby.punch_state, (int)sizeof m->body.standby.input, m->body.standby.input);
        break;
    case TERM_BODY_LIST:
        for (uint32_t i = 0; i < m->body.list.count && i < TERM_SCR_LIST_ROWS; i++)
            APPEND("%.*s: %.*s\n", (int)sizeof m->body.list.items[i].text, m->body.list.items[i].text,
                   (int)sizeof m->body.list.items[i].value, m->body.list.items[i].value);
        break;
    case TERM_BODY_FIELD:
        APPEND("%.*s: [%.*s] %.*s\n%.*s\n", (int)sizeof m->body.field.label, m->body.field.label,
               (int)sizeof m->body.field.value, m->body.field.value, (int)sizeof m->body.field.mode, m->body.field.mode,
               (int)sizeof m->body.field.hint, m->body.field.hint);
        break;
    case TERM_BODY_MESSAGE:
    case TERM_BODY_CONFIRM:
        for (uint32_t i = 0; i < m->body.message.line_count && i < TERM_SCR_LINES; i++)
            APPEND("%.*s\n", (int)sizeof m->body.message.lines[i], m->body.message.lines[i]);
        break;
    case TERM_BODY_TABLE:
        for (uint32_t c = 0; c < m->body.table.col_count && c < TERM_SCR_TABLE_COLS; c++)
            APPEND("%.*s ", (int)sizeof m->body.table.header[c], m->body.table.header[c]);
        APPEND("\n");
        for (uint32_t r = 0; r < m->body.table.row_count && r < TERM_SCR_TABLE_ROWS; r++) {
            for (uint32_t c = 0; c < m->body.table.col_count && c < TERM_SCR_TABLE_COLS; c++)
                APPEND("%.*s ", (int)sizeof m->body.table.rows[r][c], m->body.table.rows[r][c]);
            APPEND("\n");
        }
        APPEND("%.*s\n%.*s\n", (int)sizeof m->body.table.footer[0], m->body.table.footer[0],
               (int)sizeof m->body.table.footer[1], m->body.table.footer[1]);
        break;
    case TERM_BODY_SPINNER:
        APPEND("%.*s\n", (int)sizeof m->body.spinner.value, m->body.spinner.value);
        break;
    case TERM_BODY_PROGRESS:
        APPEND("%.*s\n", (int)sizeof m->body.progress.text, m->body.progress.text);
        break;
    case TERM_BODY_QR:
        APPEND("%.*s\n%.*s\n%.*s\n", (int)sizeof m->body.qr.payload, m->body.qr.payload,
               (int)sizeof m->body.qr.lines[0], m->body.qr.lines[0], (int)sizeof m->body.qr.lines[1],
               m->body.qr.lines[1]);
        break;
    default:
        break;
    }
    APPEND("%.*s\n", (int)sizeof m->hint, m->hint);
}



/*
 * Splits text into exactly n unsigned decimal numbers separated by sep
 * ("2024-10-25" with '-'). Returns 0, or -1 for anything else.
 */
static int parse_numbers(const char *text, char sep, unsigned long *out, int n)
{
    const char *p = text;
    for (int i = 0; i < n; i++) {
        if (*p < '0' || *p > '9') return -1;
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        if (errno || end == p || v > 100000000ul) return -1;
        out[i] = v;
        p = end;
        if (i + 1 < n) {
            if (*p != sep) return -1;
            p++;
        }
    }
    return *p == '\0' ? 0 : -1;
}


/* A name usable as a file name: letters, digits, '-', '_' and '.' (not leading). */
static int safe_name(const char *n)
{
    if (!n[0] || n[0] == '.' || strlen(n) > 100) return 0;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') return 0;
    return 1;
}

static int expect(m1_sim *s, int argc, char **argv, char *err, size_t errcap)
{
    term_screen_model *mp = &s->scratch;
    term_app_screen(s->app, mp);
#define m (*mp)
    if (argc < 2) {
        ERR("expect what?");
        return 2;
    }
    const char *what = argv[1];
    if (!strcmp(what, "screen") && argc == 3) {
        if (term_scr_id_from_name(argv[2]) < 0) {
            ERR("unknown screen name %s", argv[2]);
            return 2;
        }
        if (strcmp(term_scr_id_name(m.id), argv[2]) != 0) {
            ERR("expected screen %s, shown: %s", argv[2], term_scr_id_name(m.id));
            return 1;
        }
        return 0;
    }
    if (!strcmp(what, "title") && argc == 3) {
        if (strncmp(m.title, argv[2], sizeof m.title) != 0) {
            ERR("expected title \"%s\", shown: \"%.*s\"", argv[2], (int)sizeof m.title, m.title);
            return 1;
        }
        return 0;
    }
    if ((!strcmp(what, "text") || !strcmp(what, "no-text")) && argc == 3) {
        m1_sim_model_text(&m, s->text, sizeof s->text);
        int found = strstr(s->text, argv[2]) != NULL;
        if (found != (what[0] == 't')) {
            ERR("expected %s\"%s\" on the screen", found ? "no " : "", argv[2]);
            return 1;
        }
        return 0;
    }
    if (!strcmp(what, "voice") && argc == 3) {
        const ui_audio_entry *e = ui_audio_recent(s->audio, 0);
        const char *got = e ? e->name : "(none)";
        /* key beeps are not prompts: look past them */
        for (uint32_t k = 0; e && !strcmp(e->name, "beep") && strcmp(argv[2], "beep") != 0; k++) {
            e = ui_audio_recent(s->audio, k + 1);
            got = e ? e->name : "(none)";
        }
        if (strcmp(got, argv[2]) != 0) {
            ERR("expected voice \"%s\", last played: \"%s\"", argv[2], got);
            return 1;
        }
        return 0;
    }
    if (argc == 3 && strchr("uafcpro", what[0])) {
        static const char *const kinds[] = {"users", "admins", "fingers", "cards", "pins", "records", "oplog"};
        size_t k = 0;
        for (; k < 7; k++)
            if (!strcmp(what, kinds[k])) break;
        if (k < 7) {
            uint64_t want;
            term_store_counts c;
            if (term_script_u64(argv[2], &want) != 0) {
                ERR("expected a count: %s", argv[2]);
                return 2;
            }
            if (term_store_counts_get(term_app_store(s->app), &c) != TERM_OK) {
                ERR("the store cannot be read");
                return 1;
            }
            uint64_t v[7] = {c.users, c.admins, c.fingers, c.cards, c.pins, c.records, c.oplog};
            if (v[k] != want) {
                ERR("expected %s %llu, store holds %llu", what, (unsigned long long)want, (unsigned long long)v[k]);
                return 1;
            }
            return 0;
        }
    }
    if (s->cfg.log) fprintf(s->cfg.log, "note: `expect %s` is checked by m1-terminal only; skipped\n", what);
    return 0;
#undef m
}

static void maybe_shot_every(m1_sim *s)
{
    if (!s->cfg.shot_every) return;
    /* a change of the screen is a change of its pixels */
    const ui_fb *fb = m1_sim_render(s);
    size_t bytes = sizeof(ui_color) * (size_t)UI_FB_WIDTH * UI_FB_HEIGHT;
    if (s->last && memcmp(s->last, ui_fb_pixels(fb), bytes) == 0) return;
    if (!s->last && !(s->last = malloc(bytes))) return;
    memcpy(s->last, ui_fb_pixels(fb), bytes);
    char path[1200];
    snprintf(path, sizeof path, "%s/%04u.png", s->shots, ++s->shot_no);
    ui_fb_write_png(fb, path, s->cfg.shot_scale);
}

int m1_sim_line(m1_sim *s, const char *text, char *err, size_t errcap)
{
    char line[1024];
    if (strlen(text) >= sizeof line) {
        ERR("line too long");
        return 2;
    }
    snprintf(line, sizeof line, "%s", text);
    char *argv[16];
    int argc = term_script_split(line, argv, 16);
    if (argc == 0) return 0;
    const char *cmd = argv[0];
    int rc = 0;
    if (!strcmp(cmd, "key") || !strcmp(cmd, "type")) {
        if (argc < 2) {
            ERR("%s needs keys", cmd);
            return 2;
        }
        term_key keys[64];
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
            if (cmd[0] == 't') {
                for (const char *c = argv[i]; *c; c++) {
                    if (!isdigit((unsigned char)*c) || n == 64) {
                        ERR("type takes up to 64 digits: %s", argv[i]);
                        return 2;
                    }
                    keys[n++] = (term_key)(TERM_KEY_0 + (*c - '0'));
                }
            } else {
                if (n == 64 || term_script_key(argv[i], &keys[n]) != 0) {
                    ERR("unknown key %s", argv[i]);
                    return 2;
                }
                n++;
            }
        }
        for (size_t i = 0; i < n; i++) m1_sim_key(s, keys[i]);
    } else if (!strcmp(cmd, "finger")) {
        unsigned long fi[2] = {0, 0};
        int ok = argc == 1 && s->cfg.fingers; /* replay: the next image */
        if (argc == 2) ok = parse_numbers(argv[1], '/', fi, 2) == 0 || parse_numbers(argv[1], '/', fi, 1) == 0;
        if (!ok || fi[0] >= MAX_FINGERS || fi[1] > 1000000ul) {
            ERR("finger wants F or F/I (F < %d)", MAX_FINGERS);
            return 2;
        }
        if (m1_sim_finger(s, (unsigned)fi[0], (int)fi[1], err, errcap) != 0) return 2;
    } else if (!strcmp(cmd, "finger-retry")) {
        static const struct {
            const char *name;
            fp_status st;
        } reasons[] = {{"wet", FP_RETRY_TOO_WET},
                       {"dry", FP_RETRY_TOO_DRY},
                       {"moving", FP_RETRY_MOVING},
                       {"small", FP_RETRY_TOO_SMALL},
                       {"quality", FP_RETRY_LOW_QUALITY}};
        size_t i = 0;
        for (; argc == 2 && i < sizeof reasons / sizeof reasons[0]; i++)
            if (!strcmp(argv[1], reasons[i].name)) break;
        if (argc != 2 || i == sizeof reasons / sizeof reasons[0]) {
            ERR("finger-retry wants wet|dry|moving|small|quality");
            return 2;
        }
        advance(s, 100);
        term_app_input in;
        memset(&in, 0, sizeof in);
        in.type = TERM_IN_FINGER_RETRY;
        in.retry = (int)reasons[i].st;
        feed(s, &in);
    } else if (!strcmp(cmd, "card")) {
        uint64_t card;
        if (argc != 2 || term_script_u64(argv[1], &card) != 0) {
            ERR("card wants a number");
            return 2;
        }
        m1_sim_card(s, card);
    } else if (!strcmp(cmd, "wait") || !strcmp(cmd, "tick")) {
        uint64_t v;
        if (argc != 2 || term_script_u64(argv[1], &v) != 0 || v > 100000000u) {
            ERR("%s wants a number", cmd);
            return 2;
        }
        m1_sim_wait(s, cmd[0] == 'w' ? v * 1000u : v);
    } else if (!strcmp(cmd, "clock")) {
        unsigned long d[3], t[3];
        if (argc != 3 || parse_numbers(argv[1], '-', d, 3) != 0 || parse_numbers(argv[2], ':', t, 3) != 0 ||
            d[0] < 1970 || d[0] > 9999 || d[1] < 1 || d[1] > 12 || d[2] < 1 || d[2] > 31 || t[0] > 23 || t[1] > 59 ||
            t[2] > 59) {
            ERR("clock wants YYYY-MM-DD HH:MM:SS");
            return 2;
        }
        int y = (int)d[0], mo = (int)d[1], da = (int)d[2], h = (int)t[0], mi = (int)t[1], sec = (int)t[2];
        const int64_t days = term_days_from_civil(y, mo, da);
        s->hal_sim.wall = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)(s->hal_sim.mono_ms / 1000u);
        m1_sim_tick(s);
    } else if (!strcmp(cmd, "network")) {
        if (argc == 4 && !strcmp(argv[1], "wifi")) {
            if (term_hal_sim_add_network(&s->hal_sim, argv[2], argv[3]) != TERM_OK) {
                ERR("cannot add network %s", argv[2]);
                return 2;
            }
        } else if (argc == 3 && !strcmp(argv[1], "server") && (!strcmp(argv[2], "up") || !strcmp(argv[2], "down"))) {
            s->hal_sim.link.server_connected = !strcmp(argv[2], "up");
        } else if (argc == 3 && !strcmp(argv[1], "usb") && (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
            s->hal_sim.link.usb_present = !strcmp(argv[2], "on");
        } else {
            ERR("network wifi NAME PASSWORD | server up|down | usb on|off");
            return 2;
        }
        m1_sim_tick(s);
    } else if (!strcmp(cmd, "shot")) {
        if (argc != 2 || !safe_name(argv[1])) {
            ERR("shot wants a file name stem (letters, digits, - _ .)");
            return 2;
        }
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.png", s->shots, argv[1]);
        ui_status st = m1_sim_shot(s, path, s->cfg.shot_scale);
        if (st != UI_OK) {
            ERR("%s: %s", path, ui_status_message(st));
            return 2;
        }
        return 0;
    } else if (!strcmp(cmd, "print")) {
        if (s->cfg.log) {
            term_app_screen(s->app, &s->scratch);
            m1_sim_model_text(&s->scratch, s->text, sizeof s->text);
            fprintf(s->cfg.log, "[%s]\n%s", term_scr_id_name(s->scratch.id), s->text);
        }
        return 0;
    } else if (!strcmp(cmd, "expect")) {
        return expect(s, argc, argv, err, errcap);
    } else {
        ERR("unknown command %s", cmd);
        return 2;
    }
    maybe_shot_every(s);
    return rc;
}

int m1_sim_script(m1_sim *s, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        ERR("cannot open %s: %s", path, strerror(errno));
        return 2;
    }
    char line[1024], why[512];
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        n++;
        if (!strchr(line, '\n') && !feof(f)) {
            ERR("%s:%d: line too long", path, n);
            rc = 2;
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (s->cfg.log && line[0] && line[0] != '#') fprintf(s->cfg.log, "> %s\n", line);
        why[0] = '\0';
        rc = m1_sim_line(s, line, why, sizeof why);
        if (rc) ERR("%s:%d: %s", path, n, why);
    }
    fclose(f);
    return rc;
}
