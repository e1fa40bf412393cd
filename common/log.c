/* log.c — stderr/syslog/sink logging with subsystem-filtered debug output. */
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static const char *log_progname = "campusmon";
static int log_verbosity;
static int log_syslog;
static log_sink_fn log_sink;
static void *log_sink_arg;
static char log_filter[256];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_init(const char *progname, int verbosity)
{
	log_progname = progname;
	log_verbosity = verbosity;
}

void
log_use_syslog(int facility)
{
	openlog(log_progname, LOG_PID | LOG_NDELAY, facility);
	log_syslog = 1;
}

void
log_set_sink(log_sink_fn sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

void
log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

void
log_set_debug_filter(const char *subsystems)
{
	snprintf(log_filter, sizeof(log_filter), "%s", subsystems ? subsystems : "");
}

static int
log_subsys_enabled(const char *subsys)
{
	if (log_filter[0] == '\0' || subsys == NULL)
		return 1;
	size_t n = strlen(subsys);
	for (const char *p = log_filter; (p = strstr(p, subsys)) != NULL; p += n) {
		int starts = (p == log_filter || p[-1] == ',');
		int ends = (p[n] == '\0' || p[n] == ',');
		if (starts && ends)
			return 1;
	}
	return 0;
}

static void
log_emit(enum log_level lvl, const char *msg)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *word[] = { "error", "warning", "info", "debug" };

	if (log_sink != NULL) {
		log_sink(lvl, msg, log_sink_arg);
		return;
	}
	if (log_syslog) {
		syslog(prio[lvl], "%s", msg);
		return;
	}
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s %s[%s]: %s\n", stamp, log_progname, word[lvl], msg);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

static void log_vformat(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
log_vformat(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	char msg[2048];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s", strerror(saved));
	}
	log_emit(lvl, msg);
	errno = saved;
}

#define LOG_WRAPPER(name, lvl, with_errno, minverb)		\
	void name(const char *fmt, ...)				\
	{							\
		if (log_verbosity < (minverb))			\
			return;					\
		va_list ap;					\
		va_start(ap, fmt);				\
		log_vformat((lvl), (with_errno), fmt, ap);	\
		va_end(ap);					\
	}

LOG_WRAPPER(log_warn, LOG_LVL_WARN, 1, 0)
LOG_WRAPPER(log_warnx, LOG_LVL_WARN, 0, 0)
LOG_WRAPPER(log_info, LOG_LVL_INFO, 0, 0)

void
log_debug(const char *subsys, const char *fmt, ...)
{
	if (log_verbosity < 1 || !log_subsys_enabled(subsys))
		return;
	char buf[2048];
	snprintf(buf, sizeof(buf), "[%s] %s", subsys, fmt);
	va_list ap;
	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	log_vformat(LOG_LVL_DEBUG, 0, buf, ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vformat(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vformat(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
