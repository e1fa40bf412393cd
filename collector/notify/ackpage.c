/*
 * ackpage.c — the page behind a one-tap acknowledgement link. It works
 * without a login: the signed token names one alert and the channel that
 * carried it (acklink.c). GET shows the alert with an Acknowledge button
 * (a plain form, no script); POST, with or without a body, acknowledges
 * through the alert engine (services.alert_ack), writes the audit trail
 * with the channel, and answers 303 back to the page. A tampered link gets
 * 403, an expired one 410. Every string is HTML-escaped.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collector/notify/notify.h"
#include "collector/auth/auth.h"
#include "common/util.h"

static void
esc(struct evbuffer *out, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&': evbuffer_add(out, "&amp;", 5); break;
		case '<': evbuffer_add(out, "&lt;", 4); break;
		case '>': evbuffer_add(out, "&gt;", 4); break;
		case '"': evbuffer_add(out, "&quot;", 6); break;
		case '\'': evbuffer_add(out, "&#39;", 5); break;
		default: evbuffer_add(out, s, 1);
		}
	}
}

static void
page_start(struct evbuffer *out, const char *title)
{
	evbuffer_add_printf(out, "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	esc(out, title);
	evbuffer_add_printf(out, "</title><style>body{font:16px/1.5 system-ui,sans-serif;"
	    "margin:0;padding:1rem;max-width:32rem}h1{font-size:1.25rem}dt{color:#555;"
	    "font-size:.85rem}dd{margin:0 0 .6rem}button{font-size:1.1rem;width:100%%;"
	    "padding:.9rem;border:0;border-radius:.5rem;background:#1565c0;color:#fff}"
	    ".ok{color:#1b5e20}.err{color:#b71c1c}</style></head><body>");
}

static void
page_send(struct evhttp_request *req, int code, struct evbuffer *out)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evbuffer_add_printf(out, "</body></html>\n");
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	evhttp_send_reply(req, code, NULL, out);
	evbuffer_free(out);
}

static void
page_error(struct evhttp_request *req, int code, const char *msg)
{
	struct evbuffer *out = evbuffer_new();
	page_start(out, "campusmon");
	evbuffer_add_printf(out, "<h1 class=\"err\">");
	esc(out, msg);
	evbuffer_add_printf(out, "</h1>");
	page_send(req, code, out);
}

/* Verify the link: 0 with id and channel, or the error page sent. */
static int
check(struct collector *c, struct evhttp_request *req, const char *token, int64_t *id,
    char *channel, size_t cap)
{
	const unsigned char *key = notify_ack_key(c);
	if (key == NULL) {
		page_error(req, 503, "Notifications are not running.");
		return -1;
	}
	int rc = acklink_verify(key, token, util_now(), id, channel, cap);
	if (rc == -2) {
		page_error(req, 410, "This acknowledgement link has expired. 此确认链接已过期。");
		return -1;
	}
	if (rc < 0) {
		page_error(req, 403, "This acknowledgement link is not valid. 此确认链接无效。");
		return -1;
	}
	return 0;
}

static void
row(struct evbuffer *out, const char *label, const char *value)
{
	evbuffer_add_printf(out, "<dt>");
	esc(out, label);
	evbuffer_add_printf(out, "</dt><dd>");
	esc(out, value && value[0] ? value : "-");
	evbuffer_add_printf(out, "</dd>");
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void
ackpage_get(struct collector *c, struct evhttp_request *req, const struct auth_identity *who,
    const char *const *params)
{
	int64_t id;
	char channel[128];
	(void)who;
	if (check(c, req, params[0], &id, channel, sizeof(channel)) < 0)
		return;
	json_t *alert = NULL;
	if (id != 0) {
		const struct services *sv = &c->services;
		if (sv->alert_get == NULL) {
			page_error(req, 503, "no alert engine");
			return;
		}
		if ((alert = sv->alert_get(sv->alert_arg, id)) == NULL) {
			page_error(req, 404, "No such alert (it may have been removed). 告警不存在。");
			return;
		}
	}
	struct evbuffer *out = evbuffer_new();
	page_start(out, "campusmon alert");
	if (id == 0) {
		evbuffer_add_printf(out, "<h1>Test message 测试消息</h1>");
		row(out, "Channel 渠道", channel);
	} else {
		char value[64] = "-", started[32] = "-", idtext[24];
		const json_t *v = json_object_get(alert, "value");
		if (json_is_number(v) && isfinite(json_number_value(v)))
			snprintf(value, sizeof(value), "%g", json_number_value(v));
		time_t t = (time_t)json_number_value(json_object_get(alert, "started"));
		struct tm tm;
		if (t > 0 && localtime_r(&t, &tm) != NULL)
			strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(idtext, sizeof(idtext), "%" PRId64, id);
		evbuffer_add_printf(out, "<h1>");
		esc(out, str(alert, "device"));
		evbuffer_add_printf(out, " — ");
		esc(out, str(alert, "rule"));
		evbuffer_add_printf(out, "</h1><dl>");
		row(out, "Alert 告警", idtext);
		row(out, "Severity 级别", str(alert, "severity"));
		row(out, "State 状态", str(alert, "state"));
		row(out, "Subject 对象", str(alert, "subject"));
		row(out, "Value 数值", value);
		row(out, "Since 开始", started);
		row(out, "Acknowledged by 确认人", str(alert, "acknowledged_by"));
		row(out, "Channel 渠道", channel);
		evbuffer_add_printf(out, "</dl>");
	}
	const char *state = str(alert, "state");
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *q = evhttp_uri_get_query(u);
	if (q != NULL && strcmp(q, "done=1") == 0)
		evbuffer_add_printf(out, "<p class=\"ok\" id=\"done\">Acknowledged. 已确认。</p>");
	else if (id == 0 || (state != NULL && (strcmp(state, "firing") == 0 ||
	    strcmp(state, "suppressed") == 0)))
		evbuffer_add_printf(out, "<form method=\"post\"><button type=\"submit\" "
		    "id=\"ack\">Acknowledge 确认</button></form>");
	else
		evbuffer_add_printf(out, "<p id=\"done\">Nothing to acknowledge. 无需确认。</p>");
	json_decref(alert);
	page_send(req, 200, out);
}

void
ackpage_post(struct collector *c, struct evhttp_request *req, const struct auth_identity *who,
    const char *const *params)
{
	int64_t id;
	char channel[128], addr[64], via[160], target[32];
	(void)who;
	if (check(c, req, params[0], &id, channel, sizeof(channel)) < 0)
		return;
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	snprintf(via, sizeof(via), "ack-link:%s", channel);
	snprintf(target, sizeof(target), "alert %" PRId64, id);
	if (id != 0) {
		const struct services *sv = &c->services;
		if (sv->alert_ack == NULL) {
			page_error(req, 503, "no alert engine");
			return;
		}
		if (sv->alert_ack(sv->alert_arg, id, via, NULL, via) < 0) {
			audit_record(c, via, addr, "alert.ack", target, 0, "no such open alert");
			page_error(req, 409, "This alert is not open any more. 告警已关闭或已确认。");
			return;
		}
	}
	audit_record(c, via, addr, id ? "alert.ack" : "channel.test-ack", target, 1,
	    "one-tap link carried by channel %s", channel);
	char loc[HTTP_PARAM_MAX + 32];
	snprintf(loc, sizeof(loc), "/ack/%s?done=1", params[0]);
	struct evbuffer *out = evbuffer_new();
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
	page_start(out, "campusmon");
	evbuffer_add_printf(out, "<p class=\"ok\" id=\"done\">Acknowledged. 已确认。</p>");
	page_send(req, 303, out);
}
