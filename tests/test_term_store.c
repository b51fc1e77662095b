/*
 * test_term_store.c - the terminal's encrypted store: key handling and
 * encryption at rest, users and credentials, capacity limits from the
 * device profile, records (query, per-day summary, delete all, stable ids),
 * operation log, settings and factory reset, and a power-cut test that
 * SIGKILLs a writer in the middle of bursts of punches.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare, mount namespaces (the disk-full test) */
#endif
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fp/fp.h"
#include "term_store.h"
#include "term_test_fs.h"

typedef struct fixture {
    char dir[256];
    char db[300];
    char key[300];
    term_store_config cfg;
    term_store *st;
} fixture;

static void remove_files(const fixture *fx)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[320];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s%s", fx->db, suffix[i]);
        unlink(path);
    }
    unlink(fx->key);
    rmdir(fx->dir);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof(fx->dir), "%s/term_store_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof(fx->db), "%s/m1.db", fx->dir);
    snprintf(fx->key, sizeof(fx->key), "%s/device.key", fx->dir);
    fx->cfg.db_path = fx->db;
    fx->cfg.key_path = fx->key;
    fx->cfg.create_key = 1;
    term_device_profile_m1(&fx->cfg.profile);
    fx->cfg.profile.pin_iterations = 2000; /* the default's cost is measured in its own test */
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    term_store_close(fx->st);
    remove_files(fx);
    free(fx);
    return 0;
}

static void reopen(fixture *fx)
{
    term_store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
}

/* Runs SQL on the store's own handle, as other firmware or a damaged file might have left things. */
static void sqlite3_exec_raw(fixture *fx, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(term_store_db(fx->st), sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err);
}

static term_user make_user(const char *id, const char *name, term_privilege priv)
{
    term_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.id, sizeof(u.id), "%s", id);
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.privilege = priv;
    return u;
}

static void add_user(fixture *fx, const char *id, const char *name)
{
    term_user u = make_user(id, name, TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
}

/* A real engine template (native format) with n minutiae from a seed. */
static size_t make_template(uint32_t seed, uint8_t *buf, size_t cap)
{
    fp_minutia m[40];
    uint32_t x = seed * 2654435761u + 1;
    for (int i = 0; i < 40; i++) {
        x = x * 1664525u + 1013904223u;
        m[i].x = (uint16_t)(20 + (x >> 8) % 260);
        x = x * 1664525u + 1013904223u;
        m[i].y = (uint16_t)(20 + (x >> 8) % 360);
        m[i].angle = (uint8_t)(x >> 24);
        m[i].type = (uint8_t)(1 + (x >> 3) % 2);
        m[i].quality = 80;
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    assert_int_equal(fp_template_create(300, 400, 500, m, 40, 70, &t), FP_OK);
    size_t written = 0;
    assert_int_equal(fp_template_serialize(t, FP_FORMAT_NATIVE, buf, cap, &written), FP_OK);
    fp_template_destroy(t);
    return written;
}

static int file_contains(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static uint8_t data[1 << 22];
    size_t len = fread(data, 1, sizeof(data), f);
    fclose(f);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0) return 1;
    return 0;
}

static void test_key_and_encryption(void **state)
{
    fixture *fx = *state;
    struct stat sb;
    assert_int_equal(stat(fx->key, &sb), 0);
    assert_int_equal(sb.st_size, 32);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(term_key_file_create(fx->key), TERM_ERR_IO); /* never overwrites */

    add_user(fx, "4242", "Zelda Quartermaine");
    assert_int_equal(term_store_pin_set(fx->st, "4242", "key@M1"), TERM_OK);
    reopen(fx);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "4242", &info), TERM_OK);
    assert_string_equal(info.name, "Zelda Quartermaine");
    term_store_close(fx->st);
    fx->st = NULL;

    /* At rest: no SQLite header, no plain text, in the file or its WAL. */
    char wal[320];
    snprintf(wal, sizeof(wal), "%s-wal", fx->db);
    assert_false(file_contains(fx->db, "SQLite format 3", 15));
    assert_false(file_contains(fx->db, "Quartermaine", 12));
    assert_false(file_contains(wal, "Quartermaine", 12));
    assert_false(file_contains(fx->db, "CREATE TABLE", 12));

    /* Another key cannot open it; a bad key file is refused. */
    char other[320];
    snprintf(other, sizeof(other), "%s/other.key", fx->dir);
    assert_int_equal(term_key_file_create(other), TERM_OK);
    term_store_config cfg = fx->cfg;
    cfg.key_path = other;
    cfg.create_key = 0;
    term_store *st = NULL;
    assert_int_equal(term_store_open(&cfg, &st), TERM_ERR_WRONG_KEY);
    assert_null(st);
    FILE *f = fopen(other, "wb");
    fputs("short", f);
    fclose(f);
    assert_int_equal(term_store_open(&cfg, &st), TERM_ERR_KEY_FILE);
    unlink(other);
    assert_int_equal(term_store_open(&cfg, &st), TERM_ERR_KEY_MISSING); /* missing beside a database */
    assert_int_equal(term_store_open(NULL, &st), TERM_ERR_INVALID_ARGUMENT);
    reopen(fx);
    assert_int_equal(term_store_integrity_check(fx->st), TERM_OK);
}

static void alphanumeric_ids_on(fixture *fx)
{
    term_settings s;
    assert_int_equal(term_store_settings_load(fx->st, &s), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "alphanumeric_user_id", "on"), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, &s), TERM_OK);
}

static int collect_ids(void *ctx, const term_user_info *u)
{
    char *out = ctx;
    strcat(out, u->id);
    strcat(out, ",");
    return 0;
}

static void test_users(void **state)
{
    fixture *fx = *state;
    term_user u = make_user("12", "Bob", TERM_PRIV_ADMIN);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_DUPLICATE_USER);
    u = make_user("AB1", "Al", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_BAD_USER_ID);
    u = make_user("", "Nobody", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_BAD_USER_ID);
    u = make_user("13", "Tab\tName", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_BAD_NAME);
    u = make_user("13", "Ok", (term_privilege)5);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_INVALID_ARGUMENT);

    /* With Alphanumeric User ID on, letters are accepted. */
    alphanumeric_ids_on(fx);
    u = make_user("AB1", "Al", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    add_user(fx, "011", "Joe Zhou");

    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "12", &info), TERM_OK);
    assert_int_equal(info.privilege, TERM_PRIV_ADMIN);
    assert_int_equal(info.methods, 0);
    assert_int_equal(term_store_user_get(fx->st, "99", &info), TERM_ERR_NOT_FOUND);
    u = make_user("12", "Robert", TERM_PRIV_USER);
    assert_int_equal(term_store_user_update(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "12", &info), TERM_OK);
    assert_string_equal(info.name, "Robert");
    assert_int_equal(info.privilege, TERM_PRIV_USER);
    u = make_user("77", "Ghost", TERM_PRIV_USER);
    assert_int_equal(term_store_user_update(fx->st, &u), TERM_ERR_NOT_FOUND);

    char ids[128] = "";
    assert_int_equal(term_store_user_each(fx->st, collect_ids, ids), TERM_OK);
    assert_string_equal(ids, "11,12,AB1,"); /* "011" was stored as user 11 */

    /* Deleting a user removes their credentials, frees their card, keeps their records. */
    uint8_t tmpl[4096];
    size_t len = make_template(1, tmpl, sizeof(tmpl));
    assert_int_equal(term_store_card_set(fx->st, "12", 5555), TERM_OK);
    assert_int_equal(term_store_pin_set(fx->st, "12", "1234"), TERM_OK);
    assert_int_equal(term_store_finger_set(fx->st, "12", 0, tmpl, len), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "12", &info), TERM_OK);
    assert_int_equal(info.methods, TERM_METHOD_FINGER | TERM_METHOD_CARD | TERM_METHOD_PIN);
    term_record rec = {.time = 1000, .uid = "12", .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_NONE};
    assert_int_equal(term_store_record_add(fx->st, &rec, NULL), TERM_OK);
    assert_int_equal(term_store_user_delete(fx->st, "12"), TERM_OK);
    assert_int_equal(term_store_user_delete(fx->st, "12"), TERM_ERR_NOT_FOUND);
    term_store_counts c;
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.users, 2);
    assert_int_equal(c.pins + c.cards + c.fingers, 0);
    assert_int_equal(c.records, 1);
    assert_int_equal(term_store_card_set(fx->st, "011", 5555), TERM_OK);
}

static void test_pins(void **state)
{
    fixture *fx = *state;
    add_user(fx, "1", "Ann");
    add_user(fx, "2", "Ben");
    assert_int_equal(term_store_pin_check(fx->st, "1", "1234"), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_pin_set(fx->st, "1", "1234"), TERM_OK);
    assert_int_equal(term_store_pin_set(fx->st, "2", "1234"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "1", "1234"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "2", "1234"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "1", "1235"), TERM_NO_MATCH);
    assert_int_equal(term_store_pin_check(fx->st, "1", "12345"), TERM_NO_MATCH);
    assert_int_equal(term_store_pin_check(fx->st, "1", ""), TERM_NO_MATCH);
    assert_int_equal(term_store_pin_set(fx->st, "1", "key@M1"), TERM_OK); /* replaces */
    assert_int_equal(term_store_pin_check(fx->st, "1", "1234"), TERM_NO_MATCH);
    assert_int_equal(term_store_pin_check(fx->st, "1", "key@M1"), TERM_OK);
    assert_int_equal(term_store_pin_set(fx->st, "1", ""), TERM_ERR_BAD_PIN);
    assert_int_equal(term_store_pin_set(fx->st, "9", "1234"), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_pin_clear(fx->st, "1"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "1", "key@M1"), TERM_ERR_NOT_FOUND);
}

/* The cost of the profile's PBKDF2 count, printed for docs/terminal.md. */
static void test_pin_cost(void **state)
{
    fixture *fx = *state;
    term_device_profile m1;
    term_device_profile_m1(&m1);
    fx->cfg.profile.pin_iterations = m1.pin_iterations;
    reopen(fx);
    add_user(fx, "1", "Ann");
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(term_store_pin_set(fx->st, "1", "2580"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "1", "2580"), TERM_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / 2.0;
    printf("PIN hash: PBKDF2-HMAC-SHA256, %u iterations, %.1f ms per set/check\n", m1.pin_iterations, ms);
    /* A PIN stored with another count still checks: the count is stored per PIN. */
    fx->cfg.profile.pin_iterations = 1000;
    reopen(fx);
    assert_int_equal(term_store_pin_check(fx->st, "1", "2580"), TERM_OK);
}

static void test_cards(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_cards = 2;
    reopen(fx);
    add_user(fx, "1", "Ann");
    add_user(fx, "2", "Ben");
    add_user(fx, "3", "Cy");
    char uid[TERM_USER_ID_MAX + 1];
    assert_int_equal(term_store_card_set(fx->st, "1", 0), TERM_ERR_BAD_CARD);
    assert_int_equal(term_store_card_set(fx->st, "1", 777), TERM_OK);
    assert_int_equal(term_store_card_set(fx->st, "2", 777), TERM_ERR_DUPLICATE_CARD);
    assert_int_equal(term_store_card_set(fx->st, "1", 778), TERM_OK); /* replaces the old card */
    assert_int_equal(term_store_card_find(fx->st, 777, uid), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_card_find(fx->st, 778, uid), TERM_OK);
    assert_string_equal(uid, "1");
    assert_int_equal(term_store_card_set(fx->st, "2", UINT64_MAX), TERM_OK); /* all 64 bits kept */
    assert_int_equal(term_store_card_find(fx->st, UINT64_MAX, uid), TERM_OK);
    assert_string_equal(uid, "2");
    assert_int_equal(term_store_card_set(fx->st, "3", 900), TERM_ERR_CAPACITY_CARDS);
    assert_int_equal(term_store_card_set(fx->st, "2", 901), TERM_OK); /* a replacement is not a new card */
    assert_int_equal(term_store_card_set(fx->st, "9", 902), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_card_clear(fx->st, "2"), TERM_OK);
    assert_int_equal(term_store_card_set(fx->st, "3", 900), TERM_OK);
}

static int count_fingers(void *ctx, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    (void)uid;
    (void)index;
    fp_template *t = NULL;
    assert_int_equal(fp_template_deserialize(FP_FORMAT_NATIVE, data, len, &t), FP_OK);
    fp_template_destroy(t);
    (*(int *)ctx)++;
    return 0;
}

static void test_fingers(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_fingers = 12;
    reopen(fx);
    add_user(fx, "1", "Ann");
    add_user(fx, "2", "Ben");
    uint8_t tmpl[4096], back[4096];
    size_t len = make_template(7, tmpl, sizeof(tmpl));
    for (uint32_t i = 0; i < TERM_FINGERS_PER_USER; i++)
        assert_int_equal(term_store_finger_set(fx->st, "1", i, tmpl, len), TERM_OK);
    assert_int_equal(term_store_finger_set(fx->st, "1", 10, tmpl, len), TERM_ERR_BAD_FINGER_INDEX);
    uint8_t junk[64];
    memset(junk, 0x5A, sizeof(junk));
    assert_int_equal(term_store_finger_set(fx->st, "1", 0, junk, sizeof(junk)), TERM_ERR_BAD_TEMPLATE);
    assert_int_equal(term_store_finger_set(fx->st, "1", 0, tmpl, len - 1), TERM_ERR_BAD_TEMPLATE);
    assert_int_equal(term_store_finger_set(fx->st, "9", 0, tmpl, len), TERM_ERR_NOT_FOUND);

    size_t got = 0;
    assert_int_equal(term_store_finger_get(fx->st, "1", 3, NULL, 0, &got), TERM_OK);
    assert_int_equal(got, len);
    assert_int_equal(term_store_finger_get(fx->st, "1", 3, back, 8, &got), TERM_ERR_TOO_LONG);
    assert_int_equal(term_store_finger_get(fx->st, "1", 3, back, sizeof(back), &got), TERM_OK);
    assert_memory_equal(back, tmpl, len);
    assert_int_equal(term_store_finger_get(fx->st, "2", 0, back, sizeof(back), &got), TERM_ERR_NOT_FOUND);

    /* Capacity 12: two more fit, the third is refused, a replacement still works. */
    size_t len2 = make_template(8, tmpl, sizeof(tmpl));
    assert_int_equal(term_store_finger_set(fx->st, "2", 0, tmpl, len2), TERM_OK);
    assert_int_equal(term_store_finger_set(fx->st, "2", 1, tmpl, len2), TERM_OK);
    assert_int_equal(term_store_finger_set(fx->st, "2", 2, tmpl, len2), TERM_ERR_CAPACITY_FINGERS);
    assert_int_equal(term_store_finger_set(fx->st, "1", 5, tmpl, len2), TERM_OK);
    int n = 0;
    assert_int_equal(term_store_finger_each(fx->st, count_fingers, &n), TERM_OK);
    assert_int_equal(n, 12);
    assert_int_equal(term_store_finger_delete(fx->st, "2", 1), TERM_OK);
    assert_int_equal(term_store_finger_delete(fx->st, "2", 1), TERM_ERR_NOT_FOUND);
    assert_int_equal(term_store_finger_set(fx->st, "2", 2, tmpl, len2), TERM_OK);
}

typedef struct rec_list {
    int n;
    int64_t ids[64];
    term_record recs[64];
} rec_list;

static int collect_rec(void *ctx, int64_t id, const term_record *rec)
{
    rec_list *l = ctx;
    if (l->n < 64) {
        l->ids[l->n] = id;
        l->recs[l->n] = *rec;
        l->n++;
    }
    return 0;
}

typedef struct day_list {
    int n;
    char text[256];
} day_list;

static int collect_day(void *ctx, const char *uid, int64_t day, uint32_t count)
{
    day_list *l = ctx;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof(l->text) - used, "%s@%lld=%u;", uid, (long long)day, count);
    l->n++;
    return 0;
}

static void test_records(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_records = 8;
    reopen(fx);
    const int64_t day0 = 20021 * 86400LL; /* 2024-10-25 00:00 */
    struct {
        int64_t t;
        const char *uid;
        term_verify_type v;
    } in[] = {
        {day0 + 16 * 3600 + 32 * 60, "5555", TERM_VERIFY_FINGER},
        {day0 + 16 * 3600 + 33 * 60, "5555", TERM_VERIFY_CARD},
        {day0 + 16 * 3600 + 55 * 60, "5555", TERM_VERIFY_CARD},
        {day0 + 9 * 3600, "7", TERM_VERIFY_PIN},
        {day0 + 86400 + 60, "5555", TERM_VERIFY_FINGER},
        {day0 - 60, "7", TERM_VERIFY_CARD},
    };
    int64_t last_id = 0;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        term_record r = {.time = in[i].t, .verify = in[i].v, .state = TERM_PUNCH_CHECK_IN};
        snprintf(r.uid, sizeof(r.uid), "%s", in[i].uid);
        int64_t id = 0;
        assert_int_equal(term_store_record_add(fx->st, &r, &id), TERM_OK);
        assert_true(id > last_id);
        last_id = id;
    }
    term_record bad = {.time = 1, .uid = "7", .verify = (term_verify_type)9, .state = TERM_PUNCH_NONE};
    assert_int_equal(term_store_record_add(fx->st, &bad, NULL), TERM_ERR_INVALID_ARGUMENT);
    bad.verify = TERM_VERIFY_PIN;
    snprintf(bad.uid, sizeof(bad.uid), "a b");
    assert_int_equal(term_store_record_add(fx->st, &bad, NULL), TERM_ERR_BAD_USER_ID);

    /* Manual 8: one user, one day (inclusive bounds), in time order. */
    rec_list l = {0};
    assert_int_equal(term_store_record_query(fx->st, "5555", day0, day0 + 86399, collect_rec, &l), TERM_OK);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.recs[0].verify, TERM_VERIFY_FINGER);
    assert_int_equal(l.recs[2].time, day0 + 16 * 3600 + 55 * 60);
    assert_int_equal(l.recs[1].state, TERM_PUNCH_CHECK_IN);
    memset(&l, 0, sizeof(l));
    assert_int_equal(term_store_record_query(fx->st, NULL, day0 + 9 * 3600, day0 + 9 * 3600, collect_rec, &l), TERM_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.recs[0].uid, "7");
    memset(&l, 0, sizeof(l));
    assert_int_equal(term_store_record_query(fx->st, NULL, INT64_MIN, INT64_MAX, collect_rec, &l), TERM_OK);
    assert_int_equal(l.n, 6);
    assert_int_equal(l.recs[0].time, day0 - 60);

    day_list d = {0};
    assert_int_equal(term_store_record_days(fx->st, NULL, INT64_MIN, INT64_MAX, collect_day, &d), TERM_OK);
    assert_string_equal(d.text, "5555@20021=3;5555@20022=1;7@20020=1;7@20021=1;");

    int64_t t = 0;
    assert_int_equal(term_store_record_last(fx->st, "5555", &t), TERM_OK);
    assert_int_equal(t, day0 + 86400 + 60);
    assert_int_equal(term_store_record_last(fx->st, "8", &t), TERM_ERR_NOT_FOUND);

    /* Capacity 8: two more fit, then a clear refusal and nothing stored. */
    term_record r = {.time = day0, .uid = "7", .verify = TERM_VERIFY_PIN, .state = TERM_PUNCH_NONE};
    assert_int_equal(term_store_record_add(fx->st, &r, NULL), TERM_OK);
    assert_int_equal(term_store_record_add(fx->st, &r, &last_id), TERM_OK);
    assert_int_equal(term_store_record_add(fx->st, &r, NULL), TERM_ERR_CAPACITY_RECORDS);
    term_store_counts c;
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.records, 8);

    /* Manual 7, Delete Attlog: everything goes; ids are never reused. */
    assert_int_equal(term_store_record_delete_all(fx->st), TERM_OK);
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.records, 0);
    reopen(fx);
    int64_t id = 0;
    assert_int_equal(term_store_record_add(fx->st, &r, &id), TERM_OK);
    assert_true(id > last_id);
}

static int collect_op(void *ctx, int64_t id, int64_t time, term_op op, const char *operator_id, const char *detail)
{
    (void)id;
    char *out = ctx;
    size_t used = strlen(out);
    snprintf(out + used, 256 - used, "%lld:%s:%s:%s;", (long long)time, term_op_name(op), operator_id, detail);
    return 0;
}

static void test_oplog(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_oplog = 2;
    reopen(fx);
    assert_int_equal(term_store_oplog_add(fx->st, 100, TERM_OP_USER_ADD, "1", "user 5"), TERM_OK);
    assert_int_equal(term_store_oplog_add(fx->st, 101, TERM_OP_ATTLOG_DELETE, "1", ""), TERM_OK);
    assert_int_equal(term_store_oplog_add(fx->st, 102, TERM_OP_USER_ADD, "1", ""), TERM_ERR_CAPACITY_OPLOG);
    assert_int_equal(term_store_oplog_add(fx->st, 102, (term_op)99, "1", ""), TERM_ERR_INVALID_ARGUMENT);
    char out[256] = "";
    assert_int_equal(term_store_oplog_each(fx->st, collect_op, out), TERM_OK);
    assert_string_equal(out, "100:add user:1:user 5;101:delete attendance log:1:;");
}

/* Settings persist; factory reset restores them and keeps everything else (manual 6.8). */
static void test_settings_and_factory_reset(void **state)
{
    fixture *fx = *state;
    term_settings s, fresh;
    term_settings_defaults(&fresh);
    assert_int_equal(term_store_settings_load(fx->st, &s), TERM_OK);
    assert_memory_equal(&s, &fresh, sizeof(s));
    assert_int_equal(term_settings_parse(&s, "authentication_timeout", "7"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "wifi_ssid", "IoT-Connect"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "auto_switch_2_enable", "on"), TERM_OK);
    assert_int_equal(term_settings_parse(&s, "server_address", "https://example.org/x"), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, &s), TERM_OK);
    reopen(fx);
    term_settings loaded;
    assert_int_equal(term_store_settings_load(fx->st, &loaded), TERM_OK);
    assert_memory_equal(&loaded, &s, sizeof(s));

    /* An inconsistent set is refused whole. */
    term_settings broken = s;
    assert_int_equal(term_settings_parse(&broken, "auto_switch_9_enable", "on"), TERM_OK);
    assert_int_equal(term_store_settings_save(fx->st, &broken), TERM_ERR_INCONSISTENT);
    assert_int_equal(term_store_settings_load(fx->st, &loaded), TERM_OK);
    assert_memory_equal(&loaded, &s, sizeof(s));

    add_user(fx, "1", "Ann");
    assert_int_equal(term_store_card_set(fx->st, "1", 42), TERM_OK);
    term_record r = {.time = 5, .uid = "1", .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_NONE};
    assert_int_equal(term_store_record_add(fx->st, &r, NULL), TERM_OK);
    assert_int_equal(term_store_oplog_add(fx->st, 6, TERM_OP_SETTINGS_CHANGE, "1", ""), TERM_OK);
    term_store_counts before, after;
    assert_int_equal(term_store_counts_get(fx->st, &before), TERM_OK);

    assert_int_equal(term_store_factory_reset(fx->st), TERM_OK);
    reopen(fx);
    assert_int_equal(term_store_settings_load(fx->st, &loaded), TERM_OK);
    assert_memory_equal(&loaded, &fresh, sizeof(fresh));
    assert_int_equal(term_store_counts_get(fx->st, &after), TERM_OK);
    assert_memory_equal(&before, &after, sizeof(before));
    assert_int_equal(after.users, 1);
    assert_int_equal(after.cards, 1);
    assert_int_equal(after.records, 1);
}

static void test_capacity_users(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_users = 3;
    reopen(fx);
    add_user(fx, "1", "a");
    add_user(fx, "2", "b");
    term_user u = make_user("3", "c", TERM_PRIV_ADMIN);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    u = make_user("4", "d", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_CAPACITY_USERS);
    assert_string_equal(term_status_message(TERM_ERR_CAPACITY_USERS), "user storage is full");
    term_store_counts c;
    assert_int_equal(term_store_counts_get(fx->st, &c), TERM_OK);
    assert_int_equal(c.users, 3);
    assert_int_equal(c.admins, 1);
}

/* ------------------------------------------------------------------------ */
/* User ids: one user per number (issue 17)                                 */
/* ------------------------------------------------------------------------ */

static int count_record(void *ctx, int64_t id, const term_record *rec)
{
    (void)id;
    (void)rec;
    (*(int *)ctx)++;
    return 0;
}

static void test_user_id_forms(void **state)
{
    fixture *fx = *state;
    term_user u = make_user("007", "Bond", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    term_user_info info;
    static const char *const forms[] = {"7", "07", "007", "0000007"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        assert_int_equal(term_store_user_get(fx->st, forms[i], &info), TERM_OK);
        assert_string_equal(info.id, "7"); /* stored in canonical form */
        u = make_user(forms[i], "Twin", TERM_PRIV_USER);
        assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_DUPLICATE_USER);
    }
    /* the documented range */
    static const struct {
        const char *id;
        term_status want;
    } adds[] = {{"0", TERM_ERR_USER_ID_RANGE},
                {"000", TERM_ERR_USER_ID_RANGE},
                {"1000000000", TERM_ERR_USER_ID_RANGE},
                {"18446744073709551615", TERM_ERR_USER_ID_RANGE},
                {"999999999", TERM_OK}};
    for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
        u = make_user(adds[i].id, "Edge", TERM_PRIV_USER);
        assert_int_equal(term_store_user_add(fx->st, &u), adds[i].want);
    }
    assert_string_equal(term_status_message(TERM_ERR_USER_ID_RANGE), "a numeric user id must be 1-999999999");

    /* credentials and records name the user in any form */
    assert_int_equal(term_store_card_set(fx->st, "0007", 7007), TERM_OK);
    char owner[TERM_USER_ID_MAX + 1];
    assert_int_equal(term_store_card_find(fx->st, 7007, owner), TERM_OK);
    assert_string_equal(owner, "7");
    assert_int_equal(term_store_pin_set(fx->st, "07", "1234"), TERM_OK);
    assert_int_equal(term_store_pin_check(fx->st, "7", "1234"), TERM_OK);
    term_record r = {.time = 1000, .uid = "007", .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_NONE};
    assert_int_equal(term_store_record_add(fx->st, &r, NULL), TERM_OK);
    int n = 0;
    assert_int_equal(term_store_record_query(fx->st, "7", 0, 2000, count_record, &n), TERM_OK);
    assert_int_equal(n, 1);

    /* A user stored as "0042" by earlier firmware stays readable and is the same user as 42. */
    sqlite3_exec_raw(fx, "INSERT INTO users (id, name, privilege) VALUES ('0042', 'Legacy', 0)");
    sqlite3_exec_raw(fx, "INSERT INTO records (time, uid, verify, state) VALUES (1500, '0042', 2, 0)");
    assert_int_equal(term_store_user_get(fx->st, "42", &info), TERM_OK);
    assert_string_equal(info.id, "0042");
    assert_int_equal(term_store_user_get(fx->st, "0042", &info), TERM_OK);
    u = make_user("42", "New", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_ERR_DUPLICATE_USER);
    assert_int_equal(term_store_card_set(fx->st, "42", 4242), TERM_OK);
    assert_int_equal(term_store_card_find(fx->st, 4242, owner), TERM_OK);
    assert_string_equal(owner, "0042");
    r.time = 1600;
    snprintf(r.uid, sizeof(r.uid), "42");
    assert_int_equal(term_store_record_add(fx->st, &r, NULL), TERM_OK);
    n = 0;
    assert_int_equal(term_store_record_query(fx->st, "042", 0, 2000, count_record, &n), TERM_OK);
    assert_int_equal(n, 2); /* the old record and the new one, both under the stored id */
    assert_int_equal(term_store_user_delete(fx->st, "42"), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "0042", &info), TERM_ERR_NOT_FOUND);

    /* ids with letters are kept as typed */
    alphanumeric_ids_on(fx);
    u = make_user("0AB", "Letters", TERM_PRIV_USER);
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "0AB", &info), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "AB", &info), TERM_ERR_NOT_FOUND);
    u = make_user("0008", "Digits", TERM_PRIV_USER); /* digits only: still a number */
    assert_int_equal(term_store_user_add(fx->st, &u), TERM_OK);
    assert_int_equal(term_store_user_get(fx->st, "8", &info), TERM_OK);
    assert_string_equal(info.id, "8");
}

/* ------------------------------------------------------------------------ */
/* Boot: key file, empty database (issue 17)                                */
/* ------------------------------------------------------------------------ */

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static void test_key_file_rules(void **state)
{
    fixture *fx = *state;
    add_user(fx, "1", "Ann");
    term_store_close(fx->st);
    fx->st = NULL;
    term_store *st = NULL;

    /* Missing beside an existing database: refused, and no key is made even when create_key asks. */
    char saved[320];
    snprintf(saved, sizeof(saved), "%s/saved.key", fx->dir);
    assert_int_equal(rename(fx->key, saved), 0);
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_ERR_KEY_MISSING);
    assert_null(st);
    assert_int_equal(access(fx->key, F_OK), -1);
    assert_int_equal(rename(saved, fx->key), 0);

    /* Permissions: nothing for the group or others. */
    static const struct {
        mode_t mode;
        term_status want;
    } modes[] = {{0666, TERM_ERR_KEY_UNSAFE},
                 {0602, TERM_ERR_KEY_UNSAFE},
                 {0620, TERM_ERR_KEY_UNSAFE},
                 {0644, TERM_ERR_KEY_UNSAFE},
                 {0640, TERM_ERR_KEY_UNSAFE},
                 {0604, TERM_ERR_KEY_UNSAFE},
                 {0400, TERM_OK},
                 {0600, TERM_OK}};
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        assert_int_equal(chmod(fx->key, modes[i].mode), 0);
        term_status got = term_store_open(&fx->cfg, &st);
        if (got != modes[i].want)
            fail_msg("key mode %04o: %s, want %s", (unsigned)modes[i].mode, term_status_name(got),
                     term_status_name(modes[i].want));
        term_store_close(st);
        st = NULL;
    }
    /* Owned by somebody else (only root can give a file away). */
    if (geteuid() == 0) {
        assert_int_equal(chown(fx->key, 4321, 4321), 0);
        assert_int_equal(term_store_open(&fx->cfg, &st), TERM_ERR_KEY_UNSAFE);
        assert_int_equal(chown(fx->key, 0, 0), 0);
    }
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    term_user_info info;
    assert_int_equal(term_store_user_get(fx->st, "1", &info), TERM_OK);
}

static void test_empty_database(void **state)
{
    fixture *fx = *state;
    term_store_close(fx->st);
    fx->st = NULL;
    term_store *st = NULL;

    /* A 0-byte file is not a new device: refused, left as it is, no key made. */
    remove_files(fx);
    assert_int_equal(mkdir(fx->dir, 0700), 0);
    int fd = open(fx->db, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_ERR_DB_EMPTY);
    assert_null(st);
    assert_int_equal(file_size(fx->db), 0);
    assert_int_equal(access(fx->key, F_OK), -1);

    /* A real encrypted database without the terminal's tables: refused too. */
    unlink(fx->db);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK); /* first boot: key and schema */
    sqlite3_exec_raw(fx, "DROP TABLE pins; DROP TABLE cards; DROP TABLE fingers; DROP TABLE users;"
                         " DROP TABLE records; DROP TABLE oplog; DROP TABLE settings; PRAGMA user_version = 0;");
    term_store_close(fx->st);
    fx->st = NULL;
    off_t size = file_size(fx->db);
    assert_true(size > 0);
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_ERR_DB_EMPTY);
    assert_int_equal(file_size(fx->db), size);

    /* No database but its write-ahead log: somebody removed the file; refused, nothing made. */
    unlink(fx->db);
    char wal[320];
    snprintf(wal, sizeof(wal), "%s-wal", fx->db);
    fd = open(wal, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "WAL?", 4), 4);
    close(fd);
    assert_int_equal(term_store_open(&fx->cfg, &st), TERM_ERR_DB_ORPHAN_WAL);
    assert_int_equal(access(fx->db, F_OK), -1);
    unlink(wal);

    /* Only a missing database is a first boot; a first boot cut short leaves "<db>.new", never "<db>". */
    char tmp[320];
    snprintf(tmp, sizeof(tmp), "%s.new", fx->db);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(term_store_integrity_check(fx->st), TERM_OK);
}

/* ------------------------------------------------------------------------ */
/* Disk full, on a real full file system (issue 17)                         */
/* ------------------------------------------------------------------------ */

/* Child of test_disk_full: exit 0 when every check held, 77 when no tmpfs could be made. */
static int disk_full_child(fixture *fx, int out)
{
    if (termt_private_tmpfs(fx->dir, "384k") != 0) return 77;
    term_store *st = NULL;
    if (term_store_open(&fx->cfg, &st) != TERM_OK) return 10;
    term_user u = make_user("1", "Ann", TERM_PRIV_ADMIN);
    if (term_store_user_add(st, &u) != TERM_OK) return 11;
    /* punches until the file system is full */
    long acked = 0;
    term_status status = TERM_OK;
    for (long i = 0; i < 1000000 && status == TERM_OK; i++) {
        term_record r = {.time = 1000 + i, .uid = "1", .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_CHECK_IN};
        status = term_store_record_add(st, &r, NULL);
        if (status == TERM_OK) acked++;
    }
    dprintf(out, "disk full: %ld punches stored, then %s\n", acked, term_status_name(status));
    if (status != TERM_ERR_STORAGE_FULL) return 12;
    if (strcmp(term_status_message(status), "storage full: nothing written, stored data intact") != 0) return 13;
    /* every write says so, and none of them goes half way */
    term_user v = make_user("2", "Bob", TERM_PRIV_USER);
    status = term_store_user_add(st, &v);
    if (status != TERM_ERR_STORAGE_FULL && status != TERM_OK) return 14;
    term_store_counts c;
    if (term_store_counts_get(st, &c) != TERM_OK || (long)c.records != acked) return 15;
    term_store_close(st);
    /* after a restart on the still-full disk, nothing acknowledged is missing */
    if (term_store_open(&fx->cfg, &st) != TERM_OK) return 16;
    if (term_store_counts_get(st, &c) != TERM_OK || (long)c.records != acked) return 17;
    if (term_store_integrity_check(st) != TERM_OK) return 18;
    term_store_close(st);
    return 0;
}

static int disk_full_run(void *ctx, int out)
{
    return disk_full_child(ctx, out);
}

static void test_disk_full(void **state)
{
    fixture *fx = *state;
    term_store_close(fx->st);
    fx->st = NULL;
    remove_files(fx);
    assert_int_equal(mkdir(fx->dir, 0700), 0);
    int rc = termt_run_on_tmpfs("disk full", disk_full_run, fx);
    if (rc != 0) fail_msg("disk full check %d failed", rc);
    /* the tmpfs went with the child's namespace: the fixture's store again, for teardown */
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
}

/* ------------------------------------------------------------------------ */
/* Power cut                                                                */
/* ------------------------------------------------------------------------ */

typedef struct ack {
    int64_t id;
    int64_t seq;
} ack;

#define POWER_ROUNDS 6
#define POWER_BASE(round) ((int64_t)(round + 1) * 100000000LL)

/* Shared with the child, so the parent knows what it was doing when killed. */
typedef struct writer_state {
    volatile int64_t started; /* record_add calls begun */
    volatile int inside;      /* 1 while inside record_add */
} writer_state;

/* The child: bursts of punches, each acknowledged after its commit returned. */
static void power_writer(const term_store_config *cfg, int fd, int round, writer_state *ws)
{
    term_store *st = NULL;
    if (term_store_open(cfg, &st) != TERM_OK) _exit(3);
    for (int64_t seq = 0;; seq++) {
        term_record r = {.time = POWER_BASE(round) + seq, .verify = TERM_VERIFY_CARD, .state = TERM_PUNCH_CHECK_IN};
        snprintf(r.uid, sizeof(r.uid), "%d", (int)(seq % 50) + 1);
        ack a = {0, seq};
        ws->started = seq + 1;
        ws->inside = 1;
        term_status status = term_store_record_add(st, &r, &a.id);
        ws->inside = 0;
        if (status != TERM_OK) _exit(4);
        if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a)) _exit(5);
        if (seq % 25 == 24) usleep((useconds_t)(500 + (seq * 7919) % 3000)); /* gap between bursts */
    }
}

typedef struct seen {
    int64_t *ids;
    int64_t *times;
    size_t n, cap;
} seen;

static int collect_seen(void *ctx, int64_t id, const term_record *rec)
{
    seen *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->ids = realloc(s->ids, s->cap * sizeof(*s->ids));
        s->times = realloc(s->times, s->cap * sizeof(*s->times));
        assert_non_null(s->ids);
        assert_non_null(s->times);
    }
    s->ids[s->n] = id;
    s->times[s->n] = rec->time;
    s->n++;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void test_power_cut(void **state)
{
    fixture *fx = *state;
    fx->cfg.profile.max_records = 1000000;
    term_store_close(fx->st);
    fx->st = NULL;
    uint32_t rng = 20261124u;
    long total_acked = 0, total_found = 0, total_written = 0;
    int kills_inside = 0;
    writer_state *ws = mmap(NULL, sizeof(*ws), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(ws != MAP_FAILED);
    printf("power cut: db %s\n", fx->db);

    for (int round = 0; round < POWER_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        ws->started = 0;
        ws->inside = 0;
        fflush(stdout);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            power_writer(&fx->cfg, fds[1], round, ws);
            _exit(0);
        }
        close(fds[1]);
        rng = rng * 1664525u + 1013904223u;
        uint32_t run_ms = 150 + (rng >> 8) % 900; /* after the first ack */

        size_t cap = 1 << 16, n = 0;
        ack *acks = malloc(cap * sizeof(*acks));
        assert_non_null(acks);
        uint8_t partial[sizeof(ack)];
        size_t have = 0;
        uint64_t deadline = 0;
        int killed = 0, eof = 0;
        while (!eof) {
            if (!killed && deadline && now_ms() >= deadline) {
                /* The parent wakes when an ack arrives, so killing at once
                 * would always hit the child just after a commit. A random
                 * sub-commit wait spreads the kills over its whole loop. */
                rng = rng * 1664525u + 1013904223u;
                struct timespec pause = {0, (long)((rng >> 8) % 1000) * 1000L};
                nanosleep(&pause, NULL);
                kill(pid, SIGKILL);
                killed = 1;
            }
            struct pollfd p = {fds[0], POLLIN, 0};
            int pr = poll(&p, 1, killed ? 1000 : 5);
            if (pr < 0 && errno == EINTR) continue;
            if (pr <= 0) continue;
            ssize_t got = read(fds[0], partial + have, sizeof(partial) - have);
            if (got <= 0) {
                eof = 1;
                break;
            }
            have += (size_t)got;
            if (have == sizeof(ack)) {
                if (n == cap) {
                    cap *= 2;
                    acks = realloc(acks, cap * sizeof(*acks));
                    assert_non_null(acks);
                }
                memcpy(&acks[n++], partial, sizeof(ack));
                have = 0;
                if (!deadline) deadline = now_ms() + run_ms;
            }
        }
        close(fds[0]);
        int wstatus = 0;
        assert_int_equal(waitpid(pid, &wstatus, 0), pid);
        assert_true(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);

        /* Reopen as the terminal would after power returns. */
        assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
        assert_int_equal(term_store_integrity_check(fx->st), TERM_OK);
        seen s = {0};
        assert_int_equal(
            term_store_record_query(fx->st, NULL, POWER_BASE(round), POWER_BASE(round + 1) - 1, collect_seen, &s),
            TERM_OK);
        /* Every acknowledged punch is there, with its id and its content. */
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            while (j < s.n && s.ids[j] < acks[i].id) j++;
            if (j >= s.n || s.ids[j] != acks[i].id || s.times[j] != POWER_BASE(round) + acks[i].seq)
                fail_msg("round %d: acknowledged record id %lld (seq %lld) lost", round, (long long)acks[i].id,
                         (long long)acks[i].seq);
        }
        /* Nothing appears that was never started; the one punch in flight
         * may or may not have committed (its ack died with the process). */
        int64_t started = ws->started;
        assert_true(s.n >= n && (int64_t)s.n <= started && started <= (int64_t)n + 1);
        kills_inside += ws->inside;
        printf("power cut round %d: killed after %u ms %s; punches started %lld, acknowledged %zu, found %zu\n", round,
               run_ms, ws->inside ? "inside a commit" : "between commits", (long long)started, n, s.n);
        total_acked += (long)n;
        total_found += (long)s.n;
        total_written += (long)started;
        free(s.ids);
        free(s.times);
        free(acks);
        term_store_close(fx->st);
        fx->st = NULL;
    }
    printf("power cut total: %d kills (%d inside a commit), punches written %ld, acknowledged %ld, found %ld, "
           "acknowledged but lost 0\n",
           POWER_ROUNDS, kills_inside, total_written, total_acked, total_found);
    munmap(ws, sizeof(*ws));
    assert_true(total_acked > 0);
    assert_int_equal(term_store_open(&fx->cfg, &fx->st), TERM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_and_encryption, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_cost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fingers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oplog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_and_factory_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_id_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
