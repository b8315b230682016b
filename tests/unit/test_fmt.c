/*
 * test_fmt.c — the canonical layout of `lac fmt`, case by case (exact
 * output), and its three properties on every case and on every .lac file
 * under examples/: formatting twice changes nothing, the formatted text
 * parses to the same syntax tree (compared without locations), and no
 * comment is lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lang/fmt.h"
#include "lang/parse.h"

/* Parse src (which must have no syntax error) and format it. */
static char *fmt_text(const char *src, struct strbuf *dump, size_t *ncomments)
{
	struct arena a = ARENA_INIT;
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	uint32_t id = source_add(&ss, "t.lac", xstrdup(src), strlen(src));
	struct ast_file *f = parse_source(&a, &d, id, "t.lac", src, strlen(src));
	if (d.nerrors) {
		struct strbuf sb = STRBUF_INIT;
		diag_format_one(&d, &d.items[0], &sb, false);
		fail_msg("syntax error in test input: %s\n%s", sb.buf, src);
	}
	struct strbuf out = STRBUF_INIT;
	fmt_file(f, src, strlen(src), &out);
	if (dump)
		fmt_ast_dump(f, dump);
	if (ncomments)
		*ncomments = f->ncomments;
	diag_sink_release(&d);
	source_set_release(&ss);
	arena_release(&a);
	return sb_detach(&out);
}

/* The properties: idempotent, same tree, same number of comments. */
static void check_properties(const char *src, const char *name)
{
	struct strbuf d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	size_t n1, n2;
	char *once = fmt_text(src, &d1, &n1);
	char *twice = fmt_text(once, &d2, &n2);
	if (strcmp(once, twice))
		fail_msg("%s: not idempotent\n--- once\n%s--- twice\n%s", name, once, twice);
	if (strcmp(d1.buf, d2.buf))
		fail_msg("%s: meaning changed\n--- before\n%s--- after\n%s--- formatted\n%s", name,
			 d1.buf, d2.buf, once);
	if (n1 != n2)
		fail_msg("%s: %zu comments became %zu\n%s", name, n1, n2, once);
	free(once);
	free(twice);
	sb_release(&d1);
	sb_release(&d2);
}

/* src formats to want exactly, and the properties hold. */
static void expect_fmt(const char *src, const char *want)
{
	char *got = fmt_text(src, NULL, NULL);
	if (strcmp(got, want))
		fail_msg("--- input\n%s--- expected\n%s--- got\n%s", src, want, got);
	free(got);
	check_properties(src, "case");
}

static void test_settings_aligned_in_source_order(void **state)
{
	expect_fmt("audience a{schedule every 1 hours name \"A\"   description\"d\" where{with trait x}}",
		   "audience a {\n"
		   "  schedule    every 1 hour\n"
		   "  name        \"A\"\n"
		   "  description \"d\"\n"
		   "  where {\n"
		   "    with trait x\n"
		   "  }\n"
		   "}\n");
	expect_fmt("audience a {\n target profile\n enabled false\n schedule manual\n}\n",
		   "audience a {\n"
		   "  target   profile\n"
		   "  enabled  false\n"
		   "  schedule manual\n"
		   "}\n");
}

static void test_schedule_and_target(void **state)
{
	expect_fmt("audience a { schedule at 08:00 on thu,mon target entity accounts.cards where {} }",
		   "audience a {\n"
		   "  schedule at 08:00 on mon, thu\n"
		   "  target   entity accounts.cards\n"
		   "  where {}\n"
		   "}\n");
	expect_fmt("audience a { schedule every 15 minute }",
		   "audience a {\n  schedule every 15 minutes\n}\n");
	expect_fmt("audience a { schedule every 1 days }",
		   "audience a {\n  schedule every 1 day\n}\n");
}

static void test_blank_lines_between_audiences(void **state)
{
	expect_fmt("audience a {}\n\n\n\naudience b {} audience c {}",
		   "audience a {\n}\n\naudience b {\n}\n\naudience c {\n}\n");
	expect_fmt("", "");
	expect_fmt("\n\n", "");
}

static void test_blocks_one_line_rule(void **state)
{
	expect_fmt("audience a { where { with entity pets { type = \"cat\" } } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity pets { type = \"cat\" }\n"
		   "  }\n"
		   "}\n");
	/* two items: one per line */
	expect_fmt("audience a { where { with entity pets { type = \"cat\" age > 3 } } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity pets {\n"
		   "      type = \"cat\"\n"
		   "      age > 3\n"
		   "    }\n"
		   "  }\n"
		   "}\n");
	/* one item that holds a block: multi-line */
	expect_fmt("audience a { where { with entity a { with entity b { x = 1 } } } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity a {\n"
		   "      with entity b { x = 1 }\n"
		   "    }\n"
		   "  }\n"
		   "}\n");
	/* an empty block stays empty */
	expect_fmt("audience a { where { with entity a {   } } }",
		   "audience a {\n  where {\n    with entity a {}\n  }\n}\n");
}

static void test_any_all_not(void **state)
{
	expect_fmt("audience a { where { any { with trait x = 1 with trait y = 2 } "
		   "all { with trait z } not with trait q } }",
		   "audience a {\n"
		   "  where {\n"
		   "    any {\n"
		   "      with trait x = 1\n"
		   "      with trait y = 2\n"
		   "    }\n"
		   "    all { with trait z }\n"
		   "    not with trait q\n"
		   "  }\n"
		   "}\n");
}

static void test_parentheses_minimal(void **state)
{
	/* redundant ones go */
	expect_fmt("audience a { where { ((with trait a)) and (with trait b) "
		   "(with trait c and with trait d) or with trait e } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with trait a and with trait b\n"
		   "    with trait c and with trait d or with trait e\n"
		   "  }\n"
		   "}\n");
	/* needed ones stay */
	expect_fmt("audience a { where { (with trait a or with trait b) and with trait c "
		   "not (with trait a and with trait b) "
		   "with trait a or (with trait b or with trait c) "
		   "with trait a and (with trait b and with trait c) } }",
		   "audience a {\n"
		   "  where {\n"
		   "    (with trait a or with trait b) and with trait c\n"
		   "    not (with trait a and with trait b)\n"
		   "    with trait a or (with trait b or with trait c)\n"
		   "    with trait a and (with trait b and with trait c)\n"
		   "  }\n"
		   "}\n");
	/* not binds tighter than and: `(not a) and b` loses its parentheses */
	expect_fmt("audience a { where { (not with trait a) and with trait b not not with trait c } }",
		   "audience a {\n"
		   "  where {\n"
		   "    not with trait a and with trait b\n"
		   "    not not with trait c\n"
		   "  }\n"
		   "}\n");
}

static void test_part_of_audience(void **state)
{
	expect_fmt("audience a { where { part of audience b using membership "
		   "not part of audience c using conditions not (part of audience d) } }",
		   "audience a {\n"
		   "  where {\n"
		   "    part of audience b using membership\n"
		   "    not part of audience c using conditions\n"
		   "    not (part of audience d)\n"
		   "  }\n"
		   "}\n");
	expect_fmt("audience a { where { not (not part of audience b) (part of audience c) "
		   "any { part of audience d } } }",
		   "audience a {\n"
		   "  where {\n"
		   "    not not part of audience b\n"
		   "    part of audience c\n"
		   "    any { part of audience d }\n"
		   "  }\n"
		   "}\n");
}

static void test_predicates(void **state)
{
	expect_fmt("audience a { where { with entity e {\n"
		   "a=1 b!=-2.50 c<3 d>4 e<=5 f>=6 g contains \"x\" h not contains \"y\"\n"
		   "i starts with \"s\" j ends with \"e\" k in (1,2) l not in (\"a\")\n"
		   "m between 1 and 2 n is null o is not null p within last 1 days\n"
		   "q within next 2 week r before last 1 minutes s after next 3 hour\n"
		   "t = true u = false v = date \"2025-01-31\" w = time \"08:30:00\"\n"
		   "x = timestamp \"2025-01-31T08:30:00Z\" y = trait.address.city z = e.col\n"
		   "} } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity e {\n"
		   "      a = 1\n"
		   "      b != -2.50\n"
		   "      c < 3\n"
		   "      d > 4\n"
		   "      e <= 5\n"
		   "      f >= 6\n"
		   "      g contains \"x\"\n"
		   "      h not contains \"y\"\n"
		   "      i starts with \"s\"\n"
		   "      j ends with \"e\"\n"
		   "      k in (1, 2)\n"
		   "      l not in (\"a\")\n"
		   "      m between 1 and 2\n"
		   "      n is null\n"
		   "      o is not null\n"
		   "      p within last 1 day\n"
		   "      q within next 2 weeks\n"
		   "      r before last 1 minute\n"
		   "      s after next 3 hours\n"
		   "      t = true\n"
		   "      u = false\n"
		   "      v = date \"2025-01-31\"\n"
		   "      w = time \"08:30:00\"\n"
		   "      x = timestamp \"2025-01-31T08:30:00Z\"\n"
		   "      y = trait.address.city\n"
		   "      z = e.col\n"
		   "    }\n"
		   "  }\n"
		   "}\n");
}

static void test_strings_escaped(void **state)
{
	expect_fmt("audience a { name \"q\\\"b\\\\n\\n t\\t \\u0001 \\u00e9 \\u0041 Zoë\" }",
		   "audience a {\n  name \"q\\\"b\\\\n\\n t\\t \\u0001 é A Zoë\"\n}\n");
}

static void test_entity_and_event_conditions(void **state)
{
	expect_fmt("audience a { where {\n"
		   "with entity a.b at least 2 { x = 1 } having sum(y) > 10\n"
		   "without entity c exactly 0\n"
		   "with entity d at most 3 having count() >= 1\n"
		   "with event \"Order Completed\" at least 3 within last 30 days { total > 50 }\n"
		   "with event \"E\" between 1 and 1 day ago having max(p) < date \"2025-01-01\"\n"
		   "without event \"F\"\n"
		   "} }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity a.b at least 2 { x = 1 } having sum(y) > 10\n"
		   "    without entity c exactly 0\n"
		   "    with entity d at most 3 having count() >= 1\n"
		   "    with event \"Order Completed\" at least 3 within last 30 days { total > 50 }\n"
		   "    with event \"E\" between 1 and 1 day ago having max(p) < date \"2025-01-01\"\n"
		   "    without event \"F\"\n"
		   "  }\n"
		   "}\n");
}

static void test_activations(void **state)
{
	expect_fmt("audience a { where { with entity accounts.cards } activation x { "
		   "destination hook trigger entity added accounts.cards event \"Due\" "
		   "identifier user_id enrich traits email , first_name enrich accounts { id,plan } "
		   "send current map \"properties.x\" = \"v\" map \"properties.y\" = trait.plan "
		   "enabled false } activation y { trigger membership or values changed destination d } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with entity accounts.cards\n"
		   "  }\n"
		   "\n"
		   "  activation x {\n"
		   "    destination hook\n"
		   "    trigger     entity added accounts.cards\n"
		   "    event       \"Due\"\n"
		   "    identifier  user_id\n"
		   "    enrich      traits email, first_name\n"
		   "    enrich      accounts { id, plan }\n"
		   "    send current\n"
		   "    map         \"properties.x\" = \"v\"\n"
		   "    map         \"properties.y\" = trait.plan\n"
		   "    enabled     false\n"
		   "  }\n"
		   "\n"
		   "  activation y {\n"
		   "    trigger     membership or values changed\n"
		   "    destination d\n"
		   "  }\n"
		   "}\n");
}

static void test_alerts(void **state)
{
	expect_fmt("audience a { where { with trait vip } alert x { kind size_change # why\n"
		   "threshold 20 percent notify s,m } activation y { destination d trigger profile entered }"
		   " alert h { kind event_health destination d threshold 5 percent notify s } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with trait vip\n"
		   "  }\n"
		   "\n"
		   "  alert x {\n"
		   "    kind      size_change  # why\n"
		   "    threshold 20 percent\n"
		   "    notify    s, m\n"
		   "  }\n"
		   "\n"
		   "  activation y {\n"
		   "    destination d\n"
		   "    trigger     profile entered\n"
		   "  }\n"
		   "\n"
		   "  alert h {\n"
		   "    kind      event_health destination d\n"
		   "    threshold 5 percent\n"
		   "    notify    s\n"
		   "  }\n"
		   "}\n");	/* the alert words as names, comments inside and around */
	check_properties("audience a {\n"
			 "  where { kind = \"x\" and threshold > 3  # columns\n"
			 "    with trait percent }\n"
			 "  activation notify { destination size_change trigger profile entered }\n"
			 "  alert alert {  # named alert\n"
			 "    # the kind\n"
			 "    kind size_change\n"
			 "    threshold 1 percent notify kind, percent\n"
			 "  }\n"
			 "  alert event_health { kind event_health destination size_change\n"
			 "    threshold 1000 percent notify notify }\n"
			 "}\n", "alert words as names");
}

static void test_comments_kept(void **state)
{
	expect_fmt("# header\n"
		   "\n"
		   "# about a\n"
		   "audience a { # after brace\n"
		   "  name \"A\" # the name\n"
		   "      # own line, badly indented\n"
		   "  where {\n"
		   "    # first\n"
		   "    with trait x   # trailing   \n"
		   "    with entity e { y = 1 # inside\n"
		   "    }\n"
		   "    # last in block\n"
		   "  }\n"
		   "  # end of audience\n"
		   "}  # after audience\n"
		   "# end of file\n",
		   "# header\n"
		   "\n"
		   "# about a\n"
		   "audience a {  # after brace\n"
		   "  name \"A\"    # the name\n"
		   "  # own line, badly indented\n"
		   "  where {\n"
		   "    # first\n"
		   "    with trait x  # trailing\n"
		   "    with entity e {\n"
		   "      y = 1  # inside\n"
		   "    }\n"
		   "    # last in block\n"
		   "  }\n"
		   "  # end of audience\n"
		   "}  # after audience\n"
		   "# end of file\n");
	/* a comment inside an expression that is printed on one line */
	expect_fmt("audience a { where { with trait a and # why\n with trait b\n with trait c } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with trait a and with trait b  # why\n"
		   "    with trait c\n"
		   "  }\n"
		   "}\n");
	/* two end-of-line comments for one line: the second gets its own line */
	expect_fmt("audience a { where { with trait a and # one\n with trait b # two\n } }",
		   "audience a {\n"
		   "  where {\n"
		   "    with trait a and with trait b  # one\n"
		   "    # two\n"
		   "  }\n"
		   "}\n");
	/* only comments */
	expect_fmt("  # just a comment\n\n\n# and another   \n",
		   "# just a comment\n\n# and another\n");
	/* blanks around a lone CR at the end go too, in one formatting (fuzz_parse) */
	expect_fmt("#  map   \r   ", "#  map\n");
	expect_fmt("# a\rb \r\n", "# a\rb\n");
}

static void test_blank_line_before_activation_and_comment(void **state)
{
	expect_fmt("audience a {\n"
		   "  where { with trait x }\n"
		   "  # the welcome\n"
		   "  activation w { destination d trigger profile entered }\n"
		   "}\n",
		   "audience a {\n"
		   "  where {\n"
		   "    with trait x\n"
		   "  }\n"
		   "\n"
		   "  # the welcome\n"
		   "  activation w {\n"
		   "    destination d\n"
		   "    trigger     profile entered\n"
		   "  }\n"
		   "}\n");
	/* first item: no blank line */
	expect_fmt("audience a { activation w { destination d } }",
		   "audience a {\n  activation w {\n    destination d\n  }\n}\n");
}

static void test_dump_tells_programs_apart(void **state)
{
	/* the comparison used by the properties can fail */
	const char *pairs[][2] = {
		{ "audience a { where { with trait a or with trait b and with trait c } }",
		  "audience a { where { (with trait a or with trait b) and with trait c } }" },
		{ "audience a { where { not (part of audience b) } }",
		  "audience a { where { not part of audience b } }" },
		{ "audience a { where { with trait a = \"x\" } }",
		  "audience a { where { with trait a = \"y\" } }" },
		{ "audience a { where { with trait a or (with trait b or with trait c) } }",
		  "audience a { where { with trait a or with trait b or with trait c } }" },
		{ "audience a { schedule at 08:00 on mon }", "audience a { schedule at 08:00 on tue }" },
	};
	for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
		struct strbuf d1 = STRBUF_INIT, d2 = STRBUF_INIT;
		free(fmt_text(pairs[i][0], &d1, NULL));
		free(fmt_text(pairs[i][1], &d2, NULL));
		if (!strcmp(d1.buf, d2.buf))
			fail_msg("dumps equal for different programs:\n%s\n%s", pairs[i][0], pairs[i][1]);
		sb_release(&d1);
		sb_release(&d2);
	}
	/* and locations, layout and redundant parentheses do not count */
	struct strbuf d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	free(fmt_text("audience a { where { with trait a and with trait b } }", &d1, NULL));
	free(fmt_text("\n\n  audience a {\nwhere {\n((with trait a)) and\n (with trait b) }\n}", &d2, NULL));
	assert_string_equal(d1.buf, d2.buf);
	sb_release(&d1);
	sb_release(&d2);
}

/* A tree built by hand (no source, no locations): canonical setting order. */
static void test_hand_built_tree(void **state)
{
	struct arena a = ARENA_INIT;
	struct ast_file *f = ARENA_NEW(&a, struct ast_file);
	struct ast_audience *au = ARENA_NEW(&a, struct ast_audience);
	au->name = "x";
	au->display_name = "X";
	au->enabled = 1;
	au->schedule.kind = SCHED_EVERY;
	au->schedule.every = 2;
	au->schedule.unit = UNIT_HOUR;
	struct ast_expr *t = ARENA_NEW(&a, struct ast_expr);
	t->kind = EX_TRAIT;
	struct path p = { NULL, NULL, 0, { 0, 0, 0, 0, 0 } };
	const char **parts = arena_alloc(&a, sizeof(*parts));
	parts[0] = "vip";
	p.parts = parts;
	p.n = 1;
	t->path = p;
	struct ast_expr *w = ARENA_NEW(&a, struct ast_expr);
	w->kind = EX_BLOCK;
	w->items = arena_alloc(&a, sizeof(*w->items));
	w->items[0] = t;
	w->nitems = 1;
	au->where = w;
	f->audiences = arena_alloc(&a, sizeof(*f->audiences));
	f->audiences[0] = au;
	f->naudiences = 1;
	struct strbuf out = STRBUF_INIT;
	fmt_file(f, NULL, 0, &out);
	assert_string_equal(out.buf,
			    "audience x {\n"
			    "  name     \"X\"\n"
			    "  schedule every 2 hours\n"
			    "  enabled  true\n"
			    "  where {\n"
			    "    with trait vip\n"
			    "  }\n"
			    "}\n");
	sb_release(&out);
	arena_release(&a);
}

/* ---- every example ---------------------------------------------------------- */

static int nexamples;

static bool parses(const char *text, size_t len)
{
	struct arena a = ARENA_INIT;
	struct source_set ss;
	struct diag_sink d;
	source_set_init(&ss);
	diag_sink_init(&d, &ss);
	parse_source(&a, &d, 0, "t.lac", text, len);
	bool ok = d.nerrors == 0;
	diag_sink_release(&d);
	source_set_release(&ss);
	arena_release(&a);
	return ok;
}

/* Every .lac file under dir; with only_valid, files with syntax errors
 * (the parser's own test corpus has many) are skipped. */
static void check_dir(const char *dir, bool only_valid)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			check_dir(path, only_valid);
		} else if (str_ends(de->d_name, ".lac")) {
			size_t len;
			char *text = read_file(path, &len);
			assert_non_null(text);
			if (!only_valid || (strlen(text) == len && parses(text, len))) {
				check_properties(text, path);
				nexamples++;
			}
			free(text);
		}
		free(path);
	}
	closedir(d);
}

static void test_examples(void **state)
{
	const char *top = getenv("LAC_SRCDIR");
#ifdef LAC_FMT_SRCDIR
	if (!top)
		top = LAC_FMT_SRCDIR;
#endif
	if (!top)
		skip();
	char *dir = xasprintf("%s/examples", top);
	check_dir(dir, false);
	free(dir);
	assert_true(nexamples > 0);
}

/* The parser's corpus and the diagnostics cases: odd but valid syntax. */
static void test_corpus(void **state)
{
	const char *top = getenv("LAC_SRCDIR");
#ifdef LAC_FMT_SRCDIR
	if (!top)
		top = LAC_FMT_SRCDIR;
#endif
	if (!top)
		skip();
	const char *dirs[] = { "tests/corpus/lac", "tests/diagnostics" };
	nexamples = 0;
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		char *dir = xasprintf("%s/%s", top, dirs[i]);
		check_dir(dir, true);
		free(dir);
	}
	assert_true(nexamples > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_aligned_in_source_order),
		cmocka_unit_test(test_schedule_and_target),
		cmocka_unit_test(test_blank_lines_between_audiences),
		cmocka_unit_test(test_blocks_one_line_rule),
		cmocka_unit_test(test_any_all_not),
		cmocka_unit_test(test_parentheses_minimal),
		cmocka_unit_test(test_part_of_audience),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_strings_escaped),
		cmocka_unit_test(test_entity_and_event_conditions),
		cmocka_unit_test(test_activations),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_comments_kept),
		cmocka_unit_test(test_blank_line_before_activation_and_comment),
		cmocka_unit_test(test_dump_tells_programs_apart),
		cmocka_unit_test(test_hand_built_tree),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
