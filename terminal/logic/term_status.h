/*
 * term_status.h - status codes of the terminal application.
 *
 * One X-macro list makes the enum, the names and the messages, so a code's
 * number, name and text can never drift apart. Numbers never change once
 * released. The messages are short English sentences an installer can read
 * on the terminal's screen or in a log.
 */
#ifndef TERM_STATUS_H
#define TERM_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(name, number, message).
 *   0        success
 *   1..49    bad input from the caller or the operator
 *   50..79   capacity and storage
 *   80..99   verification outcomes that are not faults
 * New codes are added at the end of the list, with the next free number
 * of their range.
 */
#define TERM_STATUS_MAP(X)                                                                                             \
    X(OK, 0, "success")                                                                                                \
    X(ERR_INVALID_ARGUMENT, 1, "invalid argument")                                                                     \
    X(ERR_UNKNOWN_SETTING, 2, "no setting has this name")                                                              \
    X(ERR_OUT_OF_RANGE, 3, "value outside the setting's valid range")                                                  \
    X(ERR_NOT_IN_CHOICES, 4, "value is not one of the setting's choices")                                              \
    X(ERR_BAD_FORMAT, 5, "value is not written in the setting's format")                                               \
    X(ERR_TOO_LONG, 6, "text is longer than the setting allows")                                                       \
    X(ERR_INCONSISTENT, 7, "settings contradict each other")                                                           \
    X(ERR_BAD_USER_ID, 8, "user id must be 1-24 digits, no leading zero (letters only with Alphanumeric User ID)")     \
    X(ERR_BAD_NAME, 9, "user name is too long or contains control characters")                                         \
    X(ERR_BAD_PIN, 10, "password must be 1-16 printable characters")                                                   \
    X(ERR_BAD_CARD, 11, "card number must be non-zero")                                                                \
    X(ERR_BAD_TEMPLATE, 12, "fingerprint template is not a valid engine template")                                     \
    X(ERR_BAD_FINGER_INDEX, 13, "finger index must be 0-9")                                                            \
    X(ERR_NOT_FOUND, 20, "no such item")                                                                               \
    X(ERR_DUPLICATE_USER, 21, "a user with this id already exists")                                                    \
    X(ERR_DUPLICATE_CARD, 22, "this card is already registered to another user")                                       \
    X(ERR_CAPACITY_USERS, 50, "user storage is full")                                                                  \
    X(ERR_CAPACITY_FINGERS, 51, "fingerprint storage is full")                                                         \
    X(ERR_CAPACITY_CARDS, 52, "card storage is full")                                                                  \
    X(ERR_CAPACITY_RECORDS, 53, "attendance record storage is full")                                                   \
    X(ERR_CAPACITY_OPLOG, 54, "operation log storage is full")                                                         \
    X(ERR_NO_MEMORY, 60, "out of memory")                                                                              \
    X(ERR_IO, 61, "read or write failure")                                                                             \
    X(ERR_KEY_FILE, 62, "device key file is missing, unreadable or not 32 bytes")                                      \
    X(ERR_WRONG_KEY, 63, "database cannot be decrypted with this key, or its first page is damaged")                   \
    X(ERR_DATABASE, 64, "database error")                                                                              \
    X(ERR_CORRUPT, 65, "database failed its integrity check")                                                          \
    X(ERR_CRYPTO, 66, "cryptographic library failure")                                                                 \
    X(ERR_SCHEMA_VERSION, 67, "database was written by a newer firmware")                                              \
    X(NO_MATCH, 80, "credential does not match")                                                                       \
    X(ERR_USER_ID_RANGE, 14, "a numeric user id must be 1-999999999")                                                  \
    X(ERR_NO_FREE_USER_ID, 55, "no free user id is left (numeric ids go up to 999999999)")                             \
    X(ERR_STORAGE_FULL, 68, "storage full: nothing written, stored data intact")                                       \
    X(ERR_KEY_MISSING, 69, "device key file is missing beside an existing database")                                   \
    X(ERR_KEY_UNSAFE, 70, "device key file is open to other users (must be mode 0600 and owned by the terminal)")      \
    X(ERR_DB_EMPTY, 71, "database file is empty or has no terminal tables: refused as a new device")                   \
    X(ERR_DB_ORPHAN_WAL, 72, "database file is missing but its write-ahead log exists")

typedef enum term_status {
#define TERM_STATUS_ENUM_(name, num, msg) TERM_##name = num,
    TERM_STATUS_MAP(TERM_STATUS_ENUM_)
#undef TERM_STATUS_ENUM_
} term_status;

/* A static English message for the code; never NULL. */
const char *term_status_message(term_status status);
/* The symbolic name, for example "TERM_ERR_OUT_OF_RANGE"; never NULL. */
const char *term_status_name(term_status status);

#ifdef __cplusplus
}
#endif

#endif /* TERM_STATUS_H */
