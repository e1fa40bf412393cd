/*
 * sms.c — an SMS gateway over HTTP, described by templates: {number} (the
 * `to` numbers joined with commas) and {text} are filled into the url
 * (percent-encoded) and, when set, the template body (JSON-escaped if it
 * looks like JSON, else form-encoded), which is then POSTed.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"
#include "collector/notify/request.h"

/* The inside of a JSON string literal for s (heap). */
static char *
json_inner(const char *s)
{
	json_t *j = nreq_text(s);
	char *q = j != NULL ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (q == NULL)
		return NULL;
	size_t n = strlen(q);
	memmove(q, q + 1, n - 2);
	q[n - 2] = '\0';
	return q;
}

/* tmpl with {number} and {text} replaced by their escaped forms (heap). */
static char *
fill(const char *tmpl, const char *number, const char *text, char *(*esc)(const char *))
{
	char *en = esc(number), *et = esc(text), *out = NULL;
	size_t len = 0;
	FILE *f = en && et ? open_memstream(&out, &len) : NULL;
	for (const char *p = tmpl; f != NULL && *p;) {
		if (strncmp(p, "{number}", 8) == 0) {
			fputs(en, f);
			p += 8;
		} else if (strncmp(p, "{text}", 6) == 0) {
			fputs(et, f);
			p += 6;
		} else {
			fputc(*p++, f);
		}
	}
	if (f != NULL)
		fclose(f);
	free(en);
	free(et);
	return out;
}

int
sms_build(const struct nchannel *ch, const struct ntext *t, struct nreq *r, char *err,
    size_t errlen)
{
	char numbers[1024] = "";
	for (size_t i = 0; i < ch->n_to; i++) {
		size_t at = strlen(numbers);
		snprintf(numbers + at, sizeof(numbers) - at, "%s%s", i ? "," : "", ch->to[i]);
	}
	/* a short message: the title and the link carry what matters */
	char text[700];
	const char *link = strstr(t->body, "http");
	snprintf(text, sizeof(text), "%s%s%.*s", t->title, link ? " " : "",
	    link ? (int)strcspn(link, "\n") : 0, link ? link : "");
	r->url = fill(ch->url, numbers, text, nurl_escape);
	if (ch->template != NULL) {
		int is_json = ch->template[strspn(ch->template, " \t\r\n")] == '{';
		r->body = fill(ch->template, numbers, text, is_json ? json_inner : nurl_escape);
		r->body_len = r->body ? strlen(r->body) : 0;
		r->headers = curl_slist_append(r->headers, is_json ?
		    "Content-Type: application/json; charset=utf-8" :
		    "Content-Type: application/x-www-form-urlencoded");
		if (r->body == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (r->url == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
