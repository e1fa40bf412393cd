/*
 * web_status.c — the nginx (stub_status), apache (server-status?auto) and
 * tomcat (manager status?XML=true) plugins: one config, one fetch
 * (httpfetch.c), a parser each (status_parse.c), and the fields they send.
 */
#include "plugins/builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/httpfetch.h"
#include "plugins/status_parse.h"

#define PAGE_MAX (256u * 1024)	/* a status page is a few kB; more is cut and parsed as is */

struct web_config {
	char *url;
	char *user;
	char *password_file;
};

enum web_kind { WEB_NGINX, WEB_APACHE, WEB_TOMCAT };

struct web_state {
	const struct web_config *cfg;
	enum web_kind kind;
	struct hfetch *http;
	char password[256];
	struct pcounter prev[STATUS_MAX];
	double last_s;
};

static const char *
check_url(const void *field)
{
	const char *s = *(const char *const *)field;
	if (s != NULL && strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return "must start with http:// or https://";
	return NULL;
}

#define URL_KEY(what) { "url", CFG_STRING, offsetof(struct web_config, url), NULL, 0, 2048, \
	NULL, check_url, "URL of the " what " (required)." }

static const struct cfg_key nginx_schema[] = {
	URL_KEY("stub_status page, e.g. http://127.0.0.1/nginx_status"),
	CFG_END
};
static const struct cfg_key apache_schema[] = {
	URL_KEY("mod_status page, e.g. http://127.0.0.1/server-status?auto"),
	CFG_END
};
static const struct cfg_key tomcat_schema[] = {
	URL_KEY("manager status, e.g. http://127.0.0.1:8080/manager/status?XML=true"),
	{ "user", CFG_STRING, offsetof(struct web_config, user), NULL, 0, 128, NULL, NULL,
	  "Manager user (role manager-status)." },
	{ "password_file", CFG_STRING, offsetof(struct web_config, password_file), NULL, 0,
	  4096, NULL, NULL, "File holding the user's password (first line; mode 600 or 640)." },
	CFG_END
};

static void *
web_configure(enum web_kind kind, const void *config, char *err, size_t errlen)
{
	const struct web_config *c = config;
	if (c->url == NULL) {
		snprintf(err, errlen, "url: is required");
		return NULL;
	}
	struct web_state *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->http = hfetch_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(st);
		return NULL;
	}
	st->cfg = c;
	st->kind = kind;
	if (c->password_file != NULL &&
	    secret_read(c->password_file, st->password, sizeof(st->password), err, errlen) < 0) {
		hfetch_free(st->http);
		free(st);
		return NULL;
	}
	return st;
}

static void *
nginx_configure(const void *c, const struct plugin_info *i, char *err, size_t errlen)
{
	(void)i;
	return web_configure(WEB_NGINX, c, err, errlen);
}

static void *
apache_configure(const void *c, const struct plugin_info *i, char *err, size_t errlen)
{
	(void)i;
	return web_configure(WEB_APACHE, c, err, errlen);
}

static void *
tomcat_configure(const void *c, const struct plugin_info *i, char *err, size_t errlen)
{
	(void)i;
	return web_configure(WEB_TOMCAT, c, err, errlen);
}

static void
web_free(void *p)
{
	struct web_state *st = p;
	hfetch_free(st->http);
	memset(st->password, 0, sizeof(st->password));
	free(st);
}

static const char *const main_measurement[] = { "nginx", "apache", "tomcat_jvm_memory" };

static int
submit_nginx(struct web_state *st, struct plugin_ctx *ctx, const struct hfetch_result *r,
    double dt)
{
	struct status_vals v;
	struct fset f = { .n = 0 };
	if (nginx_parse(r->body, r->body_len, &v) < 0)
		return -1;
	fset_int(&f, "up", 1);
	status_fields(&nginx_table, &v, st->prev, dt, &f, NULL);
	return fset_submit(ctx, "nginx", NULL, 0, &f);
}

static int
submit_apache(struct web_state *st, struct plugin_ctx *ctx, const struct hfetch_result *r,
    double dt)
{
	struct status_vals v;
	struct apache_scoreboard sb;
	struct fset f = { .n = 0 };
	if (apache_parse(r->body, r->body_len, &v, &sb) < 0)
		return -1;
	fset_int(&f, "up", 1);
	status_fields(&apache_table, &v, st->prev, dt, &f, NULL);
	for (size_t i = 0; sb.has && i < APACHE_SCOREBOARD_N; i++)
		fset_int(&f, apache_scoreboard_fields[i], sb.n[i]);
	return fset_submit(ctx, "apache", NULL, 0, &f);
}

static int
submit_tomcat(struct web_state *st, struct plugin_ctx *ctx, const struct hfetch_result *r)
{
	struct tomcat_status *t = malloc(sizeof(*t));
	if (t == NULL || tomcat_parse(r->body, r->body_len, t) < 0) {
		free(t);
		return -1;
	}
	(void)st;
	struct fset f = { .n = 0 };
	fset_int(&f, "up", 1);
	fset_float(&f, "free", t->mem.free);
	fset_float(&f, "total", t->mem.total);
	fset_float(&f, "max", t->mem.max);
	(void)fset_submit(ctx, "tomcat_jvm_memory", NULL, 0, &f);
	for (size_t i = 0; i < t->n_pools; i++) {
		const struct tomcat_pool *p = &t->pools[i];
		struct plugin_tag tags[] = { { "name", p->name }, { "type", p->type } };
		f.n = 0;
		fset_float(&f, "init", p->init);
		fset_float(&f, "committed", p->committed);
		fset_float(&f, "max", p->max);
		fset_float(&f, "used", p->used);
		(void)fset_submit(ctx, "tomcat_jvm_memorypool", tags, 2, &f);
	}
	for (size_t i = 0; i < t->n_conn; i++) {
		const struct tomcat_connector *c = &t->conn[i];
		struct plugin_tag tags[] = { { "name", c->name } };
		f.n = 0;
		fset_float(&f, "max_threads", c->max_threads);
		fset_float(&f, "current_thread_count", c->current_thread_count);
		fset_float(&f, "current_threads_busy", c->current_threads_busy);
		fset_float(&f, "max_time", c->max_time);
		fset_float(&f, "processing_time", c->processing_time);
		fset_float(&f, "request_count", c->request_count);
		fset_float(&f, "error_count", c->error_count);
		fset_float(&f, "bytes_received", c->bytes_received);
		fset_float(&f, "bytes_sent", c->bytes_sent);
		(void)fset_submit(ctx, "tomcat_connector", tags, 1, &f);
	}
	free(t);
	return 0;
}

static int
web_read(void *p, struct plugin_ctx *ctx)
{
	struct web_state *st = p;
	struct hfetch_result r;
	char why[320];
	const char *m = main_measurement[st->kind];
	struct hfetch_opts o = {
		.url = st->cfg->url,
		.user = st->cfg->user,
		.password = st->password,
		.max_body = PAGE_MAX,
		.timeout_ms = plugin_deadline_ms(ctx),
	};

	why[0] = '\0';
	if (hfetch_get(st->http, &o, &r) < 0) {
		snprintf(why, sizeof(why), "%s", r.error);
	} else if (r.status != 200) {
		snprintf(why, sizeof(why), "HTTP %ld from the status page%s", r.status,
		    r.status == 401 || r.status == 403 ? " (check user and password_file)" : "");
	} else {
		double now = mono_s(), dt = st->last_s > 0 ? now - st->last_s : 0;
		int rc = st->kind == WEB_NGINX ? submit_nginx(st, ctx, &r, dt) :
		    st->kind == WEB_APACHE ? submit_apache(st, ctx, &r, dt) :
		    submit_tomcat(st, ctx, &r);
		st->last_s = now;
		if (rc < 0)
			snprintf(why, sizeof(why), "not a %s status page%s", m,
			    r.truncated ? " (cut at 256 KiB)" : "");
	}
	if (why[0] != '\0') {
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s: %s", st->cfg->url, why);
		submit_down(ctx, m, why);
	}
	hfetch_result_free(&r);
	return 0;
}

#define WEB_DESC(n, schema_, conf) { .name = n, .abi = PLUGIN_ABI, .schema = schema_, \
	.config_size = sizeof(struct web_config), .configure = conf, .read = web_read, \
	.free = web_free }

const struct plugin_desc nginx_plugin = WEB_DESC("nginx", nginx_schema, nginx_configure);
const struct plugin_desc apache_plugin = WEB_DESC("apache", apache_schema, apache_configure);
const struct plugin_desc tomcat_plugin = WEB_DESC("tomcat", tomcat_schema, tomcat_configure);
