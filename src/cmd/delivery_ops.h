/*
 * delivery_ops.h — `lac delivery AUDIENCE --events | --retry | --discard`
 * (SPEC §6): the operator's hands on an audience's queued events.
 * cmd_delivery.c parses the options and calls one of these.  Private to
 * src/cmd/.
 */
#ifndef LAC_CMD_DELIVERY_OPS_H
#define LAC_CMD_DELIVERY_OPS_H

#include <stdint.h>

#include "cmd/cli.h"
#include "state/outbox_admin.h"

struct delivery_op {
	const char *audience;
	const char *activation;   /* --activation, or NULL: every one */
	/* --events */
	const char *status;       /* --status pending|failed|invalid, or NULL */
	int64_t limit;            /* --limit N (0: all) */
	/* --discard */
	enum outbox_discard_what what;
	const char *message_id, *reason;
};

/* Each returns the command's exit code. */
int delivery_events(struct cli *c, const struct delivery_op *op);
int delivery_retry(struct cli *c, const struct delivery_op *op);
int delivery_discard(struct cli *c, const struct delivery_op *op);

#endif
