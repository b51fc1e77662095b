/*
 * fpbench - benchmarks of the engine on data sets in FVC layout.
 *
 *   fpbench accuracy DIR... [--protocol fvc|all-pairs|both] [--json F] [--plots DIR] [--markdown F] [--scores F]
 *                   [--distort PX [--distort-seed S]] [--skin S [--skin-seed N]]
 *                              (DIR@TDIR: minutiae from the templates in TDIR instead of the extractor;
 *                               --scores: one line per comparison, the file rewritten by each run;
 *                               --distort: every image plastically distorted first, bench/src/distort.h;
 *                               --skin: every impression dry, wet or normal first, bench/src/skin.h)
 *   fpbench calibrate DIR...   raw impostor score quantiles for the calibration table
 *   fpbench enroll DIR...      merged 3-press templates against single presses
 *   fpbench speed DIR...       extraction and 1:1 comparisons per second on one core
 *   fpbench extraction ...     minutiae against the generator's ground truth (extraction.c)
 *   fpbench realism DIR...     synthetic against real data (extraction.c)
 *   fpbench skin DIR...        extraction on the same images rendered dry and wet (extraction.c)
 *   fpbench distortion DIR...  each image against itself distorted: what extraction and matcher lose (extraction.c)
 *   fpbench edges DIR...       how alike different fingers' local structure is (edge agreements)
 *   fpbench search ...         1:N latency and FPIR on synthetic galleries (search_bench.c)
 *   fpbench gallery-stress ... the gallery file under concurrent processes (gallery_stress.c)
 *
 * Each sample is decoded once (not timed), extracted once (timed), then
 * every pair of the protocol is compared (timed). Failures to extract count
 * as failures to enrol: their comparisons score 0, as FVC does.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_util.h"
#include "distort.h"
#include "skin.h"
#include "extraction.h"
#include "search_bench.h"
#include "gallery_stress.h"
#include "fp/dataset.h"
#include "fp/fp.h"
#include "fp/fpio.h"
#include "match/match.h"
#include "metrics.h"
#include "plot.h"
#include "report.h"


static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct set_data {
    fp_dataset *ds;
    char name[256];
    size_t n;
    fp_template **t;
    size_t fte;
    double median_extract_ms, mean_extract_ms;
} set_data;

/* Plastic distortion and skin condition applied to every image of a set
 * before extraction (the condition first, then the distortion). */
typedef struct distort_opts {
    double strength; /* pixels; 0: none */
    uint64_t seed;
    double skin; /* 0..1; 0: none */
    uint64_t skin_seed;
} distort_opts;

/* On success the image takes the rendered pixels; otherwise they are dropped. */
static fp_status take_pixels(fp_io_image *img, uint8_t *out, fp_status st)
{
    if (st != FP_OK) {
        free(out);
        return st;
    }
    free(img->pixels);
    img->pixels = out;
    return FP_OK;
}

/* Renders impression `index` of a set dry, wet or normal (skin.h). */
static fp_status skin_image(const distort_opts *o, size_t index, fp_io_image *img)
{
    fp_eval_skin c;
    fp_status st = fp_eval_skin_draw(o->skin, o->skin_seed, index, &c);
    uint8_t *out = st == FP_OK ? malloc((size_t)img->width * img->height) : NULL;
    if (st == FP_OK && !out) st = FP_ERR_NO_MEMORY;
    if (st == FP_OK) st = fp_eval_skin_apply(&c, img->pixels, img->width, img->height, out);
    return take_pixels(img, out, st);
}

/* Distorts img in place as impression `index` of a set (distort.h). */
static fp_status distort_image(const distort_opts *o, size_t index, fp_io_image *img)
{
    fp_eval_distortion d;
    fp_status st = fp_eval_distortion_draw(img->pixels, img->width, img->height, o->strength, o->seed, index, &d);
    uint8_t *out = st == FP_OK ? malloc((size_t)img->width * img->height) : NULL;
    if (st == FP_OK && !out) st = FP_ERR_NO_MEMORY;
    if (st == FP_OK) st = fp_eval_distortion_apply(&d, img->pixels, img->width, img->height, out);
    return take_pixels(img, out, st);
}

static const distort_opts no_distortion = {0, 1, 0, 1};

static int load_set(fp_context *ctx, const char *dir, const distort_opts *distort, set_data *sd)
{
    memset(sd, 0, sizeof(*sd));
    /* DIR@TDIR: the images of DIR, the minutiae of the templates in TDIR. */
    char image_dir[4096];
    snprintf(image_dir, sizeof image_dir, "%s", dir);
    char *at = strchr(image_dir, '@');
    const char *tdir = NULL;
    if (at) {
        *at = 0;
        tdir = at + 1;
    }
    dir = image_dir;
    fp_status st = fp_dataset_open(dir, FP_LAYOUT_AUTO, &sd->ds);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench: %s: %s\n", dir, sd->ds ? fp_dataset_error_detail(sd->ds) : fp_status_message(st));
        fp_dataset_destroy(sd->ds);
        sd->ds = NULL;
        return 0;
    }
    fpb_set_display_name(dir, sd->name, sizeof sd->name);
    if (distort->skin > 0) {
        const size_t len = strlen(sd->name);
        snprintf(sd->name + len, sizeof sd->name - len, " skin %g", distort->skin);
    }
    if (distort->strength > 0) {
        const size_t len = strlen(sd->name);
        snprintf(sd->name + len, sizeof sd->name - len, " distorted %g px", distort->strength);
    }
    if (tdir) {
        char tname[256];
        fpb_set_display_name(tdir, tname, sizeof tname);
        const size_t len = strlen(sd->name);
        snprintf(sd->name + len, sizeof sd->name - len, " (%s)", tname);
    }
    sd->n = fp_dataset_count(sd->ds);
    sd->t = calloc(sd->n ? sd->n : 1, sizeof(*sd->t));
    double *times = calloc(sd->n ? sd->n : 1, sizeof(double));
    if (!sd->t || !times) {
        free(times);
        return 0;
    }
    size_t timed = 0;
    double total = 0;
    /* Failures by status: "please retry" ones are the set's failures to
     * enrol; any other is an engine or data error and is named. */
    size_t by_status[256] = {0};
    size_t errors_shown = 0;
    for (size_t i = 0; i < sd->n; i++) {
        const fp_sample *s = fp_dataset_sample(sd->ds, i);
        uint32_t dpi = s->dpi ? s->dpi : fp_dataset_default_dpi(sd->ds);
        if (!dpi) dpi = 500;
        if (!tdir && (dpi < 250 || dpi > 1000)) {
            /* The engine processes 250..1000 dpi: a set stated outside it
             * measures nothing, so it is refused rather than scored. */
            fprintf(stderr, "fpbench: %s: %u dpi (dpi.txt or the layout's default), outside the 250..1000 dpi the engine processes; set skipped\n",
                    sd->name, dpi);
            free(times);
            return 0;
        }
        fp_io_image img;
        st = fp_io_load(s->path, &img);
        if (st == FP_OK && distort->skin > 0) {
            st = skin_image(distort, i, &img);
            if (st != FP_OK) fp_io_image_free(&img);
        }
        if (st == FP_OK && distort->strength > 0) {
            st = distort_image(distort, i, &img);
            if (st != FP_OK) fp_io_image_free(&img);
        }
        if (st != FP_OK) {
            fprintf(stderr, "fpbench: %s: %s\n", s->path, fp_status_message(st));
            sd->fte++;
            continue;
        }
        fp_image im = {img.pixels, img.width, img.height, img.width, dpi};
        double t0 = fpb_now_ms();
        if (tdir) {
            st = fp_dataset_load_template(tdir, s->path, img.width, img.height, im.dpi, &sd->t[i]);
            if (st != FP_OK) fprintf(stderr, "fpbench: template for %s in %s: %s\n", s->path, tdir, fp_status_message(st));
        } else {
            st = fp_extract(ctx, &im, &sd->t[i], NULL);
        }
        double dt = fpb_now_ms() - t0;
        times[timed++] = dt;
        total += dt;
        if (st != FP_OK) {
            sd->fte++;
            by_status[(unsigned)st & 255u]++;
            if (!tdir && !fp_status_is_retry(st) && errors_shown++ < 5)
                fprintf(stderr, "fpbench: %s: %s (%s)\n", s->path, fp_status_message(st), fp_status_name(st));
        }
        fp_io_image_free(&img);
    }
    for (unsigned c = 0; c < 256; c++)
        if (by_status[c])
            fprintf(stderr, "fpbench: %s: %zu of %zu samples not enrolled: %s (%s)\n", sd->name, by_status[c], sd->n,
                    fp_status_message((fp_status)c), fp_status_name((fp_status)c));
    qsort(times, timed, sizeof(double), cmp_double);
    sd->median_extract_ms = timed ? times[timed / 2] : NAN;
    sd->mean_extract_ms = timed ? total / (double)timed : NAN;
    free(times);
    return 1;
}

static void free_set(set_data *sd)
{
    for (size_t i = 0; sd->t && i < sd->n; i++) fp_template_destroy(sd->t[i]);
    free(sd->t);
    fp_dataset_destroy(sd->ds);
}

static float score_pair(fp_context *ctx, const set_data *sd, fp_pair p)
{
    if (!sd->t[p.a] || !sd->t[p.b]) return 0.0f;
    float s = 0;
    fp_compare(ctx, sd->t[p.a], sd->t[p.b], &s);
    return s;
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (*s == '/') *s = '_';
}

static int cmd_accuracy(int argc, char **argv)
{
    const char *json = NULL, *plots = NULL, *markdown = NULL, *scores_path = NULL;
    int want_fvc = 1, want_all = 1;
    const char *dirs[64];
    int ndirs = 0;
    distort_opts distort = {0, 1, 0, 1};
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--distort") && i + 1 < argc) {
            char *end = NULL;
            distort.strength = strtod(argv[++i], &end);
            if (!end || *end || !(distort.strength >= 0) || distort.strength > 200) {
                fprintf(stderr, "fpbench: --distort: expected a strength in pixels from 0 to 200, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--skin") && i + 1 < argc) {
            char *end = NULL;
            distort.skin = strtod(argv[++i], &end);
            if (!end || *end || !(distort.skin >= 0) || distort.skin > 1) {
                fprintf(stderr, "fpbench: --skin: expected a severity from 0 to 1, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--skin-seed") && i + 1 < argc) {
            char *end = NULL;
            distort.skin_seed = strtoull(argv[++i], &end, 10);
            if (!end || *end) {
                fprintf(stderr, "fpbench: --skin-seed: expected a whole number, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--distort-seed") && i + 1 < argc) {
            char *end = NULL;
            distort.seed = strtoull(argv[++i], &end, 10);
            if (!end || *end) {
                fprintf(stderr, "fpbench: --distort-seed: expected a whole number, got '%s'\n", argv[i]);
                return 2;
            }
        }
        else if (!strcmp(argv[i], "--plots") && i + 1 < argc) plots = argv[++i];
        else if (!strcmp(argv[i], "--markdown") && i + 1 < argc) markdown = argv[++i];
        else if (!strcmp(argv[i], "--scores") && i + 1 < argc) scores_path = argv[++i];
        else if (!strcmp(argv[i], "--protocol") && i + 1 < argc) {
            const char *p = argv[++i];
            want_fvc = !strcmp(p, "fvc") || !strcmp(p, "both");
            want_all = !strcmp(p, "all-pairs") || !strcmp(p, "both");
            if (!want_fvc && !want_all) {
                fprintf(stderr, "fpbench: unknown protocol %s\n", p);
                return 2;
            }
        } else if (ndirs < 64) dirs[ndirs++] = argv[i];
    }
    if (!ndirs) {
        fprintf(stderr, "usage: fpbench accuracy DIR[@TEMPLATEDIR]... [--protocol fvc|all-pairs|both] [--json FILE] [--plots DIR] [--markdown FILE] [--scores FILE] [--distort PX [--distort-seed S]] [--skin S [--skin-seed N]]\n");
        return 2;
    }
    if (scores_path) {
        /* The run's scores replace the file's; each set appends below. */
        FILE *f = fopen(scores_path, "w");
        if (!f) {
            fprintf(stderr, "fpbench: --scores %s: %s\n", scores_path, strerror(errno));
            return 1;
        }
        fclose(f);
    }
    fp_context *ctx;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench: %s\n", fp_status_message(st));
        return 1;
    }
    printf("engine SIMD level: %s\n", fp_simd_level_name(fp_context_simd_level(ctx)));
    if (plots) mkdir(plots, 0755);
    fp_eval_result results[128];
    char names[128][300];
    size_t nres = 0;
    fp_plot_det_curve curves[128];
    size_t ncurves = 0;
    int rc = 0;
    for (int d = 0; d < ndirs; d++) {
        set_data sd;
        if (!load_set(ctx, dirs[d], &distort, &sd)) {
            free_set(&sd);
            rc = 1;
            continue;
        }
        if (sd.fte == sd.n) {
            /* Every comparison would score 0: an EER of 50 % that says
             * nothing about the matcher. */
            fprintf(stderr, "fpbench: %s: no sample enrolled (%zu tried), nothing measured\n", sd.name, sd.n);
            free_set(&sd);
            rc = 1;
            continue;
        }
        for (int proto = 0; proto < 2; proto++) {
            if ((proto == 0 && !want_fvc) || (proto == 1 && !want_all)) continue;
            fp_pair *gen = NULL, *imp = NULL;
            size_t ng = 0, ni = 0;
            st = fp_dataset_pairs(sd.ds, proto == 0 ? FP_PROTOCOL_FVC : FP_PROTOCOL_ALL_PAIRS, &gen, &ng, &imp, &ni);
            if (st != FP_OK) {
                fprintf(stderr, "fpbench: %s: %s\n", sd.name, fp_status_message(st));
                rc = 1;
                continue;
            }
            float *gs = malloc((ng + 1) * sizeof(float)), *is = malloc((ni + 1) * sizeof(float));
            double t0 = fpb_now_ms();
            for (size_t i = 0; i < ng; i++) gs[i] = score_pair(ctx, &sd, gen[i]);
            for (size_t i = 0; i < ni; i++) is[i] = score_pair(ctx, &sd, imp[i]);
            double dt = fpb_now_ms() - t0;
            if (scores_path) {
                /* One line per comparison: set, protocol, kind, sample a, sample b, score. */
                FILE *f = fopen(scores_path, "a");
                if (!f) {
                    fprintf(stderr, "fpbench: --scores %s: %s\n", scores_path, strerror(errno));
                } else {
                    for (size_t i = 0; i < ng; i++)
                        fprintf(f, "%s\t%d\tgenuine\t%s\t%s\t%.3f\n", sd.name, proto, fp_dataset_sample(sd.ds, gen[i].a)->path,
                                fp_dataset_sample(sd.ds, gen[i].b)->path, (double)gs[i]);
                    for (size_t i = 0; i < ni; i++)
                        fprintf(f, "%s\t%d\timpostor\t%s\t%s\t%.3f\n", sd.name, proto, fp_dataset_sample(sd.ds, imp[i].a)->path,
                                fp_dataset_sample(sd.ds, imp[i].b)->path, (double)is[i]);
                    fclose(f);
                }
            }
            fp_eval_scores *scores;
            st = fp_eval_scores_create(gs, ng, is, ni, &scores);
            if (st == FP_OK && nres < 128) {
                static const double thr[3] = {20, 30, 40};
                fp_eval_result *r = &results[nres];
                st = fp_eval_result_compute(scores, thr, 3, r);
                if (st == FP_OK) {
                    snprintf(names[nres], sizeof names[nres], "%s", sd.name);
                    r->dataset = names[nres];
                    r->protocol = proto == 0 ? "fvc" : "all-pairs";
                    r->fte_count = sd.fte;
                    r->mean_extract_ms = sd.median_extract_ms;
                    r->mean_compare_us = (ng + ni) ? dt * 1e3 / (double)(ng + ni) : NAN;
                    if (proto == 1 && ncurves < 128) {
                        curves[ncurves].label = names[nres];
                        curves[ncurves].points = r->det;
                        curves[ncurves].count = r->det_count;
                        curves[ncurves].color = FP_PLOT_AUTO;
                        ncurves++;
                    }
                    if (plots) {
                        double edges[51];
                        uint64_t hg[50], hi[50];
                        fp_eval_uniform_edges(0.0, 100.0, 50, edges);
                        uint64_t above_g = 0, above_i = 0;
                        if (fp_eval_histogram(gs, ng, edges, 50, hg, NULL, &above_g) == FP_OK &&
                            fp_eval_histogram(is, ni, edges, 50, hi, NULL, &above_i) == FP_OK) {
                            hg[49] += above_g; /* scores past the last edge go in the last bin */
                            hi[49] += above_i;
                            char path[4096], title[400], base[300];
                            snprintf(base, sizeof base, "%s", sd.name);
                            sanitize(base);
                            snprintf(path, sizeof path, "%s/hist_%s_%s.png", plots, base, r->protocol);
                            snprintf(title, sizeof title, "%s (%s): genuine vs impostor scores", sd.name, r->protocol);
                            fp_plot_options o;
                            fp_plot_options_init(&o);
                            o.title = title;
                            o.x_label = "score = -10 log10(FMR)";
                            fp_plot_histogram(path, &o, edges, 50, hg, hi);
                        }
                    }
                    nres++;
                }
                fp_eval_scores_destroy(scores);
            }
            free(gs);
            free(is);
            free(gen);
            free(imp);
        }
        free_set(&sd);
    }
    if (nres == 0) {
        fprintf(stderr, "fpbench: nothing measured\n");
        rc = 1;
    }
    printf("\n");
    fp_eval_report_markdown(stdout, results, nres);
    if (markdown) {
        FILE *f = fopen(markdown, "w");
        if (f) {
            fp_eval_report_markdown(f, results, nres);
            fclose(f);
        }
    }
    if (json && fp_eval_report_write(json, results, nres) != FP_OK) {
        fprintf(stderr, "fpbench: cannot write %s\n", json);
        rc = 1;
    }
    if (plots && ncurves) {
        char path[4096];
        snprintf(path, sizeof path, "%s/det_all_pairs.png", plots);
        fp_plot_options o;
        fp_plot_options_init(&o);
        o.title = "DET, all-pairs protocol";
        fp_plot_det(path, &o, curves, ncurves);
    }
    printf("\nFMR measured at thresholds (intended: 20 -> 1%%, 30 -> 0.1%%, 40 -> 0.01%%):\n");
    for (size_t i = 0; i < nres; i++)
        printf("  %-16s %-9s FMR@20 %.4f%%  FMR@30 %.4f%%  FMR@40 %.4f%%  (impostors %zu)\n", results[i].dataset,
               results[i].protocol, 100 * results[i].fmr_at[0], 100 * results[i].fmr_at[1], 100 * results[i].fmr_at[2],
               results[i].summary.impostor_count);
    for (size_t i = 0; i < nres; i++) fp_eval_result_clear(&results[i]);
    fp_context_destroy(ctx);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Prints the raw impostor score exceeded with probability 10^(-s/10). */
static int cmd_calibrate(int argc, char **argv)
{
    fp_context *ctx;
    if (fp_context_create(NULL, &ctx) != FP_OK) return 1;
    fpi_match_ws *mws = malloc(sizeof(*mws));
    if (!mws || fpi_match_ws_init(mws, NULL) != FP_OK) return 1;
    size_t cap = 1 << 20, n = 0;
    uint32_t *raw = malloc(cap * sizeof(uint32_t));
    for (int d = 0; d < argc; d++) {
        set_data sd;
        if (!load_set(ctx, argv[d], &no_distortion, &sd)) continue;
        fp_pair *imp = NULL;
        size_t ni = 0, ng = 0;
        if (fp_dataset_pairs(sd.ds, FP_PROTOCOL_ALL_PAIRS, NULL, &ng, &imp, &ni) == FP_OK) {
            for (size_t i = 0; i < ni && n < cap; i++)
                if (sd.t[imp[i].a] && sd.t[imp[i].b]) raw[n++] = fpi_match_raw(mws, sd.t[imp[i].a], sd.t[imp[i].b]);
        }
        free(imp);
        free_set(&sd);
    }
    qsort(raw, n, sizeof(uint32_t), cmp_u32);
    printf("%zu impostor comparisons\n", n);
    for (int s = 5; s <= 40; s += 5) {
        double fmr = pow(10.0, -s / 10.0);
        double k = fmr * (double)n;
        if (k < 1) {
            printf("score %2d (FMR %.0e): not resolved by %zu impostors\n", s, fmr, n);
            continue;
        }
        size_t idx = n - (size_t)k;
        printf("score %2d (FMR %.0e): raw %u (count above %.0f)\n", s, fmr, raw[idx], k);
    }
    printf("max raw %u\n", n ? raw[n - 1] : 0);
    free(raw);
    free(mws);
    fp_context_destroy(ctx);
    return 0;
}

/* The edge agreements of the comparison just made: every agreement gave
 * two votes (compare_body.h, vote), over the na x nb table. */
static double edge_agreements(const fpi_match_ws *ws, int na, int nb)
{
    uint64_t sum = 0;
    for (int i = 0; i < na * nb; i++) sum += ws->votes[i];
    return (double)sum / 2.0;
}

/*
 * How alike the local structure of different fingers is: the mean number of
 * neighbour edges that agree (length and both angles within the vote's
 * tolerances) in genuine and in impostor all-pairs comparisons, and the
 * impostors' per 1000 pairs of compared minutiae. Real sets against the
 * generator's (docs/realism.md): chance agreements are what a looser local
 * test lets impostors pair with.
 */
static int cmd_edges(int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "usage: fpbench edges DIR...\n");
        return 2;
    }
    fp_context *ctx;
    if (fp_context_create(NULL, &ctx) != FP_OK) return 1;
    fpi_match_ws *mws = malloc(sizeof(*mws));
    if (!mws || fpi_match_ws_init(mws, NULL) != FP_OK) {
        fprintf(stderr, "fpbench edges: out of memory\n");
        free(mws);
        fp_context_destroy(ctx);
        return 1;
    }
    printf("| set | compared minutiae | edge agreements, genuine | impostor | impostor, per 1000 minutia pairs |\n");
    printf("|---|---:|---:|---:|---:|\n");
    int rc = 0;
    for (int d = 0; d < argc; d++) {
        set_data sd;
        if (!load_set(ctx, argv[d], &no_distortion, &sd)) {
            rc = 1;
            continue;
        }
        fp_pair *gen = NULL, *imp = NULL;
        size_t ng = 0, ni = 0;
        double g_sum = 0, i_sum = 0, i_rate = 0, minutiae = 0;
        size_t g_n = 0, i_n = 0;
        if (fp_dataset_pairs(sd.ds, FP_PROTOCOL_ALL_PAIRS, &gen, &ng, &imp, &ni) == FP_OK) {
            for (size_t k = 0; k < ng + ni; k++) {
                const fp_pair p = k < ng ? gen[k] : imp[k - ng];
                const fp_template *a = sd.t[p.a], *b = sd.t[p.b];
                if (!a || !b) continue;
                fpi_match_raw(mws, a, b);
                const int na = fpi_match_count(a), nb = fpi_match_count(b);
                const double e = edge_agreements(mws, na, nb);
                if (k < ng) {
                    g_sum += e;
                    g_n++;
                } else {
                    i_sum += e;
                    i_rate += na && nb ? 1000.0 * e / ((double)na * nb) : 0.0;
                    minutiae += 0.5 * (na + nb);
                    i_n++;
                }
            }
        } else {
            rc = 1;
        }
        printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", sd.name, i_n ? minutiae / (double)i_n : 0.0,
               g_n ? g_sum / (double)g_n : 0.0, i_n ? i_sum / (double)i_n : 0.0, i_n ? i_rate / (double)i_n : 0.0);
        free(gen);
        free(imp);
        free_set(&sd);
    }
    free(mws);
    fp_context_destroy(ctx);
    return rc;
}

/*
 * Enrolment benefit: per finger, impressions 1-3 are enrolled; impressions
 * 4-8 of the same finger are genuine probes, those of the other fingers
 * impostor probes. The merged template is compared with impression 1 alone.
 */
static int cmd_enroll(int argc, char **argv)
{
    fp_context *ctx;
    if (fp_context_create(NULL, &ctx) != FP_OK) return 1;
    printf("| set | template | genuine | impostor | mean genuine score | FNMR@30 %% | FNMR@40 %% | EER %% | refused presses |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int d = 0; d < argc; d++) {
        set_data sd;
        if (!load_set(ctx, argv[d], &no_distortion, &sd)) continue;
        /* Index samples by finger (subject) and impression. */
        uint32_t fingers[1024];
        size_t nf = 0;
        for (size_t i = 0; i < sd.n; i++) {
            uint32_t f = fp_dataset_sample(sd.ds, i)->subject;
            size_t k = 0;
            while (k < nf && fingers[k] != f) k++;
            if (k == nf && nf < 1024) fingers[nf++] = f;
        }
        fp_template **enrolled = calloc(nf, sizeof(*enrolled));
        fp_template **single = calloc(nf, sizeof(*single));
        uint8_t *offered = calloc(sd.n, 1);
        size_t refused = 0;
        for (size_t k = 0; k < nf; k++) {
            fp_enroll *e;
            fp_enroll_create(3, &e);
            /* Like the terminal, a refused press is followed by another one:
             * impressions are offered in order until three are accepted. The
             * impressions offered are not used as probes. */
            uint32_t remaining = 3;
            for (uint32_t imp = 1; imp <= 8 && remaining; imp++)
                for (size_t i = 0; i < sd.n; i++) {
                    const fp_sample *s = fp_dataset_sample(sd.ds, i);
                    if (s->subject != fingers[k] || s->impression != imp) continue;
                    offered[i] = 1;
                    if (imp == 1) single[k] = sd.t[i];
                    if (!sd.t[i] || fp_enroll_add(e, ctx, sd.t[i], &remaining) != FP_OK) refused++;
                }
            if (fp_enroll_finish(e, ctx, &enrolled[k]) != FP_OK) enrolled[k] = NULL;
            fp_enroll_destroy(e);
        }
        for (int variant = 0; variant < 2; variant++) {
            fp_template **ref = variant ? enrolled : single;
            float gs[4096], is[65536];
            size_t ng = 0, ni = 0;
            double sum = 0;
            for (size_t k = 0; k < nf; k++)
                for (size_t i = 0; i < sd.n; i++) {
                    const fp_sample *s = fp_dataset_sample(sd.ds, i);
                    if (s->impression < 4 || offered[i]) continue;
                    float sc = 0;
                    if (ref[k] && sd.t[i]) fp_compare(ctx, ref[k], sd.t[i], &sc);
                    if (s->subject == fingers[k]) {
                        if (ng < 4096) gs[ng++] = sc;
                        sum += sc;
                    } else if (ni < 65536) {
                        is[ni++] = sc;
                    }
                }
            fp_eval_scores *scores;
            fp_eval_summary sum_out;
            if (fp_eval_scores_create(gs, ng, is, ni, &scores) != FP_OK) continue;
            fp_eval_summarize(scores, &sum_out);
            printf("| %s | %s | %zu | %zu | %.1f | %.2f | %.2f | %.2f | %zu |\n", sd.name,
                   variant ? "enrolled (3 presses)" : "single press", ng, ni, ng ? sum / (double)ng : 0.0,
                   100 * fp_eval_fnmr(scores, 30), 100 * fp_eval_fnmr(scores, 40), 100 * sum_out.eer,
                   variant ? refused : (size_t)0);
            fp_eval_scores_destroy(scores);
        }
        for (size_t k = 0; k < nf; k++) fp_template_destroy(enrolled[k]);
        free(enrolled);
        free(single);
        free(offered);
        free_set(&sd);
    }
    fp_context_destroy(ctx);
    return 0;
}

/*
 * Speed on one core: extraction (median per image, decode excluded) and 1:1
 * comparisons per second over every pair of the set's templates, repeated
 * for at least two seconds.
 */
static int cmd_speed(int argc, char **argv)
{
    fp_context *ctx;
    if (fp_context_create(NULL, &ctx) != FP_OK) return 1;
    printf("| set | templates | mean minutiae | extract ms (median) | comparisons/s (1 core) | us per comparison |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int d = 0; d < argc; d++) {
        set_data sd;
        if (!load_set(ctx, argv[d], &no_distortion, &sd)) continue;
        size_t nt = 0, minutiae = 0;
        for (size_t i = 0; i < sd.n; i++)
            if (sd.t[i]) {
                nt++;
                minutiae += fp_template_minutiae_count(sd.t[i]);
            }
        /* Whole all-pairs passes for about 2 s (at least 3); the fastest
         * pass is reported, which keeps other load on the machine out of
         * the figure. */
        double t0 = fpb_now_ms(), best_ms = 0;
        uint64_t per_pass = 0;
        float sink = 0;
        for (int pass = 0; pass < 3 || fpb_now_ms() - t0 < 2000.0; pass++) {
            double p0 = fpb_now_ms();
            uint64_t done = 0;
            for (size_t i = 0; i < sd.n; i++)
                for (size_t j = i + 1; j < sd.n; j++) {
                    if (!sd.t[i] || !sd.t[j]) continue;
                    float s;
                    fp_compare(ctx, sd.t[i], sd.t[j], &s);
                    sink += s;
                    done++;
                }
            double ms = fpb_now_ms() - p0;
            if (pass == 0 || ms < best_ms) best_ms = ms;
            per_pass = done;
        }
        double per_s = best_ms > 0 ? (double)per_pass / (best_ms / 1e3) : 0;
        printf("| %s | %zu | %.1f | %.2f | %.0f | %.1f |\n", sd.name, nt, nt ? (double)minutiae / (double)nt : 0.0,
               sd.median_extract_ms, per_s, 1e6 / per_s);
        if (sink < 0) printf("\n");
        free_set(&sd);
    }
    fp_context_destroy(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "speed")) return cmd_speed(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "extraction")) return fpbench_extraction(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "realism")) return fpbench_realism(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "skin")) return fpbench_skin(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "distortion")) return fpbench_distortion(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "search")) return fpbench_search(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "gallery-stress")) return fpbench_gallery_stress(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "enroll")) return cmd_enroll(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "accuracy")) return cmd_accuracy(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "calibrate")) return cmd_calibrate(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "edges")) return cmd_edges(argc - 2, argv + 2);
    fprintf(stderr,
            "usage: fpbench accuracy|calibrate|enroll|speed DIR...\n"
            "       fpbench extraction [--json F] [--images N] [--seed S]\n"
            "       fpbench realism DIR... [--synthetic N] [--seed S] [--profile P] [--difficulty D] [--plots DIR]"
            " [--json F]\n"
            "       fpbench skin DIR... [--skin S] [--seed N]\n"
            "       fpbench distortion DIR... [--distort PX] [--seed N]\n"
            "       fpbench edges DIR...\n"
            "       fpbench search [--sizes N,N...] [--threads 1,2] (see docs/search.md)\n"
            "       fpbench gallery-stress [--seconds S] [--writers N] [--readers R] (docs/search.md)\n");
    return 2;
}
