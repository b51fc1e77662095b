/*
 * Test-only file system helpers of the terminal tests (test_term_store,
 * test_term_app): a real, small, full-able file system without touching
 * the host's mounts, a forked child to run on it, and a file write for
 * damaging databases (fpt_read_file reads them back).
 * Needs _GNU_SOURCE before the first system header, and cmocka.h.
 */
#ifndef FP_TESTS_TERM_TEST_FS_H
#define FP_TESTS_TERM_TEST_FS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core_engine_util.h" /* fpt_read_file */

/*
 * Moves the calling process (a forked child) into a private mount
 * namespace and mounts a tmpfs of `size` ("384k") at dir, so the tmpfs and
 * everything written to it go away with the process. Root can do it
 * directly; another user needs user namespaces. 0, or -1 when this system
 * allows neither (the caller skips).
 */
static inline int termt_private_tmpfs(const char *dir, const char *size)
{
    if (unshare(CLONE_NEWNS) != 0) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return -1;
        char map[64];
        int fd = open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) {
            (void)!write(fd, "deny", 4);
            close(fd);
        }
        const char *files[2] = {"/proc/self/uid_map", "/proc/self/gid_map"};
        unsigned ids[2] = {(unsigned)uid, (unsigned)gid};
        for (int i = 0; i < 2; i++) {
            snprintf(map, sizeof(map), "0 %u 1", ids[i]);
            fd = open(files[i], O_WRONLY);
            if (fd < 0) return -1;
            ssize_t n = write(fd, map, strlen(map));
            close(fd);
            if (n < 0) return -1;
        }
    }
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;
    char opts[64];
    snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
    return mount("tmpfs", dir, "tmpfs", 0, opts) == 0 ? 0 : -1;
}

/* Writes into dir/name until the file system is full; returns the bytes written. */
static inline long termt_fill(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return -1;
    static char block[4096];
    long total = 0;
    for (;;) {
        ssize_t n = write(fd, block, sizeof(block));
        if (n <= 0) break;
        total += n;
    }
    for (;;) { /* the last partial block too */
        ssize_t n = write(fd, block, 1);
        if (n <= 0) break;
        total += n;
    }
    close(fd);
    return total;
}

/*
 * Runs fn(ctx, out) in a forked child (which must not use cmocka's
 * asserts: they would jump back into the parent's copy of the test) and
 * returns its exit status, or -1 when it did not exit normally. What the
 * child writes to `out` comes back in msg (cap bytes, terminated).
 */
static inline int termt_run_child(int (*fn)(void *ctx, int out), void *ctx, char *msg, size_t cap)
{
    int fds[2];
    msg[0] = '\0';
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        _exit(fn(ctx, fds[1]));
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < cap && (got = read(fds[0], msg + n, cap - 1 - n)) > 0) n += (size_t)got;
    msg[n] = '\0';
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/*
 * termt_run_child for a check that needs termt_private_tmpfs: prints what
 * the child reported and returns its exit status; skips the test (cmocka)
 * when the child found no way to make a tmpfs (its exit status 77).
 */
static inline int termt_run_on_tmpfs(const char *what, int (*fn)(void *ctx, int out), void *ctx)
{
    char msg[512];
    int rc = termt_run_child(fn, ctx, msg, sizeof(msg));
    if (rc == 77) {
        printf("%s: skipped: no private tmpfs (needs root or user namespaces)\n", what);
        skip();
    }
    printf("%s", msg);
    return rc;
}

/* Replaces path with len bytes of data; 0 on success. */
static inline int termt_write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t put = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return put == len && rc == 0 ? 0 : -1;
}

#endif /* FP_TESTS_TERM_TEST_FS_H */
