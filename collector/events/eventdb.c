/*
 * eventdb.c — the events database (DATA/events.db, SQLite with an FTS5
 * index over message, program and device) and the one thread that owns it.
 *
 * The loop queues events (a bounded ring: full means dropped, counted as
 * reason=queue) and queries; the thread writes whatever is queued in one
 * transaction (WAL, synchronous=FULL: a batch is durable when it is handed
 * back), runs queries between batches, and applies retention (age, then
 * size) at most every few seconds. Stored batches go back to the loop
 * (events_stored) for the log rules and observe_event.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "common/log.h"
#include "common/util.h"

#define BATCH_MAX 8192

struct ev_job {
	int64_t confirm_id;		/* a confirmation, not a query, when set */
	double confirm_ts;
	struct evdb_link *links;	/* alert links, not a query, when set */
	size_t n_links;
	struct ev_query q;
	evdb_query_fn done;
	void *arg;
	json_t *rows;
	char err[256];
	int bad_query;
	struct loopq_item li;
	struct ev_job *next;
};

struct ev_batch {
	struct collector *c;
	struct cm_event **evs;
	size_t n;
	struct loopq_item li;
};

struct ev_db {
	sqlite3 *db;
	sqlite3_stmt *ins, *ins_fts;
	pthread_t th;
	int running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct cm_event **ring;
	size_t cap, head, n;
	struct ev_job *jobs, *jobs_tail;
	int stop;
	struct collector *c;
	long long max_age, max_bytes;
	double retention_checked;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, ts REAL NOT NULL,"
    " sent_ts REAL, kind INTEGER NOT NULL, device_id INTEGER, device TEXT, source TEXT,"
    " severity INTEGER, facility INTEGER, host TEXT, program TEXT, message TEXT, tag TEXT,"
    " trap_oid TEXT, trap_name TEXT, varbinds TEXT, subject TEXT, confirmed_ts REAL"
    ", alert_id INTEGER);"
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts);"
    "CREATE INDEX IF NOT EXISTS events_device ON events(device_id, id);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(message, program, device,"
    " content='events', content_rowid='id');";

static const char cols[] =
    "e.id, e.ts, e.sent_ts, e.kind, e.device_id, e.device, e.source, e.severity,"
    " e.facility, e.host, e.program, e.message, e.tag, e.trap_oid, e.trap_name,"
    " e.varbinds, e.subject, e.confirmed_ts, e.alert_id";

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
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
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int
insert(struct ev_db *d, struct cm_event *ev)
{
	sqlite3_stmt *st = d->ins;
	char *vb = varbinds_json(ev);
	sqlite3_reset(st);
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
	if (rc != SQLITE_DONE)
		return -1;
	ev->id = sqlite3_last_insert_rowid(d->db);
	st = d->ins_fts;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, ev->id);
	bind_text(st, 2, ev->message);
	bind_text(st, 3, ev->program);
	bind_text(st, 4, ev->device);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static void
batch_done(void *arg)
{
	struct ev_batch *b = arg;
	events_stored(b->c, b->evs, b->n);
	free(b->evs);
	free(b);
}

static void
write_batch(struct ev_db *d, struct cm_event **evs, size_t n)
{
	size_t ok = 0;
	if (sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("events: cannot begin a transaction: %s", sqlite3_errmsg(d->db));
	} else {
		for (size_t i = 0; i < n; i++) {
			if (insert(d, evs[i]) < 0) {
				log_warnx("events: insert: %s", sqlite3_errmsg(d->db));
				evs[i]->id = 0;
				continue;
			}
			ok++;
		}
		if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			log_warnx("events: commit: %s", sqlite3_errmsg(d->db));
			sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
			ok = 0;
		}
	}
	/* keep what was stored; count the rest as queue drops */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (ok > 0 && evs[i]->id > 0) {
			evs[kept++] = evs[i];
		} else {
			events_drop(d->c, evs[i]->kind, EV_DROP_QUEUE, 1);
			cm_event_free(evs[i]);
		}
	}
	struct ev_batch *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		for (size_t i = 0; i < kept; i++)
			cm_event_free(evs[i]);
		free(evs);
		return;
	}
	b->c = d->c;
	b->evs = evs;
	b->n = kept;
	loopq_post(d->c->loopq, &b->li, batch_done, b);
}

/* ---- queries ---------------------------------------------------------- */

json_t *
evdb_row_json(void *stmt)
{
	sqlite3_stmt *st = stmt;
	const char *vb = (const char *)sqlite3_column_text(st, 15);
	json_t *vbs = vb ? json_loads(vb, 0, NULL) : NULL;
	int kind = sqlite3_column_int(st, 3);
	const char *sev = sqlite3_column_type(st, 7) == SQLITE_NULL ? NULL :
	    ev_severity_name(sqlite3_column_int(st, 7));
	const char *fac = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL :
	    ev_facility_name(sqlite3_column_int(st, 8));
	json_t *o = json_pack("{s:I, s:f, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?,"
	    " s:s?, s:s?, s:o, s:s?, s:s?}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "ts", sqlite3_column_double(st, 1),
	    "kind", cm_event_kind_name((enum cm_event_kind)kind),
	    "device", (const char *)sqlite3_column_text(st, 5),
	    "source_address", (const char *)sqlite3_column_text(st, 6),
	    "severity", sev, "facility", fac,
	    "host", (const char *)sqlite3_column_text(st, 9),
	    "program", (const char *)sqlite3_column_text(st, 10),
	    "message", (const char *)sqlite3_column_text(st, 11),
	    "trap_oid", (const char *)sqlite3_column_text(st, 13),
	    "trap_name", (const char *)sqlite3_column_text(st, 14),
	    "varbinds", vbs ? vbs : json_array(),
	    "tag", (const char *)sqlite3_column_text(st, 12),
	    "subject", (const char *)sqlite3_column_text(st, 16));
	if (o == NULL)
		return NULL;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		json_object_set_new(o, "sent_ts", json_real(sqlite3_column_double(st, 2)));
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		json_object_set_new(o, "device_id", json_integer(sqlite3_column_int64(st, 4)));
	if (sqlite3_column_type(st, 17) != SQLITE_NULL)
		json_object_set_new(o, "confirmed_by_poll", json_real(sqlite3_column_double(st, 17)));
	if (sqlite3_column_type(st, 18) != SQLITE_NULL)
		json_object_set_new(o, "alert_id", json_integer(sqlite3_column_int64(st, 18)));
	return o;
}

static void
run_query(struct ev_db *d, struct ev_job *j)
{
	const struct ev_query *q = &j->q;
	char sql[1024];
	int fts = q->q != NULL && q->q[0] != '\0';
	/* FTS5 walks its index newest first (rowid DESC) and stops at the limit */
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE 1%s%s%s%s%s%s%s ORDER BY %s DESC "
	    "LIMIT ?8", cols,
	    fts ? "events_fts JOIN events e ON e.id = events_fts.rowid" : "events e",
	    fts ? " AND events_fts MATCH ?1" : "",
	    q->before > 0 ? (fts ? " AND events_fts.rowid < ?2" : " AND e.id < ?2") : "",
	    q->from > 0 ? " AND e.ts >= ?3" : "",
	    q->to > 0 ? " AND e.ts <= ?4" : "",
	    q->device_id > 0 ? " AND e.device_id = ?5" : "",
	    q->kind >= 0 ? " AND e.kind = ?6" : "",
	    q->severity >= 0 ? " AND e.severity <= ?7" : "",
	    fts ? "events_fts.rowid" : "e.id");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(j->err, sizeof(j->err), "%s", sqlite3_errmsg(d->db));
		return;
	}
	if (fts)
		sqlite3_bind_text(st, 1, q->q, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->before);
	sqlite3_bind_double(st, 3, q->from);
	sqlite3_bind_double(st, 4, q->to);
	sqlite3_bind_int64(st, 5, q->device_id);
	sqlite3_bind_int(st, 6, q->kind);
	sqlite3_bind_int(st, 7, q->severity);
	sqlite3_bind_int64(st, 8, q->limit);
	json_t *rows = json_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = evdb_row_json(st);
		if (o != NULL)
			json_array_append_new(rows, o);
	}
	if (rc != SQLITE_DONE) {
		/* a bad FTS5 expression fails at the first step, as SQLITE_ERROR */
		snprintf(j->err, sizeof(j->err), "%s", sqlite3_errmsg(d->db));
		j->bad_query = fts && rc == SQLITE_ERROR;
		json_decref(rows);
	} else {
		j->rows = rows;
	}
	sqlite3_finalize(st);
}

static void
run_confirm(struct ev_db *d, const struct ev_job *j)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, "UPDATE events SET confirmed_ts = ?1 WHERE id = ?2", -1,
	    &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_double(st, 1, j->confirm_ts);
	sqlite3_bind_int64(st, 2, j->confirm_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		log_warnx("events: cannot mark event %lld confirmed: %s",
		    (long long)j->confirm_id, sqlite3_errmsg(d->db));
	sqlite3_finalize(st);
}

/* The alert ids a log rule gave, all in one transaction (one sync). */
static void
run_link_alert(struct ev_db *d, const struct ev_job *j)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, "UPDATE events SET alert_id = ?1 WHERE id = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL);
	for (size_t i = 0; i < j->n_links; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, j->links[i].alert_id);
		sqlite3_bind_int64(st, 2, j->links[i].event_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			log_warnx("events: cannot link event %lld to alert %lld: %s",
			    (long long)j->links[i].event_id, (long long)j->links[i].alert_id,
			    sqlite3_errmsg(d->db));
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("events: cannot link events to alerts: %s", sqlite3_errmsg(d->db));
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

/* Databases made before events had alert_id get the column; "duplicate
 * column" means it is there already (made by the schema above). */
static int
add_alert_id(sqlite3 *db, char *err, size_t errlen)
{
	char *e = NULL;
	if (sqlite3_exec(db, "ALTER TABLE events ADD COLUMN alert_id INTEGER", NULL, NULL, &e) ==
	    SQLITE_OK || (e != NULL && strncmp(e, "duplicate column", 16) == 0)) {
		sqlite3_free(e);
		return 0;
	}
	snprintf(err, errlen, "cannot add events.alert_id: %s", e ? e : sqlite3_errmsg(db));
	sqlite3_free(e);
	return -1;
}

static void
job_done(void *arg)
{
	struct ev_job *j = arg;
	j->done(j->arg, j->rows, j->rows ? NULL : j->err, j->bad_query);
	free(j->q.q);
	free(j);
}

/* ---- retention -------------------------------------------------------- */

static long long
used_bytes(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long pages = 0, free_pages = 0, size = 0;
	const char *q = "SELECT (SELECT page_count FROM pragma_page_count()),"
	    " (SELECT freelist_count FROM pragma_freelist_count()),"
	    " (SELECT page_size FROM pragma_page_size())";
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		pages = sqlite3_column_int64(st, 0);
		free_pages = sqlite3_column_int64(st, 1);
		size = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return (pages - free_pages) * size;
}

/* Delete rows with id < bound, index entries first (external content). */
static long long
delete_below(sqlite3 *db, int64_t bound)
{
	sqlite3_stmt *st;
	long long n = 0;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO events_fts(events_fts, rowid, message, program,"
	    " device) SELECT 'delete', id, message, program, device FROM events WHERE id < ?1",
	    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, bound);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "DELETE FROM events WHERE id < ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(st, 1, bound);
		if (sqlite3_step(st) == SQLITE_DONE)
			n = sqlite3_changes(db);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return n;
}

static int64_t
scalar(sqlite3 *db, const char *sql, double arg)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_double(st, 1, arg);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static void
retention(struct ev_db *d)
{
	long long deleted = 0;
	if (d->max_age > 0) {
		/* ids grow with receive time: the first id at or after the horizon */
		int64_t bound = scalar(d->db, "SELECT min(id) FROM events WHERE ts >= ?1",
		    util_now() - (double)d->max_age);
		if (bound == 0)
			bound = scalar(d->db, "SELECT max(id) + 1 FROM events", 0);
		deleted += delete_below(d->db, bound);
	}
	/* size: drop the oldest tenth until under the bound */
	for (int round = 0; round < 20 && d->max_bytes > 0 && used_bytes(d->db) > d->max_bytes;
	    round++) {
		int64_t lo = scalar(d->db, "SELECT min(id) FROM events", 0);
		int64_t hi = scalar(d->db, "SELECT max(id) FROM events", 0);
		if (hi <= lo)
			break;
		deleted += delete_below(d->db, lo + (hi - lo) / 10 + 1);
	}
	if (deleted > 0)
		log_info("events: retention deleted %lld old events", deleted);
}

/* ---- the thread -------------------------------------------------------- */

static void *
thread_main(void *arg)
{
	struct ev_db *d = arg;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		while (d->n == 0 && d->jobs == NULL && !d->stop) {
			struct timespec t;
			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_sec += 5;
			if (pthread_cond_timedwait(&d->cv, &d->mu, &t) == ETIMEDOUT)
				break;
		}
		struct ev_job *jobs = d->jobs;
		d->jobs = d->jobs_tail = NULL;
		size_t n = d->n < BATCH_MAX ? d->n : BATCH_MAX;
		struct cm_event **evs = n ? malloc(n * sizeof(*evs)) : NULL;
		if (evs == NULL)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			evs[i] = d->ring[d->head];
			d->head = (d->head + 1) % d->cap;
		}
		d->n -= n;
		int stop = d->stop && d->n == 0 && jobs == NULL && n == 0;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		/* queries first: a person is waiting */
		while (jobs != NULL) {
			struct ev_job *j = jobs;
			jobs = j->next;
			if (j->confirm_id > 0) {
				run_confirm(d, j);
				free(j);
				continue;
			}
			if (j->links != NULL) {
				run_link_alert(d, j);
				free(j->links);
				free(j);
				continue;
			}
			run_query(d, j);
			loopq_post(d->c->loopq, &j->li, job_done, j);
		}
		if (n > 0)
			write_batch(d, evs, n);
		double now = util_monotonic();
		if (now - d->retention_checked >= 5) {
			d->retention_checked = now;
			retention(d);
		}
	}
	return NULL;
}

struct ev_db *
evdb_open(const char *path, size_t queue_max, struct collector *c, char *err, size_t errlen)
{
	struct ev_db *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->c = c;
	d->cap = queue_max;
	d->ring = calloc(queue_max, sizeof(*d->ring));
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	char *e = NULL;
	if (d->ring == NULL || sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(d->db, schema, NULL, NULL, &e) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "INSERT INTO events (ts, sent_ts, kind, device_id, device,"
	    " source, severity, facility, host, program, message, tag, trap_oid, trap_name,"
	    " varbinds, subject) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
	    -1, &d->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(d->db, "INSERT INTO events_fts (rowid, message, program, device)"
	    " VALUES (?1, ?2, ?3, ?4)", -1, &d->ins_fts, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, e ? e : d->db ? sqlite3_errmsg(d->db) :
		    "out of memory");
		sqlite3_free(e);
		evdb_close(d);
		return NULL;
	}
	sqlite3_busy_timeout(d->db, 5000);
	if (add_alert_id(d->db, err, errlen) < 0) {
		evdb_close(d);
		return NULL;
	}
	if (pthread_create(&d->th, NULL, thread_main, d) != 0) {
		snprintf(err, errlen, "cannot start the events thread");
		evdb_close(d);
		return NULL;
	}
	d->running = 1;
	return d;
}

int
evdb_put(struct ev_db *d, struct cm_event *ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->n == d->cap || d->stop) {
		pthread_mutex_unlock(&d->mu);
		cm_event_free(ev);
		return -1;
	}
	d->ring[(d->head + d->n) % d->cap] = ev;
	d->n++;
	/* wake the thread for the first of a batch only */
	if (d->n == 1)
		pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

static void
push_job(struct ev_db *d, struct ev_job *j)
{
	pthread_mutex_lock(&d->mu);
	if (d->jobs_tail)
		d->jobs_tail->next = j;
	else
		d->jobs = j;
	d->jobs_tail = j;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
}

int
evdb_confirm(struct ev_db *d, int64_t id, double ts)
{
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->confirm_id = id;
	j->confirm_ts = ts;
	push_job(d, j);
	return 0;
}

int
evdb_link_alert(struct ev_db *d, const struct evdb_link *links, size_t n)
{
	if (n == 0)
		return 0;
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL || (j->links = malloc(n * sizeof(*links))) == NULL) {
		free(j);
		return -1;
	}
	memcpy(j->links, links, n * sizeof(*links));
	j->n_links = n;
	push_job(d, j);
	return 0;
}

int
evdb_query(struct ev_db *d, const struct ev_query *q, evdb_query_fn done, void *arg)
{
	struct ev_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -1;
	j->q = *q;
	j->q.q = q->q ? strdup(q->q) : NULL;
	j->done = done;
	j->arg = arg;
	push_job(d, j);
	return 0;
}

void
evdb_set_retention(struct ev_db *d, long long max_age, long long max_bytes)
{
	pthread_mutex_lock(&d->mu);
	d->max_age = max_age;
	d->max_bytes = max_bytes;
	pthread_mutex_unlock(&d->mu);
}

size_t
evdb_queue_depth(struct ev_db *d)
{
	pthread_mutex_lock(&d->mu);
	size_t n = d->n;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void
evdb_close(struct ev_db *d)
{
	if (d == NULL)
		return;
	if (d->running) {
		pthread_mutex_lock(&d->mu);
		d->stop = 1;
		pthread_cond_signal(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->th, NULL);
	}
	sqlite3_finalize(d->ins);
	sqlite3_finalize(d->ins_fts);
	if (d->db != NULL)
		sqlite3_close(d->db);
	for (size_t i = 0; i < d->n; i++)
		cm_event_free(d->ring[(d->head + i) % d->cap]);
	free(d->ring);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}
