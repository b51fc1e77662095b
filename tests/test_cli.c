/*
 * The command-line tools as a user runs them (fp, fpbench): each case
 * starts the build's own binary (FP_CLI_BIN, FPBENCH_BIN) and checks the exit status, what it printed and
 * the files it left. Cases on real prints read ../shared/datasets and are
 * skipped with a message when it is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include "fp/fpio.h"

#define DATASETS FP_SOURCE_DIR "/../shared/datasets"
#define FVC_IMAGE DATASETS "/FVC2002/DB1_B/101_1.tif"
#define FVC_MATE DATASETS "/FVC2002/DB1_B/101_2.tif"

static const char *fp_bin = FP_CLI_BIN;
static const char *fpbench_bin = FPBENCH_BIN;
static char dir[64];

typedef struct run_result {
    int status; /* exit status, or 128 + signal */
    char out[8192];
    char err[8192];
} run_result;

/* Reads what a finished child left in a pipe (its output stays far below
 * the pipe's capacity, so the child never blocks on it). */
static void drain(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)got;
    buf[n] = 0;
    close(fd);
}

/* Runs bin with the arguments in argv (argv[0] is bin); fsize_limit > 0
 * caps the size of any file the child writes (RLIMIT_FSIZE: writes past it
 * fail with EFBIG; its output goes to pipes, which the limit does not
 * touch). */
static void run_argv(run_result *r, long fsize_limit, const char *bin, const char **argv)
{
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0) _exit(126);
        close(out[0]);
        close(err[0]);
        if (fsize_limit > 0) {
            struct rlimit rl = {(rlim_t)fsize_limit, (rlim_t)fsize_limit};
            signal(SIGXFSZ, SIG_IGN);
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    int ws = 0;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    drain(out[0], r->out, sizeof r->out);
    drain(err[0], r->err, sizeof r->err);
}

/* Runs bin with up to 8 arguments after fsize_limit, NULL-terminated. */
static void run_bin(run_result *r, long fsize_limit, const char *bin, va_list ap)
{
    const char *argv[10] = {bin};
    for (int i = 1; i < 9; i++) {
        argv[i] = va_arg(ap, const char *);
        if (!argv[i]) break;
    }
    argv[9] = NULL;
    run_argv(r, fsize_limit, bin, argv);
}

static void run(run_result *r, long fsize_limit, ...)
{
    va_list ap;
    va_start(ap, fsize_limit);
    run_bin(r, fsize_limit, fp_bin, ap);
    va_end(ap);
}

static void run_fpbench(run_result *r, ...)
{
    va_list ap;
    va_start(ap, r);
    run_bin(r, 0, fpbench_bin, ap);
    va_end(ap);
}

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static void expect_err(const run_result *r, int status, const char *needle)
{
    if (r->status != status || !strstr(r->err, needle))
        fail_msg("exit %d (want %d), stderr: %s (want \"%s\")", r->status, status, r->err, needle);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static int have_datasets(void)
{
    if (access(FVC_IMAGE, R_OK) == 0 && access(FVC_MATE, R_OK) == 0) return 1;
    fprintf(stderr, "skipped: %s not found (the public data sets are not beside the project)\n", FVC_IMAGE);
    return 0;
}

static void test_file_errors_name_their_cause(void **state)
{
    (void)state;
    run_result r;
    char p[128], q[128];
    run(&r, 0, "compare", "/nonexistent/a.fpt", "/nonexistent/b.fpt", NULL);
    expect_err(&r, 1, "No such file or directory");
    run(&r, 0, "compare", dir, dir, NULL);
    expect_err(&r, 1, "Is a directory");
    run(&r, 0, "extract", dir, NULL);
    expect_err(&r, 1, "Is a directory");
    if (geteuid() != 0) {
        path_in(p, sizeof p, "unreadable.fpt");
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        fputs("x", f);
        fclose(f);
        assert_int_equal(chmod(p, 0), 0);
        run(&r, 0, "compare", p, p, NULL);
        expect_err(&r, 1, "Permission denied");
    } else {
        fprintf(stderr, "permission case skipped: running as root, which reads any file\n");
    }
    /* A device of zeros is refused on its first bytes, not read whole. */
    run(&r, 0, "extract", "/dev/zero", NULL);
    expect_err(&r, 1, "unrecognised file format");
    /* A file over the template limit that is no image says so. */
    path_in(p, sizeof p, "big.bin");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 2 << 20), 0);
    fclose(f);
    path_in(q, sizeof q, "none.fpt");
    run(&r, 0, "compare", p, q, NULL);
    expect_err(&r, 1, "too large for a template");
}

static void test_dpi_option(void **state)
{
    (void)state;
    run_result r;
    static const char *bad[] = {"abc", "4294967796", "500x", "-500", "249", "1001", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run(&r, 0, "extract", "/nonexistent.png", "--dpi", bad[i], NULL);
        expect_err(&r, 2, "--dpi: expected a whole number");
        run(&r, 0, "compare", "a", "b", "--dpi", bad[i], NULL);
        expect_err(&r, 2, "--dpi: expected a whole number");
    }
}

/* Writes img's pixels as a TIFF stating dpi. */
static void write_tiff(const char *path, const fp_io_image *img, uint32_t dpi)
{
    TIFF *t = TIFFOpen(path, "w");
    assert_non_null(t);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, img->width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, img->height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, img->height);
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(t, TIFFTAG_XRESOLUTION, (float)dpi);
    TIFFSetField(t, TIFFTAG_YRESOLUTION, (float)dpi);
    for (uint32_t y = 0; y < img->height; y++)
        assert_true(TIFFWriteScanline(t, img->pixels + (size_t)y * img->width, y, 0) >= 0);
    TIFFClose(t);
}

/* img at twice the resolution (each pixel interpolated from its neighbours). */
static fp_io_image upscale2(const fp_io_image *img)
{
    fp_io_image up = {malloc((size_t)img->width * img->height * 4), img->width * 2, img->height * 2, 0, FP_IO_PNG};
    assert_non_null(up.pixels);
    for (uint32_t y = 0; y < up.height; y++)
        for (uint32_t x = 0; x < up.width; x++) {
            const uint32_t x0 = x / 2, y0 = y / 2, x1 = x0 + 1 < img->width ? x0 + 1 : x0,
                           y1 = y0 + 1 < img->height ? y0 + 1 : y0;
            const uint32_t fx = x & 1, fy = y & 1;
            const uint8_t *s = img->pixels;
            const uint32_t w = img->width;
            uint32_t v = s[y0 * w + x0] * (2 - fx) * (2 - fy) + s[y0 * w + x1] * fx * (2 - fy) +
                         s[y1 * w + x0] * (2 - fx) * fy + s[y1 * w + x1] * fx * fy;
            up.pixels[(size_t)y * up.width + x] = (uint8_t)((v + 2) / 4);
        }
    return up;
}

static double score_of(const run_result *r)
{
    double s = -1;
    if (r->status != 0 || sscanf(r->out, "score %lf", &s) != 1) fail_msg("compare failed: %d %s %s", r->status, r->out, r->err);
    return s;
}

/*
 * Images are compared at the resolution their files state: a 1000 dpi
 * copy of a print against its 500 dpi mate scores as the two extracted
 * templates do, in PNG and TIFF alike; implausible tags are refused with
 * the value named, placeholders taken as 500 dpi and said so.
 */
static void test_compare_honours_resolution(void **state)
{
    (void)state;
    if (!have_datasets()) {
        skip();
        return;
    }
    fp_io_image a, b;
    assert_int_equal(fp_io_load(FVC_IMAGE, &a), FP_OK);
    assert_int_equal(fp_io_load(FVC_MATE, &b), FP_OK);
    fp_io_image big = upscale2(&a);
    char a500[128], b1000[128], b1000t[128], t1[128], t2[128], odd[128];
    path_in(a500, sizeof a500, "mate-500.png");
    path_in(b1000, sizeof b1000, "print-1000.png");
    path_in(b1000t, sizeof b1000t, "print-1000.tif");
    assert_int_equal(fp_io_write_png_gray(a500, b.pixels, b.width, b.height, b.width, 500), FP_OK);
    assert_int_equal(fp_io_write_png_gray(b1000, big.pixels, big.width, big.height, big.width, 1000), FP_OK);
    write_tiff(b1000t, &big, 1000);
    run_result r;
    run(&r, 0, "compare", b1000, a500, NULL);
    const double direct = score_of(&r);
    assert_non_null(strstr(r.err, "1000 dpi, from the file's resolution tag"));
    run(&r, 0, "compare", b1000t, a500, NULL);
    assert_true(score_of(&r) == direct);
    path_in(t1, sizeof t1, "print.fpt");
    path_in(t2, sizeof t2, "mate.fpt");
    run(&r, 0, "extract", b1000, "-o", t1, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1000 dpi"));
    run(&r, 0, "extract", a500, "-o", t2, NULL);
    assert_int_equal(r.status, 0);
    run(&r, 0, "compare", t1, t2, NULL);
    assert_true(score_of(&r) == direct);
    assert_true(direct > 40); /* the same finger, well above FMR 1/10000 */

    /* Tags the engine does not process are refused, naming the value;
     * --dpi overrides them; placeholders are taken as 500 dpi. */
    path_in(odd, sizeof odd, "odd.png");
    static const uint32_t refused[] = {100, 2000};
    for (size_t i = 0; i < 2; i++) {
        char want[64];
        snprintf(want, sizeof want, "the file states %u dpi", refused[i]);
        assert_int_equal(fp_io_write_png_gray(odd, a.pixels, a.width, a.height, a.width, refused[i]), FP_OK);
        run(&r, 0, "compare", odd, a500, NULL);
        expect_err(&r, 1, want);
        run(&r, 0, "extract", odd, NULL);
        expect_err(&r, 1, want);
        run(&r, 0, "extract", odd, "--dpi", "500", NULL);
        assert_int_equal(r.status, 0);
    }
    assert_int_equal(fp_io_write_png_gray(odd, a.pixels, a.width, a.height, a.width, 72), FP_OK);
    run(&r, 0, "extract", odd, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "placeholder; taken as 500 dpi"));
    fp_io_image_free(&big);
    fp_io_image_free(&a);
    fp_io_image_free(&b);
}

/* A failed write leaves neither an empty nor a partial file, and an older
 * output at the same path intact; a failed --debug write fails the run. */
static void test_failed_writes(void **state)
{
    (void)state;
    if (!have_datasets()) {
        skip();
        return;
    }
    char out[128], json[128], blocker[128], dbg[160];
    path_in(out, sizeof out, "w.fpt");
    path_in(json, sizeof json, "w.json");
    run_result r;
    run(&r, 0, "extract", FVC_IMAGE, "-o", out, NULL);
    assert_int_equal(r.status, 0);
    const long good = file_size(out);
    assert_true(good > 100);
    /* Files may grow to 64 bytes: the template (over 100) cannot be written. */
    run(&r, 64, "extract", FVC_IMAGE, "-o", out, "--format", "iso", NULL);
    expect_err(&r, 1, "File too large");
    assert_int_equal(file_size(out), good);
    run(&r, 64, "extract", FVC_IMAGE, "--json", json, NULL);
    expect_err(&r, 1, "File too large");
    assert_int_equal(file_size(json), -1);
    /* No stray temporary files either. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c 'w\\.\\(fpt\\|json\\)\\.' >/dev/null", dir);
    assert_int_not_equal(system(cmd), 0);
    path_in(blocker, sizeof blocker, "blocker");
    FILE *f = fopen(blocker, "wb");
    assert_non_null(f);
    fclose(f);
    snprintf(dbg, sizeof dbg, "%s/debug", blocker);
    run(&r, 0, "extract", FVC_IMAGE, "--debug", dbg, NULL);
    expect_err(&r, 1, "debug images in");
}

/* The 2004 ANSI sample says "020" where ISO says " 20": the ISO reader
 * refuses its version, the ANSI reader takes it. */
static void test_convert_ansi_2004(void **state)
{
    (void)state;
    const char *in = DATASETS "/template-test-vectors/fingerprintio-java/ansi378v2004-sample.dat";
    if (access(in, R_OK) != 0) {
        fprintf(stderr, "skipped: %s not found\n", in);
        skip();
        return;
    }
    char out[128];
    path_in(out, sizeof out, "ansi.fpt");
    run_result r;
    run(&r, 0, "convert", in, out, "--to", "native", NULL);
    if (r.status != 0) fail_msg("convert: %s", r.err);
    assert_true(file_size(out) > 20);
    /* Garbage names every reader's reason. */
    char junk[128];
    path_in(junk, sizeof junk, "junk.bin");
    FILE *f = fopen(junk, "wb");
    assert_non_null(f);
    fputs("FMR\0garbage", f);
    fclose(f);
    run(&r, 0, "convert", junk, out, "--to", "iso", NULL);
    expect_err(&r, 1, "native:");
    assert_non_null(strstr(r.err, "ISO 19794-2:"));
    assert_non_null(strstr(r.err, "ANSI 378:"));
}

/* Writes a set in FVC layout of 2 fingers x 2 impressions, copies of img,
 * with dpi.txt holding dpi when it is not 0. */
static void write_set(const char *set, const fp_io_image *img, uint32_t dpi)
{
    assert_int_equal(mkdir(set, 0755), 0);
    char p[256];
    for (int f = 1; f <= 2; f++)
        for (int i = 1; i <= 2; i++) {
            snprintf(p, sizeof p, "%s/%d_%d.png", set, f, i);
            assert_int_equal(fp_io_write_png_gray(p, img->pixels, img->width, img->height, img->width, 0), FP_OK);
        }
    if (dpi) {
        snprintf(p, sizeof p, "%s/dpi.txt", set);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fprintf(f, "%u\n", dpi);
        fclose(f);
    }
}

/*
 * fpbench accuracy never reports a figure it did not measure: a set stated
 * at a resolution the engine refuses is skipped with the reason, a set in
 * which no sample enrols gives no EER, and when nothing at all was
 * measured the run fails.
 */
static void test_fpbench_accuracy_refuses_unmeasured(void **state)
{
    (void)state;
    fp_io_image blank = {malloc(300 * 300), 300, 300, 0, FP_IO_PNG};
    assert_non_null(blank.pixels);
    memset(blank.pixels, 230, 300 * 300);
    char hi[128], empty[128];
    path_in(hi, sizeof hi, "set-2000dpi");
    path_in(empty, sizeof empty, "set-blank");
    write_set(hi, &blank, 2000);
    write_set(empty, &blank, 0);
    run_result r;
    run_fpbench(&r, "accuracy", hi, NULL);
    expect_err(&r, 1, "2000 dpi");
    assert_non_null(strstr(r.err, "nothing measured"));
    assert_null(strstr(r.out, "50.00"));
    run_fpbench(&r, "accuracy", empty, NULL);
    expect_err(&r, 1, "no sample enrolled");
    assert_non_null(strstr(r.err, "4 of 4 samples not enrolled"));
    fp_io_image_free(&blank);
    if (!have_datasets()) return;
    /* A real set beside them is still measured, and the run says which
     * set failed. */
    char real[128];
    path_in(real, sizeof real, "set-real");
    fp_io_image a;
    assert_int_equal(fp_io_load(FVC_IMAGE, &a), FP_OK);
    write_set(real, &a, 500);
    fp_io_image_free(&a);
    run_fpbench(&r, "accuracy", real, hi, "--protocol", "all-pairs", NULL);
    expect_err(&r, 1, "2000 dpi");
    assert_null(strstr(r.err, "nothing measured"));
    assert_non_null(strstr(r.out, "set-real"));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fp_cli_XXXXXX");
    if (!mkdtemp(dir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_errors_name_their_cause),
        cmocka_unit_test(test_dpi_option),
        cmocka_unit_test(test_compare_honours_resolution),
        cmocka_unit_test(test_failed_writes),
        cmocka_unit_test(test_convert_ansi_2004),
        cmocka_unit_test(test_fpbench_accuracy_refuses_unmeasured),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
