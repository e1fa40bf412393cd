/*
 * devicedb.c — the devices table (store thread only). The columns come from
 * the inventory's column table, so a new device field is one table line.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store/store.h"
#include "collector/inventory/inventory.h"

static void
bind_columns(sqlite3_stmt *st, const struct device *d)
{
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
		const struct dcol *c = &device_columns[i];
		int at = (int)i + 1;
		if (c->type == DCOL_TEXT) {
			const char *s = DEVICE_FIELD(d, c, char *);
			if (s)
				sqlite3_bind_text(st, at, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, at);
		} else if (c->type == DCOL_REAL) {
			sqlite3_bind_double(st, at, DEVICE_FIELD(d, c, double));
		} else {
			sqlite3_bind_int64(st, at, DEVICE_FIELD(d, c, long long));
		}
	}
}

int
devices_db_save(struct statedb *db, struct device *d)
{
	sqlite3 *h = statedb_sqlite(db);
	char sql[2048];
	size_t o = 0;
	if (d->id == 0) {
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "INSERT INTO devices(");
		for (size_t i = 0; i < DEVICE_N_COLUMNS; i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s", i ? "," : "",
			    device_columns[i].column);
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, ") VALUES (");
		for (size_t i = 0; i < DEVICE_N_COLUMNS; i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s?", i ? "," : "");
		snprintf(sql + o, sizeof(sql) - o, ")");
	} else {
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "UPDATE devices SET ");
		for (size_t i = 0; i < DEVICE_N_COLUMNS; i++)
			o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s=?", i ? "," : "",
			    device_columns[i].column);
		snprintf(sql + o, sizeof(sql) - o, " WHERE id=%lld", (long long)d->id);
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_columns(st, d);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_CONSTRAINT ? -2 : -1;
	if (d->id == 0)
		d->id = sqlite3_last_insert_rowid(h);
	return 0;
}

int
devices_db_delete(struct statedb *db, int64_t id)
{
	return db_exec(db, "DELETE FROM devices WHERE id = ?", "i", id) == 1 ? 0 : -1;
}

int
devices_db_load(struct statedb *db, void (*cb)(struct device *d, void *arg), void *arg)
{
	char sql[1024] = "SELECT id";
	for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
		size_t o = strlen(sql);
		snprintf(sql + o, sizeof(sql) - o, ",%s", device_columns[i].column);
	}
	strncat(sql, " FROM devices ORDER BY id", sizeof(sql) - strlen(sql) - 1);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct device *d = calloc(1, sizeof(*d));
		if (d == NULL)
			break;
		d->id = sqlite3_column_int64(st, 0);
		for (size_t i = 0; i < DEVICE_N_COLUMNS; i++) {
			const struct dcol *c = &device_columns[i];
			int at = (int)i + 1;
			if (c->type == DCOL_TEXT) {
				const unsigned char *s = sqlite3_column_text(st, at);
				DEVICE_FIELD(d, c, char *) = s ? strdup((const char *)s) : NULL;
			} else if (c->type == DCOL_REAL) {
				DEVICE_FIELD(d, c, double) = sqlite3_column_double(st, at);
			} else {
				DEVICE_FIELD(d, c, long long) = sqlite3_column_int64(st, at);
			}
		}
		cb(d, arg);
	}
	sqlite3_finalize(st);
	return 0;
}
