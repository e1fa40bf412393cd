/*
 * cmd_user.c — campusmon user unlock: end a web user's login locks (the way
 * back in for a user locked out by someone else's wrong guesses; needs an
 * admin token, e.g. CAMPUSMON_BOOTSTRAP_TOKEN on the collector's host).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_user_unlock(struct cli *c, const struct cli_args *args)
{
	const char *name = args->pos[0];
	json_t *users;
	int rc = cli_get_array(c, "/api/v1/users", NULL, 0, "user", 0, &users);
	if (users == NULL)
		return rc;
	char id[64] = "";
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) {
		const char *n = json_string_value(json_object_get(u, "name"));
		if (n != NULL && strcmp(n, name) == 0)
			cli_id_text(json_object_get(u, "id"), id, sizeof(id));
	}
	json_decref(users);
	if (id[0] == '\0') {
		char *safe = cli_escape(name);
		cli_error(c, "no user named '%s' (see GET /api/v1/users)", safe ? safe : "");
		free(safe);
		return CLI_EXIT_API;
	}
	char *base = cli_object_path(c, "/api/v1/users", id), *path = NULL;
	if (base == NULL || asprintf(&path, "%s/unlock", base) < 0)
		path = NULL;
	free(base);
	if (path == NULL)
		return CLI_EXIT_API;
	json_t *j;
	rc = cli_call_json(c, "POST", path, "{}", NULL, 0, &j);
	free(path);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json) {
		cli_print_json(c, j);
	} else {
		char *safe = cli_escape(name);
		json_int_t n = json_integer_value(json_object_get(j, "unlocked"));
		fprintf(c->out, "Unlocked user %s (%lld lock%s ended).\n", safe ? safe : "",
		    (long long)n, n == 1 ? "" : "s");
		free(safe);
	}
	json_decref(j);
	return CLI_EXIT_OK;
}
