/*
 * http.c — the http plugin: one GET per reading (a new connection, so the
 * DNS, connect and TLS phases are real), its status, phases, content match
 * and redirects as http_response, and for https the leaf certificate as
 * x509_cert (days left, chain and host validity). A certificate that fails
 * verification is reported, then read again without verification so its
 * dates still show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/builtin.h"
#include "plugins/httpfetch.h"
#include "plugins/putil.h"

#define BODY_MAX (1u << 20)

struct http_config {
	char *url;
	char *expect;
	int insecure;
	char *ca_file, *client_cert, *client_key;
	int follow;
	long long status;
};

struct http_state {
	const struct http_config *cfg;
	struct hfetch *http;
};

static const char *
check_url(const void *field)
{
	const char *s = *(const char *const *)field;
	if (s != NULL && strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return "must start with http:// or https://";
	return NULL;
}

#define OFF(f) offsetof(struct http_config, f)
static const struct cfg_key http_schema[] = {
	{ "url", CFG_STRING, OFF(url), NULL, 0, 2048, NULL, check_url, "URL to GET (required)." },
	{ "expect", CFG_STRING, OFF(expect), NULL, 0, 1024, NULL, NULL,
	  "Text the body must contain (first MiB)." },
	{ "status", CFG_INT, OFF(status), "0", 0, 599, NULL, NULL,
	  "Expected status (default: any below 400)." },
	{ "follow_redirects", CFG_BOOL, OFF(follow), "false", 0, 0, NULL, NULL,
	  "Follow redirects (at most 10)." },
	{ "insecure_skip_verify", CFG_BOOL, OFF(insecure), "false", 0, 0, NULL, NULL,
	  "Do not verify the server's certificate (still reported in x509_cert)." },
	{ "ca_file", CFG_STRING, OFF(ca_file), NULL, 0, 4096, NULL, NULL,
	  "CA bundle to verify against (default: the system's)." },
	{ "client_cert", CFG_STRING, OFF(client_cert), NULL, 0, 4096, NULL, NULL,
	  "Client certificate (PEM) for mutual TLS." },
	{ "client_key", CFG_STRING, OFF(client_key), NULL, 0, 4096, NULL, NULL,
	  "Client key (PEM; mode 600 or 640)." },
	CFG_END
};

static void *
http_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct http_config *c = config;
	char tmp[8];
	(void)info;
	if (c->url == NULL) {
		snprintf(err, errlen, "url: is required");
		return NULL;
	}
	/* The key must be private; secret_read checks the mode and that it is readable. */
	if (c->client_key != NULL && secret_read(c->client_key, tmp, sizeof(tmp), err, errlen) < 0)
		return NULL;
	struct http_state *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->http = hfetch_new()) == NULL) {
		free(st);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->cfg = c;
	return st;
}

static void
http_free(void *p)
{
	struct http_state *st = p;
	hfetch_free(st->http);
	free(st);
}

/* Telegraf's http_response result codes. */
enum { R_SUCCESS, R_MISMATCH, R_BODY_ERROR, R_CONN_FAILED, R_TIMEOUT, R_DNS_ERROR,
	R_STATUS_MISMATCH };
static const char *const result_names[] = { "success", "response_string_mismatch",
	"body_read_error", "connection_failed", "timeout", "dns_error",
	"response_status_code_mismatch" };

/* verify_error: NULL when verified, "" when not checked (insecure_skip_verify). */
static void
submit_cert(struct plugin_ctx *ctx, const char *url, const struct hfetch_result *r,
    const char *verify_error)
{
	struct fset f = { .n = 0 };
	long long now = (long long)time(NULL);
	int skipped = verify_error != NULL && verify_error[0] == '\0';
	struct plugin_tag tags[] = { { "source", url },
		{ "verification", skipped ? "skipped" : verify_error ? "invalid" : "valid" } };
	fset_int(&f, "expiry", r->cert_not_after - now);
	fset_float(&f, "days_left", (double)(r->cert_not_after - now) / 86400.0);
	fset_int(&f, "age", now - r->cert_not_before);
	fset_int(&f, "startdate", r->cert_not_before);
	fset_int(&f, "enddate", r->cert_not_after);
	if (!skipped)
		fset_int(&f, "verification_code", verify_error ? 1 : 0);
	if (verify_error && !skipped)
		fset_str(&f, "verification_error", verify_error);
	fset_str(&f, "subject", r->cert_subject);
	fset_str(&f, "issuer", r->cert_issuer);
	(void)fset_submit(ctx, "x509_cert", tags, 2, &f);
}

static int
http_read(void *p, struct plugin_ctx *ctx)
{
	struct http_state *st = p;
	const struct http_config *c = st->cfg;
	int https = strncmp(c->url, "https://", 8) == 0;
	struct hfetch_result r, r2 = { .ok = 0 };
	struct hfetch_opts o = {
		.url = c->url, .ca_file = c->ca_file, .client_cert = c->client_cert,
		.client_key = c->client_key, .insecure = c->insecure, .follow = c->follow,
		.certinfo = https, .max_body = BODY_MAX, .timeout_ms = plugin_deadline_ms(ctx),
	};
	int result = R_SUCCESS, matched = -1;
	char verify_error[256] = "";

	hfetch_get(st->http, &o, &r);
	if (!r.ok) {
		result = r.curl_code == 28 ? R_TIMEOUT : r.curl_code == 6 ? R_DNS_ERROR :
		    R_CONN_FAILED;
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s: %s", c->url, r.error);
		if (r.tls_verify_failed)
			snprintf(verify_error, sizeof(verify_error), "%s", r.error);
	} else {
		if (c->expect != NULL) {
			matched = r.body != NULL && strstr(r.body, c->expect) != NULL;
			if (!matched)
				result = R_MISMATCH;
		}
		if (c->status > 0 ? r.status != c->status : r.status >= 400)
			result = R_STATUS_MISMATCH;
	}

	struct fset f = { .n = 0 };
	char code[8];
	snprintf(code, sizeof(code), "%ld", r.status);
	struct plugin_tag tags[] = { { "server", c->url }, { "method", "GET" },
		{ "result", result_names[result] }, { "status_code", r.ok ? code : "" } };
	fset_int(&f, "up", result == R_SUCCESS);
	fset_int(&f, "result_code", result);
	if (r.ok) {
		fset_int(&f, "http_response_code", r.status);
		fset_int(&f, "content_length", (long long)r.body_len);
		fset_int(&f, "redirects", r.redirects);
		fset_int(&f, "http_version", r.http_version);
	}
	if (matched >= 0)
		fset_int(&f, "response_string_match", matched);
	fset_float(&f, "response_time", r.total_ms / 1000.0);
	fset_float(&f, "dns_ms", r.dns_ms);
	fset_float(&f, "connect_ms", r.connect_ms);
	if (https)
		fset_float(&f, "tls_ms", r.tls_ms);
	if (r.ok)
		fset_float(&f, "first_byte_ms", r.first_byte_ms);
	fset_float(&f, "total_ms", r.total_ms);
	if (!r.ok)
		fset_str(&f, "error", r.error);
	(void)fset_submit(ctx, "http_response", tags, 4, &f);

	if (https && r.has_cert) {
		submit_cert(ctx, c->url, &r, c->insecure ? "" :
		    verify_error[0] != '\0' ? verify_error : NULL);
	} else if (https && verify_error[0] != '\0') {
		o.insecure = 1;
		o.timeout_ms = plugin_deadline_ms(ctx);
		if (o.timeout_ms > 0 && hfetch_get(st->http, &o, &r2) == 0 && r2.has_cert)
			submit_cert(ctx, c->url, &r2, verify_error);
		hfetch_result_free(&r2);
	}
	hfetch_result_free(&r);
	return 0;
}

const struct plugin_desc http_plugin = {
	.name = "http",
	.abi = PLUGIN_ABI,
	.schema = http_schema,
	.config_size = sizeof(struct http_config),
	.configure = http_configure,
	.read = http_read,
	.free = http_free,
};
