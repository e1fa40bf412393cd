/* status_parse.c — status pages and replies into status_vals (see status_parse.h). */
#include "plugins/status_parse.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int
key_match(const struct status_table *t, size_t i, const char *key, size_t klen)
{
	const char *k = t->keys[i].key;
	return strlen(k) == klen &&
	    (t->nocase ? strncasecmp(k, key, klen) == 0 : memcmp(k, key, klen) == 0);
}

void
status_set(const struct status_table *t, struct status_vals *out, const char *key,
    size_t klen, const char *val, size_t vlen)
{
	for (size_t i = 0; i < t->n && i < STATUS_MAX; i++) {
		double v;
		if (key_match(t, i, key, klen) && parse_double(val, vlen, &v) == 0) {
			out->v[i] = v;
			out->has[i] = 1;
			return;
		}
	}
}

int
status_slot(const struct status_table *t, const char *key)
{
	for (size_t i = 0; i < t->n && i < STATUS_MAX; i++)
		if (key_match(t, i, key, strlen(key)))
			return (int)i;
	return -1;
}

int
status_get(const struct status_table *t, const struct status_vals *vals, const char *key,
    double *v)
{
	int i = status_slot(t, key);
	if (i < 0 || !vals->has[i])
		return -1;
	*v = vals->v[i];
	return 0;
}

void
status_fields(const struct status_table *t, const struct status_vals *vals,
    struct pcounter *prev, double dt_s, struct fset *f, double *rates)
{
	for (size_t i = 0; i < t->n && i < STATUS_MAX; i++) {
		if (rates != NULL)
			rates[i] = NAN;
		if (!vals->has[i])
			continue;
		double r, v = vals->v[i];
		switch (t->keys[i].kind) {
		case ST_GAUGE:
			fset_float(f, t->keys[i].field, v);
			break;
		case ST_INT:
			fset_int(f, t->keys[i].field, (long long)v);
			break;
		case ST_COUNTER:
			if (v >= 0 && v < 1.8e19 &&
			    pcounter_rate(&prev[i], (uint64_t)v, dt_s, &r) == 0) {
				fset_float(f, t->keys[i].field, r);
				if (rates != NULL)
					rates[i] = r;
			}
			break;
		}
	}
}

/* ---- nginx stub_status ------------------------------------------------------
 * Active connections: 291
 * server accepts handled requests
 *  16630948 16630948 31070465
 * Reading: 6 Writing: 179 Waiting: 106
 */
static const struct status_key nginx_keys[] = {
	{ "active", "active", ST_INT },
	{ "accepts", "accepts_ps", ST_COUNTER },
	{ "handled", "handled_ps", ST_COUNTER },
	{ "requests", "requests_ps", ST_COUNTER },
	{ "reading", "reading", ST_INT },
	{ "writing", "writing", ST_INT },
	{ "waiting", "waiting", ST_INT },
};
const struct status_table nginx_table = { nginx_keys, N(nginx_keys), 0 };

/* The next blank-separated word of buf from *i; returns its length (0 at the end). */
static size_t
next_word(const char *buf, size_t len, size_t *i, const char **w)
{
	while (*i < len && (buf[*i] == ' ' || buf[*i] == '\t' || buf[*i] == '\r' ||
	    buf[*i] == '\n'))
		(*i)++;
	*w = buf + *i;
	size_t s = *i;
	while (*i < len && buf[*i] != ' ' && buf[*i] != '\t' && buf[*i] != '\r' &&
	    buf[*i] != '\n')
		(*i)++;
	return *i - s;
}

int
nginx_parse(const char *buf, size_t len, struct status_vals *out)
{
	const char *w, *prevw = "";
	size_t i = 0, wl, prevl = 0, words = 0;

	memset(out, 0, sizeof(*out));
	while ((wl = next_word(buf, len, &i, &w)) > 0 && words++ < 64) {
		int slot = -1;
		if (slice_eq(prevw, prevl, "connections:"))
			slot = 0;
		else if (slice_eq(prevw, prevl, "Reading:"))
			slot = 4;
		else if (slice_eq(prevw, prevl, "Writing:"))
			slot = 5;
		else if (slice_eq(prevw, prevl, "Waiting:"))
			slot = 6;
		if (slot >= 0) {
			status_set(&nginx_table, out, nginx_keys[slot].key,
			    strlen(nginx_keys[slot].key), w, wl);
		} else if (slice_eq(w, wl, "requests")) {
			for (int k = 1; k <= 3; k++) {
				const char *n;
				size_t nl = next_word(buf, len, &i, &n);
				status_set(&nginx_table, out, nginx_keys[k].key,
				    strlen(nginx_keys[k].key), n, nl);
			}
		}
		prevw = w;
		prevl = wl;
	}
	return out->has[0] && out->has[3] ? 0 : -1;
}

/* ---- Apache mod_status ?auto ------------------------------------------------ */
static const struct status_key apache_keys[] = {
	{ "Total Accesses", "TotalAccesses_ps", ST_COUNTER },
	{ "Total kBytes", "TotalkBytes_ps", ST_COUNTER },
	{ "CPULoad", "CPULoad", ST_GAUGE },
	{ "Uptime", "Uptime", ST_INT },
	{ "ReqPerSec", "ReqPerSec", ST_GAUGE },
	{ "BytesPerSec", "BytesPerSec", ST_GAUGE },
	{ "BytesPerReq", "BytesPerReq", ST_GAUGE },
	{ "DurationPerReq", "DurationPerReq", ST_GAUGE },
	{ "BusyWorkers", "BusyWorkers", ST_INT },
	{ "IdleWorkers", "IdleWorkers", ST_INT },
	{ "ConnsTotal", "ConnsTotal", ST_INT },
	{ "ConnsAsyncWriting", "ConnsAsyncWriting", ST_INT },
	{ "ConnsAsyncKeepAlive", "ConnsAsyncKeepAlive", ST_INT },
	{ "ConnsAsyncClosing", "ConnsAsyncClosing", ST_INT },
	{ "Load1", "Load1", ST_GAUGE },
};
const struct status_table apache_table = { apache_keys, N(apache_keys), 0 };

const char *const apache_scoreboard_fields[APACHE_SCOREBOARD_N] = {
	"scboard_waiting", "scboard_starting", "scboard_reading", "scboard_sending",
	"scboard_keepalive", "scboard_dnslookup", "scboard_closing", "scboard_logging",
	"scboard_finishing", "scboard_idle_cleanup", "scboard_open",
};
static const char scoreboard_chars[APACHE_SCOREBOARD_N + 1] = "_SRWKDCLGI.";

struct apache_walk {
	struct status_vals *out;
	struct apache_scoreboard *sb;
};

static void
apache_kv(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	struct apache_walk *a = arg;
	if (slice_eq(key, klen, "Scoreboard")) {
		memset(a->sb, 0, sizeof(*a->sb));
		a->sb->has = 1;
		for (size_t i = 0; i < vlen; i++) {
			const char *p = memchr(scoreboard_chars, val[i], APACHE_SCOREBOARD_N);
			if (p != NULL)
				a->sb->n[p - scoreboard_chars]++;
		}
		return;
	}
	status_set(&apache_table, a->out, key, klen, val, vlen);
}

int
apache_parse(const char *buf, size_t len, struct status_vals *out,
    struct apache_scoreboard *sb)
{
	struct apache_walk a = { out, sb };
	memset(out, 0, sizeof(*out));
	memset(sb, 0, sizeof(*sb));
	kv_lines(buf, len, ':', STATUS_MAX_LINES, apache_kv, &a);
	/* BusyWorkers is on every ?auto page since Apache 1.3. */
	return out->has[8] || sb->has ? 0 : -1;
}

/* ---- Redis INFO --------------------------------------------------------------- */
static const struct status_key redis_keys[] = {
	{ "uptime_in_seconds", "uptime", ST_INT },
	{ "connected_clients", "clients", ST_INT },
	{ "blocked_clients", "blocked_clients", ST_INT },
	{ "used_memory", "used_memory", ST_INT },
	{ "used_memory_rss", "used_memory_rss", ST_INT },
	{ "used_memory_peak", "used_memory_peak", ST_INT },
	{ "maxmemory", "maxmemory", ST_INT },
	{ "mem_fragmentation_ratio", "mem_fragmentation_ratio", ST_GAUGE },
	{ "total_connections_received", "total_connections_received_ps", ST_COUNTER },
	{ "total_commands_processed", "total_commands_processed_ps", ST_COUNTER },
	{ "instantaneous_ops_per_sec", "instantaneous_ops_per_sec", ST_INT },
	{ "rejected_connections", "rejected_connections_ps", ST_COUNTER },
	{ "expired_keys", "expired_keys_ps", ST_COUNTER },
	{ "evicted_keys", "evicted_keys_ps", ST_COUNTER },
	{ "keyspace_hits", "keyspace_hits_ps", ST_COUNTER },
	{ "keyspace_misses", "keyspace_misses_ps", ST_COUNTER },
	{ "connected_slaves", "connected_slaves", ST_INT },
	{ "master_repl_offset", "master_repl_offset", ST_INT },
	{ "master_last_io_seconds_ago", "master_last_io_seconds_ago", ST_INT },
	{ "master_link_down_since_seconds", "master_link_down_since_seconds", ST_INT },
	{ "loading", "loading", ST_INT },
	{ "rdb_changes_since_last_save", "rdb_changes_since_last_save", ST_INT },
	{ "rdb_bgsave_in_progress", "rdb_bgsave_in_progress", ST_INT },
	{ "rdb_last_save_time", "rdb_last_save_time", ST_INT },
	{ "aof_enabled", "aof_enabled", ST_INT },
	{ "aof_rewrite_in_progress", "aof_rewrite_in_progress", ST_INT },
	/* raw, for keyspace_hitrate (Telegraf's: cumulative hits ÷ lookups) */
	{ "keyspace_hits", "keyspace_hits", ST_INT },
	{ "keyspace_misses", "keyspace_misses", ST_INT },
};
const struct status_table redis_table = { redis_keys, N(redis_keys), 0 };

struct redis_walk {
	struct status_vals *out;
	struct redis_info *info;
};

static void
copy_word(char *dst, size_t dlen, const char *s, size_t len)
{
	size_t n = len < dlen - 1 ? len : dlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "keys=1,expires=0,avg_ttl=0" of a dbN line. */
static void
redis_keyspace(struct redis_info *info, const char *val, size_t vlen)
{
	size_t i = 0;
	while (i < vlen) {
		const char *comma = memchr(val + i, ',', vlen - i);
		size_t end = comma != NULL ? (size_t)(comma - val) : vlen;
		const char *eq = memchr(val + i, '=', end - i);
		uint64_t n;
		if (eq != NULL && parse_u64(eq + 1, (size_t)(val + end - eq - 1), &n) == 0 &&
		    n < (uint64_t)1 << 62) {
			if (slice_eq(val + i, (size_t)(eq - val - i), "keys"))
				info->keys += (long long)n;
			else if (slice_eq(val + i, (size_t)(eq - val - i), "expires"))
				info->expires += (long long)n;
		}
		i = end + 1;
	}
	info->has_keyspace = 1;
}

static void
redis_kv(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	struct redis_walk *r = arg;
	struct redis_info *in = r->info;

	if (slice_eq(key, klen, "role"))
		copy_word(in->role, sizeof(in->role), val, vlen);
	else if (slice_eq(key, klen, "master_link_status"))
		copy_word(in->master_link_status, sizeof(in->master_link_status), val, vlen);
	else if (slice_eq(key, klen, "rdb_last_bgsave_status"))
		copy_word(in->rdb_last_bgsave_status, sizeof(in->rdb_last_bgsave_status), val,
		    vlen);
	else if (slice_eq(key, klen, "aof_last_bgrewrite_status"))
		copy_word(in->aof_last_bgrewrite_status, sizeof(in->aof_last_bgrewrite_status),
		    val, vlen);
	else if (klen > 2 && klen < 8 && memcmp(key, "db", 2) == 0)
		redis_keyspace(in, val, vlen);
	else {
		/* A key may feed two slots (a rate and its raw value). */
		for (size_t i = 0; i < redis_table.n; i++) {
			double v;
			if (slice_eq(key, klen, redis_keys[i].key) &&
			    parse_double(val, vlen, &v) == 0) {
				r->out->v[i] = v;
				r->out->has[i] = 1;
			}
		}
	}
}

int
redis_info_parse(const char *buf, size_t len, struct status_vals *out,
    struct redis_info *info)
{
	struct redis_walk r = { out, info };
	memset(out, 0, sizeof(*out));
	memset(info, 0, sizeof(*info));
	kv_lines(buf, len, ':', STATUS_MAX_LINES, redis_kv, &r);
	return out->has[0] ? 0 : -1;
}

/* ---- MySQL / MariaDB ------------------------------------------------------------ */
static const struct status_key mysql_keys[] = {
	{ "Uptime", "uptime", ST_INT },
	{ "Threads_connected", "threads_connected", ST_INT },
	{ "Threads_running", "threads_running", ST_INT },
	{ "Max_used_connections", "max_used_connections", ST_INT },
	{ "max_connections", "max_connections", ST_INT },
	{ "Connections", "connections_ps", ST_COUNTER },
	{ "Aborted_clients", "aborted_clients_ps", ST_COUNTER },
	{ "Aborted_connects", "aborted_connects_ps", ST_COUNTER },
	{ "Queries", "queries_ps", ST_COUNTER },
	{ "Questions", "questions_ps", ST_COUNTER },
	{ "Slow_queries", "slow_queries_ps", ST_COUNTER },
	{ "Com_select", "commands_select_ps", ST_COUNTER },
	{ "Com_insert", "commands_insert_ps", ST_COUNTER },
	{ "Com_update", "commands_update_ps", ST_COUNTER },
	{ "Com_delete", "commands_delete_ps", ST_COUNTER },
	{ "Bytes_received", "bytes_received_ps", ST_COUNTER },
	{ "Bytes_sent", "bytes_sent_ps", ST_COUNTER },
	{ "Created_tmp_disk_tables", "created_tmp_disk_tables_ps", ST_COUNTER },
	{ "Table_locks_waited", "table_locks_waited_ps", ST_COUNTER },
	{ "Open_tables", "open_tables", ST_INT },
	{ "Innodb_buffer_pool_read_requests", "innodb_buffer_pool_read_requests_ps",
	  ST_COUNTER },
	{ "Innodb_buffer_pool_reads", "innodb_buffer_pool_reads_ps", ST_COUNTER },
	{ "Innodb_buffer_pool_pages_total", "innodb_buffer_pool_pages_total", ST_INT },
	{ "Innodb_buffer_pool_pages_free", "innodb_buffer_pool_pages_free", ST_INT },
	{ "Innodb_buffer_pool_pages_dirty", "innodb_buffer_pool_pages_dirty", ST_INT },
	{ "Innodb_row_lock_current_waits", "innodb_row_lock_current_waits", ST_INT },
	{ "Innodb_row_lock_waits", "innodb_row_lock_waits_ps", ST_COUNTER },
	{ "Innodb_row_lock_time", "innodb_row_lock_time_ps", ST_COUNTER },
	{ "Innodb_deadlocks", "innodb_deadlocks_ps", ST_COUNTER },
};
const struct status_table mysql_table = { mysql_keys, N(mysql_keys), 1 };

static int
yes_no(const char *v)
{
	return v != NULL && strcasecmp(v, "Yes") == 0;
}

void
mysql_replica_column(struct mysql_replica *r, const char *name, const char *value)
{
	uint64_t n;
	if (strcasecmp(name, "Slave_IO_Running") == 0 ||
	    strcasecmp(name, "Replica_IO_Running") == 0) {
		r->present = 1;
		r->io_running = yes_no(value);
	} else if (strcasecmp(name, "Slave_SQL_Running") == 0 ||
	    strcasecmp(name, "Replica_SQL_Running") == 0) {
		r->present = 1;
		r->sql_running = yes_no(value);
	} else if (strcasecmp(name, "Seconds_Behind_Master") == 0 ||
	    strcasecmp(name, "Seconds_Behind_Source") == 0) {
		r->present = 1;
		r->lag_s = value != NULL && parse_u64(value, strlen(value), &n) == 0 &&
		    n < (uint64_t)1 << 62 ? (long long)n : -1;
	}
}

/* ---- Tomcat status?XML=true ---------------------------------------------------------
 * <status><jvm><memory free='..' total='..' max='..'/>
 * <memorypool name='G1 Eden Space' type='Heap memory' usageInit='..' usageCommitted='..'
 *   usageMax='..' usageUsed='..'/></jvm>
 * <connector name='"http-nio-8080"'><threadInfo maxThreads="200" currentThreadCount="10"
 *   currentThreadsBusy="1" /><requestInfo maxTime="" processingTime="" requestCount=""
 *   errorCount="" bytesReceived="" bytesSent="" /><workers>…</workers></connector></status>
 * Elements are read one at a time with their attributes; text, comments and
 * unknown elements are skipped.
 */
struct xml_attr {
	const char *name, *val;
	size_t nlen, vlen;
};

/* Attributes of the element whose name ends at *i; stops at '>'. Returns the count. */
static size_t
xml_attrs(const char *buf, size_t len, size_t *i, struct xml_attr *a, size_t max)
{
	size_t n = 0;
	while (*i < len && buf[*i] != '>') {
		while (*i < len && (buf[*i] == ' ' || buf[*i] == '\t' || buf[*i] == '\n' ||
		    buf[*i] == '\r' || buf[*i] == '/'))
			(*i)++;
		size_t ns = *i;
		while (*i < len && buf[*i] != '=' && buf[*i] != '>' && buf[*i] != ' ' &&
		    buf[*i] != '/')
			(*i)++;
		size_t ne = *i;
		if (*i >= len || buf[*i] != '=') {
			if (*i < len && buf[*i] != '>')
				(*i)++;
			continue;
		}
		(*i)++;
		if (*i >= len || (buf[*i] != '"' && buf[*i] != '\''))
			continue;
		char q = buf[(*i)++];
		size_t vs = *i;
		const char *e = memchr(buf + vs, q, len - vs);
		if (e == NULL) {
			*i = len;
			break;
		}
		*i = (size_t)(e - buf) + 1;
		if (n < max)
			a[n++] = (struct xml_attr){ buf + ns, buf + vs, ne - ns, (size_t)(e - buf) - vs };
	}
	return n;
}

static void
attr_num(const struct xml_attr *a, size_t n, const char *name, double *out)
{
	for (size_t k = 0; k < n; k++)
		if (slice_eq(a[k].name, a[k].nlen, name))
			(void)parse_double(a[k].val, a[k].vlen, out);
}

/* Copy an attribute, dropping &quot; and quote marks (connector names come quoted). */
static void
attr_str(const struct xml_attr *a, size_t n, const char *name, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (!slice_eq(a[k].name, a[k].nlen, name))
			continue;
		size_t o = 0;
		for (size_t j = 0; j < a[k].vlen && o + 1 < outlen; j++) {
			if (a[k].vlen - j >= 6 && memcmp(a[k].val + j, "&quot;", 6) == 0) {
				j += 5;
				continue;
			}
			if (a[k].val[j] != '"' && a[k].val[j] != '\'')
				out[o++] = a[k].val[j];
		}
		out[o] = '\0';
	}
}

int
tomcat_parse(const char *buf, size_t len, struct tomcat_status *out)
{
	struct xml_attr a[12];
	struct tomcat_connector *cur = NULL;
	size_t i = 0;
	int seen_status = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		const char *lt = memchr(buf + i, '<', len - i);
		if (lt == NULL)
			break;
		i = (size_t)(lt - buf) + 1;
		size_t ns = i;
		while (i < len && buf[i] != ' ' && buf[i] != '>' && buf[i] != '/' &&
		    buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
			i++;
		const char *name = buf + ns;
		size_t nlen = i - ns;
		size_t na = xml_attrs(buf, len, &i, a, 12);
		if (slice_eq(name, nlen, "status")) {
			seen_status = 1;
		} else if (slice_eq(name, nlen, "memory")) {
			attr_num(a, na, "free", &out->mem.free);
			attr_num(a, na, "total", &out->mem.total);
			attr_num(a, na, "max", &out->mem.max);
			out->mem.has = 1;
		} else if (slice_eq(name, nlen, "memorypool") && out->n_pools < 16) {
			struct tomcat_pool *p = &out->pools[out->n_pools++];
			attr_str(a, na, "name", p->name, sizeof(p->name));
			attr_str(a, na, "type", p->type, sizeof(p->type));
			attr_num(a, na, "usageInit", &p->init);
			attr_num(a, na, "usageCommitted", &p->committed);
			attr_num(a, na, "usageMax", &p->max);
			attr_num(a, na, "usageUsed", &p->used);
		} else if (slice_eq(name, nlen, "connector")) {
			cur = out->n_conn < 8 ? &out->conn[out->n_conn++] : NULL;
			if (cur != NULL)
				attr_str(a, na, "name", cur->name, sizeof(cur->name));
		} else if (slice_eq(name, nlen, "threadInfo") && cur != NULL) {
			attr_num(a, na, "maxThreads", &cur->max_threads);
			attr_num(a, na, "currentThreadCount", &cur->current_thread_count);
			attr_num(a, na, "currentThreadsBusy", &cur->current_threads_busy);
		} else if (slice_eq(name, nlen, "requestInfo") && cur != NULL) {
			attr_num(a, na, "maxTime", &cur->max_time);
			attr_num(a, na, "processingTime", &cur->processing_time);
			attr_num(a, na, "requestCount", &cur->request_count);
			attr_num(a, na, "errorCount", &cur->error_count);
			attr_num(a, na, "bytesReceived", &cur->bytes_received);
			attr_num(a, na, "bytesSent", &cur->bytes_sent);
		} else if (slice_eq(name, nlen, "/connector")) {
			cur = NULL;
		}
	}
	return seen_status && out->mem.has ? 0 : -1;
}
