/*
 * cmd_backup.c — campusmon backup DIR: the collector copies its state
 * database, RRD files, events, outbox and notify.key into DIR on its own
 * host, as its own user.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
cmd_backup(struct cli *c, const struct cli_args *args)
{
	char cwd[PATH_MAX], dir[PATH_MAX];
	const char *arg = args->pos[0];
	if (arg[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL) {
		cli_error(c, "cannot find the current directory to make '%s' absolute", arg);
		return CLI_EXIT_USAGE;
	}
	if (cli_abs_path(arg[0] == '/' ? "/" : cwd, arg, dir, sizeof(dir)) < 0 ||
	    strlen(dir) > 1024) {
		cli_error(c, "DIR must be a path of at most 1024 bytes");
		return CLI_EXIT_USAGE;
	}
	json_t *body = json_pack("{s:s}", "dir", dir);
	if (body == NULL) {
		cli_error(c, "DIR must be UTF-8 text");
		return CLI_EXIT_USAGE;
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!c->timeout_given)
		cli_http_set_timeout(c->http, CLI_BACKUP_TIMEOUT);
	json_t *j;
	int rc = cli_call_json(c, "POST", "/api/v1/backup", text, NULL, 0, &j);
	free(text);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (c->json) {
		cli_print_json(c, j);
	} else {
		const char *done = json_string_value(json_object_get(j, "dir"));
		char *safe = cli_escape(done ? done : dir);
		fprintf(c->out, "Backup written on the collector's host in %s (state.db, rrd/, "
		    "events.db, outbox.db, notify.key: those it has)\n", safe ? safe : "");
		free(safe);
	}
	json_decref(j);
	return CLI_EXIT_OK;
}
