// SPDX-License-Identifier: Apache-2.0
/*
 * failloop N: N write(-1, buf, 64) calls, each failing with EBADF: the exit
 * path's failed-call branch, where an armed errno trigger is counted
 * (bench/prog-cost.mjs --armed 9). Same output as writeloop:
 *   failloop calls=N ns_per_call=X.XX
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char buf[64];
	long n, i;
	double t0, t1;
	char *end;

	if (argc != 2) {
		fprintf(stderr, "usage: %s N\n", argv[0]);
		return 2;
	}
	errno = 0;
	n = strtol(argv[1], &end, 10);
	if (errno || *end || n <= 0) {
		fprintf(stderr, "failloop: N must be a positive integer\n");
		return 2;
	}
	memset(buf, '.', sizeof(buf));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (write(-1, buf, sizeof(buf)) != -1 || errno != EBADF) {
			fprintf(stderr, "failloop: write(-1) did not fail with EBADF\n");
			return 1;
		}
	}
	t1 = now_ns();
	printf("failloop calls=%ld ns_per_call=%.2f\n", n, (t1 - t0) / (double)n);
	return 0;
}
