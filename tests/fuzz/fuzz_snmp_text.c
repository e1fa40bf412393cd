/* fuzz_snmp_text.c — libFuzzer target: OCTET STRING bytes into the text
 * conversion (UTF-8 / GB18030 / hex) and the number and OID parsers; the
 * text produced must always be valid UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/snmp/snmp.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void *cd;
	char out[512], how, buf[256];
	double d;
	struct sp_oid o;

	if (cd == NULL)
		cd = sp_iconv_open();
	int n = sp_octets_to_text(data, size, cd, out, sizeof(out), &how);
	if (n < 0 || !util_utf8_valid(out, (size_t)n))
		abort();
	sp_parse_number((const char *)data, size, &d);
	if (size < sizeof(buf)) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		sp_oid_parse(buf, &o, 1);
	}
	return 0;
}
