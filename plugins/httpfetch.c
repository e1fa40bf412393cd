/* httpfetch.c — one blocking GET with libcurl (see httpfetch.h). */
#include "plugins/httpfetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hfetch {
	CURL *curl;
};

struct hfetch *
hfetch_new(void)
{
	struct hfetch *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	/* On the main thread (configure): counted, so the agent's own init stays valid. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(h);
		return NULL;
	}
	if ((h->curl = curl_easy_init()) == NULL) {
		curl_global_cleanup();
		free(h);
		return NULL;
	}
	return h;
}

void
hfetch_free(struct hfetch *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	curl_global_cleanup();
	free(h);
}

void
hfetch_result_free(struct hfetch_result *r)
{
	free(r->body);
	r->body = NULL;
}

struct sink {
	struct hfetch_result *r;
	size_t cap, max;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n, keep = len;
	struct hfetch_result *r = s->r;

	if (r->body_len + keep > s->max) {
		keep = s->max - r->body_len;
		r->truncated = 1;
	}
	if (keep > 0) {
		if (r->body_len + keep + 1 > s->cap) {
			size_t nc = s->cap ? s->cap : 4096;
			while (nc < r->body_len + keep + 1)
				nc *= 2;
			char *nb = realloc(r->body, nc);
			if (nb == NULL)
				return 0;
			r->body = nb;
			s->cap = nc;
		}
		memcpy(r->body + r->body_len, p, keep);
		r->body_len += keep;
		r->body[r->body_len] = '\0';
	}
	return len;	/* the rest is read and dropped: the server is never stalled */
}

long long
hfetch_cert_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%b %d %H:%M:%S %Y", &tm);
	if (end == NULL)
		return -1;
	return (long long)timegm(&tm);
}

static void
certinfo(CURL *c, struct hfetch_result *r)
{
	struct curl_certinfo *ci = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) != CURLE_OK || ci == NULL ||
	    ci->num_of_certs < 1)
		return;
	for (struct curl_slist *l = ci->certinfo[0]; l != NULL; l = l->next) {
		const char *d = l->data;
		if (strncmp(d, "Start date:", 11) == 0)
			r->cert_not_before = hfetch_cert_time(d + 11);
		else if (strncmp(d, "Expire date:", 12) == 0)
			r->cert_not_after = hfetch_cert_time(d + 12);
		else if (strncmp(d, "Subject:", 8) == 0)
			snprintf(r->cert_subject, sizeof(r->cert_subject), "%s", d + 8 + (d[8] == ' '));
		else if (strncmp(d, "Issuer:", 7) == 0)
			snprintf(r->cert_issuer, sizeof(r->cert_issuer), "%s", d + 7 + (d[7] == ' '));
	}
	r->has_cert = r->cert_not_after > 0;
}

static double
ms_of(CURL *c, CURLINFO what)
{
	curl_off_t us = 0;
	if (curl_easy_getinfo(c, what, &us) != CURLE_OK)
		return 0;
	return (double)us / 1000.0;
}

static void
timings(CURL *c, struct hfetch_result *r)
{
	double dns = ms_of(c, CURLINFO_NAMELOOKUP_TIME_T);
	double conn = ms_of(c, CURLINFO_CONNECT_TIME_T);
	double app = ms_of(c, CURLINFO_APPCONNECT_TIME_T);
	double first = ms_of(c, CURLINFO_STARTTRANSFER_TIME_T);
	r->total_ms = ms_of(c, CURLINFO_TOTAL_TIME_T);
	r->dns_ms = dns;
	r->connect_ms = conn > dns ? conn - dns : 0;
	r->tls_ms = app > conn ? app - conn : 0;
	double ready = app > conn ? app : conn;
	r->first_byte_ms = first > ready ? first - ready : 0;
	long v = 0;
	curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &v);
	r->http_version = v == CURL_HTTP_VERSION_1_0 ? 10 : v == CURL_HTTP_VERSION_1_1 ? 11 :
	    v == CURL_HTTP_VERSION_2_0 ? 20 : v == CURL_HTTP_VERSION_3 ? 30 : 0;
	curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &r->redirects);
}

int
hfetch_get(struct hfetch *h, const struct hfetch_opts *o, struct hfetch_result *r)
{
	CURL *c = h->curl;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = { r, 0, o->max_body };

	memset(r, 0, sizeof(*r));
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* worker thread: no SIGALRM */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "campusmon-agent");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (o->follow) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	}
	if (o->user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, o->password != NULL ? o->password : "");
	}
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->client_cert != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, o->client_cert);
	if (o->client_key != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, o->client_key);
	if (o->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->certinfo) {
		/* Certificate dates come with a new handshake only. */
		curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	}

	CURLcode rc = curl_easy_perform(c);
	timings(c, r);
	if (o->certinfo)
		certinfo(c, r);
	r->curl_code = (int)rc;
	if (rc != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
		r->tls_verify_failed = rc == CURLE_PEER_FAILED_VERIFICATION;
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	r->ok = 1;
	return 0;
}
