/*
 * backup.c — a consistent copy of the state database (SQLite backup API)
 * and every RRD file, taken on the store thread while the collector runs:
 * pending values are flushed first and no RRD write happens during the copy.
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

static int
copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0) {
		close(in);
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
	if (util_mkdirs(to, 0750) < 0) {
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

int
store_backup(struct store *st, const char *dir, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < st->n_dirty; i++)
		store_flush_file(st, st->dirty[i], 1);
	st->n_dirty = 0;
	for (uint32_t id = 1; st->rrdcached && id < st->cap_tab; id++) {
		char *path = store_file_at(st, id) ? rrd_path_for(st->data_dir, id) : NULL;
		if (path != NULL && access(path, F_OK) == 0)
			rrdc_flush(path);
		free(path);
	}
	if (util_mkdirs(dir, 0750) < 0) {
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
