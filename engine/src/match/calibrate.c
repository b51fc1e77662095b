/*
 * Score calibration: raw similarity -> -10 log10(FMR). The table is fitted
 * on impostor comparisons (docs/calibration.md, `fpbench calibrate`);
 * between knots the score is interpolated linearly, beyond the last knot
 * extrapolated along the fitted exponential tail.
 */
#include <math.h>

#include "match.h"

/*
 * Knots: raw score at which the measured impostor FMR equals
 * 10^(-score/10). Fitted on the 17,280 all-pairs impostor comparisons of
 * the six public FVC B sets (fpbench calibrate, docs/matcher.md). Up to
 * score 25 (FMR 0.3 %, 55 impostors above) the knots are the empirical
 * quantiles; beyond, where too few impostors remain, the tail continues
 * along a least-squares line through the quantiles at scores 15..35.
 */
static const struct {
    uint32_t raw;
    float score;
} knots[] = {
    {0, 0.0f}, {110, 5.0f}, {173, 10.0f}, {234, 15.0f}, {290, 20.0f}, {349, 25.0f},
};
#define TAIL_SLOPE 0.0783f /* score per raw unit beyond the last knot */

float fpi_calibrate(uint32_t raw)
{
    const int n = (int)(sizeof(knots) / sizeof(knots[0]));
    for (int i = 1; i < n; i++)
        if (raw <= knots[i].raw) {
            float t = (float)(raw - knots[i - 1].raw) / (float)(knots[i].raw - knots[i - 1].raw);
            return knots[i - 1].score + t * (knots[i].score - knots[i - 1].score);
        }
    return knots[n - 1].score + TAIL_SLOPE * (float)(raw - knots[n - 1].raw);
}

double fp_score_to_fmr(float score)
{
    if (score <= 0) return 1.0;
    return pow(10.0, -score / 10.0);
}
