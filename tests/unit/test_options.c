/* test_options.c — the command line's option parser (src/cmd/options.c):
 * both spellings of values, "--", arguments in order, and each mistake's
 * message as the table words it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

struct parsed {
	bool check, quiet;
	const char *out, *mode;
	long limit;
};

/* The words parsed, kept until the end: options point into them. */
static char *lines[64];
static size_t nlines;

static int free_lines(void **state)
{
	while (nlines)
		free(lines[--nlines]);
	return 0;
}

static int take_limit(void *arg, const char *value, struct strbuf *err)
{
	char *end;
	*(long *)arg = strtol(value, &end, 10);
	if (!*value || *end) {
		sb_addf(err, "--limit takes a number, not '%s'", value);
		return -1;
	}
	return 0;
}

/* Parse the words of line (space-separated) with a small table; returns
 * opt_parse's result, the arguments joined by '|' in *args_out, the
 * message in *err_out (both to free). */
static int parse(const char *line, struct opt_table t, struct parsed *p, char **args_out,
		 char **err_out)
{
	const struct opt opts[] = {
		OPT_FLAG("--check", NULL, &p->check),
		OPT_FLAG("--quiet", "-q", &p->quiet),
		OPT_VALUE("--out", "-o", &p->out, "option '%s' needs a file"),
		OPT_VALUE("--mode", NULL, &p->mode, NULL),
		OPT_TAKE("--limit", "-n", take_limit, &p->limit, "option '%s' needs a number"),
	};
	t.opts = opts;
	t.n = ARRAY_LEN(opts);
	char *copy = xstrdup(line), *words[32];
	int n = 0;
	for (char *w = strtok(copy, " "); w && n < 32; w = strtok(NULL, " "))
		words[n++] = w;
	struct opt_args args;
	struct strbuf err = STRBUF_INIT, joined = STRBUF_INIT;
	int rc = opt_parse(&t, n, words, &args, &err);
	if (rc == 0) {
		assert_null(args.v[args.n]);
		for (size_t i = 0; i < args.n; i++)
			sb_addf(&joined, "%s%s", i ? "|" : "", args.v[i]);
		opt_args_release(&args);
	}
	*args_out = sb_detach(&joined);
	*err_out = sb_detach(&err);
	assert_true(nlines < ARRAY_LEN(lines));
	lines[nlines++] = copy;
	return rc;
}

static void expect_ok(const char *line, struct opt_table t, struct parsed *p, const char *args)
{
	char *a, *e;
	int rc = parse(line, t, p, &a, &e);
	assert_string_equal(e, "");
	assert_int_equal(rc, 0);
	assert_string_equal(a, args);
	free(a);
	free(e);
}

static void expect_error(const char *line, struct opt_table t, const char *message)
{
	struct parsed p = { 0 };
	char *a, *e;
	assert_int_equal(parse(line, t, &p, &a, &e), -1);
	assert_string_equal(e, message);
	free(a);
	free(e);
}

static void test_values_both_spellings_and_arguments_in_order(void **state)
{
	struct opt_table t = { 0 };
	struct parsed p = { 0 };
	expect_ok("a --out x.json b --check -q --mode=fast c", t, &p, "a|b|c");
	assert_true(p.check);
	assert_true(p.quiet);
	assert_string_equal(p.out, "x.json");
	assert_string_equal(p.mode, "fast");

	struct parsed q = { 0 };
	expect_ok("-o y -n7 --limit=8 --out=z -", t, &q, "-");
	assert_string_equal(q.out, "z");
	assert_int_equal(q.limit, 8);
	assert_false(q.check);

	struct parsed r = { 0 };
	expect_ok("-oattached --mode= --out --check", t, &r, "");
	assert_string_equal(r.mode, "");
	assert_string_equal(r.out, "--check"); /* a value is taken as it comes */
	assert_false(r.check);
}

static void test_double_dash_ends_options(void **state)
{
	struct opt_table t = { 0 };
	struct parsed p = { 0 };
	expect_ok("--check -- --quiet -x --", t, &p, "--quiet|-x|--");
	assert_true(p.check);
	assert_false(p.quiet);

	t.keep_rest = true;
	struct parsed q = { 0 };
	expect_ok("a -- --check", t, &q, "a|--|--check");
	assert_false(q.check);
}

static void test_unknown_options(void **state)
{
	struct opt_table t = { 0 };
	expect_error("a --bogus", t, "unknown option '--bogus'");
	expect_error("-x", t, "unknown option '-x'");
	expect_error("--check=yes", t, "unknown option '--check=yes'"); /* a flag takes no value */
	expect_error("-qv", t, "unknown option '-qv'");                 /* no clusters */
	expect_error("--chec", t, "unknown option '--chec'");           /* no abbreviations */
	t.unknown = "unknown option '%s' for fmt";
	expect_error("--x", t, "unknown option '--x' for fmt");

	t.pass_unknown = true;
	struct parsed p = { 0 };
	expect_ok("--bogus 1 --check=yes -q", t, &p, "--bogus|1|--check=yes");
	assert_true(p.quiet);
}

static void test_missing_values(void **state)
{
	struct opt_table t = { 0 };
	expect_error("--out", t, "option '--out' needs a file");
	expect_error("a -o", t, "option '-o' needs a file");
	expect_error("--mode", t, "option '--mode' needs a value");
	expect_error("-n", t, "option '-n' needs a number");
}

static void test_mistakes_are_reported_in_order(void **state)
{
	struct opt_table t = { 0 };
	expect_error("--limit x --bogus", t, "--limit takes a number, not 'x'");
	expect_error("--bogus --limit x", t, "unknown option '--bogus'");
	t.too_many = "takes no arguments (got '%s')";
	expect_error("a --bogus", t, "takes no arguments (got 'a')");
	expect_error("--bogus a", t, "unknown option '--bogus'");
}

static void test_too_many_arguments(void **state)
{
	struct opt_table t = { .too_many = "takes one file (got '%s' and '%s')", .max_args = 1 };
	struct parsed p = { 0 };
	expect_ok("--check one", t, &p, "one");
	expect_error("one --check two", t, "takes one file (got 'one' and 'two')");
	expect_error("one -- two", t, "takes one file (got 'one' and 'two')");

	t.max_args = 0;
	t.too_many = "takes no arguments";
	expect_error("--check x", t, "takes no arguments");
}

static void test_abbreviations_when_asked(void **state)
{
	struct opt_table t = { .abbrev = true };
	struct parsed p = { 0 };
	expect_ok("--ch --o=f --lim 3", t, &p, "");
	assert_true(p.check);
	assert_string_equal(p.out, "f");
	assert_int_equal(p.limit, 3);
	/* exact names win; a prefix of two names is no option */
	expect_error("--mo", t, "option '--mo' needs a value");
	struct parsed q = { 0 };
	expect_ok("--quiet", t, &q, "");
	assert_true(q.quiet);
	const struct opt twins[] = {
		OPT_FLAG("--once", NULL, &q.check),
		OPT_FLAG("--only", NULL, &q.quiet),
	};
	struct opt_table tt = { OPT_TABLE(twins), .abbrev = true };
	struct opt_args args;
	struct strbuf err = STRBUF_INIT;
	char *words[] = { "--on" };
	assert_int_equal(opt_parse(&tt, 1, words, &args, &err), -1);
	assert_string_equal(err.buf, "unknown option '--on'");
	sb_release(&err);
}

/* A taker for a list: the values joined by ','. */
static int take_item(void *arg, const char *value, struct strbuf *err)
{
	struct strbuf *list = arg;
	if (strcmp(value, "bad") == 0) {
		sb_addstr(err, "no 'bad' item");
		return -1;
	}
	sb_addf(list, "%s%s", list->len ? "," : "", value);
	return 0;
}

/* An option of many values takes the words after its value up to the next
 * option; after "=" only that one; each through its taker. */
static void test_many_values(void **state)
{
	(void)state;
	struct strbuf list = STRBUF_INIT;
	bool flag = false;
	const struct opt opts[] = {
		OPT_TAKE_MANY("--select", take_item, &list, "option '%s' needs a name"),
		OPT_FLAG("--check", NULL, &flag),
	};
	struct opt_table t = { OPT_TABLE(opts) };
	struct {
		const char *line, *items, *args, *err;
	} cases[] = {
		{ "--select a b c", "a,b,c", "", NULL },
		{ "x --select a b --check y", "a,b", "x|y", NULL },
		{ "--select a --select b", "a,b", "", NULL },
		{ "--select=a b", "a", "b", NULL },
		{ "--select a -- b", "a", "b", NULL },
		{ "--select", "", "", "option '--select' needs a name" },
		{ "--select a bad c", "a", "", "no 'bad' item" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *copy = xstrdup(cases[i].line), *words[8];
		int n = 0;
		for (char *w = strtok(copy, " "); w && n < 8; w = strtok(NULL, " "))
			words[n++] = w;
		struct opt_args args;
		struct strbuf err = STRBUF_INIT, joined = STRBUF_INIT;
		sb_reset(&list);
		int rc = opt_parse(&t, n, words, &args, &err);
		assert_int_equal(rc, cases[i].err ? -1 : 0);
		assert_string_equal(list.buf ? list.buf : "", cases[i].items);
		if (cases[i].err) {
			assert_string_equal(err.buf, cases[i].err);
		} else {
			for (size_t k = 0; k < args.n; k++)
				sb_addf(&joined, "%s%s", k ? "|" : "", args.v[k]);
			assert_string_equal(joined.buf ? joined.buf : "", cases[i].args);
			opt_args_release(&args);
		}
		sb_release(&err);
		sb_release(&joined);
		free(copy);
	}
	sb_release(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_both_spellings_and_arguments_in_order),
		cmocka_unit_test(test_double_dash_ends_options),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_mistakes_are_reported_in_order),
		cmocka_unit_test(test_too_many_arguments),
		cmocka_unit_test(test_abbreviations_when_asked),
		cmocka_unit_test(test_many_values),
	};
	return cmocka_run_group_tests(tests, NULL, free_lines);
}
