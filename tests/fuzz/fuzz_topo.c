/* fuzz_topo.c — libFuzzer targets for topology/'s neighbour decoders, built
 * three times: -DTOPO_FUZZ_LLDP (lldpRemTable + lldpRemManAddrTable),
 * -DTOPO_FUZZ_CDP (cdpCacheTable), -DTOPO_FUZZ_FDB (BRIDGE/Q-BRIDGE FDB with
 * the base port map, and ARP). The input is read as a table the way the
 * SNMP engine hands it on: rows of index arcs and cells of any type and
 * length, so every type confusion a device can cause is reachable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/snmp/snmp.h"
#include "collector/topology/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXROWS 64
#define MAXCOLS 8

struct rd {
	const uint8_t *p;
	size_t n;
};

static unsigned
take(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

/* Fill t with up to MAXROWS rows of ncols cells from r. */
static void
read_table(struct rd *r, struct sp_table *t, const char *const *cols, size_t ncols,
    struct sp_table_row *rows, uint32_t (*ix)[16], struct sp_value (*cells)[MAXCOLS])
{
	size_t nrows = take(r) % MAXROWS;
	t->cols = cols;
	t->n_cols = ncols;
	t->rows = rows;
	t->n_rows = 0;
	for (size_t i = 0; i < nrows && r->n > 0; i++) {
		size_t n = take(r) % 16;
		for (size_t k = 0; k < n; k++) {
			unsigned b = take(r);
			ix[i][k] = b == 255 ? 0xffffffffu : b;	/* sometimes huge */
		}
		rows[i].index = ix[i];
		rows[i].index_len = n;
		rows[i].cells = cells[i];
		for (size_t c = 0; c < ncols; c++) {
			struct sp_value *v = &cells[i][c];
			memset(v, 0, sizeof(*v));
			v->type = (enum sp_vtype)(take(r) % (SP_V_IPADDR + 1));
			v->i = (int8_t)take(r);
			v->u = take(r);
			size_t len = take(r) % 40;
			if (len > r->n)
				len = r->n;
			v->s = r->p;
			v->len = len;
			r->p += len;
			r->n -= len;
		}
		t->n_rows++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_table_row rows[2][MAXROWS];
	static uint32_t ix[2][MAXROWS][16];
	static struct sp_value cells[2][MAXROWS][MAXCOLS];
	struct rd r = { data, size };
	struct sp_table a, b;
	struct topo_nbrs out = { 0 };

#if defined(TOPO_FUZZ_LLDP)
	static const char *const rem[] = { "chassis_id_subtype", "chassis_id", "port_id_subtype",
		"port_id", "port_desc", "sys_name", "sys_desc", "caps_enabled" };
	static const char *const man[] = { "if_subtype" };
	read_table(&r, &a, rem, 8, rows[0], ix[0], cells[0]);
	read_table(&r, &b, man, 1, rows[1], ix[1], cells[1]);
	topo_decode_lldp(&a, &b, &out);
	free(topo_decode_local_chassis(&a));
	free(topo_decode_loc_port(&a, 1));
#elif defined(TOPO_FUZZ_CDP)
	static const char *const cdp[] = { "address_type", "address", "version", "device_id",
		"device_port", "platform", "capabilities" };
	read_table(&r, &a, cdp, 7, rows[0], ix[0], cells[0]);
	(void)b;
	topo_decode_cdp(&a, &out);
#else
	static const char *const fdb[] = { "port", "status" };
	static const char *const ports[] = { "if_index" };
	static const char *const arp[] = { "phys", "type" };
	read_table(&r, &a, fdb, 2, rows[0], ix[0], cells[0]);
	read_table(&r, &b, ports, 1, rows[1], ix[1], cells[1]);
	topo_decode_fdb(&a, &b, &out);
	read_table(&r, &b, arp, 2, rows[1], ix[1], cells[1]);
	topo_decode_arp(&b, 0, &out);
	topo_decode_arp(&b, 1, &out);
#endif
	for (size_t i = 0; i < out.n; i++)	/* every string must be text */
		for (const char *s = out.v[i].name; s && *s; s++)
			if (*s == '\0')
				abort();
	topo_nbrs_free(&out);
	return 0;
}
