/* Fuzz target: the WAV parser of the terminal's audio backend (prompt files). */
#include <stdint.h>
#include <stdlib.h>

#include "ui_audio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int16_t *samples = NULL;
    size_t count = 0;
    uint32_t rate = 0;
    if (ui_wav_parse(data, size, &samples, &count, &rate) == UI_OK) {
        /* touch every sample: ASan checks the buffer is as long as claimed */
        long sum = 0;
        for (size_t i = 0; i < count; i++) sum += samples[i];
        (void)sum;
        free(samples);
    }
    return 0;
}
