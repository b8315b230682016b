/*
 * dest_kind.h — the settings each destination type takes in lac.yaml: its
 * keys, which are required, which one takes a mapping, their defaults.
 *
 * This is the key column of the table of destination types; the rest of
 * each row (how the settings become a dest_config, the driver) is
 * deliver/dest_types.c's.  It lives here because its first reader, the
 * lac.yaml loader, sits below deliver/ and may not include it.  The builtin
 * types are rows of dest_kind.c; a stdlib preset's row is read from
 * stdlib/destinations/<type>.yaml (project.c: load_preset).
 */
#ifndef LAC_DEST_KIND_H
#define LAC_DEST_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

struct dest_key {
	const char *name;
	bool required;
	bool map;                  /* takes a mapping (webhook headers) */
	const char *def;           /* the value when absent, or NULL */
	struct loc def_loc;        /* where def is written (a preset file), for messages */
};

struct dest_kind {
	const char *type;
	const struct dest_key *keys;
	size_t nkeys;
	bool values_changed;       /* may take `membership or values changed` (SPEC §3.5) */
};

/* The builtin type of that name, or NULL (a stdlib preset, or unknown). */
const struct dest_kind *dest_kind_builtin(const char *type);
/* Every builtin type, *n of them. */
const struct dest_kind *dest_kind_builtins(size_t *n);
/* The key of that name in k, or NULL. */
const struct dest_key *dest_kind_key(const struct dest_kind *k, const char *name);

#endif
