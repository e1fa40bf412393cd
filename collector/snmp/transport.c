/*
 * transport.c — net-snmp on libevent: sessions, their sockets and timers,
 * and net-snmp's callback (poller.c owns the poller and its devices).
 *
 * Each device owns one net-snmp single session (snmp_sess_open). Its UDP
 * socket is a persistent libevent read event that calls snmp_sess_read2();
 * one timer per device fires when snmp_sess_select_info2() says the earliest
 * retransmission or timeout is due and calls snmp_sess_timeout() (the model
 * is lldpd's levent_snmp_update, reduced to one session). net-snmp calls
 * eng_cb for replies, timeouts and send failures; device.c does the rest.
 *
 * A device is never freed while net-snmp is dispatching for it
 * (in_dispatch): removal and v3 session resets are applied right after.
 */
#include "collector/snmp/snmp.h"
#include "common/cfg.h"
#include "common/log.h"
#include "common/util.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <event2/event.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int eng_initialized;

static int
eng_log_cb(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t l;
	char buf[512];

	(void)major;
	(void)minor;
	(void)client;
	if (m == NULL || m->msg == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", m->msg);
	l = strlen(buf);
	while (l > 0 && buf[l - 1] == '\n')
		buf[--l] = '\0';
	if (m->priority <= LOG_ERR)
		log_warnx("net-snmp: %s", buf);
	else
		log_debug("snmp", "net-snmp: %s", buf);
	return 0;
}

/* net-snmp keeps process-wide state (USM users, transports): set it up
 * once, without reading snmp.conf, MIB files or persistent state. */
void
sp_eng_global_init(void)
{
	if (eng_initialized)
		return;
	eng_initialized = 1;
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
	setenv("MIBS", "", 0);
	setenv("MIBDIRS", "/nonexistent", 0);
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, eng_log_cb, NULL);
	init_snmp("campusmon");
}

double
sp_rand01(struct sp_poller *p)
{
	/* xorshift64*: jitter only, no security use. */
	uint64_t x = p->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rng = x;
	return (double)((x * UINT64_C(2685821657736338717)) >> 11) / 9007199254740992.0;
}

/* ---- events ----------------------------------------------------------- */

static netsnmp_large_fd_set *
eng_fdset(struct sp_poller *p, int fd)
{
	netsnmp_large_fd_set *fds = p->fdset;

	if ((int)fds->lfs_setsize <= fd)
		netsnmp_large_fd_set_resize(fds, fd + 1024);
	NETSNMP_LARGE_FD_ZERO(fds);
	return fds;
}

/* After net-snmp returned: apply what could not be done inside it. */
void
sp_eng_after_dispatch(struct sp_device *d)
{
	if (d->in_dispatch > 0)
		return;
	if (d->dead) {
		sp_dev_free(d);
		return;
	}
	if (d->need_reset) {
		d->need_reset = 0;
		if (d->phase != SP_PH_IDLE)
			sp_dev_abort(d);	/* its requests die with the session */
		sp_eng_close(d);
		d->engine_known = 0;
	}
	sp_eng_update_timer(d);
}

static void
eng_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct sp_device *d = arg;

	(void)what;
	if (d->sess == NULL)
		return;
	netsnmp_large_fd_set *fds = eng_fdset(d->p, fd);
	NETSNMP_LARGE_FD_SET(fd, fds);
	d->in_dispatch++;
	snmp_sess_read2(d->sess, fds);
	d->in_dispatch--;
	sp_eng_after_dispatch(d);
}

static void
eng_on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct sp_device *d = arg;

	(void)fd;
	(void)what;
	if (d->sess == NULL)
		return;
	d->in_dispatch++;
	snmp_sess_timeout(d->sess);
	if (d->sess != NULL && d->inflight > 0 && !d->dead) {
		int maxfd = 0, block = 1;
		struct timeval tv = { 0, 0 };
		netsnmp_large_fd_set *fds = eng_fdset(d->p, d->fd);
		snmp_sess_select_info2_flags(d->sess, &maxfd, fds, &tv, &block,
		    NETSNMP_SELECT_NOALARMS);
		/* Nothing pending in net-snmp, yet we wait: orphans. */
		while (block && d->active != NULL && !d->dead && d->phase != SP_PH_IDLE) {
			struct sp_job *j = d->active;
			log_debug("snmp", "%s: request lost by the library, timed out",
			    d->t.name);
			if (j->kind == SP_JOB_DISCOVER) {
				d->active = j->next;
				d->inflight--;
				sp_job_free(j);
				sp_dev_on_discovered(d, 0);
			} else {
				sp_dev_on_reply(d, j, NULL, 1);
			}
		}
	}
	d->in_dispatch--;
	sp_eng_after_dispatch(d);
}

void
sp_eng_update_timer(struct sp_device *d)
{
	int maxfd = 0, block = 1;
	struct timeval tv = { 0, 0 };

	if (d->sess == NULL || d->dead) {
		if (d->tev)
			evtimer_del(d->tev);
		return;
	}
	netsnmp_large_fd_set *fds = eng_fdset(d->p, d->fd);
	snmp_sess_select_info2_flags(d->sess, &maxfd, fds, &tv, &block,
	    NETSNMP_SELECT_NOALARMS);
	log_debug("snmpio", "%s: timer block=%d in %ld.%06lds", d->t.name, block,
	    (long)tv.tv_sec, (long)tv.tv_usec);
	if (block && d->inflight > 0) {
		/* net-snmp forgot requests we still wait for (it drops some
		 * on errors without a callback): time them out ourselves. */
		long ms = (long)d->timeout_ms * (d->retries + 1);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		block = 0;
	}
	if (!block) {
		if (tv.tv_sec == 0 && tv.tv_usec < 1000)
			tv.tv_usec = 1000;
		evtimer_add(d->tev, &tv);
	} else {
		evtimer_del(d->tev);
	}
}

/* ---- net-snmp callback ------------------------------------------------ */

static struct sp_job *
find_job(struct sp_device *d, int reqid)
{
	for (struct sp_job *j = d->active; j != NULL; j = j->next)
		if (j->reqid == reqid)
			return j;
	return NULL;
}

/* usmStats counters named by a Report PDU (RFC 3414 §5). */
static int
report_kind(netsnmp_pdu *pdu)
{
	static const oid usm_stats[] = { 1, 3, 6, 1, 6, 3, 15, 1, 1 };

	if (pdu->variables == NULL || pdu->variables->name_length < 10)
		return 0;
	if (memcmp(pdu->variables->name, usm_stats, sizeof(usm_stats)) != 0)
		return 0;
	return (int)pdu->variables->name[9];
}

static int
eng_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct sp_device *d = magic;

	(void)s;
	if (d == NULL || d->dead)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT ||
	    op == NETSNMP_CALLBACK_OP_DISCONNECT)
		return 1;	/* informational */
	struct sp_job *j = find_job(d, reqid);
	/* A v3 report the library could not authenticate carries no request
	 * id, and net-snmp drops the request it answers: pin it on the
	 * oldest request in flight (the only one by default). */
	if (j == NULL && reqid == 0 && d->active != NULL &&
	    (op == NETSNMP_CALLBACK_OP_SEC_ERROR || (pdu != NULL &&
	    pdu->command == SNMP_MSG_REPORT))) {
		j = d->active;
		while (j->next != NULL)
			j = j->next;
	}
	log_debug("snmpio", "%s: callback op %d reqid %d%s", d->t.name, op, reqid,
	    j ? "" : " (stale)");
	if (j == NULL)
		return 1;	/* a reply to a request we gave up on */
	if (j->kind == SP_JOB_DISCOVER) {
		int ok = 0;
		log_debug("snmp", "%s: discovery reply op %d, engine ID length %zu", d->t.name,
		    op, pdu ? pdu->securityEngineIDLen : 0);
		/* The Report carrying usmStatsUnknownEngineIDs comes back as a
		 * security error: what matters is the engine ID it names. */
		if ((op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
		    op == NETSNMP_CALLBACK_OP_SEC_ERROR) && pdu != NULL &&
		    pdu->securityEngineIDLen > 0 && pdu->securityEngineIDLen <= 32) {
			netsnmp_session *ss = snmp_sess_session(d->sess);
			free(ss->securityEngineID);
			ss->securityEngineID = malloc(pdu->securityEngineIDLen);
			if (ss->securityEngineID != NULL) {
				memcpy(ss->securityEngineID, pdu->securityEngineID,
				    pdu->securityEngineIDLen);
				ss->securityEngineIDLen = pdu->securityEngineIDLen;
				if (ss->contextEngineIDLen == 0) {
					ss->contextEngineID = malloc(pdu->securityEngineIDLen);
					if (ss->contextEngineID != NULL) {
						memcpy(ss->contextEngineID, pdu->securityEngineID,
						    pdu->securityEngineIDLen);
						ss->contextEngineIDLen = pdu->securityEngineIDLen;
					}
				}
				ok = create_user_from_session(ss) == SNMPERR_SUCCESS;
				if (!ok)
					log_warnx("snmp %s: cannot set up the v3 user for the "
					    "discovered engine ID", d->t.name);
			}
		} else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
			d->st_timeouts++;
		}
		/* unlink the discovery job */
		struct sp_job **pp = &d->active;
		while (*pp != j)
			pp = &(*pp)->next;
		*pp = j->next;
		d->inflight--;
		sp_job_free(j);
		d->engine_known = ok;
		sp_dev_on_discovered(d, ok);
		return 1;
	}
	switch (op) {
	case NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE:
		if (pdu != NULL && pdu->command == SNMP_MSG_REPORT) {
			/* v3 trouble the library could not fix by itself (unknown
			 * engine ID after a device swap, wrong keys): start over
			 * with discovery at the next poll. */
			int k = report_kind(pdu);
			log_info("snmp %s: SNMPv3 report (usmStats.%d): %s", d->t.name, k,
			    k == 3 ? "unknown user" : k == 5 ? "wrong digest (auth password?)" :
			    k == 6 ? "decryption error (priv password?)" :
			    k == 4 ? "unknown engine ID" : "not in time window");
			d->need_reset = 1;
			d->error = k == 3 ? "SNMPv3 unknown user" : k == 5 ?
			    "SNMPv3 authentication failed" : k == 6 ?
			    "SNMPv3 decryption failed" : "SNMPv3 engine changed";
			sp_dev_on_reply(d, j, NULL, 0);
		} else {
			sp_dev_on_reply(d, j, pdu, 0);
		}
		break;
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		sp_dev_on_reply(d, j, NULL, 1);
		break;
	default:
		if (op == NETSNMP_CALLBACK_OP_SEND_FAILED && !d->responded)
			d->error = "no SNMP agent answers (port unreachable)";
		if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
			int k = pdu != NULL ? report_kind(pdu) : 0;
			d->error = k == 3 ? "SNMPv3 unknown user" : k == 5 ?
			    "SNMPv3 authentication failed (wrong auth password?)" : k == 6 ?
			    "SNMPv3 decryption failed (wrong priv password?)" :
			    "SNMPv3 security error (user, password or protocol)";
			d->need_reset = 1;
		}
		sp_dev_on_reply(d, j, NULL, 0);
		break;
	}
	return 1;
}

/* ---- sessions --------------------------------------------------------- */

static int
set_v3(struct sp_device *d, netsnmp_session *s)
{
	const struct sp_target *t = &d->t;

	if (t->user == NULL || t->user[0] == '\0') {
		log_warnx("snmp %s: SNMPv3 needs a user", t->name);
		return -1;
	}
	s->securityName = (char *)t->user;
	s->securityNameLen = strlen(t->user);
	s->securityModel = SNMP_SEC_MODEL_USM;
	s->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	if (t->context) {
		s->contextName = (char *)t->context;
		s->contextNameLen = strlen(t->context);
	}
	if (t->auth_pass != NULL && t->auth_pass[0] != '\0') {
		int type = usm_lookup_auth_type(t->auth_proto ? t->auth_proto : "SHA");
		size_t len = 0;
		oid *o = type >= 0 ? sc_get_auth_oid(type, &len) : NULL;
		if (o == NULL) {
			log_warnx("snmp %s: unknown auth protocol '%s'", t->name,
			    t->auth_proto ? t->auth_proto : "");
			return -1;
		}
		s->securityAuthProto = snmp_duplicate_objid(o, len);
		s->securityAuthProtoLen = len;
		s->securityAuthKeyLen = USM_AUTH_KU_LEN;
		if (generate_Ku(s->securityAuthProto, (u_int)len, (const u_char *)t->auth_pass,
		    strlen(t->auth_pass), s->securityAuthKey, &s->securityAuthKeyLen) !=
		    SNMPERR_SUCCESS) {
			log_warnx("snmp %s: cannot derive the auth key (password too short?)",
			    t->name);
			return -1;
		}
		s->securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
		if (t->priv_pass != NULL && t->priv_pass[0] != '\0') {
			int pt = usm_lookup_priv_type(t->priv_proto ? t->priv_proto : "AES");
			size_t plen = 0;
			oid *po = pt >= 0 ? sc_get_priv_oid(pt, &plen) : NULL;
			if (po == NULL) {
				log_warnx("snmp %s: unknown priv protocol '%s'", t->name,
				    t->priv_proto ? t->priv_proto : "");
				return -1;
			}
			s->securityPrivProto = snmp_duplicate_objid(po, plen);
			s->securityPrivProtoLen = plen;
			s->securityPrivKeyLen = USM_PRIV_KU_LEN;
			if (generate_Ku(s->securityAuthProto, (u_int)len,
			    (const u_char *)t->priv_pass, strlen(t->priv_pass),
			    s->securityPrivKey, &s->securityPrivKeyLen) != SNMPERR_SUCCESS) {
				log_warnx("snmp %s: cannot derive the priv key", t->name);
				return -1;
			}
			s->securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
		}
	}
	return 0;
}

int
sp_eng_open(struct sp_device *d)
{
	netsnmp_session s;
	int rc = -1;

	if (d->sess != NULL)
		return 0;
	snmp_sess_init(&s);
	s.peername = d->peer;
	s.timeout = (long)d->timeout_ms * 1000L;
	s.retries = d->retries;
	s.callback = eng_cb;
	s.callback_magic = d;
	switch (d->t.version) {
	case SP_VER_1:
		s.version = SNMP_VERSION_1;
		break;
	case SP_VER_3:
		s.version = SNMP_VERSION_3;
		s.flags |= SNMP_FLAGS_DONT_PROBE;	/* discovery is async, below */
		break;
	default:
		s.version = SNMP_VERSION_2c;
		break;
	}
	if (s.version != SNMP_VERSION_3) {
		const char *c = d->t.community ? d->t.community : "public";
		s.community = (u_char *)c;
		s.community_len = strlen(c);
	} else if (set_v3(d, &s) < 0) {
		d->error = "bad SNMPv3 settings";
		goto out;
	}
	d->sess = snmp_sess_open(&s);
	if (d->sess == NULL) {
		int liberr, syserr;
		char *msg = NULL;
		snmp_error(&s, &liberr, &syserr, &msg);
		log_warnx("snmp %s: cannot open a session to %s: %s", d->t.name, d->peer,
		    msg ? msg : "?");
		free(msg);
		d->error = "cannot open an SNMP session (bad address?)";
		goto out;
	}
	netsnmp_transport *tr = snmp_sess_transport(d->sess);
	d->fd = tr ? tr->sock : -1;
	if (d->fd < 0) {
		snmp_sess_close(d->sess);
		d->sess = NULL;
		goto out;
	}
	d->rev = event_new(d->p->base, d->fd, EV_READ | EV_PERSIST, eng_on_read, d);
	if (d->tev == NULL)
		d->tev = evtimer_new(d->p->base, eng_on_timeout, d);
	if (d->rev == NULL || d->tev == NULL || event_add(d->rev, NULL) < 0) {
		sp_eng_close(d);
		goto out;
	}
	rc = 0;
out:
	free(s.securityAuthProto);
	free(s.securityPrivProto);
	return rc;
}

void
sp_eng_close(struct sp_device *d)
{
	if (d->rev != NULL) {
		event_free(d->rev);
		d->rev = NULL;
	}
	if (d->tev != NULL)
		evtimer_del(d->tev);
	if (d->sess != NULL) {
		void *sess = d->sess;
		d->sess = NULL;
		d->in_dispatch++;	/* callbacks fired by close are ignored */
		snmp_sess_close(sess);
		d->in_dispatch--;
	}
	d->fd = -1;
	d->engine_known = 0;
}

int
sp_eng_send(struct sp_device *d, struct sp_job *j, struct snmp_pdu *pdu)
{
	if (d->sess == NULL) {
		snmp_free_pdu(pdu);
		return -1;
	}
	int reqid = snmp_sess_async_send(d->sess, pdu, eng_cb, d);
	if (reqid == 0) {
		int liberr, syserr;
		char *msg = NULL;
		snmp_sess_error(d->sess, &liberr, &syserr, &msg);
		log_debug("snmp", "%s: send failed: %s", d->t.name, msg ? msg : "?");
		free(msg);
		snmp_free_pdu(pdu);
		return -1;
	}
	j->reqid = reqid;
	d->st_requests++;
	if (d->in_dispatch == 0)
		sp_eng_update_timer(d);
	return 0;
}

int
sp_eng_discover(struct sp_device *d)
{
	struct usmUser *u = usm_get_user(NULL, 0, "");

	/* The empty user every engine ID probe uses (as net-snmp's own). */
	if (u == NULL) {
		u = usm_create_user();
		if (u == NULL)
			return -1;
		free(u->name);
		free(u->secName);
		u->name = strdup("");
		u->secName = strdup("");
		usm_add_user(u);
	}
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (pdu == NULL)
		return -1;
	pdu->version = SNMP_VERSION_3;
	pdu->securityName = strdup("");
	pdu->securityNameLen = 0;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = SNMP_SEC_MODEL_USM;
	struct sp_job *j = calloc(1, sizeof(*j));
	if (j == NULL) {
		snmp_free_pdu(pdu);
		return -1;
	}
	j->kind = SP_JOB_DISCOVER;
	j->dev = d;
	if (sp_eng_send(d, j, (struct snmp_pdu *)pdu) < 0) {
		sp_job_free(j);
		return -1;
	}
	j->next = d->active;
	d->active = j;
	d->inflight++;
	return 0;
}
