/*
 * perms.c — the one table of roles and what each may do. Routes say which
 * permission they need (http/server.c), identities carry the bits of their
 * role (tokens.c, session.c), /api/v1/me lists them for the web UI, and
 * role names are validated here; nothing else compares role names.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "collector/auth/auth.h"

static const struct {
	const char *role;
	unsigned perms;
	int for_people;			/* a web user or API token may have it */
} roles[] = {
	{ "admin", PERM_WRITE | PERM_READ | PERM_OPERATE | PERM_AUDIT | PERM_ADMIN | PERM_SELF |
	    PERM_METRICS, 1 },
	{ "operator", PERM_READ | PERM_OPERATE | PERM_SELF | PERM_METRICS, 1 },
	{ "viewer", PERM_READ | PERM_SELF | PERM_METRICS, 1 },
	{ "auditor", PERM_AUDIT | PERM_SELF | PERM_METRICS, 1 },
	{ "agent", PERM_WRITE, 0 },	/* agent tokens: samples only */
};

/* Names for /api/v1/me, in bit order. */
static const char *const perm_names[] = { "write", "read", "operate", "audit", "admin",
	"self", "metrics" };

unsigned
perms_of_role(const char *role)
{
	for (size_t i = 0; role != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role, roles[i].role) == 0)
			return roles[i].perms;
	return 0;
}

const char *
perms_check_role(const char *role)
{
	for (size_t i = 0; role != NULL && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].for_people && strcmp(role, roles[i].role) == 0)
			return NULL;
	return "role must be admin, operator, viewer or auditor";
}

struct json_t *
perms_roles_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].for_people)
			json_array_append_new(a, json_pack("{s:s, s:o}", "role", roles[i].role,
			    "permissions", perms_json(roles[i].perms)));
	return a;
}

void
perms_format(unsigned perms, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(perm_names) / sizeof(perm_names[0]); i++)
		if ((perms & (1u << i)) && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "",
			    perm_names[i]);
}

struct json_t *
perms_json(unsigned perms)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof(perm_names) / sizeof(perm_names[0]); i++)
		if (perms & (1u << i))
			json_array_append_new(a, json_string(perm_names[i]));
	return a;
}
