/*
 * term_hal.h - the terminal's hardware abstraction: one struct of function
 * pointers per device, each with a ctx the backend owns. Scenes never touch
 * hardware; the application (term_app.h) calls these, and the host has
 * simulator backends (term_hal_sim.h) that tests and the m1-terminal driver
 * script.
 *
 * Input devices (keypad, card reader) are polled by the main loop, which
 * turns what they report into term_app_input events; output devices
 * (display, audio) and the clock are called by the application. The
 * fingerprint sensor is not here: it is the sensor driver (fp/sensor.h),
 * whose frames go through the engine's extraction.
 *
 * Every function pointer may be NULL where noted; the application checks.
 * Thread safety: each device is used by the application's thread.
 */
#ifndef TERM_HAL_H
#define TERM_HAL_H

#include <stddef.h>
#include <stdint.h>

#include "term_screen.h"
#include "term_status.h"
#include "term_verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Display: receives the whole screen model; the backend draws it. m is borrowed for the call. */
typedef struct term_hal_display {
    void *ctx;
    void (*show)(void *ctx, const term_screen_model *m);
} term_hal_display;

/* Keypad: returns 1 and sets *key when a key was pressed since the last call, 0 otherwise. */
typedef struct term_hal_keypad {
    void *ctx;
    int (*poll)(void *ctx, term_key *key);
} term_hal_keypad;

/* Card reader (125 kHz EM / 13.56 MHz): returns 1 and sets *card when a card was read, 0 otherwise. */
typedef struct term_hal_card {
    void *ctx;
    int (*poll)(void *ctx, uint64_t *card);
} term_hal_card;

/*
 * Audio: voice prompts (term_voice ids; the backend owns the sound files),
 * the key beep, the volume 0..100. play may be NULL (no speaker).
 */
typedef struct term_hal_audio {
    void *ctx;
    void (*play)(void *ctx, term_voice voice);
    void (*beep)(void *ctx);
    void (*set_volume)(void *ctx, uint32_t volume);
} term_hal_audio;

/*
 * Clock: the RTC's local wall time (seconds since 1970 read as if UTC: the
 * terminal has no time zone, only the local time the installer sets) and a
 * monotonic millisecond counter for timeouts. set_wall changes the RTC
 * (the Date/Time menu); the monotonic counter is never changed.
 * Errors of set_wall: TERM_ERR_INVALID_ARGUMENT, TERM_ERR_IO.
 */
typedef struct term_hal_clock {
    void *ctx;
    int64_t (*wall)(void *ctx);
    uint64_t (*mono_ms)(void *ctx);
    term_status (*set_wall)(void *ctx, int64_t local_time);
} term_hal_clock;

#define TERM_HAL_SSID_MAX 33 /* 32 bytes + NUL */

/* Link state shown by the status bar icons (manual 1.1). */
typedef struct term_hal_link {
    int wifi_enabled;   /* the radio is on */
    int wifi_connected; /* associated to ssid */
    char ssid[TERM_HAL_SSID_MAX];
    int server_connected; /* the cloud server answered (set by the sync layer's backend) */
    int usb_present;      /* a USB drive is plugged in */
    char usb_path[256];   /* where it is mounted ("": not known) */
} term_hal_link;

/*
 * Network: link state only (the sync layer talks to the server). scan
 * fills up to cap SSIDs and returns how many; join tries to associate
 * (TERM_OK, TERM_NO_MATCH for a wrong password, TERM_ERR_NOT_FOUND for an
 * absent network); enable turns the radio on or off. scan/join/enable may
 * be NULL (no Wi-Fi module).
 */
typedef struct term_hal_network {
    void *ctx;
    void (*link)(void *ctx, term_hal_link *out);
    size_t (*scan)(void *ctx, char (*ssids)[TERM_HAL_SSID_MAX], size_t cap);
    term_status (*join)(void *ctx, const char *ssid, const char *password);
    void (*enable)(void *ctx, int on);
} term_hal_network;

/* The devices of one terminal. */
typedef struct term_hal {
    term_hal_display display;
    term_hal_keypad keypad;
    term_hal_card card;
    term_hal_audio audio;
    term_hal_clock clock;
    term_hal_network network;
} term_hal;

#ifdef __cplusplus
}
#endif

#endif /* TERM_HAL_H */
