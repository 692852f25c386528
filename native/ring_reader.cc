#include "ring_reader.h"

#include <atomic>
#include <algorithm>
#include <array>
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

RingCounters read_ring(const uint8_t *element, const RingGeometry &geo, uint32_t cpu,
		       RingState &state, CpuBatch &out)
{
	const tl_ring_ctrl *ctl = ctrl_of(element);
	const uint8_t *data = element + geo.ctrl_bytes;
	RingCounters c;

	// `published` is stored before `head`: loaded in this order, every
	// record numbered below it lies below h1. And the writer bumps `emitted`
	// before it publishes, so every record below h1 is numbered below it.
	const uint64_t published = load_acquire(&ctl->published);
	const uint64_t h1 = load_acquire(&ctl->head);
	c.head = h1;
	c.emitted = load_acquire(&ctl->emitted);
	c.failed = load_acquire(&ctl->failed);
	c.faults = load_acquire(&ctl->faults);

	uint8_t gap_reason = TL_LOST_OVERWRITTEN;
	const uint64_t lo1 = oldest_safe(h1, geo);
	uint64_t start;
	if (state.pos != kNoPosition && state.pos >= lo1 && state.pos <= h1)
		start = state.pos;
	else
		start = find_boundary(element, geo, lo1, h1);

	// The copy goes straight into the batch: delivered groups are referred
	// to where they lie in it, so most bytes are copied out of the ring once.
	const size_t base = out.bytes.size();
	copy_out(data, geo, start, h1, out.bytes);
	auto copied = [&](uint64_t pos) { return out.bytes.data() + base + (pos - start); };

	// Whatever the writer reached while we copied is suspect: keep only
	// what lies above the oldest safe position for the head seen after.
	std::atomic_thread_fence(std::memory_order_acquire);
	const uint64_t h2 = load_acquire(&ctl->head);
	uint64_t begin = start;
	const uint64_t lo2 = oldest_safe(h2, geo);
	if (start < lo2) {
		begin = find_boundary(element, geo, lo2, h1);
		gap_reason = TL_LOST_TORN;
	}

	uint64_t p = begin;
	uint64_t resume = begin;
	uint64_t held_seq = kNoPosition; // seq of a group left for the next read
	while (p < h1) {
		const uint8_t *rec = copied(p);
		const uint64_t avail = h1 - p;
		if (avail < sizeof(tl_hdr))
			break;
		const auto h = read_as<tl_hdr>(rec);
		if (h.size < sizeof(tl_hdr) || h.size % TL_ALIGN || h.size > avail) {
			// Cannot happen with an intact copy; resynchronise next time.
			resume = kNoPosition;
			break;
		}
		if (h.type == TL_REC_PAD || h.type == TL_REC_PARAM) {
			// A param here has lost its owner to the wrap: part of a
			// record already counted by the seq gap.
			p += h.size;
			resume = p;
			continue;
		}
		if ((h.type != TL_REC_ENTER && h.type != TL_REC_EXIT) ||
		    h.size < sizeof(tl_event)) {
			resume = kNoPosition;
			break;
		}

		// Gather the group: the event and the params it announces.
		const auto ev = read_as<tl_event>(rec);
		unsigned nparams =
		    h.type == TL_REC_ENTER
			? read_as<tl_enter>(rec).nparams
			: (h.size >= sizeof(tl_exit) ? read_as<tl_exit>(rec).nparams : 0);
		if (nparams > TL_MAX_PARAMS)
			nparams = TL_MAX_PARAMS; // never written so; bound the walk
		uint64_t q = p + h.size;
		unsigned found = 0;
		// Where the event and its params lie: no allocation per record.
		std::array<std::pair<uint64_t, uint16_t>, 1 + TL_MAX_PARAMS> parts;
		unsigned nparts = 0;
		parts[nparts++] = {p, h.size};
		bool complete = true;
		while (found < nparams) {
			if (h1 - q < sizeof(tl_hdr)) {
				complete = false;
				break;
			}
			const auto ph = read_as<tl_hdr>(copied(q));
			if (ph.size < sizeof(tl_hdr) || ph.size % TL_ALIGN || ph.size > h1 - q) {
				complete = false;
				break;
			}
			if (ph.type == TL_REC_PARAM) {
				parts[nparts++] = {q, ph.size};
				found++;
			} else if (ph.type != TL_REC_PAD) {
				break; // the writer announced more than it wrote
			}
			q += ph.size;
		}
		const uint64_t seq = full_seq(ev.seq, c.emitted);
		if (!complete) {
			held_seq = seq; // still being written: resume at its start next time
			break;
		}

		if (seq > state.next_seq) {
			append_lost(out, cpu, gap_reason, seq - state.next_seq, state.last_ts,
				    ev.ts);
			state.lost += seq - state.next_seq;
		}
		if (seq >= state.next_seq) {
			uint64_t len = 0;
			for (unsigned i = 0; i < nparts; i++)
				len += parts[i].second;
			const auto &last = parts[nparts - 1];
			if (last.first + last.second - p == len) {
				// Contiguous: refer to it in place.
				out.items.push_back(Item{ev.ts,
							 static_cast<uint32_t>(base + (p - start)),
							 static_cast<uint32_t>(len)});
			} else {
				// A pad sits inside the group: gather it at the end.
				const auto at = static_cast<uint32_t>(out.bytes.size());
				out.bytes.resize(at + len); // before taking pointers into it
				uint8_t *dst = out.bytes.data() + at;
				for (unsigned i = 0; i < nparts; i++) {
					std::memcpy(dst, copied(parts[i].first), parts[i].second);
					dst += parts[i].second;
				}
				out.items.push_back(Item{ev.ts, at, static_cast<uint32_t>(len)});
			}
			state.next_seq = seq + 1;
			state.last_ts = ev.ts;
			state.delivered++;
		}
		p = q;
		resume = p;
	}
	state.pos = resume;

	// Records numbered below `published` that were neither delivered nor
	// held back were skipped with the part of the ring they sat in (the
	// start boundary lay past them, or the walk could not go on): lost, even
	// though no later record shows the gap.
	const uint64_t limit = held_seq != kNoPosition ? held_seq : published;
	if (limit > state.next_seq) {
		const uint64_t newest = load_acquire(&ctl->last_ts);
		append_lost(out, cpu, gap_reason, limit - state.next_seq, state.last_ts,
			    std::max(newest, state.last_ts));
		state.lost += limit - state.next_seq;
		state.next_seq = limit;
	}

	if (c.failed > state.failed_seen) {
		const uint64_t n = c.failed - state.failed_seen;
		append_lost(out, cpu, TL_LOST_BUSY, n, state.last_ts, state.last_ts);
		state.lost += n;
		state.failed_seen = c.failed;
	}
	return c;
}

} // namespace traceloop
