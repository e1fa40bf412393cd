/*
 * ratelimit.c — failure counters by key (a client address, a user name),
 * used to slow down password guessing. A key that reaches max failures
 * within the window is blocked until the window that started with its
 * first failure ends (a fixed lockout, not a growing one, so a locked-out
 * admin waits at most one window). Loop thread only; no I/O.
 *
 * The table is bounded: when it holds max_entries keys, entries whose
 * window ended are dropped first; if none has, a new key is refused
 * (ratelimit_blocked answers the window) rather than growing memory.
 */
#include <uthash.h>

#include "collector/collector.h"
#include "collector/auth/auth.h"

#include <stdlib.h>
#include <string.h>

struct rl_entry {
	char *key;
	unsigned failures;
	double window_start;
	int reported;			/* the block has been recorded once */
	UT_hash_handle hh;
};

struct ratelimit {
	struct rl_entry *by_key;
	unsigned max_failures;
	double window;
	size_t max_entries, n;
};

struct ratelimit *
ratelimit_new(unsigned max_failures, double window, size_t max_entries)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return NULL;
	rl->max_failures = max_failures ? max_failures : 1;
	rl->window = window > 0 ? window : 1;
	rl->max_entries = max_entries ? max_entries : 1;
	return rl;
}

static void
entry_del(struct ratelimit *rl, struct rl_entry *e)
{
	HASH_DEL(rl->by_key, e);
	free(e->key);
	free(e);
	rl->n--;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	struct rl_entry *e, *tmp;
	HASH_ITER(hh, rl->by_key, e, tmp)
		entry_del(rl, e);
	free(rl);
}

size_t
ratelimit_sweep(struct ratelimit *rl, double now)
{
	size_t dropped = 0;
	struct rl_entry *e, *tmp;
	HASH_ITER(hh, rl->by_key, e, tmp) {
		if (now - e->window_start >= rl->window || now < e->window_start) {
			entry_del(rl, e);
			dropped++;
		}
	}
	return dropped;
}

static struct rl_entry *
entry_get(struct ratelimit *rl, const char *key, double now)
{
	struct rl_entry *e;
	HASH_FIND_STR(rl->by_key, key, e);
	if (e != NULL && (now - e->window_start >= rl->window || now < e->window_start)) {
		e->failures = 0;	/* window over: start afresh */
		e->window_start = now;
		e->reported = 0;
	}
	return e;
}

double
ratelimit_blocked(struct ratelimit *rl, const char *key, double now)
{
	struct rl_entry *e = entry_get(rl, key, now);
	if (e == NULL) {
		if (rl->n >= rl->max_entries && ratelimit_sweep(rl, now) == 0)
			return rl->window;	/* table full of live entries */
		return 0;
	}
	if (e->failures < rl->max_failures)
		return 0;
	double left = e->window_start + rl->window - now;
	return left > 1 ? left : 1;
}

int
ratelimit_fail(struct ratelimit *rl, const char *key, double now)
{
	struct rl_entry *e = entry_get(rl, key, now);
	if (e == NULL) {
		if (rl->n >= rl->max_entries && ratelimit_sweep(rl, now) == 0)
			return -1;
		e = calloc(1, sizeof(*e));
		if (e == NULL || (e->key = strdup(key)) == NULL) {
			free(e);
			return -1;
		}
		e->window_start = now;
		HASH_ADD_KEYPTR(hh, rl->by_key, e->key, strlen(e->key), e);
		rl->n++;
	}
	if (e->failures < rl->max_failures * 4u + 16u)
		e->failures++;
	return 0;
}

void
ratelimit_undo(struct ratelimit *rl, const char *key)
{
	struct rl_entry *e;
	HASH_FIND_STR(rl->by_key, key, e);
	if (e != NULL && e->failures > 0)
		e->failures--;
}

void
ratelimit_forget(struct ratelimit *rl, const char *key)
{
	struct rl_entry *e;
	HASH_FIND_STR(rl->by_key, key, e);
	if (e != NULL)
		entry_del(rl, e);
}

size_t
ratelimit_forget_prefix(struct ratelimit *rl, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);
	struct rl_entry *e, *tmp;
	HASH_ITER(hh, rl->by_key, e, tmp) {
		if (strncmp(e->key, prefix, plen) == 0) {
			entry_del(rl, e);
			n++;
		}
	}
	return n;
}

int
ratelimit_first_report(struct ratelimit *rl, const char *key)
{
	struct rl_entry *e;
	HASH_FIND_STR(rl->by_key, key, e);
	if (e == NULL || e->reported)
		return 0;
	e->reported = 1;
	return 1;
}

size_t
ratelimit_count(const struct ratelimit *rl)
{
	return rl->n;
}
