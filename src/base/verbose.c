/*
 * verbose.c — the `-v` log (verbose.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/verbose.h"

static bool enabled;

void verbose_enable(bool on)
{
	enabled = on;
}

bool verbose_on(void)
{
	return enabled;
}

void verbose_log(const char *fmt, ...)
{
	if (!enabled)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* a statement spans lines: the log keeps one per entry */
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
			sb.buf[i] = ' ';
	fprintf(stderr, "lac: v: %s\n", sb.buf);
	sb_release(&sb);
}
