/* config.c — the agent.yaml schema: every key typed, bounded and documented. */
#include "agent/agent.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static const char *const log_targets[] = { "stderr", "syslog", NULL };

static const char *
check_url(const void *field)
{
	const char *url = *(const char *const *)field;
	if (url == NULL || url[0] == '\0')
		return NULL;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return "must start with http:// or https://";
	if (strchr(url, '?') != NULL || strchr(url, '#') != NULL)
		return "must be the collector's base URL, without query or fragment";
	return NULL;
}

static const char *
check_token(const void *field)
{
	const char *t = *(const char *const *)field;
	for (; t != NULL && *t != '\0'; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return "must be printable ASCII without spaces";
	return NULL;
}

static const char *
check_host(const void *field)
{
	const char *h = *(const char *const *)field;
	for (; h != NULL && *h != '\0'; h++)
		if ((unsigned char)*h < 0x20 || *h == '\\')
			return "must not hold control characters or backslashes";
	return NULL;
}

static const char *
check_sources(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++)
		if (!sources_known(l->v[i]))
			return "unknown source (cpu, mem, system, processes, diskio, disk, net, "
			    "netstat, inventory)";
	return NULL;
}

#define OFF(f) offsetof(struct agent_config, f)
#define MiB (1024LL * 1024)

const struct cfg_key agent_schema[] = {
	{ "collector.url", CFG_STRING, OFF(url), NULL, 0, 2000, NULL, check_url,
	  "Base URL of the collector (http://host:port or https://...); batches go to "
	  "{url}/api/v1/write. Required unless --once." },
	{ "collector.token", CFG_STRING, OFF(token), NULL, 0, 512, NULL, check_token,
	  "Agent token (Authorization: Bearer). A file that sets it must not be readable "
	  "by others." },
	{ "collector.ca_file", CFG_STRING, OFF(ca_file), NULL, 0, 1024, NULL, NULL,
	  "PEM CA file to verify the collector's certificate with, and nothing else "
	  "(default: the system CAs in ca_path)." },
	{ "collector.ca_path", CFG_STRING, OFF(ca_path), "/etc/ssl/certs", 0, 1024, NULL, NULL,
	  "Directory of hashed CA certificates used when ca_file is unset: OpenSSL loads "
	  "only the issuer it needs (a bundle file is parsed whole, ~1 MB per connection)." },
	{ "collector.client_cert", CFG_STRING, OFF(client_cert), NULL, 0, 1024, NULL, NULL,
	  "PEM client certificate, when the collector asks for one." },
	{ "collector.client_key", CFG_STRING, OFF(client_key), NULL, 0, 1024, NULL, NULL,
	  "PEM key of the client certificate." },
	{ "collector.proxy", CFG_STRING, OFF(proxy), NULL, 0, 1024, NULL, NULL,
	  "HTTP proxy URL; the environment's http_proxy is never used." },
	{ "collector.timeout", CFG_DURATION, OFF(timeout), "10s", 1, 300, NULL, NULL,
	  "Longest time one request may take." },
	{ "collector.connect_timeout", CFG_DURATION, OFF(connect_timeout), "5s", 1, 120,
	  NULL, NULL, "Longest time to connect." },
	{ "collector.retry_max", CFG_DURATION, OFF(retry_max), "30s", 1, 3600, NULL, NULL,
	  "Longest pause between retries (backoff doubles from 1 s, with jitter)." },
	{ "interval", CFG_DURATION, OFF(interval), "10s", 1, 3600, NULL, NULL,
	  "Collection interval; readings are taken at multiples of it (wall clock)." },
	{ "host", CFG_STRING, OFF(host), "", 0, 253, NULL, check_host,
	  "Value of the host tag; empty: the short hostname." },
	{ "spool.dir", CFG_STRING, OFF(spool_dir), "/var/lib/campusmon-agent/spool", 1, 1024,
	  NULL, NULL, "Directory of batches waiting for the collector (created 0700)." },
	{ "spool.max_size", CFG_SIZE, OFF(spool_max), "64MiB", 64 * 1024, 64 * 1024 * MiB,
	  NULL, NULL, "Bound of the spool; when full the oldest batch is dropped and counted." },
	{ "spool.rejected_keep", CFG_INT, OFF(spool_rejected_keep), "16", 0, 10000, NULL, NULL,
	  "Batches the collector refused (HTTP 400) kept in spool.dir/rejected for a look." },
	{ "filesystems.include_pseudo", CFG_BOOL, OFF(fs_include_pseudo), "no", 0, 0, NULL,
	  NULL, "Also report pseudo and container-overlay filesystems (tmpfs, overlay, "
	  "squashfs...)." },
	{ "filesystems.include_remote", CFG_BOOL, OFF(fs_include_remote), "no", 0, 0, NULL,
	  NULL, "Also report network filesystems (nfs, cifs...); a dead server can then "
	  "stall collection." },
	{ "filesystems.exclude_types", CFG_STRLIST, OFF(fs_exclude_types), NULL, 0, 64, NULL,
	  NULL, "Filesystem types (glob patterns) to leave out." },
	{ "filesystems.exclude_paths", CFG_STRLIST, OFF(fs_exclude_paths), NULL, 0, 64, NULL,
	  NULL, "Mount points (glob patterns) to leave out." },
	{ "diskio.exclude", CFG_STRLIST, OFF(diskio_exclude), "[\"loop*\", \"ram*\"]", 0, 64,
	  NULL, NULL, "Block devices (glob patterns) to leave out." },
	{ "net.exclude", CFG_STRLIST, OFF(net_exclude), "[\"lo\"]", 0, 64, NULL, NULL,
	  "Network interfaces (glob patterns) to leave out." },
	{ "disable", CFG_STRLIST, OFF(disable), NULL, 0, 16, NULL, check_sources,
	  "Sources not to collect: cpu, mem, system, processes, diskio, disk, net, netstat, "
	  "inventory." },
	{ "slow_interval", CFG_DURATION, OFF(slow_interval), "60s", 0, 3600, NULL, NULL,
	  "How often the costly sources run: processes (reads every /proc/PID/stat) and netstat "
	  "(walks the kernel's TCP table); at most once per interval; 0: every interval." },
	{ "inventory.interval", CFG_DURATION, OFF(inventory_interval), "24h", 60, 30 * 86400,
	  NULL, NULL, "How often the host inventory is sent (also at start)." },
	{ "paths.proc", CFG_STRING, OFF(proc_root), "/proc", 1, 1024, NULL, NULL,
	  "Where procfs is (a host's /proc mounted into a container, or test fixtures)." },
	{ "paths.sys", CFG_STRING, OFF(sys_root), "/sys", 1, 1024, NULL, NULL,
	  "Where sysfs is." },
	{ "paths.etc", CFG_STRING, OFF(etc_root), "/etc", 1, 1024, NULL, NULL,
	  "Where os-release is looked for." },
	{ "log.target", CFG_ENUM, OFF(log_target), "stderr", 0, 0, log_targets, NULL,
	  "stderr (systemd's journal takes it) or syslog (facility daemon)." },
	{ "plugin_workers", CFG_INT, OFF(plugin_workers), "4", 1, 16, NULL, NULL,
	  "Threads running plugin reads (at most one per instance, started only when plugins "
	  "are configured): a server that hangs until its timeout holds one of them." },
	{ "plugins", CFG_NODE, OFF(plugins), NULL, 0, 0, NULL, NULL,
	  "List of plugin instances: each a mapping with plugin, name, optional interval "
	  "and timeout, and the plugin's own keys (see docs/agent.md)." },
	CFG_END
};

int
agent_config_load(struct agent_config *cfg, const char *path, struct cfg_errors *errs)
{
	memset(cfg, 0, sizeof(*cfg));
	if (cfg_defaults(agent_schema, cfg, errs) < 0)
		return -1;
	if (path == NULL)
		return 0;
	/* Keep checking after an error: -t reports everything at once. */
	static const char *const secrets[] = { "collector.token", NULL };
	int rc = cfg_load_private_file(agent_schema, cfg, path, secrets, errs);
	if (cfg->plugins != NULL && cfg->plugins->kind != CFG_N_SEQ) {
		cfg_errors_add(errs, "%s:%d: plugins must be a list of mappings", path,
		    cfg->plugins->line);
		cfg_node_free(cfg->plugins);
		cfg->plugins = NULL;
		rc = -1;
	}
	return rc;
}

void
agent_config_free(struct agent_config *cfg)
{
	cfg_free(agent_schema, cfg);
}

int
agent_config_enabled(const struct agent_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->disable.n; i++)
		if (strcmp(cfg->disable.v[i], name) == 0)
			return 0;
	return 1;
}
