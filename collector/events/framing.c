/*
 * framing.c — syslog over TCP (RFC 6587): octet counting or LF framing,
 * decided per frame by its first byte, every frame bounded. Pure.
 */
#include <ctype.h>
#include <string.h>

#include "collector/events/events.h"

long
syslog_frame_next(const char *data, size_t len, size_t max, const char **frame,
    size_t *frame_len)
{
	size_t i = 0;
	/* stray LF/CR/NUL between frames */
	while (i < len && (data[i] == '\n' || data[i] == '\r' || data[i] == '\0'))
		i++;
	if (i == len) {		/* only noise: consumed, no frame */
		*frame = NULL;
		*frame_len = 0;
		return (long)i;
	}
	if (isdigit((unsigned char)data[i])) {
		size_t n = 0, j = i;
		while (j < len && isdigit((unsigned char)data[j]) && j - i < 10)
			n = n * 10 + (size_t)(data[j++] - '0');
		if (j == len)
			return 0;
		if (data[j] != ' ')
			goto lf;	/* "123abc": a line that starts with digits */
		if (n == 0 || n > max)
			return -1;
		if (len - j - 1 < n)
			return 0;
		*frame = data + j + 1;
		*frame_len = n;
		return (long)(j + 1 + n);
	}
lf:;
	const char *nl = memchr(data + i, '\n', len - i);
	if (nl == NULL) {
		if (len - i < max)
			return 0;
		*frame = data + i;
		*frame_len = max;
		return (long)(i + max);
	}
	size_t n = (size_t)(nl - (data + i));
	if (n > max) {
		*frame = data + i;
		*frame_len = max;
		return (long)(i + max);
	}
	*frame = data + i;
	*frame_len = n;
	return (long)(i + n + 1);
}
