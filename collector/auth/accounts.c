/*
 * accounts.c — web users: what a valid name, role and password are, password
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
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "common/log.h"
#include "common/util.h"

#define HOUSEKEEPING_SECONDS 60
#define PRUNE_SECONDS 3600
#define LIMITER_ENTRIES 65536

_Static_assert(USERS_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");


static const char *const common_passwords[] = {
#include "collector/auth/common_passwords.inc"
};

/* Scripts a name may mix (as Unicode TS 39 "highly restrictive" allows):
 * Latin with the CJK scripts. Any other mix is refused. */
static int
mixable_script(const char *name)
{
	static const char *const ok[] = { "Latin", "Han", "Hiragana", "Katakana", "Bopomofo",
		"Hangul", NULL };
	for (int i = 0; ok[i] != NULL; i++)
		if (strcmp(name, ok[i]) == 0)
			return 1;
	return 0;
}

/*
 * A name must look like what it is, so no one can make a second "admin":
 * it must already be in NFKC form (fullwidth ａｄｍｉｎ, "admin" with a no-break
 * space are not), hold only letters, combining marks after a letter, decimal
 * digits and . _ - @ (no spaces, no invisible format characters such as
 * U+200B, no symbols), and use one script, or Latin with CJK scripts (a
 * Cyrillic "а" among Latin letters is refused).
 */
const char *
users_check_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > USERS_NAME_MAX)
		return "name must be 1 to 64 bytes";
	if (!util_utf8_valid(name, n))
		return "name must be UTF-8";
	size_t nlen = 0;
	uint8_t *nfkc = u8_normalize(UNINORM_NFKC, (const uint8_t *)name, n, NULL, &nlen);
	int plain = nfkc != NULL && nlen == n && memcmp(nfkc, name, n) == 0;
	free(nfkc);
	if (!plain)
		return "name may not hold compatibility characters (fullwidth letters, "
		    "no-break spaces, ligatures...): type it plainly";
	const char *script = NULL;
	int after_letter = 0;
	for (const uint8_t *p = (const uint8_t *)name, *end = p + n; p < end;) {
		ucs4_t uc;
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc < 0x80) {
			after_letter = (uc >= 'a' && uc <= 'z') || (uc >= 'A' && uc <= 'Z');
			if (after_letter || (uc >= '0' && uc <= '9') || uc == '.' || uc == '_' ||
			    uc == '-' || uc == '@')
				continue;
			return "name may hold letters, digits and . _ - @";
		}
		if (uc_is_general_category(uc, UC_CATEGORY_M) && after_letter)
			continue;
		if (uc_is_general_category(uc, UC_CATEGORY_Nd)) {
			after_letter = 0;
			continue;
		}
		if (!uc_is_general_category(uc, UC_CATEGORY_L))
			return "name may hold letters, digits and . _ - @ (no spaces, invisible or "
			    "symbol characters)";
		after_letter = 1;
		const uc_script_t *sc = uc_script(uc);
		if (sc == NULL || strcmp(sc->name, "Common") == 0 ||
		    strcmp(sc->name, "Inherited") == 0)
			continue;
		if (script == NULL)
			script = sc->name;
		else if (strcmp(script, sc->name) != 0 &&
		    !(mixable_script(script) && mixable_script(sc->name)))
			return "name mixes scripts (such as Cyrillic and Latin letters, which look "
			    "alike)";
	}
	/* Latin letters counted from ASCII too: "аdmin" (Cyrillic а) must fail. */
	if (script != NULL && !mixable_script(script)) {
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)name[i];
			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
				return "name mixes scripts (such as Cyrillic and Latin letters, which "
				    "look alike)";
		}
	}
	return NULL;
}

/* Is pw, ignoring ASCII case, one of the commonest passwords? */
static int
password_is_common(const char *pw, size_t n)
{
	char low[64];
	if (n >= sizeof(low))
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(pw[i] >= 'A' && pw[i] <= 'Z' ? pw[i] - 'A' + 'a' : pw[i]);
	for (size_t i = 0; i < sizeof(common_passwords) / sizeof(common_passwords[0]); i++)
		if (strcmp(low, common_passwords[i]) == 0)
			return 1;
	return 0;
}


/* At least 8 characters (not bytes: three CJK characters are 9 bytes), at
 * most 1024 bytes, and not one of the commonest passwords. */
const char *
users_check_password(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n > USERS_PASSWORD_MAX)
		return "password must be at most 1024 bytes";
	if (!util_utf8_valid(pw ? pw : "", n))
		return "password must be UTF-8";
	if (u8_mbsnlen((const uint8_t *)(pw ? pw : ""), n) < USERS_PASSWORD_MIN)
		return "password must have at least 8 characters";
	if (password_is_common(pw, n))
		return "that password is among the most common ones: choose another";
	return NULL;
}

/* ---- hashing (the store's reader pool: two threads) ----------------------------- */

/* The dummy hash is made once, by whichever reader needs it first. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;

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
		pthread_mutex_lock(&dummy_lock);
		if (u->dummy_hash[0] == '\0') {
			unsigned char raw[24];
			char junk[sizeof(raw) * 2 + 1];
			randombytes_buf(raw, sizeof(raw));
			sodium_bin2hex(junk, sizeof(junk), raw, sizeof(raw));
			if (users_hash_password(junk, u->dummy_hash) != 0)
				u->dummy_hash[0] = '\0';
		}
		pthread_mutex_unlock(&dummy_lock);
		if (u->dummy_hash[0] == '\0')
			return 0;
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

/* The rest of the collector starts after this (users_start waited): a
 * login right after start finds the admin. */
static void
seed_done(void *arg)
{
	struct seed_job *job = arg;
	struct collector *c = job->c;
	if (job->rc == 0)
		audit_record(job->c, "system", NULL, "user.create", "admin", 1,
		    "role admin, from CAMPUSMON_ADMIN_PASSWORD");
	else if (job->rc == 1)
		log_info("users: user 'admin' exists; CAMPUSMON_ADMIN_PASSWORD left it unchanged");
	else
		log_warnx("users: could not create user 'admin' from CAMPUSMON_ADMIN_PASSWORD");
	free(job);
	if (c->starting)
		collector_start_rest(c);
}

/* 1 when the admin is being made (seed_done goes on starting), else 0. */
static int
seed_admin(struct collector *c)
{
	const char *pw = getenv("CAMPUSMON_ADMIN_PASSWORD");
	int queued = 0;
	if (pw == NULL || pw[0] == '\0')
		return 0;
	size_t n = strlen(pw);
	if (n > USERS_PASSWORD_MAX) {
		log_warnx("users: CAMPUSMON_ADMIN_PASSWORD is longer than %d bytes; ignored",
		    USERS_PASSWORD_MAX);
	} else {
		struct seed_job *job = calloc(1, sizeof(*job));
		if (job == NULL)
			return 0;
		const char *weak = users_check_password(pw);
		if (weak != NULL)
			log_warnx("users: CAMPUSMON_ADMIN_PASSWORD is weak (%s): use it for demos "
			    "only", weak);
		job->c = c;
		memcpy(job->password, pw, n + 1);
		if (store_call_read(c->store, NULL, seed_run, seed_done, job) < 0) {
			log_warnx("users: cannot create the admin user now (out of memory)");
			sodium_memzero(job, sizeof(*job));
			free(job);
		} else {
			queued = 1;
		}
	}
	/* Keep it out of anything started later. */
	sodium_memzero(getenv("CAMPUSMON_ADMIN_PASSWORD"), n);
	unsetenv("CAMPUSMON_ADMIN_PASSWORD");
	return queued;
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
	return seed_admin(c) ? SUBSYSTEM_LATER : 0;
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
