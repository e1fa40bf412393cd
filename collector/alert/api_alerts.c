/*
 * api_alerts.c — /api/v1/alerts (list, one, ack), /api/v1/alert-rules and
 * /api/v1/maintenance (DESIGN §9). Reads come from the engine's memory;
 * maintenance changes are written through the store before they apply.
 */
#include "collector/collector.h"
#include "collector/alert/alert.h"
#include "collector/api/api.h"
#include "collector/auth/auth.h"
#include "collector/http/http.h"
#include "collector/store/store.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define LIST_MAX 10000

static struct alert_engine *
engine_or_503(struct collector *c, struct evhttp_request *req)
{
	struct alert_engine *e = alert_engine_of(c);
	if (e == NULL)
		http_reply_error(req, 503, c->cfg.alerts_evaluate ?
		    "alerts are still loading; try again in a moment" :
		    "alerts are off (alerts.evaluate: no)");
	return e;
}

static int64_t
id_param(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	return s && *s && *end == '\0' && v > 0 ? v : 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	const struct alert *x = *(const struct alert *const *)a, *y = *(const struct alert *const *)b;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* state: active (default: all but resolved), all, or one state name. */
static int
state_ok(const char *want, const struct alert *a)
{
	if (want == NULL || strcmp(want, "active") == 0)
		return a->state != AS_RESOLVED;
	if (strcmp(want, "all") == 0)
		return 1;
	return strcmp(want, alert_state_name(a->state)) == 0 && a->state != AS_HELD;
}

static void
api_alerts_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	char *state = http_query_param(req, "state"), *device = http_query_param(req, "device");
	char *sev = http_query_param(req, "severity"), *lim = http_query_param(req, "limit");
	char *rule = http_query_param(req, "rule");
	static const char *const states[] = { "active", "all", "firing", "acknowledged",
		"resolved", "suppressed", NULL };
	int ok = state == NULL;
	for (int i = 0; !ok && states[i]; i++)
		ok = strcmp(state, states[i]) == 0;
	long limit = lim ? strtol(lim, NULL, 10) : 1000;
	if (!ok) {
		http_reply_error(req, 400, "state: one of active, all, firing, acknowledged, "
		    "resolved, suppressed");
	} else if (sev && alert_severity_parse(sev) < 0) {
		http_reply_error(req, 400, "severity: critical, warning or info");
	} else if (limit < 1 || limit > LIST_MAX) {
		http_reply_error(req, 400, "limit: 1 to %d", LIST_MAX);
	} else {
		size_t n = 0, cap = 256;
		struct alert **v = malloc(cap * sizeof(*v));
		int64_t dev_id = id_param(device);
		for (struct alert *a = alert_engine_next(e, NULL); v && a; a = alert_engine_next(e, a)) {
			if (!state_ok(state, a) || (sev && alert_severity_parse(sev) != a->severity) ||
			    (rule && strcmp(rule, a->rule) != 0) ||
			    (device && !(dev_id ? a->device_id == dev_id :
			    a->device && strcmp(device, a->device) == 0)))
				continue;
			if (n == cap) {
				struct alert **nv = realloc(v, (cap *= 2) * sizeof(*v));
				if (nv == NULL)
					break;
				v = nv;
			}
			v[n++] = a;
		}
		if (v == NULL) {
			http_reply_error(req, 503, "out of memory");
		} else {
			qsort(v, n, sizeof(*v), cmp_desc);
			json_t *out = json_array();
			for (size_t i = 0; i < n && i < (size_t)limit; i++)
				json_array_append_new(out, alert_to_json(e, v[i]));
			http_reply_json(req, 200, out);
		}
		free(v);
	}
	free(state);
	free(device);
	free(sev);
	free(lim);
	free(rule);
}

static void
api_alert_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	struct alert *a = alert_engine_get(e, id_param(params[0]));
	if (a == NULL) {
		http_reply_error(req, 404, "no such alert");
		return;
	}
	http_reply_json(req, 200, alert_to_json(e, a));
}

static void
api_alert_ack(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	int64_t id = id_param(params[0]);
	const char *comment = NULL;
	json_t *body = NULL;
	/* the body is optional: a bare POST acknowledges */
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) > 0) {
		if ((body = api_json_body(req)) == NULL)
			return;
		json_t *cm = json_object_get(body, "comment");
		if (cm != NULL && !json_is_null(cm) && (!json_is_string(cm) ||
		    json_string_length(cm) > 1024)) {
			http_reply_error(req, 400, "comment: a string of at most 1024 bytes");
			json_decref(body);
			return;
		}
		comment = json_string_value(cm);
	}
	char actor[160], addr[64], target[32];
	audit_actor(who, actor, sizeof(actor));
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	snprintf(target, sizeof(target), "alert %lld", (long long)id);
	int rc = c->services.alert_ack ? c->services.alert_ack(c->services.alert_arg, id, actor,
	    comment, who->user_id ? "web" : "api") : -1;
	struct alert *a = alert_engine_get(e, id);
	audit_record(c, actor, addr, "alert.ack", target, rc == 0, comment ? "%s" : NULL,
	    comment ? comment : "");
	if (rc == 0)
		http_reply_json(req, 200, alert_to_json(e, a));
	else if (a == NULL)
		http_reply_error(req, 404, "no such alert");
	else
		http_reply_error(req, 409, "alert %lld is resolved: nothing to acknowledge",
		    (long long)id);
	json_decref(body);
}

static void
api_alert_rules(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	/* the rules in force: defaults, alerts.rules, includes, then the API's */
	const struct alert_rules *rules = alert_engine_rules(e);
	json_t *out = json_array();
	for (size_t i = 0; i < rules->n; i++)
		json_array_append_new(out, alert_rule_json(&rules->v[i]));
	http_reply_json(req, 200, out);
}

/* ---- writes deferred to the store --------------------------------------------- */

/* What every write here carries to its reply: who asked and from where, for
 * the audit trail. The first member (base) of rule_job and maint_job. */
struct write_job {
	struct collector *c;
	char actor[160], addr[64];
};

/* A zeroed job of size bytes with its write_job filled in; NULL after
 * replying 503. The caller owns it (api_defer's free callback frees it). */
static void *
write_job_new(struct collector *c, struct evhttp_request *req, const struct auth_identity *who,
    size_t size)
{
	struct write_job *b = calloc(1, size);
	if (b == NULL) {
		http_reply_error(req, 503, "out of memory");
		return NULL;
	}
	b->c = c;
	audit_actor(who, b->actor, sizeof(b->actor));
	http_client_addr(req, b->addr, sizeof(b->addr), NULL, 0);
	return b;
}

/* ---- rules made through the API ------------------------------------------------ */

struct rule_job {
	struct write_job base;
	char *name, *json;
	json_t *candidate;		/* the API's rule set after this change */
	int rc;
	int deleting;
};

static void
rule_job_free(void *arg)
{
	struct rule_job *j = arg;
	free(j->name);
	free(j->json);
	json_decref(j->candidate);
	free(j);
}

static void
rule_run(struct store *st, void *arg)
{
	struct rule_job *j = arg;
	j->rc = j->deleting ? rules_db_delete(store_db(st), j->name) :
	    rules_db_save(store_db(st), j->name, j->json);
}

static void
rule_reply(struct evhttp_request *req, void *arg)
{
	struct rule_job *j = arg;
	int ok = j->deleting ? j->rc > 0 : j->rc == 0;
	audit_record(j->base.c, j->base.actor, j->base.addr, j->deleting ? "alert_rule.delete" :
	    "alert_rule.add", j->name, ok, j->deleting ? NULL : "%s", j->json ? j->json : "");
	if (ok) {
		alert_api_rules_set(j->base.c, j->candidate);	/* takes it */
		j->candidate = NULL;
	}
	if (req == NULL)
		return;
	if (!ok && j->rc == -2)
		http_reply_error(req, 409, "a rule named '%s' exists already", j->name);
	else if (!ok)
		http_reply_error(req, 500, "could not store the rule");
	else if (j->deleting)
		http_reply_json(req, 204, NULL);
	else {
		struct alert_engine *e = alert_engine_of(j->base.c);
		const struct alert_rules *rules = e ? alert_engine_rules(e) : NULL;
		for (size_t i = 0; rules && i < rules->n; i++)
			if (strcmp(rules->v[i].name, j->name) == 0) {
				http_reply_json(req, 201, alert_rule_json(&rules->v[i]));
				return;
			}
		http_reply_json(req, 201, json_pack("{s:s}", "name", j->name));
	}
}

static void
api_rule_add(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	if (engine_or_503(c, req) == NULL)
		return;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	if (!json_is_object(body) || name == NULL) {
		http_reply_error(req, 400, "a rule is an object with a name: {\"name\", \"match\", "
		    "\"warn\", \"crit\", \"recover\", \"for\", \"nodata\", ...}");
		json_decref(body);
		return;
	}
	json_t *candidate = json_deep_copy(alert_api_rules(c));
	json_array_append(candidate, body);
	struct cfg_errors errs = { 0 };
	if (alert_api_rules_check(c, candidate, &errs) < 0) {
		/* only this rule's problems: "api:1: rule NAME: ..." */
		const char *why = errs.n ? errs.msgs[errs.n - 1] : "the rule is not valid";
		for (size_t i = 0; i < errs.n; i++)
			if (strstr(errs.msgs[i], name) != NULL)
				why = errs.msgs[i];
		http_reply_error(req, strstr(why, "name is taken") ? 409 : 400, "%s", why);
		cfg_errors_clear(&errs);
		json_decref(candidate);
		json_decref(body);
		return;
	}
	struct rule_job *j = write_job_new(c, req, who, sizeof(*j));
	if (j != NULL) {
		j->name = strdup(name);
		j->json = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
		j->candidate = candidate;
		api_defer(c, req, j, rule_run, rule_reply, rule_job_free);
	} else {
		json_decref(candidate);
	}
	json_decref(body);
}

static void
api_rule_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	const json_t *api = alert_api_rules(c);
	json_t *candidate = json_array(), *v;
	size_t i;
	int found = 0;
	json_array_foreach(api, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		if (n != NULL && strcmp(n, params[0]) == 0)
			found = 1;
		else
			json_array_append(candidate, v);
	}
	if (!found) {
		const struct alert_rules *rules = alert_engine_rules(e);
		for (size_t k = 0; k < rules->n; k++)
			if (strcmp(rules->v[k].name, params[0]) == 0) {
				http_reply_error(req, 409, "rule %s is defined in %s: change it there "
				    "(shipped rules go with alerts.defaults: false)", params[0],
				    rules->v[k].origin);
				json_decref(candidate);
				return;
			}
		http_reply_error(req, 404, "no such rule");
		json_decref(candidate);
		return;
	}
	struct rule_job *j = write_job_new(c, req, who, sizeof(*j));
	if (j == NULL) {
		json_decref(candidate);
		return;
	}
	j->name = strdup(params[0]);
	j->deleting = 1;
	j->candidate = candidate;
	api_defer(c, req, j, rule_run, rule_reply, rule_job_free);
}

/* ---- maintenance ---------------------------------------------------------------- */

static void
api_maint_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	struct alert_engine *e = engine_or_503(c, req);
	if (e == NULL)
		return;
	size_t n;
	const struct maint_window *const *w = alert_engine_maintenance(e, &n);
	double now = util_now();
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = maint_to_json(w[i]);
		json_object_set_new(j, "active", json_boolean(maint_covers(w[i], now, NULL, NULL,
		    NULL) || (w[i]->n_devices && now >= w[i]->from &&
		    (w[i]->weekly || now < w[i]->to))));
		json_array_append_new(out, j);
	}
	http_reply_json(req, 200, out);
}

struct maint_job {
	struct write_job base;
	struct maint_window *w;
	char *json;
	int64_t id;
	int rc;
};

static void
maint_job_free(void *arg)
{
	struct maint_job *j = arg;
	maint_free(j->w);
	free(j->json);
	free(j);
}

static void
maint_add_run(struct store *st, void *arg)
{
	struct maint_job *j = arg;
	j->id = maint_db_save(store_db(st), j->json);
}

static void
maint_add_reply(struct evhttp_request *req, void *arg)
{
	struct maint_job *j = arg;
	char target[48];
	snprintf(target, sizeof(target), "maintenance %lld", (long long)j->id);
	audit_record(j->base.c, j->base.actor, j->base.addr, "maintenance.add", target, j->id > 0,
	    "%s", j->json);
	if (j->id <= 0) {
		if (req)
			http_reply_error(req, 500, "could not store the maintenance window");
		return;
	}
	j->w->id = j->id;
	json_t *out = maint_to_json(j->w);
	if (alert_maintenance_add(j->base.c, j->w) == 0)
		j->w = NULL;	/* the engine has it */
	if (req)
		http_reply_json(req, 201, out);
	else
		json_decref(out);
}

static void
api_maint_add(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	if (engine_or_503(c, req) == NULL)
		return;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	char err[256];
	struct maint_window *w = maint_from_json(body, err, sizeof(err));
	json_decref(body);
	if (w == NULL) {
		http_reply_error(req, 400, "%s", err);
		return;
	}
	struct maint_job *j = write_job_new(c, req, who, sizeof(*j));
	if (j == NULL) {
		maint_free(w);
		return;
	}
	j->w = w;
	w->created_by = strdup(j->base.actor);
	json_t *stored = maint_to_json(w);
	j->json = json_dumps(stored, JSON_COMPACT);
	json_decref(stored);
	api_defer(c, req, j, maint_add_run, maint_add_reply, maint_job_free);
}

static void
maint_del_run(struct store *st, void *arg)
{
	struct maint_job *j = arg;
	j->rc = maint_db_delete(store_db(st), j->id);
}

static void
maint_del_reply(struct evhttp_request *req, void *arg)
{
	struct maint_job *j = arg;
	char target[48];
	snprintf(target, sizeof(target), "maintenance %lld", (long long)j->id);
	int gone = alert_maintenance_delete(j->base.c, j->id) == 0;
	audit_record(j->base.c, j->base.actor, j->base.addr, "maintenance.delete", target,
	    j->rc > 0 || gone, NULL);
	if (req == NULL)
		return;
	if (j->rc > 0 || gone)
		http_reply_json(req, 204, NULL);
	else
		http_reply_error(req, j->rc < 0 ? 500 : 404, j->rc < 0 ?
		    "could not delete the maintenance window" : "no such maintenance window");
}

static void
api_maint_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	if (engine_or_503(c, req) == NULL)
		return;
	int64_t id = id_param(params[0]);
	if (id == 0) {
		http_reply_error(req, 404, "no such maintenance window");
		return;
	}
	struct maint_job *j = write_job_new(c, req, who, sizeof(*j));
	if (j == NULL)
		return;
	j->id = id;
	api_defer(c, req, j, maint_del_run, maint_del_reply, maint_job_free);
}

const struct route api_alerts_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/alerts", PERM_READ, api_alerts_list },
	{ EVHTTP_REQ_GET, "/api/v1/alerts/*", PERM_READ, api_alert_get },
	{ EVHTTP_REQ_POST, "/api/v1/alerts/*/ack", PERM_OPERATE, api_alert_ack },
	{ EVHTTP_REQ_GET, "/api/v1/alert-rules", PERM_READ, api_alert_rules },
	{ EVHTTP_REQ_POST, "/api/v1/alert-rules", PERM_ADMIN, api_rule_add },
	{ EVHTTP_REQ_DELETE, "/api/v1/alert-rules/*", PERM_ADMIN, api_rule_delete },
	{ EVHTTP_REQ_GET, "/api/v1/maintenance", PERM_READ, api_maint_list },
	{ EVHTTP_REQ_POST, "/api/v1/maintenance", PERM_OPERATE, api_maint_add },
	{ EVHTTP_REQ_DELETE, "/api/v1/maintenance/*", PERM_OPERATE, api_maint_delete },
	ROUTES_END
};
