/* Dataset loaders: layouts, detection, error reports and protocol pairs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fp/dataset.h"

#ifndef FP_SOURCE_DIR
#define FP_SOURCE_DIR "."
#endif
#define SHARED FP_SOURCE_DIR "/../shared/datasets"

/* ------------------------------------------------------------------------ */
/* Temporary folders                                                        */
/* ------------------------------------------------------------------------ */

typedef struct tmp {
    char root[64];
} tmp;

static int setup_tmp(void **state)
{
    tmp *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->root, sizeof t->root, "/tmp/fpds-XXXXXX");
    if (!mkdtemp(t->root)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static void remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
                char child[1024];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown_tmp(void **state)
{
    tmp *t = *state;
    remove_tree(t->root);
    free(t);
    return 0;
}

/* root/rel, in a static-free caller buffer. */
static const char *at(const tmp *t, const char *rel, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", t->root, rel);
    return buf;
}

/* Creates root/rel with the given content, making the folders on the way. */
static void put(const tmp *t, const char *rel, const char *content)
{
    char path[1024];
    at(t, rel, path, sizeof path);
    for (char *p = path + strlen(t->root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
            *p = '/';
        }
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (content) fputs(content, f);
    fclose(f);
}

static void touch(const tmp *t, const char *rel)
{
    put(t, rel, NULL);
}

static void mkdir_in(const tmp *t, const char *rel)
{
    char path[1024];
    assert_int_equal(mkdir(at(t, rel, path, sizeof path), 0700), 0);
}

/* Opens root/rel (rel may be "") expecting status; returns the handle. */
static fp_dataset *open_rel(const tmp *t, const char *rel, fp_dataset_layout layout, fp_status expect)
{
    char path[1024];
    if (rel[0])
        at(t, rel, path, sizeof path);
    else
        snprintf(path, sizeof path, "%s", t->root);
    fp_dataset *ds = NULL;
    fp_status st = fp_dataset_open(path, layout, &ds);
    if (st != expect) {
        print_error("open %s: %s (%s), expected %s\n", path, fp_status_name(st), fp_dataset_error_detail(ds),
                    fp_status_name(expect));
    }
    assert_int_equal(st, expect);
    assert_non_null(ds);
    return ds;
}

/* Opening must fail with status and a detail containing every given piece. */
static void expect_failure(const tmp *t, const char *rel, fp_dataset_layout layout, fp_status status, const char *piece1,
                           const char *piece2)
{
    fp_dataset *ds = open_rel(t, rel, layout, status);
    const char *detail = fp_dataset_error_detail(ds);
    if ((piece1 && !strstr(detail, piece1)) || (piece2 && !strstr(detail, piece2)))
        print_error("detail \"%s\" lacks \"%s\" / \"%s\"\n", detail, piece1 ? piece1 : "", piece2 ? piece2 : "");
    if (piece1) assert_non_null(strstr(detail, piece1));
    if (piece2) assert_non_null(strstr(detail, piece2));
    assert_int_equal(fp_dataset_count(ds), 0);
    assert_null(fp_dataset_sample(ds, 0));
    fp_dataset_destroy(ds);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ------------------------------------------------------------------------ */
/* Pair checking against a brute-force enumeration                          */
/* ------------------------------------------------------------------------ */

static int same_finger(const fp_sample *a, const fp_sample *b)
{
    return a->subject == b->subject && a->finger == b->finger;
}

/* Lowest impression among the samples of the finger of s. */
static uint32_t first_impression(const fp_dataset *ds, const fp_sample *s)
{
    uint32_t lo = UINT32_MAX;
    for (size_t i = 0; i < fp_dataset_count(ds); i++) {
        const fp_sample *o = fp_dataset_sample(ds, i);
        if (same_finger(o, s) && o->impression < lo) lo = o->impression;
    }
    return lo;
}

/* Checks both protocols on ds: every expected pair present once, in order, nothing else. */
static void check_pairs(const fp_dataset *ds)
{
    size_t n = fp_dataset_count(ds);
    for (int proto = 0; proto < 2; proto++) {
        fp_pair *gen = NULL, *imp = NULL;
        size_t ng = 99, ni = 99;
        assert_int_equal(fp_dataset_pairs(ds, (fp_protocol)proto, &gen, &ng, &imp, &ni), FP_OK);
        size_t kg = 0, ki = 0;
        for (size_t a = 0; a < n; a++) {
            const fp_sample *sa = fp_dataset_sample(ds, a);
            for (size_t b = a + 1; b < n; b++) {
                const fp_sample *sb = fp_dataset_sample(ds, b);
                if (same_finger(sa, sb)) {
                    assert_true(kg < ng);
                    assert_int_equal(gen[kg].a, a);
                    assert_int_equal(gen[kg].b, b);
                    kg++;
                } else if (proto == FP_PROTOCOL_ALL_PAIRS ||
                           (sa->impression == first_impression(ds, sa) && sb->impression == first_impression(ds, sb))) {
                    assert_true(ki < ni);
                    assert_int_equal(imp[ki].a, a);
                    assert_int_equal(imp[ki].b, b);
                    ki++;
                }
            }
        }
        assert_int_equal(kg, ng);
        assert_int_equal(ki, ni);
        /* Counting only gives the same numbers. */
        size_t cg = 0, ci = 0;
        assert_int_equal(fp_dataset_pairs(ds, (fp_protocol)proto, NULL, &cg, NULL, &ci), FP_OK);
        assert_int_equal(cg, ng);
        assert_int_equal(ci, ni);
        free(gen);
        free(imp);
    }
}

/* ------------------------------------------------------------------------ */
/* Real FVC sets                                                            */
/* ------------------------------------------------------------------------ */

static int have_dir(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return 1;
    print_message("skipping: %s is absent\n", path);
    return 0;
}

static void check_fvc_b(const char *path, const char *name, uint32_t dpi)
{
    fp_dataset *ds = NULL;
    fp_status st = fp_dataset_open(path, FP_LAYOUT_AUTO, &ds);
    if (st != FP_OK) print_error("%s: %s\n", path, fp_dataset_error_detail(ds));
    assert_int_equal(st, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_FVC);
    assert_string_equal(fp_dataset_name(ds), name);
    assert_string_equal(fp_dataset_path(ds), path);
    assert_string_equal(fp_dataset_error_detail(ds), "");
    assert_int_equal(fp_dataset_default_dpi(ds), dpi);
    assert_int_equal(fp_dataset_count(ds), 80);
    assert_int_equal(fp_dataset_finger_count(ds), 10);
    size_t singles = 7;
    assert_null(fp_dataset_single_impression_samples(ds, &singles));
    assert_int_equal(singles, 0);
    for (size_t i = 0; i < 80; i++) {
        const fp_sample *s = fp_dataset_sample(ds, i);
        assert_int_equal(s->subject, 101 + i / 8);
        assert_int_equal(s->finger, 0);
        assert_int_equal(s->impression, 1 + i % 8);
        assert_int_equal(s->dpi, dpi);
        assert_int_equal(s->flags, 0);
        char tail[32];
        snprintf(tail, sizeof tail, "/%u_%u.tif", s->subject, s->impression);
        assert_true(ends_with(s->path, tail));
        assert_int_equal(access(s->path, R_OK), 0);
    }
    assert_null(fp_dataset_sample(ds, 80));

    fp_pair *gen = NULL, *imp = NULL;
    size_t ng = 0, ni = 0;
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_FVC, &gen, &ng, &imp, &ni), FP_OK);
    assert_int_equal(ng, 280);
    assert_int_equal(ni, 45);
    for (size_t k = 0; k < ni; k++) {
        assert_int_equal(fp_dataset_sample(ds, imp[k].a)->impression, 1);
        assert_int_equal(fp_dataset_sample(ds, imp[k].b)->impression, 1);
    }
    free(gen);
    free(imp);
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_ALL_PAIRS, NULL, &ng, NULL, &ni), FP_OK);
    assert_int_equal(ng, 280);
    /* 80 samples x 72 samples of other fingers / 2 (not 80 x 70 / 2). */
    assert_int_equal(ni, 2880);
    check_pairs(ds);
    fp_dataset_destroy(ds);
}

static void test_fvc_real_sets(void **state)
{
    (void)state;
    if (!have_dir(SHARED "/FVC2002/DB1_B")) skip();
    check_fvc_b(SHARED "/FVC2002/DB1_B", "FVC2002/DB1_B", 500);
    check_fvc_b(SHARED "/FVC2002/DB2_B", "FVC2002/DB2_B", 569);
    check_fvc_b(SHARED "/FVC2002/DB3_B/", "FVC2002/DB3_B", 500);
    if (have_dir(SHARED "/FVC2000/DB2_B")) check_fvc_b(SHARED "/FVC2000/DB2_B", "FVC2000/DB2_B", 500);

    /* The parent of the sub-databases is refused with their names. */
    fp_dataset *ds = NULL;
    assert_int_equal(fp_dataset_open(SHARED "/FVC2002", FP_LAYOUT_FVC, &ds), FP_ERR_FILE_FORMAT);
    assert_non_null(strstr(fp_dataset_error_detail(ds), "several sets: DB1_B, DB2_B, DB3_B, DB4_B; pass one"));
    fp_dataset_destroy(ds);
    ds = NULL;
    assert_int_equal(fp_dataset_open(SHARED "/FVC2002", FP_LAYOUT_AUTO, &ds), FP_ERR_FILE_FORMAT);
    assert_non_null(strstr(fp_dataset_error_detail(ds), "several sets"));
    fp_dataset_destroy(ds);
}

/* ------------------------------------------------------------------------ */
/* FVC in temporary folders                                                 */
/* ------------------------------------------------------------------------ */

static void test_fvc_synthetic(void **state)
{
    tmp *t = *state;
    const char *names[] = {"10_1.tif", "10_2.TIF", "9_2.png", "9_1.tiff", "9_3.pgm", "11_1.bmp", "README.txt",
                           "SHA256SUMS", "index.json", "disc.iso", ".DS_Store", "._10_1.tif", "notes.md"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) touch(t, names[i]);
    mkdir_in(t, "previews"); /* a subfolder without a set is ignored */

    fp_dataset *ds = open_rel(t, "", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_FVC);
    assert_int_equal(fp_dataset_count(ds), 6);
    assert_int_equal(fp_dataset_finger_count(ds), 3);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    /* Numeric order, not name order: 9 before 10 before 11. */
    const uint32_t subj[] = {9, 9, 9, 10, 10, 11}, imp[] = {1, 2, 3, 1, 2, 1};
    const char *tails[] = {"/9_1.tiff", "/9_2.png", "/9_3.pgm", "/10_1.tif", "/10_2.TIF", "/11_1.bmp"};
    for (size_t i = 0; i < 6; i++) {
        const fp_sample *s = fp_dataset_sample(ds, i);
        assert_int_equal(s->subject, subj[i]);
        assert_int_equal(s->impression, imp[i]);
        assert_true(ends_with(s->path, tails[i]));
        assert_non_null(strstr(s->path, t->root));
    }
    /* Finger 11 has one impression: allowed and reported. */
    size_t n_single = 0;
    const size_t *single = fp_dataset_single_impression_samples(ds, &n_single);
    assert_int_equal(n_single, 1);
    assert_int_equal(single[0], 5);

    size_t ng, ni;
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_FVC, NULL, &ng, NULL, &ni), FP_OK);
    assert_int_equal(ng, 3 + 1);
    assert_int_equal(ni, 3);
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_ALL_PAIRS, NULL, &ng, NULL, &ni), FP_OK);
    assert_int_equal(ni, 15 - 4);
    check_pairs(ds);
    fp_dataset_destroy(ds);

    /* dpi.txt overrides the resolution. */
    put(t, "dpi.txt", " 1000\n");
    ds = open_rel(t, "", FP_LAYOUT_FVC, FP_OK);
    assert_int_equal(fp_dataset_default_dpi(ds), 1000);
    assert_int_equal(fp_dataset_sample(ds, 0)->dpi, 1000);
    fp_dataset_destroy(ds);
    put(t, "dpi.txt", "500 dpi\n");
    expect_failure(t, "", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "dpi.txt", "one integer");
    put(t, "dpi.txt", "20\n");
    expect_failure(t, "", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "dpi.txt", NULL);
}

static void test_fvc_resolution_from_path(void **state)
{
    tmp *t = *state;
    touch(t, "fvc2002/DB2_A/1_1.tif");
    touch(t, "FVC2002/DB1_A/1_1.tif");
    touch(t, "FVC2004/DB2_A/1_1.tif");
    fp_dataset *ds = open_rel(t, "fvc2002/DB2_A", FP_LAYOUT_FVC, FP_OK);
    assert_int_equal(fp_dataset_default_dpi(ds), 569);
    assert_string_equal(fp_dataset_name(ds), "fvc2002/DB2_A");
    fp_dataset_destroy(ds);
    ds = open_rel(t, "FVC2002/DB1_A", FP_LAYOUT_FVC, FP_OK);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    fp_dataset_destroy(ds);
    ds = open_rel(t, "FVC2004/DB2_A", FP_LAYOUT_FVC, FP_OK);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    fp_dataset_destroy(ds);
    /* One sub-database: the message names it. */
    expect_failure(t, "FVC2004", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "subfolder DB2_A", NULL);
}

static void test_fvc_errors(void **state)
{
    tmp *t = *state;
    touch(t, "a/101_1.tif");
    touch(t, "a/101_x.tif");
    expect_failure(t, "a", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "a/101_x.tif", "<finger>_<impression>");

    touch(t, "b/101_1.tif");
    touch(t, "b/101.tif");
    expect_failure(t, "b", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "b/101.tif", "does not match");

    touch(t, "c/101_1.tif");
    touch(t, "c/101_1.png");
    expect_failure(t, "c", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "c/101_1.png and c/101_1.tif", "same sample");

    touch(t, "d/103_1.tif");
    touch(t, "d/103_2.tif");
    touch(t, "d/103_9.tif");
    expect_failure(t, "d", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "d/103_9.tif: impression 9 but finger 103",
                   "no impression 3");

    touch(t, "e/5_0.tif");
    expect_failure(t, "e", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "e/5_0.tif", "from 1");

    touch(t, "f/7_2.tif");
    expect_failure(t, "f", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "no impression 1", NULL);

    touch(t, "g/README.txt");
    expect_failure(t, "g", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "no images", NULL);
    expect_failure(t, "g", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "no fingerprint set recognised", NULL);

    touch(t, "h/1_99999999999.tif"); /* does not fit 32 bits */
    expect_failure(t, "h", FP_LAYOUT_FVC, FP_ERR_FILE_FORMAT, "1_99999999999.tif", NULL);

    expect_failure(t, "missing", FP_LAYOUT_AUTO, FP_ERR_IO, "no such file or folder", NULL);
    expect_failure(t, "a/101_1.tif", FP_LAYOUT_FVC, FP_ERR_IO, "not a folder", NULL);
    expect_failure(t, "a/101_1.tif", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "not a .csv", NULL);
}

/* ------------------------------------------------------------------------ */
/* NIST                                                                     */
/* ------------------------------------------------------------------------ */

static void test_nist(void **state)
{
    tmp *t = *state;
    touch(t, "flat/f0002_05.png");
    touch(t, "flat/s0002_05.png");
    touch(t, "flat/f0001_01.png");
    touch(t, "flat/s0001_01.png");
    touch(t, "flat/f0001_01.txt");
    touch(t, "flat/f0003_10.wsq"); /* partner missing */
    fp_dataset *ds = open_rel(t, "flat", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_NIST_PAIRS);
    assert_int_equal(fp_dataset_count(ds), 5);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    const uint32_t subj[] = {1, 1, 2, 2, 3}, fing[] = {1, 1, 5, 5, 10}, imp[] = {1, 2, 1, 2, 1};
    for (size_t i = 0; i < 5; i++) {
        const fp_sample *s = fp_dataset_sample(ds, i);
        assert_int_equal(s->subject, subj[i]);
        assert_int_equal(s->finger, fing[i]);
        assert_int_equal(s->impression, imp[i]);
        assert_int_equal(s->dpi, 500);
    }
    assert_true(ends_with(fp_dataset_sample(ds, 1)->path, "flat/s0001_01.png"));
    size_t n_single = 0;
    assert_int_equal(fp_dataset_single_impression_samples(ds, &n_single)[0], 4);
    assert_int_equal(n_single, 1);
    check_pairs(ds);
    fp_dataset_destroy(ds);

    /* SD4 tree: figs_0 .. figs_n subfolders, plus other folders that are ignored. */
    touch(t, "sd4/figs_0/f0001_01.png");
    touch(t, "sd4/figs_0/s0001_01.png");
    touch(t, "sd4/figs_1/f0251_01.png");
    touch(t, "sd4/figs_1/s0251_01.png");
    touch(t, "sd4/docs/manual.png");
    touch(t, "sd4/README.txt");
    ds = open_rel(t, "sd4", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_NIST_PAIRS);
    assert_int_equal(fp_dataset_count(ds), 4);
    assert_int_equal(fp_dataset_finger_count(ds), 2);
    assert_true(ends_with(fp_dataset_sample(ds, 0)->path, "sd4/figs_0/f0001_01.png"));
    assert_true(ends_with(fp_dataset_sample(ds, 3)->path, "sd4/figs_1/s0251_01.png"));
    assert_int_equal(fp_dataset_sample(ds, 3)->subject, 251);
    size_t ng, ni;
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_FVC, NULL, &ng, NULL, &ni), FP_OK);
    assert_int_equal(ng, 2);
    assert_int_equal(ni, 1);
    fp_dataset_destroy(ds);

    /* SD14 names have no finger suffix. */
    touch(t, "sd14/f0000007.wsq");
    touch(t, "sd14/s0000007.wsq");
    ds = open_rel(t, "sd14", FP_LAYOUT_NIST_PAIRS, FP_OK);
    assert_int_equal(fp_dataset_count(ds), 2);
    assert_int_equal(fp_dataset_sample(ds, 1)->subject, 7);
    assert_int_equal(fp_dataset_sample(ds, 1)->finger, 0);
    assert_int_equal(fp_dataset_sample(ds, 1)->impression, 2);
    fp_dataset_destroy(ds);

    touch(t, "bad/f0001_01.png");
    touch(t, "bad/x0001_01.png");
    expect_failure(t, "bad", FP_LAYOUT_NIST_PAIRS, FP_ERR_FILE_FORMAT, "bad/x0001_01.png", "f<number>");

    touch(t, "dup/figs_0/f0001_01.png");
    touch(t, "dup/figs_1/f0001_01.png");
    expect_failure(t, "dup", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "dup/figs_0/f0001_01.png and dup/figs_1/f0001_01.png",
                   NULL);

    touch(t, "none/README.txt");
    expect_failure(t, "none", FP_LAYOUT_NIST_PAIRS, FP_ERR_FILE_FORMAT, "no images", NULL);
}

/* ------------------------------------------------------------------------ */
/* SOCOFing                                                                 */
/* ------------------------------------------------------------------------ */

static void test_socofing(void **state)
{
    tmp *t = *state;
    touch(t, "S/Real/1__M_Left_index_finger.BMP");
    touch(t, "S/Real/1__M_Right_thumb_finger.BMP");
    touch(t, "S/Real/12__F_Right_little_finger.BMP");
    touch(t, "S/Altered/Altered-Easy/1__M_Left_index_finger_CR.BMP");
    touch(t, "S/Altered/Altered-Medium/1__M_Left_index_finger_Obl.BMP");
    touch(t, "S/Altered/Altered-Hard/1__M_Left_index_finger_Zcut.BMP");
    touch(t, "S/Altered/Altered-Hard/12__F_Right_little_finger_CR.BMP");
    touch(t, "S/Altered/Altered-Easy/Thumbs.db");

    fp_dataset *ds = open_rel(t, "S", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_SOCOFING);
    assert_int_equal(fp_dataset_count(ds), 7);
    assert_int_equal(fp_dataset_finger_count(ds), 3);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    /* subject 1: right thumb (1), left index (7) x {real, easy CR, medium Obl, hard Zcut}; subject 12: right little (5). */
    const uint32_t subj[] = {1, 1, 1, 1, 1, 12, 12}, fing[] = {1, 7, 7, 7, 7, 5, 5}, imp[] = {1, 1, 2, 6, 10, 1, 8};
    const uint32_t kind[] = {FP_ALTER_NONE, FP_ALTER_NONE, FP_ALTER_CR, FP_ALTER_OBL,
                             FP_ALTER_ZCUT, FP_ALTER_NONE, FP_ALTER_CR};
    const uint32_t level[] = {0, 0, FP_ALTER_LEVEL_EASY, FP_ALTER_LEVEL_MEDIUM, FP_ALTER_LEVEL_HARD, 0,
                              FP_ALTER_LEVEL_HARD};
    for (size_t i = 0; i < 7; i++) {
        const fp_sample *s = fp_dataset_sample(ds, i);
        assert_int_equal(s->subject, subj[i]);
        assert_int_equal(s->finger, fing[i]);
        assert_int_equal(s->impression, imp[i]);
        assert_int_equal(FP_SAMPLE_ALTER_KIND(s->flags), kind[i]);
        assert_int_equal(FP_SAMPLE_ALTER_LEVEL(s->flags), level[i]);
        assert_int_equal(FP_SAMPLE_SEX(s->flags), subj[i] == 1 ? FP_SEX_MALE : FP_SEX_FEMALE);
    }
    assert_true(ends_with(fp_dataset_sample(ds, 3)->path, "S/Altered/Altered-Medium/1__M_Left_index_finger_Obl.BMP"));
    check_pairs(ds);
    fp_dataset_destroy(ds);

    touch(t, "R/Real/3__F_Left_ring_finger_CR.BMP");
    expect_failure(t, "R", FP_LAYOUT_SOCOFING, FP_ERR_FILE_FORMAT, "R/Real/3__F_Left_ring_finger_CR.BMP", "Real");
    touch(t, "A/Altered/Altered-Easy/3__F_Left_ring_finger.BMP");
    expect_failure(t, "A", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "Altered-Easy/3__F_Left_ring_finger.BMP", "suffix");
    touch(t, "X/Altered/Altered-Extreme/3__F_Left_ring_finger_CR.BMP");
    expect_failure(t, "X", FP_LAYOUT_SOCOFING, FP_ERR_FILE_FORMAT, "Altered-Extreme", "unknown folder");
    touch(t, "N/Real/3__F_Left_pinky_finger.BMP");
    expect_failure(t, "N", FP_LAYOUT_SOCOFING, FP_ERR_FILE_FORMAT, "N/Real/3__F_Left_pinky_finger.BMP",
                   "does not match");
    touch(t, "Q/Real/3_F_Left_ring_finger.BMP");
    expect_failure(t, "Q", FP_LAYOUT_SOCOFING, FP_ERR_FILE_FORMAT, "3_F_Left_ring_finger.BMP", NULL);
    touch(t, "Z/notes.txt");
    expect_failure(t, "Z", FP_LAYOUT_SOCOFING, FP_ERR_FILE_FORMAT, "no Real/ or Altered/", NULL);
}

/* ------------------------------------------------------------------------ */
/* Manifest                                                                 */
/* ------------------------------------------------------------------------ */

static void test_manifest(void **state)
{
    tmp *t = *state;
    put(t, "m/list.csv",
        "\xEF\xBB\xBFimpression,path,note,finger,subject,dpi\r\n"
        "2,img/a_2.png,x,3,7,500\r\n"
        "\r\n"
        "1, \"img/with, comma.png\" ,\"say \"\"hi\"\"\",3,7,500\r\n"
        "1,/abs/elsewhere.pgm,,0,2,500\r\n"
        "1,\"multi\nline.png\",,0,9, 500 \n");
    fp_dataset *ds = open_rel(t, "m/list.csv", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_MANIFEST);
    assert_string_equal(fp_dataset_name(ds), "list");
    assert_int_equal(fp_dataset_count(ds), 4);
    assert_int_equal(fp_dataset_default_dpi(ds), 500);
    const fp_sample *s = fp_dataset_sample(ds, 0);
    assert_string_equal(s->path, "/abs/elsewhere.pgm");
    assert_int_equal(s->subject, 2);
    s = fp_dataset_sample(ds, 1);
    char expect[1024];
    snprintf(expect, sizeof expect, "%s/m/img/with, comma.png", t->root);
    assert_string_equal(s->path, expect);
    assert_int_equal(s->subject, 7);
    assert_int_equal(s->finger, 3);
    assert_int_equal(s->impression, 1);
    assert_int_equal(s->dpi, 500);
    s = fp_dataset_sample(ds, 2);
    snprintf(expect, sizeof expect, "%s/m/img/a_2.png", t->root);
    assert_string_equal(s->path, expect);
    assert_int_equal(s->impression, 2);
    s = fp_dataset_sample(ds, 3);
    assert_true(ends_with(s->path, "/m/multi\nline.png"));
    assert_int_equal(s->subject, 9);
    check_pairs(ds);
    fp_dataset_destroy(ds);

    /* Without dpi column (and differing dpi) the set's dpi is unknown. */
    put(t, "n/manifest.csv", "path,subject,finger,impression\na.png,1,1,1\nb.png,1,1,2\n");
    ds = open_rel(t, "n", FP_LAYOUT_AUTO, FP_OK); /* folder holding manifest.csv */
    assert_int_equal(fp_dataset_layout_of(ds), FP_LAYOUT_MANIFEST);
    assert_string_equal(fp_dataset_name(ds), "n");
    assert_int_equal(fp_dataset_count(ds), 2);
    assert_int_equal(fp_dataset_default_dpi(ds), 0);
    assert_int_equal(fp_dataset_sample(ds, 1)->dpi, 0);
    fp_dataset_destroy(ds);
    put(t, "d.csv", "path,subject,finger,impression,dpi\na.png,1,1,1,500\nb.png,1,1,2,\n");
    ds = open_rel(t, "d.csv", FP_LAYOUT_MANIFEST, FP_OK);
    assert_int_equal(fp_dataset_default_dpi(ds), 0);
    assert_int_equal(fp_dataset_sample(ds, 0)->dpi, 500);
    assert_int_equal(fp_dataset_sample(ds, 1)->dpi, 0);
    fp_dataset_destroy(ds);
}

static void test_manifest_errors(void **state)
{
    tmp *t = *state;
    put(t, "e1.csv", "path,subject,finger,impression\na.png,1,1,1\n\nb.png,1,x,2\n");
    expect_failure(t, "e1.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e1.csv:4:", "finger 'x'");
    put(t, "e2.csv", "path,subject,finger,impression\na.png,1,1\n");
    expect_failure(t, "e2.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e2.csv:2:", "3 fields");
    put(t, "e3.csv", "path,subject,impression\na.png,1,1\n");
    expect_failure(t, "e3.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e3.csv:1:", "'finger'");
    put(t, "e4.csv", "path,subject,finger,impression\n\"a.png,1,1,1\n");
    expect_failure(t, "e4.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e4.csv:2:", "not closed");
    put(t, "e5.csv", "path,subject,finger,impression\na.png,1,1,1\nb.png,2,1,1\nc.png,1,1,1\n");
    expect_failure(t, "e5.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e5.csv:2 and e5.csv:4", "same sample");
    put(t, "e6.csv", "");
    expect_failure(t, "e6.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "empty manifest", NULL);
    put(t, "e7.csv", "path,subject,finger,impression\n");
    expect_failure(t, "e7.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "no sample rows", NULL);
    put(t, "e8.csv", "path,subject,finger,impression\n\"a\"b,1,1,1\n");
    expect_failure(t, "e8.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e8.csv:2:", "closing quote");
    put(t, "e9.csv", "path,subject,finger,impression\na\"b,1,1,1\n");
    expect_failure(t, "e9.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e9.csv:2:", "quote");
    put(t, "e10.csv", "path,subject,finger,impression\n,1,1,1\n");
    expect_failure(t, "e10.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e10.csv:2:", "empty path");
    put(t, "e11.csv", "path,subject,finger,impression,path\na,1,1,1,b\n");
    expect_failure(t, "e11.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "twice", NULL);
    put(t, "e12.csv", "path,subject,finger,impression\na.png,-1,1,1\n");
    expect_failure(t, "e12.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e12.csv:2:", "subject");
    /* The line number counts the lines inside a quoted field. */
    put(t, "e13.csv", "path,subject,finger,impression\n\"a\nb\",1,1,1\nc,1,1,z\n");
    expect_failure(t, "e13.csv", FP_LAYOUT_AUTO, FP_ERR_FILE_FORMAT, "e13.csv:4:", NULL);
    expect_failure(t, "absent.csv", FP_LAYOUT_MANIFEST, FP_ERR_IO, "absent.csv", NULL);
    mkdir_in(t, "nomanifest");
    expect_failure(t, "nomanifest", FP_LAYOUT_MANIFEST, FP_ERR_IO, "manifest.csv", NULL);
}

/* ------------------------------------------------------------------------ */
/* Arguments and helpers                                                    */
/* ------------------------------------------------------------------------ */

static void test_arguments(void **state)
{
    tmp *t = *state;
    fp_dataset *ds = (fp_dataset *)1;
    assert_int_equal(fp_dataset_open(NULL, FP_LAYOUT_AUTO, &ds), FP_ERR_INVALID_ARGUMENT);
    assert_null(ds);
    assert_int_equal(fp_dataset_open(t->root, FP_LAYOUT_AUTO, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_dataset_open("", FP_LAYOUT_AUTO, &ds), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_dataset_open(t->root, (fp_dataset_layout)42, &ds), FP_ERR_INVALID_ARGUMENT);
    assert_null(ds);

    fp_dataset_destroy(NULL);
    assert_int_equal(fp_dataset_count(NULL), 0);
    assert_null(fp_dataset_sample(NULL, 0));
    assert_string_equal(fp_dataset_name(NULL), "");
    assert_string_equal(fp_dataset_path(NULL), "");
    assert_int_equal(fp_dataset_default_dpi(NULL), 0);
    assert_int_equal(fp_dataset_finger_count(NULL), 0);
    assert_true(strlen(fp_dataset_error_detail(NULL)) > 0);
    size_t n = 5;
    assert_null(fp_dataset_single_impression_samples(NULL, &n));
    assert_int_equal(n, 0);
    assert_null(fp_dataset_single_impression_samples(NULL, NULL));

    fp_pair *g = (fp_pair *)1, *i = (fp_pair *)1;
    size_t ng = 3, ni = 3;
    assert_int_equal(fp_dataset_pairs(NULL, FP_PROTOCOL_FVC, &g, &ng, &i, &ni), FP_ERR_INVALID_ARGUMENT);
    assert_null(g);
    assert_null(i);
    assert_int_equal(ng, 0);

    touch(t, "1_1.tif");
    touch(t, "2_1.tif");
    ds = open_rel(t, "", FP_LAYOUT_AUTO, FP_OK);
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_FVC, &g, NULL, &i, &ni), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_dataset_pairs(ds, (fp_protocol)9, &g, &ng, &i, &ni), FP_ERR_INVALID_ARGUMENT);
    /* No genuine pair at all: the list is NULL, the count 0. */
    assert_int_equal(fp_dataset_pairs(ds, FP_PROTOCOL_FVC, &g, &ng, &i, &ni), FP_OK);
    assert_null(g);
    assert_int_equal(ng, 0);
    assert_int_equal(ni, 1);
    assert_int_equal(i[0].a, 0);
    assert_int_equal(i[0].b, 1);
    free(i);
    fp_dataset_destroy(ds);

    for (int l = FP_LAYOUT_AUTO; l <= FP_LAYOUT_MANIFEST; l++) {
        fp_dataset_layout back = FP_LAYOUT_AUTO;
        assert_int_equal(fp_dataset_layout_parse(fp_dataset_layout_name((fp_dataset_layout)l), &back), FP_OK);
        assert_int_equal(back, l);
    }
    fp_dataset_layout lay;
    assert_int_equal(fp_dataset_layout_parse("SOCOFing", &lay), FP_OK);
    assert_int_equal(lay, FP_LAYOUT_SOCOFING);
    assert_int_equal(fp_dataset_layout_parse("fvc2002", &lay), FP_ERR_INVALID_ARGUMENT);
    assert_string_equal(fp_dataset_layout_name((fp_dataset_layout)99), "?");
    fp_protocol p;
    assert_int_equal(fp_dataset_protocol_parse("all-pairs", &p), FP_OK);
    assert_int_equal(p, FP_PROTOCOL_ALL_PAIRS);
    assert_int_equal(fp_dataset_protocol_parse(fp_dataset_protocol_name(FP_PROTOCOL_FVC), &p), FP_OK);
    assert_int_equal(p, FP_PROTOCOL_FVC);
    assert_int_equal(fp_dataset_protocol_parse("roc", &p), FP_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fvc_real_sets),
        cmocka_unit_test_setup_teardown(test_fvc_synthetic, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_fvc_resolution_from_path, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_fvc_errors, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_nist, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_socofing, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_manifest, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_manifest_errors, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_arguments, setup_tmp, teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
