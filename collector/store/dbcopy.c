/*
 * dbcopy.c — one SQLite database copied, consistently, into a file of its
 * own that only the collector's user may read: SQLite's online backup API
 * from a connection the caller owns (or one opened read-only here), into
 * DEST.tmp (0600), which is renamed onto DEST once complete. A failed copy
 * leaves an earlier DEST as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/store/store.h"

/* Pages a step (4 MB at SQLite's default page size): how often a stop is asked. */
#define STEP_PAGES 1024

static void
set_err(char **err, const char *what, const char *path, const char *why)
{
	free(*err);
	if (asprintf(err, "%s %s: %s", what, path, why) < 0)
		*err = NULL;
}

/* An empty private file at path (any earlier one replaced), for SQLite to fill. */
static int
private_empty(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	return close(fd);
}

/*
 * Why one read transaction for the whole copy, though the steps are bounded:
 * a backup step that starts a read transaction of its own ends it on return,
 * and when another connection has committed in between, SQLite starts the
 * copy again from page 1. The events writer commits a batch every few
 * milliseconds while lines come in, so a copy released between steps would
 * never end (measured: 10 s of 100-page steps over 40 MB under one commit
 * every 2 ms, still restarting). Holding one read transaction in WAL mode
 * never blocks the writer; it only keeps checkpoints from moving WAL frames
 * newer than the copy's snapshot into the database file, so the WAL grows by
 * what is written during the copy and the next automatic checkpoint after it
 * catches up. The steps remain so that a stop (stop(arg) true) ends the copy.
 */
int
db_copy(struct sqlite3 *src, const char *dest, int (*stop)(void *arg), void *arg, char **err)
{
	char *tmp = NULL;
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int rc = -1, step = SQLITE_ERROR, own_txn;
	if (asprintf(&tmp, "%s.tmp", dest) < 0) {
		tmp = NULL;
		set_err(err, "copying to", dest, "out of memory");
		return -1;
	}
	if (private_empty(tmp) < 0) {
		set_err(err, "cannot create", tmp, strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		set_err(err, "cannot open", tmp, out ? sqlite3_errmsg(out) : "out of memory");
		goto out;
	}
	own_txn = sqlite3_get_autocommit(src);
	if (own_txn && sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL,
	    NULL) != SQLITE_OK) {
		set_err(err, "cannot read the database for", dest, sqlite3_errmsg(src));
		goto out;
	}
	b = sqlite3_backup_init(out, "main", src, "main");
	if (b == NULL) {
		set_err(err, "copying to", dest, sqlite3_errmsg(out));
	} else {
		do
			step = sqlite3_backup_step(b, STEP_PAGES);
		while (step == SQLITE_OK && (stop == NULL || !stop(arg)));
		sqlite3_backup_finish(b);
		if (step == SQLITE_OK)
			set_err(err, "copying to", dest, "the collector is stopping");
		else if (step != SQLITE_DONE)
			set_err(err, "copying to", dest, sqlite3_errstr(step));
	}
	if (own_txn)
		sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	if (step == SQLITE_DONE && sqlite3_close(out) == SQLITE_OK) {
		out = NULL;
		if (rename(tmp, dest) == 0)
			rc = 0;
		else
			set_err(err, "cannot rename to", dest, strerror(errno));
	}
out:
	sqlite3_close(out);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
db_copy_file(const char *src, const char *dest, int (*stop)(void *arg), void *arg,
    char **err)
{
	sqlite3 *in = NULL;
	/* read-only: this connection never writes, nor checkpoints when it closes */
	if (sqlite3_open_v2(src, &in, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		set_err(err, "cannot open", src, in ? sqlite3_errmsg(in) : "out of memory");
		sqlite3_close(in);
		return -1;
	}
	sqlite3_busy_timeout(in, 5000);
	int rc = db_copy(in, dest, stop, arg, err);
	sqlite3_close(in);
	return rc;
}
