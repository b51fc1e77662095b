/*
 * term_store.c - SQLCipher storage of the terminal.
 */
#include "term_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "fp/fp.h"
#include "term_store_internal.h"

#define TERM_KEY_BYTES 32
#define TERM_SALT_BYTES 16
#define TERM_HASH_BYTES 32
#define TERM_SCHEMA_VERSION 1

struct term_store {
    sqlite3 *db;
    term_device_profile profile;
    int alnum; /* cached "alphanumeric_user_id", for checking new ids */
};

/* One exit path per function: CHECK jumps to `done` with the status set. */
#define CHECK(expr)                                                                                                    \
    do {                                                                                                               \
        status = (expr);                                                                                               \
        if (status != TERM_OK) goto done;                                                                              \
    } while (0)

void term_device_profile_m1(term_device_profile *out)
{
    if (out == NULL) return;
    memset(out, 0, sizeof(*out));
    out->model = "M1";
    out->max_users = 3000;
    out->max_fingers = 3000;
    out->max_cards = 3000;
    out->max_records = 100000;
    out->max_oplog = 10000;
    out->pin_iterations = 100000;
}

const term_device_profile *term_store_profile(const term_store *st)
{
    return st ? &st->profile : NULL;
}

const char *term_op_name(term_op op)
{
    switch (op) {
#define TERM_OP_NAME_(name, num, text)                                                                                 \
    case TERM_OP_##name:                                                                                               \
        return text;
        TERM_OP_MAP(TERM_OP_NAME_)
#undef TERM_OP_NAME_
    }
    return "?";
}

term_status termi_map_rc(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return TERM_OK;
    case SQLITE_NOMEM:
        return TERM_ERR_NO_MEMORY;
    case SQLITE_FULL:
        return TERM_ERR_STORAGE_FULL; /* the statement was rolled back: nothing stored is lost */
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return TERM_ERR_IO;
    case SQLITE_CORRUPT:
        return TERM_ERR_CORRUPT;
    case SQLITE_NOTADB:
        return TERM_ERR_WRONG_KEY;
    default:
        return TERM_ERR_DATABASE;
    }
}

static term_status exec(term_store *st, const char *sql)
{
    return termi_map_rc(sqlite3_exec(st->db, sql, NULL, NULL, NULL));
}

static term_status prepare(term_store *st, const char *sql, sqlite3_stmt **out)
{
    *out = NULL;
    return termi_map_rc(sqlite3_prepare_v2(st->db, sql, -1, out, NULL));
}

/* Runs a statement that returns no rows (or whose rows are ignored). */
static term_status run(sqlite3_stmt *stmt)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    return termi_map_rc(rc);
}

static void bind_text(sqlite3_stmt *stmt, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, i);
}

/* One integer from a query with up to one text parameter. */
static term_status query_int(term_store *st, const char *sql, const char *arg, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, sql, &stmt));
    if (arg) bind_text(stmt, 1, arg);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

static term_status begin(term_store *st)
{
    /* IMMEDIATE takes the write lock first, so a capacity count and the
     * insert it allows cannot be split by another writer. */
    return exec(st, "BEGIN IMMEDIATE");
}

static term_status finish(term_store *st, term_status status)
{
    if (status == TERM_OK) {
        status = exec(st, "COMMIT");
        if (status == TERM_OK) return TERM_OK;
    }
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

static term_status user_exists(term_store *st, const char *uid)
{
    int64_t n = 0;
    term_status status = query_int(st, "SELECT count(*) FROM users WHERE id = ?1", uid, &n);
    if (status == TERM_OK && n == 0) status = TERM_ERR_NOT_FOUND;
    return status;
}

/* One text from a query with one text parameter, into out (cap bytes). */
static term_status query_text(term_store *st, const char *sql, const char *arg, char *out, size_t cap)
{
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, sql, &stmt));
    bind_text(stmt, 1, arg);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_TEXT)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(stmt, 0));
    else
        status = rc == SQLITE_DONE || rc == SQLITE_ROW ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

/*
 * The stored id of the user that uid names (docs/terminal.md, "User ids"):
 * uid itself when it is stored so, else its canonical form ("007" finds
 * user 7), else a stored all-digit id of the same number (user "007" kept
 * from earlier firmware is found as "7"). TERM_ERR_NOT_FOUND when nobody.
 */
static term_status resolve_uid(term_store *st, const char *uid, char out[TERM_USER_ID_MAX + 1])
{
    char canon[TERM_USER_ID_MAX + 1];
    if (uid == NULL || term_user_id_normalize(uid, 1, canon) != TERM_OK) return TERM_ERR_NOT_FOUND;
    term_status status = query_text(st, "SELECT id FROM users WHERE id = ?1", uid, out, TERM_USER_ID_MAX + 1);
    if (status == TERM_ERR_NOT_FOUND && strcmp(canon, uid) != 0)
        status = query_text(st, "SELECT id FROM users WHERE id = ?1", canon, out, TERM_USER_ID_MAX + 1);
    if (status == TERM_ERR_NOT_FOUND && canon[0] >= '0' && canon[0] <= '9' &&
        strspn(canon, "0123456789") == strlen(canon))
        status = query_text(st,
                            "SELECT id FROM users WHERE id GLOB '0*' AND id NOT GLOB '*[^0-9]*'"
                            " AND coalesce(nullif(ltrim(id, '0'), ''), '0') = ?1 ORDER BY id LIMIT 1",
                            canon, out, TERM_USER_ID_MAX + 1);
    return status;
}

term_status term_store_user_resolve(term_store *st, const char *uid, char out[TERM_USER_ID_MAX + 1])
{
    if (st == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    out[0] = '\0';
    if (uid == NULL || term_user_id_normalize(uid, 1, out) != TERM_OK) return TERM_ERR_BAD_USER_ID;
    char stored[TERM_USER_ID_MAX + 1];
    term_status status = resolve_uid(st, uid, stored);
    if (status == TERM_OK) memcpy(out, stored, sizeof(stored));
    return status;
}

/* For records, which outlive their user: the user's stored id, or the canonical form of uid. */
static void record_uid(term_store *st, const char *uid, char out[TERM_USER_ID_MAX + 1])
{
    if (resolve_uid(st, uid, out) == TERM_OK) return;
    if (term_user_id_normalize(uid, 1, out) != TERM_OK) snprintf(out, TERM_USER_ID_MAX + 1, "%s", uid);
}

/* Opens a function that names a user: uid becomes the stored id (in `id`) or the function returns. */
#define RESOLVE(st, uid, id)                                                                                           \
    char id[TERM_USER_ID_MAX + 1];                                                                                     \
    do {                                                                                                               \
        term_status resolved_ = resolve_uid((st), (uid), id);                                                          \
        if (resolved_ != TERM_OK) return resolved_;                                                                    \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Key file and opening                                                     */
/* ------------------------------------------------------------------------ */

term_status term_key_file_create(const char *path)
{
    if (path == NULL) return TERM_ERR_INVALID_ARGUMENT;
    uint8_t key[TERM_KEY_BYTES];
    if (RAND_bytes(key, sizeof(key)) != 1) return TERM_ERR_CRYPTO;
    term_status status = TERM_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        status = TERM_ERR_IO;
    } else {
        if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) != 0) status = TERM_ERR_IO;
        if (close(fd) != 0) status = TERM_ERR_IO;
        if (status == TERM_OK) status = termi_sync_dir(path);
        if (status != TERM_OK) unlink(path);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return status;
}

term_status termi_sync_dir(const char *path)
{
    /* A rename or a new file is durable once its directory entry is. */
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if ((size_t)(slash - path) < sizeof(dir))
        snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        return TERM_ERR_IO;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return TERM_ERR_IO;
    term_status status = fsync(fd) == 0 ? TERM_OK : TERM_ERR_IO;
    close(fd);
    return status;
}

/*
 * The key file rules (docs/terminal.md, "Boot checks"): a regular file of
 * exactly 32 bytes, owned by the user the terminal runs as, with no
 * permission for the group or others (0600 or 0400). A key others can
 * read gives the database away; one others can write lets them swap it.
 */
static term_status read_key(const char *path, int db_exists, uint8_t key[TERM_KEY_BYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT && db_exists ? TERM_ERR_KEY_MISSING : TERM_ERR_KEY_FILE;
    struct stat sb;
    term_status status = TERM_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size != TERM_KEY_BYTES)
        status = TERM_ERR_KEY_FILE;
    else if ((sb.st_mode & 077) != 0 || sb.st_uid != geteuid())
        status = TERM_ERR_KEY_UNSAFE;
    else if (read(fd, key, TERM_KEY_BYTES) != TERM_KEY_BYTES)
        status = TERM_ERR_KEY_FILE;
    close(fd);
    return status;
}

static term_status apply_key(term_store *st, const uint8_t key[TERM_KEY_BYTES])
{
    /* A raw key in the x'..' form skips SQLCipher's passphrase derivation:
     * the key file already holds 256 random bits. */
    static const char hex[] = "0123456789abcdef";
    char sql[32 + 2 * TERM_KEY_BYTES];
    size_t n = (size_t)snprintf(sql, sizeof(sql), "PRAGMA key = \"x'");
    for (int i = 0; i < TERM_KEY_BYTES; i++) {
        sql[n++] = hex[key[i] >> 4];
        sql[n++] = hex[key[i] & 15];
    }
    memcpy(sql + n, "'\"", 3);
    term_status status = exec(st, sql);
    OPENSSL_cleanse(sql, sizeof(sql));
    return status;
}

static const char *const schema_sql =
    "CREATE TABLE users ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  name TEXT NOT NULL,"
    "  privilege INTEGER NOT NULL CHECK (privilege IN (0, 1)));"
    "CREATE TABLE pins ("
    "  uid TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  salt BLOB NOT NULL, hash BLOB NOT NULL, iterations INTEGER NOT NULL);"
    "CREATE TABLE cards ("
    "  uid TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  card INTEGER NOT NULL UNIQUE);"
    "CREATE TABLE fingers ("
    "  uid TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL CHECK (idx BETWEEN 0 AND 9),"
    "  template BLOB NOT NULL,"
    "  PRIMARY KEY (uid, idx));"
    "CREATE TABLE records ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  time INTEGER NOT NULL, uid TEXT NOT NULL,"
    "  verify INTEGER NOT NULL, state INTEGER NOT NULL);"
    "CREATE INDEX records_by_uid ON records(uid, time);"
    "CREATE INDEX records_by_time ON records(time);"
    "CREATE TABLE oplog ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  time INTEGER NOT NULL, op INTEGER NOT NULL, operator TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TABLE settings (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);";

static const char *const schema_tables[] = {"users", "pins", "cards", "fingers", "records", "oplog", "settings"};
#define SCHEMA_TABLES (sizeof(schema_tables) / sizeof(schema_tables[0]))

static term_status create_schema(term_store *st)
{
    term_status status;
    CHECK(begin(st));
    status = exec(st, schema_sql);
    if (status == TERM_OK) status = exec(st, "PRAGMA user_version = 1");
    status = finish(st, status);
done:
    return status;
}

/* An existing database must hold this firmware's schema: empty is refused, never set up again. */
static term_status check_schema(term_store *st)
{
    term_status status;
    int64_t version = 0, tables = 0, ours = 0;
    /* The first read decrypts page 1: a wrong key shows up here as NOTADB. */
    CHECK(query_int(st, "SELECT count(*) FROM sqlite_master", NULL, &tables));
    CHECK(query_int(st, "PRAGMA user_version", NULL, &version));
    char sql[256];
    size_t len =
        (size_t)snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (");
    for (size_t i = 0; i < SCHEMA_TABLES; i++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s'%s'", i ? ", " : "", schema_tables[i]);
    snprintf(sql + len, sizeof(sql) - len, ")");
    CHECK(query_int(st, sql, NULL, &ours));
    if (version > TERM_SCHEMA_VERSION)
        status = TERM_ERR_SCHEMA_VERSION;
    else if (tables == 0 || version == 0 || ours == 0)
        status = TERM_ERR_DB_EMPTY;
    else if (ours != (int64_t)SCHEMA_TABLES)
        status = TERM_ERR_CORRUPT; /* some of the terminal's tables are gone */
done:
    return status;
}

void term_store_close(term_store *st)
{
    if (st == NULL) return;
    sqlite3_close(st->db);
    free(st);
}

static term_status open_db(term_store *st, const char *path, int flags, const uint8_t key[TERM_KEY_BYTES])
{
    int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    if (rc != SQLITE_OK) return st->db ? termi_map_rc(rc) : TERM_ERR_NO_MEMORY;
    sqlite3_busy_timeout(st->db, 5000);
    return apply_key(st, key);
}

static int path_exists(const char *base, const char *suffix)
{
    char path[4200];
    if (snprintf(path, sizeof(path), "%s%s", base, suffix) >= (int)sizeof(path)) return 0;
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void remove_with_suffixes(const char *base)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[4200];
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
        if (snprintf(path, sizeof(path), "%s%s", base, suffix[i]) < (int)sizeof(path)) unlink(path);
}

/*
 * First boot: the schema is built in "<db>.new" and renamed over the
 * missing database once it is complete and synced, so a power cut can
 * never leave an empty or half-made database under the real name (which
 * the next start would refuse).
 */
static term_status create_fresh(const term_store_config *cfg, const uint8_t key[TERM_KEY_BYTES])
{
    char tmp[4200];
    if (snprintf(tmp, sizeof(tmp), "%s.new", cfg->db_path) >= (int)sizeof(tmp)) return TERM_ERR_IO;
    remove_with_suffixes(tmp); /* only an interrupted first boot leaves these; they never held data */
    term_store st;
    memset(&st, 0, sizeof(st));
    term_status status = open_db(&st, tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, key);
    if (status == TERM_OK) status = exec(&st, "PRAGMA journal_mode = WAL");
    if (status == TERM_OK) status = exec(&st, "PRAGMA synchronous = FULL");
    if (status == TERM_OK) status = create_schema(&st);
    /* closing the last connection checkpoints the WAL into the file and removes it */
    if (sqlite3_close(st.db) != SQLITE_OK && status == TERM_OK) status = TERM_ERR_IO;
    if (status == TERM_OK && path_exists(tmp, "-wal")) status = TERM_ERR_IO;
    if (status == TERM_OK && rename(tmp, cfg->db_path) != 0) status = TERM_ERR_IO;
    if (status == TERM_OK) status = termi_sync_dir(cfg->db_path);
    if (status != TERM_OK) remove_with_suffixes(tmp);
    return status;
}

term_status term_store_open(const term_store_config *cfg, term_store **out)
{
    if (out) *out = NULL;
    if (cfg == NULL || out == NULL || cfg->db_path == NULL || cfg->key_path == NULL || cfg->profile.max_users == 0 ||
        cfg->profile.pin_iterations == 0)
        return TERM_ERR_INVALID_ARGUMENT;

    /* Only a missing database is a first boot. An empty file, or a file
     * that lost its schema, is refused: setting it up again would drop the
     * administrator and open the menu to anybody. */
    struct stat sb;
    int fresh = 0;
    if (stat(cfg->db_path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) return TERM_ERR_IO;
        if (sb.st_size == 0) return TERM_ERR_DB_EMPTY;
    } else if (errno == ENOENT && !cfg->read_only) {
        fresh = 1;
        if (path_exists(cfg->db_path, "-wal") || path_exists(cfg->db_path, "-journal"))
            return TERM_ERR_DB_ORPHAN_WAL; /* the database was removed, its last changes were not */
    } else {
        return TERM_ERR_IO;
    }

    uint8_t key[TERM_KEY_BYTES];
    term_status status;
    term_store *st = calloc(1, sizeof(*st));
    if (st == NULL) return TERM_ERR_NO_MEMORY;
    st->profile = cfg->profile;

    /* A key is only ever made for a new device: beside an existing
     * database a new key could never open it. */
    if (fresh && cfg->create_key && access(cfg->key_path, F_OK) != 0 && errno == ENOENT)
        CHECK(term_key_file_create(cfg->key_path));
    CHECK(read_key(cfg->key_path, !fresh, key));
    if (fresh) CHECK(create_fresh(cfg, key));

    CHECK(open_db(st, cfg->db_path, cfg->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, key));
    OPENSSL_cleanse(key, sizeof(key));
    CHECK(check_schema(st));
    if (!cfg->read_only) {
        CHECK(exec(st, "PRAGMA journal_mode = WAL"));
        CHECK(exec(st, "PRAGMA synchronous = FULL"));
    }
    CHECK(exec(st, "PRAGMA foreign_keys = ON"));

    term_settings s;
    status = term_store_settings_load(st, &s);
    if (status != TERM_OK && !cfg->read_only) goto done; /* a recovery read goes on without them */
    st->alnum = status == TERM_OK ? (int)term_settings_get(&s, TERM_SETTING_ALNUM_USER_ID) : 0;
    *out = st;
    return TERM_OK;
done:
    OPENSSL_cleanse(key, sizeof(key));
    term_store_close(st);
    return status;
}

void *term_store_db(term_store *st)
{
    return st ? st->db : NULL;
}

term_status term_store_check(term_store *st, term_store_check_level level)
{
    if (st == NULL || (level != TERM_STORE_CHECK_QUICK && level != TERM_STORE_CHECK_FULL))
        return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, level == TERM_STORE_CHECK_FULL ? "PRAGMA integrity_check" : "PRAGMA quick_check", &stmt));
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        /* a page whose HMAC fails to verify stops the check itself */
        int primary = rc & 0xFF;
        status = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ? TERM_ERR_CORRUPT : termi_map_rc(rc);
    } else if (strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") != 0) {
        status = TERM_ERR_CORRUPT;
    }
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_integrity_check(term_store *st)
{
    return term_store_check(st, TERM_STORE_CHECK_FULL);
}

/* ------------------------------------------------------------------------ */
/* Users                                                                    */
/* ------------------------------------------------------------------------ */

static term_status check_user_fields(const term_user *user)
{
    if (user->privilege != TERM_PRIV_USER && user->privilege != TERM_PRIV_ADMIN) return TERM_ERR_INVALID_ARGUMENT;
    if (memchr(user->id, '\0', sizeof(user->id)) == NULL) return TERM_ERR_BAD_USER_ID;
    if (memchr(user->name, '\0', sizeof(user->name)) == NULL) return TERM_ERR_BAD_NAME;
    for (const unsigned char *p = (const unsigned char *)user->name; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return TERM_ERR_BAD_NAME;
    return TERM_OK;
}

/* Binds ?1 id, ?2 name, ?3 privilege, as both user statements use them. */
static void bind_user(sqlite3_stmt *stmt, const term_user *user)
{
    bind_text(stmt, 1, user->id);
    bind_text(stmt, 2, user->name);
    sqlite3_bind_int(stmt, 3, (int)user->privilege);
}

term_status term_store_user_add(term_store *st, const term_user *user)
{
    if (st == NULL || user == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_status status = check_user_fields(user);
    if (status != TERM_OK) return status;
    /* stored in canonical form: "007" becomes user 7 */
    term_user canon = *user;
    if (term_user_id_normalize(user->id, st->alnum, canon.id) != TERM_OK) return TERM_ERR_BAD_USER_ID;
    status = term_user_id_check(canon.id, st->alnum);
    if (status != TERM_OK) return status;
    user = &canon;
    sqlite3_stmt *stmt = NULL;
    int64_t n = 0;
    char stored[TERM_USER_ID_MAX + 1];
    CHECK(begin(st));
    status = resolve_uid(st, user->id, stored); /* the same number stored in any form */
    if (status == TERM_OK)
        status = TERM_ERR_DUPLICATE_USER;
    else if (status == TERM_ERR_NOT_FOUND)
        status = query_int(st, "SELECT count(*) FROM users", NULL, &n);
    if (status == TERM_OK && n >= st->profile.max_users) status = TERM_ERR_CAPACITY_USERS;
    if (status == TERM_OK) status = prepare(st, "INSERT INTO users (id, name, privilege) VALUES (?1, ?2, ?3)", &stmt);
    if (status == TERM_OK) {
        bind_user(stmt, user);
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
done:
    return status;
}

term_status term_store_user_update(term_store *st, const term_user *user)
{
    if (st == NULL || user == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_status status = check_user_fields(user);
    if (status != TERM_OK) return status;
    RESOLVE(st, user->id, stored_uid);
    term_user stored = *user;
    memcpy(stored.id, stored_uid, sizeof(stored.id));
    sqlite3_stmt *stmt = NULL;
    CHECK(prepare(st, "UPDATE users SET name = ?2, privilege = ?3 WHERE id = ?1", &stmt));
    bind_user(stmt, &stored);
    CHECK(run(stmt));
    if (sqlite3_changes(st->db) == 0) status = TERM_ERR_NOT_FOUND;
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_user_delete(term_store *st, const char *uid)
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    RESOLVE(st, uid, stored_uid);
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "DELETE FROM users WHERE id = ?1", &stmt));
    bind_text(stmt, 1, stored_uid);
    CHECK(run(stmt));
    if (sqlite3_changes(st->db) == 0) status = TERM_ERR_NOT_FOUND;
done:
    sqlite3_finalize(stmt);
    return status;
}

static const char *const user_select_sql = "SELECT u.id, u.name, u.privilege,"
                                           "  EXISTS (SELECT 1 FROM fingers f WHERE f.uid = u.id),"
                                           "  EXISTS (SELECT 1 FROM cards c WHERE c.uid = u.id),"
                                           "  EXISTS (SELECT 1 FROM pins p WHERE p.uid = u.id)"
                                           " FROM users u";

static void user_from_row(sqlite3_stmt *stmt, term_user_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(stmt, 0));
    snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(stmt, 1));
    out->privilege = sqlite3_column_int(stmt, 2) ? TERM_PRIV_ADMIN : TERM_PRIV_USER;
    out->methods = (sqlite3_column_int(stmt, 3) ? TERM_METHOD_FINGER : 0u) |
                   (sqlite3_column_int(stmt, 4) ? TERM_METHOD_CARD : 0u) |
                   (sqlite3_column_int(stmt, 5) ? TERM_METHOD_PIN : 0u);
}

term_status term_store_user_get(term_store *st, const char *uid, term_user_info *out)
{
    if (st == NULL || uid == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    RESOLVE(st, uid, stored_uid);
    char sql[512];
    snprintf(sql, sizeof(sql), "%s WHERE u.id = ?1", user_select_sql);
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, sql, &stmt));
    bind_text(stmt, 1, stored_uid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        user_from_row(stmt, out);
    else
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_user_each(term_store *st, int (*fn)(void *ctx, const term_user_info *user), void *ctx)
{
    if (st == NULL || fn == NULL) return TERM_ERR_INVALID_ARGUMENT;
    char sql[512];
    snprintf(sql, sizeof(sql), "%s ORDER BY u.id", user_select_sql);
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, sql, &stmt));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        term_user_info info;
        user_from_row(stmt, &info);
        if (fn(ctx, &info)) break;
    }
    if (rc != SQLITE_ROW) status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Credentials                                                              */
/* ------------------------------------------------------------------------ */

static term_status pin_hash(const char *pin, const uint8_t *salt, size_t salt_len, uint32_t iterations,
                            uint8_t out[TERM_HASH_BYTES])
{
    if (PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, (int)salt_len, (int)iterations, EVP_sha256(), TERM_HASH_BYTES,
                          out) != 1)
        return TERM_ERR_CRYPTO;
    return TERM_OK;
}

term_status term_store_pin_set(term_store *st, const char *uid, const char *pin)
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    if (term_pin_check(pin) != TERM_OK) return TERM_ERR_BAD_PIN;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    uint8_t salt[TERM_SALT_BYTES], hash[TERM_HASH_BYTES];
    sqlite3_stmt *stmt = NULL;
    term_status status;
    if (RAND_bytes(salt, sizeof(salt)) != 1) return TERM_ERR_CRYPTO;
    /* Hash before taking the write lock: the slow part blocks no one. */
    CHECK(pin_hash(pin, salt, sizeof(salt), st->profile.pin_iterations, hash));
    CHECK(begin(st));
    status = user_exists(st, uid);
    if (status == TERM_OK)
        status =
            prepare(st, "INSERT OR REPLACE INTO pins (uid, salt, hash, iterations) VALUES (?1, ?2, ?3, ?4)", &stmt);
    if (status == TERM_OK) {
        bind_text(stmt, 1, uid);
        sqlite3_bind_blob(stmt, 2, salt, sizeof(salt), SQLITE_STATIC);
        sqlite3_bind_blob(stmt, 3, hash, sizeof(hash), SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 4, st->profile.pin_iterations);
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
done:
    OPENSSL_cleanse(hash, sizeof(hash));
    return status;
}

static term_status delete_by_uid(term_store *st, const char *sql, const char *uid)
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, sql, &stmt));
    bind_text(stmt, 1, uid);
    CHECK(run(stmt));
    if (sqlite3_changes(st->db) == 0) status = TERM_ERR_NOT_FOUND;
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_pin_clear(term_store *st, const char *uid)
{
    return delete_by_uid(st, "DELETE FROM pins WHERE uid = ?1", uid);
}

term_status term_store_pin_check(term_store *st, const char *uid, const char *pin)
{
    if (st == NULL || uid == NULL || pin == NULL) return TERM_ERR_INVALID_ARGUMENT;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    uint8_t hash[TERM_HASH_BYTES];
    term_status status;
    CHECK(prepare(st, "SELECT salt, hash, iterations FROM pins WHERE uid = ?1", &stmt));
    bind_text(stmt, 1, uid);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
        goto done;
    }
    const uint8_t *salt = sqlite3_column_blob(stmt, 0);
    int salt_len = sqlite3_column_bytes(stmt, 0);
    const uint8_t *stored = sqlite3_column_blob(stmt, 1);
    int stored_len = sqlite3_column_bytes(stmt, 1);
    int64_t iterations = sqlite3_column_int64(stmt, 2);
    if (salt == NULL || stored_len != TERM_HASH_BYTES || iterations < 1 || iterations > INT32_MAX) {
        status = TERM_ERR_CORRUPT;
        goto done;
    }
    if (term_pin_check(pin) != TERM_OK) {
        status = TERM_NO_MATCH; /* nothing that long or odd was ever stored */
        goto done;
    }
    CHECK(pin_hash(pin, salt, (size_t)salt_len, (uint32_t)iterations, hash));
    status = CRYPTO_memcmp(hash, stored, TERM_HASH_BYTES) == 0 ? TERM_OK : TERM_NO_MATCH;
done:
    OPENSSL_cleanse(hash, sizeof(hash));
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_card_set(term_store *st, const char *uid, uint64_t card)
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    if (card == 0) return TERM_ERR_BAD_CARD;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    int64_t n = 0, has_card = 0;
    char owner[TERM_USER_ID_MAX + 1];
    CHECK(begin(st));
    status = user_exists(st, uid);
    if (status == TERM_OK) {
        status = term_store_card_find(st, card, owner);
        if (status == TERM_OK && strcmp(owner, uid) != 0)
            status = TERM_ERR_DUPLICATE_CARD;
        else if (status == TERM_OK || status == TERM_ERR_NOT_FOUND)
            status = TERM_OK;
    }
    if (status == TERM_OK) status = query_int(st, "SELECT count(*) FROM cards WHERE uid = ?1", uid, &has_card);
    if (status == TERM_OK && !has_card) {
        status = query_int(st, "SELECT count(*) FROM cards", NULL, &n);
        if (status == TERM_OK && n >= st->profile.max_cards) status = TERM_ERR_CAPACITY_CARDS;
    }
    if (status == TERM_OK) status = prepare(st, "INSERT OR REPLACE INTO cards (uid, card) VALUES (?1, ?2)", &stmt);
    if (status == TERM_OK) {
        bind_text(stmt, 1, uid);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)card); /* two's complement keeps all 64 bits */
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
done:
    return status;
}

term_status term_store_card_clear(term_store *st, const char *uid)
{
    return delete_by_uid(st, "DELETE FROM cards WHERE uid = ?1", uid);
}

term_status term_store_card_find(term_store *st, uint64_t card, char uid[TERM_USER_ID_MAX + 1])
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT uid FROM cards WHERE card = ?1", &stmt));
    sqlite3_bind_int64(stmt, 1, (sqlite3_int64)card);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        snprintf(uid, TERM_USER_ID_MAX + 1, "%s", (const char *)sqlite3_column_text(stmt, 0));
    else
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_card_get(term_store *st, const char *uid, uint64_t *card)
{
    if (st == NULL || uid == NULL || card == NULL) return TERM_ERR_INVALID_ARGUMENT;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT card FROM cards WHERE uid = ?1", &stmt));
    sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *card = (uint64_t)sqlite3_column_int64(stmt, 0);
    else
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_finger_set(term_store *st, const char *uid, uint32_t index, const uint8_t *data, size_t len)
{
    if (st == NULL || uid == NULL || (data == NULL && len > 0)) return TERM_ERR_INVALID_ARGUMENT;
    if (index >= TERM_FINGERS_PER_USER) return TERM_ERR_BAD_FINGER_INDEX;
    /* Parse before storing: a template the matcher cannot read is refused
     * now rather than found at the next boot's gallery load. */
    fp_template *tmpl = NULL;
    if (len == 0 || len > INT32_MAX || fp_template_deserialize(FP_FORMAT_NATIVE, data, len, &tmpl) != FP_OK)
        return TERM_ERR_BAD_TEMPLATE;
    fp_template_destroy(tmpl);
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;

    sqlite3_stmt *stmt = NULL;
    term_status status;
    int64_t n = 0, present = 0;
    char idx[4];
    snprintf(idx, sizeof(idx), "%u", index);
    CHECK(begin(st));
    status = user_exists(st, uid);
    if (status == TERM_OK) {
        sqlite3_stmt *q = NULL;
        status = prepare(st, "SELECT count(*) FROM fingers WHERE uid = ?1 AND idx = ?2", &q);
        if (status == TERM_OK) {
            bind_text(q, 1, uid);
            sqlite3_bind_int(q, 2, (int)index);
            int rc = sqlite3_step(q);
            if (rc == SQLITE_ROW)
                present = sqlite3_column_int64(q, 0);
            else
                status = termi_map_rc(rc);
        }
        sqlite3_finalize(q);
    }
    if (status == TERM_OK && !present) {
        status = query_int(st, "SELECT count(*) FROM fingers", NULL, &n);
        if (status == TERM_OK && n >= st->profile.max_fingers) status = TERM_ERR_CAPACITY_FINGERS;
    }
    if (status == TERM_OK)
        status = prepare(st, "INSERT OR REPLACE INTO fingers (uid, idx, template) VALUES (?1, ?2, ?3)", &stmt);
    if (status == TERM_OK) {
        bind_text(stmt, 1, uid);
        sqlite3_bind_int(stmt, 2, (int)index);
        sqlite3_bind_blob(stmt, 3, data, (int)len, SQLITE_STATIC);
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
done:
    return status;
}

term_status term_store_finger_delete(term_store *st, const char *uid, uint32_t index)
{
    if (st == NULL || uid == NULL) return TERM_ERR_INVALID_ARGUMENT;
    if (index >= TERM_FINGERS_PER_USER) return TERM_ERR_BAD_FINGER_INDEX;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "DELETE FROM fingers WHERE uid = ?1 AND idx = ?2", &stmt));
    bind_text(stmt, 1, uid);
    sqlite3_bind_int(stmt, 2, (int)index);
    CHECK(run(stmt));
    if (sqlite3_changes(st->db) == 0) status = TERM_ERR_NOT_FOUND;
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_finger_get(term_store *st, const char *uid, uint32_t index, uint8_t *buf, size_t cap,
                                  size_t *len)
{
    if (st == NULL || uid == NULL || len == NULL) return TERM_ERR_INVALID_ARGUMENT;
    if (index >= TERM_FINGERS_PER_USER) return TERM_ERR_BAD_FINGER_INDEX;
    RESOLVE(st, uid, stored_uid);
    uid = stored_uid;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT template FROM fingers WHERE uid = ?1 AND idx = ?2", &stmt));
    bind_text(stmt, 1, uid);
    sqlite3_bind_int(stmt, 2, (int)index);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        status = rc == SQLITE_DONE ? TERM_ERR_NOT_FOUND : termi_map_rc(rc);
        goto done;
    }
    const void *blob = sqlite3_column_blob(stmt, 0);
    size_t n = (size_t)sqlite3_column_bytes(stmt, 0);
    *len = n;
    if (buf != NULL) {
        if (n > cap)
            status = TERM_ERR_TOO_LONG;
        else if (n > 0)
            memcpy(buf, blob, n);
    }
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_finger_each(
    term_store *st, int (*fn)(void *ctx, const char *uid, uint32_t index, const uint8_t *data, size_t len), void *ctx)
{
    if (st == NULL || fn == NULL) return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT uid, idx, template FROM fingers ORDER BY uid, idx", &stmt));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *uid = (const char *)sqlite3_column_text(stmt, 0);
        uint32_t index = (uint32_t)sqlite3_column_int(stmt, 1);
        const uint8_t *data = sqlite3_column_blob(stmt, 2);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 2);
        if (fn(ctx, uid, index, data, len)) break;
    }
    if (rc != SQLITE_ROW) status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

term_status term_store_record_add(term_store *st, const term_record *rec, int64_t *id)
{
    if (st == NULL || rec == NULL) return TERM_ERR_INVALID_ARGUMENT;
    /* Records keep any id form the store has held: the setting and the id rules may have changed since. */
    char uid[TERM_USER_ID_MAX + 1];
    if (memchr(rec->uid, '\0', sizeof(rec->uid)) == NULL || term_user_id_normalize(rec->uid, 1, uid) != TERM_OK)
        return TERM_ERR_BAD_USER_ID;
    record_uid(st, rec->uid, uid);
    if (rec->verify < TERM_VERIFY_FINGER || rec->verify > TERM_VERIFY_PIN ||
        (unsigned)rec->state >= TERM_PUNCH_STATE_COUNT)
        return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    int64_t n = 0;
    CHECK(begin(st));
    status = query_int(st, "SELECT count(*) FROM records", NULL, &n);
    if (status == TERM_OK && n >= st->profile.max_records) status = TERM_ERR_CAPACITY_RECORDS;
    if (status == TERM_OK)
        status = prepare(st, "INSERT INTO records (time, uid, verify, state) VALUES (?1, ?2, ?3, ?4)", &stmt);
    if (status == TERM_OK) {
        sqlite3_bind_int64(stmt, 1, rec->time);
        bind_text(stmt, 2, uid);
        sqlite3_bind_int(stmt, 3, (int)rec->verify);
        sqlite3_bind_int(stmt, 4, (int)rec->state);
        status = run(stmt);
    }
    int64_t rowid = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(stmt);
    status = finish(st, status);
    if (status == TERM_OK && id) *id = rowid;
done:
    return status;
}

term_status term_store_record_query(term_store *st, const char *uid, int64_t from, int64_t to,
                                    int (*fn)(void *ctx, int64_t id, const term_record *rec), void *ctx)
{
    if (st == NULL || fn == NULL) return TERM_ERR_INVALID_ARGUMENT;
    char stored_uid[TERM_USER_ID_MAX + 1];
    if (uid != NULL) {
        record_uid(st, uid, stored_uid);
        uid = stored_uid;
    }
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st,
                  "SELECT id, time, uid, verify, state FROM records"
                  " WHERE (?1 IS NULL OR uid = ?1) AND time BETWEEN ?2 AND ?3 ORDER BY time, id",
                  &stmt));
    bind_text(stmt, 1, uid);
    sqlite3_bind_int64(stmt, 2, from);
    sqlite3_bind_int64(stmt, 3, to);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        term_record rec;
        memset(&rec, 0, sizeof(rec));
        rec.time = sqlite3_column_int64(stmt, 1);
        snprintf(rec.uid, sizeof(rec.uid), "%s", (const char *)sqlite3_column_text(stmt, 2));
        rec.verify = (term_verify_type)sqlite3_column_int(stmt, 3);
        rec.state = (term_punch_state)sqlite3_column_int(stmt, 4);
        if (fn(ctx, sqlite3_column_int64(stmt, 0), &rec)) break;
    }
    if (rc != SQLITE_ROW) status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_record_days(term_store *st, const char *uid, int64_t from, int64_t to,
                                   int (*fn)(void *ctx, const char *uid, int64_t day, uint32_t count), void *ctx)
{
    if (st == NULL || fn == NULL) return TERM_ERR_INVALID_ARGUMENT;
    char stored_uid[TERM_USER_ID_MAX + 1];
    if (uid != NULL) {
        record_uid(st, uid, stored_uid);
        uid = stored_uid;
    }
    sqlite3_stmt *stmt = NULL;
    term_status status;
    /* Floor division, so times before 1970 land on the right day too. */
    CHECK(prepare(st,
                  "SELECT uid, (time - ((time % 86400) + 86400) % 86400) / 86400 AS day, count(*) FROM records"
                  " WHERE (?1 IS NULL OR uid = ?1) AND time BETWEEN ?2 AND ?3"
                  " GROUP BY uid, day ORDER BY uid, day",
                  &stmt));
    bind_text(stmt, 1, uid);
    sqlite3_bind_int64(stmt, 2, from);
    sqlite3_bind_int64(stmt, 3, to);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (fn(ctx, (const char *)sqlite3_column_text(stmt, 0), sqlite3_column_int64(stmt, 1),
               (uint32_t)sqlite3_column_int64(stmt, 2)))
            break;
    }
    if (rc != SQLITE_ROW) status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_record_last(term_store *st, const char *uid, int64_t *time)
{
    if (st == NULL || uid == NULL || time == NULL) return TERM_ERR_INVALID_ARGUMENT;
    char stored_uid[TERM_USER_ID_MAX + 1];
    record_uid(st, uid, stored_uid);
    uid = stored_uid;
    /* max() over no rows gives one NULL row: count the rows instead of trusting it. */
    int64_t n = 0;
    term_status status = query_int(st, "SELECT count(*) FROM records WHERE uid = ?1", uid, &n);
    if (status == TERM_OK && n == 0) return TERM_ERR_NOT_FOUND;
    if (status == TERM_OK) status = query_int(st, "SELECT max(time) FROM records WHERE uid = ?1", uid, time);
    return status;
}

term_status term_store_record_delete_all(term_store *st)
{
    if (st == NULL) return TERM_ERR_INVALID_ARGUMENT;
    return exec(st, "DELETE FROM records");
}

/* ------------------------------------------------------------------------ */
/* Operation log                                                            */
/* ------------------------------------------------------------------------ */

term_status term_store_oplog_add(term_store *st, int64_t time, term_op op, const char *operator_id, const char *detail)
{
    if (st == NULL || op < TERM_OP_USER_ADD || op > TERM_OP_DB_REBUILD) return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    int64_t n = 0;
    CHECK(begin(st));
    status = query_int(st, "SELECT count(*) FROM oplog", NULL, &n);
    if (status == TERM_OK && n >= st->profile.max_oplog) status = TERM_ERR_CAPACITY_OPLOG;
    if (status == TERM_OK)
        status = prepare(st, "INSERT INTO oplog (time, op, operator, detail) VALUES (?1, ?2, ?3, ?4)", &stmt);
    if (status == TERM_OK) {
        sqlite3_bind_int64(stmt, 1, time);
        sqlite3_bind_int(stmt, 2, (int)op);
        bind_text(stmt, 3, operator_id ? operator_id : "");
        bind_text(stmt, 4, detail ? detail : "");
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
done:
    return status;
}

term_status term_store_oplog_each(term_store *st,
                                  int (*fn)(void *ctx, int64_t id, int64_t time, term_op op, const char *operator_id,
                                            const char *detail),
                                  void *ctx)
{
    if (st == NULL || fn == NULL) return TERM_ERR_INVALID_ARGUMENT;
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT id, time, op, operator, detail FROM oplog ORDER BY id", &stmt));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (fn(ctx, sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1), (term_op)sqlite3_column_int(stmt, 2),
               (const char *)sqlite3_column_text(stmt, 3), (const char *)sqlite3_column_text(stmt, 4)))
            break;
    }
    if (rc != SQLITE_ROW) status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

/* ------------------------------------------------------------------------ */
/* Settings and counts                                                      */
/* ------------------------------------------------------------------------ */

term_status term_store_settings_load(term_store *st, term_settings *out)
{
    if (st == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_settings_defaults(out);
    sqlite3_stmt *stmt = NULL;
    term_status status;
    CHECK(prepare(st, "SELECT name, value FROM settings", &stmt));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        /* Unknown names and values that no longer validate keep the
         * default: one bad row must not stop the terminal from booting. */
        (void)term_settings_parse(out, (const char *)sqlite3_column_text(stmt, 0),
                                  (const char *)sqlite3_column_text(stmt, 1));
    }
    status = termi_map_rc(rc);
done:
    sqlite3_finalize(stmt);
    return status;
}

term_status term_store_settings_save(term_store *st, const term_settings *s)
{
    if (st == NULL || s == NULL) return TERM_ERR_INVALID_ARGUMENT;
    term_status status = term_settings_check(s, NULL);
    if (status != TERM_OK) return status;
    sqlite3_stmt *stmt = NULL;
    CHECK(begin(st));
    status = prepare(st, "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)", &stmt);
    for (int i = 0; i < TERM_SETTING_COUNT && status == TERM_OK; i++) {
        char value[160];
        status = term_settings_format(s, (term_setting_id)i, value, sizeof(value));
        if (status != TERM_OK) break;
        sqlite3_reset(stmt);
        bind_text(stmt, 1, term_setting_info_of((term_setting_id)i)->name);
        bind_text(stmt, 2, value);
        status = run(stmt);
    }
    sqlite3_finalize(stmt);
    status = finish(st, status);
    if (status == TERM_OK) st->alnum = (int)term_settings_get(s, TERM_SETTING_ALNUM_USER_ID);
done:
    return status;
}

term_status term_store_factory_reset(term_store *st)
{
    if (st == NULL) return TERM_ERR_INVALID_ARGUMENT;
    /* Deleting the rows is the reset: load fills in the defaults, so a
     * newer firmware's defaults apply too. */
    term_status status = exec(st, "DELETE FROM settings");
    if (status == TERM_OK) st->alnum = 0;
    return status;
}

term_status term_store_admin_count(term_store *st, uint32_t *count)
{
    if (st == NULL || count == NULL) return TERM_ERR_INVALID_ARGUMENT;
    int64_t n = 0;
    term_status status = query_int(st, "SELECT count(*) FROM users WHERE privilege = 1", NULL, &n);
    *count = status == TERM_OK ? (uint32_t)n : 0;
    return status;
}

term_status term_store_counts_get(term_store *st, term_store_counts *out)
{
    if (st == NULL || out == NULL) return TERM_ERR_INVALID_ARGUMENT;
    static const char *const sql[7] = {
        "SELECT count(*) FROM users", "SELECT count(*) FROM users WHERE privilege = 1",
        "SELECT count(*) FROM pins",  "SELECT count(*) FROM fingers",
        "SELECT count(*) FROM cards", "SELECT count(*) FROM records",
        "SELECT count(*) FROM oplog",
    };
    uint32_t *field[7] = {&out->users, &out->admins,  &out->pins, &out->fingers,
                          &out->cards, &out->records, &out->oplog};
    term_status status = TERM_OK;
    /* One read transaction, so the figures agree with each other. */
    CHECK(exec(st, "BEGIN"));
    for (int i = 0; i < 7 && status == TERM_OK; i++) {
        int64_t n = 0;
        status = query_int(st, sql[i], NULL, &n);
        *field[i] = (uint32_t)n;
    }
    status = finish(st, status);
done:
    return status;
}
