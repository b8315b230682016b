/*
 * dest_answer.h — what an API's 2xx answer says about the entries of a
 * request it took: which ones it refused all the same, and why (Braze's and
 * Customer.io's per-entry errors).  Pure parsing, no I/O: dest_preset.c
 * turns each refusal into a failed event.
 */
#ifndef LAC_DEST_ANSWER_H
#define LAC_DEST_ANSWER_H

#include <stddef.h>

struct dest_refusal {
	size_t index;              /* the entry's position in the request, < n */
	char *why;                 /* the API's words, malloc'd (redact before showing) */
};

/* Braze /users/track: {"message":"success","errors":[{"type":"...",
 * "input_array":"attributes"|"events","index":N}]}.  tags[i] is 'a' or 'e':
 * the array entry i of the request went to (entries are counted per array).
 * Returns how many refusals *out holds (malloc'd; NULL when none). */
size_t dest_answer_braze(const char *resp, size_t len, const char *tags, size_t n,
			 struct dest_refusal **out);
/* Customer.io Track v2 batch: {"errors":[{"batch_index":N,"reason":"...",
 * "field":"...","message":"..."}]} over a request of n entries. */
size_t dest_answer_customerio(const char *resp, size_t len, size_t n, struct dest_refusal **out);
void dest_refusals_free(struct dest_refusal *r, size_t n);

#endif
