/*
 * libFuzzer target for the native template reader: whatever it accepts must
 * satisfy the template invariants (minutiae in order of quality, best
 * first), and serialising it again must give the input's header back and
 * its minutia records in the template's order, which the reader must
 * accept again as the same template. Each input is also tried with its CRC
 * fixed up, so mutations reach the field checks behind the checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fp/fp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *copy, size_t size)
{
    fp_template *t = NULL;
    fp_status st = fp_template_deserialize(FP_FORMAT_NATIVE, copy, size, &t);
    if (st != FP_OK) {
        if (t != NULL) __builtin_trap(); /* no half-made template on error */
        if (fp_status_is_retry(st) || st == FP_ERR_INVALID_ARGUMENT) __builtin_trap();
        return;
    }
    uint32_t w = fp_template_width(t), h = fp_template_height(t);
    const fp_minutia *m = fp_template_minutiae(t);
    size_t n = fp_template_minutiae_count(t);
    if (w == 0 || h == 0 || n > FP_MAX_MINUTIAE || fp_template_quality(t) > 100) __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if (m[i].x >= w || m[i].y >= h || m[i].type > FP_MINUTIA_BIFURCATION || m[i].quality > 100 || m[i].reserved)
            __builtin_trap();
        if (i && m[i - 1].quality < m[i].quality) __builtin_trap();
    }
    size_t need = 0, written = 0;
    if (fp_template_serialize(t, FP_FORMAT_NATIVE, NULL, 0, &need) != FP_OK || need > size) __builtin_trap();
    uint8_t *out = malloc(need);
    if (out) {
        if (fp_template_serialize(t, FP_FORMAT_NATIVE, out, need, &written) != FP_OK || written != need)
            __builtin_trap();
        /* Byte 15 is reserved (must be 0) and the CRC covers it; both are
         * left out of the comparison, and the minutia records are compared
         * as a set (6 bytes each from offset 16). */
        if (memcmp(out, copy, 15) != 0) __builtin_trap();
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < n && memcmp(out + 16 + 6 * i, copy + 16 + 6 * j, 6) != 0) j++;
            if (j == n) __builtin_trap();
        }
        fp_template *back = NULL;
        if (fp_template_deserialize(FP_FORMAT_NATIVE, out, need, &back) != FP_OK) __builtin_trap();
        if (fp_template_minutiae_count(back) != n || memcmp(fp_template_minutiae(back), m, n * sizeof(*m)) != 0)
            __builtin_trap();
        fp_template_destroy(back);
        free(out);
    }
    fp_template_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy of exactly `size` bytes so ASan catches any over-read. */
    uint8_t *copy = calloc(size ? size : 1, 1);
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    check(copy, size);
    if (size >= 20) {
        size_t need = 16 + 6 * (size_t)(copy[6] | copy[7] << 8) + 4;
        if (need <= size) {
            uint32_t crc = fpi_crc32(0, copy, need - 4);
            for (int k = 0; k < 4; k++) copy[need - 4 + k] = (uint8_t)(crc >> (8 * k));
            check(copy, size);
        }
    }
    free(copy);
    return 0;
}
