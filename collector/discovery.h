/*
 * discovery.h — sweeps of address ranges that add what answers SNMP and
 * record what only answers ICMP or TCP (discovery.c), and their API.
 */
#ifndef CAMPUSMON_DISCOVERY_H
#define CAMPUSMON_DISCOVERY_H

#include <stdint.h>
#include <stddef.h>

struct collector;
struct disco_job;
struct json_t;

/* Before privileges drop: open ICMP sockets (raw needs root). */
int discovery_open_sockets(struct collector *c);
/* Once the loop exists: watch those sockets. */
void discovery_start_events(struct collector *c);
void discovery_free(struct collector *c);

/* Start a sweep; ranges is a JSON array of CIDR strings, communities NULL for
 * the configured ones. Returns NULL with err filled when the request is bad. */
struct disco_job *discovery_start(struct collector *c, struct json_t *ranges,
    struct json_t *communities, unsigned port, const char *who, char *err, size_t errlen);
struct disco_job *discovery_find(struct collector *c, int64_t id);
struct json_t *discovery_job_json(const struct disco_job *job);

#endif
