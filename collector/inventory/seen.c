/*
 * seen.c — hosts a sweep saw (ICMP echo, a TCP answer) that do not speak
 * SNMP with the credentials tried: not inventory devices, but a list of
 * their own, offered for adoption and counted by the coverage report
 * (services.discovery_seen). Kept in memory on the loop and written through
 * to SQLite by store jobs (store/seendb.c); loaded once at start.
 */
#include "collector/collector.h"
#include "collector/inventory/inventory.h"
#include "collector/store/store.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "common/log.h"
#include "common/util.h"

#define SEEN_MAX 200000		/* rows kept; a sweep covers at most 65536 */

struct seen_row {
	char addr[INET6_ADDRSTRLEN];
	double first, last;
	char answered[32];
	UT_hash_handle hh;
};

struct seen_list {
	struct seen_row *rows;
	int loaded;
};

/* ---- write-through jobs --------------------------------------------------- */

struct seen_job {
	int del;
	struct seen_row row;
};

static void
job_run(struct store *st, void *arg)
{
	struct seen_job *j = arg;
	if (j->del)
		seen_db_delete(store_db(st), j->row.addr);
	else
		seen_db_upsert(store_db(st), j->row.addr, j->row.first, j->row.last,
		    j->row.answered);
}

static void
job_done(void *arg)
{
	free(arg);
}

static void
write_through(struct collector *c, const struct seen_row *r, int del)
{
	struct seen_job *j = calloc(1, sizeof(*j));
	if (j == NULL)
		return;
	j->del = del;
	j->row = *r;
	if (c->store == NULL || store_call(c->store, job_run, job_done, j) < 0) {
		log_warnx("discovery: the store is busy; seen host %s kept in memory only", r->addr);
		free(j);
	}
}

/* ---- the list -------------------------------------------------------------- */

static struct seen_row *
put(struct seen_list *l, const char *addr, double first, double last, const char *what)
{
	struct seen_row *r;
	HASH_FIND_STR(l->rows, addr, r);
	if (r == NULL) {
		if (HASH_COUNT(l->rows) >= SEEN_MAX || strlen(addr) >= sizeof(r->addr) ||
		    (r = calloc(1, sizeof(*r))) == NULL)
			return NULL;
		snprintf(r->addr, sizeof(r->addr), "%s", addr);
		r->first = first;
		HASH_ADD_STR(l->rows, addr, r);
	}
	r->last = last;
	snprintf(r->answered, sizeof(r->answered), "%s", what);
	return r;
}

void
seen_record(struct collector *c, const char *addr, const char *what)
{
	if (c->seen == NULL)
		return;
	double now = util_now();
	struct seen_row *r = put(c->seen, addr, now, now, what);
	if (r != NULL)
		write_through(c, r, 0);
}

int
seen_forget(struct collector *c, const char *addr)
{
	struct seen_row *r = NULL;
	if (c->seen != NULL)
		HASH_FIND_STR(c->seen->rows, addr, r);
	if (r == NULL)
		return 0;
	HASH_DEL(c->seen->rows, r);
	write_through(c, r, 1);
	free(r);
	return 1;
}

int
seen_has(struct collector *c, const char *addr)
{
	struct seen_row *r = NULL;
	if (c->seen != NULL)
		HASH_FIND_STR(c->seen->rows, addr, r);
	return r != NULL;
}

size_t
seen_count(struct collector *c)
{
	return c->seen ? HASH_COUNT(c->seen->rows) : 0;
}

static int
row_cmp(const void *a, const void *b)
{
	return disco_addr_cmp((*(const struct seen_row *const *)a)->addr,
	    (*(const struct seen_row *const *)b)->addr);
}

json_t *
seen_json(struct collector *c, size_t offset, size_t limit, size_t *total)
{
	json_t *out = json_array();
	size_t n = seen_count(c), m = 0;
	struct seen_row **v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL || out == NULL) {
		free(v);
		return out;
	}
	for (struct seen_row *r = c->seen ? c->seen->rows : NULL; r != NULL; r = r->hh.next)
		v[m++] = r;
	if (m > 1)
		qsort(v, m, sizeof(*v), row_cmp);
	for (size_t i = offset; i < m && (limit == 0 || i < offset + limit); i++)
		json_array_append_new(out, json_pack("{s:s, s:f, s:f, s:s}", "address", v[i]->addr,
		    "first_seen", v[i]->first, "last_seen", v[i]->last, "answered",
		    v[i]->answered));
	if (total != NULL)
		*total = m;
	free(v);
	return out;
}

/* services.discovery_seen (DESIGN §9, for the coverage report). */
static json_t *
service_seen(void *arg)
{
	return seen_json(arg, 0, 0, NULL);
}

/* ---- life ------------------------------------------------------------------ */

struct load_job {
	struct collector *c;
	struct seen_row *rows;		/* read on the store thread, handed over */
};

static void
load_row(const char *addr, double first, double last, const char *answered, void *arg)
{
	struct load_job *lj = arg;
	struct seen_list tmp = { lj->rows, 0 };
	if (addr != NULL)
		put(&tmp, addr, first, last, answered ? answered : "");
	lj->rows = tmp.rows;
}

static void
load_run(struct store *st, void *arg)
{
	struct load_job *lj = arg;
	if (seen_db_load(store_db(st), load_row, lj) < 0)
		log_warnx("discovery: cannot read the seen hosts");
}

static void
load_done(void *arg)
{
	struct load_job *lj = arg;
	struct collector *c = lj->c;
	if (c->seen != NULL) {
		/* rows recorded meanwhile are newer: keep them */
		struct seen_row *r, *tmp;
		HASH_ITER(hh, lj->rows, r, tmp) {
			HASH_DEL(lj->rows, r);
			struct seen_row *have;
			HASH_FIND_STR(c->seen->rows, r->addr, have);
			if (have == NULL)
				HASH_ADD_STR(c->seen->rows, addr, r);
			else {
				have->first = r->first;
				free(r);
			}
		}
		c->seen->loaded = 1;
	}
	free(lj);
}

static void
free_rows(struct seen_row **rows)
{
	struct seen_row *r, *tmp;
	HASH_ITER(hh, *rows, r, tmp) {
		HASH_DEL(*rows, r);
		free(r);
	}
}

static int
seen_start(struct collector *c)
{
	c->seen = calloc(1, sizeof(*c->seen));
	struct load_job *lj = calloc(1, sizeof(*lj));
	if (c->seen == NULL || lj == NULL) {
		free(lj);
		return -1;
	}
	lj->c = c;
	if (store_call(c->store, load_run, load_done, lj) < 0) {
		free(lj);
		return -1;
	}
	c->services.discovery_seen = service_seen;
	c->services.discovery_arg = c;
	return 0;
}

static void
seen_stop(struct collector *c)
{
	c->services.discovery_seen = NULL;
	c->services.discovery_arg = NULL;
}

static void
seen_release(struct collector *c)
{
	if (c->seen == NULL)
		return;
	free_rows(&c->seen->rows);
	free(c->seen);
	c->seen = NULL;
}

/* After storage (it reads the table through the store thread). */
const struct subsystem seen_subsystem = {
	.name = "discovery-seen",
	.start = seen_start,
	.stop = seen_stop,
	.release = seen_release,
};
