/*
 * notify.h — notifications to people: channels (one file per type:
 * webhook.c, wecom.c, dingtalk.c, feishu.c, email.c, sms.c), routes and
 * escalation, a persistent outbox (SQLite through the store thread,
 * store/outboxdb.c), libcurl's multi interface on the loop (curlev.c) and
 * one-tap acknowledgement links (acklink.c, ackpage.c). Loop thread only,
 * except the outboxdb_* functions (store thread).
 */
#ifndef CAMPUSMON_NOTIFY_H
#define CAMPUSMON_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/cfg.h"
#include "collector/collector.h"
#include "collector/http/http.h"

struct collector;
struct json_t;
struct curl_slist;
struct cfg_errors;
struct notify;

/* ---- ncfg.c: what channels.c and routes.c parse alike ------------------------ */
/* Is key in known (NULL-terminated)? */
int ncfg_known(const char *const *known, const char *key);
/* "WHERE (line N): unknown key 'K'" for each key of map not in known. */
void ncfg_check_keys(const struct cfg_node *map, const char *const *known, const char *where,
    struct cfg_errors *errs);
/* A scalar or a list of scalars as a NULL-terminated heap array (NULL for
 * NULL); count (may be NULL) gets how many. */
char **ncfg_strings(const struct cfg_node *n, size_t *count);
/* A copy of such an array (NULL for NULL or out of memory). */
char **ncfg_strings_dup(char *const *v);
void ncfg_strings_free(char **v);
/* key (e.g. "notify.routes") is a list of mappings (NULL: none): one(map,
 * arg, errs) for each of item's mappings, an error for anything else.
 * -1 if errs grew meanwhile. */
typedef void (*ncfg_one_fn)(const struct cfg_node *map, void *arg, struct cfg_errors *errs);
int ncfg_list(const struct cfg_node *node, const char *key, const char *item, ncfg_one_fn one,
    void *arg, struct cfg_errors *errs);

/* ---- channels.c: notify.channels -------------------------------------------- */
enum nch_type { NCH_WEBHOOK, NCH_WECOM, NCH_DINGTALK, NCH_FEISHU, NCH_EMAIL, NCH_SMS };

struct nchannel {
	char *name;
	enum nch_type type;
	char *url;		/* robot or webhook URL; smtp(s)://host:port; SMS URL template */
	char *secret;		/* HMAC key (webhook, dingtalk, feishu); SMTP password for email */
	char *secret_file;	/* where secret came from; NULL: inline or none */
	int secret_kept;	/* reload: secret_file unreadable now, the running value kept */
	char **to;		/* email addresses or SMS numbers */
	size_t n_to;
	char *template;		/* sms: body template ({number}, {text}); NULL: GET on url */
	char *msgtype;		/* wecom: markdown (default) or text */
	char *from;		/* email */
	char *user;		/* email: SMTP login */
	char *ca_file;		/* TLS: trust this CA (a campus CA) instead of the system's */
	int tls_required;	/* email: refuse to send without STARTTLS */
	int zh;			/* language: 1 zh (default), 0 en */
	int rate_per_minute;	/* messages per minute before grouping (0: no limit) */
	/* figures since start (plus what the outbox held at start) */
	double last_ok, last_try;
	uint64_t sent, failures, dead, pending;
	char last_error[200];
};

struct nchannels {
	struct nchannel *v;
	size_t n;
};

/* Parse notify.channels (a sequence of mappings; NULL: none). Every problem
 * goes to errs; -1 if any. Secret files must not be readable by others.
 * prev (NULL at start): the running channels, whose secret read from a
 * secret_file stays when a reload may not read that same file. */
int nchannels_parse(const struct cfg_node *node, const struct nchannels *prev,
    struct nchannels *out, struct cfg_errors *errs);
/* Do a and b send alike (every setting, the secret too; not the figures)? */
int nchannel_same(const struct nchannel *a, const struct nchannel *b);
void nchannels_free(struct nchannels *chs);
struct nchannel *nchannels_find(const struct nchannels *chs, const char *name);
const char *nch_type_name(enum nch_type t);

/* ---- routes.c: notify.routes -------------------------------------------------- */
struct nroute {
	char **severity, **kind, **device, **rule;	/* NULL-terminated; NULL: any */
	char **channels;		/* NULL-terminated names */
	char **escalate_to;
	long long escalate_after;	/* seconds; 0: never */
	int quiet_from, quiet_to;	/* minutes of the local day; equal: no quiet hours */
};
struct nroutes {
	struct nroute *v;
	size_t n;
};
int nroutes_parse(const struct cfg_node *node, const struct nchannels *chs, struct nroutes *out,
    struct cfg_errors *errs);
void nroutes_free(struct nroutes *rs);
/* Does route r take this alert (severity, kind, device, rule from its JSON
 * object)? minute_of_day: local time, for quiet hours. */
int nroute_matches(const struct nroute *r, const struct json_t *alert, int minute_of_day);

/* ---- message.c: the short text every human channel sends ---------------------- */
struct ntext {
	char title[256];
	char body[2048];	/* plain text, lines joined with "\n" */
	char markdown[2560];	/* the same as Markdown (wecom, dingtalk) */
};
/* From a payload (the webhook body, DESIGN §9); grouped: the payloads of a
 * group (a JSON array) summarised in one message. */
void ntext_make(const struct json_t *payload, int zh, struct ntext *out);
void ntext_group(const struct json_t *payloads, int zh, struct ntext *out);

/* ---- one file per channel type: the request to send ------------------------- */
struct nreq {
	char *url;
	struct curl_slist *headers;
	char *body;		/* request body (email: the whole message); NULL: GET */
	size_t body_len;
	/* email */
	char *mail_from;
	struct curl_slist *rcpt;
	/* how the answer is judged: robots answer 200 with an errcode */
	int robot;
};
void nreq_clear(struct nreq *r);
/* Build the request for payload (its JSON text too, for the webhook) at
 * time now (signatures carry it). 0, or -1 with why in err. */
int webhook_build(const struct nchannel *ch, const char *payload_text, struct nreq *r,
    char *err, size_t errlen);
int wecom_build(const struct nchannel *ch, const struct ntext *t, struct nreq *r, char *err,
    size_t errlen);
int dingtalk_build(const struct nchannel *ch, const struct ntext *t, long long now_ms,
    struct nreq *r, char *err, size_t errlen);
int feishu_build(const struct nchannel *ch, const struct ntext *t, long long now_s,
    struct nreq *r, char *err, size_t errlen);
int email_build(const struct nchannel *ch, const struct ntext *t, double now, struct nreq *r,
    char *err, size_t errlen);
int sms_build(const struct nchannel *ch, const struct ntext *t, struct nreq *r, char *err,
    size_t errlen);

/* ---- sign.c: the signatures the receivers check ------------------------------ */
/* Lower-case hex HMAC-SHA256 of data under key into hex[65]. */
void nsign_hex(const char *key, const void *data, size_t len, char hex[65]);
/* Base64 (standard alphabet, padded) HMAC-SHA256 into b64 (at least 45 bytes). */
void nsign_b64(const char *key, size_t keylen, const void *data, size_t len, char *b64,
    size_t cap);
/* Percent-encode s for a URL query (RFC 3986 unreserved kept); heap. */
char *nurl_escape(const char *s);

/* ---- acklink.c: signed, expiring, single-alert links ------------------------- */
#define ACK_KEY_BYTES 32
/* Read or make DATA_DIR/notify.key (mode 0600). 0, or -1 logged. */
int acklink_key_load(const char *data_dir, unsigned char key[ACK_KEY_BYTES]);
/* The token for alert id carried by channel, valid until expires (heap). */
char *acklink_token(const unsigned char key[ACK_KEY_BYTES], int64_t id, double expires,
    const char *channel);
/* 0 valid (id, channel copied out); -1 tampered or malformed; -2 expired. */
int acklink_verify(const unsigned char key[ACK_KEY_BYTES], const char *token, double now,
    int64_t *id, char *channel, size_t cap);

/* ---- notify.c: the subsystem -------------------------------------------------- */
extern const struct subsystem notify_subsystem;
/* -t and SIGHUP: parse channels and routes, 0 or -1 with errs filled.
 * running: the collector whose channels run (a reload, as the service
 * user: a secret_file it may not read keeps its secret), or NULL. */
int notify_config_check(const struct collector_config *cfg, const struct collector *running,
    struct cfg_errors *errs);
/* SIGHUP, once fresh passed notify_config_check: cfg takes fresh's notify
 * keys (the lists swapped: the old ones go with fresh). */
void notify_config_take(struct collector_config *cfg, struct collector_config *fresh);
/* Queue a test message to channel name; 0, -1 no such channel, -2 busy. */
int notify_test(struct collector *c, const char *name, const char *who);
/* The channels with their figures (new ref). */
struct json_t *notify_channels_json(struct collector *c);
/* campusmon_notify_* for /metrics (nothing when notify has not started). */
struct evbuffer;
void notify_metrics(struct collector *c, struct evbuffer *out);
/* For the ack page: the key, or NULL when notify has not started. */
const unsigned char *notify_ack_key(struct collector *c);

/* ---- api_channels.c, ackpage.c: HTTP ------------------------------------------ */
extern const struct route notify_routes[];
struct evhttp_request;
struct auth_identity;
/* /ack/{token}: GET shows the alert and a button, POST acknowledges. */
void ackpage_get(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);
void ackpage_post(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params);

/* ---- notify_keys.c ------------------------------------------------------------- */
extern const struct cfg_key notify_keys[];

#endif
