/*
 * The gallery file: a checksummed append-only log of prepared templates,
 * memory-mapped on load (see fp/search.h and docs/search.md).
 *
 * File header (64 bytes): "FPGALLRY", version, header size, the sizes of
 * the structures stored raw (pre-screening code, minutia, neighbour), and
 * a checksum of the first 60 bytes at offset 60.
 *
 * Record header (32 bytes): magic "FPGR", type (1 put, 2 remove), finger,
 * reserved, user, payload length (a multiple of 8), sequence number,
 * reserved, and at offset 28 the checksum of header bytes 0..27 and the
 * payload. A put's payload: width, height, dpi, count, hull count,
 * quality (32 bytes), the pre-screening code, then the template's arrays
 * (minutiae, px, py, neighbours, hull x, hull y), each padded to 8 bytes,
 * sized exactly as fpi_template_alloc sizes them, so a view template can
 * point straight at them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "search/search.h"

#define FILE_MAGIC "FPGALLRY"
/* 2: minutiae in order of quality, edges among the first FP_MATCH_MINUTIAE
 * only (version 1 files, with edges among all minutiae, are refused as
 * FP_ERR_FILE_FORMAT; rebuild them from the templates). */
#define FILE_VERSION 2u
#define FILE_HEADER 64u
#define REC_MAGIC 0x52475046u /* "FPGR" */
#define REC_HEADER 32u
#define REC_PUT 1u
#define REC_REMOVE 2u
#define PUT_FIXED 32u

struct fp_gallery_file {
    int fd;
    char path[PATH_MAX];
    uint64_t end; /* bytes of valid data */
    uint64_t seq; /* next sequence number */
};

/* The mapping a loaded gallery's view templates point into. */
typedef struct mapping {
    void *map;
    size_t len;
    fp_template *views;
} mapping;

static void mapping_release(void *p)
{
    mapping *m = p;
    if (!m) return;
    if (m->map && m->len) munmap(m->map, m->len);
    free(m->views);
    free(m);
}

static int little_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/*
 * Checksum: four independent multiply-xorshift lanes over 8-byte words (so
 * the multiplies overlap in the pipeline), folded to 32 bits. It detects
 * torn and damaged data; it is not a defence against someone who rewrites
 * the file on purpose.
 */
static uint32_t checksum(const uint8_t *head, size_t head_len, const uint8_t *data, size_t len)
{
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t h[4] = {1, 2, 3, 4};
    size_t i = 0;
    for (; i + 32 <= len; i += 32)
        for (int l = 0; l < 4; l++) {
            uint64_t x = (h[l] ^ rd64(data + i + 8 * (size_t)l)) * k;
            h[l] = x ^ (x >> 29);
        }
    for (; i + 8 <= len; i += 8) {
        uint64_t x = (h[0] ^ rd64(data + i)) * k;
        h[0] = x ^ (x >> 29);
    }
    uint8_t tail[8] = {0};
    memcpy(tail, data + i, len - i);
    uint64_t r = (h[0] ^ rd64(tail) ^ len) * k;
    for (size_t j = 0; j < head_len; j += 8) {
        uint8_t w[8] = {0};
        memcpy(w, head + j, head_len - j < 8 ? head_len - j : 8);
        r = ((r ^ (r >> 31)) ^ rd64(w)) * k;
    }
    r ^= h[1] * 0xC2B2AE3D27D4EB4FULL;
    r ^= (h[2] + (r >> 17)) * k;
    r ^= (h[3] + (r >> 23)) * 0x165667B19E3779F9ULL;
    r ^= r >> 32;
    return (uint32_t)r;
}

/* Sizes of a put payload for count minutiae (arrays as fpi_template_alloc sizes them). */
static size_t put_payload_len(uint16_t count)
{
    size_t n = count ? count : 1;
    return PUT_FIXED + sizeof(fpi_pcode) + pad8(n * sizeof(fp_minutia)) + 2 * pad8(n * sizeof(int16_t)) +
           pad8(n * FPI_NEIGHBOURS * sizeof(fpi_neighbour)) + 2 * pad8((n + 1) * sizeof(int16_t));
}

/* Serialises a put record into buf (put_payload_len + REC_HEADER bytes, zeroed by the caller). */
static void put_record(uint8_t *buf, fp_gallery_id id, uint64_t seq, const fp_template *t, const fpi_pcode *pc)
{
    uint8_t *p = buf + REC_HEADER;
    size_t n = t->count ? t->count : 1;
    wr32(p, t->width);
    wr32(p + 4, t->height);
    wr32(p + 8, t->dpi);
    memcpy(p + 12, &t->count, 2);
    memcpy(p + 14, &t->hull_n, 2);
    p[16] = t->quality;
    size_t o = PUT_FIXED;
    memcpy(p + o, pc, sizeof(*pc));
    o += sizeof(*pc);
    memcpy(p + o, t->minutiae, n * sizeof(fp_minutia));
    o += pad8(n * sizeof(fp_minutia));
    memcpy(p + o, t->px, n * sizeof(int16_t));
    o += pad8(n * sizeof(int16_t));
    memcpy(p + o, t->py, n * sizeof(int16_t));
    o += pad8(n * sizeof(int16_t));
    memcpy(p + o, t->nb, n * FPI_NEIGHBOURS * sizeof(fpi_neighbour));
    o += pad8(n * FPI_NEIGHBOURS * sizeof(fpi_neighbour));
    memcpy(p + o, t->hull_x, (n + 1) * sizeof(int16_t));
    o += pad8((n + 1) * sizeof(int16_t));
    memcpy(p + o, t->hull_y, (n + 1) * sizeof(int16_t));
    o += pad8((n + 1) * sizeof(int16_t));

    wr32(buf, REC_MAGIC);
    buf[4] = REC_PUT;
    buf[5] = id.finger;
    wr32(buf + 8, id.user);
    wr32(buf + 12, (uint32_t)o);
    wr64(buf + 16, seq);
    wr32(buf + 28, checksum(buf, 28, p, o));
}

static void remove_record(uint8_t *buf, fp_gallery_id id, uint64_t seq)
{
    memset(buf, 0, REC_HEADER);
    wr32(buf, REC_MAGIC);
    buf[4] = REC_REMOVE;
    buf[5] = id.finger;
    wr32(buf + 8, id.user);
    wr32(buf + 12, 0);
    wr64(buf + 16, seq);
    wr32(buf + 28, checksum(buf, 28, buf + REC_HEADER, 0));
}

static void file_header(uint8_t h[FILE_HEADER])
{
    memset(h, 0, FILE_HEADER);
    memcpy(h, FILE_MAGIC, 8);
    wr32(h + 8, FILE_VERSION);
    wr32(h + 12, FILE_HEADER);
    wr32(h + 16, (uint32_t)sizeof(fpi_pcode));
    wr32(h + 20, (uint32_t)sizeof(fp_minutia));
    wr32(h + 24, (uint32_t)sizeof(fpi_neighbour));
    wr32(h + 60, checksum(h, 60, h, 0));
}

/*
 * Checks the record at off (of a file of size bytes). Returns its total
 * length, or 0 when it is not a valid record. A valid put record also has
 * consistent fields, so a view of it cannot lead the matcher out of bounds.
 */
static size_t check_record(const uint8_t *base, uint64_t size, uint64_t off)
{
    if (size - off < REC_HEADER) return 0;
    const uint8_t *h = base + off;
    if (rd32(h) != REC_MAGIC) return 0;
    uint32_t len = rd32(h + 12);
    if (len % 8 || (uint64_t)len > size - off - REC_HEADER) return 0;
    if (h[4] == REC_REMOVE) {
        if (len != 0) return 0;
    } else if (h[4] == REC_PUT) {
        if (len < PUT_FIXED + sizeof(fpi_pcode)) return 0;
    } else {
        return 0;
    }
    if (h[5] > FP_GALLERY_MAX_FINGER) return 0;
    const uint8_t *p = h + REC_HEADER;
    if (checksum(h, 28, p, len) != rd32(h + 28)) return 0;
    if (h[4] == REC_PUT) {
        uint16_t count, hull_n;
        memcpy(&count, p + 12, 2);
        memcpy(&hull_n, p + 14, 2);
        if (count > FP_MAX_MINUTIAE || hull_n > count + 1 || len != put_payload_len(count)) return 0;
        const fpi_pcode *pc = (const fpi_pcode *)(const void *)(p + PUT_FIXED);
        if (pc->n > FPI_PCODE_MAX || pc->n > count) return 0;
        for (int i = 0; i < pc->n; i++)
            if (pc->pop[i] > 128) return 0;
        /* The SIMD kernels read whole blocks of codes: the slots past n must
         * be empty, as the encoder leaves them. */
        for (int i = pc->n; i < FPI_PCODE_MAX; i++)
            if (pc->lo[i] || pc->hi[i] || pc->pop[i]) return 0;
        size_t n = count ? count : 1;
        const fpi_neighbour *nb = (const fpi_neighbour *)(const void *)(p + PUT_FIXED + sizeof(fpi_pcode) +
                                                                           pad8(n * sizeof(fp_minutia)) +
                                                                           2 * pad8(n * sizeof(int16_t)));
        /* The compared minutiae (the first FP_MATCH_MINUTIAE) link only to
         * each other; the rest have no edges. */
        const size_t mc = count < FP_MATCH_MINUTIAE ? count : FP_MATCH_MINUTIAE;
        for (size_t i = 0; i < (size_t)count * FPI_NEIGHBOURS; i++)
            if (nb[i].index != 0xFF && (i >= mc * FPI_NEIGHBOURS || nb[i].index >= mc)) return 0;
    }
    return REC_HEADER + len;
}

static uint64_t record_len(const uint8_t *base, uint64_t off)
{
    return REC_HEADER + (uint64_t)rd32(base + off + 12);
}

/* Offsets of the records whose headers look right (magic, type, length
 * inside the file); stops at the first that does not. */
static fp_status walk_headers(const uint8_t *base, uint64_t size, uint64_t **out, size_t *n)
{
    size_t cap = 1024, m = 0;
    uint64_t *o = malloc(cap * sizeof(*o));
    if (!o) return FP_ERR_NO_MEMORY;
    for (uint64_t off = FILE_HEADER; size - off >= REC_HEADER;) {
        const uint8_t *h = base + off;
        uint32_t len = rd32(h + 12);
        if (rd32(h) != REC_MAGIC || (h[4] != REC_PUT && h[4] != REC_REMOVE) || len % 8 ||
            (uint64_t)len > size - off - REC_HEADER)
            break;
        if (m == cap) {
            uint64_t *bigger = realloc(o, 2 * cap * sizeof(*o));
            if (!bigger) {
                free(o);
                return FP_ERR_NO_MEMORY;
            }
            o = bigger;
            cap *= 2;
        }
        o[m++] = off;
        off += REC_HEADER + len;
    }
    *out = o;
    *n = m;
    return FP_OK;
}

typedef struct verify_job {
    const uint8_t *base;
    uint64_t size;
    const uint64_t *offsets;
    size_t begin, end;
    size_t first_bad; /* index of the first invalid record in [begin, end), or end */
} verify_job;

static void *verify_range(void *arg)
{
    verify_job *j = arg;
    j->first_bad = j->end;
    for (size_t i = j->begin; i < j->end; i++)
        if (!check_record(j->base, j->size, j->offsets[i])) {
            j->first_bad = i;
            break;
        }
    return NULL;
}

/* Checks records [0, n) in full on up to 8 threads; the index of the first
 * invalid one, or n. Falls back to this thread when threads cannot start. */
static size_t verify_parallel(const uint8_t *base, uint64_t size, const uint64_t *offsets, size_t n)
{
    enum { MAX_THREADS = 8, MIN_PER_THREAD = 4096 };
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = cpus > 0 ? (size_t)cpus : 1;
    if (t > MAX_THREADS) t = MAX_THREADS;
    if (t > n / MIN_PER_THREAD) t = n / MIN_PER_THREAD;
    if (t < 1) t = 1;
    verify_job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t i = 0; i < t; i++) {
        jobs[i] = (verify_job){base, size, offsets, n * i / t, n * (i + 1) / t, 0};
        if (i > 0) started[i] = pthread_create(&tid[i], NULL, verify_range, &jobs[i]) == 0;
    }
    verify_range(&jobs[0]);
    size_t first = n;
    for (size_t i = 0; i < t; i++) {
        if (i > 0) {
            if (started[i])
                pthread_join(tid[i], NULL);
            else
                verify_range(&jobs[i]);
        }
        if (jobs[i].first_bad < jobs[i].end && jobs[i].first_bad < first) first = jobs[i].first_bad;
    }
    return first;
}

/* Points view t at the arrays of the put payload p. */
static void make_view(fp_template *t, const uint8_t *p)
{
    memset(t, 0, sizeof(*t));
    t->width = rd32(p);
    t->height = rd32(p + 4);
    t->dpi = rd32(p + 8);
    memcpy(&t->count, p + 12, 2);
    memcpy(&t->hull_n, p + 14, 2);
    t->quality = p[16];
    size_t n = t->count ? t->count : 1;
    /* The casts drop const: a view is never written through (the mapping is read-only). */
    uint8_t *q = (uint8_t *)(uintptr_t)(p + PUT_FIXED + sizeof(fpi_pcode));
    t->minutiae = (fp_minutia *)(void *)q;
    q += pad8(n * sizeof(fp_minutia));
    t->px = (int16_t *)(void *)q;
    q += pad8(n * sizeof(int16_t));
    t->py = (int16_t *)(void *)q;
    q += pad8(n * sizeof(int16_t));
    t->nb = (fpi_neighbour *)(void *)q;
    q += pad8(n * FPI_NEIGHBOURS * sizeof(fpi_neighbour));
    t->hull_x = (int16_t *)(void *)q;
    q += pad8((n + 1) * sizeof(int16_t));
    t->hull_y = (int16_t *)(void *)q;
    t->view = 1;
}

static fp_status write_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
    while (len) {
        ssize_t w = pwrite(fd, buf, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return FP_ERR_IO;
        buf += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return FP_OK;
}

static fp_status sync_dir(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    int dfd = open(dirname(tmp), O_RDONLY | O_DIRECTORY);
    if (dfd < 0) return FP_ERR_IO;
    int rc = fsync(dfd);
    close(dfd);
    return rc == 0 ? FP_OK : FP_ERR_IO;
}

/* Creates path holding only the header, atomically (temporary file + rename). */
static fp_status create_empty(const char *path)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return FP_ERR_IO;
    uint8_t h[FILE_HEADER];
    file_header(h);
    fp_status st = write_all(fd, h, sizeof h, 0);
    if (st == FP_OK && fsync(fd) != 0) st = FP_ERR_IO;
    close(fd);
    if (st == FP_OK && rename(tmp, path) != 0) st = FP_ERR_IO;
    if (st == FP_OK) st = sync_dir(path);
    if (st != FP_OK) unlink(tmp);
    return st;
}

fp_status fp_gallery_file_open(const char *path, fp_gallery_file **file, fp_gallery **gallery,
                               fp_gallery_file_info *info)
{
    if (file) *file = NULL;
    if (gallery) *gallery = NULL;
    if (info) memset(info, 0, sizeof(*info));
    if (!path || !file || !gallery || strlen(path) >= PATH_MAX - 8) return FP_ERR_INVALID_ARGUMENT;
    if (!little_endian()) return FP_ERR_UNSUPPORTED;

    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT) return FP_ERR_IO;
        FPI_CHECK(create_empty(path));
    }
    fp_gallery_file *f = calloc(1, sizeof(*f));
    mapping *m = calloc(1, sizeof(*m));
    fp_gallery *g = NULL;
    uint64_t *offsets = NULL;
    fp_status st = FP_OK;
    if (f) f->fd = -1;
    if (!f || !m) FPI_FAIL(FP_ERR_NO_MEMORY);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->fd = open(path, O_RDWR | O_CLOEXEC);
    if (f->fd < 0) FPI_FAIL(FP_ERR_IO);
    if (fstat(f->fd, &sb) != 0) FPI_FAIL(FP_ERR_IO);
    uint64_t size = (uint64_t)sb.st_size;
    if (size < FILE_HEADER) FPI_FAIL(FP_ERR_FILE_CORRUPT);
    m->len = (size_t)size;
    m->map = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, f->fd, 0);
    if (m->map == MAP_FAILED) {
        m->map = NULL;
        FPI_FAIL(FP_ERR_IO);
    }
    const uint8_t *base = m->map;
    if (memcmp(base, FILE_MAGIC, 8) != 0) FPI_FAIL(FP_ERR_FILE_FORMAT);
    if (checksum(base, 60, base, 0) != rd32(base + 60)) FPI_FAIL(FP_ERR_FILE_CORRUPT);
    if (rd32(base + 8) != FILE_VERSION || rd32(base + 12) != FILE_HEADER ||
        rd32(base + 16) != sizeof(fpi_pcode) || rd32(base + 20) != sizeof(fp_minutia) ||
        rd32(base + 24) != sizeof(fpi_neighbour))
        FPI_FAIL(FP_ERR_FILE_FORMAT);

    /* Pass 1: find the record boundaries (headers only), then check every
     * record in full on several threads, and count the puts. */
    size_t n_rec = 0;
    FPI_TRY(walk_headers(base, size, &offsets, &n_rec));
    size_t first_bad = verify_parallel(base, size, offsets, n_rec);
    uint64_t off = FILE_HEADER;
    if (first_bad < n_rec)
        off = offsets[first_bad];
    else if (n_rec)
        off = offsets[n_rec - 1] + record_len(base, offsets[n_rec - 1]);
    size_t records = first_bad < n_rec ? first_bad : n_rec;
    if (off < size) {
        /* Torn tail, or damage in the middle? Damage is proven by any valid record further on. */
        for (uint64_t o = off + 8; o + REC_HEADER <= size; o += 8)
            if (rd32(base + o) == REC_MAGIC && check_record(base, size, o)) FPI_FAIL(FP_ERR_FILE_CORRUPT);
    }
    size_t puts = 0;
    for (size_t i = 0; i < records; i++) puts += base[offsets[i] + 4] == REC_PUT;
    uint64_t valid_end = off;

    /* Pass 2: replay into the gallery; put records become views of the mapping. */
    m->views = calloc(puts ? puts : 1, sizeof(*m->views));
    if (!m->views) FPI_FAIL(FP_ERR_NO_MEMORY);
    FPI_TRY(fp_gallery_create(puts ? puts : 0, &g));
    size_t v = 0;
    for (size_t r = 0; r < records; r++) {
        off = offsets[r];
        const uint8_t *h = base + off;
        fp_gallery_id id = {rd32(h + 8), h[5]};
        uint64_t seq = rd64(h + 16);
        if (seq >= f->seq) f->seq = seq + 1;
        if (h[4] == REC_PUT) {
            fp_template *t = &m->views[v++];
            make_view(t, h + REC_HEADER);
            const fpi_pcode *pc = (const fpi_pcode *)(const void *)(h + REC_HEADER + PUT_FIXED);
            FPI_TRY(fpi_gallery_put_owned(g, id, t, pc));
        } else {
            fp_status rs = fp_gallery_remove(g, id);
            if (rs != FP_OK && rs != FP_ERR_NOT_FOUND) FPI_FAIL(rs);
        }
    }
    fpi_gallery_set_release(g, mapping_release, m);
    m = NULL;

    if (valid_end < size) {
        /* Cut the torn record off, so the next append starts on a record boundary. */
        if (ftruncate(f->fd, (off_t)valid_end) != 0 || fdatasync(f->fd) != 0) FPI_FAIL(FP_ERR_IO);
    }
    f->end = valid_end;
    if (info) {
        info->records = records;
        info->torn_bytes = (size_t)(size - valid_end);
        info->file_bytes = valid_end;
    }
    free(offsets);
    *file = f;
    *gallery = g;
    return FP_OK;
done:
    free(offsets);
    fp_gallery_destroy(g); /* releases m once attached; otherwise m is freed below */
    mapping_release(m);
    fp_gallery_file_close(f);
    return st;
}

/* Appends one record durably; on failure the file is cut back to its old end. */
static fp_status append(fp_gallery_file *f, const uint8_t *rec, size_t len)
{
    fp_status st = write_all(f->fd, rec, len, f->end);
    if (st == FP_OK && fdatasync(f->fd) != 0) st = FP_ERR_IO;
    if (st != FP_OK) {
        if (ftruncate(f->fd, (off_t)f->end) == 0) (void)fdatasync(f->fd);
        return st;
    }
    f->end += len;
    f->seq++;
    return FP_OK;
}

fp_status fp_gallery_file_put(fp_gallery_file *file, fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl)
{
    if (!file || !gallery || !tmpl || id.finger > FP_GALLERY_MAX_FINGER) return FP_ERR_INVALID_ARGUMENT;
    fp_template *copy = NULL;
    FPI_CHECK(fp_template_clone(tmpl, &copy));
    fpi_pcode pc;
    fpi_pcode_encode(copy, &pc);
    size_t len = REC_HEADER + put_payload_len(copy->count);
    uint8_t *rec = calloc(1, len);
    if (!rec) {
        fp_template_destroy(copy);
        return FP_ERR_NO_MEMORY;
    }
    put_record(rec, id, file->seq, copy, &pc);
    fp_status st = append(file, rec, len);
    free(rec);
    if (st != FP_OK) {
        fp_template_destroy(copy);
        return st;
    }
    return fpi_gallery_put_owned(gallery, id, copy, &pc);
}

fp_status fp_gallery_file_remove(fp_gallery_file *file, fp_gallery *gallery, fp_gallery_id id)
{
    if (!file || !gallery || id.finger > FP_GALLERY_MAX_FINGER) return FP_ERR_INVALID_ARGUMENT;
    if (!fp_gallery_find(gallery, id)) return FP_ERR_NOT_FOUND;
    uint8_t rec[REC_HEADER];
    remove_record(rec, id, file->seq);
    FPI_CHECK(append(file, rec, sizeof rec));
    return fp_gallery_remove(gallery, id);
}

fp_status fp_gallery_file_compact(fp_gallery_file *file, const fp_gallery *gallery)
{
    if (!file || !gallery) return FP_ERR_INVALID_ARGUMENT;
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", file->path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return FP_ERR_IO;
    fp_status st = FP_OK;
    uint8_t h[FILE_HEADER];
    file_header(h);
    uint64_t off = 0, seq = 0;
    FPI_TRY(write_all(fd, h, sizeof h, off));
    off += sizeof h;
    size_t cap = REC_HEADER + put_payload_len(FP_MAX_MINUTIAE);
    uint8_t *rec = malloc(cap);
    if (!rec) FPI_FAIL(FP_ERR_NO_MEMORY);
    for (size_t i = 0; i < gallery->count && st == FP_OK; i++) {
        const fp_template *t = gallery->tmpl[i];
        size_t len = REC_HEADER + put_payload_len(t->count);
        memset(rec, 0, len);
        fp_gallery_id id = {gallery->user[i], gallery->finger[i]};
        put_record(rec, id, seq++, t, gallery->pcode[i]);
        st = write_all(fd, rec, len, off);
        off += len;
    }
    free(rec);
    if (st == FP_OK && fsync(fd) != 0) st = FP_ERR_IO;
    if (st == FP_OK && rename(tmp, file->path) != 0) st = FP_ERR_IO;
    if (st == FP_OK) st = sync_dir(file->path);
done:
    if (st != FP_OK) {
        close(fd);
        unlink(tmp);
        return st;
    }
    close(file->fd);
    file->fd = fd;
    file->end = off;
    file->seq = seq;
    return FP_OK;
}

void fp_gallery_file_close(fp_gallery_file *file)
{
    if (!file) return;
    if (file->fd >= 0) close(file->fd);
    free(file);
}
