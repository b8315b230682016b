/*
 * test_lexer.c — the scanner of .lac files and the token filter in front of
 * the parser: tokens, decoded strings, locations, comments, and every lexical
 * error with its exact message and position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "scanner.h"

static struct arena arena;
static struct source_set ss;
static struct diag_sink sink;
static struct lac_parse lp;
static struct strbuf out;

static int setup(void **state)
{
	memset(&arena, 0, sizeof(arena));
	source_set_init(&ss);
	diag_sink_init(&sink, &ss);
	sb_init(&out);
	return 0;
}

static int teardown(void **state)
{
	lac_parse_release(&lp);
	diag_sink_release(&sink);
	source_set_release(&ss);
	arena_release(&arena);
	sb_release(&out);
	return 0;
}

static void start_n(const char *text, size_t len)
{
	lac_parse_release(&lp);
	lac_parse_init(&lp, &arena, &sink, 1, "t.lac", text, len);
}

static void start(const char *text)
{
	start_n(text, strlen(text));
}

/* Every token up to the end as "kind@line:col-end_col", kinds by name. */
static const char *tokens(void)
{
	LAC_GRAM_STYPE v;
	struct loc l;
	int k;

	sb_reset(&out);
	while ((k = lac_gram_lex(&v, &l, &lp)) != 0) {
		const char *name;
		switch (k) {
		case T_IDENT: name = "ID"; break;
		case T_STRING: name = "STR"; break;
		case T_NUMBER: name = "NUM"; break;
		case T_CLOCK: name = "CLOCK"; break;
		case T_NOT_LA: name = "NOT_LA"; break;
		case T_EQ: name = "="; break;
		case T_NE: name = "!="; break;
		case T_LE: name = "<="; break;
		case T_GE: name = ">="; break;
		case T_LT: name = "<"; break;
		case T_GT: name = ">"; break;
		default: name = NULL; break;
		}
		if (out.len)
			sb_addch(&out, ' ');
		if (name)
			sb_addstr(&out, name);
		else if (k < 256)
			sb_addch(&out, (char)k);
		else
			sb_addf(&out, "kw:%s", v.str);
		if (k == T_IDENT || k == T_NUMBER || k == T_CLOCK)
			sb_addf(&out, "(%s)", v.str);
		sb_addf(&out, "@%u:%u-%u", l.line, l.col, l.end_col);
	}
	return out.buf;
}

static const char *diags(void)
{
	static struct strbuf sb = STRBUF_INIT;
	sb_reset(&sb);
	for (size_t i = 0; i < sink.n; i++) {
		const struct diag *g = &sink.items[i];
		sb_addf(&sb, "%u:%u-%u:%u %s %s\n", g->loc.line, g->loc.col, g->loc.end_line,
			g->loc.end_col, diag_code_name(g->code), g->message);
	}
	return sb.buf;
}

/* The decoded value of the one string token in text. */
static const char *string_value(const char *text)
{
	LAC_GRAM_STYPE v;
	struct loc l;
	start(text);
	int k = lac_gram_lex(&v, &l, &lp);
	assert_int_equal(k, T_STRING);
	return v.str;
}

static void test_tokens_and_locations(void **state)
{
	start("audience a_1 {\n\twhere { x >= -1.50 y != 2 z <= 3 w < 4 v > 5 } }");
	assert_string_equal(tokens(),
		"kw:audience@1:1-9 ID(a_1)@1:10-13 {@1:14-15 "
		"kw:where@2:2-7 {@2:8-9 ID(x)@2:10-11 >=@2:12-14 NUM(-1.50)@2:15-20 "
		"ID(y)@2:21-22 !=@2:23-25 NUM(2)@2:26-27 ID(z)@2:28-29 <=@2:30-32 NUM(3)@2:33-34 "
		"ID(w)@2:35-36 <@2:37-38 NUM(4)@2:39-40 ID(v)@2:41-42 >@2:43-44 NUM(5)@2:45-46 "
		"}@2:47-48 }@2:49-50");
	assert_string_equal(diags(), "");
}

static void test_clock_and_punctuation(void **state)
{
	start("schedule at 08:30 on mon, tue a.b ( )");
	assert_string_equal(tokens(),
		"kw:schedule@1:1-9 kw:at@1:10-12 CLOCK(08:30)@1:13-18 kw:on@1:19-21 ID(mon)@1:22-25 "
		",@1:25-26 ID(tue)@1:27-30 ID(a)@1:31-32 .@1:32-33 ID(b)@1:33-34 (@1:35-36 )@1:37-38");
}

static void test_keywords_sorted_and_found(void **state)
{
	static const char *const words[] = {
#define KW(t, tok, cat) t,
#include "keywords.def"
#undef KW
	};
	for (size_t i = 1; i < ARRAY_LEN(words); i++)
		assert_true(strcmp(words[i - 1], words[i]) < 0);
	for (size_t i = 0; i < ARRAY_LEN(words); i++) {
		const char *text = NULL;
		assert_int_not_equal(lac_keyword(words[i], strlen(words[i]), &text), T_IDENT);
		assert_string_equal(text, words[i]);
	}
	const char *text = NULL;
	assert_int_equal(lac_keyword("Audience", 8, &text), T_IDENT); /* keywords are lower-case */
	assert_int_equal(lac_keyword("audiences", 9, &text), T_IDENT);
	assert_int_equal(lac_keyword("a_very_long_identifier_name", 27, &text), T_IDENT);
	assert_int_equal(lac_keyword("with", 4, &text), T_WITH);
}

static void test_filter(void **state)
{
	/* a keyword before a comparison is a name; `not` after a name and
	 * before contains/in ( is NOT_LA */
	start("type = count >= x not contains y not in ( not in = 3");
	assert_string_equal(tokens(),
		"ID(type)@1:1-5 =@1:6-7 ID(count)@1:8-13 >=@1:14-16 ID(x)@1:17-18 NOT_LA@1:19-22 "
		"kw:contains@1:23-31 ID(y)@1:32-33 NOT_LA@1:34-37 kw:in@1:38-40 (@1:41-42 "
		"kw:not@1:43-46 ID(in)@1:47-49 =@1:50-51 NUM(3)@1:52-53");
	/* keywords as columns where a condition starts, and only there */
	start("{ x not contains 1 y not in ( not in ( not in in ( in in ( x is null is is null "
	      "within last 3 days not x = 1 }");
	assert_string_equal(tokens(),
		"{@1:1-2 ID(x)@1:3-4 NOT_LA@1:5-8 kw:contains@1:9-17 NUM(1)@1:18-19 ID(y)@1:20-21 "
		"NOT_LA@1:22-25 kw:in@1:26-28 (@1:29-30 ID(not)@1:31-34 kw:in@1:35-37 (@1:38-39 "
		"kw:not@1:40-43 ID(in)@1:44-46 kw:in@1:47-49 (@1:50-51 ID(in)@1:52-54 kw:in@1:55-57 "
		"(@1:58-59 ID(x)@1:60-61 kw:is@1:62-64 kw:null@1:65-69 ID(is)@1:70-72 kw:is@1:73-75 "
		"kw:null@1:76-80 kw:within@1:81-87 kw:last@1:88-92 NUM(3)@1:93-94 kw:days@1:95-99 "
		"kw:not@1:100-103 ID(x)@1:104-105 =@1:106-107 NUM(1)@1:108-109 }@1:110-111");
	/* the lookahead stops cleanly at the end */
	start("not");
	assert_string_equal(tokens(), "kw:not@1:1-4");
	start("x not in (");
	assert_string_equal(tokens(), "ID(x)@1:1-2 NOT_LA@1:3-6 kw:in@1:7-9 (@1:10-11");
}

static void test_strings(void **state)
{
	assert_string_equal(string_value("\"plain\""), "plain");
	assert_string_equal(string_value("\"a\\\"b\\\\c\\nd\\te\""), "a\"b\\c\nd\te");
	assert_string_equal(string_value("\"\\u00e9\\u20AC\""), "\xc3\xa9\xe2\x82\xac");
	assert_string_equal(string_value("\"\\ud83d\\ude00!\""), "\xf0\x9f\x98\x80!");
	assert_string_equal(string_value("\"caf\xc3\xa9 # not a comment\""), "caf\xc3\xa9 # not a comment");
	assert_string_equal(string_value("\"\""), "");
	assert_string_equal(diags(), "");
}

static void test_string_errors(void **state)
{
	start("\"a\\qb\" \"\\u12\" \"\\ud800x\" \"\\udc00\" \"\\u0000\" \"\\ud800\\u0041\"\n"
	      "\"open\n"
	      "\"tail\\");
	tokens();
	assert_string_equal(diags(),
		"1:3-1:5 E102 unknown escape '\\q' in string\n"
		"1:9-1:11 E102 invalid escape '\\u': expected 4 hex digits\n"
		"1:16-1:22 E102 lone surrogate '\\ud800' in string\n"
		"1:26-1:32 E102 lone surrogate '\\udc00' in string\n"
		"1:35-1:41 E102 '\\u0000' is not allowed in a string\n"
		"1:44-1:50 E102 lone surrogate '\\ud800' in string\n"
		"2:1-2:6 E102 unterminated string\n"
		"3:1-3:7 E102 unterminated string\n");
	assert_string_equal(sink.items[0].hints[0], "the escapes are \\\" \\\\ \\n \\t and \\uXXXX");
	assert_string_equal(sink.items[6].hints[0],
			    "a string ends with '\"' on the same line; write \\n for a line break");
	/* the value keeps what decoded */
	assert_string_equal(string_value("\"x\\qy\""), "xy");
	assert_string_equal(string_value("\"x\\ud800\\u0041\""), "xA");
}

static void test_bad_bytes(void **state)
{
	static const char text[] = "a @ \xc3\xa9 \xff b\x01 \"x\xc3(\" # \xfe\n$ \0 c";
	start_n(text, sizeof(text) - 1);
	assert_string_equal(tokens(), "ID(a)@1:1-2 ID(b)@1:10-11 STR@1:13-18 ID(c)@2:5-6");
	assert_string_equal(diags(),
		"1:3-1:4 E101 unexpected character '@'\n"
		"1:5-1:7 E101 unexpected character '\xc3\xa9'\n"
		"1:8-1:9 E101 invalid UTF-8 byte 0xff\n"
		"1:11-1:12 E101 unexpected character U+0001\n"
		"1:15-1:16 E101 invalid UTF-8 byte 0xc3\n"
		"1:21-1:22 E101 invalid UTF-8 byte 0xfe\n"
		"2:1-2:2 E101 unexpected character '$'\n"
		"2:3-2:4 E101 unexpected character U+0000\n");
}

static void test_nul_in_comment(void **state)
{
	/* a NUL would cut short the comment lac fmt keeps */
	start_n("a # x\r\0y\nb", 10);
	assert_string_equal(tokens(), "ID(a)@1:1-2 ID(b)@2:1-2");
	assert_string_equal(diags(), "1:7-1:8 E101 NUL byte in comment\n");
}

static void test_overlong_and_surrogate_utf8(void **state)
{
	/* C0 80 (overlong NUL), ED A0 80 (an encoded surrogate), F4 90 (> U+10FFFF) */
	start("\"\xc0\x80\" \"\xed\xa0\x80\" \"\xf4\x90\x80\x80\"");
	tokens();
	assert_string_equal(diags(),
		"1:2-1:3 E101 invalid UTF-8 byte 0xc0\n"
		"1:3-1:4 E101 invalid UTF-8 byte 0x80\n"
		"1:7-1:8 E101 invalid UTF-8 byte 0xed\n"
		"1:8-1:9 E101 invalid UTF-8 byte 0xa0\n"
		"1:9-1:10 E101 invalid UTF-8 byte 0x80\n"
		"1:13-1:14 E101 invalid UTF-8 byte 0xf4\n"
		"1:14-1:15 E101 invalid UTF-8 byte 0x90\n"
		"1:15-1:16 E101 invalid UTF-8 byte 0x80\n"
		"1:16-1:17 E101 invalid UTF-8 byte 0x80\n");
}

static void test_numbers(void **state)
{
	start("0 -7 12.25 007 1. 12abc 1.2.3 -");
	assert_string_equal(tokens(),
		"NUM(0)@1:1-2 NUM(-7)@1:3-5 NUM(12.25)@1:6-11 NUM(007)@1:12-15 NUM(0)@1:16-18 "
		"NUM(0)@1:19-24 NUM(0)@1:25-30");
	assert_string_equal(diags(),
		"1:16-1:18 E103 malformed number '1.'\n"
		"1:19-1:24 E103 malformed number '12abc'\n"
		"1:25-1:30 E103 malformed number '1.2.3'\n"
		"1:31-1:32 E101 unexpected character '-'\n");
}

static void test_comments(void **state)
{
	start("# first\n  # second\r\naudience a { # trailing\n}#end");
	assert_string_equal(tokens(), "kw:audience@3:1-9 ID(a)@3:10-11 {@3:12-13 }@4:1-2");
	struct ast_file *f = lp.file;
	assert_int_equal(f->ncomments, 4);
	assert_string_equal(f->comments[0].text, "# first");
	assert_true(f->comments[0].own_line);
	assert_string_equal(f->comments[1].text, "# second");
	assert_true(f->comments[1].own_line);
	assert_int_equal(f->comments[1].loc.col, 3);
	assert_int_equal(f->comments[1].loc.end_col, 11);
	assert_string_equal(f->comments[2].text, "# trailing");
	assert_false(f->comments[2].own_line);
	assert_int_equal(f->comments[2].loc.line, 3);
	assert_int_equal(f->comments[2].loc.col, 14);
	assert_string_equal(f->comments[3].text, "#end");
	assert_false(f->comments[3].own_line);
}

static void test_empty_input(void **state)
{
	start("");
	assert_string_equal(tokens(), "");
	start("   \n\n# only a comment");
	assert_string_equal(tokens(), "");
	assert_int_equal(lp.file->ncomments, 1);
	assert_int_equal(lp.file->comments[0].loc.line, 3);
	struct ast_file *f = parse_source(&arena, &sink, 1, "e.lac", NULL, 0);
	assert_non_null(f);
	assert_int_equal(f->naudiences, 0);
	assert_string_equal(diags(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tokens_and_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_and_punctuation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keywords_sorted_and_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nul_in_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_and_surrogate_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
