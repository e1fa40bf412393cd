/*
 * agent.c — campusmon-agent's lifecycle: command line, configuration,
 * the loop, SIGHUP reload and shutdown.
 *
 * The loop is a plain timer loop around curl_multi_poll(): it sleeps until
 * the next wall-clock multiple of the interval, the next push retry, curl
 * socket activity, a signal (signalfd) or a plugin worker's wakeup. No
 * libevent: the agent has one timer, one socket and one signal fd, and
 * libcurl's multi interface already polls those (see docs/agent.md).
 */
#include "agent/agent.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "config.h"

#define NS 1000000000LL
#define BATCH_TEXT_MAX (32u << 20)

struct agent {
	struct agent_config cfg;
	const char *config_path;	/* NULL: embedded defaults */
	const char *cli_url, *cli_token, *cli_interval;
	char host[256];
	struct sources *sources;
	struct plugin_host *plugins;
	struct spool spool;
	struct pusher *push;
	struct agent_stats stats;
	struct lpw lpw;
	struct rbuf scratch;
	int64_t next_inventory_ns;
	double last_cycle_cpu_ms;
	int sigfd;
	int running;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: campusmon-agent [-c FILE] [-t] [--once] [--collector URL] [--token TOKEN]\n"
	    "                       [--interval S] [-v] [-d SUBSYSTEMS] [-V]\n"
	    "  -c FILE          configuration (default " AGENT_CONFIG_FILE " if it exists)\n"
	    "  -t               check the configuration, report every error, exit\n"
	    "  --once           take two readings 1 s apart, print line protocol, exit\n"
	    "  --collector URL  collector base URL (collector.url)\n"
	    "  --token TOKEN    agent token (collector.token)\n"
	    "  --interval S     collection interval (interval), e.g. 10s\n"
	    "  -v               debug logging\n"
	    "  -d SUBSYSTEMS    limit debug logging to these (push,plugin)\n"
	    "  -V               print the version\n"
	    "  --dump-config-doc  print the configuration reference (Markdown) and exit\n");
}

static void
short_hostname(char *out, size_t outlen)
{
	if (gethostname(out, outlen) < 0 || out[0] == '\0')
		snprintf(out, outlen, "localhost");
	out[outlen - 1] = '\0';
	out[strcspn(out, ".")] = '\0';
}

/* Load file + command-line overrides into cfg; errors into errs. */
static int
load_config(struct agent *a, struct agent_config *cfg, struct cfg_errors *errs)
{
	int rc = agent_config_load(cfg, a->config_path, errs);
	if (a->cli_url != NULL && cfg_set(agent_schema, cfg, "collector.url", a->cli_url, errs) < 0)
		rc = -1;
	if (a->cli_token != NULL &&
	    cfg_set(agent_schema, cfg, "collector.token", a->cli_token, errs) < 0)
		rc = -1;
	if (a->cli_interval != NULL &&
	    cfg_set(agent_schema, cfg, "interval", a->cli_interval, errs) < 0)
		rc = -1;
	return rc;
}

static void
set_host(struct agent *a)
{
	if (a->cfg.host != NULL && a->cfg.host[0] != '\0')
		snprintf(a->host, sizeof(a->host), "%s", a->cfg.host);
	else
		short_hostname(a->host, sizeof(a->host));
}

static void
collect_into(struct agent *a, struct lpw *out, int64_t ts_ns)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct collect c = {
		.out = out,
		.host = a->host,
		.ts_ns = ts_ns,
		.mono_ns = (int64_t)now.tv_sec * NS + now.tv_nsec,
		.cfg = &a->cfg,
		.scratch = &a->scratch,
	};
	sources_collect(a->sources, &c);
	if (ts_ns >= a->next_inventory_ns) {
		inventory_collect(&c);
		a->next_inventory_ns = ts_ns + a->cfg.inventory_interval * NS;
	}
}

static void
self_metrics(struct agent *a, int64_t ts_ns)
{
	struct lpw *w = &a->lpw;
	const struct agent_stats *s = &a->stats;

	lpw_begin(w, "campusmon_agent");
	lpw_tag(w, "host", a->host);
	lpw_uint(w, "batches_created", s->created);
	lpw_uint(w, "batches_sent", s->sent);
	lpw_uint(w, "batches_acked", s->acked);
	lpw_uint(w, "batches_spooled", s->spooled);
	lpw_uint(w, "batches_dropped", a->spool.dropped);
	lpw_uint(w, "batches_rejected", s->rejected);
	lpw_uint(w, "batches_split", s->split);
	lpw_uint(w, "send_failures", s->failures);
	lpw_uint(w, "spool_batches", a->spool.count);
	lpw_uint(w, "spool_bytes", a->spool.bytes);
	lpw_uint(w, "plugin_overruns", plugin_host_overruns(a->plugins));
	lpw_float(w, "cycle_cpu_ms", a->last_cycle_cpu_ms);
	lpw_end(w, ts_ns);
}

static void
enqueue_text(struct agent *a, int interval, const char *text, size_t len, size_t lines)
{
	struct batch b;
	if (len == 0)
		return;
	if (batch_make(&b, text, len, lines, interval) < 0) {
		log_warnx("cannot compress a batch of %zu lines (out of memory); lost", lines);
		return;
	}
	pusher_enqueue(a->push, &b);
}

/* plugin_host_drain callback: same interval joins the cycle's batch. */
static void
plugin_output(int interval, const char *text, size_t len, size_t lines, void *arg)
{
	struct agent *a = arg;
	if (interval == (int)a->cfg.interval && lpw_append(&a->lpw, text, len, lines) == 0)
		return;
	enqueue_text(a, interval, text, len, lines);
}

static double
thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
cycle(struct agent *a, int64_t ts_ns)
{
	double cpu0 = thread_cpu_ms();

	lpw_reset(&a->lpw);
	collect_into(a, &a->lpw, ts_ns);
	self_metrics(a, ts_ns);
	plugin_host_drain(a->plugins, plugin_output, a);
	if (a->lpw.full)
		log_warnx("a cycle produced more than %u bytes; the rest was left out",
		    BATCH_TEXT_MAX);
	enqueue_text(a, (int)a->cfg.interval, a->lpw.buf, a->lpw.len, a->lpw.lines);
	lpw_reset(&a->lpw);	/* sent: only later plugin output may collect here */
	if (a->lpw.cap > (256u << 10)) {
		lpw_free(&a->lpw);	/* a burst: give the memory back */
		lpw_init(&a->lpw, BATCH_TEXT_MAX);
	}
	plugin_host_tick(a->plugins, ts_ns);
	a->last_cycle_cpu_ms = thread_cpu_ms() - cpu0;
}

static void
log_stats(struct agent *a)
{
	const struct agent_stats *s = &a->stats;
	log_info("stats: batches created=%llu sent=%llu acked=%llu spooled=%llu dropped=%llu "
	    "rejected=%llu split=%llu failures=%llu; spool holds %zu batches (%llu bytes)",
	    s->created, s->sent, s->acked, s->spooled, a->spool.dropped, s->rejected, s->split,
	    s->failures, a->spool.count, a->spool.bytes);
}

static void
wake_loop(void *arg)
{
	pusher_wakeup(arg);
}

static struct plugin_host *
make_plugins(struct agent *a, const struct agent_config *cfg, struct cfg_errors *errs)
{
	struct plugin_host *h = plugin_host_new(cfg, a->host, a->config_path, 1, errs);
	if (h != NULL)
		plugin_host_set_workers(h, (size_t)cfg->plugin_workers);
	return h;
}

/* The token travels in every request: say so when it would cross a network in clear. */
static void
warn_plain_http(const char *url)
{
	static const char *const local[] = { "http://127.", "http://localhost:",
		"http://localhost/", "http://[::1]" };
	if (url == NULL || strncmp(url, "http://", 7) != 0)
		return;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strncmp(url, local[i], strlen(local[i])) == 0)
			return;
	log_warnx("collector.url %s is plain HTTP: the token and metrics cross the network "
	    "unencrypted; use https://", url);
}

static void
reload(struct agent *a)
{
	struct agent_config ncfg;
	struct cfg_errors errs = { 0 };

	log_info("SIGHUP: reloading %s", a->config_path ? a->config_path : "(defaults)");
	if (load_config(a, &ncfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload failed: keeping the running configuration");
		cfg_errors_clear(&errs);
		agent_config_free(&ncfg);
		return;
	}
	struct agent_config old = a->cfg;
	a->cfg = ncfg;	/* make_plugins checks intervals against the new one */
	char oldhost[sizeof(a->host)];
	memcpy(oldhost, a->host, sizeof(oldhost));
	set_host(a);
	struct plugin_host *np = make_plugins(a, &a->cfg, &errs);
	if (np == NULL) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload failed: keeping the running configuration");
		cfg_errors_clear(&errs);
		agent_config_free(&a->cfg);
		a->cfg = old;
		memcpy(a->host, oldhost, sizeof(oldhost));
		return;
	}
	/* The old instances stop; everything they read still goes out. */
	plugin_host_stop(a->plugins, 5000);
	plugin_host_drain(a->plugins, plugin_output, a);
	plugin_host_free(a->plugins, 0);
	a->plugins = np;
	if (strcmp(old.spool_dir, a->cfg.spool_dir) != 0)
		log_warnx("spool.dir changed: takes effect at the next restart (still %s)",
		    a->spool.dir);
	a->spool.max_bytes = (unsigned long long)a->cfg.spool_max;
	a->spool.rejected_keep = (long)a->cfg.spool_rejected_keep;
	pusher_reconfigure(a->push, &a->cfg);
	if (strcmp(old.url ? old.url : "", a->cfg.url ? a->cfg.url : "") != 0)
		warn_plain_http(a->cfg.url);
	if (a->cfg.log_target == AGENT_LOG_SYSLOG && old.log_target != AGENT_LOG_SYSLOG)
		log_use_syslog(LOG_DAEMON);
	agent_config_free(&old);
	plugin_host_start(a->plugins, wake_loop, a->push);
	log_info("configuration reloaded: interval %llds, %zu plugin instances, host %s",
	    a->cfg.interval, plugin_host_count(a->plugins), a->host);
}

static int
setup_signals(struct agent *a)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	/* Blocked before any thread starts, so every thread inherits it. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	/* Inherited SIG_IGN would make exec_run() lose its checks' exits. */
	signal(SIGCHLD, SIG_DFL);
	a->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return a->sigfd < 0 ? -1 : 0;
}

static void
handle_signals(struct agent *a)
{
	struct signalfd_siginfo si;
	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: shutting down", si.ssi_signo);
			a->running = 0;
			break;
		case SIGHUP:
			reload(a);
			break;
		case SIGUSR1:
			log_stats(a);
			break;
		}
	}
}

static int64_t
next_tick(int64_t now_ns, long long interval_s)
{
	int64_t iv = (int64_t)interval_s * NS;
	return (now_ns / iv + 1) * iv;
}

static int
run(struct agent *a)
{
	char err[512];

	if (spool_open(&a->spool, a->cfg.spool_dir, (unsigned long long)a->cfg.spool_max,
	    (long)a->cfg.spool_rejected_keep, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return 1;
	}
	if ((a->push = pusher_new(&a->cfg, &a->spool, &a->stats)) == NULL) {
		log_warnx("cannot initialise libcurl");
		return 1;
	}
	if (setup_signals(a) < 0) {
		log_warn("cannot set up signal handling");
		return 1;
	}
	if (plugin_host_start(a->plugins, wake_loop, a->push) < 0) {
		log_warnx("cannot start plugin workers");
		return 1;
	}
	lpw_init(&a->lpw, BATCH_TEXT_MAX);
	/* A first reading primes the counters: the first batch has real rates. */
	struct lpw prime;
	lpw_init(&prime, BATCH_TEXT_MAX);
	int64_t inv = a->next_inventory_ns;
	a->next_inventory_ns = INT64_MAX;
	collect_into(a, &prime, util_now_ns());
	a->next_inventory_ns = inv;
	lpw_free(&prime);

	warn_plain_http(a->cfg.url);
	log_info("campusmon-agent %s: host %s, every %llds to %s, spool %s, %zu plugin "
	    "instances", PACKAGE_VERSION, a->host, a->cfg.interval, a->cfg.url, a->spool.dir,
	    plugin_host_count(a->plugins));
	a->running = 1;
	int64_t tick = next_tick(util_now_ns(), a->cfg.interval);
	while (a->running) {
		int64_t now = util_now_ns();
		int64_t iv = a->cfg.interval * NS;
		if (tick - now > iv)	/* the clock went back, or the interval shrank */
			tick = next_tick(now, a->cfg.interval);
		if (now >= tick) {
			cycle(a, tick);
			int64_t nt = next_tick(util_now_ns(), a->cfg.interval);
			if (nt - tick > iv)
				log_warnx("collection fell behind: skipped %lld readings",
				    (long long)((nt - tick) / iv - 1));
			tick = nt;
			continue;
		}
		long timeout = (long)((tick - now) / 1000000) + 1;
		long pn = pusher_next_ms(a->push);
		if (pn >= 0 && pn < timeout)
			timeout = pn;
		struct curl_waitfd wfd = { .fd = a->sigfd, .events = CURL_WAIT_POLLIN };
		if (pusher_poll(a->push, &wfd, 1, (int)timeout) < 0) {
			log_warnx("curl_multi_poll failed");
			usleep(100000);
		}
		if (wfd.revents)
			handle_signals(a);
	}

	/* Shutdown: plugin reads and the request in flight get a chance to finish. */
	plugin_host_stop(a->plugins, 5000);
	plugin_host_drain(a->plugins, plugin_output, a);
	if (a->lpw.len > 0)
		enqueue_text(a, (int)a->cfg.interval, a->lpw.buf, a->lpw.len, a->lpw.lines);
	double end = util_monotonic() + 3;
	while (!pusher_idle(a->push) && util_monotonic() < end)
		pusher_poll(a->push, NULL, 0, 100);
	pusher_flush_to_spool(a->push);
	log_stats(a);
	return 0;
}

static void
once_output(int interval, const char *text, size_t len, size_t lines, void *arg)
{
	(void)interval;
	lpw_append(arg, text, len, lines);
}

static int
once(struct agent *a)
{
	struct lpw out;

	lpw_init(&out, BATCH_TEXT_MAX);
	a->cfg.slow_interval = 0;	/* --once shows every source */
	a->next_inventory_ns = INT64_MAX;
	collect_into(a, &out, util_now_ns());	/* primes the counters */
	lpw_reset(&out);
	sleep(1);
	a->next_inventory_ns = 0;
	int64_t ts = util_now_ns();
	collect_into(a, &out, ts);
	plugin_host_run_once(a->plugins, ts);
	plugin_host_drain(a->plugins, once_output, &out);
	fwrite(out.buf, 1, out.len, stdout);
	fflush(stdout);
	lpw_free(&out);
	return ferror(stdout) ? 1 : 0;
}

/*
 * Debian's libcurl links librtmp, which links GnuTLS, and GnuTLS initialises
 * itself (and p11-kit) in a library constructor: about 0.8 MB of memory the
 * agent never uses (it speaks http and https only, through OpenSSL). The
 * constructor obeys GNUTLS_NO_IMPLICIT_INIT, which has to be in the
 * environment before the process starts: set it and re-exec once (the
 * systemd unit sets it, so there it costs nothing). Checks run by plugins get
 * their own environment, never this one.
 */
static void
skip_gnutls_init(char **argv)
{
	if (getenv("GNUTLS_NO_IMPLICIT_INIT") != NULL ||
	    setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 1) < 0)
		return;
	execv("/proc/self/exe", argv);
	/* No /proc or no exec: carry on with GnuTLS initialised. */
}

int
agent_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'O' },
		{ "collector", required_argument, NULL, 'C' },
		{ "token", required_argument, NULL, 'T' },
		{ "interval", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "dump-config-doc", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct agent a;
	struct cfg_errors errs = { 0 };
	int test = 0, do_once = 0, verbose = 0, ch, rc;
	const char *debug = NULL;

	skip_gnutls_init(argv);
	memset(&a, 0, sizeof(a));
	a.sigfd = -1;
	a.spool.dirfd = -1;
	while ((ch = getopt_long(argc, argv, "c:tvd:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a.config_path = optarg; break;
		case 't': test = 1; break;
		case 'O': do_once = 1; break;
		case 'C': a.cli_url = optarg; break;
		case 'T': a.cli_token = optarg; break;
		case 'I': a.cli_interval = optarg; break;
		case 'v': verbose++; break;
		case 'd': debug = optarg; verbose = verbose < 1 ? 1 : verbose; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("campusmon-agent %s\n", PACKAGE_VERSION); return 0;
		case 'D':
			cfg_write_doc(agent_schema, stdout);
			printf("\n");
			plugin_host_write_doc(stdout);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("campusmon-agent", verbose);
	log_set_debug_filter(debug);
	mallopt(M_ARENA_MAX, 1);	/* worker threads share the main heap */
	if (a.config_path == NULL && access(AGENT_CONFIG_FILE, F_OK) == 0)
		a.config_path = AGENT_CONFIG_FILE;

	rc = load_config(&a, &a.cfg, &errs);
	set_host(&a);
	if (rc == 0 && !do_once && (a.cfg.url == NULL || a.cfg.url[0] == '\0'))
		cfg_errors_add(&errs, "collector.url is required (or --collector URL, or --once)");
	a.plugins = make_plugins(&a, &a.cfg, &errs);	/* its errors join the others */
	if (rc < 0 || errs.n > 0 || a.plugins == NULL) {
		cfg_errors_print(&errs, stderr, "campusmon-agent: ");
		cfg_errors_clear(&errs);
		plugin_host_free(a.plugins, 0);
		agent_config_free(&a.cfg);
		return 1;
	}
	if (test) {
		printf("configuration OK\n");
		plugin_host_free(a.plugins, 0);
		agent_config_free(&a.cfg);
		return 0;
	}
	if (a.cfg.log_target == AGENT_LOG_SYSLOG && !do_once)
		log_use_syslog(LOG_DAEMON);
	if ((a.sources = sources_new()) == NULL) {
		log_warnx("out of memory");
		return 1;
	}
	rc = do_once ? once(&a) : run(&a);

	plugin_host_free(a.plugins, 5000);
	sources_free(a.sources);
	pusher_free(a.push);
	spool_close(&a.spool);
	lpw_free(&a.lpw);
	rbuf_free(&a.scratch);
	if (a.sigfd >= 0)
		close(a.sigfd);
	agent_config_free(&a.cfg);
	return rc;
}
