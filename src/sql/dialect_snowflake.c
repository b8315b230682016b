/*
 * sql/dialect_snowflake.c — Snowflake: "double-quoted" identifiers folded to
 * upper case, backslash escapes in string literals, VARIANT paths.
 */
#include "sql/dialect.h"

static void sf_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *now, long amount, enum time_unit unit)
{
	struct strbuf base = STRBUF_INIT;
	if (now)
		d->typed_lit(d, &base, TY_TIMESTAMP, now);
	else
		sb_addstr(&base, "SYSDATE()");
	if (t == TY_DATE) {
		long days = dialect_days(amount, unit);
		if (days)
			sb_addf(sb, "DATEADD(day, %ld, CAST(%s AS DATE))", days, base.buf);
		else
			sb_addf(sb, "CAST(%s AS DATE)", base.buf);
	} else if (amount) {
		const char *w = dialect_unit_word(&amount, unit);
		sb_addf(sb, "DATEADD(%s, %ld, %s)", w, amount, base.buf);
	} else {
		sb_addstr(sb, base.buf);
	}
	sb_release(&base);
}

static void sf_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			 const char *a, const char *b)
{
	const char *fn = k == PRED_STARTS_WITH ? "STARTSWITH" : k == PRED_ENDS_WITH ? "ENDSWITH" : "CONTAINS";
	sb_addf(sb, "%s(%s, %s)", fn, a, b);
}

/* ['a']['b'] after the VARIANT column (case-sensitive keys). */
static void sf_json_path(const struct dialect *d, struct strbuf *sb, const char *const *keys,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_addch(sb, '[');
		d->string_lit(d, sb, keys[i]);
		sb_addch(sb, ']');
	}
}

const struct dialect dialect_snowflake = {
	.version = 1,
	.name = "snowflake",
	.warehouse = WH_SNOWFLAKE,
	.fold = FOLD_UPPER,
	.reserved = (const char *const[]){ "account", "connection", "database", "gscluster",
					   "increment", "issue", "minus", "organization",
					   "revoke", "rlike", "sample", "schema", "start",
					   "trigger", "try_cast", "view", "whenever", NULL },
	.quote_ident = dialect_quote_double,
	.string_lit = dialect_string_backslash,
	.table_name = dialect_table_all_parts,
	.typed_lit = dialect_typed_lit_ansi,
	.value = dialect_value_plain,
	.time_point = sf_time_point,
	.str_match = sf_str_match,
	.json_path = sf_json_path,
	/* a VARIANT: ::STRING is a string's text, a number's or boolean's
	 * text, an object's JSON text (no pattern below matches it) */
	.json_text = "({c}{p})::STRING",
	.json_read = {
		[TY_NUMBER] = "CASE WHEN REGEXP_LIKE({s}, '" JSON_RE_NUMBER "') "
			      "THEN TRY_TO_DOUBLE({s}) END",
		[TY_STRING] = "CASE WHEN NOT (IS_OBJECT({c}{p}) OR IS_ARRAY({c}{p})) THEN {s} END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		[TY_DATE] = "CASE WHEN REGEXP_LIKE({s}, '" JSON_RE_DATE "') "
			    "THEN TRY_TO_DATE({s}, 'YYYY-MM-DD') END",
		[TY_TIME] = "CASE WHEN REGEXP_LIKE({s}, '" JSON_RE_TIME "') "
			    "THEN TRY_TO_TIME({s}, 'HH24:MI:SS') END",
		[TY_TIMESTAMP] = "CASE WHEN REGEXP_LIKE({s}, '" JSON_RE_TIMESTAMP "') "
				 "THEN TRY_TO_TIMESTAMP({s}) END",
	},
	/* TO_CHAR with a format; TIMESTAMP_NTZ/LTZ read in the session
	 * TIMEZONE, which lac sets to UTC, TIMESTAMP_TZ converted */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
		[TY_DATE] = "TO_CHAR({s}, 'YYYY-MM-DD')",
		[TY_TIME] = "TO_CHAR({s}, 'HH24:MI:SS')",
		[TY_TIMESTAMP] = "REPLACE(TO_CHAR(CONVERT_TIMEZONE('UTC', {s}), "
				 "'YYYY-MM-DD\"T\"HH24:MI:SS.FF6\"Z\"'), '.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "VARCHAR",
	.key_column = "VARCHAR(255) PRIMARY KEY",
	.log_now = "CAST(CURRENT_TIMESTAMP() AS VARCHAR)",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.ctas_if_not_exists = true,
	.begin = "BEGIN TRANSACTION",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.replace_table = "CREATE OR REPLACE TABLE {c} CLONE {s}",
	/* VARIANT takes no literal in VALUES: PARSE_JSON in the SELECT over them */
	.json_type = "VARIANT",
	.merge_events = "MERGE INTO {c} AS t USING (SELECT column1 AS message_id, column2 AS received_at, "
		       "PARSE_JSON(column3) AS event FROM (VALUES {s}) AS v) AS s "
		       "ON t.message_id = s.message_id WHEN NOT MATCHED THEN "
		       "INSERT (message_id, received_at, event) VALUES (s.message_id, s.received_at, s.event)",
	.event_sql_max = 512 * 1024, /* Snowflake takes at most 1 MB of SQL text */
};
