/* test_project.c — lac.yaml: defaults, unknown keys, shapes, destinations,
 * ${VAR} expansion and its unset error (which never shows a value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "proj_fixture.h"

static const char *const small_graph =
	"entities:\n"
	"  - { slug: account, table: accounts, primary_key: id, columns: { id: STRING, email: STRING } }\n"
	"profile:\n"
	"  table: profiles\n"
	"  id: segment_id\n"
	"  traits: { email: STRING }\n"
	"  relationships:\n"
	"    - { slug: accounts, entity: account, trait: { name: email, join_key: email } }\n";

static void test_defaults(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	assert_int_equal(p.version, 1);
	assert_int_equal(p.ngraph_files, 1);
	assert_string_equal(p.graph_files[0], "graph.yaml");
	assert_int_equal(p.naudience_paths, 1);
	assert_string_equal(p.audience_paths[0], "audiences");
	assert_int_equal(p.warehouse.type, WH_SQLITE);
	assert_string_equal(p.warehouse.path, "data/warehouse.db");
	assert_string_equal(p.warehouse.schema, "lac");
	assert_int_equal(p.warehouse.jobs, 4);
	assert_string_equal(p.state.path, ".lac/state.db");
	assert_true(p.graph_ok);
	assert_string_equal(p.name, strrchr(fx_dir, '/') + 1);
	free(d);
	project_release(&p);
	fx_leave();
}

/* tls: {ca_file}: the destination's own, else the top-level one; an HTTP
 * warehouse's own, else the top */
static void test_tls_ca_file(void **state)
{
	fx_enter();
	fx_write("lac.yaml",
		 "tls: { ca_file: certs/top.pem }\n"
		 "warehouse: { type: databricks, endpoint: \"https://d\", warehouse_id: w, token: t,\n"
		 "  tls: { ca_file: /etc/wh.pem } }\n"
		 "destinations:\n"
		 "  own: { type: webhook, url: \"https://x\", tls: { ca_file: /etc/own.pem } }\n"
		 "  top: { type: segment, url: \"https://y\", write_key: k }\n"
		 "  br: { type: braze, url: \"https://b\", api_key: k, tls: { ca_file: br.pem } }\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	/* (fx_load loads "." : the project dir joined is the path as written) */
	assert_string_equal(project_ca_file(&p, project_destination(&p, "own")), "/etc/own.pem");
	assert_string_equal(project_ca_file(&p, project_destination(&p, "top")), "certs/top.pem");
	assert_string_equal(project_ca_file(&p, project_destination(&p, "br")), "br.pem");
	assert_string_equal(project_ca_file(&p, NULL), "/etc/wh.pem");
	free(d);
	project_release(&p);

	/* none anywhere: the system's store */
	fx_write("lac.yaml", "destinations:\n  h: { type: webhook, url: \"https://x\" }\n");
	d = fx_load(&p);
	assert_string_equal(d, "");
	assert_null(project_ca_file(&p, project_destination(&p, "h")));
	assert_null(project_ca_file(&p, NULL));
	free(d);
	project_release(&p);
	fx_leave();
}

/* a ${VAR} with ".." in a key file's path is E006, naming the variable */
static void test_key_path_climbs(void **state)
{
	fx_enter();
	setenv("LAC_T_KEYDIR", "../../secrets", 1);
	fx_write("lac.yaml",
		 "warehouse: { type: snowflake, account: a, user: u,\n"
		 "  private_key_path: \"${LAC_T_KEYDIR}/rsa.p8\" }\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_non_null(strstr(d, "error[E006]: environment variable 'LAC_T_KEYDIR' used in a path must not contain '..'"));
	assert_null(strstr(d, "../../secrets"));
	free(d);
	project_release(&p);
	setenv("LAC_T_KEYDIR", "keys", 1);
	d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	project_release(&p);
	unsetenv("LAC_T_KEYDIR");
	fx_leave();
}

static void test_settings_and_destinations(void **state)
{
	fx_enter();
	fx_write("lac.yaml",
		 "version: 1\nname: shop\ngraph: [g.yaml]\naudiences: [a, b.lac]\n"
		 "warehouse: { type: postgres, schema: snap, dsn: \"${PG_DSN}\" }\n"
		 "state: { path: st.db }\n"
		 "destinations:\n"
		 "  f: { type: file, path: out.jsonl }\n"
		 "  s: { type: stdout }\n"
		 "  h: { type: webhook, url: \"https://x\", headers: { Authorization: \"Bearer ${T}\" }, timeout: 5 }\n"
		 "  seg: { type: segment, url: \"https://y\", write_key: \"${K}\" }\n"
		 "  w: { type: warehouse, table: events }\n"
		 "  br: { type: braze, url: \"https://b\", api_key: \"${B}\" }\n"
		 "  cio: { type: customerio, site_id: s, api_key: k }\n");
	fx_write("g.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	assert_string_equal(p.name, "shop");
	assert_string_equal(p.graph_files[0], "g.yaml");
	assert_int_equal(p.naudience_paths, 2);
	assert_int_equal(p.warehouse.type, WH_POSTGRES);
	assert_null(p.warehouse.path);
	assert_string_equal(p.warehouse.schema, "snap");
	assert_int_equal(p.warehouse.nsettings, 1);
	assert_string_equal(p.warehouse.settings[0].value, "${PG_DSN}");
	assert_string_equal(p.state.path, "st.db");
	assert_int_equal(p.ndestinations, 7);
	const struct destination *h = project_destination(&p, "h");
	assert_string_equal(h->type, "webhook");
	assert_true(h->supports_values_changed);
	const struct setting *hd = destination_setting(h, "headers");
	assert_null(hd->value);
	assert_int_equal(hd->nchildren, 1);
	assert_string_equal(hd->children[0].key, "Authorization");
	assert_string_equal(hd->children[0].value, "Bearer ${T}");
	assert_true(project_destination(&p, "f")->supports_values_changed);
	assert_false(project_destination(&p, "s")->supports_values_changed);
	assert_true(project_destination(&p, "seg")->supports_values_changed);
	assert_false(project_destination(&p, "w")->supports_values_changed);
	const struct destination *br = project_destination(&p, "br");
	assert_true(br->supports_values_changed);
	assert_string_equal(destination_setting(br, "timeout")->value, "30"); /* preset default */
	assert_false(project_destination(&p, "cio")->supports_values_changed);
	assert_null(project_destination(&p, "nope"));
	free(d);
	project_release(&p);
	fx_leave();
}

static void test_unknown_keys_and_bad_values(void **state)
{
	fx_enter();
	fx_write("lac.yaml",
		 "version: 2\nwarehose: {}\nwarehouse: { type: snowflak, schema: \"a b\" }\n"
		 "state: [x]\n"
		 "destinations:\n"
		 "  a: { type: fiel, path: x }\n"
		 "  b: { type: webhook, ulr: x }\n"
		 "  c: { path: x }\n"
		 "  d: { type: segment, url: u, write_key: k, timeout: soon }\n"
		 "  e: { type: file, path: \"${oops\" }\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d,
		"lac.yaml:1:10: error[E006]: unsupported version '2' (this lac reads version 1)\n"
		" 1 | version: 2\n"
		"   |          ^\n"
		"lac.yaml:2:1: error[E003]: unknown key 'warehose' in lac.yaml\n"
		" 2 | warehose: {}\n"
		"   | ^^^^^^^^\n"
		"  help: did you mean 'warehouse'?\n"
		"lac.yaml:3:20: error[E006]: unknown warehouse type 'snowflak'\n"
		" 3 | warehouse: { type: snowflak, schema: \"a b\" }\n"
		"   |                    ^^^^^^^^\n"
		"  help: did you mean 'snowflake'?\n"
		"  help: types are sqlite, postgres, redshift, snowflake, bigquery and databricks\n"
		"lac.yaml:3:38: error[E006]: warehouse schema 'a b' must be a plain identifier (letters, digits, '_')\n"
		" 3 | warehouse: { type: snowflak, schema: \"a b\" }\n"
		"   |                                      ^^^^^\n"
		"lac.yaml:4:8: error[E005]: 'state' must be a mapping, not a list\n"
		" 4 | state: [x]\n"
		"   |        ^^^\n"
		"lac.yaml:6:14: error[E006]: unknown destination type 'fiel'\n"
		" 6 |   a: { type: fiel, path: x }\n"
		"   |              ^^^^\n"
		"  help: did you mean 'file'?\n"
		"lac.yaml:7:6: error[E004]: missing key 'url' in webhook destination 'b'\n"
		" 7 |   b: { type: webhook, ulr: x }\n"
		"   |      ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		"lac.yaml:7:23: error[E003]: unknown key 'ulr' in webhook destination 'b'\n"
		" 7 |   b: { type: webhook, ulr: x }\n"
		"   |                       ^^^\n"
		"  help: did you mean 'url'?\n"
		"lac.yaml:8:6: error[E004]: missing key 'type' in destination\n"
		" 8 |   c: { path: x }\n"
		"   |      ^^^^^^^^^^^\n"
		"lac.yaml:9:54: error[E006]: 'timeout' must be a number of seconds, not 'soon'\n"
		" 9 |   d: { type: segment, url: u, write_key: k, timeout: soon }\n"
		"   |                                                      ^^^^\n"
		"lac.yaml:10:27: error[E006]: malformed '${' reference (write ${NAME}, or $${ for a literal '${')\n"
		" 10 |   e: { type: file, path: \"${oops\" }\n"
		"    |                           ^^\n");
	free(d);
	project_release(&p);
	fx_leave();
}

static void test_missing_lac_yaml(void **state)
{
	fx_enter();
	struct project p;
	project_init(&p);
	assert_int_equal(project_load(&p, "nowhere"), -1);
	char *d = fx_diags(&p);
	assert_string_equal(d, "lac: error[E001]: cannot read 'nowhere/lac.yaml': No such file or directory\n"
			       "  help: run lac in a project directory, point at one with -C DIR, or create one with 'lac init'\n");
	free(d);
	project_release(&p);
	fx_leave();
}

static void test_paths_joined_to_dir(void **state)
{
	fx_enter();
	fx_write("sub/lac.yaml", "graph: g.yaml\n");
	fx_write("sub/g.yaml", "entities: [ { slug: x } ]\n");
	struct project p;
	project_init(&p);
	project_load_settings_and_graph(&p, "sub/");
	assert_string_equal(project_path(&p, "a.lac"), "sub/a.lac");
	assert_int_equal(p.diags.n, 4);
	diag_sort(&p.diags);
	assert_string_equal(source_path(&p.sources, p.diags.items[0].loc.file), "sub/g.yaml");
	project_release(&p);
	fx_leave();
}

static void test_expand(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "destinations:\n  s: { type: segment, url: \"https://h/$${x}\", write_key: \"k-${LAC_TEST_KEY}\" }\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	const struct destination *s = project_destination(&p, "s");
	const struct setting *url = destination_setting(s, "url");
	const struct setting *key = destination_setting(s, "write_key");
	assert_string_equal(setting_expand(&p, url->value, url->loc), "https://h/${x}");

	setenv("LAC_TEST_KEY", "sekrit-value", 1);
	assert_string_equal(setting_expand(&p, key->value, key->loc), "k-sekrit-value");
	assert_int_equal(p.diags.n, 0);

	unsetenv("LAC_TEST_KEY");
	assert_null(setting_expand(&p, key->value, key->loc));
	d = fx_diags(&p);
	assert_string_equal(d,
		"lac.yaml:2:61: error[E007]: environment variable 'LAC_TEST_KEY' is not set\n"
		" 2 |   s: { type: segment, url: \"https://h/$${x}\", write_key: \"k-${LAC_TEST_KEY}\" }\n"
		"   |                                                             ^^^^^^^^^^^^^^^\n"
		"  help: set it in the environment of the command that needs it\n");
	assert_null(strstr(d, "sekrit"));
	free(d);
	project_release(&p);
	fx_leave();
}

/* state.path and warehouse.path expand ${VAR} (SPEC §1); unset, only a
 * command that opens them fails (E007), never making a "${VAR}" file. */
static void test_expand_paths(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "graph: \"${LAC_TEST_G}.yaml\"\n"
		 "warehouse: { type: sqlite, path: \"${LAC_TEST_WH}/w.db\" }\n"
		 "state:\n  path: \"${LAC_TEST_ST}/state.db\"\n");
	fx_write("graph.yaml", small_graph);
	setenv("LAC_TEST_G", "graph", 1);
	setenv("LAC_TEST_WH", "whdir", 1);
	setenv("LAC_TEST_ST", "stdir", 1);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	free(d);
	assert_string_equal(p.graph_files[0], "graph.yaml");
	assert_string_equal(p.warehouse.path, "whdir/w.db");
	assert_string_equal(p.state.path, "stdir/state.db");
	assert_int_equal(project_require_paths(&p), 0);
	assert_int_equal(p.nsecrets, 0); /* paths are not secrets to redact */
	project_release(&p);

	unsetenv("LAC_TEST_WH");
	unsetenv("LAC_TEST_ST");
	d = fx_load(&p);
	assert_string_equal(d, ""); /* check/compile do not need them */
	free(d);
	assert_string_equal(project_path(&p, p.state.path), "/dev/null/${LAC_TEST_ST}/state.db");
	assert_int_equal(project_require_paths(&p), -1);
	d = fx_diags(&p);
	assert_string_equal(d,
		"lac.yaml:2:35: error[E007]: environment variable 'LAC_TEST_WH' is not set\n"
		" 2 | warehouse: { type: sqlite, path: \"${LAC_TEST_WH}/w.db\" }\n"
		"   |                                   ^^^^^^^^^^^^^^\n"
		"  help: set it in the environment of the command that needs it\n"
		"lac.yaml:4:10: error[E007]: environment variable 'LAC_TEST_ST' is not set\n"
		" 4 |   path: \"${LAC_TEST_ST}/state.db\"\n"
		"   |          ^^^^^^^^^^^^^^\n"
		"  help: set it in the environment of the command that needs it\n");
	free(d);
	project_release(&p);

	unsetenv("LAC_TEST_G");
	d = fx_load(&p);
	assert_non_null(strstr(d, "lac.yaml:1:9: error[E007]: environment variable 'LAC_TEST_G' is not set\n"));
	free(d);
	project_release(&p);
	fx_leave();
}

/* Unknown keys in a sqlite warehouse block are E003, as elsewhere. */
static void test_sqlite_warehouse_unknown_key(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "warehouse:\n  type: sqlite\n  pth: data/w.db\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_non_null(strstr(d, "lac.yaml:3:3: error[E003]: unknown key 'pth' in the sqlite warehouse\n"));
	assert_non_null(strstr(d, "did you mean 'path'"));
	free(d);
	project_release(&p);
	fx_leave();
}

/* warehouse.jobs: any type's, a whole number from 1 to 64 (the --jobs rule). */
static void test_warehouse_jobs(void **state)
{
	(void)state;
	assert_int_equal(project_parse_jobs("1"), 1);
	assert_int_equal(project_parse_jobs("64"), 64);
	assert_int_equal(project_parse_jobs("0"), -1);
	assert_int_equal(project_parse_jobs("65"), -1);
	assert_int_equal(project_parse_jobs("99999999999999999999"), -1);
	assert_int_equal(project_parse_jobs("4x"), -1);
	assert_int_equal(project_parse_jobs("-4"), -1);
	assert_int_equal(project_parse_jobs(""), -1);
	fx_enter();
	fx_write("lac.yaml", "warehouse:\n  type: sqlite\n  jobs: 8\n");
	fx_write("graph.yaml", small_graph);
	struct project p;
	char *d = fx_load(&p);
	assert_string_equal(d, "");
	assert_int_equal(p.warehouse.jobs, 8);
	free(d);
	project_release(&p);
	fx_write("lac.yaml", "warehouse:\n  type: sqlite\n  jobs: 0\n");
	d = fx_load(&p);
	assert_non_null(strstr(d, "lac.yaml:3:9: error[E006]: 'jobs' must be a whole number from 1 to 64, not '0'\n"));
	free(d);
	project_release(&p);
	fx_leave();
}

static void test_audiences_sorted_and_missing(void **state)
{
	fx_enter();
	fx_write("lac.yaml", "version: 1\n");
	fx_write("graph.yaml", small_graph);
	fx_write("audiences/b.lac", "");
	fx_write("audiences/a/z.lac", "");
	fx_write("audiences/a.lac", "");
	fx_write("audiences/notes.txt", "");
	struct project p;
	project_init(&p);
	project_load(&p, ".");
	assert_int_equal(p.nfiles, 3);
	assert_string_equal(source_path(&p.sources, p.files[0]->file_id), "audiences/a.lac");
	assert_string_equal(source_path(&p.sources, p.files[1]->file_id), "audiences/a/z.lac");
	assert_string_equal(source_path(&p.sources, p.files[2]->file_id), "audiences/b.lac");
	project_release(&p);
	fx_leave();

	fx_enter();
	fx_write("lac.yaml", "audiences: [x.lac]\n");
	fx_write("graph.yaml", small_graph);
	project_init(&p);
	assert_int_equal(project_load(&p, "."), -1);
	char *d = fx_diags(&p);
	assert_string_equal(d, "lac.yaml:1:12: error[E001]: cannot read 'x.lac': No such file or directory\n"
			       " 1 | audiences: [x.lac]\n"
			       "   |            ^^^^^^^\n");
	free(d);
	project_release(&p);
	fx_leave();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_settings_and_destinations),
		cmocka_unit_test(test_tls_ca_file),
		cmocka_unit_test(test_key_path_climbs),
		cmocka_unit_test(test_unknown_keys_and_bad_values),
		cmocka_unit_test(test_missing_lac_yaml),
		cmocka_unit_test(test_paths_joined_to_dir),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_paths),
		cmocka_unit_test(test_sqlite_warehouse_unknown_key),
		cmocka_unit_test(test_warehouse_jobs),
		cmocka_unit_test(test_audiences_sorted_and_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
