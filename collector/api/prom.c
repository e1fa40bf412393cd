/*
 * api/prom.c — parts of /metrics beyond the collector's own counters: the
 * standard process_* metrics every Prometheus exporter has, and per-device
 * and per-agent series to alert on (down devices, silent agents).
 *
 * Text exposition format 0.0.4: a label value escapes backslash, double
 * quote and newline; everything else is UTF-8 as is (names may be Chinese).
 * Names from devices and writers are arbitrary bytes, so invalid UTF-8 is
 * replaced, lest one bad name break the whole scrape.
 */
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/ingest/ingest.h"
#include "collector/inventory/inventory.h"
#include "collector/api/api.h"

#include <dirent.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/util.h"

/* Length of the UTF-8 sequence starting at p (at most n bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || len > n || !util_utf8_valid((const char *)p, len))
		return 0;
	return len;
}

void
prom_label_value(struct evbuffer *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);

	while (n > 0) {
		if (*p < 0x80) {
			switch (*p) {
			case '\\': evbuffer_add(out, "\\\\", 2); break;
			case '"': evbuffer_add(out, "\\\"", 2); break;
			case '\n': evbuffer_add(out, "\\n", 2); break;
			default: evbuffer_add(out, p, 1); break;
			}
			p++;
			n--;
			continue;
		}
		size_t len = utf8_seq(p, n);
		if (len == 0) {
			evbuffer_add(out, "\xef\xbf\xbd", 3);	/* U+FFFD */
			len = 1;
		} else {
			evbuffer_add(out, p, len);
		}
		p += len;
		n -= len;
	}
}

static void
head(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
gauge(struct evbuffer *out, const char *name, const char *type, const char *help, double v)
{
	head(out, name, type, help);
	evbuffer_add_printf(out, "%s %.17g\n", name, v);
}

static long
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n - 3;	/* ".", ".." and the directory's own descriptor */
}

void
prom_process_metrics(struct evbuffer *out, double start_time)
{
	struct rusage ru;
	struct rlimit rl;
	unsigned long vm_pages = 0, rss_pages = 0;
	long page = sysconf(_SC_PAGESIZE);

	getrusage(RUSAGE_SELF, &ru);
	gauge(out, "process_cpu_seconds_total", "counter",
	    "Total user and system CPU time spent in seconds.",
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &vm_pages, &rss_pages) != 2)
			vm_pages = rss_pages = 0;
		fclose(f);
	}
	gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
	    (double)vm_pages * (double)page);
	gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
	    (double)rss_pages * (double)page);
	long fds = open_fds();
	if (fds >= 0)
		gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.",
		    (double)fds);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
		    rl.rlim_cur == RLIM_INFINITY ? -1 : (double)rl.rlim_cur);
	gauge(out, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.", start_time);
}

void
prom_inventory_metrics(struct collector *c, struct evbuffer *out)
{
	head(out, "campusmon_device_up", "gauge",
	    "1 if the device answered its last SNMP poll, 0 if it is down or unreachable "
	    "(monitored devices polled at least once).");
	for (struct device *d = device_next(c->devices, NULL); d != NULL;
	    d = device_next(c->devices, d)) {
		if (!d->monitored || d->status == NULL || strcmp(d->status, "unknown") == 0)
			continue;
		evbuffer_add_printf(out, "campusmon_device_up{device=\"");
		prom_label_value(out, d->name);
		evbuffer_add_printf(out, "\",kind=\"");
		prom_label_value(out, d->kind);
		evbuffer_add_printf(out, "\",site=\"");
		prom_label_value(out, d->site);
		evbuffer_add_printf(out, "\"} %d\n", strcmp(d->status, "up") == 0);
	}
	head(out, "campusmon_agent_last_seen_seconds", "gauge",
	    "Unix time of the last write request with samples of this host (agents, "
	    "Telegraf), since the collector started. Alert on time() minus this.");
	uint32_t cursor = 0;
	double when;
	const char *host;
	while ((host = series_host_next_written(c->series, &cursor, &when)) != NULL) {
		evbuffer_add_printf(out, "campusmon_agent_last_seen_seconds{host=\"");
		prom_label_value(out, host);
		evbuffer_add_printf(out, "\"} %.3f\n", when);
	}
}
