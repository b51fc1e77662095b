/*
 * search.h - 1:N identification: an in-memory gallery of enrolled fingers
 * and a scan that ranks them against a probe.
 *
 * Two libraries implement this header:
 *  - fpsearch_core: the gallery and the single-threaded scan
 *    (fp_gallery_*, fp_identify). libc + fpcore only, for firmware.
 *  - fpsearch: adds the thread pool (fp_identify_pool_*), pthreads and,
 *    when available, hwloc.
 *
 * The 1:N decision rule
 *  fp_compare's score s means a false match rate of 10^(-s/10) for one
 *  comparison. An unenrolled finger compared with N enrolled fingers gets N
 *  chances to be falsely accepted, so with a per-comparison threshold t the
 *  false positive identification rate (FPIR) is about N * 10^(-t/10). To
 *  keep FPIR about 10^(-T/10) for a requested 1:N threshold T whatever the
 *  gallery size, the best candidate is accepted only when
 *
 *      score >= T + 10 * log10(N)      (N = templates in the gallery)
 *
 *  For example T = 35 (FPIR 0.032 %) needs a score of 65 against 1,000
 *  fingers and 85 against 100,000. The rule is only as good as the
 *  calibration of fp_compare in the far tail: see docs/search.md for what
 *  was measured.
 *
 * Conventions follow fp.h: opaque objects, destroy functions accept NULL,
 * errors as values, nothing prints.
 */
#ifndef FP_SEARCH_H
#define FP_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Finger indices 0..9 (ISO/IEC 19794-2 positions minus one are a natural
 * choice, but the gallery gives them no meaning). */
#define FP_GALLERY_MAX_FINGER 9

/* One identity in the gallery: a user and one of their fingers. */
typedef struct fp_gallery_id {
    uint32_t user;
    uint8_t finger; /* 0..FP_GALLERY_MAX_FINGER */
} fp_gallery_id;

/* One ranked result of an identification. */
typedef struct fp_identify_candidate {
    fp_gallery_id id;
    float score; /* fp_compare's calibrated score */
} fp_identify_candidate;

/* The decision of an identification. */
typedef struct fp_identify_decision {
    int accepted;            /* 1: candidates[0] is the identified finger */
    float applied_threshold; /* T + 10 log10(N); 0 for an empty gallery */
    size_t compared;         /* templates compared (N) */
} fp_identify_decision;

/* ------------------------------------------------------------------------ */
/* Gallery                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct fp_gallery fp_gallery;

/*
 * Creates an empty gallery with room for capacity templates (0 picks a
 * small default); it grows by doubling when full. Caller frees with
 * fp_gallery_destroy. Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY.
 */
fp_status fp_gallery_create(size_t capacity, fp_gallery **out);
/* Frees the gallery and every template it holds. Accepts NULL. */
void fp_gallery_destroy(fp_gallery *gallery);

/*
 * Enrols a copy of tmpl (the caller keeps ownership of tmpl) under id.
 * A user may hold up to ten fingers, one template each.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL, finger > 9, or id already
 * enrolled: use fp_gallery_replace), FP_ERR_CAPACITY (2^31 templates),
 * FP_ERR_NO_MEMORY (the gallery is unchanged).
 */
fp_status fp_gallery_add(fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl);
/*
 * Replaces the template enrolled under id with a copy of tmpl.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NOT_FOUND, FP_ERR_NO_MEMORY (the
 * old template is kept).
 */
fp_status fp_gallery_replace(fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl);
/* Removes one finger. Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NOT_FOUND. */
fp_status fp_gallery_remove(fp_gallery *gallery, fp_gallery_id id);
/* Removes every finger of user; *removed (optional) gets how many. Never
 * fails on a user with no fingers (removed = 0). */
fp_status fp_gallery_remove_user(fp_gallery *gallery, uint32_t user, size_t *removed);

/* Number of templates enrolled (N of the decision rule). 0 for NULL. */
size_t fp_gallery_count(const fp_gallery *gallery);
/* The template enrolled under id (borrowed, valid until that id is
 * replaced or removed or the gallery destroyed), or NULL. */
const fp_template *fp_gallery_find(const fp_gallery *gallery, fp_gallery_id id);
/*
 * The i-th enrolled finger (i < fp_gallery_count), for walking a gallery:
 * *id gets its id and *tmpl (optional) its template, borrowed as with
 * fp_gallery_find. The order is unspecified and changes when the gallery
 * changes. Errors: FP_ERR_INVALID_ARGUMENT (NULL, i out of range).
 */
fp_status fp_gallery_entry(const fp_gallery *gallery, size_t i, fp_gallery_id *id, const fp_template **tmpl);

/*
 * Which of shards galleries holds id when a gallery is split over several
 * (the MPI search, fp/search_mpi.h): a hash of (user, finger) modulo
 * shards, so fingers spread evenly whatever the numbering. 0 when shards
 * is 0.
 */
uint32_t fp_gallery_shard_of(fp_gallery_id id, uint32_t shards);

/*
 * Bytes the gallery holds: its arrays (at their current capacity), the id
 * index and every template's fields. Allocator overhead is not counted, so
 * a process measures somewhat more. Divide by fp_gallery_count for the
 * bytes per enrolled finger.
 */
size_t fp_gallery_bytes(const fp_gallery *gallery);

/* ------------------------------------------------------------------------ */
/* Identification                                                           */
/* ------------------------------------------------------------------------ */

/*
 * The per-comparison score the best candidate must reach: threshold +
 * 10 log10(n), or threshold itself when n <= 1.
 */
float fp_identify_threshold(float threshold, size_t n);

/*
 * Compares probe with every template of gallery on ctx (one thread) and
 * writes the k best candidates into candidates (caller-allocated, k >= 1
 * entries), sorted by score descending then by (user, finger) ascending;
 * *n gets min(k, N). decision->accepted is 1 when candidates[0].score >=
 * fp_identify_threshold(threshold, N). threshold is the 1:N threshold T
 * (FPIR about 10^(-T/10)). The result depends only on the gallery's
 * contents, not on the order of enrolment. Allocates nothing.
 * Not thread safe for one ctx; the gallery may be read by several
 * identifications at once as long as nobody modifies it.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL, k == 0).
 */
fp_status fp_identify(fp_context *ctx, const fp_gallery *gallery, const fp_template *probe, float threshold,
                      size_t k, fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision);

/* ------------------------------------------------------------------------ */
/* Two-stage identification                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Stage 1 ranks every enrolled finger by its pre-screening codes (one
 * 128-bit binary local code per minutia of the probe against 16 codes kept
 * per enrolled finger, 256 bytes, compared with popcounts; docs/search.md)
 * and keeps a shortlist of the best; stage 2 ranks the shortlist with
 * fp_compare. The decision rule is
 * unchanged: N is the whole gallery, because every enrolled finger had its
 * chance to be shortlisted.
 */

/* Scratch memory of a two-stage query (8 bytes per enrolled finger plus the
 * shortlist), reused across queries so they do not allocate once it has
 * grown to the gallery's size. One query at a time per scratch. */
typedef struct fp_identify_scratch fp_identify_scratch;
fp_status fp_identify_scratch_create(fp_identify_scratch **out);
void fp_identify_scratch_destroy(fp_identify_scratch *scratch);

/* The default shortlist for a gallery of n fingers: 0.5 % of n, at least 500
 * (all of n when n is smaller). */
size_t fp_identify_shortlist_default(size_t n);

/*
 * Two-stage fp_identify: shortlist is how many fingers stage 1 keeps (0
 * selects fp_identify_shortlist_default; a shortlist >= N is the exhaustive
 * scan). Candidates, order and decision as fp_identify, computed over the
 * shortlist. Allocates only when scratch must grow. Errors: as fp_identify,
 * FP_ERR_NO_MEMORY.
 */
fp_status fp_identify_two_stage(fp_context *ctx, const fp_gallery *gallery, const fp_template *probe,
                                float threshold, size_t shortlist, fp_identify_scratch *scratch, size_t k,
                                fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision);

/* ------------------------------------------------------------------------ */
/* Gallery file (library fpsearch)                                          */
/* ------------------------------------------------------------------------ */

/*
 * A gallery kept in one file: a header, then an append-only log of
 * records ("put id template" or "remove id"), each with its own checksums
 * and sequence number, holding the template in the engine's prepared form
 * together with its pre-screening code, 8-byte aligned, so that loading
 * points the gallery at the records instead of parsing and preparing them.
 * Every change is appended and flushed (fdatasync) before the call
 * returns, and only then applied to the gallery in memory: a change is
 * acknowledged when the call returns FP_OK. Little-endian hosts with
 * Linux's open file description locks only (FP_ERR_UNSUPPORTED elsewhere).
 * Format, concurrency and recovery rules: docs/search.md "Gallery file".
 *
 * Writers and readers. One handle at a time may write a file: a writing
 * handle holds an exclusive lock on it (an open file description lock,
 * released when the handle is closed or its process ends). Another writer
 * gets FP_ERR_LOCKED at once, or after waiting lock_timeout_ms. Read-only
 * handles (FP_GALLERY_FILE_READ_ONLY) take no lock and never change the
 * file; they work on files without write permission. Compaction replaces
 * the file by rename while holding the lock on both the old and the new
 * file, so a writer waiting for the lock opens the new file. A writing
 * handle checks before and after every append that its path still names
 * its file (FP_ERR_FILE_REPLACED otherwise: a restore or another tool
 * replaced it, and the change is not acknowledged).
 *
 * Crashes and damage. An interrupted append can only leave, after the
 * acknowledged records, a prefix of one record followed by zeros (a "torn
 * append"): a writing open cuts it off, a read-only open ignores it, both
 * report it in info.torn_bytes. Everything else is damage:
 * FP_ERR_FILE_CORRUPT with info.damage and info.damage_offset, the file
 * left untouched. A writer's clean close records the file's end in the
 * header ("seal"), so that a file cut after a clean close, even inside its
 * last record, is damage too.
 *
 * Memory. By default the open copies the file into private memory (read
 * with pread), so nothing done to the file afterwards (truncation by
 * another program included) can affect the gallery. FP_GALLERY_FILE_MAP
 * maps the file instead (no copy, pages shared with the page cache and
 * other processes): faster to open and lighter, but a process whose mapped
 * file is shrunk by another program dies of SIGBUS when it touches the
 * lost pages. This library never shrinks a file below what a reader has
 * loaded; read-only mapped handles hold a shared lock that makes its
 * writers overwrite a torn append with zeros instead of cutting it.
 *
 * A handle is used by one thread at a time; galleries follow the gallery
 * rules above (read concurrently, never while a put or remove changes it).
 */
typedef struct fp_gallery_file fp_gallery_file;

/* What is wrong with a damaged gallery file (fp_gallery_file_info.damage). */
typedef enum fp_gallery_damage {
    FP_GALLERY_DAMAGE_NONE = 0,
    FP_GALLERY_DAMAGE_HEADER = 1,   /* the file header's checksum or size */
    FP_GALLERY_DAMAGE_RECORD = 2,   /* a complete record whose checksum or fields are wrong */
    FP_GALLERY_DAMAGE_SEQUENCE = 3, /* a record out of sequence: one missing, repeated or moved */
    FP_GALLERY_DAMAGE_GARBAGE = 4,  /* bytes that are neither a record of this file nor a torn append */
    FP_GALLERY_DAMAGE_CUT = 5       /* the file ends before the end its writer recorded at close */
} fp_gallery_damage;

/* What fp_gallery_file_open found. */
typedef struct fp_gallery_file_info {
    size_t records;        /* valid records replayed */
    size_t torn_bytes;     /* bytes of a torn append after them (cut off by a writing open) */
    uint64_t file_bytes;   /* bytes of valid data (the file's size after a writing open) */
    /* FP_ERR_FILE_CORRUPT: what is wrong, and the offset of the first byte
     * concerned (a record's start; 0 for the header). */
    fp_gallery_damage damage;
    uint64_t damage_offset;
    int closed_cleanly;    /* the last writer closed the file (its seal was checked) */
} fp_gallery_file_info;

/* fp_gallery_file_options.flags */
typedef enum fp_gallery_file_flag {
    /* Open for searching only: no lock, the file is never changed (a torn
     * append is left in place), write permission is not needed; put,
     * remove and compact give FP_ERR_READ_ONLY. Implies NO_CREATE. */
    FP_GALLERY_FILE_READ_ONLY = 1,
    /* Map the file instead of copying it (see "Memory" above). */
    FP_GALLERY_FILE_MAP = 2,
    /* A missing file is FP_ERR_NOT_FOUND instead of being created. */
    FP_GALLERY_FILE_NO_CREATE = 4
} fp_gallery_file_flag;

typedef struct fp_gallery_file_options {
    uint32_t flags;           /* fp_gallery_file_flag values, or-ed */
    /* A writer finding the file locked by another writer waits up to this
     * many milliseconds for it (0: FP_ERR_LOCKED at once). */
    uint32_t lock_timeout_ms;
} fp_gallery_file_options;

/* Fills *options with the defaults: write, copy, create, do not wait. */
void fp_gallery_file_options_init(fp_gallery_file_options *options);

/*
 * Opens path (creating an empty gallery file, mode 0600, when it does not
 * exist and the options allow it), checks it, replays it into a new
 * gallery *gallery and returns the handle. A symbolic link is followed
 * once, at open: the handle works on the file it names. The gallery's
 * templates point into the copy or mapping, which lives until
 * fp_gallery_destroy(*gallery); close the file first or last, either order
 * works. options and info may be NULL (info is filled on
 * FP_ERR_FILE_CORRUPT too). Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_IO,
 * FP_ERR_NOT_FOUND, FP_ERR_LOCKED (another handle writes the file),
 * FP_ERR_READ_ONLY (no write permission: open it read-only),
 * FP_ERR_FILE_FORMAT (not a gallery file, or another version: versions 1
 * and 2 are refused, rebuild them from the templates), FP_ERR_FILE_CORRUPT,
 * FP_ERR_NO_MEMORY, FP_ERR_UNSUPPORTED.
 */
fp_status fp_gallery_file_open_with(const char *path, const fp_gallery_file_options *options,
                                    fp_gallery_file **file, fp_gallery **gallery, fp_gallery_file_info *info);
/* fp_gallery_file_open_with with the default options (a writer). */
fp_status fp_gallery_file_open(const char *path, fp_gallery_file **file, fp_gallery **gallery,
                               fp_gallery_file_info *info);
/*
 * Adds or replaces id durably, then in gallery. Errors:
 * FP_ERR_INVALID_ARGUMENT, FP_ERR_READ_ONLY, FP_ERR_LOCKED (the handle was
 * inherited from another process by fork: only the process that opened it
 * writes), FP_ERR_FILE_REPLACED (path no longer names the file this handle
 * writes; nothing acknowledged), FP_ERR_FILE_CORRUPT (another program
 * shrank the file under this handle), FP_ERR_IO (nothing changed, the
 * record is cut back), FP_ERR_NO_MEMORY.
 */
fp_status fp_gallery_file_put(fp_gallery_file *file, fp_gallery *gallery, fp_gallery_id id, const fp_template *tmpl);
/* Removes id durably, then from gallery. Errors: as put, FP_ERR_NOT_FOUND. */
fp_status fp_gallery_file_remove(fp_gallery_file *file, fp_gallery *gallery, fp_gallery_id id);
/*
 * Rewrites the file with one record per finger of gallery (dropping
 * replaced and removed entries): written to a new file of a unique name
 * beside it ("<path>.tmp-XXXXXX", created exclusively, never through a
 * symbolic link), locked, flushed, renamed over path and the directory
 * flushed, so a crash leaves either the old or the new file (a writing
 * open after a crash removes such leftovers). The handle then writes the
 * new file. Errors: as put, FP_ERR_NO_MEMORY.
 */
fp_status fp_gallery_file_compact(fp_gallery_file *file, const fp_gallery *gallery);
/*
 * Whether path still holds what this handle loaded: *stale = 1 when path
 * names another file now (replaced by a compaction or a restore) or none,
 * or when the file's size changed (a writer appended); 0 otherwise. A
 * reader polls this and opens the file again when it is stale. Errors:
 * FP_ERR_INVALID_ARGUMENT, FP_ERR_IO.
 */
fp_status fp_gallery_file_stale(const fp_gallery_file *file, int *stale);
/* Closes the file (the gallery stays usable). A writer records the file's
 * end in its header (the seal) and releases the lock. Accepts NULL. */
void fp_gallery_file_close(fp_gallery_file *file);

/* ------------------------------------------------------------------------ */
/* Thread pool (library fpsearch)                                           */
/* ------------------------------------------------------------------------ */

typedef struct fp_identify_pool fp_identify_pool;

typedef struct fp_identify_pool_config {
    /* Worker threads; 0 = one per physical core (hwloc) or per online CPU. */
    uint32_t threads;
    /* Largest k fp_identify_parallel will accept; 0 selects 100. */
    uint32_t max_k;
    /* Non-zero pins thread i to physical core i and its memory to that
     * core's NUMA node (hwloc builds only). */
    int pin;
    /* NULL: this machine. Otherwise an hwloc synthetic topology description
     * (for example "pack:2 numa:1 core:4 pu:1") used to group the workers
     * by node without binding anything: for tests and planning. Without
     * hwloc: FP_ERR_UNSUPPORTED. */
    const char *topology;
    /* Configuration of each worker's context; see fp_context_create. */
    fp_config context;
} fp_identify_pool_config;

/* Fills *config with the defaults (all cores, max_k 100, pinned). */
void fp_identify_pool_config_init(fp_identify_pool_config *config);

/*
 * Starts the workers, each with its own fp_context and its own top-k
 * buffer, so queries allocate nothing. config may be NULL for defaults.
 * Caller frees with fp_identify_pool_destroy (joins the threads).
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY, FP_ERR_UNSUPPORTED
 * (thread creation or a context's SIMD level failed).
 */
fp_status fp_identify_pool_create(const fp_identify_pool_config *config, fp_identify_pool **out);
void fp_identify_pool_destroy(fp_identify_pool *pool);
/* Number of worker threads. */
uint32_t fp_identify_pool_threads(const fp_identify_pool *pool);
/* Number of workers actually pinned to a core (0 without hwloc). */
uint32_t fp_identify_pool_pinned(const fp_identify_pool *pool);
/* Number of those whose memory is also bound to their core's NUMA node. */
uint32_t fp_identify_pool_membound(const fp_identify_pool *pool);
/* Number of NUMA groups the workers form (1 on a one-node machine): each
 * group scans its own contiguous part of the gallery first. */
uint32_t fp_identify_pool_nodes(const fp_identify_pool *pool);

/*
 * fp_identify on the pool: the workers take contiguous chunks of the
 * gallery in turn, each keeps its own top-k, and the lists are merged. The
 * output is identical to fp_identify's (same candidates, scores, order and
 * decision). Allocates nothing. One query at a time per pool (calls on one
 * pool must not overlap); the gallery must not change during the call.
 * Errors: those of fp_identify, and FP_ERR_INVALID_ARGUMENT when k > max_k.
 */
fp_status fp_identify_parallel(fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe,
                               float threshold, size_t k, fp_identify_candidate *candidates, size_t *n,
                               fp_identify_decision *decision);

/*
 * fp_identify_two_stage on the pool: both stages are split between the
 * workers; the output is identical to fp_identify_two_stage's with the same
 * shortlist. The pool keeps its own scratch (it grows with the gallery).
 */
fp_status fp_identify_parallel_two_stage(fp_identify_pool *pool, const fp_gallery *gallery, const fp_template *probe,
                                         float threshold, size_t shortlist, size_t k,
                                         fp_identify_candidate *candidates, size_t *n, fp_identify_decision *decision);

#ifdef __cplusplus
}
#endif

#endif /* FP_SEARCH_H */
