/*
 * sql/dialect_postgres.c — PostgreSQL: "double-quoted" identifiers folded to
 * lower case, standard string literals (backslash is literal), INTERVAL
 * text arithmetic, #> / #>> over json or jsonb columns.  The database part
 * of a 3-part table name is dropped (no cross-database references).
 */
#include "sql/dialect.h"

static void pg_table(const struct dialect *d, struct strbuf *sb,
		     const char *const *parts, size_t n)
{
	if (n == 3)
		dialect_table_all_parts(d, sb, parts + 1, 2);
	else
		dialect_table_all_parts(d, sb, parts, n);
}

static void pg_time_point(const struct dialect *d, struct strbuf *sb, enum col_type t,
			  const char *now, long amount, enum time_unit unit)
{
	struct strbuf base = STRBUF_INIT;
	if (now)
		d->typed_lit(d, &base, TY_TIMESTAMP, now);
	else
		sb_addstr(&base, "(now() AT TIME ZONE 'UTC')");
	if (t == TY_DATE) {
		long days = dialect_days(amount, unit);
		if (days)
			sb_addf(sb, "(CAST(%s AS DATE) %c %ld)", base.buf, days < 0 ? '-' : '+',
				days < 0 ? -days : days);
		else
			sb_addf(sb, "CAST(%s AS DATE)", base.buf);
	} else if (amount) {
		const char *w = dialect_unit_word(&amount, unit);
		long a = amount < 0 ? -amount : amount;
		sb_addf(sb, "(%s %c INTERVAL '%ld %s%s')", base.buf, amount < 0 ? '-' : '+',
			a, w, a == 1 ? "" : "s");
	} else {
		sb_addstr(sb, base.buf);
	}
	sb_release(&base);
}

static void pg_str_match(const struct dialect *d, struct strbuf *sb, enum pred_kind k,
			 const char *a, const char *b)
{
	if (k == PRED_STARTS_WITH)
		sb_addf(sb, "starts_with(%s, %s)", a, b);
	else if (k == PRED_ENDS_WITH)
		sb_addf(sb, "right(%s, length(%s)) = %s", a, b, b);
	else
		sb_addf(sb, "strpos(%s, %s) > 0", a, b);
}

/* A text[] literal '{a,"b c"}' of the keys, for #> and #>>. */
static void pg_json_path(const struct dialect *d, struct strbuf *sb, const char *const *keys,
			 size_t n)
{
	struct strbuf arr = STRBUF_INIT;
	sb_addch(&arr, '{');
	for (size_t i = 0; i < n; i++) {
		bool plain = dialect_is_plain_ident(keys[i]);
		sb_addstr(&arr, i ? "," : "");
		sb_addstr(&arr, plain ? "" : "\"");
		for (const char *k = keys[i]; *k; k++) {
			if (!plain && (*k == '"' || *k == '\\'))
				sb_addch(&arr, '\\');
			sb_addch(&arr, *k);
		}
		sb_addstr(&arr, plain ? "" : "\"");
	}
	sb_addch(&arr, '}');
	d->string_lit(d, sb, arr.buf);
	sb_release(&arr);
}

const struct dialect dialect_postgres = {
	.version = 1,
	.name = "postgres",
	.warehouse = WH_POSTGRES,
	.fold = FOLD_LOWER,
	.reserved = (const char *const[]){ "analyse", "analyze", "authorization", "binary",
					   "concurrently", "deferrable", "do", "freeze",
					   "initially", "isnull", "notnull", "overlaps",
					   "placing", "returning", "similar", "symmetric",
					   "tablesample", "variadic", "verbose", NULL },
	.quote_ident = dialect_quote_double,
	.string_lit = dialect_string_plain,
	.table_name = pg_table,
	.typed_lit = dialect_typed_lit_ansi,
	.value = dialect_value_plain,
	.time_point = pg_time_point,
	.str_match = pg_str_match,
	.json_path = pg_json_path,
	/* json or jsonb: an object reads as its JSON text, which no pattern
	 * below matches; STRING asks the type (to_jsonb takes both). */
	.json_text = "({c} #>> {p})",
	.json_read = {
		/* NUMERIC holds any exponent of up to 4 digits; longer ones
		 * would overflow it (beyond the engine's range: null) */
		[TY_NUMBER] = "CASE WHEN {s} ~ '^-?[0-9]+([.][0-9]+)?([eE][+-]?0*[0-9]{1,4})?$' "
			      "THEN CAST({s} AS NUMERIC) END",
		[TY_STRING] = "CASE WHEN jsonb_typeof(to_jsonb({c} #> {p})) IN ('string', 'number', "
			      "'boolean') THEN {s} END",
		[TY_BOOLEAN] = "CASE WHEN {s} IN ('true', 'false') THEN {s} = 'true' END",
		/* no safe date cast in PostgreSQL 15: the pattern is the
		 * calendar, so the cast cannot fail (no year 0 there) */
		[TY_DATE] = "CASE WHEN {s} ~ '" JSON_RE_CAL_DATE "' AND {s} >= '0001' "
			    "THEN CAST({s} AS DATE) END",
		[TY_TIME] = "CASE WHEN {s} ~ '" JSON_RE_TIME "' THEN CAST({s} AS TIME) END",
		[TY_TIMESTAMP] = "CASE WHEN {s} ~ '" JSON_RE_CAL_TIMESTAMP "' AND {s} >= '0001' "
				 "THEN CAST({s} AS TIMESTAMP) END",
	},
	/* to_char with a format (TIME through date + time, a timestamp);
	 * AT TIME ZONE 'UTC' makes a timestamptz the UTC wall clock */
	.read_back = {
		[TY_BOOLEAN] = "CASE {s} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
		[TY_DATE] = "to_char({s}, 'YYYY-MM-DD')",
		[TY_TIME] = "to_char(DATE '2000-01-01' + {s}, 'HH24:MI:SS')",
		[TY_TIMESTAMP] = "replace(to_char({s} AT TIME ZONE 'UTC', "
				 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')",
	},
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "TEXT",
	.key_column = "VARCHAR(255) PRIMARY KEY",
	.log_time_type = "TIMESTAMP WITH TIME ZONE",
	.log_now = "now()",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.index_log = true,
	.ctas_if_not_exists = true,
	.begin = "BEGIN",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.json_type = "JSONB",
	.json_rejects_nul = true,
};
