/*
 * dest_private.h — what the destination drivers (dest_file.c,
 * dest_stdout.c, dest_http.c) share with dest.c: the function table and the
 * common struct dest.
 */
#ifndef LAC_DEST_PRIVATE_H
#define LAC_DEST_PRIVATE_H

#include "dest.h"

struct dest_ops {
	const char *type;
	int (*open)(struct dest *d, struct strbuf *err);
	int (*send)(struct dest *d, struct dest_event *evs, size_t n);
	void (*close)(struct dest *d);
	size_t page_events, page_bytes; /* 0: from the config's batch limits */
};

struct dest {
	const struct dest_ops *ops;
	struct dest_config cfg;
	void *priv;
	long requests;
};

extern const struct dest_ops dest_file_ops, dest_stdout_ops, dest_webhook_ops, dest_segment_ops;

/* Set an event's outcome and reason (printf-style). */
void dest_event_set(struct dest_event *e, enum dest_outcome o, const char *fmt, ...) LAC_PRINTF(3, 4);

#endif
