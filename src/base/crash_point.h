/*
 * crash_point.h — the test hook that simulates a kill at a named step.
 */
#ifndef LAC_CRASH_POINT_H
#define LAC_CRASH_POINT_H

/* Tests only: LAC_TEST_CRASH_AFTER=<point> ends the process with exit
 * status 137 when it reaches that point (a simulated kill).  Points:
 * snapshot, outbox, swap (run steps) and send (a destination took a page
 * whose outcome is not recorded yet). */
void crash_point(const char *point);

#endif
