/*
 * dsn_tls.c — what TLS a libpq DSN asks for (dsn_tls.h).
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "net/dsn_tls.h"

int dsn_host_is_local(const char *host)
{
	/* empty: libpq's default socket; '/' a socket directory, '@' an abstract socket */
	if (!*host || *host == '/' || *host == '@')
		return 1;
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
		return 1;
	return strncmp(host, "127.", 4) == 0;
}

/* Is every entry of a comma-separated host list local? */
static int hosts_are_local(const char *list)
{
	char *copy = xstrdup(list);
	int local = 1;
	for (char *save = NULL, *h = strtok_r(copy, ",", &save); h && local;
	     h = strtok_r(NULL, ",", &save))
		local = dsn_host_is_local(h);
	free(copy);
	return local;
}

static const char *option(const PQconninfoOption *opts, const char *key)
{
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, key) == 0)
			return o->val && *o->val ? o->val : NULL;
	return NULL;
}

/* dsn_tls, and the sslmode written (one of modes[], else NULL) */
static const char *const modes[] = { "disable", "allow", "prefer", "require", "verify-ca",
				     "verify-full" };

static enum dsn_tls classify(const char *dsn, const char **written)
{
	*written = NULL;
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
	if (!opts) {
		PQfreemem(errmsg);
		return DSN_TLS_UNPARSED;
	}
	/* hostaddr, when given, is where libpq connects; else host; else the environment */
	const char *where = option(opts, "hostaddr");
	if (!where)
		where = option(opts, "host");
	if (!where)
		where = getenv("PGHOSTADDR");
	if (!where || !*where)
		where = getenv("PGHOST");
	enum dsn_tls t;
	const char *mode = option(opts, "sslmode");
	for (size_t i = 0; mode && i < ARRAY_LEN(modes); i++)
		if (strcmp(mode, modes[i]) == 0)
			*written = modes[i];
	if (!where || hosts_are_local(where))
		t = DSN_TLS_LOCAL;
	else if (!mode)
		t = DSN_TLS_IMPLIED;
	else
		t = strcmp(mode, "verify-full") == 0 ? DSN_TLS_VERIFIED : DSN_TLS_WEAK;
	PQconninfoFree(opts);
	return t;
}

enum dsn_tls dsn_tls(const char *dsn)
{
	const char *mode;
	return classify(dsn, &mode);
}

const char *dsn_tls_weak_mode(const char *dsn)
{
	const char *mode;
	return classify(dsn, &mode) == DSN_TLS_WEAK ? mode : NULL;
}
