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
/* bytes of one captured string (paths: up to PATH_MAX), >= max_capture */
const volatile __u32 max_string = 4096;
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

/*
 * A bitmap in front of cgroup_rings, written by the loader (it sets a cgroup's
 * bit before registering it and clears it once no registered cgroup maps to
 * it): a task whose bit is clear, as nearly every task on the machine is,
 * skips the hash-of-maps lookup. One load instead of a hash.
 */
__u64 cgroup_filter[TL_FILTER_BITS / 64] = {};

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

/* Tasks with a refault noted (an estimate: a task that dies in between leaves
 * it high, which only costs lookups). */
__u64 refault_pending = 0;

/* One writer's view of the ring it holds locked. */
struct tl_writer {
	__u64 cgroup;
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
	void *rings;

	w->cgroup = bpf_get_current_cgroup_id();
	if (!(cgroup_filter[(w->cgroup / 64) % (TL_FILTER_BITS / 64)] & (1ULL << (w->cgroup % 64))))
		return NULL;
	rings = bpf_map_lookup_elem(&cgroup_rings, &w->cgroup);
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

/*
 * Reloads w->head from the ring it was just published to (the same value:
 * we hold the lock). The verifier then sees an unknown position instead of
 * one bounded differently on every path through the captures, so the paths
 * merge and the program stays within its complexity limit.
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

/* Starts a TL_REC_PARAM of at most `room` bytes (a constant) for argument
 * `arg`; the caller fills p + 1 and calls end_param. */
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
	if (p->status == TL_PARAM_FAULT)
		w->ctl->faults++;
	p->len = len;
	p->h.size = (sizeof(struct tl_param) + len + TL_ALIGN - 1) & ~(TL_ALIGN - 1);
	w->head += p->h.size;
	publish(w, start);
}

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
		}
	}
	end_param(w, p, len, start);
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
	__u64 start;
	struct tl_param *p = begin_param(w, arg, sizeof(struct tl_param) + 2 * max_capture, &start);

	c.vec = src;
	c.dst = (char *)(p + 1);
	c.nstr = nstr;
	c.status = TL_PARAM_TRUNCATED;
	bpf_loop(TL_STRV_MAX_COUNT, strv_step, &c, 0);
	p->status = c.status;
	p->want = c.count;
	end_param(w, p, c.len > max_capture ? max_capture : c.len, start);
}

#define ALIGN_UP(n) (((n) + TL_ALIGN - 1) & ~(__u64)(TL_ALIGN - 1))

/* State of an iovec walk, shared with its bpf_loop callback. */
struct iov_walk {
	const __u64 *vec; /* user struct iovec[]: base, len pairs */
	__u8 *dst;	  /* where the parts go */
	__u64 pos;	  /* bytes of parts written */
	__u64 budget;	  /* bytes of parts allowed, <= max_capture */
	__s64 left;	  /* at exit: bytes returned not yet spread; at enter: -1 */
	__u32 count;	  /* entries to walk */
	__u32 status;	  /* of the whole param */
	__u32 faults;	  /* buffers that could not be read */
	__u32 pad;
};

static long iov_step(__u64 i, void *data)
{
	struct iov_walk *c = data;
	struct tl_iov_part *part;
	__u64 iov[2], pos, take, room;

	if (i >= c->count)
		return 1;
	pos = c->pos;
	if (pos + sizeof(*part) > c->budget || pos > max_capture - sizeof(*part)) {
		c->status = TL_PARAM_TRUNCATED;
		return 1;
	}
	if (bpf_probe_read_user(iov, sizeof(iov), &c->vec[(i & (TL_IOV_MAX - 1)) * 2])) {
		c->status = i ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
		return 1;
	}
	part = (void *)(c->dst + pos);
	part->iov_len = iov[1];
	part->status = TL_PARAM_OK;
	__builtin_memset(part->reserved, 0, sizeof(part->reserved));
	take = iov[1];
	if (c->left >= 0 && take > (__u64)c->left)
		take = c->left;
	if (c->left >= 0)
		c->left -= take;
	room = c->budget - pos - sizeof(*part);
	if (room > max_capture)
		room = max_capture;
	if (take > room) {
		take = room;
		part->status = TL_PARAM_TRUNCATED;
		c->status = TL_PARAM_TRUNCATED;
	}
	take &= TL_MAX_CAPTURE * 2 - 1;
	if (take > max_capture)
		take = 0;
	if (!iov[0]) {
		part->status = TL_PART_NULL;
		take = 0;
	} else if (take && bpf_probe_read_user(part + 1, take, (const void *)iov[0])) {
		part->status = TL_PARAM_FAULT;
		c->faults++;
		take = 0;
	}
	part->len = take;
	c->pos = pos + sizeof(*part) + ALIGN_UP(take);
	return 0;
}

/* Walks `count` iovecs into dst: the common tail of TL_CAP_IOV* and TL_CAP_MSG*.
 * Returns the bytes written and leaves the walk's status in *status; buffers
 * it could not read count in the ring's faults, as whole captures do. */
static __always_inline __u64 walk_iov(struct tl_writer *w, __u8 *dst, const void *vec, __u64 count,
				      __u64 budget, __s64 left, __u8 *status)
{
	struct iov_walk c = {
	    .vec = vec, .dst = dst, .budget = budget, .left = left, .status = *status};

	if (count > TL_IOV_MAX) {
		count = TL_IOV_MAX;
		c.status = TL_PARAM_TRUNCATED;
	}
	c.count = count;
	if (vec && count)
		bpf_loop(TL_IOV_MAX, iov_step, &c, 0);
	*status = c.status;
	w->ctl->faults += c.faults;
	return c.pos;
}

/* TL_CAP_IOV / TL_CAP_IOV_EXIT: `left` is the return value at exit, -1 at enter. */
static __always_inline void put_iov(struct tl_writer *w, __u8 arg, const void *vec, __u64 count,
				    __s64 left)
{
	__u64 start, len;
	struct tl_param *p = begin_param(w, arg, sizeof(struct tl_param) + 2 * max_capture, &start);

	p->want = count > 0xffffffffULL ? 0xffffffffU : count;
	len = walk_iov(w, (__u8 *)(p + 1), vec, count, max_capture, left, &p->status);
	end_param(w, p, len, start);
}

/* The x86_64 struct user_msghdr. */
struct msghdr64 {
	__u64 name;
	__s32 namelen;
	__u32 pad;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad2;
};

/* Reads up to TL_MSG_PART_MAX bytes of one msghdr piece to dst; its length. */
static __always_inline __u64 msg_piece(__u8 *dst, __u64 ptr, __u64 want, __u8 *status,
				       struct tl_param *p)
{
	__u64 n = want;

	if (!ptr) {
		*status = TL_PART_NULL;
		return 0;
	}
	*status = TL_PARAM_OK;
	if (n > TL_MSG_PART_MAX) {
		n = TL_MSG_PART_MAX;
		*status = TL_PARAM_TRUNCATED;
	}
	n &= 2 * TL_MSG_PART_MAX - 1;
	if (n > TL_MSG_PART_MAX)
		n = 0;
	if (n && bpf_probe_read_user(dst, n, (const void *)ptr)) {
		*status = TL_PARAM_FAULT;
		return 0;
	}
	return n;
}

/* TL_CAP_MSG / TL_CAP_MSG_EXIT. */
static __always_inline void put_msg(struct tl_writer *w, __u8 arg, const void *src, __s64 left)
{
	struct tl_msg_part *mp;
	struct msghdr64 m;
	__u64 start, pos, n;
	struct tl_param *p = begin_param(
	    w, arg, sizeof(struct tl_param) + TL_MSG_HEAD_ROOM + 2 * max_capture, &start);
	__u8 *dst = (__u8 *)(p + 1);

	if (bpf_probe_read_user(&m, sizeof(m), src)) {
		p->status = TL_PARAM_FAULT;
		end_param(w, p, 0, start);
		return;
	}
	mp = (void *)dst;
	mp->name = m.name;
	mp->namelen = m.namelen;
	mp->flags = m.flags;
	mp->iov = m.iov;
	mp->iovlen = m.iovlen;
	mp->control = m.control;
	mp->controllen = m.controllen;
	mp->reserved = 0;
	pos = sizeof(*mp);
	n = msg_piece(dst + pos, m.name, m.namelen < 0 ? 0 : m.namelen, &mp->name_status, p);
	mp->name_len = n;
	pos += ALIGN_UP(n);
	n = msg_piece(dst + pos, m.control, m.controllen, &mp->control_status, p);
	mp->control_len = n;
	pos += ALIGN_UP(n);
	pos += walk_iov(w, dst + pos, (const void *)m.iov, m.iovlen, max_capture, left, &p->status);
	w->ctl->faults +=
	    (mp->name_status == TL_PARAM_FAULT) + (mp->control_status == TL_PARAM_FAULT);
	end_param(w, p, pos, start);
}

/* The x86_64 struct mmsghdr. */
struct mmsghdr64 {
	struct msghdr64 hdr;
	__u32 len;
	__u32 pad;
};

/* State of put_mmsg's walk, shared with its bpf_loop callback. */
struct mmsg_walk {
	const struct mmsghdr64 *vec;
	__u8 *dst; /* the param's bytes */
	__u64 pos;
	__u32 count;
	__u32 status;
	__u32 faults; /* buffers that could not be read */
	__u32 pad;
};

static long mmsg_step(__u64 i, void *data)
{
	struct mmsg_walk *c = data;
	struct tl_mmsg_part *mp;
	struct tl_iov_part *part;
	struct mmsghdr64 m;
	__u64 pos = c->pos, iov[2], take;

	if (i >= c->count)
		return 1;
	/* (a sum, not a difference: max_capture may be smaller than the parts) */
	if (pos + sizeof(*mp) + sizeof(*part) > max_capture) {
		c->status = TL_PARAM_TRUNCATED;
		return 1;
	}
	if (bpf_probe_read_user(&m, sizeof(m), &c->vec[i & (TL_MMSG_MAX - 1)])) {
		c->status = i ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
		return 1;
	}
	mp = (void *)(c->dst + pos);
	mp->msg_len = m.len;
	mp->msg.name = m.hdr.name;
	mp->msg.namelen = m.hdr.namelen;
	mp->msg.flags = m.hdr.flags;
	mp->msg.iov = m.hdr.iov;
	mp->msg.iovlen = m.hdr.iovlen;
	mp->msg.control = m.hdr.control;
	mp->msg.controllen = m.hdr.controllen;
	mp->msg.name_len = 0;
	mp->msg.control_len = 0;
	mp->msg.name_status = m.hdr.name ? TL_PART_UNREAD : TL_PART_NULL;
	mp->msg.control_status = m.hdr.control ? TL_PART_UNREAD : TL_PART_NULL;
	mp->msg.reserved = 0;
	part = (void *)(mp + 1);
	__builtin_memset(part, 0, sizeof(*part));
	take = 0;
	if (m.hdr.iov && m.hdr.iovlen) {
		if (bpf_probe_read_user(iov, sizeof(iov), (const void *)m.hdr.iov)) {
			part->status = TL_PARAM_FAULT;
			c->faults++;
		} else {
			part->iov_len = iov[1];
			take = iov[1] < m.len ? iov[1] : m.len;
			if (take > max_capture - pos - sizeof(*mp) - sizeof(*part)) {
				take = max_capture - pos - sizeof(*mp) - sizeof(*part);
				part->status = TL_PARAM_TRUNCATED;
			}
			take &= TL_MAX_CAPTURE * 2 - 1;
			if (take > max_capture)
				take = 0;
			if (!iov[0]) {
				part->status = TL_PART_NULL;
				take = 0;
			} else if (take &&
				   bpf_probe_read_user(part + 1, take, (const void *)iov[0])) {
				part->status = TL_PARAM_FAULT;
				take = 0;
			}
		}
	}
	part->len = take;
	mp->bytes = sizeof(*mp) + sizeof(*part) + ALIGN_UP(take);
	c->pos = pos + mp->bytes;
	return 0;
}

/* TL_CAP_MMSG_EXIT: the first `count` messages of a struct mmsghdr array. */
static __always_inline void put_mmsg(struct tl_writer *w, __u8 arg, const void *vec, __s64 count)
{
	struct mmsg_walk c = {.vec = vec, .status = TL_PARAM_OK};
	__u64 start;
	struct tl_param *p = begin_param(w, arg, sizeof(struct tl_param) + 2 * max_capture, &start);

	p->want = count;
	c.dst = (__u8 *)(p + 1);
	c.count = count > TL_MMSG_MAX ? TL_MMSG_MAX : count;
	if (count > TL_MMSG_MAX)
		c.status = TL_PARAM_TRUNCATED;
	bpf_loop(TL_MMSG_MAX, mmsg_step, &c, 0);
	p->status = c.status;
	w->ctl->faults += c.faults;
	end_param(w, p, c.pos, start);
}

/* TL_CAP_FDSETS / TL_CAP_FDSETS_EXIT: three fd_sets, `nfds` bits each, and
 * the timeout after them (the pointers of arguments arg..arg+3). */
static __always_inline void put_fdsets(struct tl_writer *w, __u8 arg, const __u64 *ptrs, __s64 nfds)
{
	struct tl_fdsets_part *fp;
	__u64 start, bits, bytes, ptr, at;
	struct tl_param *p = begin_param(w, arg, TL_FDSETS_ROOM, &start);
	__u8 *dst = (__u8 *)(p + 1);

	fp = (void *)dst;
	bits = nfds < 0 ? 0 : nfds;
	if (bits > TL_FDSET_MAX_BITS) {
		bits = TL_FDSET_MAX_BITS;
		p->status = TL_PARAM_TRUNCATED;
	}
	bytes = (bits + 63) / 64 * 8;
	/* Restated so that the verifier learns what clang already knows. */
	asm volatile("" : "+r"(bytes));
	if (bytes > TL_FDSET_MAX_BITS / 8)
		bytes = TL_FDSET_MAX_BITS / 8;
	fp->nbits = bits;
	fp->reserved = 0;
	at = sizeof(*fp);
	for (int s = 0; s < 3; s++) {
		ptr = ptrs[s];
		fp->status[s] = TL_PARAM_OK;
		if (at > sizeof(*fp) + 2 * (TL_FDSET_MAX_BITS / 8))
			break;
		if (!ptr)
			fp->status[s] = TL_PART_NULL;
		else if (bytes &&
			 bpf_probe_read_user(dst + at, bytes & (TL_FDSET_MAX_BITS / 8 * 2 - 1),
					     (const void *)ptr))
			fp->status[s] = TL_PARAM_FAULT;
		at += bytes;
	}
	ptr = ptrs[3];
	fp->timeout_status = TL_PARAM_OK;
	if (!ptr)
		fp->timeout_status = TL_PART_NULL;
	else if (bpf_probe_read_user(fp->timeout, sizeof(fp->timeout), (const void *)ptr))
		fp->timeout_status = TL_PARAM_FAULT;
	for (int s = 0; s < 3; s++)
		w->ctl->faults += fp->status[s] == TL_PARAM_FAULT;
	w->ctl->faults += fp->timeout_status == TL_PARAM_FAULT;
	end_param(w, p, sizeof(*fp) + 3 * bytes, start);
}

/* State of a dirent count, shared with its bpf_loop callback. */
struct dirent_walk {
	const __u8 *buf;
	__u64 off;
	__u64 total;
	__u32 count;
	__u32 done;
};

static long dirent_step(__u64 i, void *data)
{
	struct dirent_walk *c = data;
	__u16 reclen;

	if (c->off >= c->total) {
		c->done = 1;
		return 1;
	}
	/* linux_dirent64: d_ino, d_off, then d_reclen at 16 */
	if (bpf_probe_read_user(&reclen, sizeof(reclen), c->buf + c->off + 16) || !reclen)
		return 1;
	c->count++;
	c->off += reclen;
	return 0;
}

/* TL_CAP_DIRENTS: counts the records getdents64 returned. */
static __always_inline void put_dirents(struct tl_writer *w, __u8 arg, const void *buf, __s64 ret)
{
	struct dirent_walk c = {.buf = buf, .total = ret};
	struct tl_dirents_part *dp;
	__u64 start;
	struct tl_param *p =
	    begin_param(w, arg, sizeof(struct tl_param) + sizeof(struct tl_dirents_part), &start);

	bpf_loop(TL_DIRENTS_MAX_STEPS, dirent_step, &c, 0);
	dp = (void *)(p + 1);
	dp->count = c.count;
	dp->reserved = 0;
	p->want = ret;
	if (!c.done)
		p->status = c.count ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
	end_param(w, p, sizeof(*dp), start);
}

/*
 * The captures a rule asks for this call: its slots, with a TL_CAP_KEYED
 * slot replaced by what keyed_rules says for the selector's value (or
 * nothing). Returns how many slots hold a capture.
 */
static __always_inline void resolve_caps(struct tl_rule *rule, struct pt_regs *regs, __u32 nr,
					 struct tl_capture *caps)
{
	for (int i = 0; i < TL_MAX_PARAMS; i++) {
		caps[i] = rule->cap[i];
		if (caps[i].kind == TL_CAP_KEYED) {
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
	       k == TL_CAP_STRV || k == TL_CAP_IOV || k == TL_CAP_MSG || k == TL_CAP_STRUCT_INOUT;
}

/* Whether an exit capture of kind k has something to take for this return. */
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
	case TL_CAP_MSG_EXIT: return ret >= 0;
	default: return false;
	}
}

/*
 * A compound capture to write, handed from a program to put_compound: what
 * the writer holds (its ring by cgroup and CPU, its head) and what to read.
 */
struct tl_job {
	__u64 cgroup;
	__u64 head;
	__u64 ts;
	__u64 src;     /* the captured argument's pointer */
	__u64 count;   /* iovec count, fd_set bits, strings to keep */
	__s64 left;    /* at exit: what the call returned; at enter: -1 */
	__u64 ptrs[4]; /* select: the three fd_sets and the timeout */
	__u32 cpu;
	__u32 tid;
	__u32 kind;
	__u32 arg;
};

/*
 * Writes the compound captures (string arrays, iovecs, msghdrs, fd sets,
 * dirent counts) for a program that holds the ring locked. A global
 * function: the verifier checks it once, on its own, instead of once per
 * path through the callers' capture loops, which took those past the
 * complexity limit. So it finds the ring again by cgroup and CPU (the one
 * the caller locked: both are passed in, not looked up anew). The caller
 * reads the new head back from the ring.
 */
__noinline int put_compound(struct tl_job *job)
{
	struct tl_writer w;
	void *rings;

	if (!job)
		return 0;
	rings = bpf_map_lookup_elem(&cgroup_rings, &job->cgroup);
	if (!rings)
		return 0;
	w.cpu = job->cpu;
	w.ring = bpf_map_lookup_elem(rings, &w.cpu);
	if (!w.ring)
		return 0;
	w.ctl = (struct tl_ring_ctrl *)w.ring;
	w.head = job->head;
	w.tid = job->tid;
	w.ts = job->ts;
	switch (job->kind) {
	case TL_CAP_STRV: put_strv(&w, job->arg, (const void *)job->src, job->count); break;
	case TL_CAP_IOV:
	case TL_CAP_IOV_EXIT:
		put_iov(&w, job->arg, (const void *)job->src, job->count, job->left);
		break;
	case TL_CAP_MSG:
	case TL_CAP_MSG_EXIT: put_msg(&w, job->arg, (const void *)job->src, job->left); break;
	case TL_CAP_FDSETS:
	case TL_CAP_FDSETS_EXIT: put_fdsets(&w, job->arg, job->ptrs, (int)job->count); break;
	case TL_CAP_DIRENTS: put_dirents(&w, job->arg, (const void *)job->src, job->left); break;
	case TL_CAP_MMSG_EXIT: put_mmsg(&w, job->arg, (const void *)job->src, job->left); break;
	}
	return 0;
}

static __always_inline bool is_compound(__u8 k)
{
	return k == TL_CAP_STRV || k == TL_CAP_IOV || k == TL_CAP_IOV_EXIT || k == TL_CAP_MSG ||
	       k == TL_CAP_MSG_EXIT || k == TL_CAP_FDSETS || k == TL_CAP_FDSETS_EXIT ||
	       k == TL_CAP_DIRENTS || k == TL_CAP_MMSG_EXIT;
}

/* Hands capture c of this call to put_compound. */
static __always_inline void compound(struct tl_writer *w, struct pt_regs *regs,
				     struct tl_capture *c, long ret, bool at_exit)
{
	struct tl_job job = {
	    .cgroup = w->cgroup,
	    .head = w->head,
	    .ts = w->ts,
	    .src = arg_of(regs, c->arg),
	    .left = at_exit ? ret : -1,
	    .cpu = w->cpu,
	    .tid = w->tid,
	    .kind = c->kind,
	    .arg = c->arg,
	};

	if (c->kind == TL_CAP_STRV) {
		job.count = c->size;
	} else if (c->kind == TL_CAP_FDSETS || c->kind == TL_CAP_FDSETS_EXIT) {
		job.count = arg_of(regs, c->len_arg);
		for (int s = 0; s < 4; s++)
			job.ptrs[s] = arg_of(regs, c->arg + s);
	} else if (c->kind != TL_CAP_MSG && c->kind != TL_CAP_MSG_EXIT) {
		job.count = arg_of(regs, c->len_arg);
	}
	put_compound(&job);
	forget_head(w);
}

/* Whether capture c has something to read: its pointer is set (the fd sets
 * of select are read whichever of them are set). */
static __always_inline bool has_source(struct tl_capture *c, struct pt_regs *regs)
{
	return c->kind == TL_CAP_FDSETS || c->kind == TL_CAP_FDSETS_EXIT || arg_of(regs, c->arg);
}

/* The bytes an argument-length buffer names: a count of elements of `size`. */
static __always_inline __u64 arg_length(struct tl_capture *c, struct pt_regs *regs)
{
	__u64 n = arg_of(regs, c->len_arg);

	return c->size ? n * c->size : n;
}

/* The bytes a plain capture names (0 for a string, which ends at its NUL). */
static __always_inline __u64 want_of(struct tl_capture *c, struct pt_regs *regs, long ret)
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

SEC("tp_btf/sys_enter")
int BPF_PROG(tl_sys_enter, struct pt_regs *regs, long id)
{
	struct tl_writer w;
	struct tl_enter *e;
	struct tl_rule *rule = NULL;
	struct tl_capture caps[TL_MAX_PARAMS] = {};
	__u32 nr = id < 0 || id > 0xffff ? 0xffff : id, nargs = TL_MAX_ARGS, nparams = 0;
	__u64 start, off, pid_tgid;

	if (floor_only || !lock_ring(&w))
		return 0;
	if (nr < TL_MAX_SYSCALLS)
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		nargs = rule->nargs <= TL_MAX_ARGS ? rule->nargs : TL_MAX_ARGS;
		resolve_caps(rule, regs, nr, caps);
		for (int i = 0; i < TL_MAX_PARAMS; i++)
			if ((is_enter_kind(caps[i].kind) || caps[i].kind == TL_CAP_FDSETS) &&
			    has_source(&caps[i], regs))
				nparams++;
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
			struct tl_capture *c = &caps[i];
			__u8 k = c->kind;
			__u32 a = c->arg;
			const void *src = (const void *)arg_of(regs, a);

			if (!(is_enter_kind(k) || k == TL_CAP_FDSETS) || !has_source(c, regs))
				continue;
			if (is_compound(k))
				compound(&w, regs, c, 0, false);
			else if (put_param(&w, a, k, src, want_of(c, regs, 0)) == TL_PARAM_FAULT)
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
	struct tl_capture caps[TL_MAX_PARAMS] = {};
	struct tl_refault *rf;
	__u32 nr, nparams = 0, refault = 0;
	__u64 start, off, pid_tgid;

	if (floor_only || !lock_ring(&w))
		return 0;
	nr = regs->orig_ax > 0xffff ? 0xffff : regs->orig_ax; /* -1 reads as huge */
	if (nr < TL_MAX_SYSCALLS)
		rule = bpf_map_lookup_elem(&rules, &nr);
	if (rule) {
		resolve_caps(rule, regs, nr, caps);
		for (int i = 0; i < TL_MAX_PARAMS; i++)
			if (exit_takes(caps[i].kind, ret) && has_source(&caps[i], regs))
				nparams++;
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
			struct tl_capture *c = &caps[i];
			__u8 k = c->kind;
			const void *src = (const void *)arg_of(regs, c->arg);

			if (exit_takes(k, ret) && has_source(c, regs)) {
				if (is_compound(k))
					compound(&w, regs, c, ret, true);
				else
					put_param(&w, c->arg, k, src, want_of(c, regs, ret));
			} else if ((refault & (1u << i)) && src) {
				/* An enter capture that faulted, read again now. */
				put_param(&w, c->arg, k, src, want_of(c, regs, ret));
			}
		}
	}
	unlock_ring(&w);
	return 0;
}
