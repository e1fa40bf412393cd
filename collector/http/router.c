/*
 * router.c — which handler answers a request, and who may ask. Each API file
 * exports its routes[] (with the permission each route needs, auth/perms.c);
 * the table below joins them, matched in order. Path segments captured by
 * "*" are percent-decoded before a handler sees them.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/api/api.h"
#include "collector/notify/notify.h"
#include "collector/alert/alert.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* Every API file's routes; the web UI's catch-all comes last. */
static const struct route *const tables[] = {
	api_status_routes,
	ingest_routes,
	api_series_routes,
	api_admin_routes,
	api_discovery_routes,
	api_devices_routes,
	api_topology_routes,
	api_users_routes,
	notify_routes,
	api_alerts_routes,
	api_static_routes,
};

const struct route *
route_next(const struct route *r)
{
	static const size_t n_tables = sizeof(tables) / sizeof(tables[0]);
	size_t t = 0;
	if (r != NULL) {
		if ((++r)->pattern != NULL)
			return r;
		/* find the table r ended: the one whose end is r */
		for (t = 0; t < n_tables; t++) {
			const struct route *e = tables[t];
			while (e->pattern != NULL)
				e++;
			if (e == r)
				break;
		}
		t++;
	}
	for (; t < n_tables; t++)
		if (tables[t][0].pattern != NULL)
			return tables[t];
	return NULL;
}

static const char *
method_name(unsigned m)
{
	static const struct {
		unsigned m;
		const char *name;
	} names[] = { { EVHTTP_REQ_GET, "GET" }, { EVHTTP_REQ_HEAD, "HEAD" },
		{ EVHTTP_REQ_POST, "POST" }, { EVHTTP_REQ_PUT, "PUT" },
		{ EVHTTP_REQ_PATCH, "PATCH" }, { EVHTTP_REQ_DELETE, "DELETE" } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].m == m)
			return names[i].name;
	return "?";
}

void
http_routes_print(FILE *out)
{
	for (const struct route *r = route_next(NULL); r != NULL; r = route_next(r)) {
		char methods[64] = "";
		for (unsigned bit = 1; bit <= EVHTTP_REQ_PATCH; bit <<= 1) {
			if (!(r->method & bit))
				continue;
			size_t len = strlen(methods);
			snprintf(methods + len, sizeof(methods) - len, "%s%s", len ? "," : "",
			    method_name(bit));
		}
		char need[128];
		perms_format(r->need, need, sizeof(need));
		fprintf(out, "%s %s %s\n", methods, r->pattern, r->need ? need : "public");
	}
}

/*
 * More than one Content-Length, or one with Transfer-Encoding: a proxy in
 * front may read the body's length differently from libevent (which takes
 * the first Content-Length, or chunked), and what one takes for body the
 * other takes for the next request.
 */
static int
ambiguous_length(struct evhttp_request *req)
{
	const struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const struct evkeyval *h;
	int lengths = 0, chunked = 0;
	for (h = in->tqh_first; h != NULL; h = h->next.tqe_next) {
		if (evutil_ascii_strcasecmp(h->key, "Content-Length") == 0)
			lengths++;
		else if (evutil_ascii_strcasecmp(h->key, "Transfer-Encoding") == 0)
			chunked++;
	}
	return lengths > 1 || (lengths > 0 && chunked > 0);
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Percent-decode a captured path segment in place ("%E6%A0%B8 1" and
 * "%20" become the name a client meant; '+' stays '+', as in any path).
 * -1 for a bad escape, %00, or bytes that are not UTF-8.
 */
static int
segment_decode(char *seg)
{
	char *out = seg;
	for (const char *p = seg; *p != '\0'; p++) {
		if (*p != '%') {
			*out++ = *p;
			continue;
		}
		int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		p += 2;
	}
	*out = '\0';
	return util_utf8_valid(seg, (size_t)(out - seg)) ? 0 : -1;
}

/* Match path against pattern; captured "*" segments go to params. */
int
http_route_match(const char *pattern, const char *path, char params[][HTTP_PARAM_MAX],
    int *n_params)
{
	*n_params = 0;
	while (*pattern != '\0') {
		if (*path != '/' || *pattern != '/')
			return 0;
		pattern++;
		path++;
		if (strcmp(pattern, "**") == 0)
			return 1;
		size_t seg = strcspn(path, "/");
		if (pattern[0] == '*' && (pattern[1] == '/' || pattern[1] == '\0')) {
			if (seg == 0 || seg >= HTTP_PARAM_MAX || *n_params >= HTTP_MAX_PARAMS)
				return 0;
			memcpy(params[*n_params], path, seg);
			params[(*n_params)++][seg] = '\0';
			pattern++;
		} else {
			size_t plen = strcspn(pattern, "/");
			if (plen != seg || strncmp(pattern, path, seg) != 0)
				return 0;
			pattern += plen;
		}
		path += seg;
	}
	return *path == '\0';
}

void
http_route(struct evhttp_request *req, void *arg)
{
	struct collector *c = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	unsigned method = (unsigned)evhttp_request_get_command(req);
	char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
	const char *param_ptrs[HTTP_MAX_PARAMS + 1] = { NULL };
	int n_params, path_found = 0;

	http_conns_request_arrived(c->conns, req);
	if (ambiguous_length(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		http_reply_error(req, 400, "send one Content-Length header, or Transfer-Encoding "
		    "alone");
		return;
	}
	if (path == NULL || path[0] != '/') {
		http_reply_error(req, 400, "malformed request path");
		return;
	}
	for (const struct route *r = route_next(NULL); r != NULL; r = route_next(r)) {
		if (!http_route_match(r->pattern, path, params, &n_params))
			continue;
		if (!(r->method & method)) {
			/* the static catch-all knows no path: 404, not 405 */
			path_found |= strcmp(r->pattern, "/**") != 0;
			continue;
		}
		if (c->starting && strcmp(r->pattern, "/api/v1/health") != 0 &&
		    strcmp(r->pattern, "/**") != 0) {
			/* the catalogue is loading (ingest/load.c): nothing else is ready */
			evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
			http_reply_error(req, 503, "the collector is starting: %zu series loaded so "
			    "far; try again in a moment", series_count(c->series));
			return;
		}
		for (int k = 0; k < n_params; k++) {
			if (segment_decode(params[k]) < 0) {
				http_reply_error(req, 400, "bad percent-encoding in the path (a %%XX "
				    "escape, %%00, or bytes that are not UTF-8)");
				return;
			}
			param_ptrs[k] = params[k];
		}
		const struct auth_identity *who = NULL;
		if (r->need != 0 && !(r->need == PERM_METRICS && c->cfg.metrics_public)) {
			int code;
			who = session_identify(c, req, &code);
			if (who == NULL && code == 403) {
				http_reply_error(req, 403, "missing or wrong X-CSRF-Token header: "
				    "send the csrf value from the login (or GET /api/v1/me)");
				return;
			}
			if (who == NULL) {
				evhttp_add_header(evhttp_request_get_output_headers(req),
				    "WWW-Authenticate", "Bearer realm=\"campusmon\"");
				http_reply_error(req, 401, "log in, or send 'Authorization: Bearer "
				    "<token>'");
				return;
			}
			if ((who->perms & r->need) != r->need) {
				http_reply_error(req, 403, "%s '%s' (role %s) may not do this",
				    who->user_id ? "user" : "token", who->name, who->role);
				return;
			}
		}
		if (c->tls_ctx != NULL)
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "Strict-Transport-Security", "max-age=31536000");
		r->fn(c, req, who, param_ptrs);
		return;
	}
	if (path_found)
		http_reply_error(req, 405, "method not allowed on %s", path);
	else
		http_reply_error(req, 404, "no such endpoint: %s", path);
}

