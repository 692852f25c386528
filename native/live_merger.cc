#include "live_merger.h"

#include <algorithm>
#include <queue>

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

LiveMerger::LiveMerger(uint32_t ncpus) : cpus_(ncpus) {}

void LiveMerger::add(CpuBatch &&batch, uint64_t read_time)
{
	Pending &p = cpus_.at(batch.cpu);
	p.read_time = std::max(p.read_time, read_time);
	if (batch.items.empty())
		return;
	const uint64_t chunk = p.first_chunk + p.chunks.size();
	std::vector<uint8_t> &bytes = p.chunks.emplace_back(std::move(batch.bytes));
	for (const Item &it : batch.items) {
		uint64_t ts = it.ts;
		const uint8_t type = bytes[it.offset + offsetof(tl_hdr, type)];
		if (ts < watermark_) {
			// Stamped before the watermark but published after it (a
			// writer preempted for longer than the slack). Order
			// already shown is never revised: it goes out next, flagged.
			if (type != TL_REC_LOST) {
				bytes[it.offset + offsetof(tl_hdr, flags)] |= TL_FLAG_LATE;
			}
			ts = watermark_;
		}
		p.newest_ts = std::max(p.newest_ts, ts);
		p.items.push_back(Held{ts, chunk, it.offset, it.len});
	}
}

size_t LiveMerger::release(uint64_t slack, std::vector<uint8_t> &out)
{
	uint64_t mark = UINT64_MAX;
	for (const Pending &p : cpus_) {
		const uint64_t passed = p.read_time > slack ? p.read_time - slack : 0;
		mark = std::min(mark, std::max(p.newest_ts, passed));
	}
	if (mark == UINT64_MAX || mark < watermark_)
		mark = watermark_;
	watermark_ = mark;
	return release_upto(mark, out);
}

size_t LiveMerger::flush(std::vector<uint8_t> &out)
{
	size_t n = release_upto(UINT64_MAX, out);
	for (const Pending &p : cpus_)
		watermark_ = std::max(watermark_, p.newest_ts);
	return n;
}

size_t LiveMerger::release_upto(uint64_t limit, std::vector<uint8_t> &out)
{
	struct Head {
		uint64_t ts;
		uint32_t cpu;
	};
	auto later = [](const Head &a, const Head &b) {
		return a.ts != b.ts ? a.ts > b.ts : a.cpu > b.cpu;
	};
	std::priority_queue<Head, std::vector<Head>, decltype(later)> heap(later);
	for (uint32_t c = 0; c < cpus_.size(); c++)
		if (!cpus_[c].items.empty() && cpus_[c].items.front().ts <= limit)
			heap.push({cpus_[c].items.front().ts, c});

	size_t n = 0;
	while (!heap.empty()) {
		const Head h = heap.top();
		heap.pop();
		Pending &p = cpus_[h.cpu];
		// Runs of one CPU go out without touching the heap while they
		// stay ahead of every other CPU's next item.
		const Head next = heap.empty() ? Head{UINT64_MAX, UINT32_MAX} : heap.top();
		auto goes_first = [&](uint64_t ts) {
			return ts <= limit && (ts < next.ts || (ts == next.ts && h.cpu < next.cpu));
		};
		do {
			const Held it = p.items.front();
			p.items.pop_front();
			const uint8_t *b = p.chunks[it.chunk - p.first_chunk].data() + it.offset;
			out.insert(out.end(), b, b + it.len);
			n++;
		} while (!p.items.empty() && goes_first(p.items.front().ts));
		if (!p.items.empty() && p.items.front().ts <= limit)
			heap.push({p.items.front().ts, h.cpu});
	}
	// Free the batches whose items are all out.
	for (Pending &p : cpus_) {
		const uint64_t keep =
		    p.items.empty() ? p.first_chunk + p.chunks.size() : p.items.front().chunk;
		while (p.first_chunk < keep) {
			p.chunks.pop_front();
			p.first_chunk++;
		}
	}
	return n;
}

} // namespace traceloop
