/*
 * crash_point.c — the test hooks that simulate a kill, or hold a process
 * still, at a named step (crash_point.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/crash_point.h"
#include "base/util.h"

/* Say "paused" (<file>.paused, with the pid), then wait for <file>. */
static void pause_until(const char *file)
{
	char *paused = xasprintf("%s.paused", file);
	FILE *f = fopen(paused, "w");
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	free(paused);
	/* a test that died without saying "go on" leaves no process behind for long */
	struct timespec tick = { 0, 20 * 1000000L };
	for (int waited_ms = 0; access(file, F_OK) != 0 && waited_ms < 300000; waited_ms += 20)
		nanosleep(&tick, NULL);
}

void crash_point(const char *point)
{
	const char *want = getenv("LAC_TEST_CRASH_AFTER");
	if (want && strcmp(want, point) == 0)
		_exit(137);
	const char *pause = getenv("LAC_TEST_PAUSE_AFTER");
	const char *file = getenv("LAC_TEST_PAUSE_FILE");
	if (pause && file && strcmp(pause, point) == 0)
		pause_until(file);
}
