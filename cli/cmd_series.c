/*
 * cmd_series.c — campusmon series (the catalogue with last values) and
 * campusmon query (one series' values over a time range).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tags as "k=v,k2=v2", keys sorted; NULL when there are none. Heap. */
static char *
tags_text(const json_t *tags)
{
	size_t n = json_object_size(tags), len = 1, i = 0;
	if (n == 0)
		return NULL;
	const char **keys = calloc(n, sizeof(*keys));
	if (keys == NULL)
		return NULL;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)tags, k, v) {
		keys[i++] = k;
		const char *s = json_string_value(v);
		len += strlen(k) + (s ? strlen(s) : 0) + 2;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	char *out = malloc(len);
	size_t o = 0;
	for (i = 0; out != NULL && i < n; i++) {
		const char *s = json_string_value(json_object_get(tags, keys[i]));
		o += (size_t)snprintf(out + o, len - o, "%s%s=%s", i ? "," : "", keys[i],
		    s ? s : "");
	}
	free(keys);
	return out;
}

int
cmd_series(struct cli *c, const struct cli_args *args)
{
	const struct cli_param params[] = {
		{ "host", cli_args_get(args, "host") },
		{ "measurement", cli_args_get(args, "measurement") },
		{ "field", cli_args_get(args, "field") },
	};
	json_t *j;
	int rc = cli_get_array(c, "/api/v1/series", params, 3, "series", 1, &j);
	if (j == NULL)
		return rc;
	struct cli_table *t = cli_table_new(7, (const char *[]){ "ID", "HOST", "MEASUREMENT",
	    "TAGS", "FIELD", "LAST", "AGE" });
	if (t == NULL) {
		json_decref(j);
		return CLI_EXIT_API;
	}
	cli_table_align_right(t, 0);
	cli_table_align_right(t, 5);
	cli_table_align_right(t, 6);
	double now = util_now();
	size_t i;
	json_t *s;
	json_array_foreach(j, i, s) {
		char id[64], last[64], age[32];
		const json_t *jid = json_object_get(s, "id");
		if (json_is_integer(jid))
			snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(jid));
		else
			snprintf(id, sizeof(id), "%s", json_is_string(jid) ?
			    json_string_value(jid) : "-");
		const json_t *jl = json_object_get(s, "last");
		if (json_is_number(jl))
			cli_format_value(json_number_value(jl), last, sizeof(last));
		else
			snprintf(last, sizeof(last), "%.60s", json_is_string(jl) ?
			    json_string_value(jl) : "-");
		const json_t *jts = json_object_get(s, "last_ts");
		if (json_is_number(jts))
			cli_format_age(now - json_number_value(jts), age, sizeof(age));
		else
			snprintf(age, sizeof(age), "-");
		char *tags = tags_text(json_object_get(s, "tags"));
		cli_table_add(t, (const char *[]){ id,
		    json_string_value(json_object_get(s, "host")),
		    json_string_value(json_object_get(s, "measurement")), tags,
		    json_string_value(json_object_get(s, "field")), last, age });
		free(tags);
	}
	if (cli_table_rows(t) == 0)
		fprintf(c->err, "campusmon: no series%s\n", params[0].value || params[1].value ||
		    params[2].value ? " match" : " yet");
	else
		cli_table_print(t, c->out);
	cli_table_free(t);
	json_decref(j);
	return CLI_EXIT_OK;
}

int
cmd_query(struct cli *c, const struct cli_args *args)
{
	char from[72], to[72], cf[16] = "";
	const char *from_arg = cli_args_get(args, "from"), *to_arg = cli_args_get(args, "to");
	const char *step = cli_args_get(args, "step"), *cf_arg = cli_args_get(args, "cf");
	if (from_arg != NULL && cli_parse_time(from_arg, from, sizeof(from)) < 0) {
		cli_error(c, "--from: '%.64s' is not a time (Unix seconds, now, -1h, -7d or "
		    "2024-05-01T08:00)", from_arg);
		return CLI_EXIT_USAGE;
	}
	if (to_arg != NULL && cli_parse_time(to_arg, to, sizeof(to)) < 0) {
		cli_error(c, "--to: '%.64s' is not a time (Unix seconds, now, -1h, -7d or "
		    "2024-05-01T08:00)", to_arg);
		return CLI_EXIT_USAGE;
	}
	long long secs;
	if (step != NULL && (cfg_parse_duration(step, &secs) < 0 || secs < 1 ||
	    secs > 366 * 86400)) {
		cli_error(c, "--step: '%.64s' is not a duration from 1s to 366d (60, 5m, 1h)",
		    step);
		return CLI_EXIT_USAGE;
	}
	if (cf_arg != NULL) {
		for (size_t i = 0; cf_arg[i] && i < sizeof(cf) - 1; i++)
			cf[i] = (char)tolower((unsigned char)cf_arg[i]);
		if (strcmp(cf, "average") != 0 && strcmp(cf, "max") != 0 &&
		    strcmp(cf, "min") != 0) {
			cli_error(c, "--cf must be average, max or min");
			return CLI_EXIT_USAGE;
		}
	}
	const struct cli_param params[] = {
		{ "series", args->pos[0] },
		{ "from", from_arg ? from : NULL },
		{ "to", to_arg ? to : NULL },
		{ "step", step },
		{ "cf", cf_arg ? cf : NULL },
	};
	struct cli_reply r;
	int rc = cli_call(c, "GET", "/api/v1/query", params, 5, NULL, &r);
	if (rc != CLI_EXIT_OK)
		return rc;
	json_t *j = cli_reply_json(c, &r);
	cli_reply_free(&r);
	const json_t *points = json_object_get(j, "points");
	if (!json_is_array(points)) {
		if (j != NULL)
			cli_error(c, "the collector's answer has no points");
		json_decref(j);
		return CLI_EXIT_API;
	}
	if (c->json) {
		cli_print_json(c, j);
		json_decref(j);
		return CLI_EXIT_OK;
	}
	struct cli_table *t = cli_table_new(2, (const char *[]){ "TIME", "VALUE" });
	if (t == NULL) {
		json_decref(j);
		return CLI_EXIT_API;
	}
	cli_table_align_right(t, 1);
	size_t i;
	json_t *p;
	json_array_foreach(points, i, p) {
		const json_t *ts = json_array_get(p, 0), *v = json_array_get(p, 1);
		if (!json_is_number(ts))
			continue;
		char when[48], val[64];
		cli_format_time(json_number_value(ts), when, sizeof(when));
		cli_format_value(json_is_number(v) ? json_number_value(v) : NAN, val,
		    sizeof(val));
		cli_table_add(t, (const char *[]){ when, val });
	}
	if (cli_table_rows(t) == 0)
		fprintf(c->err, "campusmon: no points in this range\n");
	else
		cli_table_print(t, c->out);
	cli_table_free(t);
	json_decref(j);
	return CLI_EXIT_OK;
}
