/* test_exec.c — common/exec.c: argv only, never root, closed fds, clean env, limits. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/exec.h"

/* Run argv the safe way: as nobody when the test runs as root, else as ourselves. */
static int
run(char *const argv[], int timeout_ms, size_t cap, struct exec_result *r)
{
	char err[256];
	struct exec_spec spec = { .argv = argv, .timeout_ms = timeout_ms, .output_cap = cap };
	if (geteuid() == 0)
		cr_assert_eq(exec_lookup_user("nobody", &spec.uid, &spec.gid, err, sizeof(err)), 0);
	spec.switch_user = geteuid() == 0;
	return exec_run(&spec, r, err, sizeof(err));
}

Test(exec, output_and_exit_codes)
{
	static const struct {
		char *argv[5];
		enum exec_outcome outcome;
		int code;
		const char *out;
	} t[] = {
		{ { "/bin/echo", "hello", "world" }, EXEC_EXITED, 0, "hello world\n" },
		{ { "/bin/sh", "-c", "echo out; echo err >&2; exit 3" }, EXEC_EXITED, 3, "out\n" },
		{ { "/bin/false" }, EXEC_EXITED, 1, "" },
		{ { "/bin/sh", "-c", "kill -TERM $$" }, EXEC_SIGNALED, SIGTERM, "" },
		{ { "/bin/echo", "$HOME", "`id`", ";", "|" }, EXEC_EXITED, 0, "$HOME `id` ; |\n" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct exec_result r;
		cr_assert_eq(run(t[i].argv, 5000, 4096, &r), 0, "row %zu", i);
		cr_expect_eq(r.outcome, t[i].outcome, "row %zu", i);
		cr_expect_eq(r.code, t[i].code, "row %zu code %d", i, r.code);
		cr_expect_str_eq(r.output, t[i].out, "row %zu", i);
		cr_expect_eq(r.truncated, 0);
		exec_result_free(&r);
	}
}

Test(exec, never_root_and_no_shell_lookup)
{
	struct exec_result r;
	char err[256];
	char *argv[] = { "/usr/bin/id", "-u", NULL };
	cr_assert_eq(run(argv, 5000, 64, &r), 0);
	cr_expect_neq(atoi(r.output), 0, "runs as %s", r.output);
	exec_result_free(&r);

	struct exec_spec root = { .argv = argv, .timeout_ms = 1000, .output_cap = 64,
		.switch_user = 1, .uid = 0, .gid = 0 };
	cr_expect_eq(exec_run(&root, &r, err, sizeof(err)), -1);
	cr_expect_eq(r.outcome, EXEC_FAILED);
	exec_result_free(&r);
	if (geteuid() == 0) {
		struct exec_spec as_is = { .argv = argv, .timeout_ms = 1000, .output_cap = 64 };
		cr_expect_eq(exec_run(&as_is, &r, err, sizeof(err)), -1, "root without a user");
		exec_result_free(&r);
	}
	uid_t u;
	gid_t g;
	cr_expect_eq(exec_lookup_user("root", &u, &g, err, sizeof(err)), -1);
	cr_expect_eq(exec_lookup_user("no-such-user-here", &u, &g, err, sizeof(err)), -1);

	char *rel[] = { "echo", "x", NULL };
	cr_expect_eq(run(rel, 1000, 64, &r), -1, "no PATH lookup");
	exec_result_free(&r);
	char *missing[] = { "/nonexistent/check", NULL };
	cr_expect_eq(run(missing, 1000, 64, &r), -1);
	cr_expect_eq(r.outcome, EXEC_FAILED);
	exec_result_free(&r);
	struct exec_spec no_timeout = { .argv = argv, .output_cap = 64, .switch_user = 1,
		.uid = 65534, .gid = 65534 };
	cr_expect_eq(exec_run(&no_timeout, &r, err, sizeof(err)), -1);
	exec_result_free(&r);
}

Test(exec, fds_env_and_signal_mask_are_clean)
{
	struct exec_result r;
	int leak = open("/dev/null", O_RDONLY);	/* not CLOEXEC on purpose */
	cr_assert_geq(leak, 3);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	char *fds[] = { "/bin/ls", "/proc/self/fd", NULL };
	cr_assert_eq(run(fds, 5000, 4096, &r), 0);
	/* ls itself opens one directory fd: 0 1 2 3 and nothing else. */
	cr_expect_str_eq(r.output, "0\n1\n2\n3\n", "open fds: %s", r.output);
	exec_result_free(&r);

	char *env[] = { "/usr/bin/env", NULL };
	cr_assert_eq(run(env, 5000, 4096, &r), 0);
	cr_expect_str_eq(r.output, EXEC_DEFAULT_PATH "\nLANG=C\nLC_ALL=C\n");
	exec_result_free(&r);

	char *mask[] = { "/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	cr_assert_eq(run(mask, 5000, 4096, &r), 0);
	cr_expect_str_eq(r.output, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	exec_result_free(&r);

	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(leak);
}

Test(exec, timeout_kills_the_process_group)
{
	struct exec_result r;
	/* The child leaves a grandchild holding the pipe: both must go. */
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
	cr_assert_eq(run(argv, 300, 4096, &r), 0);
	cr_expect_eq(r.outcome, EXEC_TIMEOUT);
	cr_expect_lt(r.elapsed_ms, 3000, "took %lld ms", r.elapsed_ms);
	exec_result_free(&r);

	/* A child that exits while a grandchild keeps stdout open returns promptly. */
	char *bg[] = { "/bin/sh", "-c", "echo done; sleep 5 &", NULL };
	cr_assert_eq(run(bg, 4000, 4096, &r), 0);
	cr_expect_eq(r.outcome, EXEC_EXITED);
	cr_expect_str_eq(r.output, "done\n");
	cr_expect_lt(r.elapsed_ms, 3000, "took %lld ms", r.elapsed_ms);
	exec_result_free(&r);
}

Test(exec, output_cap)
{
	struct exec_result r;
	char *argv[] = { "/usr/bin/head", "-c", "100000", "/dev/zero", NULL };
	cr_assert_eq(run(argv, 5000, 1000, &r), 0);
	cr_expect_eq(r.outcome, EXEC_EXITED, "the rest was drained, not blocked on");
	cr_expect_eq(r.output_len, 1000);
	cr_expect_eq(r.truncated, 1);
	exec_result_free(&r);
	cr_assert_eq(run(argv, 5000, 0, &r), 0);
	cr_expect_eq(r.output_len, 0);
	cr_expect_eq(r.truncated, 1);
	exec_result_free(&r);
}

/*
 * Our own main: whatever this program inherited (make -j, a shell that
 * ignores SIGCHLD), start from the dispositions the agent sets. With
 * SIGCHLD ignored the kernel reaps children at once, so neither exec_run()
 * nor Criterion's own runner could wait for theirs.
 */
int
main(int argc, char *argv[])
{
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	struct criterion_test_set *tests = criterion_initialize();
	int result = 0;
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
