/*
 * Random numbers and elementary functions for the generator.
 *
 * libm's sin/exp/atan2 are allowed to differ in the last bit between C
 * libraries and versions, and one flipped bit in a threshold flips a pixel.
 * So every value that reaches an image or a template is computed here with
 * +, -, *, / and floor only, which IEEE 754 defines exactly; the file must
 * be built without -ffast-math and with -ffp-contract=off.
 */
#include <math.h>

#include "synth_internal.h"

uint64_t fpi_synth_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void fpi_rng_init(fpi_rng *r, uint64_t seed, uint64_t finger, uint64_t tag)
{
    r->s = fpi_synth_mix64(seed ^ fpi_synth_mix64(finger * 0xD1B54A32D192ED03ull ^ fpi_synth_mix64(tag)));
}

uint64_t fpi_rng_next(fpi_rng *r)
{
    r->s += 0x9E3779B97F4A7C15ull;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double fpi_rng_uniform(fpi_rng *r)
{
    return (double)(fpi_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double fpi_rng_range(fpi_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * fpi_rng_uniform(r);
}

double fpi_rng_normal(fpi_rng *r)
{
    /* Irwin-Hall of 4: close enough to a Gaussian for skin parameters, needs
     * no logarithm and cannot produce wild outliers. */
    double s = fpi_rng_uniform(r) + fpi_rng_uniform(r) + fpi_rng_uniform(r) + fpi_rng_uniform(r);
    return (s - 2.0) * 1.7320508075688772;
}

/* sin and cos of r with |r| <= pi/4 by Taylor series (error < 1e-14). */
static double sin_poly(double r)
{
    double r2 = r * r;
    return r * (1.0 + r2 * (-1.0 / 6 + r2 * (1.0 / 120 + r2 * (-1.0 / 5040 + r2 * (1.0 / 362880 +
               r2 * (-1.0 / 39916800 + r2 * (1.0 / 6227020800.0)))))));
}

static double cos_poly(double r)
{
    double r2 = r * r;
    return 1.0 + r2 * (-0.5 + r2 * (1.0 / 24 + r2 * (-1.0 / 720 + r2 * (1.0 / 40320 + r2 * (-1.0 / 3628800 +
               r2 * (1.0 / 479001600.0))))));
}

static double sincos_q(double x, int want_cos)
{
    double q = floor(x * (2.0 / FPI_PI) + 0.5);
    double r = x - q * (FPI_PI / 2);
    long long qi = (long long)q;
    int quadrant = (int)(((qi % 4) + 4) % 4);
    if (want_cos) quadrant = (quadrant + 1) & 3;
    switch (quadrant) {
    case 0: return sin_poly(r);
    case 1: return cos_poly(r);
    case 2: return -sin_poly(r);
    default: return -cos_poly(r);
    }
}

double fpi_sin(double x) { return sincos_q(x, 0); }
double fpi_cos(double x) { return sincos_q(x, 1); }

/* atan of |t| <= tan(pi/8), series to t^23 (error < 1e-11). */
static double atan_small(double t)
{
    double t2 = t * t, s = 0.0;
    for (int k = 23; k >= 3; k -= 2) s = t2 * ((k & 2 ? -1.0 : 1.0) / k + s);
    return t * (1.0 + s);
}

static double atan_pos(double t) /* t >= 0 */
{
    int inv = t > 1.0;
    if (inv) t = 1.0 / t;
    double a = t > 0.41421356237309503 ? FPI_PI / 4 + atan_small((t - 1.0) / (t + 1.0)) : atan_small(t);
    return inv ? FPI_PI / 2 - a : a;
}

double fpi_atan2(double y, double x)
{
    if (x == 0.0 && y == 0.0) return 0.0;
    double ay = fabs(y), ax = fabs(x), a;
    if (ax >= ay) {
        a = atan_pos(ay / ax);
    } else {
        a = FPI_PI / 2 - atan_pos(ax / ay);
    }
    if (x < 0) a = FPI_PI - a;
    return y < 0 ? -a : a;
}

double fpi_exp(double x)
{
    if (x < -700.0) return 0.0;
    if (x > 700.0) x = 700.0;
    double k = floor(x * 1.4426950408889634 + 0.5);
    double r = x - k * 0.6931471805599453;
    double s = 1.0;
    for (int i = 13; i >= 1; i--) s = 1.0 + s * r / i;
    return ldexp(s, (int)k);
}

uint8_t fpi_synth_angle_byte(double dx, double dy)
{
    double a = fpi_atan2(-dy, dx); /* y up */
    double t = floor(a * (256.0 / (2.0 * FPI_PI)) + 0.5);
    long long v = (long long)t;
    return (uint8_t)(((v % 256) + 256) % 256);
}
