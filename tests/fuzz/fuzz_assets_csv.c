/*
 * fuzz_assets_csv.c — libFuzzer target for the asset register's CSV path,
 * which reads whatever an admin uploads: encoding detection and conversion
 * (csv_to_utf8), then parsing (assets_csv_parse). Checks that every asset
 * kept has a non-empty, unique tag and fields within ASSET_FIELD_MAX, and
 * that a refusal always says which row.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/reports/reports.h"

#define CHECK(cond)	do { if (!(cond)) { \
			    fprintf(stderr, "%s:%d: %s\n", __FILE__, \
			    __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *enc = NULL;
	char err[512] = "";
	char *text = csv_to_utf8((const char *)data, size, &enc, err, sizeof(err));
	if (text == NULL) {
		CHECK(err[0] != '\0');
		return 0;
	}
	struct asset_list l = { 0 };
	err[0] = '\0';
	int rc = assets_csv_parse(text, &l, 1000, err, sizeof(err));
	if (rc < 0) {
		CHECK(strncmp(err, "row ", 4) == 0 || strcmp(err, "out of memory") == 0);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			CHECK(l.v[i].f[AC_TAG][0] != '\0');
			for (int c = 0; c < AC_N; c++)
				CHECK(strlen(l.v[i].f[c]) <= ASSET_FIELD_MAX);
			for (size_t k = 0; k < i; k++)
				CHECK(strcmp(l.v[i].f[AC_TAG], l.v[k].f[AC_TAG]) != 0);
		}
	}
	asset_list_clear(&l);
	free(text);
	return 0;
}
