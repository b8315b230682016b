/*
 * dsn_tls.h — what TLS a libpq DSN asks for (SPEC §1.1 "TLS"): a DSN to a
 * non-local host that does not say sslmode is treated as
 * sslmode=verify-full; weaker modes apply only when written, and `lac
 * check` warns about them.  Shared by the postgres and redshift connectors
 * (which add the sslmode) and the project loader (which warns).
 */
#ifndef LAC_DSN_TLS_H
#define LAC_DSN_TLS_H

enum dsn_tls {
	DSN_TLS_UNPARSED,   /* libpq cannot read the DSN: its own error says why */
	DSN_TLS_LOCAL,      /* a Unix socket, localhost or loopback only: as written */
	DSN_TLS_IMPLIED,    /* a remote host and no sslmode: connect with verify-full */
	DSN_TLS_VERIFIED,   /* a remote host and sslmode=verify-full written */
	DSN_TLS_WEAK,       /* a remote host and a weaker sslmode written */
};

/* How dsn (key=value or postgresql:// URI) asks for TLS.  Without a host in
 * the DSN, the PGHOST/PGHOSTADDR libpq would use count. */
enum dsn_tls dsn_tls(const char *dsn);
/* For DSN_TLS_WEAK: the sslmode written ("disable" … "verify-ca"); else,
 * or for a mode libpq does not know (its own error at connect), NULL. */
const char *dsn_tls_weak_mode(const char *dsn);
/* Is host (one libpq host or hostaddr entry) this machine? */
int dsn_host_is_local(const char *host);

#endif
