/*
 * evretain.c — retention of the events tables: by age (ids grow with
 * receive time, so "older than" is "id below"), then by size. Partitions
 * wholly out are dropped; the rest are un-indexed row by row. And the WAL,
 * when a long read let it grow.
 */
#include <sys/stat.h>

#include <sqlite3.h>
#include <stdio.h>

#include "collector/events/events.h"
#include "collector/events/evstore_int.h"
#include "common/log.h"

static long long
used_bytes(sqlite3 *db)
{
	return evstore_scalar(db, "SELECT ((SELECT page_count FROM pragma_page_count()) -"
	    " (SELECT freelist_count FROM pragma_freelist_count())) *"
	    " (SELECT page_size FROM pragma_page_size())", 0);
}

/* Delete rows with id < bound: partitions wholly below it are dropped (never
 * the newest), the index entries of the rest are deleted one by one (FTS5
 * external content), then the rows. */
static long long
delete_below(struct ev_store *s, int64_t bound)
{
	char sql[512];
	long long n = 0;
	if (evstore_exec(s->db, "BEGIN IMMEDIATE") < 0)
		return 0;
	int drop = 0;
	while (drop < s->n_parts - 1 && s->part_first[drop + 1] <= bound) {
		snprintf(sql, sizeof(sql), "DROP TABLE events_fts%d;"
		    " DELETE FROM events_parts WHERE n = %d;", s->part_no[drop], s->part_no[drop]);
		if (evstore_exec(s->db, sql) < 0)
			goto fail;
		drop++;
	}
	if (s->n_parts > drop && s->part_first[drop] < bound) {
		int no = s->part_no[drop];
		snprintf(sql, sizeof(sql), "INSERT INTO events_fts%d (events_fts%d, rowid, message,"
		    " program, device, meta) SELECT 'delete', id, message, program, device, "
		    META_SQL " FROM events WHERE id >= ?1 AND id < ?2", no, no);
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, s->part_first[drop]);
		sqlite3_bind_int64(st, 2, bound);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	sqlite3_stmt *del;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE id < ?1", -1, &del, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(del, 1, bound);
	if (sqlite3_step(del) == SQLITE_DONE)
		n = sqlite3_changes(s->db);
	sqlite3_finalize(del);
	if (evstore_exec(s->db, "COMMIT") < 0)
		goto fail;
	evstore_reload_parts(s);
	return n;
fail:
	log_warnx("events: retention: %s", sqlite3_errmsg(s->db));
	evstore_exec(s->db, "ROLLBACK");
	evstore_reload_parts(s);
	return 0;
}

/* A WAL grown past s->wal_trim (a long read, such as a backup's, held back
 * the checkpoints) is cut back once nobody reads. Not journal_size_limit:
 * that truncates at every checkpoint past the limit, and under a flood of
 * many connections the WAL passes 64 MB routinely (it cost 60 % more CPU). */
static void
trim_wal(sqlite3 *db, long long limit)
{
	char wal[4096];
	struct stat sb;
	const char *path = sqlite3_db_filename(db, "main");
	if (path == NULL || snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal) ||
	    stat(wal, &sb) < 0 || sb.st_size <= limit)
		return;
	/* never wait for a reader: try again at the next round */
	sqlite3_busy_timeout(db, 0);
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(db, 5000);
}

long long
evstore_retention(struct ev_store *s, long long max_age, long long max_bytes, double now)
{
	long long deleted = 0;
	if (max_age > 0)
		deleted += delete_below(s, evstore_id_bound(s, now - (double)max_age, 0));
	/* size: the oldest partition while there are several, else the oldest
	 * tenth of the rows, until under the bound */
	for (int round = 0; round < 20 && max_bytes > 0 && used_bytes(s->db) > max_bytes;
	    round++) {
		int64_t lo = evstore_scalar(s->db, "SELECT min(id) FROM events", 0);
		int64_t hi = evstore_scalar(s->db, "SELECT max(id) FROM events", 0);
		if (hi <= lo)
			break;
		int64_t bound = s->n_parts > 1 ? s->part_first[1] : lo + (hi - lo) / 10 + 1;
		deleted += delete_below(s, bound);
	}
	trim_wal(s->db, s->wal_trim);
	return deleted;
}
