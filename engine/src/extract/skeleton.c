/*
 * Thinning of the binary ridge map to one-pixel-wide, 8-connected ridge
 * lines. Two-subiteration parallel thinning (Zhang and Suen 1984), then one
 * sequential pass that removes the remaining "staircase" pixels: simple
 * points (Yokoi connectivity number 1) that are not line ends, so every
 * ridge pixel has exactly two neighbours except at endings and
 * bifurcations, which the crossing number then finds reliably.
 *
 * The rules are stated once as lookup tables (fpi_thin_tables). Thinning
 * itself runs on a bit-packed copy of the map and evaluates the same rules
 * with bitwise logic, 64 pixels per word (zs_word, simple_word); the two
 * agree on all 512 neighbourhoods, so the skeleton is the one the tables
 * give pixel by pixel.
 */
#include <string.h>

#include "extract.h"

/* Neighbour bit k is ring position P(k+2): N, NE, E, SE, S, SW, W, NW. */
static const int ring_dx[8] = {0, 1, 1, 1, 0, -1, -1, -1};
static const int ring_dy[8] = {-1, -1, 0, 1, 1, 1, 0, -1};

static int bit(unsigned cfg, int k)
{
    return (int)((cfg >> (k & 7)) & 1u);
}

void fpi_thin_tables(fpi_workspace *ws)
{
    for (unsigned cfg = 0; cfg < 256; cfg++) {
        int b = 0, a = 0;
        for (int k = 0; k < 8; k++) {
            b += bit(cfg, k);
            a += !bit(cfg, k) && bit(cfg, k + 1);
        }
        int p2 = bit(cfg, 0), p4 = bit(cfg, 2), p6 = bit(cfg, 4), p8 = bit(cfg, 6);
        int base = b >= 2 && b <= 6 && a == 1;
        ws->zs_del[0][cfg] = (uint8_t)(base && !(p2 && p4 && p6) && !(p4 && p6 && p8));
        ws->zs_del[1][cfg] = (uint8_t)(base && !(p2 && p4 && p8) && !(p2 && p6 && p8));
        /* Yokoi 8-connectivity number over x1..x8 = E, NE, N, NW, W, SW, S, SE. */
        int x[9];
        static const int order[8] = {2, 1, 0, 7, 6, 5, 4, 3};
        for (int k = 0; k < 8; k++) x[k] = !bit(cfg, order[k]);
        x[8] = x[0];
        int n8 = 0;
        for (int k = 0; k < 8; k += 2) n8 += x[k] - x[k] * x[k + 1] * x[(k + 2) & 7];
        ws->simple[cfg] = (uint8_t)(n8 == 1 && b >= 2);
    }
}

static unsigned neighbours(const uint8_t *p, int s)
{
    unsigned cfg = 0;
    for (int k = 0; k < 8; k++) cfg |= (unsigned)(p[ring_dy[k] * s + ring_dx[k]] != 0) << k;
    return cfg;
}

static int any8(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v != 0;
}

/* Bit x of a packed row is pixel x - 64: word 0 and the last word stay clear. */
static void pack_row(const uint8_t *row, int w, uint64_t *out, int words)
{
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7Full, hi = 0x8080808080808080ull;
    for (int k = 0; k < words; k++) out[k] = 0;
    for (int x = 0; x < w; x += 8) {
        uint64_t v;
        memcpy(&v, row + x, sizeof(v)); /* may read into the padding, masked below */
        v = (((v & lo7) + lo7) | v) & hi; /* 0x80 in every non-zero byte */
        uint64_t bits = ((v >> 7) * 0x0102040810204080ull) >> 56;
        if (w - x < 8) bits &= (1u << (w - x)) - 1u;
        out[1 + (x >> 6)] |= bits << (x & 63);
    }
}

/*
 * Zhang-Suen verdicts of 64 pixels at once: c, u and d are the words of the
 * row and of the rows above and below, with their left (l) and right (r)
 * neighbour words for the bits that cross word boundaries. Computes what
 * zs_del[pass] says for every pixel: 2 <= B <= 6, exactly one 0 -> 1
 * transition around the ring, and the pass's own two conditions.
 */
static uint64_t zs_word(uint64_t ul, uint64_t u, uint64_t ur, uint64_t cl, uint64_t c, uint64_t cr, uint64_t dl,
                        uint64_t d, uint64_t dr, int pass)
{
    const uint64_t n = u, s = d;
    const uint64_t e = c >> 1 | cr << 63, wv = c << 1 | cl >> 63;
    const uint64_t ne = u >> 1 | ur << 63, nw = u << 1 | ul >> 63;
    const uint64_t se = d >> 1 | dr << 63, sw = d << 1 | dl >> 63;
    const uint64_t ring[9] = {n, ne, e, se, s, sw, wv, nw, n};
    /* At least one / at least two of: neighbours set, neighbours clear, transitions. */
    uint64_t on1 = 0, on2 = 0, off1 = 0, off2 = 0, t1 = 0, t2 = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t r = ring[k], t = ~ring[k] & ring[k + 1];
        on2 |= on1 & r;
        on1 |= r;
        off2 |= off1 & ~r;
        off1 |= ~r;
        t2 |= t1 & t;
        t1 |= t;
    }
    uint64_t keep = pass == 0 ? (n & e & s) | (e & s & wv) : (n & e & wv) | (n & s & wv);
    return c & on2 & off2 & t1 & ~t2 & ~keep;
}

/*
 * What ws->simple says for 64 pixels at once (same word layout as zs_word):
 * at least two neighbours and Yokoi 8-connectivity number 1, the number of
 * 4-neighbours x_k clear whose ring successors x_k+1 and x_k+2 are not
 * both clear (x = complement, k over E, N, W, S, ring E NE N NW W SW S SE).
 */
static uint64_t simple_word(uint64_t ul, uint64_t u, uint64_t ur, uint64_t cl, uint64_t c, uint64_t cr, uint64_t dl,
                            uint64_t d, uint64_t dr)
{
    const uint64_t n = u, s = d;
    const uint64_t e = c >> 1 | cr << 63, wv = c << 1 | cl >> 63;
    const uint64_t ne = u >> 1 | ur << 63, nw = u << 1 | ul >> 63;
    const uint64_t se = d >> 1 | dr << 63, sw = d << 1 | dl >> 63;
    const uint64_t ring[8] = {n, ne, e, se, s, sw, wv, nw};
    uint64_t on1 = 0, on2 = 0;
    for (int k = 0; k < 8; k++) {
        on2 |= on1 & ring[k];
        on1 |= ring[k];
    }
    const uint64_t t[4] = {~e & (ne | n), ~n & (nw | wv), ~wv & (sw | s), ~s & (se | e)};
    uint64_t t1 = 0, t2 = 0;
    for (int k = 0; k < 4; k++) {
        t2 |= t1 & t[k];
        t1 |= t[k];
    }
    return c & on2 & t1 & ~t2;
}

/*
 * The sequential staircase removal on the bits, in raster order: a deletion
 * is seen by every pixel after it. Within a row a deletion only changes the
 * verdict of the next pixel, so the verdicts of a word are computed at
 * once and only the one after each deletion is computed again.
 */
static void remove_staircase(uint64_t *bits, int words, int rows)
{
    for (int y = 1; y < rows - 1; y++) {
        const uint64_t *u = bits + (size_t)(y - 1) * words, *d = u + 2 * words;
        uint64_t *c = bits + (size_t)y * words;
        for (int k = 1; k < words - 1; k++) {
            if (!c[k]) continue;
            uint64_t todo = simple_word(u[k - 1], u[k], u[k + 1], c[k - 1], c[k], c[k + 1], d[k - 1], d[k], d[k + 1]);
            while (todo) {
                const uint64_t low = todo & (~todo + 1);
                c[k] &= ~low;
                todo &= ~low;
                const uint64_t next = low << 1; /* zero after bit 63: the next word sees c[k] as it is now */
                if (next & c[k]) {
                    uint64_t v = simple_word(u[k - 1], u[k], u[k + 1], c[k - 1], c[k], c[k + 1], d[k - 1], d[k], d[k + 1]);
                    todo = (todo & ~next) | (v & next);
                }
            }
        }
    }
}

/*
 * Two-subiteration Zhang-Suen on a bit-packed copy of the map, 64 pixels per
 * word. A pixel's verdict under one table only changes when a neighbour was
 * deleted after it was last judged under that table, so after the first two
 * subiterations only words next to a word that lost pixels in one of the two
 * previous subiterations are judged again; the result is the same as
 * judging every pixel every time. Each row's deletions are applied once the
 * row below has been judged, so all verdicts of a subiteration see the map
 * as it was when the subiteration began.
 */
static void zhang_suen_staircase(uint8_t *img, int s, int w, int h, uint64_t *mem)
{
    const int words = (w + 63) / 64 + 2, rows = h + 2;
    uint64_t *bits = mem;                           /* rows x words, row 0 is y = -1 */
    uint64_t *prev = bits + (size_t)rows * words;   /* deletions waiting for row y - 1 */
    uint64_t *cur = prev + words;                   /* deletions of row y */
    int32_t *when = (int32_t *)(void *)(cur + words); /* last subiteration a word lost pixels */
    for (int k = 0; k < words; k++) bits[k] = bits[(size_t)(rows - 1) * words + k] = 0;
    for (int y = 0; y < h; y++) pack_row(img + y * s, w, bits + (size_t)(y + 1) * words, words);
    for (int i = 0; i < rows * words; i++) when[i] = -8;
    int quiet = 0;
    for (int it = 0; quiet < 2; it++) {
        int deleted = 0;
        for (int k = 0; k < words; k++) prev[k] = 0;
        for (int y = 1; y < rows - 1; y++) {
            const uint64_t *u = bits + (size_t)(y - 1) * words, *c = u + words, *d = c + words;
            const int32_t *wu = when + (size_t)(y - 1) * words, *wc = wu + words, *wd = wc + words;
            for (int k = 1; k < words - 1; k++) {
                cur[k] = 0;
                if (!c[k]) continue;
                if (it >= 2) {
                    int last = wu[k - 1];
                    for (int j = k - 1; j <= k + 1; j++) {
                        last = wu[j] > last ? wu[j] : last;
                        last = wc[j] > last ? wc[j] : last;
                        last = wd[j] > last ? wd[j] : last;
                    }
                    if (last < it - 2) continue;
                }
                cur[k] = zs_word(u[k - 1], u[k], u[k + 1], c[k - 1], c[k], c[k + 1], d[k - 1], d[k], d[k + 1], it & 1);
            }
            /* Row y - 1 is no longer read by this subiteration. */
            uint64_t *up = bits + (size_t)(y - 1) * words;
            int32_t *wup = when + (size_t)(y - 1) * words;
            for (int k = 1; k < words - 1; k++) {
                if (prev[k]) {
                    up[k] &= ~prev[k];
                    wup[k] = it;
                    deleted = 1;
                }
                prev[k] = cur[k];
            }
        }
        uint64_t *last_row = bits + (size_t)(rows - 2) * words;
        int32_t *wlast = when + (size_t)(rows - 2) * words;
        for (int k = 1; k < words - 1; k++)
            if (prev[k]) {
                last_row[k] &= ~prev[k];
                wlast[k] = it;
                deleted = 1;
            }
        quiet = deleted ? 0 : quiet + 1;
    }
    remove_staircase(bits, words, rows);
    /* Write the deletions back: a pixel set in the map and clear in the bits. */
    for (int y = 0; y < h; y++) {
        uint8_t *row = img + y * s;
        const uint64_t *b = bits + (size_t)(y + 1) * words;
        for (int x0 = 0; x0 < w; x0 += 8) {
            if (!any8(row + x0)) continue;
            unsigned keep = (unsigned)(b[1 + (x0 >> 6)] >> (x0 & 63)) & 0xFFu;
            int end = x0 + 8 < w ? x0 + 8 : w;
            for (int x = x0; x < end; x++)
                if (!((keep >> (x - x0)) & 1u)) row[x] = 0;
        }
    }
}

void fpi_thin(fpi_workspace *ws)
{
    zhang_suen_staircase(ws->skel, (int)ws->stride, (int)ws->w, (int)ws->h, (uint64_t *)(void *)ws->stack);
}

/* Crossing number: number of 0 -> 1 transitions around the pixel. */
int fpi_crossing(const uint8_t *p, int s)
{
    unsigned cfg = neighbours(p, s);
    int a = 0;
    for (int k = 0; k < 8; k++) a += !bit(cfg, k) && bit(cfg, k + 1);
    return a;
}
