/*
 * yaml_doc.c — read a YAML document with libyaml's event API into a tree of
 * ynodes that carry 1-based locations.
 *
 * Syntax errors are E002 at libyaml's problem mark (with its context), a key
 * given twice in one mapping is E009 (the first value is kept), keys must be
 * scalars, aliases are rejected (anchors are ignored), and only one document
 * is allowed.  An empty document is an empty mapping.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/yaml_doc.h"
#include "base/line_table.h"

/* Deeper nesting than this is certainly not a lac file; the limit keeps the
 * recursive loaders' stacks small whatever the input. */
#define YAML_MAX_DEPTH 256

struct frame {
	struct ynode *node;
	/* mapping: the key read and waiting for its value */
	bool have_key;
	const char *key;
	struct loc key_loc;
	bool skip_value;           /* the key was a duplicate: drop its value */
};

struct builder {
	struct arena *a;
	struct diag_sink *d;
	uint32_t file;
	const char *text;
	size_t len;
	struct frame *stack;
	size_t depth, cap;
	struct ynode *root;
	int ndocs;
};

static struct loc mark_loc(uint32_t file, yaml_mark_t start, yaml_mark_t end)
{
	struct loc l = { file, (uint32_t)start.line + 1, (uint32_t)start.column + 1,
			 (uint32_t)end.line + 1, (uint32_t)end.column + 1 };
	return l;
}

/* Line and column of a byte offset (libyaml's reader errors only give an
 * offset); a one-byte span there. */
static struct loc offset_loc(const struct builder *b, size_t off)
{
	struct line_table lines;
	struct loc l = { b->file, 1, 1, 1, 2 };
	line_table_build(&lines, b->text, b->len);
	line_table_locate(&lines, off, &l.line, &l.col);
	line_table_release(&lines);
	l.end_line = l.line;
	l.end_col = l.col + 1;
	return l;
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, struct loc loc)
{
	struct ynode *n = ARENA_NEW(b->a, struct ynode);
	n->kind = kind;
	n->loc = loc;
	return n;
}

/* Attach a finished node to the container on top of the stack (or make it the root). */
static int attach(struct builder *b, struct ynode *n)
{
	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *parent = f->node;
	if (parent->kind == YN_SEQUENCE) {
		ARENA_PUSH(b->a, parent->items, parent->nitems, n);
		return 0;
	}
	if (!f->have_key) {
		if (n->kind != YN_SCALAR)
			return diag_error(b->d, n->loc, DIAG_E005,
					  "a mapping key must be a plain value, not a %s",
					  n->kind == YN_MAPPING ? "mapping" : "list");
		f->have_key = true;
		f->key = n->scalar;
		f->key_loc = n->loc;
		f->skip_value = false;
		for (size_t i = 0; i < parent->npairs; i++) {
			if (strcmp(parent->pairs[i].key, n->scalar) == 0) {
				diag_error(b->d, n->loc, DIAG_E009, "duplicate key '%s'", n->scalar);
				diag_hint(b->d, "first given at line %u", parent->pairs[i].key_loc.line);
				f->skip_value = true;
				break;
			}
		}
		return 0;
	}
	f->have_key = false;
	if (f->skip_value)
		return 0;
	struct ypair pr = { f->key, f->key_loc, n };
	ARENA_PUSH(b->a, parent->pairs, parent->npairs, pr);
	return 0;
}

static int push(struct builder *b, struct ynode *n)
{
	if (b->depth >= YAML_MAX_DEPTH)
		return diag_error(b->d, n->loc, DIAG_E002, "the YAML is nested too deeply (more than %d levels)",
				  YAML_MAX_DEPTH);
	struct frame f = { n, false, NULL, { 0, 0, 0, 0, 0 }, false };
	VEC_PUSH(b->stack, b->depth, b->cap, f);
	return 0;
}

static int pop(struct builder *b, yaml_mark_t end)
{
	struct ynode *n = b->stack[--b->depth].node;
	n->loc.end_line = (uint32_t)end.line + 1;
	n->loc.end_col = (uint32_t)end.column + 1;
	return attach(b, n);
}

static void syntax_error(struct builder *b, yaml_parser_t *parser)
{
	struct loc l;
	if (parser->error == YAML_READER_ERROR)
		l = offset_loc(b, parser->problem_offset);
	else
		l = mark_loc(b->file, parser->problem_mark, parser->problem_mark);
	l.end_line = l.line;
	l.end_col = l.col + 1;
	const char *problem = parser->problem ? parser->problem : "malformed YAML";
	if (parser->context)
		diag_error(b->d, l, DIAG_E002, "%s (%s at line %u, column %u)", problem,
			   parser->context, (unsigned)parser->context_mark.line + 1,
			   (unsigned)parser->context_mark.column + 1);
	else
		diag_error(b->d, l, DIAG_E002, "%s", problem);
}

static int handle(struct builder *b, yaml_event_t *ev)
{
	struct loc loc = mark_loc(b->file, ev->start_mark, ev->end_mark);
	struct ynode *n;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1)
			return diag_error(b->d, loc, DIAG_E002,
					  "more than one YAML document (a second '---')");
		return 0;
	case YAML_ALIAS_EVENT:
		return diag_error(b->d, loc, DIAG_E002, "YAML aliases (*%s) are not supported",
				  (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		n = node_new(b, YN_SCALAR, loc);
		n->scalar = arena_strndup(b->a, (const char *)ev->data.scalar.value,
					  ev->data.scalar.length);
		n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
		return attach(b, n);
	case YAML_MAPPING_START_EVENT:
		return push(b, node_new(b, YN_MAPPING, loc));
	case YAML_SEQUENCE_START_EVENT:
		return push(b, node_new(b, YN_SEQUENCE, loc));
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		return pop(b, ev->end_mark);
	default:
		return 0;
	}
}

struct ynode *yaml_doc_parse(struct arena *a, struct diag_sink *d, uint32_t file_id,
			     const char *text, size_t len)
{
	struct builder b = { a, d, file_id, text, len, NULL, 0, 0, NULL, 0 };
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		LAC_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&b, &parser);
			rc = -1;
			break;
		}
		yaml_event_type_t type = ev.type;
		rc = handle(&b, &ev);
		yaml_event_delete(&ev);
		if (rc || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	free(b.stack);
	if (rc)
		return NULL;

	struct ynode *root = b.root;
	if (!root || (root->kind == YN_SCALAR && !root->quoted &&
		      (root->scalar[0] == '\0' || strcmp(root->scalar, "~") == 0 ||
		       strcmp(root->scalar, "null") == 0))) {
		struct loc l = { file_id, 1, 1, 1, 1 };
		if (root)
			l = root->loc;
		root = node_new(&b, YN_MAPPING, l);
	}
	return root;
}

const struct ypair *ynode_pair(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->npairs; i++)
		if (strcmp(map->pairs[i].key, key) == 0)
			return &map->pairs[i];
	return NULL;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	const struct ypair *p = ynode_pair(map, key);
	return p ? p->value : NULL;
}

bool ynode_same(const struct ynode *a, const struct ynode *b)
{
	if (!a || !b || a->kind != b->kind)
		return a == b;
	switch (a->kind) {
	case YN_SCALAR:
		return a->quoted == b->quoted && strcmp(a->scalar, b->scalar) == 0;
	case YN_MAPPING:
		/* keys in any order (a key given twice is E009 anyway) */
		if (a->npairs != b->npairs)
			return false;
		for (size_t i = 0; i < a->npairs; i++)
			if (!ynode_same(a->pairs[i].value, ynode_get(b, a->pairs[i].key)))
				return false;
		return true;
	case YN_SEQUENCE:
		if (a->nitems != b->nitems)
			return false;
		for (size_t i = 0; i < a->nitems; i++)
			if (!ynode_same(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return false;
}
