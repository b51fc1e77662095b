/*
 * ui_samples.h - a catalogue of screen models, one per main screen of the
 * manual, filled by hand with the values the manual shows. The screenshot
 * tests render each and compare with tests/ui_ref/<name>.png; the
 * m1-ui-shots tool writes them for review and for docs/img/.
 */
#ifndef UI_SAMPLES_H
#define UI_SAMPLES_H

#include <stddef.h>

#include "term_screen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of samples. */
size_t ui_sample_count(void);
/* Name of sample i (a file name stem, e.g. "standby"); NULL when i is out of range. */
const char *ui_sample_name(size_t i);
/* Fills *m with sample i. Returns 0, or -1 when i is out of range (m zeroed). */
int ui_sample_model(size_t i, term_screen_model *m);

#ifdef __cplusplus
}
#endif

#endif /* UI_SAMPLES_H */
