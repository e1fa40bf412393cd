/*
 * config.c — the user's ~/.config/campusmon/cli.yaml: a three-key schema
 * (url, token, cacert) and the checks that keep the token private. The file is
 * refused when its group or others may read it, or when someone other than
 * the user (or root) owns it.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *
cli_check_url(const char *text)
{
	const char *rest;
	if (strncasecmp(text, "http://", 7) == 0)
		rest = text + 7;
	else if (strncasecmp(text, "https://", 8) == 0)
		rest = text + 8;
	else
		return "must start with http:// or https://";
	if (*rest == '\0' || *rest == '/')
		return "has no host";
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return "must not contain spaces or control characters";
	if (strchr(rest, '?') != NULL || strchr(rest, '#') != NULL)
		return "must not contain a query or fragment";
	return NULL;
}

static const char *
check_url_field(const void *field)
{
	const char *s = *(char *const *)field;
	return s == NULL ? NULL : cli_check_url(s);
}

static const char *
check_token_field(const void *field)
{
	const char *s = *(char *const *)field;
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return "must not contain spaces or control characters";
	return NULL;
}

const struct cfg_key cli_file_schema[] = {
	{ "url", CFG_STRING, offsetof(struct cli_file_config, url), NULL, 1, 2048, NULL,
	    check_url_field, "Base URL of the collector, e.g. https://monitor.example.edu" },
	{ "token", CFG_STRING, offsetof(struct cli_file_config, token), NULL, 1, 1024, NULL,
	    check_token_field, "API token sent as 'Authorization: Bearer TOKEN'" },
	{ "cacert", CFG_STRING, offsetof(struct cli_file_config, cacert), NULL, 1, 4096, NULL,
	    NULL, "PEM file of the CA certificates to trust for https (a private CA)" },
	CFG_END
};

char *
cli_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path = NULL;
	int rc;
	if (xdg != NULL && xdg[0] == '/')
		rc = asprintf(&path, "%s/campusmon/cli.yaml", xdg);
	else if (home != NULL && home[0] != '\0')
		rc = asprintf(&path, "%s/.config/campusmon/cli.yaml", home);
	else
		return NULL;
	return rc < 0 ? NULL : path;
}

int
cli_config_load(const char *path, struct cli_file_config *cfg, struct cfg_errors *errs)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		cfg_errors_add(errs, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_errors_add(errs, "%s: not a regular file", path);
		return -1;
	}
	/*
	 * A personal token file is private to its user. cfg_check_secrecy,
	 * shared with the daemons, lets a service group read (mode 640); here
	 * the group may not read either, so check that first for one clear
	 * message, then run the shared check as well.
	 */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		cfg_errors_add(errs, "%s: holds your API token but others may read or write "
		    "it (mode %03o); run: chmod 600 %s", path, (unsigned)(st.st_mode & 0777),
		    path);
		return -1;
	}
	if (cfg_check_secrecy(path, errs) < 0)
		return -1;
	if (st.st_uid != getuid() && st.st_uid != 0) {
		cfg_errors_add(errs, "%s: owned by uid %u, not by you (uid %u); refusing to "
		    "use its token", path, (unsigned)st.st_uid, (unsigned)getuid());
		return -1;
	}
	if (cfg_defaults(cli_file_schema, cfg, errs) < 0)
		return -1;
	return cfg_load_file(cli_file_schema, cfg, path, errs) < 0 ? -1 : 0;
}
