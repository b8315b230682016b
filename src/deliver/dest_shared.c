/*
 * dest_shared.c — the per-destination records the runs of one lac share
 * (dest_shared.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/pace.h"
#include "base/time.h"
#include "deliver/dest_shared.h"

struct dest_record {
	pthread_mutex_t turn;
	pthread_mutex_t lock;      /* guards what follows; held for microseconds */
	double tat_ms;             /* max_rate: pace_reserve's schedule */
	pid_t flight[DEST_IN_FLIGHT_MAX]; /* max_in_flight: each slot's holder, 0 when free */
};

static struct dest_record *records;
static size_t nrecords;

/* How often a request waiting for a slot looks again: requests take tens
 * of milliseconds or more, so a short poll costs nothing and needs no
 * condition variable (whose waiters a dead holder could not wake). */
#define FLIGHT_POLL_MS 2

static int init_mutex(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	/* a holder that dies (killed mid-delivery) must not stop the others */
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	int e = pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	return e;
}

int dest_shared_map(size_t n)
{
	dest_shared_unmap();
	if (!n)
		return 0;
	void *m = mmap(NULL, n * sizeof(*records), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (m == MAP_FAILED)
		return -1;
	struct dest_record *r = m; /* zero-filled: no schedule, every slot free */
	for (size_t i = 0; i < n; i++) {
		int e = init_mutex(&r[i].turn);
		if (!e)
			e = init_mutex(&r[i].lock);
		if (e) {
			munmap(m, n * sizeof(*records));
			errno = e;
			return -1;
		}
	}
	records = r;
	nrecords = n;
	return 0;
}

void dest_shared_unmap(void)
{
	if (!records)
		return;
	munmap(records, nrecords * sizeof(*records));
	records = NULL;
	nrecords = 0;
}

static void lock(pthread_mutex_t *m)
{
	/* the outbox rows the dead holder did not record are resent with
	 * their messageIds, as after any crash during a send; the fields under
	 * `lock` are each written whole, so they stay usable */
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

void dest_turn_take(size_t i)
{
	if (i < nrecords)
		lock(&records[i].turn);
}

void dest_turn_give(size_t i)
{
	if (i < nrecords)
		pthread_mutex_unlock(&records[i].turn);
}

bool dest_shared_pace(size_t i, double rate, size_t events, double *wait_ms)
{
	if (i >= nrecords)
		return false;
	struct dest_record *r = &records[i];
	lock(&r->lock);
	*wait_ms = pace_reserve(&r->tat_ms, (double)time_mono_ms(), rate, events);
	pthread_mutex_unlock(&r->lock);
	return true;
}

/* A slot whose holder is gone (killed mid-request) is free again. */
static bool slot_free(pid_t holder)
{
	return holder == 0 || (kill(holder, 0) < 0 && errno == ESRCH);
}

int dest_flight_take(size_t i, int max)
{
	if (i >= nrecords || max < 1)
		return -1;
	if (max > DEST_IN_FLIGHT_MAX)
		max = DEST_IN_FLIGHT_MAX;
	struct dest_record *r = &records[i];
	for (;;) {
		lock(&r->lock);
		for (int s = 0; s < max; s++) {
			if (slot_free(r->flight[s])) {
				r->flight[s] = getpid();
				pthread_mutex_unlock(&r->lock);
				return s;
			}
		}
		pthread_mutex_unlock(&r->lock);
		time_sleep_ms(FLIGHT_POLL_MS);
	}
}

void dest_flight_give(size_t i, int slot)
{
	if (i >= nrecords || slot < 0 || slot >= DEST_IN_FLIGHT_MAX)
		return;
	lock(&records[i].lock);
	records[i].flight[slot] = 0;
	pthread_mutex_unlock(&records[i].lock);
}
