/* libFuzzer target for the image decoders (PNG, PGM, TIFF, BMP). */
#include <stddef.h>
#include <stdint.h>

#include "fp/fpio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the pixel reads below from being optimised away. */
static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fp_io_image img;
    fp_status st = fp_io_decode(data, size, &img);
    if (st == FP_OK) {
        /* Touch every pixel so a short allocation shows up under ASan, and
         * check the invariants the header promises. */
        unsigned sum = 0;
        size_t count = (size_t)img.width * img.height;
        for (size_t i = 0; i < count; i++) sum += img.pixels[i];
        sink = sum;
        if (img.width == 0 || img.height == 0 || img.width > FP_IO_MAX_DIM || img.height > FP_IO_MAX_DIM ||
            img.format == FP_IO_UNKNOWN)
            __builtin_trap();
    } else if (img.pixels != NULL || img.width != 0 || img.height != 0) {
        __builtin_trap(); /* on error the image must be zeroed */
    }
    fp_io_image_free(&img);
    return 0;
}
