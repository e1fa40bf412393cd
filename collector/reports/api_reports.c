/*
 * api_reports.c — /api/v1/reports/{coverage,coverage/history,compliance} and
 * /api/v1/assets. Reading needs the audit permission (auditors and admins);
 * importing the register needs admin. Every report generated is written to
 * the audit trail; so is every import, refused ones with ok: false.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"
#include "collector/reports/reports.h"
#include "common/util.h"

/* ---- shared bits ------------------------------------------------------------------ */

static int
want_csv(struct evhttp_request *req, int *bad)
{
	char *f = http_query_param(req, "format");
	int csv = f != NULL && strcmp(f, "csv") == 0;
	*bad = f != NULL && !csv && strcmp(f, "json") != 0;
	if (*bad)
		http_reply_error(req, 400, "format must be json or csv");
	free(f);
	return csv;
}

static void
reply_csv(struct evhttp_request *req, struct evbuffer *out, const char *filename)
{
	char disp[128];
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Disposition", disp);
	http_reply_typed(req, 200, out, "text/csv; charset=utf-8");
}

static void
audit_report(struct collector *c, struct evhttp_request *req, const struct auth_identity *who,
    const char *action, const char *target, int ok, const char *detail)
{
	char actor[160], addr[64];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	audit_record(c, actor, addr, action, target, ok, "%s", detail ? detail : "");
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void
csv_number(struct evbuffer *out, json_t *v, int last)
{
	char buf[64] = "";
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "yes" : "no");
	csv_field(out, buf, last);
}

/* ---- coverage ----------------------------------------------------------------- */

static void
api_coverage(struct collector *c, struct evhttp_request *req, const struct auth_identity *who,
    const char *const *params)
{
	(void)params;
	int bad, csv = want_csv(req, &bad);
	if (bad)
		return;
	json_t *items = NULL;
	json_t *r = coverage_build(c, util_now(), csv ? &items : NULL);
	json_t *o = json_object_get(r, "overall");
	char detail[128];
	snprintf(detail, sizeof(detail), "%lld of %lld monitored%s",
	    (long long)json_integer_value(json_object_get(o, "monitored")),
	    (long long)json_integer_value(json_object_get(o, "inventoried")), csv ? " (csv)" : "");
	audit_report(c, req, who, "report.coverage", NULL, 1, detail);
	if (!csv) {
		http_reply_json(req, 200, r);
		return;
	}
	/* DESIGN §9: one row per inventoried item (name, address, kind, monitored, why) */
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_printf(out, "name,address,kind,monitored,why,sources\r\n");
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		char src[128] = "";
		size_t k;
		json_t *s;
		json_array_foreach(json_object_get(it, "sources"), k, s)
			snprintf(src + strlen(src), sizeof(src) - strlen(src), "%s%s", k ? " " : "",
			    json_string_value(s));
		csv_field(out, jstr(it, "name"), 0);
		csv_field(out, jstr(it, "address"), 0);
		csv_field(out, jstr(it, "kind"), 0);
		csv_number(out, json_object_get(it, "monitored"), 0);
		csv_field(out, jstr(it, "why"), 0);
		csv_field(out, src, 1);
	}
	reply_csv(req, out, "coverage.csv");
	evbuffer_free(out);
	json_decref(items);
	json_decref(r);
}

struct hist_job {
	int days;
	int csv;
	json_t *rows;
};

static void
history_run(struct store *st, void *arg)
{
	struct hist_job *j = arg;
	j->rows = coverage_history_get(store_db(st), j->days);
}

static void
history_done(struct evhttp_request *req, void *arg)
{
	struct hist_job *j = arg;
	if (req == NULL)
		;
	else if (j->rows == NULL)
		http_reply_error(req, 500, "cannot read the coverage history");
	else if (!j->csv)
		http_reply_json(req, 200, json_incref(j->rows));
	else {
		struct evbuffer *out = evbuffer_new();
		evbuffer_add_printf(out, "day,inventoried,monitored,percent\r\n");
		size_t i;
		json_t *r;
		json_array_foreach(j->rows, i, r) {
			csv_field(out, jstr(r, "day"), 0);
			csv_number(out, json_object_get(r, "inventoried"), 0);
			csv_number(out, json_object_get(r, "monitored"), 0);
			csv_number(out, json_object_get(r, "percent"), 1);
		}
		reply_csv(req, out, "coverage-history.csv");
		evbuffer_free(out);
	}
}

static void
history_free(void *arg)
{
	struct hist_job *j = arg;
	json_decref(j->rows);
	free(j);
}

static void
api_coverage_history(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	int bad, csv = want_csv(req, &bad);
	if (bad)
		return;
	char *d = http_query_param(req, "days");
	char *end = NULL;
	long days = d ? strtol(d, &end, 10) : 365;
	int ok = d == NULL || (*end == '\0' && days >= 1 && days <= 3660);
	free(d);
	if (!ok) {
		http_reply_error(req, 400, "days must be a number from 1 to 3660");
		return;
	}
	struct hist_job *j = calloc(1, sizeof(*j));
	if (j == NULL) {
		http_reply_error(req, 503, "out of memory");
		return;
	}
	j->days = (int)days;
	j->csv = csv;
	api_defer(c, req, j, history_run, history_done, history_free);
}

/* ---- compliance ------------------------------------------------------------------ */

struct comp_req {
	struct http_pending *pending;
	int csv;
};

static void
compliance_csv(struct evbuffer *out, json_t *r)
{
	evbuffer_add_printf(out, "id,code,name,threshold,unit,value,pass,device,what,evidence\r\n");
	size_t i, k;
	json_t *ind, *ev;
	json_array_foreach(json_object_get(r, "indicators"), i, ind) {
		json_t *evs = json_object_get(ind, "evidence");
		size_t n = json_array_size(evs);
		for (k = 0; k < (n ? n : 1); k++) {
			ev = json_array_get(evs, k);
			csv_field(out, jstr(ind, "id"), 0);
			csv_field(out, jstr(ind, "code"), 0);
			csv_field(out, jstr(ind, "name"), 0);
			csv_number(out, json_object_get(ind, "threshold"), 0);
			csv_field(out, jstr(ind, "unit"), 0);
			csv_number(out, json_object_get(ind, "value"), 0);
			csv_number(out, json_object_get(ind, "pass"), 0);
			csv_field(out, ev ? jstr(ev, "device") : "", 0);
			csv_field(out, ev ? jstr(ev, "what") : "", 0);
			json_t *v = ev ? json_object_get(ev, "value") : NULL;
			if (json_is_string(v))
				csv_field(out, json_string_value(v), 1);
			else
				csv_number(out, v, 1);
		}
	}
}

static void
compliance_reply(void *arg, json_t *report)
{
	struct comp_req *cr = arg;
	struct evhttp_request *req = http_pending_take(cr->pending);
	if (req != NULL && report == NULL)
		http_reply_error(req, 500, "cannot build the compliance report");
	else if (req != NULL && !cr->csv)
		http_reply_json(req, 200, json_incref(report));
	else if (req != NULL) {
		struct evbuffer *out = evbuffer_new();
		compliance_csv(out, report);
		reply_csv(req, out, "compliance.csv");
		evbuffer_free(out);
	}
	json_decref(report);
	free(cr);
}

static void
api_compliance(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	int bad, csv = want_csv(req, &bad);
	if (bad)
		return;
	char *lv = http_query_param(req, "level");
	char level[3];
	if (lv != NULL && !compliance_level_ok(lv)) {
		free(lv);
		http_reply_error(req, 400, "level must be JJ, ZJ or GJ");
		return;
	}
	snprintf(level, sizeof(level), "%s", lv ? lv : reports_level_name(c->cfg.school_level));
	free(lv);
	struct comp_req *cr = calloc(1, sizeof(*cr));
	if (cr == NULL || (cr->pending = http_pending_new(req)) == NULL) {
		free(cr);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	cr->csv = csv;
	audit_report(c, req, who, "report.compliance", level, 1, csv ? "csv" : NULL);
	if (compliance_start(c, level, 0, compliance_reply, cr) < 0) {
		if (http_pending_take(cr->pending) != NULL) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
			http_reply_error(req, 503, "the collector is busy; try again in a moment");
		}
		free(cr);
	}
}

/* ---- assets ----------------------------------------------------------------------- */

static void
api_assets_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	int bad, csv = want_csv(req, &bad);
	if (bad)
		return;
	const struct asset_list *l = &c->reports->assets;
	struct asset_match *m = calloc(l->n + 1, sizeof(*m));
	if (m == NULL) {
		http_reply_error(req, 503, "out of memory");
		return;
	}
	assets_match(c, l, m);
	if (csv) {
		audit_report(c, req, who, "assets.export", NULL, 1, NULL);
		struct evbuffer *out = evbuffer_new();
		for (int k = 0; k < AC_N; k++)
			evbuffer_add_printf(out, "%s,", asset_col_names[k]);
		evbuffer_add_printf(out, "device,matched_by\r\n");
		for (size_t i = 0; i < l->n; i++) {
			for (int k = 0; k < AC_N; k++)
				csv_field(out, l->v[i].f[k], 0);
			csv_field(out, m[i].device ? m[i].device->name : "", 0);
			csv_field(out, m[i].by ? m[i].by : "", 1);
		}
		reply_csv(req, out, "assets.csv");
		evbuffer_free(out);
		free(m);
		return;
	}
	json_t *assets = json_array(), *unmatched = json_array(), *devices = json_array();
	json_t *seen = json_object();	/* ids of matched devices */
	for (size_t i = 0; i < l->n; i++) {
		json_t *a = json_object();
		for (int k = 0; k < AC_N; k++)
			json_object_set_new(a, asset_col_names[k], json_string_safe(l->v[i].f[k],
			    strlen(l->v[i].f[k])));
		const struct device *d = m[i].device;
		json_object_set_new(a, "device", d ? json_string_safe(d->name, strlen(d->name)) :
		    json_null());
		json_object_set_new(a, "device_id", d ? json_integer(d->id) : json_null());
		json_object_set_new(a, "matched_by", m[i].by ? json_string(m[i].by) : json_null());
		if (d != NULL) {
			char id[32];
			snprintf(id, sizeof(id), "%lld", (long long)d->id);
			json_object_set_new(seen, id, json_true());
		} else {
			json_array_append(unmatched, json_object_get(a, "asset_tag"));
		}
		json_array_append_new(assets, a);
	}
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)d->id);
		if (json_object_get(seen, id) == NULL)
			json_array_append_new(devices, json_pack("{s:I, s:o, s:o, s:s}", "id",
			    (json_int_t)d->id, "name", json_string_safe(d->name, strlen(d->name)),
			    "address", json_string_safe(d->address, strlen(d->address)), "kind",
			    d->kind ? d->kind : "other"));
	}
	json_decref(seen);
	free(m);
	http_reply_json(req, 200, json_pack("{s:o, s:o, s:o, s:b}", "assets", assets,
	    "unmatched_assets", unmatched, "unmatched_devices", devices, "loaded",
	    c->reports->loaded));
}

struct import_job {
	struct collector *c;
	struct asset_list l;
	const char *encoding;
	char actor[160], addr[64];
	int rc;
};

static void
import_run(struct store *st, void *arg)
{
	struct import_job *j = arg;
	j->rc = assetdb_replace(store_db(st), &j->l);
}

static void
import_done(struct evhttp_request *req, void *arg)
{
	struct import_job *j = arg;
	struct collector *c = j->c;
	size_t n = j->l.n;
	audit_record(c, j->actor, j->addr, "assets.import", NULL, j->rc == 0,
	    "%zu assets (%s)", n, j->encoding);
	if (j->rc < 0) {
		if (req != NULL)
			http_reply_error(req, 500, "could not store the asset register");
		return;
	}
	reports_set_assets(c, &j->l);
	c->reports->loaded = 1;
	if (req == NULL)
		return;
	struct asset_match *m = calloc(n + 1, sizeof(*m));
	size_t matched = 0;
	if (m != NULL) {
		assets_match(c, &c->reports->assets, m);
		for (size_t i = 0; i < n; i++)
			matched += m[i].device != NULL;
	}
	free(m);
	http_reply_json(req, 200, json_pack("{s:I, s:s, s:I, s:I}", "imported", (json_int_t)n,
	    "encoding", j->encoding, "matched", (json_int_t)matched, "unmatched",
	    (json_int_t)(n - matched)));
}

static void
import_free(void *arg)
{
	struct import_job *j = arg;
	asset_list_clear(&j->l);
	free(j);
}

static void
api_assets_import(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	if (ct == NULL || (strncasecmp(ct, "text/csv", 8) != 0 &&
	    strncasecmp(ct, "text/plain", 10) != 0)) {
		http_reply_error(req, 415, "send the register as text/csv (columns %s, %s, %s, "
		    "%s, %s, %s, %s, %s, %s, %s, %s)", asset_col_names[0], asset_col_names[1],
		    asset_col_names[2], asset_col_names[3], asset_col_names[4], asset_col_names[5],
		    asset_col_names[6], asset_col_names[7], asset_col_names[8], asset_col_names[9],
		    asset_col_names[10]);
		return;
	}
	struct import_job *j = calloc(1, sizeof(*j));
	if (j == NULL) {
		http_reply_error(req, 503, "out of memory");
		return;
	}
	j->c = c;
	audit_actor(who, j->actor, sizeof(j->actor));
	http_client_addr(req, j->addr, sizeof(j->addr), NULL, 0);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char err[512];
	char *text = csv_to_utf8((const char *)evbuffer_pullup(in, -1), len, &j->encoding, err,
	    sizeof(err));
	if (text == NULL || assets_csv_parse(text, &j->l, c->cfg.assets_max_rows, err,
	    sizeof(err)) < 0) {
		audit_record(c, j->actor, j->addr, "assets.import", NULL, 0, "%s", err);
		http_reply_error(req, 400, "%s", err);
		free(text);
		import_free(j);
		return;
	}
	free(text);
	api_defer(c, req, j, import_run, import_done, import_free);
}

const struct route api_reports_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/reports/coverage", PERM_AUDIT, api_coverage },
	{ EVHTTP_REQ_GET, "/api/v1/reports/coverage/history", PERM_AUDIT, api_coverage_history },
	{ EVHTTP_REQ_GET, "/api/v1/reports/compliance", PERM_AUDIT, api_compliance },
	{ EVHTTP_REQ_GET, "/api/v1/assets", PERM_AUDIT, api_assets_list },
	{ EVHTTP_REQ_POST, "/api/v1/assets", PERM_ADMIN, api_assets_import },
	ROUTES_END
};
