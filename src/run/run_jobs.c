/*
 * run_jobs.c — a batch's runs several at once (--jobs N, SPEC §6;
 * docs/architecture.md "Concurrent runs").
 *
 * Each run is a child process forked from the batch: it opens its own
 * warehouse session and state connection (the parent's are never used
 * across the fork), runs the audience under its run lock exactly as one
 * run does, and leaves its stdout, its stderr and its outcome (JSON: failed,
 * lost, the JSON report, the diagnostics it added) in three unlinked
 * temporary files.  The parent starts an audience when the audiences it
 * reads are done (run_queue), and shows the children's output in the
 * batch's order, so the reports read as with --jobs 1.
 *
 * Signals: the daemon's flag (b->stop) starts nothing more and lets the
 * running children finish (they ignore it, as one run does).  Without it,
 * SIGINT or SIGTERM is passed on to the children, which end as one run of
 * lac would, and then ends lac itself.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/run.h"
#include "run/run_private.h"
#include "run/run_queue.h"

/* One audience of the pass. */
struct job {
	pid_t pid;                /* 0: not started (or not due) */
	FILE *out, *err, *outcome_file;
	struct strbuf out_text, err_text;
	json_t *outcome;          /* NULL: the child ended without one */
	char *died;               /* how a child without an outcome ended */
	bool collected;
	bool shown;
};

#ifdef LAC_COVERAGE
/* make coverage: gcov writes a process's counters at exit, which _exit skips */
void __gcov_dump(void);
#define child_exit(rc) (__gcov_dump(), _exit(rc))
#else
#define child_exit(rc) _exit(rc)
#endif

/* The running children, for the signal handler (run, apply). */
static volatile sig_atomic_t *signal_pids;
static size_t nsignal_pids;
static volatile sig_atomic_t got_signal;

static void pass_signal_on(int sig)
{
	got_signal = sig;
	for (size_t i = 0; i < nsignal_pids; i++)
		if (signal_pids[i] > 0)
			kill((pid_t)signal_pids[i], sig);
}

/* ---- the child ------------------------------------------------------------------ */

static json_t *diag_json(const struct diag *g)
{
	json_t *hints = json_array();
	for (size_t h = 0; h < g->nhints; h++)
		json_array_append_new(hints, json_string(g->hints[h]));
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:o}", "severity", (int)g->severity,
			 "code", (int)g->code, "file", (int)g->loc.file, "line", (int)g->loc.line,
			 "col", (int)g->loc.col, "end_line", (int)g->loc.end_line, "end_col",
			 (int)g->loc.end_col, "message", g->message, "hints", hints);
}

/* Run a in this child and leave everything in j's files; never returns. */
static void child_run(struct project *p, const struct ast_audience *a, const struct run_batch *b,
		      struct job *j, const struct sigaction *old_int, const struct sigaction *old_term)
{
	if (old_int) {
		sigaction(SIGINT, old_int, NULL);
		sigaction(SIGTERM, old_term, NULL);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* blocked by start() around the fork */
	/* what the parent has not written yet is the parent's to write */
	__fpurge(stdout);
	__fpurge(stderr);
	if (dup2(fileno(j->out), STDOUT_FILENO) < 0 || dup2(fileno(j->err), STDERR_FILENO) < 0)
		child_exit(70);
	struct run_batch cb = *b;
	cb.progress = false;
	cb.flush = false;
	cb.reports = json_array();
	json_t *outcome = json_object();
	size_t ndiags = p->diags.n;
	struct warehouse w = { 0 };
	struct state *st = NULL;
	struct strbuf err = STRBUF_INIT;
	if (warehouse_open_project(p, WH_READ | WH_WRITE, &w, &err) != 0 ||
	    state_open_project(&st, p, STATE_RW, &err) != 0) {
		json_object_set_new(outcome, "open_error", json_string(err.buf));
	} else {
		json_object_set_new(outcome, "failed", json_boolean(run_batch_one(p, &w, st, a, &cb)));
		json_object_set_new(outcome, "lost", json_boolean(state_lost(st)));
		if (json_array_size(cb.reports))
			json_object_set(outcome, "report", json_array_get(cb.reports, 0));
	}
	if (st)
		state_close(st);
	if (w.ops)
		warehouse_close(&w);
	json_t *diags = json_array();
	for (size_t i = ndiags; i < p->diags.n; i++)
		json_array_append_new(diags, diag_json(&p->diags.items[i]));
	json_object_set_new(outcome, "diags", diags);
	fflush(stdout);
	fflush(stderr);
	int rc = json_dumpf(outcome, j->outcome_file, JSON_COMPACT) == 0 && fflush(j->outcome_file) == 0
		? 0 : 70;
	/* _exit: the parent's connections, inherited, are the parent's to close */
	child_exit(rc);
}

/* ---- the parent ----------------------------------------------------------------- */

/* Fork a's run; its pid goes into a free one of slots[0..nslots). */
static int start(struct project *p, const struct ast_audience *a, const struct run_batch *b,
		 struct job *j, volatile sig_atomic_t *slots, size_t nslots,
		 const struct sigaction *old_int, const struct sigaction *old_term)
{
	j->out = tmpfile();
	j->err = tmpfile();
	j->outcome_file = tmpfile();
	if (!j->out || !j->err || !j->outcome_file) {
		j->died = xasprintf("cannot start its run: temporary file: %s", strerror(errno));
		return -1;
	}
	/* a signal now waits until the child is in signal_pids (the parent) or
	 * has its own handlers back (the child) */
	sigset_t stop_signals, old_mask;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
	pid_t pid = fork();
	if (pid == 0)
		child_run(p, a, b, j, old_int, old_term);
	if (pid > 0) {
		j->pid = pid;
		for (size_t k = 0; k < nslots; k++)
			if (slots[k] == 0) {
				slots[k] = pid;
				break;
			}
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (pid < 0) {
		j->died = xasprintf("cannot start its run: %s", strerror(e));
		return -1;
	}
	return 0;
}

static void slurp(FILE **f, struct strbuf *sb)
{
	if (!*f)
		return;
	char buf[8192];
	size_t n;
	rewind(*f);
	while ((n = fread(buf, 1, sizeof(buf), *f)) > 0)
		sb_addmem(sb, buf, n);
	fclose(*f);
	*f = NULL;
}

/* The child ended with status: read what it left. */
static void collect(struct job *j, int status)
{
	struct strbuf outcome = STRBUF_INIT;
	slurp(&j->out, &j->out_text);
	slurp(&j->err, &j->err_text);
	slurp(&j->outcome_file, &outcome);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		j->outcome = json_loadb(outcome.buf, outcome.len, 0, NULL);
	if (!j->outcome && !j->died)
		j->died = WIFSIGNALED(status)
			? xasprintf("its run was ended by signal %d; the next run completes it",
				    WTERMSIG(status))
			: xasprintf("its run ended with exit status %d; the next run completes it",
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	sb_release(&outcome);
	j->collected = true;
}

/* The diagnostics the child reported, as if reported here. */
static void add_diags(struct project *p, json_t *diags)
{
	size_t i;
	json_t *d;
	json_array_foreach(diags, i, d) {
		struct loc loc = {
			(uint32_t)json_integer_value(json_object_get(d, "file")),
			(uint32_t)json_integer_value(json_object_get(d, "line")),
			(uint32_t)json_integer_value(json_object_get(d, "col")),
			(uint32_t)json_integer_value(json_object_get(d, "end_line")),
			(uint32_t)json_integer_value(json_object_get(d, "end_col")),
		};
		enum diag_code code = (enum diag_code)json_integer_value(json_object_get(d, "code"));
		const char *msg = json_string_value(json_object_get(d, "message"));
		if (json_integer_value(json_object_get(d, "severity")) == SEV_ERROR)
			diag_error(&p->diags, loc, code, "%s", msg ? msg : "");
		else
			diag_warning(&p->diags, loc, code, "%s", msg ? msg : "");
		size_t h;
		json_t *hint;
		json_array_foreach(json_object_get(d, "hints"), h, hint)
			diag_hint(&p->diags, "%s", json_string_value(hint));
	}
}

/* It started (or failed to), and is not a child that could not open the
 * warehouse or the state (that fails the whole batch). */
static bool has_run(const struct job *j)
{
	return (j->collected || j->died) &&
		!(j->outcome && json_object_get(j->outcome, "open_error"));
}

/* Show the audience's run as --jobs 1 would have; true when it counts as failed. */
static bool show(struct project *p, const struct ast_audience *a, const struct run_batch *b,
		 struct job *j)
{
	j->shown = true;
	if (b->before)
		b->before(b->due_arg, a);
	if (b->progress)
		fprintf(stderr, "\033[K");
	bool failed;
	if (j->outcome) {
		/* the daemon's report comes before its failure line, the others' after */
		if (b->failure != RUN_FAILURE_AFTER_REPORT)
			fwrite(j->err_text.buf, 1, j->err_text.len, stderr);
		fwrite(j->out_text.buf, 1, j->out_text.len, stdout);
		if (b->failure == RUN_FAILURE_AFTER_REPORT) {
			fflush(stdout);
			fwrite(j->err_text.buf, 1, j->err_text.len, stderr);
		}
		json_t *report = json_object_get(j->outcome, "report");
		if (report && b->form == RUN_REPORTS_JSON)
			json_array_append(b->reports, report);
		add_diags(p, json_object_get(j->outcome, "diags"));
		failed = json_is_true(json_object_get(j->outcome, "failed"));
	} else {
		/* what it wrote before it ended, then a Failed report */
		fwrite(j->err_text.buf, 1, j->err_text.len, stderr);
		fwrite(j->out_text.buf, 1, j->out_text.len, stdout);
		struct run_report rep = { .result = RUN_FAILED, .error = j->died };
		run_batch_tell(b, a->name, &rep, true);
		failed = true;
	}
	if (b->flush)
		fflush(stdout);
	return failed;
}

static void job_release(struct job *j)
{
	if (j->out)
		fclose(j->out);
	if (j->err)
		fclose(j->err);
	if (j->outcome_file)
		fclose(j->outcome_file);
	sb_release(&j->out_text);
	sb_release(&j->err_text);
	json_decref(j->outcome);
	free(j->died);
}

int run_in_children(struct project *p, struct warehouse *w, struct run_queue *q,
		    const struct run_batch *b, int jobs, struct strbuf *err)
{
	struct job *job = xcalloc(q->n, sizeof(*job));
	for (size_t i = 0; i < q->n; i++) {
		sb_init(&job[i].out_text);
		sb_init(&job[i].err_text);
	}
	volatile sig_atomic_t *pids = xcalloc((size_t)jobs, sizeof(*pids));
	struct sigaction old_int, old_term;
	bool own_signals = !b->stop;
	if (own_signals) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = pass_signal_on;
		sigemptyset(&sa.sa_mask);
		/* no SA_RESTART: waitpid returns to look at got_signal */
		got_signal = 0;
		signal_pids = pids;
		nsignal_pids = (size_t)jobs;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
	}
	int failed = 0, running = 0;
	bool stopping = false, open_failed = false, prepared = false;
	struct run_batch cb = *b; /* the children's: told when lac's tables are made */
	size_t next_show = 0;
	for (;;) {
		/* the reports in the pass's order, as soon as all before them are shown */
		for (; next_show < q->n && q->slot[next_show] == RUN_DONE; next_show++)
			if (has_run(&job[next_show]))
				failed += show(p, q->order[next_show], b, &job[next_show]);
		stopping = stopping || got_signal || (b->stop && *b->stop);
		while (!stopping && !got_signal && running < jobs) {
			size_t i = run_queue_ready(q);
			if (i == q->n)
				break;
			const struct ast_audience *a = q->order[i];
			q->slot[i] = RUN_DONE; /* unless it starts below */
			if (b->due && !b->due(b->due_arg, a))
				continue;
			if (!w->ops && warehouse_open_project(p, WH_READ | WH_WRITE, w, err) != 0) {
				q->slot[i] = RUN_WAITING;
				open_failed = stopping = true;
				break;
			}
			if (!prepared)
				cb.run.tables_ready = run_prepare_warehouse(p, w, a) == 0;
			prepared = true;
			if (start(p, a, &cb, &job[i], pids, (size_t)jobs, own_signals ? &old_int : NULL,
				  own_signals ? &old_term : NULL) != 0)
				continue; /* shown as a failed run */
			q->slot[i] = RUN_STARTED;
			running++;
			if (b->progress)
				fprintf(stderr, "lac: running %s (%zu/%zu)...\r", a->name, i + 1, q->n);
		}
		if (!running && (stopping || run_queue_ready(q) == q->n))
			break;
		if (!running)
			continue;
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break; /* no children left: cannot happen while running > 0 */
		for (int k = 0; k < jobs; k++)
			if (pids[k] == pid)
				pids[k] = 0;
		for (size_t i = 0; i < q->n; i++) {
			if (job[i].pid != pid || job[i].collected)
				continue;
			collect(&job[i], status);
			q->slot[i] = RUN_DONE;
			running--;
			json_t *o = job[i].outcome;
			const char *open_error = o ? json_string_value(json_object_get(o, "open_error")) : NULL;
			if (open_error && !open_failed) {
				sb_reset(err);
				sb_addstr(err, open_error);
				open_failed = stopping = true;
			}
			/* its locks went with the connection: start nothing more */
			if (o && json_is_true(json_object_get(o, "lost")))
				stopping = true;
			break;
		}
	}
	/* a stop leaves gaps: what ran is shown all the same */
	for (size_t i = next_show; i < q->n; i++)
		if (!job[i].shown && has_run(&job[i]))
			failed += show(p, q->order[i], b, &job[i]);
	if (own_signals) {
		signal_pids = NULL;
		nsignal_pids = 0;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	for (size_t i = 0; i < q->n; i++)
		job_release(&job[i]);
	free(job);
	free((void *)pids);
	if (own_signals && got_signal) {
		/* end as a single run would have ended lac */
		fflush(stdout);
		raise(got_signal);
	}
	return open_failed ? -1 : failed;
}
