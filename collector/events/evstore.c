/*
 * evstore.c — the events database's tables: `events` (one row per event)
 * and its FTS5 search index, cut into partitions of part_rows events each
 * (events_fts1, events_fts2, …; `events_parts` lists their first ids).
 *
 * Why partitions: FTS5 (SQLite 3.40) builds a prefix query's whole doclist
 * before it can walk it newest first, so `GigabitEthernet1*` over ten
 * million lines costs the same whether a page of 100 is wanted or not. A
 * query walks the partitions newest first and stops once its page is full,
 * so the work is bounded by one partition, and retention drops a whole old
 * partition instead of deleting its index entries one by one.
 *
 * Why the `meta` column: the device, severity and kind filters are tokens
 * in the index ("d17 s3 k1"), so "Vlanif10 on this device" is an FTS5 AND
 * (doclists intersected, skipping) instead of every Vlanif10 line joined to
 * its row and thrown away. Free text is kept to the other columns. The SQL
 * filters stay too: the tokens narrow, the columns decide.
 *
 * No time or device index on `events`: ids grow with receive time, so a
 * time bound becomes an id bound (binary search over the primary key), and
 * the device filter is the meta token. Every index left out is a B-tree
 * insert per line saved.
 *
 * The index's tokenizer is cjk.c's (unicode61, with Chinese, Japanese and
 * Korean text cut into characters and pairs); partitions made before it
 * keep unicode61.
 *
 * Here: the schema, partitions and writing. Search is evsearch.c's,
 * retention evretain.c's; evstore_int.h is what they share.
 *
 * Not thread-safe: a store is used by one thread at a time (eventdb.c's
 * state-writer jobs for the writer's, a reader thread for a reader's).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "collector/events/events.h"
#include "collector/events/evstore_int.h"
#include "common/log.h"

#define PART_ROWS_DEFAULT 1000000

static const char schema[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
    " sent_ts REAL, kind INTEGER NOT NULL, device_id INTEGER, device TEXT, source TEXT,"
    " severity INTEGER, facility INTEGER, host TEXT, program TEXT, message TEXT, tag TEXT,"
    " trap_oid TEXT, trap_name TEXT, varbinds TEXT, subject TEXT, confirmed_ts REAL,"
    " alert_id INTEGER);"
    "CREATE TABLE IF NOT EXISTS events_parts (n INTEGER PRIMARY KEY,"
    " first_id INTEGER NOT NULL);";

static const char ins_row_sql[] = "INSERT INTO events (id, ts, sent_ts, kind, device_id,"
    " device, source, severity, facility, host, program, message, tag, trap_oid, trap_name,"
    " varbinds, subject) VALUES (?17,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)";

int64_t
evstore_scalar(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, arg);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

int
evstore_exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) == SQLITE_OK)
		return 0;
	log_warnx("events: %s: %s", sql, e ? e : "?");
	sqlite3_free(e);
	return -1;
}

static int
load_parts(struct ev_store *s)
{
	sqlite3_stmt *st;
	s->n_parts = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT n, first_id FROM events_parts ORDER BY n", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && s->n_parts < MAX_PARTS) {
		s->part_no[s->n_parts] = sqlite3_column_int(st, 0);
		s->part_first[s->n_parts] = sqlite3_column_int64(st, 1);
		s->n_parts++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* The statement that indexes rows ?1..?2 into the newest partition. */
static int
prepare_ins_fts(struct ev_store *s)
{
	char sql[256];
	sqlite3_finalize(s->ins_fts);
	s->ins_fts = NULL;
	if (s->n_parts == 0)
		return 0;
	snprintf(sql, sizeof(sql), "INSERT INTO events_fts%d (rowid, message, program, device,"
	    " meta) SELECT id, message, program, device, " META_SQL " FROM events"
	    " WHERE id BETWEEN ?1 AND ?2", s->part_no[s->n_parts - 1]);
	return sqlite3_prepare_v2(s->db, sql, -1, &s->ins_fts, NULL) == SQLITE_OK ? 0 : -1;
}

/* A new partition for ids from first_id on (inside the caller's
 * transaction); the insert statement then targets it. */
static int
add_part(struct ev_store *s, int64_t first_id)
{
	if (s->n_parts == MAX_PARTS)
		return -1;
	int no = s->n_parts ? s->part_no[s->n_parts - 1] + 1 : 1;
	char sql[768];
	snprintf(sql, sizeof(sql), "CREATE VIRTUAL TABLE events_fts%d USING fts5(message,"
	    " program, device, meta, content='events', content_rowid='id', columnsize=0,"
	    " tokenize='cjk');"
	    "INSERT INTO events_fts%d (events_fts%d, rank) VALUES ('hashsize', 8388608);"
	    "INSERT INTO events_fts%d (events_fts%d, rank) VALUES ('automerge', 8);"
	    "INSERT INTO events_parts (n, first_id) VALUES (%d, %lld);", no, no, no, no, no, no,
	    (long long)first_id);
	if (evstore_exec(s->db, sql) < 0)
		return -1;
	s->part_no[s->n_parts] = no;
	s->part_first[s->n_parts] = first_id;
	s->n_parts++;
	return prepare_ins_fts(s);
}

/* Databases from before partitions had one index, events_fts, without
 * meta, and time and device indexes: index their rows into partition 1. */
static int
upgrade(struct ev_store *s)
{
	if (evstore_scalar(s->db, "SELECT count(*) FROM sqlite_master WHERE name = 'events_fts'",
	    0) == 0)
		return 0;
	int64_t n = evstore_scalar(s->db, "SELECT count(*) FROM events", 0);
	log_info("events: indexing %lld stored events into the partitioned search index",
	    (long long)n);
	if (evstore_exec(s->db, "BEGIN IMMEDIATE; DROP TABLE events_fts;"
	    " DROP INDEX IF EXISTS events_ts; DROP INDEX IF EXISTS events_device;") < 0)
		return -1;
	int64_t lo = evstore_scalar(s->db, "SELECT coalesce(min(id), 1) FROM events", 0);
	int64_t hi = evstore_scalar(s->db, "SELECT coalesce(max(id), 0) FROM events", 0);
	if (add_part(s, lo) < 0) {
		evstore_exec(s->db, "ROLLBACK");
		return -1;
	}
	sqlite3_bind_int64(s->ins_fts, 1, lo);
	sqlite3_bind_int64(s->ins_fts, 2, hi);
	int rc = sqlite3_step(s->ins_fts);
	sqlite3_reset(s->ins_fts);
	if (rc != SQLITE_DONE || evstore_exec(s->db, "COMMIT") < 0) {
		evstore_exec(s->db, "ROLLBACK");
		return -1;
	}
	return 0;
}

int
evstore_reload_parts(struct ev_store *s)
{
	if (load_parts(s) < 0 || (!s->reader && prepare_ins_fts(s) < 0)) {
		log_warnx("events: cannot reload the partitions: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

/* Databases made before events had alert_id get the column; "duplicate
 * column" means it is there already (made by the schema above). */
static int
add_alert_id(sqlite3 *db)
{
	char *e = NULL;
	int rc = sqlite3_exec(db, "ALTER TABLE events ADD COLUMN alert_id INTEGER", NULL, NULL, &e);
	int ok = rc == SQLITE_OK || (e != NULL && strncmp(e, "duplicate column", 16) == 0);
	sqlite3_free(e);
	return ok ? 0 : -1;
}

struct ev_store *
evstore_open(const char *path, char *err, size_t errlen)
{
	struct ev_store *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->part_rows = PART_ROWS_DEFAULT;
	s->wal_trim = 256LL << 20;
	char *e = NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK || ev_cjk_register(s->db) < 0 ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &e) != SQLITE_OK || add_alert_id(s->db) < 0 ||
	    sqlite3_prepare_v2(s->db, ins_row_sql, -1, &s->ins_row, NULL) != SQLITE_OK ||
	    load_parts(s) < 0 || (s->n_parts == 0 && upgrade(s) < 0) || prepare_ins_fts(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, e ? e : s->db ? sqlite3_errmsg(s->db) :
		    "out of memory");
		sqlite3_free(e);
		evstore_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	return s;
}

struct ev_store *
evstore_open_reader(const char *path, char *err, size_t errlen)
{
	struct ev_store *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->reader = 1;
	/* read-write only for WAL's shared memory; query_only keeps it read */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK || ev_cjk_register(s->db) < 0 ||
	    sqlite3_exec(s->db, "PRAGMA query_only=1; PRAGMA cache_size=-16384;", NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) :
		    "out of memory");
		evstore_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	return s;
}

void
evstore_checkpoint(struct ev_store *s)
{
	evstore_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

void
evstore_close(struct ev_store *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->ins_row);
	sqlite3_finalize(s->ins_fts);
	if (s->db != NULL)
		sqlite3_close(s->db);
	free(s);
}

void
evstore_set_part_rows(struct ev_store *s, long long rows)
{
	s->part_rows = rows > 0 ? rows : PART_ROWS_DEFAULT;
}

void
evstore_set_wal_trim(struct ev_store *s, long long bytes)
{
	s->wal_trim = bytes;
}

int
evstore_parts(const struct ev_store *s)
{
	return s->n_parts;
}

/* ---- writing ------------------------------------------------------------ */

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static char *
varbinds_json(const struct cm_event *ev)
{
	if (ev->n_vb == 0)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; i < ev->n_vb; i++)
		json_array_append_new(a, json_pack("{s:s, s:s?, s:s}", "oid", ev->vb[i].oid,
		    "name", ev->vb[i].name, "value", ev->vb[i].value));
	char *v = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return v;
}

static int
insert_row(sqlite3_stmt *st, struct cm_event *ev, int64_t id)
{
	char *vb = varbinds_json(ev);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 17, id);
	sqlite3_bind_double(st, 1, ev->ts);
	if (ev->sent_ts > 0)
		sqlite3_bind_double(st, 2, ev->sent_ts);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, ev->kind);
	if (ev->device_id)
		sqlite3_bind_int64(st, 4, ev->device_id);
	else
		sqlite3_bind_null(st, 4);
	bind_text(st, 5, ev->device);
	bind_text(st, 6, ev->source_address[0] ? ev->source_address : NULL);
	if (ev->severity >= 0)
		sqlite3_bind_int(st, 7, ev->severity);
	else
		sqlite3_bind_null(st, 7);
	if (ev->facility >= 0)
		sqlite3_bind_int(st, 8, ev->facility);
	else
		sqlite3_bind_null(st, 8);
	bind_text(st, 9, ev->host);
	bind_text(st, 10, ev->program);
	bind_text(st, 11, ev->message);
	bind_text(st, 12, ev->tag);
	bind_text(st, 13, ev->trap_oid);
	bind_text(st, 14, ev->trap_name);
	bind_text(st, 15, vb);
	bind_text(st, 16, ev->subject);
	int rc = sqlite3_step(st);
	free(vb);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Ids are given, not left to SQLite: they never go below the newest
 * partition's first id, even when retention has emptied the table. */
static int64_t
next_id(struct ev_store *s)
{
	int64_t next = evstore_scalar(s->db, "SELECT coalesce(max(id), 0) + 1 FROM events", 0);
	if (s->n_parts > 0 && next < s->part_first[s->n_parts - 1])
		next = s->part_first[s->n_parts - 1];
	return next;
}

/* Rows first, one statement each; then the batch's index entries in one
 * INSERT … SELECT (the rows are still in the page cache). Sets the ids of
 * the stored events (0: not stored); returns how many were. */
size_t
evstore_write(struct ev_store *s, struct cm_event **evs, size_t n)
{
	size_t ok = 0;
	for (size_t i = 0; i < n; i++)
		evs[i]->id = 0;
	if (evstore_exec(s->db, "BEGIN IMMEDIATE") < 0)
		return 0;
	int64_t id = next_id(s), lo = id;
	if ((s->n_parts == 0 || id - s->part_first[s->n_parts - 1] >= s->part_rows) &&
	    add_part(s, id) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (insert_row(s->ins_row, evs[i], id) < 0) {
			log_warnx("events: insert: %s", sqlite3_errmsg(s->db));
			continue;
		}
		evs[i]->id = id++;
		ok++;
	}
	sqlite3_reset(s->ins_row);
	if (ok > 0) {
		sqlite3_bind_int64(s->ins_fts, 1, lo);
		sqlite3_bind_int64(s->ins_fts, 2, id - 1);
		int rc = sqlite3_step(s->ins_fts);
		sqlite3_reset(s->ins_fts);
		if (rc != SQLITE_DONE) {
			log_warnx("events: index: %s", sqlite3_errmsg(s->db));
			goto fail;
		}
	}
	if (evstore_exec(s->db, "COMMIT") < 0)
		goto fail;
	return ok;
fail:
	evstore_exec(s->db, "ROLLBACK");
	/* a partition made in the failed transaction is gone with it */
	evstore_reload_parts(s);
	for (size_t i = 0; i < n; i++)
		evs[i]->id = 0;
	return 0;
}

int
evstore_confirm(struct ev_store *s, int64_t id, double ts)
{
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "UPDATE events SET confirmed_ts = ?1 WHERE id = ?2", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, ts);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else
		log_warnx("events: cannot mark event %lld confirmed: %s", (long long)id,
		    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc;
}

/* The alert ids a log rule gave, all in one transaction (one sync). */
void
evstore_link_alerts(struct ev_store *s, const struct evdb_link *links, size_t n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "UPDATE events SET alert_id = ?1 WHERE id = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	evstore_exec(s->db, "BEGIN IMMEDIATE");
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, links[i].alert_id);
		sqlite3_bind_int64(st, 2, links[i].event_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			log_warnx("events: cannot link event %lld to alert %lld: %s",
			    (long long)links[i].event_id, (long long)links[i].alert_id,
			    sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	if (evstore_exec(s->db, "COMMIT") < 0)
		evstore_exec(s->db, "ROLLBACK");
}
