/*
 * test_router.c — http/router.c: path patterns, and the joined route table
 * every API file contributes to (order, permissions, no duplicates).
 */
#include <criterion/criterion.h>
#include <event2/http.h>
#include <string.h>

#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"

static char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];

static int
match(const char *pattern, const char *path, int *n)
{
	return http_route_match(pattern, path, params, n);
}

Test(router, patterns_match_whole_segments)
{
	static const struct {
		const char *pattern, *path;
		int ok, n;
		const char *p0, *p1;
	} t[] = {
		{ "/api/v1/devices", "/api/v1/devices", 1, 0, NULL, NULL },
		{ "/api/v1/devices", "/api/v1/devices/", 0, 0, NULL, NULL },
		{ "/api/v1/devices", "/api/v1/device", 0, 0, NULL, NULL },
		{ "/api/v1/devices", "/api/v1/devicesX", 0, 0, NULL, NULL },
		{ "/api/v1/devices/*", "/api/v1/devices/12", 1, 1, "12", NULL },
		{ "/api/v1/devices/*", "/api/v1/devices/", 0, 0, NULL, NULL },
		{ "/api/v1/devices/*", "/api/v1/devices/12/sensors", 0, 0, NULL, NULL },
		{ "/api/v1/devices/*/sensors", "/api/v1/devices/core%20sw/sensors", 1, 1,
		    "core%20sw", NULL },
		{ "/api/v1/users/*/unlock", "/api/v1/users/7/unlock", 1, 1, "7", NULL },
		{ "/a/*/b/*", "/a/x/b/y", 1, 2, "x", "y" },
		{ "/**", "/", 1, 0, NULL, NULL },
		{ "/**", "/css/app.css", 1, 0, NULL, NULL },
		{ "/api/v1/health", "api/v1/health", 0, 0, NULL, NULL },
		{ "/api/v1/health", "//api/v1/health", 0, 0, NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int n = -1;
		cr_expect_eq(match(t[i].pattern, t[i].path, &n), t[i].ok, "%s ~ %s", t[i].pattern,
		    t[i].path);
		if (!t[i].ok)
			continue;
		cr_expect_eq(n, t[i].n, "%s: %d params", t[i].path, n);
		if (t[i].p0)
			cr_expect_str_eq(params[0], t[i].p0);
		if (t[i].p1)
			cr_expect_str_eq(params[1], t[i].p1);
	}
}

Test(router, captured_segments_are_bounded)
{
	char path[HTTP_PARAM_MAX + 32];
	int n;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	memcpy(path, "/api/v1/devices/", 16);
	cr_expect_eq(match("/api/v1/devices/*", path, &n), 0, "a segment too long to keep");
	cr_expect_eq(match("/*/*/*/*/*", "/a/b/c/d/e", &n), 0, "more params than room");
}

Test(router, table_is_whole_and_ordered)
{
	size_t n = 0, catch_all_at = 0;
	const struct route *last = NULL;
	for (const struct route *r = route_next(NULL); r != NULL; r = route_next(r)) {
		n++;
		cr_assert_not_null(r->fn, "%s has a handler", r->pattern);
		cr_assert(r->pattern[0] == '/', "%s", r->pattern);
		cr_assert_neq(r->method, 0, "%s has methods", r->pattern);
		if (strcmp(r->pattern, "/**") == 0)
			catch_all_at = n;
		/* no (method, pattern) twice: a second one could never answer */
		for (const struct route *o = route_next(NULL); o != r; o = route_next(o))
			cr_assert(strcmp(o->pattern, r->pattern) != 0 || !(o->method & r->method),
			    "%s listed twice", r->pattern);
		last = r;
	}
	cr_assert_gt(n, 25);
	cr_assert_eq(catch_all_at, n, "the web UI's catch-all comes last");
	cr_assert_eq(last->need, 0u);
}

Test(router, every_api_route_needs_a_permission_but_these)
{
	for (const struct route *r = route_next(NULL); r != NULL; r = route_next(r)) {
		if (r->need == 0) {
			/* health, login, InfluxDB clients' /ping, the web UI's files, and
			 * one-tap ack links (their signed, expiring token authorises them) */
			cr_assert(strcmp(r->pattern, "/api/v1/health") == 0 ||
			    strcmp(r->pattern, "/api/v1/login") == 0 ||
			    strcmp(r->pattern, "/ping") == 0 || strcmp(r->pattern, "/**") == 0 ||
			    strcmp(r->pattern, "/ack/*") == 0,
			    "%s is public", r->pattern);
			continue;
		}
		/* changes need more than reading */
		if (r->method & (EVHTTP_REQ_POST | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE))
			cr_assert(!(r->need & PERM_READ) || (r->need & ~PERM_READ),
			    "%s changes state with read alone", r->pattern);
	}
}
