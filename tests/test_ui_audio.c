/*
 * test_ui_audio.c - the host audio backend: WAV parsing and writing, the
 * prompt files made by espeak-ng at build time (one per term_voice), the
 * tone fallback, the volume, the played-sound log and the HAL binding.
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui_audio.h"

#ifndef UI_TEST_OUT_DIR
#define UI_TEST_OUT_DIR "ui_actual"
#endif
#ifndef UI_PROMPTS_DIR
#define UI_PROMPTS_DIR ""
#endif
#ifndef UI_PROMPTS_BUILT
#define UI_PROMPTS_BUILT 0
#endif

static void test_stem(void **state)
{
    (void)state;
    char buf[40];
    ui_audio_file_stem(TERM_VOICE_THANK_YOU, buf, sizeof buf);
    assert_string_equal(buf, "thank_you");
    ui_audio_file_stem(TERM_VOICE_UNREGISTERED_CARD, buf, sizeof buf);
    assert_string_equal(buf, "card_not_registered");
}

static void test_wav_round_trip(void **state)
{
    (void)state;
    mkdir(UI_TEST_OUT_DIR, 0755);
    const char *path = UI_TEST_OUT_DIR "/rt.wav";
    int16_t pcm[5] = {0, 1000, -1000, 32767, -32768};
    assert_int_equal(ui_wav_write(path, pcm, 5, 16000), UI_OK);
    int16_t *got = NULL;
    size_t n = 0;
    uint32_t rate = 0;
    assert_int_equal(ui_wav_read(path, &got, &n, &rate), UI_OK);
    assert_int_equal(n, 5);
    assert_int_equal(rate, 16000);
    assert_memory_equal(got, pcm, sizeof pcm);
    free(got);
    assert_int_equal(ui_wav_write("/nonexistent-dir/x.wav", pcm, 5, 16000), UI_ERR_IO);
    assert_int_equal(ui_wav_write(path, NULL, 5, 16000), UI_ERR_INVALID_ARGUMENT);
    assert_int_equal(ui_wav_read("/nonexistent-dir/x.wav", &got, &n, &rate), UI_ERR_IO);
}

/* A WAV header for `channels` x 16-bit at 8 kHz followed by data bytes. */
static size_t make_wav(uint8_t *buf, uint16_t format, uint16_t channels, uint16_t bits, const uint8_t *data,
                       uint32_t len)
{
    uint32_t rate = 8000;
    memcpy(buf, "RIFF", 4);
    uint32_t riff = 36 + len;
    memcpy(buf + 4, &riff, 4); /* little-endian host (x86, ARM) */
    memcpy(buf + 8, "WAVEfmt ", 8);
    uint32_t fmt = 16;
    memcpy(buf + 16, &fmt, 4);
    memcpy(buf + 20, &format, 2);
    memcpy(buf + 22, &channels, 2);
    memcpy(buf + 24, &rate, 4);
    uint32_t br = rate * channels * bits / 8;
    memcpy(buf + 28, &br, 4);
    uint16_t align = (uint16_t)(channels * bits / 8);
    memcpy(buf + 32, &align, 2);
    memcpy(buf + 34, &bits, 2);
    memcpy(buf + 36, "data", 4);
    memcpy(buf + 40, &len, 4);
    memcpy(buf + 44, data, len);
    return 44 + len;
}

static void test_wav_parse_errors(void **state)
{
    (void)state;
    uint8_t buf[128];
    int16_t *s = NULL;
    size_t n = 0;
    uint32_t rate = 0;
    const int16_t stereo[4] = {100, 300, -100, -300};
    size_t len = make_wav(buf, 1, 2, 16, (const uint8_t *)stereo, sizeof stereo);
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_OK);
    assert_int_equal(n, 2); /* mixed down */
    assert_int_equal(s[0], 200);
    assert_int_equal(s[1], -200);
    free(s);
    /* the data chunk claims more than the file holds: what is there is read */
    assert_int_equal(ui_wav_parse(buf, len - 2, &s, &n, &rate), UI_OK);
    assert_int_equal(n, 1);
    free(s);
    /* refused: 8-bit, not PCM, three channels, not RIFF, truncated header, no data chunk */
    len = make_wav(buf, 1, 1, 8, (const uint8_t *)stereo, 4);
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_ERR_IO);
    len = make_wav(buf, 3, 1, 16, (const uint8_t *)stereo, 4);
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_ERR_IO);
    len = make_wav(buf, 1, 3, 16, (const uint8_t *)stereo, 6);
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_ERR_IO);
    len = make_wav(buf, 1, 1, 16, (const uint8_t *)stereo, 4);
    buf[0] = 'X';
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_ERR_IO);
    buf[0] = 'R';
    assert_int_equal(ui_wav_parse(buf, 30, &s, &n, &rate), UI_ERR_IO);
    assert_int_equal(ui_wav_parse(buf, 36, &s, &n, &rate), UI_ERR_IO);
    assert_null(s);
    assert_int_equal(ui_wav_parse(NULL, 10, &s, &n, &rate), UI_ERR_INVALID_ARGUMENT);
    /* a chunk size that runs past the end never reads out of bounds (ASan) */
    len = make_wav(buf, 1, 1, 16, (const uint8_t *)stereo, 4);
    memcpy(buf + 36, "LIST", 4);
    uint32_t huge = 0xFFFFFFF0u;
    memcpy(buf + 40, &huge, 4);
    assert_int_equal(ui_wav_parse(buf, len, &s, &n, &rate), UI_ERR_IO);
}

static void test_prompts_built(void **state)
{
    (void)state;
    if (!UI_PROMPTS_BUILT) {
        print_message("espeak-ng was not found at build time: prompts are tones, nothing to check\n");
        skip();
    }
    /* every voice of the application (except the key beep, a tone) has its spoken file */
    for (int v = TERM_VOICE_THANK_YOU; v <= TERM_VOICE_RECORD_FULL; v++) {
        char stem[40], path[1024];
        ui_audio_file_stem((term_voice)v, stem, sizeof stem);
        snprintf(path, sizeof path, "%s/%s.wav", UI_PROMPTS_DIR, stem);
        int16_t *s = NULL;
        size_t n = 0;
        uint32_t rate = 0;
        if (ui_wav_read(path, &s, &n, &rate) != UI_OK)
            fail_msg("prompt %s missing or unreadable (add it to UI_PROMPTS in terminal/ui/CMakeLists.txt)", path);
        /* speech: at least a quarter second with real signal in it */
        assert_true(n > rate / 4);
        int peak = 0;
        for (size_t i = 0; i < n; i++) peak = abs(s[i]) > peak ? abs(s[i]) : peak;
        assert_true(peak > 2000);
        free(s);
    }
}

static void test_backend(void **state)
{
    (void)state;
    char out[1024];
    snprintf(out, sizeof out, "%s/audio_out", UI_TEST_OUT_DIR);
    mkdir(UI_TEST_OUT_DIR, 0755);
    mkdir(out, 0755);
    /* clean what an earlier run left */
    for (int i = 1; i <= 8; i++) {
        char p[1200];
        static const char *const stems[] = {"beep", "thank_you", "verification_failed"};
        for (int k = 0; k < 3; k++) {
            snprintf(p, sizeof p, "%s/%04d-%s.wav", out, i, stems[k]);
            unlink(p);
        }
    }
    ui_audio_config cfg = {UI_PROMPTS_BUILT ? UI_PROMPTS_DIR : NULL, out, 0};
    ui_audio *a = NULL;
    assert_int_equal(ui_audio_create(&cfg, &a), UI_OK);
    term_hal_audio hal;
    memset(&hal, 0, sizeof hal);
    ui_audio_bind(a, &hal);
    assert_int_equal(ui_audio_count(a), 0);
    assert_null(ui_audio_recent(a, 0));
    hal.beep(hal.ctx);
    hal.play(hal.ctx, TERM_VOICE_THANK_YOU);
    hal.set_volume(hal.ctx, 0);
    hal.play(hal.ctx, TERM_VOICE_FAILED);
    hal.set_volume(hal.ctx, 250); /* clamped */
    hal.play(hal.ctx, TERM_VOICE_KEY_BEEP);
    assert_int_equal(ui_audio_count(a), 4);
    const ui_audio_entry *e = ui_audio_recent(a, 0);
    assert_string_equal(e->name, "beep");
    assert_int_equal(e->volume, 100);
    assert_int_equal(e->samples, UI_AUDIO_RATE * 60 / 1000);
    e = ui_audio_recent(a, 1);
    assert_string_equal(e->name, "verification failed");
    assert_int_equal(e->volume, 0);
    assert_int_equal(e->from_file, UI_PROMPTS_BUILT);
    e = ui_audio_recent(a, 2);
    assert_string_equal(e->name, "thank you");
    assert_int_equal(ui_audio_last_error(a), UI_OK);
    /* the files: the beep, the spoken "thank you", and the silent (volume 0) "verification failed" */
    char p[1200];
    int16_t *s = NULL;
    size_t n = 0;
    uint32_t rate = 0;
    snprintf(p, sizeof p, "%s/0001-beep.wav", out);
    assert_int_equal(ui_wav_read(p, &s, &n, &rate), UI_OK);
    assert_int_equal(rate, UI_AUDIO_RATE);
    assert_int_equal(n, UI_AUDIO_RATE * 60 / 1000);
    /* a 2.7 kHz tone: about 2 * 2700 * 0.06 = 324 zero crossings */
    int crossings = 0;
    for (size_t i = 1; i < n; i++) crossings += (s[i - 1] < 0) != (s[i] < 0);
    assert_in_range(crossings, 300, 345);
    free(s);
    snprintf(p, sizeof p, "%s/0003-verification_failed.wav", out);
    assert_int_equal(ui_wav_read(p, &s, &n, &rate), UI_OK);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) assert_int_equal(s[i], 0);
    free(s);
    snprintf(p, sizeof p, "%s/0002-thank_you.wav", out);
    assert_int_equal(ui_wav_read(p, &s, &n, &rate), UI_OK);
    assert_true(n > UI_AUDIO_RATE / 4);
    free(s);
    ui_audio_destroy(a);
    ui_audio_destroy(NULL);

    /* without prompt files every voice is a tone, and it says so */
    ui_audio_config none = {NULL, NULL, 0};
    assert_int_equal(ui_audio_create(&none, &a), UI_OK);
    ui_audio_play_voice(a, TERM_VOICE_TRY_AGAIN);
    e = ui_audio_recent(a, 0);
    assert_string_equal(e->name, "please try again");
    assert_int_equal(e->from_file, 0);
    assert_true(e->samples > 0);
    /* the log keeps the last UI_AUDIO_LOG sounds */
    for (int i = 0; i < UI_AUDIO_LOG + 5; i++) ui_audio_beep(a);
    assert_non_null(ui_audio_recent(a, UI_AUDIO_LOG - 1));
    assert_null(ui_audio_recent(a, UI_AUDIO_LOG));
    ui_audio_destroy(a);
    /* an output directory that cannot be written is reported, not fatal */
    ui_audio_config bad = {NULL, "/nonexistent-dir", 0};
    assert_int_equal(ui_audio_create(&bad, &a), UI_OK);
    ui_audio_beep(a);
    assert_int_equal(ui_audio_last_error(a), UI_ERR_IO);
    assert_int_equal(ui_audio_count(a), 1);
    ui_audio_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stem),
        cmocka_unit_test(test_wav_round_trip),
        cmocka_unit_test(test_wav_parse_errors),
        cmocka_unit_test(test_prompts_built),
        cmocka_unit_test(test_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
