/*
 * sql/srcmap.h — the source map of a generated statement: where each
 * condition's SQL lies and which entity each entity-row alias stands for
 * (filled by sql_membership through sql_options.map).  A warehouse error
 * that points into the statement (PostgreSQL's position) is then told at
 * the audience's condition, with `e3.type` written `pet.type` (SPEC §6).
 */
#ifndef LAC_SQL_SRCMAP_H
#define LAC_SQL_SRCMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "lang/ast.h"
#include "project/project.h"

struct sql_span {
	size_t start, end;         /* bytes [start, end) of the statement */
	struct loc loc;            /* the condition */
};
struct sql_alias {
	const char *alias, *name;  /* "e3" -> "pet"; "p1" -> "profile" */
};
struct sql_srcmap {
	struct sql_span *spans;
	size_t nspans, capspans;
	struct sql_alias *aliases;
	size_t naliases, capaliases;
	struct arena ar;
};
void sql_srcmap_release(struct sql_srcmap *m);
/* The innermost condition whose SQL holds byte offset off, or NULL. */
const struct sql_span *sql_srcmap_find(const struct sql_srcmap *m, size_t off);
/* text, with each "<alias>." of the map (not inside a longer name; in any
 * case, and quoted `alias`. or "alias". too) written "<name>.", appended
 * to out. */
void sql_srcmap_rename(const struct sql_srcmap *m, const char *text, struct strbuf *out);
/* "warehouse error in audience 'A' (FILE:LINE[:COL]): MSG" into out.  When
 * m is given and byte `at` of the statement lies in one of its conditions,
 * the message up to PostgreSQL's excerpt of the statement ("LINE n: ...")
 * gets the map's names (pet.type, not e3.type) and,
 * with file_locs (a's conditions were parsed from its file, not from the
 * applied canonical text, whose lines differ), the position is that
 * condition's; otherwise the audience's header, the message as written. */
void sql_warehouse_error(struct strbuf *out, struct project *p, const struct ast_audience *a,
			 const struct sql_srcmap *m, bool at_known, size_t at, bool file_locs,
			 const char *msg);

#endif
