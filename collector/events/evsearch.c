/*
 * evsearch.c — GET /api/v1/events on the events tables: the filters become
 * FTS5 meta tokens and id bounds, the partitions are searched newest first
 * until the page is full (see evstore.c for why), rows become DESIGN §9
 * events. Also the log rules' FTS matching of a written batch, in the same
 * language as a search's q.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#include <jansson.h>

#include "collector/events/events.h"
#include "collector/events/evstore_int.h"

/* events may be stored out of receive order by this much (clock steps) */
#define TS_SLACK 60.0

static const char cols[] =
    "e.id, e.ts, e.sent_ts, e.kind, e.device_id, e.device, e.source, e.severity,"
    " e.facility, e.host, e.program, e.message, e.tag, e.trap_oid, e.trap_name,"
    " e.varbinds, e.subject, e.confirmed_ts, e.alert_id";

/* By binary search over the primary key: ids grow with receive time. */
int64_t
evstore_id_bound(struct ev_store *s, double t, int strict)
{
	sqlite3_stmt *st;
	int64_t lo = evstore_scalar(s->db, "SELECT coalesce(min(id), 1) FROM events", 0);
	int64_t hi = evstore_scalar(s->db, "SELECT coalesce(max(id), 0) + 1 FROM events", 0);
	if (sqlite3_prepare_v2(s->db, "SELECT id, ts FROM events WHERE id >= ?1 ORDER BY id"
	    " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return lo;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, mid);
		if (sqlite3_step(st) != SQLITE_ROW) {
			hi = mid;
			continue;
		}
		int64_t id = sqlite3_column_int64(st, 0);
		double ts = sqlite3_column_double(st, 1);
		if (ts < t || (strict && ts == t))
			lo = id + 1;
		else
			hi = mid;
	}
	sqlite3_finalize(st);
	return lo;
}

static json_t *
row_json(sqlite3_stmt *st)
{
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

/* Free text is kept to the text columns: the meta tokens are filters. */
#define TEXT_EXPR "{message program device} : (%s)"

/* The FTS5 expression of q: its text kept to the text columns, AND the
 * meta tokens of its filters. Empty when q needs no index. */
static void
match_expr(const struct ev_query *q, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
#define ADD(...) do { if (n < cap) n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__); } while (0)
	if (q->q != NULL && q->q[0] != '\0')
		ADD(TEXT_EXPR, q->q);
	if (q->device_id > 0)
		ADD("%smeta:d%lld", n ? " AND " : "", (long long)q->device_id);
	if (q->kind >= 0)
		ADD("%smeta:k%d", n ? " AND " : "", q->kind);
	if (q->severity >= 0) {
		ADD("%smeta:(s0", n ? " AND " : "");
		for (int sev = 1; sev <= q->severity && sev <= 7; sev++)
			ADD(" OR s%d", sev);
		ADD(")");
	}
#undef ADD
}

/* Rows of one statement appended to rows; -1 (err set) on failure. */
static int
collect(sqlite3 *db, const char *sql, const char *match, int64_t lo, int64_t hi,
    const struct ev_query *q, long limit, json_t *rows, char *err, size_t errlen, int *bad)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (match != NULL)
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_double(st, 4, q->from);
	sqlite3_bind_double(st, 5, q->to);
	sqlite3_bind_int64(st, 6, q->device_id);
	sqlite3_bind_int(st, 7, q->kind);
	sqlite3_bind_int(st, 8, q->severity);
	sqlite3_bind_int64(st, 9, limit);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = row_json(st);
		if (o != NULL)
			json_array_append_new(rows, o);
	}
	if (rc != SQLITE_DONE) {
		/* a bad FTS5 expression fails at the first step, as SQLITE_ERROR */
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		*bad = match != NULL && rc == SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

json_t *
evstore_query(struct ev_store *s, const struct ev_query *q, char *err, size_t errlen,
    int *bad_query)
{
	char match[2048], filters[256], sql[1536];
	int64_t lo = 1, hi = INT64_MAX;
	*bad_query = 0;
	if (q->before > 0)
		hi = q->before - 1;
	/* the id range first (cheap), the exact times in SQL */
	if (q->from > 0)
		lo = evstore_id_bound(s, q->from - TS_SLACK, 0);
	if (q->to > 0) {
		int64_t to = evstore_id_bound(s, q->to + TS_SLACK, 1) - 1;
		hi = to < hi ? to : hi;
	}
	match_expr(q, match, sizeof(match));
	if (strlen(match) >= sizeof(match) - 1) {
		snprintf(err, errlen, "the query is too long");
		*bad_query = 1;
		return NULL;
	}
	snprintf(filters, sizeof(filters), "%s%s%s%s%s",
	    q->from > 0 ? " AND e.ts >= ?4" : "", q->to > 0 ? " AND e.ts <= ?5" : "",
	    q->device_id > 0 ? " AND e.device_id = ?6" : "", q->kind >= 0 ? " AND e.kind = ?7" : "",
	    q->severity >= 0 ? " AND e.severity <= ?8" : "");
	json_t *rows = json_array();
	if (match[0] == '\0') {
		snprintf(sql, sizeof(sql), "SELECT %s FROM events e WHERE e.id BETWEEN ?2 AND ?3%s"
		    " ORDER BY e.id DESC LIMIT ?9", cols, filters);
		if (collect(s->db, sql, NULL, lo, hi, q, q->limit, rows, err, errlen,
		    bad_query) < 0)
			goto fail;
		return rows;
	}
	/* newest partition first, until the page is full */
	for (int i = s->n_parts - 1; i >= 0 && (long)json_array_size(rows) < q->limit; i--) {
		int64_t p_lo = s->part_first[i];
		int64_t p_hi = i + 1 < s->n_parts ? s->part_first[i + 1] - 1 : INT64_MAX;
		if (p_lo > hi)
			continue;
		if (p_hi < lo)
			break;
		snprintf(sql, sizeof(sql), "SELECT %s FROM events_fts%d f JOIN events e"
		    " ON e.id = f.rowid WHERE events_fts%d MATCH ?1 AND f.rowid BETWEEN ?2 AND ?3%s"
		    " ORDER BY f.rowid DESC LIMIT ?9", cols, s->part_no[i], s->part_no[i], filters);
		if (collect(s->db, sql, match, p_lo > lo ? p_lo : lo, p_hi < hi ? p_hi : hi, q,
		    q->limit - (long)json_array_size(rows), rows, err, errlen, bad_query) < 0)
			goto fail;
	}
	return rows;
fail:
	json_decref(rows);
	return NULL;
}

json_t *
evstore_search(struct ev_store *s, const struct ev_query *q, char *err, size_t errlen,
    int *bad_query)
{
	*bad_query = 0;
	if (evstore_exec(s->db, "BEGIN") < 0)
		goto fail;
	if (evstore_reload_parts(s) < 0) {
		evstore_exec(s->db, "ROLLBACK");
		goto fail;
	}
	json_t *rows = evstore_query(s, q, err, errlen, bad_query);
	evstore_exec(s->db, "COMMIT");
	return rows;
fail:
	snprintf(err, errlen, "cannot read the events database: %s", sqlite3_errmsg(s->db));
	return NULL;
}

/* Index of the event with this id in evs (ids ascending), or -1. */
static long
find_id(struct cm_event **evs, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (evs[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && evs[lo]->id == id ? (long)lo : -1;
}

void
evstore_fts_hits(struct ev_store *s, struct cm_event **evs, size_t n, const struct ev_fts *fts)
{
	static double warned;
	for (size_t i = 0; i < n; i++)
		evs[i]->fts_hits = 0;
	if (n == 0 || fts->n == 0)
		return;
	int64_t lo = evs[0]->id, hi = evs[n - 1]->id;
	for (int p = s->n_parts - 1; p >= 0; p--) {
		int64_t p_lo = s->part_first[p];
		int64_t p_hi = p + 1 < s->n_parts ? s->part_first[p + 1] - 1 : INT64_MAX;
		if (p_hi < lo)
			break;
		if (p_lo > hi)
			continue;
		char sql[160];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "SELECT rowid FROM events_fts%d WHERE events_fts%d MATCH ?1"
		    " AND rowid BETWEEN ?2 AND ?3", s->part_no[p], s->part_no[p]);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			continue;
		for (size_t k = 0; k < fts->n && k < EV_FTS_MAX; k++) {
			char match[2048];
			if ((size_t)snprintf(match, sizeof(match), TEXT_EXPR, fts->v[k]) >= sizeof(match))
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, lo);
			sqlite3_bind_int64(st, 3, hi);
			int rc;
			while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
				long i = find_id(evs, n, sqlite3_column_int64(st, 0));
				if (i >= 0)
					evs[i]->fts_hits |= (uint64_t)1 << k;
			}
			/* checked when the rules were loaded; an index fault, then */
			if (rc != SQLITE_DONE && util_monotonic() - warned >= 60) {
				warned = util_monotonic();
				log_warnx("events: log rule fts '%s': %s", fts->v[k], sqlite3_errmsg(s->db));
			}
		}
		sqlite3_finalize(st);
	}
}

int
ev_fts_check(const char *expr, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char match[2048];
	int rc = -1;
	if ((size_t)snprintf(match, sizeof(match), TEXT_EXPR, expr) >= sizeof(match)) {
		snprintf(err, errlen, "too long");
		return -1;
	}
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || ev_cjk_register(db) < 0 ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(message, program, device, meta,"
	    " tokenize='cjk')", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s", db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* alone too: "a) OR (b" is valid only once wrapped, and escapes it */
	for (int pass = 0; pass < 2; pass++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, pass ? expr : match, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(db));
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
