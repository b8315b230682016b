/*
 * check.h — the type checker (SPEC §2, §3.5): resolves every name in the
 * audience files against the data graph and lac.yaml, enforces scope, depth,
 * type, operator, count, schedule and activation rules, and fills the AST's
 * "sema" fields that the SQL generator relies on.
 */
#ifndef LAC_CHECK_H
#define LAC_CHECK_H

#include "project/project.h"

/* project_load, then the checker (without the graph's checks when it did
 * not load).  Problems go to p->diags; returns 0 if there were no errors. */
int check_load(struct project *p, const char *dir);

/* Check every audience of every parsed file.  Returns the number of errors. */
size_t check_project(struct project *p);

/* The most keys a path inside a JSON column may have on warehouse t (0: no
 * limit): Redshift's JSON_EXTRACT_PATH_TEXT reads five. */
size_t check_json_key_limit(enum warehouse_type t);

/* The limits of warehouse t (E320) for every audience, when t is not the
 * project's own warehouse (`lac compile -d redshift` of another project;
 * check_project covers its own).  Returns the number of errors reported. */
size_t check_warehouse_limits(struct project *p, enum warehouse_type t);

/* An audience by name, or NULL. */
struct ast_audience *project_audience(const struct project *p, const char *name);

/* "unknown audience 'x'", with "(did you mean 'y'?)" when an audience of p
 * is spelled close to it: malloc'd, one line. */
char *unknown_audience_error(const struct project *p, const char *name);

#endif
