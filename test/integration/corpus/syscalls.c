// A corpus program for test/integration/strace-compare.test.ts: many syscalls with known
// arguments, failures included, run under strace and under traceloop, whose lines must match.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/select.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[256], path2[256], buf[256];
	struct stat st;
	int fd, p[2], sv[2];

	if (chdir(dir) < 0)
		return 2;
	/* files */
	fd = open("f1", O_WRONLY | O_CREAT | O_TRUNC, 0640);
	write(fd, "hello\n\tworld\0\1\2", 15);
	pwrite(fd, "xy", 2, 100);
	fsync(fd);
	ftruncate(fd, 50);
	fstat(fd, &st);
	fchmod(fd, 0600);
	close(fd);
	fd = openat(AT_FDCWD, "f1", O_RDONLY | O_CLOEXEC);
	read(fd, buf, 8);
	pread(fd, buf, 4, 2);
	lseek(fd, 0, SEEK_END);
	lseek(fd, 1, SEEK_SET);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_GETFD);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_DUPFD_CLOEXEC, 10);
	dup(fd);
	dup2(fd, 20);
	dup3(fd, 21, O_CLOEXEC);
	flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	open("/nonexistent/x", O_RDONLY);
	openat(AT_FDCWD, "f1", O_WRONLY | O_CREAT | O_EXCL, 0644);
	stat("f1", &st);
	lstat("f1", &st);
	stat("/dev/null", &st);
	access("f1", R_OK | W_OK);
	access("/nonexistent", F_OK);
	faccessat(AT_FDCWD, "f1", X_OK, 0);
	mkdir("d1", 0755);
	mkdirat(AT_FDCWD, "d1/d2", 0700);
	rmdir("d1/d2");
	symlink("f1", "l1");
	readlink("l1", buf, sizeof(buf));
	link("f1", "h1");
	rename("h1", "h2");
	renameat(AT_FDCWD, "h2", AT_FDCWD, "h3");
	unlink("h3");
	unlinkat(AT_FDCWD, "l1", 0);
	unlinkat(AT_FDCWD, "d1", AT_REMOVEDIR);
	chmod("f1", 0644);
	truncate("f1", 10);
	getcwd(buf, sizeof(buf));
	chdir("/");
	chdir(dir);
	umask(022);
	struct statfs sfs;
	statfs("/", &sfs);
	/* A path on a page nobody touched yet: the kernel side faults at enter. */
	char *fresh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	snprintf(path, sizeof(path), "%s/f1", dir);
	int mfd = open(path, O_RDONLY);
	char *mapped = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, mfd, 0);
	(void)mapped;
	fd = open("f2", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "f1\0", 3);
	close(fd);
	fd = open("f2", O_RDONLY);
	char *file_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	access(file_page, F_OK); /* "f1" from a file page never read: faults at enter */
	close(fd);
	munmap(file_page, 4096);
	madvise(fresh, 8192, MADV_DONTNEED);
	mprotect(fresh, 4096, PROT_READ);
	munmap(fresh, 8192);
	close(mfd);
	/* pipes, sockets */
	pipe2(p, O_CLOEXEC);
	write(p[1], "ping", 4);
	struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
	poll(pf, 2, 100);
	read(p[0], buf, sizeof(buf));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	write(p[1], "x", 1);
	struct epoll_event evs[4];
	epoll_wait(ep, evs, 4, 100);
	close(ep);
	close(p[0]);
	close(p[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send(sv[0], "abc", 3, MSG_DONTWAIT);
	recv(sv[1], buf, sizeof(buf), 0);
	shutdown(sv[0], SHUT_WR);
	close(sv[0]);
	close(sv[1]);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(1)};
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	connect(s, (struct sockaddr *)&sin, sizeof(sin));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = 0;
	bind(s, (struct sockaddr *)&sin, sizeof(sin));
	socklen_t sl = sizeof(sin);
	getsockname(s, (struct sockaddr *)&sin, &sl);
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	connect(s, (struct sockaddr *)&sin6, sizeof(sin6));
	close(s);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	memcpy(sun.sun_path, "\0traceloop-abstract", 19);
	bind(s, (struct sockaddr *)&sun, offsetof(struct sockaddr_un, sun_path) + 19);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/nosock", dir);
	connect(s, (struct sockaddr *)&sun, sizeof(sun));
	close(s);
	/* vectored I/O, messages, select, directories */
	fd = open("f3", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct iovec wv[3] = {{"alpha ", 6}, {NULL, 0}, {"beta\n", 5}};
	writev(fd, wv, 3);
	pwritev(fd, wv, 1, 64);
	lseek(fd, 0, SEEK_SET);
	char b1[4], b2[16];
	struct iovec rv[2] = {{b1, sizeof(b1)}, {b2, sizeof(b2)}};
	readv(fd, rv, 2);
	readv(fd, rv, 2); /* at the end: 0 bytes, both buffers "" */
	preadv(fd, rv, 2, 2);
	close(fd);
	unlink("f3");
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec mv[2] = {{"hi", 2}, {"there", 5}};
	struct msghdr mh = {
	    .msg_iov = mv, .msg_iovlen = 2, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &sv[0], sizeof(int));
	sendmsg(sv[0], &mh, 0);
	char rb[32], rc[64];
	struct sockaddr_un from;
	struct iovec riov = {rb, sizeof(rb)};
	struct msghdr rh = {.msg_name = &from,
			    .msg_namelen = sizeof(from),
			    .msg_iov = &riov,
			    .msg_iovlen = 1,
			    .msg_control = rc,
			    .msg_controllen = sizeof(rc)};
	recvmsg(sv[1], &rh, 0);
	if (rh.msg_controllen)
		close(*(int *)CMSG_DATA(CMSG_FIRSTHDR(&rh)));
	send(sv[0], "x", 1, 0);
	fd_set rfds, wfds;
	FD_ZERO(&rfds);
	FD_ZERO(&wfds);
	FD_SET(sv[1], &rfds);
	FD_SET(sv[0], &wfds);
	struct timeval tv = {1, 0};
	syscall(SYS_select, sv[1] + 1, &rfds, &wfds, NULL, &tv);
	recv(sv[1], buf, sizeof(buf), 0);
	FD_ZERO(&rfds);
	FD_SET(sv[1], &rfds);
	struct timespec pts = {0, 1000000};
	pselect(sv[1] + 1, &rfds, NULL, NULL, &pts, NULL);
	struct iovec m1 = {"one", 3}, m2 = {"second", 6};
	struct mmsghdr out[2] = {{.msg_hdr = {.msg_iov = &m1, .msg_iovlen = 1}},
				 {.msg_hdr = {.msg_iov = &m2, .msg_iovlen = 1}}};
	sendmmsg(sv[0], out, 2, 0);
	char in1[8], in2[8], in3[8];
	struct iovec r1 = {in1, sizeof(in1)}, r2 = {in2, sizeof(in2)}, r3 = {in3, sizeof(in3)};
	struct mmsghdr in[3] = {{.msg_hdr = {.msg_iov = &r1, .msg_iovlen = 1}},
				{.msg_hdr = {.msg_iov = &r2, .msg_iovlen = 1}},
				{.msg_hdr = {.msg_iov = &r3, .msg_iovlen = 1}}};
	recvmmsg(sv[1], in, 3, MSG_DONTWAIT, NULL);
	close(sv[0]);
	close(sv[1]);
	DIR *dp = opendir(dir);
	while (dp && readdir(dp))
		;
	if (dp)
		closedir(dp);
	/* processes, signals, time */
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), 0);
	kill(999999, SIGTERM);
	struct timespec ts = {0, 1000000};
	nanosleep(&ts, NULL);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	struct utsname un;
	uname(&un);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	prlimit(0, RLIMIT_CORE, NULL, &rl);
	prctl(PR_SET_NAME, "corpus", 0, 0, 0);
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	int pdeath;
	prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
	getrandom(buf, 16, GRND_NONBLOCK);
	cpu_set_t cpus;
	sched_getaffinity(0, sizeof(cpus), &cpus);
	getuid();
	getgid();
	geteuid();
	getppid();
	pid_t child = fork();
	if (child == 0) {
		write(1, "child\n", 6);
		_exit(3);
	}
	int status;
	wait4(child, &status, 0, NULL);
	child = fork();
	if (child == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	waitpid(child, &status, 0);
	ioctl(1, TCGETS, buf);
	/* ioctl and fcntl arguments chosen by the request */
	pipe(p);
	write(p[1], "four", 4);
	int avail;
	ioctl(p[0], FIONREAD, &avail);
	ioctl(p[0], FIOCLEX);
	close(p[0]);
	close(p[1]);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	ioctl(s, SIOCGIFINDEX, &ifr);
	strcpy(ifr.ifr_name, "nosuch0");
	ioctl(s, SIOCGIFINDEX, &ifr);
	close(s);
	fd = open("f1", O_RDWR);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4};
	fcntl(fd, F_SETLK, &fl);
	fl.l_type = F_RDLCK;
	fcntl(fd, F_GETLK, &fl);
	close(fd);
	snprintf(path2, sizeof(path2), "%s/f1", dir);
	unlink(path2);
	unlink("f2");
	return 7;
}
