/*
 * evstore_int.h — what evstore.c (tables, partitions, writing),
 * evsearch.c (search) and evretain.c (retention) share. Private to
 * collector/events/.
 */
#ifndef CAMPUSMON_EVSTORE_INT_H
#define CAMPUSMON_EVSTORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#define MAX_PARTS 4096

struct ev_store {
	sqlite3 *db;
	sqlite3_stmt *ins_row, *ins_fts;	/* ins_fts: into the newest partition */
	long long part_rows;
	long long wal_trim;		/* bytes: a WAL past this is cut back when unread */
	int64_t part_first[MAX_PARTS];	/* ascending; partition i is events_fts<part_no[i]> */
	int part_no[MAX_PARTS];
	int n_parts;
	int reader;			/* evstore_open_reader's: searches only */
};

/* The meta tokens of a row, as SQL over `events` columns: the one
 * definition used to index and to un-index (FTS5 'delete' needs the very
 * same values). */
#define META_SQL "trim(coalesce('d' || device_id, '') || coalesce(' s' || severity, '')" \
	" || ' k' || kind)"

/* The first column of the first row of sql with ?1 = arg; 0 when none. */
int64_t evstore_scalar(sqlite3 *db, const char *sql, int64_t arg);
/* sqlite3_exec, the failure logged; 0 or -1. */
int evstore_exec(sqlite3 *db, const char *sql);
/* Read the partition list again and re-aim the index insert (after a
 * rollback or a retention); 0 or -1. */
int evstore_reload_parts(struct ev_store *s);
/* The smallest id such that every row below it has ts < t (strict: ts <=
 * t). */
int64_t evstore_id_bound(struct ev_store *s, double t, int strict);

#endif
