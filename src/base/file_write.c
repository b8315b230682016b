/*
 * file_write.c — file_write_atomic and file_write_private: the temporary
 * file, the rename.
 */
#include "base/file_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

/* The mode fopen(path, "w") gives a new file: 0666 less the umask (which can
 * only be read by setting it). */
static mode_t new_file_mode(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* text to path through a temporary file born 0600 (mkstemp), given mode
 * before any byte is written. */
static int write_via_temp(const char *path, const char *text, size_t len, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	/* in path's own directory, so the rename never crosses file systems */
	char *tmp = slash ? xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path, slash + 1)
		: xasprintf(".%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	int rc = fchmod(fd, mode);
	for (size_t off = 0; rc == 0 && off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			rc = -1;
		} else {
			off += (size_t)w;
		}
	}
	/* the data is on disk before the name points at it */
	if (rc == 0 && fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0 && rc == 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

int file_write_atomic(const char *path, const char *text, size_t len)
{
	struct stat st;
	return write_via_temp(path, text, len, stat(path, &st) == 0 ? st.st_mode & 07777 : new_file_mode());
}

int file_write_private(const char *path, const char *text, size_t len)
{
	return write_via_temp(path, text, len, 0600);
}
