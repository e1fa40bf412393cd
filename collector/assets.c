/*
 * assets.c — the collector's read-only files from its source tree or
 * installation: the SNMP profiles and the web UI.
 *
 * Both are read before the privilege drop, while the collector can still
 * read a checkout in a private folder (a clone in /root is mode 0700 and the
 * service user cannot reach into it). The folders stay open afterwards: on
 * SIGHUP they are read again through those descriptors, which only needs
 * the files and folders below them to be readable by the service user, not
 * their parents. When that fails (files private too, say a clone made under
 * umask 077), the sets loaded at start stay in use and the log says why.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/snmp/snmp.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/log.h"

static int
open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Load the profiles from c->profiles_fd into set; problems logged with what. */
static int
load_profiles(struct collector *c, struct sp_profile_set *set, const char *what)
{
	struct cfg_errors errs = { 0 };
	int rc = sp_profiles_load_dirfd(c->profiles_fd, c->profiles_dir, set, &errs);
	for (size_t i = 0; rc < 0 && i < errs.n; i++)
		log_warnx("%sprofiles: %s", what, errs.msgs[i]);
	cfg_errors_clear(&errs);
	if (rc < 0)
		sp_profiles_free(set);
	return rc;
}

static int
assets_load(struct collector *c)
{
	const char *dir = c->cfg.profiles_dir ? c->cfg.profiles_dir : sp_default_profiles_dir();

	c->profiles_fd = c->web_fd = -1;
	c->profiles_dir = strdup(dir);
	c->profiles = calloc(1, sizeof(*c->profiles));
	if (c->profiles_dir == NULL || c->profiles == NULL)
		return -1;
	if ((c->profiles_fd = open_dir(dir)) < 0) {
		log_warn("profiles: cannot open %s", dir);
		return -1;
	}
	if (load_profiles(c, c->profiles, "") < 0)
		return -1;
	log_debug("snmp", "%zu profiles loaded from %s", c->profiles->n, dir);

	/* Without its web UI the collector still serves the API: not fatal. */
	if (c->web_dir == NULL)
		return 0;		/* logged as "(none found)" when ready */
	char err[300];
	if ((c->web_fd = open_dir(c->web_dir)) < 0)
		log_warn("web UI: cannot open %s; not serving it", c->web_dir);
	else if ((c->web = webfiles_load(c->web_fd, err, sizeof(err))) == NULL)
		log_warnx("web UI: cannot read %s: %s; not serving it", c->web_dir, err);
	else
		log_debug("http", "web UI: %zu files read from %s", webfiles_count(c->web),
		    c->web_dir);
	return 0;
}

static void
assets_reload(struct collector *c)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : "this user";

	if (c->poller != NULL && c->profiles_fd >= 0) {
		struct sp_profile_set set = { 0 };
		if (load_profiles(c, &set, "reload: ") < 0) {
			log_warnx("reload: the SNMP profiles in %s cannot be read again as %s; "
			    "still polling with the ones loaded before (restart the collector "
			    "to load them, or make them readable)", c->profiles_dir, user);
		} else {
			size_t n = set.n;
			if (sp_poller_set_profiles(c->poller, &set) == 0)
				log_info("reload: %zu SNMP profiles loaded from %s", n,
				    c->profiles_dir);
		}
	}
	if (c->web_fd >= 0) {
		char err[300];
		struct webfiles *w = webfiles_load(c->web_fd, err, sizeof(err));
		if (w == NULL) {
			log_warnx("reload: the web UI in %s cannot be read again as %s (%s); "
			    "still serving the files loaded before", c->web_dir, user, err);
		} else {
			webfiles_free(c->web);
			c->web = w;
		}
	}
}

static void
assets_free(struct collector *c)
{
	if (c->profiles != NULL)
		sp_profiles_free(c->profiles);
	free(c->profiles);
	c->profiles = NULL;
	webfiles_free(c->web);
	c->web = NULL;
	if (c->profiles_fd >= 0)
		close(c->profiles_fd);
	if (c->web_fd >= 0)
		close(c->web_fd);
	c->profiles_fd = c->web_fd = -1;
	free(c->profiles_dir);
	c->profiles_dir = NULL;
}

const struct subsystem assets_subsystem = {
	.name = "assets",
	.open_privileged = assets_load,
	.reload = assets_reload,
	.release = assets_free,
};
