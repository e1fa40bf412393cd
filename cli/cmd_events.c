/*
 * cmd_events.c — campusmon events [QUERY]: traps and syslog from
 * GET /api/v1/events, oldest of the page first like a log, one line each
 * (ending in "(alert #ID)" when a log rule linked the event to an alert);
 * --follow asks again every two seconds and prints what is new.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
print_event(struct cli *c, const json_t *e)
{
	char when[64];
	cli_format_time(json_number_value(json_object_get(e, "ts")), when, sizeof(when));
	const char *who = str(e, "device") ? str(e, "device") : str(e, "source_address");
	const char *prog = str(e, "program");
	char *w = cli_escape(who ? who : "-");
	char *p = cli_escape(prog ? prog : "");
	char *m = cli_escape(str(e, "message") ? str(e, "message") : "");
	/* the alert a log rule raised, kept open or resolved with this event */
	const json_t *alert = json_object_get(e, "alert_id");
	char linked[40] = "";
	if (json_is_integer(alert))
		snprintf(linked, sizeof(linked), "  (alert #%lld)",
		    (long long)json_integer_value(alert));
	fprintf(c->out, "%s  %-16s %-7s %-6s %s%s%s%s\n", when, w ? w : "?",
	    str(e, "severity") ? str(e, "severity") : "-", str(e, "kind") ? str(e, "kind") : "-",
	    p && p[0] ? p : "", p && p[0] ? ": " : "", m ? m : "", linked);
	free(w);
	free(p);
	free(m);
}

/* Print the events of arr newer than *last, oldest first; raise *last. */
static void
print_new(struct cli *c, const json_t *arr, long long *last)
{
	for (size_t i = json_array_size(arr); i-- > 0;) {
		const json_t *e = json_array_get(arr, i);
		long long id = (long long)json_integer_value(json_object_get(e, "id"));
		if (id <= *last)
			continue;
		if (c->json)
			cli_print_json(c, e);
		else
			print_event(c, e);
		*last = id;
	}
	fflush(c->out);
}

int
cmd_events(struct cli *c, const struct cli_args *args)
{
	char from[72], to[72];
	const char *from_arg = cli_args_get(args, "from"), *to_arg = cli_args_get(args, "to");
	if (from_arg != NULL && cli_parse_time(from_arg, from, sizeof(from)) < 0) {
		cli_error(c, "--from: '%.64s' is not a time", from_arg);
		return CLI_EXIT_USAGE;
	}
	if (to_arg != NULL && cli_parse_time(to_arg, to, sizeof(to)) < 0) {
		cli_error(c, "--to: '%.64s' is not a time", to_arg);
		return CLI_EXIT_USAGE;
	}
	const char *limit = cli_args_get(args, "limit");
	const struct cli_param params[] = {
		{ "q", args->n_pos > 0 ? args->pos[0] : NULL },
		{ "device", cli_args_get(args, "device") },
		{ "kind", cli_args_get(args, "kind") },
		{ "severity", cli_args_get(args, "severity") },
		{ "from", from_arg ? from : NULL },
		{ "to", to_arg ? to : NULL },
		{ "limit", limit ? limit : "50" },
	};
	int follow = cli_args_get(args, "follow") != NULL;
	long long last = 0;
	for (;;) {
		json_t *j;
		int rc = cli_get_array(c, "/api/v1/events", params, 7, "events", 0, &j);
		if (j == NULL)
			return rc;
		if (!follow && json_array_size(j) == 0 && !c->json)
			fprintf(c->err, "campusmon: no events%s\n", args->n_pos ? " match" : " yet");
		if (!follow && c->json) {
			cli_print_json(c, j);
			json_decref(j);
			return CLI_EXIT_OK;
		}
		print_new(c, j, &last);
		json_decref(j);
		if (!follow)
			return CLI_EXIT_OK;
		sleep(2);
	}
}
