/*
 * parse.c — the driver of the .lac front end: sets up the scanner over one
 * source text, runs the parser, and sits between them as a token filter.
 *
 * The filter is PostgreSQL's base_yylex trick: the grammar needs two tokens
 * of lookahead in two places, so the filter looks ahead instead and hands the
 * parser a rewritten token:
 *   - a keyword right before a comparison or another predicate operator is
 *     a name (`type = "cat"`, `count >= 2`, `in = 3`, `at is not null`):
 *     nothing else can be compared;
 *   - `not` right before `contains` or `in` is NOT_LA, the predicate's `not`,
 *     so that after `with trait x` a `not` can still start the next item.
 */
#include <limits.h>
#include <string.h>

#include "parse.h"
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
	return kind == T_ACTIVATION || kind == T_ADDED || kind == T_AUDIENCE ||
	       kind == T_DESTINATION || kind == T_ENRICH || kind == T_ENTITY ||
	       kind == T_IDENTIFIER || kind == T_ON || kind == T_REMOVED || kind == T_TRAIT ||
	       kind == T_TRAITS;
}

/* Operators that only ever follow the column or trait they test. */
static bool starts_predicate(int kind)
{
	return is_cmp(kind) || kind == T_IS || kind == T_CONTAINS || kind == T_STARTS ||
	       kind == T_ENDS || kind == T_BETWEEN || kind == T_WITHIN || kind == T_BEFORE ||
	       kind == T_AFTER;
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
		fill(p, 2);
		int next = p->ahead[1].kind;
		if (is_cmp(next) ||
		    (starts_predicate(next) && !precedes_name(t->kind) &&
		     !(t->kind == T_NOT && next == T_CONTAINS))) {
			t->kind = T_IDENT;
		} else if (t->kind == T_NOT &&
			   (p->ahead[1].kind == T_CONTAINS || p->ahead[1].kind == T_IN)) {
			/* but `not in = 3` negates a column named in */
			fill(p, 3);
			if (!is_cmp(p->ahead[2].kind))
				t->kind = T_NOT_LA;
		}
	}
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
