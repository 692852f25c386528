// ia32 calls from a 64-bit process (int $0x80): the raw syscall tracepoints see
// them numbered in the i386 table, their arguments in ebx, ecx, edx, ...
// test/integration/ia32.test.ts records this and checks they are neither named
// nor captured as the x86_64 calls of the same numbers. Prints what each returned.
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

static char buffer[64] = "not to be read";

int main(void)
{
	/* i386 getpid (20): x86_64's 20 is writev, whose iovecs would be read from rsi */
	long pid = int80(20, 0x11, 0x22, 0x33);
	/* i386 time(NULL) (13): x86_64's 13 is rt_sigaction, whose old action is
	 * captured at exit from rdx: pointed at a buffer here */
	long now = int80(13, 0, (long)buffer, (long)buffer);
	/* the same process's x86_64 getpid, decoded as ever */
	long pid64 = syscall(SYS_getpid);

	printf("%ld %ld %ld\n", pid, now, pid64);
	return 0;
}
