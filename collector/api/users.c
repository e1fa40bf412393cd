/*
 * api/users.c — login, logout, /me, user administration and the audit
 * trail over HTTP. Work with a password (login, creating a user, changing a
 * password: argon2id, slow on purpose) runs on the store's reader pool, the
 * rest of the database work on the state writer; replies follow on the loop through
 * http_pending, which tells whether the client is still there. Request
 * bodies holding passwords are wiped once read, and no log line or audit
 * entry ever holds a password.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"
#include "collector/api/api.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/util.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define MAX_HASHING 4		/* password jobs waiting for the store thread */
#define AUDIT_LIMIT_DEFAULT 500
#define AUDIT_LIMIT_MAX 10000

/* The body as a JSON object, its buffer wiped (it may hold a password). */
/* Wipe a body never parsed (it may hold a password). */
static void
body_wipe(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	unsigned char *data = len > 0 ? evbuffer_pullup(in, -1) : NULL;
	if (data != NULL)
		sodium_memzero(data, len);
}

/* Wipe and free a body that held a password. */
static void
body_free(json_t *body)
{
	json_t *pw = json_object_get(body, "password");
	const char *s = json_string_value(pw);
	if (s != NULL)
		sodium_memzero((char *)s, strlen(s));
	json_decref(body);
}

static int
hashing_busy(struct collector *c, struct evhttp_request *req)
{
	if (c->users->hashing < MAX_HASHING)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
	http_reply_error(req, 503, "busy checking other passwords; try again in a second");
	return 1;
}

/* ---- login ------------------------------------------------------------------- */

/* Is the Content-Type application/json (parameters such as charset allowed)? */
static int
is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (evutil_ascii_strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return 0;
	ct += sizeof(want) - 1;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* scheme://host[:port] of url into out (lower case, no path); -1 if not a URL. */
static int
url_origin(const char *url, char *out, size_t cap)
{
	const char *sep = strstr(url, "://");
	if (sep == NULL || sep == url)
		return -1;
	size_t n = (size_t)(sep - url) + 3;
	n += strcspn(url + n, "/?#");
	if (n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)url[i]);
	out[n] = '\0';
	return 0;
}

/*
 * A browser sends Origin on a cross-site POST; when it does, it must be this
 * server: http.public_url's origin, or the scheme and Host the request came
 * to. Without Origin (the CLI, scripts) the JSON Content-Type, which no HTML
 * form can send, is what keeps a cross-site form out.
 */
static int
origin_allowed(struct collector *c, struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *origin = evhttp_find_header(in, "Origin");
	char have[512], want[512];
	if (origin == NULL)
		return 1;
	if (url_origin(origin, have, sizeof(have)) < 0)
		return 0;	/* "null" (sandboxed or file: pages) and nonsense */
	if (c->cfg.public_url != NULL && url_origin(c->cfg.public_url, want,
	    sizeof(want)) == 0 && strcmp(have, want) == 0)
		return 1;
	const char *host = evhttp_find_header(in, "Host");
	if (host == NULL || strlen(host) > 256)
		return 0;
	snprintf(want, sizeof(want), "%s://%s", c->tls_ctx ? "https" : "http", host);
	for (char *p = want; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return strcmp(have, want) == 0;
}

#define LOCK_KEY_MAX (USERS_NAME_MAX + 96)

void
users_lock_key(const char *user, const char *addr_key, char *out, size_t cap)
{
	/* '\n' cannot occur in a user name (nor does the login take one). */
	snprintf(out, cap, "%s\n%s", user, addr_key);
}

struct login_job {
	struct collector *c;
	char user[USERS_NAME_MAX + 1];
	char password[USERS_PASSWORD_MAX + 1];
	char addr[64], addr_key[80], lock_key[LOCK_KEY_MAX];
	/* results */
	int rc;				/* 1 ok, 0 refused, -1 error */
	int64_t user_id;
	char role[16];
	const char *why;
};

static void
login_run(struct store *st, void *arg)
{
	struct login_job *job = arg;
	struct user_row row;
	int found = userdb_get(store_db(st), job->user, 0, &row);
	if (found < 0) {
		job->rc = -1;
	} else if (found == 0 || row.disabled) {
		users_verify_password(job->c->users, NULL, job->password);
		job->rc = 0;
		job->why = found == 0 ? "unknown user" : "account disabled";
	} else if (!users_verify_password(job->c->users, row.hash, job->password)) {
		job->rc = 0;
		job->why = "wrong password";
	} else {
		job->rc = 1;
		job->user_id = row.id;
		snprintf(job->role, sizeof(job->role), "%s", row.role);
		userdb_touch_login(store_db(st), row.id, util_now());
	}
	user_row_clear(&row);
	sodium_memzero(job->password, sizeof(job->password));
}

static void
login_done(struct evhttp_request *req, void *arg)
{
	struct login_job *job = arg;
	struct collector *c = job->c;
	c->users->hashing--;
	if (job->rc == 1) {
		ratelimit_forget(c->users->by_user, job->lock_key);
		ratelimit_undo(c->users->by_addr, job->addr_key);
		audit_record(c, job->user, job->addr, "login", NULL, 1, "role %s", job->role);
		char cookie[128];
		const struct auth_identity *who = req == NULL ? NULL :
		    session_create(c->sessions, job->user_id, job->user, job->role, cookie,
		    sizeof(cookie));
		if (who != NULL) {
			session_set_cookie(req, cookie, (double)c->cfg.session_lifetime,
			    c->tls_ctx != NULL);
			http_reply_json(req, 200, json_pack("{s:o, s:s, s:s, s:o}", "user",
			    json_string_safe(who->name, strlen(who->name)), "role", who->role,
			    "csrf", who->csrf, "permissions", perms_json(who->perms)));
		} else if (req != NULL) {
			http_reply_error(req, 503, "could not start a session");
		}
		sodium_memzero(cookie, sizeof(cookie));
	} else if (job->rc == 0) {
		audit_record(c, job->user, job->addr, "login", NULL, 0, "%s", job->why);
		if (req != NULL)
			http_reply_error(req, 401, "wrong user name or password");
	} else if (req != NULL) {
		http_reply_error(req, 500, "could not check the password (state database error)");
	}
}

static void
login_job_free(void *arg)
{
	struct login_job *job = arg;
	sodium_memzero(job, sizeof(*job));
	free(job);
}

static void
api_login(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	/* Login CSRF: a cross-site form must not log a browser into another account. */
	if (!is_json_type(evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type"))) {
		body_wipe(req);
		http_reply_error(req, 415, "send the login as Content-Type: application/json");
		return;
	}
	if (!origin_allowed(c, req)) {
		body_wipe(req);
		http_reply_error(req, 403, "login from another site (Origin) refused");
		return;
	}
	json_t *body = api_json_body_secret(req);
	if (body == NULL)
		return;
	const char *user = json_string_value(json_object_get(body, "user"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	if (user == NULL || pw == NULL || user[0] == '\0' || pw[0] == '\0' ||
	    strlen(user) > USERS_NAME_MAX || strlen(pw) > USERS_PASSWORD_MAX) {
		http_reply_error(req, 400, "send {\"user\": NAME, \"password\": PASSWORD}");
		body_free(body);
		return;
	}
	struct users *u = c->users;
	char addr[64], key[80], lock_key[LOCK_KEY_MAX];
	http_client_addr(req, addr, sizeof(addr), key, sizeof(key));
	if (strchr(user, '\n') != NULL) {
		http_reply_error(req, 401, "wrong user name or password");
		body_free(body);
		return;
	}
	users_lock_key(user, key, lock_key, sizeof(lock_key));
	double now = util_now();
	double wait_addr = ratelimit_blocked(u->by_addr, key, now);
	double wait_user = ratelimit_blocked(u->by_user, lock_key, now);
	if (wait_addr > 0 || wait_user > 0) {
		double wait = wait_addr > wait_user ? wait_addr : wait_user;
		char ra[32];
		snprintf(ra, sizeof(ra), "%.0f", wait);
		if (wait_user > 0 ? ratelimit_first_report(u->by_user, lock_key) :
		    ratelimit_first_report(u->by_addr, key))
			audit_record(c, user, addr, "login", NULL, 0,
			    "too many failures %s: locked for %.0fs", wait_user > 0 ?
			    "for this user from this address" : "from this address", wait);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
		http_reply_error(req, 429, "too many failed logins; try again in %.0f seconds",
		    wait);
		body_free(body);
		return;
	}
	if (hashing_busy(c, req)) {
		body_free(body);
		return;
	}
	struct login_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		http_reply_error(req, 503, "out of memory");
		body_free(body);
		return;
	}
	/* Counted before the answer, so parallel guesses cannot outrun the limit. */
	ratelimit_fail(u->by_addr, key, now);
	ratelimit_fail(u->by_user, lock_key, now);
	job->c = c;
	snprintf(job->lock_key, sizeof(job->lock_key), "%s", lock_key);
	snprintf(job->user, sizeof(job->user), "%s", user);
	snprintf(job->password, sizeof(job->password), "%s", pw);
	snprintf(job->addr, sizeof(job->addr), "%s", addr);
	snprintf(job->addr_key, sizeof(job->addr_key), "%s", key);
	body_free(body);
	u->hashing++;
	if (api_defer_read(c, req, job, NULL, login_run, login_done, login_job_free) < 0)
		u->hashing--;
}

static void
api_logout(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	if (who->user_id == 0) {
		http_reply_error(req, 400, "logout ends a browser session; revoke a token with "
		    "DELETE /api/v1/tokens/ID");
		return;
	}
	char addr[64], user[USERS_NAME_MAX + 1];
	snprintf(user, sizeof(user), "%s", who->name);	/* who dies with the session */
	http_client_addr(req, addr, sizeof(addr), NULL, 0);
	session_logout(c->sessions, req);
	audit_record(c, user, addr, "logout", NULL, 1, NULL);
	session_set_cookie(req, "", 0, c->tls_ctx != NULL);
	http_reply_json(req, 204, NULL);
}

static void
api_me(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)c;
	(void)params;
	json_t *o = json_pack("{s:o, s:s, s:s, s:o}", "user", json_string_safe(who->name,
	    strlen(who->name)), "role", who->role, "kind", who->user_id ? "session" : "token",
	    "permissions", perms_json(who->perms));
	if (who->csrf != NULL)
		json_object_set_new(o, "csrf", json_string(who->csrf));
	http_reply_json(req, 200, o);
}

/* The roles a user or API token may have, and what each may do. */
static void
api_roles_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)c;
	(void)who;
	(void)params;
	http_reply_json(req, 200, perms_roles_json());
}

/* ---- users --------------------------------------------------------------------- */

struct user_job {
	struct collector *c;
	char actor[USERS_NAME_MAX + 16], addr[64];
	int64_t id;
	char name[USERS_NAME_MAX + 1];
	char role[16];			/* "" = unchanged (update) */
	char password[USERS_PASSWORD_MAX + 1];	/* "" = unchanged (update) */
	int disabled;			/* -1 = unchanged */
	/* results */
	char old_role[16];
	int old_disabled;
	json_t *result;
	int status;			/* HTTP status to answer */
	const char *err;
};

static struct user_job *
user_job_new(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who)
{
	struct user_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		http_reply_error(req, 503, "out of memory");
		return NULL;
	}
	job->c = c;
	job->disabled = -1;
	audit_actor(who, job->actor, sizeof(job->actor));
	http_client_addr(req, job->addr, sizeof(job->addr), NULL, 0);
	return job;
}

static void
user_job_free(void *arg)
{
	struct user_job *job = arg;
	json_decref(job->result);
	sodium_memzero(job, sizeof(*job));
	free(job);
}

static void
user_job_reply(struct evhttp_request *req, struct user_job *job)
{
	if (req == NULL)
		return;
	if (job->status >= 400)
		http_reply_error(req, job->status, "%s", job->err ? job->err : "failed");
	else
		http_reply_json(req, job->status, json_incref(job->result));
}

static void
users_list_run(struct store *st, void *arg)
{
	struct user_job *job = arg;
	job->result = userdb_list(store_db(st));
	job->status = job->result ? 200 : 500;
	job->err = "could not read the users";
}

static void
user_job_done(struct evhttp_request *req, void *arg)
{
	struct user_job *job = arg;
	user_job_reply(req, job);
}

static void
api_users_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	struct user_job *job = user_job_new(c, req, who);
	if (job == NULL)
		return;
	api_defer(c, req, job, users_list_run, user_job_done, user_job_free);
}

static json_t *
user_json(int64_t id, const char *name, const char *role, int disabled)
{
	return json_pack("{s:I, s:o, s:s, s:b}", "id", (json_int_t)id, "name",
	    json_string_safe(name, strlen(name)), "role", role, "disabled", disabled);
}

static void
user_create_run(struct store *st, void *arg)
{
	struct user_job *job = arg;
	char hash[USERS_HASH_MAX];
	struct user_row row = { .name = job->name, .role = job->role, .hash = hash,
		.disabled = job->disabled > 0, .created = util_now() };
	int rc = -1;
	if (users_hash_password(job->password, hash) == 0)
		rc = userdb_insert(store_db(st), &row);
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(job->password, sizeof(job->password));
	job->id = row.id;
	job->status = rc == 0 ? 201 : rc == -2 ? 409 : 500;
	job->err = rc == -2 ? "a user with that name exists" : "could not store the user";
	if (rc == 0)
		job->result = user_json(row.id, job->name, job->role, row.disabled);
}

static void
user_create_done(struct evhttp_request *req, void *arg)
{
	struct user_job *job = arg;
	job->c->users->hashing--;
	if (job->status == 201)
		audit_record(job->c, job->actor, job->addr, "user.create", job->name, 1,
		    "id %lld, role %s", (long long)job->id, job->role);
	user_job_reply(req, job);
}

/* Read the optional fields of a create/update body into job; 0 or -1 (replied). */
static int
user_fields(struct evhttp_request *req, json_t *body, struct user_job *job, int creating)
{
	json_t *jname = json_object_get(body, "name");
	json_t *jrole = json_object_get(body, "role");
	json_t *jpw = json_object_get(body, "password");
	json_t *jdis = json_object_get(body, "disabled");
	const char *err = NULL;
	if (creating)
		err = users_check_name(json_string_value(jname));
	else if (jname != NULL)
		err = "a user's name cannot change; create a new user";
	if (err == NULL && (creating || jrole != NULL))
		err = perms_check_role(json_string_value(jrole));
	if (err == NULL && (creating || jpw != NULL))
		err = users_check_password(json_string_value(jpw));
	if (err == NULL && jdis != NULL && !json_is_boolean(jdis))
		err = "disabled must be true or false";
	if (err == NULL && !creating && !jrole && !jpw && !jdis)
		err = "send at least one of role, password, disabled";
	if (err != NULL) {
		http_reply_error(req, 400, "%s", err);
		return -1;
	}
	if (creating)
		snprintf(job->name, sizeof(job->name), "%s", json_string_value(jname));
	if (jrole)
		snprintf(job->role, sizeof(job->role), "%s", json_string_value(jrole));
	if (jpw)
		snprintf(job->password, sizeof(job->password), "%s", json_string_value(jpw));
	if (jdis)
		job->disabled = json_is_true(jdis);
	return 0;
}

static void
api_users_create(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)params;
	json_t *body = api_json_body_secret(req);
	if (body == NULL)
		return;
	struct user_job *job = user_job_new(c, req, who);
	if (job == NULL || user_fields(req, body, job, 1) < 0 || hashing_busy(c, req)) {
		if (job != NULL)
			user_job_free(job);
		body_free(body);
		return;
	}
	body_free(body);
	c->users->hashing++;
	if (api_defer_read(c, req, job, NULL, user_create_run, user_create_done,
	    user_job_free) < 0)
		c->users->hashing--;
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* Would this change leave no enabled admin? (store thread) */
static int
last_admin(struct statedb *db, const struct user_row *row, int stays_admin)
{
	return strcmp(row->role, "admin") == 0 && !row->disabled && !stays_admin &&
	    userdb_count_admins(db) <= 1;
}

static void
user_update_run(struct store *st, void *arg)
{
	struct user_job *job = arg;
	struct statedb *db = store_db(st);
	struct user_row row;
	char hash[USERS_HASH_MAX];
	int found = userdb_get(db, NULL, job->id, &row);
	job->status = 500;
	job->err = "could not update the user";
	if (found == 0) {
		job->status = 404;
		job->err = "no such user";
	} else if (found == 1) {
		int stays = (job->role[0] ? strcmp(job->role, "admin") == 0 : 1) &&
		    job->disabled != 1;
		snprintf(job->old_role, sizeof(job->old_role), "%s", row.role);
		snprintf(job->name, sizeof(job->name), "%s", row.name);
		job->old_disabled = row.disabled;
		if (last_admin(db, &row, stays)) {
			job->status = 409;
			job->err = "this is the last enabled admin: make another admin first";
		} else if (job->password[0] && users_hash_password(job->password, hash) != 0) {
			job->err = "could not hash the password (out of memory?)";
		} else if (userdb_update(db, job->id, job->role[0] ? job->role : NULL,
		    job->password[0] ? hash : NULL, job->disabled, util_now()) == 0) {
			job->status = 200;
			job->result = user_json(job->id, row.name, job->role[0] ? job->role :
			    row.role, job->disabled >= 0 ? job->disabled : row.disabled);
		}
	}
	user_row_clear(&row);
	sodium_memzero(hash, sizeof(hash));
}

static void
user_update_done(struct evhttp_request *req, void *arg)
{
	struct user_job *job = arg;
	struct collector *c = job->c;
	int pw = job->password[0] != '\0';
	sodium_memzero(job->password, sizeof(job->password));
	if (pw)
		c->users->hashing--;
	if (job->status == 200) {
		char detail[256];
		int n = 0;
		detail[0] = '\0';
		if (job->role[0] && strcmp(job->role, job->old_role) != 0)
			n += snprintf(detail + n, sizeof(detail) - (size_t)n, "role %s -> %s; ",
			    job->old_role, job->role);
		if (pw)
			n += snprintf(detail + n, sizeof(detail) - (size_t)n, "password changed; ");
		if (job->disabled >= 0 && job->disabled != job->old_disabled)
			n += snprintf(detail + n, sizeof(detail) - (size_t)n, "%s; ",
			    job->disabled ? "disabled" : "enabled");
		if (n >= 2 && (size_t)n < sizeof(detail))
			detail[n - 2] = '\0';
		audit_record(c, job->actor, job->addr, "user.update", job->name, 1, "%s",
		    detail[0] ? detail : "no change");
		if (pw || job->disabled == 1)
			sessions_drop_user(c->sessions, job->id);
		else if (job->role[0])
			sessions_set_role(c->sessions, job->id, job->role);
	}
	user_job_reply(req, job);
}

static void
api_users_update(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	int64_t id;
	if (parse_id(params[0], &id) < 0) {
		http_reply_error(req, 404, "no such user");
		return;
	}
	json_t *body = api_json_body_secret(req);
	if (body == NULL)
		return;
	struct user_job *job = user_job_new(c, req, who);
	if (job == NULL || user_fields(req, body, job, 0) < 0 ||
	    (job->password[0] && hashing_busy(c, req))) {
		if (job != NULL)
			user_job_free(job);
		body_free(body);
		return;
	}
	body_free(body);
	job->id = id;
	int hashing = job->password[0] != '\0';
	c->users->hashing += hashing;
	if (api_defer_read(c, req, job, NULL, user_update_run, user_update_done,
	    user_job_free) < 0)
		c->users->hashing -= hashing;
}

static void
user_delete_run(struct store *st, void *arg)
{
	struct user_job *job = arg;
	struct statedb *db = store_db(st);
	struct user_row row;
	int found = userdb_get(db, NULL, job->id, &row);
	job->status = 500;
	job->err = "could not delete the user";
	if (found == 0) {
		job->status = 404;
		job->err = "no such user";
	} else if (found == 1) {
		snprintf(job->name, sizeof(job->name), "%s", row.name);
		if (last_admin(db, &row, 0)) {
			job->status = 409;
			job->err = "this is the last enabled admin: make another admin first";
		} else if (userdb_delete(db, job->id) == 0) {
			job->status = 204;
		}
	}
	user_row_clear(&row);
}

static void
user_delete_done(struct evhttp_request *req, void *arg)
{
	struct user_job *job = arg;
	if (job->status == 204) {
		audit_record(job->c, job->actor, job->addr, "user.delete", job->name, 1,
		    "id %lld", (long long)job->id);
		sessions_drop_user(job->c->sessions, job->id);
	}
	user_job_reply(req, job);
}

static void
api_users_delete(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	int64_t id;
	if (parse_id(params[0], &id) < 0) {
		http_reply_error(req, 404, "no such user");
		return;
	}
	if (who->user_id == id) {
		http_reply_error(req, 409, "you cannot delete your own account");
		return;
	}
	struct user_job *job = user_job_new(c, req, who);
	if (job == NULL)
		return;
	job->id = id;
	api_defer(c, req, job, user_delete_run, user_delete_done, user_job_free);
}

/* ---- unlock: end a user's login locks, from every address ------------------------ */

static void
user_name_run(struct store *st, void *arg)
{
	struct user_job *job = arg;
	struct user_row row;
	int found = userdb_get(store_db(st), NULL, job->id, &row);
	job->status = found == 1 ? 200 : found == 0 ? 404 : 500;
	job->err = found == 0 ? "no such user" : "could not read the user";
	if (found == 1)
		snprintf(job->name, sizeof(job->name), "%s", row.name);
	user_row_clear(&row);
}

static void
user_unlock_done(struct evhttp_request *req, void *arg)
{
	struct user_job *job = arg;
	if (job->status == 200) {
		char prefix[USERS_NAME_MAX + 2];
		snprintf(prefix, sizeof(prefix), "%s\n", job->name);
		size_t n = ratelimit_forget_prefix(job->c->users->by_user, prefix);
		audit_record(job->c, job->actor, job->addr, "user.unlock", job->name, 1,
		    "%zu lock%s ended", n, n == 1 ? "" : "s");
		job->result = json_pack("{s:I, s:o, s:I}", "id", (json_int_t)job->id, "name",
		    json_string_safe(job->name, strlen(job->name)), "unlocked", (json_int_t)n);
	}
	user_job_reply(req, job);
}

static void
api_users_unlock(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	int64_t id;
	if (parse_id(params[0], &id) < 0) {
		http_reply_error(req, 404, "no such user");
		return;
	}
	struct user_job *job = user_job_new(c, req, who);
	if (job == NULL)
		return;
	job->id = id;
	api_defer(c, req, job, user_name_run, user_unlock_done, user_job_free);
}

/* ---- audit trail ----------------------------------------------------------------- */

struct audit_query_job {
	struct audit_filter f;
	json_t *result;
};

static void
audit_query_run(struct store *st, void *arg)
{
	struct audit_query_job *job = arg;
	job->result = auditdb_query(store_db(st), &job->f);
}

static void
audit_query_done(struct evhttp_request *req, void *arg)
{
	struct audit_query_job *job = arg;
	if (req != NULL && job->result != NULL) {
		http_reply_json(req, 200, job->result);	/* takes the reference */
		job->result = NULL;
	} else if (req != NULL) {
		http_reply_error(req, 500, "could not read the audit trail");
	}
}

static void
audit_job_free(void *arg)
{
	struct audit_query_job *job = arg;
	json_decref(job->result);
	free(job->f.actor);
	free(job->f.action);
	free(job);
}

static void
api_audit_list(struct collector *c, struct evhttp_request *req,
    const struct auth_identity *who, const char *const *params)
{
	(void)who;
	(void)params;
	double now = util_now();
	char *from = http_query_param(req, "from");
	char *to = http_query_param(req, "to");
	char *limit = http_query_param(req, "limit");
	struct audit_query_job *job = calloc(1, sizeof(*job));
	const char *err = NULL;
	if (job == NULL) {
		err = "out of memory";
	} else {
		job->f.to = now + 1;
		job->f.from = 0;
		job->f.limit = AUDIT_LIMIT_DEFAULT;
		if (to != NULL && util_parse_time(to, now, &job->f.to) < 0)
			err = "bad 'to': use Unix seconds or -1h, -7d";
		else if (from != NULL && util_parse_time(from, now, &job->f.from) < 0)
			err = "bad 'from': use Unix seconds or -1h, -7d";
		else if (limit != NULL && ((job->f.limit = strtol(limit, NULL, 10)) < 1 ||
		    job->f.limit > AUDIT_LIMIT_MAX))
			err = "limit must be 1 to 10000";
		job->f.actor = http_query_param(req, "actor");
		job->f.action = http_query_param(req, "action");
	}
	free(from);
	free(to);
	free(limit);
	if (err != NULL) {
		http_reply_error(req, job ? 400 : 503, "%s", err);
		if (job != NULL) {
			free(job->f.actor);
			free(job->f.action);
		}
		free(job);
		return;
	}
	api_defer(c, req, job, audit_query_run, audit_query_done, audit_job_free);
}

const struct route api_users_routes[] = {
	{ EVHTTP_REQ_POST, "/api/v1/login", 0, api_login },
	{ EVHTTP_REQ_POST, "/api/v1/logout", PERM_SELF, api_logout },
	{ EVHTTP_REQ_GET, "/api/v1/me", PERM_SELF, api_me },
	{ EVHTTP_REQ_GET, "/api/v1/roles", PERM_SELF, api_roles_list },
	{ EVHTTP_REQ_GET, "/api/v1/users", PERM_ADMIN, api_users_list },
	{ EVHTTP_REQ_POST, "/api/v1/users", PERM_ADMIN, api_users_create },
	{ EVHTTP_REQ_PATCH, "/api/v1/users/*", PERM_ADMIN, api_users_update },
	{ EVHTTP_REQ_DELETE, "/api/v1/users/*", PERM_ADMIN, api_users_delete },
	{ EVHTTP_REQ_POST, "/api/v1/users/*/unlock", PERM_ADMIN, api_users_unlock },
	{ EVHTTP_REQ_GET, "/api/v1/audit", PERM_AUDIT, api_audit_list },
	ROUTES_END
};
