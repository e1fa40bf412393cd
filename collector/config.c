/*
 * config.c — the collector's configuration schema: every key with its type,
 * default, bounds and meaning (docs/configuration.md is generated from it
 * with `campusmon-collector --dump-config-doc`).
 */
#include "collector/collector.h"

#include <stddef.h>
#include <string.h>

#include "collector/store/store_internal.h"

#define OFF(f) offsetof(struct collector_config, f)
#define KiB 1024LL
#define MiB (1024LL * 1024)

static const char *
check_listen(const void *field)
{
	const char *s = *(char *const *)field;
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s || colon[1] == '\0')
		return "must be ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
	return NULL;
}

const char *
collector_check_retention(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		long long res, span;
		if (rrd_parse_retention(l->v[i], &res, &span) < 0)
			return "entries look like raw:1d or 5m:30d (resolution:span)";
	}
	return l->n == 0 ? "at least one entry is needed" : NULL;
}

static const char *
check_consolidation(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], "AVERAGE") && strcmp(l->v[i], "MAX") &&
		    strcmp(l->v[i], "MIN") && strcmp(l->v[i], "LAST"))
			return "entries are AVERAGE, MAX, MIN or LAST";
	return l->n == 0 ? "at least one entry is needed" : NULL;
}

const struct cfg_key collector_schema[] = {
	{ "http.listen", CFG_STRING, OFF(listen), "127.0.0.1:8080", 3, 256, NULL,
	    check_listen, "address and port of the web UI, API and ingest" },
	{ "http.allow_plain_remote", CFG_BOOL, OFF(allow_plain_remote), "no", 0, 0, NULL,
	    NULL, "allow plain HTTP on a non-loopback address (logs a warning)" },
	{ "http.public_url", CFG_STRING, OFF(public_url), NULL, 0, 512, NULL, NULL,
	    "base URL used in links sent out (e.g. https://monitor.school.edu.cn)" },
	{ "http.tls_cert", CFG_STRING, OFF(tls_cert), NULL, 0, 4096, NULL, NULL,
	    "PEM certificate chain: serve HTTPS" },
	{ "http.tls_key", CFG_STRING, OFF(tls_key), NULL, 0, 4096, NULL, NULL,
	    "PEM private key for http.tls_cert" },
	{ "http.timeout", CFG_DURATION, OFF(http_timeout), "30s", 1, 600, NULL, NULL,
	    "idle and read timeout of a connection" },
	{ "http.max_header_size", CFG_SIZE, OFF(http_max_header), "16KiB", 1 * KiB,
	    1 * MiB, NULL, NULL, "largest request header block" },
	{ "ingest.max_body", CFG_SIZE, OFF(max_body), "16MiB", 1 * KiB, 1024 * MiB, NULL,
	    NULL, "largest write body, after gzip decompression (413 beyond)" },
	{ "ingest.max_line_length", CFG_SIZE, OFF(max_line), "64KiB", 256, 16 * MiB, NULL,
	    NULL, "longest line of line protocol" },
	{ "ingest.max_lines", CFG_INT, OFF(max_lines), "1000000", 1, 100000000, NULL, NULL,
	    "most lines in one write request (413 beyond)" },
	{ "ingest.max_series_per_host", CFG_INT, OFF(max_series_per_host), "100000", 1,
	    10000000, NULL, NULL, "most series one host may create" },
	{ "ingest.max_future", CFG_DURATION, OFF(max_future), "5m", 0, 86400, NULL, NULL,
	    "samples further in the future than this are refused per line" },
	{ "ingest.counters", CFG_STRLIST, OFF(counters),
	    "[net.bytes_recv, net.bytes_sent, net.packets_recv, net.packets_sent, "
	    "net.err_in, net.err_out, net.drop_in, net.drop_out, "
	    "net.tcp_activeopens, net.tcp_passiveopens, net.tcp_attemptfails, "
	    "net.tcp_estabresets, net.tcp_insegs, net.tcp_outsegs, net.tcp_retranssegs, "
	    "net.tcp_inerrs, net.tcp_outrsts, net.udp_indatagrams, net.udp_outdatagrams, "
	    "net.udp_noports, net.udp_inerrors, net.udp_rcvbuferrors, net.udp_sndbuferrors, "
	    "net.ip_inreceives, net.ip_outrequests, net.ip_indiscards, net.ip_outdiscards, "
	    "net.icmp_inmsgs, net.icmp_outmsgs, net.icmp_inerrors, "
	    "diskio.reads, diskio.writes, diskio.read_bytes, diskio.write_bytes, "
	    "diskio.read_time, diskio.write_time, diskio.io_time, diskio.weighted_io_time, "
	    "diskio.merged_reads, diskio.merged_writes, "
	    "kernel.context_switches, kernel.interrupts, kernel.processes_forked, "
	    "kernel.disk_pages_in, kernel.disk_pages_out, nstat.*]", 0, 256, NULL,
	    collector_check_counters,
	    "cumulative fields stored as per-second rates named FIELD_ps (MEASUREMENT.FIELD, "
	    "FIELD may end in *); the defaults are Telegraf's counters of net (with its "
	    "netstat-style protocol counters), diskio, kernel and nstat; [] turns this off" },
	{ "ingest.extra_counters", CFG_STRLIST, OFF(extra_counters), "[]", 0, 256, NULL,
	    collector_check_counters,
	    "more cumulative fields turned into rates, added to ingest.counters "
	    "(e.g. [snmp.ifHCInOctets, mysql.queries])" },
	{ "storage.data_dir", CFG_STRING, OFF(data_dir), "campusmon-data", 1, 4096, NULL,
	    NULL, "folder for the state database, journal and RRD files" },
	{ "storage.rrdcached", CFG_STRING, OFF(rrdcached), NULL, 0, 512, NULL, NULL,
	    "write RRD files through rrdcached: unix:/path or host:port" },
	{ "storage.default_interval", CFG_DURATION, OFF(default_interval), "10s", 1, 3600,
	    NULL, NULL, "RRD step of series from writers that state no interval" },
	{ "storage.queue_max", CFG_INT, OFF(queue_max), "500000", 1000, 100000000, NULL,
	    NULL, "samples waiting for RRD before writes get 503" },
	{ "storage.flush_delay", CFG_DURATION, OFF(flush_delay), "30s", 1, 3600, NULL, NULL,
	    "longest time a sample waits (durable in the journal) before RRD" },
	{ "storage.retention", CFG_STRLIST, OFF(retention),
	    "[raw:1d, 5m:30d, 1h:1y, 1d:10y]", 1, 16, NULL, collector_check_retention,
	    "RRAs as resolution:span; raw is the series' own step" },
	{ "storage.consolidation", CFG_STRLIST, OFF(consolidation), "[AVERAGE, MAX]", 1, 4,
	    NULL, check_consolidation, "consolidation functions of the coarser RRAs" },
	{ "user", CFG_STRING, OFF(user), "campusmon", 1, 64, NULL, NULL,
	    "user to run as after binding, when started as root" },
	{ "metrics.public", CFG_BOOL, OFF(metrics_public), "no", 0, 0, NULL, NULL,
	    "serve /metrics without a token" },
	{ "web.dir", CFG_STRING, OFF(web_dir), NULL, 0, 4096, NULL, NULL,
	    "folder of the web UI (default: the build tree's or the installed web/)" },
	{ "snmp.profiles_dir", CFG_STRING, OFF(profiles_dir), NULL, 0, 4096, NULL, NULL,
	    "folder of SNMP profiles (default: the build tree's or the installed ones)" },
	{ "snmp.timeout_ms", CFG_INT, OFF(snmp_timeout_ms), "2000", 100, 60000, NULL, NULL,
	    "wait for one SNMP reply before retrying (milliseconds)" },
	{ "snmp.retries", CFG_INT, OFF(snmp_retries), "1", 0, 10, NULL, NULL,
	    "retransmissions after the first try" },
	{ "snmp.interval", CFG_DURATION, OFF(snmp_interval), "60s", 5, 86400, NULL, NULL,
	    "poll interval of devices that set none (devices default to 60 s)" },
	{ "snmp.dns_refresh", CFG_DURATION, OFF(snmp_dns_refresh), "5m", 10, 86400, NULL, NULL,
	    "how often device addresses that are host names are looked up again (evdns; a "
	    "changed address is polled from then on)" },
	{ "snmp.dns_servers", CFG_STRLIST, OFF(snmp_dns_servers), "[]", 0, 8, NULL,
	    collector_check_dns_servers,
	    "name servers for device host names (ADDR or ADDR:PORT, [v6]:PORT); empty: those "
	    "of /etc/resolv.conf. /etc/hosts is read either way" },
	{ "snmp.jitter_percent", CFG_INT, OFF(snmp_jitter_pct), "10", 0, 50, NULL, NULL,
	    "each poll starts up to this share of the interval early or late" },
	{ "snmp.max_inflight", CFG_INT, OFF(snmp_max_inflight), "1", 1, 16, NULL, NULL,
	    "requests in flight per device (1 spares the device's CPU)" },
	{ "snmp.bulk_max", CFG_INT, OFF(snmp_bulk_max), "50", 1, 200, NULL, NULL,
	    "largest GETBULK max-repetitions; shrinks by itself on tooBig or timeouts" },
	{ "snmp.max_concurrent_polls", CFG_INT, OFF(snmp_max_concurrent), "0", 0, 100000, NULL,
	    NULL, "devices polled at once (0: no limit)" },
	{ "discovery.communities", CFG_STRLIST, OFF(discovery_communities), "[public]", 0, 16,
	    NULL, NULL, "SNMP v1/v2c communities a sweep tries, in order" },
	{ "discovery.concurrency", CFG_INT, OFF(discovery_concurrency), "64", 1, 4096, NULL,
	    NULL, "addresses probed at once by one sweep" },
	{ "discovery.rate", CFG_INT, OFF(discovery_rate), "200", 1, 100000, NULL, NULL,
	    "new addresses probed per second by one sweep" },
	{ "log.verbosity", CFG_INT, OFF(log_verbosity), "0", 0, 2, NULL, NULL,
	    "0 normal, 1 debug, 2 more debug" },
	{ "auth.session_idle", CFG_DURATION, OFF(session_idle), "12h", 60, 30 * 86400LL,
	    NULL, NULL, "a web session unused this long ends" },
	{ "auth.session_lifetime", CFG_DURATION, OFF(session_lifetime), "7d", 60,
	    90 * 86400LL, NULL, NULL, "a web session ends this long after login, used or not" },
	{ "auth.max_sessions", CFG_INT, OFF(max_sessions), "10000", 1, 1000000, NULL, NULL,
	    "most web sessions at once (the idlest ends when a new one needs room)" },
	{ "auth.login_failures_per_user", CFG_INT, OFF(login_failures_user), "5", 1, 1000,
	    NULL, NULL, "failed logins for one user name before it is locked for "
	    "auth.login_lockout" },
	{ "auth.login_failures_per_address", CFG_INT, OFF(login_failures_addr), "20", 1,
	    100000, NULL, NULL, "failed logins from one address (IPv6: one /64) before it "
	    "is locked for auth.login_lockout" },
	{ "auth.login_lockout", CFG_DURATION, OFF(login_lockout), "15m", 1, 86400, NULL,
	    NULL, "window of the login failure counts, and how long a lock lasts" },
	{ "audit.retention", CFG_DURATION, OFF(audit_retention), "400d", 180 * 86400LL,
	    3660 * 86400LL, NULL, NULL, "audit entries (logins, changes) are kept this long; "
	    "at least 180 days (six months of network logs, as China's Cybersecurity Law "
	    "asks)" },
	CFG_END
};

int
collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs)
{
	memset(cfg, 0, sizeof(*cfg));
	if (cfg_defaults(collector_schema, cfg, errs) < 0)
		return -1;
	if (file != NULL && cfg_load_file(collector_schema, cfg, file, errs) < 0)
		return -1;
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		cfg_errors_add(errs, "%s: http.tls_cert and http.tls_key go together",
		    file ? file : "config");
		return -1;
	}
	return 0;
}
