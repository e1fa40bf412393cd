/*
 * nagios.h — internals of the nagios plugin, for plugins/nagios*.c and tests.
 *
 * Output of a Nagios-compatible check (Nagios plugin guidelines §2.6):
 *   SERVICE OUTPUT | perfdata
 *   LONG OUTPUT LINE 1
 *   LONG OUTPUT LINE n | perfdata
 *   perfdata ...
 * perfdata is a space-separated list of 'label'=value[UOM];[warn];[crit];[min];[max].
 * Parsing is separate from running the check: these functions take buffers.
 */
#ifndef CAMPUSMON_NAGIOS_H
#define CAMPUSMON_NAGIOS_H

#include <stddef.h>

#include "plugins/plugin.h"

#define NAGIOS_LABEL_MAX 128
#define NAGIOS_UOM_MAX 8

/* A threshold range (guidelines §3): "10", "10:", "~:10", "10:20", "@10:20". */
struct nagios_range {
	int inside;		/* '@': alert inside [low, high], else outside */
	int has_low, has_high;	/* an absent bound is infinite */
	double low, high;
};

struct nagios_perf {
	char label[NAGIOS_LABEL_MAX];	/* unquoted, NUL-terminated */
	double value;
	char uom[NAGIOS_UOM_MAX];	/* "" when none */
	int has_warn, has_crit, has_min, has_max;
	struct nagios_range warn, crit;
	double min, max;
};

/* Called for each well-formed perfdata item; p is valid during the call. */
typedef void (*nagios_perf_fn)(const struct nagios_perf *p, void *arg);

/* Parse a range; returns 0 or -1. */
int nagios_parse_range(const char *s, size_t len, struct nagios_range *r);
/* Parse one perfdata item; returns 0, 1 for a value of "U" (unknown), -1 if malformed. */
int nagios_parse_perf_item(const char *s, size_t len, struct nagios_perf *p);
/* Parse a perfdata list; returns the number of malformed items skipped. */
int nagios_parse_perfdata(const char *s, size_t len, nagios_perf_fn fn, void *arg);
/*
 * Parse a whole check output: copies the first line's text (trimmed,
 * truncated to fit) into summary, the long text (lines 2.., trimmed, joined
 * with \n) into longtext, and reports the perfdata of every part. Returns
 * the number of malformed perfdata items skipped.
 */
int nagios_parse_output(const char *buf, size_t len, char *summary, size_t summary_len,
    char *longtext, size_t longtext_len, nagios_perf_fn fn, void *arg);
/* Exit status → service state: 0 OK, 1 WARNING, 2 CRITICAL, else 3 UNKNOWN. */
int nagios_state_from_exit(int code);

extern const struct plugin_desc nagios_plugin;

#endif
