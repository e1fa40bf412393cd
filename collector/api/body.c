/*
 * body.c — a request's JSON body: bounded, an object, or a clear 400/413.
 * The secret variant wipes the raw bytes once parsed (logins and password
 * changes), so a password is not left in the connection's buffer.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/api/api.h"

#define MAX_JSON_BODY (64 * 1024)

static json_t *
read_body(struct evhttp_request *req, int wipe)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	if (len > MAX_JSON_BODY) {
		http_reply_error(req, 413, "JSON body larger than %d bytes", MAX_JSON_BODY);
		return NULL;
	}
	json_error_t jerr;
	unsigned char *data = evbuffer_pullup(in, -1);
	json_t *j = json_loadb((const char *)data, len, 0, &jerr);
	if (wipe && data != NULL)
		sodium_memzero(data, len);
	if (j == NULL || !json_is_object(j)) {
		http_reply_error(req, 400, "body must be a JSON object%s%s", j ? "" : ": ",
		    j ? "" : jerr.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *
api_json_body(struct evhttp_request *req)
{
	return read_body(req, 0);
}

json_t *
api_json_body_secret(struct evhttp_request *req)
{
	return read_body(req, 1);
}
