/* dns_parse.c — see dns_parse.h. */
#include "plugins/dns_parse.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
	"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };

/* One record as text: an address, a host name (CNAME, NS, PTR, MX, SRV target), TXT strings. */
static void
rr_text(const ns_msg *m, const ns_rr *rr, char *out, size_t outlen)
{
	const unsigned char *d = ns_rr_rdata(*rr);
	size_t dl = ns_rr_rdlen(*rr), skip = 0;
	int t = ns_rr_type(*rr);

	out[0] = '\0';
	if (t == ns_t_a && dl == 4) {
		inet_ntop(AF_INET, d, out, (socklen_t)outlen);
	} else if (t == ns_t_aaaa && dl == 16) {
		inet_ntop(AF_INET6, d, out, (socklen_t)outlen);
	} else if (t == ns_t_cname || t == ns_t_ns || t == ns_t_ptr || t == ns_t_mx ||
	    t == ns_t_srv) {
		skip = t == ns_t_mx ? 2 : t == ns_t_srv ? 6 : 0;
		if (dl > skip && dn_expand(ns_msg_base(*m), ns_msg_end(*m), d + skip, out,
		    (int)outlen) < 0)
			out[0] = '\0';
	} else if (t == ns_t_txt) {
		size_t o = 0;
		for (size_t i = 0; i < dl;) {
			size_t n = d[i++];
			for (size_t k = 0; k < n && i < dl && o + 1 < outlen; k++)
				out[o++] = (char)d[i++];
		}
		out[o] = '\0';
	}
}

int
dns_parse_answer(const unsigned char *msg, size_t len, const char *expect,
    struct dns_answer *out)
{
	ns_msg m;
	memset(out, 0, sizeof(*out));
	if (len > 65535 || ns_initparse(msg, (int)len, &m) < 0)
		return -1;
	out->rcode = (int)ns_msg_getflag(m, ns_f_rcode);
	if ((size_t)out->rcode < sizeof(rcodes) / sizeof(rcodes[0]))
		snprintf(out->rcode_name, sizeof(out->rcode_name), "%s", rcodes[out->rcode]);
	else
		snprintf(out->rcode_name, sizeof(out->rcode_name), "RCODE%d", out->rcode);
	int n = ns_msg_count(m, ns_s_an);
	for (int i = 0; i < n && i < 256; i++) {
		ns_rr rr;
		char text[1024];
		if (ns_parserr(&m, ns_s_an, i, &rr) < 0)
			break;
		out->answers++;
		if (expect != NULL && !out->matched) {
			rr_text(&m, &rr, text, sizeof(text));
			out->matched = strstr(text, expect) != NULL;
		}
	}
	return 0;
}
