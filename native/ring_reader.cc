#include "ring_reader.h"

#include <atomic>
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

namespace {

const tl_ring_ctrl *ctrl_of(const uint8_t *element)
{
	return reinterpret_cast<const tl_ring_ctrl *>(element);
}

uint64_t load_acquire(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

// The oldest absolute position whose bytes no writer can touch while we
// read, given a published head.
uint64_t oldest_safe(uint64_t head, const RingGeometry &geo)
{
	uint64_t window =
	    geo.ring_bytes > geo.inflight_bytes ? geo.ring_bytes - geo.inflight_bytes : 0;
	return head > window ? head - window : 0;
}

// The first record boundary in [lo, head], from the writer's page index: an
// entry belongs to the current lap only if it lies inside its own page.
uint64_t find_boundary(const uint8_t *element, const RingGeometry &geo, uint64_t lo, uint64_t head)
{
	const uint64_t npages = geo.ring_bytes / TL_PAGE_SIZE;
	const tl_ring_ctrl *ctl = ctrl_of(element);
	for (uint64_t page = (lo + TL_PAGE_SIZE - 1) / TL_PAGE_SIZE; page * TL_PAGE_SIZE < head;
	     page++) {
		uint64_t e = load_acquire(&ctl->page_start[page & (npages - 1)]);
		if (e / TL_PAGE_SIZE == page && e >= lo && e <= head)
			return e;
	}
	return head;
}

// Appends absolute [from, to) of the data area to dst (to - from <= ring_bytes).
void copy_out(const uint8_t *data, const RingGeometry &geo, uint64_t from, uint64_t to,
	      std::vector<uint8_t> &dst)
{
	const uint64_t mask = geo.ring_bytes - 1;
	const uint64_t n = to - from;
	const size_t base = dst.size();
	dst.resize(base + n);
	if (n == 0)
		return;
	const uint64_t off = from & mask;
	const uint64_t first = n < geo.ring_bytes - off ? n : geo.ring_bytes - off;
	std::memcpy(dst.data() + base, data + off, first);
	if (first < n)
		std::memcpy(dst.data() + base + first, data, n - first);
}

// Widens a record's 32-bit seq using the ring's 64-bit emitted counter; a
// ring never holds 2^32 records, so the nearest value below is the one.
uint64_t full_seq(uint32_t seq32, uint64_t emitted)
{
	if (emitted == 0)
		return seq32;
	const uint64_t newest = emitted - 1;
	return newest - static_cast<uint32_t>(static_cast<uint32_t>(newest) - seq32);
}

template <typename T> T read_as(const uint8_t *p)
{
	T v;
	std::memcpy(&v, p, sizeof(T));
	return v;
}

} // namespace

uint64_t ctrl_bytes_for(uint64_t ring_bytes)
{
	uint64_t need = TL_CTRL_FIXED_BYTES + 8 * (ring_bytes / TL_PAGE_SIZE);
	return (need + TL_PAGE_SIZE - 1) / TL_PAGE_SIZE * TL_PAGE_SIZE;
}

void append_lost(CpuBatch &out, uint32_t cpu, uint8_t reason, uint64_t count, uint64_t ts_from,
		 uint64_t ts_to)
{
	tl_lost m{};
	m.h.size = sizeof(m);
	m.h.type = TL_REC_LOST;
	m.h.flags = reason;
	m.cpu = cpu;
	m.count = count;
	m.ts_from = ts_from;
	m.ts_to = ts_to;
	const auto at = static_cast<uint32_t>(out.bytes.size());
	const auto *p = reinterpret_cast<const uint8_t *>(&m);
	out.bytes.insert(out.bytes.end(), p, p + sizeof(m));
	out.items.push_back(Item{ts_to, at, static_cast<uint32_t>(sizeof(m))});
}

namespace {

// One read of one ring, as the steps docs/architecture.md names: snapshot the
// control block, pick the start, copy, drop what the writer may have reached
// meanwhile, walk the groups, then mark what the walk could not reach and
// what the writer could not write.
class RingRead {
public:
	RingRead(const uint8_t *element, const RingGeometry &geo, uint32_t cpu, RingState &state,
		 CpuBatch &out)
	    : ctl_(ctrl_of(element)), element_(element), data_(element + geo.ctrl_bytes), geo_(geo),
	      cpu_(cpu), state_(state), out_(out)
	{
	}

	RingCounters run()
	{
		read_control();
		choose_start();
		copy();
		drop_torn();
		walk();
		state_.pos = resume_;
		mark_skipped();
		mark_busy();
		return c_;
	}

private:
	// 1. `published` is stored before `head`: loaded in this order, every
	// record numbered below it lies below h1. And the writer bumps
	// `emitted` before it publishes, so every record below h1 is numbered
	// below it.
	void read_control()
	{
		published_ = load_acquire(&ctl_->published);
		h1_ = load_acquire(&ctl_->head);
		c_.head = h1_;
		c_.emitted = load_acquire(&ctl_->emitted);
		c_.failed = load_acquire(&ctl_->failed);
		c_.faults = load_acquire(&ctl_->faults);
	}

	// 2. Where the last read ended, if that is still intact; otherwise the
	// first record boundary inside the safe window.
	void choose_start()
	{
		const uint64_t lo1 = oldest_safe(h1_, geo_);
		if (state_.pos != kNoPosition && state_.pos >= lo1 && state_.pos <= h1_)
			start_ = state_.pos;
		else
			start_ = find_boundary(element_, geo_, lo1, h1_);
	}

	// 3. The copy goes straight into the batch: delivered groups are
	// referred to where they lie in it, so most bytes are copied out of the
	// ring once.
	void copy()
	{
		base_ = out_.bytes.size();
		copy_out(data_, geo_, start_, h1_, out_.bytes);
	}

	const uint8_t *copied(uint64_t pos) const
	{
		return out_.bytes.data() + base_ + (pos - start_);
	}

	// 4. Whatever the writer reached while we copied is suspect: keep only
	// what lies above the oldest safe position for the head seen after.
	void drop_torn()
	{
		std::atomic_thread_fence(std::memory_order_acquire);
		const uint64_t h2 = load_acquire(&ctl_->head);
		begin_ = start_;
		const uint64_t lo2 = oldest_safe(h2, geo_);
		if (start_ < lo2) {
			begin_ = find_boundary(element_, geo_, lo2, h1_);
			gap_reason_ = TL_LOST_TORN;
		}
	}

	// A record header that can be trusted to walk on: the size is sane and
	// within what was copied.
	bool sane(const tl_hdr &h, uint64_t avail) const
	{
		return h.size >= sizeof(tl_hdr) && h.size % TL_ALIGN == 0 && h.size <= avail;
	}

	// 5. Every group (an enter or exit and the params it announces) from
	// begin_: delivered, or marked lost when its seq shows a gap, or left
	// for the next read when its params are not all published yet.
	// What the first named enter of each thread in [from, h1_) says of
	// the thread's comm before it: known (TL_COMM_SAME: the same;
	// TL_COMM_RENAMED: the one it carries after its own) or not (only its
	// own, which an earlier enter is delivered with, marked). `at` is where
	// that enter lies: it speaks only for the enters before it.
	struct FirstName {
		std::array<char, 16> comm;
		bool known;
		uint64_t at;
	};

	void prescan(uint64_t from)
	{
		first_names_.clear();
		prescanned_from_ = from;
		for (uint64_t p = from; h1_ - p >= sizeof(tl_hdr);) {
			const auto h = read_as<tl_hdr>(copied(p));
			if (!sane(h, h1_ - p))
				return;
			if (h.type == TL_REC_ENTER && h.size >= offsetof(tl_ring_enter, args)) {
				const tl_ring_enter e = ring_enter_at(p, h.size);
				const uint8_t *c = comm_at(p, h.size, e, 0);
				if (c && !first_names_.count(h.tid)) {
					const uint8_t *prev = comm_at(p, h.size, e, 1);
					FirstName f{};
					const bool same = e.comm_flags & TL_COMM_SAME;
					f.known = same || prev;
					f.at = p;
					std::memcpy(f.comm.data(), same || !prev ? c : prev, 16);
					first_names_.emplace(h.tid, f);
				}
			}
			p += h.size;
		}
	}

	// The fixed part of the ring-form enter at p, of `size` bytes (zero
	// past them).
	tl_ring_enter ring_enter_at(uint64_t p, uint16_t size) const
	{
		tl_ring_enter e{};
		std::memcpy(&e, copied(p), std::min<size_t>(size, sizeof(e)));
		return e;
	}

	// The comm an enter of the ring form carries: the first (which 0) or the
	// one before it (which 1); null if it carries none or is too short.
	const uint8_t *comm_at(uint64_t p, uint16_t size, const tl_ring_enter &e, int which) const
	{
		const unsigned nargs = e.nargs <= TL_MAX_ARGS ? e.nargs : TL_MAX_ARGS;
		const uint64_t at = offsetof(tl_ring_enter, args) + 8 * nargs + TL_COMM_LEN * which;
		const unsigned need = which ? TL_COMM_NAMED | TL_COMM_RENAMED : TL_COMM_NAMED;
		if ((e.comm_flags & need) != need || at + TL_COMM_LEN > size)
			return nullptr;
		return copied(p) + at;
	}

	// The enter at p as the tl_enter everything past the reader knows (its
	// size in d.ev.h.size): its comm in place, carried forward when the
	// ring did not name it (see bpf/traceloop.h).
	tl_enter delivered_enter(uint64_t p, uint16_t size)
	{
		const tl_ring_enter e = ring_enter_at(p, size);
		const unsigned nargs = e.nargs <= TL_MAX_ARGS ? e.nargs : TL_MAX_ARGS;
		tl_enter d{};
		d.ev = e.ev;
		d.ev.h.size = TL_ENTER_BYTES(nargs);
		d.pid = e.pid;
		d.nargs = nargs;
		d.nparams = e.nparams;
		std::memcpy(d.args, e.args, 8 * nargs);
		const uint32_t tid = e.ev.h.tid;
		if (const uint8_t *c = comm_at(p, size, e, 0)) {
			std::memcpy(d.comm, c, TL_COMM_LEN);
			state_.comms.set(tid, c);
		} else if (const CommMemory::Comm *known = state_.comms.find(tid)) {
			std::memcpy(d.comm, known->data(), TL_COMM_LEN);
		} else {
			// Only a read that lacks some thread's name looks ahead. A
			// thread's first name before p says nothing of p (it was
			// renamed since, perhaps, and the memory forgot it: a loss, or
			// the bound on threads remembered): look again from p.
			auto f = first_names_.find(tid);
			if (prescanned_from_ == kNoPosition ||
			    (f != first_names_.end() && f->second.at < p)) {
				prescan(p);
				f = first_names_.find(tid);
			}
			if (f != first_names_.end()) {
				std::memcpy(d.comm, f->second.comm.data(), TL_COMM_LEN);
				if (f->second.known)
					state_.comms.set(tid, f->second.comm.data());
				else
					d.ev.h.flags |= TL_FLAG_COMM_LATER;
			} else {
				d.ev.h.flags |= TL_FLAG_COMM_LATER;
			}
		}
		return d;
	}

	void walk()
	{
		uint64_t p = begin_;
		resume_ = begin_;
		while (p < h1_) {
			if (h1_ - p < sizeof(tl_hdr))
				break;
			const auto h = read_as<tl_hdr>(copied(p));
			if (!sane(h, h1_ - p)) {
				// Cannot happen with an intact copy; resynchronise next time.
				resume_ = kNoPosition;
				break;
			}
			if ((h.type == TL_REC_DONE && h.size >= sizeof(tl_done)) ||
			    (h.type == TL_REC_DONE_SHORT && h.size >= sizeof(tl_done_short))) {
				complete(p, h.type);
				p += h.size;
				resume_ = p;
				continue;
			}
			if (h.type == TL_REC_PAD || h.type == TL_REC_PARAM) {
				// A param here has lost its owner to the wrap: part
				// of a record already counted by the seq gap.
				p += h.size;
				resume_ = p;
				continue;
			}
			if ((h.type != TL_REC_ENTER && h.type != TL_REC_EXIT) ||
			    h.size < sizeof(tl_event)) {
				resume_ = kNoPosition;
				break;
			}
			Group g;
			if (!gather(p, h, g)) {
				held_seq_ = g.seq; // still being written: resume at its start
				break;
			}
			deliver(p, g);
			p = g.end;
			resume_ = p;
		}
	}

	struct Group {
		uint64_t seq = 0;
		uint64_t ts = 0;
		uint64_t end = 0; // where the next record starts
		// Where the event and its params lie: no allocation per record.
		std::array<std::pair<uint64_t, uint16_t>, 1 + TL_MAX_PARAMS> parts;
		unsigned nparts = 0;
	};

	// Finds the params the event at p announces; false when they are not
	// all there yet.
	bool gather(uint64_t p, const tl_hdr &h, Group &g) const
	{
		const uint8_t *rec = copied(p);
		const auto ev = read_as<tl_event>(rec);
		// Only the bytes the record has: a ring enter can be 32 bytes (no args, no comm),
		// far shorter than the tl_enter it is delivered as, and may end the copied window.
		unsigned nparams = 0;
		if (h.type == TL_REC_ENTER) {
			if (h.size > offsetof(tl_ring_enter, nparams))
				nparams = rec[offsetof(tl_ring_enter, nparams)];
		} else if (h.size >= sizeof(tl_exit)) {
			nparams = read_as<tl_exit>(rec).nparams;
		}
		if (nparams > TL_MAX_PARAMS)
			nparams = TL_MAX_PARAMS; // never written so; bound the walk
		g.seq = full_seq(ev.seq, c_.emitted);
		g.ts = ev.ts;
		g.parts[g.nparts++] = {p, h.size};
		uint64_t q = p + h.size;
		unsigned found = 0;
		while (found < nparams) {
			if (h1_ - q < sizeof(tl_hdr))
				return false;
			const auto ph = read_as<tl_hdr>(copied(q));
			if (!sane(ph, h1_ - q))
				return false;
			if (ph.type == TL_REC_PARAM) {
				g.parts[g.nparts++] = {q, ph.size};
				found++;
			} else if (ph.type != TL_REC_PAD) {
				break; // the writer announced more than it wrote
			}
			q += ph.size;
		}
		g.end = q;
		return true;
	}

	// Whether the event numbered seq is to be handed on: marks the gap
	// before it, if any; false if this reader delivered it already.
	bool admit(uint64_t seq, uint64_t ts)
	{
		if (seq > state_.next_seq) {
			append_lost(out_, cpu_, gap_reason_, seq - state_.next_seq, state_.last_ts,
				    ts);
			state_.lost += seq - state_.next_seq;
			state_.comms.clear(); // the records lost may have renamed a thread
		}
		return seq >= state_.next_seq;
	}

	void accept(uint64_t seq, uint64_t ts)
	{
		state_.next_seq = seq + 1;
		state_.last_ts = ts;
		state_.delivered++;
	}

	// Remembers an enter group as the call a TL_REC_DONE right after it
	// may complete (an exit group completes nothing).
	void note_open(uint64_t p, const Group &g)
	{
		const auto ev = read_as<tl_event>(copied(p));
		state_.open_end = kNoPosition;
		if (ev.h.type != TL_REC_ENTER ||
		    ev.h.size < offsetof(tl_enter, pid) + sizeof(__u32))
			return;
		state_.open_end = g.end;
		state_.open_seq = g.seq;
		state_.open_ts = g.ts;
		state_.open_tid = ev.h.tid;
		state_.open_nr = ev.nr;
		state_.open_pid = read_as<__u32>(copied(p) + offsetof(tl_enter, pid));
	}

	// A TL_REC_DONE at p: handed on as the tl_exit the two-record form
	// would have had, if the enter it completes is the group delivered
	// just before it; otherwise its enter was not delivered (overwritten,
	// or the read began between them) and its seq is counted lost with the
	// gap it leaves, like a param that lost its owner.
	void complete(uint64_t p, uint8_t type)
	{
		if (state_.open_end != p)
			return;
		uint64_t duration;
		int64_t ret;
		if (type == TL_REC_DONE_SHORT) {
			const auto d = read_as<tl_done_short>(copied(p));
			duration = d.duration;
			ret = d.ret;
		} else {
			const auto d = read_as<tl_done>(copied(p));
			duration = d.duration;
			ret = d.ret;
		}
		state_.open_end = kNoPosition;
		const uint64_t seq = state_.open_seq + 1;
		tl_exit x{};
		x.ev.h.size = sizeof(x);
		x.ev.h.type = TL_REC_EXIT;
		x.ev.h.tid = state_.open_tid;
		x.ev.seq = static_cast<uint32_t>(seq);
		x.ev.cpu = static_cast<uint16_t>(cpu_);
		x.ev.nr = state_.open_nr;
		x.ev.ts = state_.open_ts + duration;
		x.ret = ret;
		x.pid = state_.open_pid;
		if (!admit(seq, x.ev.ts))
			return;
		const auto at = static_cast<uint32_t>(out_.bytes.size());
		const auto *b = reinterpret_cast<const uint8_t *>(&x);
		out_.bytes.insert(out_.bytes.end(), b, b + sizeof(x));
		out_.items.push_back(Item{x.ev.ts, at, static_cast<uint32_t>(sizeof(x))});
		accept(seq, x.ev.ts);
	}

	// Hands a group on (marking the gap before it, if any), unless this
	// reader delivered it already.
	void deliver(uint64_t p, const Group &g)
	{
		note_open(p, g);
		if (!admit(g.seq, g.ts))
			return;
		uint64_t len = 0;
		for (unsigned i = 0; i < g.nparts; i++)
			len += g.parts[i].second;
		const auto &last = g.parts[g.nparts - 1];
		if (read_as<tl_hdr>(copied(p)).type == TL_REC_ENTER) {
			// Rewritten: the enter as delivered, then its params.
			const tl_enter d = delivered_enter(p, g.parts[0].second);
			const uint64_t n = d.ev.h.size + (len - g.parts[0].second);
			const auto at = static_cast<uint32_t>(out_.bytes.size());
			out_.bytes.resize(at + n); // before taking pointers into it
			uint8_t *dst = out_.bytes.data() + at;
			std::memcpy(dst, &d, d.ev.h.size);
			dst += d.ev.h.size;
			for (unsigned i = 1; i < g.nparts; i++) {
				std::memcpy(dst, copied(g.parts[i].first), g.parts[i].second);
				dst += g.parts[i].second;
			}
			out_.items.push_back(Item{g.ts, at, static_cast<uint32_t>(n)});
		} else if (last.first + last.second - p == len) {
			// Contiguous: refer to it in place.
			out_.items.push_back(Item{g.ts, static_cast<uint32_t>(base_ + (p - start_)),
						  static_cast<uint32_t>(len)});
		} else {
			// A pad sits inside the group: gather it at the end.
			const auto at = static_cast<uint32_t>(out_.bytes.size());
			out_.bytes.resize(at + len); // before taking pointers into it
			uint8_t *dst = out_.bytes.data() + at;
			for (unsigned i = 0; i < g.nparts; i++) {
				std::memcpy(dst, copied(g.parts[i].first), g.parts[i].second);
				dst += g.parts[i].second;
			}
			out_.items.push_back(Item{g.ts, at, static_cast<uint32_t>(len)});
		}
		accept(g.seq, g.ts);
	}

	// 6. Records numbered below `published` that were neither delivered
	// nor held back were skipped with the part of the ring they sat in (the
	// start boundary lay past them, or the walk could not go on): lost, even
	// though no later record shows the gap.
	void mark_skipped()
	{
		const uint64_t limit = held_seq_ != kNoPosition ? held_seq_ : published_;
		if (limit <= state_.next_seq)
			return;
		const uint64_t newest = load_acquire(&ctl_->last_ts);
		append_lost(out_, cpu_, gap_reason_, limit - state_.next_seq, state_.last_ts,
			    std::max(newest, state_.last_ts));
		state_.lost += limit - state_.next_seq;
		state_.next_seq = limit;
	}

	// 7. Records the writer could not write (it found the ring busy).
	void mark_busy()
	{
		if (c_.failed <= state_.failed_seen)
			return;
		const uint64_t n = c_.failed - state_.failed_seen;
		append_lost(out_, cpu_, TL_LOST_BUSY, n, state_.last_ts, state_.last_ts);
		state_.lost += n;
		state_.failed_seen = c_.failed;
	}

	const tl_ring_ctrl *ctl_;
	const uint8_t *element_;
	const uint8_t *data_;
	const RingGeometry &geo_;
	const uint32_t cpu_;
	RingState &state_;
	CpuBatch &out_;

	RingCounters c_;
	uint64_t published_ = 0, h1_ = 0;
	uint64_t start_ = 0, begin_ = 0, resume_ = 0;
	size_t base_ = 0;
	uint64_t held_seq_ = kNoPosition; // seq of a group left for the next read
	std::unordered_map<uint32_t, FirstName> first_names_;
	uint64_t prescanned_from_ = kNoPosition; // first_names_ holds [it, h1_)
	uint8_t gap_reason_ = TL_LOST_OVERWRITTEN;
};

} // namespace

RingCounters read_ring(const uint8_t *element, const RingGeometry &geo, uint32_t cpu,
		       RingState &state, CpuBatch &out)
{
	return RingRead(element, geo, cpu, state, out).run();
}

} // namespace traceloop
