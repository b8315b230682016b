/*
 * time.c — the one ISO-8601 parser and the UTC timestamp formatter.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <time.h>

#include "base/time.h"

/* n decimal digits at *p as an int, advancing *p; -1 if any is not a digit. */
static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static int days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return mdays[m - 1] + (m == 2 && leap);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil): computed, not timegm'd, so nothing is
 * normalised behind the range checks and any year 0000-9999 works. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD", a real calendar date, as days since the epoch. */
static bool parse_date(const char **p, int64_t *days)
{
	int y = digits(p, 4);
	if (y < 0 || *(*p)++ != '-')
		return false;
	int m = digits(p, 2);
	if (m < 1 || m > 12 || *(*p)++ != '-')
		return false;
	int d = digits(p, 2);
	if (d < 1 || d > days_in_month(y, m))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/* "HH:MM:SS" and, when allowed, ".d+", as seconds since midnight. */
static bool parse_clock(const char **p, unsigned flags, int64_t *secs, struct time_value *tv)
{
	int h = digits(p, 2);
	if (h < 0 || h > 23 || *(*p)++ != ':')
		return false;
	int m = digits(p, 2);
	if (m < 0 || m > 59 || *(*p)++ != ':')
		return false;
	int s = digits(p, 2);
	if (s < 0 || s > 59)
		return false;
	*secs = h * 3600L + m * 60L + s;
	if (**p == '.' && (flags & TIME_ALLOW_FRACTION)) {
		const char *f = ++*p;
		while (**p >= '0' && **p <= '9')
			(*p)++;
		if (*p == f)
			return false;
		tv->frac = f;
		tv->nfrac = (size_t)(*p - f);
	}
	return true;
}

/* "Z", "+HH:MM" / "-HH:MM" or nothing, as allowed: the seconds to subtract. */
static bool parse_zone(const char **p, unsigned flags, int64_t *off)
{
	*off = 0;
	if (**p == 'Z') {
		(*p)++;
		return true;
	}
	if ((**p == '+' || **p == '-') && (flags & TIME_ALLOW_OFFSET)) {
		int sign = *(*p)++ == '-' ? -1 : 1;
		int h = digits(p, 2);
		if (h < 0 || h > 23 || *(*p)++ != ':')
			return false;
		int m = digits(p, 2);
		if (m < 0 || m > 59)
			return false;
		*off = sign * (h * 3600L + m * 60L);
		return true;
	}
	return (flags & TIME_ALLOW_NO_ZONE) != 0;
}

int time_parse(const char *s, unsigned flags, struct time_value *out)
{
	struct time_value tv = { 0, NULL, 0 };
	const char *p = s;
	int64_t days = 0, clock = 0, off = 0;
	if (!s)
		return -1;
	if (flags & TIME_DATE_ONLY) {
		if (!parse_date(&p, &days))
			return -1;
	} else if (flags & TIME_TIME_ONLY) {
		if (!parse_clock(&p, flags, &clock, &tv))
			return -1;
	} else {
		if (!parse_date(&p, &days))
			return -1;
		if (*p != 'T' && !(*p == ' ' && (flags & TIME_ALLOW_SPACE)))
			return -1;
		p++;
		if (!parse_clock(&p, flags, &clock, &tv) || !parse_zone(&p, flags, &off))
			return -1;
	}
	if (*p)
		return -1;
	tv.secs = days * 86400 + clock - off;
	if (out)
		*out = tv;
	return 0;
}

void time_format_iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the reference time (--now) ------------------------------------------- */

static void now_format(int64_t secs, const char *frac, size_t nfrac, struct lac_now *out)
{
	time_t t = (time_t)secs;
	struct tm tm;
	char base[32];
	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm);
	out->secs = secs;
	snprintf(out->sql, sizeof(out->sql), "%s%s%.*s", base, nfrac ? "." : "", (int)nfrac, frac);
	base[10] = 'T';
	snprintf(out->iso, sizeof(out->iso), "%s%s%.*sZ", base, nfrac ? "." : "", (int)nfrac, frac);
}

int now_parse(const char *in, struct lac_now *out)
{
	struct time_value tv;
	/* at most nanoseconds: the fraction is copied into out's fixed fields */
	if (time_parse(in, TIME_USER_TIMESTAMP, &tv) < 0 || tv.nfrac > 9)
		return -1;
	now_format(tv.secs, tv.frac, tv.nfrac, out);
	return 0;
}

int64_t clock_secs(void)
{
	/* tests move lac's clock, never the machine's */
	const char *off = getenv("LAC_TEST_CLOCK_OFFSET");
	char *end;
	long long o = off && *off ? strtoll(off, &end, 10) : 0;
	if (off && *off && *end)
		o = 0;
	return (int64_t)time(NULL) + (int64_t)o;
}

void now_clock(struct lac_now *out)
{
	now_format(clock_secs(), NULL, 0, out);
}

int duration_parse(const char *s, unsigned flags, int64_t *ms)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	const int64_t max_ms = 366LL * 24 * 3600 * 1000;
	int64_t n = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > max_ms)
			return -1;
	}
	int64_t unit;
	if ((flags & DURATION_MS) && s[0] == 'm' && s[1] == 's') {
		unit = 1;
		s += 2;
	} else if (*s == 's' || *s == 'm' || *s == 'h') {
		unit = *s == 's' ? 1000 : *s == 'm' ? 60 * 1000 : 3600 * 1000;
		s++;
	} else if (!*s && (flags & DURATION_BARE_SECONDS)) {
		unit = 1000;
	} else {
		return -1;
	}
	if (*s || n > max_ms / unit)
		return -1;
	*ms = n * unit;
	return 0;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void time_sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
