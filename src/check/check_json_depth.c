/*
 * check_json_depth.c — E320: a key path inside a JSON column (an OBJECT
 * trait's nested keys) longer than the warehouse can read.  Redshift's
 * JSON_EXTRACT_PATH_TEXT takes at most five path elements (AWS docs), and
 * lac reads VARCHAR JSON there with it; every other dialect reads any depth.
 * Event properties are one key, so only trait paths can be too deep.
 */
#include <string.h>

#include "check/check_private.h"

size_t check_json_key_limit(enum warehouse_type t)
{
	return t == WH_REDSHIFT ? 5 : 0;
}

static const char *warehouse_label(enum warehouse_type t)
{
	return t == WH_REDSHIFT ? "Redshift's JSON_EXTRACT_PATH_TEXT" : "this warehouse";
}

/* The trait path parts[0..n) (trait name, then keys) read as JSON: one E320
 * when it has more keys than limit. */
static void check_path(struct checker *c, const char *const *parts, size_t n,
		       const struct trait *root, struct loc loc, size_t limit,
		       enum warehouse_type t)
{
	if (!root || root->type != TY_OBJECT || n < 2 || n - 1 <= limit)
		return;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? "." : "", parts[i]);
	cerr(c, loc, DIAG_E320, "trait path '%s' reads %zu keys inside JSON; %s reads at most %zu",
	     sb.buf, n - 1, warehouse_label(t), limit);
	diag_hint(c->d, "expose the nested object as its own JSON column (or trait) in a view");
	sb_release(&sb);
}

static void walk(struct checker *c, const struct ast_expr *x, size_t limit, enum warehouse_type t)
{
	if (!x)
		return;
	if (x->kind == EX_TRAIT)
		check_path(c, x->path.parts, x->path.n, x->trait_root, x->path.loc, limit, t);
	if (x->pred && x->pred->rhs.ref == REF_TRAIT)
		check_path(c, x->pred->rhs.trait_path, x->pred->rhs.ntrait_path,
			   x->pred->rhs.trait_root, x->pred->rhs.loc, limit, t);
	walk(c, x->lhs, limit, t);
	walk(c, x->rhs, limit, t);
	walk(c, x->block, limit, t);
	for (size_t i = 0; i < x->nitems; i++)
		walk(c, x->items[i], limit, t);
}

void check_json_depth(struct checker *c, const struct ast_audience *a, enum warehouse_type t)
{
	size_t limit = check_json_key_limit(t);
	if (limit)
		walk(c, a->where, limit, t);
}

size_t check_warehouse_limits(struct project *p, enum warehouse_type t)
{
	if (!p->graph_ok || t == p->warehouse.type || !check_json_key_limit(t))
		return 0; /* the project's own warehouse: checked with the rest */
	struct checker c;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.d = &p->diags;
	c.a = &p->arena;
	c.g = &p->graph;
	size_t before = p->diags.nerrors;
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i]->naudiences; j++)
			check_json_depth(&c, p->files[i]->audiences[j], t);
	return p->diags.nerrors - before;
}
