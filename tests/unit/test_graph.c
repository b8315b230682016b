/* test_graph.c — the data graph: resolution of the SPEC example, every
 * validation rule with its exact message and position, includes and the
 * stdlib Profiles Sync fragment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph/graph_print.h"
#include "graph/graph_tables.h"
#include "proj_fixture.h"

#define BASE \
	"version: 1\n" \
	"entities:\n" \
	"  - slug: household\n" \
	"    table: PETS.PUBLIC.HOUSEHOLDS\n" \
	"    primary_key: id\n" \
	"    columns: { id: STRING, owner_email: STRING, size: NUMBER }\n" \
	"  - slug: pet\n" \
	"    table: PETS.PETS\n" \
	"    primary_key: id\n" \
	"    columns: { id: STRING, household_id: STRING, age: NUMBER }\n" \
	"  - slug: household_vet\n" \
	"    table: HOUSEHOLD_VETS\n" \
	"    primary_key: id\n" \
	"    columns: { id: STRING, household_id: STRING, vet_id: STRING }\n" \
	"  - slug: vet\n" \
	"    table: VETS\n" \
	"    primary_key: id\n" \
	"    columns: { id: STRING, name: STRING }\n" \
	"profile:\n" \
	"  table: PROFILES\n" \
	"  id: segment_id\n" \
	"  traits:\n" \
	"    email: STRING\n" \
	"    ltv: NUMBER\n" \
	"    address: { type: OBJECT, column: addr, properties: { city: STRING, geo: { type: OBJECT, properties: { lat: NUMBER } } } }\n" \
	"  external_ids: { table: EXT, id: segment_id, type: t, value: v }\n" \
	"  events:\n" \
	"    table: TRACKS\n" \
	"    id: segment_id\n" \
	"    name: event\n" \
	"    timestamp: ts\n" \
	"    catalog:\n" \
	"      \"Order Completed\": { total: NUMBER }\n" \
	"  relationships:\n" \
	"    - slug: households\n" \
	"      entity: household\n" \
	"      external_id: { type: email, join_key: owner_email }\n" \
	"      relationships:\n" \
	"        - slug: pets\n" \
	"          entity: pet\n" \
	"          join_on: pet.household_id = household.id\n" \
	"        - slug: vets\n" \
	"          entity: vet\n" \
	"          junction: { entity: household_vet, left: household_id, right: vet_id }\n"
/* BASE is 44 lines; line 45 starts a new relationship under households. */

static char *load_graph(struct project *p, const char *graph)
{
	fx_write("lac.yaml", "version: 1\n");
	fx_write("graph.yaml", graph);
	return fx_load(p);
}

static void test_spec_example_resolves(void **state)
{
	fx_enter();
	struct project p;
	char *d = load_graph(&p, BASE);
	assert_string_equal(d, "");
	free(d);
	struct graph *g = &p.graph;
	assert_true(p.graph_ok);
	assert_int_equal(g->max_depth, 6);
	assert_int_equal(g->nentities, 4);
	struct entity *h = graph_entity(g, "household");
	assert_int_equal(h->ntable_parts, 3);
	assert_string_equal(h->table_parts[0], "PETS");
	assert_string_equal(h->table_parts[2], "HOUSEHOLDS");
	assert_ptr_equal(h->pk, entity_column(h, "id"));
	assert_int_equal(graph_entity(g, "pet")->ntable_parts, 2);
	assert_int_equal(graph_entity(g, "vet")->ntable_parts, 1);

	const struct relationship *hh = relationship_child(g, NULL, "households");
	assert_ptr_equal(hh->entity, h);
	assert_int_equal(hh->join, JOIN_EXTERNAL_ID);
	assert_string_equal(hh->ext_type, "email");
	assert_ptr_equal(hh->join_key, entity_column(h, "owner_email"));
	assert_int_equal(hh->depth, 2);
	assert_null(hh->parent);

	const char *path[] = { "households", "pets" };
	const struct relationship *pets = graph_path(g, path, 2);
	assert_non_null(pets);
	assert_string_equal(pets->path, "households.pets");
	assert_int_equal(pets->depth, 3);
	assert_ptr_equal(pets->parent, hh);
	assert_int_equal(pets->join, JOIN_ON);
	assert_ptr_equal(pets->parent_col, entity_column(h, "id")); /* written child side first */
	assert_ptr_equal(pets->child_col, entity_column(graph_entity(g, "pet"), "household_id"));

	const struct relationship *vets = relationship_child(g, hh, "vets");
	assert_int_equal(vets->join, JOIN_JUNCTION);
	assert_ptr_equal(vets->junction, graph_entity(g, "household_vet"));
	assert_string_equal(vets->junction_left->name, "household_id");
	assert_string_equal(vets->junction_right->name, "vet_id");
	assert_null(relationship_child(g, hh, "nope"));

	const struct trait *addr = profile_trait(&g->profile, "address");
	assert_int_equal(addr->type, TY_OBJECT);
	assert_string_equal(addr->column, "addr");
	assert_int_equal(trait_prop(trait_prop(addr, "geo"), "lat")->type, TY_NUMBER);
	assert_string_equal(profile_trait(&g->profile, "ltv")->column, "ltv");
	assert_true(g->profile.external_ids.present);
	assert_true(g->profile.events.present);
	assert_string_equal(g->profile.events.properties, "properties");
	const struct event_def *ev = profile_event(&g->profile, "Order Completed");
	assert_int_equal(ev->nprops, 1);
	assert_int_equal(ev->props[0].type, TY_NUMBER);

	struct strbuf sb = STRBUF_INIT;
	graph_print_tree(g, &sb);
	assert_string_equal(sb.buf,
		"profile (PROFILES, id segment_id)\n"
		"  households -> household (PETS.PUBLIC.HOUSEHOLDS) on external_id email = household.owner_email\n"
		"    pets -> pet (PETS.PETS) on household.id = pet.household_id\n"
		"    vets -> vet (VETS) on household.id = household_vet.household_id, household_vet.vet_id = vet.id via household_vet (HOUSEHOLD_VETS)\n");
	sb_reset(&sb);
	graph_print_json(g, &sb);
	assert_non_null(strstr(sb.buf, "\"path\": \"households.pets\""));
	sb_reset(&sb);
	graph_print_dot(g, &sb);
	assert_non_null(strstr(sb.buf, "\"households\" -> \"households.vets\""));
	sb_release(&sb);
	project_release(&p);
	fx_leave();
}

struct rule_case {
	const char *name;
	const char *from, *to;  /* replace in BASE (NULL: append `to`) */
	enum diag_code code;
	unsigned line, col;
	const char *message;
	const char *hint;       /* first hint, or NULL */
};

static const struct rule_case rules[] = {
	{ "missing entity", "entity: pet\n", "entity: pett\n", DIAG_E200, 40, 19,
	  "Entity missing from Data Graph: pett", "did you mean 'pet'?" },
	{ "missing junction entity", "entity: household_vet,", "entity: hv,", DIAG_E200, 44, 31,
	  "Entity missing from Data Graph: hv", NULL },
	{ "missing join_key", "join_key: owner_email", "join_key: owner_mail", DIAG_E201, 37, 45,
	  "Entity column missing from Data Graph for Entity household and Column: owner_mail",
	  "did you mean 'owner_email'?" },
	{ "missing join_on column", "pet.household_id =", "pet.houshold_id =", DIAG_E201, 41, 24,
	  "Entity column missing from Data Graph for Entity pet and Column: houshold_id",
	  "did you mean 'household_id'?" },
	{ "missing pk", "primary_key: id\n    columns: { id: STRING, name", "primary_key: vid\n    columns: { id: STRING, name",
	  DIAG_E201, 17, 18, "Entity column missing from Data Graph for Entity vet and Column: vid", NULL },
	{ "missing junction column", "right: vet_id", "right: vetid", DIAG_E201, 44, 73,
	  "Entity column missing from Data Graph for Entity household_vet and Column: vetid",
	  "did you mean 'vet_id'?" },
	{ "no columns", "    columns: { id: STRING, name: STRING }\n", "    columns: {}\n", DIAG_E202, 15, 11,
	  "No columns exist for entity in Data Graph: vet", NULL },
	{ "no join", "          join_on: pet.household_id = household.id\n", "", DIAG_E203, 39, 17,
	  "Join key missing from Data Graph for relation: pets", NULL },
	{ "key not string", "household_id: STRING, age", "household_id: NUMBER, age", DIAG_E204, 41, 24,
	  "Relationship key should be a string: pets", NULL },
	{ "external id key not string", "owner_email: STRING", "owner_email: DATE", DIAG_E204, 37, 45,
	  "Relationship key should be a string: households", NULL },
	{ "duplicate sibling", NULL, "        - { slug: pets, entity: pet, join_on: household.id = pet.household_id }\n",
	  DIAG_E205, 45, 19, "duplicate relationship slug 'pets' under 'households'", "first declared at graph.yaml:39" },
	{ "duplicate entity", "  - slug: vet\n", "  - slug: pet\n", DIAG_E205, 15, 11,
	  "duplicate entity slug 'pet'", "first declared at graph.yaml:7" },
	{ "too deep", "version: 1\n", "version: 1\nlimits: { max_depth: 2 }\n", DIAG_E206, 40, 17,
	  "relationship path 'households.pets' is 3 levels deep, more than limits.max_depth (2)",
	  "depth counts the profile as level 1" },
	{ "bad column type", "age: NUMBER", "age: INT", DIAG_E207, 10, 55, "unknown type 'INT' for column 'age'", NULL },
	{ "lower-case type", "age: NUMBER", "age: number", DIAG_E207, 10, 55, "unknown type 'number' for column 'age'",
	  "types are written in upper case: 'NUMBER'" },
	{ "object column", "age: NUMBER", "age: OBJECT", DIAG_E207, 10, 55,
	  "type OBJECT is only allowed for traits (column 'age')", NULL },
	{ "bad trait type", "ltv: NUMBER", "ltv: MONEY", DIAG_E207, 24, 10, "unknown type 'MONEY' for trait 'ltv'", NULL },
	{ "join_on under profile", "external_id: { type: email, join_key: owner_email }",
	  "join_on: household.id = household.id", DIAG_E208, 37, 7,
	  "join_on is not allowed on a first-level relationship ('households' is under profile)",
	  "first-level relationships join with external_id or trait" },
	{ "trait deeper", "join_on: pet.household_id = household.id", "trait: { name: email, join_key: id }",
	  DIAG_E208, 41, 11, "trait is only allowed on first-level relationships (under profile), not on 'households.pets'", NULL },
	{ "two joins", "join_on: pet.household_id = household.id",
	  "join_on: pet.household_id = household.id\n          junction: { entity: household_vet, left: household_id, right: vet_id }",
	  DIAG_E208, 42, 11, "relationship 'pets' has both join_on and junction", NULL },
	{ "join_on shape", "pet.household_id = household.id", "pet.household_id", DIAG_E209, 41, 20,
	  "join_on must be written 'household.column = pet.column'", NULL },
	{ "join_on entities", "pet.household_id = household.id", "vet.id = household.id", DIAG_E209, 41, 20,
	  "join_on must join 'household' (the parent) and 'pet' (this relationship's entity)", NULL },
	{ "undeclared trait", "external_id: { type: email, join_key: owner_email }",
	  "trait: { name: emails, join_key: owner_email }", DIAG_E210, 37, 22,
	  "trait 'emails' is not declared in profile.traits", "did you mean 'email'?" },
	{ "no external_ids", "  external_ids: { table: EXT, id: segment_id, type: t, value: v }\n", "", DIAG_E211, 36, 7,
	  "relationship 'households' joins on an external id, but profile.external_ids is not declared", NULL },
	{ "unknown relationship key", "          entity: pet\n", "          entity: pet\n          joinon: x\n",
	  DIAG_E003, 41, 11, "unknown key 'joinon' in relationship", "did you mean 'join_on'?" },
	{ "unknown entity key", "  - slug: vet\n", "  - slug: vet\n    descripton: x\n",
	  DIAG_E003, 16, 5, "unknown key 'descripton' in entity", "did you mean 'description'?" },
	{ "unknown top key", "version: 1\n", "version: 1\nentitys: []\n", DIAG_E003, 2, 1,
	  "unknown key 'entitys' in the data graph", "did you mean 'entities'?" },
	{ "bad table", "table: VETS\n", "table: A.B.C.VETS\n", DIAG_E006, 16, 12,
	  "table name 'A.B.C.VETS' must have 1 to 3 dot-separated parts", "write db.schema.table, schema.table or table" },
	{ "bad slug", "slug: pets", "slug: Pets", DIAG_E006, 39, 17, "invalid relationship slug 'Pets'", NULL },
	{ "bad max_depth", "version: 1\n", "version: 1\nlimits: { max_depth: deep }\n", DIAG_E006, 2, 22,
	  "'max_depth' must be a whole number from 1 to 100, not 'deep'", NULL },
	{ "relationships shape", "      relationships:\n        - slug: pets", "      relationships: { a: 1 }\n      x:\n        - slug: pets",
	  DIAG_E005, 38, 22, "'relationships' must be a list, not a mapping", NULL },
	{ "profile without table", "  table: PROFILES\n", "", DIAG_E004, 19, 1, "missing key 'table' in profile", NULL },
	{ "profile without id", "  table: PROFILES\n  id: segment_id\n", "  table: PROFILES\n", DIAG_E004, 19, 1,
	  "missing key 'id' in profile", NULL },
	{ "properties on non-object", "ltv: NUMBER", "ltv: { type: NUMBER, properties: { a: STRING } }", DIAG_E006, 24, 38,
	  "'properties' is only allowed on OBJECT traits", NULL },
};

static void test_rules(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(rules); i++) {
		const struct rule_case *rc = &rules[i];
		struct strbuf g = STRBUF_INIT;
		if (!rc->from) {
			sb_addstr(&g, BASE);
			sb_addstr(&g, rc->to);
		} else {
			const char *at = strstr(BASE, rc->from);
			if (!at)
				fail_msg("%s: '%s' not in BASE", rc->name, rc->from);
			sb_addmem(&g, BASE, (size_t)(at - BASE));
			sb_addstr(&g, rc->to);
			sb_addstr(&g, at + strlen(rc->from));
		}
		fx_enter();
		struct project p;
		char *d = load_graph(&p, g.buf);
		if (p.diags.n == 0)
			fail_msg("%s: no diagnostic", rc->name);
		const struct diag *dg = &p.diags.items[0];
		if (dg->code != rc->code || dg->loc.line != rc->line || dg->loc.col != rc->col ||
		    strcmp(dg->message, rc->message) != 0 ||
		    (rc->hint && (dg->nhints == 0 || strcmp(dg->hints[0], rc->hint) != 0)))
			fail_msg("%s: got\n%s", rc->name, d);
		assert_false(p.graph_ok);
		free(d);
		project_release(&p);
		fx_leave();
		sb_release(&g);
	}
}

static void test_include_and_stdlib(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "graph: [g/main.yaml]\n");
	fx_write("g/main.yaml",
		 "include: [stdlib/graph/profiles_sync.yaml, parts/entities.yaml]\n"
		 "profile:\n"
		 "  table: MY.PROFILE_TRAITS\n"
		 "  traits: { plan: STRING }\n"
		 "  relationships:\n"
		 "    - { slug: accounts, entity: account, external_id: { type: email, join_key: email } }\n");
	fx_write("g/parts/entities.yaml",
		 "entities:\n  - { slug: account, table: accounts, primary_key: id, columns: { id: STRING, email: STRING } }\n");
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	const struct profile *pf = &p.graph.profile;
	assert_string_equal(pf->table, "MY.PROFILE_TRAITS");  /* the including file wins */
	assert_string_equal(pf->id, "canonical_segment_id"); /* from the fragment */
	assert_non_null(profile_trait(pf, "email"));
	assert_non_null(profile_trait(pf, "plan"));
	assert_string_equal(pf->external_ids.table, "external_id_mapping");
	assert_string_equal(pf->events.table, "tracks");
	assert_ptr_equal(pf->relationships[0].entity, graph_entity(&p.graph, "account"));
	project_release(&p);
	fx_leave();
}

static void test_include_errors(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\n");
	fx_write("graph.yaml", "include: a.yaml\n" BASE);
	fx_write("a.yaml", "include: b.yaml\n");
	fx_write("b.yaml", "include: a.yaml\n");
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "b.yaml:1:10: error[E008]: include cycle: 'a.yaml' includes itself\n"
			       " 1 | include: a.yaml\n"
			       "   |          ^^^^^^\n");
	free(d);
	project_release(&p);

	fx_write("graph.yaml", "include: missing.yaml\n" BASE);
	d = fx_load(&p);
	assert_string_equal(d, "graph.yaml:1:10: error[E008]: cannot read include 'missing.yaml': No such file or directory\n"
			       " 1 | include: missing.yaml\n"
			       "   |          ^^^^^^^^^^^^\n");
	free(d);
	project_release(&p);

	/* two files at the same level may not both set profile.table */
	fx_write("graph.yaml", "include: [x.yaml, y.yaml]\n");
	fx_write("x.yaml", "profile: { table: A }\n");
	fx_write("y.yaml", "profile: { table: B }\n");
	d = fx_load(&p);
	assert_non_null(strstr(d, "y.yaml:1:12: error[E009]: 'profile.table' is given twice\n"));
	assert_non_null(strstr(d, "  help: first given at x.yaml:1\n"));
	free(d);
	project_release(&p);
	fx_leave();
}

/* SPEC §1: the graph may be several files, each with the header of §2 */
static void test_several_files_same_header(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\ngraph: [main.yaml, more.yaml]\n");
	fx_write("main.yaml", "limits: { max_depth: 6 }\n" BASE);
	fx_write("more.yaml", "version: 1\nlimits: { max_depth: 6 }\n"
			      "entities:\n  - { slug: shop, table: SHOPS, primary_key: id, columns: { id: STRING } }\n");
	struct project p;
	char *d = fx_load(&p);
	assert_null(strstr(d, "error"));
	assert_non_null(strstr(d, "entity 'shop' is not reached")); /* more.yaml was read */
	free(d);
	project_release(&p);

	/* the same key with another value still clashes; keys in another order
	 * are the same value, a quoted "1" is not 1 */
	fx_write("more.yaml", "version: 1\nlimits: { max_depth: 5 }\n");
	d = fx_load(&p);
	assert_non_null(strstr(d, "more.yaml:2:1: error[E009]: 'limits' is given twice\n"));
	free(d);
	project_release(&p);
	fx_write("main.yaml", "limits: { max_depth: 6, x: 1 }\n" BASE);
	fx_write("more.yaml", "version: \"1\"\nlimits: { x: 1, max_depth: 6 }\n");
	d = fx_load(&p);
	assert_non_null(strstr(d, "more.yaml:1:1: error[E009]: 'version' is given twice\n"));
	assert_null(strstr(d, "'limits' is given twice"));
	free(d);
	project_release(&p);
	fx_leave();
}

static void test_missing_graph_file(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\n");
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "lac: error[E001]: cannot read 'graph.yaml': No such file or directory\n"
			       "  help: name the data graph file with 'graph:' in lac.yaml\n");
	free(d);
	project_release(&p);
	fx_leave();
}

/* graph_tables: each table once, with the columns lac reads and their types. */
static void test_graph_tables(void **state)
{
	fx_enter();
	struct project p;
	char *d = load_graph(&p, BASE);
	assert_string_equal(d, "");
	free(d);
	size_t n;
	struct graph_table *t = graph_tables(&p.graph, &n);
	assert_int_equal(n, 7); /* PROFILES, EXT, TRACKS and the four entities */
	assert_string_equal(t[0].name, "PROFILES");
	assert_int_equal(t[0].ncolumns, 4);
	assert_string_equal(t[0].columns[0].name, "segment_id");
	assert_string_equal(t[0].columns[3].name, "addr"); /* the OBJECT trait's column */
	assert_int_equal(t[0].columns[3].type, TY_OBJECT);
	const struct graph_table *tracks = graph_table_find(t, n, "TRACKS");
	assert_non_null(tracks);
	assert_int_equal(graph_table_column(tracks, "ts")->type, TY_TIMESTAMP);
	assert_int_equal(graph_table_column(tracks, "properties")->type, TY_OBJECT);
	const struct graph_table *h = graph_table_find(t, n, "PETS.PUBLIC.HOUSEHOLDS");
	assert_non_null(h);
	assert_int_equal(h->nparts, 3);
	assert_string_equal(h->parts[2], "HOUSEHOLDS");
	assert_int_equal(graph_table_column(h, "size")->type, TY_NUMBER);
	assert_null(graph_table_column(h, "nosuch"));
	assert_null(graph_table_find(t, n, "HOUSEHOLDS"));
	graph_tables_free(t, n);
	project_release(&p);
	fx_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example_resolves),
		cmocka_unit_test(test_graph_tables),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_include_and_stdlib),
		cmocka_unit_test(test_include_errors),
		cmocka_unit_test(test_several_files_same_header),
		cmocka_unit_test(test_missing_graph_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
