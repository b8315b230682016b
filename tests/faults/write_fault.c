/*
 * write_fault.c — an LD_PRELOAD shim that makes a disk fill up: once
 * LAC_FAULT_BYTES bytes have been written to files whose path contains
 * LAC_FAULT_PATH, write/pwrite fail with ENOSPC (a write that crosses the
 * limit is cut short first, as a full disk does), and with LAC_FAULT_FSYNC=1
 * fsync/fdatasync on those files fail with EIO instead; with
 * LAC_FAULT_FSYNC_ONCE=N only the Nth of them fails (a transient I/O error:
 * the Nth commit of an SQLite file), which the shim tells on stderr.  Other
 * files (the terminal, pipes, the rest of the disk) are left alone, so lac
 * can still say what went wrong.  Used by tests/faults/disk_full.sh and
 * commit_faults.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long long budget = -1; /* bytes still allowed; -1: not read yet */

/* Is fd a file the fault is aimed at? */
static int targeted(int fd)
{
	const char *want = getenv("LAC_FAULT_PATH");
	if (!want || !*want)
		return 0;
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, want) != NULL;
}

/* How much of a write of n bytes may go through: n, less, or -1 (ENOSPC). */
static ssize_t allowed(int fd, size_t n)
{
	if (!targeted(fd))
		return (ssize_t)n;
	if (budget < 0) {
		const char *b = getenv("LAC_FAULT_BYTES");
		budget = b ? atoll(b) : LLONG_MAX;
	}
	if (budget == 0 && n > 0) {
		errno = ENOSPC;
		return -1;
	}
	size_t ok = (long long)n > budget ? (size_t)budget : n;
	budget -= (long long)ok;
	return (ssize_t)ok;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

/* the libc function the shim stands in front of */
#define REAL(name, type) \
	static type real_##name; \
	if (!real_##name) \
		real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write, write_fn);
	ssize_t ok = allowed(fd, n);
	return ok < 0 ? -1 : real_write(fd, buf, (size_t)ok);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite, pwrite_fn);
	ssize_t ok = allowed(fd, n);
	return ok < 0 ? -1 : real_pwrite(fd, buf, (size_t)ok, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite64, pwrite_fn);
	ssize_t ok = allowed(fd, n);
	return ok < 0 ? -1 : real_pwrite64(fd, buf, (size_t)ok, off);
}

static long long syncs; /* fsyncs of targeted files so far */

static int sync_fails(int fd)
{
	if (!targeted(fd))
		return 0;
	const char *f = getenv("LAC_FAULT_FSYNC");
	const char *once = getenv("LAC_FAULT_FSYNC_ONCE");
	int fails = f && strcmp(f, "1") == 0;
	if (once && ++syncs == atoll(once)) {
		fprintf(stderr, "write_fault: fsync %lld failed\n", syncs);
		fails = 1;
	}
	if (fails)
		errno = EIO;
	return fails;
}

int fsync(int fd)
{
	REAL(fsync, sync_fn);
	return sync_fails(fd) ? -1 : real_fsync(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync, sync_fn);
	return sync_fails(fd) ? -1 : real_fdatasync(fd);
}
