/*
 * push_transport.h - how the sync engine talks HTTP, as a struct of
 * function pointers, so the engine runs unchanged over libcurl (the
 * device), over a fault-injecting wrapper (tests) or over another link
 * later (the vendor's newer cloud link is not publicly specified).
 *
 * Ownership: a push_transport is owned by whoever created it and freed with
 * push_transport_destroy (accepts NULL). The engine borrows it.
 * Thread safety: one thread at a time.
 */
#ifndef PUSH_TRANSPORT_H
#define PUSH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "push_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct push_response {
    long status;   /* HTTP status (200 ...) */
    char date[64]; /* the Date header ("" when absent) */
    char *body;    /* NUL terminated; owned by the response, freed by push_response_clear */
    size_t body_len;
} push_response;

void push_response_clear(push_response *r);

#define PUSH_TRANSPORT_VERSION 1

typedef struct push_transport_ops {
    int version; /* PUSH_TRANSPORT_VERSION */
    /*
     * One request. method "GET" or "POST"; path_query is "/iclock/..." with
     * its query string, appended to the server address. The response body
     * is kept up to the transport's limit, beyond it
     * PUSH_ERR_RESPONSE_TOO_LARGE. Returns PUSH_OK when an HTTP answer
     * arrived (whatever its status), PUSH_ERR_NETWORK / PUSH_ERR_TLS /
     * PUSH_ERR_RESPONSE_TOO_LARGE otherwise; *resp is then cleared.
     */
    push_status (*request)(void *ctx, const char *method, const char *path_query, const char *body, size_t body_len,
                           push_response *resp);
    /*
     * Downloads url (absolute "http(s)://..." or a path on the server) into
     * the open file fd (truncated first), at most max_bytes; *written gets
     * the byte count. Errors as request, PUSH_ERR_HTTP_STATUS for a non-2xx
     * answer, PUSH_ERR_SIZE beyond max_bytes, PUSH_ERR_IO.
     */
    push_status (*download)(void *ctx, const char *url, int fd, uint64_t max_bytes, uint64_t *written);
    void (*destroy)(void *ctx);
} push_transport_ops;

typedef struct push_transport {
    const push_transport_ops *ops;
    void *ctx;
} push_transport;

void push_transport_destroy(push_transport *t);

/* ------------------------------------------------------------------------ */
/* libcurl backend                                                          */
/* ------------------------------------------------------------------------ */

typedef struct push_curl_config {
    const char *server;        /* "https://host[:port][/prefix]" (the server_address setting) */
    const char *ca_file;       /* NULL: the system CA store */
    const char *pinned_pubkey; /* NULL, or "sha256//<base64>" or a PEM/DER public key file (CURLOPT_PINNEDPUBLICKEY) */
    uint32_t connect_timeout_ms;  /* 0: 10 s */
    uint32_t timeout_ms;          /* whole request; 0: 30 s */
    uint32_t download_timeout_ms; /* firmware download; 0: 10 min */
    size_t max_body;              /* response bodies kept, 0: 1 MiB */
    const char *user_agent;       /* NULL: "m1-terminal" */
} push_curl_config;

/*
 * Creates the libcurl transport. HTTPS peers are verified (peer and host
 * name) against the system CA store or ca_file, always; there is no switch
 * to turn verification off. Caller frees with push_transport_destroy.
 * Errors: PUSH_ERR_INVALID_ARGUMENT (no server, or a scheme other than
 * http/https), PUSH_ERR_NO_MEMORY.
 */
push_status push_curl_create(const push_curl_config *cfg, push_transport **out);

#ifdef __cplusplus
}
#endif

#endif /* PUSH_TRANSPORT_H */
