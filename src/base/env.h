/*
 * env.h — ${VAR} references in lac.yaml values, expanded only on use.
 *
 * `${NAME}` (NAME = [A-Za-z_][A-Za-z0-9_]*) is replaced by the variable's
 * value; `$${` is a literal `${`; any other `$` is kept as written.
 */
#ifndef LAC_ENV_H
#define LAC_ENV_H

#include <stddef.h>

#include "base/util.h"

/* 0 when value's ${...} references are well formed; otherwise -1 and
 * *bad_off is the byte offset of the offending "${". */
int env_check(const char *value, size_t *bad_off);
/* Expand value into the arena.  On an unset variable returns NULL and sets
 * *unset to its name (in the arena); a malformed reference is kept as is. */
char *env_expand(struct arena *a, const char *value, const char **unset);
/* Whether value contains a ${VAR} reference. */
int env_has_ref(const char *value);
/* Whether a ${VAR} in value (a path) is set to something with a ".." path
 * component, which would climb out of the directory the path names: 1 with
 * *name (in the arena) the first such variable, else 0. */
int env_path_climbs(struct arena *a, const char *value, const char **name);

#endif
