/* The counting allocator of alloc_count.h: ld --wrap targets. */
#include "alloc_count.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__real_aligned_alloc(size_t align, size_t size);
int __real_posix_memalign(void **out, size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
void *__wrap_aligned_alloc(size_t align, size_t size);
int __wrap_posix_memalign(void **out, size_t align, size_t size);

static atomic_size_t n_alloc, n_free, live, peak;
static atomic_int active;

static void gained(void *p)
{
    if (!p) return;
    atomic_store_explicit(&active, 1, memory_order_relaxed);
    atomic_fetch_add(&n_alloc, 1);
    size_t now = atomic_fetch_add(&live, malloc_usable_size(p)) + malloc_usable_size(p);
    size_t old = atomic_load(&peak);
    while (now > old && !atomic_compare_exchange_weak(&peak, &old, now)) {
    }
}

static void released(void *p)
{
    if (!p) return;
    atomic_fetch_add(&n_free, 1);
    atomic_fetch_sub(&live, malloc_usable_size(p));
}

void *__wrap_malloc(size_t size)
{
    void *p = __real_malloc(size);
    gained(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = __real_calloc(n, size);
    gained(p);
    return p;
}

void *__wrap_realloc(void *p, size_t size)
{
    /* Account the old block as released before the call: afterwards its
     * size can no longer be asked. A failed realloc keeps the old block,
     * which stays counted. */
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = __real_realloc(p, size);
    if (p && (q || size == 0)) {
        atomic_fetch_add(&n_free, 1);
        atomic_fetch_sub(&live, old);
    }
    gained(q);
    return q;
}

void __wrap_free(void *p)
{
    released(p);
    __real_free(p);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
    void *p = __real_aligned_alloc(align, size);
    gained(p);
    return p;
}

int __wrap_posix_memalign(void **out, size_t align, size_t size)
{
    int rc = __real_posix_memalign(out, align, size);
    if (rc == 0) gained(*out);
    return rc;
}

fp_alloc_stats fp_alloc_get(void)
{
    fp_alloc_stats s = {atomic_load(&n_alloc), atomic_load(&n_free), atomic_load(&live), atomic_load(&peak)};
    return s;
}

void fp_alloc_reset_peak(void)
{
    atomic_store(&peak, atomic_load(&live));
}

int fp_alloc_active(void)
{
    return atomic_load(&active);
}
