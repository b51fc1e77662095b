/*
 * m1-sim - the M1 terminal on a PC: the application's screen drawn by the
 * framebuffer renderer in an SDL2 window next to a clickable keypad, or
 * headless for tests and documentation.
 *
 *   m1-sim [--db DIR] [--fingers DIR] [--seed N] [--serial SN] [--prompts DIR]
 *          [--audio-out DIR] [--sim-clock] [--script FILE] [--sensor libfprint]
 *          [--screenshot FILE.png]                    (window: grab it after the script and quit)
 *   m1-sim --headless --script FILE --shots DIR [--scale N] [--every] [...]
 *
 * Keys (window): 0-9 digits, Enter or M = M/OK, Esc = ESC, arrows, Backspace =
 * "<" (delete), F1..F10 present synthetic finger 1..10 (each press the next
 * impression), F12 then digits then Enter presents a card. Mouse: click the
 * keys, the FINGER button (finger 1) or the CARD button (card 1001).
 * With --sensor libfprint a finger key or button waits up to 10 s for a
 * finger on the first reader libfprint finds (docs/sensor.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_core.h"
#include "ui_font.h"
#include "ui_icons.h"
#include "ui_render.h"

#ifdef UI_HAVE_SDL
#include <SDL.h>
#endif

/* mkdir -p; returns 0 or -1 (errno set). */
static int make_dirs(const char *path)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: m1-sim [--headless] [--script FILE] [--shots DIR] [--scale N] [--every]\n"
                    "              [--db DIR] [--fingers DIR] [--seed N] [--serial SN] [--prompts DIR]\n"
                    "              [--audio-out DIR] [--sim-clock] [--screenshot FILE.png] [--sensor libfprint]\n");
}

#ifdef UI_HAVE_SDL
/* ------------------------------------------------------------------------ */
/* Window                                                                   */
/* ------------------------------------------------------------------------ */

#define SCALE 2
#define PAD_W 280
#define WIN_W (UI_FB_WIDTH * SCALE + PAD_W)
#define WIN_H (UI_FB_HEIGHT * SCALE)

typedef enum pad_action { PAD_KEY = 0, PAD_FINGER = 1, PAD_CARD = 2 } pad_action;

typedef struct pad_button {
    const char *label;
    const char *sub;
    pad_action action;
    term_key key;
    ui_rect r;
} pad_button;

#define NBUTTONS 20

typedef struct window {
    m1_sim *sim;
    ui_fb *canvas; /* the whole window */
    pad_button buttons[NBUTTONS];
    int pressed;    /* button drawn pressed, -1 none */
    int card_entry; /* F12 pressed: typing a card number */
    char card[24];
    char status[64];
} window;

static void layout(window *w)
{
    static const struct {
        const char *label, *sub;
        pad_action action;
        term_key key;
    } spec[NBUTTONS] = {
        {"ESC", "", PAD_KEY, TERM_KEY_ESC},       {"^", "", PAD_KEY, TERM_KEY_UP},
        {"M/OK", "", PAD_KEY, TERM_KEY_OK},       {"<", "", PAD_KEY, TERM_KEY_LEFT},
        {"v", "", PAD_KEY, TERM_KEY_DOWN},        {">", "", PAD_KEY, TERM_KEY_RIGHT},
        {"1", "", PAD_KEY, TERM_KEY_0 + 1},       {"2", "ABC", PAD_KEY, TERM_KEY_0 + 2},
        {"3", "DEF", PAD_KEY, TERM_KEY_0 + 3},    {"4", "GHI", PAD_KEY, TERM_KEY_0 + 4},
        {"5", "JKL", PAD_KEY, TERM_KEY_0 + 5},    {"6", "MNO", PAD_KEY, TERM_KEY_0 + 6},
        {"7", "PQRS", PAD_KEY, TERM_KEY_0 + 7},   {"8", "TUV", PAD_KEY, TERM_KEY_0 + 8},
        {"9", "WXYZ", PAD_KEY, TERM_KEY_0 + 9},   {"", "", PAD_KEY, TERM_KEY_0},
        {"0", "", PAD_KEY, TERM_KEY_0},           {"", "", PAD_KEY, TERM_KEY_0},
        {"FINGER", "F1", PAD_FINGER, TERM_KEY_0}, {"CARD", "F12", PAD_CARD, TERM_KEY_0},
    };
    int x0 = UI_FB_WIDTH * SCALE + 16, y0 = 44, bw = 76, bh = 48, gap = 8;
    for (int i = 0; i < NBUTTONS; i++) {
        w->buttons[i].label = spec[i].label;
        w->buttons[i].sub = spec[i].sub;
        w->buttons[i].action = spec[i].action;
        w->buttons[i].key = spec[i].key;
        if (i < 18) {
            w->buttons[i].r = (ui_rect){x0 + (i % 3) * (bw + gap), y0 + (i / 3) * (bh + gap), bw, bh};
            if (!spec[i].label[0]) w->buttons[i].r.w = 0; /* the empty places beside 0 */
        } else {
            int k = i - 18;
            w->buttons[i].r = (ui_rect){x0 + k * (bw + gap) * 3 / 2, y0 + 6 * (bh + gap) + 6, bw * 3 / 2 - 2, 36};
        }
    }
}

static void draw_window(window *w)
{
    const ui_fb *screen = m1_sim_render(w->sim);
    ui_fb *c = w->canvas;
    const ui_color *px = ui_fb_pixels(screen);
    for (int y = 0; y < WIN_H; y++)
        for (int x = 0; x < UI_FB_WIDTH * SCALE; x++) ui_fb_pixel(c, x, y, px[(y / SCALE) * UI_FB_WIDTH + x / SCALE]);
    ui_fb_fill(c, (ui_rect){UI_FB_WIDTH * SCALE, 0, PAD_W, WIN_H}, UI_RGB(38, 42, 48));
    ui_fb_vline(c, UI_FB_WIDTH * SCALE, 0, WIN_H, UI_RGB(10, 10, 12));
    ui_font_draw_in(c, (ui_rect){UI_FB_WIDTH * SCALE, 8, PAD_W, 28}, "M1 keypad", UI_RGB(200, 205, 215), 1, 1);
    for (int i = 0; i < NBUTTONS; i++) {
        pad_button *b = &w->buttons[i];
        if (b->r.w <= 0) continue;
        ui_color bg = i == w->pressed        ? UI_RGB(30, 110, 210)
                      : b->action == PAD_KEY ? UI_RGB(70, 76, 86)
                                             : UI_RGB(40, 120, 70);
        ui_fb_round_fill(c, b->r, 8, bg);
        ui_rect top = {b->r.x, b->r.y + (b->sub[0] ? 4 : 0), b->r.w, b->sub[0] ? b->r.h / 2 : b->r.h};
        ui_font_draw_in(c, top, b->label, UI_RGB(255, 255, 255), b->action == PAD_KEY && strlen(b->label) == 1 ? 2 : 1,
                        1);
        if (b->sub[0])
            ui_font_draw_in(c, (ui_rect){b->r.x, b->r.y + b->r.h / 2 + 2, b->r.w, b->r.h / 2 - 4}, b->sub,
                            UI_RGB(170, 180, 195), 1, 1);
    }
    char line[80];
    if (w->card_entry)
        snprintf(line, sizeof line, "card: %s_  (Enter)", w->card);
    else
        snprintf(line, sizeof line, "%s", w->status);
    ui_font_draw_in(c, (ui_rect){UI_FB_WIDTH * SCALE + 8, WIN_H - 30, PAD_W - 16, 24}, line, UI_RGB(240, 200, 90), 1,
                    1);
}

static void present_finger(window *w, unsigned finger)
{
    char err[256] = "";
    if (m1_sim_finger(w->sim, finger, -1, err, sizeof err) != 0)
        snprintf(w->status, sizeof w->status, "%s", err);
    else
        snprintf(w->status, sizeof w->status, "finger %u presented", finger + 1);
}

static void press_button(window *w, int i)
{
    pad_button *b = &w->buttons[i];
    if (b->action == PAD_KEY) {
        m1_sim_key(w->sim, b->key);
        w->status[0] = '\0';
    } else if (b->action == PAD_FINGER) {
        present_finger(w, 0);
    } else {
        m1_sim_card(w->sim, 1001);
        snprintf(w->status, sizeof w->status, "card 1001 presented");
    }
}

static void on_key(window *w, SDL_Keycode k)
{
    if (w->card_entry) {
        size_t n = strlen(w->card);
        if (k >= SDLK_0 && k <= SDLK_9 && n + 1 < sizeof w->card) {
            w->card[n] = (char)('0' + (k - SDLK_0));
            w->card[n + 1] = '\0';
        } else if (k == SDLK_BACKSPACE && n > 0) {
            w->card[n - 1] = '\0';
        } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            if (n > 0) {
                m1_sim_card(w->sim, strtoull(w->card, NULL, 10));
                snprintf(w->status, sizeof w->status, "card %s presented", w->card);
            }
            w->card_entry = 0;
        } else if (k == SDLK_ESCAPE) {
            w->card_entry = 0;
        }
        return;
    }
    if (k >= SDLK_0 && k <= SDLK_9) {
        m1_sim_key(w->sim, (term_key)(TERM_KEY_0 + (k - SDLK_0)));
    } else if (k >= SDLK_KP_1 && k <= SDLK_KP_9) {
        m1_sim_key(w->sim, (term_key)(TERM_KEY_0 + 1 + (k - SDLK_KP_1)));
    } else if (k == SDLK_KP_0) {
        m1_sim_key(w->sim, TERM_KEY_0);
    } else if (k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_m) {
        m1_sim_key(w->sim, TERM_KEY_OK);
    } else if (k == SDLK_ESCAPE) {
        m1_sim_key(w->sim, TERM_KEY_ESC);
    } else if (k == SDLK_UP) {
        m1_sim_key(w->sim, TERM_KEY_UP);
    } else if (k == SDLK_DOWN) {
        m1_sim_key(w->sim, TERM_KEY_DOWN);
    } else if (k == SDLK_LEFT || k == SDLK_BACKSPACE) {
        m1_sim_key(w->sim, TERM_KEY_LEFT);
    } else if (k == SDLK_RIGHT) {
        m1_sim_key(w->sim, TERM_KEY_RIGHT);
    } else if (k >= SDLK_F1 && k <= SDLK_F10) {
        present_finger(w, (unsigned)(k - SDLK_F1));
    } else if (k == SDLK_F12) {
        w->card_entry = 1;
        w->card[0] = '\0';
    }
}

static int button_at(const window *w, int x, int y)
{
    for (int i = 0; i < NBUTTONS; i++) {
        ui_rect r = w->buttons[i].r;
        if (r.w > 0 && x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return i;
    }
    return -1;
}

/* Writes the renderer's output of the window (read back from SDL) as a PNG. */
static int grab(SDL_Renderer *ren, const char *path)
{
    uint8_t *rgb = malloc((size_t)WIN_W * WIN_H * 3);
    if (!rgb) return -1;
    int rc = SDL_RenderReadPixels(ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, WIN_W * 3);
    if (rc == 0)
        rc = ui_png_write_rgb(path, rgb, WIN_W, WIN_H) == UI_OK ? 0 : -1;
    else
        fprintf(stderr, "m1-sim: SDL_RenderReadPixels: %s\n", SDL_GetError());
    free(rgb);
    return rc;
}

static int run_window(m1_sim *sim, const char *screenshot)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "m1-sim: SDL: %s (use --headless without a display)\n", SDL_GetError());
        return 3;
    }
    SDL_Window *win = SDL_CreateWindow("m1-sim - M1 terminal simulator", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                       WIN_W, WIN_H, 0);
    SDL_Renderer *ren = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    SDL_Texture *tex =
        ren ? SDL_CreateTexture(ren, SDL_PIXELFORMAT_RGB565, SDL_TEXTUREACCESS_STREAMING, WIN_W, WIN_H) : NULL;
    static window w;
    memset(&w, 0, sizeof w);
    w.sim = sim;
    w.pressed = -1;
    int rc = 0;
    if (!tex || ui_fb_create(WIN_W, WIN_H, &w.canvas) != UI_OK) {
        fprintf(stderr, "m1-sim: SDL: %s\n", SDL_GetError());
        rc = 3;
    }
    layout(&w);
    uint32_t last_tick = SDL_GetTicks();
    int frames = 0;
    while (rc == 0) {
        SDL_Event ev;
        int quit = 0;
        while (SDL_PollEvent(&ev)) {
            if (ev.type == SDL_QUIT)
                quit = 1;
            else if (ev.type == SDL_KEYDOWN && !ev.key.repeat)
                on_key(&w, ev.key.keysym.sym);
            else if (ev.type == SDL_MOUSEBUTTONDOWN && ev.button.button == SDL_BUTTON_LEFT) {
                w.pressed = button_at(&w, ev.button.x, ev.button.y);
                if (w.pressed >= 0) press_button(&w, w.pressed);
            } else if (ev.type == SDL_MOUSEBUTTONUP) {
                w.pressed = -1;
            }
        }
        if (quit) break;
        if (SDL_GetTicks() - last_tick >= 250) {
            m1_sim_tick(sim);
            last_tick = SDL_GetTicks();
        }
        draw_window(&w);
        SDL_UpdateTexture(tex, NULL, ui_fb_pixels(w.canvas), WIN_W * (int)sizeof(ui_color));
        SDL_RenderClear(ren);
        SDL_RenderCopy(ren, tex, NULL, NULL);
        if (screenshot && ++frames == 3) {
            rc = grab(ren, screenshot) == 0 ? 0 : 1;
            if (rc == 0) printf("window screenshot written to %s\n", screenshot);
            break;
        }
        SDL_RenderPresent(ren);
        SDL_Delay(16);
    }
    ui_fb_destroy(w.canvas);
    if (tex) SDL_DestroyTexture(tex);
    if (ren) SDL_DestroyRenderer(ren);
    if (win) SDL_DestroyWindow(win);
    SDL_Quit();
    return rc;
}
#endif /* UI_HAVE_SDL */

int main(int argc, char **argv)
{
    m1_sim_config cfg;
    m1_sim_config_init(&cfg);
    const char *script = NULL, *screenshot = NULL;
    int headless = 0, sim_clock = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--headless"))
            headless = 1;
        else if (!strcmp(a, "--every"))
            cfg.shot_every = 1;
        else if (!strcmp(a, "--sim-clock"))
            sim_clock = 1;
        else if (!v) {
            usage();
            return 2;
        } else if (!strcmp(a, "--script"))
            script = argv[++i];
        else if (!strcmp(a, "--shots"))
            cfg.shots_dir = argv[++i];
        else if (!strcmp(a, "--scale"))
            cfg.shot_scale = atoi(argv[++i]);
        else if (!strcmp(a, "--db"))
            cfg.db_dir = argv[++i];
        else if (!strcmp(a, "--fingers"))
            cfg.fingers = argv[++i];
        else if (!strcmp(a, "--seed"))
            cfg.seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--serial"))
            cfg.serial = argv[++i];
        else if (!strcmp(a, "--prompts"))
            cfg.prompts_dir = argv[++i];
        else if (!strcmp(a, "--audio-out"))
            cfg.audio_out = argv[++i];
        else if (!strcmp(a, "--screenshot"))
            screenshot = argv[++i];
        else if (!strcmp(a, "--sensor") && !strcmp(v, "libfprint")) {
            cfg.libfprint = 1;
            i++;
        } else {
            usage();
            return 2;
        }
    }
    if (headless && !script) {
        usage();
        return 2;
    }
    if (cfg.shot_scale < 1 || cfg.shot_scale > 8) {
        fprintf(stderr, "m1-sim: --scale wants 1..8\n");
        return 2;
    }
    if (cfg.shots_dir && make_dirs(cfg.shots_dir) != 0) {
        fprintf(stderr, "m1-sim: cannot create %s: %s\n", cfg.shots_dir, strerror(errno));
        return 2;
    }
#ifdef M1_SIM_PROMPTS_DIR
    if (!cfg.prompts_dir) cfg.prompts_dir = M1_SIM_PROMPTS_DIR;
#endif
    /* the window runs on the host clock unless asked otherwise; scripts and screenshots on the simulated one */
    cfg.system_clock = !headless && !sim_clock && !screenshot;
    cfg.sdl_audio = !headless;
    cfg.log = headless ? stdout : NULL;
    char err[512] = "";
    m1_sim *sim = NULL;
    if (m1_sim_open(&cfg, &sim, err, sizeof err) != 0) {
        fprintf(stderr, "m1-sim: %s\n", err);
        return 3;
    }
    int rc = 0;
    if (script) {
        rc = m1_sim_script(sim, script, err, sizeof err);
        if (rc) fprintf(stderr, "m1-sim: %s\n", err);
    }
    if (headless) {
        if (rc == 0) {
            char path[1200];
            snprintf(path, sizeof path, "%s/final.png", cfg.shots_dir ? cfg.shots_dir : ".");
            ui_status st = m1_sim_shot(sim, path, cfg.shot_scale);
            if (st != UI_OK) {
                fprintf(stderr, "m1-sim: %s: %s\n", path, ui_status_message(st));
                rc = 2;
            } else {
                printf("script %s done; screens in %s\n", script, cfg.shots_dir ? cfg.shots_dir : ".");
            }
        }
    } else if (rc == 0) {
#ifdef UI_HAVE_SDL
        rc = run_window(sim, screenshot);
#else
        fprintf(stderr, "m1-sim: built without SDL2: only --headless is available\n");
        rc = 2;
#endif
    }
    m1_sim_close(sim);
    return rc;
}
