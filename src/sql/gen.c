/*
 * sql/gen.c — the audience SQL generator (SPEC §3.4, §4, §5).
 *
 * Every condition becomes a predicate on its scope row (the profile, the
 * target entity row, or an entity row inside a `with entity` block):
 *
 *   with entity P            S.link IN (SELECT first.link FROM P's joins WHERE block)
 *   counts / having          S.link IN (SELECT k ... GROUP BY k HAVING cond), or
 *                            NOT COALESCE(S.link IN (... HAVING NOT cond), FALSE)
 *                            when an empty F satisfies the condition
 *   with event "X"           p.id IN (SELECT v.id FROM events v WHERE name/window/block ...)
 *   part of audience A       inlined conditions, or p.id IN (SELECT member_id FROM snapshot)
 *   not / without            NOT COALESCE(x, FALSE)   (two-valued logic)
 *
 * The subqueries are uncorrelated semi-joins, computed once and hashed by
 * every engine.  A block that refers to an enclosing row (`trait.t`,
 * `slug.column`) is the exception: it is emitted as a correlated EXISTS on
 * the scope's link, and never correlates across levels (Redshift,
 * Databricks): simple children are joined into it, and rows that deeper
 * blocks refer to are carried down as copies (carry_open).  R is distinct by the
 * last entity's primary key: aggregates go over DISTINCT (link, pk) pairs
 * unless the path provably yields each pair once.  See docs/sql.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"

enum scope_kind { SC_PROFILE, SC_ENTITY, SC_EVENT };

struct scope {
	enum scope_kind kind;
	const char *alias;
	const struct entity *e;    /* SC_ENTITY */
};

struct bind {
	const struct ast_expr *node; /* a `with entity` node; NULL = the audience target */
	const char *alias;
};

struct gen {
	const struct graph *g;
	const struct sql_options *o;
	const struct dialect *d;
	const char *schema;
	struct sqlbuf *b;
	struct arena ar;             /* fragments and aliases of this statement */
	int nalias;
	const char *profile_alias;   /* the profile row `trait.t` refers to */
	struct bind *binds;
	size_t nbinds, capbinds;
	const struct ast_audience *aud;
	struct flat *flats;          /* children joined into their parent's subquery */
	size_t nflats, capflats;
};

struct flat {
	const struct ast_expr *node;
	const char *alias;           /* the child's last row */
	const struct chain *c;       /* its path */
};

static void gen_expr(struct gen *g, const struct ast_expr *x, const struct scope *s);

/* ---- small helpers --------------------------------------------------------- */

static const char *new_alias(struct gen *g, const char *prefix)
{
	return arena_sprintf(&g->ar, "%s%d", prefix, ++g->nalias);
}

/* An alias standing for rows of name (an entity slug, "profile"): for the
 * source map, when there is one. */
static const char *named_alias(struct gen *g, const char *prefix, const char *name)
{
	const char *a = new_alias(g, prefix);
	struct sql_srcmap *m = g->o->map;
	if (m) {
		struct sql_alias sa = { arena_strdup(&m->ar, a), name };
		VEC_PUSH(m->aliases, m->naliases, m->capaliases, sa);
	}
	return a;
}

/* "alias.column" with the column quoted by the dialect. */
static const char *col_ref(struct gen *g, const char *alias, const char *column)
{
	struct strbuf sb = STRBUF_INIT;
	sql_fmt(&sb, g->d, "%s.%I", alias, column);
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

static const char *value_of(struct gen *g, enum col_type t, const char *expr)
{
	struct strbuf sb = STRBUF_INIT;
	g->d->value(g->d, &sb, t, expr);
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

static void push_bind(struct gen *g, const struct ast_expr *node, const char *alias)
{
	struct bind b = { node, alias };
	VEC_PUSH(g->binds, g->nbinds, g->capbinds, b);
}

static const char *find_bind(struct gen *g, const struct ast_expr *node)
{
	for (size_t i = g->nbinds; i-- > 0;)
		if (g->binds[i].node == node)
			return g->binds[i].alias;
	LAC_BUG("no row in scope for a reference");
}

bool sql_normalize_now(const char *in, char out[40])
{
	/* one parser for every --now (util.c) */
	struct lac_now n;
	if (now_parse(in, &n) < 0)
		return false;
	memcpy(out, n.sql, sizeof(n.sql));
	return true;
}

/* The audience's file, relative to the project directory. */
const char *sql_audience_path(const struct project *p, const struct ast_audience *a)
{
	const char *path = a->file && a->file->path ? a->file->path
						     : source_path(&p->sources, a->loc.file);
	if (!path)
		return "?";
	size_t n = p->dir ? strlen(p->dir) : 0;
	if (n && strcmp(p->dir, ".") != 0 && strncmp(path, p->dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	if (str_starts(path, "./"))
		return path + 2;
	return path;
}

/* ---- literals and operands -------------------------------------------------- */

static const char *lit_sql(struct gen *g, const struct literal *l, enum col_type t)
{
	struct strbuf sb = STRBUF_INIT;
	switch (l->kind) {
	case LIT_STRING:
		g->d->string_lit(g->d, &sb, l->text);
		break;
	case LIT_NUMBER:
		sb_addstr(&sb, l->text);
		break;
	case LIT_BOOL:
		sb_addstr(&sb, l->boolean ? g->d->true_lit : g->d->false_lit);
		break;
	case LIT_DATE:
	case LIT_TIME:
		g->d->typed_lit(g->d, &sb, l->kind == LIT_DATE ? TY_DATE : TY_TIME, l->text);
		break;
	case LIT_TIMESTAMP: {
		char norm[40];
		g->d->typed_lit(g->d, &sb, TY_TIMESTAMP,
				sql_normalize_now(l->text, norm) ? norm : l->text);
		break;
	}
	}
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

/* The value of a trait of the profile row `alias`: its column, or the
 * nested key path inside its JSON column. */
static const char *trait_sql(struct gen *g, const char *alias, const struct trait *root,
			     const struct trait *t, const char *const *keys, size_t nkeys)
{
	const char *col = col_ref(g, alias, root->column ? root->column : root->name);
	if (nkeys == 0 || root == t)
		return col;
	struct strbuf sb = STRBUF_INIT;
	dialect_json_get(g->d, &sb, col, keys, nkeys, t->type);
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

/* A predicate's right side, raw (not made comparable). */
static const char *operand_sql(struct gen *g, const struct operand *op, enum col_type t)
{
	switch (op->ref) {
	case REF_NONE:
		return lit_sql(g, &op->lit, t);
	case REF_TRAIT:
		if (!g->profile_alias)
			LAC_BUG("trait reference with no profile row in scope");
		return trait_sql(g, g->profile_alias, op->trait_root, op->trait,
				 op->trait_path + 1, op->ntrait_path - 1);
	case REF_COLUMN:
		return col_ref(g, find_bind(g, op->scope), op->col->name);
	}
	return "NULL";
}

static bool lit_is_typed(const struct operand *op)
{
	return op->ref == REF_NONE;
}

/* Literals are already comparable (typed_lit); columns are made so. */
static const char *operand_cmp(struct gen *g, const struct operand *op, enum col_type t)
{
	const char *raw = operand_sql(g, op, t);
	return lit_is_typed(op) ? raw : value_of(g, t, raw);
}

static const char *cmp_sql(enum cmp_op op)
{
	static const char *const text[] = { "=", "<>", "<", ">", "<=", ">=" };
	return text[op];
}

/* The dialect's sargable superset of a time window on the text column col
 * (ts_prefix_from/until), "col >= .. AND col < .. AND ": lo and hi are the
 * window's time points, NULL for an open end. */
static void ts_prefix(struct gen *g, struct strbuf *sb, const char *col, const char *lo,
		      const char *hi)
{
	const struct dialect *d = g->d;
	if (!d->ts_prefix_from)
		return;
	if (lo) {
		sb_addf(sb, "%s >= ", col);
		dialect_expand(sb, d->ts_prefix_from, NULL, NULL, lo);
		sb_addstr(sb, " AND ");
	}
	if (hi) {
		sb_addf(sb, "%s < ", col);
		dialect_expand(sb, d->ts_prefix_until, NULL, NULL, hi);
		sb_addstr(sb, " AND ");
	}
}

/* A predicate on lhs (raw SQL of type t); text_col: lhs is a column as
 * stored (not a value read from JSON), so a window may get ts_prefix. */
static void gen_pred(struct gen *g, const struct predicate *pr, const char *lhs, enum col_type t,
		     bool text_col)
{
	const struct dialect *d = g->d;
	const char *v = value_of(g, t, lhs);
	struct strbuf sb = STRBUF_INIT;
	switch (pr->kind) {
	case PRED_CMP:
		sb_addf(&sb, "%s %s %s", v, cmp_sql(pr->cmp), operand_cmp(g, &pr->rhs, t));
		break;
	case PRED_CONTAINS:
	case PRED_STARTS_WITH:
	case PRED_ENDS_WITH:
		d->str_match(d, &sb, pr->kind, lhs, operand_sql(g, &pr->rhs, t));
		break;
	case PRED_NOT_CONTAINS:
		sb_addstr(&sb, "NOT (");
		d->str_match(d, &sb, PRED_CONTAINS, lhs, operand_sql(g, &pr->rhs, t));
		sb_addch(&sb, ')');
		break;
	case PRED_IN:
	case PRED_NOT_IN:
		sb_addf(&sb, "%s %sIN (", v, pr->kind == PRED_NOT_IN ? "NOT " : "");
		for (size_t i = 0; i < pr->nlist; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", lit_sql(g, &pr->list[i], t));
		sb_addch(&sb, ')');
		break;
	case PRED_BETWEEN:
		sb_addf(&sb, "%s BETWEEN %s AND %s", v, lit_sql(g, &pr->lo, t), lit_sql(g, &pr->hi, t));
		break;
	case PRED_IS_NULL:
		sb_addf(&sb, "%s IS NULL", lhs);
		break;
	case PRED_IS_NOT_NULL:
		sb_addf(&sb, "%s IS NOT NULL", lhs);
		break;
	case PRED_WITHIN_LAST:
	case PRED_WITHIN_NEXT:
	case PRED_BEFORE_LAST:
	case PRED_AFTER_NEXT: {
		enum col_type pt = t == TY_DATE ? TY_DATE : TY_TIMESTAMP;
		struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
		long n = pr->amount;
		if (pr->kind == PRED_WITHIN_LAST || pr->kind == PRED_BEFORE_LAST) {
			d->time_point(d, &lo, pt, g->o->now, -n, pr->unit);
			d->time_point(d, &hi, pt, g->o->now, 0, pr->unit);
		} else {
			d->time_point(d, &lo, pt, g->o->now, 0, pr->unit);
			d->time_point(d, &hi, pt, g->o->now, n, pr->unit);
		}
		if (text_col && t == TY_TIMESTAMP)
			ts_prefix(g, &sb, lhs, pr->kind == PRED_BEFORE_LAST ? NULL : lo.buf,
				  pr->kind == PRED_AFTER_NEXT ? NULL : hi.buf);
		if (pr->kind == PRED_BEFORE_LAST)
			sb_addf(&sb, "%s < %s", v, lo.buf);
		else if (pr->kind == PRED_AFTER_NEXT)
			sb_addf(&sb, "%s > %s", v, hi.buf);
		else
			sb_addf(&sb, "%s BETWEEN %s AND %s", v, lo.buf, hi.buf);
		sb_release(&lo);
		sb_release(&hi);
		break;
	}
	}
	sql_addf(g->b, "%s", sb.buf);
	sb_release(&sb);
}

/* ---- free references --------------------------------------------------------- */

static bool subtree_has(const struct ast_expr *x, const struct ast_expr *target)
{
	if (!x)
		return false;
	if (x == target)
		return true;
	if (subtree_has(x->lhs, target) || subtree_has(x->rhs, target) || subtree_has(x->block, target))
		return true;
	for (size_t i = 0; i < x->nitems; i++)
		if (subtree_has(x->items[i], target))
			return true;
	return false;
}

static bool operand_free(const struct operand *op, const struct ast_expr *root)
{
	if (op->ref == REF_TRAIT)
		return true;
	if (op->ref == REF_COLUMN)
		return !op->scope || !subtree_has(root, op->scope);
	return false;
}

/* Does something inside x refer to a row outside root (an enclosing scope)? */
static bool free_refs(const struct ast_expr *x, const struct ast_expr *root)
{
	if (!x)
		return false;
	if (x->pred && (x->pred->kind == PRED_CMP || x->pred->kind == PRED_CONTAINS ||
			x->pred->kind == PRED_NOT_CONTAINS || x->pred->kind == PRED_STARTS_WITH ||
			x->pred->kind == PRED_ENDS_WITH) &&
	    operand_free(&x->pred->rhs, root))
		return true;
	if (free_refs(x->lhs, root) || free_refs(x->rhs, root) || free_refs(x->block, root))
		return true;
	for (size_t i = 0; i < x->nitems; i++)
		if (free_refs(x->items[i], root))
			return true;
	return false;
}

/* ---- relationship chains --------------------------------------------------- */

struct where { struct gen *g; int n; };
static void where_next(struct where *w);
static void key_check(struct gen *g, struct where *w, const char *alias, const struct entity *e);

/* A path from a scope row, with its aliases planned before any text is
 * written: link_scope (the scope row's column) equals link_out (the first
 * hop's column); `last` is the alias of the last entity's row. */
struct chain {
	const struct scope *s;
	const struct relationship *const *rels;
	size_t n;
	const char *x;             /* external id mapping row (first hop) */
	const char **a, **j;       /* entity and junction aliases per hop */
	const char *link_scope, *link_out;
	const char *last;
	const char *filter;        /* the first hop's type filter, or NULL */
	bool dedup;                /* the first hop's link rows read once each
				    * (external-id mapping, junction) */
	bool last_key_counted;     /* only COUNT(last.pk) reads the last rows,
				    * and it skips a null key */
	bool null_link_ok;         /* grouped by the link inside an IN: a null
				    * link's group matches no scope row, and
				    * the extra term can turn SQLite's join
				    * order against the fan-out */
};

static const char *key_of_profile(struct gen *g, const char *alias)
{
	return col_ref(g, alias, g->g->profile.id);
}

static void chain_plan(struct gen *g, const struct scope *s, const struct relationship *const *rels,
		       size_t n, struct chain *c)
{
	const struct profile *p = &g->g->profile;
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->rels = rels;
	c->n = n;
	c->a = arena_alloc(&g->ar, n * sizeof(*c->a));
	c->j = arena_alloc(&g->ar, n * sizeof(*c->j));
	for (size_t i = 0; i < n; i++) {
		if (i == 0 && rels[0]->join == JOIN_EXTERNAL_ID)
			c->x = new_alias(g, "x");
		if (rels[i]->join == JOIN_JUNCTION)
			c->j[i] = new_alias(g, "j");
		c->a[i] = named_alias(g, "e", rels[i]->entity->slug);
	}
	const struct relationship *r = rels[0];
	switch (r->join) {
	case JOIN_EXTERNAL_ID: {
		c->link_scope = key_of_profile(g, s->alias);
		c->link_out = col_ref(g, c->x, p->external_ids.id);
		struct strbuf sb = STRBUF_INIT;
		sql_fmt(&sb, g->d, "%s.%I = %L", c->x, p->external_ids.type, r->ext_type);
		c->filter = arena_strdup(&g->ar, sb.buf);
		sb_release(&sb);
		break;
	}
	case JOIN_TRAIT:
		c->link_scope = col_ref(g, s->alias, r->trait->column ? r->trait->column : r->trait->name);
		c->link_out = col_ref(g, c->a[0], r->join_key->name);
		break;
	case JOIN_ON:
		c->link_scope = col_ref(g, s->alias, r->parent_col->name);
		c->link_out = col_ref(g, c->a[0], r->child_col->name);
		break;
	case JOIN_JUNCTION:
		c->link_scope = col_ref(g, s->alias, s->e->pk->name);
		c->link_out = col_ref(g, c->j[0], r->junction_left->name);
		break;
	}
	c->last = c->a[n - 1];
}

/* JOIN of hop i >= 1 (join_on or junction) from the row of hop i-1. */
static void hop_join(struct gen *g, const struct chain *c, size_t i, const char *prev,
		     const struct entity *prev_e)
{
	const struct relationship *r = c->rels[i];
	const struct entity *e = r->entity;
	const char *a = c->a[i];
	if (r->join == JOIN_JUNCTION) {
		const char *j = c->j[i];
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", r->junction->table_parts,
			 r->junction->ntable_parts, j, j, r->junction_left->name, prev,
			 prev_e->pk->name);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, e->pk->name, j, r->junction_right->name);
	} else if (r->join == JOIN_ON) {
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, r->child_col->name, prev, r->parent_col->name);
	} else {
		LAC_BUG("relationship '%s' cannot be a later hop", r->slug);
	}
}

/* The first hop of a dedup chain: its link table (the external-id mapping,
 * or a junction) as a derived table of distinct (link, join value) rows, so
 * a duplicated link row does not make the path reach a row twice.  The
 * mapping is read only for values that some entity row joins on. */
static void dedup_first_hop(struct gen *g, const struct chain *c, const char *kw)
{
	const struct relationship *r = c->rels[0];
	const struct entity *e = r->entity;
	const struct profile *p = &g->g->profile;
	const char *a = c->a[0], *q = new_alias(g, "q");
	struct where w = { g, 0 };
	sql_addf(g->b, "\n%s (", kw);
	g->b->indent++;
	if (r->join == JOIN_EXTERNAL_ID) {
		const char *en = named_alias(g, "e", e->slug);
		sql_addf(g->b, "\nSELECT DISTINCT %s.%I, %s.%I\nFROM %T AS %s", q, p->external_ids.id,
			 q, p->external_ids.value, p->external_ids.table_parts,
			 p->external_ids.ntable_parts, q);
		where_next(&w);
		sql_addf(g->b, "%s.%I = %L", q, p->external_ids.type, r->ext_type);
		where_next(&w);
		sql_addf(g->b, "%s.%I IS NOT NULL", q, p->external_ids.id);
		where_next(&w);
		sql_addf(g->b, "%s.%I IN (SELECT %s.%I FROM %T AS %s)", q, p->external_ids.value,
			 en, r->join_key->name, e->table_parts, e->ntable_parts, en);
		g->b->indent--;
		sql_addf(g->b, "\n) AS %s", c->x);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, r->join_key->name, c->x, p->external_ids.value);
		return;
	}
	const struct column *pk = r->junction->pk;
	sql_addf(g->b, "\nSELECT DISTINCT %s.%I, %s.%I\nFROM %T AS %s", q, r->junction_left->name,
		 q, r->junction_right->name, r->junction->table_parts, r->junction->ntable_parts, q);
	if (pk != r->junction_left && pk != r->junction_right)
		key_check(g, &w, q, r->junction);
	g->b->indent--;
	sql_addf(g->b, "\n) AS %s", c->j[0]);
	sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
		 a, a, e->pk->name, c->j[0], r->junction_right->name);
}

/* "FROM ..." of the path's own tables (a subquery's FROM); kw is "FROM",
 * or "CROSS JOIN" after carried rows (carry_open). */
static void chain_from_kw(struct gen *g, const struct chain *c, const char *kw)
{
	const struct relationship *r = c->rels[0];
	const struct entity *e = r->entity;
	const struct profile *p = &g->g->profile;
	const char *a = c->a[0];
	if (c->dedup) {
		dedup_first_hop(g, c, kw);
	} else switch (r->join) {
	case JOIN_EXTERNAL_ID:
		sql_addf(g->b, "\n%s %T AS %s", kw, p->external_ids.table_parts,
			 p->external_ids.ntable_parts, c->x);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, r->join_key->name, c->x, p->external_ids.value);
		break;
	case JOIN_TRAIT:
	case JOIN_ON:
		sql_addf(g->b, "\n%s %T AS %s", kw, e->table_parts, e->ntable_parts, a);
		break;
	case JOIN_JUNCTION:
		sql_addf(g->b, "\n%s %T AS %s", kw, r->junction->table_parts,
			 r->junction->ntable_parts, c->j[0]);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, e->pk->name, c->j[0], r->junction_right->name);
		break;
	}
	for (size_t i = 1; i < c->n; i++)
		hop_join(g, c, i, c->a[i - 1], c->rels[i - 1]->entity);
}

static void chain_from(struct gen *g, const struct chain *c)
{
	chain_from_kw(g, c, "FROM");
}

/* The path's JOINs appended to a FROM that already has the scope row. */
static void chain_join(struct gen *g, const struct chain *c)
{
	const struct relationship *r = c->rels[0];
	const struct entity *e = r->entity;
	const struct profile *p = &g->g->profile;
	const char *a = c->a[0];
	switch (r->join) {
	case JOIN_EXTERNAL_ID:
		sql_addf(g->b, "\nJOIN %T AS %s ON %s = %s AND %s", p->external_ids.table_parts,
			 p->external_ids.ntable_parts, c->x, c->link_out, c->link_scope, c->filter);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, r->join_key->name, c->x, p->external_ids.value);
		break;
	case JOIN_TRAIT:
	case JOIN_ON:
		sql_addf(g->b, "\nJOIN %T AS %s ON %s = %s", e->table_parts, e->ntable_parts, a,
			 c->link_out, c->link_scope);
		break;
	case JOIN_JUNCTION:
		sql_addf(g->b, "\nJOIN %T AS %s ON %s = %s", r->junction->table_parts,
			 r->junction->ntable_parts, c->j[0], c->link_out, c->link_scope);
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", e->table_parts, e->ntable_parts,
			 a, a, e->pk->name, c->j[0], r->junction_right->name);
		break;
	}
	for (size_t i = 1; i < c->n; i++)
		hop_join(g, c, i, c->a[i - 1], c->rels[i - 1]->entity);
}

/* Does every hop after the first reach each row from at most one parent
 * row?  True when each is a join_on whose parent column is the parent's
 * primary key (a junction, or a join on another column, can fan in). */
static bool later_hops_unique(const struct relationship *const *rels, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (rels[i]->join != JOIN_ON || rels[i]->parent_col != rels[i - 1]->entity->pk)
			return false;
	return true;
}

/* Does the path yield each (link value, last row) pair at most once?  True
 * when the first hop is a trait or join_on from the scope row (a duplicated
 * mapping or junction row would repeat a pair) and the later hops do not
 * fan in. */
static bool pairs_unique(const struct relationship *const *rels, size_t n)
{
	if (rels[0]->join == JOIN_EXTERNAL_ID || rels[0]->join == JOIN_JUNCTION)
		return false;
	return later_hops_unique(rels, n);
}

/* ---- WHERE lists ----------------------------------------------------------- */

static void where_next(struct where *w)
{
	sql_addf(w->g->b, w->n++ ? "\n  AND " : "\nWHERE ");
}

/* ---- rows with a null primary key ------------------------------------------ */

/* An entity row whose primary key is null does not exist (SPEC §3.4): never
 * matched, counted or enriched, at any depth.  A join on the key already
 * drops it; every other row of a path gets "alias.pk IS NOT NULL". */

/* Does the path's own joins require hop i's row to have a key?  next: the
 * relationship joined from that row after the path, or NULL. */
static bool pk_joined(const struct relationship *const *rels, size_t n, size_t i,
		      const struct relationship *next)
{
	const struct relationship *r = rels[i];
	const struct column *pk = r->entity->pk;
	if (r->join == JOIN_JUNCTION || (r->join == JOIN_ON && r->child_col == pk) ||
	    ((r->join == JOIN_TRAIT || r->join == JOIN_EXTERNAL_ID) && r->join_key == pk))
		return true;
	if (i + 1 < n)
		next = rels[i + 1];
	return next && (next->join == JOIN_JUNCTION ||
			(next->join == JOIN_ON && next->parent_col == pk));
}

static void key_check(struct gen *g, struct where *w, const char *alias, const struct entity *e)
{
	where_next(w);
	sql_addf(g->b, "%s.%I IS NOT NULL", alias, e->pk->name);
}

/* The junction row of a junction hop, unless its key is one of the two
 * columns it joins on. */
static void junction_check(struct gen *g, struct where *w, const char *alias,
			   const struct relationship *r)
{
	const struct column *pk = r->junction->pk;
	if (pk != r->junction_left && pk != r->junction_right)
		key_check(g, w, alias, r->junction);
}

/* The checks for the rows of chain c; next as in pk_joined; last_keyed:
 * the caller joins the last row on its key. */
static void chain_keys(struct gen *g, struct where *w, const struct chain *c,
		       const struct relationship *next, bool last_keyed)
{
	for (size_t i = 0; i < c->n; i++) {
		/* a dedup first hop checks its junction rows inside */
		if (c->rels[i]->join == JOIN_JUNCTION && !(i == 0 && c->dedup))
			junction_check(g, w, c->j[i], c->rels[i]);
		if (!(last_keyed && i + 1 == c->n) && !pk_joined(c->rels, c->n, i, next))
			key_check(g, w, c->a[i], c->rels[i]->entity);
	}
}

/* ---- counts and having ----------------------------------------------------- */

static bool cmp_holds(enum cmp_op op, double a, double b)
{
	switch (op) {
	case CMP_EQ: return a == b;
	case CMP_NE: return a != b;
	case CMP_LT: return a < b;
	case CMP_GT: return a > b;
	case CMP_LE: return a <= b;
	case CMP_GE: return a >= b;
	}
	return false;
}

static bool count_holds(const struct count_spec *c, long n)
{
	switch (c->kind) {
	case COUNT_DEFAULT: return n >= 1;
	case COUNT_AT_LEAST: return n >= c->n;
	case COUNT_AT_MOST: return n <= c->n;
	case COUNT_EXACTLY: return n == c->n;
	}
	return false;
}

/* Does an empty F satisfy the count and having? */
static bool empty_qualifies(const struct ast_expr *x)
{
	if (!count_holds(&x->count, 0))
		return false;
	if (!x->having.present)
		return true;
	if (x->having.agg != AGG_COUNT)
		return false; /* sum/avg/min/max of no values are null */
	return cmp_holds(x->having.cmp, 0, strtod(x->having.value.text, NULL));
}

/* "COUNT(*) >= 3 AND SUM(v) > 1000" over rows whose aggregated value is `val`;
 * counted: what COUNT counts ("*", or "DISTINCT e3.id" where a row may come
 * twice). */
static const char *group_cond(struct gen *g, const struct ast_expr *x, const char *val,
			      enum col_type vt, const char *counted)
{
	struct strbuf sb = STRBUF_INIT;
	const struct count_spec *c = &x->count;
	switch (c->kind) {
	case COUNT_DEFAULT: sb_addf(&sb, "COUNT(%s) >= 1", counted); break;
	case COUNT_AT_LEAST: sb_addf(&sb, "COUNT(%s) >= %ld", counted, c->n); break;
	case COUNT_AT_MOST: sb_addf(&sb, "COUNT(%s) <= %ld", counted, c->n); break;
	case COUNT_EXACTLY: sb_addf(&sb, "COUNT(%s) = %ld", counted, c->n); break;
	}
	if (x->having.present) {
		static const char *const fn[] = { "COUNT", "SUM", "AVG", "MIN", "MAX" };
		const struct having *h = &x->having;
		if (h->agg == AGG_COUNT)
			sb_addf(&sb, " AND COUNT(%s) %s %s", counted, cmp_sql(h->cmp), h->value.text);
		else
			sb_addf(&sb, " AND %s(%s) %s %s", fn[h->agg], value_of(g, vt, val),
				cmp_sql(h->cmp), lit_sql(g, &h->value, vt));
	}
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

static bool is_simple(const struct ast_expr *x)
{
	return x->count.kind == COUNT_DEFAULT && !x->having.present;
}

static bool is_zero_only(const struct ast_expr *x)
{
	return !x->having.present && x->count.n == 0 &&
	       (x->count.kind == COUNT_EXACTLY || x->count.kind == COUNT_AT_MOST);
}

/* Does x's count only tell no rows from some rows (at least 1, exactly 0,
 * at most 0, no having count())?  Then a row counted twice changes
 * nothing, and COUNT(pk) does what COUNT(DISTINCT pk) would. */
static bool zero_test(const struct ast_expr *x)
{
	const struct count_spec *c = &x->count;
	if (x->having.present && x->having.agg == AGG_COUNT)
		return false;
	return c->kind == COUNT_DEFAULT || (c->kind == COUNT_AT_LEAST && c->n == 1) ||
	       ((c->kind == COUNT_EXACTLY || c->kind == COUNT_AT_MOST) && c->n == 0);
}

/* What COUNT counts for x over rows whose key is pk, where a row may come
 * twice: "DISTINCT pk", or just "pk" for a zero_test. */
static const char *counted_keys(struct gen *g, const struct ast_expr *x, const char *pk)
{
	return zero_test(x) ? pk : arena_sprintf(&g->ar, "DISTINCT %s", pk);
}

/* ---- with entity ----------------------------------------------------------- */

static long *merge_groups(struct ast_expr *const *items, size_t n);
static void gen_merged(struct gen *g, struct ast_expr *const *items, size_t n, const long *grp,
		       size_t lead, const struct scope *s);

/* The block of x evaluated on the row `alias` (each item one WHERE item). */
static void block_filters(struct gen *g, struct where *w, const struct ast_expr *x,
			  const struct scope *in)
{
	if (!x->block)
		return;
	push_bind(g, x, in->alias);
	long *grp = merge_groups(x->block->items, x->block->nitems);
	for (size_t i = 0; i < x->block->nitems; i++) {
		const struct ast_expr *it = x->block->items[i];
		const struct flat *fa = NULL;
		if (grp[i] >= 0) {
			/* a sibling count merged into its group's scan */
			if ((size_t)grp[i] != i)
				continue;
			where_next(w);
			g->b->indent++;
			gen_merged(g, x->block->items, x->block->nitems, grp, i, in);
			g->b->indent--;
			continue;
		}
		for (size_t k = 0; k < g->nflats && !fa; k++)
			if (g->flats[k].node == it)
				fa = &g->flats[k];
		if (fa) {
			/* joined in the FROM (flat_joins): only its rows' keys and
			 * its block here */
			chain_keys(g, w, fa->c, NULL, false);
			struct scope cin = { SC_ENTITY, fa->alias, it->rels[it->nrels - 1]->entity };
			block_filters(g, w, it, &cin);
			continue;
		}
		where_next(w);
		g->b->indent++;
		gen_expr(g, it, in);
		g->b->indent--;
	}
	free(grp);
	g->nbinds--;
}

/* A child `with entity` of x's block (an ANDed item) with the default count,
 * no having, not negated, whose block refers to a row outside it: inside
 * x's semi-join (a set of links, no aggregate) "some child row exists" is
 * the same as an inner join, and a join lets the planner pick the order.
 * Its references above x are fine too: x's block is then correlated, and
 * every row it refers to is one level up (carry_open). */
static bool flattenable(const struct ast_expr *it, const struct ast_expr *x)
{
	(void)x;
	return it->kind == EX_ENTITY && !it->negated && is_simple(it) &&
	       (it->rels[0]->join == JOIN_ON || it->rels[0]->join == JOIN_JUNCTION) &&
	       free_refs(it->block, it);
}

/* JOINs of x's flattenable children (and theirs) from the row `alias`;
 * returns the number of entries pushed on g->flats. */
static size_t flat_joins(struct gen *g, const struct ast_expr *x, const struct scope *in)
{
	size_t n = 0;
	for (size_t i = 0; x->block && i < x->block->nitems; i++) {
		const struct ast_expr *it = x->block->items[i];
		if (!flattenable(it, x))
			continue;
		struct chain *c = arena_alloc(&g->ar, sizeof(*c));
		chain_plan(g, in, it->rels, it->nrels, c);
		chain_join(g, c);
		struct flat f = { it, c->last, c };
		VEC_PUSH(g->flats, g->nflats, g->capflats, f);
		struct scope cin = { SC_ENTITY, c->last, it->rels[it->nrels - 1]->entity };
		n += 1 + flat_joins(g, it, &cin);
	}
	return n;
}

/* ---- carried rows ------------------------------------------------------------ */

/* The key of the profile row in ref sets (trait references). */
static const struct ast_expr profile_row;

struct refset {
	const struct ast_expr **v;   /* binds' nodes; NULL = the target, &profile_row */
	size_t n, cap;
};

static void refset_add(struct refset *s, const struct ast_expr *k)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == k)
			return;
	VEC_PUSH(s->v, s->n, s->cap, k);
}

/* Rows outside root that predicates inside x refer to (as free_refs). */
static void collect_free(const struct ast_expr *x, const struct ast_expr *root, struct refset *s)
{
	if (!x)
		return;
	if (x->pred && (x->pred->kind == PRED_CMP || x->pred->kind == PRED_CONTAINS ||
			x->pred->kind == PRED_NOT_CONTAINS || x->pred->kind == PRED_STARTS_WITH ||
			x->pred->kind == PRED_ENDS_WITH) &&
	    operand_free(&x->pred->rhs, root))
		refset_add(s, x->pred->rhs.ref == REF_TRAIT ? &profile_row : x->pred->rhs.scope);
	collect_free(x->lhs, root, s);
	collect_free(x->rhs, root, s);
	collect_free(x->block, root, s);
	for (size_t i = 0; i < x->nitems; i++)
		collect_free(x->items[i], root, s);
}

static void nested_walk(const struct ast_expr *e, const struct ast_expr *root, struct refset *s)
{
	if (!e)
		return;
	if (e->kind == EX_ENTITY) {
		/* its own subquery: whatever it refers to outside root */
		collect_free(e->block, root, s);
		return;
	}
	nested_walk(e->lhs, root, s);
	nested_walk(e->rhs, root, s);
	for (size_t i = 0; i < e->nitems; i++)
		nested_walk(e->items[i], root, s);
}

/* Rows outside root that a query block nested in owner's block refers to;
 * flat: owner's flattenable children are joined into its block. */
static void nested_free(const struct ast_expr *owner, const struct ast_expr *root, bool flat,
			struct refset *s)
{
	for (size_t i = 0; owner->block && i < owner->block->nitems; i++) {
		const struct ast_expr *it = owner->block->items[i];
		if (flat && flattenable(it, owner))
			nested_free(it, root, true, s);
		else
			nested_walk(it, root, s);
	}
}

/* Rows carried into a correlated block: a copy of every row outside it that
 * a block nested inside it refers to, matched on its key with that row one
 * level up (which is itself there, or carried by the parent).  So every
 * block correlates one level deep: Redshift rejects skip-level correlation
 * (DIALECTS §2.1 #1) and Databricks restricts it (D3).  Exact because keys
 * are keys: one row per key (runs reject duplicates, SPEC §5). */
struct carry {
	const char **corr;           /* "copy.key = outer.key", one per copy */
	size_t n;
	size_t nbinds;               /* entity binds pushed */
	const char *saved_profile;
};

/* "FROM" copies of the rows x's nested blocks need; returns the keyword
 * for the FROM item that follows ("FROM" when nothing is carried). */
static const char *carry_open(struct gen *g, const struct ast_expr *x, bool flat,
			      struct carry *cy)
{
	const struct profile *p = &g->g->profile;
	struct refset rs = { NULL, 0, 0 };
	memset(cy, 0, sizeof(*cy));
	cy->saved_profile = g->profile_alias;
	nested_free(x, x, flat, &rs);
	if (!rs.n)
		return "FROM";
	cy->corr = arena_alloc(&g->ar, rs.n * sizeof(*cy->corr));
	for (size_t i = 0; i < rs.n; i++) {
		const struct ast_expr *k = rs.v[i];
		const struct entity *e = NULL;
		const char *outer;
		if (k == &profile_row) {
			outer = g->profile_alias;
		} else {
			outer = find_bind(g, k);
			if (k)
				e = k->rels[k->nrels - 1]->entity;
			else if (g->aud->target != TARGET_PROFILE)
				e = g->aud->target_rels[g->aud->ntarget_rels - 1]->entity;
		}
		if (!outer)
			LAC_BUG("carried row with no row in scope");
		const char *c = new_alias(g, "c");
		const char *key = e ? e->pk->name : p->id;
		sql_addf(g->b, "\n%s %T AS %s", i ? "CROSS JOIN" : "FROM",
			 e ? e->table_parts : p->table_parts, e ? e->ntable_parts : p->ntable_parts, c);
		cy->corr[cy->n++] = arena_sprintf(&g->ar, "%s = %s", col_ref(g, c, key),
						  col_ref(g, outer, key));
		if (k == &profile_row) {
			g->profile_alias = c;
		} else {
			push_bind(g, k, c);
			cy->nbinds++;
		}
		/* the target row of a profile audience is the profile row */
		if (!k && !e)
			g->profile_alias = c;
	}
	free(rs.v);
	return "CROSS JOIN";
}

static void carry_where(struct gen *g, struct where *w, const struct carry *cy)
{
	for (size_t i = 0; i < cy->n; i++) {
		where_next(w);
		sql_addf(g->b, "%s", cy->corr[i]);
	}
}

static void carry_close(struct gen *g, const struct carry *cy)
{
	g->nbinds -= cy->nbinds;
	g->profile_alias = cy->saved_profile;
}

/* The WHERE of an entity path's subquery: correlation (or NULL), the first
 * hop's filter, link not null, then the block on the last row. */
static void entity_filters(struct gen *g, struct where *w, const struct ast_expr *x,
			   const struct chain *c, const char *corr, const struct carry *cy)
{
	if (corr) {
		where_next(w);
		sql_addf(g->b, "%s", corr);
	}
	if (cy)
		carry_where(g, w, cy);
	if (c->filter && !c->dedup) {
		where_next(w);
		sql_addf(g->b, "%s", c->filter);
	}
	if (!c->null_link_ok && !(c->dedup && c->rels[0]->join == JOIN_EXTERNAL_ID)) {
		where_next(w);
		sql_addf(g->b, "%s IS NOT NULL", c->link_out);
	}
	chain_keys(g, w, c, NULL, c->last_key_counted);
	struct scope in = { SC_ENTITY, c->last, x->rels[x->nrels - 1]->entity };
	block_filters(g, w, x, &in);
}

/* "<lhs> IN (" or "NOT COALESCE(<lhs> IN (", indented. */
static void open_in(struct gen *g, const char *lhs, bool complement)
{
	sql_addf(g->b, complement ? "NOT COALESCE(%s IN (" : "%s IN (", lhs);
	g->b->indent++;
}

static void close_in(struct gen *g, bool complement)
{
	g->b->indent--;
	if (complement)
		sql_addf(g->b, "\n), %s)", g->d->false_lit);
	else
		sql_addf(g->b, "\n)");
}

/* The negated semi-join "no row of c satisfies x's block" on the scope row:
 * NOT EXISTS correlated one level deep on the link.  Exactly the
 * two-valued complement of `link IN (...)`: the subquery's links are never
 * null, so a null scope link is "no row" in both forms. */
static void gen_not_exists(struct gen *g, const struct ast_expr *x, const struct chain *c)
{
	struct where w = { g, 0 };
	sql_addf(g->b, "NOT EXISTS (");
	g->b->indent++;
	sql_addf(g->b, "\nSELECT 1");
	chain_from(g, c);
	struct scope in = { SC_ENTITY, c->last, x->rels[x->nrels - 1]->entity };
	size_t nf = flat_joins(g, x, &in);
	entity_filters(g, &w, x, c, arena_sprintf(&g->ar, "%s = %s", c->link_out, c->link_scope),
		       NULL);
	g->nflats -= nf;
	g->b->indent--;
	sql_addf(g->b, "\n)");
}

/* neg: emit the negation; only for shapes entity_signable() accepts. */
static void gen_entity(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	const struct entity *last = x->rels[x->nrels - 1]->entity;
	bool correlated = free_refs(x->block, x);
	bool simple = is_simple(x), zero = is_zero_only(x);
	const char *agg_col = x->having.present && x->having.col ? x->having.col->name : NULL;
	enum col_type vt = x->having.present && x->having.col ? x->having.col->type : TY_NUMBER;
	struct chain c;
	struct where w = { g, 0 };

	chain_plan(g, s, x->rels, x->nrels, &c);
	struct scope in = { SC_ENTITY, c.last, last };
	if (correlated) {
		/* EXISTS correlated on the scope row's link, one level deep;
		 * rows its nested blocks refer to are carried (carry_open). */
		const char *corr = arena_sprintf(&g->ar, "%s = %s", c.link_out, c.link_scope);
		bool grouped = !simple && !zero;
		struct carry cy;
		sql_addf(g->b, zero != neg ? "NOT EXISTS (" : "EXISTS (");
		g->b->indent++;
		if (!grouped || pairs_unique(x->rels, x->nrels)) {
			/* grouped: an aggregate query, one row exactly when the
			 * HAVING holds, even over no rows; each row once */
			sql_addf(g->b, grouped ? "\nSELECT COUNT(*)" : "\nSELECT 1");
			const char *kw = carry_open(g, x, !grouped, &cy);
			chain_from_kw(g, &c, kw);
			size_t nf = grouped ? 0 : flat_joins(g, x, &in);
			entity_filters(g, &w, x, &c, corr, &cy);
			g->nflats -= nf;
			if (grouped)
				sql_addf(g->b, "\nHAVING %s", group_cond(g, x, agg_col
					 ? col_ref(g, c.last, agg_col) : NULL, vt, "*"));
		} else {
			/* A path may reach a row twice: aggregate over the last
			 * entity's rows, each once, that the scope row reaches.
			 * The reachability subquery correlates on that row only
			 * (a DISTINCT derived table would correlate two levels). */
			const char *en = named_alias(g, "e", last->slug);
			struct scope rin = { SC_ENTITY, en, last };
			struct where rw = { g, 0 };
			sql_addf(g->b, "\nSELECT COUNT(*)");
			const char *kw = carry_open(g, x, false, &cy);
			sql_addf(g->b, "\n%s %T AS %s", kw, last->table_parts, last->ntable_parts, en);
			where_next(&w);
			g->b->indent++;
			open_in(g, c.link_scope, false);
			sql_addf(g->b, "\nSELECT %s", c.link_out);
			chain_from(g, &c);
			where_next(&rw);
			sql_addf(g->b, "%s.%I = %s.%I", c.last, last->pk->name, en, last->pk->name);
			if (c.filter) {
				where_next(&rw);
				sql_addf(g->b, "%s", c.filter);
			}
			where_next(&rw);
			sql_addf(g->b, "%s IS NOT NULL", c.link_out);
			chain_keys(g, &rw, &c, NULL, true);
			close_in(g, false);
			g->b->indent--;
			carry_where(g, &w, &cy);
			block_filters(g, &w, x, &rin);
			sql_addf(g->b, "\nHAVING %s", group_cond(g, x, agg_col
				 ? col_ref(g, en, agg_col) : NULL, vt, "*"));
		}
		carry_close(g, &cy);
		g->b->indent--;
		sql_addf(g->b, "\n)");
		return;
	}

	if (simple || zero) {
		if (zero != neg) {
			gen_not_exists(g, x, &c);
			return;
		}
		open_in(g, c.link_scope, false);
		sql_addf(g->b, "\nSELECT %s", c.link_out);
		chain_from(g, &c);
		size_t nf = flat_joins(g, x, &in);
		entity_filters(g, &w, x, &c, NULL, NULL);
		g->nflats -= nf;
		close_in(g, false);
		return;
	}

	if (neg)
		LAC_BUG("negated grouped entity condition");
	/* R is distinct by the last entity's key.  Where the path may reach a
	 * row twice: count, min and max are the same over the repeats
	 * (COUNT(DISTINCT pk)); sum and avg need each row once, so the first
	 * hop's link rows are read once each (dedup) when that is the only
	 * source of repeats, and only a path that fans in later groups the
	 * final (link, pk) pairs.  Never DISTINCT over the joined hops. */
	bool complement = empty_qualifies(x);
	bool unique = pairs_unique(x->rels, x->nrels);
	bool sums = agg_col && (x->having.agg == AGG_SUM || x->having.agg == AGG_AVG);
	const char *counted = "*";
	if (!unique && sums && later_hops_unique(x->rels, x->nrels))
		c.dedup = true;
	else if (!unique && !sums)
		counted = counted_keys(g, x, col_ref(g, c.last, last->pk->name));
	c.last_key_counted = !unique && !agg_col;
	open_in(g, c.link_scope, complement);
	if (unique || c.dedup || !sums) {
		c.null_link_ok = true;
		sql_addf(g->b, "\nSELECT %s", c.link_out);
		chain_from(g, &c);
		entity_filters(g, &w, x, &c, NULL, NULL);
		const char *cond = group_cond(g, x, agg_col ? col_ref(g, c.last, agg_col) : NULL, vt,
					      counted);
		sql_addf(g->b, "\nGROUP BY %s\nHAVING %s%s%s", c.link_out, complement ? "NOT (" : "",
			 cond, complement ? ")" : "");
	} else {
		/* two hops that fan in: the final (link, pk) pairs, each once */
		const char *d = new_alias(g, "d");
		sql_addf(g->b, "\nSELECT %s.k\nFROM (", d);
		g->b->indent++;
		sql_addf(g->b, "\nSELECT DISTINCT %s AS k, %s.%I AS pk", c.link_out, c.last,
			 last->pk->name);
		if (agg_col)
			sql_addf(g->b, ", %s.%I AS v", c.last, agg_col);
		chain_from(g, &c);
		entity_filters(g, &w, x, &c, NULL, NULL);
		g->b->indent--;
		const char *cond = group_cond(g, x, agg_col ? col_ref(g, d, "v") : NULL, vt, "*");
		sql_addf(g->b, "\n) AS %s\nGROUP BY %s.k\nHAVING %s%s%s", d, d,
			 complement ? "NOT (" : "", cond, complement ? ")" : "");
	}
	close_in(g, complement);
}

/* ---- sibling counts that share a first hop ----------------------------------- */

/* Can x join a merged scan (SPEC §4 "one scan per table where possible")?
 * A positive, uncorrelated count or having (zero-only counts too) whose
 * later hops reach each row from one parent row, so per-first-row counts
 * add up to |F|; avg (a ratio of sums) stays alone, and so does a one-hop
 * condition with a block (it would filter the shared rows). */
static bool mergeable(const struct ast_expr *x)
{
	return x->kind == EX_ENTITY && !x->negated && !is_simple(x) && !free_refs(x->block, x) &&
	       !(x->having.present && x->having.agg == AGG_AVG) &&
	       !(x->nrels == 1 && x->block) && later_hops_unique(x->rels, x->nrels);
}

/* Groups of ANDed siblings to merge: grp[i] is the index of the group's
 * first item (its leader), or -1.  A group has two or more items with the
 * same first relationship, at least one of which an empty F does not
 * satisfy: that one requires a first-hop row, so the merged scan, which
 * sees only links with first-hop rows, loses no member.  Freed by the
 * caller. */
static long *merge_groups(struct ast_expr *const *items, size_t n)
{
	long *grp = xcalloc(n ? n : 1, sizeof(*grp));
	for (size_t i = 0; i < n; i++)
		grp[i] = -1;
	for (size_t i = 0; i < n; i++) {
		if (grp[i] >= 0 || !mergeable(items[i]))
			continue;
		size_t size = 1;
		bool anchor = !empty_qualifies(items[i]);
		for (size_t j = i + 1; j < n; j++)
			if (grp[j] < 0 && mergeable(items[j]) && items[j]->rels[0] == items[i]->rels[0]) {
				size++;
				anchor |= !empty_qualifies(items[j]);
			}
		if (size < 2 || !anchor)
			continue;
		grp[i] = (long)i;
		for (size_t j = i + 1; j < n; j++)
			if (grp[j] < 0 && mergeable(items[j]) && items[j]->rels[0] == items[i]->rels[0])
				grp[j] = (long)i;
	}
	return grp;
}

/* The count of a merged item over its pre-aggregate ga ("n" rows, "a" the
 * having's aggregate): a first-hop row with no F rows has no ga row. */
static void merged_cond(struct gen *g, struct strbuf *sb, const struct ast_expr *x, const char *ga,
			enum col_type vt)
{
	static const char *const fn[] = { "COUNT", "SUM", "AVG", "MIN", "MAX" };
	const struct count_spec *c = &x->count;
	const char *n = arena_sprintf(&g->ar, "COALESCE(SUM(%s.n), 0)", ga);
	switch (c->kind) {
	case COUNT_DEFAULT: sb_addf(sb, "%s >= 1", n); break;
	case COUNT_AT_LEAST: sb_addf(sb, "%s >= %ld", n, c->n); break;
	case COUNT_AT_MOST: sb_addf(sb, "%s <= %ld", n, c->n); break;
	case COUNT_EXACTLY: sb_addf(sb, "%s = %ld", n, c->n); break;
	}
	if (!x->having.present)
		return;
	const struct having *h = &x->having;
	if (h->agg == AGG_COUNT)
		sb_addf(sb, " AND %s %s %s", n, cmp_sql(h->cmp), h->value.text);
	else
		sb_addf(sb, " AND %s(%s.a) %s %s", fn[h->agg], ga,
			cmp_sql(h->cmp), lit_sql(g, &h->value, vt));
}

/* Can the group be one join of the first hop with its single deeper path,
 * counted by distinct keys?  Only when no item sums (a row reached twice,
 * through a duplicated link row, would count twice in a sum). */
static bool merged_direct(struct ast_expr *const *items, size_t n, const long *grp, size_t lead)
{
	size_t deep = 0;
	for (size_t i = lead; i < n; i++) {
		if (grp[i] != (long)lead)
			continue;
		deep += items[i]->nrels > 1;
		if (items[i]->having.present && items[i]->having.agg == AGG_SUM)
			return false;
	}
	return deep <= 1;
}

/* The group led by items[lead] as one grouped scan of the first hop.  With
 * one deeper path and no sum (merged_direct):
 *   S.link IN (SELECT link FROM <first hop>
 *              LEFT JOIN (SELECT k, pk, v FROM <rest of the path> WHERE ..)
 *                AS gN ON gN.k = e1.pk
 *              GROUP BY link HAVING COUNT(DISTINCT e1.pk) >= 2
 *                AND COUNT(DISTINCT gN.pk) = 0 ...)
 * Otherwise the first hop's link rows are read once each (dedup) and each
 * deeper item is pre-aggregated per first-hop row (one row per key, so the
 * LEFT JOINs do not multiply):
 *   ... LEFT JOIN (SELECT k, COUNT(*) AS n, AGG(v) AS a FROM <rest of a
 *                  deeper path> ... GROUP BY k) AS gN ON gN.k = e1.pk
 * A one-hop item counts the first-hop rows themselves. */
static void gen_merged(struct gen *g, struct ast_expr *const *items, size_t n, const long *grp,
		       size_t lead, const struct scope *s)
{
	static const char *const fn[] = { "COUNT", "SUM", "AVG", "MIN", "MAX" };
	const struct relationship *r0 = items[lead]->rels[0];
	const struct entity *e1 = r0->entity;
	bool direct = merged_direct(items, n, grp, lead);
	struct chain c;
	struct where w = { g, 0 };
	struct strbuf cond = STRBUF_INIT;
	chain_plan(g, s, items[lead]->rels, 1, &c);
	c.dedup = !direct && (r0->join == JOIN_EXTERNAL_ID || r0->join == JOIN_JUNCTION);
	c.null_link_ok = true;
	/* a first-hop row with a null key is counted by no COUNT(pk) and
	 * matches no deeper row: only a min/max over its columns must skip it */
	bool keys = !direct;
	struct scope in1 = { SC_ENTITY, c.last, r0->entity };
	open_in(g, c.link_scope, false);
	sql_addf(g->b, "\nSELECT %s", c.link_out);
	chain_from(g, &c);
	for (size_t i = lead; i < n; i++) {
		const struct ast_expr *x = items[i];
		if (grp[i] != (long)lead)
			continue;
		const char *agg_col = x->having.present && x->having.col ? x->having.col->name : NULL;
		enum col_type vt = agg_col ? x->having.col->type : TY_NUMBER;
		if (cond.len)
			sb_addstr(&cond, " AND ");
		if (x->nrels == 1) {
			keys |= agg_col != NULL;
			sb_addstr(&cond, group_cond(g, x, agg_col ? col_ref(g, c.last, agg_col) : NULL,
						    vt, direct ? counted_keys(g, x, col_ref(g, c.last,
						    e1->pk->name)) : "*"));
			continue;
		}
		struct chain sc;
		struct where sw = { g, 0 };
		const char *ga = new_alias(g, "g");
		const struct entity *last = x->rels[x->nrels - 1]->entity;
		chain_plan(g, &in1, x->rels + 1, x->nrels - 1, &sc);
		sc.last_key_counted = direct && !agg_col;
		sql_addf(g->b, "\nLEFT JOIN (");
		g->b->indent++;
		if (direct) {
			sql_addf(g->b, "\nSELECT %s AS k, %s.%I AS pk", sc.link_out, sc.last,
				 last->pk->name);
			if (agg_col)
				sql_addf(g->b, ", %s.%I AS v", sc.last, agg_col);
		} else {
			sql_addf(g->b, "\nSELECT %s AS k, COUNT(*) AS n", sc.link_out);
			if (agg_col && x->having.agg != AGG_COUNT)
				sql_addf(g->b, ", %s(%s) AS a", fn[x->having.agg],
					 value_of(g, vt, col_ref(g, sc.last, agg_col)));
		}
		chain_from(g, &sc);
		entity_filters(g, &sw, x, &sc, NULL, NULL);
		if (!direct)
			sql_addf(g->b, "\nGROUP BY %s", sc.link_out);
		g->b->indent--;
		sql_addf(g->b, "\n) AS %s ON %s.k = %s", ga, ga, sc.link_scope);
		if (direct)
			sb_addstr(&cond, group_cond(g, x, agg_col ? col_ref(g, ga, "v") : NULL, vt,
						    counted_keys(g, x, col_ref(g, ga, "pk"))));
		else
			merged_cond(g, &cond, x, ga, vt);
	}
	if (c.filter && !c.dedup) {
		where_next(&w);
		sql_addf(g->b, "%s", c.filter);
	}
	if (keys)
		chain_keys(g, &w, &c, NULL, false);
	sql_addf(g->b, "\nGROUP BY %s\nHAVING %s", c.link_out, cond.buf);
	sb_release(&cond);
	close_in(g, false);
}

/* ---- with event ------------------------------------------------------------ */

static const char *event_prop(struct gen *g, const char *alias, const char *name, enum col_type t)
{
	const struct profile *p = &g->g->profile;
	struct strbuf sb = STRBUF_INIT;
	const char *col = col_ref(g, alias, p->events.properties);
	const char *keys[1] = { name };
	dialect_json_get(g->d, &sb, col, keys, 1, t);
	const char *r = arena_strdup(&g->ar, sb.buf);
	sb_release(&sb);
	return r;
}

static void event_filters(struct gen *g, struct where *w, const struct ast_expr *x,
			  const char *v, const char *corr)
{
	const struct profile *p = &g->g->profile;
	if (corr) {
		where_next(w);
		sql_addf(g->b, "%s", corr);
	}
	where_next(w);
	sql_addf(g->b, "%s.%I = %L", v, p->events.name, x->event_name);
	where_next(w);
	sql_addf(g->b, "%s.%I IS NOT NULL", v, p->events.id);
	if (x->window.kind != WIN_NONE) {
		struct strbuf lo = STRBUF_INIT, hi = STRBUF_INIT;
		long a = x->window.a, b = x->window.b;
		if (x->window.kind == WIN_WITHIN_LAST) {
			g->d->time_point(g->d, &lo, TY_TIMESTAMP, g->o->now, -a, x->window.unit);
			g->d->time_point(g->d, &hi, TY_TIMESTAMP, g->o->now, 0, x->window.unit);
		} else {
			g->d->time_point(g->d, &lo, TY_TIMESTAMP, g->o->now, -b, x->window.unit);
			g->d->time_point(g->d, &hi, TY_TIMESTAMP, g->o->now, -a, x->window.unit);
		}
		const char *ts = col_ref(g, v, p->events.timestamp);
		struct strbuf pre = STRBUF_INIT;
		ts_prefix(g, &pre, ts, lo.buf, hi.buf);
		where_next(w);
		sql_addf(g->b, "%s%s BETWEEN %s AND %s", pre.buf,
			 value_of(g, TY_TIMESTAMP, ts), lo.buf, hi.buf);
		sb_release(&pre);
		sb_release(&lo);
		sb_release(&hi);
	}
	struct scope in = { SC_EVENT, v, NULL };
	block_filters(g, w, x, &in);
}

static void gen_event(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	const struct profile *p = &g->g->profile;
	const char *v = new_alias(g, "v");
	const char *link = col_ref(g, v, p->events.id);
	const char *key = key_of_profile(g, s->alias);
	bool correlated = free_refs(x->block, x);
	bool simple = is_simple(x), zero = is_zero_only(x);
	enum col_type vt = x->having.present && x->having.col ? x->having.col->type : TY_NUMBER;
	const char *val = x->having.present && x->having.col
		? event_prop(g, v, x->having.col->name, vt) : NULL;
	struct where w = { g, 0 };

	if (correlated || (neg != zero && (simple || zero))) {
		/* correlated one level on the profile id; a negated semi-join is
		 * NOT EXISTS (exact: event ids in it are never null) */
		const char *corr = arena_sprintf(&g->ar, "%s = %s", link, key);
		sql_addf(g->b, zero != neg ? "NOT EXISTS (" : "EXISTS (");
		g->b->indent++;
		sql_addf(g->b, "\nSELECT %s\nFROM %T AS %s", simple || zero ? "1" : "COUNT(*)",
			 p->events.table_parts, p->events.ntable_parts, v);
		event_filters(g, &w, x, v, corr);
		if (!simple && !zero)
			sql_addf(g->b, "\nHAVING %s", group_cond(g, x, val, vt, "*"));
		g->b->indent--;
		sql_addf(g->b, "\n)");
		return;
	}
	if (neg && !zero)
		LAC_BUG("negated grouped event condition");
	/* `without event ... exactly 0` is the plain semi-join */
	bool complement = (zero && !neg) || (!simple && !zero && empty_qualifies(x));
	open_in(g, key, complement);
	sql_addf(g->b, "\nSELECT %s\nFROM %T AS %s", link, p->events.table_parts,
		 p->events.ntable_parts, v);
	event_filters(g, &w, x, v, NULL);
	if (!simple && !zero)
		sql_addf(g->b, "\nGROUP BY %s\nHAVING %s%s%s", link, complement ? "NOT (" : "",
			 group_cond(g, x, val, vt, "*"), complement ? ")" : "");
	close_in(g, complement);
}

/* ---- traits, columns, audiences -------------------------------------------- */

static void gen_trait(struct gen *g, const struct ast_expr *x, const struct scope *s)
{
	const char *lhs = trait_sql(g, s->alias, x->trait_root, x->trait,
				    x->path.parts + 1, x->path.n - 1);
	if (!x->pred)
		sql_addf(g->b, "%s IS NOT NULL", lhs);
	else
		gen_pred(g, x->pred, lhs, x->trait->type, x->path.n == 1 || x->trait_root == x->trait);
}

static void gen_column(struct gen *g, const struct ast_expr *x, const struct scope *s)
{
	enum col_type t = x->col ? x->col->type : TY_STRING;
	const char *name = x->col ? x->col->name : x->column;
	if (s->kind == SC_EVENT)
		gen_pred(g, x->pred, event_prop(g, s->alias, name, t), t, false);
	else
		gen_pred(g, x->pred, col_ref(g, s->alias, name), t, true);
}

static const char *member_key(struct gen *g, const struct scope *s)
{
	return s->kind == SC_PROFILE ? key_of_profile(g, s->alias)
				     : col_ref(g, s->alias, s->e->pk->name);
}

static void gen_where_items(struct gen *g, struct ast_expr *const *items, size_t n,
			    const char *op, const struct scope *s);

static void gen_audience(struct gen *g, const struct ast_expr *x, const struct scope *s)
{
	const struct ast_audience *ref = x->ref;
	const struct sql_options *o = g->o;
	bool snap = x->using_ == USING_MEMBERSHIP;
	if (snap && o->snapshot_exists && !o->snapshot_exists(o->arg, ref)) {
		snap = false;
		if (o->on_fallback)
			o->on_fallback(o->arg, g->aud, ref);
	}
	if (snap) {
		const char *parts[2];
		char *t = sql_snapshot_table(g->schema, ref->name, parts);
		const char *a = new_alias(g, "s");
		open_in(g, member_key(g, s), false);
		sql_addf(g->b, "\nSELECT %s.member_id\nFROM %T AS %s\nWHERE %s.member_id IS NOT NULL",
			 a, parts, (size_t)2, a, a);
		close_in(g, false);
		free(t);
		return;
	}
	/* using conditions: the referenced audience's where, on this row */
	const struct ast_audience *saved = g->aud;
	push_bind(g, NULL, s->alias);
	g->aud = ref;
	if (!ref->where || ref->where->nitems == 0)
		sql_addf(g->b, "%s", g->d->true_lit);
	else
		gen_where_items(g, ref->where->items, ref->where->nitems, "AND", s);
	g->aud = saved;
	g->nbinds--;
}

/* A profile-level condition (trait, event) of an entity-targeted audience:
 * some profile associated with the target row satisfies it (x NULL: the
 * row is associated with at least one profile).  The subquery walks from
 * the profile to the target's parent and correlates, one level deep, on the
 * column the last hop joins on: that column is already on the target row,
 * so the target table is not joined again.  neg: NOT EXISTS. */
static void gen_assoc(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	const struct ast_audience *a = g->aud;
	const struct profile *p = &g->g->profile;
	size_t n = a->ntarget_rels;
	const struct relationship *r = a->target_rels[n - 1];
	struct scope ps = { SC_PROFILE, named_alias(g, "p", "profile"), NULL };
	struct chain c;
	struct where w = { g, 0 };
	const char *prev = ps.alias, *corr = NULL, *ja = NULL;

	if (n > 1) {
		chain_plan(g, &ps, a->target_rels, n - 1, &c);
		prev = c.last;
	}
	sql_addf(g->b, neg ? "NOT EXISTS (" : "EXISTS (");
	g->b->indent++;
	sql_addf(g->b, "\nSELECT 1\nFROM %T AS %s", p->table_parts, p->ntable_parts, ps.alias);
	if (n > 1)
		chain_join(g, &c);
	switch (r->join) {
	case JOIN_EXTERNAL_ID: {
		const char *xa = new_alias(g, "x");
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s AND %s.%I = %L",
			 p->external_ids.table_parts, p->external_ids.ntable_parts, xa, xa,
			 p->external_ids.id, key_of_profile(g, ps.alias), xa, p->external_ids.type,
			 r->ext_type);
		corr = arena_sprintf(&g->ar, "%s = %s", col_ref(g, xa, p->external_ids.value),
				     col_ref(g, s->alias, r->join_key->name));
		break;
	}
	case JOIN_TRAIT:
		corr = arena_sprintf(&g->ar, "%s = %s",
				     col_ref(g, ps.alias, r->trait->column ? r->trait->column : r->trait->name),
				     col_ref(g, s->alias, r->join_key->name));
		break;
	case JOIN_ON:
		corr = arena_sprintf(&g->ar, "%s = %s", col_ref(g, prev, r->parent_col->name),
				     col_ref(g, s->alias, r->child_col->name));
		break;
	case JOIN_JUNCTION: {
		ja = new_alias(g, "j");
		sql_addf(g->b, "\nJOIN %T AS %s ON %s.%I = %s.%I", r->junction->table_parts,
			 r->junction->ntable_parts, ja, ja, r->junction_left->name, prev,
			 a->target_rels[n - 2]->entity->pk->name);
		corr = arena_sprintf(&g->ar, "%s = %s", col_ref(g, ja, r->junction_right->name),
				     col_ref(g, s->alias, s->e->pk->name));
		break;
	}
	}
	where_next(&w);
	sql_addf(g->b, "%s", corr);
	if (n > 1)
		chain_keys(g, &w, &c, r, false);
	if (ja)
		junction_check(g, &w, ja, r);
	if (x) {
		const char *saved = g->profile_alias;
		g->profile_alias = ps.alias;
		where_next(&w);
		g->b->indent++;
		if (x->kind == EX_TRAIT)
			gen_trait(g, x, &ps);
		else
			gen_event(g, x, &ps, false);
		g->b->indent--;
		g->profile_alias = saved;
	}
	g->b->indent--;
	sql_addf(g->b, "\n)");
}

/* Does this ANDed list hold a positive trait or event condition?  Such a
 * condition already requires an associated profile (gen_assoc). */
static bool has_positive_assoc(struct ast_expr *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ast_expr *x = items[i];
		if ((x->kind == EX_TRAIT || x->kind == EX_EVENT) && !x->negated)
			return true;
		if ((x->kind == EX_BLOCK || x->kind == EX_ALL) && has_positive_assoc(x->items, x->nitems))
			return true;
		if (x->kind == EX_AND) {
			struct ast_expr *pair[2] = { x->lhs, x->rhs };
			if (has_positive_assoc(pair, 2))
				return true;
		}
	}
	return false;
}

/* Can the leaf emit its own negation as NOT EXISTS (never null, so no
 * COALESCE needed)?  Grouped uncorrelated semi-joins cannot. */
static bool leaf_signable(const struct ast_expr *x, const struct scope *s)
{
	switch (x->kind) {
	case EX_ENTITY:
		return free_refs(x->block, x) || is_simple(x) || is_zero_only(x);
	case EX_EVENT:
		return s->kind == SC_ENTITY || free_refs(x->block, x) || is_simple(x) ||
		       is_zero_only(x);
	case EX_TRAIT:
		return s->kind == SC_ENTITY;
	default:
		return false;
	}
}

static void gen_leaf_sql(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg);

/* A condition's SQL, its place recorded in the source map when there is one. */
static void gen_leaf(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	size_t start = g->b->sb.len;
	gen_leaf_sql(g, x, s, neg);
	struct sql_srcmap *m = g->o->map;
	if (m) {
		struct sql_span sp = { start, g->b->sb.len, x->loc };
		VEC_PUSH(m->spans, m->nspans, m->capspans, sp);
	}
}

static void gen_leaf_sql(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	switch (x->kind) {
	case EX_ENTITY:
		gen_entity(g, x, s, neg);
		break;
	case EX_TRAIT:
		if (s->kind == SC_ENTITY)
			gen_assoc(g, x, s, neg);
		else
			gen_trait(g, x, s);
		break;
	case EX_EVENT:
		if (s->kind == SC_ENTITY)
			gen_assoc(g, x, s, neg);
		else
			gen_event(g, x, s, neg);
		break;
	case EX_AUDIENCE:
		gen_audience(g, x, s);
		break;
	case EX_COLUMN:
		gen_column(g, x, s);
		break;
	default:
		LAC_BUG("not a condition");
	}
}

/* Items joined by op; one item bare, several in parentheses one per line. */
static void gen_where_items(struct gen *g, struct ast_expr *const *items, size_t n,
			    const char *op, const struct scope *s)
{
	if (n == 0) {
		sql_addf(g->b, "%s", strcmp(op, "AND") == 0 ? g->d->true_lit : g->d->false_lit);
		return;
	}
	long *grp = strcmp(op, "AND") == 0 ? merge_groups(items, n) : NULL;
	size_t left = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		left += !grp || grp[i] < 0 || (size_t)grp[i] == i;
	if (left > 1) {
		sql_addf(g->b, "(");
		g->b->indent++;
	}
	for (size_t i = 0; i < n; i++) {
		if (grp && grp[i] >= 0 && (size_t)grp[i] != i)
			continue;
		if (left > 1) {
			sql_addf(g->b, k++ ? "\n%s " : "\n", op);
			g->b->indent++;
		}
		if (grp && grp[i] >= 0)
			gen_merged(g, items, n, grp, i, s);
		else
			gen_expr(g, items[i], s);
		if (left > 1)
			g->b->indent--;
	}
	if (left > 1) {
		g->b->indent--;
		sql_addf(g->b, "\n)");
	}
	free(grp);
}

/* A leaf, negated when neg: NOT EXISTS where the leaf can say it, else
 * NOT COALESCE(x, FALSE) (two-valued: NOT of a null condition is true). */
static void gen_signed(struct gen *g, const struct ast_expr *x, const struct scope *s, bool neg)
{
	if (!neg || leaf_signable(x, s)) {
		gen_leaf(g, x, s, neg);
		return;
	}
	sql_addf(g->b, "NOT COALESCE(");
	gen_leaf(g, x, s, false);
	sql_addf(g->b, ", %s)", g->d->false_lit);
}

static void gen_expr(struct gen *g, const struct ast_expr *x, const struct scope *s)
{
	struct ast_expr *pair[2];
	switch (x->kind) {
	case EX_AND:
	case EX_OR:
		pair[0] = x->lhs;
		pair[1] = x->rhs;
		gen_where_items(g, pair, 2, x->kind == EX_AND ? "AND" : "OR", s);
		return;
	case EX_NOT:
		if (leaf_signable(x->lhs, s)) {
			gen_signed(g, x->lhs, s, !x->lhs->negated);
			return;
		}
		/* two-valued: NOT of a null (unknown) condition is true */
		sql_addf(g->b, "NOT COALESCE(");
		gen_expr(g, x->lhs, s);
		sql_addf(g->b, ", %s)", g->d->false_lit);
		return;
	case EX_BLOCK:
	case EX_ALL:
		gen_where_items(g, x->items, x->nitems, "AND", s);
		return;
	case EX_ANY:
		gen_where_items(g, x->items, x->nitems, "OR", s);
		return;
	default:
		break;
	}
	gen_signed(g, x, s, x->negated);
}

/* ---- statements ------------------------------------------------------------ */

static void gen_init(struct gen *g, struct sqlbuf *b, const struct graph *gr,
		     const struct ast_audience *a, const struct sql_options *o)
{
	memset(g, 0, sizeof(*g));
	g->g = gr;
	g->o = o;
	g->d = o->d;
	g->schema = o->schema ? o->schema : PROJECT_DEFAULT_WAREHOUSE_SCHEMA;
	g->b = b;
	g->aud = a;
}

static void gen_release(struct gen *g)
{
	free(g->binds);
	free(g->flats);
	arena_release(&g->ar);
}

/* The membership SELECT at the builder's current indentation. */
static void membership(struct gen *g, const struct ast_audience *a)
{
	const struct profile *p = &g->g->profile;
	struct where w = { g, 0 };
	struct scope s;
	if (a->target == TARGET_PROFILE) {
		s = (struct scope){ SC_PROFILE, "p", NULL };
		g->profile_alias = "p";
		sql_addf(g->b, "SELECT %s AS member_id\nFROM %T AS p", key_of_profile(g, "p"),
			 p->table_parts, p->ntable_parts);
	} else {
		const struct entity *te = a->target_rels[a->ntarget_rels - 1]->entity;
		s = (struct scope){ SC_ENTITY, "t", te };
		sql_addf(g->b, "SELECT t.%I AS member_id\nFROM %T AS t", te->pk->name,
			 te->table_parts, te->ntable_parts);
		/* a row with a null key does not exist (SPEC §3.4) */
		key_check(g, &w, "t", te);
		/* a positive trait/event condition implies an associated profile */
		if (!a->where || !has_positive_assoc(a->where->items, a->where->nitems)) {
			where_next(&w);
			g->b->indent++;
			gen_assoc(g, NULL, &s, false);
			g->b->indent--;
		}
	}
	push_bind(g, NULL, s.alias);
	size_t n = a->where ? a->where->nitems : 0;
	long *grp = merge_groups(n ? a->where->items : NULL, n);
	for (size_t i = 0; i < n; i++) {
		if (grp[i] >= 0 && (size_t)grp[i] != i)
			continue;
		where_next(&w);
		g->b->indent++;
		if (grp[i] >= 0)
			gen_merged(g, a->where->items, n, grp, i, &s);
		else
			gen_expr(g, a->where->items[i], &s);
		g->b->indent--;
	}
	free(grp);
	g->nbinds--;
}

void sql_membership(struct strbuf *out, const struct graph *gr, const struct ast_audience *a,
		    const struct sql_options *o)
{
	struct sqlbuf b;
	struct gen g;
	size_t first = o->map ? o->map->nspans : 0;
	sqlbuf_init(&b, o->d);
	gen_init(&g, &b, gr, a, o);
	membership(&g, a);
	if (o->map) /* the spans were counted from the start of b */
		for (size_t i = first; i < o->map->nspans; i++) {
			o->map->spans[i].start += out->len;
			o->map->spans[i].end += out->len;
		}
	sb_addstr(out, b.sb.buf);
	gen_release(&g);
	sqlbuf_release(&b);
}

/* ---- matched entities (SPEC §5) --------------------------------------------- */

struct match {
	const struct ast_expr **stack; /* where root ... N */
	size_t n;
};

struct match_walk {
	const char *path;              /* NULL: collect paths */
	const struct ast_expr **stack;
	size_t n, cap;
	struct match *found;
	size_t nfound, capfound;
	const char **paths;
	size_t npaths, cappaths;
};

static void match_visit(struct match_walk *mw, const struct ast_expr *x, bool negative)
{
	if (!x)
		return;
	VEC_PUSH(mw->stack, mw->n, mw->cap, x);
	switch (x->kind) {
	case EX_AND:
	case EX_OR:
		match_visit(mw, x->lhs, negative);
		match_visit(mw, x->rhs, negative);
		break;
	case EX_NOT:
		match_visit(mw, x->lhs, true);
		break;
	case EX_BLOCK:
	case EX_ALL:
	case EX_ANY:
		for (size_t i = 0; i < x->nitems; i++)
			match_visit(mw, x->items[i], negative);
		break;
	case EX_ENTITY: {
		if (negative || x->negated || !x->nrels)
			break;
		const char *p = x->rels[x->nrels - 1]->path;
		if (mw->path && strcmp(p, mw->path) == 0) {
			struct match m = { xmalloc(mw->n * sizeof(*m.stack)), mw->n };
			memcpy(m.stack, mw->stack, mw->n * sizeof(*m.stack));
			VEC_PUSH(mw->found, mw->nfound, mw->capfound, m);
		} else if (!mw->path) {
			bool seen = false;
			for (size_t i = 0; i < mw->npaths; i++)
				seen |= strcmp(mw->paths[i], p) == 0;
			if (!seen)
				VEC_PUSH(mw->paths, mw->npaths, mw->cappaths, p);
		}
		match_visit(mw, x->block, negative);
		break;
	}
	default:
		break;
	}
	mw->n--;
}

size_t sql_matched_paths(const struct ast_audience *a, const char ***out)
{
	struct match_walk mw = { 0 };
	match_visit(&mw, a->where, false);
	free(mw.stack);
	*out = mw.paths;
	return mw.npaths;
}

/* The side of every or/any between stack[from] and stack[to] must hold on
 * the scope row (SPEC §5: "on every branch that holds"). */
static void side_filters(struct gen *g, struct where *w, const struct match *m, size_t from,
			 size_t to, const struct scope *s)
{
	for (size_t i = from; i < to; i++) {
		const struct ast_expr *x = m->stack[i];
		if (x->kind != EX_OR && x->kind != EX_ANY)
			continue;
		where_next(w);
		g->b->indent++;
		gen_expr(g, m->stack[i + 1], s);
		g->b->indent--;
	}
}

static void matched_one(struct gen *g, const struct ast_audience *a, const struct match *m)
{
	const struct profile *p = &g->g->profile;
	struct where w = { g, 0 };
	struct scope s;
	const char *r0 = new_alias(g, "r");
	const struct ast_expr *n = m->stack[m->n - 1];

	if (a->target == TARGET_PROFILE) {
		s = (struct scope){ SC_PROFILE, r0, NULL };
		g->profile_alias = r0;
		sql_addf(g->b, "SELECT DISTINCT m.member_id, %s AS entity_id", "%PK%");
		sql_addf(g->b, "\nFROM members AS m\nJOIN %T AS %s ON %s = m.member_id",
			 p->table_parts, p->ntable_parts, r0, key_of_profile(g, r0));
	} else {
		const struct entity *te = a->target_rels[a->ntarget_rels - 1]->entity;
		s = (struct scope){ SC_ENTITY, r0, te };
		sql_addf(g->b, "SELECT DISTINCT m.member_id, %s AS entity_id", "%PK%");
		sql_addf(g->b, "\nFROM members AS m\nJOIN %T AS %s ON %s.%I = m.member_id",
			 te->table_parts, te->ntable_parts, r0, r0, te->pk->name);
	}
	size_t select_end = 0;
	(void)select_end;
	push_bind(g, NULL, r0);
	/* walk the levels: target, then each enclosing with entity, then N */
	struct scope cur = s;
	struct scope *levels = xcalloc(m->n + 1, sizeof(*levels));
	size_t *starts = xcalloc(m->n + 1, sizeof(*starts));
	const struct ast_expr **owners = xcalloc(m->n + 1, sizeof(*owners));
	struct chain *chains = xcalloc(m->n + 1, sizeof(*chains)); /* level l's path */
	size_t nlev = 0;
	levels[nlev] = cur;
	starts[nlev] = 0;
	owners[nlev++] = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct ast_expr *x = m->stack[i];
		if (x->kind != EX_ENTITY)
			continue;
		struct chain *c = &chains[nlev];
		chain_plan(g, &cur, x->rels, x->nrels, c);
		chain_join(g, c);
		cur = (struct scope){ SC_ENTITY, c->last, x->rels[x->nrels - 1]->entity };
		push_bind(g, x, c->last);
		levels[nlev] = cur;
		starts[nlev] = i + 1;
		owners[nlev++] = x;
	}
	/* filters: per level, the or/any sides leading to the next level's
	 * node, and the block of every entity level but N's own is implied by
	 * the sides only when under or; so write each entity level's block. */
	for (size_t l = 0; l < nlev; l++) {
		size_t end = l + 1 < nlev ? starts[l + 1] - 1 : m->n - 1;
		if (owners[l])
			chain_keys(g, &w, &chains[l], NULL, false);
		side_filters(g, &w, m, starts[l], end, &levels[l]);
		if (owners[l] && owners[l]->block) {
			for (size_t i = 0; i < owners[l]->block->nitems; i++) {
				where_next(&w);
				g->b->indent++;
				gen_expr(g, owners[l]->block->items[i], &levels[l]);
				g->b->indent--;
			}
		}
	}
	/* the selected entity key, now that its alias is known */
	const char *pk = col_ref(g, levels[nlev - 1].alias, n->rels[n->nrels - 1]->entity->pk->name);
	char *at = strstr(g->b->sb.buf, "%PK%");
	if (at) {
		char *tail = xstrdup(at + 4);
		sb_setlen(&g->b->sb, (size_t)(at - g->b->sb.buf));
		sb_addstr(&g->b->sb, pk);
		sb_addstr(&g->b->sb, tail);
		free(tail);
	}
	g->nbinds -= nlev;
	free(levels);
	free(starts);
	free(owners);
	free(chains);
}

bool sql_matched(struct strbuf *out, const struct graph *gr, const struct ast_audience *a,
		 const char *path, const struct sql_options *o)
{
	struct match_walk mw = { .path = path };
	match_visit(&mw, a->where, false);
	free(mw.stack);
	if (!mw.nfound) {
		free(mw.found);
		return false;
	}
	struct sqlbuf b;
	struct gen g;
	sqlbuf_init(&b, o->d);
	gen_init(&g, &b, gr, a, o);
	sql_addf(&b, "WITH members AS (");
	b.indent++;
	sql_addf(&b, "\n");
	membership(&g, a);
	b.indent--;
	sql_addf(&b, "\n)\n");
	for (size_t i = 0; i < mw.nfound; i++) {
		if (i)
			sql_addf(&b, "\nUNION\n");
		size_t start = b.sb.len;
		struct sqlbuf part;
		sqlbuf_init(&part, o->d);
		g.b = &part;
		matched_one(&g, a, &mw.found[i]);
		g.b = &b;
		sb_setlen(&b.sb, start);
		sb_addstr(&b.sb, part.sb.buf);
		sqlbuf_release(&part);
		free(mw.found[i].stack);
	}
	free(mw.found);
	sb_addstr(out, b.sb.buf);
	gen_release(&g);
	sqlbuf_release(&b);
	return true;
}
