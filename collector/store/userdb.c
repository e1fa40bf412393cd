/*
 * store/userdb.c — the users and audit tables of the state database
 * (schema in statedb.c's migrations). Store thread only, like every other
 * use of the connection. Password hashes never leave this file except to
 * the store-thread code in users.c that verifies them.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/store/store.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

static json_t *
col_json(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? json_string_safe(t, (size_t)sqlite3_column_bytes(st, i)) : json_null();
}

void
user_row_clear(struct user_row *u)
{
	free(u->name);
	free(u->role);
	if (u->hash != NULL) {
		memset(u->hash, 0, strlen(u->hash));
		free(u->hash);
	}
	memset(u, 0, sizeof(*u));
}

int
userdb_get(struct statedb *db, const char *name, int64_t id, struct user_row *u)
{
	sqlite3 *sq = statedb_sqlite(db);
	sqlite3_stmt *st;
	memset(u, 0, sizeof(*u));
	if (sqlite3_prepare_v2(sq, name ? "SELECT id, name, role, hash, disabled, created, "
	    "updated, last_login FROM users WHERE name = ?" : "SELECT id, name, role, hash, "
	    "disabled, created, updated, last_login FROM users WHERE id = ?", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		u->name = col_dup(st, 1);
		u->role = col_dup(st, 2);
		u->hash = col_dup(st, 3);
		u->disabled = sqlite3_column_int(st, 4);
		u->created = sqlite3_column_double(st, 5);
		u->updated = sqlite3_column_double(st, 6);
		u->last_login = sqlite3_column_double(st, 7);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return u->name && u->role && u->hash ? 1 : -1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
userdb_insert(struct statedb *db, struct user_row *u)
{
	sqlite3 *sq = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(sq, "INSERT INTO users(name, role, hash, disabled, created, "
	    "updated) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, u->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, u->disabled);
	sqlite3_bind_double(st, 5, u->created);
	sqlite3_bind_double(st, 6, u->created);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -2;
	if (rc != SQLITE_DONE) {
		log_warnx("statedb: cannot add a user: %s", sqlite3_errmsg(sq));
		return -1;
	}
	u->id = sqlite3_last_insert_rowid(sq);
	return 0;
}

int
userdb_update(struct statedb *db, int64_t id, const char *role, const char *hash,
    int disabled, double now)
{
	int n = db_exec(db, "UPDATE users SET role = coalesce(?, role), "
	    "hash = coalesce(?, hash), disabled = CASE WHEN ? < 0 THEN disabled ELSE ? END, "
	    "updated = ? WHERE id = ?", "ttiidi", role, hash, (int64_t)disabled,
	    (int64_t)disabled, now, id);
	return n < 0 ? -1 : n == 1 ? 0 : -2;
}

int
userdb_delete(struct statedb *db, int64_t id)
{
	int n = db_exec(db, "DELETE FROM users WHERE id = ?", "i", id);
	return n < 0 ? -1 : n == 1 ? 0 : -2;
}

int
userdb_touch_login(struct statedb *db, int64_t id, double now)
{
	return db_exec(db, "UPDATE users SET last_login = ? WHERE id = ?", "di", now, id) < 0 ?
	    -1 : 0;
}

int
userdb_count_admins(struct statedb *db)
{
	sqlite3_stmt *st;
	int n = -1;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT count(*) FROM users WHERE "
	    "role = 'admin' AND disabled = 0", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static json_t *
real_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    json_real(sqlite3_column_double(st, i));
}

json_t *
userdb_list(struct statedb *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT id, name, role, disabled, created, "
	    "updated, last_login FROM users ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	json_t *arr = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_pack("{s:I, s:o, s:o, s:b, s:f, s:f, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "name", col_json(st, 1),
		    "role", col_json(st, 2), "disabled", sqlite3_column_int(st, 3),
		    "created", sqlite3_column_double(st, 4), "updated",
		    sqlite3_column_double(st, 5), "last_login", real_or_null(st, 6));
		if (o != NULL)
			json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

/* ---- audit ------------------------------------------------------------------ */

int
auditdb_insert(struct statedb *db, const struct audit_row *r)
{
	sqlite3 *sq = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(sq, "INSERT INTO audit(ts, actor, addr, action, target, "
	    "detail, ok) VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, r->ts);
	sqlite3_bind_text(st, 2, r->actor, -1, SQLITE_STATIC);
	if (r->addr)
		sqlite3_bind_text(st, 3, r->addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->action, -1, SQLITE_STATIC);
	if (r->target)
		sqlite3_bind_text(st, 5, r->target, -1, SQLITE_STATIC);
	if (r->detail)
		sqlite3_bind_text(st, 6, r->detail, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->ok);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("statedb: cannot record an audit entry: %s", sqlite3_errmsg(sq));
		return -1;
	}
	return 0;
}

json_t *
auditdb_query(struct statedb *db, const struct audit_filter *f)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(statedb_sqlite(db), "SELECT id, ts, actor, addr, action, "
	    "target, detail, ok FROM audit WHERE ts >= ? AND ts <= ? "
	    "AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4) "
	    "ORDER BY ts DESC, id DESC LIMIT ?5", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_double(st, 1, f->from);
	sqlite3_bind_double(st, 2, f->to);
	if (f->actor)
		sqlite3_bind_text(st, 3, f->actor, -1, SQLITE_STATIC);
	if (f->action)
		sqlite3_bind_text(st, 4, f->action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, f->limit);
	json_t *arr = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_pack("{s:I, s:f, s:o, s:o, s:o, s:o, s:o, s:b}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0), "ts",
		    sqlite3_column_double(st, 1), "actor", col_json(st, 2), "addr",
		    col_json(st, 3), "action", col_json(st, 4), "target", col_json(st, 5),
		    "detail", col_json(st, 6), "ok", sqlite3_column_int(st, 7));
		if (o != NULL)
			json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

long long
auditdb_prune(struct statedb *db, double before)
{
	sqlite3 *sq = statedb_sqlite(db);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(sq, "DELETE FROM audit WHERE ts < ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, before);
	int rc = sqlite3_step(st);
	long long n = sqlite3_changes(sq);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}
