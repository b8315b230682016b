/*
 * ast.c — names of AST enums, shared by fmt, diagnostics and SQL comments;
 * each table is generated from its kind list in ast.h.
 */
#include "lang/ast.h"

/* A name for each kind of a list, in enum order. */
#define NAME_ITEM(e, name) [e] = name,

const char *time_unit_name(enum time_unit u, long amount)
{
#define ONE(e, one, many, secs) [e] = one,
#define MANY(e, one, many, secs) [e] = many,
	static const char *const one[] = { AST_TIME_UNITS(ONE) };
	static const char *const many[] = { AST_TIME_UNITS(MANY) };
#undef ONE
#undef MANY
	return amount == 1 ? one[u] : many[u];
}

long time_unit_seconds(enum time_unit u)
{
#define SECS(e, one, many, secs) [e] = secs,
	static const long secs[] = { AST_TIME_UNITS(SECS) };
#undef SECS
	return secs[u];
}

const char *lit_kind_name(enum lit_kind k)
{
	static const char *const names[] = { AST_LIT_KINDS(NAME_ITEM) };
	return names[k];
}

const char *cmp_op_text(enum cmp_op op)
{
	static const char *const text[] = { AST_CMP_OPS(NAME_ITEM) };
	return text[op];
}

const char *pred_op_text(const struct predicate *p)
{
	static const char *const text[] = { AST_PRED_KINDS(NAME_ITEM) };
	return p->kind == PRED_CMP ? cmp_op_text(p->cmp) : text[p->kind];
}

const char *agg_name(enum agg_kind k)
{
	static const char *const names[] = { AST_AGG_KINDS(NAME_ITEM) };
	return names[k];
}

const char *expr_kind_name(enum expr_kind k)
{
	static const char *const names[] = { AST_EXPR_KINDS(NAME_ITEM) };
	return names[k];
}

const char *trigger_name(enum trigger_kind t)
{
	static const char *const names[] = { AST_TRIGGER_KINDS(NAME_ITEM) };
	return names[t];
}

const char *alert_kind_name(enum alert_kind k)
{
	static const char *const names[] = { AST_ALERT_KINDS(NAME_ITEM) };
	return names[k];
}
