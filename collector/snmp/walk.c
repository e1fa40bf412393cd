/*
 * walk.c — request state machines of a poll: GET batches of scalars,
 * GETBULK walks of up to a few columns at once (GETNEXT for SNMPv1), and the
 * GETNEXT probes that decide which profiles a device answers.
 *
 * A job builds its next request (sp_walk_next_pdu) and consumes the reply
 * (sp_walk_response); the device code owns the job and sends the PDUs. A
 * reply is validated before use: varbinds outside a walked subtree, not
 * increasing (a looping agent), exceptions and error-status all end the
 * column or shrink the request instead of being stored.
 */
#include "collector/snmp/snmp.h"
#include "common/log.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdlib.h>
#include <string.h>

static void
to_arcs(const oid *name, size_t n, uint32_t *arcs, uint8_t *len)
{
	if (n > SP_MAX_OID)
		n = SP_MAX_OID;
	for (size_t i = 0; i < n; i++)
		arcs[i] = (uint32_t)name[i];
	*len = (uint8_t)n;
}

static void
add_var(netsnmp_pdu *pdu, const uint32_t *arcs, size_t n)
{
	oid name[SP_MAX_OID];

	for (size_t i = 0; i < n; i++)
		name[i] = arcs[i];
	snmp_add_null_var(pdu, name, n);
}

/* net-snmp variable → sp_value (pointers into the PDU until stored). */
static int
to_value(const netsnmp_variable_list *v, struct sp_value *out, char *oidbuf, size_t oidlen)
{
	memset(out, 0, sizeof(*out));
	switch (v->type) {
	case ASN_INTEGER:
		out->type = SP_V_INT;
		out->i = *v->val.integer;
		return 0;
	case ASN_GAUGE:
		out->type = SP_V_UINT;
		out->u = (uint32_t)*v->val.integer;
		return 0;
	case ASN_COUNTER:
		out->type = SP_V_COUNTER32;
		out->u = (uint32_t)*v->val.integer;
		return 0;
	case ASN_TIMETICKS:
		out->type = SP_V_TICKS;
		out->u = (uint32_t)*v->val.integer;
		return 0;
	case ASN_COUNTER64:
		out->type = SP_V_COUNTER64;
		out->u = ((uint64_t)v->val.counter64->high << 32) |
		    (uint32_t)v->val.counter64->low;
		return 0;
	case ASN_OCTET_STR:
	case ASN_OPAQUE:
		out->type = SP_V_STRING;
		out->s = v->val.string;
		out->len = v->val_len;
		return 0;
	case ASN_IPADDRESS:
		out->type = SP_V_IPADDR;
		out->s = v->val.string;
		out->len = v->val_len;
		return 0;
	case ASN_OBJECT_ID: {
		uint32_t arcs[SP_MAX_OID];
		uint8_t n;
		to_arcs(v->val.objid, v->val_len / sizeof(oid), arcs, &n);
		sp_oid_format(arcs, n, oidbuf, oidlen);
		out->type = SP_V_OID;
		out->s = (const unsigned char *)oidbuf;
		out->len = strlen(oidbuf);
		return 0;
	}
	default:
		return -1;	/* NULL, exceptions, opaque floats */
	}
}

static int
is_exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
	    v->type == SNMP_ENDOFMIBVIEW;
}

static void
store_var(struct sp_store *st, const netsnmp_variable_list *v, double t)
{
	struct sp_value val;
	uint32_t arcs[SP_MAX_OID];
	uint8_t n;
	char oidbuf[SP_MAX_OID * 11 + 1];

	if (v->name_length == 0 || v->name_length > SP_MAX_OID)
		return;
	if (to_value(v, &val, oidbuf, sizeof(oidbuf)) < 0)
		return;
	to_arcs(v->name, v->name_length, arcs, &n);
	sp_store_add(st, arcs, n, &val, t);
}

struct snmp_pdu *
sp_walk_next_pdu(struct sp_job *j, int version, int max_reps)
{
	netsnmp_pdu *pdu;

	switch (j->kind) {
	case SP_JOB_GET:
	case SP_JOB_PROBE:
		if (j->pos >= j->n_oids)
			return NULL;
		pdu = snmp_pdu_create(j->kind == SP_JOB_GET ? SNMP_MSG_GET : SNMP_MSG_GETNEXT);
		if (pdu == NULL)
			return NULL;
		for (size_t i = j->pos; i < j->n_oids && i < j->pos + j->count; i++)
			add_var(pdu, j->oids[i].arcs, j->oids[i].len);
		return pdu;
	case SP_JOB_WALK: {
		size_t active = 0;
		for (size_t i = 0; i < j->n_oids; i++)
			active += !j->done[i];
		if (active == 0)
			return NULL;
		if (version == SP_VER_1) {
			pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
		} else {
			pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
			if (pdu != NULL) {
				long reps = max_reps / (long)active;
				pdu->non_repeaters = 0;
				pdu->max_repetitions = reps < 1 ? 1 : reps;
			}
		}
		if (pdu == NULL)
			return NULL;
		for (size_t i = 0; i < j->n_oids; i++)
			if (!j->done[i])
				add_var(pdu, j->cur[i], j->cur_len[i]);
		return pdu;
	}
	case SP_JOB_DISCOVER:
		return NULL;
	}
	return NULL;
}

static int
get_response(struct sp_job *j, netsnmp_pdu *pdu, struct sp_store *st, double t)
{
	size_t sent = j->n_oids - j->pos < j->count ? j->n_oids - j->pos : j->count;

	if (pdu->errstat == SNMP_ERR_TOOBIG) {
		if (j->count > 1) {
			j->count /= 2;
			return 1;
		}
		log_debug("snmp", "tooBig for a single scalar: skipped");
		j->pos++;
		return 0;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		/* v1 noSuchName (or any error naming a varbind): drop that one
		 * and ask again for the rest; otherwise fall back to one by one. */
		long k = pdu->errindex;
		if (k >= 1 && (size_t)k <= sent) {
			size_t at = j->pos + (size_t)k - 1;
			memmove(&j->oids[at], &j->oids[at + 1],
			    (j->n_oids - at - 1) * sizeof(*j->oids));
			j->n_oids--;
			return 0;
		}
		if (j->count > 1) {
			j->count = 1;
			return 0;
		}
		j->pos++;
		return 0;
	}
	size_t i = 0;
	for (netsnmp_variable_list *v = pdu->variables; v != NULL && i < sent;
	    v = v->next_variable, i++) {
		const struct sp_oid *want = &j->oids[j->pos + i];
		if (j->kind == SP_JOB_PROBE) {
			uint32_t arcs[SP_MAX_OID];
			uint8_t n;
			to_arcs(v->name, v->name_length, arcs, &n);
			if (!is_exception(v) && sp_oid_is_prefix(want->arcs, want->len, arcs, n) &&
			    n > want->len)
				j->done[j->pos + i] = 1;
			continue;
		}
		if (!is_exception(v))
			store_var(st, v, t);
	}
	j->pos += sent;
	return 0;
}

static int
walk_response(struct sp_job *j, netsnmp_pdu *pdu, struct sp_store *st, double t,
    int max_rows)
{
	size_t map[SP_MAX_OID], active = 0;

	for (size_t i = 0; i < j->n_oids && active < SP_MAX_OID; i++)
		if (!j->done[i])
			map[active++] = i;
	if (active == 0)
		return 0;
	if (pdu->errstat == SNMP_ERR_TOOBIG)
		return 1;
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		long k = pdu->errindex;
		/* v1 end of MIB is noSuchName on that column. */
		if (k >= 1 && (size_t)k <= active) {
			j->done[map[k - 1]] = 1;
			return 0;
		}
		log_debug("snmp", "walk error-status %ld: column walk ended", pdu->errstat);
		for (size_t i = 0; i < active; i++)
			j->done[map[i]] = 1;
		return -1;
	}
	uint8_t stop[SP_MAX_OID] = { 0 };
	size_t pos = 0, got = 0;
	for (netsnmp_variable_list *v = pdu->variables; v != NULL; v = v->next_variable, pos++) {
		size_t c = pos % active, col = map[c];
		if (stop[c] || j->done[col])
			continue;
		uint32_t arcs[SP_MAX_OID];
		uint8_t n;
		const struct sp_oid *root = &j->oids[col];
		if (v->name_length > SP_MAX_OID || is_exception(v)) {
			stop[c] = 1;
			continue;
		}
		to_arcs(v->name, v->name_length, arcs, &n);
		if (!sp_oid_is_prefix(root->arcs, root->len, arcs, n) || n <= root->len) {
			stop[c] = 1;
			continue;
		}
		if (sp_oid_cmp(arcs, n, j->cur[col], j->cur_len[col]) <= 0) {
			log_debug("snmp", "agent returned a non-increasing OID: column ended");
			stop[c] = 1;
			continue;
		}
		store_var(st, v, t);
		memcpy(j->cur[col], arcs, n * sizeof(uint32_t));
		j->cur_len[col] = n;
		got++;
		if (++j->rows > (size_t)max_rows * j->n_oids) {
			log_debug("snmp", "walk exceeded %d rows per column: cut", max_rows);
			stop[c] = 1;
		}
	}
	for (size_t c = 0; c < active; c++)
		if (stop[c])
			j->done[map[c]] = 1;
	/* A reply that made no progress at all ends the walk, not a loop. */
	if (got == 0)
		for (size_t c = 0; c < active; c++)
			j->done[map[c]] = 1;
	return 0;
}

int
sp_walk_response(struct sp_job *j, struct snmp_pdu *pdu, struct sp_store *st,
    double t, int max_rows)
{
	switch (j->kind) {
	case SP_JOB_GET:
	case SP_JOB_PROBE:
		return get_response(j, pdu, st, t);
	case SP_JOB_WALK:
		return walk_response(j, pdu, st, t, max_rows);
	default:
		return -1;
	}
}

void
sp_job_free(struct sp_job *j)
{
	if (j == NULL)
		return;
	free(j->oids);
	free(j->cur);
	free(j->cur_len);
	free(j->done);
	free(j);
}
