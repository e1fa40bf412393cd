/*
 * test_cli_topology.c — campusmon topology's tree (cli_topology_print) from
 * GET /api/v1/topology answers: order, ports as seen from each end,
 * unmanaged markers, depth limits, and bad data (loops, missing or own
 * parents, duplicate ids, terminal escapes in names) that must still print
 * every node once and end.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The printed tree of a topology given as JSON text; a heap string. */
static char *
tree_of(const char *json, const char *from, int depth, int *rc)
{
	json_error_t err;
	json_t *j = json_loads(json, 0, &err);
	cr_assert_not_null(j, "%s", err.text);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	*rc = cli_topology_print(out, j, from, depth);
	fclose(out);
	json_decref(j);
	return buf;
}

#define CAMPUS \
	"{\"root\": \"d1\", \"nodes\": [" \
	"{\"id\": \"d1\", \"name\": \"core\", \"kind\": \"router\", \"status\": \"up\", \"address\": \"10.0.0.1\"," \
	" \"managed\": true, \"parent\": null, \"building\": \"NOC\"}," \
	"{\"id\": \"d3\", \"name\": \"dist-b\", \"kind\": \"switch\", \"status\": \"down\", \"managed\": true," \
	" \"parent\": \"d1\", \"building\": \"NOC\"}," \
	"{\"id\": \"d2\", \"name\": \"dist-a\", \"kind\": \"switch\", \"status\": \"up\", \"managed\": true," \
	" \"parent\": \"d1\", \"building\": \"Library\", \"room\": \"B1\"}," \
	"{\"id\": \"u:00:11:22:33:44:55\", \"name\": \"phone-7\", \"kind\": \"other\", \"status\": \"unknown\"," \
	" \"managed\": false, \"parent\": \"d2\", \"building\": \"Library\", \"room\": \"B1\"}]," \
	"\"links\": [" \
	"{\"a\": \"d2\", \"a_port\": \"Gi0/49\", \"b\": \"d1\", \"b_port\": \"Te1/0/1\", \"speed_bps\": 10000000000," \
	" \"status\": \"up\", \"utilisation\": 0.25, \"source\": \"lldp\"}," \
	"{\"a\": \"d1\", \"a_port\": \"Te1/0/2\", \"b\": \"d3\", \"b_port\": \"Gi0/49\", \"speed_bps\": 1000000000," \
	" \"status\": \"down\", \"utilisation\": null, \"source\": \"cdp\"}," \
	"{\"a\": \"d2\", \"a_port\": \"Gi0/7\", \"b\": \"u:00:11:22:33:44:55\", \"speed_bps\": 100000000," \
	" \"status\": \"up\", \"source\": \"fdb\"}]}"

Test(cli_topology, tree_with_ports_from_each_end_and_markers)
{
	int rc;
	char *s = tree_of(CAMPUS, NULL, -1, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(s,
	    "core [up] router 10.0.0.1 (NOC)\n"
	    "\u251c\u2500\u2500 dist-a [up] switch  Te1/0/1 \u2192 Gi0/49, 10 Gbit/s, 25% (Library / B1)\n"
	    "\u2502   \u2514\u2500\u2500 phone-7 (unmanaged) [unknown] other  Gi0/7 \u2192 -, 100 Mbit/s, fdb\n"
	    "\u2514\u2500\u2500 dist-b [down] switch  Te1/0/2 \u2192 Gi0/49, link down, 1 Gbit/s, cdp\n");
	free(s);
}

Test(cli_topology, depth_and_from)
{
	int rc;
	char *s = tree_of(CAMPUS, NULL, 0, &rc);
	cr_assert_str_eq(s, "core [up] router 10.0.0.1 (NOC)\n\u2514\u2500\u2500 \u2026 3 more below\n");
	free(s);
	s = tree_of(CAMPUS, "dist-a", -1, &rc);
	cr_assert_eq(rc, 0);
	cr_assert(strncmp(s, "dist-a [up] switch  Te1/0/1", 27) == 0, "%s", s);
	cr_assert_not_null(strstr(s, "phone-7"));
	cr_assert_null(strstr(s, "core"));
	free(s);
	s = tree_of(CAMPUS, "u:00:11:22:33:44:55", -1, &rc);
	cr_assert(strncmp(s, "phone-7 (unmanaged)", 19) == 0, "%s", s);
	free(s);
	s = tree_of(CAMPUS, "nobody", -1, &rc);
	cr_assert_eq(rc, 1);
	free(s);
}

/* Every node once, whatever the parents say; the output ends. */
Test(cli_topology, bad_parents_and_hostile_names)
{
	int rc;
	char *s = tree_of("{\"root\": 99, \"nodes\": ["
	    "{\"id\": \"a\", \"name\": \"a\", \"parent\": \"b\"}, {\"id\": \"b\", \"name\": \"b\", \"parent\": \"c\"},"
	    "{\"id\": \"c\", \"name\": \"c\", \"parent\": \"a\"}, {\"id\": \"k\", \"name\": \"k\", \"parent\": \"b\"},"
	    "{\"id\": \"s\", \"name\": \"s\", \"parent\": \"s\"}, {\"id\": \"x\", \"name\": \"x\", \"parent\": \"gone\"},"
	    "{\"id\": 7, \"name\": \"seven\", \"parent\": [1]}, {\"id\": \"d\", \"parent\": 7},"
	    "{\"id\": \"a\", \"name\": \"dup\"}, {\"name\": \"no id\"}, 3, null,"
	    "{\"id\": \"e\", \"name\": \"esc\\u001b[31m<b>\\u56fe</b>\", \"parent\": \"x\", \"status\": 5, \"building\": 1}],"
	    "\"links\": [{\"a\": \"a\"}, 4, {\"a\": \"x\", \"b\": \"e\", \"a_port\": \"p\\u0007\", \"speed_bps\": \"fast\"}]}",
	    NULL, -1, &rc);
	cr_assert_eq(rc, 0);
	for (const char *const *n = (const char *const[]){ "a ", "b ", "c ", "k ", "s ", "x ", "seven ", "d ",
	    "esc?[31m<b>\xe5\x9b\xbe</b> [unknown]  p? \u2192 -", NULL }; *n; n++) {
		char *at = strstr(s, *n);
		cr_assert_not_null(at, "%s missing in:\n%s", *n, s);
	}
	cr_assert_null(strstr(s, "dup"));
	cr_assert_null(strchr(s, '\x1b'));
	cr_assert_null(strchr(s, '\x07'));
	int lines = 0;
	for (const char *p = s; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, 11, "nine nodes, a blank line and a heading:\n%s", s);
	cr_assert_not_null(strstr(s, "\nLinked to nothing above:\ns [unknown]\n"), "%s", s);
	free(s);
}

/* Depth -1 nodes hang under a node they are linked with, marked (no path). */
Test(cli_topology, no_path_nodes_placed_by_links)
{
	int rc;
	char *s = tree_of("{\"root\": {\"id\": \"r\", \"name\": \"r\", \"guessed\": true}, \"nodes\": ["
	    "{\"id\": \"r\", \"name\": \"r\", \"parent\": null, \"depth\": 0},"
	    "{\"id\": \"a\", \"name\": \"a\", \"parent\": \"r\", \"depth\": 1},"
	    "{\"id\": \"n1\", \"name\": \"n1\", \"parent\": null, \"depth\": -1},"
	    "{\"id\": \"d2\", \"name\": \"d2\", \"parent\": null, \"depth\": -1, \"managed\": true},"
	    "{\"id\": \"n3\", \"name\": \"n3\", \"parent\": null, \"depth\": -1},"
	    "{\"id\": \"z\", \"name\": \"z\", \"parent\": null, \"depth\": -1}],"
	    "\"links\": [{\"a\": \"n1\", \"b\": \"d2\"}, {\"a\": \"a\", \"b\": \"n3\", \"a_port\": \"e1\"}]}",
	    NULL, -1, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(s,
	    "r [unknown]\n"
	    "\u2514\u2500\u2500 a [unknown]\n"
	    "    \u2514\u2500\u2500 n3 (no path) [unknown]  e1 \u2192 -\n"
	    "\n"
	    "No path from the root (placed by their links):\n"
	    "d2 [unknown]\n"
	    "\u2514\u2500\u2500 n1 (no path) [unknown]  - \u2192 -\n"
	    "\n"
	    "Linked to nothing above:\n"
	    "z [unknown]\n");
	free(s);
}
