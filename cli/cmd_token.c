/*
 * cmd_token.c — campusmon token create / list / revoke. The only place a
 * secret is ever printed is right after the collector created it.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
one_of(const char *v, const char *const *choices)
{
	for (size_t i = 0; choices[i] != NULL; i++)
		if (strcmp(v, choices[i]) == 0)
			return 1;
	return 0;
}

int
cmd_token_create(struct cli *c, const struct cli_args *args)
{
	static const char *const kinds[] = { "agent", "api", NULL };
	const char *name = args->pos[0];
	const char *kind = cli_args_get(args, "kind");
	const char *role = cli_args_get(args, "role");
	const char *host = cli_args_get(args, "host");
	if (kind != NULL && !one_of(kind, kinds)) {
		cli_error(c, "--kind must be agent or api");
		return CLI_EXIT_USAGE;
	}
	/* Which roles exist is the collector's one table (auth/perms.c): an
	 * unknown role comes back as its 400. */
	if (role != NULL && kind != NULL && strcmp(kind, "agent") == 0) {
		cli_error(c, "--role applies to api tokens; agent tokens may only write samples");
		return CLI_EXIT_USAGE;
	}
	if (kind == NULL)
		kind = role != NULL ? "api" : "agent";

	json_t *body = json_pack("{s:s, s:s}", "name", name, "kind", kind);
	if (body == NULL) {
		cli_error(c, "NAME and --host must be UTF-8 text");
		return CLI_EXIT_USAGE;
	}
	if (role != NULL)
		json_object_set_new(body, "role", json_string(role));
	if (host != NULL) {
		json_t *h = json_string(host);
		if (h == NULL) {
			json_decref(body);
			cli_error(c, "NAME and --host must be UTF-8 text");
			return CLI_EXIT_USAGE;
		}
		json_object_set_new(body, "host", h);
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	json_t *j;
	int rc = cli_call_json(c, "POST", "/api/v1/tokens", text, NULL, CLI_JSON_SECRET, &j);
	free(text);
	if (rc != CLI_EXIT_OK)
		return rc;
	const char *secret = json_string_value(json_object_get(j, "token"));
	if (secret == NULL) {
		cli_error(c, "the collector's answer holds no token");
		json_decref(j);
		return CLI_EXIT_API;
	}
	if (c->json) {
		cli_print_json(c, j);
	} else {
		char id[64];
		char *safe_name = cli_escape(json_string_value(json_object_get(j, "name")));
		char *safe_secret = cli_escape(secret);
		const char *jrole = json_string_value(json_object_get(j, "role"));
		const char *jhost = json_string_value(json_object_get(j, "host"));
		char *safe_role = cli_escape(jrole ? jrole : kind);
		char *safe_host = jhost ? cli_escape(jhost) : NULL;
		cli_id_text(json_object_get(j, "id"), id, sizeof(id));
		cli_escape_inplace(id);
		fprintf(c->out, "Created %s token '%s' (id %s, role %s%s%s).\n\n    %s\n\n"
		    "This secret is shown only this once: store it now.\n",
		    kind, safe_name ? safe_name : "", id, safe_role ? safe_role : "",
		    safe_host ? ", host " : "", safe_host ? safe_host : "",
		    safe_secret ? safe_secret : "");
		if (safe_secret != NULL)
			explicit_bzero(safe_secret, strlen(safe_secret));
		free(safe_secret);
		free(safe_name);
		free(safe_role);
		free(safe_host);
	}
	json_decref(j);
	return CLI_EXIT_OK;
}

static int
by_id(const void *a, const void *b)
{
	const json_t *x = json_object_get(*(json_t *const *)a, "id");
	const json_t *y = json_object_get(*(json_t *const *)b, "id");
	if (json_is_integer(x) && json_is_integer(y)) {
		json_int_t p = json_integer_value(x), q = json_integer_value(y);
		return p < q ? -1 : p > q;
	}
	char s[64], t[64];
	cli_id_text(x, s, sizeof(s));
	cli_id_text(y, t, sizeof(t));
	return strcmp(s, t);
}

int
cmd_token_list(struct cli *c, const struct cli_args *args)
{
	(void)args;
	json_t *j;
	int rc = cli_get_array(c, "/api/v1/tokens", NULL, 0, "token", 1, &j);
	if (j == NULL)
		return rc;
	size_t n = json_array_size(j);
	json_t **rows = calloc(n ? n : 1, sizeof(*rows));
	struct cli_table *t = cli_table_new(7, (const char *[]){ "ID", "NAME", "KIND", "ROLE",
	    "HOST", "CREATED", "REVOKED" });
	if (rows == NULL || t == NULL) {
		free(rows);
		cli_table_free(t);
		json_decref(j);
		return CLI_EXIT_API;
	}
	for (size_t i = 0; i < n; i++)
		rows[i] = json_array_get(j, i);
	qsort(rows, n, sizeof(*rows), by_id);
	cli_table_align_right(t, 0);
	for (size_t i = 0; i < n; i++) {
		const json_t *o = rows[i];
		char id[64], created[48];
		cli_id_text(json_object_get(o, "id"), id, sizeof(id));
		const json_t *cr = json_object_get(o, "created");
		if (json_is_number(cr))
			cli_format_time(json_number_value(cr), created, sizeof(created));
		else
			snprintf(created, sizeof(created), "-");
		cli_table_add(t, (const char *[]){ id,
		    json_string_value(json_object_get(o, "name")),
		    json_string_value(json_object_get(o, "kind")),
		    json_string_value(json_object_get(o, "role")),
		    json_string_value(json_object_get(o, "host")), created,
		    json_is_true(json_object_get(o, "revoked")) ? "yes" : "no" });
	}
	if (n == 0)
		fprintf(c->err, "campusmon: no tokens yet; create one with 'campusmon token "
		    "create NAME'\n");
	else
		cli_table_print(t, c->out);
	cli_table_free(t);
	free(rows);
	json_decref(j);
	return CLI_EXIT_OK;
}

int
cmd_token_revoke(struct cli *c, const struct cli_args *args)
{
	const char *id = args->pos[0];
	char *path = cli_object_path(c, "/api/v1/tokens", id);
	if (path == NULL)
		return CLI_EXIT_API;
	struct cli_reply r;
	int rc = cli_call(c, "DELETE", path, NULL, 0, NULL, &r);
	free(path);
	if (rc != CLI_EXIT_OK)
		return rc;
	cli_reply_free(&r);
	if (!c->json) {
		char *safe = cli_escape(id);
		fprintf(c->out, "Revoked token %s.\n", safe ? safe : "");
		free(safe);
	}
	return CLI_EXIT_OK;
}
