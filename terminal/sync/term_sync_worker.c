/*
 * term_sync_worker.c - the sync engine on its own thread (term_sync_worker.h).
 *
 * One mutex guards everything the two sides share (the inputs, the request
 * ring, the notices, the status copy); the engine, its store connection and
 * its transport belong to the worker's thread alone and are used outside
 * the mutex. Two condition variables: one wakes the worker (an input, a
 * stop), the other whoever waits on the application's side (a request, a
 * notice, a barrier passed).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "term_sync_worker.h"

/* Steps in a row at a clock that did not move (a simulated clock) before the worker pauses THROTTLE_MS. */
#define SAME_CLOCK_STEPS 16
/* The longest sleep between looks at the clock; an input wakes the worker at once. */
#define IDLE_WAIT_MS 200
#define THROTTLE_MS 20
#define PATH_CAP 1024

typedef struct outstanding {
    int used;
    int answered;
    int ret;
    term_sync_request_kind kind;
    char cmd_id[PUSH_CMD_ID_MAX + 1];
} outstanding;

struct term_sync_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t to_worker; /* an input or a stop */
    pthread_cond_t to_app;    /* a request, a notice, a barrier passed, the start finished */

    /* copies of the configuration (read by the worker's thread only, after the start) */
    term_store_config store_cfg;
    char *db_path, *key_path;
    push_curl_config curl;
    char *ca_file, *pinned, *user_agent;
    term_sync_config sync_cfg; /* pointers valid only during the start (term_sync_create copies them) */
    term_sync_device_ops log_ops;
    int64_t (*clock_ms)(void *ctx);
    void *clock_ctx;
    void (*notify)(void *ctx);
    void *notify_ctx;
    unsigned handled;
    char bind[200]; /* fixed once started */

    /* the worker's own (its thread only) */
    term_store *st;
    push_transport *tp;
    term_sync *sync;
    int fw_staged; /* firmware_ready was called during the current round */

    /* shared, under lock */
    int started;
    push_status start_status;
    int stop;
    int kick, kick_punch, check, reconnect, stage;
    char stage_img[PATH_CAP], stage_sig[PATH_CAP];
    uint64_t barrier_next, barrier_passed;
    outstanding out[TERM_SYNC_WORKER_REQUESTS];
    term_sync_request ring[TERM_SYNC_WORKER_REQUESTS];
    size_t ring_head, ring_count;
    size_t answers_waiting; /* answered entries of out[] the worker has not applied */
    term_sync_notice notice;
    int notice_set;
    term_sync_worker_status status;
};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int64_t mono_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n > 0) memcpy(dst, src, n);
    dst[n] = '\0';
}

static char *dup_or_null(const char *s, int *fail)
{
    if (s == NULL) return NULL;
    char *d = strdup(s);
    if (d == NULL) *fail = 1;
    return d;
}

/* Waits on cv for at most ms milliseconds (lock held). */
static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *lock, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, lock, &ts);
}

/* Something for the application: wake its waiters (lock held); notify_app (after the unlock) wakes its loop. */
static void tell_app_locked(term_sync_worker *w, int notice)
{
    if (notice) w->notice_set = 1;
    pthread_cond_broadcast(&w->to_app);
}

static void notify_app(term_sync_worker *w)
{
    if (w->notify) w->notify(w->notify_ctx);
}

/* A notice is written between these two: the lock, then the application woken. */
static term_sync_notice *notice_begin(term_sync_worker *w)
{
    pthread_mutex_lock(&w->lock);
    return &w->notice;
}

static void notice_end(term_sync_worker *w)
{
    tell_app_locked(w, 1);
    pthread_mutex_unlock(&w->lock);
    notify_app(w);
}

/* ------------------------------------------------------------------------ */
/* The engine's device ops (called on the worker's thread, inside a step)   */
/* ------------------------------------------------------------------------ */

/* Hands a command to the application; 0 when queued, -1005 when too many wait for their answers. */
static int hand_over(term_sync_worker *w, const term_sync_request *req)
{
    int ret = PUSH_RET_BUSY;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < TERM_SYNC_WORKER_REQUESTS; i++) {
        outstanding *o = &w->out[i];
        if (o->used) continue;
        memset(o, 0, sizeof(*o));
        o->used = 1;
        o->kind = req->kind;
        copy_text(o->cmd_id, sizeof(o->cmd_id), req->cmd_id);
        /* out[] bounds the requests in flight, so the ring (as large) always has room */
        w->ring[(w->ring_head + w->ring_count) % TERM_SYNC_WORKER_REQUESTS] = *req;
        w->ring_count++;
        ret = PUSH_RET_OK;
        tell_app_locked(w, 0);
        break;
    }
    pthread_mutex_unlock(&w->lock);
    if (ret == PUSH_RET_OK) notify_app(w);
    return ret;
}

/* A request of kind for command cmd_id about user uid (or none). */
static term_sync_request request(term_sync_request_kind kind, const char *cmd_id, const char *uid)
{
    term_sync_request r;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    copy_text(r.cmd_id, sizeof(r.cmd_id), cmd_id);
    copy_text(r.uid, sizeof(r.uid), uid);
    return r;
}

static int op_enroll_finger(void *ctx, const char *cmd_id, const char *uid, uint32_t index, uint32_t retry,
                            int overwrite)
{
    term_sync_request r = request(TERM_SYNC_REQ_ENROLL_FINGER, cmd_id, uid);
    r.index = index;
    r.retry = retry;
    r.overwrite = overwrite;
    return hand_over(ctx, &r);
}

static int op_enroll_card(void *ctx, const char *cmd_id, const char *uid, uint32_t retry)
{
    term_sync_request r = request(TERM_SYNC_REQ_ENROLL_CARD, cmd_id, uid);
    r.retry = retry;
    return hand_over(ctx, &r);
}

static int op_set_setting(void *ctx, const char *cmd_id, const char *name, const char *value)
{
    term_sync_request r = request(TERM_SYNC_REQ_SET_SETTING, cmd_id, NULL);
    copy_text(r.name, sizeof(r.name), name);
    copy_text(r.value, sizeof(r.value), value);
    return hand_over(ctx, &r);
}

static void op_reboot(void *ctx)
{
    notice_begin(ctx)->reboot = 1;
    notice_end(ctx);
}

static void op_set_clock(void *ctx, int64_t local_time)
{
    term_sync_notice *n = notice_begin(ctx);
    n->set_clock = 1;
    n->clock = local_time;
    notice_end(ctx);
}

static void op_data_changed(void *ctx, unsigned what)
{
    notice_begin(ctx)->changed |= what;
    notice_end(ctx);
}

static void op_firmware_ready(void *ctx, const char *path)
{
    term_sync_worker *w = ctx;
    w->fw_staged = 1;
    term_sync_notice *n = notice_begin(w);
    n->firmware_ready = 1;
    copy_text(n->firmware_path, sizeof(n->firmware_path), path);
    notice_end(w);
}

static void op_log(void *ctx, term_sync_log_level level, const char *msg)
{
    term_sync_worker *w = ctx;
    if (w->log_ops.log) w->log_ops.log(w->log_ops.ctx, level, msg);
}

/* ------------------------------------------------------------------------ */
/* The thread                                                               */
/* ------------------------------------------------------------------------ */

static push_status open_engine(term_sync_worker *w)
{
    term_store_config sc = w->store_cfg;
    sc.create_key = 0;
    if (term_store_open(&sc, &w->st) != TERM_OK) return PUSH_ERR_STORE;
    push_status st = term_sync_transport_from_settings(w->st, &w->curl, &w->tp);
    if (st != PUSH_OK) return st;
    term_sync_config cfg = w->sync_cfg;
    memset(&cfg.device, 0, sizeof(cfg.device));
    cfg.device.ctx = w;
    if (w->handled & TERM_SYNC_WORKER_ENROLL) {
        cfg.device.enroll_finger = op_enroll_finger;
        cfg.device.enroll_card = op_enroll_card;
    }
    if (w->handled & TERM_SYNC_WORKER_SETTINGS) cfg.device.set_setting = op_set_setting;
    if (w->handled & TERM_SYNC_WORKER_REBOOT) cfg.device.reboot = op_reboot;
    cfg.device.set_clock = op_set_clock;
    cfg.device.data_changed = op_data_changed;
    cfg.device.firmware_ready = op_firmware_ready;
    cfg.device.log = op_log;
    st = term_sync_create(&cfg, w->st, w->tp, &w->sync);
    if (st != PUSH_OK) return st;
    term_sync_bind_code(w->sync, w->bind, sizeof(w->bind));
    return PUSH_OK;
}

static void close_engine(term_sync_worker *w)
{
    term_sync_destroy(w->sync);
    w->sync = NULL;
    push_transport_destroy(w->tp);
    w->tp = NULL;
    term_store_close(w->st);
    w->st = NULL;
}

/* What the application gave since the last round (taken under the lock). */
typedef struct inputs {
    int stop, kick, kick_punch, check, reconnect, stage;
    char stage_img[PATH_CAP], stage_sig[PATH_CAP];
    uint64_t barrier;
    size_t n_answers;
    outstanding answers[TERM_SYNC_WORKER_REQUESTS];
} inputs;

static int inputs_waiting(const term_sync_worker *w)
{
    return w->kick || w->check || w->reconnect || w->stage || w->answers_waiting > 0 ||
           w->barrier_next > w->barrier_passed;
}

static void take_inputs(term_sync_worker *w, inputs *in)
{
    in->stop = w->stop;
    in->kick = w->kick;
    in->kick_punch = w->kick_punch;
    in->check = w->check;
    in->reconnect = w->reconnect;
    in->stage = w->stage;
    if (in->stage) {
        memcpy(in->stage_img, w->stage_img, sizeof(in->stage_img));
        memcpy(in->stage_sig, w->stage_sig, sizeof(in->stage_sig));
    }
    in->barrier = w->barrier_next;
    w->kick = w->kick_punch = w->check = w->reconnect = w->stage = 0;
    in->n_answers = 0;
    for (size_t i = 0; i < TERM_SYNC_WORKER_REQUESTS; i++) {
        if (!w->out[i].used || !w->out[i].answered) continue;
        in->answers[in->n_answers++] = w->out[i];
        w->out[i].used = 0; /* the slot is free for the next request */
    }
    w->answers_waiting = 0;
}

static void apply_answers(term_sync_worker *w, const inputs *in)
{
    for (size_t i = 0; i < in->n_answers; i++) {
        const outstanding *a = &in->answers[i];
        push_status st = a->kind == TERM_SYNC_REQ_SET_SETTING ? term_sync_command_done(w->sync, a->cmd_id, a->ret)
                                                              : term_sync_enroll_done(w->sync, a->cmd_id, a->ret);
        if (st != PUSH_OK && w->log_ops.log) {
            /* e.g. answered -1003 at a restart meanwhile: nothing left to answer */
            char msg[96];
            copy_text(msg, sizeof(msg), "answer of a command handed to the application not recorded: ");
            size_t n = strlen(msg);
            copy_text(msg + n, sizeof(msg) - n, a->cmd_id);
            w->log_ops.log(w->log_ops.ctx, TERM_SYNC_LOG_WARN, msg);
        }
    }
}

static void reconnect(term_sync_worker *w)
{
    push_transport *next = NULL;
    push_status st = term_sync_transport_from_settings(w->st, &w->curl, &next);
    if (st == PUSH_OK) st = term_sync_set_transport(w->sync, next);
    if (st != PUSH_OK) {
        push_transport_destroy(next);
        if (w->log_ops.log)
            w->log_ops.log(w->log_ops.ctx, TERM_SYNC_LOG_ERROR, "new server address not taken: the old one stays");
        return;
    }
    push_transport_destroy(w->tp);
    w->tp = next;
}

/* The worker's own bookkeeping between rounds (its thread only). */
typedef struct round_state {
    uint64_t barrier;  /* the newest barrier taken, passed once the worker is idle */
    int64_t last_now;  /* the clock of the last step */
    unsigned same_now; /* steps in a row at that clock */
    int throttle;      /* pause before the next step */
} round_state;

/*
 * One round: the inputs, then at most one step when it is due, so that the
 * inputs (a kick, an answer) never wait for more than one exchange and the
 * status is fresh after each. Returns non-zero when the worker is idle: the
 * engine is not due, or it paused (throttle).
 */
static int round_run(term_sync_worker *w, const inputs *in, round_state *rs)
{
    apply_answers(w, in);
    if (in->barrier > rs->barrier) rs->barrier = in->barrier;
    if (in->stop) return 1;
    if (in->reconnect) reconnect(w);
    if (in->kick && (!in->kick_punch || term_sync_realtime(w->sync))) term_sync_kick(w->sync);
    w->fw_staged = 0;
    if (in->stage) {
        char why[sizeof(w->notice.stage_why)] = "";
        push_status st = term_sync_stage_file(w->sync, in->stage_img, in->stage_sig, why, sizeof(why));
        term_sync_notice *n = notice_begin(w);
        n->stage_done = 1;
        n->stage_status = st;
        memcpy(n->stage_why, why, sizeof(why));
        notice_end(w);
    }
    if (in->check) term_sync_check_now(w->sync);
    int64_t now = w->clock_ms(w->clock_ctx);
    if (now >= term_sync_next_wake(w->sync)) {
        term_sync_step(w->sync, now); /* a failure is the engine's to retry */
        rs->same_now = now == rs->last_now ? rs->same_now + 1 : 0;
        rs->last_now = now;
    }
    rs->throttle = rs->same_now >= SAME_CLOCK_STEPS;
    if (rs->throttle) rs->same_now = 0;
    if (in->check) {
        int result = w->fw_staged ? 1 : term_sync_is_online(w->sync) ? 0 : -1;
        term_sync_notice *n = notice_begin(w);
        n->check_done = 1;
        n->check_result = result;
        notice_end(w);
    }
    return rs->throttle || w->clock_ms(w->clock_ctx) < term_sync_next_wake(w->sync);
}

/* The status for the screen; the barrier taken so far passes when the worker is idle. */
static void publish_status(term_sync_worker *w, uint64_t barrier)
{
    term_sync_worker_status s;
    memset(&s, 0, sizeof(s));
    term_sync_stats_get(w->sync, &s.stats);
    s.online = term_sync_is_online(w->sync);
    s.bound = term_sync_is_bound(w->sync);
    s.realtime = term_sync_realtime(w->sync);
    s.hold = term_sync_upload_hold(w->sync);
    pthread_mutex_lock(&w->lock);
    s.steps = w->status.steps + 1;
    w->status = s;
    if (barrier > w->barrier_passed) w->barrier_passed = barrier;
    pthread_cond_broadcast(&w->to_app);
    pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
    term_sync_worker *w = arg;
    push_status st = open_engine(w);
    if (st == PUSH_OK) publish_status(w, 0);
    pthread_mutex_lock(&w->lock);
    w->start_status = st;
    w->started = 1;
    pthread_cond_broadcast(&w->to_app);
    pthread_mutex_unlock(&w->lock);
    if (st != PUSH_OK) {
        close_engine(w);
        return NULL;
    }
    inputs *in = malloc(sizeof(*in));
    round_state rs;
    memset(&rs, 0, sizeof(rs));
    rs.last_now = INT64_MIN;
    for (int stopping = 0; in != NULL && !stopping;) {
        pthread_mutex_lock(&w->lock);
        for (;;) {
            if (w->stop || inputs_waiting(w)) break;
            int64_t now = w->clock_ms(w->clock_ctx), wake = term_sync_next_wake(w->sync);
            if (now >= wake && !rs.throttle) break;
            int64_t ms = IDLE_WAIT_MS; /* written so that a clock far behind (INT64_MIN: not started) cannot overflow */
            if (rs.throttle)
                ms = THROTTLE_MS;
            else if (now > wake - IDLE_WAIT_MS)
                ms = wake - now;
            if (ms < 1) ms = 1;
            w->status.busy = 0;
            timed_wait(&w->to_worker, &w->lock, ms);
            if (rs.throttle) break; /* paused: the next step may go */
        }
        stopping = w->stop;
        take_inputs(w, in);
        w->status.busy = 1;
        pthread_mutex_unlock(&w->lock);
        rs.throttle = 0; /* paused (or woken by an input): the next step may go */
        int idle = round_run(w, in, &rs);
        publish_status(w, idle || stopping ? rs.barrier : 0);
    }
    free(in);
    close_engine(w);
    pthread_mutex_lock(&w->lock);
    w->status.online = 0;
    w->status.busy = 0;
    pthread_cond_broadcast(&w->to_app);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */
/* ------------------------------------------------------------------------ */

static void free_worker(term_sync_worker *w)
{
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->to_worker);
    pthread_cond_destroy(&w->to_app);
    free(w->db_path);
    free(w->key_path);
    free(w->ca_file);
    free(w->pinned);
    free(w->user_agent);
    free(w);
}

push_status term_sync_worker_start(const term_sync_worker_config *cfg, term_sync_worker **out)
{
    if (cfg == NULL || out == NULL || cfg->store.db_path == NULL || cfg->store.key_path == NULL)
        return PUSH_ERR_INVALID_ARGUMENT;
    *out = NULL;
    term_sync_worker *w = calloc(1, sizeof(*w));
    if (w == NULL) return PUSH_ERR_NO_MEMORY;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->to_worker, NULL);
    pthread_cond_init(&w->to_app, NULL);
    int fail = 0;
    w->store_cfg = cfg->store;
    w->db_path = dup_or_null(cfg->store.db_path, &fail);
    w->key_path = dup_or_null(cfg->store.key_path, &fail);
    w->store_cfg.db_path = w->db_path;
    w->store_cfg.key_path = w->key_path;
    w->curl = cfg->curl;
    w->curl.server = NULL; /* always the stored setting */
    w->ca_file = dup_or_null(cfg->curl.ca_file, &fail);
    w->pinned = dup_or_null(cfg->curl.pinned_pubkey, &fail);
    w->user_agent = dup_or_null(cfg->curl.user_agent, &fail);
    w->curl.ca_file = w->ca_file;
    w->curl.pinned_pubkey = w->pinned;
    w->curl.user_agent = w->user_agent;
    w->sync_cfg = cfg->sync;
    w->log_ops = cfg->sync.device;
    w->clock_ms = cfg->clock_ms ? cfg->clock_ms : mono_ms;
    w->clock_ctx = cfg->clock_ctx;
    w->notify = cfg->notify;
    w->notify_ctx = cfg->notify_ctx;
    w->handled = cfg->handled;
    if (fail) {
        free_worker(w);
        return PUSH_ERR_NO_MEMORY;
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        free_worker(w);
        return PUSH_ERR_NO_MEMORY;
    }
    /* The caller's configuration stays valid until the engine has copied it. */
    pthread_mutex_lock(&w->lock);
    while (!w->started) pthread_cond_wait(&w->to_app, &w->lock);
    push_status st = w->start_status;
    pthread_mutex_unlock(&w->lock);
    memset(&w->sync_cfg, 0, sizeof(w->sync_cfg));
    if (st != PUSH_OK) {
        pthread_join(w->thread, NULL);
        free_worker(w);
        return st;
    }
    *out = w;
    return PUSH_OK;
}

void term_sync_worker_request_stop(term_sync_worker *w)
{
    if (w == NULL) return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_broadcast(&w->to_worker);
    pthread_mutex_unlock(&w->lock);
}

void term_sync_worker_stop(term_sync_worker *w)
{
    if (w == NULL) return;
    term_sync_worker_request_stop(w);
    pthread_join(w->thread, NULL);
    free_worker(w);
}

/* ------------------------------------------------------------------------ */
/* The application's side                                                   */
/* ------------------------------------------------------------------------ */

static int app_items(const term_sync_worker *w)
{
    return w->ring_count > 0 || w->notice_set;
}

int term_sync_worker_next_request(term_sync_worker *w, term_sync_request *out)
{
    if (w == NULL || out == NULL) return 0;
    int got = 0;
    pthread_mutex_lock(&w->lock);
    if (w->ring_count > 0) {
        *out = w->ring[w->ring_head];
        w->ring_head = (w->ring_head + 1) % TERM_SYNC_WORKER_REQUESTS;
        w->ring_count--;
        got = 1;
    }
    pthread_mutex_unlock(&w->lock);
    return got;
}

int term_sync_worker_notices(term_sync_worker *w, term_sync_notice *out)
{
    if (w == NULL || out == NULL) return 0;
    pthread_mutex_lock(&w->lock);
    int any = w->notice_set;
    *out = w->notice;
    memset(&w->notice, 0, sizeof(w->notice));
    w->notice_set = 0;
    pthread_mutex_unlock(&w->lock);
    return any &&
           (out->changed || out->set_clock || out->firmware_ready || out->reboot || out->check_done || out->stage_done);
}

push_status term_sync_worker_answer(term_sync_worker *w, const char *cmd_id, int ret)
{
    if (w == NULL || cmd_id == NULL) return PUSH_ERR_INVALID_ARGUMENT;
    push_status st = PUSH_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < TERM_SYNC_WORKER_REQUESTS; i++) {
        outstanding *o = &w->out[i];
        if (!o->used || o->answered || strcmp(o->cmd_id, cmd_id) != 0) continue;
        o->answered = 1;
        o->ret = ret;
        w->answers_waiting++;
        pthread_cond_broadcast(&w->to_worker);
        st = PUSH_OK;
        break;
    }
    pthread_mutex_unlock(&w->lock);
    return st;
}

/* Sets one input flag and wakes the worker. */
static void post(term_sync_worker *w, int *flag)
{
    *flag = 1;
    pthread_cond_broadcast(&w->to_worker);
}

void term_sync_worker_kick(term_sync_worker *w, int punch)
{
    if (w == NULL) return;
    pthread_mutex_lock(&w->lock);
    /* a local change kicks whatever the Realtime option; a punch kicks only with it (the worker decides) */
    if (!w->kick || w->kick_punch) w->kick_punch = punch;
    post(w, &w->kick);
    pthread_mutex_unlock(&w->lock);
}

void term_sync_worker_check_now(term_sync_worker *w)
{
    if (w == NULL) return;
    pthread_mutex_lock(&w->lock);
    post(w, &w->check);
    pthread_mutex_unlock(&w->lock);
}

push_status term_sync_worker_stage_file(term_sync_worker *w, const char *image_path, const char *sig_path)
{
    if (w == NULL || image_path == NULL || sig_path == NULL || strlen(image_path) >= PATH_CAP ||
        strlen(sig_path) >= PATH_CAP)
        return PUSH_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&w->lock);
    copy_text(w->stage_img, sizeof(w->stage_img), image_path);
    copy_text(w->stage_sig, sizeof(w->stage_sig), sig_path);
    post(w, &w->stage);
    pthread_mutex_unlock(&w->lock);
    return PUSH_OK;
}

void term_sync_worker_reconnect(term_sync_worker *w)
{
    if (w == NULL) return;
    pthread_mutex_lock(&w->lock);
    post(w, &w->reconnect);
    pthread_mutex_unlock(&w->lock);
}

void term_sync_worker_status_get(term_sync_worker *w, term_sync_worker_status *out)
{
    if (out == NULL) return;
    if (w == NULL) {
        memset(out, 0, sizeof(*out));
        return;
    }
    pthread_mutex_lock(&w->lock);
    *out = w->status;
    pthread_mutex_unlock(&w->lock);
}

void term_sync_worker_bind_code(term_sync_worker *w, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) return;
    copy_text(buf, cap, w ? w->bind : "");
}

uint64_t term_sync_worker_barrier(term_sync_worker *w)
{
    if (w == NULL) return 0;
    pthread_mutex_lock(&w->lock);
    uint64_t ticket = ++w->barrier_next;
    pthread_cond_broadcast(&w->to_worker);
    pthread_mutex_unlock(&w->lock);
    return ticket;
}

int term_sync_worker_wait(term_sync_worker *w, uint64_t ticket, uint32_t timeout_ms)
{
    if (w == NULL) return 1;
    int64_t end = mono_ms(NULL) + timeout_ms;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (w->barrier_passed >= ticket || app_items(w)) break;
        int64_t left = end - mono_ms(NULL);
        if (left <= 0) break;
        timed_wait(&w->to_app, &w->lock, left);
    }
    int passed = w->barrier_passed >= ticket;
    pthread_mutex_unlock(&w->lock);
    return passed;
}
