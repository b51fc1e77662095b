/*
 * Templates: the native format (round trip, truncation at every length,
 * every single-byte corruption, version), fp_template_create validation,
 * accessors, and the status code tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core_engine_util.h"
#include "fp/fp.h"

static fp_template *make(fpt_rng *rng, size_t n, uint32_t w, uint32_t h, uint32_t dpi, uint8_t q)
{
    fp_minutia m[FP_MAX_MINUTIAE];
    for (size_t i = 0; i < n; i++) {
        m[i].x = (uint16_t)fpt_range(rng, 0, (int)w - 1);
        m[i].y = (uint16_t)fpt_range(rng, 0, (int)h - 1);
        m[i].angle = (uint8_t)fpt_range(rng, 0, 255);
        m[i].type = (uint8_t)fpt_range(rng, 0, 2);
        m[i].quality = (uint8_t)fpt_range(rng, 0, 100);
        m[i].reserved = (uint8_t)fpt_range(rng, 0, 255); /* must be cleared */
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(w, h, dpi, m, n, q, &t), FP_OK);
    return t;
}

static uint8_t *serialize(const fp_template *t, size_t *len)
{
    size_t need = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need), FP_OK);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, need, len), FP_OK);
    assert_int_equal(*len, need);
    return buf;
}

static void assert_same(const fp_template *a, const fp_template *b)
{
    assert_int_equal(fp_template_width(a), fp_template_width(b));
    assert_int_equal(fp_template_height(a), fp_template_height(b));
    assert_int_equal(fp_template_dpi(a), fp_template_dpi(b));
    assert_int_equal(fp_template_quality(a), fp_template_quality(b));
    size_t n = fp_template_minutiae_count(a);
    assert_int_equal(n, fp_template_minutiae_count(b));
    const fp_minutia *ma = fp_template_minutiae(a), *mb = fp_template_minutiae(b);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ma[i].x, mb[i].x);
        assert_int_equal(ma[i].y, mb[i].y);
        assert_int_equal(ma[i].angle, mb[i].angle);
        assert_int_equal(ma[i].type, mb[i].type);
        assert_int_equal(ma[i].quality, mb[i].quality);
        assert_int_equal(ma[i].reserved, 0);
        assert_int_equal(mb[i].reserved, 0);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    fpt_rng rng = {1};
    static const uint32_t dims[][3] = {{1, 1, 100},      {300, 400, 500},   {16383, 60000, 2000},
                                       {388, 374, 500},  {296, 560, 569},   {2048, 2048, 1000}};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        for (size_t n = 0; n <= FP_MAX_MINUTIAE; n += (n < 4 ? 1 : 47)) {
            fp_template *t = make(&rng, n, dims[d][0], dims[d][1], dims[d][2], (uint8_t)(n % 101));
            size_t len;
            uint8_t *buf = serialize(t, &len);
            assert_int_equal(len, 16 + 6 * n + 4);
            assert_memory_equal(buf, "FPT", 4);
            fp_template *back = NULL;
            assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, buf, len, &back), FP_OK);
            assert_same(t, back);
            /* Serialising again gives the same bytes. */
            size_t len2;
            uint8_t *buf2 = serialize(back, &len2);
            assert_int_equal(len, len2);
            assert_memory_equal(buf, buf2, len);
            /* Trailing bytes after a complete template are ignored. */
            uint8_t *longer = malloc(len + 7);
            assert_non_null(longer);
            memcpy(longer, buf, len);
            memset(longer + len, 0xEE, 7);
            fp_template *back2 = NULL;
            assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, longer, len + 7, &back2), FP_OK);
            assert_same(t, back2);
            /* Clones are equal too. */
            fp_template *c = NULL;
            assert_int_equal(fp_template_clone(t, &c), FP_OK);
            assert_same(t, c);
            fp_template_destroy(c);
            fp_template_destroy(back2);
            free(longer);
            free(buf2);
            fp_template_destroy(back);
            free(buf);
            fp_template_destroy(t);
        }
}

static void test_serialize_errors(void **state)
{
    (void)state;
    fpt_rng rng = {2};
    fp_template *t = make(&rng, 10, 300, 300, 500, 50);
    size_t need = 0, w = 99;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need), FP_OK);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    for (size_t cap = 0; cap < need; cap++)
        assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, cap, &w), FP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(fp_template_serialize(NULL, FP_FORMAT_NATIVE, buf, need, &w), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, need, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_serialize(t, (fp_template_format)7, buf, need, &w), FP_ERR_INVALID_ARGUMENT);
    fp_template *out = t;
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, buf, need, NULL), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, NULL, 10, &out), FP_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, need, &w), FP_OK);
    assert_int_equal(fp_template_deserialize((fp_template_format)7, buf, need, &out), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, NULL, 0, &out), FP_ERR_TEMPLATE_TRUNCATED);
    free(buf);
    fp_template_destroy(t);
}

static void test_truncation(void **state)
{
    (void)state;
    fpt_rng rng = {3};
    for (size_t n = 0; n <= 40; n += 8) {
        fp_template *t = make(&rng, n, 500, 500, 500, 70);
        size_t len;
        uint8_t *buf = serialize(t, &len);
        for (size_t cut = 0; cut < len; cut++) {
            /* An exact-size copy so ASan sees any read past the end. */
            uint8_t *p = malloc(cut ? cut : 1);
            assert_non_null(p);
            memcpy(p, buf, cut);
            fp_template *out = t;
            fp_status st = fp_template_deserialize(FP_FORMAT_NATIVE, p, cut, &out);
            if (st != FP_ERR_TEMPLATE_TRUNCATED && st != FP_ERR_TEMPLATE_FORMAT)
                fail_msg("cut at %zu of %zu: %s", cut, len, fp_status_name(st));
            assert_null(out);
            free(p);
        }
        free(buf);
        fp_template_destroy(t);
    }
}

static void test_corruption(void **state)
{
    (void)state;
    fpt_rng rng = {4};
    int by_status[20] = {0};
    for (size_t n = 0; n <= 30; n += 15) {
        fp_template *t = make(&rng, n, 400, 400, 500, 60);
        size_t len;
        uint8_t *buf = serialize(t, &len);
        uint8_t *p = malloc(len);
        assert_non_null(p);
        for (size_t i = 0; i < len; i++)
            for (int v = 0; v < 256; v++) {
                if (v == buf[i]) continue;
                memcpy(p, buf, len);
                p[i] = (uint8_t)v;
                fp_template *out = NULL;
                fp_status st = fp_template_deserialize(FP_FORMAT_NATIVE, p, len, &out);
                if (st == FP_OK || fp_status_is_retry(st) || st >= 20)
                    fail_msg("byte %zu = 0x%02x accepted (%s)", i, v, fp_status_name(st));
                assert_null(out);
                by_status[st]++;
            }
        free(p);
        free(buf);
        fp_template_destroy(t);
    }
    print_message("single-byte corruptions: checksum %d, truncated %d, format %d, version %d, corrupt %d\n",
                  by_status[FP_ERR_TEMPLATE_CHECKSUM], by_status[FP_ERR_TEMPLATE_TRUNCATED],
                  by_status[FP_ERR_TEMPLATE_FORMAT], by_status[FP_ERR_TEMPLATE_VERSION],
                  by_status[FP_ERR_TEMPLATE_CORRUPT]);
    assert_true(by_status[FP_ERR_TEMPLATE_CHECKSUM] > 0);
}

/* Re-seals a modified native template with a valid CRC. */
static void reseal(uint8_t *buf, size_t len)
{
    uint32_t crc = fpi_crc32(0, buf, len - 4);
    for (int k = 0; k < 4; k++) buf[len - 4 + k] = (uint8_t)(crc >> (8 * k));
}

static void test_version_and_fields(void **state)
{
    (void)state;
    fpt_rng rng = {5};
    fp_template *t = make(&rng, 12, 400, 400, 500, 60);
    size_t len;
    uint8_t *buf = serialize(t, &len);
    uint8_t *p = malloc(len);
    assert_non_null(p);
    fp_template *out = NULL;
    /* The CRC is the standard CRC-32 (check value of "123456789"). */
    assert_int_equal(fpi_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    /* Version 2 (and 0), even with a valid checksum. */
    static const uint16_t versions[] = {0, 2, 0x100, 0xFFFF};
    for (size_t v = 0; v < 4; v++) {
        memcpy(p, buf, len);
        p[4] = (uint8_t)versions[v];
        p[5] = (uint8_t)(versions[v] >> 8);
        reseal(p, len);
        assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, p, len, &out), FP_ERR_TEMPLATE_VERSION);
        assert_null(out);
    }
    /* Well-sealed but inconsistent fields are corrupt, not accepted. */
    struct {
        size_t off;
        uint8_t v;
    } bad[] = {
        {8, 0},           /* width 0 (low byte; 400 = 0x190) */
        {10, 0},          /* height 0 */
        {12, 10},         /* dpi 10 (low byte) */
        {14, 101},        /* image quality */
        {16 + 1, 0xC1},   /* minutia 0: type 3 */
        {16 + 1, 0x3F},   /* minutia 0: x = 0x3Fxx >= width */
        {16 + 5, 200},    /* minutia 0: quality 200 */
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        memcpy(p, buf, len);
        p[bad[b].off] = bad[b].v;
        if (bad[b].off == 8 || bad[b].off == 10) p[bad[b].off + 1] = 0;
        if (bad[b].off == 12) p[13] = 0;
        reseal(p, len);
        fp_status st = fp_template_deserialize(FP_FORMAT_NATIVE, p, len, &out);
        if (st != FP_ERR_TEMPLATE_CORRUPT) fail_msg("field case %zu: %s", b, fp_status_name(st));
        assert_null(out);
    }
    /* A count above the maximum, with matching length and CRC. */
    size_t big = 16 + 6 * 193 + 4;
    uint8_t *q = calloc(1, big);
    assert_non_null(q);
    memcpy(q, buf, 16);
    q[6] = 193;
    q[7] = 0;
    for (size_t i = 0; i < 193; i++) q[16 + 6 * i + 5] = 50;
    reseal(q, big);
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, q, big, &out), FP_ERR_TEMPLATE_CORRUPT);
    /* Wrong magic. */
    memcpy(p, buf, len);
    p[0] = 'X';
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, p, len, &out), FP_ERR_TEMPLATE_FORMAT);
    free(q);
    free(p);
    free(buf);
    fp_template_destroy(t);
}

static void test_create_validation(void **state)
{
    (void)state;
    fp_minutia m[3] = {{10, 10, 0, 1, 50, 0}, {20, 30, 64, 2, 100, 0}, {99, 49, 255, 0, 0, 0}};
    fp_template *t = (fp_template *)m;
    assert_int_equal(fp_template_create(100, 50, 500, m, 3, 80, &t), FP_OK);
    assert_int_equal(fp_template_minutiae_count(t), 3);
    assert_int_equal(fp_template_width(t), 100);
    assert_int_equal(fp_template_height(t), 50);
    assert_int_equal(fp_template_dpi(t), 500);
    assert_int_equal(fp_template_quality(t), 80);
    /* Kept in order of quality, best first. */
    const fp_minutia sorted[3] = {m[1], m[0], m[2]};
    assert_memory_equal(fp_template_minutiae(t), sorted, sizeof sorted);
    fp_template_destroy(t);
    fp_minutia b[3];
    struct {
        int field;
        int value;
    } cases[] = {{0, 100}, {0, 1000}, {1, 50}, {1, 60000}, {2, 3}, {2, 255}, {3, 101}, {3, 255}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, m, sizeof m);
        switch (cases[c].field) {
        case 0: b[1].x = (uint16_t)cases[c].value; break;
        case 1: b[1].y = (uint16_t)cases[c].value; break;
        case 2: b[1].type = (uint8_t)cases[c].value; break;
        case 3: b[1].quality = (uint8_t)cases[c].value; break;
        }
        t = (fp_template *)m;
        assert_int_equal(fp_template_create(100, 50, 500, b, 3, 80, &t), FP_ERR_INVALID_ARGUMENT);
        assert_null(t);
    }
    assert_int_equal(fp_template_create(100, 50, 500, m, 3, 101, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(0, 50, 500, NULL, 0, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(100, 0, 500, NULL, 0, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(100, 50, 99, m, 3, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(100, 50, 2001, m, 3, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(16384, 50, 500, m, 3, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(100, 50, 500, NULL, 3, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_int_equal(fp_template_create(100, 50, 500, m, 3, 50, NULL), FP_ERR_INVALID_ARGUMENT);
    /* Empty templates are valid. */
    assert_int_equal(fp_template_create(100, 50, 500, NULL, 0, 0, &t), FP_OK);
    assert_int_equal(fp_template_minutiae_count(t), 0);
    fp_template_destroy(t);
    /* NULL-tolerant accessors and destroy. */
    fp_template_destroy(NULL);
    assert_int_equal(fp_template_minutiae_count(NULL), 0);
    assert_null(fp_template_minutiae(NULL));
    assert_int_equal(fp_template_width(NULL), 0);
    assert_int_equal(fp_template_clone(NULL, &t), FP_ERR_INVALID_ARGUMENT);
}

/*
 * The matcher works in a 16-bit frame at 500 dpi; a legal record far
 * outside it (a 65535-pixel-tall image at 100 dpi, minutiae 13 m apart)
 * must be refused, not wrapped into it. Minutiae up to the frame's edge
 * work.
 */
static void test_create_frame_bound(void **state)
{
    (void)state;
    fp_minutia far[2] = {{10, 0, 0, 1, 50, 0}, {10, 65000, 64, 1, 50, 0}};
    fp_template *t = (fp_template *)far;
    assert_int_equal(fp_template_create(100, 65535, 100, far, 2, 50, &t), FP_ERR_INVALID_ARGUMENT);
    assert_null(t);
    /* 3000 px at 100 dpi is 15000 px at 500 dpi: inside. A print at the
     * frame's far corner compares with itself like any other. */
    fp_minutia edge[24];
    fpt_rng rng = {20261204};
    for (int i = 0; i < 24; i++) {
        edge[i].x = (uint16_t)(i == 1 ? 3000 : fpt_range(&rng, 2904, 3000));
        edge[i].y = (uint16_t)(i == 1 ? 3000 : fpt_range(&rng, 2904, 3000));
        edge[i].angle = (uint8_t)fpt_range(&rng, 0, 255);
        edge[i].type = (uint8_t)fpt_range(&rng, 1, 2);
        edge[i].quality = i == 1 ? 100 : 50;
        edge[i].reserved = 0;
    }
    assert_int_equal(fp_template_create(3001, 3001, 100, edge, 24, 50, &t), FP_OK);
    fp_context *ctx = NULL;
    assert_int_equal(fp_context_create(NULL, &ctx), FP_OK);
    float score = 0, near_score = -1;
    assert_int_equal(fp_compare(ctx, t, t, &score), FP_OK);
    /* The same print moved to the origin scores the same. */
    fp_minutia near[24];
    for (int i = 0; i < 24; i++) {
        near[i] = edge[i];
        near[i].x = (uint16_t)(edge[i].x - 2904);
        near[i].y = (uint16_t)(edge[i].y - 2904);
    }
    fp_template *tn = NULL;
    assert_int_equal(fp_template_create(97, 97, 100, near, 24, 50, &tn), FP_OK);
    assert_int_equal(fp_compare(ctx, tn, tn, &near_score), FP_OK);
    fp_template_destroy(tn);
    fp_context_destroy(ctx);
    assert_true(near_score > 100);
    assert_true(score == near_score);
    /* The native reader reports a record beyond the frame as corrupt:
     * the same bytes with the image 65535 tall and one minutia at 60000. */
    size_t len = 0;
    uint8_t *buf = serialize(t, &len);
    fp_template_destroy(t);
    buf[10] = 0xFF;
    buf[11] = 0xFF;
    buf[16 + 2] = 60000 & 0xFF;
    buf[16 + 3] = 60000 >> 8;
    const uint32_t crc = fpi_crc32(0, buf, len - 4);
    for (int i = 0; i < 4; i++) buf[len - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
    t = (fp_template *)buf;
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, buf, len, &t), FP_ERR_TEMPLATE_CORRUPT);
    assert_null(t);
    free(buf);
    /* An interchange record states px/cm: 105 dpi is written as 41 px/cm
     * and read back as 104 dpi, so the writer refuses a minutia that would
     * then fall outside the frame, and a resolution that would read back
     * below 100 dpi. */
    static const struct {
        uint16_t x;
        uint32_t dpi;
        fp_status want;
    } writes[] = {{3150, 105, FP_ERR_INVALID_ARGUMENT}, {3120, 105, FP_OK}, {100, 100, FP_ERR_INVALID_ARGUMENT}};
    for (int fmt = FP_FORMAT_ISO19794_2; fmt <= FP_FORMAT_ANSI378; fmt++)
        for (size_t w = 0; w < sizeof writes / sizeof writes[0]; w++) {
            fp_minutia wide[2] = {{writes[w].x, 10, 0, 1, 50, 0}, {10, 10, 64, 1, 50, 0}};
            size_t need = 0;
            assert_int_equal(fp_template_create(3200, 100, writes[w].dpi, wide, 2, 50, &t), FP_OK);
            assert_int_equal(fp_template_serialize(t, (fp_template_format)fmt, NULL, 0, &need), writes[w].want);
            fp_template_destroy(t);
        }
    /* One pixel further is outside. */
    edge[1].x = 3001;
    assert_int_equal(fp_template_create(3002, 3001, 100, edge, 24, 50, &t), FP_ERR_INVALID_ARGUMENT);
}

static void test_create_keeps_best(void **state)
{
    (void)state;
    const size_t n = 300;
    fp_minutia *m = calloc(n, sizeof(*m));
    assert_non_null(m);
    fpt_rng rng = {6};
    int hist[101] = {0};
    for (size_t i = 0; i < n; i++) {
        m[i].x = (uint16_t)fpt_range(&rng, 0, 499);
        m[i].y = (uint16_t)fpt_range(&rng, 0, 499);
        m[i].angle = (uint8_t)i;
        m[i].type = 1;
        m[i].quality = (uint8_t)fpt_range(&rng, 0, 100);
        hist[m[i].quality]++;
    }
    /* The quality of the 192nd best: everything above it must be kept. */
    int cut = 100, acc = 0;
    while (acc + hist[cut] < FP_MAX_MINUTIAE) acc += hist[cut--];
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(500, 500, 500, m, n, 50, &t), FP_OK);
    assert_int_equal(fp_template_minutiae_count(t), FP_MAX_MINUTIAE);
    const fp_minutia *k = fp_template_minutiae(t);
    int kept_above = 0;
    for (size_t i = 0; i < FP_MAX_MINUTIAE; i++) {
        assert_true(k[i].quality >= cut);
        kept_above += k[i].quality > cut;
        /* Each kept minutia is one of the input's, unchanged. */
        int found = 0;
        for (size_t j = 0; j < n && !found; j++) found = !memcmp(&m[j], &k[i], sizeof(fp_minutia));
        assert_true(found);
    }
    assert_int_equal(kept_above, acc);
    fp_template_destroy(t);
    free(m);
}

/*
 * The template's order: quality first; among equal qualities the minutiae
 * nearer the centroid first; the order does not depend on the order given,
 * and serialising and reading back keeps it (also past FP_MAX_MINUTIAE).
 */
static void test_create_order(void **state)
{
    (void)state;
    /* Equal-quality minutiae in pairs 10, 30, 50 and 70 px either side of
     * (200, 200), given outermost first, and a better one at the centre:
     * the centroid is (200, 200). */
    fp_minutia m[9];
    for (int i = 0; i < 4; i++) {
        int r = 70 - 20 * i;
        m[2 * i] = (fp_minutia){(uint16_t)(200 + r), 200, (uint8_t)(20 * i), 1, 50, 0};
        m[2 * i + 1] = (fp_minutia){(uint16_t)(200 - r), 200, (uint8_t)(20 * i + 1), 2, 50, 0};
    }
    m[8] = (fp_minutia){200, 200, 7, 2, 90, 0};
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(400, 400, 500, m, 9, 60, &t), FP_OK);
    const fp_minutia *k = fp_template_minutiae(t);
    /* Best quality, then nearest first; a pair at the same distance by x. */
    const int want[9] = {8, 7, 6, 5, 4, 3, 2, 1, 0};
    for (int i = 0; i < 9; i++) assert_memory_equal(&k[i], &m[want[i]], sizeof(fp_minutia));
    /* Any order in, the same order out. */
    fp_minutia rev[9];
    for (int i = 0; i < 9; i++) rev[i] = m[8 - i];
    fp_template *u = NULL;
    assert_int_equal(fp_template_create(400, 400, 500, rev, 9, 60, &u), FP_OK);
    assert_memory_equal(fp_template_minutiae(u), k, sizeof m);
    fp_template_destroy(u);
    fp_template_destroy(t);

    /* Past FP_MAX_MINUTIAE: a native round trip gives the same template. */
    const size_t n = 250;
    fp_minutia *many = calloc(n, sizeof(*many));
    assert_non_null(many);
    fpt_rng rng = {17};
    for (size_t i = 0; i < n; i++)
        many[i] = (fp_minutia){(uint16_t)fpt_range(&rng, 0, 399), (uint16_t)fpt_range(&rng, 0, 399),
                               (uint8_t)fpt_range(&rng, 0, 255), 1, (uint8_t)fpt_range(&rng, 40, 60), 0};
    assert_int_equal(fp_template_create(400, 400, 500, many, n, 60, &t), FP_OK);
    size_t len = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &len), FP_OK);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, len, &len), FP_OK);
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, buf, len, &u), FP_OK);
    assert_int_equal(fp_template_minutiae_count(u), FP_MAX_MINUTIAE);
    assert_memory_equal(fp_template_minutiae(u), fp_template_minutiae(t), FP_MAX_MINUTIAE * sizeof(fp_minutia));
    free(buf);
    free(many);
    fp_template_destroy(u);
    fp_template_destroy(t);
}

static void test_status_tables(void **state)
{
    (void)state;
    static const struct {
        fp_status st;
        const char *name;
        int retry;
    } all[] = {
#define FPT_ROW_(name, num, msg) {FP_##name, "FP_" #name, num >= 100},
        FP_STATUS_MAP(FPT_ROW_)
#undef FPT_ROW_
    };
    size_t n = sizeof all / sizeof all[0];
    assert_true(n >= 24);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(fp_status_name(all[i].st), all[i].name);
        const char *msg = fp_status_message(all[i].st);
        assert_non_null(msg);
        assert_true(strlen(msg) > 3);
        assert_int_equal(!!fp_status_is_retry(all[i].st), all[i].retry);
        for (size_t j = 0; j < i; j++) {
            assert_true(all[i].st != all[j].st);
            assert_string_not_equal(msg, fp_status_message(all[j].st));
        }
    }
    /* Pinned numbers (they never change once released). */
    assert_int_equal(FP_OK, 0);
    assert_int_equal(FP_ERR_TEMPLATE_CHECKSUM, 7);
    assert_int_equal(FP_RETRY_NO_FINGER, 100);
    assert_false(fp_status_is_retry(FP_OK));
    assert_true(fp_status_is_retry(FP_RETRY_LOW_QUALITY));
    assert_string_equal(fp_status_name((fp_status)55), "FP_UNKNOWN");
    assert_string_equal(fp_status_message((fp_status)-1), "unknown status code");
    assert_false(fp_status_is_retry((fp_status)200));
}

/*
 * The number of compared minutiae: FP_MATCH_MINUTIAE, or every minutia of
 * quality >= FP_MATCH_WIDE_QUALITY when there are FP_MATCH_WIDE_MIN or more, at most
 * FP_MATCH_MINUTIAE_MAX, never more than the template holds; and the
 * template's edges link only the compared minutiae.
 */
static void test_match_limit(void **state)
{
    (void)state;
    static const struct {
        int count, clear, want;
    } cases[] = {
        {0, 0, 0},    {10, 10, 10}, {38, 38, 38}, {50, 10, 38},  {50, 38, 38},  {50, 43, 38},  {50, 44, 44},
        {44, 44, 44}, {50, 50, 50}, {64, 64, 64}, {100, 64, 64}, {100, 65, 64}, {100, 90, 64}, {192, 192, 64},
    };
    fp_minutia m[FP_MAX_MINUTIAE];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int i = 0; i < cases[c].count; i++) {
            /* Distinct positions; qualities in template order, best first. */
            m[i] = (fp_minutia){(uint16_t)(20 + (i % 16) * 20), (uint16_t)(20 + (i / 16) * 20), (uint8_t)(i * 11),
                                FP_MINUTIA_ENDING, (uint8_t)(i < cases[c].clear ? 95 - i % 10 : FP_MATCH_WIDE_QUALITY - 1 - i % 30), 0};
        }
        assert_int_equal(fpi_match_limit(m, cases[c].count), cases[c].want);
        fp_template *t = NULL;
        assert_int_equal(fp_template_create(400, 400, 500, m, (size_t)cases[c].count, 70, &t), FP_OK);
        assert_int_equal(fpi_match_count(t), cases[c].want);
        for (int i = 0; i < cases[c].count * FPI_NEIGHBOURS; i++) {
            const fpi_neighbour *nb = &t->nb[i];
            if (i >= cases[c].want * FPI_NEIGHBOURS) assert_int_equal(nb->index, 0xFF);
            else if (nb->index != 0xFF) assert_true(nb->index < cases[c].want);
        }
        fp_template_destroy(t);
    }
    /* The widening follows the quality order, not the order given. */
    for (int i = 0; i < 60; i++) m[i].quality = (uint8_t)(i % 2 ? 90 : 50);
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(400, 400, 500, m, 60, 70, &t), FP_OK);
    assert_int_equal(fpi_match_count(t), FP_MATCH_MINUTIAE);
    fp_template_destroy(t);
    for (int i = 0; i < 66; i++) m[i].quality = (uint8_t)(i % 3 ? 90 : 50);
    assert_int_equal(fp_template_create(400, 400, 500, m, 66, 70, &t), FP_OK);
    assert_int_equal(fpi_match_count(t), 44);
    fp_template_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_serialize_errors),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_version_and_fields),
        cmocka_unit_test(test_create_validation),
        cmocka_unit_test(test_create_frame_bound),
        cmocka_unit_test(test_create_keeps_best),
        cmocka_unit_test(test_create_order),
        cmocka_unit_test(test_status_tables),
        cmocka_unit_test(test_match_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
