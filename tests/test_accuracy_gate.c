/*
 * Accuracy gate: fails when the engine's mean all-pairs EER regresses
 * beyond a margin, on the six public FVC B sets as they are and with every
 * image plastically distorted by 24 px (fpbench accuracy --distort,
 * bench/src/distort.h). Runs the build's own fpbench (FPBENCH_BIN) and
 * reads its JSON report. Skipped with a message when ../shared/datasets is
 * absent.
 *
 * The bounds are today's figures plus a margin of about two genuine
 * comparisons per set (docs/matcher.md, "Tuning discipline"): a change
 * that moves one set by a comparison passes, a real regression does not.
 * The distorted bound is below what the matcher gave before its elastic
 * pass (6.44 %), so losing the distortion tolerance fails here.
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

/* Mean all-pairs EER (percent) of the six sets; each set's EER in eer[]. */
static double run_accuracy(const char *extra, double *eer)
{
    char json[] = "/tmp/fp_gate_XXXXXX";
    int fd = mkstemp(json);
    assert_true(fd >= 0);
    close(fd);
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd, "'%s' accuracy", FPBENCH_BIN);
    for (size_t i = 0; i < NSETS; i++) n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s/%s'", DATASETS, sets[i]);
    snprintf(cmd + n, sizeof cmd - (size_t)n, " --protocol all-pairs %s --json %s >/dev/null", extra, json);
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
    assert_int_equal(cJSON_GetArraySize(root), (int)NSETS);
    double sum = 0;
    for (int i = 0; i < (int)NSETS; i++) {
        const cJSON *r = cJSON_GetArrayItem(root, i);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "eer");
        assert_true(cJSON_IsNumber(e));
        eer[i] = 100.0 * e->valuedouble;
        sum += eer[i];
    }
    cJSON_Delete(root);
    return sum / (double)NSETS;
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
    gate("six FVC B sets", "", 1.45);
}

static void test_shared_sets_distorted(void **state)
{
    (void)state;
    if (!have_sets()) {
        skip();
        return;
    }
    gate("six FVC B sets distorted 24 px", "--distort 24", 5.95);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_sets),
        cmocka_unit_test(test_shared_sets_distorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
