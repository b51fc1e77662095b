/*
 * Test-only helpers of the terminal's sync tests (test_term_app_sync,
 * test_term_app_sync_latency, test_term_sync_worker): a temporary
 * directory with the database and key paths, the Cloud Server Setting
 * stored before the terminal starts, removal, a monotonic clock, and
 * (when term_app.h and term_hal_sim.h come first) the app's configuration
 * over the simulator. Needs cmocka.h before it.
 */
#ifndef FP_TESTS_TERM_TEST_SYNC_H
#define FP_TESTS_TERM_TEST_SYNC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "term_store.h"

/* "/tmp/<prefix>_XXXXXX" made into dir; db = dir/t.db, key = dir/t.key. 0, or -1 when mkdtemp failed. */
static inline int termt_temp_db(const char *prefix, char *dir, size_t dcap, char *db, size_t dbcap, char *key,
                                size_t kcap)
{
    snprintf(dir, dcap, "/tmp/%s_XXXXXX", prefix);
    if (!mkdtemp(dir)) return -1;
    snprintf(db, dbcap, "%s/t.db", dir);
    snprintf(key, kcap, "%s/t.key", dir);
    return 0;
}

/* termt_temp_db into the dir, db and key arrays of a fixture. */
#define TERMT_TEMP_DB(fx, prefix)                                                                                      \
    termt_temp_db((prefix), (fx)->dir, sizeof((fx)->dir), (fx)->db, sizeof((fx)->db), (fx)->key, sizeof((fx)->key))

/* A store configuration for db and key: the M1 profile, fast PIN hashing, the key made on first boot. */
static inline void termt_store_config(term_store_config *cfg, const char *db, const char *key)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->db_path = db;
    cfg->key_path = key;
    cfg->create_key = 1;
    term_device_profile_m1(&cfg->profile);
    cfg->profile.pin_iterations = 1000;
}

/* The server address is the Cloud Server Setting (manual 5.2): stored through st. */
static inline void termt_store_server(term_store *st, const char *url)
{
    term_settings set;
    assert_int_equal(term_store_settings_load(st, &set), TERM_OK);
    assert_int_equal(term_settings_set_text(&set, TERM_SETTING_SERVER_ADDRESS, url), TERM_OK);
    assert_int_equal(term_store_settings_save(st, &set), TERM_OK);
}

/* Removes the temporary directory and everything in it. */
static inline void termt_remove_dir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline int64_t termt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#if defined(TERM_APP_H) && defined(TERM_HAL_SIM_H)
/* The app's configuration over the simulator (Wi-Fi up) and the database db with key (made on first boot). */
static inline void termt_app_config(term_app_config *cfg, term_hal_sim *sim, int64_t wall, const char *db,
                                    const char *key)
{
    term_hal_sim_init(sim, wall);
    sim->link.wifi_enabled = 1;
    sim->link.wifi_connected = 1;
    term_app_config_init(cfg);
    cfg->store.db_path = db;
    cfg->store.key_path = key;
    cfg->store.create_key = 1;
    term_hal_sim_bind(sim, &cfg->hal);
}
#endif

#endif /* FP_TESTS_TERM_TEST_SYNC_H */
