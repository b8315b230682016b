/*
 * cmd_test.c — `lac test [NAME...]`: the audience tests (*.test.yaml under
 * the audience directories, SPEC §5).  Each runs on its own temporary
 * SQLite warehouse (in memory) holding only the test's fixture rows,
 * whatever warehouse the project uses, and compares the audience's members
 * with the ones expected, and with then: the events of a run after a data
 * change (test_then.c).  Exit 1 when a test fails or a test file is bad.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/json_print.h"
#include "check/audience_test.h"
#include "check/check.h"
#include "cmd/cli.h"
#include "cmd/test_then.h"
#include "sql/gen.h"
#include "warehouse/fixture.h"

/* What a test found. */
struct outcome {
	char **members;            /* the audience's members, sorted */
	size_t nmembers, cap;
	const char **missing, **unexpected; /* expected and not found; found and not expected */
	size_t nmissing, nunexpected;
	char *error;               /* the fixture, the SQL or a run failed */
	/* then: the events of the second run (JSON texts), the expected ones no
	 * event matched and the events no expected one matched */
	char **events;
	size_t nevents;
	const char **missing_events, **unexpected_events;
	size_t nmissing_events, nunexpected_events;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct outcome *o = arg;
	if (ncol >= 1 && vals[0])
		VEC_PUSH(o->members, o->nmembers, o->cap, xstrdup(vals[0]));
	return 0;
}

/* Sorted a and b: what only a has and what only b has. */
static void compare(struct outcome *o, const char *const *want, size_t nwant)
{
	size_t i = 0, j = 0;
	o->missing = xcalloc(nwant + 1, sizeof(*o->missing));
	o->unexpected = xcalloc(o->nmembers + 1, sizeof(*o->unexpected));
	while (i < nwant || j < o->nmembers) {
		int c = i == nwant ? 1 : j == o->nmembers ? -1 : strcmp(want[i], o->members[j]);
		if (c < 0)
			o->missing[o->nmissing++] = want[i++];
		else if (c > 0)
			o->unexpected[o->nunexpected++] = o->members[j++];
		else
			i++, j++;
	}
}

/* Does actual contain want: every key of an object (recursively), every
 * item of an array, an equal value otherwise? */
static bool json_contains(const json_t *actual, const json_t *want)
{
	if (json_is_object(want)) {
		const char *key;
		const json_t *v;
		if (!json_is_object(actual))
			return false;
		json_object_foreach((json_t *)want, key, v)
			if (!json_contains(json_object_get(actual, key), v))
				return false;
		return true;
	}
	if (json_is_array(want)) {
		if (!json_is_array(actual) || json_array_size(actual) != json_array_size(want))
			return false;
		for (size_t i = 0; i < json_array_size(want); i++)
			if (!json_contains(json_array_get(actual, i), json_array_get(want, i)))
				return false;
		return true;
	}
	return actual && json_equal((json_t *)actual, (json_t *)want);
}

/* Pair each expected event with the first event not yet taken that
 * contains it; what stays unpaired on either side fails the test. */
static void compare_events(struct outcome *o, const struct audience_test *t)
{
	bool *taken = xcalloc(o->nevents + 1, sizeof(*taken));
	json_t **actual = xcalloc(o->nevents + 1, sizeof(*actual));
	for (size_t i = 0; i < o->nevents; i++)
		actual[i] = json_loads(o->events[i], 0, NULL);
	o->missing_events = xcalloc(t->nevents + 1, sizeof(*o->missing_events));
	o->unexpected_events = xcalloc(o->nevents + 1, sizeof(*o->unexpected_events));
	for (size_t k = 0; k < t->nevents; k++) {
		json_t *want = json_loads(t->events[k], 0, NULL);
		size_t i = 0;
		while (i < o->nevents && (taken[i] || !json_contains(actual[i], want)))
			i++;
		if (i < o->nevents)
			taken[i] = true;
		else
			o->missing_events[o->nmissing_events++] = t->events[k];
		json_decref(want);
	}
	for (size_t i = 0; i < o->nevents; i++) {
		if (!taken[i])
			o->unexpected_events[o->nunexpected_events++] = o->events[i];
		json_decref(actual[i]);
	}
	free(actual);
	free(taken);
}

static void run_one(struct project *p, const struct graph_table *tables, size_t ntables,
		    const struct audience_test *t, struct outcome *o)
{
	struct warehouse w;
	struct strbuf err = STRBUF_INIT, sql = STRBUF_INIT;
	memset(o, 0, sizeof(*o));
	if (warehouse_open_sqlite(&w, ":memory:", false, &err) != 0) {
		o->error = sb_detach(&err);
		return;
	}
	/* no snapshot exists here: `part of audience` reads the conditions */
	struct warehouse_snapshots sc = { &w, p->warehouse.schema };
	struct sql_options so = { .d = w.d, .now = t->now.sql, .schema = p->warehouse.schema,
				  .snapshot_exists = warehouse_snapshot_exists, .arg = &sc };
	if (fixture_write(&w, tables, ntables, t->tables, t->ntables, &err) != 0) {
		o->error = xasprintf("cannot load the fixture rows: %s", err.buf);
	} else {
		sql_membership(&sql, &p->graph, t->audience, &so);
		if (w.ops->query(&w, sql.buf, collect, o, &err) != 0)
			o->error = xasprintf("the audience's SQL failed: %s", err.buf);
	}
	if (!o->error && t->has_then) {
		sb_reset(&err);
		if (test_then_events(p, &w, t, &o->events, &o->nevents, &err) != 0)
			o->error = sb_detach(&err);
		else
			compare_events(o, t);
	}
	warehouse_close(&w);
	sb_release(&sql);
	sb_release(&err);
	if (o->nmembers)
		qsort(o->members, o->nmembers, sizeof(*o->members), str_cmp_ptr);
	size_t m = 0; /* a member reached twice counts once */
	for (size_t i = 0; i < o->nmembers; i++) {
		if (m && strcmp(o->members[m - 1], o->members[i]) == 0)
			free(o->members[i]);
		else
			o->members[m++] = o->members[i];
	}
	o->nmembers = m;
	if (!o->error)
		compare(o, t->members, t->nmembers);
}

static void outcome_release(struct outcome *o)
{
	for (size_t i = 0; i < o->nmembers; i++)
		free(o->members[i]);
	free(o->members);
	free(o->missing);
	free(o->unexpected);
	free(o->error);
	for (size_t i = 0; i < o->nevents; i++)
		free(o->events[i]);
	free(o->events);
	free(o->missing_events);
	free(o->unexpected_events);
}

static bool passed(const struct outcome *o)
{
	return !o->error && !o->nmissing && !o->nunexpected && !o->nmissing_events &&
	       !o->nunexpected_events;
}

/* Member ids as JSON strings (bytes that are not UTF-8 become U+FFFD). */
static json_t *id_array(const char *const *ids, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_add_utf8(&sb, ids[i], strlen(ids[i]));
		json_array_append_new(a, json_string(sb.buf));
		sb_release(&sb);
	}
	return a;
}

/* JSON texts (the events) as an array of their values. */
static json_t *event_array(const char *const *texts, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_loads(texts[i], 0, NULL));
	return a;
}

static json_t *outcome_json(const struct audience_test *t, const struct outcome *o)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s?}", "test", t->name,
			 "file", t->path, "audience", t->audience->name, "now", t->now.iso,
			 "result", passed(o) ? "pass" : "fail",
			 "members", id_array((const char *const *)o->members, o->nmembers),
			 "missing", id_array(o->missing, o->nmissing),
			 "unexpected", id_array(o->unexpected, o->nunexpected), "error", o->error);
	if (t->has_then) {
		json_object_set_new(j, "events", event_array((const char *const *)o->events, o->nevents));
		json_object_set_new(j, "missing_events",
				    event_array(o->missing_events, o->nmissing_events));
		json_object_set_new(j, "unexpected_events",
				    event_array(o->unexpected_events, o->nunexpected_events));
	}
	return j;
}

static void print_ids(const char *label, const char *const *ids, size_t n)
{
	if (!n)
		return;
	printf("      %s", label);
	for (size_t i = 0; i < n; i++)
		printf(" %s", ids[i]);
	putchar('\n');
}

static void outcome_print(const struct cli *c, const struct audience_test *t, const struct outcome *o)
{
	if (passed(o)) {
		if (!c->quiet)
			printf("ok    %s (%s, %s)\n", t->name, t->audience->name, t->path);
		return;
	}
	printf("FAIL  %s (%s, %s)\n", t->name, t->audience->name, t->path);
	if (o->error)
		printf("      %s\n", o->error);
	print_ids("missing:   ", o->missing, o->nmissing);
	print_ids("unexpected:", (const char *const *)o->unexpected, o->nunexpected);
	for (size_t i = 0; i < o->nmissing_events; i++)
		printf("      missing event:    %s\n", o->missing_events[i]);
	for (size_t i = 0; i < o->nunexpected_events; i++)
		printf("      unexpected event: %s\n", o->unexpected_events[i]);
}

/* Is t named on the command line (by its test name or its audience)? */
static bool selected(const struct audience_test *t, const struct opt_args *names, bool *used)
{
	if (!names->n)
		return true;
	bool hit = false;
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], t->name) == 0 || strcmp(names->v[i], t->audience->name) == 0)
			hit = used[i] = true;
	return hit;
}

int cmd_test(struct cli *c)
{
	const struct opt_table table = { .n = 0 };
	struct opt_args names;
	if (cli_parse_options(c, &table, &names) != 0)
		return EXIT_USAGE;
	struct project p;
	if (cli_open_project(c, &p) != 0) {
		opt_args_release(&names);
		return EXIT_ERRORS;
	}
	size_t nfiles, ntables;
	const char **files = audience_test_files(&p, &nfiles);
	struct graph_table *tables = graph_tables(&p.graph, &ntables);
	struct audience_test *tests = xcalloc(nfiles + 1, sizeof(*tests));
	for (size_t i = 0; i < nfiles; i++)
		audience_test_load(&p, tables, ntables, files[i], &tests[i]);

	int rc = EXIT_OK;
	bool *used = xcalloc(names.n + 1, sizeof(*used));
	if (p.diags.nerrors) {
		cli_print_diags(c, &p);
		rc = EXIT_ERRORS;
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++)
		selected(&tests[i], &names, used);
	for (size_t i = 0; i < names.n; i++)
		if (!used[i]) {
			fprintf(stderr, "lac: no audience test is named '%s' or tests an audience of that name\n",
				names.v[i]);
			rc = EXIT_ERRORS;
		}
	if (rc != EXIT_OK)
		goto out;

	size_t npass = 0, nfail = 0, nsel = 0;
	for (size_t i = 0; i < nfiles; i++)
		nsel += selected(&tests[i], &names, used);
	json_t *results = json_array();
	if (c->format == OUT_TEXT && !c->quiet)
		printf("%zu audience test%s, each on a temporary SQLite warehouse "
		       "(not the project's warehouse)\n", nsel, nsel == 1 ? "" : "s");
	for (size_t i = 0; i < nfiles; i++) {
		if (!selected(&tests[i], &names, used))
			continue;
		struct outcome o;
		run_one(&p, tables, ntables, &tests[i], &o);
		if (passed(&o))
			npass++;
		else
			nfail++;
		if (c->format == OUT_JSON)
			json_array_append_new(results, outcome_json(&tests[i], &o));
		else
			outcome_print(c, &tests[i], &o);
		outcome_release(&o);
	}
	if (c->format == OUT_JSON) {
		json_t *doc = json_pack("{s:s, s:o, s:i, s:i}", "warehouse", "temporary SQLite",
					"tests", results, "passed", (int)npass, "failed", (int)nfail);
		json_print_doc(stdout, doc);
		json_decref(doc);
	} else {
		json_decref(results);
		if (!c->quiet || nfail)
			printf("%zu passed, %zu failed\n", npass, nfail);
	}
	rc = nfail ? EXIT_ERRORS : EXIT_OK;
out:
	free(used);
	free(tests);
	graph_tables_free(tables, ntables);
	opt_args_release(&names);
	project_release(&p);
	return rc;
}
