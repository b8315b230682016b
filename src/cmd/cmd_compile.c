/*
 * cmd_compile.c — `lac compile [-d DIALECT|all] [-o DIR] [--emit membership|run]
 * [AUDIENCE...]`: the reviewable SQL of audiences (SPEC §4).
 *
 * Output is deterministic: audiences in file order, dialects in registry
 * order, each statement headed by a comment naming the audience and its
 * file:line (relative to the project directory).  Without --now the
 * reference time is the dialect's current-time expression; with --now it is
 * a timestamp literal.  --format json prints one object instead: an entry per
 * audience and dialect with the same SQL text (docs/sql.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/file_write.h"
#include "base/json_print.h"
#include "check/check.h"
#include "cmd/cli.h"
#include "run/run.h"
#include "sql/gen.h"
#include "base/json_emit.h"

/* One audience's statements (with their comments) in one dialect: the
 * membership SELECT, or (--emit run) the script a run executes, built by the
 * runner's own functions (run.c). */
static void compile_audience(struct strbuf *out, struct project *p, const struct ast_audience *a,
			     const struct sql_options *o, const char *now, bool run)
{
	sb_addf(out, "-- audience %s (%s:%u), dialect %s\n", a->name, sql_audience_path(p, a),
		a->loc.line, o->d->name);
	if (run) {
		sb_addf(out, "-- the statements of a run, in order (run id '<run_id>', generation 1)\n");
		run_script(p, a, o->d, now, out);
		return;
	}
	sb_addf(out, "-- membership: one row per member (%s)\n",
		a->target == TARGET_PROFILE ? "profile id" : "target entity primary key");
	sql_membership(out, &p->graph, a, o);
	sb_addstr(out, ";\n");
}

/* Does the file at path hold exactly text? */
static bool same_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	bool same = true;
	char buf[8192];
	size_t off = 0, n;
	while (same && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		same = off + n <= len && memcmp(buf, text + off, n) == 0;
		off += n;
	}
	same = same && !ferror(f) && off == len;
	fclose(f);
	return same;
}

/* Write text to path, leaving a file that already holds it alone: a re-run
 * of `compile -o` then mostly reads (truncating and rewriting thousands of
 * files cost seconds), and unchanged files keep their times.  A failed write
 * (a full disk) leaves the old file whole. */
static int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	if (same_text(path, text, len))
		return 0;
	return file_write_atomic(path, text, len);
}

int cmd_compile(struct cli *c)
{
	const char *dname = NULL, *outdir = NULL, *emit = "membership";
	int rc = EXIT_OK;
	const struct opt opts[] = {
		OPT_VALUE("--dialect", "-d", &dname, "option '%s' needs a value"),
		OPT_VALUE("--output", "-o", &outdir, "option '%s' needs a value"),
		OPT_VALUE("--emit", NULL, &emit, "option '%s' needs a value"),
	};
	const struct opt_table table = { OPT_TABLE(opts) };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	const char **names = args.v;
	size_t nnames = args.n;
	if (strcmp(emit, "membership") && strcmp(emit, "run")) {
		opt_args_release(&args);
		return cli_usage_error(c, "unknown --emit '%s' (membership or run)", emit);
	}
	if (dname && strcmp(dname, "all") && !dialect_find(dname)) {
		opt_args_release(&args);
		return cli_usage_error(c, "unknown dialect '%s' (snowflake, bigquery, redshift, "
				       "databricks, postgres, sqlite or all)", dname);
	}
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0) {
		opt_args_release(&args);
		return EXIT_USAGE;
	}
	const char *now = ln.sql;

	struct project p;
	if (cli_open_project(c, &p) != 0) {
		opt_args_release(&args);
		return EXIT_ERRORS;
	}
	/* the limits of a dialect asked for that is not the project's own
	 * warehouse (E320, Redshift's JSON path depth) */
	for (size_t di = 0; dname && di < ndialects; di++)
		if (strcmp(dname, "all") == 0 || dialects[di] == dialect_find(dname))
			check_warehouse_limits(&p, dialects[di]->warehouse);
	if (p.diags.nerrors) {
		cli_print_diags(c, &p);
		project_release(&p);
		opt_args_release(&args);
		return EXIT_ERRORS;
	}
	if (p.diags.n) {
		/* warnings; in JSON mode on stderr as text, so stdout stays one document */
		struct cli text = *c;
		text.format = OUT_TEXT;
		cli_print_diags(&text, &p);
	}

	/* the audiences, in file order, or as named */
	struct ast_audience **auds = NULL;
	size_t naud = 0, cap = 0;
	if (nnames) {
		for (size_t i = 0; i < nnames; i++) {
			struct ast_audience *a = project_audience(&p, names[i]);
			if (!a) {
				cli_unknown_audience(&p, names[i]);
				rc = EXIT_ERRORS;
				continue;
			}
			VEC_PUSH(auds, naud, cap, a);
		}
	} else {
		for (size_t f = 0; f < p.nfiles; f++)
			for (size_t i = 0; i < p.files[f]->naudiences; i++)
				VEC_PUSH(auds, naud, cap, p.files[f]->audiences[i]);
	}

	/* a run script runs its audiences in the order lac runs them: each after
	 * the ones it reads (part of audience ... using membership) */
	if (strcmp(emit, "run") == 0 && naud > 1) {
		const struct ast_audience **ord = NULL;
		naud = run_order((const struct ast_audience *const *)auds, naud, &ord);
		memcpy(auds, ord, naud * sizeof(*auds));
		free(ord);
	}

	const struct dialect *one = dname && strcmp(dname, "all") ? dialect_find(dname)
			: dialect_for_warehouse(p.warehouse.type);
	bool all = dname && strcmp(dname, "all") == 0;
	bool json = c->format == OUT_JSON;
	struct strbuf out = STRBUF_INIT;
	json_t *jauds = json ? json_array() : NULL;
	for (size_t di = 0; rc == EXIT_OK && di < (all ? ndialects : 1); di++) {
		const struct dialect *d = all ? dialects[di] : one;
		struct sql_options o = { .d = d, .now = c->now ? now : NULL, .schema = p.warehouse.schema };
		char *dir = outdir ? xasprintf("%s/%s", outdir, d->name) : NULL;
		struct strbuf err = STRBUF_INIT;
		if (dir && mkdir_parents(dir, true, 0777, &err) != 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			rc = EXIT_ERRORS;
		}
		sb_release(&err);
		for (size_t i = 0; rc == EXIT_OK && i < naud; i++) {
			struct strbuf one_sql = STRBUF_INIT;
			compile_audience(&one_sql, &p, auds[i], &o, c->now ? ln.iso : NULL, strcmp(emit, "run") == 0);
			char *path = dir ? xasprintf("%s/%s.sql", dir, auds[i]->name) : NULL;
			if (path && write_text(path, one_sql.buf) != 0) {
				fprintf(stderr, "lac: cannot write '%s': %s\n", path, strerror(errno));
				rc = EXIT_ERRORS;
			}
			if (json) {
				json_t *e = json_object();
				json_object_set_new(e, "audience", json_text0(auds[i]->name));
				json_object_set_new(e, "file", json_text0(sql_audience_path(&p, auds[i])));
				json_object_set_new(e, "line", json_integer(auds[i]->loc.line));
				json_object_set_new(e, "dialect", json_string(d->name));
				json_object_set_new(e, "sql", json_text0(one_sql.buf));
				json_object_set_new(e, "path", path ? json_text0(path) : json_null());
				json_array_append_new(jauds, e);
			} else if (!dir) {
				if (out.len)
					sb_addch(&out, '\n');
				sb_addstr(&out, one_sql.buf);
			}
			free(path);
			sb_release(&one_sql);
		}
		free(dir);
	}
	if (rc == EXIT_OK && json) {
		/* the conventions of the other JSON forms: indented, keys in order, a final newline */
		json_t *root = json_object();
		json_object_set_new(root, "dialect", json_string(all ? "all" : one->name));
		json_object_set_new(root, "emit", json_string(emit));
		json_object_set_new(root, "output", outdir ? json_text0(outdir) : json_null());
		json_object_set_new(root, "audiences", json_incref(jauds));
		json_print_doc(stdout, root);
		json_decref(root);
	} else if (rc == EXIT_OK) {
		fputs(out.buf, stdout);
	}
	json_decref(jauds);
	sb_release(&out);
	free(auds);
	opt_args_release(&args);
	project_release(&p);
	return rc;
}
