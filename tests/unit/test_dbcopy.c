/*
 * test_dbcopy.c — db_copy_file (store/dbcopy.c) on real SQLite files: a copy
 * ends while another connection commits all the time (WAL, as the events
 * thread does) and is one whole snapshot; the copy is 0600 and leaves no
 * temporary file; a stop ends it early and keeps an earlier copy; a missing
 * source or destination folder is an error that names it.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/store/store.h"

static char dir[64], src[96], dest[96];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cm-dbcopy-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/events.db", dir);
	snprintf(dest, sizeof(dest), "%s/copy.db", dir);
}

static void
teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(dbcopy, .init = setup, .fini = teardown);

static void
exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &e), SQLITE_OK, "%s: %s", sql, e);
}

/* A WAL database of rows rows of 200 bytes (about 50 pages a thousand). */
static sqlite3 *
make_source(int rows)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(src, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT);"
	    "BEGIN");
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "INSERT INTO t (pad) VALUES (printf('%200s', ''))",
	    -1, &st, NULL), SQLITE_OK);
	for (int i = 0; i < rows; i++) {
		cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
	return db;
}

static long long
scalar(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct writer {
	sqlite3 *db;
	atomic_int stop;
	atomic_int commits;
};

/* One row a transaction, as fast as it goes: a copy that let go of its
 * snapshot between steps would start again after each. */
static void *
write_on(void *arg)
{
	struct writer *w = arg;
	while (!atomic_load(&w->stop)) {
		if (sqlite3_exec(w->db, "INSERT INTO t (pad) VALUES ('w')", NULL, NULL, NULL) ==
		    SQLITE_OK)
			atomic_fetch_add(&w->commits, 1);
	}
	return NULL;
}

static int
after_commits(void *arg)
{
	/* each step waits for the writer to commit: every step sees a change */
	struct writer *w = arg;
	int seen = atomic_load(&w->commits);
	while (atomic_load(&w->commits) == seen)
		usleep(100);
	return 0;
}

Test(dbcopy, ends_while_another_connection_commits_and_is_one_snapshot, .timeout = 30)
{
	sqlite3 *db = make_source(40000);	/* about 2,000 pages: several steps */
	struct writer w = { .db = db };
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, write_on, &w), 0);
	char *err = NULL;
	int rc = db_copy_file(src, dest, after_commits, &w, &err);
	int before_join = atomic_load(&w.commits);
	atomic_store(&w.stop, 1);
	pthread_join(th, NULL);
	sqlite3_close(db);
	cr_assert_eq(rc, 0, "%s", err ? err : "?");
	cr_assert_gt(before_join, 0);
	long long copied = scalar(dest, "SELECT count(*) FROM t");
	long long stored = scalar(src, "SELECT count(*) FROM t");
	cr_assert_geq(copied, 40000);
	cr_assert_lt(copied, stored, "the writer went on after the copy's snapshot");
	/* a snapshot: rows 1..copied, none missing */
	cr_assert_eq(scalar(dest, "SELECT max(n) FROM t"), copied);
	cr_assert_eq(scalar(dest, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check <> 'ok'"), 0);
	struct stat sb;
	cr_assert_eq(stat(dest, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);
	cr_assert_neq(access(tmp, F_OK), 0);
	free(err);
}

static int
stop_now(void *arg)
{
	(void)arg;
	return 1;
}

Test(dbcopy, a_stop_ends_the_copy_and_keeps_the_earlier_one)
{
	sqlite3 *db = make_source(40000);
	char *err = NULL;
	cr_assert_eq(db_copy_file(src, dest, NULL, NULL, &err), 0, "%s", err ? err : "?");
	exec(db, "DELETE FROM t WHERE n > 10");
	cr_assert_eq(db_copy_file(src, dest, stop_now, NULL, &err), -1);
	cr_assert_not_null(err);
	cr_assert_not_null(strstr(err, "stopping"), "%s", err);
	cr_assert_eq(scalar(dest, "SELECT count(*) FROM t"), 40000);
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.tmp", dest);
	cr_assert_neq(access(tmp, F_OK), 0);
	/* a small database is done in its first step: a stop comes too late */
	exec(db, "VACUUM");
	cr_assert_eq(db_copy_file(src, dest, stop_now, NULL, &err), 0, "%s", err ? err : "?");
	cr_assert_eq(scalar(dest, "SELECT count(*) FROM t"), 10);
	sqlite3_close(db);
	free(err);
}

Test(dbcopy, missing_source_or_folder_is_named)
{
	char *err = NULL;
	cr_assert_eq(db_copy_file(src, dest, NULL, NULL, &err), -1);
	cr_assert_not_null(err);
	cr_assert_not_null(strstr(err, src), "%s", err);
	cr_assert_neq(access(dest, F_OK), 0);
	sqlite3 *db = make_source(10);
	char nowhere[128];
	snprintf(nowhere, sizeof(nowhere), "%s/no/such/folder/copy.db", dir);
	cr_assert_eq(db_copy_file(src, nowhere, NULL, NULL, &err), -1);
	cr_assert_not_null(strstr(err, "no/such/folder"), "%s", err);
	sqlite3_close(db);
	free(err);
}
