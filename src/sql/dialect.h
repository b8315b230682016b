/*
 * sql/dialect.h — what differs between the six SQL dialects lac emits.
 *
 * Each dialect is one const table (src/sql/dialect_<name>.c) built over the
 * shared defaults in dialect.c; the generator asks the table, never the name
 * (no `switch (dialect)` outside this directory's tables).  Every hook writes
 * into a strbuf: hooks that take SQL fragments (`expr`) receive text that is
 * already valid SQL; hooks that take user values (`text`) escape them.
 */
#ifndef LAC_SQL_DIALECT_H
#define LAC_SQL_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "graph/graph.h"
#include "project/project.h"
#include "base/util.h"

/* How a dialect folds unquoted identifiers (decides how a name that must be
 * quoted is spelled so that it still matches unquoted DDL). */
enum ident_fold { FOLD_NONE, FOLD_UPPER, FOLD_LOWER };

struct dialect {
	int version;                    /* 1 */
	const char *name;               /* "snowflake" */
	enum warehouse_type warehouse;
	enum ident_fold fold;
	const char *const *reserved;    /* extra reserved words (lower case), NULL-terminated */

	/* An identifier, quoted only when needed (dialect.c: dialect_ident). */
	void (*quote_ident)(const struct dialect *d, struct strbuf *sb, const char *name);
	/* A string literal holding exactly `text` (any UTF-8 but NUL). */
	void (*string_lit)(const struct dialect *d, struct strbuf *sb, const char *text);
	/* A table name from its 1-3 parts. */
	void (*table_name)(const struct dialect *d, struct strbuf *sb,
			   const char *const *parts, size_t n);
	/* A DATE, TIME or TIMESTAMP literal (text as validated by the parser:
	 * "2025-01-31", "08:30:00", "2025-01-31 08:30:00"), in comparable form. */
	void (*typed_lit)(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *text);
	/* A column value of type t made comparable (SQLite normalises ISO text). */
	void (*value)(const struct dialect *d, struct strbuf *sb, enum col_type t, const char *expr);
	/* The reference time moved by amount units, as a TIMESTAMP (t = TY_TIMESTAMP)
	 * or as the date of it (t = TY_DATE, unit is days).  now: normalised
	 * "YYYY-MM-DD HH:MM:SS" literal, or NULL for the dialect's current time. */
	void (*time_point)(const struct dialect *d, struct strbuf *sb, enum col_type t,
			   const char *now, long amount, enum time_unit unit);
	/* Case-sensitive, wildcard-free string tests: PRED_CONTAINS,
	 * PRED_STARTS_WITH or PRED_ENDS_WITH of expression a by expression b. */
	void (*str_match)(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			  const char *a, const char *b);
	/* Values inside JSON (SPEC §3.4, read by dialect_json_get): json_path
	 * writes the path {p} of keys[0..n) as the dialect's JSON functions take
	 * it; json_text is a template for the text of the value at {p} in the
	 * JSON column {c} (null when missing or JSON null; an object or array
	 * may read as its JSON text); json_read[t] a template for the value of
	 * declared type t from that text {s} (and {c}, {p}): null for an object
	 * or array and for text that is not a literal of t, cast only then.
	 * NULL json_read[t]: the text itself. */
	void (*json_path)(const struct dialect *d, struct strbuf *sb, const char *const *keys,
			  size_t n);
	const char *json_text;
	const char *json_read[TY_OBJECT + 1];
	/* A template for the JSON column {c} as the templates above take it,
	 * where JSON is text that may not parse and the engine's JSON
	 * functions fail on it (SQLite): malformed text reads as null, never
	 * as a warehouse error.  NULL: the column itself. */
	const char *json_column;
	/* TRUE / FALSE */
	const char *true_lit, *false_lit;

	/* ---- values lac reads back (SPEC §1.1 "Session"; dialect_read_back) */
	/* read_back[t]: a template for the text of the value {s} of column type
	 * t in an explicit format that no session setting changes: DATE
	 * YYYY-MM-DD, TIME HH:MM:SS, TIMESTAMP YYYY-MM-DDTHH:MM:SS[.ffffff]Z in
	 * UTC (the fraction only when it is not zero, then 6 digits), BOOLEAN
	 * true/false.  NULL: CAST({s} AS text_type), the engine's own text
	 * (STRING as is, NUMBER integral for integers, OBJECT its JSON). */
	const char *read_back[TY_OBJECT + 1];
#define DIALECT_READ_BACK_VERSION 2 /* bumped when a read-back format changes */

	/* ---- lac's own statements (run.c, run_events.c: `lac run`, --emit run) */
	/* An unbounded text type, for CAST(x AS ..) and lac's columns (sqlbuf %S). */
	const char *text_type;
	/* The column type of lac_generation.audience, with its key if any. */
	const char *key_column;
	/* The type of the time columns lac writes (the membership log's, the
	 * warehouse destination's received_at); NULL: text_type. */
	const char *log_time_type;
	/* The log's time in a script written without --now (the current time,
	 * of the log column's type). */
	const char *log_now;
	/* The set difference of distinct rows ("EXCEPT", "EXCEPT DISTINCT"). */
	const char *except;
	/* lac creates its schema (CREATE SCHEMA IF NOT EXISTS); SQLite has none. */
	bool create_schema;
	/* Snapshot tables get indexes (CREATE INDEX); only where lac queries
	 * them locally and the engine has no other way to find rows (SQLite). */
	bool index_snapshots;
	/* The membership log gets an index on run_id (CREATE INDEX): a run's
	 * guard against logging its changes twice looks its run_id up in a log
	 * that grows by every member of every run.  Where the engine prunes by
	 * its own means (min/max per block or file, as rows arrive in run
	 * order), none. */
	bool index_log;
	/* What follows the log's CREATE TABLE (NULL: nothing): BigQuery
	 * clusters it by run_id, so that the same lookup reads (and bills) the
	 * run's blocks, not the whole log. */
	const char *log_table_options;
	/* CREATE TABLE IF NOT EXISTS t AS SELECT .. is accepted; else
	 * CREATE TABLE IF NOT EXISTS t (LIKE src) (Redshift). */
	bool ctas_if_not_exists;
	/* Transaction statements; begin NULL when there are no multi-statement
	 * transactions (Databricks). */
	const char *begin, *commit, *rollback;
	/* How a run's new snapshot replaces the current one (run.c: swap).
	 * NULL: DDL is transactional (PostgreSQL, SQLite, Redshift): DROP TABLE
	 * cur; ALTER TABLE new RENAME TO cur, in the transaction that also
	 * records the generation.  Else DDL cannot share a transaction with the
	 * generation record (Snowflake commits at each DDL statement, BigQuery
	 * and Databricks refuse it): the generation is recorded first, then
	 * each table is replaced by this one atomic statement making table {c}
	 * a copy of table {s}, and {s} is dropped.  Repeating it while {s}
	 * exists changes nothing, so the next run completes a replace that a
	 * crash interrupted (SPEC §1.1 "Transactions"). */
	const char *replace_table;

	/* ---- the `warehouse` destination (deliver/dest_warehouse.c) */
	/* The type of a column holding one JSON document written as a string
	 * literal; NULL: the destination cannot write to this warehouse. */
	const char *json_type;
	/* That type cannot hold the NUL character (PostgreSQL's jsonb refuses
	 * "\u0000"), so such an event is rejected before the insert. */
	bool json_rejects_nul;
	/* Starts a transaction that is going to write; NULL: begin.  SQLite's
	 * BEGIN IMMEDIATE takes the write lock at once, so a busy database
	 * fails at the start, not in the middle of a page. */
	const char *begin_write;
	/* Adds the rows {s} ("(message_id, received_at, event), ..." as a
	 * VALUES list) to the events table {c}, leaving out a message_id it
	 * has already, in one statement that may be repeated (a dialect
	 * without transactions writes a page that way).  NULL: INSERT ...
	 * ON CONFLICT (message_id) DO NOTHING. */
	const char *merge_events;
	/* Removes the events {s} (their message_ids as a list of string
	 * literals) from the table {c}, ahead of a plain INSERT of the same
	 * rows in one transaction: for a warehouse that has transactions but
	 * neither ON CONFLICT nor enforced keys nor VALUES lists as tables
	 * (Redshift).  NULL: not needed. */
	const char *delete_events;
	/* No SAVEPOINT: when a page's insert fails, each event is written in
	 * a transaction of its own (Redshift). */
	bool no_savepoints;
	/* The most SQL text lac puts in one such statement, under the
	 * warehouse's own limit (0: 1 MiB). */
	size_t event_sql_max;

	/* ---- windows on TIMESTAMP columns held as ISO text (SQLite) */
	/* Both accepted spellings of a timestamp start with its date, so the
	 * text compared with the dates of the window's ends is a superset of
	 * the window that an index can serve, tested before the exact one:
	 * `col >= from AND col < until`, {s} a time_point.  NULL: none. */
	const char *ts_prefix_from, *ts_prefix_until;
};

extern const struct dialect dialect_snowflake, dialect_bigquery, dialect_redshift,
	dialect_databricks, dialect_postgres, dialect_sqlite;

/* The registry, in the order `-d all` emits them. */
extern const struct dialect *const dialects[];
extern const size_t ndialects;
const struct dialect *dialect_find(const char *name);
const struct dialect *dialect_for_warehouse(enum warehouse_type t);

/* ---- shared defaults (dialect.c), used by the tables -------------------- */
bool dialect_is_plain_ident(const char *name);
bool dialect_is_reserved(const struct dialect *d, const char *name);
/* Quote with the given characters when needed; closing quote doubled inside. */
void dialect_quote_with(const struct dialect *d, struct strbuf *sb, const char *name,
			char open, char close, bool backslash_escapes);
void dialect_quote_double(const struct dialect *d, struct strbuf *sb, const char *name);
void dialect_quote_backtick(const struct dialect *d, struct strbuf *sb, const char *name);
/* 'text' with ' doubled (PostgreSQL, SQLite). */
void dialect_string_plain(const struct dialect *d, struct strbuf *sb, const char *text);
/* 'text' with \ doubled and ' doubled (Snowflake, Redshift). */
void dialect_string_backslash(const struct dialect *d, struct strbuf *sb, const char *text);
/* 'text' with \ doubled, ' as \', LF as \n, CR as \r (BigQuery, Databricks). */
void dialect_string_backslash_all(const struct dialect *d, struct strbuf *sb, const char *text);
void dialect_table_all_parts(const struct dialect *d, struct strbuf *sb,
			     const char *const *parts, size_t n);
void dialect_typed_lit_ansi(const struct dialect *d, struct strbuf *sb, enum col_type t,
			    const char *text);
void dialect_value_plain(const struct dialect *d, struct strbuf *sb, enum col_type t,
			 const char *expr);
/* Days in `amount unit` for DATE arithmetic (weeks are 7 days). */
long dialect_days(long amount, enum time_unit unit);
/* "minute"|"hour"|"day" and the amount scaled so weeks become days. */
const char *dialect_unit_word(long *amount, enum time_unit unit);
/* A JSON path "$.a.b" (keys that are not plain are written $."a b" / $['a b']). */
void dialect_json_path(struct strbuf *sb, const char *const *keys, size_t n, bool brackets);
/* That path as a string literal: '$."a b"' (json_path of SQLite, BigQuery)
 * and '$['a b']' (Databricks). */
void dialect_json_path_dotted(const struct dialect *d, struct strbuf *sb,
			      const char *const *keys, size_t n);
void dialect_json_path_bracketed(const struct dialect *d, struct strbuf *sb,
				 const char *const *keys, size_t n);
/* The value at keys[0..n) of the JSON column expression col, read as
 * declared type t (SPEC §3.4 "Values inside JSON"): the table's templates
 * expanded. */
void dialect_json_get(const struct dialect *d, struct strbuf *sb, const char *col,
		      const char *const *keys, size_t n, enum col_type t);
/* The text of expr, a value of column type t, as lac reads it back: the
 * table's read_back[t] template expanded, else CAST(expr AS text_type). */
void dialect_read_back(const struct dialect *d, struct strbuf *sb, enum col_type t,
		       const char *expr);
/* Expands {c}, {p} and {s} in tmpl (json_text, json_read, read_back). */
void dialect_expand(struct strbuf *sb, const char *tmpl, const char *c, const char *p,
		    const char *s);

/* The patterns of SPEC §3.4 a JSON text must match to be read as a type,
 * as regular expressions every regex dialect takes (POSIX ERE, RE2, Java):
 * no backslash, no quote, so each is a plain string literal everywhere. */
#define JSON_RE_NUMBER "^-?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$"
#define JSON_RE_DATE "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#define JSON_RE_HMS "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
#define JSON_RE_TIME "^" JSON_RE_HMS "$"
#define JSON_RE_TIMESTAMP "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]" JSON_RE_HMS "([.][0-9]+)?Z?$"
/* A real calendar date YYYY-MM-DD (leap years included), for dialects with
 * no safe date cast (PostgreSQL, Redshift): the cast after it cannot fail. */
#define JSON_RE_CALENDAR \
	"([0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|" \
	"(0[13578]|1[02])-31)|([0-9]{2}(0[48]|[2468][048]|[13579][26])|" \
	"([02468][048]|[13579][26])00)-02-29)"
#define JSON_RE_CAL_DATE "^" JSON_RE_CALENDAR "$"
#define JSON_RE_CAL_TIMESTAMP "^" JSON_RE_CALENDAR "[ T]" JSON_RE_HMS "([.][0-9]+)?Z?$"

#endif
