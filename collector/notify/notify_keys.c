/*
 * notify_keys.c — this subsystem's part of the configuration schema
 * (notify.*: channels, routes, the outbox and ack links). config.c joins
 * the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/notify/notify.h"

const struct cfg_key notify_keys[] = {
	{ "notify.channels", CFG_NODE, CONFIG_OFF(notify_channels), NULL, 0, 0, NULL, NULL,
	    "where notifications go: a list of {name, type (webhook, wecom, dingtalk, feishu, "
	    "email, sms), url, secret or secret_file, to, template, language (zh or en), "
	    "msgtype, from, user, tls, ca_file, rate_per_minute}; see docs/notifications.md. A "
	    "secret_file must not be readable by others" },
	{ "notify.routes", CFG_NODE, CONFIG_OFF(notify_routes), NULL, 0, 0, NULL, NULL,
	    "which alerts go where: a list of {match: {severity, kind, device, rule}, channels, "
	    "escalate_after, escalate_to, quiet_hours: \"22:00-07:00\"}; with no routes every "
	    "alert goes to every channel" },
	{ "notify.max_concurrent", CFG_INT, CONFIG_OFF(notify_max_concurrent), "8", 1, 256, NULL,
	    NULL, "notifications being sent at once" },
	{ "notify.timeout", CFG_DURATION, CONFIG_OFF(notify_timeout), "15s", 1, 300, NULL, NULL,
	    "give up one attempt after this long (it is retried)" },
	{ "notify.retry_max", CFG_DURATION, CONFIG_OFF(notify_retry_max), "10m", 2, 86400, NULL,
	    NULL, "longest wait between retries (the first comes after 2 s, doubling)" },
	{ "notify.give_up", CFG_DURATION, CONFIG_OFF(notify_give_up), "1d", 60, 2592000, NULL,
	    NULL, "a notification still failing this long after it was queued becomes a dead "
	    "letter" },
	{ "notify.ack_ttl", CFG_DURATION, CONFIG_OFF(notify_ack_ttl), "7d", 60, 2592000, NULL,
	    NULL, "how long a one-tap acknowledgement link works" },
	{ "notify.group_after", CFG_INT, CONFIG_OFF(notify_rate), "20", 0, 100000, NULL, NULL,
	    "messages per minute and channel (people's channels, not webhooks) before the rest "
	    "wait and go grouped, up to 50 alerts a message; 0: no limit; a channel's "
	    "rate_per_minute overrides it" },
	{ "notify.keep_sent", CFG_DURATION, CONFIG_OFF(notify_keep_sent), "30d", 1,
	    100LL * 365 * 86400, NULL, NULL, "delete a delivered notification from the outbox "
	    "this long after its delivery (each channel's sent count and last delivery stay)" },
	{ "notify.keep_dead", CFG_DURATION, CONFIG_OFF(notify_keep_dead), "90d", 1,
	    100LL * 365 * 86400, NULL, NULL, "delete a dead letter from the outbox this long "
	    "after it was given up (it can no longer be sent again); pending notifications "
	    "are never deleted" },
	CFG_END
};
