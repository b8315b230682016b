/* test_util.c — arena, strbuf, the "did you mean" distance, redaction of
 * secrets, UTF-8 checking and repair, and mkdir_parents. */
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

#include "base/self_dir.h"
#include "base/util.h"

static void test_strbuf_grows_and_detaches(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		sb_addf(&sb, "%d,", i);
	assert_true(sb.len > 3000);
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	sb_setlen(&sb, 2);
	assert_string_equal(sb.buf, "0,");
	char *s = sb_detach(&sb);
	assert_string_equal(s, "0,");
	assert_int_equal(sb.len, 0);
	free(s);
	sb_release(&sb);
}

static void test_arena_strings_and_growth(void **state)
{
	struct arena a = ARENA_INIT;
	char *s = arena_sprintf(&a, "%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	int *v = NULL;
	size_t n = 0;
	for (int i = 0; i < 5000; i++)
		ARENA_PUSH(&a, v, n, i);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(v[i], i);
	/* a big allocation does not lose the block being filled */
	char *big = arena_alloc(&a, 1 << 20);
	big[(1 << 20) - 1] = 'z';
	char *after = arena_strdup(&a, "after");
	assert_string_equal(after, "after");
	assert_string_equal(s, "x-42");
	arena_release(&a);
}

static void test_ident_is_plain(void **state)
{
	(void)state;
	assert_true(ident_is_plain("lac"));
	assert_true(ident_is_plain("_State_2"));
	assert_false(ident_is_plain(""));
	assert_false(ident_is_plain("2lac"));
	assert_false(ident_is_plain("lac-state"));
	assert_false(ident_is_plain("a\"b"));
	assert_false(ident_is_plain("é"));
}

static void test_edit_distance(void **state)
{
	assert_int_equal(edit_distance("type", "typ", 3), 1);
	assert_int_equal(edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(edit_distance("a", "abcdefgh", 3), 4); /* capped */
	const char *cands[] = { "id", "type", "age", "household_id" };
	assert_string_equal(closest_name("typ", cands, 4), "type");
	assert_null(closest_name("zzzzzz", cands, 4));
	struct strbuf sb = STRBUF_INIT;
	sb_add_did_you_mean(&sb, "typ", cands, 4);
	assert_string_equal(sb.buf, " (did you mean 'type'?)");
	sb_reset(&sb);
	sb_add_did_you_mean(&sb, "zzzzzz", cands, 4);
	assert_int_equal(sb.len, 0);
	sb_release(&sb);
}

static void test_shell_word(void **state)
{
	static const char *const cases[][2] = {
		{ "demo", "demo" },
		{ "../a/b-c_d.plan", "../a/b-c_d.plan" },
		{ "my dir", "'my dir'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME", "'$HOME'" },
		{ "", "''" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		sb_add_shell_word(&sb, cases[i][0]);
		assert_string_equal(sb.buf, cases[i][1]);
		sb_release(&sb);
	}
}

static void test_string_helpers(void **state)
{
	assert_true(str_eq(NULL, NULL));
	assert_false(str_eq("a", NULL));
	assert_true(str_starts("audience", "aud"));
	assert_true(str_ends("pets.lac", ".lac"));
	assert_false(str_ends("c", ".lac"));
}

static char *redacted(const char *text, const char *const *secrets, size_t n, size_t min, bool cut)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, text);
	sb_redact(&sb, secrets, n, min, cut);
	return sb_detach(&sb);
}

static void test_redact(void **state)
{
	const char *one[] = { "s3cret" };
	char *r = redacted("a s3cret b s3cret", one, 1, 3, false);
	assert_string_equal(r, "a [redacted] b [redacted]");
	free(r);
	/* overlapping occurrences: nothing of either survives */
	const char *ov[] = { "abcab" };
	r = redacted("x abcabcab y", ov, 1, 3, false);
	assert_string_equal(r, "x [redacted] y");
	free(r);
	/* a secret inside another, in either order: the longer one is gone whole */
	const char *sub[] = { "tok", "token123" };
	r = redacted("[token123] [tok]", sub, 2, 3, false);
	assert_string_equal(r, "[[redacted]] [[redacted]]");
	free(r);
	const char *sub2[] = { "token123", "tok" };
	r = redacted("token123!", sub2, 2, 3, false);
	assert_string_equal(r, "[redacted]!");
	free(r);
	/* empty, NULL and short secrets are skipped (no endless loop, no garbling) */
	const char *weak[] = { "", NULL, "ab" };
	r = redacted("abc", weak, 3, 0, false);
	assert_string_equal(r, "[redacted]c"); /* min 0 is taken as 1: "ab" counts, "" never */
	free(r);
	r = redacted("abc", weak, 3, 3, false);
	assert_string_equal(r, "abc");
	free(r);
	/* a secret that is (part of) the mark itself: no endless loop */
	const char *mark[] = { "[redacted]", "redact" };
	r = redacted("x [redacted] y", mark, 2, 3, false);
	assert_string_equal(r, "x [redacted] y");
	free(r);
	/* cut short: a tail that begins a secret is redacted, else left alone */
	const char *cut[] = { "supersecret" };
	r = redacted("error: super", cut, 1, 3, true);
	assert_string_equal(r, "error: [redacted]");
	free(r);
	r = redacted("error: super", cut, 1, 3, false);
	assert_string_equal(r, "error: super");
	free(r);
	r = redacted("plain text", cut, 1, 3, true);
	assert_string_equal(r, "plain text");
	free(r);
}

static void test_utf8(void **state)
{
	assert_true(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14));
	assert_false(utf8_valid("f\xFFo", 3));             /* not a UTF-8 byte */
	assert_false(utf8_valid("\xC0\xAF", 2));           /* overlong '/' */
	assert_false(utf8_valid("\xE0\x80\xAF", 3));       /* overlong, 3 bytes */
	assert_false(utf8_valid("\xED\xA0\x80", 3));       /* a UTF-16 surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80", 4));   /* over U+10FFFF */
	assert_false(utf8_valid("\xE2\x82", 2));           /* cut short */
	assert_int_equal(utf8_seq("\xE2\x82\xAC", 3), 3);
	assert_int_equal(utf8_seq("\x80", 1), 0);
	struct strbuf sb = STRBUF_INIT;
	sb_add_utf8(&sb, "f\xFFo", 3);
	assert_string_equal(sb.buf, "f\xEF\xBF\xBDo");
	sb_reset(&sb);
	/* each invalid byte is one U+FFFD; valid sequences around it are kept */
	sb_add_utf8(&sb, "\xE2\x82" "A\xC3\xA9", 5);
	assert_string_equal(sb.buf, "\xEF\xBF\xBD\xEF\xBF\xBD" "A\xC3\xA9");
	assert_true(utf8_valid(sb.buf, sb.len));
	sb_release(&sb);
}

static void test_mkdir_parents(void **state)
{
	char tmp[] = "/tmp/lac-util-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	struct strbuf err = STRBUF_INIT;
	struct stat st;
	/* the directories above a file, not the file */
	char *file = xasprintf("%s/a//b/c/file.txt", tmp);
	assert_int_equal(mkdir_parents(file, false, 0700, &err), 0);
	char *dir = xasprintf("%s/a/b/c", tmp);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_not_equal(stat(file, &st), 0);
	/* again: existing directories are fine */
	assert_int_equal(mkdir_parents(file, false, 0700, &err), 0);
	/* self: the path itself too, trailing slash or not */
	char *self = xasprintf("%s/x/y/", tmp);
	assert_int_equal(mkdir_parents(self, true, 0755, &err), 0);
	char *xy = xasprintf("%s/x/y", tmp);
	assert_int_equal(stat(xy, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(err.len, 0);
	/* a file in the way: a clear error naming it */
	char *blocker = xasprintf("%s/x/y/f", tmp);
	FILE *f = fopen(blocker, "w");
	assert_non_null(f);
	fclose(f);
	char *under = xasprintf("%s/x/y/f/g/h.txt", tmp);
	assert_int_equal(mkdir_parents(under, false, 0755, &err), -1);
	assert_non_null(strstr(err.buf, "cannot create directory"));
	assert_non_null(strstr(err.buf, "/x/y/f"));
	sb_reset(&err);
	assert_int_equal(mkdir_parents(blocker, true, 0755, &err), -1);
	assert_non_null(strstr(err.buf, "not a directory"));
	/* relative paths and bare names */
	assert_int_equal(mkdir_parents("file-in-cwd", false, 0755, &err), 0);
	char *cmd = xasprintf("rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(file);
	free(dir);
	free(self);
	free(xy);
	free(blocker);
	free(under);
	sb_release(&err);
}

/* exe_relative_dir: a directory beside the executable, or NULL. */
static void test_exe_relative_dir(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/lac-selfdir.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *bin = xasprintf("%s/bin", tmpl), *share = xasprintf("%s/share", tmpl);
	char *data = xasprintf("%s/share/lac", tmpl), *exe = xasprintf("%s/bin/lac", tmpl);
	assert_int_equal(mkdir(bin, 0700), 0);
	char *d = exe_relative_dir(exe, "../share/lac");
	assert_null(d); /* not there yet */
	assert_int_equal(mkdir(share, 0700), 0);
	assert_int_equal(mkdir(data, 0700), 0);
	d = exe_relative_dir(exe, "../share/lac");
	assert_non_null(d);
	char *want = xasprintf("%s/bin/../share/lac", tmpl);
	assert_string_equal(d, want);
	free(d);
	assert_null(exe_relative_dir("lac", "../share/lac")); /* no directory part */
	assert_null(exe_relative_dir(NULL, "x"));
	char *self = self_relative_dir(".");  /* the test program's own directory */
	assert_non_null(self);
	free(self);
	rmdir(data);
	rmdir(share);
	rmdir(bin);
	rmdir(tmpl);
	free(want);
	free(exe);
	free(data);
	free(share);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_grows_and_detaches),
		cmocka_unit_test(test_arena_strings_and_growth),
		cmocka_unit_test(test_ident_is_plain),
		cmocka_unit_test(test_exe_relative_dir),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_shell_word),
		cmocka_unit_test(test_string_helpers),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_mkdir_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
