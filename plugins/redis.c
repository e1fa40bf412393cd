/*
 * redis.c — the redis plugin: INFO over hiredis (one connection kept per
 * instance, reconnected after an error), parsed by status_parse.c.
 * Telegraf's redis measurement; counters as _ps rates.
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "plugins/builtin.h"
#include "plugins/putil.h"
#include "plugins/status_parse.h"

struct redis_config {
	char *address;
	char *password_file;
	int tls;
};

struct redis_state {
	const struct redis_config *cfg;
	char host[256], port[16];
	char password[512];
	redisContext *rc;
	struct pcounter prev[STATUS_MAX];
	double last_s;
};

#define OFF(f) offsetof(struct redis_config, f)
static const struct cfg_key redis_schema[] = {
	{ "address", CFG_STRING, OFF(address), "127.0.0.1:6379", 1, 300, NULL, NULL,
	  "host:port, or the path of a Unix socket (starting with /)." },
	{ "password_file", CFG_STRING, OFF(password_file), NULL, 0, 4096, NULL, NULL,
	  "File holding the AUTH password (first line; mode 600 or 640)." },
	{ "tls", CFG_BOOL, OFF(tls), "false", 0, 0, NULL, NULL,
	  "Connect with TLS (needs hiredis built with TLS; refused otherwise)." },
	CFG_END
};

static void *
redis_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct redis_config *c = config;
	(void)info;
	if (c->tls) {
		/* Debian's hiredis 0.14 has no TLS; hiredis_ssl came with 1.0. */
		snprintf(err, errlen, "tls: this build's hiredis has no TLS support");
		return NULL;
	}
	struct redis_state *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->cfg = c;
	if (c->address[0] != '/' && split_hostport(c->address, st->host, sizeof(st->host),
	    st->port, sizeof(st->port)) < 0) {
		snprintf(err, errlen, "address: want host:port, [v6]:port or /path/to/socket");
		free(st);
		return NULL;
	}
	if (c->password_file != NULL &&
	    secret_read(c->password_file, st->password, sizeof(st->password), err, errlen) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

static void
redis_close(struct redis_state *st)
{
	if (st->rc != NULL)
		redisFree(st->rc);
	st->rc = NULL;
}

static void
redis_free(void *p)
{
	struct redis_state *st = p;
	redis_close(st);
	memset(st->password, 0, sizeof(st->password));
	free(st);
}

static struct timeval
tv_ms(long long ms)
{
	if (ms < 1)
		ms = 1;
	return (struct timeval){ (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
}

/* A command's reply; NULL with why set on error (the connection is then dropped). */
static redisReply *
command(struct redis_state *st, char *why, size_t wlen, const char *fmt, const char *arg)
{
	redisReply *r = arg != NULL ? redisCommand(st->rc, fmt, arg) : redisCommand(st->rc, fmt);
	if (r == NULL) {
		snprintf(why, wlen, "%s", st->rc->errstr[0] ? st->rc->errstr : "no reply");
		redis_close(st);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, wlen, "%s", r->str);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

static int
redis_connect(struct redis_state *st, struct plugin_ctx *ctx, char *why, size_t wlen)
{
	struct timeval tv = tv_ms(plugin_deadline_ms(ctx));
	st->rc = st->cfg->address[0] == '/' ?
	    redisConnectUnixWithTimeout(st->cfg->address, tv) :
	    redisConnectWithTimeout(st->host, atoi(st->port), tv);
	if (st->rc == NULL || st->rc->err) {
		snprintf(why, wlen, "connect: %s", st->rc ? st->rc->errstr : "out of memory");
		redis_close(st);
		return -1;
	}
	if (st->password[0] != '\0') {
		redisSetTimeout(st->rc, tv_ms(plugin_deadline_ms(ctx)));
		redisReply *r = command(st, why, wlen, "AUTH %s", st->password);
		if (r == NULL) {
			redis_close(st);
			return -1;
		}
		freeReplyObject(r);
	}
	return 0;
}

static int
redis_read(void *p, struct plugin_ctx *ctx)
{
	struct redis_state *st = p;
	char why[256] = "";
	redisReply *r = NULL;

	if (st->rc == NULL && redis_connect(st, ctx, why, sizeof(why)) < 0)
		goto down;
	redisSetTimeout(st->rc, tv_ms(plugin_deadline_ms(ctx)));
	if ((r = command(st, why, sizeof(why), "INFO", NULL)) == NULL)
		goto down;
	if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
		snprintf(why, sizeof(why), "INFO: unexpected reply type %d", r->type);
		goto down;
	}
	struct status_vals v;
	struct redis_info info;
	if (redis_info_parse(r->str, r->len, &v, &info) < 0) {
		snprintf(why, sizeof(why), "INFO: no uptime_in_seconds in the reply");
		goto down;
	}
	double now = mono_s(), dt = st->last_s > 0 ? now - st->last_s : 0, hits, misses;
	st->last_s = now;
	struct fset f = { .n = 0 };
	fset_int(&f, "up", 1);
	status_fields(&redis_table, &v, st->prev, dt, &f, NULL);
	if (status_get(&redis_table, &v, "keyspace_hits", &hits) == 0 &&
	    status_get(&redis_table, &v, "keyspace_misses", &misses) == 0 && hits + misses > 0)
		fset_float(&f, "keyspace_hitrate", hits / (hits + misses));
	if (info.has_keyspace) {
		fset_int(&f, "keys", info.keys);
		fset_int(&f, "expires", info.expires);
	}
	if (info.master_link_status[0] != '\0')
		fset_int(&f, "master_link_up", strcmp(info.master_link_status, "up") == 0);
	if (info.rdb_last_bgsave_status[0] != '\0')
		fset_int(&f, "rdb_last_bgsave_ok", strcmp(info.rdb_last_bgsave_status, "ok") == 0);
	if (info.aof_last_bgrewrite_status[0] != '\0')
		fset_int(&f, "aof_last_bgrewrite_ok",
		    strcmp(info.aof_last_bgrewrite_status, "ok") == 0);
	/* Telegraf tags the role; a field keeps one series when a replica is promoted. */
	fset_str(&f, "replication_role", info.role);
	struct plugin_tag tags[] = { { "server", st->cfg->address } };
	(void)fset_submit(ctx, "redis", tags, 1, &f);
	freeReplyObject(r);
	return 0;
down:
	if (r != NULL)
		freeReplyObject(r);
	plugin_log(ctx, PLUGIN_LOG_WARN, "%s: %s", st->cfg->address, why);
	struct plugin_tag dtags[] = { { "server", st->cfg->address } };
	struct fset d = { .n = 0 };
	fset_int(&d, "up", 0);
	fset_str(&d, "error", why);
	(void)fset_submit(ctx, "redis", dtags, 1, &d);
	return 0;
}

const struct plugin_desc redis_plugin = {
	.name = "redis",
	.abi = PLUGIN_ABI,
	.schema = redis_schema,
	.config_size = sizeof(struct redis_config),
	.configure = redis_configure,
	.read = redis_read,
	.free = redis_free,
};
