/*
 * plan.h — what `lac apply` would change (SPEC §5, §6): the project's
 * audiences and activations compared with the ones the state DB says were
 * applied.  Computing a plan writes nothing anywhere: the state is read
 * through a read-only handle (or is absent), the warehouse only queried.
 */
#ifndef LAC_PLAN_H
#define LAC_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/util.h"
#include "project/project.h"
#include "run/run.h"
#include "state/state.h"
#include "warehouse/warehouse.h"

enum plan_action { PLAN_CREATE, PLAN_UPDATE, PLAN_DELETE, PLAN_ENABLE, PLAN_DISABLE };
enum plan_kind { PLAN_AUDIENCE, PLAN_ACTIVATION };
const char *plan_action_name(enum plan_action a);   /* "create", "update", ... */
const char *plan_kind_name(enum plan_kind k);       /* "audience", "activation" */

/* Counts from `plan --preview`. */
struct plan_preview {
	bool done;
	char *error;              /* the warehouse's message; NULL when it ran */
	int64_t members;          /* audience: members now */
	bool has_snapshot;        /* audience: snapshot_<name> exists */
	int64_t snapshot;         /* audience: members in the snapshot */
	int64_t entered, exited;  /* audience: vs the snapshot (all entered without one) */
	int64_t bytes;            /* audience: what its query scans (BigQuery's dry run), or -1 */
	struct run_preview_counts ev;    /* activation: what its next run would send */
	struct run_preview_counts *act_events; /* audience: the same for each of its activations */
	size_t nact_events;       /* (indexed like aud->activations) */
	char *duplicates;         /* audience: duplicate primary keys that will fail
				   * its run (run_preview_duplicates), or NULL */
};

struct plan_change {
	enum plan_action action;
	enum plan_kind kind;
	char *audience;           /* the audience (of an activation, too) */
	char *name;               /* the audience's or the activation's name */
	const struct ast_audience *aud;   /* in the files; NULL for a delete */
	const struct ast_activation *act; /* activations in the files; NULL for a delete */
	char *hash;               /* new definition hash (NULL for a delete) */
	char *destination;        /* activations: new destination (NULL for a delete) */
	bool enabled;             /* new enabled flag */
	/* activations: the trigger reports the entities of another path now,
	 * which the snapshot did not track: its baseline starts again */
	bool rebaseline;
	char *old_text, *new_text;  /* canonical definitions, when known */
	char *old_sql, *new_sql;    /* audiences: membership SQL, when known */
	char **details;           /* human lines: changed conditions and settings */
	size_t ndetails, capdetails;
	struct plan_preview preview;
};

/* An audience's applied definition (SPEC §5) that apply stores: the
 * files' canonical source, graph part and hash, where the state's differ. */
struct plan_definition {
	char *name, *source, *graph, *hash;
	bool enabled;
};

struct plan {
	struct plan_change *changes;
	size_t n, cap;
	/* definitions to store: with the changes, and those an older lac
	 * applied without them (stored without reporting a change) */
	struct plan_definition *defs;
	size_t ndefs, capdefs;
	size_t ncreate, nupdate, ndelete;  /* update counts enable/disable too */
	char *fingerprint;        /* of the applied state the plan was made against */
	char **select;            /* `--select`: the only audiences planned (none: all) */
	size_t nselect, capselect;
};

/* Compare p (checked without errors) with st (NULL: nothing applied yet).
 * Returns 0, or -1 with a message in err. */
int plan_compute(struct plan *pl, struct project *p, struct state *st, struct strbuf *err);
void plan_release(struct plan *pl);
/* `--select A...`: keep only the changes (and definitions to store) of the
 * named audiences, each an audience of the files or one the plan deletes.
 * 0, or -1 with "unknown audience 'x'" in err. */
int plan_select(struct plan *pl, const struct project *p, const char *const *names, size_t n,
		struct strbuf *err);
bool plan_has_changes(const struct plan *pl);

/* A hash of every applied definition (names, hashes, destinations, enabled
 * flags) and the state schema version: what a saved plan is checked against.
 * st may be NULL (no state yet).  Returns a malloc'd hex string, NULL on error. */
char *plan_state_fingerprint(struct state *st, struct strbuf *err);
/* A hash of the changes themselves, so a saved plan applies only to the
 * files it was made from. */
char *plan_changes_fingerprint(const struct plan *pl);

/* `--preview`: member counts and events per activation, read-only on w.
 * st may be NULL.  now is normalised ("YYYY-MM-DD HH:MM:SS") or NULL.
 * Returns the number of audiences whose query failed. */
int plan_preview(struct plan *pl, struct project *p, struct warehouse *w, struct state *st,
		 const char *now);
/* `--validate`: have the warehouse check (EXPLAIN, or a dry run) every SELECT a run
 * issues: each audience's membership and matched entities, and each
 * activation's enrichment and diff against stand-ins for the tables a run
 * creates (run_validate_activation); DDL and swaps are not checked.
 * Appends one line per failure to report, and to scans one per audience
 * whose membership query the warehouse estimates ("audience 'x': its query
 * scans N bytes"); returns the number of failures. */
int plan_validate(struct project *p, struct warehouse *w, const char *now, struct strbuf *report,
		  struct strbuf *scans);

/* Line diff of a and b: lines prefixed "  ", "- ", "+ ".  context < 0
 * keeps every line, else that many unchanged lines around each change
 * ("..." between hunks).  Appends nothing when they are equal. */
void plan_diff(const char *a, const char *b, int context, struct strbuf *out);

/* Print the plan as text; sql_diff adds the changed generated SQL. */
void plan_print_text(const struct plan *pl, bool preview, bool sql_diff, bool color, FILE *out);
/* The plan as JSON (docs/gitops.md); with_meta adds the fingerprints and
 * version a saved plan file carries.  plan_to_json is its text, ending
 * with a newline. */
json_t *plan_json(const struct plan *pl, bool preview, bool with_meta);
char *plan_to_json(const struct plan *pl, bool preview, bool with_meta);

/* Store pl->defs in st, after the changes were recorded (every audience
 * of them exists in the state then).  0 or -1 (state_errmsg). */
int plan_store_definitions(struct state *st, const struct plan *pl, int64_t now);
/* What apply records, in one state transaction: every change, the
 * definitions (plan_store_definitions) and the texts (plan_store_texts).
 * 0, or -1 with the reason in err (nothing recorded). */
int plan_record(struct state *st, const struct plan *pl, int64_t now, struct strbuf *err);

/* The table apply keeps the canonical text and SQL of what it applied in
 * (in the state DB), for `plan`'s diffs.  Created only by apply. */
int plan_store_texts(struct state *st, const struct plan *pl, struct strbuf *err);

#endif
