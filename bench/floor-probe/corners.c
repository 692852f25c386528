// SPDX-License-Identifier: Apache-2.0
/*
 * corners: runs a few syscall corner cases under corners.bpf.o (the raw
 * syscall tracepoints and fentry/fexit on x64_sys_call, attached together)
 * and prints, case by case, what each hook saw. Issue #11.
 * Each case is a child process (its own tid), announced by a marker line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include "corners.h"
#include "corners.skel.h"

static const char *const hook_names[] = {"tp-enter", "tp-exit", "fentry", "fexit"};

static void on_signal(int sig)
{
	(void)sig;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Each case runs in a child: its calls are the ones under that tid. */
static void case_getppid(void)
{
	syscall(SYS_getppid);
}

static void case_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void case_seccomp_errno(void)
{
	struct sock_filter filter[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getuid, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	syscall(SYS_getuid);
}

static void case_ia32_getpid(void)
{
	long ret;

	/* ia32's getpid is 20, through int 0x80 from a 64-bit process */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
}

static void case_bad_nr(void)
{
	syscall(1000);
}

static void case_sigreturn(void)
{
	signal(SIGUSR1, on_signal);
	kill(getpid(), SIGUSR1);
}

/* A read interrupted by a signal whose handler has SA_RESTART. */
static void case_restart(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	int fds[2];
	char c;
	pid_t parent = getpid();

	sigaction(SIGUSR2, &sa, NULL);
	if (pipe(fds))
		return;
	if (fork() == 0) {
		sleep_ms(200);
		kill(parent, SIGUSR2);
		sleep_ms(200);
		write(fds[1], "x", 1);
		_exit(0);
	}
	read(fds[0], &c, 1);
	wait(NULL);
}

static void case_execve(void)
{
	char *argv[] = {"true", NULL};

	execv("/bin/true", argv);
}

static void case_killed_mid_call(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	sleep_ms(200);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
    {"getppid", case_getppid},
    {"fork", case_fork},
    {"seccomp-errno getuid", case_seccomp_errno},
    {"ia32 int 0x80 getpid", case_ia32_getpid},
    {"syscall(1000)", case_bad_nr},
    {"rt_sigreturn", case_sigreturn},
    {"read restarted (SA_RESTART)", case_restart},
    {"execve /bin/true", case_execve},
    {"killed in pause()", case_killed_mid_call},
};

int main(void)
{
	struct corners_bpf *skel = corners_bpf__open();
	cpu_set_t one;
	__u32 shown = 0;

	/* CORNERS_TP_ONLY=1: the tracepoints alone (a kernel that refuses fentry) */
	if (skel && getenv("CORNERS_TP_ONLY")) {
		bpf_program__set_autoload(skel->progs.corner_fentry, false);
		bpf_program__set_autoload(skel->progs.corner_fexit, false);
	}
	if (!skel || corners_bpf__load(skel) || corners_bpf__attach(skel)) {
		fprintf(stderr, "corners: cannot load or attach corners.bpf.o\n");
		return 1;
	}
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one); /* one CPU: the log is in time order */
	skel->bss->test_tgid = getpid();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		pid_t pid = fork();

		if (pid == 0) {
			cases[c].run();
			_exit(0);
		}
		waitpid(pid, NULL, 0);
		__sync_synchronize();
		printf("CORNER %s (tid %d)\n", cases[c].name, pid);
		for (; shown < skel->bss->log_len && shown < 4096; shown++) {
			struct corner_event *e = &skel->bss->events[shown];

			printf("CORNER   %-8s tid %-6u nr %-5lld orig_ax %-5lld ret %lld\n",
			       hook_names[e->hook & 3], e->tid, (long long)e->nr,
			       (long long)e->orig_ax, (long long)e->ret);
		}
	}
	corners_bpf__destroy(skel);
	return 0;
}
