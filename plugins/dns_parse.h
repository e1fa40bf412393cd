/* dns_parse.h — a DNS answer's rcode, count and content match (libresolv's ns_parse; fuzzed). */
#ifndef CAMPUSMON_DNS_PARSE_H
#define CAMPUSMON_DNS_PARSE_H

#include <stddef.h>

struct dns_answer {
	int rcode;
	char rcode_name[16];	/* NOERROR, NXDOMAIN, SERVFAIL… */
	int answers;		/* records in the answer section */
	int matched;		/* one of them, as text, contains expect */
};

/* Returns 0, or -1 when msg is no DNS message. expect may be NULL. */
int dns_parse_answer(const unsigned char *msg, size_t len, const char *expect,
    struct dns_answer *out);

#endif
