/* ui_qr.c - QR symbols through libqrencode (see ui_qr.h). */
#include "ui_qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

ui_status ui_qr_encode(const char *payload, ui_qr *out)
{
    if (!payload || !out || !payload[0]) return UI_ERR_INVALID_ARGUMENT;
    out->size = 0;
    out->version = 0;
    errno = 0;
    QRcode *code = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);
    if (!code) return errno == ENOMEM ? UI_ERR_NO_MEMORY : UI_ERR_QR_TOO_LONG;
    if (code->width <= 0 || code->width > UI_QR_MAX_SIZE) {
        QRcode_free(code);
        return UI_ERR_QR_TOO_LONG;
    }
    out->size = code->width;
    out->version = code->version;
    for (int i = 0; i < code->width * code->width; i++) out->dark[i] = (uint8_t)(code->data[i] & 1u);
    QRcode_free(code);
    return UI_OK;
}

int ui_qr_module(const ui_qr *qr, int x, int y)
{
    if (!qr || x < 0 || y < 0 || x >= qr->size || y >= qr->size) return 0;
    return qr->dark[y * qr->size + x];
}

int ui_qr_draw(ui_fb *fb, const ui_qr *qr, ui_rect area)
{
    if (!fb || !qr || qr->size <= 0) return 0;
    int total = qr->size + 8;
    int side = area.w < area.h ? area.w : area.h;
    int px = side / total;
    if (px < 1) return 0;
    int full = total * px;
    int x0 = area.x + (area.w - full) / 2, y0 = area.y + (area.h - full) / 2;
    ui_fb_fill(fb, (ui_rect){x0, y0, full, full}, UI_RGB(255, 255, 255));
    for (int y = 0; y < qr->size; y++)
        for (int x = 0; x < qr->size; x++)
            if (qr->dark[y * qr->size + x])
                ui_fb_fill(fb, (ui_rect){x0 + (x + 4) * px, y0 + (y + 4) * px, px, px}, UI_RGB(0, 0, 0));
    return px;
}
