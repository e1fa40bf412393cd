/*
 * alertdb.c — the alerts and maintenance tables (store thread only). An
 * alert is kept as its JSON object with the columns the loader filters on;
 * the engine (collector/alert/) owns what the object means.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/store.h"
#include "common/log.h"

int
alerts_db_save(struct statedb *db, const struct alert_row *rows, size_t n)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO alerts(id, state, started, updated, "
	    "ended, json) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = 0;
	statedb_begin(db);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, rows[i].id);
		sqlite3_bind_text(st, 2, rows[i].state, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, rows[i].started);
		sqlite3_bind_double(st, 4, rows[i].updated);
		if (rows[i].ended > 0)
			sqlite3_bind_double(st, 5, rows[i].ended);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, rows[i].json, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			log_warnx("alerts: cannot save alert %lld: %s", (long long)rows[i].id,
			    sqlite3_errmsg(h));
			rc = -1;
		}
		sqlite3_reset(st);
	}
	statedb_commit(db);
	sqlite3_finalize(st);
	return rc;
}

int
alerts_db_load(struct statedb *db, double since, void (*cb)(const char *json, void *arg),
    void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT json FROM alerts WHERE state != "
	    "'resolved' OR ended >= ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *j = sqlite3_column_text(st, 0);
		if (j != NULL)
			cb((const char *)j, arg);
	}
	sqlite3_finalize(st);
	return 0;
}

/* The newest alert is never pruned: its id is the high-water mark that
 * keeps ids from being given twice (events, outbox rows and ack links name
 * alerts by id). */
int
alerts_db_prune(struct statedb *db, double before)
{
	return db_exec(db, "DELETE FROM alerts WHERE state = 'resolved' AND ended < ? AND"
	    " id < (SELECT max(id) FROM alerts)", "d", before);
}

int64_t
alerts_db_max_id(struct statedb *db)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT coalesce(max(id), 0) FROM alerts", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int64_t
maint_db_save(struct statedb *db, const char *json)
{
	if (db_exec(db, "INSERT INTO maintenance(json) VALUES (?)", "t", json) != 1)
		return -1;
	return sqlite3_last_insert_rowid(statedb_sqlite(db));
}

int
maint_db_update(struct statedb *db, int64_t id, const char *json)
{
	return db_exec(db, "UPDATE maintenance SET json = ? WHERE id = ?", "ti", json, id);
}

int
maint_db_delete(struct statedb *db, int64_t id)
{
	return db_exec(db, "DELETE FROM maintenance WHERE id = ?", "i", id);
}

int
maint_db_load(struct statedb *db, void (*cb)(int64_t id, const char *json, void *arg),
    void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT id, json FROM maintenance ORDER BY id",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *j = sqlite3_column_text(st, 1);
		if (j != NULL)
			cb(sqlite3_column_int64(st, 0), (const char *)j, arg);
	}
	sqlite3_finalize(st);
	return 0;
}

int
rules_db_save(struct statedb *db, const char *name, const char *json)
{
	int rc = db_exec(db, "INSERT INTO alert_rules(name, json, created) VALUES (?, ?, "
	    "strftime('%s','now'))", "tt", name, json);
	return rc == 1 ? 0 : rc == -2 ? -2 : -1;
}

int
rules_db_delete(struct statedb *db, const char *name)
{
	return db_exec(db, "DELETE FROM alert_rules WHERE name = ?", "t", name);
}

int
rules_db_load(struct statedb *db, void (*cb)(const char *json, void *arg), void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT json FROM alert_rules ORDER BY created, "
	    "name", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *j = sqlite3_column_text(st, 0);
		if (j != NULL)
			cb((const char *)j, arg);
	}
	sqlite3_finalize(st);
	return 0;
}
