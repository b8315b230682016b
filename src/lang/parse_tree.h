/*
 * parse_tree.h — how the grammar's actions (grammar/parser.y) build the
 * syntax tree of ast.h: nodes in the parse's arena, the settings of the
 * audience and activation being parsed, and the checks the parser reports
 * itself (bad numbers, dates, days, duplicate settings, nesting depth).
 *
 * parser.y keeps the grammar and one-line actions; everything here works on
 * the struct lac_parse of grammar/scanner.h.
 */
#ifndef LAC_PARSE_TREE_H
#define LAC_PARSE_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"

struct lac_parse;

/* Semantic values of the grammar's list rules. */
struct expr_list { struct ast_expr **v; size_t n; };
struct lit_list { struct literal *v; size_t n; };
struct name_list { const char **v; struct loc *locs; size_t n; };

/* From a's start to b's end. */
struct loc pt_span(struct loc a, struct loc b);

/* ---- expressions ---------------------------------------------------------- */

struct ast_expr *pt_expr(struct lac_parse *p, enum expr_kind k, struct loc l);
struct ast_expr *pt_binary(struct lac_parse *p, enum expr_kind k, struct ast_expr *lhs,
			   struct ast_expr *rhs, struct loc l);
struct ast_expr *pt_not(struct lac_parse *p, struct ast_expr *e, struct loc l);
struct ast_expr *pt_block(struct lac_parse *p, struct expr_list items, struct loc l);
/* Append e to a block's items, unless it is the rest of an item a syntax
 * error was just reported on. */
void pt_items_add(struct lac_parse *p, struct expr_list *items, struct ast_expr *e);

struct ast_expr *pt_entity(struct lac_parse *p, bool without, struct path path,
			   struct count_spec count, struct ast_expr *block, struct having having,
			   struct loc l);
struct ast_expr *pt_trait(struct lac_parse *p, bool without, struct path path,
			  struct predicate *pred, struct loc l);
struct ast_expr *pt_event(struct lac_parse *p, bool without, const char *name,
			  struct loc name_loc, struct count_spec count, struct window window,
			  struct ast_expr *block, struct having having, struct loc l);
struct ast_expr *pt_part_of(struct lac_parse *p, const char *audience, struct loc audience_loc,
			    enum using_kind using_, struct loc l);
struct ast_expr *pt_column(struct lac_parse *p, const char *column, struct loc column_loc,
			   struct predicate *pred, struct loc l);

struct predicate *pt_pred(struct lac_parse *p, enum pred_kind k, struct loc l);

/* ---- values ---------------------------------------------------------------- */

/* A whole number of 0 or more; a bad one is reported and becomes -1. */
long pt_int(struct lac_parse *p, const char *text, struct loc l);
/* A date, time or timestamp literal; its text is validated (E103). */
struct literal pt_typed_literal(struct lac_parse *p, enum lit_kind k, const char *text,
				struct loc text_loc);
/* `at HH:MM on days`; a bad time is reported (E400) and becomes hour -1. */
struct schedule pt_schedule_at(struct lac_parse *p, const char *clock, struct loc clock_loc,
			       unsigned days, struct loc l);
/* The bit of a day name (mon = 1, ... sun = 64); a bad one is reported, 0. */
unsigned pt_day_bit(struct lac_parse *p, const char *name, struct loc l);

struct path pt_path_one(struct lac_parse *p, const char *part, struct loc l);
void pt_path_add(struct lac_parse *p, struct path *path, const char *part, struct loc l);
struct name_list pt_names_one(struct lac_parse *p, const char *name, struct loc l);
void pt_names_add(struct lac_parse *p, struct name_list *names, const char *name, struct loc l);

/* ---- the audience being parsed --------------------------------------------
 * Each setting may be written once: a second one is reported (E317) at
 * item and left out. */

void pt_audience_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep);
void pt_audience_end(struct lac_parse *p, struct loc l);
/* name, description, folder */
void pt_audience_text(struct lac_parse *p, const char *what, const char **field,
		      struct loc *field_loc, const char *value, struct loc value_loc,
		      struct loc item);
/* path NULL for `target profile` */
void pt_audience_target(struct lac_parse *p, enum target_kind k, const struct path *path,
			struct loc target_loc, struct loc item);
void pt_audience_schedule(struct lac_parse *p, struct schedule s, struct loc item);
void pt_audience_enabled(struct lac_parse *p, bool on, struct loc value_loc, struct loc item);
/* Also cuts a block nested deeper than LAC_MAX_EXPR_DEPTH (E100). */
void pt_audience_where(struct lac_parse *p, struct ast_expr *block, struct loc keyword_loc,
		       struct loc item);

/* ---- the activation being parsed -------------------------------------------- */

void pt_activation_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep);
void pt_activation_end(struct lac_parse *p, struct loc l);
/* destination, event, identifier */
void pt_activation_text(struct lac_parse *p, const char *what, const char **field,
			struct loc *field_loc, const char *value, struct loc value_loc,
			struct loc item);
void pt_activation_trigger(struct lac_parse *p, enum trigger_kind t, struct loc trigger_loc,
			   struct loc item);
void pt_activation_enabled(struct lac_parse *p, bool on, struct loc value_loc, struct loc item);
void pt_activation_send_current(struct lac_parse *p, struct loc item);
void pt_activation_enrich_traits(struct lac_parse *p, struct name_list traits);
void pt_activation_enrich_path(struct lac_parse *p, struct path path, struct name_list columns,
			       struct loc l);
void pt_activation_map(struct lac_parse *p, const char *key, struct loc key_loc,
		       struct operand value, struct loc item);

/* ---- the alert being parsed -------------------------------------------------- */

void pt_alert_begin(struct lac_parse *p, const char *name, struct loc name_loc, bool keep);
void pt_alert_end(struct lac_parse *p, struct loc l);
/* destination: EVENT_HEALTH's, else NULL */
void pt_alert_kind(struct lac_parse *p, enum alert_kind k, const char *destination,
		   struct loc destination_loc);
void pt_alert_body(struct lac_parse *p, struct loc kind_loc, long threshold,
		   struct loc threshold_value_loc, struct loc threshold_loc,
		   struct name_list channels, struct loc notify_loc);

#endif
