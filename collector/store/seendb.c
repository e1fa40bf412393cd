/*
 * seendb.c — the discovery_seen table (store thread only): hosts a sweep saw
 * answering ICMP or TCP but not SNMP, until adopted or deleted. The table is
 * made on first use, so it needs no schema migration of its own.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "collector/store/store.h"

#include "common/log.h"

static int
ensure(sqlite3 *h)
{
	return sqlite3_exec(h, "CREATE TABLE IF NOT EXISTS discovery_seen ("
	    "  address TEXT PRIMARY KEY,"
	    "  first_seen REAL NOT NULL,"
	    "  last_seen REAL NOT NULL,"
	    "  answered TEXT NOT NULL) WITHOUT ROWID", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
seen_db_upsert(struct statedb *db, const char *addr, double first, double last,
    const char *answered)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (ensure(h) < 0 || sqlite3_prepare_v2(h, "INSERT INTO discovery_seen(address, "
	    "first_seen, last_seen, answered) VALUES (?, ?, ?, ?) ON CONFLICT(address) DO "
	    "UPDATE SET last_seen = excluded.last_seen, answered = excluded.answered", -1, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("seendb: %s", sqlite3_errmsg(h));
		return -1;
	}
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, first);
	sqlite3_bind_double(st, 3, last);
	sqlite3_bind_text(st, 4, answered, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
seen_db_delete(struct statedb *db, const char *addr)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (ensure(h) < 0 || sqlite3_prepare_v2(h, "DELETE FROM discovery_seen WHERE "
	    "address = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
seen_db_load(struct statedb *db, void (*cb)(const char *addr, double first, double last,
    const char *answered, void *arg), void *arg)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (ensure(h) < 0 || sqlite3_prepare_v2(h, "SELECT address, first_seen, last_seen, "
	    "answered FROM discovery_seen", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1),
		    sqlite3_column_double(st, 2), (const char *)sqlite3_column_text(st, 3), arg);
	sqlite3_finalize(st);
	return 0;
}
