/*
 * dataset.h - listing of public fingerprint database layouts.
 *
 * A dataset handle is the sorted list of the samples (image files) of one
 * fingerprint set and who they belong to. Nothing here decodes images: the
 * loaders read folder listings and, for manifests, a CSV file; image files
 * are neither opened nor checked.
 *
 * Identity of a sample: (subject, finger, impression). Two samples belong to
 * the same finger when subject and finger are equal. finger follows the
 * ISO/IEC 19794 / ANSI finger positions (1 = right thumb ... 5 = right little,
 * 6 = left thumb ... 10 = left little) when the layout knows it, and is 0
 * (unknown position) otherwise.
 *
 * Samples are sorted by subject, then finger, then impression, whatever the
 * order of the folder listing or of the manifest, so indices are stable from
 * one run to the next.
 *
 * Supported layouts
 *
 *  FP_LAYOUT_FVC - one FVC set (for example FVC2002/DB1_B): a folder of
 *    <finger>_<impression>.<ext>, ext one of tif, tiff, bmp, png, pgm (any
 *    case). subject = <finger>, finger = 0, impression = <impression>.
 *    Impressions of a finger must be numbered 1..n without gaps; a finger
 *    with a single impression is allowed (see
 *    fp_dataset_single_impression_samples). A folder holding several sets
 *    (DB1_B, DB2_B ...) in subfolders is refused: open one of them.
 *    Resolution: 569 dpi for FVC2002 DB2 (the path has a component starting
 *    with "FVC2002" and a component "DB2" or "DB2_*"), 500 dpi otherwise; the
 *    TIFF header's 72 dpi is wrong and must be ignored.
 *
 *  FP_LAYOUT_NIST_PAIRS - NIST SD4 / SD14 style rolled pairs:
 *    f<number>[_<nn>].<ext> (first roll, impression 1) and s<number>[_<nn>].<ext>
 *    (second roll, impression 2), ext one of png, wsq, bmp, pgm, either in the
 *    folder itself or in subfolders named figs_<digit(s)> (figs_0 .. figs_7).
 *    subject = <number>; finger = <nn> when present (SD4 numbers its files by
 *    finger position), else 0. 500 dpi.
 *
 *  FP_LAYOUT_SOCOFING - the Sokoto Coventry Fingerprint set, pointed at the
 *    folder holding Real/ and Altered/:
 *      Real/<id>__<M|F>_<Left|Right>_<thumb|index|middle|ring|little>_finger.BMP
 *      Altered/Altered-<Easy|Medium|Hard>/<same stem>_<CR|Obl|Zcut>.BMP
 *    subject = <id>, finger = ISO position (right thumb 1 .. right little 5,
 *    left thumb 6 .. left little 10). Real images are impression 1. Altered
 *    ones get impression 2 + 3 * (level - 1) + (kind - 1), that is 2..10
 *    (Easy CR = 2, Easy Obl = 3, Easy Zcut = 4, Medium CR = 5 ... Hard Zcut =
 *    10), so every image has its own identity; flags carry the alteration
 *    kind and level and the sex. 500 dpi.
 *
 *  FP_LAYOUT_MANIFEST - a CSV file (RFC 4180: comma separated, fields may be
 *    quoted with "..." and then hold commas, line breaks and "" for a quote;
 *    LF or CRLF line ends; an optional UTF-8 byte order mark; blank lines are
 *    skipped). The first line names the columns: path, subject, finger and
 *    impression are required, dpi is optional, others are ignored, in any
 *    order (names in any case). Blanks (spaces, tabs) around every field are
 *    dropped. Relative paths are relative to the folder of the CSV file;
 *    absolute paths are kept. Numbers are unsigned decimal integers of at
 *    most 32 bits; an empty dpi means unknown (0). The listed files are not
 *    checked for existence. Malformed lines, missing columns and repeated
 *    identities are FP_ERR_FILE_FORMAT with "<file>.csv:<line>:" in the
 *    detail. Files over 1 GiB are refused.
 *
 *  FP_LAYOUT_AUTO - decides from the path: a regular file whose name ends in
 *    .csv is a manifest; a folder with Real/ or Altered/ subfolders is
 *    SOCOFing; a folder with figs_* subfolders or f/s NIST names is NIST; a
 *    folder with <finger>_<impression> images is FVC; a folder holding only a
 *    manifest.csv is that manifest.
 *
 * In every folder layout a file named dpi.txt in the opened folder, holding
 * one integer (100..10000), overrides the resolution given to the samples.
 * Files whose extension is not an image extension of the layout (README.txt,
 * SHA256SUMS, *.json, *.txt, *.iso ...) and hidden files are ignored; an image
 * file whose name does not fit the layout is an error, so a half-renamed or
 * mixed folder is not silently half loaded.
 *
 * Errors are fp_status codes (fp/fp.h): FP_ERR_INVALID_ARGUMENT,
 * FP_ERR_NO_MEMORY, FP_ERR_IO (cannot open or read the folder or file),
 * FP_ERR_FILE_FORMAT (the content does not fit the layout), FP_ERR_CAPACITY
 * (more than UINT32_MAX samples). A handle describing the failure in words
 * is kept for fp_dataset_error_detail; see fp_dataset_open.
 *
 * Thread safety: a successfully opened handle is never modified, so every
 * query may be called from several threads at once. The library holds no
 * global state and never prints.
 */
#ifndef FP_DATASET_H
#define FP_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_dataset fp_dataset;

typedef enum fp_dataset_layout {
    FP_LAYOUT_AUTO = 0,
    FP_LAYOUT_FVC = 1,
    FP_LAYOUT_NIST_PAIRS = 2,
    FP_LAYOUT_SOCOFING = 3,
    FP_LAYOUT_MANIFEST = 4
} fp_dataset_layout;

/*
 * fp_sample.flags. Bits 0..3: alteration kind (SOCOFing), bits 4..7:
 * alteration level, bits 8..9: sex when the layout records it. Other bits are
 * zero. A sample with kind FP_ALTER_NONE is an unaltered impression.
 */
#define FP_ALTER_NONE 0u
#define FP_ALTER_CR 1u   /* central rotation */
#define FP_ALTER_OBL 2u  /* obliteration */
#define FP_ALTER_ZCUT 3u /* z-cut */
#define FP_ALTER_LEVEL_EASY 1u
#define FP_ALTER_LEVEL_MEDIUM 2u
#define FP_ALTER_LEVEL_HARD 3u
#define FP_SEX_UNKNOWN 0u
#define FP_SEX_MALE 1u
#define FP_SEX_FEMALE 2u
#define FP_SAMPLE_ALTER_KIND(flags) ((uint32_t)(flags) & 0xFu)
#define FP_SAMPLE_ALTER_LEVEL(flags) (((uint32_t)(flags) >> 4) & 0xFu)
#define FP_SAMPLE_SEX(flags) (((uint32_t)(flags) >> 8) & 0x3u)
#define FP_SAMPLE_FLAGS(kind, level, sex) \
    (((uint32_t)(kind) & 0xFu) | (((uint32_t)(level) & 0xFu) << 4) | (((uint32_t)(sex) & 0x3u) << 8))

/* One image of the set. Borrowed from the dataset, valid until it is destroyed. */
typedef struct fp_sample {
    const char *path;    /* the opened path joined with the file's relative path */
    uint32_t subject;
    uint32_t finger;     /* ISO finger position 1..10, 0 = unknown */
    uint32_t impression;
    uint32_t dpi;        /* 0 = unknown */
    uint32_t flags;      /* FP_SAMPLE_* fields above */
} fp_sample;

/*
 * Opens the set at path (a folder, or a .csv manifest) with the given layout
 * (FP_LAYOUT_AUTO to detect it) and lists its samples.
 *
 * On FP_OK, *out is the dataset; free it with fp_dataset_destroy.
 * On any other status except FP_ERR_INVALID_ARGUMENT (path or out NULL, or an
 * unknown layout) and FP_ERR_NO_MEMORY, *out is still set, to an empty handle
 * whose fp_dataset_error_detail says what is wrong, for example
 * "DB1_B/103_9.tif: impression 9 but finger 103 has no impression 8"; the
 * caller must destroy it as well (destroying a NULL handle is fine, so
 * always calling fp_dataset_destroy(*out) is correct). With
 * FP_ERR_INVALID_ARGUMENT or FP_ERR_NO_MEMORY *out is NULL (when out is not
 * NULL).
 */
fp_status fp_dataset_open(const char *path, fp_dataset_layout layout, fp_dataset **out);

/* Frees the dataset and every string and sample borrowed from it. Accepts NULL. */
void fp_dataset_destroy(fp_dataset *ds);

/* Number of samples; 0 for NULL or a failed open. */
size_t fp_dataset_count(const fp_dataset *ds);

/* Sample i (0 <= i < count), borrowed; NULL when i is out of range or ds is NULL. */
const fp_sample *fp_dataset_sample(const fp_dataset *ds, size_t i);

/*
 * Short name of the set for reports: the folder's name, prefixed with its
 * parent's name when the folder is a sub-database named DB<n>... (for
 * example "FVC2002/DB1_B"); the file name without ".csv" for a manifest,
 * or its folder's name when the file is called manifest.csv.
 * Borrowed; "" for NULL.
 */
const char *fp_dataset_name(const fp_dataset *ds);

/* The path given to fp_dataset_open (copied). Borrowed; "" for NULL. */
const char *fp_dataset_path(const fp_dataset *ds);

/*
 * Resolution of the set's images: from dpi.txt, else the layout's known
 * value (see above). For a manifest: the dpi shared by every row, or 0 when
 * rows differ or give none. 0 for NULL.
 */
uint32_t fp_dataset_default_dpi(const fp_dataset *ds);

/* The layout actually used (never FP_LAYOUT_AUTO after a successful open). */
fp_dataset_layout fp_dataset_layout_of(const fp_dataset *ds);

/*
 * What went wrong in the failed fp_dataset_open that returned ds, in one
 * line of English naming the file (and line, for a manifest); "" after a
 * successful open. Borrowed; for NULL a generic text.
 */
const char *fp_dataset_error_detail(const fp_dataset *ds);

/* Number of distinct fingers (subject, finger) in the set. */
size_t fp_dataset_finger_count(const fp_dataset *ds);

/*
 * Fingers that have only one sample, so no genuine comparison: returns the
 * sample indices of those fingers (borrowed, sorted) and sets *count. Returns
 * NULL with *count = 0 when there is none. count must not be NULL.
 */
const size_t *fp_dataset_single_impression_samples(const fp_dataset *ds, size_t *count);

/* "auto", "fvc", "nist", "socofing", "manifest"; "?" for other values. */
const char *fp_dataset_layout_name(fp_dataset_layout layout);
/* Inverse of fp_dataset_layout_name (case-insensitive). FP_ERR_INVALID_ARGUMENT if unknown. */
fp_status fp_dataset_layout_parse(const char *name, fp_dataset_layout *out);

/* ------------------------------------------------------------------------ */
/* Comparison protocols                                                     */
/* ------------------------------------------------------------------------ */

typedef enum fp_protocol {
    /*
     * Genuine: every sample against every later impression of the same
     * finger. Impostor: the first impression of each finger (its lowest
     * impression number, 1 in a complete FVC set) against the first
     * impression of every other finger. FVC set B: 280 + 45.
     */
    FP_PROTOCOL_FVC = 0,
    /* Genuine as above; impostor: every pair of samples of different fingers.
     * FVC set B: 280 + 2880 (80 x 72 / 2). */
    FP_PROTOCOL_ALL_PAIRS = 1
} fp_protocol;

/* A comparison: indices of two samples of the dataset, a < b. */
typedef struct fp_pair {
    uint32_t a;
    uint32_t b;
} fp_pair;

/* "fvc", "all"; "?" for other values. */
const char *fp_dataset_protocol_name(fp_protocol protocol);
/* Inverse of fp_dataset_protocol_name; also accepts "all-pairs". FP_ERR_INVALID_ARGUMENT if unknown. */
fp_status fp_dataset_protocol_parse(const char *name, fp_protocol *out);

/*
 * Lists the comparisons of a protocol, sorted by a then b.
 * n_genuine and n_impostor are required and receive the counts. genuine and
 * impostor may each be NULL to only count that kind (all-pairs on a large
 * set is big: SOCOFing's 55 000 images make 1.5e9 impostor pairs); otherwise
 * they receive arrays the caller frees with free(), or NULL when the count is
 * 0. On error every non-NULL output pointer is set to NULL / 0.
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL ds or count pointer, unknown
 * protocol), FP_ERR_NO_MEMORY (including a list too large for size_t).
 * Thread safe.
 */
fp_status fp_dataset_pairs(const fp_dataset *ds, fp_protocol protocol, fp_pair **genuine, size_t *n_genuine,
                           fp_pair **impostor, size_t *n_impostor);

/*
 * Templates another extractor made for a data set's images, for measuring
 * the matcher on minutiae it did not extract. Reads <tdir>/<stem>.iso or
 * .ist (ISO/IEC 19794-2), .ansi (ANSI/INCITS 378) or .fpt (native), where
 * <stem> is the file name of image_path without its extension, and maps
 * the minutiae into the frame of the image (width x height pixels at dpi):
 * some producers resize an image before extraction and record the resized
 * frame, so positions are scaled back axis by axis and directions follow
 * the same stretch (a minutia on the source frame's last row or column
 * stays on the image's).
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NOT_FOUND (no such template),
 * FP_ERR_IO, FP_ERR_FILE_CORRUPT (over 64 KiB), FP_ERR_NO_MEMORY, and the
 * template parser's errors for a malformed record.
 * Thread safe.
 */
fp_status fp_dataset_load_template(const char *tdir, const char *image_path, uint32_t width, uint32_t height,
                                   uint32_t dpi, fp_template **out);

#ifdef __cplusplus
}
#endif

#endif /* FP_DATASET_H */
