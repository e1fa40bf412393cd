/* fuzz_status.c — libFuzzer target for the plugins' status-page and reply parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/dns_parse.h"
#include "plugins/pg_rows.h"
#include "plugins/status_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *arg, const char *m, const struct plugin_tag *t, size_t nt, const struct fset *f)
{
	(void)m;
	(void)t;
	(void)nt;
	*(size_t *)arg += f->n;
}

/* The input as postgresql rows: NUL-separated cells, 3 columns or 14. */
static void
pg_rows(const char *s, size_t size)
{
	static struct pg_dbs dbs;
	const char *cells[64];
	size_t n = 0, i = 0, got = 0;
	char *copy = malloc(size + 1);
	if (copy == NULL)
		return;
	memcpy(copy, s, size);
	copy[size] = '\0';
	while (i <= size && n < 64) {
		cells[n++] = copy[i] == '\x01' ? NULL : copy + i;
		i += strlen(copy + i) + 1;
	}
	struct pg_reading rd;
	pg_reading_begin(&rd, &dbs, (double)size, sink, &got);
	for (int k = 0; k < PG_N_RESULTS; k++) {
		size_t cols = k == 2 ? 14 : k == 0 ? 5 : k == 4 ? 5 : 2;
		struct pg_table t = { n / cols, cols, cells, NULL };
		pg_rows_result(&rd, k, &t);
	}
	pg_reading_end(&rd);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct status_vals v;
	struct apache_scoreboard sb;
	struct redis_info ri;
	struct mysql_replica r;
	static struct tomcat_status t;

	nginx_parse(s, size, &v);
	apache_parse(s, size, &v, &sb);
	redis_info_parse(s, size, &v, &ri);
	tomcat_parse(s, size, &t);
	memset(&r, 0, sizeof(r));
	if (size > 0 && memchr(s, '\0', size) == NULL) {
		char *z = strndup(s, size);
		if (z != NULL) {
			mysql_replica_column(&r, "Seconds_Behind_Master", z);
			free(z);
		}
	}
	struct dns_answer da;
	dns_parse_answer(data, size, "192.0.2", &da);
	pg_rows(s, size);
	return 0;
}
