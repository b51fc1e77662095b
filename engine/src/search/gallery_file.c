/*
 * The gallery file: opening with locks, appending durably, compaction,
 * the seal (see fp/search.h and docs/search.md "Gallery file"; the format
 * and the scan are in gallery_format.c).
 *
 * Locks are open file description (OFD) locks on single bytes: they belong
 * to the open file, not to the process, so two handles conflict even in
 * one process, a descriptor inherited by fork shares its parent's lock,
 * and closing any other descriptor of the file does not drop them.
 *   byte 0, exclusive: the one writing handle;
 *   byte 1, shared by read-only mapped handles while their mapping lives;
 *           a writer takes it exclusively (without waiting) to shrink the
 *           file, and writes zeros instead when it cannot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "search/gallery_format.h"

#define LOCK_WRITER 0
#define LOCK_SHRINK 1
/* Bytes of compacted records written per call. */
#define WRITE_BATCH ((size_t)4 << 20)
#define TEMP_SUFFIX ".tmp-XXXXXX"
#define NEW_SUFFIX ".new-XXXXXX"

struct fp_gallery_file {
    int fd;
    int writable;    /* holds the writer lock */
    pid_t pid;       /* the process that opened it: only it writes */
    dev_t dev;       /* the file, to tell when path names another one */
    ino_t ino;
    uint64_t id;     /* file id */
    uint64_t end;    /* bytes of valid data: the next append goes here */
    uint64_t seq;    /* next sequence number */
    uint64_t seen;   /* the file's size as this handle left or found it */
    uint32_t generation;
    int sealed;      /* the header's seal is set: unseal before the first change */
    int failed;      /* an append failed and could not be cut back */
    char path[PATH_MAX];
};

static int little_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

void fp_gallery_file_options_init(fp_gallery_file_options *options)
{
    if (options) memset(options, 0, sizeof(*options));
}

static struct flock one_byte(short type, off_t byte)
{
    struct flock l;
    memset(&l, 0, sizeof l);
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = byte;
    l.l_len = 1;
    return l;
}

/* Sets or clears an OFD lock on one byte; 0 or the errno. */
static int ofd_lock(int fd, short type, off_t byte, int wait)
{
    struct flock l = one_byte(type, byte);
    for (;;) {
        if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &l) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

/* Whether some other handle holds the writer lock. */
static int writer_active(int fd)
{
    struct flock l = one_byte(F_WRLCK, LOCK_WRITER);
    return fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static fp_status lock_writer(int fd, uint32_t timeout_ms, const struct timespec *t0)
{
    unsigned pause_us = 200;
    for (;;) {
        int e = ofd_lock(fd, F_WRLCK, LOCK_WRITER, 0);
        if (e == 0) return FP_OK;
        if (e == EINVAL) return FP_ERR_UNSUPPORTED; /* no OFD locks here */
        if (e != EAGAIN && e != EACCES) return FP_ERR_IO;
        if (ms_since(t0) >= (double)timeout_ms) return FP_ERR_LOCKED;
        usleep(pause_us);
        pause_us = FPI_MIN(pause_us * 2, 10000u);
    }
}

static int same_file(const char *path, dev_t dev, ino_t ino)
{
    struct stat sb;
    return stat(path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
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

/* Splits an absolute path into its directory (into dir) and its last part. */
static const char *split_path(const char *path, char dir[PATH_MAX])
{
    const char *slash = strrchr(path, '/');
    size_t n = slash && slash != path ? (size_t)(slash - path) : 1;
    memcpy(dir, path, n);
    dir[n] = 0;
    return slash ? slash + 1 : path;
}

static fp_status sync_dir(const char *path)
{
    char dir[PATH_MAX];
    split_path(path, dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return FP_ERR_IO;
    int rc = fsync(dfd);
    close(dfd);
    return rc == 0 ? FP_OK : FP_ERR_IO;
}

/*
 * The file path names, with symbolic links resolved once (so compaction
 * replaces the file, not a link to it). A path that does not exist yet is
 * resolved through its directory; a link to nothing is not followed.
 */
static fp_status resolve_path(const char *path, char out[PATH_MAX])
{
    char buf[PATH_MAX];
    int found = 0;
    /* Another process may create the file between the two looks: then it is
     * resolved again, not taken for a dangling link. */
    for (int tries = 0; tries < 8; tries++) {
        struct stat sb;
        if ((found = realpath(path, buf) != NULL)) break;
        if (errno != ENOENT) return FP_ERR_IO;
        if (lstat(path, &sb) != 0) break;                /* nothing there: resolved below */
        if (S_ISLNK(sb.st_mode)) return FP_ERR_NOT_FOUND; /* a dangling symbolic link */
    }
    if (!found) {
        char tmp[PATH_MAX], dir[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", path);
        char *slash = strrchr(tmp, '/');
        const char *base = slash ? slash + 1 : tmp;
        if (slash) *slash = 0;
        if (!*base || !realpath(slash ? (*tmp ? tmp : "/") : ".", dir)) return errno == ENOENT ? FP_ERR_NOT_FOUND : FP_ERR_IO;
        size_t dl = strcmp(dir, "/") ? strlen(dir) : 0, bl = strlen(base);
        if (dl + bl + 2 > sizeof buf) return FP_ERR_INVALID_ARGUMENT;
        memcpy(buf, dir, dl);
        buf[dl] = '/';
        memcpy(buf + dl + 1, base, bl + 1);
    }
    /* Room for the temporary files' suffix. */
    if (strlen(buf) + sizeof TEMP_SUFFIX > PATH_MAX) return FP_ERR_INVALID_ARGUMENT;
    memcpy(out, buf, strlen(buf) + 1);
    return FP_OK;
}

/* Creates path holding an empty gallery, unless some file is there already. */
static fp_status create_file(const char *path)
{
    char tmp[PATH_MAX + sizeof NEW_SUFFIX];
    snprintf(tmp, sizeof tmp, "%s" NEW_SUFFIX, path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return errno == EACCES || errno == EPERM || errno == EROFS ? FP_ERR_READ_ONLY : FP_ERR_IO;
    uint8_t h[GF_HEADER];
    fpi_gf_file_header(h, fpi_gf_new_id(), GF_HEADER, 0); /* empty, and closed cleanly */
    fp_status st = write_all(fd, h, sizeof h, 0);
    if (st == FP_OK && fsync(fd) != 0) st = FP_ERR_IO;
    close(fd);
    /* link, unlike rename, never replaces a file another process created
     * meanwhile; file systems without hard links get the same from renameat2. */
    if (st == FP_OK && link(tmp, path) != 0 && errno != EEXIST &&
        renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0 && errno != EEXIST)
        st = FP_ERR_IO;
    unlink(tmp);
    if (st == FP_OK) st = sync_dir(path);
    return st;
}

/* Removes what a compaction cut short by a crash left ("<path>.tmp-XXXXXX"). */
static void remove_stale_temps(const char *path)
{
    char dir[PATH_MAX];
    const char *base = split_path(path, dir);
    size_t bl = strlen(base), sl = strlen(TEMP_SUFFIX) - 6;
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *n = e->d_name;
        if (!strncmp(n, base, bl) && !strncmp(n + bl, TEMP_SUFFIX, sl) && strlen(n + bl + sl) == 6)
            (void)unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
}

/* Notes the file f->fd is; FP_ERR_IO unless it is a regular file. */
static fp_status note_file(fp_gallery_file *f)
{
    struct stat sb;
    if (fstat(f->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return FP_ERR_IO;
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->seen = (uint64_t)sb.st_size;
    return FP_OK;
}

static fp_status open_writer(fp_gallery_file *f, const fp_gallery_file_options *o)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* The file may be replaced while this waits for its lock (a compaction):
     * then the lock is on a file path no longer names, and the new one is opened. */
    for (int tries = 0; tries < 64; tries++) {
        f->fd = open(f->path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (f->fd < 0) {
            int e = errno;
            if (e == ENOENT && !(o->flags & FP_GALLERY_FILE_NO_CREATE)) {
                FPI_CHECK(create_file(f->path));
                continue;
            }
            if (e == ENOENT) return FP_ERR_NOT_FOUND;
            return e == EACCES || e == EPERM || e == EROFS || e == ETXTBSY ? FP_ERR_READ_ONLY : FP_ERR_IO;
        }
        FPI_CHECK(note_file(f));
        FPI_CHECK(lock_writer(f->fd, o->lock_timeout_ms, &t0));
        if (same_file(f->path, f->dev, f->ino)) return note_file(f);
        close(f->fd);
        f->fd = -1;
    }
    return FP_ERR_FILE_REPLACED;
}

static fp_status open_reader(fp_gallery_file *f, int map)
{
    f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (f->fd < 0) return errno == ENOENT ? FP_ERR_NOT_FOUND : FP_ERR_IO;
    FPI_CHECK(note_file(f));
    /* Mapped: writers must not shrink the file under the mapping. */
    if (map) {
        int e = ofd_lock(f->fd, F_RDLCK, LOCK_SHRINK, 1);
        if (e) return e == EINVAL ? FP_ERR_UNSUPPORTED : FP_ERR_IO;
    }
    return FP_OK;
}

/*
 * Reads, checks and replays the file. A reader holds no lock, so a writer
 * may be at work: the seal is read again after the scan, and a scan that
 * overlapped a change of the seal (a writer opening or closing), or that
 * found damage while a writer holds the file (a record being cut back), is
 * done again, a few times. The scan's seal is the one read no later than
 * the bytes it checks were bounded (a mapping fixes its length before the
 * header is read, so fpi_gf_image_open reads the seal first): a seal
 * written after that, by a writer that appended past the mapped length
 * and closed, counts as a change, never as the file cut short.
 */
static fp_status load(fp_gallery_file *f, int map, fp_gallery **g, gf_scan *s)
{
    for (int attempt = 0;; attempt++) {
        gf_image *im = NULL;
        FPI_CHECK(fpi_gf_image_open(f->fd, map, &im));
        fp_status st = fpi_gf_scan(im, s);
        int stable = 1, again = 0;
        if (!f->writable && (st == FP_OK || st == FP_ERR_FILE_CORRUPT)) {
            uint8_t now[GF_SEAL_LEN];
            stable = pread(f->fd, now, sizeof now, GF_SEAL) == (ssize_t)sizeof now && !memcmp(now, s->seal, sizeof now);
            again = attempt < 4 && (!stable || (st == FP_ERR_FILE_CORRUPT && writer_active(f->fd)));
        }
        if (!again && st == FP_OK && stable) st = fpi_gf_check_seal(s);
        if (!again && st == FP_OK) {
            int hold = map && !f->writable ? dup(f->fd) : -1; /* keeps the shared lock with the views */
            if (map && !f->writable && hold < 0) st = FP_ERR_IO;
            if (st == FP_OK) st = fpi_gf_replay(im, s, hold, g); /* the image is the gallery's now */
            if (st != FP_OK && hold >= 0) close(hold);
        }
        fpi_gf_scan_free(s);
        if (!again && st == FP_OK) return FP_OK;
        fpi_gf_image_free(im);
        if (!again) return st;
        usleep(1000u << attempt);
    }
}

/*
 * Cuts the file back to f->end (a torn append, a failed one). A read-only
 * handle that maps the file holds the shrink lock shared: cutting would
 * kill it with SIGBUS, so the bytes become zeros instead (still a torn
 * append to every reader; the next append overwrites them).
 */
static fp_status cut_back(fp_gallery_file *f)
{
    static const uint8_t zeros[4096];
    struct stat sb;
    if (fstat(f->fd, &sb) != 0) return FP_ERR_IO;
    uint64_t size = (uint64_t)sb.st_size;
    if (size <= f->end) return FP_OK;
    fp_status st = FP_OK;
    if (ofd_lock(f->fd, F_WRLCK, LOCK_SHRINK, 0) == 0) {
        if (ftruncate(f->fd, (off_t)f->end) == 0)
            size = f->end;
        else
            st = FP_ERR_IO;
        ofd_lock(f->fd, F_UNLCK, LOCK_SHRINK, 0);
    } else {
        for (uint64_t o = f->end; o < size && st == FP_OK; o += sizeof zeros)
            st = write_all(f->fd, zeros, (size_t)FPI_MIN(size - o, (uint64_t)sizeof zeros), o);
    }
    if (st == FP_OK && fdatasync(f->fd) != 0) st = FP_ERR_IO;
    f->seen = size;
    return st;
}

static fp_status write_seal(fp_gallery_file *f, uint64_t clean_end, uint32_t generation)
{
    uint8_t s[GF_SEAL_LEN];
    fpi_gf_seal(s, f->id, clean_end, generation);
    FPI_CHECK(write_all(f->fd, s, sizeof s, GF_SEAL));
    return fdatasync(f->fd) == 0 ? FP_OK : FP_ERR_IO;
}

fp_status fp_gallery_file_open_with(const char *path, const fp_gallery_file_options *options,
                                    fp_gallery_file **file, fp_gallery **gallery, fp_gallery_file_info *info)
{
    if (file) *file = NULL;
    if (gallery) *gallery = NULL;
    if (info) memset(info, 0, sizeof(*info));
    if (!path || !file || !gallery) return FP_ERR_INVALID_ARGUMENT;
    if (!little_endian()) return FP_ERR_UNSUPPORTED;
    fp_gallery_file_options defaults;
    fp_gallery_file_options_init(&defaults);
    const fp_gallery_file_options *o = options ? options : &defaults;
    const int read_only = (o->flags & FP_GALLERY_FILE_READ_ONLY) != 0;
    const int map = (o->flags & FP_GALLERY_FILE_MAP) != 0;

    fp_status st = FP_OK;
    fp_gallery *g = NULL;
    gf_scan s;
    memset(&s, 0, sizeof s);
    fp_gallery_file *f = calloc(1, sizeof(*f));
    if (!f) return FP_ERR_NO_MEMORY;
    f->fd = -1;
    f->pid = getpid();
    FPI_TRY(resolve_path(path, f->path));
    FPI_TRY(read_only ? open_reader(f, map) : open_writer(f, o));
    f->writable = !read_only;
    FPI_TRY(load(f, map, &g, &s));
    f->id = s.id;
    f->end = s.end;
    f->seq = s.next_seq;
    f->generation = s.generation;
    f->sealed = s.clean_end != 0;
    if (f->writable) {
        /* Cut the torn append off, so the next one starts on a record boundary. */
        if (s.tail) FPI_TRY(cut_back(f));
        /* Not closed cleanly: a compaction may have been cut short too. */
        if (!f->sealed) remove_stale_temps(f->path);
    } else {
        f->seen = s.end + s.tail;
    }
    if (info) {
        info->records = s.records;
        info->torn_bytes = (size_t)s.tail;
        info->file_bytes = s.end;
        info->closed_cleanly = f->sealed;
    }
    *file = f;
    *gallery = g;
    return FP_OK;
done:
    if (info && st == FP_ERR_FILE_CORRUPT) {
        info->damage = s.damage;
        info->damage_offset = s.damage_at;
    }
    fp_gallery_destroy(g);
    f->writable = 0; /* nothing to seal */
    fp_gallery_file_close(f);
    return st;
}

fp_status fp_gallery_file_open(const char *path, fp_gallery_file **file, fp_gallery **gallery,
                               fp_gallery_file_info *info)
{
    return fp_gallery_file_open_with(path, NULL, file, gallery, info);
}

/* Whether this handle may change its file now. */
static fp_status may_write(const fp_gallery_file *f)
{
    if (!f->writable) return FP_ERR_READ_ONLY;
    if (f->pid != getpid()) return FP_ERR_LOCKED;
    if (f->failed) return FP_ERR_IO;
    if (!same_file(f->path, f->dev, f->ino)) return FP_ERR_FILE_REPLACED;
    return FP_OK;
}

/* Clears the seal before the first change: from now on the last record may be torn. */
static fp_status unseal(fp_gallery_file *f)
{
    if (!f->sealed) return FP_OK;
    FPI_CHECK(write_seal(f, 0, f->generation));
    f->sealed = 0;
    return FP_OK;
}

/* Appends one record durably; on failure the file is cut back to its old end. */
static fp_status append(fp_gallery_file *f, const uint8_t *rec, size_t len)
{
    FPI_CHECK(may_write(f));
    /* Another program shrank the file: the records this one would follow are gone. */
    struct stat sb;
    if (fstat(f->fd, &sb) != 0) return FP_ERR_IO;
    if ((uint64_t)sb.st_size < f->end) return FP_ERR_FILE_CORRUPT;
    FPI_CHECK(unseal(f));
    fp_status st = write_all(f->fd, rec, len, f->end);
    if (st == FP_OK && fdatasync(f->fd) != 0) st = FP_ERR_IO;
    if (st != FP_OK) {
        if (cut_back(f) != FP_OK) f->failed = 1;
        return st;
    }
    /* Acknowledge only what landed in the file path names. */
    if (!same_file(f->path, f->dev, f->ino)) return FP_ERR_FILE_REPLACED;
    f->end += len;
    f->seq++;
    if (f->seen < f->end) f->seen = f->end;
    return FP_OK;
}

fp_status fp_gallery_file_put(fp_gallery_file *file, fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl)
{
    if (!file || !gallery || !tmpl || id.finger > FP_GALLERY_MAX_FINGER) return FP_ERR_INVALID_ARGUMENT;
    FPI_CHECK(may_write(file));
    fp_template *copy = NULL;
    FPI_CHECK(fp_template_clone(tmpl, &copy));
    fpi_pcode pc;
    fpi_pcode_encode(copy, &pc);
    size_t len = fpi_gf_put_len(copy->count);
    uint8_t *rec = malloc(len);
    if (!rec) {
        fp_template_destroy(copy);
        return FP_ERR_NO_MEMORY;
    }
    fpi_gf_put_record(rec, id, file->seq, file->id, copy, &pc);
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
    FPI_CHECK(may_write(file));
    if (!fp_gallery_find(gallery, id)) return FP_ERR_NOT_FOUND;
    uint8_t rec[GF_REC_HEADER + GF_REC_TRAILER];
    fpi_gf_remove_record(rec, id, file->seq, file->id);
    FPI_CHECK(append(file, rec, sizeof rec));
    return fp_gallery_remove(gallery, id);
}

/* Writes gallery's fingers as put records of file file_id into fd from offset GF_HEADER; *end past them. */
static fp_status write_records(int fd, const fp_gallery *gallery, uint64_t file_id, uint64_t *end)
{
    const size_t max = fpi_gf_max_record();
    uint8_t *buf = malloc(WRITE_BATCH + max);
    if (!buf) return FP_ERR_NO_MEMORY;
    fp_status st = FP_OK;
    uint64_t off = GF_HEADER;
    size_t used = 0;
    for (size_t i = 0; i < gallery->count && st == FP_OK; i++) {
        const fp_template *t = gallery->tmpl[i];
        fp_gallery_id id = {gallery->user[i], gallery->finger[i]};
        fpi_gf_put_record(buf + used, id, i, file_id, t, gallery->pcode[i]);
        used += fpi_gf_put_len(t->count);
        if (used >= WRITE_BATCH || i + 1 == gallery->count) {
            st = write_all(fd, buf, used, off);
            off += used;
            used = 0;
        }
    }
    free(buf);
    *end = off;
    return st;
}

fp_status fp_gallery_file_compact(fp_gallery_file *file, const fp_gallery *gallery)
{
    if (!file || !gallery) return FP_ERR_INVALID_ARGUMENT;
    FPI_CHECK(may_write(file));
    char tmp[PATH_MAX + sizeof TEMP_SUFFIX];
    snprintf(tmp, sizeof tmp, "%s" TEMP_SUFFIX, file->path);
    /* A new name, created exclusively: never through a symbolic link, never over a file. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) return FP_ERR_IO;
    fp_status st = FP_OK;
    struct stat sb;
    uint64_t id = fpi_gf_new_id(), end = GF_HEADER;
    /* Locked before it gets the name writers open. */
    if (ofd_lock(fd, F_WRLCK, LOCK_WRITER, 0) != 0) FPI_FAIL(FP_ERR_IO);
    /* The new file keeps the old one's owner (when this process may set it) and mode. */
    if (fstat(file->fd, &sb) == 0) {
        int chown_rc = fchown(fd, sb.st_uid, sb.st_gid); /* fails unless privileged: then it stays ours */
        (void)chown_rc;
        (void)fchmod(fd, sb.st_mode & 07777);
    }
    uint8_t h[GF_HEADER];
    fpi_gf_file_header(h, id, 0, 0); /* unsealed: this handle goes on writing it */
    FPI_TRY(write_all(fd, h, sizeof h, 0));
    FPI_TRY(write_records(fd, gallery, id, &end));
    if (fsync(fd) != 0) FPI_FAIL(FP_ERR_IO);
    if (!same_file(file->path, file->dev, file->ino)) FPI_FAIL(FP_ERR_FILE_REPLACED);
    if (rename(tmp, file->path) != 0) FPI_FAIL(FP_ERR_IO);
    st = sync_dir(file->path);
    /* Renamed: the old file is gone whatever the flush says. A writer
     * waiting on the old file's lock gets it now, sees the file replaced
     * and opens the new one, whose lock this handle holds. */
    ofd_lock(file->fd, F_UNLCK, LOCK_WRITER, 0);
    close(file->fd);
    file->fd = fd;
    if (fstat(fd, &sb) == 0) {
        file->dev = sb.st_dev;
        file->ino = sb.st_ino;
    }
    file->id = id;
    file->end = file->seen = end;
    file->seq = gallery->count;
    file->generation = 0;
    file->sealed = 0;
    return st;
done:
    close(fd);
    unlink(tmp);
    return st;
}

fp_status fp_gallery_file_stale(const fp_gallery_file *file, int *stale)
{
    if (!file || !stale) return FP_ERR_INVALID_ARGUMENT;
    struct stat sb;
    if (stat(file->path, &sb) != 0) {
        if (errno != ENOENT && errno != ENOTDIR) return FP_ERR_IO;
        *stale = 1;
        return FP_OK;
    }
    *stale = sb.st_dev != file->dev || sb.st_ino != file->ino || (uint64_t)sb.st_size != file->seen;
    return FP_OK;
}

void fp_gallery_file_close(fp_gallery_file *file)
{
    if (!file) return;
    if (file->fd >= 0 && file->writable && file->pid == getpid()) {
        /* Seal: the file ends here, and nothing after this is a torn append. */
        struct stat sb;
        if (!file->sealed && !file->failed && cut_back(file) == FP_OK && fstat(file->fd, &sb) == 0 &&
            (uint64_t)sb.st_size == file->end && same_file(file->path, file->dev, file->ino))
            (void)write_seal(file, file->end, file->generation + 1);
        /* Released here even if a child process still holds a copy of the descriptor. */
        ofd_lock(file->fd, F_UNLCK, LOCK_WRITER, 0);
    }
    if (file->fd >= 0) close(file->fd);
    free(file);
}
