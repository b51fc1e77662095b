/*
 * ui_font.h - the terminal's bitmap font.
 *
 * One font designed for this project: printable ASCII (0x20..0x7E), each
 * glyph at most 7 x 12 pixels (cap height 9, x-height 6, descender 3) in an
 * 8 x 14 cell, so the 320 x 240 panel holds 40 columns and 17 lines. The
 * glyphs are written in ui_font.c as pictures ('#' = ink), which makes them
 * easy to review and change.
 *
 * Larger sizes: scale 2 and 4 enlarge the glyph with the EPX rule (a pixel
 * is split into four, and a sub-pixel takes a neighbour's colour where two
 * neighbours agree), which rounds the diagonals instead of showing stairs;
 * other scales repeat pixels. Characters outside 0x20..0x7E draw as a box.
 */
#ifndef UI_FONT_H
#define UI_FONT_H

#include "ui_fb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UI_FONT_GLYPH_W 7
#define UI_FONT_GLYPH_H 12
#define UI_FONT_CELL_W 8
#define UI_FONT_CELL_H 14
/* Row of the baseline inside the glyph (rows 0..8 stand on it). */
#define UI_FONT_BASELINE 9

/* 1 when glyph ch has ink at (x, y) of its 7 x 12 picture, 0 otherwise (also outside). */
int ui_font_glyph_bit(unsigned char ch, int x, int y);

/* Width in pixels of text at scale (1..8): strlen * cell width * scale. */
int ui_font_text_width(const char *text, int scale);
/* Height of a line at scale. */
int ui_font_line_height(int scale);

/*
 * Draws text with the top-left of its first cell at (x, y), transparent
 * background. scale 1..8 (others are clamped). Stops at NUL or '\n'.
 * Returns the x after the last cell.
 */
int ui_font_draw(ui_fb *fb, int x, int y, const char *text, ui_color c, int scale);

/* Draws at most max_chars characters of text; the rest is cut. */
int ui_font_draw_n(ui_fb *fb, int x, int y, const char *text, size_t max_chars, ui_color c, int scale);

/* Alignment inside a rectangle: horizontally 0 left, 1 centre, 2 right; vertically centred. */
void ui_font_draw_in(ui_fb *fb, ui_rect r, const char *text, ui_color c, int scale, int align);

/*
 * Word-wraps text into rect r (at scale), centring each line when centre is
 * non-zero. Returns the number of lines drawn; text that does not fit is cut
 * and the last visible line ends with "..".
 */
int ui_font_draw_wrapped(ui_fb *fb, ui_rect r, const char *text, ui_color c, int scale, int centre);

#ifdef __cplusplus
}
#endif

#endif /* UI_FONT_H */
