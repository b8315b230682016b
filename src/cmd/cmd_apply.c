/*
 * cmd_apply.c — `lac apply [PLANFILE] [--auto-approve] [--no-run]
 * [--select AUDIENCE...]`: make the applied state match the files (of every
 * audience, or of the selected ones), then run what is due (SPEC §5, §6).
 *
 * The plan is computed read-only, shown, confirmed (a terminal must answer
 * "yes"; elsewhere --auto-approve or a saved plan is the approval), then
 * recorded in one state transaction.  A saved plan applies only when neither
 * the state nor the files changed since it was made.  Deleted audiences'
 * snapshot tables are dropped afterwards; then an audience that is new,
 * newly enabled or has never run runs at once, the others when their
 * schedule says they are due.
 *
 * Recording and running happen under the apply lock (--lock-timeout waits
 * for it); an audience whose run lock another process holds is reported
 * skipped (SPEC §1.2).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_print.h"
#include "cmd/cli.h"
#include "cmd/daily_alerts.h"
#include "cmd/json_errors.h"
#include "plan/plan.h"
#include "plan/plan_file.h"
#include "run/run.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"

/* A saved plan's JSON, or NULL (said). */
static json_t *load_plan_file(const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (root)
		return root;
	/* jansson gives line -1 when the file could not be opened at all */
	if (jerr.line > 0)
		fprintf(stderr, "lac: cannot read the plan file %s: %s (line %d)\n", path, jerr.text,
			jerr.line);
	else
		fprintf(stderr, "lac: cannot read the plan file %s: %s\n", path, jerr.text);
	return NULL;
}

/* The audiences a saved plan was selected to (its "select"), added to sel:
 * the strings of the list, which stays root's.  A list of anything else is
 * left to plan_file_judge, as the fingerprint then cannot match. */
static void saved_selection(const json_t *root, struct name_list *sel)
{
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(root, "select"), i, v)
		if (json_is_string(v))
			VEC_PUSH(sel->v, sel->n, sel->cap, json_string_value(v));
}

/* Check a saved plan against the state and the files now.  0 or -1 (said). */
static int check_plan_file(const char *path, const json_t *root, const struct plan *pl)
{
	int rc = -1;
	switch (plan_file_judge(root, pl)) {
	case PLAN_FILE_NOT_A_PLAN:
		fprintf(stderr, "lac: %s is not a plan saved by `lac plan --out`\n", path);
		break;
	case PLAN_FILE_STALE_STATE:
		fprintf(stderr, "lac: the saved plan %s is stale: the applied state changed since the "
			"plan was made; run `lac plan --out %s` again\n", path, path);
		break;
	case PLAN_FILE_STALE_FILES:
		fprintf(stderr, "lac: the saved plan %s does not match the files: they changed since "
			"the plan was made; run `lac plan --out %s` again\n", path, path);
		break;
	case PLAN_FILE_OK:
		rc = 0;
		break;
	}
	return rc;
}

static bool confirm(void)
{
	char line[64];
	fputs("\nApply these changes? Only 'yes' will be accepted: ", stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

static bool newly_enabled(const struct plan *pl, const char *name)
{
	for (size_t i = 0; i < pl->n; i++) {
		const struct plan_change *c = &pl->changes[i];
		if (c->kind == PLAN_AUDIENCE && strcmp(c->name, name) == 0)
			return c->enabled && (c->action == PLAN_CREATE || c->action == PLAN_ENABLE);
	}
	return false;
}

struct due_after_apply {
	const struct run_pass_state *ps;
	const struct plan *pl;
	int64_t now;
};

/* An applied, enabled audience that is new, newly enabled, recorded but
 * never run (apply --no-run), due per its schedule, or with an unfinished
 * run. */
static bool is_due(void *arg, const struct ast_audience *a)
{
	const struct due_after_apply *d = arg;
	const struct run_pass_audience *pa = run_pass_state_find(d->ps, a->name);
	return pa && pa->sa.enabled && (newly_enabled(d->pl, a->name) || pa->sa.generation == 0 ||
					run_pass_due(a, pa, d->now));
}

/* The plan of the selected audiences (all when sel is empty).  0, or -1
 * with the reason in err (nothing to release). */
static int compute_plan(struct plan *pl, struct project *p, struct state *st,
			const struct name_list *sel, struct strbuf *err)
{
	if (plan_compute(pl, p, st, err) < 0)
		return -1;
	if (sel->n && plan_select(pl, p, sel->v, sel->n, err) < 0) {
		plan_release(pl);
		return -1;
	}
	return 0;
}

/* The plan made again on st (read-write, locked) in place of *pl. */
static int replan(struct plan *pl, struct project *p, struct state *st,
		  const struct name_list *sel, struct strbuf *err)
{
	struct plan fresh;
	if (compute_plan(&fresh, p, st, sel, err) < 0)
		return -1;
	plan_release(pl);
	*pl = fresh;
	return 0;
}

/* With --select, only the selected audiences run. */
static void keep_selected(const struct plan *pl, const struct ast_audience **all, size_t *n)
{
	if (!pl->nselect)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++)
		for (size_t k = 0; k < pl->nselect; k++)
			if (strcmp(all[i]->name, pl->select[k]) == 0) {
				all[kept++] = all[i];
				break;
			}
	*n = kept;
}

/* Run what is due; returns the number of failed runs, -1 when nothing could run. */
static int run_due(struct cli *c, struct project *p, struct state *st, const struct plan *pl,
		   int64_t now, int jobs, json_t *runs)
{
	struct run_pass_state ps;
	if (run_pass_state_load(st, &ps) < 0) {
		fprintf(stderr, "lac: cannot read the applied audiences: %s\n", state_errmsg(st));
		return -1;
	}
	struct due_after_apply d = { &ps, pl, now };
	struct run_batch b = {
		/* an audience another process is running is skipped, not waited for */
		.run = { .now = c->now, .deliver = true, .quiet = c->quiet, .lock_command = "apply",
			 .skip_running = true },
		.due = is_due, .due_arg = &d,
		.form = runs ? RUN_REPORTS_JSON : RUN_REPORTS_TEXT,
		.reports = runs, .prefix = "Ran ",
		.warnings = true,
		.diag_errors_fail = true, /* a run that could not deliver (an unset ${VAR}) */
		.failure = RUN_FAILURE_INSTEAD,
		.jobs = jobs,
	};
	struct warehouse w = { 0 }; /* opened by the first run: nothing due opens nothing */
	struct strbuf err = STRBUF_INIT;
	size_t n;
	const struct ast_audience **all = run_every_audience(p, &n);
	keep_selected(pl, all, &n);
	int failed = run_audiences(p, &w, st, all, n, &b, &err);
	if (failed < 0)
		fprintf(stderr, "lac: %s\n", err.buf);
	free(all);
	if (w.ops)
		warehouse_close(&w);
	sb_release(&err);
	run_pass_state_release(&ps);
	return failed;
}

int cmd_apply(struct cli *c)
{
	bool auto_approve = false, no_run = false;
	int64_t lock_timeout_ms = 0;
	int jobs = 0;
	struct name_list sel = { 0 };
	const struct opt opts[] = {
		OPT_FLAG("--auto-approve", "-y", &auto_approve),
		OPT_FLAG("--no-run", NULL, &no_run),
		OPT_LOCK_TIMEOUT(&lock_timeout_ms),
		OPT_JOBS(&jobs),
		OPT_SELECT(&sel),
	};
	const struct opt_table table = { OPT_TABLE(opts), .max_args = 1,
		.too_many = "apply takes one plan file (got '%s' and '%s')" };
	struct opt_args args;
	if (cli_parse_options(c, &table, &args) != 0) {
		free(sel.v);
		return EXIT_USAGE;
	}
	const char *planfile = args.v[0] ? cli_input_path(c, args.v[0]) : NULL;
	opt_args_release(&args);
	/* a saved plan keeps the selection it was made with */
	if (planfile && sel.n) {
		free(sel.v);
		return cli_usage_error(c, "a saved plan applies with the selection it was made with: "
				       "give the plan file or --select, not both");
	}
	/* a bad --now is a usage error, before anything else is looked at */
	struct lac_now ln;
	if (cli_parse_now(c, &ln) != 0) {
		free(sel.v);
		return EXIT_USAGE;
	}
	int64_t now = ln.secs;
	/* A saved plan was reviewed when it was made: it needs no prompt. */
	bool ask = !auto_approve && !planfile;
	if (ask && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "lac: apply needs a 'yes' on a terminal, and standard input is not "
			"one; pass --auto-approve to apply without asking\n");
		free(sel.v);
		return EXIT_ERRORS;
	}
	json_t *saved = NULL;
	if (planfile) {
		if (!(saved = load_plan_file(planfile)))
			return EXIT_ERRORS;
		saved_selection(saved, &sel);
	}

	struct project p;
	if (cli_open_project(c, &p) != 0) {
		json_decref(saved);
		free(sel.v);
		return EXIT_ERRORS;
	}
	if (p.diags.n && c->format != OUT_JSON)
		cli_print_diags(c, &p);

	struct strbuf err = STRBUF_INIT;
	struct state *st = NULL;
	struct plan pl;
	bool have_plan = false;
	json_t *runs = c->format == OUT_JSON ? json_array() : NULL;
	size_t ndiags_before_runs = p.diags.n; /* the runs' own are also errors (JSON) */
	int rc = EXIT_OK;

	/* the plan, read-only: nothing is created before the answer */
	if (state_open_project(&st, &p, STATE_RO, &err) < 0 || compute_plan(&pl, &p, st, &sel, &err) < 0) {
		fprintf(stderr, "lac: %s\n", err.buf);
		rc = EXIT_ERRORS;
		goto out;
	}
	have_plan = true;
	state_close(st);
	st = NULL;
	if (planfile && check_plan_file(planfile, saved, &pl) < 0) {
		rc = EXIT_ERRORS;
		goto out;
	}
	bool show = c->format != OUT_JSON && !c->quiet;
	if (ask && show)
		plan_print_text(&pl, false, false, c->color, stdout);
	if (plan_has_changes(&pl) && ask && !confirm()) {
		fprintf(stderr, "lac: apply cancelled; nothing was changed\n");
		rc = EXIT_ERRORS;
		goto out;
	}

	/* definitions an older lac applied are stored even without a change */
	bool record_plan = plan_has_changes(&pl) || pl.ndefs;
	if (record_plan || !no_run) {
		if (state_open_project(&st, &p, STATE_RW, &err) < 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			rc = EXIT_ERRORS;
			goto out;
		}
		/* one apply at a time (SPEC §1.2), until the process ends */
		int lk = state_lock(st, "apply", "apply", lock_timeout_ms, &err);
		if (lk != 0) {
			fprintf(stderr, "lac: %s%s\n", lk > 0 ? "lock 'apply' is " : "", err.buf);
			rc = EXIT_ERRORS;
			goto out;
		}
		/* approved without a prompt or a saved plan: planned again under the
		 * lock, since another apply may have changed the state meanwhile */
		if (!ask && !planfile && replan(&pl, &p, st, &sel, &err) < 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			rc = EXIT_ERRORS;
			goto out;
		}
	}
	if (!ask && show)
		plan_print_text(&pl, false, false, c->color, stdout);
	/* recomputed: the plan may have been made again under the lock */
	record_plan = plan_has_changes(&pl) || pl.ndefs;
	if (record_plan) {
		/* the state may have moved between the plan and the answer */
		char *fp = plan_state_fingerprint(st, &err);
		if (!fp || strcmp(fp, pl.fingerprint) != 0) {
			fprintf(stderr, "lac: %s\n", fp ? "the applied state changed while the plan was "
				"shown; nothing was changed, run `lac apply` again" : err.buf);
			free(fp);
			rc = EXIT_ERRORS;
			goto out;
		}
		free(fp);
		if (plan_record(st, &pl, now, &err) < 0) {
			fprintf(stderr, "lac: %s\n", err.buf);
			rc = EXIT_ERRORS;
			goto out;
		}
		/* drop the deleted audiences' snapshots (after the commit: a failed
		 * drop leaves a table behind, never a live audience without one) */
		struct warehouse w;
		bool have_wh = false;
		for (size_t i = 0; i < pl.n; i++) {
			const struct plan_change *ch = &pl.changes[i];
			if (ch->kind != PLAN_AUDIENCE || ch->action != PLAN_DELETE)
				continue;
			sb_reset(&err);
			if (!have_wh && warehouse_open_project(&p, WH_READ | WH_WRITE, &w, &err) != 0) {
				fprintf(stderr, "lac: cannot drop the snapshots of deleted audiences: %s\n",
					err.buf);
				rc = EXIT_ERRORS;
				break;
			}
			have_wh = true;
			if (warehouse_drop_snapshots(&w, p.warehouse.schema,
					   ch->name, &err) < 0) {
				fprintf(stderr, "lac: cannot drop the snapshot of deleted audience '%s': %s\n",
					ch->name, err.buf);
				rc = EXIT_ERRORS;
			}
		}
		if (have_wh)
			warehouse_close(&w);
		if (c->format != OUT_JSON && !c->quiet && plan_has_changes(&pl))
			printf("\nApply complete! %zu created, %zu changed, %zu deleted.\n", pl.ncreate,
			       pl.nupdate, pl.ndelete);
	}
	if (!no_run) {
		ndiags_before_runs = p.diags.n;
		int failed = run_due(c, &p, st, &pl, now, jobs, runs);
		if (failed != 0)
			rc = EXIT_ERRORS;
		/* the day's alerts, once per UTC day (SPEC §5 Alerts), from the
		 * files, which are now what is applied: not with --select, where
		 * other audiences' files may differ (the next run or daemon wake
		 * judges them from the applied definitions) */
		if (!pl.nselect)
			daily_alerts(c, &p, st, now);
		/* what the runs reported (an unset ${VAR}, ...), always as text on stderr */
		cli_print_new_diags(c, &p, ndiags_before_runs);
	}
out:
	if (runs) {
		/* one document (SPEC §6): the plan's JSON (when there is one) with
		 * the runs and the errors added */
		json_t *errors = json_array();
		json_t *root = have_plan ? plan_json(&pl, false, false) : json_object();
		json_errors_add_runs(errors, runs);
		json_errors_add_diags(errors, &p.diags, ndiags_before_runs);
		/* a failure with nothing more precise: the message it printed */
		if (rc != EXIT_OK && !json_array_size(errors))
			json_errors_add(errors, "error", json_errors_last() ? json_errors_last() : "failed",
					NULL);
		json_object_set(root, "runs", runs);
		json_object_set_new(root, "errors", errors);
		json_print_doc(stdout, root);
		json_decref(root);
		json_decref(runs);
	}
	if (have_plan)
		plan_release(&pl);
	state_close(st);
	sb_release(&err);
	project_release(&p);
	json_decref(saved);
	free(sel.v);
	return rc;
}
