/*
 * json_emit.h — fast compact JSON text with sorted object keys, byte for
 * byte what json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
 * JSON_REAL_PRECISION(17)) of jansson 2.14 prints, appended to a strbuf.
 *
 * jansson allocates, qsorts and re-looks-up every key of every object it
 * dumps; events are dumped once each, so that cost is per event
 * (event.c).  The pieces are exposed so a caller can emit an object
 * member by member without building a json_t tree first.
 */
#ifndef LAC_JSON_EMIT_H
#define LAC_JSON_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"

/* Room for n more bytes at the end of sb (the small appends below are
 * inline: emitting is mostly punctuation). */
static inline char *json_emit_reserve(struct strbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->alloc)
		sb_grow(sb, n);
	return sb->buf + sb->len;
}

static inline void json_emit_raw(struct strbuf *sb, const char *p, size_t n)
{
	memcpy(json_emit_reserve(sb, n), p, n);
	sb->len += n;
}

static inline void json_emit_ch(struct strbuf *sb, char c)
{
	*json_emit_reserve(sb, 1) = c;
	sb->len++;
}

/* Append the serialization of v.  jansson's strings are valid UTF-8 (it
 * checks on creation); bytes of an unchecked (_nocheck) string are copied
 * as they are, where json_dumps would fail. */
void json_emit_sorted(struct strbuf *sb, const json_t *v);

/* Append s[0..len) as a JSON string, quotes included (jansson's escaping). */
void json_emit_string(struct strbuf *sb, const char *s, size_t len);

/* A JSON string of s[0..n): bytes that are not valid UTF-8 (warehouse text,
 * a path, a .lac literal) become U+FFFD, since jansson refuses them. */
json_t *json_text(const char *s, size_t n);
static inline json_t *json_text0(const char *s) { return json_text(s, strlen(s)); }

/* jansson's JSON_SORT_KEYS order: bytes of the common prefix, then length. */
int json_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* One object member, for emitting an object's members in sorted order. */
struct json_member {
	const char *key;
	size_t len;
	json_t *value;
};

/* The members of obj sorted by key, in buf when they fit in nbuf, else in a
 * malloc'd array; returns the count and sets *out (free it when != buf). */
size_t json_members_sorted(const json_t *obj, struct json_member *buf, size_t nbuf,
			   struct json_member **out);

#endif
