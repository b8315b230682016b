/*
 * wh_kind.h — the settings each warehouse type takes in lac.yaml (SPEC
 * §1.1): its keys (only the HTTP types take `endpoint`), which are
 * required, and which keys are alternatives of which exactly one must be
 * given (the ways to authenticate).
 *
 * This is the settings column of the table of warehouse types; the rest of
 * each row (the dialect, the connector's open function) is
 * warehouse/warehouse_types.c's, as for destinations (dest_kind.h).  It
 * lives here because its reader, the lac.yaml loader, sits below
 * warehouse/.
 */
#ifndef LAC_WH_KIND_H
#define LAC_WH_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "project/project.h"

/* What a key's value must look like (checked at load unless it holds a ${VAR}). */
enum wh_value {
	WH_TEXT,       /* anything */
	WH_DURATION,   /* [0-9]+(ms|s|m|h) (duration_parse, DURATION_SETTING) */
	WH_COUNT,      /* a whole number >= 0 */
};

struct wh_key {
	const char *name;
	bool required;
	enum wh_value value;
};

/* One way to authenticate: these keys, given together (NULL-ended). */
struct wh_auth {
	const char *keys[3];
};

struct wh_kind {
	const char *type;            /* "snowflake" */
	enum warehouse_type id;
	const struct wh_key *keys;   /* every key but type */
	size_t nkeys;
	const struct wh_auth *auth;  /* exactly one of these; none when nauth is 0 */
	size_t nauth;
};

/* The type of that name, or NULL. */
const struct wh_kind *wh_kind_find(const char *type);
/* The row of a warehouse type. */
const struct wh_kind *wh_kind_of(enum warehouse_type id);
/* Every type, *n of them, in the order lac.yaml's docs list them. */
const struct wh_kind *wh_kinds(size_t *n);
/* The key of that name in k, or NULL. */
const struct wh_key *wh_kind_key(const struct wh_kind *k, const char *name);

#endif
