/*
 * test_events.c — the events subsystem's pure parts: syslog (RFC 5424,
 * RFC 3164 and the vendors' variants, headerless lines, the %FAC-SEV-MNEM
 * tag), text cleaning (UTF-8 kept, GBK converted, the rest escaped, never
 * raw), TCP framing (octet counting, LF, bounds), the SNMPv3 header peek,
 * trap decoding of raw v1/v2c PDUs built by net-snmp, and the names table.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "collector/events/events.h"
#include "common/util.h"

#define L(s) s, sizeof(s) - 1
#define NOW 1796601600.0	/* 2026-12-07T00:00:00Z */

static struct cm_event *
parse(const char *s, size_t n)
{
	struct cm_event *ev = cm_event_new(CM_EV_SYSLOG, NOW);
	cr_assert_eq(syslog_parse(s, n, NOW, 8192, ev), 0, "%.*s", (int)n, s);
	return ev;
}

Test(syslog, rfc5424)
{
	struct cm_event *ev = parse(L("<165>1 2026-12-06T10:00:00.5+08:00 core1 sshd 42 ID47 "
	    "[exampleSDID@32473 iut=\"3\" eventSource=\"App]\"] \xEF\xBB\xBFhello world"));
	cr_assert_eq(ev->facility, 20);
	cr_assert_eq(ev->severity, 5);
	cr_assert_str_eq(ev->host, "core1");
	cr_assert_str_eq(ev->program, "sshd");
	cr_assert_str_eq(ev->message, "hello world");
	cr_assert_float_eq(ev->sent_ts, 1796522400.5, 1e-6);
	cm_event_free(ev);
}

Test(syslog, rfc3164_with_tag_and_pid)
{
	struct cm_event *ev = parse(L("<38>Dec  6 22:14:15 mymachine su[230]: 'su root' failed"));
	cr_assert_eq(ev->facility, 4);
	cr_assert_eq(ev->severity, 6);
	cr_assert_str_eq(ev->host, "mymachine");
	cr_assert_str_eq(ev->program, "su");
	cr_assert_str_eq(ev->message, "'su root' failed");
	cr_assert(ev->sent_ts > 0);
	cm_event_free(ev);
}

Test(syslog, cisco_sequence_and_tag)
{
	struct cm_event *ev = parse(L("<187>123: *Dec  6 10:00:01.123: %LINK-3-UPDOWN: "
	    "Interface GigabitEthernet0/1, changed state to down"));
	cr_assert_eq(ev->severity, 3);
	cr_assert_eq(ev->facility, 23);
	cr_assert_null(ev->program);
	cr_assert_str_eq(ev->tag, "LINK-3-UPDOWN");
	cr_assert_str_eq(ev->message, "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, "
	    "changed state to down");
	cm_event_free(ev);
}

Test(syslog, huawei_and_h3c_tags)
{
	struct cm_event *ev = parse(L("<187>Dec  6 2026 10:00:00 S5700 %%01IFNET/4/LINK_STATE(l)"
	    "[0]:The line protocol IP on the interface Vlanif10 has entered the DOWN state."));
	cr_assert_str_eq(ev->host, "S5700");
	cr_assert_str_eq(ev->tag, "IFNET-4-LINK_STATE");
	cm_event_free(ev);
	ev = parse(L("<188>Dec  6 10:00:00 2026 H3C %%10SHELL/5/SHELL_LOGIN: admin logged in"));
	cr_assert_str_eq(ev->host, "H3C");
	cr_assert_str_eq(ev->tag, "SHELL-5-SHELL_LOGIN");
	cr_assert_float_eq(ev->sent_ts, 1796551200.0, 1e-6);
	cm_event_free(ev);
}

Test(syslog, headerless_and_garbage)
{
	struct cm_event *ev = parse(L("just a line"));
	cr_assert_eq(ev->severity, 5);
	cr_assert_eq(ev->facility, 1);
	cr_assert_str_eq(ev->message, "just a line");
	cm_event_free(ev);
	ev = parse(L("<999>not a pri"));
	cr_assert_str_eq(ev->message, "<999>not a pri");
	cm_event_free(ev);
	ev = parse(L("<13>a\0b\x01" "c"));
	cr_assert_str_eq(ev->message, "a\\x00b\\x01c");
	cm_event_free(ev);
	ev = cm_event_new(CM_EV_SYSLOG, NOW);
	cr_assert_eq(syslog_parse(L("\n\r\0"), NOW, 8192, ev), -1);
	cm_event_free(ev);
}

Test(syslog, long_message_cut)
{
	size_t n = 70000;
	char *big = malloc(n);
	memset(big, 'a', n);
	struct cm_event *ev = cm_event_new(CM_EV_SYSLOG, NOW);
	cr_assert_eq(syslog_parse(big, n, NOW, 1000, ev), 0);
	cr_assert_eq(strlen(ev->message), 1000);
	cm_event_free(ev);
	free(big);
}

Test(text, utf8_gbk_and_escapes)
{
	char *s = ev_text_clean(L("caf\xC3\xA9"), 100);
	cr_assert_str_eq(s, "caf\xC3\xA9");
	free(s);
	/* "接口" in GBK: BD D3 BF DA */
	s = ev_text_clean(L("\xBD\xD3\xBF\xDA down"), 100);
	cr_assert_str_eq(s, "\xE6\x8E\xA5\xE5\x8F\xA3 down");
	free(s);
	s = ev_text_clean(L("bad \xFF\xFE end"), 100);
	cr_assert_str_eq(s, "bad \\xff\\xfe end");
	cr_assert(util_utf8_valid(s, strlen(s)));
	free(s);
}

Test(framing, octet_counting_and_lf)
{
	const char *f;
	size_t n;
	cr_assert_eq(syslog_frame_next(L("11 <13>1 - - x"), 100, &f, &n), 14);
	cr_assert_eq(n, 11);
	cr_assert_eq(memcmp(f, "<13>1 - - x", 11), 0);
	cr_assert_eq(syslog_frame_next(L("11 <13>1"), 100, &f, &n), 0);	/* more needed */
	cr_assert_eq(syslog_frame_next(L("<13>hello\n<13>x"), 100, &f, &n), 10);
	cr_assert_eq(n, 9);
	cr_assert_eq(syslog_frame_next(L("<13>no newline yet"), 100, &f, &n), 0);
	cr_assert_eq(syslog_frame_next(L("999 x"), 100, &f, &n), -1);	/* above the bound */
	cr_assert_eq(syslog_frame_next(L("\n\n"), 100, &f, &n), 2);
	cr_assert_eq(n, 0);
	/* a client that never sends a newline: cut at the bound */
	char big[300];
	memset(big, 'x', sizeof(big));
	cr_assert_eq(syslog_frame_next(big, sizeof(big), 100, &f, &n), 100);
	cr_assert_eq(n, 100);
	cr_assert_eq(syslog_frame_next(L("2020 was a year\n"), 100, &f, &n), -1);
	cr_assert_eq(syslog_frame_next(L("20x\n"), 100, &f, &n), 4);
}

Test(names, lookup)
{
	char out[128];
	cr_assert_eq(trapnames_lookup("1.3.6.1.2.1.2.2.1.8.3", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "ifOperStatus.3");
	cr_assert_eq(trapnames_lookup(".1.3.6.1.6.3.1.1.5.3", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "linkDown");
	cr_assert_eq(trapnames_lookup("1.3.6.1.2.1.2.2.1.80", out, sizeof(out)), -1);
	cr_assert_eq(trapnames_lookup("1.3.6.1.2.1.33.2.1", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "upsTrapOnBattery");
}

/* A v2c trap serialised by net-snmp itself, decoded back. */
Test(traps, decode_raw_v2c_linkdown)
{
	init_snmp("test_events");
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
	pdu->version = SNMP_VERSION_2c;
	pdu->community = (u_char *)strdup("public");
	pdu->community_len = 6;
	oid up[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 }, to[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
	oid ld[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 3 }, idx[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 3 };
	oid nm[] = { 1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, 3 };
	long ticks = 100, three = 3;
	snmp_pdu_add_variable(pdu, up, 9, ASN_TIMETICKS, &ticks, sizeof(ticks));
	snmp_pdu_add_variable(pdu, to, 11, ASN_OBJECT_ID, ld, sizeof(ld));
	snmp_pdu_add_variable(pdu, idx, 11, ASN_INTEGER, &three, sizeof(three));
	snmp_pdu_add_variable(pdu, nm, 12, ASN_OCTET_STR, "Gi0/3", 5);
	u_char *buf = NULL;
	size_t len = 0, out = 0;
	netsnmp_session sess;
	snmp_sess_init(&sess);
	sess.version = SNMP_VERSION_2c;
	cr_assert_eq(snmp_build(&buf, &len, &out, &sess, pdu), 0);
	/* snmp_build writes from the end of buf backwards (reverse encoding) */
	struct cm_event *ev = traps_decode_raw(buf + len - out, out, NOW);
	cr_assert_not_null(ev);
	cr_assert_str_eq(ev->trap_oid, "1.3.6.1.6.3.1.1.5.3");
	cr_assert_str_eq(ev->trap_name, "linkDown");
	cr_assert_eq(ev->n_vb, 2);
	cr_assert_str_eq(ev->vb[0].name, "ifIndex.3");
	cr_assert_str_eq(ev->vb[0].value, "3");
	cr_assert_str_eq(ev->subject, "Gi0/3");
	cr_assert_str_eq(ev->message, "linkDown ifIndex.3=3 ifName.3=Gi0/3");
	cm_event_free(ev);
	/* truncated: no event, no crash */
	for (size_t cut = 0; cut < out; cut++) {
		struct cm_event *e = traps_decode_raw(buf + len - out, cut, NOW);
		cm_event_free(e);
	}
	free(buf);
	snmp_free_pdu(pdu);
}

Test(ber, v3_peek)
{
	/* SEQ{ INT 3, SEQ{..}, OCTET{ SEQ{ OCTET eid, INT, INT, OCTET user, ...}}} */
	static const unsigned char msg[] = {
		0x30, 0x29, 0x02, 0x01, 0x03,
		0x30, 0x03, 0x02, 0x01, 0x00,
		0x04, 0x1f, 0x30, 0x1d,
		0x04, 0x08, 0x80, 0x00, 0x1f, 0x88, 0x01, 0x02, 0x03, 0x04,
		0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
		0x04, 0x05, 'a', 'l', 'i', 'c', 'e',
		0x04, 0x00, 0x04, 0x00, 0x04, 0x00,
	};
	unsigned char eid[32];
	size_t eidlen;
	char user[64];
	cr_assert_eq(ber_v3_peek(msg, sizeof(msg), eid, &eidlen, user, sizeof(user)), 0);
	cr_assert_eq(eidlen, 8);
	cr_assert_eq(eid[0], 0x80);
	cr_assert_str_eq(user, "alice");
	for (size_t cut = 0; cut < sizeof(msg) - 6; cut++)
		cr_assert_eq(ber_v3_peek(msg, cut, eid, &eidlen, user, sizeof(user)), -1);
}
