/*
 * graph.h — the data graph: entities, the profile, its traits, external ids,
 * events and the tree of relationships (SPEC §2).
 *
 * Built by graph_load.c from YAML and validated there; after a successful
 * load every name is resolved to a pointer (relationship->entity, join
 * columns, ...), so later passes never look names up by string again.
 * Everything lives in the project's arena.
 */
#ifndef LAC_GRAPH_H
#define LAC_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"

struct graph;

enum col_type { TY_NUMBER, TY_STRING, TY_BOOLEAN, TY_DATE, TY_TIME, TY_TIMESTAMP, TY_OBJECT };
const char *col_type_name(enum col_type t);                /* "NUMBER" */
bool col_type_parse(const char *s, enum col_type *out);    /* exact upper-case names */

struct column {
	const char *name;
	enum col_type type;
	struct loc loc;
};

struct entity {
	const char *slug;
	const char *table;         /* as written: 1-3 dot-separated parts */
	const char *table_parts[3];
	size_t ntable_parts;
	const char *primary_key;
	const struct column *pk;   /* resolved */
	struct column *columns;
	size_t ncolumns;
	struct loc loc, table_loc, pk_loc;
};
const struct column *entity_column(const struct entity *e, const char *name);

/* A profile trait: a typed column of the profile table, or an OBJECT trait
 * stored as JSON in `column` with typed nested properties. */
struct trait {
	const char *name;
	enum col_type type;
	const char *column;        /* the profile table column (= name unless given) */
	struct trait *props;       /* OBJECT only: nested keys (may nest further) */
	size_t nprops;
	struct loc loc;
};
const struct trait *trait_prop(const struct trait *t, const char *key);

enum join_kind { JOIN_EXTERNAL_ID, JOIN_TRAIT, JOIN_ON, JOIN_JUNCTION };

struct relationship {
	const char *slug;
	const char *name;          /* display name (defaults to slug) */
	const char *entity_slug;
	struct entity *entity;     /* resolved */
	enum join_kind join;
	/* JOIN_EXTERNAL_ID: entity.join_key = an external id of type ext_type */
	const char *ext_type;
	/* JOIN_TRAIT: entity.join_key = profile trait `trait` */
	const struct trait *trait;
	const struct column *join_key;       /* EXTERNAL_ID, TRAIT: column of this entity */
	/* JOIN_ON: parent_col (of the parent entity) = child_col (of this entity) */
	const struct column *parent_col, *child_col;
	/* JOIN_JUNCTION: parent.pk = junction.left, junction.right = this.pk */
	struct entity *junction;
	const struct column *junction_left, *junction_right;

	struct relationship *parent; /* NULL for first-level relationships */
	struct relationship *children;
	size_t nchildren;
	int depth;                   /* profile = 1, first-level relationship = 2, ... */
	const char *path;            /* "households.pets" */
	struct loc loc;
};
/* Child (or, with parent NULL, first-level relationship) by slug. */
const struct relationship *relationship_child(const struct graph *g,
					      const struct relationship *parent, const char *slug);

struct event_def {
	const char *name;           /* "Order Completed" */
	struct column *props;
	size_t nprops;
	struct loc loc;
};

struct profile {
	const char *table;
	const char *table_parts[3];
	size_t ntable_parts;
	const char *id;              /* STRING key column */
	struct trait *traits;
	size_t ntraits;
	struct {
		bool present;
		const char *table, *id, *type, *value;
		const char *table_parts[3];
		size_t ntable_parts;
		struct loc loc;
	} external_ids;
	struct {
		bool present;
		const char *table, *id, *name, *timestamp, *properties;
		const char *table_parts[3];
		size_t ntable_parts;
		struct event_def *catalog;
		size_t ncatalog;
		struct loc loc;
	} events;
	struct relationship *relationships;
	size_t nrelationships;
	struct loc loc;
};
const struct trait *profile_trait(const struct profile *p, const char *name);
const struct event_def *profile_event(const struct profile *p, const char *name);

struct graph {
	int version;
	int max_depth;              /* default 6 */
	struct entity *entities;
	size_t nentities;
	struct profile profile;
};
struct entity *graph_entity(const struct graph *g, const char *slug);
/* Resolve a dotted path of relationship slugs from the profile; NULL if any hop is unknown. */
const struct relationship *graph_path(const struct graph *g, const char *const *slugs, size_t n);
/* Visit every relationship depth-first (pre-order). */
void graph_walk(const struct graph *g, void (*fn)(const struct relationship *, void *), void *arg);

#endif
