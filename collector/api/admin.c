/*
 * api/admin.c — tokens (create, list, revoke) and online backups. Writes to
 * the state database run on the store thread; the reply follows on the loop.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"
#include "collector/api/api.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"


struct token_job {
	struct collector *c;
	struct token_row row;
	char secret[64];
	char who[128];			/* audit_actor(): "alice" or "token:NAME" */
	char addr[64];
	int rc;
};

static void
token_create_run(struct store *st, void *arg)
{
	struct token_job *job = arg;
	job->rc = statedb_insert_token(store_db(st), &job->row);
}

static void
token_job_free(void *arg)
{
	struct token_job *job = arg;
	sodium_memzero(job->secret, sizeof(job->secret));
	free(job->row.name);
	free(job->row.kind);
	free(job->row.role);
	free(job->row.host);
	free(job);
}

static void
token_create_done(struct evhttp_request *req, void *arg)
{
	struct token_job *job = arg;
	if (job->rc == 0) {
		auth_add_row(job->c->auth, &job->row);
		audit_record(job->c, job->who, job->addr, "token.create", job->row.name, 1,
		    "id %lld, %s token, role %s%s%s", (long long)job->row.id, job->row.kind,
		    job->row.role, job->row.host ? ", host " : "",
		    job->row.host ? job->row.host : "");
	}
	if (req != NULL && job->rc == 0)
		http_reply_json(req, 201, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}",
		    "id", (json_int_t)job->row.id, "name", job->row.name, "kind", job->row.kind,
		    "role", job->row.role, "token", job->secret,
		    "host", job->row.host ? json_string(job->row.host) : json_null()));
	else if (req != NULL)
		http_reply_error(req, 500, "could not store the token");
}

static void
api_tokens_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *host = json_string_value(json_object_get(body, "host"));
	if (kind == NULL)
		kind = "agent";
	if (name == NULL || name[0] == '\0' || strlen(name) > 128 ||
	    !util_utf8_valid(name, strlen(name))) {
		http_reply_error(req, 400, "name is required (1 to 128 characters of UTF-8)");
	} else if (strcmp(kind, "agent") != 0 && strcmp(kind, "api") != 0) {
		http_reply_error(req, 400, "kind must be agent or api");
	} else if (strcmp(kind, "api") == 0 && role != NULL && perms_check_role(role) != NULL) {
		http_reply_error(req, 400, "role must be admin, operator, viewer or auditor");
	} else if (host != NULL && (strlen(host) > 255 || !util_utf8_valid(host, strlen(host)))) {
		http_reply_error(req, 400, "host must be at most 255 characters of UTF-8");
	} else {
		struct token_job *job = calloc(1, sizeof(*job));
		if (job == NULL) {
			json_decref(body);
			http_reply_error(req, 503, "out of memory");
			return;
		}
		job->c = c;
		job->row.name = strdup(name);
		job->row.kind = strdup(kind);
		job->row.role = strdup(strcmp(kind, "agent") == 0 ? "agent" :
		    role ? role : "viewer");
		job->row.host = host && host[0] ? strdup(host) : NULL;
		job->row.created = util_now();
		audit_actor(who, job->who, sizeof(job->who));
		http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
		auth_new_secret(job->secret, sizeof(job->secret), job->row.hash);
		api_defer(c, req, job, token_create_run, token_create_done, token_job_free);
	}
	json_decref(body);
}

static void
api_tokens_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	http_reply_json(req, 200, auth_tokens_json(c->auth));
}

static void
token_revoke_run(struct store *st, void *arg)
{
	struct token_job *job = arg;
	job->rc = statedb_revoke_token(store_db(st), job->row.id);
}

static void
token_revoke_done(struct evhttp_request *req, void *arg)
{
	struct token_job *job = arg;
	if (job->rc == 0) {
		auth_revoke(job->c->auth, job->row.id);
		char target[32];
		snprintf(target, sizeof(target), "id %lld", (long long)job->row.id);
		audit_record(job->c, job->who, job->addr, "token.revoke", target, 1, NULL);
	}
	if (req != NULL && job->rc == 0)
		http_reply_json(req, 204, NULL);
	else if (req != NULL)
		http_reply_error(req, 404, "no such token");
}

static void
api_tokens_revoke(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	char *end;
	long long id = strtoll(params[0], &end, 10);
	if (*end != '\0' || id <= 0) {
		http_reply_error(req, 404, "no such token");
		return;
	}
	struct token_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		http_reply_error(req, 503, "out of memory");
		return;
	}
	job->c = c;
	job->row.id = id;
	audit_actor(who, job->who, sizeof(job->who));
	http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
	api_defer(c, req, job, token_revoke_run, token_revoke_done, token_job_free);
}

/* ---- backup ------------------------------------------------------------------ */

struct backup_job {
	struct collector *c;
	char actor[160], addr[64];
	char *dir;
	char *err;
	int rc;
};

/* The state database and RRD files, on the RRD writer. */
static void
backup_run(struct store *st, void *arg)
{
	struct backup_job *job = arg;
	job->rc = store_backup(st, job->dir, &job->err);
}

/* Then the events, the outbox and notify.key, on the backup lane. */
static void
backup_others(struct store *st, void *arg)
{
	struct backup_job *job = arg;
	if (job->rc == 0)
		job->rc = store_backup_others(st, job->dir, &job->err);
}

static void
backup_done(struct evhttp_request *req, void *arg)
{
	struct backup_job *job = arg;
	const char *why = job->err ? job->err : "error";
	/* the outcome, not the intent: a refused or failed backup is ok: false */
	if (job->rc == 0)
		audit_record(job->c, job->actor, job->addr, "backup", job->dir, 1, NULL);
	else
		audit_record(job->c, job->actor, job->addr, "backup", job->dir, 0, "%s", why);
	if (req != NULL && job->rc == 0)
		http_reply_json(req, 200, json_pack("{s:s}", "dir", job->dir));
	else if (req != NULL && job->rc == -2)
		http_reply_error(req, 400, "backup refused: %s", why);
	else if (req != NULL)
		http_reply_error(req, 500, "backup failed: %s", why);
}

static void
backup_job_free(void *arg)
{
	struct backup_job *job = arg;
	free(job->dir);
	free(job->err);
	free(job);
}

static void
api_backup(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body(req);
	if (body == NULL)
		return;
	const char *dir = json_string_value(json_object_get(body, "dir"));
	if (dir == NULL || dir[0] != '/' || strlen(dir) > 1024) {
		char actor[160], addr[64];
		audit_actor(who, actor, sizeof(actor));
		http_client_addr(req, addr, sizeof(addr), NULL, 0);
		audit_record(c, actor, addr, "backup", dir && strlen(dir) <= 1024 ? dir : "-", 0,
		    "dir must be an absolute path");
		http_reply_error(req, 400, "dir must be an absolute path on the collector's host");
		json_decref(body);
		return;
	}
	struct backup_job *job = calloc(1, sizeof(*job));
	if (job == NULL || (job->dir = strdup(dir)) == NULL) {
		free(job);
		json_decref(body);
		http_reply_error(req, 503, "out of memory");
		return;
	}
	job->c = c;
	audit_actor(who, job->actor, sizeof(job->actor));
	http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
	json_decref(body);
	api_defer_backup(c, req, job, backup_run, backup_others, backup_done, backup_job_free);
}

const struct route api_admin_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/tokens", PERM_ADMIN, api_tokens_list },
	{ EVHTTP_REQ_POST, "/api/v1/tokens", PERM_ADMIN, api_tokens_create },
	{ EVHTTP_REQ_DELETE, "/api/v1/tokens/*", PERM_ADMIN, api_tokens_revoke },
	{ EVHTTP_REQ_POST, "/api/v1/backup", PERM_ADMIN, api_backup },
	ROUTES_END
};
