/*
 * request.c — what the channel files share: a request's memory, and a JSON
 * body set with its Content-Type.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"
#include "collector/notify/request.h"

void
nreq_clear(struct nreq *r)
{
	free(r->url);
	curl_slist_free_all(r->headers);
	free(r->body);
	free(r->mail_from);
	curl_slist_free_all(r->rcpt);
	memset(r, 0, sizeof(*r));
}

int
nreq_json(struct nreq *r, json_t *body, char *err, size_t errlen)
{
	r->body = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (r->body == NULL) {
		snprintf(err, errlen, "cannot build the message (out of memory)");
		return -1;
	}
	r->body_len = strlen(r->body);
	r->headers = curl_slist_append(r->headers, "Content-Type: application/json; charset=utf-8");
	return 0;
}

json_t *
nreq_text(const char *s)
{
	return json_string_safe(s, strlen(s));
}
