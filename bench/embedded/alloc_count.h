/*
 * alloc_count.h - a counting allocator for measurements and tests.
 *
 * Programs linked with the fp_alloc_count object library get malloc,
 * calloc, realloc, free, aligned_alloc and posix_memalign wrapped at link
 * time (ld --wrap): every call made from the program's own objects and the
 * static engine libraries goes through a counter before reaching the C
 * library, so the engine's allocations are seen without any hook in the
 * engine itself. Calls made inside shared libraries (the C library's own
 * stdio buffers, cmocka) are not counted. Sizes are the allocator's usable
 * sizes (malloc_usable_size), so the figures include rounding up to the
 * allocator's granule but not its block headers. Thread safe (atomics).
 */
#ifndef FP_ALLOC_COUNT_H
#define FP_ALLOC_COUNT_H

#include <stddef.h>

typedef struct fp_alloc_stats {
    size_t allocations; /* calls that returned memory: malloc, calloc, realloc to a non-zero size, aligned */
    size_t frees;       /* free of a non-NULL pointer (and reallocs to size 0) */
    size_t live;        /* bytes allocated and not yet freed */
    size_t peak;        /* highest live since the last fp_alloc_reset_peak */
} fp_alloc_stats;

/* The counters now. */
fp_alloc_stats fp_alloc_get(void);
/* Sets peak to the current live bytes (so a following peak - live is the
 * extra memory a call needed at its worst). */
void fp_alloc_reset_peak(void);
/* Non-zero when the wrappers are linked in (the counters mean something). */
int fp_alloc_active(void);

#endif
