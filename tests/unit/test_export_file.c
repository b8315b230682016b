/* test_export_file.c — reading a `lac state export` file
 * (state/export_file.h): the header's checks, lines that are not JSON
 * objects, a file cut short, a row count that does not match, an unknown
 * table, and a whole (empty) export loaded into an empty SQLite state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/export_file.h"

static char tmpdir[64];
static struct state *st;

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/lac-export-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char *path = xasprintf("%s/state.db", tmpdir);
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(state_open(&st, path, STATE_RW, &err), 0);
	sb_release(&err);
	free(path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	state_close(st);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* The header line of text judged for project "shop": its error, or "" */
static char *header_error(const char *text)
{
	static char out[512];
	json_t *h = json_loads(text, 0, NULL);
	struct strbuf err = STRBUF_INIT;
	export_check_header(h, "x.jsonl", "shop", &err);
	snprintf(out, sizeof out, "%s", err.len ? err.buf : "");
	sb_release(&err);
	json_decref(h);
	return out;
}

static void test_header(void **state)
{
	(void)state;
	char *ok = xasprintf("{\"format\":\"lac-state\",\"format_version\":1,\"schema_version\":%d,"
			     "\"backend\":{},\"project\":\"shop\"}", STATE_SCHEMA_VERSION);
	assert_string_equal(header_error(ok), "");
	free(ok);
	assert_string_equal(header_error("{\"format\":\"lac-state\"}"),
			    "x.jsonl: not a lac state export (no header line)");
	assert_string_equal(header_error("{\"format\":\"lac-state\",\"format_version\":2,\"schema_version\":1,"
					 "\"backend\":{}}"),
			    "x.jsonl: export format version 2; this lac reads version 1");
	char *other = xasprintf("{\"format\":\"lac-state\",\"format_version\":1,\"schema_version\":%d,"
				"\"backend\":{}}", STATE_SCHEMA_VERSION);
	assert_string_equal(header_error(other), "x.jsonl: the state of project '?', not of this project 'shop'");
	free(other);
	char *newer = xasprintf("{\"format\":\"lac-state\",\"format_version\":1,\"schema_version\":%d,"
				"\"backend\":{}}", STATE_SCHEMA_VERSION + 1);
	assert_non_null(strstr(header_error(newer), "is newer than this lac supports"));
	free(newer);
}

/* Load the lines of text (no header) into st and roll back: the error, or "". */
static char *load(const char *text)
{
	static char out[512];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	struct strbuf err = STRBUF_INIT;
	size_t lineno = 1;
	json_int_t rows = -1;
	assert_int_equal(state_begin(st), 0);
	int rc = export_import_rows(st, f, "x.jsonl", &lineno, &rows, &err);
	state_rollback(st);
	assert_true(rc == 0 ? err.len == 0 : err.len > 0);
	snprintf(out, sizeof out, "%s", err.len ? err.buf : "");
	sb_release(&err);
	fclose(f);
	return out;
}

static void test_rows(void **state)
{
	(void)state;
	assert_string_equal(load("{\"end\":true,\"rows\":0}\n"), "");
	assert_string_equal(load(""), "x.jsonl: ends before its last line (cut short?)");
	assert_string_equal(load("[1]\n"), "x.jsonl:2: not a line of a lac state export");
	assert_string_equal(load("{\"end\":true,\"rows\":3}\n"), "x.jsonl:2: the export says 3 rows, it holds 0");
	assert_non_null(strstr(load("{\"table\":\"no_such\",\"row\":{}}\n{\"end\":true,\"rows\":1}\n"),
			       "x.jsonl:2: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
