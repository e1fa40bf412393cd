/*
 * agent.h — internals of campusmon-agent: the one header of the component.
 *
 * The agent is a library (agent/libagent.a) with a tiny main. One thread
 * runs the loop (agent.c): every interval, at wall-clock boundaries, the
 * Linux sources (src_*.c) read /proc and /sys and write InfluxDB line
 * protocol (lpw.c) into a batch; the batch is gzipped and handed to the
 * pusher (push.c), which sends it with libcurl's multi interface from the
 * same loop, or to the disk spool (spool.c) while the collector is away.
 * Plugin reads (plugin_host.c) run on a small worker pool.
 *
 * Prototypes are grouped by the file that owns them.
 */
#ifndef CAMPUSMON_AGENT_H
#define CAMPUSMON_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cfg.h"

int agent_main(int argc, char **argv);

/* ---- config.c: the typed, bounded agent.yaml schema ---------------------- */

#define AGENT_CONFIG_FILE "/etc/campusmon/agent.yaml"

enum agent_log_target { AGENT_LOG_STDERR, AGENT_LOG_SYSLOG };

struct agent_config {
	char *url;			/* collector.url: base URL, no trailing path */
	char *token;
	char *ca_file;
	char *ca_path;			/* hashed CA directory when ca_file is unset */
	char *client_cert;
	char *client_key;
	char *proxy;
	long long timeout;		/* seconds per request */
	long long connect_timeout;
	long long retry_max;		/* longest backoff, seconds */
	long long interval;		/* seconds */
	char *host;			/* "" = short hostname */
	char *spool_dir;
	long long spool_max;		/* bytes */
	long long spool_rejected_keep;	/* set-aside batches kept */
	int fs_include_pseudo;
	int fs_include_remote;
	struct cfg_strlist fs_exclude_types;
	struct cfg_strlist fs_exclude_paths;
	struct cfg_strlist diskio_exclude;	/* fnmatch patterns */
	struct cfg_strlist net_exclude;		/* fnmatch patterns */
	struct cfg_strlist disable;		/* source names */
	long long inventory_interval;
	long long slow_interval;	/* seconds: processes, netstat (sources.c) */
	char *proc_root;		/* paths.proc, "/proc" */
	char *sys_root;			/* paths.sys, "/sys" */
	char *etc_root;			/* paths.etc, "/etc" */
	int log_target;
	long long plugin_workers;
	struct cfg_node *plugins;	/* the raw "plugins:" list */
};

extern const struct cfg_key agent_schema[];

/* Defaults, then the file (if path is not NULL); reports every error. */
int agent_config_load(struct agent_config *cfg, const char *path, struct cfg_errors *errs);
void agent_config_free(struct agent_config *cfg);
/* Is source `name` enabled (not listed in `disable`)? */
int agent_config_enabled(const struct agent_config *cfg, const char *name);

/* ---- lpw.c: line protocol writer ------------------------------------------ */

#define LPW_MAX_TAGS 16

/*
 * Lines are built with begin, tags, fields, end. Tag pointers must stay
 * valid until the first field or end (tags are written sorted by key). A
 * line without fields is dropped by end. Names and string values are
 * escaped; control characters become spaces; NaN/Inf floats are left out.
 * On allocation failure or when len would pass max, the writer stops
 * accepting lines (lpw.full = 1) and keeps what it has.
 */
struct lpw {
	char *buf;
	size_t len, cap;
	size_t max;			/* 0: unbounded */
	size_t lines;
	int full;
	/* line under construction */
	size_t line_start;
	int in_line;
	int n_fields;
	int n_tags;
	const char *tag_k[LPW_MAX_TAGS];
	const char *tag_v[LPW_MAX_TAGS];
};

void lpw_init(struct lpw *w, size_t max);
void lpw_reset(struct lpw *w);
void lpw_free(struct lpw *w);
void lpw_begin(struct lpw *w, const char *measurement);
void lpw_tag(struct lpw *w, const char *key, const char *value);
void lpw_float(struct lpw *w, const char *key, double v);
void lpw_int(struct lpw *w, const char *key, long long v);
void lpw_uint(struct lpw *w, const char *key, unsigned long long v);
void lpw_str(struct lpw *w, const char *key, const char *v);
void lpw_bool(struct lpw *w, const char *key, int v);
/* Returns 1 if the line was kept, 0 if dropped (no fields, or full). */
int lpw_end(struct lpw *w, int64_t ts_ns);
/* Append whole lines written elsewhere. Returns 0 or -1 (full). */
int lpw_append(struct lpw *w, const char *text, size_t len, size_t lines);

/* ---- rate.c: counters to rates --------------------------------------------- */

/*
 * Delta of a monotonically increasing counter. A counter that went back is
 * taken as a 32-bit wrap when prev fits in 32 bits and the wrapped delta is
 * plausible (< 2^31), else as a reset: returns -1 and no rate is sent.
 */
int counter_delta(uint64_t prev, uint64_t cur, uint64_t *delta);
/* delta per second over elapsed_ns (> 0). */
double rate_ps(uint64_t delta, int64_t elapsed_ns);

/* ---- procfs.c: reading /proc and /sys files -------------------------------- */

/* A reusable read buffer (grows, never shrinks below what one file needed). */
struct rbuf {
	char *p;
	size_t cap;
};

#define PROC_FILE_MAX (4u << 20)

/*
 * Read root/rel into b (NUL-terminated). Returns the length, or -1 with
 * errno set (ENOENT in containers, EFBIG beyond PROC_FILE_MAX).
 */
long proc_read(struct rbuf *b, const char *root, const char *rel);
/* Read a one-line file such as /sys/class/net/eth0/speed into out. */
int proc_read_line(const char *root, const char *rel, char *out, size_t outlen);
void rbuf_free(struct rbuf *b);
/* Skip blanks, parse an unsigned decimal; advances *p. Returns 0 or -1. */
int scan_u64(const char **p, const char *end, uint64_t *out);
/* Skip blanks, copy a blank-delimited word (truncated to fit). Returns its length or -1. */
int scan_word(const char **p, const char *end, char *out, size_t outlen);
/* Next line of buf[0..len) from *pos (without '\n'); returns 0 at the end. */
int next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *llen);
/*
 * Parse every line of a /proc table with parse_line into a heap array of
 * records of elem bytes (at most 65,536; lines it refuses are skipped).
 * *out is the caller's to free. Returns 0, or -1 when out of memory.
 */
int parse_table(const char *buf, size_t len, size_t elem,
    int (*parse_line)(const char *line, size_t llen, void *rec), void **out, size_t *n);

/* ---- collect context, shared by the sources -------------------------------- */

struct collect {
	struct lpw *out;
	const char *host;
	int64_t ts_ns;			/* the cycle's timestamp (line time) */
	int64_t mono_ns;		/* when the reading was taken (rates) */
	const struct agent_config *cfg;
	struct rbuf *scratch;
};

/* lpw_begin(measurement) and the host tag. */
void collect_begin(struct collect *c, const char *measurement);

struct source_ops {
	const char *name;		/* as in config "disable:" */
	void *(*init)(void);		/* per-source state (rates), or NULL on OOM */
	/* 0, or -1 with errno when the source's files cannot be read. */
	int (*collect)(void *state, struct collect *c);
	void (*free)(void *state);
};

extern const struct source_ops src_cpu;		/* cpu, kernel */
extern const struct source_ops src_mem;		/* mem, swap */
extern const struct source_ops src_diskio;	/* diskio */
extern const struct source_ops src_fs;		/* disk */
extern const struct source_ops src_net;		/* net */
extern const struct source_ops src_netstat;	/* netstat */
extern const struct source_ops src_processes;	/* processes */
extern const struct source_ops src_system;	/* system */

/* sources.c: the table of Linux sources and one collection pass. */
struct sources;
struct sources *sources_new(void);
void sources_collect(struct sources *s, struct collect *c);
void sources_free(struct sources *s);
/* Is `name` a source name (for config checks)? */
int sources_known(const char *name);

/* ---- src_cpu.c: /proc/stat --------------------------------------------------- */

enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ,
	CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_T_N };

struct cpu_times {
	char name[16];			/* "cpu" (total), "cpu0", ... */
	uint64_t t[CPU_T_N];
	int n;				/* columns present */
};

#define PROCSTAT_CTXT 0x01
#define PROCSTAT_INTR 0x02
#define PROCSTAT_FORKS 0x04
#define PROCSTAT_BTIME 0x08
#define PROCSTAT_RUNNING 0x10
#define PROCSTAT_BLOCKED 0x20

struct procstat {
	struct cpu_times *cpu;		/* heap; total first when present */
	size_t n_cpu;
	uint64_t ctxt, intr, forks, btime, procs_running, procs_blocked;
	unsigned have;			/* PROCSTAT_* */
};

/* Returns 0 (out->cpu allocated) or -1 for malformed or empty input. */
int procstat_parse(const char *buf, size_t len, struct procstat *out);
void procstat_free(struct procstat *ps);
/* Busy/idle percentages between two readings; returns -1 if no time passed. */
int cpu_percent(const struct cpu_times *prev, const struct cpu_times *cur, double pct[CPU_T_N]);

/* ---- src_mem.c: /proc/meminfo ------------------------------------------------ */

#define MEMINFO_AVAILABLE 0x01
#define MEMINFO_SRECLAIMABLE 0x02
#define MEMINFO_SWAP 0x04

struct meminfo {
	uint64_t total, free, available, buffers, cached, sreclaimable, shmem;
	uint64_t swap_total, swap_free, swap_cached, dirty, slab;
	unsigned have;			/* MEMINFO_* */
};

/* Values in bytes. Returns 0, or -1 when MemTotal is missing or input bad. */
int meminfo_parse(const char *buf, size_t len, struct meminfo *out);
/* Used memory as free(1) counts it: total - free - buffers - cache. */
uint64_t meminfo_used(const struct meminfo *m);
uint64_t meminfo_available(const struct meminfo *m);

/* ---- src_diskio.c: /proc/diskstats --------------------------------------- */

struct diskstat {
	char name[64];
	unsigned major, minor;
	uint64_t rd_ios, rd_merges, rd_sectors, rd_ticks;
	uint64_t wr_ios, wr_merges, wr_sectors, wr_ticks;
	uint64_t in_flight, io_ticks, queue_ticks;
	int kind;			/* DISK_KIND_*, filled by diskio_kind */
};

enum { DISK_KIND_UNKNOWN, DISK_KIND_DISK, DISK_KIND_PARTITION };

/* One line; returns 0 or -1. Accepts the 4-, 11-, 15-, 17- and 20-field forms. */
int diskstats_parse_line(const char *line, size_t len, struct diskstat *d);
/* Whole file into a heap array (*out, *n). Malformed lines are skipped. */
int diskstats_parse(const char *buf, size_t len, struct diskstat **out, size_t *n);
/* Whole disk or partition, from sys_root/class/block/NAME/partition. */
int diskio_kind(const char *sys_root, const char *name);

struct disk_rates {
	double reads_ps, writes_ps, read_bytes_ps, write_bytes_ps;
	double merged_reads_ps, merged_writes_ps;
	double read_await_ms, write_await_ms, queue_depth, util_percent;
};
/* iostat-style rates between two readings; -1 on reset or no time. */
int diskio_rates(const struct diskstat *prev, const struct diskstat *cur,
    int64_t elapsed_ns, struct disk_rates *r);

/* ---- src_fs.c: /proc/self/mountinfo + statvfs ------------------------------ */

struct mount_entry {
	char *point;			/* unescaped, points into the line */
	char *fstype;
	char *source;
	unsigned major, minor;
	int ro;
};

/*
 * Parse one mountinfo line in place (unescapes \040 etc.); line[len] must be
 * writable (it is set to NUL). Returns 0 or -1.
 */
int mountinfo_parse_line(char *line, size_t len, struct mount_entry *m);
int fs_type_is_pseudo(const char *fstype);
int fs_type_is_remote(const char *fstype);

/* ---- src_net.c: /proc/net/dev ----------------------------------------------- */

struct netdev {
	char name[32];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

int netdev_parse_line(const char *line, size_t len, struct netdev *d);
int netdev_parse(const char *buf, size_t len, struct netdev **out, size_t *n);

/* ---- src_netstat.c: /proc/net/tcp{,6}, udp{,6} ------------------------------ */

#define TCP_STATE_MAX 12
/* TCP state (1..11) of one /proc/net/tcp line, 0 for the header, -1 if bad. */
int netstat_tcp_state(const char *line, size_t len);
extern const char *const tcp_state_field[TCP_STATE_MAX];
/*
 * Count TCP sockets by state and UDP sockets (IPv4 and IPv6) through netlink
 * sock_diag, as ss does (binary records instead of /proc/net/tcp's text,
 * which costs milliseconds per thousand sockets), with TIME_WAIT and UDP
 * taken from /proc/net/sockstat, and the IPv6 walk skipped when no IPv6 TCP
 * socket is in use. Returns 0 or -1 (no netlink).
 */
int netstat_netlink(unsigned long long tcp[TCP_STATE_MAX], unsigned long long *udp);
struct sockstat {
	unsigned long long tcp_inuse, tcp_tw, udp_inuse, tcp6_inuse, udp6_inuse;
};
/* Fill what /proc/net/sockstat (or sockstat6) says; 0, or -1 if nothing known. */
int sockstat_parse(const char *buf, size_t len, struct sockstat *out);

/* ---- src_processes.c: /proc/PID/stat ----------------------------------------- */

/* State letter and thread count of one /proc/PID/stat; returns 0 or -1. */
int pidstat_parse(const char *buf, size_t len, char *state, long *threads);

/* ---- src_system.c: /proc/loadavg, /proc/uptime -------------------------------- */

int loadavg_parse(const char *buf, size_t len, double load[3], unsigned *running,
    unsigned *tasks);
int uptime_parse(const char *buf, size_t len, double *uptime);

/* ---- inventory.c: host inventory, at start and every inventory_interval ---- */

/* PRETTY_NAME (else NAME VERSION) of os-release; returns 0 or -1. */
int os_release_parse(const char *buf, size_t len, char *out, size_t outlen);
/* First CPU model name and the processor count; returns 0 or -1. */
int cpuinfo_parse(const char *buf, size_t len, char *model, size_t modellen, int *count);
/* Write the inventory line (hostname, os, kernel, cpu, memory, addresses, macs). */
void inventory_collect(struct collect *c);

/* ---- batch.c: gzip bodies and splitting --------------------------------------- */

struct batch {
	uint64_t seq;			/* spool sequence, 0 when only in memory */
	int interval;			/* seconds, for X-Campusmon-Interval */
	char *body;			/* gzip; heap, owned */
	size_t len;
	size_t lines;
};

int batch_gzip(const char *text, size_t len, char **out, size_t *outlen);
/* Inflate at most max bytes; -1 on corrupt data or larger output. */
int batch_gunzip(const char *gz, size_t len, size_t max, char **out, size_t *outlen);
/* Make a batch of text (copied, compressed). Returns 0 or -1. */
int batch_make(struct batch *b, const char *text, size_t len, size_t lines, int interval);
/* Split a batch's lines into two halves (a and b). -1 if it has one line. */
int batch_split(const struct batch *in, struct batch *a, struct batch *b);
void batch_clear(struct batch *b);

/* ---- spool.c: the bounded on-disk queue ------------------------------------ */

/*
 * Files DIR/<16 hex digits>.batch, oldest = lowest sequence, each holding a
 * one-line header ("campusmon-batch 1 interval=N lines=N\n") and the gzip
 * body. Written to a temp file and renamed into place. Batches set aside
 * (collector answered 400) move to DIR/rejected/.
 */
struct spool {
	char *dir;
	int dirfd;
	uint64_t head, tail;		/* queued sequences: [head, tail) */
	uint64_t pinned;		/* in flight: never dropped; 0 = none */
	unsigned long long bytes;
	size_t count;
	unsigned long long max_bytes;
	long rejected_keep;
	uint64_t rejected_next;		/* name of the next set-aside file */
	unsigned long long dropped;	/* oldest batches dropped when full */
	int full_warned;
};

int spool_open(struct spool *s, const char *dir, unsigned long long max_bytes,
    long rejected_keep, char *err, size_t errlen);
void spool_close(struct spool *s);
/* Queue as newest (front = 0) or as oldest (front = 1); drops oldest when full. */
int spool_put(struct spool *s, const struct batch *b, int front);
/* Load the oldest queued batch (b->seq set). 1 = got one, 0 = empty, -1 = error. */
int spool_peek(struct spool *s, struct batch *b);
/* Delete a batch after the collector acknowledged it. */
void spool_remove(struct spool *s, uint64_t seq);
/* The header line of a spool file, and its strict reading: the header's
 * length (newline included), or -1 when buf does not start with a valid one
 * within SPOOL_HEADER_MAX bytes (wrong magic or version, a number out of
 * range, anything after lines=N). */
int spool_header_format(char *out, size_t cap, int interval, size_t lines);
long spool_header_parse(const char *buf, size_t len, int *interval, size_t *lines);
/* Move a batch to rejected/ with the reason; keeps rejected_keep files. */
void spool_reject(struct spool *s, uint64_t seq, const char *why);

/* ---- push.c: HTTP(S) to the collector --------------------------------------- */

enum push_verdict {
	PUSH_ACK,		/* 2xx: delete */
	PUSH_REJECT,		/* 400/422: set aside, never retried */
	PUSH_SPLIT,		/* 413: split in two and retry */
	PUSH_AUTH,		/* 401/403: keep spooling, loud error */
	PUSH_RETRY,		/* 5xx, 408, 429, network: spool, back off */
};

/* The verdict for a finished request (curl_ok = transfer completed). */
enum push_verdict push_classify(int curl_ok, long status);
/* The "error" string of a collector JSON error body, else the raw text. */
void push_error_text(const char *body, size_t len, char *out, size_t outlen);
/* Backoff before retry n (1-based): min(cap, 2^(n-1)) s, jittered into [d/2, d]. */
double push_backoff(int failures, double cap_s, unsigned *seed);

struct agent_stats {
	unsigned long long created, sent, acked, spooled, dropped, rejected, split;
	unsigned long long failures, plugin_overruns;
};

struct pusher;
struct curl_waitfd;

struct pusher *pusher_new(const struct agent_config *cfg, struct spool *spool,
    struct agent_stats *stats);
void pusher_free(struct pusher *p);
/* New configuration (after SIGHUP); takes effect with the next request. */
void pusher_reconfigure(struct pusher *p, const struct agent_config *cfg);
/* Queue a new batch (ownership taken). */
void pusher_enqueue(struct pusher *p, struct batch *b);
/* Wait for network activity, extra fds or timeout_ms; then make progress. */
int pusher_poll(struct pusher *p, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);
/* Milliseconds until the pusher needs the loop again (-1: only on I/O). */
long pusher_next_ms(const struct pusher *p);
/* Wake pusher_poll from another thread. */
void pusher_wakeup(struct pusher *p);
/* Spool whatever is in memory (shutdown). */
void pusher_flush_to_spool(struct pusher *p);
int pusher_idle(const struct pusher *p);

/* ---- plugin_host.c: plugin instances and their worker pool ------------------ */

struct plugin_host;

/*
 * Validate (and, when configure is set, configure) every instance of the
 * "plugins:" list. Returns NULL with errs filled when any instance is bad.
 * With configure = 0 only the schemas are checked (-t, reload dry run).
 */
struct plugin_host *plugin_host_new(const struct agent_config *cfg, const char *host,
    const char *cfgname, int configure, struct cfg_errors *errs);
size_t plugin_host_count(const struct plugin_host *h);
/* Worker threads to start (capped at the instance count); before start. */
void plugin_host_set_workers(struct plugin_host *h, size_t n);
/* Start the workers; done_cb(arg) is called from a worker after each read. */
int plugin_host_start(struct plugin_host *h, void (*done_cb)(void *), void *arg);
/* Queue the reads due at this tick (ts_ns, aligned to each instance's interval). */
void plugin_host_tick(struct plugin_host *h, int64_t ts_ns);
/* Run every instance once on this thread (--once). */
void plugin_host_run_once(struct plugin_host *h, int64_t ts_ns);
/*
 * Move finished output, per interval, to the callback; text is valid during
 * the call only.
 */
void plugin_host_drain(struct plugin_host *h,
    void (*fn)(int interval, const char *text, size_t len, size_t lines, void *arg),
    void *arg);
/*
 * Stop the workers, waiting up to wait_ms for running reads; their output
 * stays pending for plugin_host_drain. Returns 1 if a read did not return.
 */
int plugin_host_stop(struct plugin_host *h, int wait_ms);
/* Stop (if not yet), then free everything unless a read is still running. */
void plugin_host_free(struct plugin_host *h, int wait_ms);
unsigned long long plugin_host_overruns(const struct plugin_host *h);
/* Markdown tables of the instance keys and of every registered plugin's keys. */
void plugin_host_write_doc(FILE *out);

#endif
