/*
 * cmd_alert.c — campusmon alerts (the list, with --state) and campusmon ack
 * ID [--comment TEXT]. Strings from the collector (device names, messages,
 * comments) are printed through the table, which escapes control bytes.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL && s[0] != '\0' ? s : NULL;
}

static void
value_text(const json_t *a, char *buf, size_t len)
{
	const json_t *v = json_object_get(a, "value");
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_number(v))
		cli_format_value(json_number_value(v), buf, len);
	else
		snprintf(buf, len, "-");
}

int
cmd_alerts(struct cli *c, const struct cli_args *args)
{
	const struct cli_param params[] = {
		{ "state", cli_args_get(args, "state") },
		{ "device", cli_args_get(args, "device") },
		{ "severity", cli_args_get(args, "severity") },
	};
	json_t *j;
	int rc = cli_get_array(c, "/api/v1/alerts", params, 3, "alert", 1, &j);
	if (j == NULL)
		return rc;
	struct cli_table *t = cli_table_new(8, (const char *[]){ "ID", "STATE", "SEVERITY",
	    "DEVICE", "RULE", "VALUE", "SINCE", "MESSAGE" });
	if (t == NULL) {
		json_decref(j);
		return CLI_EXIT_API;
	}
	cli_table_align_right(t, 0);
	size_t i;
	json_t *a;
	json_array_foreach(j, i, a) {
		char id[64], val[64], since[48], state[96], msg[600];
		cli_id_text(json_object_get(a, "id"), id, sizeof(id));
		value_text(a, val, sizeof(val));
		cli_format_age(util_now() - json_number_value(json_object_get(a, "started")), since,
		    sizeof(since));
		const json_t *root = json_object_get(a, "root_cause");
		long long affected = json_integer_value(json_object_get(a, "affected"));
		if (json_is_integer(root))
			snprintf(state, sizeof(state), "%s (under %lld)", str(a, "state"),
			    (long long)json_integer_value(root));
		else
			snprintf(state, sizeof(state), "%s%s", str(a, "state"),
			    json_is_true(json_object_get(a, "flapping")) ? ", flapping" :
			    json_is_true(json_object_get(a, "maintenance")) ? ", maintenance" : "");
		snprintf(msg, sizeof(msg), "%s", str(a, "message") ? str(a, "message") : "");
		if (affected > 0) {
			size_t o = strlen(msg);
			snprintf(msg + o, sizeof(msg) - o, " (%lld affected)", affected);
		}
		cli_table_add(t, (const char *[]){ id, state, str(a, "severity"), str(a, "device"),
		    str(a, "rule"), val, since, msg });
	}
	if (json_array_size(j) > 0)
		cli_table_print(t, c->out);
	else
		fprintf(c->err, "campusmon: no %s alerts\n", params[0].value ? params[0].value :
		    "active");
	cli_table_free(t);
	json_decref(j);
	return CLI_EXIT_OK;
}

int
cmd_ack(struct cli *c, const struct cli_args *args)
{
	const char *comment = cli_args_get(args, "comment");
	char *base = cli_object_path(c, "/api/v1/alerts", args->pos[0]), *path = NULL;
	json_t *body = json_object();
	if (comment != NULL)
		json_object_set_new(body, "comment", json_string(comment));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (base == NULL || text == NULL || asprintf(&path, "%s/ack", base) < 0) {
		free(base);
		free(text);
		return CLI_EXIT_API;
	}
	json_t *a;
	int rc = cli_call_json(c, "POST", path, text, NULL, 0, &a);
	free(base);
	free(path);
	free(text);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json) {
		cli_print_json(c, a);
	} else {
		char id[64];
		cli_id_text(json_object_get(a, "id"), id, sizeof(id));
		struct cli_table *t = cli_table_new(2, NULL);
		if (t != NULL) {
			cli_table_add(t, (const char *[]){ "alert", id });
			cli_table_add(t, (const char *[]){ "state", str(a, "state") });
			cli_table_add(t, (const char *[]){ "by", str(a, "acknowledged_by") });
			cli_table_add(t, (const char *[]){ "message", str(a, "message") });
			cli_table_print(t, c->out);
			cli_table_free(t);
		}
	}
	json_decref(a);
	return CLI_EXIT_OK;
}
