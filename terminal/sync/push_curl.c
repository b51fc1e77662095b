/*
 * push_curl.c - the libcurl transport. One easy handle is kept for the life
 * of the transport so connections are reused between polls.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "push_transport.h"

void push_response_clear(push_response *r)
{
    if (r == NULL) return;
    free(r->body);
    memset(r, 0, sizeof(*r));
}

void push_transport_destroy(push_transport *t)
{
    if (t == NULL) return;
    if (t->ops != NULL && t->ops->destroy != NULL) t->ops->destroy(t->ctx);
    free(t);
}

typedef struct curl_ctx {
    CURL *easy;
    char *server;
    char *ca_file;
    char *pinned;
    char *user_agent;
    long connect_timeout_ms, timeout_ms, download_timeout_ms;
    size_t max_body;
} curl_ctx;

typedef struct sink {
    char *buf;
    size_t len, cap, max;
    int too_large;
    int fd;
    uint64_t written, max_file;
    int io_error;
    char date[64];
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    sink *s = user;
    size_t n = size * nmemb;
    if (s->fd >= 0) {
        if (s->written + n > s->max_file) {
            s->too_large = 1;
            return 0;
        }
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(s->fd, data + off, n - off);
            if (w <= 0) {
                s->io_error = 1;
                return 0;
            }
            off += (size_t)w;
        }
        s->written += n;
        return n;
    }
    if (s->len + n > s->max) {
        s->too_large = 1;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->len + n + 1) cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (nb == NULL) return 0;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    sink *s = user;
    size_t n = size * nmemb;
    if (n > 5 && strncasecmp(data, "Date:", 5) == 0) {
        size_t i = 5;
        while (i < n && data[i] == ' ') i++;
        size_t end = n;
        while (end > i && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' ')) end--;
        size_t len = end - i < sizeof(s->date) - 1 ? end - i : sizeof(s->date) - 1;
        memcpy(s->date, data + i, len);
        s->date[len] = '\0';
    }
    return n;
}

static push_status map_error(CURLcode rc, const sink *s)
{
    if (rc == CURLE_OK) return PUSH_OK;
    if (s->too_large) return s->fd >= 0 ? PUSH_ERR_SIZE : PUSH_ERR_RESPONSE_TOO_LARGE;
    if (s->io_error) return PUSH_ERR_IO;
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return PUSH_ERR_TLS;
    case CURLE_OUT_OF_MEMORY:
        return PUSH_ERR_NO_MEMORY;
    default:
        return PUSH_ERR_NETWORK;
    }
}

static void common_options(curl_ctx *c, sink *s, long timeout_ms)
{
    CURL *e = c->easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
    if (c->pinned) curl_easy_setopt(e, CURLOPT_PINNEDPUBLICKEY, c->pinned);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
}

static char *join_url(const char *server, const char *path)
{
    size_t a = strlen(server), b = strlen(path);
    while (a > 0 && server[a - 1] == '/') a--;
    char *u = malloc(a + b + 2);
    if (u == NULL) return NULL;
    memcpy(u, server, a);
    size_t o = a;
    if (b == 0 || path[0] != '/') u[o++] = '/';
    memcpy(u + o, path, b + 1);
    return u;
}

static push_status curl_request(void *ctx, const char *method, const char *path_query, const char *body,
                                size_t body_len, push_response *resp)
{
    curl_ctx *c = ctx;
    if (c == NULL || method == NULL || path_query == NULL || resp == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    memset(resp, 0, sizeof(*resp));
    sink s = {.max = c->max_body, .fd = -1};
    char *url = join_url(c->server, path_query);
    if (url == NULL) return PUSH_ERR_NO_MEMORY;
    common_options(c, &s, c->timeout_ms);
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: text/plain;charset=UTF-8");
    struct curl_slist *h2 = headers ? curl_slist_append(headers, "Expect:") : NULL;
    if (h2 == NULL) {
        curl_slist_free_all(headers);
        free(url);
        return PUSH_ERR_NO_MEMORY;
    }
    headers = h2;
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c->easy, CURLOPT_POST, 1L);
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
    } else {
        curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    }
    CURLcode rc = curl_easy_perform(c->easy);
    push_status st = map_error(rc, &s);
    if (st == PUSH_OK) {
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &resp->status);
        memcpy(resp->date, s.date, sizeof(resp->date));
        if (s.buf == NULL) {
            s.buf = calloc(1, 1);
            if (s.buf == NULL) st = PUSH_ERR_NO_MEMORY;
        }
        resp->body = s.buf;
        resp->body_len = s.len;
        s.buf = NULL;
    }
    if (st != PUSH_OK) memset(resp, 0, sizeof(*resp));
    free(s.buf);
    curl_slist_free_all(headers);
    /* The header list and URL are freed now: the handle must not refer to them afterwards. */
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, NULL);
    free(url);
    return st;
}

static push_status curl_download(void *ctx, const char *url_in, int fd, uint64_t max_bytes, uint64_t *written)
{
    curl_ctx *c = ctx;
    if (c == NULL || url_in == NULL || fd < 0 || written == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    *written = 0;
    if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) return PUSH_ERR_IO;
    int absolute = strncmp(url_in, "http://", 7) == 0 || strncmp(url_in, "https://", 8) == 0;
    char *url = absolute ? strdup(url_in) : join_url(c->server, url_in);
    if (url == NULL) return PUSH_ERR_NO_MEMORY;
    sink s = {.fd = fd, .max_file = max_bytes};
    common_options(c, &s, c->download_timeout_ms);
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    CURLcode rc = curl_easy_perform(c->easy);
    push_status st = map_error(rc, &s);
    if (st == PUSH_OK) {
        long code = 0;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code < 200 || code > 299) st = PUSH_ERR_HTTP_STATUS;
    }
    *written = s.written;
    free(url);
    return st;
}

static void curl_destroy(void *ctx)
{
    curl_ctx *c = ctx;
    if (c == NULL) return;
    if (c->easy) curl_easy_cleanup(c->easy);
    free(c->server);
    free(c->ca_file);
    free(c->pinned);
    free(c->user_agent);
    free(c);
    curl_global_cleanup();
}

static const push_transport_ops curl_ops = {PUSH_TRANSPORT_VERSION, curl_request, curl_download, curl_destroy};

static char *dup_or_null(const char *s, int *fail)
{
    if (s == NULL) return NULL;
    char *d = strdup(s);
    if (d == NULL) *fail = 1;
    return d;
}

push_status push_curl_create(const push_curl_config *cfg, push_transport **out)
{
    if (cfg == NULL || out == NULL || cfg->server == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (strncmp(cfg->server, "http://", 7) != 0 && strncmp(cfg->server, "https://", 8) != 0)
        return PUSH_ERR_INVALID_ARGUMENT;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return PUSH_ERR_NO_MEMORY;
    curl_ctx *c = calloc(1, sizeof(*c));
    push_transport *t = calloc(1, sizeof(*t));
    int fail = c == NULL || t == NULL;
    if (!fail) {
        c->server = dup_or_null(cfg->server, &fail);
        c->ca_file = dup_or_null(cfg->ca_file, &fail);
        c->pinned = dup_or_null(cfg->pinned_pubkey, &fail);
        c->user_agent = dup_or_null(cfg->user_agent ? cfg->user_agent : "m1-terminal", &fail);
        c->easy = curl_easy_init();
        if (c->easy == NULL) fail = 1;
        c->connect_timeout_ms = cfg->connect_timeout_ms ? (long)cfg->connect_timeout_ms : 10000;
        c->timeout_ms = cfg->timeout_ms ? (long)cfg->timeout_ms : 30000;
        c->download_timeout_ms = cfg->download_timeout_ms ? (long)cfg->download_timeout_ms : 600000;
        c->max_body = cfg->max_body ? cfg->max_body : 1u << 20;
    }
    if (fail) {
        if (c != NULL)
            curl_destroy(c);
        else
            curl_global_cleanup();
        free(t);
        return PUSH_ERR_NO_MEMORY;
    }
    t->ops = &curl_ops;
    t->ctx = c;
    *out = t;
    return PUSH_OK;
}
