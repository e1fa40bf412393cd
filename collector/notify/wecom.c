/*
 * wecom.c — a WeCom (企业微信) group robot: POST to its webhook URL (the key
 * is in the URL) {"msgtype": "markdown"|"text", …}; it answers 200 with
 * {"errcode": 0} when it took the message.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collector/notify/notify.h"
#include "collector/notify/request.h"

int
wecom_build(const struct nchannel *ch, const struct ntext *t, struct nreq *r, char *err,
    size_t errlen)
{
	int md = strcmp(ch->msgtype, "text") != 0;
	r->url = strdup(ch->url);
	r->robot = 1;
	json_t *body = json_pack("{s:s, s:{s:o}}", "msgtype", md ? "markdown" : "text",
	    md ? "markdown" : "text", "content", nreq_text(md ? t->markdown : t->body));
	return nreq_json(r, body, err, errlen);
}
