/*
 * events_keys.c — this subsystem's part of the configuration schema:
 * traps.*, syslog.* and events.* (DESIGN §9 Events). config.c joins the
 * parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/events/events.h"

const struct cfg_key events_keys[] = {
	{ "traps.listen", CFG_STRLIST, CONFIG_OFF(traps_listen), "[\"udp:0.0.0.0:162\"]", 0, 8,
	    NULL, ev_check_listen, "where SNMP traps and informs are received: udp:ADDR:PORT "
	    "(IPv6 udp:[ADDR]:PORT), bound before the privilege drop; an empty list turns the "
	    "receiver off. A port another process holds is logged and skipped" },
	{ "traps.communities", CFG_STRLIST, CONFIG_OFF(traps_communities), "[public]", 0, 32,
	    NULL, NULL, "SNMP v1/v2c communities accepted in traps; others are refused and "
	    "counted (secret: a file that sets it must not be readable by others)" },
	{ "traps.v3_users", CFG_NODE, CONFIG_OFF(traps_v3_users), NULL, 0, 0, NULL,
	    ev_check_v3_users, "SNMPv3 users accepted in traps and informs: a list of {user, "
	    "auth_proto (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512), auth_pass, priv_proto "
	    "(DES, AES, AES-192, AES-256, AES-192C, AES-256C), priv_pass, engine_id (hex; "
	    "optional: pins the sender)}. Accepted from any engine ID unless pinned: keys are "
	    "localised on first sight of an engine (secret)" },
	{ "traps.names_files", CFG_STRLIST, CONFIG_OFF(traps_names_files), "[]", 0, 64, NULL,
	    NULL, "files of \"OID NAME\" lines naming more trap OIDs and varbinds (beyond the "
	    "compiled-in SNMPv2, IF, ENTITY, UPS, BRIDGE, LLDP, Cisco, Huawei and H3C names)" },
	{ "syslog.listen", CFG_STRLIST, CONFIG_OFF(syslog_listen),
	    "[\"udp:0.0.0.0:514\", \"tcp:0.0.0.0:514\"]", 0, 16, NULL, ev_check_listen,
	    "where syslog is received (RFC 3164, RFC 5424; TCP octet-counted or LF-framed): "
	    "udp:ADDR:PORT and tcp:ADDR:PORT, bound before the privilege drop; an empty list "
	    "turns the receiver off" },
	{ "syslog.max_message", CFG_SIZE, CONFIG_OFF(syslog_max_message), "8KiB", 480, 65536,
	    NULL, NULL, "longest syslog message kept (longer ones are cut); also the TCP frame "
	    "bound" },
	{ "syslog.max_connections", CFG_INT, CONFIG_OFF(syslog_max_connections), "512", 1,
	    100000, NULL, NULL, "syslog TCP connections at once" },
	{ "syslog.tcp_idle", CFG_DURATION, CONFIG_OFF(syslog_tcp_idle), "10m", 1, 86400, NULL,
	    NULL, "close a syslog TCP connection silent this long" },
	{ "syslog.receive_buffer", CFG_SIZE, CONFIG_OFF(syslog_rcvbuf), "8MiB", 65536,
	    1073741824, NULL, NULL, "kernel receive buffer of each UDP syslog socket (bursts "
	    "wait there; overflow is counted as reason=kernel)" },
	{ "events.rate_limit", CFG_INT, CONFIG_OFF(events_rate_limit), "2000", 0, 10000000,
	    NULL, NULL, "events per second taken from one source address (a second's burst); "
	    "more are dropped and counted as reason=rate; 0: no limit" },
	{ "events.queue_max", CFG_INT, CONFIG_OFF(events_queue_max), "200000", 1000, 10000000,
	    NULL, NULL, "events waiting for the events database; more are dropped and counted "
	    "as reason=queue" },
	{ "events.retention", CFG_DURATION, CONFIG_OFF(events_retention), "180d", 60,
	    100LL * 365 * 86400, NULL, NULL, "delete events older than this" },
	{ "events.max_size", CFG_SIZE, CONFIG_OFF(events_max_size), "2GB", 65536,
	    1LL << 50, NULL, NULL, "delete the oldest events while the events database holds "
	    "more than this" },
	{ "events.rules", CFG_NODE, CONFIG_OFF(events_rules), NULL, 0, 0, NULL, ev_rules_check,
	    "log rules raising alerts: a list of {name, regex or fts (an FTS5 expression, as in a "
	    "search) or "
	    "trap (regex on the trap name), kind, device, program, count (default 1), window "
	    "(default 5m), clear (regex that resolves), hold (resolve after this long without "
	    "a match), severity (critical, warning, info), uplinks_only}" },
	{ "events.default_rules", CFG_BOOL, CONFIG_OFF(events_default_rules), "yes", 0, 0, NULL,
	    NULL, "apply the shipped rules (%LINK-3-UPDOWN on uplinks, repeated authentication "
	    "failures, %SYS-2-MALLOCFAIL, power-supply and fan traps, UPS on battery) as well" },
	CFG_END
};
