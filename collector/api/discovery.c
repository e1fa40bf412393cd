/* api/discovery.c — POST /api/v1/discovery starts a sweep; GET shows its progress. */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"
#include "collector/inventory/inventory.h"

#include <event2/http.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void
api_discovery_start(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	json_t *ranges = json_object_get(body, "ranges");
	json_t *list = NULL;
	if (json_is_string(ranges)) {		/* "10.0.0.0/24,10.0.1.0/28" */
		list = json_array();
		char *copy = strdup(json_string_value(ranges)), *save = NULL;
		for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			json_array_append_new(list, json_string(tok));
		free(copy);
		ranges = list;
	}
	json_t *communities = json_object_get(body, "communities");
	json_t *port = json_object_get(body, "port");
	char err[256] = "";
	struct disco_job *job = NULL;
	if (!json_is_array(ranges))
		snprintf(err, sizeof(err), "ranges must be a list of CIDRs or a comma-separated string");
	else if (communities != NULL && !json_is_array(communities))
		snprintf(err, sizeof(err), "communities must be a list of strings");
	else if (port != NULL && (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535))
		snprintf(err, sizeof(err), "port must be 1 to 65535");
	else {
		char actor[160], addr[64];
		audit_actor(who, actor, sizeof(actor));
		http_client_addr(req, addr, sizeof(addr), NULL, 0);
		job = discovery_start(c, ranges, communities,
		    port ? (unsigned)json_integer_value(port) : 161, actor, err, sizeof(err));
		char *text = json_dumps(ranges, JSON_COMPACT);
		audit_record(c, actor, addr, "discovery.start", text ? text : "", job != NULL,
		    "%s", job ? "started" : err);
		free(text);
	}
	if (job != NULL)
		http_reply_json(req, 202, discovery_job_json(job));
	else
		http_reply_error(req, 400, "%s", err);
	json_decref(list);
	json_decref(body);
}

static void
api_discovery_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	char *end;
	long long id = strtoll(params[0], &end, 10);
	struct disco_job *job = *end == '\0' ? discovery_find(c, id) : NULL;
	if (job == NULL)
		http_reply_error(req, 404, "no such discovery job");
	else
		http_reply_json(req, 200, discovery_job_json(job));
}

const struct route api_discovery_routes[] = {
	{ EVHTTP_REQ_POST, "/api/v1/discovery", PERM_ADMIN, api_discovery_start },
	{ EVHTTP_REQ_GET, "/api/v1/discovery/*", PERM_READ, api_discovery_get },
	ROUTES_END
};
