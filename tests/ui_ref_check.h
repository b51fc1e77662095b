/*
 * ui_ref_check.h - screenshot comparison against the references in
 * tests/ui_ref/ (shared by test_ui and the application tests).
 */
#ifndef UI_REF_CHECK_H
#define UI_REF_CHECK_H

#include <stddef.h>

#include "ui_fb.h"

/*
 * Compares fb with FP_SOURCE_DIR/tests/ui_ref/<name>.png, pixel for pixel (a
 * channel may differ by one level on at most 0.1 % of the pixels). Returns 1
 * when it matches. Otherwise returns 0, says why, and writes the actual
 * screen to outdir/<name>.png for review. With UI_REF_WRITE=1 in the
 * environment (scripts/ui-review.sh) the reference itself is written and 1
 * returned: references change only by that explicit command.
 */
int ui_ref_check(const ui_fb *fb, const char *name, const char *outdir, char *why, size_t cap);

#endif /* UI_REF_CHECK_H */
