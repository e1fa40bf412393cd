/*
 * webfiles.c — the web UI's files, read into memory from an open folder.
 *
 * The collector reads them before it drops privileges, so a checkout in a
 * private folder (/root/..., mode 0700) still serves its UI once running as
 * the service user. Only plain names are kept (letters, digits, "-", "_",
 * "."; no hidden names, no symlinks), at most WEB_MAX_DEPTH folders deep,
 * WEB_MAX_FILES files and WEB_MAX_BYTES in all.
 */
#include "collector/collector.h"
#include "collector/http/http.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define WEB_MAX_DEPTH 4
#define WEB_MAX_FILES 1000
#define WEB_MAX_BYTES (64u * 1024 * 1024)

struct webfiles {
	struct webfile *v;		/* sorted by name */
	size_t n, cap, bytes;
	char err[256];			/* the first problem met while loading */
};

/* A name the UI may use: no "..", no hidden files, nothing odd. */
int
webfiles_safe_name(const char *seg, size_t n)
{
	if (n == 0 || seg[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((seg[i] >= 'a' && seg[i] <= 'z') || (seg[i] >= 'A' && seg[i] <= 'Z') ||
		    (seg[i] >= '0' && seg[i] <= '9') || strchr("-_.", seg[i])))
			return 0;
	return 1;
}

static int
add_file(struct webfiles *w, int dirfd, const char *name, const char *rel)
{
	size_t len;
	if (w->n == WEB_MAX_FILES) {
		snprintf(w->err, sizeof(w->err), "more than %d files", WEB_MAX_FILES);
		return -1;
	}
	char *data = util_read_fileat(dirfd, name, WEB_MAX_BYTES - w->bytes, &len);
	if (data == NULL) {
		snprintf(w->err, sizeof(w->err), "%s: %s", rel,
		    errno == EFBIG ? "more than 64 MiB of files" : strerror(errno));
		return -1;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 32;
		struct webfile *nv = realloc(w->v, cap * sizeof(*nv));
		if (nv == NULL) {
			free(data);
			return -1;
		}
		w->v = nv;
		w->cap = cap;
	}
	char *copy = strdup(rel);
	if (copy == NULL) {
		free(data);
		return -1;
	}
	w->v[w->n++] = (struct webfile){ copy, data, len };
	w->bytes += len;
	return 0;
}

/* Read every plain file under dirfd, prefix being its path from the top. */
static int
load_dir(struct webfiles *w, int dirfd, const char *prefix, int depth)
{
	int dupfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	if (d == NULL) {
		snprintf(w->err, sizeof(w->err), "%s: %s", *prefix ? prefix : ".",
		    strerror(errno));
		if (dupfd >= 0)
			close(dupfd);
		return -1;
	}
	rewinddir(d);
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char rel[1024];
		struct stat sb;
		if (!webfiles_safe_name(de->d_name, strlen(de->d_name)) ||
		    snprintf(rel, sizeof(rel), "%s%s", prefix, de->d_name) >= (int)sizeof(rel) - 1 ||
		    fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(sb.st_mode)) {
			rc = add_file(w, dirfd, de->d_name, rel);
		} else if (S_ISDIR(sb.st_mode) && depth < WEB_MAX_DEPTH) {
			int sub = openat(dirfd, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				snprintf(w->err, sizeof(w->err), "%s: %s", rel, strerror(errno));
				rc = -1;
				break;
			}
			strcat(rel, "/");
			rc = load_dir(w, sub, rel, depth + 1);
			close(sub);
		}
	}
	closedir(d);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct webfile *)a)->name, ((const struct webfile *)b)->name);
}

struct webfiles *
webfiles_load(int dirfd, char *err, size_t errlen)
{
	struct webfiles *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (load_dir(w, dirfd, "", 0) < 0) {
		snprintf(err, errlen, "%s", w->err[0] ? w->err : "out of memory");
		webfiles_free(w);
		return NULL;
	}
	if (w->n > 0)
		qsort(w->v, w->n, sizeof(*w->v), cmp_name);
	return w;
}

const struct webfile *
webfiles_find(const struct webfiles *w, const char *rel)
{
	if (w == NULL || w->n == 0)
		return NULL;
	struct webfile key = { .name = (char *)rel };
	return bsearch(&key, w->v, w->n, sizeof(*w->v), cmp_name);
}

size_t
webfiles_count(const struct webfiles *w)
{
	return w ? w->n : 0;
}

void
webfiles_free(struct webfiles *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].name);
		free(w->v[i].data);
	}
	free(w->v);
	free(w);
}
