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
	{ "http.max_connections", CFG_INT, OFF(http_max_connections), "0", 0, 1000000, NULL,
	    NULL, "most connections open at once (0: the descriptor limit less 64); at the "
	    "cap a new one closes the one that waited longest for its request" },
	{ "http.request_timeout", CFG_DURATION, OFF(http_request_timeout), "60s", 1, 3600,
	    NULL, NULL, "a request's head and body must arrive within this time of the "
	    "connection opening or the previous reply, else the connection is closed" },
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
	    "samples further in the future than this are dropped per line (400 partial write)" },
	{ "ingest.max_future_unbound", CFG_DURATION, OFF(max_future_unbound), "10s", 0, 86400,
	    NULL, NULL, "the same for agent tokens bound to no host (a host's last time "
	    "pushed ahead blocks its own writes until then); the smaller of the two applies" },
	{ "limits.max_series", CFG_INT, OFF(max_series), "1000000", 1, 100000000, NULL, NULL,
	    "most series in the catalogue; lines that would add more are refused (400)" },
	{ "limits.max_string_bytes", CFG_SIZE, OFF(max_string_bytes), "4KiB", 16, 1 * MiB,
	    NULL, NULL, "longest string field value; longer ones refuse their line (400)" },
	{ "limits.min_interval", CFG_DURATION, OFF(min_interval), "1s", 1, 3600, NULL, NULL,
	    "smallest RRD step of new series written with API tokens or a web session "
	    "(smaller stated intervals are raised to it)" },
	{ "limits.min_interval_agent", CFG_DURATION, OFF(min_interval_agent), "5s", 1, 3600,
	    NULL, NULL, "the same for agent tokens (an RRD file at 1 s is about 1 MB per "
	    "series with the default retention)" },
	{ "storage.data_dir", CFG_STRING, OFF(data_dir), "campusmon-data", 1, 4096, NULL,
	    NULL, "folder for the state database, journal and RRD files" },
	{ "storage.min_free", CFG_SIZE, OFF(min_free), "64MiB", 0, 1024 * 1024 * MiB, NULL,
	    NULL, "free space kept on the data folder's filesystem: below it, writes get "
	    "507 until space is freed (checked at most once a second)" },
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
	    "folder of the web UI (default: the build tree's or the installed web/); read "
	    "into memory at start, before the privilege drop, and again on SIGHUP" },
	{ "snmp.profiles_dir", CFG_STRING, OFF(profiles_dir), NULL, 0, 4096, NULL, NULL,
	    "folder of SNMP profiles (default: the build tree's or the installed ones); read "
	    "at start, before the privilege drop, and again on SIGHUP" },
	{ "snmp.timeout_ms", CFG_INT, OFF(snmp_timeout_ms), "2000", 100, 60000, NULL, NULL,
	    "wait for one SNMP reply before retrying (milliseconds)" },
	{ "snmp.retries", CFG_INT, OFF(snmp_retries), "1", 0, 10, NULL, NULL,
	    "retransmissions after the first try" },
	{ "snmp.interval", CFG_DURATION, OFF(snmp_interval), "60s", 5, 86400, NULL, NULL,
	    "poll interval of devices that set none (devices default to 60 s)" },
	{ "snmp.jitter_percent", CFG_INT, OFF(snmp_jitter_pct), "10", 0, 50, NULL, NULL,
	    "each poll starts up to this share of the interval early or late" },
	{ "snmp.max_inflight", CFG_INT, OFF(snmp_max_inflight), "1", 1, 16, NULL, NULL,
	    "requests in flight per device (1 spares the device's CPU)" },
	{ "snmp.bulk_max", CFG_INT, OFF(snmp_bulk_max), "50", 1, 200, NULL, NULL,
	    "largest GETBULK max-repetitions; shrinks by itself on tooBig or timeouts" },
	{ "snmp.max_concurrent_polls", CFG_INT, OFF(snmp_max_concurrent), "0", 0, 100000, NULL,
	    NULL, "devices polled at once (0: no limit)" },
	{ "discovery.communities", CFG_STRLIST, OFF(discovery_communities), "[public]", 0, 16,
	    NULL, NULL, "SNMP v1/v2c communities a sweep tries, in order (secret: a file that "
	    "sets it must not be readable by others)" },
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
	    NULL, NULL, "failed logins for one user name from one address (IPv6: one /64) "
	    "before that name is locked there for auth.login_lockout" },
	{ "auth.login_failures_per_address", CFG_INT, OFF(login_failures_addr), "20", 1,
	    100000, NULL, NULL, "failed logins from one address (IPv6: one /64) before it "
	    "is locked for auth.login_lockout" },
	{ "auth.login_lockout", CFG_DURATION, OFF(login_lockout), "15m", 1, 86400, NULL,
	    NULL, "window of the login failure counts, and how long a lock lasts" },
	{ "audit.retention", CFG_DURATION, OFF(audit_retention), "400d", 180 * 86400LL,
	    3660 * 86400LL, NULL, NULL, "audit entries (logins, changes) are kept this long; "
	    "at least 180 days (six months of network logs, as China's Cybersecurity Law "
	    "asks)" },
	{ "api.max_points", CFG_INT, OFF(api_max_points), "10000", 100, 1000000, NULL, NULL,
	    "most points in one /api/v1/query answer: a longer range gets a coarser step" },
	{ "api.max_series_page", CFG_INT, OFF(api_max_series_page), "10000", 100, 1000000,
	    NULL, NULL, "most series in one /api/v1/series answer; its Link header names "
	    "the next page" },
	CFG_END
};

/* Keys that hold secrets: a file setting one must be private to root and us. */
static const char *const secrets[] = { "discovery.communities", NULL };

int
collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs)
{
	memset(cfg, 0, sizeof(*cfg));
	if (cfg_defaults(collector_schema, cfg, errs) < 0)
		return -1;
	if (file != NULL && cfg_load_private_file(collector_schema, cfg, file, secrets,
	    errs) < 0)
		return -1;
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		cfg_errors_add(errs, "%s: http.tls_cert and http.tls_key go together",
		    file ? file : "config");
		return -1;
	}
	return 0;
}
