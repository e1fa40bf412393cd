/*
 * check.c — `campusmon-collector -t`: threshold rules that match no series
 * recorded so far are warnings, never errors (a rule may wait for an agent
 * not installed yet). Reads the state database read-only, offline.
 */
#include "collector/alert/alert.h"
#include "collector/collector.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
alert_rules_unmatched(const struct alert_rules *rules, const char *data_dir, FILE *out)
{
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	snprintf(path, sizeof(path), "%s/state.db", data_dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT key FROM series", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return 0;	/* no data yet: nothing to compare with */
	}
	char *hit = calloc(rules->n ? rules->n : 1, 1);
	size_t n_keys = 0;
	while (hit && sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		n_keys++;
		for (size_t i = 0; key && i < rules->n; i++)
			if (!hit[i] && alert_rule_matches_key(&rules->v[i], key, len))
				hit[i] = 1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	int warned = 0;
	for (size_t i = 0; hit && n_keys > 0 && i < rules->n; i++) {
		const struct alert_rule *r = &rules->v[i];
		if (r->type != RULE_THRESHOLD || hit[i])
			continue;
		fprintf(out, "campusmon-collector: warning: %s: rule %s matches none of the %zu "
		    "series recorded so far (measurement %s%s%s)\n", r->origin, r->name, n_keys,
		    r->n_measurements ? r->measurements[0] : "any",
		    r->n_fields ? ", field " : "", r->n_fields ? r->fields[0] : "");
		warned++;
	}
	free(hit);
	return warned;
}
