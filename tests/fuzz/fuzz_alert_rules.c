/* fuzz_alert_rules.c — libFuzzer target: arbitrary bytes as alert rules (YAML),
 * then through the engine: series learned and sampled, a device, a port and a
 * sensor polled, timers, and the bytes as a series key against every rule. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "collector/alert/alert.h"
#include "common/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
changed(void *arg, struct alert *a, const char *event, int notify)
{
	(void)arg, (void)a, (void)event, (void)notify;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct cfg_errors errs = { 0 };
	struct alert_rules rules = { 0 };
	struct cfg_node *n = cfg_node_parse((const char *)data, size, err, sizeof(err));
	if (n != NULL)
		alert_rules_parse(n, "fuzz", &rules, &errs);
	cfg_node_free(n);
	cfg_errors_clear(&errs);
	for (size_t i = 0; i < rules.n; i++)
		(void)alert_rule_matches_key(&rules.v[i], (const char *)data, size);
	struct alert_engine_config cfg = { 3, 60, 0, 5 };
	struct alert_engine_ops ops = { changed, NULL, NULL };
	struct alert_engine *e = alert_engine_new(&cfg, &ops);
	alert_engine_set_rules(e, &rules, 0);
	static const char *const keys[] = { "cpu,cpu=cpu-total,host=h usage_percent",
		"sensor,host=u,name=x,type=runtime value", "m,host=h value", "x y" };
	for (uint32_t k = 0; k < 4; k++) {
		struct alert_series s = { k + 1, keys[k], strlen(keys[k]), "h", "server", 1 };
		alert_engine_learn(e, &s, 0);
	}
	for (size_t i = 0; i < size && i < 64; i++) {
		double v = (double)data[i] - 64;
		alert_engine_sample(e, 1 + data[i] % 4, (double)i, data[i] == 255 ? NAN : v, (double)i);
		alert_engine_device(e, 1, "h", "switch", data[i] & 1 ? "down" : "up", (double)i);
		alert_engine_iface(e, 1, "h", "switch", data[i] & 2 ? "Gi0/1" : "Gi0/2", "uplink",
		    "up", data[i] & 4 ? "down" : "up", (double)i);
		alert_engine_sensor(e, 1, "h", "ups", "batt", "charge",
		    data[i] & 8 ? "on_battery" : "normal", v, (double)i);
		alert_engine_tick(e, (double)i * 3);
	}
	alert_engine_free(e);
	return 0;
}
