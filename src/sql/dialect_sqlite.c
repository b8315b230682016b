/*
 * sql/dialect_sqlite.c — the embedded SQLite warehouse: only the last part of
 * a table name, standard string literals, no date types (ISO-8601 text made
 * comparable with julianday()/date()/time()), instr/substr instead of LIKE
 * (which is case-insensitive here), JSON values read and tested with
 * built-in functions only (the sqlite3 shell has no regexp()).
 */
#include <math.h>

#include "sql/dialect.h"

static void lite_table(const struct dialect *d, struct strbuf *sb,
		       const char *const *parts, size_t n)
{
	d->quote_ident(d, sb, parts[n - 1]);
}

static const char *lite_fn(enum col_type t)
{
	return t == TY_DATE ? "date" : t == TY_TIME ? "time" : "julianday";
}

static void lite_typed_lit(const struct dialect *d, struct strbuf *sb, enum col_type t,
			   const char *text)
{
	sb_addf(sb, "%s(", lite_fn(t));
	d->string_lit(d, sb, text);
	sb_addch(sb, ')');
}

static void lite_value(const struct dialect *d, struct strbuf *sb, enum col_type t,
		       const char *expr)
{
	if (t == TY_DATE || t == TY_TIME || t == TY_TIMESTAMP)
		sb_addf(sb, "%s(%s)", lite_fn(t), expr);
	else
		sb_addstr(sb, expr);
}

/* SQLite's date functions give NULL for a point outside the years 0000 to
 * 9999, which would make `within last 1000000 weeks` match nothing: a point
 * that far (over a thousand years) away is clamped to the end of the
 * calendar in its direction, so the window reaches every stored value. */
static void lite_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			    const char *now, long amount, enum time_unit unit)
{
	bool far = fabs((double)amount) * (double)time_unit_seconds(unit) > 1000 * 365.2425 * 86400;
	bool back = amount < 0;
	if (far)
		sb_addstr(sb, "COALESCE(");
	sb_addf(sb, "%s(", t == TY_DATE ? "date" : "julianday");
	d->string_lit(d, sb, now ? now : "now");
	if (t == TY_DATE)
		amount = dialect_days(amount, unit);
	if (amount) {
		const char *w = t == TY_DATE ? "day" : dialect_unit_word(&amount, unit);
		sb_addf(sb, ", '%+ld %ss'", amount, w);
	}
	sb_addch(sb, ')');
	if (far && t == TY_DATE)
		sb_addstr(sb, back ? ", '0000-01-01')" : ", '9999-12-31')");
	else if (far)
		sb_addstr(sb, back ? ", julianday('0000-01-01'))" : ", julianday('9999-12-31 23:59:59.999'))");
}

static void lite_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			   const char *a, const char *b)
{
	if (k == PRED_STARTS_WITH)
		sb_addf(sb, "substr(%s, 1, length(%s)) = %s", a, b, b);
	else if (k == PRED_ENDS_WITH)
		sb_addf(sb, "substr(%s, length(%s) - length(%s) + 1) = %s", a, a, b, b);
	else
		sb_addf(sb, "instr(%s, %s) > 0", a, b);
}

const struct dialect dialect_sqlite = {
	.version = 1,
	.name = "sqlite",
	.warehouse = WH_SQLITE,
	.fold = FOLD_NONE,
	.reserved = (const char *const[]){ "abort", "glob", "indexed", "isnull", "match",
					   "notnull", "raise", "vacuum", NULL },
	.quote_ident = dialect_quote_double,
	.string_lit = dialect_string_plain,
	.table_name = lite_table,
	.typed_lit = lite_typed_lit,
	.value = lite_value,
	.time_point = lite_time_point,
	.str_match = lite_str_match,
	.json_path = dialect_json_path_dotted,
	/* The JSON text of the value (a string quoted, a number as written,
	 * true/false, an object or array) without its quotes: a string that
	 * needed escapes never matches a pattern below.  No regexp() in SQLite:
	 * GLOB, json_valid() and date arithmetic do the tests. */
	.json_text = "trim({c} -> {p}, '\"')",
	.json_read = {
		/* json_valid of "[text,0]", a leading 0 made 1 (JSON has no
		 * leading zeros), over text of number characters only: exactly
		 * -?[0-9]+(.[0-9]+)?([eE][+-]?[0-9]+)? */
		[TY_NUMBER] = "CASE WHEN {s} NOT GLOB '*[^0-9.eE+-]*' AND "
			      "json_valid(replace(replace('[' || {s} || ',0]', '[0', '[1'), '[-0', '[-1')) "
			      "THEN CAST({s} AS REAL) END",
		/* a non-integer number as SQLite's text of it (1.50 is 1.5, 1e2
		 * 100.0: SPEC §3.4, the engine's canonical text) */
		[TY_STRING] = "CASE json_type({c}, {p}) WHEN 'text' THEN json_extract({c}, {p}) "
			      "WHEN 'integer' THEN {s} WHEN 'real' THEN CAST(json_extract({c}, {p}) AS TEXT) "
			      "WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		/* date(x, '+0 days') normalises 2025-02-30 to 2025-03-02 */
		[TY_DATE] = "CASE WHEN {s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND "
			    "date({s}, '+0 days') = {s} THEN {s} END",
		[TY_TIME] = "CASE WHEN {s} GLOB '[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' AND {s} < '24' "
			    "THEN {s} END",
		/* the fixed part, then what julianday() parses of [.digits][Z] */
		[TY_TIMESTAMP] = "CASE WHEN {s} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T]"
				 "[0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' AND "
				 "substr({s}, 20) NOT GLOB '*[^0-9.Z]*' AND substr({s}, 12, 2) < '24' AND "
				 "date(substr({s}, 1, 10), '+0 days') = substr({s}, 1, 10) AND "
				 "julianday({s}) IS NOT NULL THEN {s} END",
		[TY_OBJECT] = "json_extract({c}, {p})",
	},
	/* json_extract, -> and json_type raise "malformed JSON" */
	.json_column = "CASE WHEN json_valid({c}) THEN {c} END",
	/* strftime of ISO text (an offset is applied: UTC); %f is SS.SSS,
	 * so a fraction has milliseconds, SQLite's precision.  Booleans are
	 * 1/0; other text stays as it is */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE CAST({s} AS TEXT) END",
		[TY_DATE] = "strftime('%Y-%m-%d', {s})",
		[TY_TIME] = "strftime('%H:%M:%S', {s})",
		[TY_TIMESTAMP] = "replace(strftime('%Y-%m-%dT%H:%M:%f000Z', {s}), '.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "TEXT",
	.key_column = "VARCHAR(255) PRIMARY KEY",
	.log_now = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
	.except = "EXCEPT",
	.create_schema = false,
	.index_snapshots = true,
	.index_log = true,
	.ctas_if_not_exists = true,
	.begin = "BEGIN",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.json_type = "TEXT",
	.begin_write = "BEGIN IMMEDIATE",
	.ts_prefix_from = "date({s})",
	.ts_prefix_until = "date({s}, '+1 days')",
};
