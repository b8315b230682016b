/*
 * dest_answer.c — per-entry refusals in Braze's and Customer.io's 2xx
 * answers.  An answer that is not JSON, too big to have been kept whole, or
 * names an entry the request did not have refuses nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/util.h"
#include "deliver/dest_answer.h"

/* The errors array of a JSON answer, or NULL (no body, not JSON, none). */
static json_t *answer_errors(const char *resp, size_t len, json_t **doc)
{
	*doc = len ? json_loadb(resp, len, 0, NULL) : NULL;
	json_t *errs = json_object_get(*doc, "errors");
	return json_is_array(errs) ? errs : NULL;
}

static void add(struct dest_refusal **out, size_t *n, size_t *cap, size_t index, char *why)
{
	VEC_PUSH(*out, *n, *cap, ((struct dest_refusal){ index, why }));
}

size_t dest_answer_braze(const char *resp, size_t len, const char *tags, size_t n,
			 struct dest_refusal **out)
{
	*out = NULL;
	size_t nout = 0, cap = 0, k;
	json_t *doc, *errs = answer_errors(resp, len, &doc), *e;
	json_array_foreach(errs, k, e) {
		const char *arr = json_string_value(json_object_get(e, "input_array"));
		json_t *idx = json_object_get(e, "index");
		if (!arr || !json_is_integer(idx) || json_integer_value(idx) < 0)
			continue;
		char tag = strcmp(arr, "attributes") == 0 ? 'a' : strcmp(arr, "events") == 0 ? 'e' : 0;
		json_int_t want = json_integer_value(idx), seen = 0;
		for (size_t i = 0; tag && i < n; i++) {
			if (tags[i] != tag || seen++ != want)
				continue;
			const char *type = json_string_value(json_object_get(e, "type"));
			add(out, &nout, &cap, i, xasprintf("refused by Braze: %s", type ? type : "(no reason given)"));
			break;
		}
	}
	json_decref(doc);
	return nout;
}

size_t dest_answer_customerio(const char *resp, size_t len, size_t n, struct dest_refusal **out)
{
	*out = NULL;
	size_t nout = 0, cap = 0, k;
	json_t *doc, *errs = answer_errors(resp, len, &doc), *e;
	json_array_foreach(errs, k, e) {
		json_t *idx = json_object_get(e, "batch_index");
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 || (json_int_t)n <= json_integer_value(idx))
			continue;
		const char *msg = json_string_value(json_object_get(e, "message"));
		const char *reason = json_string_value(json_object_get(e, "reason"));
		const char *field = json_string_value(json_object_get(e, "field"));
		add(out, &nout, &cap, (size_t)json_integer_value(idx),
		    xasprintf("refused by Customer.io: %s%s%s%s", msg ? msg : reason ? reason : "(no reason given)",
			      field ? " (" : "", field ? field : "", field ? ")" : ""));
	}
	json_decref(doc);
	return nout;
}

void dest_refusals_free(struct dest_refusal *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].why);
	free(r);
}
