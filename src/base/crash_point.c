/*
 * crash_point.c — the test hook that simulates a kill at a named step.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crash_point.h"

void crash_point(const char *point)
{
	const char *want = getenv("LAC_TEST_CRASH_AFTER");
	if (want && strcmp(want, point) == 0)
		_exit(137);
}
