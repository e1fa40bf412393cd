/*
 * bench_graph.c — topology/graph.c at campus scale on one core: build the
 * graph of D devices and L cables, each cable reported from both ends (2·L
 * reports merged into L links, as LLDP gives them), then the upstream paths
 * from the root by BFS, then every device's path. Prints the time of each
 * step and the heap bytes per link (glibc mallinfo2).
 *
 *   bench_graph [-d DEVICES] [-l LINKS] [-r ROUNDS]   (default 2000 10000 5)
 *
 * The campus: 2 cores, 5 % distribution switches each wired to both cores,
 * access switches each wired to two distribution switches, and the rest of
 * the links as extra cables between random switches (loops on purpose) and
 * unmanaged neighbours (phones, APs) on access ports.
 */
#include "collector/topology/topology.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct cable {
	int a, b;		/* device index, or -1 - k for unmanaged k */
	int pa, pb;
};

static uint64_t rng = 88172645463325252ULL;
static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int
node_of(struct topo_graph *g, int x)
{
	char id[48];
	if (x >= 0)
		snprintf(id, sizeof(id), "d%d", x + 1);
	else
		snprintf(id, sizeof(id), "u:02:00:00:%02x:%02x:%02x", (-x >> 16) & 255,
		    (-x >> 8) & 255, -x & 255);
	int i = topo_graph_node(g, id);
	if (i >= 0 && x >= 0)
		g->nodes[i].device_id = x + 1;
	return i;
}

int
main(int argc, char **argv)
{
	int ndev = 2000, nlink = 10000, rounds = 5, opt;
	while ((opt = getopt(argc, argv, "d:l:r:")) != -1) {
		if (opt == 'd')
			ndev = atoi(optarg);
		else if (opt == 'l')
			nlink = atoi(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else {
			fprintf(stderr, "usage: bench_graph [-d DEVICES] [-l LINKS] [-r ROUNDS]\n");
			return 1;
		}
	}
	if (ndev < 10 || nlink < ndev || rounds < 1) {
		fprintf(stderr, "bench_graph: need DEVICES >= 10, LINKS >= DEVICES, ROUNDS >= 1\n");
		return 1;
	}
	struct cable *cab = calloc((size_t)nlink, sizeof(*cab));
	int *port = calloc((size_t)ndev, sizeof(int));
	int n = 0, ndist = ndev / 20 > 2 ? ndev / 20 : 2, unmanaged = 0;
#define CABLE(x, y) do { int x_ = (int)(x), y_ = (int)(y); \
	cab[n] = (struct cable){ x_, y_, x_ >= 0 ? ++port[x_] : 1, y_ >= 0 ? ++port[y_] : 1 }; \
	n++; } while (0)
	CABLE(0, 1);
	for (int d = 2; d < 2 + ndist && n < nlink; d++) {
		CABLE(0, d);
		if (n < nlink)
			CABLE(1, d);
	}
	for (int a = 2 + ndist; a < ndev && n < nlink; a++) {
		CABLE(2 + rnd((unsigned)ndist), a);
		if (n < nlink)
			CABLE(2 + rnd((unsigned)ndist), a);
	}
	while (n < nlink) {
		if (rnd(2)) {
			int x = (int)rnd((unsigned)ndev), y = (int)rnd((unsigned)ndev);
			if (x != y)
				CABLE(x, y);
		} else {
			int x = 2 + ndist + (int)rnd((unsigned)(ndev - 2 - ndist));
			unmanaged++;
			CABLE(x, -unmanaged);
		}
	}
	double t_build = 0, t_paths = 0, t_lookup = 0;
	size_t heap = 0, links = 0, nodes = 0, reached = 0;
	for (int r = 0; r < rounds; r++) {
		struct mallinfo2 m0 = mallinfo2();
		double t0 = now();
		struct topo_graph g;
		topo_graph_init(&g);
		char pa[16], pb[16];
		for (int side = 0; side < 2; side++)	/* every cable from both ends */
			for (int i = 0; i < n; i++) {
				const struct cable *c = &cab[i];
				if (side == 1 && c->b < 0)
					continue;	/* an unmanaged neighbour reports nothing */
				snprintf(pa, sizeof(pa), "Gi1/0/%d", c->pa);
				snprintf(pb, sizeof(pb), "Gi1/0/%d", c->pb);
				int x = node_of(&g, side ? c->b : c->a), y = node_of(&g, side ? c->a : c->b);
				topo_graph_link(&g, x, side ? pb : pa, y, side ? pa : pb, TOPO_LLDP);
			}
		double t1 = now();
		struct mallinfo2 m1 = mallinfo2();
		g.root = topo_graph_find(&g, "d1");
		topo_graph_paths(&g);
		double t2 = now();
		int64_t path[256];
		size_t sum = 0;
		for (size_t i = 0; i < g.n_nodes; i++)
			sum += topo_graph_path(&g, (int)i, path, 256) > 0;
		double t3 = now();
		t_build += t1 - t0;
		t_paths += t2 - t1;
		t_lookup += t3 - t2;
		heap = m1.uordblks - m0.uordblks;
		links = g.n_links;
		nodes = g.n_nodes;
		reached = sum;
		topo_graph_free(&g);
	}
	printf("devices %d, cables %d (%d reports, %d unmanaged neighbours)\n", ndev, n,
	    2 * n - unmanaged, unmanaged);
	printf("graph: %zu nodes, %zu links (each cable once), %zu nodes with a path\n", nodes,
	    links, reached);
	printf("build (merge both ends): %.1f ms\n", 1e3 * t_build / rounds);
	printf("paths (BFS from root):   %.1f ms\n", 1e3 * t_paths / rounds);
	printf("every device's path:     %.3f ms\n", 1e3 * t_lookup / rounds);
	printf("total:                   %.1f ms (target < 1000 ms: %.0fx under)\n",
	    1e3 * (t_build + t_paths + t_lookup) / rounds,
	    1.0 / ((t_build + t_paths + t_lookup) / rounds));
	printf("heap: %zu bytes for the graph, %.0f bytes per link (nodes and indexes included)\n",
	    heap, (double)heap / (double)(links ? links : 1));
	free(cab);
	free(port);
	return links == (size_t)n ? 0 : 2;
}
