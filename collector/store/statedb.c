/*
 * statedb.c — the SQLite state database: series catalogue and tokens, with
 * a versioned schema. Used from the store thread (writes) and at startup
 * before the loop runs (loads); one connection, never shared by threads.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

struct statedb {
	sqlite3 *db;
	sqlite3_stmt *ins_series;
	sqlite3_stmt *upd_text;
	sqlite3_stmt *get_group;
	sqlite3_stmt *ins_group;
};

/* Migration N brings the schema from version N to N+1. Append only. */
static const char *const migrations[] = {
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  host TEXT NOT NULL,"
	"  step INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  created REAL NOT NULL,"
	"  last_text TEXT,"
	"  last_text_ts REAL);"
	"CREATE INDEX series_host ON series(host);"
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  host TEXT,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  created REAL NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0);",

	/* 1 -> 2: devices polled by SNMP (secrets stay in this file only). */
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  address TEXT NOT NULL,"
	"  port INTEGER NOT NULL DEFAULT 161,"
	"  kind TEXT NOT NULL DEFAULT 'other',"
	"  kind_set INTEGER NOT NULL DEFAULT 0,"
	"  site TEXT, building TEXT, room TEXT, rack TEXT,"
	"  serial TEXT, model TEXT, asset_tag TEXT, vendor TEXT, firmware TEXT,"
	"  snmp_version TEXT NOT NULL DEFAULT '2c',"
	"  community TEXT, v3_user TEXT, auth_proto TEXT, auth_pass TEXT,"
	"  priv_proto TEXT, priv_pass TEXT,"
	"  interval INTEGER NOT NULL DEFAULT 60,"
	"  monitored INTEGER NOT NULL DEFAULT 1,"
	"  status TEXT NOT NULL DEFAULT 'unknown',"
	"  last_seen REAL,"
	"  sys_descr TEXT, sys_object_id TEXT, sys_name TEXT, sys_location TEXT,"
	"  sys_contact TEXT,"
	"  created REAL NOT NULL);",

	/* 2 -> 3: web users (argon2id hashes) and the audit trail (store/userdb.c). */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created REAL NOT NULL,"
	"  updated REAL NOT NULL,"
	"  last_login REAL);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  ts REAL NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  addr TEXT,"
	"  action TEXT NOT NULL,"
	"  target TEXT,"
	"  detail TEXT,"
	"  ok INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX audit_ts ON audit(ts);",

	/*
	 * 3 -> 4: one RRD file per measurement and tag set, a data source per
	 * field (store/files.c). Series recorded before keep a file of their own
	 * named by their id, with the data source "value".
	 */
	"ALTER TABLE series ADD COLUMN file INTEGER;"
	"ALTER TABLE series ADD COLUMN ds TEXT;"
	"UPDATE series SET file = id, ds = 'value' WHERE kind = 0;"
	"CREATE TABLE rrd_groups ("
	"  grp TEXT PRIMARY KEY,"
	"  file INTEGER NOT NULL) WITHOUT ROWID;",

	/* 4 -> 5: alerts (their engine's JSON object), maintenance windows and
	 * rules made through the API (store/alertdb.c). */
	"CREATE TABLE IF NOT EXISTS alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  started REAL NOT NULL,"
	"  updated REAL NOT NULL,"
	"  ended REAL,"
	"  json TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS alerts_state ON alerts(state, ended);"
	"CREATE TABLE IF NOT EXISTS maintenance ("
	"  id INTEGER PRIMARY KEY,"
	"  json TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS alert_rules ("
	"  name TEXT PRIMARY KEY,"
	"  json TEXT NOT NULL,"
	"  created REAL NOT NULL);",
};

static int
exec_sql(sqlite3 *db, const char *sql, char **err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (err != NULL && asprintf(err, "%s", msg ? msg : "sqlite error") < 0)
			*err = NULL;
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
migrate(sqlite3 *db, char **err)
{
	sqlite3_stmt *st;
	int version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	int latest = (int)(sizeof(migrations) / sizeof(migrations[0]));
	if (version > latest) {
		if (asprintf(err, "state database has schema version %d, newer than this "
		    "collector (%d): upgrade campusmon", version, latest) < 0)
			*err = NULL;
		return -1;
	}
	for (int v = version; v < latest; v++) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d;", v + 1);
		if (exec_sql(db, "BEGIN", err) || exec_sql(db, migrations[v], err) ||
		    exec_sql(db, pragma, err) || exec_sql(db, "COMMIT", err)) {
			exec_sql(db, "ROLLBACK", NULL);
			return -1;
		}
		log_info("state database migrated to schema version %d", v + 1);
	}
	return 0;
}

struct statedb *
statedb_open(const char *path, char **err)
{
	struct statedb *s = calloc(1, sizeof(*s));
	*err = NULL;
	if (s == NULL)
		return NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (asprintf(err, "%s: %s", path, sqlite3_errmsg(s->db)) < 0)
			*err = NULL;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec_sql(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", err) || migrate(s->db, err))
		goto fail;
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO series(id, key, host, step, "
	    "kind, created, file, ds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &s->ins_series,
	    NULL) ||
	    sqlite3_prepare_v2(s->db, "UPDATE series SET last_text = ?, last_text_ts = ? "
	    "WHERE id = ?", -1, &s->upd_text, NULL) ||
	    sqlite3_prepare_v2(s->db, "SELECT file FROM rrd_groups WHERE grp = ?", -1,
	    &s->get_group, NULL) ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO rrd_groups(grp, file) "
	    "VALUES (?, ?)", -1, &s->ins_group, NULL)) {
		if (asprintf(err, "%s", sqlite3_errmsg(s->db)) < 0)
			*err = NULL;
		goto fail;
	}
	return s;
fail:
	statedb_close(s);
	return NULL;
}

void
statedb_close(struct statedb *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->ins_series);
	sqlite3_finalize(s->upd_text);
	sqlite3_finalize(s->get_group);
	sqlite3_finalize(s->ins_group);
	sqlite3_close(s->db);
	free(s);
}

int
statedb_schema_version(struct statedb *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
statedb_begin(struct statedb *s)
{
	/* IMMEDIATE: several store threads write (each its own connection); a
	 * deferred transaction that read first could not take the write lock. */
	return exec_sql(s->db, "BEGIN IMMEDIATE", NULL);
}

int
statedb_commit(struct statedb *s)
{
	return exec_sql(s->db, "COMMIT", NULL);
}

int
statedb_insert_series(struct statedb *s, const struct series_def *d, uint32_t file,
    const char *ds)
{
	sqlite3_stmt *st = s->ins_series;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_text(st, 2, d->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->step);
	sqlite3_bind_int(st, 5, d->kind);
	sqlite3_bind_double(st, 6, util_now());
	if (file != 0) {
		sqlite3_bind_int64(st, 7, file);
		sqlite3_bind_text(st, 8, ds, -1, SQLITE_STATIC);
	}
	int rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("statedb: cannot record series %u: %s", d->id, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
statedb_update_text(struct statedb *s, uint32_t id, double ts, const char *text)
{
	sqlite3_stmt *st = s->upd_text;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, ts);
	sqlite3_bind_int64(st, 3, id);
	int rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

uint32_t
statedb_group_file(struct statedb *s, const char *group, size_t len)
{
	sqlite3_stmt *st = s->get_group;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, group, (int)len, SQLITE_STATIC);
	uint32_t file = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		file = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_clear_bindings(st);
	return file;
}

int
statedb_insert_group(struct statedb *s, const char *group, size_t len, uint32_t file)
{
	sqlite3_stmt *st = s->ins_group;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, group, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, file);
	int rc = sqlite3_step(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("statedb: cannot record RRD file %u: %s", file, sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

struct statedb_cursor {
	sqlite3_stmt *st;
};

struct statedb_cursor *
statedb_series_cursor(struct statedb *s)
{
	struct statedb_cursor *cur = calloc(1, sizeof(*cur));
	if (cur == NULL)
		return NULL;
	/* In id order: a file's data sources were added in that order too. */
	if (sqlite3_prepare_v2(s->db, "SELECT id, key, host, step, kind, last_text, file, ds "
	    "FROM series ORDER BY id", -1, &cur->st, NULL) != SQLITE_OK) {
		free(cur);
		return NULL;
	}
	return cur;
}

uint32_t
statedb_series_max_id(struct statedb *s)
{
	sqlite3_stmt *st;
	uint32_t max = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM series", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		max = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return max;
}

int
statedb_series_next(struct statedb_cursor *cur, struct series_row *row)
{
	int rc = sqlite3_step(cur->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		log_warnx("state database: reading the series failed: %s",
		    sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_stmt *st = cur->st;
	*row = (struct series_row){
		.id = (uint32_t)sqlite3_column_int64(st, 0),
		.key = (const char *)sqlite3_column_text(st, 1),
		.host = (const char *)sqlite3_column_text(st, 2),
		.step = (uint32_t)sqlite3_column_int64(st, 3),
		.kind = sqlite3_column_int(st, 4),
		.text = (const char *)sqlite3_column_text(st, 5),
		.file = (uint32_t)sqlite3_column_int64(st, 6),
		.ds = (const char *)sqlite3_column_text(st, 7),
	};
	row->keylen = (size_t)sqlite3_column_bytes(st, 1);	/* after its text */
	return row->key != NULL && row->host != NULL ? 1 : statedb_series_next(cur, row);
}

void
statedb_cursor_free(struct statedb_cursor *cur)
{
	if (cur == NULL)
		return;
	sqlite3_finalize(cur->st);
	free(cur);
}

int
statedb_load_series(struct statedb *s, void (*cb)(const struct series_row *row, void *arg),
    void *arg)
{
	struct statedb_cursor *cur = statedb_series_cursor(s);
	struct series_row row;
	if (cur == NULL)
		return -1;
	while (statedb_series_next(cur, &row) > 0)
		cb(&row, arg);
	statedb_cursor_free(cur);
	return 0;
}

int
statedb_insert_token(struct statedb *s, struct token_row *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO tokens(name, kind, role, host, hash, "
	    "created) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->role, -1, SQLITE_STATIC);
	if (t->host)
		sqlite3_bind_text(st, 4, t->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->hash, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 6, t->created);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	t->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
statedb_revoke_token(struct statedb *s, int64_t id)
{
	return db_exec(s, "UPDATE tokens SET revoked = 1 WHERE id = ?", "i", id) == 1 ? 0 : -1;
}

int
statedb_load_tokens(struct statedb *s, void (*cb)(const struct token_row *, void *), void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT id, name, kind, role, host, hash, created, "
	    "revoked FROM tokens", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct token_row t = { 0 };
		t.id = sqlite3_column_int64(st, 0);
		t.name = (char *)sqlite3_column_text(st, 1);
		t.kind = (char *)sqlite3_column_text(st, 2);
		t.role = (char *)sqlite3_column_text(st, 3);
		t.host = (char *)sqlite3_column_text(st, 4);
		snprintf(t.hash, sizeof(t.hash), "%s", (const char *)sqlite3_column_text(st, 5));
		t.created = sqlite3_column_double(st, 6);
		t.revoked = sqlite3_column_int(st, 7);
		cb(&t, arg);
	}
	sqlite3_finalize(st);
	return 0;
}

int
statedb_backup(struct statedb *s, const char *dest, char **err)
{
	*err = NULL;
	return db_copy(s->db, dest, NULL, NULL, err);
}

/* The connection itself, for the other store-thread files (store/userdb.c). */
struct sqlite3 *
statedb_sqlite(struct statedb *s)
{
	return s->db;
}
