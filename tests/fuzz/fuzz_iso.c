/*
 * libFuzzer target for the ISO/IEC 19794-2:2005 and ANSI/INCITS 378-2004
 * readers: every input is read as both; whatever is accepted must satisfy
 * the template invariants, serialise in both formats, and read back to a
 * record that is stable from the second trip on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fp/fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_writes(const fp_template *t, fp_template_format fmt)
{
    size_t need = 0, written = 0;
    if (fp_template_serialize(t, fmt, NULL, 0, &need) != FP_OK || need == 0) __builtin_trap();
    uint8_t *buf = malloc(need);
    if (!buf) return;
    if (fp_template_serialize(t, fmt, buf, need - 1, &written) != FP_ERR_BUFFER_TOO_SMALL) __builtin_trap();
    if (fp_template_serialize(t, fmt, buf, need, &written) != FP_OK || written != need) __builtin_trap();
    /* What the writer produces, the reader takes back. The first trip may
     * reorder minutiae whose quality or angle the format rounds (the
     * template keeps them sorted by quality); from then on the record is
     * a fixed point. */
    fp_template *back = NULL, *back2 = NULL;
    if (fp_template_deserialize(fmt, buf, written, &back) != FP_OK) __builtin_trap();
    if (fp_template_minutiae_count(back) != fp_template_minutiae_count(t)) __builtin_trap();
    uint8_t *again = malloc(need), *again2 = malloc(need);
    if (again && again2) {
        size_t n2 = 0, n3 = 0;
        if (fp_template_serialize(back, fmt, again, need, &n2) != FP_OK || n2 != need) __builtin_trap();
        if (fp_template_deserialize(fmt, again, n2, &back2) != FP_OK) __builtin_trap();
        if (fp_template_serialize(back2, fmt, again2, need, &n3) != FP_OK || n3 != need ||
            memcmp(again, again2, need) != 0)
            __builtin_trap();
    }
    free(again);
    free(again2);
    fp_template_destroy(back2);
    fp_template_destroy(back);
    free(buf);
}

static void read_as(fp_template_format fmt, const uint8_t *data, size_t size)
{
    fp_template *t = NULL;
    fp_status st = fp_template_deserialize(fmt, data, size, &t);
    if (st != FP_OK) {
        if (t != NULL) __builtin_trap(); /* no half-made template on error */
        return;
    }
    uint32_t w = fp_template_width(t), h = fp_template_height(t);
    const fp_minutia *m = fp_template_minutiae(t);
    size_t n = fp_template_minutiae_count(t);
    if (w == 0 || h == 0 || n > FP_MAX_MINUTIAE || fp_template_quality(t) > 100) __builtin_trap();
    for (size_t i = 0; i < n; i++)
        if (m[i].x >= w || m[i].y >= h || m[i].type > FP_MINUTIA_BIFURCATION || m[i].quality > 100)
            __builtin_trap();
    check_writes(t, FP_FORMAT_ISO19794_2);
    check_writes(t, FP_FORMAT_ANSI378);
    check_writes(t, FP_FORMAT_NATIVE);
    fp_template_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy of exactly `size` bytes so ASan catches any over-read. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    read_as(FP_FORMAT_ISO19794_2, copy, size);
    read_as(FP_FORMAT_ANSI378, copy, size);
    free(copy);
    return 0;
}
