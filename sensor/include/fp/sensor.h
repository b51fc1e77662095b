/*
 * sensor.h - the fingerprint sensor driver: one interface in front of
 * replayed images, a simulated live finger, real USB readers (libfprint) and
 * the firmware's SPI/UART sensor module.
 *
 * A capture is a state machine run over the frames the device streams:
 *
 *   WAIT_LIFT -> WAIT_FINGER -> PRESENT -> SETTLING -> ACCEPTED
 *
 * It first waits for the previous finger to leave (so one press never gives
 * two captures), then for a frame with enough ridge area, then for the image
 * to stop changing, and finally runs the quality gate on the settled frame.
 * A press that never passes the gate ends, when the finger lifts, with the
 * gate's last reason as a "retry" status (fp_status_is_retry): the user is
 * asked to present the finger again. Errors (device gone, timeout,
 * cancelled) are a different class and never mean "retry".
 *
 * Status codes: functions return fp_status; the sensor's own conditions
 * (no device, disconnected, timeout, cancelled, protocol; too wet, too dry,
 * moving, remove finger) are codes of the engine's FP_STATUS_MAP.
 *
 * Thread safety: one fp_sensor is used by one thread, except
 * fp_sensor_cancel(), which any thread may call at any time while the
 * sensor is open. The library never prints and holds no global state.
 */
#ifndef FP_SENSOR_H
#define FP_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The sensor's statuses are part of the engine's FP_STATUS_MAP (fp.h);
 * these names are kept as aliases. Use fp_status_message / fp_status_name /
 * fp_status_is_retry for any of them. */
#define FP_SENSOR_ERR_NO_DEVICE FP_ERR_NO_DEVICE
#define FP_SENSOR_ERR_DISCONNECTED FP_ERR_DISCONNECTED
#define FP_SENSOR_ERR_TIMEOUT FP_ERR_TIMEOUT
#define FP_SENSOR_ERR_CANCELLED FP_ERR_CANCELLED
#define FP_SENSOR_ERR_PROTOCOL FP_ERR_PROTOCOL
#define FP_SENSOR_RETRY_TOO_WET FP_RETRY_TOO_WET
#define FP_SENSOR_RETRY_TOO_DRY FP_RETRY_TOO_DRY
#define FP_SENSOR_RETRY_MOVING FP_RETRY_MOVING
#define FP_SENSOR_RETRY_REMOVE_FINGER FP_RETRY_REMOVE_FINGER

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */
/* ------------------------------------------------------------------------ */

typedef struct fp_sensor fp_sensor;

typedef enum fp_sensor_backend {
    FP_SENSOR_BACKEND_REPLAY = 0,    /* images from a folder or a data set */
    FP_SENSOR_BACKEND_SYNTHETIC = 1, /* a simulated live finger */
    FP_SENSOR_BACKEND_LIBFPRINT = 2, /* a USB reader through libfprint */
    FP_SENSOR_BACKEND_HAL = 3        /* the SPI/UART module behind fp_sensor_hal (sensor_hal.h) */
} fp_sensor_backend;

/* "replay", "synthetic", "libfprint", "hal"; "?" otherwise. */
const char *fp_sensor_backend_name(fp_sensor_backend backend);
/* Inverse of fp_sensor_backend_name. Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_sensor_backend_parse(const char *name, fp_sensor_backend *out);
/* Non-zero when the backend was compiled in (libfprint is optional). */
int fp_sensor_backend_available(fp_sensor_backend backend);

/*
 * The terminal manual's setting. HIGH accepts fainter and drier prints and
 * settles after fewer stable frames (faster); LOW refuses smeared, humid
 * prints and asks for a larger area and a higher quality.
 */
typedef enum fp_sensor_sensitivity {
    FP_SENSOR_LOW = 0,
    FP_SENSOR_MID = 1,
    FP_SENSOR_HIGH = 2
} fp_sensor_sensitivity;

/* "low", "mid", "high"; "?" otherwise. */
const char *fp_sensor_sensitivity_name(fp_sensor_sensitivity s);
/* Inverse (also "medium"). Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_sensor_sensitivity_parse(const char *name, fp_sensor_sensitivity *out);

/*
 * The concrete thresholds a sensitivity stands for. Fractions are of the
 * frame's 16 x 16 pixel blocks; see docs/sensor.md for how each figure is
 * measured.
 */
typedef struct fp_sensor_thresholds {
    double presence_min;      /* ridge-block fraction that means "a finger is on" */
    double area_min;          /* ridge-block fraction needed to accept */
    double wet_dark_max;      /* ridge share of the print above this: too wet */
    double dry_dark_min;      /* ridge share below this: too dry */
    double dry_contrast_min;  /* ridge-valley contrast (gray levels) below this: too dry / faint */
    double move_max;          /* mean absolute frame difference (gray levels) that still counts as still */
    uint32_t settle_frames;   /* consecutive still frames before the gate runs */
    uint8_t quality_min;      /* fp_extract quality 0..100 */
} fp_sensor_thresholds;

/* Fills *out with the thresholds of sensitivity s. Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_sensor_thresholds_of(fp_sensor_sensitivity s, fp_sensor_thresholds *out);

/*
 * The script of the synthetic finger. Each press renders one impression of
 * the generator's finger (seed, finger) and shows it on the sensor:
 *   blank_frames empty frames, then landing_frames frames sliding into
 *   place, then hold_frames frames held (drifting by move_px per frame),
 *   then the finger lifts; the next press uses the next impression number.
 * presses = 0 repeats forever; after the last press the sensor stays empty.
 */
typedef struct fp_sensor_synth_script {
    uint64_t seed;
    uint32_t finger;
    uint32_t first_impression;
    uint32_t presses;         /* 0 = endless */
    uint32_t blank_frames;    /* before each press */
    uint32_t landing_frames;
    uint32_t hold_frames;
    double pressure;          /* -1 very dry .. 0 normal .. +1 very wet */
    double contrast;          /* ridge darkness 0.3..1; 0 keeps the generator's draw */
    double contact;           /* contact size 0.2..1 of a full press (partial placement); 0 = 1 */
    double offset_x;          /* placement offset in pixels (partial placement at an edge) */
    double move_px;           /* drift per held frame, pixels (a moving finger) */
    double noise;             /* per-frame sensor noise, gray levels */
    int keep_distortion;      /* non-zero keeps the generator's skin distortion */
} fp_sensor_synth_script;

/* Fills *script with a normal finger: seed 1, finger 0, 2 blank, 2 landing, 6 held frames, endless. */
void fp_sensor_synth_script_init(fp_sensor_synth_script *script);

struct fp_sensor_hal;    /* sensor_hal.h */
struct fp_synth_master; /* fp/synth.h */

typedef struct fp_sensor_config {
    fp_sensor_backend backend;
    fp_sensor_sensitivity sensitivity;
    /* replay: a folder of images, or any data set fp_dataset_open reads
     * (FP_LAYOUT_AUTO). libfprint: index of the reader (decimal) or NULL for
     * the first. Borrowed for the call. */
    const char *source;
    /* replay: resolution when the set does not say; libfprint: when the reader
     * does not state it (most do not); 0 = 500. libfprint: 250..1000 or 0. */
    uint32_t dpi;
    uint32_t frame_interval_ms;  /* simulated backends: time between frames; 0 = as fast as possible */
    uint32_t replay_blank_frames;/* replay: empty frames between two images (the simulated lift); 0 = 2 */
    uint32_t replay_hold_frames; /* replay: frames each image is held; 0 = 3 */
    fp_sensor_synth_script synth;
    /* synthetic: a master to use instead of building (synth.seed,
     * synth.finger), borrowed while the sensor is open; NULL builds it.
     * Lets tests and demos pay the master's cost once for many sensors. */
    const struct fp_synth_master *synth_master;
    /* hal: the register-level interface, borrowed while the sensor is open. */
    const struct fp_sensor_hal *hal;
} fp_sensor_config;

/* Fills *config with defaults: synthetic backend, MID, the default script. */
void fp_sensor_config_init(fp_sensor_config *config);

/* ------------------------------------------------------------------------ */
/* Device                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct fp_sensor_info {
    char name[64];
    char vendor[64];
    char driver[32];   /* backend name, or libfprint's driver id */
    uint32_t width;    /* libfprint: 0 until the first frame, then the last frame's */
    uint32_t height;
    uint32_t dpi;
    /* Non-zero when the device or the data stated dpi; 0 when it is
     * config->dpi or the 500 default (libfprint readers rarely state it). */
    int dpi_stated;
} fp_sensor_info;

/*
 * Opens a sensor. Caller frees with fp_sensor_close.
 * Errors: FP_ERR_INVALID_ARGUMENT, FP_ERR_NO_MEMORY, FP_ERR_UNSUPPORTED
 * (backend not compiled in), FP_SENSOR_ERR_NO_DEVICE (no reader attached,
 * empty replay source), FP_SENSOR_ERR_DISCONNECTED / FP_SENSOR_ERR_PROTOCOL
 * (the HAL module does not answer / answers nonsense), FP_ERR_IO and the
 * dataset loader's errors for a replay source.
 */
fp_status fp_sensor_open(const fp_sensor_config *config, fp_sensor **out);
/* Closes the device and frees everything. Accepts NULL. */
void fp_sensor_close(fp_sensor *sensor);

/* Copies the device description into *info. */
fp_status fp_sensor_get_info(const fp_sensor *sensor, fp_sensor_info *info);

/* Changes the sensitivity of later captures. Errors: FP_ERR_INVALID_ARGUMENT. */
fp_status fp_sensor_set_sensitivity(fp_sensor *sensor, fp_sensor_sensitivity s);
fp_sensor_sensitivity fp_sensor_get_sensitivity(const fp_sensor *sensor);

/* ------------------------------------------------------------------------ */
/* Capture                                                                  */
/* ------------------------------------------------------------------------ */

/* Why the gate refused (or accepted) a frame. */
typedef enum fp_sensor_verdict {
    FP_SENSOR_ACCEPT = 0,
    FP_SENSOR_NO_FINGER = 1,
    FP_SENSOR_TOO_SMALL = 2,
    FP_SENSOR_TOO_WET = 3,
    FP_SENSOR_TOO_DRY = 4,
    FP_SENSOR_MOVING = 5,
    FP_SENSOR_LOW_QUALITY = 6
} fp_sensor_verdict;

/* "accept", "no-finger", "too-small", "too-wet", "too-dry", "moving", "low-quality". */
const char *fp_sensor_verdict_name(fp_sensor_verdict v);
/* The retry status of a refusal (FP_OK for FP_SENSOR_ACCEPT). */
fp_status fp_sensor_verdict_status(fp_sensor_verdict v);

/* Image statistics the gate decides on. */
typedef struct fp_sensor_stats {
    double area;          /* fraction of 16x16 blocks holding ridges */
    double dark_share;    /* ridge pixels / print pixels in those blocks (ridge-to-valley width) */
    double contrast;      /* mean block ridge-valley contrast, gray levels */
    double mean;          /* mean gray level of the ridge blocks */
    double motion;        /* mean absolute difference to the previous frame, gray levels; 0 if none */
    uint8_t quality;      /* fp_extract quality (0 when extraction was not run) */
    fp_status extract_status;
} fp_sensor_stats;

/*
 * The quality gate on its own, for tests and tools: measures image
 * (borrowed; previous may be NULL) and decides with thresholds t. ctx (may
 * be NULL: then the extractor's quality is not consulted) is used for
 * fp_extract. stats may be NULL. Returns the verdict.
 */
fp_sensor_verdict fp_sensor_gate(fp_context *ctx, const fp_sensor_thresholds *t, const fp_image *image,
                                 const fp_image *previous, fp_sensor_stats *stats);

/* An accepted frame: pixels owned by the caller (free with fp_sensor_frame_free). */
typedef struct fp_sensor_frame {
    uint8_t *pixels;  /* width * height, stride == width */
    uint32_t width;
    uint32_t height;
    uint32_t dpi;
} fp_sensor_frame;

/* Frees frame->pixels and zeroes *frame. Accepts NULL. */
void fp_sensor_frame_free(fp_sensor_frame *frame);

/* What a capture saw, for the UI and the tests. */
typedef struct fp_sensor_capture_info {
    fp_sensor_verdict verdict;  /* the accepted frame's, or the last refusal's (a press the device
                                   refused itself: the verdict of its retry status, stats zero) */
    fp_sensor_stats stats;      /* of that frame */
    uint32_t frames;            /* frames read */
    uint32_t refused;           /* settled frames the gate refused */
    uint32_t elapsed_ms;
} fp_sensor_capture_info;

/*
 * Waits up to timeout_ms (0 = forever) for a finger and captures it.
 * On FP_OK *frame holds the accepted image (caller frees). A press that
 * ended (finger lifted) without a usable frame returns the retry status of
 * the gate's last refusal (FP_RETRY_NO_FINGER, FP_RETRY_TOO_SMALL,
 * FP_SENSOR_RETRY_TOO_WET, FP_SENSOR_RETRY_TOO_DRY, FP_SENSOR_RETRY_MOVING,
 * FP_RETRY_LOW_QUALITY), or of the device's own refusal (libfprint: also
 * FP_SENSOR_RETRY_REMOVE_FINGER); call again for the next press.
 * Errors: FP_SENSOR_ERR_TIMEOUT, FP_SENSOR_ERR_CANCELLED,
 * FP_SENSOR_ERR_DISCONNECTED, FP_SENSOR_ERR_PROTOCOL, FP_ERR_NO_MEMORY;
 * libfprint also FP_ERR_IO and FP_ERR_UNSUPPORTED (its general and
 * not-supported errors; docs/sensor.md has the whole mapping).
 * After any of them the sensor stays usable: the next call reconnects or
 * resynchronises the device where the backend can.
 * info may be NULL. frame is zeroed on anything but FP_OK.
 */
fp_status fp_sensor_capture(fp_sensor *sensor, uint32_t timeout_ms, fp_sensor_frame *frame,
                            fp_sensor_capture_info *info);

/*
 * Makes the capture running on another thread return FP_SENSOR_ERR_CANCELLED
 * promptly. The request is kept until a capture consumes it, so a cancel
 * that arrives just before the capture starts is not lost; a capture that
 * returns for another reason (success, error) clears it too. Safe from any
 * thread while the sensor is open.
 */
void fp_sensor_cancel(fp_sensor *sensor);

/* ------------------------------------------------------------------------ */
/* Self-test (the terminal's Autotest menu)                                 */
/* ------------------------------------------------------------------------ */

typedef struct fp_sensor_selftest {
    int answers;         /* the device gives frames of its stated size */
    int blank_is_blank;  /* with no finger the frame has no ridge area */
    int finger_ridges;   /* with a finger the frame has ridges (gate's area and contrast) */
    double blank_area;   /* measured ridge area of the blank frame */
    double finger_area;  /* and of the finger frame */
    double finger_contrast;
} fp_sensor_selftest;

/*
 * Runs the self-test: reads frames until it has seen a blank one and a
 * finger one (the simulated backends present both on their own; a real
 * reader needs the operator's finger) or timeout_ms passes. A libfprint
 * reader delivers no frame without a finger (it detects the finger
 * itself): for it the blank check stands on that detection
 * (blank_is_blank 1, blank_area 0) and one finger frame completes the test.
 * Returns FP_OK when all three checks pass, FP_ERR_IO when a check failed
 * (see *result), or a device error.
 */
fp_status fp_sensor_self_test(fp_sensor *sensor, uint32_t timeout_ms, fp_sensor_selftest *result);

#ifdef __cplusplus
}
#endif

#endif /* FP_SENSOR_H */
