/*
 * backup.c — a consistent copy of what a restore needs, taken while the
 * collector runs, in two halves (store_call_backup):
 * - on the store thread, the state database (SQLite backup API) and every
 *   RRD file: pending values are flushed first and no RRD write happens
 *   during the copy;
 * - then on the backup lane, the databases other threads own (events.db,
 *   outbox.db: dbcopy.c, through read connections of its own) and
 *   notify.key, so that a long copy of the events holds up no RRD write.
 * Left out: DATA/journal (its samples are in the flushed RRD files) and
 * DATA/last-values (a start reads the RRD files instead), -wal and -shm
 * files (each copy is one self-contained database file). Everything
 * written is the collector user's alone: files 0600, folders made 0700.
 * A destination inside the data directory (by real path) is refused: copying
 * the files onto themselves would truncate them, and a subfolder would be
 * copied into itself without end.
 */
#include "collector/store/store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

/*
 * Copy one file. The target is truncated only once it is known not to be the
 * source itself (a symlinked folder on the way could make them one file).
 */
static int
copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0 || fchmod(out, 0600) < 0) {
		if (out >= 0)
			close(out);
		close(in);
		return -1;
	}
	struct stat sin, sout;
	if (fstat(in, &sin) < 0 || fstat(out, &sout) < 0 ||
	    (sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino) || ftruncate(out, 0) < 0) {
		if (sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino)
			errno = EINVAL;
		close(in);
		close(out);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	}
	if (n < 0 || fsync(out) < 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}

/* Copy every regular file of from/ into to/, recursing into folders. */
static int
copy_tree(const char *from, const char *to, size_t *files)
{
	DIR *d = opendir(from);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	if (util_mkdirs(to, 0700) < 0) {
		closedir(d);
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *src, *dst;
		if (asprintf(&src, "%s/%s", from, de->d_name) < 0)
			break;
		if (asprintf(&dst, "%s/%s", to, de->d_name) < 0) {
			free(src);
			break;
		}
		struct stat sb;
		if (lstat(src, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = copy_tree(src, dst, files);
		else if (S_ISREG(sb.st_mode) && (rc = copy_file(src, dst)) == 0)
			(*files)++;
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

/*
 * The real path dir has or would have once made: its longest existing prefix
 * resolved (symlinks and all), the rest appended with "." and ".." applied
 * (util_mkdirs makes those folders real, so no symlink can hide there). A
 * ".." there may climb back into existing folders: then the result is
 * resolved once more. Returns a heap string, NULL with errno set on error.
 */
static char *
real_dest(const char *dir)
{
	size_t plen = strlen(dir);
	char *res = NULL;
	for (;;) {
		char *prefix = plen ? strndup(dir, plen) : strdup("/");
		if (prefix == NULL)
			return NULL;
		res = realpath(prefix, NULL);
		free(prefix);
		if (res != NULL || errno != ENOENT || plen == 0)
			break;
		while (plen > 0 && dir[plen - 1] != '/')	/* drop the last component */
			plen--;
		while (plen > 0 && dir[plen - 1] == '/')
			plen--;
	}
	if (res == NULL)
		return NULL;
	char *out = malloc(strlen(res) + strlen(dir + plen) + 2);
	char *tail = strdup(dir + plen), *save = NULL;
	if (out == NULL || tail == NULL) {
		free(out);
		free(tail);
		free(res);
		return NULL;
	}
	strcpy(out, res);
	free(res);
	int climbed = 0;
	for (char *c = strtok_r(tail, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash = strrchr(out, '/');
			slash[slash == out ? 1 : 0] = '\0';
			climbed = 1;
			continue;
		}
		if (strcmp(out, "/") != 0)
			strcat(out, "/");
		strcat(out, c);
	}
	free(tail);
	if (climbed) {
		char *again = real_dest(out);
		free(out);
		return again;
	}
	return out;
}

int
store_backup_check(const char *data_dir, const char *dir, char **err)
{
	*err = NULL;
	char *data = realpath(data_dir, NULL);
	char *dest = data ? real_dest(dir) : NULL;
	int rc = 0;
	if (data == NULL || dest == NULL) {
		if (asprintf(err, "cannot resolve %s: %s", data ? dir : data_dir,
		    strerror(errno)) < 0)
			*err = NULL;
		rc = -1;
	} else {
		size_t n = strlen(data);
		if (strncmp(dest, data, n) == 0 && (dest[n] == '\0' || dest[n] == '/' ||
		    strcmp(data, "/") == 0)) {
			if (asprintf(err, "%s is inside the data directory %s; "
			    "back up to a folder outside it", dir, data) < 0)
				*err = NULL;
			rc = -2;
		}
	}
	free(data);
	free(dest);
	return rc;
}

int
store_backup(struct store *st, const char *dir, char **err)
{
	int refused = store_backup_check(st->data_dir, dir, err);
	if (refused < 0)
		return refused;
	for (size_t i = 0; i < st->n_dirty; i++)
		store_flush_file(st, st->dirty[i], 1);
	st->n_dirty = 0;
	for (uint32_t id = 1; st->rrdcached && id < st->cap_tab; id++) {
		char *path = store_file_at(st, id) ? rrdfile_path(st->data_dir, id) : NULL;
		if (path != NULL && access(path, F_OK) == 0)
			rrdc_flush(path);
		free(path);
	}
	if (util_mkdirs(dir, 0700) < 0) {
		if (asprintf(err, "cannot create %s: %s", dir, strerror(errno)) < 0)
			*err = NULL;
		return -1;
	}
	char *db_path, *rrd_from, *rrd_to;
	if (asprintf(&db_path, "%s/state.db", dir) < 0)
		return -1;
	int rc = statedb_backup(st->db, db_path, err);
	free(db_path);
	if (rc < 0)
		return -1;
	size_t files = 0;
	if (asprintf(&rrd_from, "%s/rrd", st->data_dir) < 0)
		return -1;
	if (asprintf(&rrd_to, "%s/rrd", dir) < 0) {
		free(rrd_from);
		return -1;
	}
	rc = copy_tree(rrd_from, rrd_to, &files);
	if (rc < 0 && asprintf(err, "copying RRD files to %s: %s", rrd_to, strerror(errno)) < 0)
		*err = NULL;
	free(rrd_from);
	free(rrd_to);
	if (rc == 0)
		log_info("backup: state database and %zu RRD files copied to %s", files, dir);
	return rc;
}

/* Files of other subsystems a restore needs, copied if present. */
static const struct {
	const char *name;
	int sqlite;
} others[] = {
	{ "events.db", 1 },	/* traps and syslog lines (events/eventdb.c) */
	{ "outbox.db", 1 },	/* notifications pending, sent, dead (notify/worker.c) */
	{ "notify.key", 0 },	/* signs the acknowledgement links sent (notify/acklink.c) */
};

static int
stopping(void *arg)
{
	struct store *st = arg;
	pthread_mutex_lock(&st->lock);
	int s = st->stopping;
	pthread_mutex_unlock(&st->lock);
	return s;
}

int
store_backup_others(struct store *st, const char *dir, char **err)
{
	int rc = 0;
	char copied[128] = "";
	for (size_t i = 0; rc == 0 && i < sizeof(others) / sizeof(others[0]); i++) {
		char *from, *to;
		if (asprintf(&from, "%s/%s", st->data_dir, others[i].name) < 0)
			return -1;
		if (asprintf(&to, "%s/%s", dir, others[i].name) < 0) {
			free(from);
			return -1;
		}
		/* absent: not made by this collector (yet), e.g. no syslog listener */
		int present = access(from, F_OK) == 0 || errno != ENOENT;
		if (present && others[i].sqlite) {
			rc = db_copy_file(from, to, stopping, st, err);
		} else if (present && (rc = copy_file(from, to)) < 0) {
			free(*err);
			if (asprintf(err, "copying %s to %s: %s", from, to, strerror(errno)) < 0)
				*err = NULL;
		}
		if (present && rc == 0)
			snprintf(copied + strlen(copied), sizeof(copied) - strlen(copied), ", %s",
			    others[i].name);
		free(from);
		free(to);
	}
	if (rc == 0)
		log_info("backup: %s copied to %s", copied[0] ? copied + 2 : "nothing more", dir);
	return rc;
}
