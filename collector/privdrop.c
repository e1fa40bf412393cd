/*
 * privdrop.c — when started as root, give the data folder to the service
 * user, then drop to it for good (supplementary groups, gid, uid — in that
 * order) before the event loop starts.
 */
#include "collector/collector.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

static uid_t chown_uid;
static gid_t chown_gid;

static int
chown_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	/* mostly owned already: a start at 700,000 series walks some 70,000 files */
	if (sb->st_uid == chown_uid && sb->st_gid == chown_gid)
		return 0;
	if (lchown(path, chown_uid, chown_gid) < 0)
		log_warn("cannot chown %s", path);
	return 0;
}

void
privdrop(const char *user, const char *data_dir)
{
	if (geteuid() != 0)
		return;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL)
		fatalx("user '%s' does not exist: create it (scripts/install-deps.sh does) or "
		    "set 'user' in the configuration", user);
	chown_uid = pw->pw_uid;
	chown_gid = pw->pw_gid;
	if (nftw(data_dir, chown_entry, 16, FTW_PHYS) < 0)
		log_warn("cannot hand %s to %s", data_dir, user);
	if (setgroups(1, &pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		fatal("cannot drop privileges to %s", user);
	if (setuid(0) == 0)
		fatalx("privilege drop to %s did not stick", user);
	log_info("running as user %s", user);
}
