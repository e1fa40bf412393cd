/*
 * outboxdb.c — the notification outbox in its own SQLite file (the outbox
 * worker's thread only, worker.c). One row per
 * (alert, event, channel), unique by its dedupe key: a row is written
 * before its first attempt, and marked sent only after the receiver took
 * it, so across a crash a notification goes at least once and never again
 * once "sent" is recorded. WAL with synchronous=NORMAL, as the state
 * database: a commit survives the process's crash or kill -9 (not a power
 * cut of the machine); FULL's fsync per batch doubled the p99 latency
 * next to the journal's own fsyncs (bench/notify).
 */
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/notify/notify_internal.h"
#include "common/log.h"

int
outboxdb_open(const char *path, sqlite3 **out)
{
	char *msg = NULL;
	sqlite3 *db = NULL;
	*out = NULL;
	/* its rows hold acknowledgement links, which are credentials: ours
	 * alone (SQLite gives its -wal and -shm files the same mode) */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		log_warn("outbox: cannot open %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_warnx("outbox: cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "?");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
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
	    "CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, channel);"
	    /* what retention deleted of each channel's deliveries: its sent
	     * count and last delivery outlive the rows (outboxdb_prune) */
	    "CREATE TABLE IF NOT EXISTS outbox_pruned ("
	    "  channel TEXT PRIMARY KEY,"
	    "  sent INTEGER NOT NULL,"
	    "  last_delivery REAL);",
	    NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_warnx("outbox: cannot prepare %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* A statement without rows: 't' text (NULL binds NULL), 'i' int64, 'd' double.
 * The rows changed, or -1. */
static int
exec_fmt(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	for (int at = 1; fmt[at - 1] != '\0'; at++) {
		if (fmt[at - 1] == 'i') {
			sqlite3_bind_int64(st, at, va_arg(ap, int64_t));
		} else if (fmt[at - 1] == 'd') {
			sqlite3_bind_double(st, at, va_arg(ap, double));
		} else {
			const char *v = va_arg(ap, const char *);
			if (v != NULL)
				sqlite3_bind_text(st, at, v, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, at);
		}
	}
	va_end(ap);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

int
outboxdb_begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
outboxdb_commit(sqlite3 *db)
{
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	log_warnx("outbox: commit failed: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int64_t
outboxdb_insert(sqlite3 *db, const char *dedupe, int64_t alert_id, const char *event,
    const char *channel, const char *payload, double now)
{
	int rc = exec_fmt(db, "INSERT OR IGNORE INTO outbox(dedupe, alert_id, event, channel, "
	    "payload, next_try, created, updated) VALUES (?,?,?,?,?,?,?,?)", "titttddd", dedupe, alert_id, event, channel, payload, now, now, now);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;	/* that notification was queued before: never twice */
	return (int64_t)sqlite3_last_insert_rowid(db);
}

int
outboxdb_update(sqlite3 *db, int64_t id, const char *state, int attempts, double next_try,
    const char *error, double now)
{
	return exec_fmt(db, "UPDATE outbox SET state=?, attempts=?, next_try=?, last_error=?, "
	    "updated=? WHERE id=?", "tidtdi", state, (int64_t)attempts, next_try, error, now, id);
}

/* Step st, whose columns are ROW_COLUMNS, passing each row to cb; then
 * finalize it. 0 or -1. */
#define ROW_COLUMNS "id, alert_id, event, channel, payload, attempts, next_try, created"
static int
each_row(sqlite3_stmt *st, void (*cb)(const struct outbox_row *r, void *arg), void *arg)
{
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

int
outboxdb_load_pending(sqlite3 *db, void (*cb)(const struct outbox_row *r, void *arg),
    void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM outbox WHERE state='pending' "
	    "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -1;
	return each_row(st, cb, arg);
}

int
outboxdb_requeue_dead(sqlite3 *db, const char *channel, double now,
    void (*cb)(const struct outbox_row *r, void *arg), void *arg)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "UPDATE outbox SET state='pending', attempts=0, next_try=?1, "
	    "created=?1, updated=?1, last_error=NULL WHERE channel=?2 AND state='dead' "
	    "RETURNING " ROW_COLUMNS, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_double(st, 1, now);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_TRANSIENT);
	return each_row(st, cb, arg);
}

/* The summary's entry for channel ch, made if new. */
static json_t *
summary_entry(json_t *out, const char *ch)
{
	json_t *o = json_object_get(out, ch);
	if (o == NULL) {
		o = json_pack("{s:i, s:i, s:i, s:n, s:[]}", "sent", 0, "dead", 0, "pending", 0,
		    "last_delivery", "dead_letters");
		json_object_set_new(out, ch, o);
	}
	return o;
}

json_t *
outboxdb_summary(sqlite3 *db, int dead_per_channel)
{
	json_t *out = json_object();
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT channel, state, count(*), max(updated) "
	    "FROM outbox GROUP BY channel, state", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *state = (const char *)sqlite3_column_text(st, 1);
			json_t *o = summary_entry(out, (const char *)sqlite3_column_text(st, 0));
			json_object_set_new(o, state, json_integer(sqlite3_column_int64(st, 2)));
			if (strcmp(state, "sent") == 0)
				json_object_set_new(o, "last_delivery",
				    json_real(sqlite3_column_double(st, 3)));
		}
		sqlite3_finalize(st);
	}
	/* deliveries retention deleted still count (dead letters do not: they
	 * can no longer be sent again) */
	if (sqlite3_prepare_v2(db, "SELECT channel, sent, last_delivery FROM outbox_pruned",
	    -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_t *o = summary_entry(out, (const char *)sqlite3_column_text(st, 0));
			json_object_set_new(o, "sent", json_integer(sqlite3_column_int64(st, 1) +
			    json_integer_value(json_object_get(o, "sent"))));
			double last = sqlite3_column_double(st, 2);
			if (!json_is_number(json_object_get(o, "last_delivery")) || last >
			    json_number_value(json_object_get(o, "last_delivery")))
				json_object_set_new(o, "last_delivery", json_real(last));
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db, "SELECT id, channel, alert_id, event, attempts, "
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

void
outboxdb_pruned_free(struct outbox_pruned *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].channel);
	free(v);
}

/* The rows retention deletes: ?1 delivered before, ?2 given up before. */
#define PRUNABLE "FROM outbox WHERE (state='sent' AND updated < ?1) OR " \
	"(state='dead' AND updated < ?2)"

/* Per channel, what PRUNABLE holds; the deliveries added to outbox_pruned. */
static int
prune_count(sqlite3 *db, double sent_before, double dead_before, struct outbox_pruned **out,
    size_t *n_out)
{
	sqlite3_stmt *st, *up;
	size_t cap = 0;
	int rc;
	if (sqlite3_prepare_v2(db, "SELECT channel, sum(state='sent'), sum(state='dead'), "
	    "max(CASE WHEN state='sent' THEN updated END) " PRUNABLE " GROUP BY channel", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO outbox_pruned(channel, sent, last_delivery) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT(channel) DO UPDATE SET sent = sent + excluded.sent, "
	    "last_delivery = max(coalesce(last_delivery, 0), excluded.last_delivery)", -1, &up,
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_bind_double(st, 1, sent_before);
	sqlite3_bind_double(st, 2, dead_before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ch = (const char *)sqlite3_column_text(st, 0);
		int64_t sent = sqlite3_column_int64(st, 1);
		if (*n_out == cap) {
			size_t more = cap ? cap * 2 : 8;
			struct outbox_pruned *v = realloc(*out, more * sizeof(*v));
			if (v == NULL)
				break;
			*out = v;
			cap = more;
		}
		struct outbox_pruned *p = &(*out)[*n_out];
		if ((p->channel = strdup(ch)) == NULL)
			break;
		p->sent = sent;
		p->dead = sqlite3_column_int64(st, 2);
		(*n_out)++;
		if (sent == 0)
			continue;
		sqlite3_bind_text(up, 1, ch, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, sent);
		sqlite3_bind_double(up, 3, sqlite3_column_double(st, 3));
		int urc = sqlite3_step(up);
		sqlite3_reset(up);
		if (urc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
outboxdb_prune(sqlite3 *db, double now, double keep_sent, double keep_dead,
    struct outbox_pruned **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	if (outboxdb_begin(db) < 0) {
		log_warnx("outbox: retention: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (prune_count(db, now - keep_sent, now - keep_dead, out, n_out) < 0 ||
	    exec_fmt(db, "DELETE " PRUNABLE, "dd", now - keep_sent, now - keep_dead) < 0) {
		log_warnx("outbox: retention: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		outboxdb_pruned_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return -1;
	}
	if (outboxdb_commit(db) < 0) {
		outboxdb_pruned_free(*out, *n_out);
		*out = NULL;
		*n_out = 0;
		return -1;
	}
	return 0;
}
