/* test_state_move.c — what `lac state` reads and moves (state_move.h,
 * state_info.h): a state's rows dumped and loaded into an empty one give
 * the same rows (blobs as text or base64, ids past the imported ones),
 * names from the file are checked, an empty state is told from a used one,
 * undelivered events and locks are listed, the fingerprint follows every
 * write to the contents (and only those), a moved state refuses a
 * read-write open naming where it went, and a second mark does not
 * replace the first.  With LAC_TEST_STATE_DSN set
 * (tests/e2e/state_pg.sh) the same cases run on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/sdb.h"
#include "state/state.h"
#include "state/state_info.h"
#include "state/state_move.h"

static char tmpdir[64];
static const char *pg_dsn; /* LAC_TEST_STATE_DSN */

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/lac-move-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* A fresh state named name on the engine under test. */
static struct state *open_named(const char *name, enum state_mode mode)
{
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	int rc;
	if (pg_dsn) {
		char *schema = xasprintf("mv_%s_%s", name, tmpdir + strlen("/tmp/lac-move-"));
		for (char *p = schema; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		rc = state_open_postgres(&st, pg_dsn, schema, mode, &err);
		free(schema);
	} else {
		char *path = xasprintf("%s/%s.db", tmpdir, name);
		rc = state_open(&st, path, mode, &err);
		free(path);
	}
	if (rc != 0)
		fail_msg("open %s: %s", name, err.buf);
	sb_release(&err);
	return st;
}

static void exec_ok(struct state *st, const char *sql)
{
	if (sdb_exec(state_sdb(st), sql) < 0)
		fail_msg("%s: %s", sql, state_errmsg(st));
}

static int64_t count(struct state *st, const char *sql)
{
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), sql);
	assert_non_null(s);
	assert_int_equal(sdb_step(s), SDB_ROW);
	int64_t n = sdb_column_int64(s, 0);
	sdb_reset(s);
	return n;
}

/* A used state: two audiences, runs, a queued chunk with binary bytes, a
 * refused event, a lock. */
static void fill(struct state *st)
{
	assert_int_equal(state_put_audience(st, "pets", "h1", true, 100), 0);
	assert_int_equal(state_put_audience(st, "cats", "h2", false, 100), 0);
	assert_int_equal(state_set_generation(st, "pets", 7), 0);
	assert_int_equal(state_run_begin(st, "r1", "pets", 6, 100), 0);
	assert_int_equal(state_run_begin(st, "r2", "pets", 7, 100), 0); /* same second: order by rowid */
	exec_ok(st, "INSERT INTO outbox_chunks (destination, audience, activation, run_id, events, next,"
		" created_at, updated_at) VALUES ('d', 'pets', 'welcome', 'r2', 3, 1, 100, 100)");
	struct sdb_stmt *s = sdb_prepare(state_sdb(st), "INSERT INTO outbox_chunk_events (chunk_id, payload,"
					 " message_ids) VALUES ((SELECT max(id) FROM outbox_chunks), ?1, ?2)");
	static const char binary[] = { 'a', 0, (char)0xff, '\n' };
	assert_int_equal(sdb_bind_blob(s, 1, binary, sizeof(binary)), 0);
	assert_int_equal(sdb_bind_blob(s, 2, "m1\nm2\nm3\n", 9), 0);
	assert_int_equal(sdb_run(s), 0);
	exec_ok(st, "INSERT INTO outbox (message_id, destination, audience, activation, run_id, payload,"
		" status, created_at, updated_at) VALUES ('m0', 'd', 'pets', 'welcome', 'r1', '{}', 'failed', 1, 1)");
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_lock(st, "run:pets", "run", 0, &err), 0);
	sb_release(&err);
}

static int add_lock(const struct state_lock_info *l, void *arg)
{
	sb_addf(arg, "%s %s %d %d;", l->id, l->command, l->pid == getpid(), l->since > 0);
	return 0;
}

struct rows {
	json_t *lines; /* [table, row] pairs */
};

static int keep(const char *table, json_t *row, void *arg)
{
	json_array_append_new(((struct rows *)arg)->lines, json_pack("[s, O]", table, row));
	return 0;
}

static json_t *dump(struct state *st)
{
	struct rows r = { json_array() };
	assert_int_equal(state_read_begin(st), 0);
	assert_int_equal(state_dump(st, keep, &r), 0);
	state_read_end(st);
	return r.lines;
}

/* The value of column col in the first dumped row of table. */
static json_t *first(json_t *lines, const char *table, const char *col)
{
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
		if (strcmp(json_string_value(json_array_get(l, 0)), table) == 0)
			return json_object_get(json_array_get(l, 1), col);
	return NULL;
}

static void test_dump_and_load(void **state)
{
	(void)state;
	struct state *a = open_named("a", STATE_RW);
	fill(a);
	json_t *lines = dump(a);
	/* not moved: the version, the mark, the locks; no engine rowid */
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l) {
		const char *t = json_string_value(json_array_get(l, 0));
		assert_true(strcmp(t, "schema_version") && strcmp(t, "lock_holders") && strcmp(t, "state_moved"));
		assert_null(json_object_get(json_array_get(l, 1), "rowid"));
	}
	json_t *payload = first(lines, "outbox_chunk_events", "payload");
	assert_string_equal(json_string_value(json_object_get(payload, "base64")), "YQD/Cg==");
	json_t *ids = first(lines, "outbox_chunk_events", "message_ids");
	assert_string_equal(json_string_value(json_object_get(ids, "text")), "m1\nm2\nm3\n");

	struct state *b = open_named("b", STATE_RW);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_check_empty(b, &err), 0);
	assert_int_equal(state_begin(b), 0);
	json_array_foreach(lines, i, l)
		if (state_load_row(b, json_string_value(json_array_get(l, 0)), json_array_get(l, 1), &err) < 0)
			fail_msg("load: %s", err.buf);
	assert_int_equal(state_load_finish(b), 0);
	assert_int_equal(state_commit(b), 0);
	json_t *again = dump(b);
	assert_true(json_equal(lines, again));
	json_decref(again);

	struct state_audience sa;
	assert_int_equal(state_get_audience(b, "pets", &sa), 0);
	assert_int_equal(sa.generation, 7);
	state_audience_release(&sa);
	/* runs keep their order; new ids come after the imported ones */
	struct state_run r;
	assert_int_equal(state_unfinished_run(b, "pets", &r), 0);
	assert_string_equal(r.id, "r2");
	state_run_release(&r);
	exec_ok(b, "INSERT INTO outbox_chunks (destination, audience, activation, run_id, events, next,"
		" created_at, updated_at) VALUES ('d', 'pets', 'welcome', 'r3', 1, 0, 100, 100)");
	assert_int_equal(count(b, "SELECT count(DISTINCT id) FROM outbox_chunks"), 2);
	struct strbuf locks = STRBUF_INIT;   /* a's lock stays a's */
	assert_int_equal(state_list_locks(b, add_lock, &locks), 0);
	assert_int_equal(locks.len, 0);
	sb_release(&locks);

	/* a used state is not empty, and says why */
	sb_reset(&err);
	assert_int_equal(state_check_empty(b, &err), 1);
	assert_string_equal(err.buf, "it has 2 applied audiences");
	sb_release(&err);
	json_decref(lines);
	state_close(a);
	state_close(b);
}

static void test_load_checks_names(void **state)
{
	(void)state;
	struct state *st = open_named("names", STATE_RW);
	struct strbuf err = STRBUF_INIT;
	json_t *row = json_pack("{s:s}", "name", "x");
	assert_int_equal(state_load_row(st, "audiences; DROP TABLE runs", row, &err), -1);
	assert_non_null(strstr(err.buf, "not a row of a state table"));
	sb_reset(&err);
	assert_int_equal(state_load_row(st, "schema_version", row, &err), -1); /* not moved */
	sb_reset(&err);
	/* an engine's own table, which the engine would take */
	json_t *seq = json_pack("{s:s, s:i}", "name", "runs", "seq", 99);
	assert_int_equal(state_load_row(st, "sqlite_sequence", seq, &err), -1);
	assert_non_null(strstr(err.buf, "not a row of a state table"));
	sb_reset(&err);
	assert_int_equal(state_load_row(st, "SQLITE_SEQUENCE", seq, &err), -1);
	sb_reset(&err);
	json_decref(seq);
	json_t *bad = json_pack("{s:s, s:s}", "name", "x", "a\"b", "y");
	assert_int_equal(state_load_row(st, "audiences", bad, &err), -1);
	sb_reset(&err);
	json_t *blob = json_pack("{s:i, s:{s:s}, s:{s:s}}", "chunk_id", 1, "payload", "base64", "!!!!",
				 "message_ids", "text", "m");
	assert_int_equal(state_load_row(st, "outbox_chunk_events", blob, &err), -1);
	assert_non_null(strstr(err.buf, "base64"));
	assert_int_equal(sdb_table_exists(state_sdb(st), "runs"), 1);
	json_decref(row);
	json_decref(bad);
	json_decref(blob);
	sb_release(&err);
	state_close(st);
}

static int add_pending(const struct state_pending *p, void *arg)
{
	sb_addf(arg, "%s.%s %lld %lld;", p->audience, p->activation, (long long)p->pending, (long long)p->failed);
	return 0;
}


static void test_pending_and_locks(void **state)
{
	(void)state;
	struct state *st = open_named("info", STATE_RW);
	fill(st);
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(state_list_pending(st, add_pending, &sb), 0);
	assert_string_equal(sb.buf, "pets.welcome 2 1;");
	sb_reset(&sb);
	assert_int_equal(state_list_locks(st, add_lock, &sb), 0);
	assert_string_equal(sb.buf, "run:pets run 1 1;");
	sb_release(&sb);
	char *where = state_describe(st);
	assert_non_null(strstr(where, pg_dsn ? "postgres schema mv_info_" : "sqlite file /tmp/lac-move-"));
	free(where);
	state_close(st);
}

static void fingerprint(struct state *st, char out[STATE_FINGERPRINT_LEN + 1])
{
	assert_int_equal(state_read_begin(st), 0);
	assert_int_equal(state_fingerprint(st, out), 0);
	state_read_end(st);
	assert_int_equal(strlen(out), STATE_FINGERPRINT_LEN);
	assert_int_equal(strspn(out, "0123456789abcdef"), STATE_FINGERPRINT_LEN);
}

static void test_fingerprint(void **state)
{
	(void)state;
	struct state *st = open_named("fp", STATE_RW);
	char empty[STATE_FINGERPRINT_LEN + 1], before[STATE_FINGERPRINT_LEN + 1], now[STATE_FINGERPRINT_LEN + 1];
	fingerprint(st, empty);
	fill(st);
	fingerprint(st, before);
	assert_string_not_equal(empty, before);
	fingerprint(st, now);
	assert_string_equal(now, before);
	/* the mark is not part of the contents: import marks before comparing */
	assert_int_equal(state_mark_moved(st, "elsewhere", 1), 0);
	fingerprint(st, now);
	assert_string_equal(now, before);
	assert_int_equal(state_clear_moved(st), 0);
	/* an update in place (a delivery moving a cursor) counts as much as a new row */
	exec_ok(st, "UPDATE outbox_chunks SET next = 2");
	fingerprint(st, now);
	assert_string_not_equal(now, before);
	exec_ok(st, "UPDATE outbox_chunks SET next = 1");
	fingerprint(st, now);
	assert_string_equal(now, before);
	assert_int_equal(state_run_begin(st, "r3", "cats", 1, 200), 0);
	fingerprint(st, now);
	assert_string_not_equal(now, before);
	state_close(st);
}

static void test_moved(void **state)
{
	(void)state;
	struct state *st = open_named("moved", STATE_RW);
	char *to;
	int64_t at;
	assert_int_equal(state_get_moved(st, &to, &at), 0);
	assert_int_equal(state_mark_moved(st, "sqlite file /x", 1), 0);
	assert_int_equal(state_clear_moved(st), 0);
	assert_int_equal(state_get_moved(st, &to, &at), 0);
	assert_int_equal(state_mark_moved(st, "postgres schema s in database d on h", 1768478400), 0);
	/* a second import's mark leaves the first's where it is */
	assert_int_equal(state_mark_moved(st, "sqlite file /y", 1768478500), 1);
	assert_int_equal(state_get_moved(st, &to, &at), 1);
	assert_string_equal(to, "postgres schema s in database d on h");
	assert_int_equal(at, 1768478400);
	free(to);
	state_close(st);

	/* read-only opens still work; a read-write one is refused */
	st = open_named("moved", STATE_RO);
	state_close(st);
	struct strbuf err = STRBUF_INIT;
	int rc;
	if (pg_dsn) {
		char *schema = xasprintf("mv_moved_%s", tmpdir + strlen("/tmp/lac-move-"));
		for (char *p = schema; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		rc = state_open_postgres(&st, pg_dsn, schema, STATE_RW, &err);
		free(schema);
	} else {
		char *path = xasprintf("%s/moved.db", tmpdir);
		rc = state_open(&st, path, STATE_RW, &err);
		free(path);
	}
	assert_int_equal(rc, -1);
	assert_null(st);
	assert_non_null(strstr(err.buf, ": state was moved to postgres schema s in database d on h at"
			       " 2026-01-15T12:00:00Z (lac state import); it is read-only here"));
	sb_release(&err);
}

int main(void)
{
	pg_dsn = getenv("LAC_TEST_STATE_DSN");
	if (pg_dsn && !*pg_dsn)
		pg_dsn = NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_and_load),
		cmocka_unit_test(test_load_checks_names),
		cmocka_unit_test(test_pending_and_locks),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_moved),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
