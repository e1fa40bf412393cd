/*
 * cmd_channels.c — campusmon channels (each notification channel with its
 * last delivery, failures and dead letters; removed ones while they have
 * dead letters), campusmon channel test NAME and
 * campusmon channel retry NAME (its dead letters sent again).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static void
age(const json_t *ts, char *buf, size_t len)
{
	if (json_is_number(ts))
		cli_format_age(util_now() - json_number_value(ts), buf, len);
	else
		snprintf(buf, len, "never");
}

int
cmd_channels(struct cli *c, const struct cli_args *args)
{
	json_t *j;
	(void)args;
	int rc = cli_get_array(c, "/api/v1/channels", NULL, 0, "channel", 1, &j);
	if (j == NULL)
		return rc;
	struct cli_table *t = cli_table_new(7, (const char *[]){ "NAME", "TYPE", "LAST DELIVERY",
	    "SENT", "FAILURES", "DEAD", "LAST ERROR" });
	if (t == NULL) {
		json_decref(j);
		return CLI_EXIT_API;
	}
	size_t i;
	json_t *ch;
	json_array_foreach(j, i, ch) {
		char last[48], sent[24], fail[24], dead[24];
		age(json_object_get(ch, "last_delivery"), last, sizeof(last));
		snprintf(sent, sizeof(sent), "%lld", json_integer_value(json_object_get(ch, "sent")));
		snprintf(fail, sizeof(fail), "%lld",
		    json_integer_value(json_object_get(ch, "failures")));
		snprintf(dead, sizeof(dead), "%lld", json_integer_value(json_object_get(ch, "dead")));
		const char *err = json_string_value(json_object_get(ch, "last_error"));
		const char *type = json_string_value(json_object_get(ch, "type"));
		/* no longer configured: listed while the outbox holds its dead letters */
		if (json_is_true(json_object_get(ch, "removed")) || type == NULL)
			type = "(removed)";
		cli_table_add(t, (const char *[]){ json_string_value(json_object_get(ch, "name")),
		    type, last, sent, fail, dead, err ? err : "" });
	}
	if (json_array_size(j) > 0)
		cli_table_print(t, c->out);
	else
		fprintf(c->err, "campusmon: no channels (notify.channels in the collector's "
		    "configuration)\n");
	cli_table_free(t);
	json_decref(j);
	return CLI_EXIT_OK;
}

/* POST /api/v1/channels/NAME/ACTION, then say what happened. */
static int
channel_action(struct cli *c, const char *name, const char *action, const char *said)
{
	char *base = cli_object_path(c, "/api/v1/channels", name), *path = NULL;
	if (base == NULL || asprintf(&path, "%s/%s", base, action) < 0) {
		free(base);
		return CLI_EXIT_API;
	}
	struct cli_reply r;
	int rc = cli_call(c, "POST", path, NULL, 0, "{}", &r);
	free(base);
	free(path);
	if (rc != CLI_EXIT_OK)
		return rc;
	cli_reply_free(&r);
	fprintf(c->out, "%s %s; 'campusmon channels' shows how it went\n", said, name);
	return CLI_EXIT_OK;
}

int
cmd_channel_test(struct cli *c, const struct cli_args *args)
{
	return channel_action(c, args->pos[0], "test", "test message queued for");
}

int
cmd_channel_retry(struct cli *c, const struct cli_args *args)
{
	return channel_action(c, args->pos[0], "retry", "dead letters queued again for");
}
