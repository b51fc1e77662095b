/*
 * Micro-benchmarks of the engine's hot kernels at every SIMD level the CPU
 * runs, plus whole extraction and comparison on generated ridge patterns
 * (no data set needed). Run: build/release/bench/fpmicro [--benchmark_format=json]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "fp/fp.h"
#include "gbench.h"
#include "kernels/kernels.h"

typedef struct kernel_case {
    const fpi_kernels *k;
} kernel_case;

static int16_t g_src[64 * 64], g_dst[8 * 8], g_bank[FPI_ORI_BINS * FPI_PERIOD_BINS * FPI_FILTER_TAPS];
static uint8_t g_img[16 * 16];

static void bench_filter(fpb_state *st, void *arg)
{
    const fpi_kernels *k = ((kernel_case *)arg)->k;
    const int16_t *src = g_src + 20 * 64 + 20;
    while (fpb_keep_running(st)) {
        k->filter_block8(src, 64, g_bank + 5 * FPI_FILTER_TAPS, g_dst, 8, FPI_FILTER_SHIFT);
        fpb_do_not_optimize(g_dst);
    }
    fpb_set_items_processed(st, 64);
}

static void bench_tensor(fpb_state *st, void *arg)
{
    const fpi_kernels *k = ((kernel_case *)arg)->k;
    int32_t out[3];
    while (fpb_keep_running(st)) {
        k->tensor_block8(g_img + 16 + 1, 16, out);
        fpb_do_not_optimize(out);
    }
    fpb_set_items_processed(st, 64);
}

/* Two pre-screening codes of 40 minutiae with about a quarter of the bits
 * set, like those of real templates: one stage-1 comparison per iteration. */
static fpi_pcode g_pa, g_pb;

static void fill_pcode(fpi_pcode *c)
{
    memset(c, 0, sizeof(*c));
    c->n = 40;
    for (int i = 0; i < 40; i++) {
        for (int b = 0; b < 128; b++)
            if (rand() % 4 == 0) {
                if (b < 64)
                    c->lo[i] |= (uint64_t)1 << b;
                else
                    c->hi[i] |= (uint64_t)1 << (b - 64);
            }
        c->pop[i] = (uint8_t)(__builtin_popcountll(c->lo[i]) + __builtin_popcountll(c->hi[i]));
    }
}

static void bench_pcode(fpb_state *st, void *arg)
{
    const fpi_kernels *k = ((kernel_case *)arg)->k;
    uint16_t best[FPI_PCODE_MAX];
    while (fpb_keep_running(st)) {
        k->pcode_best(&g_pa, &g_pb, best);
        fpb_do_not_optimize(best);
    }
    fpb_set_items_processed(st, 1);
}

/*
 * A 388x374 whorl-like pattern: concentric ridges with period 9 px, with
 * phase singularities (each adds one minutia) at fixed points.
 */
static uint8_t *make_pattern(uint32_t w, uint32_t h, double cx, double cy)
{
    static const double pts[][2] = {{100, 120}, {250, 90},  {300, 250}, {140, 280}, {200, 200}, {120, 190},
                                    {280, 160}, {190, 310}, {230, 130}, {90, 240},  {320, 200}, {160, 90}};
    uint8_t *p = malloc((size_t)w * h);
    if (!p) return NULL;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            double r = hypot(x - cx, (y - cy) * 1.2) + 3.0 * sin(x * 0.05) + 2.0 * cos(y * 0.07);
            double phase = 0;
            for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
                phase += (i % 2 ? 1 : -1) * atan2(y - pts[i][1], x - pts[i][0]);
            double v = 128 + 90 * cos(2 * M_PI * r / 9.0 + phase);
            double fade = hypot((x - w / 2.0) / (w * 0.42), (y - h / 2.0) / (h * 0.45));
            p[(size_t)y * w + x] = (uint8_t)(fade < 1 ? v : 230);
        }
    return p;
}

typedef struct whole_case {
    fp_context *ctx;
    fp_image image;
    fp_template *a, *b;
} whole_case;

static void bench_extract(fpb_state *st, void *arg)
{
    whole_case *c = arg;
    while (fpb_keep_running(st)) {
        fp_template *t = NULL;
        fp_extract(c->ctx, &c->image, &t, NULL);
        fpb_do_not_optimize(t);
        fp_template_destroy(t);
    }
    fpb_set_items_processed(st, 1);
}

static void bench_compare(fpb_state *st, void *arg)
{
    whole_case *c = arg;
    float s = 0;
    while (fpb_keep_running(st)) {
        fp_compare(c->ctx, c->a, c->b, &s);
        fpb_do_not_optimize(&s);
    }
    fpb_set_items_processed(st, 1);
}

int main(int argc, char **argv)
{
    srand(7);
    for (size_t i = 0; i < sizeof g_src / sizeof g_src[0]; i++) g_src[i] = (int16_t)(rand() % 511 - 255);
    for (size_t i = 0; i < sizeof g_img; i++) g_img[i] = (uint8_t)rand();
    fpi_filter_bank_build(g_bank);

    static const fp_simd_level levels[] = {FP_SIMD_REF, FP_SIMD_SSE41, FP_SIMD_AVX2, FP_SIMD_AVX512, FP_SIMD_NEON};
    static kernel_case cases[5];
    static char names[15][64];
    fill_pcode(&g_pa);
    fill_pcode(&g_pb);
    int nn = 0;
    for (int i = 0; i < 5; i++) {
        fp_simd_level got;
        if (fpi_kernels_select(levels[i], &got, &cases[i].k) != FP_OK) continue;
        snprintf(names[nn], sizeof names[nn], "filter_block8/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_filter, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "tensor_block8/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_tensor, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "pcode_best_40x40/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_pcode, &cases[i]);
    }

    static whole_case wc;
    uint8_t *pa = make_pattern(388, 374, 190, 180), *pb = make_pattern(388, 374, 200, 170);
    if (!pa || !pb || fp_context_create(NULL, &wc.ctx) != FP_OK) return 1;
    wc.image = (fp_image){pa, 388, 374, 388, 500};
    fp_image ib = {pb, 388, 374, 388, 500};
    if (fp_extract(wc.ctx, &wc.image, &wc.a, NULL) != FP_OK || fp_extract(wc.ctx, &ib, &wc.b, NULL) != FP_OK) {
        fprintf(stderr, "fpmicro: the generated pattern did not extract\n");
        return 1;
    }
    fpb_register("extract/388x374", bench_extract, &wc);
    fpb_register("compare/1:1", bench_compare, &wc);
    int rc = fpb_run(argc, argv);
    fp_template_destroy(wc.a);
    fp_template_destroy(wc.b);
    fp_context_destroy(wc.ctx);
    free(pa);
    free(pb);
    return rc;
}
