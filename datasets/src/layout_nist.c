/* NIST SD4 / SD14 style rolled pairs: f<number>[_<nn>] and s<number>[_<nn>]. */
#include <stdlib.h>
#include <string.h>

#include "ds_internal.h"

const char *const fpi_ds_nist_exts[] = {"png", "wsq", "bmp", "pgm", NULL};

int fpi_ds_nist_name(const char *name, uint32_t *subject, uint32_t *finger, uint32_t *impression)
{
    size_t stem = fpi_ds_stem_len(name);
    if (stem < 2) return 0;
    if (name[0] == 'f' || name[0] == 'F')
        *impression = 1;
    else if (name[0] == 's' || name[0] == 'S')
        *impression = 2;
    else
        return 0;
    const char *us = memchr(name + 1, '_', stem - 1);
    if (!us) {
        *finger = 0;
        return fpi_ds_parse_u32(name + 1, stem - 1, subject);
    }
    size_t a = (size_t)(us - name - 1);
    return fpi_ds_parse_u32(name + 1, a, subject) && fpi_ds_parse_u32(us + 1, stem - a - 2, finger);
}

/* Adds the images of one folder; sub is "" for the opened folder itself. */
static fp_status scan(fp_dataset *ds, const char *sub, const fpi_ds_dir *list)
{
    fp_status st = FP_OK;
    char *rel = NULL;
    for (size_t i = 0; i < list->count; i++) {
        const fpi_ds_dirent *e = &list->items[i];
        if (e->is_dir || !fpi_ds_has_ext(e->name, fpi_ds_nist_exts)) continue;
        free(rel);
        rel = fpi_ds_join(sub, e->name);
        if (!rel) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        fp_sample s = {0};
        if (!fpi_ds_nist_name(e->name, &s.subject, &s.finger, &s.impression))
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s/%s: image name does not match f<number>[_<nn>] or s<number>[_<nn>] "
                                   "(for example f0001_01.png)",
                                   ds->label, rel));
        s.dpi = ds->default_dpi;
        FPI_DS_TRY(fpi_ds_add(ds, rel, &s, 0));
    }
done:
    free(rel);
    return st;
}

fp_status fpi_ds_load_nist(fp_dataset *ds)
{
    fpi_ds_dir list = {0}, inner = {0};
    fp_status st = FP_OK;
    char *sub = NULL;
    ds->default_dpi = 500;
    FPI_DS_TRY(fpi_ds_list_dir(ds, ds->base, ds->path, &list));
    FPI_DS_TRY(fpi_ds_read_dpi_file(ds, ds->base, &list, &ds->default_dpi));
    FPI_DS_TRY(scan(ds, "", &list));

    for (size_t i = 0; i < list.count; i++) {
        const fpi_ds_dirent *e = &list.items[i];
        size_t n = strlen(e->name);
        uint32_t v;
        if (!e->is_dir || n <= 5 || strncmp(e->name, "figs_", 5) != 0 || !fpi_ds_parse_u32(e->name + 5, n - 5, &v))
            continue;
        free(sub);
        sub = fpi_ds_join(ds->base, e->name);
        if (!sub) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        fpi_ds_dir_free(&inner);
        FPI_DS_TRY(fpi_ds_list_dir(ds, sub, e->name, &inner));
        FPI_DS_TRY(scan(ds, e->name, &inner));
    }
    if (ds->n_entries == 0)
        FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                               "%s: no images named f<number>[_<nn>] or s<number>[_<nn>] (png, wsq, bmp, pgm) "
                               "in the folder or its figs_* subfolders",
                               ds->path));
    FPI_DS_TRY(fpi_ds_finalize(ds));

done:
    free(sub);
    fpi_ds_dir_free(&inner);
    fpi_ds_dir_free(&list);
    return st;
}
