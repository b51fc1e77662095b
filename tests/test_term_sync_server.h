/*
 * test_term_sync_server.h - a PUSH attendance server for the tests: an
 * HTTP/1.1 server in this process on 127.0.0.1 (ephemeral port, one
 * pthread), written from the protocol document as an independent peer of
 * terminal/sync. Not shipped.
 *
 * It answers the handshake with configurable options, stores uploaded
 * ATTLOG lines (de-duplicated by the terminal's record id, counting every
 * copy), OPERLOG and BIODATA lines and table=options pushes, queues
 * commands for getrequest, records devicecmd results, serves files, and can
 * be told to fail: HTTP 500, close before or in the middle of a response,
 * stall past the client's timeout, or answer a huge body; at random
 * (seeded) or for the next n requests.
 *
 * Modes (mock_push_set_modes) give it the habits of PUSH servers met in the
 * field, which read the protocol loosely: one command per poll, one result
 * per POST, stamps taken from the uploads, unified templates only, users
 * echoed back with an empty password; mock_push_restart and
 * mock_push_lose_polls play a restart that forces re-registration and poll
 * answers lost on the way (the commands count as sent and never come back).
 */
#ifndef TEST_TERM_SYNC_SERVER_H
#define TEST_TERM_SYNC_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct mock_push mock_push;

enum {
    MOCK_FAULT_500 = 1u << 0,          /* HTTP 500 before the request is processed */
    MOCK_FAULT_CLOSE = 1u << 1,        /* close without answering, before processing */
    MOCK_FAULT_CLOSE_AFTER = 1u << 2,  /* process the request, then close without answering (ack lost) */
    MOCK_FAULT_MID_RESPONSE = 1u << 3, /* process, send half the response, close */
    MOCK_FAULT_STALL = 1u << 4,        /* wait stall_ms before answering (past the client's timeout) */
    MOCK_FAULT_HUGE = 1u << 5          /* answer a 3 MiB body */
};

enum {
    MOCK_MODE_ONE_CMD_PER_POLL = 1u << 0,    /* getrequest hands out only the oldest queued command */
    MOCK_MODE_ONE_RESULT_PER_POST = 1u << 1, /* devicecmd keeps the first result of a POST, drops the rest, says OK */
    MOCK_MODE_TRACK_STAMPS = 1u << 2,        /* registration sends back the Stamp of the last upload of each table */
    MOCK_MODE_BIODATA = 1u << 3,             /* MultiBioDataSupport with fingerprints; FP lines are dropped unread */
    MOCK_MODE_ECHO_USERS = 1u << 4,          /* each USER line comes back as DATA UPDATE USERINFO ... Passwd= */
    MOCK_MODE_PUSH_OPTIONS = 1u << 5         /* PushOptionsFlag=1 PushOptions=UserCount,FPCount,~DeviceName,IPAddress */
};

mock_push *mock_push_start(void);
void mock_push_stop(mock_push *m);
int mock_push_port(const mock_push *m);
/* "http://127.0.0.1:<port>" */
const char *mock_push_url(const mock_push *m);

/* The options body lines after "GET OPTION FROM: <SN>" (NULL: the defaults); bare != 0 answers "OK". */
void mock_push_set_options(mock_push *m, const char *lines, int bare);
/* The Date header sent (seconds since 1970 UTC). */
void mock_push_set_date(mock_push *m, int64_t utc);
/* Queues one command line, e.g. "C:7:INFO". */
void mock_push_queue(mock_push *m, const char *line);
/* Random faults: pct percent of requests fail with one of the modes. */
void mock_push_set_faults(mock_push *m, unsigned pct, unsigned modes, unsigned seed, unsigned stall_ms);
/* The next count requests fail with mode. */
void mock_push_fail_next(mock_push *m, unsigned mode, unsigned count, unsigned stall_ms);
/* At most n lines of each upload are taken and acknowledged ("OK: n"); 0: all. */
void mock_push_set_ack_limit(mock_push *m, unsigned n);
/* Serves data at this request path (compared up to '?', or the url= parameter of /iclock/file). */
void mock_push_add_file(mock_push *m, const char *path, const void *data, size_t len);

/* MOCK_MODE_* bits. */
void mock_push_set_modes(mock_push *m, unsigned modes);
/* A restart: until the device registers again every other request is answered HTTP 401. Stamps are kept. */
void mock_push_restart(mock_push *m);
/* The stamps registration sends in MOCK_MODE_TRACK_STAMPS, as a server that set them back (NULL: unchanged). */
void mock_push_set_stamps(mock_push *m, const char *att, const char *op);
/* The next n getrequest answers are lost (connection closed); the commands in them count as sent. */
void mock_push_lose_polls(mock_push *m, unsigned n);

typedef struct mock_push_counts {
    uint64_t requests, faults, handshakes, polls, pings;
    uint64_t att_lines, att_unique, op_lines, results;
    uint64_t bio_lines, fp_dropped, results_dropped, lost_commands, echoed_users, options_posts, refused_401;
} mock_push_counts;
void mock_push_counts_get(mock_push *m, mock_push_counts *out);

/* Whether an ATTLOG line with this record id arrived (and how often). */
unsigned mock_push_att_seen(mock_push *m, int64_t id);
/* Copies the ATTLOG line of record id; 0 when absent. */
int mock_push_att_line(mock_push *m, int64_t id, char *out, size_t cap);
/* The i-th OPERLOG line (copy); 0 when i is past the end. */
int mock_push_op_line(mock_push *m, size_t i, char *out, size_t cap);
/* The last result for command id: *ret and the full result text; 0 when none. */
int mock_push_result(mock_push *m, const char *id, int *ret, char *text, size_t cap);
/* How many results arrived for command id. */
unsigned mock_push_result_count(mock_push *m, const char *id);
/* The last BIODATA line received for pin and finger no; 0 when none. */
int mock_push_bio_line(mock_push *m, const char *pin, unsigned no, char *out, size_t cap);
/* The body of the last table=options push; 0 when none. */
int mock_push_device_options(mock_push *m, char *out, size_t cap);
/* The last Stamp= of an upload to table ("" when none). */
void mock_push_last_stamp(mock_push *m, const char *table, char *out, size_t cap);

#endif /* TEST_TERM_SYNC_SERVER_H */
