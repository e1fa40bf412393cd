/*
 * api/series.c — the series catalogue with last values (from memory), and
 * values and graphs from RRD (run on the store thread, answered on the loop).
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/api/api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static json_t *
series_json(struct collector *c, const struct series *s)
{
	char *meas, *field;
	json_t *tags;
	if (series_key_split(s->key, &meas, &field, &tags) < 0)
		return NULL;
	const char *host = series_host_name(c->series, s->host_id);
	json_t *last = s->kind == SERIES_TEXT ?
	    (s->text ? json_string_safe(s->text, strlen(s->text)) : json_null()) :
	    (isnan(s->last) ? json_null() : json_real(s->last));
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:s}",
	    "id", (json_int_t)s->id, "host", json_string_safe(host, strlen(host)),
	    "measurement", json_string_safe(meas, strlen(meas)),
	    "field", json_string_safe(field, strlen(field)), "tags", tags, "last", last,
	    "last_ts", s->last_ts > 0 ? json_real(s->last_ts) : json_null(),
	    "step", (json_int_t)s->step, "type", s->kind == SERIES_TEXT ? "string" : "number");
	free(meas);
	free(field);
	return o;
}

/* Does the series match the ?host= and ?measurement= filters? */
static int
series_matches(struct collector *c, const struct series *s, const char *host,
    const char *meas, const char *field)
{
	if (host != NULL && strcmp(series_host_name(c->series, s->host_id), host) != 0)
		return 0;
	if (meas != NULL) {
		size_t n = strlen(meas);
		/* the key starts with the escaped measurement, then ',' or ' ' */
		if (strncmp(s->key, meas, n) != 0 || (s->key[n] != ',' && s->key[n] != ' '))
			return 0;
	}
	if (field != NULL) {
		const char *sp = strrchr(s->key, ' ');
		if (sp == NULL || strcmp(sp + 1, field) != 0)
			return 0;
	}
	return 1;
}

/* "&name=value" percent-encoded, for the next page's link; "" if value is NULL. */
static void
link_param(struct evbuffer *out, const char *name, const char *value)
{
	if (value == NULL)
		return;
	char *enc = evhttp_encode_uri(value);
	if (enc != NULL)
		evbuffer_add_printf(out, "&%s=%s", name, enc);
	free(enc);
}

/*
 * GET /api/v1/series[?host=&measurement=&field=&limit=&after=]: a bare array
 * of at most limit series (api.max_series_page at most and by default), in id
 * order after the series id `after`. When more match, a Link header names
 * the next page (rel="next"). Each series is serialised and appended on its
 * own, so a page never exists as one JSON tree.
 */
static void
api_series_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	char *host = http_query_param(req, "host");
	char *meas = http_query_param(req, "measurement");
	char *field = http_query_param(req, "field");
	char *limit_s = http_query_param(req, "limit");
	char *after_s = http_query_param(req, "after");
	long long page_max = c->cfg.api_max_series_page, limit = page_max;
	unsigned long long after = 0;
	char *end = NULL;
	if (limit_s != NULL) {
		limit = strtoll(limit_s, &end, 10);
		if (*limit_s == '\0' || *end != '\0' || limit <= 0) {
			http_reply_error(req, 400, "limit must be a whole number from 1 (at most %lld "
			    "series come back; follow the Link header for more)", page_max);
			goto out;
		}
		if (limit > page_max)
			limit = page_max;
	}
	if (after_s != NULL) {
		after = strtoull(after_s, &end, 10);
		if (*after_s == '\0' || *end != '\0' || after > UINT32_MAX) {
			http_reply_error(req, 400, "after must be a series id (from the Link header "
			    "of the previous page)");
			goto out;
		}
	}
	struct evbuffer *body = evbuffer_new();
	uint32_t cursor = (uint32_t)after, last = 0;
	long long n = 0;
	int more = 0;
	struct series *s;
	evbuffer_add(body, "[", 1);
	while ((s = series_next(c->series, &cursor)) != NULL) {
		if (!series_matches(c, s, host, meas, field))
			continue;
		if (n == limit) {
			more = 1;	/* one more matches: there is a next page */
			break;
		}
		json_t *o = series_json(c, s);
		if (o == NULL)
			continue;
		if (n++ > 0)
			evbuffer_add(body, ",", 1);
		http_json_append(body, o);
		json_decref(o);
		last = s->id;
	}
	evbuffer_add(body, "]\n", 2);
	if (more) {
		struct evbuffer *link = evbuffer_new();
		evbuffer_add_printf(link, "</api/v1/series?after=%u&limit=%lld", last, limit);
		link_param(link, "host", host);
		link_param(link, "measurement", meas);
		link_param(link, "field", field);
		evbuffer_add_printf(link, ">; rel=\"next\"");
		evbuffer_add(link, "", 1);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Link",
		    (const char *)evbuffer_pullup(link, -1));
		evbuffer_free(link);
	}
	http_reply_buffer(req, 200, body);
	evbuffer_free(body);
out:
	free(host);
	free(meas);
	free(field);
	free(limit_s);
	free(after_s);
}

/* ---- query and graph: planned on the RRD writer, read on the reader pool ---- */

struct rrd_job {
	struct collector *c;
	uint32_t id;
	double from, to;
	unsigned long step;
	char cf[8];
	char format[4];
	char *title;
	size_t max_points;
	struct store_read_plan plan;	/* from plan_run */
	/* results */
	char *points;			/* JSON text, points_len bytes */
	size_t points_len;
	unsigned long out_step;
	unsigned char *img;
	size_t img_len;
	char *err;
	int rc;
};

static int
parse_range(struct evhttp_request *req, struct rrd_job *job)
{
	double now = util_now();
	char *from = http_query_param(req, "from");
	char *to = http_query_param(req, "to");
	char *step = http_query_param(req, "step");
	int rc = 0;
	if (util_parse_time(to, now, &job->to) < 0) {
		http_reply_error(req, 400, "bad 'to': use Unix seconds or -1h, -7d");
		rc = -1;
	} else if (from == NULL) {
		job->from = job->to - 3600;
	} else if (util_parse_time(from, now, &job->from) < 0) {
		http_reply_error(req, 400, "bad 'from': use Unix seconds or -1h, -7d");
		rc = -1;
	}
	if (rc == 0 && job->from >= job->to) {
		http_reply_error(req, 400, "'from' must be before 'to'");
		rc = -1;
	}
	if (rc == 0 && step != NULL) {
		long long v;
		if (cfg_parse_duration(step, &v) < 0 || v < 1 || v > 86400 * 366) {
			http_reply_error(req, 400, "bad 'step': seconds, or 5m, 1h");
			rc = -1;
		} else {
			job->step = (unsigned long)v;
		}
	}
	free(from);
	free(to);
	free(step);
	return rc;
}

static struct rrd_job *
job_for_series(struct collector *c, struct evhttp_request *req)
{
	char *sid = http_query_param(req, "series");
	char *end = NULL;
	unsigned long id = sid ? strtoul(sid, &end, 10) : 0;
	int bad = sid == NULL || *end != '\0' || id == 0 || id > UINT32_MAX;
	free(sid);
	struct series *s = bad ? NULL : series_by_id(c->series, (uint32_t)id);
	if (s == NULL) {
		http_reply_error(req, 404, "no such series; list them with GET /api/v1/series");
		return NULL;
	}
	if (s->kind == SERIES_TEXT) {
		http_reply_error(req, 400, "series %lu holds text; its last value is in "
		    "/api/v1/series", id);
		return NULL;
	}
	struct rrd_job *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return NULL;
	job->c = c;
	job->id = (uint32_t)id;
	if (parse_range(req, job) < 0) {
		free(job);
		return NULL;
	}
	return job;
}

/* RRD writer: where the series is, with its waiting values written. */
static void
plan_run(struct store *st, void *arg)
{
	struct rrd_job *job = arg;
	job->rc = store_read_plan(st, job->id, job->from, job->to, &job->plan);
}

/* Reader pool: librrd only. */
static void
query_run(struct store *st, void *arg)
{
	(void)st;
	struct rrd_job *job = arg;
	if (job->rc == 0)
		job->rc = rrdfile_fetch(&job->plan, job->cf, job->from, job->to, job->step,
		    job->max_points, &job->points, &job->points_len, &job->out_step, &job->err);
}

static void
query_done(struct evhttp_request *req, void *arg)
{
	struct rrd_job *job = arg;
	if (req != NULL && job->rc == 0) {
		/* the points come as text from the store thread: no JSON tree here */
		struct evbuffer *out = evbuffer_new();
		evbuffer_add_printf(out, "{\"series\":%u,\"step\":%lu,\"cf\":\"%s\",\"points\":",
		    job->id, job->out_step, job->cf);
		evbuffer_add(out, job->points, job->points_len);
		evbuffer_add(out, "}\n", 2);
		http_reply_buffer(req, 200, out);
		evbuffer_free(out);
	} else if (req != NULL) {
		http_reply_error(req, 500, "%s", job->err ? job->err : "query failed");
	}
}

/* Everything a query or graph job holds. */
static void
rrd_job_free(void *arg)
{
	struct rrd_job *job = arg;
	store_read_plan_clear(&job->plan);
	free(job->points);
	free(job->img);
	free(job->err);
	free(job->title);
	free(job);
}

static void
api_query(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct rrd_job *job = job_for_series(c, req);
	if (job == NULL)
		return;
	char *cf = http_query_param(req, "cf");
	snprintf(job->cf, sizeof(job->cf), "%s", cf == NULL ? "AVERAGE" :
	    strcasecmp(cf, "max") == 0 ? "MAX" : strcasecmp(cf, "min") == 0 ? "MIN" :
	    strcasecmp(cf, "average") == 0 ? "AVERAGE" : "");
	free(cf);
	if (job->cf[0] == '\0') {
		http_reply_error(req, 400, "cf must be average, max or min");
		free(job);
		return;
	}
	job->max_points = (size_t)c->cfg.api_max_points;
	api_defer_read(c, req, job, plan_run, query_run, query_done, rrd_job_free);
}

static void
graph_run(struct store *st, void *arg)
{
	struct rrd_job *job = arg;
	if (job->rc != 0)
		return;
	store_graph_lock(st, 1);
	job->rc = rrdfile_graph(&job->plan, job->title, job->from, job->to, job->format,
	    &job->img, &job->img_len, &job->err);
	store_graph_lock(st, 0);
}

static void
graph_done(struct evhttp_request *req, void *arg)
{
	struct rrd_job *job = arg;
	if (req != NULL && job->rc == 0) {
		struct evbuffer *out = evbuffer_new();
		evbuffer_add(out, job->img, job->img_len);
		struct evkeyvalq *h = evhttp_request_get_output_headers(req);
		evhttp_add_header(h, "Content-Type", strcmp(job->format, "SVG") == 0 ?
		    "image/svg+xml" : "image/png");
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'");
		evhttp_send_reply(req, 200, "OK", out);
		evbuffer_free(out);
	} else if (req != NULL) {
		http_reply_error(req, 500, "%s", job->err ? job->err : "graph failed");
	}
}

static void
api_graph(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct rrd_job *job = job_for_series(c, req);
	if (job == NULL)
		return;
	char *fmt = http_query_param(req, "format");
	int svg = fmt != NULL && strcasecmp(fmt, "svg") == 0;
	int bad = fmt != NULL && !svg && strcasecmp(fmt, "png") != 0;
	free(fmt);
	if (bad) {
		http_reply_error(req, 400, "format must be png or svg");
		free(job);
		return;
	}
	snprintf(job->format, sizeof(job->format), "%s", svg ? "SVG" : "PNG");
	struct series *s = series_by_id(c->series, job->id);
	const char *host = series_host_name(c->series, s->host_id);
	/* Titles are drawn by librrd, not parsed as markup; keep them printable. */
	char title[256];
	size_t o = 0;
	for (const char *p = host; *p && o < 100; p++)
		title[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	title[o++] = ' ';
	for (const char *p = s->key; *p && o < sizeof(title) - 1; p++)
		title[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	title[o] = '\0';
	job->title = strdup(title);
	api_defer_read(c, req, job, plan_run, graph_run, graph_done, rrd_job_free);
}

const struct route api_series_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/series", PERM_READ, api_series_list },
	{ EVHTTP_REQ_GET, "/api/v1/query", PERM_READ, api_query },
	{ EVHTTP_REQ_GET, "/api/v1/graph", PERM_READ, api_graph },
	ROUTES_END
};
