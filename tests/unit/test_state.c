/* test_state.c — the state DB: file mode, migrations, read-only opens,
 * definitions, runs retention, the locks and the outbox counters.
 * With LAC_TEST_STATE_DSN set (tests/e2e/state_pg.sh) the same cases run on
 * a PostgreSQL state, one schema per case; the SQLite file's own cases
 * (file modes, triggers, query plans) are skipped there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state/alert_state.h"
#include "state/outbox.h"
#include "state/outbox_admin.h"
#include "state/sdb.h"
#include "state/state.h"

static char tmpdir[64];
static const char *pg_dsn; /* LAC_TEST_STATE_DSN */

/* The PostgreSQL schema standing for a state file of this run. */
static char *schema_for(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "t_%s_%s", tmpdir + strlen("/tmp/lac-state-"), path + strlen(tmpdir) + 1);
	for (size_t i = 0; i < sb.len; i++)
		if (!isalnum((unsigned char)sb.buf[i]))
			sb.buf[i] = '_';
		else
			sb.buf[i] = (char)tolower((unsigned char)sb.buf[i]);
	return sb_detach(&sb);
}

/* state_open on the backend under test. */
static int open_state(struct state **st, const char *path, enum state_mode mode, struct strbuf *err)
{
	if (!pg_dsn)
		return state_open(st, path, mode, err);
	char *schema = schema_for(path);
	int rc = state_open_postgres(st, pg_dsn, schema, mode, err);
	free(schema);
	return rc;
}

/* Cases about the SQLite file itself. */
#define SQLITE_ONLY() do { if (pg_dsn) skip(); } while (0)

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/lac-state-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static struct state *open_rw(const char *path)
{
	struct state *st;
	struct strbuf err = STRBUF_INIT;
	int rc = open_state(&st, path, STATE_RW, &err);
	if (rc != 0)
		fail_msg("open %s: %s", path, err.buf);
	sb_release(&err);
	return st;
}

static int count_rows(struct state *st, const char *sql)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), sql);
	if (!s)
		fail_msg("%s: %s", sql, sdb_errmsg(state_sdb(st)));
	assert_int_equal(sdb_step(s), SDB_ROW);
	int n = (int)sdb_column_int64(s, 0);
	sdb_finalize(s);
	return n;
}

static void exec_ok(struct state *st, const char *sql)
{
	if (sdb_exec(state_sdb(st), sql) < 0)
		fail_msg("%s: %s", sql, sdb_errmsg(state_sdb(st)));
}

static void test_creates_private_file_and_dirs(void **state)
{
	SQLITE_ONLY();
	char *path = path_in("a/b/state.db");
	struct state *st = open_rw(path);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *dir = path_in("a/b");
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(state_schema_version(st), STATE_SCHEMA_VERSION);
	state_close(st);
	free(dir);
	free(path);
}

static void test_migrations_idempotent(void **state)
{
	char *path = path_in("m.db");
	for (int i = 0; i < 3; i++) {
		struct state *st = open_rw(path);
		assert_int_equal(state_schema_version(st), STATE_SCHEMA_VERSION);
		/* one row per migration, however often it is opened */
		assert_int_equal(count_rows(st, "SELECT count(*) FROM schema_version"), STATE_SCHEMA_VERSION);
		/* the counters are kept by outbox.c, not by triggers (migration 3) */
		if (!pg_dsn)
			assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 0);
		state_close(st);
	}
	/* a newer schema than this build knows is refused, not clobbered */
	struct state *st = open_rw(path);
	exec_ok(st, "INSERT INTO schema_version VALUES (99, 0)");
	state_close(st);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(open_state(&st, path, STATE_RW, &err), -1);
	assert_non_null(strstr(err.buf, "newer"));
	sb_reset(&err);
	assert_int_equal(open_state(&st, path, STATE_RO, &err), -1);
	assert_non_null(strstr(err.buf, "newer"));
	sb_release(&err);
	free(path);
}

/* Deliver every event of destination d, with these outcomes by message id
 * (anything not listed is delivered). */
static void deliver_marking(struct state *st, const char *d, const char *const *ids,
			    const enum outbox_status *outs, size_t nouts, int64_t now)
{
	struct outbox_reader *r = outbox_reader_open(st, d);
	const struct outbox_item *items;
	size_t n;
	while (outbox_reader_next(r, 1000, 1 << 20, &items, &n) > 0) {
		enum outbox_status *status = xcalloc(n, sizeof(*status));
		const char **reasons = xcalloc(n, sizeof(*reasons));
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < nouts; k++)
				if (strcmp(ids[k], items[i].message_id) == 0) {
					status[i] = outs[k];
					reasons[i] = outs[k] == OUTBOX_FAILED ? "HTTP 400" : "HTTP 503";
				}
		for (size_t i = 0; i < n; i++)
			if (!reasons[i])
				status[i] = OUTBOX_DELIVERED;
		assert_int_equal(outbox_reader_done(r, status, reasons, now), 0);
		free(status);
		free(reasons);
	}
	outbox_reader_close(r);
}

/* A version 4 state (before source, graph and values_enrich) reads
 * read-only, unmigrated, with NULL for what it lacks; read-write migrates. */
static void test_readonly_reads_older_schema(void **state)
{
	SQLITE_ONLY();
	char *path = path_in("v4.db");
	struct state *st = open_rw(path);
	exec_ok(st,
		"DELETE FROM schema_version WHERE version > 4;"
		"ALTER TABLE audiences DROP COLUMN source;"
		"ALTER TABLE audiences DROP COLUMN graph;"
		"ALTER TABLE activations DROP COLUMN values_enrich;"
		"DROP TABLE state_moved;"
		"DROP TABLE state_project;"
		"DROP TABLE alert_members; DROP TABLE alert_delivered; DROP TABLE alert_evaluations;"
		"DROP TABLE alert_status; DROP TABLE alerts_fired;"
		"DROP TABLE outbox_discarded;"
		"INSERT INTO audiences (name, hash, enabled, created_at, updated_at) VALUES ('pets', 'h1', 1, 1, 1);"
		"INSERT INTO activations (audience, name, destination, hash, enabled, created_at, updated_at)"
		" VALUES ('pets', 'act', 'd', 'h2', 1, 1, 1);");
	state_close(st);

	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_open(&st, path, STATE_RO, &err), 0);
	assert_int_equal(state_schema_version(st), 4);
	struct state_audience a;
	assert_int_equal(state_get_audience(st, "pets", &a), 0);
	assert_string_equal(a.hash, "h1");
	assert_null(a.source);
	assert_null(a.graph);
	state_audience_release(&a);
	struct state_activation act;
	assert_int_equal(state_get_activation(st, "pets", "act", &act), 0);
	assert_string_equal(act.hash, "h2");
	assert_null(act.values_enrich);
	state_activation_release(&act);
	state_close(st);

	st = open_rw(path);
	assert_int_equal(state_schema_version(st), STATE_SCHEMA_VERSION);
	assert_int_equal(state_put_definition(st, "pets", "src", "{}"), 0);
	assert_int_equal(state_get_audience(st, "pets", &a), 0);
	assert_string_equal(a.source, "src");
	state_audience_release(&a);
	state_close(st);
	sb_release(&err);
	free(path);
}

/* A version 2 database (counter triggers, outbox_by_run) keeps its counters
 * and loses the triggers when migration 3 runs; migration 4 adds the chunk
 * tables, and a row queued before still goes out. */
/* What alerts keep (migration 9): the day's figures, the claim of a day,
 * each alert's side of its threshold and the fired alerts. */
static int collect_fired(const struct state_fired_alert *f, void *ctx)
{
	struct strbuf *sb = ctx;
	sb_addf(sb, "%lld %s.%s %s %lld->%lld %s\n", (long long)f->fired_at, f->audience, f->alert,
		f->kind, (long long)f->previous, (long long)f->current, f->channels);
	return 0;
}

static void test_alert_tables(void **state)
{
	char *path = path_in("alerts.db");
	struct state *st = open_rw(path);
	int64_t day = 20468, t = day * 86400;
	assert_int_equal(state_day_of(t), day);
	assert_int_equal(state_day_of(t + 86399), day);
	assert_int_equal(state_day_of(-1), -1);

	/* the last run of a day wins; another day is apart */
	assert_int_equal(state_alert_record_members(st, "cats", t + 10, 5), 0);
	assert_int_equal(state_alert_record_members(st, "cats", t + 20, 7), 0);
	assert_int_equal(state_alert_record_members(st, "cats", t + 86400, 9), 0);
	int64_t v = -1;
	assert_int_equal(state_alert_members(st, "cats", day, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(state_alert_members(st, "cats", day - 1, &v), 1);
	assert_int_equal(state_alert_members(st, "dogs", day, &v), 1);

	/* deliveries add up per audience, destination and day */
	assert_int_equal(state_alert_count_delivered(st, "cats", "hook", t + 1, 3), 0);
	assert_int_equal(state_alert_count_delivered(st, "cats", "hook", t + 2, 4), 0);
	assert_int_equal(state_alert_count_delivered(st, "cats", "file", t + 2, 1), 0);
	assert_int_equal(state_alert_delivered(st, "cats", "hook", day, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(state_alert_delivered(st, "cats", "hook", day + 1, &v), 0);
	assert_int_equal(v, 0);

	/* a day is claimed once */
	assert_int_equal(state_alert_day_evaluated(st, day), 0);
	assert_int_equal(state_alert_claim_day(st, day, t), 1);
	assert_int_equal(state_alert_claim_day(st, day, t + 5), 0);
	assert_int_equal(state_alert_day_evaluated(st, day), 1);

	bool outside = true;
	assert_int_equal(state_alert_outside(st, "cats", "shrink", &outside), 0);
	assert_false(outside);
	assert_int_equal(state_alert_set_outside(st, "cats", "shrink", true), 0);
	assert_int_equal(state_alert_outside(st, "cats", "shrink", &outside), 0);
	assert_true(outside);

	struct state_fired_alert f = { .fired_at = t, .audience = "cats", .alert = "shrink",
				       .kind = "size_change", .previous = 10, .current = 7,
				       .channels = "[]" };
	assert_int_equal(state_alert_add_fired(st, &f), 0);
	int64_t first = f.id;
	f.alert = "health";
	assert_int_equal(state_alert_add_fired(st, &f), 0);
	assert_true(f.id > first);
	assert_int_equal(state_alert_set_channels(st, first, "[{\"name\":\"s\"}]"), 0);
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(state_alert_list_fired(st, collect_fired, &sb), 0);
	char *want = xasprintf("%lld cats.shrink size_change 10->7 [{\"name\":\"s\"}]\n"
			       "%lld cats.health size_change 10->7 []\n", (long long)t, (long long)t);
	assert_string_equal(sb.buf, want);
	free(want);
	sb_release(&sb);

	/* deleting the audience forgets its figures, not what fired */
	assert_int_equal(state_delete_audience(st, "cats"), 0);
	assert_int_equal(state_alert_members(st, "cats", day, &v), 1);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM alerts_fired"), 2);
	state_close(st);
	free(path);
}

static void test_migration_3_drops_triggers(void **state)
{
	SQLITE_ONLY();
	char *path = path_in("m2.db");
	struct state *st = open_rw(path);
	/* make it look like version 2 again, with a counted row */
	exec_ok(st,
		"DELETE FROM schema_version WHERE version >= 3;"
		"ALTER TABLE audiences DROP COLUMN source;"
		"ALTER TABLE audiences DROP COLUMN graph;"
		"ALTER TABLE activations DROP COLUMN values_enrich;"
		"DROP TABLE outbox_chunks;"
		"DROP TABLE outbox_chunk_events;"
		"DROP TABLE state_moved;"
		"DROP TABLE state_project;"
		"DROP TABLE alert_members; DROP TABLE alert_delivered; DROP TABLE alert_evaluations;"
		"DROP TABLE alert_status; DROP TABLE alerts_fired;"
		"DROP TABLE outbox_discarded;"
		"DROP INDEX outbox_run;"
		"CREATE INDEX outbox_by_run ON outbox (run_id, activation);"
		"CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN SELECT 1; END;"
		"CREATE TRIGGER outbox_counts_update AFTER UPDATE OF status ON outbox BEGIN SELECT 1; END;"
		"INSERT INTO delivery_stats (run_id, audience, activation, from_audience, pending)"
		" VALUES ('r', 'pets', 'act', 1, 1);"
		"INSERT INTO outbox (message_id, destination, audience, activation, run_id, payload, status,"
		" created_at, updated_at) VALUES ('x', 'd', 'pets', 'act', 'r', '{}', 'pending', 1, 1);");
	state_close(st);
	st = open_rw(path);
	assert_int_equal(state_schema_version(st), STATE_SCHEMA_VERSION);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_by_run'"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_run'"), 1);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_chunks'"), 1);
	assert_int_equal(outbox_count(st, "d", OUTBOX_PENDING), 1);
	deliver_marking(st, "d", NULL, NULL, 0, 2);
	struct delivery_counts c;
	assert_int_equal(state_get_counts(st, "r", "pets", "act", &c), 0);
	assert_int_equal(c.from_audience, 1);
	assert_int_equal(c.pending, 0);
	assert_int_equal(c.delivered, 1);
	state_close(st);
	free(path);
}

/* The plan of a query on the state DB, one detail per line. */
static char *plan_of(struct state *st, const char *sql)
{
	char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), q);
	assert_non_null(s);
	struct strbuf sb = STRBUF_INIT;
	while (sdb_step(s) == SDB_ROW)
		sb_addf(&sb, "%s\n", sdb_column_text(s, 3));
	sdb_finalize(s);
	free(q);
	return sb_detach(&sb);
}

/* The queries a run and a delivery make per page or per event use an index
 * (no full scan of the outbox, which can hold millions of rows). */
static void test_outbox_query_plans(void **state)
{
	SQLITE_ONLY();
	char *path = path_in("p.db");
	struct state *st = open_rw(path);
	static const char *const indexed[] = {
		/* outbox.c reader: rows, both phases, then chunks */
		"SELECT seq FROM outbox WHERE destination = 'd' AND status IN ('pending', 'failed')"
		" AND attempts > 0 AND seq > 0 ORDER BY seq LIMIT 10",
		"SELECT seq FROM outbox WHERE destination = 'd' AND status = 'pending' AND attempts = 0"
		" AND seq > 0 ORDER BY seq LIMIT 10",
		"SELECT id, payload FROM outbox_chunks JOIN outbox_chunk_events ON chunk_id = id"
		" WHERE destination = 'd' AND id > 0 ORDER BY id LIMIT 1",
		/* outcomes */
		"SELECT run_id FROM outbox WHERE seq = 1",
		"UPDATE outbox SET status = 'failed' WHERE seq = 1",
		"UPDATE outbox SET status = 'delivered' WHERE seq IN (SELECT value FROM json_each('[1,2]'))",
		"SELECT run_id, count(*) FROM outbox WHERE seq IN (SELECT value FROM json_each('[1,2]'))"
		" AND status <> 'delivered' GROUP BY run_id",
		"UPDATE outbox_chunks SET next = 2 WHERE id = 1",
		"DELETE FROM outbox_chunk_events WHERE chunk_id = 1",
		/* outbox_count, outbox_discard_run */
		"SELECT count(*) FROM outbox WHERE destination = 'd' AND status = 'pending'",
		"SELECT coalesce(sum(events - next), 0) FROM outbox_chunks WHERE destination = 'd'",
		"DELETE FROM outbox WHERE run_id = 'r' AND status IN ('pending', 'invalid')",
		"DELETE FROM outbox_chunk_events WHERE chunk_id IN (SELECT id FROM outbox_chunks WHERE run_id = 'r')",
		"DELETE FROM outbox_chunks WHERE run_id = 'r'",
	};
	for (size_t i = 0; i < sizeof(indexed) / sizeof(indexed[0]); i++) {
		char *plan = plan_of(st, indexed[i]);
		if (strstr(plan, "SCAN outbox"))
			fail_msg("full scan of the outbox:\n%s\n%s", indexed[i], plan);
		free(plan);
	}
	state_close(st);
	free(path);
}

static void test_readonly_never_creates(void **state)
{
	char *path = path_in("ro/state.db");
	struct state *st = (struct state *)1;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(open_state(&st, path, STATE_RO, &err), 1);
	assert_null(st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), -1);
	char *dir = path_in("ro");
	assert_int_equal(stat(dir, &sb), -1);
	if (pg_dsn) {
		/* no schema was made by that */
		char *other = path_in("other.db");
		st = open_rw(other);
		free(other);
		char *schema = schema_for(path), *sql = xasprintf(
			"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '%s'", schema);
		assert_int_equal(count_rows(st, sql), 0);
		free(sql);
		free(schema);
		state_close(st);
	}

	/* an existing DB opens read-only and refuses writes */
	st = open_rw(path);
	assert_int_equal(state_put_audience(st, "pets", "h1", true, 100), 0);
	state_close(st);
	assert_int_equal(open_state(&st, path, STATE_RO, &err), 0);
	assert_true(state_readonly(st));
	struct state_audience a;
	assert_int_equal(state_get_audience(st, "pets", &a), 0);
	assert_string_equal(a.hash, "h1");
	state_audience_release(&a);
	assert_int_equal(state_put_audience(st, "cats", "h2", true, 100), -1);
	state_close(st);
	/* not even SQLite's -wal/-shm side files appear */
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	assert_int_equal(stat(wal, &sb), -1);
	assert_int_equal(stat(shm, &sb), -1);
	free(wal);
	free(shm);
	sb_release(&err);
	free(dir);
	free(path);
}

static void test_definitions(void **state)
{
	char *path = path_in("d.db");
	struct state *st = open_rw(path);
	assert_int_equal(state_put_audience(st, "pets", "h1", true, 100), 0);
	assert_int_equal(state_put_audience(st, "pets", "h1", true, 200), 0);
	struct state_audience a;
	assert_int_equal(state_get_audience(st, "pets", &a), 0);
	assert_int_equal(a.created, 100);
	assert_int_equal(a.updated, 100); /* unchanged definition: not updated */
	state_audience_release(&a);
	assert_int_equal(state_put_audience(st, "pets", "h2", false, 300), 0);
	assert_int_equal(state_get_audience(st, "pets", &a), 0);
	assert_int_equal(a.updated, 300);
	assert_false(a.enabled);
	state_audience_release(&a);
	assert_int_equal(state_get_audience(st, "nope", &a), 1);

	assert_int_equal(state_put_activation(st, "pets", "to_file", "events_file", "x", true, 100), 0);
	struct state_activation act;
	assert_int_equal(state_get_activation(st, "pets", "to_file", &act), 0);
	assert_false(act.has_baseline);
	state_activation_release(&act);
	assert_int_equal(state_set_baseline(st, "pets", "to_file", 7), 0);
	assert_int_equal(state_get_activation(st, "pets", "to_file", &act), 0);
	assert_true(act.has_baseline);
	assert_int_equal(act.baseline_generation, 7);
	state_activation_release(&act);

	assert_int_equal(state_delete_audience(st, "pets"), 0);
	assert_int_equal(state_get_audience(st, "pets", &a), 1);
	assert_int_equal(state_get_activation(st, "pets", "to_file", &act), 1);
	state_close(st);
	free(path);
}

static int count_cb(const struct state_run *r, void *ctx)
{
	int *n = ctx;
	(*n)++;
	return 0;
}

static void test_runs_keep_last_50(void **state)
{
	char *path = path_in("r.db");
	struct state *st = open_rw(path);
	char first[64] = "";
	for (int i = 0; i < 60; i++) {
		char *id = state_new_run_id(1000 + i);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", id);
		assert_int_equal(state_run_begin(st, id, "pets", i, 1000 + i), 0);
		assert_int_equal(state_count_filtered(st, id, "pets", "act", 1), 0);
		struct state_run r = { .id = id, .result = RUN_LIVE, .duration_ms = 5, .preparing_ms = 2,
				       .summary = "{\"entered\":1}", .generation = i };
		assert_int_equal(state_run_finish(st, &r), 0);
		free(id);
	}
	/* another audience's runs are not pruned by these */
	char *other = state_new_run_id(5);
	assert_int_equal(state_run_begin(st, other, "cats", 1, 5), 0);
	int n = 0;
	assert_int_equal(state_list_runs(st, "pets", 0, count_cb, &n), 0);
	assert_int_equal(n, STATE_RUNS_KEPT);
	struct state_run r;
	assert_int_equal(state_get_run(st, first, &r), 1);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM delivery_stats WHERE audience = 'pets'"),
			 STATE_RUNS_KEPT);
	assert_int_equal(state_unfinished_run(st, "pets", &r), 1);
	assert_int_equal(state_unfinished_run(st, "cats", &r), 0);
	assert_string_equal(r.id, other);
	assert_int_equal(r.result, RUN_RUNNING);
	state_run_release(&r);
	free(other);
	state_close(st);
	free(path);
}

/* the latest run by start time, whatever its result or the order recorded */
static void test_last_run(void **state)
{
	char *path = path_in("last.db");
	struct state *st = open_rw(path);
	struct state_run r;
	assert_int_equal(state_last_run(st, "pets", &r), 1);
	state_run_release(&r);
	const int64_t starts[] = { 2000, 3000, 1000 };
	char *ids[3];
	for (int i = 0; i < 3; i++) {
		ids[i] = state_new_run_id(starts[i]);
		assert_int_equal(state_run_begin(st, ids[i], "pets", i + 1, starts[i]), 0);
	}
	struct state_run done = { .id = ids[1], .result = RUN_FAILED, .error = "boom" };
	assert_int_equal(state_run_finish(st, &done), 0);
	char *other = state_new_run_id(9000);
	assert_int_equal(state_run_begin(st, other, "cats", 1, 9000), 0);
	assert_int_equal(state_last_run(st, "pets", &r), 0);
	assert_int_equal(r.started, 3000);
	assert_string_equal(r.id, ids[1]);
	state_run_release(&r);
	for (int i = 0; i < 3; i++)
		free(ids[i]);
	free(other);
	state_close(st);
	free(path);
}

/* "held by <command> pid <this pid> on <this host> since <UTC timestamp>" */
static void assert_held_by_me(const char *msg, const char *command)
{
	char host[256];
	gethostname(host, sizeof(host));
	host[255] = '\0';
	char *want = xasprintf("held by %s pid %ld on %s since 20", command, (long)getpid(), host);
	if (strncmp(msg, want, strlen(want)) != 0 || strlen(msg) != strlen(want) + strlen("26-01-01T00:00:00Z"))
		fail_msg("'%s' is not '%s...'", msg, want);
	free(want);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Two handles on one state are two holders (two connections, two open
 * lock files), as two processes would be. */
static void test_lock(void **state)
{
	char *path = path_in("l.db");
	struct state *a = open_rw(path), *b = open_rw(path);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_lock(a, "run:pets", "run", 0, &err), 0);
	assert_int_equal(state_lock(b, "run:pets", "apply", 0, &err), 1);
	assert_held_by_me(err.buf, "run");
	sb_reset(&err);
	assert_int_equal(state_lock(b, "run:cats", "daemon", 0, &err), 0);
	/* taken twice by one handle: held until released twice */
	assert_int_equal(state_lock(a, "run:pets", "run", 0, &err), 0);
	state_unlock(a, "run:pets");
	assert_int_equal(state_lock(b, "run:pets", "apply", 0, &err), 1);
	state_unlock(a, "run:pets");
	sb_reset(&err);
	assert_int_equal(state_lock(b, "run:pets", "apply", 0, &err), 0);
	assert_int_equal(state_lock(a, "run:pets", "run", 0, &err), 1);
	assert_held_by_me(err.buf, "apply");
	sb_reset(&err);
	/* a timeout waits, then says who holds it */
	assert_int_equal(state_lock(a, "apply", "state import", 0, &err), 0);
	int64_t t0 = now_ms();
	assert_int_equal(state_lock(b, "apply", "apply", 300, &err), 1);
	assert_true(now_ms() - t0 >= 300);
	assert_held_by_me(err.buf, "state import");
	sb_reset(&err);
	/* ... or takes it when it is released meanwhile: closing frees every lock */
	state_close(a);
	assert_int_equal(state_lock(b, "apply", "apply", 0, &err), 0);
	/* not lock ids */
	static const char *const bad[] = { "", "run:", "run:1x", "run:a b", "run:../x", "plan", "Apply" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		sb_reset(&err);
		assert_int_equal(state_lock(b, bad[i], "run", 0, &err), -1);
		assert_non_null(strstr(err.buf, "not a lock id"));
	}
	sb_release(&err);
	state_close(b);
	free(path);
}

/* `lac state unlock`: PostgreSQL ends the holder's session; a SQLite lock
 * ends with its holder, so a live one is only reported. */
static void test_break_lock(void **state)
{
	char *path = path_in("k.db");
	struct state *a = open_rw(path), *c = open_rw(path);
	struct strbuf err = STRBUF_INIT, holder = STRBUF_INIT;
	assert_int_equal(state_break_lock(c, "run:pets", &holder, &err), STATE_LOCK_NOT_HELD);
	assert_int_equal(holder.len, 0);
	assert_int_equal(state_lock(a, "run:pets", "daemon", 0, &err), 0);
	assert_int_equal(state_lock_check(a, &err), 0);
	int found = state_break_lock(c, "run:pets", &holder, &err);
	assert_held_by_me(holder.buf, "daemon");
	if (pg_dsn) {
		assert_int_equal(found, STATE_LOCK_BROKEN);
		/* the holder finds out at its next statement, and must stop */
		assert_false(state_lost(a));
		assert_int_equal(state_lock_check(a, &err), -1);
		assert_true(state_lost(a));
		assert_non_null(strstr(err.buf, "lost the connection"));
		sb_reset(&err);
		assert_int_equal(state_lock(c, "run:pets", "run", 0, &err), 0);
		state_unlock(c, "run:pets");
	} else {
		assert_int_equal(found, STATE_LOCK_HOLDER_ALIVE);
		assert_int_equal(state_lock(c, "run:pets", "run", 0, &err), 1);
		state_close(a);
		a = NULL;
		/* the holder is gone: its record is cleared, nothing is held */
		sb_reset(&holder);
		assert_int_equal(state_break_lock(c, "run:pets", &holder, &err), STATE_LOCK_NOT_HELD);
		sb_reset(&err);
		assert_int_equal(state_lock(c, "run:pets", "run", 0, &err), 0);
		/* the lock files sit next to the state file, private */
		char *file = xasprintf("%s-locks/run-pets", path);
		struct stat sb;
		assert_int_equal(stat(file, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		free(file);
	}
	/* a lock this handle holds is not broken by it */
	assert_int_equal(state_lock(c, "run:dogs", "run", 0, &err), 0);
	sb_reset(&err);
	assert_int_equal(state_break_lock(c, "run:dogs", &holder, &err), -1);
	sb_release(&err);
	sb_release(&holder);
	state_close(a);
	state_close(c);
	free(path);
}

/* A read-only state (plan) takes no locks. */
static void test_readonly_takes_no_lock(void **state)
{
	char *path = path_in("r.db");
	state_close(open_rw(path));
	struct state *st;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(open_state(&st, path, STATE_RO, &err), 0);
	assert_int_equal(state_lock(st, "apply", "plan", 0, &err), -1);
	assert_non_null(strstr(err.buf, "read-only"));
	state_close(st);
	sb_release(&err);
	free(path);
}

/* The ids a delivery for audience would send to d (marked delivered), in order. */
static char *deliver_for(struct state *st, const char *d, const char *audience)
{
	struct strbuf ids = STRBUF_INIT;
	struct outbox_reader *r = outbox_reader_open_for(st, d, audience);
	const struct outbox_item *items;
	size_t n;
	while (outbox_reader_next(r, 1000, 1 << 20, &items, &n) > 0) {
		enum outbox_status *status = xcalloc(n, sizeof(*status));
		for (size_t i = 0; i < n; i++) {
			sb_addf(&ids, "%s ", items[i].message_id);
			status[i] = OUTBOX_DELIVERED;
		}
		assert_int_equal(outbox_reader_done(r, status, NULL, 200), 0);
		free(status);
	}
	outbox_reader_close(r);
	return sb_detach(&ids);
}

/* A run's delivery leaves another audience's running run's events (not
 * swapped yet: --jobs neighbours, or crashed) to that audience's run. */
static void test_delivery_holds_back_running_runs(void **state)
{
	char *path = path_in("h.db");
	struct state *st = open_rw(path);
	assert_int_equal(state_run_begin(st, "run_p", "pets", 1, 100), 0);
	assert_int_equal(state_run_begin(st, "run_c", "cats", 1, 100), 0);
	struct outbox_writer *w = outbox_writer_new(st, 100);
	struct outbox_event evs[] = {
		{ "p1", "hook", "pets", "act", "run_p", "{}", 2 },
		{ "c1", "hook", "cats", "act", "run_c", "{}", 2 },
		{ "p2", "hook", "pets", "act", "run_p", "{}", 2 },
	};
	for (size_t i = 0; i < ARRAY_LEN(evs); i++)
		assert_int_equal(outbox_add(w, &evs[i]), 0);
	assert_int_equal(outbox_writer_finish(w), 0);
	char *ids = deliver_for(st, "hook", "pets");
	assert_string_equal(ids, "p1 p2 ");
	free(ids);
	/* cats' run ended: its events go with anyone's delivery */
	struct state_run r = { .id = "run_c", .result = RUN_LIVE };
	assert_int_equal(state_run_finish(st, &r), 0);
	ids = deliver_for(st, "hook", "pets");
	assert_string_equal(ids, "c1 ");
	free(ids);
	state_close(st);
	free(path);
}

static void test_counters_follow_outbox(void **state)
{
	char *path = path_in("c.db");
	struct state *st = open_rw(path);
	struct outbox_writer *w = outbox_writer_new(st, 100);
	char id[8];
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		struct outbox_event ev = { id, "hook", "pets", "act", "run1", "{}", 2 };
		assert_int_equal(outbox_add(w, &ev), 0);
	}
	struct outbox_event bad = { "m9", "hook", "pets", "act", "run1", "{}", 2 };
	assert_int_equal(outbox_add_invalid(w, &bad, "too big"), 1);
	assert_int_equal(outbox_add_invalid(w, &bad, "too big"), 0);
	assert_int_equal(outbox_writer_finish(w), 0);
	assert_int_equal(state_count_filtered(st, "run1", "pets", "act", 2), 0);

	/* m1 refused, m2 and m3 not taken; then m1 delivered, m2 still not, m3 refused */
	const char *ids1[] = { "m1", "m2", "m3" };
	const enum outbox_status outs1[] = { OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_PENDING };
	deliver_marking(st, "hook", ids1, outs1, 3, 101);
	const char *ids2[] = { "m2", "m3" };
	const enum outbox_status outs2[] = { OUTBOX_PENDING, OUTBOX_FAILED };
	deliver_marking(st, "hook", ids2, outs2, 2, 102);
	struct delivery_counts c;
	assert_int_equal(state_get_counts(st, "run1", "pets", "act", &c), 0);
	assert_int_equal(c.from_audience, 8);
	assert_int_equal(c.filtered, 2);
	assert_int_equal(c.invalid, 1);
	assert_int_equal(c.delivered, 3);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.pending, 1);
	assert_int_equal(count_rows(st, "SELECT attempts FROM outbox WHERE message_id = 'm2'"), 2);
	assert_int_equal(state_get_counts(st, "run2", "pets", "act", &c), 1);
	assert_int_equal(state_get_counts_total(st, "pets", "act", &c), 0);
	assert_int_equal(c.delivered, 3);
	state_close(st);
	free(path);
}

/* Every counter agrees with the outbox: the events still queued (chunk
 * remainders and pending rows), the failed and invalid rows, and in all
 * (delivered chunk events are gone, so that one is a sum). */
static void assert_counts_match_outbox(struct state *st)
{
	assert_int_equal(count_rows(st,
		"SELECT count(*) FROM delivery_stats AS d LEFT JOIN (SELECT run_id, audience, activation,"
		" sum(p) AS p, sum(f) AS f, sum(i) AS i, sum(dl) AS dl FROM ("
		"  SELECT run_id, audience, activation, CASE status WHEN 'pending' THEN 1 ELSE 0 END AS p,"
		"  CASE status WHEN 'failed' THEN 1 ELSE 0 END AS f, CASE status WHEN 'invalid' THEN 1 ELSE 0 END AS i,"
		"  CASE status WHEN 'delivered' THEN 1 ELSE 0 END AS dl FROM outbox"
		"  UNION ALL SELECT run_id, audience, activation, events - next, 0, 0, 0 FROM outbox_chunks) AS u"
		" GROUP BY 1, 2, 3) AS o USING (run_id, audience, activation)"
		" WHERE d.pending <> coalesce(o.p, 0) OR d.failed <> coalesce(o.f, 0)"
		" OR d.invalid <> coalesce(o.i, 0) OR d.delivered < coalesce(o.dl, 0)"
		" OR d.from_audience - d.filtered <> d.pending + d.failed + d.delivered + d.invalid"), 0);
	assert_int_equal(count_rows(st,
		"SELECT count(*) FROM (SELECT run_id, audience, activation FROM outbox UNION"
		" SELECT run_id, audience, activation FROM outbox_chunks)"
		" AS o LEFT JOIN delivery_stats AS d USING (run_id, audience, activation)"
		" WHERE d.run_id IS NULL"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox_chunks LEFT JOIN outbox_chunk_events"
				    " ON chunk_id = id WHERE chunk_id IS NULL"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox_chunk_events LEFT JOIN outbox_chunks"
				    " ON chunk_id = id WHERE id IS NULL"), 0);
}

/* Counts applied per chunk and per delivered page stay exact: across chunk
 * commits, interleaved activations and runs, after an aborted writer, for
 * pages mixing outcomes, for retried rows, and through retention. */
static void test_counters_in_bulk(void **state)
{
	char *path = path_in("b.db");
	struct state *st = open_rw(path);
	char id[16];
	int n = OUTBOX_CHUNK_EVENTS + 7;
	struct outbox_writer *w = outbox_writer_new(st, 100);
	for (int i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "a%d", i);
		struct outbox_event ev = { id, "d", "pets", i % 3 ? "act1" : "act2", i < 50 ? "r1" : "r2",
					   "{}", 2 };
		if (i % 101 == 0)
			assert_int_equal(outbox_add_invalid(w, &ev, "too big"), 1);
		else
			assert_int_equal(outbox_add(w, &ev), 0);
	}
	assert_int_equal(outbox_writer_finish(w), 0);
	assert_counts_match_outbox(st);
	int queued = count_rows(st, "SELECT sum(events) FROM outbox_chunks");
	assert_int_equal(queued, n - (n + 100) / 101);
	/* an aborted writer leaves neither rows nor counts */
	w = outbox_writer_new(st, 100);
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "b%d", i);
		struct outbox_event ev = { id, "d", "pets", "act1", "r3", "{}", 2 };
		assert_int_equal(outbox_add(w, &ev), 0);
	}
	outbox_writer_abort(w);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox_chunks WHERE run_id = 'r3'"), 0);
	assert_counts_match_outbox(st);
	/* a delivery with mixed outcomes, then one that retries */
	const char *ids[] = { "a1", "a2", "a4", "a20000" };
	const enum outbox_status outs[] = { OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_PENDING, OUTBOX_FAILED };
	deliver_marking(st, "d", ids, outs, ARRAY_LEN(ids), 101);
	assert_counts_match_outbox(st);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox_chunks"), 0);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox WHERE status = 'failed'"), 2);
	const char *ids2[] = { "a2" };
	const enum outbox_status outs2[] = { OUTBOX_PENDING };
	deliver_marking(st, "d", ids2, outs2, 1, 102);
	assert_counts_match_outbox(st);
	/* attempts counted once per delivery */
	assert_int_equal(count_rows(st, "SELECT attempts FROM outbox WHERE message_id = 'a2'"), 2);
	assert_int_equal(count_rows(st, "SELECT attempts FROM outbox WHERE message_id = 'a4'"), 2);
	assert_int_equal(count_rows(st, "SELECT CASE status WHEN 'delivered' THEN 1 ELSE 0 END FROM outbox WHERE message_id = 'a4'"), 1);
	/* retention: the given-up pending event moves to failed (then every row
	 * goes; the counters stay) */
	w = outbox_writer_new(st, 100);
	struct outbox_event late = { "c1", "d", "pets", "act1", "r2", "{}", 2 };
	assert_int_equal(outbox_add(w, &late), 0);
	assert_int_equal(outbox_writer_finish(w), 0);
	assert_counts_match_outbox(st);
	int rows = count_rows(st, "SELECT count(*) FROM outbox");
	assert_int_equal(outbox_expire(st, 1000, 10), (int64_t)rows + 1);
	assert_int_equal(count_rows(st, "SELECT sum(pending) FROM delivery_stats"), 0);
	/* a1 and a20000 were delivered on their retry: a2 and c1 are the failed ones */
	assert_int_equal(count_rows(st, "SELECT sum(failed) FROM delivery_stats"), 2);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM outbox_chunks"), 0);
	state_close(st);
	free(path);
}

/* The message ids outbox_list / outbox_discarded hand out, space-separated. */
static int gather_id(const struct outbox_listed *o, void *arg)
{
	struct strbuf *sb = arg;
	sb_addf(sb, "%s%s", sb->len ? " " : "", o->message_id);
	return 0;
}

static char *listed(struct state *st, const char *audience, const char *activation, const char *status,
		    int64_t limit)
{
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(outbox_list(st, audience, activation, status, limit, gather_id, &sb), 0);
	return sb_detach(&sb);
}

#define assert_listed(st, aud, act, status, limit, want) do { \
	char *got_ = listed((st), (aud), (act), (status), (limit)); \
	assert_string_equal(got_, (want)); \
	free(got_); \
} while (0)

/* `lac delivery A --events | --discard | --retry`: an audience's queued
 * events listed (rows, then what is left of its chunks), given up one by
 * one or all at once (kept with the reason, counted failed, never read
 * again), and a reader limited to one audience's activation. */
static void test_outbox_admin(void **state)
{
	char *path = path_in("admin.db");
	struct state *st = open_rw(path);
	struct outbox_writer *w = outbox_writer_new(st, 100);
	static const char *const ids[] = { "m0", "m1", "m2", "m3", "m4", "n0", "n1", "o0" };
	for (size_t i = 0; i < 8; i++) {
		struct outbox_event ev = { ids[i], "hook", i == 7 ? "other" : "pets",
					   ids[i][0] == 'n' ? "a2" : "a1", "run1", "{}", 2 };
		assert_int_equal(outbox_add(w, &ev), 0);
	}
	assert_int_equal(outbox_writer_finish(w), 0);

	assert_listed(st, "pets", NULL, NULL, 0, "m0 m1 m2 m3 m4 n0 n1");
	assert_listed(st, "pets", "a2", NULL, 0, "n0 n1");
	assert_listed(st, "pets", NULL, "pending", 3, "m0 m1 m2");
	assert_listed(st, "pets", NULL, "failed", 0, "");

	/* one event cut out of its chunk, then the chunk's last one */
	assert_int_equal(outbox_discard(st, "pets", NULL, OUTBOX_DISCARD_MESSAGE, "m2", "asked", 200), 1);
	assert_int_equal(outbox_discard(st, "pets", NULL, OUTBOX_DISCARD_MESSAGE, "nosuch", "x", 200), 0);
	assert_int_equal(outbox_discard(st, "pets", "a2", OUTBOX_DISCARD_MESSAGE, "m4", "x", 200), 0);
	assert_int_equal(outbox_discard(st, "pets", "a1", OUTBOX_DISCARD_MESSAGE, "m4", "asked", 201), 1);
	assert_listed(st, "pets", "a1", NULL, 0, "m0 m1 m3");

	/* a reader of pets/a1 only: m0 refused, the others taken */
	struct outbox_reader *r = outbox_reader_open(st, "hook");
	outbox_reader_only(r, "pets", "a1");
	const struct outbox_item *items;
	size_t n;
	struct strbuf seen = STRBUF_INIT;
	while (outbox_reader_next(r, 1000, 1 << 20, &items, &n) > 0) {
		enum outbox_status *status = xcalloc(n, sizeof(*status));
		const char **reasons = xcalloc(n, sizeof(*reasons));
		for (size_t i = 0; i < n; i++) {
			sb_addf(&seen, "%s%s", seen.len ? " " : "", items[i].message_id);
			bool refused = strcmp(items[i].message_id, "m0") == 0;
			status[i] = refused ? OUTBOX_FAILED : OUTBOX_DELIVERED;
			reasons[i] = refused ? "HTTP 400" : NULL;
		}
		assert_int_equal(outbox_reader_done(r, status, reasons, 300), 0);
		free(status);
		free(reasons);
	}
	outbox_reader_close(r);
	assert_string_equal(seen.buf, "m0 m1 m3");
	sb_release(&seen);
	assert_listed(st, "pets", NULL, "failed", 0, "m0");

	/* all the failed, then all the pending (a chunk given up whole) */
	assert_int_equal(outbox_discard(st, "pets", NULL, OUTBOX_DISCARD_FAILED, NULL, "bad", 400), 1);
	assert_int_equal(outbox_discard(st, "pets", NULL, OUTBOX_DISCARD_PENDING, NULL, "late", 500), 2);
	assert_listed(st, "pets", NULL, NULL, 0, "");
	assert_listed(st, "other", NULL, NULL, 0, "o0");

	struct strbuf gone = STRBUF_INIT;
	assert_int_equal(outbox_discarded(st, "pets", NULL, 2, gather_id, &gone), 5);
	assert_string_equal(gone.buf, "n0 n1");
	sb_release(&gone);
	assert_int_equal(outbox_discarded(st, "pets", "a1", 0, NULL, NULL), 3);

	struct delivery_counts c;
	assert_int_equal(state_get_counts(st, "run1", "pets", "a1", &c), 0);
	assert_int_equal(c.from_audience, 5);
	assert_int_equal(c.pending, 0);
	assert_int_equal(c.failed, 3);
	assert_int_equal(c.delivered, 2);
	assert_int_equal(state_get_counts(st, "run1", "pets", "a2", &c), 0);
	assert_int_equal(c.pending, 0);
	assert_int_equal(c.failed, 2);
	state_close(st);
	free(path);
}

int main(void)
{
	pg_dsn = getenv("LAC_TEST_STATE_DSN");
	if (pg_dsn && !*pg_dsn)
		pg_dsn = NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creates_private_file_and_dirs),
		cmocka_unit_test(test_migrations_idempotent),
		cmocka_unit_test(test_readonly_never_creates),
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_runs_keep_last_50),
		cmocka_unit_test(test_last_run),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_break_lock),
		cmocka_unit_test(test_readonly_takes_no_lock),
		cmocka_unit_test(test_counters_follow_outbox),
		cmocka_unit_test(test_delivery_holds_back_running_runs),
		cmocka_unit_test(test_counters_in_bulk),
		cmocka_unit_test(test_alert_tables),
		cmocka_unit_test(test_migration_3_drops_triggers),
		cmocka_unit_test(test_readonly_reads_older_schema),
		cmocka_unit_test(test_outbox_query_plans),
		cmocka_unit_test(test_outbox_admin),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
