/* fuzz_cfg.c — libFuzzer target: arbitrary bytes into the YAML config loader. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/cfg.h"

struct fuzz_cfg {
	char *s;
	long long n, size, dur;
	int b, e;
	struct cfg_strlist l;
	struct cfg_node *node;
};

static const char *const words[] = { "a", "b", NULL };
static const struct cfg_key schema[] = {
	{ "a.s", CFG_STRING, offsetof(struct fuzz_cfg, s), "x", 0, 64, NULL, NULL, "" },
	{ "a.n", CFG_INT, offsetof(struct fuzz_cfg, n), "1", -5, 5, NULL, NULL, "" },
	{ "size", CFG_SIZE, offsetof(struct fuzz_cfg, size), "1k", 0, 1LL << 40, NULL, NULL, "" },
	{ "dur", CFG_DURATION, offsetof(struct fuzz_cfg, dur), "1s", 0, 1LL << 40, NULL, NULL, "" },
	{ "b", CFG_BOOL, offsetof(struct fuzz_cfg, b), "no", 0, 0, NULL, NULL, "" },
	{ "e", CFG_ENUM, offsetof(struct fuzz_cfg, e), "a", 0, 0, words, NULL, "" },
	{ "l", CFG_STRLIST, offsetof(struct fuzz_cfg, l), NULL, 0, 16, NULL, NULL, "" },
	{ "node", CFG_NODE, offsetof(struct fuzz_cfg, node), NULL, 0, 0, NULL, NULL, "" },
	CFG_END
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cfg cfg;
	struct cfg_errors errs = { 0 };
	memset(&cfg, 0, sizeof(cfg));
	cfg_defaults(schema, &cfg, &errs);
	cfg_load_buffer(schema, &cfg, (const char *)data, size, "fuzz", &errs);
	cfg_free(schema, &cfg);
	cfg_errors_clear(&errs);
	return 0;
}
