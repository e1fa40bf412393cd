/*
 * exec.h — run an external program safely and capture its output.
 *
 * The program is started with fork + execve from an argv array (never a
 * shell), in a new process group, with the signal mask and dispositions
 * reset, every fd but stdin (/dev/null), stdout and stderr (both the
 * capture pipe, or stderr to /dev/null) closed, a minimal environment, and
 * never as root: when the caller is root the child switches to the given
 * unprivileged uid/gid (setgroups, setresgid, setresuid, in that order)
 * before execve, and exec_run() refuses a target identity of uid 0.
 *
 * exec_run() blocks the calling thread until the child exits or the
 * timeout expires (the whole process group is then killed with SIGKILL);
 * call it from a worker, never from an event loop. It is thread-safe.
 * It waits for its child: SIGCHLD must not be ignored in the process (with
 * SIG_IGN the kernel reaps children at once and their exit is lost), so a
 * daemon resets it at start whatever it inherited.
 */
#ifndef CAMPUSMON_EXEC_H
#define CAMPUSMON_EXEC_H

#include <stddef.h>
#include <sys/types.h>

/* The environment used when exec_spec.envp is NULL. */
#define EXEC_DEFAULT_PATH "PATH=/usr/local/bin:/usr/bin:/bin"

struct exec_spec {
	char *const *argv;	/* argv[0]: absolute path of the program */
	char *const *envp;	/* NULL: { EXEC_DEFAULT_PATH, "LANG=C", "LC_ALL=C" } */
	const char *cwd;	/* NULL: "/" */
	int switch_user;	/* 1: run as uid/gid below (the caller must be root) */
	uid_t uid;
	gid_t gid;
	int timeout_ms;		/* > 0 */
	size_t output_cap;	/* bytes of output kept; the rest is read and discarded */
	int capture_stderr;	/* 1: stderr goes to the same pipe as stdout */
};

enum exec_outcome {
	EXEC_EXITED,		/* code = exit status */
	EXEC_SIGNALED,		/* code = signal number */
	EXEC_TIMEOUT,		/* killed after timeout_ms */
	EXEC_FAILED,		/* could not start; code = errno */
};

struct exec_result {
	enum exec_outcome outcome;
	int code;
	char *output;		/* heap, NUL-terminated; free with exec_result_free */
	size_t output_len;
	int truncated;		/* output exceeded output_cap */
	long long elapsed_ms;
};

/*
 * Run the program. Returns 0 when the program ran (whatever its outcome),
 * -1 when it could not be started (result->outcome == EXEC_FAILED and err
 * says why). result->output is always allocated on return 0.
 */
int exec_run(const struct exec_spec *spec, struct exec_result *result,
    char *err, size_t errlen);
void exec_result_free(struct exec_result *result);

/* Look up a user for exec_spec: 0, or -1 with err set (unknown, or root). */
int exec_lookup_user(const char *name, uid_t *uid, gid_t *gid, char *err,
    size_t errlen);
/*
 * Can uid:gid execute path? Asked as that user in a short-lived child (the
 * caller is root), so private parent folders, groups and ACLs count as they
 * will when the check runs. 0, or -1 with err naming the user and the cause.
 */
int exec_user_can_run(const char *path, const char *user, uid_t uid, gid_t gid,
    char *err, size_t errlen);

#endif
