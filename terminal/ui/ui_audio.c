/* ui_audio.c - host audio backend: WAV prompts, generated tones, log, optional SDL (see ui_audio.h). */
#include "ui_audio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef UI_HAVE_SDL
#include <SDL.h>
#endif

struct ui_audio {
    char prompts[1024];
    char out[1024];
    uint32_t volume;
    uint32_t count;
    ui_audio_entry log[UI_AUDIO_LOG];
    ui_status last_error;
    int sdl_active;
#ifdef UI_HAVE_SDL
    SDL_AudioDeviceID dev;
#endif
};

/* ------------------------------------------------------------------------ */
/* WAV                                                                      */
/* ------------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

ui_status ui_wav_parse(const uint8_t *data, size_t len, int16_t **samples, size_t *count, uint32_t *rate)
{
    if (!data || !samples || !count || !rate) return UI_ERR_INVALID_ARGUMENT;
    *samples = NULL;
    *count = 0;
    *rate = 0;
    if (len < 12 || memcmp(data, "RIFF", 4) != 0 || memcmp(data + 8, "WAVE", 4) != 0) return UI_ERR_IO;
    size_t pos = 12;
    int have_fmt = 0;
    uint16_t channels = 0, bits = 0;
    uint32_t sr = 0;
    while (pos + 8 <= len) {
        uint32_t size = le32(data + pos + 4);
        const uint8_t *body = data + pos + 8;
        size_t avail = len - pos - 8;
        if (memcmp(data + pos, "fmt ", 4) == 0) {
            if (size < 16 || avail < 16) return UI_ERR_IO;
            if (le16(body) != 1) /* PCM */
                return UI_ERR_IO;
            channels = le16(body + 2);
            sr = le32(body + 4);
            bits = le16(body + 14);
            if ((channels != 1 && channels != 2) || bits != 16 || sr < 8000 || sr > 96000) return UI_ERR_IO;
            have_fmt = 1;
        } else if (memcmp(data + pos, "data", 4) == 0) {
            if (!have_fmt) return UI_ERR_IO;
            /* espeak-ng writes the data size as 0x7ffff000 when streaming: trust the file length */
            size_t bytes = size <= avail ? size : avail;
            size_t frame = (size_t)channels * 2;
            size_t n = bytes / frame;
            int16_t *out = malloc(n ? n * sizeof *out : 1);
            if (!out) return UI_ERR_NO_MEMORY;
            for (size_t i = 0; i < n; i++) {
                const uint8_t *f = body + i * frame;
                int v = (int16_t)le16(f);
                if (channels == 2) v = (v + (int16_t)le16(f + 2)) / 2;
                out[i] = (int16_t)v;
            }
            *samples = out;
            *count = n;
            *rate = sr;
            return UI_OK;
        }
        size_t step = 8 + (size_t)size + (size & 1u);
        if (step > len - pos) break;
        pos += step;
    }
    return UI_ERR_IO;
}

ui_status ui_wav_read(const char *path, int16_t **samples, size_t *count, uint32_t *rate)
{
    if (!path) return UI_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "rb");
    if (!f) return UI_ERR_IO;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    ui_status st = UI_OK;
    for (;;) {
        if (len == cap) {
            if (cap >= (16u << 20)) {
                st = UI_ERR_IO;
                break;
            }
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                st = UI_ERR_NO_MEMORY;
                break;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) st = UI_ERR_IO;
    fclose(f);
    if (st == UI_OK) st = ui_wav_parse(buf, len, samples, count, rate);
    free(buf);
    return st;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

ui_status ui_wav_write(const char *path, const int16_t *samples, size_t count, uint32_t rate)
{
    if (!path || (!samples && count) || rate == 0 || count > 0x3FFFFFF0u / 2) return UI_ERR_INVALID_ARGUMENT;
    uint8_t h[44];
    memcpy(h, "RIFF", 4);
    put32(h + 4, (uint32_t)(36 + count * 2));
    memcpy(h + 8, "WAVEfmt ", 8);
    put32(h + 16, 16);
    h[20] = 1, h[21] = 0; /* PCM */
    h[22] = 1, h[23] = 0; /* mono */
    put32(h + 24, rate);
    put32(h + 28, rate * 2);
    h[32] = 2, h[33] = 0;
    h[34] = 16, h[35] = 0;
    memcpy(h + 36, "data", 4);
    put32(h + 40, (uint32_t)(count * 2));
    FILE *f = fopen(path, "wb");
    if (!f) return UI_ERR_IO;
    int ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    for (size_t i = 0; ok && i < count; i++) {
        uint8_t s[2] = {(uint8_t)((uint16_t)samples[i] & 0xFF), (uint8_t)((uint16_t)samples[i] >> 8)};
        ok = fwrite(s, 1, 2, f) == 2;
    }
    if (fclose(f) != 0) ok = 0;
    return ok ? UI_OK : UI_ERR_IO;
}

/* ------------------------------------------------------------------------ */
/* Backend                                                                  */
/* ------------------------------------------------------------------------ */

void ui_audio_file_stem(term_voice voice, char *buf, size_t cap)
{
    if (!buf || cap == 0) return;
    snprintf(buf, cap, "%s", term_voice_name(voice));
    for (char *p = buf; *p; p++)
        if (*p == ' ') *p = '_';
}

ui_status ui_audio_create(const ui_audio_config *cfg, ui_audio **out)
{
    if (!out) return UI_ERR_INVALID_ARGUMENT;
    *out = NULL;
    ui_audio *a = calloc(1, sizeof *a);
    if (!a) return UI_ERR_NO_MEMORY;
    a->volume = 70;
    if (cfg && cfg->prompts_dir) snprintf(a->prompts, sizeof a->prompts, "%s", cfg->prompts_dir);
    if (cfg && cfg->out_dir) snprintf(a->out, sizeof a->out, "%s", cfg->out_dir);
#ifdef UI_HAVE_SDL
    if (cfg && cfg->sdl && SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
        SDL_AudioSpec want, have;
        memset(&want, 0, sizeof want);
        want.freq = UI_AUDIO_RATE;
        want.format = AUDIO_S16SYS;
        want.channels = 1;
        want.samples = 1024;
        a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
        if (a->dev) {
            SDL_PauseAudioDevice(a->dev, 0);
            a->sdl_active = 1;
        } else {
            SDL_QuitSubSystem(SDL_INIT_AUDIO);
        }
    }
#endif
    *out = a;
    return UI_OK;
}

void ui_audio_destroy(ui_audio *a)
{
    if (!a) return;
#ifdef UI_HAVE_SDL
    if (a->sdl_active) {
        SDL_CloseAudioDevice(a->dev);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
#endif
    free(a);
}

/* Linear resampling to UI_AUDIO_RATE. Returns a new buffer (or NULL: out of memory). */
static int16_t *resample(const int16_t *in, size_t n, uint32_t rate, size_t *out_n)
{
    size_t m = rate == UI_AUDIO_RATE ? n : (size_t)((uint64_t)n * UI_AUDIO_RATE / rate);
    int16_t *out = malloc(m ? m * sizeof *out : 1);
    if (!out) return NULL;
    for (size_t i = 0; i < m; i++) {
        if (rate == UI_AUDIO_RATE) {
            out[i] = in[i];
            continue;
        }
        double pos = (double)i * rate / UI_AUDIO_RATE;
        size_t k = (size_t)pos;
        double f = pos - (double)k;
        int a = in[k < n ? k : n - 1], b = in[k + 1 < n ? k + 1 : n - 1];
        out[i] = (int16_t)lround(a + (b - a) * f);
    }
    *out_n = m;
    return out;
}

/* A sine tone sequence: freqs[i] for ms[i] each, with short fades against clicks. */
static int16_t *tones(const double *freqs, const int *ms, int parts, size_t *out_n)
{
    size_t n = 0;
    for (int i = 0; i < parts; i++) n += (size_t)ms[i] * UI_AUDIO_RATE / 1000;
    int16_t *out = malloc(n * sizeof *out);
    if (!out) return NULL;
    size_t pos = 0;
    for (int i = 0; i < parts; i++) {
        size_t len = (size_t)ms[i] * UI_AUDIO_RATE / 1000, fade = UI_AUDIO_RATE / 200;
        for (size_t k = 0; k < len; k++) {
            double env = 1.0;
            if (k < fade)
                env = (double)k / fade;
            else if (len - k < fade)
                env = (double)(len - k) / fade;
            double v = freqs[i] > 0 ? sin(2.0 * M_PI * freqs[i] * (double)k / UI_AUDIO_RATE) : 0.0;
            out[pos++] = (int16_t)lround(12000.0 * env * v);
        }
    }
    *out_n = n;
    return out;
}

static void emit(ui_audio *a, const char *name, const char *stem, int16_t *pcm, size_t n, int from_file)
{
    for (size_t i = 0; i < n; i++) pcm[i] = (int16_t)((int32_t)pcm[i] * (int32_t)a->volume / 100);
    ui_audio_entry *e = &a->log[a->count % UI_AUDIO_LOG];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->from_file = from_file;
    e->volume = a->volume;
    e->samples = (uint32_t)n;
    a->count++;
    if (a->out[0]) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%04u-%s.wav", a->out, (unsigned)a->count, stem);
        ui_status st = ui_wav_write(path, pcm, n, UI_AUDIO_RATE);
        if (st != UI_OK) a->last_error = st;
    }
#ifdef UI_HAVE_SDL
    if (a->sdl_active) SDL_QueueAudio(a->dev, pcm, (Uint32)(n * sizeof *pcm));
#endif
}

void ui_audio_play_voice(ui_audio *a, term_voice voice)
{
    if (!a) return;
    if (voice == TERM_VOICE_KEY_BEEP) {
        ui_audio_beep(a);
        return;
    }
    char stem[40];
    ui_audio_file_stem(voice, stem, sizeof stem);
    int16_t *pcm = NULL;
    size_t n = 0;
    int from_file = 0;
    if (a->prompts[0]) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.wav", a->prompts, stem);
        int16_t *raw = NULL;
        size_t rn = 0;
        uint32_t rate = 0;
        if (ui_wav_read(path, &raw, &rn, &rate) == UI_OK && rn > 0) {
            pcm = resample(raw, rn, rate, &n);
            from_file = pcm != NULL;
        }
        free(raw);
    }
    if (!pcm) {
        /* two notes a semitone step apart per prompt: distinct, and obviously not speech */
        double base = 440.0 * pow(2.0, (double)((int)voice % 12) / 12.0);
        double f[3] = {base, 0.0, base * 1.5};
        int ms[3] = {150, 40, 150};
        pcm = tones(f, ms, 3, &n);
    }
    if (!pcm) return; /* out of memory: stay silent rather than fail the terminal */
    emit(a, term_voice_name(voice), stem, pcm, n, from_file);
    free(pcm);
}

void ui_audio_beep(ui_audio *a)
{
    if (!a) return;
    double f[1] = {2700.0};
    int ms[1] = {60};
    size_t n = 0;
    int16_t *pcm = tones(f, ms, 1, &n);
    if (!pcm) return;
    emit(a, "beep", "beep", pcm, n, 0);
    free(pcm);
}

void ui_audio_set_volume(ui_audio *a, uint32_t volume)
{
    if (a) a->volume = volume > 100 ? 100 : volume;
}

uint32_t ui_audio_count(const ui_audio *a)
{
    return a ? a->count : 0;
}

const ui_audio_entry *ui_audio_recent(const ui_audio *a, uint32_t k)
{
    if (!a || k >= a->count || k >= UI_AUDIO_LOG) return NULL;
    return &a->log[(a->count - 1 - k) % UI_AUDIO_LOG];
}

int ui_audio_sdl_active(const ui_audio *a)
{
    return a ? a->sdl_active : 0;
}
ui_status ui_audio_last_error(const ui_audio *a)
{
    return a ? a->last_error : UI_ERR_INVALID_ARGUMENT;
}

static void hal_play(void *ctx, term_voice voice)
{
    ui_audio_play_voice(ctx, voice);
}
static void hal_beep(void *ctx)
{
    ui_audio_beep(ctx);
}
static void hal_volume(void *ctx, uint32_t v)
{
    ui_audio_set_volume(ctx, v);
}

void ui_audio_bind(ui_audio *a, term_hal_audio *hal)
{
    if (!hal) return;
    hal->ctx = a;
    hal->play = hal_play;
    hal->beep = hal_beep;
    hal->set_volume = hal_volume;
}
