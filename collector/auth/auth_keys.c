/*
 * auth_keys.c — this subsystem's part of the configuration schema (auth.* and audit.*: web sessions, login limits, the audit trail).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>

#include "collector/collector.h"

const struct cfg_key auth_keys[] = {
	{ "auth.session_idle", CFG_DURATION, CONFIG_OFF(session_idle), "12h", 60, 30 * 86400LL,
	    NULL, NULL, "a web session unused this long ends" },
	{ "auth.session_lifetime", CFG_DURATION, CONFIG_OFF(session_lifetime), "7d", 60,
	    90 * 86400LL, NULL, NULL, "a web session ends this long after login, used or not" },
	{ "auth.max_sessions", CFG_INT, CONFIG_OFF(max_sessions), "10000", 1, 1000000, NULL, NULL,
	    "most web sessions at once (the idlest ends when a new one needs room)" },
	{ "auth.login_failures_per_user", CFG_INT, CONFIG_OFF(login_failures_user), "5", 1, 1000,
	    NULL, NULL, "failed logins for one user name from one address (IPv6: one /64) "
	    "before that name is locked there for auth.login_lockout" },
	{ "auth.login_failures_per_address", CFG_INT, CONFIG_OFF(login_failures_addr), "20", 1,
	    100000, NULL, NULL, "failed logins from one address (IPv6: one /64) before it "
	    "is locked for auth.login_lockout" },
	{ "auth.login_lockout", CFG_DURATION, CONFIG_OFF(login_lockout), "15m", 1, 86400, NULL,
	    NULL, "window of the login failure counts, and how long a lock lasts" },
	{ "audit.retention", CFG_DURATION, CONFIG_OFF(audit_retention), "400d", 180 * 86400LL,
	    3660 * 86400LL, NULL, NULL, "audit entries (logins, changes) are kept this long; "
	    "at least 180 days (six months of network logs, as China's Cybersecurity Law "
	    "asks)" },
	CFG_END
};
