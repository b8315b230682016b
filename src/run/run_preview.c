/*
 * run_preview.c — `lac plan --preview`: the events an activation's next run
 * would send, counted by the run's own code (run_events.c) so that the two
 * never disagree (docs/gitops.md).
 *
 * A run materializes snapshot_<a>__new and snapshot_<a>__ent__new, hashes
 * the enrichment of `membership or values changed` activations into the
 * latter, and diffs both against the previous snapshot.  Here nothing is
 * materialized: the two tables are CTEs put in front of every statement the
 * runner issues (through a warehouse that forwards to the real one and lets
 * only SELECTs through), the enrichment hashes are computed the run's way
 * and compared in C with the ones the previous run stored, and the changed
 * ones become rows of the CTE.  With no outbox writer run_activation_events
 * only counts: sent, filtered at the destination (identifier), invalid.
 *
 * `lac plan --validate` uses the same stand-ins to have the warehouse plan
 * (warehouse_validate: EXPLAIN or a dry run) the SELECTs an activation's run issues, reading no rows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "run/event.h"
#include "run/run_private.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"

/* The stand-ins' names (CTEs: they shadow nothing in the warehouse). */
#define CTE_NEW "lac_preview_new"
#define CTE_ENT "lac_preview_ent_new"

/* ---- a warehouse that prefixes the CTEs ---------------------------------------- */

struct cte_wh {
	struct warehouse base;    /* first: the runner's r->w points here */
	struct warehouse *real;
	const char *ctes;         /* "name AS (...), name AS (...)" */
	bool explain;             /* --validate: each statement only checked, no row read */
	struct strbuf first_err;  /* --validate: the warehouse's own first message */
};

static int cte_query(struct warehouse *w, const char *sql, wh_row_fn fn, void *arg,
		     struct strbuf *err)
{
	struct cte_wh *c = (struct cte_wh *)w;
	bool with = str_starts(sql, "WITH ");
	/* a preview reads: anything else the runner might issue is refused */
	if (!with && !str_starts(sql, "SELECT ")) {
		sb_addstr(err, "lac plan --preview runs only SELECT statements");
		return -1;
	}
	struct strbuf q = STRBUF_INIT;
	sb_addstr(&q, "WITH ");
	sb_addstr(&q, c->ctes);
	/* the runner's own WITH list continues ours */
	sb_addstr(&q, with ? ",\n" : "\n");
	sb_addstr(&q, with ? sql + 5 : sql);
	int64_t bytes;
	/* --validate: checked as plan_validate checks, no row read */
	int rc = c->explain ? warehouse_validate(c->real, q.buf, &bytes, err)
			    : c->real->ops->query(c->real, q.buf, fn, arg, err);
	if (rc < 0 && c->explain && !c->first_err.len)
		sb_addstr(&c->first_err, err->buf);
	sb_release(&q);
	return rc;
}

static int cte_tables_exist(struct warehouse *w, const char *schema, const char *const *tables,
			    size_t n, bool *found, struct strbuf *err)
{
	struct cte_wh *c = (struct cte_wh *)w;
	return c->real->ops->tables_exist(c->real, schema, tables, n, found, err);
}

static void cte_close(struct warehouse *w)
{
	(void)w;  /* the real warehouse belongs to the caller */
}

static const struct warehouse_ops cte_ops = {
	.name = "preview", .query = cte_query, .tables_exist = cte_tables_exist, .close = cte_close,
};

static bool snap_exists(void *arg, const struct ast_audience *ref)
{
	struct runner *r = arg;
	struct warehouse_snapshots s = { r->w, r->schema };
	return warehouse_snapshot_exists(&s, ref);
}

/* The WITH list: the members (as materialize() selects them) and the
 * matched entities plus the changed enrichment hashes (values: a VALUES
 * list, or empty). */
static void build_ctes(struct strbuf *out, const char *members, const char *ents,
		       const char *values)
{
	sb_reset(out);
	sb_addstr(out, CTE_NEW " AS (\nSELECT DISTINCT m.member_id\nFROM (\n");
	sb_addstr(out, members);
	sb_addstr(out, "\n) AS m\nWHERE m.member_id IS NOT NULL),\n" CTE_ENT " AS (\n");
	sb_addstr(out, ents);
	if (values && *values) {
		/* VALUES names its columns column1.. on SQLite and PostgreSQL */
		sb_addstr(out, "\nUNION ALL\nSELECT column1, column2, column3 FROM (VALUES ");
		sb_addstr(out, values);
		sb_addstr(out, ") AS v");
	}
	sb_addstr(out, ")");
}

/* ---- the enrichment hashes of `membership or values changed` ----------------------- */

struct old_hash {
	char *member, *hash;
};

struct old_hashes {
	struct old_hash *v;
	size_t n, cap;
};

static int collect_hash(void *arg, int ncol, const char *const *vals)
{
	struct old_hashes *h = arg;
	if (ncol < 2 || !vals[0] || !vals[1])
		return 0;
	struct old_hash o = { xstrdup(vals[0]), xstrdup(vals[1]) };
	VEC_PUSH(h->v, h->n, h->cap, o);
	return 0;
}

static int cmp_hash(const void *a, const void *b)
{
	return strcmp(((const struct old_hash *)a)->member, ((const struct old_hash *)b)->member);
}

/* The (path, member, new hash) rows of the continuing members whose hash
 * changed since the previous run, as a VALUES list in *values: the only
 * rows of the hash path the run's diff can report (change 2 joins the new
 * hash to an old, different one). */
static int changed_hashes(struct runner *r, struct warehouse *real, const struct ast_activation *act,
			  struct sqlbuf *values)
{
	char *vp = xasprintf(RUN_VALUES_PREFIX "%s", act->name);
	struct old_hashes old = { NULL, 0, 0 };
	struct sqlbuf q;
	struct strbuf e = STRBUF_INIT;
	int rc = -1;
	FILE *f = tmpfile();
	sqlbuf_init(&q, r->d);
	if (!f) {
		sb_addstr(&r->err, "cannot create a temporary file for the enrichment hashes");
		goto out;
	}
	if (run_activation_hashes_spool(r, act, f) < 0)
		goto out;
	sql_addf(&q, "SELECT member_id, entity_id FROM %s WHERE path = %L", r->ent, vp);
	if (real->ops->query(real, q.sb.buf, collect_hash, &old, &e) < 0) {
		sb_addf(&r->err, "warehouse error in audience '%s' (%s:%u): %s", r->a->name,
			sql_audience_path(r->p, r->a), r->a->loc.line, e.buf);
		goto out;
	}
	if (old.n > 1)
		qsort(old.v, old.n, sizeof(*old.v), cmp_hash);
	/* the records run_activation_hashes would insert (its spool format) */
	size_t rows = 0;
	char *m, hash[65];
	while ((m = run_spool_next(f, hash)) != NULL) {
		struct old_hash key = { m, NULL };
		const struct old_hash *o = old.n ? bsearch(&key, old.v, old.n, sizeof(*old.v), cmp_hash)
				       : NULL;
		if (o && strcmp(o->hash, hash) != 0)
			sql_addf(values, "%s(%L, %L, %L)", rows++ ? ", " : "", vp, m, hash);
		free(m);
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	for (size_t i = 0; i < old.n; i++) {
		free(old.v[i].member);
		free(old.v[i].hash);
	}
	free(old.v);
	sqlbuf_release(&q);
	sb_release(&e);
	free(vp);
	return rc;
}

/* A runner of act's audience that reads through the stand-ins: the run's
 * tables named, the two it materializes replaced by CTEs. */
struct stand_in {
	struct cte_wh cw;
	struct runner r;
	struct strbuf members, ents, ctes;
};

static void stand_in_init(struct stand_in *si, struct project *p, struct warehouse *w,
			  const struct ast_audience *a, const char *now)
{
	memset(si, 0, sizeof(*si));
	struct lac_now ln;
	if (!now || now_parse(now, &ln) < 0)
		now_clock(&ln);
	si->cw = (struct cte_wh){ .base = { .ops = &cte_ops, .d = w->d, .impl = NULL }, .real = w };
	sb_init(&si->cw.first_err);
	struct runner *r = &si->r;
	*r = (struct runner){ .p = p, .w = &si->cw.base, .a = a, .d = w->d };
	sb_init(&r->err);
	r->schema = p->warehouse.schema;
	r->now = ln.secs;
	time_format_iso(r->now, r->now_iso);
	memcpy(r->now_sql, ln.sql, sizeof(r->now_sql));
	/* a run id of the real length: it is in every event, and events over
	 * the size limit are invalid */
	r->run_id = state_new_run_id(r->now);
	r->gen = 1;
	run_preview_setup(r);
	/* only counted, never sent: one the warehouse cannot tell about counts
	 * as there, and the statement that reads it fails if it is not */
	const char *snaps[2] = { r->cur_name, r->ent_name };
	bool have[2];
	struct strbuf ignored = STRBUF_INIT;
	if (w->ops->tables_exist(w, r->schema, snaps, 2, have, &ignored) < 0)
		have[0] = have[1] = true;
	sb_release(&ignored);
	r->have_cur = have[0];
	r->have_ent = have[1];

	struct sql_options so = { .d = w->d, .now = r->now_sql, .schema = r->schema,
				  .snapshot_exists = snap_exists, .arg = r };
	sb_init(&si->members);
	sb_init(&si->ents);
	sb_init(&si->ctes);
	sql_membership(&si->members, &p->graph, a, &so);
	run_sql_matched_entities(r, &so, &si->ents);
	build_ctes(&si->ctes, si->members.buf, si->ents.buf, NULL);
	si->cw.ctes = si->ctes.buf;
	/* the runner reads its new tables from the CTEs */
	free(r->new_);
	free(r->ent_new);
	r->new_ = xstrdup(CTE_NEW);
	r->ent_new = xstrdup(CTE_ENT);
}

static void stand_in_release(struct stand_in *si)
{
	sb_release(&si->members);
	sb_release(&si->ents);
	sb_release(&si->ctes);
	sb_release(&si->cw.first_err);
	run_preview_release(&si->r);
}

/* What a run skips (run.c act_active) sends nothing and reads nothing. */
static bool act_runs(const struct ast_activation *act)
{
	return act->audience->enabled != 0 && act->enabled != 0 && act->dest && act->trigger != TRIG_NONE;
}

/* ---- counting ---------------------------------------------------------------------------- */

int run_preview_events(struct project *p, struct warehouse *w, const struct ast_activation *act,
		       const struct state_activation *applied, const char *now,
		       struct run_preview_counts *out, struct strbuf *err)
{
	return run_preview_events_sampled(p, w, act, applied, now, out, NULL, NULL, err);
}

int run_preview_events_sampled(struct project *p, struct warehouse *w, const struct ast_activation *act,
			       const struct state_activation *applied, const char *now,
			       struct run_preview_counts *out, run_preview_sample_fn fn, void *arg,
			       struct strbuf *err)
{
	bool need_baseline = !applied || !applied->has_baseline;
	memset(out, 0, sizeof(*out));
	if (!act_runs(act))
		return 0;
	out->baseline_only = need_baseline && !act->send_current;

	struct stand_in si;
	stand_in_init(&si, p, w, act->audience, now);
	struct runner *r = &si.r;
	r->sample = fn;
	r->sample_arg = arg;
	struct sqlbuf values;
	sqlbuf_init(&values, w->d);
	int rc = 0;
	/* the values changes, unless the enrich changed since the values hashes
	 * were made: then the run only records new ones (run_enrich_differs) */
	if (act->trigger == TRIG_MEMBERSHIP_OR_VALUES_CHANGED && !need_baseline && r->have_ent &&
	    !run_enrich_differs(act, applied)) {
		rc = changed_hashes(r, w, act, &values);
		if (rc == 0 && values.sb.len) {
			build_ctes(&si.ctes, si.members.buf, si.ents.buf, values.sb.buf);
			si.cw.ctes = si.ctes.buf;
		}
	}
	if (rc == 0)
		rc = run_activation_events(r, act, need_baseline, &out->events, &out->filtered,
					   &out->invalid);
	if (rc < 0)
		sb_addstr(err, r->err.len ? r->err.buf : "the preview query failed");
	sqlbuf_release(&values);
	stand_in_release(&si);
	return rc;
}

int run_preview_duplicates(struct project *p, struct warehouse *w, const struct ast_audience *a,
			   const char *now, struct strbuf *msg)
{
	struct stand_in si;
	stand_in_init(&si, p, w, a, now);
	int rc = run_check_duplicates(&si.r);
	if (rc != 0)
		sb_addstr(msg, si.r.err.len ? si.r.err.buf : "the duplicate check failed");
	stand_in_release(&si);
	return rc;
}

/* ---- validating ---------------------------------------------------------------------------- */

int run_validate_activation(struct project *p, struct warehouse *w, const struct ast_activation *act,
			    const char *now, struct strbuf *err)
{
	if (!act_runs(act))
		return 0;
	struct stand_in si;
	stand_in_init(&si, p, w, act->audience, now);
	si.cw.explain = true;
	struct runner *r = &si.r;
	int rc = 0;
	/* the enrichment hashes' SELECT (a run inserts its rows) */
	if (act->trigger == TRIG_MEMBERSHIP_OR_VALUES_CHANGED) {
		FILE *f = tmpfile();
		if (!f) {
			sb_addstr(&r->err, "cannot create a temporary file for the enrichment hashes");
			rc = -1;
		} else {
			rc = run_activation_hashes_spool(r, act, f);
			fclose(f);
		}
	}
	/* the diff with the enrichment: as a run after its baseline reads it */
	int64_t events, filtered, invalid;
	if (rc == 0)
		rc = run_activation_events(r, act, false, &events, &filtered, &invalid);
	if (rc < 0)
		sb_addstr(err, si.cw.first_err.len ? si.cw.first_err.buf :
			  r->err.len ? r->err.buf : "the validation query failed");
	stand_in_release(&si);
	return rc;
}
