/*
 * test_term_sync_server.c - the tests' PUSH server. See the header.
 */
#define _GNU_SOURCE
#include "test_term_sync_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQ (4u << 20)

typedef struct result {
    char id[32];
    int ret;
    char *text;
} result;

typedef struct file_entry {
    char *path;
    uint8_t *data;
    size_t len;
} file_entry;

struct mock_push {
    int listen_fd;
    int port;
    char url[64];
    pthread_t thread;
    atomic_int stop; /* set by mock_push_stop on the test's thread, read by the server's */
    pthread_mutex_t lock;

    char *options;
    int bare;
    int64_t date;
    char **queue;
    size_t nqueue, capqueue;

    unsigned fault_pct, fault_modes, stall_ms;
    unsigned ack_limit;
    unsigned next_mode, next_count, next_stall;
    uint64_t rng;

    uint32_t *att_seen; /* copies per record id */
    char **att_text;
    size_t att_cap;
    char **op;
    size_t nop, capop;
    result *res;
    size_t nres, capres;
    file_entry *files;
    size_t nfiles;
    mock_push_counts counts;

    unsigned modes;         /* MOCK_MODE_* */
    int need_register;      /* after mock_push_restart */
    unsigned lose_polls;    /* getrequest answers still to lose */
    unsigned echo_seq;      /* ids of echoed USERINFO commands */
    char stamp[3][32];      /* last Stamp of ATTLOG, OPERLOG, BIODATA uploads */
    char sent_stamp[2][32]; /* what registration sends for ATTLOG / OPERLOG in MOCK_MODE_TRACK_STAMPS */
    char **bio;             /* BIODATA lines */
    size_t nbio, capbio;
    char *dev_options; /* the last table=options body */
};

static const char *const stamp_tables[3] = {"ATTLOG", "OPERLOG", "BIODATA"};

static char *xstrndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d == NULL) abort();
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL) abort();
    return q;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void http_date(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int respond(mock_push *m, int fd, int status, const char *body, size_t len, int half)
{
    char head[256], date[64];
    pthread_mutex_lock(&m->lock);
    http_date(m->date, date, sizeof(date));
    pthread_mutex_unlock(&m->lock);
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", status,
                     status == 200   ? "OK"
                     : status == 404 ? "Not Found"
                     : status == 401 ? "Unauthorized"
                                     : "Internal Server Error",
                     date, len);
    if (send_all(fd, head, (size_t)n) != 0) return -1;
    if (half) {
        send_all(fd, body, len / 2);
        return -1;
    }
    return send_all(fd, body, len);
}

/* Query parameter value (not decoded beyond %XX). */
static int query_param(const char *target, const char *key, char *out, size_t cap)
{
    const char *q = strchr(target, '?');
    size_t kl = strlen(key);
    while (q != NULL) {
        q++;
        if (strncmp(q, key, kl) == 0 && q[kl] == '=') {
            const char *v = q + kl + 1;
            size_t o = 0;
            while (*v && *v != '&' && o + 1 < cap) {
                if (*v == '%' && v[1] && v[2]) {
                    char hex[3] = {v[1], v[2], 0};
                    out[o++] = (char)strtol(hex, NULL, 16);
                    v += 3;
                } else {
                    out[o++] = *v++;
                }
            }
            out[o] = '\0';
            return 1;
        }
        q = strchr(q, '&');
    }
    return 0;
}

static unsigned rnd(mock_push *m)
{
    m->rng = m->rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(m->rng >> 33);
}

static void push_line(char ***list, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *list = xrealloc(*list, *cap * sizeof(char *));
    }
    (*list)[(*n)++] = xstrndup(s, len);
}

static void queue_locked(mock_push *m, const char *line)
{
    push_line(&m->queue, &m->nqueue, &m->capqueue, line, strlen(line));
}

/* The value of key= in a TAB separated record (copied, at most cap - 1 bytes); "" when absent. */
static void field_of(const char *rec, size_t n, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    out[0] = '\0';
    for (size_t i = 0; i + kl < n; i++) {
        if ((i == 0 || rec[i - 1] == '\t' || rec[i - 1] == ' ') && strncmp(rec + i, key, kl) == 0 &&
            rec[i + kl] == '=') {
            size_t s = i + kl + 1, e = s;
            while (e < n && rec[e] != '\t') e++;
            size_t l = e - s < cap - 1 ? e - s : cap - 1;
            memcpy(out, rec + s, l);
            out[l] = '\0';
            return;
        }
    }
}

/* MOCK_MODE_ECHO_USERS: a server that keeps what it was sent (no password: an empty one) and syncs it back. */
static void echo_user(mock_push *m, const char *line, size_t n)
{
    char pin[32], name[64], pri[8], card[32], cmd[256];
    field_of(line, n, "PIN", pin, sizeof(pin));
    field_of(line, n, "Name", name, sizeof(name));
    field_of(line, n, "Pri", pri, sizeof(pri));
    field_of(line, n, "Card", card, sizeof(card));
    snprintf(cmd, sizeof(cmd),
             "C:echo%u:DATA UPDATE USERINFO PIN=%s\tName=%s\tPri=%s\tPasswd=\tCard=%s\tGrp=1\tTZ=0000000000000000"
             "\tVerify=-1\tViceCard=",
             ++m->echo_seq, pin, name, pri[0] ? pri : "0", card);
    queue_locked(m, cmd);
    m->counts.echoed_users++;
}

static void store_attlog(mock_push *m, const char *body, size_t len, size_t *count)
{
    const char *p = body, *end = body + len;
    while (p < end && (m->ack_limit == 0 || *count < m->ack_limit)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 0) {
            /* PIN, time, status, verify, workcode, reserved1 = record id, reserved2 */
            const char *f = p;
            int field = 0;
            int64_t id = -1;
            for (size_t i = 0; i <= n; i++) {
                if (i == n || p[i] == '\t') {
                    if (field == 5) id = strtoll(f, NULL, 10);
                    field++;
                    f = p + i + 1;
                }
            }
            (*count)++;
            m->counts.att_lines++;
            if (id >= 0 && id < (1 << 24)) {
                if ((size_t)id >= m->att_cap) {
                    size_t cap = m->att_cap ? m->att_cap : 1024;
                    while (cap <= (size_t)id) cap *= 2;
                    m->att_seen = xrealloc(m->att_seen, cap * sizeof(uint32_t));
                    m->att_text = xrealloc(m->att_text, cap * sizeof(char *));
                    memset(m->att_seen + m->att_cap, 0, (cap - m->att_cap) * sizeof(uint32_t));
                    memset(m->att_text + m->att_cap, 0, (cap - m->att_cap) * sizeof(char *));
                    m->att_cap = cap;
                }
                if (m->att_seen[id]++ == 0) {
                    m->counts.att_unique++;
                    m->att_text[id] = xstrndup(p, n);
                }
            }
        }
        p += n + 1;
    }
}

/* OPERLOG (bio 0) or BIODATA (bio 1) lines. */
static void store_lines(mock_push *m, const char *body, size_t len, size_t *count, int bio)
{
    const char *p = body, *end = body + len;
    while (p < end && (m->ack_limit == 0 || *count < m->ack_limit)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 0) {
            (*count)++;
            if (bio) {
                push_line(&m->bio, &m->nbio, &m->capbio, p, n);
                m->counts.bio_lines++;
            } else if ((m->modes & MOCK_MODE_BIODATA) && n > 3 && strncmp(p, "FP ", 3) == 0) {
                m->counts.fp_dropped++; /* taken and forgotten: this server keeps unified templates only */
            } else {
                push_line(&m->op, &m->nop, &m->capop, p, n);
                m->counts.op_lines++;
                if ((m->modes & MOCK_MODE_ECHO_USERS) && n > 5 && strncmp(p, "USER ", 5) == 0) echo_user(m, p, n);
            }
        }
        p += n + 1;
    }
}

static void store_results(mock_push *m, const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    size_t taken = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 3 && strncmp(p, "ID=", 3) == 0 && (m->modes & MOCK_MODE_ONE_RESULT_PER_POST) && taken++ > 0) {
            m->counts.results_dropped++; /* this server reads the first result of a POST only */
            p += n + 1;
            continue;
        }
        if (n > 3 && strncmp(p, "ID=", 3) == 0) {
            if (m->nres == m->capres) {
                m->capres = m->capres ? m->capres * 2 : 32;
                m->res = xrealloc(m->res, m->capres * sizeof(result));
            }
            result *r = &m->res[m->nres++];
            memset(r, 0, sizeof(*r));
            const char *amp = memchr(p, '&', n);
            size_t idn = amp ? (size_t)(amp - p - 3) : n - 3;
            if (idn >= sizeof(r->id)) idn = sizeof(r->id) - 1;
            memcpy(r->id, p + 3, idn);
            const char *ret = amp ? strstr(amp, "Return=") : NULL;
            r->ret = (ret && ret < p + n) ? atoi(ret + 7) : -99999;
            /* A result may be followed by key=value lines (INFO): keep them with it. */
            const char *q = nl ? nl + 1 : end;
            while (q < end && strncmp(q, "ID=", 3) != 0) {
                const char *nl2 = memchr(q, '\n', (size_t)(end - q));
                q = nl2 ? nl2 + 1 : end;
            }
            r->text = xstrndup(p, (size_t)(q - p));
            m->counts.results++;
            p = q;
            continue;
        }
        p += n + 1;
    }
}

static void handle(mock_push *m, int fd, const char *method, const char *target, const char *body, size_t blen,
                   int *close_conn)
{
    pthread_mutex_lock(&m->lock);
    m->counts.requests++;
    unsigned mode = 0, stall = m->stall_ms;
    if (m->next_count > 0) {
        m->next_count--;
        mode = m->next_mode;
        stall = m->next_stall;
    } else if (m->fault_pct > 0 && m->fault_modes && rnd(m) % 100 < m->fault_pct) {
        unsigned bits[6], nb = 0;
        for (unsigned b = 0; b < 6; b++)
            if (m->fault_modes & (1u << b)) bits[nb++] = 1u << b;
        mode = bits[rnd(m) % nb];
    }
    if (mode) m->counts.faults++;
    pthread_mutex_unlock(&m->lock);

    if (mode == MOCK_FAULT_500) {
        respond(m, fd, 500, "error", 5, 0);
        return;
    }
    if (mode == MOCK_FAULT_CLOSE) {
        *close_conn = 1;
        return;
    }
    if (mode == MOCK_FAULT_STALL) {
        struct timespec ts = {stall / 1000, (long)(stall % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (mode == MOCK_FAULT_HUGE) {
        size_t n = 3u << 20;
        char *big = malloc(n);
        if (big) {
            memset(big, 'A', n);
            respond(m, fd, 200, big, n, 0);
            free(big);
        }
        return;
    }

    char sn[64] = "", table[32] = "";
    char *out = NULL;
    size_t outlen = 0;
    int status = 200;
    query_param(target, "SN", sn, sizeof(sn));
    pthread_mutex_lock(&m->lock);
    int registering = strncmp(target, "/iclock/cdata", 13) == 0 && strcmp(method, "GET") == 0 &&
                      strstr(target, "options=all") != NULL;
    if (m->need_register && !registering && strncmp(target, "/iclock/", 8) == 0 &&
        strncmp(target, "/iclock/file", 12) != 0) {
        /* restarted: the device is unknown until it registers again */
        m->counts.refused_401++;
        status = 401;
        out = xstrndup("device not registered", 21);
        outlen = strlen(out);
    } else if (registering) {
        m->counts.handshakes++;
        m->need_register = 0;
        if (m->bare) {
            out = xstrndup("OK", 2);
        } else {
            const char *lines = m->options
                                    ? m->options
                                    : "ATTLOGStamp=None\nOPERLOGStamp=9999\nErrorDelay=30\nDelay=10\n"
                                      "TransTimes=00:00;14:05\nTransInterval=1\nTransFlag=TransData AttLog\tOpLog\t"
                                      "EnrollUser\tChgUser\tEnrollFP\tChgFP\nTimeZone=8\nRealtime=1\nEncrypt=None\n";
            char extra[512] = "";
            size_t used = 0;
            /* later lines win: these override the fixed ones */
            if (m->modes & MOCK_MODE_TRACK_STAMPS)
                used += (size_t)snprintf(extra + used, sizeof(extra) - used, "ATTLOGStamp=%s\nOPERLOGStamp=%s\n",
                                         m->sent_stamp[0], m->sent_stamp[1]);
            if (m->modes & MOCK_MODE_BIODATA)
                used += (size_t)snprintf(
                    extra + used, sizeof(extra) - used,
                    "MultiBioDataSupport=0:1:0:0:0:0:0:0:0:0\nMultiBioPhotoSupport=0:0:0:0:0:0:0:0:0:0\n");
            if (m->modes & MOCK_MODE_PUSH_OPTIONS)
                snprintf(extra + used, sizeof(extra) - used,
                         "PushOptionsFlag=1\nPushOptions=UserCount,FPCount,~DeviceName,IPAddress\n");
            size_t cap = strlen(lines) + strlen(sn) + strlen(extra) + 64;
            out = malloc(cap);
            snprintf(out, cap, "GET OPTION FROM: %s\n%s%s%s", sn, lines,
                     lines[0] && lines[strlen(lines) - 1] != '\n' ? "\n" : "", extra);
        }
        outlen = strlen(out);
    } else if (strncmp(target, "/iclock/cdata", 13) == 0 && strcmp(method, "POST") == 0) {
        size_t n = 0;
        char stamp[32] = "";
        query_param(target, "table", table, sizeof(table));
        query_param(target, "Stamp", stamp, sizeof(stamp));
        for (int k = 0; k < 3; k++) {
            if (strcmp(table, stamp_tables[k]) != 0) continue;
            snprintf(m->stamp[k], sizeof(m->stamp[k]), "%s", stamp);
            if (k < 2 && (m->modes & MOCK_MODE_TRACK_STAMPS))
                snprintf(m->sent_stamp[k], sizeof(m->sent_stamp[k]), "%s", stamp);
        }
        if (strcmp(table, "ATTLOG") == 0) {
            store_attlog(m, body, blen, &n);
        } else if (strcmp(table, "options") == 0) {
            free(m->dev_options);
            m->dev_options = xstrndup(body, blen);
            m->counts.options_posts++;
            n = 1;
        } else {
            store_lines(m, body, blen, &n, strcmp(table, "BIODATA") == 0);
        }
        char ok[32];
        snprintf(ok, sizeof(ok), "OK: %zu", n);
        out = xstrndup(ok, strlen(ok));
        outlen = strlen(out);
    } else if (strncmp(target, "/iclock/getrequest", 18) == 0) {
        m->counts.polls++;
        size_t take = (m->modes & MOCK_MODE_ONE_CMD_PER_POLL) && m->nqueue > 1 ? 1 : m->nqueue;
        size_t total = 3;
        for (size_t i = 0; i < take; i++) total += strlen(m->queue[i]) + 1;
        out = malloc(total);
        outlen = 0;
        for (size_t i = 0; i < take; i++) {
            size_t l = strlen(m->queue[i]);
            memcpy(out + outlen, m->queue[i], l);
            outlen += l;
            out[outlen++] = '\n';
            free(m->queue[i]);
        }
        /* handed out = sent: this server never hands a command out again */
        if (take > 0) memmove(m->queue, m->queue + take, (m->nqueue - take) * sizeof(char *));
        m->nqueue -= take;
        if (m->lose_polls > 0) {
            m->lose_polls--;
            m->counts.lost_commands += take;
            mode = MOCK_FAULT_CLOSE_AFTER;
        }
        if (outlen == 0) {
            memcpy(out, "OK", 2);
            outlen = 2;
        }
    } else if (strncmp(target, "/iclock/devicecmd", 17) == 0) {
        store_results(m, body, blen);
        out = xstrndup("OK", 2);
        outlen = 2;
    } else if (strncmp(target, "/iclock/ping", 12) == 0) {
        m->counts.pings++;
        out = xstrndup("OK", 2);
        outlen = 2;
    } else {
        char path[512] = "";
        if (strncmp(target, "/iclock/file", 12) == 0)
            query_param(target, "url", path, sizeof(path));
        else {
            size_t n = strcspn(target, "?");
            if (n >= sizeof(path)) n = sizeof(path) - 1;
            memcpy(path, target, n);
            path[n] = '\0';
        }
        status = 404;
        for (size_t i = 0; i < m->nfiles; i++) {
            if (strcmp(m->files[i].path, path) == 0) {
                out = malloc(m->files[i].len + 1);
                memcpy(out, m->files[i].data, m->files[i].len);
                outlen = m->files[i].len;
                status = 200;
            }
        }
        if (out == NULL) {
            out = xstrndup("not found", 9);
            outlen = 9;
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (mode == MOCK_FAULT_CLOSE_AFTER)
        *close_conn = 1;
    else if (respond(m, fd, status, out, outlen, mode == MOCK_FAULT_MID_RESPONSE) != 0)
        *close_conn = 1;
    free(out);
}

/* Reads one request into buf; returns its total length, 0 on close or error. */
static size_t read_request(mock_push *m, int fd, char **bufp, size_t *capp, size_t *have, size_t *head_len,
                           size_t *body_len)
{
    for (;;) {
        char *buf = *bufp;
        char *end = *have >= 4 ? memmem(buf, *have, "\r\n\r\n", 4) : NULL;
        if (end != NULL) {
            *head_len = (size_t)(end - buf) + 4;
            size_t cl = 0;
            for (char *p = buf; p < end; p++) {
                if ((p == buf || p[-1] == '\n') && strncasecmp(p, "Content-Length:", 15) == 0)
                    cl = strtoul(p + 15, NULL, 10);
            }
            if (cl > MAX_REQ) return 0;
            *body_len = cl;
            if (*have >= *head_len + cl) return *head_len + cl;
        }
        if (*have == *capp) {
            if (*capp >= MAX_REQ + 65536) return 0;
            *capp *= 2;
            *bufp = xrealloc(*bufp, *capp + 1);
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int pr = poll(&pfd, 1, 100);
        if (m->stop) return 0;
        if (pr <= 0) continue;
        ssize_t r = recv(fd, *bufp + *have, *capp - *have, 0);
        if (r <= 0) return 0;
        *have += (size_t)r;
    }
}

static void serve_conn(mock_push *m, int fd)
{
    size_t cap = 65536, have = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) return;
    while (!m->stop) {
        size_t head = 0, blen = 0;
        size_t total = read_request(m, fd, &buf, &cap, &have, &head, &blen);
        if (total == 0) break;
        char method[8] = "", target[2048] = "";
        sscanf(buf, "%7s %2047s", method, target);
        int close_conn = 0;
        char save = buf[total];
        buf[total] = '\0';
        handle(m, fd, method, target, buf + head, blen, &close_conn);
        buf[total] = save;
        memmove(buf, buf + total, have - total);
        have -= total;
        if (close_conn) break;
    }
    free(buf);
}

static void *server_main(void *arg)
{
    mock_push *m = arg;
    while (!m->stop) {
        struct pollfd pfd = {m->listen_fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        int fd = accept(m->listen_fd, NULL, NULL);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* no 40 ms Nagle/delayed-ACK stalls */
        serve_conn(m, fd);
        close(fd);
    }
    return NULL;
}

mock_push *mock_push_start(void)
{
    mock_push *m = calloc(1, sizeof(*m));
    if (m == NULL) return NULL;
    pthread_mutex_init(&m->lock, NULL);
    m->date = 1436424781; /* Thu, 09 Jul 2015 06:53:01 GMT */
    snprintf(m->sent_stamp[0], sizeof(m->sent_stamp[0]), "None");
    snprintf(m->sent_stamp[1], sizeof(m->sent_stamp[1]), "None");
    m->rng = 42;
    m->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(m->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t al = sizeof(a);
    if (m->listen_fd < 0 || bind(m->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(m->listen_fd, 16) != 0 || getsockname(m->listen_fd, (struct sockaddr *)&a, &al) != 0) {
        if (m->listen_fd >= 0) close(m->listen_fd);
        free(m);
        return NULL;
    }
    m->port = ntohs(a.sin_port);
    snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%d", m->port);
    if (pthread_create(&m->thread, NULL, server_main, m) != 0) {
        close(m->listen_fd);
        free(m);
        return NULL;
    }
    return m;
}

void mock_push_stop(mock_push *m)
{
    if (m == NULL) return;
    m->stop = 1;
    pthread_join(m->thread, NULL);
    close(m->listen_fd);
    free(m->options);
    for (size_t i = 0; i < m->nqueue; i++) free(m->queue[i]);
    free(m->queue);
    for (size_t i = 0; i < m->att_cap; i++) free(m->att_text[i]);
    free(m->att_text);
    free(m->att_seen);
    for (size_t i = 0; i < m->nop; i++) free(m->op[i]);
    free(m->op);
    for (size_t i = 0; i < m->nbio; i++) free(m->bio[i]);
    free(m->bio);
    free(m->dev_options);
    for (size_t i = 0; i < m->nres; i++) free(m->res[i].text);
    free(m->res);
    for (size_t i = 0; i < m->nfiles; i++) {
        free(m->files[i].path);
        free(m->files[i].data);
    }
    free(m->files);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int mock_push_port(const mock_push *m)
{
    return m->port;
}
const char *mock_push_url(const mock_push *m)
{
    return m->url;
}

void mock_push_set_options(mock_push *m, const char *lines, int bare)
{
    pthread_mutex_lock(&m->lock);
    free(m->options);
    m->options = lines ? xstrndup(lines, strlen(lines)) : NULL;
    m->bare = bare;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_set_date(mock_push *m, int64_t utc)
{
    pthread_mutex_lock(&m->lock);
    m->date = utc;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_queue(mock_push *m, const char *line)
{
    pthread_mutex_lock(&m->lock);
    queue_locked(m, line);
    pthread_mutex_unlock(&m->lock);
}

void mock_push_set_modes(mock_push *m, unsigned modes)
{
    pthread_mutex_lock(&m->lock);
    m->modes = modes;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_restart(mock_push *m)
{
    pthread_mutex_lock(&m->lock);
    m->need_register = 1;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_set_stamps(mock_push *m, const char *att, const char *op)
{
    pthread_mutex_lock(&m->lock);
    if (att) snprintf(m->sent_stamp[0], sizeof(m->sent_stamp[0]), "%s", att);
    if (op) snprintf(m->sent_stamp[1], sizeof(m->sent_stamp[1]), "%s", op);
    pthread_mutex_unlock(&m->lock);
}

void mock_push_lose_polls(mock_push *m, unsigned n)
{
    pthread_mutex_lock(&m->lock);
    m->lose_polls = n;
    pthread_mutex_unlock(&m->lock);
}

int mock_push_bio_line(mock_push *m, const char *pin, unsigned no, char *out, size_t cap)
{
    char want_pin[48], want_no[24];
    snprintf(want_pin, sizeof(want_pin), "Pin=%s\t", pin);
    snprintf(want_no, sizeof(want_no), "\tNo=%u\t", no);
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = m->nbio; i-- > 0 && !ok;) {
        if (strstr(m->bio[i], want_pin) && strstr(m->bio[i], want_no)) {
            snprintf(out, cap, "%s", m->bio[i]);
            ok = 1;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

int mock_push_device_options(mock_push *m, char *out, size_t cap)
{
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    if (m->dev_options) {
        snprintf(out, cap, "%s", m->dev_options);
        ok = 1;
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

void mock_push_last_stamp(mock_push *m, const char *table, char *out, size_t cap)
{
    pthread_mutex_lock(&m->lock);
    out[0] = '\0';
    for (int k = 0; k < 3; k++)
        if (strcmp(table, stamp_tables[k]) == 0) snprintf(out, cap, "%s", m->stamp[k]);
    pthread_mutex_unlock(&m->lock);
}

void mock_push_set_faults(mock_push *m, unsigned pct, unsigned modes, unsigned seed, unsigned stall_ms)
{
    pthread_mutex_lock(&m->lock);
    m->fault_pct = pct;
    m->fault_modes = modes;
    m->rng = seed ? seed : 42;
    m->stall_ms = stall_ms;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_fail_next(mock_push *m, unsigned mode, unsigned count, unsigned stall_ms)
{
    pthread_mutex_lock(&m->lock);
    m->next_mode = mode;
    m->next_count = count;
    m->next_stall = stall_ms;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_set_ack_limit(mock_push *m, unsigned n)
{
    pthread_mutex_lock(&m->lock);
    m->ack_limit = n;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_add_file(mock_push *m, const char *path, const void *data, size_t len)
{
    pthread_mutex_lock(&m->lock);
    m->files = xrealloc(m->files, (m->nfiles + 1) * sizeof(file_entry));
    m->files[m->nfiles].path = xstrndup(path, strlen(path));
    m->files[m->nfiles].data = malloc(len ? len : 1);
    if (len) memcpy(m->files[m->nfiles].data, data, len);
    m->files[m->nfiles].len = len;
    m->nfiles++;
    pthread_mutex_unlock(&m->lock);
}

void mock_push_counts_get(mock_push *m, mock_push_counts *out)
{
    pthread_mutex_lock(&m->lock);
    *out = m->counts;
    pthread_mutex_unlock(&m->lock);
}

unsigned mock_push_att_seen(mock_push *m, int64_t id)
{
    pthread_mutex_lock(&m->lock);
    unsigned n = (id >= 0 && (size_t)id < m->att_cap) ? m->att_seen[id] : 0;
    pthread_mutex_unlock(&m->lock);
    return n;
}

int mock_push_att_line(mock_push *m, int64_t id, char *out, size_t cap)
{
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    if (id >= 0 && (size_t)id < m->att_cap && m->att_text[id]) {
        snprintf(out, cap, "%s", m->att_text[id]);
        ok = 1;
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

int mock_push_op_line(mock_push *m, size_t i, char *out, size_t cap)
{
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    if (i < m->nop) {
        snprintf(out, cap, "%s", m->op[i]);
        ok = 1;
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

int mock_push_result(mock_push *m, const char *id, int *ret, char *text, size_t cap)
{
    int ok = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = m->nres; i-- > 0;) {
        if (strcmp(m->res[i].id, id) == 0) {
            if (ret) *ret = m->res[i].ret;
            if (text) snprintf(text, cap, "%s", m->res[i].text);
            ok = 1;
            break;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

unsigned mock_push_result_count(mock_push *m, const char *id)
{
    unsigned n = 0;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->nres; i++)
        if (strcmp(m->res[i].id, id) == 0) n++;
    pthread_mutex_unlock(&m->lock);
    return n;
}
