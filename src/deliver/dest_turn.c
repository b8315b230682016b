/*
 * dest_turn.c — one delivery to a destination at a time among the runs of
 * one lac (dest_turn.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>

#include "deliver/dest_turn.h"

static pthread_mutex_t *turns;
static size_t nturns;

int dest_turns_share(size_t n)
{
	dest_turns_unshare();
	if (!n)
		return 0;
	void *m = mmap(NULL, n * sizeof(*turns), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED)
		return -1;
	pthread_mutex_t *t = m;
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	/* a holder that dies (killed mid-delivery) must not stop the others */
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	for (size_t i = 0; i < n; i++) {
		int e = pthread_mutex_init(&t[i], &attr);
		if (e) {
			pthread_mutexattr_destroy(&attr);
			munmap(m, n * sizeof(*turns));
			errno = e;
			return -1;
		}
	}
	pthread_mutexattr_destroy(&attr);
	turns = t;
	nturns = n;
	return 0;
}

void dest_turn_take(size_t i)
{
	if (i >= nturns)
		return;
	/* the outbox rows the dead holder did not record are resent with
	 * their messageIds, as after any crash during a send */
	if (pthread_mutex_lock(&turns[i]) == EOWNERDEAD)
		pthread_mutex_consistent(&turns[i]);
}

void dest_turn_give(size_t i)
{
	if (i < nturns)
		pthread_mutex_unlock(&turns[i]);
}

void dest_turns_unshare(void)
{
	if (!turns)
		return;
	munmap(turns, nturns * sizeof(*turns));
	turns = NULL;
	nturns = 0;
}
