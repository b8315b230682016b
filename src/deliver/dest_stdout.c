/*
 * dest_stdout.c — the `stdout` destination: one JSON event per line on
 * standard output (standard error with --format json; or the stream in the
 * configuration), flushed per batch.
 */
#include <errno.h>
#include <string.h>

#include "deliver/dest_private.h"

static FILE *default_stream; /* NULL: stdout */

void dest_stdout_stream(FILE *f)
{
	default_stream = f;
}

static int stdout_open(struct dest *d, struct strbuf *err)
{
	d->priv = d->cfg.out ? d->cfg.out : default_stream ? default_stream : stdout;
	return 0;
}

static int stdout_send(struct dest *d, struct dest_event *evs, size_t n)
{
	FILE *f = d->priv;
	for (size_t i = 0; i < n; i++) {
		fwrite(evs[i].json, 1, evs[i].len, f);
		fputc('\n', f);
	}
	bool ok = fflush(f) == 0 && !ferror(f);
	for (size_t i = 0; i < n; i++) {
		if (ok)
			evs[i].outcome = DEST_DELIVERED;
		else
			dest_event_set(&evs[i], DEST_RETRY, "cannot write to standard output: %s",
				       strerror(errno));
	}
	return ok ? 0 : -1;
}

static void stdout_close(struct dest *d)
{
}

const struct dest_ops dest_stdout_ops = {
	.open = stdout_open, .send = stdout_send, .close = stdout_close,
	.page_events = 1000, .page_bytes = 4 << 20,
};
