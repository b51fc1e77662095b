/*
 * term_store.h - the terminal's encrypted storage: users, credentials,
 * attendance records, the operation log and the settings, in one SQLCipher
 * database (SQLite with AES-256 page encryption).
 *
 * Durability: the database runs in WAL mode with synchronous=FULL, so a
 * function that returned TERM_OK has committed and synced its change; a
 * power cut after that loses nothing, a cut during it loses only that
 * change (tests/test_term_store.c kills a writer with SIGKILL to show it).
 *
 * Encryption: the 256-bit key is the raw content of a device key file (32
 * bytes; on the device it lives in secure storage). It is handed to
 * SQLCipher as a raw key, so no password derivation runs at open. PINs are
 * never stored: only PBKDF2-HMAC-SHA256 hashes with a random 16-byte salt
 * per PIN and the iteration count used.
 *
 * Capacity: every limit comes from one term_device_profile; reaching one
 * returns TERM_ERR_CAPACITY_* and stores nothing. A full file system gives
 * TERM_ERR_STORAGE_FULL, also with nothing stored and nothing lost (the
 * transaction is rolled back). Never silent loss.
 *
 * Ownership: strings and buffers passed in are borrowed for the call.
 * Thread safety: a term_store is used by one thread at a time; several
 * processes may open the same file (SQLite locking), as the tests do.
 */
#ifndef TERM_STORE_H
#define TERM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "term_settings.h"
#include "term_status.h"
#include "term_verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the hardware can hold. One struct, so a model's limits are one table. */
typedef struct term_device_profile {
    const char *model;
    uint32_t max_users;
    uint32_t max_fingers; /* templates over all users; each user has at most 10 */
    uint32_t max_cards;
    uint32_t max_records;
    uint32_t max_oplog;
    uint32_t pin_iterations; /* PBKDF2 iterations for new PINs (checking uses the stored count) */
} term_device_profile;

#define TERM_FINGERS_PER_USER 10

/* The M1 profile (see docs/terminal.md for where the figures come from). */
void term_device_profile_m1(term_device_profile *out);

typedef struct term_store term_store;

typedef struct term_store_config {
    const char *db_path;  /* the database file; created only when it does not exist (first boot) */
    const char *key_path; /* the device key file: exactly 32 bytes, mode 0600 or 0400, owned by this user */
    int create_key;       /* non-zero: on first boot, create key_path (random, mode 0600) when it does not exist */
    term_device_profile profile;
    int read_only; /* non-zero: open an existing database without writing to it (recovery reads) */
} term_store_config;

/*
 * Creates a key file of 32 random bytes with mode 0600. Refuses to
 * overwrite an existing file. Errors: TERM_ERR_INVALID_ARGUMENT, TERM_ERR_IO
 * (exists or cannot be written), TERM_ERR_CRYPTO (no randomness).
 */
term_status term_key_file_create(const char *path);

/*
 * Opens the database. Only a missing database file is a first boot: then
 * the key file is created when create_key asks for it and is missing, and
 * the database is built under "<db_path>.new" and renamed into place once
 * complete. An existing database is never set up again and never gets a
 * new key. Caller frees with term_store_close. Errors:
 *   TERM_ERR_INVALID_ARGUMENT;
 *   TERM_ERR_DB_EMPTY          the file is empty, or has none of the terminal's tables;
 *   TERM_ERR_DB_ORPHAN_WAL     no database file, but its -wal or -journal file exists;
 *   TERM_ERR_KEY_MISSING       a database exists and the key file does not;
 *   TERM_ERR_KEY_FILE          the key file is unreadable or not 32 bytes (or missing on first boot
 *                              without create_key);
 *   TERM_ERR_KEY_UNSAFE        the key file has group or other permissions, or another owner;
 *   TERM_ERR_WRONG_KEY         another key, not a database, or its first page damaged;
 *   TERM_ERR_CORRUPT           a damaged page met while opening, or some of the tables gone;
 *   TERM_ERR_SCHEMA_VERSION, TERM_ERR_IO, TERM_ERR_STORAGE_FULL, TERM_ERR_NO_MEMORY, TERM_ERR_DATABASE.
 */
term_status term_store_open(const term_store_config *cfg, term_store **out);
void term_store_close(term_store *st);

typedef enum term_store_check_level {
    TERM_STORE_CHECK_QUICK = 0, /* PRAGMA quick_check: every page of every table and index, the structure */
    TERM_STORE_CHECK_FULL = 1   /* PRAGMA integrity_check: also that each index matches its table */
} term_store_check_level;
/*
 * Checks the database file. SQLCipher verifies each page's HMAC as it
 * reads it, so a damaged page fails either level. TERM_OK, or
 * TERM_ERR_CORRUPT, or the storage error that stopped the check.
 */
term_status term_store_check(term_store *st, term_store_check_level level);
/* term_store_check(st, TERM_STORE_CHECK_FULL). */
term_status term_store_integrity_check(term_store *st);

/*
 * The open database handle (an sqlite3 *), for layers that keep their own
 * tables in the same encrypted file (the sync outbox). Owned by the store:
 * never closed by the caller, and only used on the store's thread.
 */
void *term_store_db(term_store *st);

/* ------------------------------------------------------------------------ */
/* Users                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct term_user {
    char id[TERM_USER_ID_MAX + 1];
    char name[TERM_NAME_MAX + 1];
    term_privilege privilege;
} term_user;

/*
 * User ids (term_verify.h, docs/terminal.md "User ids"): every function
 * that takes a uid finds the user by the stored id, else by its canonical
 * form, else by a stored all-digit id of the same number, so "7", "07"
 * and "007" name one user, including one stored by earlier firmware as
 * "007". Functions that return ids return the stored form.
 *
 * Adds a user, under the canonical form of its id ("007" is stored as
 * "7"), checked with term_user_id_check under the stored
 * "alphanumeric_user_id" setting. Errors: TERM_ERR_BAD_USER_ID,
 * TERM_ERR_USER_ID_RANGE, TERM_ERR_BAD_NAME, TERM_ERR_INVALID_ARGUMENT
 * (privilege), TERM_ERR_DUPLICATE_USER (the same number in any form),
 * TERM_ERR_CAPACITY_USERS, storage errors (TERM_ERR_STORAGE_FULL...).
 */
term_status term_store_user_add(term_store *st, const term_user *user);
/* Changes name and privilege. Errors: as add, TERM_ERR_NOT_FOUND. */
term_status term_store_user_update(term_store *st, const term_user *user);
/* Deletes a user and all their credentials; their attendance records stay (they are history). */
term_status term_store_user_delete(term_store *st, const char *uid);
/*
 * The stored id of the user uid names (the rule above) into out. Errors:
 * TERM_ERR_NOT_FOUND (nobody: out has uid's canonical form, the id a new
 * user would get), TERM_ERR_BAD_USER_ID (not an id at all: out is "").
 * For layers that name users in their own SQL (the sync engine).
 */
term_status term_store_user_resolve(term_store *st, const char *uid, char out[TERM_USER_ID_MAX + 1]);
/* The user with the methods they have enrolled. Errors: TERM_ERR_NOT_FOUND. */
term_status term_store_user_get(term_store *st, const char *uid, term_user_info *out);
/* Calls fn for every user in id order; a non-zero return from fn stops the walk. */
term_status term_store_user_each(term_store *st, int (*fn)(void *ctx, const term_user_info *user), void *ctx);

/* ------------------------------------------------------------------------ */
/* Credentials                                                              */
/* ------------------------------------------------------------------------ */

/* Sets (replaces) the user's password. Errors: TERM_ERR_BAD_PIN, TERM_ERR_NOT_FOUND, TERM_ERR_CRYPTO. */
term_status term_store_pin_set(term_store *st, const char *uid, const char *pin);
term_status term_store_pin_clear(term_store *st, const char *uid);
/* TERM_OK when pin is the user's password, TERM_NO_MATCH when not, TERM_ERR_NOT_FOUND without one. */
term_status term_store_pin_check(term_store *st, const char *uid, const char *pin);

/*
 * Sets the user's card (one per user). Errors: TERM_ERR_BAD_CARD (0),
 * TERM_ERR_NOT_FOUND, TERM_ERR_DUPLICATE_CARD, TERM_ERR_CAPACITY_CARDS.
 */
term_status term_store_card_set(term_store *st, const char *uid, uint64_t card);
term_status term_store_card_clear(term_store *st, const char *uid);
/* The card of a user (User Mgt. shows it). Errors: TERM_ERR_NOT_FOUND (no card). */
term_status term_store_card_get(term_store *st, const char *uid, uint64_t *card);
/* The owner of a card. Errors: TERM_ERR_NOT_FOUND. */
term_status term_store_card_find(term_store *st, uint64_t card, char uid[TERM_USER_ID_MAX + 1]);

/*
 * Stores a fingerprint template (the engine's FP_FORMAT_NATIVE bytes,
 * checked by parsing them) as finger index 0..9 of the user, replacing
 * what that index held. Errors: TERM_ERR_BAD_FINGER_INDEX,
 * TERM_ERR_BAD_TEMPLATE, TERM_ERR_NOT_FOUND, TERM_ERR_CAPACITY_FINGERS.
 */
term_status term_store_finger_set(term_store *st, const char *uid, uint32_t index, const uint8_t *data, size_t len);
term_status term_store_finger_delete(term_store *st, const char *uid, uint32_t index);
/*
 * Copies a template into buf (cap bytes); *len receives its size. With
 * buf == NULL only *len is set. Errors: TERM_ERR_NOT_FOUND, TERM_ERR_TOO_LONG
 * (cap too small).
 */
term_status term_store_finger_get(term_store *st, const char *uid, uint32_t index, uint8_t *buf, size_t cap,
                                  size_t *len);
/* Calls fn for every template (to build the 1:N gallery); data is borrowed for the call. */
term_status term_store_finger_each(
    term_store *st, int (*fn)(void *ctx, const char *uid, uint32_t index, const uint8_t *data, size_t len), void *ctx);

/* ------------------------------------------------------------------------ */
/* Attendance records (manual 7 and 8)                                      */
/* ------------------------------------------------------------------------ */

/*
 * Appends a record; *id (optional) receives its record id, which is never
 * reused, not even after "Delete Attlog". Errors: TERM_ERR_BAD_USER_ID,
 * TERM_ERR_INVALID_ARGUMENT (verify type, punch state),
 * TERM_ERR_CAPACITY_RECORDS, storage errors.
 */
term_status term_store_record_add(term_store *st, const term_record *rec, int64_t *id);
/*
 * Calls fn for the records of uid (NULL: everybody) with from <= time <= to,
 * in time order (then id order).
 */
term_status term_store_record_query(term_store *st, const char *uid, int64_t from, int64_t to,
                                    int (*fn)(void *ctx, int64_t id, const term_record *rec), void *ctx);
/*
 * The record view's summary: for each user (id order) and each local day
 * (day = time / 86400, ascending) in the range, the number of records.
 */
term_status term_store_record_days(term_store *st, const char *uid, int64_t from, int64_t to,
                                   int (*fn)(void *ctx, const char *uid, int64_t day, uint32_t count), void *ctx);
/* Time of the user's latest record. Errors: TERM_ERR_NOT_FOUND. */
term_status term_store_record_last(term_store *st, const char *uid, int64_t *time);
/* Manual 7, "Delete Attlog": deletes every attendance record. */
term_status term_store_record_delete_all(term_store *st);

/* ------------------------------------------------------------------------ */
/* Operation log                                                            */
/* ------------------------------------------------------------------------ */

#define TERM_OP_MAP(X)                                                                                                 \
    X(USER_ADD, 1, "add user")                                                                                         \
    X(USER_UPDATE, 2, "edit user")                                                                                     \
    X(USER_DELETE, 3, "delete user")                                                                                   \
    X(PIN_SET, 4, "set password")                                                                                      \
    X(CARD_SET, 5, "set card")                                                                                         \
    X(FINGER_SET, 6, "enroll fingerprint")                                                                             \
    X(FINGER_DELETE, 7, "delete fingerprint")                                                                          \
    X(ATTLOG_DELETE, 8, "delete attendance log")                                                                       \
    X(SETTINGS_CHANGE, 9, "change settings")                                                                           \
    X(FACTORY_RESET, 10, "factory reset")                                                                              \
    X(MENU_ENTER, 11, "enter menu")                                                                                    \
    X(DB_REBUILD, 12, "rebuild the damaged database")

typedef enum term_op {
#define TERM_OP_ENUM_(name, num, text) TERM_OP_##name = num,
    TERM_OP_MAP(TERM_OP_ENUM_)
#undef TERM_OP_ENUM_
} term_op;
const char *term_op_name(term_op op);

/* Appends an entry (operator: the administrator's id or ""). Errors: TERM_ERR_CAPACITY_OPLOG. */
term_status term_store_oplog_add(term_store *st, int64_t time, term_op op, const char *operator_id, const char *detail);
/* Calls fn for every entry in id order. */
term_status term_store_oplog_each(term_store *st,
                                  int (*fn)(void *ctx, int64_t id, int64_t time, term_op op, const char *operator_id,
                                            const char *detail),
                                  void *ctx);

/* ------------------------------------------------------------------------ */
/* Settings and capacity                                                    */
/* ------------------------------------------------------------------------ */

/*
 * The stored settings over the defaults. A stored value that no longer
 * validates (written by other firmware) keeps the default, and names this
 * firmware does not know are ignored.
 */
term_status term_store_settings_load(term_store *st, term_settings *out);
/*
 * Saves every setting in one transaction after term_settings_check.
 * Errors: TERM_ERR_INCONSISTENT, storage errors.
 */
term_status term_store_settings_save(term_store *st, const term_settings *s);
/* Manual 6.8: settings back to the defaults; users, credentials, records and log stay. */
term_status term_store_factory_reset(term_store *st);

/* Manual 10, "Device Capacity". */
typedef struct term_store_counts {
    uint32_t users, admins, pins, fingers, cards, records, oplog;
} term_store_counts;
term_status term_store_counts_get(term_store *st, term_store_counts *out);
/* The number of administrators alone (the menu gate asks it; it reads only the users table). */
term_status term_store_admin_count(term_store *st, uint32_t *count);
/* The profile the store was opened with. */
const term_device_profile *term_store_profile(const term_store *st);

/* ------------------------------------------------------------------------ */
/* Recovery of a damaged database (docs/terminal.md, "Recovery")            */
/* ------------------------------------------------------------------------ */

/*
 * Moves a database aside: db_path and its -wal and -shm files are renamed
 * to "<db_path>.damaged-YYYYMMDD-HHMMSS" (local_time; "-2", "-3"... when
 * the name is taken) with the same suffixes, so the aside copy opens with
 * its last committed changes. Never deletes or overwrites a file. The new
 * name goes to aside (cap bytes). Close every handle on the database first.
 * Errors: TERM_ERR_INVALID_ARGUMENT, TERM_ERR_NOT_FOUND (no database file),
 * TERM_ERR_IO.
 */
term_status term_store_set_aside(const char *db_path, int64_t local_time, char *aside, size_t cap);

typedef struct term_store_salvage_report {
    uint32_t settings, users, pins, cards, fingers, records, oplog; /* rows copied */
    uint32_t refused;        /* rows read but not taken (a credential whose user could not be read) */
    uint32_t damaged_tables; /* tables where a damaged page was met: rows on it are missing */
    uint32_t upload_marks;   /* the sync layer's upload watermarks copied (0..2): see term_store_salvage */
} term_store_salvage_report;

/*
 * Copies every row that can still be read from src (a damaged database,
 * best opened read_only) into dst (a new one): settings, users, passwords,
 * cards, fingerprints, attendance records and the operation log, with
 * their ids, and the id counters (ids are never reused). Each table is
 * read in rowid order; past a damaged page the copy goes on from the next
 * readable row. Each table is one transaction in dst. The sync layer's
 * upload watermarks (the highest record and operation-log id the server
 * acknowledged) come along when they can be read, so the copied records
 * the server already has are not uploaded again; when they cannot,
 * everything copied goes up again (docs/terminal.md "Recovery"). Errors:
 * dst's storage errors (TERM_ERR_STORAGE_FULL, TERM_ERR_IO...).
 */
term_status term_store_salvage(term_store *dst, term_store *src, term_store_salvage_report *out);

typedef struct term_store_export_report {
    uint32_t users, records; /* rows written */
    uint32_t damaged_tables;
} term_store_export_report;

/*
 * Writes the readable users and attendance records of st as CSV into a
 * new directory dir (mode 0700; it must not exist): users.csv (user_id,
 * name, role, card) and records.csv (record_id, time as YYYY-MM-DD
 * HH:MM:SS local, user_id, verify, state). Fingerprint templates and
 * password hashes are never exported. Files are created with O_EXCL and
 * synced. Errors: TERM_ERR_IO (dir exists, cannot write),
 * TERM_ERR_STORAGE_FULL, TERM_ERR_NO_MEMORY.
 */
term_status term_store_export_csv(term_store *st, const char *dir, term_store_export_report *out);

/*
 * The menu lock of a database rebuilt without an administrator: while it
 * is set and no administrator exists, nobody may open the menu (the
 * server restores the administrators). *pending is 0 on a database that
 * was never rebuilt.
 */
term_status term_store_restore_pending(term_store *st, int *pending);
term_status term_store_set_restore_pending(term_store *st, int pending);

#ifdef __cplusplus
}
#endif

#endif /* TERM_STORE_H */
