/*
 * backend_replay.c - frames from stored images: a data set in any layout
 * fp_dataset_open reads, a plain folder of images, or one image file.
 *
 * A stored image is a single press, so the replay plays a press around it:
 * blank frames (the finger is away), then the image held for a few frames,
 * then blank again, and on to the next image (wrapping round at the end).
 * Every frame has the size of the first image; others are centred, cropped
 * or padded with white, as a sensor of fixed size would show them.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fp/dataset.h"
#include "fp/fpio.h"
#include "sensor_internal.h"

typedef struct replay_state {
    fp_sensor *s;
    char **paths;
    size_t count;
    uint32_t blank, hold, interval_ms;
    uint32_t w, h;
    uint8_t *frame;
    size_t image;        /* index of the image of the current press */
    uint32_t step;
    int loaded;          /* frame holds image `image` */
} replay_state;

static void replay_close(void *state)
{
    replay_state *st = state;
    if (!st)
        return;
    for (size_t i = 0; i < st->count; i++)
        free(st->paths[i]);
    free(st->paths);
    free(st->frame);
    free(st);
}

static int has_image_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    static const char *const exts[] = {".png", ".pgm", ".tif", ".tiff", ".bmp"};
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static fp_status add_path(replay_state *st, size_t *cap, const char *dir, const char *name)
{
    if (st->count == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **np = realloc(st->paths, nc * sizeof(*np));
        if (!np)
            return FP_ERR_NO_MEMORY;
        st->paths = np;
        *cap = nc;
    }
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char *p = malloc(n);
    if (!p)
        return FP_ERR_NO_MEMORY;
    if (dir) {
        strcpy(p, dir);
        strcat(p, "/");
        strcat(p, name);
    } else {
        strcpy(p, name);
    }
    st->paths[st->count++] = p;
    return FP_OK;
}

/* A folder the loaders do not know: its image files in name order. */
static fp_status list_folder(replay_state *st, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return FP_ERR_IO;
    size_t cap = 0;
    fp_status rc = FP_OK;
    struct dirent *e;
    while (rc == FP_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && has_image_ext(e->d_name))
            rc = add_path(st, &cap, dir, e->d_name);
    }
    closedir(d);
    if (rc == FP_OK && st->count > 1)
        qsort(st->paths, st->count, sizeof(*st->paths), cmp_str);
    return rc;
}

static fp_status list_source(replay_state *st, const char *src, uint32_t *dpi)
{
    struct stat sb;
    if (stat(src, &sb) != 0)
        return FP_SENSOR_ERR_NO_DEVICE;
    size_t cap = 0;
    if (S_ISREG(sb.st_mode) && has_image_ext(src))
        return add_path(st, &cap, NULL, src);
    fp_dataset *ds = NULL;
    fp_status rc = fp_dataset_open(src, FP_LAYOUT_AUTO, &ds);
    if (rc == FP_OK) {
        if (!*dpi)
            *dpi = fp_dataset_default_dpi(ds);
        for (size_t i = 0; rc == FP_OK && i < fp_dataset_count(ds); i++)
            rc = add_path(st, &cap, NULL, fp_dataset_sample(ds, i)->path);
        fp_dataset_destroy(ds);
        return rc;
    }
    fp_dataset_destroy(ds);
    if (rc == FP_ERR_NO_MEMORY || !S_ISDIR(sb.st_mode))
        return rc;
    return list_folder(st, src);
}

/* Loads image i into the frame buffer (fitted to the sensor size). */
static fp_status load_image(replay_state *st, size_t i)
{
    fp_io_image img;
    fp_status rc = fp_io_load(st->paths[i], &img);
    if (rc != FP_OK)
        return rc;
    fpi_sensor_fit(img.pixels, img.width, img.height, st->frame, st->w, st->h);
    fp_io_image_free(&img);
    return FP_OK;
}

static fp_status replay_open(fp_sensor *s, const fp_sensor_config *cfg, fp_sensor_info *info, void **state)
{
    if (!cfg->source)
        return FP_ERR_INVALID_ARGUMENT;
    replay_state *st = calloc(1, sizeof(*st));
    if (!st)
        return FP_ERR_NO_MEMORY;
    st->s = s;
    st->blank = cfg->replay_blank_frames ? cfg->replay_blank_frames : 2;
    st->hold = cfg->replay_hold_frames ? cfg->replay_hold_frames : 3;
    st->interval_ms = cfg->frame_interval_ms;
    uint32_t dpi = cfg->dpi;
    fp_status rc = list_source(st, cfg->source, &dpi);
    if (rc == FP_OK && st->count == 0)
        rc = FP_SENSOR_ERR_NO_DEVICE;
    fp_io_image first;
    memset(&first, 0, sizeof(first));
    if (rc == FP_OK)
        rc = fp_io_load(st->paths[0], &first);
    if (rc == FP_OK) {
        st->w = first.width;
        st->h = first.height;
        if (!dpi) {
            int plausible = first.dpi >= 250 && first.dpi <= 1000 && first.dpi != 72;
            dpi = plausible ? first.dpi : 500;
            info->dpi_stated = plausible;
        }
        fp_io_image_free(&first);
        if (st->w < 32 || st->h < 32 || st->w > 2048 || st->h > 2048)
            rc = FP_ERR_IMAGE_SIZE;
    }
    if (rc == FP_OK && !(st->frame = malloc((size_t)st->w * st->h)))
        rc = FP_ERR_NO_MEMORY;
    if (rc != FP_OK) {
        replay_close(st);
        return rc;
    }
    fpi_sensor_strlcpy(info->name, "Replay of stored images", sizeof(info->name));
    fpi_sensor_strlcpy(info->vendor, "fp replay", sizeof(info->vendor));
    fpi_sensor_strlcpy(info->driver, "replay", sizeof(info->driver));
    info->width = st->w;
    info->height = st->h;
    info->dpi = dpi;
    if (cfg->dpi)
        info->dpi_stated = 0;
    *state = st;
    return FP_OK;
}

static fp_status replay_read(void *state, const uint8_t **pixels, uint32_t *width, uint32_t *height,
                             uint64_t deadline_ms, uint32_t *flags)
{
    replay_state *st = state;
    *flags = 0;
    fp_status rc = fpi_sensor_sleep(st->s, st->interval_ms, deadline_ms);
    if (rc != FP_OK)
        return rc;
    const uint32_t k = st->step;
    if (++st->step >= st->blank + st->hold) {
        st->step = 0;
        st->image = (st->image + 1) % st->count;
        st->loaded = 0;
    }
    if (k < st->blank) {
        memset(st->frame, 255, (size_t)st->w * st->h);
        st->loaded = 0;
    } else if (!st->loaded) {
        /* A file that cannot be read is a bad frame: report it, and the
         * next read goes on with the next image. */
        size_t i = k + 1 >= st->blank + st->hold ? (st->image + st->count - 1) % st->count : st->image;
        rc = load_image(st, i);
        if (rc != FP_OK) {
            st->step = 0;
            st->image = (i + 1) % st->count;
            return rc == FP_ERR_NO_MEMORY ? rc : FP_SENSOR_ERR_PROTOCOL;
        }
        st->loaded = 1;
    }
    *pixels = st->frame;
    *width = st->w;
    *height = st->h;
    return FP_OK;
}

const fpi_sensor_driver fpi_sensor_driver_replay = {
    .name = "replay",
    .open = replay_open,
    .close = replay_close,
    .read_frame = replay_read,
    .cancel = NULL,
    .recover = NULL,
};
