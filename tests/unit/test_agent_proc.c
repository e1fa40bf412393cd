/* test_agent_proc.c — the agent's /proc and /sys parsers and rate maths on fixtures. */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agent/agent.h"
#include "common/util.h"

#define FIX CAMPUSMON_SRCDIR "/tests/data/agent/"

static char *
fixture(const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), FIX "%s", name);
	char *buf = util_read_file(path, 1 << 22, len);
	cr_assert_not_null(buf, "fixture %s", path);
	return buf;
}

/* ---- rate.c ---------------------------------------------------------------- */

Test(rate, counter_delta_table)
{
	static const struct {
		uint64_t prev, cur, want;
		int rc;
	} t[] = {
		{ 0, 0, 0, 0 },
		{ 10, 25, 15, 0 },
		{ UINT64_MAX - 1, UINT64_MAX, 1, 0 },
		{ 4294967000u, 704, 1000, 0 },		/* 32-bit wrap */
		{ 4294967295u, 0, 1, 0 },		/* wrap by one */
		{ 5000, 10, 0, -1 },			/* reset: wrapped delta too big */
		{ 5000000000ull, 10, 0, -1 },		/* 64-bit counter went back */
		{ 100, 99, 0, -1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t d = 12345;
		int rc = counter_delta(t[i].prev, t[i].cur, &d);
		cr_expect_eq(rc, t[i].rc, "row %zu rc", i);
		if (rc == 0)
			cr_expect_eq(d, t[i].want, "row %zu delta %lu", i, (unsigned long)d);
	}
	cr_assert_float_eq(rate_ps(1000, 2000000000LL), 500.0, 1e-9);
	cr_assert_float_eq(rate_ps(1000, 0), 0.0, 1e-9);
	cr_assert_float_eq(rate_ps(1000, -5), 0.0, 1e-9);
}

/* ---- /proc/stat ---------------------------------------------------------------- */

Test(procstat, two_cpus_and_percentages)
{
	size_t l0, l1;
	char *b0 = fixture("stat.2cpu", &l0), *b1 = fixture("stat.2cpu.t1", &l1);
	struct procstat a, b;

	cr_assert_eq(procstat_parse(b0, l0, &a), 0);
	cr_assert_eq(procstat_parse(b1, l1, &b), 0);
	cr_assert_eq(a.n_cpu, 3);
	cr_assert_str_eq(a.cpu[0].name, "cpu");
	cr_assert_str_eq(a.cpu[2].name, "cpu1");
	cr_assert_eq(a.cpu[0].n, 10);
	cr_assert_eq(a.cpu[0].t[CPU_USER], 2607);
	cr_assert_eq(a.ctxt, 290638);
	cr_assert_eq(a.forks, 7694);
	cr_assert_eq(a.btime, 1796007062);
	cr_assert_eq(a.procs_blocked, 1);
	cr_assert_eq(a.have & (PROCSTAT_CTXT | PROCSTAT_INTR | PROCSTAT_FORKS | PROCSTAT_BTIME),
	    PROCSTAT_CTXT | PROCSTAT_INTR | PROCSTAT_FORKS | PROCSTAT_BTIME);

	double pct[CPU_T_N];
	cr_assert_eq(cpu_percent(&a.cpu[0], &b.cpu[0], pct), 0);
	cr_expect_float_eq(pct[CPU_USER], 10.0, 1e-9);
	cr_expect_float_eq(pct[CPU_SYSTEM], 5.0, 1e-9);
	cr_expect_float_eq(pct[CPU_IDLE], 80.0, 1e-9);
	cr_expect_float_eq(pct[CPU_IOWAIT], 4.0, 1e-9);
	cr_expect_float_eq(pct[CPU_SOFTIRQ], 1.0, 1e-9);
	cr_expect_float_eq(pct[CPU_STEAL], 0.0, 1e-9);
	double sum = 0;
	for (int i = 0; i < CPU_GUEST; i++)
		sum += pct[i];
	cr_expect_float_eq(sum, 100.0, 1e-9);
	/* No time passed: no percentages. */
	cr_expect_eq(cpu_percent(&a.cpu[0], &a.cpu[0], pct), -1);
	procstat_free(&a);
	procstat_free(&b);
	free(b0);
	free(b1);
}

Test(procstat, many_cpus_and_old_kernels)
{
	size_t len;
	char *buf = fixture("stat.64cpu", &len);
	struct procstat ps;
	cr_assert_eq(procstat_parse(buf, len, &ps), 0);
	cr_assert_eq(ps.n_cpu, 65);
	cr_assert_str_eq(ps.cpu[64].name, "cpu63");
	cr_assert_eq(ps.cpu[64].t[CPU_IOWAIT], 63);
	procstat_free(&ps);
	free(buf);

	buf = fixture("stat.old", &len);
	cr_assert_eq(procstat_parse(buf, len, &ps), 0);
	cr_assert_eq(ps.n_cpu, 2);
	cr_assert_eq(ps.cpu[0].n, 7, "2.6.9 has no steal/guest columns");
	cr_assert_eq(ps.cpu[0].t[CPU_STEAL], 0);
	procstat_free(&ps);
	free(buf);
}

Test(procstat, invalid_inputs)
{
	static const char *bad[] = {
		"",
		"\n\n\n",
		"cpu\n",
		"cpu 1 2 3\n",				/* fewer than 4 columns */
		"cpux 1 2 3 4\n",
		"intr\nctxt abc\n",
		"garbage line\nmore garbage\n",
		"cpu0123456789012345678901234 1 2 3 4\n",	/* name too long */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct procstat ps;
		int rc = procstat_parse(bad[i], strlen(bad[i]), &ps);
		cr_expect_eq(rc, -1, "bad[%zu] accepted", i);
	}
	/* Counters only (no cpu lines) are still useful. */
	struct procstat ps;
	cr_assert_eq(procstat_parse("ctxt 5\n", 7, &ps), 0);
	cr_assert_eq(ps.n_cpu, 0);
	cr_assert_eq(ps.ctxt, 5);
	procstat_free(&ps);
}

/* ---- /proc/meminfo ------------------------------------------------------------ */

Test(meminfo, modern_old_container)
{
	size_t len;
	struct meminfo m;
	char *buf = fixture("meminfo.modern", &len);

	cr_assert_eq(meminfo_parse(buf, len, &m), 0);
	cr_assert_eq(m.total, 16318448ull * 1024);
	cr_assert_eq(m.available, 9342312ull * 1024);
	cr_assert_eq(meminfo_available(&m), 9342312ull * 1024);
	cr_assert_eq(meminfo_used(&m),
	    (16318448ull - 1030164 - 411564 - 7640348 - 603732) * 1024);
	cr_assert_eq(m.swap_total - m.swap_free, (2097148ull - 1572860) * 1024);
	cr_assert(m.have & MEMINFO_SWAP);
	free(buf);

	buf = fixture("meminfo.old", &len);
	cr_assert_eq(meminfo_parse(buf, len, &m), 0);
	cr_assert_not(m.have & MEMINFO_AVAILABLE);
	cr_assert_eq(meminfo_available(&m), (200000ull + 50000 + 300000) * 1024);
	free(buf);

	buf = fixture("meminfo.container", &len);
	cr_assert_eq(meminfo_parse(buf, len, &m), 0);
	cr_assert_eq(meminfo_used(&m), (524288ull - 100000) * 1024, "never negative");
	free(buf);
}

Test(meminfo, invalid_inputs)
{
	static const char *bad[] = {
		"", "MemFree: 10 kB\n", "MemTotal: kB\n", "MemTotal: 0 kB\n",
		"MemTotal 100 kB\n", "MemTotal: 99999999999999999999999 kB\n",
		"MemTotal: 18446744073709551615 kB\n",	/* overflows in bytes */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct meminfo m;
		cr_expect_eq(meminfo_parse(bad[i], strlen(bad[i]), &m), -1, "bad[%zu]", i);
	}
	struct meminfo m;
	cr_assert_eq(meminfo_parse("MemTotal: 1000\n", 15, &m), 0, "no unit: bytes");
	cr_assert_eq(m.total, 1000);
}

/* ---- /proc/diskstats ---------------------------------------------------------- */

Test(diskstats, sixty_four_disks)
{
	size_t l0, l1, n0, n1;
	char *b0 = fixture("diskstats.64disks.t0", &l0), *b1 = fixture("diskstats.64disks.t1", &l1);
	struct diskstat *a, *b;

	cr_assert_eq(diskstats_parse(b0, l0, &a, &n0), 0);
	cr_assert_eq(diskstats_parse(b1, l1, &b, &n1), 0);
	cr_assert_eq(n0, 64);
	cr_assert_eq(n1, 64);
	cr_assert_str_eq(a[0].name, "sda");
	cr_assert_str_eq(a[25].name, "sdz");
	cr_assert_str_eq(a[26].name, "sdaa");
	cr_assert_str_eq(a[63].name, "sdbl");
	for (size_t i = 0; i < 64; i++) {
		struct disk_rates r;
		cr_assert_eq(diskio_rates(&a[i], &b[i], 2000000000LL, &r), 0);
		cr_expect_float_eq(r.reads_ps, 50.0, 1e-9);
		cr_expect_float_eq(r.writes_ps, 50.0, 1e-9);
		cr_expect_float_eq(r.read_bytes_ps, 800.0 * 512 / 2, 1e-6);
		cr_expect_float_eq(r.write_bytes_ps, 800.0 * 512 / 2, 1e-6);
		cr_expect_float_eq(r.read_await_ms, 1.0, 1e-9);	/* 100 ms / 100 reads */
		cr_expect_float_eq(r.write_await_ms, 1.0, 1e-9);
		cr_expect_float_eq(r.util_percent, 25.0, 1e-9);	/* 500 ms of 2000 */
		cr_expect_float_eq(r.queue_depth, 0.1, 1e-9);	/* 200 ms / 2000 ms */
	}
	free(a);
	free(b);
	free(b0);
	free(b1);
}

Test(diskstats, names_and_field_counts)
{
	size_t len, n;
	char *buf = fixture("diskstats.names", &len);
	struct diskstat *d;

	cr_assert_eq(diskstats_parse(buf, len, &d, &n), 0);
	static const char *want[] = { "nvme0n1", "nvme0n1p1", "nvme0n1p2", "dm-0", "dm-1", "md0",
		"cciss/c0d0", "mmcblk0", "mmcblk0p1", "loop0", "ram0", "hda1", "sda" };
	cr_assert_eq(n, sizeof(want) / sizeof(want[0]), "malformed lines skipped, got %zu", n);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(d[i].name, want[i]);
	cr_expect_eq(d[0].major, 259);
	cr_expect_eq(d[0].rd_ios, 53077);
	cr_expect_eq(d[0].queue_ticks, 163024);
	cr_expect_eq(d[11].rd_ios, 35486, "4-field partition line");
	cr_expect_eq(d[11].wr_sectors, 38030);
	cr_expect_eq(d[11].io_ticks, 0);
	cr_expect_eq(d[12].queue_ticks, 11, "20-field line");
	free(d);
	free(buf);
}

Test(diskstats, invalid_lines)
{
	static const char *bad[] = {
		"", "8 0", "8 0 sda", "8 0 sda 1 2 3", "x 0 sda 1 2 3 4 5 6 7 8 9 10 11",
		"8 0 sda 1 2 3 4 5 6 7 8 9 10", "8 0 sda 1 2 3 4 5 6 7 8 9 10 11 junk",
		"8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
		"8 0 a_name_that_is_far_too_long_for_any_block_device_name_in_linux_0123 1 2 3 4",
		"99999999999 0 sda 1 2 3 4",
		"8 0 sda -1 2 3 4",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct diskstat d;
		cr_expect_eq(diskstats_parse_line(bad[i], strlen(bad[i]), &d), -1, "bad[%zu]", i);
	}
}

Test(diskstats, wrap_and_reset)
{
	size_t l0, l1, n0, n1;
	char *b0 = fixture("diskstats.wrap.t0", &l0), *b1 = fixture("diskstats.wrap.t1", &l1);
	struct diskstat *a, *b;
	struct disk_rates r;

	cr_assert_eq(diskstats_parse(b0, l0, &a, &n0), 0);
	cr_assert_eq(diskstats_parse(b1, l1, &b, &n1), 0);
	cr_assert_eq(n0, 2);
	/* sda: 32-bit time counters wrapped; the deltas are still right. */
	cr_assert_eq(diskio_rates(&a[0], &b[0], 1000000000LL, &r), 0);
	cr_expect_float_eq(r.reads_ps, 100.0, 1e-9);
	cr_expect_float_eq(r.read_await_ms, 10.0, 1e-9);	/* (704 + 2^32 - 4294967000) / 100 */
	cr_expect_float_eq(r.write_await_ms, 10.0, 1e-9);
	cr_expect_float_eq(r.util_percent, 71.6, 1e-9);	/* io_ticks wrapped: 716 ms of 1000 */
	cr_expect_float_eq(r.queue_depth, 1.296, 1e-9);
	/* sdb: the device was reset (hot-swapped): no bogus rate. */
	cr_expect_eq(diskio_rates(&a[1], &b[1], 1000000000LL, &r), -1);
	cr_expect_eq(diskio_rates(&a[0], &b[0], 0, &r), -1, "no time passed");
	free(a);
	free(b);
	free(b0);
	free(b1);
}

static void
touch(const char *path)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs("1\n", f);
	fclose(f);
}

Test(diskstats, kind_from_sysfs_and_names)
{
	char root[] = "/tmp/agent-sys-XXXXXX", p[PATH_MAX];
	cr_assert_not_null(mkdtemp(root));
	const char *dirs[] = { "class", "class/block", "class/block/nvme0n1",
		"class/block/nvme0n1p1", "class/block/dm-0", "class/block/cciss!c0d0",
		"class/block/cciss!c0d0p1" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		cr_assert_eq(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/class/block/nvme0n1p1/partition", root);
	touch(p);
	snprintf(p, sizeof(p), "%s/class/block/cciss!c0d0p1/partition", root);
	touch(p);
	static const struct {
		const char *name;
		int kind;
	} t[] = {
		{ "nvme0n1", DISK_KIND_DISK }, { "nvme0n1p1", DISK_KIND_PARTITION },
		{ "dm-0", DISK_KIND_DISK }, { "cciss/c0d0", DISK_KIND_DISK },
		{ "cciss/c0d0p1", DISK_KIND_PARTITION },
		/* not in sysfs (containers): by name */
		{ "sda", DISK_KIND_DISK }, { "sda1", DISK_KIND_PARTITION },
		{ "vdb12", DISK_KIND_PARTITION }, { "xvda1", DISK_KIND_PARTITION },
		{ "nvme1n1", DISK_KIND_DISK }, { "nvme1n1p3", DISK_KIND_PARTITION },
		{ "mmcblk0", DISK_KIND_DISK }, { "mmcblk0p2", DISK_KIND_PARTITION },
		{ "md127", DISK_KIND_DISK }, { "dm-3", DISK_KIND_DISK }, { "sr0", DISK_KIND_DISK },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		cr_expect_eq(diskio_kind(root, t[i].name), t[i].kind, "%s", t[i].name);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	cr_assert_eq(system(cmd), 0);
}

/* ---- mountinfo ------------------------------------------------------------------ */

struct mount_want {
	const char *point, *fstype, *source;
	unsigned major, minor;
	int ro;
};

static size_t
parse_mounts(const char *fix, struct mount_want *got, size_t max, char **keep)
{
	size_t len, pos = 0, llen, n = 0;
	const char *line;
	char *buf = fixture(fix, &len);
	while (next_line(buf, len, &pos, &line, &llen) && n < max) {
		struct mount_entry m;
		if (mountinfo_parse_line((char *)line, llen, &m) < 0)
			continue;
		got[n++] = (struct mount_want){ m.point, m.fstype, m.source, m.major, m.minor, m.ro };
	}
	*keep = buf;
	return n;
}

Test(mountinfo, host)
{
	struct mount_want got[32];
	char *buf;
	size_t n = parse_mounts("mountinfo.host", got, 32, &buf);

	cr_assert_eq(n, 14 - 2, "every well-formed line parses (%zu)", n);
	cr_expect_str_eq(got[3].point, "/");
	cr_expect_str_eq(got[3].fstype, "ext4");
	cr_expect_str_eq(got[3].source, "/dev/sda2");
	cr_expect_eq(got[3].major, 8);
	cr_expect_eq(got[3].minor, 2);
	cr_expect_eq(got[3].ro, 0);
	cr_expect_str_eq(got[5].point, "/srv/data disk", "\\040 unescaped");
	cr_expect_eq(got[5].ro, 1, "ro mount option");
	cr_expect_str_eq(got[5].source, "/dev/mapper/vg0-data");
	cr_expect_str_eq(got[8].fstype, "nfs4");
	cr_expect_eq(got[9].ro, 1, "ro super option");
	free(buf);

	static const struct {
		const char *t;
		int pseudo, remote;
	} types[] = {
		{ "ext4", 0, 0 }, { "xfs", 0, 0 }, { "vfat", 0, 0 }, { "btrfs", 0, 0 },
		{ "tmpfs", 1, 0 }, { "overlay", 1, 0 }, { "squashfs", 1, 0 }, { "proc", 1, 0 },
		{ "cgroup2", 1, 0 }, { "nfs", 0, 1 }, { "nfs4", 0, 1 }, { "cifs", 0, 1 },
		{ "fuse.sshfs", 0, 1 }, { "ceph", 0, 1 },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cr_expect_eq(fs_type_is_pseudo(types[i].t), types[i].pseudo, "%s", types[i].t);
		cr_expect_eq(fs_type_is_remote(types[i].t), types[i].remote, "%s", types[i].t);
	}
}

Test(mountinfo, container_and_invalid)
{
	struct mount_want got[32];
	char *buf;
	size_t n = parse_mounts("mountinfo.container", got, 32, &buf);
	cr_assert_eq(n, 5, "bad and relative lines skipped (%zu)", n);
	cr_expect_str_eq(got[0].fstype, "overlay");
	cr_expect_str_eq(got[3].point, "/var/lib/postgresql/data");
	free(buf);

	static const char *bad[] = {
		"", "1 2 3", "1 2 8:0 / / rw - ext4", "1 2 80 / / rw - ext4 /dev/x rw",
		"1 2 a:b / / rw - ext4 /dev/x rw", "1 2 8:0 / / rw ext4 /dev/x rw",
		"1 2 8: / / rw - ext4 /dev/x rw",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];
		struct mount_entry m;
		snprintf(line, sizeof(line), "%s", bad[i]);
		cr_expect_eq(mountinfo_parse_line(line, strlen(line), &m), -1, "bad[%zu]", i);
	}
}

/* ---- /proc/net/dev -------------------------------------------------------------- */

Test(netdev, parse_and_wrap)
{
	size_t l0, l1, n0, n1;
	char *b0 = fixture("netdev.t0", &l0), *b1 = fixture("netdev.t1", &l1);
	struct netdev *a, *b;

	cr_assert_eq(netdev_parse(b0, l0, &a, &n0), 0);
	cr_assert_eq(netdev_parse(b1, l1, &b, &n1), 0);
	cr_assert_eq(n0, 4);
	cr_assert_str_eq(a[1].name, "eth0");
	cr_assert_eq(a[1].rx_bytes, 4294967000u);
	cr_assert_eq(a[1].tx_drop, 4);
	cr_assert_eq(a[2].rx_bytes, 1000000000000ull);
	uint64_t d;
	cr_assert_eq(counter_delta(a[1].rx_bytes, b[1].rx_bytes, &d), 0);
	cr_assert_eq(d, 1000, "32-bit wrap of eth0 rx bytes");
	cr_assert_eq(counter_delta(a[2].rx_bytes, b[2].rx_bytes, &d), 0);
	cr_assert_eq(d, 1000000);
	cr_assert_eq(counter_delta(a[3].rx_bytes, b[3].rx_bytes, &d), -1, "veth reset");
	free(a);
	free(b);
	free(b0);
	free(b1);

	char *b2 = fixture("netdev.old", &l0);
	cr_assert_eq(netdev_parse(b2, l0, &a, &n0), 0);
	cr_assert_eq(n0, 1, "name:number without a space (2.4 kernels)");
	cr_assert_eq(a[0].rx_bytes, 123456);
	cr_assert_eq(a[0].tx_bytes, 654321);
	free(a);
	free(b2);

	static const char *bad[] = {
		"", "eth0", "eth0:", "eth0: 1 2 3", ": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
		"a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes",
		"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x",
		"averyveryveryverylonginterfacename0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct netdev nd;
		cr_expect_eq(netdev_parse_line(bad[i], strlen(bad[i]), &nd), -1, "bad[%zu]", i);
	}
}

/* ---- /proc/net/tcp ---------------------------------------------------------------- */

static void
count_file(const char *fix, unsigned counts[TCP_STATE_MAX], int *bad)
{
	size_t len, pos = 0, llen;
	const char *line;
	char *buf = fixture(fix, &len);
	while (next_line(buf, len, &pos, &line, &llen)) {
		int st = netstat_tcp_state(line, llen);
		if (st > 0)
			counts[st]++;
		else if (st < 0)
			(*bad)++;
	}
	free(buf);
}

Test(netstat, tcp_states)
{
	unsigned c[TCP_STATE_MAX] = { 0 };
	int bad = 0;
	count_file("tcp", c, &bad);
	count_file("tcp6", c, &bad);
	cr_assert_eq(bad, 0);
	cr_expect_eq(c[1], 4, "established");
	cr_expect_eq(c[10], 3, "listen");
	cr_expect_eq(c[6], 1, "time_wait");
	cr_expect_eq(c[8], 1, "close_wait");
	cr_expect_eq(c[2], 1, "syn_sent");
	cr_expect_eq(c[11], 1, "closing");
	cr_expect_str_eq(tcp_state_field[1], "tcp_established");
	cr_expect_str_eq(tcp_state_field[10], "tcp_listen");

	static const char *bad_lines[] = {
		"0: 0100007F:1F90", "0: 0100007F:1F90 0100007F:C350", "x 0100007F:1F90 0100007F:C350 01",
		"0: 0100007F:1F90 0100007F:C350 00", "0: 0100007F:1F90 0100007F:C350 0C",
		"0: 0100007F:1F90 0100007F:C350 ZZ", "0: nocolon nocolon 01",
		"0: 0100007F:1F90 0100007F:C350 001",
	};
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		cr_expect_eq(netstat_tcp_state(bad_lines[i], strlen(bad_lines[i])), -1, "bad[%zu]", i);
	cr_expect_eq(netstat_tcp_state("  sl  local_address", 19), 0, "header");
}

Test(netstat, sockstat_table)
{
	static const struct {
		const char *in;
		int rc;
		unsigned long long tcp_inuse, tw, udp, tcp6, udp6;
	} t[] = {
		{ "sockets: used 33\nTCP: inuse 5 orphan 0 tw 2353 alloc 5 mem 59\n"
		  "UDP: inuse 5 mem 0\nUDPLITE: inuse 0\nRAW: inuse 2\n", 0, 5, 2353, 5, 0, 0 },
		{ "TCP6: inuse 3\nUDP6: inuse 2\nUDPLITE6: inuse 0\nRAW6: inuse 2\n", 0, 0, 0, 0, 3, 2 },
		{ "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 1\n", 0, 1, 0, 0, 0, 0 },
		{ "", -1, 0, 0, 0, 0, 0 },
		{ "RAW: inuse 2\n", -1, 0, 0, 0, 0, 0 },
		{ "TCP: inuse x\n", -1, 0, 0, 0, 0, 0 },
		{ "UDP: inuse\n", -1, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sockstat ss;
		memset(&ss, 0, sizeof(ss));
		int rc = sockstat_parse(t[i].in, strlen(t[i].in), &ss);
		cr_expect_eq(rc, t[i].rc, "row %zu", i);
		if (rc != 0)
			continue;
		cr_expect_eq(ss.tcp_inuse, t[i].tcp_inuse, "row %zu", i);
		cr_expect_eq(ss.tcp_tw, t[i].tw, "row %zu", i);
		cr_expect_eq(ss.udp_inuse, t[i].udp, "row %zu", i);
		cr_expect_eq(ss.tcp6_inuse, t[i].tcp6, "row %zu", i);
		cr_expect_eq(ss.udp6_inuse, t[i].udp6, "row %zu", i);
	}
}

Test(netstat, netlink_sees_a_listening_socket)
{
	unsigned long long before[TCP_STATE_MAX] = { 0 }, after[TCP_STATE_MAX] = { 0 }, udp;
	cr_assert_eq(netstat_netlink(before, &udp), 0, "sock_diag available");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 1), 0);
	cr_assert_eq(netstat_netlink(after, &udp), 0);
	cr_expect_geq(after[10], 1, "listen count %llu", after[10]);
	cr_expect_geq(after[10] + 5, before[10] + 1, "our listener is counted");
	close(fd);
}

/* ---- /proc/PID/stat, loadavg, uptime ---------------------------------------------- */

Test(pidstat, states_and_threads)
{
	static const struct {
		const char *fix;
		char state;
		long threads;
	} t[] = {
		{ "pidstat.normal", 'S', 1 },
		{ "pidstat.comm", 'Z', 1 },
		{ "pidstat.threads", 'S', 153 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len;
		char *buf = fixture(t[i].fix, &len), st = 0;
		long th = 0;
		cr_assert_eq(pidstat_parse(buf, len, &st, &th), 0, "%s", t[i].fix);
		cr_expect_eq(st, t[i].state, "%s", t[i].fix);
		cr_expect_eq(th, t[i].threads, "%s", t[i].fix);
		free(buf);
	}
	static const char *bad[] = { "", "1 (x", "1 x) S", "1 (x) ", "1 (x) SS 1",
		"1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char st;
		long th;
		cr_expect_eq(pidstat_parse(bad[i], strlen(bad[i]), &st, &th), -1, "bad[%zu]", i);
	}
}

Test(system, loadavg_uptime)
{
	size_t len;
	char *buf = fixture("loadavg", &len);
	double load[3], up;
	unsigned running, tasks;
	cr_assert_eq(loadavg_parse(buf, len, load, &running, &tasks), 0);
	cr_expect_float_eq(load[0], 0.43, 1e-9);
	cr_expect_float_eq(load[2], 0.22, 1e-9);
	cr_expect_eq(running, 2);
	cr_expect_eq(tasks, 90);
	free(buf);
	buf = fixture("uptime", &len);
	cr_assert_eq(uptime_parse(buf, len, &up), 0);
	cr_expect_float_eq(up, 1114.83, 1e-9);
	free(buf);
	static const char *bad[] = { "", "0.1 0.2", "0.1 0.2 0.3 2", "0.1 0.2 0.3 2/",
		"a b c 1/2", "-1 0 0 1/2", "0.1x 0.2 0.3 1/2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(loadavg_parse(bad[i], strlen(bad[i]), load, &running, &tasks), -1,
		    "bad[%zu]", i);
	cr_expect_eq(uptime_parse("", 0, &up), -1);
	cr_expect_eq(uptime_parse("abc 1", 5, &up), -1);
}

/* ---- inventory parsers ------------------------------------------------------------ */

Test(inventory, os_release_and_cpuinfo)
{
	size_t len;
	char out[128], model[128];
	int count;
	char *buf = fixture("os-release.debian", &len);
	cr_assert_eq(os_release_parse(buf, len, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "Debian GNU/Linux 12 (bookworm)");
	free(buf);
	buf = fixture("os-release.nopretty", &len);
	cr_assert_eq(os_release_parse(buf, len, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "Kylin Linux Advanced Server V10 (Lance)");
	free(buf);
	cr_expect_eq(os_release_parse("ID=x\n", 5, out, sizeof(out)), -1);
	cr_expect_eq(os_release_parse("", 0, out, sizeof(out)), -1);

	buf = fixture("cpuinfo.x86", &len);
	cr_assert_eq(cpuinfo_parse(buf, len, model, sizeof(model), &count), 0);
	cr_expect_str_eq(model, "Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz");
	cr_expect_eq(count, 4);
	free(buf);
	buf = fixture("cpuinfo.arm", &len);
	cr_assert_eq(cpuinfo_parse(buf, len, model, sizeof(model), &count), 0);
	cr_expect_str_eq(model, "Raspberry Pi 4 Model B Rev 1.4", "Model beats Hardware");
	cr_expect_eq(count, 2);
	free(buf);
	cr_expect_eq(cpuinfo_parse("flags: a b\n", 11, model, sizeof(model), &count), -1);
}

/* ---- whole sources on a fixture /proc tree ----------------------------------------- */

struct tree {
	char root[64];
	char proc[96];
	char sys[96];
};

static void
put(const struct tree *t, const char *rel, const char *fix)
{
	char dst[PATH_MAX], cmd[3 * PATH_MAX];
	snprintf(dst, sizeof(dst), "%s/%s", t->proc, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname %s)\" && cp " FIX "%s %s", dst, fix, dst);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void
tree_new(struct tree *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/agent-proc-XXXXXX");
	cr_assert_not_null(mkdtemp(t->root));
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->root);
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->root);
	cr_assert_eq(mkdir(t->proc, 0755), 0);
	cr_assert_eq(mkdir(t->sys, 0755), 0);
}

static void
tree_free(struct tree *t)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->root);
	cr_assert_eq(system(cmd), 0);
}

static void
run_sources(struct sources *s, struct agent_config *cfg, struct lpw *w, int64_t mono_ns)
{
	struct rbuf scratch = { 0 };
	struct collect c = { w, "h1", 1700000000000000000LL, mono_ns, cfg, &scratch };
	sources_collect(s, &c);
	rbuf_free(&scratch);
}

static int
has_line(const struct lpw *w, const char *needle)
{
	char *text = strndup(w->buf ? w->buf : "", w->len);
	int found = strstr(text, needle) != NULL;
	if (!found)
		cr_log_info("not found: %s\nin:\n%s", needle, text);
	free(text);
	return found;
}

Test(sources, rates_from_two_fixture_readings)
{
	struct tree t;
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };
	struct lpw w;

	tree_new(&t);
	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	free(cfg.proc_root);
	free(cfg.sys_root);
	cfg.proc_root = strdup(t.proc);
	cfg.sys_root = strdup(t.sys);
	cfg.slow_interval = 0;	/* every source every cycle (the schedule: slow_sources_…) */
	put(&t, "stat", "stat.2cpu");
	put(&t, "meminfo", "meminfo.modern");
	put(&t, "diskstats", "diskstats.wrap.t0");
	put(&t, "net/dev", "netdev.t0");
	put(&t, "net/tcp", "tcp");
	put(&t, "net/tcp6", "tcp6");
	put(&t, "net/udp", "udp");
	put(&t, "loadavg", "loadavg");
	put(&t, "uptime", "uptime");
	put(&t, "1/stat", "pidstat.normal");
	put(&t, "4242/stat", "pidstat.comm");
	put(&t, "777/stat", "pidstat.threads");

	struct sources *s = sources_new();
	cr_assert_not_null(s);
	lpw_init(&w, 0);
	run_sources(s, &cfg, &w, 1000000000LL);
	/* First reading: gauges only, never a rate. */
	cr_expect(has_line(&w, "mem,host=h1 total=16710090752i,"));
	cr_expect(has_line(&w, "swap,host=h1 total=2147479552i,used=536870912i,"));
	cr_expect(has_line(&w, "system,host=h1 load1=0.43,load5=0.36,load15=0.22,"));
	cr_expect(has_line(&w, "processes,host=h1 total=3i,running=0i,sleeping=2i,blocked=0i,"
	    "zombies=1i,"));
	cr_expect(has_line(&w, "total_threads=155i"));
	cr_expect(has_line(&w, "netstat,host=h1 tcp_established=4i,tcp_syn_sent=1i,"));
	cr_expect(has_line(&w, "tcp_listen=3i,tcp_closing=1i,udp_socket=2i"));
	cr_expect_not(has_line(&w, "_ps="), "no rates in the first cycle");
	cr_expect_not(has_line(&w, "cpu,"), "cpu percentages need two readings");

	put(&t, "stat", "stat.2cpu.t1");
	put(&t, "diskstats", "diskstats.wrap.t1");
	put(&t, "net/dev", "netdev.t1");
	lpw_reset(&w);
	run_sources(s, &cfg, &w, 11000000000LL);	/* 10 s later */
	cr_expect(has_line(&w, "cpu,cpu=cpu-total,host=h1 user_percent=10,nice_percent=0,"
	    "system_percent=5,idle_percent=80,iowait_percent=4,irq_percent=0,softirq_percent=1,"
	    "steal_percent=0,guest_percent=0,guest_nice_percent=0,usage_percent=16 "));
	cr_expect(has_line(&w, "cpu,cpu=cpu0,host=h1 "));
	cr_expect(has_line(&w, "kernel,host=h1 context_switches_ps=100,interrupts_ps=50,"
	    "processes_forked_ps=1,boot_time=1796007062i"));
	cr_expect(has_line(&w, "diskio,host=h1,name=sda,type=disk reads_ps=10,writes_ps=10,"
	    "read_bytes_ps=40960,write_bytes_ps=40960,"));
	cr_expect_not(has_line(&w, "name=sdb"), "reset disk: no rate");
	cr_expect(has_line(&w, "net,host=h1,interface=eth0 bytes_recv_ps=100,bytes_sent_ps=10000,"
	    "packets_recv_ps=10,packets_sent_ps=10,err_in_ps=0,err_out_ps=0,drop_in_ps=0,"
	    "drop_out_ps=0 "));
	cr_expect(has_line(&w, "net,host=h1,interface=bond0 bytes_recv_ps=100000,"));
	cr_expect_not(has_line(&w, "interface=lo"), "lo excluded by default");
	cr_expect(has_line(&w, "net,host=h1,interface=veth1a2b3c err_in_ps=0,err_out_ps=0,"
	    "drop_in_ps=0,drop_out_ps=0 "),
	    "reset counters are left out, the rest stays");
	lpw_free(&w);
	sources_free(s);
	agent_config_free(&cfg);
	tree_free(&t);
}

Test(sources, container_with_missing_files)
{
	struct tree t;
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };
	struct lpw w;

	tree_new(&t);
	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	free(cfg.proc_root);
	free(cfg.sys_root);
	cfg.proc_root = strdup(t.proc);
	cfg.sys_root = strdup(t.sys);
	/* Only meminfo and loadavg are visible (a locked-down container). */
	put(&t, "meminfo", "meminfo.container");
	put(&t, "loadavg", "loadavg");
	struct sources *s = sources_new();
	lpw_init(&w, 0);
	run_sources(s, &cfg, &w, 1000000000LL);
	run_sources(s, &cfg, &w, 2000000000LL);
	cr_expect(has_line(&w, "mem,host=h1 total=536870912i,"));
	cr_expect(has_line(&w, "system,host=h1 load1=0.43,"));
	cr_expect_not(has_line(&w, "cpu,"));
	cr_expect_not(has_line(&w, "diskio,"));
	cr_expect_not(has_line(&w, "netstat,"));
	cr_expect(has_line(&w, "swap,host=h1 total=0i,used=0i,free=0i,used_percent=0 "));
	cr_expect_eq(w.lines, 6, "mem, swap and system twice, got %zu", w.lines);
	lpw_free(&w);
	sources_free(s);

	/* disable: skips sources entirely */
	struct cfg_errors e2 = { 0 };
	cr_assert_eq(cfg_load_buffer(agent_schema, &cfg, "disable: [mem, system]\n", 23, "t",
	    &e2), 0);
	s = sources_new();
	lpw_init(&w, 0);
	run_sources(s, &cfg, &w, 1000000000LL);
	cr_expect_eq(w.lines, 0);
	lpw_free(&w);
	sources_free(s);
	cr_expect_eq(cfg_load_buffer(agent_schema, &cfg, "disable: [nosuch]\n", 18, "t", &e2), -1);
	cfg_errors_clear(&e2);
	agent_config_free(&cfg);
	tree_free(&t);
}

Test(sources, slow_sources_run_once_per_slow_interval)
{
	struct tree t;
	struct agent_config cfg;
	struct cfg_errors errs = { 0 };
	struct lpw w;
	struct rbuf scratch = { 0 };

	tree_new(&t);
	cr_assert_eq(agent_config_load(&cfg, NULL, &errs), 0);
	cr_expect_eq(cfg.slow_interval, 60, "default");
	free(cfg.proc_root);
	cfg.proc_root = strdup(t.proc);
	put(&t, "loadavg", "loadavg");
	put(&t, "uptime", "uptime");
	put(&t, "1/stat", "pidstat.normal");
	struct sources *s = sources_new();
	lpw_init(&w, 0);
	/* interval 10 s: after the first two collections (shown at once), of the cycles
	 * at :00, :10 … :50 only :00 reads every process */
	for (int64_t sec = 1700000040; sec < 1700000140; sec += 10) {
		struct collect c = { &w, "h1", sec * 1000000000LL, sec * 1000000000LL, &cfg,
			&scratch };
		lpw_reset(&w);
		sources_collect(s, &c);
		int want = sec % 60 == 0 || sec < 1700000060;
		cr_expect_eq(has_line(&w, "processes,host=h1 "), want, "at %lld", (long long)sec);
		cr_expect(has_line(&w, "system,host=h1 load1="), "cheap sources every cycle");
	}
	rbuf_free(&scratch);
	lpw_free(&w);
	sources_free(s);
	agent_config_free(&cfg);
	tree_free(&t);
}
