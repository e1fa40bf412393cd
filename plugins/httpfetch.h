/*
 * httpfetch.h — the one HTTP(S) GET the nginx, apache, tomcat and http
 * plugins share (libcurl easy handle per instance, blocking, on a plugin
 * worker, bounded by the read's deadline).
 */
#ifndef CAMPUSMON_HTTPFETCH_H
#define CAMPUSMON_HTTPFETCH_H

#include <stddef.h>

struct hfetch_opts {
	const char *url;
	const char *user, *password;	/* basic auth when user is set */
	const char *ca_file;
	const char *client_cert, *client_key;
	int insecure;			/* skip peer and host verification */
	int follow;			/* follow redirects (at most 10) */
	int certinfo;			/* collect the peer's certificate dates */
	size_t max_body;		/* keep at most this much; the rest is read and dropped */
	long timeout_ms;
};

struct hfetch_result {
	int ok;				/* a response came back (any status) */
	int curl_code;			/* CURLcode; 0 when ok */
	int tls_verify_failed;		/* the request failed on certificate checks */
	char error[256];		/* libcurl's message when !ok */
	long status;
	long http_version;		/* 10, 11, 20, 30 */
	long redirects;
	double dns_ms, connect_ms, tls_ms, first_byte_ms, total_ms;	/* phase lengths */
	char *body;			/* NUL-terminated, owned; may be truncated */
	size_t body_len;
	int truncated;
	/* the leaf certificate (certinfo, https only) */
	int has_cert;
	long long cert_not_before, cert_not_after;	/* Unix s */
	char cert_subject[256], cert_issuer[256];
};

struct hfetch;	/* one per instance: the curl handle keeps its connection */
struct hfetch *hfetch_new(void);
int hfetch_get(struct hfetch *h, const struct hfetch_opts *o, struct hfetch_result *r);
void hfetch_result_free(struct hfetch_result *r);
void hfetch_free(struct hfetch *h);
/* "Jan  2 03:04:05 2027 GMT" (OpenSSL's date text) → Unix s; -1 if not one. */
long long hfetch_cert_time(const char *s);

#endif
