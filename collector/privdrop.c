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
	/* Files made before RRD files were 0640 (librrd makes them 0644):
	 * nothing in the data folder is for other users. */
	if (flag == FTW_F && S_ISREG(sb->st_mode) && (sb->st_mode & 0007) != 0 &&
	    chmod(path, sb->st_mode & 07770) < 0)
		log_warn("cannot chmod %s", path);
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

/*
 * Checked as the user the collector now runs as, so ACLs and groups count
 * exactly as they will for every later open. A private parent folder (a
 * home directory, mode 0700) is the usual culprit: name it, its owner and
 * its mode, rather than failing later with "unable to open database file".
 */
void
privdrop_check_reach(const char *dir)
{
	struct passwd *me = getpwuid(geteuid());
	char user[64], buf[4096];

	/* copied: the getpwuid() below reuses the same static storage */
	snprintf(user, sizeof(user), "%s", me ? me->pw_name : "this user");

	if (access(dir, R_OK | W_OK | X_OK) == 0)
		return;
	int err = errno;
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; ; p++) {
		int end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		struct stat sb;
		if (access(buf, X_OK) < 0 && stat(buf, &sb) == 0) {
			struct passwd *pw = getpwuid(sb.st_uid);
			struct group *gr = getgrgid(sb.st_gid);
			fatalx("user %s cannot reach the data folder %s: %s is mode %04o, "
			    "owned by %s:%s. Let it through (chmod o+x %s), or choose a data "
			    "folder elsewhere (storage.data_dir or --data-dir)", user, dir, buf,
			    (unsigned)(sb.st_mode & 07777), pw ? pw->pw_name : "?",
			    gr ? gr->gr_name : "?", buf);
		}
		if (end)
			break;
		*p = '/';
	}
	errno = err;
	fatal("user %s cannot read and write the data folder %s", user, dir);
}
