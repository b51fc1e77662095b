/*
 * test_term_sync_server.h - a PUSH attendance server for the tests: an
 * HTTP/1.1 server in this process on 127.0.0.1 (ephemeral port, one
 * pthread), written from the protocol document as an independent peer of
 * terminal/sync. Not shipped.
 *
 * It answers the handshake with configurable options, stores uploaded
 * ATTLOG lines (de-duplicated by the terminal's record id, counting every
 * copy) and OPERLOG lines, queues commands for getrequest, records
 * devicecmd results, serves files, and can be told to fail: HTTP 500,
 * close before or in the middle of a response, stall past the client's
 * timeout, or answer a huge body; at random (seeded) or for the next n
 * requests.
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

typedef struct mock_push_counts {
    uint64_t requests, faults, handshakes, polls, pings;
    uint64_t att_lines, att_unique, op_lines, results;
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

#endif /* TEST_TERM_SYNC_SERVER_H */
