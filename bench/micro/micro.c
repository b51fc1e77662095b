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

/* A probe's pre-screening codes of 40 minutiae and a gallery finger's 16
 * stage-1 codes, with about a quarter of the bits set: one stage-1
 * comparison per iteration. */
static fpi_pcode g_pa, g_pb;
static fpi_scode g_sb;

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
        k->scode_best(&g_pa, &g_sb, best, 1);
        fpb_do_not_optimize(best);
    }
    fpb_set_items_processed(st, 1);
}

/*
 * The matcher's scans on inputs the size of a 40-minutia comparison: the
 * vote's 240 edge queries, each over a run of about 20 length-sorted
 * edges; and one alignment's 40 mapped minutiae against 40, each over
 * the band of y it reaches.
 */
enum { SCAN_EDGES = 240, SCAN_MIN = 40 };
static uint8_t g_er[SCAN_EDGES + FPI_SCAN_PAD], g_eo[SCAN_EDGES + FPI_SCAN_PAD];
static uint16_t g_qlo[SCAN_EDGES], g_qhi[SCAN_EDGES];
static uint8_t g_qdr[SCAN_EDGES], g_qdo[SCAN_EDGES];
static uint32_t g_hits[SCAN_EDGES * SCAN_EDGES];
static int16_t g_xlo[SCAN_MIN], g_xhi[SCAN_MIN], g_ylo[SCAN_MIN], g_yhi[SCAN_MIN];
static int16_t g_bx[SCAN_MIN + FPI_SCAN_PAD], g_by[SCAN_MIN + FPI_SCAN_PAD];
static uint8_t g_klo[SCAN_MIN], g_khi[SCAN_MIN], g_band[SCAN_MIN + 1];
static fpi_pair_query g_pq;
static uint16_t g_cand[SCAN_MIN * SCAN_MIN];

static int cmp_i16(const void *a, const void *b)
{
    return *(const int16_t *)a - *(const int16_t *)b;
}

static void fill_scans(void)
{
    for (int q = 0; q < SCAN_EDGES + FPI_SCAN_PAD; q++) {
        g_er[q] = (uint8_t)rand();
        g_eo[q] = (uint8_t)rand();
    }
    for (int i = 0; i < SCAN_EDGES; i++) {
        int lo = rand() % (SCAN_EDGES - 30);
        g_qlo[i] = (uint16_t)lo;
        g_qhi[i] = (uint16_t)(lo + 10 + rand() % 21);
        g_qdr[i] = (uint8_t)rand();
        g_qdo[i] = (uint8_t)rand();
    }
    /* b's minutiae over 300 x 400 px, sorted by y as the matcher lays them out. */
    int16_t ys[SCAN_MIN];
    for (int k = 0; k < SCAN_MIN; k++) ys[k] = (int16_t)(rand() % 400);
    qsort(ys, SCAN_MIN, sizeof(ys[0]), cmp_i16);
    for (int k = 0; k < SCAN_MIN; k++) {
        g_bx[k] = (int16_t)(rand() % 300);
        g_by[k] = ys[k];
    }
    /* One band per minutia, so a query's run is exactly the minutiae in its y range. */
    for (int k = 0; k <= SCAN_MIN; k++) g_band[k] = (uint8_t)k;
    for (int j = 0; j < SCAN_MIN; j++) {
        int cx = rand() % 300, cy = rand() % 400, rad = 8 + rand() % 24;
        g_xlo[j] = (int16_t)(cx - rad - 1);
        g_xhi[j] = (int16_t)(cx + rad + 1);
        g_ylo[j] = (int16_t)(cy - rad - 1);
        g_yhi[j] = (int16_t)(cy + rad + 1);
        int lo = 0;
        while (lo < SCAN_MIN && g_by[lo] < cy - rad) lo++;
        int hi = lo;
        while (hi < SCAN_MIN && g_by[hi] <= cy + rad) hi++;
        g_klo[j] = (uint8_t)lo;
        g_khi[j] = (uint8_t)hi;
    }
    g_pq = (fpi_pair_query){g_xlo, g_xhi, g_ylo, g_yhi, g_klo, g_khi, g_band, SCAN_MIN, g_bx, g_by};
}

static void bench_edge_scan(fpb_state *st, void *arg)
{
    const fpi_kernels *k = ((kernel_case *)arg)->k;
    while (fpb_keep_running(st)) {
        int n = k->edge_scan(g_er, g_eo, g_qlo, g_qhi, g_qdr, g_qdo, SCAN_EDGES, 28, g_hits, SCAN_EDGES * SCAN_EDGES);
        fpb_do_not_optimize(&n);
    }
    fpb_set_items_processed(st, SCAN_EDGES);
}

static void bench_pair_scan(fpb_state *st, void *arg)
{
    const fpi_kernels *k = ((kernel_case *)arg)->k;
    while (fpb_keep_running(st)) {
        int n = k->pair_scan(&g_pq, g_cand);
        fpb_do_not_optimize(&n);
    }
    fpb_set_items_processed(st, SCAN_MIN);
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
    static char names[25][64];
    fill_pcode(&g_pa);
    fill_pcode(&g_pb);
    for (int j = 0; j < FPI_SCODE_CODES; j++) {
        g_sb.lo[j] = g_pb.lo[j];
        g_sb.hi[j] = g_pb.hi[j];
    }
    fill_scans();
    int nn = 0;
    for (int i = 0; i < 5; i++) {
        fp_simd_level got;
        if (fpi_kernels_select(levels[i], &got, &cases[i].k) != FP_OK) continue;
        snprintf(names[nn], sizeof names[nn], "filter_block8/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_filter, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "tensor_block8/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_tensor, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "scode_best_40x16/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_pcode, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "edge_scan_240/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_edge_scan, &cases[i]);
        snprintf(names[nn], sizeof names[nn], "pair_scan_40x40/%s", fp_simd_level_name(got));
        fpb_register(names[nn++], bench_pair_scan, &cases[i]);
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
