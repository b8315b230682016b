/*
 * scanner.h — what the scanner (lexer.l), the parser (parser.y) and their
 * driver (src/lang/parse.c) share: the parse state and the scanner's prototypes.
 *
 * Hand-written so that nothing depends on flex's generated header (PostgreSQL's
 * scanner.h habit).  One struct lac_parse carries everything for one file:
 * there are no globals.
 */
#ifndef LAC_SCANNER_H
#define LAC_SCANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "parser.h"

/* One token as the scanner produced it, with where it was written. */
struct lac_tok {
	int kind;                      /* T_* from parser.h; 0 at end of file */
	LAC_GRAM_STYPE val;
	struct loc loc;
	size_t off, len;               /* the token's bytes in the source */
};

struct lac_parse {
	struct arena *arena;
	struct diag_sink *diag;
	uint32_t file_id;
	struct ast_file *file;
	const char *text;              /* the source, for quoting tokens in messages */
	size_t len;
	void *scanner;                 /* flex's yyscan_t */

	/* scanner position (lex_step) */
	uint32_t line, col;
	size_t off;
	size_t tok_off, tok_len;       /* the bytes of the last matched rule */
	bool line_dirty;               /* a token was seen on the current line */
	bool tok_own_line;             /* the last matched rule started a line */

	/* token filter (parse.c): up to three tokens of lookahead */
	struct lac_tok ahead[3];
	int nahead;
	bool eof;
	struct lac_tok cur;            /* the token last handed to the parser */
	int prev_kind;                 /* the kind of the one before it */
	int prev2_kind;                /* and of the one before that */

	/* what the grammar actions are building */
	struct ast_audience *aud;
	bool aud_keep;                 /* false for a bad header: parsed, then dropped */
	size_t aud_syntax;             /* nsyntax when the audience began */
	size_t aud_act_syntax;         /* of those since, the ones inside its activations */
	struct ast_activation *act;
	bool act_keep;
	size_t act_syntax;             /* nsyntax when the activation began */
	struct ast_alert *alert;
	bool alert_keep;
	size_t alert_syntax;           /* nsyntax when the alert began */
	size_t nsyntax;                /* syntax errors so far */
	struct loc err_loc;            /* the token the last one was reported on */
};

/* The raw scanner (flex, prefix lac_yy). */
int lac_yylex(LAC_GRAM_STYPE *lval, struct loc *lloc, void *scanner);
int lac_yylex_init_extra(struct lac_parse *extra, void **scanner);
int lac_yylex_destroy(void *scanner);
struct yy_buffer_state *lac_yy_scan_bytes(const char *bytes, int len, void *scanner);

/* The token filter between scanner and parser (parse.c): turns a keyword
 * followed by a comparison into an identifier and `not` before `contains`
 * or `in` into NOT_LA, so the grammar stays LALR(1). */
int lac_gram_lex(LAC_GRAM_STYPE *lval, struct loc *lloc, struct lac_parse *p);
int lac_gram_parse(struct lac_parse *p);

/* Set up / tear down the scanner over text (parse.c); used by tests too. */
void lac_parse_init(struct lac_parse *p, struct arena *a, struct diag_sink *d,
		    uint32_t file_id, const char *path, const char *text, size_t len);
void lac_parse_release(struct lac_parse *p);

/* Keyword lookup over keywords.def: the token, or T_IDENT. */
int lac_keyword(const char *s, size_t len, const char **text);

/* The deepest nesting of conditions the parser accepts (the checker, the
 * formatter and the SQL generator all recurse over expressions). */
#define LAC_MAX_EXPR_DEPTH 1000

#endif
