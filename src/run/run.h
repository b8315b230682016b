/*
 * run.h — a run of an audience (SPEC §5): materialize the new snapshot in
 * the warehouse, diff it against the previous one there, turn the diff into
 * events in the outbox, swap snapshots, deliver, and record the run.
 *
 * Crash-safe: every step can be repeated, and a run that finds an
 * unfinished one of the same audience completes that one first, so no event
 * is lost and a resent event keeps its messageId.  Runs of one audience
 * never overlap (state lock).
 */
#ifndef LAC_RUN_H
#define LAC_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "project/project.h"
#include "state/state.h"
#include "warehouse/warehouse.h"

struct run_options {
	const char *now;          /* --now, ISO-8601 UTC; NULL = the clock */
	bool allow_past;          /* --allow-past: now may be before the audience's last run */
	bool deliver;             /* deliver the outbox after the swap (default true) */
	bool quiet;
	const char *lock_command; /* who takes the run lock: "run", "apply", "daemon" (NULL: "run") */
	int64_t lock_timeout_ms;  /* how long to wait for it (--lock-timeout; 0: not at all) */
	bool skip_running;        /* the run lock held elsewhere skips the run (apply, daemon)
				   * instead of failing it */
	bool skip_unchanged;      /* a run whose inputs did not change is skipped (run without
				   * --force, daemon; run_skip.h) */
	bool tables_ready;        /* lac's tables exist (the batch made them before its runs):
				   * a run does not make them again, 1-3 statements less */
};

/* What one run did, for printing and for `lac plan --preview`.  The counts
 * are the run's delivery overview (SPEC §5), summed over its activations:
 * events = events from audience = filtered + invalid + pending + failed +
 * delivered (docs/runs.md). */
struct run_report {
	char *run_id;
	enum run_result result;
	char *error;              /* Failed: the message (names the audience's file:line) */
	int64_t members;          /* after the run */
	int64_t entered, exited;  /* membership changes */
	int64_t events;           /* events from audience (also those filtered or invalid) */
	int64_t delivered, failed, pending, filtered, invalid;
	/* events that earlier runs of the audience queued and this run's
	 * delivery step delivered (counted with their own runs, not above) */
	int64_t earlier_delivered;
	int64_t duration_ms;
	int64_t generation;       /* the snapshot generation the run produced */
	char *warning;            /* Live but with a delivery problem (destination unusable) */
	bool completed_previous;  /* an unfinished (crashed) run was completed first */
	char *skipped;            /* not run: the run lock is "held by ..." (skip_running) */
	bool unchanged;           /* not run: its inputs did not change (skip_unchanged);
				   * nothing is recorded but the next scheduled time */
	struct run_report *previous; /* that run, as it ended (NULL when none) */
};
void run_report_release(struct run_report *r);

/* The one JSON form of a report (`lac run`, `lac apply`, `lac daemon`):
 * audience, run_id, result, error, warning, generation, members, entered,
 * exited, events, delivered, failed, pending, filtered, invalid,
 * earlier_delivered, duration_ms, completed_previous, previous (the completed run's report or
 * null); a skipped run has result "Skipped" and held_by (the lock's holder,
 * "held by ...") or reason "inputs unchanged".  A new reference (jansson's json_t). */
struct json_t *run_report_json(const char *audience, const struct run_report *r);
/* The one text form: a line per run on stdout, `<prefix><audience>: ...`,
 * preceded by a line for the completed unfinished run, if any. */
void run_report_print(const char *prefix, const char *audience, const struct run_report *r);

/* Run one checked audience now, under its lock run:<audience>.  Returns 0
 * when the run ended Live, Paused (every activation disabled) or Disabled
 * (the audience is; nothing is computed), or was skipped (o->skip_running
 * and the lock is held elsewhere: report->skipped says by whom; nothing is
 * recorded; or o->skip_unchanged and its inputs did not change:
 * report->unchanged), -1 when it Failed (report->error says why; a lock held
 * elsewhere is "lock 'run:A' is held by ...").  The state records each run. */
int run_audience(struct project *p, struct warehouse *w, struct state *st,
		 const struct ast_audience *a, const struct run_options *o, struct run_report *report);

/* How run_audiences shows each report on stdout. */
enum run_report_form {
	RUN_REPORTS_TEXT,         /* run_report_print lines */
	RUN_REPORTS_JSON,         /* appended to run_batch.reports; the caller prints them */
	RUN_REPORTS_NDJSON,       /* one compact JSON object a line, as each run ends */
};

/* How a failed run is told on stderr: each command keeps its own words. */
enum run_failure_line {
	/* "lac: A: <error>" before the report line, which is shown even when
	 * quiet (lac run) */
	RUN_FAILURE_BEFORE_REPORT,
	/* "lac: run of 'A' failed: <error>" instead of the report line (lac apply) */
	RUN_FAILURE_INSTEAD,
	/* the report line unless quiet, then "lac: <error>" (lac daemon) */
	RUN_FAILURE_AFTER_REPORT,
};

/* What differs between `lac run`, `lac apply` and `lac daemon` when they
 * run a batch of audiences. */
struct run_batch {
	struct run_options run;   /* for every run_audience */
	/* NULL: every audience given runs; else only those it says are due
	 * (apply, daemon: it reads the state) */
	bool (*due)(void *arg, const struct ast_audience *a);
	void *due_arg;
	/* NULL, or called with due_arg just before a due audience's run is
	 * told (its warnings then come first, also with --jobs) */
	void (*before)(void *arg, const struct ast_audience *a);
	int jobs;                 /* runs at once (--jobs); 0: warehouse.jobs */
	enum run_report_form form;
	struct json_t *reports;   /* RUN_REPORTS_JSON: a JSON array */
	const char *prefix;       /* before the audience name on a text line */
	bool progress;            /* "lac: running A (i/n)..." on stderr during each run */
	bool warnings;            /* "lac: warning: A: ..." for a run's delivery problem */
	bool diag_errors_fail;    /* an error reported during a run (an unset ${VAR}) fails it */
	bool flush;               /* stdout flushed after each run (a long-running scheduler) */
	enum run_failure_line failure;
	/* set (by a signal): no further audience starts, the running ones
	 * finish (lac daemon).  NULL: with --jobs, SIGINT and SIGTERM end the
	 * running child runs as they would end lac itself, then lac (lac run,
	 * lac apply) */
	volatile sig_atomic_t *stop;
};

/* Run want[0..n) in dependency order (run_order), up to b->jobs at once
 * (run_jobs_effective), showing each report as b says, in run_order's
 * order whatever the jobs.  w is an open
 * warehouse, or a zeroed one that is opened read-write before the first
 * run, so that a batch with nothing due opens nothing.  The batch stops
 * when the connection to a PostgreSQL state is lost (state_lost: its locks
 * are gone).  Returns the number of failed runs, or -1 with a message in
 * err when the warehouse could not be opened. */
int run_audiences(struct project *p, struct warehouse *w, struct state *st,
		  const struct ast_audience *const *want, size_t n, const struct run_batch *b,
		  struct strbuf *err);
/* Every audience of the project, in file order (for run_audiences, which
 * orders them).  malloc'd; *n of them. */
const struct ast_audience **run_every_audience(const struct project *p, size_t *n);

/* `lac compile --emit run`: append the ordered statements a run of a
 * executes in dialect d (lac's tables, duplicate-key checks, materialize,
 * enrichment hashes, the diff queries, the membership log, the swap), each
 * headed by a comment naming the audience, its file:line and the step.  The
 * script assumes a previous snapshot exists; the run id is '<run_id>', the
 * generation 1, and now (ISO-8601 UTC, or NULL for the dialect's clock)
 * the reference time. */
void run_script(struct project *p, const struct ast_audience *a, const struct dialect *d,
		const char *now, struct strbuf *out);

/* Is the audience due at now (Unix seconds) per its schedule and state? */
bool run_is_due(const struct ast_audience *a, const struct state_audience *sa, int64_t now);
/* What the state says of every applied audience, as a pass of the daemon
 * or of apply needs it, read in two statements instead of two for each
 * audience: whether it is enabled, its generation and next run, and
 * whether a crash or a state error left a run of it unfinished. */
struct run_pass_audience {
	struct state_audience sa;  /* name, enabled, generation, next_run only */
	bool unfinished;
};
struct run_pass_state {
	struct run_pass_audience *a;  /* sorted by name (strcmp) */
	size_t n, cap;
};
/* 0, or -1 (state_errmsg) with ps empty. */
int run_pass_state_load(struct state *st, struct run_pass_state *ps);
/* The applied audience of that name, or NULL. */
const struct run_pass_audience *run_pass_state_find(const struct run_pass_state *ps, const char *name);
void run_pass_state_release(struct run_pass_state *ps);
/* Is an applied audience (pa) due in a pass at now: enabled in the files
 * and the state, and due per its schedule (run_is_due), or with an
 * unfinished run, which the daemon and apply run whatever the schedule
 * says (the run completes the unfinished one first)? */
bool run_pass_due(const struct ast_audience *a, const struct run_pass_audience *pa, int64_t now);
/* The next time after `after` the schedule fires (0 for manual). */
int64_t run_next_time(const struct ast_audience *a, int64_t after);
/* want[0..n) in the order they run: every audience after the ones among
 * them it reads (part of audience).  *out is malloc'd; returns its length. */
size_t run_order(const struct ast_audience *const *want, size_t n, const struct ast_audience ***out);

/* The applied definition (run_hash.c, SPEC §5): an audience's canonical
 * source (fmt's form without comments, activations and `enabled`
 * included) and the part of the data graph it uses (canonical JSON), both
 * malloc'd; apply stores them, run and daemon compile from them. */
char *run_audience_source(const struct ast_audience *a);
char *run_audience_graph(const struct project *p, const struct ast_audience *a);
/* Change hashes stored by apply and compared by plan (hex SHA-256).  An
 * audience's covers fmt's bare form (no comments, layout, activations or
 * `enabled`) and its graph part, not the generated SQL. */
char *run_audience_hash(const struct project *p, const struct ast_audience *a);
char *run_activation_hash(const struct project *p, const struct ast_activation *act);
/* The hash an older lac stored (bare form + membership SQL): only to tell
 * whether the files still match an audience it applied. */
char *run_audience_hash_v1(const struct project *p, const struct ast_audience *a);
/* The fingerprint of an activation's enrich (traits, paths, columns): a
 * run whose stored values hashes were made with another one records the
 * new hashes without sending values-changed Identifies (SPEC §5). */
char *run_enrich_fingerprint(const struct ast_activation *act);
/* Were the values hashes of the activation, as applied, made with another
 * enrich than act's (SPEC §5: its next run records new hashes and sends no
 * values-changed Identify)?  False when none is recorded. */
bool run_enrich_differs(const struct ast_activation *act, const struct state_activation *applied);
/* The membership SQL plan --sql-diff shows: the project's dialect, no
 * reference time. */
void run_audience_sql(const struct project *p, const struct ast_audience *a, struct strbuf *out);

/* An applied definition as the state holds it (run_applied.c). */
struct run_definition {
	char *name;
	char *source;             /* run_audience_source; NULL: an older lac applied it */
	char *graph;              /* run_audience_graph */
};
/* Fill p (lac.yaml loaded, project_load_settings) with the definitions:
 * the data graph made from the union of their graph parts, and their
 * sources, parsed and checked (errors in p->diags).  0, or -1 with a
 * message in err when a graph part is not JSON. */
int run_definitions_load(struct project *p, const struct run_definition *v, size_t n,
			 struct strbuf *err);

/* What `lac run` and `lac daemon` know about the files next to the
 * applied definitions they compile (run_applied.c). */
struct run_applied {
	struct project files;     /* the files as checked now (kept for paths) */
	bool files_ok;            /* they load and check without errors */
	char **legacy;            /* applied by an older lac: no stored definition */
	size_t nlegacy, caplegacy;
	char **differ;            /* applied audiences whose files differ */
	size_t ndiffer, capdiffer;
};
/* Fill p (lac.yaml loaded, project_load_settings) with every applied
 * audience's stored definition from st and check it; read the project in
 * dir to compare.  0, or -1 with a message in err (p->diags may say more). */
int run_applied_load(struct project *p, struct state *st, const char *dir, struct run_applied *ra,
		     struct strbuf *err);
/* The audience was applied by an older lac, which stored only its hash. */
bool run_applied_is_legacy(const struct run_applied *ra, const char *name);
/* "lac: warning: audience 'A' differs from what was applied; ..." when it does. */
void run_applied_warn(const struct run_applied *ra, const struct ast_audience *a, bool quiet);
/* "lac: warning: the project's files have errors ..." when they do. */
void run_applied_warn_files(const struct run_applied *ra, bool quiet);
/* The message for an audience run/daemon refuse (applied by an older lac). */
#define RUN_LEGACY_MESSAGE "audience '%s' was applied by an older lac, which did not store its " \
	"definition; run 'lac apply' to store it"
void run_applied_release(struct run_applied *ra);

/* What an activation's next run would do with its changes (SPEC §5): events
 * sent, profiles filtered at the destination (no id of the `identifier`
 * type), events counted invalid (never sent).  events is -1 when the
 * preview query failed. */
struct run_preview_counts {
	int64_t events, filtered, invalid;
	bool baseline_only;       /* the next run only records the activation's
				   * baseline (no `send current`): it sends nothing */
};

/* `lac plan --preview` (run_preview.c): what the next run of act would
 * send, counted by the run's own code against read-only stand-ins for the
 * tables a run materializes (writes nothing).  applied: the activation
 * as the state has it (NULL: never applied), which says whether it has a
 * baseline and what enrich its values hashes were made with.  0, or -1
 * with the warehouse's message in err. */
int run_preview_events(struct project *p, struct warehouse *w, const struct ast_activation *act,
		       const struct state_activation *applied, const char *now,
		       struct run_preview_counts *out, struct strbuf *err);
/* Shown an event (its JSON, len bytes) that a preview counts as sent. */
typedef void (*run_preview_sample_fn)(void *arg, const char *json, size_t len);
/* run_preview_events showing fn every event it counts as sent (`lac run
 * --dry-run` keeps a sample; their messageIds are of a run id of the
 * preview's own, not the next run's). */
int run_preview_events_sampled(struct project *p, struct warehouse *w, const struct ast_activation *act,
			       const struct state_activation *applied, const char *now,
			       struct run_preview_counts *out, run_preview_sample_fn fn, void *arg,
			       struct strbuf *err);
/* `lac preview` and `lac plan --preview` (run_preview.c): the duplicate
 * primary keys that would fail a's next run (SPEC §5), looked for read-only.
 * 1 with the run's message in msg, 0 none, -1 with the warehouse's message
 * in msg. */
int run_preview_duplicates(struct project *p, struct warehouse *w, const struct ast_audience *a,
			   const char *now, struct strbuf *msg);
/* `lac plan --validate` (run_preview.c): the warehouse checks (EXPLAIN, or a dry run) every
 * SELECT act's next run would issue (the enrichment hashes, the diff with
 * its enrichment) against the same stand-ins, running none.  0, or -1 with
 * the warehouse's message in err. */
int run_validate_activation(struct project *p, struct warehouse *w, const struct ast_activation *act,
			    const char *now, struct strbuf *err);

#endif
