/*
 * term_bench.c - the terminal's 1:N verification time, frame to decision,
 * on one core:
 *
 *   captured frame (synthetic sensor) -> fp_extract -> term_gallery_identify
 *   over the enrolled fingers -> threshold decision (1:N Threshold Value)
 *
 *   term-bench [--gallery 3000] [--probes 20] [--seed 11] [--cache out/term-bench-gallery.bin]
 *
 * The gallery holds `probes` fingers enrolled the way the terminal enrols
 * (three rendered presses merged by fp_enroll_*), plus synthetic fast-mode
 * templates up to `gallery` fingers. The templates are cached in a file so
 * later runs skip building them. Probes are a later press of each enrolled
 * finger (genuine) and of as many fingers never enrolled (impostors).
 * Prints the median and 95th percentile of each stage in milliseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fp/fp.h"
#include "fp/search.h"
#include "fp/sensor.h"
#include "fp/synth.h"
#include "term_bench_util.h"
#include "term_gallery.h"
#include "term_press.h"


static void stats(const char *what, double *v, size_t n)
{
    if (n == 0) return;
    qsort(v, n, sizeof(*v), term_bench_cmp_double);
    size_t p95 = (size_t)((double)(n - 1) * 0.95 + 0.5);
    printf("  %-28s median %8.2f ms   p95 %8.2f ms   (n=%zu)\n", what, v[n / 2], v[p95], n);
}


typedef struct entry {
    char uid[TERM_USER_ID_MAX + 1];
    uint32_t len;
    uint8_t data[4096];
} entry;

/* The cache is keyed by gallery size, seed, the number of enrolled fingers
 * (the probes: with another probe count the enrolled set differs) and a
 * digest of one finger enrolled now, so a changed extractor or enrolment
 * rebuilds it. */
static int load_cache(const char *path, entry *e, size_t n, uint64_t seed, size_t enrolled, uint64_t tag)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint64_t hdr[4];
    int ok = fread(hdr, sizeof(hdr), 1, f) == 1 && hdr[0] == n && hdr[1] == seed && hdr[2] == enrolled &&
             hdr[3] == tag;
    for (size_t i = 0; ok && i < n; i++) {
        ok = fread(e[i].uid, sizeof(e[i].uid), 1, f) == 1 && fread(&e[i].len, sizeof(e[i].len), 1, f) == 1 &&
             e[i].len <= sizeof(e[i].data) && fread(e[i].data, e[i].len, 1, f) == 1;
    }
    fclose(f);
    return ok ? 0 : -1;
}

static void save_cache(const char *path, const entry *e, size_t n, uint64_t seed, size_t enrolled, uint64_t tag)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "term-bench: cannot write the cache %s: %s (continuing)\n", path, strerror(errno));
        return;
    }
    uint64_t hdr[4] = {n, seed, enrolled, tag};
    int ok = fwrite(hdr, sizeof(hdr), 1, f) == 1;
    for (size_t i = 0; ok && i < n; i++)
        ok = fwrite(e[i].uid, sizeof(e[i].uid), 1, f) == 1 && fwrite(&e[i].len, sizeof(e[i].len), 1, f) == 1 &&
             fwrite(e[i].data, e[i].len, 1, f) == 1;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "term-bench: cannot write the cache %s (continuing)\n", path);
        remove(path);
    }
}

static int serialize(const fp_template *t, entry *e)
{
    size_t len = 0;
    if (fp_template_serialize(t, FP_FORMAT_NATIVE, e->data, sizeof(e->data), &len) != FP_OK) return -1;
    e->len = (uint32_t)len;
    return 0;
}

/* Enrols finger f like the terminal, three presses merged, into e. */
static int enrol_finger(fp_context *ctx, const fp_synth_master *m, uint64_t seed, size_t f, entry *e)
{
    fp_enroll *en = NULL;
    fp_template *merged = NULL;
    if (fp_enroll_create(3, &en) != FP_OK) return -1;
    for (uint32_t imp = 0; imp < 12 && !merged; imp++) {
        fp_sensor_frame fr;
        memset(&fr, 0, sizeof(fr));
        fp_template *t = NULL;
        if (term_press_synthetic_frame(m, seed, (uint32_t)f, imp, &fr) == FP_OK) {
            fp_image img = {fr.pixels, fr.width, fr.height, fr.width, fr.dpi};
            uint32_t remaining = 1;
            if (fp_extract(ctx, &img, &t, NULL) == FP_OK && fp_enroll_add(en, ctx, t, &remaining) == FP_OK &&
                remaining == 0)
                fp_enroll_finish(en, ctx, &merged);
        }
        fp_template_destroy(t);
        fp_sensor_frame_free(&fr);
    }
    fp_enroll_destroy(en);
    int rc = merged && serialize(merged, e) == 0 ? 0 : -1;
    fp_template_destroy(merged);
    snprintf(e->uid, sizeof(e->uid), "%zu", f + 1);
    return rc;
}

/* FNV-1a digest of finger 0 enrolled now (extraction and merging both show
 * in it; 0 when it cannot be made: the cache is then simply rebuilt). */
static uint64_t engine_tag(fp_context *ctx, const fp_synth_master *m, uint64_t seed)
{
    entry tmp;
    if (enrol_finger(ctx, m, seed, 0, &tmp) != 0) return 0;
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < tmp.len; i++) h = (h ^ tmp.data[i]) * 1099511628211ull;
    return h;
}

int main(int argc, char **argv)
{
    size_t gallery_n = 3000, probes = 20;
    uint64_t seed = 11;
    const char *cache = "out/term-bench-gallery.bin";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--gallery") == 0 && i + 1 < argc)
            gallery_n = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--probes") == 0 && i + 1 < argc)
            probes = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc)
            cache = argv[++i];
        else {
            fprintf(stderr, "usage: term-bench [--gallery N] [--probes P] [--seed S] [--cache FILE]\n");
            return 2;
        }
    }
    if (probes == 0 || probes > gallery_n || gallery_n > 100000) {
        fprintf(stderr, "term-bench: need 1 <= probes <= gallery <= 100000\n");
        return 2;
    }
    /* one core: the terminal's verification runs on one thread */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    int pinned = sched_setaffinity(0, sizeof(set), &set) == 0;

    fp_context *ctx = NULL;
    term_gallery *g = NULL;
    entry *e = calloc(gallery_n, sizeof(*e));
    fp_synth_master **masters = calloc(2 * probes, sizeof(*masters));
    double *t_extract = calloc(2 * probes, sizeof(double)), *t_search = calloc(2 * probes, sizeof(double)),
           *t_total = calloc(2 * probes, sizeof(double)), *t_capture = calloc(2 * probes, sizeof(double)),
           *t_engine = calloc(2 * probes, sizeof(double));
    fp_gallery *eg = NULL;
    int rc = 1;
    if (!e || !masters || !t_extract || !t_search || !t_total || !t_capture || !t_engine) goto done;
    if (fp_context_create(NULL, &ctx) != FP_OK || term_gallery_create(ctx, &g) != TERM_OK) goto done;

    double t0 = term_bench_now_ms();
    for (size_t f = 0; f < 2 * probes; f++)
        if (fp_synth_master_create(seed, (uint32_t)f, &masters[f]) != FP_OK) goto done;
    printf("built %zu synthetic fingers in %.1f s\n", 2 * probes, (term_bench_now_ms() - t0) / 1e3);

    const uint64_t tag = engine_tag(ctx, masters[0], seed);
    if (load_cache(cache, e, gallery_n, seed, probes, tag) == 0) {
        printf("gallery: %zu templates from %s\n", gallery_n, cache);
    } else {
        t0 = term_bench_now_ms();
        for (size_t f = 0; f < probes; f++) {
            /* enrolled like the terminal: three presses merged */
            if (enrol_finger(ctx, masters[f], seed, f, &e[f]) != 0) {
                fprintf(stderr, "term-bench: cannot enrol finger %zu\n", f);
                goto done;
            }
        }
        for (size_t i = probes; i < gallery_n; i++) {
            fp_template *t = NULL;
            /* fast-mode fingers far from the rendered ones' numbers */
            if (fp_synth_fast_template(seed, (uint32_t)(100000 + i), 0, &t) != FP_OK || serialize(t, &e[i]) != 0) {
                fp_template_destroy(t);
                goto done;
            }
            fp_template_destroy(t);
            snprintf(e[i].uid, sizeof(e[i].uid), "%zu", i + 1);
        }
        printf("gallery: built %zu templates in %.1f s, cached in %s\n", gallery_n, (term_bench_now_ms() - t0) / 1e3,
               cache);
        save_cache(cache, e, gallery_n, seed, probes, tag);
    }
    for (size_t i = 0; i < gallery_n; i++)
        if (term_gallery_put(g, e[i].uid, 0, e[i].data, e[i].len) != TERM_OK) goto done;
    /* the engine's own 1:N scan over the same templates, for comparison */
    if (fp_gallery_create(gallery_n, &eg) != FP_OK) goto done;
    for (size_t i = 0; i < gallery_n; i++) {
        fp_template *t = NULL;
        fp_gallery_id id = {(uint32_t)(i + 1), 0};
        if (fp_template_deserialize(FP_FORMAT_NATIVE, e[i].data, e[i].len, &t) != FP_OK ||
            fp_gallery_add(eg, id, t) != FP_OK) {
            fp_template_destroy(t);
            goto done;
        }
        fp_template_destroy(t);
    }

    const float threshold = 35.0f; /* the 1:N Threshold Value default */
    /* the terminal's own 1:N port (the store is not used by it) */
    term_services svc = {NULL, g};
    term_verify_ops ops;
    term_services_ops(&svc, &ops);
    size_t n = 0, true_accept = 0, false_accept = 0, wrong_id = 0;
    for (size_t f = 0; f < 2 * probes; f++) {
        int genuine = f < probes;
        fp_sensor_frame fr;
        memset(&fr, 0, sizeof(fr));
        double c0 = term_bench_now_ms();
        fp_status st = term_press_synthetic_frame(masters[f], seed, (uint32_t)f, 5, &fr);
        double c1 = term_bench_now_ms();
        if (st != FP_OK) {
            fprintf(stderr, "term-bench: probe %zu not captured: %s\n", f, fp_status_message(st));
            continue;
        }
        fp_image img = {fr.pixels, fr.width, fr.height, fr.width, fr.dpi};
        fp_template *t = NULL;
        double a = term_bench_now_ms();
        st = fp_extract(ctx, &img, &t, NULL);
        double b = term_bench_now_ms();
        char uid[TERM_USER_ID_MAX + 1] = "";
        float score = 0;
        term_status ts = st == FP_OK ? ops.identify_finger(ops.ctx, t, uid, &score) : TERM_ERR_BAD_TEMPLATE;
        int accept = ts == TERM_OK && score > threshold;
        double c = term_bench_now_ms();
        if (st == FP_OK) {
            fp_identify_candidate cand;
            size_t got = 0;
            fp_identify_decision dec;
            double e0 = term_bench_now_ms();
            fp_identify(ctx, eg, t, threshold, 1, &cand, &got, &dec);
            t_engine[n] = term_bench_now_ms() - e0;
        }
        fp_template_destroy(t);
        fp_sensor_frame_free(&fr);
        if (st != FP_OK) continue;
        t_capture[n] = c1 - c0;
        t_extract[n] = b - a;
        t_search[n] = c - b;
        t_total[n] = c - a;
        n++;
        char want[TERM_USER_ID_MAX + 1];
        snprintf(want, sizeof(want), "%zu", f + 1);
        if (genuine && accept && strcmp(uid, want) == 0) true_accept++;
        if (genuine && accept && strcmp(uid, want) != 0) wrong_id++;
        if (!genuine && accept) false_accept++;
    }
    printf("1:N on %s core%s, gallery %zu fingers, threshold %.0f, engine SIMD %s\n", pinned ? "one" : "one (unpinned)",
           "", term_gallery_count(g), threshold, fp_simd_level_name(fp_context_simd_level(ctx)));
    stats("extraction", t_extract, n);
    stats("1:N search + decision", t_search, n);
    stats("frame to decision", t_total, n);
    stats("(simulated capture, not counted)", t_capture, n);
    stats("(engine fp_identify, same gallery)", t_engine, n);
    printf("  genuine accepted %zu/%zu, wrong identity %zu, impostors accepted %zu/%zu\n", true_accept, probes,
           wrong_id, false_accept, probes);
    rc = 0;
done:
    if (rc) fprintf(stderr, "term-bench: failed\n");
    if (masters)
        for (size_t f = 0; f < 2 * probes; f++) fp_synth_master_destroy(masters[f]);
    free(masters);
    free(e);
    free(t_extract);
    free(t_search);
    free(t_total);
    free(t_capture);
    free(t_engine);
    fp_gallery_destroy(eg);
    term_gallery_destroy(g);
    fp_context_destroy(ctx);
    return rc;
}
