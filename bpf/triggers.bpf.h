/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Triggers (issue #16): the writer notes, in the ring's control block, the
 * events a daemon may want the flight record saved for (see enum
 * tl_trigger in traceloop.h). The daemon polls these counters; nothing is
 * drained and nobody is woken. Included by traceloop.bpf.c after
 * ring_writer.bpf.h.
 */
#ifndef TRACELOOP_TRIGGERS_BPF_H
#define TRACELOOP_TRIGGERS_BPF_H

/*
 * Bit e: a call failing with errno e is a trigger. Written by the loader's
 * user (traceloop serve --dump-on errno=...); all zero otherwise, so an
 * unarmed failing call pays one load of a global.
 */
__u64 trigger_errnos[TL_TRIG_ERRNO_BITS / 64] = {};

/* Counts a trigger of `kind` whose record is numbered `seq`. The ring is
 * held (w is locked), so plain stores cannot race another writer. */
static __always_inline void note_trigger(struct tl_writer *w, __u32 kind, __u16 flags, __u64 seq)
{
	w->ctl->trig_count[kind % TL_TRIG_KINDS]++;
	w->ctl->trig_last = kind | flags;
	w->ctl->trig_seq = seq;
}

/* At sys_exit, before the exit is written: its seq is the next one. */
static __always_inline void note_errno(struct tl_writer *w, long ret)
{
	__u64 e = -ret;

	if (ret < 0 && e < TL_TRIG_ERRNO_BITS && (trigger_errnos[e / 64] & (1ULL << (e % 64))))
		note_trigger(w, TL_TRIG_ERRNO, 0, w->ctl->emitted);
}

/* At a process's end, `status` its wait status, `seq` its end record's. A
 * task the OOM killer chose has its signal struct's oom_mm set. */
static __always_inline void note_end(struct tl_writer *w, struct task_struct *p, __u32 status,
				     __u64 seq)
{
	__u32 sig = status & 0x7f;

	if (sig && sig < 32 && (TL_CRASH_SIGNALS & (1u << sig)))
		note_trigger(w, TL_TRIG_CRASH, p->signal->oom_mm ? TL_TRIG_OOM : 0, seq);
	else if (!sig && (status & 0xff00))
		note_trigger(w, TL_TRIG_EXIT, 0, seq);
}

#endif /* TRACELOOP_TRIGGERS_BPF_H */
