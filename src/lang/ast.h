/*
 * ast.h — the syntax tree of .lac files (SPEC §3.3).
 *
 * The parser fills the syntax fields; the checker (check.c) fills the fields
 * marked "sema" (resolved graph pointers, scopes, types).  Every node has a
 * location.  All nodes live in the project arena and are never freed one by one.
 *
 * Each kind enum is written once, as an X-macro list (X(ENUM, name, ...)):
 * the enum and its name table (ast.c) are both generated from it, so a kind
 * cannot be added to one and forgotten in the other.
 */
#ifndef LAC_AST_H
#define LAC_AST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "graph/graph.h"

struct ast_audience;
struct destination;

#define AST_ENUM_ITEM(e, ...) e,

/* X(ENUM, one, many, seconds) */
#define AST_TIME_UNITS(X)                              \
	X(UNIT_MINUTE, "minute", "minutes", 60)        \
	X(UNIT_HOUR, "hour", "hours", 3600)            \
	X(UNIT_DAY, "day", "days", 86400)              \
	X(UNIT_WEEK, "week", "weeks", 604800)
enum time_unit { AST_TIME_UNITS(AST_ENUM_ITEM) };
const char *time_unit_name(enum time_unit u, long amount); /* "day" / "days" */
long time_unit_seconds(enum time_unit u);

/* X(ENUM, name); a typed literal's name is also the keyword written before it */
#define AST_LIT_KINDS(X)                \
	X(LIT_STRING, "string")         \
	X(LIT_NUMBER, "number")         \
	X(LIT_BOOL, "boolean")          \
	X(LIT_DATE, "date")             \
	X(LIT_TIME, "time")             \
	X(LIT_TIMESTAMP, "timestamp")
enum lit_kind { AST_LIT_KINDS(AST_ENUM_ITEM) };
const char *lit_kind_name(enum lit_kind k); /* "string", ..., "date" */

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

/* X(ENUM, text as written) */
#define AST_CMP_OPS(X)                  \
	X(CMP_EQ, "=")                  \
	X(CMP_NE, "!=")                 \
	X(CMP_LT, "<")                  \
	X(CMP_GT, ">")                  \
	X(CMP_LE, "<=")                 \
	X(CMP_GE, ">=")
enum cmp_op { AST_CMP_OPS(AST_ENUM_ITEM) };
const char *cmp_op_text(enum cmp_op op); /* "=", "!=", ... */

/* X(ENUM, operator as written); a comparison's operator is its cmp_op */
#define AST_PRED_KINDS(X)                          \
	X(PRED_CMP, NULL)                          \
	X(PRED_CONTAINS, "contains")               \
	X(PRED_NOT_CONTAINS, "not contains")       \
	X(PRED_STARTS_WITH, "starts with")         \
	X(PRED_ENDS_WITH, "ends with")             \
	X(PRED_IN, "in")                           \
	X(PRED_NOT_IN, "not in")                   \
	X(PRED_BETWEEN, "between")                 \
	X(PRED_IS_NULL, "is null")                 \
	X(PRED_IS_NOT_NULL, "is not null")         \
	X(PRED_WITHIN_LAST, "within last")         \
	X(PRED_WITHIN_NEXT, "within next")         \
	X(PRED_BEFORE_LAST, "before last")         \
	X(PRED_AFTER_NEXT, "after next")
enum pred_kind { AST_PRED_KINDS(AST_ENUM_ITEM) };

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
const char *pred_op_text(const struct predicate *p); /* "<=", "not contains", ... */

enum count_kind { COUNT_DEFAULT, COUNT_AT_LEAST, COUNT_AT_MOST, COUNT_EXACTLY };
struct count_spec {
	enum count_kind kind;      /* COUNT_DEFAULT means "at least 1", nothing written */
	long n;
	struct loc loc;
};

/* X(ENUM, function name as written) */
#define AST_AGG_KINDS(X)                \
	X(AGG_COUNT, "count")           \
	X(AGG_SUM, "sum")               \
	X(AGG_AVG, "avg")               \
	X(AGG_MIN, "min")               \
	X(AGG_MAX, "max")
enum agg_kind { AST_AGG_KINDS(AST_ENUM_ITEM) };
const char *agg_name(enum agg_kind k); /* "count", ... */
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

/* X(ENUM, name) */
#define AST_EXPR_KINDS(X)                                                      \
	X(EX_AND, "and")                /* `a and b` */                        \
	X(EX_OR, "or")                  /* `a or b` */                         \
	X(EX_NOT, "not")                /* `not a` */                          \
	X(EX_BLOCK, "block")            /* `{ ... }`: the AND of its items */  \
	X(EX_ANY, "any")                /* `any { ... }` (OR) */               \
	X(EX_ALL, "all")                /* `all { ... }` (AND) */              \
	X(EX_ENTITY, "entity")          /* `with entity ...` */                \
	X(EX_TRAIT, "trait")            /* `with trait ...` */                 \
	X(EX_EVENT, "event")            /* `with event ...` */                 \
	X(EX_AUDIENCE, "audience")      /* `part of audience ...` */           \
	X(EX_COLUMN, "column")          /* `column predicate` */
enum expr_kind { AST_EXPR_KINDS(AST_ENUM_ITEM) };
const char *expr_kind_name(enum expr_kind k); /* "and", ..., "column" */

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

/* X(ENUM, name as written after `trigger`) */
#define AST_TRIGGER_KINDS(X)                                                   \
	X(TRIG_NONE, "none")                                                   \
	X(TRIG_PROFILE_ENTERED, "profile entered")                             \
	X(TRIG_PROFILE_EXITED, "profile exited")                               \
	X(TRIG_ENTITY_ADDED, "entity added")                                   \
	X(TRIG_ENTITY_REMOVED, "entity removed")                               \
	X(TRIG_ENTITY_ENTERED, "entity entered")                               \
	X(TRIG_ENTITY_EXITED, "entity exited")                                 \
	X(TRIG_MEMBERSHIP_CHANGED, "membership changed")                       \
	X(TRIG_MEMBERSHIP_OR_VALUES_CHANGED, "membership or values changed")
enum trigger_kind { AST_TRIGGER_KINDS(AST_ENUM_ITEM) };
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

/* X(ENUM, name as written after `kind`) */
#define AST_ALERT_KINDS(X)                         \
	X(ALERT_SIZE_CHANGE, "size_change")        \
	X(ALERT_EVENT_HEALTH, "event_health")
enum alert_kind { AST_ALERT_KINDS(AST_ENUM_ITEM) };
const char *alert_kind_name(enum alert_kind k); /* "size_change" */

/* `alert NAME { kind K threshold N percent notify C, ... }` (SPEC §5 Alerts). */
struct ast_alert {
	const char *name;
	struct loc loc, name_loc;
	enum alert_kind kind;
	struct loc kind_loc;           /* `kind ...` through its destination */
	const char *destination;       /* EVENT_HEALTH: the destination watched */
	struct loc destination_loc;
	long threshold;                /* percent; -1 for a number the parser reported */
	struct loc threshold_loc, threshold_value_loc;
	const char **channels;         /* `notify`, as written */
	struct loc *channel_locs;
	size_t nchannels;
	struct loc notify_loc;
	struct ast_audience *audience;
	bool syntax_error;             /* the body did not parse: only the name is known */
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
	struct ast_alert **alerts;
	size_t nalerts;
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
