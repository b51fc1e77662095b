/* FVC layout: one folder of <finger>_<impression>.<ext>. */
#include <stdlib.h>
#include <string.h>

#include "ds_internal.h"

const char *const fpi_ds_fvc_exts[] = {"tif", "tiff", "bmp", "png", "pgm", NULL};

int fpi_ds_fvc_name(const char *name, uint32_t *finger, uint32_t *impression)
{
    size_t stem = fpi_ds_stem_len(name);
    const char *us = memchr(name, '_', stem);
    if (!us) return 0;
    size_t a = (size_t)(us - name);
    return fpi_ds_parse_u32(name, a, finger) && fpi_ds_parse_u32(us + 1, stem - a - 1, impression);
}

/* Called when the folder has no sample: name the subfolders that look like
 * sets, because the usual mistake is pointing at FVC2002/ instead of
 * FVC2002/DB1_B. */
static fp_status explain_empty(fp_dataset *ds, const fpi_ds_dir *list, int detecting)
{
    char sets[FPI_DS_DETAIL_CAP / 2];
    size_t n_sets = 0, used = 0;
    fp_status st = FP_OK;
    sets[0] = '\0';
    for (size_t i = 0; i < list->count && st == FP_OK; i++) {
        if (!list->items[i].is_dir) continue;
        char *sub = fpi_ds_join(ds->base, list->items[i].name);
        if (!sub) return FP_ERR_NO_MEMORY;
        fpi_ds_dir inner;
        /* An unreadable subfolder is just not a candidate. */
        char saved[FPI_DS_DETAIL_CAP];
        memcpy(saved, ds->detail, sizeof saved);
        fp_status lst = fpi_ds_list_dir(ds, sub, list->items[i].name, &inner);
        memcpy(ds->detail, saved, sizeof saved);
        free(sub);
        if (lst == FP_ERR_NO_MEMORY) return lst;
        if (lst != FP_OK) continue;
        int has = 0;
        for (size_t j = 0; j < inner.count && !has; j++) {
            uint32_t f, imp;
            has = !inner.items[j].is_dir && fpi_ds_has_ext(inner.items[j].name, fpi_ds_fvc_exts) &&
                  fpi_ds_fvc_name(inner.items[j].name, &f, &imp);
        }
        fpi_ds_dir_free(&inner);
        if (!has) continue;
        size_t len = strlen(list->items[i].name);
        if (used + len + 3 < sizeof sets) {
            if (n_sets) {
                memcpy(sets + used, ", ", 2);
                used += 2;
            }
            memcpy(sets + used, list->items[i].name, len + 1);
            used += len;
        }
        n_sets++;
    }
    if (n_sets > 1)
        return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: folder holds several sets: %s; pass one", ds->path, sets);
    if (n_sets == 1)
        return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: the set is in subfolder %s; pass that folder", ds->path,
                           sets);
    if (detecting)
        return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                           "%s: no fingerprint set recognised (expected <finger>_<impression> images for FVC, "
                           "f/s image pairs or figs_* folders for NIST, Real/ and Altered/ for SOCOFing, "
                           "or a manifest.csv)",
                           ds->path);
    return fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                       "%s: no images named <finger>_<impression>.<tif|tiff|bmp|png|pgm>", ds->path);
}

fp_status fpi_ds_load_fvc(fp_dataset *ds, int detecting)
{
    fpi_ds_dir list = {0};
    fp_status st = FP_OK;
    FPI_DS_TRY(fpi_ds_list_dir(ds, ds->base, ds->path, &list));
    FPI_DS_TRY(fpi_ds_read_dpi_file(ds, ds->base, &list, &ds->default_dpi));

    for (size_t i = 0; i < list.count; i++) {
        const fpi_ds_dirent *e = &list.items[i];
        if (e->is_dir || !fpi_ds_has_ext(e->name, fpi_ds_fvc_exts)) continue;
        fp_sample s = {0};
        if (!fpi_ds_fvc_name(e->name, &s.subject, &s.impression))
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s/%s: image name does not match <finger>_<impression>.<ext> "
                                   "(for example 101_1.tif)",
                                   ds->label, e->name));
        if (s.impression == 0)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s/%s: impressions are numbered from 1", ds->label,
                                   e->name));
        s.dpi = ds->default_dpi;
        FPI_DS_TRY(fpi_ds_add(ds, e->name, &s, 0));
    }
    if (ds->n_entries == 0) FPI_DS_TRY(explain_empty(ds, &list, detecting));
    FPI_DS_TRY(fpi_ds_finalize(ds));

    /* A gap usually means an incomplete copy; the FVC protocol counts would
     * then be silently wrong, so it is refused. */
    for (size_t g = 0; g < ds->n_fingers; g++) {
        uint32_t expect = 1;
        for (size_t i = ds->group_start[g]; i < ds->group_start[g + 1]; i++, expect++) {
            const fp_sample *s = &ds->samples[i];
            if (s->impression != expect) {
                char where[FPI_DS_DETAIL_CAP / 2];
                fpi_ds_describe(ds, i, where, sizeof where);
                FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: impression %u but finger %u has no impression %u",
                                       where, s->impression, s->subject, expect));
            }
        }
    }

done:
    fpi_ds_dir_free(&list);
    return st;
}
