/* ui_render.c - draws the screen model (see ui_render.h). */
#include "ui_render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_font.h"
#include "ui_icons.h"
#include "ui_qr.h"

/* Palette. */
#define C_STATUS_BG UI_RGB(14, 22, 34)
#define C_TITLE_BG UI_RGB(25, 90, 170)
#define C_BODY_BG UI_RGB(244, 246, 249)
#define C_PANEL UI_RGB(255, 255, 255)
#define C_TEXT UI_RGB(30, 34, 40)
#define C_DIM UI_RGB(135, 140, 150)
#define C_LINE UI_RGB(212, 218, 226)
#define C_SEL UI_RGB(38, 150, 80)
#define C_WHITE UI_RGB(255, 255, 255)
#define C_BLACK UI_RGB(0, 0, 0)
#define C_VALUE UI_RGB(35, 90, 165)
#define C_HINT_BG UI_RGB(222, 228, 236)
#define C_BLUE UI_RGB(30, 110, 210)
#define C_RED UI_RGB(215, 45, 45)
#define C_GREEN UI_RGB(40, 160, 75)
#define C_YELLOW UI_RGB(245, 185, 25)
#define C_KEY_OFF UI_RGB(70, 76, 84)
#define C_GOLD UI_RGB(205, 160, 60)

#define BODY_TOP (UI_STATUS_H + UI_TITLE_H)

static int body_bottom(const term_screen_model *m, const ui_fb *fb)
{
    return ui_fb_height(fb) - (m->hint[0] ? UI_HINT_H : 0);
}

/* A bold line of text: the glyphs drawn twice, one pixel apart. */
static void draw_bold_in(ui_fb *fb, ui_rect r, const char *text, ui_color c, int scale, int align)
{
    ui_font_draw_in(fb, r, text, c, scale, align);
    r.x += 1;
    ui_font_draw_in(fb, r, text, c, scale, align);
}

/* Thick line: discs stamped along the segment. */
static void thick_line(ui_fb *fb, double x0, double y0, double x1, double y1, int t, ui_color c)
{
    double len = hypot(x1 - x0, y1 - y0);
    int steps = (int)len + 1;
    for (int i = 0; i <= steps; i++) {
        double f = (double)i / steps;
        ui_fb_disc(fb, (int)lround(x0 + (x1 - x0) * f), (int)lround(y0 + (y1 - y0) * f), t, c);
    }
}

/* ------------------------------------------------------------------------ */
/* Bars                                                                     */
/* ------------------------------------------------------------------------ */

static void link_icon(ui_fb *fb, ui_icon icon, uint8_t state, int *x)
{
    if (state == TERM_LINK_HIDDEN) return;
    *x -= UI_ICON_SIZE + 4;
    int y = (UI_STATUS_H - UI_ICON_SIZE) / 2;
    if (state == TERM_LINK_UP) {
        ui_icon_draw(fb, icon, *x, y, C_WHITE, 1);
    } else if (state == TERM_LINK_HELD) {
        ui_icon_draw(fb, icon, *x, y, C_WHITE, 1);
        ui_icon_draw(fb, UI_ICON_HOLD_BADGE, *x, y, C_WHITE, 1);
    } else {
        ui_icon_draw(fb, icon, *x, y, UI_RGB(110, 116, 126), 1);
        ui_icon_draw(fb, UI_ICON_CROSS_BADGE, *x, y, C_WHITE, 1);
    }
}

void ui_draw_status_bar(ui_fb *fb, const term_scr_status *st)
{
    int w = ui_fb_width(fb);
    ui_fb_fill(fb, (ui_rect){0, 0, w, UI_STATUS_H}, C_STATUS_BG);
    if (!st) return;
    ui_font_draw_in(fb, (ui_rect){6, 0, 80, UI_STATUS_H}, st->time, C_WHITE, 1, 0);
    ui_font_draw_in(fb, (ui_rect){90, 0, 140, UI_STATUS_H}, st->punch_state, UI_RGB(140, 210, 160), 1, 1);
    int x = w - 2;
    link_icon(fb, UI_ICON_WIFI, st->wifi, &x);
    link_icon(fb, UI_ICON_SERVER, st->server, &x);
    if (st->usb) {
        x -= UI_ICON_SIZE + 4;
        ui_icon_draw(fb, UI_ICON_USB, x, (UI_STATUS_H - UI_ICON_SIZE) / 2, C_WHITE, 1);
    }
}

void ui_draw_title_bar(ui_fb *fb, const char *title, const char *right)
{
    int w = ui_fb_width(fb);
    ui_fb_fill(fb, (ui_rect){0, UI_STATUS_H, w, UI_TITLE_H}, C_TITLE_BG);
    ui_fb_hline(fb, 0, UI_STATUS_H + UI_TITLE_H - 1, w, UI_RGB(15, 60, 120));
    int rw = right && right[0] ? ui_font_text_width(right, 1) + 8 : 0;
    draw_bold_in(fb, (ui_rect){rw, UI_STATUS_H, w - 2 * rw, UI_TITLE_H}, title ? title : "", C_WHITE, 1, 1);
    if (rw) ui_font_draw_in(fb, (ui_rect){w - rw, UI_STATUS_H, rw - 6, UI_TITLE_H}, right, UI_RGB(200, 220, 245), 1, 2);
}

static void hint_bar(ui_fb *fb, const char *hint)
{
    int w = ui_fb_width(fb), h = ui_fb_height(fb);
    ui_fb_fill(fb, (ui_rect){0, h - UI_HINT_H, w, UI_HINT_H}, C_HINT_BG);
    ui_fb_hline(fb, 0, h - UI_HINT_H, w, C_LINE);
    ui_font_draw_in(fb, (ui_rect){4, h - UI_HINT_H, w - 8, UI_HINT_H}, hint, UI_RGB(70, 78, 90), 1, 1);
}

static void button(ui_fb *fb, ui_rect r, const char *text, int primary)
{
    ui_fb_round_fill(fb, r, 5, primary ? C_BLUE : UI_RGB(120, 128, 140));
    draw_bold_in(fb, r, text, C_WHITE, 1, 1);
}

static void buttons_row(ui_fb *fb, int y, uint32_t count, const char (*labels)[TERM_SCR_SHORT])
{
    if (count == 0) return;
    if (count > TERM_SCR_BUTTONS) count = TERM_SCR_BUTTONS;
    int bw = 110, gap = 24, w = ui_fb_width(fb);
    int total = (int)count * bw + ((int)count - 1) * gap;
    int x = (w - total) / 2;
    for (uint32_t i = 0; i < count; i++) {
        button(fb, (ui_rect){x, y, bw, 24}, labels[i], i == 0);
        x += bw + gap;
    }
}

/* ------------------------------------------------------------------------ */
/* Artwork                                                                  */
/* ------------------------------------------------------------------------ */

void ui_draw_fingerprint_art(ui_fb *fb, ui_rect r, ui_color ink)
{
    if (r.w < 8 || r.h < 8) return;
    double cx = r.x + r.w / 2.0, cy = r.y + r.h * 0.46;
    double a = r.w * 0.46, b = r.h * 0.49;
    double period = r.w / 9.0 < 3.0 ? 3.0 : r.w / 9.0;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            double e = (dx / a) * (dx / a) + (dy / b) * (dy / b);
            if (e > 1.0) continue;
            /* whorl: rings around a core stretched vertically; a few breaks make it read as skin */
            double d = sqrt(dx * dx + (dy * 0.78) * (dy * 0.78));
            double phase = fmod(d, period) / period;
            double theta = atan2(dy, dx);
            int ring = (int)(d / period);
            double gap = sin(theta * 2.0 + ring * 1.7);
            if (phase < 0.45 && gap < 0.92 && d > period * 0.4) ui_fb_pixel(fb, x, y, ink);
        }
    }
}

static void card_art(ui_fb *fb, int cx, int cy, int radius)
{
    int w = radius * 2, h = radius * 13 / 10;
    ui_rect r = {cx - w / 2, cy - h / 2, w, h};
    ui_fb_round_fill(fb, r, radius / 6, C_BLUE);
    ui_fb_round_fill(fb, (ui_rect){r.x + w / 8, r.y + h / 4, w / 5, h / 4}, 2, C_GOLD);
    ui_fb_fill(fb, (ui_rect){r.x + w / 8, r.y + h * 3 / 5, w * 3 / 4, h / 12 + 1}, UI_RGB(170, 200, 240));
    ui_fb_fill(fb, (ui_rect){r.x + w / 8, r.y + h * 3 / 4, w / 2, h / 12 + 1}, UI_RGB(170, 200, 240));
    /* contactless waves */
    for (int i = 1; i <= 3; i++) ui_fb_circle(fb, r.x + w * 3 / 4, r.y + h / 3, i * radius / 8, C_WHITE);
}

static void key_art(ui_fb *fb, int cx, int cy, int radius, ui_color c)
{
    int ring = radius * 2 / 5;
    int rx = cx - radius + ring;
    ui_fb_disc(fb, rx, cy, ring, c);
    ui_fb_disc(fb, rx, cy, ring / 2, C_BODY_BG);
    int t = radius / 8 + 1;
    ui_fb_fill(fb, (ui_rect){rx + ring - 1, cy - t, cx + radius - (rx + ring - 1), 2 * t}, c);
    ui_fb_fill(fb, (ui_rect){cx + radius - 3 * t, cy + t, 2 * t, 3 * t}, c);
    ui_fb_fill(fb, (ui_rect){cx + radius / 3, cy + t, 2 * t, 2 * t}, c);
}

void ui_draw_artwork(ui_fb *fb, term_icon icon, int cx, int cy, int radius)
{
    double r = radius;
    int t = radius / 7 + 1;
    switch (icon) {
    case TERM_ICON_OK:
        ui_fb_disc(fb, cx, cy, radius, C_GREEN);
        thick_line(fb, cx - 0.45 * r, cy + 0.02 * r, cx - 0.12 * r, cy + 0.35 * r, t, C_WHITE);
        thick_line(fb, cx - 0.12 * r, cy + 0.35 * r, cx + 0.48 * r, cy - 0.32 * r, t, C_WHITE);
        break;
    case TERM_ICON_FAIL:
        ui_fb_disc(fb, cx, cy, radius, C_RED);
        thick_line(fb, cx - 0.38 * r, cy - 0.38 * r, cx + 0.38 * r, cy + 0.38 * r, t, C_WHITE);
        thick_line(fb, cx - 0.38 * r, cy + 0.38 * r, cx + 0.38 * r, cy - 0.38 * r, t, C_WHITE);
        break;
    case TERM_ICON_WARN:
        ui_fb_triangle(fb, (ui_rect){cx - radius, cy - radius, 2 * radius + 1, 2 * radius}, 0, C_YELLOW);
        thick_line(fb, cx, cy - 0.35 * r, cx, cy + 0.25 * r, t, C_TEXT);
        ui_fb_disc(fb, cx, cy + (int)(0.6 * r), t + 1, C_TEXT);
        break;
    case TERM_ICON_INFO: {
        int ti = radius / 10 + 1;
        ui_fb_disc(fb, cx, cy, radius, C_BLUE);
        ui_fb_disc(fb, cx, cy - (int)(0.52 * r), ti + 1, C_WHITE);
        thick_line(fb, cx, cy - 0.02 * r, cx, cy + 0.52 * r, ti, C_WHITE);
        break;
    }
    case TERM_ICON_FINGER:
        ui_draw_fingerprint_art(fb, (ui_rect){cx - radius * 4 / 5, cy - radius, radius * 8 / 5, radius * 2}, C_BLUE);
        break;
    case TERM_ICON_CARD:
        card_art(fb, cx, cy, radius);
        break;
    case TERM_ICON_KEY:
        key_art(fb, cx, cy, radius, C_GOLD);
        break;
    case TERM_ICON_NONE:
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Bodies                                                                   */
/* ------------------------------------------------------------------------ */

static void standby_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_standby *s = &m->body.standby;
    int w = ui_fb_width(fb), h = body_bottom(m, fb);
    for (int y = UI_STATUS_H; y < h; y++) {
        int k = (y - UI_STATUS_H) * 64 / (h - UI_STATUS_H + 1);
        ui_fb_hline(fb, 0, y, w, UI_RGB(18 + k / 4, 52 + k / 2, 104 - k / 2));
    }
    int clock_scale = ui_font_text_width(s->time, 4) <= w - 16 ? 4 : 2;
    ui_font_draw_in(fb, (ui_rect){0, 30, w, ui_font_line_height(4)}, s->time, C_WHITE, clock_scale, 1);
    int date_scale = ui_font_text_width(s->date, 2) <= w - 16 ? 2 : 1;
    ui_font_draw_in(fb, (ui_rect){0, 98, w, 30}, s->date, UI_RGB(200, 220, 245), date_scale, 1);
    if (s->punch_state[0]) {
        int pw = ui_font_text_width(s->punch_state, 2) + 28;
        ui_rect pill = {(w - pw) / 2, 136, pw, 34};
        ui_fb_round_fill(fb, pill, 17, C_SEL);
        ui_font_draw_in(fb, pill, s->punch_state, C_WHITE, 2, 1);
    }
    if (s->input[0]) {
        ui_rect box = {16, h - 52, w - 32, 44};
        ui_fb_round_fill(fb, box, 6, C_PANEL);
        ui_font_draw_in(fb, (ui_rect){box.x + 10, box.y, 70, box.h}, "User ID", C_DIM, 1, 0);
        int x = ui_font_draw(fb, box.x + 84, box.y + (box.h - 28) / 2, s->input, C_TEXT, 2);
        ui_fb_fill(fb, (ui_rect){x + 1, box.y + 10, 2, 26}, C_BLUE);
    }
}

static ui_icon menu_icon(const char *label)
{
    static const struct {
        const char *word;
        ui_icon icon;
    } map[] = {{"User", UI_ICON_USER},   {"Comm", UI_ICON_COMM},     {"System", UI_ICON_SYSTEM},
               {"Data", UI_ICON_DATA},   {"Record", UI_ICON_RECORD}, {"Autotest", UI_ICON_AUTOTEST},
               {"Info", UI_ICON_SYSINFO}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(label, map[i].word)) return map[i].icon;
    return UI_ICON_INFO;
}

static void menu_grid(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_list *l = &m->body.list;
    int cols = 4, tw = 74, th = 82, gx = 4, gy = 6;
    int w = ui_fb_width(fb);
    int x0 = (w - (cols * tw + (cols - 1) * gx)) / 2;
    uint32_t n = l->count < TERM_SCR_LIST_ROWS ? l->count : TERM_SCR_LIST_ROWS;
    for (uint32_t i = 0; i < n && i < 8; i++) {
        int c = (int)i % cols, r = (int)i / cols;
        ui_rect tile = {x0 + c * (tw + gx), BODY_TOP + gy + r * (th + gy), tw, th};
        int sel = l->first + i == l->selected;
        ui_fb_round_fill(fb, tile, 6, sel ? C_SEL : C_PANEL);
        if (!sel) ui_fb_frame(fb, (ui_rect){tile.x + 2, tile.y, tile.w - 4, 1}, C_PANEL);
        ui_icon_draw(fb, menu_icon(l->items[i].text), tile.x + (tw - 48) / 2, tile.y + 8, sel ? C_WHITE : C_TITLE_BG,
                     3);
        ui_font_draw_in(fb, (ui_rect){tile.x - 3, tile.y + 58, tw + 6, 20}, l->items[i].text,
                        sel                    ? C_WHITE
                        : l->items[i].disabled ? C_DIM
                                               : C_TEXT,
                        1, 1);
    }
}

/* The 1:1 method chooser (manual 1.2): one tile of artwork per method. */
static void method_tiles(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_list *l = &m->body.list;
    int w = ui_fb_width(fb);
    uint32_t n = l->count < 4 ? l->count : 4;
    if (n == 0) return;
    int tw = 92, gap = 10, th = 120;
    int x0 = (w - ((int)n * tw + ((int)n - 1) * gap)) / 2;
    for (uint32_t i = 0; i < n; i++) {
        const char *label = l->items[i].text;
        /* the number is drawn in the corner; a label that already starts with it loses it */
        if (label[0] >= '1' && label[0] <= '9' && label[1] == ' ') label += 2;
        term_icon art = strstr(label, "Card")                             ? TERM_ICON_CARD
                        : (strstr(label, "Pass") || strstr(label, "PIN")) ? TERM_ICON_KEY
                                                                          : TERM_ICON_FINGER;
        ui_rect tile = {x0 + (int)i * (tw + gap), BODY_TOP + 16, tw, th};
        int sel = l->first + i == l->selected;
        ui_fb_round_fill(fb, tile, 8, sel ? C_SEL : C_LINE);
        ui_fb_round_fill(fb, (ui_rect){tile.x + 3, tile.y + 3, tile.w - 6, tile.h - 6}, 6, C_PANEL);
        ui_draw_artwork(fb, art, tile.x + tw / 2, tile.y + 48, 30);
        char num[8];
        snprintf(num, sizeof num, "%u", (unsigned)(l->first + i + 1));
        ui_font_draw(fb, tile.x + 8, tile.y + 6, num, C_DIM, 1);
        ui_font_draw_in(fb, (ui_rect){tile.x, tile.y + th - 30, tw, 24}, label, sel ? C_SEL : C_TEXT, 1, 1);
    }
    ui_font_draw_in(fb, (ui_rect){0, BODY_TOP + th + 28, w, 20}, "Select with the arrows or 1-3, M/OK", C_DIM, 1, 1);
}

static void toggle_switch(ui_fb *fb, int x, int y, int on)
{
    ui_rect r = {x, y, 32, 16};
    ui_fb_round_fill(fb, r, 8, on ? C_GREEN : UI_RGB(175, 182, 192));
    ui_fb_disc(fb, on ? x + 24 : x + 7, y + 7, 6, C_WHITE);
}

static void list_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_list *l = &m->body.list;
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    int visible = (bottom - BODY_TOP) / UI_LIST_ROW_H;
    uint32_t count = l->count < TERM_SCR_LIST_ROWS ? l->count : TERM_SCR_LIST_ROWS;
    int start = 0;
    if (l->selected >= l->first && l->selected < l->first + count && (int)(l->selected - l->first) >= visible)
        start = (int)(l->selected - l->first) - visible + 1;
    int scroll = l->total > (uint32_t)visible;
    int right = w - (scroll ? 12 : 6);
    for (int i = 0; i < visible && start + i < (int)count; i++) {
        const term_scr_list_item *it = &l->items[start + i];
        int y = BODY_TOP + i * UI_LIST_ROW_H;
        int sel = l->first + (uint32_t)(start + i) == l->selected;
        ui_rect row = {4, y + 2, right - 4, UI_LIST_ROW_H - 3};
        if (sel)
            ui_fb_round_fill(fb, row, 5, C_SEL);
        else
            ui_fb_hline(fb, 8, y + UI_LIST_ROW_H - 1, right - 12, C_LINE);
        ui_color tc = sel ? C_WHITE : it->disabled ? C_DIM : C_TEXT;
        int vw = 0;
        if (it->toggle) {
            vw = 40;
            toggle_switch(fb, right - 38, y + (UI_LIST_ROW_H - 16) / 2, it->toggle == 2);
        } else if (it->value[0]) {
            vw = ui_font_text_width(it->value, 1) + 10;
            if (vw > (right - 16) / 2) vw = (right - 16) / 2;
            ui_font_draw_in(fb, (ui_rect){right - vw, y, vw - 6, UI_LIST_ROW_H}, it->value,
                            sel            ? C_WHITE
                            : it->disabled ? C_DIM
                                           : C_VALUE,
                            1, 2);
        }
        ui_font_draw_in(fb, (ui_rect){12, y, right - 12 - vw, UI_LIST_ROW_H}, it->text, tc, 1, 0);
    }
    if (scroll && l->total > 0) {
        int track = bottom - BODY_TOP - 8;
        ui_fb_round_fill(fb, (ui_rect){w - 8, BODY_TOP + 4, 4, track}, 2, C_LINE);
        int thumb = track * visible / (int)l->total;
        if (thumb < 10) thumb = 10;
        uint32_t sel = l->selected < l->total ? l->selected : l->total - 1;
        int pos = (int)((long)(track - thumb) * (long)sel / (long)(l->total > 1 ? l->total - 1 : 1));
        ui_fb_round_fill(fb, (ui_rect){w - 8, BODY_TOP + 4 + pos, 4, thumb}, 2, C_TITLE_BG);
    }
}

static void field_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_field *f = &m->body.field;
    int w = ui_fb_width(fb);
    ui_font_draw(fb, 12, BODY_TOP + 8, f->label, C_DIM, 1);
    ui_rect box = {10, BODY_TOP + 26, w - 20, 40};
    ui_fb_round_fill(fb, box, 5, C_BLUE);
    ui_fb_round_fill(fb, (ui_rect){box.x + 2, box.y + 2, box.w - 4, box.h - 4}, 4, C_PANEL);
    size_t len = strlen(f->value);
    int mode_w = f->mode[0] ? ui_font_text_width(f->mode, 1) + 12 : 0;
    int text_w = box.w - 16 - mode_w;
    int scale = (int)len * UI_FONT_CELL_W * 2 <= text_w ? 2 : 1;
    int cw = UI_FONT_CELL_W * scale;
    size_t cols = (size_t)(text_w / cw);
    size_t cursor = f->cursor <= len ? f->cursor : len;
    size_t start = 0;
    if (cols > 0 && cursor >= cols) start = cursor - cols + 1;
    int ty = box.y + (box.h - ui_font_line_height(scale)) / 2;
    ui_font_draw_n(fb, box.x + 8, ty, f->value + start, cols, C_TEXT, scale);
    int cx = box.x + 8 + (int)(cursor - start) * cw;
    if (f->candidate >= 0 && cursor > start) {
        /* the pending multi-tap letter sits before the cursor: underline it */
        ui_fb_fill(fb, (ui_rect){cx - cw, box.y + box.h - 9, cw - 1, 2}, C_SEL);
    }
    ui_fb_fill(fb, (ui_rect){cx, box.y + 7, 2, box.h - 14}, C_BLUE);
    if (mode_w) {
        ui_rect badge = {box.x + box.w - mode_w - 6, box.y + 9, mode_w, box.h - 18};
        ui_fb_round_fill(fb, badge, 4, C_TITLE_BG);
        ui_font_draw_in(fb, badge, f->mode, C_WHITE, 1, 1);
    }
    /* candidates of the pending key, the current one highlighted */
    size_t nc = strlen(f->candidates);
    if (nc) {
        int cell = 28;
        int x = (w - (int)nc * (cell + 4)) / 2;
        for (size_t i = 0; i < nc; i++) {
            ui_rect c = {x + (int)i * (cell + 4), box.y + box.h + 10, cell, cell};
            int cur = (int32_t)i == f->candidate;
            ui_fb_round_fill(fb, c, 4, cur ? C_SEL : UI_RGB(225, 230, 238));
            char ch[2] = {f->candidates[i], 0};
            ui_font_draw_in(fb, c, ch, cur ? C_WHITE : C_TEXT, 1, 1);
        }
    }
    if (f->hint[0])
        ui_font_draw_wrapped(fb, (ui_rect){12, box.y + box.h + (nc ? 48 : 12), w - 24, 3 * UI_FONT_CELL_H}, f->hint,
                             UI_RGB(90, 96, 108), 1, 0);
}

static void message_body(ui_fb *fb, const term_screen_model *m, int confirm)
{
    const term_scr_message *msg = &m->body.message;
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    int has_buttons = msg->button_count > 0;
    int y = BODY_TOP + 8;
    if (confirm) {
        ui_rect panel = {12, BODY_TOP + 6, w - 24, bottom - BODY_TOP - 12};
        ui_fb_round_fill(fb, panel, 8, C_LINE);
        ui_fb_round_fill(fb, (ui_rect){panel.x + 1, panel.y + 1, panel.w - 2, panel.h - 2}, 7, C_PANEL);
    }
    if (msg->icon != TERM_ICON_NONE) {
        int radius = has_buttons ? 22 : 30;
        ui_draw_artwork(fb, msg->icon, w / 2, y + radius + 2, radius);
        y += 2 * radius + 12;
    } else {
        y += 10;
    }
    int text_bottom = bottom - (has_buttons ? 34 : 4);
    uint32_t n = msg->line_count < TERM_SCR_LINES ? msg->line_count : TERM_SCR_LINES;
    for (uint32_t i = 0; i < n && y < text_bottom; i++) {
        const char *line = msg->lines[i];
        /* a result's first line is its headline; information screens keep one size */
        int headline = i == 0 && msg->icon != TERM_ICON_INFO;
        int scale = (headline && ui_font_text_width(line, 2) <= w - 32) ? 2 : 1;
        int lh = ui_font_line_height(scale);
        int rows = ui_font_draw_wrapped(fb, (ui_rect){16, y, w - 32, text_bottom - y}, line,
                                        i == 0 ? C_TEXT : UI_RGB(60, 66, 76), scale, 1);
        y += (rows > 0 ? rows : 1) * lh + (i == 0 ? 4 : 1);
    }
    if (has_buttons) buttons_row(fb, bottom - 32, msg->button_count, msg->buttons);
}

static void table_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_table *t = &m->body.table;
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    uint32_t cols = t->col_count < TERM_SCR_TABLE_COLS ? t->col_count : TERM_SCR_TABLE_COLS;
    uint32_t rows = t->row_count < TERM_SCR_TABLE_ROWS ? t->row_count : TERM_SCR_TABLE_ROWS;
    if (cols == 0) return;
    /* column widths in proportion to their longest text */
    int want[TERM_SCR_TABLE_COLS] = {0}, sum = 0;
    for (uint32_t c = 0; c < cols; c++) {
        int n = (int)strlen(t->header[c]);
        for (uint32_t r = 0; r < rows; r++) {
            int k = (int)strlen(t->rows[r][c]);
            if (k > n) n = k;
        }
        want[c] = n + 1;
        sum += want[c];
    }
    int avail = w - 8;
    int colx[TERM_SCR_TABLE_COLS + 1];
    colx[0] = 4;
    for (uint32_t c = 0; c < cols; c++) colx[c + 1] = colx[c] + avail * want[c] / (sum > 0 ? sum : 1);
    colx[cols] = 4 + avail;
    int hh = 20, rh = 16;
    ui_fb_fill(fb, (ui_rect){4, BODY_TOP + 2, avail, hh}, UI_RGB(205, 218, 236));
    for (uint32_t c = 0; c < cols; c++)
        draw_bold_in(fb, (ui_rect){colx[c] + 4, BODY_TOP + 2, colx[c + 1] - colx[c] - 4, hh}, t->header[c],
                     UI_RGB(30, 60, 110), 1, 0);
    int y = BODY_TOP + 2 + hh;
    int foot = (t->footer[0][0] ? 1 : 0) + (t->footer[1][0] ? 1 : 0);
    int rows_bottom = bottom - foot * UI_FONT_CELL_H - (foot ? 4 : 0);
    for (uint32_t r = 0; r < rows && y + rh <= rows_bottom; r++) {
        int sel = t->selected != UINT32_MAX && t->first + r == t->selected;
        ui_color bg = sel ? C_SEL : (r % 2 ? UI_RGB(234, 238, 244) : C_PANEL);
        ui_fb_fill(fb, (ui_rect){4, y, avail, rh}, bg);
        for (uint32_t c = 0; c < cols; c++)
            ui_font_draw_in(fb, (ui_rect){colx[c] + 4, y, colx[c + 1] - colx[c] - 4, rh}, t->rows[r][c],
                            sel ? C_WHITE : C_TEXT, 1, 0);
        y += rh;
    }
    ui_fb_frame(fb, (ui_rect){4, BODY_TOP + 2, avail, y - BODY_TOP - 2}, C_LINE);
    int fy = bottom - foot * UI_FONT_CELL_H - 2;
    for (int i = 0; i < 2; i++) {
        if (!t->footer[i][0]) continue;
        ui_font_draw_n(fb, 8, fy, t->footer[i], (size_t)((w - 16) / UI_FONT_CELL_W), C_TEXT, 1);
        fy += UI_FONT_CELL_H;
    }
}

static void spinner_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_spinner *s = &m->body.spinner;
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    ui_font_draw_in(fb, (ui_rect){0, BODY_TOP + 4, w, 32}, s->value, C_TEXT,
                    ui_font_text_width(s->value, 2) <= w - 16 ? 2 : 1, 1);
    uint32_t n = s->field_count < TERM_SCR_SPIN_FIELDS ? s->field_count : TERM_SCR_SPIN_FIELDS;
    if (n == 0) return;
    int cw = (w - 16) / (int)n;
    if (cw > 72) cw = 72;
    int x0 = (w - cw * (int)n) / 2;
    int top = BODY_TOP + 42;
    for (uint32_t i = 0; i < n; i++) {
        int x = x0 + (int)i * cw;
        int sel = i == s->selected;
        ui_color arrow = sel ? C_BLUE : C_DIM;
        ui_fb_triangle(fb, (ui_rect){x + cw / 2 - 8, top, 17, 10}, 0, arrow);
        ui_rect box = {x + 4, top + 14, cw - 8, 32};
        ui_fb_round_fill(fb, box, 5, sel ? C_BLUE : UI_RGB(205, 212, 222));
        if (!sel) ui_fb_round_fill(fb, (ui_rect){box.x + 1, box.y + 1, box.w - 2, box.h - 2}, 4, C_PANEL);
        int sc = ui_font_text_width(s->fields[i], 2) <= box.w ? 2 : 1;
        ui_font_draw_in(fb, box, s->fields[i], sel ? C_WHITE : C_TEXT, sc, 1);
        ui_fb_triangle(fb, (ui_rect){x + cw / 2 - 8, top + 50, 17, 10}, 1, arrow);
        ui_font_draw_in(fb, (ui_rect){x, top + 62, cw, 16}, s->labels[i], C_DIM, 1, 1);
    }
    static const char labels[2][TERM_SCR_SHORT] = {"M/OK", "ESC"};
    buttons_row(fb, bottom - 30, 2, labels);
}

static void progress_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_progress *p = &m->body.progress;
    int w = ui_fb_width(fb);
    ui_rect art = {16, BODY_TOP + 10, 104, 130};
    if (p->icon == TERM_ICON_OK) {
        ui_draw_artwork(fb, TERM_ICON_OK, art.x + art.w / 2, art.y + art.h / 2, 44);
    } else {
        ui_draw_fingerprint_art(fb, art, p->icon == TERM_ICON_WARN ? UI_RGB(210, 120, 30) : C_BLUE);
        if (p->icon == TERM_ICON_WARN) ui_draw_artwork(fb, TERM_ICON_WARN, art.x + art.w - 14, art.y + art.h - 14, 14);
    }
    int tx = 136, tw = w - tx - 10;
    ui_font_draw_wrapped(fb, (ui_rect){tx, BODY_TOP + 14, tw, 5 * UI_FONT_CELL_H}, p->text, C_TEXT, 1, 0);
    uint32_t total = p->total > 10 ? 10 : p->total;
    int r = 10, gap = 8;
    for (uint32_t i = 0; i < total; i++) {
        int cx = tx + r + (int)i * (2 * r + gap), cy = BODY_TOP + 104;
        if (i < p->done) {
            ui_fb_disc(fb, cx, cy, r, C_GREEN);
            thick_line(fb, cx - 5, cy, cx - 1, cy + 4, 1, C_WHITE);
            thick_line(fb, cx - 1, cy + 4, cx + 5, cy - 4, 1, C_WHITE);
        } else {
            ui_fb_disc(fb, cx, cy, r, UI_RGB(190, 196, 206));
            ui_fb_disc(fb, cx, cy, r - 2, C_BODY_BG);
        }
    }
    char count[32];
    snprintf(count, sizeof count, "%u/%u", (unsigned)p->done, (unsigned)p->total);
    ui_font_draw(fb, tx, BODY_TOP + 122, count, C_DIM, 2);
}

static ui_status qr_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_qr *q = &m->body.qr;
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    ui_qr qr;
    char payload[TERM_SCR_QR + 1];
    memcpy(payload, q->payload, TERM_SCR_QR);
    payload[TERM_SCR_QR] = '\0';
    ui_status st = ui_qr_encode(payload, &qr);
    int side = bottom - BODY_TOP - 8;
    ui_rect area = {8, BODY_TOP + 4, side, side};
    if (st == UI_OK && ui_qr_draw(fb, &qr, area) > 0) {
        /* drawn */
    } else {
        /* an empty payload is not an error of the renderer: the notice says it */
        st = payload[0] ? UI_ERR_QR_TOO_LONG : UI_OK;
        ui_fb_frame(fb, area, C_RED);
        ui_font_draw_wrapped(fb, (ui_rect){area.x + 8, area.y + 8, area.w - 16, area.h - 16},
                             payload[0] ? "QR code does not fit" : "No QR payload", C_RED, 1, 1);
    }
    int tx = area.x + area.w + 8, tw = w - tx - 8, y = BODY_TOP + 20;
    uint32_t n = q->line_count < 2 ? q->line_count : 2;
    for (uint32_t i = 0; i < n; i++) {
        int rows =
            ui_font_draw_wrapped(fb, (ui_rect){tx, y, tw, bottom - y}, q->lines[i], i == 0 ? C_TEXT : C_DIM, 1, 0);
        y += rows * UI_FONT_CELL_H + 10;
    }
    return st;
}

static void keytest_body(ui_fb *fb, const term_screen_model *m)
{
    const term_scr_keytest *k = &m->body.keytest;
    int w = ui_fb_width(fb);
    uint32_t n = k->key_count < TERM_SCR_KEYS ? k->key_count : TERM_SCR_KEYS;
    int cols = 4, kw = 70, kh = 36, gap = 6;
    int x0 = (w - (cols * kw + (cols - 1) * gap)) / 2;
    for (uint32_t i = 0; i < n; i++) {
        ui_rect r = {x0 + ((int)i % cols) * (kw + gap), BODY_TOP + 6 + ((int)i / cols) * (kh + gap), kw, kh};
        int pressed = (k->pressed >> i) & 1u;
        if (k->last == (int32_t)i) ui_fb_round_fill(fb, (ui_rect){r.x - 2, r.y - 2, r.w + 4, r.h + 4}, 7, C_YELLOW);
        ui_fb_round_fill(fb, r, 5, pressed ? C_BLUE : C_KEY_OFF);
        draw_bold_in(fb, r, k->labels[i], C_WHITE, 1, 1);
    }
}

static void pattern_body(ui_fb *fb, term_pattern p)
{
    int w = ui_fb_width(fb), h = ui_fb_height(fb);
    if (p == TERM_PATTERN_WHITE) {
        ui_fb_clear(fb, C_WHITE);
    } else if (p == TERM_PATTERN_BLACK) {
        ui_fb_clear(fb, C_BLACK);
    } else {
        static const ui_color bars[8] = {UI_RGB(255, 255, 255), UI_RGB(255, 255, 0), UI_RGB(0, 255, 255),
                                         UI_RGB(0, 255, 0),     UI_RGB(255, 0, 255), UI_RGB(255, 0, 0),
                                         UI_RGB(0, 0, 255),     UI_RGB(0, 0, 0)};
        for (int i = 0; i < 8; i++)
            ui_fb_fill(fb, (ui_rect){i * w / 8, 0, (i + 1) * w / 8 - i * w / 8, h * 3 / 4}, bars[i]);
        for (int x = 0; x < w; x++) {
            int v = x * 255 / (w - 1);
            ui_fb_vline(fb, x, h * 3 / 4, h - h * 3 / 4, UI_RGB(v, v, v));
        }
    }
}

static void fp_image_overlay(ui_fb *fb, const term_screen_model *m)
{
    int w = ui_fb_width(fb), bottom = body_bottom(m, fb);
    int avail_h = bottom - BODY_TOP - 8;
    int scale = avail_h >= 2 * TERM_SCR_FP_H + 4 ? 2 : 1;
    int iw = TERM_SCR_FP_W * scale, ih = TERM_SCR_FP_H * scale;
    ui_rect frame = {w - iw - 12, BODY_TOP + 4, iw + 4, ih + 4};
    ui_fb_round_fill(fb, frame, 3, C_TITLE_BG);
    ui_fb_gray_image(fb, (ui_rect){frame.x + 2, frame.y + 2, iw, ih}, &m->fp_image[0][0], TERM_SCR_FP_W, TERM_SCR_FP_H,
                     TERM_SCR_FP_W);
}

#define TERMINATE(a) ((a)[sizeof(a) - 1] = '\0')

/* Every string of the model ends inside its array, whatever the producer wrote. */
static void sanitize(term_screen_model *m)
{
    TERMINATE(m->title);
    TERMINATE(m->hint);
    TERMINATE(m->status.time);
    TERMINATE(m->status.date);
    TERMINATE(m->status.punch_state);
    switch (m->kind) {
    case TERM_BODY_STANDBY:
        TERMINATE(m->body.standby.time);
        TERMINATE(m->body.standby.date);
        TERMINATE(m->body.standby.punch_state);
        TERMINATE(m->body.standby.input);
        break;
    case TERM_BODY_LIST:
        for (int i = 0; i < TERM_SCR_LIST_ROWS; i++) {
            TERMINATE(m->body.list.items[i].text);
            TERMINATE(m->body.list.items[i].value);
        }
        break;
    case TERM_BODY_FIELD:
        TERMINATE(m->body.field.label);
        TERMINATE(m->body.field.value);
        TERMINATE(m->body.field.mode);
        TERMINATE(m->body.field.candidates);
        TERMINATE(m->body.field.hint);
        break;
    case TERM_BODY_MESSAGE:
    case TERM_BODY_CONFIRM:
        for (int i = 0; i < TERM_SCR_LINES; i++) TERMINATE(m->body.message.lines[i]);
        for (int i = 0; i < TERM_SCR_BUTTONS; i++) TERMINATE(m->body.message.buttons[i]);
        break;
    case TERM_BODY_TABLE:
        for (int c = 0; c < TERM_SCR_TABLE_COLS; c++) {
            TERMINATE(m->body.table.header[c]);
            for (int r = 0; r < TERM_SCR_TABLE_ROWS; r++) TERMINATE(m->body.table.rows[r][c]);
        }
        TERMINATE(m->body.table.footer[0]);
        TERMINATE(m->body.table.footer[1]);
        break;
    case TERM_BODY_SPINNER:
        TERMINATE(m->body.spinner.value);
        for (int i = 0; i < TERM_SCR_SPIN_FIELDS; i++) {
            TERMINATE(m->body.spinner.fields[i]);
            TERMINATE(m->body.spinner.labels[i]);
        }
        break;
    case TERM_BODY_PROGRESS:
        TERMINATE(m->body.progress.text);
        break;
    case TERM_BODY_QR:
        TERMINATE(m->body.qr.lines[0]);
        TERMINATE(m->body.qr.lines[1]);
        break;
    case TERM_BODY_KEYTEST:
        for (int i = 0; i < TERM_SCR_KEYS; i++) TERMINATE(m->body.keytest.labels[i]);
        break;
    case TERM_BODY_NONE:
    case TERM_BODY_PATTERN:
    default:
        break;
    }
}

ui_status ui_render(const term_screen_model *model, ui_fb *fb)
{
    if (!model || !fb) return UI_ERR_INVALID_ARGUMENT;
    /* a private copy, so a model with unterminated strings cannot make us read past it */
    term_screen_model copy = *model;
    sanitize(&copy);
    const term_screen_model *m = &copy;
    ui_status st = UI_OK;
    if (m->kind == TERM_BODY_PATTERN) {
        pattern_body(fb, m->body.pattern);
        return st;
    }
    ui_fb_clear(fb, C_BODY_BG);
    ui_draw_status_bar(fb, &m->status);
    if (m->kind == TERM_BODY_STANDBY) {
        standby_body(fb, m);
    } else {
        char page[24] = "";
        if (m->kind == TERM_BODY_TABLE && m->body.table.row_count > 0 &&
            m->body.table.total > m->body.table.row_count) {
            unsigned per = m->body.table.row_count;
            snprintf(page, sizeof page, "(%u/%u)", m->body.table.first / per + 1,
                     (m->body.table.total + per - 1) / per);
        }
        ui_draw_title_bar(fb, m->title, page);
        switch (m->kind) {
        case TERM_BODY_LIST:
            /* the tile layouts hold 8 and 4 entries; longer lists fall back to rows */
            if (m->id == TERM_SCR_MAIN_MENU && m->body.list.total <= 8 && m->body.list.count <= 8)
                menu_grid(fb, m);
            else if (m->id == TERM_SCR_CHOOSE_METHOD && m->body.list.total <= 4 && m->body.list.count <= 4)
                method_tiles(fb, m);
            else
                list_body(fb, m);
            break;
        case TERM_BODY_FIELD:
            field_body(fb, m);
            break;
        case TERM_BODY_MESSAGE:
            message_body(fb, m, 0);
            break;
        case TERM_BODY_CONFIRM:
            message_body(fb, m, 1);
            break;
        case TERM_BODY_TABLE:
            table_body(fb, m);
            break;
        case TERM_BODY_SPINNER:
            spinner_body(fb, m);
            break;
        case TERM_BODY_PROGRESS:
            progress_body(fb, m);
            break;
        case TERM_BODY_QR:
            st = qr_body(fb, m);
            break;
        case TERM_BODY_KEYTEST:
            keytest_body(fb, m);
            break;
        case TERM_BODY_NONE:
        case TERM_BODY_STANDBY:
        case TERM_BODY_PATTERN:
        default:
            break;
        }
    }
    if (m->fp_image_valid) fp_image_overlay(fb, m);
    if (m->hint[0]) hint_bar(fb, m->hint);
    return st;
}
