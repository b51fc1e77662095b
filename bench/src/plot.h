/*
 * plot.h - PNG charts for the benchmark: DET curves, score histograms and
 * plain x/y line plots. Rendering is done here (a small RGB canvas with its
 * own 5x7 bitmap font); libpng only encodes the result.
 *
 * Every function renders into memory and writes one 8-bit RGB PNG file. No
 * global state: calls may run on several threads at once (on different
 * paths). Nothing is printed. Pointers are borrowed for the call.
 *
 * Axes:
 *  - DET: FMR on x, FNMR on y, both log10 scaled (not probit). Default
 *    ranges FMR 1e-5..1 and FNMR 1e-3..1. A rate of 0 has no place on a log
 *    axis: such points are placed far below the axis minimum so the curve
 *    runs off the edge of the plot (it is clipped there) instead of
 *    vanishing. A dashed grey diagonal marks FMR = FNMR, where the EER lies.
 *  - Histogram: linear score on x, linear "fraction of the set" on y; each
 *    set is normalised by its own total so sets of very different sizes
 *    (a few thousand genuine vs millions of impostor comparisons) compare.
 *  - Lines: linear or log10 on each axis (options); non-positive values on a
 *    log axis are handled like DET zero rates.
 *
 * Errors: FP_ERR_INVALID_ARGUMENT (NULL path, NULL arrays with non-zero
 * counts, size outside 200..4000 px, an explicit range that is not
 * increasing or not positive on a log axis), FP_ERR_NO_MEMORY, FP_ERR_IO
 * (the file cannot be created or written).
 */
#ifndef FP_BENCH_PLOT_H
#define FP_BENCH_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "fp/fp.h"
#include "metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Colour 0xRRGGBB, or FP_PLOT_AUTO to take the next palette colour. */
#define FP_PLOT_AUTO 0xFFFFFFFFu
/* Histogram colours; also the first two palette colours. */
#define FP_PLOT_GENUINE_COLOR 0x2060C0u  /* blue */
#define FP_PLOT_IMPOSTOR_COLOR 0xD03020u /* red */

typedef struct fp_plot_options {
    unsigned width;  /* pixels; 0 = 800 */
    unsigned height; /* pixels; 0 = 600 */
    const char *title;   /* NULL = none */
    const char *x_label; /* NULL = the plot kind's default */
    const char *y_label;
    /* Axis ranges. A range is used only when min < max; otherwise the plot
     * kind's default (DET, histogram edges) or the data's span (lines). */
    double x_min, x_max;
    double y_min, y_max;
    int log_x; /* fp_plot_lines only: log10 x axis when non-zero */
    int log_y; /* fp_plot_lines only */
    int markers; /* fp_plot_lines only: draw a dot at every point */
} fp_plot_options;

/* Defaults: 800x600, automatic ranges, linear axes, no title. */
void fp_plot_options_init(fp_plot_options *options);

/* One DET curve: points as produced by fp_eval_det / fp_eval_det_thin. */
typedef struct fp_plot_det_curve {
    const char *label; /* legend text; NULL leaves the curve out of it */
    const fp_eval_point *points;
    size_t count;
    uint32_t color; /* 0xRRGGBB or FP_PLOT_AUTO */
} fp_plot_det_curve;

/* One line of fp_plot_lines: count (x[i], y[i]) pairs joined in order. */
typedef struct fp_plot_series {
    const char *label;
    const double *x;
    const double *y;
    size_t count;
    uint32_t color;
} fp_plot_series;

/* DET curves (options may be NULL for the defaults). Points with a NaN
 * rate are skipped and break the line. */
fp_status fp_plot_det(const char *path, const fp_plot_options *options,
                      const fp_plot_det_curve *curves, size_t count);

/*
 * Genuine (blue) and impostor (red) histograms over the same bins + 1
 * edges (as for fp_eval_histogram), drawn as translucent bars with a solid
 * outline. Either count array may be NULL to draw one set only.
 */
fp_status fp_plot_histogram(const char *path, const fp_plot_options *options,
                            const double *edges, size_t bins,
                            const uint64_t *genuine,
                            const uint64_t *impostor);

/* Generic y-vs-x lines, e.g. latency against gallery size. */
fp_status fp_plot_lines(const char *path, const fp_plot_options *options,
                        const fp_plot_series *series, size_t count);

#ifdef __cplusplus
}
#endif

#endif /* FP_BENCH_PLOT_H */
