/*
 * webhook.c — the generic webhook: the DESIGN §9 JSON body as is, signed
 * with X-Campusmon-Signature: sha256=<hex HMAC of the body> when the
 * channel has a secret.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"

int
webhook_build(const struct nchannel *ch, const char *payload, struct nreq *r, char *err,
    size_t errlen)
{
	r->url = strdup(ch->url);
	r->body = strdup(payload);
	if (r->url == NULL || r->body == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->body_len = strlen(payload);
	r->headers = curl_slist_append(r->headers, "Content-Type: application/json; charset=utf-8");
	if (ch->secret != NULL) {
		char hex[65], line[128];
		nsign_hex(ch->secret, r->body, r->body_len, hex);
		snprintf(line, sizeof(line), "X-Campusmon-Signature: sha256=%s", hex);
		r->headers = curl_slist_append(r->headers, line);
	}
	return 0;
}
