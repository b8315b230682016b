/*
 * crash_point.h — the test hooks that simulate a kill, or hold a process
 * still, at a named step.
 */
#ifndef LAC_CRASH_POINT_H
#define LAC_CRASH_POINT_H

/* Tests only.  Points: snapshot, outbox, generation, swap_members,
 * swap_entities, swap (run steps; docs/runs.md "Crashes"), send (a
 * destination took a page whose outcome is not recorded yet) and
 * lock:<id> (the lock was just taken, e.g. lock:apply, lock:run:pets).
 *
 * LAC_TEST_CRASH_AFTER=<point> ends the process with exit status 137 when
 * it reaches that point (a simulated kill).
 *
 * LAC_TEST_PAUSE_AFTER=<point> with LAC_TEST_PAUSE_FILE=<path> holds the
 * process there: it writes its pid to <path>.paused, then sleeps until
 * <path> exists (at most 5 minutes), and goes on.  A test holds a lock, or a run half done,
 * for as long as it needs (tests/e2e/locks.sh). */
void crash_point(const char *point);

#endif
