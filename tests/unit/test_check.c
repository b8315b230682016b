/*
 * test_check.c — the checker, on a small data graph and audiences built by
 * hand (helpers below), so every rule is tested without the parser or the
 * YAML loader.  Each test asserts the exact code, position and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "lang/parse.h"

/* ---- a fixture project ---------------------------------------------------- */

static struct project P;
static struct arena *A;
static struct ast_file *F;

static struct loc L(int line, int col)
{
	struct loc l = { 1, (uint32_t)line, (uint32_t)col, (uint32_t)line, (uint32_t)col + 1 };
	return l;
}

static struct column *cols(size_t n, ...)
{
	struct column *v = arena_alloc(A, n * sizeof(*v));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		v[i].name = va_arg(ap, const char *);
		v[i].type = (enum col_type)va_arg(ap, int);
	}
	va_end(ap);
	return v;
}

static void set_entity(struct entity *e, const char *slug, struct column *c, size_t n)
{
	e->slug = slug;
	e->columns = c;
	e->ncolumns = n;
	e->primary_key = "id";
	e->pk = &c[0];
}

static void set_rel(struct relationship *r, const char *slug, struct entity *e,
		    struct relationship *parent, struct relationship *children, size_t nchildren)
{
	r->slug = r->name = slug;
	r->entity = e;
	r->entity_slug = e->slug;
	r->parent = parent;
	r->children = children;
	r->nchildren = nchildren;
	r->depth = parent ? parent->depth + 1 : 2;
	r->path = parent ? arena_sprintf(A, "%s.%s", parent->path, slug) : slug;
}

/*
 * profile: traits email, ltv, vip, birthday, address{city, zip}
 *   households (household) -> pets (pet), vets (vet)
 *   accounts (account) -> credit_cards (card) -> charges (charge)
 * events: "Order Completed" {total NUMBER, currency STRING}
 */
static void build_graph(struct graph *g)
{
	g->version = 1;
	g->max_depth = 6;
	g->nentities = 6;
	g->entities = arena_alloc(A, g->nentities * sizeof(*g->entities));
	struct entity *household = &g->entities[0], *pet = &g->entities[1], *vet = &g->entities[2];
	struct entity *account = &g->entities[3], *card = &g->entities[4], *charge = &g->entities[5];
	set_entity(household, "household", cols(5, "id", TY_STRING, "owner_email", TY_STRING,
						"city", TY_STRING, "created_at", TY_TIMESTAMP,
						"size", TY_NUMBER), 5);
	set_entity(pet, "pet", cols(7, "id", TY_STRING, "household_id", TY_STRING, "type", TY_STRING,
				    "age", TY_NUMBER, "adopted_on", TY_DATE, "vaccinated", TY_BOOLEAN,
				    "feeding", TY_TIME), 7);
	set_entity(vet, "vet", cols(2, "id", TY_STRING, "name", TY_STRING), 2);
	set_entity(account, "account", cols(3, "id", TY_STRING, "plan", TY_STRING, "balance",
					    TY_NUMBER), 3);
	set_entity(card, "card", cols(3, "id", TY_STRING, "name", TY_STRING, "limit_amount",
				      TY_NUMBER), 3);
	set_entity(charge, "charge", cols(2, "id", TY_STRING, "amount", TY_NUMBER), 2);

	struct profile *pr = &g->profile;
	pr->id = "segment_id";
	pr->ntraits = 5;
	pr->traits = arena_alloc(A, pr->ntraits * sizeof(*pr->traits));
	const char *tn[] = { "email", "ltv", "vip", "birthday", "address" };
	enum col_type tt[] = { TY_STRING, TY_NUMBER, TY_BOOLEAN, TY_DATE, TY_OBJECT };
	for (size_t i = 0; i < pr->ntraits; i++) {
		pr->traits[i].name = pr->traits[i].column = tn[i];
		pr->traits[i].type = tt[i];
	}
	struct trait *addr = &pr->traits[4];
	addr->nprops = 2;
	addr->props = arena_alloc(A, 2 * sizeof(*addr->props));
	addr->props[0].name = "city";
	addr->props[0].type = TY_STRING;
	addr->props[1].name = "zip";
	addr->props[1].type = TY_STRING;

	pr->events.present = true;
	pr->events.ncatalog = 1;
	pr->events.catalog = arena_alloc(A, sizeof(*pr->events.catalog));
	pr->events.catalog[0].name = "Order Completed";
	pr->events.catalog[0].props = cols(2, "total", TY_NUMBER, "currency", TY_STRING);
	pr->events.catalog[0].nprops = 2;

	pr->nrelationships = 2;
	pr->relationships = arena_alloc(A, 2 * sizeof(*pr->relationships));
	struct relationship *hh = &pr->relationships[0], *acc = &pr->relationships[1];
	struct relationship *hkids = arena_alloc(A, 2 * sizeof(*hkids));
	struct relationship *akids = arena_alloc(A, sizeof(*akids));
	struct relationship *ckids = arena_alloc(A, sizeof(*ckids));
	set_rel(hh, "households", household, NULL, hkids, 2);
	set_rel(&hkids[0], "pets", pet, hh, NULL, 0);
	set_rel(&hkids[1], "vets", vet, hh, NULL, 0);
	set_rel(acc, "accounts", account, NULL, akids, 1);
	set_rel(&akids[0], "credit_cards", card, acc, ckids, 1);
	set_rel(&ckids[0], "charges", charge, &akids[0], NULL, 0);
}

static int setup(void **state)
{
	(void)state;
	project_init(&P);
	A = &P.arena;
	const char *text = "# test\n";
	source_add(&P.sources, "a.lac", xstrdup(text), strlen(text));
	build_graph(&P.graph);
	P.graph_ok = true;
	P.ndestinations = 2;
	P.destinations = arena_alloc(A, 2 * sizeof(*P.destinations));
	P.destinations[0].name = "events_file";
	P.destinations[0].type = "file";
	P.destinations[0].supports_values_changed = true;
	P.destinations[1].name = "screen";
	P.destinations[1].type = "stdout";
	P.destinations[1].supports_values_changed = false;
	F = ARENA_NEW(A, struct ast_file);
	F->path = "a.lac";
	F->file_id = 1;
	P.nfiles = 1;
	P.files = arena_alloc(A, sizeof(*P.files));
	P.files[0] = F;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	project_release(&P);
	return 0;
}

/* ---- AST builders ------------------------------------------------------------ */

static struct ast_audience *audience(const char *name, int line, struct ast_expr *where)
{
	struct ast_audience *a = ARENA_NEW(A, struct ast_audience);
	a->name = name;
	a->loc = a->name_loc = L(line, 10);
	a->where = where;
	a->enabled = -1;
	a->file = F;
	ARENA_PUSH(A, F->audiences, F->naudiences, a);
	return a;
}

static struct path mkpath(const char *dotted, int line, int col)
{
	struct path p;
	memset(&p, 0, sizeof(p));
	char *s = arena_strdup(A, dotted);
	p.loc = L(line, col);
	p.loc.end_col = (uint32_t)(col + (int)strlen(dotted));
	p.parts = arena_alloc(A, 8 * sizeof(*p.parts));
	p.part_locs = arena_alloc(A, 8 * sizeof(*p.part_locs));
	for (char *tok = s; tok;) {
		char *dot = strchr(tok, '.');
		if (dot)
			*dot = '\0';
		p.part_locs[p.n] = L(line, col + (int)(tok - s));
		p.part_locs[p.n].end_col = p.part_locs[p.n].col + (uint32_t)strlen(tok);
		p.parts[p.n++] = tok;
		tok = dot ? dot + 1 : NULL;
	}
	return p;
}

static struct ast_expr *node(enum expr_kind k, int line)
{
	struct ast_expr *e = ARENA_NEW(A, struct ast_expr);
	e->kind = k;
	e->loc = L(line, 5);
	return e;
}

static struct ast_expr *items(enum expr_kind k, int line, size_t n, ...)
{
	struct ast_expr *e = node(k, line);
	e->items = arena_alloc(A, (n + 1) * sizeof(*e->items));
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		e->items[i] = va_arg(ap, struct ast_expr *);
	va_end(ap);
	e->nitems = n;
	return e;
}
#define BLOCK(line, ...) items(EX_BLOCK, line, sizeof((struct ast_expr *[]){ __VA_ARGS__ }) / sizeof(struct ast_expr *), __VA_ARGS__)
#define EMPTY_BLOCK(line) items(EX_BLOCK, line, 0)

static struct ast_expr *entity(const char *path, int line, struct ast_expr *block)
{
	struct ast_expr *e = node(EX_ENTITY, line);
	e->path = mkpath(path, line, 17);
	e->block = block;
	return e;
}

static struct ast_expr *not_(struct ast_expr *x)
{
	struct ast_expr *e = node(EX_NOT, x->loc.line);
	e->lhs = x;
	return e;
}

static struct literal lit(enum lit_kind k, const char *text, int line, int col)
{
	struct literal l;
	memset(&l, 0, sizeof(l));
	l.kind = k;
	l.text = text;
	l.boolean = str_eq(text, "true");
	l.loc = L(line, col);
	return l;
}

static struct predicate *pred(enum pred_kind k, int line)
{
	struct predicate *p = ARENA_NEW(A, struct predicate);
	p->kind = k;
	p->loc = L(line, 20);
	return p;
}

static struct predicate *cmp(enum cmp_op op, enum lit_kind k, const char *text, int line)
{
	struct predicate *p = pred(PRED_CMP, line);
	p->cmp = op;
	p->rhs.lit = lit(k, text, line, 25);
	p->rhs.loc = p->rhs.lit.loc;
	return p;
}

static struct predicate *cmp_ref(enum pred_kind kind, enum cmp_op op, const char *ref, int line)
{
	struct predicate *p = pred(kind, line);
	p->cmp = op;
	p->rhs.loc = L(line, 25);
	if (str_starts(ref, "trait.")) {
		struct path tp = mkpath(ref + 6, line, 31);
		p->rhs.ref = REF_TRAIT;
		p->rhs.trait_path = tp.parts;
		p->rhs.ntrait_path = tp.n;
	} else {
		struct path tp = mkpath(ref, line, 25);
		p->rhs.ref = REF_COLUMN;
		p->rhs.slug = tp.parts[0];
		p->rhs.column = tp.parts[1];
	}
	return p;
}

static struct ast_expr *column(const char *name, struct predicate *p, int line)
{
	struct ast_expr *e = node(EX_COLUMN, line);
	e->column = name;
	e->column_loc = L(line, 9);
	e->pred = p;
	return e;
}

static struct ast_expr *trait(const char *path, struct predicate *p, int line)
{
	struct ast_expr *e = node(EX_TRAIT, line);
	e->path = mkpath(path, line, 16);
	e->pred = p;
	return e;
}

static struct ast_expr *event(const char *name, int line, struct ast_expr *block)
{
	struct ast_expr *e = node(EX_EVENT, line);
	e->event_name = name;
	e->event_name_loc = L(line, 16);
	e->block = block;
	return e;
}

static struct ast_expr *part_of(const char *name, int line)
{
	struct ast_expr *e = node(EX_AUDIENCE, line);
	e->audience = name;
	e->audience_loc = L(line, 23);
	return e;
}

static struct ast_activation *activation(struct ast_audience *a, const char *name, int line,
					 const char *dest, enum trigger_kind t, const char *tpath)
{
	struct ast_activation *act = ARENA_NEW(A, struct ast_activation);
	act->name = name;
	act->loc = act->name_loc = L(line, 14);
	act->destination = dest;
	act->destination_loc = L(line + 1, 17);
	act->trigger = t;
	act->trigger_loc = L(line + 2, 17);
	if (tpath)
		act->trigger_path = mkpath(tpath, line + 2, 30);
	act->enabled = -1;
	ARENA_PUSH(A, a->activations, a->nactivations, act);
	return act;
}

/* ---- assertions -------------------------------------------------------------- */

static size_t run(void)
{
	return check_project(&P);
}

/* Exactly one diagnostic with this code, at line:col, with this message. */
static const struct diag *expect(enum diag_code code, int line, int col, const char *msg)
{
	const struct diag *found = NULL;
	for (size_t i = 0; i < P.diags.n; i++) {
		const struct diag *g = &P.diags.items[i];
		if (g->code != code)
			continue;
		if (g->loc.line == (uint32_t)line && g->loc.col == (uint32_t)col && str_eq(g->message, msg))
			found = g;
	}
	if (!found) {
		for (size_t i = 0; i < P.diags.n; i++)
			fprintf(stderr, "  have: %s %u:%u %s\n", diag_code_name(P.diags.items[i].code),
				P.diags.items[i].loc.line, P.diags.items[i].loc.col, P.diags.items[i].message);
		fail_msg("missing %s %d:%d %s", diag_code_name(code), line, col, msg);
	}
	return found;
}

static void expect_hint(const struct diag *g, const char *hint)
{
	for (size_t i = 0; i < g->nhints; i++)
		if (str_eq(g->hints[i], hint))
			return;
	for (size_t i = 0; i < g->nhints; i++)
		fprintf(stderr, "  hint: %s\n", g->hints[i]);
	fail_msg("missing hint: %s", hint);
}

static void expect_count(size_t errors, size_t warnings)
{
	if (P.diags.nerrors != errors || P.diags.nwarnings != warnings) {
		for (size_t i = 0; i < P.diags.n; i++)
			fprintf(stderr, "  have: %s %u:%u %s\n", diag_code_name(P.diags.items[i].code),
				P.diags.items[i].loc.line, P.diags.items[i].loc.col, P.diags.items[i].message);
	}
	assert_int_equal(P.diags.nerrors, errors);
	assert_int_equal(P.diags.nwarnings, warnings);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_valid_audience_fills_sema(void **state)
{
	(void)state;
	struct ast_expr *type_eq = column("type", cmp(CMP_EQ, LIT_STRING, "cat", 3), 3);
	struct ast_expr *pets = entity("households.pets", 2, BLOCK(2, type_eq));
	struct ast_expr *vip = trait("vip", cmp(CMP_EQ, LIT_BOOL, "true", 4), 4);
	struct ast_expr *where = BLOCK(1, pets, not_(vip));
	struct ast_audience *a = audience("cats", 1, where);
	struct ast_activation *act = activation(a, "welcome", 10, "events_file", TRIG_ENTITY_ADDED,
						"households.pets");
	assert_int_equal(run(), 0);
	expect_count(0, 0);
	assert_true(a->ok);
	assert_int_equal(a->nexprs, 6);
	assert_int_equal(where->id, 1);
	assert_int_equal(pets->id, 2);
	assert_int_equal(type_eq->id, 4);
	assert_int_equal(vip->id, 6);
	assert_int_equal(pets->nrels, 2);
	assert_string_equal(pets->rels[1]->path, "households.pets");
	assert_null(pets->scope);
	assert_ptr_equal(type_eq->scope, pets);
	assert_string_equal(type_eq->col->name, "type");
	assert_true(pets->positive);
	assert_false(vip->positive);
	assert_string_equal(vip->trait->name, "vip");
	assert_ptr_equal(act->dest, &P.destinations[0]);
	assert_int_equal(act->ntrigger_rels, 2);
	assert_string_equal(act->trigger_rels[0]->slug, "households");
	assert_string_equal(act->trigger_rels[1]->slug, "pets");
}

static void test_unknown_relationship(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1, entity("housholds", 2, NULL), entity("pets", 3, NULL),
			       entity("households.pest", 4, NULL)));
	run();
	const struct diag *g = expect(DIAG_E300, 2, 17,
		"Entity relationship not in Data Graph for relationship: housholds");
	expect_hint(g, "did you mean 'households'?");
	g = expect(DIAG_E301, 3, 17,
		   "Entity relationship not in Data Graph for entity: profile and relationship: pets");
	expect_hint(g, "'pets' is the relationship households.pets");
	g = expect(DIAG_E300, 4, 28, "Entity relationship not in Data Graph for relationship: pest");
	expect_hint(g, "did you mean 'pets'?");
	expect_count(3, 0);
	assert_false(F->audiences[0]->ok);
}

static void test_relationship_not_under_entity(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1, entity("households", 2, BLOCK(2, entity("credit_cards", 3, NULL)))));
	run();
	expect(DIAG_E301, 3, 17,
	       "Entity relationship not in Data Graph for entity: household and relationship: credit_cards");
	expect_count(1, 0);
}

static void test_missing_column(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1, entity("households.pets", 2,
		BLOCK(2, column("typ", cmp(CMP_EQ, LIT_STRING, "cat", 3), 3)))));
	run();
	const struct diag *g = expect(DIAG_E201, 3, 9,
		"Entity column missing from Data Graph for Entity pet and Column: typ");
	expect_hint(g, "did you mean 'type'?");
	expect_count(1, 0);
}

static void test_depth(void **state)
{
	(void)state;
	P.graph.max_depth = 3;
	audience("a", 1, BLOCK(1, entity("accounts.credit_cards.charges", 2, NULL),
			       entity("households.pets", 3, NULL)));
	run();
	const struct diag *g = expect(DIAG_E302, 2, 17,
		"'accounts.credit_cards.charges' reaches depth 4, deeper than limits.max_depth (3)");
	expect_hint(g, "depth counts the profile as level 1");
	expect_count(1, 0);
}

static void test_operators_by_type(void **state)
{
	(void)state;
	struct predicate *contains = pred(PRED_CONTAINS, 3);
	contains->rhs.lit = lit(LIT_STRING, "1", 3, 30);
	struct predicate *lt = cmp(CMP_LT, LIT_BOOL, "true", 4);
	struct predicate *within = pred(PRED_WITHIN_LAST, 5);
	within->amount = 3;
	within->unit = UNIT_DAY;
	struct predicate *in = pred(PRED_IN, 6);
	in->nlist = 1;
	in->list = arena_alloc(A, sizeof(*in->list));
	in->list[0] = lit(LIT_BOOL, "true", 6, 25);
	struct predicate *starts = pred(PRED_STARTS_WITH, 7);
	starts->rhs.lit = lit(LIT_STRING, "c", 7, 30);
	audience("a", 1, BLOCK(1, entity("households.pets", 2, BLOCK(2,
		column("age", contains, 3),
		column("vaccinated", lt, 4),
		column("feeding", within, 5),
		column("vaccinated", in, 6),
		column("type", starts, 7)))));
	run();
	const struct diag *g = expect(DIAG_E303, 3, 20, "operator 'contains' is not defined for NUMBER column 'age'");
	expect_hint(g, "NUMBER supports = != < > <= >= in, not in, between, is null, is not null");
	expect(DIAG_E303, 4, 20, "operator '<' is not defined for BOOLEAN column 'vaccinated'");
	expect(DIAG_E303, 5, 20, "operator 'within last' is not defined for TIME column 'feeding'");
	g = expect(DIAG_E303, 6, 20, "operator 'in' is not defined for BOOLEAN column 'vaccinated'");
	expect_hint(g, "BOOLEAN supports = != is null, is not null");
	expect_count(4, 0);
}

static void test_literal_types(void **state)
{
	(void)state;
	struct predicate *between = pred(PRED_BETWEEN, 5);
	between->lo = lit(LIT_NUMBER, "10", 5, 28);
	between->hi = lit(LIT_NUMBER, "2", 5, 35);
	audience("a", 1, BLOCK(1, entity("households", 2, BLOCK(2,
		column("size", cmp(CMP_GT, LIT_STRING, "3", 3), 3),
		column("created_at", cmp(CMP_GT, LIT_DATE, "2025-01-31", 4), 4),
		column("size", between, 5))),
		entity("households.pets", 6, BLOCK(6,
		column("adopted_on", cmp(CMP_EQ, LIT_STRING, "2024-05-01", 7), 7)))));
	run();
	const struct diag *g = expect(DIAG_E304, 3, 25, "NUMBER column 'size' cannot be compared with a STRING literal");
	expect_hint(g, "write a NUMBER literal, such as 42 (without quotes)");
	g = expect(DIAG_E304, 4, 25, "TIMESTAMP column 'created_at' cannot be compared with a DATE literal");
	expect_hint(g, "write timestamp \"2025-01-31T00:00:00Z\"");
	g = expect(DIAG_E319, 5, 20, "between 10 and 2 matches nothing: the first bound is greater than the second");
	expect_hint(g, "write between 2 and 10");
	g = expect(DIAG_E304, 7, 25, "DATE column 'adopted_on' cannot be compared with a STRING literal");
	expect_hint(g, "write date \"2024-05-01\"");
	expect_count(4, 0);
}

static void test_relative_time_units(void **state)
{
	(void)state;
	struct predicate *hours = pred(PRED_WITHIN_LAST, 3);
	hours->amount = 5;
	hours->unit = UNIT_HOUR;
	struct predicate *days = pred(PRED_BEFORE_LAST, 4);
	days->amount = 1;
	days->unit = UNIT_WEEK;
	struct ast_expr *ev = event("Order Completed", 5, NULL);
	ev->window.kind = WIN_BETWEEN_AGO;
	ev->window.a = 30;
	ev->window.b = 7;
	ev->window.unit = UNIT_DAY;
	ev->window.loc = L(5, 40);
	audience("a", 1, BLOCK(1, entity("households.pets", 2, BLOCK(2,
		column("adopted_on", hours, 3), column("adopted_on", days, 4))), ev));
	run();
	const struct diag *g = expect(DIAG_E315, 3, 20, "unit 'hours' is not valid for DATE column 'adopted_on'");
	expect_hint(g, "a DATE has no time of day: use days or weeks");
	g = expect(DIAG_E315, 5, 40,
		   "between 30 and 7 days ago: the first number must not be greater than the second");
	expect_hint(g, "write between 7 and 30 days ago");
	expect_count(2, 0);
}

static void test_scopes(void **state)
{
	(void)state;
	audience("b", 9, NULL);
	audience("a", 1, BLOCK(1,
		column("city", cmp(CMP_EQ, LIT_STRING, "Paris", 2), 2),
		column("email", cmp(CMP_EQ, LIT_STRING, "x", 3), 3),
		entity("households", 4, BLOCK(4,
			trait("vip", NULL, 5),
			event("Order Completed", 6, NULL),
			part_of("b", 7))),
		event("Order Completed", 8, BLOCK(8, entity("households", 8, NULL)))));
	run();
	const struct diag *g = expect(DIAG_E308, 2, 5, "column 'city' is not in an entity scope");
	expect_hint(g, "column conditions go inside a 'with entity' or 'with event' block");
	g = expect(DIAG_E308, 3, 5, "column 'email' is not in an entity scope");
	expect_hint(g, "for the profile trait, write 'with trait email ...'");
	g = expect(DIAG_E308, 5, 5, "trait conditions are allowed only at the top level of where");
	expect_hint(g, "move it out of the 'with entity' block");
	expect(DIAG_E308, 6, 5, "event conditions are allowed only at the top level of where");
	expect(DIAG_E308, 7, 5, "part of audience conditions are allowed only at the top level of where");
	expect(DIAG_E308, 8, 5, "entity conditions are not allowed in an event block");
	expect_count(6, 0);
}

static void test_any_all_not_at_top_level(void **state)
{
	(void)state;
	audience("b", 9, NULL);
	audience("a", 1, BLOCK(1, items(EX_ANY, 2, 2, trait("vip", NULL, 2), not_(part_of("b", 3))),
			       items(EX_ALL, 4, 1, event("Order Completed", 4, NULL))));
	run();
	expect_count(0, 0);
	assert_false(F->audiences[1]->where->items[0]->items[1]->lhs->positive);
	assert_ptr_equal(F->audiences[1]->where->items[0]->items[1]->lhs->ref, F->audiences[0]);
	assert_int_equal(F->audiences[1]->nrefs, 1);
}

static void test_traits(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1,
		trait("emial", NULL, 2),
		trait("email.domain", NULL, 3),
		trait("address.cty", NULL, 4),
		trait("address", cmp(CMP_EQ, LIT_STRING, "x", 5), 5),
		trait("address.city", cmp(CMP_EQ, LIT_STRING, "Paris", 6), 6)));
	run();
	const struct diag *g = expect(DIAG_E309, 2, 16, "trait 'emial' is not declared in the data graph");
	expect_hint(g, "did you mean 'email'?");
	expect(DIAG_E309, 3, 22, "trait 'email' is STRING and has no properties");
	g = expect(DIAG_E309, 4, 24, "trait 'address' has no property 'cty'");
	expect_hint(g, "did you mean 'city'?");
	expect(DIAG_E303, 5, 20, "operator '=' is not defined for OBJECT trait 'address'");
	expect_count(4, 0);
	struct ast_expr *ok = F->audiences[0]->where->items[4];
	assert_string_equal(ok->trait->name, "city");
	assert_string_equal(ok->trait_root->name, "address");
}

/* E320: a trait path of more keys inside JSON than Redshift's
 * JSON_EXTRACT_PATH_TEXT reads (5), on a Redshift project and for another
 * warehouse's project compiled for Redshift; any depth elsewhere. */
static void test_json_depth(void **state)
{
	(void)state;
	/* address.geo.a.b.c.d.e: geo..d are objects, e a number */
	struct trait *addr = &P.graph.profile.traits[4];
	struct trait *props = arena_alloc(A, 3 * sizeof(*props));
	memcpy(props, addr->props, 2 * sizeof(*props));
	const char *names[] = { "geo", "a", "b", "c", "d", "e" };
	struct trait *t = &props[2];
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		memset(t, 0, sizeof(*t));
		t->name = names[i];
		t->type = i + 1 < ARRAY_LEN(names) ? TY_OBJECT : TY_NUMBER;
		if (i + 1 < ARRAY_LEN(names)) {
			t->nprops = 1;
			t->props = arena_alloc(A, sizeof(*t->props));
			t = t->props;
		}
	}
	addr->props = props;
	addr->nprops = 3;
	struct ast_audience *five = audience("five", 1, BLOCK(1, trait("address.geo.a.b.c.d", NULL, 2)));
	struct ast_audience *six = audience("six", 3, BLOCK(3,
		trait("address.geo.a.b.c.d.e", cmp(CMP_GT, LIT_NUMBER, "3", 4), 4)));
	const char *msg = "trait path 'address.geo.a.b.c.d.e' reads 6 keys inside JSON; "
			  "Redshift's JSON_EXTRACT_PATH_TEXT reads at most 5";

	P.warehouse.type = WH_POSTGRES;
	run();
	expect_count(0, 0);
	assert_int_equal(check_warehouse_limits(&P, WH_POSTGRES), 0);
	assert_int_equal(check_warehouse_limits(&P, WH_BIGQUERY), 0);
	assert_int_equal(check_warehouse_limits(&P, WH_REDSHIFT), 1);
	expect(DIAG_E320, 4, 16, msg);

	/* a Redshift project: lac check reports it, and the audience is not ok */
	P.warehouse.type = WH_REDSHIFT;
	size_t before = P.diags.nerrors;
	run();
	assert_int_equal(P.diags.nerrors - before, 1);
	assert_true(five->ok);
	assert_false(six->ok);
	assert_int_equal(check_warehouse_limits(&P, WH_REDSHIFT), 0); /* checked already */

	assert_int_equal(check_json_key_limit(WH_REDSHIFT), 5);
	assert_int_equal(check_json_key_limit(WH_SNOWFLAKE), 0);
	assert_int_equal(check_json_key_limit(WH_SQLITE), 0);
}

static void test_events(void **state)
{
	(void)state;
	struct ast_expr *good = event("Order Completed", 2, BLOCK(2,
		column("total", cmp(CMP_GT, LIT_NUMBER, "50", 3), 3),
		column("totl", cmp(CMP_GT, LIT_NUMBER, "50", 4), 4)));
	struct ast_expr *unknown = event("Order Complete", 5, BLOCK(5,
		column("total", cmp(CMP_GT, LIT_NUMBER, "50", 6), 6)));
	audience("a", 1, BLOCK(1, good, unknown));
	run();
	const struct diag *g = expect(DIAG_E310, 4, 9,
		"event property 'totl' is not declared for event \"Order Completed\"");
	expect_hint(g, "did you mean 'total'?");
	g = expect(DIAG_W001, 5, 16, "event \"Order Complete\" is not in the events catalog");
	expect_hint(g, "did you mean 'Order Completed'?");
	expect(DIAG_E310, 6, 9, "event property 'total' is not declared for event \"Order Complete\"");
	expect_count(2, 1);
	assert_true(good->block->items[0]->event_prop);
	assert_string_equal(good->block->items[0]->col->name, "total");
	assert_string_equal(good->event->name, "Order Completed");
	assert_ptr_equal(good->block->items[0]->scope, good);
}

static void test_references(void **state)
{
	(void)state;
	struct ast_expr *ok1 = column("name", cmp_ref(PRED_CMP, CMP_EQ, "accounts.plan", 4), 4);
	struct ast_expr *ok2 = column("limit_amount", cmp_ref(PRED_CMP, CMP_LT, "trait.ltv", 5), 5);
	audience("a", 1, BLOCK(1,
		entity("accounts", 2, BLOCK(2,
			entity("credit_cards", 3, BLOCK(3, ok1, ok2,
				column("name", cmp_ref(PRED_CMP, CMP_EQ, "households.city", 6), 6),
				column("name", cmp_ref(PRED_CMP, CMP_EQ, "trait.ltv", 7), 7),
				column("limit_amount", cmp_ref(PRED_IN, CMP_EQ, "accounts.balance", 8), 8),
				column("name", cmp_ref(PRED_CMP, CMP_LT, "accounts.plan", 9), 9),
				column("name", cmp_ref(PRED_CMP, CMP_EQ, "accounts.pln", 10), 10))))),
		entity("households.pets", 11, BLOCK(11,
			column("type", cmp_ref(PRED_CMP, CMP_EQ, "households.city", 12), 12))),
		event("Order Completed", 13, BLOCK(13,
			column("currency", cmp_ref(PRED_CMP, CMP_EQ, "trait.email", 14), 14),
			column("currency", cmp_ref(PRED_CMP, CMP_EQ, "accounts.plan", 15), 15)))));
	run();
	const struct diag *g = expect(DIAG_E314, 6, 25, "'households' is not an entity in scope here");
	expect_hint(g, "entities in scope here: credit_cards, accounts");
	expect(DIAG_E304, 7, 25, "STRING column 'name' cannot be compared with NUMBER trait 'ltv'");
	/* in is not defined with a reference operand: the parser never builds it, so
	 * PRED_IN here only checks the literal list (empty) */
	g = expect(DIAG_E303, 9, 20, "operator '<' is not defined for STRING column 'name'");
	g = expect(DIAG_E201, 10, 25, "Entity column missing from Data Graph for Entity account and Column: pln");
	expect_hint(g, "did you mean 'plan'?");
	g = expect(DIAG_E314, 12, 25, "'households' is not an entity in scope here");
	expect_hint(g, "entities in scope here: pets");
	g = expect(DIAG_E314, 15, 25, "'accounts.plan': an event block can reference only traits");
	expect_count(6, 0);
	assert_ptr_equal(ok1->pred->rhs.scope, F->audiences[0]->where->items[0]);
	assert_string_equal(ok1->pred->rhs.col->name, "plan");
	assert_int_equal(ok1->pred->rhs.type, TY_STRING);
	assert_string_equal(ok2->pred->rhs.trait->name, "ltv");
}

static void test_reference_operators(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1, entity("households.pets", 2, BLOCK(2,
		column("type", cmp_ref(PRED_CONTAINS, CMP_EQ, "trait.email", 3), 3),
		column("vaccinated", cmp_ref(PRED_CMP, CMP_EQ, "trait.vip", 4), 4),
		column("age", cmp_ref(PRED_CMP, CMP_GE, "trait.ltv", 5), 5),
		column("adopted_on", cmp_ref(PRED_CMP, CMP_NE, "trait.birthday", 6), 6)))));
	run();
	const struct diag *g = expect(DIAG_E303, 4, 20,
		"operator '=' cannot take a reference for BOOLEAN column 'vaccinated'");
	expect_hint(g, "BOOLEAN values cannot be compared with a reference");
	expect_count(1, 0);
}

static void test_entity_target(void **state)
{
	(void)state;
	struct ast_audience *a = audience("accts", 1, BLOCK(1,
		column("plan", cmp(CMP_EQ, LIT_STRING, "enterprise", 2), 2),
		entity("credit_cards", 3, BLOCK(3,
			column("name", cmp_ref(PRED_CMP, CMP_EQ, "accounts.plan", 4), 4),
			column("name", cmp_ref(PRED_CMP, CMP_EQ, "trait.email", 5), 5))),
		trait("vip", cmp(CMP_EQ, LIT_BOOL, "true", 6), 6),
		part_of("profile_aud", 7)));
	a->target = TARGET_ENTITY;
	a->target_path = mkpath("accounts", 1, 30);
	audience("profile_aud", 20, NULL);
	struct ast_audience *b = audience("bad_target", 21, NULL);
	b->target = TARGET_ENTITY;
	b->target_path = mkpath("credit_cards", 21, 30);
	struct ast_audience *c = audience("bad_target2", 22, NULL);
	c->target = TARGET_ENTITY;
	c->target_path = mkpath("accounts.pets", 22, 30);
	run();
	const struct diag *g = expect(DIAG_E314, 5, 25,
		"trait.email cannot be used in an entity scope of an entity-targeted audience");
	expect_hint(g, "it would not say which associated profile is meant");
	g = expect(DIAG_E313, 7, 23,
		   "audience 'profile_aud' targets the profile, but this audience targets accounts");
	g = expect(DIAG_E301, 21, 30,
		   "Entity relationship not in Data Graph for entity: profile and relationship: credit_cards");
	expect_hint(g, "write the whole path: target entity accounts.credit_cards");
	expect(DIAG_E301, 22, 39,
	       "Entity relationship not in Data Graph for entity: account and relationship: pets");
	expect_count(4, 0);
	assert_int_equal(a->ntarget_rels, 1);
	assert_string_equal(a->where->items[0]->col->name, "plan");
	assert_string_equal(a->where->items[1]->rels[0]->path, "accounts.credit_cards");
}

static void test_counts_and_having(void **state)
{
	(void)state;
	struct ast_expr *e1 = entity("households", 2, NULL);
	e1->count = (struct count_spec){ COUNT_AT_LEAST, 0, L(2, 30) };
	struct ast_expr *e2 = entity("households.pets", 3, BLOCK(3,
		column("type", cmp(CMP_EQ, LIT_STRING, "cat", 3), 3)));
	e2->count = (struct count_spec){ COUNT_EXACTLY, 0, L(3, 30) };
	struct ast_expr *e3 = entity("households.pets", 4, NULL);
	e3->count = (struct count_spec){ COUNT_AT_MOST, 0, L(4, 30) };
	struct ast_expr *e4 = entity("households.pets", 5, NULL);
	e4->having = (struct having){ .present = true, .agg = AGG_SUM, .column = "type",
				      .column_loc = L(5, 40), .value = lit(LIT_NUMBER, "3", 5, 50) };
	struct ast_expr *e5 = entity("households.pets", 6, NULL);
	e5->having = (struct having){ .present = true, .agg = AGG_MAX, .column = "adopted_on",
				      .column_loc = L(6, 40), .value = lit(LIT_NUMBER, "3", 6, 50) };
	struct ast_expr *e6 = entity("households.pets", 7, NULL);
	e6->having = (struct having){ .present = true, .agg = AGG_COUNT, .cmp = CMP_GT,
				      .value = lit(LIT_STRING, "3", 7, 50) };
	struct ast_expr *e7 = event("Order Completed", 8, NULL);
	e7->having = (struct having){ .present = true, .agg = AGG_AVG, .column = "total",
				      .column_loc = L(8, 40), .value = lit(LIT_NUMBER, "3", 8, 50) };
	e7->count = (struct count_spec){ COUNT_EXACTLY, 0, L(8, 30) };
	struct ast_expr *e8 = event("Order Completed", 9, NULL);
	e8->having = (struct having){ .present = true, .agg = AGG_MIN, .column = "currenc",
				      .column_loc = L(9, 40), .value = lit(LIT_NUMBER, "3", 9, 50) };
	audience("a", 1, BLOCK(1, e1, e2, e3, e4, e5, e6, e7, e8));
	run();
	const struct diag *g = expect(DIAG_E306, 2, 30, "'at least 0' is always true: at least takes 1 or more");
	g = expect(DIAG_E307, 3, 30,
		   "When filtering by 0, you can't additionally filter on entity properties or nested entities.");
	expect_hint(g, "use 'without entity households.pets { ... }' to ask for none that match");
	expect(DIAG_E305, 5, 40, "sum() needs a NUMBER column, but 'type' is STRING");
	g = expect(DIAG_E304, 6, 50, "max() is DATE and cannot be compared with a NUMBER literal");
	expect_hint(g, "write a DATE literal, such as date \"2025-01-31\"");
	expect(DIAG_E304, 7, 50, "count() is NUMBER and cannot be compared with a STRING literal");
	g = expect(DIAG_E307, 8, 30,
		   "When filtering by 0, you can't additionally filter on event properties or nested entities.");
	expect_hint(g, "use 'without event \"Order Completed\" { ... }' to ask for none that match");
	expect(DIAG_E310, 9, 40, "event property 'currenc' is not declared for event \"Order Completed\"");
	expect_count(7, 0);
	assert_string_equal(e7->having.col->name, "total");
}

static void test_names_and_cycles(void **state)
{
	(void)state;
	audience("a", 1, BLOCK(1, part_of("b", 2)));
	audience("b", 3, BLOCK(3, part_of("c", 4)));
	audience("c", 5, BLOCK(5, part_of("a", 6), part_of("chrned", 7)));
	audience("a", 8, NULL);
	audience("churned", 9, BLOCK(9, part_of("churned", 10)));
	run();
	const struct diag *g = expect(DIAG_E316, 8, 10, "duplicate audience name 'a'");
	expect_hint(g, "audience 'a' is first defined at a.lac:1");
	g = expect(DIAG_E312, 6, 23, "The audience would create a cycle by referencing another audience");
	expect_hint(g, "cycle: a -> b -> c -> a");
	g = expect(DIAG_E311, 7, 23, "audience 'chrned' does not exist");
	expect_hint(g, "did you mean 'churned'?");
	g = expect(DIAG_E312, 10, 23, "The audience would create a cycle by referencing another audience");
	expect_hint(g, "cycle: churned -> churned");
	expect_count(4, 0);
}

static void test_schedules(void **state)
{
	(void)state;
	struct ast_audience *a = audience("a", 1, NULL);
	a->schedule = (struct schedule){ .kind = SCHED_EVERY, .every = 3, .unit = UNIT_HOUR, .loc = L(2, 12) };
	struct ast_audience *b = audience("b", 3, NULL);
	b->schedule = (struct schedule){ .kind = SCHED_AT, .hour = 24, .minute = 0, .days = 1, .loc = L(4, 12) };
	struct ast_audience *c = audience("c", 5, NULL);
	c->schedule = (struct schedule){ .kind = SCHED_EVERY, .every = 60, .unit = UNIT_MINUTE, .loc = L(6, 12) };
	run();
	const struct diag *g = expect(DIAG_E400, 2, 12, "schedule 'every 3 hours' is not supported");
	expect_hint(g, "every takes 15 minutes, 30 minutes, 1, 2, 4, 6, 8 or 12 hours, or 1 day");
	expect(DIAG_E400, 4, 12, "schedule time 24:00 is out of range");
	expect_count(2, 0);
}

static void test_activations(void **state)
{
	(void)state;
	struct ast_audience *a = audience("cats", 1, BLOCK(1,
		entity("households.pets", 2, NULL),
		not_(entity("accounts", 3, NULL)),
		entity("households", 4, BLOCK(4, entity("vets", 4, NULL)))));
	activation(a, "x1", 10, "event_file", TRIG_PROFILE_ENTERED, NULL);
	activation(a, "x2", 20, "events_file", TRIG_ENTITY_ADDED, "pets");
	activation(a, "x3", 30, "events_file", TRIG_ENTITY_REMOVED, "accounts");
	activation(a, "x4", 40, "events_file", TRIG_ENTITY_ENTERED, NULL);
	struct ast_activation *x5 = activation(a, "x5", 50, "events_file", TRIG_PROFILE_EXITED, NULL);
	x5->send_current = true;
	x5->send_current_loc = L(53, 5);
	activation(a, "x6", 60, "screen", TRIG_MEMBERSHIP_OR_VALUES_CHANGED, NULL);
	activation(a, "x7", 70, NULL, TRIG_NONE, NULL);
	activation(a, "x1", 80, "events_file", TRIG_PROFILE_ENTERED, NULL);
	struct ast_activation *ok = activation(a, "x9", 90, "events_file", TRIG_ENTITY_ADDED,
					       "households.vets");
	run();
	const struct diag *g = expect(DIAG_E401, 11, 17, "destination 'event_file' is not declared in lac.yaml");
	expect_hint(g, "did you mean 'events_file'?");
	g = expect(DIAG_E402, 22, 30, "'pets' is not the path of a 'with entity' condition of audience 'cats'");
	expect_hint(g, "paths this audience can trigger on (written from the profile): households.pets, households, households.vets");
	g = expect(DIAG_E402, 32, 30, "'accounts' is not the path of a 'with entity' condition of audience 'cats'");
	expect_hint(g, "'accounts' appears only under not or without, where it matches no entity");
	expect(DIAG_E403, 42, 17, "trigger 'entity entered' is only for entity-targeted audiences");
	expect(DIAG_E404, 53, 5, "send current cannot be used with trigger 'profile exited'");
	expect(DIAG_E405, 62, 17, "destination 'screen' (type stdout) does not support 'membership or values changed'");
	expect(DIAG_E407, 70, 14, "activation 'x7' has no destination");
	expect(DIAG_E407, 70, 14, "activation 'x7' has no trigger");
	g = expect(DIAG_E316, 80, 14, "duplicate activation name 'x1'");
	expect_hint(g, "activation 'x1' is first defined at a.lac:10");
	expect_count(9, 0);
	assert_int_equal(ok->ntrigger_rels, 2);
	assert_string_equal(ok->trigger_rels[1]->path, "households.vets");
}

static void test_entity_trigger_on_entity_audience(void **state)
{
	(void)state;
	struct ast_audience *a = audience("accts", 1, NULL);
	a->target = TARGET_ENTITY;
	a->target_path = mkpath("accounts", 1, 30);
	activation(a, "x1", 10, "events_file", TRIG_PROFILE_ENTERED, NULL);
	activation(a, "x2", 20, "events_file", TRIG_ENTITY_ENTERED, NULL);
	/* an Identify would send the entity's key as a profile id */
	activation(a, "x3", 30, "events_file", TRIG_MEMBERSHIP_CHANGED, NULL);
	activation(a, "x4", 40, "screen", TRIG_MEMBERSHIP_OR_VALUES_CHANGED, NULL);
	run();
	const struct diag *g = expect(DIAG_E403, 12, 17, "trigger 'profile entered' is only for audiences that target the profile");
	expect_hint(g, "an entity-targeted audience uses 'entity entered' or 'entity exited'");
	g = expect(DIAG_E403, 32, 17, "trigger 'membership changed' is only for audiences that target the profile");
	expect_hint(g, "an entity-targeted audience uses 'entity entered' or 'entity exited'");
	/* one error: not also E405 for the stdout destination */
	expect(DIAG_E403, 42, 17, "trigger 'membership or values changed' is only for audiences that target the profile");
	expect_count(3, 0);
}

static void test_enrich_and_map(void **state)
{
	(void)state;
	struct ast_audience *a = audience("cats", 1, BLOCK(1, entity("households.pets", 2, NULL)));
	struct ast_activation *act = activation(a, "x", 10, "events_file", TRIG_ENTITY_ADDED,
						"households.pets");
	act->nenrich_traits = 2;
	act->enrich_traits = arena_alloc(A, 2 * sizeof(char *));
	act->enrich_traits[0] = "email";
	act->enrich_traits[1] = "ltvv";
	act->enrich_trait_locs = arena_alloc(A, 2 * sizeof(struct loc));
	act->enrich_trait_locs[0] = L(13, 20);
	act->enrich_trait_locs[1] = L(13, 27);
	act->nenrich_paths = 3;
	act->enrich_paths = arena_alloc(A, 3 * sizeof(*act->enrich_paths));
	struct enrich_path *ep = act->enrich_paths;
	ep[0].path = mkpath("households.pets", 14, 12);
	ep[0].ncolumns = 2;
	ep[0].columns = arena_alloc(A, 2 * sizeof(char *));
	ep[0].columns[0] = "type";
	ep[0].columns[1] = "agee";
	ep[0].column_locs = arena_alloc(A, 2 * sizeof(struct loc));
	ep[0].column_locs[0] = L(14, 30);
	ep[0].column_locs[1] = L(14, 36);
	ep[1].path = mkpath("households.pest", 15, 12);
	ep[2].path = mkpath("households.vets", 16, 12);
	act->nmaps = 4;
	act->maps = arena_alloc(A, 4 * sizeof(*act->maps));
	act->maps[0].key = "properties.pet_type";
	act->maps[0].value.ref = REF_COLUMN;
	act->maps[0].value.slug = "pets";
	act->maps[0].value.column = "type";
	act->maps[1].key = "props.x";
	act->maps[1].key_loc = L(18, 9);
	act->maps[1].value.lit = lit(LIT_STRING, "v", 18, 20);
	act->maps[2].key = "properties.audience_key";
	act->maps[2].key_loc = L(19, 9);
	act->maps[2].value.lit = lit(LIT_STRING, "v", 19, 20);
	act->maps[3].key = "traits.tier";
	act->maps[3].key_loc = L(20, 9);
	act->maps[3].value.ref = REF_COLUMN;
	act->maps[3].value.slug = "households";
	act->maps[3].value.column = "city";
	act->maps[3].value.loc = L(20, 25);
	run();
	const struct diag *g = expect(DIAG_E406, 13, 27, "enrich trait 'ltvv' is not a profile trait");
	expect_hint(g, "did you mean 'ltv'?");
	g = expect(DIAG_E406, 14, 36, "enrich column 'agee' is not a column of entity pet");
	expect_hint(g, "did you mean 'age'?");
	g = expect(DIAG_E406, 15, 23, "enrich path: 'pest' is not a relationship of household");
	expect_hint(g, "did you mean 'pets'?");
	expect(DIAG_W002, 16, 12, "enrich path 'households.vets' matches no 'with entity' condition "
				  "of this audience, so its entity context is always empty");
	g = expect(DIAG_E408, 18, 9, "map key \"props.x\" must be \"properties.NAME\" or \"traits.NAME\"");
	expect(DIAG_E408, 19, 9, "map key \"properties.audience_key\" is set by lac");
	expect(DIAG_E314, 20, 25, "'households' is not an entity in scope for this activation");
	expect_count(6, 1);
	assert_string_equal(act->enrich_trait_defs[0]->name, "email");
	assert_null(act->enrich_trait_defs[1]);
	assert_string_equal(ep[0].cols[0]->name, "type");
	assert_string_equal(act->maps[0].value.col->name, "type");
}

static void test_without_graph_structure_only(void **state)
{
	(void)state;
	P.graph_ok = false;
	audience("a", 1, BLOCK(1, column("city", cmp(CMP_EQ, LIT_STRING, "x", 2), 2),
			       entity("nothing", 3, BLOCK(3, trait("vip", NULL, 4))),
			       part_of("zz", 5)));
	run();
	expect(DIAG_E308, 2, 5, "column 'city' is not in an entity scope");
	expect(DIAG_E308, 4, 5, "trait conditions are allowed only at the top level of where");
	expect(DIAG_E311, 5, 23, "audience 'zz' does not exist");
	expect_count(3, 0);
}

/* From source text: the parser's positions, a nested trigger path written
 * from the profile, and enrich paths relative to an entity target. */
static void parse_into_fixture(const char *text)
{
	struct ast_file *f = parse_source(A, &P.diags, 1, "a.lac", text, strlen(text));
	assert_int_equal(P.diags.nerrors, 0);
	P.files[0] = f;
	F = f;
}

static void test_from_source(void **state)
{
	(void)state;
	parse_into_fixture(
		"audience owly {\n"
		"  where {\n"
		"    with entity accounts { with entity credit_cards { name = \"Owly\" } }\n"
		"  }\n"
		"  activation due {\n"
		"    destination events_file\n"
		"    trigger entity added accounts.credit_cards\n"
		"    send current\n"
		"  }\n"
		"}\n"
		"audience accts {\n"
		"  target entity accounts\n"
		"  where { plan = 3 }\n"
		"  activation x {\n"
		"    destination events_file\n"
		"    trigger entity entered\n"
		"    enrich accounts { plan }\n"
		"    enrich credit_cards { name }\n"
		"  }\n"
		"}\n");
	run();
	const struct diag *g = expect(DIAG_E304, 13, 18,
		"STRING column 'plan' cannot be compared with a NUMBER literal");
	expect_hint(g, "write a STRING literal in double quotes, such as \"text\"");
	expect(DIAG_W002, 18, 12, "enrich path 'accounts.credit_cards' matches no 'with entity' "
				  "condition of this audience, so its entity context is always empty");
	expect_count(1, 1);
	struct ast_activation *due = F->audiences[0]->activations[0];
	assert_int_equal(due->ntrigger_rels, 2);
	assert_string_equal(due->trigger_rels[1]->path, "accounts.credit_cards");
	struct ast_activation *x = F->audiences[1]->activations[0];
	assert_string_equal(x->enrich_paths[0].rels[0]->path, "accounts");
	assert_string_equal(x->enrich_paths[1].rels[0]->path, "accounts.credit_cards");
	assert_true(F->audiences[0]->ok);
	assert_false(F->audiences[1]->ok);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_valid_audience_fills_sema),
		T(test_unknown_relationship),
		T(test_relationship_not_under_entity),
		T(test_missing_column),
		T(test_depth),
		T(test_operators_by_type),
		T(test_literal_types),
		T(test_relative_time_units),
		T(test_scopes),
		T(test_any_all_not_at_top_level),
		T(test_traits),
		T(test_events),
		T(test_json_depth),
		T(test_references),
		T(test_reference_operators),
		T(test_entity_target),
		T(test_counts_and_having),
		T(test_names_and_cycles),
		T(test_schedules),
		T(test_activations),
		T(test_entity_trigger_on_entity_audience),
		T(test_enrich_and_map),
		T(test_without_graph_structure_only),
		T(test_from_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
