/*
 * state_fingerprint.c — a digest of a state's contents (state_move.h):
 * SHA-256 over every moved row as state_dump gives it.  An export records
 * it so that `lac state import` can tell whether the old state was written
 * to after the export (a run queued events, a delivery moved a cursor):
 * counts or max ids would miss updates in place, a digest of the rows does
 * not, for the price of one more read of the state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "state/state_move.h"

/* One row into the digest: the table's name, NUL, the row as compact JSON
 * with sorted keys (the same row always gives the same bytes), newline. */
static int digest_row(const char *table, json_t *row, void *arg)
{
	EVP_MD_CTX *md = arg;
	char *text = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	int ok = text && EVP_DigestUpdate(md, table, strlen(table) + 1) &&
		 EVP_DigestUpdate(md, text, strlen(text)) && EVP_DigestUpdate(md, "\n", 1);
	free(text);
	return ok ? 0 : 1;
}

int state_fingerprint(struct state *st, char out[STATE_FINGERPRINT_LEN + 1])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) ? state_dump(st, digest_row, md) : -1;
	if (rc == 0 && (!EVP_DigestFinal_ex(md, sum, &n) || n * 2 != STATE_FINGERPRINT_LEN))
		rc = -1;
	EVP_MD_CTX_free(md);
	if (rc != 0)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
	return 0;
}
