/*
 * term_hal_sim.h - simulator backends of every terminal device, in memory
 * and scriptable: tests and the m1-terminal driver push keys and cards,
 * move the clock, set the network, and read back what was shown and played.
 * Also a system-clock backend for interactive hosts (the SDL simulator).
 */
#ifndef TERM_HAL_SIM_H
#define TERM_HAL_SIM_H

#include "term_hal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERM_SIM_QUEUE 64
#define TERM_SIM_VOICES 64
#define TERM_SIM_NETWORKS 8

typedef struct term_hal_sim_network {
    char ssid[TERM_HAL_SSID_MAX];
    char password[64];
} term_hal_sim_network;

/* All simulated devices' state. Plain data: tests may read any field. */
typedef struct term_hal_sim {
    /* display */
    term_screen_model shown; /* the last model shown */
    uint32_t frames;         /* how many times show was called */
    /* keypad and card reader: FIFO queues */
    term_key keys[TERM_SIM_QUEUE];
    size_t key_head, key_count;
    uint64_t cards[TERM_SIM_QUEUE];
    size_t card_head, card_count;
    /* audio */
    term_voice voices[TERM_SIM_VOICES]; /* ring of played prompts */
    uint32_t voice_count;               /* played in all */
    uint32_t beeps;
    uint32_t volume;
    /* clock */
    int64_t wall;     /* local seconds at mono == 0 ... advanced with mono */
    uint64_t mono_ms; /* monotonic milliseconds */
    uint32_t wall_sets;
    /* network */
    term_hal_link link;
    term_hal_sim_network networks[TERM_SIM_NETWORKS]; /* networks in range */
    size_t network_count;
} term_hal_sim;

/* Zeroes sim and sets the clock to wall (local seconds), volume 70, Wi-Fi on and not connected. */
void term_hal_sim_init(term_hal_sim *sim, int64_t wall);
/* Fills hal with the simulator's devices over sim (borrowed). */
void term_hal_sim_bind(term_hal_sim *sim, term_hal *hal);

/* Scripting. The push functions return TERM_ERR_INVALID_ARGUMENT when the queue is full. */
term_status term_hal_sim_push_key(term_hal_sim *sim, term_key key);
term_status term_hal_sim_push_card(term_hal_sim *sim, uint64_t card);
/* Moves both clocks forward by ms. */
void term_hal_sim_advance(term_hal_sim *sim, uint64_t ms);
/* Adds a network in range. Errors: TERM_ERR_INVALID_ARGUMENT (full, or names too long). */
term_status term_hal_sim_add_network(term_hal_sim *sim, const char *ssid, const char *password);
/* The last voice prompt played; -1 when none. */
int term_hal_sim_last_voice(const term_hal_sim *sim);

/* A clock over the host's clocks: CLOCK_MONOTONIC and the local time plus an offset set_wall changes. */
typedef struct term_hal_sysclock {
    int64_t offset; /* seconds added to the host's local time */
} term_hal_sysclock;
void term_hal_sysclock_bind(term_hal_sysclock *clk, term_hal_clock *out);

#ifdef __cplusplus
}
#endif

#endif /* TERM_HAL_SIM_H */
