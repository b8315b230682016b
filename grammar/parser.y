/*
 * parser.y — the grammar of .lac files (SPEC §3.3), building the syntax tree
 * of ast.h in the parse's arena.
 *
 * Pure (api.pure full), all state in struct lac_parse.  Tokens come from the
 * filter lac_gram_lex() in src/lang/parse.c, which rewrites the few places where
 * one token of lookahead is not enough, so the grammar is LALR(1) with no
 * conflicts: resolve new ones with precedence or the filter, never %expect.
 * Actions only build nodes; names and types are the checker's business.
 * Recovery: `error` at audience items, activation items, block items, inside
 * parentheses and in a bad audience or activation header.
 */
%require "3.6"
%define api.pure full
%define api.prefix {lac_gram_}
%define api.token.prefix {T_}
%define api.location.type {struct loc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {struct lac_parse *p}

%code requires {
#include "lang/ast.h"
struct lac_parse;
struct expr_list { struct ast_expr **v; size_t n; };
struct lit_list { struct literal *v; size_t n; };
struct name_list { const char **v; struct loc *locs; size_t n; };
}

%code {
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scanner.h"
#include "base/time.h"
#include "base/util.h"

#define yylex lac_gram_lex
#define YYMALLOC xmalloc
#define YYFREE free
/* Deeper input is "nested too deeply" rather than a crash. */
#define YYMAXDEPTH 10000

/* A node spans from its first to its last symbol; an empty rule is an empty
 * span at the end of what came before. */
#define YYLLOC_DEFAULT(cur, rhs, n)                                     \
	do {                                                            \
		if (n) {                                                \
			(cur) = YYRHSLOC(rhs, 1);                       \
			(cur).end_line = YYRHSLOC(rhs, n).end_line;     \
			(cur).end_col = YYRHSLOC(rhs, n).end_col;       \
		} else {                                                \
			(cur) = YYRHSLOC(rhs, 0);                       \
			(cur).line = (cur).end_line;                    \
			(cur).col = (cur).end_col;                      \
		}                                                       \
	} while (0)

static void yyerror(const struct loc *l, struct lac_parse *p, const char *msg);
static struct loc span(struct loc a, struct loc b);
static struct ast_expr *new_expr(struct lac_parse *p, enum expr_kind k, struct loc l);
static struct ast_expr *new_binary(struct lac_parse *p, enum expr_kind k,
				   struct ast_expr *l, struct ast_expr *r, struct loc loc);
static struct ast_expr *new_block(struct lac_parse *p, enum expr_kind k,
				  struct expr_list items, struct loc l);
static struct predicate *new_pred(struct lac_parse *p, enum pred_kind k, struct loc l);
static struct literal lit_typed(struct lac_parse *p, enum lit_kind k, const char *text, struct loc l);
static long to_int(struct lac_parse *p, const char *text, struct loc l);
static struct path path_one(struct lac_parse *p, const char *s, struct loc l);
static void path_add(struct lac_parse *p, struct path *path, const char *s, struct loc l);
static bool dup_setting(struct lac_parse *p, bool seen, const char *what, struct loc first,
			struct loc here);
static bool dup_act_setting(struct lac_parse *p, bool seen, const char *what, struct loc first,
			    struct loc here);
static void begin_audience(struct lac_parse *p, const char *name, struct loc l, bool keep);
static void end_audience(struct lac_parse *p, struct loc l);
static void begin_activation(struct lac_parse *p, const char *name, struct loc l, bool keep);
static void end_activation(struct lac_parse *p, struct loc l);
static void check_depth(struct lac_parse *p, struct ast_expr *e);
static unsigned day_bit(struct lac_parse *p, const char *s, struct loc l);
}

%union {
	const char *str;
	long num;
	bool flag;
	unsigned days;
	struct ast_expr *expr;
	struct expr_list exprs;
	struct predicate *pred;
	struct path path;
	struct literal lit;
	struct lit_list lits;
	struct name_list names;
	struct operand opnd;
	struct count_spec count;
	struct window win;
	struct having having;
	struct schedule sched;
	enum time_unit unit;
	enum cmp_op cmp;
	enum agg_kind agg;
	enum using_kind using_;
	enum trigger_kind trig;
}

%token <str> IDENT "identifier" STRING "string" NUMBER "number" CLOCK "time of day"
%token EQ "=" NE "!=" LT "<" GT ">" LE "<=" GE ">="
/* `not` right before `contains` or `in` (set by the token filter) */
%token <str> NOT_LA "not (before contains or in)"

/* keywords: one per line of keywords.def; their names in messages come
 * from that list too (token_name) */
%token <str> ACTIVATION ADDED AFTER AGO ALL AND ANY AT AUDIENCE AVG BEFORE BETWEEN CHANGED
%token <str> CONDITIONS CONTAINS COUNT CURRENT DATE DAY DAYS DESCRIPTION DESTINATION ENABLED
%token <str> ENDS ENRICH ENTERED ENTITY EVENT EVERY EXACTLY EXITED FALSE FOLDER HAVING HOUR
%token <str> HOURS IDENTIFIER IN IS LAST LEAST MANUAL MAP MAX MEMBERSHIP MIN MINUTE MINUTES
%token <str> MOST NAME NEXT NOT NULL OF ON OR PART PROFILE REMOVED SCHEDULE SEND STARTS SUM
%token <str> TARGET TIME TIMESTAMP TRAIT TRAITS TRIGGER TRUE USING VALUES WEEK WEEKS WHERE WITH
%token <str> WITHIN WITHOUT

%left OR
%left AND
%precedence NOT

%type <str> name_ident slug_ident col_ident
%type <expr> expr condition block opt_block
%type <exprs> items
%type <pred> predicate opt_pred
%type <path> path
%type <lit> literal
%type <lits> lit_list
%type <names> name_list
%type <opnd> operand ref
%type <count> opt_count
%type <win> opt_window
%type <having> opt_having
%type <sched> schedule
%type <unit> unit
%type <cmp> cmp
%type <agg> agg
%type <using_> opt_using
%type <trig> trigger
%type <num> int
%type <flag> bool with
%type <days> days

%%

file:
	  %empty
	| file audience
	| file error
	;

/* ---- audiences ----------------------------------------------------------- */

audience:
	  audience_head audience_items '}'	{ end_audience(p, @$); }
	;

audience_head:
	  AUDIENCE name_ident '{'	{ begin_audience(p, $2, @2, true); }
	| AUDIENCE error '{'		{ begin_audience(p, "", @1, false); }
	;

audience_items:
	  %empty
	| audience_items audience_item
	| audience_items error
	;

audience_item:
	  NAME STRING
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->display_name, "name", a->display_name_loc, @$)) {
			a->display_name = $2;
			a->display_name_loc = @2;
		  } }
	| DESCRIPTION STRING
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->description, "description", a->description_loc, @$)) {
			a->description = $2;
			a->description_loc = @2;
		  } }
	| FOLDER STRING
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->folder, "folder", a->folder_loc, @$)) {
			a->folder = $2;
			a->folder_loc = @2;
		  } }
	| TARGET PROFILE
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->target_loc.line, "target", a->target_loc, @$)) {
			a->target = TARGET_PROFILE;
			a->target_loc = @2;
		  } }
	| TARGET ENTITY path
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->target_loc.line, "target", a->target_loc, @$)) {
			a->target = TARGET_ENTITY;
			a->target_path = $3;
			a->target_loc = span(@2, @3);
		  } }
	| SCHEDULE schedule
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->schedule.kind != SCHED_DEFAULT, "schedule",
				   a->schedule.loc, @$))
			a->schedule = $2; }
	| ENABLED bool
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->enabled >= 0, "enabled", a->enabled_loc, @$)) {
			a->enabled = $2;
			a->enabled_loc = @2;
		  } }
	| WHERE block
		{ struct ast_audience *a = p->aud;
		  if (!dup_setting(p, a->where, "where", a->where_loc, @1)) {
			check_depth(p, $2);
			a->where = $2;
			a->where_loc = @$;
		  } }
	| activation
	;

schedule:
	  MANUAL			{ $$ = (struct schedule){ .kind = SCHED_MANUAL, .loc = @$ }; }
	| EVERY int unit		{ $$ = (struct schedule){ .kind = SCHED_EVERY, .every = $2,
							  .unit = $3, .loc = @$ }; }
	| AT CLOCK ON days
		{ /* Schedule errors are E400 (SPEC §3.5), reported here once:
		   * hour -1 and days 0 tell the checker they were. */
		  int h = -1, m = -1;
		  if (sscanf($2, "%d:%d", &h, &m) != 2 || h > 23 || m > 59 || strlen($2) != 5) {
			diag_error(p->diag, @2, DIAG_E400, "schedule time '%s' is not a time of day", $2);
			diag_hint(p->diag, "at takes HH:MM (UTC), from 00:00 to 23:59");
			h = m = -1;
		  }
		  $$ = (struct schedule){ .kind = SCHED_AT, .hour = h, .minute = m,
					  .days = $4, .loc = @$ }; }
	;

days:
	  name_ident			{ $$ = day_bit(p, $1, @1); }
	| days ',' name_ident		{ $$ = $1 | day_bit(p, $3, @3); }
	;

unit:
	  MINUTE	{ $$ = UNIT_MINUTE; }
	| MINUTES	{ $$ = UNIT_MINUTE; }
	| HOUR		{ $$ = UNIT_HOUR; }
	| HOURS		{ $$ = UNIT_HOUR; }
	| DAY		{ $$ = UNIT_DAY; }
	| DAYS		{ $$ = UNIT_DAY; }
	| WEEK		{ $$ = UNIT_WEEK; }
	| WEEKS		{ $$ = UNIT_WEEK; }
	;

int:
	  NUMBER	{ $$ = to_int(p, $1, @1); }
	;

bool:
	  TRUE		{ $$ = true; }
	| FALSE		{ $$ = false; }
	;

/* ---- activations --------------------------------------------------------- */

activation:
	  activation_head activation_items '}'	{ end_activation(p, @$); }
	;

activation_head:
	  ACTIVATION name_ident '{'	{ begin_activation(p, $2, @2, true); }
	| ACTIVATION error '{'		{ begin_activation(p, "", @1, false); }
	;

activation_items:
	  %empty
	| activation_items activation_item
	| activation_items error
	;

activation_item:
	  DESTINATION name_ident
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->destination, "destination", a->destination_loc, @$)) {
			a->destination = $2;
			a->destination_loc = @2;
		  } }
	| TRIGGER trigger
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->trigger != TRIG_NONE, "trigger", a->trigger_loc, @$)) {
			a->trigger = $2;
			a->trigger_loc = @2;
		  } }
	| EVENT STRING
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->event, "event", a->event_loc, @$)) {
			a->event = $2;
			a->event_loc = @2;
		  } }
	| IDENTIFIER name_ident
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->identifier, "identifier", a->identifier_loc, @$)) {
			a->identifier = $2;
			a->identifier_loc = @2;
		  } }
	| ENRICH TRAITS name_list
		{ struct ast_activation *a = p->act;
		  for (size_t i = 0; i < $3.n; i++) {
			size_t n = a->nenrich_traits;
			ARENA_PUSH(p->arena, a->enrich_traits, a->nenrich_traits, $3.v[i]);
			ARENA_PUSH(p->arena, a->enrich_trait_locs, n, $3.locs[i]);
		  } }
	| ENRICH path '{' name_list '}'
		{ struct ast_activation *a = p->act;
		  struct enrich_path e = { .path = $2, .columns = $4.v, .column_locs = $4.locs,
					   .ncolumns = $4.n, .loc = span(@2, @5) };
		  ARENA_PUSH(p->arena, a->enrich_paths, a->nenrich_paths, e); }
	| SEND CURRENT
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->send_current, "send current", a->send_current_loc, @$)) {
			a->send_current = true;
			a->send_current_loc = @$;
		  } }
	| MAP STRING EQ STRING
		{ struct map_entry m = { .key = $2, .key_loc = @2, .loc = @$ };
		  m.value.lit = (struct literal){ LIT_STRING, $4, false, @4 };
		  m.value.loc = @4;
		  ARENA_PUSH(p->arena, p->act->maps, p->act->nmaps, m); }
	| MAP STRING EQ ref
		{ struct map_entry m = { .key = $2, .key_loc = @2, .value = $4, .loc = @$ };
		  ARENA_PUSH(p->arena, p->act->maps, p->act->nmaps, m); }
	| ENABLED bool
		{ struct ast_activation *a = p->act;
		  if (!dup_act_setting(p, a->enabled >= 0, "enabled", a->enabled_loc, @$)) {
			a->enabled = $2;
			a->enabled_loc = @2;
		  } }
	;

trigger:
	  PROFILE ENTERED		{ $$ = TRIG_PROFILE_ENTERED; }
	| PROFILE EXITED		{ $$ = TRIG_PROFILE_EXITED; }
	| ENTITY ADDED path		{ $$ = TRIG_ENTITY_ADDED; p->act->trigger_path = $3; }
	| ENTITY REMOVED path		{ $$ = TRIG_ENTITY_REMOVED; p->act->trigger_path = $3; }
	| ENTITY ENTERED		{ $$ = TRIG_ENTITY_ENTERED; }
	| ENTITY EXITED			{ $$ = TRIG_ENTITY_EXITED; }
	| MEMBERSHIP CHANGED		{ $$ = TRIG_MEMBERSHIP_CHANGED; }
	| MEMBERSHIP OR VALUES CHANGED	{ $$ = TRIG_MEMBERSHIP_OR_VALUES_CHANGED; }
	;

name_list:
	  name_ident
		{ $$ = (struct name_list){ NULL, NULL, 0 };
		  size_t n = 0;
		  ARENA_PUSH(p->arena, $$.v, $$.n, $1);
		  ARENA_PUSH(p->arena, $$.locs, n, @1); }
	| name_list ',' name_ident
		{ $$ = $1;
		  size_t n = $$.n;
		  ARENA_PUSH(p->arena, $$.v, $$.n, $3);
		  ARENA_PUSH(p->arena, $$.locs, n, @3); }
	;

/* ---- conditions ---------------------------------------------------------- */

block:
	  '{' items '}'		{ $$ = new_block(p, EX_BLOCK, $2, @$); }
	;

/* Items are juxtaposed: each is a whole expression, `{ a or b  c }`. */
items:
	  %empty		{ $$ = (struct expr_list){ NULL, 0 }; }
	| items expr
		{ $$ = $1;
		  /* an item that starts at the token a syntax error was reported
		   * on is the rest of the broken one (`x is null = 1`): left out,
		   * so that it causes no second error */
		  if (@2.line != p->err_loc.line || @2.col != p->err_loc.col || @2.file != p->err_loc.file)
			ARENA_PUSH(p->arena, $$.v, $$.n, $2); }
	| items error		{ $$ = $1; }
	;

expr:
	  expr OR expr		{ $$ = new_binary(p, EX_OR, $1, $3, @$); }
	| expr AND expr		{ $$ = new_binary(p, EX_AND, $1, $3, @$); }
	| NOT expr
		{ /* `not part of audience x` is the negated condition itself */
		  if ($2->kind == EX_AUDIENCE && !$2->parens && !$2->negated) {
			$$ = $2;
			$$->negated = true;
			$$->loc = @$;
		  } else {
			$$ = new_expr(p, EX_NOT, @$);
			$$->lhs = $2;
		  } }
	| '(' expr ')'		{ $$ = $2; $$->parens = true; $$->loc = @$; }
	| ANY block		{ $$ = $2; $$->kind = EX_ANY; $$->loc = @$; }
	| ALL block		{ $$ = $2; $$->kind = EX_ALL; $$->loc = @$; }
	| condition
	;

with:
	  WITH		{ $$ = false; }
	| WITHOUT	{ $$ = true; }
	;

condition:
	  with ENTITY path opt_count opt_block opt_having
		{ $$ = new_expr(p, EX_ENTITY, @$);
		  $$->negated = $1;
		  $$->path = $3;
		  $$->count = $4;
		  $$->block = $5;
		  $$->having = $6; }
	| with TRAIT path opt_pred
		{ $$ = new_expr(p, EX_TRAIT, @$);
		  $$->negated = $1;
		  $$->path = $3;
		  $$->pred = $4; }
	| with EVENT STRING opt_count opt_window opt_block opt_having
		{ $$ = new_expr(p, EX_EVENT, @$);
		  $$->negated = $1;
		  $$->event_name = $3;
		  $$->event_name_loc = @3;
		  $$->count = $4;
		  $$->window = $5;
		  $$->block = $6;
		  $$->having = $7; }
	| PART OF AUDIENCE name_ident opt_using
		{ $$ = new_expr(p, EX_AUDIENCE, @$);
		  $$->audience = $4;
		  $$->audience_loc = @4;
		  $$->using_ = $5; }
	| col_ident predicate
		{ $$ = new_expr(p, EX_COLUMN, @$);
		  $$->column = $1;
		  $$->column_loc = @1;
		  $$->pred = $2; }
	;

opt_using:
	  %empty		{ $$ = USING_DEFAULT; }
	| USING CONDITIONS	{ $$ = USING_CONDITIONS; }
	| USING MEMBERSHIP	{ $$ = USING_MEMBERSHIP; }
	;

opt_block:
	  %empty		{ $$ = NULL; }
	| block
	;

opt_count:
	  %empty		{ $$ = (struct count_spec){ COUNT_DEFAULT, 1, @$ }; }
	| AT LEAST int		{ $$ = (struct count_spec){ COUNT_AT_LEAST, $3, @$ }; }
	| AT MOST int		{ $$ = (struct count_spec){ COUNT_AT_MOST, $3, @$ }; }
	| EXACTLY int		{ $$ = (struct count_spec){ COUNT_EXACTLY, $2, @$ }; }
	;

opt_window:
	  %empty			{ $$ = (struct window){ .kind = WIN_NONE, .loc = @$ }; }
	| WITHIN LAST int unit		{ $$ = (struct window){ .kind = WIN_WITHIN_LAST, .a = $3,
							.unit = $4, .loc = @$ }; }
	| BETWEEN int AND int unit AGO	{ $$ = (struct window){ .kind = WIN_BETWEEN_AGO, .a = $2,
							.b = $4, .unit = $5, .loc = @$ }; }
	;

opt_having:
	  %empty		{ $$ = (struct having){ .present = false, .loc = @$ }; }
	| HAVING agg '(' ')' cmp literal
		{ /* sum() or count(x) parse: the checker reports them (E305) */
		  $$ = (struct having){ .present = true, .agg = $2, .cmp = $5, .value = $6,
					.loc = @$ }; }
	| HAVING agg '(' name_ident ')' cmp literal
		{ $$ = (struct having){ .present = true, .agg = $2, .column = $4, .column_loc = @4,
					.cmp = $6, .value = $7, .loc = @$ }; }
	;

agg:
	  COUNT		{ $$ = AGG_COUNT; }
	| SUM		{ $$ = AGG_SUM; }
	| AVG		{ $$ = AGG_AVG; }
	| MIN		{ $$ = AGG_MIN; }
	| MAX		{ $$ = AGG_MAX; }
	;

opt_pred:
	  %empty		{ $$ = NULL; }
	| predicate
	;

predicate:
	  cmp operand		{ $$ = new_pred(p, PRED_CMP, @$); $$->cmp = $1; $$->rhs = $2; }
	| CONTAINS operand	{ $$ = new_pred(p, PRED_CONTAINS, @$); $$->rhs = $2; }
	| NOT_LA CONTAINS operand	{ $$ = new_pred(p, PRED_NOT_CONTAINS, @$); $$->rhs = $3; }
	| STARTS WITH operand	{ $$ = new_pred(p, PRED_STARTS_WITH, @$); $$->rhs = $3; }
	| ENDS WITH operand	{ $$ = new_pred(p, PRED_ENDS_WITH, @$); $$->rhs = $3; }
	| IN '(' lit_list ')'
		{ $$ = new_pred(p, PRED_IN, @$); $$->list = $3.v; $$->nlist = $3.n; }
	| NOT_LA IN '(' lit_list ')'
		{ $$ = new_pred(p, PRED_NOT_IN, @$); $$->list = $4.v; $$->nlist = $4.n; }
	| BETWEEN literal AND literal
		{ $$ = new_pred(p, PRED_BETWEEN, @$); $$->lo = $2; $$->hi = $4; }
	| IS NULL		{ $$ = new_pred(p, PRED_IS_NULL, @$); }
	| IS NOT NULL		{ $$ = new_pred(p, PRED_IS_NOT_NULL, @$); }
	| WITHIN LAST int unit
		{ $$ = new_pred(p, PRED_WITHIN_LAST, @$); $$->amount = $3; $$->unit = $4; }
	| WITHIN NEXT int unit
		{ $$ = new_pred(p, PRED_WITHIN_NEXT, @$); $$->amount = $3; $$->unit = $4; }
	| BEFORE LAST int unit
		{ $$ = new_pred(p, PRED_BEFORE_LAST, @$); $$->amount = $3; $$->unit = $4; }
	| AFTER NEXT int unit
		{ $$ = new_pred(p, PRED_AFTER_NEXT, @$); $$->amount = $3; $$->unit = $4; }
	;

cmp:
	  EQ	{ $$ = CMP_EQ; }
	| NE	{ $$ = CMP_NE; }
	| LT	{ $$ = CMP_LT; }
	| GT	{ $$ = CMP_GT; }
	| LE	{ $$ = CMP_LE; }
	| GE	{ $$ = CMP_GE; }
	;

lit_list:
	  literal		{ $$ = (struct lit_list){ NULL, 0 }; ARENA_PUSH(p->arena, $$.v, $$.n, $1); }
	| lit_list ',' literal	{ $$ = $1; ARENA_PUSH(p->arena, $$.v, $$.n, $3); }
	;

operand:
	  literal		{ $$ = (struct operand){ .ref = REF_NONE, .lit = $1, .loc = @$ }; }
	| ref
	;

ref:
	  TRAIT '.' path
		{ $$ = (struct operand){ .ref = REF_TRAIT, .trait_path = $3.parts,
					 .ntrait_path = $3.n, .loc = @$ }; }
	| slug_ident '.' name_ident
		{ $$ = (struct operand){ .ref = REF_COLUMN, .slug = $1, .column = $3, .loc = @$ }; }
	;

literal:
	  STRING		{ $$ = (struct literal){ LIT_STRING, $1, false, @$ }; }
	| NUMBER		{ $$ = (struct literal){ LIT_NUMBER, $1, false, @$ }; }
	| TRUE			{ $$ = (struct literal){ LIT_BOOL, $1, true, @$ }; }
	| FALSE			{ $$ = (struct literal){ LIT_BOOL, $1, false, @$ }; }
	| DATE STRING		{ $$ = lit_typed(p, LIT_DATE, $2, @2); $$.loc = @$; }
	| TIME STRING		{ $$ = lit_typed(p, LIT_TIME, $2, @2); $$.loc = @$; }
	| TIMESTAMP STRING	{ $$ = lit_typed(p, LIT_TIMESTAMP, $2, @2); $$.loc = @$; }
	;

/* relationship slugs, or a trait then its nested keys */
path:
	  name_ident		{ $$ = path_one(p, $1, @1); }
	| path '.' name_ident	{ $$ = $1; path_add(p, &$$, $3, @3); }
	;

/*
 * Names.  Keywords are reserved only where the grammar needs them:
 * col_ident starts a block item, so it leaves out the words that continue
 * the previous item or start an expression (RESERVED in keywords.def);
 * slug_ident leaves out `trait` (`trait.x` is a trait reference); name_ident,
 * anywhere a name is required, takes every word.
 */
col_ident:
	  IDENT | ACTIVATION | ADDED | AGO | ALL | ANY | AUDIENCE | AVG | CHANGED | CONDITIONS
	| COUNT | CURRENT | DATE | DAY | DAYS | DESCRIPTION | DESTINATION | ENABLED | ENRICH
	| ENTERED | ENTITY | EVENT | EVERY | EXITED | FALSE | FOLDER | HOUR | HOURS | IDENTIFIER
	| LAST | LEAST | MANUAL | MAP | MAX | MEMBERSHIP | MIN | MINUTE | MINUTES | MOST | NAME
	| NEXT | NULL | OF | ON | PART | PROFILE | REMOVED | SCHEDULE | SEND | SUM | TARGET | TIME
	| TIMESTAMP | TRAIT | TRAITS | TRIGGER | TRUE | VALUES | WEEK | WEEKS | WHERE
	;

slug_ident:
	  IDENT | ACTIVATION | ADDED | AGO | ALL | ANY | AUDIENCE | AVG | CHANGED | CONDITIONS
	| COUNT | CURRENT | DATE | DAY | DAYS | DESCRIPTION | DESTINATION | ENABLED | ENRICH
	| ENTERED | ENTITY | EVENT | EVERY | EXITED | FALSE | FOLDER | HOUR | HOURS | IDENTIFIER
	| LAST | LEAST | MANUAL | MAP | MAX | MEMBERSHIP | MIN | MINUTE | MINUTES | MOST | NAME
	| NEXT | NULL | OF | ON | PART | PROFILE | REMOVED | SCHEDULE | SEND | SUM | TARGET | TIME
	| TIMESTAMP | TRAITS | TRIGGER | TRUE | VALUES | WEEK | WEEKS | WHERE
	| AFTER | AND | AT | BEFORE | BETWEEN | CONTAINS | ENDS | EXACTLY | HAVING | IN | IS
	| NOT | OR | STARTS | USING | WITH | WITHIN | WITHOUT
	;

name_ident:
	  slug_ident | TRAIT
	;

%%

static struct loc span(struct loc a, struct loc b)
{
	a.end_line = b.end_line;
	a.end_col = b.end_col;
	return a;
}

static struct ast_expr *new_expr(struct lac_parse *p, enum expr_kind k, struct loc l)
{
	struct ast_expr *e = ARENA_NEW(p->arena, struct ast_expr);
	e->kind = k;
	e->loc = l;
	return e;
}

static struct ast_expr *new_binary(struct lac_parse *p, enum expr_kind k,
				   struct ast_expr *l, struct ast_expr *r, struct loc loc)
{
	struct ast_expr *e = new_expr(p, k, loc);
	e->lhs = l;
	e->rhs = r;
	return e;
}

static struct ast_expr *new_block(struct lac_parse *p, enum expr_kind k,
				  struct expr_list items, struct loc l)
{
	struct ast_expr *e = new_expr(p, k, l);
	e->items = items.v;
	e->nitems = items.n;
	return e;
}

static struct predicate *new_pred(struct lac_parse *p, enum pred_kind k, struct loc l)
{
	struct predicate *pr = ARENA_NEW(p->arena, struct predicate);
	pr->kind = k;
	pr->loc = l;
	return pr;
}

static struct path path_one(struct lac_parse *p, const char *s, struct loc l)
{
	struct path path = { NULL, NULL, 0, l };
	path_add(p, &path, s, l);
	return path;
}

static void path_add(struct lac_parse *p, struct path *path, const char *s, struct loc l)
{
	size_t n = path->n;
	ARENA_PUSH(p->arena, path->parts, path->n, s);
	ARENA_PUSH(p->arena, path->part_locs, n, l);
	path->loc = span(path->loc, l);
}

/*
 * A count, window or amount: a whole non-negative number.  The bound keeps
 * the value in range of every integer type the checker and SQL use.  A bad
 * number is reported here and becomes -1, which the checker passes over, so
 * it causes no second, misleading error ("at least 0", "between 5 and 0").
 */
static long to_int(struct lac_parse *p, const char *text, struct loc l)
{
	const char *s = text;
	if (*s == '-' || strchr(s, '.')) {
		diag_error(p->diag, l, DIAG_E103, "expected a whole number of 0 or more, got '%s'", text);
		return -1;
	}
	errno = 0;
	long v = strtol(s, NULL, 10);
	if (errno || v > INT_MAX) {
		diag_error(p->diag, l, DIAG_E319, "number '%s' is too large", text);
		return -1;
	}
	return v;
}

static struct literal lit_typed(struct lac_parse *p, enum lit_kind k, const char *text, struct loc l)
{
	struct literal lit = { k, text, false, l };
	switch (k) {
	case LIT_DATE:
		if (time_parse(text, TIME_DATE_ONLY, NULL) < 0) {
			diag_error(p->diag, l, DIAG_E103, "invalid date '%s'", text);
			diag_hint(p->diag, "write a calendar date as YYYY-MM-DD");
		}
		break;
	case LIT_TIME:
		if (time_parse(text, TIME_USER_TIME, NULL) < 0) {
			diag_error(p->diag, l, DIAG_E103, "invalid time '%s'", text);
			diag_hint(p->diag, "write a time as HH:MM:SS, with optional fractional seconds");
		}
		break;
	case LIT_TIMESTAMP:
		if (time_parse(text, TIME_USER_TIMESTAMP, NULL) < 0) {
			diag_error(p->diag, l, DIAG_E103, "invalid timestamp '%s'", text);
			diag_hint(p->diag, "write a timestamp as YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]");
		}
		break;
	default:
		break;
	}
	return lit;
}

static unsigned day_bit(struct lac_parse *p, const char *s, struct loc l)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	for (unsigned i = 0; i < ARRAY_LEN(days); i++)
		if (!strcmp(s, days[i]))
			return 1u << i;
	diag_error(p->diag, l, DIAG_E400, "schedule day '%s' is not a day of the week", s);
	diag_hint_closest(p->diag, s, days, ARRAY_LEN(days));
	diag_hint(p->diag, "days are mon, tue, wed, thu, fri, sat and sun");
	return 0;
}

static bool report_dup(struct lac_parse *p, bool seen, const char *what, const char *in,
		       const char *name, struct loc first, struct loc here)
{
	if (!seen)
		return false;
	diag_error(p->diag, here, DIAG_E317, "duplicate setting '%s' in %s '%s'", what, in, name);
	diag_hint(p->diag, "the first '%s' is at line %u; keep one", what, (unsigned)first.line);
	return true;
}

/* True (and reported) when the audience's setting was already given. */
static bool dup_setting(struct lac_parse *p, bool seen, const char *what, struct loc first,
			struct loc here)
{
	return report_dup(p, seen, what, "audience", p->aud->name, first, here);
}

static bool dup_act_setting(struct lac_parse *p, bool seen, const char *what, struct loc first,
			    struct loc here)
{
	return report_dup(p, seen, what, "activation", p->act->name, first, here);
}

static void begin_audience(struct lac_parse *p, const char *name, struct loc l, bool keep)
{
	struct ast_audience *a = ARENA_NEW(p->arena, struct ast_audience);
	a->name = name;
	a->name_loc = l;
	a->enabled = -1;
	a->file = p->file;
	p->aud = a;
	p->aud_keep = keep;
	p->aud_syntax = p->nsyntax;
	p->aud_act_syntax = 0;
}

/* An audience with a syntax error inside is kept, marked, without the
 * items that did not parse: the checker reports the errors of the rest
 * (SPEC §3.5: several errors in one run), and nothing runs it. */
static void end_audience(struct lac_parse *p, struct loc l)
{
	struct ast_file *f = p->file;
	struct ast_audience *a = p->aud;
	a->loc = l;
	size_t errors = p->nsyntax - p->aud_syntax;
	a->syntax_error = errors > 0;
	a->where_incomplete = errors > p->aud_act_syntax;
	if (p->aud_keep)
		ARENA_PUSH(p->arena, f->audiences, f->naudiences, a);
}

static void begin_activation(struct lac_parse *p, const char *name, struct loc l, bool keep)
{
	struct ast_activation *a = ARENA_NEW(p->arena, struct ast_activation);
	a->name = name;
	a->name_loc = l;
	a->enabled = -1;
	a->audience = p->aud;
	p->act = a;
	p->act_keep = keep;
	p->act_syntax = p->nsyntax;
}

static void end_activation(struct lac_parse *p, struct loc l)
{
	struct ast_audience *a = p->aud;
	p->act->loc = l;
	p->act->syntax_error = p->nsyntax != p->act_syntax;
	p->aud_act_syntax += p->nsyntax - p->act_syntax;
	if (p->act_keep)
		ARENA_PUSH(p->arena, a->activations, a->nactivations, p->act);
}

/* Depth of e, counting only up to limit (so this recursion stays bounded). */
static int depth(const struct ast_expr *e, int d, int limit)
{
	if (!e || d > limit)
		return d;
	int max = d;
	const struct ast_expr *kids[] = { e->lhs, e->rhs, e->block };
	for (size_t i = 0; i < ARRAY_LEN(kids); i++) {
		int k = depth(kids[i], d + 1, limit);
		if (k > max)
			max = k;
	}
	for (size_t i = 0; i < e->nitems && max <= limit; i++) {
		int k = depth(e->items[i], d + 1, limit);
		if (k > max)
			max = k;
	}
	return max;
}

static void check_depth(struct lac_parse *p, struct ast_expr *e)
{
	if (depth(e, 0, LAC_MAX_EXPR_DEPTH) > LAC_MAX_EXPR_DEPTH) {
		struct loc l = e->loc; /* the opening brace: the block may be huge */
		l.end_line = l.line;
		l.end_col = l.col + 1;
		diag_error(p->diag, l, DIAG_E100,
			   "conditions nested too deeply (more than %d levels)", LAC_MAX_EXPR_DEPTH);
		e->items = NULL;
		e->nitems = 0;
		p->nsyntax++; /* the where lost its items: see end_audience */
	}
}

/* How a token is named in "expected ...": keywords and symbols as written. */
static const char *token_name(yysymbol_kind_t k)
{
	switch (k) {
#define KW(text, tok, cat) case YYSYMBOL_##tok: return "'" text "'";
#include "keywords.def"
#undef KW
	case YYSYMBOL_EQ: return "'='";
	case YYSYMBOL_NE: return "'!='";
	case YYSYMBOL_LT: return "'<'";
	case YYSYMBOL_GT: return "'>'";
	case YYSYMBOL_LE: return "'<='";
	case YYSYMBOL_GE: return "'>='";
	case YYSYMBOL_NOT_LA: return "'not'";
	default: return yysymbol_name(k);
	}
}

/*
 * "syntax error: unexpected 'xyz', expected '{'": the offending token as
 * written, and what could come instead when that is a short list.
 */
static int yyreport_syntax_error(const yypcontext_t *ctx, struct lac_parse *p)
{
	struct strbuf sb = STRBUF_INIT;
	const struct lac_tok *t = &p->cur;
	enum { MAX_EXPECTED = 4 };
	yysymbol_kind_t exp[MAX_EXPECTED];

	sb_addstr(&sb, "syntax error: unexpected ");
	if (yypcontext_token(ctx) == YYSYMBOL_YYEOF) {
		sb_addstr(&sb, "end of file");
	} else {
		int n = t->len > 40 ? 40 : (int)t->len;
		const char *dots = t->len > 40 ? "..." : "";
		if (t->kind == T_STRING)
			sb_addf(&sb, "string %.*s%s", n, p->text + t->off, dots);
		else
			sb_addf(&sb, "'%.*s%s'", n, p->text + t->off, dots);
	}
	int n = yypcontext_expected_tokens(ctx, NULL, 0);
	if (n > 0 && n <= MAX_EXPECTED) {
		n = yypcontext_expected_tokens(ctx, exp, MAX_EXPECTED);
		/* A word the filter took for a name may be spelled like an
		 * expected keyword: never "unexpected 'x', expected 'x'". */
		char *self = xasprintf("'%.*s'", (int)t->len, p->text + t->off);
		for (int i = 0; i < n; i++)
			if (yypcontext_token(ctx) != YYSYMBOL_YYEOF && strcmp(token_name(exp[i]), self) == 0)
				n = 0;
		free(self);
		for (int i = 0; i < n; i++)
			sb_addf(&sb, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
				token_name(exp[i]));
	}
	diag_error(p->diag, *yypcontext_location(ctx), DIAG_E100, "%s", sb.buf);
	sb_release(&sb);
	p->err_loc = *yypcontext_location(ctx);
	p->nsyntax++;
	return 0;
}

/* Only "memory exhausted" comes here: the parser's stack limit. */
static void yyerror(const struct loc *l, struct lac_parse *p, const char *msg)
{
	(void)msg;
	diag_error(p->diag, *l, DIAG_E100, "input nested too deeply");
	p->nsyntax++;
}
