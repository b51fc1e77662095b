/*
 * fpbench gallery-stress: writers, a compactor and readers on one gallery
 * file at once, in separate processes; then every acknowledged put is
 * looked for. See gallery_stress.h and docs/search.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/synth.h"
#include "bench_util.h"
#include "gallery_stress.h"

#define MAX_WRITERS 16
#define MAX_READERS 16
#define POOL 64              /* distinct templates the writers put */
#define USER_SPAN 10000000u  /* writer w puts users w * USER_SPAN + k */

typedef struct sopts {
    double seconds;
    int writers, readers;
    unsigned batch, compact_ms, kill_ms;
    const char *file;
    uint64_t seed;
} sopts;

/* What the children tell the parent, one message per write (atomic on a pipe). */
enum { MSG_INTENT = 1, MSG_ACK, MSG_LOCK_TIMEOUT, MSG_COMPACTED, MSG_LOADED, MSG_RELOAD, MSG_TORN };
typedef struct msg {
    uint32_t kind, who, user, synth;
} msg;

typedef struct child_env {
    const sopts *o;
    char path[4096];
    fp_template *pool[POOL];
    int fd;          /* the pipe's write end */
    double deadline; /* fpb_now_ms() */
} child_env;

static void say(const child_env *e, uint32_t kind, uint32_t who, uint32_t user, uint32_t synth)
{
    msg m = {kind, who, user, synth};
    if (write(e->fd, &m, sizeof m) != (ssize_t)sizeof m) _exit(9);
}

static uint32_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static void writer_main(const child_env *e, uint32_t w, uint32_t incarnation, uint32_t next_k)
{
    uint64_t rng = e->o->seed * 1000003u + w * 7919u + incarnation * 104729u;
    fp_gallery_file_options opt;
    fp_gallery_file_options_init(&opt);
    opt.lock_timeout_ms = 1000;
    while (fpb_now_ms() < e->deadline) {
        fp_gallery_file *f = NULL;
        fp_gallery *g = NULL;
        fp_gallery_file_info info;
        fp_status st = fp_gallery_file_open_with(e->path, &opt, &f, &g, &info);
        if (st == FP_ERR_LOCKED) {
            say(e, MSG_LOCK_TIMEOUT, w, 0, 0);
            continue;
        }
        if (st != FP_OK) {
            fprintf(stderr, "gallery-stress: writer %u: open: %s (damage %d at %llu)\n", w, fp_status_name(st),
                    (int)info.damage, (unsigned long long)info.damage_offset);
            _exit(10);
        }
        if (info.torn_bytes) say(e, MSG_TORN, w, (uint32_t)info.torn_bytes, 0);
        for (unsigned b = 0; b < e->o->batch && fpb_now_ms() < e->deadline; b++) {
            /* One put in four replaces one of this writer's earlier fingers. */
            uint32_t k = next_k && next_rand(&rng) % 4 == 0 ? next_rand(&rng) % next_k : next_k++;
            uint32_t user = w * USER_SPAN + k, synth = next_rand(&rng) % POOL;
            fp_gallery_id id = {user, 0};
            say(e, MSG_INTENT, w, user, synth);
            st = fp_gallery_file_put(f, g, id, e->pool[synth]);
            if (st != FP_OK) {
                fprintf(stderr, "gallery-stress: writer %u: put: %s\n", w, fp_status_name(st));
                _exit(11);
            }
            say(e, MSG_ACK, w, user, synth);
        }
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
        /* A pause between sessions, as a server has: waiting is polled, not
         * queued, and a writer opening again at once would mostly win. */
        usleep(1000u + next_rand(&rng) % 9000u);
    }
    _exit(0);
}

static void compactor_main(const child_env *e)
{
    fp_gallery_file_options opt;
    fp_gallery_file_options_init(&opt);
    opt.lock_timeout_ms = 2000;
    while (fpb_now_ms() + e->o->compact_ms < e->deadline) {
        usleep(e->o->compact_ms * 1000u);
        fp_gallery_file *f = NULL;
        fp_gallery *g = NULL;
        fp_status st = fp_gallery_file_open_with(e->path, &opt, &f, &g, NULL);
        if (st == FP_ERR_LOCKED) {
            say(e, MSG_LOCK_TIMEOUT, MAX_WRITERS, 0, 0);
            continue;
        }
        if (st == FP_OK) st = fp_gallery_file_compact(f, g);
        if (st != FP_OK) {
            fprintf(stderr, "gallery-stress: compactor: %s\n", fp_status_name(st));
            _exit(12);
        }
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
        say(e, MSG_COMPACTED, 0, 0, 0);
    }
    _exit(0);
}

/* Loads the file (copied, or mapped for odd r), searches it, waits until it
 * changes, loads it again. Nothing is ever removed, so a later load must
 * never hold fewer fingers than an earlier one. */
static void reader_main(const child_env *e, uint32_t r)
{
    fp_gallery_file_options opt;
    fp_gallery_file_options_init(&opt);
    opt.flags = FP_GALLERY_FILE_READ_ONLY | (r % 2 ? FP_GALLERY_FILE_MAP : 0);
    fp_context *ctx = NULL;
    if (fp_context_create(NULL, &ctx) != FP_OK) _exit(20);
    size_t last = 0;
    while (fpb_now_ms() < e->deadline) {
        fp_gallery_file *f = NULL;
        fp_gallery *g = NULL;
        fp_gallery_file_info info;
        fp_status st = fp_gallery_file_open_with(e->path, &opt, &f, &g, &info);
        if (st != FP_OK) {
            fprintf(stderr, "gallery-stress: reader %u: open: %s (damage %d at %llu)\n", r, fp_status_name(st),
                    (int)info.damage, (unsigned long long)info.damage_offset);
            _exit(21);
        }
        size_t n = fp_gallery_count(g);
        if (n < last) {
            fprintf(stderr, "gallery-stress: reader %u: %zu fingers after %zu\n", r, n, last);
            _exit(22);
        }
        last = n;
        say(e, MSG_LOADED, r, (uint32_t)n, 0);
        fp_identify_candidate c[4];
        size_t m;
        fp_identify_decision d;
        if (n && fp_identify(ctx, g, e->pool[0], 30.0f, 4, c, &m, &d) != FP_OK) _exit(23);
        for (int stale = 0; !stale && fpb_now_ms() < e->deadline;) {
            usleep(5000);
            if (fp_gallery_file_stale(f, &stale) != FP_OK) _exit(24);
        }
        say(e, MSG_RELOAD, r, 0, 0);
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
    }
    fp_context_destroy(ctx);
    _exit(0);
}

/* What the parent knows of one writer's fingers: per k, the template last
 * acknowledged (-1: none) and one put that may have landed unacknowledged
 * (its process was killed between sending the intent and the ack; -1: none). */
typedef struct ledger {
    int32_t *acked, *maybe;
    uint32_t cap, next_k; /* next_k: past every k an intent named */
} ledger;

static int ledger_note(ledger *l, uint32_t k, int ack, int32_t synth)
{
    if (k >= l->cap) {
        uint32_t cap = l->cap ? l->cap : 1024;
        while (cap <= k) cap *= 2;
        int32_t *a = realloc(l->acked, cap * sizeof(*a)), *m = a ? realloc(l->maybe, cap * sizeof(*m)) : NULL;
        if (a) l->acked = a;
        if (!a || !m) return 0;
        l->maybe = m;
        for (uint32_t i = l->cap; i < cap; i++) l->acked[i] = l->maybe[i] = -1;
        l->cap = cap;
    }
    if (ack) {
        l->acked[k] = synth;
        l->maybe[k] = -1;
    } else {
        l->maybe[k] = synth; /* stays if the process dies before the ack */
    }
    if (k >= l->next_k) l->next_k = k + 1;
    return 1;
}

typedef struct tally {
    ledger led[MAX_WRITERS];
    unsigned long acks, lock_timeouts, compactions, loads, reloads, torn;
} tally;

static int take(tally *t, const msg *m)
{
    switch (m->kind) {
    case MSG_INTENT:
    case MSG_ACK:
        if (m->who >= MAX_WRITERS || m->user / USER_SPAN != m->who) return 0;
        if (m->kind == MSG_ACK) t->acks++;
        return ledger_note(&t->led[m->who], m->user % USER_SPAN, m->kind == MSG_ACK, (int32_t)m->synth);
    case MSG_LOCK_TIMEOUT: t->lock_timeouts++; return 1;
    case MSG_COMPACTED: t->compactions++; return 1;
    case MSG_LOADED: t->loads++; return 1;
    case MSG_RELOAD: t->reloads++; return 1;
    case MSG_TORN: t->torn++; return 1;
    default: return 0;
    }
}

/* Reads every message waiting on fd (non-blocking). */
static int drain(int fd, tally *t)
{
    msg m[256];
    for (;;) {
        ssize_t n = read(fd, m, sizeof m);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 1;
        if (n % (ssize_t)sizeof(msg)) return 0; /* messages are written whole */
        for (ssize_t i = 0; i < n / (ssize_t)sizeof(msg); i++)
            if (!take(t, &m[i])) return 0;
    }
}

static int same_template(const fp_template *a, const fp_template *b)
{
    size_t n = fp_template_minutiae_count(a);
    return n == fp_template_minutiae_count(b) &&
           !memcmp(fp_template_minutiae(a), fp_template_minutiae(b), n * sizeof(fp_minutia));
}

/* Every acknowledged put in the file, with its last acknowledged template
 * (or one put after it that may have landed). Returns the number lost. */
static unsigned long verify(const child_env *e, const tally *t, int writers, const fp_gallery *g, unsigned long *checked)
{
    unsigned long lost = 0;
    *checked = 0;
    for (int w = 0; w < writers; w++) {
        const ledger *l = &t->led[w];
        for (uint32_t k = 0; k < l->next_k && k < l->cap; k++) {
            if (l->acked[k] < 0) continue;
            (*checked)++;
            fp_gallery_id id = {(uint32_t)w * USER_SPAN + k, 0};
            const fp_template *s = fp_gallery_find(g, id);
            int ok = s && (same_template(s, e->pool[l->acked[k]]) ||
                           (l->maybe[k] >= 0 && same_template(s, e->pool[l->maybe[k]])));
            if (!ok) {
                if (lost < 10)
                    fprintf(stderr, "gallery-stress: user %u: %s\n", id.user, s ? "wrong template" : "missing");
                lost++;
            }
        }
    }
    return lost;
}

static void usage(void)
{
    fprintf(stderr, "usage: fpbench gallery-stress [--seconds S] [--writers N] [--readers R] [--batch B]\n"
                    "                              [--compact-ms M] [--kill-ms K] [--file PATH] [--seed S]\n");
}

static int parse(int argc, char **argv, sopts *o)
{
    *o = (sopts){10.0, 3, 2, 8, 300, 0, NULL, 1};
    for (int i = 0; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        int num = *v && !*end;
        if (!strcmp(a, "--seconds")) {
            o->seconds = strtod(v, &end);
            if (*end || !(o->seconds > 0) || o->seconds > 86400) return 0;
        } else if (!strcmp(a, "--writers") && num && n >= 1 && n <= MAX_WRITERS)
            o->writers = (int)n;
        else if (!strcmp(a, "--readers") && num && n <= MAX_READERS)
            o->readers = (int)n;
        else if (!strcmp(a, "--batch") && num && n >= 1 && n <= 100000)
            o->batch = (unsigned)n;
        else if (!strcmp(a, "--compact-ms") && num && n <= 3600000)
            o->compact_ms = (unsigned)n;
        else if (!strcmp(a, "--kill-ms") && num && n <= 3600000)
            o->kill_ms = (unsigned)n;
        else if (!strcmp(a, "--file"))
            o->file = v;
        else if (!strcmp(a, "--seed") && num)
            o->seed = n;
        else
            return 0;
    }
    return argc % 2 == 0;
}

int fpbench_gallery_stress(int argc, char **argv)
{
    sopts o;
    if (!parse(argc, argv, &o)) {
        usage();
        return 2;
    }
    static child_env e;
    static tally t;
    memset(&t, 0, sizeof t);
    e.o = &o;
    char dir[64] = "";
    struct stat sb;
    if (o.file) {
        if (lstat(o.file, &sb) == 0) {
            fprintf(stderr, "fpbench gallery-stress: %s exists; give a new path\n", o.file);
            return 2;
        }
        snprintf(e.path, sizeof e.path, "%s", o.file);
    } else {
        snprintf(dir, sizeof dir, "/tmp/fp-gallery-stress-XXXXXX");
        if (!mkdtemp(dir)) return 1;
        snprintf(e.path, sizeof e.path, "%s/stress.fpg", dir);
    }
    for (uint32_t i = 0; i < POOL; i++)
        if (fp_synth_fast_template(o.seed, i, 0, &e.pool[i]) != FP_OK) return 1;
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    if (fp_gallery_file_open(e.path, &f, &g, NULL) != FP_OK) {
        fprintf(stderr, "fpbench gallery-stress: cannot create %s\n", e.path);
        return 1;
    }
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);

    int pfd[2];
    if (pipe(pfd) != 0) return 1;
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);
    e.fd = pfd[1];
    const double start = fpb_now_ms();
    e.deadline = start + o.seconds * 1e3;
    fflush(stdout);
    fflush(stderr);
    /* Children: writers 0..N-1, the compactor, the readers. */
    enum { MAX_KIDS = MAX_WRITERS + 1 + MAX_READERS };
    pid_t kids[MAX_KIDS];
    uint32_t incarnation[MAX_WRITERS] = {0};
    int nk = 0, failed = 0;
    unsigned long kills = 0;
    for (int w = 0; w < o.writers; w++) {
        kids[nk] = fork();
        if (kids[nk] == 0) writer_main(&e, (uint32_t)w, 0, 0);
        nk++;
    }
    kids[nk] = o.compact_ms ? fork() : -1;
    if (kids[nk] == 0) compactor_main(&e);
    nk++;
    for (int r = 0; r < o.readers; r++) {
        kids[nk] = fork();
        if (kids[nk] == 0) reader_main(&e, (uint32_t)r);
        nk++;
    }
    uint64_t rng = o.seed;
    double next_kill = start + o.kill_ms;
    int alive = 0;
    for (int i = 0; i < nk; i++) alive += kids[i] > 0;
    while (alive > 0) {
        struct pollfd p = {pfd[0], POLLIN, 0};
        (void)poll(&p, 1, 10);
        if (!drain(pfd[0], &t)) failed = 1;
        double now = fpb_now_ms();
        if (o.kill_ms && now >= next_kill && now + 200 < e.deadline) {
            /* Kill a writer wherever it is (holding the lock, mid-append) and start it again. */
            int w = (int)(next_rand(&rng) % (uint32_t)o.writers);
            if (kids[w] > 0) {
                kill(kids[w], SIGKILL);
                waitpid(kids[w], NULL, 0);
                if (!drain(pfd[0], &t)) failed = 1; /* its last messages, before it is started again */
                kills++;
                uint32_t inc = ++incarnation[w];
                kids[w] = fork();
                if (kids[w] == 0) writer_main(&e, (uint32_t)w, inc, t.led[w].next_k);
            }
            next_kill = now + o.kill_ms;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int i = 0; i < nk; i++)
                if (kids[i] == pid) kids[i] = -1;
            alive--;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "gallery-stress: a child process failed (%s %d)\n",
                        WIFSIGNALED(status) ? "signal" : "exit",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                failed = 1;
            }
        }
        if (now > e.deadline + 60e3) {
            fprintf(stderr, "gallery-stress: children still running a minute after the end\n");
            for (int i = 0; i < nk; i++)
                if (kids[i] > 0) kill(kids[i], SIGKILL);
            failed = 1;
        }
    }
    if (!drain(pfd[0], &t)) failed = 1;
    close(pfd[0]);
    close(pfd[1]);

    /* The file as the next writer finds it: a torn append (a killed writer's) is cut. */
    fp_gallery_file_info info;
    fp_status st = fp_gallery_file_open(e.path, &f, &g, &info);
    unsigned long lost = 0, checked = 0;
    if (st == FP_OK) {
        lost = verify(&e, &t, o.writers, g, &checked);
        printf("fpbench gallery-stress: %.1f s, %d writers (%lu killed and started again), %s, %d readers "
               "(copied and mapped in turn)\n",
               o.seconds, o.writers, kills, o.compact_ms ? "1 compactor" : "no compactor", o.readers);
        printf("  puts acknowledged %lu (ids %lu); torn appends cut by the next writer %lu; lock waits timed out %lu; "
               "compactions %lu; reader loads %lu, reloads after a change %lu\n",
               t.acks, checked, t.torn, t.lock_timeouts, t.compactions, t.loads, t.reloads);
        printf("  file at the end: %zu fingers, %.1f MB, torn append cut %zu bytes\n", fp_gallery_count(g),
               (double)info.file_bytes / 1e6, info.torn_bytes);
        fp_gallery_file_close(f);
        fp_gallery_destroy(g);
    } else {
        fprintf(stderr, "gallery-stress: final open: %s (damage %d at %llu)\n", fp_status_name(st), (int)info.damage,
                (unsigned long long)info.damage_offset);
        failed = 1;
    }
    printf("  acknowledged puts lost: %lu%s\n", st == FP_OK ? lost : t.acks, failed ? " (and a process failed)" : "");
    for (uint32_t i = 0; i < POOL; i++) fp_template_destroy(e.pool[i]);
    for (int w = 0; w < MAX_WRITERS; w++) {
        free(t.led[w].acked);
        free(t.led[w].maybe);
    }
    if (!o.file) {
        unlink(e.path);
        rmdir(dir);
    }
    return st == FP_OK && lost == 0 && !failed ? 0 : 1;
}
