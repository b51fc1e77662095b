/*
 * ui_icons.h - small pictures drawn for this project: the status bar
 * (USB, server, Wi-Fi), the result marks (ok, fail, warn, info), the
 * verification methods (finger, card, key) and the main menu entries.
 *
 * Each icon is a 16 x 16 picture in ui_icons.c. '#' takes the colour the
 * caller passes, 'r' / 'g' / 'y' / 'b' / 'w' / 'k' are fixed red, green,
 * yellow, blue, white and black, '.' is transparent. ui_icon_draw scales
 * by repeating pixels; the large artwork (the fingerprint, the result
 * marks) has its own drawing functions in ui_widgets.h.
 */
#ifndef UI_ICONS_H
#define UI_ICONS_H

#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UI_ICON_SIZE 16

#define UI_ICON_MAP(X)                                                                                                 \
    X(USB, "usb")                                                                                                      \
    X(SERVER, "server")                                                                                                \
    X(WIFI, "wifi")                                                                                                    \
    X(CROSS_BADGE, "cross_badge")                                                                                      \
    X(OK, "ok")                                                                                                        \
    X(FAIL, "fail")                                                                                                    \
    X(WARN, "warn")                                                                                                    \
    X(INFO, "info")                                                                                                    \
    X(FINGER, "finger")                                                                                                \
    X(CARD, "card")                                                                                                    \
    X(KEY, "key")                                                                                                      \
    X(USER, "user")                                                                                                    \
    X(COMM, "comm")                                                                                                    \
    X(SYSTEM, "system")                                                                                                \
    X(DATA, "data")                                                                                                    \
    X(RECORD, "record")                                                                                                \
    X(AUTOTEST, "autotest")                                                                                            \
    X(SYSINFO, "sysinfo")                                                                                              \
    X(HOLD_BADGE, "hold_badge")

typedef enum ui_icon {
#define UI_ICON_ENUM_(name, text) UI_ICON_##name,
    UI_ICON_MAP(UI_ICON_ENUM_)
#undef UI_ICON_ENUM_
        UI_ICON_COUNT
} ui_icon;

/* "usb", ...; "?" for an unknown id. */
const char *ui_icon_name(ui_icon icon);

/* The picture's character at (x, y): '#', a colour letter or '.'; '.' outside or for an unknown id. */
char ui_icon_pixel(ui_icon icon, int x, int y);

/* Draws icon with its top-left at (x, y), scale 1..8. */
void ui_icon_draw(ui_fb *fb, ui_icon icon, int x, int y, ui_color fg, int scale);

#ifdef __cplusplus
}
#endif

#endif /* UI_ICONS_H */
