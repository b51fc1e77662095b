/*
 * fpmem - memory figures of the engine core for firmware (docs/embedded.md).
 *
 *   fpmem --images DIR [--context WxH] [--gallery N]
 *
 * DIR is an FVC set B folder (<finger>_<impression>.tif, fingers 101-110,
 * impressions 1-8). Prints one "name value" line per figure (bytes unless
 * the name says otherwise), measured on this build, so under qemu-arm they
 * are the ARM build's own:
 *  - heap and allocations of creating a context (default 1024 x 1024
 *    frame, and the --context size, e.g. the sensor's);
 *  - per extraction and per comparison: allocations, the most heap the call
 *    held above what was live before it, the deepest stack it used;
 *  - a gallery of N fingers (3,000 by default: the terminal's; templates
 *    extracted from DIR, reused under distinct ids): its heap, the two-stage
 *    scratch, and the allocations and stack of an identification.
 * Heap comes from the counting allocator (alloc_count.h), stack from
 * running each call on a thread whose stack was filled with a pattern and
 * finding the deepest byte it changed, minus the same for an empty call.
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc_count.h"
#include "core_engine_util.h"
#include "fp/fp.h"
#include "fp/search.h"

#define STACK_BYTES (256u << 10)
#define PAINT 0xA5
#define MAX_TEMPLATES 80

typedef void (*job_fn)(void *arg);

typedef struct stack_job {
    job_fn fn;
    void *arg;
} stack_job;

static void *stack_trampoline(void *arg)
{
    stack_job *j = arg;
    if (j->fn) j->fn(j->arg);
    return NULL;
}

/* Bytes of stack the thread running fn(arg) touched, or 0 on failure. */
static size_t stack_touched(job_fn fn, void *arg)
{
    uint8_t *base = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return 0;
    memset(base, PAINT, STACK_BYTES);
    pthread_attr_t attr;
    pthread_t th;
    stack_job job = {fn, arg};
    size_t used = 0;
    if (pthread_attr_init(&attr) == 0) {
        if (pthread_attr_setstack(&attr, base, STACK_BYTES) == 0 &&
            pthread_create(&th, &attr, stack_trampoline, &job) == 0) {
            pthread_join(th, NULL);
            size_t low = 0;
            while (low < STACK_BYTES && base[low] == PAINT) low++;
            used = STACK_BYTES - low;
        }
        pthread_attr_destroy(&attr);
    }
    munmap(base, STACK_BYTES);
    return used;
}

/* The stack a call needs: what its thread touched, less an empty thread's. */
static size_t stack_of(job_fn fn, void *arg)
{
    static size_t empty;
    if (!empty) empty = stack_touched(NULL, NULL);
    size_t used = stack_touched(fn, arg);
    return used > empty ? used - empty : 0;
}

/* One measured call: allocations, the extra heap at its peak, its stack. */
typedef struct call_cost {
    size_t allocs, peak_extra, kept, stack;
} call_cost;

typedef struct measured {
    job_fn fn;
    void *arg;
    call_cost cost;
} measured;

static void measured_run(void *arg)
{
    measured *m = arg;
    fp_alloc_reset_peak();
    fp_alloc_stats a = fp_alloc_get();
    m->fn(m->arg);
    fp_alloc_stats b = fp_alloc_get();
    m->cost.allocs = b.allocations - a.allocations;
    m->cost.peak_extra = b.peak - a.live;
    m->cost.kept = b.live > a.live ? b.live - a.live : 0;
}

static call_cost measure(job_fn fn, void *arg)
{
    measured m = {fn, arg, {0, 0, 0, 0}};
    m.cost.stack = stack_of(measured_run, &m);
    return m.cost;
}

static void cost_max(call_cost *acc, const call_cost *c)
{
    if (c->allocs > acc->allocs) acc->allocs = c->allocs;
    if (c->peak_extra > acc->peak_extra) acc->peak_extra = c->peak_extra;
    if (c->kept > acc->kept) acc->kept = c->kept;
    if (c->stack > acc->stack) acc->stack = c->stack;
}

/* The arguments and results of one measured engine call (each call uses
 * the fields it needs). */
typedef struct job {
    fp_context *ctx;
    fp_config cfg;                  /* context */
    fp_image img;                   /* extraction */
    const fp_template *a, *b;       /* comparison; a is the identification's probe */
    const fp_gallery *g;            /* identification */
    fp_identify_scratch *scratch;
    int two_stage;
    fp_template *out;
    float score;
    fp_identify_candidate cand[10];
    size_t n;
    fp_status st;
} job;

static void do_context(void *arg)
{
    job *j = arg;
    j->st = fp_context_create(&j->cfg, &j->ctx);
}

static void do_extract(void *arg)
{
    job *j = arg;
    j->st = fp_extract(j->ctx, &j->img, &j->out, NULL);
}

static void do_compare(void *arg)
{
    job *j = arg;
    j->st = fp_compare(j->ctx, j->a, j->b, &j->score);
}

static void do_identify(void *arg)
{
    job *j = arg;
    fp_identify_decision d;
    if (j->two_stage)
        j->st = fp_identify_two_stage(j->ctx, j->g, j->a, 35.0f, 0, j->scratch, 10, j->cand, &j->n, &d);
    else
        j->st = fp_identify(j->ctx, j->g, j->a, 35.0f, 10, j->cand, &j->n, &d);
}

static void print(const char *name, size_t v, const char *what)
{
    printf("%-28s %zu\t# %s\n", name, v, what);
}

/* Heap and allocations of a context of the given frame. */
static int context_figures(const char *tag, uint32_t w, uint32_t h)
{
    job j = {0};
    fp_config_init(&j.cfg);
    j.cfg.max_width = w;
    j.cfg.max_height = h;
    call_cost c = measure(do_context, &j);
    if (j.st != FP_OK) {
        fprintf(stderr, "fpmem: context %ux%u: %s\n", w, h, fp_status_message(j.st));
        return 0;
    }
    char name[64], what[96];
    snprintf(name, sizeof name, "context_%s_bytes", tag);
    snprintf(what, sizeof what, "heap of fp_context_create, %ux%u frame", w, h);
    print(name, c.kept, what);
    snprintf(name, sizeof name, "context_%s_allocs", tag);
    print(name, c.allocs, "its allocations");
    fp_context_destroy(j.ctx);
    return 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: fpmem --images FVC_SET_B_DIR [--context WxH] [--gallery N]\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    unsigned cw = 400, ch = 400;
    unsigned long gallery_n = 3000;
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 2;
        }
        if (!strcmp(argv[i], "--images"))
            dir = v;
        else if (!strcmp(argv[i], "--context") && sscanf(v, "%ux%u", &cw, &ch) == 2)
            ;
        else if (!strcmp(argv[i], "--gallery") && (gallery_n = strtoul(v, NULL, 10)) > 0)
            ;
        else {
            usage();
            return 2;
        }
    }
    if (!dir) {
        usage();
        return 2;
    }
    int rc = 1;
    fp_context *ctx = NULL;
    fp_gallery *g = NULL;
    fp_identify_scratch *scratch = NULL;
    fp_template *t[MAX_TEMPLATES] = {0};
    size_t nt = 0;

    if (!context_figures("default", 1024, 1024) || !context_figures("sensor", cw, ch)) goto done;
    if (!fp_alloc_active()) {
        fprintf(stderr, "fpmem: the counting allocator is not linked in\n");
        goto done;
    }
    fp_config cfg;
    fp_config_init(&cfg);
    cfg.max_width = cw;
    cfg.max_height = ch;
    fp_status st = fp_context_create(&cfg, &ctx);
    if (st != FP_OK) {
        fprintf(stderr, "fpmem: context: %s\n", fp_status_message(st));
        goto done;
    }
    printf("%-28s %s\t# kernels of this build and CPU\n", "simd_level", fp_simd_level_name(fp_context_simd_level(ctx)));

    /* Extraction: every image of the set. */
    call_cost ex = {0, 0, 0, 0};
    size_t images = 0;
    for (int finger = 101; finger <= 110; finger++)
        for (int imp = 1; imp <= 8; imp++) {
            fpt_image im;
            if (!fpt_load_fvc(dir, finger, imp, &im)) continue;
            job j = {.ctx = ctx, .img = {im.pixels, im.width, im.height, im.width, 500}};
            call_cost c = measure(do_extract, &j);
            fpt_image_free(&im);
            images++;
            if (j.st != FP_OK) continue; /* a retry status: nothing returned, still measured */
            cost_max(&ex, &c);
            if (nt < MAX_TEMPLATES)
                t[nt++] = j.out;
            else
                fp_template_destroy(j.out);
        }
    if (nt < 2) {
        fprintf(stderr, "fpmem: fewer than two templates from %s (%zu images read)\n", dir, images);
        goto done;
    }
    print("extract_images", images, "images of the set extracted");
    print("extract_allocs_max", ex.allocs, "allocations per extraction (the returned template's)");
    print("extract_heap_peak_max", ex.peak_extra, "most heap an extraction held above the context");
    print("extract_template_max", ex.kept, "largest returned template");
    print("extract_stack_max", ex.stack, "deepest stack of an extraction");

    /* Comparison: every pair of the templates. */
    call_cost cmp = {0, 0, 0, 0};
    size_t pairs = 0, cmp_allocs = 0;
    for (size_t a = 0; a < nt; a++)
        for (size_t b = a + 1; b < nt; b++) {
            job j = {.ctx = ctx, .a = t[a], .b = t[b]};
            call_cost c = measure(do_compare, &j);
            if (j.st != FP_OK) {
                fprintf(stderr, "fpmem: compare: %s\n", fp_status_message(j.st));
                goto done;
            }
            cost_max(&cmp, &c);
            cmp_allocs += c.allocs;
            pairs++;
        }
    print("compare_pairs", pairs, "comparisons measured");
    print("compare_allocs_total", cmp_allocs, "allocations in all of them");
    print("compare_heap_peak_max", cmp.peak_extra, "most heap a comparison held above the context");
    print("compare_stack_max", cmp.stack, "deepest stack of a comparison");

    /* A terminal gallery: the templates above under distinct ids. */
    fp_alloc_stats g0 = fp_alloc_get();
    if (fp_gallery_create(0, &g) != FP_OK) goto done;
    for (unsigned long i = 0; i < gallery_n; i++) {
        fp_gallery_id id = {(uint32_t)(i / 2), (uint8_t)(i % 2)};
        if ((st = fp_gallery_add(g, id, t[i % nt])) != FP_OK) {
            fprintf(stderr, "fpmem: gallery: %s\n", fp_status_message(st));
            goto done;
        }
    }
    fp_alloc_stats g1 = fp_alloc_get();
    if (fp_identify_scratch_create(&scratch) != FP_OK) goto done;
    job ij = {.ctx = ctx, .a = t[0], .g = g, .scratch = scratch, .two_stage = 1};
    call_cost first = measure(do_identify, &ij);
    call_cost two = measure(do_identify, &ij);
    ij.two_stage = 0;
    call_cost full = measure(do_identify, &ij);
    if (ij.st != FP_OK) {
        fprintf(stderr, "fpmem: identify: %s\n", fp_status_message(ij.st));
        goto done;
    }
    print("gallery_fingers", gallery_n, "fingers enrolled");
    print("gallery_heap", g1.live - g0.live, "heap of the gallery (templates, codes, index)");
    print("gallery_counted", fp_gallery_bytes(g), "fp_gallery_bytes");
    print("gallery_scratch", first.kept, "two-stage scratch, grown by the first query");
    print("identify_first_allocs", first.allocs, "allocations of the first two-stage query");
    print("identify_allocs", two.allocs + full.allocs, "allocations of a later two-stage query and a full scan");
    print("identify_stack_max", two.stack > full.stack ? two.stack : full.stack, "deepest stack of an identification");
    rc = 0;
done:
    fp_identify_scratch_destroy(scratch);
    fp_gallery_destroy(g);
    for (size_t i = 0; i < nt; i++) fp_template_destroy(t[i]);
    fp_context_destroy(ctx);
    return rc;
}
