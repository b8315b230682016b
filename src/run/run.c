/*
 * run.c — one run of an audience (SPEC §5), step by step:
 *
 *   0. lock the audience; complete an unfinished (crashed) run first
 *   1. materialize snapshot_<a>__new and snapshot_<a>__ent__new in the warehouse
 *   2. record the run (state) with its snapshot generation g
 *   3. stream the diff into the outbox (run_events.c) and the membership log
 *   4. swap snapshots and the warehouse generation in one transaction, or
 *      where DDL is not transactional the generation first, then each
 *      snapshot's repeatable replace (docs/runs.md "Crashes")
 *   5. deliver the outbox to the audience's destinations
 *   6. record how the run ended, with timings and counters
 *
 * Every step can be repeated: tables are rebuilt with DROP + CREATE AS, the
 * events a run queued before a crash are discarded and queued again, the log
 * insert is skipped when the run already wrote it.  A run found unfinished is completed with its own
 * id, generation and reference time, so resent events keep their messageIds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/crash_point.h"
#include "deliver/dest.h"
#include "run/event.h"
#include "run/run_private.h"
#include "run/run_skip.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"
#include "state/alert_state.h"
#include "base/time.h"
#include "base/verbose.h"

void run_report_release(struct run_report *r)
{
	free(r->run_id);
	free(r->error);
	free(r->warning);
	free(r->skipped);
	if (r->previous) {
		run_report_release(r->previous);
		free(r->previous);
	}
	memset(r, 0, sizeof(*r));
}


/* ---- warehouse helpers ------------------------------------------------------ */

/* The run's failure, from the warehouse's message (the first one is kept). */
/* The failure of sql: at the audience's condition the warehouse points to
 * when sql holds the mapped membership SELECT, else at its header. */
static int wh_failed(struct runner *r, const char *sql, const char *msg)
{
	if (r->err.len)
		return -1;
	const char *in = r->members_sql ? strstr(sql, r->members_sql) : NULL;
	bool at_known = in && r->w->error_at_known && r->w->error_at >= (size_t)(in - sql);
	size_t at = at_known ? r->w->error_at - (size_t)(in - sql) : 0;
	/* a run compiles the applied text: its lines are not the file's */
	sql_warehouse_error(&r->err, r->p, r->a, in ? &r->members_map : NULL, at_known, at, false, msg);
	return -1;
}

int run_wh(struct runner *r, const char *sql, wh_row_fn fn, void *arg)
{
	if (r->script) {
		/* `lac compile --emit run`: the statement, not its rows */
		sb_addf(r->script, "\n-- audience %s (%s:%u): %s\n%s;\n", r->a->name,
			sql_audience_path(r->p, r->a), r->a->loc.line, r->step ? r->step : "statement", sql);
		return 0;
	}
	struct strbuf e = STRBUF_INIT;
	int64_t t0 = time_mono_ms();
	int rc = r->w->ops->query(r->w, sql, fn, arg, &e) == 0 ? 0 : wh_failed(r, sql, e.buf);
	verbose_log("%s: warehouse: %lld ms%s: %s", r->a->name, (long long)(time_mono_ms() - t0),
		    rc < 0 ? " (failed)" : "", sql);
	sb_release(&e);
	return rc;
}

/* Statements that commit together (exec_batch); a script shows them inside
 * the dialect's BEGIN .. COMMIT when transactional. */
static int run_batch(struct runner *r, char *const *stmts, size_t n, bool transactional)
{
	if (r->script) {
		bool tx = transactional && r->d->begin;
		if (tx)
			run_wh(r, r->d->begin, NULL, NULL);
		for (size_t i = 0; i < n; i++)
			run_wh(r, stmts[i], NULL, NULL);
		if (tx)
			run_wh(r, r->d->commit, NULL, NULL);
		return 0;
	}
	struct strbuf e = STRBUF_INIT;
	int64_t t0 = time_mono_ms();
	int rc = r->w->ops->exec_batch(r->w, (const char *const *)stmts, n, transactional, &e) == 0 ?
		0 : wh_failed(r, "", e.buf); /* which statement failed is not known */
	if (verbose_on()) {
		struct strbuf all = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			sb_addf(&all, "%s%s", i ? "; " : "", stmts[i]);
		verbose_log("%s: warehouse: %lld ms%s: %s", r->a->name, (long long)(time_mono_ms() - t0),
			    rc < 0 ? " (failed)" : "", all.buf);
		sb_release(&all);
	}
	sb_release(&e);
	return rc;
}

static int int_row(void *arg, int ncol, const char *const *vals)
{
	int64_t *out = arg;
	*out = ncol > 0 && vals[0] ? strtoll(vals[0], NULL, 10) : 0;
	return 1;
}

int run_wh_int(struct runner *r, const char *sql, int64_t *out)
{
	*out = 0;
	return run_wh(r, sql, int_row, out);
}

static char *table_sql(struct runner *r, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *parts[2] = { r->schema, name };
	sql_fmt(&sb, r->d, "%T", parts, (size_t)2);
	return sb_detach(&sb);
}

/* Which of the run's tables names[0..n) exist, in one question: 0, or -1
 * when the warehouse could not tell (the run's error set). */
static int tables_exist(struct runner *r, const char *const *names, size_t n, bool *found)
{
	if (r->script) {
		/* a script is written for the general case */
		for (size_t i = 0; i < n; i++)
			found[i] = true;
		return 0;
	}
	struct strbuf e = STRBUF_INIT;
	int rc = r->w->ops->tables_exist(r->w, r->schema, names, n, found, &e);
	for (size_t i = 0; i < n; i++)
		verbose_log("%s: warehouse: does %s exist? %s%s", r->a->name, names[i],
			    rc < 0 ? "could not tell: " : found[i] ? "yes" : "no", rc < 0 ? e.buf : "");
	if (rc < 0)
		wh_failed(r, "", e.buf);
	sb_release(&e);
	return rc;
}

/* 1, 0, or -1 when the warehouse could not tell (the run's error set). */
static int table_exists(struct runner *r, const char *name)
{
	bool found;
	return tables_exist(r, &name, 1, &found) < 0 ? -1 : found;
}

/* A statement from sqlbuf's format (%s, %I, %L, %S, ...), malloc'd. */
static char *sql_vformat(struct runner *r, const char *fmt, va_list ap)
{
	/* sql_fmt has no va_list form: format into a sqlbuf */
	struct sqlbuf b;
	sqlbuf_init(&b, r->d);
	sql_vaddf(&b, fmt, ap);
	char *sql = xstrdup(b.sb.buf);
	sqlbuf_release(&b);
	return sql;
}

static char *sql_format(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *sql = sql_vformat(r, fmt, ap);
	va_end(ap);
	return sql;
}

static int exec_f(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *sql = sql_vformat(r, fmt, ap);
	va_end(ap);
	int rc = run_wh(r, sql, NULL, NULL);
	free(sql);
	return rc;
}

/* ---- setup ---------------------------------------------------------------------- */

static void runner_tables(struct runner *r)
{
	r->cur_name = sql_snapshot_name(r->a->name, SNAPSHOT_CURRENT);
	r->new_name = sql_snapshot_name(r->a->name, SNAPSHOT_NEW);
	r->ent_name = sql_snapshot_name(r->a->name, SNAPSHOT_ENT);
	r->ent_new_name = sql_snapshot_name(r->a->name, SNAPSHOT_ENT_NEW);
	r->cur = table_sql(r, r->cur_name);
	r->new_ = table_sql(r, r->new_name);
	r->ent = table_sql(r, r->ent_name);
	r->ent_new = table_sql(r, r->ent_new_name);
	r->gen_tbl = table_sql(r, SQL_GENERATION_TABLE);
	r->log_tbl = table_sql(r, SQL_MEMBERSHIP_LOG_TABLE);
}

static void runner_release(struct runner *r)
{
	free(r->run_id);
	free(r->cur);
	free(r->new_);
	free(r->ent);
	free(r->ent_new);
	free(r->gen_tbl);
	free(r->log_tbl);
	free(r->cur_name);
	free(r->new_name);
	free(r->ent_name);
	free(r->ent_new_name);
	free(r->paths);
	free(r->enrich_changed);
	free(r->members_sql);
	sql_srcmap_release(&r->members_map);
	sb_release(&r->err);
	arena_release(&r->ar);
}

/* lac's own tables in the warehouse schema. */
static int ensure_tables(struct runner *r)
{
	r->step = "lac's tables";
	if (r->d->create_schema && exec_f(r, "CREATE SCHEMA IF NOT EXISTS %I", r->schema) < 0)
		return -1;
	if (exec_f(r, "CREATE TABLE IF NOT EXISTS %s (audience %s, generation BIGINT NOT NULL)",
		   r->gen_tbl, r->d->key_column) < 0)
		return -1;
	/* the column names of the log are quoted where reserved ("at" in BigQuery) */
	if (exec_f(r, "CREATE TABLE IF NOT EXISTS %s (member_id %S NOT NULL, audience %S NOT NULL, "
		   "%I %S NOT NULL, run_id %S NOT NULL, %I %s NOT NULL)%s", r->log_tbl, "change", "at",
		   r->d->log_time_type ? r->d->log_time_type : r->d->text_type,
		   r->d->log_table_options ? r->d->log_table_options : "") < 0)
		return -1;
	return r->d->index_log
		? exec_f(r, "CREATE INDEX IF NOT EXISTS %I ON %s (run_id)", "lac_membership_log_run", r->log_tbl)
		: 0;
}

int run_prepare_warehouse(struct project *p, struct warehouse *w, const struct ast_audience *a)
{
	struct runner r = { .p = p, .w = w, .a = a, .d = w->d };
	sb_init(&r.err);
	r.schema = p->warehouse.schema;
	runner_tables(&r);
	int rc = ensure_tables(&r);
	runner_release(&r);
	return rc;
}

static int warehouse_generation(struct runner *r, int64_t *out)
{
	struct sqlbuf b;
	sqlbuf_init(&b, r->d);
	sql_addf(&b, "SELECT generation FROM %s WHERE audience = %L", r->gen_tbl, r->a->name);
	int rc = run_wh_int(r, b.sb.buf, out);
	sqlbuf_release(&b);
	return rc;
}

/* The paths whose matched entities the snapshot keeps: entity triggers and
 * the matched path behind every enrich path. */
static void collect_paths(struct runner *r)
{
	const char **all = NULL;
	size_t n = r->a->target == TARGET_PROFILE ? sql_matched_paths(r->a, &all) : 0;
	size_t cap = 0;
	r->npaths = 0;
	for (size_t i = 0; i < n; i++) {
		bool used = false;
		for (size_t k = 0; k < r->a->nactivations && !used; k++) {
			const struct ast_activation *act = r->a->activations[k];
			if (act->enabled == 0)
				continue;
			if ((act->trigger == TRIG_ENTITY_ADDED || act->trigger == TRIG_ENTITY_REMOVED) &&
			    act->ntrigger_rels && strcmp(act->trigger_rels[act->ntrigger_rels - 1]->path, all[i]) == 0)
				used = true;
			for (size_t e = 0; e < act->nenrich_paths && !used; e++) {
				const struct enrich_path *ep = &act->enrich_paths[e];
				if (!ep->nrels)
					continue;
				const char *ep_path = ep->rels[ep->nrels - 1]->path;
				size_t len = strlen(ep_path);
				/* the first matched path the enrich path leads to */
				for (size_t j = 0; j < n; j++)
					if (strncmp(all[j], ep_path, len) == 0 &&
					    (all[j][len] == '\0' || all[j][len] == '.')) {
						used = j == i;
						break;
					}
			}
		}
		if (used)
			VEC_PUSH(r->paths, r->npaths, cap, all[i]);
	}
	free(all);
}

const char *run_enrich_match(const struct runner *r, const struct enrich_path *ep)
{
	if (!ep->nrels)
		return NULL;
	const char *ep_path = ep->rels[ep->nrels - 1]->path;
	size_t len = strlen(ep_path);
	for (size_t j = 0; j < r->npaths; j++)
		if (strncmp(r->paths[j], ep_path, len) == 0 &&
		    (r->paths[j][len] == '\0' || r->paths[j][len] == '.'))
			return r->paths[j];
	return NULL;
}

/* ---- duplicate primary keys ------------------------------------------------------- */

struct ents {
	const struct entity *e[128];
	size_t n;
};

static void ents_add(struct ents *s, const struct entity *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return;
	if (s->n < ARRAY_LEN(s->e))
		s->e[s->n++] = e;
}

static void ents_rels(struct ents *s, const struct relationship *const *rels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ents_add(s, rels[i]->entity);
		if (rels[i]->join == JOIN_JUNCTION)
			ents_add(s, rels[i]->junction);
	}
}

static void ents_expr(struct ents *s, const struct ast_expr *x, int depth)
{
	if (!x || depth > 32)
		return;
	switch (x->kind) {
	case EX_AND:
	case EX_OR:
		ents_expr(s, x->lhs, depth);
		ents_expr(s, x->rhs, depth);
		break;
	case EX_NOT:
		ents_expr(s, x->lhs, depth);
		break;
	case EX_BLOCK:
	case EX_ANY:
	case EX_ALL:
		for (size_t i = 0; i < x->nitems; i++)
			ents_expr(s, x->items[i], depth);
		break;
	case EX_ENTITY:
		ents_rels(s, x->rels, x->nrels);
		ents_expr(s, x->block, depth);
		break;
	case EX_AUDIENCE:
		if (x->ref && x->using_ != USING_MEMBERSHIP) {
			ents_rels(s, x->ref->target_rels, x->ref->ntarget_rels);
			ents_expr(s, x->ref->where, depth + 1);
		}
		break;
	default:
		break;
	}
}

struct dup_row {
	char *key;
	int64_t n;
};

static int dup_collect(void *arg, int ncol, const char *const *vals)
{
	struct dup_row *d = arg;
	d->key = xstrdup(ncol > 0 && vals[0] ? vals[0] : "");
	d->n = ncol > 1 && vals[1] ? strtoll(vals[1], NULL, 10) : 0;
	return 1;
}

/* Duplicate primary keys in an entity table the audience reads fail the
 * run (SPEC §5), naming the key: 1 with the message in r->err, 0 none, -1
 * a warehouse error. */
int run_check_duplicates(struct runner *r)
{
	struct ents s = { .n = 0 };
	const struct ast_audience *a = r->a;
	ents_rels(&s, a->target_rels, a->ntarget_rels);
	ents_expr(&s, a->where, 0);
	for (size_t i = 0; i < a->nactivations; i++) {
		const struct ast_activation *act = a->activations[i];
		ents_rels(&s, act->trigger_rels, act->ntrigger_rels);
		for (size_t k = 0; k < act->nenrich_paths; k++)
			ents_rels(&s, act->enrich_paths[k].rels, act->enrich_paths[k].nrels);
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct entity *e = s.e[i];
		struct sqlbuf b;
		struct dup_row d = { NULL, 0 };
		sqlbuf_init(&b, r->d);
		r->step = arena_sprintf(&r->ar, "duplicate primary keys of entity %s", e->slug);
		sql_addf(&b, "SELECT %V, COUNT(*) FROM %T WHERE %I IS NOT NULL "
			 "GROUP BY %I HAVING COUNT(*) > 1 LIMIT 1", e->pk->type, NULL, e->primary_key,
			 e->table_parts, e->ntable_parts, e->primary_key, e->primary_key);
		int rc = run_wh(r, b.sb.buf, dup_collect, &d);
		sqlbuf_release(&b);
		if (rc < 0)
			return -1;
		if (d.key) {
			sb_addf(&r->err, "Duplicate records have been detected in entity '%s' (table %s): "
				"primary key %s = '%s' appears %lld times (audience '%s', %s:%u)",
				e->slug, e->table, e->primary_key, d.key, (long long)d.n, a->name,
				sql_audience_path(r->p, a), a->loc.line);
			free(d.key);
			return 1;
		}
	}
	return 0;
}

static bool act_active(const struct ast_activation *act)
{
	return act->enabled != 0 && act->dest && act->trigger != TRIG_NONE;
}

/* ---- step 1: materialize ------------------------------------------------------------ */

/* A snapshot the warehouse cannot tell about counts as there: its error is
 * the run's, and materialize runs nothing of that text. */
static bool snap_exists(void *arg, const struct ast_audience *ref)
{
	struct runner *r = arg;
	const char *parts[2];
	char *t = sql_snapshot_table(r->schema, ref->name, parts);
	int rc = table_exists(r, parts[1]);
	free(t);
	return rc != 0;
}

static void snap_fallback(void *arg, const struct ast_audience *from, const struct ast_audience *ref)
{
	struct runner *r = arg;
	if (!r->o || !r->o->quiet)
		fprintf(stderr, "lac: warning: audience '%s' has no snapshot yet; '%s' reads it "
			"from its conditions instead of its membership\n", ref->name, from->name);
}

enum col_type run_member_type(const struct runner *r)
{
	if (r->a->target == TARGET_ENTITY && r->a->ntarget_rels)
		return r->a->target_rels[r->a->ntarget_rels - 1]->entity->pk->type;
	return TY_STRING;
}

/* The type of the primary key of the last entity of a dotted path. */
static enum col_type path_key_type(const struct runner *r, const char *path)
{
	const struct relationship *rel = NULL;
	char *copy = xstrdup(path), *save = NULL;
	for (char *tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		if (!(rel = relationship_child(&r->p->graph, rel, tok)))
			break;
	free(copy);
	return rel ? rel->entity->pk->type : TY_STRING;
}

/* The SELECT of the new __ent table, appended to the empty sel: the matched
 * entities of every needed path (also `lac plan --preview`'s stand-in), ids
 * as the events read them back. */
void run_sql_matched_entities(const struct runner *r, const struct sql_options *so, struct strbuf *sel)
{
	for (size_t i = 0; i < r->npaths; i++) {
		struct strbuf m = STRBUF_INIT;
		if (!sql_matched(&m, &r->p->graph, r->a, r->paths[i], so)) {
			sb_release(&m);
			continue;
		}
		if (sel->len)
			sb_addstr(sel, "\nUNION ALL\n");
		struct strbuf head = STRBUF_INIT;
		sql_fmt(&head, r->d, "SELECT CAST(%L AS %S) AS path, %V AS member_id, "
			"%V AS entity_id\nFROM (\n", r->paths[i], run_member_type(r), "x", "member_id",
			path_key_type(r, r->paths[i]), "x", "entity_id");
		sb_addstr(sel, head.buf);
		sb_addstr(sel, m.buf);
		sb_addf(sel, "\n) AS x\nWHERE x.entity_id IS NOT NULL");
		sb_release(&head);
		sb_release(&m);
	}
	/* no path: the same columns and no rows (with a FROM: BigQuery allows
	 * no WHERE without one) */
	if (!sel->len)
		sql_fmt(sel, r->d, "SELECT CAST(NULL AS %S) AS path, CAST(NULL AS %S) AS member_id, "
			"CAST(NULL AS %S) AS entity_id FROM (SELECT 1 AS one) AS z WHERE 1 = 0");
}

static int materialize(struct runner *r)
{
	struct sql_options so = { .d = r->d, .now = r->now_sql[0] ? r->now_sql : NULL, .schema = r->schema,
				  .snapshot_exists = snap_exists, .on_fallback = snap_fallback, .arg = r,
				  .map = &r->members_map };
	struct strbuf sel = STRBUF_INIT;
	sql_membership(&sel, &r->p->graph, r->a, &so);
	free(r->members_sql);
	r->members_sql = xstrdup(sel.buf);
	so.on_fallback = NULL; /* warned once */
	so.map = NULL;
	int rc = -1;
	if (r->err.len) /* a snapshot it reads the warehouse could not tell about */
		goto out;
	r->step = "materialize the new snapshot (members)";
	if (exec_f(r, "DROP TABLE IF EXISTS %s", r->new_) < 0 ||
	    exec_f(r, "CREATE TABLE %s AS\nSELECT DISTINCT m.member_id\nFROM (\n%s\n) AS m\n"
		   "WHERE m.member_id IS NOT NULL", r->new_, sel.buf) < 0)
		goto out;
	/* IF NOT EXISTS: a run's generation makes the name new; a script (always
	 * generation 1) run again finds it on the swapped-in snapshot and skips
	 * it (an index only speeds the diff up) */
	if (r->d->index_snapshots &&
	    exec_f(r, "CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (member_id)",
		   arena_sprintf(&r->ar, "lac_ix_%s_%lld", r->a->name, (long long)r->gen), r->new_name) < 0)
		goto out;

	/* matched entities, one SELECT per needed path */
	sb_reset(&sel);
	run_sql_matched_entities(r, &so, &sel);
	if (r->err.len)
		goto out;
	r->step = "materialize the matched entities of the new snapshot";
	if (exec_f(r, "DROP TABLE IF EXISTS %s", r->ent_new) < 0 ||
	    exec_f(r, "CREATE TABLE %s AS\n%s", r->ent_new, sel.buf) < 0)
		goto out;
	if (r->d->index_snapshots &&
	    exec_f(r, "CREATE INDEX IF NOT EXISTS %I ON %I (path, member_id, entity_id)",
		   arena_sprintf(&r->ar, "lac_ix_%s_ent_%lld", r->a->name, (long long)r->gen),
		   r->ent_new_name) < 0)
		goto out;
	/* the enrichment hashes of `membership or values changed` activations */
	for (size_t i = 0; i < r->a->nactivations; i++) {
		const struct ast_activation *act = r->a->activations[i];
		if (act_active(act) && act->trigger == TRIG_MEMBERSHIP_OR_VALUES_CHANGED &&
		    run_activation_hashes(r, act) < 0)
			goto out;
	}
	rc = 0;
out:
	sb_release(&sel);
	return rc;
}

/* ---- step 3: the diff ------------------------------------------------------------------ */

void run_sql_entered(const struct runner *r, struct strbuf *sb)
{
	if (r->have_cur)
		sb_addf(sb, "SELECT member_id FROM %s %s SELECT member_id FROM %s", r->new_, r->d->except,
			r->cur);
	else
		sb_addf(sb, "SELECT member_id FROM %s", r->new_);
}

void run_sql_exited(const struct runner *r, struct strbuf *sb)
{
	if (r->have_cur)
		sb_addf(sb, "SELECT member_id FROM %s %s SELECT member_id FROM %s", r->cur, r->d->except,
			r->new_);
	else
		sb_addf(sb, "SELECT member_id FROM %s WHERE 1 = 0", r->new_);
}

/* Enter/exit rows of the membership log; a replay of the same run adds nothing. */
static int membership_log(struct runner *r, const char *change, bool entered)
{
	struct strbuf set = STRBUF_INIT;
	if (entered)
		run_sql_entered(r, &set);
	else
		run_sql_exited(r, &set);
	r->step = arena_sprintf(&r->ar, "membership log (%s)", change);
	/* the run's time; a script written without --now takes the warehouse's */
	struct strbuf at = STRBUF_INIT;
	if (r->now_sql[0])
		sql_fmt(&at, r->d, "%L", r->now_iso);
	else
		sb_addstr(&at, r->d->log_now);
	int rc = exec_f(r, "INSERT INTO %s (member_id, audience, %I, run_id, %I)\n"
			"SELECT %V, %L, %L, %L, %s\nFROM (%s) AS d\n"
			"WHERE NOT EXISTS (SELECT 1 FROM %s AS l WHERE l.run_id = %L AND l.audience = %L "
			"AND l.%I = %L)",
			r->log_tbl, "change", "at", run_member_type(r), "d", "member_id", r->a->name, change,
			r->run_id, at.buf, set.buf,
			r->log_tbl, r->run_id, r->a->name, "change", change);
	sb_release(&at);
	sb_release(&set);
	return rc;
}

static int two_ints(void *arg, int ncol, const char *const *vals)
{
	int64_t *out = arg;
	for (int i = 0; i < 2; i++)
		out[i] = i < ncol && vals[i] ? strtoll(vals[i], NULL, 10) : 0;
	return 1;
}

/* The members that entered and exited, counted in one statement (a round
 * trip less on a warehouse far away). */
static int count_changes(struct runner *r, int64_t *entered, int64_t *exited)
{
	struct strbuf sb = STRBUF_INIT;
	r->step = "count the members that entered and exited";
	sb_addstr(&sb, "SELECT (SELECT COUNT(*) FROM (");
	run_sql_entered(r, &sb);
	sb_addstr(&sb, ") AS d), (SELECT COUNT(*) FROM (");
	run_sql_exited(r, &sb);
	sb_addstr(&sb, ") AS d)");
	int64_t v[2] = { 0, 0 };
	int rc = run_wh(r, sb.buf, two_ints, v);
	*entered = v[0];
	*exited = v[1];
	sb_release(&sb);
	return rc;
}

/* A run completed after its swap cannot diff any more (the new snapshot is
 * the current one): its entered/exited counts come from the membership log
 * it wrote before the swap. */
static void logged_changes(struct runner *r)
{
	static const char *const change[2] = { "entered", "exited" };
	int64_t *out[2] = { &r->rep->entered, &r->rep->exited };
	for (int i = 0; i < 2; i++) {
		struct strbuf sb = STRBUF_INIT;
		sql_fmt(&sb, r->d, "SELECT COUNT(*) FROM %s WHERE run_id = %L AND audience = %L AND %I = %L",
			r->log_tbl, r->run_id, r->a->name, "change", change[i]);
		r->step = "the changes of the completed run (membership log)";
		run_wh_int(r, sb.buf, out[i]);
		sb_release(&sb);
	}
}

/* What the state says of each activation (indexed like a->activations), in
 * one lookup each: *need, which have no baseline yet; r->enrich_changed,
 * which `membership or values changed` ones have stored values hashes made
 * with another enrich than theirs now (SPEC §5: that run records the new
 * hashes and sends no values-changed Identify; none recorded counts as the
 * same).  NULL (r->err set) when the state could not say: a read error
 * taken for "no baseline" would send nothing, or the current members again. */
static bool *activation_states(struct runner *r)
{
	size_t n = r->a->nactivations;
	bool *need = xcalloc(n + 1, sizeof(*need));
	free(r->enrich_changed);
	r->enrich_changed = xcalloc(n + 1, sizeof(*r->enrich_changed));
	for (size_t i = 0; i < n; i++) {
		const struct ast_activation *act = r->a->activations[i];
		struct state_activation sa;
		int found = state_get_activation(r->st, r->a->name, act->name, &sa);
		if (found < 0) {
			sb_addf(&r->err, "state database %s: %s", state_path(r->st), state_errmsg(r->st));
			free(need);
			return NULL;
		}
		if (found > 0) {
			need[i] = true;
			continue;
		}
		need[i] = !sa.has_baseline;
		r->enrich_changed[i] = act->trigger == TRIG_MEMBERSHIP_OR_VALUES_CHANGED &&
				       run_enrich_differs(act, &sa);
		state_activation_release(&sa);
	}
	return need;
}

bool run_enrich_changed(const struct runner *r, const struct ast_activation *act)
{
	for (size_t i = 0; r->enrich_changed && i < r->a->nactivations; i++)
		if (r->a->activations[i] == act)
			return r->enrich_changed[i];
	return false;
}

/* Forget the events of a run that failed or stopped before its swap: the
 * next run computes the same changes under a new generation, or the
 * unfinished run is redone with its own (the same messageIds). */
/* The events this run queued, dropped: it queues them again when redone.
 * -1 when the state could not drop them (r->err says so): the run must be
 * left unfinished then, so that the next run drops them before it redoes
 * it; delivered, they would come twice (once more from the redone diff). */
static int discard_events(struct runner *r)
{
	if (outbox_discard_run(r->st, r->run_id) == 0)
		return 0;
	sb_addf(&r->err, "%sthe queued events could not be dropped: state database %s: %s",
		r->err.len ? "; " : "", state_path(r->st), state_errmsg(r->st));
	return -1;
}

static int produce_events(struct runner *r, const bool *need_baseline)
{
	struct run_report *rep = r->rep;
	if (count_changes(r, &rep->entered, &rep->exited) < 0)
		return -1;
	if (membership_log(r, "entered", true) < 0 || membership_log(r, "exited", false) < 0)
		return -1;
	r->ob = outbox_writer_new(r->st, r->now);
	for (size_t i = 0; i < r->a->nactivations; i++) {
		const struct ast_activation *act = r->a->activations[i];
		if (!act_active(act))
			continue;
		int64_t ev = 0, filtered = 0, invalid = 0;
		if (run_activation_events(r, act, need_baseline[i], &ev, &filtered, &invalid) < 0) {
			outbox_writer_abort(r->ob);
			r->ob = NULL;
			return -1;
		}
		rep->events += ev;
		if (filtered) {
			/* counted once per run, also when the run is replayed */
			struct delivery_counts c;
			if (state_get_counts(r->st, r->run_id, r->a->name, act->name, &c) != 0 || !c.filtered)
				state_count_filtered(r->st, r->run_id, r->a->name, act->name, filtered);
		}
	}
	if (outbox_writer_finish(r->ob) < 0) {
		r->ob = NULL;
		sb_addf(&r->err, "cannot write the outbox: %s", state_errmsg(r->st));
		return -1;
	}
	r->ob = NULL;
	return 0;
}

/* ---- step 4: swap ------------------------------------------------------------------------ */

/* The generation record: the audience's one row of lac_generation. */
static void generation_statements(struct runner *r, char *out[2])
{
	out[0] = sql_format(r, "DELETE FROM %s WHERE audience = %L", r->gen_tbl, r->a->name);
	out[1] = sql_format(r, "INSERT INTO %s (audience, generation) VALUES (%L, %ld)", r->gen_tbl,
			    r->a->name, (long)r->gen);
}

/* Is the swap a sequence of separately committed statements?  Where the
 * dialect's DDL is not transactional (replace_table); tests force it on
 * SQLite and PostgreSQL with LAC_TEST_SWAP_STEPS=1 to kill a run between
 * the steps (tests/e2e/run_crash.sh). */
static bool swap_in_steps(const struct runner *r)
{
	const char *force = r->script ? NULL : getenv("LAC_TEST_SWAP_STEPS");
	return r->d->replace_table || (force && strcmp(force, "1") == 0);
}

/* Table cur (named cur_name) becomes table new, then new is gone: one
 * atomic statement (replace_table, or a rename where the steps are forced),
 * safe to repeat while new exists. */
static int replace_table(struct runner *r, const char *cur, const char *cur_name, const char *new_)
{
	char *stmts[2];
	if (r->d->replace_table) {
		struct strbuf sb = STRBUF_INIT;
		dialect_expand(&sb, r->d->replace_table, cur, NULL, new_);
		stmts[0] = sb_detach(&sb);
		stmts[1] = sql_format(r, "DROP TABLE %s", new_);
	} else {
		stmts[0] = sql_format(r, "DROP TABLE IF EXISTS %s", cur);
		stmts[1] = sql_format(r, "ALTER TABLE %s RENAME TO %I", new_, cur_name);
	}
	int rc = run_batch(r, stmts, 2, false);
	free(stmts[0]);
	free(stmts[1]);
	return rc;
}

/* Step 4.  Returns 0; -1 when nothing changed (the run can be redone from
 * scratch); -2 when the generation is recorded but a replace failed (the
 * run counts as swapped: the next run completes the replace and delivers
 * this run's events, which must stay queued). */
static int swap(struct runner *r)
{
	char *gen[2];
	generation_statements(r, gen);
	int rc = 0;
	if (!swap_in_steps(r)) {
		/* DDL is transactional: everything in one unit of commit */
		r->step = "swap the snapshots (one transaction)";
		char *stmts[6] = {
			sql_format(r, "DROP TABLE IF EXISTS %s", r->cur),
			sql_format(r, "ALTER TABLE %s RENAME TO %I", r->new_, r->cur_name),
			sql_format(r, "DROP TABLE IF EXISTS %s", r->ent),
			sql_format(r, "ALTER TABLE %s RENAME TO %I", r->ent_new, r->ent_name),
			gen[0], gen[1],
		};
		rc = run_batch(r, stmts, 6, true);
		for (size_t i = 0; i < 4; i++)
			free(stmts[i]);
		if (rc == 0) {
			/* the three points of the stepwise swap coincide at its commit */
			crash_point("generation");
			crash_point("swap_members");
			crash_point("swap_entities");
		}
		goto out;
	}
	/* The generation goes first and the run counts as swapped from then on
	 * (complete_unfinished finishes the replaces). */
	r->step = r->d->begin ? "record the new generation (one transaction)" : "record the new generation";
	if (run_batch(r, gen, 2, true) < 0) {
		rc = -1;
		goto out;
	}
	crash_point("generation");
	r->step = "swap the snapshots";
	if (replace_table(r, r->cur, r->cur_name, r->new_) < 0) {
		rc = -2;
		goto out;
	}
	crash_point("swap_members");
	if (replace_table(r, r->ent, r->ent_name, r->ent_new) < 0) {
		rc = -2;
		goto out;
	}
	crash_point("swap_entities");
out:
	free(gen[0]);
	free(gen[1]);
	return rc;
}

/* A run whose generation the warehouse has: the replaces a crash (or a
 * failed statement) left undone, each table whose __new copy still exists.
 * Before anything else reads the snapshots. */
static int finish_replaces(struct runner *r)
{
	/* (after a swap in one transaction no __new table is left: nothing to do) */
	r->step = "complete the interrupted swap";
	const char *copies[2] = { r->new_name, r->ent_new_name };
	bool left[2];
	if (tables_exist(r, copies, 2, left) < 0 ||
	    (left[0] && replace_table(r, r->cur, r->cur_name, r->new_) < 0) ||
	    (left[1] && replace_table(r, r->ent, r->ent_name, r->ent_new) < 0))
		return -1;
	return 0;
}

/* The state's side of the swap: generation and the baselines recorded. */
static int state_swap(struct runner *r, const bool *need_baseline)
{
	if (state_begin(r->st) < 0)
		goto fail;
	if (state_set_generation(r->st, r->a->name, r->gen) < 0)
		goto fail_tx;
	for (size_t i = 0; i < r->a->nactivations; i++)
		if (need_baseline[i] && act_active(r->a->activations[i]) &&
		    state_set_baseline(r->st, r->a->name, r->a->activations[i]->name, r->gen) < 0)
			goto fail_tx;
	/* the values hashes just swapped in were made with this enrich */
	for (size_t i = 0; i < r->a->nactivations; i++) {
		const struct ast_activation *act = r->a->activations[i];
		if (!act_active(act) || act->trigger != TRIG_MEMBERSHIP_OR_VALUES_CHANGED)
			continue;
		char *fp = run_enrich_fingerprint(act);
		int rc = state_set_values_enrich(r->st, r->a->name, act->name, fp);
		free(fp);
		if (rc < 0)
			goto fail_tx;
	}
	if (state_commit(r->st) < 0)
		goto fail;
	return 0;
fail_tx:
	state_rollback(r->st);
fail:
	sb_addf(&r->err, "state database %s: %s", state_path(r->st), state_errmsg(r->st));
	return -1;
}

/* ---- step 5: deliver ------------------------------------------------------------------------ */

/* text after the report's warnings so far (a completed unfinished run's come first) */
static void add_warning(struct run_report *rep, const char *text)
{
	char *all = rep->warning ? xasprintf("%s; %s", rep->warning, text) : xstrdup(text);
	free(rep->warning);
	rep->warning = all;
}

/* Events of the audience that runs other than this one queued and that are
 * delivered by now (summed over its activations' kept runs). */
static int64_t delivered_of_other_runs(struct runner *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->a->nactivations; i++) {
		const char *act = r->a->activations[i]->name;
		struct delivery_counts all, own;
		if (state_get_counts_total(r->st, r->a->name, act, &all) == 0)
			n += all.delivered;
		if (state_get_counts(r->st, r->run_id, r->a->name, act, &own) == 0)
			n -= own.delivered;
	}
	return n;
}

static void deliver(struct runner *r)
{
	/* the report counts what this delivery step sent of earlier runs'
	 * events too (a destination that was down, now back) */
	int64_t earlier = delivered_of_other_runs(r);
	const struct destination **seen = NULL; /* each destination delivered once */
	size_t nseen = 0, cap = 0;
	struct strbuf warn = STRBUF_INIT;
	/* retention (state.retention_days): what is still undelivered after that
	 * long is given up (counted as failed) rather than retried forever */
	if (outbox_expire(r->st, r->now, (int64_t)r->p->retention_days * 24 * 3600) < 0)
		sb_addf(&warn, "the outbox's retention could not be applied: %s", state_errmsg(r->st));
	for (size_t i = 0; i < r->a->nactivations; i++) {
		const struct ast_activation *act = r->a->activations[i];
		if (!act_active(act))
			continue;
		bool dup = false;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == act->dest;
		if (dup)
			continue;
		VEC_PUSH(seen, nseen, cap, act->dest);
		/* nothing to send: the destination's settings (and secrets) are not needed */
		if (outbox_count(r->st, act->dest->name, OUTBOX_PENDING) == 0 &&
		    outbox_count(r->st, act->dest->name, OUTBOX_FAILED) == 0)
			continue;
		struct dest_config cfg;
		struct dest *d = NULL;
		struct strbuf e = STRBUF_INIT;
		dest_config_defaults(&cfg);
		size_t ndiags = r->p->diags.n;
		if (dest_config_from_project(r->p, act->dest, &cfg) < 0) {
			/* say why here: the diagnostic itself is printed later, if at all */
			const struct diag *why = r->p->diags.n > ndiags ? &r->p->diags.items[ndiags] : NULL;
			sb_addf(&warn, "%sdestination '%s' is not usable", warn.len ? "; " : "",
				act->dest->name);
			if (why)
				sb_addf(&warn, " (%s:%u: %s)", source_path(r->p->diags.sources, why->loc.file),
					why->loc.line, why->message);
			sb_addstr(&warn, "; its events stay pending");
		} else if (dest_open(&cfg, &d, &e) < 0) {
			sb_addf(&warn, "%sdestination '%s': %s; its events stay pending",
				warn.len ? "; " : "", act->dest->name, e.buf);
		} else {
			struct deliver_stats ds = { 0 };
			int drc = deliver_outbox_for(r->st, d, r->now, r->a->name, r->run_id, &ds, &e);
			if (drc < 0)
				sb_addf(&warn, "%sdelivering to '%s': %s", warn.len ? "; " : "",
					act->dest->name, e.buf);
			else if (ds.stopped)
				sb_addf(&warn, "%sdestination '%s' is unreachable (%s); undelivered events stay "
					"pending", warn.len ? "; " : "", act->dest->name,
					ds.stop_reason[0] ? ds.stop_reason : "no reason given");
			dest_close(d);
		}
		sb_release(&e);
	}
	if (warn.len)
		add_warning(r->rep, warn.buf);
	sb_release(&warn);
	free(seen);
	r->rep->earlier_delivered = delivered_of_other_runs(r) - earlier;
}

/* ---- step 6: record ------------------------------------------------------------------------- */

/* The run's delivery overview, summed over the activations.  events is
 * "events from audience" (filtered and invalid ones too), as `lac delivery`
 * counts it; a failed run's discarded events count nothing. */
static void gather_counts(struct runner *r, const char *run_id, struct run_report *rep)
{
	rep->events = rep->delivered = rep->failed = rep->pending = rep->filtered = rep->invalid = 0;
	for (size_t i = 0; i < r->a->nactivations; i++) {
		struct delivery_counts c;
		if (state_get_counts(r->st, run_id, r->a->name, r->a->activations[i]->name, &c) != 0)
			continue;
		rep->events += c.from_audience;
		rep->delivered += c.delivered;
		rep->failed += c.failed;
		rep->pending += c.pending;
		rep->filtered += c.filtered;
		rep->invalid += c.invalid;
	}
}

static char *summary_json(const struct run_report *rep)
{
	json_t *j = json_pack("{s:I, s:I, s:I, s:I}", "members", (json_int_t)rep->members,
			      "entered", (json_int_t)rep->entered, "exited", (json_int_t)rep->exited,
			      "events", (json_int_t)rep->events);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

struct timings {
	int64_t start, queueing, extracting, preparing, delivering;
};

/* The run's end in the state; ok, unless the state could not take it. */
static bool record(struct runner *r, bool ok, const struct timings *t)
{
	struct run_report *rep = r->rep;
	/* Paused: the audience has activations and every one is disabled, so
	 * the snapshot moved on but nothing could be sent (docs/decisions.md) */
	bool paused = r->a->nactivations > 0;
	for (size_t i = 0; i < r->a->nactivations; i++)
		paused &= !act_active(r->a->activations[i]);
	rep->result = !ok ? RUN_FAILED : paused ? RUN_PAUSED : RUN_LIVE;
	rep->generation = r->gen;
	if (!ok && !rep->error)
		rep->error = xstrdup(r->err.len ? r->err.buf : "the run failed");
	gather_counts(r, r->run_id, rep);
	rep->duration_ms = time_mono_ms() - t->start;
	char *summary = summary_json(rep);
	struct state_run sr = {
		.id = r->run_id, .audience = (char *)r->a->name, .generation = r->gen,
		.duration_ms = rep->duration_ms, .result = rep->result, .error = rep->error,
		.summary = summary, .queueing_ms = t->queueing, .extracting_ms = t->extracting,
		.preparing_ms = t->preparing, .delivering_ms = t->delivering,
	};
	if (state_run_finish(r->st, &sr) < 0 && ok) {
		/* left Running, it is the next run's to complete (its swap is
		 * done: only the record and delivery remain); this one failed */
		ok = false;
		rep->result = RUN_FAILED;
		rep->error = xasprintf("the run could not be recorded: state database %s: %s; the next "
				       "run completes it", state_path(r->st), state_errmsg(r->st));
	}
	free(summary);
	/* the day's size for size_change alerts (SPEC §5 Alerts) */
	if (ok)
		state_alert_record_members(r->st, r->a->name, r->now, rep->members);
	/* the next scheduled run is computed after this one ends */
	int64_t next = run_next_time(r->a, r->now + rep->duration_ms / 1000);
	state_set_next_run(r->st, r->a->name, next);
	return ok;
}

/* A run that computes nothing (the audience is disabled): recorded as
 * ended with that result, at the current generation, in one transaction
 * (never left Running for a later run to "complete"). */
static void record_skipped(struct runner *r, enum run_result result)
{
	struct run_report *rep = r->rep;
	struct state_audience sa;
	rep->result = result;
	if (state_get_audience(r->st, r->a->name, &sa) == 0) {
		rep->generation = sa.generation;
		state_audience_release(&sa);
	}
	rep->run_id = state_new_run_id(r->now);
	struct state_run sr = { .id = rep->run_id, .audience = (char *)r->a->name,
				.generation = rep->generation, .result = result };
	if (state_begin(r->st) < 0)
		return;
	if (state_run_begin(r->st, rep->run_id, r->a->name, rep->generation, r->now) < 0 ||
	    state_run_finish(r->st, &sr) < 0) {
		state_rollback(r->st);
		return;
	}
	state_commit(r->st);
}

/* Run id as the state recorded it: the report of a completed crashed run. */
static struct run_report *stored_report(struct runner *r, const char *id)
{
	struct state_run sr;
	if (state_get_run(r->st, id, &sr) != 0)
		return NULL;
	struct run_report *rep = xcalloc(1, sizeof(*rep));
	rep->run_id = xstrdup(sr.id);
	rep->result = sr.result;
	rep->error = sr.error ? xstrdup(sr.error) : NULL;
	rep->generation = sr.generation;
	rep->duration_ms = sr.duration_ms;
	json_t *j = sr.summary ? json_loads(sr.summary, 0, NULL) : NULL;
	rep->members = (int64_t)json_integer_value(json_object_get(j, "members"));
	rep->entered = (int64_t)json_integer_value(json_object_get(j, "entered"));
	rep->exited = (int64_t)json_integer_value(json_object_get(j, "exited"));
	json_decref(j);
	gather_counts(r, id, rep);
	state_run_release(&sr);
	return rep;
}

/* ---- the steps ------------------------------------------------------------------------------- */

/* The progress line of a step of the run ("cat_owners: snapshot"): shown
 * at once when the step blocks in statements (no unit), else as its
 * events come.  0. */
static int step_begin(struct runner *r, const char *step, const char *unit)
{
	char *name = xasprintf("%s: %s", r->a->name, step);
	progress_begin(&r->prog, name, unit);
	free(name);
	if (!unit)
		progress_show(&r->prog);
	return 0;
}

/* Steps 1 to 6 of the run r->run_id with generation r->gen.  swapped: the
 * warehouse already has generation r->gen (a crash after the swap).  0; -1
 * when the run failed (recorded so); -2 when it failed after its
 * generation was recorded, leaving it unfinished for the next run. */
static int steps(struct runner *r, bool swapped)
{
	struct timings t = { .start = time_mono_ms() };
	bool *need = activation_states(r);
	bool ok = false;
	int64_t t0 = time_mono_ms();
	if (!need)
		goto unfinished; /* for the next run to redo or complete */
	if (!swapped) {
		int snap = step_begin(r, "snapshot", NULL);
		snap = snap || run_check_duplicates(r) != 0 || materialize(r) < 0;
		progress_end(&r->prog);
		if (snap)
			goto done;
		crash_point("snapshot");
		/* a snapshot the warehouse cannot tell about fails the run: taken
		 * for missing, every member would be sent as entered again */
		const char *snaps[2] = { r->cur_name, r->ent_name };
		bool have[2];
		if (tables_exist(r, snaps, 2, have) < 0)
			goto done;
		r->have_cur = have[0];
		r->have_ent = have[1];
		t.extracting = time_mono_ms() - t0;
		t0 = time_mono_ms();
		/* a redone run starts from an empty outbox: nothing of it was
		 * delivered before the swap, and its events come again */
		if (discard_events(r) < 0)
			goto unfinished;
		step_begin(r, "queueing", "events");
		int queued = produce_events(r, need);
		progress_end(&r->prog);
		if (queued < 0)
			goto failed_before_swap;
		crash_point("outbox");
		t.preparing = time_mono_ms() - t0;
		/* the snapshots change only under the run lock, which a PostgreSQL
		 * state loses with its connection */
		if (state_lock_check(r->st, &r->err) < 0)
			goto failed_before_swap;
		int sw = swap(r);
		if (sw == -1)
			goto failed_before_swap;
		if (sw == -2)
			goto unfinished;
		crash_point("swap");
	} else {
		if (finish_replaces(r) < 0)
			goto unfinished;
		logged_changes(r);
	}
	/* the warehouse has the generation: left unfinished, the next run
	 * completes the state's side (a new run would take an activation
	 * without its baseline as new, and send current members again) */
	if (state_swap(r, need) < 0)
		goto unfinished;
	run_wh_int(r, arena_sprintf(&r->ar, "SELECT COUNT(*) FROM %s", r->cur), &r->rep->members);
	sb_reset(&r->err);
	if (!r->o || r->o->deliver) {
		t0 = time_mono_ms();
		deliver(r);
		t.delivering = time_mono_ms() - t0;
	}
	ok = true;
	goto done;
failed_before_swap:
	if (discard_events(r) < 0)
		goto unfinished;
done:
	ok = record(r, ok, &t);
	free(need);
	return ok ? 0 : -1;
unfinished:
	/* left unfinished, as a crash there leaves it, the run is completed by
	 * the next one: the replaces, then delivery, when the warehouse has its
	 * generation (its events are its own for good), else redone from
	 * materialize, its queued events dropped first */
	r->rep->result = RUN_FAILED;
	r->rep->error = xstrdup(r->err.buf);
	free(need);
	return -2;
}

/* The command a run belongs to, for the warehouse's tags. */
static const char *run_command(const struct runner *r)
{
	return r->o && r->o->lock_command ? r->o->lock_command : "run";
}

/* Complete the audience's unfinished run sr (SPEC §5: a crash loses
 * nothing; released here).  -2 when it stays unfinished (r->rep->error says
 * why): no new run may start, it would rebuild the tables a pending replace
 * reads. */
static int complete_unfinished(struct runner *r, struct state_run *sr)
{
	int64_t wg = 0;
	struct run_report rep = { 0 };
	struct run_report *saved = r->rep;
	r->rep = &rep;
	r->run_id = xstrdup(sr->id);
	r->gen = sr->generation;
	warehouse_set_context(r->w, run_command(r), r->a->name, r->run_id);
	/* the same reference time as the crashed run: the same snapshot */
	int64_t saved_now = r->now;
	r->now = sr->started;
	char iso[32], sql[40];
	memcpy(iso, r->now_iso, sizeof(iso));
	memcpy(sql, r->now_sql, sizeof(sql));
	time_format_iso(r->now, r->now_iso);
	sql_normalize_now(r->now_iso, r->now_sql);
	int rc = warehouse_generation(r, &wg);
	if (rc == 0)
		rc = steps(r, wg == r->gen);
	else if (swap_in_steps(r))
		rc = -2; /* a replace may be pending: only a readable warehouse can tell */
	else
		record(r, false, &(struct timings){ .start = time_mono_ms() });
	if (rc == -2)
		saved->error = xasprintf("the unfinished run %s could not be completed: %s", sr->id,
					 rep.error ? rep.error : r->err.buf);
	if (rep.warning) {
		/* its delivery problems are told with the run that completed it */
		char *w = xasprintf("the completed run %s: %s", sr->id, rep.warning);
		add_warning(saved, w);
		free(w);
	}
	state_run_release(sr);
	free(r->run_id);
	r->run_id = NULL;
	r->rep = saved;
	saved->completed_previous = true;
	run_report_release(&rep);
	r->now = saved_now;
	memcpy(r->now_iso, iso, sizeof(iso));
	memcpy(r->now_sql, sql, sizeof(sql));
	sb_reset(&r->err);
	return rc;
}

/* A run that could not start for the state's error. */
static void start_failed(struct run_report *report, struct state *st)
{
	report->result = RUN_FAILED;
	report->error = xasprintf("state database %s: %s", state_path(st), state_errmsg(st));
}

static int max_run_gen(const struct state_run *run, void *ctx)
{
	int64_t *g = ctx;
	if (run->generation > *g)
		*g = run->generation;
	return 0;
}

int run_audience(struct project *p, struct warehouse *w, struct state *st,
		 const struct ast_audience *a, const struct run_options *o, struct run_report *report)
{
	struct runner r = { .p = p, .w = w, .st = st, .a = a, .o = o, .d = w->d, .rep = report };
	memset(report, 0, sizeof(*report));
	sb_init(&r.err);
	r.schema = p->warehouse.schema;

	/* the same parser as every command's --now (util.c) */
	struct lac_now ln;
	if (!o || !o->now) {
		now_clock(&ln);
	} else if (now_parse(o->now, &ln) < 0) {
		report->result = RUN_FAILED;
		report->error = xasprintf("--now takes an ISO-8601 UTC timestamp like "
					  "2025-01-31T08:30:00Z, not '%s'", o->now);
		runner_release(&r);
		return -1;
	}
	r.now = ln.secs;
	time_format_iso(r.now, r.now_iso); /* events carry whole seconds */
	memcpy(r.now_sql, ln.sql, sizeof(r.now_sql));

	if (a->enabled == 0) {
		/* SPEC §5: the run is recorded, with result Disabled */
		record_skipped(&r, RUN_DISABLED);
		runner_release(&r);
		return 0;
	}
	struct strbuf e = STRBUF_INIT;
	char *lock_id = xasprintf("run:%s", a->name);
	int lk = state_lock(st, lock_id, o && o->lock_command ? o->lock_command : "run",
			    o ? o->lock_timeout_ms : 0, &e);
	if (lk != 0) {
		int rc = -1;
		if (lk == 1 && o && o->skip_running) {
			report->skipped = sb_detach(&e);
			rc = 0;
		} else {
			report->result = RUN_FAILED;
			report->error = lk == 1 ? xasprintf("lock '%s' is %s", lock_id, e.buf) : sb_detach(&e);
		}
		sb_release(&e);
		free(lock_id);
		runner_release(&r);
		return rc;
	}
	sb_release(&e);
	runner_tables(&r);
	collect_paths(&r);

	int rc = -1;
	if (!o || !o->allow_past) {
		/* a reference time before the last run (a wrong --now, a clock
		 * set back) would diff and date events out of order */
		struct state_run last;
		if (state_last_run(st, a->name, &last) == 0 && last.started > r.now) {
			char then[32];
			time_format_iso(last.started, then);
			report->result = RUN_FAILED;
			report->error = xasprintf("the run's time %s is before the audience's last run at %s "
						  "('lac run --allow-past' runs it anyway)", r.now_iso, then);
			state_run_release(&last);
			goto out;
		}
		state_run_release(&last);
	}
	/* a scheduled run whose inputs did not change queries none of them
	 * (run_skip.c); the schedule moves on as after a run */
	if (o && o->skip_unchanged && run_inputs_unchanged(p, w, st, a)) {
		report->unchanged = true;
		state_set_next_run(st, a->name, run_next_time(a, r.now));
		rc = 0;
		goto out;
	}
	if (!(o && o->tables_ready) && ensure_tables(&r) < 0) {
		report->result = RUN_FAILED;
		report->error = xstrdup(r.err.buf);
		goto out;
	}
	/* the crashed run completed first is reported too, with its counts; a
	 * state that cannot tell whether there is one starts no run (a new one
	 * would rebuild the tables a pending replace reads) */
	struct state_run unf;
	int found = state_unfinished_run(st, a->name, &unf);
	if (found < 0) {
		start_failed(report, st);
		goto out;
	}
	if (found == 0) {
		char *unfinished = xstrdup(unf.id);
		bool stuck = complete_unfinished(&r, &unf) == -2;
		report->previous = stored_report(&r, unfinished);
		free(unfinished);
		if (stuck) {
			report->result = RUN_FAILED;
			goto out;
		}
	}

	/* A generation never used before by this audience (state, runs and
	 * warehouse), so no two runs' events share a messageId. */
	int64_t wg = 0, g = 0;
	struct state_audience sa;
	if (warehouse_generation(&r, &wg) < 0) {
		report->result = RUN_FAILED;
		report->error = xstrdup(r.err.buf);
		goto out;
	}
	g = wg;
	int got = state_get_audience(st, a->name, &sa);
	if (got == 0) {
		if (sa.generation > g)
			g = sa.generation;
		state_audience_release(&sa);
	}
	/* (one the state cannot tell about might be used again) */
	if (got < 0 || state_list_runs(st, a->name, 0, max_run_gen, &g) < 0) {
		start_failed(report, st);
		goto out;
	}
	r.gen = g + 1;
	r.run_id = state_new_run_id(r.now);
	bool prev = report->completed_previous;
	if (state_run_begin(st, r.run_id, a->name, r.gen, r.now) < 0) {
		start_failed(report, st);
		goto out;
	}
	report->run_id = xstrdup(r.run_id);
	warehouse_set_context(w, run_command(&r), a->name, r.run_id);
	rc = steps(&r, false) < 0 ? -1 : 0;
	report->completed_previous = prev;
out:
	state_unlock(st, lock_id);
	free(lock_id);
	runner_release(&r);
	return rc;
}

/* A script runs on a fresh warehouse too: the previous snapshot, created
 * empty with the new one's columns where there is none yet (a run checks
 * for it instead: have_cur, have_ent). */
static int previous_snapshot(struct runner *r)
{
	r->step = "the previous snapshot (created empty on a fresh warehouse)";
	const char *fmt = r->d->ctas_if_not_exists ?
		"CREATE TABLE IF NOT EXISTS %s AS SELECT * FROM %s WHERE 1 = 0" :
		"CREATE TABLE IF NOT EXISTS %s (LIKE %s)";
	if (exec_f(r, fmt, r->cur, r->new_) < 0)
		return -1;
	return exec_f(r, fmt, r->ent, r->ent_new);
}

/* `lac compile --emit run`: the statements of steps 0-4 through the same
 * functions a run uses, with run_wh printing instead of running. */
void run_script(struct project *p, const struct ast_audience *a, const struct dialect *d,
		const char *now, struct strbuf *out)
{
	struct runner r = { .p = p, .a = a, .d = d, .script = out, .have_cur = true, .have_ent = true,
			    .gen = 1 };
	sb_init(&r.err);
	r.schema = p->warehouse.schema;
	struct lac_now ln;
	if (now && now_parse(now, &ln) == 0) {
		r.now = ln.secs;
		time_format_iso(r.now, r.now_iso);
		memcpy(r.now_sql, ln.sql, sizeof(r.now_sql));
	} else {
		/* the reference time is the dialect's clock; the log's is the run's */
		snprintf(r.now_iso, sizeof(r.now_iso), "<now>");
	}
	r.run_id = xstrdup("<run_id>");
	runner_tables(&r);
	collect_paths(&r);
	ensure_tables(&r);
	run_check_duplicates(&r);
	materialize(&r);
	previous_snapshot(&r);
	int64_t n;
	count_changes(&r, &n, &n);
	membership_log(&r, "entered", true);
	membership_log(&r, "exited", false);
	for (size_t i = 0; i < a->nactivations; i++) {
		int64_t ev, filtered, invalid;
		if (act_active(a->activations[i]))
			run_activation_events(&r, a->activations[i], false, &ev, &filtered, &invalid);
	}
	swap(&r);
	runner_release(&r);
}

/* `lac plan --preview` (run_preview.c): a runner that runs nothing, with its
 * tables named and its paths collected the way a run does it. */
void run_preview_setup(struct runner *r)
{
	runner_tables(r);
	collect_paths(r);
}

void run_preview_release(struct runner *r)
{
	runner_release(r);
}
