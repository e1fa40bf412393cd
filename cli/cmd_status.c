/*
 * cmd_status.c — campusmon status: /api/v1/health, which needs no token,
 * and with a token a few figures from the collector's /metrics.
 */
#include "cli/cli.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

static const struct {
	const char *metric;
	const char *label;
} figures[] = {
	{ "campusmon_series", "series" },
	{ "campusmon_write_queue_depth", "write queue" },
	{ "campusmon_samples_accepted_total", "samples accepted" },
};
#define N_FIGURES (sizeof(figures) / sizeof(figures[0]))

/* Add a row "label  value" where value is a number from JSON or NAN. */
static void
add_number(struct cli_table *t, const char *label, double v)
{
	char buf[64];
	cli_format_value(v, buf, sizeof(buf));
	cli_table_add(t, (const char *[]){ label, buf });
}

static double
json_number_or_nan(const json_t *j)
{
	return json_is_number(j) ? json_number_value(j) : NAN;
}

int
cmd_status(struct cli *c, const struct cli_args *args)
{
	(void)args;
	struct cli_reply r;
	/* 503 {"status": "starting"} while the collector loads its catalogue */
	int rc = cli_call_accept(c, "GET", "/api/v1/health", NULL, 0, NULL, &r, 503);
	if (rc != CLI_EXIT_OK)
		return rc;
	int starting = r.status == 503;
	json_t *health = cli_reply_json(c, &r);
	cli_reply_free(&r);
	if (health == NULL || !json_is_object(health)) {
		if (health != NULL)
			cli_error(c, "the collector's health answer is not a JSON object");
		json_decref(health);
		return CLI_EXIT_API;
	}

	/* /metrics needs a token unless the collector makes it public */
	double fig[N_FIGURES];
	int have_metrics = 0, metrics_rc = CLI_EXIT_OK;
	if (starting)
		metrics_rc = CLI_EXIT_API;	/* not ready: /metrics would say 503 too */
	else if (c->token != NULL) {
		metrics_rc = cli_call(c, "GET", "/metrics", NULL, 0, NULL, &r);
		if (metrics_rc == CLI_EXIT_OK) {
			for (size_t i = 0; i < N_FIGURES; i++)
				if (cli_prom_find(r.body, r.len, figures[i].metric, &fig[i]) < 0)
					fig[i] = NAN;
			have_metrics = 1;
			cli_reply_free(&r);
		}
	}

	if (c->json) {
		if (have_metrics) {
			json_t *m = json_object();
			for (size_t i = 0; i < N_FIGURES; i++)
				json_object_set_new(m, figures[i].metric, isnan(fig[i]) ?
				    json_null() : json_real(fig[i]));
			json_object_set_new(health, "metrics", m);
		}
		cli_print_json(c, health);
	} else {
		struct cli_table *t = cli_table_new(2, NULL);
		char buf[64];
		if (t == NULL) {
			json_decref(health);
			return CLI_EXIT_API;
		}
		cli_table_add(t, (const char *[]){ "collector", c->url });
		cli_table_add(t, (const char *[]){ "status",
		    json_string_value(json_object_get(health, "status")) });
		cli_table_add(t, (const char *[]){ "version",
		    json_string_value(json_object_get(health, "version")) });
		cli_format_age(json_number_or_nan(json_object_get(health, "uptime")), buf,
		    sizeof(buf));
		cli_table_add(t, (const char *[]){ "uptime", buf });
		/* the same figures from /metrics when we have them */
		add_number(t, "series", have_metrics && !isnan(fig[0]) ? fig[0] :
		    json_number_or_nan(json_object_get(health, "series")));
		add_number(t, "write queue", have_metrics && !isnan(fig[1]) ? fig[1] :
		    json_number_or_nan(json_object_get(health, "queue")));
		if (have_metrics)
			add_number(t, "samples accepted", fig[2]);
		cli_table_print(t, c->out);
		cli_table_free(t);
	}
	json_decref(health);
	return metrics_rc;
}
