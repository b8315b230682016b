/*
 * sql/dialect_redshift.c — Amazon Redshift: "double-quoted" identifiers
 * folded to lower case, backslash-escaping string literals, GETDATE(),
 * JSON_EXTRACT_PATH_TEXT over VARCHAR JSON.
 */
#include "sql/dialect.h"

static void rs_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *now, long amount, enum time_unit unit)
{
	struct strbuf base = STRBUF_INIT;
	if (now)
		d->typed_lit(d, &base, TY_TIMESTAMP, now);
	else
		sb_addstr(&base, "GETDATE()");
	if (t == TY_DATE) {
		long days = dialect_days(amount, unit);
		if (days)
			sb_addf(sb, "(CAST(%s AS DATE) %c %ld)", base.buf, days < 0 ? '-' : '+',
				days < 0 ? -days : days);
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

static void rs_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			 const char *a, const char *b)
{
	if (k == PRED_STARTS_WITH)
		sb_addf(sb, "STRPOS(%s, %s) = 1", a, b);
	else if (k == PRED_ENDS_WITH)
		sb_addf(sb, "RIGHT(%s, LENGTH(%s)) = %s", a, b, b);
	else
		sb_addf(sb, "STRPOS(%s, %s) > 0", a, b);
}

/* 'a', 'b': JSON_EXTRACT_PATH_TEXT's key arguments. */
static void rs_json_path(const struct dialect *d, struct strbuf *sb, const char *const *keys,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sb_addstr(sb, i ? ", " : "");
		d->string_lit(d, sb, keys[i]);
	}
}

const struct dialect dialect_redshift = {
	.version = 1,
	.name = "redshift",
	.warehouse = WH_REDSHIFT,
	.fold = FOLD_LOWER,
	.reserved = (const char *const[]){ "analyse", "analyze", "authorization", "binary",
					   "off", "offset", "old", "open", "placing",
					   "similar", "sysdate", "verbose", "wallet", NULL },
	.quote_ident = dialect_quote_double,
	.string_lit = dialect_string_backslash,
	.table_name = dialect_table_all_parts,
	.typed_lit = dialect_typed_lit_ansi,
	.value = dialect_value_plain,
	.time_point = rs_time_point,
	.str_match = rs_str_match,
	.json_path = rs_json_path,
	/* VARCHAR JSON: a missing key is NULL (AWS docs, JSON_EXTRACT_PATH_TEXT),
	 * so a real "" stays ''.  A string and an object read alike (their
	 * text): STRING takes text that parses as a JSON object or array for
	 * one.  At most 5 keys (E320 in the checker). */
	.json_text = "JSON_EXTRACT_PATH_TEXT({c}, {p}, TRUE)",
	.json_read = {
		/* exponents of up to 2 digits: DOUBLE PRECISION's range */
		[TY_NUMBER] = "CASE WHEN {s} ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,2})?$' "
			      "THEN CAST({s} AS DOUBLE PRECISION) END",
		[TY_STRING] = "CASE WHEN NOT ((LEFT({s}, 1) = '{' AND IS_VALID_JSON({s})) OR "
			      "(LEFT({s}, 1) = '[' AND IS_VALID_JSON_ARRAY({s}))) THEN {s} END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		/* no safe cast: the pattern is the calendar, so the cast
		 * cannot fail */
		[TY_DATE] = "CASE WHEN {s} ~ '" JSON_RE_CAL_DATE "' AND {s} >= '0001' "
			    "THEN CAST({s} AS DATE) END",
		[TY_TIME] = "CASE WHEN {s} ~ '" JSON_RE_TIME "' THEN CAST({s} AS TIME) END",
		[TY_TIMESTAMP] = "CASE WHEN {s} ~ '" JSON_RE_CAL_TIMESTAMP "' AND {s} >= '0001' "
				 "THEN CAST({s} AS TIMESTAMP) END",
	},
	/* TO_CHAR with a format (TIME through DATE + TIME, a TIMESTAMP);
	 * AT TIME ZONE 'UTC' makes a TIMESTAMPTZ the UTC wall clock */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
		[TY_DATE] = "TO_CHAR({s}, 'YYYY-MM-DD')",
		[TY_TIME] = "TO_CHAR(DATE '2000-01-01' + {s}, 'HH24:MI:SS')",
		[TY_TIMESTAMP] = "REPLACE(TO_CHAR({s} AT TIME ZONE 'UTC', "
				 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "VARCHAR(65535)",
	.key_column = "VARCHAR(255) PRIMARY KEY",
	.log_now = "CAST(GETDATE() AS VARCHAR(65535))",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.ctas_if_not_exists = false,
	.begin = "BEGIN",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	/* the warehouse destination: JSON held in text, as lac reads it; no
	 * ON CONFLICT, keys not enforced and no VALUES lists as tables, so a
	 * page replaces its own message_ids (DELETE, then INSERT) in one
	 * transaction; no savepoints */
	.json_type = "VARCHAR(65535)",
	.delete_events = "DELETE FROM {c} WHERE message_id IN ({s})",
	.no_savepoints = true,
};
