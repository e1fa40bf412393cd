/*
 * postgresql.c — the postgresql plugin (libpq). One connection per
 * instance, kept between readings; every reading sends one batch of
 * catalogue queries (pg_stat_activity, pg_stat_database, pg_locks,
 * pg_stat_replication) and reads the results with poll() against the
 * read's deadline: a server that hangs costs one timeout, then the
 * connection is dropped and made again at the next reading. The rows go
 * through pg_rows.c (no I/O, fixture-tested) into samples.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/pg_rows.h"
#include "plugins/putil.h"

struct pg_config {
	char *dsn;
};

struct pg_state {
	const struct pg_config *cfg;
	PGconn *conn;
	struct pg_dbs dbs;
};

static const struct cfg_key pg_schema[] = {
	{ "dsn", CFG_STRING, offsetof(struct pg_config, dsn), NULL, 0, 4096, NULL, NULL,
	  "libpq connection string or URI, e.g. \"host=/run/postgresql user=campusmon "
	  "dbname=postgres\"; a password goes in ~/.pgpass or passfile=, never here." },
	CFG_END
};

static void *
pg_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct pg_config *c = config;
	char *perr = NULL;
	(void)info;
	if (c->dsn == NULL) {
		snprintf(err, errlen, "dsn: is required");
		return NULL;
	}
	PQconninfoOption *opts = PQconninfoParse(c->dsn, &perr);
	if (opts == NULL) {
		snprintf(err, errlen, "dsn: %s", perr != NULL ? perr : "cannot parse");
		PQfreemem(perr);
		return NULL;
	}
	int bad = 0;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		/* A secret in the config file would be readable by whoever reads the config. */
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			bad = 1;
		if (strcmp(o->keyword, "passfile") == 0 && o->val != NULL &&
		    secret_read(o->val, (char[8]){ 0 }, 8, err, errlen) < 0)
			bad = 2;
	}
	PQconninfoFree(opts);
	if (bad == 1)
		snprintf(err, errlen, "dsn: holds a password; put it in a passfile= (mode 600)");
	if (bad)
		return NULL;
	struct pg_state *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->cfg = c;
	return st;
}

static void
pg_close(struct pg_state *st)
{
	if (st->conn != NULL)
		PQfinish(st->conn);
	st->conn = NULL;
}

static void
pg_free(void *p)
{
	pg_close(p);
	free(p);
}

/* Wait for the socket; 1 ready, 0 deadline, -1 error. */
static int
wait_sock(PGconn *c, short ev, struct plugin_ctx *ctx)
{
	struct pollfd pfd = { PQsocket(c), ev, 0 };
	long long left = plugin_deadline_ms(ctx);
	int n;
	if (pfd.fd < 0)
		return -1;
	do
		n = poll(&pfd, 1, (int)left);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 1 : n;
}

static void
conn_error(PGconn *c, char *why, size_t wlen, const char *fallback)
{
	const char *m = c != NULL ? PQerrorMessage(c) : "";
	snprintf(why, wlen, "%s", m != NULL && m[0] ? m : fallback);
	why[strcspn(why, "\n")] = '\0';
}

static int
pg_connect(struct pg_state *st, struct plugin_ctx *ctx, char *why, size_t wlen)
{
	const char *const keys[] = { "dbname", "application_name", NULL };
	const char *const vals[] = { st->cfg->dsn, "campusmon-agent", NULL };

	st->conn = PQconnectStartParams(keys, vals, 1);
	if (st->conn == NULL || PQstatus(st->conn) == CONNECTION_BAD) {
		conn_error(st->conn, why, wlen, "cannot connect");
		pg_close(st);
		return -1;
	}
	for (;;) {
		PostgresPollingStatusType s = PQconnectPoll(st->conn);
		if (s == PGRES_POLLING_OK)
			return 0;
		if (s == PGRES_POLLING_FAILED) {
			conn_error(st->conn, why, wlen, "cannot connect");
			break;
		}
		int w = wait_sock(st->conn, s == PGRES_POLLING_READING ? POLLIN : POLLOUT, ctx);
		if (w <= 0) {
			snprintf(why, wlen, "%s", w == 0 ? "connect: no answer before the deadline" :
			    "connect: poll failed");
			break;
		}
	}
	pg_close(st);
	return -1;
}

/* The batch; result i is handled by pg_rows_result(i, …). */
static const char pg_batch[] =
    "SELECT current_setting('max_connections')::int, pg_is_in_recovery(),"
    " CASE WHEN pg_is_in_recovery() THEN"
    "  coalesce(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END,"
    " (SELECT coalesce(max(EXTRACT(EPOCH FROM now() - query_start)), 0)"
    "  FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
    "  AND backend_type = 'client backend'),"
    " (SELECT coalesce(max(EXTRACT(EPOCH FROM now() - xact_start)), 0)"
    "  FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()"
    "  AND backend_type = 'client backend');"
    "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity"
    " WHERE backend_type = 'client backend' GROUP BY 1;"
    "SELECT datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit,"
    " tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, deadlocks,"
    " temp_bytes, CASE WHEN has_database_privilege(datid, 'CONNECT')"
    "  THEN pg_database_size(datid) END AS database_size"
    " FROM pg_stat_database WHERE datname IS NOT NULL"
    " AND datname NOT IN ('template0', 'template1');"
    "SELECT mode, count(*) FROM pg_locks GROUP BY 1;"
    "SELECT coalesce(application_name, ''), coalesce(client_addr::text, 'local'),"
    " coalesce(state, ''), coalesce(EXTRACT(EPOCH FROM replay_lag), 0),"
    " CASE WHEN pg_is_in_recovery() THEN 0"
    "  ELSE coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) END"
    " FROM pg_stat_replication";

/* Copy a PGresult into a pg_table (borrowed pointers into res). */
static void
table_of(const PGresult *res, struct pg_table *t, const char **cells, size_t max)
{
	int nr = PQntuples(res), nc = PQnfields(res);
	t->ncols = (size_t)nc;
	t->nrows = 0;
	t->cells = cells;
	t->names = NULL;
	for (int r = 0; r < nr && (size_t)(r + 1) * (size_t)nc <= max; r++) {
		for (int c = 0; c < nc; c++)
			cells[(size_t)r * (size_t)nc + (size_t)c] =
			    PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		t->nrows++;
	}
}

static void
emit(void *arg, const char *measurement, const struct plugin_tag *tags, size_t n_tags,
    const struct fset *f)
{
	(void)fset_submit(arg, measurement, tags, n_tags, f);
}

static int
pg_read(void *p, struct plugin_ctx *ctx)
{
	struct pg_state *st = p;
	char why[512] = "";
	const char **cells = NULL;
	PGresult *res[PG_N_RESULTS] = { NULL };
	int n = 0;

	if (st->conn == NULL && pg_connect(st, ctx, why, sizeof(why)) < 0)
		goto down;
	if (!PQsendQuery(st->conn, pg_batch)) {
		conn_error(st->conn, why, sizeof(why), "cannot send the query");
		pg_close(st);
		goto down;
	}
	for (;;) {
		while (PQisBusy(st->conn)) {
			int w = wait_sock(st->conn, POLLIN, ctx);
			if (w <= 0 || !PQconsumeInput(st->conn)) {
				if (w == 0)
					snprintf(why, sizeof(why), "no reply before the deadline");
				else
					conn_error(st->conn, why, sizeof(why), "connection lost");
				pg_close(st);	/* its state is unknown: start afresh */
				goto down;
			}
		}
		PGresult *r = PQgetResult(st->conn);
		if (r == NULL)
			break;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "%s", PQresultErrorMessage(r));
			PQclear(r);
			continue;
		}
		if (n < PG_N_RESULTS)
			res[n++] = r;
		else
			PQclear(r);
	}
	if (why[0] != '\0' || n < PG_N_RESULTS) {
		why[strcspn(why, "\n")] = '\0';
		if (why[0] == '\0')
			snprintf(why, sizeof(why), "short reply (%d of %d results)", n, PG_N_RESULTS);
		goto down;
	}
	if ((cells = calloc(PG_MAX_CELLS, sizeof(*cells))) == NULL)
		goto out;
	struct pg_reading rd;
	pg_reading_begin(&rd, &st->dbs, mono_s(), emit, ctx);
	for (int i = 0; i < PG_N_RESULTS; i++) {
		struct pg_table t;
		table_of(res[i], &t, cells, PG_MAX_CELLS);
		pg_rows_result(&rd, i, &t);
	}
	pg_reading_end(&rd);
	goto out;
down:
	plugin_log(ctx, PLUGIN_LOG_WARN, "%s", why);
	submit_down(ctx, "postgresql", why);
out:
	for (int i = 0; i < n; i++)
		PQclear(res[i]);
	free(cells);
	return 0;
}

const struct plugin_desc postgresql_plugin = {
	.name = "postgresql",
	.abi = PLUGIN_ABI,
	.schema = pg_schema,
	.config_size = sizeof(struct pg_config),
	.configure = pg_configure,
	.read = pg_read,
	.free = pg_free,
};
