/*
 * time.h — the one ISO-8601 parser (dates, times of day, timestamps) and the
 * UTC timestamp formatter.  Each caller names with flags the forms it takes.
 */
#ifndef LAC_TIME_H
#define LAC_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Without flags time_parse takes "YYYY-MM-DDTHH:MM:SSZ" only. */
enum time_flags {
	TIME_DATE_ONLY = 1u << 0,      /* "YYYY-MM-DD" and nothing more (other flags ignored) */
	TIME_TIME_ONLY = 1u << 1,      /* "HH:MM:SS", a time of day (no zone) */
	TIME_ALLOW_SPACE = 1u << 2,    /* ' ' as well as 'T' between date and time */
	TIME_ALLOW_FRACTION = 1u << 3, /* ".d+" after the seconds, any number of digits */
	TIME_ALLOW_OFFSET = 1u << 4,   /* "+HH:MM" / "-HH:MM" as well as "Z" */
	TIME_ALLOW_NO_ZONE = 1u << 5,  /* no zone at all, meaning UTC */
};

/* The forms the callers take (docs/decisions.md: "One ISO-8601 parser"). */
/* A timestamp a user writes: the DSL's timestamp "..." and --now. */
#define TIME_USER_TIMESTAMP \
	(TIME_ALLOW_SPACE | TIME_ALLOW_FRACTION | TIME_ALLOW_OFFSET | TIME_ALLOW_NO_ZONE)
/* The DSL's time "...". */
#define TIME_USER_TIME (TIME_TIME_ONLY | TIME_ALLOW_FRACTION)
/* An event's timestamp (the presets read them back): always zoned. */
#define TIME_EVENT (TIME_ALLOW_FRACTION | TIME_ALLOW_OFFSET)

struct time_value {
	int64_t secs;     /* Unix seconds in UTC, the fraction dropped (TIME_DATE_ONLY:
			   * its midnight; TIME_TIME_ONLY: seconds since midnight) */
	const char *frac; /* the fraction's digits inside the input, or NULL */
	size_t nfrac;     /* how many */
};

/*
 * Parses all of s (NULL, empty or anything after the form fails).  Every
 * field is range-checked: a real calendar date (leap years), hours 0-23,
 * minutes and seconds 0-59 (no leap second), offsets up to 23:59.  An offset
 * is converted to UTC.  0, or -1 when s is not such a form; out may be NULL.
 */
int time_parse(const char *s, unsigned flags, struct time_value *out);

/* Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ". */
void time_format_iso(int64_t t, char out[32]);

/* ---- durations (--lock-timeout, warehouse timeout) ------------------------ */
enum duration_flags {
	DURATION_BARE_SECONDS = 1u << 0, /* a plain number of seconds ("90") */
	DURATION_MS = 1u << 1,           /* the unit "ms" as well as s, m, h */
};
/* --lock-timeout: "500ms", "30s", "5m", "1h" (SPEC §1.1 durations) or "90" (seconds). */
#define DURATION_LOCK_TIMEOUT (DURATION_BARE_SECONDS | DURATION_MS)
/* A duration setting in lac.yaml (SPEC §1.1): [0-9]+(ms|s|m|h), the unit required. */
#define DURATION_SETTING DURATION_MS
/* Digits then a unit (s, m, h; ms with DURATION_MS; none with
 * DURATION_BARE_SECONDS), nothing else (no sign, no space, no fraction), at
 * most a year, as milliseconds.  0, or -1 when s is not such a duration. */
int duration_parse(const char *s, unsigned flags, int64_t *ms);

/* ---- the reference time (--now) ------------------------------------------- */
struct lac_now {
	int64_t secs;  /* Unix seconds (the fraction dropped) */
	char sql[40];  /* "YYYY-MM-DD HH:MM:SS[.fff]", UTC: the SQL literal */
	char iso[48];  /* "YYYY-MM-DDTHH:MM:SS[.fff]Z" */
};
/*
 * --now (TIME_USER_TIMESTAMP, at most 9 fraction digits):
 * "YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}][Z|+HH:MM|-HH:MM]".
 * Fields are range-checked (2026-02-31 fails); an offset is converted to UTC
 * and no suffix means UTC.  0 or -1.
 */
int now_parse(const char *in, struct lac_now *out);
/* lac's one clock, in Unix seconds: the machine's, moved by the test-only
 * LAC_TEST_CLOCK_OFFSET (whole seconds, may be negative; ignored unless a
 * plain number) so tests can turn it back without touching the machine's. */
int64_t clock_secs(void);
/* The clock as a struct lac_now. */
void now_clock(struct lac_now *out);
/* Milliseconds of the monotonic clock: for durations, never for dates. */
int64_t time_mono_ms(void);
/* Sleep ms milliseconds (a signal that returns does not cut it short). */
void time_sleep_ms(int64_t ms);

#endif
