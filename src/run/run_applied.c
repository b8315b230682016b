/*
 * run_applied.c — the project `lac run` and `lac daemon` compile (SPEC §5
 * "Applied definitions"): lac.yaml's settings (warehouse, destinations,
 * state) with every applied audience's stored source and a data graph made
 * from the union of the stored graph parts.  They never compile the files.
 *
 * The union is consistent: a part holds only elements the audience uses,
 * each written in full, and an audience whose used part changed in the
 * files is an update that `lac apply` stores again together with every
 * other change.  So two stored parts that hold the same element hold it
 * the same way, and each audience checks against the graph it was applied
 * with (docs/runs.md).
 *
 * The files are still read, only to warn where they differ from what was
 * applied (or that they do not load at all); a broken file never stops a
 * run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "check/graph_part.h"
#include "graph/graph_load.h"
#include "lang/parse.h"
#include "run/run.h"

struct stored_list {
	struct run_definition *v;
	size_t n, cap;
};

static int collect(const struct state_audience *sa, void *ctx)
{
	struct stored_list *l = ctx;
	struct run_definition s = { xstrdup(sa->name), sa->source ? xstrdup(sa->source) : NULL,
				    sa->graph ? xstrdup(sa->graph) : NULL };
	VEC_PUSH(l->v, l->n, l->cap, s);
	return 0;
}

static bool in_names(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

/* The graph of the union of the stored parts into p. */
static int load_graph(struct project *p, const struct run_definition *v, size_t n, struct strbuf *err)
{
	json_t *g = NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].source && v[i].graph && graph_part_merge(&g, v[i].graph, err) < 0) {
			json_decref(g);
			return -1;
		}
	if (!g)
		return 0; /* nothing applied: no graph needed */
	char *text = graph_part_text(g);
	json_decref(g);
	size_t before = p->diags.nerrors;
	struct graph_load_ctx ctx = {
		.graph = &p->graph, .diags = &p->diags, .arena = &p->arena, .sources = &p->sources,
		.stdlib_dir = project_stdlib_dir(), .text = text,
		.text_name = "<the applied data graph>",
	};
	graph_load(&ctx);
	free(text);
	p->graph_ok = p->diags.nerrors == before;
	return 0;
}

/* Compare the files with what was applied: the names that differ; an
 * applied audience that matches its file takes the file's path and line,
 * so a warehouse error names the line the user wrote. */
static void compare_files(struct project *p, struct run_applied *ra)
{
	for (size_t f = 0; f < p->nfiles; f++)
		for (size_t k = 0; k < p->files[f]->naudiences; k++) {
			struct ast_audience *a = p->files[f]->audiences[k];
			struct ast_audience *fa = project_audience(&ra->files, a->name);
			bool same = false;
			if (fa && fa->ok) {
				char *src = run_audience_source(fa), *graph = run_audience_graph(&ra->files, fa);
				char *asrc = run_audience_source(a), *agraph = run_audience_graph(p, a);
				same = strcmp(src, asrc) == 0 && strcmp(graph, agraph) == 0;
				free(src);
				free(graph);
				free(asrc);
				free(agraph);
			}
			if (same) {
				a->file = fa->file;
				a->loc.line = fa->loc.line;
			} else {
				VEC_PUSH(ra->differ, ra->ndiffer, ra->capdiffer, xstrdup(a->name));
			}
		}
}

int run_definitions_load(struct project *p, const struct run_definition *v, size_t n,
			 struct strbuf *err)
{
	if (load_graph(p, v, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].source)
			continue; /* applied by an older lac */
		char *path = xasprintf("<applied audience %s>", v[i].name);
		size_t len = strlen(v[i].source);
		uint32_t id = source_add(&p->sources, path, xstrdup(v[i].source), len);
		struct ast_file *f = parse_source(&p->arena, &p->diags, id,
						  arena_strdup(&p->arena, path), v[i].source, len);
		free(path);
		ARENA_PUSH(&p->arena, p->files, p->nfiles, f);
	}
	if (p->nfiles && p->graph_ok)
		check_project(p);
	return 0;
}

int run_applied_load(struct project *p, struct state *st, const char *dir, struct run_applied *ra,
		     struct strbuf *err)
{
	memset(ra, 0, sizeof(*ra));
	project_init(&ra->files);
	struct stored_list l = { 0 };
	int rc = -1;
	if (state_list_audiences(st, collect, &l) < 0) {
		sb_addf(err, "cannot read the state %s: %s", state_path(st), state_errmsg(st));
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].source)
			VEC_PUSH(ra->legacy, ra->nlegacy, ra->caplegacy, xstrdup(l.v[i].name));
	if (run_definitions_load(p, l.v, l.n, err) < 0)
		goto out;
	if (p->diags.nerrors) {
		sb_addf(err, "the applied definitions in %s do not check (see above); run 'lac apply'",
			state_path(st));
		goto out;
	}
	/* the files: only to tell where they differ */
	ra->files_ok = check_load(&ra->files, dir) == 0;
	if (ra->files_ok)
		compare_files(p, ra);
	rc = 0;
out:
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].name);
		free(l.v[i].source);
		free(l.v[i].graph);
	}
	free(l.v);
	return rc;
}

bool run_applied_is_legacy(const struct run_applied *ra, const char *name)
{
	return in_names(ra->legacy, ra->nlegacy, name);
}

void run_applied_warn(const struct run_applied *ra, const struct ast_audience *a, bool quiet)
{
	if (!quiet && in_names(ra->differ, ra->ndiffer, a->name))
		fprintf(stderr, "lac: warning: audience '%s' differs from what was applied; running "
			"the applied definition (see 'lac plan')\n", a->name);
}

void run_applied_warn_files(const struct run_applied *ra, bool quiet)
{
	if (!quiet && !ra->files_ok)
		fprintf(stderr, "lac: warning: the project's files have errors (see 'lac check'); "
			"running the applied definitions\n");
}

void run_applied_release(struct run_applied *ra)
{
	for (size_t i = 0; i < ra->nlegacy; i++)
		free(ra->legacy[i]);
	free(ra->legacy);
	for (size_t i = 0; i < ra->ndiffer; i++)
		free(ra->differ[i]);
	free(ra->differ);
	project_release(&ra->files);
	memset(ra, 0, sizeof(*ra));
}
