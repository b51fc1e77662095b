/*
 * libFuzzer target for the gallery file loader: any bytes written to a file
 * either open as a gallery that identifies without faults, or give an
 * error with no gallery and no file handle.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fp/fp.h"
#include "fp/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    fp_gallery_file *f = NULL;
    fp_gallery *g = NULL;
    fp_status st = fp_gallery_file_open(path, &f, &g, NULL);
    if (st != FP_OK) {
        if (f || g) __builtin_trap();
    } else {
        size_t n = fp_gallery_count(g);
        fp_context *ctx = NULL;
        if (n && fp_context_create(NULL, &ctx) == FP_OK) {
            /* Compare every stored template with itself and the first one: views must be sound. */
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
    }
    unlink(path);
    return 0;
}
