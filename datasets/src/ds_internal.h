/* Internal declarations shared by the dataset loaders (fpi_ds_ prefix). */
#ifndef FP_DS_INTERNAL_H
#define FP_DS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fp/dataset.h"

#define FPI_DS_DETAIL_CAP 1024

#define FPI_DS_TRY(expr)            \
    do {                            \
        st = (expr);                \
        if (st != FP_OK) goto done; \
    } while (0)

#if defined(__GNUC__) || defined(__clang__)
#define FPI_DS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FPI_DS_PRINTF(f, a)
#endif

/* A sample while the set is being listed: its path lives in the arena until finalize. */
typedef struct fpi_ds_entry {
    size_t path_off; /* full path: base + "/" + relative */
    size_t rel_off;  /* relative part inside the full path, for messages */
    fp_sample s;     /* s.path is set by finalize */
    uint32_t line;   /* manifest line, 0 for folder layouts */
} fpi_ds_entry;

struct fp_dataset {
    char *path;       /* as given to fp_dataset_open */
    char *base;       /* folder relative paths are joined to ("" = none) */
    char *label;      /* prefix of messages: the folder's or the manifest's name */
    char *name;       /* fp_dataset_name */
    fp_dataset_layout layout;
    uint32_t default_dpi;

    fpi_ds_entry *entries; /* building only */
    size_t n_entries;
    size_t cap_entries;
    char *arena; /* every sample path, NUL separated */
    size_t arena_len;
    size_t arena_cap;

    fp_sample *samples;
    size_t count;
    size_t *group_start; /* n_fingers + 1 entries: first sample of each finger, then count */
    size_t n_fingers;
    size_t *singles; /* sample index of each finger with one sample */
    size_t n_singles;

    char detail[FPI_DS_DETAIL_CAP];
};

/* A sorted folder listing (hidden entries, "." and ".." left out). */
typedef struct fpi_ds_dirent {
    char *name;
    int is_dir; /* after following symbolic links */
} fpi_ds_dirent;

typedef struct fpi_ds_dir {
    fpi_ds_dirent *items;
    size_t count;
} fpi_ds_dir;

/* A short English text for an errno value (thread safe, unlike strerror). */
const char *fpi_ds_errno_text(int err);
/* Records a failure message on ds and returns status. */
fp_status fpi_ds_fail(fp_dataset *ds, fp_status status, const char *fmt, ...) FPI_DS_PRINTF(3, 4);

/*
 * Lists folder dir (a path usable by opendir). shown is how messages name
 * it. Sorted by name (strcmp) for determinism. Free with fpi_ds_dir_free.
 */
fp_status fpi_ds_list_dir(fp_dataset *ds, const char *dir, const char *shown, fpi_ds_dir *out);
void fpi_ds_dir_free(fpi_ds_dir *dir);
/* Joins a and b with one '/' (either may be empty). Caller frees; NULL when out of memory. */
char *fpi_ds_join(const char *a, const char *b);

/* Non-zero when name's extension (after the last dot) is one of exts (NULL terminated, any case). */
int fpi_ds_has_ext(const char *name, const char *const *exts);
/* Length of name without its extension (the whole name when there is no dot). */
size_t fpi_ds_stem_len(const char *name);
/* Parses len decimal digits (1..10 of them) into *out; 0 on failure or overflow. */
int fpi_ds_parse_u32(const char *s, size_t len, uint32_t *out);
/* Reads dpi.txt in folder dir when the listing has one; leaves *dpi alone otherwise. */
fp_status fpi_ds_read_dpi_file(fp_dataset *ds, const char *dir, const fpi_ds_dir *list, uint32_t *dpi);

/*
 * Adds a sample whose path is rel joined to ds->base (rel unchanged when it
 * is absolute or base is empty). Errors: FP_ERR_NO_MEMORY, FP_ERR_CAPACITY.
 */
fp_status fpi_ds_add(fp_dataset *ds, const char *rel, const fp_sample *s, uint32_t line);

/*
 * Sorts the entries, refuses duplicate identities, builds the sample array,
 * the finger groups and the single-impression list.
 */
fp_status fpi_ds_finalize(fp_dataset *ds);

/* The message form of sample i's path: "<label>/<relative path>" (or "<label>:<line>"). */
void fpi_ds_describe(const fp_dataset *ds, size_t i, char *buf, size_t cap);

/* Layout loaders: fill ds (base, label, name and path already set). */
extern const char *const fpi_ds_fvc_exts[];
extern const char *const fpi_ds_nist_exts[];
fp_status fpi_ds_load_fvc(fp_dataset *ds, int detecting);
fp_status fpi_ds_load_nist(fp_dataset *ds);
fp_status fpi_ds_load_socofing(fp_dataset *ds);
/* Loads the manifest at csv_path; ds->base must be its folder. */
fp_status fpi_ds_load_manifest(fp_dataset *ds, const char *csv_path);
/* Parses manifest text held in memory (len bytes, need not be NUL terminated). */
fp_status fpi_ds_parse_manifest(fp_dataset *ds, const char *text, size_t len);

/* Pattern tests used by the loaders and by layout detection. */
int fpi_ds_fvc_name(const char *name, uint32_t *finger, uint32_t *impression);
int fpi_ds_nist_name(const char *name, uint32_t *subject, uint32_t *finger, uint32_t *impression);

#endif
