/*
 * term_fw_ab.c - A/B firmware slots (see term_fw_ab.h).
 */
#define _GNU_SOURCE
#include "term_fw_ab.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int path_in(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Writes name in dir atomically: name.tmp, flush, rename, flush the directory. */
static push_status replace_file(const char *dir, const char *name, int (*fill)(int fd, void *ctx), void *ctx)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if (!path_in(path, sizeof path, dir, name) || snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return PUSH_ERR_INVALID_ARGUMENT;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PUSH_ERR_IO;
    int ok = fill(fd, ctx) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0 || sync_dir(dir) != 0) {
        unlink(tmp);
        return PUSH_ERR_IO;
    }
    return PUSH_OK;
}

static int fill_state(int fd, void *ctx)
{
    const term_fw_ab_state *s = ctx;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "M1AB1 confirmed=%c pending=%c tries=%u\n", s->confirmed,
                     s->pending ? s->pending : '-', s->tries);
    return write_all(fd, buf, (size_t)n);
}

static push_status state_write(const char *dir, const term_fw_ab_state *s)
{
    return replace_file(dir, "boot.state", fill_state, (void *)(uintptr_t)s);
}

push_status term_fw_ab_state_read(const char *dir, term_fw_ab_state *out, int *valid)
{
    if (valid) *valid = 0;
    if (!dir || !out) return PUSH_ERR_INVALID_ARGUMENT;
    out->confirmed = 'A';
    out->pending = 0;
    out->tries = 0;
    char path[PATH_MAX];
    if (!path_in(path, sizeof path, dir, "boot.state")) return PUSH_ERR_INVALID_ARGUMENT;
    FILE *f = fopen(path, "r");
    if (!f) return PUSH_OK;
    char c = 0, p = 0, end = 0;
    unsigned tries = 0;
    int n = fscanf(f, "M1AB1 confirmed=%c pending=%c tries=%u%c", &c, &p, &tries, &end);
    fclose(f);
    if (n != 4 || end != '\n' || (c != 'A' && c != 'B') || (p != 'A' && p != 'B' && p != '-') || p == c ||
        tries > 1000)
        return PUSH_OK;
    out->confirmed = c;
    out->pending = p == '-' ? 0 : p;
    out->tries = tries;
    if (valid) *valid = 1;
    return PUSH_OK;
}

typedef struct copy_ctx {
    int src;
} copy_ctx;

static int fill_copy(int fd, void *ctx)
{
    copy_ctx *c = ctx;
    char buf[65536];
    for (;;) {
        ssize_t r = read(c->src, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) return 0;
        if (write_all(fd, buf, (size_t)r) != 0) return -1;
    }
}

push_status term_fw_ab_install(const char *dir, const char *image_path)
{
    if (!dir || !image_path) return PUSH_ERR_INVALID_ARGUMENT;
    term_fw_ab_state s;
    push_status st = term_fw_ab_state_read(dir, &s, NULL);
    if (st != PUSH_OK) return st;
    const char target = s.confirmed == 'A' ? 'B' : 'A';
    copy_ctx c = {open(image_path, O_RDONLY | O_CLOEXEC)};
    if (c.src < 0) return PUSH_ERR_IO;
    st = replace_file(dir, target == 'A' ? "slot_a.img" : "slot_b.img", fill_copy, &c);
    close(c.src);
    if (st != PUSH_OK) return st;
    term_fw_ab_state next = {s.confirmed, target, 0};
    return state_write(dir, &next);
}

push_status term_fw_ab_boot(const char *dir, unsigned max_tries, char *slot)
{
    if (!dir || !slot) return PUSH_ERR_INVALID_ARGUMENT;
    term_fw_ab_state s;
    push_status st = term_fw_ab_state_read(dir, &s, NULL);
    if (st != PUSH_OK) return st;
    if (!s.pending) {
        *slot = s.confirmed;
        return PUSH_OK;
    }
    if (s.tries < max_tries) {
        /* Count the try before starting it: a start that hangs or crashes has used it up. */
        term_fw_ab_state next = {s.confirmed, s.pending, s.tries + 1};
        st = state_write(dir, &next);
        *slot = st == PUSH_OK ? s.pending : s.confirmed;
        return st;
    }
    term_fw_ab_state back = {s.confirmed, 0, 0};
    *slot = s.confirmed;
    return state_write(dir, &back);
}

push_status term_fw_ab_confirm(const char *dir, char running)
{
    if (!dir) return PUSH_ERR_INVALID_ARGUMENT;
    term_fw_ab_state s;
    push_status st = term_fw_ab_state_read(dir, &s, NULL);
    if (st != PUSH_OK) return st;
    if (running == s.confirmed && running != s.pending) return PUSH_OK;
    if (!s.pending || running != s.pending) return PUSH_ERR_INVALID_ARGUMENT;
    term_fw_ab_state next = {running, 0, 0};
    return state_write(dir, &next);
}
