/*
 * state_lock.c — the state's locks (SPEC §1.2, docs/gitops.md "Locks"):
 * `apply` and `run:<audience>`, which die with the process that holds them.
 *
 * PostgreSQL: a session advisory lock on the one connection that does the
 * process's state writes, on a 64-bit key from the schema and the lock id
 * (sdb_begin's transaction lock uses hashtext(), a 32-bit key: they never
 * meet in practice).  The holder's details are a row of lock_holders,
 * believed only while its backend still holds the advisory lock.
 *
 * SQLite: flock() on a file per lock in the directory <state file>-locks/,
 * which the kernel releases when the process ends, on whichever host; the
 * file holds its holder's details while it is locked.  Files are never
 * removed (removing one that another process has open would let two hold
 * the "same" lock).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/crash_point.h"
#include "base/sha256.h"
#include "base/time.h"
#include "state/state_info.h"
#include "state/state_private.h"

/* How often a waiting lock is tried again. */
#define POLL_MS 200
/* A holder that has its lock but has not written its details yet gets this
 * long to do so before it is reported as unknown. */
#define HOLDER_GRACE_MS 2000

bool state_lock_id_valid(const char *id)
{
	if (!id)
		return false;
	if (strcmp(id, "apply") == 0)
		return true;
	if (!str_starts(id, "run:"))
		return false;
	/* an audience name: the language's identifier */
	const char *a = id + strlen("run:");
	if (!(*a == '_' || (*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z')))
		return false;
	for (; *a; a++)
		if (!(*a == '_' || (*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') ||
		      (*a >= '0' && *a <= '9')))
			return false;
	return true;
}

static void this_host(struct strbuf *out)
{
	char host[256];
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	sb_addstr(out, host);
}

/* The one wording of a holder (SPEC §1.2). */
static void describe_holder(struct strbuf *out, const char *command, long long pid, const char *host,
			    int64_t since)
{
	char ts[32];
	time_format_iso(since, ts);
	sb_addf(out, "held by %s pid %lld on %s since %s", command, pid, host, ts);
}

static struct held_lock *find_held(struct state *st, const char *id)
{
	for (size_t i = 0; i < st->nlocks; i++)
		if (strcmp(st->locks[i].id, id) == 0)
			return &st->locks[i];
	return NULL;
}

/* ---- SQLite: a flock'ed file per lock ---------------------------------------- */

/* <state file>-locks/<id>, ':' written '-' ("run:pets" is run-pets). */
static char *lock_file(const struct state *st, const char *id)
{
	char *p = xasprintf("%s-locks/%s", st->path, id);
	char *name = strrchr(p, '/') + 1;
	for (char *c = name; *c; c++)
		if (*c == ':')
			*c = '-';
	return p;
}

/* The holder's details as the file keeps them: command, pid, host and
 * since, a line each.  False when the holder has not written them yet;
 * line[] points into text. */
static bool holder_lines(int fd, struct strbuf *text, char *line[4])
{
	char buf[512];
	ssize_t n;
	off_t off = 0;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		sb_addmem(text, buf, (size_t)n);
		off += n;
	}
	char *p = text->buf;
	size_t k;
	for (k = 0; k < 4 && p && *p; k++) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		line[k] = p;
		p = nl + 1;
	}
	return k == 4;
}

/* The holder as describe_holder words it; empty when not written yet. */
static void read_holder_file(int fd, struct strbuf *holder)
{
	struct strbuf text = STRBUF_INIT;
	char *line[4];
	if (holder_lines(fd, &text, line))
		describe_holder(holder, line[0], strtoll(line[1], NULL, 10), line[2], strtoll(line[3], NULL, 10));
	sb_release(&text);
}

static int write_holder_file(int fd, const char *command)
{
	struct strbuf rec = STRBUF_INIT;
	sb_addf(&rec, "%s\n%lld\n", command, (long long)getpid());
	this_host(&rec);
	sb_addf(&rec, "\n%lld\n", (long long)time(NULL));
	int rc = ftruncate(fd, 0) == 0 && pwrite(fd, rec.buf, rec.len, 0) == (ssize_t)rec.len ? 0 : -1;
	sb_release(&rec);
	return rc;
}

/* 0 taken (*fd_out), 1 held (holder says by whom, when it could tell), -1 error. */
static int sqlite_take(struct state *st, const char *id, const char *command, int *fd_out,
		       struct strbuf *holder, struct strbuf *err)
{
	char *dir = xasprintf("%s-locks", st->path);
	char *path = lock_file(st, id);
	int rc = -1;
	int fd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		sb_addf(err, "cannot create the lock directory %s: %s", dir, strerror(errno));
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		sb_addf(err, "cannot open the lock file %s: %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		if (write_holder_file(fd, command) < 0) {
			sb_addf(err, "cannot write the lock file %s: %s", path, strerror(errno));
			goto out;
		}
		*fd_out = fd;
		fd = -1;
		rc = 0;
	} else if (errno == EWOULDBLOCK) {
		read_holder_file(fd, holder);
		rc = 1;
	} else {
		sb_addf(err, "cannot lock %s: %s", path, strerror(errno));
	}
out:
	if (fd >= 0)
		close(fd); /* never the fd of a lock taken: that would release it */
	free(dir);
	free(path);
	return rc;
}

static void sqlite_release(struct held_lock *h)
{
	/* a lock file that is not locked says nothing about a holder */
	if (ftruncate(h->fd, 0) < 0) {
		/* a stale record is ignored anyway: the file is not locked */
	}
	close(h->fd);
}

static int sqlite_break(struct state *st, const char *id, struct strbuf *holder, struct strbuf *err)
{
	char *path = lock_file(st, id);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int rc = -1;
	if (fd < 0) {
		if (errno == ENOENT)
			rc = STATE_LOCK_NOT_HELD; /* never taken */
		else
			sb_addf(err, "cannot open the lock file %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* the holder is gone (the kernel released its lock): clear its record */
		if (ftruncate(fd, 0) < 0) {
			sb_addf(err, "cannot clear the lock file %s: %s", path, strerror(errno));
		} else {
			rc = STATE_LOCK_NOT_HELD;
		}
	} else if (errno == EWOULDBLOCK) {
		read_holder_file(fd, holder);
		rc = STATE_LOCK_HOLDER_ALIVE;
	} else {
		sb_addf(err, "cannot lock %s: %s", path, strerror(errno));
	}
	close(fd);
	free(path);
	return rc;
}

/* ---- PostgreSQL: session advisory locks ------------------------------------------ */

/* The advisory key of lock id in this state's schema. */
static int64_t pg_key(const struct state *st, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "lac_lock:%s", st->schema);
	sb_addch(&sb, '\0');
	sb_addstr(&sb, id);
	unsigned char md[SHA256_LEN];
	sha256_digest(sb.buf, sb.len, md);
	sb_release(&sb);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = k << 8 | md[i];
	return (int64_t)k;
}

/* pg_locks' row of a session advisory lock on key k (the bigint form). */
#define PG_LOCK_ROW \
	"a.locktype = 'advisory' AND a.granted AND a.objsubid = 1" \
	" AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())" \
	" AND a.classid::bigint = ?2 AND a.objid::bigint = ?3"

/* Bind id and the two halves pg_locks shows of its key as ?1, ?2, ?3. */
static struct sdb_stmt *prep_lock_row(struct state *st, const char *sql, const char *id)
{
	uint64_t k = (uint64_t)pg_key(st, id);
	struct sdb_stmt *s = sdb_prepare(st->db, sql);
	if (!s || sdb_bind_text(s, 1, id, SIZE_MAX) < 0 || sdb_bind_int64(s, 2, (int64_t)(k >> 32)) < 0 ||
	    sdb_bind_int64(s, 3, (int64_t)(k & 0xffffffffu)) < 0) {
		sdb_reset(s);
		return NULL;
	}
	return s;
}

/* Who holds id now, other than this connection: 1 held (*backend its
 * backend pid; holder empty while its row is not written), 0 free, -1 error. */
static int pg_holder(struct state *st, const char *id, struct strbuf *holder, int64_t *backend)
{
	struct sdb_stmt *s = prep_lock_row(st,
		"SELECT a.pid, l.command, l.pid, l.host, l.since FROM pg_locks AS a"
		" LEFT JOIN lock_holders AS l ON l.id = ?1 AND l.backend_pid = a.pid"
		" WHERE " PG_LOCK_ROW " AND a.pid <> pg_backend_pid()", id);
	if (!s)
		return -1;
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*backend = sdb_column_int64(s, 0);
		if (!sdb_column_is_null(s, 1))
			describe_holder(holder, sdb_column_text(s, 1), (long long)sdb_column_int64(s, 2),
					sdb_column_text(s, 3), sdb_column_int64(s, 4));
	}
	sdb_reset(s);
	return rc == SDB_ROW ? 1 : rc == SDB_DONE ? 0 : -1;
}

static int pg_take(struct state *st, const char *id, const char *command, struct strbuf *holder,
		   struct strbuf *err)
{
	struct sdb_stmt *s = sdb_prepare(st->db, "SELECT pg_try_advisory_lock(?1)");
	if (!s || sdb_bind_int64(s, 1, pg_key(st, id)) < 0 || sdb_step(s) != SDB_ROW) {
		sdb_reset(s);
		goto fail;
	}
	bool taken = str_eq(sdb_column_text(s, 0), "t");
	sdb_reset(s);
	if (!taken) {
		int64_t backend;
		if (pg_holder(st, id, holder, &backend) < 0)
			goto fail;
		return 1;
	}
	/* the details for a contender's message; a stale row is replaced */
	struct strbuf host = STRBUF_INIT;
	this_host(&host);
	s = sdb_prepare(st->db,
		"INSERT INTO lock_holders (id, command, pid, host, since, backend_pid)"
		" VALUES (?1, ?2, ?3, ?4, ?5, pg_backend_pid()) ON CONFLICT (id) DO UPDATE SET"
		" command = excluded.command, pid = excluded.pid, host = excluded.host,"
		" since = excluded.since, backend_pid = excluded.backend_pid");
	int rc = s && sdb_bind_text(s, 1, id, SIZE_MAX) == 0 && sdb_bind_text(s, 2, command, SIZE_MAX) == 0 &&
		 sdb_bind_int64(s, 3, (int64_t)getpid()) == 0 && sdb_bind_text(s, 4, host.buf, SIZE_MAX) == 0 &&
		 sdb_bind_int64(s, 5, (int64_t)time(NULL)) == 0 ? sdb_run(s) : (sdb_reset(s), -1);
	sb_release(&host);
	if (rc < 0) {
		sb_addf(err, "%s: %s", st->path, sdb_errmsg(st->db));
		struct sdb_stmt *u = sdb_prepare(st->db, "SELECT pg_advisory_unlock(?1)");
		if (u && sdb_bind_int64(u, 1, pg_key(st, id)) == 0)
			sdb_run(u);
		else
			sdb_reset(u);
		return -1;
	}
	return 0;
fail:
	sb_addf(err, "%s: %s", st->path, sdb_errmsg(st->db));
	return -1;
}

static void pg_release(struct state *st, const char *id)
{
	struct sdb_stmt *s = sdb_prepare(st->db, "DELETE FROM lock_holders WHERE id = ?1"
					 " AND backend_pid = pg_backend_pid()");
	if (s && sdb_bind_text(s, 1, id, SIZE_MAX) == 0)
		sdb_run(s);
	else
		sdb_reset(s);
	s = sdb_prepare(st->db, "SELECT pg_advisory_unlock(?1)");
	if (s && sdb_bind_int64(s, 1, pg_key(st, id)) == 0)
		sdb_run(s);
	else
		sdb_reset(s);
}

static int pg_break(struct state *st, const char *id, struct strbuf *holder, struct strbuf *err)
{
	int64_t backend = 0;
	int held = pg_holder(st, id, holder, &backend);
	if (held < 0)
		goto fail;
	bool was_held = held == 1;
	if (was_held) {
		struct sdb_stmt *s = sdb_prepare(st->db, "SELECT pg_terminate_backend(?1::integer)");
		if (!s || sdb_bind_int64(s, 1, backend) < 0 || sdb_step(s) != SDB_ROW) {
			sdb_reset(s);
			goto fail;
		}
		bool ended = str_eq(sdb_column_text(s, 0), "t");
		sdb_reset(s);
		if (!ended) {
			sb_addf(err, "cannot end the session (backend %lld) that holds lock '%s'",
				(long long)backend, id);
			return -1;
		}
		/* the server releases the lock when the session is gone */
		struct strbuf ignored = STRBUF_INIT;
		int64_t deadline = time_mono_ms() + 10000;
		int64_t other;
		while ((held = pg_holder(st, id, &ignored, &other)) == 1 && other == backend &&
		       time_mono_ms() < deadline) {
			sb_reset(&ignored);
			time_sleep_ms(50);
		}
		sb_release(&ignored);
		if (held < 0)
			goto fail;
	}
	/* the row of a holder whose session is gone (it was ended, or it died) */
	struct sdb_stmt *d = prep_lock_row(st, "DELETE FROM lock_holders AS l WHERE l.id = ?1"
					   " AND NOT EXISTS (SELECT 1 FROM pg_locks AS a"
					   " WHERE a.pid = l.backend_pid AND " PG_LOCK_ROW ")", id);
	if (sdb_run(d) < 0)
		goto fail;
	return was_held ? STATE_LOCK_BROKEN : STATE_LOCK_NOT_HELD;
fail:
	sb_addf(err, "%s: %s", st->path, sdb_errmsg(st->db));
	return -1;
}

/* ---- the interface ---------------------------------------------------------------- */

int state_lock(struct state *st, const char *id, const char *command, int64_t timeout_ms, struct strbuf *err)
{
	if (!state_lock_id_valid(id)) {
		sb_addf(err, "'%s' is not a lock id (apply or run:<audience>)", id ? id : "");
		return -1;
	}
	if (st->readonly) {
		sb_addf(err, "%s: a read-only state takes no locks", st->path);
		return -1;
	}
	struct held_lock *h = find_held(st, id);
	if (h) {
		h->depth++;
		return 0;
	}
	int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct strbuf holder = STRBUF_INIT;
	for (;;) {
		sb_reset(&holder);
		int fd = -1;
		int rc = st->schema ? pg_take(st, id, command, &holder, err)
			 : sqlite_take(st, id, command, &fd, &holder, err);
		if (rc == 0) {
			struct held_lock nh = { .id = xstrdup(id), .depth = 1, .fd = fd };
			VEC_PUSH(st->locks, st->nlocks, st->clocks, nh);
			sb_release(&holder);
			char *point = xasprintf("lock:%s", id);
			crash_point(point);
			free(point);
			return 0;
		}
		if (rc < 0) {
			sb_release(&holder);
			return -1;
		}
		int64_t now = time_mono_ms();
		bool known = holder.len > 0;
		if (now >= deadline && (known || now >= deadline + HOLDER_GRACE_MS)) {
			sb_addstr(err, known ? holder.buf : "held by another lac that has not recorded "
				  "its details (yet)");
			sb_release(&holder);
			return 1;
		}
		/* a holder not yet known is asked again soon */
		int64_t wait = now < deadline ? deadline - now : 20;
		time_sleep_ms(wait < POLL_MS ? wait : POLL_MS);
	}
}

static void release_at(struct state *st, size_t i)
{
	struct held_lock *h = &st->locks[i];
	if (st->schema)
		pg_release(st, h->id);
	else
		sqlite_release(h);
	free(h->id);
	memmove(h, h + 1, (st->nlocks - i - 1) * sizeof(*h));
	st->nlocks--;
}

void state_unlock(struct state *st, const char *id)
{
	for (size_t i = 0; i < st->nlocks; i++) {
		if (strcmp(st->locks[i].id, id) != 0)
			continue;
		if (--st->locks[i].depth == 0)
			release_at(st, i);
		return;
	}
}

void state_unlock_all(struct state *st)
{
	while (st->nlocks)
		release_at(st, st->nlocks - 1);
	free(st->locks);
	st->locks = NULL;
	st->clocks = 0;
}

int state_lock_check(struct state *st, struct strbuf *err)
{
	if (!st->schema || !st->nlocks)
		return 0; /* a file's locks live as long as the process */
	if (sdb_exec(st->db, "SELECT 1") == 0)
		return 0;
	sb_addf(err, "%s: %s", st->path, sdb_errmsg(st->db));
	return -1;
}

bool state_lost(const struct state *st)
{
	return sdb_lost(st->db);
}

int state_break_lock(struct state *st, const char *id, struct strbuf *holder, struct strbuf *err)
{
	if (!state_lock_id_valid(id)) {
		sb_addf(err, "'%s' is not a lock id (apply or run:<audience>)", id ? id : "");
		return -1;
	}
	if (find_held(st, id)) {
		sb_addf(err, "lock '%s' is held by this process", id);
		return -1;
	}
	return st->schema ? pg_break(st, id, holder, err) : sqlite_break(st, id, holder, err);
}

/* ---- what is held (`lac state show`) ------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does /proc/locks list an flock on the file open as fd?  It is read without
 * taking a lock (probing with flock could make a process that takes the
 * lock at that moment fail).  False where there is no /proc/locks. */
static bool flock_listed(int fd)
{
	struct stat sb;
	FILE *f = fstat(fd, &sb) == 0 ? fopen("/proc/locks", "r") : NULL;
	if (!f)
		return false;
	/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (waiters have "->") */
	char kind[16], arrow[4];
	unsigned maj, min;
	unsigned long long ino;
	bool held = false;
	char *line = NULL;
	size_t cap = 0;
	while (!held && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%*d: %3s", arrow) == 1 && strcmp(arrow, "->") == 0)
			continue;
		if (sscanf(line, "%*d: %15s %*s %*s %*d %x:%x:%llu", kind, &maj, &min, &ino) == 4)
			held = strcmp(kind, "FLOCK") == 0 && ino == (unsigned long long)sb.st_ino &&
			       maj == major(sb.st_dev) && min == minor(sb.st_dev);
	}
	free(line);
	fclose(f);
	return held;
}

/* Is the lock whose file is open as fd (holder in line[]: command, pid,
 * host, since) held?  A holder clears the file when it releases; one that
 * was killed leaves it, so a recorded holder counts when /proc/locks lists
 * the lock, or when it ran on this host and its pid is alive (file
 * systems such as overlayfs show other inode numbers in /proc/locks);
 * one on another host is believed. */
static bool lock_file_held(int fd, char *const line[4])
{
	if (flock_listed(fd))
		return true;
	struct strbuf host = STRBUF_INIT;
	this_host(&host);
	bool here = strcmp(host.buf, line[2]) == 0;
	sb_release(&host);
	if (!here)
		return true;
	pid_t pid = (pid_t)strtol(line[1], NULL, 10);
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The lock files whose lock is taken, in name order. */
static int sqlite_list(struct state *st, int (*fn)(const struct state_lock_info *, void *), void *ctx)
{
	char *dir = xasprintf("%s-locks", st->path);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return errno == ENOENT ? 0 : -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap)
			names = xrealloc(names, (cap = cap ? 2 * cap : 8) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		struct strbuf text = STRBUF_INIT;
		char *line[4];
		if (rc == 0 && holder_lines(fd, &text, line) && lock_file_held(fd, line)) {
			/* "run-pets" is run:pets (lock_file) */
			char *id = names[i];
			char *dash = strchr(id, '-');
			if (dash)
				*dash = ':';
			struct state_lock_info l = { .id = id, .command = line[0], .pid = strtoll(line[1], NULL, 10),
						     .host = line[2], .since = strtoll(line[3], NULL, 10) };
			rc = fn(&l, ctx);
		}
		sb_release(&text);
		close(fd);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return rc;
}

/* The rows of lock_holders whose backend still holds the lock. */
static int pg_list(struct state *st, int (*fn)(const struct state_lock_info *, void *), void *ctx)
{
	struct sdb_stmt *s = sdb_prepare(st->db, "SELECT id, command, pid, host, since, backend_pid"
					 " FROM lock_holders ORDER BY id");
	if (!s)
		return -1;
	struct row { char *id, *command, *host; int64_t pid, since, backend; } *rows = NULL;
	size_t n = 0, cap = 0;
	int step;
	while ((step = sdb_step(s)) == SDB_ROW) {
		if (n == cap)
			rows = xrealloc(rows, (cap = cap ? 2 * cap : 8) * sizeof(*rows));
		rows[n++] = (struct row){ xstrdup(sdb_column_text(s, 0)), xstrdup(sdb_column_text(s, 1)),
					  xstrdup(sdb_column_text(s, 3)), sdb_column_int64(s, 2),
					  sdb_column_int64(s, 4), sdb_column_int64(s, 5) };
	}
	sdb_reset(s);
	int rc = step < 0 ? -1 : 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct sdb_stmt *q = prep_lock_row(st, "SELECT count(*) FROM pg_locks AS a, lock_holders AS l"
						   " WHERE l.id = ?1 AND a.pid = l.backend_pid AND " PG_LOCK_ROW,
						   rows[i].id);
		int held = q && sdb_step(q) == SDB_ROW ? sdb_column_int64(q, 0) > 0 : -1;
		sdb_reset(q);
		if (held < 0) {
			rc = -1;
		} else if (held) {
			struct state_lock_info l = { .id = rows[i].id, .command = rows[i].command,
						     .pid = rows[i].pid, .host = rows[i].host, .since = rows[i].since };
			rc = fn(&l, ctx);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(rows[i].id);
		free(rows[i].command);
		free(rows[i].host);
	}
	free(rows);
	return rc;
}

int state_list_locks(struct state *st, int (*fn)(const struct state_lock_info *, void *), void *ctx)
{
	return st->schema ? pg_list(st, fn, ctx) : sqlite_list(st, fn, ctx);
}
