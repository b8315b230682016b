/*
 * fuzz_check.c — fuzz target for the whole front end past the parser: each
 * input is an audience file of the kitchen-sink example project (its
 * lac.yaml and data graph, copied once into a scratch directory), which is
 * loaded and type-checked (also as if the graph had errors, with only the
 * checks that need no graph); when it checks without an error, every audience
 * is compiled in all six dialects, as its membership SELECT and as the
 * script of a run, and its applied definitions (what `lac apply` stores)
 * are loaded back and must give the same SQL.  Nothing may crash, leak or
 * trip the sanitizers.
 *
 * fuzz_parse reaches only the parser; the checker and the SQL generators
 * read what it builds, so they get their own target.
 *
 * Built with -DLAC_LIBFUZZER it is a libFuzzer target.  Built normally, main()
 * replays tests/corpus/check/ (or the files and folders given): a
 * hand-written input named ok-* must check cleanly and compile, one named
 * bad-* must be reported; the campaign's finds (40 hex digits) need only
 * not crash.  It also checks the example's own audiences, all of them in one
 * file, so the replay proves that the SQL generators are reached.
 */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "run/run.h"
#include "sql/gen.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[PATH_MAX];

/* Write the file whole (a plain write: an fsync per input would cost more
 * than the check). */
static void write_whole(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		abort();
}

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *text = read_file(from, &len);
	if (!text)
		abort();
	write_whole(to, text, len);
	free(text);
}

static const char *const scratch_files[] = { "audiences/fuzz.lac", "lac.yaml", "graph.yaml" };

static void remove_scratch(void)
{
	for (size_t i = 0; i < ARRAY_LEN(scratch_files); i++) {
		char *path = xasprintf("%s/%s", scratch, scratch_files[i]);
		unlink(path);
		free(path);
	}
	char *dir = xasprintf("%s/audiences", scratch);
	rmdir(dir);
	free(dir);
	rmdir(scratch);
}

/* The scratch project, removed at exit: the kitchen-sink example's
 * settings and graph, and an audiences/ folder for the input. */
static void make_scratch(void)
{
	snprintf(scratch, sizeof scratch, "%s/lac-fuzz-check.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(scratch))
		abort();
	atexit(remove_scratch);
	for (size_t i = 1; i < ARRAY_LEN(scratch_files); i++) {
		char *from = xasprintf("%s/kitchen-sink/%s", LAC_SRC_EXAMPLES_DIR, scratch_files[i]);
		char *to = xasprintf("%s/%s", scratch, scratch_files[i]);
		copy_file(from, to);
		free(from);
		free(to);
	}
	char *dir = xasprintf("%s/audiences", scratch);
	if (mkdir(dir, 0700) != 0)
		abort();
	free(dir);
}

/* Every audience's membership SQL in every dialect, compared with the SQL
 * of what `lac apply` stored (each audience's canonical source and graph
 * part), loaded back as `lac run` loads it: it must check and give the
 * same SQL (else a run would compute something else than `lac compile` and
 * `lac plan` show). */
static void check_membership(struct project *p)
{
	size_t n = 0, cap = 0;
	struct run_definition *v = NULL;
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t j = 0; j < p->files[i]->naudiences; j++) {
			const struct ast_audience *a = p->files[i]->audiences[j];
			struct run_definition d = { (char *)a->name, run_audience_source(a),
						    run_audience_graph(p, a) };
			VEC_PUSH(v, n, cap, d);
		}
	struct project q;
	project_init(&q);
	struct strbuf err = STRBUF_INIT;
	if (project_load_settings(&q, scratch) != 0 || run_definitions_load(&q, v, n, &err) != 0 ||
	    q.diags.nerrors) {
		fprintf(stderr, "fuzz_check: the applied definitions do not load back: %s\n", err.buf);
		for (size_t i = 0; i < q.diags.n; i++)
			fprintf(stderr, "  %s\n", q.diags.items[i].message);
		abort();
	}
	for (size_t di = 0; di < ndialects; di++) {
		struct sql_options o = { .d = dialects[di], .schema = p->warehouse.schema };
		for (size_t i = 0; i < n; i++) {
			struct strbuf files = STRBUF_INIT, applied = STRBUF_INIT;
			sql_membership(&files, &p->graph, project_audience(p, v[i].name), &o);
			sql_membership(&applied, &q.graph, project_audience(&q, v[i].name), &o);
			if (strcmp(files.buf, applied.buf) != 0) {
				fprintf(stderr, "fuzz_check: %s's SQL (%s) differs once applied:\n%s\n---\n%s\n",
					v[i].name, dialects[di]->name, files.buf, applied.buf);
				abort();
			}
			sb_release(&files);
			sb_release(&applied);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].graph);
	}
	free(v);
	sb_release(&err);
	project_release(&q);
}

/* Check the input as the project's one audience file; compile it when it
 * checks.  Returns the number of errors (-1: compiled, no error). */
static long check_once(const uint8_t *data, size_t size)
{
	if (!scratch[0])
		make_scratch();
	char *path = xasprintf("%s/%s", scratch, scratch_files[0]);
	write_whole(path, data, size);
	free(path);

	/* as when the data graph has errors: the checks that need none */
	struct project g;
	project_init(&g);
	project_load(&g, scratch);
	g.graph_ok = false;
	check_project(&g);
	project_release(&g);

	struct project p;
	project_init(&p);
	long rc = check_load(&p, scratch) == 0 ? -1 : (long)p.diags.nerrors;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p.diags.n; i++)
		diag_format_one(&p.diags, &p.diags.items[i], &sb, false);
	if (rc < 0) {
		check_membership(&p);
		for (size_t di = 0; di < ndialects; di++)
			for (size_t i = 0; i < p.nfiles; i++)
				for (size_t j = 0; j < p.files[i]->naudiences; j++)
					run_script(&p, p.files[i]->audiences[j], dialects[di],
						   "2025-01-31T08:30:00Z", &sb);
	}
	sb_release(&sb);
	project_release(&p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_once(data, size);
	return 0;
}

#ifndef LAC_LIBFUZZER
static const char *base_name(const char *path)
{
	return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

static int run_file(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "fuzz_check: cannot read %s\n", path);
		return 1;
	}
	long rc = check_once((const uint8_t *)text, len);
	free(text);
	const char *base = base_name(path);
	if (str_starts(base, "ok-") && rc >= 0) {
		fprintf(stderr, "fuzz_check: %s: %ld errors, expected none\n", path, rc);
		return 1;
	}
	if (str_starts(base, "bad-") && rc < 0) {
		fprintf(stderr, "fuzz_check: %s: checked without an error\n", path);
		return 1;
	}
	return 0;
}

/* The example's audience files as one input: they check and compile. */
static int run_example(void)
{
	char *pattern = xasprintf("%s/kitchen-sink/audiences/*.lac", LAC_SRC_EXAMPLES_DIR);
	glob_t g;
	struct strbuf all = STRBUF_INIT;
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			size_t len;
			char *text = read_file(g.gl_pathv[i], &len);
			if (text) {
				sb_addmem(&all, text, len);
				sb_addch(&all, '\n'); /* a last comment line may lack its newline */
			}
			free(text);
		}
		globfree(&g);
	}
	free(pattern);
	long rc = all.len ? check_once((const uint8_t *)all.buf, all.len) : 0;
	sb_release(&all);
	if (rc >= 0) {
		fprintf(stderr, "fuzz_check: the kitchen-sink audiences: %ld errors, expected none\n", rc);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int fails = argc > 1 ? 0 : run_example();
	return fuzz_replay_judged("fuzz_check", LAC_CORPUS_DIR, argc, argv, run_file) || fails;
}
#endif
