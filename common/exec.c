/* exec.c — fork + execve of external programs with every safety belt on. */
#include "common/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static char *const exec_default_env[] = {
	EXEC_DEFAULT_PATH, "LANG=C", "LC_ALL=C", NULL
};

static long long
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
exec_result_free(struct exec_result *result)
{
	free(result->output);
	result->output = NULL;
	result->output_len = 0;
}

int
exec_lookup_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		snprintf(err, errlen, "unknown user '%s'", name);
		return -1;
	}
	if (pw.pw_uid == 0) {
		snprintf(err, errlen, "user '%s' is root; checks never run as root", name);
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int
exec_user_can_run(const char *path, const char *user, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork to check %s: %s", path, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* async-signal-safe calls only: the parent may have threads */
		if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0)
			_exit(255);
		_exit(access(path, X_OK) == 0 ? 0 : (errno & 0xff));
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	if (code == 255)
		snprintf(err, errlen, "cannot switch to user %s to check %s", user, path);
	else
		snprintf(err, errlen, "user %s cannot run %s: %s%s", user, path, strerror(code),
		    code == EACCES ? " (is a folder above it private, like /root?)" : "");
	return -1;
}

/*
 * In the child between fork and execve: async-signal-safe calls only (the
 * parent may be multi-threaded). Reports a failure as errno on errfd.
 */
static void __attribute__((noreturn))
exec_child(const struct exec_spec *spec, char *const *envp, int outfd, int errfd,
    int nullfd)
{
	struct sigaction dfl;
	sigset_t none;
	int e;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);	/* SIGKILL/SIGSTOP fail: fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(nullfd, 0) < 0 || dup2(outfd, 1) < 0 ||
	    dup2(spec->capture_stderr ? outfd : nullfd, 2) < 0)
		goto fail;
	if (spec->switch_user) {
		gid_t g = spec->gid;
		if (setgroups(1, &g) < 0 || setresgid(g, g, g) < 0 ||
		    setresuid(spec->uid, spec->uid, spec->uid) < 0)
			goto fail;
	}
	if (getuid() == 0 || geteuid() == 0) {
		errno = EPERM;
		goto fail;
	}
	if (chdir(spec->cwd ? spec->cwd : "/") < 0)
		goto fail;
	/* Every fd above stderr closes at execve; errfd is already CLOEXEC. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		struct rlimit rl;
		int max = 65536;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < 65536)
			max = (int)rl.rlim_cur;
		for (int fd = 3; fd < max; fd++)
			if (fd != errfd)
				close(fd);
	}
	execve(spec->argv[0], spec->argv, envp);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

/* Append what the pipe has; returns 1 at EOF, 0 for more later, -1 on error. */
static int
drain(int fd, struct exec_result *r, size_t *cap, size_t limit)
{
	char scratch[4096];

	for (;;) {
		char *dst = scratch;
		size_t room = sizeof(scratch);
		if (r->output_len < limit) {
			if (*cap - r->output_len < 2) {
				size_t ncap = *cap * 2;
				if (ncap > limit + 1)
					ncap = limit + 1;
				char *p = realloc(r->output, ncap);
				if (p == NULL)
					return -1;
				r->output = p;
				*cap = ncap;
			}
			dst = r->output + r->output_len;
			room = *cap - 1 - r->output_len;
		}
		ssize_t n = read(fd, dst, room);
		if (n == 0)
			return 1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		if (dst == scratch)
			r->truncated = 1;
		else
			r->output_len += (size_t)n;
	}
}

static void
reap(pid_t pid, struct exec_result *r)
{
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r->outcome == EXEC_TIMEOUT)
		return;
	if (WIFEXITED(status)) {
		r->outcome = EXEC_EXITED;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->outcome = EXEC_SIGNALED;
		r->code = WTERMSIG(status);
	}
}

int
exec_run(const struct exec_spec *spec, struct exec_result *r, char *err, size_t errlen)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, nullfd = -1, pidfd = -1;
	size_t cap = spec->output_cap < 4096 ? spec->output_cap + 1 : 4096;
	long long start = mono_ms(), deadline;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->outcome = EXEC_FAILED;
	if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] != '/') {
		snprintf(err, errlen, "the program must be given by absolute path");
		r->code = EINVAL;
		return -1;
	}
	if (spec->timeout_ms <= 0) {
		snprintf(err, errlen, "a timeout is required");
		r->code = EINVAL;
		return -1;
	}
	if (spec->switch_user ? spec->uid == 0 : geteuid() == 0) {
		snprintf(err, errlen, "refusing to run %s as root", spec->argv[0]);
		r->code = EPERM;
		return -1;
	}
	if (spec->switch_user && geteuid() != 0 && spec->uid != geteuid()) {
		snprintf(err, errlen, "cannot switch to uid %u without root",
		    (unsigned)spec->uid);
		r->code = EPERM;
		return -1;
	}
	if ((r->output = malloc(cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		r->code = ENOMEM;
		return -1;
	}
	r->output[0] = '\0';
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		r->code = errno;
		snprintf(err, errlen, "cannot set up pipes: %s", strerror(errno));
		goto fail;
	}

	struct exec_spec child_spec = *spec;
	if (child_spec.switch_user && geteuid() != 0)
		child_spec.switch_user = 0;	/* already that user */
	pid = fork();
	if (pid < 0) {
		r->code = errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		exec_child(&child_spec, spec->envp ? spec->envp : exec_default_env,
		    outp[1], errp[1], nullfd);

	setpgid(pid, pid);	/* also done in the child: no race on kill(-pid) */
	close(outp[1]);
	close(errp[1]);
	close(nullfd);
	outp[1] = errp[1] = nullfd = -1;

	int child_errno = 0;
	ssize_t n;
	while ((n = read(errp[0], &child_errno, sizeof(child_errno))) < 0 && errno == EINTR)
		;
	close(errp[0]);
	errp[0] = -1;
	if (n == (ssize_t)sizeof(child_errno)) {
		reap(pid, r);
		r->outcome = EXEC_FAILED;
		r->code = child_errno;
		snprintf(err, errlen, "cannot run %s: %s", spec->argv[0], strerror(child_errno));
		close(outp[0]);
		return -1;
	}

	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	deadline = start + spec->timeout_ms;
	int out_open = 1, exited = 0;
	while (out_open && !exited) {
		long long left = deadline - mono_ms();
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			r->outcome = EXEC_TIMEOUT;
			break;
		}
		struct pollfd pfd[2] = {
			{ .fd = outp[0], .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
		};
		int nfds = pidfd >= 0 ? 2 : 1;
		int wait_ms = left > 1000 ? 1000 : (int)left;
		if (pidfd < 0 && wait_ms > 50)
			wait_ms = 50;	/* no pidfd: look for the exit by polling */
		if (poll(pfd, nfds, wait_ms) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			int rc = drain(outp[0], r, &cap, spec->output_cap);
			if (rc != 0)
				out_open = 0;
		}
		if (pidfd >= 0 && pfd[1].revents != 0)
			exited = 1;
		if (pidfd < 0) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == pid)
				exited = 1;
		}
	}
	if (exited && out_open)
		(void)drain(outp[0], r, &cap, spec->output_cap);	/* what is left */
	if (r->outcome != EXEC_TIMEOUT && !exited) {
		/* stdout closed: the child is about to exit; bound that wait too. */
		for (;;) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == pid)
				break;
			if (mono_ms() >= deadline) {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				r->outcome = EXEC_TIMEOUT;
				break;
			}
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			if (pidfd >= 0)
				(void)poll(&p, 1, 100);
			else
				usleep(10000);
		}
	}
	reap(pid, r);
	if (pidfd >= 0)
		close(pidfd);
	close(outp[0]);
	r->output[r->output_len] = '\0';
	r->elapsed_ms = mono_ms() - start;
	if (r->outcome == EXEC_FAILED) {
		snprintf(err, errlen, "lost track of %s", spec->argv[0]);
		return -1;
	}
	return 0;

fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (nullfd >= 0)
		close(nullfd);
	return -1;
}
