/*
 * sql/gen.h — SQL for audiences (SPEC §3.4, §4): the membership SELECT of an
 * audience and the matched-entities SELECT of a relationship path (§5), in
 * any dialect.  The generator reads only checked ASTs (the "sema" fields)
 * and the validated graph; user text reaches SQL only as escaped literals.
 */
#ifndef LAC_SQL_GEN_H
#define LAC_SQL_GEN_H

#include <stdbool.h>

#include "lang/ast.h"
#include "graph/graph.h"
#include "sql/dialect.h"
#include "sql/srcmap.h"
#include "sql/tables.h"
#include "project/project.h"
#include "base/util.h"

struct sql_options {
	const struct dialect *d;
	/* The reference time, normalised "YYYY-MM-DD HH:MM:SS" (sql_normalize_now),
	 * or NULL to use the dialect's current-time expression. */
	const char *now;
	/* Schema of lac's own tables in the warehouse (snapshots); the project default when NULL. */
	const char *schema;
	/* Whether the snapshot of `ref` exists; NULL means "assume it does"
	 * (compile).  When it returns false the reference is computed from the
	 * audience's conditions and on_fallback is called. */
	bool (*snapshot_exists)(void *arg, const struct ast_audience *ref);
	void (*on_fallback)(void *arg, const struct ast_audience *from, const struct ast_audience *ref);
	void *arg;
	/* When set, sql_membership records where each condition went. */
	struct sql_srcmap *map;
};

/* Append the membership SELECT of a (one column, member_id) to out: no
 * comment, no trailing semicolon.  a must have been checked without errors. */
void sql_membership(struct strbuf *out, const struct graph *g, const struct ast_audience *a,
		    const struct sql_options *o);

/* Append the SELECT of (member_id, entity_id) pairs for the matched entities
 * of `path` (SPEC §5).  Returns false (and appends nothing) when no positive
 * `with entity` of the audience has that full path. */
bool sql_matched(struct strbuf *out, const struct graph *g, const struct ast_audience *a,
		 const char *path, const struct sql_options *o);

/* The full relationship paths (from the profile) of the audience's positive
 * `with entity` conditions, each once, in source order: *out is malloc'd
 * (NULL when none); returns the count. */
size_t sql_matched_paths(const struct ast_audience *a, const char ***out);


/* "2025-01-31T08:30:00Z", "2025-01-31 08:30:00", "2025-01-31T08:30:00.5Z"
 * -> "2025-01-31 08:30:00" (fractions are kept).  False when malformed. */
bool sql_normalize_now(const char *in, char out[40]);

/* The audience's file as shown in SQL comments and warehouse errors:
 * relative to the project directory. */
const char *sql_audience_path(const struct project *p, const struct ast_audience *a);

#endif
