/*
 * sp_config.h — the SNMP engine's tuning, apart from the engine so that the
 * collector's configuration embeds it: the snmp.* keys (inventory_keys.c)
 * write straight into these fields, typed as the schema's numbers are (long
 * long), and the keys without a setting keep sp_poller_config_defaults().
 */
#ifndef CAMPUSMON_SP_CONFIG_H
#define CAMPUSMON_SP_CONFIG_H

/* Engine tuning; sp_poller_config_defaults() fills sane values. */
struct sp_poller_config {
	long long timeout_ms;		/* per request attempt (default 2000) */
	long long retries;		/* retransmissions after the first try (default 1) */
	long long interval;		/* default poll interval, seconds (60) */
	long long jitter_pct;		/* ± this % of the interval per cycle (10) */
	long long start_spread_ms;	/* first polls spread over [0, this) (= interval) */
	long long max_inflight;	/* requests in flight per device (1) */
	long long bulk_max;	/* upper bound of varbinds per GETBULK reply (50) */
	long long bulk_min;	/* adaptive floor (2) */
	long long get_batch;		/* varbinds per GET request (30) */
	long long max_values;		/* values kept per poll; more is cut (200000) */
	long long max_rows_per_column;/* rows per walked column (50000) */
	long long max_concurrent_polls;/* polls running at once, 0 = unlimited */
	long long rematch_polls;	/* re-run profile matching every N polls (60) */
	long long slow_interval;	/* seconds between walks of slow tables (300):
					 * topology.interval, the neighbour tables */
};

/* Sane values for every field. */
void sp_poller_config_defaults(struct sp_poller_config *cfg);

#endif
