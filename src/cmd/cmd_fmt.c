/*
 * cmd_fmt.c — `lac fmt [--check] [--diff] [FILE...]`: rewrite .lac files
 * in the canonical layout (fmt.c).
 *
 * With no FILE, the project's audience files (from lac.yaml) are formatted;
 * a directory given as FILE stands for the .lac files under it;
 * type errors do not matter, only syntax does.  A file with syntax errors is
 * left alone and its diagnostics printed.  Files are replaced atomically (a
 * temporary file in the same directory, renamed over the original with its
 * mode) and only when their text changes.  `-` reads stdin, writes stdout.
 * Before anything is written, the output is parsed again and must give the
 * same syntax tree and the same comments as the input.  --check and --diff
 * write nothing: they name, or show as a unified diff, what would change.
 *
 * --format json prints one object on stdout instead of names and text:
 * every file with whether it changed (or would, with --check or --diff),
 * stdin's formatted text or the diff in its entry, and the diagnostics
 * (docs/fmt.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/file_write.h"
#include "base/line_diff.h"
#include "base/json_print.h"
#include "cmd/cli.h"
#include "lang/fmt.h"
#include "lang/parse.h"
#include "base/json_emit.h"

struct fmt_run {
	struct cli *cli;
	bool check;
	bool diff;
	struct arena arena;
	struct source_set sources;
	struct diag_sink diags;
	int errors;                    /* files not formatted */
	int changed;                   /* files that changed (or would) */
	json_t *files;                 /* --format json: the entries of "files", else NULL */
	json_t *project_diags;         /* --format json: the project's diagnostics (no files) */
};

/* One entry of "files"; error is NULL for a file that was formatted. */
static json_t *file_entry(struct fmt_run *r, const char *path, bool changed, const char *error)
{
	json_t *e = json_object();
	json_object_set_new(e, "path", json_text(path, strlen(path)));
	json_object_set_new(e, "changed", json_boolean(changed));
	if (error)
		json_object_set_new(e, "error", json_string(error));
	json_array_append_new(r->files, e);
	return e;
}

/* The diagnostics as the array `lac check --format json` prints (diag.c
 * renders to a stream, so it is read back from one). */
static json_t *diags_json(struct diag_sink *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *j = NULL;
	if (f) {
		diag_render_json(d, f);
		if (fclose(f) == 0)
			j = json_loadb(buf, len, 0, NULL);
	}
	free(buf);
	return j ? j : json_array();
}

static char *read_stream(FILE *in, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		sb_addmem(&sb, buf, n);
	if (ferror(in)) {
		sb_release(&sb);
		return NULL;
	}
	*len = sb.len;
	if (!sb.len)
		return xstrdup("");
	return sb_detach(&sb);
}

/* Write text back to path (a failure leaves the old file whole). */
static int write_atomic(const char *path, const char *text, size_t len)
{
	if (file_write_atomic(path, text, len) == 0)
		return 0;
	fprintf(stderr, "lac: cannot write '%s': %s\n", path, strerror(errno));
	return -1;
}

/* Format one source text (owned by the run from now on); path "-" is stdin. */
static void fmt_one(struct fmt_run *r, const char *path, char *text, size_t len)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *shown = is_stdin ? "<stdin>" : path;
	uint32_t id = source_add(&r->sources, shown, text, len);
	size_t before = r->diags.nerrors;
	struct ast_file *f = parse_source(&r->arena, &r->diags, id, shown, text, len);
	if (r->diags.nerrors != before) {
		r->errors++;
		if (r->files)
			file_entry(r, shown, false, "syntax errors");
		return;
	}

	struct strbuf out = STRBUF_INIT, d1 = STRBUF_INIT, d2 = STRBUF_INIT;
	fmt_file(f, text, len, &out);

	/* the safety net: same program, same comments */
	struct diag_sink again;
	diag_sink_init(&again, &r->sources);
	struct ast_file *g = parse_source(&r->arena, &again, id, shown, out.buf, out.len);
	fmt_ast_dump(f, &d1);
	fmt_ast_dump(g, &d2);
	if (again.nerrors || strcmp(d1.buf, d2.buf) || f->ncomments != g->ncomments) {
		fprintf(stderr, "lac: internal error: formatting '%s' would change its meaning; "
			"left unchanged (please report this)\n", shown);
		r->errors++;
		if (r->files)
			file_entry(r, shown, false, "internal error: formatting would change its meaning");
		goto out;
	}

	bool same = out.len == len && memcmp(out.buf, text, len) == 0;
	if (!same)
		r->changed++;
	struct strbuf diff = STRBUF_INIT;
	if (r->diff && !same) {
		struct line_diff ld;
		line_diff_compute(&ld, text, len, out.buf, out.len, true);
		line_diff_unified(&ld, shown, shown, 3, &diff);
		line_diff_release(&ld);
	}
	bool write = !r->check && !r->diff;
	if (r->files) {
		/* JSON: the same work, reported in an entry instead of printed */
		json_t *e = file_entry(r, shown, !same, NULL);
		if (r->diff && !same)
			json_object_set_new(e, "diff", json_text(diff.buf, diff.len));
		else if (is_stdin && write)
			json_object_set_new(e, "text", json_text(out.buf, out.len));
		else if (!is_stdin && write && !same && write_atomic(path, out.buf, out.len)) {
			r->errors++;
			json_object_set_new(e, "error", json_string("cannot write"));
		}
	} else if (r->diff) {
		fwrite(diff.buf, 1, diff.len, stdout);
	} else if (r->check) {
		if (!same)
			printf("%s\n", shown);
	} else if (is_stdin) {
		fwrite(out.buf, 1, out.len, stdout);
	} else if (!same) {
		if (write_atomic(path, out.buf, out.len))
			r->errors++;
		else if (r->cli->verbose)
			fprintf(stderr, "formatted %s\n", path);
	}
	sb_release(&diff);
out:
	diag_sink_release(&again);
	sb_release(&out);
	sb_release(&d1);
	sb_release(&d2);
}

static void fmt_project(struct fmt_run *r)
{
	struct project p;
	project_init(&p);
	project_load(&p, r->cli->dir);
	if (!p.nfiles) {
		/* no lac.yaml, or no audience files: say why */
		if (r->files) {
			diag_sort(&p.diags);
			r->project_diags = diags_json(&p.diags);
		} else {
			cli_print_diags(r->cli, &p);
		}
		r->errors++;
	}
	for (size_t i = 0; i < p.nfiles; i++) {
		const struct source *s = &p.sources.items[p.files[i]->file_id];
		if (!s->text)
			continue;
		fmt_one(r, s->path, xstrndup(s->text, s->len), s->len);
	}
	project_release(&p);
}

/* A FILE that reads: formatted; one that does not: counted and named. */
static void fmt_path(struct fmt_run *r, const char *path)
{
	size_t len;
	char *text = strcmp(path, "-") == 0 ? read_stream(stdin, &len) : read_file(path, &len);
	if (!text) {
		fprintf(stderr, "lac: cannot read '%s': %s\n", path, strerror(errno));
		r->errors++;
		if (r->files)
			file_entry(r, path, false, "cannot read");
		return;
	}
	fmt_one(r, path, text, len);
}

/* A directory named as a FILE: the .lac files under it, recursively, in
 * byte order of their paths; one below it that cannot be read is an error
 * (a check that skipped it would pass on files it never saw). */
static void fmt_dir(struct fmt_run *r, const char *dir)
{
	struct project p;
	project_init(&p);
	const char **found = NULL;
	size_t n = 0, len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	char *top = xstrndup(dir, len);
	struct strbuf unreadable = STRBUF_INIT;
	project_find_files(&p, top, ".lac", &found, &n, &unreadable);
	if (unreadable.len) {
		fprintf(stderr, "lac: %s\n", unreadable.buf);
		r->errors++;
		if (r->files)
			file_entry(r, top, false, "cannot read");
	}
	if (n)
		qsort(found, n, sizeof(*found), str_cmp_ptr);
	for (size_t i = 0; i < n; i++)
		fmt_path(r, arena_strdup(&r->arena, found[i]));
	sb_release(&unreadable);
	free(top);
	project_release(&p);
}

int cmd_fmt(struct cli *c)
{
	struct fmt_run r = { .cli = c, .arena = ARENA_INIT };
	const struct opt opts[] = { OPT_FLAG("--check", NULL, &r.check), OPT_FLAG("--diff", NULL, &r.diff) };
	const struct opt_table table = { OPT_TABLE(opts), .unknown = "unknown option '%s' for fmt" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	const char **files = args.v;
	size_t nfiles = args.n;
	for (size_t i = 0; i < nfiles; i++)
		files[i] = cli_input_path(c, files[i]);

	if (c->format == OUT_JSON)
		r.files = json_array();
	source_set_init(&r.sources);
	diag_sink_init(&r.diags, &r.sources);
	if (!nfiles)
		fmt_project(&r);
	for (size_t i = 0; i < nfiles; i++) {
		struct stat st;
		if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode))
			fmt_dir(&r, files[i]);
		else
			fmt_path(&r, files[i]);
	}

	if (r.files) {
		/* one document: the files, the count, the diagnostics in check's form */
		diag_sort(&r.diags);
		json_t *diags = r.project_diags ? r.project_diags : diags_json(&r.diags);
		if (r.project_diags && r.diags.n) {
			json_t *more = diags_json(&r.diags);
			json_array_extend(diags, more);
			json_decref(more);
		}
		json_t *root = json_object();
		json_object_set_new(root, "files", r.files);
		json_object_set_new(root, "changed", json_integer(r.changed));
		json_object_set_new(root, "errors", json_integer(r.errors));
		json_object_set_new(root, "diagnostics", diags);
		json_print_doc(stdout, root);
		json_decref(root);
	} else if (r.diags.n) {
		diag_sort(&r.diags);
		diag_render_text(&r.diags, stderr, c->color);
	}
	int rc = r.errors || ((r.check || r.diff) && r.changed) ? EXIT_ERRORS : EXIT_OK;
	diag_sink_release(&r.diags);
	source_set_release(&r.sources);
	arena_release(&r.arena);
	opt_args_release(&args);
	return rc;
}
