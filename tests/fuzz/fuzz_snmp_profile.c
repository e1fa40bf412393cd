/* fuzz_snmp_profile.c — libFuzzer target: arbitrary bytes as an SNMP
 * profile (YAML), then matching and a plan built from whatever parsed. */
#include <stddef.h>
#include <stdint.h>

#include "collector/snmp/snmp.h"
#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors errs = { 0 };
	struct sp_profile *p = sp_profile_parse((const char *)data, size, "fuzz", &errs);

	if (p != NULL) {
		static const uint32_t oid[] = { 1, 3, 6, 1, 4, 1, 2011, 2, 23 };
		const struct sp_profile *m[] = { p };
		struct sp_plan plan;
		sp_profile_match_static(p, oid, 9, "Huawei AR169F");
		sp_profiles_kind(m, 1, oid, 9, "x");
		sp_plan_build(&plan, m, 1);
		sp_plan_free(&plan);
		sp_profile_free(p);
	}
	cfg_errors_clear(&errs);
	return 0;
}
