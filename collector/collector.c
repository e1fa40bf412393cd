/*
 * collector.c — campusmon-collector's life: options and configuration,
 * binding, privilege drop, state recovery (catalogue, last values, journal
 * replay), the event loop, SIGHUP reload and a clean SIGTERM shutdown.
 */
#include "config.h"
#include "collector/collector.h"
#include "collector/http/http.h"
#include "collector/auth/auth.h"
#include "collector/ingest/ingest.h"
#include "collector/store/store.h"
#include "collector/inventory/inventory.h"
#include "collector/events/events.h"
#include "collector/notify/notify.h"
#include "collector/alert/alert.h"
#include "collector/topology/topology.h"
#include "collector/reports/reports.h"

#include <errno.h>
#include <malloc.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

/* Whatever the install prefix, as for the agent (DESIGN.md section 3). */
#define DEFAULT_CONFIG "/etc/campusmon/collector.yaml"

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
	    "      --list-routes   print every API route, its methods and the permissions it\n"
	    "                      needs, and exit\n"
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
		{ "list-routes", no_argument, NULL, 'R' },
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
			cfg_write_doc(collector_schema(), stdout);
			exit(0);
		case 'R':
			http_routes_print(stdout);
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
	if (o->listen && cfg_set(collector_schema(), cfg, "http.listen", o->listen, &errs) < 0)
		rc = -1;
	if (o->data_dir && cfg_set(collector_schema(), cfg, "storage.data_dir", o->data_dir,
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

/* The state database, tokens and devices; the series come later (load.c). */
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
	statedb_load_tokens(c->db, load_token_row, c->auth);
	c->devices = device_table_new();
	if (c->devices == NULL)
		return -1;
	devices_db_load(c->db, load_device_row, c->devices);
	return 0;
}

/* The store, its thread not started: load.c gives it the series first. */
static int
open_storage(struct collector *c)
{
	struct store_config sc = {
		.data_dir = c->cfg.data_dir, .rrdcached = c->cfg.rrdcached,
		.flush_delay = c->cfg.flush_delay, .queue_max = c->cfg.queue_max,
		.retention = &c->cfg.retention, .consolidation = &c->cfg.consolidation,
	};
	c->loopq = loopq_new(c->base);
	c->store = c->loopq ? store_start(&sc, c->db, c->loopq, &c->metrics, NULL) : NULL;
	return c->store != NULL ? 0 : -1;
}

/* The store thread, then the journal: replayed into it, then opened. */
static int
start_storage(struct collector *c)
{
	char *jdir;
	if (store_run(c->store) < 0 || asprintf(&jdir, "%s/journal", c->cfg.data_dir) < 0)
		return -1;
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

static void start_from(struct collector *c, size_t first);

/* The catalogue is in (ingest/load.c): the store thread and the journal,
 * then the subsystems after storage in the table. */
static void
storage_loaded(struct collector *c)
{
	if (start_storage(c) < 0)
		fatalx("cannot start storage in %s (see the messages above)", c->cfg.data_dir);
	collector_start_rest(c);
}

/* State, tokens and devices at once; the catalogue on the running loop, so
 * that health answers "starting" meanwhile. */
static int
storage_start(struct collector *c)
{
	if (open_state(c) < 0 || open_storage(c) < 0 || load_begin(c, storage_loaded) < 0) {
		log_warnx("cannot start storage in %s (see the messages above)", c->cfg.data_dir);
		return -1;
	}
	return SUBSYSTEM_LATER;
}

/* Make what is in flight durable and flush it; after a clean run, leave the
 * last values for the next start and no journal to replay. */
static void
storage_stop(struct collector *c)
{
	int started = c->journal != NULL;	/* the catalogue was loaded, the journal replayed */
	load_abort(c);
	journal_close(c->journal);	/* posts the last completions */
	event_base_loop(c->base, EVLOOP_NONBLOCK);
	uint64_t errors = c->metrics.rrd_update_errors;
	store_stop(c->store);		/* its last flush checkpoints the journal */
	c->store = NULL;
	journal_free(c->journal);
	c->journal = NULL;
	/* Every value is in its RRD file: the next start needs no replay and may
	 * take the last values from here instead of every RRD file. */
	if (started && c->metrics.rrd_update_errors == errors) {
		char *jdir;
		if (lastvals_write(c->cfg.data_dir, c->series) == 0 &&
		    asprintf(&jdir, "%s/journal", c->cfg.data_dir) >= 0) {
			journal_discard(jdir);
			free(jdir);
		}
	}
	loopq_free(c->loopq);
	c->loopq = NULL;
}

static void
storage_release(struct collector *c)
{
	statedb_close(c->db);
	series_catalog_free(c->series);
	device_table_free(c->devices);
	auth_free(c->auth);
}

/* State, catalogue, last values, journal replay, the journal and store threads. */
static const struct subsystem storage_subsystem = {
	.name = "storage",
	.start = storage_start,
	.stop = storage_stop,
	.release = storage_release,
};

/*
 * The table: phases run in this order (stop and release in reverse).
 * Storage starts before what needs the store (users seed the admin, SNMP
 * schedules the inventory); HTTP is last so that it stops first.
 */
static const struct subsystem *const subsystems[] = {
	&discovery_subsystem,
	&assets_subsystem,
	&storage_subsystem,
	&seen_subsystem,
	&ingest_subsystem,
	&users_subsystem,
	&alert_subsystem,
	&resolver_subsystem,
	&snmp_subsystem,
	&events_subsystem,
	&notify_subsystem,
	&topology_subsystem,
	&reports_subsystem,
	&http_subsystem,
};
#define N_SUBSYSTEMS (sizeof(subsystems) / sizeof(subsystems[0]))

/* As root, in table order; the first failure ends the start. */
static void
open_privileged(struct collector *c)
{
	for (size_t i = 0; i < N_SUBSYSTEMS; i++) {
		const struct subsystem *s = subsystems[i];
		if (s->open_privileged != NULL && s->open_privileged(c) < 0)
			fatalx("cannot start %s (see the messages above)", s->name);
	}
}

/* Start subsystems from first on; one that answers SUBSYSTEM_LATER calls
 * start_from again for the next ones once it is ready. */
static void
start_from(struct collector *c, size_t first)
{
	for (size_t i = first; i < N_SUBSYSTEMS; i++) {
		const struct subsystem *s = subsystems[i];
		int rc = s->start != NULL ? s->start(c) : 0;
		if (rc < 0)
			fatalx("cannot start %s (see the messages above)", s->name);
		if (rc == SUBSYSTEM_LATER) {
			c->start_next = i + 1;
			return;
		}
	}
	c->starting = 0;
	log_info("campusmon-collector %s ready: data in %s, web UI from %s", PACKAGE_VERSION,
	    c->cfg.data_dir, c->web_dir ? c->web_dir : "(none found)");
}

void
collector_start_rest(struct collector *c)
{
	start_from(c, c->start_next);
}

static void
reload_all(struct collector *c)
{
	for (size_t i = 0; i < N_SUBSYSTEMS; i++)
		if (subsystems[i]->reload != NULL)
			subsystems[i]->reload(c);
}

static void
stop_all(struct collector *c)
{
	for (size_t i = N_SUBSYSTEMS; i-- > 0;)
		if (subsystems[i]->stop != NULL)
			subsystems[i]->stop(c);
	for (size_t i = N_SUBSYSTEMS; i-- > 0;)
		if (subsystems[i]->release != NULL)
			subsystems[i]->release(c);
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
swap_strlist(struct cfg_strlist *a, struct cfg_strlist *b)
{
	struct cfg_strlist tmp = *a;
	*a = *b;
	*b = tmp;
}

static void
on_reload(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;
	struct collector_config fresh;
	struct cfg_errors errs = { 0 };
	(void)sig;
	(void)what;
	if (c->config_path != NULL && access(c->config_path, R_OK) < 0) {
		/* Read as root at start; since then the collector runs as the
		 * service user (a file in a private folder, or mode 0600). */
		struct passwd *pw = getpwuid(geteuid());
		log_warn("reload: cannot read %s as user %s; keeping the running configuration "
		    "(let that user read it, e.g. mode 0640 with its group, or restart)",
		    c->config_path, pw ? pw->pw_name : "?");
		reload_all(c);
		return;
	}
	/* what -t rejects a reload rejects, notify.channels and routes included */
	if (collector_config_load(&fresh, c->config_path, &errs) < 0 ||
	    notify_config_check(&fresh, c, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("reload: %s", errs.msgs[i]);
		log_warnx("reload: configuration has errors; keeping the running one");
		cfg_errors_clear(&errs);
		cfg_free(collector_schema(), &fresh);
		return;
	}
	/* Limits apply at once; addresses and storage need a restart. */
	c->cfg.max_body = fresh.max_body;
	c->cfg.max_line = fresh.max_line;
	c->cfg.max_lines = fresh.max_lines;
	c->cfg.max_series_per_host = fresh.max_series_per_host;
	c->cfg.max_future = fresh.max_future;
	c->cfg.max_future_unbound = fresh.max_future_unbound;
	c->cfg.max_series = fresh.max_series;
	c->cfg.max_string_bytes = fresh.max_string_bytes;
	c->cfg.min_interval = fresh.min_interval;
	c->cfg.min_interval_agent = fresh.min_interval_agent;
	c->cfg.min_free = fresh.min_free;
	c->cfg.api_max_points = fresh.api_max_points;
	c->cfg.api_max_series_page = fresh.api_max_series_page;
	/* the counter rules go over as lists: swapped, the old ones freed with fresh */
	swap_strlist(&c->cfg.counters, &fresh.counters);
	swap_strlist(&c->cfg.extra_counters, &fresh.extra_counters);
	/* events/: log rules (a subtree, swapped likewise), retention, rate limit */
	struct cfg_node *ev_rules = c->cfg.events_rules;
	c->cfg.events_rules = fresh.events_rules;
	fresh.events_rules = ev_rules;
	c->cfg.events_default_rules = fresh.events_default_rules;
	c->cfg.events_retention = fresh.events_retention;
	c->cfg.events_max_size = fresh.events_max_size;
	c->cfg.events_rate_limit = fresh.events_rate_limit;
	c->cfg.metrics_public = fresh.metrics_public;
	c->cfg.log_verbosity = fresh.log_verbosity;
	/* what the reports measure against (reports/) */
	char *school = c->cfg.school_name;
	c->cfg.school_name = fresh.school_name;
	fresh.school_name = school;
	swap_strlist(&c->cfg.school_egress, &fresh.school_egress);
	c->cfg.school_level = fresh.school_level;
	c->cfg.school_headcount = fresh.school_headcount;
	c->cfg.reports_monitored_intervals = fresh.reports_monitored_intervals;
	c->cfg.assets_max_rows = fresh.assets_max_rows;
	notify_config_take(&c->cfg, &fresh);	/* channels, routes, the outbox's limits */
	log_set_verbosity(fresh.log_verbosity);
	if ((fresh.profiles_dir == NULL) != (c->cfg.profiles_dir == NULL) ||
	    (fresh.profiles_dir && strcmp(fresh.profiles_dir, c->cfg.profiles_dir) != 0))
		log_warnx("reload: snmp.profiles_dir changed; restart the collector to use it");
	cfg_free(collector_schema(), &fresh);
	reload_all(c);
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
	if (load_config(&o, &c.cfg) < 0) {
		cfg_free(collector_schema(), &c.cfg);	/* the defaults it had set */
		return 1;
	}
	if (o.test) {
		char err[512];
		struct cfg_errors errs = { 0 };
		if (notify_config_check(&c.cfg, NULL, &errs) < 0) {
			cfg_errors_print(&errs, stderr, "campusmon-collector: ");
			fprintf(stderr, "campusmon-collector: %zu error%s in the configuration\n",
			    errs.n, errs.n == 1 ? "" : "s");
			cfg_errors_clear(&errs);
			cfg_free(collector_schema(), &c.cfg);
			return 1;
		}
		if (http_tls_check(&c.cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "campusmon-collector: %s\n"
			    "campusmon-collector: 1 error in the configuration\n", err);
			cfg_free(collector_schema(), &c.cfg);
			return 1;
		}
		struct alert_rules rules;
		struct cfg_errors rerrs = { 0 };
		if (alert_rules_load(&c.cfg, &rules, &rerrs) == 0)	/* checked: warnings only */
			alert_rules_unmatched(&rules, c.cfg.data_dir, stderr);
		alert_rules_free(&rules);
		cfg_errors_clear(&rerrs);
		printf("configuration OK%s%s\n", o.config ? ": " : " (built-in defaults)",
		    o.config ? o.config : "");
		cfg_free(collector_schema(), &c.cfg);
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

	/* Parents it creates must let the service user through: 0755. */
	if (util_mkdirs_parents(c.cfg.data_dir, 0755, 0750) < 0)
		fatal("cannot create data folder %s", c.cfg.data_dir);
	char *abs = realpath(c.cfg.data_dir, NULL);
	if (abs != NULL) {
		free(c.cfg.data_dir);
		c.cfg.data_dir = abs;
	}
	if (evthread_use_pthreads() < 0 || (c.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	open_privileged(&c);
	privdrop(c.cfg.user, c.cfg.data_dir);
	privdrop_check_reach(c.cfg.data_dir);
	c.starting = 1;		/* until every subsystem has started: only health answers */
	start_from(&c, 0);

	struct event *ev_term = evsignal_new(c.base, SIGTERM, on_terminate, &c);
	struct event *ev_int = evsignal_new(c.base, SIGINT, on_terminate, &c);
	struct event *ev_hup = evsignal_new(c.base, SIGHUP, on_reload, &c);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_hup, NULL);
	event_base_dispatch(c.base);

	stop_all(&c);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(c.base);
	free(c.web_dir);
	cfg_free(collector_schema(), &c.cfg);
	log_info("stopped cleanly");
	return 0;
}

/* ---- observers ----------------------------------------------------------- */

int
observe_add(struct collector *c, const struct observer *o)
{
	struct observers *obs = &c->observers;
	if (obs->n >= OBSERVERS_MAX)
		return -1;
	obs->list[obs->n++] = *o;
	obs->n_sample += o->sample != NULL;
	obs->n_device += o->device != NULL;
	obs->n_interface += o->interface != NULL;
	obs->n_tables += o->tables != NULL;
	obs->n_alert += o->alert != NULL;
	obs->n_event += o->event != NULL;
	return 0;
}

void
observe_sample(struct collector *c, const struct series *s, double ts, double value)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_sample && i < obs->n; i++)
		if (obs->list[i].sample)
			obs->list[i].sample(obs->list[i].arg, s, ts, value);
}

void
observe_device(struct collector *c, const struct device *d, const char *old_status,
    const char *new_status)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_device && i < obs->n; i++)
		if (obs->list[i].device)
			obs->list[i].device(obs->list[i].arg, d, old_status, new_status);
}

void
observe_interface(struct collector *c, const struct device *d,
    const struct sp_iface *old, const struct sp_iface *now)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_interface && i < obs->n; i++)
		if (obs->list[i].interface)
			obs->list[i].interface(obs->list[i].arg, d, old, now);
}

void
observe_tables(struct collector *c, const struct device *d, const struct sp_result *r)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_tables && i < obs->n; i++)
		if (obs->list[i].tables)
			obs->list[i].tables(obs->list[i].arg, d, r);
}

void
observe_alert(struct collector *c, const struct alert_change *ch)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_alert && i < obs->n; i++)
		if (obs->list[i].alert)
			obs->list[i].alert(obs->list[i].arg, ch);
}

void
observe_event(struct collector *c, const struct cm_event *ev)
{
	const struct observers *obs = &c->observers;
	for (size_t i = 0; obs->n_event && i < obs->n; i++)
		if (obs->list[i].event)
			obs->list[i].event(obs->list[i].arg, ev);
}
