/*
 * plan.c — compute, preview, diff and print a plan (SPEC §5, §6; the JSON
 * shape is documented in docs/gitops.md).
 *
 * A plan compares two sorted lists: the project's audiences (and their
 * activations) and the ones recorded in the state DB.  Identity is the
 * name (audience) or audience+name (activation); a different definition
 * hash is an update, a different enabled flag an enable/disable.  Nothing
 * here writes: the state handle is read-only (or NULL when there is no
 * state yet) and the warehouse is only queried — except plan_store_texts,
 * which only `lac apply` calls.
 */
#include "base/time.h"
#include "base/json_print.h"
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/line_diff.h"
#include "base/sha256.h"
#include "check/check.h"
#include "run/event.h"
#include "lang/fmt.h"
#include "plan/plan.h"
#include "run/run.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"
#include "state/sdb.h"

/* The table apply keeps the applied canonical texts in (see plan.h). */
#define TEXTS_TABLE "plan_definitions"

const char *plan_action_name(enum plan_action a)
{
	static const char *const names[] = { "create", "update", "delete", "enable", "disable" };
	return names[a];
}

const char *plan_kind_name(enum plan_kind k)
{
	return k == PLAN_AUDIENCE ? "audience" : "activation";
}

/* ---- what the state says was applied ------------------------------------------ */

struct applied_act {
	char *name, *destination, *hash;
	bool enabled;
};

struct applied {
	char *name, *hash;
	char *source, *graph;     /* NULL: applied by an older lac (hash only) */
	bool enabled;
	struct applied_act *acts;
	size_t nacts, cap;
};

struct applied_list {
	struct applied *v;
	size_t n, cap;
};

static int collect_audience(const struct state_audience *sa, void *ctx)
{
	struct applied_list *l = ctx;
	struct applied a = { xstrdup(sa->name), xstrdup(sa->hash ? sa->hash : ""),
			     sa->source ? xstrdup(sa->source) : NULL, sa->graph ? xstrdup(sa->graph) : NULL,
			     sa->enabled, NULL, 0, 0 };
	VEC_PUSH(l->v, l->n, l->cap, a);
	return 0;
}

static int collect_activation(const struct state_activation *sa, void *ctx)
{
	struct applied *a = ctx;
	struct applied_act t = { xstrdup(sa->name), xstrdup(sa->destination ? sa->destination : ""),
				 xstrdup(sa->hash ? sa->hash : ""), sa->enabled };
	VEC_PUSH(a->acts, a->nacts, a->cap, t);
	return 0;
}

static void applied_release(struct applied_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct applied *a = &l->v[i];
		for (size_t j = 0; j < a->nacts; j++) {
			free(a->acts[j].name);
			free(a->acts[j].destination);
			free(a->acts[j].hash);
		}
		free(a->acts);
		free(a->name);
		free(a->hash);
		free(a->source);
		free(a->graph);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* An empty state file (version 0) has no tables yet: nothing applied. */
static int load_applied(struct state *st, struct applied_list *l, struct strbuf *err)
{
	memset(l, 0, sizeof(*l));
	if (!st)
		return 0;
	int v = state_schema_version(st);
	if (v < 0) {
		sb_addf(err, "cannot read the state %s: %s", state_path(st), state_errmsg(st));
		return -1;
	}
	if (v == 0)
		return 0;
	if (state_list_audiences(st, collect_audience, l) < 0)
		goto fail;
	for (size_t i = 0; i < l->n; i++)
		if (state_list_activations(st, l->v[i].name, collect_activation, &l->v[i]) < 0)
			goto fail;
	return 0;
fail:
	sb_addf(err, "cannot read the state %s: %s", state_path(st), state_errmsg(st));
	applied_release(l);
	return -1;
}

/* The text and SQL apply recorded for audience/activation ("" for the
 * audience itself), when the table exists and has them. */
static void load_text(struct state *st, const char *audience, const char *activation,
		      char **text, char **sql)
{
	*text = *sql = NULL;
	if (!st)
		return;
	struct sdb *db = state_sdb(st);
	if (sdb_table_exists(db, TEXTS_TABLE) != 1)
		return;  /* applied by a lac without it, or nothing yet */
	struct sdb_stmt *s = sdb_prepare(db, "SELECT text, sql FROM " TEXTS_TABLE
					 " WHERE audience = ?1 AND activation = ?2");
	if (!s)
		return;
	sdb_bind_text(s, 1, audience, SIZE_MAX);
	sdb_bind_text(s, 2, activation, SIZE_MAX);
	if (sdb_step(s) == SDB_ROW) {
		const char *t = sdb_column_text(s, 0);
		const char *q = sdb_column_text(s, 1);
		*text = t ? xstrdup(t) : NULL;
		*sql = q ? xstrdup(q) : NULL;
	}
	sdb_reset(s);
}

/* ---- fingerprints ---------------------------------------------------------------- */

/* Fields are length-prefixed, so no name can fake a boundary. */
static void add_field(struct strbuf *sb, const char *s)
{
	sb_addf(sb, "%zu:%s,", strlen(s), s);
}

char *plan_state_fingerprint(struct state *st, struct strbuf *err)
{
	struct applied_list l;
	if (load_applied(st, &l, err) < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	/* A state that is missing or still empty counts as the current schema:
	 * apply creating it must not make a plan made before look stale. */
	int v = st ? state_schema_version(st) : 0;
	sb_addf(&sb, "lac-state-v1 schema=%d\n", v > 0 ? v : STATE_SCHEMA_VERSION);
	for (size_t i = 0; i < l.n; i++) {
		const struct applied *a = &l.v[i];
		sb_addstr(&sb, "audience ");
		add_field(&sb, a->name);
		add_field(&sb, a->hash);
		sb_addstr(&sb, a->enabled ? "1\n" : "0\n");
		for (size_t j = 0; j < a->nacts; j++) {
			const struct applied_act *t = &a->acts[j];
			sb_addstr(&sb, "activation ");
			add_field(&sb, t->name);
			add_field(&sb, t->destination);
			add_field(&sb, t->hash);
			sb_addstr(&sb, t->enabled ? "1\n" : "0\n");
		}
	}
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	applied_release(&l);
	return h;
}

char *plan_changes_fingerprint(const struct plan *pl)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "lac-plan-v1\n");
	/* a selected plan applies only with its selection */
	for (size_t i = 0; i < pl->nselect; i++) {
		sb_addstr(&sb, "select ");
		add_field(&sb, pl->select[i]);
		sb_addch(&sb, '\n');
	}
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		sb_addf(&sb, "%s %s ", plan_action_name(c->action), plan_kind_name(c->kind));
		add_field(&sb, c->audience);
		add_field(&sb, c->name);
		add_field(&sb, c->hash ? c->hash : "");
		add_field(&sb, c->destination ? c->destination : "");
		sb_addstr(&sb, c->enabled ? "1\n" : "0\n");
	}
	char *h = sha256_hex(sb.buf, sb.len);
	sb_release(&sb);
	return h;
}

/* ---- line diff --------------------------------------------------------------------- */

void plan_diff(const char *ta, const char *tb, int context, struct strbuf *out)
{
	struct line_diff d;
	line_diff_compute(&d, ta ? ta : "", ta ? strlen(ta) : 0, tb ? tb : "", tb ? strlen(tb) : 0, false);
	if (!d.changed) {
		line_diff_release(&d);
		return;
	}
	bool gap = false;
	for (size_t k = 0; k < d.nops; k++) {
		const struct line_op *o = &d.ops[k];
		if (o->kind == LINE_SAME && context >= 0) {
			/* keep it only near a change */
			bool near = false;
			for (size_t n = 1; n <= (size_t)context && !near; n++)
				near = (k >= n && d.ops[k - n].kind != LINE_SAME) ||
				       (k + n < d.nops && d.ops[k + n].kind != LINE_SAME);
			if (!near) {
				gap = true;
				continue;
			}
		}
		if (gap) {
			/* lines left out before this one */
			sb_addstr(out, "  ...\n");
			gap = false;
		}
		const struct text_line *l = o->kind == LINE_ADD ? &d.b[o->b] : &d.a[o->a];
		sb_addstr(out, o->kind == LINE_DEL ? "- " : o->kind == LINE_ADD ? "+ " : "  ");
		sb_addmem(out, l->s, l->len);
		sb_addch(out, '\n');
	}
	if (gap)
		sb_addstr(out, "  ...\n");
	line_diff_release(&d);
}

/* ---- computing ------------------------------------------------------------------------- */

/* The summary's counts: an update counts enable and disable too. */
static void count_change(struct plan *pl, enum plan_action action)
{
	switch (action) {
	case PLAN_CREATE: pl->ncreate++; break;
	case PLAN_DELETE: pl->ndelete++; break;
	default: pl->nupdate++; break;
	}
}

static struct plan_change *add_change(struct plan *pl, enum plan_action action, enum plan_kind kind,
				      const char *audience, const char *name)
{
	struct plan_change c = { 0 };
	c.action = action;
	c.kind = kind;
	c.audience = xstrdup(audience);
	c.name = xstrdup(name);
	VEC_PUSH(pl->changes, pl->n, pl->cap, c);
	count_change(pl, action);
	return &pl->changes[pl->n - 1];
}

static void add_detail(struct plan_change *c, const char *s)
{
	VEC_PUSH(c->details, c->ndetails, c->capdetails, xstrdup(s));
}

/* Details of an update: the changed lines of the canonical text. */
static void diff_details(struct plan_change *c)
{
	if (!c->old_text) {
		add_detail(c, "definition changed (the earlier text was not recorded)");
		return;
	}
	struct strbuf d = STRBUF_INIT;
	plan_diff(c->old_text, c->new_text, 0, &d);
	for (char *p = d.buf; p && *p;) {
		char *e = strchr(p, '\n');
		*e = '\0';
		if (p[0] == '-' || p[0] == '+') {
			/* "- where {" → "-where {": keep the text's own indentation */
			char *line = xasprintf("%c %s", p[0], p + 2);
			add_detail(c, line);
			free(line);
		}
		p = e + 1;
	}
	if (!c->ndetails)
		add_detail(c, c->kind == PLAN_AUDIENCE ? "the part of the data graph it uses changed"
			   : "definition hash changed");
	sb_release(&d);
}

/* The path of an `entity added`/`entity removed` trigger in a canonical
 * activation text (malloc'd), or NULL for another trigger. */
static char *entity_trigger_path(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ')
			l++;
		if (!str_starts(l, "trigger "))
			continue;
		l += strlen("trigger ");
		while (*l == ' ')
			l++;
		if (str_starts(l, "entity added "))
			l += strlen("entity added ");
		else if (str_starts(l, "entity removed "))
			l += strlen("entity removed ");
		else
			return NULL;
		while (*l == ' ')
			l++;
		size_t n = strcspn(l, " \n");
		return n ? xstrndup(l, n) : NULL;
	}
	return NULL;
}

/* An updated activation whose trigger now reports the entities added to or
 * removed from another path than before: the snapshot may hold no earlier
 * entities of that path to compare with, so every one matched now would
 * look added.  Its first run records them as a new baseline instead, as for
 * a new activation (SPEC §5 "Adding an activation starts only that
 * activation from a baseline").  Conservative: the path may have been in
 * the snapshot already, for an enrich or another activation. */
static void check_rebaseline(struct plan_change *ch)
{
	if (!ch->old_text || !ch->new_text)
		return;
	char *was = entity_trigger_path(ch->old_text), *now = entity_trigger_path(ch->new_text);
	if (now && (!was || strcmp(was, now) != 0)) {
		ch->rebaseline = true;
		add_detail(ch, "its trigger reports another path now: the first run records that "
			   "path's entities as a new baseline and sends nothing for them");
	}
	free(was);
	free(now);
}

static int cmp_aud(const void *x, const void *y)
{
	const struct ast_audience *a = *(const struct ast_audience *const *)x;
	const struct ast_audience *b = *(const struct ast_audience *const *)y;
	return strcmp(a->name, b->name);
}

static int cmp_act(const void *x, const void *y)
{
	const struct ast_activation *a = *(const struct ast_activation *const *)x;
	const struct ast_activation *b = *(const struct ast_activation *const *)y;
	return strcmp(a->name, b->name);
}

static int cmp_applied_act(const void *x, const void *y)
{
	return strcmp(((const struct applied_act *)x)->name, ((const struct applied_act *)y)->name);
}

static void set_new_activation(struct plan_change *c, const struct project *p,
			       const struct ast_activation *t, char *hash)
{
	struct strbuf sb = STRBUF_INIT;
	c->act = t;
	c->aud = t->audience;
	c->hash = hash;
	c->destination = xstrdup(t->destination ? t->destination : "");
	c->enabled = t->enabled != 0;
	fmt_activation_definition(t, &sb);
	c->new_text = sb_detach(&sb);
	(void)p;
}

/* The activations of one audience: files (sorted) against state (sorted). */
static void plan_activations(struct plan *pl, const struct project *p, struct state *st,
			     const struct ast_audience *a, struct applied *ap, const char *audname)
{
	size_t nf = a ? a->nactivations : 0, ns = ap ? ap->nacts : 0;
	const struct ast_activation **f = xcalloc(nf + 1, sizeof(*f));
	for (size_t i = 0; i < nf; i++)
		f[i] = a->activations[i];
	if (nf > 1)
		qsort(f, nf, sizeof(*f), cmp_act);
	if (ns > 1)
		qsort(ap->acts, ns, sizeof(*ap->acts), cmp_applied_act);
	size_t i = 0, j = 0;
	while (i < nf || j < ns) {
		int c = i == nf ? 1 : j == ns ? -1 : strcmp(f[i]->name, ap->acts[j].name);
		if (c < 0) {
			struct plan_change *ch = add_change(pl, PLAN_CREATE, PLAN_ACTIVATION, audname,
							    f[i]->name);
			set_new_activation(ch, p, f[i], run_activation_hash(p, f[i]));
			if (!ch->enabled)
				add_detail(ch, "enabled false: recorded, never sends");
			i++;
		} else if (c > 0) {
			struct plan_change *ch = add_change(pl, PLAN_DELETE, PLAN_ACTIVATION, audname,
							    ap->acts[j].name);
			ch->enabled = ap->acts[j].enabled;
			load_text(st, audname, ap->acts[j].name, &ch->old_text, &ch->old_sql);
			j++;
		} else {
			const struct applied_act *s = &ap->acts[j];
			char *hash = run_activation_hash(p, f[i]);
			bool en = f[i]->enabled != 0;
			const char *dest = f[i]->destination ? f[i]->destination : "";
			if (strcmp(hash, s->hash) != 0 || strcmp(dest, s->destination) != 0) {
				struct plan_change *ch = add_change(pl, PLAN_UPDATE, PLAN_ACTIVATION,
								    audname, f[i]->name);
				set_new_activation(ch, p, f[i], hash);
				load_text(st, audname, s->name, &ch->old_text, &ch->old_sql);
				diff_details(ch);
				check_rebaseline(ch);
				if (en != s->enabled)
					add_detail(ch, en ? "enabled: false -> true" : "enabled: true -> false");
			} else if (en != s->enabled) {
				struct plan_change *ch = add_change(pl, en ? PLAN_ENABLE : PLAN_DISABLE,
								    PLAN_ACTIVATION, audname, f[i]->name);
				set_new_activation(ch, p, f[i], hash);
			} else {
				free(hash);
			}
			i++;
			j++;
		}
	}
	free(f);
}

static void set_new_audience(struct plan_change *c, const struct project *p,
			     const struct ast_audience *a, char *hash)
{
	struct strbuf sb = STRBUF_INIT;
	c->aud = a;
	c->hash = hash;
	c->enabled = a->enabled != 0;
	fmt_audience_definition(a, &sb);
	c->new_text = sb_detach(&sb);
	run_audience_sql(p, a, &sb);
	c->new_sql = sb_detach(&sb);
}

/* Store the files' definition of a (source, graph part, hash) when the
 * state's differs: with every change, and silently for an audience an
 * older lac applied whose files still match (SPEC §5). */
static void want_definition(struct plan *pl, const struct project *p, const struct ast_audience *a,
			    const struct applied *s)
{
	struct plan_definition d = { xstrdup(a->name), run_audience_source(a),
				     run_audience_graph(p, a), run_audience_hash(p, a),
				     a->enabled != 0 };
	if (s && str_eq(s->source, d.source) && str_eq(s->graph, d.graph) && str_eq(s->hash, d.hash)) {
		free(d.name);
		free(d.source);
		free(d.graph);
		free(d.hash);
		return;
	}
	VEC_PUSH(pl->defs, pl->ndefs, pl->capdefs, d);
}

/* Whether the files changed an audience an older lac applied (no stored
 * source).  The canonical text it recorded says so when there is one: the
 * SQL it generated is no part of the definition, and a newer lac's SQL
 * differs (SPEC §5).  Without a text, only its own hash recipe can tell. */
static bool legacy_audience_changed(const struct project *p, struct state *st,
				    const struct ast_audience *a, const struct applied *s)
{
	char *text, *sql;
	load_text(st, s->name, "", &text, &sql);
	free(sql);
	bool changed;
	if (text) {
		struct strbuf sb = STRBUF_INIT;
		fmt_audience_definition(a, &sb);
		changed = strcmp(sb.buf, text) != 0;
		sb_release(&sb);
		free(text);
	} else {
		char *old = run_audience_hash_v1(p, a);
		changed = strcmp(old, s->hash) != 0;
		free(old);
	}
	return changed;
}

int plan_compute(struct plan *pl, struct project *p, struct state *st, struct strbuf *err)
{
	memset(pl, 0, sizeof(*pl));
	struct applied_list l;
	if (load_applied(st, &l, err) < 0)
		return -1;
	pl->fingerprint = plan_state_fingerprint(st, err);
	if (!pl->fingerprint) {
		applied_release(&l);
		return -1;
	}

	size_t nf;
	const struct ast_audience **f = run_every_audience(p, &nf);
	if (nf > 1)
		qsort(f, nf, sizeof(*f), cmp_aud);

	/* state_list_audiences gives name order; both lists are sorted */
	size_t i = 0, j = 0;
	while (i < nf || j < l.n) {
		int c = i == nf ? 1 : j == l.n ? -1 : strcmp(f[i]->name, l.v[j].name);
		if (c < 0) {
			struct plan_change *ch = add_change(pl, PLAN_CREATE, PLAN_AUDIENCE, f[i]->name,
							    f[i]->name);
			set_new_audience(ch, p, f[i], run_audience_hash(p, f[i]));
			want_definition(pl, p, f[i], NULL);
			if (!ch->enabled)
				add_detail(ch, "enabled false: recorded, never runs");
			plan_activations(pl, p, st, f[i], NULL, f[i]->name);
			i++;
		} else if (c > 0) {
			struct plan_change *ch = add_change(pl, PLAN_DELETE, PLAN_AUDIENCE, l.v[j].name,
							    l.v[j].name);
			ch->enabled = l.v[j].enabled;
			load_text(st, l.v[j].name, "", &ch->old_text, &ch->old_sql);
			plan_activations(pl, p, st, NULL, &l.v[j], l.v[j].name);
			j++;
		} else {
			const struct applied *s = &l.v[j];
			char *hash = run_audience_hash(p, f[i]);
			bool en = f[i]->enabled != 0;
			bool changed = s->source ? strcmp(hash, s->hash) != 0
				: legacy_audience_changed(p, st, f[i], s);
			want_definition(pl, p, f[i], s);
			if (changed) {
				struct plan_change *ch = add_change(pl, PLAN_UPDATE, PLAN_AUDIENCE,
								    f[i]->name, f[i]->name);
				set_new_audience(ch, p, f[i], hash);
				load_text(st, s->name, "", &ch->old_text, &ch->old_sql);
				diff_details(ch);
				if (en != s->enabled)
					add_detail(ch, en ? "enabled: false -> true" : "enabled: true -> false");
			} else if (en != s->enabled) {
				struct plan_change *ch = add_change(pl, en ? PLAN_ENABLE : PLAN_DISABLE,
								    PLAN_AUDIENCE, f[i]->name, f[i]->name);
				set_new_audience(ch, p, f[i], hash);
			} else {
				free(hash);
			}
			plan_activations(pl, p, st, f[i], &l.v[j], f[i]->name);
			i++;
			j++;
		}
	}
	free(f);
	applied_release(&l);
	return 0;
}

bool plan_has_changes(const struct plan *pl)
{
	return pl->n > 0;
}

static void change_release(struct plan_change *c)
{
	free(c->audience);
		free(c->name);
		free(c->hash);
		free(c->destination);
		free(c->old_text);
		free(c->new_text);
		free(c->old_sql);
		free(c->new_sql);
		for (size_t k = 0; k < c->ndetails; k++)
			free(c->details[k]);
		free(c->details);
		free(c->preview.error);
		free(c->preview.duplicates);
		free(c->preview.act_events);
}

static void definition_release(struct plan_definition *d)
{
	free(d->name);
	free(d->source);
	free(d->graph);
	free(d->hash);
}

void plan_release(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		change_release(&pl->changes[i]);
	free(pl->changes);
	for (size_t i = 0; i < pl->ndefs; i++)
		definition_release(&pl->defs[i]);
	free(pl->defs);
	free(pl->fingerprint);
	for (size_t i = 0; i < pl->nselect; i++)
		free(pl->select[i]);
	free(pl->select);
	memset(pl, 0, sizeof(*pl));
}

static bool selected(const struct plan *pl, const char *audience)
{
	for (size_t i = 0; i < pl->nselect; i++)
		if (strcmp(pl->select[i], audience) == 0)
			return true;
	return false;
}

int plan_select(struct plan *pl, const struct project *p, const char *const *names, size_t n,
		struct strbuf *err)
{
	size_t naud;
	const struct ast_audience **all = run_every_audience(p, &naud);
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; k < naud && !known; k++)
			known = strcmp(all[k]->name, names[i]) == 0;
		/* one gone from the files is known by its delete */
		for (size_t k = 0; k < pl->n && !known; k++)
			known = strcmp(pl->changes[k].audience, names[i]) == 0;
		if (!known) {
			char *msg = unknown_audience_error(p, names[i]);
			sb_addstr(err, msg);
			free(msg);
			free(all);
			return -1;
		}
		if (!selected(pl, names[i]))
			VEC_PUSH(pl->select, pl->nselect, pl->capselect, xstrdup(names[i]));
	}
	free(all);
	size_t kept = 0;
	pl->ncreate = pl->nupdate = pl->ndelete = 0;
	for (size_t i = 0; i < pl->n; i++) {
		struct plan_change *c = &pl->changes[i];
		if (!selected(pl, c->audience)) {
			change_release(c);
			continue;
		}
		count_change(pl, c->action);
		pl->changes[kept++] = *c;
	}
	pl->n = kept;
	kept = 0;
	for (size_t i = 0; i < pl->ndefs; i++) {
		if (selected(pl, pl->defs[i].name))
			pl->defs[kept++] = pl->defs[i];
		else
			definition_release(&pl->defs[i]);
	}
	pl->ndefs = kept;
	return 0;
}

/* ---- --preview and --validate ------------------------------------------------------- */

static int read_counts(void *arg, int ncol, const char *const *vals)
{
	int64_t *v = arg;
	for (int i = 0; i < ncol && i < 3; i++)
		v[i] = vals[i] ? strtoll(vals[i], NULL, 10) : 0;
	return 1;
}

/* Members now, entered and exited against the snapshot (when it exists). */
static int preview_audience(struct plan_change *c, struct project *p, struct warehouse *w,
			    const struct sql_options *o, struct strbuf *err)
{
	struct plan_preview *pv = &c->preview;
	pv->bytes = -1;
	struct strbuf m = STRBUF_INIT, q = STRBUF_INIT;
	const char *parts[2];
	char *t = sql_snapshot_table(o->schema, c->aud->name, parts);
	int rc = -1;
	int64_t v[3] = { 0, 0, 0 };

	sql_membership(&m, &p->graph, c->aud, o);
	int have = warehouse_table_exists(w, parts[0], parts[1], err);
	if (have < 0)
		goto out;
	pv->has_snapshot = have;
	if (pv->has_snapshot) {
		sql_fmt(&q, w->d, "SELECT COUNT(DISTINCT m.member_id), COUNT(DISTINCT CASE WHEN "
			"s.member_id IS NULL THEN m.member_id END), (SELECT COUNT(DISTINCT member_id) "
			"FROM %T) FROM (%s) AS m LEFT JOIN %T AS s ON s.member_id = m.member_id",
			parts, (size_t)2, m.buf, parts, (size_t)2);
	} else {
		sql_fmt(&q, w->d, "SELECT COUNT(DISTINCT m.member_id) FROM (%s) AS m", m.buf);
	}
	if (w->ops->query(w, q.buf, read_counts, v, err) == 0) {
		pv->members = v[0];
		/* the cost a reviewer sees before applying (BigQuery's dry run) */
		pv->bytes = warehouse_scan_bytes(w, m.buf);
		if (pv->has_snapshot) {
			pv->entered = v[1];
			pv->snapshot = v[2];
			pv->exited = pv->snapshot - (pv->members - pv->entered);
		} else {
			pv->entered = pv->members;
		}
		rc = 0;
	}
out:
	free(t);
	sb_release(&m);
	sb_release(&q);
	return rc;
}

/* The events an activation's next run would send (SPEC §5), counted by the
 * run's own code (run_preview.c): nothing on a first run without `send
 * current`, else the changes its trigger reports, value changes and the
 * identifier filter included.  The baseline and the enrich of the stored
 * values hashes are the state's, as for a run. */
static int preview_activation(struct plan_change *c, struct project *p, struct warehouse *w,
			      struct state *st, const char *now, struct strbuf *err)
{
	const struct ast_activation *t = c->act;
	struct plan_preview *pv = &c->preview;
	memset(&pv->ev, 0, sizeof(pv->ev));
	if (!c->enabled)
		return 0;
	struct state_activation sa;
	bool applied = st && c->action != PLAN_CREATE &&
		       state_get_activation(st, c->audience, c->name, &sa) == 0;
	if (applied && c->rebaseline)
		sa.has_baseline = false; /* what apply will record */
	int rc = run_preview_events(p, w, t, applied ? &sa : NULL, now, &pv->ev, err);
	if (applied)
		state_activation_release(&sa);
	return rc;
}

int plan_preview(struct plan *pl, struct project *p, struct warehouse *w, struct state *st,
		 const char *now)
{
	struct warehouse_snapshots sc = { w, p->warehouse.schema };
	struct sql_options o = { .d = w->d, .now = now, .schema = sc.schema,
				 .snapshot_exists = warehouse_snapshot_exists, .arg = &sc };
	struct strbuf err = STRBUF_INIT;
	int failed = 0;
	/* counts of an audience that has activation changes but none itself */
	struct plan_change other = { 0 };
	for (size_t i = 0; i < pl->n; i++) {
		struct plan_change *c = &pl->changes[i];
		if (c->action == PLAN_DELETE)
			continue;
		sb_reset(&err);
		if (c->kind == PLAN_AUDIENCE) {
			c->preview.done = true;
			if (preview_audience(c, p, w, &o, &err) < 0) {
				c->preview.error = xstrdup(err.buf);
				failed++;
				continue;
			}
			sb_reset(&err);
			if (run_preview_duplicates(p, w, c->aud, now, &err) == 1)
				c->preview.duplicates = xstrdup(err.buf);
			/* what each of its activations would send, changed or not */
			size_t na = c->aud->nactivations;
			c->preview.act_events = xcalloc(na + 1, sizeof(*c->preview.act_events));
			c->preview.nact_events = na;
			for (size_t k = 0; k < na; k++) {
				const struct ast_activation *t = c->aud->activations[k];
				struct plan_change tc = { .action = c->action == PLAN_CREATE ? PLAN_CREATE
							  : PLAN_UPDATE, .kind = PLAN_ACTIVATION,
							  .audience = c->audience, .name = (char *)t->name,
							  .aud = c->aud, .act = t, .enabled = t->enabled != 0 };
				sb_reset(&err);
				if (preview_activation(&tc, p, w, st, now, &err) < 0) {
					c->preview.act_events[k].events = -1;
					failed++;
				} else {
					c->preview.act_events[k] = tc.preview.ev;
				}
			}
			continue;
		}
		/* the activation's audience: its own change comes just before */
		const struct plan_preview *ap = NULL;
		for (size_t k = i; k-- > 0 && !ap;)
			if (pl->changes[k].kind == PLAN_AUDIENCE &&
			    strcmp(pl->changes[k].name, c->audience) == 0)
				ap = &pl->changes[k].preview;
		if (!ap) {
			if (!other.aud || other.aud != c->act->audience) {
				free(other.preview.error);
				memset(&other, 0, sizeof(other));
				other.aud = c->act->audience;
				if (preview_audience(&other, p, w, &o, &err) < 0) {
					other.preview.error = xstrdup(err.buf);
					failed++;
				}
				other.preview.done = true;
			}
			ap = &other.preview;
		}
		c->preview.done = true;
		if (ap->error) {
			c->preview.error = xstrdup(ap->error);
			continue;
		}
		if (preview_activation(c, p, w, st, now, &err) < 0) {
			c->preview.error = xstrdup(err.buf);
			failed++;
		}
	}
	free(other.preview.error);
	sb_release(&err);
	return failed;
}

int plan_validate(struct project *p, struct warehouse *w, const char *now, struct strbuf *report,
		  struct strbuf *scans)
{
	struct warehouse_snapshots sc = { w, p->warehouse.schema };
	struct sql_options o = { .d = w->d, .now = now, .schema = sc.schema,
				 .snapshot_exists = warehouse_snapshot_exists, .arg = &sc };
	struct strbuf sql = STRBUF_INIT, q = STRBUF_INIT, err = STRBUF_INIT;
	int failed = 0;
	for (size_t i = 0; i < p->nfiles; i++)
		for (size_t k = 0; k < p->files[i]->naudiences; k++) {
			const struct ast_audience *a = p->files[i]->audiences[k];
			const char **paths;
			size_t np = sql_matched_paths(a, &paths);
			for (size_t s = 0; s <= np; s++) {
				sb_reset(&sql);
				sb_reset(&q);
				sb_reset(&err);
				if (s == 0)
					sql_membership(&sql, &p->graph, a, &o);
				else if (!sql_matched(&sql, &p->graph, a, paths[s - 1], &o))
					continue;
				int64_t bytes;
				if (warehouse_validate(w, sql.buf, &bytes, &err) < 0) {
					sb_addf(report, "lac: audience '%s' (%s:%u)%s%s: the warehouse "
						"rejects its SQL: %s\n", a->name, sql_audience_path(p, a),
						a->loc.line, s ? " matched " : "", s ? paths[s - 1] : "",
						err.buf);
					failed++;
				}
				if (s == 0 && bytes >= 0)
					sb_addf(scans, "audience '%s': its query scans %lld bytes\n", a->name,
						(long long)bytes);
			}
			free(paths);
			/* what each activation's run reads: enrichment and the diff */
			for (size_t j = 0; j < a->nactivations; j++) {
				const struct ast_activation *act = a->activations[j];
				sb_reset(&err);
				if (run_validate_activation(p, w, act, now, &err) < 0) {
					sb_addf(report, "lac: audience '%s' (%s:%u) activation %s: the warehouse "
						"rejects its SQL: %s\n", a->name, sql_audience_path(p, a),
						act->loc.line, act->name, err.buf);
					failed++;
				}
			}
		}
	sb_release(&sql);
	sb_release(&q);
	sb_release(&err);
	return failed;
}

/* ---- printing -------------------------------------------------------------------------- */

static const char *sign(enum plan_action a)
{
	switch (a) {
	case PLAN_CREATE: return "+";
	case PLAN_DELETE: return "-";
	default: return "~";
	}
}

static const char *sign_color(enum plan_action a)
{
	switch (a) {
	case PLAN_CREATE: return "\033[32m";
	case PLAN_DELETE: return "\033[31m";
	default: return "\033[33m";
	}
}

/* Each line of text indented, with the diff's own "- "/"+ " coloured. */
static void print_indented(FILE *out, const char *text, const char *indent, bool color)
{
	for (const char *s = text; *s;) {
		const char *e = strchr(s, '\n');
		int n = e ? (int)(e - s) : (int)strlen(s);
		const char *col = !color ? NULL : s[0] == '+' ? "\033[32m" : s[0] == '-' ? "\033[31m" : NULL;
		fprintf(out, "%s%s%.*s%s\n", indent, col ? col : "", n, s, col ? "\033[0m" : "");
		s += n + (e ? 1 : 0);
	}
}

/* "N", then what the run would not send, when there is some. */
static void print_events(const struct run_preview_counts *e, FILE *out)
{
	if (e->events < 0) {
		fputs("preview failed\n", out);
		return;
	}
	fprintf(out, "%lld", (long long)e->events);
	if (e->baseline_only)
		fputs(" (baseline only: its first run records the members and sends nothing)", out);
	else if (e->filtered && e->invalid)
		fprintf(out, " (%lld filtered at destination, %lld invalid)", (long long)e->filtered,
			(long long)e->invalid);
	else if (e->filtered)
		fprintf(out, " (%lld filtered at destination)", (long long)e->filtered);
	else if (e->invalid)
		fprintf(out, " (%lld invalid)", (long long)e->invalid);
	fputc('\n', out);
}

static void print_preview(const struct plan_change *c, FILE *out)
{
	const struct plan_preview *pv = &c->preview;
	if (!pv->done)
		return;
	if (pv->error) {
		fprintf(out, "      preview failed: %s\n", pv->error);
		return;
	}
	if (c->kind == PLAN_AUDIENCE) {
		fprintf(out, "      members: %lld", (long long)pv->members);
		if (pv->has_snapshot)
			fprintf(out, " (%lld in the snapshot: %lld entered, %lld exited)\n",
				(long long)pv->snapshot, (long long)pv->entered, (long long)pv->exited);
		else
			fputs(" (no snapshot yet)\n", out);
		if (pv->bytes >= 0)
			fprintf(out, "      scans: %lld bytes\n", (long long)pv->bytes);
		if (pv->duplicates)
			fprintf(out, "      warning: %s; its run will fail until they are removed\n",
				pv->duplicates);
		for (size_t k = 0; k < pv->nact_events; k++) {
			fprintf(out, "      events of %s: ", c->aud->activations[k]->name);
			print_events(&pv->act_events[k], out);
		}
	} else {
		fputs("      events: ", out);
		print_events(&pv->ev, out);
	}
}

void plan_print_text(const struct plan *pl, bool preview, bool sql_diff, bool color, FILE *out)
{
	if (pl->nselect) {
		/* as Terraform says of -target: the rest is left as it is */
		fputs("Only the selected audiences are planned (--select):", out);
		for (size_t i = 0; i < pl->nselect; i++)
			fprintf(out, "%s %s", i ? "," : "", pl->select[i]);
		fputs("; changes to others are left for a later apply.\n\n", out);
	}
	if (!pl->n) {
		fputs(pl->nselect ? "No changes. The selected audiences' applied state matches the files.\n"
				  : "No changes. The applied state matches the files.\n", out);
		return;
	}
	fputs("lac will perform the following actions:\n\n", out);
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		fprintf(out, "  %s%s%s %s ", color ? sign_color(c->action) : "", sign(c->action),
			color ? "\033[0m" : "", plan_kind_name(c->kind));
		if (c->kind == PLAN_ACTIVATION)
			fprintf(out, "%s.", c->audience);
		fputs(c->name, out);
		if (c->action == PLAN_ENABLE || c->action == PLAN_DISABLE)
			fprintf(out, " (%s)", plan_action_name(c->action));
		if (c->kind == PLAN_ACTIVATION && c->destination && c->action != PLAN_DELETE)
			fprintf(out, " -> %s", c->destination);
		fputc('\n', out);
		if (c->action == PLAN_UPDATE && c->old_text) {
			/* the definition with its changed lines, a little context */
			struct strbuf d = STRBUF_INIT;
			plan_diff(c->old_text, c->new_text, 2, &d);
			print_indented(out, d.buf, "      ", color);
			/* and what the diff cannot show (enabled, the SQL, the graph) */
			for (size_t k = 0; k < c->ndetails; k++)
				if (!str_starts(c->details[k], "+ ") && !str_starts(c->details[k], "- "))
					fprintf(out, "      %s\n", c->details[k]);
			sb_release(&d);
		} else {
			for (size_t k = 0; k < c->ndetails; k++)
				fprintf(out, "      %s\n", c->details[k]);
		}
		if (preview)
			print_preview(c, out);
		if (sql_diff && c->kind == PLAN_AUDIENCE) {
			struct strbuf d = STRBUF_INIT;
			if (c->action == PLAN_DELETE || c->action == PLAN_CREATE || c->old_sql)
				plan_diff(c->old_sql ? c->old_sql : "", c->new_sql ? c->new_sql : "",
					  c->action == PLAN_UPDATE ? 3 : -1, &d);
			if (d.len) {
				fputs("      SQL:\n", out);
				print_indented(out, d.buf, "      ", color);
			} else if (c->action == PLAN_UPDATE && !c->old_sql) {
				fputs("      SQL: the earlier SQL was not recorded\n", out);
			}
			sb_release(&d);
		}
	}
	fprintf(out, "\nPlan: %zu to create, %zu to change, %zu to delete.\n", pl->ncreate,
		pl->nupdate, pl->ndelete);
}

json_t *plan_json(const struct plan *pl, bool preview, bool with_meta)
{
	json_t *root = json_object(), *changes = json_array();
	if (with_meta) {
		json_object_set_new(root, "format_version", json_integer(1));
		json_object_set_new(root, "lac_version", json_string(PACKAGE_VERSION));
		json_object_set_new(root, "state_fingerprint", json_string(pl->fingerprint));
		char *h = plan_changes_fingerprint(pl);
		json_object_set_new(root, "plan_fingerprint", json_string(h));
		free(h);
	}
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		json_t *o = json_object(), *d = json_array();
		json_object_set_new(o, "action", json_string(plan_action_name(c->action)));
		json_object_set_new(o, "kind", json_string(plan_kind_name(c->kind)));
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "audience", json_string(c->audience));
		for (size_t k = 0; k < c->ndetails; k++)
			json_array_append_new(d, json_string(c->details[k]));
		json_object_set_new(o, "details", d);
		if (preview && c->preview.done) {
			const struct plan_preview *pv = &c->preview;
			json_t *v = json_object();
			if (pv->error)
				json_object_set_new(v, "error", json_string(pv->error));
			else if (c->kind == PLAN_AUDIENCE) {
				json_object_set_new(v, "members", json_integer(pv->members));
				json_object_set_new(v, "snapshot", pv->has_snapshot
						    ? json_integer(pv->snapshot) : json_null());
				json_object_set_new(v, "entered", json_integer(pv->entered));
				json_object_set_new(v, "exited", json_integer(pv->exited));
				if (pv->bytes >= 0)
					json_object_set_new(v, "bytes", json_integer(pv->bytes));
				if (pv->duplicates) /* only then: the usual shape is unchanged */
					json_object_set_new(v, "duplicates", json_string(pv->duplicates));
				/* per activation: events sent, then filtered and invalid */
				json_t *ev = json_object(), *fi = json_object(), *in = json_object();
				for (size_t k = 0; k < pv->nact_events; k++) {
					const struct run_preview_counts *e = &pv->act_events[k];
					const char *name = c->aud->activations[k]->name;
					json_object_set_new(ev, name, json_integer(e->events));
					json_object_set_new(fi, name, json_integer(e->filtered));
					json_object_set_new(in, name, json_integer(e->invalid));
				}
				json_object_set_new(v, "activations", ev);
				json_object_set_new(v, "filtered", fi);
				json_object_set_new(v, "invalid", in);
			} else {
				json_object_set_new(v, "events", json_integer(pv->ev.events));
				json_object_set_new(v, "filtered", json_integer(pv->ev.filtered));
				json_object_set_new(v, "invalid", json_integer(pv->ev.invalid));
			}
			json_object_set_new(o, "preview", v);
		}
		json_array_append_new(changes, o);
	}
	json_object_set_new(root, "changes", changes);
	if (pl->nselect) {
		json_t *sel = json_array();
		for (size_t i = 0; i < pl->nselect; i++)
			json_array_append_new(sel, json_string(pl->select[i]));
		json_object_set_new(root, "select", sel);
	}
	json_t *sum = json_object();
	json_object_set_new(sum, "create", json_integer((json_int_t)pl->ncreate));
	json_object_set_new(sum, "update", json_integer((json_int_t)pl->nupdate));
	json_object_set_new(sum, "delete", json_integer((json_int_t)pl->ndelete));
	json_object_set_new(root, "summary", sum);
	return root;
}

char *plan_to_json(const struct plan *pl, bool preview, bool with_meta)
{
	json_t *root = plan_json(pl, preview, with_meta);
	struct strbuf sb = STRBUF_INIT;
	json_append_doc(&sb, root);
	json_decref(root);
	return sb_detach(&sb);
}

int plan_store_definitions(struct state *st, const struct plan *pl, int64_t now)
{
	for (size_t i = 0; i < pl->ndefs; i++) {
		const struct plan_definition *d = &pl->defs[i];
		struct state_audience sa;
		int rc = state_get_audience(st, d->name, &sa);
		bool enabled = rc == 0 ? sa.enabled : d->enabled;
		if (rc == 0)
			state_audience_release(&sa);
		/* the hash too: an older lac's recipe is replaced by this one */
		if (rc < 0 || state_put_audience(st, d->name, d->hash, enabled, now) < 0 ||
		    state_put_definition(st, d->name, d->source, d->graph) < 0)
			return -1;
	}
	return 0;
}

/* ---- apply's record of the texts --------------------------------------------------------- */

int plan_store_texts(struct state *st, const struct plan *pl, struct strbuf *err)
{
	struct sdb *db = state_sdb(st);
	if (sdb_exec(db, "CREATE TABLE IF NOT EXISTS " TEXTS_TABLE " (audience TEXT NOT NULL,"
		     " activation TEXT NOT NULL DEFAULT '', text TEXT, sql TEXT,"
		     " PRIMARY KEY (audience, activation))") < 0)
		goto fail;
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		const char *act = c->kind == PLAN_AUDIENCE ? "" : c->name;
		const char *sql = c->action == PLAN_DELETE
			? (c->kind == PLAN_AUDIENCE ? "DELETE FROM " TEXTS_TABLE " WHERE audience = ?1"
			   : "DELETE FROM " TEXTS_TABLE " WHERE audience = ?1 AND activation = ?2")
			: "INSERT INTO " TEXTS_TABLE " (audience, activation, text, sql)"
			  " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (audience, activation) DO UPDATE SET"
			  " text = excluded.text, sql = excluded.sql";
		struct sdb_stmt *s = sdb_prepare(db, sql);
		if (!s)
			goto fail;
		sdb_bind_text(s, 1, c->audience, SIZE_MAX);
		if (!(c->action == PLAN_DELETE && c->kind == PLAN_AUDIENCE))
			sdb_bind_text(s, 2, act, SIZE_MAX);
		if (c->action != PLAN_DELETE) {
			sdb_bind_text(s, 3, c->new_text, SIZE_MAX);
			sdb_bind_text(s, 4, c->new_sql, SIZE_MAX);
		}
		if (sdb_run(s) < 0)
			goto fail;
	}
	return 0;
fail:
	sb_addf(err, "cannot record the applied definitions in %s: %s", state_path(st), sdb_errmsg(db));
	return -1;
}

int plan_record(struct state *st, const struct plan *pl, int64_t now, struct strbuf *err)
{
	if (state_begin(st) < 0)
		goto fail;
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		int rc;
		if (c->kind == PLAN_AUDIENCE)
			rc = c->action == PLAN_DELETE ? state_delete_audience(st, c->name)
			     : state_put_audience(st, c->name, c->hash, c->enabled, now);
		else
			rc = c->action == PLAN_DELETE ? state_delete_activation(st, c->audience, c->name)
			     : state_put_activation(st, c->audience, c->name, c->destination, c->hash,
						    c->enabled, now);
		if (rc == 0 && c->rebaseline)
			rc = state_clear_baseline(st, c->audience, c->name);
		if (rc < 0)
			goto fail;
	}
	if (plan_store_definitions(st, pl, now) < 0)
		goto fail;
	if (plan_store_texts(st, pl, err) < 0) {
		state_rollback(st);
		return -1;
	}
	if (state_commit(st) < 0)
		goto fail;
	return 0;
fail:
	sb_addf(err, "cannot record the plan in %s: %s", state_path(st), state_errmsg(st));
	state_rollback(st);
	return -1;
}
