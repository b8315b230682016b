/*
 * run_private.h — what the parts of a run share (run.c drives the steps,
 * run_events.c turns the snapshot diff into outbox events, run_schedule.c
 * knows when an audience is due).  Not for other modules.
 */
#ifndef LAC_RUN_PRIVATE_H
#define LAC_RUN_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/progress.h"
#include "state/outbox.h"
#include "run/run.h"
#include "sql/srcmap.h"
#include "sql/dialect.h"

struct run_queue;

/* A batch's runs (run_audiences.c, run_jobs.c). */
/* Show a run's report as b says and tell its failure on stderr in the
 * command's words. */
void run_batch_tell(const struct run_batch *b, const char *name, const struct run_report *rep,
		    bool run_failed);
/* Run a and tell it (run_batch_tell); true when it counts as failed (it
 * failed, or b->diag_errors_fail and it reported an error). */
bool run_batch_one(struct project *p, struct warehouse *w, struct state *st,
		   const struct ast_audience *a, const struct run_batch *b);
/* lac's own tables in the warehouse schema, made before runs start at
 * once (two sessions' CREATE ... IF NOT EXISTS can collide on PostgreSQL).
 * a names the tables' owner for the statements' error context.  0 (the
 * runs are told, run_options.tables_ready, and save those statements'
 * round trips) or -1 (each run then tries again and reports the error). */
int run_prepare_warehouse(struct project *p, struct warehouse *w, const struct ast_audience *a);
/* How many runs of a pass of naudiences go at once: jobs (--jobs; 0:
 * warehouse.jobs), never more than the audiences, and 1 on SQLite (one
 * writer at a time). */
int run_jobs_effective(const struct project *p, int jobs, size_t naudiences);
/* Up to jobs runs at once, each in a child process with its own warehouse
 * session and state connection (run_jobs.c); the reports in q's order.
 * The number of failed runs, or -1 with a message in err when the
 * warehouse could not be opened. */
int run_in_children(struct project *p, struct warehouse *w, struct run_queue *q,
		    const struct run_batch *b, int jobs, struct strbuf *err);

/* One run in progress. */
struct runner {
	struct project *p;
	struct warehouse *w;
	struct state *st;
	const struct ast_audience *a;
	const struct run_options *o;
	const struct dialect *d;
	const char *schema;
	struct run_report *rep;

	char *run_id;
	int64_t gen;
	int64_t now;              /* Unix seconds */
	char now_sql[40];         /* "YYYY-MM-DD HH:MM:SS" */
	char now_iso[32];         /* "YYYY-MM-DDTHH:MM:SSZ" */

	/* warehouse tables, as SQL text (qualified per dialect) and bare names */
	char *cur, *new_, *ent, *ent_new, *gen_tbl, *log_tbl;
	char *cur_name, *new_name, *ent_name, *ent_new_name;
	bool have_cur, have_ent;  /* the previous snapshot exists */

	/* `lac compile --emit run`: statements are appended here (each headed
	 * by a comment naming the audience and r->step) instead of run */
	struct strbuf *script;
	const char *step;

	/* paths materialized in the __ent tables (malloc'd, as many as the
	 * audience's activations need) */
	const char **paths;
	size_t npaths;

	/* per activation (like a->activations): its enrich changed since its
	 * values hashes were stored, so this run sends no values changes
	 * (NULL: none changed) */
	bool *enrich_changed;

	struct outbox_writer *ob;
	struct progress prog;     /* the step under way, on a terminal */
	/* without an outbox writer (a preview): shown each event that would be
	 * sent, when set (`lac run --dry-run`'s samples) */
	run_preview_sample_fn sample;
	void *sample_arg;
	struct strbuf err;        /* the failure, for the run record */
	/* the membership SELECT inside the statements that materialize it, and
	 * where its conditions are: a warehouse error there names the condition */
	char *members_sql;
	struct sql_srcmap members_map;
	struct arena ar;          /* small strings of this run */
};

/* The column type of the audience's member ids: the target entity's
 * primary key, or STRING (a profile id). */
enum col_type run_member_type(const struct runner *r);

/* Does act's enrich differ from the one its stored values hashes were made with? */
bool run_enrich_changed(const struct runner *r, const struct ast_activation *act);

/* Run one statement (in script mode: print it); on failure, err names the audience's file:line and
 * holds the warehouse's message.  0 or -1. */
int run_wh(struct runner *r, const char *sql, wh_row_fn fn, void *arg);
/* A single integer from a query (0 when no row or NULL). */
int run_wh_int(struct runner *r, const char *sql, int64_t *out);
/* Duplicate primary keys in an entity table r->a reads (they fail the run,
 * SPEC §5): 1 with the message in r->err, 0 none, -1 a warehouse error. */
int run_check_duplicates(struct runner *r);

/* The members that entered / exited: a SELECT of member_id (the new
 * snapshot against the previous one, or against nothing). */
void run_sql_entered(const struct runner *r, struct strbuf *sb);
void run_sql_exited(const struct runner *r, struct strbuf *sb);

/* The enrich path's matched path: a materialized path that it equals or is
 * a prefix of; NULL when none. */
const char *run_enrich_match(const struct runner *r, const struct enrich_path *ep);

/* The __ent rows that hold the enrichment hashes of a `membership or values
 * changed` activation: path = RUN_VALUES_PREFIX + activation name. */
#define RUN_VALUES_PREFIX "#values:"

/* Step 1 for one `membership or values changed` activation: hash every new
 * member's enrichment (enriched traits and entity context) and insert the
 * hashes into the new __ent table. */
int run_activation_hashes(struct runner *r, const struct ast_activation *act);

/* Step 3 for one activation: stream its changes into the outbox.
 * baseline: the activation has no baseline yet.  Counts events added. */
int run_activation_events(struct runner *r, const struct ast_activation *act, bool baseline,
			  int64_t *events, int64_t *filtered, int64_t *invalid);

/* `lac plan --preview` (run_preview.c) counts what a run would send with
 * the run's own code, against read-only stand-ins for the new tables;
 * run_activation_events with r->ob NULL counts its events, writing nothing. */
struct sql_options;
void run_sql_matched_entities(const struct runner *r, const struct sql_options *so, struct strbuf *sel);
void run_preview_setup(struct runner *r);   /* tables named, paths collected */
void run_preview_release(struct runner *r);
/* The hashes run_activation_hashes would insert, as its "<len>:<member><hash>"
 * records in f (rewound after); nothing written to the warehouse.  0 or -1. */
int run_activation_hashes_spool(struct runner *r, const struct ast_activation *act, FILE *f);
/* The next spooled record: the member (malloc'd) and its hex hash, or NULL
 * at the end. */
char *run_spool_next(FILE *f, char hash[65]);

#endif
