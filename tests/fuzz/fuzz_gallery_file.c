/*
 * libFuzzer target for the gallery file loader: any bytes written to a file
 * either open as a gallery that identifies without faults, or give an
 * error with no gallery and no file handle. The three ways to open (a
 * read-only copy, a read-only mapping, a writer) must agree on what they
 * found; a writer's recovery (cutting a torn append, sealing at close)
 * must leave a file that then opens cleanly with the same fingers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fp/fp.h"
#include "fp/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outcome {
    fp_status st;
    fp_gallery_file_info info;
    size_t count;
} outcome;

/* Opens path with flags, checks the result is sound, identifies once, closes. */
static outcome try_open(const char *path, uint32_t flags)
{
    outcome o;
    fp_gallery_file_options opt;
    fp_gallery_file_options_init(&opt);
    opt.flags = flags;
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    o.st = fp_gallery_file_open_with(path, &opt, &f, &g, &o.info);
    o.count = 0;
    if (o.st != FP_OK) {
        if (f || g) __builtin_trap();
        return o;
    }
    o.count = fp_gallery_count(g);
    fp_context *ctx = NULL;
    if (o.count && fp_context_create(NULL, &ctx) == FP_OK) {
        /* Compare every stored template with the first one: views must be sound. */
        fp_identify_candidate c[4];
        size_t m;
        fp_identify_decision d;
        fp_gallery_id id0 = {0, 0};
        const fp_template *probe = fp_gallery_find(g, id0);
        if (probe && fp_identify(ctx, g, probe, 30.0f, 4, c, &m, &d) != FP_OK) __builtin_trap();
        fp_context_destroy(ctx);
    }
    fp_gallery_file_close(f);
    fp_gallery_destroy(g);
    return o;
}

static int same(const outcome *a, const outcome *b)
{
    return a->st == b->st && a->count == b->count && a->info.records == b->info.records &&
           a->info.torn_bytes == b->info.torn_bytes && a->info.damage == b->info.damage &&
           a->info.damage_offset == b->info.damage_offset && a->info.closed_cleanly == b->info.closed_cleanly;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz-gallery-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    outcome copy = try_open(path, FP_GALLERY_FILE_READ_ONLY);
    outcome map = try_open(path, FP_GALLERY_FILE_READ_ONLY | FP_GALLERY_FILE_MAP);
    outcome writer = try_open(path, FP_GALLERY_FILE_NO_CREATE);
    if (!same(&copy, &map) || !same(&copy, &writer)) __builtin_trap();
    if (writer.st == FP_OK) {
        /* The writer cut any torn append and sealed the file at close. */
        outcome after = try_open(path, FP_GALLERY_FILE_READ_ONLY);
        if (after.st != FP_OK || after.count != writer.count || after.info.torn_bytes || !after.info.closed_cleanly)
            __builtin_trap();
    }
    unlink(path);
    return 0;
}
