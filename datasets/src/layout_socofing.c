/* SOCOFing: Real/<id>__<sex>_<hand>_<finger>_finger.BMP and Altered/Altered-<level>/... */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_internal.h"

static const char *const socofing_exts[] = {"bmp", "png", NULL};

/* ISO finger positions: right hand 1..5, left hand 6..10, thumb first. */
static const char *const finger_names[] = {"thumb", "index", "middle", "ring", "little"};
static const char *const kind_names[] = {"CR", "Obl", "Zcut"};
static const char *const level_names[] = {"Altered-Easy", "Altered-Medium", "Altered-Hard"};

/* Consumes token tok (any case) followed by the end of the stem or '_'. */
static int eat_word(const char **p, const char *end, const char *tok)
{
    size_t n = strlen(tok);
    if ((size_t)(end - *p) < n || strncasecmp(*p, tok, n) != 0) return 0;
    if (*p + n != end && (*p)[n] != '_') return 0;
    *p += n;
    return 1;
}

static int eat_char(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c) return 0;
    (*p)++;
    return 1;
}

/* Parses a stem; *kind is FP_ALTER_NONE when there is no alteration suffix. */
static int parse_name(const char *name, uint32_t *id, uint32_t *sex, uint32_t *finger, uint32_t *kind)
{
    const char *p = name, *end = name + fpi_ds_stem_len(name);
    const char *us = p;
    while (us < end && *us != '_') us++;
    if (!fpi_ds_parse_u32(p, (size_t)(us - p), id)) return 0;
    p = us;
    if (!eat_char(&p, end, '_') || !eat_char(&p, end, '_')) return 0;
    if (eat_word(&p, end, "M"))
        *sex = FP_SEX_MALE;
    else if (eat_word(&p, end, "F"))
        *sex = FP_SEX_FEMALE;
    else
        return 0;
    uint32_t hand_base;
    if (!eat_char(&p, end, '_')) return 0;
    if (eat_word(&p, end, "Right"))
        hand_base = 1;
    else if (eat_word(&p, end, "Left"))
        hand_base = 6;
    else
        return 0;
    if (!eat_char(&p, end, '_')) return 0;
    uint32_t f = 5;
    for (uint32_t i = 0; i < 5 && f == 5; i++) {
        if (eat_word(&p, end, finger_names[i])) f = i;
    }
    if (f == 5) return 0;
    *finger = hand_base + f;
    if (!eat_char(&p, end, '_') || !eat_word(&p, end, "finger")) return 0;
    *kind = FP_ALTER_NONE;
    if (p == end) return 1;
    if (!eat_char(&p, end, '_')) return 0;
    for (uint32_t i = 0; i < 3; i++) {
        if (eat_word(&p, end, kind_names[i])) {
            *kind = FP_ALTER_CR + i;
            return p == end;
        }
    }
    return 0;
}

/* level 0 = Real/. */
static fp_status scan(fp_dataset *ds, const char *sub, const fpi_ds_dir *list, uint32_t level)
{
    fp_status st = FP_OK;
    char *rel = NULL;
    for (size_t i = 0; i < list->count; i++) {
        const fpi_ds_dirent *e = &list->items[i];
        if (e->is_dir || !fpi_ds_has_ext(e->name, socofing_exts)) continue;
        free(rel);
        rel = fpi_ds_join(sub, e->name);
        if (!rel) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        uint32_t id = 0, sex = 0, finger = 0, kind = 0;
        if (!parse_name(e->name, &id, &sex, &finger, &kind))
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s/%s: image name does not match "
                                   "<id>__<M|F>_<Left|Right>_<thumb|index|middle|ring|little>_finger[_<CR|Obl|Zcut>]",
                                   ds->label, rel));
        if (level == 0 && kind != FP_ALTER_NONE)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s/%s: altered image (%s) in the Real folder", ds->label,
                                   rel, kind_names[kind - 1]));
        if (level != 0 && kind == FP_ALTER_NONE)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s/%s: no alteration suffix (_CR, _Obl or _Zcut) in an Altered folder", ds->label,
                                   rel));
        fp_sample s = {0};
        s.subject = id;
        s.finger = finger;
        s.impression = level == 0 ? 1 : 2 + 3 * (level - 1) + (kind - 1);
        s.dpi = ds->default_dpi;
        s.flags = FP_SAMPLE_FLAGS(kind, level, sex);
        FPI_DS_TRY(fpi_ds_add(ds, rel, &s, 0));
    }
done:
    free(rel);
    return st;
}

/* Lists base/sub (sub relative), naming it sub in messages. */
static fp_status list_sub(fp_dataset *ds, const char *sub, fpi_ds_dir *out)
{
    char *dir = fpi_ds_join(ds->base, sub);
    if (!dir) return FP_ERR_NO_MEMORY;
    fp_status st = fpi_ds_list_dir(ds, dir, sub, out);
    free(dir);
    return st;
}

static fp_status load_altered(fp_dataset *ds, const char *altered)
{
    fpi_ds_dir list = {0}, inner = {0};
    fp_status st = FP_OK;
    char *sub = NULL;
    FPI_DS_TRY(list_sub(ds, altered, &list));
    for (size_t i = 0; i < list.count; i++) {
        const fpi_ds_dirent *e = &list.items[i];
        if (!e->is_dir) {
            if (fpi_ds_has_ext(e->name, socofing_exts))
                FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                       "%s/%s/%s: altered images belong in Altered-Easy, Altered-Medium or "
                                       "Altered-Hard",
                                       ds->label, altered, e->name));
            continue;
        }
        uint32_t level = 0;
        for (uint32_t l = 0; l < 3; l++) {
            if (strcasecmp(e->name, level_names[l]) == 0) level = l + 1;
        }
        if (level == 0)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s/%s/%s: unknown folder (expected Altered-Easy, Altered-Medium, Altered-Hard)",
                                   ds->label, altered, e->name));
        free(sub);
        sub = fpi_ds_join(altered, e->name);
        if (!sub) FPI_DS_TRY(FP_ERR_NO_MEMORY);
        fpi_ds_dir_free(&inner);
        FPI_DS_TRY(list_sub(ds, sub, &inner));
        FPI_DS_TRY(scan(ds, sub, &inner, level));
    }
done:
    free(sub);
    fpi_ds_dir_free(&inner);
    fpi_ds_dir_free(&list);
    return st;
}

fp_status fpi_ds_load_socofing(fp_dataset *ds)
{
    fpi_ds_dir list = {0}, inner = {0};
    fp_status st = FP_OK;
    int found = 0;
    ds->default_dpi = 500;
    FPI_DS_TRY(fpi_ds_list_dir(ds, ds->base, ds->path, &list));
    FPI_DS_TRY(fpi_ds_read_dpi_file(ds, ds->base, &list, &ds->default_dpi));
    /* Real before Altered whatever the listing order, though finalize sorts anyway. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < list.count; i++) {
            const fpi_ds_dirent *e = &list.items[i];
            if (!e->is_dir) continue;
            if (pass == 0 && strcasecmp(e->name, "Real") == 0) {
                found = 1;
                fpi_ds_dir_free(&inner);
                FPI_DS_TRY(list_sub(ds, e->name, &inner));
                FPI_DS_TRY(scan(ds, e->name, &inner, 0));
            } else if (pass == 1 && strcasecmp(e->name, "Altered") == 0) {
                found = 1;
                FPI_DS_TRY(load_altered(ds, e->name));
            }
        }
    }
    if (!found)
        FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: no Real/ or Altered/ folder (SOCOFing layout)", ds->path));
    if (ds->n_entries == 0)
        FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: no SOCOFing images in Real/ or Altered/", ds->path));
    FPI_DS_TRY(fpi_ds_finalize(ds));
done:
    fpi_ds_dir_free(&inner);
    fpi_ds_dir_free(&list);
    return st;
}
