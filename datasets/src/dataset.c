/* Dataset handle: opening, layout detection, sample list building, queries. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ds_internal.h"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

fp_status fpi_ds_fail(fp_dataset *ds, fp_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ds->detail, sizeof ds->detail, fmt, ap);
    va_end(ap);
    return status;
}

/* strerror is not thread safe and strerror_r has two incompatible forms, so
 * the few causes worth telling apart are named here. */
const char *fpi_ds_errno_text(int err)
{
    switch (err) {
    case ENOENT:
        return "no such file or folder";
    case EACCES:
        return "permission denied";
    case ENOTDIR:
        return "not a folder";
    case EISDIR:
        return "is a folder";
    case ELOOP:
        return "too many symbolic links";
    case ENAMETOOLONG:
        return "name too long";
    case EMFILE:
    case ENFILE:
        return "too many open files";
    case ENOMEM:
        return "out of memory";
    default:
        return "input/output error";
    }
}

char *fpi_ds_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && lb > 0 && a[la - 1] != '/';
    char *out = malloc(la + (size_t)slash + lb + 1);
    if (!out) return NULL;
    memcpy(out, a, la);
    if (slash) out[la] = '/';
    memcpy(out + la + (size_t)slash, b, lb + 1);
    return out;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *out = malloc(n);
    if (out) memcpy(out, s, n);
    return out;
}

static char *dup_range(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out) return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

int fpi_ds_has_ext(const char *name, const char *const *exts)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (size_t i = 0; exts[i]; i++) {
        if (strcasecmp(dot + 1, exts[i]) == 0) return 1;
    }
    return 0;
}

size_t fpi_ds_stem_len(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? (size_t)(dot - name) : strlen(name);
}

int fpi_ds_parse_u32(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 10) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX) return 0;
    *out = (uint32_t)v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Folder listing                                                           */
/* ------------------------------------------------------------------------ */

void fpi_ds_dir_free(fpi_ds_dir *dir)
{
    if (!dir) return;
    for (size_t i = 0; i < dir->count; i++) free(dir->items[i].name);
    free(dir->items);
    dir->items = NULL;
    dir->count = 0;
}

static int dirent_cmp(const void *pa, const void *pb)
{
    const fpi_ds_dirent *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

fp_status fpi_ds_list_dir(fp_dataset *ds, const char *dir, const char *shown, fpi_ds_dir *out)
{
    fp_status st = FP_OK;
    size_t cap = 0;
    char *full = NULL;
    out->items = NULL;
    out->count = 0;

    DIR *d = opendir(dir);
    if (!d) return fpi_ds_fail(ds, FP_ERR_IO, "cannot open folder %s: %s", shown, fpi_ds_errno_text(errno));
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno != 0) FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_IO, "cannot read folder %s: %s", shown, fpi_ds_errno_text(errno)));
            break;
        }
        /* Hidden files (.DS_Store, ._* resource forks, editor files) are never samples. */
        if (e->d_name[0] == '.') continue;
        if (out->count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            fpi_ds_dirent *ni = realloc(out->items, ncap * sizeof *ni);
            if (!ni) FPI_DS_TRY(FP_ERR_NO_MEMORY);
            out->items = ni;
            cap = ncap;
        }
        fpi_ds_dirent *it = &out->items[out->count];
        it->name = dup_string(e->d_name);
        if (!it->name) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        out->count++;
        free(full);
        full = fpi_ds_join(dir, e->d_name);
        if (!full) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        struct stat sb;
        /* A dangling link or a vanished file is listed as a plain file; the
         * image reader will report it when it is opened. */
        it->is_dir = stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
    }
    if (out->count > 1) qsort(out->items, out->count, sizeof *out->items, dirent_cmp);

done:
    free(full);
    closedir(d);
    if (st != FP_OK) fpi_ds_dir_free(out);
    return st;
}

fp_status fpi_ds_read_dpi_file(fp_dataset *ds, const char *dir, const fpi_ds_dir *list, uint32_t *dpi)
{
    int found = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (!list->items[i].is_dir && strcmp(list->items[i].name, "dpi.txt") == 0) found = 1;
    }
    if (!found) return FP_OK;

    char *path = fpi_ds_join(dir, "dpi.txt");
    if (!path) return FP_ERR_NO_MEMORY;
    FILE *f = fopen(path, "rb");
    free(path);
    if (!f) return fpi_ds_fail(ds, FP_ERR_IO, "%s/dpi.txt: %s", ds->label, fpi_ds_errno_text(errno));
    char buf[64];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    int err = ferror(f);
    fclose(f);
    if (err) return fpi_ds_fail(ds, FP_ERR_IO, "%s/dpi.txt: read error", ds->label);
    buf[n] = '\0';

    size_t a = 0, b = n;
    while (a < b && isspace((unsigned char)buf[a])) a++;
    while (b > a && isspace((unsigned char)buf[b - 1])) b--;
    uint32_t v = 0;
    if (n == sizeof buf - 1 || !fpi_ds_parse_u32(buf + a, b - a, &v) || v < 100 || v > 10000) {
        return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                           "%s/dpi.txt: expected one integer between 100 and 10000 (dots per inch)", ds->label);
    }
    *dpi = v;
    return FP_OK;
}

/* ------------------------------------------------------------------------ */
/* Building the sample list                                                 */
/* ------------------------------------------------------------------------ */

static fp_status arena_put(fp_dataset *ds, const char *s, size_t n, size_t *off)
{
    if (n > SIZE_MAX / 2 - ds->arena_len) return FP_ERR_NO_MEMORY;
    if (ds->arena_len + n > ds->arena_cap) {
        size_t ncap = ds->arena_cap ? ds->arena_cap : 4096;
        while (ncap < ds->arena_len + n) ncap *= 2;
        char *na = realloc(ds->arena, ncap);
        if (!na) return FP_ERR_NO_MEMORY;
        ds->arena = na;
        ds->arena_cap = ncap;
    }
    *off = ds->arena_len;
    memcpy(ds->arena + ds->arena_len, s, n);
    ds->arena_len += n;
    return FP_OK;
}

fp_status fpi_ds_add(fp_dataset *ds, const char *rel, const fp_sample *s, uint32_t line)
{
    /* Pair lists hold uint32_t indices. */
    if (ds->n_entries >= UINT32_MAX) return fpi_ds_fail(ds, FP_ERR_CAPACITY, "more than %u samples", UINT32_MAX);
    if (ds->n_entries == ds->cap_entries) {
        size_t ncap = ds->cap_entries ? ds->cap_entries * 2 : 128;
        if (ncap > SIZE_MAX / sizeof *ds->entries) return FP_ERR_NO_MEMORY;
        fpi_ds_entry *ne = realloc(ds->entries, ncap * sizeof *ne);
        if (!ne) return FP_ERR_NO_MEMORY;
        ds->entries = ne;
        ds->cap_entries = ncap;
    }
    fpi_ds_entry *e = &ds->entries[ds->n_entries];
    size_t lb = strlen(ds->base), lr = strlen(rel);
    fp_status st;
    if (rel[0] == '/' || lb == 0) {
        st = arena_put(ds, rel, lr + 1, &e->path_off);
        e->rel_off = 0;
    } else {
        int slash = ds->base[lb - 1] != '/';
        st = arena_put(ds, ds->base, lb, &e->path_off);
        if (st == FP_OK && slash) {
            size_t unused;
            st = arena_put(ds, "/", 1, &unused);
        }
        if (st == FP_OK) {
            size_t unused;
            st = arena_put(ds, rel, lr + 1, &unused);
        }
        e->rel_off = lb + (size_t)slash;
    }
    if (st != FP_OK) return st;
    e->s = *s;
    e->s.path = NULL;
    e->line = line;
    ds->n_entries++;
    return FP_OK;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const fpi_ds_entry *a = pa, *b = pb;
    if (a->s.subject != b->s.subject) return a->s.subject < b->s.subject ? -1 : 1;
    if (a->s.finger != b->s.finger) return a->s.finger < b->s.finger ? -1 : 1;
    if (a->s.impression != b->s.impression) return a->s.impression < b->s.impression ? -1 : 1;
    /* Equal identities are refused afterwards; the order still must not
     * depend on qsort's whims so the message names the same pair each run. */
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->path_off < b->path_off ? -1 : a->path_off > b->path_off;
}

void fpi_ds_describe(const fp_dataset *ds, size_t i, char *buf, size_t cap)
{
    const fpi_ds_entry *e = &ds->entries[i];
    if (e->line > 0)
        snprintf(buf, cap, "%s:%u", ds->label, e->line);
    else
        snprintf(buf, cap, "%s/%s", ds->label, ds->arena + e->path_off + e->rel_off);
}

fp_status fpi_ds_finalize(fp_dataset *ds)
{
    size_t n = ds->n_entries;
    if (n > 1) qsort(ds->entries, n, sizeof *ds->entries, entry_cmp);
    for (size_t i = 1; i < n; i++) {
        const fp_sample *a = &ds->entries[i - 1].s, *b = &ds->entries[i].s;
        if (a->subject == b->subject && a->finger == b->finger && a->impression == b->impression) {
            char da[FPI_DS_DETAIL_CAP / 2], db[FPI_DS_DETAIL_CAP / 2];
            fpi_ds_describe(ds, i - 1, da, sizeof da);
            fpi_ds_describe(ds, i, db, sizeof db);
            return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                               "%s and %s are the same sample (subject %u, finger %u, impression %u)", da, db,
                               a->subject, a->finger, a->impression);
        }
    }

    ds->samples = malloc((n ? n : 1) * sizeof *ds->samples);
    if (!ds->samples) return FP_ERR_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        ds->samples[i] = ds->entries[i].s;
        ds->samples[i].path = ds->arena + ds->entries[i].path_off;
    }
    ds->count = n;

    size_t groups = 0, singles = 0;
    for (size_t i = 0; i < n; i++) {
        int starts = i == 0 || ds->samples[i].subject != ds->samples[i - 1].subject ||
                     ds->samples[i].finger != ds->samples[i - 1].finger;
        groups += (size_t)starts;
    }
    ds->group_start = malloc((groups + 1) * sizeof *ds->group_start);
    if (!ds->group_start) return FP_ERR_NO_MEMORY;
    size_t g = 0;
    for (size_t i = 0; i < n; i++) {
        int starts = i == 0 || ds->samples[i].subject != ds->samples[i - 1].subject ||
                     ds->samples[i].finger != ds->samples[i - 1].finger;
        if (starts) ds->group_start[g++] = i;
    }
    ds->group_start[groups] = n;
    ds->n_fingers = groups;
    for (g = 0; g < groups; g++) singles += ds->group_start[g + 1] - ds->group_start[g] == 1;
    if (singles > 0) {
        ds->singles = malloc(singles * sizeof *ds->singles);
        if (!ds->singles) return FP_ERR_NO_MEMORY;
        for (g = 0; g < groups; g++) {
            if (ds->group_start[g + 1] - ds->group_start[g] == 1) ds->singles[ds->n_singles++] = ds->group_start[g];
        }
    }
    return FP_OK;
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* Start and length of the last path component of p (trailing slashes ignored). */
static void last_component(const char *p, size_t end, size_t *start, size_t *len)
{
    while (end > 1 && p[end - 1] == '/') end--;
    size_t s = end;
    while (s > 0 && p[s - 1] != '/') s--;
    *start = s;
    *len = end - s;
}

static int is_subdatabase_name(const char *s, size_t len)
{
    return len >= 3 && (s[0] == 'D' || s[0] == 'd') && (s[1] == 'B' || s[1] == 'b') && isdigit((unsigned char)s[2]);
}

/* "DB1_B", or "FVC2002/DB1_B" when the folder is a sub-database. */
static char *folder_name(const char *resolved)
{
    size_t s, len;
    last_component(resolved, strlen(resolved), &s, &len);
    if (len == 0) return dup_string(resolved);
    if (is_subdatabase_name(resolved + s, len) && s > 1) {
        size_t ps, plen;
        last_component(resolved, s - 1, &ps, &plen);
        if (plen > 0) return dup_range(resolved + ps, s + len - ps);
    }
    return dup_range(resolved + s, len);
}

static int component_is_fvc2002_db2(const char *resolved)
{
    int fvc2002 = 0, db2 = 0;
    const char *p = resolved;
    while (*p) {
        while (*p == '/') p++;
        const char *q = p;
        while (*q && *q != '/') q++;
        size_t len = (size_t)(q - p);
        if (len >= 7 && strncasecmp(p, "FVC2002", 7) == 0) fvc2002 = 1;
        if (len >= 3 && strncasecmp(p, "DB2", 3) == 0 && (len == 3 || p[3] == '_')) db2 = 1;
        p = q;
    }
    return fvc2002 && db2;
}

/* ------------------------------------------------------------------------ */
/* Detection                                                                */
/* ------------------------------------------------------------------------ */

static int has_dir(const fpi_ds_dir *list, const char *name)
{
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].is_dir && strcasecmp(list->items[i].name, name) == 0) return 1;
    }
    return 0;
}

static int is_figs_dir(const char *name)
{
    size_t n = strlen(name);
    uint32_t v;
    return n > 5 && strncmp(name, "figs_", 5) == 0 && fpi_ds_parse_u32(name + 5, n - 5, &v);
}

static fp_status detect_folder(fp_dataset *ds, fp_dataset_layout *layout, int *manifest_inside)
{
    fpi_ds_dir list;
    fp_status st = fpi_ds_list_dir(ds, ds->base, ds->path, &list);
    if (st != FP_OK) return st;
    size_t fvc = 0, nist = 0;
    int figs = 0, manifest = 0;
    for (size_t i = 0; i < list.count; i++) {
        const fpi_ds_dirent *e = &list.items[i];
        uint32_t a, b, c;
        if (e->is_dir) {
            figs |= is_figs_dir(e->name);
        } else if (strcmp(e->name, "manifest.csv") == 0) {
            manifest = 1;
        } else if (fpi_ds_has_ext(e->name, fpi_ds_fvc_exts) && fpi_ds_fvc_name(e->name, &a, &b)) {
            fvc++;
        } else if (fpi_ds_has_ext(e->name, fpi_ds_nist_exts) && fpi_ds_nist_name(e->name, &a, &b, &c)) {
            nist++;
        }
    }
    *manifest_inside = 0;
    if (has_dir(&list, "Real") || has_dir(&list, "Altered"))
        *layout = FP_LAYOUT_SOCOFING;
    else if (figs || (nist > 0 && nist >= fvc))
        *layout = FP_LAYOUT_NIST_PAIRS;
    else if (fvc > 0)
        *layout = FP_LAYOUT_FVC;
    else if (manifest) {
        *layout = FP_LAYOUT_MANIFEST;
        *manifest_inside = 1;
    } else
        *layout = FP_LAYOUT_AUTO; /* nothing recognised: the FVC loader explains */
    fpi_ds_dir_free(&list);
    return FP_OK;
}

static int ends_with_csv(const char *p)
{
    size_t n = strlen(p);
    return n > 4 && strcasecmp(p + n - 4, ".csv") == 0;
}

/* ------------------------------------------------------------------------ */
/* Open / destroy                                                           */
/* ------------------------------------------------------------------------ */

static void clear_samples(fp_dataset *ds)
{
    free(ds->samples);
    free(ds->group_start);
    free(ds->singles);
    free(ds->arena);
    ds->samples = NULL;
    ds->group_start = NULL;
    ds->singles = NULL;
    ds->arena = NULL;
    ds->count = ds->n_fingers = ds->n_singles = 0;
    ds->arena_len = ds->arena_cap = 0;
}

/* Sets base, label and name for a folder (dir) or a manifest (csv). */
static fp_status set_names(fp_dataset *ds, const char *target, int is_csv)
{
    char *resolved = realpath(target, NULL);
    const char *r = resolved ? resolved : target;
    fp_status st = FP_OK;
    free(ds->base);
    free(ds->label);
    free(ds->name);
    ds->base = ds->label = ds->name = NULL;
    if (is_csv) {
        size_t s, len;
        last_component(target, strlen(target), &s, &len);
        ds->base = dup_range(target, s > 1 ? s - 1 : s);
        ds->label = dup_range(target + s, len);
        last_component(r, strlen(r), &s, &len);
        if (len == 12 && strcasecmp(r + s, "manifest.csv") == 0 && s > 1) {
            /* "manifest" says nothing: name the set after its folder. */
            char *parent = dup_range(r, s - 1);
            ds->name = parent ? folder_name(parent) : NULL;
            free(parent);
        } else {
            ds->name = dup_range(r + s, len >= 4 && strcasecmp(r + s + len - 4, ".csv") == 0 ? len - 4 : len);
        }
    } else {
        size_t n = strlen(target);
        while (n > 1 && target[n - 1] == '/') n--;
        ds->base = dup_range(target, n);
        size_t s, len;
        last_component(r, strlen(r), &s, &len);
        ds->label = dup_range(r + s, len);
        ds->name = folder_name(r);
    }
    if (!ds->base || !ds->label || !ds->name) st = FP_ERR_NO_MEMORY;
    if (st == FP_OK && !is_csv) ds->default_dpi = component_is_fvc2002_db2(r) ? 569 : 500;
    free(resolved);
    return st;
}

fp_status fp_dataset_open(const char *path, fp_dataset_layout layout, fp_dataset **out)
{
    if (out) *out = NULL;
    if (!path || !out || !path[0] || (unsigned)layout > FP_LAYOUT_MANIFEST) return FP_ERR_INVALID_ARGUMENT;

    fp_status st = FP_OK;
    char *inside = NULL;
    fp_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return FP_ERR_NO_MEMORY;
    ds->layout = layout;
    ds->path = dup_string(path);
    if (!ds->path) FPI_DS_TRY(FP_ERR_NO_MEMORY);

    struct stat sb;
    if (stat(path, &sb) != 0) FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_IO, "cannot open %s: %s", path, fpi_ds_errno_text(errno)));
    int is_dir = S_ISDIR(sb.st_mode);

    if (!is_dir) {
        if (layout != FP_LAYOUT_AUTO && layout != FP_LAYOUT_MANIFEST)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_IO, "%s is not a folder (the %s layout is a folder of images)", path,
                                   fp_dataset_layout_name(layout)));
        if (layout == FP_LAYOUT_AUTO && !ends_with_csv(path))
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s is a file but not a .csv manifest; pass a folder or a manifest", path));
        ds->layout = FP_LAYOUT_MANIFEST;
        FPI_DS_TRY(set_names(ds, path, 1));
        FPI_DS_TRY(fpi_ds_load_manifest(ds, path));
    } else {
        FPI_DS_TRY(set_names(ds, path, 0));
        int manifest_inside = layout == FP_LAYOUT_MANIFEST;
        int detecting = layout == FP_LAYOUT_AUTO;
        if (detecting) FPI_DS_TRY(detect_folder(ds, &ds->layout, &manifest_inside));
        if (manifest_inside) {
            ds->layout = FP_LAYOUT_MANIFEST;
            inside = fpi_ds_join(ds->base, "manifest.csv");
            if (!inside) FPI_DS_TRY(FP_ERR_NO_MEMORY);
            FPI_DS_TRY(set_names(ds, inside, 1));
            FPI_DS_TRY(fpi_ds_load_manifest(ds, inside));
        } else if (ds->layout == FP_LAYOUT_SOCOFING) {
            FPI_DS_TRY(fpi_ds_load_socofing(ds));
        } else if (ds->layout == FP_LAYOUT_NIST_PAIRS) {
            FPI_DS_TRY(fpi_ds_load_nist(ds));
        } else {
            ds->layout = FP_LAYOUT_FVC;
            FPI_DS_TRY(fpi_ds_load_fvc(ds, detecting));
        }
    }

done:
    free(inside);
    free(ds->entries);
    ds->entries = NULL;
    ds->n_entries = ds->cap_entries = 0;
    if (st == FP_OK) {
        ds->detail[0] = '\0';
        *out = ds;
    } else if (st == FP_ERR_NO_MEMORY || st == FP_ERR_INVALID_ARGUMENT) {
        fp_dataset_destroy(ds);
    } else {
        clear_samples(ds);
        if (!ds->detail[0]) snprintf(ds->detail, sizeof ds->detail, "%s: %s", path, fp_status_message(st));
        *out = ds;
    }
    return st;
}

void fp_dataset_destroy(fp_dataset *ds)
{
    if (!ds) return;
    clear_samples(ds);
    free(ds->entries);
    free(ds->path);
    free(ds->base);
    free(ds->label);
    free(ds->name);
    free(ds);
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

size_t fp_dataset_count(const fp_dataset *ds)
{
    return ds ? ds->count : 0;
}

const fp_sample *fp_dataset_sample(const fp_dataset *ds, size_t i)
{
    return ds && i < ds->count ? &ds->samples[i] : NULL;
}

const char *fp_dataset_name(const fp_dataset *ds)
{
    return ds && ds->name ? ds->name : "";
}

const char *fp_dataset_path(const fp_dataset *ds)
{
    return ds && ds->path ? ds->path : "";
}

uint32_t fp_dataset_default_dpi(const fp_dataset *ds)
{
    return ds ? ds->default_dpi : 0;
}

fp_dataset_layout fp_dataset_layout_of(const fp_dataset *ds)
{
    return ds ? ds->layout : FP_LAYOUT_AUTO;
}

const char *fp_dataset_error_detail(const fp_dataset *ds)
{
    return ds ? ds->detail : "no dataset (invalid argument or out of memory)";
}

size_t fp_dataset_finger_count(const fp_dataset *ds)
{
    return ds ? ds->n_fingers : 0;
}

const size_t *fp_dataset_single_impression_samples(const fp_dataset *ds, size_t *count)
{
    if (!count) return NULL;
    *count = ds ? ds->n_singles : 0;
    return *count ? ds->singles : NULL;
}

static const char *const layout_names[] = {"auto", "fvc", "nist", "socofing", "manifest"};

const char *fp_dataset_layout_name(fp_dataset_layout layout)
{
    return (unsigned)layout <= FP_LAYOUT_MANIFEST ? layout_names[layout] : "?";
}

fp_status fp_dataset_layout_parse(const char *name, fp_dataset_layout *out)
{
    if (!name || !out) return FP_ERR_INVALID_ARGUMENT;
    for (unsigned i = 0; i <= FP_LAYOUT_MANIFEST; i++) {
        if (strcasecmp(name, layout_names[i]) == 0) {
            *out = (fp_dataset_layout)i;
            return FP_OK;
        }
    }
    return FP_ERR_INVALID_ARGUMENT;
}
