/* test_progress.c — base/progress (the updating line) and base/verbose (the
 * -v log): their text, and that nothing is written while they are off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/progress.h"
#include "base/verbose.h"

static void format_line(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	progress_format(&sb, "a: snapshot", NULL, 0, 1234);
	assert_string_equal(sb.buf, "lac: a: snapshot: 1.2s");
	sb_reset(&sb);
	progress_format(&sb, "a: queueing", "events", 500, 2000);
	assert_string_equal(sb.buf, "lac: a: queueing: 500 events, 250 events/s, 2.0s");
	sb_reset(&sb);
	/* no time yet: no rate rather than a division by zero */
	progress_format(&sb, "b", "rows", 7, 0);
	assert_string_equal(sb.buf, "lac: b: 7 rows, 0 rows/s, 0.0s");
	sb_release(&sb);
}

/* What fn writes to stderr. */
static char *stderr_of(void (*fn)(void))
{
	char path[] = "/tmp/lac-progress-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *buf = xcalloc(1, 4096);
	ssize_t n = pread(fd, buf, 4095, 0);
	assert_true(n >= 0);
	close(fd);
	unlink(path);
	return buf;
}

static void a_step(void)
{
	struct progress p;
	progress_begin(&p, "x: snapshot", NULL);
	progress_show(&p);
	progress_add(&p, 3); /* too soon after the last draw: not drawn again */
	progress_end(&p);
}

static void shown_only_when_enabled(void **state)
{
	(void)state;
	progress_enable(false);
	char *out = stderr_of(a_step);
	assert_string_equal(out, "");
	free(out);
	progress_enable(true);
	out = stderr_of(a_step);
	/* drawn over the line, then erased */
	assert_string_equal(out, "\rlac: x: snapshot: 0.0s\033[K\r\033[K");
	free(out);
	progress_enable(false);
}

static void a_log(void)
{
	verbose_log("warehouse: %d ms: %s", 3, "SELECT 1\nFROM t");
}

static void verbose_lines(void **state)
{
	(void)state;
	verbose_enable(false);
	assert_false(verbose_on());
	char *out = stderr_of(a_log);
	assert_string_equal(out, "");
	free(out);
	verbose_enable(true);
	assert_true(verbose_on());
	out = stderr_of(a_log);
	/* one line per entry: the statement's newline became a space */
	assert_string_equal(out, "lac: v: warehouse: 3 ms: SELECT 1 FROM t\n");
	free(out);
	verbose_enable(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_line),
		cmocka_unit_test(shown_only_when_enabled),
		cmocka_unit_test(verbose_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
