/*
 * check_private.h — state shared by the checker's files: check.c (driver,
 * names, references between audiences, schedules), check_expr.c (where
 * clauses: scopes, types, operators), check_activation.c (activations),
 * check_alert.c (alerts) and
 * check_json_depth.c (E320, the warehouse's JSON path depth).
 */
#ifndef LAC_CHECK_PRIVATE_H
#define LAC_CHECK_PRIVATE_H

#include "check/check.h"

/* Per-audience bookkeeping that the AST has no field for. */
struct aud_info {
	struct ast_audience *aud;
	size_t nerrors;              /* errors reported against this audience */
	bool target_ok;              /* target resolved (or profile) */
	struct ast_expr **refexprs;  /* part of audience nodes that resolved */
	size_t nrefexprs, refcap;
	struct ast_expr **entities;  /* every resolved with entity node, pre-order */
	size_t nentities, entcap;
	int color;                   /* cycle search: 0 white, 1 grey, 2 black */
};

struct checker {
	struct project *p;
	struct diag_sink *d;
	struct arena *a;
	const struct graph *g;       /* NULL when the graph did not load */
	struct aud_info *infos;      /* one per audience, project order */
	size_t ninfos;
	struct aud_info **table;     /* open addressing by audience name */
	size_t tablecap;
	struct aud_info *cur;        /* the audience being checked */
};

/* Report an error against the current audience (counts it for ->ok). */
int cerr(struct checker *c, struct loc loc, enum diag_code code, const char *fmt, ...)
	LAC_PRINTF(4, 5);
struct aud_info *check_find_audience(const struct checker *c, const char *name);

/* Graph lookups (local so the checker depends only on graph.h's data). */
const struct relationship *check_rel_anywhere(const struct graph *g, const char *slug);
/* Hint: "did you mean" among the children of parent (NULL = first level). */
void check_hint_child(struct checker *c, const struct relationship *parent, const char *slug);
void check_hint_column(struct checker *c, const struct entity *e, const char *name);
void check_hint_trait(struct checker *c, const struct trait *traits, size_t n, const char *name);
/* Resolve one hop of a relationship path from parent, reporting E300/E301. */
const struct relationship *check_hop(struct checker *c, const struct relationship *parent,
				     const char *slug, struct loc loc);
/* "a.b.c" of a path, in the arena. */
const char *check_path_text(struct checker *c, const struct path *p);

void check_where(struct checker *c, struct ast_audience *a);
/* Resolve a part of audience node: E311, E313; records it for the cycle search. */
void check_audience_ref(struct checker *c, struct ast_expr *e);
void check_activation(struct checker *c, struct ast_audience *a, struct ast_activation *act);
/* The audience's alerts: names, threshold, channels, event_health's destination. */
void check_alerts(struct checker *c, struct ast_audience *a);
/* E320: trait key paths of a longer than warehouse t reads inside JSON. */
void check_json_depth(struct checker *c, const struct ast_audience *a, enum warehouse_type t);

#endif
