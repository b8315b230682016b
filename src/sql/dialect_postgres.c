/*
 * sql/dialect_postgres.c — PostgreSQL: "double-quoted" identifiers folded to
 * lower case, standard string literals (backslash is literal), INTERVAL
 * text arithmetic, -> / ->> over json or jsonb columns.  The database part
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

static void pg_json_get(const struct dialect *d, struct strbuf *sb, const char *col,
			const char *const *keys, size_t n, enum col_type t)
{
	static const char *const cast[] = {
		[TY_NUMBER] = "NUMERIC", [TY_STRING] = NULL, [TY_BOOLEAN] = "BOOLEAN",
		[TY_DATE] = "DATE", [TY_TIME] = "TIME", [TY_TIMESTAMP] = "TIMESTAMP",
		[TY_OBJECT] = NULL,
	};
	sb_addstr(sb, cast[t] ? "CAST((" : "(");
	sb_addstr(sb, col);
	for (size_t i = 0; i < n; i++) {
		sb_addstr(sb, i + 1 == n ? " ->> " : " -> ");
		d->string_lit(d, sb, keys[i]);
	}
	sb_addch(sb, ')');
	if (cast[t])
		sb_addf(sb, " AS %s)", cast[t]);
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
	.json_get = pg_json_get,
	.true_lit = "TRUE",
	.false_lit = "FALSE",
	.text_type = "TEXT",
	.key_column = "VARCHAR(255) PRIMARY KEY",
	.log_time_type = "TIMESTAMP WITH TIME ZONE",
	.log_now = "now()",
	.except = "EXCEPT",
	.create_schema = true,
	.index_snapshots = false,
	.ctas_if_not_exists = true,
	.begin = "BEGIN",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.swap = SWAP_RENAME,
	.json_type = "JSONB",
	.json_rejects_nul = true,
};
