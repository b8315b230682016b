/*
 * test_run_skip.c — skipping a scheduled run whose inputs did not change
 * (run_skip.c): the decision, what moves with the clock, and the tables an
 * audience reads.  No in-tree warehouse can tell when a table changed yet
 * (docs/runs.md "Skipping unchanged inputs"), so the decision is tested on
 * its facts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check/check.h"
#include "run/run_skip.h"
#include "proj_fixture.h"

static void decide(void **state)
{
	(void)state;
	int64_t before[] = { 1000, 4000 }, one_after[] = { 1000, 5000 }, unknown[] = { 1000, -1 };
	struct run_skip_facts f = { .last_run_ms = 5000, .ninputs = 2, .altered_ms = before };
	assert_true(run_skip_decide(&f));
	f.altered_ms = one_after; /* changed when the run started: it may have missed it */
	assert_false(run_skip_decide(&f));
	f.altered_ms = unknown;   /* the warehouse cannot tell */
	assert_false(run_skip_decide(&f));
	f.altered_ms = before;
	f.moves_with_clock = true;
	assert_false(run_skip_decide(&f));
	f.moves_with_clock = false;
	f.definition_changed = true;
	assert_false(run_skip_decide(&f));
	f.definition_changed = false;
	f.last_run_ms = -1;       /* never ran successfully */
	assert_false(run_skip_decide(&f));
	f.last_run_ms = 5000;
	f.ninputs = 0;            /* reads nothing known: nothing to trust */
	assert_false(run_skip_decide(&f));
}

static const char *const graph =
	"entities:\n"
	"  - { slug: pet, table: shop.pets, primary_key: id, columns: { id: STRING, owner: STRING, age: NUMBER } }\n"
	"profile:\n"
	"  table: shop.profiles\n"
	"  id: segment_id\n"
	"  traits: { email: STRING, birthday: DATE }\n"
	"  events: { table: shop.tracks, id: segment_id, name: event, timestamp: ts, properties: props,\n"
	"            catalog: { \"Order\": { total: NUMBER } } }\n"
	"  relationships:\n"
	"    - { slug: pets, entity: pet, trait: { name: email, join_key: owner } }\n";

static const char *const audiences =
	"audience cats {\n  where {\n    with entity pets { age > 1 }\n  }\n}\n"
	"audience buyers {\n  where {\n    with event \"Order\" within last 30 days\n  }\n}\n"
	"audience birthdays {\n  where {\n    with trait birthday within next 7 days\n  }\n}\n"
	"audience inlined {\n  where {\n    part of audience buyers\n  }\n}\n"
	"audience members {\n  where {\n    part of audience buyers using membership\n"
	"    with trait email is not null\n  }\n}\n";

static void reads(void **state)
{
	(void)state;
	fx_enter();
	fx_write("lac.yaml", "version: 1\nwarehouse: { type: sqlite, schema: lac }\n");
	fx_write("graph.yaml", graph);
	fx_write("audiences/a.lac", audiences);
	struct project p;
	char *g = fx_load(&p); /* the graph alone first: its mistakes are not the audiences' */
	assert_string_equal(g, "");
	free(g);
	project_release(&p);
	project_init(&p);
	int rc = check_load(&p, ".");
	char *d = fx_diags(&p);
	assert_string_equal(d, "");
	assert_int_equal(rc, 0);
	free(d);
	assert_false(run_moves_with_clock(project_audience(&p, "cats")));
	assert_true(run_moves_with_clock(project_audience(&p, "buyers")));
	assert_true(run_moves_with_clock(project_audience(&p, "birthdays")));
	assert_true(run_moves_with_clock(project_audience(&p, "inlined")));   /* using conditions */
	assert_false(run_moves_with_clock(project_audience(&p, "members"))); /* its snapshot instead */

	char **t;
	size_t n = run_input_tables(&p, project_audience(&p, "cats"), &t);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%s ", t[i]);
		free(t[i]);
	}
	free(t);
	assert_non_null(strstr(sb.buf, "shop.pets "));
	assert_non_null(strstr(sb.buf, "shop.profiles "));
	assert_null(strstr(sb.buf, "lac."));
	sb_reset(&sb);
	n = run_input_tables(&p, project_audience(&p, "members"), &t);
	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%s ", t[i]);
		free(t[i]);
	}
	free(t);
	assert_non_null(strstr(sb.buf, "shop.profiles "));
	assert_non_null(strstr(sb.buf, "lac.snapshot_buyers "));
	sb_release(&sb);
	project_release(&p);
	fx_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decide),
		cmocka_unit_test(reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
