/*
 * audience_test.c — reading *.test.yaml files (audience_test.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/yload.h"
#include "check/audience_test.h"
#include "check/check.h"

/* ---- finding the files ------------------------------------------------------ */

const char **audience_test_files(struct project *p, size_t *n)
{
	const char **files = NULL;
	*n = 0;
	for (size_t i = 0; i < p->naudience_paths; i++)
		project_find_files(p, p->audience_paths[i], ".test.yaml", &files, n, NULL);
	if (*n)
		qsort(files, *n, sizeof(*files), str_cmp_ptr);
	size_t m = 0; /* audience paths may overlap */
	for (size_t i = 0; i < *n; i++)
		if (!m || strcmp(files[m - 1], files[i]) != 0)
			files[m++] = files[i];
	*n = m;
	return files;
}

/* ---- values ----------------------------------------------------------------- */

/* A YAML value as JSON (for OBJECT columns written as YAML mappings). */
static json_t *ynode_json(const struct ynode *n)
{
	if (n->kind == YN_MAPPING) {
		json_t *o = json_object();
		for (size_t i = 0; i < n->npairs; i++)
			json_object_set_new(o, n->pairs[i].key, ynode_json(n->pairs[i].value));
		return o;
	}
	if (n->kind == YN_SEQUENCE) {
		json_t *a = json_array();
		for (size_t i = 0; i < n->nitems; i++)
			json_array_append_new(a, ynode_json(n->items[i]));
		return a;
	}
	if (!n->quoted) {
		json_t *v = json_loads(n->scalar, JSON_DECODE_ANY, NULL);
		if (v && !json_is_object(v) && !json_is_array(v) && !json_is_string(v))
			return v; /* null, true, false, a number */
		json_decref(v);
		if (!*n->scalar || strcmp(n->scalar, "~") == 0)
			return json_null();
	}
	return json_string(n->scalar);
}

static bool is_number(const char *s)
{
	char *end;
	errno = 0;
	strtod(s, &end);
	return *s && !*end && !errno;
}

/* text (not null) as the warehouse stores a value of column c; NULL after
 * E006 at loc when it is not one. */
static const char *convert(struct project *p, const struct graph_table_column *c, const char *text,
			   struct loc loc)
{
	switch (c->type) {
	case TY_BOOLEAN:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			return "1";
		if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			return "0";
		diag_error(&p->diags, loc, DIAG_E006, "column '%s' is BOOLEAN: true or false, not '%s'",
			   c->name, text);
		return NULL;
	case TY_NUMBER:
		if (is_number(text))
			return text;
		diag_error(&p->diags, loc, DIAG_E006, "column '%s' is a NUMBER, not '%s'", c->name, text);
		return NULL;
	case TY_OBJECT: {
		json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
		json_decref(v);
		if (v)
			return text;
		diag_error(&p->diags, loc, DIAG_E006, "column '%s' holds JSON, not '%s'", c->name, text);
		return NULL;
	}
	default:
		return text;
	}
}

/* ---- tables ----------------------------------------------------------------- */

static const char **column_names(struct project *p, const struct graph_table *t)
{
	const char **names = arena_alloc(&p->arena, (t->ncolumns + 1) * sizeof(*names));
	for (size_t i = 0; i < t->ncolumns; i++)
		names[i] = t->columns[i].name;
	return names;
}

/* Rows written as YAML maps. */
static bool rows_from_yaml(struct project *p, const struct ynode *list, struct fixture_table *ft)
{
	bool ok = true;
	const struct graph_table *t = ft->table;
	char *where = xasprintf("a row of table '%s'", t->name);
	size_t before = p->diags.nerrors;
	for (size_t i = 0; i < list->nitems; i++) {
		const struct ynode *r = list->items[i];
		if (!yexpect(&p->diags, r, YN_MAPPING, "a row")) {
			ok = false;
			continue;
		}
		ycheck_keys(&p->diags, r, column_names(p, t), t->ncolumns, where);
		struct fixture_row row = { NULL, 0 };
		for (size_t j = 0; j < r->npairs; j++) {
			const struct graph_table_column *c = graph_table_column(t, r->pairs[j].key);
			const struct ynode *v = r->pairs[j].value;
			if (!c)
				continue;
			struct fixture_cell cell = { c->name, NULL };
			if (v->kind != YN_SCALAR) {
				if (c->type != TY_OBJECT) {
					yexpect(&p->diags, v, YN_SCALAR, c->name);
					continue;
				}
				json_t *json = ynode_json(v);
				char *s = json_dumps(json, JSON_COMPACT);
				cell.value = arena_strdup(&p->arena, s);
				free(s);
				json_decref(json);
			} else if (v->quoted || (*v->scalar && strcmp(v->scalar, "null") != 0 &&
						 strcmp(v->scalar, "~") != 0)) {
				cell.value = convert(p, c, v->scalar, v->loc);
				if (!cell.value)
					continue;
			}
			ARENA_PUSH(&p->arena, row.cells, row.ncells, cell);
		}
		ARENA_PUSH(&p->arena, ft->rows, ft->nrows, row);
	}
	free(where);
	return ok && p->diags.nerrors == before;
}

static struct loc field_loc(uint32_t file, uint32_t line, uint32_t col)
{
	return (struct loc){ file, line, col, line, col + 1 };
}

/* Rows from a CSV file with a header: an empty field is null, "" an empty string. */
static bool rows_from_csv(struct project *p, const char *test_rel, const struct ynode *name,
			  struct fixture_table *ft)
{
	const char *slash = strrchr(test_rel, '/');
	const char *rel = name->scalar[0] == '/' || !slash ? name->scalar
		: arena_sprintf(&p->arena, "%.*s/%s", (int)(slash - test_rel), test_rel, name->scalar);
	const char *path = project_path(p, rel);
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return diag_error(&p->diags, name->loc, DIAG_E001, "cannot read '%s': %s", path,
				  strerror(errno)), false;
	uint32_t file = source_add(&p->sources, path, text, len);
	struct csv_record *recs;
	size_t nrecs;
	struct csv_error e;
	if (csv_parse(&p->arena, text, len, &recs, &nrecs, &e) != 0)
		return diag_error(&p->diags, field_loc(file, e.line, e.col), DIAG_E002, "%s", e.message),
		       false;
	if (!nrecs)
		return diag_error(&p->diags, name->loc, DIAG_E005, "'%s' has no header line", path), false;

	const struct graph_table *t = ft->table;
	const struct graph_table_column **cols = arena_alloc(&p->arena, recs[0].n * sizeof(*cols));
	size_t before = p->diags.nerrors;
	for (size_t i = 0; i < recs[0].n; i++) {
		const struct csv_field *f = &recs[0].fields[i];
		cols[i] = graph_table_column(t, f->text);
		if (!cols[i]) {
			diag_error(&p->diags, field_loc(file, f->line, f->col), DIAG_E003,
				   "unknown column '%s' of table '%s'", f->text, t->name);
			diag_hint_closest(&p->diags, f->text, column_names(p, t), t->ncolumns);
		}
	}
	for (size_t r = 1; r < nrecs && p->diags.nerrors == before; r++) {
		if (recs[r].n != recs[0].n) {
			diag_error(&p->diags, field_loc(file, recs[r].line, 1), DIAG_E005,
				   "this row has %zu fields, the header %zu", recs[r].n, recs[0].n);
			break;
		}
		struct fixture_row row = { NULL, 0 };
		for (size_t i = 0; i < recs[r].n; i++) {
			const struct csv_field *f = &recs[r].fields[i];
			struct fixture_cell cell = { cols[i]->name, NULL };
			if (f->quoted || *f->text)
				cell.value = convert(p, cols[i], f->text, field_loc(file, f->line, f->col));
			if (cell.value || (!f->quoted && !*f->text))
				ARENA_PUSH(&p->arena, row.cells, row.ncells, cell);
		}
		ARENA_PUSH(&p->arena, ft->rows, ft->nrows, row);
	}
	return p->diags.nerrors == before;
}

static bool load_tables(struct project *p, const struct graph_table *tables, size_t ntables,
			const char *rel, const struct ynode *map, struct fixture_table **out, size_t *nout)
{
	if (!yexpect(&p->diags, map, YN_MAPPING, "tables"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ypair *pr = &map->pairs[i];
		const struct graph_table *gt = graph_table_find(tables, ntables, pr->key);
		if (!gt) {
			const char **names = arena_alloc(&p->arena, (ntables + 1) * sizeof(*names));
			for (size_t k = 0; k < ntables; k++)
				names[k] = tables[k].name;
			diag_error(&p->diags, pr->key_loc, DIAG_E006,
				   "'%s' is not a table of the data graph", pr->key);
			diag_hint_closest(&p->diags, pr->key, names, ntables);
			ok = false;
			continue;
		}
		struct fixture_table ft = { gt, NULL, 0 };
		const struct ynode *v = pr->value;
		if (v->kind == YN_SCALAR)
			ok &= rows_from_csv(p, rel, v, &ft);
		else if (yexpect(&p->diags, v, YN_SEQUENCE, pr->key))
			ok &= rows_from_yaml(p, v, &ft);
		else
			ok = false;
		ARENA_PUSH(&p->arena, *out, *nout, ft);
	}
	return ok;
}

/* ---- the file ---------------------------------------------------------------- */

static bool load_members(struct project *p, const struct ynode *expect, struct audience_test *t)
{
	static const char *const keys[] = { "members" };
	if (!yexpect(&p->diags, expect, YN_MAPPING, "expect"))
		return false;
	ycheck_keys(&p->diags, expect, keys, ARRAY_LEN(keys), "expect");
	const struct ynode *m = yrequire(&p->diags, expect, "members", "expect");
	if (!m || !yexpect(&p->diags, m, YN_SEQUENCE, "members"))
		return false;
	for (size_t i = 0; i < m->nitems; i++) {
		const char *id = yscalar(&p->diags, m->items[i], "a member");
		if (!id)
			return false;
		ARENA_PUSH(&p->arena, t->members, t->nmembers, id);
	}
	if (t->nmembers)
		qsort(t->members, t->nmembers, sizeof(*t->members), str_cmp_ptr);
	return true;
}

static bool load_now(struct project *p, const struct ynode *n, struct lac_now *out)
{
	if (!yscalar(&p->diags, n, "now"))
		return false;
	if (now_parse(n->scalar, out) == 0)
		return true;
	diag_error(&p->diags, n->loc, DIAG_E006,
		   "'now' must be a UTC timestamp like 2026-01-15T12:00:00Z, not '%s'", n->scalar);
	return false;
}

/* then: { now, tables, expect: { events: [...] } } */
static void load_then(struct project *p, const struct graph_table *tables, size_t ntables,
		      const char *rel, const struct ynode *then, struct audience_test *t)
{
	static const char *const keys[] = { "now", "tables", "expect" };
	static const char *const expect_keys[] = { "events" };
	if (!yexpect(&p->diags, then, YN_MAPPING, "then"))
		return;
	ycheck_keys(&p->diags, then, keys, ARRAY_LEN(keys), "then");
	t->has_then = true;
	t->then_now = t->now;
	const struct ynode *n;
	if ((n = ynode_get(then, "now")))
		load_now(p, n, &t->then_now);
	if ((n = ynode_get(then, "tables")))
		load_tables(p, tables, ntables, rel, n, &t->then_tables, &t->nthen_tables);
	const struct ynode *expect = yrequire(&p->diags, then, "expect", "then");
	if (!expect || !yexpect(&p->diags, expect, YN_MAPPING, "expect"))
		return;
	ycheck_keys(&p->diags, expect, expect_keys, ARRAY_LEN(expect_keys), "then's expect");
	const struct ynode *ev = yrequire(&p->diags, expect, "events", "then's expect");
	if (!ev || !yexpect(&p->diags, ev, YN_SEQUENCE, "events"))
		return;
	for (size_t i = 0; i < ev->nitems; i++) {
		if (!yexpect(&p->diags, ev->items[i], YN_MAPPING, "an event"))
			continue;
		json_t *j = ynode_json(ev->items[i]);
		char *text = json_dumps(j, JSON_COMPACT);
		ARENA_PUSH(&p->arena, t->events, t->nevents, arena_strdup(&p->arena, text));
		free(text);
		json_decref(j);
	}
}

int audience_test_load(struct project *p, const struct graph_table *tables, size_t ntables,
		       const char *rel, struct audience_test *t)
{
	static const char *const keys[] = { "test", "audience", "now", "tables", "expect", "then" };
	memset(t, 0, sizeof(*t));
	t->path = project_path(p, rel);
	size_t before = p->diags.nerrors, len;
	char *text = read_file(t->path, &len);
	if (!text)
		return diag_error(&p->diags, (struct loc){ 0 }, DIAG_E001, "cannot read '%s': %s",
				  t->path, strerror(errno));
	uint32_t file = source_add(&p->sources, t->path, text, len);
	const struct ynode *doc = yaml_doc_parse(&p->arena, &p->diags, file, text, len);
	if (!doc || !yexpect(&p->diags, doc, YN_MAPPING, "an audience test"))
		return -1;
	ycheck_keys(&p->diags, doc, keys, ARRAY_LEN(keys), "an audience test");
	const struct ynode *n;
	if ((n = yrequire(&p->diags, doc, "test", "an audience test")))
		t->name = yscalar(&p->diags, n, "test");
	if ((n = yrequire(&p->diags, doc, "audience", "an audience test")) &&
	    yscalar(&p->diags, n, "audience")) {
		t->audience = project_audience(p, n->scalar);
		if (!t->audience) {
			const char **names = NULL;
			size_t nnames = 0;
			for (size_t i = 0; i < p->nfiles; i++)
				for (size_t k = 0; k < p->files[i]->naudiences; k++)
					ARENA_PUSH(&p->arena, names, nnames, p->files[i]->audiences[k]->name);
			diag_error(&p->diags, n->loc, DIAG_E006, "unknown audience '%s'", n->scalar);
			diag_hint_closest(&p->diags, n->scalar, names, nnames);
		}
	}
	if ((n = yrequire(&p->diags, doc, "now", "an audience test")))
		load_now(p, n, &t->now);
	if ((n = ynode_get(doc, "tables")))
		load_tables(p, tables, ntables, rel, n, &t->tables, &t->ntables);
	if ((n = yrequire(&p->diags, doc, "expect", "an audience test")))
		load_members(p, n, t);
	if ((n = ynode_get(doc, "then")))
		load_then(p, tables, ntables, rel, n, t);
	return p->diags.nerrors == before ? 0 : -1;
}
