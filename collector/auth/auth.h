/*
 * auth.h — who is asking: API tokens, web users and their sessions, login
 * rate limits and the audit trail. Loop thread, except where a comment says
 * the store thread.
 */
#ifndef CAMPUSMON_AUTH_H
#define CAMPUSMON_AUTH_H

#include "common/cfg.h"

#include <stddef.h>
#include <stdint.h>

struct collector;
struct event;
struct evhttp_request;
struct json_t;
struct token_row;

/* ---- tokens.c: API tokens (loop thread) ---------------------------------- */
struct auth;
/* ---- perms.c: roles and what each may do (the one table) ----------------- */
enum perm {
	PERM_WRITE = 1 << 0,		/* send samples (line protocol) */
	PERM_READ = 1 << 1,		/* monitoring data: devices, series, graphs */
	PERM_OPERATE = 1 << 2,		/* acknowledge, maintenance */
	PERM_AUDIT = 1 << 3,		/* the audit trail, reports */
	PERM_ADMIN = 1 << 4,		/* users, tokens, devices, discovery, backup */
	PERM_SELF = 1 << 5,		/* who am I, log out */
	PERM_METRICS = 1 << 6,		/* /metrics (unless metrics.public) */
};
/* The role's permission bits; 0 for an unknown role. */
unsigned perms_of_role(const char *role);
/* NULL if a person (web user, API token) may have role, else why not. */
const char *perms_check_role(const char *role);
/* The bits as a JSON array of names ("read", "admin", ...), or as text
 * ("read,self"). */
struct json_t *perms_json(unsigned perms);
void perms_format(unsigned perms, char *buf, size_t cap);
/* [{"role", "permissions"}] for every role a person may have. */
struct json_t *perms_roles_json(void);

/* ---- tokens.c: API tokens (loop thread) ---------------------------------- */
struct auth_identity {
	const char *name;
	const char *role;
	const char *host;		/* non-NULL: may only write this host */
	int64_t token_id;		/* 0 for the bootstrap token */
	int64_t user_id;		/* web session: the user's id; tokens: 0 */
	const char *csrf;		/* web session: its CSRF token; tokens: NULL */
	unsigned perms;			/* PERM_* bits of its role (sessions never write) */
};

struct auth *auth_new(const char *bootstrap_token);
void auth_free(struct auth *a);
void auth_add_row(struct auth *a, const struct token_row *row);
void auth_revoke(struct auth *a, int64_t id);
/* Resolve the request's credentials (Bearer, Token, Basic password, ?p=). */
const struct auth_identity *auth_request(struct auth *a, struct evhttp_request *req);
/* A new random secret and its hash: out must hold 48 chars, hash 65. */
void auth_new_secret(char *out, size_t outlen, char hash[65]);
void auth_hash(const char *secret, char hash[65]);
struct json_t *auth_tokens_json(struct auth *a);

/* ---- ratelimit.c: failure counters by key (loop thread) --------------- */
struct ratelimit;
struct ratelimit *ratelimit_new(unsigned max_failures, double window, size_t max_entries);
void ratelimit_free(struct ratelimit *rl);
/* Seconds the key must still wait (0: it may try now). */
double ratelimit_blocked(struct ratelimit *rl, const char *key, double now);
/* Count a failure; -1 if the table is full (the key stays unknown). */
int ratelimit_fail(struct ratelimit *rl, const char *key, double now);
void ratelimit_undo(struct ratelimit *rl, const char *key);	/* one failure less */
void ratelimit_forget(struct ratelimit *rl, const char *key);
/* Forget every key that starts with prefix; how many there were. */
size_t ratelimit_forget_prefix(struct ratelimit *rl, const char *prefix);
/* 1 the first time a blocked key asks (to record the block once), else 0. */
int ratelimit_first_report(struct ratelimit *rl, const char *key);
size_t ratelimit_sweep(struct ratelimit *rl, double now);
size_t ratelimit_count(const struct ratelimit *rl);

/* ---- session.c: web sessions and request identity (loop thread) -------- */
#define SESSION_COOKIE "cm_session"
struct sessions;
struct sessions *sessions_new(double idle, double lifetime, size_t max);
void sessions_free(struct sessions *s);
/* A new session; its cookie value goes to cookie (>= 44 bytes). The identity
 * is owned by the table: valid until the session ends, never across a wait. */
const struct auth_identity *session_create(struct sessions *s, int64_t user_id,
    const char *user, const char *role, char *cookie, size_t cookie_cap);
size_t sessions_sweep(struct sessions *s, double now);
size_t sessions_drop_user(struct sessions *s, int64_t user_id);
void sessions_set_role(struct sessions *s, int64_t user_id, const char *role);
size_t sessions_count(const struct sessions *s);
/* End the request's session; 1 if there was one. */
int session_logout(struct sessions *s, struct evhttp_request *req);
/* Copy cookie NAME's value from a Cookie header; its length, or -1. */
int session_cookie_value(const char *header, const char *name, char *out, size_t cap);
void session_set_cookie(struct evhttp_request *req, const char *value, double max_age,
    int tls);
/* Who sent the request: a session cookie (with X-CSRF-Token on requests that
 * change state) unless an Authorization header is present, else a token.
 * NULL with *code 401 (no valid credentials) or 403 (CSRF token missing). */
const struct auth_identity *session_identify(struct collector *c,
    struct evhttp_request *req, int *code);

/* ---- accounts.c: web users (hashing on the store thread only) ---------- */
#define USERS_NAME_MAX 64
#define USERS_PASSWORD_MIN 8
#define USERS_PASSWORD_MAX 1024
#define USERS_HASH_MAX 128		/* crypto_pwhash_STRBYTES */
struct users {
	/* loop thread: failures per client address, and per user name from one
	 * address (users_lock_key), so guesses from elsewhere lock no one out */
	struct ratelimit *by_addr, *by_user;
	struct event *timer;			/* housekeeping */
	int hashing;				/* password jobs in flight (loop) */
	double last_prune;
	char dummy_hash[USERS_HASH_MAX];	/* store thread only */
};
/* NULL if valid, else what is wrong, in words for the user. */
const char *users_check_name(const char *name);
const char *users_check_password(const char *pw);
int users_hash_password(const char *pw, char out[USERS_HASH_MAX]);
/* 1 if pw matches hash; hash NULL (unknown user) costs the same and fails. */
int users_verify_password(struct users *u, const char *hash, const char *pw);
/* The login limiter's key for a user from an address key: "USER\nADDR". */
void users_lock_key(const char *user, const char *addr_key, char *out, size_t cap);
/* Limiters, sessions, timers, and user admin from CAMPUSMON_ADMIN_PASSWORD. */
extern const struct subsystem users_subsystem;

/* ---- audit.c: the audit trail (loop side) ------------------------------- */
/* Record an entry (copied; written by the store thread) and log it. Never
 * pass a secret. fmt may be NULL (no detail). */
void audit_record(struct collector *c, const char *actor, const char *addr,
    const char *action, const char *target, int ok, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* "alice" for a web user, "token:NAME" for a token. */
void audit_actor(const struct auth_identity *who, char *buf, size_t cap);
/* Remove entries older than audit.retention (runs on the store thread). */
void audit_prune(struct collector *c);

/* ---- auth_keys.c: auth.* and audit.* in the configuration schema ------- */
extern const struct cfg_key auth_keys[];

#endif
