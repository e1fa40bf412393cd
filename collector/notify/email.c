/*
 * email.c — a message for SMTP through libcurl (curlev.c sets the SMTP
 * options: STARTTLS when offered, or required with `tls: required`, the
 * login). UTF-8 text, base64 body, an RFC 2047 subject. `from` defaults to
 * campusmon@<host name>.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/notify/notify.h"

static char *
b64(const char *s, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(cap);
	if (out != NULL)
		sodium_bin2base64(out, cap, (const unsigned char *)s, len,
		    sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int
email_build(const struct nchannel *ch, const struct ntext *t, double now, struct nreq *r,
    char *err, size_t errlen)
{
	char from[320], host[256] = "localhost";
	if (ch->from != NULL) {
		snprintf(from, sizeof(from), "%s", ch->from);
	} else {
		gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		snprintf(from, sizeof(from), "campusmon@%s", host);
	}
	char date[64];
	time_t tt = (time_t)now;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);

	char *subj = b64(t->title, strlen(t->title)), *body = b64(t->body, strlen(t->body));
	char *to = NULL;
	size_t tolen = 0;
	FILE *f = open_memstream(&to, &tolen);
	for (size_t i = 0; f != NULL && i < ch->n_to; i++)
		fprintf(f, "%s<%s>", i ? ", " : "", ch->to[i]);
	if (f != NULL)
		fclose(f);
	unsigned char rnd[12];
	randombytes_buf(rnd, sizeof(rnd));
	char mid[25];
	sodium_bin2hex(mid, sizeof(mid), rnd, sizeof(rnd));
	int n = -1;
	if (subj != NULL && body != NULL && to != NULL) {
		/* base64 lines of 76 characters, as RFC 2045 asks */
		char *wrapped = malloc(strlen(body) + strlen(body) / 76 * 2 + 3), *w = wrapped;
		for (size_t i = 0, len = strlen(body); wrapped != NULL && i < len; i += 76) {
			size_t k = len - i < 76 ? len - i : 76;
			memcpy(w, body + i, k);
			w += k;
			*w++ = '\r';
			*w++ = '\n';
		}
		if (wrapped != NULL) {
			*w = '\0';
			n = asprintf(&r->body, "Date: %s\r\nFrom: <%s>\r\nTo: %s\r\n"
			    "Subject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s@campusmon>\r\n"
			    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			    "Content-Transfer-Encoding: base64\r\n\r\n%s", date, from, to, subj,
			    mid, wrapped);
			free(wrapped);
		}
	}
	free(subj);
	free(body);
	free(to);
	if (n < 0) {
		r->body = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->body_len = (size_t)n;
	r->url = strdup(ch->url);
	char angle[330];
	snprintf(angle, sizeof(angle), "<%s>", from);
	r->mail_from = strdup(angle);
	for (size_t i = 0; i < ch->n_to; i++) {
		snprintf(angle, sizeof(angle), "<%s>", ch->to[i]);
		r->rcpt = curl_slist_append(r->rcpt, angle);
	}
	return 0;
}
