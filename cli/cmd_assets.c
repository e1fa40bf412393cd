/*
 * cmd_assets.c — campusmon assets list [--csv] and campusmon assets import FILE:
 * the asset register, each asset with the device it matched and how.
 */
#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSETS_FILE_MAX (64L * 1024 * 1024)

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int
cmd_assets(struct cli *c, const struct cli_args *args)
{
	int csv = cli_args_get(args, "csv") != NULL;
	struct cli_param params[] = { { "format", csv ? "csv" : NULL } };
	json_t *j;
	int rc = cli_get_csv_or_json(c, "/api/v1/assets", params, 1, csv, &j);
	if (j == NULL)
		return rc;
	if (c->json) {
		cli_print_json(c, j);
		json_decref(j);
		return CLI_EXIT_OK;
	}
	struct cli_table *t = cli_table_new(6, (const char *[]){ "ASSET TAG", "NAME", "KIND",
	    "ADDRESS", "DEVICE", "MATCHED BY" });
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(j, "assets"), i, a)
		cli_table_add(t, (const char *[]){ str(a, "asset_tag"), str(a, "name"),
		    str(a, "kind"), str(a, "address"), json_is_string(json_object_get(a, "device")) ?
		    str(a, "device") : NULL, json_is_string(json_object_get(a, "matched_by")) ?
		    str(a, "matched_by") : "no device" });
	if (cli_table_rows(t) > 0)
		cli_table_print(t, c->out);
	else
		fprintf(c->err, "campusmon: the asset register is empty; import one with "
		    "'campusmon assets import FILE'\n");
	cli_table_free(t);
	json_t *u = json_object_get(j, "unmatched_devices");
	if (json_array_size(u) > 0) {
		fprintf(c->out, "\nDevices no asset matches:\n");
		t = cli_table_new(3, (const char *[]){ "NAME", "ADDRESS", "KIND" });
		json_array_foreach(u, i, a)
			cli_table_add(t, (const char *[]){ str(a, "name"), str(a, "address"),
			    str(a, "kind") });
		cli_table_print(t, c->out);
		cli_table_free(t);
	}
	json_decref(j);
	return CLI_EXIT_OK;
}

int
cmd_assets_import(struct cli *c, const struct cli_args *args)
{
	const char *path = args->pos[0];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		cli_error(c, "cannot open %s: %s", path, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	size_t cap = 65536, len = 0, n;
	char *buf = malloc(cap);
	while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && (long)cap < ASSETS_FILE_MAX) {
			char *b = realloc(buf, cap * 2);
			if (b == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		} else if (len == cap) {
			break;
		}
	}
	int too_big = buf != NULL && len == cap && !feof(f);
	if (f != stdin)
		fclose(f);
	if (buf == NULL || too_big) {
		free(buf);
		cli_error(c, "%s: %s", path, too_big ? "larger than 64 MiB" : "out of memory");
		return CLI_EXIT_USAGE;
	}
	struct cli_reply r;
	int rc = cli_call_raw(c, "POST", "/api/v1/assets", buf, len, "text/csv", &r);
	free(buf);
	if (rc != CLI_EXIT_OK)
		return rc;
	json_t *j = cli_reply_json(c, &r);
	cli_reply_free(&r);
	if (j == NULL)
		return CLI_EXIT_API;
	if (c->json)
		cli_print_json(c, j);
	else
		fprintf(c->out, "Imported %lld assets (%s): %lld matched a device, %lld did not\n",
		    (long long)json_integer_value(json_object_get(j, "imported")), str(j, "encoding"),
		    (long long)json_integer_value(json_object_get(j, "matched")),
		    (long long)json_integer_value(json_object_get(j, "unmatched")));
	json_decref(j);
	return CLI_EXIT_OK;
}
