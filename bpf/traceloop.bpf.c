// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel half of traceloop: two programs on the raw syscall
 * tracepoints. A task whose cgroup is not registered costs one hash lookup.
 * A registered one appends an enter record (and the captured arguments the
 * `rules` map asks for) at sys_enter and an exit record at sys_exit to its
 * cgroup's ring for this CPU. Layout and protocol: traceloop.h.
 *
 * Nothing here wakes anybody: readers poll. On this VM a wakeup per event
 * costs 20x the whole recording path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "traceloop.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load; the verifier sees them as constants, which
 * is what lets it prove every ring access in bounds. */
const volatile __u64 ring_bytes = 65536 * 4;	/* data bytes, power of two */
const volatile __u64 ctrl_bytes = TL_PAGE_SIZE; /* control block + page index */
const volatile __u32 max_capture = 256;		/* bytes of one captured arg */
/* Benchmarks only: attach but do nothing, to measure the cost of merely
 * being on the tracepoints. The verifier drops whichever branch is dead. */
const volatile bool floor_only = false;

struct ring_template {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* set to the number of possible CPUs */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8192); /* set to ctrl_bytes + ring_bytes */
};

/* cgroup id -> that cgroup's per-CPU rings */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, TL_MAX_CGROUPS);
	__type(key, __u64);
	__array(values, struct ring_template);
} cgroup_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TL_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct tl_rule);
} rules SEC(".maps");

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

/* Tasks with a refault noted (an estimate: a task that dies in between leaves
 * it high, which only costs lookups). */
__u64 refault_pending = 0;

/* One writer's view of the ring it holds locked. */
struct tl_writer {
	__u8 *ring; /* the per-CPU element: control block, then data */
	struct tl_ring_ctrl *ctl;
	__u64 head; /* absolute position of the next record */
	__u32 cpu;
	__u32 tid;
	__u64 ts; /* of the event being written */
};

/* Keeps the compiler from sinking record stores below the publishing store.
 * x86 is TSO, so program order is what other CPUs see. */
#define compiler_barrier() asm volatile("" ::: "memory")

static __always_inline struct tl_ring_ctrl *lock_ring(struct tl_writer *w)
{
	__u64 cg = bpf_get_current_cgroup_id();
	void *rings = bpf_map_lookup_elem(&cgroup_rings, &cg);
	if (!rings)
		return NULL;
	w->cpu = bpf_get_smp_processor_id();
	w->ring = bpf_map_lookup_elem(rings, &w->cpu);
	if (!w->ring)
		return NULL;
	w->ctl = (struct tl_ring_ctrl *)w->ring;
	/* A writer preempted on this CPU while holding the ring leaves it
	 * busy; the task that preempted it gives up and says so. */
	if (__sync_lock_test_and_set(&w->ctl->busy, 1)) {
		__sync_fetch_and_add(&w->ctl->failed, 1);
		return NULL;
	}
	w->head = w->ctl->head;
	return w->ctl;
}

static __always_inline void unlock_ring(struct tl_writer *w)
{
	compiler_barrier();
	w->ctl->busy = 0;
}

/* Records in page_start[] the position `end` when the record [start, end)
 * crossed into a new page: the next record is the first to start there. */
static __always_inline void index_page(struct tl_writer *w, __u64 start, __u64 end)
{
	__u64 npages_mask = (ring_bytes >> TL_PAGE_SHIFT) - 1;

	if ((end >> TL_PAGE_SHIFT) != (start >> TL_PAGE_SHIFT))
		w->ctl->page_start[(end >> TL_PAGE_SHIFT) & npages_mask] = end;
}

/*
 * Returns the data offset for a record of at most `max` bytes, padding out
 * the lap first if it might not fit before the end. `max` must be a
 * constant, so the verifier learns off <= ring_bytes - max.
 */
static __always_inline __u64 reserve(struct tl_writer *w, __u64 max)
{
	__u64 off = w->head & (ring_bytes - TL_ALIGN);

	if (off > ring_bytes - max) {
		struct tl_hdr *pad = (void *)(w->ring + ctrl_bytes + off);

		pad->size = ring_bytes - off;
		pad->type = TL_REC_PAD;
		pad->flags = 0;
		pad->tid = 0;
		index_page(w, w->head, w->head + (ring_bytes - off));
		w->head += ring_bytes - off;
		off = 0;
	}
	return off;
}

/* Makes the record that ends at w->head visible to readers. */
static __always_inline void publish(struct tl_writer *w, __u64 start)
{
	index_page(w, start, w->head);
	compiler_barrier();
	w->ctl->published = w->ctl->emitted;
	w->ctl->last_ts = w->ts;
	compiler_barrier();
	w->ctl->head = w->head;
}

static __always_inline void event_head(struct tl_writer *w, struct tl_event *ev, __u8 type,
				       __u16 size, __u32 nr)
{
	ev->h.size = size;
	ev->h.type = type;
	ev->h.flags = 0;
	ev->h.tid = w->tid;
	ev->seq = w->ctl->emitted++;
	ev->cpu = w->cpu;
	ev->nr = nr;
	ev->ts = w->ts = bpf_ktime_get_ns();
}

#define PARAM_MAX (sizeof(struct tl_param) + TL_MAX_CAPTURE)

/* Writes one TL_REC_PARAM with up to max_capture bytes from user memory;
 * returns its status. */
static __always_inline int put_param(struct tl_writer *w, __u8 arg, __u8 kind, const void *src,
				     __u64 want)
{
	__u64 start, off, len;
	struct tl_param *p;
	long n;

	off = reserve(w, sizeof(struct tl_param) + max_capture);
	start = w->head;
	p = (void *)(w->ring + ctrl_bytes + off);
	p->h.type = TL_REC_PARAM;
	p->h.flags = 0;
	p->h.tid = w->tid;
	p->arg = arg;
	p->status = TL_PARAM_OK;
	p->want = want > 0xffffffffULL ? 0xffffffffU : want;
	if (kind == TL_CAP_STR) {
		n = bpf_probe_read_user_str((void *)(p + 1), max_capture, src);
		if (n < 0) {
			len = 0;
			p->status = TL_PARAM_FAULT;
			w->ctl->faults++;
		} else {
			len = n > 0 ? n - 1 : 0; /* without the NUL */
			if (n == max_capture)
				p->status = TL_PARAM_TRUNCATED;
		}
	} else {
		len = want;
		if (len > max_capture) {
			len = max_capture;
			p->status = TL_PARAM_TRUNCATED;
		}
		/* restate the bound in the register the helper sees */
		len &= TL_MAX_CAPTURE * 2 - 1;
		if (len > max_capture)
			len = 0;
		if (len && bpf_probe_read_user((void *)(p + 1), len, src)) {
			len = 0;
			p->status = TL_PARAM_FAULT;
			w->ctl->faults++;
		}
	}
	p->len = len;
	p->h.size = (sizeof(struct tl_param) + len + TL_ALIGN - 1) & ~(TL_ALIGN - 1);
	w->head += p->h.size;
	publish(w, start);
	return p->status;
}

/* State of put_strv's walk, shared with its bpf_loop callback. */
struct strv_walk {
	const char *const *vec;
	char *dst; /* the param's bytes */
	__u64 len;
	__u32 count;
	__u32 nstr;
	__u32 status;
	__u32 pad;
};

static long strv_step(__u64 i, void *data)
{
	struct strv_walk *c = data;
	const char *s;
	__u64 len;
	long n;

	if (bpf_probe_read_user(&s, sizeof(s), &c->vec[i & (TL_STRV_MAX_COUNT - 1)])) {
		c->status = TL_PARAM_FAULT;
		return 1;
	}
	if (!s) {
		c->status = TL_PARAM_OK;
		return 1;
	}
	c->count++;
	len = c->len & (TL_MAX_CAPTURE - 1);
	if (i >= c->nstr || len >= max_capture)
		return 0;
	n = bpf_probe_read_user_str(c->dst + len, max_capture - len, s);
	if (n > 0)
		c->len = len + n;
	return 0;
}

/*
 * Writes one TL_REC_PARAM for a NULL-ended array of strings (execve's argv):
 * the first `nstr` strings, each with its NUL, as many as fit in max_capture
 * bytes; `want` is the number of entries counted before the NULL (up to
 * TL_STRV_MAX_COUNT, then status TRUNCATED: there may be more). A callback
 * loop, so the verifier walks one step, not 256.
 */
static __always_inline void put_strv(struct tl_writer *w, __u8 arg, const void *src, __u32 nstr)
{
	struct strv_walk c = {};
	__u64 start, off, len;
	struct tl_param *p;

	off = reserve(w, sizeof(struct tl_param) + 2 * max_capture);
	start = w->head;
	p = (void *)(w->ring + ctrl_bytes + off);
	p->h.type = TL_REC_PARAM;
	p->h.flags = 0;
	p->h.tid = w->tid;
	p->arg = arg;
	c.vec = src;
	c.dst = (char *)(p + 1);
	c.nstr = nstr;
	c.status = TL_PARAM_TRUNCATED;
	bpf_loop(TL_STRV_MAX_COUNT, strv_step, &c, 0);
	if (c.status == TL_PARAM_FAULT)
		w->ctl->faults++;
	len = c.len > max_capture ? max_capture : c.len;
	p->status = c.status;
	p->want = c.count;
	p->len = len;
	p->h.size = (sizeof(struct tl_param) + len + TL_ALIGN - 1) & ~(TL_ALIGN - 1);
	w->head += p->h.size;
	publish(w, start);
}

static __always_inline __u64 arg_of(struct pt_regs *regs, __u32 i)
{
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tl_sys_enter, struct pt_regs *regs, long id)
{
	struct tl_writer w;
	struct tl_enter *e;
	struct tl_rule *rule = NULL;
	__u32 nr = id < 0 || id > 0xffff ? 0xffff : id, nargs = TL_MAX_ARGS, nparams = 0;
	__u64 start, off, pid_tgid;

	if (floor_only || !lock_ring(&w))
		return 0;
	if (nr < TL_MAX_SYSCALLS)
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		nargs = rule->nargs <= TL_MAX_ARGS ? rule->nargs : TL_MAX_ARGS;
		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			__u8 k = rule->cap[i].kind;
			if ((k == TL_CAP_STR || k == TL_CAP_BUF_ARGLEN ||
			     k == TL_CAP_STRUCT_ENTER || k == TL_CAP_STRV) &&
			    arg_of(regs, rule->cap[i].arg))
				nparams++;
		}
	}

	pid_tgid = bpf_get_current_pid_tgid();
	w.tid = (__u32)pid_tgid;
	off = reserve(&w, sizeof(struct tl_enter));
	start = w.head;
	e = (void *)(w.ring + ctrl_bytes + off);
	event_head(&w, &e->ev, TL_REC_ENTER, TL_ENTER_BYTES(nargs), nr);
	e->pid = pid_tgid >> 32;
	e->nargs = nargs;
	e->nparams = nparams;
	e->reserved = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* All six are copied; the record ends after nargs of them. Stores
	 * past the end land in space the next record overwrites. */
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	w.head += TL_ENTER_BYTES(nargs);
	publish(&w, start);

	if (nparams) {
		__u32 faulted = 0;

		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			struct tl_capture *c = &rule->cap[i];
			__u8 k = c->kind;
			__u32 a = c->arg;
			const void *src;
			__u64 want = 0;

			if (k != TL_CAP_STR && k != TL_CAP_BUF_ARGLEN && k != TL_CAP_STRUCT_ENTER &&
			    k != TL_CAP_STRV)
				continue;
			src = (const void *)arg_of(regs, a);
			if (!src)
				continue;
			if (k == TL_CAP_BUF_ARGLEN) {
				want = arg_of(regs, c->len_arg);
				if (c->size)
					want *= c->size;
			} else if (k == TL_CAP_STRUCT_ENTER) {
				want = c->size;
			}
			if (k == TL_CAP_STRV) {
				put_strv(&w, a, src, c->size);
				continue;
			}
			if (put_param(&w, a, k, src, want) == TL_PARAM_FAULT)
				faulted |= 1u << i;
		}
		unlock_ring(&w);
		if (faulted) {
			struct tl_refault *rf =
			    bpf_task_storage_get(&refaults, bpf_get_current_task_btf(), 0,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (rf) {
				if (!rf->mask)
					__sync_fetch_and_add(&refault_pending, 1);
				rf->nr = nr;
				rf->mask = faulted;
				/* Not unreadable yet: the exit counts what still fails. */
				__sync_fetch_and_add(&w.ctl->faults,
						     -(__s64)__builtin_popcount(faulted));
			}
		}
		return 0;
	}
	unlock_ring(&w);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tl_sys_exit, struct pt_regs *regs, long ret)
{
	struct tl_writer w;
	struct tl_exit *x;
	struct tl_rule *rule = NULL;
	struct tl_refault *rf;
	__u32 nr, nparams = 0, refault = 0;
	__u64 start, off, pid_tgid;

	if (floor_only || !lock_ring(&w))
		return 0;
	nr = regs->orig_ax > 0xffff ? 0xffff : regs->orig_ax; /* -1 reads as huge */
	if (nr < TL_MAX_SYSCALLS)
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			__u8 k = rule->cap[i].kind;
			if (((k == TL_CAP_BUF_RETLEN && ret > 0) ||
			     ((k == TL_CAP_STRUCT_EXIT || k == TL_CAP_BUF_ARGLEN_EXIT) &&
			      ret >= 0)) &&
			    arg_of(regs, rule->cap[i].arg))
				nparams++;
		}
		if (refault_pending) {
			rf = bpf_task_storage_get(&refaults, bpf_get_current_task_btf(), 0, 0);
			if (rf && rf->mask) {
				if (rf->nr == nr)
					refault = rf->mask;
				rf->mask = 0;
				__sync_fetch_and_add(&refault_pending, -1);
			}
			for (int i = 0; i < TL_MAX_PARAMS; i++)
				if (refault & (1u << i))
					nparams++;
		}
	}

	pid_tgid = bpf_get_current_pid_tgid();
	w.tid = (__u32)pid_tgid;
	off = reserve(&w, sizeof(struct tl_exit));
	start = w.head;
	x = (void *)(w.ring + ctrl_bytes + off);
	event_head(&w, &x->ev, TL_REC_EXIT, sizeof(struct tl_exit), nr);
	x->ret = ret;
	x->pid = pid_tgid >> 32;
	x->nparams = nparams;
	x->reserved[0] = x->reserved[1] = x->reserved[2] = 0;
	w.head += sizeof(struct tl_exit);
	publish(&w, start);

	if (nparams) {
		for (int i = 0; i < TL_MAX_PARAMS; i++) {
			struct tl_capture *c = &rule->cap[i];
			__u8 k = c->kind;
			__u64 want;

			const void *src = (const void *)arg_of(regs, c->arg);

			if (!src)
				continue;
			if (k == TL_CAP_BUF_RETLEN && ret > 0)
				want = c->size ? ret * c->size : ret;
			else if (k == TL_CAP_STRUCT_EXIT && ret >= 0)
				want = c->size;
			else if (k == TL_CAP_BUF_ARGLEN_EXIT && ret >= 0)
				want = c->size ? arg_of(regs, c->len_arg) * c->size
					       : arg_of(regs, c->len_arg);
			else if (!(refault & (1u << i)))
				continue;
			else if (k == TL_CAP_BUF_ARGLEN)
				want = c->size ? arg_of(regs, c->len_arg) * c->size
					       : arg_of(regs, c->len_arg);
			else if (k == TL_CAP_STRUCT_ENTER)
				want = c->size;
			else
				want = 0; /* TL_CAP_STR */
			put_param(&w, c->arg, k, src, want);
		}
	}
	unlock_ring(&w);
	return 0;
}
