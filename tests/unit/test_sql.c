/* test_sql.c — dialect traps (string escaping, quoting, wildcard-free string
 * tests, time arithmetic, JSON) and the generator's two-valued logic, run on
 * an in-memory SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sql/dialect.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"
#include "warehouse/warehouse.h"
#include "proj_fixture.h"

static char *lit(const struct dialect *d, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	d->string_lit(d, &sb, text);
	return sb_detach(&sb);
}

#define EXPECT_LIT(d, in, want) do { char *s_ = lit(&(d), (in)); \
	assert_string_equal(s_, (want)); free(s_); } while (0)

static void test_string_literals(void **state)
{
	/* a trailing backslash must not escape the closing quote (DIALECTS §2.2) */
	EXPECT_LIT(dialect_snowflake, "C:\\temp\\", "'C:\\\\temp\\\\'");
	EXPECT_LIT(dialect_bigquery, "C:\\temp\\", "'C:\\\\temp\\\\'");
	EXPECT_LIT(dialect_databricks, "C:\\temp\\", "'C:\\\\temp\\\\'");
	EXPECT_LIT(dialect_redshift, "C:\\temp\\", "'C:\\\\temp\\\\'");
	EXPECT_LIT(dialect_postgres, "C:\\temp\\", "'C:\\temp\\'");
	EXPECT_LIT(dialect_sqlite, "C:\\temp\\", "'C:\\temp\\'");
	/* quotes: '' is not an escape in BigQuery */
	EXPECT_LIT(dialect_snowflake, "it's", "'it''s'");
	EXPECT_LIT(dialect_bigquery, "it's", "'it\\'s'");
	EXPECT_LIT(dialect_databricks, "it's", "'it\\'s'");
	EXPECT_LIT(dialect_redshift, "it's", "'it''s'");
	EXPECT_LIT(dialect_postgres, "it's", "'it''s'");
	EXPECT_LIT(dialect_sqlite, "it's", "'it''s'");
	/* BigQuery single-quoted literals may not hold a raw newline */
	EXPECT_LIT(dialect_bigquery, "a\nb\r", "'a\\nb\\r'");
	EXPECT_LIT(dialect_postgres, "a\nb", "'a\nb'");
	/* UTF-8 passes through untouched; % and _ are not special in literals */
	EXPECT_LIT(dialect_snowflake, "Zoë 100%_", "'Zoë 100%_'");
	EXPECT_LIT(dialect_bigquery, "Zoë \"Z\"", "'Zoë \"Z\"'");
}

static char *ident(const struct dialect *d, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	sql_fmt(&sb, d, "%I", name);
	return sb_detach(&sb);
}

#define EXPECT_ID(d, in, want) do { char *s_ = ident(&(d), (in)); \
	assert_string_equal(s_, (want)); free(s_); } while (0)

static void test_identifiers(void **state)
{
	/* plain names stay unquoted so warehouse case folding matches DDL */
	EXPECT_ID(dialect_snowflake, "segment_id", "segment_id");
	EXPECT_ID(dialect_bigquery, "PROFILE_TRAITS", "PROFILE_TRAITS");
	/* reserved words are quoted, spelled as the warehouse folds them */
	EXPECT_ID(dialect_snowflake, "order", "\"ORDER\"");
	EXPECT_ID(dialect_postgres, "Order", "\"order\"");
	EXPECT_ID(dialect_redshift, "select", "\"select\"");
	EXPECT_ID(dialect_bigquery, "hash", "`hash`");
	EXPECT_ID(dialect_databricks, "from", "`from`");
	/* other names are quoted as written, the quote character escaped */
	EXPECT_ID(dialect_snowflake, "my col", "\"my col\"");
	EXPECT_ID(dialect_postgres, "a\"b", "\"a\"\"b\"");
	EXPECT_ID(dialect_bigquery, "my-project", "`my-project`");
	EXPECT_ID(dialect_bigquery, "a`b", "`a\\`b`");
	EXPECT_ID(dialect_databricks, "a`b", "`a``b`");
	EXPECT_ID(dialect_sqlite, "1st", "\"1st\"");
	/* the shared list is binary-searched: its first, last and middle words
	 * are found in any case, near misses are not */
	const char *const reserved[] = { "all", "within", "current_date", "Current", "NULLS",
					 "having", "lateral", "qualify" };
	const char *const plain[] = { "a", "zz", "alls", "withins", "current_dat", "nul",
				      "segment_id", "" };
	for (size_t i = 0; i < ARRAY_LEN(reserved); i++)
		assert_true(dialect_is_reserved(&dialect_postgres, reserved[i]));
	for (size_t i = 0; i < ARRAY_LEN(plain); i++)
		assert_false(dialect_is_reserved(&dialect_postgres, plain[i]));
}

static void test_table_names(void **state)
{
	const char *parts[] = { "PETS", "PUBLIC", "HOUSEHOLDS" };
	struct strbuf sb = STRBUF_INIT;
	const struct { const struct dialect *d; const char *want; } cases[] = {
		{ &dialect_snowflake, "PETS.PUBLIC.HOUSEHOLDS" },
		{ &dialect_bigquery, "PETS.PUBLIC.HOUSEHOLDS" },
		{ &dialect_redshift, "PETS.PUBLIC.HOUSEHOLDS" },
		{ &dialect_databricks, "PETS.PUBLIC.HOUSEHOLDS" },
		{ &dialect_postgres, "PUBLIC.HOUSEHOLDS" },
		{ &dialect_sqlite, "HOUSEHOLDS" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sb_reset(&sb);
		sql_fmt(&sb, cases[i].d, "%T", parts, (size_t)3);
		assert_string_equal(sb.buf, cases[i].want);
	}
	const char *bq[] = { "my-project", "ds", "t" };
	sb_reset(&sb);
	sql_fmt(&sb, &dialect_bigquery, "%T", bq, (size_t)3);
	assert_string_equal(sb.buf, "`my-project`.ds.t");
	sb_release(&sb);
}

static void test_time_points(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *now = "2026-01-15 12:00:00";
	const struct { const struct dialect *d; enum col_type t; long n; enum time_unit u; const char *want; } cases[] = {
		{ &dialect_postgres, TY_TIMESTAMP, -30, UNIT_DAY, "(TIMESTAMP '2026-01-15 12:00:00' - INTERVAL '30 days')" },
		{ &dialect_postgres, TY_DATE, -2, UNIT_WEEK, "(CAST(TIMESTAMP '2026-01-15 12:00:00' AS DATE) - 14)" },
		{ &dialect_sqlite, TY_TIMESTAMP, -90, UNIT_MINUTE, "julianday('2026-01-15 12:00:00', '-90 minutes')" },
		{ &dialect_sqlite, TY_DATE, 7, UNIT_DAY, "date('2026-01-15 12:00:00', '+7 days')" },
		{ &dialect_bigquery, TY_TIMESTAMP, -1, UNIT_WEEK, "TIMESTAMP_SUB(TIMESTAMP '2026-01-15 12:00:00+00', INTERVAL 7 DAY)" },
		{ &dialect_snowflake, TY_TIMESTAMP, -12, UNIT_HOUR, "DATEADD(hour, -12, TIMESTAMP '2026-01-15 12:00:00')" },
		{ &dialect_databricks, TY_TIMESTAMP, 3, UNIT_HOUR, "(TIMESTAMP '2026-01-15 12:00:00' + INTERVAL 3 HOURS)" },
		{ &dialect_redshift, TY_DATE, -30, UNIT_DAY, "(CAST(TIMESTAMP '2026-01-15 12:00:00' AS DATE) - 30)" },
		/* a DATE column meets a DATE: BigQuery coerces no DATE to TIMESTAMP */
		{ &dialect_bigquery, TY_DATE, -2, UNIT_WEEK,
		  "DATE_SUB(DATE(TIMESTAMP '2026-01-15 12:00:00+00'), INTERVAL 14 DAY)" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sb_reset(&sb);
		cases[i].d->time_point(cases[i].d, &sb, cases[i].t, now, cases[i].n, cases[i].u);
		assert_string_equal(sb.buf, cases[i].want);
	}
	/* without --now: the dialect's current time, deterministic text */
	sb_reset(&sb);
	dialect_redshift.time_point(&dialect_redshift, &sb, TY_TIMESTAMP, NULL, 0, UNIT_DAY);
	assert_string_equal(sb.buf, "GETDATE()");
	sb_release(&sb);

	char out[40];
	assert_true(sql_normalize_now("2026-01-15T12:00:00Z", out));
	assert_string_equal(out, "2026-01-15 12:00:00");
	assert_true(sql_normalize_now("2026-01-15 12:00:00.250Z", out));
	assert_string_equal(out, "2026-01-15 12:00:00.250");
	assert_false(sql_normalize_now("2026-01-15", out));
	assert_false(sql_normalize_now("2026-01-15T12:00:00Z'; DROP", out));
}

/* SQLite's date-prefix prefilter (ts_prefix_from/until) is a superset of the
 * exact julianday() window for both timestamp spellings, and does exclude
 * the days outside it.  Only SQLite has one. */
static void test_ts_prefix_superset(void **state)
{
	(void)state;
	const struct dialect *d = &dialect_sqlite;
	const char *now = "2026-01-15 12:00:00";
	struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT, q = STRBUF_INIT;
	d->time_point(d, &lo, TY_TIMESTAMP, now, -30, UNIT_DAY);
	d->time_point(d, &hi, TY_TIMESTAMP, now, 0, UNIT_DAY);
	sb_addstr(&q, "SELECT SUM(v >= ");
	dialect_expand(&q, d->ts_prefix_from, NULL, NULL, lo.buf);
	sb_addstr(&q, " AND v < ");
	dialect_expand(&q, d->ts_prefix_until, NULL, NULL, hi.buf);
	sb_addf(&q, "), SUM(julianday(v) BETWEEN %s AND %s) FROM (SELECT column1 AS v FROM (VALUES "
		    "('2025-12-16 12:00:00'), ('2025-12-16T12:00:00Z'), ('2025-12-16T12:00:00.5Z'), "
		    "('2026-01-15 12:00:00'), ('2026-01-15T12:00:00Z'), ('2026-01-01T00:00:00Z'), "
		    "('2025-12-16 11:59:59'), ('2025-12-15T23:59:59Z'), ('2026-01-16 00:00:00'), "
		    "('2026-01-16T00:00:00Z')))", lo.buf, hi.buf);
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q.buf, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	/* 6 in the window; the prefilter adds only 2025-12-16 11:59:59 (same day) */
	assert_int_equal(sqlite3_column_int(st, 1), 6);
	assert_int_equal(sqlite3_column_int(st, 0), 7);
	/* and it never drops a row of the window */
	sqlite3_finalize(st);
	sb_reset(&q);
	sb_addstr(&q, "SELECT COUNT(*) FROM (SELECT column1 AS v FROM (VALUES ('2025-12-16T12:00:00Z'), "
		      "('2026-01-15 12:00:00.000'))) WHERE NOT (v >= ");
	dialect_expand(&q, d->ts_prefix_from, NULL, NULL, lo.buf);
	sb_addstr(&q, " AND v < ");
	dialect_expand(&q, d->ts_prefix_until, NULL, NULL, hi.buf);
	sb_addch(&q, ')');
	assert_int_equal(sqlite3_prepare_v2(db, q.buf, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_null(dialect_postgres.ts_prefix_from);
	sb_release(&lo);
	sb_release(&hi);
	sb_release(&q);
}

/* Values inside JSON: the templates' placeholders, and each dialect's read */
static void test_json_templates(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	/* {c} {p} {s} only; regex counts like {4} stay; inserted text is not
	 * expanded again (a PostgreSQL path '{s}' for a key named s) */
	dialect_expand(&sb, "f({c}, {p}) ~ '[0-9]{4}' {s}{x}", "col", "'{s}'", "T");
	assert_string_equal(sb.buf, "f(col, '{s}') ~ '[0-9]{4}' T{x}");

	const char *keys[2] = { "a", "b c" };
	const struct { const struct dialect *d; enum col_type t; const char *want; } cases[] = {
		{ &dialect_postgres, TY_STRING,
		  "CASE WHEN jsonb_typeof(to_jsonb(j #> '{a,\"b c\"}')) IN ('string', 'number', "
		  "'boolean') THEN (j #>> '{a,\"b c\"}') END" },
		{ &dialect_postgres, TY_BOOLEAN,
		  "CASE WHEN (j #>> '{a,\"b c\"}') IN ('true', 'false') THEN "
		  "(j #>> '{a,\"b c\"}') = 'true' END" },
		{ &dialect_bigquery, TY_STRING, "JSON_VALUE(j, '$.a.\"b c\"')" },
		{ &dialect_bigquery, TY_DATE,
		  "CASE WHEN REGEXP_CONTAINS(JSON_VALUE(j, '$.a.\"b c\"'), '" JSON_RE_DATE "') "
		  "THEN SAFE_CAST(JSON_VALUE(j, '$.a.\"b c\"') AS DATE) END" },
		/* an OBJECT key: a JSON null is SQL NULL on a JSON column too,
		 * where JSON_QUERY alone gives JSON 'null' */
		{ &dialect_bigquery, TY_OBJECT,
		  "CASE WHEN TO_JSON_STRING(JSON_QUERY(j, '$.a.\"b c\"')) <> 'null' "
		  "THEN JSON_QUERY(j, '$.a.\"b c\"') END" },
		{ &dialect_snowflake, TY_NUMBER,
		  "CASE WHEN REGEXP_LIKE((j['a']['b c'])::STRING, '" JSON_RE_NUMBER "') "
		  "THEN TRY_TO_DOUBLE((j['a']['b c'])::STRING) END" },
		{ &dialect_redshift, TY_TIME,
		  "CASE WHEN JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE) ~ '" JSON_RE_TIME
		  "' THEN CAST(JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE) AS TIME) END" },
		/* a real "" is the empty string, not null: a missing key is
		 * already NULL (no NULLIF) */
		{ &dialect_redshift, TY_STRING,
		  "CASE WHEN NOT ((LEFT(JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE), 1) = '{' AND "
		  "IS_VALID_JSON(JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE))) OR "
		  "(LEFT(JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE), 1) = '[' AND "
		  "IS_VALID_JSON_ARRAY(JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE)))) "
		  "THEN JSON_EXTRACT_PATH_TEXT(j, 'a', 'b c', TRUE) END" },
		{ &dialect_databricks, TY_TIME,
		  "CASE WHEN get_json_object(j, '$.a[\\'b c\\']') RLIKE '" JSON_RE_TIME "' "
		  "THEN get_json_object(j, '$.a[\\'b c\\']') END" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sb_reset(&sb);
		dialect_json_get(cases[i].d, &sb, "j", keys, 2, cases[i].t);
		assert_string_equal(sb.buf, cases[i].want);
	}
	/* every dialect reads every scalar type through a guard, never a bare cast */
	for (size_t i = 0; i < ndialects; i++)
		for (int t = TY_NUMBER; t <= TY_TIMESTAMP; t++) {
			sb_reset(&sb);
			dialect_json_get(dialects[i], &sb, "j", keys, 1, (enum col_type)t);
			if (t != TY_STRING || dialects[i] != &dialect_bigquery)
				assert_non_null(strstr(sb.buf, "CASE "));
		}
	sb_release(&sb);
}

/* ---- generator, executed on SQLite --------------------------------------- */

struct fixture {
	struct graph g;
	struct trait traits[2];
	struct warehouse w;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct strbuf *sb = arg;
	sb_addf(sb, "%s%s", sb->len ? "," : "", vals[0] ? vals[0] : "NULL");
	return 0;
}

/* Members of `where { x }` over table P(id, plan, name), sorted, comma-separated. */
static char *members_of(struct fixture *f, struct ast_expr *x)
{
	struct ast_expr *items[1] = { x };
	struct ast_expr block = { .kind = EX_BLOCK, .items = items, .nitems = 1 };
	struct ast_audience a = { .name = "t", .target = TARGET_PROFILE, .where = &block };
	struct sql_options o = { .d = &dialect_sqlite, .now = "2026-01-15 12:00:00" };
	struct strbuf sql = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	sb_addstr(&sql, "SELECT member_id FROM (");
	sql_membership(&sql, &f->g, &a, &o);
	sb_addstr(&sql, ") ORDER BY 1");
	if (f->w.ops->query(&f->w, sql.buf, collect, &out, &err) != 0)
		fail_msg("%s\n%s", err.buf, sql.buf);
	sb_release(&sql);
	sb_release(&err);
	return sb_detach(&out);
}

/* The project's warehouse opens at the default path; read-only unless asked
 * to write (a preview must not change the file), and never created (a
 * mistyped path must not become an empty warehouse). */
static void test_warehouse_open_project(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\nwarehouse: { type: sqlite }\n");
	fx_write("data/.keep", "");
	struct project p;
	free(fx_load(&p));
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(warehouse_open_project(&p, WH_READ, &w, &err), -1);
	assert_non_null(strstr(err.buf, "data/warehouse.db"));
	assert_int_not_equal(access("data/warehouse.db", F_OK), 0);
	sb_reset(&err);
	assert_int_equal(warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err), -1);
	assert_int_not_equal(access("data/warehouse.db", F_OK), 0);
	sb_reset(&err);
	fx_write("data/warehouse.db", ""); /* an empty file is an empty SQLite database */
	assert_int_equal(warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err), 0);
	assert_int_equal(w.ops->query(&w, "CREATE TABLE t (x TEXT)", NULL, NULL, &err), 0);
	warehouse_close(&w);
	assert_int_equal(access("data/warehouse.db", F_OK), 0);
	assert_int_equal(warehouse_open_project(&p, WH_READ, &w, &err), 0);
	assert_int_equal(w.ops->query(&w, "INSERT INTO t VALUES ('a')", NULL, NULL, &err), -1);
	assert_int_equal(w.ops->query(&w, "SELECT x FROM t", NULL, NULL, &err), 0);
	warehouse_close(&w);
	sb_release(&err);
	project_release(&p);
	fx_leave();
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	static const char *const parts[] = { "DB", "S", "P" };
	struct strbuf err = STRBUF_INIT;
	f->traits[0] = (struct trait){ .name = "plan", .type = TY_STRING, .column = "plan" };
	f->traits[1] = (struct trait){ .name = "name", .type = TY_STRING, .column = "name" };
	f->g.profile.table = "DB.S.P";
	memcpy(f->g.profile.table_parts, parts, sizeof(parts));
	f->g.profile.ntable_parts = 3;
	f->g.profile.id = "id";
	f->g.profile.traits = f->traits;
	f->g.profile.ntraits = 2;
	if (warehouse_open_sqlite(&f->w, ":memory:", false, &err) != 0)
		fail_msg("%s", err.buf);
	sb_release(&err);
	assert_int_equal(f->w.ops->query(&f->w,
		"CREATE TABLE P (id TEXT, plan TEXT, name TEXT);"
		, NULL, NULL, &err), 0);
	assert_int_equal(f->w.ops->query(&f->w,
		"INSERT INTO P VALUES ('1', 'free', 'C:\\temp\\'), ('2', NULL, 'a%b'), "
		"('3', 'pro', 'axb'), ('4', 'Free', 'it''s'), ('5', 'free', 'Zoë_x'), ('6', 'x', NULL)",
		NULL, NULL, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	warehouse_close(&f->w);
	free(f);
	return 0;
}

static struct ast_expr trait_cond(struct fixture *f, int t, struct predicate *pr, bool negated)
{
	static const char *names[2][1] = { { "plan" }, { "name" } };
	struct ast_expr x = { .kind = EX_TRAIT, .negated = negated, .pred = pr,
			      .trait = &f->traits[t], .trait_root = &f->traits[t] };
	x.path.parts = names[t];
	x.path.n = 1;
	return x;
}

#define EXPECT_MEMBERS(f, x, want) do { char *m_ = members_of((f), (x)); \
	assert_string_equal(m_, (want)); free(m_); } while (0)

static void test_two_valued_logic(void **state)
{
	struct fixture *f = *state;
	struct predicate eq = { .kind = PRED_CMP, .cmp = CMP_EQ,
				.rhs = { .ref = REF_NONE, .lit = { .kind = LIT_STRING, .text = "free" } } };
	struct ast_expr with = trait_cond(f, 0, &eq, false);
	struct ast_expr without = trait_cond(f, 0, &eq, true);
	/* case-sensitive: 'Free' is not 'free' */
	EXPECT_MEMBERS(f, &with, "1,5");
	/* without is the exact complement: null plans are in */
	EXPECT_MEMBERS(f, &without, "2,3,4,6");
	/* `not (plan != "free")`: != on null is false, so its not is true */
	struct predicate ne = eq;
	ne.cmp = CMP_NE;
	struct ast_expr nex = trait_cond(f, 0, &ne, false);
	EXPECT_MEMBERS(f, &nex, "3,4,6");
	struct ast_expr notx = { .kind = EX_NOT, .lhs = &nex };
	EXPECT_MEMBERS(f, &notx, "1,2,5");
	/* not contains on null is false; its complement is true */
	struct predicate nc = { .kind = PRED_NOT_CONTAINS,
				.rhs = { .ref = REF_NONE, .lit = { .kind = LIT_STRING, .text = "%" } } };
	struct ast_expr ncx = trait_cond(f, 1, &nc, false);
	EXPECT_MEMBERS(f, &ncx, "1,3,4,5");
	struct ast_expr wncx = trait_cond(f, 1, &nc, true);
	EXPECT_MEMBERS(f, &wncx, "2,6");
}

static void test_string_traps_executed(void **state)
{
	struct fixture *f = *state;
	struct predicate pr = { .rhs = { .ref = REF_NONE, .lit = { .kind = LIT_STRING } } };
	struct ast_expr x = trait_cond(f, 1, &pr, false);
	/* % and _ are literal characters, never wildcards */
	pr.kind = PRED_CONTAINS;
	pr.rhs.lit.text = "%";
	EXPECT_MEMBERS(f, &x, "2");
	pr.kind = PRED_STARTS_WITH;
	pr.rhs.lit.text = "a%";
	EXPECT_MEMBERS(f, &x, "2");
	pr.kind = PRED_ENDS_WITH;
	pr.rhs.lit.text = "_x";
	EXPECT_MEMBERS(f, &x, "5");
	pr.rhs.lit.text = "";
	EXPECT_MEMBERS(f, &x, "1,2,3,4,5");
	/* case-sensitive on SQLite too (LIKE would not be) */
	pr.kind = PRED_CONTAINS;
	pr.rhs.lit.text = "AXB";
	EXPECT_MEMBERS(f, &x, "");
	/* a trailing backslash, a quote, Unicode */
	pr.kind = PRED_CMP;
	pr.cmp = CMP_EQ;
	pr.rhs.lit.text = "C:\\temp\\";
	EXPECT_MEMBERS(f, &x, "1");
	pr.rhs.lit.text = "it's";
	EXPECT_MEMBERS(f, &x, "4");
	pr.kind = PRED_STARTS_WITH;
	pr.rhs.lit.text = "Zoë";
	EXPECT_MEMBERS(f, &x, "5");
	/* in / not in: null is in neither */
	struct literal l[2] = { { .kind = LIT_STRING, .text = "free" }, { .kind = LIT_STRING, .text = "pro" } };
	struct predicate in = { .kind = PRED_IN, .list = l, .nlist = 2 };
	struct ast_expr ix = trait_cond(f, 0, &in, false);
	EXPECT_MEMBERS(f, &ix, "1,3,5");
	in.kind = PRED_NOT_IN;
	EXPECT_MEMBERS(f, &ix, "4,6");
	/* no predicate: is not null */
	struct ast_expr nn = trait_cond(f, 0, NULL, false);
	EXPECT_MEMBERS(f, &nn, "1,3,4,5,6");
}

/* SQLite's guards executed (SPEC §3.4): drifting JSON read as each type */
static void test_json_values_executed(void **state)
{
	struct fixture *f = *state;
	const struct { enum col_type t; const char *json; const char *want; } cases[] = {
		{ TY_NUMBER, "\"abc\"", "NULL" }, { TY_NUMBER, "\"\"", "NULL" },
		{ TY_NUMBER, "\" 3\"", "NULL" }, { TY_NUMBER, "\"NaN\"", "NULL" },
		{ TY_NUMBER, "\"1e2\"", "100.0" }, { TY_NUMBER, "\"12.5\"", "12.5" },
		{ TY_NUMBER, "true", "NULL" }, { TY_NUMBER, "{\"v\": 1}", "NULL" },
		{ TY_NUMBER, "[1]", "NULL" }, { TY_NUMBER, "\"007\"", "7.0" },
		{ TY_NUMBER, "\"-0.5\"", "-0.5" }, { TY_NUMBER, "\"+1\"", "NULL" },
		{ TY_NUMBER, "\"1.\"", "NULL" }, { TY_NUMBER, "\"-\"", "NULL" },
		{ TY_NUMBER, "\"1e\"", "NULL" }, { TY_NUMBER, "\"0x10\"", "NULL" },
		{ TY_NUMBER, "3", "3.0" }, { TY_NUMBER, "null", "NULL" },
		{ TY_BOOLEAN, "1", "NULL" }, { TY_BOOLEAN, "\"yes\"", "NULL" },
		{ TY_BOOLEAN, "\"TRUE\"", "NULL" }, { TY_BOOLEAN, "true", "1" },
		{ TY_BOOLEAN, "\"false\"", "0" },
		{ TY_STRING, "7", "7" }, { TY_STRING, "true", "true" }, { TY_STRING, "\"a\\\"b\"", "a\"b" },
		{ TY_STRING, "{\"x\": 1}", "NULL" }, { TY_STRING, "[\"x\"]", "NULL" },
		{ TY_STRING, "null", "NULL" }, { TY_STRING, "\"\"", "" },
		{ TY_DATE, "\"2025-02-30\"", "NULL" }, { TY_DATE, "\"2024-02-29\"", "2024-02-29" },
		{ TY_DATE, "\"2025-1-5\"", "NULL" }, { TY_DATE, "20250101", "NULL" },
		{ TY_TIME, "\"24:00:00\"", "NULL" }, { TY_TIME, "\"23:59:59\"", "23:59:59" },
		{ TY_TIME, "\"8:00:00\"", "NULL" },
		{ TY_TIMESTAMP, "\"2025-02-30 10:00:00\"", "NULL" },
		{ TY_TIMESTAMP, "\"2025-01-31T08:30:00.5Z\"", "2025-01-31T08:30:00.5Z" },
		{ TY_TIMESTAMP, "\"2025-01-31T08:30:00+01:00\"", "NULL" },
		{ TY_TIMESTAMP, "\"2025-01-31 24:00:00\"", "NULL" },
		{ TY_TIMESTAMP, "\"2025-01-31T08:30:00ZZ\"", "NULL" },
	};
	const char *keys[1] = { "k" };
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf sql = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
		sb_addstr(&sql, "SELECT ");
		dialect_json_get(&dialect_sqlite, &sql, "j", keys, 1, cases[i].t);
		sb_addstr(&sql, " FROM (SELECT '{\"k\": ");
		for (const char *c = cases[i].json; *c; c++)
			sb_addstr(&sql, *c == '\'' ? "''" : (char[]){ *c, 0 });
		sb_addstr(&sql, "}' AS j)");
		if (f->w.ops->query(&f->w, sql.buf, collect, &out, &err) != 0)
			fail_msg("%s\n%s", err.buf, sql.buf);
		if (strcmp(out.buf, cases[i].want) != 0)
			fail_msg("%s read as type %d: %s, want %s", cases[i].json, (int)cases[i].t,
				 out.buf, cases[i].want);
		sb_release(&sql);
		sb_release(&out);
		sb_release(&err);
	}
}

/* Values read back (SPEC §1.1 "Session"): %V expands the table's template
 * over alias.column, else the plain text cast. */
static void test_read_back_templates(void **state)
{
	const struct { const struct dialect *d; enum col_type t; const char *want; } cases[] = {
		{ &dialect_postgres, TY_STRING, "CAST(t.\"from\" AS TEXT)" },
		{ &dialect_postgres, TY_DATE, "to_char(t.\"from\", 'YYYY-MM-DD')" },
		{ &dialect_snowflake, TY_NUMBER, "CAST(t.\"FROM\" AS VARCHAR)" },
		{ &dialect_snowflake, TY_TIMESTAMP, "REPLACE(TO_CHAR(CONVERT_TIMEZONE('UTC', t.\"FROM\"), "
		  "'YYYY-MM-DD\"T\"HH24:MI:SS.FF6\"Z\"'), '.000000Z', 'Z')" },
		{ &dialect_bigquery, TY_TIME, "FORMAT_TIME('%H:%M:%S', t.`from`)" },
		{ &dialect_databricks, TY_BOOLEAN, "CASE t.`from` WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END" },
		{ &dialect_redshift, TY_TIME, "TO_CHAR(DATE '2000-01-01' + t.\"from\", 'HH24:MI:SS')" },
		{ &dialect_sqlite, TY_OBJECT, "CAST(t.\"from\" AS TEXT)" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		sql_fmt(&sb, cases[i].d, "%V", cases[i].t, "t", "from");
		assert_string_equal(sb.buf, cases[i].want);
		sb_release(&sb);
	}
	/* no alias: the bare column */
	struct strbuf sb = STRBUF_INIT;
	sql_fmt(&sb, &dialect_sqlite, "%V", TY_DATE, NULL, "d");
	assert_string_equal(sb.buf, "strftime('%Y-%m-%d', d)");
	sb_release(&sb);
	/* every dialect formats dates and timestamps explicitly, never by a cast */
	for (size_t i = 0; i < ndialects; i++) {
		assert_non_null(dialects[i]->read_back[TY_DATE]);
		assert_non_null(dialects[i]->read_back[TY_TIMESTAMP]);
		assert_non_null(dialects[i]->read_back[TY_BOOLEAN]);
		assert_non_null(strstr(dialects[i]->read_back[TY_TIMESTAMP], "'.000000Z', 'Z'"));
	}
}

/* The SQLite templates executed: ISO text in either spelling, offsets and
 * fractions, booleans as 1/0. */
static void test_read_back_executed(void **state)
{
	struct fixture *f = *state;
	const struct { enum col_type t; const char *value; const char *want; } cases[] = {
		{ TY_DATE, "'2025-01-31'", "2025-01-31" },
		{ TY_DATE, "'2025-01-31T23:30:00Z'", "2025-01-31" },
		{ TY_TIME, "'08:30:00'", "08:30:00" },
		{ TY_TIMESTAMP, "'2025-01-31 08:30:00'", "2025-01-31T08:30:00Z" },
		{ TY_TIMESTAMP, "'2025-01-31T08:30:00Z'", "2025-01-31T08:30:00Z" },
		{ TY_TIMESTAMP, "'2025-01-31T09:30:00.5+01:00'", "2025-01-31T08:30:00.500000Z" },
		{ TY_TIMESTAMP, "'not a time'", "NULL" },
		{ TY_BOOLEAN, "1", "true" }, { TY_BOOLEAN, "0", "false" },
		{ TY_BOOLEAN, "'yes'", "yes" }, { TY_BOOLEAN, "NULL", "NULL" },
		{ TY_NUMBER, "3", "3" }, { TY_NUMBER, "2.5", "2.5" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf sql = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
		sql_fmt(&sql, &dialect_sqlite, "SELECT %V FROM (SELECT %s AS v) AS x", cases[i].t, "x",
			"v", cases[i].value);
		if (f->w.ops->query(&f->w, sql.buf, collect, &out, &err) != 0)
			fail_msg("%s\n%s", err.buf, sql.buf);
		if (strcmp(out.buf, cases[i].want) != 0)
			fail_msg("%s read back as type %d: %s, want %s", cases[i].value, (int)cases[i].t,
				 out.buf, cases[i].want);
		sb_release(&sql);
		sb_release(&out);
		sb_release(&err);
	}
}

/* lac's own statements (`lac run`, `--emit run`): the dialect table's words */
static void test_run_statements(void **state)
{
	static const struct {
		const struct dialect *d;
		const char *cast, *except, *at;
	} want[] = {
		{ &dialect_snowflake, "CAST(x AS VARCHAR)", "EXCEPT", "\"AT\"" },
		/* BigQuery: STRING, EXCEPT needs DISTINCT, AT is reserved */
		{ &dialect_bigquery, "CAST(x AS STRING)", "EXCEPT DISTINCT", "`at`" },
		/* Redshift: TEXT would be VARCHAR(256) and truncate */
		{ &dialect_redshift, "CAST(x AS VARCHAR(65535))", "EXCEPT", "\"at\"" },
		{ &dialect_databricks, "CAST(x AS STRING)", "EXCEPT", "`at`" },
		{ &dialect_postgres, "CAST(x AS TEXT)", "EXCEPT", "\"at\"" },
		{ &dialect_sqlite, "CAST(x AS TEXT)", "EXCEPT", "\"at\"" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const struct dialect *d = want[i].d;
		struct strbuf sb = STRBUF_INIT;
		sql_fmt(&sb, d, "CAST(x AS %S)");
		assert_string_equal(sb.buf, want[i].cast);
		sb_release(&sb);
		assert_string_equal(d->except, want[i].except);
		char *at = ident(d, "at");
		assert_string_equal(at, want[i].at);
		free(at);
		assert_non_null(d->key_column);
		assert_non_null(d->log_now);
		/* begin, commit and rollback come together; a swap by renames
		 * (no replace_table) needs them (it is one transaction) */
		assert_true((d->begin == NULL) == (d->commit == NULL) &&
			    (d->begin == NULL) == (d->rollback == NULL));
		assert_true(d->replace_table || d->begin);
		/* a replace names both tables, the current one first */
		if (d->replace_table) {
			const char *c = strstr(d->replace_table, "{c}"), *src = strstr(d->replace_table, "{s}");
			assert_true(c && src && c < src);
		}
		/* the warehouse destination writes to every dialect: without
		 * transactions a page is MERGEd; delete_events is a transactional
		 * dialect's alternative to ON CONFLICT, never beside a MERGE */
		assert_non_null(d->json_type);
		assert_true(d->begin || d->merge_events);
		assert_true(!d->delete_events || (d->begin && !d->merge_events));
		assert_true(!d->no_savepoints || d->begin);
		if (d->merge_events)
			assert_true(strstr(d->merge_events, "{c}") && strstr(d->merge_events, "{s}") &&
				    strstr(d->merge_events, "ON t.message_id = s.message_id WHEN NOT MATCHED"));
		if (d->delete_events)
			assert_true(strstr(d->delete_events, "DELETE FROM {c} WHERE message_id IN ({s})"));
		/* only SQLite has no schemas, only its snapshots are indexed */
		assert_true(d->create_schema == (d != &dialect_sqlite));
		assert_true(d->index_snapshots == (d == &dialect_sqlite));
	}
	/* BigQuery: no VARCHAR(n) nor enforced PRIMARY KEY; BEGIN/COMMIT TRANSACTION */
	assert_string_equal(dialect_bigquery.key_column, "STRING NOT NULL");
	assert_string_equal(dialect_bigquery.begin, "BEGIN TRANSACTION");
	assert_string_equal(dialect_bigquery.commit, "COMMIT TRANSACTION");
	/* BigQuery: a table copy, not a query that rewrites the rows */
	assert_string_equal(dialect_bigquery.replace_table, "CREATE OR REPLACE TABLE {c} COPY {s}");
	/* BigQuery's events: rows as an array of STRUCTs into a JSON column;
	 * Redshift's: DELETE and INSERT in a transaction without savepoints */
	assert_string_equal(dialect_bigquery.json_type, "JSON");
	assert_non_null(strstr(dialect_bigquery.merge_events, "FROM UNNEST(ARRAY<STRUCT<message_id STRING, "
					       "received_at STRING, event STRING>>[{s}])"));
	assert_true(dialect_bigquery.event_sql_max > 0 && dialect_bigquery.event_sql_max <= 1000 * 1000);
	assert_null(dialect_redshift.merge_events);
	assert_true(dialect_redshift.no_savepoints && !dialect_postgres.no_savepoints);
	/* Databricks: no multi-statement transactions */
	assert_null(dialect_databricks.begin);
	/* Snowflake: a zero-copy clone, which can be repeated (SWAP WITH cannot) */
	assert_string_equal(dialect_snowflake.replace_table, "CREATE OR REPLACE TABLE {c} CLONE {s}");
	/* Redshift's CTAS has no IF NOT EXISTS */
	assert_false(dialect_redshift.ctas_if_not_exists);
	/* the warehouses lac runs on keep their statements */
	assert_string_equal(dialect_postgres.log_time_type, "TIMESTAMP WITH TIME ZONE");
	assert_null(dialect_postgres.replace_table);
	assert_null(dialect_sqlite.replace_table);
	assert_string_equal(dialect_sqlite.begin, "BEGIN");
}

/* The source map: each condition's SQL is found by an offset inside it,
 * aliases are renamed only as whole names followed by '.', and a warehouse
 * error is told at the condition (or at the header without a position). */
static void test_srcmap(void **state)
{
	struct fixture *f = *state;
	struct predicate eq = { .kind = PRED_CMP, .cmp = CMP_EQ,
				.rhs = { .ref = REF_NONE, .lit = { .kind = LIT_STRING, .text = "free" } } };
	struct predicate eq2 = eq;
	eq2.rhs.lit.text = "Zed";
	struct ast_expr plan = trait_cond(f, 0, &eq, false), name = trait_cond(f, 1, &eq2, false);
	plan.loc = (struct loc){ 1, 4, 11, 4, 25 };
	name.loc = (struct loc){ 1, 5, 11, 5, 25 };
	struct ast_expr *items[2] = { &plan, &name };
	struct ast_expr block = { .kind = EX_BLOCK, .items = items, .nitems = 2 };
	struct ast_file file = { .path = "audiences/a.lac" };
	struct ast_audience a = { .name = "t", .target = TARGET_PROFILE, .where = &block, .file = &file,
				  .loc = { 1, 2, 1, 2, 9 } };
	struct sql_srcmap map = { 0 };
	struct sql_options o = { .d = &dialect_sqlite, .now = "2026-01-15 12:00:00", .map = &map };
	struct strbuf sql = STRBUF_INIT;
	sb_addstr(&sql, "-- a prefix the offsets count from\n");
	sql_membership(&sql, &f->g, &a, &o);
	const char *at_free = strstr(sql.buf, "'free'"), *at_zed = strstr(sql.buf, "'Zed'");
	assert_non_null(at_free);
	assert_non_null(at_zed);
	const struct sql_span *sp = sql_srcmap_find(&map, (size_t)(at_free - sql.buf));
	assert_non_null(sp);
	assert_int_equal(sp->loc.line, 4);
	sp = sql_srcmap_find(&map, (size_t)(at_zed - sql.buf));
	assert_non_null(sp);
	assert_int_equal(sp->loc.line, 5);
	assert_null(sql_srcmap_find(&map, 0)); /* the prefix is no condition */

	struct sql_alias al = { "e3", "pet" };
	map.aliases = &al;
	map.naliases = 1;
	struct strbuf out = STRBUF_INIT;
	sql_srcmap_rename(&map, "column e3.type; ae3.x e3x.y (e3.id)", &out);
	assert_string_equal(out.buf, "column pet.type; ae3.x e3x.y (pet.id)");
	sb_reset(&out);
	/* the vendors' spellings: Snowflake's upper case, Databricks' backquotes */
	sql_srcmap_rename(&map, "'E3.TYPE' `e3`.`type` \"e3\".x `e3.x `e3`x", &out);
	assert_string_equal(out.buf, "'pet.TYPE' `pet`.`type` \"pet\".x `pet.x `e3`x");
	sb_reset(&out);
	struct project p;
	memset(&p, 0, sizeof(p));
	sql_warehouse_error(&out, &p, &a, &map, true, (size_t)(at_zed - sql.buf), true,
			    "ERROR:  column e3.name does not exist\nLINE 9: e3.name");
	assert_string_equal(out.buf, "warehouse error in audience 't' (audiences/a.lac:5:11): "
			    "ERROR:  column pet.name does not exist\nLINE 9: e3.name");
	sb_reset(&out);
	/* a vendor's name on its message's second line is renamed too */
	sql_warehouse_error(&out, &p, &a, &map, true, (size_t)(at_zed - sql.buf), true,
			    "SQL compilation error: error line 2 at position 4\ninvalid identifier 'E3.NAME'");
	assert_string_equal(out.buf, "warehouse error in audience 't' (audiences/a.lac:5:11): "
			    "SQL compilation error: error line 2 at position 4\ninvalid identifier 'pet.NAME'");
	sb_reset(&out);
	sql_warehouse_error(&out, &p, &a, &map, true, (size_t)(at_zed - sql.buf), false, "e3.x");
	assert_string_equal(out.buf, "warehouse error in audience 't' (audiences/a.lac:2): pet.x");
	sb_reset(&out);
	sql_warehouse_error(&out, &p, &a, &map, false, 0, true, "e3.x");
	assert_string_equal(out.buf, "warehouse error in audience 't' (audiences/a.lac:2): e3.x");
	map.aliases = NULL;
	map.naliases = 0;
	sql_srcmap_release(&map);
	sb_release(&out);
	sb_release(&sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_literals),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_table_names),
		cmocka_unit_test(test_time_points),
		cmocka_unit_test(test_ts_prefix_superset),
		cmocka_unit_test(test_run_statements),
		cmocka_unit_test(test_warehouse_open_project),
		cmocka_unit_test_setup_teardown(test_two_valued_logic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srcmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_traps_executed, setup, teardown),
		cmocka_unit_test(test_json_templates),
		cmocka_unit_test(test_read_back_templates),
		cmocka_unit_test_setup_teardown(test_read_back_executed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_values_executed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
