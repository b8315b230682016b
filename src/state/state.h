/*
 * state.h — the state database (SPEC §1.2/§5): what was applied, runs and
 * their timings, the outbox, delivery counters and the locks.  It lives in a SQLite file (the default) or in a schema of a
 * PostgreSQL database (state: {type: postgres}), the same on both.
 *
 * The schema is versioned (table schema_version) and brought up to date by
 * ordered migrations, under the apply lock, when the database is opened
 * for writing.  A read-only
 * open (for `lac plan`) never creates or changes anything on disk.
 * Times are Unix seconds (UTC) supplied by the caller, so --now is honoured.
 */
#ifndef LAC_STATE_H
#define LAC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"

struct project;
struct sdb;
struct state;

enum state_mode { STATE_RW, STATE_RO };

/* The newest schema this build knows. */
#define STATE_SCHEMA_VERSION 10
/* Runs kept per audience (SPEC §5). */
#define STATE_RUNS_KEPT 50

/* Open the SQLite state DB at path.  STATE_RW creates the directory (0700) and the
 * file (0600) when missing and migrates; STATE_RO never creates anything:
 * when the file does not exist it returns 1 with *out = NULL.  Returns 0 on
 * success, -1 with a message in err. */
int state_open(struct state **out, const char *path, enum state_mode mode, struct strbuf *err);
/* The PostgreSQL state in schema (created when missing, read-write).
 * STATE_RO finds no state there: returns 1 with *out = NULL, as for a
 * missing file.  err may quote the dsn: the caller redacts it. */
int state_open_postgres(struct state **out, const char *dsn, const char *schema, enum state_mode mode,
			struct strbuf *err);
/* The project's state (lac.yaml's state:), whichever engine; the path of
 * a file relative to the project dir, a dsn's ${VAR} expanded now and
 * redacted from err. */
int state_open_project(struct state **out, struct project *p, enum state_mode mode,
		       struct strbuf *err);
void state_close(struct state *st);

/* The connection, for SQL of other modules on the state (plan.c's texts). */
struct sdb *state_sdb(struct state *st);
/* The file, or "postgres:<schema>": for messages. */
const char *state_path(const struct state *st);
bool state_readonly(const struct state *st);
int state_schema_version(struct state *st); /* 0 for an empty file; -1 on error */
/* The last error of the state database, for messages. */
const char *state_errmsg(struct state *st);
/* Whether a read or write failed since the open (sdb_failed). */
bool state_failed(struct state *st);

/* Transactions (nestable by counting: only the outermost one commits). */
int state_begin(struct state *st);  /* writers take turns (sdb_begin) */
int state_commit(struct state *st);
void state_rollback(struct state *st);

/* ---- applied definitions -------------------------------------------------- */
struct state_audience {
	char *name;
	char *hash;               /* definition hash */
	bool enabled;
	int64_t created, updated;
	int64_t generation;       /* snapshot generation of the last successful run; 0 = none */
	int64_t next_run;         /* 0 = not scheduled */
	/* the applied definition (SPEC §5): canonical source and the part of
	 * the data graph it uses; NULL when an older lac applied it */
	char *source, *graph;
};
struct state_activation {
	char *audience, *name, *destination, *hash;
	bool enabled;
	int64_t created, updated;
	bool has_baseline;        /* the first run recorded its baseline */
	int64_t baseline_generation;
	/* the enrich fingerprint the stored values hashes were made with
	 * (NULL: none recorded yet) */
	char *values_enrich;
};
/* Insert or update; created is kept on update.  0 or -1. */
int state_put_audience(struct state *st, const char *name, const char *hash, bool enabled, int64_t now);
/* Store the applied audience's definition (its row must exist).  0 or -1. */
int state_put_definition(struct state *st, const char *name, const char *source, const char *graph);
/* 0 found, 1 not found, -1 error.  Free with state_audience_release. */
int state_get_audience(struct state *st, const char *name, struct state_audience *out);
void state_audience_release(struct state_audience *a);
/* Every applied audience, in name order. */
int state_list_audiences(struct state *st, int (*fn)(const struct state_audience *, void *), void *ctx);
int state_set_generation(struct state *st, const char *audience, int64_t generation);
int state_set_next_run(struct state *st, const char *audience, int64_t next_run);
/* Deletes the audience, its activations, runs, counters and undelivered outbox rows. */
int state_delete_audience(struct state *st, const char *name);

int state_put_activation(struct state *st, const char *audience, const char *name,
			 const char *destination, const char *hash, bool enabled, int64_t now);
int state_get_activation(struct state *st, const char *audience, const char *name,
			 struct state_activation *out);
void state_activation_release(struct state_activation *a);
int state_list_activations(struct state *st, const char *audience,
			   int (*fn)(const struct state_activation *, void *), void *ctx);
/* Record the enrich fingerprint of the activation's values hashes. */
int state_set_values_enrich(struct state *st, const char *audience, const char *name,
			    const char *fingerprint);
int state_set_baseline(struct state *st, const char *audience, const char *name, int64_t generation);
/* Forget the baseline: the next run records a new one and sends nothing. */
int state_clear_baseline(struct state *st, const char *audience, const char *name);
int state_delete_activation(struct state *st, const char *audience, const char *name);

/* ---- locks (SPEC §1.2; docs/gitops.md "Locks") ------------------------------ */
/* Lock ids: "apply" (apply, state import, state unlock) and "run:<audience>"
 * (every run of that audience).  A lock dies with the process holding it:
 * PostgreSQL session advisory locks on the state's connection, flock() on
 * files next to a SQLite state.  Taken outside transactions, on a
 * read-write state; taking one this handle holds counts once more. */
bool state_lock_id_valid(const char *id);
/* Take lock `id` ("apply" or "run:<audience>") for `command` ("apply", "run", "daemon", "state import", ...),
 * waiting up to timeout_ms (0: fail at once).  0 taken; 1 held by another (err: "held by <command> pid <pid>
 * on <host> since <UTC timestamp>"); -1 error (err says why). */
int state_lock(struct state *st, const char *id, const char *command, int64_t timeout_ms, struct strbuf *err);
void state_unlock(struct state *st, const char *id);
/* Whether the locks the handle holds are still held: on PostgreSQL a round
 * trip on their connection.  0, or -1 with err saying why (the connection
 * is lost: see state_lost). */
int state_lock_check(struct state *st, struct strbuf *err);
/* The PostgreSQL connection is gone, and the locks with it: the process
 * must stop rather than go on unlocked. */
bool state_lost(const struct state *st);

/* What state_break_lock found. */
enum { STATE_LOCK_NOT_HELD = 0, STATE_LOCK_BROKEN = 1, STATE_LOCK_HOLDER_ALIVE = 2 };
/* `lac state unlock`: free lock id held by another process.  PostgreSQL:
 * ends the holder's session (pg_terminate_backend), which releases it:
 * STATE_LOCK_BROKEN.  SQLite: a holder that is gone released it already (its
 * record is cleared): STATE_LOCK_NOT_HELD; a live holder keeps it:
 * STATE_LOCK_HOLDER_ALIVE.  holder gets "held by ..." when it was held;
 * -1 with err on error. */
int state_break_lock(struct state *st, const char *id, struct strbuf *holder, struct strbuf *err);

/* ---- runs -------------------------------------------------------------------- */
enum run_result { RUN_RUNNING, RUN_LIVE, RUN_FAILED, RUN_DISABLED, RUN_PAUSED };
const char *run_result_name(enum run_result r); /* "Live"; "Running" while unfinished */

struct state_run {
	char *id, *audience;
	int64_t generation;
	int64_t started;          /* Unix seconds */
	int64_t duration_ms;
	enum run_result result;
	char *error;              /* NULL unless failed */
	char *summary;            /* change summary, JSON text (NULL = none) */
	int64_t queueing_ms, extracting_ms, preparing_ms, delivering_ms;
};
/* A fresh run id: "run_<YYYYmmddTHHMMSSZ>_<8 hex>" (random suffix). */
char *state_new_run_id(int64_t now);
/* Record that a run started (result Running).  Old runs beyond the last
 * STATE_RUNS_KEPT of the audience are deleted with their counters. */
int state_run_begin(struct state *st, const char *id, const char *audience, int64_t generation,
		    int64_t started);
/* Record how it ended; the fields of r other than id/audience/started are stored. */
int state_run_finish(struct state *st, const struct state_run *r);
/* 0 found, 1 not found, -1 error. */
int state_get_run(struct state *st, const char *id, struct state_run *out);
/* The audience's unfinished run (crashed), if any: 0 found, 1 none. */
int state_unfinished_run(struct state *st, const char *audience, struct state_run *out);
/* fn for each audience that has an unfinished run, in one statement (the
 * daemon's and apply's pass over every audience).  0, fn's non-zero, or -1. */
int state_list_unfinished(struct state *st, int (*fn)(const char *audience, void *), void *ctx);
/* The latest start (Unix seconds) of any recorded run: 0 when none, -1 on
 * error (the daemon's check that the clock has not gone back). */
int64_t state_latest_run_start(struct state *st);
/* The audience's latest run by start time, whatever its result (a run whose
 * reference time is before it has gone back in time): 0 found, 1 none, -1
 * error. */
int state_last_run(struct state *st, const char *audience, struct state_run *out);
void state_run_release(struct state_run *r);
/* Newest first, at most limit (0 = all kept). */
int state_list_runs(struct state *st, const char *audience, int limit,
		    int (*fn)(const struct state_run *, void *), void *ctx);

/* ---- delivery counters (per run and activation) ------------------------------- */
struct delivery_counts {
	int64_t from_audience;    /* events the audience produced */
	int64_t filtered;         /* no identifier of the activation's type */
	int64_t pending;          /* pending retry: not delivered yet */
	int64_t failed;           /* refused by the destination */
	int64_t delivered;        /* successful delivery */
	int64_t invalid;          /* never sendable (over 32 KB, no usable id) */
};
/* The outbox keeps pending/failed/delivered/invalid up to date itself
 * (outbox.c, in the transaction of each change); events that never reach the
 * outbox are counted here. */
int state_count_filtered(struct state *st, const char *run_id, const char *audience,
			 const char *activation, int64_t n);
/* 0 found, 1 no counters for that run/activation (all zero), -1 error. */
int state_get_counts(struct state *st, const char *run_id, const char *audience,
		     const char *activation, struct delivery_counts *out);
/* Sum over every kept run of the activation. */
int state_get_counts_total(struct state *st, const char *audience, const char *activation,
			   struct delivery_counts *out);

/* ---- outbox samples (`lac delivery`) ------------------------------------------------ */
struct outbox_sample {
	const char *message_id, *status, *run_id;
	const char *reason;       /* last_error; NULL when none was recorded */
	int64_t at;               /* when the row got that status (updated_at) */
};
/* The activation's outbox rows with status ("invalid", "failed"), newest
 * first, at most limit (0 = all).  The strings live during the callback. */
int state_list_outbox_samples(struct state *st, const char *audience, const char *activation,
			      const char *status, int limit,
			      int (*fn)(const struct outbox_sample *, void *), void *ctx);

#endif
