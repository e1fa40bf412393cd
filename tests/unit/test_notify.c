/*
 * test_notify.c — notify/: channel and route configuration (every mistake
 * reported), the signatures receivers check (values computed independently
 * with Python's hmac), the message text, and acknowledgement tokens.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "collector/notify/notify.h"

static struct cfg_node *
yaml(const char *text)
{
	char err[256];
	struct cfg_node *n = cfg_node_parse(text, strlen(text), err, sizeof(err));
	cr_assert_not_null(n, "%s", err);
	return n;
}

static int
parse_channels(const char *text, struct nchannels *chs, struct cfg_errors *errs)
{
	struct cfg_node *root = yaml(text);
	int rc = nchannels_parse(cfg_node_get(root, "channels"), NULL, chs, errs);
	cfg_node_free(root);
	return rc;
}

static int
has_error(const struct cfg_errors *errs, const char *part)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], part) != NULL)
			return 1;
	return 0;
}

Test(notify_config, good_channels)
{
	struct nchannels chs;
	struct cfg_errors errs = { 0 };
	int rc = parse_channels("channels:\n"
	    "  - {name: ops, type: wecom, url: 'http://127.0.0.1:1/x?key=1', language: en}\n"
	    "  - {name: mail, type: email, url: 'smtp://127.0.0.1:25', to: [a@b.cn, c@d.cn]}\n"
	    "  - {name: sms, type: sms, url: 'http://gw/send?to={number}&msg={text}', to: '138'}\n",
	    &chs, &errs);
	cr_assert_eq(rc, 0, "%s", errs.n ? errs.msgs[0] : "");
	cr_assert_eq(chs.n, 3);
	cr_assert_eq(chs.v[0].type, NCH_WECOM);
	cr_assert_eq(chs.v[0].zh, 0);
	cr_assert_eq(chs.v[1].n_to, 2);
	cr_assert_eq(chs.v[2].zh, 1);
	cr_assert_not_null(nchannels_find(&chs, "mail"));
	nchannels_free(&chs);
}

/* Every mistake at once, each named. */
Test(notify_config, bad_channels_all_reported)
{
	struct nchannels chs;
	struct cfg_errors errs = { 0 };
	int rc = parse_channels("channels:\n"
	    "  - {name: a, type: pager, url: 'http://x'}\n"
	    "  - {name: a, type: webhook, url: 'ftp://x', colour: red}\n"
	    "  - {name: m, type: email, url: 'http://x'}\n"
	    "  - {name: s, type: sms, url: 'http://x', to: ['1']}\n"
	    "  - {name: 'b a d', type: wecom, url: 'http://x', language: fr}\n"
	    "  - {name: f, type: webhook, url: 'http://x', secret_file: /nonexistent/x}\n",
	    &chs, &errs);
	cr_assert_eq(rc, -1);
	cr_assert(has_error(&errs, "type must be one of"));
	cr_assert(has_error(&errs, "two channels are named 'a'"));
	cr_assert(has_error(&errs, "must start with http://"));
	cr_assert(has_error(&errs, "unknown key 'colour'"));
	cr_assert(has_error(&errs, "smtp://HOST"));
	cr_assert(has_error(&errs, "needs 'to'"));
	cr_assert(has_error(&errs, "{text}"));
	cr_assert(has_error(&errs, "needs a name"));
	cr_assert(has_error(&errs, "language is zh or en"));
	cr_assert(has_error(&errs, "/nonexistent/x"));
	cfg_errors_clear(&errs);
	nchannels_free(&chs);
}

Test(notify_config, routes)
{
	struct nchannels chs;
	struct nroutes rs;
	struct cfg_errors errs = { 0 };
	struct cfg_node *root = yaml("channels:\n"
	    "  - {name: a, type: webhook, url: 'http://x'}\n"
	    "  - {name: b, type: webhook, url: 'http://y'}\n"
	    "routes:\n"
	    "  - match: {severity: critical, device: [core1, core2]}\n"
	    "    channels: [a]\n"
	    "    escalate_after: 30m\n"
	    "    escalate_to: [b]\n"
	    "  - {match: {rule: disk}, channels: [b], quiet_hours: '22:00-07:00'}\n");
	cr_assert_eq(nchannels_parse(cfg_node_get(root, "channels"), NULL, &chs, &errs), 0);
	cr_assert_eq(nroutes_parse(cfg_node_get(root, "routes"), &chs, &rs, &errs), 0,
	    "%s", errs.n ? errs.msgs[0] : "");
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.v[0].escalate_after, 1800);
	json_t *crit = json_pack("{s:s, s:s, s:s}", "severity", "critical", "device", "core2",
	    "rule", "disk");
	json_t *warn = json_pack("{s:s, s:s, s:s}", "severity", "warning", "device", "core2",
	    "rule", "disk");
	cr_assert(nroute_matches(&rs.v[0], crit, 600));
	cr_assert_not(nroute_matches(&rs.v[0], warn, 600));
	cr_assert(nroute_matches(&rs.v[1], warn, 12 * 60));
	cr_assert_not(nroute_matches(&rs.v[1], warn, 23 * 60), "quiet at 23:00");
	cr_assert_not(nroute_matches(&rs.v[1], warn, 3 * 60), "quiet at 03:00");
	json_decref(crit);
	json_decref(warn);
	nroutes_free(&rs);
	cfg_node_free(root);

	root = yaml("routes:\n"
	    "  - {channels: [nope], escalate_after: 5m, match: {colour: red}}\n"
	    "  - {channels: [a], quiet_hours: 'late'}\n");
	cr_assert_eq(nroutes_parse(cfg_node_get(root, "routes"), &chs, &rs, &errs), -1);
	cr_assert(has_error(&errs, "'nope'"));
	cr_assert(has_error(&errs, "escalate_after and escalate_to go together"));
	cr_assert(has_error(&errs, "not 'colour'"));
	cr_assert(has_error(&errs, "quiet_hours"));
	cfg_errors_clear(&errs);
	nroutes_free(&rs);
	cfg_node_free(root);
	nchannels_free(&chs);
}

static struct nchannel
channel(enum nch_type type, const char *secret)
{
	struct nchannel ch = { .name = "t", .type = type, .url = "http://127.0.0.1/robot",
		.secret = (char *)secret, .msgtype = "markdown", .zh = 1 };
	return ch;
}

static const char *
header(const struct nreq *r, const char *name)
{
	for (const struct curl_slist *h = r->headers; h != NULL; h = h->next)
		if (strncasecmp(h->data, name, strlen(name)) == 0)
			return h->data + strlen(name) + 2;
	return NULL;
}

Test(notify_sign, webhook_signature)
{
	struct nchannel ch = channel(NCH_WEBHOOK, "k");
	struct nreq r = { 0 };
	char err[128];
	cr_assert_eq(webhook_build(&ch, "{\"a\":1}", &r, err, sizeof(err)), 0);
	cr_assert_str_eq(header(&r, "X-Campusmon-Signature"),
	    "sha256=c3a92ff9e274cdcce27a58c15a78ec6dcbbdbd0038a87e7a11baef2028fd8bff");
	nreq_clear(&r);
	ch.secret = NULL;
	cr_assert_eq(webhook_build(&ch, "{}", &r, err, sizeof(err)), 0);
	cr_assert_null(header(&r, "X-Campusmon-Signature"));
	nreq_clear(&r);
}

Test(notify_sign, dingtalk_and_feishu)
{
	struct nchannel ch = channel(NCH_DINGTALK, "SECabc");
	struct ntext t;
	json_t *p = json_pack("{s:s, s:{s:s, s:s, s:s}, s:n, s:i}", "event", "firing", "alert",
	    "device", "core1", "rule", "device-down", "severity", "critical", "root_cause",
	    "affected", 3);
	ntext_make(p, 1, &t);
	struct nreq r = { 0 };
	char err[128];
	cr_assert_eq(dingtalk_build(&ch, &t, 1700000000000LL, &r, err, sizeof(err)), 0);
	cr_assert_str_eq(r.url, "http://127.0.0.1/robot?timestamp=1700000000000&sign="
	    "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D");
	json_t *body = json_loads(r.body, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(body, "msgtype")), "markdown");
	json_decref(body);
	nreq_clear(&r);

	ch = channel(NCH_FEISHU, "SECabc");
	cr_assert_eq(feishu_build(&ch, &t, 1700000000LL, &r, err, sizeof(err)), 0);
	body = json_loads(r.body, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(body, "timestamp")), "1700000000");
	cr_assert_str_eq(json_string_value(json_object_get(body, "sign")),
	    "XprR1de+0SSBnwWyU/4k6x2TL+Q2SJlM5NNEdAv7MWg=");
	cr_assert_str_eq(json_string_value(json_object_get(body, "msg_type")), "text");
	json_decref(body);
	nreq_clear(&r);
	json_decref(p);
}

Test(notify_text, names_what_matters)
{
	json_t *p = json_pack("{s:s, s:{s:I, s:s, s:s, s:s, s:f, s:s}, s:{s:s, s:s}, s:i, s:s}",
	    "event", "firing", "alert", "id", (json_int_t)7, "device", "dist-3", "rule",
	    "device-down", "severity", "critical", "value", 0.0, "subject", "", "root_cause",
	    "device", "core-1", "rule", "device-down", "affected", 12, "ack_url",
	    "https://mon.example/ack/T");
	struct ntext t;
	ntext_make(p, 0, &t);
	cr_assert(strstr(t.body, "dist-3") && strstr(t.body, "core-1"), "%s", t.body);
	cr_assert(strstr(t.body, "Affected: 12"), "%s", t.body);
	cr_assert(strstr(t.body, "https://mon.example/ack/T"), "%s", t.body);
	cr_assert(strstr(t.title, "FIRING"), "%s", t.title);
	ntext_make(p, 1, &t);
	cr_assert(strstr(t.body, "根因: core-1"), "%s", t.body);
	cr_assert(strstr(t.body, "受影响: 12"), "%s", t.body);
	cr_assert(strstr(t.markdown, "[一键确认](https://mon.example/ack/T)"), "%s", t.markdown);
	json_t *many = json_array();
	for (int i = 0; i < 30; i++)
		json_array_append(many, p);
	ntext_group(many, 0, &t);
	cr_assert(strstr(t.title, "30 alerts"), "%s", t.title);
	cr_assert(strstr(t.body, "and 20 alerts"), "%s", t.body);
	json_decref(many);
	json_decref(p);
}

Test(notify_sms, template_filled_and_escaped)
{
	struct nchannel ch = channel(NCH_SMS, NULL);
	char *to[] = { "13800000000", "13900000000" };
	ch.url = "http://gw/send?to={number}&msg={text}";
	ch.to = to;
	ch.n_to = 2;
	struct ntext t = { .title = "a&b <c>", .body = "x\nhttp://h/ack/T\n" };
	struct nreq r = { 0 };
	char err[128];
	cr_assert_eq(sms_build(&ch, &t, &r, err, sizeof(err)), 0);
	cr_assert_str_eq(r.url, "http://gw/send?to=13800000000%2C13900000000&msg="
	    "a%26b%20%3Cc%3E%20http%3A%2F%2Fh%2Fack%2FT");
	nreq_clear(&r);
	ch.template = "{\"to\": \"{number}\", \"text\": \"{text}\"}";
	cr_assert_eq(sms_build(&ch, &t, &r, err, sizeof(err)), 0);
	json_t *b = json_loads(r.body, 0, NULL);
	cr_assert_not_null(b, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(b, "text")), "a&b <c> http://h/ack/T");
	json_decref(b);
	nreq_clear(&r);
}

Test(notify_ack, token_roundtrip_tamper_expiry)
{
	unsigned char key[ACK_KEY_BYTES];
	cr_assert_eq(sodium_init() >= 0, 1);
	randombytes_buf(key, sizeof(key));
	char *tok = acklink_token(key, 42, 2000.0, "ops-wecom");
	int64_t id = 0;
	char ch[64];
	cr_assert_eq(acklink_verify(key, tok, 1000.0, &id, ch, sizeof(ch)), 0);
	cr_assert_eq(id, 42);
	cr_assert_str_eq(ch, "ops-wecom");
	cr_assert_eq(acklink_verify(key, tok, 3000.0, &id, ch, sizeof(ch)), -2, "expired");
	/* any changed character is refused */
	for (size_t i = 0; i < strlen(tok); i++) {
		char *bad = strdup(tok);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (strcmp(bad, tok) != 0)
			cr_assert_eq(acklink_verify(key, bad, 1000.0, &id, ch, sizeof(ch)), -1,
			    "changed at %zu", i);
		free(bad);
	}
	cr_assert_eq(acklink_verify(key, "", 1000.0, &id, ch, sizeof(ch)), -1);
	cr_assert_eq(acklink_verify(key, "a.b.c", 1000.0, &id, ch, sizeof(ch)), -1);
	unsigned char other[ACK_KEY_BYTES];
	randombytes_buf(other, sizeof(other));
	cr_assert_eq(acklink_verify(other, tok, 1000.0, &id, ch, sizeof(ch)), -1);
	free(tok);
}

/* ---- the alert observer: alert_change structs in, outbox rows out -------------
 * A notify subsystem on its own event loop with channels that point nowhere
 * (127.0.0.1:9): what each change queues is read back from outbox.db. */
#include <event2/event.h>
#include <event2/thread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "collector/collector.h"
#include "collector/notify/notify_internal.h"
#include "common/util.h"

struct rig {
	struct collector c;
	char dir[64];
};

static void seed(const char *dir, const char *sql);

/* seed: SQL run on the outbox before the subsystem starts, or NULL. */
static void
rig_start_seeded(struct rig *r, const char *text, const char *seed_sql)
{
	struct cfg_errors errs = { 0 };
	memset(r, 0, sizeof(*r));
	cr_assert_eq(collector_config_load(&r->c.cfg, NULL, &errs), 0);
	snprintf(r->dir, sizeof(r->dir), "/tmp/cm-notify-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	if (seed_sql != NULL)
		seed(r->dir, seed_sql);
	free(r->c.cfg.data_dir);
	r->c.cfg.data_dir = strdup(r->dir);
	struct cfg_node *root = yaml(text);
	r->c.cfg.notify_channels = cfg_node_dup(cfg_node_get(root, "channels"));
	const struct cfg_node *routes = cfg_node_get(root, "routes");
	r->c.cfg.notify_routes = routes ? cfg_node_dup(routes) : NULL;
	cfg_node_free(root);
	evthread_use_pthreads();
	r->c.base = event_base_new();
	r->c.loopq = loopq_new(r->c.base);
	cr_assert_eq(notify_subsystem.open_privileged(&r->c), 0);
	cr_assert_eq(notify_subsystem.start(&r->c), 0);
}

static void
rig_start(struct rig *r, const char *text)
{
	rig_start_seeded(r, text, NULL);
}

static void
rig_stop(struct rig *r)
{
	/* as the collector does: every stop, then the loop queue's last
	 * completions (storage's stop), then every release */
	notify_subsystem.stop(&r->c);
	loopq_free(r->c.loopq);
	notify_subsystem.release(&r->c);
	event_base_free(r->c.base);
	cfg_free(collector_schema(), &r->c.cfg);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	cr_assert_eq(system(cmd), 0);
}

/* Run the loop until the outbox answers sql with at least want rows, or with
 * exactly expect when given; each row's columns joined by ':', rows by ' '. */
static char *
query(struct rig *r, const char *sql, int want, const char *expect)
{
	char path[128], *out = NULL;
	snprintf(path, sizeof(path), "%s/outbox.db", r->dir);
	for (int i = 0; i < 300; i++) {
		event_base_loop(r->c.base, EVLOOP_NONBLOCK);
		sqlite3 *db;
		sqlite3_stmt *st;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		int n = 0;
		if (sqlite3_open(path, &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW)
				for (int c = 0; c < sqlite3_column_count(st); c++)
					fprintf(f, "%s%s", c ? ":" : n++ ? " " : "",
					    (const char *)sqlite3_column_text(st, c));
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
		fclose(f);
		if (expect ? strcmp(out, expect) == 0 : n >= want)
			return out;
		if (i == 299)
			return out;	/* the caller's assertion shows what there was */
		free(out);
		out = NULL;
		usleep(10000);
	}
	return NULL;
}

/* Run the loop until the outbox holds want rows; "channel:event:alert" of each, in order. */
static char *
rows(struct rig *r, int want)
{
	return query(r, "SELECT channel, event, alert_id FROM outbox ORDER BY id", want, NULL);
}

static void
change(struct rig *r, const char *event, int64_t id, const char *severity, const char *device,
    int notify, const char *hint)
{
	json_t *a = json_pack("{s:I, s:s, s:s, s:s, s:s, s:f}", "id", (json_int_t)id, "rule",
	    "room-hot", "severity", severity, "device", device, "state", "firing", "value", 41.0);
	struct alert_change ch = { event, a, NULL, 3, notify, hint };
	observe_alert(&r->c, &ch);
	json_decref(a);
}

static const char *const THREE =
    "channels:\n"
    "  - {name: noc, type: webhook, url: 'http://127.0.0.1:9/'}\n"
    "  - {name: boss, type: webhook, url: 'http://127.0.0.1:9/'}\n"
    "  - {name: duty, type: sms, url: 'http://127.0.0.1:9/?t={text}', to: '1'}\n";

Test(notify_observer, no_routes_everything_everywhere_once)
{
	struct rig r;
	rig_start(&r, THREE);
	change(&r, "firing", 7, "warning", "sw1", 1, NULL);
	change(&r, "firing", 8, "critical", "sw2", 0, NULL);	/* maintenance: recorded, not sent */
	change(&r, "firing", 7, "warning", "sw1", 1, NULL);	/* the same again: never twice */
	change(&r, "resolved", 7, "warning", "sw1", 1, NULL);
	char *got = rows(&r, 6);
	cr_assert_str_eq(got, "noc:firing:7 boss:firing:7 duty:firing:7 noc:resolved:7 "
	    "boss:resolved:7 duty:resolved:7");
	free(got);
	rig_stop(&r);
}

Test(notify_observer, routes_and_escalation_hints)
{
	struct rig r;
	char yaml[1024];
	snprintf(yaml, sizeof(yaml), "%sroutes:\n"
	    "  - {match: {severity: critical}, channels: [noc], escalate_after: 1h, "
	    "escalate_to: [boss]}\n"
	    "  - {match: {device: [core1]}, channels: [noc, duty]}\n", THREE);
	rig_start(&r, yaml);
	change(&r, "firing", 1, "warning", "sw1", 1, NULL);	/* no route takes it */
	change(&r, "firing", 2, "critical", "core1", 1, NULL);	/* both routes: noc once, duty */
	change(&r, "escalated", 2, "critical", "core1", 1, NULL);	/* the route's escalate_to */
	change(&r, "escalated", 3, "warning", "sw1", 1, "duty");	/* the engine's hint wins */
	char *got = rows(&r, 4);
	cr_assert_str_eq(got, "noc:firing:2 duty:firing:2 boss:escalated:2 duty:escalated:3");
	free(got);
	rig_stop(&r);
}

/* ---- SIGHUP: channels and routes anew, the outbox follows by name ------------- */

/* As collector.c's reload hands notify the file's new lists. */
static void
rig_reload(struct rig *r, const char *text)
{
	struct cfg_node *root = yaml(text);
	const struct cfg_node *routes = cfg_node_get(root, "routes");
	cfg_node_free(r->c.cfg.notify_channels);
	cfg_node_free(r->c.cfg.notify_routes);
	r->c.cfg.notify_channels = cfg_node_dup(cfg_node_get(root, "channels"));
	r->c.cfg.notify_routes = routes ? cfg_node_dup(routes) : NULL;
	cfg_node_free(root);
	notify_subsystem.reload(&r->c);
}

static char *
channel_names(struct rig *r)
{
	json_t *chs = notify_channels_json(&r->c);
	char buf[256] = "";
	size_t i;
	json_t *ch;
	json_array_foreach(chs, i, ch) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "",
		    json_string_value(json_object_get(ch, "name")));
	}
	json_decref(chs);
	return strdup(buf);
}

Test(notify_reload, queues_follow_by_name_removed_channels_dead_letters)
{
	struct rig r;
	rig_start(&r, THREE);
	change(&r, "firing", 7, "warning", "sw1", 1, NULL);
	free(rows(&r, 3));
	/* boss removed, duty changed, extra added; nothing listens on :9, so
	 * what waits is still pending (or being tried) */
	rig_reload(&r, "channels:\n"
	    "  - {name: extra, type: webhook, url: 'http://127.0.0.1:9/x'}\n"
	    "  - {name: duty, type: sms, url: 'http://127.0.0.1:9/?n={number}&t={text}', to: '2'}\n"
	    "  - {name: noc, type: webhook, url: 'http://127.0.0.1:9/'}\n");
	char *names = channel_names(&r);
	cr_assert_str_eq(names, "extra duty noc");
	free(names);
	char *got = query(&r, "SELECT channel, state FROM outbox WHERE alert_id = 7 ORDER BY id",
	    0, "noc:pending boss:dead duty:pending");
	cr_assert_str_eq(got, "noc:pending boss:dead duty:pending");
	free(got);
	got = query(&r, "SELECT last_error FROM outbox WHERE channel = 'boss'", 1, NULL);
	cr_assert(strstr(got, "channel 'boss': removed from notify.channels") != NULL, "%s", got);
	free(got);
	change(&r, "firing", 8, "warning", "sw2", 1, NULL);
	got = query(&r, "SELECT channel, event FROM outbox WHERE alert_id = 8 ORDER BY id", 3,
	    NULL);
	cr_assert_str_eq(got, "extra:firing duty:firing noc:firing");
	free(got);

	/* a list with a mistake: the running channels stay */
	rig_reload(&r, "channels:\n  - {name: only, type: pager, url: 'http://x'}\n");
	names = channel_names(&r);
	cr_assert_str_eq(names, "extra duty noc");
	free(names);
	rig_stop(&r);
}

/* An escalation timer started before a reload escalates to the channels its
 * route named then, those still configured: the route itself is gone. */
Test(notify_reload, escalation_timer_outlives_its_route)
{
	struct rig r;
	char yaml[1024];
	snprintf(yaml, sizeof(yaml), "%sroutes:\n"
	    "  - {match: {severity: critical}, channels: [noc], escalate_after: 1s, "
	    "escalate_to: [boss, duty]}\n", THREE);
	rig_start(&r, yaml);
	change(&r, "firing", 5, "critical", "core1", 1, NULL);
	free(rows(&r, 1));
	rig_reload(&r, "channels:\n"
	    "  - {name: noc, type: webhook, url: 'http://127.0.0.1:9/'}\n"
	    "  - {name: boss, type: webhook, url: 'http://127.0.0.1:9/b'}\n");
	char *got = query(&r, "SELECT channel, event FROM outbox ORDER BY id", 2, NULL);
	cr_assert_str_eq(got, "noc:firing boss:escalated");
	free(got);
	rig_stop(&r);
}

/* ---- retention: old sent rows and dead letters go, pending ones stay ---------- */

static void
seed(const char *dir, const char *sql)
{
	char path[128], *msg = NULL;
	sqlite3 *db;
	snprintf(path, sizeof(path), "%s/outbox.db", dir);
	cr_assert_eq(outboxdb_open(path, &db), 0);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s", msg);
	sqlite3_close(db);
}

/* One row as the outbox writes it, at a time the test picks. */
static int64_t
row_at(sqlite3 *db, const char *channel, const char *state, double created, double updated)
{
	int64_t id = outboxdb_insert(db, NULL, 1, "firing", channel, "{}", created);
	cr_assert_gt(id, 0);
	if (strcmp(state, "pending") != 0)
		cr_assert_eq(outboxdb_update(db, id, state, 1, 0, NULL, updated), 1);
	return id;
}

static const struct outbox_pruned *
pruned_of(const struct outbox_pruned *v, size_t n, const char *channel)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].channel, channel) == 0)
			return &v[i];
	return NULL;
}

static char *
left(sqlite3 *db)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT id FROM outbox ORDER BY id", -1, &st, NULL),
	    SQLITE_OK);
	for (int n = 0; sqlite3_step(st) == SQLITE_ROW; n++)
		fprintf(f, "%s%lld", n ? " " : "", (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	fclose(f);
	return out;
}

Test(notify_retention, old_sent_and_dead_go_pending_stays_totals_kept)
{
	char dir[64] = "/tmp/cm-notify-ret-XXXXXX", path[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/outbox.db", dir);
	sqlite3 *db;
	cr_assert_eq(outboxdb_open(path, &db), 0);
	const double now = 2e9, day = 86400, keep_sent = 30 * day, keep_dead = 90 * day;
	int64_t sent_old = row_at(db, "noc", "sent", now - 40 * day, now - 31 * day);
	int64_t sent_new = row_at(db, "noc", "sent", now - 40 * day, now - 29 * day);
	int64_t dead_old = row_at(db, "gone", "dead", now - 200 * day, now - 91 * day);
	int64_t dead_edge = row_at(db, "gone", "dead", now - 200 * day, now - keep_dead);
	int64_t dead_new = row_at(db, "noc", "dead", now - 200 * day, now - 89 * day);
	int64_t ancient = row_at(db, "noc", "pending", now - 3650 * day, 0);
	int64_t boss_old = row_at(db, "boss", "sent", now - 60 * day, now - 50 * day);
	(void)dead_old;
	(void)sent_old;
	(void)boss_old;

	struct outbox_pruned *v;
	size_t n;
	cr_assert_eq(outboxdb_prune(db, now, keep_sent, keep_dead, &v, &n), 0);
	cr_assert_eq(n, 3, "noc, gone and boss lost rows: %zu", n);
	const struct outbox_pruned *p = pruned_of(v, n, "noc");
	cr_assert(p != NULL && p->sent == 1 && p->dead == 0);
	p = pruned_of(v, n, "gone");
	cr_assert(p != NULL && p->sent == 0 && p->dead == 1);
	p = pruned_of(v, n, "boss");
	cr_assert(p != NULL && p->sent == 1 && p->dead == 0);
	outboxdb_pruned_free(v, n);
	char *got = left(db), want[128];
	snprintf(want, sizeof(want), "%lld %lld %lld %lld", (long long)sent_new,
	    (long long)dead_edge, (long long)dead_new, (long long)ancient);
	cr_assert_str_eq(got, want, "the horizon itself is kept; pending whatever its age");
	free(got);

	/* the figures: deliveries count after their rows went, dead letters not */
	json_t *s = outboxdb_summary(db, 5);
	json_t *noc = json_object_get(s, "noc"), *boss = json_object_get(s, "boss");
	cr_assert_eq(json_integer_value(json_object_get(noc, "sent")), 2);
	cr_assert_eq(json_integer_value(json_object_get(noc, "dead")), 1);
	cr_assert_eq(json_integer_value(json_object_get(noc, "pending")), 1);
	cr_assert_float_eq(json_number_value(json_object_get(noc, "last_delivery")),
	    now - 29 * day, 1e-3);
	cr_assert_eq(json_integer_value(json_object_get(boss, "sent")), 1);
	cr_assert_eq(json_integer_value(json_object_get(boss, "dead")), 0);
	cr_assert_float_eq(json_number_value(json_object_get(boss, "last_delivery")),
	    now - 50 * day, 1e-3);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "gone"), "dead")), 1);
	json_decref(s);

	/* nothing more is due: a round deletes nothing */
	cr_assert_eq(outboxdb_prune(db, now, keep_sent, keep_dead, &v, &n), 0);
	cr_assert_eq(n, 0);
	outboxdb_pruned_free(v, n);

	/* much later: every sent and dead row goes, the totals add up, the
	 * newest delivery stays the last one; the pending row is still there */
	cr_assert_eq(outboxdb_prune(db, now + 365 * day, keep_sent, keep_dead, &v, &n), 0);
	outboxdb_pruned_free(v, n);
	got = left(db);
	snprintf(want, sizeof(want), "%lld", (long long)ancient);
	cr_assert_str_eq(got, want);
	free(got);
	s = outboxdb_summary(db, 5);
	noc = json_object_get(s, "noc");
	cr_assert_eq(json_integer_value(json_object_get(noc, "sent")), 2);
	cr_assert_eq(json_integer_value(json_object_get(noc, "dead")), 0);
	cr_assert_float_eq(json_number_value(json_object_get(noc, "last_delivery")),
	    now - 29 * day, 1e-3);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(s, "gone"), "dead")), 0);
	json_decref(s);
	sqlite3_close(db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* The subsystem: a round at start, after the figures were loaded; the
 * channel's dead count drops with the letters deleted, its sent count not. */
Test(notify_retention, round_at_start_keeps_figures_truthful)
{
	struct rig r;
	char sql[1024];
	double now = util_now(), day = 86400;
	snprintf(sql, sizeof(sql),
	    "INSERT INTO outbox(alert_id, event, channel, payload, state, next_try, created, "
	    "updated) VALUES "
	    "(1, 'firing', 'noc', '{}', 'sent', 0, %f, %f), "	/* old: goes */
	    "(2, 'firing', 'noc', '{}', 'sent', 0, %f, %f), "
	    "(3, 'firing', 'boss', '{}', 'dead', 0, %f, %f), "	/* old: goes */
	    "(4, 'firing', 'boss', '{}', 'dead', 0, %f, %f);",
	    now - 40 * day, now - 31 * day, now - 2 * day, now - 2 * day,
	    now - 100 * day, now - 91 * day, now - 2 * day, now - 2 * day);
	rig_start_seeded(&r, THREE, sql);
	char *got = query(&r, "SELECT alert_id FROM outbox ORDER BY id", 0, "2 4");
	cr_assert_str_eq(got, "2 4");
	free(got);
	json_t *noc = NULL, *boss = NULL, *chs = NULL;
	for (int i = 0; i < 300; i++) {
		event_base_loop(r.c.base, EVLOOP_NONBLOCK);
		json_decref(chs);
		chs = notify_channels_json(&r.c);
		noc = json_array_get(chs, 0);
		boss = json_array_get(chs, 1);
		if (!r.c.notify->retaining)
			break;
		usleep(10000);
	}
	cr_assert_str_eq(json_string_value(json_object_get(boss, "name")), "boss");
	cr_assert_eq(json_integer_value(json_object_get(noc, "sent")), 2);
	cr_assert_eq(json_integer_value(json_object_get(boss, "dead")), 1);
	json_decref(chs);
	rig_stop(&r);
}
