/* pg_rows.c — postgresql result rows into samples (see pg_rows.h). */
#include "plugins/pg_rows.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Columns 1.. of the pg_stat_database query, in order. */
static const struct status_key db_keys[] = {
	{ "numbackends", "numbackends", ST_INT },
	{ "xact_commit", "xact_commit_ps", ST_COUNTER },
	{ "xact_rollback", "xact_rollback_ps", ST_COUNTER },
	{ "blks_read", "blks_read_ps", ST_COUNTER },
	{ "blks_hit", "blks_hit_ps", ST_COUNTER },
	{ "tup_returned", "tup_returned_ps", ST_COUNTER },
	{ "tup_fetched", "tup_fetched_ps", ST_COUNTER },
	{ "tup_inserted", "tup_inserted_ps", ST_COUNTER },
	{ "tup_updated", "tup_updated_ps", ST_COUNTER },
	{ "tup_deleted", "tup_deleted_ps", ST_COUNTER },
	{ "deadlocks", "deadlocks_ps", ST_COUNTER },
	{ "temp_bytes", "temp_bytes_ps", ST_COUNTER },
	{ "database_size", "database_size", ST_INT },
};
static const struct status_table db_table = { db_keys, N(db_keys), 0 };

static const char *const state_names[PG_STATES] = {
	"active", "idle", "idle in transaction", "idle in transaction (aborted)",
	"fastpath function call", "disabled", NULL /* anything else */
};
static const char *const state_fields[PG_STATES] = {
	"connections_active", "connections_idle", "connections_idle_in_transaction",
	"connections_idle_in_transaction_aborted", "connections_fastpath_function_call",
	"connections_disabled", "connections_other",
};

void
pg_reading_begin(struct pg_reading *rd, struct pg_dbs *dbs, double now_s, pg_emit_fn emit,
    void *arg)
{
	memset(rd, 0, sizeof(*rd));
	rd->dbs = dbs;
	rd->dt = dbs->last_s > 0 ? now_s - dbs->last_s : 0;
	dbs->last_s = now_s;
	rd->emit = emit;
	rd->arg = arg;
}

static const char *
cell(const struct pg_table *t, size_t r, size_t c)
{
	return c < t->ncols ? t->cells[r * t->ncols + c] : NULL;
}

static int
num(const char *s, double *v)
{
	return s != NULL ? parse_double(s, strlen(s), v) : -1;
}

static int
is_true(const char *s)
{
	return s != NULL && (strcmp(s, "t") == 0 || strcmp(s, "true") == 0);
}

static void
server_row(struct pg_reading *rd, const struct pg_table *t)
{
	double v;
	if (t->nrows < 1)
		return;
	if (num(cell(t, 0, 0), &v) == 0)
		fset_int(&rd->server, "max_connections", (long long)v);
	int standby = is_true(cell(t, 0, 1));
	fset_int(&rd->server, "is_standby", standby);
	if (standby && num(cell(t, 0, 2), &v) == 0)
		fset_float(&rd->server, "replication_lag_s", v);
	if (num(cell(t, 0, 3), &v) == 0)
		fset_float(&rd->server, "longest_query_s", v);
	if (num(cell(t, 0, 4), &v) == 0)
		fset_float(&rd->server, "longest_transaction_s", v);
}

static void
states(struct pg_reading *rd, const struct pg_table *t)
{
	double v;
	rd->have_states = 1;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *s = cell(t, r, 0);
		size_t k = 0;
		if (s == NULL || num(cell(t, r, 1), &v) < 0 || v < 0)
			continue;
		while (k < PG_STATES - 1 && strcmp(state_names[k], s) != 0)
			k++;
		rd->states[k] += (long long)v;
		rd->total += (long long)v;
	}
}

/* The previous counters of a database, a free slot for a new one; NULL when full. */
static struct pg_db_prev *
db_slot(struct pg_dbs *dbs, const char *name)
{
	struct pg_db_prev *free_slot = NULL;
	for (size_t i = 0; i < PG_MAX_DBS; i++) {
		if (dbs->db[i].used && strcmp(dbs->db[i].name, name) == 0)
			return &dbs->db[i];
		if (!dbs->db[i].used && free_slot == NULL)
			free_slot = &dbs->db[i];
	}
	if (free_slot != NULL) {
		memset(free_slot, 0, sizeof(*free_slot));
		snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
		free_slot->used = 1;
	}
	return free_slot;
}

static void
databases(struct pg_reading *rd, const struct pg_table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const char *name = cell(t, r, 0);
		struct pg_db_prev *prev;
		if (name == NULL || strlen(name) >= sizeof(prev->name) ||
		    (prev = db_slot(rd->dbs, name)) == NULL)
			continue;
		struct status_vals v;
		double rates[STATUS_MAX];
		struct fset f = { .n = 0 };
		memset(&v, 0, sizeof(v));
		for (size_t c = 0; c < db_table.n; c++) {
			const char *s = cell(t, r, c + 1);
			if (s != NULL)
				status_set(&db_table, &v, db_keys[c].key, strlen(db_keys[c].key), s,
				    strlen(s));
		}
		status_fields(&db_table, &v, prev->c, rd->dt, &f, rates);
		double hit = rates[4], rd_ = rates[3];	/* blks_hit, blks_read */
		if (hit == hit && rd_ == rd_ && hit + rd_ > 0)
			fset_float(&f, "cache_hit_ratio", 100.0 * hit / (hit + rd_));
		struct plugin_tag tags[] = { { "db", name } };
		rd->emit(rd->arg, "postgresql", tags, 1, &f);
	}
}

static void
locks(struct pg_reading *rd, const struct pg_table *t)
{
	double v;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *mode = cell(t, r, 0);
		struct fset f = { .n = 0 };
		if (mode == NULL || num(cell(t, r, 1), &v) < 0)
			continue;
		fset_int(&f, "count", (long long)v);
		struct plugin_tag tags[] = { { "mode", mode } };
		rd->emit(rd->arg, "postgresql_locks", tags, 1, &f);
	}
}

static void
replication(struct pg_reading *rd, const struct pg_table *t)
{
	double v;
	for (size_t r = 0; r < t->nrows; r++) {
		struct fset f = { .n = 0 };
		const char *app = cell(t, r, 0), *addr = cell(t, r, 1), *state = cell(t, r, 2);
		if (num(cell(t, r, 3), &v) == 0)
			fset_float(&f, "replay_lag_s", v);
		if (num(cell(t, r, 4), &v) == 0)
			fset_float(&f, "lag_bytes", v);
		fset_str(&f, "state", state);
		struct plugin_tag tags[] = { { "application_name", app ? app : "" },
			{ "client_addr", addr ? addr : "" } };
		rd->emit(rd->arg, "postgresql_replication", tags, 2, &f);
	}
}

void
pg_rows_result(struct pg_reading *rd, int i, const struct pg_table *t)
{
	switch (i) {
	case 0:
		server_row(rd, t);
		break;
	case 1:
		states(rd, t);
		break;
	case 2:
		databases(rd, t);
		break;
	case 3:
		locks(rd, t);
		break;
	case 4:
		replication(rd, t);
		break;
	default:
		break;
	}
}

void
pg_reading_end(struct pg_reading *rd)
{
	struct fset *f = &rd->server;
	struct fset out = { .n = 0 };
	fset_int(&out, "up", 1);
	for (size_t k = 0; rd->have_states && k < PG_STATES; k++)
		fset_int(&out, state_fields[k], rd->states[k]);
	if (rd->have_states)
		fset_int(&out, "connections_total", rd->total);
	for (size_t k = 0; k < f->n && out.n < FSET_MAX; k++)
		out.f[out.n++] = f->f[k];
	rd->emit(rd->arg, "postgresql", NULL, 0, &out);
}
