/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Compound captures: string arrays, iovecs, msghdrs, select's fd sets and
 * getdents counts. Each is assembled in a per-CPU scratch area by
 * put_compound, a global function, and then copied into the ring by the
 * program in one piece (compound() in traceloop.bpf.c).
 *
 * Why this shape: the verifier's work must not depend on the settings, and
 * must stay far below its limits on every kernel (issue #10). So
 *   - put_compound is global: the verifier checks it once, on its own, not
 *     once per path through the programs' capture loops;
 *   - every walk keeps its state in the scratch map value, not on the stack:
 *     a map value's contents are unknown to the verifier, so a bpf_loop
 *     callback converges after one or two passes (kernels from 6.7 on check
 *     callbacks until their state stops changing, which on tracked stack
 *     values took a pass per possible value);
 *   - every position in the scratch area is masked with TL_SCRATCH_MASK and
 *     every piece clamped to TL_MAX_CAPTURE: compile-time bounds, whatever
 *     max_capture or the ring size is. max_capture itself arrives as a value
 *     in the job (the budget), so no branch depends on it.
 * The stack stays small (6.1 rounds each frame up to 32 bytes and allows 512
 * in all): the big structs live in the scratch value too.
 */
#ifndef TRACELOOP_COMPOUND_BPF_H
#define TRACELOOP_COMPOUND_BPF_H

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

/* The x86_64 struct mmsghdr. */
struct mmsghdr64 {
	struct msghdr64 hdr;
	__u32 len;
	__u32 pad;
};

/* One compound capture: the job the program sets, the walk's state and the
 * payload put_compound builds. */
struct tl_scratch {
	/* the job */
	__u64 src;     /* the captured argument's pointer */
	__u64 count;   /* iovec count, fd_set bits, strings to keep */
	__s64 left;    /* at exit: what the call returned; at enter: -1 */
	__u64 ptrs[4]; /* select: the three fd_sets and the timeout */
	__u32 kind;
	__u32 budget; /* bytes of pieces allowed (max_capture) */
	/* the result: the param's payload is buf[0, len) */
	__u64 len;
	__u32 want;
	__u32 faults; /* pieces that could not be read */
	__u32 status;
	__u32 reserved;
	/* a walk's state, shared with its bpf_loop callback */
	__u64 vec;   /* the user array walked */
	__u64 pos;   /* where the next part goes in buf */
	__u64 limit; /* parts end at or before this position */
	__s64 rest;  /* at exit: bytes returned not yet spread; at enter: -1 */
	__u64 n;     /* entries to walk */
	__u64 done;
	struct mmsghdr64 mm; /* the msghdr (or mmsghdr) being read */
	__u8 buf[TL_SCRATCH_BYTES];
};

/* Slot 0 for sys_enter, 1 for sys_exit: one program never runs nested on a
 * CPU (the kernel's recursion guard), and the two programs never share. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct tl_scratch);
} scratch SEC(".maps");

/* What a bpf_loop callback gets: the scratch value (callbacks take a stack
 * pointer as their context). */
struct scratch_ref {
	struct tl_scratch *s;
};

#define ALIGN_UP(n) (((n) + TL_ALIGN - 1) & ~(__u64)(TL_ALIGN - 1))

static long strv_step(__u64 i, void *ctx)
{
	struct tl_scratch *s = ((struct scratch_ref *)ctx)->s;
	const char *str;
	__u64 len, room;
	long n;

	if (bpf_probe_read_user(&str, sizeof(str), (const void *)(s->src + (i & 255) * 8))) {
		s->status = TL_PARAM_FAULT;
		return 1;
	}
	if (!str) {
		s->status = TL_PARAM_OK;
		return 1;
	}
	s->want++;
	len = s->len;
	if (i >= s->count || len >= s->budget)
		return 0;
	room = CLAMP(s->budget - len, TL_MAX_CAPTURE);
	len &= TL_SCRATCH_MASK;
	n = bpf_probe_read_user_str(s->buf + len, room, str);
	if (n > 0)
		s->len = len + n;
	return 0;
}

/* TL_CAP_STRV: the first `count` strings of a NULL-ended array, each with its
 * NUL, as many as fit; `want` counts the entries before the NULL (up to
 * TL_STRV_MAX_COUNT, then TRUNCATED: there may be more). */
static __always_inline void put_strv(struct tl_scratch *s, struct scratch_ref *ref)
{
	s->status = TL_PARAM_TRUNCATED;
	bpf_loop(TL_STRV_MAX_COUNT, strv_step, ref, 0);
	if (s->len > s->budget)
		s->len = s->budget;
}

static long iov_step(__u64 i, void *ctx)
{
	struct tl_scratch *s = ((struct scratch_ref *)ctx)->s;
	struct tl_iov_part *part;
	__u64 iov[2], pos, take, room;

	if (i >= s->n)
		return 1;
	pos = s->pos;
	if (pos + sizeof(*part) > s->limit) {
		s->status = TL_PARAM_TRUNCATED;
		return 1;
	}
	if (bpf_probe_read_user(iov, sizeof(iov),
				(const void *)(s->vec + (i & (TL_IOV_MAX - 1)) * 16))) {
		s->status = i ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
		return 1;
	}
	room = s->limit - pos - sizeof(*part);
	pos &= TL_SCRATCH_MASK;
	part = (void *)(s->buf + pos);
	part->iov_len = iov[1];
	part->status = TL_PARAM_OK;
	__builtin_memset(part->reserved, 0, sizeof(part->reserved));
	take = iov[1];
	if (s->rest >= 0) {
		if (take > (__u64)s->rest)
			take = s->rest;
		s->rest -= take;
	}
	if (take > room) {
		take = room;
		part->status = TL_PARAM_TRUNCATED;
		s->status = TL_PARAM_TRUNCATED;
	}
	take = CLAMP(take, TL_MAX_CAPTURE);
	if (!iov[0]) {
		part->status = TL_PART_NULL;
		take = 0;
	} else if (take && bpf_probe_read_user(part + 1, take, (const void *)iov[0])) {
		part->status = TL_PARAM_FAULT;
		s->faults++;
		take = 0;
	}
	part->len = take;
	s->pos = pos + sizeof(*part) + ALIGN_UP(take);
	return 0;
}

/* Walks `count` iovecs at `vec` into buf from s->pos on, within `budget`
 * bytes of parts: the common tail of TL_CAP_IOV* and TL_CAP_MSG*. */
static __always_inline void walk_iov(struct tl_scratch *s, struct scratch_ref *ref, __u64 vec,
				     __u64 count)
{
	if (count > TL_IOV_MAX) {
		count = TL_IOV_MAX;
		s->status = TL_PARAM_TRUNCATED;
	}
	s->vec = vec;
	s->n = count;
	s->rest = s->left;
	s->limit = s->pos + s->budget;
	if (vec && count)
		bpf_loop(TL_IOV_MAX, iov_step, ref, 0);
	s->len = s->pos;
}

/* Reads up to TL_MSG_PART_MAX bytes of one msghdr piece to buf + at; returns
 * its length and sets *status. */
static __always_inline __u64 msg_piece(struct tl_scratch *s, __u64 at, __u64 ptr, __u64 want,
				       __u8 *status)
{
	__u64 n;

	if (!ptr) {
		*status = TL_PART_NULL;
		return 0;
	}
	*status = TL_PARAM_OK;
	if (want > TL_MSG_PART_MAX)
		*status = TL_PARAM_TRUNCATED;
	n = CLAMP(want, TL_MSG_PART_MAX);
	at &= TL_SCRATCH_MASK;
	if (n && bpf_probe_read_user(s->buf + at, n, (const void *)ptr)) {
		*status = TL_PARAM_FAULT;
		s->faults++;
		return 0;
	}
	return n;
}

/* TL_CAP_MSG / TL_CAP_MSG_EXIT: the msghdr's fields, its name and control
 * bytes, then its iovecs. */
static __always_inline void put_msg(struct tl_scratch *s, struct scratch_ref *ref)
{
	struct msghdr64 *m = &s->mm.hdr;
	struct tl_msg_part *mp = (void *)s->buf;
	__u64 pos, n;

	if (bpf_probe_read_user(m, sizeof(*m), (const void *)s->src)) {
		s->status = TL_PARAM_FAULT;
		return;
	}
	mp->name = m->name;
	mp->namelen = m->namelen;
	mp->flags = m->flags;
	mp->iov = m->iov;
	mp->iovlen = m->iovlen;
	mp->control = m->control;
	mp->controllen = m->controllen;
	mp->reserved = 0;
	pos = sizeof(*mp);
	n = msg_piece(s, pos, m->name, m->namelen < 0 ? 0 : m->namelen, &mp->name_status);
	mp->name_len = n;
	pos += ALIGN_UP(n);
	n = msg_piece(s, pos, m->control, m->controllen, &mp->control_status);
	mp->control_len = n;
	s->pos = pos + ALIGN_UP(n);
	walk_iov(s, ref, m->iov, m->iovlen);
}

static long mmsg_step(__u64 i, void *ctx)
{
	struct tl_scratch *s = ((struct scratch_ref *)ctx)->s;
	struct mmsghdr64 *m = &s->mm;
	struct tl_mmsg_part *mp;
	struct tl_iov_part *part;
	__u64 pos = s->pos, iov[2], take, room;

	if (i >= s->n)
		return 1;
	if (pos + sizeof(*mp) + sizeof(*part) > s->budget) {
		s->status = TL_PARAM_TRUNCATED;
		return 1;
	}
	if (bpf_probe_read_user(m, sizeof(*m),
				(const void *)(s->src + (i & (TL_MMSG_MAX - 1)) * sizeof(*m)))) {
		s->status = i ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
		return 1;
	}
	room = s->budget - pos - sizeof(*mp) - sizeof(*part);
	pos &= TL_SCRATCH_MASK;
	mp = (void *)(s->buf + pos);
	mp->msg_len = m->len;
	mp->msg.name = m->hdr.name;
	mp->msg.namelen = m->hdr.namelen;
	mp->msg.flags = m->hdr.flags;
	mp->msg.iov = m->hdr.iov;
	mp->msg.iovlen = m->hdr.iovlen;
	mp->msg.control = m->hdr.control;
	mp->msg.controllen = m->hdr.controllen;
	mp->msg.name_len = 0;
	mp->msg.control_len = 0;
	mp->msg.name_status = m->hdr.name ? TL_PART_UNREAD : TL_PART_NULL;
	mp->msg.control_status = m->hdr.control ? TL_PART_UNREAD : TL_PART_NULL;
	mp->msg.reserved = 0;
	part = (void *)(mp + 1);
	__builtin_memset(part, 0, sizeof(*part));
	take = 0;
	if (m->hdr.iov && m->hdr.iovlen) {
		if (bpf_probe_read_user(iov, sizeof(iov), (const void *)m->hdr.iov)) {
			part->status = TL_PARAM_FAULT;
			s->faults++;
		} else {
			part->iov_len = iov[1];
			take = iov[1] < m->len ? iov[1] : m->len;
			if (take > room) {
				take = room;
				part->status = TL_PARAM_TRUNCATED;
			}
			take = CLAMP(take, TL_MAX_CAPTURE);
			if (!iov[0]) {
				part->status = TL_PART_NULL;
				take = 0;
			} else if (take &&
				   bpf_probe_read_user(part + 1, take, (const void *)iov[0])) {
				part->status = TL_PARAM_FAULT;
				s->faults++;
				take = 0;
			}
		}
	}
	part->len = take;
	mp->bytes = sizeof(*mp) + sizeof(*part) + ALIGN_UP(take);
	s->pos = pos + mp->bytes;
	return 0;
}

/* TL_CAP_MMSG_EXIT: the first messages of a struct mmsghdr array, as many as
 * the call returned (s->left). */
static __always_inline void put_mmsg(struct tl_scratch *s, struct scratch_ref *ref)
{
	s->want = s->left;
	s->n = s->left > TL_MMSG_MAX ? TL_MMSG_MAX : s->left;
	if (s->left > TL_MMSG_MAX)
		s->status = TL_PARAM_TRUNCATED;
	bpf_loop(TL_MMSG_MAX, mmsg_step, ref, 0);
	s->len = s->pos;
}

/* TL_CAP_FDSETS / TL_CAP_FDSETS_EXIT: three fd_sets of `count` bits each and
 * the timeout after them (s->ptrs). Kept whole whatever the budget: a set is
 * 128 bytes at most. */
static __always_inline void put_fdsets(struct tl_scratch *s)
{
	struct tl_fdsets_part *fp = (void *)s->buf;
	__s64 nfds = (int)s->count;
	__u64 bits = nfds < 0 ? 0 : nfds, bytes, at = sizeof(*fp);

	if (bits > TL_FDSET_MAX_BITS) {
		bits = TL_FDSET_MAX_BITS;
		s->status = TL_PARAM_TRUNCATED;
	}
	bytes = CLAMP((bits + 63) / 64 * 8, TL_FDSET_MAX_BITS / 8);
	fp->nbits = bits;
	fp->reserved = 0;
	for (int i = 0; i < 3; i++) {
		__u64 ptr = s->ptrs[i];

		fp->status[i] = TL_PARAM_OK;
		if (!ptr) {
			fp->status[i] = TL_PART_NULL;
		} else if (bytes && bpf_probe_read_user(s->buf + (at & TL_SCRATCH_MASK), bytes,
							(const void *)ptr)) {
			fp->status[i] = TL_PARAM_FAULT;
			s->faults++;
		}
		at += bytes;
	}
	fp->timeout_status = TL_PARAM_OK;
	if (!s->ptrs[3]) {
		fp->timeout_status = TL_PART_NULL;
	} else if (bpf_probe_read_user(fp->timeout, sizeof(fp->timeout),
				       (const void *)s->ptrs[3])) {
		fp->timeout_status = TL_PARAM_FAULT;
		s->faults++;
	}
	s->len = at;
}

static long dirent_step(__u64 i, void *ctx)
{
	struct tl_scratch *s = ((struct scratch_ref *)ctx)->s;
	__u16 reclen;

	if (s->pos >= (__u64)s->left) {
		s->done = 1;
		return 1;
	}
	/* linux_dirent64: d_ino, d_off, then d_reclen at 16 */
	if (bpf_probe_read_user(&reclen, sizeof(reclen), (const void *)(s->src + s->pos + 16)) ||
	    !reclen)
		return 1;
	s->n++;
	s->pos += reclen;
	return 0;
}

/* TL_CAP_DIRENTS: counts the records getdents64 returned (s->left bytes). */
static __always_inline void put_dirents(struct tl_scratch *s, struct scratch_ref *ref)
{
	struct tl_dirents_part *dp = (void *)s->buf;

	s->n = 0;
	s->done = 0;
	bpf_loop(TL_DIRENTS_MAX_STEPS, dirent_step, ref, 0);
	dp->count = s->n;
	dp->reserved = 0;
	s->want = s->left;
	if (!s->done)
		s->status = s->n ? TL_PARAM_TRUNCATED : TL_PARAM_FAULT;
	s->len = sizeof(*dp);
}

/*
 * CO-RE read of a kernel field through a pointer held in a scratch word, into
 * scratch memory: the walk keeps its pointers in the map value, not on the
 * stack (6.1 counts put_compound's frame in every program's 512 bytes).
 */
#define read_field(dst, type, ptr, field)                                                          \
	bpf_core_read(dst, sizeof(((type *)0)->field), &((type *)(ptr))->field)

/* One new fd's inode, from the fd table whose array and size are in s->pos
 * and s->n: ino 0 when it cannot be read (another thread closed it already). */
static __always_inline void new_fd(struct tl_scratch *s, struct tl_new_fd *e, int fd)
{
	__u64 p; /* a pointer just read, in a register: CO-RE relocates only the field */

	e->fd = fd;
	e->ino = 0;
	e->mode = 0;
	e->reserved = 0;
	s->limit = 0;
	if ((__u32)fd >= s->n ||
	    bpf_probe_read_kernel(&s->limit, sizeof(s->limit), (void *)(s->pos + 8 * (__u32)fd)))
		return;
	p = s->limit;
	if (!p || read_field(&s->limit, struct file, p, f_inode))
		return;
	p = s->limit;
	if (!p || read_field(&e->ino, struct inode, p, i_ino) ||
	    read_field(&e->mode, struct inode, p, i_mode))
		e->ino = 0;
}

/* TL_CAP_NEW_FDS: the fd the call returned (s->left), or the s->count ints of
 * the array at s->src (pipe's two), each with its inode: see tl_new_fd. Plain
 * probe reads with CO-RE offsets (current->files->fdt->fd[n]->f_inode): the
 * tables are RCU-protected, and a tracepoint program runs inside an RCU
 * read-side section. */
static __always_inline void put_new_fds(struct tl_scratch *s)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct tl_new_fd *e = (void *)s->buf;
	int *nums = (void *)(s->buf + TL_NEW_FDS_MAX * sizeof(*e));
	__u32 n = 1;
	__u64 p;

	s->vec = 0;
	s->pos = 0;
	s->n = 0;
	nums[0] = s->left;
	if (s->count) {
		n = TL_NEW_FDS_MAX;
		if (bpf_probe_read_user(nums, TL_NEW_FDS_MAX * sizeof(int), (const void *)s->src)) {
			s->status = TL_PARAM_FAULT;
			return;
		}
	}
	if (read_field(&s->vec, struct task_struct, task, files))
		goto none;
	p = s->vec;
	if (!p || read_field(&s->vec, struct files_struct, p, fdt))
		goto none;
	p = s->vec;
	if (!p || read_field(&s->pos, struct fdtable, p, fd) ||
	    read_field(&s->n, struct fdtable, p, max_fds))
	none:
		s->n = 0;
	for (int i = 0; i < TL_NEW_FDS_MAX; i++) {
		if (i >= n)
			break;
		new_fd(s, &e[i], nums[i]);
		if (!e[i].ino)
			s->status = TL_PARAM_FAULT;
	}
	s->want = n;
	s->len = n * sizeof(*e);
}

/*
 * Builds the payload of the job in scratch slot `slot`. A family left out
 * (`families`, frozen before load) is dead code the verifier never walks,
 * helpers and all. Returns 0; the result is in the slot.
 */
__noinline int put_compound(__u32 slot)
{
	struct scratch_ref ref;
	struct tl_scratch *s = bpf_map_lookup_elem(&scratch, &slot);

	if (!s)
		return 0;
	ref.s = s;
	s->len = 0;
	s->pos = 0;
	s->want = 0;
	s->faults = 0;
	s->status = TL_PARAM_OK;
	switch (s->kind) {
	case TL_CAP_STRV:
		if (families & TL_FAM_STRV)
			put_strv(s, &ref);
		break;
	case TL_CAP_IOV:
	case TL_CAP_IOV_EXIT:
		if (families & TL_FAM_IOV) {
			s->want = s->count > 0xffffffffULL ? 0xffffffffU : s->count;
			walk_iov(s, &ref, s->src, s->count);
		}
		break;
	case TL_CAP_MSG:
	case TL_CAP_MSG_EXIT:
		if (families & TL_FAM_MSG)
			put_msg(s, &ref);
		break;
	case TL_CAP_MMSG_EXIT:
		if (families & TL_FAM_MSG)
			put_mmsg(s, &ref);
		break;
	case TL_CAP_FDSETS:
	case TL_CAP_FDSETS_EXIT:
		if (families & TL_FAM_FDSETS)
			put_fdsets(s);
		break;
	case TL_CAP_DIRENTS:
		if (families & TL_FAM_DIRENTS)
			put_dirents(s, &ref);
		break;
	case TL_CAP_NEW_FDS:
		if (families & TL_FAM_NEW_FDS)
			put_new_fds(s);
		break;
	}
	return 0;
}

#endif /* TRACELOOP_COMPOUND_BPF_H */
