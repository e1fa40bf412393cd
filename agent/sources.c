/* sources.c — the table of Linux metric sources and one collection pass. */
#include "agent/agent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static const struct source_ops *const source_table[] = {
	&src_cpu, &src_mem, &src_system, &src_processes, &src_diskio, &src_fs,
	&src_net, &src_netstat,
};
#define N_SOURCES (sizeof(source_table) / sizeof(source_table[0]))

struct sources {
	void *state[N_SOURCES];
	int failing[N_SOURCES];	/* warned once; quiet until it works again */
	int passes;		/* collections so far */
};

void
collect_begin(struct collect *c, const char *measurement)
{
	lpw_begin(c->out, measurement);
	lpw_tag(c->out, "host", c->host);
}

int
sources_known(const char *name)
{
	for (size_t i = 0; i < N_SOURCES; i++)
		if (strcmp(source_table[i]->name, name) == 0)
			return 1;
	return strcmp(name, "inventory") == 0;
}

struct sources *
sources_new(void)
{
	struct sources *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < N_SOURCES; i++) {
		if ((s->state[i] = source_table[i]->init()) == NULL) {
			sources_free(s);
			return NULL;
		}
	}
	return s;
}

/*
 * The costly sources (a read of every /proc/PID/stat, a walk of the kernel's
 * TCP table: most of a default cycle's CPU) run in the first cycle of each
 * slow_interval on the wall clock, and in the first two collections (the
 * one at start that primes the rates and the first one sent) so that they
 * show at once; the others every cycle.
 */
static int
due(const struct sources *s, const struct source_ops *src, const struct collect *c)
{
	long long slow = c->cfg->slow_interval, iv = c->cfg->interval;
	if ((src != &src_processes && src != &src_netstat) || slow <= iv || s->passes < 2)
		return 1;
	return (c->ts_ns / 1000000000) % slow < iv;
}

void
sources_collect(struct sources *s, struct collect *c)
{
	for (size_t i = 0; i < N_SOURCES; i++) {
		const struct source_ops *src = source_table[i];
		if (!agent_config_enabled(c->cfg, src->name) || !due(s, src, c))
			continue;
		errno = 0;
		if (src->collect(s->state[i], c) < 0) {
			if (!s->failing[i])
				log_warn("source %s unavailable (reported once)", src->name);
			s->failing[i] = 1;
		} else if (s->failing[i]) {
			log_info("source %s works again", src->name);
			s->failing[i] = 0;
		}
	}
	if (s->passes < 2)
		s->passes++;
}

void
sources_free(struct sources *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < N_SOURCES; i++)
		if (s->state[i] != NULL)
			source_table[i]->free(s->state[i]);
	free(s);
}
