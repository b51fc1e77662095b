/*
 * test_ui.c - the terminal UI renderer: framebuffer primitives, the font,
 * icons, PNG round trip, QR codes, widget geometry, robustness against
 * garbage models, and the screenshot tests of the main screens against
 * tests/ui_ref/ (regenerate with scripts/ui-review.sh).
 */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ui_fb.h"
#include "ui_font.h"
#include "ui_icons.h"
#include "ui_qr.h"
#include "ui_ref_check.h"
#include "ui_render.h"
#include "ui_samples.h"

#ifndef UI_TEST_OUT_DIR
#define UI_TEST_OUT_DIR "ui_actual"
#endif

static ui_fb *new_fb(void)
{
    ui_fb *fb = NULL;
    assert_int_equal(ui_fb_create(UI_FB_WIDTH, UI_FB_HEIGHT, &fb), UI_OK);
    return fb;
}

/* ------------------------------------------------------------------------ */

static void test_status_map(void **state)
{
    (void)state;
    assert_string_equal(ui_status_name(UI_ERR_IO), "UI_ERR_IO");
    assert_string_equal(ui_status_message(UI_OK), "success");
    assert_string_equal(ui_status_name((ui_status)999), "UI_UNKNOWN");
}

static void test_fb_create_and_clip(void **state)
{
    (void)state;
    ui_fb *fb = NULL;
    assert_int_equal(ui_fb_create(0, 10, &fb), UI_ERR_INVALID_ARGUMENT);
    assert_null(fb);
    assert_int_equal(ui_fb_create(10, 5000, &fb), UI_ERR_INVALID_ARGUMENT);
    assert_int_equal(ui_fb_create(10, 10, NULL), UI_ERR_INVALID_ARGUMENT);
    ui_fb_destroy(NULL);

    fb = new_fb();
    assert_int_equal(ui_fb_width(fb), 320);
    assert_int_equal(ui_fb_height(fb), 240);
    assert_int_equal(ui_fb_get(fb, 5, 5), 0);
    /* a fill half outside the frame is clipped, never writes out of bounds (ASan) */
    ui_fb_fill(fb, (ui_rect){-10, -10, 20, 20}, 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 0, 0), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 9, 9), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 10, 10), 0);
    ui_fb_fill(fb, (ui_rect){310, 230, 100, 100}, 0x1234);
    assert_int_equal(ui_fb_get(fb, 319, 239), 0x1234);
    assert_int_equal(ui_fb_get(fb, 309, 239), 0);
    ui_fb_fill(fb, (ui_rect){5, 5, -3, 4}, 0x4321); /* empty */
    assert_int_equal(ui_fb_get(fb, 5, 5), 0xFFFF);
    ui_fb_line(fb, -50, 120, 400, 120, 0x00F0);
    assert_int_equal(ui_fb_get(fb, 0, 120), 0x00F0);
    assert_int_equal(ui_fb_get(fb, 319, 120), 0x00F0);
    ui_fb_pixel(fb, 320, 0, 1);
    ui_fb_pixel(fb, -1, 0, 1);
    assert_int_equal(ui_fb_get(fb, 320, 0), 0);
    ui_fb_destroy(fb);
}

static void test_primitives(void **state)
{
    (void)state;
    ui_fb *fb = new_fb();
    /* line: both ends included, diagonal hits every step */
    ui_fb_line(fb, 10, 10, 20, 20, 7);
    for (int i = 10; i <= 20; i++) assert_int_equal(ui_fb_get(fb, i, i), 7);
    assert_int_equal(ui_fb_get(fb, 21, 21), 0);
    /* disc: symmetric, radius respected */
    ui_fb_clear(fb, 0);
    ui_fb_disc(fb, 100, 100, 10, 9);
    assert_int_equal(ui_fb_get(fb, 100, 100), 9);
    assert_int_equal(ui_fb_get(fb, 110, 100), 9);
    assert_int_equal(ui_fb_get(fb, 90, 100), 9);
    assert_int_equal(ui_fb_get(fb, 100, 90), 9);
    assert_int_equal(ui_fb_get(fb, 111, 100), 0);
    assert_int_equal(ui_fb_get(fb, 108, 108), 0); /* outside the circle, inside its box */
    int count = 0;
    for (int y = 80; y < 120; y++)
        for (int x = 80; x < 120; x++) count += ui_fb_get(fb, x, y) == 9;
    /* area close to pi r^2 = 314 */
    assert_in_range(count, 300, 370);
    /* rounded fill leaves the corner pixel empty and the centre full */
    ui_fb_clear(fb, 0);
    ui_fb_round_fill(fb, (ui_rect){10, 10, 40, 20}, 6, 3);
    assert_int_equal(ui_fb_get(fb, 10, 10), 0);
    assert_int_equal(ui_fb_get(fb, 30, 20), 3);
    assert_int_equal(ui_fb_get(fb, 10, 20), 3);
    /* triangle pointing up: apex narrow, base wide */
    ui_fb_clear(fb, 0);
    ui_fb_triangle(fb, (ui_rect){100, 100, 17, 9}, 0, 5);
    int top = 0, bottom = 0;
    for (int x = 90; x < 130; x++) {
        top += ui_fb_get(fb, x, 100) == 5;
        bottom += ui_fb_get(fb, x, 108) == 5;
    }
    assert_true(top >= 1 && top <= 3);
    assert_int_equal(bottom, 17);
    /* colour conversion: full scale maps to 255 */
    uint8_t rgb[3];
    ui_color_rgb888(UI_RGB(255, 255, 255), rgb);
    assert_int_equal(rgb[0], 255);
    assert_int_equal(rgb[1], 255);
    assert_int_equal(rgb[2], 255);
    ui_color_rgb888(UI_RGB(255, 0, 0), rgb);
    assert_int_equal(rgb[0], 255);
    assert_int_equal(rgb[1], 0);
    ui_fb_destroy(fb);
}

/* ------------------------------------------------------------------------ */

static int glyph_ink(unsigned char ch)
{
    int n = 0;
    for (int y = 0; y < UI_FONT_GLYPH_H; y++)
        for (int x = 0; x < UI_FONT_GLYPH_W; x++) n += ui_font_glyph_bit(ch, x, y);
    return n;
}

static void test_font_glyphs(void **state)
{
    (void)state;
    assert_int_equal(glyph_ink(' '), 0);
    for (int ch = 0x21; ch <= 0x7E; ch++) {
        if (glyph_ink((unsigned char)ch) == 0) fail_msg("glyph 0x%02x has no ink", ch);
    }
    /* every glyph is different from every other one */
    for (int a = 0x21; a <= 0x7E; a++) {
        for (int b = a + 1; b <= 0x7E; b++) {
            int same = 1;
            for (int y = 0; y < UI_FONT_GLYPH_H && same; y++)
                for (int x = 0; x < UI_FONT_GLYPH_W && same; x++)
                    same = ui_font_glyph_bit((unsigned char)a, x, y) == ui_font_glyph_bit((unsigned char)b, x, y);
            if (same) fail_msg("glyphs '%c' and '%c' are identical", a, b);
        }
    }
    /* capitals and digits stand on the baseline and never use the descender rows */
    for (int ch = 'A'; ch <= 'Z'; ch++)
        for (int x = 0; x < UI_FONT_GLYPH_W; x++)
            assert_int_equal(ui_font_glyph_bit((unsigned char)ch, x, UI_FONT_BASELINE), 0);
    for (int ch = '0'; ch <= '9'; ch++) {
        int base = 0;
        for (int x = 0; x < UI_FONT_GLYPH_W; x++) base += ui_font_glyph_bit((unsigned char)ch, x, UI_FONT_BASELINE - 1);
        assert_true(base > 0);
    }
    /* g, j, p, q, y have descenders */
    const char *desc = "gjpqy";
    for (const char *p = desc; *p; p++) {
        int d = 0;
        for (int y = UI_FONT_BASELINE; y < UI_FONT_GLYPH_H; y++)
            for (int x = 0; x < UI_FONT_GLYPH_W; x++) d += ui_font_glyph_bit((unsigned char)*p, x, y);
        assert_true(d > 0);
    }
    /* characters outside ASCII draw a box, and out-of-range coordinates are blank */
    assert_true(glyph_ink(0xE9) > 0);
    assert_int_equal(ui_font_glyph_bit('A', -1, 0), 0);
    assert_int_equal(ui_font_glyph_bit('A', 0, UI_FONT_GLYPH_H), 0);
    /* 'A' apex is in the middle of row 0 */
    assert_int_equal(ui_font_glyph_bit('A', 2, 0), 1);
    assert_int_equal(ui_font_glyph_bit('A', 0, 0), 0);
}

static void test_font_draw(void **state)
{
    (void)state;
    ui_fb *fb = new_fb();
    assert_int_equal(ui_font_text_width("abc", 1), 24);
    assert_int_equal(ui_font_text_width("abc", 2), 48);
    assert_int_equal(ui_font_text_width("ab\ncd", 1), 16);
    assert_int_equal(ui_font_line_height(1), 14);
    int end = ui_font_draw(fb, 10, 10, "HI", 0xFFFF, 1);
    assert_int_equal(end, 26);
    /* 'H' left stem: column 0 of the glyph, rows 0..8, drawn one row below the cell top */
    for (int y = 0; y < 9; y++) assert_int_equal(ui_fb_get(fb, 10, 11 + y), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 10, 10), 0);
    /* scale 2 (EPX): the stem is two pixels wide and the picture twice as tall */
    ui_fb_clear(fb, 0);
    ui_font_draw(fb, 0, 0, "H", 0xFFFF, 2);
    assert_int_equal(ui_fb_get(fb, 0, 2), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 1, 2), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 0, 2 + 17), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 0, 2 + 18), 0);
    /* EPX rounds a diagonal: '/' at scale 2 has no 2x2 staircase blocks only */
    ui_fb_clear(fb, 0);
    ui_font_draw(fb, 0, 0, "/", 0xFFFF, 2);
    int ink2 = 0;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 20; x++) ink2 += ui_fb_get(fb, x, y) != 0;
    int ink1 = glyph_ink('/');
    assert_true(ink2 > 4 * ink1); /* smoothing adds pixels in the steps */
    /* wrapping: a long text over a narrow box takes several lines and is cut with ".." */
    ui_fb_clear(fb, 0);
    int lines = ui_font_draw_wrapped(fb, (ui_rect){0, 0, 80, 28}, "one two three four five six", 0xFFFF, 1, 0);
    assert_int_equal(lines, 2);
    lines = ui_font_draw_wrapped(fb, (ui_rect){0, 0, 80, 200}, "one two three four five six", 0xFFFF, 1, 0);
    assert_int_equal(lines, 3);
    lines = ui_font_draw_wrapped(fb, (ui_rect){0, 0, 80, 200}, "abcdefghijklmnopqrstuvwxyz", 0xFFFF, 1, 0);
    assert_int_equal(lines, 3);
    assert_int_equal(ui_font_draw_wrapped(fb, (ui_rect){0, 0, 4, 200}, "abc", 0xFFFF, 1, 0), 0);
    ui_fb_destroy(fb);
}

static void test_icons(void **state)
{
    (void)state;
    for (int i = 0; i < UI_ICON_COUNT; i++) {
        int ink = 0;
        for (int y = 0; y < UI_ICON_SIZE; y++)
            for (int x = 0; x < UI_ICON_SIZE; x++) ink += ui_icon_pixel((ui_icon)i, x, y) != '.';
        if (ink < 10) fail_msg("icon %s is (nearly) empty", ui_icon_name((ui_icon)i));
    }
    assert_string_equal(ui_icon_name(UI_ICON_WIFI), "wifi");
    assert_string_equal(ui_icon_name(UI_ICON_COUNT), "?");
    assert_int_equal(ui_icon_pixel(UI_ICON_COUNT, 0, 0), '.');
    ui_fb *fb = new_fb();
    ui_icon_draw(fb, UI_ICON_USB, 290, 230, 0xFFFF, 3); /* partly outside: clipped */
    assert_int_equal(ui_fb_get(fb, 290 + 7 * 3, 230), 0xFFFF);
    ui_fb_destroy(fb);
}

/* ------------------------------------------------------------------------ */

static void test_png_round_trip(void **state)
{
    (void)state;
    ui_fb *fb = new_fb();
    ui_fb_fill(fb, (ui_rect){0, 0, 160, 240}, UI_RGB(255, 0, 0));
    ui_fb_fill(fb, (ui_rect){160, 0, 160, 240}, UI_RGB(0, 0, 255));
    ui_fb_pixel(fb, 7, 9, UI_RGB(0, 255, 0));
    mkdir(UI_TEST_OUT_DIR, 0755);
    const char *path = UI_TEST_OUT_DIR "/roundtrip.png";
    assert_int_equal(ui_fb_write_png(fb, path, 2), UI_OK);
    uint8_t *rgb = NULL;
    int w = 0, h = 0;
    assert_int_equal(ui_png_read_rgb(path, &rgb, &w, &h), UI_OK);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    assert_int_equal(rgb[0], 255);
    assert_int_equal(rgb[2], 0);
    size_t right = ((size_t)100 * 640 + 600) * 3;
    assert_int_equal(rgb[right + 2], 255);
    size_t green = ((size_t)(9 * 2 + 1) * 640 + 7 * 2 + 1) * 3;
    assert_int_equal(rgb[green + 1], 255);
    free(rgb);
    assert_int_equal(ui_fb_write_png(fb, path, 0), UI_ERR_INVALID_ARGUMENT);
    assert_int_equal(ui_fb_write_png(fb, "/nonexistent-dir/x.png", 1), UI_ERR_IO);
    assert_int_equal(ui_png_read_rgb("/nonexistent-dir/x.png", &rgb, &w, &h), UI_ERR_IO);
    /* not a PNG */
    FILE *f = fopen(UI_TEST_OUT_DIR "/not.png", "wb");
    assert_non_null(f);
    fputs("hello, not a picture", f);
    fclose(f);
    assert_int_equal(ui_png_read_rgb(UI_TEST_OUT_DIR "/not.png", &rgb, &w, &h), UI_ERR_PNG);
    assert_null(rgb);
    /* a truncated PNG */
    assert_int_equal(ui_fb_write_png(fb, path, 1), UI_OK);
    f = fopen(path, "rb");
    assert_non_null(f);
    char buf[200];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = fopen(UI_TEST_OUT_DIR "/cut.png", "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
    assert_int_equal(ui_png_read_rgb(UI_TEST_OUT_DIR "/cut.png", &rgb, &w, &h), UI_ERR_PNG);
    assert_null(rgb);
    ui_fb_destroy(fb);
}

/* ------------------------------------------------------------------------ */

/* The 7x7 finder pattern with its top-left at (x, y). */
static int finder_at(const ui_qr *qr, int x0, int y0)
{
    for (int y = 0; y < 7; y++) {
        for (int x = 0; x < 7; x++) {
            int ring = x == 0 || y == 0 || x == 6 || y == 6;
            int core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            if (ui_qr_module(qr, x0 + x, y0 + y) != (ring || core)) return 0;
        }
    }
    return 1;
}

static void test_qr(void **state)
{
    (void)state;
    static ui_qr qr;
    assert_int_equal(ui_qr_encode("CQZ7224560001", &qr), UI_OK);
    assert_int_equal(qr.size, 21 + 4 * (qr.version - 1));
    assert_true(qr.version >= 1 && qr.version <= 2);
    int s = qr.size;
    assert_true(finder_at(&qr, 0, 0));
    assert_true(finder_at(&qr, s - 7, 0));
    assert_true(finder_at(&qr, 0, s - 7));
    assert_false(finder_at(&qr, s - 7, s - 7)); /* no finder in the fourth corner */
    /* timing patterns: row 6 and column 6 alternate between the finders */
    for (int i = 8; i < s - 8; i++) {
        assert_int_equal(ui_qr_module(&qr, i, 6), (i + 1) % 2);
        assert_int_equal(ui_qr_module(&qr, 6, i), (i + 1) % 2);
    }
    /* the dark module next to the lower-left finder */
    assert_int_equal(ui_qr_module(&qr, 8, s - 8), 1);
    /* longer payloads need larger symbols */
    static ui_qr big;
    assert_int_equal(ui_qr_encode("https://dc.minervalot.com/bind?sn=CQZ7224560001&model=M1", &big), UI_OK);
    assert_true(big.size > qr.size);
    /* errors */
    assert_int_equal(ui_qr_encode("", &qr), UI_ERR_INVALID_ARGUMENT);
    assert_int_equal(ui_qr_encode(NULL, &qr), UI_ERR_INVALID_ARGUMENT);
    char *huge = malloc(4000);
    assert_non_null(huge);
    memset(huge, 'x', 3999);
    huge[3999] = '\0';
    assert_int_equal(ui_qr_encode(huge, &big), UI_ERR_QR_TOO_LONG);
    free(huge);
    /* drawing: whole pixels per module, a white quiet zone of 4 modules, dark finder corner */
    assert_int_equal(ui_qr_encode("CQZ7224560001", &qr), UI_OK);
    ui_fb *fb = new_fb();
    ui_rect area = {10, 10, 150, 150};
    int px = ui_qr_draw(fb, &qr, area);
    assert_int_equal(px, 150 / (qr.size + 8));
    int full = (qr.size + 8) * px;
    int x0 = 10 + (150 - full) / 2, y0 = 10 + (150 - full) / 2;
    assert_int_equal(ui_fb_get(fb, x0, y0), UI_RGB(255, 255, 255));
    assert_int_equal(ui_fb_get(fb, x0 + 4 * px, y0 + 4 * px), 0);          /* finder corner: dark */
    assert_int_equal(ui_fb_get(fb, x0 + 4 * px - 1, y0 + 4 * px), 0xFFFF); /* quiet zone */
    assert_int_equal(ui_fb_get(fb, x0 + 5 * px, y0 + 5 * px), 0xFFFF);     /* finder's light ring */
    assert_int_equal(ui_qr_draw(fb, &qr, (ui_rect){0, 0, 20, 20}), 0);     /* too small */
    ui_fb_destroy(fb);
}

/* ------------------------------------------------------------------------ */

static int sample_index(const char *name)
{
    for (size_t i = 0; i < ui_sample_count(); i++)
        if (!strcmp(ui_sample_name(i), name)) return (int)i;
    fail_msg("no sample %s", name);
    return -1;
}

static void render_sample(const char *name, term_screen_model *m, ui_fb *fb)
{
    assert_int_equal(ui_sample_model((size_t)sample_index(name), m), 0);
    assert_int_equal(ui_render(m, fb), UI_OK);
}

#define C_SEL_TEST UI_RGB(38, 150, 80)

static void test_widgets(void **state)
{
    (void)state;
    static term_screen_model m;
    ui_fb *fb = new_fb();
    assert_int_equal(ui_render(NULL, fb), UI_ERR_INVALID_ARGUMENT);
    assert_int_equal(ui_render(&m, NULL), UI_ERR_INVALID_ARGUMENT);

    /* list: the highlighted row is green, the others are not */
    render_sample("attendance", &m, fb);
    int sel = (int)m.body.list.selected;
    int y_sel = UI_STATUS_H + UI_TITLE_H + sel * UI_LIST_ROW_H + UI_LIST_ROW_H / 2;
    assert_int_equal(ui_fb_get(fb, 160, y_sel), C_SEL_TEST);
    assert_int_not_equal(ui_fb_get(fb, 160, y_sel - UI_LIST_ROW_H), C_SEL_TEST);
    /* moving the selection moves the highlight */
    m.body.list.selected = 0;
    ui_render(&m, fb);
    assert_int_equal(ui_fb_get(fb, 160, UI_STATUS_H + UI_TITLE_H + UI_LIST_ROW_H / 2), C_SEL_TEST);
    assert_int_not_equal(ui_fb_get(fb, 160, y_sel), C_SEL_TEST);
    /* scrolling: with the 9th of 12 items selected the highlight stays on screen and a scrollbar appears */
    memset(&m, 0, sizeof m);
    m.kind = TERM_BODY_LIST;
    m.id = TERM_SCR_SYSTEM_MENU;
    m.body.list.total = 12;
    m.body.list.count = 12;
    for (int i = 0; i < 12; i++)
        snprintf(m.body.list.items[i].text, sizeof m.body.list.items[i].text, "Item %d", i + 1);
    m.body.list.selected = 8;
    ui_render(&m, fb);
    int visible = (240 - UI_STATUS_H - UI_TITLE_H) / UI_LIST_ROW_H;
    int found = 0;
    for (int r = 0; r < visible; r++)
        found += ui_fb_get(fb, 160, UI_STATUS_H + UI_TITLE_H + r * UI_LIST_ROW_H + UI_LIST_ROW_H / 2) == C_SEL_TEST;
    assert_int_equal(found, 1);
    assert_int_equal(ui_fb_get(fb, 160, UI_STATUS_H + UI_TITLE_H + (visible - 1) * UI_LIST_ROW_H + UI_LIST_ROW_H / 2),
                     C_SEL_TEST);
    assert_int_equal(ui_fb_get(fb, 313, UI_STATUS_H + UI_TITLE_H + 6), UI_RGB(212, 218, 226)); /* track */

    /* a main menu longer than the 4 x 2 tile grid falls back to rows: the selected row is green across */
    render_sample("main_menu", &m, fb);
    m.body.list.selected = 0;
    ui_render(&m, fb);
    assert_int_not_equal(ui_fb_get(fb, 160, UI_STATUS_H + UI_TITLE_H + UI_LIST_ROW_H / 2), C_SEL_TEST); /* a tile gap */
    for (int i = 7; i < 10; i++) {
        snprintf(m.body.list.items[i].text, sizeof m.body.list.items[i].text, "Extra %d", i);
        m.body.list.count = m.body.list.total = (uint32_t)i + 1;
    }
    ui_render(&m, fb);
    assert_int_equal(ui_fb_get(fb, 160, UI_STATUS_H + UI_TITLE_H + UI_LIST_ROW_H / 2), C_SEL_TEST);

    /* status bar: hidden links draw nothing, connected ones draw white, failed ones a red badge */
    render_sample("standby", &m, fb);
    int white = 0;
    for (int y = 0; y < UI_STATUS_H; y++)
        for (int x = 250; x < 320; x++) white += ui_fb_get(fb, x, y) == 0xFFFF;
    assert_true(white > 40);
    m.status.wifi = TERM_LINK_HIDDEN;
    m.status.server = TERM_LINK_HIDDEN;
    m.status.usb = 0;
    ui_render(&m, fb);
    white = 0;
    for (int y = 0; y < UI_STATUS_H; y++)
        for (int x = 250; x < 320; x++) white += ui_fb_get(fb, x, y) == 0xFFFF;
    assert_int_equal(white, 0);
    m.status.wifi = TERM_LINK_DOWN;
    ui_render(&m, fb);
    int red = 0;
    for (int y = 0; y < UI_STATUS_H; y++)
        for (int x = 290; x < 320; x++) red += ui_fb_get(fb, x, y) == UI_RGB(220, 40, 40);
    assert_true(red > 5);

    /* the fingerprint image is drawn only when the model carries one */
    render_sample("test_sensor", &m, fb);
    int dark_with = 0, dark_without = 0;
    for (int y = 46; y < 240; y++)
        for (int x = 170; x < 320; x++) dark_with += ui_fb_get(fb, x, y) == UI_RGB(60, 60, 60);
    m.fp_image_valid = 0;
    ui_render(&m, fb);
    for (int y = 46; y < 240; y++)
        for (int x = 170; x < 320; x++) dark_without += ui_fb_get(fb, x, y) == UI_RGB(60, 60, 60);
    assert_true(dark_with > 500);
    assert_int_equal(dark_without, 0);

    /* hint bar at the bottom only with a hint */
    render_sample("main_menu_admin_reminder", &m, fb);
    assert_int_equal(ui_fb_get(fb, 2, 238), UI_RGB(222, 228, 236));
    m.hint[0] = '\0';
    ui_render(&m, fb);
    assert_int_not_equal(ui_fb_get(fb, 2, 238), UI_RGB(222, 228, 236));

    /* keyboard test: pressed keys blue, others dark grey */
    render_sample("test_keyboard", &m, fb);
    int kx = 160 - (4 * 70 + 3 * 6) / 2 + 5, ky = UI_STATUS_H + UI_TITLE_H + 6 + 5;
    assert_int_equal(ui_fb_get(fb, kx, ky), UI_RGB(30, 110, 210));    /* key 0 pressed */
    assert_int_equal(ui_fb_get(fb, kx + 76, ky), UI_RGB(70, 76, 84)); /* key 1 not */

    /* LCD test patterns fill the whole panel */
    memset(&m, 0, sizeof m);
    m.kind = TERM_BODY_PATTERN;
    m.body.pattern = TERM_PATTERN_WHITE;
    ui_render(&m, fb);
    assert_int_equal(ui_fb_get(fb, 0, 0), 0xFFFF);
    assert_int_equal(ui_fb_get(fb, 319, 239), 0xFFFF);
    m.body.pattern = TERM_PATTERN_BLACK;
    ui_render(&m, fb);
    assert_int_equal(ui_fb_get(fb, 160, 120), 0);

    /* the longest payload the model carries still fits the screen; an empty one shows a notice */
    render_sample("qr_bind", &m, fb);
    memset(m.body.qr.payload, 'Q', sizeof m.body.qr.payload - 1);
    assert_int_equal(ui_render(&m, fb), UI_OK);
    m.body.qr.payload[0] = '\0';
    assert_int_equal(ui_render(&m, fb), UI_OK);
    assert_int_equal(ui_fb_get(fb, 160, 30), UI_RGB(25, 90, 170)); /* title bar */
    int notice = 0;
    for (int y = 46; y < 240; y++)
        for (int x = 0; x < 200; x++) notice += ui_fb_get(fb, x, y) == UI_RGB(215, 45, 45);
    assert_true(notice > 50);
    ui_fb_destroy(fb);
}

/* Garbage models (random bytes, unterminated strings, counts out of range) never crash (ASan/UBSan). */
static void test_garbage_models(void **state)
{
    (void)state;
    static term_screen_model m;
    ui_fb *fb = new_fb();
    uint32_t seed = 12345;
    for (int round = 0; round < 300; round++) {
        uint8_t *p = (uint8_t *)&m;
        for (size_t i = 0; i < sizeof m; i++) {
            seed = seed * 1664525u + 1013904223u;
            p[i] = (uint8_t)(seed >> 24);
        }
        m.kind = (term_body_kind)(round % 13);
        if (round % 3 == 0) m.id = TERM_SCR_MAIN_MENU;
        if (round % 5 == 0) m.id = TERM_SCR_CHOOSE_METHOD;
        ui_status st = ui_render(&m, fb);
        assert_true(st == UI_OK || st == UI_ERR_QR_TOO_LONG);
    }
    ui_fb_destroy(fb);
}

/* ------------------------------------------------------------------------ */

/* Screenshot test: each sample against tests/ui_ref/<name>.png (ui_ref_check). */
static void test_screenshots(void **state)
{
    (void)state;
    static term_screen_model m;
    ui_fb *fb = new_fb();
    mkdir(UI_TEST_OUT_DIR, 0755);
    int failures = 0;
    for (size_t i = 0; i < ui_sample_count(); i++) {
        const char *name = ui_sample_name(i);
        assert_int_equal(ui_sample_model(i, &m), 0);
        assert_int_equal(ui_render(&m, fb), UI_OK);
        char why[1200];
        if (!ui_ref_check(fb, name, UI_TEST_OUT_DIR, why, sizeof why)) {
            print_error("%s\n", why);
            failures++;
        }
    }
    ui_fb_destroy(fb);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_map),     cmocka_unit_test(test_fb_create_and_clip),
        cmocka_unit_test(test_primitives),     cmocka_unit_test(test_font_glyphs),
        cmocka_unit_test(test_font_draw),      cmocka_unit_test(test_icons),
        cmocka_unit_test(test_png_round_trip), cmocka_unit_test(test_qr),
        cmocka_unit_test(test_widgets),        cmocka_unit_test(test_garbage_models),
        cmocka_unit_test(test_screenshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
