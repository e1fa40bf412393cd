/*
 * batch.c — a batch is one request body: gzip-compressed line protocol.
 *
 * Compression uses a small window (8 KiB, memLevel 6: ~64 KiB of state while
 * compressing) because cycle bodies are tens of KiB; the collector inflates
 * any window size.
 */
#include "agent/agent.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define GZ_WBITS (13 + 16)
#define GZ_MEMLEVEL 6

int
batch_gzip(const char *text, size_t len, char **out, size_t *outlen)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, GZ_WBITS, GZ_MEMLEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	size_t cap = deflateBound(&z, (uLong)len) + 32;
	char *buf = malloc(cap);
	if (buf == NULL) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = cap - z.avail_out;
	return 0;
}

int
batch_gunzip(const char *gz, size_t len, size_t max, char **out, size_t *outlen)
{
	z_stream z;
	size_t cap = len * 4 + 256, used = 0;
	char *buf = NULL;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)gz;
	z.avail_in = (uInt)len;
	do {
		if (cap > max + 1)
			cap = max + 1;
		char *nb = realloc(buf, cap);
		if (nb == NULL)
			goto fail;
		buf = nb;
		z.next_out = (Bytef *)buf + used;
		z.avail_out = (uInt)(cap - used);
		rc = inflate(&z, Z_NO_FLUSH);
		used = cap - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END)
			goto fail;
		if (rc == Z_OK && used == cap) {
			if (cap > max)
				goto fail;	/* larger than allowed */
			cap *= 2;
		} else if (rc == Z_OK && z.avail_in == 0) {
			goto fail;	/* truncated */
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	*out = buf;
	*outlen = used;
	return 0;
fail:
	inflateEnd(&z);
	free(buf);
	return -1;
}

int
batch_make(struct batch *b, const char *text, size_t len, size_t lines, int interval)
{
	memset(b, 0, sizeof(*b));
	if (batch_gzip(text, len, &b->body, &b->len) < 0)
		return -1;
	b->lines = lines;
	b->interval = interval;
	return 0;
}

static size_t
count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))) != NULL; p++)
		n++;
	return n;
}

int
batch_split(const struct batch *in, struct batch *a, struct batch *b)
{
	char *text;
	size_t len;

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	if (batch_gunzip(in->body, in->len, 256u << 20, &text, &len) < 0)
		return -1;
	/* The line boundary nearest the middle; none inside means one line. */
	size_t mid = len / 2, cut = 0;
	for (size_t d = 0; d <= len / 2 + 1 && cut == 0; d++) {
		if (mid >= d && mid - d > 0 && text[mid - d - 1] == '\n' && mid - d < len)
			cut = mid - d;
		else if (mid + d < len && mid + d > 0 && text[mid + d - 1] == '\n')
			cut = mid + d;
	}
	int rc = -1;
	if (cut > 0 && cut < len &&
	    batch_make(a, text, cut, count_lines(text, cut), in->interval) == 0) {
		if (batch_make(b, text + cut, len - cut, count_lines(text + cut, len - cut),
		    in->interval) == 0)
			rc = 0;
		else
			batch_clear(a);
	}
	free(text);
	return rc;
}

void
batch_clear(struct batch *b)
{
	free(b->body);
	memset(b, 0, sizeof(*b));
}
