/*
 * test_topology.c — topology/: the LLDP, CDP, FDB and ARP decoders on rows
 * shaped as the SNMP engine hands them on (good and hostile), and the graph
 * (links merged from both ends, paths, loops, the guessed root).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "collector/snmp/snmp.h"
#include "collector/topology/topology.h"

/* ---- building tables --------------------------------------------------------- */

#define ROWS 32
#define COLS 8

struct tb {
	struct sp_table t;
	struct sp_table_row rows[ROWS];
	uint32_t ix[ROWS][24];
	struct sp_value cells[ROWS][COLS];
};

static void
tb_init(struct tb *b, const char *const *cols, size_t n)
{
	memset(b, 0, sizeof(*b));
	b->t.cols = cols;
	b->t.n_cols = n;
	b->t.rows = b->rows;
}

/* A row with index arcs (terminated by -1); cells are set afterwards. */
static size_t
tb_row(struct tb *b, const long *arcs)
{
	size_t r = b->t.n_rows++, n = 0;
	for (; arcs[n] >= 0; n++)
		b->ix[r][n] = (uint32_t)arcs[n];
	b->rows[r].index = b->ix[r];
	b->rows[r].index_len = n;
	b->rows[r].cells = b->cells[r];
	return r;
}

static void
tb_int(struct tb *b, size_t r, size_t c, long v)
{
	b->cells[r][c] = (struct sp_value){ .type = SP_V_INT, .i = v };
}

static void
tb_str(struct tb *b, size_t r, size_t c, const void *s, size_t len)
{
	b->cells[r][c] = (struct sp_value){ .type = SP_V_STRING, .s = s, .len = len };
}

static const char *const lldp_cols[] = { "chassis_id_subtype", "chassis_id",
	"port_id_subtype", "port_id", "port_desc", "sys_name", "sys_desc", "caps_enabled" };

/* ---- LLDP ---------------------------------------------------------------------- */

Test(lldp, every_subtype_as_text_and_management_address)
{
	struct tb rem, man;
	static const char *const man_cols[] = { "if_subtype" };
	tb_init(&rem, lldp_cols, 8);
	tb_init(&man, man_cols, 1);

	size_t r = tb_row(&rem, (long[]){ 0, 7, 1, -1 });	/* MAC chassis, ifName port */
	tb_int(&rem, r, 0, 4);
	tb_str(&rem, r, 1, "\x14\xa0\xf8\xcf\xaf\x39", 6);
	tb_int(&rem, r, 2, 5);
	tb_str(&rem, r, 3, "GigabitEthernet0/0/7", 20);
	tb_str(&rem, r, 5, "LNS-Huawei", 10);
	tb_str(&rem, r, 7, "\x28", 1);			/* bridge + router */
	r = tb_row(&rem, (long[]){ 0, 8, 2, -1 });	/* IPv4 chassis, MAC port */
	tb_int(&rem, r, 0, 5);
	tb_str(&rem, r, 1, "\x01\x0a\x00\x00\x01", 5);
	tb_int(&rem, r, 2, 3);
	tb_str(&rem, r, 3, "\x00\x11\x22\x33\x44\x55", 6);
	r = tb_row(&rem, (long[]){ 0, 9, 3, -1 });	/* local chassis, circuit id port */
	tb_int(&rem, r, 0, 7);
	tb_str(&rem, r, 1, "phone-42", 8);
	tb_int(&rem, r, 2, 6);
	tb_str(&rem, r, 3, "\x01\xff", 2);
	size_t m = tb_row(&man, (long[]){ 0, 7, 1, 1, 4, 10, 231, 0, 3, -1 });
	tb_int(&man, m, 0, 2);

	struct topo_nbrs out = { 0 };
	cr_assert_eq(topo_decode_lldp(&rem.t, &man.t, &out), 3);
	cr_expect_str_eq(out.v[0].chassis, "14:a0:f8:cf:af:39");
	cr_expect_str_eq(out.v[0].port, "GigabitEthernet0/0/7");
	cr_expect_str_eq(out.v[0].name, "LNS-Huawei");
	cr_expect_str_eq(out.v[0].address, "10.231.0.3");
	cr_expect_eq(out.v[0].local_port, 7);
	cr_expect_eq(out.v[0].caps, TOPO_CAP_BRIDGE | TOPO_CAP_ROUTER);
	cr_expect_str_eq(out.v[1].chassis, "10.0.0.1");
	cr_expect_str_eq(out.v[1].port, "00:11:22:33:44:55");
	cr_expect_null(out.v[1].address);
	cr_expect_str_eq(out.v[2].chassis, "phone-42");
	cr_expect_str_eq(out.v[2].port, "01:ff");
	topo_nbrs_free(&out);
}

Test(lldp, garbage_rows_are_skipped_and_counted)
{
	struct tb rem;
	tb_init(&rem, lldp_cols, 8);
	size_t r = tb_row(&rem, (long[]){ 0, 1, -1 });	/* short index */
	tb_str(&rem, r, 5, "x", 1);
	r = tb_row(&rem, (long[]){ 0, 0, 1, -1 });	/* port 0 */
	tb_str(&rem, r, 5, "x", 1);
	r = tb_row(&rem, (long[]){ 0, 2, 1, -1 });	/* no chassis, no name */
	tb_int(&rem, r, 1, 5);				/* chassis id of the wrong type */
	r = tb_row(&rem, (long[]){ 0, 3, 1, -1 });	/* MAC subtype, 3 bytes; binary name */
	tb_int(&rem, r, 0, 4);
	tb_str(&rem, r, 1, "\x01\x02\x03", 3);
	tb_str(&rem, r, 5, "\x01\x02<b>", 5);
	struct topo_nbrs out = { 0 };
	cr_assert_eq(topo_decode_lldp(&rem.t, NULL, &out), 1);
	cr_expect_eq(out.dropped, 3);
	cr_expect_str_eq(out.v[0].chassis, "01:02:03");	/* shown as hex, not as a MAC */
	cr_expect_null(strchr(out.v[0].name, '\x01'));
	topo_nbrs_free(&out);
}

/* ---- CDP ----------------------------------------------------------------------- */

Test(cdp, cache_rows)
{
	static const char *const cols[] = { "address_type", "address", "version", "device_id",
		"device_port", "platform", "capabilities" };
	struct tb t;
	tb_init(&t, cols, 7);
	size_t r = tb_row(&t, (long[]){ 10103, 1, -1 });
	tb_int(&t, r, 0, 1);
	tb_str(&t, r, 1, "\xac\x1b\x31\x54", 4);
	tb_str(&t, r, 3, "SEP001122334455", 15);
	tb_str(&t, r, 4, "Port 1", 6);
	tb_str(&t, r, 5, "Cisco IP Phone 7945", 19);
	tb_str(&t, r, 6, "\x00\x00\x04\x90", 4);	/* host + phone */
	r = tb_row(&t, (long[]){ 10104, 2, -1 });	/* no device id: skipped */
	tb_int(&t, r, 0, 1);
	struct topo_nbrs out = { 0 };
	cr_assert_eq(topo_decode_cdp(&t.t, &out), 1);
	cr_expect_eq(out.dropped, 1);
	cr_expect_eq(out.v[0].local_port, 10103);
	cr_expect_str_eq(out.v[0].address, "172.27.49.84");
	cr_expect_str_eq(out.v[0].port, "Port 1");
	cr_expect(out.v[0].caps & TOPO_CAP_PHONE);
	topo_nbrs_free(&out);
}

/* ---- FDB and ARP ---------------------------------------------------------------- */

Test(fdb, bridge_ports_map_to_ifindex_self_skipped)
{
	static const char *const cols[] = { "port", "status" };
	static const char *const pcols[] = { "if_index" };
	struct tb t, p;
	tb_init(&t, cols, 2);
	tb_init(&p, pcols, 1);
	size_t r = tb_row(&t, (long[]){ 0, 17, 34, 51, 68, 85, -1 });
	tb_int(&t, r, 0, 3);
	tb_int(&t, r, 1, 3);
	r = tb_row(&t, (long[]){ 0, 17, 34, 51, 68, 86, -1 });
	tb_int(&t, r, 0, 3);
	tb_int(&t, r, 1, 4);				/* self */
	r = tb_row(&t, (long[]){ 1, 0, 1, 2, 3, 4, 300, -1 });	/* Q-BRIDGE, arc > 255 */
	tb_int(&t, r, 0, 3);
	r = tb_row(&t, (long[]){ 10, 0, 1, 2, 3, 4, 5, -1 });	/* Q-BRIDGE fid 10 */
	tb_int(&t, r, 0, 4);
	r = tb_row(&p, (long[]){ 3, -1 });
	tb_int(&p, r, 0, 10003);
	struct topo_nbrs out = { 0 };
	cr_assert_eq(topo_decode_fdb(&t.t, &p.t, &out), 2);
	cr_expect_eq(out.dropped, 1);
	cr_expect_str_eq(out.v[0].mac, "00:11:22:33:44:55");
	cr_expect_eq(out.v[0].local_port, 10003);
	cr_expect_str_eq(out.v[1].mac, "00:01:02:03:04:05");
	cr_expect_eq(out.v[1].local_port, 4);		/* not in the port map: as is */
	topo_nbrs_free(&out);
}

Test(fdb, a_flood_is_capped)
{
	static const char *const cols[] = { "port", "status" };
	size_t n = TOPO_MAX_NBRS + 500;
	struct sp_table_row *rows = calloc(n, sizeof(*rows));
	uint32_t (*ix)[6] = calloc(n, sizeof(*ix));
	struct sp_value *cells = calloc(n * 2, sizeof(*cells));
	cr_assert(rows && ix && cells);
	for (size_t i = 0; i < n; i++) {
		ix[i][3] = (uint32_t)(i >> 16) & 255;
		ix[i][4] = (uint32_t)(i >> 8) & 255;
		ix[i][5] = (uint32_t)i & 255;
		rows[i] = (struct sp_table_row){ ix[i], 6, &cells[2 * i] };
		cells[2 * i] = (struct sp_value){ .type = SP_V_INT, .i = 1 };
	}
	struct sp_table t = { .name = "fdb", .cols = cols, .n_cols = 2, .rows = rows, .n_rows = n };
	struct topo_nbrs out = { 0 };
	cr_expect_eq(topo_decode_fdb(&t, NULL, &out), TOPO_MAX_NBRS);
	cr_expect_eq(out.dropped, 500);
	topo_nbrs_free(&out);
	free(rows);
	free(ix);
	free(cells);
}

Test(arp, media_and_physical_index_forms)
{
	static const char *const cols[] = { "phys", "type" };
	struct tb t;
	tb_init(&t, cols, 2);
	size_t r = tb_row(&t, (long[]){ 5, 10, 0, 0, 9, -1 });
	tb_str(&t, r, 0, "\x52\x54\x00\x12\x34\x56", 6);
	tb_int(&t, r, 1, 3);
	r = tb_row(&t, (long[]){ 6, 1, 4, 192, 0, 2, 7, -1 });
	tb_str(&t, r, 0, "\x52\x54\x00\x12\x34\x57", 6);
	r = tb_row(&t, (long[]){ 6, 1, 4, 192, 0, 2, 8, -1 });	/* invalid(2): skipped */
	tb_str(&t, r, 0, "\x52\x54\x00\x12\x34\x58", 6);
	tb_int(&t, r, 1, 2);
	r = tb_row(&t, (long[]){ 6, 1, 9, 1, 2, -1 });	/* length lies */
	tb_str(&t, r, 0, "\x52\x54\x00\x12\x34\x59", 6);
	struct topo_nbrs out = { 0 };
	cr_assert_eq(topo_decode_arp(&t.t, 1, &out), 1);	/* ipNetToPhysicalTable */
	cr_expect_eq(out.dropped, 2);	/* the 5-arc row and the lying one */
	cr_expect_str_eq(out.v[0].address, "192.0.2.7");
	cr_expect_str_eq(out.v[0].mac, "52:54:00:12:34:57");
	topo_nbrs_free(&out);
	cr_assert_eq(topo_decode_arp(&t.t, 0, &out), 2);	/* ipNetToMediaTable */
	cr_expect_str_eq(out.v[0].address, "10.0.0.9");
	cr_expect_str_eq(out.v[1].address, "1.9.1.2");
	topo_nbrs_free(&out);
}

/* ---- graph ------------------------------------------------------------------------ */

static int
managed(struct topo_graph *g, int64_t id)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "d%lld", (long long)id);
	int i = topo_graph_node(g, buf);
	g->nodes[i].device_id = id;
	return i;
}

Test(graph, a_link_seen_from_both_ends_is_listed_once)
{
	struct topo_graph g;
	topo_graph_init(&g);
	int a = managed(&g, 1), b = managed(&g, 2);
	int l1 = topo_graph_link(&g, a, "eth1", b, "eth0", TOPO_LLDP);
	int l2 = topo_graph_link(&g, b, "eth0", a, "eth1", TOPO_LLDP);
	cr_expect_eq(l1, l2);
	cr_expect_eq(g.n_links, 1);
	cr_expect(g.links[0].both);
	/* one side did not say its port: still the same link */
	int l3 = topo_graph_link(&g, b, "eth0", a, NULL, TOPO_CDP);
	cr_expect_eq(l3, l1);
	/* a second cable between them is a link of its own */
	topo_graph_link(&g, a, "eth2", b, "eth3", TOPO_LLDP);
	cr_expect_eq(g.n_links, 2);
	topo_graph_free(&g);
}

Test(graph, paths_through_loops_and_unmanaged_switches)
{
	struct topo_graph g;
	topo_graph_init(&g);
	int core = managed(&g, 1), d1 = managed(&g, 2), d2 = managed(&g, 3), acc = managed(&g, 4);
	int u = topo_graph_node(&g, "u:aa:bb:cc:dd:ee:ff");
	int leaf = managed(&g, 5);
	topo_graph_link(&g, core, "1", d1, "1", TOPO_LLDP);
	topo_graph_link(&g, core, "2", d2, "1", TOPO_LLDP);
	topo_graph_link(&g, d1, "2", acc, "1", TOPO_LLDP);
	topo_graph_link(&g, d2, "2", acc, "2", TOPO_LLDP);	/* a loop */
	topo_graph_link(&g, acc, "3", u, NULL, TOPO_LLDP);
	topo_graph_link(&g, u, NULL, leaf, "1", TOPO_LLDP);
	g.root = core;
	topo_graph_paths(&g);
	int64_t path[8];
	size_t n = topo_graph_path(&g, leaf, path, 8);
	cr_assert_eq(n, 4);
	cr_expect_eq(path[0], 1);
	cr_expect_eq(path[1], 2);	/* tie broken by the smaller id: d2 < d3 */
	cr_expect_eq(path[2], 4);
	cr_expect_eq(path[3], 5);
	cr_expect_eq(g.nodes[leaf].depth, 4);
	cr_expect_eq(g.nodes[u].parent, acc);
	cr_expect_eq(topo_graph_path(&g, core, path, 8), 1);
	topo_graph_free(&g);
}

Test(graph, root_is_guessed_and_unreached_nodes_have_no_path)
{
	struct topo_graph g;
	topo_graph_init(&g);
	int a = managed(&g, 7), b = managed(&g, 8), c = managed(&g, 9), lone = managed(&g, 10);
	topo_graph_link(&g, a, "1", b, "1", TOPO_LLDP);
	topo_graph_link(&g, b, "2", c, "1", TOPO_LLDP);
	topo_graph_paths(&g);
	cr_expect_eq(g.root, b);
	cr_expect(g.root_guessed);
	int64_t path[4];
	cr_expect_eq(topo_graph_path(&g, lone, path, 4), 0);
	cr_expect_eq(g.nodes[lone].depth, -1);
	topo_graph_free(&g);
}
