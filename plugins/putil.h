/*
 * putil.h — small helpers shared by the agent's plugins: a field list that
 * grows on the stack, counter rates, secrets read from private files, and
 * the "key<sep>value" line walker every status-page parser uses.
 * Only plugin.h and libc underneath: the plugins' own toolbox.
 */
#ifndef CAMPUSMON_PUTIL_H
#define CAMPUSMON_PUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/plugin.h"

#define FSET_MAX 64

/* Fields of one sample; keys and strings are borrowed until submit. */
struct fset {
	struct plugin_field f[FSET_MAX];
	size_t n;
};
void fset_int(struct fset *s, const char *key, long long v);
void fset_float(struct fset *s, const char *key, double v);
void fset_str(struct fset *s, const char *key, const char *v);
/* Submit measurement with tags (n_tags may be 0) and the fields; no-op when empty. */
int fset_submit(struct plugin_ctx *ctx, const char *measurement, const struct plugin_tag *tags,
    size_t n_tags, const struct fset *s);
/* Submit measurement{tags} with only up=0 (and `error` when given). */
void submit_down(struct plugin_ctx *ctx, const char *measurement, const char *error);

/* A counter read each interval: its rate since the previous reading. */
struct pcounter {
	uint64_t prev;
	int have;
};
/* Returns 0 and the rate, or -1 on the first reading or when it went back (reset). */
int pcounter_rate(struct pcounter *c, uint64_t cur, double dt_s, double *rate);
/* Monotonic seconds, for the dt of pcounter_rate. */
double mono_s(void);

/*
 * Read a secret (the first line, without its newline) from a file that only
 * its owner (and group) can read, as the agent's token: a file others can
 * read or write is refused. Returns 0, or -1 with err set.
 */
int secret_read(const char *path, char *out, size_t outlen, char *err, size_t errlen);

/*
 * Walk "key<sep>value" lines of buf (LF or CRLF); both sides trimmed of
 * blanks, lines without sep skipped. fn gets pointers into buf with
 * lengths. Stops after max_lines lines (a hostile page cannot make us spin
 * forever on it). Returns the number of pairs seen.
 */
typedef void (*kv_fn)(const char *key, size_t klen, const char *val, size_t vlen, void *arg);
size_t kv_lines(const char *buf, size_t len, char sep, size_t max_lines, kv_fn fn, void *arg);
/* Strict numbers from a (ptr, len) slice; return 0 or -1. */
int parse_u64(const char *s, size_t len, uint64_t *out);
int parse_double(const char *s, size_t len, double *out);
/* "host:port" or "[v6]:port" → host and port (1–65535); returns 0 or -1. */
int split_hostport(const char *a, char *host, size_t hlen, char *port, size_t plen);
/* Does the slice equal the NUL-terminated word? */
int slice_eq(const char *s, size_t len, const char *word);

#endif
