/*
 * term_check_bench.c - what the boot check costs on a full M1 database
 * (docs/terminal.md, "Boot checks"): PRAGMA quick_check against PRAGMA
 * integrity_check, and the time to open the store.
 *
 *   term-check-bench [--dir out/term-check-bench] [--users 3000] [--records 100000] [--runs 5]
 *
 * The database is built once in DIR (and reused while its sizes match):
 * `users` users, each with a card and a fingerprint template of 60
 * minutiae, `records` attendance records and 10,000 operation-log entries
 * (the M1 profile's limits), written through the store like the terminal
 * writes them (records and log in bulk transactions, to build it fast).
 * Prints the median and the slowest of `runs` timings, with the file's
 * size; the file is in the page cache, as it is at a warm start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "fp/fp.h"
#include "term_bench_util.h"
#include "term_store.h"

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

static int make_template(uint32_t seed, uint8_t *buf, size_t cap, size_t *len)
{
    fp_minutia m[60];
    uint32_t x = seed * 2654435761u + 7;
    for (int i = 0; i < 60; i++) {
        m[i].x = (uint16_t)(20 + lcg(&x) % 260);
        m[i].y = (uint16_t)(20 + lcg(&x) % 360);
        m[i].angle = (uint8_t)lcg(&x);
        m[i].type = (uint8_t)(1 + lcg(&x) % 2);
        m[i].quality = 80;
        m[i].reserved = 0;
    }
    fp_template *t = NULL;
    if (fp_template_create(300, 400, 500, m, 60, 70, &t) != FP_OK) return -1;
    fp_status st = fp_template_serialize(t, FP_FORMAT_NATIVE, buf, cap, len);
    fp_template_destroy(t);
    return st == FP_OK ? 0 : -1;
}

static int bulk(term_store *st, const char *sql, long n, int oplog)
{
    sqlite3 *db = term_store_db(st);
    sqlite3_stmt *q = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return -1;
    for (long i = 0; i < n; i++) {
        char uid[16];
        snprintf(uid, sizeof(uid), "%ld", 1 + i % 3000);
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, 1729800000 + i * 37);
        sqlite3_bind_text(q, 2, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 3, oplog ? 1 + (int)(i % 11) : 1 + (int)(i % 3));
        sqlite3_bind_int(q, 4, (int)(i % 7));
        if (sqlite3_step(q) != SQLITE_DONE) return -1;
    }
    sqlite3_finalize(q);
    return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int build(const term_store_config *cfg, unsigned users, long records)
{
    term_store *st = NULL;
    term_status s = term_store_open(cfg, &st);
    if (s != TERM_OK) {
        fprintf(stderr, "term-check-bench: %s: %s\n", cfg->db_path, term_status_message(s));
        return -1;
    }
    for (unsigned i = 1; i <= users && s == TERM_OK; i++) {
        term_user u = {.privilege = i == 1 ? TERM_PRIV_ADMIN : TERM_PRIV_USER};
        snprintf(u.id, sizeof(u.id), "%u", i);
        snprintf(u.name, sizeof(u.name), "Employee %u", i);
        uint8_t tmpl[4096];
        size_t len = 0;
        s = term_store_user_add(st, &u);
        if (s == TERM_OK) s = term_store_card_set(st, u.id, 100000 + i);
        if (s == TERM_OK && make_template(i, tmpl, sizeof(tmpl), &len) != 0) s = TERM_ERR_BAD_TEMPLATE;
        if (s == TERM_OK) s = term_store_finger_set(st, u.id, 0, tmpl, len);
    }
    if (s == TERM_OK &&
        (bulk(st, "INSERT INTO records (time, uid, verify, state) VALUES (?1, ?2, ?3, ?4)", records, 0) != 0 ||
         bulk(st, "INSERT INTO oplog (time, operator, op, detail) VALUES (?1, ?2, ?3, ?4)", 10000, 1) != 0))
        s = TERM_ERR_DATABASE;
    term_store_close(st);
    if (s != TERM_OK) fprintf(stderr, "term-check-bench: building: %s\n", term_status_message(s));
    return s == TERM_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *dir = "out/term-check-bench";
    unsigned users = 3000, runs = 5;
    long records = 100000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--users") == 0 && i + 1 < argc)
            users = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--records") == 0 && i + 1 < argc)
            records = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: term-check-bench [--dir DIR] [--users N] [--records N] [--runs N]\n");
            return 2;
        }
    }
    if (users < 1 || users > 3000 || records < 0 || records > 100000 || runs < 1 || runs > 100) {
        fprintf(stderr, "term-check-bench: --users 1..3000, --records 0..100000, --runs 1..100\n");
        return 2;
    }
    char db[4096], key[4096];
    /* the folder and its parents ("out/" of a fresh checkout) */
    snprintf(db, sizeof(db), "%s", dir);
    for (char *p = db + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(db, 0700);
            *p = '/';
        }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "term-check-bench: cannot create %s: %s\n", dir, strerror(errno));
        return 3;
    }
    snprintf(db, sizeof(db), "%s/u%u-r%ld.db", dir, users, records);
    snprintf(key, sizeof(key), "%s/device.key", dir);
    term_store_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.db_path = db;
    cfg.key_path = key;
    cfg.create_key = 1;
    term_device_profile_m1(&cfg.profile);
    struct stat sb;
    if (stat(db, &sb) != 0) {
        printf("building %s: %u users with a card and a finger, %ld records, 10000 log entries\n", db, users, records);
        double t0 = term_bench_now_ms();
        if (build(&cfg, users, records) != 0) return 3;
        printf("  built in %.1f s\n", (term_bench_now_ms() - t0) / 1e3);
        if (stat(db, &sb) != 0) return 3;
    }
    double *t[3];
    for (int k = 0; k < 3; k++) t[k] = calloc(runs, sizeof(double));
    if (!t[0] || !t[1] || !t[2]) return 3;
    for (unsigned r = 0; r < runs; r++) {
        term_store *st = NULL;
        double t0 = term_bench_now_ms();
        term_status s = term_store_open(&cfg, &st);
        double t1 = term_bench_now_ms();
        if (s == TERM_OK) s = term_store_check(st, TERM_STORE_CHECK_QUICK);
        double t2 = term_bench_now_ms();
        if (s == TERM_OK) s = term_store_check(st, TERM_STORE_CHECK_FULL);
        double t3 = term_bench_now_ms();
        term_store_close(st);
        if (s != TERM_OK) {
            fprintf(stderr, "term-check-bench: %s\n", term_status_message(s));
            return 1;
        }
        t[0][r] = t1 - t0;
        t[1][r] = t2 - t1;
        t[2][r] = t3 - t2;
    }
    static const char *const what[3] = {"open", "quick_check", "integrity_check"};
    printf("%s: %.1f MiB, %u runs\n", db, (double)sb.st_size / (1024.0 * 1024.0), runs);
    for (int k = 0; k < 3; k++) {
        qsort(t[k], runs, sizeof(double), term_bench_cmp_double);
        printf("  %-16s median %9.1f ms   slowest %9.1f ms\n", what[k], t[k][runs / 2], t[k][runs - 1]);
        free(t[k]);
    }
    return 0;
}
