/*
 * server.c — the collector's HTTP(S) server: listening, TLS, every limit in
 * one place, JSON replies and security headers. router.c picks the handler;
 * handlers live in the API files (and ingest/ for the write endpoints).
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/api/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>	/* the version of a request libevent refused */
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "common/util.h"


static void
security_headers(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "Cache-Control", "no-store");
}

void
http_json_append(struct evbuffer *out, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text == NULL)
		return;
	/* '<', '>' and '&' occur only inside strings: escape them, so no
	 * browser that sniffs or mislabels a reply finds markup in it. */
	for (const char *p = text;;) {
		size_t n = strcspn(p, "<>&");
		evbuffer_add(out, p, n);
		if (p[n] == '\0')
			break;
		evbuffer_add_printf(out, "\\u%04x", (unsigned char)p[n]);
		p += n + 1;
	}
	free(text);
}

void
http_reply_buffer(struct evhttp_request *req, int code, struct evbuffer *out)
{
	http_reply_typed(req, code, out, "application/json; charset=utf-8");
}

void
http_reply_typed(struct evhttp_request *req, int code, struct evbuffer *out,
    const char *content_type)
{
	security_headers(req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type);
	evhttp_send_reply(req, code, NULL, out);
}

void
http_reply_json(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	if (body != NULL) {
		http_json_append(out, body);
		evbuffer_add(out, "\n", 1);
	}
	http_reply_buffer(req, code, out);
	evbuffer_free(out);
	json_decref(body);
}

void
http_reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(req, code, json_pack("{s:o}", "error",
	    json_string_safe(msg, strlen(msg))));
}

/*
 * libevent answers some requests itself (400 malformed request, 413 header
 * or body too large, 417, 501) with an HTML page, no security headers,
 * through evhttp_send_error(), and 2.1 has no hook for it. libevent calls
 * that function through its PLT, so this definition, exported by the
 * program, replaces libevent's: the same answers, in JSON, with the same
 * headers as every other reply. tests/integration/test_http_errors.py checks
 * the replacement is in effect. The connection closes after it, as before.
 */
void
evhttp_send_error(struct evhttp_request *req, int error, const char *reason)
{
	const char *msg;
	(void)reason;
	switch (error) {
	case 400:
		msg = "malformed HTTP request";
		break;
	case 413:
		msg = "request too large: see http.max_header_size and ingest.max_body";
		break;
	case 417:
		msg = "unsupported Expect header";
		break;
	case 501:
		msg = "method not implemented";
		break;
	default:
		msg = "request refused";
		break;
	}
	if (req->major != 1 || (req->minor != 0 && req->minor != 1)) {
		req->major = 1;	/* the request line did not say (or said nonsense) */
		req->minor = 1;
	}
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	evhttp_clear_headers(out);
	evhttp_add_header(out, "Connection", "close");
	http_reply_error(req, error, "%s", msg);
}

char *
http_query_param(struct evhttp_request *req, const char *name)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq params;
	char *value = NULL;
	if (query == NULL || evhttp_parse_query_str(query, &params) != 0)
		return NULL;
	const char *v = evhttp_find_header(&params, name);
	if (v != NULL)
		value = strdup(v);
	evhttp_clear_headers(&params);
	return value;
}

/* ---- requests that wait for another thread -------------------------------- */

struct http_pending {
	struct evhttp_request *req;
	int tracked;		/* httpconn.c's close callback tells us */
};

void
http_pending_lost(struct http_pending *p)
{
	p->req = NULL;		/* libevent frees the request with the connection */
}

static void
pending_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	http_pending_lost(arg);
}

struct http_pending *
http_pending_new(struct evhttp_request *req)
{
	struct http_pending *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->req = req;
	if (http_conns_set_pending(req, p) == 0)
		p->tracked = 1;
	else
		evhttp_connection_set_closecb(evhttp_request_get_connection(req),
		    pending_closed, p);
	return p;
}

struct evhttp_request *
http_pending_take(struct http_pending *p)
{
	struct evhttp_request *req = p->req;
	if (req != NULL && p->tracked)
		http_conns_set_pending(req, NULL);
	else if (req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
	free(p);
	return req;
}

/* ---- TLS -------------------------------------------------------------------- */

/* OpenSSL's words for the first error queued, the root cause ("no start
 * line" rather than "PEM lib"); the queue is emptied. Returns its code. */
static unsigned long
tls_error(char *buf, size_t len)
{
	unsigned long e, first = ERR_get_error();
	while ((e = ERR_get_error()) != 0)
		;
	const char *reason = first ? ERR_reason_error_string(first) : NULL;
	if (first == 0)
		snprintf(buf, len, "unknown OpenSSL error");
	else if (reason != NULL)
		snprintf(buf, len, "%s", reason);
	else
		ERR_error_string_n(first, buf, len);
	return first;
}

/*
 * A server context with cfg's certificate chain and key, or NULL with the
 * reason in err: a file that cannot be read (and why), what OpenSSL found
 * wrong in it, or a key that does not belong to the certificate.
 */
static SSL_CTX *
tls_load(const struct collector_config *cfg, char *err, size_t errlen)
{
	char why[256];
	const char *files[2] = { cfg->tls_cert, cfg->tls_key };
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		if (f == NULL) {
			snprintf(err, errlen, "http.%s %s: %s", i ? "tls_key" : "tls_cert",
			    files[i], strerror(errno));
			return NULL;
		}
		fclose(f);
	}
	ERR_clear_error();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "cannot make a TLS context: %s", why);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "http.tls_cert %s is not a usable PEM certificate: %s",
		    cfg->tls_cert, why);
	} else if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
		unsigned long e = tls_error(why, sizeof(why));
		if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
			snprintf(err, errlen, "http.tls_key %s does not belong to the certificate "
			    "%s: %s", cfg->tls_key, cfg->tls_cert, why);
		else
			snprintf(err, errlen, "http.tls_key %s is not a usable PEM private key: %s",
			    cfg->tls_key, why);
	} else if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error(why, sizeof(why));
		snprintf(err, errlen, "http.tls_key %s does not belong to the certificate %s: %s",
		    cfg->tls_key, cfg->tls_cert, why);
	} else {
		return ctx;
	}
	SSL_CTX_free(ctx);
	return NULL;
}

int
http_tls_check(const struct collector_config *cfg, char *err, size_t errlen)
{
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL)
		return 0;
	SSL_CTX *ctx = tls_load(cfg, err, errlen);
	if (ctx == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

static int
tls_setup(struct collector *c)
{
	char err[512];
	SSL_CTX *ctx = tls_load(&c->cfg, err, sizeof(err));
	if (ctx == NULL) {
		log_warnx("http: cannot load the TLS certificate: %s", err);
		return -1;
	}
	c->tls_ctx = ctx;	/* conns.c's bevcb makes TLS bufferevents */
	return 0;
}

/* ---- start/stop --------------------------------------------------------------- */

static int
split_listen(const char *listen, char *addr, size_t cap, unsigned short *port)
{
	const char *colon = strrchr(listen, ':');
	if (colon == NULL)
		return -1;
	const char *a = listen;
	size_t alen = (size_t)(colon - listen);
	if (a[0] == '[' && alen >= 2 && a[alen - 1] == ']') {
		a++;
		alen -= 2;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (alen == 0 || alen >= cap || *end != '\0' || p < 0 || p > 65535)
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	*port = (unsigned short)p;
	return 0;
}

static int
is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return strcmp(addr, "localhost") == 0;
}

int
http_start(struct collector *c)
{
	char addr[256];
	unsigned short port;
	if (split_listen(c->cfg.listen, addr, sizeof(addr), &port) < 0) {
		log_warnx("http: bad listen address '%s'", c->cfg.listen);
		return -1;
	}
	int tls = c->cfg.tls_cert != NULL;
	if (!tls && !is_loopback(addr)) {
		if (!c->cfg.allow_plain_remote) {
			log_warnx("http: refusing plain HTTP on %s: configure http.tls_cert and "
			    "http.tls_key, or set http.allow_plain_remote: yes", c->cfg.listen);
			return -1;
		}
		log_warnx("http: serving plain HTTP on %s: tokens and passwords cross the "
		    "network unencrypted", c->cfg.listen);
	}
	c->http = evhttp_new(c->base);
	if (c->http == NULL)
		return -1;
	evhttp_set_timeout(c->http, (int)c->cfg.http_timeout);
	evhttp_set_max_headers_size(c->http, (ev_ssize_t)c->cfg.http_max_header);
	/* Compressed bodies are checked again while inflating. */
	evhttp_set_max_body_size(c->http, (ev_ssize_t)c->cfg.max_body);
	/* Every method reaches http_dispatch, which answers 404 or 405 in JSON
	 * (libevent's own 501 is an HTML page). */
	evhttp_set_allowed_methods(c->http, 0xffff);
	evhttp_set_gencb(c->http, http_route, c);
	if (tls && tls_setup(c) < 0)
		return -1;
	if ((c->conns = http_conns_new(c, c->http)) == NULL)
		return -1;
	struct evhttp_bound_socket *bound = evhttp_bind_socket_with_handle(c->http, addr, port);
	if (bound == NULL) {
		log_warn("http: cannot listen on %s", c->cfg.listen);
		return -1;
	}
	http_conns_listen(c->conns, evhttp_bound_socket_get_listener(bound));
	/* Accepted sockets inherit it: without it a reply larger than one segment
	 * waits for the client's delayed ACK (about 40 ms) before its last part. */
	int one = 1;
	if (setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) < 0)
		log_warn("http: cannot set TCP_NODELAY");
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) == 0)
		c->bound_port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	int v6 = strchr(addr, ':') != NULL;
	log_info("listening on %s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", addr,
	    v6 ? "]" : "", c->bound_port);
	return 0;
}

void
http_stop(struct collector *c)
{
	if (c->conns != NULL)
		http_conns_listen(c->conns, NULL);	/* evhttp_free frees it */
	if (c->http != NULL)
		evhttp_free(c->http);
	c->http = NULL;
	http_conns_free(c->conns);
	c->conns = NULL;
	if (c->tls_ctx != NULL)
		SSL_CTX_free(c->tls_ctx);
	c->tls_ctx = NULL;
}

/* Limits that apply at once on SIGHUP (addresses and TLS need a restart). */
static void
http_reload(struct collector *c)
{
	evhttp_set_max_body_size(c->http, (ev_ssize_t)c->cfg.max_body);
}

/* Binds in open_privileged (a port below 1024 needs root); stops first, so
 * no request meets a subsystem that has stopped. */
const struct subsystem http_subsystem = {
	.name = "http",
	.open_privileged = http_start,
	.reload = http_reload,
	.stop = http_stop,
};
