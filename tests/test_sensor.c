/*
 * test_sensor.c - the sensor driver: capture state machine, quality gate,
 * sensitivity, cancel, and every backend that can run here (synthetic,
 * replay, the HAL over a simulated register-level module, libfprint when a
 * reader is attached).
 *
 * FP_SENSOR_TABLE_FINGERS (default 2) sets how many synthetic fingers the
 * sensitivity table uses; the figures in docs/sensor.md used more.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fp/fpio.h"
#include "fp/sensor.h"
#include "fp/sensor_hal.h"
#include "fp/synth.h"

#define SEED 424242u
#define MAX_FINGERS 16

static fp_synth_master *masters[MAX_FINGERS];
static uint32_t n_fingers = 2;
static fp_context *ctx;
static fp_synth_impression *hal_imp; /* finger frames of the simulated module */

static int setup(void **state)
{
    (void)state;
    const char *e = getenv("FP_SENSOR_TABLE_FINGERS");
    if (e && atoi(e) > 0)
        n_fingers = (uint32_t)atoi(e) > MAX_FINGERS ? MAX_FINGERS : (uint32_t)atoi(e);
    for (uint32_t f = 0; f < n_fingers; f++)
        if (fp_synth_master_create(SEED, f, &masters[f]) != FP_OK)
            return -1;
    if (fp_context_create(NULL, &ctx) != FP_OK)
        return -1;
    fp_synth_impression_params p;
    fp_synth_impression_params_draw(SEED, 0, 50, FP_SYNTH_OPTICAL, 0, &p);
    p.pressure = 0;
    p.distortion_dx = p.distortion_dy = p.distortion_rot_deg = 0;
    return fp_synth_impression_render(masters[0], &p, &hal_imp) == FP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    for (uint32_t f = 0; f < MAX_FINGERS; f++)
        fp_synth_master_destroy(masters[f]);
    fp_synth_impression_destroy(hal_imp);
    fp_context_destroy(ctx);
    return 0;
}

static void synth_config(fp_sensor_config *cfg, uint32_t finger, fp_sensor_sensitivity s)
{
    fp_sensor_config_init(cfg);
    cfg->backend = FP_SENSOR_BACKEND_SYNTHETIC;
    cfg->sensitivity = s;
    cfg->synth.seed = SEED;
    cfg->synth.finger = finger;
    cfg->synth_master = masters[finger];
}

/* ------------------------------------------------------------------------ */

static void test_names_and_codes(void **state)
{
    (void)state;
    assert_true(fp_status_is_retry(FP_SENSOR_RETRY_TOO_WET));
    assert_true(fp_status_is_retry(FP_RETRY_TOO_SMALL));
    assert_false(fp_status_is_retry(FP_SENSOR_ERR_TIMEOUT));
    assert_false(fp_status_is_retry(FP_SENSOR_ERR_CANCELLED));
    assert_string_equal(fp_status_name(FP_SENSOR_ERR_DISCONNECTED), "FP_ERR_DISCONNECTED");
    assert_string_equal(fp_status_name(FP_ERR_IO), "FP_ERR_IO");
    assert_string_equal(fp_status_message(FP_ERR_IO), fp_status_message(FP_ERR_IO));
    fp_sensor_backend b;
    assert_int_equal(fp_sensor_backend_parse("replay", &b), FP_OK);
    assert_int_equal(b, FP_SENSOR_BACKEND_REPLAY);
    assert_int_equal(fp_sensor_backend_parse("usb", &b), FP_ERR_INVALID_ARGUMENT);
    fp_sensor_sensitivity s;
    assert_int_equal(fp_sensor_sensitivity_parse("medium", &s), FP_OK);
    assert_int_equal(s, FP_SENSOR_MID);
    for (int v = FP_SENSOR_TOO_SMALL; v <= FP_SENSOR_LOW_QUALITY; v++)
        assert_true(fp_status_is_retry(fp_sensor_verdict_status((fp_sensor_verdict)v)));
    /* HIGH is looser than MID, MID than LOW, on every figure. */
    fp_sensor_thresholds t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(fp_sensor_thresholds_of((fp_sensor_sensitivity)i, &t[i]), FP_OK);
    for (int i = 0; i < 2; i++) {
        assert_true(t[i + 1].area_min < t[i].area_min);
        assert_true(t[i + 1].wet_dark_max > t[i].wet_dark_max);
        assert_true(t[i + 1].dry_dark_min < t[i].dry_dark_min);
        assert_true(t[i + 1].quality_min < t[i].quality_min);
        assert_true(t[i + 1].settle_frames <= t[i].settle_frames);
    }
    fp_sensor *sn = NULL;
    assert_int_equal(fp_sensor_open(NULL, &sn), FP_ERR_INVALID_ARGUMENT);
    fp_sensor_close(NULL);
    fp_sensor_frame_free(NULL);
}

static void test_synthetic_capture(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    synth_config(&cfg, 0, FP_SENSOR_MID);
    fp_sensor *s = NULL;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    fp_sensor_info info;
    assert_int_equal(fp_sensor_get_info(s, &info), FP_OK);
    assert_int_equal(info.width, 388);
    assert_int_equal(info.height, 374);
    assert_int_equal(info.dpi, 500);
    assert_int_equal(info.dpi_stated, 1); /* the data set's known resolution */
    assert_string_equal(info.driver, "synthetic");

    fp_sensor_frame fr;
    fp_sensor_capture_info ci;
    assert_int_equal(fp_sensor_capture(s, 0, &fr, &ci), FP_OK);
    assert_int_equal(ci.verdict, FP_SENSOR_ACCEPT);
    assert_int_equal(fr.width, 388);
    /* Two blank frames, two landing frames, then settle: never the first frames. */
    assert_true(ci.frames >= 5);
    assert_true(ci.stats.area > 0.3);
    assert_true(ci.stats.quality > 0);
    uint32_t first_frames = ci.frames;
    /* The next capture must wait for the lift: it cannot take the same press. */
    fp_sensor_frame fr2;
    assert_int_equal(fp_sensor_capture(s, 0, &fr2, &ci), FP_OK);
    assert_true(ci.frames > 6 - (first_frames - 4));
    assert_memory_not_equal(fr.pixels, fr2.pixels, (size_t)fr.width * fr.height);
    fp_sensor_frame_free(&fr);
    fp_sensor_frame_free(&fr2);
    assert_null(fr.pixels);

    fp_sensor_selftest st;
    assert_int_equal(fp_sensor_self_test(s, 5000, &st), FP_OK);
    assert_true(st.answers && st.blank_is_blank && st.finger_ridges);
    fp_sensor_close(s);
}

static void test_synthetic_conditions(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    fp_sensor *s = NULL;
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;

    /* No finger ever: the capture times out, it does not "retry". */
    synth_config(&cfg, 0, FP_SENSOR_HIGH);
    cfg.synth.landing_frames = cfg.synth.hold_frames = 0;
    cfg.frame_interval_ms = 5;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    assert_int_equal(fp_sensor_capture(s, 200, &fr, &ci), FP_SENSOR_ERR_TIMEOUT);
    assert_null(fr.pixels);
    assert_true(ci.elapsed_ms >= 190);
    assert_true(ci.frames > 5);
    /* Self-test with no finger: the sensor answers and is blank, but shows no ridges. */
    fp_sensor_selftest st;
    assert_int_not_equal(fp_sensor_self_test(s, 200, &st), FP_OK);
    assert_true(st.answers && st.blank_is_blank && !st.finger_ridges);
    fp_sensor_close(s);

    /* A finger that keeps sliding is refused as moving. */
    synth_config(&cfg, 0, FP_SENSOR_MID);
    cfg.synth.move_px = 6;
    cfg.synth.hold_frames = 5;
    cfg.synth.presses = 1;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_SENSOR_RETRY_MOVING);
    assert_int_equal(ci.verdict, FP_SENSOR_MOVING);
    assert_true(ci.stats.motion > 8.0);
    fp_sensor_close(s);

    /* Partial placement: a small contact at the edge is too small for LOW,
     * and HIGH takes it. */
    for (int sens = FP_SENSOR_LOW; sens <= FP_SENSOR_HIGH; sens += 2) {
        synth_config(&cfg, 0, (fp_sensor_sensitivity)sens);
        cfg.synth.contact = 0.55;
        cfg.synth.presses = 1;
        assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
        fp_status rc = fp_sensor_capture(s, 5000, &fr, &ci);
        print_message("partial press at %s: area %.2f -> %s\n", fp_sensor_sensitivity_name(sens), ci.stats.area,
                      fp_sensor_verdict_name(ci.verdict));
        if (sens == FP_SENSOR_LOW) {
            assert_int_equal(rc, FP_RETRY_TOO_SMALL);
        } else {
            assert_int_equal(rc, FP_OK);
            assert_true(ci.stats.area < 0.40);
        }
        fp_sensor_frame_free(&fr);
        fp_sensor_close(s);
    }
}

/* ------------------------------------------------------------------------ */
/* The sensitivity table                                                    */
/* ------------------------------------------------------------------------ */

typedef struct condition {
    const char *name;
    double pressure;
    double contrast;
} condition;

static void test_sensitivity_table(void **state)
{
    (void)state;
    static const condition conds[3] = {{"dry", -0.8, 0.6}, {"normal", 0.0, 0.0}, {"wet", 0.8, 0.0}};
    const uint32_t presses = 2;
    /* Reference: a normal press of each finger, another impression. */
    fp_template *ref[MAX_FINGERS] = {0};
    for (uint32_t f = 0; f < n_fingers; f++) {
        fp_synth_impression_params p;
        fp_synth_impression_params_draw(SEED, f, 99, FP_SYNTH_OPTICAL, 0, &p);
        p.pressure = 0;
        p.distortion_dx = p.distortion_dy = p.distortion_rot_deg = 0;
        fp_synth_impression *imp = NULL;
        assert_int_equal(fp_synth_impression_render(masters[f], &p, &imp), FP_OK);
        uint32_t w, h;
        const uint8_t *px = fp_synth_impression_pixels(imp, &w, &h);
        fp_image im = {px, w, h, w, 500};
        assert_int_equal(fp_extract(ctx, &im, &ref[f], NULL), FP_OK);
        fp_synth_impression_destroy(imp);
    }
    uint32_t accepted[3][3] = {{0}};
    uint32_t reasons[3][3][7] = {{{0}}};
    double score_sum[3][3] = {{0}};
    const uint32_t total = n_fingers * presses;
    for (int c = 0; c < 3; c++) {
        for (int sens = 0; sens < 3; sens++) {
            for (uint32_t f = 0; f < n_fingers; f++) {
                fp_sensor_config cfg;
                synth_config(&cfg, f, (fp_sensor_sensitivity)sens);
                cfg.synth.pressure = conds[c].pressure;
                cfg.synth.contrast = conds[c].contrast;
                cfg.synth.presses = presses;
                fp_sensor *s = NULL;
                assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
                for (uint32_t k = 0; k < presses; k++) {
                    fp_sensor_frame fr;
                    fp_sensor_capture_info ci;
                    fp_status rc = fp_sensor_capture(s, 20000, &fr, &ci);
                    assert_true(rc == FP_OK || fp_status_is_retry(rc));
                    reasons[c][sens][ci.verdict]++;
                    if (rc != FP_OK)
                        continue;
                    accepted[c][sens]++;
                    fp_image im = {fr.pixels, fr.width, fr.height, fr.width, fr.dpi};
                    fp_template *t = NULL;
                    float score = 0;
                    if (fp_extract(ctx, &im, &t, NULL) == FP_OK)
                        assert_int_equal(fp_compare(ctx, t, ref[f], &score), FP_OK);
                    score_sum[c][sens] += score;
                    fp_template_destroy(t);
                    fp_sensor_frame_free(&fr);
                }
                fp_sensor_close(s);
            }
        }
    }
    print_message("condition  sensitivity  accepted  rate    mean genuine score  refusals\n");
    for (int c = 0; c < 3; c++) {
        for (int sens = 0; sens < 3; sens++) {
            char why[128] = "";
            for (int v = 1; v < 7; v++) {
                if (reasons[c][sens][v]) {
                    size_t n = strlen(why);
                    snprintf(why + n, sizeof(why) - n, "%s%s x%u", n ? ", " : "",
                             fp_sensor_verdict_name((fp_sensor_verdict)v), reasons[c][sens][v]);
                }
            }
            double rate = (double)accepted[c][sens] / total;
            double mean = accepted[c][sens] ? score_sum[c][sens] / accepted[c][sens] : 0.0;
            print_message("%-10s %-12s %3u/%-3u  %5.1f%%  %18.1f  %s\n", conds[c].name,
                          fp_sensor_sensitivity_name((fp_sensor_sensitivity)sens), accepted[c][sens], total,
                          100.0 * rate, mean, why);
        }
    }
    /* Normal presses pass at every setting and match their finger. */
    for (int sens = 0; sens < 3; sens++) {
        assert_int_equal(accepted[1][sens], total);
        assert_true(score_sum[1][sens] / total > 30.0);
    }
    for (int c = 0; c < 3; c++) {
        assert_true(accepted[c][FP_SENSOR_LOW] <= accepted[c][FP_SENSOR_MID]);
        assert_true(accepted[c][FP_SENSOR_MID] <= accepted[c][FP_SENSOR_HIGH]);
    }
    /* LOW refuses dry and wet presses, for the right reason; HIGH takes them. */
    /* (A finger with naturally wide ridges may still pass LOW when dry: allow 10 %.) */
    assert_true(accepted[0][FP_SENSOR_LOW] * 10 <= total);
    assert_int_equal(reasons[0][FP_SENSOR_LOW][FP_SENSOR_TOO_DRY], total - accepted[0][FP_SENSOR_LOW]);
    assert_true(accepted[2][FP_SENSOR_LOW] * 10 <= total);
    assert_int_equal(reasons[2][FP_SENSOR_LOW][FP_SENSOR_TOO_WET], total - accepted[2][FP_SENSOR_LOW]);
    assert_int_equal(accepted[0][FP_SENSOR_HIGH], total);
    assert_int_equal(accepted[2][FP_SENSOR_HIGH], total);
    for (uint32_t f = 0; f < n_fingers; f++)
        fp_template_destroy(ref[f]);
}

/* ------------------------------------------------------------------------ */
/* Cancel from another thread                                               */
/* ------------------------------------------------------------------------ */

typedef struct cancel_arg {
    fp_sensor *s;
    fp_status rc;
    uint32_t elapsed;
} cancel_arg;

static void *capture_thread(void *p)
{
    cancel_arg *a = p;
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;
    a->rc = fp_sensor_capture(a->s, 0, &fr, &ci); /* would wait forever */
    a->elapsed = ci.elapsed_ms;
    fp_sensor_frame_free(&fr);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    synth_config(&cfg, 0, FP_SENSOR_MID);
    cfg.synth.landing_frames = cfg.synth.hold_frames = 0; /* nobody comes */
    cfg.frame_interval_ms = 20;
    fp_sensor *s = NULL;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    cancel_arg a = {s, FP_OK, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, capture_thread, &a), 0);
    struct timespec d = {0, 150 * 1000000L};
    nanosleep(&d, NULL);
    fp_sensor_cancel(s);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, FP_SENSOR_ERR_CANCELLED);
    assert_true(a.elapsed < 2000);
    /* The cancel was consumed: the sensor is usable and the next capture
     * runs its full timeout. */
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;
    assert_int_equal(fp_sensor_capture(s, 100, &fr, &ci), FP_SENSOR_ERR_TIMEOUT);
    /* A cancel sent before the capture starts is not lost. */
    fp_sensor_cancel(s);
    assert_int_equal(fp_sensor_capture(s, 0, &fr, &ci), FP_SENSOR_ERR_CANCELLED);
    fp_sensor_close(s);
}

/* ------------------------------------------------------------------------ */
/* Replay                                                                   */
/* ------------------------------------------------------------------------ */

static void test_replay_dataset(void **state)
{
    (void)state;
    const char *dir = FP_SOURCE_DIR "/../shared/datasets/FVC2002/DB1_B";
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        print_message("skipped: %s not present\n", dir);
        skip();
    }
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_REPLAY;
    cfg.source = dir;
    cfg.sensitivity = FP_SENSOR_HIGH;
    fp_sensor *s = NULL;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    fp_sensor_info info;
    fp_sensor_get_info(s, &info);
    assert_int_equal(info.width, 388);
    assert_int_equal(info.height, 374);
    assert_int_equal(info.dpi, 500);
    assert_int_equal(info.dpi_stated, 1); /* the data set's known resolution */
    /* Several presses of real prints: most pass at HIGH, and the first two
     * impressions of finger 101 match each other. */
    uint32_t ok = 0;
    fp_template *t[2] = {0};
    for (int k = 0; k < 8; k++) {
        fp_sensor_frame fr;
        fp_sensor_capture_info ci;
        fp_status rc = fp_sensor_capture(s, 5000, &fr, &ci);
        assert_true(rc == FP_OK || fp_status_is_retry(rc));
        if (rc != FP_OK)
            continue;
        ok++;
        if (k < 2) {
            fp_image im = {fr.pixels, fr.width, fr.height, fr.width, 500};
            fp_extract(ctx, &im, &t[k], NULL);
        }
        fp_sensor_frame_free(&fr);
    }
    print_message("replay FVC2002/DB1_B at high: %u of 8 presses accepted\n", ok);
    assert_true(ok >= 4);
    if (t[0] && t[1]) {
        float score = 0;
        fp_compare(ctx, t[0], t[1], &score);
        print_message("101_1 vs 101_2: %.1f\n", score);
        assert_true(score > 20);
    }
    fp_template_destroy(t[0]);
    fp_template_destroy(t[1]);
    fp_sensor_selftest st;
    assert_int_equal(fp_sensor_self_test(s, 5000, &st), FP_OK);
    fp_sensor_close(s);
}

static void test_replay_bad_sources(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_REPLAY;
    fp_sensor *s = NULL;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_ERR_INVALID_ARGUMENT); /* no source */
    cfg.source = "/nonexistent/folder/of/prints";
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_SENSOR_ERR_NO_DEVICE);
    assert_null(s);

    /* A folder with a good image and a corrupt one: the bad frame is an
     * error, the driver goes on with the next image. */
    char dir[] = "/tmp/fp_sensor_replay_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char good[128], bad[128];
    snprintf(good, sizeof(good), "%s/a_good.png", dir);
    snprintf(bad, sizeof(bad), "%s/b_bad.png", dir);
    uint32_t w, h;
    const uint8_t *px = fp_synth_impression_pixels(hal_imp, &w, &h);
    assert_int_equal(fp_io_write_png_gray(good, px, w, h, w, 500), FP_OK);
    FILE *f = fopen(bad, "wb");
    assert_non_null(f);
    fputs("\x89PNG\r\n\x1a\n garbage, not a PNG stream", f);
    fclose(f);
    cfg.source = dir;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_SENSOR_ERR_PROTOCOL);
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);
    fp_sensor_close(s);
    remove(good);
    remove(bad);
    rmdir(dir);
}

/* ------------------------------------------------------------------------ */
/* HAL over a simulated register-level module                               */
/* ------------------------------------------------------------------------ */

typedef struct sim_module {
    uint32_t w, h, dpi;
    uint8_t chip_id;
    int unplugged;       /* every bus transfer fails */
    int stuck;           /* never reports a frame */
    int garbage_frames;  /* that many next frames have a bad checksum */
    int started, ready_after, polls;
    uint32_t frame_no;
    uint8_t gain;
} sim_module;

static int sim_read_reg(void *user, uint8_t reg, uint8_t *v)
{
    sim_module *m = user;
    if (m->unplugged)
        return -1;
    switch (reg) {
    case FP_HAL_REG_CHIP_ID: *v = m->chip_id; break;
    case FP_HAL_REG_STATUS:
        *v = 0;
        if (m->started && !m->stuck && ++m->polls > m->ready_after)
            *v = FP_HAL_STATUS_READY;
        break;
    case FP_HAL_REG_WIDTH_LO: *v = (uint8_t)m->w; break;
    case FP_HAL_REG_WIDTH_HI: *v = (uint8_t)(m->w >> 8); break;
    case FP_HAL_REG_HEIGHT_LO: *v = (uint8_t)m->h; break;
    case FP_HAL_REG_HEIGHT_HI: *v = (uint8_t)(m->h >> 8); break;
    case FP_HAL_REG_DPI_LO: *v = (uint8_t)m->dpi; break;
    case FP_HAL_REG_DPI_HI: *v = (uint8_t)(m->dpi >> 8); break;
    case FP_HAL_REG_GAIN: *v = m->gain; break;
    default: *v = 0xFF; break;
    }
    return 0;
}

static int sim_write_reg(void *user, uint8_t reg, uint8_t v)
{
    sim_module *m = user;
    if (m->unplugged)
        return -1;
    if (reg == FP_HAL_REG_CTRL && (v & FP_HAL_CTRL_START)) {
        m->started = 1;
        m->polls = 0;
    }
    if (reg == FP_HAL_REG_CTRL && (v & FP_HAL_CTRL_RESET))
        m->started = 0;
    if (reg == FP_HAL_REG_GAIN)
        m->gain = v;
    return 0;
}

/* Frames: 2 blank, then 5 of the finger, over and over. */
static int sim_read_frame(void *user, uint8_t *buf, size_t len)
{
    sim_module *m = user;
    if (m->unplugged)
        return -1;
    size_t n = (size_t)m->w * m->h;
    if (len != n + FP_HAL_PACKET_OVERHEAD || !m->started)
        return -1;
    m->started = 0;
    buf[0] = 'F';
    buf[1] = 'R';
    buf[2] = (uint8_t)m->w;
    buf[3] = (uint8_t)(m->w >> 8);
    buf[4] = (uint8_t)m->h;
    buf[5] = (uint8_t)(m->h >> 8);
    uint32_t k = m->frame_no++ % 7;
    uint32_t iw, ih;
    const uint8_t *px = fp_synth_impression_pixels(hal_imp, &iw, &ih);
    uint16_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = k < 2 ? 255 : px[i];
        buf[6 + i] = v;
        sum = (uint16_t)(sum + v);
    }
    if (m->garbage_frames > 0) {
        m->garbage_frames--;
        sum ^= 0x5A5A;
        buf[6 + n / 2] ^= 0xFF;
    }
    buf[6 + n] = (uint8_t)sum;
    buf[7 + n] = (uint8_t)(sum >> 8);
    return 0;
}

static void hal_config(fp_sensor_config *cfg, fp_sensor_hal *hal, sim_module *m)
{
    memset(m, 0, sizeof(*m));
    fp_synth_impression_pixels(hal_imp, &m->w, &m->h);
    m->dpi = 500;
    m->chip_id = FP_HAL_CHIP_ID;
    m->ready_after = 2;
    hal->user = m;
    hal->read_reg = sim_read_reg;
    hal->write_reg = sim_write_reg;
    hal->read_frame = sim_read_frame;
    fp_sensor_config_init(cfg);
    cfg->backend = FP_SENSOR_BACKEND_HAL;
    cfg->hal = hal;
}

static void test_hal(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    fp_sensor_hal hal;
    sim_module m;
    fp_sensor *s = NULL;
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;

    /* Open failures. */
    hal_config(&cfg, &hal, &m);
    m.chip_id = 0x12;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_SENSOR_ERR_NO_DEVICE);
    m.chip_id = FP_HAL_CHIP_ID;
    m.unplugged = 1;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_SENSOR_ERR_DISCONNECTED);
    m.unplugged = 0;
    m.w = 5000; /* nonsense geometry */
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_SENSOR_ERR_PROTOCOL);
    assert_null(s);

    hal_config(&cfg, &hal, &m);
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    fp_sensor_info info;
    fp_sensor_get_info(s, &info);
    assert_int_equal(info.width, m.w);
    assert_string_equal(info.driver, "hal");
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);

    /* Unplugged mid-way: a clear error, then it works again once back. */
    m.unplugged = 1;
    assert_int_equal(fp_sensor_capture(s, 2000, &fr, &ci), FP_SENSOR_ERR_DISCONNECTED);
    assert_int_equal(fp_sensor_capture(s, 2000, &fr, &ci), FP_SENSOR_ERR_DISCONNECTED);
    m.unplugged = 0;
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);

    /* Garbage on the line. */
    m.garbage_frames = 1;
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_SENSOR_ERR_PROTOCOL);
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);

    /* A module that never finishes a frame: timeout when the capture's own
     * limit comes first, a disconnect after that. */
    m.stuck = 1;
    assert_int_equal(fp_sensor_capture(s, 50, &fr, &ci), FP_SENSOR_ERR_TIMEOUT);
    assert_int_equal(fp_sensor_capture(s, 3000, &fr, &ci), FP_SENSOR_ERR_DISCONNECTED);
    m.stuck = 0;
    assert_int_equal(fp_sensor_capture(s, 5000, &fr, &ci), FP_OK);
    fp_sensor_frame_free(&fr);

    fp_sensor_selftest st;
    assert_int_equal(fp_sensor_self_test(s, 5000, &st), FP_OK);
    fp_sensor_close(s);
}

/* ------------------------------------------------------------------------ */
/* libfprint                                                                */
/* ------------------------------------------------------------------------ */

static void test_libfprint(void **state)
{
    (void)state;
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_LIBFPRINT;
    fp_sensor *s = NULL;
    fp_status rc = fp_sensor_open(&cfg, &s);
    if (!fp_sensor_backend_available(FP_SENSOR_BACKEND_LIBFPRINT)) {
        assert_int_equal(rc, FP_ERR_UNSUPPORTED);
        print_message("skipped: built without libfprint-2\n");
        skip();
    }
    if (rc == FP_SENSOR_ERR_NO_DEVICE || rc == FP_ERR_UNSUPPORTED) {
        assert_null(s);
        print_message("skipped: no image-capable reader attached (%s)\n", fp_status_name(rc));
        skip();
    }
    assert_int_equal(rc, FP_OK);
    fp_sensor_info info;
    fp_sensor_get_info(s, &info);
    print_message("reader: %s (%s); present a finger within 10 s\n", info.name, info.driver);
    fp_sensor_frame fr;
    fp_sensor_capture_info ci;
    rc = fp_sensor_capture(s, 10000, &fr, &ci);
    assert_true(rc == FP_OK || rc == FP_SENSOR_ERR_TIMEOUT || fp_status_is_retry(rc));
    fp_sensor_frame_free(&fr);
    fp_sensor_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_codes),
        cmocka_unit_test(test_synthetic_capture),
        cmocka_unit_test(test_synthetic_conditions),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_replay_dataset),
        cmocka_unit_test(test_replay_bad_sources),
        cmocka_unit_test(test_hal),
        cmocka_unit_test(test_libfprint),
        cmocka_unit_test(test_sensitivity_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
