/*
 * outboxdb.c — the notification outbox (store thread only). One row per
 * (alert, event, channel), unique by its dedupe key: a row is written
 * before its first attempt, and marked sent only after the receiver took
 * it, so across a crash a notification goes at least once and never again
 * once "sent" is recorded. The table is made here (IF NOT EXISTS) rather
 * than as a numbered migration, so that it stands apart from the other
 * table families added at the same time.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "collector/store/store.h"
#include "common/log.h"

int
outboxdb_init(struct statedb *db)
{
	char *msg = NULL;
	int rc = sqlite3_exec(statedb_sqlite(db),
	    "CREATE TABLE IF NOT EXISTS outbox ("
	    "  id INTEGER PRIMARY KEY,"
	    "  dedupe TEXT UNIQUE,"		/* alert:event:channel; NULL for tests */
	    "  alert_id INTEGER NOT NULL,"
	    "  event TEXT NOT NULL,"
	    "  channel TEXT NOT NULL,"
	    "  payload TEXT NOT NULL,"		/* the webhook body, DESIGN §9 */
	    "  state TEXT NOT NULL DEFAULT 'pending',"	/* pending | sent | dead */
	    "  attempts INTEGER NOT NULL DEFAULT 0,"
	    "  next_try REAL NOT NULL,"
	    "  created REAL NOT NULL,"
	    "  updated REAL NOT NULL,"
	    "  last_error TEXT);"
	    "CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, channel);",
	    NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		log_warnx("outbox: cannot create its table: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : -1;
}

int64_t
outboxdb_insert(struct statedb *db, const char *dedupe, int64_t alert_id, const char *event,
    const char *channel, const char *payload, double now)
{
	int rc = db_exec(db, "INSERT OR IGNORE INTO outbox(dedupe, alert_id, event, channel, "
	    "payload, next_try, created, updated) VALUES (?,?,?,?,?,?,?,?)", "titttddd", dedupe, alert_id, event, channel, payload, now, now, now);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;	/* that notification was queued before: never twice */
	return (int64_t)sqlite3_last_insert_rowid(statedb_sqlite(db));
}

int
outboxdb_update(struct statedb *db, int64_t id, const char *state, int attempts, double next_try,
    const char *error, double now)
{
	return db_exec(db, "UPDATE outbox SET state=?, attempts=?, next_try=?, last_error=?, "
	    "updated=? WHERE id=?", "tidtdi", state, (int64_t)attempts, next_try, error, now, id);
}

int
outboxdb_load_pending(struct statedb *db, void (*cb)(const struct outbox_row *r, void *arg),
    void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT id, alert_id, event, channel, payload, "
	    "attempts, next_try, created FROM outbox WHERE state='pending' ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_row r = {
			.id = sqlite3_column_int64(st, 0),
			.alert_id = sqlite3_column_int64(st, 1),
			.event = (const char *)sqlite3_column_text(st, 2),
			.channel = (const char *)sqlite3_column_text(st, 3),
			.payload = (const char *)sqlite3_column_text(st, 4),
			.attempts = sqlite3_column_int(st, 5),
			.next_try = sqlite3_column_double(st, 6),
			.created = sqlite3_column_double(st, 7),
		};
		cb(&r, arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

json_t *
outboxdb_summary(struct statedb *db, int dead_per_channel)
{
	json_t *out = json_object();
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT channel, state, count(*), max(updated) "
	    "FROM outbox GROUP BY channel, state", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *ch = (const char *)sqlite3_column_text(st, 0);
			const char *state = (const char *)sqlite3_column_text(st, 1);
			json_t *o = json_object_get(out, ch);
			if (o == NULL) {
				o = json_pack("{s:i, s:i, s:i, s:n, s:[]}", "sent", 0, "dead", 0,
				    "pending", 0, "last_delivery", "dead_letters");
				json_object_set_new(out, ch, o);
			}
			json_object_set_new(o, state, json_integer(sqlite3_column_int64(st, 2)));
			if (strcmp(state, "sent") == 0)
				json_object_set_new(o, "last_delivery",
				    json_real(sqlite3_column_double(st, 3)));
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT id, channel, alert_id, event, attempts, "
	    "created, updated, last_error FROM outbox o WHERE state='dead' AND id IN (SELECT id "
	    "FROM outbox WHERE state='dead' AND channel=o.channel ORDER BY id DESC LIMIT ?) "
	    "ORDER BY id DESC", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, dead_per_channel);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *o = json_object_get(out, (const char *)sqlite3_column_text(st, 1));
			const char *err = (const char *)sqlite3_column_text(st, 7);
			if (o != NULL)
				json_array_append_new(json_object_get(o, "dead_letters"), json_pack(
				    "{s:I, s:I, s:s, s:i, s:f, s:f, s:s}", "id",
				    (json_int_t)sqlite3_column_int64(st, 0), "alert_id",
				    (json_int_t)sqlite3_column_int64(st, 2), "event",
				    (const char *)sqlite3_column_text(st, 3), "attempts",
				    sqlite3_column_int(st, 4), "created", sqlite3_column_double(st, 5),
				    "updated", sqlite3_column_double(st, 6), "error", err ? err : ""));
		}
		sqlite3_finalize(st);
	}
	return out;
}
