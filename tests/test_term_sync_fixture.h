/*
 * test_term_sync_fixture.h - what the sync engine tests share: a store in
 * a temporary directory, the loopback PUSH server (test_term_sync_server.h),
 * the engine over libcurl on a fake clock, a recording double of the
 * device ops, and synthetic fingers.
 */
#ifndef TEST_TERM_SYNC_FIXTURE_H
#define TEST_TERM_SYNC_FIXTURE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"
#include "term_sync.h"
#include "test_term_sync_server.h"

#define SN "M1TEST01"

typedef struct device_double {
    int enroll_fp_calls, enroll_card_calls, reboots, clock_calls, fw_ready;
    int next_enroll_ret;
    char enroll_id[20], enroll_uid[32];
    uint32_t enroll_index, enroll_retry;
    int enroll_overwrite;
    int64_t clock;
    unsigned changed;
    char fw_path[512];
    char log[8192];
    int reboot_results_before; /* results the server had when reboot was called */
    mock_push *srv;
} device_double;

typedef struct fixture {
    char dir[256], db[300], key[300], staging[300];
    term_store_config cfg;
    term_store *st;
    mock_push *srv;
    push_transport *tp;
    term_sync *sync;
    term_sync_config scfg;
    uint8_t pub[32];
    EVP_PKEY *fw_key;
    int64_t now;
    device_double dev;
} fixture;

/* The engine (and its transport from the server_address setting) over fx->st; fx->scfg as the tests use it. */
void fx_make_engine(fixture *fx);
/* cmocka setup / teardown: store, server, firmware key, engine; *state is the fixture. */
int fx_setup(void **state);
int fx_teardown(void **state);
/* Runs n steps, each at the engine's next wake-up time. */
void fx_run(fixture *fx, int n);
/* The Return of command id on the server; 12345 when no result arrived. */
int fx_result_of(fixture *fx, const char *id);
/* A template of finger `seed` (press > 0: another impression of it), serialised in format fmt. */
size_t fx_make_finger(uint32_t seed, uint32_t press, fp_template_format fmt, uint8_t *buf, size_t cap);

#endif /* TEST_TERM_SYNC_FIXTURE_H */
