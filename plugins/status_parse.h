/*
 * status_parse.h — parsers of the status pages and replies the middleware
 * and database plugins read, apart from their I/O (fixture-tested in
 * tests/unit/test_plugins_parse.c, fuzzed by tests/fuzz/fuzz_status.c).
 *
 * One style for all: a page is walked line by line (putil.h kv_lines) or
 * element by element, and each known key lands in a slot of a status_vals
 * through a table that names the key on the page, the field we send
 * (Telegraf's name) and whether the value is a gauge or a counter (sent
 * as a rate, field name ending in _ps). Unknown keys are ignored, so a
 * huge or hostile page costs one pass and nothing else.
 */
#ifndef CAMPUSMON_STATUS_PARSE_H
#define CAMPUSMON_STATUS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/putil.h"

#define STATUS_MAX 48
#define STATUS_MAX_LINES 4096	/* lines looked at per page */

enum status_kind { ST_GAUGE, ST_COUNTER, ST_INT };

struct status_key {
	const char *key;	/* as on the page */
	const char *field;	/* as sent; a counter's ends in _ps */
	enum status_kind kind;
};

struct status_table {
	const struct status_key *keys;
	size_t n;
	int nocase;		/* match keys ignoring case (MySQL) */
};

struct status_vals {
	double v[STATUS_MAX];
	unsigned char has[STATUS_MAX];
};

/* Store one (key, value) pair if the table knows the key and the value is a number. */
void status_set(const struct status_table *t, struct status_vals *out, const char *key,
    size_t klen, const char *val, size_t vlen);
/* The slot of a table key (for derived values); -1 when unknown. */
int status_slot(const struct status_table *t, const char *key);
/* Value of a slot if present: 0 and *v, else -1. */
int status_get(const struct status_table *t, const struct status_vals *vals, const char *key,
    double *v);
/*
 * Add the gauges and the rates of counters (against prev, which the
 * caller keeps per instance, STATUS_MAX entries) to f; rates (STATUS_MAX
 * entries, may be NULL) gets each counter's rate, NaN when none this time.
 */
void status_fields(const struct status_table *t, const struct status_vals *vals,
    struct pcounter *prev, double dt_s, struct fset *f, double *rates);

/* nginx stub_status. */
extern const struct status_table nginx_table;
int nginx_parse(const char *buf, size_t len, struct status_vals *out);

/* Apache mod_status "?auto": key: value lines, and the scoreboard. */
extern const struct status_table apache_table;
#define APACHE_SCOREBOARD_N 11
struct apache_scoreboard {
	long long n[APACHE_SCOREBOARD_N];	/* in apache_scoreboard_fields order */
	int has;
};
extern const char *const apache_scoreboard_fields[APACHE_SCOREBOARD_N];
int apache_parse(const char *buf, size_t len, struct status_vals *out,
    struct apache_scoreboard *sb);

/* Redis INFO: key:value lines; a few string values kept apart. */
extern const struct status_table redis_table;
struct redis_info {
	char role[16];
	char master_link_status[16];
	char rdb_last_bgsave_status[16];
	char aof_last_bgrewrite_status[16];
	long long keys, expires;	/* summed over the dbN lines */
	int has_keyspace;
};
int redis_info_parse(const char *buf, size_t len, struct status_vals *out,
    struct redis_info *info);

/* MySQL/MariaDB SHOW GLOBAL STATUS and VARIABLES (name, value) rows. */
extern const struct status_table mysql_table;
/* Replica state from SHOW SLAVE/REPLICA STATUS columns (name, value). */
struct mysql_replica {
	int present;
	int io_running, sql_running;	/* 1 yes, 0 no */
	long long lag_s;		/* -1: NULL (not replicating) */
};
void mysql_replica_column(struct mysql_replica *r, const char *name, const char *value);

/* Tomcat manager status?XML=true. */
#define TOMCAT_NAME_MAX 96
struct tomcat_memory {
	double free, total, max;
	int has;
};
struct tomcat_pool {
	char name[TOMCAT_NAME_MAX], type[32];
	double init, committed, max, used;
};
struct tomcat_connector {
	char name[TOMCAT_NAME_MAX];
	double max_threads, current_thread_count, current_threads_busy;
	double max_time, processing_time, request_count, error_count, bytes_received,
	    bytes_sent;
};
struct tomcat_status {
	struct tomcat_memory mem;
	struct tomcat_pool pools[16];
	size_t n_pools;
	struct tomcat_connector conn[8];
	size_t n_conn;
};
int tomcat_parse(const char *buf, size_t len, struct tomcat_status *out);

#endif
