/*
 * log.h — the one logging API of every campusmon program.
 *
 * Messages go to stderr by default, to syslog after log_use_syslog(), or to
 * a sink installed with log_set_sink() (tests capture logs that way).
 * fatal()/fatalx() exit the process: only startup code in main paths may
 * call them; event-loop code logs and returns an error instead.
 */
#ifndef CAMPUSMON_LOG_H
#define CAMPUSMON_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* A sink gets each formatted message (no trailing newline). */
typedef void (*log_sink_fn)(enum log_level lvl, const char *msg, void *arg);

void log_init(const char *progname, int verbosity);
void log_use_syslog(int facility);
void log_set_sink(log_sink_fn sink, void *arg);
void log_set_verbosity(int verbosity);
/* Limit debug output to a comma-separated list of subsystems (NULL = all). */
void log_set_debug_filter(const char *subsystems);

/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
