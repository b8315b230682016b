/*
 * yaml_doc.h — a YAML document as a tree of nodes that remember where they
 * were written, read with libyaml's event API.  lac.yaml and graph files are
 * small, so the whole tree is built first and then walked by the loaders.
 */
#ifndef LAC_YAML_DOC_H
#define LAC_YAML_DOC_H

#include "base/diag.h"

enum ynode_kind { YN_SCALAR, YN_MAPPING, YN_SEQUENCE };

struct ynode {
	enum ynode_kind kind;
	struct loc loc;
	const char *scalar;        /* YN_SCALAR */
	bool quoted;               /* scalar was written in quotes (so "1" stays a string) */
	struct ypair *pairs;       /* YN_MAPPING, in file order */
	size_t npairs;
	struct ynode **items;      /* YN_SEQUENCE */
	size_t nitems;
};

struct ypair {
	const char *key;
	struct loc key_loc;
	struct ynode *value;
};

/* Parse text (already registered as file_id).  Reports E002 / E009 and
 * returns NULL on a syntax error.  An empty document is an empty mapping. */
struct ynode *yaml_doc_parse(struct arena *a, struct diag_sink *d, uint32_t file_id,
			     const char *text, size_t len);
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* Do a and b hold the same value (kinds, scalars' text and quoting, each
 * key's value, items in order)? */
bool ynode_same(const struct ynode *a, const struct ynode *b);
const struct ypair *ynode_pair(const struct ynode *map, const char *key);

#endif
