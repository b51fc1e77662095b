/*
 * The gallery file's format: records, header, and the scan that tells a
 * torn last append from damage (layout in gallery_format.h, the rules in
 * docs/search.md "Gallery file").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "search/gallery_format.h"

#define FILE_MAGIC "FPGALLRY"
#define HEADER_SUM 44u
#define REC_MAGIC 0x52475046u /* "FPGR" */
#define REC_END 0x45475046u   /* "FPGE" */
#define PUT_FIXED 32u
/* Reading a file copies it in pieces of this size, so what is read past the
 * records (a torn append, or junk) is bounded. */
#define READ_CHUNK ((size_t)8 << 20)
#define FIRST_CAP ((size_t)64 << 20)

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
    if (len > i) memcpy(tail, data + i, len - i);
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

/* Checksum of head_len bytes and the file id (ties records and the seal to their file). */
static uint32_t keyed_sum(const uint8_t *head, size_t head_len, uint64_t file_id)
{
    uint8_t key[8];
    wr64(key, file_id);
    return checksum(head, head_len, key, sizeof key);
}

static size_t put_payload_len(uint16_t count)
{
    size_t n = count ? count : 1;
    return PUT_FIXED + sizeof(fpi_pcode) + pad8(n * sizeof(fp_minutia)) + 2 * pad8(n * sizeof(int16_t)) +
           pad8(n * FPI_NEIGHBOURS * sizeof(fpi_neighbour)) + 2 * pad8((n + 1) * sizeof(int16_t));
}

size_t fpi_gf_put_len(uint16_t count)
{
    return GF_REC_HEADER + put_payload_len(count) + GF_REC_TRAILER;
}

size_t fpi_gf_max_record(void)
{
    return fpi_gf_put_len(FP_MAX_MINUTIAE);
}

/* Fills in the header and trailer of a record whose payload (len bytes) is in place. */
static void frame(uint8_t *rec, uint8_t type, fp_gallery_id id, uint32_t len, uint64_t seq, uint64_t file_id)
{
    const uint8_t *p = rec + GF_REC_HEADER;
    wr32(rec, REC_MAGIC);
    rec[4] = type;
    rec[5] = id.finger;
    rec[6] = rec[7] = 0;
    wr32(rec + 8, id.user);
    wr32(rec + 12, len);
    wr64(rec + 16, seq);
    wr32(rec + 24, checksum(rec, 0, p, len));
    uint32_t hs = keyed_sum(rec, 28, file_id);
    wr32(rec + 28, hs);
    wr32(rec + GF_REC_HEADER + len, REC_END);
    wr32(rec + GF_REC_HEADER + len + 4, hs);
}

void fpi_gf_put_record(uint8_t *rec, fp_gallery_id id, uint64_t seq, uint64_t file_id, const fp_template *t,
                       const fpi_pcode *pc)
{
    uint8_t *p = rec + GF_REC_HEADER;
    size_t n = t->count ? t->count : 1;
    memset(p, 0, put_payload_len(t->count));
    wr32(p, t->width);
    wr32(p + 4, t->height);
    wr32(p + 8, t->dpi);
    memcpy(p + 12, &t->count, 2);
    memcpy(p + 14, &t->hull_n, 2);
    p[16] = t->quality;
    p[17] = t->match_count;
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
    frame(rec, GF_PUT, id, (uint32_t)o, seq, file_id);
}

void fpi_gf_remove_record(uint8_t *rec, fp_gallery_id id, uint64_t seq, uint64_t file_id)
{
    frame(rec, GF_REMOVE, id, 0, seq, file_id);
}

void fpi_gf_seal(uint8_t s[GF_SEAL_LEN], uint64_t file_id, uint64_t clean_end, uint32_t generation)
{
    wr64(s, clean_end);
    wr32(s + 8, generation);
    wr32(s + 12, keyed_sum(s, 12, file_id));
}

void fpi_gf_file_header(uint8_t h[GF_HEADER], uint64_t file_id, uint64_t clean_end, uint32_t generation)
{
    memset(h, 0, GF_HEADER);
    memcpy(h, FILE_MAGIC, 8);
    wr32(h + 8, GF_VERSION);
    wr32(h + 12, GF_HEADER);
    wr32(h + 16, (uint32_t)sizeof(fpi_pcode));
    wr32(h + 20, (uint32_t)sizeof(fp_minutia));
    wr32(h + 24, (uint32_t)sizeof(fpi_neighbour));
    wr64(h + 32, file_id);
    wr32(h + HEADER_SUM, checksum(h, HEADER_SUM, h, 0));
    fpi_gf_seal(h + GF_SEAL, file_id, clean_end, generation);
}

uint64_t fpi_gf_new_id(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        /* No entropy yet (early boot): the clock and the process id only
         * need to differ from the file this one replaces. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
        v = (v ^ (v >> 30)) * 0xBF58476D1CE4E5B9ULL;
        v ^= v >> 31;
    }
    return v ? v : 1;
}

/* ------------------------------------------------------------------------ */
/* Image: the file's bytes in memory                                        */
/* ------------------------------------------------------------------------ */

struct gf_image {
    int fd;
    int map;       /* base maps the file; else it is a private copy */
    uint8_t *base; /* bytes [0, len) of the file */
    size_t len;
    size_t cap;    /* bytes of the mapping at base */
    size_t ready;  /* mapped: bytes whose page tables are filled */
    int eof;       /* the whole file is in [0, len) */
    int have_seal; /* mapped: seal holds the seal as read before len was fixed */
    uint8_t seal[GF_SEAL_LEN];
};

static size_t page_round(size_t n)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    return (n + pg - 1) / pg * pg;
}

/* Reads the seal's bytes: how many (fewer in a file too short to hold them), or -1. */
static ssize_t read_seal(int fd, uint8_t seal[GF_SEAL_LEN])
{
    for (;;) {
        ssize_t r = pread(fd, seal, GF_SEAL_LEN, GF_SEAL);
        if (r >= 0 || errno != EINTR) return r;
    }
}

fp_status fpi_gf_image_open(int fd, int map, gf_image **out)
{
    *out = NULL;
    /*
     * A mapping's length is fixed below, but its header is read later,
     * live: a writer appending and closing in between seals an end past
     * that length, and the records would look cut (CUT) though nothing is
     * lost. So the seal is read first and the scan checks against it: it
     * was set no later than the length was taken, and a writer closing
     * since changes it, which the reader sees when it reads the seal again
     * after the scan. A copy has no such window: it reads the header
     * first, then the records after it until the end of the file.
     */
    uint8_t seal[GF_SEAL_LEN] = {0};
    ssize_t sr = map ? read_seal(fd, seal) : 0;
    if (sr < 0) return FP_ERR_IO;
    struct stat sb;
    if (fstat(fd, &sb) != 0) return FP_ERR_IO;
    if ((uint64_t)sb.st_size > (uint64_t)(SIZE_MAX / 2)) return FP_ERR_NO_MEMORY;
    gf_image *im = calloc(1, sizeof(*im));
    if (!im) return FP_ERR_NO_MEMORY;
    im->fd = fd;
    im->map = map;
    im->have_seal = sr == (ssize_t)GF_SEAL_LEN; /* else no whole header: the scan says so */
    memcpy(im->seal, seal, sizeof seal);
    size_t size = (size_t)sb.st_size;
    if (map) {
        im->eof = 1;
        if (size) {
            void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                free(im);
                return FP_ERR_IO;
            }
            im->base = p;
            im->len = im->cap = size;
        }
    } else {
        /* One byte more than the file, so the end shows without growing. */
        im->cap = page_round(FPI_MIN(size + 1, FIRST_CAP));
        void *p = mmap(NULL, im->cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            free(im);
            return FP_ERR_NO_MEMORY;
        }
        (void)madvise(p, im->cap, MADV_HUGEPAGE); /* fewer faults while copying; a hint only */
        im->base = p;
    }
    *out = im;
    return FP_OK;
}

void fpi_gf_image_free(gf_image *im)
{
    if (!im) return;
    if (im->base) munmap(im->base, im->cap);
    free(im);
}

/* Makes bytes [0, min(want, end of file)) available in im->base. */
static fp_status image_need(gf_image *im, uint64_t want)
{
    if (im->map && want > im->ready && im->ready < im->len) {
        /* Page tables filled ahead of the scan, a piece at a time: one call
         * instead of a fault per page (MAP_POPULATE would do all of a long
         * junk tail too). A hint: where it fails, faults do the work. */
        uint64_t to = FPI_MIN((uint64_t)im->len, (want + READ_CHUNK) & ~(uint64_t)(READ_CHUNK - 1));
#ifdef MADV_POPULATE_READ
        (void)madvise(im->base + im->ready, (size_t)to - im->ready, MADV_POPULATE_READ);
#endif
        im->ready = (size_t)to;
    }
    while (im->len < want && !im->eof) {
        if (im->len == im->cap) {
            size_t cap = FPI_MAX(im->cap * 2, page_round((size_t)FPI_MIN(want, SIZE_MAX / 4) + READ_CHUNK));
            void *p = mremap(im->base, im->cap, cap, MREMAP_MAYMOVE);
            if (p == MAP_FAILED) return FP_ERR_NO_MEMORY;
            im->base = p;
            im->cap = cap;
        }
        ssize_t r = pread(im->fd, im->base + im->len, FPI_MIN(im->cap - im->len, READ_CHUNK), (off_t)im->len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return FP_ERR_IO;
        if (r == 0) im->eof = 1;
        im->len += (size_t)r;
    }
    return FP_OK;
}

/* Bytes available from off on (off <= len). */
static uint64_t avail(const gf_image *im, uint64_t off)
{
    return im->len > off ? im->len - off : 0;
}

/* ------------------------------------------------------------------------ */
/* Scan                                                                     */
/* ------------------------------------------------------------------------ */

enum { HDR_OK, HDR_BAD, HDR_FIELDS, HDR_SEQ };

/* The state of the 32-byte record header at h, expected to carry seq. */
static int header_state(const uint8_t *h, uint64_t file_id, uint64_t seq)
{
    if (rd32(h) != REC_MAGIC || rd32(h + 28) != keyed_sum(h, 28, file_id)) return HDR_BAD;
    uint32_t len = rd32(h + 12);
    int ok = h[5] <= FP_GALLERY_MAX_FINGER && !h[6] && !h[7] && len % 8 == 0 &&
             ((h[4] == GF_PUT && len >= PUT_FIXED + sizeof(fpi_pcode) && len <= put_payload_len(FP_MAX_MINUTIAE)) ||
              (h[4] == GF_REMOVE && len == 0));
    if (!ok) return HDR_FIELDS;
    return rd64(h + 16) == seq ? HDR_OK : HDR_SEQ;
}

static uint64_t record_len(const uint8_t *h)
{
    return GF_REC_HEADER + (uint64_t)rd32(h + 12) + GF_REC_TRAILER;
}

/*
 * Checks a complete record whose header is valid: payload checksum,
 * trailer, and a put's fields, so a view of it cannot lead the matcher out
 * of bounds even when its checksum was made to fit.
 */
static int record_ok(const uint8_t *h)
{
    uint32_t len = rd32(h + 12);
    const uint8_t *p = h + GF_REC_HEADER;
    if (checksum(h, 0, p, len) != rd32(h + 24)) return 0;
    if (rd32(p + len) != REC_END || rd32(p + len + 4) != rd32(h + 28)) return 0;
    if (h[4] != GF_PUT) return 1;
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
    /* The compared minutiae (byte 17: their number, the one the
     * minutiae's qualities give under today's quality bar or the one
     * before it; 0 in records written before it was stored:
     * FP_MATCH_MINUTIAE) link only to each other; the rest have no
     * edges. */
    const fp_minutia *mn = (const fp_minutia *)(const void *)(p + PUT_FIXED + sizeof(fpi_pcode));
    if (p[17] && p[17] != fpi_match_limit(mn, count) &&
        p[17] != fpi_match_limit_at(mn, count, FPI_MATCH_WIDE_QUALITY_V1))
        return 0;
    const size_t mc = (size_t)(p[17] ? p[17] : fpi_match_limit_legacy(count));
    for (size_t i = 0; i < (size_t)count * FPI_NEIGHBOURS; i++)
        if (nb[i].index != 0xFF && (i >= mc * FPI_NEIGHBOURS || nb[i].index >= mc)) return 0;
    return 1;
}

typedef struct verify_job {
    const uint8_t *base;
    const uint64_t *offsets;
    size_t begin, end;
    size_t first_bad; /* index of the first invalid record in [begin, end), or end */
} verify_job;

static void *verify_range(void *arg)
{
    verify_job *j = arg;
    j->first_bad = j->end;
    for (size_t i = j->begin; i < j->end; i++)
        if (!record_ok(j->base + j->offsets[i])) {
            j->first_bad = i;
            break;
        }
    return NULL;
}

/* Checks records [0, n) in full on up to 8 threads; the index of the first
 * invalid one, or n. Falls back to this thread when threads cannot start. */
static size_t verify_parallel(const uint8_t *base, const uint64_t *offsets, size_t n)
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
        jobs[i] = (verify_job){base, offsets, n * i / t, n * (i + 1) / t, 0};
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

static int all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/*
 * What the n bytes b after the last valid record are. An append writes one
 * record at the end of the file, so a crash (or a reader racing the
 * writer) can leave after the acknowledged records only a prefix of that
 * record followed by zeros (the size can run ahead of the data that
 * reached the disk; unwritten blocks read as zeros), never more than one
 * record. That is a torn append (FP_GALLERY_DAMAGE_NONE); anything else is
 * damage. n may be capped: more than the longest record means "longer".
 */
static fp_gallery_damage tail_kind(const uint8_t *b, uint64_t n, uint64_t file_id, uint64_t seq)
{
    const uint64_t max = fpi_gf_max_record();
    if (n >= GF_REC_HEADER) {
        int hs = header_state(b, file_id, seq);
        if (hs == HDR_SEQ) return FP_GALLERY_DAMAGE_SEQUENCE;
        if (hs == HDR_FIELDS) return FP_GALLERY_DAMAGE_RECORD;
        if (hs == HDR_OK) {
            uint64_t r = record_len(b);
            if (n < r) return FP_GALLERY_DAMAGE_NONE; /* the file ends inside the record */
            /* Complete but invalid: torn only if its trailer and all after it are zeros. */
            if (n <= max && all_zero(b + r - GF_REC_TRAILER, n - r + GF_REC_TRAILER)) return FP_GALLERY_DAMAGE_NONE;
            return FP_GALLERY_DAMAGE_RECORD;
        }
    }
    if (n > max) return FP_GALLERY_DAMAGE_GARBAGE;
    uint64_t z = n; /* bytes up to the last non-zero one */
    while (z && !b[z - 1]) z--;
    if (z == 0) return FP_GALLERY_DAMAGE_NONE;
    /* Only part of a header was written: its first bytes must be the magic. */
    uint8_t magic[4];
    wr32(magic, REC_MAGIC);
    if (z < GF_REC_HEADER && !memcmp(b, magic, FPI_MIN(z, 4))) return FP_GALLERY_DAMAGE_NONE;
    return FP_GALLERY_DAMAGE_GARBAGE;
}

/* Checks the 64-byte file header; fills id and seal of s from seal (the
 * header's own, or the one read before a mapping's length was fixed). */
static fp_status check_file_header(const uint8_t *h, const uint8_t *seal, gf_scan *s)
{
    if (memcmp(h, FILE_MAGIC, 8) != 0) return FP_ERR_FILE_FORMAT;
    if (checksum(h, HEADER_SUM, h, 0) != rd32(h + HEADER_SUM)) {
        /* Versions 1 and 2 kept the header's checksum at offset 60. */
        if (checksum(h, 60, h, 0) == rd32(h + 60)) return FP_ERR_FILE_FORMAT;
        s->damage = FP_GALLERY_DAMAGE_HEADER;
        return FP_ERR_FILE_CORRUPT;
    }
    if (rd32(h + 8) != GF_VERSION || rd32(h + 12) != GF_HEADER || rd32(h + 16) != sizeof(fpi_pcode) ||
        rd32(h + 20) != sizeof(fp_minutia) || rd32(h + 24) != sizeof(fpi_neighbour))
        return FP_ERR_FILE_FORMAT;
    s->id = rd64(h + 32);
    /* A seal that does not check is a seal write cut short: as unsealed. */
    s->seal_valid = rd32(seal + 12) == keyed_sum(seal, 12, s->id);
    s->clean_end = s->seal_valid ? rd64(seal) : 0;
    s->generation = s->seal_valid ? rd32(seal + 8) : 0;
    memcpy(s->seal, seal, GF_SEAL_LEN);
    return FP_OK;
}

fp_status fpi_gf_scan(gf_image *im, gf_scan *s)
{
    memset(s, 0, sizeof(*s));
    fp_status st = FP_OK;
    uint64_t *offsets = NULL;
    size_t n = 0, cap = 0;
    FPI_TRY(image_need(im, GF_HEADER));
    if (im->len < GF_HEADER) {
        /* Too short: a gallery file cut inside its header, or not one at all. */
        if (!im->len || memcmp(im->base, FILE_MAGIC, FPI_MIN(im->len, 8)) != 0) FPI_FAIL(FP_ERR_FILE_FORMAT);
        s->damage = FP_GALLERY_DAMAGE_HEADER;
        FPI_FAIL(FP_ERR_FILE_CORRUPT);
    }
    FPI_TRY(check_file_header(im->base, im->have_seal ? im->seal : im->base + GF_SEAL, s));

    /* Record boundaries: each header checked (checksum, fields, sequence). */
    uint64_t off = GF_HEADER;
    for (;;) {
        FPI_TRY(image_need(im, off + GF_REC_HEADER));
        if (avail(im, off) < GF_REC_HEADER || header_state(im->base + off, s->id, n) != HDR_OK) break;
        uint64_t r = record_len(im->base + off);
        FPI_TRY(image_need(im, off + r));
        if (avail(im, off) < r) break;
        if (n == cap) {
            size_t c = cap ? 2 * cap : 1024;
            uint64_t *bigger = realloc(offsets, c * sizeof(*offsets));
            if (!bigger) FPI_FAIL(FP_ERR_NO_MEMORY);
            offsets = bigger;
            cap = c;
        }
        offsets[n++] = off;
        s->puts += im->base[off + 4] == GF_PUT;
        off += r;
    }
    /* Payloads in full, on several threads. */
    size_t good = verify_parallel(im->base, offsets, n);
    uint64_t end = good < n ? offsets[good] : off;
    for (size_t i = good; i < n; i++) s->puts -= im->base[offsets[i] + 4] == GF_PUT;
    s->records = good;
    s->end = end;
    s->next_seq = good;

    /* What follows the valid records: read at most one record more than the
     * longest, so a long junk tail is never read in full. */
    const uint64_t max = fpi_gf_max_record();
    FPI_TRY(image_need(im, end + max + 1));
    uint64_t rest = avail(im, end);
    if (rest) {
        fp_gallery_damage k = tail_kind(im->base + end, rest, s->id, good);
        if (k != FP_GALLERY_DAMAGE_NONE) {
            s->damage = k;
            s->damage_at = end;
            FPI_FAIL(FP_ERR_FILE_CORRUPT);
        }
        s->tail = rest;
    }
    if (!im->map && im->cap > page_round(end)) {
        /* Give back what was read past the records (torn bytes, junk). */
        void *p = mremap(im->base, im->cap, page_round(end), 0);
        if (p != MAP_FAILED) im->cap = page_round(end);
        im->len = FPI_MIN(im->len, im->cap);
    }
    s->offsets = offsets; /* for the replay: its loads do not wait on each other, unlike a walk */
    return FP_OK;
done:
    free(offsets);
    return st;
}

void fpi_gf_scan_free(gf_scan *s)
{
    free(s->offsets);
    s->offsets = NULL;
}

fp_status fpi_gf_check_seal(gf_scan *s)
{
    if (!s->clean_end || (s->end == s->clean_end && !s->tail)) return FP_OK;
    if (s->end < s->clean_end) {
        /* An acknowledged record is missing (the file was cut) or damaged. */
        s->damage = s->end + s->tail < s->clean_end ? FP_GALLERY_DAMAGE_CUT : FP_GALLERY_DAMAGE_RECORD;
        s->damage_at = s->end;
    } else {
        s->damage = FP_GALLERY_DAMAGE_GARBAGE; /* written past the end without unsealing */
        s->damage_at = s->clean_end;
    }
    return FP_ERR_FILE_CORRUPT;
}

/* ------------------------------------------------------------------------ */
/* Replay                                                                   */
/* ------------------------------------------------------------------------ */

/* What a loaded gallery's view templates point into. */
typedef struct held {
    gf_image *im;
    fp_template *views;
    int fd; /* kept open (with its lock) while the views live, or -1 */
} held;

static void held_release(void *p)
{
    held *h = p;
    if (!h) return;
    fpi_gf_image_free(h->im);
    free(h->views);
    if (h->fd >= 0) close(h->fd);
    free(h);
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
    t->match_count = (uint8_t)(p[17] ? p[17] : fpi_match_limit_legacy(t->count));
    size_t n = t->count ? t->count : 1;
    /* The casts drop const: a view is never written through (the memory is read-only). */
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

fp_status fpi_gf_replay(gf_image *im, const gf_scan *s, int hold_fd, fp_gallery **out)
{
    *out = NULL;
    fp_status st = FP_OK;
    fp_gallery *g = NULL;
    held *h = calloc(1, sizeof(*h));
    if (!h) return FP_ERR_NO_MEMORY;
    h->fd = -1;
    const uint8_t *base = im->base;
    const size_t puts = s->puts;
    h->views = calloc(puts ? puts : 1, sizeof(*h->views));
    if (!h->views) FPI_FAIL(FP_ERR_NO_MEMORY);
    FPI_TRY(fp_gallery_create(puts, &g));
    size_t v = 0;
    for (size_t i = 0; i < s->records; i++) {
        const uint8_t *r = base + s->offsets[i];
        fp_gallery_id id = {rd32(r + 8), r[5]};
        if (r[4] == GF_PUT) {
            fp_template *t = &h->views[v++];
            make_view(t, r + GF_REC_HEADER);
            const fpi_pcode *pc = (const fpi_pcode *)(const void *)(r + GF_REC_HEADER + PUT_FIXED);
            FPI_TRY(fpi_gallery_put_owned(g, id, t, pc));
        } else {
            fp_status rs = fp_gallery_remove(g, id);
            if (rs != FP_OK && rs != FP_ERR_NOT_FOUND) FPI_FAIL(rs);
        }
    }
    if (!im->map && im->base) (void)mprotect(im->base, im->cap, PROT_READ); /* views are never written */
    h->im = im;
    h->fd = hold_fd;
    fpi_gallery_set_release(g, held_release, h);
    *out = g;
    return FP_OK;
done:
    fp_gallery_destroy(g);
    free(h->views);
    free(h);
    return st;
}
