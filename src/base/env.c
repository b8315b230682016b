/*
 * env.c — expand ${VAR} references from the environment (see env.h).
 * Values are never copied anywhere but the result buffer, so no message can
 * quote a secret by accident.
 */
#include <stdlib.h>
#include <string.h>

#include "base/env.h"

static int is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Length of the name in "${NAME}" starting at s (pointing at '$'), or 0. */
static size_t ref_name_len(const char *s)
{
	if (s[0] != '$' || s[1] != '{' || !is_name_start(s[2]))
		return 0;
	size_t n = 1;
	while (is_name_char(s[2 + n]))
		n++;
	return s[2 + n] == '}' ? n : 0;
}

int env_check(const char *value, size_t *bad_off)
{
	for (const char *s = value; *s; s++) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			s += 2;
			continue;
		}
		if (s[0] == '$' && s[1] == '{' && !ref_name_len(s)) {
			*bad_off = (size_t)(s - value);
			return -1;
		}
	}
	return 0;
}

int env_has_ref(const char *value)
{
	for (const char *s = value; *s; s++) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			s += 2;
			continue;
		}
		if (ref_name_len(s))
			return 1;
	}
	return 0;
}

/* Does s hold ".." as a path component ("..", "../x", "x/..", "x/../y")? */
static int has_dotdot(const char *s)
{
	for (const char *p = strstr(s, ".."); p; p = strstr(p + 1, ".."))
		if ((p == s || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 1;
	return 0;
}

int env_path_climbs(struct arena *a, const char *value, const char **name)
{
	for (const char *s = value; *s; s++) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			s += 2;
			continue;
		}
		size_t n = ref_name_len(s);
		if (!n)
			continue;
		char *var = xstrndup(s + 2, n);
		const char *v = getenv(var);
		if (v && has_dotdot(v)) {
			*name = arena_strdup(a, var);
			free(var);
			return 1;
		}
		free(var);
		s += n + 2;
	}
	return 0;
}

char *env_expand(struct arena *a, const char *value, const char **unset)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *s = value; *s; s++) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			sb_addstr(&sb, "${");
			s += 2;
			continue;
		}
		size_t n = ref_name_len(s);
		if (!n) {
			sb_addch(&sb, *s);
			continue;
		}
		char *name = xstrndup(s + 2, n);
		const char *v = getenv(name);
		if (!v) {
			*unset = arena_strdup(a, name);
			free(name);
			sb_release(&sb);
			return NULL;
		}
		free(name);
		sb_addstr(&sb, v);
		s += n + 2;
	}
	char *out = arena_strndup(a, sb.buf, sb.len);
	sb_release(&sb);
	return out;
}
