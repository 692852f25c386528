/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire contract between the BPF programs (bpf/traceloop.bpf.c), the
 * native reader (native/) and, mirrored field by field, src/wire.ts.
 * Change a layout here and there together; test/wire-layout.test.ts compares the
 * TS mirror with the offsets the addon reports from this very header.
 *
 * Rings. Every registered cgroup owns one BPF_F_MMAPABLE array with one
 * element per possible CPU. An element is
 *
 *     [ control block + page index : TL_CTRL_BYTES rounded to pages ]
 *     [ data : ring_bytes, a power of two                           ]
 *
 * The writer on a CPU takes the element's `busy` flag with one atomic
 * exchange (a writer preempted mid-record would otherwise interleave with
 * another task on the same CPU; the loser counts itself in `failed` and
 * writes nothing), appends records at data[head % ring_bytes], and then
 * publishes the new `head` with a plain store after a compiler barrier (x86
 * is TSO). Positions are absolute byte counts that only grow; a record
 * never wraps around the end of the data area: when it might not fit, the
 * writer first fills the rest of the lap with a TL_REC_PAD record.
 *
 * The reader never writes. Bytes at absolute positions >= head - ring_bytes
 * + inflight are intact, where inflight (a reader parameter, see
 * native/recorder.cc) bounds what a writer may be scribbling on past the
 * published head: a pad (shorter than the largest room a record reserves)
 * plus the largest record. The writer stores
 * `published` (and `last_ts`) before `head`; a reader that loads them in the
 * other order knows how many records lie below the head it read, and so can
 * count as lost every one it could not deliver, even when none is left to
 * show a gap in the sequence numbers. To find a record
 * boundary inside that window the writer keeps page_start[]: for each 4 KiB
 * page of the data area, the absolute position of the first record that
 * starts in it (an entry from an older lap is recognised by its position
 * lying outside the page).
 *
 * Groups. An enter or exit record is followed by exactly `nparams`
 * TL_REC_PARAM records, written under the same lock, so a group is kept or
 * lost as a whole; a TL_REC_PAD may sit inside a group when the lap ends
 * there. A param belongs to the event before it: that is the link between
 * captured bytes and their call (the enter or exit carries the seq). Enter
 * and exit of one call are paired by tid: a thread has one call in flight.
 */
#ifndef TRACELOOP_H
#define TRACELOOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TL_MAX_CGROUPS 1024
/* Bits of the cgroup pre-filter: bit (id % TL_FILTER_BITS) is set while some
 * registered cgroup's id maps to it (see cgroup_filter in traceloop.bpf.c). */
#define TL_FILTER_BITS 16384

/*
 * A CPU's memory of the last task whose cgroup it looked up (memos in
 * traceloop.bpf.c; issue #11), so that a task's next syscall on that CPU
 * skips the lookup: the chain task -> css_set -> cgroup -> kernfs node and
 * the tables after it, cold at sys_enter on hosts whose TLB every kernel
 * entry empties (a recorded call ~20 ns cheaper there by the wall clock,
 * bench/results.md; a passive one no cheaper). A memo holds for the
 * same task (pid and start time: not a pid reused) while cgroup_moves has not
 * changed (no task moved between cgroups, no cgroup registered or withdrawn).
 * Both words are checked, so a memo torn by a preempting writer (a program of
 * another task on this CPU) matches neither task and is looked up again.
 * Read and written only by the programs, one cache line per CPU.
 */
struct tl_memo {
	__u64 key;   /* pid << 32 | 1 + the cgroup's slot (0: not registered) */
	__u64 check; /* the task's start_time ^ cgroup_moves */
	__u64 pad[6];
};
#define TL_MEMO_CPUS 256    /* CPUs from this one on look up every time */
#define TL_MAX_SYSCALLS 512 /* x86_64 numbers are < 512 */
#define TL_MAX_ARGS 6
#define TL_MAX_PARAMS 3 /* captured arguments per syscall */
#define TL_COMM_LEN 16
#define TL_PAGE_SHIFT 12
#define TL_PAGE_SIZE (1u << TL_PAGE_SHIFT)
#define TL_MAX_CAPTURE 4096    /* bytes of one captured argument, at most */
#define TL_PATH_MAX 4096       /* bytes of one captured string (a path), at most */
#define TL_MIN_RING_BYTES 4096 /* one page */
#define TL_MAX_RING_BYTES (1u << 24)
#define TL_ALIGN 8

/* Record types. Kernel records first; userspace-only records from 0x80. */
enum tl_rec_type {
	TL_REC_PAD = 1,	       /* filler to the end of a lap; skip */
	TL_REC_ENTER = 2,      /* struct tl_enter */
	TL_REC_EXIT = 3,       /* struct tl_exit */
	TL_REC_PARAM = 4,      /* struct tl_param: bytes of one argument of the
				* TL_REC_ENTER or TL_REC_EXIT right before it */
	TL_REC_DONE = 5,       /* struct tl_done: the exit of the call whose enter
				* group ends right before it (ring only: the
				* reader delivers it as a TL_REC_EXIT) */
	TL_REC_DONE_SHORT = 6, /* struct tl_done_short: the same, 8 bytes */
	TL_REC_LOST = 0x80,    /* struct tl_lost, made by the reader */
};

/* tl_hdr.flags of enter and exit records: set by the reader, but TL_FLAG_IA32 */
#define TL_FLAG_LATE 0x01 /* published after newer records had been shown */
/* An enter whose thread's comm the ring no longer holds (see "Comm carried
 * forward"): its comm is the one the thread's next named enter in the same
 * read gives, or empty if there is none. */
#define TL_FLAG_COMM_LATER 0x02
/* set by the writer: an ia32 call (int 0x80 from any process, or any call of
 * a 32-bit one). Its nr is the i386 table's and its args are the i386 ABI's
 * registers (ebx, ecx, edx, esi, edi, ebp: their low 32 bits); no capture rule (they are
 * x86_64's) is applied to it, and its exit is always a full tl_exit (never
 * completed in place), so both halves carry the flag. */
#define TL_FLAG_IA32 0x04
/* set by the writer on a process's end (TL_NR_PROC_END): the OOM killer chose
 * it (its signal struct's oom_mm was set). Kept with the record itself, so a
 * dump says so whatever other trigger came on that CPU before the daemon
 * looked (the control block's trig_last holds only the newest). */
#define TL_FLAG_OOM 0x08

/* Every record starts with this; size is a multiple of TL_ALIGN. */
struct tl_hdr {
	__u16 size;
	__u8 type;
	__u8 flags;
	__u32 tid;
};

/* Common head of enter and exit records. */
struct tl_event {
	struct tl_hdr h;
	__u32 seq; /* low 32 bits of the per-(cgroup, CPU) record number */
	__u16 cpu;
	__u16 nr; /* syscall number; 0xffff for ids that do not fit (-1);
		   * TL_NR_PROC_END on an exit record that ends a process,
		   * TL_NR_SIGNAL on one that says a signal was delivered */
	__u64 ts; /* bpf_ktime_get_ns(), read as the ring is taken; never less
		   * than the ring's record before it (see take_ring) */
};

struct tl_enter {
	struct tl_event ev;
	__u32 pid;    /* tgid */
	__u8 nargs;   /* args[] holds this many; the record is cut after them */
	__u8 nparams; /* TL_REC_PARAM records that follow */
	__u16 reserved;
	char comm[TL_COMM_LEN];
	__u64 args[TL_MAX_ARGS];
};
#define TL_ENTER_BYTES(nargs) (sizeof(struct tl_enter) - 8 * (TL_MAX_ARGS - (nargs)))

/*
 * Comm carried forward. A thread's comm changes rarely (execve, prctl
 * PR_SET_NAME, a write to /proc/<tid>/comm), so a ring holds it only where
 * the reader could not know it: the enter record the kernel writes is
 * tl_ring_enter, whose comm (and, after a change, the one before) follows
 * its arguments only when comm_flags says TL_COMM_NAMED. The writer keeps,
 * per ring, a small cache of the comm it last wrote for a thread
 * (tl_comm_slot, by tid % TL_COMM_SLOTS) and names an enter when the slot
 * holds another thread, another comm (every change is seen, whatever made
 * it: the comm is compared, not the syscall), or a comm written more than
 * ring_bytes >> TL_COMM_REFRESH_SHIFT bytes ago. So an unnamed enter's comm
 * is that of its thread's last named enter in the same ring.
 *
 * The reader (native/ring_reader.cc) carries the comm forward per (ring,
 * tid) and delivers every enter as a tl_enter with its comm in place.
 * A read that starts mid-lap, or after a loss, may meet a thread's unnamed
 * enters before any named one: their comm lies in the part of the ring the
 * read does not have. The flags of the thread's first named enter in the
 * read then say what the comm was before it: TL_COMM_SAME (unchanged: a
 * refresh, so the earlier enters had this comm) or TL_COMM_RENAMED (changed;
 * the comm before follows this one). With neither (the slot held another
 * thread) the earlier enters' comm is unknown: they are delivered with
 * TL_FLAG_COMM_LATER and the comm their thread had at that named enter,
 * which the text marks as such. Reading /proc/<tid>/comm would name history
 * with today's name; the mark says what is known. The refresh bounds that
 * case to threads with no named enter in the newest 1/8 of the ring.
 */
#define TL_COMM_NAMED 0x1	/* a comm follows the arguments */
#define TL_COMM_SAME 0x2	/* ... repeated: unchanged since the thread's last named enter */
#define TL_COMM_RENAMED 0x4	/* ... changed: the comm before follows it */
#define TL_COMM_SLOTS 64	/* per ring; a power of two */
#define TL_COMM_REFRESH_SHIFT 3 /* name again after ring_bytes >> this bytes */

struct tl_ring_enter {
	struct tl_event ev;
	__u32 pid;	  /* tgid */
	__u8 nargs;	  /* args[] holds this many, then the comm(s) */
	__u8 nparams;	  /* TL_REC_PARAM records that follow */
	__u16 comm_flags; /* TL_COMM_* */
	__u64 args[TL_MAX_ARGS];
	/* with TL_COMM_NAMED: char comm[TL_COMM_LEN]; with TL_COMM_RENAMED
	 * then: char prev[TL_COMM_LEN] */
};
#define TL_RING_ENTER_BYTES(nargs, comm_flags)                                                     \
	(sizeof(struct tl_ring_enter) - 8 * (TL_MAX_ARGS - (nargs)) +                              \
	 ((comm_flags)&TL_COMM_NAMED ? TL_COMM_LEN : 0) +                                          \
	 ((comm_flags)&TL_COMM_RENAMED ? TL_COMM_LEN : 0))
#define TL_RING_ENTER_MAX (sizeof(struct tl_ring_enter) + 2 * TL_COMM_LEN)

/* The writer's memory of the comm it last wrote into a ring for a thread. */
struct tl_comm_slot {
	__u32 tid;
	__u32 reserved;
	__u64 pos;     /* absolute position of that named enter */
	__u64 comm[2]; /* char[TL_COMM_LEN], as two words to compare */
};

/*
 * An exit record with this number is no syscall's: the last thread of a
 * process has gone through do_exit (sched_process_exit), and `ret` is the
 * process's wait status (exit code << 8, or the signal that killed it, | 0x80
 * for a core dump), as wait4 would report it. strace's `+++ exited with N
 * +++` and `+++ killed by SIGKILL +++` come from it, also for a process
 * killed in the middle of a call (cgroup.kill, the OOM killer).
 */
#define TL_NR_PROC_END 0xfffe
/*
 * An exit record numbered TL_NR_SIGNAL is a signal delivered to the thread
 * (the signal_deliver tracepoint: its handler or its default action runs
 * next): `ret` is the signal, and one TL_REC_PARAM follows with the first
 * TL_SIGINFO_BYTES of its siginfo (si_signo, si_errno, si_code, then the
 * union: si_addr of a fault, si_pid and si_uid of a kill, SIGCHLD's status).
 * strace's `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---`.
 * Never for SIGKILL (as strace shows none: the process's end says it).
 */
#define TL_NR_SIGNAL 0xfffd
#define TL_SIGINFO_BYTES 48

struct tl_exit {
	struct tl_event ev;
	__s64 ret;
	__u32 pid;
	__u8 nparams;
	__u8 reserved[3];
};

/*
 * One record per call when nothing came between. When a thread's exit finds
 * its own enter group as the last thing in the ring (the head has not moved
 * since, see tl_open_call), it completes that call with this instead of a
 * tl_exit: 16 bytes instead of 40, no header of its own, no seq stored.
 * Its seq is the enter's + 1 (nothing was numbered between: every numbered
 * record moves the head) and it counts in `emitted` like any exit; its
 * timestamp is the enter's + duration. The reader turns it back into the
 * tl_exit the two-record form would have had, byte for byte (tid, pid, nr
 * and cpu of the enter, nparams 0), so nothing past the reader knows the
 * form. Only calls that capture nothing at exit are completed so. A DONE
 * whose enter the reader did not deliver just before it (overwritten, or
 * read from the middle) is skipped like a param that lost its owner: its
 * seq is counted lost by the gap it leaves.
 */
struct tl_done {
	__u16 size; /* as tl_hdr */
	__u8 type;  /* TL_REC_DONE */
	__u8 flags;
	__u32 duration; /* ns from the enter's timestamp to the exit's */
	__s64 ret;
};

/* The same for a call whose return value and duration fit 16 bits (most:
 * sizes, fds, errors, under 65.5 us): 8 bytes. */
struct tl_done_short {
	__u16 size; /* as tl_hdr */
	__u8 type;  /* TL_REC_DONE_SHORT */
	__u8 flags;
	__s16 ret;
	__u16 duration; /* ns */
};

/*
 * The call whose enter group was the last thing written to a ring, kept in
 * its control block by the writer for the exit to find (the reader ignores
 * it). The exit completes that call in place only if it is the same one:
 * same thread and syscall, the head where the enter left it, and the thread
 * neither moved to another CPU (se.nr_migrations) nor any task to another
 * cgroup (cgroup_moves, which a registration also moves) since; either would
 * let its records go to another ring while this one stood still.
 */
struct tl_open_call {
	__u64 end; /* head after the enter's group */
	__u64 ts;  /* the enter's timestamp */
	__u32 tid;
	__u32 nr;
	__u32 moves;	    /* the thread's se.nr_migrations, low 32 bits */
	__u32 cgroup_moves; /* the global cgroup_moves, low 32 bits */
};

/* tl_param.status */
enum tl_param_status {
	TL_PARAM_OK = 0,
	TL_PARAM_FAULT = 1,	/* the user memory could not be read */
	TL_PARAM_TRUNCATED = 2, /* more existed: a buffer longer than the capture
				 * limit, a string with no NUL within it */
};

struct tl_param {
	struct tl_hdr h; /* tid of the owner */
	__u8 arg;	 /* argument index, 0-based */
	__u8 status;	 /* enum tl_param_status */
	__u16 len;	 /* captured bytes that follow */
	__u32 want;	 /* bytes the call named (buffers), 0 for strings */
			 /* __u8 bytes[len], padded to TL_ALIGN */
};

/* What the reader puts in the stream where records are missing. */
enum tl_lost_reason {
	TL_LOST_OVERWRITTEN = 1, /* ring wrapped before the reader got there */
	TL_LOST_BUSY = 2,	 /* writer found the ring busy (preempted writer) */
	TL_LOST_TORN = 3,	 /* overwritten while being copied */
	TL_LOST_CONSUMER = 4,	 /* reader-side queue full (consumer behind) */
	TL_LOST_GONE = 5,	 /* the cgroup vanished; stream ends */
};

struct tl_lost {
	struct tl_hdr h; /* type TL_REC_LOST, flags = enum tl_lost_reason */
	__u32 cpu;
	__u32 reserved;
	__u64 count;
	__u64 ts_from; /* newest record seen before the gap, 0 if none */
	__u64 ts_to;   /* oldest record seen after the gap */
};

/*
 * Triggers (issue #16): events a daemon may save the flight record for. The
 * writer counts them in the control block (16-bit counters that wrap) and
 * leaves the seq of the record that was the trigger in trig_seq, so that a
 * poll of the counters finds them and the dump can mark that record.
 */
enum tl_trigger {
	TL_TRIG_CRASH = 0, /* a process killed by one of TL_CRASH_SIGNALS */
	TL_TRIG_EXIT = 1,  /* a process exited with a non-zero status */
	TL_TRIG_ERRNO = 2, /* a call failed with an errno in trigger_errnos */
	TL_TRIG_KINDS = 3,
};
#define TL_TRIG_OOM 0x100 /* trig_last: the crash was the OOM killer's SIGKILL */
/* SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGSEGV, SIGSYS (x86_64 numbers) */
#define TL_CRASH_SIGNALS                                                                           \
	((1u << 4) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 11) | (1u << 31))
#define TL_TRIG_ERRNO_BITS 256 /* errnos 1..255 can be armed */

/* At the start of every per-CPU ring element. */
struct tl_ring_ctrl {
	__u64 head;	 /* bytes published, absolute */
	__u64 emitted;	 /* records given a seq: seq of the next one */
	__u64 failed;	 /* records not written: ring busy */
	__u64 faults;	 /* captures (or pieces of one: an iovec's buffer, a set
			  * of select) that could not be read */
	__u32 busy;	 /* writer lock, taken with an atomic exchange */
	__u32 trig_seq;	 /* seq (low 32 bits, as on the wire) of the last trigger */
	__u64 published; /* `emitted` as of the last publish: every record
			  * numbered below it lies below `head` */
	__u64 last_ts;	 /* timestamp of the newest published record */
	/* Triggers seen on this CPU (see enum tl_trigger), bumped under the
	 * lock; polled by the daemon without reading the ring. */
	__u16 trig_count[TL_TRIG_KINDS];
	__u16 trig_last;	  /* the last one's kind, | TL_TRIG_OOM */
	struct tl_open_call open; /* writer-private: see tl_open_call */
	/* writer-private: see "Comm carried forward" */
	struct tl_comm_slot comms[TL_COMM_SLOTS];
	__u64 page_start[]; /* ring_bytes / TL_PAGE_SIZE entries */
};
#define TL_CTRL_FIXED_BYTES (96 + 32 * TL_COMM_SLOTS)

/* Per-syscall capture rules (BPF map `rules`, filled from userspace). */
enum tl_capture_kind {
	TL_CAP_NONE = 0,
	TL_CAP_STR = 1,		    /* NUL-ended string, at enter */
	TL_CAP_BUF_ARGLEN = 2,	    /* buffer, length in argument len_arg, at enter */
	TL_CAP_BUF_RETLEN = 3,	    /* buffer, length = return value, at exit */
	TL_CAP_STRUCT_ENTER = 4,    /* `size` bytes, at enter */
	TL_CAP_STRUCT_EXIT = 5,	    /* `size` bytes, at exit, if the call succeeded */
	TL_CAP_BUF_ARGLEN_EXIT = 6, /* buffer, length in argument len_arg, at exit,
				     * if the call succeeded (poll's revents) */
	TL_CAP_STRV = 7,	    /* NULL-ended array of strings, at enter: the first
				     * `size` strings, NUL after each; want = entries */
	TL_CAP_IOV = 8,		    /* iovec array, count in argument len_arg, at enter:
				     * see struct tl_iov_part */
	TL_CAP_IOV_EXIT = 9,	    /* the same at exit, if the call succeeded: the bytes
				     * it returned spread over the buffers in order */
	TL_CAP_MSG = 10,	    /* struct user_msghdr, at enter: see tl_msg_part */
	TL_CAP_MSG_EXIT = 11,	    /* the same at exit, if the call succeeded */
	TL_CAP_FDSETS = 12,	    /* select: the fd_sets in arguments arg..arg+2, of
				     * len_arg bits, and the timeout in arg+3; at enter:
				     * see tl_fdsets_part */
	TL_CAP_FDSETS_EXIT = 13,    /* the same at exit, if the call returned > 0 */
	TL_CAP_DIRENTS = 14,	    /* linux_dirent64 records, as many bytes as returned,
				     * counted at exit: the param holds a __u32 count */
	TL_CAP_KEYED = 15,	    /* whatever `keyed_rules` says for this syscall and
				     * the value of argument len_arg (ioctl's request,
				     * prctl's option): a STR or STRUCT_* capture */
	TL_CAP_STRUCT_INOUT = 16,   /* `size` bytes at enter, and again at exit if the
				     * call succeeded (ioctl's struct ifreq) */
	TL_CAP_MMSG_EXIT = 17,	    /* sendmmsg/recvmmsg's struct mmsghdr array, at exit,
				     * as many as the call returned: see tl_mmsg_part */
	TL_CAP_NEW_FDS = 18,	    /* at exit, if the call succeeded: what the fds it
				     * made are (see tl_new_fd); arg is TL_ARG_NEW_FDS */
};
#define TL_STRV_MAX_COUNT 256 /* entries of a string array counted, at most */
/*
 * For the TL_CAP_BUF_* kinds, a nonzero `size` is the bytes per element: the
 * length (argument or return value) is a count of elements (poll's nfds,
 * epoll_wait's return). A NULL argument is never captured: the reader shows
 * NULL. An enter capture that faults (a page not yet touched) is read again
 * at exit and appended to the exit record as one more TL_REC_PARAM of the
 * same argument.
 */

/*
 * Compound captures. One TL_REC_PARAM holds a small header and then the
 * pieces it describes, each padded to TL_ALIGN. A piece's status is an enum
 * tl_param_status or TL_PART_NULL (a NULL pointer: nothing read).
 */
#define TL_PART_NULL 3
#define TL_PART_UNREAD 4	  /* a pointer not followed (mmsghdr's msg_name) */
#define TL_IOV_MAX 16		  /* iovec entries captured, at most */
#define TL_MSG_PART_MAX 128	  /* bytes of msg_name, and of msg_control, at most */
#define TL_FDSET_MAX_BITS 1024	  /* bits of each fd_set, at most (FD_SETSIZE) */
#define TL_DIRENTS_MAX_STEPS 8192 /* entries counted, at most */

/* TL_CAP_IOV*: per entry, this and then `len` bytes of its buffer, as many
 * as fit in max_capture bytes in all. The param's `want` is the count the
 * call named; TRUNCATED: entries or bytes did not all fit. An entry's own status is TRUNCATED when
 * its buffer held more (or, at exit, more of it was filled) than was captured. */
struct tl_iov_part {
	__u64 iov_len; /* as the caller set it */
	__u16 len;     /* captured bytes that follow */
	__u8 status;
	__u8 reserved[5];
};

/* TL_CAP_MSG*: the msghdr's fields, then msg_name's bytes, msg_control's
 * bytes, then iovec parts as for TL_CAP_IOV (parts and bytes bounded by
 * max_capture in all, and at exit by the return value). */
struct tl_msg_part {
	__u64 name;
	__u32 namelen;
	__u32 flags;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u16 name_len;	   /* bytes of msg_name that follow */
	__u16 control_len; /* bytes of msg_control after those */
	__u8 name_status;
	__u8 control_status;
	__u16 reserved;
};

/* TL_CAP_MMSG_EXIT: per message, as many as fit in max_capture bytes, this
 * (msg_len as the kernel set it, the msghdr's fields: its name and control
 * data are not read, TL_PART_UNREAD) and then one tl_iov_part with the first
 * buffer's bytes, msg_len of them at most. The param's `want` is the number
 * of messages the call returned; TRUNCATED: not all of them fit. */
#define TL_MMSG_MAX 8
struct tl_mmsg_part {
	__u32 msg_len;
	__u32 bytes; /* of this part and what follows it, to the next message */
	struct tl_msg_part msg;
};

/* TL_CAP_FDSETS*: then three sets of (nbits + 63) / 64 * 8 bytes each (their
 * bytes are undefined where the set's status is not OK). */
struct tl_fdsets_part {
	__u16 nbits; /* bits captured of each set: the call's nfds, at most
		      * TL_FDSET_MAX_BITS (more: the param is TRUNCATED) */
	__u8 status[3];
	__u8 timeout_status;
	__u16 reserved;
	__u64 timeout[2]; /* struct timeval (select) or timespec (pselect6) */
};

/*
 * TL_CAP_NEW_FDS: the inode behind each fd a call made (socket, accept,
 * pipe, socketpair), read from the task's fd table at sys_exit, so that
 * userspace names the fd (strace -y's `socket:[INODE]`, -yy's lookup in
 * /proc/net) from what it was then, never from what /proc shows at that
 * number later. The fd is the return value (`size` 0) or each of the `size`
 * ints of the array in argument len_arg (pipe's fildes, at most
 * TL_NEW_FDS_MAX). The param's arg is TL_ARG_NEW_FDS, no argument's; its
 * payload one tl_new_fd per fd, `want` their count. An entry whose ino is 0
 * could not be read (the param is then FAULT): that fd is shown bare.
 */
#define TL_ARG_NEW_FDS 7
#define TL_NEW_FDS_MAX 2
struct tl_new_fd {
	__u64 ino; /* f_inode->i_ino; 0: not read */
	__s32 fd;
	__u16 mode; /* f_inode->i_mode: S_IFSOCK, S_IFIFO, ... */
	__u16 reserved;
};

/* TL_CAP_DIRENTS: the param's bytes; `want` is the bytes returned, and
 * TRUNCATED says the count stopped at TL_DIRENTS_MAX_STEPS (or at a record
 * it could not read). */
struct tl_dirents_part {
	__u32 count;
	__u32 reserved;
};

/*
 * Compound captures are assembled away from the ring, in a per-CPU scratch
 * buffer, and copied into it in one piece: a param of at most
 * TL_COMPOUND_BYTES(max_capture) payload bytes. A compound holds at most
 * max_capture bytes of pieces besides the msghdr's head; select's three sets
 * and timeout are kept whole whatever max_capture says.
 */
#define TL_MSG_HEAD_ROOM (sizeof(struct tl_msg_part) + 2 * TL_MSG_PART_MAX)
#define TL_FDSETS_BYTES (sizeof(struct tl_fdsets_part) + 3 * (TL_FDSET_MAX_BITS / 8))
#define TL_COMPOUND_BYTES(max_capture)                                                             \
	((max_capture) + TL_MSG_HEAD_ROOM > TL_FDSETS_BYTES ? (max_capture) + TL_MSG_HEAD_ROOM     \
							    : TL_FDSETS_BYTES)
/* The scratch area: every position in it is masked with TL_SCRATCH_MASK and
 * every piece is at most TL_MAX_CAPTURE bytes, compile-time bounds the
 * verifier checks once whatever the settings. */
#define TL_SCRATCH_MASK (2 * TL_MAX_CAPTURE - 1)
#define TL_SCRATCH_BYTES (2 * TL_MAX_CAPTURE + TL_MAX_CAPTURE + TL_MSG_HEAD_ROOM)

/*
 * Capture families: what the loader leaves out, as a whole, when a kernel
 * refuses it (a helper it lacks, a verifier limit). The core (names, raw
 * arguments, return values, strings, plain buffers and structs) has no bit:
 * without it nothing loads. A capture of a family that is left out is not
 * taken, and its argument prints as an address.
 */
enum tl_family {
	TL_FAM_KEYED = 1 << 0,	 /* ioctl/prctl/fcntl: keyed_rules */
	TL_FAM_STRV = 1 << 1,	 /* execve's argv and envp */
	TL_FAM_IOV = 1 << 2,	 /* readv/writev and friends */
	TL_FAM_MSG = 1 << 3,	 /* sendmsg/recvmsg/sendmmsg/recvmmsg */
	TL_FAM_FDSETS = 1 << 4,	 /* select/pselect6 */
	TL_FAM_DIRENTS = 1 << 5, /* getdents counts */
	TL_FAM_NEW_FDS = 1 << 6, /* the inodes of new fds (-y, -yy): CO-RE reads */
	TL_FAM_ALL = (1 << 7) - 1,
};

/*
 * Benchmarks only (bench/cost-parts.mjs): parts of the recording path a
 * recorder cannot do without, skipped one at a time to measure what each
 * costs, and so what is left for everything else. Records made so are not
 * worth reading: times of 0, an unlocked ring, buffers never copied.
 */
enum tl_bench_skip {
	TL_SKIP_CLOCK = 1 << 0, /* bpf_ktime_get_ns: every record's time is 0 */
	TL_SKIP_LOCK = 1 << 1,	/* the ring's locked exchange: a plain store */
	TL_SKIP_COPY = 1 << 2,	/* a buffer capture's bpf_probe_read_user */
};

/*
 * Sets of capture kinds, as bit masks: the programs test a kind with one
 * shift where a switch compiled to a chain of compares, run for every slot
 * of every rule on every recorded call (issue #11).
 */
#define TL_KIND_BIT(k) (1u << (k))
/* Built in scratch by compound.bpf.h: every family's kind but TL_CAP_KEYED. */
#define TL_KINDS_COMPOUND                                                                          \
	(TL_KIND_BIT(TL_CAP_STRV) | TL_KIND_BIT(TL_CAP_IOV) | TL_KIND_BIT(TL_CAP_IOV_EXIT) |       \
	 TL_KIND_BIT(TL_CAP_MSG) | TL_KIND_BIT(TL_CAP_MSG_EXIT) | TL_KIND_BIT(TL_CAP_MMSG_EXIT) |  \
	 TL_KIND_BIT(TL_CAP_FDSETS) | TL_KIND_BIT(TL_CAP_FDSETS_EXIT) |                            \
	 TL_KIND_BIT(TL_CAP_DIRENTS) | TL_KIND_BIT(TL_CAP_NEW_FDS))
/* Read whatever the pointer argument holds: select's fd sets (any of them
 * may be NULL), the task's new fds. */
#define TL_KINDS_WITHOUT_POINTER                                                                   \
	(TL_KIND_BIT(TL_CAP_FDSETS) | TL_KIND_BIT(TL_CAP_FDSETS_EXIT) | TL_KIND_BIT(TL_CAP_NEW_FDS))

static inline int tl_kind_in(__u32 kinds, __u32 kind)
{
	return kind < 32 && ((kinds >> kind) & 1);
}

/* Whether a capture of this kind may take something at sys_exit (a keyed
 * one may resolve to one that does): the loader sets the syscall's bit of
 * exit_rules from it, and the exit of every other syscall skips its rule. */
static inline int tl_captures_at_exit(__u32 kind)
{
	switch (kind) {
	case TL_CAP_BUF_RETLEN:
	case TL_CAP_STRUCT_EXIT:
	case TL_CAP_BUF_ARGLEN_EXIT:
	case TL_CAP_IOV_EXIT:
	case TL_CAP_MSG_EXIT:
	case TL_CAP_FDSETS_EXIT:
	case TL_CAP_DIRENTS:
	case TL_CAP_KEYED:
	case TL_CAP_STRUCT_INOUT:
	case TL_CAP_MMSG_EXIT:
	case TL_CAP_NEW_FDS: return 1;
	default: return 0;
	}
}

/* The family of a capture kind; 0 for the core. */
static inline __u32 tl_family_of(__u32 kind)
{
	switch (kind) {
	case TL_CAP_KEYED: return TL_FAM_KEYED;
	case TL_CAP_STRV: return TL_FAM_STRV;
	case TL_CAP_IOV:
	case TL_CAP_IOV_EXIT: return TL_FAM_IOV;
	case TL_CAP_MSG:
	case TL_CAP_MSG_EXIT:
	case TL_CAP_MMSG_EXIT: return TL_FAM_MSG;
	case TL_CAP_FDSETS:
	case TL_CAP_FDSETS_EXIT: return TL_FAM_FDSETS;
	case TL_CAP_DIRENTS: return TL_FAM_DIRENTS;
	case TL_CAP_NEW_FDS: return TL_FAM_NEW_FDS;
	default: return 0;
	}
}

struct tl_capture {
	__u8 kind;
	__u8 arg;
	__u8 len_arg;
	__u8 reserved;
	__u32 size;
};

struct tl_rule {
	__u8 nargs; /* arguments to copy into the enter record */
	/* Set by the loader, for the commonest rules: 1 + the slot of the
	 * rule's only capture when that is a buffer of bytes whose length is
	 * an argument (TL_CAP_BUF_ARGLEN: write, sendto, pwrite64...), or the
	 * return value (TL_CAP_BUF_RETLEN: read, recvfrom, pread64...); else
	 * 0. The programs then take it without the loops over three slots of
	 * any kind (issue #11). */
	__u8 one_buffer;
	__u8 one_result;
	__u8 reserved;
	__u32 reserved2;
	struct tl_capture cap[TL_MAX_PARAMS];
};

/* `keyed_rules` key: a capture chosen by the value of a selector argument. */
struct tl_keyed_key {
	__u32 nr;
	__u32 selector; /* the argument's low 32 bits */
};
#define TL_MAX_KEYED 512

#endif /* TRACELOOP_H */
