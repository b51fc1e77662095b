/*
 * term_bench_util.h - the timing helpers of the terminal's benchmark
 * programs (term-bench, term-check-bench).
 */
#ifndef TERM_BENCH_UTIL_H
#define TERM_BENCH_UTIL_H

#include <time.h>

static inline double term_bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* qsort order of doubles. */
static inline int term_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif /* TERM_BENCH_UTIL_H */
