/*
 * fpsynth - writes a synthetic fingerprint data set with ground truth.
 *
 *   fpsynth --out DIR --fingers N --impressions K --seed S
 *           [--profile optical|optical-large|capacitive|optical-small] [--pressure-mix]
 *           [--difficulty standard|hard-distortion|hard-drywet]
 *           [--threads T] [--first F] [--fast]
 *
 * For finger f (0-based) and impression k (1-based) it writes, FVC style,
 * DIR/<101+f>_<k>.png, DIR/<101+f>_<k>.json (ground truth and the
 * impression parameters) and DIR/<101+f>_<k>.iso (ISO/IEC 19794-2 record of
 * the ground truth, skipped with a note while the engine lacks the format).
 * --fast writes only .iso/.json from the fast template model (no images).
 * --difficulty picks a capture preset (fp_synth_difficulty); the standard
 * one writes exactly what the tool wrote before presets existed.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fp/fp.h"
#include "fp/fpio.h"
#include "fp/synth.h"

typedef struct job {
    const char *out;
    uint32_t fingers, impressions, first;
    uint64_t seed;
    fp_synth_profile profile;
    fp_synth_difficulty difficulty;
    int pressure_mix, fast;
    atomic_uint next;
    atomic_int failed;
    atomic_int iso_unsupported;
    atomic_ulong images, minutiae;
} job;

static void usage(FILE *f)
{
    fprintf(f, "usage: fpsynth --out DIR --fingers N --impressions K --seed S\n"
               "               [--profile optical|optical-large|capacitive|optical-small] [--pressure-mix]\n"
               "               [--difficulty standard|hard-distortion|hard-drywet]\n"
               "               [--threads T] [--first F] [--fast]\n");
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

static cJSON *minutiae_json(const fp_minutia *m, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "x", m[i].x);
        cJSON_AddNumberToObject(o, "y", m[i].y);
        cJSON_AddNumberToObject(o, "angle", m[i].angle);
        cJSON_AddStringToObject(o, "type", m[i].type == FP_MINUTIA_ENDING ? "ending" : "bifurcation");
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static int write_iso(job *j, const char *path, const fp_minutia *m, size_t n, uint32_t w, uint32_t h)
{
    fp_template *t = NULL;
    fp_status st = fp_template_create(w, h, 500, m, n, 100, &t);
    size_t need = 0;
    if (st == FP_OK) st = fp_template_serialize(t, FP_FORMAT_ISO19794_2, NULL, 0, &need);
    uint8_t *buf = NULL;
    if (st == FP_OK) {
        buf = malloc(need ? need : 1);
        st = buf ? fp_template_serialize(t, FP_FORMAT_ISO19794_2, buf, need, &need) : FP_ERR_NO_MEMORY;
    }
    int rc = 0;
    if (st == FP_ERR_UNSUPPORTED) {
        atomic_store(&j->iso_unsupported, 1);
    } else if (st != FP_OK) {
        fprintf(stderr, "fpsynth: %s: %s\n", path, fp_status_message(st));
        rc = -1;
    } else if (write_file(path, buf, need) != 0) {
        fprintf(stderr, "fpsynth: cannot write %s\n", path);
        rc = -1;
    }
    free(buf);
    fp_template_destroy(t);
    return rc;
}

static int write_json(const char *path, cJSON *root)
{
    char *text = cJSON_Print(root);
    int rc = text ? write_file(path, text, strlen(text)) : -1;
    if (rc != 0) fprintf(stderr, "fpsynth: cannot write %s\n", path);
    cJSON_free(text);
    return rc;
}

static void add_params(cJSON *root, const fp_synth_impression_params *p)
{
    cJSON *o = cJSON_AddObjectToObject(root, "params");
    cJSON_AddNumberToObject(o, "dx", p->dx);
    cJSON_AddNumberToObject(o, "dy", p->dy);
    cJSON_AddNumberToObject(o, "rotation_deg", p->rotation_deg);
    cJSON_AddNumberToObject(o, "distortion_dx", p->distortion_dx);
    cJSON_AddNumberToObject(o, "distortion_dy", p->distortion_dy);
    cJSON_AddNumberToObject(o, "distortion_rot_deg", p->distortion_rot_deg);
    cJSON_AddNumberToObject(o, "distortion_r0", p->distortion_r0);
    cJSON_AddNumberToObject(o, "contact_dx", p->contact_dx);
    cJSON_AddNumberToObject(o, "contact_dy", p->contact_dy);
    cJSON_AddNumberToObject(o, "contact_ax", p->contact_ax);
    cJSON_AddNumberToObject(o, "contact_ay", p->contact_ay);
    cJSON_AddNumberToObject(o, "pressure", p->pressure);
    cJSON_AddNumberToObject(o, "contrast", p->contrast);
    cJSON_AddNumberToObject(o, "noise", p->noise);
    cJSON_AddNumberToObject(o, "blur", p->blur);
}

/* The preset's extra parameters; the standard preset's files stay as they were. */
static void add_hard_params(cJSON *root, fp_synth_difficulty difficulty, const fp_synth_impression_params *p)
{
    if (difficulty == FP_SYNTH_STANDARD) return;
    cJSON_AddStringToObject(root, "difficulty", fp_synth_difficulty_name(difficulty));
    cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (!o) return;
    cJSON_AddNumberToObject(o, "warp_amp", p->warp_amp);
    cJSON_AddNumberToObject(o, "warp_cell", p->warp_cell);
    cJSON_AddNumberToObject(o, "patchiness", p->patchiness);
    cJSON_AddNumberToObject(o, "smudge", p->smudge);
    cJSON_AddNumberToObject(o, "creases", p->creases);
    cJSON_AddNumberToObject(o, "roughness", p->roughness);
}

static int do_finger(job *j, uint32_t f)
{
    uint32_t finger = j->first + f;
    fp_synth_master *master = NULL;
    int rc = 0;
    if (!j->fast) {
        fp_status st = fp_synth_master_create_difficulty(j->seed, finger, j->difficulty, &master);
        if (st != FP_OK) {
            fprintf(stderr, "fpsynth: finger %u: %s\n", finger, fp_status_message(st));
            return -1;
        }
    }
    for (uint32_t k = 0; k < j->impressions && rc == 0; k++) {
        char base[4096], path[4200];
        snprintf(base, sizeof(base), "%s/%u_%u", j->out, 101 + f, k + 1);
        cJSON *root = cJSON_CreateObject();
        char seedtxt[32];
        snprintf(seedtxt, sizeof(seedtxt), "%llu", (unsigned long long)j->seed);
        cJSON_AddStringToObject(root, "seed", seedtxt); /* a JSON number cannot hold every 64-bit seed */
        cJSON_AddNumberToObject(root, "finger", finger);
        cJSON_AddNumberToObject(root, "impression", k);
        cJSON_AddStringToObject(root, "class", fp_synth_class_name(fp_synth_class_of(j->seed, finger)));
        cJSON_AddNumberToObject(root, "dpi", 500);
        if (j->fast) {
            fp_minutia buf[256];
            size_t n = 0;
            fp_synth_fast_minutiae(j->seed, finger, k, buf, 256, &n);
            cJSON_AddStringToObject(root, "mode", "fast");
            cJSON_AddNumberToObject(root, "width", 388);
            cJSON_AddNumberToObject(root, "height", 374);
            cJSON_AddItemToObject(root, "minutiae", minutiae_json(buf, n));
            snprintf(path, sizeof(path), "%s.iso", base);
            rc = write_iso(j, path, buf, n, 388, 374);
            atomic_fetch_add(&j->minutiae, n);
        } else {
            fp_synth_impression_params p;
            fp_synth_impression *imp = NULL;
            fp_synth_impression_params_draw_difficulty(j->seed, finger, k, j->profile, j->pressure_mix, j->difficulty,
                                                       &p);
            fp_status st = fp_synth_impression_render(master, &p, &imp);
            if (st != FP_OK) {
                fprintf(stderr, "fpsynth: %s: %s\n", base, fp_status_message(st));
                rc = -1;
            } else {
                uint32_t w, h;
                size_t n;
                const uint8_t *px = fp_synth_impression_pixels(imp, &w, &h);
                const fp_minutia *m = fp_synth_impression_minutiae(imp, &n);
                snprintf(path, sizeof(path), "%s.png", base);
                st = fp_io_write_png_gray(path, px, w, h, w, 500);
                if (st != FP_OK) {
                    fprintf(stderr, "fpsynth: %s: %s\n", path, fp_status_message(st));
                    rc = -1;
                }
                cJSON_AddStringToObject(root, "mode", "image");
                cJSON_AddStringToObject(root, "profile", fp_synth_profile_name(p.profile));
                cJSON_AddNumberToObject(root, "width", w);
                cJSON_AddNumberToObject(root, "height", h);
                add_params(root, &p);
                add_hard_params(root, j->difficulty, &p);
                cJSON_AddItemToObject(root, "minutiae", minutiae_json(m, n));
                snprintf(path, sizeof(path), "%s.iso", base);
                if (rc == 0) rc = write_iso(j, path, m, n, w, h);
                atomic_fetch_add(&j->images, 1);
                atomic_fetch_add(&j->minutiae, n);
            }
            fp_synth_impression_destroy(imp);
        }
        snprintf(path, sizeof(path), "%s.json", base);
        if (rc == 0) rc = write_json(path, root);
        cJSON_Delete(root);
    }
    fp_synth_master_destroy(master);
    return rc;
}

static void *worker(void *arg)
{
    job *j = arg;
    for (;;) {
        unsigned f = atomic_fetch_add(&j->next, 1u);
        if (f >= j->fingers || atomic_load(&j->failed)) break;
        if (do_finger(j, f) != 0) atomic_store(&j->failed, 1);
    }
    return NULL;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end) return -1;
    *v = x;
    return 0;
}

int main(int argc, char **argv)
{
    job j;
    memset(&j, 0, sizeof(j));
    uint64_t fingers = 0, impressions = 0, threads = 2, first = 0;
    int have_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--out") && v) {
            j.out = v;
            i++;
        } else if (!strcmp(a, "--fingers") && v) {
            bad = parse_u64(v, &fingers);
            i++;
        } else if (!strcmp(a, "--impressions") && v) {
            bad = parse_u64(v, &impressions);
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            bad = parse_u64(v, &j.seed);
            have_seed = 1;
            i++;
        } else if (!strcmp(a, "--threads") && v) {
            bad = parse_u64(v, &threads);
            i++;
        } else if (!strcmp(a, "--first") && v) {
            bad = parse_u64(v, &first);
            i++;
        } else if (!strcmp(a, "--profile") && v) {
            bad = fp_synth_profile_parse(v, &j.profile) != FP_OK;
            i++;
        } else if (!strcmp(a, "--difficulty") && v) {
            bad = fp_synth_difficulty_parse(v, &j.difficulty) != FP_OK;
            i++;
        } else if (!strcmp(a, "--pressure-mix")) {
            j.pressure_mix = 1;
        } else if (!strcmp(a, "--fast")) {
            j.fast = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            bad = 1;
        }
        if (bad) {
            fprintf(stderr, "fpsynth: bad argument %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!j.out || !fingers || !impressions || !have_seed || fingers > 899 || impressions > 1000 || threads < 1 ||
        threads > 64 || first > 0xFFFFFFFFull - fingers) {
        usage(stderr);
        fprintf(stderr, "fpsynth: --out, --fingers 1..899, --impressions 1..1000 and --seed are required\n");
        return 2;
    }
    if (mkdir(j.out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "fpsynth: cannot create %s: %s\n", j.out, strerror(errno));
        return 1;
    }
    j.fingers = (uint32_t)fingers;
    j.impressions = (uint32_t)impressions;
    j.first = (uint32_t)first;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t tid[64];
    size_t started = 0;
    for (size_t t = 0; t < threads; t++)
        if (pthread_create(&tid[started], NULL, worker, &j) == 0) started++;
    if (started == 0) worker(&j);
    for (size_t t = 0; t < started; t++) pthread_join(tid[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    unsigned long items = j.fast ? (unsigned long)(fingers * impressions) : atomic_load(&j.images);
    fprintf(stderr, "fpsynth: %lu %s, %lu ground-truth minutiae, %.2f s (%.1f per second, %zu threads)\n", items,
            j.fast ? "templates" : "images", atomic_load(&j.minutiae), secs, secs > 0 ? items / secs : 0.0,
            started ? started : (size_t)1);
    if (atomic_load(&j.iso_unsupported))
        fprintf(stderr, "fpsynth: note: the engine has no ISO 19794-2 serialiser yet; .iso files were skipped\n");
    return atomic_load(&j.failed) ? 1 : 0;
}
