/*
 * storage_keys.c — this subsystem's part of the configuration schema (storage.*: the data folder, RRD retention, the store queue).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/store/store_internal.h"

#define KiB 1024LL
#define MiB (1024LL * 1024)

static const char *
check_retention(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		long long res, span;
		if (retention_parse(l->v[i], &res, &span) < 0)
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

const struct cfg_key storage_keys[] = {
	{ "storage.data_dir", CFG_STRING, CONFIG_OFF(data_dir), "campusmon-data", 1, 4096, NULL,
	    NULL, "folder for the state database, journal and RRD files" },
	{ "storage.min_free", CFG_SIZE, CONFIG_OFF(min_free), "64MiB", 0, 1024 * 1024 * MiB, NULL,
	    NULL, "free space kept on the data folder's filesystem: below it, writes get "
	    "507 until space is freed (checked at most once a second)" },
	{ "storage.rrdcached", CFG_STRING, CONFIG_OFF(rrdcached), NULL, 0, 512, NULL, NULL,
	    "write RRD files through rrdcached: unix:/path or host:port" },
	{ "storage.default_interval", CFG_DURATION, CONFIG_OFF(default_interval), "10s", 1, 3600,
	    NULL, NULL, "RRD step of series from writers that state no interval" },
	{ "storage.queue_max", CFG_INT, CONFIG_OFF(queue_max), "500000", 1000, 100000000, NULL,
	    NULL, "samples waiting for RRD before writes get 503" },
	{ "storage.flush_delay", CFG_DURATION, CONFIG_OFF(flush_delay), "30s", 1, 3600, NULL, NULL,
	    "longest time a sample waits (durable in the journal) before RRD" },
	{ "storage.retention", CFG_STRLIST, CONFIG_OFF(retention),
	    "[raw:1d, 5m:30d, 1h:1y, 1d:10y]", 1, 16, NULL, check_retention,
	    "RRAs as resolution:span; raw is the series' own step" },
	{ "storage.consolidation", CFG_STRLIST, CONFIG_OFF(consolidation), "[AVERAGE, MAX]", 1, 4,
	    NULL, check_consolidation, "consolidation functions of the coarser RRAs" },
	CFG_END
};
