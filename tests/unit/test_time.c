/* test_time.c — the one ISO-8601 parser: what each flag set (the DSL's date,
 * time and timestamp literals, --now, event timestamps) accepts and rejects,
 * the seconds it gives, and the formatter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/time.h"
#include "base/util.h"

static bool ok(const char *s, unsigned flags)
{
	return time_parse(s, flags, NULL) == 0;
}

static int64_t secs(const char *s, unsigned flags)
{
	struct time_value tv;
	assert_int_equal(time_parse(s, flags, &tv), 0);
	return tv.secs;
}

/* Rejected by every flag set. */
static const char *const never[] = {
	"",
	"garbage",
	"2025-01-31T08:30:00Zjunk",
	"2025-01-31T08:30:00Z ",
	" 2025-01-31T08:30:00Z",
	"2025-1-31T08:30:00Z",     /* one-digit fields */
	"2025-01-31T8:30:00Z",
	"+025-01-31T08:30:00Z",    /* a sign where a digit belongs */
	"2025-02-30T08:30:00Z",    /* impossible dates */
	"2025-02-29T08:30:00Z",    /* not a leap year */
	"1900-02-29T08:30:00Z",    /* a century is not, */
	"2025-04-31T08:30:00Z",
	"2025-00-10T08:30:00Z",
	"2025-13-10T08:30:00Z",
	"2025-01-00T08:30:00Z",
	"2025-01-32T08:30:00Z",
	"2025-01-31T24:00:00Z",
	"2025-01-31T08:60:00Z",
	"2025-01-31T08:30:60Z",    /* no leap second */
	"2025-01-31T08:30Z",
	"2025-01-31T08:30:00.Z",   /* a point without digits */
	"2025-01-31T08:30:00+24:00",
	"2025-01-31T08:30:00+01:60",
	"2025-01-31T08:30:00+0100",
	"2025-01-31T08:30:00+01",
	"2025-01-31t08:30:00Z",
	"2025-01-31T08:30:00z",
	"2025/01/31T08:30:00Z",
};

static const unsigned all_sets[] = {
	0, TIME_DATE_ONLY, TIME_USER_TIME, TIME_USER_TIMESTAMP, TIME_EVENT,
	TIME_ALLOW_SPACE | TIME_ALLOW_FRACTION | TIME_ALLOW_OFFSET | TIME_ALLOW_NO_ZONE |
		TIME_TIME_ONLY,
};

static void test_never(void **state)
{
	for (size_t f = 0; f < ARRAY_LEN(all_sets); f++) {
		assert_false(ok(NULL, all_sets[f]));
		for (size_t i = 0; i < ARRAY_LEN(never); i++)
			if (ok(never[i], all_sets[f]))
				fail_msg("flags %#x accepted '%s'", all_sets[f], never[i]);
	}
}

static void test_strict_default(void **state)
{
	/* no flags: exactly YYYY-MM-DDTHH:MM:SSZ */
	assert_true(ok("2025-01-31T08:30:00Z", 0));
	assert_int_equal(secs("2025-01-31T08:30:00Z", 0), 1738312200);
	assert_false(ok("2025-01-31 08:30:00Z", 0));
	assert_false(ok("2025-01-31T08:30:00.5Z", 0));
	assert_false(ok("2025-01-31T08:30:00+00:00", 0));
	assert_false(ok("2025-01-31T08:30:00", 0));
	assert_false(ok("2025-01-31", 0));
}

static void test_date_only(void **state)
{
	assert_int_equal(secs("2025-01-31", TIME_DATE_ONLY), 1738281600);
	assert_int_equal(secs("1970-01-01", TIME_DATE_ONLY), 0);
	assert_int_equal(secs("1969-12-31", TIME_DATE_ONLY), -86400);
	assert_true(ok("2024-02-29", TIME_DATE_ONLY)); /* leap years */
	assert_true(ok("2000-02-29", TIME_DATE_ONLY));
	assert_true(ok("0000-02-29", TIME_DATE_ONLY));
	assert_false(ok("2100-02-29", TIME_DATE_ONLY));
	assert_false(ok("2025-02-29", TIME_DATE_ONLY));
	assert_true(ok("9999-12-31", TIME_DATE_ONLY));
	assert_false(ok("2025-01-31T08:30:00Z", TIME_DATE_ONLY));
	assert_false(ok("2025-01-31 ", TIME_DATE_ONLY));
	assert_false(ok("2025-01", TIME_DATE_ONLY));
	assert_false(ok("2025-01-3", TIME_DATE_ONLY));
	assert_false(ok("20250131", TIME_DATE_ONLY));
	/* the flag wins over the others */
	assert_false(ok("2025-01-31T08:30:00Z", TIME_DATE_ONLY | TIME_USER_TIMESTAMP));
}

static void test_time_only(void **state)
{
	struct time_value tv;
	assert_int_equal(secs("00:00:00", TIME_USER_TIME), 0);
	assert_int_equal(secs("23:59:59", TIME_USER_TIME), 86399);
	assert_int_equal(time_parse("08:30:00.250", TIME_USER_TIME, &tv), 0);
	assert_int_equal(tv.secs, 30600);
	assert_int_equal(tv.nfrac, 3);
	assert_memory_equal(tv.frac, "250", 3);
	assert_true(ok("08:30:00.1234567890123", TIME_USER_TIME)); /* any length */
	assert_false(ok("08:30:00.5", TIME_TIME_ONLY));            /* fraction not allowed */
	assert_false(ok("08:30:00.", TIME_USER_TIME));
	assert_false(ok("24:00:00", TIME_USER_TIME));
	assert_false(ok("08:60:00", TIME_USER_TIME));
	assert_false(ok("08:30:60", TIME_USER_TIME));
	assert_false(ok("08:30", TIME_USER_TIME));
	assert_false(ok("8:30:00", TIME_USER_TIME));
	assert_false(ok("08:30:00Z", TIME_USER_TIME)); /* no zone on a time of day */
	assert_false(ok("08:30:00+01:00", TIME_USER_TIME));
	assert_false(ok("2025-01-31T08:30:00Z", TIME_USER_TIME));
}

static void test_user_timestamp(void **state)
{
	const unsigned f = TIME_USER_TIMESTAMP;
	assert_int_equal(secs("2025-01-31T08:30:00Z", f), 1738312200);
	assert_int_equal(secs("2025-01-31 08:30:00Z", f), 1738312200);
	assert_int_equal(secs("2025-01-31T08:30:00", f), 1738312200); /* no zone: UTC */
	assert_int_equal(secs("2025-01-31T09:30:00+01:00", f), 1738312200);
	assert_int_equal(secs("2025-01-31T03:00:00-05:30", f), 1738312200);
	assert_int_equal(secs("2025-01-31T08:30:00+00:00", f), 1738312200);
	assert_int_equal(secs("2025-01-31T08:30:00-00:00", f), 1738312200);
	assert_int_equal(secs("2025-01-01T00:30:00+01:00", f), 1735689600 - 1800);
	assert_int_equal(secs("2025-01-31T08:30:00+23:59", f), 1738312200 - 86340);
	assert_true(ok("2024-02-29T23:59:59Z", f));
	assert_true(ok("2025-01-31T08:30:00.123456789012+01:00", f)); /* any length */
	struct time_value tv;
	assert_int_equal(time_parse("2025-01-31T08:30:00.5Z", f, &tv), 0);
	assert_int_equal(tv.secs, 1738312200); /* the fraction dropped */
	assert_int_equal(tv.nfrac, 1);
	assert_int_equal(tv.frac[0], '5');
	assert_int_equal(time_parse("2025-01-31T08:30:00Z", f, &tv), 0);
	assert_null(tv.frac);
	assert_int_equal(tv.nfrac, 0);
	assert_false(ok("2025-01-31", f));
	assert_false(ok("2025-01-31T", f));
	assert_false(ok("2025-01-31  08:30:00Z", f));
	assert_false(ok("2025-01-31T08:30:00 Z", f));
	assert_false(ok("2025-01-31T08:30:00+01:00Z", f));
	assert_false(ok("2025-01-31T08:30:00++01:00", f));
}

static void test_event_timestamp(void **state)
{
	const unsigned f = TIME_EVENT;
	assert_int_equal(secs("2025-01-31T08:30:00Z", f), 1738312200);
	assert_int_equal(secs("2025-01-31T09:30:00.123+01:00", f), 1738312200);
	assert_int_equal(secs("2024-05-06T07:08:09.000Z", f), 1714979289);
	assert_false(ok("2025-01-31T08:30:00", f)); /* always zoned */
	assert_false(ok("2025-01-31 08:30:00Z", f));
	assert_false(ok("2025-01-31", f));
	assert_false(ok("2025-13-31T08:30:00Z", f));
}

static void test_each_flag_alone(void **state)
{
	const char *space = "2025-01-31 08:30:00Z", *frac = "2025-01-31T08:30:00.5Z",
		   *off = "2025-01-31T08:30:00+01:00", *bare = "2025-01-31T08:30:00";
	assert_true(ok(space, TIME_ALLOW_SPACE));
	assert_false(ok(frac, TIME_ALLOW_SPACE));
	assert_true(ok(frac, TIME_ALLOW_FRACTION));
	assert_false(ok(off, TIME_ALLOW_FRACTION));
	assert_true(ok(off, TIME_ALLOW_OFFSET));
	assert_false(ok(bare, TIME_ALLOW_OFFSET));
	assert_true(ok(bare, TIME_ALLOW_NO_ZONE));
	assert_false(ok(space, TIME_ALLOW_NO_ZONE));
}

static void test_now_parse(void **state)
{
	struct lac_now n;
	assert_int_equal(now_parse("2025-01-31 09:30:00.123456789+01:00", &n), 0);
	assert_int_equal(n.secs, 1738312200);
	assert_string_equal(n.sql, "2025-01-31 08:30:00.123456789");
	assert_string_equal(n.iso, "2025-01-31T08:30:00.123456789Z");
	assert_int_equal(now_parse("2025-01-31T08:30:00", &n), 0);
	assert_string_equal(n.iso, "2025-01-31T08:30:00Z");
	assert_int_equal(now_parse("2025-01-31T08:30:00.1234567890Z", &n), -1); /* > 9 digits */
	assert_int_equal(now_parse("2026-02-31T00:00:00Z", &n), -1);
	assert_int_equal(now_parse("2025-01-31", &n), -1);
	assert_int_equal(now_parse(NULL, &n), -1);
	assert_int_equal(now_parse("", &n), -1);
}

static void test_format(void **state)
{
	char buf[32];
	time_format_iso(1738312200, buf);
	assert_string_equal(buf, "2025-01-31T08:30:00Z");
	time_format_iso(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	/* parse(format(t)) == t, across leap days and the epoch */
	for (int64_t t = -86400LL * 800; t < 86400LL * 20000; t += 86400LL * 7 + 3661) {
		time_format_iso(t, buf);
		assert_int_equal(secs(buf, 0), t);
	}
}

/* --lock-timeout's durations. */
static void test_duration(void **state)
{
	(void)state;
	static const struct { const char *in; int64_t ms; } good[] = {
		{ "0", 0 }, { "90", 90000 }, { "30s", 30000 }, { "5m", 300000 }, { "1h", 3600000 },
		{ "0s", 0 }, { "8784h", 8784LL * 3600000 }, { "500ms", 500 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t ms = -1;
		assert_int_equal(duration_parse(good[i].in, DURATION_LOCK_TIMEOUT, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	static const char *const bad[] = {
		"", "s", "-5", "+5", " 5", "5 ", "1.5s", "5d", "5ss", "5mh", "1e3", "8785h", "5msec",
		"99999999999999999999", "abc",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ms = 7;
		assert_int_equal(duration_parse(bad[i], DURATION_LOCK_TIMEOUT, &ms), -1);
		assert_int_equal(ms, 7);
	}
	int64_t ms;
	assert_int_equal(duration_parse(NULL, DURATION_LOCK_TIMEOUT, &ms), -1);
}

/* lac.yaml's durations (warehouse timeout): a unit is required, ms allowed. */
static void test_duration_setting(void **state)
{
	(void)state;
	static const struct { const char *in; int64_t ms; } good[] = {
		{ "0ms", 0 }, { "250ms", 250 }, { "30s", 30000 }, { "5m", 300000 }, { "1h", 3600000 },
		{ "8784h", 8784LL * 3600000 }, { "31622400000ms", 31622400000LL },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t ms = -1;
		assert_int_equal(duration_parse(good[i].in, DURATION_SETTING, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	static const char *const bad[] = {
		"", "90", "0", "ms", "5 ms", "5msx", "5mss", "1.5s", "5d", "-1s", "8785h",
		"31622400001ms", "99999999999999999999ms",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t ms = 7;
		assert_int_equal(duration_parse(bad[i], DURATION_SETTING, &ms), -1);
		assert_int_equal(ms, 7);
	}
}

/* lac's clock moves with LAC_TEST_CLOCK_OFFSET (and only a plain number moves it) */
static void test_clock_offset(void **state)
{
	struct lac_now n;
	unsetenv("LAC_TEST_CLOCK_OFFSET");
	int64_t t = (int64_t)time(NULL);
	int64_t c = clock_secs();
	assert_true(c >= t && c <= t + 2);
	setenv("LAC_TEST_CLOCK_OFFSET", "-86400", 1);
	t = (int64_t)time(NULL);
	now_clock(&n);
	assert_true(n.secs >= t - 86400 && n.secs <= t - 86400 + 2);
	char iso[32];
	time_format_iso(n.secs, iso);
	assert_string_equal(n.iso, iso);
	setenv("LAC_TEST_CLOCK_OFFSET", "90s", 1);
	t = (int64_t)time(NULL);
	c = clock_secs();
	assert_true(c >= t && c <= t + 2);
	unsetenv("LAC_TEST_CLOCK_OFFSET");
}

/* time_sleep_ms sleeps at least that long on the monotonic clock; 0 and
 * negatives return at once. */
static void test_sleep(void **state)
{
	(void)state;
	int64_t t0 = time_mono_ms();
	time_sleep_ms(30);
	int64_t t1 = time_mono_ms();
	assert_true(t1 - t0 >= 30);
	time_sleep_ms(0);
	time_sleep_ms(-5);
	assert_true(time_mono_ms() - t1 < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never),
		cmocka_unit_test(test_strict_default),
		cmocka_unit_test(test_date_only),
		cmocka_unit_test(test_time_only),
		cmocka_unit_test(test_user_timestamp),
		cmocka_unit_test(test_event_timestamp),
		cmocka_unit_test(test_each_flag_alone),
		cmocka_unit_test(test_now_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_setting),
		cmocka_unit_test(test_clock_offset),
		cmocka_unit_test(test_sleep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
