/*
 * Accuracy gate: fails when the engine's mean all-pairs EER regresses
 * beyond a margin, on the six public FVC B sets as they are and with every
 * image plastically distorted by 24 px (fpbench accuracy --distort,
 * bench/src/distort.h) or rendered with dry and wet skin (--skin,
 * bench/src/skin.h), and on three small sets of the generator's hard
 * presets. Runs the build's own fpbench and fpsynth (FPBENCH_BIN,
 * FPSYNTH_BIN) and reads fpbench's JSON report. The shared-set cases are
 * skipped with a message when ../shared/datasets is absent.
 *
 * The bounds are today's figures plus a margin of about two genuine
 * comparisons per set (docs/matcher.md, "Tuning discipline"): a change
 * that moves one set by a comparison passes, a real regression does not.
 * The distorted bound is below what the matcher gave before its elastic
 * pass (6.44 %), so losing the distortion tolerance fails here; the
 * shared-set bounds were 1.45 / 5.95 % before the compared minutiae
 * widened on clear prints (1.31 / 5.65 % then, 1.21 / 5.48 % after), and
 * 1.35 / 5.75 % before unclear minutiae weighed less in the score
 * (1.14 / 5.32 % after), and 1.28 / 5.6 % before the elastic pass's pairs
 * counted 5/8 and it ran a second time (1.15 / 5.00 % after), and
 * 1.28 / 5.3 % before the paired minutiae's edge votes and the near
 * misses shifted the pair count (1.15 / 4.74 % after), and 1.27 / 5.05 %
 * before the compared minutiae widened from quality 70 with seeds among
 * the first 38 (1.09 / 4.72 % after).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATASETS FP_SOURCE_DIR "/../shared/datasets"

static const char *const sets[] = {"FVC2002/DB1_B", "FVC2002/DB2_B", "FVC2002/DB3_B",
                                   "FVC2002/DB4_B", "FVC2000/DB1_B", "FVC2000/DB2_B"};
#define NSETS (sizeof sets / sizeof sets[0])

/* Runs fpbench accuracy on the folders in dirs (a space-separated,
 * quoted list) and returns the mean all-pairs EER (percent) of the n sets;
 * each set's EER in eer[]. */
static double run_accuracy_on(const char *dirs, size_t nsets, const char *extra, double *eer)
{
    char json[] = "/tmp/fp_gate_XXXXXX";
    int fd = mkstemp(json);
    assert_true(fd >= 0);
    close(fd);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' accuracy %s --protocol all-pairs %s --json %s >/dev/null", FPBENCH_BIN, dirs, extra,
             json);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(json, "rb");
    assert_non_null(f);
    static char text[1 << 22];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    unlink(json);
    text[len] = 0;
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(root), (int)nsets);
    double sum = 0;
    for (int i = 0; i < (int)nsets; i++) {
        const cJSON *r = cJSON_GetArrayItem(root, i);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "eer");
        assert_true(cJSON_IsNumber(e));
        eer[i] = 100.0 * e->valuedouble;
        sum += eer[i];
    }
    cJSON_Delete(root);
    return sum / (double)nsets;
}

/* The six shared sets. */
static double run_accuracy(const char *extra, double *eer)
{
    char dirs[2048];
    int n = 0;
    for (size_t i = 0; i < NSETS; i++) n += snprintf(dirs + n, sizeof dirs - (size_t)n, " '%s/%s'", DATASETS, sets[i]);
    return run_accuracy_on(dirs, NSETS, extra, eer);
}

static void gate(const char *name, const char *extra, double bound)
{
    double eer[NSETS];
    const double mean = run_accuracy(extra, eer);
    fprintf(stderr, "%s: mean all-pairs EER %.3f %% (bound %.2f %%):", name, mean, bound);
    for (size_t i = 0; i < NSETS; i++) fprintf(stderr, " %.2f", eer[i]);
    fprintf(stderr, "\n");
    if (mean > bound) fail_msg("%s: mean EER %.3f %% above the gate %.2f %%", name, mean, bound);
}

static int have_sets(void)
{
    for (size_t i = 0; i < NSETS; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", DATASETS, sets[i]);
        if (access(p, R_OK) != 0) {
            fprintf(stderr, "skipped: %s not found (the public data sets are not beside the project)\n", p);
            return 0;
        }
    }
    return 1;
}

static void test_shared_sets(void **state)
{
    (void)state;
    if (!have_sets()) {
        skip();
        return;
    }
    gate("six FVC B sets", "", 1.21);
}

static void test_shared_sets_distorted(void **state)
{
    (void)state;
    if (!have_sets()) {
        skip();
        return;
    }
    gate("six FVC B sets distorted 24 px", "--distort 24", 5.0);
}

/*
 * Dry and wet skin rendered on the same six sets (fpbench accuracy --skin,
 * bench/src/skin.h; each impression normal, dry or wet, seed 1): extraction
 * on such prints on real ridge structure, where the impostors stay real.
 * Today 3.65 % (0.47 / 1.41 / 7.11 / 5.30 / 1.62 / 6.00; 3.85 % before
 * the compared minutiae widened from quality 70, 4.04 % before the edge
 * votes and near misses shifted the pair count, 4.19 % before unclear
 * minutiae weighed less in the score); the noise between skin seeds is
 * large (seed 2: 3.46 % before), so the margin is wider than above.
 */
static void test_shared_sets_skin(void **state)
{
    (void)state;
    if (!have_sets()) {
        skip();
        return;
    }
    gate("six FVC B sets with dry and wet skin", "--skin 1 --skin-seed 1", 4.05);
}

/*
 * The generator's hard presets (docs/realism.md section 4), small: 12
 * fingers x 8 impressions, seed 2 (held out for every matcher choice), of
 * the 328 x 364 profile and of the 640 x 480 one (large prints with more
 * than FP_MATCH_MINUTIAE clear minutiae). Today: strong distortion 0.75 %,
 * dry/wet 2.37 %, large with strong distortion 0.87 % (0.88 / 2.96 / 1.47 %
 * before the widening from quality 70 with seeds among the first 38);
 * before the compared minutiae widened on clear prints 3.21 / 5.00 /
 * 4.14 %, before the elastic pass 3.86 / 5.35 % (small). One genuine
 * comparison of 336 is 0.3 points, so the margin is about two to three.
 */
static void test_hard_synthetic(void **state)
{
    (void)state;
    static const struct {
        const char *profile, *difficulty;
        double bound;
    } hard[] = {{"optical-small", "hard-distortion", 1.7},
                {"optical-small", "hard-drywet", 3.4},
                {"optical-large", "hard-distortion", 1.8}};
    char root[] = "/tmp/fp_gate_synth_XXXXXX";
    assert_non_null(mkdtemp(root));
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        char cmd[1024], dir[256];
        snprintf(dir, sizeof dir, "'%s/%s-%s'", root, hard[i].profile, hard[i].difficulty);
        snprintf(cmd, sizeof cmd,
                 "'%s' --out %s --fingers 12 --impressions 8 --seed 2 --profile %s --difficulty %s "
                 "--threads 2 >/dev/null",
                 FPSYNTH_BIN, dir, hard[i].profile, hard[i].difficulty);
        assert_int_equal(system(cmd), 0);
        double eer;
        run_accuracy_on(dir, 1, "", &eer);
        fprintf(stderr, "%s %s (12 fingers x 8, seed 2): all-pairs EER %.2f %% (bound %.1f %%)\n", hard[i].profile,
                hard[i].difficulty, eer, hard[i].bound);
        if (eer > hard[i].bound)
            fail_msg("%s %s: EER %.2f %% above the gate %.1f %%", hard[i].profile, hard[i].difficulty, eer,
                     hard[i].bound);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_sets),
        cmocka_unit_test(test_shared_sets_distorted),
        cmocka_unit_test(test_shared_sets_skin),
        cmocka_unit_test(test_hard_synthetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
