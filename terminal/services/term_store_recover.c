/*
 * term_store_recover.c - what the terminal can still do with a damaged
 * database (docs/terminal.md, "Recovery"): move it aside without ever
 * deleting it, copy every row that can still be read into a new database,
 * export the readable users and records, and the menu lock of a database
 * rebuilt without an administrator.
 *
 * SQLCipher checks each page's HMAC when it reads it, so a row that reads
 * back is the row that was written; a damaged page fails as a whole. The
 * readers below go through a table in rowid order and, at a page that
 * fails, look for the first rowid after it that can be read.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "term_calendar.h"
#include "term_store.h"
#include "term_store_internal.h"

/* ------------------------------------------------------------------------ */
/* Moving a database aside                                                  */
/* ------------------------------------------------------------------------ */

/* rename that never replaces an existing file (EEXIST instead). */
static int rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* a file system without RENAME_NOREPLACE: link() refuses an existing name too */
    if (link(from, to) != 0) return -1;
    return unlink(from);
}

static const char *const db_suffixes[] = {"", "-wal", "-shm", "-journal"};
#define DB_SUFFIXES (sizeof(db_suffixes) / sizeof(db_suffixes[0]))

term_status term_store_set_aside(const char *db_path, int64_t local_time, char *aside, size_t cap)
{
    if (db_path == NULL || aside == NULL || cap == 0) return TERM_ERR_INVALID_ARGUMENT;
    char from[DB_SUFFIXES][4200];
    int present[DB_SUFFIXES], any = 0;
    for (size_t i = 0; i < DB_SUFFIXES; i++) {
        struct stat sb;
        if (snprintf(from[i], sizeof(from[i]), "%s%s", db_path, db_suffixes[i]) >= (int)sizeof(from[i]))
            return TERM_ERR_INVALID_ARGUMENT;
        present[i] = lstat(from[i], &sb) == 0;
        if (!present[i] && errno != ENOENT) return TERM_ERR_IO;
        any |= present[i];
    }
    if (!any) return TERM_ERR_NOT_FOUND;
    int64_t secs, y, m, d;
    term_civil_from_days(term_days_of(local_time, &secs), &y, &m, &d);
    /* A name none of whose four files exists. The files keep their
     * suffixes, so SQLite finds the -wal (committed changes not yet copied
     * into the main file) when the aside copy is opened. */
    char base[4200], to[DB_SUFFIXES][4200 + 16];
    int found = 0;
    for (int n = 1; n < 100 && !found; n++) {
        int len = snprintf(base, sizeof(base), "%s.damaged-%04lld%02lld%02lld-%02lld%02lld%02lld", db_path,
                           (long long)y, (long long)m, (long long)d, (long long)(secs / 3600),
                           (long long)(secs / 60 % 60), (long long)(secs % 60));
        if (n > 1 && len > 0 && (size_t)len < sizeof(base))
            len += snprintf(base + len, sizeof(base) - (size_t)len, "-%d", n);
        if (len < 0 || (size_t)len + 16 >= sizeof(base) || (size_t)len >= cap) return TERM_ERR_INVALID_ARGUMENT;
        found = 1;
        for (size_t i = 0; i < DB_SUFFIXES; i++) {
            snprintf(to[i], sizeof(to[i]), "%s%s", base, db_suffixes[i]);
            if (access(to[i], F_OK) == 0) found = 0;
        }
    }
    if (!found) return TERM_ERR_IO;
    /* The main file first: once it has moved, no start can open the damaged file as the database again
     * (a -wal left behind by a power cut here is refused at the next start, never replayed into a new file). */
    term_status status = TERM_OK;
    for (size_t i = 0; i < DB_SUFFIXES; i++)
        if (present[i] && rename_noreplace(from[i], to[i]) != 0) status = TERM_ERR_IO;
    snprintf(aside, cap, "%s", base);
    term_status synced = termi_sync_dir(db_path);
    return status != TERM_OK ? status : synced;
}

/* ------------------------------------------------------------------------ */
/* Reading what can be read                                                 */
/* ------------------------------------------------------------------------ */

/* Called for each readable row (column 0 is the rowid); non-zero stops the scan with that status. */
typedef term_status (*row_fn)(void *ctx, sqlite3_stmt *row);

/* Whether rows of `table` at or after rowid `from` can be reached: 1 yes, 0 there are none, -1 damaged. */
static int seek_ok(sqlite3 *db, const char *table, int64_t from, int64_t *first)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE rowid >= ?1 ORDER BY rowid LIMIT 1", table);
    sqlite3_stmt *stmt = NULL;
    int r = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, from);
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            *first = sqlite3_column_int64(stmt, 0);
            r = 1;
        } else if (rc == SQLITE_DONE) {
            r = 0;
        }
    }
    sqlite3_finalize(stmt);
    return r;
}

/*
 * After a failure past rowid `last`: the first rowid after the damaged
 * part that can be read (in *next), found by doubling steps and then
 * halving them back. 0 when nothing readable follows.
 */
static int skip_damage(sqlite3 *db, const char *table, int64_t last, int64_t *next)
{
    int64_t first = 0, probe = 0;
    int64_t step = 1;
    for (;;) {
        if (__builtin_add_overflow(last, step, &probe)) return 0;
        int r = seek_ok(db, table, probe, &first);
        if (r == 0) return 0;
        if (r == 1) break;
        if (step > INT64_MAX / 2) return 0;
        step *= 2;
    }
    /* seeking at probe works; narrow down to the first readable rowid after the damage */
    int64_t lo = last, hi = probe; /* the rows after lo are where seeking failed */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2, f = 0;
        int r = seek_ok(db, table, mid, &f);
        if (r == -1) {
            lo = mid;
        } else {
            hi = mid;
            if (r == 1) first = f;
        }
    }
    int r = seek_ok(db, table, hi, next);
    if (r == -1) *next = first; /* a page that reads only some of the time: go on from the probe's row */
    return r != 0;
}

/*
 * Calls fn for every readable row of `SELECT rowid, <cols> FROM <table>`,
 * in rowid order. *damaged is set when a damaged page was met (the rows
 * on it are missing). Returns the status fn stopped with, or TERM_OK.
 */
static term_status scan_table(sqlite3 *db, const char *table, const char *cols, row_fn fn, void *ctx, int *damaged)
{
    char sql[400];
    snprintf(sql, sizeof(sql), "SELECT rowid, %s FROM %s WHERE rowid >= ?1 ORDER BY rowid", cols, table);
    int64_t from = INT64_MIN;
    for (;;) {
        sqlite3_stmt *stmt = NULL;
        int64_t last = from;
        int seen = 0, rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(stmt, 1, from);
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
                last = sqlite3_column_int64(stmt, 0);
                seen = 1;
                term_status st = fn(ctx, stmt);
                if (st != TERM_OK) {
                    sqlite3_finalize(stmt);
                    return st;
                }
            }
        }
        sqlite3_finalize(stmt);
        if (rc == SQLITE_DONE) return TERM_OK;
        *damaged = 1;
        /* the first row after `bad` failed to read: go on after the damaged part */
        int64_t bad = seen ? last : (from == INT64_MIN ? from : from - 1), next = 0;
        if (!skip_damage(db, table, bad, &next)) return TERM_OK;
        if (next <= from) { /* the row at `from` itself cannot be read (its overflow page): skip it */
            if (from == INT64_MAX) return TERM_OK;
            next = from + 1;
        }
        from = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Salvage into a new database                                              */
/* ------------------------------------------------------------------------ */

typedef struct copy_ctx {
    sqlite3 *dst;
    sqlite3_stmt *insert;
    int ncols;
    uint32_t copied, refused;
} copy_ctx;

static term_status copy_row(void *ctx, sqlite3_stmt *row)
{
    copy_ctx *c = ctx;
    sqlite3_reset(c->insert);
    for (int i = 0; i < c->ncols; i++) sqlite3_bind_value(c->insert, i + 1, sqlite3_column_value(row, i + 1));
    int rc = sqlite3_step(c->insert);
    if (rc == SQLITE_DONE) {
        c->copied++;
        return TERM_OK;
    }
    if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
        c->refused++; /* a credential whose user was lost, a duplicate: left in the kept file */
        return TERM_OK;
    }
    return termi_map_rc(rc);
}

static const struct salvage_table {
    const char *name, *cols;
    int ncols;
} salvage_tables[] = {
    /* users before the rows that refer to them */
    {"settings", "name, value", 2},
    {"users", "id, name, privilege", 3},
    {"pins", "uid, salt, hash, iterations", 4},
    {"cards", "uid, card", 2},
    {"fingers", "uid, idx, template", 3},
    {"records", "id, time, uid, verify, state", 5},
    {"oplog", "id, time, op, operator, detail", 5},
};

static term_status exec_dst(sqlite3 *db, const char *sql)
{
    return termi_map_rc(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

static term_status copy_table(sqlite3 *dst, sqlite3 *src, const struct salvage_table *t, uint32_t *copied,
                              term_store_salvage_report *rep)
{
    char sql[300];
    snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES (?1, ?2%s%s%s)", t->name, t->cols,
             t->ncols > 2 ? ", ?3" : "", t->ncols > 3 ? ", ?4" : "", t->ncols > 4 ? ", ?5" : "");
    copy_ctx c = {dst, NULL, t->ncols, 0, 0};
    term_status status = exec_dst(dst, "BEGIN IMMEDIATE");
    if (status != TERM_OK) return status;
    status = termi_map_rc(sqlite3_prepare_v2(dst, sql, -1, &c.insert, NULL));
    int damaged = 0;
    if (status == TERM_OK) status = scan_table(src, t->name, t->cols, copy_row, &c, &damaged);
    sqlite3_finalize(c.insert);
    if (status == TERM_OK) status = exec_dst(dst, "COMMIT");
    if (status != TERM_OK) {
        sqlite3_exec(dst, "ROLLBACK", NULL, NULL, NULL);
        return status;
    }
    *copied = c.copied;
    rep->refused += c.refused;
    rep->damaged_tables += (uint32_t)damaged;
    return TERM_OK;
}

/* Ids are never reused, not even across a rebuild: the AUTOINCREMENT counters come along. */
static term_status copy_sequences(sqlite3 *dst, sqlite3 *src)
{
    sqlite3_stmt *q = NULL, *up = NULL, *ins = NULL;
    term_status status = termi_map_rc(
        sqlite3_prepare_v2(dst, "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1", -1, &up, NULL));
    if (status == TERM_OK)
        status = termi_map_rc(
            sqlite3_prepare_v2(dst, "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)", -1, &ins, NULL));
    /* an unreadable counter is no loss: the copied rows' ids already set it at least as high */
    if (status == TERM_OK &&
        sqlite3_prepare_v2(src, "SELECT name, seq FROM sqlite_sequence", -1, &q, NULL) == SQLITE_OK) {
        while (status == TERM_OK && sqlite3_step(q) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(q, 0);
            if (name == NULL || (strcmp(name, "records") != 0 && strcmp(name, "oplog") != 0)) continue;
            sqlite3_reset(up);
            sqlite3_bind_text(up, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(up, 2, sqlite3_column_int64(q, 1));
            status = termi_map_rc(sqlite3_step(up));
            if (status == TERM_OK && sqlite3_changes(dst) == 0) {
                sqlite3_reset(ins);
                sqlite3_bind_text(ins, 1, name, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(ins, 2, sqlite3_column_int64(q, 1));
                status = termi_map_rc(sqlite3_step(ins));
            }
        }
    }
    sqlite3_finalize(q);
    sqlite3_finalize(up);
    sqlite3_finalize(ins);
    return status;
}

/*
 * The sync layer's upload watermarks (docs/sync.md "Outbox"): the highest
 * record and operation-log id the server acknowledged. They come along
 * when the old file still reads them, so the copied records the server
 * already took are not sent again (a server that does not de-duplicate
 * would store them twice); what cannot be read leaves the new database
 * without them, and everything copied goes up again (at least once beats
 * lost; each line carries its record id). The table is created as the sync
 * engine creates it.
 */
static term_status copy_upload_marks(sqlite3 *dst, sqlite3 *src, uint32_t *copied)
{
    static const char *const keys[] = {"att_acked", "op_acked"};
    sqlite3_stmt *q = NULL, *ins = NULL;
    if (sqlite3_prepare_v2(src, "SELECT value FROM sync_state WHERE key = ?1", -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return TERM_OK; /* never synced, or unreadable */
    }
    term_status status = exec_dst(dst, "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY NOT NULL,"
                                       " value TEXT NOT NULL)");
    if (status == TERM_OK)
        status = termi_map_rc(
            sqlite3_prepare_v2(dst, "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)", -1, &ins, NULL));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && status == TERM_OK; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, keys[i], -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_type(q, 0) == SQLITE_NULL) continue;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_value(ins, 2, sqlite3_column_value(q, 0));
        status = termi_map_rc(sqlite3_step(ins));
        if (status == TERM_OK) (*copied)++;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    return status;
}

term_status term_store_salvage(term_store *dst, term_store *src, term_store_salvage_report *out)
{
    if (dst == NULL || src == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    sqlite3 *d = term_store_db(dst), *s = term_store_db(src);
    uint32_t *counts[] = {&out->settings, &out->users,   &out->pins, &out->cards,
                          &out->fingers,  &out->records, &out->oplog};
    term_status status = TERM_OK;
    for (size_t i = 0; i < sizeof(salvage_tables) / sizeof(salvage_tables[0]) && status == TERM_OK; i++)
        status = copy_table(d, s, &salvage_tables[i], counts[i], out);
    if (status == TERM_OK) status = copy_sequences(d, s);
    if (status == TERM_OK) status = copy_upload_marks(d, s, &out->upload_marks);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Export                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct export_ctx {
    FILE *f;
    sqlite3 *db;
    uint32_t rows;
    int write_failed;
} export_ctx;

/* A CSV field: quoted when it must be, and a leading = + - @ defused so a spreadsheet shows it as text. */
static void csv_field(FILE *f, const char *text, int last)
{
    if (text == NULL) text = "";
    int quote = strpbrk(text, ",\"\r\n") != NULL || strchr("=+-@", text[0]) != NULL;
    if (quote) fputc('"', f);
    if (text[0] != '\0' && strchr("=+-@", text[0]) != NULL) fputc('\'', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    if (quote) fputc('"', f);
    fputc(last ? '\n' : ',', f);
}

static term_status export_user(void *ctx, sqlite3_stmt *row)
{
    export_ctx *e = ctx;
    const char *uid = (const char *)sqlite3_column_text(row, 1);
    char card[24] = "";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(e->db, "SELECT card FROM cards WHERE uid = ?1", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, uid ? uid : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW)
            snprintf(card, sizeof(card), "%llu", (unsigned long long)(uint64_t)sqlite3_column_int64(q, 0));
    }
    sqlite3_finalize(q);
    csv_field(e->f, uid, 0);
    csv_field(e->f, (const char *)sqlite3_column_text(row, 2), 0);
    csv_field(e->f, sqlite3_column_int(row, 3) ? "Admin" : "Normal User", 0);
    csv_field(e->f, card, 1);
    e->rows++;
    return ferror(e->f) ? TERM_ERR_IO : TERM_OK;
}

static term_status export_record(void *ctx, sqlite3_stmt *row)
{
    export_ctx *e = ctx;
    int64_t t = sqlite3_column_int64(row, 2);
    int64_t secs, y, m, d;
    term_civil_from_days(term_days_of(t, &secs), &y, &m, &d);
    char id[24], when[96];
    snprintf(id, sizeof(id), "%lld", (long long)sqlite3_column_int64(row, 1));
    snprintf(when, sizeof(when), "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", (long long)y,
             (long long)m, (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
    int state = sqlite3_column_int(row, 5);
    csv_field(e->f, id, 0);
    csv_field(e->f, when, 0);
    csv_field(e->f, (const char *)sqlite3_column_text(row, 3), 0);
    csv_field(e->f, term_verify_type_name((term_verify_type)sqlite3_column_int(row, 4)), 0);
    csv_field(e->f, state >= 0 && state < TERM_PUNCH_STATE_COUNT ? term_punch_state_name((term_punch_state)state) : "?",
              1);
    e->rows++;
    return ferror(e->f) ? TERM_ERR_IO : TERM_OK;
}

/* Writes one CSV file of a table's readable rows; O_EXCL, synced before it counts as written. */
static term_status export_file(sqlite3 *db, const char *dir, const char *name, const char *header, const char *table,
                               const char *cols, row_fn fn, uint32_t *rows, uint32_t *damaged_tables)
{
    char path[4200];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) return TERM_ERR_INVALID_ARGUMENT;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return errno == ENOSPC ? TERM_ERR_STORAGE_FULL : TERM_ERR_IO;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return TERM_ERR_NO_MEMORY;
    }
    export_ctx e = {f, db, 0, 0};
    fputs(header, f);
    int damaged = 0;
    term_status status = scan_table(db, table, cols, fn, &e, &damaged);
    int err = fflush(f) != 0 || ferror(f) ? errno : 0;
    if (status == TERM_OK && err == 0 && fsync(fd) != 0) err = errno;
    if (fclose(f) != 0 && err == 0) err = errno;
    if (status == TERM_OK && err != 0) status = err == ENOSPC ? TERM_ERR_STORAGE_FULL : TERM_ERR_IO;
    *rows = e.rows;
    *damaged_tables += (uint32_t)damaged;
    return status;
}

term_status term_store_export_csv(term_store *st, const char *dir, term_store_export_report *out)
{
    if (st == NULL || dir == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (mkdir(dir, 0700) != 0) return errno == ENOSPC ? TERM_ERR_STORAGE_FULL : TERM_ERR_IO;
    sqlite3 *db = term_store_db(st);
    term_status status = export_file(db, dir, "users.csv", "user_id,name,role,card\n", "users", "id, name, privilege",
                                     export_user, &out->users, &out->damaged_tables);
    if (status == TERM_OK)
        status = export_file(db, dir, "records.csv", "record_id,time,user_id,verify,state\n", "records",
                             "id, time, uid, verify, state", export_record, &out->records, &out->damaged_tables);
    if (status == TERM_OK) status = termi_sync_dir(dir);
    char dirfile[4200];
    if (status == TERM_OK && snprintf(dirfile, sizeof(dirfile), "%s/.", dir) < (int)sizeof(dirfile))
        status = termi_sync_dir(dirfile);
    return status;
}

/* ------------------------------------------------------------------------ */
/* The menu lock of a rebuilt database                                      */
/* ------------------------------------------------------------------------ */

term_status term_store_restore_pending(term_store *st, int *pending)
{
    if (st == NULL || pending == NULL) return TERM_ERR_INVALID_ARGUMENT;
    *pending = 0;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(term_store_db(st), "SELECT value FROM store_meta WHERE name = 'restore_pending'", -1,
                                &q, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(q);
        /* no such table: this database was never rebuilt */
        return (rc & 0xFF) == SQLITE_ERROR ? TERM_OK : termi_map_rc(rc);
    }
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *pending = sqlite3_column_int(q, 0) != 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TERM_OK : termi_map_rc(rc);
}

term_status term_store_set_restore_pending(term_store *st, int pending)
{
    if (st == NULL) return TERM_ERR_INVALID_ARGUMENT;
    sqlite3 *db = term_store_db(st);
    term_status status = exec_dst(db, "CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY NOT NULL,"
                                      " value TEXT NOT NULL)");
    if (status == TERM_OK)
        status = exec_dst(db, pending ? "INSERT OR REPLACE INTO store_meta VALUES ('restore_pending', '1')"
                                      : "DELETE FROM store_meta WHERE name = 'restore_pending'");
    return status;
}
