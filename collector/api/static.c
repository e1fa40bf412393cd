/*
 * api/static.c — serves the web UI's files, read into memory from web/ at
 * start (webfiles.c). Only plain names under that folder: no "..", no
 * hidden files, no symlinks.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <string.h>

static const char *
content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".json", "application/json" },
		{ ".webmanifest", "application/manifest+json" }, { ".svg", "image/svg+xml" },
		{ ".png", "image/png" }, { ".ico", "image/x-icon" }, { ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int
safe_relpath(const char *p)
{
	if (*p == '\0')
		return 1;
	for (const char *seg = p; *seg; ) {
		size_t n = strcspn(seg, "/");
		if (!webfiles_safe_name(seg, n))
			return 0;		/* empty, hidden, "." or ".." */
		seg += n;
		if (*seg == '/')
			seg++;
	}
	return 1;
}

static void
api_static(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (strncmp(path, "/api/", 5) == 0) {
		http_reply_error(req, 404, "no such endpoint: %s", path);
		return;
	}
	const char *rel = path + 1;
	if (*rel == '\0')
		rel = "index.html";
	const struct webfile *f = safe_relpath(rel) ? webfiles_find(c->web, rel) : NULL;
	if (f == NULL) {
		http_reply_error(req, 404, "not found: %s", path);
		return;
	}
	struct evbuffer *out = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", content_type(f->name));
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; "
	    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	/* A copy: a SIGHUP may replace the files while this reply is sent. */
	if (out == NULL || evbuffer_add(out, f->data, f->len) < 0) {
		if (out != NULL)
			evbuffer_free(out);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

const struct route api_static_routes[] = {
	{ EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/**", 0, api_static },
	ROUTES_END
};
