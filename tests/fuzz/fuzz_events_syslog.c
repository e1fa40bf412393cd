/* fuzz_events_syslog.c — libFuzzer target: bytes as one syslog message
 * (syslog_parse) and as a TCP stream (syslog_frame_next, every frame parsed);
 * whatever is stored must be valid UTF-8 without NUL, frames within bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/events/events.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s)
{
	if (s != NULL && !util_utf8_valid(s, strlen(s)))
		abort();
}

static void
one(const char *buf, size_t len)
{
	struct cm_event *ev = cm_event_new(CM_EV_SYSLOG, 1796601600.0);
	if (ev == NULL)
		return;
	if (syslog_parse(buf, len, 1796601600.0, 512, ev) == 0) {
		if (ev->message == NULL || strlen(ev->message) > 512 * 4)
			abort();
		check(ev->message);
		check(ev->host);
		check(ev->program);
		check(ev->tag);
	}
	cm_event_free(ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;
	one(p, size);
	while (left > 0) {
		const char *f;
		size_t n;
		long used = syslog_frame_next(p, left, 256, &f, &n);
		if (used <= 0)
			break;
		if ((size_t)used > left || n > 256)
			abort();
		if (n > 0)
			one(f, n);
		p += used;
		left -= (size_t)used;
	}
	return 0;
}
