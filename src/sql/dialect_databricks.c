/*
 * sql/dialect_databricks.c — Databricks SQL: `backtick` identifiers,
 * backslash-escaping string literals (never "double-quoted" strings),
 * INTERVAL arithmetic, get_json_object over STRING JSON.
 */
#include "sql/dialect.h"

static void db_typed_lit(const struct dialect *d, struct strbuf *sb, enum col_type t,
			 const char *text)
{
	if (t == TY_TIME) { /* no TIME type: HH:MM:SS text compares in order */
		d->string_lit(d, sb, text);
		return;
	}
	dialect_typed_lit_ansi(d, sb, t, text);
}

static void db_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *now, long amount, enum time_unit unit)
{
	struct strbuf base = STRBUF_INIT;
	if (now)
		d->typed_lit(d, &base, TY_TIMESTAMP, now);
	else
		sb_addstr(&base, "current_timestamp()");
	if (t == TY_DATE) {
		long days = dialect_days(amount, unit);
		if (days)
			sb_addf(sb, "date_add(CAST(%s AS DATE), %ld)", base.buf, days);
		else
			sb_addf(sb, "CAST(%s AS DATE)", base.buf);
	} else if (amount) {
		const char *w = dialect_unit_word(&amount, unit);
		sb_addf(sb, "(%s %c INTERVAL %ld %s)", base.buf, amount < 0 ? '-' : '+',
			amount < 0 ? -amount : amount,
			w[0] == 'm' ? "MINUTES" : w[0] == 'h' ? "HOURS" : "DAYS");
	} else {
		sb_addstr(sb, base.buf);
	}
	sb_release(&base);
}

static void db_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			 const char *a, const char *b)
{
	const char *fn = k == PRED_STARTS_WITH ? "startswith" : k == PRED_ENDS_WITH ? "endswith" : "contains";
	sb_addf(sb, "%s(%s, %s)", fn, a, b);
}

const struct dialect dialect_databricks = {
	.version = 1,
	.name = "databricks",
	.warehouse = WH_DATABRICKS,
	.fold = FOLD_NONE,
	.reserved = (const char *const[]){ "anti", "minus", "semi", NULL },
	.quote_ident = dialect_quote_backtick,
	.string_lit = dialect_string_backslash_all,
	.table_name = dialect_table_all_parts,
	.typed_lit = db_typed_lit,
	.value = dialect_value_plain,
	.time_point = db_time_point,
	.str_match = db_str_match,
	.json_path = dialect_json_path_bracketed,
	/* STRING JSON: a string and an object read alike (their text), so
	 * STRING takes text that parses as a JSON object or array for one */
	.json_text = "get_json_object({c}, {p})",
	.json_read = {
		[TY_NUMBER] = "CASE WHEN {s} RLIKE '" JSON_RE_NUMBER "' "
			      "THEN try_cast({s} AS DOUBLE) END",
		[TY_STRING] = "CASE WHEN json_object_keys({s}) IS NULL AND "
			      "json_array_length({s}) IS NULL THEN {s} END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		[TY_DATE] = "CASE WHEN {s} RLIKE '" JSON_RE_DATE "' THEN try_cast({s} AS DATE) END",
		/* no TIME type: HH:MM:SS text compares in order */
		[TY_TIME] = "CASE WHEN {s} RLIKE '" JSON_RE_TIME "' THEN {s} END",
		[TY_TIMESTAMP] = "CASE WHEN {s} RLIKE '" JSON_RE_TIMESTAMP "' "
				 "THEN try_cast({s} AS TIMESTAMP) END",
	},
	/* date_format with a pattern; convert_timezone makes an instant the
	 * UTC wall clock (TIMESTAMP_NTZ), which date_format shows as it is.
	 * TIME is HH:MM:SS text already (no TIME type) */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
		[TY_DATE] = "date_format({s}, 'yyyy-MM-dd')",
		[TY_TIMESTAMP] = "replace(date_format(convert_timezone('UTC', {s}), "
				 "'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSSSS\\'Z\\''), '.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "STRING",
	.key_column = "STRING NOT NULL",
	.log_now = "CAST(current_timestamp() AS STRING)",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.ctas_if_not_exists = true,
	.replace_table = "CREATE OR REPLACE TABLE {c} AS SELECT * FROM {s}",
	/* the warehouse destination: no JSON type that takes any document and
	 * no transactions, so events are text MERGEd on message_id */
	.json_type = "STRING",
	.merge_events = "MERGE INTO {c} AS t USING (VALUES {s}) AS s (message_id, received_at, event) "
			"ON t.message_id = s.message_id WHEN NOT MATCHED THEN "
			"INSERT (message_id, received_at, event) VALUES (s.message_id, s.received_at, s.event)",
};
