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

static void db_json_get(const struct dialect *d, struct strbuf *sb, const char *col,
			const char *const *keys, size_t n, enum col_type t)
{
	static const char *const cast[] = {
		[TY_NUMBER] = "DOUBLE", [TY_STRING] = NULL, [TY_BOOLEAN] = "BOOLEAN",
		[TY_DATE] = "DATE", [TY_TIME] = NULL, [TY_TIMESTAMP] = "TIMESTAMP",
		[TY_OBJECT] = NULL,
	};
	struct strbuf path = STRBUF_INIT;
	dialect_json_path(&path, keys, n, true);
	if (cast[t])
		sb_addstr(sb, "CAST(");
	sb_addf(sb, "get_json_object(%s, ", col);
	d->string_lit(d, sb, path.buf);
	sb_addch(sb, ')');
	if (cast[t])
		sb_addf(sb, " AS %s)", cast[t]);
	sb_release(&path);
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
	.json_get = db_json_get,
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "STRING",
	.key_column = "STRING NOT NULL",
	.log_now = "CAST(current_timestamp() AS STRING)",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.ctas_if_not_exists = true,
	.swap = SWAP_REPLACE,
};
