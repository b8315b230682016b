/*
 * test_run.c — the runner's schedule arithmetic (run_next_time, run_is_due),
 * a daemon or apply pass's view of the state (run_pass_state) and its crash
 * hook; the runs themselves are tested end to end
 * (tests/e2e/run_*.sh) against real warehouses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/crash_point.h"
#include "run/event.h"
#include "run/run.h"
#include "base/time.h"

static int64_t at(const char *iso)
{
	struct time_value t;
	assert_int_equal(time_parse(iso, TIME_EVENT, &t), 0);
	return t.secs;
}

static struct ast_audience aud(enum schedule_kind k)
{
	struct ast_audience a;
	memset(&a, 0, sizeof(a));
	a.name = "a";
	a.enabled = -1;
	a.schedule.kind = k;
	return a;
}

static void every(void **state)
{
	(void)state;
	struct ast_audience a = aud(SCHED_EVERY);
	a.schedule.every = 1;
	a.schedule.unit = UNIT_HOUR;
	assert_int_equal(run_next_time(&a, 1000), 1000 + 3600);
	a.schedule.every = 30;
	a.schedule.unit = UNIT_MINUTE;
	assert_int_equal(run_next_time(&a, at("2026-01-15T12:00:00Z")), at("2026-01-15T12:30:00Z"));
	a.schedule.every = 1;
	a.schedule.unit = UNIT_DAY;
	assert_int_equal(run_next_time(&a, at("2026-01-15T12:00:00Z")), at("2026-01-16T12:00:00Z"));
}

static void at_days(void **state)
{
	(void)state;
	struct ast_audience a = aud(SCHED_AT);
	a.schedule.hour = 8;
	a.schedule.minute = 0;
	a.schedule.days = 1u << 0 | 1u << 3; /* mon, thu */
	/* 2026-01-15 is a Thursday */
	assert_int_equal(run_next_time(&a, at("2026-01-15T07:59:59Z")), at("2026-01-15T08:00:00Z"));
	assert_int_equal(run_next_time(&a, at("2026-01-15T08:00:00Z")), at("2026-01-19T08:00:00Z"));
	assert_int_equal(run_next_time(&a, at("2026-01-15T12:00:00Z")), at("2026-01-19T08:00:00Z"));
	assert_int_equal(run_next_time(&a, at("2026-01-19T08:00:01Z")), at("2026-01-22T08:00:00Z"));
	a.schedule.days = 1u << 6; /* sun */
	a.schedule.hour = 23;
	a.schedule.minute = 45;
	assert_int_equal(run_next_time(&a, at("2026-01-15T12:00:00Z")), at("2026-01-18T23:45:00Z"));
	assert_int_equal(run_next_time(&a, at("2026-01-18T23:45:00Z")), at("2026-01-25T23:45:00Z"));
}

static void manual(void **state)
{
	(void)state;
	struct ast_audience a = aud(SCHED_MANUAL);
	assert_int_equal(run_next_time(&a, 12345), 0);
	a = aud(SCHED_DEFAULT);
	assert_int_equal(run_next_time(&a, 12345), 0);
}

static void due(void **state)
{
	(void)state;
	struct ast_audience a = aud(SCHED_EVERY);
	a.schedule.every = 1;
	a.schedule.unit = UNIT_HOUR;
	struct state_audience sa;
	memset(&sa, 0, sizeof(sa));
	sa.enabled = true;
	assert_true(run_is_due(&a, NULL, 100));            /* new: at once */
	assert_true(run_is_due(&a, &sa, 100));             /* never ran */
	sa.generation = 3;
	sa.next_run = 5000;
	assert_false(run_is_due(&a, &sa, 4999));
	assert_true(run_is_due(&a, &sa, 5000));
	sa.enabled = false;
	assert_false(run_is_due(&a, &sa, 9999));           /* disabled in the state */
	sa.enabled = true;
	a.enabled = 0;
	assert_false(run_is_due(&a, &sa, 9999));           /* disabled in the file */
	assert_false(run_is_due(&a, NULL, 9999));
	struct ast_audience m = aud(SCHED_MANUAL);
	assert_false(run_is_due(&m, &sa, 9999));           /* manual: only lac run */
	assert_true(run_is_due(&m, NULL, 9999));           /* ... but new ones run once */
}

/* A pass's view of the state: every applied audience found by name in
 * byte order whatever the state's collation, with its unfinished run; a
 * manual audience with one is due, a disabled one is not; and the latest
 * run start of all. */
static void pass_state(void **state)
{
	(void)state;
	char dir[] = "/tmp/lac-run-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/state.db", dir);
	struct state *st;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_open(&st, path, STATE_RW, &err), 0);
	assert_int_equal(state_latest_run_start(st), 0);
	struct run_pass_state ps;
	/* nothing applied yet (the daemon before the first apply) */
	assert_int_equal(run_pass_state_load(st, &ps), 0);
	assert_int_equal(ps.n, 0);
	assert_null(run_pass_state_find(&ps, "a"));
	run_pass_state_release(&ps);
	const char *names[] = { "b", "B", "a", "off" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		assert_int_equal(state_put_audience(st, names[i], "h", strcmp(names[i], "off") != 0, 10), 0);
	assert_int_equal(state_set_generation(st, "b", 2), 0);
	assert_int_equal(state_set_generation(st, "B", 2), 0);
	assert_int_equal(state_set_generation(st, "off", 2), 0);
	assert_int_equal(state_run_begin(st, "r1", "b", 3, 500), 0);   /* left Running */
	assert_int_equal(state_run_begin(st, "r2", "off", 3, 700), 0);

	assert_int_equal(run_pass_state_load(st, &ps), 0);
	assert_int_equal(ps.n, 4);
	assert_null(run_pass_state_find(&ps, "nosuch"));
	const struct run_pass_audience *b = run_pass_state_find(&ps, "b"), *B = run_pass_state_find(&ps, "B");
	assert_non_null(b);
	assert_non_null(B);
	assert_string_equal(b->sa.name, "b");
	assert_true(b->unfinished);
	assert_false(B->unfinished);
	assert_int_equal(b->sa.generation, 2);

	struct ast_audience m = aud(SCHED_MANUAL);
	assert_true(run_pass_due(&m, b, 9999));   /* its unfinished run, whatever the schedule */
	assert_false(run_pass_due(&m, B, 9999));  /* manual, ran: only lac run */
	assert_true(run_pass_due(&m, run_pass_state_find(&ps, "a"), 9999)); /* never ran */
	assert_false(run_pass_due(&m, run_pass_state_find(&ps, "off"), 9999)); /* disabled */
	assert_false(run_pass_due(&m, NULL, 9999));
	m.enabled = 0;
	assert_false(run_pass_due(&m, b, 9999));  /* disabled in the file */
	run_pass_state_release(&ps);

	assert_int_equal(state_latest_run_start(st), 700);
	state_close(st);
	unlink(path);
	rmdir(dir);
	free(path);
	sb_release(&err);
}

static void crash_hook_inactive(void **state)
{
	(void)state;
	unsetenv("LAC_TEST_CRASH_AFTER");
	crash_point("snapshot"); /* returns: no variable */
	setenv("LAC_TEST_CRASH_AFTER", "swap", 1);
	crash_point("snapshot"); /* returns: another point */
	unsetenv("LAC_TEST_CRASH_AFTER");
}

/* One serializer for every command: every count, and the completed
 * crashed run nested with the same keys. */
static void report_json(void **state)
{
	(void)state;
	struct run_report r = { .result = RUN_LIVE, .members = 5, .events = 5, .delivered = 1,
				.filtered = 4, .completed_previous = true };
	r.run_id = strdup("run_b");
	r.previous = calloc(1, sizeof(*r.previous));
	r.previous->run_id = strdup("run_a");
	r.previous->result = RUN_LIVE;
	r.previous->events = 1;
	r.previous->delivered = 1;
	json_t *j = run_report_json("cat_owners", &r);
	static const char *const keys[] = { "audience", "run_id", "result", "error", "warning",
		"generation", "members", "entered", "exited", "events", "delivered", "failed",
		"pending", "filtered", "invalid", "earlier_delivered", "duration_ms", "completed_previous",
		"previous" };
	assert_int_equal(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(json_object_get(j, keys[i]));
	assert_int_equal(json_integer_value(json_object_get(j, "filtered")), 4);
	json_t *p = json_object_get(j, "previous");
	assert_string_equal(json_string_value(json_object_get(p, "run_id")), "run_a");
	assert_int_equal(json_integer_value(json_object_get(p, "delivered")), 1);
	assert_true(json_is_null(json_object_get(p, "previous")));
	json_decref(j);
	run_report_release(&r);
	assert_null(r.previous);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every),
		cmocka_unit_test(at_days),
		cmocka_unit_test(manual),
		cmocka_unit_test(due),
		cmocka_unit_test(pass_state),
		cmocka_unit_test(crash_hook_inactive),
		cmocka_unit_test(report_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
