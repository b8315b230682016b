/*
 * cmd_init.c — `lac init [DIR] [--example NAME]`: start a project from one of
 * the shipped examples, with its SQLite warehouse built from data/warehouse.sql,
 * so `lac check` and the runs work at once.  --format json reports the
 * directory, the example and the files created (sorted) as one object.
 */
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/json_print.h"
#include "base/self_dir.h"
#include "base/start_dir.h"
#include "cmd/cli.h"
#include "base/json_emit.h"

/* Where the examples are: ../share/lac/examples beside the executable (an
 * install, wherever it was moved), the installed data dir, else the source
 * tree (for a binary run from the build directory). */
static const char *examples_dir(void)
{
	static const char *const candidates[] = { LAC_EXAMPLES_DIR, LAC_SRC_EXAMPLES_DIR };
	static char *beside;
	const char *env = getenv("LAC_EXAMPLES_DIR");
	struct stat st;
	if (env && *env)
		return env;
	if (!beside)
		beside = self_relative_dir("../share/lac/examples");
	if (beside)
		return beside;
	for (size_t i = 0; i < ARRAY_LEN(candidates); i++)
		if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode))
			return candidates[i];
	return LAC_EXAMPLES_DIR;
}

static bool skip_entry(const char *name)
{
	/* build outputs and local state never travel into a new project */
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".lac") ||
	       !strcmp(name, "out") || !strcmp(name, "expected") || str_ends(name, ".db");
}

static int copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	if (!data)
		return -1;
	FILE *f = fopen(to, "wx");
	if (!f) {
		free(data);
		return -1;
	}
	size_t n = fwrite(data, 1, len, f);
	free(data);
	if (fclose(f) != 0 || n != len)
		return -1;
	return 0;
}

/* The files init created, relative to the project directory, and the
 * ones it found already there and left alone (a README.md, .gitignore...). */
struct created {
	char **names;
	size_t n, cap;
	char **kept;
	size_t nkept, capkept;
};

static int copy_tree(const char *from, const char *to, const char *rel, struct created *out,
		     struct strbuf *err)
{
	DIR *d = opendir(from);
	if (!d) {
		sb_addf(err, "cannot read '%s': %s", from, strerror(errno));
		return -1;
	}
	/* the project directory with its parents (mkdir -p), then each below it */
	bool made = *rel ? mkdir(to, 0777) == 0 || errno == EEXIST : mkdir_parents(to, true, 0777, err) == 0;
	if (!made) {
		if (*rel)
			sb_addf(err, "cannot create '%s': %s", to, strerror(errno));
		closedir(d);
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (skip_entry(e->d_name))
			continue;
		char *src = xasprintf("%s/%s", from, e->d_name);
		char *dst = xasprintf("%s/%s", to, e->d_name);
		char *name = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		struct stat st;
		if (stat(src, &st) != 0) {
			sb_addf(err, "cannot read '%s': %s", src, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = copy_tree(src, dst, name, out, err);
		} else if (lstat(dst, &st) == 0) {
			/* never overwrite: the user's own file stays */
			VEC_PUSH(out->kept, out->nkept, out->capkept, name);
			name = NULL;
		} else if (copy_file(src, dst) != 0) {
			sb_addf(err, "cannot copy '%s' to '%s': %s", src, dst, strerror(errno));
			rc = -1;
		} else {
			VEC_PUSH(out->names, out->n, out->cap, name);
			name = NULL;
		}
		free(name);
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

/* Build data/warehouse.db from data/warehouse.sql, when the example has one. */
static int build_warehouse(const char *dir, struct created *out, struct strbuf *err)
{
	char *sql_path = xasprintf("%s/data/warehouse.sql", dir);
	char *db_path = xasprintf("%s/data/warehouse.db", dir);
	char *sql = read_file(sql_path, NULL);
	int rc = 0;
	if (sql) {
		sqlite3 *db = NULL;
		char *msg = NULL;
		if (sqlite3_open(db_path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
			sb_addf(err, "cannot build '%s': %s", db_path, msg ? msg : sqlite3_errmsg(db));
			rc = -1;
		} else {
			VEC_PUSH(out->names, out->n, out->cap, xstrdup("data/warehouse.db"));
		}
		sqlite3_free(msg);
		sqlite3_close(db);
		free(sql);
	}
	free(sql_path);
	free(db_path);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The examples (directories with a lac.yaml), sorted, comma separated. */
static void list_examples(struct strbuf *out)
{
	DIR *d = opendir(examples_dir());
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *yaml = xasprintf("%s/%s/lac.yaml", examples_dir(), e->d_name);
		struct stat st;
		if (e->d_name[0] != '.' && stat(yaml, &st) == 0)
			VEC_PUSH(names, n, cap, xstrdup(e->d_name));
		free(yaml);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		sb_addf(out, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
}

int cmd_init(struct cli *c)
{
	const char *example = "petshop";
	/* abbreviations and the missing value's message are getopt_long's, as before */
	const struct opt opts[] = {
		OPT_VALUE("--example", "-e", &example, "unknown option '%s'"),
	};
	const struct opt_table table = { OPT_TABLE(opts), .abbrev = true };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	size_t nargs = args.n;
	const char *dir = nargs ? args.v[0] : c->dir;
	opt_args_release(&args);
	if (nargs > 1)
		return cli_usage_error(c, "init takes at most one directory");
	if (strchr(example, '/') || example[0] == '.')
		return cli_usage_error(c, "unknown example '%s'", example);

	char *from = xasprintf("%s/%s", examples_dir(), example);
	/* an example is a project: examples/ci/ holds CI files, not one */
	char *example_yaml = xasprintf("%s/lac.yaml", from);
	char *existing = xasprintf("%s/lac.yaml", dir);
	/* the directory as the user reaches it from where they started lac (-C) */
	char *shown = start_dir_path(dir);
	struct strbuf err = STRBUF_INIT;
	struct created made = { 0 };
	struct stat st;
	int rc = EXIT_OK;
	if (stat(example_yaml, &st) != 0) {
		struct strbuf names = STRBUF_INIT;
		list_examples(&names);
		fprintf(stderr, "lac: unknown example '%s' (looked in %s); the examples: %s\n", example,
			examples_dir(), names.len ? names.buf : "none");
		sb_release(&names);
		rc = EXIT_USAGE;
	} else if (stat(existing, &st) == 0) {
		fprintf(stderr, "lac: '%s/lac.yaml' already exists; init never overwrites a project\n", shown);
		rc = EXIT_ERRORS;
	} else if (copy_tree(from, dir, "", &made, &err) != 0 || build_warehouse(dir, &made, &err) != 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
	} else if (c->format == OUT_JSON) {
		/* readdir order is the file system's: sort, so the output is stable */
		qsort(made.names, made.n, sizeof(*made.names), cmp_names);
		json_t *files = json_array();
		for (size_t i = 0; i < made.n; i++)
			json_array_append_new(files, json_text0(made.names[i]));
		json_t *root = json_object();
		json_object_set_new(root, "directory", json_text0(shown));
		json_object_set_new(root, "example", json_text0(example));
		json_object_set_new(root, "files", files);
		json_print_doc(stdout, root);
		json_decref(root);
	} else if (!c->quiet) {
		printf("created a lac project in %s from the '%s' example\n"
		       "next: lac -C %s check\n", shown, example, shown);
	}
	if (rc == EXIT_OK && !c->quiet && made.nkept) {
		qsort(made.kept, made.nkept, sizeof(*made.kept), cmp_names);
		for (size_t i = 0; i < made.nkept; i++)
			fprintf(stderr, "lac: kept the existing %s/%s (the example's was not copied)\n",
				shown, made.kept[i]);
	}
	for (size_t i = 0; i < made.nkept; i++)
		free(made.kept[i]);
	free(made.kept);
	for (size_t i = 0; i < made.n; i++)
		free(made.names[i]);
	free(made.names);
	sb_release(&err);
	free(from);
	free(example_yaml);
	free(existing);
	free(shown);
	return rc;
}
