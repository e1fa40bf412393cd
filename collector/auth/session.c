/*
 * session.c — web sessions (loop thread only) and the one place a request's
 * credentials are resolved: session_identify() is what http.c calls.
 *
 * A session is a random 256-bit id sent as an HttpOnly, SameSite=Strict
 * cookie (Secure under TLS). The table keeps only the id's SHA-256, so
 * neither a memory dump nor a timing difference in the hash lookup gives
 * a usable cookie away. Each session has its own CSRF token, returned at
 * login and by /api/v1/me; every state-changing request authenticated by
 * the cookie must echo it in X-CSRF-Token. Requests carrying an
 * Authorization header are token requests and need no CSRF token.
 * Sessions end after an idle time, an absolute lifetime, logout, or a
 * change to their user (password, disabled, deleted); they live in memory,
 * so a restart logs everyone out.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"

#include <arpa/inet.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define SESSION_ID_BYTES 32
#define CSRF_BYTES 32

struct session {
	char hash[65];			/* hex SHA-256 of the cookie value */
	char csrf[64];
	int64_t user_id;
	char *user, *role;
	double created, last_used;
	struct auth_identity id;	/* points into this struct */
	UT_hash_handle hh;
};

struct sessions {
	struct session *by_hash;
	size_t n, max;
	double idle, lifetime;
};

struct sessions *
sessions_new(double idle, double lifetime, size_t max)
{
	struct sessions *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->idle = idle;
	s->lifetime = lifetime;
	s->max = max ? max : 1;
	return s;
}

static void
session_free(struct sessions *s, struct session *se)
{
	HASH_DEL(s->by_hash, se);
	s->n--;
	free(se->user);
	free(se->role);
	sodium_memzero(se, sizeof(*se));
	free(se);
}

void
sessions_free(struct sessions *s)
{
	if (s == NULL)
		return;
	struct session *se, *tmp;
	HASH_ITER(hh, s->by_hash, se, tmp)
		session_free(s, se);
	free(s);
}

static void
set_identity(struct session *se)
{
	se->id = (struct auth_identity){ .name = se->user, .role = se->role,
		.user_id = se->user_id, .csrf = se->csrf,
		.perms = perms_of_role(se->role) & ~PERM_WRITE };
}

static void
random_b64(char *out, size_t cap, size_t nbytes)
{
	unsigned char raw[64];
	randombytes_buf(raw, nbytes);
	sodium_bin2base64(out, cap, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

const struct auth_identity *
session_create(struct sessions *s, int64_t user_id, const char *user, const char *role,
    char *cookie, size_t cookie_cap)
{
	double now = util_now();
	sessions_sweep(s, now);
	if (s->n >= s->max) {		/* full of live sessions: end the idlest */
		struct session *se, *tmp, *oldest = NULL;
		HASH_ITER(hh, s->by_hash, se, tmp)
			if (oldest == NULL || se->last_used < oldest->last_used)
				oldest = se;
		if (oldest != NULL)
			session_free(s, oldest);
	}
	if (cookie_cap < sodium_base64_ENCODED_LEN(SESSION_ID_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return NULL;
	struct session *se = calloc(1, sizeof(*se));
	if (se == NULL || (se->user = strdup(user)) == NULL ||
	    (se->role = strdup(role)) == NULL) {
		if (se != NULL)
			free(se->user);
		free(se);
		return NULL;
	}
	random_b64(cookie, cookie_cap, SESSION_ID_BYTES);
	auth_hash(cookie, se->hash);
	random_b64(se->csrf, sizeof(se->csrf), CSRF_BYTES);
	se->user_id = user_id;
	se->created = se->last_used = now;
	set_identity(se);
	HASH_ADD_STR(s->by_hash, hash, se);
	s->n++;
	return &se->id;
}

static struct session *
session_find(struct sessions *s, const char *cookie, double now)
{
	char hash[65];
	struct session *se;
	auth_hash(cookie, hash);
	HASH_FIND_STR(s->by_hash, hash, se);
	if (se == NULL)
		return NULL;
	if (now - se->last_used > s->idle || now - se->created > s->lifetime) {
		session_free(s, se);
		return NULL;
	}
	se->last_used = now;
	return se;
}

size_t
sessions_sweep(struct sessions *s, double now)
{
	size_t n = 0;
	struct session *se, *tmp;
	HASH_ITER(hh, s->by_hash, se, tmp) {
		if (now - se->last_used > s->idle || now - se->created > s->lifetime) {
			session_free(s, se);
			n++;
		}
	}
	return n;
}

size_t
sessions_drop_user(struct sessions *s, int64_t user_id)
{
	size_t n = 0;
	struct session *se, *tmp;
	HASH_ITER(hh, s->by_hash, se, tmp) {
		if (se->user_id == user_id) {
			session_free(s, se);
			n++;
		}
	}
	return n;
}

void
sessions_set_role(struct sessions *s, int64_t user_id, const char *role)
{
	struct session *se, *tmp;
	HASH_ITER(hh, s->by_hash, se, tmp) {
		if (se->user_id != user_id)
			continue;
		char *r = strdup(role);
		if (r == NULL) {
			session_free(s, se);	/* cannot keep a stale role */
			continue;
		}
		free(se->role);
		se->role = r;
		set_identity(se);
	}
}

size_t
sessions_count(const struct sessions *s)
{
	return s->n;
}

/* ---- cookies --------------------------------------------------------------- */

int
session_cookie_value(const char *header, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name);
	const char *p = header;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t vlen = len - nlen - 1;
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen == 0 || vlen >= cap)
				return -1;
			for (size_t i = 0; i < vlen; i++)
				if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
				    (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_'))
					return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return (int)vlen;
		}
		p = end;
	}
	return -1;
}

void
session_set_cookie(struct evhttp_request *req, const char *value, double max_age, int tls)
{
	char h[256];
	snprintf(h, sizeof(h), "%s=%s; Path=/; Max-Age=%.0f; HttpOnly; SameSite=Strict%s",
	    SESSION_COOKIE, value, max_age, tls ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", h);
	sodium_memzero(h, sizeof(h));
}

/* The request's session cookie, or NULL. */
static struct session *
request_session(struct sessions *s, struct evhttp_request *req)
{
	const char *cookie = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Cookie");
	char sid[128];
	if (cookie == NULL || strlen(cookie) > 8192 ||
	    session_cookie_value(cookie, SESSION_COOKIE, sid, sizeof(sid)) <= 0)
		return NULL;
	struct session *se = session_find(s, sid, util_now());
	sodium_memzero(sid, sizeof(sid));
	return se;
}

int
session_logout(struct sessions *s, struct evhttp_request *req)
{
	struct session *se = request_session(s, req);
	if (se == NULL)
		return 0;
	session_free(s, se);
	return 1;
}

static int
method_changes_state(struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	return m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD && m != EVHTTP_REQ_OPTIONS;
}

const struct auth_identity *
session_identify(struct collector *c, struct evhttp_request *req, int *code)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	*code = 401;
	if (c->sessions != NULL && evhttp_find_header(in, "Authorization") == NULL) {
		struct session *se = request_session(c->sessions, req);
		if (se != NULL) {
			if (method_changes_state(req)) {
				const char *t = evhttp_find_header(in, "X-CSRF-Token");
				size_t tl = t ? strlen(t) : 0;
				if (tl == 0 || tl != strlen(se->csrf) ||
				    sodium_memcmp(t, se->csrf, tl) != 0) {
					*code = 403;
					return NULL;
				}
			}
			return &se->id;
		}
	}
	return auth_request(c->auth, req);
}

/* ---- client addresses --------------------------------------------------------- */

void
http_client_addr(struct evhttp_request *req, char *addr, size_t cap, char *key,
    size_t keycap)
{
	char *peer = NULL;
	ev_uint16_t port = 0;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &peer, &port);
	snprintf(addr, cap, "%s", peer ? peer : "unknown");
	if (key == NULL)
		return;
	/* One IPv6 client usually holds a whole /64: limit it as one. */
	struct in6_addr v6;
	char buf[INET6_ADDRSTRLEN];
	if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, &v6) == 1 &&
	    !IN6_IS_ADDR_V4MAPPED(&v6)) {
		memset(v6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &v6, buf, sizeof(buf)) != NULL) {
			snprintf(key, keycap, "%s/64", buf);
			return;
		}
	}
	snprintf(key, keycap, "%s", addr);
}
