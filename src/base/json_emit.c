/*
 * json_emit.c — compact, sorted-keys JSON text identical to jansson 2.14's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)), built
 * straight into a strbuf.  Each rule below copies one of jansson's
 * (dump.c, strconv.c, utf.c); tests/unit/test_json_emit.c compares the two
 * on edge cases and random trees.
 */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_emit.h"

/* ---- strings ------------------------------------------------------------------ */

/* Bytes jansson escapes: '"', '\\' and the controls below 0x20.  '/' and
 * non-ASCII go through as they are (no JSON_ESCAPE_SLASH/ENSURE_ASCII). */
static const bool escaped[256] = {
	[0x00] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x10] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

void json_emit_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF"; /* jansson: "\\u%04X" */
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len && !escaped[u[i]])
		i++;
	char *o = json_emit_reserve(sb, len + 2);
	*o++ = '"';
	memcpy(o, s, i);
	sb->len += i + 1;
	size_t run = i; /* start of the bytes not yet copied */
	for (; i < len; i++) {
		unsigned char c = u[i];
		if (!escaped[c])
			continue;
		json_emit_raw(sb, s + run, i - run);
		run = i + 1;
		char esc[6] = { '\\', 0 };
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		json_emit_raw(sb, esc, n);
	}
	json_emit_raw(sb, s + run, len - run);
	json_emit_ch(sb, '"');
}

json_t *json_text(const char *s, size_t n)
{
	if (utf8_valid(s, n))
		return json_stringn(s, n);
	struct strbuf fixed = STRBUF_INIT;
	sb_add_utf8(&fixed, s, n);
	json_t *j = json_stringn(fixed.buf, fixed.len);
	sb_release(&fixed);
	return j;
}

/* ---- numbers ------------------------------------------------------------------ */

static void emit_integer(struct strbuf *sb, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	/* through unsigned so that the most negative value negates cleanly */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	json_emit_raw(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/* jansson's jsonp_dtostr with precision 17. */
static void emit_real(struct strbuf *sb, double v)
{
	char buf[100];
	int ret = snprintf(buf, sizeof(buf), "%.17g", v);
	if (ret < 0 || (size_t)ret >= sizeof(buf))
		LAC_BUG("cannot format a real");
	size_t length = (size_t)ret;
	/* from_locale: the locale's decimal point back to '.' */
	const char *point = localeconv()->decimal_point;
	if (*point != '.') {
		char *pos = strchr(buf, *point);
		if (pos)
			*pos = '.';
	}
	/* a dot or an exponent, or it would read back as an integer */
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + length, ".0", 3);
		length += 2;
	}
	/* no '+' and no leading zeros in the exponent */
	char *start = strchr(buf, 'e');
	if (start) {
		start++;
		char *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, length - (size_t)(end - buf));
			length -= (size_t)(end - start);
		}
	}
	json_emit_raw(sb, buf, length);
}

/* ---- objects ------------------------------------------------------------------ */

int json_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	/* compare_keys of jansson's dump.c; most keys differ in the first byte */
	if (alen && blen && *a != *b)
		return (unsigned char)*a - (unsigned char)*b;
	int r = memcmp(a, b, alen < blen ? alen : blen);
	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

static int member_cmp(const void *pa, const void *pb)
{
	const struct json_member *a = pa, *b = pb;
	return json_key_cmp(a->key, a->len, b->key, b->len);
}

static void members_sort(struct json_member *m, size_t n)
{
	/* events' objects are small: insertion sort beats qsort's overhead */
	if (n > 24) {
		qsort(m, n, sizeof(*m), member_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct json_member x = m[i];
		size_t j = i;
		while (j > 0 && member_cmp(&m[j - 1], &x) > 0) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = x;
	}
}

size_t json_members_sorted(const json_t *obj, struct json_member *buf, size_t nbuf,
			   struct json_member **out)
{
	size_t n = json_object_size(obj);
	struct json_member *m = n <= nbuf ? buf : xmalloc(n * sizeof(*m));
	size_t i = 0;
	for (void *it = json_object_iter((json_t *)obj); it && i < n;
	     it = json_object_iter_next((json_t *)obj, it)) {
		m[i].key = json_object_iter_key(it);
		m[i].len = json_object_iter_key_len(it);
		m[i].value = json_object_iter_value(it);
		i++;
	}
	members_sort(m, i);
	*out = m;
	return i;
}

static void emit_object(struct strbuf *sb, const json_t *obj)
{
	struct json_member stack[32], *m;
	size_t n = json_members_sorted(obj, stack, ARRAY_LEN(stack), &m);
	json_emit_ch(sb, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			json_emit_ch(sb, ',');
		json_emit_string(sb, m[i].key, m[i].len);
		json_emit_ch(sb, ':');
		json_emit_sorted(sb, m[i].value);
	}
	json_emit_ch(sb, '}');
	if (m != stack)
		free(m);
}

void json_emit_sorted(struct strbuf *sb, const json_t *v)
{
	if (!v)
		LAC_BUG("no JSON value to emit");
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		emit_object(sb, v);
		break;
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		json_emit_ch(sb, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				json_emit_ch(sb, ',');
			json_emit_sorted(sb, json_array_get(v, i));
		}
		json_emit_ch(sb, ']');
		break;
	}
	case JSON_STRING:
		json_emit_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		emit_integer(sb, json_integer_value(v));
		break;
	case JSON_REAL:
		emit_real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		json_emit_raw(sb, "true", 4);
		break;
	case JSON_FALSE:
		json_emit_raw(sb, "false", 5);
		break;
	case JSON_NULL:
		json_emit_raw(sb, "null", 4);
		break;
	}
	sb->buf[sb->len] = '\0';
}
