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

static void sf_json_get(const struct dialect *d, struct strbuf *sb, const char *col,
			const char *const *keys, size_t n, enum col_type t)
{
	static const char *const cast[] = {
		[TY_NUMBER] = "FLOAT", [TY_STRING] = "STRING", [TY_BOOLEAN] = "BOOLEAN",
		[TY_DATE] = "DATE", [TY_TIME] = "TIME", [TY_TIMESTAMP] = "TIMESTAMP",
		[TY_OBJECT] = "VARIANT",
	};
	sb_addf(sb, "(%s", col);
	for (size_t i = 0; i < n; i++) {
		sb_addch(sb, '[');
		d->string_lit(d, sb, keys[i]);
		sb_addch(sb, ']');
	}
	sb_addf(sb, ")::%s", cast[t]);
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
	.json_get = sf_json_get,
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
	.swap = SWAP_WITH,
};
