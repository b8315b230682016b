/*
 * dest_file.c — the `file` destination: one JSON event per line, appended.
 *
 * The file is opened with O_APPEND (never truncated or rewritten) and each
 * batch is written whole, then fsync'd before its events count as delivered.
 * Lines are complete: a batch is one buffer ending in '\n', and a batch
 * whose write or fsync failed (a full disk) is cut back off the file.  A
 * file that does not end in '\n' (a line torn by a process killed while
 * writing; its events were never counted as delivered, so they come again
 * whole) gets one first, so that every event starts a line of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/dest_private.h"

struct file_priv {
	int fd;
	struct strbuf buf;
};

/* Does the regular file at path, size bytes long, end in something other
 * than a newline?  Read through a descriptor of its own: the one lac writes
 * with is write-only (a FIFO opened for reading as well would never block
 * for its reader, and what lac wrote would go nowhere). */
static bool ends_torn(const char *path, off_t size)
{
	char last = '\n';
	int fd = size > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		if (pread(fd, &last, 1, size - 1) != 1)
			last = '\n';
		close(fd);
	}
	return last != '\n';
}

/* The directories above the file (0755; the file itself is 0600). */
static int mkdirs_for(const char *path, struct strbuf *err)
{
	return mkdir_parents(path, false, 0755, err);
}

static int file_open(struct dest *d, struct strbuf *err)
{
	if (!d->cfg.path) {
		sb_addf(err, "destination '%s' (file) has no path", d->cfg.name);
		return -1;
	}
	if (mkdirs_for(d->cfg.path, err) < 0)
		return -1;
	/* Events carry personal data: the file is private to its owner. */
	int fd = open(d->cfg.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		sb_addf(err, "cannot open %s: %s", d->cfg.path, strerror(errno));
		return -1;
	}
	struct file_priv *fp = xcalloc(1, sizeof(*fp));
	fp->fd = fd;
	sb_init(&fp->buf);
	d->priv = fp;
	return 0;
}

static int file_send(struct dest *d, struct dest_event *evs, size_t n)
{
	struct file_priv *fp = d->priv;
	/* where the file ended: a failed write is cut back to it, so the file only
	 * ever holds whole lines and the retry appends to a clean end */
	struct stat st;
	off_t end = fstat(fp->fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
	sb_reset(&fp->buf);
	if (end > 0 && ends_torn(d->cfg.path, end))
		sb_addch(&fp->buf, '\n');
	for (size_t i = 0; i < n; i++) {
		/* A JSON event never holds a raw newline; one would break the line format. */
		if (memchr(evs[i].json, '\n', evs[i].len)) {
			dest_event_set(&evs[i], DEST_REJECTED, "event contains a newline");
			continue;
		}
		sb_addmem(&fp->buf, evs[i].json, evs[i].len);
		sb_addch(&fp->buf, '\n');
	}
	const char *p = fp->buf.buf;
	size_t left = fp->buf.len;
	const char *op = "write";
	int e = 0;
	while (left && !e) {
		ssize_t w = write(fp->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w == 0 ? EIO : errno;
		} else {
			p += w;
			left -= (size_t)w;
		}
	}
	/* lines whose fsync failed may not be on disk: they are cut back and
	 * sent again, like a failed write's, so none is ever there twice */
	if (!e && fsync(fp->fd) < 0 && errno != EINVAL) {
		op = "fsync";
		e = errno;
	}
	if (e) {
		if (end >= 0 && ftruncate(fp->fd, end) != 0)
			e = errno;
		for (size_t i = 0; i < n; i++)
			if (evs[i].outcome != DEST_REJECTED)
				dest_event_set(&evs[i], DEST_RETRY, "%s %s: %s", op, d->cfg.path, strerror(e));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (evs[i].outcome != DEST_REJECTED)
			evs[i].outcome = DEST_DELIVERED;
	return 0;
}

static void file_close(struct dest *d)
{
	struct file_priv *fp = d->priv;
	if (!fp)
		return;
	close(fp->fd);
	sb_release(&fp->buf);
	free(fp);
}

const struct dest_ops dest_file_ops = {
	.open = file_open, .send = file_send, .close = file_close,
	.page_events = 20000, .page_bytes = 16 << 20,
};
