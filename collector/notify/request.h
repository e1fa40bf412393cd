/*
 * request.h — helpers the channel files (webhook.c … sms.c) share.
 */
#ifndef CAMPUSMON_NOTIFY_REQUEST_H
#define CAMPUSMON_NOTIFY_REQUEST_H

#include <jansson.h>
#include <stdio.h>

struct nreq;
/* Body = compact body (reference taken) with a JSON Content-Type. */
int nreq_json(struct nreq *r, json_t *body, char *err, size_t errlen);
/* A JSON string from message text (a cut multi-byte character becomes U+FFFD). */
json_t *nreq_text(const char *s);

#endif
