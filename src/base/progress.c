/*
 * progress.c — the updating progress line (progress.h).
 */
#include <stdlib.h>

#include "base/progress.h"
#include "base/time.h"

/* Quiet for the first moment of a step, then a redraw at most this often. */
#define PROGRESS_DELAY_MS 500
#define PROGRESS_EVERY_MS 200

static bool enabled;

void progress_enable(bool on)
{
	enabled = on;
}

void progress_format(struct strbuf *out, const char *step, const char *unit, int64_t n,
		     int64_t elapsed_ms)
{
	sb_addf(out, "lac: %s: ", step);
	if (unit) {
		/* the rate over the whole step: steadier than the last interval's */
		int64_t rate = elapsed_ms > 0 ? n * 1000 / elapsed_ms : 0;
		sb_addf(out, "%lld %s, %lld %s/s, ", (long long)n, unit, (long long)rate, unit);
	}
	sb_addf(out, "%lld.%llds", (long long)(elapsed_ms / 1000), (long long)(elapsed_ms % 1000 / 100));
}

void progress_begin(struct progress *p, const char *step, const char *unit)
{
	*p = (struct progress){ .step = xstrdup(step), .unit = unit, .start_ms = time_mono_ms() };
}

static void draw(struct progress *p, int64_t now)
{
	struct strbuf line = STRBUF_INIT;
	progress_format(&line, p->step, p->unit, p->n, now - p->start_ms);
	/* over the line before it; \033[K erases what a longer one left */
	fprintf(stderr, "\r%s\033[K", line.buf);
	fflush(stderr);
	sb_release(&line);
	p->drawn = true;
	p->drawn_ms = now;
}

void progress_tick(struct progress *p)
{
	if (!enabled || !p->step)
		return;
	int64_t now = time_mono_ms();
	if (now - p->start_ms < PROGRESS_DELAY_MS || (p->drawn && now - p->drawn_ms < PROGRESS_EVERY_MS))
		return;
	draw(p, now);
}

void progress_show(struct progress *p)
{
	if (enabled && p->step)
		draw(p, time_mono_ms());
}

void progress_add(struct progress *p, int64_t n)
{
	p->n += n;
	progress_tick(p);
}

void progress_end(struct progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	free(p->step);
	p->step = NULL;
	p->drawn = false;
}
