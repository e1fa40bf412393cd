/*
 * users.c — web users: what a valid name, role and password are, password
 * hashing (argon2id through libsodium's crypto_pwhash_str, slow on purpose:
 * only ever called on the store thread), the login limiters, the periodic
 * housekeeping timer (expired sessions and limiter entries every minute,
 * audit retention every hour), and the admin user created from
 * CAMPUSMON_ADMIN_PASSWORD on first start. The HTTP side is api/users.c.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"

#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define HOUSEKEEPING_SECONDS 60
#define PRUNE_SECONDS 3600
#define LIMITER_ENTRIES 65536

_Static_assert(USERS_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

static const char *const roles[] = { "admin", "operator", "viewer", "auditor", NULL };

const char *
users_check_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > USERS_NAME_MAX)
		return "name must be 1 to 64 bytes";
	if (!util_utf8_valid(name, n))
		return "name must be UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-' || ch == '@')
			continue;
		return "name may hold letters, digits and . _ - @";
	}
	return NULL;
}

const char *
users_check_role(const char *role)
{
	for (int i = 0; role != NULL && roles[i] != NULL; i++)
		if (strcmp(role, roles[i]) == 0)
			return NULL;
	return "role must be admin, operator, viewer or auditor";
}

const char *
users_check_password(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n < USERS_PASSWORD_MIN)
		return "password must have at least 8 characters";
	if (n > USERS_PASSWORD_MAX)
		return "password must be at most 1024 bytes";
	return NULL;
}

/* ---- hashing (store thread) --------------------------------------------------- */

int
users_hash_password(const char *pw, char out[USERS_HASH_MAX])
{
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int
users_verify_password(struct users *u, const char *hash, const char *pw)
{
	if (hash == NULL) {
		/* Unknown user: spend the same time, so timing tells nothing. */
		if (u->dummy_hash[0] == '\0') {
			unsigned char raw[24];
			char junk[sizeof(raw) * 2 + 1];
			randombytes_buf(raw, sizeof(raw));
			sodium_bin2hex(junk, sizeof(junk), raw, sizeof(raw));
			if (users_hash_password(junk, u->dummy_hash) != 0)
				return 0;
		}
		if (crypto_pwhash_str_verify(u->dummy_hash, pw, strlen(pw)) == 0)
			return 0;	/* cannot happen: the dummy password is random */
		return 0;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* ---- the admin user from the environment --------------------------------------- */

struct seed_job {
	struct collector *c;
	char password[USERS_PASSWORD_MAX + 1];
	int rc;				/* 0 created, 1 existed, -1 error */
};

static void
seed_run(struct store *st, void *arg)
{
	struct seed_job *job = arg;
	struct user_row row;
	int found = userdb_get(store_db(st), "admin", 0, &row);
	user_row_clear(&row);
	if (found != 0) {
		job->rc = found == 1 ? 1 : -1;
	} else {
		char hash[USERS_HASH_MAX];
		row = (struct user_row){ .name = "admin", .role = "admin", .hash = hash,
			.created = util_now() };
		job->rc = users_hash_password(job->password, hash) == 0 &&
		    userdb_insert(store_db(st), &row) == 0 ? 0 : -1;
		sodium_memzero(hash, sizeof(hash));
	}
	sodium_memzero(job->password, sizeof(job->password));
}

static void
seed_done(void *arg)
{
	struct seed_job *job = arg;
	if (job->rc == 0)
		audit_record(job->c, "system", NULL, "user.create", "admin", 1,
		    "role admin, from CAMPUSMON_ADMIN_PASSWORD");
	else if (job->rc == 1)
		log_info("users: user 'admin' exists; CAMPUSMON_ADMIN_PASSWORD left it unchanged");
	else
		log_warnx("users: could not create user 'admin' from CAMPUSMON_ADMIN_PASSWORD");
	free(job);
}

static void
seed_admin(struct collector *c)
{
	const char *pw = getenv("CAMPUSMON_ADMIN_PASSWORD");
	if (pw == NULL || pw[0] == '\0')
		return;
	size_t n = strlen(pw);
	if (n > USERS_PASSWORD_MAX) {
		log_warnx("users: CAMPUSMON_ADMIN_PASSWORD is longer than %d bytes; ignored",
		    USERS_PASSWORD_MAX);
	} else {
		struct seed_job *job = calloc(1, sizeof(*job));
		if (job == NULL)
			return;
		if (n < USERS_PASSWORD_MIN)
			log_warnx("users: CAMPUSMON_ADMIN_PASSWORD is shorter than %d characters: "
			    "use it for demos only", USERS_PASSWORD_MIN);
		job->c = c;
		memcpy(job->password, pw, n + 1);
		store_call(c->store, seed_run, seed_done, job);
	}
	/* Keep it out of anything started later. */
	sodium_memzero(getenv("CAMPUSMON_ADMIN_PASSWORD"), n);
	unsetenv("CAMPUSMON_ADMIN_PASSWORD");
}

/* ---- lifecycle ------------------------------------------------------------------- */

static void
housekeeping(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	struct users *u = c->users;
	(void)fd;
	(void)what;
	double now = util_now();
	sessions_sweep(c->sessions, now);
	ratelimit_sweep(u->by_addr, now);
	ratelimit_sweep(u->by_user, now);
	if (now - u->last_prune >= PRUNE_SECONDS) {
		u->last_prune = now;
		audit_prune(c);
	}
}

static int
users_start(struct collector *c)
{
	const struct collector_config *cfg = &c->cfg;
	struct users *u = calloc(1, sizeof(*u));
	if (u == NULL)
		return -1;
	c->users = u;
	u->by_addr = ratelimit_new((unsigned)cfg->login_failures_addr,
	    (double)cfg->login_lockout, LIMITER_ENTRIES);
	u->by_user = ratelimit_new((unsigned)cfg->login_failures_user,
	    (double)cfg->login_lockout, LIMITER_ENTRIES);
	c->sessions = sessions_new((double)cfg->session_idle, (double)cfg->session_lifetime,
	    (size_t)cfg->max_sessions);
	struct timeval tv = { HOUSEKEEPING_SECONDS, 0 };
	u->timer = event_new(c->base, -1, EV_PERSIST, housekeeping, c);
	if (u->by_addr == NULL || u->by_user == NULL || c->sessions == NULL ||
	    u->timer == NULL || event_add(u->timer, &tv) < 0)
		return -1;
	u->last_prune = util_now();
	audit_prune(c);
	seed_admin(c);
	return 0;
}

/* No more housekeeping; sessions stay until release, as replies to logins
 * still waiting for the store thread may need them while storage stops. */
static void
users_stop(struct collector *c)
{
	struct users *u = c->users;
	if (u != NULL && u->timer != NULL) {
		event_free(u->timer);
		u->timer = NULL;
	}
}

static void
users_release(struct collector *c)
{
	struct users *u = c->users;
	if (u == NULL)
		return;
	users_stop(c);
	ratelimit_free(u->by_addr);
	ratelimit_free(u->by_user);
	sessions_free(c->sessions);
	c->sessions = NULL;
	sodium_memzero(u, sizeof(*u));
	free(u);
	c->users = NULL;
}

/* Web users: login limits, sessions, housekeeping; needs the store (it may
 * create the admin from CAMPUSMON_ADMIN_PASSWORD). */
const struct subsystem users_subsystem = {
	.name = "users",
	.start = users_start,
	.stop = users_stop,
	.release = users_release,
};
