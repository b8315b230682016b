/*
 * test_graph_part.c — the part of the data graph an audience uses
 * (check/graph_part.c), on projects written to a temporary directory and
 * loaded and checked as lac does: only used elements, independent of the
 * YAML's layout, comments and order, changed by a used column's type but
 * not by an unused entity; and the union of parts loads back as a graph.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "check/graph_part.h"
#include "graph/graph_load.h"

static const char *LAC_YAML = "name: t\nversion: 1\ngraph: graph.yaml\naudiences: audiences\n";

static const char *GRAPH =
	"version: 1\n"
	"entities:\n"
	"  - slug: household\n"
	"    table: HOUSEHOLDS\n"
	"    primary_key: id\n"
	"    columns: { id: STRING, owner_email: STRING, city: STRING }\n"
	"  - slug: pet\n"
	"    table: PETS\n"
	"    primary_key: id\n"
	"    columns: { id: STRING, household_id: STRING, type: STRING, age: NUMBER }\n"
	"  - slug: vet\n"
	"    table: VETS\n"
	"    primary_key: id\n"
	"    columns: { id: STRING, name: STRING }\n"
	"profile:\n"
	"  table: PROFILES\n"
	"  id: segment_id\n"
	"  traits: { email: STRING, ltv: NUMBER }\n"
	"  external_ids: { table: EXT, id: segment_id, type: t, value: v }\n"
	"  relationships:\n"
	"    - slug: households\n"
	"      entity: household\n"
	"      external_id: { type: email, join_key: owner_email }\n"
	"      relationships:\n"
	"        - slug: pets\n"
	"          entity: pet\n"
	"          join_on: household.id = pet.household_id\n";

/* The same graph, written another way: other order, block style, comments. */
static const char *GRAPH_RELAID =
	"# the same graph\n"
	"profile:\n"
	"  relationships:\n"
	"    - entity: household\n"
	"      slug: households\n"
	"      relationships:\n"
	"        - { slug: pets, entity: pet, join_on: \"household.id = pet.household_id\" }\n"
	"      external_id: { join_key: owner_email, type: email }\n"
	"  external_ids: { value: v, type: t, id: segment_id, table: EXT }\n"
	"  traits:\n"
	"    ltv: NUMBER   # unused\n"
	"    email: STRING\n"
	"  id: segment_id\n"
	"  table: PROFILES\n"
	"entities:\n"
	"  - slug: vet\n"
	"    table: VETS\n"
	"    primary_key: id\n"
	"    columns: { name: STRING, id: STRING }\n"
	"  - slug: pet\n"
	"    primary_key: id\n"
	"    table: PETS\n"
	"    columns:\n"
	"      age: NUMBER\n"
	"      type: STRING\n"
	"      household_id: STRING\n"
	"      id: STRING\n"
	"  - columns: { city: STRING, owner_email: STRING, id: STRING }\n"
	"    slug: household\n"
	"    primary_key: id\n"
	"    table: HOUSEHOLDS\n"
	"version: 1\n";

static const char *AUDIENCE =
	"audience cats {\n"
	"  where { with entity households.pets { type = \"cat\" } and with trait email }\n"
	"}\n";

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* The part of audience `cats` in a project of graph and audience. */
static char *part_of(const char *graph, const char *audience)
{
	char dir[] = "/tmp/lac-graph-part-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *aud = xasprintf("%s/audiences", dir);
	assert_int_equal(mkdir(aud, 0700), 0);
	write_file(dir, "lac.yaml", LAC_YAML);
	write_file(dir, "graph.yaml", graph);
	write_file(dir, "audiences/a.lac", audience);
	struct project p;
	project_init(&p);
	if (check_load(&p, dir) != 0) {
		for (size_t i = 0; i < p.diags.n; i++)
			fprintf(stderr, "%s\n", p.diags.items[i].message);
		fail_msg("the fixture project does not check");
	}
	char *s = graph_part_json(&p.graph, project_audience(&p, "cats"));
	project_release(&p);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(aud);
	return s;
}

static void test_only_used_elements(void **state)
{
	(void)state;
	char *s = part_of(GRAPH, AUDIENCE);
	/* used: the path's entities with pk, join and named columns; email */
	assert_non_null(strstr(s, "\"type\": \"STRING\""));
	assert_non_null(strstr(s, "\"owner_email\": \"STRING\""));
	assert_non_null(strstr(s, "\"household_id\": \"STRING\""));
	assert_non_null(strstr(s, "\"email\": \"STRING\""));
	assert_non_null(strstr(s, "\"join_on\": \"household.id = pet.household_id\""));
	/* unused: the vet entity, columns age and city, trait ltv */
	assert_null(strstr(s, "vet"));
	assert_null(strstr(s, "\"age\""));
	assert_null(strstr(s, "city"));
	assert_null(strstr(s, "ltv"));
	free(s);
}

static void test_layout_independent(void **state)
{
	(void)state;
	char *a = part_of(GRAPH, AUDIENCE), *b = part_of(GRAPH_RELAID, AUDIENCE);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static char *replaced(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	assert_non_null(at);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void test_changes_with_used_column_only(void **state)
{
	(void)state;
	char *base = part_of(GRAPH, AUDIENCE);
	/* the type of a used column (pet.type, named by the condition) */
	char *g1 = replaced(GRAPH, "type: STRING, age", "type: NUMBER, age");
	char *a1 = replaced(AUDIENCE, "type = \"cat\"", "type = 1");
	char *p1 = part_of(g1, a1);
	assert_string_not_equal(base, p1);
	/* an unused entity and an unused column */
	char *g2 = replaced(GRAPH, "columns: { id: STRING, name: STRING }",
			    "columns: { id: STRING, name: STRING, phone: STRING }");
	char *g3 = replaced(g2, "city: STRING", "city: NUMBER");
	char *p2 = part_of(g3, AUDIENCE);
	assert_string_equal(base, p2);
	free(base);
	free(g1);
	free(a1);
	free(p1);
	free(g2);
	free(g3);
	free(p2);
}

static void test_union_loads_back(void **state)
{
	(void)state;
	char *a = part_of(GRAPH, AUDIENCE);
	char *b = part_of(GRAPH, "audience cats { where { with entity households { city = \"x\" } "
			  "and with trait ltv > 1 } }\n");
	json_t *g = NULL;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(graph_part_merge(&g, a, &err), 0);
	assert_int_equal(graph_part_merge(&g, b, &err), 0);
	assert_int_equal(graph_part_merge(&g, "not json", &err), -1);
	char *text = graph_part_text(g);
	json_decref(g);
	struct project p;
	project_init(&p);
	struct graph_load_ctx ctx = { .graph = &p.graph, .diags = &p.diags, .arena = &p.arena,
				      .sources = &p.sources, .text = text, .text_name = "<union>" };
	assert_int_equal(graph_load(&ctx), 0);
	const struct entity *h = graph_entity(&p.graph, "household");
	assert_non_null(h);
	assert_non_null(entity_column(h, "city"));
	assert_non_null(entity_column(graph_entity(&p.graph, "pet"), "type"));
	assert_non_null(profile_trait(&p.graph.profile, "ltv"));
	assert_non_null(profile_trait(&p.graph.profile, "email"));
	assert_null(graph_entity(&p.graph, "vet"));
	project_release(&p);
	sb_release(&err);
	free(text);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_used_elements),
		cmocka_unit_test(test_layout_independent),
		cmocka_unit_test(test_changes_with_used_column_only),
		cmocka_unit_test(test_union_loads_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
