/* Small helpers shared by the fpbench sub-commands. */
#ifndef FP_BENCH_UTIL_H
#define FP_BENCH_UTIL_H

#include <stddef.h>

/* Monotonic clock in milliseconds. */
double fpb_now_ms(void);
/* CPU time of the whole process (all its threads) in milliseconds: on a
 * machine shared with other jobs, what a run cost whatever it waited for. */
double fpb_cpu_ms(void);
/* A readable name for a data set folder: its last two path components
 * (e.g. "FVC2002/DB1_B"), written into name (capacity cap). */
void fpb_set_display_name(const char *dir, char *name, size_t cap);

#endif
