/*
 * topology_keys.c — this subsystem's part of the configuration schema
 * (topology.*). config.c joins the parts; docs/configuration.md is
 * generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/topology/topology.h"

const struct cfg_key topology_keys[] = {
	{ "topology.root", CFG_STRING, CONFIG_OFF(topology_root), NULL, 0, 255, NULL, NULL,
	    "name of the device through which the collector reaches the campus (the top of "
	    "every upstream path); unset: guessed as the managed device with the most managed "
	    "neighbours, and the API says it was guessed" },
	{ "topology.interval", CFG_DURATION, CONFIG_OFF(topology_interval), "5m", 10, 86400, NULL,
	    NULL, "how often neighbour tables (LLDP, CDP, FDB, ARP) are walked; each device's "
	    "ordinary polls take them along when due" },
	{ "topology.forget", CFG_DURATION, CONFIG_OFF(topology_forget), "1d", 60, 31536000, NULL,
	    NULL, "a link gone from the neighbour tables stays on the map as down for this long, "
	    "then is dropped (and the drop written to the audit trail)" },
	CFG_END
};
