/*
 * traps.c — SNMP notifications received with net-snmp's own library on the
 * loop: one server session per traps.listen address (snmp_sess_add), its
 * socket a persistent libevent read event, no snmptrapd and no threads.
 *
 * v1 and v2c: the community must be one of traps.communities. INFORM is
 * acknowledged (a RESPONSE), after the community or user check. v3: the
 * USM users of traps.v3_users. A trap's keys depend on the sender's engine
 * ID, unknown in advance: the transport's receive function is wrapped so
 * that each v3 message's engine ID and user name are read first (ber.c),
 * and the configured user's keys are localised for that engine on first
 * sight (unless engine_id pins one). Refused messages (bad community,
 * unknown user, wrong digest, malformed BER) are counted as parse drops
 * and logged once a minute; they are never stored.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#include <net-snmp/library/snmp_impl.h>

#include <event2/event.h>

#include "collector/collector.h"
#include "collector/events/events.h"
#include "collector/snmp/snmp.h"
#include "common/log.h"
#include "common/util.h"

#define SOCKS_MAX 8
#define LOCALISED_MAX 4096	/* engines × users keyed at most: a spoofer's ceiling */

struct v3user {
	char *user, *auth_proto, *auth_pass, *priv_proto, *priv_pass;
	unsigned char engine[32];
	size_t engine_len;		/* 0: any engine */
};

struct trap_sock {
	struct ev_traps *t;
	netsnmp_transport *tr;
	void *sess;
	struct event *ev;
	int (*orig_recv)(struct netsnmp_transport_s *, void *, int, void **, int *);
};

struct ev_traps {
	struct collector *c;
	struct trap_sock socks[SOCKS_MAX];
	size_t n;
	struct v3user *users;
	size_t n_users;
	size_t localised;
};

/* The wrapped receive functions find their socket here (net-snmp gives
 * them only the transport). Loop thread only. */
static struct trap_sock *wrapped[SOCKS_MAX];

/* ---- values to text, PDU to event (pure but for the names table) ---------- */

static void
oid_text(const oid *o, size_t n, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && used + 12 < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%lu", i ? "." : "",
		    (unsigned long)o[i]);
}

static void
value_text(const netsnmp_variable_list *v, char *out, size_t cap, size_t *len)
{
	*len = 0;
	out[0] = '\0';
	switch (v->type) {
	case ASN_INTEGER:
		*len = (size_t)snprintf(out, cap, "%ld", v->val.integer ? *v->val.integer : 0);
		break;
	case ASN_COUNTER: case ASN_GAUGE: case ASN_TIMETICKS: case ASN_UINTEGER:
		*len = (size_t)snprintf(out, cap, "%lu", v->val.integer ?
		    (unsigned long)(*v->val.integer & 0xffffffffUL) : 0UL);
		break;
	case ASN_COUNTER64:
		if (v->val.counter64)
			*len = (size_t)snprintf(out, cap, "%llu", ((unsigned long long)
			    v->val.counter64->high << 32) | v->val.counter64->low);
		break;
	case ASN_IPADDRESS:
		if (v->val_len == 4 && v->val.string)
			*len = (size_t)snprintf(out, cap, "%u.%u.%u.%u", v->val.string[0],
			    v->val.string[1], v->val.string[2], v->val.string[3]);
		break;
	case ASN_OBJECT_ID: {
		char o[512], nm[256];
		oid_text(v->val.objid, v->val_len / sizeof(oid), o, sizeof(o));
		if (trapnames_lookup(o, nm, sizeof(nm)) == 0)
			*len = (size_t)snprintf(out, cap, "%s", nm);
		else
			*len = (size_t)snprintf(out, cap, "%s", o);
		break;
	}
	case ASN_OCTET_STR: case ASN_OPAQUE: {
		/* as the poller shows them: UTF-8, GB18030 converted, else hex pairs */
		static void *cd;
		char how;
		if (cd == NULL)
			cd = sp_iconv_open();
		int n = v->val.string ? sp_octets_to_text(v->val.string, v->val_len, cd, out,
		    cap, &how) : 0;
		*len = n > 0 ? (size_t)n : 0;
		break;
	}
	default:
		break;	/* NULL, noSuchObject...: empty */
	}
	if (*len >= cap)
		*len = cap - 1;
}

/* notice by default; warning or worse for what campus operators chase */
static int
trap_severity(const char *name)
{
	if (name == NULL)
		return 5;
	if (strstr(name, "OnBattery") || strstr(name, "Fail") || strstr(name, "Shutdown") ||
	    strstr(name, "Remove"))
		return 2;
	if (strstr(name, "linkDown") || strstr(name, "authenticationFailure") ||
	    strstr(name, "Fan") || strstr(name, "Power") || strstr(name, "Supply") ||
	    strstr(name, "Temperature") || strstr(name, "Alarm") || strstr(name, "newRoot") ||
	    strstr(name, "topologyChange"))
		return 4;
	return 5;
}

static const oid uptime_oid[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid trapoid_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

struct cm_event *
traps_pdu_to_event(const void *arg, double now)
{
	const netsnmp_pdu *pdu = arg;
	struct cm_event *ev = cm_event_new(CM_EV_TRAP, now);
	char toid[512], name[256], buf[4096], msg[8192];
	size_t mlen = 0;
	if (ev == NULL)
		return NULL;
	toid[0] = '\0';
	if (pdu->command == SNMP_MSG_TRAP) {
		/* RFC 3584 §3.1: v1 trap to notification OID */
		if (pdu->trap_type >= 0 && pdu->trap_type < 6)
			snprintf(toid, sizeof(toid), "1.3.6.1.6.3.1.1.5.%ld", pdu->trap_type + 1);
		else {
			oid_text(pdu->enterprise, pdu->enterprise_length, toid, sizeof(toid) - 32);
			size_t l = strlen(toid);
			snprintf(toid + l, sizeof(toid) - l, ".0.%ld", pdu->specific_type);
		}
	}
	ev->program = strdup("snmptrap");
	for (const netsnmp_variable_list *v = pdu->variables; v != NULL; v = v->next_variable) {
		char o[512];
		size_t vlen;
		oid_text(v->name, v->name_length, o, sizeof(o));
		if (snmp_oid_compare(v->name, v->name_length, uptime_oid, 9) == 0)
			continue;
		if (snmp_oid_compare(v->name, v->name_length, trapoid_oid, 11) == 0 &&
		    v->type == ASN_OBJECT_ID) {
			oid_text(v->val.objid, v->val_len / sizeof(oid), toid, sizeof(toid));
			continue;
		}
		value_text(v, buf, sizeof(buf), &vlen);
		int named = trapnames_lookup(o, name, sizeof(name)) == 0;
		if (cm_event_add_vb(ev, o, named ? name : NULL, buf, vlen) < 0)
			break;
		if (ev->n_vb > 64)	/* bounded: a trap is not a walk */
			break;
	}
	if (toid[0] == '\0') {
		cm_event_free(ev);
		return NULL;
	}
	ev->trap_oid = strdup(toid);
	if (trapnames_lookup(toid, name, sizeof(name)) == 0)
		ev->trap_name = strdup(name);
	ev->severity = trap_severity(ev->trap_name);
	/* the message: name then name=value pairs, what search and people read */
	mlen = (size_t)snprintf(msg, sizeof(msg), "%s", ev->trap_name ? ev->trap_name : toid);
	for (size_t i = 0; i < ev->n_vb && mlen < sizeof(msg) - 1; i++) {
		const struct cm_varbind *vb = &ev->vb[i];
		mlen += (size_t)snprintf(msg + mlen, sizeof(msg) - mlen, " %s=%s",
		    vb->name ? vb->name : vb->oid, vb->value);
		/* the interface a link trap is about: ifIndex.N, ifDescr.N, ... */
		const char *dot = vb->name && strncmp(vb->name, "if", 2) == 0 ?
		    strrchr(vb->name, '.') : NULL;
		if (ev->if_index == 0 && dot != NULL)
			ev->if_index = strtol(dot + 1, NULL, 10);
		if (ev->subject == NULL && vb->name && (strncmp(vb->name, "ifName.", 7) == 0 ||
		    strncmp(vb->name, "ifDescr.", 8) == 0) && vb->value[0] != '\0')
			ev->subject = strdup(vb->value);
	}
	if (mlen >= sizeof(msg))
		mlen = sizeof(msg) - 1;
	ev->message = ev_text_clean(msg, mlen, sizeof(msg));
	return ev;
}

/* A raw v1/v2c message (as on the wire) to an event, without a session:
 * the fuzz target and unit tests. NULL when it is not a trap. */
struct cm_event *
traps_decode_raw(const unsigned char *buf, size_t len, double now)
{
	u_char community[256], copy[65536];
	size_t clen = sizeof(community), left = len;
	long version = 0;
	if (len > sizeof(copy))
		return NULL;
	memcpy(copy, buf, len);
	u_char *p = snmp_comstr_parse(copy, &left, community, &clen, &version);
	if (p == NULL)
		return NULL;
	netsnmp_pdu *pdu = snmp_pdu_create(0);
	if (pdu == NULL)
		return NULL;
	pdu->version = version;
	struct cm_event *ev = NULL;
	if (snmp_pdu_parse(pdu, p, &left) == 0 && (pdu->command == SNMP_MSG_TRAP ||
	    pdu->command == SNMP_MSG_TRAP2 || pdu->command == SNMP_MSG_INFORM))
		ev = traps_pdu_to_event(pdu, now);
	snmp_free_pdu(pdu);
	return ev;
}

/* ---- v3: keys for an engine on first sight ---------------------------------- */

static int
localise(struct ev_traps *t, const struct v3user *u, const unsigned char *eid, size_t eidlen)
{
	int at = usm_lookup_auth_type(u->auth_proto ? u->auth_proto : "SHA");
	size_t alen = 0;
	const oid *aoid = at >= 0 ? sc_get_auth_oid(at, &alen) : NULL;
	if (aoid == NULL || u->auth_pass == NULL)
		return -1;
	struct usmUser *nu = usm_create_user();
	if (nu == NULL)
		return -1;
	u_char ku[USM_AUTH_KU_LEN];
	size_t kulen = sizeof(ku);
	nu->engineID = netsnmp_memdup(eid, eidlen);
	nu->engineIDLen = eidlen;
	free(nu->name);
	free(nu->secName);
	nu->name = strdup(u->user);
	nu->secName = strdup(u->user);
	free(nu->authProtocol);
	nu->authProtocol = snmp_duplicate_objid(aoid, alen);
	nu->authProtocolLen = alen;
	nu->authKey = malloc(USM_AUTH_KU_LEN);
	nu->authKeyLen = USM_AUTH_KU_LEN;
	if (generate_Ku(aoid, (u_int)alen, (const u_char *)u->auth_pass, strlen(u->auth_pass),
	    ku, &kulen) != SNMPERR_SUCCESS || nu->authKey == NULL ||
	    generate_kul(aoid, (u_int)alen, (u_char *)eid, eidlen, ku, kulen, nu->authKey,
	    &nu->authKeyLen) != SNMPERR_SUCCESS)
		goto fail;
	if (u->priv_pass != NULL) {
		int pt = usm_lookup_priv_type(u->priv_proto ? u->priv_proto : "AES");
		size_t plen = 0;
		const oid *poid = pt >= 0 ? sc_get_priv_oid(pt, &plen) : NULL;
		if (poid == NULL)
			goto fail;
		free(nu->privProtocol);
		nu->privProtocol = snmp_duplicate_objid(poid, plen);
		nu->privProtocolLen = plen;
		kulen = sizeof(ku);
		nu->privKey = malloc(USM_PRIV_KU_LEN);
		nu->privKeyLen = USM_PRIV_KU_LEN;
		if (nu->privKey == NULL || generate_Ku(aoid, (u_int)alen,
		    (const u_char *)u->priv_pass, strlen(u->priv_pass), ku, &kulen) !=
		    SNMPERR_SUCCESS || generate_kul(aoid, (u_int)alen, (u_char *)eid, eidlen, ku,
		    kulen, nu->privKey, &nu->privKeyLen) != SNMPERR_SUCCESS)
			goto fail;
		/* AES-192/256 need a longer key than one hash (Blumenthal/Reeder) */
		usm_extend_user_kul(nu, USM_PRIV_KU_LEN);
	}
	usm_add_user(nu);
	t->localised++;
	return 0;
fail:
	usm_free_user(nu);
	return -1;
}

static void
v3_seen(struct ev_traps *t, const unsigned char *buf, size_t len)
{
	unsigned char eid[32];
	size_t eidlen = 0;
	char user[64];
	if (t->n_users == 0 || ber_v3_peek(buf, len, eid, &eidlen, user, sizeof(user)) < 0 ||
	    eidlen < 5 || user[0] == '\0' || t->localised >= LOCALISED_MAX)
		return;
	if (usm_get_user(eid, eidlen, user) != NULL)
		return;
	for (size_t i = 0; i < t->n_users; i++) {
		const struct v3user *u = &t->users[i];
		if (strcmp(u->user, user) != 0)
			continue;
		if (u->engine_len > 0 && (u->engine_len != eidlen ||
		    memcmp(u->engine, eid, eidlen) != 0))
			continue;
		if (localise(t, u, eid, eidlen) < 0)
			log_warnx("traps: cannot derive keys for v3 user %s", user);
		return;
	}
}

static int
recv_wrapper(struct netsnmp_transport_s *tr, void *buf, int size, void **opaque, int *olen)
{
	struct trap_sock *k = NULL;
	for (size_t i = 0; i < SOCKS_MAX; i++)
		if (wrapped[i] != NULL && wrapped[i]->tr == tr)
			k = wrapped[i];
	if (k == NULL)
		return -1;
	int n = k->orig_recv(tr, buf, size, opaque, olen);
	if (n > 0)
		v3_seen(k->t, buf, (size_t)n);
	return n;
}

/* ---- receiving ---------------------------------------------------------- */

static void
source_of(const netsnmp_pdu *pdu, char *out, size_t cap)
{
	out[0] = '\0';
	if (pdu->transport_data == NULL ||
	    pdu->transport_data_length < (int)sizeof(struct sockaddr_in))
		return;
	const netsnmp_indexed_addr_pair *a = pdu->transport_data;
	const struct sockaddr *sa = &a->remote_addr.sa;
	ev_addr_text(sa, out, cap);
}

static int
community_ok(const struct ev_traps *t, const netsnmp_pdu *pdu)
{
	const struct cfg_strlist *l = &t->c->cfg.traps_communities;
	for (size_t i = 0; i < l->n; i++)
		if (pdu->community != NULL && strlen(l->v[i]) == pdu->community_len &&
		    memcmp(l->v[i], pdu->community, pdu->community_len) == 0)
			return 1;
	return 0;
}

static int
trap_cb(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct trap_sock *k = magic;
	struct ev_traps *t = k->t;
	(void)sess;
	(void)reqid;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
		return 1;
	if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 &&
	    pdu->command != SNMP_MSG_INFORM)
		return 1;
	char from[64];
	source_of(pdu, from, sizeof(from));
	if (pdu->version != SNMP_VERSION_3 && !community_ok(t, pdu)) {
		events_drop(t->c, CM_EV_TRAP, EV_DROP_PARSE, 1);
		events_log_refused(t->c, "trap with an unknown community", from);
		return 1;
	}
	if (pdu->command == SNMP_MSG_INFORM) {
		netsnmp_pdu *reply = snmp_clone_pdu(pdu);
		if (reply != NULL) {
			reply->command = SNMP_MSG_RESPONSE;
			reply->errstat = 0;
			reply->errindex = 0;
			if (snmp_sess_send(k->sess, reply) == 0)
				snmp_free_pdu(reply);
		}
	}
	struct cm_event *ev = traps_pdu_to_event(pdu, util_now());
	if (ev == NULL) {
		events_drop(t->c, CM_EV_TRAP, EV_DROP_PARSE, 1);
		return 1;
	}
	snprintf(ev->source_address, sizeof(ev->source_address), "%s", from);
	/* a relay or NAT: the agent's own address, when it names a device */
	const char *agent = NULL;
	char v1agent[32];
	for (size_t i = 0; i < ev->n_vb; i++)
		if (ev->vb[i].name && strncmp(ev->vb[i].name, "snmpTrapAddress", 15) == 0)
			agent = ev->vb[i].value;
	if (agent == NULL && pdu->command == SNMP_MSG_TRAP && pdu->agent_addr[0] != 0) {
		snprintf(v1agent, sizeof(v1agent), "%u.%u.%u.%u", pdu->agent_addr[0],
		    pdu->agent_addr[1], pdu->agent_addr[2], pdu->agent_addr[3]);
		agent = v1agent;
	}
	if (agent != NULL)
		events_tie(t->c, ev, agent);
	events_take(t->c, ev);
	return 1;
}

/* net-snmp's refusal counters, summed: what a read refused */
static const int refusals[] = { STAT_SNMPINASNPARSEERRS, STAT_SNMPINBADVERSIONS,
	STAT_USMSTATSUNKNOWNUSERNAMES, STAT_USMSTATSWRONGDIGESTS, STAT_USMSTATSDECRYPTIONERRORS,
	STAT_USMSTATSUNSUPPORTEDSECLEVELS, STAT_USMSTATSNOTINTIMEWINDOWS };

static uint64_t
refused_now(void)
{
	uint64_t n = 0;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		n += snmp_get_statistic(refusals[i]);
	return n;
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct trap_sock *k = arg;
	netsnmp_large_fd_set fds;
	(void)what;
	uint64_t before = refused_now();
	netsnmp_large_fd_set_init(&fds, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &fds);
	snmp_sess_read2(k->sess, &fds);
	netsnmp_large_fd_set_cleanup(&fds);
	uint64_t after = refused_now();
	if (after > before) {
		events_drop(k->t->c, CM_EV_TRAP, EV_DROP_PARSE, after - before);
		events_log_refused(k->t->c, "SNMP message refused (malformed, unknown v3 user "
		    "or wrong key)", "a sender");
	}
}

/* ---- life ------------------------------------------------------------------ */

static int
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The protocols the devices API accepts (inventory/devtable.c). */
const char *
ev_v3_user_check(const struct cfg_node *m)
{
	static const char *const auths[] = { "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384",
		"SHA-512", NULL };
	static const char *const privs[] = { "DES", "AES", "AES-192", "AES-256", "AES-192C",
		"AES-256C", NULL };
	static const char *const keys[] = { "user", "auth_proto", "auth_pass", "priv_proto",
		"priv_pass", "engine_id", NULL };
	if (m == NULL || m->kind != CFG_N_MAP)
		return "each entry is a mapping {user, auth_proto, auth_pass, ...}";
	for (size_t i = 0; i < m->n_items; i++)
		if (!in_list(m->items[i]->key, keys) || m->items[i]->kind != CFG_N_SCALAR)
			return "keys are user, auth_proto, auth_pass, priv_proto, priv_pass, engine_id";
	const struct cfg_node *n;
	if ((n = cfg_node_get(m, "user")) == NULL || n->value == NULL || n->value[0] == '\0' ||
	    strlen(n->value) > 32)
		return "user is required (at most 32 characters)";
	if ((n = cfg_node_get(m, "auth_pass")) == NULL || n->value == NULL ||
	    strlen(n->value) < 8)
		return "auth_pass is required, at least 8 characters (noAuthNoPriv is not accepted)";
	if ((n = cfg_node_get(m, "auth_proto")) != NULL && !in_list(n->value, auths))
		return "auth_proto must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512";
	if ((n = cfg_node_get(m, "priv_proto")) != NULL && !in_list(n->value, privs))
		return "priv_proto must be DES, AES, AES-192, AES-256, AES-192C or AES-256C";
	if ((n = cfg_node_get(m, "priv_pass")) != NULL && strlen(n->value) < 8)
		return "priv_pass must be at least 8 characters";
	if ((n = cfg_node_get(m, "engine_id")) != NULL) {
		const char *h = n->value;
		if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
			h += 2;
		size_t l = strlen(h);
		if (l < 10 || l > 64 || l % 2 != 0 || strspn(h, "0123456789abcdefABCDEF") != l)
			return "engine_id must be 5 to 32 bytes in hex";
	}
	return NULL;
}

const char *
ev_check_v3_users(const void *field)
{
	static char err[160];
	const struct cfg_node *list = *(struct cfg_node *const *)field;
	if (list == NULL)
		return NULL;
	if (list->kind != CFG_N_SEQ)
		return "must be a list of users";
	for (size_t i = 0; i < list->n_items; i++) {
		const char *why = ev_v3_user_check(list->items[i]);
		if (why != NULL) {
			snprintf(err, sizeof(err), "entry %zu: %s", i + 1, why);
			return err;
		}
	}
	return NULL;
}

static char *
node_str(const struct cfg_node *m, const char *key)
{
	const struct cfg_node *n = cfg_node_get(m, key);
	return n && n->kind == CFG_N_SCALAR && n->value ? strdup(n->value) : NULL;
}

static int
hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
}

/* traps.v3_users into t->users; err set on a bad entry. */
static int
load_users(struct ev_traps *t, const struct cfg_node *list, char *err, size_t errlen)
{
	if (list == NULL)
		return 0;
	if (list->kind != CFG_N_SEQ) {
		snprintf(err, errlen, "traps.v3_users must be a list");
		return -1;
	}
	t->users = calloc(list->n_items + 1, sizeof(*t->users));
	for (size_t i = 0; t->users && i < list->n_items; i++) {
		const struct cfg_node *m = list->items[i];
		struct v3user *u = &t->users[t->n_users];
		const char *why = ev_v3_user_check(m);
		if (why != NULL) {
			snprintf(err, errlen, "traps.v3_users line %d: %s", m->line, why);
			return -1;
		}
		u->user = node_str(m, "user");
		u->auth_proto = node_str(m, "auth_proto");
		u->auth_pass = node_str(m, "auth_pass");
		u->priv_proto = node_str(m, "priv_proto");
		u->priv_pass = node_str(m, "priv_pass");
		char *eid = node_str(m, "engine_id");
		if (eid != NULL) {
			const char *h = eid[0] == '0' && (eid[1] == 'x' || eid[1] == 'X') ? eid + 2 : eid;
			for (size_t j = 0; h[2 * j] && h[2 * j + 1] && j < sizeof(u->engine); j++)
				u->engine[u->engine_len++] = (unsigned char)(hexval(h[2 * j]) << 4 |
				    hexval(h[2 * j + 1]));
			free(eid);
		}
		t->n_users++;
	}
	return 0;
}

/* "udp:ADDR:PORT" to net-snmp's spelling ("udp6:[::1]:162" for IPv6) */
static void
netsnmp_spec(const char *spec, char *out, size_t cap)
{
	const char *rest = spec + 4;
	snprintf(out, cap, "%s%s", rest[0] == '[' ? "udp6:" : "udp:", rest);
}

struct ev_traps *
traps_open(struct collector *c, char *err, size_t errlen)
{
	const struct cfg_strlist *l = &c->cfg.traps_listen;
	if (l->n == 0)
		return NULL;
	sp_eng_global_init();
	struct ev_traps *t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->c = c;
	if (load_users(t, c->cfg.traps_v3_users, err, errlen) < 0) {
		traps_free(t);
		return NULL;
	}
	for (size_t i = 0; i < l->n && t->n < SOCKS_MAX; i++) {
		char spec[300];
		if (strncmp(l->v[i], "udp:", 4) != 0) {
			log_warnx("traps: %s: traps are received over UDP only; skipped", l->v[i]);
			continue;
		}
		netsnmp_spec(l->v[i], spec, sizeof(spec));
		netsnmp_transport *tr = netsnmp_transport_open_server("snmptrap", spec);
		if (tr == NULL) {
			log_warnx("traps: cannot listen on %s; that receiver is off", l->v[i]);
			continue;
		}
		struct trap_sock *k = &t->socks[t->n];
		k->t = t;
		k->tr = tr;
		k->orig_recv = tr->f_recv;
		t->n++;
	}
	return t;
}

int
traps_start(struct ev_traps *t, struct collector *c)
{
	for (size_t i = 0; i < t->n; i++) {
		struct trap_sock *k = &t->socks[i];
		netsnmp_session s;
		snmp_sess_init(&s);
		s.peername = SNMP_DEFAULT_PEERNAME;
		s.version = SNMP_DEFAULT_VERSION;
		s.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
		s.retries = SNMP_DEFAULT_RETRIES;
		s.timeout = SNMP_DEFAULT_TIMEOUT;
		s.callback = trap_cb;
		s.callback_magic = k;
		s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
		k->sess = snmp_sess_add(&s, k->tr, NULL, NULL);
		if (k->sess == NULL) {
			log_warnx("traps: cannot open a session");
			k->tr = NULL;	/* snmp_sess_add closed it */
			return -1;
		}
		for (size_t j = 0; j < SOCKS_MAX; j++)
			if (wrapped[j] == NULL) {
				wrapped[j] = k;
				k->tr->f_recv = recv_wrapper;
				break;
			}
		k->ev = event_new(c->base, k->tr->sock, EV_READ | EV_PERSIST, on_read, k);
		if (k->ev == NULL || event_add(k->ev, NULL) < 0)
			return -1;
	}
	return 0;
}

void
traps_free(struct ev_traps *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		struct trap_sock *k = &t->socks[i];
		for (size_t j = 0; j < SOCKS_MAX; j++)
			if (wrapped[j] == k)
				wrapped[j] = NULL;
		if (k->ev != NULL)
			event_free(k->ev);
		if (k->sess != NULL) {
			k->tr->f_recv = k->orig_recv;
			snmp_sess_close(k->sess);
		} else if (k->tr != NULL) {
			netsnmp_transport_free(k->tr);
		}
	}
	for (size_t i = 0; i < t->n_users; i++) {
		struct v3user *u = &t->users[i];
		free(u->user);
		free(u->auth_proto);
		if (u->auth_pass)
			explicit_bzero(u->auth_pass, strlen(u->auth_pass));
		free(u->auth_pass);
		free(u->priv_proto);
		if (u->priv_pass)
			explicit_bzero(u->priv_pass, strlen(u->priv_pass));
		free(u->priv_pass);
	}
	free(t->users);
	free(t);
}
