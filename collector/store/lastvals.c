/*
 * lastvals.c — the catalogue's last values kept across a clean restart.
 *
 * A clean stop writes DATA/last-values once every RRD file is flushed: the
 * time and value of each numeric series' last sample, so that the next start
 * need not open every RRD file to learn them (700,000 series are some 70,000
 * files). The next start reads it and removes it before taking new samples,
 * so after a crash there is none and the RRD files are read instead.
 *
 * Format (host byte order, like RRD files): "CMLASTV1", a u64 count, count
 * entries {u32 id, u32 0, f64 ts, f64 value} in increasing id order, then a
 * CRC-32 of everything before it.
 */
#include "collector/collector.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/log.h"
#include "common/util.h"

#define LASTVALS_MAGIC "CMLASTV1"
#define LASTVALS_NAME "last-values"

static char *
lastvals_path(const char *data_dir, const char *suffix)
{
	char *path;
	if (asprintf(&path, "%s/%s%s", data_dir, LASTVALS_NAME, suffix) < 0)
		return NULL;
	return path;
}

struct lastval *
lastvals_read(const char *data_dir, size_t *n)
{
	*n = 0;
	char *path = lastvals_path(data_dir, "");
	if (path == NULL)
		return NULL;
	size_t len;
	unsigned char *buf = (unsigned char *)util_read_file(path, 1u << 30, &len);
	if (buf == NULL) {
		if (errno != ENOENT)
			log_warn("catalogue: cannot read %s", path);
		free(path);
		return NULL;
	}
	uint64_t count = 0;
	uint32_t crc = 0;
	int ok = len >= 20 && memcmp(buf, LASTVALS_MAGIC, 8) == 0;
	if (ok) {
		memcpy(&count, buf + 8, 8);
		ok = count <= (len - 20) / sizeof(struct lastval) &&
		    len == 16 + count * sizeof(struct lastval) + 4;
	}
	if (ok) {
		memcpy(&crc, buf + len - 4, 4);
		ok = (uint32_t)crc32(0L, buf, (uInt)(len - 4)) == crc;
	}
	struct lastval *v = NULL;
	if (ok && count > 0 && (v = malloc(count * sizeof(*v))) != NULL) {
		memcpy(v, buf + 16, count * sizeof(*v));
		for (uint64_t i = 1; i < count && ok; i++)
			ok = v[i].id > v[i - 1].id;
	}
	if (!ok) {
		log_warnx("catalogue: %s is damaged; last values come from the RRD files", path);
		free(v);
		v = NULL;
	} else {
		*n = (size_t)count;
	}
	free(buf);
	free(path);
	return v;
}

int
lastvals_write(const char *data_dir, struct series_catalog *cat)
{
	char *tmp = lastvals_path(data_dir, ".tmp"), *path = lastvals_path(data_dir, "");
	FILE *f = tmp ? fopen(tmp, "wbe") : NULL;
	int rc = -1;
	if (f == NULL)
		goto out;
	uint64_t count = 0;
	uint32_t cursor = 0, crc;
	struct series *s;
	while ((s = series_next(cat, &cursor)) != NULL)
		count += s->kind == SERIES_NUMBER && s->last_ts > 0;
	crc = (uint32_t)crc32(0L, (const unsigned char *)LASTVALS_MAGIC, 8);
	crc = (uint32_t)crc32(crc, (const unsigned char *)&count, 8);
	int ok = fwrite(LASTVALS_MAGIC, 1, 8, f) == 8 && fwrite(&count, 8, 1, f) == 1;
	cursor = 0;
	while (ok && (s = series_next(cat, &cursor)) != NULL) {
		if (s->kind != SERIES_NUMBER || s->last_ts <= 0)
			continue;
		struct lastval v = { s->id, 0, s->last_ts, s->last };
		crc = (uint32_t)crc32(crc, (const unsigned char *)&v, sizeof(v));
		ok = fwrite(&v, sizeof(v), 1, f) == 1;
	}
	ok = ok && fwrite(&crc, 4, 1, f) == 1 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp, path) == 0)
		rc = 0;
	else
		log_warn("catalogue: cannot write %s", path);
	if (rc < 0)
		unlink(tmp);
out:
	free(tmp);
	free(path);
	return rc;
}

void
lastvals_remove(const char *data_dir)
{
	char *path = lastvals_path(data_dir, "");
	if (path != NULL && unlink(path) < 0 && errno != ENOENT)
		log_warn("catalogue: cannot remove %s", path);
	free(path);
}
