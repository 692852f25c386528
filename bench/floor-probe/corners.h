/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What corners.bpf.c logs and corners.c prints, one per hook run. */
#ifndef CORNERS_H
#define CORNERS_H

enum { TP_ENTER, TP_EXIT, FENTRY, FEXIT };

struct corner_event {
	__u32 hook;
	__u32 tid;
	__s64 nr;      /* the hook's own syscall number */
	__s64 orig_ax; /* regs->orig_ax when the program ran */
	__s64 ret;
};

#define LOG_SIZE 4096

#endif
