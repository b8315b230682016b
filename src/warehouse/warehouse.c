/*
 * warehouse.c — open the project's warehouse (warehouse_types.c) with its
 * timeout, cancel its statement on SIGINT/SIGTERM, and what every connector
 * shares: batches through single statements, the tag text, snapshot tables.
 */
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/env.h"
#include "base/time.h"
#include "base/verbose.h"
#include "sql/gen.h"
#include "sql/sqlbuf.h"
#include "sql/tables.h"
#include "warehouse/warehouse.h"
#include "warehouse/warehouse_types.h"

/* Every warehouse warehouse_open_project opened and warehouse_close has not
 * closed: what a SIGINT/SIGTERM cancels.  Changed only with the signals
 * blocked, so the handler never sees half a change. */
static struct warehouse *volatile open_list;

static void with_signals_blocked(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void register_open(struct warehouse *w)
{
	sigset_t old;
	with_signals_blocked(&old);
	w->next_open = open_list;
	open_list = w;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void unregister_open(struct warehouse *w)
{
	sigset_t old;
	with_signals_blocked(&old);
	for (struct warehouse *volatile *pp = &open_list; *pp; pp = &(*pp)->next_open)
		if (*pp == w) {
			*pp = w->next_open;
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile sig_atomic_t pending_signal;

int warehouse_pending_signal(void)
{
	return pending_signal;
}

_Noreturn void warehouse_exit_by_signal(int sig)
{
	/* end as the signal would have ended lac without this hook */
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static void cancel_and_die(int sig)
{
	bool deferred = false;
	for (struct warehouse *w = open_list; w; w = w->next_open)
		if (w->ops && w->ops->cancel && w->ops->cancel(w))
			deferred = true;
	if (!deferred)
		warehouse_exit_by_signal(sig);
	/* a connector sends its cancel request and ends the process */
	pending_signal = sig;
}

void warehouse_cancel_on_signals(void)
{
	signal(SIGINT, cancel_and_die);
	signal(SIGTERM, cancel_and_die);
}

void warehouse_last_altered(struct warehouse *w, const char *const *tables, size_t n,
			    int64_t *epoch_ms)
{
	for (size_t i = 0; i < n; i++)
		epoch_ms[i] = -1;
	if (!w->ops || !w->ops->last_altered || n == 0)
		return;
	struct strbuf err = STRBUF_INIT;
	if (w->ops->last_altered(w, tables, n, epoch_ms, &err) < 0) {
		verbose_log("warehouse: when the inputs last changed: %s", err.buf);
		for (size_t i = 0; i < n; i++)
			epoch_ms[i] = -1;
	}
	sb_release(&err);
}

int warehouse_table_exists(struct warehouse *w, const char *schema, const char *table,
			   struct strbuf *err)
{
	bool found = false;
	return w->ops->tables_exist(w, schema, &table, 1, &found, err) < 0 ? -1 : found;
}

int warehouse_tables_exist_each(struct warehouse *w, const char *schema, const char *const *tables,
				size_t n, bool *found, struct strbuf *err,
				int (*one)(struct warehouse *w, const char *schema, const char *table,
					   struct strbuf *err))
{
	for (size_t i = 0; i < n; i++) {
		int rc = one(w, schema, tables[i], err);
		if (rc < 0)
			return -1;
		found[i] = rc;
	}
	return 0;
}

int warehouse_found_row(void *arg, int ncol, const char *const *vals)
{
	const struct warehouse_found *f = arg;
	for (size_t i = 0; ncol > 0 && vals[0] && i < f->n; i++)
		if (strcmp(vals[0], f->names[i]) == 0)
			f->found[i] = true;
	return 0;
}

int warehouse_last_altered_each(struct warehouse *w, const char *const *tables, size_t n,
				int64_t *epoch_ms, struct strbuf *err,
				int (*one)(struct warehouse *w, const char *table, int64_t *epoch_ms,
					   struct strbuf *err))
{
	for (size_t i = 0; i < n; i++) {
		int rc = one(w, tables[i], &epoch_ms[i], err);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			epoch_ms[i] = -1;
			break;
		}
	}
	return 0;
}

static char *plain_part(const char *s, size_t n)
{
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return NULL;
	return xstrndup(s, n);
}

int warehouse_table_parts(const char *table, char **db, char **schema, char **name)
{
	char *parts[3] = { NULL, NULL, NULL };
	size_t n = 0;
	const char *s = table;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		if (n == 3 || !(parts[n] = plain_part(s, len)))
			break;
		n++;
		if (!dot) {
			if (n < 2)
				break;
			*db = n == 3 ? parts[0] : NULL;
			*schema = parts[n - 2];
			*name = parts[n - 1];
			return 0;
		}
		s = dot + 1;
	}
	for (size_t i = 0; i < 3; i++)
		free(parts[i]);
	return -1;
}

int warehouse_parse_ms(const char *s, int64_t *ms)
{
	if (!s || !*s)
		return -1;
	int64_t v = 0;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*c - '0');
	}
	*ms = v;
	return 0;
}

const char *warehouse_setting(struct project *p, const char *key, bool *unset)
{
	const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, key);
	if (!s || !s->value)
		return NULL;
	const char *v = setting_expand(p, s->value, s->loc);
	if (!v)
		*unset = true;
	return v;
}

/* warehouse.timeout, whose ${VAR} (if any) is expanded only now. */
static int project_timeout(struct project *p, int64_t *ms, struct strbuf *err)
{
	const struct setting *s = setting_find(p->warehouse.settings, p->warehouse.nsettings, "timeout");
	*ms = p->warehouse.timeout_ms;
	if (!s || !s->value || !env_has_ref(s->value))
		return 0;
	const char *v = setting_expand(p, s->value, s->loc);
	if (!v) {
		setting_unset_error(p, "the warehouse's timeout", err);
		return -1;
	}
	if (duration_parse(v, DURATION_SETTING, ms) < 0) {
		/* the value may be a secret like any ${VAR}: not quoted */
		sb_addstr(err, "the warehouse timeout must be a duration like 30s, 5m or 1h");
		return -1;
	}
	return 0;
}

int warehouse_open_project(struct project *p, unsigned access, struct warehouse *w,
			   struct strbuf *err)
{
	memset(w, 0, sizeof(*w));
	const struct warehouse_type_row *row = warehouse_type_row(p->warehouse.type);
	int64_t timeout_ms;
	if (project_timeout(p, &timeout_ms, err) < 0 || row->open(p, access, w, err) < 0)
		return -1;
	if (w->ops->set_timeout(w, timeout_ms, err) < 0) {
		project_redact(p, err);
		warehouse_close(w);
		return -1;
	}
	register_open(w);
	return 0;
}

void warehouse_close(struct warehouse *w)
{
	unregister_open(w);
	if (w->ops)
		w->ops->close(w);
	memset(w, 0, sizeof(*w));
}

void warehouse_set_context(struct warehouse *w, const char *command, const char *audience,
			   const char *run_id)
{
	struct strbuf ignored = STRBUF_INIT;
	if (w->ops && w->ops->set_context)
		w->ops->set_context(w, command, audience, run_id, &ignored);
	sb_release(&ignored);
}

char *warehouse_tag(const char *command, const char *audience, const char *run_id)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addstr(&sb, "lac");
	const char *parts[3] = { command, audience, run_id };
	for (size_t i = 0; i < ARRAY_LEN(parts); i++)
		if (parts[i])
			sb_addf(&sb, " %s", parts[i]);
	return sb_detach(&sb);
}

int warehouse_batch_by_query(struct warehouse *w, const char *const *stmts, size_t n,
			     bool transactional, struct strbuf *err)
{
	const struct dialect *d = w->d;
	bool tx = transactional && d->begin;
	/* a batch writes: where the dialect says so, take the write lock first */
	if (tx && w->ops->query(w, d->begin_write ? d->begin_write : d->begin, NULL, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (w->ops->query(w, stmts[i], NULL, NULL, err) == 0)
			continue;
		if (tx) {
			struct strbuf ignored = STRBUF_INIT;
			w->ops->query(w, d->rollback, NULL, NULL, &ignored);
			sb_release(&ignored);
		}
		return -1;
	}
	return tx ? w->ops->query(w, d->commit, NULL, NULL, err) : 0;
}

int warehouse_validate(struct warehouse *w, const char *sql, int64_t *bytes, struct strbuf *err)
{
	*bytes = -1;
	if (w->ops->validate)
		return w->ops->validate(w, sql, bytes, err);
	/* EXPLAIN plans the statement without running it */
	struct strbuf q = STRBUF_INIT;
	sb_addf(&q, "EXPLAIN %s", sql);
	int rc = w->ops->query(w, q.buf, NULL, NULL, err);
	sb_release(&q);
	return rc;
}

int64_t warehouse_scan_bytes(struct warehouse *w, const char *sql)
{
	int64_t bytes = -1;
	struct strbuf ignored = STRBUF_INIT;
	if (w->ops->validate && w->ops->validate(w, sql, &bytes, &ignored) < 0)
		bytes = -1;
	sb_release(&ignored);
	return bytes;
}

int warehouse_has_snapshot(struct warehouse *w, const char *schema, const char *audience,
			   struct strbuf *err)
{
	const char *parts[2];
	char *t = sql_snapshot_table(schema, audience, parts);
	int rc = warehouse_table_exists(w, parts[0], parts[1], err);
	free(t);
	return rc;
}

bool warehouse_snapshot_exists(void *arg, const struct ast_audience *ref)
{
	const struct warehouse_snapshots *s = arg;
	struct strbuf ignored = STRBUF_INIT;
	int rc = warehouse_has_snapshot(s->w, s->schema, ref->name, &ignored);
	sb_release(&ignored);
	return rc != 0;
}

int warehouse_drop_snapshots(struct warehouse *w, const char *schema, const char *audience,
			     struct strbuf *err)
{
	int rc = 0;
	for (int k = 0; k < SNAPSHOT_TABLES && rc == 0; k++) {
		char *t = sql_snapshot_name(audience, (enum snapshot_table)k);
		const char *tp[2] = { schema ? schema : PROJECT_DEFAULT_WAREHOUSE_SCHEMA, t };
		struct strbuf sql = STRBUF_INIT;
		sql_fmt(&sql, w->d, "DROP TABLE IF EXISTS %T", tp, (size_t)2);
		rc = w->ops->query(w, sql.buf, NULL, NULL, err);
		sb_release(&sql);
		free(t);
	}
	return rc;
}

void warehouse_note_error_position(struct warehouse *w, const char *sql, long char_pos)
{
	w->error_at_known = false;
	if (char_pos < 1)
		return;
	/* characters to bytes: count the bytes that start a UTF-8 character */
	long seen = 0;
	for (size_t i = 0; sql[i]; i++) {
		if (((unsigned char)sql[i] & 0xC0) == 0x80)
			continue;
		if (++seen == char_pos) {
			w->error_at = i;
			w->error_at_known = true;
			return;
		}
	}
}
