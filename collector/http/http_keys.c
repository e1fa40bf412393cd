/*
 * http_keys.c — this subsystem's part of the configuration schema (http.*: listening, TLS and every connection limit).
 * config.c joins the parts; docs/configuration.md is generated from them.
 */
#include <stddef.h>
#include <string.h>

#include "collector/collector.h"

#define KiB 1024LL
#define MiB (1024LL * 1024)

static const char *
check_listen(const void *field)
{
	const char *s = *(char *const *)field;
	const char *colon = strrchr(s, ':');
	if (colon == NULL || colon == s || colon[1] == '\0')
		return "must be ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
	return NULL;
}

const struct cfg_key http_keys[] = {
	{ "http.listen", CFG_STRING, CONFIG_OFF(listen), "127.0.0.1:8080", 3, 256, NULL,
	    check_listen, "address and port of the web UI, API and ingest" },
	{ "http.allow_plain_remote", CFG_BOOL, CONFIG_OFF(allow_plain_remote), "no", 0, 0, NULL,
	    NULL, "allow plain HTTP on a non-loopback address (logs a warning)" },
	{ "http.public_url", CFG_STRING, CONFIG_OFF(public_url), NULL, 0, 512, NULL, NULL,
	    "base URL used in links sent out (e.g. https://monitor.school.edu.cn)" },
	{ "http.tls_cert", CFG_STRING, CONFIG_OFF(tls_cert), NULL, 0, 4096, NULL, NULL,
	    "PEM certificate chain: serve HTTPS" },
	{ "http.tls_key", CFG_STRING, CONFIG_OFF(tls_key), NULL, 0, 4096, NULL, NULL,
	    "PEM private key for http.tls_cert" },
	{ "http.timeout", CFG_DURATION, CONFIG_OFF(http_timeout), "30s", 1, 600, NULL, NULL,
	    "idle and read timeout of a connection" },
	{ "http.max_connections", CFG_INT, CONFIG_OFF(http_max_connections), "0", 0, 1000000, NULL,
	    NULL, "most connections open at once (0: the descriptor limit less 64); at the "
	    "cap a new one closes the one that waited longest for its request" },
	{ "http.request_timeout", CFG_DURATION, CONFIG_OFF(http_request_timeout), "60s", 1, 3600,
	    NULL, NULL, "a request's head and body must arrive within this time of the "
	    "connection opening or the previous reply, else the connection is closed" },
	{ "http.max_header_size", CFG_SIZE, CONFIG_OFF(http_max_header), "16KiB", 1 * KiB,
	    1 * MiB, NULL, NULL, "largest request header block" },
	CFG_END
};
