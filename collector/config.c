/*
 * config.c — the collector's configuration: the schema joined from each
 * subsystem's part (http_keys.c, ingest_keys.c, storage_keys.c,
 * inventory_keys.c, auth_keys.c, api_keys.c, alert_keys.c) plus the process's own keys,
 * and loading a file over the defaults. docs/configuration.md is generated
 * from it with `campusmon-collector --dump-config-doc`.
 */
#include "collector/collector.h"

#include <stddef.h>
#include <string.h>

#include "collector/http/http.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"
#include "collector/auth/auth.h"
#include "collector/api/api.h"
#include "collector/notify/notify.h"
#include "collector/alert/alert.h"
#include "collector/topology/topology.h"
#include "common/log.h"


/* What belongs to no subsystem: the process itself. */
static const struct cfg_key core_keys[] = {
	{ "user", CFG_STRING, CONFIG_OFF(user), "campusmon", 1, 64, NULL, NULL,
	    "user to run as after binding, when started as root" },
	{ "metrics.public", CFG_BOOL, CONFIG_OFF(metrics_public), "no", 0, 0, NULL, NULL,
	    "serve /metrics without a token" },
	{ "web.dir", CFG_STRING, CONFIG_OFF(web_dir), NULL, 0, 4096, NULL, NULL,
	    "folder of the web UI (default: the build tree's or the installed web/); read "
	    "into memory at start, before the privilege drop, and again on SIGHUP" },
	{ "log.verbosity", CFG_INT, CONFIG_OFF(log_verbosity), "0", 0, 2, NULL, NULL,
	    "0 normal, 1 debug, 2 more debug" },
	CFG_END
};

/* Every part of the schema, in the order the reference lists them. */
static const struct cfg_key *const parts[] = {
	http_keys, ingest_keys, storage_keys, inventory_keys, auth_keys, api_keys, alert_keys,
	notify_keys, topology_keys, core_keys,
};

const struct cfg_key *
collector_schema(void)
{
	static struct cfg_key joined[128];
	static size_t n;
	if (n == 0) {
		for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
			for (const struct cfg_key *k = parts[p]; k->path != NULL; k++)
				if (n < sizeof(joined) / sizeof(joined[0]) - 1)
					joined[n++] = *k;
		/* the table is full: a key would be missing, which no user may meet */
		if (n >= sizeof(joined) / sizeof(joined[0]) - 1)
			fatalx("config: more keys than the joined schema holds");
	}
	return joined;	/* zeroed past n: CFG_END */
}

/* Keys that hold secrets: a file setting one must be private to root and us. */
static const char *const secrets[] = { "discovery.communities", "notify.channels", NULL };

int
collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs)
{
	memset(cfg, 0, sizeof(*cfg));
	if (cfg_defaults(collector_schema(), cfg, errs) < 0)
		return -1;
	if (file != NULL && cfg_load_private_file(collector_schema(), cfg, file, secrets,
	    errs) < 0)
		return -1;
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		cfg_errors_add(errs, "%s: http.tls_cert and http.tls_key go together",
		    file ? file : "config");
		return -1;
	}
	/* alert rules: every wrong one reported, naming it (rules.c) */
	struct alert_rules rules;
	int rc = alert_rules_load(cfg, &rules, errs);
	alert_rules_free(&rules);
	return rc;
}
