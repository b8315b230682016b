/*
 * parse.c — the driver of the .lac front end: sets up the scanner over one
 * source text, runs the parser, and sits between them as a token filter.
 *
 * The filter is PostgreSQL's base_yylex trick: the grammar needs more than
 * one token of lookahead in a few places, so the filter looks ahead instead
 * and hands the parser a rewritten token:
 *   - a keyword right before a comparison is a name (`type = "cat"`,
 *     `count >= 2`, `in = 3`): nothing else can be compared (except
 *     where the grammar takes only that keyword: `with trait = 1`);
 *   - a keyword that starts a condition (after `{`, `and`, a literal, ...,
 *     and not continuing it, as `days` in `last 3 days`) and is followed by
 *     a predicate (`is null`, `in (`, `not in (`, `contains "x"`, ...) is a
 *     column name: `at is not null`, `in in ("a")`, `is is null`;
 *     elsewhere (`is null` then `is is null`) it stays the keyword;
 *   - `not` after a column or trait and before `contains` or `in (` is
 *     NOT_LA, the predicate's `not`, so that after `with trait x` a `not`
 *     can still start the next item; at the start of a condition it is a
 *     column named not (`not in ("a")`) or a negation (`not in in ("a")`).
 * Keywords are reserved only where the grammar needs them (SPEC §3.1).
 */
#include <limits.h>
#include <string.h>

#include "lang/parse.h"
#include "scanner.h"

static bool is_keyword(int kind)
{
	switch (kind) {
#define KW(text, tok, cat) case T_##tok:
#include "keywords.def"
#undef KW
		return true;
	default:
		return false;
	}
}

static bool is_cmp(int kind)
{
	return kind == T_EQ || kind == T_NE || kind == T_LT || kind == T_GT ||
	       kind == T_LE || kind == T_GE;
}

/* Keywords that are followed by a name (`audience is`, `with trait is`):
 * for them only a comparison proves they are a column themselves. */
static bool precedes_name(int kind)
{
	return kind == T_ACTIVATION || kind == T_ADDED || kind == T_ALERT || kind == T_AUDIENCE ||
	       kind == T_DESTINATION || kind == T_ENRICH || kind == T_ENTITY ||
	       kind == T_IDENTIFIER || kind == T_NOTIFY || kind == T_ON || kind == T_REMOVED ||
	       kind == T_TRAIT || kind == T_TRAITS;
}

static bool is_unit(int kind)
{
	return kind == T_MINUTE || kind == T_MINUTES || kind == T_HOUR || kind == T_HOURS ||
	       kind == T_DAY || kind == T_DAYS || kind == T_WEEK || kind == T_WEEKS;
}

/* Can a condition start after the token last handed to the parser (prev;
 * before is the one before it; 0 at the start)?  After `{ ( and or not`, or
 * after a token that can end a condition: a literal, a unit, `)`, `}`... */
static bool starts_condition_after(int prev, int before)
{
	if (is_unit(prev))
		return true;
	switch (prev) {
	case T_NOT:
		return before != T_IS; /* `is not` continues a predicate */
	case 0: case '{': case '(': case '}': case ')':
	case T_AND: case T_OR:
	case T_STRING: case T_NUMBER: case T_TRUE: case T_FALSE: case T_NULL:
	case T_AGO: case T_CONDITIONS: case T_MEMBERSHIP:
		return true;
	default:
		return false;
	}
}

/* Does keyword k, after prev and before, continue the construct they are
 * in (`last 3 days`, `days ago`, `is not null`, `using membership`)? */
static bool continues(int before, int prev, int k)
{
	if (is_unit(k))
		return prev == T_NUMBER && (before == T_LAST || before == T_NEXT || before == T_AND);
	switch (k) {
	case T_AGO:
		return is_unit(prev);
	case T_NULL:
		return prev == T_IS || (prev == T_NOT && before == T_IS);
	case T_CONDITIONS: case T_MEMBERSHIP:
		return prev == T_USING;
	default:
		return false;
	}
}

static bool starts_literal(int kind)
{
	return kind == T_STRING || kind == T_NUMBER || kind == T_TRUE || kind == T_FALSE ||
	       kind == T_DATE || kind == T_TIME || kind == T_TIMESTAMP;
}

/* Does a predicate start at token k1 (followed by k2)?  Two tokens tell it
 * from a column of that name (`is null` vs `is is null`, `in (` vs
 * `in in (`, `contains "x"` vs `contains contains "x"`). */
static bool pred_here(int k1, int k2)
{
	if (is_cmp(k1))
		return true;
	switch (k1) {
	case T_IS: return k2 == T_NULL || k2 == T_NOT;
	case T_IN: return k2 == '(';
	case T_NOT: return k2 == T_CONTAINS || k2 == T_IN;
	case T_CONTAINS: return starts_literal(k2) || k2 == T_TRAIT || k2 == T_IDENT;
	case T_STARTS: case T_ENDS: return k2 == T_WITH;
	case T_BETWEEN: return starts_literal(k2);
	case T_WITHIN: return k2 == T_LAST || k2 == T_NEXT;
	case T_BEFORE: return k2 == T_LAST;
	case T_AFTER: return k2 == T_NEXT;
	default: return false;
	}
}

/* Is keyword k, coming after the tokens handed to the parser so far, the
 * one word the grammar takes there: `trait`, `entity` or `event` after a
 * `with`/`without` that starts a condition, `audience` after `part of`?
 * Then `with trait = 1` lacks the trait's name, and the error belongs at
 * `=`, not at a column named trait.  (`with` and `of` are names too:
 * `with trait of at = 1` tests the trait named of.) */
static bool keyword_expected(const struct lac_parse *p, int k)
{
	if (k == T_TRAIT || k == T_ENTITY || k == T_EVENT)
		return (p->cur.kind == T_WITH || p->cur.kind == T_WITHOUT) &&
		       starts_condition_after(p->prev_kind, p->prev2_kind);
	return k == T_AUDIENCE && p->cur.kind == T_OF && p->prev_kind == T_PART;
}

/* Make sure ahead[0..n) hold tokens; past the end, more end-of-file tokens. */
static void fill(struct lac_parse *p, int n)
{
	while (p->nahead < n) {
		struct lac_tok *t = &p->ahead[p->nahead];
		if (p->eof) {
			*t = p->ahead[p->nahead - 1];
		} else {
			memset(t, 0, sizeof(*t));
			t->kind = lac_yylex(&t->val, &t->loc, p->scanner);
			t->off = p->tok_off;
			t->len = p->tok_len;
			p->eof = t->kind == 0;
		}
		p->nahead++;
	}
}

int lac_gram_lex(LAC_GRAM_STYPE *lval, struct loc *lloc, struct lac_parse *p)
{
	fill(p, 1);
	struct lac_tok *t = &p->ahead[0];
	if (is_keyword(t->kind)) {
		fill(p, 3);
		int next = p->ahead[1].kind, next2 = p->ahead[2].kind;
		bool at_start = starts_condition_after(p->cur.kind, p->prev_kind) &&
				!continues(p->prev_kind, p->cur.kind, t->kind);
		if (is_cmp(next) && !keyword_expected(p, t->kind)) {
			t->kind = T_IDENT;
		} else if (t->kind == T_NOT) {
			/* `x not in (`: the predicate's not; `{ not in ("a")`: a
			 * column named not; `{ not in in ("a")`: a negation */
			if (!at_start && (next == T_CONTAINS || (next == T_IN && next2 == '(')))
				t->kind = T_NOT_LA;
			else if (at_start && pred_here(next, next2))
				t->kind = T_IDENT;
		} else if (at_start && !precedes_name(t->kind) && pred_here(next, next2)) {
			/* only a column starts a condition and is followed by a predicate */
			t->kind = T_IDENT;
		}
	}
	p->prev2_kind = p->prev_kind;
	p->prev_kind = p->cur.kind;
	p->cur = *t;
	memmove(&p->ahead[0], &p->ahead[1], (size_t)(p->nahead - 1) * sizeof(p->ahead[0]));
	p->nahead--;
	*lval = p->cur.val;
	*lloc = p->cur.loc;
	return p->cur.kind;
}

void lac_parse_init(struct lac_parse *p, struct arena *a, struct diag_sink *d,
		    uint32_t file_id, const char *path, const char *text, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->arena = a;
	p->diag = d;
	p->file_id = file_id;
	p->file = ARENA_NEW(a, struct ast_file);
	p->file->path = arena_strdup(a, path ? path : "");
	p->file->file_id = file_id;
	p->text = text ? text : "";
	p->len = text ? len : 0;
	/* A UTF-8 byte order mark (some Windows editors write one) is not
	 * text: skip it; columns count from after it, as diag.c shows line 1. */
	if (p->len >= 3 && memcmp(p->text, "\xEF\xBB\xBF", 3) == 0) {
		p->text += 3;
		p->len -= 3;
	}
	p->line = p->col = 1;
	if (lac_yylex_init_extra(p, &p->scanner))
		LAC_BUG("cannot create the scanner");
	lac_yy_scan_bytes(p->text, (int)p->len, p->scanner);
}

void lac_parse_release(struct lac_parse *p)
{
	if (p->scanner)
		lac_yylex_destroy(p->scanner);
	p->scanner = NULL;
}

struct ast_file *parse_source(struct arena *a, struct diag_sink *d, uint32_t file_id,
			      const char *path, const char *text, size_t len)
{
	struct lac_parse p;

	if (len > INT_MAX) {
		/* flex counts in int; no audience file comes near this */
		lac_parse_init(&p, a, d, file_id, path, "", 0);
		struct loc l = { file_id, 1, 1, 1, 1 };
		diag_error(d, l, DIAG_E100, "file too large (%zu bytes)", len);
	} else {
		lac_parse_init(&p, a, d, file_id, path, text, len);
		lac_gram_parse(&p);
	}
	lac_parse_release(&p);
	return p.file;
}
