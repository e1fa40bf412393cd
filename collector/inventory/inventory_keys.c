/*
 * inventory_keys.c — this subsystem's part of the configuration schema (snmp.* and discovery.*: polling and sweeps).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/inventory/inventory.h"

const struct cfg_key inventory_keys[] = {
	{ "snmp.profiles_dir", CFG_STRING, CONFIG_OFF(profiles_dir), NULL, 0, 4096, NULL, NULL,
	    "folder of SNMP profiles (default: the build tree's or the installed ones); read "
	    "at start, before the privilege drop, and again on SIGHUP" },
	{ "snmp.timeout_ms", CFG_INT, CONFIG_OFF(snmp.timeout_ms), "2000", 100, 60000, NULL, NULL,
	    "wait for one SNMP reply before retrying (milliseconds)" },
	{ "snmp.retries", CFG_INT, CONFIG_OFF(snmp.retries), "1", 0, 10, NULL, NULL,
	    "retransmissions after the first try" },
	{ "snmp.interval", CFG_DURATION, CONFIG_OFF(snmp.interval), "60s", 5, 86400, NULL, NULL,
	    "poll interval of devices that set none (devices default to 60 s)" },
	{ "snmp.dns_refresh", CFG_DURATION, CONFIG_OFF(snmp_dns_refresh), "5m", 10, 86400, NULL, NULL,
	    "how often device addresses that are host names are looked up again (evdns; a "
	    "changed address is polled from then on)" },
	{ "snmp.dns_servers", CFG_STRLIST, CONFIG_OFF(snmp_dns_servers), "[]", 0, 8, NULL,
	    collector_check_dns_servers,
	    "name servers for device host names (ADDR or ADDR:PORT, [v6]:PORT); empty: those "
	    "of /etc/resolv.conf. /etc/hosts is read either way" },
	{ "snmp.jitter_percent", CFG_INT, CONFIG_OFF(snmp.jitter_pct), "10", 0, 50, NULL, NULL,
	    "each poll starts up to this share of the interval early or late" },
	{ "snmp.max_inflight", CFG_INT, CONFIG_OFF(snmp.max_inflight), "1", 1, 16, NULL, NULL,
	    "requests in flight per device (1 spares the device's CPU)" },
	{ "snmp.bulk_max", CFG_INT, CONFIG_OFF(snmp.bulk_max), "50", 1, 200, NULL, NULL,
	    "largest GETBULK max-repetitions; shrinks by itself on tooBig or timeouts" },
	{ "snmp.max_concurrent_polls", CFG_INT, CONFIG_OFF(snmp.max_concurrent_polls), "0", 0, 100000, NULL,
	    NULL, "devices polled at once (0: no limit)" },
	{ "discovery.communities", CFG_STRLIST, CONFIG_OFF(discovery_communities), "[public]", 0, 16,
	    NULL, NULL, "SNMP v1/v2c communities a sweep tries, in order (secret: a file that "
	    "sets it must not be readable by others)" },
	{ "discovery.credentials", CFG_NODE, CONFIG_OFF(discovery_credentials), NULL, 0, 0, NULL,
	    disco_creds_check, "SNMP credentials seeded discovery tries, in order, as in the "
	    "request: a list of {version: 2c, community: …} or {version: 3, user: …, auth_proto: "
	    "SHA, auth_pass: …, priv_proto: AES, priv_pass: …}; the one that answers is stored "
	    "with the device. Unset: discovery.communities as v2c (secret: a file that sets it "
	    "must not be readable by others)" },
	{ "discovery.concurrency", CFG_INT, CONFIG_OFF(discovery_concurrency), "64", 1, 4096, NULL,
	    NULL, "addresses probed at once by one sweep or seeded discovery" },
	{ "discovery.rate", CFG_INT, CONFIG_OFF(discovery_rate), "200", 1, 100000, NULL, NULL,
	    "new addresses probed per second by one sweep or seeded discovery" },
	CFG_END
};
