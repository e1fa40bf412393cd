/* util.h — small helpers shared by every program: time, strings, files. */
#ifndef CAMPUSMON_UTIL_H
#define CAMPUSMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock time in seconds / nanoseconds, monotonic time in seconds. */
double util_now(void);
int64_t util_now_ns(void);
double util_monotonic(void);

/* mkdir -p with mode; returns 0 or -1 with errno. */
int util_mkdirs(const char *path, unsigned mode);
/* The same, but the parents it creates get exactly parent_mode (umask or
 * not), e.g. 0755 so that a service user can reach a data folder. */
int util_mkdirs_parents(const char *path, unsigned parent_mode, unsigned mode);
/* Read a whole file (at most max bytes) into a NUL-terminated heap buffer. */
char *util_read_file(const char *path, size_t max, size_t *len);
/* The same, path relative to the open folder dirfd (or AT_FDCWD). A folder
 * opened before a privilege drop stays usable after it whatever its parents'
 * modes are: only what lies below it is checked. */
char *util_read_fileat(int dirfd, const char *path, size_t max, size_t *len);
/* Write a file atomically (temp + fsync + rename) with the given mode. */
int util_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);
/* Is the buffer valid UTF-8 (no overlongs, no surrogates)? */
int util_utf8_valid(const char *s, size_t len);
/* Parse "-1h", "-7d", "now", or Unix seconds into Unix seconds relative to now. */
int util_parse_time(const char *text, double now, double *out);

#endif
