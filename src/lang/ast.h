/*
 * ast.h — the syntax tree of .lac files (SPEC §3.3).
 *
 * The parser fills the syntax fields; the checker (check.c) fills the fields
 * marked "sema" (resolved graph pointers, scopes, types).  Every node has a
 * location.  All nodes live in the project arena and are never freed one by one.
 */
#ifndef LAC_AST_H
#define LAC_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "graph/graph.h"

struct ast_audience;
struct destination;

enum time_unit { UNIT_MINUTE, UNIT_HOUR, UNIT_DAY, UNIT_WEEK };
const char *time_unit_name(enum time_unit u, long amount); /* "day" / "days" */
long time_unit_seconds(enum time_unit u);

enum lit_kind { LIT_STRING, LIT_NUMBER, LIT_BOOL, LIT_DATE, LIT_TIME, LIT_TIMESTAMP };

struct literal {
	enum lit_kind kind;
	/* STRING: the decoded UTF-8 value (escapes resolved; may contain any byte but NUL).
	 * NUMBER: the digits as written ("-12.50").  DATE/TIME/TIMESTAMP: the text inside
	 * the quotes, validated by the parser ("2025-01-31", "08:30:00", "2025-01-31T08:30:00Z"). */
	const char *text;
	bool boolean;              /* BOOL */
	struct loc loc;
};

enum ref_kind { REF_NONE, REF_TRAIT, REF_COLUMN };

/* Right side of a predicate: a literal, `trait.a.b`, or `slug.column`. */
struct operand {
	enum ref_kind ref;         /* REF_NONE: a literal */
	struct literal lit;
	const char **trait_path;   /* REF_TRAIT: trait name, then nested keys */
	size_t ntrait_path;
	const char *slug, *column; /* REF_COLUMN */
	struct loc loc;
	/* sema */
	const struct trait *trait;       /* REF_TRAIT: the (nested) trait */
	const struct trait *trait_root;  /* REF_TRAIT: its top-level trait */
	const struct column *col;        /* REF_COLUMN */
	struct ast_expr *scope;          /* REF_COLUMN: the enclosing `with entity` it names */
	enum col_type type;              /* the operand's type */
};

enum cmp_op { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };
const char *cmp_op_text(enum cmp_op op); /* "=", "!=", ... */

enum pred_kind {
	PRED_CMP, PRED_CONTAINS, PRED_NOT_CONTAINS, PRED_STARTS_WITH, PRED_ENDS_WITH,
	PRED_IN, PRED_NOT_IN, PRED_BETWEEN, PRED_IS_NULL, PRED_IS_NOT_NULL,
	PRED_WITHIN_LAST, PRED_WITHIN_NEXT, PRED_BEFORE_LAST, PRED_AFTER_NEXT
};

struct predicate {
	enum pred_kind kind;
	enum cmp_op cmp;           /* PRED_CMP */
	struct operand rhs;        /* CMP, CONTAINS, NOT_CONTAINS, STARTS_WITH, ENDS_WITH */
	struct literal *list;      /* IN, NOT_IN */
	size_t nlist;
	struct literal lo, hi;     /* BETWEEN (inclusive) */
	long amount;               /* relative time forms */
	enum time_unit unit;
	struct loc loc;            /* the operator through the last operand */
};

enum count_kind { COUNT_DEFAULT, COUNT_AT_LEAST, COUNT_AT_MOST, COUNT_EXACTLY };
struct count_spec {
	enum count_kind kind;      /* COUNT_DEFAULT means "at least 1", nothing written */
	long n;
	struct loc loc;
};

enum agg_kind { AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX };
struct having {
	bool present;
	enum agg_kind agg;
	const char *column;        /* NULL for count() */
	struct loc column_loc;
	enum cmp_op cmp;
	struct literal value;
	struct loc loc;
	const struct column *col;  /* sema: entity column or event property */
};

enum window_kind { WIN_NONE, WIN_WITHIN_LAST, WIN_BETWEEN_AGO };
struct window {
	enum window_kind kind;
	long a, b;                 /* within last a unit; between a and b unit ago */
	enum time_unit unit;
	struct loc loc;
};

/* A dotted name: relationship slugs, or a trait then its nested keys. */
struct path {
	const char **parts;
	struct loc *part_locs;
	size_t n;
	struct loc loc;
};

enum expr_kind {
	EX_AND, EX_OR, EX_NOT,         /* `a and b`, `a or b`, `not a` */
	EX_BLOCK,                      /* `{ ... }`: the AND of its items */
	EX_ANY, EX_ALL,                /* `any { ... }` (OR), `all { ... }` (AND) */
	EX_ENTITY, EX_TRAIT, EX_EVENT, EX_AUDIENCE, EX_COLUMN
};

enum using_kind { USING_DEFAULT, USING_CONDITIONS, USING_MEMBERSHIP };

struct ast_expr {
	enum expr_kind kind;
	struct loc loc;
	bool parens;                   /* written inside ( ) */

	struct ast_expr *lhs, *rhs;    /* AND, OR; NOT uses lhs */
	struct ast_expr **items;       /* BLOCK, ANY, ALL */
	size_t nitems;

	bool negated;                  /* `without ...`, `not part of audience` */
	struct path path;              /* ENTITY: relationship path; TRAIT: trait path */
	struct count_spec count;       /* ENTITY, EVENT */
	struct ast_expr *block;        /* ENTITY, EVENT: EX_BLOCK or NULL */
	struct having having;          /* ENTITY, EVENT */
	struct predicate *pred;        /* TRAIT (NULL = "is not null"), COLUMN */
	const char *event_name;        /* EVENT: decoded string */
	struct loc event_name_loc;
	struct window window;          /* EVENT */
	const char *audience;          /* AUDIENCE */
	struct loc audience_loc;
	enum using_kind using_;        /* AUDIENCE */
	const char *column;            /* COLUMN */
	struct loc column_loc;

	/* sema */
	int id;                                /* unique within the audience, from 1 */
	const struct relationship **rels;      /* ENTITY: one per hop; rels[nrels-1] is the last */
	size_t nrels;
	const struct trait *trait;             /* TRAIT: the (nested) trait */
	const struct trait *trait_root;        /* TRAIT: its top-level trait */
	const struct column *col;              /* COLUMN: the scope entity's column;
						  EVENT block COLUMN: the property (see event_prop) */
	bool event_prop;                       /* COLUMN inside an event block */
	const struct event_def *event;         /* EVENT: catalog entry (NULL if not declared) */
	struct ast_audience *ref;              /* AUDIENCE: the referenced audience */
	struct ast_expr *scope;                /* the enclosing ENTITY/EVENT node; NULL = target */
	bool positive;                         /* not under not/without (for entity triggers) */
};

enum target_kind { TARGET_PROFILE, TARGET_ENTITY };

enum schedule_kind { SCHED_DEFAULT, SCHED_MANUAL, SCHED_EVERY, SCHED_AT };
struct schedule {
	enum schedule_kind kind;       /* SCHED_DEFAULT: nothing written (behaves as manual) */
	long every;                    /* EVERY: amount */
	enum time_unit unit;           /* EVERY */
	int hour, minute;              /* AT, UTC */
	unsigned days;                 /* AT: bit 0 = mon ... bit 6 = sun */
	struct loc loc;
};

enum trigger_kind {
	TRIG_NONE,
	TRIG_PROFILE_ENTERED, TRIG_PROFILE_EXITED,
	TRIG_ENTITY_ADDED, TRIG_ENTITY_REMOVED,
	TRIG_ENTITY_ENTERED, TRIG_ENTITY_EXITED,
	TRIG_MEMBERSHIP_CHANGED, TRIG_MEMBERSHIP_OR_VALUES_CHANGED
};
const char *trigger_name(enum trigger_kind t); /* "profile entered" */

struct enrich_path {
	struct path path;
	const char **columns;
	struct loc *column_locs;
	size_t ncolumns;
	struct loc loc;
	/* sema */
	const struct relationship **rels;
	size_t nrels;
	const struct column **cols;
};

struct map_entry {
	const char *key;               /* "properties.x" */
	struct loc key_loc;
	struct operand value;          /* string literal, or a trait / slug.column reference */
	struct loc loc;
};

struct ast_activation {
	const char *name;
	struct loc loc, name_loc;
	const char *destination;
	struct loc destination_loc;
	enum trigger_kind trigger;
	struct path trigger_path;      /* ENTITY_ADDED / ENTITY_REMOVED */
	struct loc trigger_loc;
	const char *event;             /* `event "X"`: NULL = default name */
	struct loc event_loc;
	const char *identifier;
	struct loc identifier_loc;
	const char **enrich_traits;
	struct loc *enrich_trait_locs;
	size_t nenrich_traits;
	struct enrich_path *enrich_paths;
	size_t nenrich_paths;
	bool send_current;
	struct loc send_current_loc;
	struct map_entry *maps;
	size_t nmaps;
	int enabled;                   /* -1 not written, else 0/1 */
	struct loc enabled_loc;
	struct ast_audience *audience;
	/* sema */
	const struct destination *dest;
	const struct trait **enrich_trait_defs;
	const struct relationship **trigger_rels;
	size_t ntrigger_rels;
	bool syntax_error;             /* an item did not parse (and was left out) */
};

struct ast_audience {
	const char *name;
	struct loc loc, name_loc;      /* loc: the whole `audience ... { }` */
	const char *display_name, *description, *folder;
	struct loc display_name_loc, description_loc, folder_loc;
	enum target_kind target;
	struct path target_path;       /* TARGET_ENTITY */
	struct loc target_loc;
	struct schedule schedule;
	int enabled;                   /* -1 not written, else 0/1 */
	struct loc enabled_loc;
	struct ast_expr *where;        /* EX_BLOCK, or NULL when no where was written */
	struct loc where_loc;
	struct ast_activation **activations;
	size_t nactivations;
	struct ast_file *file;
	/* The parser recovered from a syntax error inside: the audience is kept
	 * so that its other items are checked, but it is never ok.  An error
	 * outside its activations may have cost a where item (where_incomplete):
	 * checks that need the whole where (trigger paths) are skipped. */
	bool syntax_error;
	bool where_incomplete;
	/* sema */
	const struct relationship **target_rels;
	size_t ntarget_rels;
	struct ast_audience **refs;    /* audiences named by part of audience */
	size_t nrefs;
	int nexprs;                    /* ids handed out to expressions */
	bool ok;                       /* checked without errors */
};

struct ast_comment {
	const char *text;              /* from '#' to end of line, without the newline */
	struct loc loc;
	bool own_line;                 /* nothing but blanks before it on its line */
};

struct ast_file {
	const char *path;
	uint32_t file_id;
	struct ast_audience **audiences;
	size_t naudiences;
	struct ast_comment *comments;
	size_t ncomments;
};

#endif
