/*
 * yload.c — shape checks and conversions shared by the YAML loaders.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/yload.h"

const char *ynode_kind_name(enum ynode_kind k)
{
	switch (k) {
	case YN_MAPPING: return "mapping";
	case YN_SEQUENCE: return "list";
	case YN_SCALAR: return "value";
	}
	return "value";
}

bool yexpect(struct diag_sink *d, const struct ynode *n, enum ynode_kind k, const char *what)
{
	if (n->kind == k)
		return true;
	diag_error(d, yfirst_line(n), DIAG_E005, "'%s' must be a %s, not a %s", what,
		   ynode_kind_name(k), ynode_kind_name(n->kind));
	return false;
}

void ycheck_keys(struct diag_sink *d, const struct ynode *map, const char *const *known,
		 size_t n, const char *where)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const char *k = map->pairs[i].key;
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(known[j], k) == 0)
				break;
		if (j < n)
			continue;
		diag_error(d, map->pairs[i].key_loc, DIAG_E003, "unknown key '%s' in %s", k, where);
		diag_hint_closest(d, k, known, n);
	}
}

struct loc yfirst_line(const struct ynode *n)
{
	struct loc l = n->loc;
	if (l.end_line != l.line) {
		l.end_line = l.line + 1; /* the caret runs to the end of the first line */
		l.end_col = 1;
	}
	return l;
}

const struct ynode *yrequire(struct diag_sink *d, const struct ynode *map, const char *key,
			     const char *where)
{
	const struct ynode *v = ynode_get(map, key);
	if (!v)
		diag_error(d, yfirst_line(map), DIAG_E004, "missing key '%s' in %s", key, where);
	return v;
}

const char *yscalar(struct diag_sink *d, const struct ynode *n, const char *what)
{
	return yexpect(d, n, YN_SCALAR, what) ? n->scalar : NULL;
}

const char *yget_str(struct diag_sink *d, const struct ynode *map, const char *key,
		     const char *what, struct loc *loc)
{
	const struct ynode *v = ynode_get(map, key);
	if (!v)
		return NULL;
	if (loc)
		*loc = v->loc;
	return yscalar(d, v, what);
}

bool yint(struct diag_sink *d, const struct ynode *n, const char *what, long min, long max,
	  long *out)
{
	if (!yexpect(d, n, YN_SCALAR, what))
		return false;
	char *end;
	errno = 0;
	long v = strtol(n->scalar, &end, 10);
	if (n->quoted || n->scalar[0] == '\0' || *end || errno || v < min || v > max) {
		diag_error(d, n->loc, DIAG_E006, "'%s' must be a whole number from %ld to %ld, not '%s'",
			   what, min, max, n->scalar);
		return false;
	}
	*out = v;
	return true;
}

bool ybool(struct diag_sink *d, const struct ynode *n, const char *what, bool *out)
{
	if (!yexpect(d, n, YN_SCALAR, what))
		return false;
	if (!n->quoted && strcmp(n->scalar, "true") == 0) {
		*out = true;
		return true;
	}
	if (!n->quoted && strcmp(n->scalar, "false") == 0) {
		*out = false;
		return true;
	}
	diag_error(d, n->loc, DIAG_E006, "'%s' must be true or false, not '%s'", what, n->scalar);
	return false;
}
