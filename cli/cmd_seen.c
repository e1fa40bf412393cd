/*
 * cmd_seen.c — campusmon seen, seen adopt, seen rm: the hosts discovery saw
 * answering ICMP or TCP but not SNMP (GET/POST/DELETE /api/v1/discovery/seen).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cmd_seen(struct cli *c, const struct cli_args *args)
{
	const struct cli_param params[] = {
		{ "limit", cli_args_get(args, "limit") },
		{ "offset", cli_args_get(args, "offset") },
	};
	json_t *j;
	int rc = cli_get_array(c, "/api/v1/discovery/seen", params, 2, "seen host", 1, &j);
	if (j == NULL)
		return rc;
	struct cli_table *t = cli_table_new(4, (const char *[]){ "ADDRESS", "ANSWERED",
	    "FIRST SEEN", "LAST SEEN" });
	size_t i;
	json_t *r;
	json_array_foreach(j, i, r) {
		char first[48], last[48];
		cli_format_time(json_number_value(json_object_get(r, "first_seen")), first,
		    sizeof(first));
		cli_format_time(json_number_value(json_object_get(r, "last_seen")), last,
		    sizeof(last));
		cli_table_add(t, (const char *[]){
		    json_string_value(json_object_get(r, "address")),
		    json_string_value(json_object_get(r, "answered")), first, last });
	}
	if (json_array_size(j) > 0)
		cli_table_print(t, c->out);
	else
		fprintf(c->err, "campusmon: no seen hosts\n");
	cli_table_free(t);
	json_decref(j);
	return CLI_EXIT_OK;
}

/* {"addresses": [...]} or {"all": true}; NULL after saying why. */
static json_t *
target_body(struct cli *c, const struct cli_args *args)
{
	int all = cli_args_get(args, "all") != NULL;
	if (all == (args->n_pos > 0)) {
		cli_error(c, "name the hosts (ADDR...) or give --all");
		return NULL;
	}
	if (all)
		return json_pack("{s:b}", "all", 1);
	json_t *list = json_array();
	for (size_t i = 0; i < args->n_pos; i++)
		json_array_append_new(list, json_string(args->pos[i]));
	return json_pack("{s:o}", "addresses", list);
}

static int
call(struct cli *c, const char *method, const char *path, json_t *body, json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return CLI_EXIT_API;
	int rc = cli_call_json(c, method, path, text, NULL, 0, out);
	explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

int
cmd_seen_adopt(struct cli *c, const struct cli_args *args)
{
	json_t *body = target_body(c, args), *res = NULL;
	if (body == NULL)
		return CLI_EXIT_USAGE;
	const char *comm = cli_args_get(args, "community");
	if (comm != NULL)
		json_object_set_new(body, "credential", json_pack("{s:s, s:s}", "version", "2c",
		    "community", comm));
	int rc = call(c, "POST", "/api/v1/discovery/seen/adopt", body, &res);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json) {
		cli_print_json(c, res);
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(res, "adopted"), i, v)
			fprintf(c->out, "adopted %s\n", json_string_value(v));
		json_array_foreach(json_object_get(res, "not_seen"), i, v)
			fprintf(c->err, "campusmon: %s is not a seen host (or already a device)\n",
			    json_string_value(v));
	}
	rc = json_array_size(json_object_get(res, "not_seen")) > 0 ? CLI_EXIT_API : CLI_EXIT_OK;
	json_decref(res);
	return rc;
}

int
cmd_seen_rm(struct cli *c, const struct cli_args *args)
{
	json_t *body = target_body(c, args), *res = NULL;
	if (body == NULL)
		return CLI_EXIT_USAGE;
	int rc = call(c, "DELETE", "/api/v1/discovery/seen", body, &res);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json)
		cli_print_json(c, res);
	else
		fprintf(c->out, "forgot %lld seen host(s)\n",
		    (long long)json_integer_value(json_object_get(res, "deleted")));
	json_decref(res);
	return CLI_EXIT_OK;
}
