/* Manifest layout: a CSV file listing path,subject,finger,impression[,dpi]. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_internal.h"

/* Manifests are text listings; anything this large is not one. */
#define MANIFEST_MAX_BYTES ((size_t)1 << 30)

enum { COL_PATH, COL_SUBJECT, COL_FINGER, COL_IMPRESSION, COL_DPI, COL_COUNT };
static const char *const col_names[COL_COUNT] = {"path", "subject", "finger", "impression", "dpi"};

/* One record being read: its unescaped fields, NUL separated in buf. */
typedef struct record {
    char *buf;
    size_t len, cap;
    size_t *field; /* offsets into buf */
    size_t n_fields, cap_fields;
    uint32_t line; /* line the record starts on */
} record;

static fp_status rec_putc(record *r, char c)
{
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 256;
        char *nb = realloc(r->buf, ncap);
        if (!nb) return FP_ERR_NO_MEMORY;
        r->buf = nb;
        r->cap = ncap;
    }
    r->buf[r->len++] = c;
    return FP_OK;
}

static fp_status rec_new_field(record *r)
{
    if (r->n_fields == r->cap_fields) {
        size_t ncap = r->cap_fields ? r->cap_fields * 2 : 8;
        size_t *nf = realloc(r->field, ncap * sizeof *nf);
        if (!nf) return FP_ERR_NO_MEMORY;
        r->field = nf;
        r->cap_fields = ncap;
    }
    r->field[r->n_fields++] = r->len;
    return FP_OK;
}

/*
 * Reads the next record starting at *pos. Sets *got to 0 at the end of the
 * text. *line counts the lines consumed so far (1-based line of *pos).
 */
static fp_status read_record(fp_dataset *ds, const char *text, size_t len, size_t *pos, uint32_t *line,
                             record *r, int *got)
{
    fp_status st = FP_OK;
    size_t i = *pos;
    r->len = 0;
    r->n_fields = 0;
    r->line = *line;
    *got = 0;
    if (i >= len) return FP_OK;
    *got = 1;
    FPI_DS_TRY(rec_new_field(r));
    int quoted = 0, after_quote = 0, field_start = 1;
    while (i < len) {
        char c = text[i];
        if (c == '\0') FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: NUL byte", ds->label, *line));
        if (quoted) {
            if (c == '"') {
                if (i + 1 < len && text[i + 1] == '"') {
                    FPI_DS_TRY(rec_putc(r, '"'));
                    i += 2;
                    continue;
                }
                quoted = 0;
                after_quote = 1;
                i++;
                continue;
            }
            if (c == '\n') (*line)++;
            FPI_DS_TRY(rec_putc(r, c));
            i++;
            continue;
        }
        if (c == '\n' || c == '\r') {
            /* CRLF, LF; a lone CR also ends the line. */
            i += c == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
            (*line)++;
            break;
        }
        if (c == ',') {
            FPI_DS_TRY(rec_putc(r, '\0'));
            FPI_DS_TRY(rec_new_field(r));
            after_quote = 0;
            field_start = 1;
            i++;
            continue;
        }
        if (after_quote) {
            if (c != ' ' && c != '\t')
                FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: text after the closing quote of field %zu",
                                       ds->label, *line, r->n_fields));
            i++;
            continue;
        }
        if (c == '"' && field_start) {
            r->len = r->field[r->n_fields - 1]; /* drop blanks before the quote */
            quoted = 1;
            field_start = 0;
            i++;
            continue;
        }
        if (c != ' ' && c != '\t') field_start = 0;
        if (c == '"')
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                   "%s:%u: quote inside unquoted field %zu (quote the whole field and double it)",
                                   ds->label, *line, r->n_fields));
        FPI_DS_TRY(rec_putc(r, c));
        i++;
    }
    if (quoted) FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: quoted field not closed", ds->label, r->line));
    FPI_DS_TRY(rec_putc(r, '\0'));
done:
    *pos = i;
    return st;
}

/* The field trimmed of surrounding blanks, in place. */
static char *trimmed(record *r, size_t f)
{
    char *s = r->buf + r->field[f];
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

static int blank_record(record *r)
{
    return r->n_fields == 1 && trimmed(r, 0)[0] == '\0';
}

fp_status fpi_ds_parse_manifest(fp_dataset *ds, const char *text, size_t len)
{
    fp_status st = FP_OK;
    record r = {0};
    size_t pos = 0;
    uint32_t line = 1;
    int got = 0, have_header = 0;
    size_t col[COL_COUNT] = {SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
    size_t n_header = 0;
    uint32_t shared_dpi = 0;
    int dpi_differs = 0;

    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        pos = 3;
    for (;;) {
        FPI_DS_TRY(read_record(ds, text, len, &pos, &line, &r, &got));
        if (!got) break;
        if (blank_record(&r)) continue;
        if (!have_header) {
            for (size_t c = 0; c < COL_COUNT; c++) col[c] = SIZE_MAX;
            for (size_t f = 0; f < r.n_fields; f++) {
                const char *name = trimmed(&r, f);
                for (size_t c = 0; c < COL_COUNT; c++) {
                    if (strcasecmp(name, col_names[c]) != 0) continue;
                    if (col[c] != SIZE_MAX)
                        FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: column '%s' appears twice", ds->label,
                                               r.line, col_names[c]));
                    col[c] = f;
                }
            }
            for (size_t c = 0; c < COL_DPI; c++) {
                if (col[c] == SIZE_MAX)
                    FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT,
                                           "%s:%u: header has no '%s' column (need path,subject,finger,impression "
                                           "and optionally dpi)",
                                           ds->label, r.line, col_names[c]));
            }
            n_header = r.n_fields;
            have_header = 1;
            continue;
        }
        if (r.n_fields != n_header)
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: %zu fields but the header has %zu", ds->label,
                                   r.line, r.n_fields, n_header));
        fp_sample s = {0};
        uint32_t *dst[COL_COUNT] = {NULL, &s.subject, &s.finger, &s.impression, &s.dpi};
        for (size_t c = COL_SUBJECT; c < COL_COUNT; c++) {
            if (col[c] == SIZE_MAX) continue;
            const char *v = trimmed(&r, col[c]);
            if (c == COL_DPI && v[0] == '\0') continue;
            if (!fpi_ds_parse_u32(v, strlen(v), dst[c]))
                FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: %s '%.40s' is not an unsigned integer",
                                       ds->label, r.line, col_names[c], v));
        }
        const char *path = trimmed(&r, col[COL_PATH]);
        if (path[0] == '\0')
            FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s:%u: empty path", ds->label, r.line));
        if (ds->n_entries == 0)
            shared_dpi = s.dpi;
        else if (s.dpi != shared_dpi)
            dpi_differs = 1;
        FPI_DS_TRY(fpi_ds_add(ds, path, &s, r.line));
    }
    if (!have_header) FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: empty manifest (no header line)", ds->label));
    if (ds->n_entries == 0)
        FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: no sample rows after the header", ds->label));
    ds->default_dpi = dpi_differs ? 0 : shared_dpi;
    FPI_DS_TRY(fpi_ds_finalize(ds));
done:
    free(r.buf);
    free(r.field);
    return st;
}

fp_status fpi_ds_load_manifest(fp_dataset *ds, const char *csv_path)
{
    fp_status st = FP_OK;
    char *text = NULL;
    size_t len = 0, cap = 0;
    FILE *f = fopen(csv_path, "rb");
    if (!f) return fpi_ds_fail(ds, FP_ERR_IO, "cannot open %s: %s", csv_path, fpi_ds_errno_text(errno));
    for (;;) {
        if (len == cap) {
            if (cap >= MANIFEST_MAX_BYTES)
                FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_FILE_FORMAT, "%s: larger than 1 GiB, not a manifest", ds->label));
            size_t ncap = cap ? cap * 2 : 65536;
            char *nt = realloc(text, ncap);
            if (!nt) FPI_DS_TRY(FP_ERR_NO_MEMORY);
            text = nt;
            cap = ncap;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) FPI_DS_TRY(fpi_ds_fail(ds, FP_ERR_IO, "%s: read error", ds->label));
    FPI_DS_TRY(fpi_ds_parse_manifest(ds, text, len));
done:
    free(text);
    fclose(f);
    return st;
}
