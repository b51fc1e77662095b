/*
 * term_calendar.c - civil dates from day counts and back, by eras of
 * 400 years (146,097 days), with March as the first month of the
 * computational year so that the leap day comes last.
 */
#include "term_calendar.h"

int64_t term_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void term_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d)
{
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t term_days_of(int64_t t, int64_t *secs_of_day)
{
    const int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    if (secs_of_day) *secs_of_day = t - days * 86400;
    return days;
}
