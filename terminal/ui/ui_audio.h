/*
 * ui_audio.h - the host backend of the terminal's audio HAL
 * (term_hal_audio in terminal/app/hal/term_hal.h): voice prompts and the
 * key beep as 16-bit PCM WAV.
 *
 * Voice prompt i is the file PROMPTS/<name>.wav, where <name> is
 * term_voice_name(i) with spaces as underscores ("thank_you.wav"). The
 * build makes these files with espeak-ng (terminal/ui/CMakeLists.txt);
 * when a file is missing or unreadable the backend plays a generated tone
 * instead (two notes whose pitch identifies the prompt) and records that
 * it did. The key beep is always generated: a 2.7 kHz, 60 ms buzzer tone.
 *
 * "Playing" a sound means, depending on the configuration: recording its
 * name in the log (always; tests read it), writing it as
 * OUT/NNNN-<name>.wav (the samples after the volume), and queueing it on an
 * SDL audio device (only when built with SDL2 and a device opens; the
 * dummy or missing sound device of a CI machine is not an error).
 *
 * Thread safety: one thread. No globals. The library never prints.
 */
#ifndef UI_AUDIO_H
#define UI_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "term_hal.h"
#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UI_AUDIO_RATE 22050 /* sample rate of generated sounds and of espeak-ng's output */
#define UI_AUDIO_LOG 64     /* log entries kept */

typedef struct ui_audio ui_audio;

typedef struct ui_audio_config {
    const char *prompts_dir; /* NULL: every prompt is a generated tone */
    const char *out_dir;     /* NULL: nothing written */
    int sdl;                 /* non-zero: try to play through SDL audio */
} ui_audio_config;

/* One played sound. */
typedef struct ui_audio_entry {
    char name[32];    /* "beep", "thank you", ... */
    int from_file;    /* 1: the prompt's WAV file; 0: a generated tone */
    uint32_t volume;  /* 0..100 at the time */
    uint32_t samples; /* length at UI_AUDIO_RATE (after resampling) */
} ui_audio_entry;

/* Caller frees with ui_audio_destroy. Errors: UI_ERR_INVALID_ARGUMENT, UI_ERR_NO_MEMORY. */
ui_status ui_audio_create(const ui_audio_config *cfg, ui_audio **out);
/* Accepts NULL. */
void ui_audio_destroy(ui_audio *a);
/* Fills the HAL's audio member with this backend (a is borrowed). */
void ui_audio_bind(ui_audio *a, term_hal_audio *hal);

/* Direct calls (what the HAL functions do). */
void ui_audio_play_voice(ui_audio *a, term_voice voice);
void ui_audio_beep(ui_audio *a);
void ui_audio_set_volume(ui_audio *a, uint32_t volume);

/* Sounds played in all (beeps included). */
uint32_t ui_audio_count(const ui_audio *a);
/* The k-th most recent sound (k = 0: the last); NULL when there is none that recent. */
const ui_audio_entry *ui_audio_recent(const ui_audio *a, uint32_t k);
/* Non-zero when an SDL device is open and receiving the sounds. */
int ui_audio_sdl_active(const ui_audio *a);
/* Status of the last file written to out_dir (UI_OK when none failed). */
ui_status ui_audio_last_error(const ui_audio *a);

/* "thank_you" for TERM_VOICE_THANK_YOU; the prompt file's stem. */
void ui_audio_file_stem(term_voice voice, char *buf, size_t cap);

/*
 * WAV files. ui_wav_parse reads a RIFF/WAVE buffer with 16-bit PCM, 1 or 2
 * channels (stereo is mixed down), any rate 8000..96000; *samples is
 * malloc'ed (caller frees). Errors: UI_ERR_INVALID_ARGUMENT, UI_ERR_IO (not
 * a 16-bit PCM WAV, truncated), UI_ERR_NO_MEMORY.
 */
ui_status ui_wav_parse(const uint8_t *data, size_t len, int16_t **samples, size_t *count, uint32_t *rate);
/* Reads a file with ui_wav_parse (files above 16 MiB are refused: UI_ERR_IO). */
ui_status ui_wav_read(const char *path, int16_t **samples, size_t *count, uint32_t *rate);
/* Writes mono 16-bit PCM. Errors: UI_ERR_INVALID_ARGUMENT, UI_ERR_IO. */
ui_status ui_wav_write(const char *path, const int16_t *samples, size_t count, uint32_t rate);

#ifdef __cplusplus
}
#endif

#endif /* UI_AUDIO_H */
