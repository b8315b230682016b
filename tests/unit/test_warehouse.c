/* test_warehouse.c — the warehouse interface on SQLite: exec_batch as the
 * unit of commit, the per-statement timeout, cancel, the tag text, whether
 * a table exists; the table of warehouse types and the settings it checks
 * in lac.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include <string.h>
#include <stdlib.h>

#include "proj_fixture.h"
#include "project/wh_kind.h"
#include "warehouse/warehouse.h"

/* Long enough to outlast any timeout the tests set (billions of steps). */
#define SLOW_QUERY \
	"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3000000000) " \
	"SELECT COUNT(*) FROM c"

static int count_row(void *arg, int ncol, const char *const *vals)
{
	*(long *)arg = ncol && vals[0] ? atol(vals[0]) : -1;
	return 0;
}

static long count(struct warehouse *w, const char *sql)
{
	long n = -1;
	struct strbuf err = STRBUF_INIT;
	if (w->ops->query(w, sql, count_row, &n, &err) != 0)
		fail_msg("%s", err.buf);
	sb_release(&err);
	return n;
}

static void open_memory(struct warehouse *w)
{
	struct strbuf err = STRBUF_INIT;
	if (warehouse_open_sqlite(w, ":memory:", false, &err) != 0)
		fail_msg("%s", err.buf);
	assert_int_equal(w->ops->query(w, "CREATE TABLE t (x TEXT)", NULL, NULL, &err), 0);
	sb_release(&err);
}

/* A transactional batch commits all of it or nothing; a plain one stops at
 * the first failure and keeps what ran before it. */
static void test_exec_batch(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	open_memory(&w);
	const char *const good[] = { "INSERT INTO t VALUES ('a')", "INSERT INTO t VALUES ('b')" };
	assert_int_equal(w.ops->exec_batch(&w, good, 2, true, &err), 0);
	assert_int_equal(count(&w, "SELECT COUNT(*) FROM t"), 2);

	const char *const bad[] = { "INSERT INTO t VALUES ('c')", "INSERT INTO nowhere VALUES (1)",
				    "INSERT INTO t VALUES ('d')" };
	assert_int_equal(w.ops->exec_batch(&w, bad, 3, true, &err), -1);
	assert_non_null(strstr(err.buf, "nowhere"));
	assert_int_equal(count(&w, "SELECT COUNT(*) FROM t"), 2);

	sb_reset(&err);
	assert_int_equal(w.ops->exec_batch(&w, bad, 3, false, &err), -1);
	assert_int_equal(count(&w, "SELECT COUNT(*) FROM t WHERE x = 'c'"), 1);
	assert_int_equal(count(&w, "SELECT COUNT(*) FROM t WHERE x = 'd'"), 0);
	/* no transaction was left open */
	assert_int_equal(w.ops->exec_batch(&w, good, 2, true, &err), 0);
	warehouse_close(&w);
	sb_release(&err);
}

/* The timeout interrupts a statement that runs past it, with lac's words;
 * the next statement gets a fresh deadline. */
static void test_timeout(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	open_memory(&w);
	assert_int_equal(w.ops->set_timeout(&w, 20, &err), 0);
	assert_int_equal(w.ops->query(&w, SLOW_QUERY, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "warehouse timeout (20 ms)"));
	assert_int_equal(count(&w, "SELECT COUNT(*) FROM t"), 0);
	warehouse_close(&w);
	sb_release(&err);
}

/* A cancel (what the SIGINT/SIGTERM hook calls) stops the statement. */
static void test_cancel(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	open_memory(&w);
	w.ops->cancel(&w);
	assert_int_equal(w.ops->query(&w, SLOW_QUERY, NULL, NULL, &err), -1);
	assert_string_equal(err.buf, "the statement was cancelled");
	warehouse_close(&w);
	sb_release(&err);
}

static void test_tag(void **state)
{
	(void)state;
	char *t = warehouse_tag("run", "pets", "r-1");
	assert_string_equal(t, "lac run pets r-1");
	free(t);
	t = warehouse_tag("preview", NULL, NULL);
	assert_string_equal(t, "lac preview");
	free(t);
}

/* Every warehouse type has one row and takes timeout; only the HTTP types
 * take endpoint. */
static void test_kinds(void **state)
{
	(void)state;
	size_t n;
	const struct wh_kind *k = wh_kinds(&n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(wh_kind_of(k[i].id), &k[i]);
		assert_ptr_equal(wh_kind_find(k[i].type), &k[i]);
		assert_non_null(wh_kind_key(&k[i], "schema"));
		bool http = k[i].id == WH_SNOWFLAKE || k[i].id == WH_BIGQUERY || k[i].id == WH_DATABRICKS;
		assert_int_equal(wh_kind_key(&k[i], "endpoint") != NULL, http);
	}
	assert_null(wh_kind_find("snowflak"));
	assert_int_equal(wh_kind_find("snowflake")->nauth, 3);
	assert_string_equal(wh_kind_find("databricks")->auth[1].keys[1], "client_secret");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(wh_kind_key(&k[i], "timeout")->value, WH_DURATION);
}

/* timeout: default 1h; a written one is read at load; a ${VAR} one when
 * the warehouse opens, and a bad value then fails the open. */
static void test_project_timeout(void **state)
{
	(void)state;
	fx_enter();
	fx_write("graph.yaml", "profile: { table: profiles, id: segment_id }\n");
	fx_write("lac.yaml", "version: 1\n");
	struct project p;
	free(fx_load(&p));
	assert_int_equal(p.warehouse.timeout_ms, 3600000);
	project_release(&p);

	fx_write("lac.yaml", "version: 1\nwarehouse: { type: postgres, dsn: x, timeout: 250ms }\n");
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	assert_int_equal(p.warehouse.timeout_ms, 250);
	project_release(&p);

	/* SQLite takes it too (SPEC §1.1: every type), for its progress handler */
	fx_write("lac.yaml", "version: 1\nwarehouse: { type: sqlite, path: w.db, timeout: 30ms }\n");
	fx_write("w.db", ""); /* an empty file is an empty SQLite database */
	d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err), 0);
	assert_int_equal(w.ops->query(&w, SLOW_QUERY, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "warehouse timeout (30 ms)"));
	sb_reset(&err);
	warehouse_close(&w);
	project_release(&p);

	fx_write("lac.yaml", "version: 1\nwarehouse: { type: postgres, dsn: \"host=/nowhere\", "
		 "timeout: \"${LAC_TEST_TIMEOUT}\" }\n");
	setenv("LAC_TEST_TIMEOUT", "90", 1);
	d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	assert_int_equal(warehouse_open_project(&p, WH_READ, &w, &err), -1);
	assert_string_equal(err.buf, "the warehouse timeout must be a duration like 30s, 5m or 1h");
	unsetenv("LAC_TEST_TIMEOUT");
	sb_release(&err);
	project_release(&p);
	fx_leave();
}

/* An empty DSN (a CI secret missing) never reaches libpq's defaults, for
 * every libpq connection (warehouse, `warehouse` destination, redshift). */
static void test_empty_dsn(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(warehouse_open_postgres(&w, "", &err), -1);
	assert_non_null(strstr(err.buf, "the dsn is empty"));
	sb_release(&err);
}

/* A SQLite warehouse file that does not exist is an error naming it and how
 * to build it, for reading and for writing, and is never created. */
static void test_sqlite_warehouse_must_exist(void **state)
{
	(void)state;
	fx_enter();
	fx_write("graph.yaml", "profile: { table: profiles, id: segment_id }\n");
	fx_write("lac.yaml", "version: 1\nwarehouse: { type: sqlite, path: data/wh.db }\n");
	struct project p;
	free(fx_load(&p));
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err), -1);
	assert_string_equal(err.buf, "the SQLite warehouse 'data/wh.db' (warehouse.path in lac.yaml) "
			    "does not exist; create it with your data, or correct warehouse.path");
	assert_int_equal(access("data/wh.db", F_OK), -1);
	fx_write("data/wh.sql", "CREATE TABLE profiles (segment_id TEXT);\n");
	sb_reset(&err);
	assert_int_equal(warehouse_open_project(&p, WH_READ, &w, &err), -1);
	assert_string_equal(err.buf, "the SQLite warehouse 'data/wh.db' (warehouse.path in lac.yaml) "
			    "does not exist; build it with: sqlite3 data/wh.db < data/wh.sql");
	assert_int_equal(access("data/wh.db", F_OK), -1);
	sb_release(&err);
	project_release(&p);
	fx_leave();
}

/* tables_exist says which exist only when the warehouse could tell, else
 * -1 with why: a run that took a snapshot for missing would send every
 * member as entered again. */
static void test_table_exists(void **state)
{
	(void)state;
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	open_memory(&w);
	assert_int_equal(warehouse_table_exists(&w, "main", "t", &err), 1);
	assert_int_equal(warehouse_table_exists(&w, "main", "nowhere", &err), 0);
	const char *names[3] = { "nowhere", "t", "t" };
	bool found[3] = { true, false, false };
	assert_int_equal(w.ops->tables_exist(&w, "main", names, 3, found, &err), 0);
	assert_false(found[0]);
	assert_true(found[1]);
	assert_true(found[2]);
	assert_int_equal(err.len, 0);
	warehouse_close(&w);

	fx_enter();
	fx_write("junk.db", "this is not a SQLite database, only text long enough to have a header\n");
	assert_int_equal(warehouse_open_sqlite(&w, "junk.db", true, &err), 0);
	assert_int_equal(warehouse_table_exists(&w, "main", "t", &err), -1);
	assert_string_equal(err.buf, "file is not a database");
	warehouse_close(&w);
	fx_leave();
	sb_release(&err);
}

/* last_altered's name split: only names every connector can look up. */
static void test_table_parts(void **state)
{
	(void)state;
	char *db, *schema, *name;
	assert_int_equal(warehouse_table_parts("PETS.PUBLIC.PETS", &db, &schema, &name), 0);
	assert_string_equal(db, "PETS");
	assert_string_equal(schema, "PUBLIC");
	assert_string_equal(name, "PETS");
	free(db);
	free(schema);
	free(name);
	assert_int_equal(warehouse_table_parts("lac.snapshot_a", &db, &schema, &name), 0);
	assert_null(db);
	assert_string_equal(schema, "lac");
	assert_string_equal(name, "snapshot_a");
	free(schema);
	free(name);
	const char *bad[] = { "pets", "a.b.c.d", "a..b", ".a.b", "a.b.", "\"A\".b", "a.b c", "a.b;--", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(warehouse_table_parts(bad[i], &db, &schema, &name), -1);
}

static void test_parse_ms(void **state)
{
	(void)state;
	int64_t ms = 7;
	assert_int_equal(warehouse_parse_ms("1733360000123", &ms), 0);
	assert_true(ms == 1733360000123LL);
	assert_int_equal(warehouse_parse_ms("0", &ms), 0);
	assert_true(ms == 0);
	const char *bad[] = { "", "-1", "12.5", "1e3", "12a", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(warehouse_parse_ms(bad[i], &ms), -1);
	assert_int_equal(warehouse_parse_ms(NULL, &ms), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_dsn),
		cmocka_unit_test(test_exec_batch),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_project_timeout),
		cmocka_unit_test(test_sqlite_warehouse_must_exist),
		cmocka_unit_test(test_table_exists),
		cmocka_unit_test(test_table_parts),
		cmocka_unit_test(test_parse_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
