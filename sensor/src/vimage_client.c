/*
 * vimage_client.c - the client of libfprint's virtual image reader
 * (sensor_vimage.h): a queue of messages written by the client's own thread,
 * so that an image larger than the socket buffer never blocks the thread
 * that is about to run the capture reading it.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fp/fpio.h"
#include "fp/sensor_vimage.h"

/* The commands of the wire format (first integer of a message). */
enum {
    VIMAGE_RETRY = -1,
    VIMAGE_ERROR = -2,
    VIMAGE_AUTO_FINGER = -3,
    VIMAGE_FINGER = -4,
    VIMAGE_REMOVE = -5
};

typedef struct vmsg {
    struct vmsg *next;
    size_t len;
    uint8_t data[];
} vmsg;

struct fp_sensor_vimage {
    int fd;
    pthread_t writer;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a message was queued, or the writer finished one */
    vmsg *head, *tail;
    int stop;   /* the writer leaves once the queue is empty */
    int failed; /* a write failed: the reader is gone; later messages are dropped */
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static void *writer_main(void *arg)
{
    fp_sensor_vimage *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->head && !c->stop)
            pthread_cond_wait(&c->cond, &c->lock);
        vmsg *m = c->head;
        if (!m)
            break;
        c->head = m->next;
        if (!c->head)
            c->tail = NULL;
        int skip = c->failed;
        pthread_mutex_unlock(&c->lock);
        int ok = skip || write_all(c->fd, m->data, m->len);
        free(m);
        pthread_mutex_lock(&c->lock);
        if (!ok)
            c->failed = 1;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* Queues a message made of the header (a, b) and len payload bytes taken
 * from rows of row bytes, stride apart (len a multiple of row). */
static fp_status enqueue(fp_sensor_vimage *c, int32_t a, int32_t b, const uint8_t *rows, size_t row, size_t len,
                         size_t stride)
{
    if (!c)
        return FP_ERR_INVALID_ARGUMENT;
    vmsg *m = malloc(sizeof(*m) + 2 * sizeof(int32_t) + len);
    if (!m)
        return FP_ERR_NO_MEMORY;
    m->next = NULL;
    m->len = 2 * sizeof(int32_t) + len;
    const int32_t hdr[2] = {a, b};
    memcpy(m->data, hdr, sizeof(hdr));
    for (size_t off = 0, y = 0; off < len; off += row, y++)
        memcpy(m->data + sizeof(hdr) + off, rows + y * stride, row);
    pthread_mutex_lock(&c->lock);
    fp_status rc = c->failed ? FP_ERR_DISCONNECTED : FP_OK;
    if (rc == FP_OK) {
        if (c->tail)
            c->tail->next = m;
        else
            c->head = m;
        c->tail = m;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    if (rc != FP_OK)
        free(m);
    return rc;
}

static void sleep_ms(long ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

fp_status fp_sensor_vimage_connect(const char *socket_path, uint32_t timeout_ms, fp_sensor_vimage **out)
{
    if (out)
        *out = NULL;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    if (!socket_path || !out || !*socket_path || strlen(socket_path) >= sizeof(sa.sun_path))
        return FP_ERR_INVALID_ARGUMENT;
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
    const int64_t deadline = now_ms() + timeout_ms;
    int fd = -1;
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return FP_ERR_IO;
        if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        close(fd);
        fd = -1;
        /* The reader creates the socket when it is opened: wait for it. */
        if (now_ms() >= deadline)
            return FP_ERR_NO_DEVICE;
        sleep_ms(10);
    }
    fp_sensor_vimage *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return FP_ERR_NO_MEMORY;
    }
    c->fd = fd;
    int mutex_ok = pthread_mutex_init(&c->lock, NULL) == 0;
    int cond_ok = mutex_ok && pthread_cond_init(&c->cond, NULL) == 0;
    if (!cond_ok || pthread_create(&c->writer, NULL, writer_main, c) != 0) {
        if (cond_ok)
            pthread_cond_destroy(&c->cond);
        if (mutex_ok)
            pthread_mutex_destroy(&c->lock);
        close(fd);
        free(c);
        return FP_ERR_NO_MEMORY;
    }
    *out = c;
    return FP_OK;
}

static void finish(fp_sensor_vimage *c)
{
    pthread_mutex_lock(&c->lock);
    c->stop = 1;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->writer, NULL);
    close(c->fd);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void fp_sensor_vimage_close(fp_sensor_vimage *client)
{
    if (client)
        finish(client);
}

void fp_sensor_vimage_drop(fp_sensor_vimage *client)
{
    if (!client)
        return;
    /* Wakes a writer blocked in send(); what is still queued is skipped. */
    shutdown(client->fd, SHUT_RDWR);
    pthread_mutex_lock(&client->lock);
    client->failed = 1;
    pthread_mutex_unlock(&client->lock);
    finish(client);
}

fp_status fp_sensor_vimage_image(fp_sensor_vimage *client, const uint8_t *pixels, uint32_t width,
                                 uint32_t height, uint32_t stride)
{
    if (!pixels || stride < width || width == 0 || height == 0 || width > FP_SENSOR_VIMAGE_MAX_DIM ||
        height > FP_SENSOR_VIMAGE_MAX_DIM)
        return FP_ERR_INVALID_ARGUMENT;
    return enqueue(client, (int32_t)width, (int32_t)height, pixels, width, (size_t)width * height, stride);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first file of folder dir, in name order, that fp_io_load reads. */
static fp_status load_first_image(const char *dir, fp_io_image *img)
{
    DIR *d = opendir(dir);
    if (!d)
        return FP_ERR_IO;
    char **names = NULL;
    size_t n = 0, cap = 0;
    fp_status rc = FP_OK;
    struct dirent *e;
    while (rc == FP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof(*nn));
            if (!nn) {
                rc = FP_ERR_NO_MEMORY;
                break;
            }
            names = nn;
            cap = nc;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) {
            rc = FP_ERR_NO_MEMORY;
            break;
        }
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_names);
    fp_status found = FP_ERR_NOT_FOUND;
    for (size_t i = 0; rc == FP_OK && found != FP_OK && i < n; i++) {
        struct stat sb;
        if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode))
            found = fp_io_load(names[i], img);
        if (found == FP_ERR_NO_MEMORY)
            rc = found;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc != FP_OK ? rc : found == FP_OK ? FP_OK : FP_ERR_NOT_FOUND;
}

fp_status fp_sensor_vimage_image_file(fp_sensor_vimage *client, const char *path)
{
    if (!client || !path)
        return FP_ERR_INVALID_ARGUMENT;
    struct stat sb;
    fp_io_image img;
    memset(&img, 0, sizeof(img));
    fp_status rc = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? load_first_image(path, &img) : fp_io_load(path, &img);
    if (rc == FP_OK)
        rc = fp_sensor_vimage_image(client, img.pixels, img.width, img.height, img.width);
    fp_io_image_free(&img);
    return rc;
}

static fp_status command(fp_sensor_vimage *client, int32_t cmd, int32_t arg)
{
    return enqueue(client, cmd, arg, NULL, 0, 0, 0);
}

fp_status fp_sensor_vimage_auto_finger(fp_sensor_vimage *client, int on)
{
    return command(client, VIMAGE_AUTO_FINGER, on ? 1 : 0);
}

fp_status fp_sensor_vimage_finger(fp_sensor_vimage *client, int on)
{
    return command(client, VIMAGE_FINGER, on ? 1 : 0);
}

fp_status fp_sensor_vimage_retry(fp_sensor_vimage *client, int code)
{
    return code < 0 ? FP_ERR_INVALID_ARGUMENT : command(client, VIMAGE_RETRY, code);
}

fp_status fp_sensor_vimage_error(fp_sensor_vimage *client, int code)
{
    return code < 0 ? FP_ERR_INVALID_ARGUMENT : command(client, VIMAGE_ERROR, code);
}

fp_status fp_sensor_vimage_unplug(fp_sensor_vimage *client)
{
    return command(client, VIMAGE_REMOVE, 0);
}
