/*
 * dingtalk.c — a DingTalk (钉钉) group robot. With a secret ("加签"), the
 * URL carries timestamp (ms) and sign = urlencode(base64(HMAC-SHA256 of
 * "timestamp\nsecret" keyed by the secret)); DingTalk refuses a timestamp
 * more than an hour old, so it is made at each attempt. Answers errcode 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"
#include "collector/notify/request.h"

int
dingtalk_build(const struct nchannel *ch, const struct ntext *t, long long now_ms,
    struct nreq *r, char *err, size_t errlen)
{
	r->robot = 1;
	if (ch->secret == NULL) {
		r->url = strdup(ch->url);
	} else {
		char tosign[4200], b64[64];
		int n = snprintf(tosign, sizeof(tosign), "%lld\n%s", now_ms, ch->secret);
		nsign_b64(ch->secret, strlen(ch->secret), tosign, (size_t)n, b64, sizeof(b64));
		char *sign = nurl_escape(b64);
		if (sign == NULL || asprintf(&r->url, "%s%ctimestamp=%lld&sign=%s", ch->url,
		    strchr(ch->url, '?') ? '&' : '?', now_ms, sign) < 0)
			r->url = NULL;
		free(sign);
		explicit_bzero(tosign, sizeof(tosign));
	}
	if (r->url == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_t *body = json_pack("{s:s, s:{s:o, s:o}}", "msgtype", "markdown", "markdown",
	    "title", nreq_text(t->title), "text", nreq_text(t->markdown));
	return nreq_json(r, body, err, errlen);
}
