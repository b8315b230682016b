/* test_sdb.c — the statement interface over the state's engines: numbered
 * parameters (also next to a quoted '?'), blobs with NUL bytes, NULLs,
 * blobs next to integers, text and sums (binary and text results on
 * PostgreSQL), kept statements handed out again but never while in use,
 * the error kept across a rollback and remembered (sdb_failed).  With
 * LAC_TEST_STATE_DSN set (tests/e2e/state_pg.sh) the same cases run on
 * PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/sdb.h"

static char dir[64];
static const char *pg_dsn;

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/lac-sdb-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* A fresh connection with an empty table t (id, name, data). */
static struct sdb *open_db(const char *name)
{
	struct sdb *db;
	struct strbuf err = STRBUF_INIT;
	int rc;
	if (pg_dsn) {
		char *schema = xasprintf("sdb_%s_%s", name, dir + strlen("/tmp/lac-sdb-"));
		for (char *p = schema; *p; p++)
			*p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
		rc = sdb_open_pg(&db, pg_dsn, schema, false, &err);
		if (rc == 0) {
			char *sql = xasprintf("CREATE SCHEMA %s", schema);
			assert_int_equal(sdb_exec(db, sql), 0);
			free(sql);
		}
		free(schema);
	} else {
		char *path = xasprintf("%s/%s.db", dir, name);
		rc = sdb_open_sqlite(&db, path, false, &err);
		free(path);
	}
	if (rc != 0)
		fail_msg("open: %s", err.buf);
	sb_release(&err);
	if (sdb_exec(db, pg_dsn ? "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, data BYTEA)"
			 : "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)") < 0)
		fail_msg("create: %s", sdb_errmsg(db));
	return db;
}

static void test_params_and_values(void **state)
{
	(void)state;
	struct sdb *db = open_db("values");
	static const char blob[] = { 'a', 0, 'b', '\n', (char)0xff };
	/* ?2 before ?1, and a literal '?1' that is not a parameter */
	struct sdb_stmt *s = sdb_prepare(db, "INSERT INTO t (name, id, data) VALUES (?2 || '?1', ?1, ?3)");
	assert_non_null(s);
	assert_int_equal(sdb_bind_int64(s, 1, 5000000000LL), 0);
	assert_int_equal(sdb_bind_text(s, 2, "pets and more", 4), 0); /* "pets" only */
	assert_int_equal(sdb_bind_blob(s, 3, blob, sizeof(blob)), 0);
	assert_int_equal(sdb_run(s), 0);
	assert_int_equal(sdb_changes(db), 1);
	s = sdb_prepare(db, "INSERT INTO t (name, id, data) VALUES (?2 || '?1', ?1, ?3)");
	assert_int_equal(sdb_bind_int64(s, 1, 7), 0);
	assert_int_equal(sdb_bind_text(s, 2, NULL, SIZE_MAX), 0); /* NULL || '?1' is NULL */
	assert_int_equal(sdb_run(s), 0);                          /* ?3 unbound: NULL */

	s = sdb_prepare(db, "SELECT id, name, data FROM t ORDER BY id DESC");
	assert_int_equal(sdb_step(s), SDB_ROW);
	assert_int_equal(sdb_column_int64(s, 0), 5000000000LL);
	assert_string_equal(sdb_column_text(s, 1), "pets?1");
	size_t len;
	const void *p = sdb_column_blob(s, 2, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	assert_int_equal(sdb_step(s), SDB_ROW);
	assert_true(sdb_column_is_null(s, 1));
	assert_null(sdb_column_text(s, 1));
	assert_true(sdb_column_is_null(s, 2));
	assert_int_equal(sdb_step(s), SDB_DONE);
	sdb_reset(s);
	assert_int_equal(sdb_table_exists(db, "t"), 1);
	assert_int_equal(sdb_table_exists(db, "nope"), 0);
	assert_false(sdb_failed(db));
	sdb_close(db);
}

/* Blobs whatever else the row holds: next to integers and text (on
 * PostgreSQL such rows come in binary) and next to a sum (numeric there:
 * the row comes as text, the blob in hex); every byte value, an empty
 * blob, negative and large integers both ways. */
static void test_blob_rows(void **state)
{
	(void)state;
	struct sdb *db = open_db("blobs");
	size_t big_len = 300000;
	unsigned char *big = xmalloc(big_len);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (unsigned char)(i * 7 + i / 256);
	struct sdb_stmt *s = sdb_prepare(db, "INSERT INTO t (id, name, data) VALUES (?1, ?2, ?3)");
	assert_int_equal(sdb_bind_int64(s, 1, -5000000000LL), 0);
	assert_int_equal(sdb_bind_text(s, 2, "big", SIZE_MAX), 0);
	assert_int_equal(sdb_bind_blob(s, 3, big, big_len), 0);
	assert_int_equal(sdb_run(s), 0);
	s = sdb_prepare(db, "INSERT INTO t (id, name, data) VALUES (?1, ?2, ?3)");
	assert_int_equal(sdb_bind_int64(s, 1, 3), 0);
	assert_int_equal(sdb_bind_text(s, 2, "empty", SIZE_MAX), 0);
	assert_int_equal(sdb_bind_blob(s, 3, "", 0), 0);
	assert_int_equal(sdb_run(s), 0);

	static const char *const sqls[] = {
		"SELECT id, name, data, length(data) FROM t ORDER BY id",
		"SELECT id, name, data, sum(id) OVER () FROM t ORDER BY id",
	};
	for (size_t k = 0; k < sizeof(sqls) / sizeof(sqls[0]); k++) {
		s = sdb_prepare(db, sqls[k]);
		assert_non_null(s);
		assert_int_equal(sdb_step(s), SDB_ROW);
		assert_int_equal(sdb_column_int64(s, 0), -5000000000LL);
		assert_string_equal(sdb_column_text(s, 0), "-5000000000");
		assert_string_equal(sdb_column_text(s, 1), "big");
		size_t len;
		const void *p = sdb_column_blob(s, 2, &len);
		assert_int_equal(len, big_len);
		assert_memory_equal(p, big, big_len);
		assert_int_equal(sdb_column_int64(s, 3), k == 0 ? (int64_t)big_len : -4999999997LL);
		p = sdb_column_blob(s, 0, &len); /* an integer as a blob: its text */
		assert_int_equal(len, strlen("-5000000000"));
		assert_memory_equal(p, "-5000000000", len);
		assert_int_equal(sdb_step(s), SDB_ROW);
		assert_int_equal(sdb_column_int64(s, 0), 3);
		assert_false(sdb_column_is_null(s, 2));
		sdb_column_blob(s, 2, &len);
		assert_int_equal(len, 0);
		assert_int_equal(sdb_step(s), SDB_DONE);
		sdb_reset(s);
	}
	free(big);
	assert_false(sdb_failed(db));
	sdb_close(db);
}

static void test_kept_statements(void **state)
{
	(void)state;
	struct sdb *db = open_db("kept");
	assert_int_equal(sdb_exec(db, "INSERT INTO t (id, name) VALUES (1, 'a'); INSERT INTO t (id, name) VALUES (2, 'b')"), 0);
	const char *sql = "SELECT name FROM t WHERE id >= ?1 ORDER BY id";
	struct sdb_stmt *a = sdb_prepare(db, sql);
	sdb_bind_int64(a, 1, 1);
	assert_int_equal(sdb_step(a), SDB_ROW);
	/* the same SQL while a is being stepped: another statement */
	struct sdb_stmt *b = sdb_prepare(db, sql);
	assert_ptr_not_equal(a, b);
	sdb_bind_int64(b, 1, 2);
	assert_int_equal(sdb_step(b), SDB_ROW);
	assert_string_equal(sdb_column_text(b, 0), "b");
	assert_string_equal(sdb_column_text(a, 0), "a");
	sdb_reset(b);
	assert_int_equal(sdb_step(a), SDB_ROW);
	assert_string_equal(sdb_column_text(a, 0), "b");
	sdb_reset(a);
	/* once reset, it is handed out again, without its old binding */
	assert_ptr_equal(sdb_prepare(db, sql), a);
	assert_int_equal(sdb_step(a), SDB_DONE); /* id >= NULL: no row */
	sdb_reset(a);
	sdb_close(db);
}

static void test_errors(void **state)
{
	(void)state;
	struct sdb *db = open_db("errors");
	assert_null(sdb_prepare(db, "SELECT 1 FROM nowhere"));
	assert_non_null(strstr(sdb_errmsg(db), "nowhere"));
	assert_true(sdb_failed(db));
	assert_int_equal(sdb_begin(db), 0);
	assert_int_equal(sdb_exec(db, "INSERT INTO t (id) VALUES (1)"), 0);
	assert_int_equal(sdb_exec(db, "INSERT INTO t (id) VALUES (1)"), -1);
	char *why = xstrdup(sdb_errmsg(db));
	sdb_rollback(db);
	/* the reason stays, not ROLLBACK's own word */
	assert_string_equal(sdb_errmsg(db), why);
	free(why);
	struct sdb_stmt *s = sdb_prepare(db, "SELECT count(*) FROM t");
	assert_int_equal(sdb_step(s), SDB_ROW);
	assert_int_equal(sdb_column_int64(s, 0), 0); /* rolled back */
	sdb_reset(s);
	assert_int_equal(sdb_run(NULL), -1);
	sdb_close(db);
}

/* What lac state export reads of a table it does not know: the columns'
 * names and each value's kind, and where the connection is. */
static void test_row_shape(void **state)
{
	(void)state;
	struct sdb *db = open_db("shape");
	struct sdb_stmt *s = sdb_prepare(db, "INSERT INTO t (id, name, data) VALUES (?1, ?2, ?3)");
	assert_int_equal(sdb_bind_int64(s, 1, 42), 0);
	assert_int_equal(sdb_bind_text(s, 2, "x", SIZE_MAX), 0);
	assert_int_equal(sdb_bind_blob(s, 3, "b\0", 3), 0);
	assert_int_equal(sdb_run(s), 0);
	assert_int_equal(sdb_exec(db, "INSERT INTO t (id) VALUES (43)"), 0);
	s = sdb_prepare(db, "SELECT * FROM t ORDER BY id");
	assert_int_equal(sdb_step(s), SDB_ROW);
	assert_int_equal(sdb_column_count(s), 3);
	assert_string_equal(sdb_column_name(s, 0), "id");
	assert_string_equal(sdb_column_name(s, 2), "data");
	assert_int_equal(sdb_column_type(s, 0), SDB_INTEGER);
	assert_int_equal(sdb_column_type(s, 1), SDB_TEXT);
	assert_int_equal(sdb_column_type(s, 2), SDB_BLOB);
	assert_int_equal(sdb_step(s), SDB_ROW);
	assert_int_equal(sdb_column_type(s, 1), SDB_NULL);
	assert_int_equal(sdb_column_type(s, 2), SDB_NULL);
	sdb_reset(s);

	struct sdb_location where;
	sdb_location(db, &where);
	if (pg_dsn) {
		assert_null(where.file);
		assert_non_null(where.database);
		assert_non_null(strstr(where.schema, "sdb_shape_"));
	} else {
		assert_non_null(strstr(where.file, "/shape.db"));
		assert_null(where.host);
		assert_null(where.schema);
	}
	sdb_close(db);
}

int main(void)
{
	pg_dsn = getenv("LAC_TEST_STATE_DSN");
	if (pg_dsn && !*pg_dsn)
		pg_dsn = NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_and_values),
		cmocka_unit_test(test_blob_rows),
		cmocka_unit_test(test_kept_statements),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_row_shape),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
