/*
 * nagios.c — the nagios plugin: run a Nagios-compatible check program and
 * report its state and performance data.
 *
 *   plugins:
 *     - plugin: nagios
 *       name: root_disk
 *       interval: 60s
 *       command: [/usr/lib/nagios/plugins/check_disk, -w, 10%, -c, 5%, -p, /]
 *
 * Each read runs the command through common/exec (fork + execve of an argv
 * array, never a shell; never as root: when the agent is root the check
 * runs as `user`, default nobody), bounded by the instance timeout and the
 * output cap. Sends (names as Telegraf's nagios data format):
 *   nagios_state,instance=N state=0..3i,exit_code=Ni,duration_ms=F,
 *                service_output="...",long_service_output="..."
 *   nagios,instance=N,perfdata=LABEL,unit=UOM value=F[,warning_lt=..,
 *          warning_gt=..,critical_lt=..,critical_gt=..,min=..,max=..]
 * For an "@low:high" (alert inside) range the bounds are sent as
 * warning_ge/warning_le (critical_ge/critical_le) instead.
 */
#include "plugins/nagios.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAGIOS_SUMMARY_MAX 1024
#define NAGIOS_LONGTEXT_MAX 4096

struct nagios_config {
	struct cfg_strlist command;
	char *user;
	long long output_cap;
	struct cfg_strlist env;
};

struct nagios_state {
	const struct nagios_config *cfg;
	char **argv;		/* NULL-terminated; strings borrowed from cfg */
	char **envp;		/* NULL-terminated; owned */
	int switch_user;
	uid_t uid;
	gid_t gid;
	int timeout_ms;
};

static const char *
nagios_check_command(const void *field)
{
	const struct cfg_strlist *l = field;
	if (l->n == 0)
		return "must name the check program";
	if (l->v[0][0] != '/')
		return "the check program must be an absolute path (no shell, no PATH lookup)";
	return NULL;
}

static const char *
nagios_check_env(const void *field)
{
	const struct cfg_strlist *l = field;
	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		if (eq == NULL || eq == l->v[i])
			return "entries must be KEY=VALUE";
	}
	return NULL;
}

static const struct cfg_key nagios_schema[] = {
	{ "command", CFG_STRLIST, offsetof(struct nagios_config, command), NULL, 0, 256,
	  NULL, nagios_check_command,
	  "Required. The check program (absolute path) and its arguments, as a list; "
	  "run with execve, never through a shell." },
	{ "user", CFG_STRING, offsetof(struct nagios_config, user), "nobody", 1, 64,
	  NULL, NULL, "User the check runs as when the agent runs as root (root is refused)." },
	{ "output_cap", CFG_SIZE, offsetof(struct nagios_config, output_cap), "16KiB",
	  256, 1024 * 1024, NULL, NULL,
	  "Bytes of check output kept; the rest is read and discarded." },
	{ "env", CFG_STRLIST, offsetof(struct nagios_config, env), NULL, 0, 32, NULL,
	  nagios_check_env,
	  "Extra KEY=VALUE environment entries; PATH, LANG=C and LC_ALL=C are always set." },
	CFG_END
};

static void
nagios_free(void *p)
{
	struct nagios_state *st = p;
	if (st == NULL)
		return;
	free(st->argv);
	if (st->envp != NULL)
		for (size_t i = 0; st->envp[i] != NULL; i++)
			free(st->envp[i]);
	free(st->envp);
	free(st);
}

static void *
nagios_configure(const void *config, const struct plugin_info *info, char *err,
    size_t errlen)
{
	const struct nagios_config *cfg = config;
	struct nagios_state *st;
	struct stat sb;

	if (cfg->command.n == 0) {
		snprintf(err, errlen, "command is required");
		return NULL;
	}
	if (stat(cfg->command.v[0], &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & 0111) == 0) {
		snprintf(err, errlen, "command %s is not an executable file", cfg->command.v[0]);
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		goto oom;
	st->cfg = cfg;
	st->timeout_ms = info->timeout_ms;
	if ((st->argv = calloc(cfg->command.n + 1, sizeof(char *))) == NULL)
		goto oom;
	for (size_t i = 0; i < cfg->command.n; i++)
		st->argv[i] = cfg->command.v[i];
	if ((st->envp = calloc(cfg->env.n + 4, sizeof(char *))) == NULL)
		goto oom;
	size_t ne = 0;
	const char *base[] = { EXEC_DEFAULT_PATH, "LANG=C", "LC_ALL=C" };
	for (size_t i = 0; i < 3; i++) {
		int overridden = 0;
		size_t klen = strcspn(base[i], "=") + 1;
		for (size_t j = 0; j < cfg->env.n; j++)
			overridden |= strncmp(cfg->env.v[j], base[i], klen) == 0;
		if (!overridden && (st->envp[ne++] = strdup(base[i])) == NULL)
			goto oom;
	}
	for (size_t j = 0; j < cfg->env.n; j++)
		if ((st->envp[ne++] = strdup(cfg->env.v[j])) == NULL)
			goto oom;
	if (info->host_is_root) {
		if (exec_lookup_user(cfg->user, &st->uid, &st->gid, err, errlen) < 0 ||
		    exec_user_can_run(cfg->command.v[0], cfg->user, st->uid, st->gid, err,
		    errlen) < 0) {
			nagios_free(st);
			return NULL;
		}
		st->switch_user = 1;
	}
	return st;
oom:
	snprintf(err, errlen, "out of memory");
	nagios_free(st);
	return NULL;
}

/* Threshold fields: outside ranges as _lt/_gt, "@" inside ranges as _ge/_le. */
static void
add_range(struct plugin_field *f, size_t *n, int critical, const struct nagios_range *r)
{
	static const char *const keys[2][4] = {
		{ "warning_lt", "warning_gt", "warning_ge", "warning_le" },
		{ "critical_lt", "critical_gt", "critical_ge", "critical_le" },
	};
	const char *const *k = keys[critical] + (r->inside ? 2 : 0);
	if (r->has_low)
		f[(*n)++] = (struct plugin_field){ .key = k[0], .type = PLUGIN_FLOAT, .f = r->low };
	if (r->has_high)
		f[(*n)++] = (struct plugin_field){ .key = k[1], .type = PLUGIN_FLOAT, .f = r->high };
}

static void
nagios_submit_perf(const struct nagios_perf *p, void *arg)
{
	struct plugin_ctx *ctx = arg;
	struct plugin_field f[8];
	size_t n = 0;

	f[n++] = (struct plugin_field){ .key = "value", .type = PLUGIN_FLOAT, .f = p->value };
	if (p->has_warn)
		add_range(f, &n, 0, &p->warn);
	if (p->has_crit)
		add_range(f, &n, 1, &p->crit);
	if (p->has_min)
		f[n++] = (struct plugin_field){ .key = "min", .type = PLUGIN_FLOAT, .f = p->min };
	if (p->has_max)
		f[n++] = (struct plugin_field){ .key = "max", .type = PLUGIN_FLOAT, .f = p->max };
	struct plugin_tag tags[] = { { "perfdata", p->label }, { "unit", p->uom } };
	struct plugin_sample s = { "nagios", tags, 2, f, n };
	(void)plugin_submit(ctx, &s);
}

static int
nagios_read(void *p, struct plugin_ctx *ctx)
{
	struct nagios_state *st = p;
	struct exec_result res;
	char err[256];
	char *summary = malloc(NAGIOS_SUMMARY_MAX), *longtext = malloc(NAGIOS_LONGTEXT_MAX);
	long long left = plugin_deadline_ms(ctx);
	int state = 3, exit_code = -1, rc = 0;

	if (summary == NULL || longtext == NULL) {
		free(summary);
		free(longtext);
		return -1;
	}
	summary[0] = longtext[0] = '\0';
	struct exec_spec spec = {
		.argv = st->argv,
		.envp = st->envp,
		.switch_user = st->switch_user,
		.uid = st->uid,
		.gid = st->gid,
		.timeout_ms = (int)(left < st->timeout_ms ? (left > 0 ? left : 1) : st->timeout_ms),
		.output_cap = (size_t)st->cfg->output_cap,
	};
	if (exec_run(&spec, &res, err, sizeof(err)) < 0) {
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s", err);
		snprintf(summary, NAGIOS_SUMMARY_MAX, "UNKNOWN - %s", err);
		rc = -1;
	} else if (res.outcome == EXEC_TIMEOUT) {
		plugin_log(ctx, PLUGIN_LOG_WARN, "%s timed out after %d ms", st->argv[0],
		    spec.timeout_ms);
		snprintf(summary, NAGIOS_SUMMARY_MAX, "UNKNOWN - check timed out after %d ms",
		    spec.timeout_ms);
	} else if (res.outcome == EXEC_SIGNALED) {
		snprintf(summary, NAGIOS_SUMMARY_MAX, "UNKNOWN - check killed by signal %d",
		    res.code);
	} else {
		exit_code = res.code;
		state = nagios_state_from_exit(res.code);
		int bad = nagios_parse_output(res.output, res.output_len, summary,
		    NAGIOS_SUMMARY_MAX, longtext, NAGIOS_LONGTEXT_MAX, nagios_submit_perf, ctx);
		if (bad > 0)
			plugin_log(ctx, PLUGIN_LOG_DEBUG, "%d malformed perfdata item(s) skipped", bad);
		if (res.truncated)
			plugin_log(ctx, PLUGIN_LOG_DEBUG, "output truncated at %zu bytes",
			    res.output_len);
	}
	struct plugin_field f[] = {
		{ .key = "state", .type = PLUGIN_INT, .i = state },
		{ .key = "exit_code", .type = PLUGIN_INT, .i = exit_code },
		{ .key = "duration_ms", .type = PLUGIN_FLOAT, .f = (double)res.elapsed_ms },
		{ .key = "service_output", .type = PLUGIN_STRING, .s = summary },
		{ .key = "long_service_output", .type = PLUGIN_STRING, .s = longtext },
	};
	size_t nf = longtext[0] != '\0' ? 5 : 4;
	struct plugin_sample s = { "nagios_state", NULL, 0, f, nf };
	(void)plugin_submit(ctx, &s);
	exec_result_free(&res);
	free(summary);
	free(longtext);
	return rc;
}

const struct plugin_desc nagios_plugin = {
	.name = "nagios",
	.abi = PLUGIN_ABI,
	.schema = nagios_schema,
	.config_size = sizeof(struct nagios_config),
	.configure = nagios_configure,
	.read = nagios_read,
	.free = nagios_free,
};
