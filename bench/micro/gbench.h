/*
 * A thin C interface to Google Benchmark, so micro-benchmarks are written
 * in C: register functions, then run with Google Benchmark's own command
 * line (--benchmark_filter, --benchmark_format=json, ...).
 */
#ifndef FP_GBENCH_H
#define FP_GBENCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fpb_state fpb_state;

/* Non-zero while the benchmark should run another iteration. */
int fpb_keep_running(fpb_state *state);
/* Reports items (e.g. pixels, comparisons) processed per iteration. */
void fpb_set_items_processed(fpb_state *state, int64_t items);
/* Keeps a value alive so the compiler cannot drop the work. */
void fpb_do_not_optimize(const void *value);

/* Registers fn under name; arg is passed back to fn unchanged. */
void fpb_register(const char *name, void (*fn)(fpb_state *state, void *arg), void *arg);
/* Runs the registered benchmarks; returns the process exit code. */
int fpb_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
