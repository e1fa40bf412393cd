/*
 * feishu.c — a Feishu (飞书) custom bot. With a secret ("签名校验"), the body
 * carries timestamp (seconds, as a string) and sign = base64(HMAC-SHA256
 * keyed by "timestamp\nsecret" over an empty message). Answers code 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"
#include "collector/notify/request.h"

int
feishu_build(const struct nchannel *ch, const struct ntext *t, long long now_s, struct nreq *r,
    char *err, size_t errlen)
{
	r->robot = 1;
	r->url = strdup(ch->url);
	json_t *body = json_pack("{s:s, s:{s:o}}", "msg_type", "text", "content", "text",
	    nreq_text(t->body));
	if (body != NULL && ch->secret != NULL) {
		char key[4200], ts[24], b64[64];
		snprintf(ts, sizeof(ts), "%lld", now_s);
		int n = snprintf(key, sizeof(key), "%s\n%s", ts, ch->secret);
		nsign_b64(key, (size_t)n, "", 0, b64, sizeof(b64));
		explicit_bzero(key, sizeof(key));
		json_object_set_new(body, "timestamp", json_string(ts));
		json_object_set_new(body, "sign", json_string(b64));
	}
	return nreq_json(r, body, err, errlen);
}
