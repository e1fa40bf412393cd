/*
 * message.c — the short message people read, in Chinese or English: the
 * device, what happened, the value, the root cause, the count affected and
 * the acknowledgement link. Plain text and Markdown from one set of lines.
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "collector/notify/notify.h"

struct words {
	const char *firing, *resolved, *acknowledged, *escalated, *test;
	const char *critical, *warning, *info;
	const char *device, *what, *value, *cause, *none, *affected, *ack, *alerts, *more;
};
static const struct words zh = {
	"告警", "恢复", "已确认", "升级(无人确认)", "测试消息",
	"严重", "警告", "提示",
	"设备", "事件", "数值", "根因", "无", "受影响", "一键确认", "条告警", "另有",
};
static const struct words en = {
	"FIRING", "RESOLVED", "ACKNOWLEDGED", "ESCALATED (not acknowledged)", "TEST",
	"critical", "warning", "info",
	"Device", "What", "Value", "Root cause", "none", "Affected", "Acknowledge", "alerts",
	"and",
};

static const char *
str(const json_t *o, const char *k, const char *def)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL && s[0] != '\0' ? s : def;
}

static const char *
event_word(const struct words *w, const char *ev)
{
	if (strcmp(ev, "resolved") == 0)
		return w->resolved;
	if (strcmp(ev, "acknowledged") == 0)
		return w->acknowledged;
	if (strcmp(ev, "escalated") == 0)
		return w->escalated;
	if (strcmp(ev, "test") == 0)
		return w->test;
	return w->firing;
}

static const char *
severity_word(const struct words *w, const char *sev)
{
	if (strcmp(sev, "critical") == 0)
		return w->critical;
	if (strcmp(sev, "warning") == 0)
		return w->warning;
	return w->info;
}

static void
value_text(const json_t *alert, char *buf, size_t cap)
{
	const json_t *v = json_object_get(alert, "value");
	if (json_is_number(v) && isfinite(json_number_value(v)))
		snprintf(buf, cap, "%g", json_number_value(v));
	else if (json_is_string(v))
		snprintf(buf, cap, "%s", json_string_value(v));
	else
		snprintf(buf, cap, "-");
}

/* Append "fmt" to a fixed buffer, cut at its end. */
static void
add(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	if (len + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

void
ntext_make(const json_t *payload, int use_zh, struct ntext *out)
{
	const struct words *w = use_zh ? &zh : &en;
	const json_t *alert = json_object_get(payload, "alert");
	const json_t *root = json_object_get(payload, "root_cause");
	const char *ev = str(payload, "event", "firing");
	const char *device = str(alert, "device", "-");
	const char *rule = str(alert, "rule", "-");
	const char *subject = str(alert, "subject", "");
	char value[64];
	value_text(alert, value, sizeof(value));
	memset(out, 0, sizeof(*out));
	snprintf(out->title, sizeof(out->title), "[%s][%s] %s %s%s%s", event_word(w, ev),
	    severity_word(w, str(alert, "severity", "info")), device, rule,
	    subject[0] ? " " : "", subject);
	char cause[256];
	if (json_is_object(root))
		snprintf(cause, sizeof(cause), "%s %s", str(root, "device", "-"),
		    str(root, "rule", ""));
	else
		snprintf(cause, sizeof(cause), "%s", w->none);
	long long affected = json_integer_value(json_object_get(payload, "affected"));
	const char *ack = str(payload, "ack_url", NULL);
	const char *msg = str(alert, "message", NULL);

	const char *labels[] = { w->device, w->what, w->value, w->cause, w->affected };
	char vals[5][320];
	snprintf(vals[0], sizeof(vals[0]), "%s%s%s", device, subject[0] ? " " : "", subject);
	snprintf(vals[1], sizeof(vals[1]), "%s %s%s%s", event_word(w, ev), rule, msg ? " — " : "",
	    msg ? msg : "");
	snprintf(vals[2], sizeof(vals[2]), "%s", value);
	snprintf(vals[3], sizeof(vals[3]), "%s", cause);
	snprintf(vals[4], sizeof(vals[4]), "%lld", affected);
	add(out->body, sizeof(out->body), "%s\n", out->title);
	add(out->markdown, sizeof(out->markdown), "**%s**\n", out->title);
	for (size_t i = 0; i < 5; i++) {
		add(out->body, sizeof(out->body), "%s: %s\n", labels[i], vals[i]);
		add(out->markdown, sizeof(out->markdown), "> %s: %s\n", labels[i], vals[i]);
	}
	if (ack != NULL) {
		add(out->body, sizeof(out->body), "%s: %s\n", w->ack, ack);
		add(out->markdown, sizeof(out->markdown), "\n[%s](%s)\n", w->ack, ack);
	}
}

void
ntext_group(const json_t *payloads, int use_zh, struct ntext *out)
{
	const struct words *w = use_zh ? &zh : &en;
	size_t n = json_array_size(payloads), shown = n < 10 ? n : 10;
	memset(out, 0, sizeof(*out));
	snprintf(out->title, sizeof(out->title), "[campusmon] %zu %s", n, w->alerts);
	add(out->body, sizeof(out->body), "%s\n", out->title);
	add(out->markdown, sizeof(out->markdown), "**%s**\n", out->title);
	for (size_t i = 0; i < shown; i++) {
		const json_t *p = json_array_get(payloads, i);
		const json_t *alert = json_object_get(p, "alert");
		const json_t *root = json_object_get(p, "root_cause");
		char value[64];
		value_text(alert, value, sizeof(value));
		char line[600];
		snprintf(line, sizeof(line), "%s %s %s %s=%s %s:%s %s:%lld",
		    event_word(w, str(p, "event", "firing")),
		    severity_word(w, str(alert, "severity", "info")), str(alert, "device", "-"),
		    str(alert, "rule", "-"), value, w->cause,
		    json_is_object(root) ? str(root, "device", "-") : w->none, w->affected,
		    json_integer_value(json_object_get(p, "affected")));
		add(out->body, sizeof(out->body), "- %s\n", line);
		add(out->markdown, sizeof(out->markdown), "- %s\n", line);
		const char *ack = str(p, "ack_url", NULL);
		if (ack != NULL) {
			add(out->body, sizeof(out->body), "  %s: %s\n", w->ack, ack);
			add(out->markdown, sizeof(out->markdown), "  [%s](%s)\n", w->ack, ack);
		}
	}
	if (n > shown) {
		add(out->body, sizeof(out->body), "%s %zu %s\n", w->more, n - shown, w->alerts);
		add(out->markdown, sizeof(out->markdown), "%s %zu %s\n", w->more, n - shown,
		    w->alerts);
	}
}
