/*
 * reports_keys.c — this subsystem's part of the configuration schema
 * (school.* and reports.*). config.c joins the parts; docs/configuration.md
 * is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"
#include "collector/reports/reports.h"

static const char *const levels[] = { "JJ", "ZJ", "GJ", NULL };

const char *
reports_level_name(int level)
{
	return level >= 0 && level < 3 ? levels[level] : "GJ";
}

const struct cfg_key reports_keys[] = {
	{ "school.name", CFG_STRING, CONFIG_OFF(school_name), "", 0, 200, NULL, NULL,
	    "the school's name, printed on reports" },
	{ "school.level", CFG_ENUM, CONFIG_OFF(school_level), "GJ", 0, 0, levels, NULL,
	    "the guide's level whose thresholds the compliance report applies: JJ, ZJ or GJ "
	    "(a request may ask for another with ?level=)" },
	{ "school.headcount", CFG_INT, CONFIG_OFF(school_headcount), "0", 0, 10000000, NULL, NULL,
	    "people on campus, for egress bandwidth per person (0: unknown, the indicator "
	    "says so)" },
	{ "school.egress", CFG_STRLIST, CONFIG_OFF(school_egress), "[]", 0, 64, NULL, NULL,
	    "the Internet links as DEVICE:PORT (device name, interface name), summed for "
	    "egress per person" },
	{ "reports.monitored_intervals", CFG_INT, CONFIG_OFF(reports_monitored_intervals), "3", 1,
	    1000, NULL, NULL,
	    "a device counts as monitored while its last good poll (or agent sample) is at "
	    "most this many of its intervals old" },
	{ "reports.assets_max_rows", CFG_INT, CONFIG_OFF(assets_max_rows), "50000", 1, 1000000,
	    NULL, NULL, "rows an asset register import may hold" },
	CFG_END
};
