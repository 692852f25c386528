// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Issue #11's floor probe: the cost of merely being attached to a syscall
 * hook, with programs that do nothing. Two pairs, one per way in:
 *   tp_btf/sys_enter + tp_btf/sys_exit   (every task on the syscall slow path)
 *   fentry + fexit on x64_sys_call       (a trampoline on the dispatcher)
 * floor-probe.c loads one pair (or none) and runs a command under it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(probe_tp_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(probe_tp_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("fentry/x64_sys_call")
int BPF_PROG(probe_fentry, struct pt_regs *regs, unsigned int nr)
{
	return 0;
}

SEC("fexit/x64_sys_call")
int BPF_PROG(probe_fexit, struct pt_regs *regs, unsigned int nr, long ret)
{
	return 0;
}
