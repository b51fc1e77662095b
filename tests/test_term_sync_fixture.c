/*
 * test_term_sync_fixture.c - the sync engine tests' fixture. See the header.
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

#include "test_term_sync_fixture.h"

/* ---- the device double: records every call ---- */

static int dd_enroll_finger(void *ctx, const char *cmd_id, const char *uid, uint32_t index, uint32_t retry,
                            int overwrite)
{
    device_double *d = ctx;
    d->enroll_fp_calls++;
    snprintf(d->enroll_id, sizeof(d->enroll_id), "%s", cmd_id);
    snprintf(d->enroll_uid, sizeof(d->enroll_uid), "%s", uid);
    d->enroll_index = index;
    d->enroll_retry = retry;
    d->enroll_overwrite = overwrite;
    return d->next_enroll_ret;
}

static int dd_enroll_card(void *ctx, const char *cmd_id, const char *uid, uint32_t retry)
{
    device_double *d = ctx;
    d->enroll_card_calls++;
    snprintf(d->enroll_id, sizeof(d->enroll_id), "%s", cmd_id);
    snprintf(d->enroll_uid, sizeof(d->enroll_uid), "%s", uid);
    d->enroll_retry = retry;
    return d->next_enroll_ret;
}

static void dd_reboot(void *ctx)
{
    device_double *d = ctx;
    mock_push_counts c;
    mock_push_counts_get(d->srv, &c);
    d->reboot_results_before = (int)c.results;
    d->reboots++;
}

static void dd_set_clock(void *ctx, int64_t t)
{
    device_double *d = ctx;
    d->clock_calls++;
    d->clock = t;
}

static void dd_changed(void *ctx, unsigned what)
{
    device_double *d = ctx;
    d->changed |= what;
}

static void dd_fw_ready(void *ctx, const char *path)
{
    device_double *d = ctx;
    d->fw_ready++;
    snprintf(d->fw_path, sizeof(d->fw_path), "%s", path);
}

static void dd_log(void *ctx, term_sync_log_level level, const char *msg)
{
    device_double *d = ctx;
    size_t used = strlen(d->log);
    size_t n = strlen(msg);
    if (used + n + 4 >= sizeof(d->log)) return;
    d->log[used++] = (char)('0' + (int)level);
    d->log[used++] = ' ';
    memcpy(d->log + used, msg, n);
    d->log[used + n] = '\n';
    d->log[used + n + 1] = '\0';
}

/* ---- fixture ---- */

void fx_make_engine(fixture *fx)
{
    /* The server address comes from the settings, as on the device (manual 5.2). */
    term_settings *set = malloc(sizeof(*set));
    assert_non_null(set);
    assert_int_equal(term_store_settings_load(fx->st, set), TERM_OK);
    assert_int_equal(term_settings_set_text(set, TERM_SETTING_SERVER_ADDRESS, mock_push_url(fx->srv)), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, set), TERM_OK);
    free(set);
    push_curl_config cc = {0};
    cc.timeout_ms = 2000;
    cc.connect_timeout_ms = 1000;
    assert_int_equal(term_sync_transport_from_settings(fx->st, &cc, &fx->tp), PUSH_OK);
    memset(&fx->scfg, 0, sizeof(fx->scfg));
    fx->scfg.serial = SN;
    fx->scfg.fw_version = "1.0.3";
    fx->scfg.staging_dir = fx->staging;
    fx->scfg.fw_pubkey = fx->pub;
    fx->scfg.backoff_min_ms = 100;
    fx->scfg.error_delay_ms = 1600;
    fx->scfg.poll_ms = 1000;
    fx->scfg.device = (term_sync_device_ops){
        &fx->dev,   dd_enroll_finger, dd_enroll_card, dd_reboot, dd_set_clock,
        dd_changed, dd_fw_ready,      dd_log,         NULL /* SET OPTION: the engine saves settings itself */};
    assert_int_equal(term_sync_create(&fx->scfg, fx->st, fx->tp, &fx->sync), PUSH_OK);
}

int fx_setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof(fx->dir), "%s/term_sync_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof(fx->db), "%s/m1.db", fx->dir);
    snprintf(fx->key, sizeof(fx->key), "%s/device.key", fx->dir);
    snprintf(fx->staging, sizeof(fx->staging), "%s/staging", fx->dir);
    assert_int_equal(mkdir(fx->staging, 0700), 0);
    fx->cfg.db_path = fx->db;
    fx->cfg.key_path = fx->key;
    fx->cfg.create_key = 1;
    term_device_profile_m1(&fx->cfg.profile);
    fx->cfg.profile.pin_iterations = 2000;
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    fx->srv = mock_push_start();
    assert_non_null(fx->srv);
    fx->dev.srv = fx->srv;

    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    assert_non_null(kc);
    assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
    assert_int_equal(EVP_PKEY_keygen(kc, &fx->fw_key), 1);
    EVP_PKEY_CTX_free(kc);
    size_t publen = sizeof(fx->pub);
    assert_int_equal(EVP_PKEY_get_raw_public_key(fx->fw_key, fx->pub, &publen), 1);

    fx_make_engine(fx);
    fx->now = 1000;
    *state = fx;
    return 0;
}

int fx_teardown(void **state)
{
    fixture *fx = *state;
    term_sync_destroy(fx->sync);
    push_transport_destroy(fx->tp);
    mock_push_stop(fx->srv);
    term_store_close(fx->st);
    EVP_PKEY_free(fx->fw_key);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Runs n steps, each at the engine's next wake-up time. */
void fx_run(fixture *fx, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t w = term_sync_next_wake(fx->sync);
        if (w == INT64_MAX || w < fx->now) w = fx->now;
        fx->now = w;
        term_sync_step(fx->sync, fx->now);
        fx->now += 1;
    }
}

int fx_result_of(fixture *fx, const char *id)
{
    int ret = 12345;
    if (!mock_push_result(fx->srv, id, &ret, NULL, 0)) return 12345;
    return ret;
}

/* A template of finger `seed` (press > 0: another impression of it), serialised in format fmt. */
size_t fx_make_finger(uint32_t seed, uint32_t press, fp_template_format fmt, uint8_t *buf, size_t cap)
{
    fp_minutia m[40];
    uint32_t x = seed * 2654435761u + 7, p = press * 40503u + 11;
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        x = x * 1664525u + 1013904223u;
        int mx = 40 + (int)((x >> 8) % 220);
        x = x * 1664525u + 1013904223u;
        int my = 40 + (int)((x >> 8) % 320);
        x = x * 1664525u + 1013904223u;
        uint8_t angle = (uint8_t)(x >> 24);
        uint8_t type = (uint8_t)(1 + (x >> 3) % 2);
        int jx = 0, jy = 0;
        if (press) {
            p = p * 1664525u + 1013904223u;
            jx = (int)((p >> 8) % 5) - 2;
            p = p * 1664525u + 1013904223u;
            jy = (int)((p >> 8) % 5) - 2;
        }
        m[n].x = (uint16_t)(mx + jx);
        m[n].y = (uint16_t)(my + jy);
        m[n].angle = angle;
        m[n].type = type;
        m[n].quality = 80;
        m[n].reserved = 0;
        n++;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(300, 400, 500, m, n, 70, &t), FP_OK);
    size_t written = 0;
    assert_int_equal(fp_template_serialize(t, fmt, buf, cap, &written), FP_OK);
    fp_template_destroy(t);
    return written;
}

/* ---------------------------------------------------------------------- */
