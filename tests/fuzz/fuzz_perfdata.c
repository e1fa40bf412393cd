/* fuzz_perfdata.c — libFuzzer target for the nagios plugin's output/perfdata parser. */
#include <stddef.h>
#include <stdint.h>

#include "plugins/nagios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(const struct nagios_perf *p, void *arg)
{
	(void)p;
	(*(size_t *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char summary[256], longtext[512];
	size_t n = 0;
	struct nagios_range r;

	nagios_parse_output((const char *)data, size, summary, sizeof(summary), longtext,
	    sizeof(longtext), sink, &n);
	nagios_parse_range((const char *)data, size, &r);
	return 0;
}
