/*
 * term_calendar.h - days since 1970-01-01 and proleptic Gregorian dates,
 * for the clock screens, the PUSH protocol's time fields and the record
 * exports. Pure integer arithmetic, valid for any int64 day count a
 * time_t-like value yields.
 */
#ifndef TERM_CALENDAR_H
#define TERM_CALENDAR_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t term_days_from_civil(int64_t y, int64_t m, int64_t d);

/* The date of a day count (the inverse of term_days_from_civil). */
void term_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d);

/* Splits seconds since 1970-01-01 into whole days (rounded down, also
 * before 1970) and the seconds into that day, 0..86399. */
int64_t term_days_of(int64_t t, int64_t *secs_of_day);

#endif
