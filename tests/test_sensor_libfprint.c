/*
 * test_sensor_libfprint.c - the libfprint backend proven with real frames:
 * libfprint's virtual image reader (FP_VIRTUAL_IMAGE, sensor_vimage.h) is
 * fed FVC images and libfprint's own driver captures, captured through the
 * sensor API and through `fp-capture --backend libfprint`, and compared
 * with the replay backend on the same files: size, resolution, pixels,
 * template, gate verdict and statistics at every sensitivity. Then every
 * way a press or the reader can end: finger on / off, libfprint's retries
 * and errors, cancel, timeout, the client leaving, the reader unplugged and
 * plugged back.
 *
 * Skipped, saying why, only when the backend was not built or libfprint
 * has no virtual image reader. Data sets missing under ../shared/datasets
 * are skipped per folder (and said); the status tests need none.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fp/fpio.h"
#include "fp/sensor.h"
#include "fp/sensor_vimage.h"

extern char **environ;

#define DATA FP_SOURCE_DIR "/../shared/datasets"
#define CAPTURE_MS 5000u

/* libfprint's codes (fp-device.h), spelled out so the test does not need
 * libfprint's headers: what the virtual reader is told to report. */
enum { LFP_RETRY_GENERAL, LFP_RETRY_TOO_SHORT, LFP_RETRY_CENTER_FINGER, LFP_RETRY_REMOVE_FINGER };
enum { LFP_ERROR_GENERAL, LFP_ERROR_NOT_SUPPORTED, LFP_ERROR_NOT_OPEN, LFP_ERROR_ALREADY_OPEN, LFP_ERROR_BUSY,
       LFP_ERROR_PROTO, LFP_ERROR_DATA_INVALID };

static char sock_dir[64];
static char sock_path[96];
static const char *unavailable; /* why the tests skip, NULL when the virtual reader works */
static fp_context *ctx;

/* What the run saw, printed at the end. */
static unsigned n_api_frames, n_compared, n_tool_frames, n_refused_by_libfprint;

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */
/* ------------------------------------------------------------------------ */

static fp_status open_reader(fp_sensor_sensitivity sens, uint32_t dpi, fp_sensor **out)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_LIBFPRINT;
    cfg.sensitivity = sens;
    cfg.dpi = dpi;
    return fp_sensor_open(&cfg, out);
}

static int setup(void **state)
{
    (void)state;
    if (fp_context_create(NULL, &ctx) != FP_OK)
        return -1;
    if (!fp_sensor_backend_available(FP_SENSOR_BACKEND_LIBFPRINT)) {
        unavailable = "built without libfprint-2 (libfprint backend left out)";
        return 0;
    }
    /* A short path: a unix socket address holds about 100 bytes. */
    snprintf(sock_dir, sizeof(sock_dir), "/tmp/fp-vimage.XXXXXX");
    if (!mkdtemp(sock_dir))
        return -1;
    snprintf(sock_path, sizeof(sock_path), "%s/reader", sock_dir);
    /* The virtual reader alone: a reader on the developer's USB port must
     * not take its place (the variable is FP_DRIVERS_WHITELIST in Debian 12's
     * libfprint 1.94.5, FP_DRIVERS_ALLOWLIST in later releases). */
    setenv("FP_VIRTUAL_IMAGE", sock_path, 1);
    setenv("FP_DRIVERS_WHITELIST", "virtual_image", 1);
    setenv("FP_DRIVERS_ALLOWLIST", "virtual_image", 1);
    fp_sensor *s = NULL;
    fp_status rc = open_reader(FP_SENSOR_MID, 0, &s);
    if (rc == FP_SENSOR_ERR_NO_DEVICE)
        unavailable = "libfprint lists no reader with FP_VIRTUAL_IMAGE set (no virtual_image driver in this build)";
    else if (rc != FP_OK)
        return -1;
    fp_sensor_close(s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fp_context_destroy(ctx);
    if (sock_dir[0]) {
        unlink(sock_path);
        rmdir(sock_dir);
    }
    print_message("libfprint virtual reader: %u frames captured through the sensor API, %u through fp-capture; "
                  "%u compared with the replay backend (size, resolution, pixels, template, gate); "
                  "%u presses refused by libfprint itself\n",
                  n_api_frames, n_tool_frames, n_compared, n_refused_by_libfprint);
    return 0;
}

/* Every test starts with the reader's environment in place (one that
 * failed half-way may have left it changed). */
#define NEED_READER()                                                                                                  \
    do {                                                                                                               \
        if (unavailable) {                                                                                             \
            print_message("skipped: %s\n", unavailable);                                                               \
            skip();                                                                                                    \
        }                                                                                                              \
        setenv("FP_VIRTUAL_IMAGE", sock_path, 1);                                                                      \
    } while (0)

/* Opens the reader and connects the finger to it. */
static void open_both(fp_sensor_sensitivity sens, uint32_t dpi, fp_sensor **s, fp_sensor_vimage **c)
{
    assert_int_equal(open_reader(sens, dpi, s), FP_OK);
    assert_int_equal(fp_sensor_vimage_connect(sock_path, 2000, c), FP_OK);
}

/* ------------------------------------------------------------------------ */
/* The images                                                               */
/* ------------------------------------------------------------------------ */

typedef struct image_set {
    const char *dir;  /* under DATA */
    const char *files[10];
    uint32_t dpi;     /* the set's resolution; 0: not stated (libfprint's captures) */
    int all_levels;   /* compared at LOW and HIGH too, not only at MID (the time the test may take) */
} image_set;

/* FVC sets at their stated resolutions (README.txt of each), and every
 * capture of libfprint's driver tests (no resolution stated). */
static const image_set sets[] = {
    {"FVC2002/DB1_B", {"101_1.tif", "102_1.tif", "103_1.tif", "104_1.tif", "105_1.tif", "106_2.tif",
                       "107_1.tif", "108_3.tif", "109_1.tif", "110_1.tif"}, 500, 1},
    {"FVC2002/DB2_B", {"101_1.tif", "102_1.tif", "103_1.tif"}, 569, 0},
    {"FVC2002/DB3_B", {"101_1.tif", "102_1.tif", "103_1.tif"}, 500, 0},
    {"FVC2002/DB4_B", {"101_1.tif", "102_1.tif", "103_1.tif"}, 500, 0},
    {"FVC2000/DB1_B", {"101_1.tif", "102_1.tif"}, 500, 0},
    {"FVC2000/DB2_B", {"101_1.tif", "102_1.tif"}, 500, 0},
    {"libfprint-test-captures", {"aes3500/capture.png", "egis0570/capture.png", "elan/capture.png",
                                 "elanspi/capture.png", "nb1010/capture.png", "upektc_img/capture.png",
                                 "vfs0050/capture.png", "vfs301/capture.png", "vfs5011/capture.png",
                                 "vfs7552/capture.png"}, 0, 1},
};

static int set_present(const image_set *set)
{
    char dir[512];
    struct stat sb;
    snprintf(dir, sizeof(dir), "%s/%s", DATA, set->dir);
    if (stat(dir, &sb) == 0)
        return 1;
    print_message("skipped: %s not present\n", dir);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Captures                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct shot {
    fp_status rc;
    fp_sensor_frame frame;
    fp_sensor_capture_info ci;
} shot;

/* One press of the image at path through the replay backend. Held long
 * enough for the slowest settling (LOW) and a second gate run. */
static void replay_shot(const char *path, fp_sensor_sensitivity sens, uint32_t dpi, shot *out)
{
    fp_sensor_config cfg;
    fp_sensor_config_init(&cfg);
    cfg.backend = FP_SENSOR_BACKEND_REPLAY;
    cfg.source = path;
    cfg.sensitivity = sens;
    cfg.dpi = dpi;
    cfg.replay_blank_frames = 1;
    cfg.replay_hold_frames = 10;
    fp_sensor *s = NULL;
    assert_int_equal(fp_sensor_open(&cfg, &s), FP_OK);
    fp_sensor_info info;
    assert_int_equal(fp_sensor_get_info(s, &info), FP_OK);
    assert_int_equal(info.dpi_stated, 0); /* given by the caller, or not in the file */
    out->rc = fp_sensor_capture(s, CAPTURE_MS, &out->frame, &out->ci);
    fp_sensor_close(s);
}

/* One press of img through the virtual reader and the libfprint backend. */
static void reader_shot(fp_sensor *s, fp_sensor_vimage *c, const fp_io_image *img, shot *out)
{
    assert_int_equal(fp_sensor_vimage_image(c, img->pixels, img->width, img->height, img->width), FP_OK);
    out->rc = fp_sensor_capture(s, CAPTURE_MS, &out->frame, &out->ci);
    if (out->rc == FP_OK)
        n_api_frames++;
}

static void shot_free(shot *sh)
{
    fp_sensor_frame_free(&sh->frame);
}

static void assert_same_stats(const fp_sensor_stats *a, const fp_sensor_stats *b)
{
    assert_true(a->area == b->area);
    assert_true(a->dark_share == b->dark_share);
    assert_true(a->contrast == b->contrast);
    assert_true(a->mean == b->mean);
    assert_int_equal(a->quality, b->quality);
    assert_int_equal(a->extract_status, b->extract_status);
}

/* The engine's templates of two frames, serialised, are byte for byte equal. */
static void assert_same_template(const fp_sensor_frame *a, const fp_sensor_frame *b)
{
    const fp_sensor_frame *f[2] = {a, b};
    uint8_t *buf[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    fp_status rc[2];
    for (int i = 0; i < 2; i++) {
        fp_image im = {f[i]->pixels, f[i]->width, f[i]->height, f[i]->width, f[i]->dpi};
        fp_template *t = NULL;
        rc[i] = fp_extract(ctx, &im, &t, NULL);
        if (rc[i] == FP_OK) {
            assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &len[i]), FP_OK);
            buf[i] = malloc(len[i]);
            assert_non_null(buf[i]);
            assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf[i], len[i], &len[i]), FP_OK);
        }
        fp_template_destroy(t);
    }
    assert_int_equal(rc[0], rc[1]);
    assert_int_equal(len[0], len[1]);
    if (len[0])
        assert_memory_equal(buf[0], buf[1], len[0]);
    free(buf[0]);
    free(buf[1]);
}

/*
 * The image at path, pressed on the virtual reader at sensitivity sens,
 * against the same image replayed: the same status, verdict and gate
 * statistics, and on acceptance the same size, resolution and pixels, and
 * (with_template) the same template. dpi is the set's resolution, given to
 * both backends (0: none, both assume 500 and say so). Returns the status.
 */
static fp_status compare_press(fp_sensor *s, fp_sensor_vimage *c, const char *path, const fp_io_image *img,
                               fp_sensor_sensitivity sens, uint32_t dpi, int with_template)
{
    assert_int_equal(fp_sensor_set_sensitivity(s, sens), FP_OK);
    shot lf, rp;
    memset(&lf, 0, sizeof(lf));
    memset(&rp, 0, sizeof(rp));
    reader_shot(s, c, img, &lf);
    replay_shot(path, sens, dpi, &rp);
    if (lf.rc == FP_RETRY_LOW_QUALITY && lf.ci.frames == 0) {
        /* libfprint found no minutiae of its own and refused the press
         * before our gate saw it: nothing to compare. */
        n_refused_by_libfprint++;
        print_message("  %s: refused by libfprint itself (%s); replay: %s\n", path, fp_status_name(lf.rc),
                      fp_status_name(rp.rc));
        shot_free(&rp);
        return lf.rc;
    }
    if (lf.rc != rp.rc || lf.ci.verdict != rp.ci.verdict)
        print_message("  %s at %s: libfprint %s (%s), replay %s (%s)\n", path, fp_sensor_sensitivity_name(sens),
                      fp_status_name(lf.rc), fp_sensor_verdict_name(lf.ci.verdict), fp_status_name(rp.rc),
                      fp_sensor_verdict_name(rp.ci.verdict));
    assert_int_equal(lf.rc, rp.rc);
    assert_int_equal(lf.ci.verdict, rp.ci.verdict);
    assert_int_equal(lf.ci.frames, 1); /* a libfprint frame is a whole press */
    assert_same_stats(&lf.ci.stats, &rp.ci.stats);
    fp_sensor_info info;
    assert_int_equal(fp_sensor_get_info(s, &info), FP_OK);
    assert_int_equal(info.width, img->width);
    assert_int_equal(info.height, img->height);
    assert_int_equal(info.dpi, dpi ? dpi : 500);
    assert_int_equal(info.dpi_stated, 0); /* the virtual reader states no resolution */
    if (lf.rc == FP_OK) {
        assert_int_equal(lf.frame.width, img->width);
        assert_int_equal(lf.frame.height, img->height);
        assert_int_equal(lf.frame.dpi, dpi ? dpi : 500);
        assert_int_equal(lf.frame.dpi, rp.frame.dpi);
        assert_memory_equal(lf.frame.pixels, img->pixels, (size_t)img->width * img->height);
        assert_memory_equal(lf.frame.pixels, rp.frame.pixels, (size_t)img->width * img->height);
        if (with_template)
            assert_same_template(&lf.frame, &rp.frame);
    }
    n_compared++;
    shot_free(&lf);
    shot_free(&rp);
    return lf.rc;
}

/* ------------------------------------------------------------------------ */
/* Frames through the sensor API                                            */
/* ------------------------------------------------------------------------ */

static void test_frames_match_replay(void **state)
{
    (void)state;
    NEED_READER();
    static const fp_sensor_sensitivity levels[] = {FP_SENSOR_MID, FP_SENSOR_LOW, FP_SENSOR_HIGH};
    unsigned accepted[3] = {0, 0, 0}, pressed[3] = {0, 0, 0};
    for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
        const image_set *set = &sets[k];
        if (!set_present(set))
            continue;
        /* One reader per resolution: the user tells it with config.dpi. */
        fp_sensor *s = NULL;
        fp_sensor_vimage *c = NULL;
        open_both(FP_SENSOR_MID, set->dpi, &s, &c);
        for (size_t i = 0; i < 10 && set->files[i]; i++) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%s/%s", DATA, set->dir, set->files[i]);
            fp_io_image img;
            assert_int_equal(fp_io_load(path, &img), FP_OK);
            for (int l = 0; l < (set->all_levels ? 3 : 1); l++) {
                /* The template depends on the pixels and the resolution
                 * only: one comparison per image is enough. */
                fp_status rc = compare_press(s, c, path, &img, levels[l], set->dpi, l == 0);
                pressed[l]++;
                accepted[l] += rc == FP_OK;
            }
            fp_io_image_free(&img);
        }
        fp_sensor_vimage_close(c);
        fp_sensor_close(s);
    }
    for (int l = 0; l < 3; l++)
        print_message("%s: %u of %u presses accepted, on both backends alike\n", fp_sensor_sensitivity_name(levels[l]),
                      accepted[l], pressed[l]);
    /* The gate is no rubber stamp on these frames, and not a wall either. */
    if (pressed[1] >= 10) {
        assert_true(accepted[2] > pressed[2] / 2);
        assert_true(accepted[0] > 0 && accepted[0] < pressed[0]);
        assert_true(accepted[2] >= accepted[1]);
    }
}

/* A reader that does not state its resolution, used without config.dpi on
 * a 569 dpi set: the frame is said to be 500 dpi, not stated, and its
 * template is that of the image taken at 500 dpi, which still matches the
 * true-resolution template of the same image at a lower score. */
static void test_resolution_not_stated(void **state)
{
    (void)state;
    NEED_READER();
    const image_set *set = &sets[1];
    assert_int_equal(set->dpi, 569);
    if (!set_present(set))
        skip();
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    open_both(FP_SENSOR_MID, 0, &s, &c);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s/%s", DATA, set->dir, set->files[0]);
    fp_io_image img;
    assert_int_equal(fp_io_load(path, &img), FP_OK);
    shot lf;
    memset(&lf, 0, sizeof(lf));
    reader_shot(s, c, &img, &lf);
    assert_int_equal(lf.rc, FP_OK);
    fp_sensor_info info;
    fp_sensor_get_info(s, &info);
    assert_int_equal(lf.frame.dpi, 500);
    assert_int_equal(info.dpi, 500);
    assert_int_equal(info.dpi_stated, 0);
    fp_image a = {lf.frame.pixels, lf.frame.width, lf.frame.height, lf.frame.width, lf.frame.dpi};
    fp_image b = {img.pixels, img.width, img.height, img.width, set->dpi};
    fp_template *ta = NULL, *tb = NULL, *tc = NULL;
    assert_int_equal(fp_extract(ctx, &a, &ta, NULL), FP_OK);
    assert_int_equal(fp_extract(ctx, &b, &tb, NULL), FP_OK);
    assert_int_equal(fp_extract(ctx, &b, &tc, NULL), FP_OK);
    float wrong = 0, right = 0;
    assert_int_equal(fp_compare(ctx, ta, tb, &wrong), FP_OK);
    assert_int_equal(fp_compare(ctx, tc, tb, &right), FP_OK);
    print_message("%s taken at 500 instead of %u dpi: score %.1f against itself at %u dpi (same resolution: %.1f)\n",
                  path, set->dpi, wrong, set->dpi, right);
    assert_true(wrong < right);
    fp_template_destroy(ta);
    fp_template_destroy(tb);
    fp_template_destroy(tc);
    fp_io_image_free(&img);
    shot_free(&lf);
    fp_sensor_vimage_close(c);
    fp_sensor_close(s);
}

/* ------------------------------------------------------------------------ */
/* How a press or the reader can end                                        */
/* ------------------------------------------------------------------------ */

static fp_io_image press_image; /* a good press: FVC2002 DB1 101_1, or a drawn pattern */

/* A print-like test pattern when the data set is absent: concentric rings. */
static void load_press_image(void)
{
    if (press_image.pixels)
        return;
    if (fp_io_load(DATA "/FVC2002/DB1_B/101_1.tif", &press_image) == FP_OK)
        return;
    press_image.width = 320;
    press_image.height = 360;
    press_image.dpi = 500;
    press_image.pixels = malloc((size_t)press_image.width * press_image.height);
    assert_non_null(press_image.pixels);
    for (uint32_t y = 0; y < press_image.height; y++)
        for (uint32_t x = 0; x < press_image.width; x++) {
            int dx = (int)x - 160, dy = (int)y - 180;
            int r2 = dx * dx + dy * dy * 3 / 4;
            int ring = (int)(r2 / 90 % 9);
            press_image.pixels[y * press_image.width + x] = r2 > 140 * 140 ? 255 : ring < 4 ? 40 : 215;
        }
}

/* Skips without a virtual reader; else opens it at sens with the finger
 * connected, and the press image ready. */
static void start(fp_sensor_sensitivity sens, fp_sensor **s, fp_sensor_vimage **c)
{
    NEED_READER();
    load_press_image();
    open_both(sens, 0, s, c);
}

/* Puts the press image on the reader. */
static fp_status put_press(fp_sensor_vimage *c)
{
    return fp_sensor_vimage_image(c, press_image.pixels, press_image.width, press_image.height, press_image.width);
}

/* Sends the press image and expects it back through the backend. */
static void expect_press(fp_sensor *s, fp_sensor_vimage *c)
{
    load_press_image();
    shot sh;
    memset(&sh, 0, sizeof(sh));
    reader_shot(s, c, &press_image, &sh);
    assert_int_equal(sh.rc, FP_OK);
    assert_int_equal(sh.frame.width, press_image.width);
    assert_int_equal(sh.frame.height, press_image.height);
    assert_memory_equal(sh.frame.pixels, press_image.pixels, (size_t)press_image.width * press_image.height);
    shot_free(&sh);
}

static fp_status capture_status(fp_sensor *s, uint32_t timeout_ms, fp_sensor_capture_info *ci)
{
    fp_sensor_frame fr;
    fp_status rc = fp_sensor_capture(s, timeout_ms, &fr, ci);
    fp_sensor_frame_free(&fr);
    return rc;
}

static void test_finger_on_off(void **state)
{
    (void)state;
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    start(FP_SENSOR_HIGH, &s, &c);
    fp_sensor_capture_info ci;
    /* The press as a real reader reports it: finger on, image, finger off. */
    assert_int_equal(fp_sensor_vimage_auto_finger(c, 0), FP_OK);
    assert_int_equal(fp_sensor_vimage_finger(c, 1), FP_OK);
    assert_int_equal(put_press(c), FP_OK);
    assert_int_equal(fp_sensor_vimage_finger(c, 0), FP_OK);
    fp_sensor_frame fr;
    assert_int_equal(fp_sensor_capture(s, CAPTURE_MS, &fr, &ci), FP_OK);
    assert_memory_equal(fr.pixels, press_image.pixels, (size_t)press_image.width * press_image.height);
    fp_sensor_frame_free(&fr);
    n_api_frames++;
    /* libfprint hands the image over only once the finger lifts: a finger
     * left on the reader ends in the timeout. */
    assert_int_equal(fp_sensor_vimage_finger(c, 1), FP_OK);
    assert_int_equal(put_press(c), FP_OK);
    assert_int_equal(capture_status(s, 700, &ci), FP_SENSOR_ERR_TIMEOUT);
    assert_true(ci.elapsed_ms >= 650);
    /* A touch without an image is no press: the capture keeps waiting. */
    assert_int_equal(fp_sensor_vimage_finger(c, 0), FP_OK);
    assert_int_equal(fp_sensor_vimage_finger(c, 1), FP_OK);
    assert_int_equal(fp_sensor_vimage_finger(c, 0), FP_OK);
    assert_int_equal(capture_status(s, 500, &ci), FP_SENSOR_ERR_TIMEOUT);
    /* Back to the automatic press: the reader works on. */
    assert_int_equal(fp_sensor_vimage_auto_finger(c, 1), FP_OK);
    expect_press(s, c);
    fp_sensor_vimage_close(c);
    fp_sensor_close(s);
}

static void test_retries_and_errors(void **state)
{
    (void)state;
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    start(FP_SENSOR_MID, &s, &c);
    static const struct {
        int retry;
        fp_status want;
        fp_sensor_verdict verdict;
    } retries[] = {
        {LFP_RETRY_GENERAL, FP_RETRY_LOW_QUALITY, FP_SENSOR_LOW_QUALITY},
        {LFP_RETRY_TOO_SHORT, FP_RETRY_TOO_SMALL, FP_SENSOR_TOO_SMALL},
        {LFP_RETRY_CENTER_FINGER, FP_RETRY_TOO_SMALL, FP_SENSOR_TOO_SMALL},
        {LFP_RETRY_REMOVE_FINGER, FP_SENSOR_RETRY_REMOVE_FINGER, FP_SENSOR_LOW_QUALITY},
    };
    fp_sensor_capture_info ci;
    for (size_t i = 0; i < sizeof(retries) / sizeof(retries[0]); i++) {
        assert_int_equal(fp_sensor_vimage_retry(c, retries[i].retry), FP_OK);
        fp_status rc = capture_status(s, CAPTURE_MS, &ci);
        assert_int_equal(rc, retries[i].want);
        assert_true(fp_status_is_retry(rc));
        assert_int_equal(ci.verdict, retries[i].verdict);
        assert_int_equal(ci.frames, 0);
    }
    /* An empty image: libfprint's own minutiae detection finds nothing and
     * refuses the press before our gate sees a frame. */
    uint8_t *blank = malloc(256 * 256);
    assert_non_null(blank);
    memset(blank, 255, 256 * 256);
    assert_int_equal(fp_sensor_vimage_image(c, blank, 256, 256, 256), FP_OK);
    free(blank);
    assert_int_equal(capture_status(s, CAPTURE_MS, &ci), FP_RETRY_LOW_QUALITY);
    assert_int_equal(ci.frames, 0);
    assert_int_equal(ci.verdict, FP_SENSOR_LOW_QUALITY);
    static const struct {
        int error;
        fp_status want;
    } errors[] = {
        {LFP_ERROR_PROTO, FP_SENSOR_ERR_PROTOCOL},   {LFP_ERROR_DATA_INVALID, FP_SENSOR_ERR_PROTOCOL},
        {LFP_ERROR_GENERAL, FP_ERR_IO},              {LFP_ERROR_BUSY, FP_ERR_IO},
        {LFP_ERROR_NOT_SUPPORTED, FP_ERR_UNSUPPORTED}, {999, FP_ERR_IO},
    };
    for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        assert_int_equal(fp_sensor_vimage_error(c, errors[i].error), FP_OK);
        fp_status rc = capture_status(s, CAPTURE_MS, &ci);
        assert_int_equal(rc, errors[i].want);
        assert_false(fp_status_is_retry(rc));
        /* A device error leaves the reader usable. */
        expect_press(s, c);
    }
    fp_sensor_vimage_close(c);
    fp_sensor_close(s);
}

/* The terminal's Autotest on a libfprint reader: one finger press is
 * enough, the reader's own finger detection standing for the blank check. */
static void test_self_test(void **state)
{
    (void)state;
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    start(FP_SENSOR_MID, &s, &c);
    assert_int_equal(put_press(c), FP_OK);
    fp_sensor_selftest r;
    assert_int_equal(fp_sensor_self_test(s, CAPTURE_MS, &r), FP_OK);
    assert_true(r.answers && r.blank_is_blank && r.finger_ridges);
    assert_true(r.blank_area == 0.0);
    assert_true(r.finger_area >= 0.15);
    n_api_frames++;
    /* Nobody presses: the test times out and says so. */
    assert_int_equal(fp_sensor_self_test(s, 300, &r), FP_SENSOR_ERR_TIMEOUT);
    assert_false(r.finger_ridges);
    /* And a capture after it works as ever. */
    expect_press(s, c);
    fp_sensor_vimage_close(c);
    fp_sensor_close(s);
}

typedef struct bg_capture {
    fp_sensor *s;
    uint32_t timeout_ms;
    fp_status rc;
    fp_sensor_capture_info ci;
} bg_capture;

static void *capture_main(void *p)
{
    bg_capture *a = p;
    a->rc = capture_status(a->s, a->timeout_ms, &a->ci);
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

static void test_timeout_and_cancel(void **state)
{
    (void)state;
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    start(FP_SENSOR_MID, &s, &c);
    fp_sensor_capture_info ci;
    /* Nobody presses. */
    assert_int_equal(capture_status(s, 400, &ci), FP_SENSOR_ERR_TIMEOUT);
    assert_true(ci.elapsed_ms >= 390 && ci.elapsed_ms < 3000);
    /* Cancelled from another thread while libfprint waits for the finger. */
    bg_capture a = {s, 0, FP_OK, {0}};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, capture_main, &a), 0);
    sleep_ms(250);
    fp_sensor_cancel(s);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, FP_SENSOR_ERR_CANCELLED);
    assert_true(a.ci.elapsed_ms < 3000);
    expect_press(s, c);
    /* A cancel sent before the capture starts is not lost, and is consumed. */
    fp_sensor_cancel(s);
    assert_int_equal(capture_status(s, 0, &ci), FP_SENSOR_ERR_CANCELLED);
    expect_press(s, c);
    fp_sensor_vimage_close(c);
    fp_sensor_close(s);
}

typedef struct replug {
    fp_status connect;
    fp_status send;
} replug;

/* Waits for the reader to listen again, then presses. */
static void *replug_main(void *p)
{
    replug *r = p;
    fp_sensor_vimage *c = NULL;
    r->connect = fp_sensor_vimage_connect(sock_path, 5000, &c);
    if (r->connect == FP_OK) {
        r->send = put_press(c);
        fp_sensor_vimage_close(c);
    }
    return NULL;
}

static void test_client_gone_and_unplug(void **state)
{
    (void)state;
    fp_sensor *s = NULL;
    fp_sensor_vimage *c = NULL;
    start(FP_SENSOR_MID, &s, &c);
    fp_sensor_capture_info ci;
    /* The finger's client leaves in the middle: libfprint does not take that
     * for an unplugged reader (it waits for the next client), so the capture
     * ends in its timeout, and a new client presses on the same reader. */
    fp_sensor_vimage_drop(c);
    assert_int_equal(capture_status(s, 500, &ci), FP_SENSOR_ERR_TIMEOUT);
    assert_int_equal(fp_sensor_vimage_connect(sock_path, 2000, &c), FP_OK);
    expect_press(s, c);
    /* The reader pulled out. */
    assert_int_equal(fp_sensor_vimage_unplug(c), FP_OK);
    assert_int_equal(capture_status(s, CAPTURE_MS, &ci), FP_SENSOR_ERR_DISCONNECTED);
    fp_sensor_vimage_close(c);
    /* Still away (libfprint finds no reader): disconnected again, promptly. */
    unsetenv("FP_VIRTUAL_IMAGE");
    assert_int_equal(capture_status(s, CAPTURE_MS, &ci), FP_SENSOR_ERR_DISCONNECTED);
    assert_true(ci.elapsed_ms < 3000);
    /* Plugged back: the next capture finds the reader again and captures. */
    setenv("FP_VIRTUAL_IMAGE", sock_path, 1);
    replug r = {FP_ERR_IO, FP_ERR_IO};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, replug_main, &r), 0);
    fp_sensor_frame fr;
    fp_status rc = fp_sensor_capture(s, CAPTURE_MS, &fr, &ci);
    pthread_join(th, NULL);
    assert_int_equal(r.connect, FP_OK);
    assert_int_equal(r.send, FP_OK);
    assert_int_equal(rc, FP_OK);
    assert_memory_equal(fr.pixels, press_image.pixels, (size_t)press_image.width * press_image.height);
    fp_sensor_frame_free(&fr);
    n_api_frames++;
    fp_sensor_close(s);
}

/* ------------------------------------------------------------------------ */
/* fp-capture --backend libfprint                                           */
/* ------------------------------------------------------------------------ */

typedef struct tool_run {
    int exit_code;
    char out[2048]; /* what it printed (standard output and error) */
} tool_run;

/*
 * Runs fp-capture on the virtual reader while this process plays the
 * finger: the image at path (NULL: only the command), or one command
 * (unplug when retry < 0). extra: more arguments (NULL-terminated list).
 */
static void run_fp_capture(const char *path, int retry, const char *png, const char *const *extra, tool_run *r)
{
    char out_path[128];
    snprintf(out_path, sizeof(out_path), "%s/stdout.txt", sock_dir);
    const char *argv[16] = {FP_CAPTURE_EXE, "--backend", "libfprint", "--timeout", "5000", "--out", png};
    int n = 7;
    for (int i = 0; extra && extra[i] && n < 15; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, FP_CAPTURE_EXE, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    fp_sensor_vimage *c = NULL;
    fp_status rc = fp_sensor_vimage_connect(sock_path, 10000, &c);
    if (rc == FP_OK) {
        if (path)
            rc = fp_sensor_vimage_image_file(c, path);
        else if (retry >= 0)
            rc = fp_sensor_vimage_retry(c, retry);
        else
            rc = fp_sensor_vimage_unplug(c);
        fp_sensor_vimage_close(c);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(rc, FP_OK);
    assert_true(WIFEXITED(status));
    r->exit_code = WEXITSTATUS(status);
    memset(r->out, 0, sizeof(r->out));
    FILE *f = fopen(out_path, "r");
    if (f) {
        size_t got = fread(r->out, 1, sizeof(r->out) - 1, f);
        r->out[got] = '\0';
        fclose(f);
    }
    unlink(out_path);
}

static void test_fp_capture_tool(void **state)
{
    (void)state;
    NEED_READER();
    static const struct {
        const char *file;
        const char *dpi_arg; /* --dpi, or NULL */
        uint32_t want_dpi;
        const char *said;
    } runs[] = {
        {"FVC2002/DB1_B/104_1.tif", NULL, 500, "at 500 dpi (assumed, not stated)"},
        {"FVC2002/DB2_B/102_1.tif", "569", 569, "at 569 dpi (from --dpi)"},
        {"FVC2000/DB2_B/101_1.tif", NULL, 500, "at 500 dpi (assumed, not stated)"},
        {"libfprint-test-captures/nb1010/capture.png", NULL, 500, "at 500 dpi (assumed, not stated)"},
        {"libfprint-test-captures/elanspi/capture.png", NULL, 500, "at 500 dpi (assumed, not stated)"},
    };
    char png[128];
    snprintf(png, sizeof(png), "%s/capture.png", sock_dir);
    tool_run r;
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", DATA, runs[i].file);
        fp_io_image want, got;
        if (fp_io_load(path, &want) != FP_OK) {
            print_message("skipped: %s not present\n", path);
            continue;
        }
        const char *extra[3] = {runs[i].dpi_arg ? "--dpi" : NULL, runs[i].dpi_arg, NULL};
        run_fp_capture(path, 0, png, extra, &r);
        if (r.exit_code != 0)
            print_message("fp-capture on %s: exit %d: %s\n", runs[i].file, r.exit_code, r.out);
        assert_int_equal(r.exit_code, 0);
        assert_non_null(strstr(r.out, runs[i].said));
        assert_int_equal(fp_io_load(png, &got), FP_OK);
        assert_int_equal(got.width, want.width);
        assert_int_equal(got.height, want.height);
        assert_int_equal(got.dpi, runs[i].want_dpi);
        assert_memory_equal(got.pixels, want.pixels, (size_t)want.width * want.height);
        fp_io_image_free(&got);
        fp_io_image_free(&want);
        unlink(png);
        n_tool_frames++;
    }
    /* A press libfprint refuses: exit 3 with the reason; the reader pulled
     * out: exit 2; neither leaves a file. */
    run_fp_capture(NULL, LFP_RETRY_CENTER_FINGER, png, NULL, &r);
    assert_int_equal(r.exit_code, 3);
    assert_non_null(strstr(r.out, "refused: finger area too small"));
    run_fp_capture(NULL, -1, png, NULL, &r);
    assert_int_equal(r.exit_code, 2);
    struct stat sb;
    assert_int_not_equal(stat(png, &sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_match_replay),
        cmocka_unit_test(test_resolution_not_stated),
        cmocka_unit_test(test_finger_on_off),
        cmocka_unit_test(test_retries_and_errors),
        cmocka_unit_test(test_timeout_and_cancel),
        cmocka_unit_test(test_self_test),
        cmocka_unit_test(test_client_gone_and_unplug),
        cmocka_unit_test(test_fp_capture_tool),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    fp_io_image_free(&press_image);
    return failed;
}
