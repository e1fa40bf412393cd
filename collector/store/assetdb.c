/*
 * assetdb.c — the asset register and the daily coverage history (store
 * thread only). The tables are made on first use with IF NOT EXISTS, so
 * they need no place in statedb.c's numbered migrations.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "collector/store/store.h"
#include "collector/reports/reports.h"

static int
ensure(sqlite3 *h)
{
	return sqlite3_exec(h,
	    "CREATE TABLE IF NOT EXISTS assets ("
	    "  asset_tag TEXT PRIMARY KEY, serial TEXT, name TEXT, model TEXT, kind TEXT,"
	    "  building TEXT, room TEXT, rack TEXT, owner TEXT, address TEXT, mac TEXT);"
	    "CREATE TABLE IF NOT EXISTS coverage_history ("
	    "  day TEXT PRIMARY KEY, ts REAL NOT NULL, inventoried INTEGER NOT NULL,"
	    "  monitored INTEGER NOT NULL, percent REAL, by_kind TEXT);",
	    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
assetdb_replace(struct statedb *db, const struct asset_list *l)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st = NULL;
	if (ensure(h) < 0 || statedb_begin(db) < 0)
		return -1;
	int ok = sqlite3_exec(h, "DELETE FROM assets", NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "INSERT INTO assets VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &st,
	    NULL) == SQLITE_OK;
	for (size_t i = 0; ok && i < l->n; i++) {
		sqlite3_reset(st);
		for (int c = 0; c < AC_N; c++)
			sqlite3_bind_text(st, c + 1, l->v[i].f[c], -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (!ok) {
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return statedb_commit(db);
}

int
assetdb_load(struct statedb *db, struct asset_list *l)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (ensure(h) < 0 || sqlite3_prepare_v2(h, "SELECT asset_tag, serial, name, model, kind, "
	    "building, room, rack, owner, address, mac FROM assets ORDER BY rowid", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f[AC_N];
		for (int c = 0; c < AC_N; c++)
			f[c] = (const char *)sqlite3_column_text(st, c);
		if (asset_list_add(l, f) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
coverage_history_put(struct statedb *db, const char *day, double ts, long long inventoried,
    long long monitored, double percent, const char *by_kind)
{
	if (ensure(statedb_sqlite(db)) < 0)
		return -1;
	return db_exec(db, "INSERT OR REPLACE INTO coverage_history VALUES (?,?,?,?,?,?)",
	    "tdiidt", day, ts, (int64_t)inventoried, (int64_t)monitored, percent, by_kind) < 0 ?
	    -1 : 0;
}

json_t *
coverage_history_get(struct statedb *db, int days)
{
	sqlite3 *h = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (ensure(h) < 0 || sqlite3_prepare_v2(h, "SELECT day, ts, inventoried, monitored, "
	    "percent, by_kind FROM (SELECT * FROM coverage_history ORDER BY day DESC LIMIT ?) "
	    "ORDER BY day", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int(st, 1, days);
	json_t *a = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *bk = (const char *)sqlite3_column_text(st, 5);
		json_t *kinds = bk ? json_loads(bk, 0, NULL) : NULL;
		json_array_append_new(a, json_pack("{s:s, s:f, s:I, s:I, s:o, s:o}", "day",
		    (const char *)sqlite3_column_text(st, 0), "ts", sqlite3_column_double(st, 1),
		    "inventoried", (json_int_t)sqlite3_column_int64(st, 2), "monitored",
		    (json_int_t)sqlite3_column_int64(st, 3), "percent",
		    sqlite3_column_type(st, 4) == SQLITE_NULL ? json_null() :
		    json_real(sqlite3_column_double(st, 4)), "by_kind", kinds ? kinds : json_array()));
	}
	sqlite3_finalize(st);
	return a;
}
