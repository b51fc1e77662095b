/*
 * extraction.c - fpbench extraction / fpbench realism.
 *
 * extraction: renders synthetic impressions in memory per sensor profile and
 * pressure, extracts them, and scores the extracted minutiae against the
 * generator's ground truth.
 *
 * realism: puts a synthetic set (any profile and difficulty preset) next to
 * real sets: minutia counts, image quality, the matcher's genuine and
 * impostor scores, and an acceptance table of the score distributions
 * against the pooled real sets (within a factor of two).
 */
#include "extraction.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fp/dataset.h"
#include "fp/fp.h"
#include "fp/fpio.h"
#include "bench_util.h"
#include "fp/synth.h"
#include "metrics.h"
#include "plot.h"
#include "skin.h"
#include "distort.h"
#include "core/internal.h"
#include "match/match.h"

#define PI_D 3.14159265358979323846

static double now_s(void)
{
    return fpb_now_ms() / 1e3;
}

/* Difference of two 1/256-turn angles on the full circle, in degrees. */
static double angle_diff_deg(uint8_t a, uint8_t b)
{
    int d = (a - b) & 255;
    if (d > 128) d = 256 - d;
    return d * (360.0 / 256.0);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end) return 0;
    *out = (uint64_t)v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Minutia correspondence                                                   */
/* ------------------------------------------------------------------------ */

typedef struct cand_pair {
    uint32_t d2x100; /* squared distance x 100, for an exact integer sort */
    uint16_t g, e;
} cand_pair;

static int cmp_cand_pair(const void *pa, const void *pb)
{
    const cand_pair *a = pa, *b = pb;
    if (a->d2x100 != b->d2x100) return a->d2x100 < b->d2x100 ? -1 : 1;
    if (a->g != b->g) return a->g < b->g ? -1 : 1;
    return (a->e > b->e) - (a->e < b->e);
}

/*
 * Greedy one-to-one correspondence: every (ground truth, extracted) pair
 * within max_px and, when max_deg >= 0, within max_deg on the full circle,
 * taken closest first. g_to_e / e_to_g receive the partner index or -1.
 * Returns the number of pairs, or (size_t)-1 when memory runs out.
 */
static size_t match_greedy(const fp_minutia *g, size_t ng, const fp_minutia *e, size_t ne, double max_px,
                           double max_deg, int *g_to_e, int *e_to_g)
{
    for (size_t i = 0; i < ng; i++) g_to_e[i] = -1;
    for (size_t j = 0; j < ne; j++) e_to_g[j] = -1;
    if (!ng || !ne) return 0;
    cand_pair *c = malloc(ng * ne * sizeof(*c));
    if (!c) return (size_t)-1;
    size_t nc = 0;
    const double lim = max_px * max_px;
    for (size_t i = 0; i < ng; i++)
        for (size_t j = 0; j < ne; j++) {
            double dx = (double)g[i].x - e[j].x, dy = (double)g[i].y - e[j].y;
            double d2 = dx * dx + dy * dy;
            if (d2 > lim) continue;
            if (max_deg >= 0 && angle_diff_deg(g[i].angle, e[j].angle) > max_deg) continue;
            c[nc].d2x100 = (uint32_t)(d2 * 100.0 + 0.5);
            c[nc].g = (uint16_t)i;
            c[nc].e = (uint16_t)j;
            nc++;
        }
    qsort(c, nc, sizeof(*c), cmp_cand_pair);
    size_t n = 0;
    for (size_t k = 0; k < nc; k++) {
        if (g_to_e[c[k].g] >= 0 || e_to_g[c[k].e] >= 0) continue;
        g_to_e[c[k].g] = c[k].e;
        e_to_g[c[k].e] = c[k].g;
        n++;
    }
    free(c);
    return n;
}

/*
 * Chamfer (3-4) distance of every foreground pixel to the nearest background
 * pixel, the outside of the image counting as background; dist is in thirds
 * of a pixel.
 */
static void mask_distance(const uint8_t *mask, uint32_t w, uint32_t h, uint32_t *dist)
{
    const uint32_t inf = UINT32_MAX / 2;
    for (size_t i = 0; i < (size_t)w * h; i++) dist[i] = mask[i] ? inf : 0;
#define DT_AT(xx, yy) (((xx) < 0 || (yy) < 0 || (xx) >= (int)w || (yy) >= (int)h) ? 0u : dist[(size_t)(yy) * w + (size_t)(xx)])
#define DT_MIN(v, cand) \
    do {                \
        uint32_t c_ = (cand); \
        if (c_ < (v)) (v) = c_; \
    } while (0)
    for (int y = 0; y < (int)h; y++)
        for (int x = 0; x < (int)w; x++) {
            uint32_t v = dist[(size_t)y * w + (size_t)x];
            if (!v) continue;
            DT_MIN(v, DT_AT(x - 1, y) + 3);
            DT_MIN(v, DT_AT(x - 1, y - 1) + 4);
            DT_MIN(v, DT_AT(x, y - 1) + 3);
            DT_MIN(v, DT_AT(x + 1, y - 1) + 4);
            dist[(size_t)y * w + (size_t)x] = v;
        }
    for (int y = (int)h - 1; y >= 0; y--)
        for (int x = (int)w - 1; x >= 0; x--) {
            uint32_t v = dist[(size_t)y * w + (size_t)x];
            if (!v) continue;
            DT_MIN(v, DT_AT(x + 1, y) + 3);
            DT_MIN(v, DT_AT(x + 1, y + 1) + 4);
            DT_MIN(v, DT_AT(x, y + 1) + 3);
            DT_MIN(v, DT_AT(x - 1, y + 1) + 4);
            dist[(size_t)y * w + (size_t)x] = v;
        }
#undef DT_AT
#undef DT_MIN
}

/*
 * Whether an image point lies where the generator keeps ground truth: inside
 * the contact ellipse (the generator's bound is 0.85 in squared relative
 * radius; 0.80 leaves room for the plastic distortion, which this rigid
 * inverse ignores) and at least 12 px from the border (the generator's 8 px
 * plus the same slack).
 */
static int in_truth_area(const fp_synth_impression_params *p, double x, double y)
{
    if (x < 12 || y < 12 || x > (double)p->width - 13 || y > (double)p->height - 13) return 0;
    double ux = x - (p->width / 2.0 + p->dx), uy = y - (p->height / 2.0 + p->dy);
    double a = p->rotation_deg * (PI_D / 180.0), c = cos(a), s = sin(a);
    double ex = (c * ux - s * uy) / p->contact_ax, ey = (s * ux + c * uy) / p->contact_ay;
    return ex * ex + ey * ey <= 0.80;
}

/* ------------------------------------------------------------------------ */
/* fpbench extraction                                                       */
/* ------------------------------------------------------------------------ */

#define EXT_MAX_PX 8.0
#define EXT_MAX_DEG 20.0
#define EXT_FG_MARGIN 16

static const fp_synth_profile k_profiles[3] = {FP_SYNTH_OPTICAL, FP_SYNTH_OPTICAL_LARGE, FP_SYNTH_CAPACITIVE};
static const char *const k_pressure_names[3] = {"dry", "normal", "wet"};
/* The generator's scale runs from -1 (very dry) to +1 (very wet); its
 * default draw stays within +-0.4. */
static const double k_pressures[3] = {-0.7, 0.0, 0.7};

typedef struct ext_cell {
    size_t images, failures, ok;
    size_t gt, ex;              /* totals over extracted images */
    size_t match, match_type;   /* 8 px + 20 deg pairs; those with equal types */
    size_t gt_fg, match_fg;     /* ground truth >= 16 px inside the mask */
    size_t ex_in, match_ex_in;  /* extracted minutiae inside the truth area */
    double pos_err, ang_err;    /* sums over the pairs */
    /* Position-only pairs (8 px, any angle) by ground-truth type (1, 2):
     * angle error as it is and with the truth turned by 180 degrees. */
    size_t pos_pairs[3], pos_opposite[3];
    double pos_ang[3], pos_ang_flip[3];
} ext_cell;

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static void score_image(ext_cell *cell, const fp_synth_impression *imp, const fp_template *t, const uint32_t *dist,
                        uint32_t dw, uint32_t dh)
{
    size_t ng = 0;
    const fp_minutia *g = fp_synth_impression_minutiae(imp, &ng);
    const fp_synth_impression_params *p = fp_synth_impression_get_params(imp);
    size_t ne = fp_template_minutiae_count(t);
    const fp_minutia *e = fp_template_minutiae(t);
    int *g_to_e = malloc((ng + 1) * sizeof(int)), *e_to_g = malloc((ne + 1) * sizeof(int));
    if (!g_to_e || !e_to_g) goto done;
    cell->gt += ng;
    cell->ex += ne;
    size_t n = match_greedy(g, ng, e, ne, EXT_MAX_PX, EXT_MAX_DEG, g_to_e, e_to_g);
    if (n == (size_t)-1) goto done;
    cell->match += n;
    for (size_t i = 0; i < ng; i++) {
        int j = g_to_e[i];
        if (j >= 0) {
            double dx = (double)g[i].x - e[j].x, dy = (double)g[i].y - e[j].y;
            cell->pos_err += sqrt(dx * dx + dy * dy);
            cell->ang_err += angle_diff_deg(g[i].angle, e[j].angle);
            cell->match_type += g[i].type == e[j].type;
        }
        if (dist && g[i].x < dw && g[i].y < dh && dist[(size_t)g[i].y * dw + g[i].x] >= 3u * EXT_FG_MARGIN) {
            cell->gt_fg++;
            cell->match_fg += j >= 0;
        }
    }
    for (size_t j = 0; j < ne; j++)
        if (in_truth_area(p, e[j].x, e[j].y)) {
            cell->ex_in++;
            cell->match_ex_in += e_to_g[j] >= 0;
        }
    /* Angle convention check: pair by position alone, then compare angles. */
    if (match_greedy(g, ng, e, ne, EXT_MAX_PX, -1.0, g_to_e, e_to_g) == (size_t)-1) goto done;
    for (size_t i = 0; i < ng; i++) {
        int j = g_to_e[i];
        int ty = g[i].type <= 2 ? g[i].type : 0;
        if (j < 0) continue;
        double d = angle_diff_deg(g[i].angle, e[j].angle);
        cell->pos_pairs[ty]++;
        cell->pos_ang[ty] += d;
        cell->pos_ang_flip[ty] += angle_diff_deg((uint8_t)(g[i].angle + 128), e[j].angle);
        cell->pos_opposite[ty] += d > 90.0;
    }
done:
    free(g_to_e);
    free(e_to_g);
}

static cJSON *ext_cell_json(const ext_cell *c, const char *profile, const char *pressure, double pressure_value)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "profile", profile);
    cJSON_AddStringToObject(o, "pressure", pressure);
    cJSON_AddNumberToObject(o, "pressure_value", pressure_value);
    cJSON_AddNumberToObject(o, "images", (double)c->images);
    cJSON_AddNumberToObject(o, "failures", (double)c->failures);
    cJSON_AddNumberToObject(o, "mean_gt", ratio((double)c->gt, (double)c->ok));
    cJSON_AddNumberToObject(o, "mean_extracted", ratio((double)c->ex, (double)c->ok));
    cJSON_AddNumberToObject(o, "matched", (double)c->match);
    cJSON_AddNumberToObject(o, "matched_same_type", (double)c->match_type);
    cJSON_AddNumberToObject(o, "precision", ratio((double)c->match, (double)c->ex));
    cJSON_AddNumberToObject(o, "precision_truth_area", ratio((double)c->match_ex_in, (double)c->ex_in));
    cJSON_AddNumberToObject(o, "recall", ratio((double)c->match, (double)c->gt));
    cJSON_AddNumberToObject(o, "recall_foreground", ratio((double)c->match_fg, (double)c->gt_fg));
    cJSON_AddNumberToObject(o, "recall_same_type", ratio((double)c->match_type, (double)c->gt));
    cJSON_AddNumberToObject(o, "mean_position_error_px", ratio(c->pos_err, (double)c->match));
    cJSON_AddNumberToObject(o, "mean_angle_error_deg", ratio(c->ang_err, (double)c->match));
    cJSON_AddNumberToObject(o, "same_type_share", ratio((double)c->match_type, (double)c->match));
    cJSON *conv = cJSON_AddArrayToObject(o, "angle_convention");
    static const char *const tn[3] = {"other", "ending", "bifurcation"};
    for (int t = 1; t <= 2; t++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "gt_type", tn[t]);
        cJSON_AddNumberToObject(x, "position_pairs", (double)c->pos_pairs[t]);
        cJSON_AddNumberToObject(x, "mean_angle_error_deg", ratio(c->pos_ang[t], (double)c->pos_pairs[t]));
        cJSON_AddNumberToObject(x, "mean_angle_error_flipped_deg", ratio(c->pos_ang_flip[t], (double)c->pos_pairs[t]));
        cJSON_AddNumberToObject(x, "share_over_90_deg", ratio((double)c->pos_opposite[t], (double)c->pos_pairs[t]));
        cJSON_AddItemToArray(conv, x);
    }
    return o;
}

static int write_json(const char *path, cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text) return 0;
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    cJSON_free(text);
    return ok;
}

int fpbench_extraction(int argc, char **argv)
{
    const char *json = NULL;
    uint64_t images = 40, seed = 1;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--images") && i + 1 < argc && parse_u64(argv[i + 1], &images) && images > 0 &&
                 images <= 100000)
            i++;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_u64(argv[i + 1], &seed))
            i++;
        else {
            fprintf(stderr, "usage: fpbench extraction [--json FILE] [--images N] [--seed S]\n");
            return 2;
        }
    }
    double t0 = now_s();
    fp_context *ctx = NULL;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench: %s\n", fp_status_message(st));
        return 1;
    }
    /* Masters dominate the cost (0.1-0.7 s each), so each one serves two
     * impressions per cell; every cell sees the same fingers and, across
     * pressures, the same placements, so pressure is the only change. */
    uint32_t nmasters = (uint32_t)((images + 1) / 2);
    fp_synth_master **masters = calloc(nmasters, sizeof(*masters));
    uint32_t *dist = malloc((size_t)2048 * 2048 * sizeof(uint32_t));
    ext_cell cells[3][3];
    memset(cells, 0, sizeof cells);
    int rc = 0;
    if (!masters || !dist) {
        rc = 1;
        goto out;
    }
    for (uint32_t f = 0; f < nmasters; f++)
        if ((st = fp_synth_master_create(seed, f, &masters[f])) != FP_OK) {
            fprintf(stderr, "fpbench: master %u: %s\n", f, fp_status_message(st));
            rc = 1;
            goto out;
        }
    for (int pi = 0; pi < 3; pi++)
        for (int qi = 0; qi < 3; qi++) {
            ext_cell *cell = &cells[pi][qi];
            for (uint64_t i = 0; i < images; i++) {
                uint32_t f = (uint32_t)(i % nmasters), k = (uint32_t)(i / nmasters);
                fp_synth_impression_params prm;
                fp_synth_impression *imp = NULL;
                if (fp_synth_impression_params_draw(seed, f, k, k_profiles[pi], 0, &prm) != FP_OK) continue;
                prm.pressure = k_pressures[qi];
                if ((st = fp_synth_impression_render(masters[f], &prm, &imp)) != FP_OK) {
                    fprintf(stderr, "fpbench: render: %s\n", fp_status_message(st));
                    rc = 1;
                    continue;
                }
                uint32_t w, h;
                const uint8_t *px = fp_synth_impression_pixels(imp, &w, &h);
                fp_image im = {px, w, h, w, prm.dpi};
                fp_template *t = NULL;
                cell->images++;
                st = fp_extract(ctx, &im, &t, NULL);
                if (st != FP_OK) {
                    cell->failures++;
                } else {
                    uint32_t mw = 0, mh = 0;
                    const uint8_t *mask = fp_debug_plane_get(ctx, FP_DEBUG_MASK, &mw, &mh);
                    int have = mask && mw == w && mh == h;
                    if (have) mask_distance(mask, mw, mh, dist);
                    cell->ok++;
                    score_image(cell, imp, t, have ? dist : NULL, mw, mh);
                }
                fp_template_destroy(t);
                fp_synth_impression_destroy(imp);
            }
        }
    printf("Extractor vs synthetic ground truth (seed %llu, %llu images per cell, %u fingers).\n",
           (unsigned long long)seed, (unsigned long long)images, nmasters);
    printf("A pair: within %.0f px and %.0f deg (full circle), one-to-one, closest first, any type.\n\n", EXT_MAX_PX,
           EXT_MAX_DEG);
    printf("| profile | pressure | images | FTE | GT/img | extracted/img | precision | precision (truth area) | recall "
           "| recall (>=%d px in mask) | recall (same type) | pos err px | angle err deg | same type %% |\n",
           EXT_FG_MARGIN);
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int pi = 0; pi < 3; pi++)
        for (int qi = 0; qi < 3; qi++) {
            const ext_cell *c = &cells[pi][qi];
            printf("| %s | %s (%+.1f) | %zu | %zu | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.1f | %.1f |\n",
                   fp_synth_profile_name(k_profiles[pi]), k_pressure_names[qi], k_pressures[qi], c->images,
                   c->failures, ratio((double)c->gt, (double)c->ok), ratio((double)c->ex, (double)c->ok),
                   ratio((double)c->match, (double)c->ex), ratio((double)c->match_ex_in, (double)c->ex_in),
                   ratio((double)c->match, (double)c->gt), ratio((double)c->match_fg, (double)c->gt_fg),
                   ratio((double)c->match_type, (double)c->gt), ratio(c->pos_err, (double)c->match),
                   ratio(c->ang_err, (double)c->match), 100.0 * ratio((double)c->match_type, (double)c->match));
        }
    printf("\nAngle convention check: pairs by position only (%.0f px, any angle), by ground-truth type.\n\n",
           EXT_MAX_PX);
    printf("| profile | pressure | GT type | pairs | angle err deg (as is) | angle err deg (GT + 180) | share > 90 deg |\n");
    printf("|---|---|---|---:|---:|---:|---:|\n");
    for (int pi = 0; pi < 3; pi++)
        for (int qi = 0; qi < 3; qi++)
            for (int ty = 1; ty <= 2; ty++) {
                const ext_cell *c = &cells[pi][qi];
                printf("| %s | %s | %s | %zu | %.1f | %.1f | %.3f |\n", fp_synth_profile_name(k_profiles[pi]),
                       k_pressure_names[qi], ty == 1 ? "ending" : "bifurcation", c->pos_pairs[ty],
                       ratio(c->pos_ang[ty], (double)c->pos_pairs[ty]),
                       ratio(c->pos_ang_flip[ty], (double)c->pos_pairs[ty]),
                       ratio((double)c->pos_opposite[ty], (double)c->pos_pairs[ty]));
            }
    printf("\n%.1f s\n", now_s() - t0);
    if (json) {
        cJSON *root = cJSON_CreateObject();
        if (root) {
            cJSON_AddStringToObject(root, "command", "extraction");
            cJSON_AddNumberToObject(root, "seed", (double)seed);
            cJSON_AddNumberToObject(root, "images_per_cell", (double)images);
            cJSON_AddNumberToObject(root, "fingers", nmasters);
            cJSON_AddNumberToObject(root, "max_distance_px", EXT_MAX_PX);
            cJSON_AddNumberToObject(root, "max_angle_deg", EXT_MAX_DEG);
            cJSON_AddNumberToObject(root, "foreground_margin_px", EXT_FG_MARGIN);
            cJSON *arr = cJSON_AddArrayToObject(root, "cells");
            for (int pi = 0; pi < 3; pi++)
                for (int qi = 0; qi < 3; qi++)
                    cJSON_AddItemToArray(arr, ext_cell_json(&cells[pi][qi], fp_synth_profile_name(k_profiles[pi]),
                                                            k_pressure_names[qi], k_pressures[qi]));
        }
        if (!root || !write_json(json, root)) {
            fprintf(stderr, "fpbench: cannot write %s\n", json);
            rc = 1;
        }
        cJSON_Delete(root);
    }
out:
    for (uint32_t f = 0; masters && f < nmasters; f++) fp_synth_master_destroy(masters[f]);
    free(masters);
    free(dist);
    fp_context_destroy(ctx);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* fpbench realism                                                          */
/* ------------------------------------------------------------------------ */

/* Per-image measurements, real or synthetic. */
typedef struct rl_image {
    fp_template *t; /* NULL when extraction failed */
    uint32_t finger; /* identity within its set */
    int has_quality;
    uint8_t quality;
    uint8_t cls; /* synthetic only: fp_synth_class */
    double period_mean, period_cv; /* extractor's ridge period over the mask */
} rl_image;

typedef struct rl_set {
    char name[256];
    int synthetic;
    size_t n, fte;
    rl_image *img;
    float *gen, *imp; /* all-pairs scores */
    size_t ng, ni;
    uint8_t *imp_same_class; /* synthetic: whether an impostor pair shares a class */
} rl_set;

static void rl_set_free(rl_set *s)
{
    for (size_t i = 0; s->img && i < s->n; i++) fp_template_destroy(s->img[i].t);
    free(s->img);
    free(s->gen);
    free(s->imp);
    free(s->imp_same_class);
    memset(s, 0, sizeof(*s));
}

/* Extracts one image into r and reads the extractor's period plane. */
static void rl_extract(fp_context *ctx, const fp_image *im, rl_image *r, size_t *fte)
{
    fp_extract_info info;
    fp_status st = fp_extract(ctx, im, &r->t, &info);
    if (st != FP_OK) (*fte)++;
    if (st == FP_OK || fp_status_is_retry(st)) {
        r->has_quality = 1;
        r->quality = info.quality;
    }
    r->period_mean = r->period_cv = NAN;
    uint32_t w, h;
    const uint8_t *fq = fp_debug_plane_get(ctx, FP_DEBUG_FREQUENCY, &w, &h);
    if (st == FP_OK && fq) {
        double s = 0, s2 = 0;
        size_t n = 0;
        /* The plane is constant per block; every 4th pixel is plenty. */
        for (uint32_t y = 0; y < h; y += 4)
            for (uint32_t x = 0; x < w; x += 4) {
                uint8_t v = fq[(size_t)y * w + x];
                if (!v) continue;
                s += v / 10.0;
                s2 += (v / 10.0) * (v / 10.0);
                n++;
            }
        if (n > 1) {
            r->period_mean = s / (double)n;
            double var = s2 / (double)n - r->period_mean * r->period_mean;
            r->period_cv = sqrt(var > 0 ? var : 0) / r->period_mean;
        }
    }
}

static float rl_score(fp_context *ctx, const fp_template *a, const fp_template *b)
{
    float s = 0;
    if (a && b && fp_compare(ctx, a, b, &s) != FP_OK) s = 0;
    return s;
}

/* All pairs of a set: genuine when the fingers agree, impostor otherwise.
 * tm selects the templates to compare (NULL: the extracted ones). */
static int rl_all_pairs(fp_context *ctx, rl_set *s, fp_template *const *tm, float **gen, size_t *ng, float **imp,
                        size_t *ni, uint8_t **same_class)
{
    size_t pairs = s->n * (s->n ? s->n - 1 : 0) / 2 + 1;
    *gen = malloc(pairs * sizeof(float));
    *imp = malloc(pairs * sizeof(float));
    if (same_class) *same_class = malloc(pairs);
    if (!*gen || !*imp || (same_class && !*same_class)) return 0;
    *ng = *ni = 0;
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = i + 1; j < s->n; j++) {
            const fp_template *a = tm ? tm[i] : s->img[i].t, *b = tm ? tm[j] : s->img[j].t;
            float sc = rl_score(ctx, a, b);
            if (s->img[i].finger == s->img[j].finger) {
                (*gen)[(*ng)++] = sc;
            } else {
                if (same_class) (*same_class)[*ni] = s->img[i].cls == s->img[j].cls;
                (*imp)[(*ni)++] = sc;
            }
        }
    return 1;
}

static int rl_load_real(fp_context *ctx, const char *dir, rl_set *s)
{
    memset(s, 0, sizeof(*s));
    fp_dataset *ds = NULL;
    fp_status st = fp_dataset_open(dir, FP_LAYOUT_AUTO, &ds);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench: %s: %s\n", dir, ds ? fp_dataset_error_detail(ds) : fp_status_message(st));
        fp_dataset_destroy(ds);
        return 0;
    }
    fpb_set_display_name(dir, s->name, sizeof s->name);
    s->n = fp_dataset_count(ds);
    s->img = calloc(s->n ? s->n : 1, sizeof(*s->img));
    if (!s->img) {
        fp_dataset_destroy(ds);
        return 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        const fp_sample *smp = fp_dataset_sample(ds, i);
        rl_image *r = &s->img[i];
        r->finger = smp->subject * 16u + smp->finger;
        r->period_mean = r->period_cv = NAN;
        fp_io_image io;
        if ((st = fp_io_load(smp->path, &io)) != FP_OK) {
            fprintf(stderr, "fpbench: %s: %s\n", smp->path, fp_status_message(st));
            s->fte++;
            continue;
        }
        uint32_t dpi = smp->dpi ? smp->dpi : fp_dataset_default_dpi(ds);
        fp_image im = {io.pixels, io.width, io.height, io.width, dpi ? dpi : 500};
        rl_extract(ctx, &im, r, &s->fte);
        fp_io_image_free(&io);
    }
    fp_dataset_destroy(ds);
    return 1;
}

/* Diagnostics of the synthetic set (see docs/realism.md). */
typedef struct rl_synth_extra {
    fp_template **truth; /* ground-truth template of every image */
    fp_template **fast;  /* fast-mode template of the same (finger, impression) */
} rl_synth_extra;

/* What synthetic set realism builds (the same draw as fpsynth's). */
typedef struct rl_synth_spec {
    uint64_t seed;
    uint32_t fingers;
    int pressure_mix;
    fp_synth_profile profile;
    fp_synth_difficulty difficulty;
} rl_synth_spec;

static int rl_make_synthetic(fp_context *ctx, const rl_synth_spec *spec, rl_set *s, rl_synth_extra *x)
{
    const uint64_t seed = spec->seed;
    const uint32_t fingers = spec->fingers;
    memset(s, 0, sizeof(*s));
    s->synthetic = 1;
    if (spec->difficulty == FP_SYNTH_STANDARD)
        snprintf(s->name, sizeof s->name, "synthetic %s (seed %llu, %u fingers)", fp_synth_profile_name(spec->profile),
                 (unsigned long long)seed, fingers);
    else
        snprintf(s->name, sizeof s->name, "synthetic %s %s (seed %llu, %u fingers)",
                 fp_synth_profile_name(spec->profile), fp_synth_difficulty_name(spec->difficulty),
                 (unsigned long long)seed, fingers);
    s->n = (size_t)fingers * 8;
    s->img = calloc(s->n, sizeof(*s->img));
    x->truth = calloc(s->n, sizeof(*x->truth));
    x->fast = calloc(s->n, sizeof(*x->fast));
    if (!s->img || !x->truth || !x->fast) return 0;
    for (uint32_t f = 0; f < fingers; f++) {
        fp_synth_master *m = NULL;
        fp_status st = fp_synth_master_create_difficulty(seed, f, spec->difficulty, &m);
        if (st != FP_OK) {
            fprintf(stderr, "fpbench: master %u: %s\n", f, fp_status_message(st));
            return 0;
        }
        for (uint32_t k = 0; k < 8; k++) {
            size_t i = (size_t)f * 8 + k;
            rl_image *r = &s->img[i];
            r->finger = f;
            r->cls = (uint8_t)fp_synth_master_class(m);
            fp_synth_impression_params prm;
            fp_synth_impression *imp = NULL;
            if (fp_synth_impression_params_draw_difficulty(seed, f, k, spec->profile, spec->pressure_mix, spec->difficulty,
                                                           &prm) != FP_OK ||
                fp_synth_impression_render(m, &prm, &imp) != FP_OK) {
                s->fte++;
                continue;
            }
            uint32_t w, h;
            const uint8_t *px = fp_synth_impression_pixels(imp, &w, &h);
            fp_image im = {px, w, h, w, prm.dpi};
            rl_extract(ctx, &im, r, &s->fte);
            if (fp_synth_impression_template(imp, &x->truth[i]) != FP_OK) x->truth[i] = NULL;
            if (fp_synth_fast_template(seed, f, k, &x->fast[i]) != FP_OK) x->fast[i] = NULL;
            fp_synth_impression_destroy(imp);
        }
        fp_synth_master_destroy(m);
    }
    return 1;
}

/* Smallest score threshold t with FMR(t) <= fmr over the impostor scores
 * (+inf when none); imp is sorted in place. */
static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static double threshold_for_fmr(float *imp, size_t n, double fmr)
{
    qsort(imp, n, sizeof(float), cmp_float);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && imp[i] == imp[i - 1]) continue;
        if ((double)(n - i) <= fmr * (double)n) return imp[i];
    }
    return INFINITY;
}

static double fmr_at(const float *imp, size_t n, double t)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += imp[i] >= t;
    return n ? (double)c / (double)n : NAN;
}

typedef struct rl_stats {
    double mean, sd;
    size_t n;
} rl_stats;

static rl_stats stats_of(const double *v, size_t n)
{
    rl_stats r = {NAN, NAN, 0};
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            s += v[i];
            s2 += v[i] * v[i];
            r.n++;
        }
    if (r.n) {
        r.mean = s / (double)r.n;
        double var = r.n > 1 ? (s2 - s * s / (double)r.n) / (double)(r.n - 1) : 0;
        r.sd = sqrt(var > 0 ? var : 0);
    }
    return r;
}

static rl_stats stats_f(const float *v, size_t n)
{
    double *d = malloc((n + 1) * sizeof(double));
    rl_stats r = {NAN, NAN, 0};
    if (!d) return r;
    for (size_t i = 0; i < n; i++) d[i] = v[i];
    r = stats_of(d, n);
    free(d);
    return r;
}

/* Per-image values of a set (NaN for failures). what: 0 minutia count,
 * 1 quality, 2 period mean, 3 period coefficient of variation. */
static size_t image_values(const rl_set *s, int what, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const rl_image *r = &s->img[i];
        double v = NAN;
        if (what == 0 && r->t) v = (double)fp_template_minutiae_count(r->t);
        if (what == 1 && r->has_quality) v = r->quality;
        if (what == 2) v = r->period_mean;
        if (what == 3) v = r->period_cv;
        out[n++] = v;
    }
    return n;
}

/*
 * Neighbourhood of the extracted minutiae: mean distance to the nearest
 * other minutia, and the share of nearest-neighbour links running across
 * the ridge flow (the link makes more than 60 degrees with the minutia's
 * direction). Minutiae strung along a line across the ridges push both.
 * same_sense: of the pairs within 40 px whose directions are parallel or
 * antiparallel (20 degrees), the share pointing the same way.
 */
static void neighbour_stats(const rl_set *s, double *mean_nn, double *across, double *same_sense)
{
    double sum = 0;
    size_t n = 0, nacross = 0, npar = 0, nsame = 0;
    for (size_t i = 0; i < s->n; i++) {
        const fp_template *t = s->img[i].t;
        if (!t) continue;
        size_t c = fp_template_minutiae_count(t);
        const fp_minutia *m = fp_template_minutiae(t);
        double scale = 500.0 / (double)fp_template_dpi(t);
        for (size_t a = 0; a < c; a++) {
            double best = INFINITY;
            size_t bi = a;
            for (size_t b = 0; b < c; b++) {
                if (b == a) continue;
                double dx = (double)m[b].x - m[a].x, dy = (double)m[b].y - m[a].y, d = dx * dx + dy * dy;
                if (d < best) {
                    best = d;
                    bi = b;
                }
            }
            /* Nearby minutiae on parallel flow: do they point the same way?
             * Senses that are independent of each other agree half the time. */
            for (size_t b = a + 1; b < c; b++) {
                double dx = (double)m[b].x - m[a].x, dy = (double)m[b].y - m[a].y;
                if ((dx * dx + dy * dy) * scale * scale > 40.0 * 40.0) continue;
                double d = angle_diff_deg(m[a].angle, m[b].angle);
                if (d > 20.0 && d < 160.0) continue;
                npar++;
                nsame += d <= 20.0;
            }
            if (bi == a) continue;
            sum += sqrt(best) * scale;
            n++;
            double lx = (double)m[bi].x - m[a].x, ly = -((double)m[bi].y - m[a].y);
            double th = m[a].angle * (2.0 * PI_D / 256.0);
            double cosang = fabs(lx * cos(th) + ly * sin(th)) / (sqrt(lx * lx + ly * ly) + 1e-9);
            nacross += cosang < 0.5;
        }
    }
    *mean_nn = n ? sum / (double)n : NAN;
    *across = n ? (double)nacross / (double)n : NAN;
    *same_sense = npar ? (double)nsame / (double)npar : NAN;
}

/* Normalised step histogram of values as a line series (2 points per bin). */
static int step_series(const double *v, size_t n, double lo, double hi, size_t bins, double *xs, double *ys)
{
    size_t total = 0;
    double cnt[256] = {0};
    if (bins > 256) return 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) continue;
        long b = (long)floor((v[i] - lo) / (hi - lo) * (double)bins);
        if (b < 0) b = 0;
        if (b >= (long)bins) b = (long)bins - 1;
        cnt[b]++;
        total++;
    }
    for (size_t b = 0; b < bins; b++) {
        double f = total ? cnt[b] / (double)total : 0;
        xs[2 * b] = lo + (hi - lo) * (double)b / (double)bins;
        xs[2 * b + 1] = lo + (hi - lo) * (double)(b + 1) / (double)bins;
        ys[2 * b] = ys[2 * b + 1] = f;
    }
    return 1;
}

static void plot_two_hist(const char *dir, const char *file, const char *title, const char *xlabel, const double *a,
                          size_t na, const char *la, const double *b, size_t nb, const char *lb, double lo, double hi,
                          size_t bins)
{
    double xa[512], ya[512], xb[512], yb[512];
    if (!step_series(a, na, lo, hi, bins, xa, ya) || !step_series(b, nb, lo, hi, bins, xb, yb)) return;
    fp_plot_series ser[2] = {{la, xa, ya, 2 * bins, FP_PLOT_GENUINE_COLOR}, {lb, xb, yb, 2 * bins, FP_PLOT_IMPOSTOR_COLOR}};
    fp_plot_options o;
    fp_plot_options_init(&o);
    o.title = title;
    o.x_label = xlabel;
    o.y_label = "fraction of the set";
    o.x_min = lo;
    o.x_max = hi;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    fp_status st = fp_plot_lines(path, &o, ser, 2);
    if (st != FP_OK) fprintf(stderr, "fpbench: %s: %s\n", path, fp_status_message(st));
}

static double *floats_to_doubles(const float *v, size_t n)
{
    double *d = malloc((n + 1) * sizeof(double));
    if (d)
        for (size_t i = 0; i < n; i++) d[i] = v[i];
    return d;
}

/* Appends b to a (both malloc'd); returns the new array or NULL. */
static float *concat(float *a, size_t na, const float *b, size_t nb)
{
    float *r = realloc(a, (na + nb + 1) * sizeof(float));
    if (r && nb) memcpy(r + na, b, nb * sizeof(float));
    return r;
}

/* ---- acceptance: synthetic score distributions against the pooled real ones ---- */

/* Quantile q (0..1) of v by linear interpolation between order statistics;
 * v is sorted in place. NaN when empty. */
static double quantile_sorted(float *v, size_t n, double q)
{
    if (!n) return NAN;
    qsort(v, n, sizeof(float), cmp_float);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    double f = pos - (double)i;
    return i + 1 < n ? v[i] + f * (v[i + 1] - v[i]) : v[n - 1];
}

/* EER and FMR1000 (fractions) of one list pair; NaN when either list is empty. */
static void eer_fmr1000(const float *gen, size_t ng, const float *imp, size_t ni, double *eer, double *fmr1000)
{
    *eer = *fmr1000 = NAN;
    fp_eval_scores *sc = NULL;
    fp_eval_summary sum;
    if (!ng || !ni || fp_eval_scores_create(gen, ng, imp, ni, &sc) != FP_OK) return;
    if (fp_eval_summarize(sc, &sum) == FP_OK) {
        *eer = sum.eer;
        *fmr1000 = sum.fmr1000;
    }
    fp_eval_scores_destroy(sc);
}

typedef struct rl_measure {
    const char *name;
    double real, lo, hi, syn; /* pooled real, min and max over the real sets, synthetic */
    int gated;                /* part of the factor-of-two acceptance */
} rl_measure;

/* The value of measure k for one list pair at threshold thr (k as in k_measure_names). */
enum { RM_IMP_MEAN, RM_IMP_FMR_REF, RM_IMP_Q999, RM_IMP_Q99, RM_GEN_MEAN, RM_GEN_Q10, RM_GEN_Q25, RM_GEN_Q50,
       RM_GEN_Q75, RM_GEN_Q90, RM_FNMR_REF, RM_EER, RM_FMR1000, RM_COUNT };
static const char *const k_measure_names[RM_COUNT] = {
    "impostor mean score", "impostor FMR % at the real 0.1 % threshold", "impostor score at FMR 0.1 %",
    "impostor score at FMR 1 %", "genuine mean score", "genuine score, 10 % quantile",
    "genuine score, 25 % quantile", "genuine score, median", "genuine score, 75 % quantile",
    "genuine score, 90 % quantile", "FNMR % at the real 0.1 % threshold", "EER % (all pairs)",
    "FMR1000 % (all pairs)"};

static double measure_of(int k, const float *gen, size_t ng, const float *imp, size_t ni, double thr)
{
    static const double gq[5] = {0.10, 0.25, 0.50, 0.75, 0.90};
    double r = NAN;
    float *c = NULL;
    if (k == RM_IMP_MEAN) return stats_f(imp, ni).mean;
    if (k == RM_GEN_MEAN) return stats_f(gen, ng).mean;
    if (k == RM_IMP_FMR_REF) return 100 * fmr_at(imp, ni, thr);
    if (k == RM_FNMR_REF) {
        size_t miss = 0;
        for (size_t i = 0; i < ng; i++) miss += gen[i] < thr;
        return ng ? 100.0 * (double)miss / (double)ng : NAN;
    }
    if (k == RM_EER || k == RM_FMR1000) {
        double eer, f1000;
        eer_fmr1000(gen, ng, imp, ni, &eer, &f1000);
        return 100 * (k == RM_EER ? eer : f1000);
    }
    int is_imp = k == RM_IMP_Q999 || k == RM_IMP_Q99;
    size_t n = is_imp ? ni : ng;
    c = malloc((n + 1) * sizeof(float));
    if (!c) return NAN;
    memcpy(c, is_imp ? imp : gen, n * sizeof(float));
    if (k == RM_IMP_Q999) r = quantile_sorted(c, n, 0.999);
    else if (k == RM_IMP_Q99) r = quantile_sorted(c, n, 0.99);
    else r = quantile_sorted(c, n, gq[k - RM_GEN_Q10]);
    free(c);
    return r;
}

/*
 * The comparison the acceptance check asks for: each score measure of the
 * synthetic set against the pooled real sets, the ratio, and whether it is
 * within a factor of two. Returns the table as JSON (NULL when out of memory).
 */
static cJSON *print_acceptance(const rl_set *sets, size_t nsets, const rl_set *syn, const float *real_gen,
                               size_t real_ng, const float *real_imp, size_t real_ni, double thr)
{
    rl_measure ms[RM_COUNT];
    cJSON *root = cJSON_CreateObject(), *arr = root ? cJSON_AddArrayToObject(root, "measures") : NULL;
    size_t gated = 0, within = 0;
    printf("\nAcceptance: synthetic score distributions against the pooled real sets (ratio synthetic / real;"
           " within a factor of two: 0.5 .. 2).\n\n");
    printf("| measure | real pooled | real sets min .. max | synthetic | ratio | within 2x |\n");
    printf("|---|---:|---:|---:|---:|---|\n");
    for (int k = 0; k < RM_COUNT; k++) {
        rl_measure *m = &ms[k];
        m->name = k_measure_names[k];
        /* EER and FMR1000 are reported, not gated: the target is the score
         * distributions; the error rates follow from them. */
        m->gated = k != RM_EER && k != RM_FMR1000;
        m->real = measure_of(k, real_gen, real_ng, real_imp, real_ni, thr);
        m->syn = measure_of(k, syn->gen, syn->ng, syn->imp, syn->ni, thr);
        m->lo = INFINITY;
        m->hi = -INFINITY;
        for (size_t i = 0; i < nsets; i++) {
            double v = measure_of(k, sets[i].gen, sets[i].ng, sets[i].imp, sets[i].ni, thr);
            if (v < m->lo) m->lo = v;
            if (v > m->hi) m->hi = v;
        }
        double ratio_v = m->real > 0 ? m->syn / m->real : NAN;
        int ok = ratio_v >= 0.5 && ratio_v <= 2.0;
        if (m->gated) {
            gated++;
            within += (size_t)ok;
        }
        printf("| %s | %.2f | %.2f .. %.2f | %.2f | %.2f | %s |\n", m->name, m->real, m->lo, m->hi, m->syn, ratio_v,
               !m->gated ? (ok ? "(yes, not gated)" : "(no, not gated)") : ok ? "yes" : "**no**");
        cJSON *o = cJSON_CreateObject();
        if (!o) continue;
        cJSON_AddStringToObject(o, "measure", m->name);
        cJSON_AddNumberToObject(o, "real_pooled", m->real);
        cJSON_AddNumberToObject(o, "real_min", m->lo);
        cJSON_AddNumberToObject(o, "real_max", m->hi);
        cJSON_AddNumberToObject(o, "synthetic", m->syn);
        cJSON_AddNumberToObject(o, "ratio", ratio_v);
        cJSON_AddBoolToObject(o, "gated", m->gated);
        cJSON_AddBoolToObject(o, "within_factor_two", ok);
        cJSON_AddItemToArray(arr, o);
    }
    printf("\n%zu of %zu gated measures within a factor of two.\n", within, gated);
    if (root) {
        cJSON_AddNumberToObject(root, "gated", (double)gated);
        cJSON_AddNumberToObject(root, "within_factor_two", (double)within);
    }
    return root;
}

static cJSON *set_json(const rl_set *s, double thr)
{
    cJSON *o = cJSON_CreateObject();
    double *v = malloc((s->n + 1) * sizeof(double));
    if (!o || !v) {
        free(v);
        return o;
    }
    cJSON_AddStringToObject(o, "set", s->name);
    cJSON_AddBoolToObject(o, "synthetic", s->synthetic);
    cJSON_AddNumberToObject(o, "images", (double)s->n);
    cJSON_AddNumberToObject(o, "fte", (double)s->fte);
    static const char *const keys[4] = {"minutiae", "quality", "ridge_period_px", "ridge_period_cv"};
    for (int w = 0; w < 4; w++) {
        rl_stats st = stats_of(v, image_values(s, w, v));
        cJSON *x = cJSON_AddObjectToObject(o, keys[w]);
        cJSON_AddNumberToObject(x, "mean", st.mean);
        cJSON_AddNumberToObject(x, "sd", st.sd);
        cJSON_AddNumberToObject(x, "n", (double)st.n);
    }
    double nn, across, sense;
    neighbour_stats(s, &nn, &across, &sense);
    cJSON_AddNumberToObject(o, "mean_nearest_neighbour_px", nn);
    cJSON_AddNumberToObject(o, "parallel_pairs_same_sense", sense);
    cJSON_AddNumberToObject(o, "nearest_link_across_flow", across);
    rl_stats g = stats_f(s->gen, s->ng), im = stats_f(s->imp, s->ni);
    cJSON_AddNumberToObject(o, "genuine_count", (double)s->ng);
    cJSON_AddNumberToObject(o, "genuine_mean", g.mean);
    cJSON_AddNumberToObject(o, "impostor_count", (double)s->ni);
    cJSON_AddNumberToObject(o, "impostor_mean", im.mean);
    cJSON_AddNumberToObject(o, "fmr_at_real_fmr1000_threshold", fmr_at(s->imp, s->ni, thr));
    cJSON_AddNumberToObject(o, "fmr_at_20", fmr_at(s->imp, s->ni, 20));
    cJSON_AddNumberToObject(o, "fmr_at_30", fmr_at(s->imp, s->ni, 30));
    size_t miss = 0;
    for (size_t i = 0; i < s->ng; i++) miss += s->gen[i] < thr;
    cJSON_AddNumberToObject(o, "fnmr_at_real_fmr1000_threshold", s->ng ? (double)miss / (double)s->ng : NAN);
    free(v);
    return o;
}

static void print_set_row(const rl_set *s, double thr)
{
    double *v = malloc((s->n + 1) * sizeof(double));
    if (!v) return;
    rl_stats mc = stats_of(v, image_values(s, 0, v));
    rl_stats q = stats_of(v, image_values(s, 1, v));
    rl_stats pm = stats_of(v, image_values(s, 2, v));
    rl_stats pcv = stats_of(v, image_values(s, 3, v));
    double nn, across, sense;
    neighbour_stats(s, &nn, &across, &sense);
    rl_stats g = stats_f(s->gen, s->ng), im = stats_f(s->imp, s->ni);
    size_t miss = 0;
    for (size_t i = 0; i < s->ng; i++) miss += s->gen[i] < thr;
    printf("| %s | %zu | %zu | %.1f (%.1f) | %.1f (%.1f) | %.2f | %.3f | %.1f | %.2f | %.2f | %.1f | %.1f | %.2f | %.2f | %.2f |\n",
           s->name, s->n, s->fte, mc.mean, mc.sd, q.mean, q.sd, pm.mean, pcv.mean, nn, across, sense, g.mean, im.mean,
           100 * fmr_at(s->imp, s->ni, thr), 100 * fmr_at(s->imp, s->ni, 30),
           s->ng ? 100.0 * (double)miss / (double)s->ng : NAN);
    free(v);
}

int fpbench_realism(int argc, char **argv)
{
    const char *json = NULL, *plots = NULL;
    const char *dirs[64];
    int ndirs = 0, pressure_mix = 0;
    uint64_t fingers = 20, seed = 1;
    fp_synth_profile profile = FP_SYNTH_OPTICAL;
    fp_synth_difficulty difficulty = FP_SYNTH_STANDARD;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc && fp_synth_profile_parse(argv[i + 1], &profile) == FP_OK)
            i++;
        else if (!strcmp(argv[i], "--difficulty") && i + 1 < argc &&
                 fp_synth_difficulty_parse(argv[i + 1], &difficulty) == FP_OK)
            i++;
        else if (!strcmp(argv[i], "--plots") && i + 1 < argc) plots = argv[++i];
        else if (!strcmp(argv[i], "--synthetic") && i + 1 < argc && parse_u64(argv[i + 1], &fingers) && fingers >= 2 &&
                 fingers <= 2000)
            i++;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_u64(argv[i + 1], &seed))
            i++;
        else if (!strcmp(argv[i], "--pressure-mix"))
            pressure_mix = 1;
        else if (argv[i][0] != '-' && ndirs < 64)
            dirs[ndirs++] = argv[i];
        else {
            ndirs = 0;
            break;
        }
    }
    if (!ndirs) {
        fprintf(stderr, "usage: fpbench realism DIR... [--synthetic N] [--seed S] [--pressure-mix]\n"
                        "                      [--profile optical|optical-large|capacitive|optical-small]\n"
                        "                      [--difficulty standard|hard-distortion|hard-drywet] [--plots DIR] "
                        "[--json FILE]\n");
        return 2;
    }
    double t0 = now_s();
    fp_context *ctx = NULL;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench: %s\n", fp_status_message(st));
        return 1;
    }
    int rc = 0;
    rl_set *sets = calloc((size_t)ndirs + 1, sizeof(*sets));
    rl_synth_extra extra = {NULL, NULL};
    size_t nsets = 0;
    float *real_gen = NULL, *real_imp = NULL;
    size_t real_ng = 0, real_ni = 0;
    double *va = NULL, *vb = NULL;
    if (!sets) {
        rc = 1;
        goto out;
    }
    for (int d = 0; d < ndirs; d++) {
        rl_set *s = &sets[nsets];
        if (!rl_load_real(ctx, dirs[d], s)) {
            rc = 1;
            rl_set_free(s);
            continue;
        }
        if (!rl_all_pairs(ctx, s, NULL, &s->gen, &s->ng, &s->imp, &s->ni, NULL)) {
            rc = 1;
            rl_set_free(s);
            continue;
        }
        real_gen = concat(real_gen, real_ng, s->gen, s->ng);
        real_imp = concat(real_imp, real_ni, s->imp, s->ni);
        if (!real_gen || !real_imp) {
            rc = 1;
            goto out;
        }
        real_ng += s->ng;
        real_ni += s->ni;
        nsets++;
    }
    if (!nsets) {
        rc = 1;
        goto out;
    }
    rl_set *syn = &sets[nsets];
    rl_synth_spec spec = {seed, (uint32_t)fingers, pressure_mix, profile, difficulty};
    if (!rl_make_synthetic(ctx, &spec, syn, &extra) ||
        !rl_all_pairs(ctx, syn, NULL, &syn->gen, &syn->ng, &syn->imp, &syn->ni, &syn->imp_same_class)) {
        rc = 1;
        goto out;
    }
    /* Pooled real impostors set the reference threshold: FMR 0.1 %. */
    float *sorted = malloc((real_ni + 1) * sizeof(float));
    if (!sorted) {
        rc = 1;
        goto out;
    }
    memcpy(sorted, real_imp, real_ni * sizeof(float));
    double thr = threshold_for_fmr(sorted, real_ni, 1e-3);
    free(sorted);

    printf("Real sets vs a synthetic set (%s%s); all-pairs comparisons per set.\n", syn->name,
           pressure_mix ? ", pressure mix" : "");
    printf("Reference threshold: FMR 0.1 %% over the %zu pooled real impostor scores -> score %.2f.\n\n", real_ni, thr);
    printf("| set | images | FTE | minutiae mean (sd) | quality mean (sd) | ridge period px | period CV | "
           "nearest minutia px | nearest link across flow | parallel pairs same sense | genuine mean | impostor mean | FMR %% at ref | FMR %% at 30 | "
           "FNMR %% at ref |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i <= nsets; i++) print_set_row(&sets[i], thr);
    rl_stats rg = stats_f(real_gen, real_ng), ri = stats_f(real_imp, real_ni);
    printf("| real, pooled | | | | | | | | | | %.2f | %.2f | %.2f | %.2f | |\n", rg.mean, ri.mean,
           100 * fmr_at(real_imp, real_ni, thr), 100 * fmr_at(real_imp, real_ni, 30));
    cJSON *accept = print_acceptance(sets, nsets, syn, real_gen, real_ng, real_imp, real_ni, thr);

    /* Where the synthetic impostor scores come from. */
    float *same = malloc((syn->ni + 1) * sizeof(float)), *diff = malloc((syn->ni + 1) * sizeof(float));
    float *tg = NULL, *ti = NULL, *fg = NULL, *fi = NULL;
    size_t ns = 0, nd = 0, ntg = 0, nti = 0, nfg = 0, nfi = 0;
    if (!same || !diff || !rl_all_pairs(ctx, syn, extra.truth, &tg, &ntg, &ti, &nti, NULL) ||
        !rl_all_pairs(ctx, syn, extra.fast, &fg, &nfg, &fi, &nfi, NULL)) {
        rc = 1;
    } else {
        for (size_t i = 0; i < syn->ni; i++) {
            if (syn->imp_same_class[i]) same[ns++] = syn->imp[i];
            else diff[nd++] = syn->imp[i];
        }
        printf("\nSynthetic impostors, FMR at the reference threshold %.2f (and at 30):\n\n", thr);
        printf("| comparison | impostor pairs | mean impostor score | FMR %% at ref | FMR %% at 30 | genuine mean |\n");
        printf("|---|---:|---:|---:|---:|---:|\n");
        printf("| extracted, same class | %zu | %.2f | %.2f | %.2f | |\n", ns, stats_f(same, ns).mean,
               100 * fmr_at(same, ns, thr), 100 * fmr_at(same, ns, 30));
        printf("| extracted, different class | %zu | %.2f | %.2f | %.2f | |\n", nd, stats_f(diff, nd).mean,
               100 * fmr_at(diff, nd, thr), 100 * fmr_at(diff, nd, 30));
        printf("| ground-truth templates | %zu | %.2f | %.2f | %.2f | %.2f |\n", nti, stats_f(ti, nti).mean,
               100 * fmr_at(ti, nti, thr), 100 * fmr_at(ti, nti, 30), stats_f(tg, ntg).mean);
        printf("| fast-mode templates (same fingers) | %zu | %.2f | %.2f | %.2f | %.2f |\n", nfi, stats_f(fi, nfi).mean,
               100 * fmr_at(fi, nfi, thr), 100 * fmr_at(fi, nfi, 30), stats_f(fg, nfg).mean);
    }

    if (plots) {
        mkdir(plots, 0755);
        size_t nreal_img = 0;
        for (size_t i = 0; i < nsets; i++) nreal_img += sets[i].n;
        va = malloc((nreal_img + 1) * sizeof(double));
        vb = malloc((syn->n + 1) * sizeof(double));
        if (va && vb) {
            static const char *const files[2] = {"minutiae_count.png", "quality.png"};
            static const char *const titles[2] = {"Minutiae per image: real vs synthetic",
                                                  "Image quality (fp_extract_info.quality): real vs synthetic"};
            static const char *const labels[2] = {"minutiae per image", "quality 0..100"};
            static const double his[2] = {120, 100};
            for (int w = 0; w < 2; w++) {
                size_t na = 0;
                for (size_t i = 0; i < nsets; i++) na += image_values(&sets[i], w, va + na);
                size_t nb = image_values(syn, w, vb);
                plot_two_hist(plots, files[w], titles[w], labels[w], va, na, "real (pooled)", vb, nb, "synthetic", 0,
                              his[w], w == 0 ? 24 : 20);
            }
        }
        free(va);
        free(vb);
        va = floats_to_doubles(real_gen, real_ng);
        vb = floats_to_doubles(syn->gen, syn->ng);
        if (va && vb)
            plot_two_hist(plots, "genuine_scores.png", "Genuine scores: real vs synthetic", "score = -10 log10(FMR)",
                          va, real_ng, "real genuine (pooled)", vb, syn->ng, "synthetic genuine", 0, 100, 50);
        free(va);
        free(vb);
        va = floats_to_doubles(real_imp, real_ni);
        vb = floats_to_doubles(syn->imp, syn->ni);
        if (va && vb)
            plot_two_hist(plots, "impostor_scores.png", "Impostor scores: real vs synthetic", "score = -10 log10(FMR)",
                          va, real_ni, "real impostor (pooled)", vb, syn->ni, "synthetic impostor", 0, 60, 60);
        free(va);
        free(vb);
        va = vb = NULL;
        /* FMR against the threshold on a log axis shows the tails. */
        double xs[121], yr[121], ys[121];
        for (int k = 0; k <= 120; k++) {
            xs[k] = k * 0.5;
            yr[k] = fmr_at(real_imp, real_ni, xs[k]);
            ys[k] = fmr_at(syn->imp, syn->ni, xs[k]);
        }
        fp_plot_series ser[2] = {{"real (pooled)", xs, yr, 121, FP_PLOT_GENUINE_COLOR},
                                 {"synthetic", xs, ys, 121, FP_PLOT_IMPOSTOR_COLOR}};
        fp_plot_options o;
        fp_plot_options_init(&o);
        o.title = "Impostor FMR against the threshold";
        o.x_label = "threshold (calibrated score)";
        o.y_label = "FMR";
        o.log_y = 1;
        o.y_min = 1e-4;
        o.y_max = 1;
        char path[4096];
        snprintf(path, sizeof path, "%s/impostor_fmr.png", plots);
        fp_plot_lines(path, &o, ser, 2);
    }

    if (json) {
        cJSON *root = cJSON_CreateObject();
        if (root) {
            cJSON_AddStringToObject(root, "command", "realism");
            cJSON_AddNumberToObject(root, "seed", (double)seed);
            cJSON_AddStringToObject(root, "profile", fp_synth_profile_name(profile));
            cJSON_AddStringToObject(root, "difficulty", fp_synth_difficulty_name(difficulty));
            if (accept) {
                cJSON_AddItemToObject(root, "acceptance", accept);
                accept = NULL;
            }
            cJSON_AddNumberToObject(root, "synthetic_fingers", (double)fingers);
            cJSON_AddBoolToObject(root, "pressure_mix", pressure_mix);
            cJSON_AddNumberToObject(root, "reference_threshold", thr);
            cJSON_AddNumberToObject(root, "real_impostor_count", (double)real_ni);
            cJSON *arr = cJSON_AddArrayToObject(root, "sets");
            for (size_t i = 0; i <= nsets; i++) cJSON_AddItemToArray(arr, set_json(&sets[i], thr));
            cJSON *dg = cJSON_AddObjectToObject(root, "synthetic_impostors");
            cJSON_AddNumberToObject(dg, "same_class_fmr_at_ref", fmr_at(same, ns, thr));
            cJSON_AddNumberToObject(dg, "different_class_fmr_at_ref", fmr_at(diff, nd, thr));
            cJSON_AddNumberToObject(dg, "ground_truth_fmr_at_ref", fmr_at(ti, nti, thr));
            cJSON_AddNumberToObject(dg, "fast_mode_fmr_at_ref", fmr_at(fi, nfi, thr));
        }
        if (!root || !write_json(json, root)) {
            fprintf(stderr, "fpbench: cannot write %s\n", json);
            rc = 1;
        }
        cJSON_Delete(root);
    }
    cJSON_Delete(accept);
    printf("\n%.1f s\n", now_s() - t0);
    free(same);
    free(diff);
    free(tg);
    free(ti);
    free(fg);
    free(fi);
out:
    for (size_t i = 0; sets && i <= nsets; i++) rl_set_free(&sets[i]);
    for (size_t i = 0; extra.truth && i < (size_t)fingers * 8; i++) fp_template_destroy(extra.truth[i]);
    for (size_t i = 0; extra.fast && i < (size_t)fingers * 8; i++) fp_template_destroy(extra.fast[i]);
    free(extra.truth);
    free(extra.fast);
    free(sets);
    free(real_gen);
    free(real_imp);
    fp_context_destroy(ctx);
    return rc;
}

/*
 * skin: every image of real sets extracted as it is and again rendered dry
 * and wet (skin.h, the same image otherwise, so no pixel moves): how many
 * of the minutiae of the clean image the dry or wet one still finds
 * (within 10 px and 30 degrees), how many of its minutiae are such
 * refound ones, and the comparison score of the two templates.
 */
typedef struct skin_cell {
    size_t images, fte, clean_minutiae, minutiae, refound, true_found;
    double score_sum;
    float *scores;
} skin_cell;

/* The arguments of the image-against-itself commands (skin, distortion):
 * DIR... [OPT X] [--seed N], X above 0 and at most max. Returns 0, or the
 * exit code for a usage error (printed). */
typedef struct self_args {
    double value;
    uint64_t seed;
    const char *dirs[64];
    int ndirs;
} self_args;

static int parse_self_args(const char *cmd, const char *opt, const char *what, double max, int argc, char **argv,
                           self_args *a)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], opt) && i + 1 < argc) {
            char *end = NULL;
            a->value = strtod(argv[++i], &end);
            if (!end || *end || !(a->value > 0) || a->value > max) {
                fprintf(stderr, "fpbench %s: %s: expected %s above 0, at most %g, got '%s'\n", cmd, opt, what, max,
                        argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (!parse_u64(argv[++i], &a->seed)) {
                fprintf(stderr, "fpbench %s: --seed: expected a whole number, got '%s'\n", cmd, argv[i]);
                return 2;
            }
        } else if (a->ndirs < 64) {
            a->dirs[a->ndirs++] = argv[i];
        }
    }
    if (!a->ndirs) {
        fprintf(stderr, "usage: fpbench %s DIR... [%s X] [--seed N]\n", cmd, opt);
        return 2;
    }
    return 0;
}

/* Opens one set of an image-against-itself command and names it; NULL
 * (the error printed) when it cannot be opened. */
static fp_dataset *open_self_set(const char *cmd, const char *dir, char *name, size_t cap)
{
    fp_dataset *ds = NULL;
    const fp_status st = fp_dataset_open(dir, FP_LAYOUT_AUTO, &ds);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench %s: %s: %s\n", cmd, dir, ds ? fp_dataset_error_detail(ds) : fp_status_message(st));
        fp_dataset_destroy(ds);
        return NULL;
    }
    fpb_set_display_name(dir, name, cap);
    return ds;
}

/* One image of an image-against-itself command, decoded, with the
 * template of the image as it is. */
typedef struct self_sample {
    fp_io_image io;
    fp_image im;
    fp_template *clean;
} self_sample;

/* Loads sample i of ds and extracts it; 0 when it is not measured (a
 * decoding error is printed and sets *rc; an image that does not extract
 * as it is is skipped silently). */
static int load_self_sample(const char *cmd, fp_context *ctx, fp_dataset *ds, size_t i, self_sample *s, int *rc)
{
    const fp_sample *smp = fp_dataset_sample(ds, i);
    const fp_status st = fp_io_load(smp->path, &s->io);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench %s: %s: %s\n", cmd, smp->path, fp_status_message(st));
        *rc = 1;
        return 0;
    }
    const uint32_t dpi = smp->dpi ? smp->dpi : fp_dataset_default_dpi(ds);
    s->im = (fp_image){s->io.pixels, s->io.width, s->io.height, s->io.width, dpi ? dpi : 500};
    s->clean = NULL;
    if (fp_extract(ctx, &s->im, &s->clean, NULL) != FP_OK) {
        fp_io_image_free(&s->io);
        return 0;
    }
    return 1;
}

static void free_self_sample(self_sample *s)
{
    fp_template_destroy(s->clean);
    fp_io_image_free(&s->io);
}

/* The median of v[0 .. n) (sorts v), 0 for none. */
static double median_float(float *v, size_t n)
{
    if (!n) return 0;
    qsort(v, n, sizeof(float), cmp_float);
    return v[n / 2];
}

int fpbench_skin(int argc, char **argv)
{
    self_args args = {.value = 1.0, .seed = 1};
    const int usage = parse_self_args("skin", "--skin", "a severity", 1.0, argc, argv, &args);
    if (usage) return usage;
    const double strength = args.value;
    const uint64_t seed = args.seed;
    fp_context *ctx;
    fp_status st = fp_context_create(NULL, &ctx);
    if (st != FP_OK) {
        fprintf(stderr, "fpbench skin: %s\n", fp_status_message(st));
        return 1;
    }
    printf("skin severity %g, seed %" PRIu64 "; refound: minutiae of the clean image found again within 10 px and "
           "30 deg; precision: the share of the rendered image's minutiae that are refound ones; score: clean "
           "against rendered (median)\n\n",
           strength, seed);
    printf("| set | skin | images | FTE | minutiae clean | minutiae | refound %% | precision %% | score median |\n");
    printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    int rc = 0;
    for (int d = 0; d < args.ndirs; d++) {
        char name[256];
        fp_dataset *ds = open_self_set("skin", args.dirs[d], name, sizeof name);
        if (!ds) {
            rc = 1;
            continue;
        }
        const size_t n = fp_dataset_count(ds);
        skin_cell cell[2];
        memset(cell, 0, sizeof cell);
        for (int k = 0; k < 2; k++) cell[k].scores = calloc(n ? n : 1, sizeof(float));
        for (size_t i = 0; i < n && cell[0].scores && cell[1].scores; i++) {
            self_sample smp;
            if (!load_self_sample("skin", ctx, ds, i, &smp, &rc)) continue;
            const fp_io_image io = smp.io;
            const fp_image im = smp.im;
            const fp_template *clean = smp.clean;
            uint8_t *px = malloc((size_t)io.width * io.height);
            fp_eval_skin sk;
            fp_eval_skin_draw(strength, seed, i, &sk); /* for its noise fields */
            sk.severity = strength;
            for (int k = 0; k < 2 && px; k++) {
                skin_cell *c = &cell[k];
                sk.kind = k == 0 ? FP_EVAL_SKIN_DRY : FP_EVAL_SKIN_WET;
                if (fp_eval_skin_apply(&sk, io.pixels, io.width, io.height, px) != FP_OK) continue;
                fp_image dm = im;
                dm.pixels = px;
                fp_template *t = NULL;
                float score = 0;
                c->images++;
                if (fp_extract(ctx, &dm, &t, NULL) != FP_OK) {
                    c->fte++;
                    c->scores[c->images - 1] = 0;
                    continue;
                }
                const size_t nc = fp_template_minutiae_count(clean), nt = fp_template_minutiae_count(t);
                const fp_minutia *mc = fp_template_minutiae(clean), *mt = fp_template_minutiae(t);
                int *g2e = malloc((nc + 1) * sizeof(int)), *e2g = malloc((nt + 1) * sizeof(int));
                size_t pairs = g2e && e2g ? match_greedy(mc, nc, mt, nt, 10.0, 30.0, g2e, e2g) : 0;
                if (pairs == (size_t)-1) pairs = 0;
                free(g2e);
                free(e2g);
                fp_compare(ctx, clean, t, &score);
                c->clean_minutiae += nc;
                c->minutiae += nt;
                c->refound += pairs;
                c->scores[c->images - 1] = score;
                fp_template_destroy(t);
            }
            free(px);
            free_self_sample(&smp);
        }
        for (int k = 0; k < 2; k++) {
            skin_cell *c = &cell[k];
            const size_t ok = c->images - c->fte;
            const double med = c->scores ? median_float(c->scores, c->images) : 0.0;
            printf("| %s | %s | %zu | %zu | %.1f | %.1f | %.1f | %.1f | %.1f |\n", name, k == 0 ? "dry" : "wet",
                   c->images, c->fte, ok ? (double)c->clean_minutiae / (double)ok : 0.0,
                   ok ? (double)c->minutiae / (double)ok : 0.0,
                   c->clean_minutiae ? 100.0 * (double)c->refound / (double)c->clean_minutiae : 0.0,
                   c->minutiae ? 100.0 * (double)c->refound / (double)c->minutiae : 0.0, med);
            free(c->scores);
        }
        fp_dataset_destroy(ds);
    }
    fp_context_destroy(ctx);
    return rc;
}

/*
 * fpbench distortion: each image against itself plastically distorted
 * (distort.h), where the true correspondence is known. Separates what the
 * extractor loses (compared minutiae of the clean image not found again
 * where the motion takes them) from what the matcher loses (refound
 * minutiae its best rigid alignment does not pair). docs/matcher.md,
 * "Distortion".
 */
#define EDGE_PX 16

/* What fpbench distortion adds up over a set. */
typedef struct distortion_cell {
    size_t images, fte, compared, inside, refound_any, refound, paired, scored;
    float *scores;
} distortion_cell;

/*
 * One image: the clean template's compared minutiae moved by the motion,
 * those left in the frame, how many of them the distorted template t finds
 * again (among all its minutiae and among its compared ones), the pairs of
 * the matcher's best rigid alignment, and the score. Template coordinates
 * are the image's pixels, as the motion's are.
 */
static void measure_distorted(fp_context *ctx, fpi_match_ws *mws, const fp_template *clean, const fp_template *t,
                              const fp_eval_distortion *motion, uint32_t width, uint32_t height, distortion_cell *c)
{
    const size_t nc = (size_t)fpi_match_count(clean), nt = (size_t)fpi_match_count(t);
    const size_t nall = fp_template_minutiae_count(t);
    fp_minutia *moved = malloc((nc + 1) * sizeof(*moved));
    int *c2t = malloc((nc + 1) * sizeof(int)), *t2c = malloc((nall + 1) * sizeof(int));
    if (moved && c2t && t2c) {
        const fp_minutia *mc = fp_template_minutiae(clean);
        size_t nm = 0;
        for (size_t k = 0; k < nc; k++) {
            double ox, oy;
            fp_eval_distortion_map(motion, mc[k].x, mc[k].y, &ox, &oy);
            /* Skin the motion takes out of the frame (or to its edge, where
             * no minutia is kept) is not the extractor's loss. */
            if (ox < EDGE_PX || oy < EDGE_PX || ox >= (double)width - EDGE_PX || oy >= (double)height - EDGE_PX)
                continue;
            moved[nm] = mc[k];
            moved[nm].x = (uint16_t)lrint(ox);
            moved[nm].y = (uint16_t)lrint(oy);
            nm++;
        }
        /* The compared minutiae come first in a template, so the same
         * partner arrays serve both counts. */
        const size_t r = match_greedy(moved, nm, fp_template_minutiae(t), nt, 10.0, 30.0, c2t, t2c);
        const size_t r_all = match_greedy(moved, nm, fp_template_minutiae(t), nall, 10.0, 30.0, c2t, t2c);
        fpi_alignment al;
        fpi_match_align(mws, clean, t, &al);
        float s = 0;
        fp_compare(ctx, clean, t, &s);
        if (r != (size_t)-1 && r_all != (size_t)-1) {
            c->compared += nc;
            c->inside += nm;
            c->refound_any += r_all;
            c->refound += r;
            c->paired += al.pairs;
            c->scores[c->scored++] = s;
        }
    }
    free(moved);
    free(c2t);
    free(t2c);
}

int fpbench_distortion(int argc, char **argv)
{
    self_args args = {.value = 36.0, .seed = 1};
    const int usage = parse_self_args("distortion", "--distort", "pixels", 200.0, argc, argv, &args);
    if (usage) return usage;
    const double strength = args.value;
    const uint64_t seed = args.seed;
    fp_context *ctx;
    fp_status st = fp_context_create(NULL, &ctx);
    fpi_match_ws *mws = malloc(sizeof(*mws));
    if (st != FP_OK || !mws || fpi_match_ws_init(mws, NULL) != FP_OK) {
        fprintf(stderr, "fpbench distortion: %s\n", st != FP_OK ? fp_status_message(st) : "out of memory");
        if (st == FP_OK) fp_context_destroy(ctx);
        free(mws);
        return 1;
    }
    printf("distortion %g px, seed %" PRIu64 "; each image against itself distorted. compared: the clean "
           "template's compared minutiae; in frame: those the motion leaves at least %d px inside the image; "
           "refound, any: those with a minutia of the distorted template within 10 px and 30 deg of where the "
           "motion takes them; refound: the same among the distorted template's compared minutiae; paired: "
           "pairs of the matcher's best rigid alignment; score: clean against distorted (median)\n\n",
           strength, seed, EDGE_PX);
    printf("| set | images | FTE | compared | in frame | refound, any | refound | paired | paired / refound %% | score "
           "median |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    int rc = 0;
    for (int d = 0; d < args.ndirs; d++) {
        char name[256];
        fp_dataset *ds = open_self_set("distortion", args.dirs[d], name, sizeof name);
        if (!ds) {
            rc = 1;
            continue;
        }
        const size_t n = fp_dataset_count(ds);
        distortion_cell c = {0};
        c.scores = calloc(n ? n : 1, sizeof(float));
        for (size_t i = 0; i < n && c.scores; i++) {
            self_sample smp;
            if (!load_self_sample("distortion", ctx, ds, i, &smp, &rc)) continue;
            const fp_io_image *io = &smp.io;
            uint8_t *px = malloc((size_t)io->width * io->height);
            fp_eval_distortion motion;
            if (px && fp_eval_distortion_draw(io->pixels, io->width, io->height, strength, seed, i, &motion) == FP_OK &&
                fp_eval_distortion_apply(&motion, io->pixels, io->width, io->height, px) == FP_OK) {
                fp_image dm = smp.im;
                dm.pixels = px;
                fp_template *t = NULL;
                c.images++;
                if (fp_extract(ctx, &dm, &t, NULL) != FP_OK) c.fte++;
                else measure_distorted(ctx, mws, smp.clean, t, &motion, io->width, io->height, &c);
                fp_template_destroy(t);
            }
            free(px);
            free_self_sample(&smp);
        }
        const double med = c.scores ? median_float(c.scores, c.scored) : 0.0;
        const double per = c.scored ? 1.0 / (double)c.scored : 0.0;
        printf("| %s | %zu | %zu | %.1f | %.1f | %.1f | %.1f |", name, c.images, c.fte, (double)c.compared * per,
               (double)c.inside * per, (double)c.refound_any * per, (double)c.refound * per);
        printf(" %.1f | %.1f | %.1f |\n", (double)c.paired * per,
               c.refound ? 100.0 * (double)c.paired / (double)c.refound : 0.0, med);
        free(c.scores);
        fp_dataset_destroy(ds);
    }
    free(mws);
    fp_context_destroy(ctx);
    return rc;
}
