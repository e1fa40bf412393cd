/*
 * damage.c — RRD files that librrd can no longer read (truncated, header
 * overwritten). Without this the rows of such a file were dropped at every
 * flush while the journal moved on. A damaged file is kept, renamed
 * NAME.rrd.damaged-YYYYmmddTHHMMSSZ next to where it was, a new file is made
 * in its place with the file's data sources, counted in
 * campusmon_rrd_files_damaged_total and logged once. Store thread only.
 */
#include "collector/store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

/*
 * Is the file there, readable as bytes, but not as an RRD file? A file that
 * cannot be opened (permissions, gone) or that librrd reads (a full disk, a
 * rrdcached failure) is not damaged: those errors are not solved by moving
 * the file away. *why gets librrd's word (heap, caller frees).
 */
static int
file_damaged(const char *path, char **why)
{
	*why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat sb;
	int regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	close(fd);
	if (!regular)
		return 0;
	time_t last;
	unsigned long n = 0;
	char **names = NULL, **values = NULL;
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &n, &names, &values) == 0) {
		for (unsigned long i = 0; i < n; i++) {
			rrd_freemem(names[i]);
			rrd_freemem(values[i]);
		}
		rrd_freemem(names);
		rrd_freemem(values);
		return 0;
	}
	*why = strdup(rrd_get_error());
	return 1;
}

/* Rename path to path.damaged-STAMP (made unique); 0 done. *to: the new name. */
static int
move_aside(const char *path, char **to)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 100; i++) {
		int rc = i == 0 ? asprintf(to, "%s.damaged-%s", path, stamp) :
		    asprintf(to, "%s.damaged-%s-%d", path, stamp, i);
		if (rc < 0) {
			*to = NULL;
			return -1;
		}
		if (access(*to, F_OK) != 0 && rename(path, *to) == 0)
			return 0;
		free(*to);
		*to = NULL;
	}
	return -1;
}

int
store_replace_damaged(struct store *st, uint32_t id, struct store_file *f)
{
	char *path = rrdfile_path(st->data_dir, id), *why = NULL, *aside = NULL;
	int rc = -1;
	if (path == NULL || !file_damaged(path, &why))
		goto out;
	if (st->rrdcached)
		rrdc_forget(path);	/* drop what the daemon holds of the old file */
	if (move_aside(path, &aside) < 0) {
		log_warn("store: RRD file %s cannot be read (%s) nor moved aside", path,
		    why ? why : "damaged");
		goto out;
	}
	__atomic_add_fetch(&st->metrics->rrd_files_damaged, 1, __ATOMIC_RELAXED);
	f->exists = 0;
	f->n_ds_disk = 0;
	double start = f->n_rows > 0 ? f->rows[0] - f->step : (double)time(NULL) - f->step;
	if (store_file_create(st, id, f, start) < 0) {
		log_warnx("store: RRD file %s was damaged (%s) and moved to %s; a new one could "
		    "not be made", path, why ? why : "unreadable", aside);
		goto out;
	}
	f->exists = 1;
	f->n_ds_disk = f->n_ds;
	log_warnx("store: RRD file %s was damaged (%s): kept as %s, a new file takes its "
	    "place (its history before now is in the damaged copy)", path,
	    why ? why : "unreadable", aside);
	rc = 0;
out:
	free(path);
	free(why);
	free(aside);
	return rc;
}
