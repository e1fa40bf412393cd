/*
 * pg_rows.h — the postgresql plugin's result rows into samples, apart from
 * libpq (fixture-tested, fuzzed with tests/fuzz/fuzz_status.c): a result
 * is a table of text cells (NULL for SQL NULL), in the order of the
 * plugin's query batch.
 */
#ifndef CAMPUSMON_PG_ROWS_H
#define CAMPUSMON_PG_ROWS_H

#include <stddef.h>

#include "plugins/putil.h"
#include "plugins/status_parse.h"

#define PG_N_RESULTS 5		/* server, states, databases, locks, replication */
#define PG_MAX_CELLS 8192
#define PG_MAX_DBS 64
#define PG_STATES 7

struct pg_table {
	size_t nrows, ncols;
	const char **cells;	/* row-major */
	const char *const *names;	/* unused: columns are known by position */
};

struct pg_db_prev {
	char name[64];
	struct pcounter c[STATUS_MAX];
	int used;
};

/* Per instance: the previous counters of each database. */
struct pg_dbs {
	struct pg_db_prev db[PG_MAX_DBS];
	double last_s;
};

/* Where samples go: plugin_submit in the agent, a capture in tests. */
typedef void (*pg_emit_fn)(void *arg, const char *measurement, const struct plugin_tag *tags,
    size_t n_tags, const struct fset *f);

struct pg_reading {
	struct pg_dbs *dbs;
	double dt;
	pg_emit_fn emit;
	void *arg;
	struct fset server;
	long long states[PG_STATES], total;
	int have_states;
};

void pg_reading_begin(struct pg_reading *rd, struct pg_dbs *dbs, double now_s, pg_emit_fn emit,
    void *arg);
/* Result number i (0..PG_N_RESULTS-1) of a reading. */
void pg_rows_result(struct pg_reading *rd, int i, const struct pg_table *t);
/* Emit the server-wide sample (up=1, connections by state, …). */
void pg_reading_end(struct pg_reading *rd);

#endif
