#include "bench_util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double fpb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double fpb_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void fpb_set_display_name(const char *dir, char *name, size_t cap)
{
    const char *p = dir + strlen(dir);
    while (p > dir && p[-1] == '/') p--;
    int slashes = 0;
    const char *q = p;
    while (q > dir) {
        if (q[-1] == '/' && ++slashes == 2) break;
        q--;
    }
    snprintf(name, cap, "%.*s", (int)(p - q), q);
}
