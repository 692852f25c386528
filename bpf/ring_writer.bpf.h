/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Writing into a cgroup's per-CPU ring: take it, reserve room for a record,
 * publish it, let it go. The protocol (what a reader may assume, and when) is
 * described at the top of traceloop.h. Included by traceloop.bpf.c after the
 * settings and maps it uses.
 */
#ifndef TRACELOOP_RING_WRITER_BPF_H
#define TRACELOOP_RING_WRITER_BPF_H

/* One writer's view of the ring it holds locked. */
struct tl_writer {
	union {
		__u8 *ring;		  /* the per-CPU element: control block, then data */
		struct tl_ring_ctrl *ctl; /* the same: the control block comes first */
	};
	__u64 head; /* absolute position of the next record */
	__u64 ts;   /* of the event being written: read by take_ring */
	__u32 cpu;
	__u32 tid;
};

/* Keeps the compiler from sinking record stores below the publishing store.
 * x86 is TSO, so program order is what other CPUs see. */
#define compiler_barrier() asm volatile("" ::: "memory")

/*
 * min(x, max) for a bound the verifier must see: the empty asm makes clang
 * forget what it knows of x, so the comparison is really emitted and the
 * register the helper receives carries the bound. `max` is a constant or a
 * frozen setting: one branch, whatever its value.
 */
#define CLAMP(x, max)                                                                              \
	({                                                                                         \
		__u64 __v = (x);                                                                   \
		asm volatile("" : "+r"(__v));                                                      \
		if (__v > (max))                                                                   \
			__v = (max);                                                               \
		__v;                                                                               \
	})

/*
 * The id of the cgroup v2 group of task (the current one): what
 * bpf_get_current_cgroup_id returns, read with plain loads instead of a
 * helper call wrapped in rcu_read_lock/unlock (issue #11: with the clock
 * read before the lock, 6 ns less per recorded syscall and 2 less per
 * passive one than the helper, paired medians; bench/results.md). The
 * programs run inside an RCU read-side section already (the tracepoint's),
 * which is what keeps task->cgroups alive. The NULL tests cost three
 * predicted branches; a kernel whose BTF tags task->cgroups __rcu hands it
 * over as maybe-NULL and wants them. 0 is no registered cgroup's id.
 */
static __always_inline __u64 cgroup_of(struct task_struct *task)
{
	struct css_set *cset = task->cgroups;
	struct cgroup *cgrp;
	struct kernfs_node *kn;

	if (!cset)
		return 0;
	cgrp = cset->dfl_cgrp;
	if (!cgrp)
		return 0;
	kn = cgrp->kn;
	return kn ? kn->id : 0;
}

/* 1 + the slot of task's cgroup, 0 if it is not registered (nearly every
 * task): the passive path. */
static __always_inline __u32 slot_of_task(struct task_struct *task)
{
	__u64 cgroup = cgroup_of(task);
	__u32 slot, *held;

	if (!(cgroup_filter[(cgroup / 64) % (TL_FILTER_BITS / 64)] & (1ULL << (cgroup % 64))))
		return 0;
	/* The cgroup's slot: see slot_of */
	slot = slot_of[cgroup % TL_FILTER_BITS];
	if (slot && slot_owner[(slot - 1) % TL_MAX_CGROUPS] == cgroup)
		return slot;
	held = bpf_map_lookup_elem(&cgroup_slots, &cgroup);
	return held ? *held + 1 : 0;
}

/*
 * Finds task's cgroup's ring on this CPU, without taking it: false if the
 * cgroup is not registered. Asks this CPU's memo first (struct tl_memo),
 * and remembers what it looked up.
 */
static __always_inline bool find_ring(struct tl_writer *w, struct task_struct *task)
{
	__u64 check = task->start_time ^ cgroup_moves;
	__u32 pid = task->pid, slot;
	struct tl_memo *m = NULL;
	void *rings;

	/* cgroup_moves is read before any table: a lookup that raced with the
	 * loader is remembered under the count from before its change, so the
	 * next call looks again (x86 keeps loads in order; this keeps clang's). */
	compiler_barrier();
	w->cpu = bpf_get_smp_processor_id();
	if (w->cpu < TL_MEMO_CPUS) {
		m = &memos[w->cpu];
		if (m->check == check && m->key >> 32 == pid) {
			slot = (__u32)m->key;
			goto found;
		}
	}
	slot = slot_of_task(task);
	if (m) {
		m->key = (__u64)pid << 32 | slot;
		m->check = check;
	}
found:
	if (!slot)
		return false;
	slot--;
	rings = bpf_map_lookup_elem(&ring_slots, &slot);
	if (!rings)
		return false;
	w->ring = bpf_map_lookup_elem(rings, &w->cpu);
	return w->ring != NULL;
}

/*
 * Takes the ring find_ring found, and the event's time. The time is read
 * just before the lock, not under it (issue #11: with the exit's arguments
 * read only when a rule wants them, 7 ns less per recorded syscall, paired
 * medians of 8 alternations): the clock's lfence and the locked exchange
 * overlap instead of following each other, and the stores made since the
 * syscall's entry drain meanwhile (a locked instruction waits for them).
 * Moving more of the programs' work in front of the lock measured worse.
 */
static __always_inline bool take_ring(struct tl_writer *w)
{
	w->ts = bench_skip & TL_SKIP_CLOCK ? 0 : bpf_ktime_get_ns();
	/* A writer preempted on this CPU while holding the ring leaves it
	 * busy; the task that preempted it gives up and says so. */
	if (bench_skip & TL_SKIP_LOCK ? w->ctl->busy++
				      : __sync_lock_test_and_set(&w->ctl->busy, 1)) {
		__sync_fetch_and_add(&w->ctl->failed, 1);
		return false;
	}
	w->head = w->ctl->head;
	/* Preempted between the clock and the lock, a writer may find a
	 * later record already there: a ring's times never go back. */
	if (w->ts < w->ctl->last_ts)
		w->ts = w->ctl->last_ts;
	return true;
}

static __always_inline bool lock_ring(struct tl_writer *w, struct task_struct *task)
{
	return find_ring(w, task) && take_ring(w);
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
 * the lap first if it might not fit before the end. `max` is a constant or a
 * frozen setting, so the verifier learns off <= ring_bytes - max in one
 * comparison.
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

/*
 * Reloads w->head from the ring it was just published to (the same value:
 * we hold the lock). The verifier then sees an unknown position instead of
 * one bounded differently on every path through the captures, so the paths
 * merge.
 */
static __always_inline void forget_head(struct tl_writer *w)
{
	w->head = *(volatile __u64 *)&w->ctl->head;
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

/*
 * Ends an event record: published at once when nothing follows it, else
 * with its params (each publishes itself as it ends), so a syscall side with
 * one param publishes once. A writer then scribbles past the published head
 * on at most a pad, an event record and a param: see the reader's inflight
 * bound (native/recorder.cc).
 */
static __always_inline void publish_unless(struct tl_writer *w, __u64 start, __u32 nparams)
{
	if (nparams)
		index_page(w, start, w->head);
	else
		publish(w, start);
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
	ev->ts = w->ts;
}

/* Starts a TL_REC_PARAM of at most `room` bytes for argument `arg`; the
 * caller fills p + 1 and calls end_param. */
static __always_inline struct tl_param *begin_param(struct tl_writer *w, __u8 arg, __u64 room,
						    __u64 *start)
{
	__u64 off = reserve(w, room);
	struct tl_param *p = (void *)(w->ring + ctrl_bytes + off);

	*start = w->head;
	p->h.type = TL_REC_PARAM;
	p->h.flags = 0;
	p->h.tid = w->tid;
	p->arg = arg;
	p->status = TL_PARAM_OK;
	p->want = 0;
	return p;
}

static __always_inline void end_param(struct tl_writer *w, struct tl_param *p, __u64 len,
				      __u64 start)
{
	w->ctl->faults += p->status == TL_PARAM_FAULT;
	p->len = len;
	p->h.size = (sizeof(struct tl_param) + len + TL_ALIGN - 1) & ~(TL_ALIGN - 1);
	/* Read back rather than reused: the verifier then sees a size it knows
	 * nothing of, the same on every path that got here (a string that
	 * filled its room, one that faulted, a buffer cut at max_capture), and
	 * checks the rest of the record once instead of once per length. */
	w->head += *(volatile __u16 *)&p->h.size;
	publish(w, start);
}

/* The task's migrations between CPUs, as the open call remembers them. */
static __always_inline __u32 task_moves(struct task_struct *task)
{
	return (__u32)task->se.nr_migrations;
}

/* Remembers the enter group just written (ending at w->head) as the ring's
 * open call. */
static __always_inline void open_call(struct tl_writer *w, __u32 nr, __u64 ts,
				      struct task_struct *task)
{
	struct tl_open_call *o = &w->ctl->open;

	o->end = w->head;
	o->ts = ts;
	o->tid = w->tid;
	o->nr = nr;
	o->moves = task_moves(task);
	o->cgroup_moves = (__u32)cgroup_moves;
}

/*
 * The exit of syscall nr returning ret: completes the ring's open call with
 * a tl_done if it is this thread's own and nothing came after it; false
 * (nothing written) otherwise. The done must follow its enter group with
 * no pad between, and its duration must fit 32 bits (4.29 s).
 */
static __always_inline bool complete_call(struct tl_writer *w, __u32 nr, long ret,
					  struct task_struct *task)
{
	struct tl_open_call *o = &w->ctl->open;
	__u64 off = w->head & (ring_bytes - TL_ALIGN), start = w->head, ts;
	struct tl_done *d;
	struct tl_done_short *s;
	__u64 dur;

	if (o->end != w->head || o->tid != w->tid || o->nr != nr ||
	    off > ring_bytes - sizeof(struct tl_done) || o->cgroup_moves != (__u32)cgroup_moves ||
	    o->moves != task_moves(task))
		return false;
	ts = w->ts;
	dur = ts - o->ts;
	if (dur > 0xffffffffULL)
		return false;
	if (dur <= 0xffff && ret >= -32768 && ret <= 32767) {
		s = (void *)(w->ring + ctrl_bytes + off);
		s->size = sizeof(struct tl_done_short);
		s->type = TL_REC_DONE_SHORT;
		s->flags = 0;
		s->ret = ret;
		s->duration = dur;
		w->head += sizeof(struct tl_done_short);
	} else {
		d = (void *)(w->ring + ctrl_bytes + off);
		d->size = sizeof(struct tl_done);
		d->type = TL_REC_DONE;
		d->flags = 0;
		d->duration = dur;
		d->ret = ret;
		w->head += sizeof(struct tl_done);
	}
	w->ctl->emitted++;
	publish(w, start);
	return true;
}

#endif /* TRACELOOP_RING_WRITER_BPF_H */
