/* jsonutil.c — JSON strings from untrusted bytes (GBK, binary, NUL). */
#include "collector/collector.h"
#include "collector/http/http.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Length of the valid UTF-8 sequence at p (0 if invalid). */
static size_t
utf8_seq_len(const unsigned char *p, size_t left)
{
	if (p[0] >= 0x01 && p[0] < 0x80)
		return 1;
	size_t n = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 :
	    (p[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || n > left)
		return 0;
	return util_utf8_valid((const char *)p, n) ? n : 0;
}

json_t *
json_string_safe(const char *s, size_t len)
{
	if (s == NULL)
		return json_null();
	if (memchr(s, '\0', len) == NULL && util_utf8_valid(s, len))
		return json_stringn_nocheck(s, len);
	char *out = malloc(len * 3 + 1);
	if (out == NULL)
		return json_null();
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);	/* U+FFFD */
			o += 3;
			i++;
		} else {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		}
	}
	json_t *j = json_stringn_nocheck(out, o);
	free(out);
	return j;
}
