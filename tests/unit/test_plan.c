/* test_plan.c — plans: create/update/delete/enable/disable against a state
 * DB, hashes that ignore layout and comments, the line diff, fingerprints,
 * the JSON shape and the texts apply records; the batch of runs apply
 * starts (run_audiences). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "check/check.h"
#include "plan/plan.h"
#include "run/run.h"

static char dir[64];

static int setup(void **unused)
{
	strcpy(dir, "/tmp/lac-plan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char *cmd = xasprintf("cp -R '%s/examples/petshop/.' '%s/' && rm -rf '%s/.lac'",
			      LAC_PLAN_SRCDIR, dir, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static int teardown(void **unused)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", dir, rel);
}

/* Replace the first `from` in a project file by `to`. */
static void edit(const char *rel, const char *from, const char *to)
{
	char *path = path_in(rel);
	size_t len;
	char *text = read_file(path, &len);
	assert_non_null(text);
	char *at = strstr(text, from);
	assert_non_null(at);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fclose(f);
	free(text);
	free(path);
}

static void load(struct project *p)
{
	project_init(p);
	assert_int_equal(check_load(p, dir), 0);
	assert_int_equal(p->diags.nerrors, 0);
}

static struct state *open_state(enum state_mode mode)
{
	char *path = path_in(".lac/state.db");
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	int rc = state_open(&st, path, mode, &err);
	free(path);
	sb_release(&err);
	return rc == 0 ? st : NULL;
}

/* What apply records (without runs). */
static void record(struct plan *pl)
{
	struct state *st = open_state(STATE_RW);
	struct strbuf err = STRBUF_INIT;
	assert_non_null(st);
	assert_int_equal(plan_record(st, pl, 1, &err), 0);
	state_close(st);
	sb_release(&err);
}

/* Plan the project against the state on disk (absent = NULL). */
static void compute(struct plan *pl, struct project *p)
{
	struct state *st = open_state(STATE_RO);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(plan_compute(pl, p, st, &err), 0);
	state_close(st);
	sb_release(&err);
}

static const struct plan_change *find(const struct plan *pl, enum plan_kind k, const char *name)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->changes[i].kind == k && strcmp(pl->changes[i].name, name) == 0)
			return &pl->changes[i];
	return NULL;
}

static bool has_detail(const struct plan_change *c, const char *needle)
{
	for (size_t i = 0; i < c->ndetails; i++)
		if (strstr(c->details[i], needle))
			return true;
	return false;
}

static void test_lifecycle(void **unused)
{
	struct project p;
	struct plan pl;

	/* nothing applied: everything is created, in name order */
	load(&p);
	compute(&pl, &p);
	assert_int_equal(pl.ncreate, 8);
	assert_int_equal(pl.nupdate + pl.ndelete, 0);
	assert_string_equal(pl.changes[0].name, "cat_owners");
	assert_int_equal(pl.changes[1].kind, PLAN_ACTIVATION);
	assert_string_equal(pl.changes[1].name, "welcome_cat");
	assert_string_equal(pl.changes[1].audience, "cat_owners");
	assert_string_equal(pl.changes[1].destination, "events_file");
	char *fp0 = xstrdup(pl.fingerprint);
	record(&pl);
	plan_release(&pl);

	/* the same files again: no changes, and a different state fingerprint */
	compute(&pl, &p);
	assert_int_equal(pl.n, 0);
	assert_false(plan_has_changes(&pl));
	assert_string_not_equal(pl.fingerprint, fp0);
	free(fp0);
	plan_release(&pl);
	project_release(&p);

	/* comments and layout are no change */
	edit("audiences/pets.lac", "audience cat_owners {", "# hello\naudience   cat_owners\n{");
	load(&p);
	compute(&pl, &p);
	assert_int_equal(pl.n, 0);
	plan_release(&pl);
	project_release(&p);

	/* a condition: update with the changed lines */
	edit("audiences/pets.lac", "{ type = \"cat\" }", "{ type = \"cat\" and age > 2 }");
	/* a disabled audience, a new activation, a deleted audience */
	edit("audiences/care.lac", "  schedule    every 30 minutes", "  schedule    every 30 minutes\n  enabled false");
	edit("audiences/pets.lac", "      households.pets { name, age }\n  }",
	     "      households.pets { name, age }\n  }\n  activation extra {\n"
	     "    destination events_file\n    trigger profile exited\n  }");
	edit("audiences/pets.lac", "audience petless_households", "audience petless2");
	load(&p);
	compute(&pl, &p);
	const struct plan_change *c = find(&pl, PLAN_AUDIENCE, "cat_owners");
	assert_non_null(c);
	assert_int_equal(c->action, PLAN_UPDATE);
	assert_true(has_detail(c, "- "));
	assert_true(has_detail(c, "type = \"cat\" and age > 2"));
	c = find(&pl, PLAN_AUDIENCE, "recent_buyers");
	assert_non_null(c);
	assert_int_equal(c->action, PLAN_DISABLE);
	c = find(&pl, PLAN_ACTIVATION, "extra");
	assert_non_null(c);
	assert_int_equal(c->action, PLAN_CREATE);
	assert_string_equal(c->audience, "multi_dog_owners");
	c = find(&pl, PLAN_AUDIENCE, "petless_households");
	assert_non_null(c);
	assert_int_equal(c->action, PLAN_DELETE);
	c = find(&pl, PLAN_AUDIENCE, "petless2");
	assert_non_null(c);
	assert_int_equal(c->action, PLAN_CREATE);
	assert_int_equal(pl.ncreate, 2);
	assert_int_equal(pl.nupdate, 2);
	assert_int_equal(pl.ndelete, 1);

	/* the JSON shape */
	char *json = plan_to_json(&pl, false, false);
	assert_non_null(strstr(json, "\"action\": \"disable\",\n      \"kind\": \"audience\",\n"
			       "      \"name\": \"recent_buyers\",\n      \"audience\": \"recent_buyers\",\n"
			       "      \"details\": []"));
	assert_non_null(strstr(json, "\"summary\": {\n    \"create\": 2,\n    \"update\": 2,\n"
			       "    \"delete\": 1\n  }"));
	assert_null(strstr(json, "fingerprint"));
	free(json);
	json = plan_to_json(&pl, false, true);
	assert_non_null(strstr(json, "\"state_fingerprint\""));
	assert_non_null(strstr(json, "\"plan_fingerprint\""));
	free(json);
	record(&pl);
	plan_release(&pl);

	/* applied: nothing left; enabling again is an enable */
	compute(&pl, &p);
	assert_int_equal(pl.n, 0);
	plan_release(&pl);
	project_release(&p);
	edit("audiences/care.lac", "  enabled false", "  enabled true");
	load(&p);
	compute(&pl, &p);
	assert_int_equal(pl.n, 1);
	assert_int_equal(pl.changes[0].action, PLAN_ENABLE);
	plan_release(&pl);
	project_release(&p);
}

static void test_hash_ignores_layout(void **unused)
{
	struct project p;
	load(&p);
	struct ast_audience *a = p.files[1]->audiences[0];
	char *h1 = run_audience_hash(&p, a);
	assert_int_equal(strlen(h1), 64);
	char *h2 = run_activation_hash(&p, a->activations[0]);
	assert_string_not_equal(h1, h2);
	project_release(&p);
	/* reordered settings and a comment: same hash */
	edit("audiences/pets.lac", "  name        \"Cat owners\"\n", "");
	edit("audiences/pets.lac", "  schedule    every 1 hour\n",
	     "  schedule every 1 hour # hourly\n  name \"Cat owners\"\n");
	load(&p);
	a = p.files[1]->audiences[0];
	char *h3 = run_audience_hash(&p, a);
	assert_string_equal(h1, h3);
	project_release(&p);
	/* a schedule is a change */
	edit("audiences/pets.lac", "every 1 hour", "every 2 hours");
	load(&p);
	char *h4 = run_audience_hash(&p, p.files[1]->audiences[0]);
	assert_string_not_equal(h1, h4);
	project_release(&p);
	free(h1);
	free(h2);
	free(h3);
	free(h4);
}

static void test_diff(void **unused)
{
	struct strbuf sb = STRBUF_INIT;
	plan_diff("a\nb\nc\n", "a\nb\nc\n", -1, &sb);
	assert_int_equal(sb.len, 0);
	plan_diff("a\nb\nc\n", "a\nx\nc\n", -1, &sb);
	assert_string_equal(sb.buf, "  a\n- b\n+ x\n  c\n");
	sb_reset(&sb);
	plan_diff("1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\n4\n5\n6\nX\n", 1, &sb);
	assert_string_equal(sb.buf, "  ...\n  6\n- 7\n+ X\n");
	sb_reset(&sb);
	plan_diff("", "new\n", -1, &sb);
	assert_string_equal(sb.buf, "+ new\n");
	sb_release(&sb);
}

static void test_fingerprint(void **unused)
{
	struct strbuf err = STRBUF_INIT;
	char *none = plan_state_fingerprint(NULL, &err);
	struct state *st = open_state(STATE_RW);
	assert_non_null(st);
	char *empty = plan_state_fingerprint(st, &err);
	/* creating the state must not make an earlier plan stale */
	assert_string_equal(none, empty);
	assert_int_equal(state_put_audience(st, "a", "h1", true, 1), 0);
	char *one = plan_state_fingerprint(st, &err);
	assert_string_not_equal(one, empty);
	assert_int_equal(state_put_audience(st, "a", "h1", false, 2), 0);
	char *disabled = plan_state_fingerprint(st, &err);
	assert_string_not_equal(one, disabled);
	/* runs are no change to the definitions */
	assert_int_equal(state_set_generation(st, "a", 7), 0);
	char *ran = plan_state_fingerprint(st, &err);
	assert_string_equal(disabled, ran);
	state_close(st);
	free(none);
	free(empty);
	free(one);
	free(disabled);
	free(ran);
	sb_release(&err);
}


/* Run SQL on the project's SQLite warehouse (data/warehouse.db). */
static void wh_exec(const char *sql)
{
	char *path = path_in("data/warehouse.db");
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
}

/* The preview of cat_vals's three activations at now, with the state's
 * baselines (none without a state). */
static void preview_all(struct project *p, struct run_preview_counts ev[3], const char *now)
{
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	struct state *st = open_state(STATE_RO);
	const struct ast_audience *a = p->files[2]->audiences[0];
	assert_string_equal(a->name, "cat_vals");
	assert_int_equal(warehouse_open_project(p, WH_READ, &w, &err), 0);
	for (size_t k = 0; k < 3; k++) {
		struct state_activation sa;
		bool found = st && state_get_activation(st, a->name, a->activations[k]->name, &sa) == 0;
		assert_int_equal(run_preview_events(p, &w, a->activations[k], found ? &sa : NULL, now, &ev[k],
						    &err), 0);
		if (found)
			state_activation_release(&sa);
	}
	warehouse_close(&w);
	state_close(st);
	sb_release(&err);
}

static void run_now(struct project *p, const char *now, struct run_report *rep)
{
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	struct state *st = open_state(STATE_RW);
	struct run_options o = { .now = now, .deliver = true, .quiet = true };
	assert_non_null(st);
	assert_int_equal(warehouse_open_project(p, WH_READ | WH_WRITE, &w, &err), 0);
	assert_int_equal(run_audience(p, &w, st, p->files[2]->audiences[0], &o, rep), 0);
	warehouse_close(&w);
	state_close(st);
	sb_release(&err);
}

/* The preview counts what the next run sends: value changes of `membership
 * or values changed`, profiles filtered for lack of the identifier, and it
 * leaves the warehouse as it was. */
static void test_preview_counts(void **unused)
{
	char *sqlpath = path_in("data/warehouse.sql"), *whpath = path_in("data/warehouse.db");
	char *sql = read_file(sqlpath, NULL);
	assert_non_null(sql);
	wh_exec(sql);
	free(sql);
	char *lac = path_in("audiences/zvals.lac");
	FILE *f = fopen(lac, "w");
	assert_non_null(f);
	fputs("audience cat_vals {\n  where { with entity households.pets { type = \"cat\" } }\n"
	      "  activation a_mvc {\n    destination events_file\n"
	      "    trigger membership or values changed\n    enrich traits email\n"
	      "    enrich households.pets { name, age }\n  }\n"
	      "  activation b_uid {\n    destination events_file\n    trigger membership changed\n"
	      "    identifier user_id\n  }\n"
	      "  activation c_new {\n    destination events_file\n    trigger profile entered\n"
	      "    send current\n  }\n}\n", f);
	fclose(f);
	free(lac);
	struct project p;
	load(&p);
	struct run_preview_counts ev[3];
	struct run_report rep;
	struct plan pl;   /* applied first: runs run what apply recorded */
	compute(&pl, &p);
	record(&pl);
	plan_release(&pl);

	/* no snapshot yet: only send current sends (every member) */
	preview_all(&p, ev, "2026-01-15 12:00:00");
	assert_int_equal(ev[0].events, 0);
	assert_int_equal(ev[1].events, 0);
	assert_int_equal(ev[2].events, 5);
	run_now(&p, "2026-01-15T12:00:00Z", &rep);
	assert_int_equal(rep.delivered, 5);
	run_report_release(&rep);

	/* Minou (h01: p01, p13) gets older: two value changes; p02 enters
	 * without a user_id; p07 exits */
	wh_exec("UPDATE PETS SET age = 4 WHERE id = 'x01'; DELETE FROM PETS WHERE id = 'x11';"
		"INSERT INTO PETS VALUES ('x30', 'h02', 'Mia', 'cat', 2, NULL)");
	size_t len0, len1;
	char *before = read_file(whpath, &len0);
	preview_all(&p, ev, "2026-01-15 13:00:00");
	char *after = read_file(whpath, &len1);
	assert_true(len0 == len1 && memcmp(before, after, len0) == 0);
	free(before);
	free(after);
	assert_int_equal(ev[0].events, 4);   /* +p02, -p07, p01 and p13 changed */
	assert_int_equal(ev[0].filtered, 0);
	assert_int_equal(ev[1].events, 0);   /* p02 and p07 have no user_id */
	assert_int_equal(ev[1].filtered, 2);
	assert_int_equal(ev[2].events, 1);
	run_now(&p, "2026-01-15T13:00:00Z", &rep);
	assert_int_equal(rep.delivered, ev[0].events + ev[1].events + ev[2].events);
	assert_int_equal(rep.filtered, ev[1].filtered);
	run_report_release(&rep);

	/* nothing changed since: nothing to send */
	preview_all(&p, ev, "2026-01-15 14:00:00");
	for (size_t k = 0; k < 3; k++)
		assert_int_equal(ev[k].events + ev[k].filtered + ev[k].invalid, 0);
	project_release(&p);
	free(sqlpath);
	free(whpath);
}

/* The filtered and invalid counts in the text and JSON forms. */
static void test_preview_print(void **unused)
{
	struct project p;
	load(&p);
	struct plan pl;
	compute(&pl, &p);
	struct plan_change *c = &pl.changes[1];
	assert_int_equal(c->kind, PLAN_ACTIVATION);
	c->preview.done = true;
	c->preview.ev = (struct run_preview_counts){ 1, 4, 2, false };
	char *json = plan_to_json(&pl, true, false);
	assert_non_null(strstr(json, "\"preview\": {\n        \"events\": 1,\n        \"filtered\": 4,\n"
			       "        \"invalid\": 2\n      }"));
	free(json);
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	plan_print_text(&pl, true, false, false, out);
	fclose(out);
	assert_non_null(strstr(buf, "      events: 1 (4 filtered at destination, 2 invalid)\n"));
	free(buf);
	/* an activation whose next run only records its baseline says so */
	c->preview.ev = (struct run_preview_counts){ 0, 0, 0, true };
	out = open_memstream(&buf, &n);
	plan_print_text(&pl, true, false, false, out);
	fclose(out);
	assert_non_null(strstr(buf, "      events: 0 (baseline only: its first run records the "
			       "members and sends nothing)\n"));
	free(buf);
	plan_release(&pl);
	project_release(&p);
}

/* Due: the audiences named in the NULL-terminated list arg. */
static bool named(void *arg, const struct ast_audience *a)
{
	for (const char *const *n = arg; *n; n++)
		if (strcmp(*n, a->name) == 0)
			return true;
	return false;
}

/* run_audiences runs what is due, each after the audience it reads (here
 * against file order), and opens the warehouse only for a run. */
static void test_run_audiences(void **unused)
{
	char *sqlpath = path_in("data/warehouse.sql"), *lac = path_in("audiences/a_reader.lac");
	char *sql = read_file(sqlpath, NULL);
	assert_non_null(sql);
	wh_exec(sql);
	free(sql);
	FILE *f = fopen(lac, "w");
	assert_non_null(f);
	fputs("audience reader {\n  where { part of audience vet_clients }\n}\n", f);
	fclose(f);
	struct project p;
	load(&p);
	struct state *st = open_state(STATE_RW);
	assert_non_null(st);
	size_t n;
	const struct ast_audience **all = run_every_audience(&p, &n);
	assert_string_equal(all[0]->name, "reader"); /* audiences/a_reader.lac comes first */
	struct strbuf err = STRBUF_INIT;

	static const char *const none[] = { NULL };
	struct run_batch b = { .run = { .now = "2026-01-15T12:00:00Z", .quiet = true },
			       .due = named, .due_arg = (void *)none, .form = RUN_REPORTS_JSON,
			       .reports = json_array() };
	struct warehouse w = { 0 };
	assert_int_equal(run_audiences(&p, &w, st, all, n, &b, &err), 0);
	assert_int_equal(json_array_size(b.reports), 0);
	assert_null(w.ops);

	static const char *const two[] = { "reader", "vet_clients", NULL };
	b.due_arg = (void *)two;
	assert_int_equal(run_audiences(&p, &w, st, all, n, &b, &err), 0);
	assert_non_null(w.ops);
	assert_int_equal(json_array_size(b.reports), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(b.reports, 0), "audience")),
			    "vet_clients");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b.reports, 1), "audience")),
			    "reader");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b.reports, 1), "result")),
			    "Live");

	/* a stop request (the daemon's signal) starts no further run */
	volatile sig_atomic_t stop = 1;
	b.stop = &stop;
	assert_int_equal(run_audiences(&p, &w, st, all, n, &b, &err), 0);
	assert_int_equal(json_array_size(b.reports), 2);

	json_decref(b.reports);
	warehouse_close(&w);
	free(all);
	state_close(st);
	sb_release(&err);
	project_release(&p);
	free(sqlpath);
	free(lac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_ignores_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preview_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_audiences, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
