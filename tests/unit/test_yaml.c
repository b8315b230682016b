/* test_yaml.c — the YAML tree: locations, quoting, duplicate keys, syntax errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/yaml_doc.h"

struct fx {
	struct arena a;
	struct source_set ss;
	struct diag_sink d;
	uint32_t file;
};

static struct ynode *parse(struct fx *f, const char *text)
{
	f->a = (struct arena)ARENA_INIT;
	source_set_init(&f->ss);
	diag_sink_init(&f->d, &f->ss);
	f->file = source_add(&f->ss, "t.yaml", xstrdup(text), strlen(text));
	return yaml_doc_parse(&f->a, &f->d, f->file, text, strlen(text));
}

static void done(struct fx *f)
{
	diag_sink_release(&f->d);
	source_set_release(&f->ss);
	arena_release(&f->a);
}

/* All diagnostics as text, no color. */
static char *diags(struct fx *f)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < f->d.n; i++)
		diag_format_one(&f->d, &f->d.items[i], &sb, false);
	return sb_detach(&sb);
}

static void test_locations(void **state)
{
	struct fx f;
	struct ynode *n = parse(&f, "a: 1\nb:\n  - x\n  - \"y z\"\nc: { d: e }\n");
	assert_non_null(n);
	assert_int_equal(n->kind, YN_MAPPING);
	assert_int_equal(n->npairs, 3);
	assert_string_equal(n->pairs[0].key, "a");
	assert_int_equal(n->pairs[0].key_loc.line, 1);
	assert_int_equal(n->pairs[0].key_loc.col, 1);
	const struct ynode *a = ynode_get(n, "a");
	assert_string_equal(a->scalar, "1");
	assert_false(a->quoted);
	assert_int_equal(a->loc.line, 1);
	assert_int_equal(a->loc.col, 4);
	assert_int_equal(a->loc.end_col, 5);
	const struct ynode *b = ynode_get(n, "b");
	assert_int_equal(b->kind, YN_SEQUENCE);
	assert_int_equal(b->nitems, 2);
	assert_string_equal(b->items[1]->scalar, "y z");
	assert_true(b->items[1]->quoted);
	assert_int_equal(b->items[1]->loc.line, 4);
	assert_int_equal(b->items[1]->loc.col, 5);
	assert_int_equal(b->items[1]->loc.end_col, 10);
	const struct ynode *c = ynode_get(n, "c");
	assert_int_equal(c->kind, YN_MAPPING);
	assert_int_equal(c->loc.line, 5);
	assert_int_equal(c->loc.col, 4);
	assert_int_equal(c->loc.end_col, 12);
	assert_string_equal(ynode_get(c, "d")->scalar, "e");
	assert_null(ynode_get(n, "zz"));
	assert_null(ynode_pair(a, "x"));
	assert_int_equal(f.d.n, 0);
	done(&f);
}

static void test_empty_document_is_empty_mapping(void **state)
{
	const char *inputs[] = { "", "# only a comment\n", "---\n", "~\n" };
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
		struct fx f;
		struct ynode *n = parse(&f, inputs[i]);
		assert_non_null(n);
		assert_int_equal(n->kind, YN_MAPPING);
		assert_int_equal(n->npairs, 0);
		assert_int_equal(f.d.n, 0);
		done(&f);
	}
}

static void test_duplicate_key(void **state)
{
	struct fx f;
	struct ynode *n = parse(&f, "a: 1\nb: 2\na: 3\n");
	assert_non_null(n);
	assert_int_equal(n->npairs, 2);
	assert_string_equal(ynode_get(n, "a")->scalar, "1"); /* the first is kept */
	char *s = diags(&f);
	assert_string_equal(s, "t.yaml:3:1: error[E009]: duplicate key 'a'\n"
			       " 3 | a: 3\n"
			       "   | ^\n"
			       "  help: first given at line 1\n");
	free(s);
	done(&f);
}

static void test_syntax_error(void **state)
{
	struct fx f;
	struct ynode *n = parse(&f, "a: [1, 2\nb: 3\n");
	assert_null(n);
	assert_int_equal(f.d.nerrors, 1);
	assert_int_equal(f.d.items[0].code, DIAG_E002);
	assert_int_equal(f.d.items[0].loc.line, 2);
	assert_int_equal(f.d.items[0].loc.col, 2);
	assert_string_equal(f.d.items[0].message,
			    "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)");
	done(&f);

	n = parse(&f, "a: b: c\n");
	assert_null(n);
	assert_string_equal(f.d.items[0].message, "mapping values are not allowed in this context");
	assert_int_equal(f.d.items[0].loc.line, 1);
	assert_int_equal(f.d.items[0].loc.col, 5);
	done(&f);
}

static void test_rejected_constructs(void **state)
{
	struct fx f;
	assert_null(parse(&f, "a: &x 1\nb: *x\n"));
	assert_string_equal(f.d.items[0].message, "YAML aliases (*x) are not supported");
	assert_int_equal(f.d.items[0].loc.line, 2);
	assert_int_equal(f.d.items[0].loc.col, 4);
	done(&f);

	assert_null(parse(&f, "? [a, b]\n: 1\n"));
	assert_int_equal(f.d.items[0].code, DIAG_E005);
	assert_string_equal(f.d.items[0].message, "a mapping key must be a plain value, not a list");
	done(&f);

	assert_null(parse(&f, "a: 1\n---\nb: 2\n"));
	assert_int_equal(f.d.items[0].code, DIAG_E002);
	assert_int_equal(f.d.items[0].loc.line, 2);
	done(&f);

	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 300; i++)
		sb_addch(&sb, '[');
	assert_null(parse(&f, sb.buf));
	assert_string_equal(f.d.items[0].message, "the YAML is nested too deeply (more than 256 levels)");
	done(&f);
	sb_release(&sb);
}

static void test_invalid_utf8(void **state)
{
	struct fx f;
	assert_null(parse(&f, "a: 1\nb: \xff\n"));
	assert_int_equal(f.d.items[0].code, DIAG_E002);
	assert_int_equal(f.d.items[0].loc.line, 2);
	assert_int_equal(f.d.items[0].loc.col, 4);
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_empty_document_is_empty_mapping),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_rejected_constructs),
		cmocka_unit_test(test_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
