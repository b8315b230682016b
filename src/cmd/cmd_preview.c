/*
 * cmd_preview.c — `lac preview AUDIENCE [--limit N|--all] [--entities PATH]`:
 * run an audience's membership SQL on the project's warehouse and print the
 * count and the members, sorted in byte order (SPEC §6).  Writes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h"
#include "cmd/cli.h"
#include "run/run.h"
#include "sql/gen.h"
#include "warehouse/warehouse.h"

struct rows {
	char **a, **b;      /* member ids; entity ids (matched) */
	size_t n, cap, capb;
	bool pairs;
};

static int collect(void *arg, int ncol, const char *const *vals)
{
	struct rows *r = arg;
	if (!vals[0] || (r->pairs && (ncol < 2 || !vals[1])))
		return 0;
	VEC_PUSH(r->a, r->n, r->cap, xstrdup(vals[0]));
	if (r->pairs) {
		size_t n = r->n - 1;
		VEC_PUSH(r->b, n, r->capb, xstrdup(vals[1]));
	}
	return 0;
}

static struct rows *sort_rows;
static int cmp_index(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(sort_rows->a[i], sort_rows->a[j]);
	if (c || !sort_rows->pairs)
		return c;
	return strcmp(sort_rows->b[i], sort_rows->b[j]);
}

/* Sort (byte order) and drop duplicates. */
static void rows_sort(struct rows *r)
{
	size_t *idx = xcalloc(r->n + 1, sizeof(*idx));
	for (size_t i = 0; i < r->n; i++)
		idx[i] = i;
	sort_rows = r;
	qsort(idx, r->n, sizeof(*idx), cmp_index);
	char **a = xcalloc(r->n + 1, sizeof(*a)), **b = r->pairs ? xcalloc(r->n + 1, sizeof(*b)) : NULL;
	size_t m = 0;
	for (size_t k = 0; k < r->n; k++) {
		size_t i = idx[k];
		if (m && strcmp(a[m - 1], r->a[i]) == 0 && (!b || strcmp(b[m - 1], r->b[i]) == 0)) {
			free(r->a[i]);
			if (b)
				free(r->b[i]);
			continue;
		}
		a[m] = r->a[i];
		if (b)
			b[m] = r->b[i];
		m++;
	}
	free(idx);
	free(r->a);
	free(r->b);
	r->a = a;
	r->b = b;
	r->n = m;
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->a[i]);
		if (r->b)
			free(r->b[i]);
	}
	free(r->a);
	free(r->b);
}

/* A JSON string; warehouse bytes that are not valid UTF-8 become U+FFFD
 * (as in events, docs/events.md), so the output is always valid JSON. */
static void json_str(FILE *out, const char *raw)
{
	struct strbuf fixed = STRBUF_INIT;
	const char *s = raw;
	if (!utf8_valid(raw, strlen(raw))) {
		sb_add_utf8(&fixed, raw, strlen(raw));
		s = fixed.buf;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p == '\r')
			fputs("\\r", out);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	sb_release(&fixed);
}

static void on_fallback(void *arg, const struct ast_audience *from, const struct ast_audience *ref)
{
	fprintf(stderr, "lac: warning: audience '%s' has no snapshot yet; '%s' reads it "
		"from its conditions instead of its membership\n", ref->name, from->name);
}

static int take_limit(void *arg, const char *value, struct strbuf *err)
{
	long *limit = arg;
	char *end;
	errno = 0;
	*limit = strtol(value, &end, 10);
	if (!*value || *end || *limit < 0 || errno == ERANGE) {
		sb_addf(err, "--limit takes a number >= 0, not '%s'", value);
		return -1;
	}
	return 0;
}

int cmd_preview(struct cli *c)
{
	const char *entities = NULL;
	long limit = -1;
	bool all = false;
	const struct opt opts[] = {
		OPT_FLAG("--all", NULL, &all),
		OPT_TAKE("--limit", "-n", take_limit, &limit, "option '%s' needs a number"),
		OPT_VALUE("--entities", NULL, &entities, "option '%s' needs a relationship path"),
	};
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 1,
		.too_many = "preview takes one audience (got '%s' and '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0)
		return EXIT_USAGE;
	const char *name = args.v[0];
	opt_args_release(&args);
	if (!name)
		return cli_usage_error(c, "preview needs an audience name");
	if (all && limit >= 0)
		return cli_usage_error(c, "--all and --limit exclude each other");

	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0)
		return EXIT_USAGE;
	const char *now = ln.sql;

	struct project p;
	if (cli_open_project(c, &p) != 0)
		return EXIT_ERRORS;
	struct ast_audience *a = project_audience(&p, name);
	if (!a) {
		cli_unknown_audience(&p, name);
		project_release(&p);
		return EXIT_ERRORS;
	}
	struct warehouse w;
	struct strbuf err = STRBUF_INIT;
	if (warehouse_open_project(&p, WH_READ, &w, &err) != 0) {
		if (p.diags.n)
			cli_print_diags(c, &p);
		fprintf(stderr, "lac: %s\n", err.buf);
		sb_release(&err);
		project_release(&p);
		return EXIT_ERRORS;
	}
	warehouse_set_context(&w, "preview", NULL, NULL);

	const char *schema = p.warehouse.schema;
	struct warehouse_snapshots sc = { &w, schema };
	struct sql_srcmap map = { 0 };
	struct sql_options o = { .d = w.d, .now = now, .schema = schema,
				 .snapshot_exists = warehouse_snapshot_exists, .on_fallback = on_fallback,
				 .arg = &sc, .map = &map };
	struct rows members = { 0 }, matched = { .pairs = true };
	struct strbuf sql = STRBUF_INIT;
	int rc = EXIT_OK;

	sql_membership(&sql, &p.graph, a, &o);
	o.map = NULL; /* the matched-entities query is not mapped */
	if (w.ops->query(&w, sql.buf, collect, &members, &err) != 0) {
		struct strbuf msg = STRBUF_INIT;
		sql_warehouse_error(&msg, &p, a, &map, w.error_at_known, w.error_at, true, err.buf);
		fprintf(stderr, "lac: %s\n", msg.buf);
		sb_release(&msg);
		rc = EXIT_ERRORS;
	}
	if (rc == EXIT_OK && entities) {
		sb_reset(&sql);
		o.on_fallback = NULL; /* warned once already */
		if (!sql_matched(&sql, &p.graph, a, entities, &o)) {
			fprintf(stderr, "lac: audience '%s' has no positive 'with entity' condition "
				"whose path is '%s'\n", a->name, entities);
			rc = EXIT_ERRORS;
		} else if (w.ops->query(&w, sql.buf, collect, &matched, &err) != 0) {
			fprintf(stderr, "lac: warehouse error in audience '%s' (%s:%u): %s\n", a->name,
				sql_audience_path(&p, a), a->loc.line, err.buf);
			rc = EXIT_ERRORS;
		}
	}
	if (rc == EXIT_OK) {
		/* the run refuses duplicate primary keys (SPEC §5): say so now */
		struct strbuf dup = STRBUF_INIT;
		if (run_preview_duplicates(&p, &w, a, now, &dup) == 1)
			fprintf(stderr, "lac: warning: %s; `lac run` will fail until they are removed\n",
				dup.buf);
		sb_release(&dup);
	}
	if (rc == EXIT_OK) {
		rows_sort(&members);
		rows_sort(&matched);
		const char *iso = ln.iso;
		const char *target = a->target == TARGET_PROFILE || !a->ntarget_rels ? "profile"
				   : a->target_rels[a->ntarget_rels - 1]->path;
		size_t show = all ? members.n : limit >= 0 ? (size_t)limit
			    : c->format == OUT_JSON ? members.n : 10;
		if (show > members.n)
			show = members.n;
		size_t mshow = all || (limit < 0 && c->format == OUT_JSON) ? matched.n
			     : show < matched.n ? (limit >= 0 ? (size_t)limit : 10) : matched.n;
		if (mshow > matched.n)
			mshow = matched.n;
		if (c->format == OUT_JSON) {
			fputs("{\"audience\": ", stdout);
			json_str(stdout, a->name);
			fputs(", \"target\": ", stdout);
			json_str(stdout, target);
			fputs(", \"now\": ", stdout);
			json_str(stdout, iso);
			printf(", \"count\": %zu, \"members\": [", members.n);
			for (size_t i = 0; i < show; i++) {
				if (i)
					fputs(", ", stdout);
				json_str(stdout, members.a[i]);
			}
			fputc(']', stdout);
			if (entities) {
				fputs(", \"matched\": [", stdout);
				for (size_t i = 0; i < mshow; i++) {
					fputs(i ? ", {\"member\": " : "{\"member\": ", stdout);
					json_str(stdout, matched.a[i]);
					fputs(", \"entity\": ", stdout);
					json_str(stdout, matched.b[i]);
					fputc('}', stdout);
				}
				fputc(']', stdout);
			}
			fputs("}\n", stdout);
		} else {
			printf("%s: %zu member%s (target %s, now %s)\n", a->name, members.n,
			       members.n == 1 ? "" : "s", target, iso);
			for (size_t i = 0; i < show; i++)
				printf("  %s\n", members.a[i]);
			if (show < members.n)
				printf("  ... %zu more (--all lists every member)\n", members.n - show);
			if (entities) {
				printf("matched %s: %zu\n", entities, matched.n);
				for (size_t i = 0; i < mshow; i++)
					printf("  %s  %s\n", matched.a[i], matched.b[i]);
				if (mshow < matched.n)
					printf("  ... %zu more\n", matched.n - mshow);
			}
		}
	}
	sql_srcmap_release(&map);
	rows_free(&members);
	rows_free(&matched);
	sb_release(&sql);
	sb_release(&err);
	warehouse_close(&w);
	project_release(&p);
	return rc;
}
