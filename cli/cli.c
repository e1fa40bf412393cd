/*
 * cli.c — the campusmon command: the table of commands, global options,
 * where the URL and token come from, help, and the one function every
 * command calls the API through (it turns failures into messages and exit
 * codes, so handlers deal only with successful answers).
 */
#include "config.h"
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the commands -------------------------------------------------------------- */

static const struct cli_opt token_create_opts[] = {
	{ "kind", "agent|api", "agent: may write samples (default); api: for the JSON API" },
	{ "role", "ROLE", "an api token's role: admin, operator, viewer (default) or "
	    "auditor; implies --kind api" },
	{ "host", "HOST", "an agent token may write only samples of this host" },
	CLI_OPT_END
};

static const struct cli_opt series_opts[] = {
	{ "host", "HOST", "only series of this host (agent hostname or device name)" },
	{ "measurement", "M", "only series of this measurement" },
	{ "field", "F", "only series of this field" },
	CLI_OPT_END
};

static const struct cli_opt query_opts[] = {
	{ "from", "TIME", "start (default: one hour before --to)" },
	{ "to", "TIME", "end (default: now)" },
	{ "step", "DURATION", "seconds between points, e.g. 60, 5m, 1h (default: finest "
	    "stored)" },
	{ "cf", "average|max|min", "how values are consolidated over a step (default "
	    "average)" },
	CLI_OPT_END
};

static const struct cli_opt devices_opts[] = {
	{ "kind", "K", "only devices of this kind (switch, router, server, ups, ...)" },
	{ "status", "S", "only devices in this state: unknown, up, down, unreachable, seen" },
	{ "search", "TEXT", "only devices whose name, address, site, building or room "
	    "contains TEXT (any case)" },
	CLI_OPT_END
};

/* The options "device add" and "device edit" share: the JSON fields. */
#define DEVICE_OPTS \
	{ "name", "N", "its name, unique (default: its sysName after the first poll, " \
	    "else the address)" }, \
	{ "port", "P", "SNMP UDP port (default 161)" }, \
	{ "kind", "K", "switch, router, firewall, wlc, ap, server, storage, ups, pdu, " \
	    "sensor, camera, printer or other (default: guessed by polls)" }, \
	{ "interval", "S", "seconds between polls, 5 to 86400 (default 60)" }, \
	{ "version", "1|2c|3", "SNMP version (default 2c; 3 with --v3-user)" }, \
	{ "community", "C", "SNMP v1/v2c community (visible in the process list: " \
	    "prefer --community-file)" }, \
	{ "community-file", "F", "read the community from the first line of F " \
	    "('-': standard input)" }, \
	{ "v3-user", "U", "SNMPv3 user name; implies --version 3" }, \
	{ "auth-proto", "PROTO", "SNMPv3 authentication: MD5, SHA, SHA-224, SHA-256, " \
	    "SHA-384 or SHA-512" }, \
	{ "auth-pass", "P", "SNMPv3 authentication passphrase (prefer --auth-pass-file)" }, \
	{ "auth-pass-file", "F", "read the authentication passphrase from the first " \
	    "line of F" }, \
	{ "priv-proto", "PROTO", "SNMPv3 privacy: DES, AES, AES-192, AES-256, AES-192C " \
	    "or AES-256C" }, \
	{ "priv-pass", "P", "SNMPv3 privacy passphrase (prefer --priv-pass-file)" }, \
	{ "priv-pass-file", "F", "read the privacy passphrase from the first line of F" }, \
	{ "site", "S", "asset register: site (campus)" }, \
	{ "building", "B", "asset register: building" }, \
	{ "room", "R", "asset register: room" }, \
	{ "rack", "R", "asset register: rack" }, \
	{ "serial", "S", "asset register: serial number" }, \
	{ "model", "M", "asset register: model" }, \
	{ "asset-tag", "T", "asset register: asset tag" }, \
	{ "unmonitored", NULL, "keep it in the inventory but do not poll it" }
#define DEVICE_USAGE \
	"[--name N] [--port P] [--kind K] [--interval S] [--version 1|2c|3] " \
	"[--community C | --community-file F] [--v3-user U] [--auth-proto PROTO] " \
	"[--auth-pass P | --auth-pass-file F] [--priv-proto PROTO] " \
	"[--priv-pass P | --priv-pass-file F] [--site S] [--building B] [--room R] " \
	"[--rack R] [--serial S] [--model M] [--asset-tag T] "

static const struct cli_opt device_add_opts[] = {
	DEVICE_OPTS,
	CLI_OPT_END
};

static const struct cli_opt device_edit_opts[] = {
	{ "address", "ADDR", "its new IPv4 or IPv6 address or host name" },
	DEVICE_OPTS,
	{ "monitored", NULL, "poll it again" },
	CLI_OPT_END
};

static const struct cli_opt discover_opts[] = {
	{ "community", "C", "an SNMP community to try (repeat for several; default: the "
	    "collector's discovery.communities)" },
	{ "community-file", "F", "communities to try, one per line ('-': standard input)" },
	{ "port", "P", "SNMP UDP port to probe (default 161)" },
	{ "no-wait", NULL, "print the job's id and return without waiting" },
	{ "seed", "ADDR", "seeded discovery: start from this device (repeat for several)" },
	{ "allow", "CIDR", "seeded discovery: the ranges it may send to (repeat, or "
	    "commas); seeds and neighbours outside are never probed" },
	{ "credentials-file", "F", "seeded discovery: credentials to try in order, a JSON "
	    "list as in the API ({\"version\": \"2c\", \"community\"} or {\"version\": \"3\", "
	    "\"user\", \"auth_proto\", \"auth_pass\", \"priv_proto\", \"priv_pass\"}); "
	    "--community entries follow them" },
	{ "no-recurse", NULL, "seeded discovery: ask the seeds only, do not follow neighbours" },
	CLI_OPT_END
};

static const struct cli_opt seen_opts[] = {
	{ "limit", "N", "show at most N hosts" },
	{ "offset", "N", "skip the first N hosts (sorted by address)" },
	CLI_OPT_END
};

static const struct cli_opt seen_adopt_opts[] = {
	{ "all", NULL, "every seen host" },
	{ "community", "C", "the SNMP community to poll with (default: the first of "
	    "discovery.credentials or discovery.communities)" },
	CLI_OPT_END
};

static const struct cli_opt seen_rm_opts[] = {
	{ "all", NULL, "every seen host" },
	CLI_OPT_END
};

static const struct cli_opt report_opts[] = {
	{ "csv", NULL, "print CSV (one row per item or per piece of evidence)" },
	{ "level", "JJ|ZJ|GJ", "compliance: the guide's level to judge against (default: "
	    "the collector's school.level)" },
	{ "pdf", "FILE", "write a printable A4 PDF to FILE (needs Chromium)" },
	CLI_OPT_END
};

static const struct cli_opt assets_opts[] = {
	{ "csv", NULL, "print the register as CSV (formulas neutralised)" },
	CLI_OPT_END
};

static const struct cli_opt topology_opts[] = {
	{ "from", "NODE", "print only the part below NODE (a node id such as d12, or a name)" },
	{ "depth", "N", "print N levels below the start, then how many nodes lie deeper" },
	CLI_OPT_END
};

static const struct cli_opt events_opts[] = {
	{ "device", "NAME|ID", "only events of this device" },
	{ "kind", "trap|syslog|poll", "only traps, syslog lines, or interface changes a poll saw" },
	{ "severity", "S", "this level and worse: emerg, alert, crit, err, warning, notice, "
	    "info, debug" },
	{ "from", "TIME", "only events received at or after TIME" },
	{ "to", "TIME", "only events received at or before TIME" },
	{ "limit", "N", "at most N events, the newest (default 50, at most 10000)" },
	{ "follow", NULL, "keep running and print new events as they arrive (every 2 s)" },
	CLI_OPT_END
};

static const struct cli_opt alerts_opts[] = {
	{ "state", "S", "active (default: all but resolved), firing, acknowledged, "
	    "suppressed, resolved or all" },
	{ "device", "NAME|ID", "only alerts of this device" },
	{ "severity", "S", "only critical, warning or info alerts" },
	CLI_OPT_END
};

static const struct cli_opt ack_opts[] = {
	{ "comment", "TEXT", "a note for the others on call (shown on the alert)" },
	CLI_OPT_END
};

const struct cli_command cli_commands[] = {
	{ "status", "", "show the collector's health (and a few figures, given a token)",
	    "Reads /api/v1/health, which needs no token: status, version, uptime, series "
	    "and queue depth. With a token it also reads /metrics and shows samples "
	    "accepted, series and write queue depth from there.",
	    NULL, 0, 0, 0, cmd_status },
	{ "token create", "NAME [--kind agent|api] [--role ROLE] [--host HOST]",
	    "create an agent or API token; its secret is shown once",
	    "Creates a token named NAME (needs an admin token). The new secret is "
	    "printed once and cannot be shown again: store it right away, e.g. in "
	    "the agent's configuration or in CAMPUSMON_TOKEN.",
	    token_create_opts, 1, 1, 0, cmd_token_create },
	{ "token list", "", "list tokens (never their secrets)",
	    "Lists every token with its id, name, kind, role, host, creation time "
	    "and whether it is revoked (needs an admin token).",
	    NULL, 0, 0, 0, cmd_token_list },
	{ "token revoke", "ID", "revoke a token by id",
	    "Revokes the token with this id (see 'campusmon token list'); the "
	    "collector refuses it from then on (needs an admin token).",
	    NULL, 1, 1, 0, cmd_token_revoke },
	{ "user unlock", "NAME", "end a web user's login locks",
	    "After too many failed logins a user name is locked for "
	    "auth.login_lockout, but only from the address the failures came from. "
	    "This ends every such lock of user NAME at once (needs an admin token, "
	    "e.g. CAMPUSMON_BOOTSTRAP_TOKEN on the collector's host).",
	    NULL, 1, 1, 0, cmd_user_unlock },
	{ "series", "[--host HOST] [--measurement M] [--field F]",
	    "list series with their last values",
	    "Lists the series catalogue: id, host, measurement, tags, field, last "
	    "value and how long ago it arrived. Use the id with 'campusmon query'.",
	    series_opts, 0, 0, 0, cmd_series },
	{ "query", "SERIES [--from TIME] [--to TIME] [--step DURATION] [--cf CF]",
	    "print one series' values over a time range",
	    "Prints the values of series SERIES (an id from 'campusmon series'), one "
	    "line per step: the time in ISO 8601 local time and the value ('-' where "
	    "nothing was stored). TIME is Unix seconds, 'now', relative to now "
	    "(-30m, -1h, -7d) or an ISO 8601 date or time such as 2024-05-01 or "
	    "2024-05-01T08:00 (local time unless it ends in Z or +HH:MM).",
	    query_opts, 1, 1, 0, cmd_query },
	{ "events", "[QUERY] [--device D] [--kind K] [--severity S] [--from TIME] [--to TIME] "
	    "[--limit N] [--follow]",
	    "search traps and syslog; --follow tails them",
	    "Prints traps, syslog lines and interface changes seen by polls, oldest "
	    "first, one line each: receive time, device (or source address), "
	    "severity, kind, program and message, then '(alert #ID)' when a log rule "
	    "linked the event to alert ID. QUERY is SQLite FTS5 syntax over "
	    "message, program and device: words (all must match), \"a phrase\", OR, "
	    "NOT, prefix*; quote words with punctuation (\"LINK-3-UPDOWN\"). A bad "
	    "QUERY is an error from the collector. With --json: the API's objects.",
	    events_opts, 0, 1, 0, cmd_events },
	{ "backup", "DIR", "copy the collector's data on the collector's host",
	    "Asks the collector to write a consistent copy of its state database "
	    "(DIR/state.db), RRD files (DIR/rrd/), events (DIR/events.db), "
	    "notification outbox (DIR/outbox.db) and acknowledgement-link key "
	    "(DIR/notify.key) while it keeps running (needs an admin token); files "
	    "are 0600. DIR is made absolute against the current directory, but the "
	    "copy is written on the collector's host, by the collector's user, which "
	    "must be able to create DIR. To restore, stop the collector and copy DIR "
	    "keeping modes (cp -a DIR/. DATA/) into an empty data folder.",
	    NULL, 1, 1, 0, cmd_backup },
	{ "alerts", "[--state S] [--device NAME|ID] [--severity S]", "list alerts",
	    "Lists alerts, newest first: id, state, severity, device, rule, value, "
	    "how long ago it started and its message. A device behind a down "
	    "device shows 'suppressed (under ID)', ID being the root cause's alert; "
	    "the root shows how many it affects. With --json: the API's objects "
	    "(docs/alerts.md).",
	    alerts_opts, 0, 0, 0, cmd_alerts },
	{ "ack", "ID [--comment TEXT]", "acknowledge an alert",
	    "Acknowledges alert ID (needs an operator or admin token): it stays "
	    "open until it recovers but is no longer escalated, and the notifier "
	    "tells the others who took it. The acknowledgement is audited.",
	    ack_opts, 1, 1, 0, cmd_ack },
	{ "channels", "", "list notification channels and how their deliveries went",
	    "Lists the channels of notify.channels: name, type, how long ago one last "
	    "delivered, messages sent, failed attempts, dead letters and the last "
	    "error (docs/notifications.md).",
	    NULL, 0, 0, 0, cmd_channels },
	{ "channel test", "NAME", "send a test message through a channel",
	    "Queues a test message to channel NAME (needs an operator or admin "
	    "token); its one-tap link opens a test page. The attempt is audited.",
	    NULL, 1, 1, 0, cmd_channel_test },
	{ "channel retry", "NAME", "send a channel's dead letters again",
	    "Makes the undelivered messages of channel NAME pending again (needs an "
	    "operator or admin token), e.g. once its receiver or its configuration "
	    "was fixed. The request is audited.",
	    NULL, 1, 1, 0, cmd_channel_retry },
	{ "devices", "[--kind K] [--status S] [--search TEXT]", "list devices",
	    "Lists the device inventory: id, name, address, kind, status, location "
	    "(site/building/room), how long ago it last answered and whether it is "
	    "polled, sorted by name. Hosts discovery saw that answer no SNMP are not "
	    "devices: see 'campusmon seen list'.",
	    devices_opts, 0, 0, 0, cmd_devices },
	{ "device add", "ADDR " DEVICE_USAGE "[--unmonitored]",
	    "add a device to poll over SNMP",
	    "Adds the device at ADDR (an IPv4 or IPv6 address or a host name) and "
	    "prints it (needs an admin token). The collector polls it from then on "
	    "unless --unmonitored. Secrets given on the command line are visible to "
	    "other users in the process list: put them in a file readable only by "
	    "you and give --community-file, --auth-pass-file or --priv-pass-file "
	    "('-' reads standard input). The collector stores secrets but never "
	    "returns them, and campusmon never prints them.",
	    device_add_opts, 1, 1, 0, cmd_device_add },
	{ "device show", "NAME|ID", "show a device, its interfaces and its sensors",
	    "Shows one device: identity, status, last poll, sysDescr, location, asset "
	    "fields and SNMP settings (which secrets are set, never the secrets), then "
	    "its interfaces (speed, admin/oper status, traffic in bit/s and errors per "
	    "second from the last two polls) and its sensors. With --json: "
	    "{\"device\", \"interfaces\", \"sensors\"}.",
	    NULL, 1, 1, 0, cmd_device_show },
	{ "device edit", "NAME|ID [--address ADDR] " DEVICE_USAGE
	    "[--monitored | --unmonitored]",
	    "change some fields of a device",
	    "Changes only the fields given and prints the device (needs an admin "
	    "token). An empty value clears a text field, e.g. --rack ''. Secrets "
	    "are replaced when given and kept otherwise.",
	    device_edit_opts, 1, 1, 0, cmd_device_edit },
	{ "device rm", "NAME|ID", "remove a device from the inventory",
	    "Removes the device (needs an admin token). Its series and RRD files "
	    "stay where they are.",
	    NULL, 1, 1, 0, cmd_device_rm },
	{ "discover", "CIDR[,CIDR...] | --seed ADDR --allow CIDR... [--community C]... "
	    "[--community-file F] [--credentials-file F] [--port P] [--no-recurse] [--no-wait]",
	    "sweep address ranges, or walk the campus from a seed device",
	    "With CIDR, asks the collector to sweep the ranges (IPv4 /16 to /32, IPv6 "
	    "/112 to /128; at most 65536 addresses) with SNMP, falling back to ICMP "
	    "and TCP (needs an admin token). Hosts that answer SNMP with one of the "
	    "communities are added as monitored devices; hosts that answer only ICMP "
	    "or TCP go to the seen list ('campusmon seen list'), not the inventory. "
	    "With --seed, the collector asks the seed for its LLDP management "
	    "addresses and CDP neighbour addresses and follows them from device to "
	    "device, trying the credentials in order and adding each device that "
	    "answers with the one that worked and its kind. It never sends anything "
	    "outside the --allow ranges: seeds outside are refused and neighbours "
	    "outside are listed as skipped. campusmon shows the progress until the "
	    "job is done, then what was found (and skipped, and why). Stopping "
	    "campusmon does not stop the job.",
	    discover_opts, 0, 1, 0, cmd_discover },
	{ "seen list", "[--limit N] [--offset N]", "list hosts discovery saw that are not devices",
	    "Lists the hosts a sweep saw answering ICMP or TCP but not SNMP: address, "
	    "what answered, first and last seen, sorted by address. Adopt them with "
	    "'campusmon seen adopt', forget them with 'campusmon seen rm'.",
	    seen_opts, 0, 0, 0, cmd_seen },
	{ "seen adopt", "ADDR... | --all [--community C]", "make seen hosts monitored devices",
	    "Adds each named seen host (or every one, with --all) to the inventory as "
	    "a monitored SNMP device named by its address, and removes it from the "
	    "seen list (needs an admin token).",
	    seen_adopt_opts, 0, 16, 0, cmd_seen_adopt },
	{ "seen rm", "ADDR... | --all", "forget seen hosts",
	    "Removes the named hosts (or every one, with --all) from the seen list "
	    "(needs an admin token). A later sweep may see them again.",
	    seen_rm_opts, 0, 16, 0, cmd_seen_rm },
	{ "report", "coverage|compliance [--csv] [--level JJ|ZJ|GJ] [--pdf FILE]",
	    "the auditors' coverage or compliance report",
	    "coverage: how many of the inventoried items (assets, devices, hosts seen by "
	    "discovery, unmanaged neighbours) are monitored, per kind, against the 80 % "
	    "target, and why each other one is not. compliance: the guide's indicators "
	    "(backbone and access speed, egress per person, server headroom, UPS runtime, "
	    "sensor presence, coverage) with threshold, value and evidence. Needs a token "
	    "with the audit permission (auditor or admin); each report is written to the "
	    "audit trail. --pdf renders an A4 page with a signature line through headless "
	    "Chromium (as nobody when run as root).",
	    report_opts, 1, 1, 0, cmd_report },
	{ "assets list", "[--csv]", "list the asset register and what each asset matched",
	    "Lists the asset register with the device each asset matched and by what "
	    "(serial, mac, address or name, in that order of trust), then the devices "
	    "no asset matches.",
	    assets_opts, 0, 0, 0, cmd_assets },
	{ "assets import", "FILE", "replace the asset register with a CSV file",
	    "FILE ('-': standard input) is a CSV with the columns asset_tag, serial, "
	    "name, model, kind, building, room, rack, owner, address, mac (any order; "
	    "UTF-8 with or without BOM, GBK as Excel saves it, or UTF-16). The whole "
	    "register is replaced; a bad file changes nothing and the error names the "
	    "row. Needs an admin token.",
	    NULL, 1, 1, 0, cmd_assets_import },
	{ "topology", "[--from NODE] [--depth N]", "print the network as a tree from its root",
	    "Prints the collector's topology (from LLDP, CDP, FDB and ARP neighbour "
	    "tables) as a tree from topology.root, one node a line: its name, "
	    "'(unmanaged)' for neighbours that are not in the inventory, [status], kind "
	    "and address, then the link to its upstream node: the upstream's port, "
	    "the node's own port, the link's state when not up, speed, utilisation "
	    "and how it was learned when not LLDP; then building / room. Nodes whose "
	    "upstream path is not known are printed as trees of their own after the "
	    "root. Before the first neighbour walk it says there is no topology yet. "
	    "With --json: the collector's {\"nodes\", \"links\", \"root\"}.",
	    topology_opts, 0, 0, 0, cmd_topology },
	{ "help", "[COMMAND]", "describe all commands, or one",
	    NULL, NULL, 0, 2, CLI_CMD_LOCAL, cmd_help },
};
const size_t cli_n_commands = sizeof(cli_commands) / sizeof(cli_commands[0]);

static const struct cli_opt global_opts[] = {
	{ "url", "URL", "the collector's base URL" },
	{ "token", "TOKEN", "API token sent as 'Authorization: Bearer TOKEN'" },
	{ "json", NULL, "print the collector's JSON instead of a table" },
	{ "timeout", "SECONDS", "give up on a request after this long (default 30; "
	    "backup 600)" },
	{ "cacert", "FILE", "trust the CA certificates in this PEM file for https "
	    "(a private CA)" },
	{ "help", NULL, "show help (of a command, after its name)" },
	{ "version", NULL, "print the version" },
	CLI_OPT_END
};

/* ---- help ------------------------------------------------------------------------ */

/*
 * Print text wrapped at 76 columns. The cursor is at column col already;
 * lines after the first start with indent blanks.
 */
static void
print_wrapped_from(FILE *out, const char *text, int col, int indent)
{
	const int width = 76;
	int fresh = 1;		/* nothing of text printed on this line yet */
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t wl = strcspn(p, " ");
		if (wl == 0)
			break;
		if (!fresh && col + 1 + (int)wl > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			fresh = 1;
		}
		col += fprintf(out, "%s%.*s", fresh ? "" : " ", (int)wl, p);
		fresh = 0;
		p += wl;
	}
	fputc('\n', out);
}

static void
print_wrapped(FILE *out, const char *text, int indent)
{
	fprintf(out, "%*s", indent, "");
	print_wrapped_from(out, text, indent, indent);
}

static void
print_opts(FILE *out, const struct cli_opt *opts)
{
	int w = 0;
	for (const struct cli_opt *o = opts; o->name; o++) {
		int len = (int)strlen(o->name) + 2 + (o->arg ? (int)strlen(o->arg) + 1 : 0);
		if (len > w)
			w = len;
	}
	for (const struct cli_opt *o = opts; o->name; o++) {
		char head[128];
		snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
		fprintf(out, "  %-*s  ", w, head);
		print_wrapped_from(out, o->help, w + 4, w + 4);
	}
}

/*
 * "usage: campusmon NAME USAGE", wrapped at 76 columns only between the
 * top-level parts of USAGE, so "[--community C | --community-file F]"
 * stays on one line.
 */
static void
print_usage(FILE *out, const char *prefix, const struct cli_command *cmd)
{
	const int width = 76;
	int col = fprintf(out, "%s%s", prefix, cmd->name);
	int indent = col + 1 > 20 ? 8 : col + 1;
	const char *p = cmd->usage;
	while (*p) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		size_t n = 0;
		int depth = 0;
		while (p[n] && (depth > 0 || p[n] != ' ')) {
			if (p[n] == '[')
				depth++;
			else if (p[n] == ']' && depth > 0)
				depth--;
			n++;
		}
		if (col > indent && col + 1 + (int)n > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else {
			fputc(' ', out);
			col++;
		}
		col += fprintf(out, "%.*s", (int)n, p);
		p += n;
	}
	fputc('\n', out);
}

/* One line per command of a group: "  campusmon token list". */
static void
print_group_usage(FILE *out, const char *group)
{
	size_t glen = strlen(group);
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = &cli_commands[i];
		if (strncmp(c->name, group, glen) == 0 && c->name[glen] == ' ')
			print_usage(out, "  campusmon ", c);
	}
}

void
cli_print_help(FILE *out, const struct cli_command *cmd, const char *group)
{
	if (cmd != NULL) {
		print_usage(out, "usage: campusmon ", cmd);
		fputc('\n', out);
		print_wrapped(out, cmd->details ? cmd->details : cmd->help, 0);
		if (cmd->opts != NULL) {
			fprintf(out, "\noptions:\n");
			print_opts(out, cmd->opts);
		}
		if (!(cmd->flags & CLI_CMD_LOCAL)) {
			fputc('\n', out);
			print_wrapped(out, "Global options (--url, --token, --json, --timeout, "
			    "--cacert) "
			    "may come before or after the command; see 'campusmon --help'.", 0);
		}
		return;
	}
	if (group != NULL) {
		size_t glen = strlen(group);
		int first = 1;
		for (size_t i = 0; i < cli_n_commands; i++) {
			const struct cli_command *c = &cli_commands[i];
			if (strncmp(c->name, group, glen) == 0 && c->name[glen] == ' ') {
				if (!first)
					fputc('\n', out);
				cli_print_help(out, c, NULL);
				first = 0;
			}
		}
		return;
	}
	fprintf(out, "usage: campusmon [--url URL] [--token TOKEN] [--json] [--timeout SECONDS]\n"
	    "                 [--cacert FILE] COMMAND [ARGS...]\n\n"
	    "Talks to a campusmon collector through its JSON API.\n\ncommands:\n");
	int w = 0;
	for (size_t i = 0; i < cli_n_commands; i++)
		if ((int)strlen(cli_commands[i].name) > w)
			w = (int)strlen(cli_commands[i].name);
	for (size_t i = 0; i < cli_n_commands; i++)
		fprintf(out, "  %-*s  %s\n", w, cli_commands[i].name, cli_commands[i].help);
	fprintf(out, "\nglobal options:\n");
	print_opts(out, global_opts);
	fprintf(out, "\n");
	print_wrapped(out, "The URL comes from --url, else $CAMPUSMON_URL, else 'url:' in "
	    "~/.config/campusmon/cli.yaml (which must be private to you: chmod 600), else "
	    CLI_DEFAULT_URL "; the token from --token, else $CAMPUSMON_TOKEN, else 'token:' "
	    "in that file; the CA file for https from --cacert, else $CAMPUSMON_CA, else "
	    "'cacert:' in that file, else the system's CAs.", 0);
	fprintf(out, "\n");
	print_wrapped(out, "Exit status: 0 success, 1 the collector answered with an error, "
	    "2 usage or configuration error, 3 the collector could not be reached.", 0);
	fprintf(out, "\nRun 'campusmon help COMMAND' for a command's arguments and "
	    "options.\n");
}

/* ---- errors and calls ------------------------------------------------------------ */

void
cli_error(struct cli *c, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_escape_inplace(msg);
	fprintf(c->err, "campusmon: %s\n", msg);
}

static void
print_api_error(struct cli *c, const char *method, const char *path,
    const struct cli_reply *reply)
{
	json_t *j = json_loadb(reply->body, reply->len, 0, NULL);
	const char *msg = json_string_value(json_object_get(j, "error"));
	if (msg != NULL) {
		cli_error(c, "%s (HTTP %ld)", msg, reply->status);
	} else {
		/* not ours, e.g. a proxy's page: show its first line, escaped */
		char first[160];
		size_t n = strcspn(reply->body, "\r\n");
		snprintf(first, sizeof(first), "%.*s", (int)(n < 120 ? n : 120), reply->body);
		cli_error(c, "%s %s: HTTP %ld%s%s", method, path, reply->status,
		    first[0] ? ": " : "", first);
	}
	json_decref(j);
	if (reply->status == 401 && c->token == NULL)
		fprintf(c->err, "campusmon: no token given: use --token, CAMPUSMON_TOKEN or "
		    "'token:' in ~/.config/campusmon/cli.yaml\n");
	else if (reply->status == 401)
		fprintf(c->err, "campusmon: the token from %s was refused (mistyped or "
		    "revoked?)\n", c->token_source);
}

int
cli_call(struct cli *c, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply)
{
	return cli_call_accept(c, method, path, params, n_params, json_body, reply, 0);
}

int
cli_call_accept(struct cli *c, const char *method, const char *path,
    const struct cli_param *params, size_t n_params, const char *json_body,
    struct cli_reply *reply, long accept)
{
	char err[512];
	if (cli_http_request(c->http, method, path, params, n_params, json_body, reply,
	    err, sizeof(err)) < 0) {
		cli_error(c, "cannot reach the collector at %s: %s", c->url, err);
		return CLI_EXIT_UNREACHABLE;
	}
	if ((reply->status >= 200 && reply->status < 300) || reply->status == accept)
		return CLI_EXIT_OK;
	print_api_error(c, method, path, reply);
	cli_reply_free(reply);
	return CLI_EXIT_API;
}

int
cli_call_raw(struct cli *c, const char *method, const char *path, const char *body,
    size_t len, const char *content_type, struct cli_reply *reply)
{
	char err[512];
	if (cli_http_request_raw(c->http, method, path, NULL, 0, body, len, content_type, reply,
	    err, sizeof(err)) < 0) {
		cli_error(c, "cannot reach the collector at %s: %s", c->url, err);
		return CLI_EXIT_UNREACHABLE;
	}
	if (reply->status >= 200 && reply->status < 300)
		return CLI_EXIT_OK;
	print_api_error(c, method, path, reply);
	cli_reply_free(reply);
	return CLI_EXIT_API;
}

json_t *
cli_reply_json(struct cli *c, const struct cli_reply *reply)
{
	json_error_t jerr;
	json_t *j = json_loadb(reply->body, reply->len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		cli_error(c, "the collector's answer is not JSON (%s, line %d)", jerr.text,
		    jerr.line);
	return j;
}

int
cli_call_json(struct cli *c, const char *method, const char *path, const char *json_body,
    const char *what, unsigned flags, json_t **out)
{
	struct cli_reply r;
	*out = NULL;
	int rc = cli_call(c, method, path, NULL, 0, json_body, &r);
	if (rc != CLI_EXIT_OK)
		return rc;
	json_t *j = cli_reply_json(c, &r);
	if (flags & CLI_JSON_SECRET)
		explicit_bzero(r.body, r.len);
	cli_reply_free(&r);
	if (j == NULL)
		return CLI_EXIT_API;
	int need_id = (flags & CLI_JSON_ID) != 0;
	if (what != NULL && (!json_is_object(j) || (need_id && !json_object_get(j, "id")))) {
		cli_error(c, "the collector's %s is not a JSON object%s", what,
		    need_id ? " with an id" : "");
		json_decref(j);
		return CLI_EXIT_API;
	}
	*out = j;
	return CLI_EXIT_OK;
}

int
cli_get_array(struct cli *c, const char *path, const struct cli_param *params,
    size_t n_params, const char *what, int print_json, json_t **out)
{
	struct cli_reply r;
	*out = NULL;
	json_t *all = NULL;
	char *next = NULL;
	/* pages: follow each Link rel="next" until the last (bounded, in case of a loop) */
	for (int page = 0; page < CLI_MAX_PAGES; page++) {
		int rc = next ? cli_call(c, "GET", next, NULL, 0, NULL, &r) :
		    cli_call(c, "GET", path, params, n_params, NULL, &r);
		free(next);
		next = NULL;
		if (rc != CLI_EXIT_OK) {
			json_decref(all);
			return rc;
		}
		json_t *j = cli_reply_json(c, &r);
		next = r.next;
		r.next = NULL;
		cli_reply_free(&r);
		if (!json_is_array(j)) {
			if (j != NULL)
				cli_error(c, "the collector's %s list is not a JSON array", what);
			json_decref(j);
			json_decref(all);
			free(next);
			return CLI_EXIT_API;
		}
		if (all == NULL)
			all = j;
		else {
			json_array_extend(all, j);
			json_decref(j);
		}
		if (next == NULL)
			break;
	}
	free(next);
	if (print_json && c->json) {
		cli_print_json(c, all);
		json_decref(all);
		return CLI_EXIT_OK;
	}
	*out = all;
	return CLI_EXIT_OK;
}

int
cli_get_csv_or_json(struct cli *c, const char *path, const struct cli_param *params,
    size_t n_params, int csv, json_t **out)
{
	struct cli_reply r;
	*out = NULL;
	int rc = cli_call(c, "GET", path, params, n_params, NULL, &r);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (csv)
		fwrite(r.body, 1, r.len, c->out);
	else
		*out = cli_reply_json(c, &r);
	cli_reply_free(&r);
	return csv || *out != NULL ? CLI_EXIT_OK : CLI_EXIT_API;
}

void
cli_print_json(struct cli *c, const json_t *j)
{
	/* ASCII-only: whatever the strings hold cannot reach the terminal raw */
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY);
	if (text != NULL) {
		fprintf(c->out, "%s\n", text);
		free(text);
	}
}

void
cli_id_text(const json_t *id, char *buf, size_t len)
{
	if (json_is_integer(id))
		snprintf(buf, len, "%lld", (long long)json_integer_value(id));
	else if (json_is_string(id))
		snprintf(buf, len, "%s", json_string_value(id));
	else
		snprintf(buf, len, "-");
}

char *
cli_object_path(struct cli *c, const char *prefix, const char *id)
{
	char *eid = cli_http_escape(c->http, id), *path = NULL;
	if (eid == NULL || asprintf(&path, "%s/%s", prefix, eid) < 0)
		path = NULL;
	free(eid);
	return path;
}

/* ---- dispatch ---------------------------------------------------------------------- */

/* The command named by the first one or two words; *group set when w1 names
 * only a group ("token"). */
static const struct cli_command *
find_command(const char *w1, const char *w2, size_t *words, int *group)
{
	*group = 0;
	for (size_t i = 0; w2 != NULL && i < cli_n_commands; i++) {
		const char *n = cli_commands[i].name, *sp = strchr(n, ' ');
		if (sp != NULL && (size_t)(sp - n) == strlen(w1) &&
		    strncmp(n, w1, (size_t)(sp - n)) == 0 && strcmp(sp + 1, w2) == 0) {
			*words = 2;
			return &cli_commands[i];
		}
	}
	for (size_t i = 0; i < cli_n_commands; i++) {
		const char *n = cli_commands[i].name;
		if (strcmp(n, w1) == 0) {
			*words = 1;
			return &cli_commands[i];
		}
		if (strncmp(n, w1, strlen(w1)) == 0 && n[strlen(w1)] == ' ')
			*group = 1;
	}
	return NULL;
}

/* The first two words of argv that are not global options or their values. */
static void
leading_words(int argc, char **argv, const char **w1, const char **w2)
{
	*w1 = *w2 = NULL;
	for (int i = 0; i < argc && *w2 == NULL; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] == '-' && a[1] != '\0') {
			const char *name = a + (a[1] == '-' ? 2 : 1);
			size_t len = strcspn(name, "=");
			const struct cli_opt *o = NULL;
			for (const struct cli_opt *g = global_opts; g->name; g++)
				if (strlen(g->name) == len && strncmp(g->name, name, len) == 0)
					o = g;
			if (o == NULL)
				break;		/* a command's option: the words came first */
			if (o->arg != NULL && name[len] != '=')
				i++;
			continue;
		}
		if (*w1 == NULL)
			*w1 = a;
		else
			*w2 = a;
	}
}

int
cmd_help(struct cli *c, const struct cli_args *args)
{
	if (args->n_pos == 0) {
		cli_print_help(c->out, NULL, NULL);
		return CLI_EXIT_OK;
	}
	size_t words;
	int group;
	const struct cli_command *cmd = find_command(args->pos[0],
	    args->n_pos > 1 ? args->pos[1] : NULL, &words, &group);
	if (cmd != NULL && words == args->n_pos) {
		cli_print_help(c->out, cmd, NULL);
		return CLI_EXIT_OK;
	}
	if (cmd == NULL && group && args->n_pos == 1) {
		cli_print_help(c->out, NULL, args->pos[0]);
		return CLI_EXIT_OK;
	}
	cli_error(c, "no command '%s%s%s'; 'campusmon help' lists them", args->pos[0],
	    args->n_pos > 1 ? " " : "", args->n_pos > 1 ? args->pos[1] : "");
	return CLI_EXIT_USAGE;
}

static int
valid_token(const char *t)
{
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return t[0] != '\0';
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Settle URL and token: option, else environment, else the user's file. */
static int
resolve_target(struct cli *c, const struct cli_args *args)
{
	const char *url = cli_args_get(args, "url"), *url_src = "--url";
	const char *token = cli_args_get(args, "token");
	const char *cacert = cli_args_get(args, "cacert"), *ca_src = "--cacert";
	c->token_source = "--token";
	if (url == NULL && (url = env_nonempty("CAMPUSMON_URL")) != NULL)
		url_src = "CAMPUSMON_URL";
	if (token == NULL && (token = env_nonempty("CAMPUSMON_TOKEN")) != NULL)
		c->token_source = "CAMPUSMON_TOKEN";
	if (cacert == NULL && (cacert = env_nonempty("CAMPUSMON_CA")) != NULL)
		ca_src = "CAMPUSMON_CA";

	struct cli_file_config fc = { NULL, NULL, NULL };
	char *path = NULL;
	if (url == NULL || token == NULL ||
	    (cacert == NULL && strncasecmp(url, "https://", 8) == 0)) {
		path = cli_config_path();
		struct cfg_errors errs = { NULL, 0 };
		int rc = path ? cli_config_load(path, &fc, &errs) : 1;
		if (rc < 0) {
			for (size_t i = 0; i < errs.n; i++)
				cli_error(c, "%s", errs.msgs[i]);
			cfg_errors_clear(&errs);
			cfg_free(cli_file_schema, &fc);
			free(path);
			return CLI_EXIT_USAGE;
		}
		if (url == NULL && fc.url != NULL)
			url = fc.url, url_src = path;
		if (token == NULL && fc.token != NULL)
			token = fc.token, c->token_source = "~/.config/campusmon/cli.yaml";
		if (cacert == NULL && fc.cacert != NULL)
			cacert = fc.cacert, ca_src = path;
	}
	if (url == NULL)
		url = CLI_DEFAULT_URL, url_src = "the default";
	int rc = CLI_EXIT_OK;
	const char *why = cli_check_url(url);
	if (why != NULL) {
		cli_error(c, "the URL from %s %s", url_src, why);
		rc = CLI_EXIT_USAGE;
	} else if (token != NULL && !valid_token(token)) {
		/* never echo it */
		cli_error(c, "the token from %s is not a token (it holds spaces, control or "
		    "non-ASCII characters)", c->token_source);
		rc = CLI_EXIT_USAGE;
	} else if (cacert != NULL && cacert[0] == '\0') {
		cli_error(c, "the CA file from %s is empty", ca_src);
		rc = CLI_EXIT_USAGE;
	} else if (cacert != NULL && access(cacert, R_OK) < 0) {
		cli_error(c, "cannot read the CA file %s (from %s): %s", cacert, ca_src,
		    strerror(errno));
		rc = CLI_EXIT_USAGE;
	} else {
		c->cacert = cacert ? strdup(cacert) : NULL;
		c->url = strdup(url);
		size_t ulen = strlen(c->url);
		while (ulen > 0 && c->url[ulen - 1] == '/')
			c->url[--ulen] = '\0';
		c->token = token ? strdup(token) : NULL;
	}
	if (fc.token != NULL)
		explicit_bzero(fc.token, strlen(fc.token));
	cfg_free(cli_file_schema, &fc);
	free(path);
	return rc;
}

static void
cli_cleanup(struct cli *c)
{
	cli_http_free(c->http);
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	free(c->url);
	free(c->cacert);
}

/* Was this global option given (not a command's option of the same name)? */
static int
global_given(const struct cli_args *args, const char *name)
{
	for (const struct cli_opt *g = global_opts; g->name; g++)
		if (strcmp(g->name, name) == 0)
			for (size_t i = 0; i < args->n_set; i++)
				if (args->set[i].opt == g)
					return 1;
	return 0;
}

int
cli_main(int argc, char **argv)
{
	struct cli c = { .out = stdout, .err = stderr, .timeout = CLI_DEFAULT_TIMEOUT };
	const char *w1, *w2;
	leading_words(argc - 1, argv + 1, &w1, &w2);

	size_t words = 0;
	int group = 0;
	const struct cli_command *cmd = w1 ? find_command(w1, w2, &words, &group) : NULL;
	struct cli_args args;
	char err[256];
	if (cli_args_parse(global_opts, cmd ? cmd->opts : NULL, argc - 1, argv + 1, &args,
	    err, sizeof(err)) < 0) {
		cli_error(&c, "%s; see 'campusmon %s%s--help'", err, cmd ? cmd->name : "",
		    cmd ? " " : "");
		return CLI_EXIT_USAGE;
	}
	if (global_given(&args, "version")) {
		printf("campusmon %s\n", PACKAGE_VERSION);
		return CLI_EXIT_OK;
	}
	if (cli_args_get(&args, "help") != NULL) {
		cli_print_help(stdout, cmd, cmd == NULL && group ? w1 : NULL);
		return CLI_EXIT_OK;
	}
	if (w1 == NULL) {
		cli_print_help(stderr, NULL, NULL);
		return CLI_EXIT_USAGE;
	}
	if (cmd == NULL) {
		if (group) {
			cli_error(&c, "'%s' needs a subcommand:", w1);
			print_group_usage(stderr, w1);
		} else {
			cli_error(&c, "no command '%s'; 'campusmon help' lists them", w1);
		}
		return CLI_EXIT_USAGE;
	}
	/* the command's words are the first positionals; drop them */
	memmove(args.pos, args.pos + words, (args.n_pos - words) * sizeof(args.pos[0]));
	args.n_pos -= words;
	if (args.n_pos < cmd->min_pos || args.n_pos > cmd->max_pos) {
		/* the arguments, with the options summed up: the whole line is long */
		const char *opts = strstr(cmd->usage, "[--");
		int n = opts ? (int)(opts - cmd->usage) : (int)strlen(cmd->usage);
		while (n > 0 && cmd->usage[n - 1] == ' ')
			n--;
		cli_error(&c, "usage: campusmon %s%s%.*s%s (see 'campusmon help %s')", cmd->name,
		    n ? " " : "", n, cmd->usage, opts ? " [options]" : "", cmd->name);
		return CLI_EXIT_USAGE;
	}
	c.json = cli_args_get(&args, "json") != NULL;
	const char *t = cli_args_get(&args, "timeout");
	if (t != NULL) {
		char *end;
		long v = strtol(t, &end, 10);
		if (*end != '\0' || end == t || v < 1 || v > 86400) {
			cli_error(&c, "--timeout must be whole seconds from 1 to 86400");
			return CLI_EXIT_USAGE;
		}
		c.timeout = v;
		c.timeout_given = 1;
	}
	int rc;
	if (!(cmd->flags & CLI_CMD_LOCAL)) {
		if ((rc = resolve_target(&c, &args)) != CLI_EXIT_OK) {
			cli_cleanup(&c);
			return rc;
		}
		c.http = cli_http_new(c.url, c.token, c.timeout);
		if (c.http != NULL && c.cacert != NULL && cli_http_set_cainfo(c.http,
		    c.cacert) < 0) {
			cli_http_free(c.http);
			c.http = NULL;
		}
		if (c.http == NULL) {
			cli_error(&c, "cannot start libcurl");
			cli_cleanup(&c);
			return CLI_EXIT_USAGE;
		}
	}
	rc = cmd->run(&c, &args);
	fflush(stdout);
	cli_cleanup(&c);
	return rc;
}
