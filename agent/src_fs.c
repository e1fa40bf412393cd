/*
 * src_fs.c — filesystem space and inodes (statvfs) for the mounts listed in
 * /proc/self/mountinfo.
 *
 *   disk,path=/,device=sda1,fstype=ext4,mode=rw  total, free, used,
 *       used_percent, inodes_total, inodes_free, inodes_used,
 *       inodes_used_percent, read_only
 *
 * Skipped unless configured: pseudo and container-overlay filesystems
 * (filesystems.include_pseudo) and network filesystems, whose statvfs can
 * hang the agent on a dead server (filesystems.include_remote). autofs is
 * always skipped (statvfs would trigger the mount). A filesystem mounted
 * twice (bind mounts) is reported once, at its first mount point.
 */
#include "agent/agent.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

static const char *const pseudo_types[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "cgroup", "cgroup2",
	"securityfs", "pstore", "bpf", "debugfs", "tracefs", "configfs", "fusectl",
	"mqueue", "hugetlbfs", "binfmt_misc", "rpc_pipefs", "nsfs", "efivarfs",
	"selinuxfs", "overlay", "aufs", "squashfs", "iso9660", "devfs", "nfsd",
	"fuse.lxcfs", "fuse.gvfsd-fuse", "fuse.portal", "tmpfs", "shiftfs", "zonefs",
	NULL
};

static const char *const remote_types[] = {
	"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "ceph", "glusterfs",
	"fuse.glusterfs", "fuse.sshfs", "fuse.s3fs", "fuse.rclone", "9p", "afs",
	"lustre", "davfs", "fuse.davfs2", "ocfs2", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int
fs_type_is_pseudo(const char *fstype)
{
	return in_list(pseudo_types, fstype);
}

int
fs_type_is_remote(const char *fstype)
{
	return in_list(remote_types, fstype);
}

/* Undo the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 \). */
static void
unescape(char *s)
{
	char *o = s;
	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static int
has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = opts; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && memcmp(p, opt, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

int
mountinfo_parse_line(char *line, size_t len, struct mount_entry *m)
{
	char *tok[64];
	size_t nt = 0, i = 0;

	memset(m, 0, sizeof(*m));
	while (i < len && nt < sizeof(tok) / sizeof(tok[0])) {
		while (i < len && line[i] == ' ')
			line[i++] = '\0';
		if (i >= len)
			break;
		tok[nt++] = line + i;
		while (i < len && line[i] != ' ')
			i++;
	}
	if (i < len)
		line[i] = '\0';
	else
		line[len] = '\0';	/* the line ends at len: buffer holds \n or NUL there */
	/* id parent maj:min root point opts [optional...] - fstype source superopts */
	size_t sep = 0;
	for (size_t k = 6; k < nt; k++) {
		if (strcmp(tok[k], "-") == 0) {
			sep = k;
			break;
		}
	}
	if (sep == 0 || sep + 2 >= nt)
		return -1;	/* need fstype and source after the separator */
	char *colon = strchr(tok[2], ':'), *end;
	if (colon == NULL)
		return -1;
	*colon = '\0';
	unsigned long maj = strtoul(tok[2], &end, 10);
	if (*end != '\0' || end == tok[2])
		return -1;
	unsigned long min = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1)
		return -1;
	m->major = (unsigned)maj;
	m->minor = (unsigned)min;
	m->point = tok[4];
	m->fstype = tok[sep + 1];
	m->source = tok[sep + 2];
	unescape(m->point);
	unescape(m->source);
	m->ro = has_option(tok[5], "ro") || (sep + 3 < nt && has_option(tok[sep + 3], "ro"));
	if (m->point[0] != '/')
		return -1;
	return 0;
}

static int
matches(const struct cfg_strlist *l, const char *s, int flags)
{
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], s, flags) == 0)
			return 1;
	return 0;
}

static void *
fs_init(void)
{
	return calloc(1, 1);
}

struct devid {
	unsigned major, minor;
};

static int
fs_collect(void *p, struct collect *c)
{
	const struct agent_config *cfg = c->cfg;
	long len = proc_read(c->scratch, cfg->proc_root, "self/mountinfo");
	size_t pos = 0, llen, nseen = 0, capseen = 0;
	const char *line;
	struct devid *seen = NULL;
	(void)p;

	if (len < 0)
		return -1;
	char *buf = c->scratch->p;
	while (next_line(buf, (size_t)len, &pos, &line, &llen)) {
		struct mount_entry m;
		if (mountinfo_parse_line((char *)line, llen, &m) < 0)
			continue;
		if (strcmp(m.fstype, "autofs") == 0)
			continue;
		if (!cfg->fs_include_pseudo && fs_type_is_pseudo(m.fstype))
			continue;
		if (!cfg->fs_include_remote && fs_type_is_remote(m.fstype))
			continue;
		if (matches(&cfg->fs_exclude_types, m.fstype, 0) ||
		    matches(&cfg->fs_exclude_paths, m.point, FNM_PATHNAME))
			continue;
		int dup = 0;
		for (size_t i = 0; i < nseen; i++)
			dup |= seen[i].major == m.major && seen[i].minor == m.minor;
		if (dup)
			continue;
		if (nseen == capseen) {
			size_t ncap = capseen ? capseen * 2 : 16;
			struct devid *s = realloc(seen, ncap * sizeof(*s));
			if (s == NULL)
				break;
			seen = s;
			capseen = ncap;
		}
		seen[nseen++] = (struct devid){ m.major, m.minor };

		struct statvfs sv;
		if (statvfs(m.point, &sv) < 0 || sv.f_blocks == 0)
			continue;	/* gone, or no blocks to speak of */
		unsigned long long fr = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
		unsigned long long total = (unsigned long long)sv.f_blocks * fr;
		unsigned long long avail = (unsigned long long)sv.f_bavail * fr;
		unsigned long long used = (unsigned long long)(sv.f_blocks - sv.f_bfree) * fr;
		const char *dev = strrchr(m.source, '/');
		dev = dev != NULL && dev[1] != '\0' ? dev + 1 : m.source;
		int ro = m.ro || (sv.f_flag & ST_RDONLY);

		collect_begin(c, "disk");
		lpw_tag(c->out, "path", m.point);
		lpw_tag(c->out, "device", dev);
		lpw_tag(c->out, "fstype", m.fstype);
		lpw_tag(c->out, "mode", ro ? "ro" : "rw");
		lpw_uint(c->out, "total", total);
		lpw_uint(c->out, "free", avail);
		lpw_uint(c->out, "used", used);
		lpw_float(c->out, "used_percent",
		    used + avail ? 100.0 * (double)used / (double)(used + avail) : 0);
		if (sv.f_files > 0) {
			unsigned long long ifree = sv.f_ffree, itotal = sv.f_files;
			lpw_uint(c->out, "inodes_total", itotal);
			lpw_uint(c->out, "inodes_free", ifree);
			lpw_uint(c->out, "inodes_used", itotal - ifree);
			lpw_float(c->out, "inodes_used_percent",
			    100.0 * (double)(itotal - ifree) / (double)itotal);
		}
		lpw_int(c->out, "read_only", ro);
		lpw_end(c->out, c->ts_ns);
	}
	free(seen);
	return 0;
}

const struct source_ops src_fs = { "disk", fs_init, fs_collect, free };
