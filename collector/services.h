/*
 * services.h — what one subsystem offers the others, registered at start.
 *
 * Observers (collector.h) carry news outward; services answer questions and
 * take requests between subsystems that must not call each other by name
 * (alert/ asks topology/ for paths, events/ raises conditions through alert/,
 * notify/ acknowledges through alert/, reports/ counts topology/'s unmanaged
 * neighbours). The provider fills its entry in its start phase and clears it
 * in stop. An entry left NULL means the subsystem is absent or not started:
 * callers say so ("no topology yet") instead of guessing. Everything here
 * runs on the loop thread.
 */
#ifndef CAMPUSMON_SERVICES_H
#define CAMPUSMON_SERVICES_H

#include <stddef.h>
#include <stdint.h>

struct json_t;

/* A condition raised from outside the threshold rules (log rules, traps):
 * the alert engine opens an alert while active, resolves it when not. The
 * strings live for the call only. alert_id, when not NULL, is set on return
 * to the id of the alert the condition opened or keeps open (active) or has
 * just resolved (not active), and to 0 when there is none (refused, nothing
 * to resolve): events/ stores it on the events that raised it. */
struct alert_condition {
	const char *rule;		/* rule name, e.g. "syslog:link-updown" */
	int64_t device_id;		/* 0: not tied to a device */
	const char *subject;		/* what within the device, e.g. "GigabitEthernet0/1" */
	const char *severity;		/* critical | warning | info */
	int active;			/* 1 raise (or keep), 0 resolve */
	double value;			/* NAN when there is none */
	const char *message;
	int64_t *alert_id;		/* out, or NULL */
};

/* An alert changed: the notifier's input. event is "firing", "resolved",
 * "acknowledged" or "escalated"; alert and root_cause are DESIGN §9 alert
 * objects (root_cause NULL when none); notify is 0 for changes recorded but
 * not sent (maintenance, suppressed children). */
struct alert_change {
	const char *event;
	const struct json_t *alert;
	const struct json_t *root_cause;
	int affected;
	int notify;
	const char *channels_hint;	/* escalation: the route's escalate_to, or NULL */
};

struct services {
	/* topology/: the device ids on the path from topology.root to device_id,
	 * both included, into out[max]; returns the count, 0 when unknown. */
	size_t (*topology_path)(void *arg, int64_t device_id, int64_t *out, size_t max);
	/* topology/: unmanaged neighbours seen through LLDP or CDP (not ARP/FDB-only
	 * entries) as [{"name", "address", "mac", "kind", "source", "seen_by"}] (new ref). */
	struct json_t *(*topology_unmanaged)(void *arg);
	/* topology/: the graph as GET /api/v1/topology answers it (DESIGN §9:
	 * nodes with "managed", links with a/a_port/b/b_port/speed_bps) (new ref);
	 * reports/ tells uplinks from access ports with it. */
	struct json_t *(*topology_graph)(void *arg);
	void *topology_arg;

	/* snmp/: poll this device now rather than at its turn (alert/ re-polls
	 * the upstream path of a device found down); 0, or -1 when it is not
	 * polled or a poll is under way. */
	int (*poll_now)(void *arg, int64_t device_id);
	void *poll_arg;

	/* inventory/ discovery: hosts a sweep saw but nobody adopted, as
	 * [{"address", "first_seen", "last_seen", "answered"}] (new ref). */
	struct json_t *(*discovery_seen)(void *arg);
	void *discovery_arg;

	/* alert/: take a condition; 0 or -1 with the engine's reason logged. */
	int (*alert_condition)(void *arg, const struct alert_condition *cond);
	/* alert/: acknowledge alert id as who, via "web", "cli", "ack-link:CHANNEL"...;
	 * 0, or -1 when there is no such open alert. */
	int (*alert_ack)(void *arg, int64_t id, const char *who, const char *comment,
	    const char *via);
	/* alert/: the alert's DESIGN §9 object (new ref), or NULL. */
	struct json_t *(*alert_get)(void *arg, int64_t id);
	void *alert_arg;
};

#endif
