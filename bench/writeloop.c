// SPDX-License-Identifier: Apache-2.0
/*
 * writeloop N: N write(fd, buf, 64) calls to /dev/null, timed as a whole with
 * CLOCK_MONOTONIC; prints the mean cost of one call in nanoseconds.
 *
 * The cost of recording one syscall (enter + exit + 64 captured bytes) is the
 * difference between this figure with and without traceloop recording the
 * caller's cgroup. The buffer holds a recognisable text so that a dump can be
 * checked for it (bench/run.sh greps for WRITELOOP_MARK).
 *
 * Output (one line, parsed by bench/run.sh):
 *   writeloop calls=N ns_per_call=X.XX
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITELOOP_MARK "traceloop-bench-writeloop"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	/* 64 bytes exactly: the mark, then filler up to the size. */
	char buf[64];
	long n, i, warm;
	double t0, t1;
	char *end;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s N\n", argv[0]);
		return 2;
	}
	errno = 0;
	n = strtol(argv[1], &end, 10);
	if (errno || *end || n <= 0) {
		fprintf(stderr, "writeloop: N must be a positive integer\n");
		return 2;
	}

	memset(buf, '.', sizeof(buf));
	memcpy(buf, WRITELOOP_MARK, strlen(WRITELOOP_MARK));
	buf[sizeof(buf) - 1] = '\n';

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("writeloop: open /dev/null");
		return 1;
	}

	/* Warm up caches, the branch predictor and the CPU frequency. */
	warm = n / 10 < 100000 ? n / 10 : 100000;
	for (i = 0; i < warm; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("writeloop: write");
			return 1;
		}
	}

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("writeloop: write");
			return 1;
		}
	}
	t1 = now_ns();

	close(fd);
	printf("writeloop calls=%ld ns_per_call=%.2f\n", n, (t1 - t0) / (double)n);
	return 0;
}
