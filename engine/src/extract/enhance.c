/*
 * Contextual filtering. The image is normalised locally to zero mean and
 * unit contrast, then every 8x8 block is convolved with an even-symmetric
 * Gabor filter tuned to the block's ridge direction and period (Hong, Wan
 * and Jain 1998): a Gaussian envelope elongated along the ridge times a
 * cosine across it, made zero-mean so flat areas give zero. Filters come
 * from a bank quantised to FPI_ORI_BINS directions and integer periods,
 * in Q12 fixed point, so every SIMD level computes identical results.
 *
 * The first filtering uses the orientation and period measured on the
 * image itself; fpi_refine then measures both again on the enhanced image,
 * where noise, pores, dots of dry skin and smudges have mostly been
 * replaced by ridges, and filters the normalised image again with them.
 */
#include <math.h>
#include <string.h>

#include "extract.h"

_Static_assert(FPI_ORI_BINS * FPI_PERIOD_BINS <= 256, "filter_id holds a bank index in a byte");

#define SIGMA_ALONG 4.5
#define SIGMA_ACROSS_PER_PERIOD 0.42

void fpi_filter_bank_build(int16_t *bank)
{
    for (int o = 0; o < FPI_ORI_BINS; o++) {
        double th = M_PI * o / FPI_ORI_BINS;
        double c = cos(th), s = sin(th);
        for (int p = 0; p < FPI_PERIOD_BINS; p++) {
            double period = FPI_PERIOD_MIN + p;
            double sa = SIGMA_ALONG, sc = SIGMA_ACROSS_PER_PERIOD * period;
            if (sc < 2.2) sc = 2.2;
            double g[FPI_FILTER_ROWS][FPI_FILTER_ROWS], env[FPI_FILTER_ROWS][FPI_FILTER_ROWS];
            double gs = 0, es = 0;
            for (int y = -FPI_FILTER_R; y <= FPI_FILTER_R; y++)
                for (int x = -FPI_FILTER_R; x <= FPI_FILTER_R; x++) {
                    double u = x * c + y * s;  /* along the ridge */
                    double v = -x * s + y * c; /* across */
                    double e = exp(-u * u / (2 * sa * sa) - v * v / (2 * sc * sc));
                    env[y + FPI_FILTER_R][x + FPI_FILTER_R] = e;
                    g[y + FPI_FILTER_R][x + FPI_FILTER_R] = e * cos(2 * M_PI * v / period);
                    gs += g[y + FPI_FILTER_R][x + FPI_FILTER_R];
                    es += e;
                }
            /* Zero mean, then unit gain on an ideal sinusoid of this period. */
            double gain = 0;
            for (int y = -FPI_FILTER_R; y <= FPI_FILTER_R; y++)
                for (int x = -FPI_FILTER_R; x <= FPI_FILTER_R; x++) {
                    double v = -x * s + y * c;
                    double *k = &g[y + FPI_FILTER_R][x + FPI_FILTER_R];
                    *k -= env[y + FPI_FILTER_R][x + FPI_FILTER_R] * gs / es;
                    gain += *k * cos(2 * M_PI * v / period);
                }
            int16_t *out = bank + ((size_t)o * FPI_PERIOD_BINS + p) * FPI_FILTER_TAPS;
            for (int r = 0; r < FPI_FILTER_ROWS; r++) {
                for (int col = 0; col < FPI_FILTER_ROWS; col++)
                    out[r * FPI_FILTER_COLS + col] = (int16_t)lrint(g[r][col] / gain * (1 << FPI_FILTER_SHIFT));
                out[r * FPI_FILTER_COLS + FPI_FILTER_ROWS] = 0;
            }
        }
    }
}

/*
 * Normalises n pixels of a row from the horizontally interpolated block
 * mean and deviation of the block rows above (a) and below (b). The float
 * operations are those of the per-pixel formula; written so the compiler
 * can vectorise the loop without changing a result: the clamp of d
 * compares bit patterns (ordered like the values for every non-NaN float
 * against a positive bound), and v is clamped after rounding, which gives
 * the same integer since the bounds are integers (|v| <= 255 * 80 / 6, far
 * below 2^22, where adding 1.5 * 2^23 rounds to nearest, ties to even,
 * exactly as lrintf). Float comparisons would keep the loop scalar.
 */
static void norm_run(const uint8_t *src, const float *ma, const float *da, const float *mb, const float *db,
                     float wy0, float wy, int16_t *dst, int n)
{
    const float dmin = 6.0f;
    int32_t dmin_bits;
    memcpy(&dmin_bits, &dmin, sizeof(dmin_bits));
    for (int x = 0; x < n; x++) {
        float m = ma[x] * wy0 + mb[x] * wy;
        float d = da[x] * wy0 + db[x] * wy;
        int32_t d_bits;
        memcpy(&d_bits, &d, sizeof(d_bits));
        d_bits = d_bits < dmin_bits ? dmin_bits : d_bits;
        memcpy(&d, &d_bits, sizeof(d));
        float v = ((float)src[x] - m) * 80.0f / d;
        int r = (int)((v + 12582912.0f) - 12582912.0f);
        r = r < -255 ? -255 : r;
        r = r > 255 ? 255 : r;
        dst[x] = (int16_t)r;
    }
}

void fpi_normalize(fpi_workspace *ws)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh;
    const int s = (int)ws->stride;
    float *mean = ws->tmp_a, *sd = ws->tmp_b;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float m = 0, v = 0;
            int c = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int yy = FPI_CLAMP(y + dy, 0, bh - 1), xx = FPI_CLAMP(x + dx, 0, bw - 1);
                    int j = yy * bw + xx;
                    m += ws->bmean[j];
                    v += ws->bstd[j] * ws->bstd[j] + ws->bmean[j] * ws->bmean[j];
                    c++;
                }
            m /= (float)c;
            v = v / (float)c - m * m;
            mean[y * bw + x] = m;
            sd[y * bw + x] = sqrtf(v > 1.0f ? v : 1.0f);
        }
    /* Clear the used area including the padding the filter reads. */
    int pw = bw * FPI_BLOCK + 2 * FPI_PAD, ph = bh * FPI_BLOCK + 2 * FPI_PAD;
    for (int y = 0; y < ph; y++) memset(ws->norm_buf + (size_t)y * s, 0, (size_t)pw * sizeof(int16_t));
    /*
     * Bilinear interpolation of the block mean and deviation between block
     * centres. The horizontal weights depend on x only and the horizontal
     * interpolation on the block row only, so both are computed once (in
     * ws->stack, free at this stage) and each pixel does the remaining
     * vertical step with the same float operations in the same order.
     */
    const int w = (int)ws->w, h = (int)ws->h;
    float *wx1 = (float *)(void *)ws->stack, *wx0 = wx1 + w;
    int32_t *xa = ws->stack + 2 * w, *xb = xa + w;
    float *row_m[2] = {(float *)(void *)(xb + w), (float *)(void *)(xb + 2 * w)};
    float *row_d[2] = {(float *)(void *)(xb + 3 * w), (float *)(void *)(xb + 4 * w)};
    int row_of[2] = {-1, -1};
    for (int x = 0; x < w; x++) {
        float fx = ((float)x + 0.5f) / FPI_BLOCK - 0.5f;
        int x0 = (int)floorf(fx);
        wx1[x] = fx - (float)x0;
        wx0[x] = 1 - wx1[x];
        xa[x] = FPI_CLAMP(x0, 0, bw - 1);
        xb[x] = FPI_CLAMP(x0 + 1, 0, bw - 1);
    }
    for (int y = 0; y < h; y++) {
        float fy = ((float)y + 0.5f) / FPI_BLOCK - 0.5f;
        int y0 = (int)floorf(fy);
        float wy = fy - (float)y0, wy0 = 1 - wy;
        int ya = FPI_CLAMP(y0, 0, bh - 1), yb = FPI_CLAMP(y0 + 1, 0, bh - 1);
        /* Horizontal interpolation of block rows ya and yb, kept while they stay in use. */
        const float *ma = NULL, *da = NULL, *mb = NULL, *db = NULL;
        for (int r = 0; r < 2; r++) {
            const int want = r ? yb : ya;
            int slot = row_of[0] == want ? 0 : row_of[1] == want ? 1 : -1;
            if (slot < 0) {
                /* Keep the slot the other row needs. */
                slot = row_of[0] == (r ? ya : yb) ? 1 : 0;
                const float *bm = mean + want * bw, *bd = sd + want * bw;
                float *om = row_m[slot], *od = row_d[slot];
                for (int x = 0; x < w; x++) {
                    om[x] = bm[xa[x]] * wx0[x] + bm[xb[x]] * wx1[x];
                    od[x] = bd[xa[x]] * wx0[x] + bd[xb[x]] * wx1[x];
                }
                row_of[slot] = want;
            }
            if (r) {
                mb = row_m[slot];
                db = row_d[slot];
            } else {
                ma = row_m[slot];
                da = row_d[slot];
            }
        }
        const uint8_t *src = ws->img + y * s;
        const uint8_t *fm = ws->fmask + (y / FPI_BLOCK) * bw;
        int16_t *dst = ws->norm + y * s;
        /* Runs of filtered blocks; the others stay cleared. */
        for (int bx = 0; bx < bw;) {
            if (!fm[bx]) {
                bx++;
                continue;
            }
            const int x1 = bx * FPI_BLOCK;
            while (bx < bw && fm[bx]) bx++;
            const int x2 = bx * FPI_BLOCK < w ? bx * FPI_BLOCK : w;
            norm_run(src + x1, ma + x1, da + x1, mb + x1, db + x1, wy0, wy, dst + x1, x2 - x1);
        }
    }
}

void fpi_enhance(fpi_workspace *ws, const fpi_kernels *k, int again)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh;
    const ptrdiff_t s = ws->stride;
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            int i = by * bw + bx;
            int16_t *dst = ws->enh + by * FPI_BLOCK * s + bx * FPI_BLOCK;
            if (!ws->fmask[i]) {
                if (!again)
                    for (int y = 0; y < FPI_BLOCK; y++) memset(dst + y * s, 0, FPI_BLOCK * sizeof(int16_t));
                continue;
            }
            int o = (int)lrintf(ws->ori[i] * FPI_ORI_BINS / (float)M_PI) % FPI_ORI_BINS;
            int p = FPI_CLAMP((int)lrintf(ws->period[i]) - FPI_PERIOD_MIN, 0, FPI_PERIOD_BINS - 1);
            /* The output depends on the normalised image and the filter only:
             * a block whose filter did not change since the last call keeps it. */
            const uint8_t id = (uint8_t)(o * FPI_PERIOD_BINS + p);
            if (again && ws->filter_id[i] == id) continue;
            ws->filter_id[i] = id;
            const int16_t *kern = ws->bank + ((size_t)id * FPI_FILTER_TAPS);
            k->filter_block8(ws->norm + by * FPI_BLOCK * s + bx * FPI_BLOCK, s, kern, dst, s, FPI_FILTER_SHIFT);
        }
}

/*
 * Passes of fpi_refine. Measured on the six FVC B sets (mean all-pairs
 * EER): none 2.88 %, one 2.47 %, two 2.06 %, three 1.76 %, four 1.95 %
 * (docs/extraction.md).
 */
#define REFINE_PASSES 3

/*
 * The enhanced image as 8-bit grey levels in the skeleton plane (free until
 * binarisation): 128 + enh / 2, and 128 (no signal) outside the filtered
 * blocks and in the padding, which every later reader may reach.
 */
static void enhanced_plane(fpi_workspace *ws)
{
    const ptrdiff_t s = ws->stride;
    const int ew = (int)ws->bw * FPI_BLOCK, eh = (int)ws->bh * FPI_BLOCK;
    for (int y = -FPI_PAD; y < eh + FPI_PAD; y++) {
        uint8_t *row = ws->skel + y * s;
        if (y < 0 || y >= eh) {
            memset(row - FPI_PAD, 128, (size_t)(ew + 2 * FPI_PAD));
            continue;
        }
        const int16_t *e = ws->enh + y * s;
        memset(row - FPI_PAD, 128, FPI_PAD);
        memset(row + ew, 128, FPI_PAD);
        for (int x = 0; x < ew; x++) {
            const int v = 128 + e[x] / 2;
            row[x] = (uint8_t)FPI_CLAMP(v, 0, 255);
        }
    }
}

/* Whether a block's tensor is read by the orientation: a filtered block
 * within one block (the orientation sums tensors over 3 x 3 blocks). */
static int tensor_needed(const fpi_workspace *ws, int x, int y)
{
    const int bw = (int)ws->bw, bh = (int)ws->bh;
    for (int yy = FPI_MAX(y - 1, 0); yy <= FPI_MIN(y + 1, bh - 1); yy++)
        for (int xx = FPI_MAX(x - 1, 0); xx <= FPI_MIN(x + 1, bw - 1); xx++)
            if (ws->fmask[yy * bw + xx]) return 1;
    return 0;
}

void fpi_refine(fpi_workspace *ws, const fpi_kernels *k)
{
    const ptrdiff_t s = ws->stride;
    /* The image's own coherence tells its quality: filtering puts ridges
     * into noise too. */
    memcpy(ws->coh_raw, ws->coh, (size_t)ws->bw * ws->bh * sizeof(float));
    for (int pass = 0; pass < REFINE_PASSES; pass++) {
        enhanced_plane(ws);
        for (uint32_t by = 0; by < ws->bh; by++)
            for (uint32_t bx = 0; bx < ws->bw; bx++)
                if (tensor_needed(ws, (int)bx, (int)by))
                    k->tensor_block8(ws->skel + (ptrdiff_t)by * FPI_BLOCK * s + bx * FPI_BLOCK, s,
                                     ws->tensor + 3 * ((size_t)by * ws->bw + bx));
        fpi_orientation(ws);
        /* The period once, from the first enhanced image: later passes
         * would mostly measure the filters' own period. */
        if (pass == 0) fpi_frequency(ws, ws->skel);
        fpi_enhance(ws, k, 1);
    }
}

void fpi_binarize(fpi_workspace *ws)
{
    const int bw = (int)ws->bw;
    const int s = (int)ws->stride;
    int pw = bw * FPI_BLOCK + 2 * FPI_PAD, ph = (int)ws->bh * FPI_BLOCK + 2 * FPI_PAD;
    for (int y = 0; y < ph; y++) memset(ws->skel_buf + (size_t)y * s, 0, (size_t)pw);
    for (int y = 0; y < (int)ws->h; y++)
        for (int x = 0; x < (int)ws->w; x++) {
            if (!ws->mask[(y / FPI_BLOCK) * bw + x / FPI_BLOCK]) continue;
            /* Dark ridges: the filter answers negatively on a ridge centre. */
            ws->skel[y * s + x] = ws->enh[y * s + x] < 0;
        }
}
