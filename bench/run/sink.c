/*
 * bench/run/sink.c — a local HTTP sink for the `segment` destination in
 * bench/run/run.sh: HTTP/1.1 with keep-alive on 127.0.0.1, answers every
 * request `200 {}`, counts requests, body bytes and events (occurrences of
 * "messageId" in the bodies).  Python's http.server is too slow for the
 * ≥100k events/s target (see docs/benchmarks.md).
 *
 * usage: sink PORTFILE [MAX_SECONDS]
 *   Binds 127.0.0.1 on a free port and writes it to PORTFILE.  Exits by itself
 *   after MAX_SECONDS (default 300), or on SIGTERM/SIGINT, printing one line:
 *   "sink: requests=N events=N bytes=N".
 * Plain sockets and poll(); bodies need a Content-Length (libcurl sends one).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 64
#define MAXHDR 16384

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static volatile sig_atomic_t stop;
static unsigned long long requests, events, bytes;

static void on_sig(int sig) { (void)sig; stop = 1; }

static unsigned long long count_ids(const char *p, size_t n)
{
	static const char key[] = "\"messageId\"";
	unsigned long long c = 0;
	const char *end = p + n;
	while ((p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1)) != NULL) {
		c++;
		p += sizeof(key) - 1;
	}
	return c;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Handle every complete request in c->buf; -1 to close the connection. */
static int serve(struct conn *c)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				 "Content-Length: 2\r\n\r\n{}";
	static const char bad[] = "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";
	for (;;) {
		char *eoh = memmem(c->buf, c->len, "\r\n\r\n", 4);
		if (!eoh)
			return c->len > MAXHDR ? -1 : 0;
		size_t hlen = (size_t)(eoh - c->buf) + 4;
		size_t clen = 0;
		int have_len = 0;
		for (char *l = c->buf; l < eoh;) {
			char *nl = memmem(l, (size_t)(eoh + 2 - l), "\r\n", 2);
			if (!nl)
				break;
			if ((size_t)(nl - l) > 15 && strncasecmp(l, "Content-Length:", 15) == 0) {
				clen = strtoull(l + 15, NULL, 10);
				have_len = 1;
			}
			l = nl + 2;
		}
		if (!have_len && strncmp(c->buf, "GET ", 4) != 0) {
			write_all(c->fd, bad, sizeof(bad) - 1);
			return -1;
		}
		if (c->len < hlen + clen)
			return 0;
		requests++;
		bytes += clen;
		events += count_ids(c->buf + hlen, clen);
		if (write_all(c->fd, ok, sizeof(ok) - 1) < 0)
			return -1;
		memmove(c->buf, c->buf + hlen + clen, c->len - hlen - clen);
		c->len -= hlen + clen;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sink PORTFILE [MAX_SECONDS]\n");
		return 2;
	}
	int max_s = argc > 2 ? atoi(argv[2]) : 300;
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGPIPE, SIG_IGN);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 16) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &alen) < 0) {
		perror("sink");
		return 1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	FILE *pf = fopen(tmp, "w");
	if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 || rename(tmp, argv[1]) < 0) {
		perror("sink: port file");
		return 1;
	}
	struct conn cs[MAXC];
	size_t nc = 0;
	time_t deadline = time(NULL) + max_s;
	while (!stop && time(NULL) < deadline) {
		struct pollfd pfd[MAXC + 1];
		pfd[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
		for (size_t i = 0; i < nc; i++)
			pfd[i + 1] = (struct pollfd){ .fd = cs[i].fd, .events = POLLIN };
		int n = poll(pfd, nc + 1, 200);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept(ls, NULL, NULL);
			if (fd >= 0 && nc < MAXC) {
				cs[nc] = (struct conn){ .fd = fd, .cap = 1 << 20 };
				cs[nc].buf = malloc(cs[nc].cap);
				nc++;
			} else if (fd >= 0) {
				close(fd);
			}
		}
		for (size_t i = 0; i < nc; i++) {
			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct conn *c = &cs[i];
			if (c->cap - c->len < 65536) {
				c->cap *= 2;
				c->buf = realloc(c->buf, c->cap);
			}
			ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
			if (r > 0) {
				c->len += (size_t)r;
				if (serve(c) == 0)
					continue;
			} else if (r < 0 && errno == EINTR) {
				continue;
			}
			close(c->fd);
			free(c->buf);
			cs[i] = cs[--nc];
			pfd[i + 1] = pfd[nc + 1];
			i--;
		}
	}
	printf("sink: requests=%llu events=%llu bytes=%llu\n", requests, events, bytes);
	return 0;
}
