/*
 * collector_config.h — the collector's configuration: one struct, filled from the
 * schema that config.c joins from each subsystem's part (*_keys.c). A new
 * subsystem adds its fields in a block of its own, named by its section.
 */
#ifndef CAMPUSMON_COLLECTOR_CONFIG_H
#define CAMPUSMON_COLLECTOR_CONFIG_H

#include <stddef.h>

#include "common/cfg.h"
#include "collector/snmp/sp_config.h"

struct collector_config {
	char *listen;
	int allow_plain_remote;
	char *public_url;
	char *tls_cert;
	char *tls_key;
	long long http_timeout;
	long long http_max_header;
	long long http_max_connections;	/* 0: from the descriptor limit */
	long long http_request_timeout;
	long long max_body;
	long long max_line;
	long long max_lines;
	long long max_series_per_host;
	long long max_future;
	long long max_future_unbound;
	long long max_series;
	long long max_string_bytes;
	long long min_interval;
	long long min_interval_agent;
	long long min_free;
	struct cfg_strlist counters;	/* ingest.counters: MEASUREMENT.FIELD[*] */
	struct cfg_strlist extra_counters;	/* ingest.extra_counters: added to those */
	char *data_dir;
	char *rrdcached;
	long long default_interval;
	long long queue_max;
	long long flush_delay;
	struct cfg_strlist retention;
	struct cfg_strlist consolidation;
	char *user;
	int metrics_public;
	char *web_dir;
	char *profiles_dir;
	struct sp_poller_config snmp;	/* snmp.*: handed to the engine as is */
	long long snmp_dns_refresh;
	struct cfg_strlist snmp_dns_servers;	/* empty: /etc/resolv.conf */
	struct cfg_strlist discovery_communities;
	struct cfg_node *discovery_credentials;	/* list as in POST /api/v1/discovery; NULL: unset */
	long long discovery_concurrency;
	long long discovery_rate;
	int log_verbosity;
	/* web users (auth/accounts.c, session.c) and the audit trail (audit.c) */
	long long session_idle;
	long long session_lifetime;
	long long max_sessions;
	long long login_failures_user;
	long long login_failures_addr;
	long long login_lockout;
	long long audit_retention;
	/* topology/ (topology_keys.c) */
	char *topology_root;
	long long topology_forget;
	/* read limits (api/series.c) */
	long long api_max_points;
	long long api_max_series_page;
	/* events/: traps, syslog, the events database, log rules (events_keys.c) */
	struct cfg_strlist traps_listen;
	struct cfg_strlist traps_communities;
	struct cfg_node *traps_v3_users;
	struct cfg_strlist traps_names_files;
	struct cfg_strlist syslog_listen;
	long long syslog_max_message;
	long long syslog_max_connections;
	long long syslog_tcp_idle;
	long long syslog_rcvbuf;
	long long events_rate_limit;
	long long events_queue_max;
	long long events_retention;
	long long events_max_size;
	struct cfg_node *events_rules;
	int events_default_rules;
	/* notifications (notify/) */
	struct cfg_node *notify_channels;
	struct cfg_node *notify_routes;
	long long notify_max_concurrent;
	long long notify_timeout;
	long long notify_retry_max;
	long long notify_give_up;
	long long notify_ack_ttl;
	long long notify_rate;
	long long notify_keep_sent;	/* outbox retention (notify/retain.c) */
	long long notify_keep_dead;
	/* alerts (collector/alert/alert_keys.c) */
	int alerts_evaluate;
	int alerts_defaults;
	struct cfg_node *alert_rules;
	struct cfg_strlist alert_include;
	long long alert_flap_changes;
	long long alert_flap_window;
	long long alert_hold;
	long long alert_escalate_after;
	long long alert_history;
	/* reports/: the school and what its reports measure against */
	char *school_name;
	int school_level;		/* index into JJ, ZJ, GJ */
	long long school_headcount;	/* 0: unknown */
	struct cfg_strlist school_egress;	/* DEVICE:PORT of the Internet links */
	long long reports_monitored_intervals;
	long long assets_max_rows;
};

/* The whole schema, joined once from each subsystem's part (config.c);
 * each part names its fields with CONFIG_OFF. */
const struct cfg_key *collector_schema(void);
#define CONFIG_OFF(f) offsetof(struct collector_config, f)
/* Load defaults, then FILE if not NULL; returns 0 or -1 with errs filled. */
int collector_config_load(struct collector_config *cfg, const char *file,
    struct cfg_errors *errs);

#endif
