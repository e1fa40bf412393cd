/*
 * audit.c — the audit trail: who did what, from where, when. Each entry is
 * written to the state database by the store thread (audit_record copies
 * everything it is given, so callers may pass stack buffers) and logged as
 * one "audit:" line. Callers never pass secrets: entries name tokens and
 * users, not passwords or token values. Entries older than
 * audit.retention (at least 180 days) are pruned once an hour.
 */
#include "collector/collector.h"
#include "collector/auth/auth.h"
#include "collector/store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"

#define AUDIT_FIELD_MAX 512

struct audit_job {
	struct audit_row row;
	char actor[AUDIT_FIELD_MAX], addr[64], action[64];
	char target[AUDIT_FIELD_MAX], detail[AUDIT_FIELD_MAX];
	int has_target, has_addr;
};

/* Copy src into dst (cap bytes), cut at a UTF-8 boundary. */
static void
copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The same text made safe for one log line: controls become '?'. */
static void
log_safe(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	for (; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ? '?' : src[i];
	dst[i] = '\0';
}

static void
audit_run(struct store *st, void *arg)
{
	struct audit_job *job = arg;
	auditdb_insert(store_db(st), &job->row);
}

static void
audit_done(void *arg)
{
	free(arg);
}

void
audit_actor(const struct auth_identity *who, char *buf, size_t cap)
{
	if (who == NULL)
		snprintf(buf, cap, "-");
	else if (who->user_id != 0)
		snprintf(buf, cap, "%s", who->name);
	else
		snprintf(buf, cap, "token:%s", who->name);
}

void
audit_record(struct collector *c, const char *actor, const char *addr, const char *action,
    const char *target, int ok, const char *fmt, ...)
{
	struct audit_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		log_warnx("audit: out of memory: lost an entry for '%s'", action);
		return;
	}
	copy_field(job->actor, sizeof(job->actor), actor ? actor : "-");
	copy_field(job->action, sizeof(job->action), action);
	if (addr != NULL)
		copy_field(job->addr, sizeof(job->addr), addr);
	if (target != NULL)
		copy_field(job->target, sizeof(job->target), target);
	if (fmt != NULL) {
		char tmp[AUDIT_FIELD_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(tmp, sizeof(tmp), fmt, ap);
		va_end(ap);
		copy_field(job->detail, sizeof(job->detail), tmp);
	}
	job->row = (struct audit_row){ .ts = util_now(), .actor = job->actor,
		.addr = addr ? job->addr : NULL, .action = job->action,
		.target = target ? job->target : NULL, .detail = fmt ? job->detail : NULL,
		.ok = ok };

	char la[AUDIT_FIELD_MAX], lt[AUDIT_FIELD_MAX], ld[AUDIT_FIELD_MAX];
	log_safe(la, sizeof(la), job->actor);
	log_safe(lt, sizeof(lt), job->target);
	log_safe(ld, sizeof(ld), job->detail);
	log_info("audit: %s %s%s%s%s%s%s from %s%s", la, job->action, lt[0] ? " " : "", lt,
	    ld[0] ? " (" : "", ld, ld[0] ? ")" : "", addr ? job->addr : "-",
	    ok ? "" : ": refused");
	if (store_call(c->store, audit_run, audit_done, job) < 0) {
		/* The log line above keeps it; the table misses this one. */
		log_warnx("audit: the store is overloaded; entry kept in the log only");
		free(job);
	}
}

/* ---- retention -------------------------------------------------------------- */

struct prune_job {
	double before;
	long long n;
};

static void
prune_run(struct store *st, void *arg)
{
	struct prune_job *job = arg;
	job->n = auditdb_prune(store_db(st), job->before);
}

static void
prune_done(void *arg)
{
	struct prune_job *job = arg;
	if (job->n > 0)
		log_info("audit: %lld entries older than the retention removed", job->n);
	else if (job->n < 0)
		log_warnx("audit: pruning old entries failed");
	free(job);
}

void
audit_prune(struct collector *c)
{
	struct prune_job *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return;
	job->before = util_now() - (double)c->cfg.audit_retention;
	if (store_call(c->store, prune_run, prune_done, job) < 0)
		free(job);		/* the next housekeeping round tries again */
}
