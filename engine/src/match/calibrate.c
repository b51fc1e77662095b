/*
 * Score calibration: raw similarity -> -10 log10(FMR). The table is fitted
 * on impostor comparisons (docs/calibration.md, `fpbench calibrate`);
 * between knots the score is interpolated linearly, beyond the last knot
 * extrapolated along the fitted exponential tail.
 */
#include <math.h>

#include "match.h"

/* Knots: raw score at which the measured FMR equals 10^(-score/10). */
static const struct {
    uint32_t raw;
    float score;
} knots[] = {
    {0, 0.0f},
    {100, 1.0f},
    {300, 5.0f},
    {600, 10.0f},
    {1000, 20.0f},
    {1500, 30.0f},
    {2000, 40.0f},
};

float fpi_calibrate(uint32_t raw)
{
    const int n = (int)(sizeof(knots) / sizeof(knots[0]));
    for (int i = 1; i < n; i++)
        if (raw <= knots[i].raw) {
            float t = (float)(raw - knots[i - 1].raw) / (float)(knots[i].raw - knots[i - 1].raw);
            return knots[i - 1].score + t * (knots[i].score - knots[i - 1].score);
        }
    float slope = (knots[n - 1].score - knots[n - 2].score) / (float)(knots[n - 1].raw - knots[n - 2].raw);
    return knots[n - 1].score + slope * (float)(raw - knots[n - 1].raw);
}

double fp_score_to_fmr(float score)
{
    if (score <= 0) return 1.0;
    return pow(10.0, -score / 10.0);
}
