/*
 * collector.c — campusmon-collector's life: options and configuration,
 * binding, privilege drop, state recovery (catalogue, last values, journal
 * replay), the event loop, SIGHUP reload and a clean SIGTERM shutdown.
 */
#include "config.h"
#include "collector/collector.h"

#include <errno.h>
#include <malloc.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/devices.h"
#include "collector/discovery.h"
#include "common/log.h"
#include "common/util.h"

#define DEFAULT_CONFIG CAMPUSMON_SYSCONFDIR "/campusmon/collector.yaml"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: campusmon-collector [-c FILE] [-t] [-d] [--listen ADDR:PORT] "
	    "[--data-dir DIR]\n"
	    "\n"
	    "The campusmon collector: ingest (InfluxDB line protocol), RRD storage, the JSON\n"
	    "API and the web UI, in one process that stays in the foreground.\n"
	    "\n"
	    "  -c, --config FILE   configuration (default %s if it exists,\n"
	    "                      else built-in defaults)\n"
	    "  -t, --test          check the configuration, print every error, and exit\n"
	    "  -d, --debug         debug logging (twice: more)\n"
	    "      --listen A:P    override http.listen (port 0 picks a free port)\n"
	    "      --data-dir DIR  override storage.data_dir\n"
	    "      --dump-config-doc  print the configuration reference (Markdown)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n"
	    "\n"
	    "Environment: CAMPUSMON_BOOTSTRAP_TOKEN makes its value a valid admin token;\n"
	    "CAMPUSMON_ADMIN_PASSWORD creates the web user admin if it does not exist.\n"
	    "Signals: SIGTERM/SIGINT flush and exit; SIGHUP reloads the configuration.\n",
	    DEFAULT_CONFIG);
}

struct options {
	const char *config;
	const char *listen;
	const char *data_dir;
	int test;
	int debug;
};

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "debug", no_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'L' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "dump-config-doc", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:tdhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 't': o->test = 1; break;
		case 'd': o->debug++; break;
		case 'L': o->listen = optarg; break;
		case 'D': o->data_dir = optarg; break;
		case 'M':
			cfg_write_doc(collector_schema, stdout);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("campusmon-collector %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "campusmon-collector: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->config == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		o->config = DEFAULT_CONFIG;
	return 0;
}

/* Load config plus command-line overrides; prints every error. */
static int
load_config(const struct options *o, struct collector_config *cfg)
{
	struct cfg_errors errs = { 0 };
	int rc = collector_config_load(cfg, o->config, &errs);
	if (o->listen && cfg_set(collector_schema, cfg, "http.listen", o->listen, &errs) < 0)
		rc = -1;
	if (o->data_dir && cfg_set(collector_schema, cfg, "storage.data_dir", o->data_dir,
	    &errs) < 0)
		rc = -1;
	if (rc < 0) {
		cfg_errors_print(&errs, stderr, "campusmon-collector: ");
		fprintf(stderr, "campusmon-collector: %zu error%s in the configuration\n",
		    errs.n, errs.n == 1 ? "" : "s");
	}
	cfg_errors_clear(&errs);
	return rc;
}

static char *
find_web_dir(const struct collector_config *cfg)
{
	const char *candidates[] = { cfg->web_dir, CAMPUSMON_SRCDIR "/web",
		CAMPUSMON_DATADIR "/web" };
	for (size_t i = 0; i < 3; i++) {
		struct stat sb;
		if (candidates[i] != NULL && stat(candidates[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			return realpath(candidates[i], NULL);
	}
	return NULL;
}

/*
 * Fixed malloc thresholds. glibc raises them whenever a large mmapped block
 * is freed; a thread arena's top chunk is then trimmed only above twice
 * that size and malloc_trim() does not touch it, so after a burst of
 * writes the store thread's arena stayed some 10 MB resident (bench/ingest).
 * Blocks up to 8 MiB (a poll's JSON, a journal commit) still come from the
 * heap rather than from an mmap and munmap each.
 */
static void
set_malloc_thresholds(void)
{
	mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
}

static void
raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the open-file limit");
	}
}

/* ---- recovery ---------------------------------------------------------- */

struct series_loading {
	struct collector *c;
	struct store_last_reader *last;
};

static void
load_series_row(const struct series_row *row, void *arg)
{
	struct series_loading *ld = arg;
	struct series *s = series_add(ld->c->series, row->id, row->key, strlen(row->key),
	    row->host, row->step, row->kind);
	if (s == NULL)
		return;
	if (row->kind == SERIES_TEXT && row->text != NULL)
		s->text = strdup(row->text);
	else if (ld->last != NULL)
		store_last_update(ld->last, row->file, row->ds, &s->last_ts, &s->last);
}

static void
load_token_row(const struct token_row *row, void *arg)
{
	auth_add_row(arg, row);
}

static void
load_device_row(struct device *d, void *arg)
{
	device_insert(arg, d);
}

static int
open_state(struct collector *c)
{
	char *path, *err = NULL;
	if (asprintf(&path, "%s/state.db", c->cfg.data_dir) < 0)
		return -1;
	c->db = statedb_open(path, &err);
	if (c->db == NULL) {
		log_warnx("cannot open state database %s: %s", path, err ? err : "error");
		free(path);
		free(err);
		return -1;
	}
	free(path);
	c->series = series_catalog_new();
	c->auth = auth_new(getenv("CAMPUSMON_BOOTSTRAP_TOKEN"));
	if (c->series == NULL || c->auth == NULL)
		return -1;
	double t0 = util_monotonic();
	struct series_loading ld = { c, store_last_reader_new(c->cfg.data_dir) };
	statedb_load_series(c->db, load_series_row, &ld);
	store_last_reader_free(ld.last);
	statedb_load_tokens(c->db, load_token_row, c->auth);
	c->devices = device_table_new();
	if (c->devices == NULL)
		return -1;
	devices_db_load(c->db, load_device_row, c->devices);
	log_info("catalogue: %zu series loaded in %.2fs", series_count(c->series),
	    util_monotonic() - t0);
	return 0;
}

static int
start_storage(struct collector *c)
{
	char *jdir;
	if (asprintf(&jdir, "%s/journal", c->cfg.data_dir) < 0)
		return -1;
	struct store_config sc = {
		.data_dir = c->cfg.data_dir, .rrdcached = c->cfg.rrdcached,
		.flush_delay = c->cfg.flush_delay, .queue_max = c->cfg.queue_max,
		.retention = &c->cfg.retention, .consolidation = &c->cfg.consolidation,
	};
	c->loopq = loopq_new(c->base);
	c->store = c->loopq ? store_start(&sc, c->db, c->loopq, &c->metrics, NULL) : NULL;
	if (c->store == NULL) {
		free(jdir);
		return -1;
	}
	uint64_t last_seq = 0;
	journal_replay(jdir, ingest_replay_batch, c, &last_seq);
	if (c->metrics.samples_replayed > 0)
		log_info("journal: %llu samples replayed",
		    (unsigned long long)c->metrics.samples_replayed);
	c->journal = journal_open(jdir, c->loopq, last_seq, &c->metrics);
	free(jdir);
	if (c->journal == NULL)
		return -1;
	store_set_journal(c->store, c->journal);
	return 0;
}

/* ---- signals ----------------------------------------------------------- */

static void
on_terminate(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;
	(void)what;
	log_info("signal %d: flushing and exiting", (int)sig);
	event_base_loopbreak(c->base);
}

static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;
	struct collector_config fresh;
	struct cfg_errors errs = { 0 };
	(void)sig;
	(void)what;
	if (collector_config_load(&fresh, c->config_path, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload: configuration has errors; keeping the running one");
		cfg_errors_clear(&errs);
		cfg_free(collector_schema, &fresh);
		return;
	}
	/* Limits apply at once; addresses and storage need a restart. */
	c->cfg.max_body = fresh.max_body;
	c->cfg.max_line = fresh.max_line;
	c->cfg.max_lines = fresh.max_lines;
	c->cfg.max_series_per_host = fresh.max_series_per_host;
	c->cfg.max_future = fresh.max_future;
	if (counters_set_rules(c->counters, &fresh.counters, &fresh.extra_counters) < 0)
		log_warnx("reload: out of memory; ingest.counters unchanged");
	c->cfg.metrics_public = fresh.metrics_public;
	c->cfg.log_verbosity = fresh.log_verbosity;
	log_set_verbosity(fresh.log_verbosity);
	evhttp_set_max_body_size(c->http, (ev_ssize_t)fresh.max_body);
	cfg_free(collector_schema, &fresh);
	log_info("configuration reloaded%s", c->config_path ? "" : " (built-in defaults)");
}

int
collector_main(int argc, char **argv)
{
	struct options o;
	struct collector c;

	memset(&c, 0, sizeof(c));
	log_init("campusmon-collector", 0);
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (load_config(&o, &c.cfg) < 0)
		return 1;
	if (o.test) {
		printf("configuration OK%s%s\n", o.config ? ": " : " (built-in defaults)",
		    o.config ? o.config : "");
		cfg_free(collector_schema, &c.cfg);
		return 0;
	}
	c.config_path = o.config;
	log_set_verbosity(o.debug ? o.debug : c.cfg.log_verbosity);
	c.started = util_now();
	c.web_dir = find_web_dir(&c.cfg);
	signal(SIGPIPE, SIG_IGN);
	set_malloc_thresholds();
	umask(027);	/* tokens' hashes and data are nobody else's business */
	raise_fd_limit();	/* one UDP socket per SNMP device, one per connection */

	if (util_mkdirs(c.cfg.data_dir, 0750) < 0)
		fatal("cannot create data folder %s", c.cfg.data_dir);
	char *abs = realpath(c.cfg.data_dir, NULL);
	if (abs != NULL) {
		free(c.cfg.data_dir);
		c.cfg.data_dir = abs;
	}
	if (evthread_use_pthreads() < 0 || (c.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	c.lp = lp_parser_new(NULL);
	c.counters = counters_new(&c.cfg.counters, &c.cfg.extra_counters);
	if ((c.resolver = resolver_new(&c)) == NULL)
		fatalx("cannot start the DNS resolver");
	if (c.lp == NULL || c.counters == NULL || http_start(&c) < 0)
		fatalx("cannot start the HTTP server");
	if (discovery_open_sockets(&c) < 0)
		fatalx("out of memory");
	privdrop(c.cfg.user, c.cfg.data_dir);
	discovery_start_events(&c);
	if (open_state(&c) < 0 || start_storage(&c) < 0)
		fatalx("cannot start storage in %s (see the messages above)", c.cfg.data_dir);
	if (users_start(&c) < 0)
		fatalx("cannot start web sessions (out of memory)");
	if (snmpbridge_start(&c) < 0)
		fatalx("cannot start SNMP polling (see the messages above)");

	struct event *ev_term = evsignal_new(c.base, SIGTERM, on_terminate, &c);
	struct event *ev_int = evsignal_new(c.base, SIGINT, on_terminate, &c);
	struct event *ev_hup = evsignal_new(c.base, SIGHUP, on_reload, &c);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_hup, NULL);
	log_info("campusmon-collector %s ready: data in %s, web UI from %s", PACKAGE_VERSION,
	    c.cfg.data_dir, c.web_dir ? c.web_dir : "(none found)");

	event_base_dispatch(c.base);

	/* Stop polling and taking requests, make what is in flight durable, flush. */
	snmpbridge_stop(&c);
	resolver_free(c.resolver);
	c.resolver = NULL;
	http_stop(&c);
	journal_close(c.journal);	/* posts the last completions */
	event_base_loop(c.base, EVLOOP_NONBLOCK);
	store_stop(c.store);
	loopq_free(c.loopq);
	users_stop(&c);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	statedb_close(c.db);
	series_catalog_free(c.series);
	device_table_free(c.devices);
	auth_free(c.auth);
	lp_parser_free(c.lp);
	counters_free(c.counters);
	discovery_free(&c);
	event_base_free(c.base);
	free(c.web_dir);
	cfg_free(collector_schema, &c.cfg);
	log_info("stopped cleanly");
	return 0;
}
