// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Issue #11: what the raw syscall tracepoints and fentry/fexit on
 * x64_sys_call each see of the same calls. All four programs are attached
 * at once and append (hook, tid, nr, orig_ax, ret) to one log, for the
 * children and grandchildren of the test (test_tgid); corners.c prints it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "corners.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u32 test_tgid = 0;
__u32 log_len = 0;
struct corner_event events[LOG_SIZE] = {};

static __always_inline void note(__u32 hook, struct pt_regs *regs, __s64 nr, __s64 ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 i;

	/* the test's children and grandchildren, not the test itself */
	if (!test_tgid || t->tgid == test_tgid ||
	    (t->real_parent->tgid != test_tgid && t->real_parent->real_parent->tgid != test_tgid))
		return;
	i = __sync_fetch_and_add(&log_len, 1);
	if (i >= LOG_SIZE)
		return;
	events[i].hook = hook;
	events[i].tid = t->pid;
	events[i].nr = nr;
	events[i].orig_ax = regs->orig_ax;
	events[i].ret = ret;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(corner_tp_enter, struct pt_regs *regs, long id)
{
	note(TP_ENTER, regs, id, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(corner_tp_exit, struct pt_regs *regs, long ret)
{
	note(TP_EXIT, regs, regs->orig_ax, ret);
	return 0;
}

SEC("fentry/x64_sys_call")
int BPF_PROG(corner_fentry, struct pt_regs *regs, unsigned int nr)
{
	note(FENTRY, regs, nr, 0);
	return 0;
}

SEC("fexit/x64_sys_call")
int BPF_PROG(corner_fexit, struct pt_regs *regs, unsigned int nr, long ret)
{
	note(FEXIT, regs, nr, ret);
	return 0;
}
