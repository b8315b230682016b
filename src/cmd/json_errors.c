/*
 * json_errors.c — `--format json` errors as JSON.  stdout and stderr are
 * replaced by glibc cookie streams that write through to descriptors 1
 * and 2: one counts what stdout got, the other keeps stderr's last
 * "lac: " line.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json_print.h"
#include "base/util.h"
#include "cmd/json_errors.h"

static FILE *real_out, *real_err;
static size_t out_bytes;
static int out_errno;                          /* a write to stdout failed: why */
static struct strbuf err_line = STRBUF_INIT;  /* stderr's line in progress */
static char *last_error;

static ssize_t write_all(int fd, const char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, buf + done, n - done);
		if (w < 0)
			return done ? (ssize_t)done : -1;
		done += (size_t)w;
	}
	return (ssize_t)n;
}

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	out_bytes += n;
	ssize_t w = write_all(STDOUT_FILENO, buf, n);
	if (w < (ssize_t)n && !out_errno)
		out_errno = w < 0 ? errno : EIO;
	return w;
}

/* A whole stderr line: remember it when it is one of lac's messages. */
static void err_line_done(void)
{
	if (strncmp(err_line.buf, "lac: ", 5) == 0) {
		const char *msg = err_line.buf + 5;
		if (strncmp(msg, "error: ", 7) == 0)
			msg += 7;
		if (strncmp(msg, "warning: ", 9) != 0) {
			free(last_error);
			last_error = xstrdup(msg);
		}
	}
	sb_setlen(&err_line, 0);
}

static ssize_t err_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			err_line_done();
		else if (err_line.len < 4096)   /* a message, not a stream of events */
			sb_addch(&err_line, buf[i]);
	}
	return write_all(STDERR_FILENO, buf, n);
}

void json_errors_begin(void)
{
	cookie_io_functions_t out_fns = { .write = out_write };
	cookie_io_functions_t err_fns = { .write = err_write };
	FILE *o = fopencookie(NULL, "w", out_fns);
	FILE *e = fopencookie(NULL, "w", err_fns);
	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		return; /* errors then print as text only */
	}
	fflush(stdout);
	fflush(stderr);
	real_out = stdout;
	real_err = stderr;
	setvbuf(e, NULL, _IONBF, 0);  /* stderr stays unbuffered */
	stdout = o;
	stderr = e;
}

const char *json_errors_last(void)
{
	return last_error;
}

int json_errors_end(int rc)
{
	if (!real_out)
		return 0;
	fflush(stdout);
	fflush(stderr);
	if (err_line.len)
		err_line_done();
	if (rc != 0 && out_bytes == 0) {
		json_t *doc = json_pack("{s:s}", "error", last_error ? last_error : "failed");
		json_print_doc(stdout, doc);
		json_decref(doc);
		fflush(stdout);
	}
	fclose(stdout);
	fclose(stderr);
	stdout = real_out;
	stderr = real_err;
	real_out = real_err = NULL;
	free(last_error);
	last_error = NULL;
	sb_release(&err_line);
	int e = out_errno;
	out_errno = 0;
	return e;
}

void json_errors_add(json_t *errors, const char *code, const char *message, const char *audience)
{
	struct strbuf msg = STRBUF_INIT;
	sb_add_utf8(&msg, message, strlen(message)); /* a warehouse's bytes may not be UTF-8 */
	json_array_append_new(errors, json_pack("{s:s, s:s, s:s?}", "code", code, "message", msg.buf,
						"audience", audience));
	sb_release(&msg);
}

void json_errors_add_runs(json_t *errors, const json_t *reports)
{
	size_t i;
	const json_t *r;
	json_array_foreach(reports, i, r) {
		if (!str_eq(json_string_value(json_object_get(r, "result")), "Failed"))
			continue;
		const char *why = json_string_value(json_object_get(r, "error"));
		json_errors_add(errors, json_is_null(json_object_get(r, "run_id")) ? "not-started" : "run-failed",
				why ? why : "the run failed",
				json_string_value(json_object_get(r, "audience")));
	}
}

void json_errors_add_diags(json_t *errors, const struct diag_sink *d, size_t from)
{
	for (size_t i = from; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		if (g->severity != SEV_ERROR)
			continue;
		char *msg = g->loc.file ? xasprintf("%s:%u: %s", source_path(d->sources, g->loc.file),
						    g->loc.line, g->message)
					: xstrdup(g->message);
		json_errors_add(errors, diag_code_name(g->code), msg, NULL);
		free(msg);
	}
}
