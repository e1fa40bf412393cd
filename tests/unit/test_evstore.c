/*
 * test_evstore.c — the events tables (evstore.c) on a real SQLite file:
 * partitions roll over and are all searched newest first, filters (device,
 * severity, kind, time) are exact, paging with `before` crosses partitions,
 * a bad FTS query is told apart, retention drops whole old partitions and
 * deletes index entries of the rest, a database from before partitions
 * is re-indexed on open, and a reader's searches follow the writer's
 * partitions.
 */
#include <criterion/criterion.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "collector/events/events.h"

static char dir[64], path[96];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cm-evstore-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events.db", dir);
}

static void
teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(evstore, .init = setup, .fini = teardown);

static struct ev_store *
open_store(void)
{
	char err[256];
	struct ev_store *s = evstore_open(path, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	return s;
}

/* n events: message "line I word<I%3>", device 1 + I%4, severity I%8,
 * received at ts0 + I seconds */
static void
put(struct ev_store *s, int first, int n, double ts0)
{
	struct cm_event **evs = calloc((size_t)n, sizeof(*evs));
	for (int i = 0; i < n; i++) {
		int k = first + i;
		char msg[64], dev[16];
		evs[i] = cm_event_new(CM_EV_SYSLOG, ts0 + k);
		snprintf(msg, sizeof(msg), "line %d word%d", k, k % 3);
		snprintf(dev, sizeof(dev), "dev-%d", 1 + k % 4);
		evs[i]->message = strdup(msg);
		evs[i]->device = strdup(dev);
		evs[i]->device_id = 1 + k % 4;
		evs[i]->severity = k % 8;
		evs[i]->program = strdup("prog");
	}
	cr_assert_eq(evstore_write(s, evs, (size_t)n), (size_t)n);
	for (int i = 0; i < n; i++) {
		cr_assert_gt(evs[i]->id, 0);
		cm_event_free(evs[i]);
	}
	free(evs);
}

static json_t *
query(struct ev_store *s, const char *q, long limit, int64_t device, int sev, int64_t before)
{
	struct ev_query eq = { .q = (char *)q, .device_id = device, .kind = -1,
	    .severity = sev, .before = before, .limit = limit };
	char err[256];
	int bad = 0;
	json_t *rows = evstore_query(s, &eq, err, sizeof(err), &bad);
	cr_assert_not_null(rows, "%s: %s", q ? q : "", err);
	return rows;
}

static int64_t
id_at(json_t *rows, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(rows, i), "id"));
}

Test(evstore, partitions_roll_over_and_are_searched_newest_first)
{
	struct ev_store *s = open_store();
	evstore_set_part_rows(s, 100);
	for (int b = 0; b < 5; b++)
		put(s, b * 60, 60, 1000);	/* 300 events, batches of 60 */
	cr_assert_eq(evstore_parts(s), 3, "parts %d", evstore_parts(s));	/* rolls at a batch */
	json_t *rows = query(s, "word1", 500, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 100);	/* k % 3 == 1 among 0..299 */
	for (size_t i = 1; i < json_array_size(rows); i++)
		cr_assert_lt(id_at(rows, i), id_at(rows, i - 1), "newest first");
	json_decref(rows);
	/* a page, then the next page from before its last id, across partitions */
	rows = query(s, "word1", 40, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 40);
	int64_t last = id_at(rows, 39);
	json_decref(rows);
	rows = query(s, "word1", 1000, 0, -1, last);
	cr_assert_eq(json_array_size(rows), 60);
	cr_assert_lt(id_at(rows, 0), last);
	json_decref(rows);
	/* the oldest line is still found, in the first partition */
	rows = query(s, "\"line 1 word1\"", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 1);
	json_decref(rows);
	evstore_close(s);
	/* reopened: the partitions are read back and writing goes on */
	s = open_store();
	evstore_set_part_rows(s, 100);
	put(s, 300, 10, 1000);
	rows = query(s, "\"line 305\"", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 1);
	json_decref(rows);
	evstore_close(s);
}

/* The collector searches on reader threads with connections of their own
 * while the writer adds and drops partitions: each search sees them all. */
Test(evstore, a_reader_sees_the_partitions_the_writer_adds_and_drops)
{
	struct ev_store *w = open_store();
	evstore_set_part_rows(w, 50);
	put(w, 0, 60, 1000);
	char err[256];
	struct ev_store *r = evstore_open_reader(path, err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	struct ev_query eq = { .q = "word1", .kind = -1, .severity = -1, .limit = 500 };
	int bad = 0;
	json_t *rows = evstore_search(r, &eq, err, sizeof(err), &bad);
	cr_assert_not_null(rows, "%s", err);
	cr_assert_eq(json_array_size(rows), 20);
	json_decref(rows);
	put(w, 60, 60, 1000);	/* a partition more since the reader's last search */
	rows = evstore_search(r, &eq, err, sizeof(err), &bad);
	cr_assert_not_null(rows, "%s", err);
	cr_assert_eq(json_array_size(rows), 40, "%zu", json_array_size(rows));
	json_decref(rows);
	/* retention drops the first partition; the reader neither fails nor
	 * finds what went */
	cr_assert_eq(evstore_retention(w, 90, 0, 1150), 60);	/* ts < 1060: k < 60 */
	cr_assert_eq(evstore_parts(w), 1);
	rows = evstore_search(r, &eq, err, sizeof(err), &bad);
	cr_assert_not_null(rows, "%s", err);
	cr_assert_eq(json_array_size(rows), 20, "%zu", json_array_size(rows));	/* 61..118 */
	json_decref(rows);
	/* a bad query is the query's fault, not the database's */
	eq.q = "\"unclosed";
	cr_assert_null(evstore_search(r, &eq, err, sizeof(err), &bad));
	cr_assert_eq(bad, 1);
	evstore_close(r);
	evstore_close(w);
}

/* The log rules' FTS expressions are matched by the index right after a
 * batch is written: each event gets a bit per expression it matches. */
Test(evstore, a_written_batch_is_matched_against_rule_expressions)
{
	struct ev_store *s = open_store();
	evstore_set_part_rows(s, 50);
	put(s, 0, 60, 1000);	/* an older batch, another partition: never looked at */
	struct cm_event *evs[12];
	for (int i = 0; i < 12; i++) {
		char msg[64];
		evs[i] = cm_event_new(CM_EV_SYSLOG, 2000 + i);
		snprintf(msg, sizeof(msg), "%s %d", i % 2 ? "disk failure on" : "link down on", i);
		evs[i]->message = strdup(i == 11 ? "机房3号风扇故障" : msg);
		evs[i]->program = strdup(i < 6 ? "kernel" : "ifmgr");
		evs[i]->device_id = 1;
		evs[i]->severity = 3;
	}
	cr_assert_eq(evstore_write(s, evs, 12), 12);
	char *v[] = { "\"disk failure\"", "link NOT kernel", "lin*", "风扇故障", "line" };
	struct ev_fts fts = { v, 5 };
	evstore_fts_hits(s, evs, 12, &fts);
	for (int i = 0; i < 12; i++) {
		uint64_t want = 0;
		if (i == 11)
			want = 1u << 3;
		else if (i % 2)
			want = 1u << 0;
		else
			want = (i >= 6 ? 1u << 1 : 0) | 1u << 2;
		cr_assert_eq(evs[i]->fts_hits, want, "event %d: %#llx", i,
		    (unsigned long long)evs[i]->fts_hits);
		cm_event_free(evs[i]);
	}
	evstore_close(s);
}

Test(evstore, rule_expressions_are_checked_as_fts5)
{
	char err[256];
	cr_assert_eq(ev_fts_check("\"I/O error\" OR disk*", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ev_fts_check("program:sshd NOT test", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ev_fts_check("风扇故障", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(ev_fts_check("I/O error", err, sizeof(err)), -1);
	cr_assert(strstr(err, "syntax error") != NULL, "%s", err);
	cr_assert_eq(ev_fts_check("\"unclosed", err, sizeof(err)), -1);
	cr_assert_eq(ev_fts_check("a) OR (b", err, sizeof(err)), -1);
}

Test(evstore, filters_are_exact_and_free_text_misses_meta_tokens)
{
	struct ev_store *s = open_store();
	evstore_set_part_rows(s, 50);
	put(s, 0, 80, 1000);
	put(s, 80, 80, 1000);
	json_t *rows = query(s, "word0", 500, 2, -1, 0);	/* device 2: k % 4 == 1 */
	cr_assert_gt(json_array_size(rows), 0);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		cr_assert_eq(json_integer_value(json_object_get(r, "device_id")), 2);
		cr_assert_not_null(strstr(json_string_value(json_object_get(r, "message")), "word0"));
	}
	json_decref(rows);
	/* severity: err (3) and worse, without text */
	rows = query(s, NULL, 500, 0, 3, 0);
	cr_assert_eq(json_array_size(rows), 80);	/* k % 8 <= 3 of 160 */
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const char *sev = json_string_value(json_object_get(json_array_get(rows, i),
		    "severity"));
		cr_assert(strcmp(sev, "emerg") == 0 || strcmp(sev, "alert") == 0 ||
		    strcmp(sev, "crit") == 0 || strcmp(sev, "err") == 0, "%s", sev);
	}
	json_decref(rows);
	/* the filter tokens are not free text */
	rows = query(s, "d2", 500, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 0);
	json_decref(rows);
	/* a bad FTS expression is the query's fault */
	struct ev_query bad = { .q = "\"unbalanced", .kind = -1, .severity = -1, .limit = 5 };
	char err[256];
	int is_bad = 0;
	cr_assert_null(evstore_query(s, &bad, err, sizeof(err), &is_bad));
	cr_assert(is_bad);
	evstore_close(s);
}

Test(evstore, time_bounds_are_id_bounds)
{
	struct ev_store *s = open_store();
	put(s, 0, 1000, 5000);	/* ts 5000 .. 5999 */
	struct ev_query q = { .from = 5100, .to = 5199.5, .kind = -1, .severity = -1,
	    .limit = 1000 };
	char err[256];
	int bad;
	json_t *rows = evstore_query(s, &q, err, sizeof(err), &bad);
	cr_assert_eq(json_array_size(rows), 100);
	cr_assert_float_eq(json_real_value(json_object_get(json_array_get(rows, 0), "ts")), 5199,
	    1e-6);
	json_decref(rows);
	q.q = "word2";
	rows = evstore_query(s, &q, err, sizeof(err), &bad);
	cr_assert_eq(json_array_size(rows), 33);
	json_decref(rows);
	evstore_close(s);
}

Test(evstore, retention_drops_old_partitions_and_unindexes_the_rest)
{
	struct ev_store *s = open_store();
	evstore_set_part_rows(s, 100);
	for (int b = 0; b < 4; b++)
		put(s, b * 100, 100, 1000);	/* ts 1000 .. 1399, 4 partitions */
	cr_assert_eq(evstore_parts(s), 4);
	/* older than 1250 goes: partitions 1 and 2 whole, half of 3 */
	cr_assert_eq(evstore_retention(s, 100, 0, 1350), 250);
	cr_assert_eq(evstore_parts(s), 2);
	json_t *rows = query(s, "line", 1000, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 150);
	json_decref(rows);
	rows = query(s, "\"line 249\"", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 0);
	json_decref(rows);
	/* everything old: the newest partition stays, empty, and takes new ids */
	cr_assert_eq(evstore_retention(s, 1, 0, 5000), 150);
	cr_assert_eq(evstore_parts(s), 1);
	put(s, 400, 5, 6000);
	rows = query(s, "line", 1000, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 5);
	json_decref(rows);
	evstore_close(s);
}

Test(evstore, size_retention_keeps_the_newest)
{
	struct ev_store *s = open_store();
	evstore_set_part_rows(s, 300);
	for (int b = 0; b < 10; b++)
		put(s, b * 200, 200, 1000);
	evstore_retention(s, 0, 96 * 1024, 99999);
	json_t *rows = query(s, "\"line 1999\"", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 1);
	json_decref(rows);
	rows = query(s, "\"line 0\"", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 0);
	json_decref(rows);
	evstore_close(s);
}

Test(evstore, a_database_from_before_partitions_is_reindexed)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
	    "CREATE TABLE events (id INTEGER PRIMARY KEY, ts REAL NOT NULL, sent_ts REAL,"
	    " kind INTEGER NOT NULL, device_id INTEGER, device TEXT, source TEXT,"
	    " severity INTEGER, facility INTEGER, host TEXT, program TEXT, message TEXT, tag TEXT,"
	    " trap_oid TEXT, trap_name TEXT, varbinds TEXT, subject TEXT, confirmed_ts REAL);"
	    "CREATE INDEX events_ts ON events(ts);"
	    "CREATE VIRTUAL TABLE events_fts USING fts5(message, program, device,"
	    " content='events', content_rowid='id');"
	    "INSERT INTO events (id, ts, kind, device_id, severity, message) VALUES"
	    " (7, 100, 1, 3, 4, 'kept from before');"
	    "INSERT INTO events_fts (rowid, message) VALUES (7, 'kept from before');",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct ev_store *s = open_store();
	cr_assert_eq(evstore_parts(s), 1);
	json_t *rows = query(s, "before", 10, 3, -1, 0);
	cr_assert_eq(json_array_size(rows), 1);
	cr_assert_eq(id_at(rows, 0), 7);
	json_decref(rows);
	put(s, 0, 3, 200);
	rows = query(s, "line", 10, 0, -1, 0);
	cr_assert_eq(json_array_size(rows), 3);
	cr_assert_gt(id_at(rows, 2), 7);
	json_decref(rows);
	evstore_close(s);
}

static void
put_text(struct ev_store *s, const char *msg)
{
	struct cm_event *ev = cm_event_new(CM_EV_SYSLOG, 1000);
	ev->message = strdup(msg);
	cr_assert_eq(evstore_write(s, &ev, 1), 1);
	cm_event_free(ev);
}

static size_t
hits(struct ev_store *s, const char *q)
{
	json_t *rows = query(s, q, 100, 0, -1, 0);
	size_t n = json_array_size(rows);
	json_decref(rows);
	return n;
}

Test(evstore, chinese_text_is_found_by_words_inside_it)
{
	struct ev_store *s = open_store();
	put_text(s, "接口GigabitEthernet0/0/1状态变为DOWN，请检查链路");
	put_text(s, "用户admin登录失败");
	put_text(s, "ステータス 변경 plain ascii line");
	cr_assert_eq(hits(s, "状态"), 1);
	cr_assert_eq(hits(s, "状态变为"), 1);
	cr_assert_eq(hits(s, "变为DOWN"), 1);	/* pairs then ASCII, one phrase */
	cr_assert_eq(hits(s, "down"), 1);	/* was glued to the Han before */
	cr_assert_eq(hits(s, "检查链路"), 1);
	cr_assert_eq(hits(s, "查"), 1);		/* one character */
	cr_assert_eq(hits(s, "登录失败"), 1);
	cr_assert_eq(hits(s, "admin"), 1);
	cr_assert_eq(hits(s, "登*"), 1);		/* prefix */
	cr_assert_eq(hits(s, "失败 状态"), 0);	/* both words: no line has both */
	cr_assert_eq(hits(s, "状变"), 0);		/* not adjacent: no match */
	cr_assert_eq(hits(s, "变状"), 0);
	cr_assert_eq(hits(s, "ステータス"), 1);
	cr_assert_eq(hits(s, "변경"), 1);
	cr_assert_eq(hits(s, "ascii line"), 1);
	evstore_close(s);
}

static long long
wal_size(void)
{
	char wal[128];
	struct stat sb;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	return stat(wal, &sb) == 0 ? (long long)sb.st_size : -1;
}

Test(evstore, a_wal_grown_under_a_long_read_is_cut_back_once_unread)
{
	struct ev_store *s = open_store();
	evstore_set_wal_trim(s, 64 * 1024);
	put(s, 0, 10, 1000);
	sqlite3 *reader;
	cr_assert_eq(sqlite3_open(path, &reader), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", NULL, NULL, NULL),
	    SQLITE_OK);
	for (int b = 0; b < 10; b++)
		put(s, 10 + b * 200, 200, 1000);
	long long grown = wal_size();
	cr_assert_gt(grown, 64 * 1024);
	evstore_retention(s, 0, 0, 2000);
	cr_assert_eq(wal_size(), grown, "a reader holds it: left alone, without waiting");
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	evstore_retention(s, 0, 0, 2000);
	cr_assert_eq(wal_size(), 0);
	cr_assert_eq(hits(s, "line"), 100);	/* the page limit: all still there */
	evstore_close(s);
}
