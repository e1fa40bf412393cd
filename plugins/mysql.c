/*
 * mysql.c — the mysql plugin, for MySQL and MariaDB (libmariadb). One
 * connection per instance, kept between readings; per reading SHOW GLOBAL
 * STATUS, max_connections and the replica status, parsed by
 * status_parse.c's mysql table. libmariadb's connect/read/write timeouts
 * (whole seconds) are set from the read's deadline; after an error the
 * connection is dropped and made again at the next reading.
 */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/builtin.h"
#include "plugins/putil.h"
#include "plugins/status_parse.h"

struct mysql_config {
	char *dsn;
	char *host, *user, *password_file, *socket, *database;
	long long port;
};

struct mysql_state {
	const struct mysql_config *cfg;
	char host[256], user[128], socket[256], db[128];
	unsigned port;
	char password[256];
	MYSQL *my;
	struct pcounter prev[STATUS_MAX];
	double last_s;
};

#define OFF(f) offsetof(struct mysql_config, f)
static const struct cfg_key mysql_schema[] = {
	{ "dsn", CFG_STRING, OFF(dsn), NULL, 0, 1024, NULL, NULL,
	  "user@tcp(host:port)/db or user@unix(/path/to/socket)/ (Go driver form, "
	  "without a password); or use the keys below." },
	{ "host", CFG_STRING, OFF(host), NULL, 0, 255, NULL, NULL, "Server host (default: "
	  "localhost through the socket)." },
	{ "port", CFG_INT, OFF(port), "3306", 1, 65535, NULL, NULL, "TCP port." },
	{ "user", CFG_STRING, OFF(user), NULL, 0, 127, NULL, NULL, "User (needs PROCESS, and "
	  "REPLICATION CLIENT or REPLICA MONITOR for replica status)." },
	{ "password_file", CFG_STRING, OFF(password_file), NULL, 0, 4096, NULL, NULL,
	  "File holding the password (first line; mode 600 or 640)." },
	{ "socket", CFG_STRING, OFF(socket), NULL, 0, 255, NULL, NULL, "Unix socket path." },
	{ "database", CFG_STRING, OFF(database), NULL, 0, 127, NULL, NULL,
	  "Database to connect to (default: none)." },
	CFG_END
};

static void
copy(char *dst, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* user@tcp(host:port)/db or user@unix(/path)/db; a password (user:pw@) is refused. */
static int
parse_dsn(struct mysql_state *st, const char *dsn, char *err, size_t errlen)
{
	const char *at = strrchr(dsn, '@'), *p, *close;
	if (at == NULL) {
		snprintf(err, errlen, "dsn: want user@tcp(host:port)/db or user@unix(/socket)/");
		return -1;
	}
	if (memchr(dsn, ':', (size_t)(at - dsn)) != NULL) {
		snprintf(err, errlen, "dsn: holds a password; use password_file (mode 600)");
		return -1;
	}
	copy(st->user, sizeof(st->user), dsn, (size_t)(at - dsn));
	p = at + 1;
	if ((strncmp(p, "tcp(", 4) != 0 && strncmp(p, "unix(", 5) != 0) ||
	    (close = strchr(p, ')')) == NULL) {
		snprintf(err, errlen, "dsn: want user@tcp(host:port)/db or user@unix(/socket)/");
		return -1;
	}
	if (p[0] == 'u') {
		copy(st->socket, sizeof(st->socket), p + 5, (size_t)(close - p - 5));
	} else {
		char hp[300], port[16];
		copy(hp, sizeof(hp), p + 4, (size_t)(close - p - 4));
		if (split_hostport(hp, st->host, sizeof(st->host), port, sizeof(port)) < 0) {
			snprintf(err, errlen, "dsn: tcp(host:port) wanted");
			return -1;
		}
		st->port = (unsigned)atoi(port);
	}
	if (close[1] == '/') {
		size_t n = strcspn(close + 2, "?");
		copy(st->db, sizeof(st->db), close + 2, n);
	}
	return 0;
}

static void *
mysql_configure(const void *config, const struct plugin_info *info, char *err, size_t errlen)
{
	const struct mysql_config *c = config;
	struct mysql_state *st = calloc(1, sizeof(*st));
	(void)info;
	/* The library's one-time init here, on the main thread, not racing on two workers. */
	if (st == NULL || mysql_library_init(0, NULL, NULL) != 0) {
		snprintf(err, errlen, "out of memory");
		free(st);
		return NULL;
	}
	st->cfg = c;
	st->port = (unsigned)c->port;
	if (c->dsn != NULL && parse_dsn(st, c->dsn, err, errlen) < 0)
		goto fail;
	if (c->host != NULL)
		snprintf(st->host, sizeof(st->host), "%s", c->host);
	if (c->user != NULL)
		snprintf(st->user, sizeof(st->user), "%s", c->user);
	if (c->socket != NULL)
		snprintf(st->socket, sizeof(st->socket), "%s", c->socket);
	if (c->database != NULL)
		snprintf(st->db, sizeof(st->db), "%s", c->database);
	if (c->password_file != NULL &&
	    secret_read(c->password_file, st->password, sizeof(st->password), err, errlen) < 0)
		goto fail;
	return st;
fail:
	free(st);
	return NULL;
}

static void
my_close(struct mysql_state *st)
{
	if (st->my != NULL)
		mysql_close(st->my);
	st->my = NULL;
}

static void
mysql_free_state(void *p)
{
	struct mysql_state *st = p;
	my_close(st);
	memset(st->password, 0, sizeof(st->password));
	free(st);
}

static int
my_connect(struct mysql_state *st, struct plugin_ctx *ctx, char *why, size_t wlen)
{
	unsigned secs = (unsigned)((plugin_deadline_ms(ctx) + 999) / 1000);
	if (secs < 1)
		secs = 1;
	if ((st->my = mysql_init(NULL)) == NULL) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	mysql_options(st->my, MYSQL_OPT_CONNECT_TIMEOUT, &secs);
	mysql_options(st->my, MYSQL_OPT_READ_TIMEOUT, &secs);
	mysql_options(st->my, MYSQL_OPT_WRITE_TIMEOUT, &secs);
	mysql_options(st->my, MYSQL_READ_DEFAULT_GROUP, "campusmon");
	if (mysql_real_connect(st->my, st->host[0] ? st->host : NULL,
	    st->user[0] ? st->user : NULL, st->password[0] ? st->password : NULL,
	    st->db[0] ? st->db : NULL, st->port, st->socket[0] ? st->socket : NULL, 0) == NULL) {
		snprintf(why, wlen, "connect: %s", mysql_error(st->my));
		my_close(st);
		return -1;
	}
	return 0;
}

/* Run a query whose rows are (name, value); each goes to fn. Returns 0 or -1. */
static int
name_value_rows(struct mysql_state *st, const char *q, struct status_vals *v, char *why,
    size_t wlen)
{
	if (mysql_query(st->my, q) != 0) {
		snprintf(why, wlen, "%s: %s", q, mysql_error(st->my));
		return -1;
	}
	MYSQL_RES *res = mysql_store_result(st->my);
	if (res == NULL) {
		snprintf(why, wlen, "%s: %s", q, mysql_error(st->my));
		return -1;
	}
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);
		if (mysql_num_fields(res) >= 2 && row[0] != NULL && row[1] != NULL)
			status_set(&mysql_table, v, row[0], len[0], row[1], len[1]);
	}
	mysql_free_result(res);
	return 0;
}

/* SHOW REPLICA STATUS (MariaDB 10.5+, MySQL 8.0.22+), else SHOW SLAVE STATUS. */
static void
replica_status(struct mysql_state *st, struct mysql_replica *r)
{
	memset(r, 0, sizeof(*r));
	if (mysql_query(st->my, "SHOW REPLICA STATUS") != 0 &&
	    mysql_query(st->my, "SHOW SLAVE STATUS") != 0)
		return;
	MYSQL_RES *res = mysql_store_result(st->my);
	if (res == NULL)
		return;
	MYSQL_ROW row = mysql_fetch_row(res);
	if (row != NULL) {
		MYSQL_FIELD *fields = mysql_fetch_fields(res);
		for (unsigned i = 0; i < mysql_num_fields(res); i++)
			mysql_replica_column(r, fields[i].name, row[i]);
	}
	mysql_free_result(res);
}

static int
mysql_read(void *p, struct plugin_ctx *ctx)
{
	struct mysql_state *st = p;
	char why[512] = "";
	struct status_vals v;
	struct mysql_replica rep;

	memset(&v, 0, sizeof(v));
	if (st->my == NULL && my_connect(st, ctx, why, sizeof(why)) < 0)
		goto down;
	if (name_value_rows(st, "SHOW GLOBAL STATUS", &v, why, sizeof(why)) < 0 ||
	    name_value_rows(st, "SHOW GLOBAL VARIABLES LIKE 'max_connections'", &v, why,
	    sizeof(why)) < 0) {
		my_close(st);
		goto down;
	}
	replica_status(st, &rep);

	double now = mono_s(), dt = st->last_s > 0 ? now - st->last_s : 0, rates[STATUS_MAX];
	st->last_s = now;
	struct fset f = { .n = 0 };
	fset_int(&f, "up", 1);
	status_fields(&mysql_table, &v, st->prev, dt, &f, rates);
	int rq = status_slot(&mysql_table, "Innodb_buffer_pool_read_requests");
	int rd = status_slot(&mysql_table, "Innodb_buffer_pool_reads");
	if (rq >= 0 && rd >= 0 && rates[rq] == rates[rq] && rates[rd] == rates[rd] && rates[rq] > 0)
		fset_float(&f, "innodb_buffer_pool_hit_ratio", 100.0 * (1.0 - rates[rd] / rates[rq]));
	if (rep.present) {
		fset_int(&f, "replica_io_running", rep.io_running);
		fset_int(&f, "replica_sql_running", rep.sql_running);
		if (rep.lag_s >= 0)
			fset_int(&f, "replica_lag_s", rep.lag_s);
	}
	(void)fset_submit(ctx, "mysql", NULL, 0, &f);
	return 0;
down:
	plugin_log(ctx, PLUGIN_LOG_WARN, "%s", why);
	submit_down(ctx, "mysql", why);
	return 0;
}

const struct plugin_desc mysql_plugin = {
	.name = "mysql",
	.abi = PLUGIN_ABI,
	.schema = mysql_schema,
	.config_size = sizeof(struct mysql_config),
	.configure = mysql_configure,
	.read = mysql_read,
	.free = mysql_free_state,
};
