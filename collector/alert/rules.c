/*
 * rules.c — alert rules from YAML: parsing, checks a person can act on
 * (every error names the rule and where it was written), the shipped campus
 * defaults, and matching a series key against a rule.
 */
#include "collector/alert/alert.h"
#include "collector/collector.h"

#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfg.h"
#include "common/util.h"

/* The shipped campus defaults (alerts.defaults). Names are stable: routes
 * and maintenance windows match them. */
const char alert_default_rules[] =
	"- name: device-down\n"
	"  match: {status: [down, unreachable]}\n"
	"  polls: 2\n"
	"  severity: critical\n"
	"  message: \"{device} is {value}\"\n"
	"- name: agent-silent\n"
	"  match: {measurement: cpu, field: usage_percent, tags: {cpu: cpu-total}}\n"
	"  nodata: 3m\n"
	"  severity: critical\n"
	"  message: \"the agent on {device} has sent nothing for {nodata}\"\n"
	"- name: uplink-down\n"
	"  match: {oper_status: [down], uplink: true}\n"
	"  severity: critical\n"
	"  message: \"{device}: uplink {subject} down\"\n"
	"- name: interface-errors\n"
	"  match: {measurement: interface, field: [in_errors_ps, out_errors_ps]}\n"
	"  warn: 1\n  crit: 10\n  recover: 0.1\n  for: 5m\n"
	"  message: \"{device} {subject}: {value} errors/s\"\n"
	"- name: interface-utilisation\n"
	"  match: {measurement: interface, field: utilisation_percent}\n"
	"  warn: 90\n  crit: 98\n  recover: 80\n  for: 5m\n"
	"  message: \"{device} {subject}: {value}% of its speed\"\n"
	"- name: cpu-high\n"
	"  match: {measurement: cpu, field: [usage_percent, load_percent]}\n"
	"  warn: 90\n  crit: 98\n  recover: 80\n  for: 5m\n"
	"- name: memory-full\n"
	"  match: {measurement: [mem, memory], field: used_percent}\n"
	"  warn: 90\n  crit: 97\n  recover: 85\n  for: 5m\n"
	"- name: disk-full\n"
	"  match: {measurement: [disk, storage], field: used_percent,\n"
	"          tags: {name: \"!*[Mm]emory*\"}}\n"
	"  warn: 85\n  crit: 95\n  recover: 80\n  predict: 24h\n"
	"  message: \"{device} {subject}: {value}% used{eta}\"\n"
	"- name: disk-latency\n"
	"  match: {measurement: diskio, field: [read_await_ms, write_await_ms]}\n"
	"  warn: 50\n  crit: 200\n  recover: 20\n  for: 5m\n"
	"- name: ups-on-battery\n"
	"  match: {sensor_state: [on_battery, onBattery, battery]}\n"
	"  severity: critical\n"
	"  message: \"{device}: UPS on battery\"\n"
	"- name: ups-runtime-low\n"
	"  match: {measurement: sensor, field: value, tags: {type: runtime}}\n"
	"  warn: 15\n  crit: 5\n  recover: 20\n"
	"  message: \"{device}: {value} min of battery left\"\n"
	"- name: room-temperature\n"
	"  match: {measurement: sensor, field: value, tags: {type: temperature}, kind: [sensor, ups, pdu]}\n"
	"  warn: 30\n  crit: 35\n  recover: 28\n  for: 2m\n"
	"- name: room-humidity-high\n"
	"  match: {measurement: sensor, field: value, tags: {type: humidity}}\n"
	"  warn: 70\n  crit: 80\n  recover: 65\n  for: 5m\n"
	"- name: room-humidity-low\n"
	"  match: {measurement: sensor, field: value, tags: {type: humidity}}\n"
	"  warn: 20\n  crit: 10\n  recover: 25\n  for: 5m\n"
	"- name: leak\n"
	"  match: {sensor_state: [leak, critical], sensor_type: [leak]}\n"
	"  severity: critical\n"
	"  message: \"{device}: water leak at {subject}\"\n"
	"- name: smoke\n"
	"  match: {sensor_state: [smoke, alarm, critical], sensor_type: [smoke]}\n"
	"  severity: critical\n"
	"- name: door-open\n"
	"  match: {sensor_state: [open, warning, critical], sensor_type: [door]}\n"
	"  severity: warning\n"
	"- name: psu-fan-failed\n"
	"  match: {sensor_state: [critical, failed, failure, fault], sensor_type: [psu, fan]}\n"
	"  severity: critical\n"
	"  message: \"{device}: {subject} failed\"\n"
	"- name: nagios-check\n"
	"  match: {measurement: nagios_state, field: state}\n"
	"  warn: 1\n  crit: 2\n  recover: 0\n"
	"  message: \"{device}: check {subject} is {nagios}\"\n"
	"- name: service-down\n"
	"  match: {measurement: [postgresql, mysql, redis, nginx, apache, tomcat_jvm_memory,\n"
	"          http_response, net_response, dns_query], field: up}\n"
	"  crit: 0\n  recover: 1\n  for: 1m\n"
	"  message: \"{device}: {subject} is not answering\"\n";

static void
rule_clear(struct alert_rule *r)
{
	free(r->name);
	for (size_t i = 0; i < r->n_measurements; i++)
		free(r->measurements[i]);
	free(r->measurements);
	for (size_t i = 0; i < r->n_fields; i++)
		free(r->fields[i]);
	free(r->fields);
	free(r->kind);
	free(r->device);
	for (size_t i = 0; i < r->n_tags; i++) {
		free(r->tags[i].key);
		free(r->tags[i].value);
	}
	free(r->tags);
	for (size_t i = 0; i < r->n_states; i++)
		free(r->states[i]);
	free(r->states);
	for (size_t i = 0; i < r->n_sensor_types; i++)
		free(r->sensor_types[i]);
	free(r->sensor_types);
	free(r->message);
	free(r->origin);
	memset(r, 0, sizeof(*r));
}

void
alert_rules_free(struct alert_rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_clear(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* A scalar or a sequence of scalars, as a list of copies. */
static int
read_list(const struct cfg_node *n, char ***out, size_t *n_out)
{
	size_t cnt = n->kind == CFG_N_SCALAR ? 1 : n->kind == CFG_N_SEQ ? n->n_items : 0;
	if (cnt == 0)
		return -1;
	char **v = calloc(cnt, sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		const struct cfg_node *it = n->kind == CFG_N_SCALAR ? n : n->items[i];
		if (it->kind != CFG_N_SCALAR || (v[i] = strdup(it->value)) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return -1;
		}
	}
	*out = v;
	*n_out = cnt;
	return 0;
}

static int
read_number(const struct cfg_node *n, double *out)
{
	char *end;
	if (n->kind != CFG_N_SCALAR)
		return -1;
	double v = strtod(n->value, &end);
	if (end == n->value || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int
read_duration(const struct cfg_node *n, double *out)
{
	long long v;
	if (n->kind != CFG_N_SCALAR || cfg_parse_duration(n->value, &v) < 0 || v < 0 ||
	    v > 366LL * 86400)
		return -1;
	*out = (double)v;
	return 0;
}

static int
parse_match(struct alert_rule *r, const struct cfg_node *m, const char *where,
    struct cfg_errors *errs)
{
	int bad = 0;
	if (m->kind != CFG_N_MAP) {
		cfg_errors_add(errs, "%s: rule %s: match must be a mapping", where, r->name);
		return -1;
	}
	for (size_t i = 0; i < m->n_items; i++) {
		const struct cfg_node *it = m->items[i];
		const char *k = it->key;
		int rc = 0;
		if (strcmp(k, "measurement") == 0)
			rc = read_list(it, &r->measurements, &r->n_measurements);
		else if (strcmp(k, "field") == 0)
			rc = read_list(it, &r->fields, &r->n_fields);
		else if (strcmp(k, "kind") == 0 || strcmp(k, "device") == 0) {
			/* one name or a list: kept as "a,b" and matched word by word */
			char **v;
			size_t n;
			if ((rc = read_list(it, &v, &n)) == 0) {
				size_t len = 1;
				for (size_t j = 0; j < n; j++)
					len += strlen(v[j]) + 1;
				char *joined = calloc(1, len);
				for (size_t j = 0; joined && j < n; j++) {
					if (j)
						strcat(joined, "\n");
					strcat(joined, v[j]);
				}
				for (size_t j = 0; j < n; j++)
					free(v[j]);
				free(v);
				*(k[0] == 'k' ? &r->kind : &r->device) = joined;
				rc = joined ? 0 : -1;
			}
		} else if (strcmp(k, "tags") == 0) {
			if (it->kind != CFG_N_MAP) {
				rc = -1;
			} else {
				r->tags = calloc(it->n_items + 1, sizeof(*r->tags));
				for (size_t j = 0; r->tags && j < it->n_items; j++) {
					if (it->items[j]->kind != CFG_N_SCALAR) {
						rc = -1;
						break;
					}
					r->tags[j].key = strdup(it->items[j]->key);
					r->tags[j].value = strdup(it->items[j]->value);
					r->n_tags++;
				}
			}
		} else if (strcmp(k, "status") == 0 || strcmp(k, "oper_status") == 0 ||
		    strcmp(k, "sensor_state") == 0) {
			if (r->n_states) {
				cfg_errors_add(errs, "%s: rule %s: status, oper_status and "
				    "sensor_state do not go together", where, r->name);
				bad = 1;
				continue;
			}
			r->type = k[0] == 'o' ? RULE_OPER : k[1] == 't' ? RULE_STATUS : RULE_SENSOR;
			rc = read_list(it, &r->states, &r->n_states);
		} else if (strcmp(k, "sensor_type") == 0) {
			rc = read_list(it, &r->sensor_types, &r->n_sensor_types);
		} else if (strcmp(k, "uplink") == 0) {
			rc = it->kind == CFG_N_SCALAR ? cfg_parse_bool(it->value, &r->uplink) : -1;
		} else {
			cfg_errors_add(errs, "%s: rule %s: unknown match key \"%s\" (measurement, "
			    "field, tags, kind, device, status, oper_status, sensor_state, "
			    "sensor_type, uplink)", where, r->name, k);
			bad = 1;
			continue;
		}
		if (rc < 0) {
			cfg_errors_add(errs, "%s: rule %s: match.%s has the wrong form", where,
			    r->name, k);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* Direction and order: a rising rule fires at >= warn/crit and recovers at
 * <= recover, so recover <= warn <= crit; a falling rule mirrors it. */
static int
check_order(struct alert_rule *r, const char *dir, const char *where, struct cfg_errors *errs)
{
	if (!r->has_warn && !r->has_crit)
		return 0;
	double lo = r->has_warn ? r->warn : r->crit, hi = r->has_crit ? r->crit : r->warn;
	if (dir != NULL)
		r->falling = strcmp(dir, "below") == 0;
	else if (r->has_warn && r->has_crit && r->warn != r->crit)
		r->falling = r->crit < r->warn;
	else if (r->has_recover)
		r->falling = r->recover > lo;
	if (!r->falling && r->has_warn && r->has_crit && r->crit < r->warn) {
		cfg_errors_add(errs, "%s: rule %s: crit (%g) is below warn (%g) but the rule "
		    "fires above them (recover %g); put crit above warn, or set "
		    "direction: below", where, r->name, r->crit, r->warn, r->recover);
		return -1;
	}
	if (r->falling && r->has_warn && r->has_crit && r->crit > r->warn) {
		cfg_errors_add(errs, "%s: rule %s: crit (%g) is above warn (%g) but the rule "
		    "fires below them; put crit below warn, or set direction: above", where,
		    r->name, r->crit, r->warn);
		return -1;
	}
	double first = r->falling ? (lo > hi ? lo : hi) : (lo < hi ? lo : hi);
	if (!r->has_recover) {
		r->recover = first;	/* no hysteresis: recover where it fires */
		return 0;
	}
	if ((!r->falling && r->recover > first) || (r->falling && r->recover < first)) {
		cfg_errors_add(errs, "%s: rule %s: recover (%g) is %s %s (%g): a %s rule "
		    "recovers %s the level where it fires", where, r->name, r->recover,
		    r->falling ? "below" : "above", r->has_warn ? "warn" : "crit", first,
		    r->falling ? "falling" : "rising", r->falling ? "above" : "below");
		return -1;
	}
	return 0;
}

static int
parse_rule(struct alert_rule *r, const struct cfg_node *n, const char *origin,
    struct cfg_errors *errs)
{
	char where[512];
	snprintf(where, sizeof(where), "%s:%d", origin, n->line);
	if (n->kind != CFG_N_MAP) {
		cfg_errors_add(errs, "%s: a rule must be a mapping ({name: …, match: …})", where);
		return -1;
	}
	const struct cfg_node *name = cfg_node_get(n, "name");
	if (name == NULL || name->kind != CFG_N_SCALAR || name->value[0] == '\0' ||
	    strlen(name->value) > 128) {
		cfg_errors_add(errs, "%s: a rule needs a name (at most 128 bytes)", where);
		return -1;
	}
	r->name = strdup(name->value);
	r->origin = strdup(where);
	r->severity = -1;
	r->polls = 1;
	const char *dir = NULL;
	int bad = 0;
	for (size_t i = 0; i < n->n_items; i++) {
		const struct cfg_node *it = n->items[i];
		const char *k = it->key;
		int rc = 0;
		if (strcmp(k, "name") == 0)
			continue;
		else if (strcmp(k, "match") == 0)
			bad |= parse_match(r, it, where, errs) < 0;
		else if (strcmp(k, "warn") == 0)
			rc = read_number(it, &r->warn), r->has_warn = rc == 0;
		else if (strcmp(k, "crit") == 0)
			rc = read_number(it, &r->crit), r->has_crit = rc == 0;
		else if (strcmp(k, "recover") == 0)
			rc = read_number(it, &r->recover), r->has_recover = rc == 0;
		else if (strcmp(k, "for") == 0)
			rc = read_duration(it, &r->for_s);
		else if (strcmp(k, "nodata") == 0)
			rc = read_duration(it, &r->nodata_s);
		else if (strcmp(k, "predict") == 0)
			rc = read_duration(it, &r->predict_s);
		else if (strcmp(k, "anomaly") == 0) {
			rc = read_duration(it, &r->anomaly_s);
			if (rc == 0 && (r->anomaly_s < 60 || r->anomaly_s > 31 * 86400))
				rc = -1;
		} else if (strcmp(k, "polls") == 0) {
			double p = 0;
			rc = read_number(it, &p);
			if (rc == 0 && (p < 1 || p > 100 || p != floor(p)))
				rc = -1;
			r->polls = (int)p;
		} else if (strcmp(k, "severity") == 0) {
			r->severity = it->kind == CFG_N_SCALAR ? alert_severity_parse(it->value) : -1;
			rc = r->severity < 0 ? -1 : 0;
		} else if (strcmp(k, "direction") == 0) {
			rc = it->kind == CFG_N_SCALAR && (strcmp(it->value, "above") == 0 ||
			    strcmp(it->value, "below") == 0) ? 0 : -1;
			dir = rc == 0 ? it->value : NULL;
		} else if (strcmp(k, "message") == 0) {
			rc = it->kind == CFG_N_SCALAR && strlen(it->value) <= 1024 ? 0 : -1;
			if (rc == 0)
				r->message = strdup(it->value);
		} else {
			cfg_errors_add(errs, "%s: rule %s: unknown key \"%s\" (name, match, warn, "
			    "crit, recover, direction, for, nodata, predict, anomaly, polls, "
			    "severity, message)", where, r->name, k);
			bad = 1;
			continue;
		}
		if (rc < 0) {
			cfg_errors_add(errs, "%s: rule %s: bad value for %s%s", where, r->name, k,
			    strcmp(k, "severity") == 0 ? " (critical, warning or info)" :
			    strcmp(k, "for") == 0 || strcmp(k, "nodata") == 0 ||
			    strcmp(k, "predict") == 0 ? " (a duration such as 90s, 5m, 1h)" :
			    strcmp(k, "anomaly") == 0 ? " (the season: a duration from 1m to 31d, "
			    "such as 1d or 1w)" :
			    strcmp(k, "polls") == 0 ? " (1 to 100)" :
			    strcmp(k, "direction") == 0 ? " (above or below)" : " (a number)");
			bad = 1;
		}
	}
	if (bad)
		return -1;
	if (r->type == RULE_THRESHOLD) {
		if (!r->has_warn && !r->has_crit && r->nodata_s == 0 && r->anomaly_s == 0) {
			cfg_errors_add(errs, "%s: rule %s: give warn, crit, nodata or anomaly (or a "
			    "status, oper_status or sensor_state match)", where, r->name);
			return -1;
		}
		if (check_order(r, dir, where, errs) < 0)
			return -1;
		if (r->severity < 0)
			r->severity = r->has_crit ? SEV_CRITICAL : SEV_WARNING;
	} else {
		if (r->has_warn || r->has_crit || r->has_recover || r->nodata_s > 0 ||
		    r->anomaly_s > 0) {
			cfg_errors_add(errs, "%s: rule %s: a status or state rule takes no warn, "
			    "crit, recover, nodata or anomaly", where, r->name);
			return -1;
		}
		if (r->severity < 0)
			r->severity = SEV_CRITICAL;
	}
	if ((r->n_sensor_types || r->type == RULE_SENSOR) && r->type != RULE_SENSOR) {
		cfg_errors_add(errs, "%s: rule %s: sensor_type needs sensor_state", where, r->name);
		return -1;
	}
	return 0;
}

int
alert_rules_parse(const struct cfg_node *list, const char *origin, struct alert_rules *out,
    struct cfg_errors *errs)
{
	if (list == NULL)
		return 0;
	if (list->kind != CFG_N_SEQ) {
		cfg_errors_add(errs, "%s:%d: alert rules must be a list", origin, list->line);
		return -1;
	}
	struct alert_rule *v = realloc(out->v, (out->n + list->n_items) * sizeof(*v));
	if (v == NULL && list->n_items > 0)
		return -1;
	out->v = v;
	int rc = 0;
	for (size_t i = 0; i < list->n_items; i++) {
		struct alert_rule *r = &out->v[out->n];
		memset(r, 0, sizeof(*r));
		if (parse_rule(r, list->items[i], origin, errs) < 0) {
			rule_clear(r);
			rc = -1;
			continue;
		}
		int dup = 0;
		for (size_t k = 0; k < out->n && !dup; k++)
			if (strcmp(out->v[k].name, r->name) == 0) {
				cfg_errors_add(errs, "%s: rule %s: the name is taken by the rule at %s "
				    "(give it another name; to change a shipped rule, set "
				    "alerts.defaults: false and copy it)", r->origin, r->name,
				    out->v[k].origin);
				dup = 1;
			}
		if (dup) {
			rule_clear(r);
			rc = -1;
			continue;
		}
		out->n++;
	}
	return rc;
}

static int
load_text(const char *text, size_t len, const char *origin, struct alert_rules *out,
    struct cfg_errors *errs)
{
	char err[256];
	struct cfg_node *n = cfg_node_parse(text, len, err, sizeof(err));
	if (n == NULL) {
		cfg_errors_add(errs, "%s: %s", origin, err);
		return -1;
	}
	/* an included file holds a list of rules, or {rules: [...]} */
	const struct cfg_node *list = n->kind == CFG_N_MAP ? cfg_node_get(n, "rules") : n;
	int rc = alert_rules_parse(list, origin, out, errs);
	cfg_node_free(n);
	return rc;
}

int
alert_rules_load(const struct collector_config *cfg, struct alert_rules *out,
    struct cfg_errors *errs)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (cfg->alerts_defaults)
		rc |= load_text(alert_default_rules, strlen(alert_default_rules), "defaults", out,
		    errs);
	rc |= alert_rules_parse(cfg->alert_rules, "alerts.rules", out, errs);
	for (size_t i = 0; i < cfg->alert_include.n; i++) {
		const char *path = cfg->alert_include.v[i];
		size_t len;
		char *text = util_read_file(path, 1 << 22, &len);
		if (text == NULL) {
			cfg_errors_add(errs, "alerts.include: cannot read %s", path);
			rc = -1;
			continue;
		}
		rc |= load_text(text, len, path, out, errs);
		free(text);
	}
	return rc ? -1 : 0;
}

int
alert_rules_add_json(const json_t *list, struct alert_rules *out, struct cfg_errors *errs)
{
	/* JSON is YAML: the same parser, the same checks, origin "api" */
	char *text = json_dumps(list, JSON_COMPACT);
	if (text == NULL)
		return -1;
	int rc = load_text(text, strlen(text), "api", out, errs);
	free(text);
	return rc;
}

/* ---- matching ------------------------------------------------------------- */

/* Length of the span up to the first unescaped char of stop. */
static size_t
span_to(const char *s, size_t len, const char *stop)
{
	size_t i = 0;
	while (i < len && strchr(stop, s[i]) == NULL)
		i += s[i] == '\\' && i + 1 < len ? 2 : 1;
	return i;
}

static int
glob_eq(const char *pattern, const char *s, size_t len)
{
	char buf[512];
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return fnmatch(pattern, buf, 0) == 0;
}

int
alert_rule_matches_key(const struct alert_rule *r, const char *key, size_t keylen)
{
	if (r->type != RULE_THRESHOLD)
		return 0;
	size_t mlen = span_to(key, keylen, ", ");
	size_t sp = mlen + span_to(key + mlen, keylen - mlen, " ");
	if (sp >= keylen)
		return 0;
	const char *field = key + sp + 1;
	size_t flen = keylen - sp - 1;
	int ok = r->n_measurements == 0;
	for (size_t i = 0; !ok && i < r->n_measurements; i++)
		ok = strlen(r->measurements[i]) == mlen && memcmp(r->measurements[i], key, mlen) == 0;
	if (!ok)
		return 0;
	ok = r->n_fields == 0;
	for (size_t i = 0; !ok && i < r->n_fields; i++)
		ok = glob_eq(r->fields[i], field, flen);
	if (!ok)
		return 0;
	for (size_t t = 0; t < r->n_tags; t++) {
		/* tags sit between the measurement and the space, ",k=v" each; a
		 * value "!GLOB" matches series whose tag is absent or differs */
		const char *p = key + mlen, *want = r->tags[t].value;
		int negated = want[0] == '!';
		size_t left = sp - mlen, klen = strlen(r->tags[t].key);
		int found = 0;
		while (left > 0 && *p == ',') {
			p++, left--;
			size_t pair = span_to(p, left, ",");
			size_t eq = span_to(p, pair, "=");
			if (eq == klen && memcmp(p, r->tags[t].key, klen) == 0 && eq < pair &&
			    glob_eq(want + negated, p + eq + 1, pair - eq - 1)) {
				found = 1;
				break;
			}
			p += pair, left -= pair;
		}
		if (found == negated)
			return 0;
	}
	return 1;
}

static json_t *
list_json(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *
alert_rule_json(const struct alert_rule *r)
{
	json_t *m = json_object();
	if (r->n_measurements)
		json_object_set_new(m, "measurement", list_json(r->measurements, r->n_measurements));
	if (r->n_fields)
		json_object_set_new(m, "field", list_json(r->fields, r->n_fields));
	if (r->n_tags) {
		json_t *t = json_object();
		for (size_t i = 0; i < r->n_tags; i++)
			json_object_set_new(t, r->tags[i].key, json_string(r->tags[i].value));
		json_object_set_new(m, "tags", t);
	}
	if (r->kind)
		json_object_set_new(m, "kind", json_string(r->kind));
	if (r->device)
		json_object_set_new(m, "device", json_string(r->device));
	static const char *const words[] = { NULL, "status", "oper_status", "sensor_state" };
	if (r->type != RULE_THRESHOLD)
		json_object_set_new(m, words[r->type], list_json(r->states, r->n_states));
	if (r->n_sensor_types)
		json_object_set_new(m, "sensor_type", list_json(r->sensor_types, r->n_sensor_types));
	if (r->uplink)
		json_object_set_new(m, "uplink", json_true());
	json_t *j = json_pack("{s:s, s:o, s:s, s:s}", "name", r->name, "match", m,
	    "severity", alert_severity_name(r->severity), "origin", r->origin);
	if (r->has_warn)
		json_object_set_new(j, "warn", json_real(r->warn));
	if (r->has_crit)
		json_object_set_new(j, "crit", json_real(r->crit));
	if (r->type == RULE_THRESHOLD && (r->has_warn || r->has_crit)) {
		json_object_set_new(j, "recover", json_real(r->recover));
		json_object_set_new(j, "direction", json_string(r->falling ? "below" : "above"));
	}
	if (r->for_s > 0)
		json_object_set_new(j, "for", json_real(r->for_s));
	if (r->nodata_s > 0)
		json_object_set_new(j, "nodata", json_real(r->nodata_s));
	if (r->predict_s > 0)
		json_object_set_new(j, "predict", json_real(r->predict_s));
	if (r->anomaly_s > 0)
		json_object_set_new(j, "anomaly", json_real(r->anomaly_s));
	if (r->type == RULE_STATUS)
		json_object_set_new(j, "polls", json_integer(r->polls));
	if (r->message)
		json_object_set_new(j, "message", json_string(r->message));
	return j;
}
