// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel half of traceloop: two programs on the raw syscall
 * tracepoints. A task whose cgroup is not registered costs one bitmap load
 * (at worst a hash lookup). A registered one appends an enter record (and
 * the captured arguments the `rules` map asks for) at sys_enter and an exit
 * record at sys_exit to its cgroup's ring for this CPU. Layout and protocol:
 * traceloop.h; writing a ring: ring_writer.bpf.h; compound captures:
 * compound.bpf.h.
 *
 * Nothing here wakes anybody: readers poll. On this VM a wakeup per event
 * costs 20x the whole recording path.
 *
 * Verifier budget (issue #10, test/integration/verifier-budget.test.ts): the
 * work the verifier does must not grow with the settings below, so each of
 * them is used in a fixed number of comparisons (never as a loop bound), and
 * every loop lives behind bpf_loop with its state in a map value.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "traceloop.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier sees them as constants, which
 * is what lets it prove every ring access in bounds. */
const volatile __u64 ring_bytes = 65536 * 4;	/* data bytes, power of two */
const volatile __u64 ctrl_bytes = TL_PAGE_SIZE; /* control block + page index */
const volatile __u32 max_capture = 256;		/* bytes of one captured arg */
/* bytes of one captured string (paths: up to PATH_MAX), >= max_capture */
const volatile __u32 max_string = 4096;
/* payload bytes of one compound capture: TL_COMPOUND_BYTES(max_capture) */
const volatile __u32 compound_max = TL_COMPOUND_BYTES(256);
/* enum tl_family: the capture families loaded; the rest is dead code */
const volatile __u32 families = TL_FAM_ALL;
/* Benchmarks only: attach but do nothing, to measure the cost of merely
 * being on the tracepoints. The verifier drops whichever branch is dead. */
const volatile bool floor_only = false;
/* Benchmarks only: enum tl_bench_skip, what to leave out. 0 otherwise, and
 * the verifier drops every branch it guards. */
const volatile __u32 bench_skip = 0;

struct ring_template {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* set to the number of possible CPUs */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8192); /* set to ctrl_bytes + ring_bytes */
};

/*
 * A bitmap in front of the lookups below, written by the loader (it sets a
 * cgroup's bit before registering it and clears it once no registered cgroup
 * maps to it): a task whose bit is clear, as nearly every task on the machine
 * is, looks no further. One load.
 */
__u64 cgroup_filter[TL_FILTER_BITS / 64] = {};

/*
 * A registered cgroup holds a slot (< TL_MAX_CGROUPS): its per-CPU rings are
 * ring_slots[slot]. Its slot is found in .bss, with no helper and no hash
 * (issue #11: 4 ns less per program run than the hash of maps this replaced):
 * slot_of[id % TL_FILTER_BITS] is slot + 1 of a registered cgroup of that
 * bucket, and slot_owner[slot] its id, which tells it from an unregistered
 * cgroup of the same bucket. A registered cgroup whose bucket another holds
 * is found in cgroup_slots (every registered cgroup is there). Both ways end
 * in the same scalar slot, so the verifier walks what follows once.
 */
__u16 slot_of[TL_FILTER_BITS] = {};
__u64 slot_owner[TL_MAX_CGROUPS] = {};

/* cgroup id -> its slot */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TL_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, __u32);
} cgroup_slots SEC(".maps");

/* slot -> that cgroup's per-CPU rings */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, TL_MAX_CGROUPS);
	__type(key, __u32);
	__array(values, struct ring_template);
} ring_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TL_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct tl_rule);
} rules SEC(".maps");

/* (syscall, selector value) -> capture, for TL_CAP_KEYED slots. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TL_MAX_KEYED);
	__type(key, struct tl_keyed_key);
	__type(value, struct tl_capture);
} keyed_rules SEC(".maps");

/*
 * Enter captures that faulted, per task, to be read again at exit (a path in
 * a page not yet touched, a fork child's first look at its parent's data). Touched
 * only on a fault: the exit path looks here only while refault_pending says
 * some task has one, so the common path pays one load of a global.
 */
struct tl_refault {
	__u32 nr;   /* the syscall whose enter faulted */
	__u32 mask; /* bit i: capture i of its rule */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tl_refault);
} refaults SEC(".maps");

/*
 * Bit nr: syscall nr has a capture that may take something at exit (see
 * tl_captures_at_exit), written by the loader with the rules. The exit of
 * every other syscall, most of them, skips the `rules` lookup and the copy
 * of its captures: one load of a global instead.
 */
__u64 exit_rules[TL_MAX_SYSCALLS / 64] = {};

/* Tasks moved between cgroups so far (tl_cgroup_move), plus the cgroups
 * registered and withdrawn (the loader adds one each time, after the tables
 * above): what a change of any task's cgroup and ring goes with. An exit
 * completes its call in place only if it has not changed since the enter
 * (see tl_open_call), and a memo holds only while it has not (tl_memo). */
__u64 cgroup_moves = 0;

/* Per CPU: see struct tl_memo. A line each, none shared with cgroup_moves,
 * which every CPU reads on every call while a memo is written on a miss. */
struct tl_memo memos[TL_MEMO_CPUS] __attribute__((aligned(64))) = {};

/* Tasks with a refault noted (an estimate: a task that dies in between leaves
 * it high, which only costs lookups). */
__u64 refault_pending = 0;

#include "ring_writer.bpf.h"
#include "compound.bpf.h"
#include "triggers.bpf.h"

/*
 * The six syscall arguments, copied once from the saved registers so that an
 * argument chosen by a rule is one indexed load: a switch over six registers
 * made six paths for the verifier at every use.
 */
struct tl_args {
	__u64 a[8]; /* a[6], a[7]: 0 (an index is masked to 8) */
};

static __always_inline void read_args(struct tl_args *args, struct pt_regs *regs)
{
	args->a[0] = regs->di;
	args->a[1] = regs->si;
	args->a[2] = regs->dx;
	args->a[3] = regs->r10;
	args->a[4] = regs->r8;
	args->a[5] = regs->r9;
	args->a[6] = 0;
	args->a[7] = 0;
}

/*
 * An ia32 call: int 0x80 (from a 64-bit process too), or any call of a 32-bit
 * process. The raw syscall tracepoints see it with its number in the i386
 * table, which is not x86_64's (20 is getpid there, writev here), and its
 * arguments in other registers. x86 marks it in the task's thread_info.status
 * (TS_COMPAT, arch/x86/include/asm/thread_info.h: a macro, so not in BTF; 0x2
 * from 2.6 to 6.18), set at entry and cleared only on the way back to user
 * mode, after sys_exit: both programs see it.
 */
#define TL_TS_COMPAT 0x0002

static __always_inline bool in_ia32_call(struct task_struct *task)
{
	return task->thread_info.status & TL_TS_COMPAT;
}

/* The arguments of an ia32 call: ebx, ecx, edx, esi, edi, ebp, as the i386
 * ABI passes them (32 bits each: the kernel's compat entry truncates them). */
static __always_inline void read_ia32_args(struct tl_args *args, struct pt_regs *regs)
{
	args->a[0] = (__u32)regs->bx;
	args->a[1] = (__u32)regs->cx;
	args->a[2] = (__u32)regs->dx;
	args->a[3] = (__u32)regs->si;
	args->a[4] = (__u32)regs->di;
	args->a[5] = (__u32)regs->bp;
	args->a[6] = 0;
	args->a[7] = 0;
}

/* Argument i of a rule: one indexed load, no branch (a switch over six
 * registers made six paths for the verifier at every use). The index comes
 * from a map, so it is masked, not trusted. */
#define arg_of(args, i) ((args)->a[(i)&7])

/* Writes one TL_REC_PARAM with up to max_capture bytes from user memory (a
 * string: max_string, for strace shows paths whole whatever its -s);
 * returns its status. */
static __always_inline int put_param(struct tl_writer *w, __u8 arg, __u8 kind, const void *src,
				     __u64 want)
{
	__u64 start, len;
	struct tl_param *p = begin_param(w, arg, sizeof(struct tl_param) + max_string, &start);
	long n;

	p->want = want > 0xffffffffULL ? 0xffffffffU : want;
	if (kind == TL_CAP_STR) {
		n = bpf_probe_read_user_str((void *)(p + 1), max_string, src);
		if (n < 0) {
			len = 0;
			p->status = TL_PARAM_FAULT;
		} else {
			len = n > 0 ? n - 1 : 0; /* without the NUL */
			if (n == max_string)
				p->status = TL_PARAM_TRUNCATED;
		}
	} else {
		if (want > max_capture)
			p->status = TL_PARAM_TRUNCATED;
		len = CLAMP(want, max_capture);
		if (len && !(bench_skip & TL_SKIP_COPY) &&
		    bpf_probe_read_user((void *)(p + 1), len, src)) {
			len = 0;
			p->status = TL_PARAM_FAULT;
		}
	}
	end_param(w, p, len, start);
	forget_head(w);
	return p->status;
}

/*
 * The captures a rule asks for this call: its slots, with a TL_CAP_KEYED
 * slot replaced by what keyed_rules says for the selector's value (or
 * nothing). Slots of families left out are never here: the loader empties
 * them before it writes the rules (Recorder::fill_rules), which spares
 * every recorded call a test of each slot's family.
 */
static __always_inline void resolve_caps(struct tl_rule *rule, struct tl_args *regs, __u32 nr,
					 struct tl_capture *caps)
{
	for (int i = 0; i < TL_MAX_PARAMS; i++) {
		caps[i] = rule->cap[i];
		if (caps[i].kind == TL_CAP_KEYED && (families & TL_FAM_KEYED)) {
			struct tl_keyed_key key = {
			    .nr = nr, .selector = (__u32)arg_of(regs, caps[i].len_arg)};
			struct tl_capture *k = bpf_map_lookup_elem(&keyed_rules, &key);

			if (k)
				caps[i] = *k;
			else
				caps[i].kind = TL_CAP_NONE;
		}
	}
}

static __always_inline bool is_enter_kind(__u8 k)
{
	return k == TL_CAP_STR || k == TL_CAP_BUF_ARGLEN || k == TL_CAP_STRUCT_ENTER ||
	       k == TL_CAP_STRV || k == TL_CAP_IOV || k == TL_CAP_MSG || k == TL_CAP_STRUCT_INOUT ||
	       k == TL_CAP_FDSETS;
}

/* Whether an exit capture of kind k has something to take for this return.
 * A switch, not bit masks: tested against ret in this form, the verifier
 * walks the exit in half the instructions (test/integration/verifier-budget). */
static __always_inline bool exit_takes(__u8 k, long ret)
{
	switch (k) {
	case TL_CAP_BUF_RETLEN:
	case TL_CAP_FDSETS_EXIT:
	case TL_CAP_DIRENTS:
	case TL_CAP_MMSG_EXIT: return ret > 0;
	case TL_CAP_IOV_EXIT: /* at 0 too: strace shows the buffers, all "" */
	case TL_CAP_STRUCT_EXIT:
	case TL_CAP_STRUCT_INOUT:
	case TL_CAP_BUF_ARGLEN_EXIT:
	case TL_CAP_MSG_EXIT:
	case TL_CAP_NEW_FDS: return ret >= 0;
	default: return false;
	}
}

static __always_inline bool is_compound(__u8 k)
{
	return tl_kind_in(TL_KINDS_COMPOUND, k);
}

/* Whether capture c has something to read: its pointer is set (the fd sets
 * of select are read whichever of them are set; new fds are the task's). */
static __always_inline bool has_source(struct tl_capture *c, struct tl_args *regs)
{
	return tl_kind_in(TL_KINDS_WITHOUT_POINTER, c->kind) || arg_of(regs, c->arg);
}

/*
 * Writes compound capture c of this call: put_compound builds it in the
 * scratch slot of this program (0 at enter, 1 at exit), and it is copied into
 * the ring here in one piece.
 */
static __always_inline void compound(struct tl_writer *w, struct tl_args *regs,
				     struct tl_capture *c, long ret, __u32 slot)
{
	struct tl_scratch *s = bpf_map_lookup_elem(&scratch, &slot);
	__u64 start, len = 0;
	struct tl_param *p = begin_param(w, c->arg, sizeof(struct tl_param) + compound_max, &start);

	if (!s) {
		p->status = TL_PARAM_FAULT;
		goto out;
	}
	s->kind = c->kind;
	s->src = arg_of(regs, c->arg);
	s->left = slot ? ret : -1;
	s->budget = max_capture;
	if (c->kind == TL_CAP_STRV) {
		s->count = c->size;
	} else if (c->kind == TL_CAP_FDSETS || c->kind == TL_CAP_FDSETS_EXIT) {
		s->count = arg_of(regs, c->len_arg);
		for (int i = 0; i < 4; i++)
			s->ptrs[i] = arg_of(regs, c->arg + i);
	} else if (c->kind == TL_CAP_NEW_FDS) {
		/* the fds' array (pipe's), or none: the return value is the fd */
		s->src = arg_of(regs, c->len_arg);
		s->count = c->size;
	} else {
		s->count = arg_of(regs, c->len_arg);
	}
	put_compound(slot);
	p->status = s->status;
	p->want = s->want;
	w->ctl->faults += s->faults;
	len = CLAMP(s->len, compound_max);
	if (len && bpf_probe_read_kernel(p + 1, len, s->buf)) {
		p->status = TL_PARAM_FAULT;
		len = 0;
	}
out:
	end_param(w, p, len, start);
	forget_head(w);
}

/* The bytes an argument-length buffer names: a count of elements of `size`. */
static __always_inline __u64 arg_length(struct tl_capture *c, struct tl_args *regs)
{
	__u64 n = arg_of(regs, c->len_arg);

	return c->size ? n * c->size : n;
}

/* The bytes a plain capture names (0 for a string, which ends at its NUL). */
static __always_inline __u64 want_of(struct tl_capture *c, struct tl_args *regs, long ret)
{
	switch (c->kind) {
	case TL_CAP_BUF_ARGLEN:
	case TL_CAP_BUF_ARGLEN_EXIT: return arg_length(c, regs);
	case TL_CAP_BUF_RETLEN: return c->size ? ret * c->size : ret;
	case TL_CAP_STRUCT_ENTER:
	case TL_CAP_STRUCT_EXIT:
	case TL_CAP_STRUCT_INOUT: return c->size;
	default: return 0;
	}
}

/*
 * The capture a rule's one_buffer or one_result mark names (1 + its slot;
 * 0: the rule takes the general way), into *cap. Returns the mark, bounded
 * for the verifier.
 */
static __always_inline __u32 marked_capture(struct tl_rule *rule, __u8 mark, struct tl_capture *cap)
{
	__u32 slot;

	if (!mark)
		return 0;
	slot = CLAMP(mark - 1, TL_MAX_PARAMS - 1);
	*cap = rule->cap[slot];
	return slot + 1;
}

/* Writes capture c; returns its status. */
static __always_inline int capture(struct tl_writer *w, struct tl_args *regs, struct tl_capture *c,
				   long ret, __u32 slot)
{
	if (is_compound(c->kind)) {
		compound(w, regs, c, ret, slot);
		return TL_PARAM_OK;
	}
	return put_param(w, c->arg, c->kind, (const void *)arg_of(regs, c->arg),
			 want_of(c, regs, ret));
}

/* The TL_COMM_* flags of this thread's enter: whether the ring must name it
 * (see "Comm carried forward" in traceloop.h). */
static __always_inline __u32 comm_flags(struct tl_writer *w, struct tl_comm_slot *slot, __u64 *comm)
{
	if (slot->tid != w->tid)
		return TL_COMM_NAMED;
	if (slot->comm[0] != comm[0] || slot->comm[1] != comm[1])
		return TL_COMM_NAMED | TL_COMM_RENAMED;
	if (w->head - slot->pos >= (ring_bytes >> TL_COMM_REFRESH_SHIFT))
		return TL_COMM_NAMED | TL_COMM_SAME;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tl_sys_enter, struct pt_regs *uregs, long id)
{
	struct tl_args args, *regs = &args;
	struct tl_writer w;
	struct tl_ring_enter *e;
	struct tl_rule *rule = NULL;
	struct tl_capture caps[TL_MAX_PARAMS] = {};
	struct tl_comm_slot *slot;
	__u32 nr = id < 0 || id > 0xffff ? 0xffff : id, nargs = TL_MAX_ARGS, nparams = 0;
	__u32 faulted = 0, cflags, size, one_buffer = 0;
	__u64 start, off, e_ts, comm[2], *tail;
	struct task_struct *task;
	bool ia32;

	if (floor_only)
		return 0;
	/* Read from the task itself: plain loads where the helpers
	 * (bpf_get_current_pid_tgid, bpf_get_current_comm) are calls. */
	task = bpf_get_current_task_btf();
	if (!lock_ring(&w, task))
		return 0;
	/* An ia32 call: recorded with its own number and arguments, and
	 * nothing captured (the rules are x86_64's: they would read user
	 * memory under another call's layout). */
	ia32 = in_ia32_call(task);
	if (ia32)
		read_ia32_args(&args, uregs);
	else
		read_args(&args, uregs);
	if (nr < TL_MAX_SYSCALLS && !ia32)
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		nargs = rule->nargs <= TL_MAX_ARGS ? rule->nargs : TL_MAX_ARGS;
		one_buffer = marked_capture(rule, rule->one_buffer, &caps[0]);
		if (one_buffer) {
			nparams = arg_of(regs, caps[0].arg) != 0;
		} else {
			resolve_caps(rule, regs, nr, caps);
			for (int i = 0; i < TL_MAX_PARAMS; i++)
				if (is_enter_kind(caps[i].kind) && has_source(&caps[i], regs))
					nparams++;
		}
	}
	w.tid = task->pid;
	comm[0] = *(__u64 *)&task->comm[0];
	comm[1] = *(__u64 *)&task->comm[8];
	slot = &w.ctl->comms[w.tid % TL_COMM_SLOTS];
	cflags = comm_flags(&w, slot, comm);
	off = reserve(&w, TL_RING_ENTER_MAX);
	start = w.head;
	e = (void *)(w.ring + ctrl_bytes + off);
	size = TL_RING_ENTER_BYTES(nargs, cflags);
	event_head(&w, &e->ev, TL_REC_ENTER, size, nr);
	if (ia32)
		e->ev.h.flags = TL_FLAG_IA32;
	e_ts = w.ts;
	e->pid = task->tgid;
	e->nargs = nargs;
	e->nparams = nparams;
	e->comm_flags = cflags;
	/* All six are copied; the record ends after nargs of them (and the
	 * comm). Stores past the end land in space the next record overwrites. */
	for (int i = 0; i < TL_MAX_ARGS; i++)
		e->args[i] = args.a[i];
	if (cflags) {
		tail = &e->args[CLAMP(nargs, TL_MAX_ARGS)];
		if (cflags & TL_COMM_RENAMED) {
			tail[2] = slot->comm[0];
			tail[3] = slot->comm[1];
		}
		tail[0] = slot->comm[0] = comm[0];
		tail[1] = slot->comm[1] = comm[1];
		slot->tid = w.tid;
		slot->pos = start;
	}
	w.head += size;
	publish_unless(&w, start, nparams);

	if (one_buffer) {
		/* The commonest rule (a write's buffer), without the loops over
		 * three slots of any kind: its kind is a constant here. */
		if (nparams && put_param(&w, caps[0].arg, TL_CAP_BUF_ARGLEN,
					 (const void *)arg_of(regs, caps[0].arg),
					 arg_of(regs, caps[0].len_arg)) == TL_PARAM_FAULT)
			faulted = 1u << (one_buffer - 1);
	} else if (nparams) {
		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			struct tl_capture *c = &caps[i];

			if (is_enter_kind(c->kind) && has_source(c, regs) &&
			    capture(&w, regs, c, 0, 0) == TL_PARAM_FAULT)
				faulted |= 1u << i;
		}
	}
	/* An ia32 call leaves no note, so its exit is a full tl_exit with
	 * the flag, not a done the reader would rebuild without it. */
	if (!ia32)
		open_call(&w, nr, e_ts, task);
	unlock_ring(&w);
	if (faulted) {
		struct tl_refault *rf =
		    bpf_task_storage_get(&refaults, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (rf) {
			if (!rf->mask)
				__sync_fetch_and_add(&refault_pending, 1);
			rf->nr = nr;
			rf->mask = faulted;
			/* Not unreadable yet: the exit counts what still fails. */
			__sync_fetch_and_add(&w.ctl->faults, -(__s64)__builtin_popcount(faulted));
		}
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tl_sys_exit, struct pt_regs *uregs, long ret)
{
	struct tl_args args, *regs = &args;
	struct tl_writer w;
	struct tl_exit *x;
	struct tl_rule *rule = NULL;
	struct tl_capture caps[TL_MAX_PARAMS] = {};
	struct tl_refault *rf;
	__u32 nr, nparams = 0, refault = 0, one_result = 0;
	__u64 start, off;
	struct task_struct *task;
	bool ia32;

	if (floor_only)
		return 0;
	task = bpf_get_current_task_btf();
	if (!lock_ring(&w, task))
		return 0;
	w.tid = task->pid;
	ia32 = in_ia32_call(task);				/* no rule: see tl_sys_enter */
	nr = uregs->orig_ax > 0xffff ? 0xffff : uregs->orig_ax; /* -1 reads as huge */
	/* A refault noted by some task's enter needs this call's rule too. */
	if (nr < TL_MAX_SYSCALLS && !ia32 &&
	    ((exit_rules[nr / 64] & (1ULL << (nr % 64))) || refault_pending))
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		/* Only a call with a rule reads its arguments at exit. */
		read_args(&args, uregs);
		/* Not with a refault pending: that needs every slot resolved. */
		one_result = marked_capture(rule, refault_pending ? 0 : rule->one_result, &caps[0]);
		if (one_result) {
			nparams = ret > 0 && arg_of(regs, caps[0].arg) != 0;
		} else {
			resolve_caps(rule, regs, nr, caps);
			for (int i = 0; i < TL_MAX_PARAMS; i++)
				if (exit_takes(caps[i].kind, ret) && has_source(&caps[i], regs))
					nparams++;
		}
		if (refault_pending) {
			rf = bpf_task_storage_get(&refaults, task, 0, 0);
			if (rf && rf->mask) {
				if (rf->nr == nr)
					refault = rf->mask;
				rf->mask = 0;
				__sync_fetch_and_add(&refault_pending, -1);
			}
			for (int i = 0; i < TL_MAX_PARAMS; i++)
				if ((refault & (1u << i)) && !exit_takes(caps[i].kind, ret) &&
				    arg_of(regs, caps[i].arg))
					nparams++;
		}
	}

	note_errno(&w, ret);
	if (!nparams && complete_call(&w, nr, ret, task)) {
		unlock_ring(&w);
		return 0;
	}
	off = reserve(&w, sizeof(struct tl_exit));
	start = w.head;
	x = (void *)(w.ring + ctrl_bytes + off);
	event_head(&w, &x->ev, TL_REC_EXIT, sizeof(struct tl_exit), nr);
	if (ia32)
		x->ev.h.flags = TL_FLAG_IA32;
	x->ret = ret;
	x->pid = task->tgid;
	x->nparams = nparams;
	x->reserved[0] = x->reserved[1] = x->reserved[2] = 0;
	w.head += sizeof(struct tl_exit);
	publish_unless(&w, start, nparams);

	if (one_result) {
		/* A read's buffer: see one_buffer in tl_sys_enter. */
		if (nparams)
			put_param(&w, caps[0].arg, TL_CAP_BUF_RETLEN,
				  (const void *)arg_of(regs, caps[0].arg), ret);
	} else if (nparams) {
		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			struct tl_capture *c = &caps[i];

			if (exit_takes(c->kind, ret) && has_source(c, regs))
				capture(&w, regs, c, ret, 1);
			else if ((refault & (1u << i)) && arg_of(regs, c->arg))
				/* An enter capture that faulted, read again now
				 * (enter captures are never compound: see rules.ts). */
				put_param(&w, c->arg, c->kind, (const void *)arg_of(regs, c->arg),
					  want_of(c, regs, ret));
		}
	}
	unlock_ring(&w);
	return 0;
}

/* A task moved to another cgroup: see tl_open_call. Rare, so one atomic. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(tl_cgroup_move)
{
	if (!floor_only)
		__sync_fetch_and_add(&cgroup_moves, 1);
	return 0;
}

/*
 * The end of a process whose cgroup is recorded: one exit record numbered
 * TL_NR_PROC_END, with the wait status, when its last thread exits (group
 * dead: signal->live has just dropped to 0). Runs in the exiting task, so
 * its cgroup is the current one. Only the task pointer is read: 6.1's
 * tracepoint has no group_dead argument (6.18's does).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tl_proc_exit, struct task_struct *p)
{
	struct tl_writer w;
	struct tl_exit *x;
	__u64 start, off;

	if (floor_only || p->signal->live.counter != 0 || !lock_ring(&w, p))
		return 0;
	w.tid = p->pid;
	off = reserve(&w, sizeof(struct tl_exit));
	start = w.head;
	x = (void *)(w.ring + ctrl_bytes + off);
	event_head(&w, &x->ev, TL_REC_EXIT, sizeof(struct tl_exit), TL_NR_PROC_END);
	if (p->signal->oom_mm)
		x->ev.h.flags = TL_FLAG_OOM;
	x->ret = p->exit_code;
	x->pid = p->tgid;
	x->nparams = 0;
	x->reserved[0] = x->reserved[1] = x->reserved[2] = 0;
	w.head += sizeof(struct tl_exit);
	note_end(&w, p, p->exit_code, w.ctl->emitted - 1);
	publish(&w, start);
	unlock_ring(&w);
	return 0;
}

/*
 * A signal delivered to a thread of a recorded cgroup (get_signal dequeued
 * it; its handler or its default action runs next): an exit record numbered
 * TL_NR_SIGNAL, the signal in `ret`, and a param with the first
 * TL_SIGINFO_BYTES of its siginfo. What makes a crash readable: the fault
 * (`--- SIGSEGV {..., si_addr=NULL} ---`) before `+++ killed by SIGSEGV +++`.
 * Rare: a signal, not a syscall. SIGKILL is left out, as strace shows none.
 */
SEC("tp_btf/signal_deliver")
int BPF_PROG(tl_proc_signal, int sig, struct kernel_siginfo *info)
{
	struct tl_writer w;
	struct tl_exit *x;
	struct tl_param *p;
	struct task_struct *task;
	__u64 start, off, pstart, len = TL_SIGINFO_BYTES;

	/* SIGKILL is no delivery a process could see (strace never shows it):
	 * its end says it. A group exit passes it with no siginfo at all. */
	if (floor_only || sig == 9 || !info)
		return 0;
	task = bpf_get_current_task_btf();
	if (!lock_ring(&w, task))
		return 0;
	w.tid = task->pid;
	off = reserve(&w, sizeof(struct tl_exit));
	start = w.head;
	x = (void *)(w.ring + ctrl_bytes + off);
	event_head(&w, &x->ev, TL_REC_EXIT, sizeof(struct tl_exit), TL_NR_SIGNAL);
	x->ret = sig;
	x->pid = task->tgid;
	x->nparams = 1;
	x->reserved[0] = x->reserved[1] = x->reserved[2] = 0;
	w.head += sizeof(struct tl_exit);
	publish_unless(&w, start, 1);
	p = begin_param(&w, 0, sizeof(struct tl_param) + TL_SIGINFO_BYTES, &pstart);
	p->want = TL_SIGINFO_BYTES;
	if (bpf_probe_read_kernel((void *)(p + 1), TL_SIGINFO_BYTES, info)) {
		len = 0;
		p->status = TL_PARAM_FAULT;
	}
	end_param(&w, p, len, pstart);
	unlock_ring(&w);
	return 0;
}
