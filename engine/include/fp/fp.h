/*
 * fp.h - public interface of the fingerprint engine.
 *
 * The engine turns 8-bit grayscale fingerprint images into minutiae
 * templates and compares templates. The core depends on libc (and SIMDe at
 * build time) only, so it can be embedded in firmware.
 *
 * Conventions
 *  - Every object is an opaque handle created by a *_create function and
 *    released by the matching *_destroy function; every destroy accepts NULL.
 *  - Functions return an fp_status. FP_OK is 0. Codes in the "retry" class
 *    (fp_status_is_retry) mean the input was understood but is not usable
 *    (low quality, no finger): the caller should capture again.
 *  - The library never prints, never aborts on input data and holds no
 *    mutable global state. A context is not thread safe: use one context per
 *    thread. Templates are immutable once created and may be shared between
 *    threads and contexts freely.
 *  - Pointers passed in are borrowed for the duration of the call unless the
 *    documentation says otherwise.
 */
#ifndef FP_FP_H
#define FP_FP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FP_VERSION_MAJOR 0
#define FP_VERSION_MINOR 1
#define FP_VERSION_PATCH 0

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/*
 * X(name, number, message). Numbers never change once released.
 * 0..99 failures of the call, 100..199 "please retry" conditions.
 */
#define FP_STATUS_MAP(X)                                                        \
    X(OK, 0, "success")                                                         \
    X(ERR_INVALID_ARGUMENT, 1, "invalid argument")                              \
    X(ERR_NO_MEMORY, 2, "out of memory")                                        \
    X(ERR_IMAGE_SIZE, 3, "image size outside the supported range")              \
    X(ERR_RESOLUTION, 4, "image resolution outside 250..1000 dpi")              \
    X(ERR_BUFFER_TOO_SMALL, 5, "output buffer too small")                       \
    X(ERR_TEMPLATE_TRUNCATED, 6, "template data is truncated")                  \
    X(ERR_TEMPLATE_CHECKSUM, 7, "template checksum mismatch (corrupt data)")    \
    X(ERR_TEMPLATE_VERSION, 8, "unsupported template version")                  \
    X(ERR_TEMPLATE_FORMAT, 9, "data is not a template of the expected format")  \
    X(ERR_TEMPLATE_CORRUPT, 10, "template fields are inconsistent or invalid")  \
    X(ERR_UNSUPPORTED, 11, "operation or option not supported")                 \
    X(ERR_IO, 12, "read or write failure")                                      \
    X(ERR_FILE_FORMAT, 13, "unsupported or unrecognised file format")           \
    X(ERR_FILE_CORRUPT, 14, "file is corrupt or truncated")                     \
    X(ERR_ENROLL_STATE, 15, "enrolment is not in a state for this call")        \
    X(ERR_CAPACITY, 16, "capacity limit reached")                               \
    X(ERR_NOT_FOUND, 17, "no such item")                                        \
    X(ERR_NO_DEVICE, 18, "no sensor found or the sensor cannot be opened")      \
    X(ERR_DISCONNECTED, 19, "sensor disconnected or not answering")             \
    X(ERR_TIMEOUT, 20, "no finger was presented before the timeout")            \
    X(ERR_CANCELLED, 21, "capture cancelled")                                   \
    X(ERR_PROTOCOL, 22, "sensor sent invalid data")                             \
    X(ERR_LOCKED, 23, "another writer holds the file's lock")                   \
    X(ERR_READ_ONLY, 24, "read-only: opened for reading or not writable")       \
    X(ERR_FILE_REPLACED, 25, "the file was replaced or removed after opening")  \
    X(RETRY_NO_FINGER, 100, "no fingerprint found in the image")                \
    X(RETRY_LOW_QUALITY, 101, "fingerprint quality too low, please retry")      \
    X(RETRY_TOO_SMALL, 102, "finger area too small, place the finger fully")    \
    X(RETRY_FEW_MINUTIAE, 103, "too few features found, please retry")          \
    X(RETRY_ENROLL_MISMATCH, 104, "this press does not match the earlier ones") \
    X(RETRY_ENROLL_DUPLICATE, 105, "this press is too similar to an earlier one") \
    X(RETRY_TOO_WET, 106, "finger too wet or pressed too hard, dry it and retry") \
    X(RETRY_TOO_DRY, 107, "finger too dry or pressed too lightly, retry")       \
    X(RETRY_MOVING, 108, "finger moved, hold it still")                         \
    X(RETRY_REMOVE_FINGER, 109, "lift the finger and place it again")

typedef enum fp_status {
#define FP_STATUS_ENUM_(name, num, msg) FP_##name = num,
    FP_STATUS_MAP(FP_STATUS_ENUM_)
#undef FP_STATUS_ENUM_
} fp_status;

/* A static English message for a status code; never NULL. */
const char *fp_status_message(fp_status status);
/* The code's symbolic name, for example "FP_ERR_NO_MEMORY"; never NULL. */
const char *fp_status_name(fp_status status);
/* Non-zero when the status asks the user to present the finger again. */
int fp_status_is_retry(fp_status status);

/* ------------------------------------------------------------------------ */
/* Images and minutiae                                                      */
/* ------------------------------------------------------------------------ */

/*
 * A borrowed 8-bit grayscale image, dark ridges on a light background (the
 * usual polarity of optical and capacitive readers).
 * width, height: 32..2048 pixels, and at most the context's max_width x
 * max_height once resampled to 500 dpi (FP_ERR_IMAGE_SIZE otherwise);
 * stride >= width bytes; dpi: 250..1000. Images outside 495..600 dpi are
 * resampled to 500 dpi internally (those from 495 to 600 dpi are processed
 * as they are when they fit max_width x max_height); minutiae are reported
 * in the original image's pixel coordinates.
 */
typedef struct fp_image {
    const uint8_t *pixels;
    uint32_t width;
    uint32_t height;
    uint32_t stride;
    uint32_t dpi;
} fp_image;

typedef enum fp_minutia_type {
    FP_MINUTIA_OTHER = 0,
    FP_MINUTIA_ENDING = 1,
    FP_MINUTIA_BIFURCATION = 2
} fp_minutia_type;

/*
 * A minutia. x, y in pixels of the image the template describes (origin top
 * left). angle is the ridge direction pointing away from the minutia into
 * the ridge it ends (ending) or towards the valley that splits it
 * (bifurcation), in 1/256 turns measured counter-clockwise from the x axis
 * with y pointing up (so 64 = pointing up the image). quality is 0..100.
 */
typedef struct fp_minutia {
    uint16_t x;
    uint16_t y;
    uint8_t angle;
    uint8_t type;    /* fp_minutia_type */
    uint8_t quality; /* 0..100 */
    uint8_t reserved;
} fp_minutia;

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct fp_context fp_context;

typedef enum fp_simd_level {
    FP_SIMD_AUTO = 0, /* best the CPU supports, or FP_SIMD from the environment */
    FP_SIMD_REF = 1,  /* portable scalar reference */
    FP_SIMD_SSE41 = 2,
    FP_SIMD_AVX2 = 3,
    FP_SIMD_NEON = 4,
    FP_SIMD_AVX512 = 5 /* AVX2 kernels plus AVX-512 (F, VL, BW, VPOPCNTDQ) for 1:N pre-screening */
} fp_simd_level;

typedef struct fp_config {
    /* Largest image the context will extract from, in pixels after
     * resampling to 500 dpi. 0 selects 1024 x 1024. */
    uint32_t max_width;
    uint32_t max_height;
    /* SIMD level; FP_SIMD_AUTO honours the FP_SIMD environment variable
     * (ref, sse41, avx2, avx512, neon) and otherwise picks the best available. */
    fp_simd_level simd;
} fp_config;

/* Fills *config with the defaults. */
void fp_config_init(fp_config *config);

/*
 * Creates a context: the SIMD dispatch, the filter bank and every work
 * buffer extraction and comparison need, so neither allocates afterwards.
 * config may be NULL for defaults. Caller frees with fp_context_destroy.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_UNSUPPORTED (SIMD level the CPU
 * lacks), FP_ERR_NO_MEMORY.
 */
fp_status fp_context_create(const fp_config *config, fp_context **out);
void fp_context_destroy(fp_context *ctx);
/* The SIMD level the context runs (never FP_SIMD_AUTO). */
fp_simd_level fp_context_simd_level(const fp_context *ctx);
/* "ref", "sse41", "avx2" or "neon". */
const char *fp_simd_level_name(fp_simd_level level);

/* ------------------------------------------------------------------------ */
/* Templates                                                                */
/* ------------------------------------------------------------------------ */

typedef struct fp_template fp_template;

/* Limits of a template. */
#define FP_MAX_MINUTIAE 192
/* Comparisons use a template's best FP_MATCH_MINUTIAE minutiae by quality,
 * or, when at least FP_MATCH_WIDE_MIN have quality >= FP_MATCH_WIDE_QUALITY
 * (the 38 would leave out more than an eighth of them), all of those up to
 * FP_MATCH_MINUTIAE_MAX: large prints keep the share of their minutiae
 * that two impressions have in common (docs/matcher.md). */
#define FP_MATCH_MINUTIAE 38
#define FP_MATCH_MINUTIAE_MAX 64
#define FP_MATCH_WIDE_QUALITY 70
#define FP_MATCH_WIDE_MIN 44

/*
 * Creates a template from a list of minutiae (copied). width, height and
 * dpi describe the image the coordinates refer to (width <= 16383,
 * height <= 65535, dpi 100..2000). Minutiae outside the image, or farther
 * than 15000 pixels at 500 dpi (76 cm) from its origin along either axis
 * (the extent of the matcher's frame), are rejected with
 * FP_ERR_INVALID_ARGUMENT. The template keeps its minutiae in order of quality, best first (ties by y, x, angle, type),
 * whatever the order given; more than FP_MAX_MINUTIAE keeps the highest
 * quality ones, and comparisons use the best FP_MATCH_MINUTIAE (or more, see
 * FP_MATCH_MINUTIAE_MAX). Caller
 * frees with fp_template_destroy. Thread safe.
 */
fp_status fp_template_create(uint32_t width, uint32_t height, uint32_t dpi, const fp_minutia *minutiae,
                             size_t count, uint8_t image_quality, fp_template **out);
void fp_template_destroy(fp_template *tmpl);
/* Deep copy. */
fp_status fp_template_clone(const fp_template *tmpl, fp_template **out);

size_t fp_template_minutiae_count(const fp_template *tmpl);
/* Borrowed pointer to the template's minutiae, valid while tmpl lives. */
const fp_minutia *fp_template_minutiae(const fp_template *tmpl);
uint32_t fp_template_width(const fp_template *tmpl);
uint32_t fp_template_height(const fp_template *tmpl);
uint32_t fp_template_dpi(const fp_template *tmpl);
/* Image quality 0..100 recorded at extraction. */
uint8_t fp_template_quality(const fp_template *tmpl);

typedef enum fp_template_format {
    FP_FORMAT_NATIVE = 0,        /* the engine's compact format */
    FP_FORMAT_ISO19794_2 = 1,    /* ISO/IEC 19794-2:2005 finger minutiae record */
    FP_FORMAT_ANSI378 = 2        /* ANSI/INCITS 378-2004 */
} fp_template_format;

/*
 * Serialises tmpl into buf (capacity cap bytes) and sets *written. With
 * buf == NULL only *written is set to the size needed.
 * Errors: FP_ERR_BUFFER_TOO_SMALL, FP_ERR_INVALID_ARGUMENT. Thread safe.
 */
fp_status fp_template_serialize(const fp_template *tmpl, fp_template_format format, uint8_t *buf, size_t cap,
                                size_t *written);
/*
 * Parses a template. For the interchange formats the first finger view is
 * taken. Errors: FP_ERR_TEMPLATE_TRUNCATED, FP_ERR_TEMPLATE_CHECKSUM,
 * FP_ERR_TEMPLATE_VERSION, FP_ERR_TEMPLATE_FORMAT, FP_ERR_TEMPLATE_CORRUPT,
 * FP_ERR_NO_MEMORY. Never reads past len. Caller frees with
 * fp_template_destroy. Thread safe.
 */
fp_status fp_template_deserialize(fp_template_format format, const uint8_t *buf, size_t len, fp_template **out);

/* ------------------------------------------------------------------------ */
/* Extraction                                                               */
/* ------------------------------------------------------------------------ */

/* Extra results of an extraction, all optional. */
typedef struct fp_extract_info {
    uint8_t quality;          /* image quality 0..100 */
    uint32_t foreground_area; /* foreground pixels at 500 dpi */
    uint32_t minutiae_raw;    /* candidates before false-minutia removal */
} fp_extract_info;

/*
 * Extracts minutiae from an image into a new template.
 * Returns FP_OK with a template, or a retry status (no finger, finger area
 * too small, too few minutiae) with *out set to NULL, or an error.
 * info may be NULL. Not thread safe for one ctx; uses no allocation except
 * for the returned template.
 */
fp_status fp_extract(fp_context *ctx, const fp_image *image, fp_template **out, fp_extract_info *info);

/*
 * Debug planes of the last fp_extract on ctx, at 500 dpi, for inspection
 * tools. Each is width x height (returned) 8-bit, borrowed from ctx and
 * valid until the next call on ctx. Returns NULL before any extraction.
 */
typedef enum fp_debug_plane {
    FP_DEBUG_NORMALIZED = 0,
    FP_DEBUG_MASK = 1,
    FP_DEBUG_ORIENTATION = 2, /* angle 0..179 scaled to 0..255, 0 outside mask */
    FP_DEBUG_ENHANCED = 3,
    FP_DEBUG_BINARY = 4,
    FP_DEBUG_SKELETON = 5,
    FP_DEBUG_FREQUENCY = 6 /* ridge period in pixels x 10 */
} fp_debug_plane;
const uint8_t *fp_debug_plane_get(const fp_context *ctx, fp_debug_plane plane, uint32_t *width, uint32_t *height);

/* ------------------------------------------------------------------------ */
/* Comparison                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Compares two templates. *score is calibrated: score = -10 * log10(FMR),
 * the false match rate of a threshold set at that score (30 = 0.1 %,
 * 40 = 0.01 %), 0 for no similarity. Symmetric and deterministic. Uses the
 * context's buffers; allocates nothing.
 */
fp_status fp_compare(fp_context *ctx, const fp_template *a, const fp_template *b, float *score);

/* Converts a calibrated threshold into the false match rate it means. */
double fp_score_to_fmr(float score);

/* ------------------------------------------------------------------------ */
/* Enrolment                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Enrolment builds one template from several presses of a finger (the
 * terminal takes three). Each press is checked as it arrives; a refused
 * press returns a retry status the UI can show, and the enrolment goes on.
 * The result keeps the minutiae the presses agree on, averaged, plus those
 * that more than one press sees outside the best press's area, so it
 * matches later impressions better than any single press.
 */
typedef struct fp_enroll fp_enroll;

#define FP_ENROLL_MAX_PRESSES 10

/* presses: 1..FP_ENROLL_MAX_PRESSES. Caller frees with fp_enroll_destroy. */
fp_status fp_enroll_create(uint32_t presses, fp_enroll **out);
void fp_enroll_destroy(fp_enroll *enroll);

/*
 * Offers one press (copied). Returns FP_OK when it was accepted, or
 *  FP_RETRY_LOW_QUALITY    image quality under 25,
 *  FP_RETRY_FEW_MINUTIAE   fewer than 12 minutiae,
 *  FP_RETRY_ENROLL_MISMATCH it matches none of the accepted presses
 *                          (calibrated score under 20),
 * and FP_ERR_ENROLL_STATE when all presses are already in. *remaining
 * (optional) receives how many presses are still needed.
 */
fp_status fp_enroll_add(fp_enroll *enroll, fp_context *ctx, const fp_template *press, uint32_t *remaining);

/*
 * Merges the accepted presses into a new template (caller frees).
 * FP_ERR_ENROLL_STATE until every press is in.
 */
fp_status fp_enroll_finish(fp_enroll *enroll, fp_context *ctx, fp_template **out);

#ifdef __cplusplus
}
#endif

#endif /* FP_FP_H */
