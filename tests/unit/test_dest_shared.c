/*
 * test_dest_shared.c — what the runs of one lac share per destination
 * (deliver/dest_shared.c), across forked processes as --jobs forks them:
 * the turn, max_in_flight's request slots and max_rate's schedule; and the
 * schedule itself (base/pace.c).  The limits as a destination sees them:
 * tests/e2e/dest_limits.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/pace.h"
#include "base/time.h"
#include "deliver/dest_shared.h"

/* ---- pace_reserve ------------------------------------------------------------ */

/* One second's events go at once; then each waits its share. */
static void pace_burst_then_rate(void **state)
{
	(void)state;
	double tat = 0;
	assert_true(pace_reserve(&tat, 5000, 10, 10) == 0);   /* the burst: 10 at 10/s */
	double w = pace_reserve(&tat, 5000, 10, 1);
	assert_true(w > 99.9 && w < 100.1);                   /* the 11th: 100 ms later */
	w = pace_reserve(&tat, 5000, 10, 5);
	assert_true(w > 599.9 && w < 600.1);                  /* 5 more: after 600 ms */
	/* after a quiet spell the burst is back, not more */
	assert_true(pace_reserve(&tat, 60000, 10, 10) == 0);
	assert_true(pace_reserve(&tat, 60000, 10, 1) > 0);
}

/* Booked one by one, N events at R a second take (N - R) / R seconds. */
static void pace_holds_the_rate(void **state)
{
	(void)state;
	double tat = 0, last = 0;
	for (int i = 0; i < 250; i++)
		last = pace_reserve(&tat, 0, 50, 1);
	assert_true(last > 3999.9 && last < 4000.1);          /* the 250th: (250 - 50) / 50 s */
	/* a fraction: one event every two seconds */
	tat = 0;
	assert_true(pace_reserve(&tat, 0, 0.5, 1) == 0);
	double w = pace_reserve(&tat, 0, 0.5, 1);
	assert_true(w > 1999.9 && w < 2000.1);
}

/* ---- the turn ------------------------------------------------------------------- */

/* A child holds turn 1 for 300 ms: the parent waits for it; turn 0 is free. */
static void turns_exclude_across_processes(void **state)
{
	(void)state;
	assert_int_equal(dest_shared_map(2), 0);
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dest_turn_take(1);
		if (write(fd[1], "x", 1) != 1)
			_exit(1);
		struct timespec t = { 0, 300 * 1000000L };
		nanosleep(&t, NULL);
		dest_turn_give(1);
		_exit(0);
	}
	char c;
	assert_int_equal(read(fd[0], &c, 1), 1);
	int64_t t0 = time_mono_ms();
	dest_turn_take(0);
	dest_turn_give(0);
	assert_true(time_mono_ms() - t0 < 200);
	dest_turn_take(1);
	assert_true(time_mono_ms() - t0 >= 200);
	dest_turn_give(1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd[0]);
	close(fd[1]);
	dest_shared_unmap();
}

/* A run killed in its turn gives it up by dying. */
static void turn_of_a_dead_holder_is_free(void **state)
{
	(void)state;
	assert_int_equal(dest_shared_map(1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dest_turn_take(0);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(10); /* a deadlock fails the test instead of hanging it */
	dest_turn_take(0);
	dest_turn_give(0);
	dest_turn_take(0);
	dest_turn_give(0);
	alarm(0);
	dest_shared_unmap();
	/* unshared: taking a turn is nothing */
	dest_turn_take(0);
	dest_turn_take(0);
}


/* ---- max_in_flight ------------------------------------------------------------ */

/* Six processes send through two slots: never more than two at once. */
static void flight_slots_hold_across_processes(void **state)
{
	(void)state;
	assert_int_equal(dest_shared_map(1), 0);
	int *seen = mmap(NULL, 2 * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(seen != MAP_FAILED);
	seen[0] = seen[1] = 0; /* now in flight, the most seen */
	pid_t kids[6];
	for (int k = 0; k < 6; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			for (int n = 0; n < 5; n++) {
				int slot = dest_flight_take(0, 2);
				if (slot < 0 || slot > 1)
					_exit(2);
				int now = __atomic_add_fetch(&seen[0], 1, __ATOMIC_SEQ_CST);
				int most = __atomic_load_n(&seen[1], __ATOMIC_SEQ_CST);
				while (now > most &&
				       !__atomic_compare_exchange_n(&seen[1], &most, now, false, __ATOMIC_SEQ_CST,
								   __ATOMIC_SEQ_CST))
					;
				time_sleep_ms(10);
				__atomic_sub_fetch(&seen[0], 1, __ATOMIC_SEQ_CST);
				dest_flight_give(0, slot);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < 6; k++) {
		int status;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(seen[1], 2);
	munmap(seen, 2 * sizeof(int));
	dest_shared_unmap();
	/* nothing shared: no slot, no wait */
	assert_int_equal(dest_flight_take(0, 1), -1);
}

/* A request killed in flight frees its slot by dying. */
static void flight_slot_of_a_dead_holder_is_free(void **state)
{
	(void)state;
	assert_int_equal(dest_shared_map(1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dest_flight_take(0, 1);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(10); /* a slot never freed fails the test instead of hanging it */
	int slot = dest_flight_take(0, 1);
	alarm(0);
	assert_int_equal(slot, 0);
	dest_flight_give(0, slot);
	dest_shared_unmap();
}

/* ---- max_rate ------------------------------------------------------------------ */

/* Two processes book on one schedule: the second pays for the first's burst. */
static void pace_is_shared_across_processes(void **state)
{
	(void)state;
	assert_int_equal(dest_shared_map(2), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		double w;
		_exit(dest_shared_pace(1, 10, 10, &w) && w == 0 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	double w;
	assert_true(dest_shared_pace(1, 10, 10, &w));
	assert_true(w > 900 && w <= 1000);                    /* ~1 s, less the time since */
	assert_true(dest_shared_pace(0, 10, 10, &w) && w == 0); /* another destination */
	dest_shared_unmap();
	assert_false(dest_shared_pace(0, 10, 10, &w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pace_burst_then_rate),
		cmocka_unit_test(pace_holds_the_rate),
		cmocka_unit_test(turns_exclude_across_processes),
		cmocka_unit_test(turn_of_a_dead_holder_is_free),
		cmocka_unit_test(flight_slots_hold_across_processes),
		cmocka_unit_test(flight_slot_of_a_dead_holder_is_free),
		cmocka_unit_test(pace_is_shared_across_processes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
