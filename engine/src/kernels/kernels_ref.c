/* Scalar reference kernels: the definition every SIMD level must match. */
#include <stdlib.h>

#include "kernels.h"
#include "kernels_pcode.h"

static int16_t sat16(int32_t v)
{
    return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static void filter_block8_ref(const int16_t *src, ptrdiff_t src_stride, const int16_t *kernel, int16_t *dst,
                              ptrdiff_t dst_stride, int shift)
{
    const int32_t round = 1 << (shift - 1);
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            int32_t acc = 0;
            for (int r = 0; r < FPI_FILTER_ROWS; r++) {
                const int16_t *row = src + (y + r - FPI_FILTER_R) * src_stride + x - FPI_FILTER_R;
                const int16_t *k = kernel + r * FPI_FILTER_COLS;
                for (int c = 0; c < FPI_FILTER_COLS; c++) acc += (int32_t)row[c] * k[c];
            }
            dst[y * dst_stride + x] = sat16((acc + round) >> shift);
        }
    }
}

static void tensor_block8_ref(const uint8_t *src, ptrdiff_t stride, int32_t out[3])
{
    int32_t sxx = 0, syy = 0, sxy = 0;
    for (int y = 0; y < 8; y++) {
        const uint8_t *u = src + (y - 1) * stride;
        const uint8_t *m = src + y * stride;
        const uint8_t *d = src + (y + 1) * stride;
        for (int x = 0; x < 8; x++) {
            int32_t gx = (u[x + 1] - u[x - 1]) + 2 * (m[x + 1] - m[x - 1]) + (d[x + 1] - d[x - 1]);
            int32_t gy = (d[x - 1] - u[x - 1]) + 2 * (d[x] - u[x]) + (d[x + 1] - u[x + 1]);
            sxx += gx * gx;
            syy += gy * gy;
            sxy += gx * gy;
        }
    }
    out[0] = sxx;
    out[1] = syy;
    out[2] = sxy;
}

static int edge_scan_ref(const uint8_t *r, const uint8_t *o, const uint16_t *lo, const uint16_t *hi, const uint8_t *dr,
                         const uint8_t *dor, int nq, uint8_t lim, uint32_t *out, int cap)
{
    int c = 0;
    for (int i = 0; i < nq; i++)
        for (int q = lo[i]; q < hi[i]; q++)
            if ((uint8_t)(r[q] + dr[i]) <= lim && (uint8_t)(o[q] + dor[i]) <= lim) {
                if (c == cap) return c;
                out[c++] = (uint32_t)q << 16 | (uint32_t)i;
            }
    return c;
}

static int pair_scan_ref(const fpi_pair_query *q, uint16_t *out)
{
    int c = 0;
    for (int j = 0; j < q->n; j++) {
        const int end = q->band_start[q->bhi[j]];
        for (int k = q->band_start[q->blo[j]]; k < end; k++)
            if (q->xlo[j] < q->bx[k] && q->bx[k] < q->xhi[j] && q->ylo[j] < q->by[k] && q->by[k] < q->yhi[j])
                out[c++] = (uint16_t)(j << 8 | k);
    }
    return c;
}

/* round(2 * 65535 * 256 / s): Dice = |a&b| * recip[|a|+|b|] >> 8, in 1/65535. */
const uint32_t fpi_pcode_recip[257] = {
    0, 33553920, 16776960, 11184640, 8388480, 6710784, 5592320, 4793417,
    4194240, 3728213, 3355392, 3050356, 2796160, 2581071, 2396709, 2236928,
    2097120, 1973760, 1864107, 1765996, 1677696, 1597806, 1525178, 1458866,
    1398080, 1342157, 1290535, 1242738, 1198354, 1157032, 1118464, 1082385,
    1048560, 1016785, 986880, 958683, 932053, 906863, 882998, 860357,
    838848, 818388, 798903, 780324, 762589, 745643, 729433, 713913,
    699040, 684774, 671078, 657920, 645268, 633093, 621369, 610071,
    599177, 588665, 578516, 568711, 559232, 550064, 541192, 532602,
    524280, 516214, 508393, 500805, 493440, 486289, 479342, 472590,
    466027, 459643, 453431, 447386, 441499, 435765, 430178, 424733,
    419424, 414246, 409194, 404264, 399451, 394752, 390162, 385677,
    381295, 377010, 372821, 368724, 364717, 360795, 356957, 353199,
    349520, 345917, 342387, 338928, 335539, 332217, 328960, 325766,
    322634, 319561, 316546, 313588, 310684, 307834, 305036, 302288,
    299589, 296937, 294333, 291773, 289258, 286786, 284355, 281966,
    279616, 277305, 275032, 272796, 270596, 268431, 266301, 264204,
    262140, 260108, 258107, 256137, 254196, 252285, 250402, 248548,
    246720, 244919, 243144, 241395, 239671, 237971, 236295, 234643,
    233013, 231406, 229821, 228258, 226716, 225194, 223693, 222211,
    220749, 219307, 217883, 216477, 215089, 213719, 212367, 211031,
    209712, 208409, 207123, 205852, 204597, 203357, 202132, 200922,
    199726, 198544, 197376, 196222, 195081, 193953, 192839, 191737,
    190647, 189570, 188505, 187452, 186411, 185381, 184362, 183355,
    182358, 181373, 180397, 179433, 178478, 177534, 176600, 175675,
    174760, 173855, 172958, 172071, 171193, 170324, 169464, 168613,
    167770, 166935, 166109, 165290, 164480, 163678, 162883, 162096,
    161317, 160545, 159781, 159023, 158273, 157530, 156794, 156065,
    155342, 154626, 153917, 153214, 152518, 151828, 151144, 150466,
    149794, 149129, 148469, 147815, 147166, 146524, 145887, 145255,
    144629, 144008, 143393, 142783, 142178, 141578, 140983, 140393,
    139808, 139228, 138653, 138082, 137516, 136955, 136398, 135846,
    135298, 134755, 134216, 133681, 133150, 132624, 132102, 131584,
    131070,
};

FPI_STAGE1_BLOCK_FN(stage1_block_body, scode_best_body)

const fpi_kernels fpi_kernels_ref = {filter_block8_ref, tensor_block8_ref, scode_best_body, edge_scan_ref,
                                     pair_scan_ref, stage1_block_body};
