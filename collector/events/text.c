/*
 * text.c — bytes from the wire to text that is safe to store and show:
 * UTF-8 as it is, GBK/GB18030 (Chinese switches' default) converted when
 * the whole input decodes, anything else escaped as \xHH. Never raw.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "collector/events/events.h"
#include "common/util.h"

static const char hex[] = "0123456789abcdef";

/* Escape invalid UTF-8 bytes and control characters (but tab). */
static char *
escape(const unsigned char *in, size_t len)
{
	char *out = malloc(len * 4 + 1), *o = out;
	if (out == NULL)
		return NULL;
	size_t i = 0;
	while (i < len) {
		unsigned char ch = in[i];
		size_t n = 0;
		if (ch >= 0x20 && ch < 0x7f)
			n = 1;
		else if (ch >= 0xc2 && ch <= 0xf4) {
			size_t want = ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
			if (i + want <= len && util_utf8_valid((const char *)in + i, want))
				n = want;
		}
		if (ch == '\t')
			n = 1;
		if (n > 0) {
			memcpy(o, in + i, n);
			o += n;
			i += n;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[ch >> 4];
		*o++ = hex[ch & 15];
		i++;
	}
	*o = '\0';
	return out;
}

/* GB18030 (a superset of GBK) to UTF-8, or NULL when in is not that. */
static char *
from_gbk(const char *in, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = len * 2 + 1, left = cap - 1, inleft = len;
	char *out = malloc(cap), *o = out;
	char *ip = (char *)in;
	if (out == NULL || iconv(cd, &ip, &inleft, &o, &left) == (size_t)-1 || inleft != 0) {
		free(out);
		iconv_close(cd);
		return NULL;
	}
	*o = '\0';
	iconv_close(cd);
	return out;
}

char *
ev_text_clean(const char *in, size_t len, size_t max)
{
	if (len > max)
		len = max;
	/* trailing CR, LF and NUL are framing, not text */
	while (len > 0 && (in[len - 1] == '\n' || in[len - 1] == '\r' || in[len - 1] == '\0'))
		len--;
	int ascii_ctl = 0, high = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (ch < 0x20 && ch != '\t')
			ascii_ctl = 1;
		else if (ch >= 0x80)
			high = 1;
	}
	if (!ascii_ctl && (!high || util_utf8_valid(in, len))) {
		char *s = malloc(len + 1);
		if (s != NULL) {
			memcpy(s, in, len);
			s[len] = '\0';
		}
		return s;
	}
	if (high && !ascii_ctl) {
		char *s = from_gbk(in, len);
		if (s != NULL)
			return s;
	}
	return escape((const unsigned char *)in, len);
}
