/*
 * alert_keys.c — alerts.* in the collector's configuration schema. The
 * rules themselves are read by rules.c from the raw alerts.rules subtree
 * and the alerts.include files.
 */
#include "collector/collector.h"
#include "collector/alert/alert.h"

const struct cfg_key alert_keys[] = {
	{ "alerts.evaluate", CFG_BOOL, CONFIG_OFF(alerts_evaluate), "yes", 0, 0, NULL, NULL,
	    "evaluate alert rules as samples and polls arrive" },
	{ "alerts.defaults", CFG_BOOL, CONFIG_OFF(alerts_defaults), "yes", 0, 0, NULL, NULL,
	    "apply the shipped campus rules (device down, agent silent, uplink down, "
	    "interface errors and utilisation, CPU, memory, disk full and latency, UPS, room "
	    "temperature and humidity, leak, smoke, door, PSU/fan, Nagios checks; "
	    "docs/alerts.md) in addition to alerts.rules" },
	{ "alerts.rules", CFG_NODE, CONFIG_OFF(alert_rules), NULL, 0, 0, NULL, NULL,
	    "a list of rules {name, match: {measurement, field, tags, kind, device, status, "
	    "oper_status, sensor_state, sensor_type, uplink}, warn, crit, recover, direction, "
	    "for, nodata, predict, polls, severity, message} (docs/alerts.md)" },
	{ "alerts.include", CFG_STRLIST, CONFIG_OFF(alert_include), NULL, 0, 4096, NULL, NULL,
	    "files of more rules (a YAML list, or a mapping with rules:), read at start and "
	    "on SIGHUP" },
	{ "alerts.flap_changes", CFG_INT, CONFIG_OFF(alert_flap_changes), "5", 2, 64, NULL, NULL,
	    "state changes within alerts.flap_window that make a subject flapping: one "
	    "alert stays open instead of a storm" },
	{ "alerts.flap_window", CFG_DURATION, CONFIG_OFF(alert_flap_window), "10m", 10, 86400,
	    NULL, NULL, "the window for flap detection" },
	{ "alerts.hold", CFG_DURATION, CONFIG_OFF(alert_hold), "10s", 0, 600, NULL, NULL,
	    "devices found down wait until none has joined them for this long (at most 4 "
	    "times as long) before their alerts go out, so that the root cause (the "
	    "top-most down device on the topology path) is told once with every device "
	    "behind it" },
	{ "alerts.escalate_after", CFG_DURATION, CONFIG_OFF(alert_escalate_after), "30m", 0,
	    30 * 86400, NULL, NULL,
	    "an alert nobody acknowledged for this long is escalated once (notify.routes "
	    "decide where); 0: never" },
	{ "alerts.history", CFG_DURATION, CONFIG_OFF(alert_history), "90d", 3600,
	    3650LL * 86400, NULL, NULL, "resolved alerts are kept this long" },
	CFG_END
};
