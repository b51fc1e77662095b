/*
 * plot.c - a small raster plotter: RGB canvas, lines, text, axes, legend,
 * PNG output through libpng. See plot.h for the conventions.
 */
#include "plot.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Font                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * A 5-pixel-wide font drawn for this file. Rows are separated by '|', '#'
 * is ink; rows 0..6 hold capitals and digits (baseline under row 6), rows
 * 7..8 the descenders. Missing trailing rows are blank. Index = char - 32.
 */
#define GLYPH_W 5
#define GLYPH_H 9
static const char *const font_glyphs[95] = {
    /*   */ "",
    /* ! */ "..#..|..#..|..#..|..#..|..#..|.....|..#..",
    /* " */ ".#.#.|.#.#.|.#.#.",
    /* # */ ".#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.",
    /* $ */ "..#..|.####|#.#..|.###.|..#.#|####.|..#..",
    /* % */ "##...|##..#|...#.|..#..|.#...|#..##|...##",
    /* & */ ".##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#",
    /* ' */ "..#..|..#..|.#...",
    /* ( */ "...#.|..#..|.#...|.#...|.#...|..#..|...#.",
    /* ) */ ".#...|..#..|...#.|...#.|...#.|..#..|.#...",
    /* * */ ".....|..#..|#.#.#|.###.|#.#.#|..#..|.....",
    /* + */ ".....|..#..|..#..|#####|..#..|..#..|.....",
    /* , */ ".....|.....|.....|.....|.....|.##..|.##..|..#..|.#...",
    /* - */ ".....|.....|.....|.###.|.....",
    /* . */ ".....|.....|.....|.....|.....|.##..|.##..",
    /* / */ ".....|....#|...#.|..#..|.#...|#....|.....",
    /* 0 */ ".###.|#...#|#..##|#.#.#|##..#|#...#|.###.",
    /* 1 */ "..#..|.##..|..#..|..#..|..#..|..#..|.###.",
    /* 2 */ ".###.|#...#|....#|...#.|..#..|.#...|#####",
    /* 3 */ "#####|...#.|..#..|...#.|....#|#...#|.###.",
    /* 4 */ "...#.|..##.|.#.#.|#..#.|#####|...#.|...#.",
    /* 5 */ "#####|#....|####.|....#|....#|#...#|.###.",
    /* 6 */ "..##.|.#...|#....|####.|#...#|#...#|.###.",
    /* 7 */ "#####|....#|...#.|..#..|.#...|.#...|.#...",
    /* 8 */ ".###.|#...#|#...#|.###.|#...#|#...#|.###.",
    /* 9 */ ".###.|#...#|#...#|.####|....#|...#.|.##..",
    /* : */ ".....|.##..|.##..|.....|.##..|.##..|.....",
    /* ; */ ".....|.##..|.##..|.....|.##..|.##..|..#..|.#...",
    /* < */ "...#.|..#..|.#...|#....|.#...|..#..|...#.",
    /* = */ ".....|.....|#####|.....|#####|.....|.....",
    /* > */ ".#...|..#..|...#.|....#|...#.|..#..|.#...",
    /* ? */ ".###.|#...#|....#|...#.|..#..|.....|..#..",
    /* @ */ ".###.|#...#|#.###|#.#.#|#.###|#....|.####",
    /* A */ ".###.|#...#|#...#|#####|#...#|#...#|#...#",
    /* B */ "####.|#...#|#...#|####.|#...#|#...#|####.",
    /* C */ ".###.|#...#|#....|#....|#....|#...#|.###.",
    /* D */ "###..|#..#.|#...#|#...#|#...#|#..#.|###..",
    /* E */ "#####|#....|#....|####.|#....|#....|#####",
    /* F */ "#####|#....|#....|####.|#....|#....|#....",
    /* G */ ".###.|#...#|#....|#.###|#...#|#...#|.####",
    /* H */ "#...#|#...#|#...#|#####|#...#|#...#|#...#",
    /* I */ ".###.|..#..|..#..|..#..|..#..|..#..|.###.",
    /* J */ "..###|...#.|...#.|...#.|...#.|#..#.|.##..",
    /* K */ "#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#",
    /* L */ "#....|#....|#....|#....|#....|#....|#####",
    /* M */ "#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#",
    /* N */ "#...#|#...#|##..#|#.#.#|#..##|#...#|#...#",
    /* O */ ".###.|#...#|#...#|#...#|#...#|#...#|.###.",
    /* P */ "####.|#...#|#...#|####.|#....|#....|#....",
    /* Q */ ".###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#",
    /* R */ "####.|#...#|#...#|####.|#.#..|#..#.|#...#",
    /* S */ ".####|#....|#....|.###.|....#|....#|####.",
    /* T */ "#####|..#..|..#..|..#..|..#..|..#..|..#..",
    /* U */ "#...#|#...#|#...#|#...#|#...#|#...#|.###.",
    /* V */ "#...#|#...#|#...#|#...#|#...#|.#.#.|..#..",
    /* W */ "#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.",
    /* X */ "#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#",
    /* Y */ "#...#|#...#|.#.#.|..#..|..#..|..#..|..#..",
    /* Z */ "#####|....#|...#.|..#..|.#...|#....|#####",
    /* [ */ ".###.|.#...|.#...|.#...|.#...|.#...|.###.",
    /* \ */ ".....|#....|.#...|..#..|...#.|....#|.....",
    /* ] */ ".###.|...#.|...#.|...#.|...#.|...#.|.###.",
    /* ^ */ "..#..|.#.#.|#...#",
    /* _ */ ".....|.....|.....|.....|.....|.....|.....|#####",
    /* ` */ ".#...|..#..",
    /* a */ ".....|.....|.###.|....#|.####|#...#|.####",
    /* b */ "#....|#....|####.|#...#|#...#|#...#|####.",
    /* c */ ".....|.....|.###.|#....|#....|#...#|.###.",
    /* d */ "....#|....#|.####|#...#|#...#|#...#|.####",
    /* e */ ".....|.....|.###.|#...#|#####|#....|.###.",
    /* f */ "..##.|.#..#|.#...|###..|.#...|.#...|.#...",
    /* g */ ".....|.....|.####|#...#|#...#|#...#|.####|....#|.###.",
    /* h */ "#....|#....|#.##.|##..#|#...#|#...#|#...#",
    /* i */ "..#..|.....|.##..|..#..|..#..|..#..|.###.",
    /* j */ "...#.|.....|..##.|...#.|...#.|...#.|...#.|#..#.|.##..",
    /* k */ "#....|#....|#..#.|#.#..|##...|#.#..|#..#.",
    /* l */ ".##..|..#..|..#..|..#..|..#..|..#..|.###.",
    /* m */ ".....|.....|##.#.|#.#.#|#.#.#|#.#.#|#...#",
    /* n */ ".....|.....|#.##.|##..#|#...#|#...#|#...#",
    /* o */ ".....|.....|.###.|#...#|#...#|#...#|.###.",
    /* p */ ".....|.....|####.|#...#|#...#|#...#|####.|#....|#....",
    /* q */ ".....|.....|.####|#...#|#...#|#...#|.####|....#|....#",
    /* r */ ".....|.....|#.##.|##..#|#....|#....|#....",
    /* s */ ".....|.....|.####|#....|.###.|....#|####.",
    /* t */ ".#...|.#...|###..|.#...|.#...|.#..#|..##.",
    /* u */ ".....|.....|#...#|#...#|#...#|#..##|.##.#",
    /* v */ ".....|.....|#...#|#...#|#...#|.#.#.|..#..",
    /* w */ ".....|.....|#...#|#...#|#.#.#|#.#.#|.#.#.",
    /* x */ ".....|.....|#...#|.#.#.|..#..|.#.#.|#...#",
    /* y */ ".....|.....|#...#|#...#|#...#|#...#|.####|....#|.###.",
    /* z */ ".....|.....|#####|...#.|..#..|.#...|#####",
    /* { */ "...##|..#..|..#..|.#...|..#..|..#..|...##",
    /* | */ "..#..|..#..|..#..|..#..|..#..|..#..|..#..",
    /* } */ "##...|..#..|..#..|...#.|..#..|..#..|##...",
    /* ~ */ ".....|.....|.#...|#.#.#|...#.|.....|.....",
};

/* Unknown characters show as '?'. */
static const char *glyph_for(char c)
{
    unsigned char u = (unsigned char)c;
    if (u < 32 || u > 126)
        u = '?';
    return font_glyphs[u - 32];
}

/* ------------------------------------------------------------------------ */
/* Canvas                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct canvas {
    int w, h;
    uint8_t *rgb;
    /* Marks pixels covered by data so the legend can avoid them. */
    uint8_t *ink;
    int marking;
    /* Clip rectangle, inclusive. */
    int cx0, cy0, cx1, cy1;
} canvas;

enum {
    COL_BG = 0xFFFFFF,
    COL_FG = 0x202020,
    COL_GRID_MAJOR = 0xD0D0D0,
    COL_GRID_MINOR = 0xECECEC,
    COL_DIAGONAL = 0x909090,
};

static const uint32_t palette[] = {
    FP_PLOT_GENUINE_COLOR,
    FP_PLOT_IMPOSTOR_COLOR,
    0x209040, /* green */
    0xE08000, /* orange */
    0x8030A0, /* purple */
    0x008A8A, /* teal */
    0xB0407A, /* magenta */
    0x606060, /* grey */
};
#define PALETTE_N (sizeof palette / sizeof palette[0])

static int canvas_init(canvas *c, int w, int h)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->h = h;
    c->rgb = malloc((size_t)w * (size_t)h * 3);
    c->ink = calloc((size_t)w * (size_t)h, 1);
    if (!c->rgb || !c->ink) {
        free(c->rgb);
        free(c->ink);
        c->rgb = NULL;
        c->ink = NULL;
        return 0;
    }
    memset(c->rgb, 0xFF, (size_t)w * (size_t)h * 3);
    c->cx0 = 0;
    c->cy0 = 0;
    c->cx1 = w - 1;
    c->cy1 = h - 1;
    return 1;
}

static void canvas_free(canvas *c)
{
    free(c->rgb);
    free(c->ink);
}

static void clip_all(canvas *c)
{
    c->cx0 = 0;
    c->cy0 = 0;
    c->cx1 = c->w - 1;
    c->cy1 = c->h - 1;
}

/* alpha 0..255 blends over what is there. */
static void put(canvas *c, int x, int y, uint32_t col, int alpha)
{
    if (x < c->cx0 || x > c->cx1 || y < c->cy0 || y > c->cy1)
        return;
    size_t i = (size_t)y * (size_t)c->w + (size_t)x;
    uint8_t *p = c->rgb + 3 * i;
    int src[3] = {(int)(col >> 16) & 0xFF, (int)(col >> 8) & 0xFF,
                  (int)col & 0xFF};
    for (int k = 0; k < 3; k++)
        p[k] = (uint8_t)((src[k] * alpha + p[k] * (255 - alpha) + 127) / 255);
    if (c->marking)
        c->ink[i] = 1;
}

static void fill_rect(canvas *c, int x0, int y0, int x1, int y1, uint32_t col,
                      int alpha)
{
    if (x0 > x1) {
        int t = x0;
        x0 = x1;
        x1 = t;
    }
    if (y0 > y1) {
        int t = y0;
        y0 = y1;
        y1 = t;
    }
    x0 = x0 < c->cx0 ? c->cx0 : x0;
    y0 = y0 < c->cy0 ? c->cy0 : y0;
    x1 = x1 > c->cx1 ? c->cx1 : x1;
    y1 = y1 > c->cy1 ? c->cy1 : y1;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            put(c, x, y, col, alpha);
}

/* Bresenham with a square brush of side `thick`; dash > 0 draws dash
 * pixels on, dash off along the major axis. Coordinates far outside the
 * canvas are cut to a box around it first so loops stay short. */
static void line(canvas *c, double fx0, double fy0, double fx1, double fy1,
                 uint32_t col, int thick, int dash)
{
    if (!isfinite(fx0) || !isfinite(fy0) || !isfinite(fx1) || !isfinite(fy1))
        return;
    /* Liang-Barsky clip against the canvas grown by a margin. */
    double xmin = -8, ymin = -8, xmax = c->w + 8, ymax = c->h + 8;
    double dx = fx1 - fx0, dy = fy1 - fy0, t0 = 0.0, t1 = 1.0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {fx0 - xmin, xmax - fx0, fy0 - ymin, ymax - fy0};
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0.0) {
            if (q[k] < 0)
                return;
        } else {
            double r = q[k] / p[k];
            if (p[k] < 0) {
                if (r > t1)
                    return;
                if (r > t0)
                    t0 = r;
            } else {
                if (r < t0)
                    return;
                if (r < t1)
                    t1 = r;
            }
        }
    }
    int x0 = (int)lround(fx0 + t0 * dx), y0 = (int)lround(fy0 + t0 * dy);
    int x1 = (int)lround(fx0 + t1 * dx), y1 = (int)lround(fy0 + t1 * dy);

    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int ax = abs(x1 - x0), ay = abs(y1 - y0);
    int err = ax - ay, step = 0;
    int lo = -(thick - 1) / 2, hi = thick / 2;
    for (;;) {
        if (dash <= 0 || (step / dash) % 2 == 0) {
            for (int oy = lo; oy <= hi; oy++)
                for (int ox = lo; ox <= hi; ox++)
                    put(c, x0 + ox, y0 + oy, col, 255);
        }
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 > -ay) {
            err -= ay;
            x0 += sx;
        }
        if (e2 < ax) {
            err += ax;
            y0 += sy;
        }
        step++;
    }
}

static int text_width(const char *s, int scale)
{
    int n = (int)strlen(s);
    return n ? (n * (GLYPH_W + 1) - 1) * scale : 0;
}

static int text_height(int scale)
{
    return 7 * scale; /* cap height; descenders hang below */
}

/* Draw s with its top-left cap corner at (x, y). vertical != 0 rotates the
 * text a quarter turn counter-clockwise (reads bottom to top), with (x, y)
 * its bottom-left corner. */
static void draw_text(canvas *c, int x, int y, const char *s, uint32_t col,
                      int scale, int vertical)
{
    int pen = 0;
    for (; *s; s++, pen += (GLYPH_W + 1) * scale) {
        const char *g = glyph_for(*s);
        int row = 0, colx = 0;
        for (const char *p = g; *p; p++) {
            if (*p == '|') {
                row++;
                colx = 0;
                continue;
            }
            if (*p == '#' && row < GLYPH_H) {
                int gx = pen + colx * scale, gy = row * scale;
                for (int a = 0; a < scale; a++)
                    for (int b = 0; b < scale; b++) {
                        if (vertical)
                            put(c, x + gy + a, y - gx - b, col, 255);
                        else
                            put(c, x + gx + b, y + gy + a, col, 255);
                    }
            }
            colx++;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Axes                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct axis {
    double lo, hi; /* data range; > 0 when log */
    int log;
    int p0, p1; /* pixel positions of lo and hi */
} axis;

static double axis_value(const axis *a, double v)
{
    if (a->log) {
        /* Zero and negatives go far past the low end and get clipped. */
        double l = v > 0 ? log10(v) : log10(a->lo) - 100.0;
        return (l - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    }
    return (v - a->lo) / (a->hi - a->lo);
}

static double axis_px(const axis *a, double v)
{
    double f = axis_value(a, v);
    if (f < -50)
        f = -50;
    if (f > 50)
        f = 50;
    return a->p0 + f * (a->p1 - a->p0);
}

/* 1, 2 or 5 times a power of ten, about span / target. */
static double nice_step(double span, int target)
{
    double raw = span / target;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void format_linear(char *buf, size_t n, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6)
        v = 0.0; /* no "-0" */
    snprintf(buf, n, "%.*f", dec, v);
}

static void format_decade(char *buf, size_t n, int e)
{
    if (e >= 0 && e <= 4)
        snprintf(buf, n, "%.0f", pow(10.0, e));
    else if (e < 0 && e >= -3)
        snprintf(buf, n, "%.*f", -e, pow(10.0, e));
    else
        snprintf(buf, n, "1e%d", e);
}

typedef struct frame {
    int left, top, right, bottom; /* plot area, inclusive */
    int scale;                    /* font scale */
} frame;

static int is_major_log_tick(int e, int ndec)
{
    /* Label every decade unless there are very many. */
    int every = ndec > 12 ? 3 : ndec > 7 ? 2 : 1;
    return e % every == 0;
}

/* Grid lines (behind the data). */
static void draw_grid(canvas *c, const frame *f, const axis *ax, int vertical)
{
    /* vertical: ax is the x axis, lines run top to bottom. */
    if (ax->log) {
        int e0 = (int)floor(log10(ax->lo) + 1e-9);
        int e1 = (int)ceil(log10(ax->hi) - 1e-9);
        for (int e = e0; e <= e1; e++) {
            for (int m = 1; m <= 9; m++) {
                double v = m * pow(10.0, e);
                if (v < ax->lo * (1 - 1e-9) || v > ax->hi * (1 + 1e-9))
                    continue;
                int p = (int)lround(axis_px(ax, v));
                uint32_t col = m == 1 ? COL_GRID_MAJOR : COL_GRID_MINOR;
                if (vertical)
                    line(c, p, f->top, p, f->bottom, col, 1, 0);
                else
                    line(c, f->left, p, f->right, p, col, 1, 0);
            }
        }
    } else {
        double step = nice_step(ax->hi - ax->lo, 6);
        for (double v = ceil(ax->lo / step - 1e-9) * step;
             v <= ax->hi + step * 1e-9; v += step) {
            int p = (int)lround(axis_px(ax, v));
            if (vertical)
                line(c, p, f->top, p, f->bottom, COL_GRID_MAJOR, 1, 0);
            else
                line(c, f->left, p, f->right, p, COL_GRID_MAJOR, 1, 0);
        }
    }
}

static void draw_tick(canvas *c, const frame *f, int vertical, int p,
                      const char *label, int len)
{
    int s = f->scale;
    if (vertical) {
        line(c, p, f->bottom, p, f->bottom + len, COL_FG, 1, 0);
        if (label)
            draw_text(c, p - text_width(label, s) / 2, f->bottom + 6 * s,
                      label, COL_FG, s, 0);
    } else {
        line(c, f->left - len, p, f->left, p, COL_FG, 1, 0);
        if (label)
            draw_text(c, f->left - 4 * s - text_width(label, s),
                      p - text_height(s) / 2, label, COL_FG, s, 0);
    }
}

/* Ticks and labels (over the frame). Returns the widest label in pixels. */
static int draw_ticks(canvas *c, const frame *f, const axis *ax, int vertical)
{
    char buf[32];
    int widest = 0, s = f->scale;
    if (ax->log) {
        int e0 = (int)floor(log10(ax->lo) + 1e-9);
        int e1 = (int)ceil(log10(ax->hi) - 1e-9);
        for (int e = e0; e <= e1; e++) {
            for (int m = 1; m <= 9; m++) {
                double v = m * pow(10.0, e);
                if (v < ax->lo * (1 - 1e-9) || v > ax->hi * (1 + 1e-9))
                    continue;
                int p = (int)lround(axis_px(ax, v));
                if (m == 1 && is_major_log_tick(e, e1 - e0)) {
                    format_decade(buf, sizeof buf, e);
                    draw_tick(c, f, vertical, p, buf, 3 * s);
                    if (text_width(buf, s) > widest)
                        widest = text_width(buf, s);
                } else {
                    draw_tick(c, f, vertical, p, NULL, m == 1 ? 3 * s : s + 1);
                }
            }
        }
    } else {
        double step = nice_step(ax->hi - ax->lo, 6);
        for (double v = ceil(ax->lo / step - 1e-9) * step;
             v <= ax->hi + step * 1e-9; v += step) {
            format_linear(buf, sizeof buf, v, step);
            draw_tick(c, f, vertical, (int)lround(axis_px(ax, v)), buf, 3 * s);
            if (text_width(buf, s) > widest)
                widest = text_width(buf, s);
        }
    }
    return widest;
}

/* ------------------------------------------------------------------------ */
/* Plot skeleton: canvas, frame, titles, legend, PNG                        */
/* ------------------------------------------------------------------------ */

typedef struct plot {
    canvas c;
    frame f;
    axis x, y;
    const char *title, *x_label, *y_label;
    /* Legend entries. */
    const char *labels[32];
    uint32_t colors[32];
    int kinds[32]; /* 0 line, 1 filled box */
    int nlegend;
} plot;

void fp_plot_options_init(fp_plot_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->width = 800;
    options->height = 600;
}

static fp_status plot_begin(plot *p, const fp_plot_options *o)
{
    unsigned w = o->width ? o->width : 800;
    unsigned h = o->height ? o->height : 600;
    if (w < 200 || h < 200 || w > 4000 || h > 4000)
        return FP_ERR_INVALID_ARGUMENT;
    memset(p, 0, sizeof *p);
    if (!canvas_init(&p->c, (int)w, (int)h))
        return FP_ERR_NO_MEMORY;
    int s = (w >= 640 && h >= 480) ? 2 : 1;
    p->f.scale = s;
    p->title = o->title;
    return FP_OK;
}

/* Lay out the frame once the axes (and so the label widths) are known. */
static void plot_layout(plot *p)
{
    int s = p->f.scale;
    char buf[32];
    /* Estimate the widest y tick label to size the left margin. */
    int widest = text_width("0.001", s);
    if (!p->y.log) {
        double step = nice_step(p->y.hi - p->y.lo, 6);
        for (double v = ceil(p->y.lo / step - 1e-9) * step;
             v <= p->y.hi + step * 1e-9; v += step) {
            format_linear(buf, sizeof buf, v, step);
            if (text_width(buf, s) > widest)
                widest = text_width(buf, s);
        }
    } else {
        int e0 = (int)floor(log10(p->y.lo) + 1e-9);
        int e1 = (int)ceil(log10(p->y.hi) - 1e-9);
        for (int e = e0; e <= e1; e++) {
            format_decade(buf, sizeof buf, e);
            if (text_width(buf, s) > widest)
                widest = text_width(buf, s);
        }
    }
    p->f.left = widest + 4 * s + 3 * s + 12 * s + 8 * s;
    p->f.right = p->c.w - 1 - 14 * s;
    p->f.top = p->title ? 20 * s : 10 * s;
    p->f.bottom = p->c.h - 1 - 30 * s;
    p->x.p0 = p->f.left;
    p->x.p1 = p->f.right;
    p->y.p0 = p->f.bottom;
    p->y.p1 = p->f.top;
}

static void plot_axes(plot *p)
{
    canvas *c = &p->c;
    frame *f = &p->f;
    int s = f->scale;
    clip_all(c);
    /* Frame. */
    line(c, f->left, f->top, f->right, f->top, COL_FG, 1, 0);
    line(c, f->left, f->bottom, f->right, f->bottom, COL_FG, 1, 0);
    line(c, f->left, f->top, f->left, f->bottom, COL_FG, 1, 0);
    line(c, f->right, f->top, f->right, f->bottom, COL_FG, 1, 0);
    draw_ticks(c, f, &p->x, 1);
    int widest = draw_ticks(c, f, &p->y, 0);
    if (p->title) {
        int tw = text_width(p->title, s);
        int tx = (f->left + f->right) / 2 - tw / 2;
        if (tx < 2)
            tx = 2;
        draw_text(c, tx, 6 * s, p->title, COL_FG, s, 0);
        draw_text(c, tx + 1, 6 * s, p->title, COL_FG, s, 0); /* bold */
    }
    if (p->x_label) {
        int tw = text_width(p->x_label, s);
        draw_text(c, (f->left + f->right) / 2 - tw / 2,
                  f->bottom + 6 * s + text_height(s) + 7 * s, p->x_label,
                  COL_FG, s, 0);
    }
    if (p->y_label) {
        int tw = text_width(p->y_label, s);
        int x = f->left - 4 * s - widest - 8 * s - text_height(s);
        if (x < 2)
            x = 2;
        draw_text(c, x, (f->top + f->bottom) / 2 + tw / 2, p->y_label, COL_FG,
                  s, 1);
    }
}

static void plot_clip_to_frame(plot *p)
{
    p->c.cx0 = p->f.left + 1;
    p->c.cy0 = p->f.top + 1;
    p->c.cx1 = p->f.right - 1;
    p->c.cy1 = p->f.bottom - 1;
}

static void legend_add(plot *p, const char *label, uint32_t col, int kind)
{
    if (!label || p->nlegend >= (int)(sizeof p->labels / sizeof p->labels[0]))
        return;
    p->labels[p->nlegend] = label;
    p->colors[p->nlegend] = col;
    p->kinds[p->nlegend] = kind;
    p->nlegend++;
}

/* The legend goes to the frame corner where it hides the least data. */
static void plot_legend(plot *p)
{
    if (p->nlegend == 0)
        return;
    canvas *c = &p->c;
    frame *f = &p->f;
    int s = f->scale;
    int row_h = 11 * s, swatch = 14 * s, pad = 5 * s;
    int tw = 0;
    for (int i = 0; i < p->nlegend; i++)
        if (text_width(p->labels[i], s) > tw)
            tw = text_width(p->labels[i], s);
    int bw = pad + swatch + 4 * s + tw + pad;
    int bh = pad + p->nlegend * row_h - 4 * s + pad;
    int m = 6 * s;
    int xs[4] = {f->right - m - bw, f->left + m, f->right - m - bw, f->left + m};
    int ys[4] = {f->top + m, f->top + m, f->bottom - m - bh, f->bottom - m - bh};
    int best = 0;
    long best_ink = -1;
    for (int k = 0; k < 4; k++) {
        long ink = 0;
        for (int y = ys[k]; y < ys[k] + bh; y++)
            for (int x = xs[k]; x < xs[k] + bw; x++)
                if (x >= 0 && y >= 0 && x < c->w && y < c->h)
                    ink += c->ink[(size_t)y * (size_t)c->w + (size_t)x];
        if (best_ink < 0 || ink < best_ink) {
            best_ink = ink;
            best = k;
        }
    }
    int x0 = xs[best], y0 = ys[best];
    clip_all(c);
    fill_rect(c, x0, y0, x0 + bw - 1, y0 + bh - 1, COL_BG, 230);
    line(c, x0, y0, x0 + bw - 1, y0, COL_GRID_MAJOR, 1, 0);
    line(c, x0, y0 + bh - 1, x0 + bw - 1, y0 + bh - 1, COL_GRID_MAJOR, 1, 0);
    line(c, x0, y0, x0, y0 + bh - 1, COL_GRID_MAJOR, 1, 0);
    line(c, x0 + bw - 1, y0, x0 + bw - 1, y0 + bh - 1, COL_GRID_MAJOR, 1, 0);
    for (int i = 0; i < p->nlegend; i++) {
        int ty = y0 + pad + i * row_h;
        int mid = ty + text_height(s) / 2;
        if (p->kinds[i] == 1) {
            fill_rect(c, x0 + pad, ty, x0 + pad + swatch, ty + text_height(s),
                      p->colors[i], 90);
            line(c, x0 + pad, ty, x0 + pad + swatch, ty, p->colors[i], s, 0);
        } else {
            line(c, x0 + pad, mid, x0 + pad + swatch, mid, p->colors[i], 2 * s,
                 0);
        }
        draw_text(c, x0 + pad + swatch + 4 * s, ty, p->labels[i], COL_FG, s,
                  0);
    }
}

/* libpng reports errors through this; it must not return. */
static void png_error_cb(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static fp_status write_png(const canvas *c, const char *path)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return FP_ERR_IO;
    png_bytep *rows = malloc((size_t)c->h * sizeof *rows);
    png_structp png = NULL;
    png_infop info = NULL;
    fp_status st = FP_ERR_NO_MEMORY;
    if (!rows)
        goto done;
    for (int y = 0; y < c->h; y++)
        rows[y] = c->rgb + (size_t)y * (size_t)c->w * 3;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_error_cb,
                                  png_warning_cb);
    if (!png)
        goto done;
    info = png_create_info_struct(png);
    if (!info)
        goto done;
    /* Nothing below changes a local that is read after the longjmp. */
    if (setjmp(png_jmpbuf(png))) {
        st = FP_ERR_IO;
        goto done;
    }
    png_init_io(png, fp);
    png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, info);
    st = FP_OK;
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(rows);
    if (fclose(fp) != 0 && st == FP_OK)
        st = FP_ERR_IO;
    return st;
}

static fp_status plot_finish(plot *p, const char *path)
{
    plot_legend(p);
    fp_status st = write_png(&p->c, path);
    canvas_free(&p->c);
    return st;
}

static uint32_t pick_color(uint32_t requested, size_t index)
{
    return requested == FP_PLOT_AUTO ? palette[index % PALETTE_N]
                                     : (requested & 0xFFFFFF);
}

static int range_given(double lo, double hi)
{
    return isfinite(lo) && isfinite(hi) && lo < hi;
}

/* ------------------------------------------------------------------------ */
/* DET                                                                      */
/* ------------------------------------------------------------------------ */

fp_status fp_plot_det(const char *path, const fp_plot_options *options,
                      const fp_plot_det_curve *curves, size_t count)
{
    fp_plot_options defaults;
    fp_plot_options_init(&defaults);
    const fp_plot_options *o = options ? options : &defaults;
    if (!path || (count && !curves))
        return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < count; i++)
        if (curves[i].count && !curves[i].points)
            return FP_ERR_INVALID_ARGUMENT;
    if ((range_given(o->x_min, o->x_max) && o->x_min <= 0) ||
        (range_given(o->y_min, o->y_max) && o->y_min <= 0))
        return FP_ERR_INVALID_ARGUMENT;

    plot p;
    fp_status st = plot_begin(&p, o);
    if (st != FP_OK)
        return st;
    p.x = (axis){.lo = 1e-5, .hi = 1.0, .log = 1};
    p.y = (axis){.lo = 1e-3, .hi = 1.0, .log = 1};
    if (range_given(o->x_min, o->x_max)) {
        p.x.lo = o->x_min;
        p.x.hi = o->x_max;
    }
    if (range_given(o->y_min, o->y_max)) {
        p.y.lo = o->y_min;
        p.y.hi = o->y_max;
    }
    p.x_label = o->x_label ? o->x_label : "FMR (false match rate)";
    p.y_label = o->y_label ? o->y_label : "FNMR (false non-match rate)";
    plot_layout(&p);
    plot_clip_to_frame(&p);
    draw_grid(&p.c, &p.f, &p.x, 1);
    draw_grid(&p.c, &p.f, &p.y, 0);

    /* FMR = FNMR diagonal, sampled so it is straight on any log range. */
    double lo = fmin(p.x.lo, p.y.lo), hi = fmax(p.x.hi, p.y.hi);
    line(&p.c, axis_px(&p.x, lo), axis_px(&p.y, lo), axis_px(&p.x, hi),
         axis_px(&p.y, hi), COL_DIAGONAL, 1, 6);

    p.c.marking = 1;
    for (size_t i = 0; i < count; i++) {
        uint32_t col = pick_color(curves[i].color, i);
        const fp_eval_point *pts = curves[i].points;
        int have_prev = 0;
        double px = 0, py = 0;
        for (size_t k = 0; k < curves[i].count; k++) {
            if (isnan(pts[k].fmr) || isnan(pts[k].fnmr)) {
                have_prev = 0;
                continue;
            }
            double x = axis_px(&p.x, pts[k].fmr);
            double y = axis_px(&p.y, pts[k].fnmr);
            if (have_prev)
                line(&p.c, px, py, x, y, col, 2 * p.f.scale - 1, 0);
            else if (curves[i].count == 1)
                line(&p.c, x, y, x, y, col, 3 * p.f.scale, 0);
            px = x;
            py = y;
            have_prev = 1;
        }
        legend_add(&p, curves[i].label, col, 0);
    }
    p.c.marking = 0;
    plot_axes(&p);
    return plot_finish(&p, path);
}

/* ------------------------------------------------------------------------ */
/* Histogram                                                                */
/* ------------------------------------------------------------------------ */

static uint64_t total_of(const uint64_t *v, size_t n)
{
    uint64_t t = 0;
    for (size_t i = 0; v && i < n; i++)
        t += v[i];
    return t;
}

static void draw_bars(plot *p, const double *edges, size_t bins,
                      const uint64_t *counts, uint32_t col)
{
    uint64_t total = total_of(counts, bins);
    if (!counts || total == 0)
        return;
    /* Translucent fill first, then the outline as a step line on top. */
    for (size_t i = 0; i < bins; i++) {
        double frac = (double)counts[i] / (double)total;
        if (frac <= 0)
            continue;
        int x0 = (int)lround(axis_px(&p->x, edges[i]));
        int x1 = (int)lround(axis_px(&p->x, edges[i + 1]));
        int y = (int)lround(axis_px(&p->y, frac));
        fill_rect(&p->c, x0, y, x1, p->f.bottom, col, 70);
    }
    int t = p->f.scale;
    double prev_y = axis_px(&p->y, 0.0);
    for (size_t i = 0; i < bins; i++) {
        double frac = (double)counts[i] / (double)total;
        double x0 = axis_px(&p->x, edges[i]);
        double x1 = axis_px(&p->x, edges[i + 1]);
        double y = axis_px(&p->y, frac);
        line(&p->c, x0, prev_y, x0, y, col, t, 0);
        line(&p->c, x0, y, x1, y, col, t, 0);
        prev_y = y;
    }
    double xe = axis_px(&p->x, edges[bins]);
    line(&p->c, xe, prev_y, xe, axis_px(&p->y, 0.0), col, t, 0);
}

fp_status fp_plot_histogram(const char *path, const fp_plot_options *options,
                            const double *edges, size_t bins,
                            const uint64_t *genuine,
                            const uint64_t *impostor)
{
    fp_plot_options defaults;
    fp_plot_options_init(&defaults);
    const fp_plot_options *o = options ? options : &defaults;
    if (!path || !edges || bins == 0)
        return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i <= bins; i++)
        if (!isfinite(edges[i]) || (i && !(edges[i - 1] < edges[i])))
            return FP_ERR_INVALID_ARGUMENT;

    double ymax = 0;
    const uint64_t *sets[2] = {impostor, genuine};
    for (int k = 0; k < 2; k++) {
        uint64_t total = total_of(sets[k], bins);
        for (size_t i = 0; total && i < bins; i++)
            ymax = fmax(ymax, (double)sets[k][i] / (double)total);
    }
    if (ymax <= 0)
        ymax = 1.0;

    plot p;
    fp_status st = plot_begin(&p, o);
    if (st != FP_OK)
        return st;
    p.x = (axis){.lo = edges[0], .hi = edges[bins], .log = 0};
    if (range_given(o->x_min, o->x_max)) {
        p.x.lo = o->x_min;
        p.x.hi = o->x_max;
    }
    double ystep = nice_step(ymax * 1.05, 5);
    p.y = (axis){.lo = 0.0, .hi = ceil(ymax * 1.05 / ystep) * ystep, .log = 0};
    if (range_given(o->y_min, o->y_max)) {
        p.y.lo = o->y_min;
        p.y.hi = o->y_max;
    }
    p.x_label = o->x_label ? o->x_label : "score";
    p.y_label = o->y_label ? o->y_label : "fraction of comparisons";
    plot_layout(&p);
    plot_clip_to_frame(&p);
    draw_grid(&p.c, &p.f, &p.x, 1);
    draw_grid(&p.c, &p.f, &p.y, 0);

    p.c.marking = 1;
    draw_bars(&p, edges, bins, impostor, FP_PLOT_IMPOSTOR_COLOR);
    draw_bars(&p, edges, bins, genuine, FP_PLOT_GENUINE_COLOR);
    p.c.marking = 0;
    if (genuine)
        legend_add(&p, "genuine", FP_PLOT_GENUINE_COLOR, 1);
    if (impostor)
        legend_add(&p, "impostor", FP_PLOT_IMPOSTOR_COLOR, 1);
    plot_axes(&p);
    return plot_finish(&p, path);
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

/* Data span of one coordinate over all series; only positive values count
 * on a log axis. Returns 0 when there is no usable value. */
static int data_span(const fp_plot_series *series, size_t count, int use_y,
                     int log, double *lo, double *hi)
{
    int any = 0;
    for (size_t i = 0; i < count; i++) {
        const double *v = use_y ? series[i].y : series[i].x;
        for (size_t k = 0; k < series[i].count; k++) {
            if (!isfinite(v[k]) || (log && v[k] <= 0))
                continue;
            if (!any || v[k] < *lo)
                *lo = v[k];
            if (!any || v[k] > *hi)
                *hi = v[k];
            any = 1;
        }
    }
    return any;
}

static void auto_axis(axis *a, const fp_plot_series *series, size_t count,
                      int use_y, int log, double given_lo, double given_hi)
{
    a->log = log;
    if (range_given(given_lo, given_hi)) {
        a->lo = given_lo;
        a->hi = given_hi;
        return;
    }
    double lo = 0, hi = 0;
    if (!data_span(series, count, use_y, log, &lo, &hi)) {
        lo = log ? 1.0 : 0.0;
        hi = log ? 10.0 : 1.0;
    }
    if (log) {
        a->lo = pow(10.0, floor(log10(lo) + 1e-9));
        a->hi = pow(10.0, ceil(log10(hi) - 1e-9));
        if (a->hi <= a->lo)
            a->hi = a->lo * 10.0;
        return;
    }
    if (hi <= lo) {
        double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1.0;
        lo -= d;
        hi += d;
    }
    /* Start linear value axes at 0 when the data are all positive and not
     * far from it, which keeps latency plots honest. */
    if (lo > 0 && lo < (hi - lo))
        lo = 0;
    double step = nice_step(hi - lo, 6);
    a->lo = floor(lo / step + 1e-9) * step;
    a->hi = ceil(hi / step - 1e-9) * step;
}

fp_status fp_plot_lines(const char *path, const fp_plot_options *options,
                        const fp_plot_series *series, size_t count)
{
    fp_plot_options defaults;
    fp_plot_options_init(&defaults);
    const fp_plot_options *o = options ? options : &defaults;
    if (!path || (count && !series))
        return FP_ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < count; i++)
        if (series[i].count && (!series[i].x || !series[i].y))
            return FP_ERR_INVALID_ARGUMENT;
    if ((o->log_x && range_given(o->x_min, o->x_max) && o->x_min <= 0) ||
        (o->log_y && range_given(o->y_min, o->y_max) && o->y_min <= 0))
        return FP_ERR_INVALID_ARGUMENT;

    plot p;
    fp_status st = plot_begin(&p, o);
    if (st != FP_OK)
        return st;
    auto_axis(&p.x, series, count, 0, o->log_x != 0, o->x_min, o->x_max);
    auto_axis(&p.y, series, count, 1, o->log_y != 0, o->y_min, o->y_max);
    p.x_label = o->x_label;
    p.y_label = o->y_label;
    plot_layout(&p);
    plot_clip_to_frame(&p);
    draw_grid(&p.c, &p.f, &p.x, 1);
    draw_grid(&p.c, &p.f, &p.y, 0);

    p.c.marking = 1;
    int s = p.f.scale;
    for (size_t i = 0; i < count; i++) {
        uint32_t col = pick_color(series[i].color, i);
        int have_prev = 0;
        double px = 0, py = 0;
        for (size_t k = 0; k < series[i].count; k++) {
            if (!isfinite(series[i].x[k]) || !isfinite(series[i].y[k])) {
                have_prev = 0;
                continue;
            }
            double x = axis_px(&p.x, series[i].x[k]);
            double y = axis_px(&p.y, series[i].y[k]);
            if (have_prev)
                line(&p.c, px, py, x, y, col, 2 * s - 1, 0);
            if (o->markers || series[i].count == 1)
                fill_rect(&p.c, (int)lround(x) - 2 * s, (int)lround(y) - 2 * s,
                          (int)lround(x) + 2 * s, (int)lround(y) + 2 * s, col,
                          255);
            px = x;
            py = y;
            have_prev = 1;
        }
        legend_add(&p, series[i].label, col, 0);
    }
    p.c.marking = 0;
    plot_axes(&p);
    return plot_finish(&p, path);
}
