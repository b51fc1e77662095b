/* ui_font.c - the terminal font (see ui_font.h; glyphs in ui_font_data.h). */
#include "ui_font.h"

#include <string.h>

#include "ui_font_data.h"

int ui_font_glyph_bit(unsigned char ch, int x, int y)
{
    if (x < 0 || y < 0 || x >= UI_FONT_GLYPH_W || y >= UI_FONT_GLYPH_H) return 0;
    if (ch < 0x20 || ch > 0x7E) {
        /* unknown character: a hollow box over the x-height and ascender */
        int left = 1, right = 5, top = 1, bottom = 8;
        if (y < top || y > bottom || x < left || x > right) return 0;
        return x == left || x == right || y == top || y == bottom;
    }
    const char *row = ui_font_glyphs[ch - 0x20][y];
    if (!row) return 0;
    size_t n = strlen(row);
    return (size_t)x < n && row[x] == '#';
}

static int clamp_scale(int scale)
{
    return scale < 1 ? 1 : scale > 8 ? 8 : scale;
}

int ui_font_line_height(int scale)
{
    return UI_FONT_CELL_H * clamp_scale(scale);
}

int ui_font_text_width(const char *text, int scale)
{
    if (!text) return 0;
    size_t n = strcspn(text, "\n");
    return (int)n * UI_FONT_CELL_W * clamp_scale(scale);
}

/* Largest grid the enlargement needs: the glyph after two EPX doublings. */
#define MAXG_W (UI_FONT_GLYPH_W * 4)
#define MAXG_H (UI_FONT_GLYPH_H * 4)

typedef struct grid {
    int w, h;
    unsigned char b[MAXG_H][MAXG_W];
} grid;

static int at(const grid *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->w || y >= g->h) return 0;
    return g->b[y][x];
}

/* EPX (scale2x) doubling of a 1-bit picture. */
static void epx(const grid *in, grid *out)
{
    out->w = in->w * 2;
    out->h = in->h * 2;
    for (int y = 0; y < in->h; y++) {
        for (int x = 0; x < in->w; x++) {
            int p = at(in, x, y);
            int a = at(in, x, y - 1), b = at(in, x + 1, y), c = at(in, x - 1, y), d = at(in, x, y + 1);
            int p1 = p, p2 = p, p3 = p, p4 = p;
            if (c == a && c != d && a != b) p1 = a;
            if (a == b && a != c && b != d) p2 = b;
            if (d == c && d != b && c != a) p3 = c;
            if (b == d && b != a && d != c) p4 = d;
            out->b[2 * y][2 * x] = (unsigned char)p1;
            out->b[2 * y][2 * x + 1] = (unsigned char)p2;
            out->b[2 * y + 1][2 * x] = (unsigned char)p3;
            out->b[2 * y + 1][2 * x + 1] = (unsigned char)p4;
        }
    }
}

static void draw_glyph(ui_fb *fb, int x, int y, unsigned char ch, ui_color c, int scale)
{
    grid g[2];
    int cur = 0;
    g[0].w = UI_FONT_GLYPH_W;
    g[0].h = UI_FONT_GLYPH_H;
    for (int gy = 0; gy < UI_FONT_GLYPH_H; gy++)
        for (int gx = 0; gx < UI_FONT_GLYPH_W; gx++) g[0].b[gy][gx] = (unsigned char)ui_font_glyph_bit(ch, gx, gy);
    int rest = scale;
    for (int k = 0; k < 2 && rest % 2 == 0; k++) {
        epx(&g[cur], &g[1 - cur]);
        cur = 1 - cur;
        rest /= 2;
    }
    const grid *s = &g[cur];
    /* the cell has one blank row above the glyph */
    int oy = y + scale;
    for (int gy = 0; gy < s->h; gy++) {
        for (int gx = 0; gx < s->w; gx++) {
            if (!s->b[gy][gx]) continue;
            if (rest == 1)
                ui_fb_pixel(fb, x + gx, oy + gy, c);
            else
                ui_fb_fill(fb, (ui_rect){x + gx * rest, oy + gy * rest, rest, rest}, c);
        }
    }
}

int ui_font_draw_n(ui_fb *fb, int x, int y, const char *text, size_t max_chars, ui_color c, int scale)
{
    if (!fb || !text) return x;
    scale = clamp_scale(scale);
    for (size_t i = 0; i < max_chars && text[i] && text[i] != '\n'; i++) {
        if (text[i] != ' ') draw_glyph(fb, x, y, (unsigned char)text[i], c, scale);
        x += UI_FONT_CELL_W * scale;
    }
    return x;
}

int ui_font_draw(ui_fb *fb, int x, int y, const char *text, ui_color c, int scale)
{
    return ui_font_draw_n(fb, x, y, text, (size_t)-1, c, scale);
}

void ui_font_draw_in(ui_fb *fb, ui_rect r, const char *text, ui_color c, int scale, int align)
{
    if (!text) return;
    scale = clamp_scale(scale);
    int cw = UI_FONT_CELL_W * scale;
    size_t n = strcspn(text, "\n");
    size_t fit = r.w > 0 ? (size_t)(r.w / cw) : 0;
    if (n > fit) n = fit;
    int tw = (int)n * cw;
    int x = r.x;
    if (align == 1)
        x = r.x + (r.w - tw) / 2;
    else if (align == 2)
        x = r.x + r.w - tw;
    int y = r.y + (r.h - ui_font_line_height(scale)) / 2;
    ui_font_draw_n(fb, x, y, text, n, c, scale);
}

int ui_font_draw_wrapped(ui_fb *fb, ui_rect r, const char *text, ui_color c, int scale, int centre)
{
    if (!fb || !text) return 0;
    scale = clamp_scale(scale);
    int cw = UI_FONT_CELL_W * scale, lh = ui_font_line_height(scale);
    size_t cols = r.w > 0 ? (size_t)(r.w / cw) : 0;
    int max_lines = r.h > 0 ? r.h / lh : 0;
    if (cols > 250) cols = 250; /* the line buffer below */
    if (cols == 0 || max_lines == 0) return 0;
    int lines = 0;
    const char *p = text;
    while (*p && lines < max_lines) {
        while (*p == ' ') p++;
        if (!*p) break;
        /* take as many whole words as fit; a hard '\n' ends the line */
        size_t len = 0, brk = 0;
        while (p[len] && p[len] != '\n' && len < cols) {
            len++;
            if (p[len] == ' ' || p[len] == '\n' || p[len] == '\0') brk = len;
        }
        /* the end of the text or line, or one word longer than the line (cut it) */
        if (p[len] == '\0' || p[len] == '\n' || brk == 0) brk = len;
        char buf[256];
        size_t n = brk < sizeof buf - 1 ? brk : sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        const char *next = p + brk;
        while (*next == ' ') next++;
        int last = lines == max_lines - 1;
        if (last && *next && *next != '\n') {
            /* more text than room: mark the cut */
            if (n + 2 > cols) n = cols >= 2 ? cols - 2 : 0;
            buf[n] = '.';
            buf[n + 1] = '.';
            buf[n + 2] = '\0';
            n += 2;
        }
        int tw = (int)n * cw;
        int x = centre ? r.x + (r.w - tw) / 2 : r.x;
        ui_font_draw_n(fb, x, r.y + lines * lh, buf, n, c, scale);
        lines++;
        p = next;
        if (*p == '\n') p++;
    }
    return lines;
}
