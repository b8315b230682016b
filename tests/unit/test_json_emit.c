/* test_json_emit.c — json_emit_sorted against jansson's own json_dumps
 * (compact, sorted keys, precision 17), byte for byte: edge cases, then
 * thousands of random trees from a fixed seed; the UTF-8 check against
 * json_stringn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_emit.h"

#define FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY)

/* Emit v after a prefix (appending must keep it) and compare with json_dumps. */
static void check(const json_t *v)
{
	char *want = json_dumps(v, FLAGS);
	assert_non_null(want);
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "<<");
	json_emit_sorted(&sb, v);
	assert_int_equal(sb.len, strlen(want) + 2);
	assert_memory_equal(sb.buf, "<<", 2);
	if (strcmp(sb.buf + 2, want) != 0)
		fail_msg("json_emit_sorted differs from json_dumps:\n got  %s\n want %s", sb.buf + 2, want);
	assert_int_equal(sb.buf[sb.len], '\0');
	sb_release(&sb);
	free(want);
}

static void check_new(json_t *v)
{
	assert_non_null(v);
	check(v);
	json_decref(v);
}

static void test_scalars(void **state)
{
	check_new(json_null());
	check_new(json_true());
	check_new(json_false());
	static const json_int_t ints[] = { 0, 1, -1, 9, 10, -10, 123456789, INT32_MAX, INT32_MIN,
					   (json_int_t)INT32_MAX + 1, INT64_MAX, INT64_MIN,
					   INT64_MIN + 1, 1000000000000000000LL };
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		check_new(json_integer(ints[i]));
	static const double reals[] = {
		0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.0 / 3.0, 1e300, -1e300, 1e-300, 5e-324,
		DBL_MAX, -DBL_MAX, DBL_MIN, DBL_EPSILON, 123456789012345678.0, 1e16, 1e17, 1e21,
		1e-5, 1e-4, 0.001, 100.0, 1e15, 12345.678, 3.141592653589793, -2.5e-10, 9007199254740993.0,
	};
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		check_new(json_real(reals[i]));
}

static void test_strings(void **state)
{
	static const char *const strs[] = {
		"", "a", "hello world", "\"", "\\", "/", "a/b", "\"\\\"", "\b\f\n\r\t",
		"\x01\x02\x1f\x7f", "tab\there", "caf\xc3\xa9", "\xe2\x82\xac euro", "\xf0\x9f\x90\xb6 dog",
		"\xef\xbf\xbf", "mixed \x1b[0m \xc3\xa9\n\"q\"", "\xe2\x80\xa8\xe2\x80\xa9",
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		check_new(json_string(strs[i]));
	/* every control byte, alone and inside text */
	for (int c = 0; c < 0x80; c++) {
		char s[4] = { 'x', (char)c, 'y', 0 };
		check_new(json_stringn(s, 3));
		check_new(json_stringn(s + 1, 1));
	}
	/* embedded NUL */
	check_new(json_stringn("a\0b", 3));
	check_new(json_stringn("\0", 1));
}

static void test_containers(void **state)
{
	check_new(json_object());
	check_new(json_array());
	check_new(json_loads("[[], {}, [[]], {\"a\": {}}, [{\"b\": [1, 2.5, \"x\"]}]]", 0, NULL));
	check_new(json_pack("{s:i, s:i, s:i, s:i}", "b", 1, "a", 2, "B", 3, "", 4));
	check_new(json_pack("{s:s, s:s, s:s}", "ab", "x", "a", "y", "abc", "z"));
	check_new(json_pack("{s:{s:[i, f, s, b, n]}, s:o}", "z", "y", 1, 0.25, "s", 1, "a",
			    json_pack("{s:s}", "caf\xc3\xa9", "\xc3\xa9t\xc3\xa9")));
	/* keys needing escapes, non-ASCII keys (byte order: UTF-8 after ASCII) */
	check_new(json_pack("{s:i, s:i, s:i, s:i, s:i}", "\"q", 1, "back\\slash", 2, "new\nline", 3,
			    "\xc3\xa9", 4, "z", 5));
	/* keys with an embedded NUL sort by bytes, then length, like jansson */
	json_t *o = json_object();
	json_object_setn_new(o, "a\0b", 3, json_true());
	json_object_set_new(o, "a", json_false());
	json_object_set_new(o, "ab", json_null());
	json_object_setn_new(o, "a\0", 2, json_integer(7));
	check_new(o);
	/* more members than the stack array and than the insertion sort takes */
	for (int n = 20; n <= 200; n += 30) {
		o = json_object();
		for (int i = 0; i < n; i++) {
			char k[16];
			snprintf(k, sizeof(k), "k%d", (i * 7919) % n);
			json_object_set_new(o, k, json_integer(i));
		}
		check_new(o);
	}
}

/* ---- random trees --------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	/* xorshift64*: deterministic across platforms */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

/* UTF-8 of a codepoint (no surrogates); returns the byte count. */
static size_t utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A random valid UTF-8 text of up to max codepoints; *len gets its bytes. */
static char *random_text(unsigned max, size_t *len)
{
	unsigned n = below(max + 1);
	char *s = malloc((size_t)n * 4 + 1);
	size_t k = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t cp;
		switch (below(8)) {
		case 0: cp = below(0x20); break;                  /* controls, NUL too */
		case 1: cp = "\"\\/ 'ab"[below(7)]; break;         /* escapes and friends */
		case 2: cp = 0x80 + below(0x780); break;          /* 2 bytes */
		case 3: cp = 0x800 + below(0xD800 - 0x800); break; /* 3 bytes */
		case 4: cp = 0x10000 + below(0x100000); break;    /* 4 bytes */
		case 5: cp = 0x7F; break;
		default: cp = 0x20 + below(0x5F); break;           /* printable ASCII */
		}
		k += utf8(cp, s + k);
	}
	s[k] = '\0';
	*len = k;
	return s;
}

static double random_real(void)
{
	switch (below(4)) {
	case 0: {
		double d;
		uint64_t bits;
		do {
			bits = next();
			memcpy(&d, &bits, sizeof(d));
		} while (!isfinite(d));
		return d;
	}
	case 1:
		return (double)(int64_t)next() / 1000.0;
	case 2:
		return (double)below(1000000) / (double)(1 + below(1000));
	default:
		return ldexp((double)below(1 << 20), (int)below(200) - 100);
	}
}

static json_int_t random_int(void)
{
	switch (below(3)) {
	case 0: return (json_int_t)next();
	case 1: return (json_int_t)below(2001) - 1000;
	default: return (json_int_t)(next() >> below(64));
	}
}

static json_t *random_value(int depth)
{
	unsigned kind = below(depth > 0 ? 9 : 6);
	size_t len;
	char *s;
	json_t *v;
	switch (kind) {
	case 0: return json_null();
	case 1: return json_boolean(below(2));
	case 2: return json_integer(random_int());
	case 3: return json_real(random_real());
	case 4:
	case 5:
		s = random_text(12, &len);
		v = json_stringn(s, len);
		free(s);
		return v;
	case 6:
		v = json_array();
		for (unsigned i = below(6); i > 0; i--)
			json_array_append_new(v, random_value(depth - 1));
		return v;
	default:
		v = json_object();
		for (unsigned i = below(below(8) ? 8 : 40); i > 0; i--) {
			s = random_text(below(4) ? 3 : 8, &len);
			json_object_setn_new(v, s, len, random_value(depth - 1));
			free(s);
		}
		return v;
	}
}

static void test_random_trees(void **state)
{
	rng = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4000; i++) {
		json_t *v = random_value(1 + (int)below(5));
		assert_non_null(v);
		check(v);
		json_decref(v);
	}
}

/* utf8_valid agrees with jansson's check (json_stringn). */
static void test_utf8_valid(void **state)
{
	rng = 12345;
	static const char *const fixed[] = { "\xc0\x80", "\xc1\xbf", "\xc2\x80", "\xed\xa0\x80",
					     "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80",
					     "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf5\x80\x80\x80",
					     "\x80", "\xe2\x82", "a\xff" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		json_t *j = json_string(fixed[i]);
		assert_int_equal(utf8_valid(fixed[i], strlen(fixed[i])), j != NULL);
		json_decref(j);
	}
	for (int i = 0; i < 20000; i++) {
		unsigned char s[8];
		size_t n = below(sizeof(s) + 1);
		for (size_t k = 0; k < n; k++) {
			unsigned r = below(4);
			/* mostly lead and continuation bytes, to reach the corner cases */
			s[k] = (unsigned char)(r == 0 ? below(0x80) : r == 1 ? 0x80 + below(0x40)
								 : 0xC0 + below(0x40));
		}
		json_t *j = json_stringn((const char *)s, n);
		if (utf8_valid((const char *)s, n) != (j != NULL))
			fail_msg("utf8 check differs from jansson on case %d", i);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
