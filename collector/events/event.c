/* event.c — struct cm_event: life, varbinds, and the syslog keyword tables. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/events/events.h"

struct cm_event *
cm_event_new(enum cm_event_kind kind, double now)
{
	struct cm_event *ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		return NULL;
	ev->kind = kind;
	ev->ts = now;
	ev->severity = -1;
	ev->facility = -1;
	return ev;
}

void
cm_event_free(struct cm_event *ev)
{
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->n_vb; i++) {
		free(ev->vb[i].oid);
		free(ev->vb[i].name);
		free(ev->vb[i].value);
	}
	free(ev->vb);
	free(ev->device);
	free(ev->host);
	free(ev->program);
	free(ev->message);
	free(ev->tag);
	free(ev->trap_oid);
	free(ev->trap_name);
	free(ev->subject);
	free(ev);
}

int
cm_event_add_vb(struct cm_event *ev, const char *oid, const char *name, const char *value,
    size_t value_len)
{
	struct cm_varbind *grown = realloc(ev->vb, (ev->n_vb + 1) * sizeof(*ev->vb));
	if (grown == NULL)
		return -1;
	ev->vb = grown;
	struct cm_varbind *v = &ev->vb[ev->n_vb];
	v->oid = strdup(oid);
	v->name = name ? strdup(name) : NULL;
	v->value = ev_text_clean(value, value_len, 4096);
	ev->n_vb++;
	return v->oid != NULL && v->value != NULL ? 0 : -1;
}

static const char *const kinds[] = { "trap", "syslog", "poll" };

const char *
cm_event_kind_name(enum cm_event_kind k)
{
	return (unsigned)k < CM_EV_KINDS ? kinds[k] : "?";
}

int
cm_event_kind_parse(const char *s)
{
	for (int i = 0; i < CM_EV_KINDS; i++)
		if (strcmp(s, kinds[i]) == 0)
			return i;
	return -1;
}

static const char *const severities[] = { "emerg", "alert", "crit", "err", "warning",
	"notice", "info", "debug" };

const char *
ev_severity_name(int sev)
{
	return sev >= 0 && sev < 8 ? severities[sev] : NULL;
}

int
ev_severity_parse(const char *s)
{
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (int i = 0; i < 8; i++)
		if (strcasecmp(s, severities[i]) == 0)
			return i;
	if (strcasecmp(s, "error") == 0)
		return 3;
	if (strcasecmp(s, "warn") == 0)
		return 4;
	return -1;
}

static const char *const facilities[] = { "kern", "user", "mail", "daemon", "auth", "syslog",
	"lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7" };

const char *
ev_facility_name(int fac)
{
	return fac >= 0 && fac < 24 ? facilities[fac] : NULL;
}
