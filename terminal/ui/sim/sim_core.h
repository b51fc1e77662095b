/*
 * sim_core.h - the engine of the m1-sim simulator: the terminal
 * application (term_app.h) on the simulator HAL, with the framebuffer
 * renderer as its LCD, the host audio backend as its speaker, fingers from
 * the sensor driver's synthetic or replay backend and cards from numbers.
 *
 * Shared by the SDL window and the headless mode, and used by the UI
 * scenario tests. The script format is the one of m1-terminal
 * (docs/terminal.md) plus the lines below; see docs/ui.md.
 *
 *   shot NAME          write the screen as SHOTS/NAME.png
 *   expect screen NAME | expect title "T" | expect text "T" | expect no-text "T"
 *   expect users|admins|fingers|cards|pins|records|oplog N
 *   expect voice NAME  (the last sound the audio backend played)
 *
 * Other `expect` kinds of m1-terminal are skipped with a note on the log.
 */
#ifndef M1_SIM_CORE_H
#define M1_SIM_CORE_H

#include <stdint.h>
#include <stdio.h>

#include "term_app.h"
#include "term_screen.h"
#include "ui_audio.h"
#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct m1_sim m1_sim;

typedef struct m1_sim_config {
    const char *db_dir;      /* NULL: a temporary directory, removed by m1_sim_close */
    const char *fingers;     /* a folder (or data set) for the replay backend; NULL: synthetic fingers */
    int libfprint;           /* non-zero: every finger is a press on the first libfprint reader (waits 10 s) */
    uint64_t seed;           /* synthetic fingers; 0 = 7, the seed m1-terminal uses */
    const char *shots_dir;   /* where `shot` writes; NULL: "." */
    int shot_scale;          /* 1..8; 0 = 1 */
    int shot_every;          /* non-zero: also write SHOTS/NNNN.png after every line that changed the screen */
    const char *prompts_dir; /* voice prompt WAVs; NULL: tones */
    const char *audio_out;   /* NULL: sounds are not written */
    int sdl_audio;           /* play through SDL audio when possible */
    int system_clock;        /* non-zero: the host's clock; 0: simulated, from 2024-10-25 16:43:00 */
    const char *serial;      /* device serial number; NULL = "M1SIM0000001" */
    FILE *log;               /* script echo and notes; NULL: quiet */
} m1_sim_config;

void m1_sim_config_init(m1_sim_config *cfg);

/* Starts the terminal. Errors go to err (may be NULL). Returns 0, or -1. */
int m1_sim_open(const m1_sim_config *cfg, m1_sim **out, char *err, size_t errcap);
/* Accepts NULL. */
void m1_sim_close(m1_sim *sim);

/* Inputs. Each advances the simulated clock by 100 ms first (none with the system clock). */
void m1_sim_key(m1_sim *sim, term_key key);
/* Presents finger (0..63) impression imp; imp < 0 takes the next impression of that finger. Returns 0, or -1 (err). */
int m1_sim_finger(m1_sim *sim, unsigned finger, int imp, char *err, size_t errcap);
void m1_sim_card(m1_sim *sim, uint64_t card);
/* Lets ms pass, with a tick event every second and at the end. */
void m1_sim_wait(m1_sim *sim, uint64_t ms);
/* A tick now (the window's main loop calls it). */
void m1_sim_tick(m1_sim *sim);

/* The current screen model, and the framebuffer holding its rendering (borrowed). */
void m1_sim_screen(m1_sim *sim, term_screen_model *out);
const ui_fb *m1_sim_render(m1_sim *sim);
/* Writes the current screen as a PNG. */
ui_status m1_sim_shot(m1_sim *sim, const char *path, int scale);

term_app *m1_sim_app(m1_sim *sim);
ui_audio *m1_sim_audio(m1_sim *sim);

/*
 * Runs one script line. Returns 0 (done), 1 (an expectation failed) or 2
 * (bad line); the reason goes to err.
 */
int m1_sim_line(m1_sim *sim, const char *line, char *err, size_t errcap);
/* Runs a script file; stops at the first failure. Same return values; 2 also when the file cannot be read. */
int m1_sim_script(m1_sim *sim, const char *path, char *err, size_t errcap);

/* Every string of a model joined with newlines (for `expect text` and logs). */
void m1_sim_model_text(const term_screen_model *m, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* M1_SIM_CORE_H */
