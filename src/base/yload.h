/*
 * yload.h — small helpers the YAML loaders (lac.yaml, data graph, stdlib
 * destination presets) share: shape checks (E005), required keys (E004),
 * unknown keys with a "did you mean" hint (E003) and scalar conversion.
 */
#ifndef LAC_YLOAD_H
#define LAC_YLOAD_H

#include <stdbool.h>

#include "base/diag.h"
#include "base/yaml_doc.h"

/* "mapping", "list" or "value". */
const char *ynode_kind_name(enum ynode_kind k);
/* True when n has kind k; otherwise E005 "'what' must be a K, not a J". */
bool yexpect(struct diag_sink *d, const struct ynode *n, enum ynode_kind k, const char *what);
/* E003 for every key of map not in known[0..n) ("unknown key 'k' in where"). */
void ycheck_keys(struct diag_sink *d, const struct ynode *map, const char *const *known,
		 size_t n, const char *where);
/* The value of a required key, or NULL after E004 "missing key 'key' in where". */
const struct ynode *yrequire(struct diag_sink *d, const struct ynode *map, const char *key,
			     const char *where);
/* The scalar text of an optional key (NULL when absent or not a scalar: E005). */
const char *yget_str(struct diag_sink *d, const struct ynode *map, const char *key,
		     const char *what, struct loc *loc);
/* A scalar's text, or NULL after E005. */
const char *yscalar(struct diag_sink *d, const struct ynode *n, const char *what);
/* An unquoted integer scalar in [min, max]; otherwise E006 and false. */
bool yint(struct diag_sink *d, const struct ynode *n, const char *what, long min, long max,
	  long *out);
/* true/false (unquoted); otherwise E006 and false. */
bool ybool(struct diag_sink *d, const struct ynode *n, const char *what, bool *out);
/* A location covering only the first line of n (for "missing key" carets). */
struct loc yfirst_line(const struct ynode *n);

#endif
