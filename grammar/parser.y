/*
 * parser.y — the grammar of .lac files (SPEC §3.3), building the syntax tree
 * of ast.h in the parse's arena.
 *
 * Pure (api.pure full), all state in struct lac_parse.  Tokens come from the
 * filter lac_gram_lex() in src/lang/parse.c, which rewrites the few places where
 * one token of lookahead is not enough, so the grammar is LALR(1) with no
 * conflicts: resolve new ones with precedence or the filter, never %expect.
 * Actions only build nodes, through the helpers of src/lang/parse_tree.h;
 * names and types are the checker's business.
 * Recovery: `error` at audience items, activation items, block items, inside
 * parentheses, in an alert's body and in a bad audience, activation or
 * alert header.
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
#include "lang/parse_tree.h"
}

%code {
#include <stdlib.h>
#include <string.h>

#include "scanner.h"
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
%token <str> ACTIVATION ADDED AFTER AGO ALERT ALL AND ANY AT AUDIENCE AVG BEFORE BETWEEN
%token <str> CHANGED CONDITIONS CONTAINS COUNT CURRENT DATE DAY DAYS DESCRIPTION DESTINATION
%token <str> ENABLED ENDS ENRICH ENTERED ENTITY EVENT EVENT_HEALTH EVERY EXACTLY EXITED FALSE
%token <str> FOLDER HAVING HOUR HOURS IDENTIFIER IN IS KIND LAST LEAST MANUAL MAP MAX MEMBERSHIP
%token <str> MIN MINUTE MINUTES MOST NAME NEXT NOT NOTIFY NULL OF ON OR PART PERCENT PROFILE
%token <str> REMOVED SCHEDULE SEND SIZE_CHANGE STARTS SUM TARGET THRESHOLD TIME TIMESTAMP TRAIT
%token <str> TRAITS TRIGGER TRUE USING VALUES WEEK WEEKS WHERE WITH WITHIN WITHOUT

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
	  audience_head audience_items '}'	{ pt_audience_end(p, @$); }
	;

audience_head:
	  AUDIENCE name_ident '{'	{ pt_audience_begin(p, $2, @2, true); }
	| AUDIENCE error '{'		{ pt_audience_begin(p, "", @1, false); }
	;

audience_items:
	  %empty
	| audience_items audience_item
	| audience_items error
	;

audience_item:
	  NAME STRING
		{ pt_audience_text(p, "name", &p->aud->display_name, &p->aud->display_name_loc,
				   $2, @2, @$); }
	| DESCRIPTION STRING
		{ pt_audience_text(p, "description", &p->aud->description,
				   &p->aud->description_loc, $2, @2, @$); }
	| FOLDER STRING
		{ pt_audience_text(p, "folder", &p->aud->folder, &p->aud->folder_loc, $2, @2, @$); }
	| TARGET PROFILE		{ pt_audience_target(p, TARGET_PROFILE, NULL, @2, @$); }
	| TARGET ENTITY path		{ pt_audience_target(p, TARGET_ENTITY, &$3, pt_span(@2, @3), @$); }
	| SCHEDULE schedule		{ pt_audience_schedule(p, $2, @$); }
	| ENABLED bool			{ pt_audience_enabled(p, $2, @2, @$); }
	| WHERE block			{ pt_audience_where(p, $2, @1, @$); }
	| activation
	| alert
	;

schedule:
	  MANUAL			{ $$ = (struct schedule){ .kind = SCHED_MANUAL, .loc = @$ }; }
	| EVERY int unit		{ $$ = (struct schedule){ .kind = SCHED_EVERY, .every = $2,
							  .unit = $3, .loc = @$ }; }
	| AT CLOCK ON days		{ $$ = pt_schedule_at(p, $2, @2, $4, @$); }
	;

days:
	  name_ident			{ $$ = pt_day_bit(p, $1, @1); }
	| days ',' name_ident		{ $$ = $1 | pt_day_bit(p, $3, @3); }
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
	  NUMBER	{ $$ = pt_int(p, $1, @1); }
	;

bool:
	  TRUE		{ $$ = true; }
	| FALSE		{ $$ = false; }
	;

/* ---- activations --------------------------------------------------------- */

activation:
	  activation_head activation_items '}'	{ pt_activation_end(p, @$); }
	;

activation_head:
	  ACTIVATION name_ident '{'	{ pt_activation_begin(p, $2, @2, true); }
	| ACTIVATION error '{'		{ pt_activation_begin(p, "", @1, false); }
	;

activation_items:
	  %empty
	| activation_items activation_item
	| activation_items error
	;

activation_item:
	  DESTINATION name_ident
		{ pt_activation_text(p, "destination", &p->act->destination,
				     &p->act->destination_loc, $2, @2, @$); }
	| TRIGGER trigger		{ pt_activation_trigger(p, $2, @2, @$); }
	| EVENT STRING
		{ pt_activation_text(p, "event", &p->act->event, &p->act->event_loc, $2, @2, @$); }
	| IDENTIFIER name_ident
		{ pt_activation_text(p, "identifier", &p->act->identifier,
				     &p->act->identifier_loc, $2, @2, @$); }
	| ENRICH TRAITS name_list	{ pt_activation_enrich_traits(p, $3); }
	| ENRICH path '{' name_list '}'	{ pt_activation_enrich_path(p, $2, $4, pt_span(@2, @5)); }
	| SEND CURRENT			{ pt_activation_send_current(p, @$); }
	| MAP STRING EQ STRING
		{ struct literal s = { LIT_STRING, $4, false, @4 };
		  pt_activation_map(p, $2, @2, (struct operand){ .lit = s, .loc = @4 }, @$); }
	| MAP STRING EQ ref		{ pt_activation_map(p, $2, @2, $4, @$); }
	| ENABLED bool			{ pt_activation_enabled(p, $2, @2, @$); }
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
	  name_ident			{ $$ = pt_names_one(p, $1, @1); }
	| name_list ',' name_ident	{ $$ = $1; pt_names_add(p, &$$, $3, @3); }
	;

/* ---- alerts (SPEC §5 Alerts): one fixed order of settings -------------- */

alert:
	  alert_head alert_body '}'	{ pt_alert_end(p, @$); }
	;

alert_head:
	  ALERT name_ident '{'		{ pt_alert_begin(p, $2, @2, true); }
	| ALERT error '{'		{ pt_alert_begin(p, "", @1, false); }
	;

alert_body:
	  KIND alert_kind THRESHOLD int PERCENT NOTIFY name_list
		{ pt_alert_body(p, pt_span(@1, @2), $4, @4, pt_span(@3, @5), $7, pt_span(@6, @7)); }
	| error
	;

alert_kind:
	  SIZE_CHANGE			{ pt_alert_kind(p, ALERT_SIZE_CHANGE, NULL, @1); }
	| EVENT_HEALTH DESTINATION name_ident
					{ pt_alert_kind(p, ALERT_EVENT_HEALTH, $3, @3); }
	;

/* ---- conditions ---------------------------------------------------------- */

block:
	  '{' items '}'		{ $$ = pt_block(p, $2, @$); }
	;

/* Items are juxtaposed: each is a whole expression, `{ a or b  c }`. */
items:
	  %empty		{ $$ = (struct expr_list){ NULL, 0 }; }
	| items expr		{ $$ = $1; pt_items_add(p, &$$, $2); }
	| items error		{ $$ = $1; }
	;

expr:
	  expr OR expr		{ $$ = pt_binary(p, EX_OR, $1, $3, @$); }
	| expr AND expr		{ $$ = pt_binary(p, EX_AND, $1, $3, @$); }
	| NOT expr		{ $$ = pt_not(p, $2, @$); }
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
		{ $$ = pt_entity(p, $1, $3, $4, $5, $6, @$); }
	| with TRAIT path opt_pred
		{ $$ = pt_trait(p, $1, $3, $4, @$); }
	| with EVENT STRING opt_count opt_window opt_block opt_having
		{ $$ = pt_event(p, $1, $3, @3, $4, $5, $6, $7, @$); }
	| PART OF AUDIENCE name_ident opt_using
		{ $$ = pt_part_of(p, $4, @4, $5, @$); }
	| col_ident predicate
		{ $$ = pt_column(p, $1, @1, $2, @$); }
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
	  cmp operand		{ $$ = pt_pred(p, PRED_CMP, @$); $$->cmp = $1; $$->rhs = $2; }
	| CONTAINS operand	{ $$ = pt_pred(p, PRED_CONTAINS, @$); $$->rhs = $2; }
	| NOT_LA CONTAINS operand	{ $$ = pt_pred(p, PRED_NOT_CONTAINS, @$); $$->rhs = $3; }
	| STARTS WITH operand	{ $$ = pt_pred(p, PRED_STARTS_WITH, @$); $$->rhs = $3; }
	| ENDS WITH operand	{ $$ = pt_pred(p, PRED_ENDS_WITH, @$); $$->rhs = $3; }
	| IN '(' lit_list ')'
		{ $$ = pt_pred(p, PRED_IN, @$); $$->list = $3.v; $$->nlist = $3.n; }
	| NOT_LA IN '(' lit_list ')'
		{ $$ = pt_pred(p, PRED_NOT_IN, @$); $$->list = $4.v; $$->nlist = $4.n; }
	| BETWEEN literal AND literal
		{ $$ = pt_pred(p, PRED_BETWEEN, @$); $$->lo = $2; $$->hi = $4; }
	| IS NULL		{ $$ = pt_pred(p, PRED_IS_NULL, @$); }
	| IS NOT NULL		{ $$ = pt_pred(p, PRED_IS_NOT_NULL, @$); }
	| WITHIN LAST int unit
		{ $$ = pt_pred(p, PRED_WITHIN_LAST, @$); $$->amount = $3; $$->unit = $4; }
	| WITHIN NEXT int unit
		{ $$ = pt_pred(p, PRED_WITHIN_NEXT, @$); $$->amount = $3; $$->unit = $4; }
	| BEFORE LAST int unit
		{ $$ = pt_pred(p, PRED_BEFORE_LAST, @$); $$->amount = $3; $$->unit = $4; }
	| AFTER NEXT int unit
		{ $$ = pt_pred(p, PRED_AFTER_NEXT, @$); $$->amount = $3; $$->unit = $4; }
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
	| DATE STRING		{ $$ = pt_typed_literal(p, LIT_DATE, $2, @2); $$.loc = @$; }
	| TIME STRING		{ $$ = pt_typed_literal(p, LIT_TIME, $2, @2); $$.loc = @$; }
	| TIMESTAMP STRING	{ $$ = pt_typed_literal(p, LIT_TIMESTAMP, $2, @2); $$.loc = @$; }
	;

/* relationship slugs, or a trait then its nested keys */
path:
	  name_ident		{ $$ = pt_path_one(p, $1, @1); }
	| path '.' name_ident	{ $$ = $1; pt_path_add(p, &$$, $3, @3); }
	;

/*
 * Names.  Keywords are reserved only where the grammar needs them:
 * col_ident starts a block item, so it leaves out the words that continue
 * the previous item or start an expression (RESERVED in keywords.def);
 * slug_ident leaves out `trait` (`trait.x` is a trait reference); name_ident,
 * anywhere a name is required, takes every word.
 */
col_ident:
	  IDENT | ACTIVATION | ADDED | AGO | ALERT | ALL | ANY | AUDIENCE | AVG | CHANGED
	| CONDITIONS | COUNT | CURRENT | DATE | DAY | DAYS | DESCRIPTION | DESTINATION | ENABLED
	| ENRICH | ENTERED | ENTITY | EVENT | EVENT_HEALTH | EVERY | EXITED | FALSE | FOLDER | HOUR
	| HOURS | IDENTIFIER | KIND | LAST | LEAST | MANUAL | MAP | MAX | MEMBERSHIP | MIN | MINUTE
	| MINUTES | MOST | NAME | NEXT | NOTIFY | NULL | OF | ON | PART | PERCENT | PROFILE | REMOVED
	| SCHEDULE | SEND | SIZE_CHANGE | SUM | TARGET | THRESHOLD | TIME | TIMESTAMP | TRAIT
	| TRAITS | TRIGGER | TRUE | VALUES | WEEK | WEEKS | WHERE
	;

slug_ident:
	  IDENT | ACTIVATION | ADDED | AGO | ALERT | ALL | ANY | AUDIENCE | AVG | CHANGED
	| CONDITIONS | COUNT | CURRENT | DATE | DAY | DAYS | DESCRIPTION | DESTINATION | ENABLED
	| ENRICH | ENTERED | ENTITY | EVENT | EVENT_HEALTH | EVERY | EXITED | FALSE | FOLDER | HOUR
	| HOURS | IDENTIFIER | KIND | LAST | LEAST | MANUAL | MAP | MAX | MEMBERSHIP | MIN | MINUTE
	| MINUTES | MOST | NAME | NEXT | NOTIFY | NULL | OF | ON | PART | PERCENT | PROFILE | REMOVED
	| SCHEDULE | SEND | SIZE_CHANGE | SUM | TARGET | THRESHOLD | TIME | TIMESTAMP | TRAITS
	| TRIGGER | TRUE | VALUES | WEEK | WEEKS | WHERE
	| AFTER | AND | AT | BEFORE | BETWEEN | CONTAINS | ENDS | EXACTLY | HAVING | IN | IS
	| NOT | OR | STARTS | USING | WITH | WITHIN | WITHOUT
	;

name_ident:
	  slug_ident | TRAIT
	;

%%

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

/* The tokens that could come instead (the state's lookahead set). */
struct expected {
	yysymbol_kind_t *v;
	int n;
};

static struct expected expected_tokens(const yypcontext_t *ctx)
{
	struct expected e = { NULL, yypcontext_expected_tokens(ctx, NULL, 0) };
	if (e.n <= 0) {
		e.n = 0;
		return e;
	}
	e.v = xmalloc((size_t)e.n * sizeof(*e.v));
	e.n = yypcontext_expected_tokens(ctx, e.v, e.n);
	if (e.n < 0)
		e.n = 0;
	return e;
}

static bool expects(const struct expected *e, yysymbol_kind_t k)
{
	for (int i = 0; i < e->n; i++)
		if (e->v[i] == k)
			return true;
	return false;
}

/* Too many to list: what kind of word fits there ("a value", "a
 * condition", "a name"), or NULL when a new item could start there (then
 * any name would, and the word at fault is the one that does not belong to
 * the last item). */
static const char *expected_kind(const struct expected *e)
{
	if (expects(e, YYTRANSLATE('}')))
		return NULL;
	return expects(e, YYSYMBOL_STRING) ? "a value" :
	       expects(e, YYTRANSLATE('(')) ? "a condition" :
	       expects(e, YYSYMBOL_IDENT) ? "a name" : NULL;
}

/*
 * "syntax error: unexpected 'xyz', expected '{'": the offending token as
 * written, and what could come instead when that is a short list
 * (or the kind of word: a value, a condition, a name).
 */
static int yyreport_syntax_error(const yypcontext_t *ctx, struct lac_parse *p)
{
	struct strbuf sb = STRBUF_INIT;
	const struct lac_tok *t = &p->cur;
	enum { MAX_EXPECTED = 4 };
	struct expected e = expected_tokens(ctx);

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
	if (e.n > MAX_EXPECTED) {
		const char *kind = expected_kind(&e);
		if (kind)
			sb_addf(&sb, ", expected %s", kind);
	} else {
		/* A word the filter took for a name may be spelled like an
		 * expected keyword: never "unexpected 'x', expected 'x'". */
		int n = e.n;
		char *self = xasprintf("'%.*s'", (int)t->len, p->text + t->off);
		for (int i = 0; i < n; i++)
			if (yypcontext_token(ctx) != YYSYMBOL_YYEOF && strcmp(token_name(e.v[i]), self) == 0)
				n = 0;
		free(self);
		for (int i = 0; i < n; i++)
			sb_addf(&sb, "%s%s", i == 0 ? ", expected " : i == n - 1 ? " or " : ", ",
				token_name(e.v[i]));
	}
	diag_error(p->diag, *yypcontext_location(ctx), DIAG_E100, "%s", sb.buf);
	sb_release(&sb);
	/* `trait email = 1` for `with trait email = 1`: a condition's keyword
	 * without its with, taken for a column that now wants a predicate */
	int kw = p->prev_kind;
	if ((kw == T_TRAIT || kw == T_ENTITY || kw == T_EVENT) && p->prev2_kind != T_WITH &&
	    p->prev2_kind != T_WITHOUT && expects(&e, YYSYMBOL_EQ))
		diag_hint(p->diag, "a condition starts with 'with' or 'without': 'with %s ...'",
			  kw == T_TRAIT ? "trait" : kw == T_ENTITY ? "entity" : "event");
	free(e.v);
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
