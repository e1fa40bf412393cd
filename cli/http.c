/*
 * http.c — the CLI's HTTP client: one libcurl easy handle per collector
 * (connections are reused between requests), bounded replies, timeouts,
 * no redirects (a redirect would carry the token elsewhere), http and
 * https only.
 */
#include "config.h"
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cli_http {
	CURL *curl;
	char *base;
	char *auth_header;	/* "Authorization: Bearer ..." or NULL; wiped */
	char *cainfo;		/* PEM file of CAs to trust, or NULL: the system's */
	long timeout;
};

struct sink {
	char *buf;
	size_t len, cap;
	int too_big;
};

/*
 * A "Link: </api/v1/…?after=…>; rel=\"next\"" header: keep its path. Only
 * a path on the same collector is kept (it must start with "/api/v1/").
 */
static size_t
header_line(char *data, size_t size, size_t nmemb, void *arg)
{
	struct cli_reply *reply = arg;
	size_t n = size * nmemb;
	if (n < 6 || strncasecmp(data, "Link:", 5) != 0 || reply->next != NULL)
		return n;
	char *line = strndup(data + 5, n - 5);
	if (line == NULL)
		return n;
	char *lt = strchr(line, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (gt != NULL && strstr(gt, "rel=\"next\"") != NULL &&
	    strncmp(lt + 1, "/api/v1/", 8) == 0 && strcspn(lt + 1, " \t\r\n") >= (size_t)(gt - lt - 1))
		reply->next = strndup(lt + 1, (size_t)(gt - lt - 1));
	free(line);
	return n;
}

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	if (s->len + n > (size_t)CLI_MAX_REPLY) {
		s->too_big = 1;
		return 0;		/* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *g = realloc(s->buf, cap);
		if (g == NULL)
			return 0;
		s->buf = g;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

struct cli_http *
cli_http_new(const char *base_url, const char *token, long timeout)
{
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_ready = 1;
	}
	struct cli_http *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->curl = curl_easy_init();
	h->base = strdup(base_url);
	h->timeout = timeout;
	if (token != NULL && asprintf(&h->auth_header, "Authorization: Bearer %s", token) < 0)
		h->auth_header = NULL;
	if (h->curl == NULL || h->base == NULL || (token != NULL && h->auth_header == NULL)) {
		cli_http_free(h);
		return NULL;
	}
	return h;
}

void
cli_http_set_timeout(struct cli_http *h, long timeout)
{
	h->timeout = timeout;
}

int
cli_http_set_cainfo(struct cli_http *h, const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return -1;
	free(h->cainfo);
	h->cainfo = copy;
	return 0;
}

void
cli_http_free(struct cli_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	if (h->auth_header != NULL) {
		explicit_bzero(h->auth_header, strlen(h->auth_header));
		free(h->auth_header);
	}
	free(h->base);
	free(h->cainfo);
	free(h);
}

char *
cli_http_url(struct cli_http *h, const char *path, const struct cli_param *params,
    size_t n_params)
{
	size_t cap = strlen(h->base) + strlen(path) + 2, len;
	char *url = malloc(cap);
	if (url == NULL)
		return NULL;
	len = (size_t)snprintf(url, cap, "%s%s", h->base, path);
	char sep = '?';
	for (size_t i = 0; i < n_params; i++) {
		if (params[i].value == NULL)
			continue;
		char *k = curl_easy_escape(h->curl, params[i].key, 0);
		char *v = curl_easy_escape(h->curl, params[i].value, 0);
		size_t need = len + (k ? strlen(k) : 0) + (v ? strlen(v) : 0) + 3;
		char *g = (k && v) ? realloc(url, need) : NULL;
		if (g == NULL) {
			curl_free(k);
			curl_free(v);
			free(url);
			return NULL;
		}
		url = g;
		len += (size_t)snprintf(url + len, need - len, "%c%s=%s", sep, k, v);
		sep = '&';
		curl_free(k);
		curl_free(v);
	}
	return url;
}

int
cli_http_request(struct cli_http *h, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply, char *err, size_t errlen)
{
	return cli_http_request_raw(h, method, path, params, n_params, json_body,
	    json_body ? strlen(json_body) : 0, json_body ? "application/json" : NULL, reply,
	    err, errlen);
}

int
cli_http_request_raw(struct cli_http *h, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *body, size_t body_len,
    const char *content_type, struct cli_reply *reply, char *err, size_t errlen)
{
	const char *json_body = body;	/* any body, sent as content_type */
	char ctype[128];
	memset(reply, 0, sizeof(*reply));
	char *url = cli_http_url(h, path, params, n_params);
	if (url == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct curl_slist *hdrs = NULL;
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (json_body != NULL) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, ctype);
	}
	if (h->auth_header != NULL)
		hdrs = curl_slist_append(hdrs, h->auth_header);

	char curl_err[CURL_ERROR_SIZE] = "";
	struct sink sink = { NULL, 0, 0, 0 };
	CURL *cu = h->curl;
	curl_easy_reset(cu);	/* keeps the connection cache */
	curl_easy_setopt(cu, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, h->timeout < 10 ? h->timeout : 10L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, h->timeout);
	curl_easy_setopt(cu, CURLOPT_USERAGENT, "campusmon-cli/" PACKAGE_VERSION);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(cu, CURLOPT_HEADERFUNCTION, header_line);
	curl_easy_setopt(cu, CURLOPT_HEADERDATA, reply);
	curl_easy_setopt(cu, CURLOPT_ACCEPT_ENCODING, "");
	if (h->cainfo != NULL)
		curl_easy_setopt(cu, CURLOPT_CAINFO, h->cainfo);
	if (strcmp(method, "POST") == 0 || (json_body != NULL && strcmp(method, "GET") != 0)) {
		/* POST, or PATCH/PUT with a body: the body goes the same way */
		const char *b = json_body ? json_body : "";
		curl_easy_setopt(cu, CURLOPT_POST, 1L);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, b);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)(json_body ? body_len : 0));
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
	}

	CURLcode rc = curl_easy_perform(cu);
	int ret = 0;
	if (rc != CURLE_OK) {
		if (sink.too_big)
			snprintf(err, errlen, "the reply is larger than %ld MiB",
			    CLI_MAX_REPLY >> 20);
		else
			snprintf(err, errlen, "%s", curl_err[0] ? curl_err :
			    curl_easy_strerror(rc));
		free(sink.buf);
		free(reply->next);
		reply->next = NULL;
		ret = -1;
	} else {
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &reply->status);
		reply->body = sink.buf ? sink.buf : strdup("");
		reply->len = sink.len;
		if (reply->body == NULL) {
			snprintf(err, errlen, "out of memory");
			ret = -1;
		}
	}
	/* The slist copied the Authorization line: wipe it before freeing. */
	for (struct curl_slist *s = hdrs; s != NULL; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
	free(url);
	return ret;
}

char *
cli_http_escape(struct cli_http *h, const char *text)
{
	char *e = curl_easy_escape(h->curl, text, 0);
	char *copy = e ? strdup(e) : NULL;
	curl_free(e);
	return copy;
}

void
cli_reply_free(struct cli_reply *reply)
{
	free(reply->body);
	free(reply->next);
	reply->body = NULL;
	reply->next = NULL;
	reply->len = 0;
}
