/*
 * api/static.c — serves the web UI's files from web/. Only plain names
 * under that folder: no "..", no hidden files, no symlinks out of it.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		if (n == 0 || seg[0] == '.')
			return 0;		/* empty, hidden, "." or ".." */
		for (size_t i = 0; i < n; i++)
			if (!((seg[i] >= 'a' && seg[i] <= 'z') || (seg[i] >= 'A' && seg[i] <= 'Z') ||
			    (seg[i] >= '0' && seg[i] <= '9') || strchr("-_.", seg[i])))
				return 0;
		seg += n;
		if (*seg == '/')
			seg++;
	}
	return 1;
}

void
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
	char file[4096];
	struct stat sb;
	int fd = -1;
	if (c->web_dir != NULL && safe_relpath(rel) &&
	    snprintf(file, sizeof(file), "%s/%s", c->web_dir, rel) < (int)sizeof(file) &&
	    (fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
	    fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		struct evbuffer *out = evbuffer_new();
		struct evkeyvalq *h = evhttp_request_get_output_headers(req);
		evhttp_add_header(h, "Content-Type", content_type(file));
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		evhttp_add_header(h, "X-Frame-Options", "DENY");
		evhttp_add_header(h, "Content-Security-Policy",
		    "default-src 'self'; script-src 'self'; style-src 'self'; "
		    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
		    "base-uri 'none'");
		evhttp_add_header(h, "Cache-Control", "no-cache");
		evbuffer_add_file(out, fd, 0, sb.st_size);	/* takes the fd */
		evhttp_send_reply(req, 200, "OK", out);
		evbuffer_free(out);
		return;
	}
	if (fd >= 0)
		close(fd);
	http_reply_error(req, 404, "not found: %s", path);
}
