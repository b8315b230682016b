/*
 * sql/dialect_bigquery.c — BigQuery (GoogleSQL): `backtick` identifiers with
 * backslash escapes, string literals where '' is not an escape, TIMESTAMP_SUB
 * arithmetic, JSON_VALUE (null for objects) tested with REGEXP_CONTAINS before SAFE_CAST,
 * JSON_QUERY with a JSON null made SQL NULL.
 */
#include "sql/dialect.h"

static void bq_quote(const struct dialect *d, struct strbuf *sb, const char *name)
{
	dialect_quote_with(d, sb, name, '`', '`', true);
}

static void bq_typed_lit(const struct dialect *d, struct strbuf *sb, enum col_type t,
			 const char *text)
{
	if (t == TY_TIMESTAMP) {
		struct strbuf s = STRBUF_INIT;
		sb_addf(&s, "%s+00", text);
		sb_addstr(sb, "TIMESTAMP ");
		d->string_lit(d, sb, s.buf);
		sb_release(&s);
		return;
	}
	dialect_typed_lit_ansi(d, sb, t, text);
}

static void bq_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *now, long amount, enum time_unit unit)
{
	struct strbuf base = STRBUF_INIT;
	if (now)
		d->typed_lit(d, &base, TY_TIMESTAMP, now);
	else
		sb_addstr(&base, "CURRENT_TIMESTAMP()");
	if (t == TY_DATE) {
		long days = dialect_days(amount, unit);
		if (days)
			sb_addf(sb, "DATE_%s(DATE(%s), INTERVAL %ld DAY)", days < 0 ? "SUB" : "ADD",
				base.buf, days < 0 ? -days : days);
		else
			sb_addf(sb, "DATE(%s)", base.buf);
	} else if (amount) {
		const char *w = dialect_unit_word(&amount, unit);
		sb_addf(sb, "TIMESTAMP_%s(%s, INTERVAL %ld %s)", amount < 0 ? "SUB" : "ADD",
			base.buf, amount < 0 ? -amount : amount,
			w[0] == 'm' ? "MINUTE" : w[0] == 'h' ? "HOUR" : "DAY");
	} else {
		sb_addstr(sb, base.buf);
	}
	sb_release(&base);
}

static void bq_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			 const char *a, const char *b)
{
	if (k == PRED_STARTS_WITH)
		sb_addf(sb, "STARTS_WITH(%s, %s)", a, b);
	else if (k == PRED_ENDS_WITH)
		sb_addf(sb, "ENDS_WITH(%s, %s)", a, b);
	else
		sb_addf(sb, "STRPOS(%s, %s) > 0", a, b);
}

const struct dialect dialect_bigquery = {
	.version = 1,
	.name = "bigquery",
	.warehouse = WH_BIGQUERY,
	.fold = FOLD_NONE,
	.reserved = (const char *const[]){ "assert_rows_modified", "contains", "cube", "define",
					   "enum", "exclude", "following", "groups", "hash",
					   "lookup", "merge", "new", "no", "preceding", "proto",
					   "respect", "rollup", "struct", "tablesample", "treat",
					   "unbounded", "unnest", NULL },
	.quote_ident = bq_quote,
	.string_lit = dialect_string_backslash_all,
	.table_name = dialect_table_all_parts,
	.typed_lit = bq_typed_lit,
	.value = dialect_value_plain,
	.time_point = bq_time_point,
	.str_match = bq_str_match,
	.json_path = dialect_json_path_dotted,
	/* JSON or STRING columns: JSON_VALUE is null for an object or array */
	.json_text = "JSON_VALUE({c}, {p})",
	.json_read = {
		[TY_NUMBER] = "CASE WHEN REGEXP_CONTAINS({s}, '" JSON_RE_NUMBER "') "
			      "THEN SAFE_CAST({s} AS FLOAT64) END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		[TY_DATE] = "CASE WHEN REGEXP_CONTAINS({s}, '" JSON_RE_DATE "') "
			    "THEN SAFE_CAST({s} AS DATE) END",
		[TY_TIME] = "CASE WHEN REGEXP_CONTAINS({s}, '" JSON_RE_TIME "') "
			    "THEN SAFE_CAST({s} AS TIME) END",
		[TY_TIMESTAMP] = "CASE WHEN REGEXP_CONTAINS({s}, '" JSON_RE_TIMESTAMP "') "
				 "THEN SAFE_CAST({s} AS TIMESTAMP) END",
		/* On a JSON column JSON_QUERY gives JSON 'null' (not SQL NULL) for
		 * a JSON null, on a STRING column SQL NULL: TO_JSON_STRING of
		 * either is 'null', and a JSON null is null (SPEC §3.4). */
		[TY_OBJECT] = "CASE WHEN TO_JSON_STRING(JSON_QUERY({c}, {p})) <> 'null' "
			      "THEN JSON_QUERY({c}, {p}) END",
	},
	/* FORMAT_* with a format; a TIMESTAMP is an instant, shown in UTC */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
		[TY_DATE] = "FORMAT_DATE('%Y-%m-%d', {s})",
		[TY_TIME] = "FORMAT_TIME('%H:%M:%S', {s})",
		[TY_TIMESTAMP] = "REPLACE(FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%E6SZ', {s}, 'UTC'), "
				 "'.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "STRING",
	.key_column = "STRING NOT NULL",
	.log_now = "CAST(CURRENT_TIMESTAMP() AS STRING)",
	.except = "EXCEPT DISTINCT",
	.create_schema = true,
	.index_snapshots = false,
	.log_table_options = " CLUSTER BY run_id",
	.ctas_if_not_exists = true,
	.begin = "BEGIN TRANSACTION",
	.commit = "COMMIT TRANSACTION",
	.rollback = "ROLLBACK TRANSACTION",
	/* a table copy: BigQuery copies the storage without running a query
	 * over it (no data rewrite, no bytes billed), atomically */
	.replace_table = "CREATE OR REPLACE TABLE {c} COPY {s}",
	/* the warehouse destination: a JSON column; no VALUES lists as tables,
	 * so the rows are an array of STRUCTs; DML statements stand alone (a
	 * transaction would need a script), so each one is a MERGE.  'round'
	 * keeps a number JSON cannot hold exactly from failing the event */
	.json_type = "JSON",
	.merge_events = "MERGE INTO {c} AS t USING (SELECT message_id, received_at, "
			"PARSE_JSON(event, wide_number_mode => 'round') AS event FROM "
			"UNNEST(ARRAY<STRUCT<message_id STRING, received_at STRING, event STRING>>[{s}])) AS s "
			"ON t.message_id = s.message_id WHEN NOT MATCHED THEN "
			"INSERT (message_id, received_at, event) VALUES (s.message_id, s.received_at, s.event)",
	.event_sql_max = 512 * 1024, /* BigQuery takes at most 1,024K characters of query text */
};
