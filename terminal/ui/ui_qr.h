/*
 * ui_qr.h - QR codes for the binding screen (manual 2: the device serial
 * number as a QR code), encoded by Debian's libqrencode.
 *
 * Error correction level M, byte mode, the smallest version that holds
 * the payload. The module matrix is copied out, so nothing of libqrencode
 * is kept and the caller owns a plain struct.
 */
#ifndef UI_QR_H
#define UI_QR_H

#include <stdint.h>

#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UI_QR_MAX_SIZE 177 /* modules per side of version 40 */

typedef struct ui_qr {
    int size;                                      /* modules per side: 21 + 4 * (version - 1) */
    int version;                                   /* 1..40 */
    uint8_t dark[UI_QR_MAX_SIZE * UI_QR_MAX_SIZE]; /* row-major, size * size used; 1 = dark module */
} ui_qr;

/*
 * Encodes payload (NUL-terminated bytes, not empty). Errors:
 * UI_ERR_INVALID_ARGUMENT (NULL or empty), UI_ERR_QR_TOO_LONG (does not fit
 * version 40-M), UI_ERR_NO_MEMORY.
 */
ui_status ui_qr_encode(const char *payload, ui_qr *out);

/* 1 when the module at (x, y) is dark; 0 outside the symbol (the quiet zone). */
int ui_qr_module(const ui_qr *qr, int x, int y);

/*
 * Draws the symbol with a 4-module white quiet zone, as large as fits in
 * area with whole pixels per module, centred. Returns the pixels per module
 * (0 when area is too small for 1 pixel per module: nothing is drawn).
 */
int ui_qr_draw(ui_fb *fb, const ui_qr *qr, ui_rect area);

#ifdef __cplusplus
}
#endif

#endif /* UI_QR_H */
