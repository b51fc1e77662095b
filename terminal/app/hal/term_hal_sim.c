/* term_hal_sim.c - in-memory simulator backends (see term_hal_sim.h). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "term_hal_sim.h"

#include <string.h>
#include <time.h>

static void sim_show(void *ctx, const term_screen_model *m)
{
    term_hal_sim *sim = ctx;
    sim->shown = *m;
    sim->frames++;
}

static int sim_key_poll(void *ctx, term_key *key)
{
    term_hal_sim *sim = ctx;
    if (sim->key_count == 0) return 0;
    *key = sim->keys[sim->key_head];
    sim->key_head = (sim->key_head + 1) % TERM_SIM_QUEUE;
    sim->key_count--;
    return 1;
}

static int sim_card_poll(void *ctx, uint64_t *card)
{
    term_hal_sim *sim = ctx;
    if (sim->card_count == 0) return 0;
    *card = sim->cards[sim->card_head];
    sim->card_head = (sim->card_head + 1) % TERM_SIM_QUEUE;
    sim->card_count--;
    return 1;
}

static void sim_play(void *ctx, term_voice voice)
{
    term_hal_sim *sim = ctx;
    sim->voices[sim->voice_count % TERM_SIM_VOICES] = voice;
    sim->voice_count++;
}

static void sim_beep(void *ctx)
{
    ((term_hal_sim *)ctx)->beeps++;
}
static void sim_volume(void *ctx, uint32_t volume)
{
    ((term_hal_sim *)ctx)->volume = volume;
}

static int64_t sim_wall(void *ctx)
{
    term_hal_sim *sim = ctx;
    return sim->wall + (int64_t)(sim->mono_ms / 1000u);
}

static uint64_t sim_mono(void *ctx)
{
    return ((term_hal_sim *)ctx)->mono_ms;
}

static term_status sim_set_wall(void *ctx, int64_t t)
{
    term_hal_sim *sim = ctx;
    if (t < 0) return TERM_ERR_INVALID_ARGUMENT;
    sim->wall = t - (int64_t)(sim->mono_ms / 1000u);
    sim->wall_sets++;
    return TERM_OK;
}

static void sim_link(void *ctx, term_hal_link *out)
{
    *out = ((term_hal_sim *)ctx)->link;
}

static size_t sim_scan(void *ctx, char (*ssids)[TERM_HAL_SSID_MAX], size_t cap)
{
    term_hal_sim *sim = ctx;
    if (!sim->link.wifi_enabled) return 0;
    size_t n = 0;
    for (; n < sim->network_count && n < cap; n++) memcpy(ssids[n], sim->networks[n].ssid, TERM_HAL_SSID_MAX);
    return n;
}

static term_status sim_join(void *ctx, const char *ssid, const char *password)
{
    term_hal_sim *sim = ctx;
    if (!sim->link.wifi_enabled) return TERM_ERR_NOT_FOUND;
    for (size_t i = 0; i < sim->network_count; i++) {
        if (strcmp(sim->networks[i].ssid, ssid) != 0) continue;
        if (strcmp(sim->networks[i].password, password ? password : "") != 0) {
            sim->link.wifi_connected = 0;
            return TERM_NO_MATCH;
        }
        sim->link.wifi_connected = 1;
        memcpy(sim->link.ssid, sim->networks[i].ssid, TERM_HAL_SSID_MAX);
        return TERM_OK;
    }
    return TERM_ERR_NOT_FOUND;
}

static void sim_enable(void *ctx, int on)
{
    term_hal_sim *sim = ctx;
    sim->link.wifi_enabled = on != 0;
    if (!on) {
        sim->link.wifi_connected = 0;
        sim->link.ssid[0] = '\0';
    }
}

void term_hal_sim_init(term_hal_sim *sim, int64_t wall)
{
    memset(sim, 0, sizeof(*sim));
    sim->wall = wall;
    sim->volume = 70;
    sim->link.wifi_enabled = 1;
}

void term_hal_sim_bind(term_hal_sim *sim, term_hal *hal)
{
    memset(hal, 0, sizeof(*hal));
    hal->display = (term_hal_display){sim, sim_show};
    hal->keypad = (term_hal_keypad){sim, sim_key_poll};
    hal->card = (term_hal_card){sim, sim_card_poll};
    hal->audio = (term_hal_audio){sim, sim_play, sim_beep, sim_volume};
    hal->clock = (term_hal_clock){sim, sim_wall, sim_mono, sim_set_wall};
    hal->network = (term_hal_network){sim, sim_link, sim_scan, sim_join, sim_enable};
}

term_status term_hal_sim_push_key(term_hal_sim *sim, term_key key)
{
    if (sim->key_count == TERM_SIM_QUEUE) return TERM_ERR_INVALID_ARGUMENT;
    sim->keys[(sim->key_head + sim->key_count) % TERM_SIM_QUEUE] = key;
    sim->key_count++;
    return TERM_OK;
}

term_status term_hal_sim_push_card(term_hal_sim *sim, uint64_t card)
{
    if (sim->card_count == TERM_SIM_QUEUE) return TERM_ERR_INVALID_ARGUMENT;
    sim->cards[(sim->card_head + sim->card_count) % TERM_SIM_QUEUE] = card;
    sim->card_count++;
    return TERM_OK;
}

void term_hal_sim_advance(term_hal_sim *sim, uint64_t ms)
{
    /* wall follows mono_ms through sim_wall, so only the counter moves. */
    sim->mono_ms += ms;
}

term_status term_hal_sim_add_network(term_hal_sim *sim, const char *ssid, const char *password)
{
    if (sim->network_count == TERM_SIM_NETWORKS || !ssid || strlen(ssid) >= TERM_HAL_SSID_MAX ||
        (password && strlen(password) >= sizeof(sim->networks[0].password)))
        return TERM_ERR_INVALID_ARGUMENT;
    term_hal_sim_network *n = &sim->networks[sim->network_count++];
    strcpy(n->ssid, ssid);
    strcpy(n->password, password ? password : "");
    return TERM_OK;
}

int term_hal_sim_last_voice(const term_hal_sim *sim)
{
    return sim->voice_count ? (int)sim->voices[(sim->voice_count - 1) % TERM_SIM_VOICES] : -1;
}

static int64_t sys_wall(void *ctx)
{
    term_hal_sysclock *clk = ctx;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    return (int64_t)now + (int64_t)tm.tm_gmtoff + clk->offset;
}

static uint64_t sys_mono(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static term_status sys_set_wall(void *ctx, int64_t t)
{
    term_hal_sysclock *clk = ctx;
    if (t < 0) return TERM_ERR_INVALID_ARGUMENT;
    clk->offset = 0;
    clk->offset = t - sys_wall(ctx);
    return TERM_OK;
}

void term_hal_sysclock_bind(term_hal_sysclock *clk, term_hal_clock *out)
{
    *out = (term_hal_clock){clk, sys_wall, sys_mono, sys_set_wall};
}
