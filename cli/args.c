/*
 * args.c — long options and positional arguments, against the option
 * tables of the global options and of one command. Nothing here prints or
 * exits: errors come back as text for the caller to show.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_opt *
find_opt(const struct cli_opt *table, const char *name, size_t len)
{
	for (const struct cli_opt *o = table; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static int
add_set(struct cli_args *out, const struct cli_opt *o, const char *value, char *err,
    size_t errlen)
{
	if (out->n_set == CLI_MAX_SET) {
		snprintf(err, errlen, "too many options");
		return -1;
	}
	out->set[out->n_set].name = o->name;
	out->set[out->n_set].opt = o;
	out->set[out->n_set].value = value;
	out->n_set++;
	return 0;
}

int
cli_args_parse(const struct cli_opt *a, const struct cli_opt *b, int argc,
    char *const *argv, struct cli_args *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	int only_pos = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (only_pos || arg[0] != '-' || arg[1] == '\0') {
			/* "-" alone is a positional argument, as it is elsewhere */
			if (out->n_pos == CLI_MAX_POS) {
				snprintf(err, errlen, "too many arguments");
				return -1;
			}
			out->pos[out->n_pos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
			continue;
		}
		const char *name, *eq = NULL;
		size_t len;
		if (strcmp(arg, "-h") == 0) {
			name = "help";
			len = 4;
		} else if (arg[1] == '-') {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq ? (size_t)(eq - name) : strlen(name);
		} else {
			snprintf(err, errlen, "unknown option '%.64s' (options are --long)", arg);
			return -1;
		}
		/* the command's own option wins over a global one of the same name
		 * ("device add --version 3" vs "campusmon --version") */
		const struct cli_opt *o = find_opt(b, name, len);
		if (o == NULL)
			o = find_opt(a, name, len);
		if (o == NULL || len == 0) {
			snprintf(err, errlen, "unknown option '--%.*s'", (int)(len > 64 ? 64 : len),
			    name);
			return -1;
		}
		const char *value;
		if (o->arg == NULL) {
			if (eq != NULL) {
				snprintf(err, errlen, "option '--%s' takes no value", o->name);
				return -1;
			}
			value = "";
		} else if (eq != NULL) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			snprintf(err, errlen, "option '--%s' needs a value (%s)", o->name, o->arg);
			return -1;
		}
		if (add_set(out, o, value, err, errlen) < 0)
			return -1;
	}
	return 0;
}

const char *
cli_args_get(const struct cli_args *args, const char *name)
{
	for (size_t i = args->n_set; i > 0; i--)
		if (strcmp(args->set[i - 1].name, name) == 0)
			return args->set[i - 1].value;
	return NULL;
}
