/*
 * api_keys.c — this subsystem's part of the configuration schema (api.*: how much one read may return).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"

const struct cfg_key api_keys[] = {
	{ "api.max_points", CFG_INT, CONFIG_OFF(api_max_points), "10000", 100, 1000000, NULL, NULL,
	    "most points in one /api/v1/query answer: a longer range gets a coarser step" },
	{ "api.max_series_page", CFG_INT, CONFIG_OFF(api_max_series_page), "10000", 100, 1000000,
	    NULL, NULL, "most series in one /api/v1/series answer; its Link header names "
	    "the next page" },
	CFG_END
};
